// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_walkers: the XArray walk (lib/xarray.c), the radix tree walks of
 * 4.7+ and 4.5-4.6 (lib/radix.c), the registry enumeration over both
 * (lib/pgmap.c), the percpu_ref reader of either layout and its pure
 * decoding step (lib/percpu_ref.c), over a fake kernel whose memory is the
 * input.
 *
 * Input: a 64-byte header, then the image, mapped at FZ_IMAGE in eight
 * parts (part i excluded, ZD_ERR_EXCLUDED, when header.excluded bit i);
 * any read outside it fails with ZD_ERR_FAULT.
 *
 *   0  u8   what: 1 XArray walk, 2 radix walk, 4 percpu_ref read,
 *           8 decode the raw fields below, 16 enumerate the registries
 *   1  u8   bit 0: 4.5-4.6 radix (root height, node path; else node shift)
 *           bit 1: percpu_ref of <= 5.9 (count, pointer, release, confirm
 *                  in the ref; else the 5.10+ ref + percpu_ref_data)
 *   2  u8   nr_cpu_ids - 1 (modulo 8); CPU c's per-CPU offset is 0x100 c
 *   3  u8   __cpu_possible_mask
 *   4  u8   excluded parts
 *   5  u8[3]
 *   8  u32  XArray (pgmap_array) at FZ_IMAGE + this
 *  12  u32  radix_tree_root (pgmap_radix) at FZ_IMAGE + this
 *  16  u32  percpu_ref at FZ_IMAGE + this
 *  20  u32
 *  24  u64  percpu_count_ptr, data, count, per-CPU sum, confirm_switch:
 *           raw fields for zd_percpu_ref_decode()
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#include "fuzzhost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_IMAGE FZ_HEAP_BASE
#define HDR 64

static struct fz_host host;
static uint64_t mem_section_ptr, cpu_offsets[FZ_MAX_CPUS];
static uint8_t cpu_mask[8];
static uint32_t nr_cpu_ids;

static int debug = -1; /* ZDREF_FUZZ_DEBUG: what the walks saw, on stdout */

static void note(const char *what, struct zd_error *err)
{
	if (debug)
		printf("%s: %s\n", what, err ? err->message : "ok");
	zd_error_destroy(err);
}

struct visit {
	unsigned long n;
	uint64_t sum; /* something for the walk to compute */
};

static struct zd_error *visit(void *arg, uint64_t entry, uint64_t first,
			      uint64_t last)
{
	struct visit *v = arg;

	if (debug)
		printf("  entry 0x%llx [0x%llx, 0x%llx]\n",
		       (unsigned long long)entry, (unsigned long long)first,
		       (unsigned long long)last);
	v->n++;
	v->sum += entry ^ first ^ last;
	return NULL;
}

static void tables(struct fz_host *h, uint8_t variant)
{
	fz_tables_6_1(h);
	fz_add_type(h, "radix_tree_root", 16);
	fz_add_type(h, "radix_tree_node", FZ_RADIX_NODE_SIZE);
	fz_add_member(h, "radix_tree_root", "rnode", FZ_RADIX_ROOT_RNODE, 8);
	fz_add_member(h, "radix_tree_node", "parent", 8, 8);
	fz_add_member(h, "radix_tree_node", "slots", FZ_RADIX_NODE_SLOTS, 512);
	if (variant & 1) {
		fz_add_member(h, "radix_tree_root", "height",
			      FZ_RADIX_ROOT_HEIGHT, 4);
		fz_add_member(h, "radix_tree_node", "path", 0, 4);
		fz_add_member(h, "radix_tree_node", "count", 4, 4);
	} else {
		fz_add_member(h, "radix_tree_node", "shift", 0, 1);
		fz_add_member(h, "radix_tree_node", "offset", 1, 1);
		fz_add_member(h, "radix_tree_node", "count", 2, 1);
	}
	if (variant & 2) {
		/* percpu_ref <= 5.9: count@0 pcp@8 release@16 confirm@24 */
		fz_remove_member(h, "percpu_ref", "percpu_count_ptr");
		fz_remove_member(h, "percpu_ref", "data");
		fz_add_member(h, "percpu_ref", "count", 0, 8);
		fz_add_member(h, "percpu_ref", "percpu_count_ptr", 8, 8);
		fz_add_member(h, "percpu_ref", "release", 16, 8);
		fz_add_member(h, "percpu_ref", "confirm_switch", 24, 8);
		fz_remove_member(h, "dev_pagemap", "ref");
		fz_add_member(h, "dev_pagemap", "ref", 48, 8);
		for (size_t i = 0; i < h->tab.ntypes; i++)
			if (!strcmp(h->tab.types[i].name, "percpu_ref"))
				h->tab.types[i].size = 56;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_host *h = &host;
	const uint8_t *img = data + HDR;
	size_t len;
	struct zd_target *t = NULL;
	struct zd_error *err;
	struct visit v = { 0 };
	uint8_t what;

	if (debug < 0)
		debug = getenv("ZDREF_FUZZ_DEBUG") != NULL;
	if (size < HDR)
		return 0;
	len = size - HDR;
	what = data[0];
	fz_init(h);
	tables(h, data[1]);

	mem_section_ptr = FZ_DATA_BASE + 0x100000; /* never read here */
	fz_map(h, FZ_DATA_BASE, &mem_section_ptr, 8, false);
	fz_add_symbol(h, "mem_section", FZ_DATA_BASE, 8);
	nr_cpu_ids = data[2] % FZ_MAX_CPUS + 1;
	memset(cpu_mask, 0, sizeof(cpu_mask));
	cpu_mask[0] = data[3];
	for (unsigned int c = 0; c < FZ_MAX_CPUS; c++)
		cpu_offsets[c] = 0x100ULL * c;
	fz_map(h, FZ_DATA_BASE + 0x2000, cpu_mask, sizeof(cpu_mask), false);
	fz_add_symbol(h, "__cpu_possible_mask", FZ_DATA_BASE + 0x2000, 8);
	fz_map(h, FZ_DATA_BASE + 0x3000, cpu_offsets, sizeof(cpu_offsets),
	       false);
	fz_add_symbol(h, "__per_cpu_offset", FZ_DATA_BASE + 0x3000,
		      sizeof(cpu_offsets));
	fz_map(h, FZ_DATA_BASE + 0x4000, &nr_cpu_ids, 4, false);
	fz_add_symbol(h, "nr_cpu_ids", FZ_DATA_BASE + 0x4000, 4);
	fz_add_symbol(h, "pgmap_array", FZ_IMAGE + fz_le32(data + 8), 16);
	fz_add_symbol(h, "pgmap_radix", FZ_IMAGE + fz_le32(data + 12), 16);
	fz_map_parts(h, FZ_IMAGE, img, len, data[4]);

	if ((err = zd_target_open(&h->host, &t))) {
		/* the tables are fixed: only the CPUs can fail the open */
		note("zd_target_open", err);
		return 0;
	}
	if (what & 1)
		note("zd_xa_walk", zd_xa_walk(t, FZ_IMAGE + fz_le32(data + 8),
					      visit, &v));
	if (what & 2)
		note("zd_radix_walk",
		     zd_radix_walk(t, FZ_IMAGE + fz_le32(data + 12), visit,
				   &v));
	if (what & 4) {
		struct zd_ref_state st;

		memset(&st, 0, sizeof(st));
		note("zd_percpu_ref_read",
		     zd_percpu_ref_read(t, FZ_IMAGE + fz_le32(data + 16), &st));
		if (debug)
			printf("  mode %d count %lld ncpus %u\n", (int)st.mode,
			       (long long)st.count, st.ncpus);
	}
	if (what & 8) {
		struct zd_ref_state st = {
			.percpu_count_ptr = fz_le64(data + 24),
			.data = fz_le64(data + 32),
			.raw_count = fz_le64(data + 40),
			.percpu_sum = fz_le64(data + 48),
			.confirm_switch = fz_le64(data + 56),
		};

		zd_percpu_ref_decode(&st, !(data[1] & 2));
		if (debug)
			printf("decode: mode %d count %lld\n", (int)st.mode,
			       (long long)st.count);
	}
	if (what & 16) {
		struct zd_registered *regs = NULL;
		size_t n = 0;

		err = zd_pgmap_enumerate(t, &regs, &n);
		if (!err)
			free(regs);
		else if (debug)
			printf("zd_pgmap_enumerate: %s\n", err->message);
		else
			zd_error_destroy(err);
		if (debug && !err)
			printf("zd_pgmap_enumerate: %zu pgmaps\n", n);
	}
	zd_target_close(t);
	return 0;
}
