// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zd_radix_walk() (lib/radix.c) over radix trees laid out by hand and by
 * the fake __radix_tree_insert()/radix_tree_insert(), in both shapes:
 *
 *   4.7+ (a 4.14 kernel here): node->shift; internal pointers bit 0
 *        (RADIX_TREE_INTERNAL_NODE), exceptional entries bit 1,
 *        RADIX_TREE_RETRY = 1, 4.14 multi-order siblings point at
 *        &node->slots[canonical] | 1;
 *   4.5-4.6: root->height, node->path, rnode | 1 when it is a node,
 *        interior slots untagged (4.5) or tagged (4.6).
 *
 * Every visited (entry, first, last) is checked.  Then registry
 * enumeration through a full audit of 4.x kernels: pgmap_radix holding
 * struct page_map * (section keys in 4.5, multi-order pfn keys in 4.14)
 * and 4.14's hmm_devmem_radix holding struct hmm_devmem *.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "fakehost.h"

#define MAX_VISITS 256
#define SEC FH_PAGES_PER_SECTION

struct visit {
	uint64_t entry, first, last;
};

struct fixture {
	struct fakehost *fh;
	struct zd_target *t;
	struct zd_report *rep;
	uint64_t root;
	struct visit v[MAX_VISITS];
	size_t n;
};

static struct zd_error *record(void *arg, uint64_t entry, uint64_t first,
			       uint64_t last)
{
	struct fixture *f = arg;

	if (f->n == MAX_VISITS)
		return zd_error_create(ZD_ERR_INVALID, "too many visits");
	f->v[f->n++] = (struct visit){ entry, first, last };
	return NULL;
}

static int setup_era(void **ctx, enum fh_era era)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct zd_error *err;

	if (!f)
		return -1;
	*ctx = f;
	f->fh = fh_create();
	fh_setup_era(f->fh, era, 2, 3);
	err = zd_target_open(&f->fh->host, &f->t);
	if (err) {
		print_error("zd_target_open: %s\n", err->message);
		zd_error_destroy(err);
		return -1;
	}
	/* A radix_tree_root of our own, beside the kernel's registries. */
	f->root = fh_alloc(f->fh, FH_RADIX_ROOT_SIZE, 8);
	return 0;
}

static int setup_modern(void **ctx)
{
	return setup_era(ctx, FH_ERA_4_14);
}

static int setup_legacy(void **ctx)
{
	return setup_era(ctx, FH_ERA_4_5);
}

/* For the audits: the kernel is opened after it is built. */
static int setup_bare(void **ctx)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->fh = fh_create();
	*ctx = f;
	return 0;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;

	zd_report_destroy(f->rep);
	zd_target_close(f->t);
	fh_destroy(f->fh);
	free(f);
	return 0;
}

static struct zd_error *walk(struct fixture *f)
{
	f->n = 0;
	return zd_radix_walk(f->t, f->root, record, f);
}

static void walk_ok(struct fixture *f)
{
	struct zd_error *err = walk(f);

	if (err)
		fail_msg("zd_radix_walk: %s", err->message);
}

static void walk_fails(struct fixture *f, enum zd_err_code code)
{
	struct zd_error *err = walk(f);

	assert_non_null(err);
	if (err->code != code)
		fail_msg("error %d (%s), wanted %d", err->code, err->message,
			 code);
	zd_error_destroy(err);
}

static void check_visit(const struct fixture *f, size_t i, uint64_t entry,
			uint64_t first, uint64_t last)
{
	if (i >= f->n)
		fail_msg("visit %zu missing (%zu visits)", i, f->n);
	if (f->v[i].entry != entry || f->v[i].first != first ||
	    f->v[i].last != last)
		fail_msg("visit %zu: (0x%llx, %llu, %llu), wanted (0x%llx, %llu, %llu)",
			 i, (unsigned long long)f->v[i].entry,
			 (unsigned long long)f->v[i].first,
			 (unsigned long long)f->v[i].last,
			 (unsigned long long)entry, (unsigned long long)first,
			 (unsigned long long)last);
}

static void set_rnode(struct fixture *f, uint64_t rnode)
{
	fh_put_u64(f->fh, f->root + FH_RADIX_ROOT_RNODE, rnode);
}

static void set_height(struct fixture *f, uint32_t height)
{
	fh_put_u32(f->fh, f->root + FH_RADIX_ROOT_HEIGHT, height);
}

/* Items as kmalloc'ed page_maps would be: 8-aligned kernel pointers. */
#define A 0xffff888100a00000ULL
#define B 0xffff888100a00200ULL
#define C 0xffff888100a00400ULL
#define D 0xffff888100a00600ULL
#define E 0xffff888100a00800ULL
#define NODE(n) ((n) | FH_RADIX_INTERNAL_NODE)

/* Modern radix (4.7+) */

static void modern_empty(void **ctx)
{
	struct fixture *f = *ctx;

	walk_ok(f);
	assert_int_equal(f->n, 0);
}

static void modern_rnode_entry(void **ctx)
{
	struct fixture *f = *ctx;

	/* A lone item at index 0 sits in root->rnode itself. */
	set_rnode(f, A);
	walk_ok(f);
	assert_int_equal(f->n, 1);
	check_visit(f, 0, A, 0, 0);

	/* An exceptional entry there is no item. */
	set_rnode(f, FH_RADIX_MK_EXCEPTIONAL(7));
	walk_ok(f);
	assert_int_equal(f->n, 0);
}

static void modern_one_node(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t n = fh_radix_node(f->fh, f->root, 0, 0, 0);

	fh_radix_slot(f->fh, n, 0, A);
	fh_radix_slot(f->fh, n, 5, B);
	fh_radix_slot(f->fh, n, 7, FH_RADIX_MK_EXCEPTIONAL(3));	/* skipped */
	fh_radix_slot(f->fh, n, 9, FH_RADIX_RETRY);		/* skipped */
	fh_radix_slot(f->fh, n, 63, C);
	set_rnode(f, NODE(n));
	walk_ok(f);
	assert_int_equal(f->n, 3);
	check_visit(f, 0, A, 0, 0);
	check_visit(f, 1, B, 5, 5);
	check_visit(f, 2, C, 63, 63);
}

static void modern_two_levels(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node(f->fh, f->root, 6, 0, 0);
	uint64_t l0 = fh_radix_node(f->fh, f->root, 0, top, 0);
	uint64_t l3 = fh_radix_node(f->fh, f->root, 0, top, 3);

	fh_radix_slot(f->fh, top, 0, NODE(l0));
	fh_radix_slot(f->fh, top, 3, NODE(l3));
	fh_radix_slot(f->fh, top, 10, FH_RADIX_RETRY);
	fh_radix_slot(f->fh, l0, 1, A);
	fh_radix_slot(f->fh, l0, 2, FH_RADIX_MK_EXCEPTIONAL(1));
	fh_radix_slot(f->fh, l3, 2, B);
	fh_radix_slot(f->fh, l3, 63, C);
	set_rnode(f, NODE(top));
	walk_ok(f);
	assert_int_equal(f->n, 3);
	check_visit(f, 0, A, 1, 1);
	check_visit(f, 1, B, 3 * 64 + 2, 3 * 64 + 2);
	check_visit(f, 2, C, 3 * 64 + 63, 3 * 64 + 63);
}

static void modern_multiorder(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node(f->fh, f->root, 6, 0, 0);
	uint64_t leaf = fh_radix_node(f->fh, f->root, 0, top, 0);

	/* Order 2 at 8: slot 8, siblings 9..11 -> &leaf->slots[8]. */
	fh_radix_slot(f->fh, leaf, 8, A);
	for (unsigned int i = 9; i <= 11; i++)
		fh_radix_slot(f->fh, leaf, i, FH_RADIX_SIBLING(leaf, 8));
	/* Order 1 at 12, right after: the run above must stop at 11. */
	fh_radix_slot(f->fh, leaf, 12, B);
	fh_radix_slot(f->fh, leaf, 13, FH_RADIX_SIBLING(leaf, 12));
	/* Order 0 at 14. */
	fh_radix_slot(f->fh, leaf, 14, C);
	fh_radix_slot(f->fh, top, 0, NODE(leaf));
	/* Order 7 at 128: top slots 2 (canonical) and 3 (sibling). */
	fh_radix_slot(f->fh, top, 2, D);
	fh_radix_slot(f->fh, top, 3, FH_RADIX_SIBLING(top, 2));
	/* Order 6 at 256: one slot of the shift-6 node. */
	fh_radix_slot(f->fh, top, 4, E);
	set_rnode(f, NODE(top));
	walk_ok(f);
	assert_int_equal(f->n, 5);
	check_visit(f, 0, A, 8, 11);
	check_visit(f, 1, B, 12, 13);
	check_visit(f, 2, C, 14, 14);
	check_visit(f, 3, D, 128, 255);
	check_visit(f, 4, E, 256, 319);
}

static void modern_insert(void **ctx)
{
	struct fixture *f = *ctx;

	/*
	 * The fake __radix_tree_insert(): pfn keys as 4.14's pgmap_radix
	 * gets them, the tree growing upwards (the first node ends up in
	 * slot 0 of the new roots).
	 */
	fh_radix_insert(f->fh, f->root, 0x40, 6, A);		/* 64..127 */
	fh_radix_insert(f->fh, f->root, 0x200000, 10, B);	/* 1024 pages */
	fh_radix_insert(f->fh, f->root, 0x200400, 3, C);	/* 8 pages */
	fh_radix_insert(f->fh, f->root, 0x200408, 0, D);
	walk_ok(f);
	assert_int_equal(f->n, 4);
	check_visit(f, 0, A, 0x40, 0x7f);
	check_visit(f, 1, B, 0x200000, 0x2003ff);
	check_visit(f, 2, C, 0x200400, 0x200407);
	check_visit(f, 3, D, 0x200408, 0x200408);
}

static void modern_self_cycle(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node(f->fh, f->root, 6, 0, 0);

	/* A node that is its own child. */
	fh_radix_slot(f->fh, top, 0, A);
	fh_radix_slot(f->fh, top, 1, NODE(top));
	set_rnode(f, NODE(top));
	walk_fails(f, ZD_ERR_INVALID);
}

static void modern_parent_cycle(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node(f->fh, f->root, 12, 0, 0);
	uint64_t mid = fh_radix_node(f->fh, f->root, 6, top, 0);

	/* The child points back up at the root. */
	fh_radix_slot(f->fh, top, 0, NODE(mid));
	fh_radix_slot(f->fh, mid, 0, NODE(top));
	set_rnode(f, NODE(top));
	walk_fails(f, ZD_ERR_INVALID);
}

static void modern_leaf_cycle(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t leaf = fh_radix_node(f->fh, f->root, 0, 0, 0);

	/* A shift-0 node whose slot points at itself as a node. */
	fh_radix_slot(f->fh, leaf, 3, NODE(leaf));
	set_rnode(f, NODE(leaf));
	walk_fails(f, ZD_ERR_INVALID);
}

static void modern_bad_shift(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t n = fh_radix_node(f->fh, f->root, 7, 0, 0);

	/* Not a multiple of RADIX_TREE_MAP_SHIFT. */
	fh_radix_slot(f->fh, n, 0, A);
	set_rnode(f, NODE(n));
	walk_fails(f, ZD_ERR_INVALID);

	/* Beyond any index. */
	fh_put_u8(f->fh, n, 66);
	walk_fails(f, ZD_ERR_INVALID);
}

static void modern_bad_child_shift(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node(f->fh, f->root, 12, 0, 0);
	uint64_t child = fh_radix_node(f->fh, f->root, 0, top, 1);

	/* A child must have its parent's shift - 6 (here 6, not 0). */
	fh_radix_slot(f->fh, child, 0, A);
	fh_radix_slot(f->fh, top, 1, NODE(child));
	set_rnode(f, NODE(top));
	walk_fails(f, ZD_ERR_INVALID);
}

static void modern_unreadable_node(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node(f->fh, f->root, 6, 0, 0);

	/* A child outside the dump. */
	fh_radix_slot(f->fh, top, 0, A);
	fh_radix_slot(f->fh, top, 1, NODE(0xffff8881dead0000ULL));
	set_rnode(f, NODE(top));
	walk_fails(f, ZD_ERR_FAULT);

	/* The root node itself filtered out: EXCLUDED is a fault too. */
	fh_exclude(f->fh, top, FH_RADIX_NODE_SIZE);
	{
		struct zd_error *err = walk(f);

		assert_non_null(err);
		assert_true(zd_error_is_fault(err));
		zd_error_destroy(err);
	}
}

static void modern_unreadable_root(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_error *err;

	f->n = 0;
	err = zd_radix_walk(f->t, 0xffff8881dead0000ULL, record, f);
	assert_non_null(err);
	assert_int_equal(err->code, ZD_ERR_FAULT);
	zd_error_destroy(err);
}

/* Legacy radix (4.5-4.6) */

static void legacy_empty(void **ctx)
{
	struct fixture *f = *ctx;

	walk_ok(f);
	assert_int_equal(f->n, 0);
}

static void legacy_height0(void **ctx)
{
	struct fixture *f = *ctx;

	/* Height 0: rnode is the item at index 0, untagged. */
	set_rnode(f, A);
	walk_ok(f);
	assert_int_equal(f->n, 1);
	check_visit(f, 0, A, 0, 0);
}

static void legacy_height1(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t n = fh_radix_node_legacy(f->fh, 1, 0);

	fh_radix_slot(f->fh, n, 2, A);
	fh_radix_slot(f->fh, n, 3, FH_RADIX_MK_EXCEPTIONAL(5));	/* skipped */
	fh_radix_slot(f->fh, n, 63, B);
	set_height(f, 1);
	set_rnode(f, NODE(n));
	walk_ok(f);
	assert_int_equal(f->n, 2);
	check_visit(f, 0, A, 2, 2);
	check_visit(f, 1, B, 63, 63);
}

static void legacy_height2(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node_legacy(f->fh, 2, 0);
	uint64_t c1 = fh_radix_node_legacy(f->fh, 1 | (1 << 8), top);
	uint64_t c5 = fh_radix_node_legacy(f->fh, 1 | (5 << 8), top);

	/* 4.5: interior slots hold plain node pointers. */
	fh_radix_slot(f->fh, top, 1, c1);
	fh_radix_slot(f->fh, top, 5, c5);
	fh_radix_slot(f->fh, c1, 0, A);
	fh_radix_slot(f->fh, c1, 5, B);
	fh_radix_slot(f->fh, c5, 63, C);
	set_height(f, 2);
	set_rnode(f, NODE(top));
	walk_ok(f);
	assert_int_equal(f->n, 3);
	check_visit(f, 0, A, 64, 64);
	check_visit(f, 1, B, 69, 69);
	check_visit(f, 2, C, 5 * 64 + 63, 5 * 64 + 63);

	/* 4.6: the same tree with tagged interior pointers. */
	fh_radix_slot(f->fh, top, 1, NODE(c1));
	fh_radix_slot(f->fh, top, 5, NODE(c5));
	walk_ok(f);
	assert_int_equal(f->n, 3);
	check_visit(f, 0, A, 64, 64);
	check_visit(f, 1, B, 69, 69);
	check_visit(f, 2, C, 5 * 64 + 63, 5 * 64 + 63);
}

static void legacy_insert_sections(void **ctx)
{
	struct fixture *f = *ctx;

	/*
	 * 4.5 devm_memremap_pages(): one key per section (phys >> 27) of
	 * the section-aligned span; index 0 first, so the tree grows from
	 * a direct rnode item to height 1, then to height 3.
	 */
	fh_radix_insert_legacy(f->fh, f->root, 0, A, false);
	fh_radix_insert_legacy(f->fh, f->root, 64, B, false);
	fh_radix_insert_legacy(f->fh, f->root, 65, B, false);
	fh_radix_insert_legacy(f->fh, f->root, 4096, C, false);
	assert_int_equal((uint32_t)fh_get_u64(f->fh, f->root), 3);
	walk_ok(f);
	assert_int_equal(f->n, 4);
	check_visit(f, 0, A, 0, 0);
	check_visit(f, 1, B, 64, 64);
	check_visit(f, 2, B, 65, 65);
	check_visit(f, 3, C, 4096, 4096);
}

static void legacy_unreadable(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node_legacy(f->fh, 2, 0);

	fh_radix_slot(f->fh, top, 0, 0xffff8881dead0000ULL);
	set_height(f, 2);
	set_rnode(f, NODE(top));
	walk_fails(f, ZD_ERR_FAULT);
}

static void legacy_bad_height(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t top = fh_radix_node_legacy(f->fh, 1, 0);

	/* No 64-bit index needs more than 11 levels. */
	fh_radix_slot(f->fh, top, 0, A);
	set_height(f, 200);
	set_rnode(f, NODE(top));
	walk_fails(f, ZD_ERR_INVALID);
}

/* Enumeration through full audits */

static struct zd_report *audit_all(struct fixture *f)
{
	struct zd_audit_options opts = { 0 };
	struct zd_error *err;

	if (!f->t && (err = zd_target_open(&f->fh->host, &f->t)))
		fail_msg("zd_target_open: %s", err->message);
	zd_report_destroy(f->rep);
	f->rep = NULL;
	if ((err = zd_audit(f->t, &opts, &f->rep)))
		fail_msg("zd_audit: %s", err->message);
	return f->rep;
}

static const struct zd_pgmap *find(const struct zd_report *rep, uint64_t pg)
{
	for (size_t i = 0; i < rep->npgmaps; i++)
		if (rep->pgmaps[i].desc.addr == pg)
			return &rep->pgmaps[i];
	fail_msg("pgmap 0x%llx not in the report", (unsigned long long)pg);
	return NULL;
}

/* The JSON object of one pgmap: up to the next object ("    {"). */
static char *json_pgmap(char *buf, uint64_t pg)
{
	char want[64], *p, *next;

	snprintf(want, sizeof(want), "{\"address\": \"0x%llx\"",
		 (unsigned long long)pg);
	p = strstr(buf, want);
	if (!p)
		fail_msg("no JSON object for pgmap 0x%llx", (unsigned long long)pg);
	next = strstr(p + 1, "    {\"address\"");
	if (next)
		*next = '\0';
	return p;
}

static void enumerate_4_5(void **ctx)
{
	struct fixture *f = *ctx;
	const uint64_t first = 64 * SEC, n = 2 * SEC;	/* sections 64, 65 */
	struct fh_pgmap spec = {
		.nr_range = 1,
		.start = { first << 12 },
		.end = { ((first + n) << 12) - 1 },
	};
	struct zd_registered *regs = NULL;
	const struct zd_pgmap *p;
	uint64_t pg, ref, pm, radix;
	size_t nregs = 0;
	struct zd_error *err;

	fh_setup_era(f->fh, FH_ERA_4_5, 2, 3);
	pg = fh_pgmap_create_old(f->fh, &spec, &ref, &pm);
	/* pgmap_radix holds the page_map; the pgmap is inside it. */
	assert_int_equal(pg, pm + FH_PAGE_MAP_PGMAP_4_5);
	radix = fh_symbol_addr(f->fh, "pgmap_radix");
	assert_int_equal((uint32_t)fh_get_u64(f->fh, radix), 2);
	fh_pages_populate(f->fh, pg, first, n, 1);
	fh_ref_old_percpu(f->fh, ref, 1);

	if ((err = zd_target_open(&f->fh->host, &f->t)))
		fail_msg("zd_target_open: %s", err->message);
	err = zd_pgmap_enumerate(f->t, &regs, &nregs);
	assert_null(err);
	assert_int_equal(nregs, 1);
	assert_int_equal(regs[0].pgmap, pg);
	assert_int_equal(regs[0].covered, 2);	/* two section keys */
	assert_true(regs[0].section_keyed);
	assert_false(regs[0].hmm);
	free(regs);

	audit_all(f);
	assert_string_equal(f->rep->registry, "pgmap_radix");
	assert_int_equal(f->rep->npgmaps, 1);
	p = find(f->rep, pg);
	assert_false(p->desc.registry_mismatch);
	assert_false(p->desc.hmm);
	assert_int_equal(p->desc.ranges[0].pfn_first, first);
	assert_int_equal(p->desc.ranges[0].pfn_end, first + n);
	assert_int_equal(p->stats.pages, n);
	assert_int_equal(p->desc.ref.addr, ref);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_HOST");
	/* Every page idle at 1, no gets: expected = I. */
	assert_int_equal(p->desc.ref.count, 1);
	assert_int_equal(p->judge.expected, 1);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
}

static void enumerate_4_14(void **ctx)
{
	struct fixture *f = *ctx;
	/* 1024 + 64 + 8 pages: order 10, 6 and 3 chunks (order_at()). */
	const uint64_t first = 64 * SEC, n = 1024 + 64 + 8;
	const uint64_t hfirst = 200 * SEC, hn = SEC;	/* HMM: section 200 */
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_HOST_4_14,
		.nr_range = 1,
		.start = { first << 12 },
		.end = { ((first + n) << 12) - 1 },
	};
	struct zd_registered *regs = NULL;
	const struct zd_pgmap *p, *h;
	uint64_t pg, ref, pm, hpg, dm;
	size_t nregs = 0;
	struct zd_error *err;
	char *buf, *obj;

	fh_setup_era(f->fh, FH_ERA_4_14, 2, 3);
	pg = fh_pgmap_create_old(f->fh, &spec, &ref, &pm);
	assert_int_equal(pg, pm + FH_PAGE_MAP_PGMAP_4_14);
	fh_pages_populate(f->fh, pg, first, n, 1);
	/* 4.12+: one reference per page, taken at setup. */
	fh_ref_old_percpu(f->fh, ref, 1 + n);
	hpg = fh_hmm_devmem_create(f->fh, hfirst << 12,
				   ((hfirst + hn) << 12) - 1, &dm);
	assert_int_equal(hpg, dm + FH_HMM_DEVMEM_PAGEMAP);
	fh_pages_populate(f->fh, hpg, hfirst, hn, 1);
	/* Two pages allocated by the driver (get_page: 2). */
	fh_page_set(f->fh, hfirst + 3, hpg, 2);
	fh_page_set(f->fh, hfirst + 4, hpg, 2);
	/* HMM takes no per-page references: count = initial only. */
	fh_ref_old_percpu(f->fh, dm + FH_HMM_DEVMEM_REF, 1);

	if ((err = zd_target_open(&f->fh->host, &f->t)))
		fail_msg("zd_target_open: %s", err->message);
	assert_string_equal(zd_target_model(f->t), "v4.12");
	err = zd_pgmap_enumerate(f->t, &regs, &nregs);
	assert_null(err);
	assert_int_equal(nregs, 2);
	for (size_t i = 0; i < nregs; i++) {
		if (regs[i].pgmap == pg) {
			assert_int_equal(regs[i].covered, n);
			assert_false(regs[i].section_keyed);
			assert_false(regs[i].hmm);
		} else {
			assert_int_equal(regs[i].pgmap, hpg);
			assert_int_equal(regs[i].covered, 1);
			assert_true(regs[i].section_keyed);
			assert_true(regs[i].hmm);
		}
	}
	free(regs);

	audit_all(f);
	assert_string_equal(f->rep->registry, "pgmap_radix+hmm_devmem_radix");
	assert_int_equal(f->rep->npgmaps, 2);
	p = find(f->rep, pg);
	h = find(f->rep, hpg);
	assert_false(p->desc.hmm);
	assert_false(p->desc.registry_mismatch);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_HOST");
	assert_int_equal(p->desc.ref.addr, ref);
	assert_int_equal(p->judge.expected, 1 + n);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);

	assert_true(h->desc.hmm);
	assert_false(h->desc.registry_mismatch);
	assert_string_equal(h->desc.type_name, "MEMORY_DEVICE_PRIVATE");
	assert_int_equal(h->desc.ref.addr, dm + FH_HMM_DEVMEM_REF);
	assert_string_equal(h->desc.release_name, "hmm_devmem_ref_release");
	assert_int_equal(h->stats.pages, hn);
	assert_int_equal(h->judge.expected, 1);
	assert_int_equal(h->judge.delta, 0);
	assert_int_equal(h->judge.verdict, ZD_VERDICT_OK);
	assert_int_equal(h->stats.busy, 2);
	assert_int_equal(h->stats.suspects, 0);

	buf = fh_json(f->rep);
	obj = json_pgmap(buf, hpg);
	assert_non_null(strstr(obj, "\"hmm\": true"));
	free(buf);
	buf = fh_json(f->rep);
	obj = json_pgmap(buf, pg);
	assert_non_null(strstr(obj, "\"hmm\": false"));
	free(buf);
}

static void enumerate_4_12_unaligned(void **ctx)
{
	struct fixture *f = *ctx;
	/* Starts 1000 pages before the end of section 64, ends in 65. */
	const uint64_t first = 65 * SEC - 1000, n = 3000;
	struct fh_pgmap spec = {
		.nr_range = 1,
		.start = { first << 12 },
		.end = { ((first + n) << 12) - 1 },
	};
	struct zd_registered *regs = NULL;
	const struct zd_pgmap *p;
	uint64_t pg, ref, pm;
	size_t nregs = 0;
	struct zd_error *err;

	fh_setup_era(f->fh, FH_ERA_4_12, 2, 3);
	pg = fh_pgmap_create_old(f->fh, &spec, &ref, &pm);
	assert_int_equal(pg, pm + FH_PAGE_MAP_PGMAP_4_12);
	fh_pages_populate(f->fh, pg, first, n, 1);
	fh_ref_old_percpu(f->fh, ref, 1 + n);

	if ((err = zd_target_open(&f->fh->host, &f->t)))
		fail_msg("zd_target_open: %s", err->message);
	/*
	 * 4.5-4.13 devm_memremap_pages(): keys for every section of
	 * [start & SECTION_MASK, ALIGN(start + size, SECTION_SIZE)): 64, 65.
	 */
	err = zd_pgmap_enumerate(f->t, &regs, &nregs);
	assert_null(err);
	assert_int_equal(nregs, 1);
	assert_int_equal(regs[0].pgmap, pg);
	assert_int_equal(regs[0].covered, 2);
	assert_true(regs[0].section_keyed);
	free(regs);

	audit_all(f);
	p = find(f->rep, pg);
	assert_false(p->desc.registry_mismatch);
	assert_int_equal(p->stats.pages, n);
	assert_int_equal(p->stats.unreadable, 0);
	assert_int_equal(p->judge.expected, 1 + n);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
}

#define M(fn) cmocka_unit_test_setup_teardown(fn, setup_modern, teardown)
#define L(fn) cmocka_unit_test_setup_teardown(fn, setup_legacy, teardown)
#define K(fn) cmocka_unit_test_setup_teardown(fn, setup_bare, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		M(modern_empty),
		M(modern_rnode_entry),
		M(modern_one_node),
		M(modern_two_levels),
		M(modern_multiorder),
		M(modern_insert),
		M(modern_self_cycle),
		M(modern_parent_cycle),
		M(modern_leaf_cycle),
		M(modern_bad_shift),
		M(modern_bad_child_shift),
		M(modern_unreadable_node),
		M(modern_unreadable_root),
		L(legacy_empty),
		L(legacy_height0),
		L(legacy_height1),
		L(legacy_height2),
		L(legacy_insert_sections),
		L(legacy_unreadable),
		L(legacy_bad_height),
		K(enumerate_4_5),
		K(enumerate_4_14),
		K(enumerate_4_12_unaligned),
	};

	return cmocka_run_group_tests_name("radix", tests, NULL, NULL);
}
