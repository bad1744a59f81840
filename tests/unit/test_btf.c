// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/btf_types.c against BTF built with libbpf's writer: the layouts the
 * core asks about (struct page's anonymous unions of anonymous structs,
 * dev_pagemap's ranges[] behind DECLARE_FLEX_ARRAY, percpu_ref_data's
 * bitfields), every rule it shares with the DWARF lookups of
 * cli/debuginfo.h, and blobs that are wrong in every field the loader
 * checks.  A bad blob must be one ZD_ERR_FORMAT line, never a crash: run
 * under ASan and UBSan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/btf.h>

#include "btf_types.h"

/* Type ids of the test BTF that the patching tests need. */
struct ids {
	int u32, int3, page, bf, sgn, chain_a, anon_cycle, oldbf;
};

/* A writer call that failed would build a different kernel: stop there. */
static int added(int r, const char *call)
{
	if (r < 0)
		fail_msg("%s: %d", call, r);
	return r;
}

#define A(call) added((call), #call)

/*
 * A small kernel.  Offsets are those of 6.1's x86_64 structs where the
 * struct is one the core reads.  The writer appends fields to the last
 * type added, so every type a struct uses is made before it.
 */
static struct btf *kernel_btf(struct ids *ids)
{
	struct btf *btf = btf__new_empty();
	int ulong, uint, intt, uchar, boolt, voidp, atomic, atomic_s, cva;
	int list_head, lh_ptr, anon_lru, anon_head, anon_pgmap, anon_u,
		anon_map, memory_type, u64t, u32t;
	int range, empty, flex_s, flex_u, ranges_arr, pgmap_fwd, pgmap_ptr;
	int slots, tags_in, tags, atoms, fwd_later, fwd_u, arr_void, proto;
	int anon;

	assert_non_null(btf);
	ulong = A(btf__add_int(btf, "long unsigned int", 8, 0));
	uint = A(btf__add_int(btf, "unsigned int", 4, 0));
	intt = A(btf__add_int(btf, "int", 4, BTF_INT_SIGNED));
	uchar = A(btf__add_int(btf, "unsigned char", 1, 0));
	boolt = A(btf__add_int(btf, "_Bool", 1, BTF_INT_BOOL));
	ids->u32 = uint;
	voidp = A(btf__add_ptr(btf, 0));
	u64t = A(btf__add_typedef(btf, "u64", ulong));
	u32t = A(btf__add_typedef(btf, "u32", uint));

	/* typedef struct { int counter; } atomic_t; */
	atomic_s = A(btf__add_struct(btf, NULL, 4));
	A(btf__add_field(btf, "counter", intt, 0, 0));
	atomic = A(btf__add_typedef(btf, "atomic_t", atomic_s));
	cva = A(btf__add_volatile(btf, A(btf__add_const(btf, atomic))));

	/* The pointer comes first, to the id the struct will get. */
	lh_ptr = A(btf__add_ptr(btf, (int)btf__type_cnt(btf) + 1));
	list_head = A(btf__add_struct(btf, "list_head", 16));
	assert_int_equal(list_head, lh_ptr + 1);
	A(btf__add_field(btf, "next", lh_ptr, 0, 0));
	A(btf__add_field(btf, "prev", lh_ptr, 64, 0));

	/* struct dev_pagemap is defined later; page points at a FWD. */
	pgmap_fwd = A(btf__add_fwd(btf, "dev_pagemap", BTF_FWD_STRUCT));
	pgmap_ptr = A(btf__add_ptr(btf, pgmap_fwd));

	/* struct page: union { struct {...}; struct {...}; ... } at 8 */
	anon_lru = A(btf__add_struct(btf, NULL, 40));
	A(btf__add_field(btf, "lru", list_head, 0, 0));
	A(btf__add_field(btf, "mapping", voidp, 128, 0));
	A(btf__add_field(btf, "index", ulong, 192, 0));
	A(btf__add_field(btf, "private", ulong, 256, 0));
	anon_head = A(btf__add_struct(btf, NULL, 40));
	A(btf__add_field(btf, "compound_head", ulong, 0, 0));
	anon_pgmap = A(btf__add_struct(btf, NULL, 40));
	A(btf__add_field(btf, "pgmap", pgmap_ptr, 0, 0));
	A(btf__add_field(btf, "zone_device_data", voidp, 64, 0));
	anon_u = A(btf__add_union(btf, NULL, 40));
	A(btf__add_field(btf, NULL, anon_lru, 0, 0));
	A(btf__add_field(btf, NULL, anon_head, 0, 0));
	A(btf__add_field(btf, NULL, anon_pgmap, 0, 0));
	anon_map = A(btf__add_union(btf, NULL, 4));
	A(btf__add_field(btf, "_mapcount", atomic, 0, 0));
	A(btf__add_field(btf, "page_type", uint, 0, 0));
	ids->page = A(btf__add_struct(btf, "page", 64));
	A(btf__add_field(btf, "flags", ulong, 0, 0));
	A(btf__add_field(btf, NULL, anon_u, 64, 0));
	A(btf__add_field(btf, NULL, anon_map, 384, 0));
	A(btf__add_field(btf, "_refcount", cva, 416, 0));
	A(btf__add_field(btf, "memcg_data", ulong, 448, 0));
	A(btf__add_field(btf, "virtual", voidp, 448, 0));

	memory_type = A(btf__add_enum(btf, "memory_type", 4));
	A(btf__add_enum_value(btf, "MEMORY_DEVICE_PRIVATE", 1));
	A(btf__add_enum_value(btf, "MEMORY_DEVICE_COHERENT", 2));
	A(btf__add_enum_value(btf, "MEMORY_DEVICE_FS_DAX", 3));
	A(btf__add_enum_value(btf, "MEMORY_DEVICE_GENERIC", 4));
	A(btf__add_enum_value(btf, "MEMORY_DEVICE_PCI_P2PDMA", 5));

	/*
	 * 6.1's dev_pagemap tail:
	 * union { struct range range; DECLARE_FLEX_ARRAY(struct range, ranges); };
	 */
	range = A(btf__add_struct(btf, "range", 16));
	A(btf__add_field(btf, "start", u64t, 0, 0));
	A(btf__add_field(btf, "end", ulong, 64, 0));
	empty = A(btf__add_struct(btf, NULL, 0));
	ranges_arr = A(btf__add_array(btf, intt, range, 0));
	flex_s = A(btf__add_struct(btf, NULL, 0));
	A(btf__add_field(btf, "__empty_ranges", empty, 0, 0));
	A(btf__add_field(btf, "ranges", ranges_arr, 0, 0));
	flex_u = A(btf__add_union(btf, NULL, 16));
	A(btf__add_field(btf, "range", range, 0, 0));
	A(btf__add_field(btf, NULL, flex_s, 0, 0));
	A(btf__add_struct(btf, "dev_pagemap", 152));
	A(btf__add_field(btf, "altmap", ulong, 0, 0));
	A(btf__add_field(btf, "type", memory_type, 768, 0));
	A(btf__add_field(btf, "nr_range", intt, 1024, 0));
	A(btf__add_field(btf, NULL, flex_u, 1088, 0));
	/* nameless and not an aggregate: skipped, DWARF has no such member */
	A(btf__add_field(btf, NULL, intt, 1088, 0));

	/* percpu_ref_data: bool force_atomic:1, allow_reinit:1 at 24 */
	A(btf__add_struct(btf, "percpu_ref_data", 56));
	A(btf__add_field(btf, "count", ulong, 0, 0));
	A(btf__add_field(btf, "release", voidp, 64, 0));
	A(btf__add_field(btf, "confirm_switch", voidp, 128, 0));
	A(btf__add_field(btf, "force_atomic", boolt, 192, 1));
	A(btf__add_field(btf, "allow_reinit", boolt, 193, 1));

	/* Bitfields inside and across storage units. */
	ids->bf = A(btf__add_struct(btf, "bf", 24));
	A(btf__add_field(btf, "lo", uint, 0, 4));
	A(btf__add_field(btf, "mid", uint, 4, 20));
	A(btf__add_field(btf, "hi", uint, 24, 8));
	A(btf__add_field(btf, "big", ulong, 64, 40));
	A(btf__add_field(btf, "big2", ulong, 104, 20));
	A(btf__add_field(btf, "tail", uchar, 128, 0));
	A(btf__add_field(btf, "ctail", uchar, 136, 3));
	A(btf__add_field(btf, "etail", u32t, 144, 5));

	/* Arrays: dimensions times element, typedefs peeled. */
	slots = A(btf__add_array(btf, intt, voidp, 64));
	tags_in = A(btf__add_array(btf, intt, ulong, 1));
	tags = A(btf__add_array(btf, intt, tags_in, 3));
	atoms = A(btf__add_array(btf, intt, atomic, 2));
	A(btf__add_struct(btf, "xa_node", 576));
	A(btf__add_field(btf, "shift", uchar, 0, 0));
	A(btf__add_field(btf, "slots", slots, 320, 0));
	A(btf__add_field(btf, "tags", tags, 4416, 0));
	A(btf__add_field(btf, "atoms", atoms, 4416, 0));

	/* A typedef of a named struct. */
	A(btf__add_struct(btf, "pglist_data", 32));
	A(btf__add_field(btf, "node_start_pfn", ulong, 0, 0));
	A(btf__add_field(btf, "node_id", intt, 192, 0));
	A(btf__add_typedef(btf, "pg_data_t",
			   A(btf__find_by_name_kind(btf, "pglist_data",
						    BTF_KIND_STRUCT))));

	/* Forward declarations: one never defined, one defined later. */
	A(btf__add_typedef(btf, "memcg_t",
			   A(btf__add_fwd(btf, "mem_cgroup", BTF_FWD_STRUCT))));
	A(btf__add_fwd(btf, "enum_fwd", BTF_FWD_ENUM));
	fwd_later = A(btf__add_fwd(btf, "later", BTF_FWD_STRUCT));
	fwd_u = A(btf__add_fwd(btf, "both", BTF_FWD_UNION));
	A(btf__add_struct(btf, "holder", 40));
	A(btf__add_field(btf, "l", fwd_later, 0, 0));
	A(btf__add_field(btf, "u", fwd_u, 192, 0));
	A(btf__add_struct(btf, "later", 24));
	A(btf__add_field(btf, "x", ulong, 128, 0));
	/* "both" is a struct and a union: a union FWD means the union */
	A(btf__add_struct(btf, "both", 100));
	A(btf__add_union(btf, "both", 8));
	A(btf__add_field(btf, "w", ulong, 0, 0));

	/* One name, several kinds: struct before union, typedef, enum. */
	A(btf__add_union(btf, "multi", 12));
	A(btf__add_typedef(btf, "multi", ulong));
	A(btf__add_enum(btf, "multi", 4));
	A(btf__add_enum_value(btf, "MULTI_A", 0));
	A(btf__add_struct(btf, "multi", 20));
	A(btf__add_union(btf, "only_union", 6));
	A(btf__add_typedef(btf, "only_typedef", atomic));
	A(btf__add_struct(btf, "dup", 8));
	A(btf__add_struct(btf, "dup", 16));

	/* Enums: signed, above INT_MAX, one byte, 64-bit both ways. */
	ids->sgn = A(btf__add_enum(btf, "sgn", 4));
	A(btf__add_enum_value(btf, "SGN_NEG", -2));
	A(btf__add_enum_value(btf, "SGN_POS", 200));
	A(btf__add_enum_value(btf, "SGN_MIN", INT32_MIN));
	A(btf__add_enum(btf, "uns", 4));
	A(btf__add_enum_value(btf, "UNS_TOP", 0xffffffffLL));
	A(btf__add_enum_value(btf, "UNS_HIGH", 0x80000000LL));
	A(btf__add_enum(btf, NULL, 4)); /* anonymous, as __PERCPU_REF_* */
	A(btf__add_enum_value(btf, "__PERCPU_REF_ATOMIC", 1));
	A(btf__add_enum_value(btf, "__PERCPU_REF_DEAD", 2));
	A(btf__add_enum_value(btf, "SGN_POS", 9)); /* a later repeat loses */
	A(btf__add_enum(btf, "small", 1));
	A(btf__add_enum_value(btf, "SMALL_FF", 0xff));
	A(btf__add_enum64(btf, "big", 8, false));
	A(btf__add_enum64_value(btf, "BIG_LOW", 0x123456789aULL));
	A(btf__add_enum64_value(btf, "BIG_ALL", UINT64_MAX));
	A(btf__add_enum64(btf, "sbig", 8, true));
	A(btf__add_enum64_value(btf, "SBIG_NEG", (uint64_t)-5LL));

	/* Void and sizeless things. */
	A(btf__add_typedef(btf, "void_t", 0));
	arr_void = A(btf__add_array(btf, intt, 0, 4));
	proto = A(btf__add_func_proto(btf, intt));
	A(btf__add_struct(btf, "odd", 8));
	A(btf__add_field(btf, "v", arr_void, 0, 0));
	A(btf__add_field(btf, "fn", proto, 0, 0));

	/*
	 * For the patching tests: a bitfield in the old encoding (no kflag,
	 * the INT carrying the width; made so below), a typedef chain to be
	 * closed into a loop.  And an anonymous member that contains itself.
	 */
	ids->int3 = A(btf__add_int(btf, "int3", 4, 0));
	ids->oldbf = A(btf__add_struct(btf, "oldbf", 16));
	A(btf__add_field(btf, "x", ids->int3, 40, 0));
	ids->chain_a = A(btf__add_typedef(btf, "chain_a", intt));
	A(btf__add_typedef(btf, "chain_b", ids->chain_a));
	anon = A(btf__add_struct(btf, NULL, 8));
	A(btf__add_field(btf, NULL, anon, 0, 0));
	ids->anon_cycle = anon;
	A(btf__add_struct(btf, "cyclic", 8));
	A(btf__add_field(btf, NULL, anon, 0, 0));
	return btf;
}

struct fixture {
	struct ids ids;
	struct btf *w; /* the writer */
	unsigned char *raw;
	uint32_t len;
	struct zd_btf *b;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	const void *raw;
	struct zd_error *err;

	if (!f)
		return -1;
	f->w = kernel_btf(&f->ids);
	raw = btf__raw_data(f->w, &f->len);
	if (!raw)
		return -1;
	f->raw = malloc(f->len);
	if (!f->raw)
		return -1;
	memcpy(f->raw, raw, f->len);
	err = zd_btf_from_bytes(f->raw, f->len, &f->b);
	if (err) {
		fprintf(stderr, "%s\n", err->message);
		zd_error_destroy(err);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	zd_btf_free(f->b);
	btf__free(f->w);
	free(f->raw);
	free(f);
	return 0;
}

static void expect_member(struct zd_btf *b, const char *type,
			  const char *member, uint64_t off, uint64_t size)
{
	uint64_t o = ~0ULL, s = ~0ULL;
	struct zd_error *err = zd_btf_member(b, type, member, &o, &s);

	if (err)
		fail_msg("%s.%s: %s", type, member, err->message);
	if (o != off || s != size)
		fail_msg("%s.%s: offset %llu size %llu, want %llu %llu", type,
			 member, (unsigned long long)o, (unsigned long long)s,
			 (unsigned long long)off, (unsigned long long)size);
}

static void expect_size(struct zd_btf *b, const char *type, uint64_t size)
{
	uint64_t s = ~0ULL;
	struct zd_error *err = zd_btf_type_size(b, type, &s);

	if (err)
		fail_msg("sizeof %s: %s", type, err->message);
	if (s != size)
		fail_msg("sizeof %s: %llu, want %llu", type,
			 (unsigned long long)s, (unsigned long long)size);
}

static void expect_enum(struct zd_btf *b, const char *name, int64_t value)
{
	int64_t v = 0;
	struct zd_error *err = zd_btf_enumerator(b, name, &v);

	if (err)
		fail_msg("%s: %s", name, err->message);
	if (v != value)
		fail_msg("%s: %lld, want %lld", name, (long long)v,
			 (long long)value);
}

/* err has code, is one line, and (if given) contains want; then freed. */
static void expect_error(struct zd_error *err, enum zd_err_code code,
			 const char *want)
{
	if (!err)
		fail_msg("no error, want code %d (%s)", code, want ? want : "");
	if (err->code != code || strchr(err->message, '\n') ||
	    (want && !strstr(err->message, want)))
		fail_msg("error %d \"%s\", want %d containing \"%s\"",
			 err->code, err->message, code, want ? want : "");
	zd_error_destroy(err);
}

static void anonymous_members(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;

	expect_size(b, "page", 64);
	expect_member(b, "page", "flags", 0, 8);
	/* union, then struct: two anonymous levels */
	expect_member(b, "page", "lru", 8, 16);
	expect_member(b, "page", "mapping", 24, 8);
	expect_member(b, "page", "index", 32, 8);
	expect_member(b, "page", "compound_head", 8, 8);
	/* a pointer to a FWD is still a pointer */
	expect_member(b, "page", "pgmap", 8, 8);
	expect_member(b, "page", "zone_device_data", 16, 8);
	/* typedef of an anonymous struct, const volatile: peeled */
	expect_member(b, "page", "_mapcount", 48, 4);
	expect_member(b, "page", "page_type", 48, 4);
	expect_member(b, "page", "_refcount", 52, 4);
	/* the first of two members at one offset */
	expect_member(b, "page", "memcg_data", 56, 8);
	expect_member(b, "list_head", "prev", 8, 8);
}

static void flexible_array(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;

	expect_size(b, "dev_pagemap", 152);
	expect_member(b, "dev_pagemap", "type", 96, 4);
	expect_member(b, "dev_pagemap", "nr_range", 128, 4);
	expect_member(b, "dev_pagemap", "range", 136, 16);
	expect_member(b, "dev_pagemap", "ranges", 136, 0);
	expect_member(b, "dev_pagemap", "__empty_ranges", 136, 0);
	expect_member(b, "range", "start", 0, 8);
	expect_size(b, "range", 16);
}

static void bitfields(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;
	uint64_t off = 0;

	expect_member(b, "percpu_ref_data", "confirm_switch", 16, 8);
	expect_member(b, "percpu_ref_data", "force_atomic", 24, 1);
	expect_member(b, "percpu_ref_data", "allow_reinit", 24, 1);
	/* storage unit = the declared type's size, rounded down */
	expect_member(b, "bf", "lo", 0, 4);
	expect_member(b, "bf", "mid", 0, 4);
	expect_member(b, "bf", "hi", 0, 4); /* bit 24: byte 3, unit 0 */
	expect_member(b, "bf", "big", 8, 8);
	expect_member(b, "bf", "big2", 8, 8); /* bit 104: byte 13, unit 8 */
	expect_member(b, "bf", "tail", 16, 1);
	expect_member(b, "bf", "ctail", 17, 1);
	expect_member(b, "bf", "etail", 16, 4); /* typedef u32: unit 4 */
	/* size is optional */
	assert_null(zd_btf_member(b, "bf", "big2", &off, NULL));
	assert_int_equal(off, 8);
}

static void arrays_and_typedefs(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;

	expect_member(b, "xa_node", "slots", 40, 512);
	expect_member(b, "xa_node", "tags", 552, 24);
	expect_member(b, "xa_node", "atoms", 552, 8);
	expect_size(b, "xa_node", 576);
	expect_size(b, "atomic_t", 4);
	expect_member(b, "atomic_t", "counter", 0, 4);
	expect_size(b, "pg_data_t", 32);
	expect_member(b, "pg_data_t", "node_id", 24, 4);
	expect_size(b, "u64", 8);
}

static void declarations(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;
	uint64_t v;

	/* FWD never answers, nor an enum without enumerators */
	expect_error(zd_btf_type_size(b, "mem_cgroup", &v), ZD_ERR_NOTFOUND,
		     "BTF: no type 'mem_cgroup'");
	expect_error(zd_btf_member(b, "mem_cgroup", "css", &v, &v),
		     ZD_ERR_NOTFOUND, "no type 'mem_cgroup'");
	expect_error(zd_btf_type_size(b, "enum_fwd", &v), ZD_ERR_NOTFOUND,
		     "no type 'enum_fwd'");
	/* a typedef of a declaration has no size either */
	expect_error(zd_btf_type_size(b, "memcg_t", &v), ZD_ERR_NOTFOUND,
		     "resolving 'memcg_t': no struct 'mem_cgroup'");
	/* a FWD before the definition resolves to it, by kind */
	expect_size(b, "later", 24);
	expect_member(b, "holder", "l", 0, 24);
	expect_member(b, "holder", "u", 24, 8);
	expect_size(b, "both", 100);
	/* the FWD for dev_pagemap came first; the definition answers */
	expect_size(b, "dev_pagemap", 152);
}

static void kinds(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;
	uint64_t v;

	expect_size(b, "multi", 20);
	expect_size(b, "only_union", 6);
	expect_size(b, "only_typedef", 4);
	expect_size(b, "memory_type", 4);
	expect_size(b, "big", 8);
	expect_size(b, "small", 1);
	/* of two definitions, the lowest type id wins */
	expect_size(b, "dup", 8);
	expect_error(zd_btf_member(b, "memory_type", "x", &v, &v),
		     ZD_ERR_NOTFOUND, "'memory_type' is not a struct or union");
	/* base types are not looked up by name, as in DWARF */
	expect_error(zd_btf_type_size(b, "int", &v), ZD_ERR_NOTFOUND, NULL);
}

static void enumerators(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;
	int64_t v;

	expect_enum(b, "MEMORY_DEVICE_PRIVATE", 1);
	expect_enum(b, "MEMORY_DEVICE_FS_DAX", 3);
	expect_enum(b, "MEMORY_DEVICE_PCI_P2PDMA", 5);
	expect_enum(b, "SGN_NEG", -2);
	expect_enum(b, "SGN_POS", 200);
	expect_enum(b, "SGN_MIN", INT32_MIN);
	expect_enum(b, "UNS_TOP", 0xffffffffLL);
	expect_enum(b, "UNS_HIGH", 0x80000000LL);
	expect_enum(b, "__PERCPU_REF_DEAD", 2);
	expect_enum(b, "SMALL_FF", 0xff);
	expect_enum(b, "BIG_LOW", 0x123456789aLL);
	expect_enum(b, "BIG_ALL", -1);
	expect_enum(b, "SBIG_NEG", -5);
	expect_enum(b, "MULTI_A", 0);
	expect_error(zd_btf_enumerator(b, "MEMORY_DEVICE_DEVDAX", &v),
		     ZD_ERR_NOTFOUND,
		     "BTF: no enumerator 'MEMORY_DEVICE_DEVDAX'");
	expect_error(zd_btf_enumerator(b, "", &v), ZD_ERR_NOTFOUND, NULL);
}

static void absent(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;
	uint64_t o, s;

	expect_error(zd_btf_type_size(b, "folio", &s), ZD_ERR_NOTFOUND,
		     "BTF: no type 'folio'");
	expect_error(zd_btf_member(b, "folio", "pgmap", &o, &s),
		     ZD_ERR_NOTFOUND, "BTF: no type 'folio'");
	expect_error(zd_btf_member(b, "page", "_count", &o, &s),
		     ZD_ERR_NOTFOUND,
		     "BTF: struct page has no member '_count'");
	expect_error(zd_btf_member(b, "pg_data_t", "nope", &o, &s),
		     ZD_ERR_NOTFOUND,
		     "BTF: struct pg_data_t has no member 'nope'");
	expect_error(zd_btf_member(b, "only_union", "x", &o, &s),
		     ZD_ERR_NOTFOUND, "BTF: union only_union has no member");
	/* an anonymous member's members are not the type's own */
	expect_error(zd_btf_member(b, "page", "", &o, &s), ZD_ERR_NOTFOUND,
		     NULL);
}

static void sizeless(void **state)
{
	struct zd_btf *b = ((struct fixture *)*state)->b;
	uint64_t o, s;

	expect_error(zd_btf_type_size(b, "void_t", &s), ZD_ERR_NOTFOUND,
		     "'void_t' is void");
	expect_error(zd_btf_member(b, "odd", "v", &o, &s), ZD_ERR_NOTFOUND,
		     "'odd.v' is void");
	expect_error(zd_btf_member(b, "odd", "fn", &o, &s), ZD_ERR_INVALID,
		     "'odd.fn' has no size");
	/* the offset needs no size */
	assert_null(zd_btf_member(b, "odd", "fn", &o, NULL));
	assert_int_equal(o, 0);
}

static void counts(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(zd_btf_type_count(f->b), btf__type_cnt(f->w) - 1);
}

/* ---- patched and corrupt blobs ---------------------------------------- */

/* Byte offset in raw of type id's record. */
static size_t type_pos(const unsigned char *raw, uint32_t len, int id)
{
	struct btf *p = btf__new(raw, len);
	const void *start;
	uint32_t sz;
	size_t pos;

	assert_non_null(p);
	start = btf__raw_data(p, &sz);
	pos = (size_t)((const char *)btf__type_by_id(p, id) -
		       (const char *)start);
	btf__free(p);
	return pos;
}

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* A copy of the fixture's blob, to be patched. */
static unsigned char *copy_raw(const struct fixture *f)
{
	unsigned char *c = malloc(f->len);

	assert_non_null(c);
	memcpy(c, f->raw, f->len);
	return c;
}

static struct zd_btf *load_ok(const unsigned char *raw, size_t len)
{
	struct zd_btf *b = NULL;
	struct zd_error *err = zd_btf_from_bytes(raw, len, &b);

	if (err)
		fail_msg("load: %s", err->message);
	return b;
}

static void load_fails(const unsigned char *raw, size_t len, const char *want)
{
	struct zd_btf *b = (struct zd_btf *)raw; /* must be reset */

	expect_error(zd_btf_from_bytes(raw, len, &b), ZD_ERR_FORMAT, want);
	assert_null(b);
}

/* The old bitfield encoding: no kflag, the INT says width and offset. */
static void old_bitfield(void **state)
{
	struct fixture *f = *state;
	unsigned char *c = copy_raw(f);
	size_t ip = type_pos(c, f->len, f->ids.int3);
	size_t sp = type_pos(c, f->len, f->ids.oldbf);
	struct zd_btf *b;

	/* int3: 3 bits at bit 4 of the int; member x at bit 60 */
	put32(c + ip + 12, (4u << 16) | 3);
	put32(c + sp + 12 + 8, 60);
	b = load_ok(c, f->len);
	/* bit 64: the 4-byte unit at 8 (bit 60 alone would be at 4) */
	expect_member(b, "oldbf", "x", 8, 4);
	zd_btf_free(b);
	/* bit 45: byte 5, in the 4-byte unit at 4 */
	put32(c + ip + 12, 3);
	put32(c + sp + 12 + 8, 45);
	b = load_ok(c, f->len);
	expect_member(b, "oldbf", "x", 4, 4);
	zd_btf_free(b);
	free(c);
}

static void cycles(void **state)
{
	struct fixture *f = *state;
	unsigned char *c = copy_raw(f);
	size_t ap = type_pos(c, f->len, f->ids.chain_a);
	struct zd_btf *b;
	uint64_t o, s;

	/* chain_a -> chain_b -> chain_a */
	put32(c + ap + 8, (uint32_t)f->ids.chain_a + 1);
	b = load_ok(c, f->len);
	expect_error(zd_btf_type_size(b, "chain_a", &s), ZD_ERR_FORMAT,
		     "typedef chain too long");
	expect_error(zd_btf_type_size(b, "chain_b", &s), ZD_ERR_FORMAT,
		     "typedef chain too long");
	/* an anonymous member containing itself */
	expect_error(zd_btf_member(b, "cyclic", "x", &o, &s), ZD_ERR_FORMAT,
		     "nested too deep");
	zd_btf_free(b);
	free(c);
}

static void dangling(void **state)
{
	struct fixture *f = *state;
	unsigned char *c = copy_raw(f);
	size_t pp = type_pos(c, f->len, f->ids.page);
	uint32_t name;

	/* page's first member (flags) refers past the last type */
	put32(c + pp + 12 + 4, 1000000);
	load_fails(c, f->len, "refers to type 1000000");
	memcpy(c, f->raw, f->len);
	/* a name offset past the string section */
	put32(c + pp + 12, 0x7ffffff0);
	load_fails(c, f->len, "name offset");
	memcpy(c, f->raw, f->len);
	name = get32(c + pp);
	put32(c + pp, name + 0x1000000);
	load_fails(c, f->len, "name offset");
	memcpy(c, f->raw, f->len);
	/* a typedef to nowhere */
	put32(c + type_pos(c, f->len, f->ids.chain_a) + 8, 0x7fffffff);
	load_fails(c, f->len, "refers to type 2147483647");
	free(c);
}

static void bad_headers(void **state)
{
	struct fixture *f = *state;
	unsigned char *c = copy_raw(f);
	struct btf_header h;

	memcpy(&h, f->raw, sizeof(h));
#define PATCH(field, value, want)            \
	do {                                 \
		struct btf_header x = h;     \
		x.field = (value);           \
		memcpy(c, &x, sizeof(x));    \
		load_fails(c, f->len, want); \
		memcpy(c, f->raw, f->len);   \
	} while (0)
	PATCH(magic, 0x1234, "bad magic 0x1234");
	PATCH(magic, 0x9feb, "byte-swapped");
	PATCH(version, 2, "version 2");
	PATCH(flags, 1, "flags 0x1");
	PATCH(hdr_len, 8, "hdr_len 8");
	PATCH(hdr_len, f->len + 1, "hdr_len");
	PATCH(hdr_len, 28, "header byte"); /* the first type's bytes */
	PATCH(type_off, 2, "type_off 2 is not 4-byte aligned");
	PATCH(type_len, h.type_len + h.str_len + 4, "type section");
	PATCH(type_len, 0xfffffff0, "type section");
	PATCH(type_off, 0xfffffff0, "type section");
	PATCH(str_len, h.str_len + 1, "string section");
	PATCH(str_off, 0xffffffff, "string section");
	PATCH(str_len, 0, "str_len 0");
	PATCH(str_off, h.str_off + 1, "string section");
	PATCH(type_len, h.type_len + 4, "runs into the string section");
	/* a section inside the blob that libbpf cannot walk */
	PATCH(type_len, h.type_len - 4, "libbpf cannot parse");
#undef PATCH
	/* the last string unterminated */
	c[f->len - 1] = 'x';
	load_fails(c, f->len, "does not start and end with NUL");
	memcpy(c, f->raw, f->len);
	/* a struct claiming more members than the section holds */
	{
		size_t pp = type_pos(c, f->len, f->ids.page);
		uint32_t info = get32(c + pp + 4);

		put32(c + pp + 4, (info & ~0xffffu) | 0xffff);
		load_fails(c, f->len, "libbpf cannot parse");
	}
	free(c);
}

static void truncated(void **state)
{
	struct fixture *f = *state;
	struct zd_btf *b = NULL;
	size_t cut;

	load_fails(NULL, 100, "truncated");
	load_fails(f->raw, 0, "truncated: 0 bytes");
	load_fails(f->raw, 23, "truncated: 23 bytes");
	load_fails(f->raw, 24, "section");
	for (cut = 25; cut < f->len; cut += 7)
		load_fails(f->raw, cut, "section");
	/* trailing bytes after the string section are tolerated */
	{
		unsigned char *c = malloc(f->len + 100);

		assert_non_null(c);
		memcpy(c, f->raw, f->len);
		memset(c + f->len, 0xa5, 100);
		b = load_ok(c, f->len + 100);
		expect_size(b, "page", 64);
		zd_btf_free(b);
		free(c);
	}
}

/* Every lookup on every loadable mutation either answers or errs. */
static void poke(struct zd_btf *b)
{
	static const char *const types[] = {
		"page",	  "dev_pagemap", "bf",	  "holder", "xa_node",
		"cyclic", "chain_a",	 "multi", "oldbf"
	};
	static const char *const members[] = { "flags", "pgmap", "ranges", "l",
					       "big2",	"x",	 "tags" };
	uint64_t o, s;
	int64_t v;
	size_t i, j;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		zd_error_destroy(zd_btf_type_size(b, types[i], &s));
		for (j = 0; j < sizeof(members) / sizeof(members[0]); j++)
			zd_error_destroy(
				zd_btf_member(b, types[i], members[j], &o, &s));
	}
	zd_error_destroy(zd_btf_enumerator(b, "SGN_NEG", &v));
	zd_error_destroy(zd_btf_enumerator(b, "BIG_ALL", &v));
}

static void fuzz(void **state)
{
	struct fixture *f = *state;
	unsigned char *c = copy_raw(f);
	unsigned int seed = 12345, loaded = 0, refused = 0;
	int round, k;

	for (round = 0; round < 3000; round++) {
		struct zd_btf *b = NULL;
		struct zd_error *err;

		memcpy(c, f->raw, f->len);
		for (k = 0; k < 1 + round % 4; k++) {
			size_t at = (size_t)rand_r(&seed) % f->len;

			c[at] = (unsigned char)rand_r(&seed);
		}
		err = zd_btf_from_bytes(c, f->len, &b);
		if (err) {
			assert_int_equal(err->code, ZD_ERR_FORMAT);
			assert_null(strchr(err->message, '\n'));
			zd_error_destroy(err);
			refused++;
			continue;
		}
		poke(b);
		zd_btf_free(b);
		loaded++;
	}
	print_message("fuzz: %u mutations loaded, %u refused\n", loaded,
		      refused);
	/* both paths were exercised */
	assert_true(loaded > 100 && refused > 100);
	free(c);
}

static int printed;

static int count_print(enum libbpf_print_level level, const char *fmt,
		       va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	printed++;
	return 0;
}

/* libbpf's log is silenced while it parses, and given back after. */
static void libbpf_log(void **state)
{
	struct fixture *f = *state;
	unsigned char *c = copy_raw(f);
	struct btf_header h;
	libbpf_print_fn_t old = libbpf_set_print(count_print);

	memcpy(&h, c, sizeof(h));
	h.type_len -= 4;
	memcpy(c, &h, sizeof(h));
	load_fails(c, f->len, "libbpf");
	assert_int_equal(printed, 0);
	assert_ptr_equal(libbpf_set_print(old), count_print);
	free(c);
}

static void from_file(void **state)
{
	struct fixture *f = *state;
	static const unsigned char elf[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1, 0 };
	const char *dir = getenv("TMPDIR");
	struct zd_btf *b = NULL;
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/zdref-test-btf-XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, f->raw, f->len), (ssize_t)f->len);
	close(fd);
	assert_null(zd_btf_from_file(path, &b));
	expect_member(b, "page", "pgmap", 8, 8);
	assert_int_equal(zd_btf_type_count(b), zd_btf_type_count(f->b));
	zd_btf_free(b);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, elf, sizeof(elf)), (ssize_t)sizeof(elf));
	close(fd);
	expect_error(zd_btf_from_file(path, &b), ZD_ERR_FORMAT,
		     "an ELF file, not raw BTF");
	assert_null(b);

	fd = open(path, O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	close(fd);
	expect_error(zd_btf_from_file(path, &b), ZD_ERR_FORMAT,
		     ": BTF: truncated: 0 bytes");
	unlink(path);
	expect_error(zd_btf_from_file(path, &b), ZD_ERR_IO,
		     "No such file or directory");
	expect_error(zd_btf_from_file(".", &b), ZD_ERR_IO,
		     "not a regular file");
	assert_null(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(anonymous_members),
		cmocka_unit_test(flexible_array),
		cmocka_unit_test(bitfields),
		cmocka_unit_test(arrays_and_typedefs),
		cmocka_unit_test(declarations),
		cmocka_unit_test(kinds),
		cmocka_unit_test(enumerators),
		cmocka_unit_test(absent),
		cmocka_unit_test(sizeless),
		cmocka_unit_test(counts),
		cmocka_unit_test(old_bitfield),
		cmocka_unit_test(cycles),
		cmocka_unit_test(dangling),
		cmocka_unit_test(bad_headers),
		cmocka_unit_test(truncated),
		cmocka_unit_test(fuzz),
		cmocka_unit_test(libbpf_log),
		cmocka_unit_test(from_file),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
