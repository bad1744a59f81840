// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zd_xa_walk() over XArrays laid out by hand (include/linux/xarray.h:
 * node pointers node|2, siblings (slot<<2)|2, retry/zero internal entries,
 * value entries) and by the fake xa_store_range(); then the corrupt ones:
 * cycles, bad shifts, unreadable nodes.  Every visited range is checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "internal.h"
#include "fakehost.h"

#define MAX_VISITS 4096

struct visit {
	uint64_t entry, first, last;
};

struct fixture {
	struct fakehost *fh;
	struct zd_target *t;
	uint64_t xa;
	struct visit v[MAX_VISITS];
	size_t n;
	size_t fail_at;		/* visit number that returns an error, or 0 */
};

static struct zd_error *record(void *arg, uint64_t entry, uint64_t first,
			       uint64_t last)
{
	struct fixture *f = arg;

	if (f->n == MAX_VISITS)
		return zd_error_create(ZD_ERR_INVALID, "too many visits");
	f->v[f->n++] = (struct visit){ entry, first, last };
	if (f->fail_at && f->n == f->fail_at)
		return zd_error_create(ZD_ERR_IO, "visitor stops");
	return NULL;
}

static int setup(void **ctx)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct zd_error *err;

	if (!f)
		return -1;
	*ctx = f;
	f->fh = fh_create();
	fh_setup_6_1(f->fh, 2, 3);
	err = zd_target_open(&f->fh->host, &f->t);
	if (err) {
		print_error("zd_target_open: %s\n", err->message);
		zd_error_destroy(err);
		return -1;
	}
	f->xa = fh_alloc(f->fh, 16, 8);
	return 0;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;

	zd_target_close(f->t);
	fh_destroy(f->fh);
	free(f);
	return 0;
}

static struct zd_error *walk(struct fixture *f)
{
	f->n = 0;
	return zd_xa_walk(f->t, f->xa, record, f);
}

static void walk_ok(struct fixture *f)
{
	struct zd_error *err = walk(f);

	if (err)
		fail_msg("zd_xa_walk: %s", err->message);
}

static void walk_fails(struct fixture *f, enum zd_err_code code)
{
	struct zd_error *err = walk(f);

	assert_non_null(err);
	assert_int_equal(err->code, code);
	zd_error_destroy(err);
}

static void check_visit(const struct fixture *f, size_t i, uint64_t entry,
			uint64_t first, uint64_t last)
{
	assert_true(i < f->n);
	assert_int_equal(f->v[i].entry, entry);
	assert_int_equal(f->v[i].first, first);
	assert_int_equal(f->v[i].last, last);
}

static void set_head(struct fixture *f, uint64_t head)
{
	fh_put_u64(f->fh, f->xa + FH_XA_HEAD, head);
}

/* Pointers as a kmalloc'ed dev_pagemap would be: 8-aligned, > 4096. */
#define A 0xffff888100a00000ULL
#define B 0xffff888100a00200ULL
#define C 0xffff888100a00400ULL
#define D 0xffff888100a00600ULL
#define E 0xffff888100a00800ULL
#define SIB(slot) FH_XA_MK_INTERNAL(slot)

static void empty(void **ctx)
{
	struct fixture *f = *ctx;

	walk_ok(f);
	assert_int_equal(f->n, 0);
}

static void single_head_entry(void **ctx)
{
	struct fixture *f = *ctx;

	/* xa_store(xa, 0, p) into an empty array: no node at all. */
	set_head(f, A);
	walk_ok(f);
	assert_int_equal(f->n, 1);
	check_visit(f, 0, A, 0, 0);
}

static void head_special_entries(void **ctx)
{
	struct fixture *f = *ctx;

	set_head(f, FH_XA_MK_VALUE(12));
	walk_ok(f);
	assert_int_equal(f->n, 0);
	set_head(f, FH_XA_RETRY_ENTRY);
	walk_ok(f);
	assert_int_equal(f->n, 0);
	set_head(f, FH_XA_ZERO_ENTRY);
	walk_ok(f);
	assert_int_equal(f->n, 0);
}

static void one_node_multi_index(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t node = fh_xa_node(f->fh, f->xa, 0, 0, 0);

	fh_xa_slot(f->fh, node, 0, A);			/* [0, 0] */
	fh_xa_slot(f->fh, node, 2, B);			/* [2, 3] */
	fh_xa_slot(f->fh, node, 3, SIB(2));
	fh_xa_slot(f->fh, node, 4, C);			/* [4, 7] */
	for (unsigned int i = 5; i <= 7; i++)
		fh_xa_slot(f->fh, node, i, SIB(4));
	fh_xa_slot(f->fh, node, 16, D);			/* [16, 31] */
	for (unsigned int i = 17; i <= 31; i++)
		fh_xa_slot(f->fh, node, i, SIB(16));
	fh_xa_slot(f->fh, node, 40, FH_XA_MK_VALUE(7));	/* skipped */
	fh_xa_slot(f->fh, node, 41, FH_XA_RETRY_ENTRY);	/* skipped */
	fh_xa_slot(f->fh, node, 42, FH_XA_ZERO_ENTRY);	/* skipped */
	fh_xa_slot(f->fh, node, 63, E);			/* [63, 63] */
	set_head(f, node | 2);
	walk_ok(f);
	assert_int_equal(f->n, 5);
	check_visit(f, 0, A, 0, 0);
	check_visit(f, 1, B, 2, 3);
	check_visit(f, 2, C, 4, 7);
	check_visit(f, 3, D, 16, 31);
	check_visit(f, 4, E, 63, 63);
}

static void two_levels(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t root = fh_xa_node(f->fh, f->xa, 6, 0, 0);
	uint64_t leaf0 = fh_xa_node(f->fh, f->xa, 0, root, 0);
	uint64_t leaf5 = fh_xa_node(f->fh, f->xa, 0, root, 5);

	fh_xa_slot(f->fh, leaf0, 1, A);			/* [1, 1] */
	fh_xa_slot(f->fh, leaf0, 62, B);		/* [62, 63] */
	fh_xa_slot(f->fh, leaf0, 63, SIB(62));
	fh_xa_slot(f->fh, root, 0, leaf0 | 2);
	/* Order-7 entry at shift 6: two slots of 64 indices each. */
	fh_xa_slot(f->fh, root, 2, C);			/* [128, 255] */
	fh_xa_slot(f->fh, root, 3, SIB(2));
	fh_xa_slot(f->fh, root, 4, FH_XA_RETRY_ENTRY);
	fh_xa_slot(f->fh, leaf5, 10, D);		/* [330, 330] */
	fh_xa_slot(f->fh, root, 5, leaf5 | 2);
	fh_xa_slot(f->fh, root, 63, E);			/* [4032, 4095] */
	set_head(f, root | 2);
	walk_ok(f);
	assert_int_equal(f->n, 5);
	check_visit(f, 0, A, 1, 1);
	check_visit(f, 1, B, 62, 63);
	check_visit(f, 2, C, 128, 255);
	check_visit(f, 3, D, 330, 330);
	check_visit(f, 4, E, 4032, 4095);
}

/* The walk must partition [first, last] exactly, in order, all entry. */
static void check_partition(const struct fixture *f, size_t from, size_t to,
			    uint64_t entry, uint64_t first, uint64_t last)
{
	uint64_t next = first;

	assert_true(from < to && to <= f->n);
	for (size_t i = from; i < to; i++) {
		assert_int_equal(f->v[i].entry, entry);
		assert_int_equal(f->v[i].first, next);
		assert_true(f->v[i].last >= f->v[i].first);
		next = f->v[i].last + 1;
	}
	assert_int_equal(next, last + 1);
}

static void store_range_aligned(void **ctx)
{
	struct fixture *f = *ctx;

	/* A 16 MiB pgmap at 4 GiB: pfns 0x100000-0x100fff, 4096 indices. */
	fh_xa_store_range(f->fh, f->xa, 0x100000, 0x100fff, A);
	walk_ok(f);
	check_partition(f, 0, f->n, A, 0x100000, 0x100fff);
	/*
	 * xas_set_range(): 64 slots of shift 6 is one entry of order 12,
	 * stored whole one level up: a single canonical entry.
	 */
	assert_int_equal(f->n, 1);
}

static void store_range_unaligned(void **ctx)
{
	struct fixture *f = *ctx;
	size_t n1;

	fh_xa_store_range(f->fh, f->xa, 0x10003, 0x1a005, A);
	walk_ok(f);
	n1 = f->n;
	check_partition(f, 0, n1, A, 0x10003, 0x1a005);
	/* Multi-index entries, not one slot per pfn. */
	assert_true(n1 < 64);

	/* A second pgmap right after, sharing nodes with the first. */
	fh_xa_store_range(f->fh, f->xa, 0x1a006, 0x1b7ff, B);
	walk_ok(f);
	check_partition(f, 0, n1, A, 0x10003, 0x1a005);
	check_partition(f, n1, f->n, B, 0x1a006, 0x1b7ff);
}

static void cycle_child_to_parent(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t root = fh_xa_node(f->fh, f->xa, 6, 0, 0);
	uint64_t leaf = fh_xa_node(f->fh, f->xa, 0, root, 0);

	fh_xa_slot(f->fh, leaf, 0, A);
	fh_xa_slot(f->fh, leaf, 5, root | 2);	/* back to the parent */
	fh_xa_slot(f->fh, root, 0, leaf | 2);
	set_head(f, root | 2);
	walk_fails(f, ZD_ERR_INVALID);
}

static void cycle_mid_level(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t root = fh_xa_node(f->fh, f->xa, 12, 0, 0);
	uint64_t mid = fh_xa_node(f->fh, f->xa, 6, root, 1);

	/* mid's slot points at root: shift 12 where 0 is due. */
	fh_xa_slot(f->fh, mid, 3, root | 2);
	fh_xa_slot(f->fh, root, 1, mid | 2);
	set_head(f, root | 2);
	walk_fails(f, ZD_ERR_INVALID);
}

static void cycle_self(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t root = fh_xa_node(f->fh, f->xa, 6, 0, 0);

	fh_xa_slot(f->fh, root, 7, root | 2);
	set_head(f, root | 2);
	walk_fails(f, ZD_ERR_INVALID);
}

static void bad_shift(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t root = fh_xa_node(f->fh, f->xa, 7, 0, 0);

	/* Not a multiple of XA_CHUNK_SHIFT. */
	fh_xa_slot(f->fh, root, 0, A);
	set_head(f, root | 2);
	walk_fails(f, ZD_ERR_INVALID);
	/* Beyond BITS_PER_LONG. */
	fh_put_u8(f->fh, root, 66);
	walk_fails(f, ZD_ERR_INVALID);
}

static void child_skips_a_level(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t root = fh_xa_node(f->fh, f->xa, 12, 0, 0);
	uint64_t leaf = fh_xa_node(f->fh, f->xa, 0, root, 0);

	fh_xa_slot(f->fh, leaf, 0, A);
	fh_xa_slot(f->fh, root, 0, leaf | 2);
	set_head(f, root | 2);
	walk_fails(f, ZD_ERR_INVALID);
}

static void unreadable_root(void **ctx)
{
	struct fixture *f = *ctx;

	set_head(f, 0xffff888dead00000ULL | 2);
	walk_fails(f, ZD_ERR_FAULT);
}

static void unreadable_child(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t root = fh_xa_node(f->fh, f->xa, 6, 0, 0);
	uint64_t leaf = fh_xa_node(f->fh, f->xa, 0, root, 1);

	fh_xa_slot(f->fh, root, 0, A);
	fh_xa_slot(f->fh, root, 1, leaf | 2);
	fh_xa_slot(f->fh, root, 2, 0xffff888dead00000ULL | 2);
	set_head(f, root | 2);
	walk_fails(f, ZD_ERR_FAULT);
	/* A filtered-out node keeps its own code. */
	fh_xa_slot(f->fh, root, 2, 0);
	fh_exclude(f->fh, leaf, FH_XA_NODE_SIZE);
	walk_fails(f, ZD_ERR_EXCLUDED);
}

static void visitor_error_stops_walk(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t node = fh_xa_node(f->fh, f->xa, 0, 0, 0);

	fh_xa_slot(f->fh, node, 0, A);
	fh_xa_slot(f->fh, node, 1, B);
	fh_xa_slot(f->fh, node, 2, C);
	set_head(f, node | 2);
	f->fail_at = 2;
	walk_fails(f, ZD_ERR_IO);
	assert_int_equal(f->n, 2);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(empty),
		T(single_head_entry),
		T(head_special_entries),
		T(one_node_multi_index),
		T(two_levels),
		T(store_range_aligned),
		T(store_range_unaligned),
		T(cycle_child_to_parent),
		T(cycle_mid_level),
		T(cycle_self),
		T(bad_shift),
		T(child_skips_a_level),
		T(unreadable_root),
		T(unreadable_child),
		T(visitor_error_stops_walk),
	};

	return cmocka_run_group_tests_name("xarray", tests, NULL, NULL);
}
