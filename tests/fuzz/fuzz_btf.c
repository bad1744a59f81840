// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_btf: cli/btf_types.c over the input as raw BTF.  A blob that loads
 * is asked
 *   - every size, member and enumerator lib/ asks (the list below, from
 *     need_size/need_member/opt_member/pointer_or_embedded/enum_value and
 *     the era tells), with and without the size;
 *   - the same for names taken from its own string section, so that the
 *     lookups meet the types the blob actually has;
 *   - and then, as the types half of a host whose memory and symbols are
 *     example kernel 0 of fuzzhost.c, zd_target_open() and zd_audit():
 *     whatever layout the blob describes, the core must refuse it or read
 *     the kernel with it, never overrun a buffer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zdref/zdref.h"
#include "btf_types.h"

#include "fuzzhost.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const sizes[] = {
	"page",		  "mem_section",      "dev_pagemap",	 "percpu_ref",
	"vmem_altmap",	  "range",	      "resource",	 "xa_node",
	"radix_tree_node", "radix_tree_root", "wait_queue_head", "folio",
	"task_struct",	  "list_head",	      "atomic_t",	 "u64",
};

static const char *const members[][2] = {
	{ "address_space", "host" },
	{ "completion", "wait" },
	{ "dev_pagemap", "altmap" },
	{ "dev_pagemap", "altmap_valid" },
	{ "dev_pagemap", "done" },
	{ "dev_pagemap", "flags" },
	{ "dev_pagemap", "nr_range" },
	{ "dev_pagemap", "ops" },
	{ "dev_pagemap", "owner" },
	{ "dev_pagemap", "range" },
	{ "dev_pagemap", "ranges" },
	{ "dev_pagemap", "ref" },
	{ "dev_pagemap", "res" },
	{ "dev_pagemap", "type" },
	{ "dev_pagemap", "vmemmap_shift" },
	{ "dev_pagemap_ops", "folio_free" },
	{ "folio", "_pincount" },
	{ "folio", "pgmap" },
	{ "hmm_devmem", "pagemap" },
	{ "inode", "i_ino" },
	{ "inode", "i_mapping" },
	{ "inode", "i_sb" },
	{ "mem_section", "section_mem_map" },
	{ "mem_section", "usage" },
	{ "mem_section_usage", "subsection_map" },
	{ "page", "__folio_index" },
	{ "page", "_count" },
	{ "page", "_mapcount" },
	{ "page", "_refcount" },
	{ "page", "compound_pincount" },
	{ "page", "flags" },
	{ "page", "index" },
	{ "page", "lru" },
	{ "page", "mapping" },
	{ "page", "pgmap" },
	{ "page", "zone_device_data" },
	{ "page_map", "pgmap" },
	{ "percpu_ref", "data" },
	{ "percpu_ref", "percpu_count_ptr" },
	{ "percpu_ref", "count" },
	{ "percpu_ref", "release" },
	{ "percpu_ref", "confirm_switch" },
	{ "percpu_ref_data", "count" },
	{ "percpu_ref_data", "release" },
	{ "percpu_ref_data", "confirm_switch" },
	{ "percpu_ref_data", "ref" },
	{ "radix_tree_node", "path" },
	{ "radix_tree_node", "shift" },
	{ "radix_tree_node", "slots" },
	{ "radix_tree_root", "height" },
	{ "radix_tree_root", "rnode" },
	{ "range", "end" },
	{ "range", "start" },
	{ "resource", "end" },
	{ "resource", "start" },
	{ "super_block", "s_id" },
	{ "swait_queue", "task" },
	{ "swait_queue", "task_list" },
	{ "swait_queue_head", "task_list" },
	{ "task_struct", "__state" },
	{ "task_struct", "comm" },
	{ "task_struct", "pid" },
	{ "task_struct", "state" },
	{ "vmem_altmap", "base_pfn" },
	{ "vmem_altmap", "free" },
	{ "vmem_altmap", "reserve" },
	{ "wait_bit_key", "bit_nr" },
	{ "wait_bit_key", "flags" },
	{ "wait_bit_queue_entry", "key" },
	{ "wait_bit_queue_entry", "wq_entry" },
	{ "wait_queue_entry", "entry" },
	{ "wait_queue_entry", "private" },
	{ "wait_queue_head", "head" },
	{ "xa_node", "shift" },
	{ "xa_node", "slots" },
	{ "xarray", "xa_head" },
};

static const char *const enums[] = {
	"MEMORY_DEVICE_PRIVATE",  "MEMORY_DEVICE_COHERENT",
	"MEMORY_DEVICE_FS_DAX",	  "MEMORY_DEVICE_GENERIC",
	"MEMORY_DEVICE_DEVDAX",	  "MEMORY_DEVICE_PCI_P2PDMA",
	"MEMORY_DEVICE_PUBLIC",	  "MEMORY_DEVICE_HOST",
	"PG_head",
};

static uint8_t example[1 << 16];
static struct fz_kernel kernel;
static FILE *sink;
static bool debug; /* ZDREF_FUZZ_DEBUG: errors and the report on stdout */

static void note(const char *what, const struct zd_error *err)
{
	if (debug && err)
		printf("%s: %s\n", what, err->message);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t n = fz_kernel_example(0, example, sizeof(example));

	(void)argc;
	(void)argv;
	if (!n || !fz_kernel_build(&kernel, example, n))
		abort();
	debug = getenv("ZDREF_FUZZ_DEBUG") != NULL;
	sink = debug ? stdout : fopen("/dev/null", "w");
	if (!sink)
		abort();
	return 0;
}

/* The types half: symbols from the fake kernel, types from the blob. */
struct hybrid {
	const struct zd_types *fz;
	struct zd_btf *btf;
};

static struct zd_error *h_symbol(void *arg, const char *name, uint64_t *addr,
				 uint64_t *size)
{
	const struct hybrid *y = arg;

	return y->fz->symbol(y->fz->arg, name, addr, size);
}

static struct zd_error *h_symbolize(void *arg, uint64_t addr, char *name,
				    size_t len, uint64_t *offset)
{
	const struct hybrid *y = arg;

	return y->fz->symbolize(y->fz->arg, addr, name, len, offset);
}

static struct zd_error *h_size(void *arg, const char *type, uint64_t *size)
{
	return zd_btf_type_size(((struct hybrid *)arg)->btf, type, size);
}

static struct zd_error *h_member(void *arg, const char *type,
				 const char *member, uint64_t *offset,
				 uint64_t *size)
{
	return zd_btf_member(((struct hybrid *)arg)->btf, type, member, offset,
			     size);
}

static struct zd_error *h_enum(void *arg, const char *name, int64_t *value)
{
	return zd_btf_enumerator(((struct hybrid *)arg)->btf, name, value);
}

static void ask(struct zd_btf *b, const char *type, const char *member)
{
	uint64_t off, size;
	int64_t v;

	zd_error_destroy(zd_btf_type_size(b, type, &size));
	zd_error_destroy(zd_btf_enumerator(b, type, &v));
	if (member) {
		zd_error_destroy(zd_btf_member(b, type, member, &off, &size));
		zd_error_destroy(zd_btf_member(b, type, member, &off, NULL));
	}
}

/* Names from the blob's own string section (its header checked at load). */
static void ask_own_names(struct zd_btf *b, const uint8_t *data, size_t size)
{
	uint32_t hdr_len = fz_le32(data + 4), str_off = fz_le32(data + 16);
	uint32_t str_len = fz_le32(data + 20);
	const char *s = (const char *)data + hdr_len + str_off;
	const char *prev = "page", *end = s + str_len;
	int asked = 0;

	(void)size;
	for (const char *p = s; p < end && asked < 24; p += strlen(p) + 1) {
		if (!*p)
			continue;
		ask(b, p, prev);
		ask(b, prev, p);
		prev = p;
		asked++;
	}
}

static void audit(struct zd_btf *b)
{
	struct hybrid y = { &kernel.h.host.types, b };
	struct zd_host h = {
		.mem = kernel.h.host.mem,
		.types = { .arg = &y,
			   .symbol = h_symbol,
			   .symbolize = h_symbolize,
			   .type_size = h_size,
			   .member = h_member,
			   .enumerator = h_enum },
	};
	struct zd_audit_options opts = { .all_pages = true, .max_listed = 8 };
	struct zd_target *t = NULL;
	struct zd_report *rep = NULL;
	struct zd_error *err;

	if ((err = zd_target_open(&h, &t))) {
		note("zd_target_open", err);
		zd_error_destroy(err);
		return;
	}
	err = zd_audit(t, &opts, &rep);
	if (!err) {
		zd_report_print_json(sink, rep);
		zd_report_destroy(rep);
	}
	note("zd_audit", err);
	zd_error_destroy(err);
	zd_target_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zd_btf *b = NULL;
	struct zd_error *err = zd_btf_from_bytes(data, size, &b);

	if (err) {
		if (b)
			abort(); /* an error with a handle */
		note("zd_btf_from_bytes", err);
		zd_error_destroy(err);
		return 0;
	}
	if (!b)
		abort();
	(void)zd_btf_type_count(b);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		ask(b, sizes[i], NULL);
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++)
		ask(b, members[i][0], members[i][1]);
	for (size_t i = 0; i < sizeof(enums) / sizeof(enums[0]); i++)
		ask(b, enums[i], NULL);
	ask_own_names(b, data, size);
	audit(b);
	zd_btf_free(b);
	return 0;
}
