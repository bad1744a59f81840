// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Era detection by structure shape (zd_target_model(), lib/model.c) and
 * full audits of fake kernels of every era (kernel-model.md §6):
 *
 *   v4.5   get_zone_device_page():   expected = I + T + sum(pc - 1)
 *   v4.12  one ref per live page:    expected = I + T + #{units, head pc >= 1}
 *          HMM (hmm_devmem_radix):   expected = I + T
 *   v5.18  setup refs:               expected = I + T + units, T once dead
 *   v6.15  FS_DAX idles at 0, pages in use above it; setup refs as before
 *   v6.19  device-private large folios: 1 << order refs per allocated folio
 *
 * Each kernel is laid out with its era's shape (fakehost.h fh_setup_era):
 * page._count / pgmap at 32 / mem_section[] / pointers to res, altmap and
 * ref / no type member before 4.14 / the old percpu_ref ... and each
 * expected number below is derived from what the test wrote into the
 * image, never from zdref's output.
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

#define SEC FH_PAGES_PER_SECTION
#define N 1024			/* pages per pgmap */
#define CONFIRM_FN "percpu_ref_switch_to_atomic_rcu"

static const char *model_of(struct fh_fixture *f, enum fh_era era)
{
	fh_setup_era(f->fh, era, 2, 3);
	fh_open_target(f);
	return zd_target_model(f->t);
}

static struct zd_pgmap *audit_opts(struct fh_fixture *f, uint64_t pg,
				   const struct zd_audit_options *opts)
{
	return fh_audit(f, pg, opts);
}

static struct zd_pgmap *audit(struct fh_fixture *f, uint64_t pg)
{
	struct zd_audit_options opts = { 0 };

	return fh_audit(f, pg, &opts);
}

static void assert_verdict(const struct zd_pgmap *p, int64_t count,
			   int64_t expected, enum zd_verdict verdict)
{
	if (!p->judge.have_expected)
		fail_msg("no expected count: %s", p->judge.reason);
	assert_int_equal(p->desc.ref.count, count);
	assert_int_equal(p->judge.expected, expected);
	assert_int_equal(p->judge.delta, count - expected);
	assert_int_equal(p->judge.verdict, verdict);
}

static uint64_t phys(uint64_t pfn)
{
	return pfn << 12;
}

/* Detection and layout, era by era */

static void detect_4_5(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const struct zd_layout *l;

	assert_string_equal(model_of(f, FH_ERA_4_5), "v4.5");
	l = &f->t->lay;
	/* page._count (4.5-4.6); the pgmap word in the lru union at 32. */
	assert_int_equal(l->page_refcount, 28);
	assert_int_equal(l->page_pgmap, 32);
	assert_int_equal(l->page_mapcount, 24);
	/* mem_section[NR_SECTION_ROOTS]: the symbol is the root table. */
	assert_int_equal(l->mem_section, fh_symbol_addr(f->fh, "mem_section"));
	assert_int_equal(l->nr_section_roots, 2048);
	assert_int_equal(l->ms_usage, ZD_NO_MEMBER);
	/* dev_pagemap {altmap *, res *, ref *, dev}: no type. */
	assert_true(l->altmap_is_pointer);
	assert_true(l->res_is_pointer);
	assert_true(l->ref_is_pointer);
	assert_int_equal(l->pgmap_altmap, 0);
	assert_int_equal(l->pgmap_ranges, 8);
	assert_int_equal(l->pgmap_ref, 16);
	assert_int_equal(l->pgmap_type, ZD_NO_MEMBER);
	assert_int_equal(l->pgmap_flags, ZD_NO_MEMBER);
	assert_int_equal(l->pgmap_altmap_valid, ZD_NO_MEMBER);
	assert_int_equal(l->pgmap_nr_range, ZD_NO_MEMBER);
	assert_int_equal(l->range_size, FH_RESOURCE_SIZE_4_5);
	/* percpu_ref <= 5.9: count in the ref. */
	assert_int_equal(l->pcr_data, ZD_NO_MEMBER);
	assert_int_equal(l->pcr_count, 0);
	assert_int_equal(l->pcr_count_ptr, 8);
	assert_int_equal(l->pcr_release, 16);
	assert_int_equal(l->pcr_confirm, 24);
	/* Legacy radix: root height, no node shift; page_map values. */
	assert_int_equal(l->pgmap_array, 0);
	assert_int_equal(l->pgmap_radix, fh_symbol_addr(f->fh, "pgmap_radix"));
	assert_int_equal(l->hmm_devmem_radix, 0);
	assert_int_equal(l->radix_height, FH_RADIX_ROOT_HEIGHT);
	assert_int_equal(l->radix_node_shift, ZD_NO_MEMBER);
	assert_int_equal(l->page_map_pgmap, FH_PAGE_MAP_PGMAP_4_5);
	assert_false(l->have_waiters);
}

static void detect_4_12(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const struct zd_layout *l;

	/* No tell of any other era. */
	assert_string_equal(model_of(f, FH_ERA_4_12), "v4.12");
	l = &f->t->lay;
	assert_int_equal(l->page_refcount, 28);	/* _refcount */
	assert_int_equal(l->page_pgmap, 32);
	assert_int_equal(l->mem_section, fh_symbol_addr(f->fh, "mem_section"));
	assert_int_equal(l->pgmap_type, ZD_NO_MEMBER);
	assert_int_equal(l->radix_height, ZD_NO_MEMBER);
	assert_int_equal(l->radix_node_shift, 0);
	assert_int_equal(l->page_map_pgmap, FH_PAGE_MAP_PGMAP_4_12);
	assert_int_equal(l->range_size, FH_RESOURCE_SIZE);
}

static void detect_4_14(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const struct zd_layout *l;

	assert_string_equal(model_of(f, FH_ERA_4_14), "v4.12");
	l = &f->t->lay;
	assert_int_equal(l->pgmap_type, 56);
	assert_int_equal(l->pgmap_ref, 32);
	assert_true(l->ref_is_pointer);
	assert_int_equal(l->type_host, FH_MEMORY_DEVICE_HOST_4_14);
	assert_int_equal(l->type_private, FH_MEMORY_DEVICE_PRIVATE_4_14);
	assert_int_equal(l->type_public, FH_MEMORY_DEVICE_PUBLIC_4_14);
	assert_int_equal(l->hmm_devmem_radix,
			 fh_symbol_addr(f->fh, "hmm_devmem_radix"));
	assert_int_equal(l->hmm_devmem_pagemap, FH_HMM_DEVMEM_PAGEMAP);
	assert_int_equal(l->page_map_pgmap, FH_PAGE_MAP_PGMAP_4_14);
}

static void detect_4_19(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const struct zd_layout *l;

	assert_string_equal(model_of(f, FH_ERA_4_19), "v4.12");
	l = &f->t->lay;
	/* 4.18 struct page; 4.15 mem_section pointer. */
	assert_int_equal(l->page_pgmap, 8);
	assert_int_equal(l->page_refcount, 52);
	assert_int_equal(l->mem_section,
			 fh_get_u64(f->fh, fh_symbol_addr(f->fh, "mem_section")));
	/* 4.16: embedded altmap (+ altmap_valid) and res; ref a pointer. */
	assert_false(l->altmap_is_pointer);
	assert_false(l->res_is_pointer);
	assert_true(l->ref_is_pointer);
	assert_int_equal(l->pgmap_altmap, 16);
	assert_int_equal(l->pgmap_altmap_valid, 56);
	assert_int_equal(l->pgmap_ranges, 64);
	assert_int_equal(l->pgmap_ref, 128);
	assert_int_equal(l->pgmap_type, 152);
	assert_int_equal(l->page_map_pgmap, ZD_NO_MEMBER);
	assert_int_equal(l->type_fs_dax, 3);
	assert_true(l->type_host == INT64_MIN);
}

static void detect_5_18(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const struct zd_layout *l;

	assert_string_equal(model_of(f, FH_ERA_5_18), "v5.18");
	l = &f->t->lay;
	assert_false(l->ref_is_pointer);
	assert_int_equal(l->pcr_data, 8);
	assert_int_equal(l->pgmap_flags, 100);
	assert_int_equal(l->type_private, FH_MEMORY_DEVICE_PRIVATE_5_18);
	assert_int_equal(l->type_fs_dax, FH_MEMORY_DEVICE_FS_DAX_5_18);
	assert_int_equal(l->type_generic, FH_MEMORY_DEVICE_GENERIC_5_18);
	assert_int_equal(l->type_p2pdma, FH_MEMORY_DEVICE_PCI_P2PDMA_5_18);
	assert_true(l->type_coherent == INT64_MIN);
}

static void detect_6_1(void **ctx)
{
	struct fh_fixture *f = *ctx;

	/* 6.1 also has free_zone_device_page: zone_device_page_init wins. */
	assert_string_equal(model_of(f, FH_ERA_6_1), "v6.1");
}

static void detect_6_15(void **ctx)
{
	struct fh_fixture *f = *ctx;

	assert_string_equal(model_of(f, FH_ERA_6_15), "v6.15");
	/* No page.pgmap: the slot is read through page.lru, word 1. */
	assert_int_equal(f->t->lay.page_pgmap, 8);
}

static void detect_6_19(void **ctx)
{
	struct fh_fixture *f = *ctx;

	/* Has every 6.1 and 6.15 tell too. */
	assert_string_equal(model_of(f, FH_ERA_6_19), "v6.19");
	assert_int_equal(f->t->lay.pg_head, FH_PG_HEAD_6_19);
}

/* v4.5: every get_page() took a pgmap reference */

static void audit_4_5_gup_speculative(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 64 * SEC;
	const uint64_t skip = 2 + 14;	/* altmap reserve + free */
	struct fh_pgmap spec = {
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(first + N) - 1 },
		.flags = FH_PGMAP_ALTMAP_VALID,
		.altmap_base_pfn = first,
		.altmap_reserve = 2,
		.altmap_free = 14,
	};
	const uint64_t pinned[] = { first + 200, first + 201, first + 202 };
	struct zd_pgmap *p;
	uint64_t pg, ref;

	fh_setup_era(f->fh, FH_ERA_4_5, 2, 3);
	pg = fh_pgmap_create_old(f->fh, &spec, &ref, NULL);
	/* Pages initialised at 1; page->pgmap set only from pfn_first. */
	fh_pages_populate(f->fh, pg, first, N, 1);
	for (uint64_t i = 0; i < skip; i++)	/* the altmap's memmap pages */
		fh_page_set(f->fh, first + i,
			    fh_page_addr(first + i) + FH_OLD_PAGE_PGMAP, 1);
	/* Two get_page(): refcount 3, two get_zone_device_page(). */
	fh_page_set(f->fh, first + 100, pg, 3);
	/*
	 * Three pages pinned by the generic get_user_pages_fast()
	 * (page_cache_get_speculative, no get_zone_device_page): refcount
	 * 2, the pgmap never saw it (the 4.11/4.12-rc bug, 6dd29b3df975).
	 */
	for (int i = 0; i < 3; i++)
		fh_page_set(f->fh, pinned[i], pg, 2);
	/* True count: the initial ref + the two proper gets. */
	fh_ref_old_percpu(f->fh, ref, 1 + 2);

	p = audit(f, pg);
	assert_string_equal(f->rep->model, "v4.5");
	assert_string_equal(f->rep->registry, "pgmap_radix");
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_HOST");
	assert_true(p->desc.altmap_valid);
	assert_int_equal(p->desc.altmap_reserve, 2);
	assert_int_equal(p->desc.altmap_free, 14);
	assert_int_equal(p->desc.ranges[0].pfn_first, first + skip);
	assert_int_equal(p->desc.ranges[0].pfn_end, first + N);
	assert_int_equal(p->stats.pages, N - skip);
	assert_false(p->desc.registry_mismatch);
	assert_int_equal(p->desc.ref.addr, ref);
	assert_int_equal(p->desc.ref.mode, ZD_REF_PERCPU);
	assert_string_equal(p->desc.release_name, "blk_queue_usage_counter_release");
	/* sum(pc - 1) = 2 + 3 * 1 */
	assert_int_equal(p->stats.refsum, 5);
	assert_int_equal(p->judge.page_refs, 5);
	assert_int_equal(p->judge.initial, 1);
	assert_int_equal(p->judge.transient, 0);
	assert_verdict(p, 3, 1 + 5, ZD_VERDICT_MISSING);
	assert_int_equal(p->judge.delta, -3);		/* minus the pins */
	assert_int_equal(p->stats.refcounts[2], N - skip - 4);
	assert_int_equal(p->stats.refcounts[3], 4);
	/* Every page above 1 is a suspect; the pinned ones among them. */
	assert_int_equal(p->stats.suspects, 4);
	assert_int_equal(p->stats.nlisted, 4);
	assert_int_equal(p->stats.listed[0].pfn, first + 100);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(p->stats.listed[1 + i].pfn, pinned[i]);
		assert_int_equal(p->stats.listed[1 + i].refcount, 2);
		assert_int_equal(p->stats.listed[1 + i].mapcount, -1);
		assert_true(p->stats.listed[1 + i].suspect);
	}
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void audit_4_5_killed(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 64 * SEC;
	struct fh_pgmap spec = {
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(first + N) - 1 },
	};
	struct zd_pgmap *p;
	uint64_t pg, ref;

	fh_setup_era(f->fh, FH_ERA_4_5, 2, 3);
	pg = fh_pgmap_create_old(f->fh, &spec, &ref, NULL);
	fh_pages_populate(f->fh, pg, first, N, 1);
	/* One page still mapped through get_page(): refcount 2. */
	fh_page_set(f->fh, first + 7, pg, 2);
	/*
	 * blk_freeze_queue(): percpu_ref_kill, switch confirmed; the stale
	 * per-CPU counters stay (no early free before 5.3).  Left: the
	 * mapped page's reference.
	 */
	fh_ref_old_atomic(f->fh, ref, FH_PERCPU_REF_ATOMIC | FH_PERCPU_REF_DEAD,
			  1);
	p = audit(f, pg);
	assert_int_equal(p->desc.ref.mode, ZD_REF_DEAD);
	assert_false(p->desc.ref.bias_in_count);
	assert_int_equal(p->judge.initial, 0);
	assert_verdict(p, 1, 0 + 1, ZD_VERDICT_OK);
	assert_int_equal(p->stats.suspects, 1);
}

/* v4.12: one pgmap reference per page with refcount >= 1 */

static void audit_4_12_per_page(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 64 * SEC;
	const uint64_t skip = 16, own = N - skip;
	struct fh_pgmap spec = {
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(first + N) - 1 },
		.flags = FH_PGMAP_ALTMAP_VALID,
		.altmap_base_pfn = first,
		.altmap_reserve = 0,
		.altmap_free = skip,
	};
	struct zd_pgmap *p;
	uint64_t pg, ref, radix;

	fh_setup_era(f->fh, FH_ERA_4_12, 2, 3);
	pg = fh_pgmap_create_old(f->fh, &spec, &ref, NULL);
	radix = fh_symbol_addr(f->fh, "pgmap_radix");
	/* Section 64, order 0: a shift-6 root over a shift-0 leaf. */
	assert_int_equal(fh_get_u64(f->fh, radix + FH_RADIX_ROOT_RNODE) & 1, 1);
	fh_pages_populate(f->fh, pg, first, N, 1);
	/* Page 5 fell to 0 (__put_page: put_dev_pagemap), page 6 at 3. */
	fh_page_set(f->fh, first + skip + 5, pg, 0);
	fh_page_set(f->fh, first + skip + 6, pg, 3);
	/* devm_memremap_pages(): one get per owned page; one put since. */
	fh_ref_old_percpu(f->fh, ref, 1 + own - 1);

	p = audit(f, pg);
	assert_string_equal(f->rep->model, "v4.12");
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_HOST");
	assert_false(p->desc.registry_mismatch);
	assert_int_equal(p->desc.ranges[0].pfn_first, first + skip);
	assert_int_equal(p->stats.pages, own);
	assert_int_equal(p->stats.units, own);
	assert_int_equal(p->stats.refcounts[1], 1);
	assert_int_equal(p->stats.refcounts[2], own - 2);
	assert_int_equal(p->stats.refcounts[3], 1);
	assert_int_equal(p->judge.page_refs, own - 1);
	assert_verdict(p, own, 1 + own - 1, ZD_VERDICT_OK);
	assert_int_equal(p->stats.suspects, 2);

	/* The page at 0 re-referenced without a pgmap ref: one missing. */
	fh_page_set(f->fh, first + skip + 5, pg, 1);
	p = audit(f, pg);
	assert_verdict(p, own, 1 + own, ZD_VERDICT_MISSING);
	assert_int_equal(p->stats.suspects, 1);
}

static void audit_4_14_hmm(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 64 * SEC, hfirst = 200 * SEC;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_HOST_4_14,
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(first + N) - 1 },
	};
	struct zd_pgmap *p;
	uint64_t pg, ref, hpg, dm;
	char *buf;

	fh_setup_era(f->fh, FH_ERA_4_14, 2, 3);
	pg = fh_pgmap_create_old(f->fh, &spec, &ref, NULL);
	fh_pages_populate(f->fh, pg, first, N, 1);
	fh_ref_old_percpu(f->fh, ref, 1 + N);
	/* hmm_devmem_pages_create(): pages at 1, no per-page references. */
	hpg = fh_hmm_devmem_create(f->fh, phys(hfirst), phys(hfirst + N) - 1,
				   &dm);
	fh_pages_populate(f->fh, hpg, hfirst, N, 1);
	/* Two pages the driver allocated (get_page: 2). */
	fh_page_set(f->fh, hfirst + 3, hpg, 2);
	fh_page_set(f->fh, hfirst + 4, hpg, 2);
	fh_ref_old_percpu(f->fh, dm + FH_HMM_DEVMEM_REF, 1);

	p = audit(f, hpg);
	assert_true(p->desc.hmm);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_PRIVATE");
	assert_int_equal(p->stats.pages, N);
	assert_int_equal(p->judge.page_refs, 0);
	assert_verdict(p, 1, 1, ZD_VERDICT_OK);
	assert_int_equal(p->stats.busy, 2);
	assert_int_equal(p->stats.suspects, 0);
	/* The pgmap_radix one follows the per-page rule. */
	p = audit(f, pg);
	assert_false(p->desc.hmm);
	assert_verdict(p, 1 + N, 1 + N, ZD_VERDICT_OK);

	/*
	 * A device-private page that reached 0 went through __put_page()
	 * -> put_dev_pagemap() with no matching get: one reference short.
	 */
	fh_page_set(f->fh, hfirst + 9, hpg, 0);
	fh_ref_old_percpu(f->fh, dm + FH_HMM_DEVMEM_REF, 0);
	p = audit(f, hpg);
	assert_verdict(p, 0, 1, ZD_VERDICT_MISSING);
	assert_int_equal(p->stats.suspects, 1);
	assert_int_equal(p->stats.listed[0].pfn, hfirst + 9);

	buf = fh_json(f->rep);
	assert_non_null(strstr(buf, "\"hmm\": true"));
	assert_non_null(strstr(buf, "\"hmm\": false"));
	free(buf);
}

static void audit_4_19_embedded(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t a_first = 64 * SEC, b_first = 65 * SEC;
	struct fh_pgmap dax = {
		.type = 0,	/* device-dax leaves it unset before 5.3 */
		.nr_range = 1,
		.start = { phys(a_first) },
		.end = { phys(a_first + N) - 1 },
		.flags = FH_PGMAP_ALTMAP_VALID,
		.altmap_base_pfn = a_first,
		.altmap_reserve = 0,
		.altmap_free = 8,
	};
	struct fh_pgmap fsdax = {
		.type = 3,	/* MEMORY_DEVICE_FS_DAX */
		.nr_range = 1,
		.start = { phys(b_first) },
		.end = { phys(b_first + N) - 1 },
		/* Stale altmap fields, altmap_valid false: ignored. */
		.altmap_base_pfn = b_first,
		.altmap_reserve = 4,
		.altmap_free = 60,
	};
	struct zd_pgmap *p;
	uint64_t a, b, aref, bref;

	fh_setup_era(f->fh, FH_ERA_4_19, 2, 3);
	a = fh_pgmap_create_old(f->fh, &dax, &aref, NULL);
	b = fh_pgmap_create_old(f->fh, &fsdax, &bref, NULL);
	fh_pages_populate(f->fh, a, a_first, N, 1);
	fh_pages_populate(f->fh, b, b_first, N, 1);
	fh_ref_old_percpu(f->fh, aref, 1 + N - 8);
	/* One FS_DAX page at 0: it dropped its pgmap reference. */
	fh_page_set(f->fh, b_first + 33, b, 0);
	fh_ref_old_percpu(f->fh, bref, 1 + N - 1);

	p = audit(f, a);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_HOST");
	assert_true(p->desc.altmap_valid);
	assert_int_equal(p->desc.ranges[0].pfn_first, a_first + 8);
	assert_false(p->desc.registry_mismatch);
	assert_verdict(p, 1 + N - 8, 1 + N - 8, ZD_VERDICT_OK);
	assert_int_equal(p->stats.suspects, 0);

	p = audit(f, b);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_FS_DAX");
	assert_false(p->desc.altmap_valid);
	assert_int_equal(p->desc.ranges[0].pfn_first, b_first);
	assert_false(p->desc.registry_mismatch);
	assert_verdict(p, N, 1 + N - 1, ZD_VERDICT_OK);
	assert_int_equal(p->stats.suspects, 1);
}

/* v5.18: setup references only */

static uint64_t make_pgmap(struct fakehost *fh, int32_t type, uint64_t first,
			   uint64_t n, uint64_t shift, int32_t refcount)
{
	struct fh_pgmap spec = {
		.type = type,
		.vmemmap_shift = shift,
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(first + n) - 1 },
	};
	uint64_t pg = fh_pgmap_create(fh, &spec);

	fh_pages_populate(fh, pg, first, n, refcount);
	return pg;
}

static void audit_5_18_alive(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC, g = 65 * SEC, v = 66 * SEC;
	const uint64_t shift = 4, units = N >> 4;
	uint64_t dax, gen, priv;
	struct zd_pgmap *p;

	fh_setup_era(f->fh, FH_ERA_5_18, 2, 3);
	dax = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX_5_18, d, N, 0, 1);
	/* Page refcounts no longer move the pgmap count. */
	fh_page_set(f->fh, d + 10, dax, 0);
	fh_page_set(f->fh, d + 11, dax, 2);
	fh_ref_percpu(f->fh, dax + FH_PGMAP_REF, 1 + N);

	/* Compound devmap (5.17): heads at 1, tails compound_head | 1, 0. */
	gen = make_pgmap(f->fh, FH_MEMORY_DEVICE_GENERIC_5_18, g, N, shift, 1);
	for (uint64_t i = 0; i < N; i++)
		if (i & ((1 << shift) - 1))
			fh_page_set(f->fh, g + i,
				    fh_page_addr(g + (i & ~15ULL)) | 1, 0);
	fh_ref_percpu(f->fh, gen + FH_PGMAP_REF, 1 + units);

	priv = make_pgmap(f->fh, FH_MEMORY_DEVICE_PRIVATE_5_18, v, N, 0, 1);
	fh_page_set(f->fh, v + 1, priv, 2);	/* allocated by the driver */
	fh_page_set(f->fh, v + 2, priv, 2);
	fh_ref_percpu(f->fh, priv + FH_PGMAP_REF, 1 + N);

	p = audit(f, dax);
	assert_string_equal(f->rep->model, "v5.18");
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_FS_DAX");
	assert_int_equal(p->judge.page_refs, N);
	assert_verdict(p, 1 + N, 1 + N, ZD_VERDICT_OK);
	assert_int_equal(p->stats.suspects, 2);

	p = audit(f, gen);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_GENERIC");
	assert_int_equal(p->stats.pages, N);
	assert_int_equal(p->stats.units, units);
	assert_int_equal(p->stats.refcounts[2], units);
	assert_verdict(p, 1 + units, 1 + units, ZD_VERDICT_OK);
	assert_int_equal(p->stats.suspects, 0);

	p = audit(f, priv);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_PRIVATE");
	assert_int_equal(p->rule.idle, 1);
	assert_verdict(p, 1 + N, 1 + N, ZD_VERDICT_OK);
	assert_int_equal(p->stats.busy, 2);
	assert_int_equal(p->stats.suspects, 0);
}

static void audit_5_18_dead(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC;
	struct fh_ref r = { 0 };
	struct zd_pgmap *p;
	uint64_t dax;

	fh_setup_era(f->fh, FH_ERA_5_18, 2, 3);
	dax = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX_5_18, d, N, 0, 1);
	/*
	 * memunmap_pages() before the RCU callback: get_many(N) went to a
	 * per-CPU counter; kill set ATOMIC|DEAD, took the switch's get and
	 * put the initial ref; put_many(N) hit the atomic count.  Nothing
	 * is left but the switch's own reference: T = 1.
	 */
	r.flags = FH_PERCPU_REF_ATOMIC | FH_PERCPU_REF_DEAD;
	r.count = FH_PERCPU_COUNT_BIAS + 1 + 1 - 1 - N;
	r.ncpu = 2;
	r.cpu_val[0] = N;
	r.release = fh_symbol_addr(f->fh, "dev_pagemap_percpu_release");
	r.confirm_switch = fh_symbol_addr(f->fh, CONFIRM_FN);
	fh_ref_init(f->fh, dax + FH_PGMAP_REF, &r);
	p = audit(f, dax);
	assert_int_equal(p->desc.ref.mode, ZD_REF_DEAD);
	assert_true(p->desc.ref.switching);
	assert_true(p->desc.ref.bias_in_count);
	assert_int_equal(p->judge.initial, 0);
	assert_int_equal(p->judge.transient, 1);
	assert_int_equal(p->judge.page_refs, 0);
	assert_verdict(p, 1, 1, ZD_VERDICT_OK);

	/* Confirmed: drained to 0. */
	fh_ref_atomic(f->fh, dax + FH_PGMAP_REF,
		      FH_PERCPU_REF_ATOMIC | FH_PERCPU_REF_DEAD, 0);
	p = audit(f, dax);
	assert_int_equal(p->judge.transient, 0);
	assert_verdict(p, 0, 0, ZD_VERDICT_OK);

	/* A get_dev_pagemap() never put: the teardown waits forever. */
	fh_ref_atomic(f->fh, dax + FH_PGMAP_REF,
		      FH_PERCPU_REF_ATOMIC | FH_PERCPU_REF_DEAD, 1);
	p = audit(f, dax);
	assert_verdict(p, 1, 0, ZD_VERDICT_LEAKED);
}

/* v6.15: FS_DAX pages idle at 0 */

static void audit_6_15_fsdax_idle_zero(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC, g = 65 * SEC;
	struct zd_audit_options all = { .all_pages = true };
	uint64_t dax, gen;
	struct zd_pgmap *p;

	fh_setup_era(f->fh, FH_ERA_6_15, 2, 3);
	dax = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX, d, N, 0, 0);
	/* Three mapped pages carry real refcounts. */
	fh_page_set(f->fh, d + 0, dax, 1);
	fh_page_set(f->fh, d + 77, dax, 2);
	fh_page_set(f->fh, d + 1023, dax, 1);
	fh_ref_percpu(f->fh, dax + FH_PGMAP_REF, 1 + N);
	gen = make_pgmap(f->fh, FH_MEMORY_DEVICE_GENERIC, g, N, 0, 1);
	fh_page_set(f->fh, g + 5, gen, 0);	/* device-dax idles at 1 */
	fh_ref_percpu(f->fh, gen + FH_PGMAP_REF, 1 + N);

	p = audit(f, dax);
	assert_string_equal(f->rep->model, "v6.15");
	assert_int_equal(p->rule.idle, 0);
	assert_int_equal(p->stats.refcounts[1], N - 3);
	assert_int_equal(p->judge.page_refs, N);	/* setup refs, not pages */
	assert_verdict(p, 1 + N, 1 + N, ZD_VERDICT_OK);
	/*
	 * Above idle, yet neither mapped (_mapcount -1) nor associated with a
	 * file (mapping NULL): no correct 6.15 kernel leaves a page so
	 * (dax_busy_page(): refcount - mapcount, after dax_associate_entry()).
	 */
	assert_int_equal(p->stats.busy, 0);
	assert_int_equal(p->stats.suspects, 3);
	p = audit_opts(f, dax, &all);
	assert_int_equal(p->stats.nlisted, 3);
	assert_int_equal(p->stats.listed[0].pfn, d + 0);
	assert_int_equal(p->stats.listed[0].refcount, 1);
	assert_int_equal(p->stats.listed[1].pfn, d + 77);
	assert_int_equal(p->stats.listed[1].refcount, 2);
	assert_int_equal(p->stats.listed[2].pfn, d + 1023);
	assert_int_equal(p->stats.listed[2].refcount, 1);
	for (size_t i = 0; i < 3; i++) {
		assert_true(p->stats.listed[i].suspect);
		assert_int_equal(p->stats.listed[i].reason, ZD_PAGE_NO_OWNER);
	}

	p = audit(f, gen);
	assert_int_equal(p->rule.idle, 1);
	assert_verdict(p, 1 + N, 1 + N, ZD_VERDICT_OK);
	assert_int_equal(p->stats.suspects, 1);
	assert_int_equal(p->stats.listed[0].pfn, g + 5);
}

/* v6.19: large device-private folios */

static void set_flags(struct fakehost *fh, uint64_t pfn, uint64_t flags)
{
	fh_put_u64(fh, fh_page_addr(pfn) + FH_PAGE_FLAGS, flags);
}

/* zone_device_page_init(page, pgmap, order) + prep_compound_page(). */
static void large_folio(struct fakehost *fh, uint64_t pg, uint64_t head,
			unsigned int order, int32_t refcount)
{
	uint64_t flags = 4ULL << 58;

	fh_page_set(fh, head, pg, refcount);
	set_flags(fh, head, flags | (1ULL << FH_PG_HEAD_6_19));
	for (uint64_t i = 1; i < (1ULL << order); i++)
		fh_page_set(fh, head + i, fh_page_addr(head) | 1, 0);
	/* folio_large_order(): the low byte of the first tail's flags. */
	set_flags(fh, head + 1, flags | order);
}

static void audit_6_19_large_folios(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t v = 64 * SEC;
	uint64_t pg;
	uint8_t poison[FH_PAGE_SIZE];
	struct zd_pgmap *p;
	char *buf, want[64];

	fh_setup_era(f->fh, FH_ERA_6_19, 2, 3);
	pg = make_pgmap(f->fh, FH_MEMORY_DEVICE_PRIVATE, v, N, 0, 0);
	large_folio(f->fh, pg, v + 0, 2, 1);		/* 4 pages */
	large_folio(f->fh, pg, v + 16, 4, 3);		/* 16 pages, mapped */
	fh_page_set(f->fh, v + 100, pg, 1);		/* order 0 */
	/* page_init_poison(): the whole struct page 0xff. */
	memset(poison, 0xff, sizeof(poison));
	fh_put(f->fh, fh_page_addr(v + 500), poison, sizeof(poison));
	/* INIT_LIST_HEAD(&page->lru): memmap on the device. */
	fh_page_set(f->fh, v + 501, fh_page_addr(v + 501) + FH_PAGE_PGMAP, 1);
	/* A free order-0 page whose neighbour looks like an order byte. */
	set_flags(f->fh, v + 601, (4ULL << 58) | 9);
	/* tryget_many(1 << order) per allocation. */
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + 4 + 16 + 1);

	p = audit(f, pg);
	assert_string_equal(f->rep->model, "v6.19");
	assert_int_equal(p->rule.idle, 0);
	assert_int_equal(p->stats.poisoned, 1);
	assert_int_equal(p->stats.skipped, 3 + 15 + 1);	/* tails + memmap */
	assert_int_equal(p->stats.alloc_refs, 4 + 16 + 1);
	assert_int_equal(p->judge.page_refs, 4 + 16 + 1);
	assert_verdict(p, 22, 22, ZD_VERDICT_OK);
	assert_int_equal(p->stats.refcounts[0], 0);
	assert_int_equal(p->stats.refcounts[1], N - 20 - 3);
	assert_int_equal(p->stats.refcounts[2], 2);
	assert_int_equal(p->stats.refcounts[3], 1);
	assert_int_equal(p->stats.busy, 3);
	assert_int_equal(p->stats.suspects, 0);
	assert_int_equal(p->stats.nlisted, 0);
	assert_int_equal(zd_report_findings(f->rep), 0);

	buf = fh_json(f->rep);
	assert_non_null(strstr(buf, "\"poisoned\": 1"));
	snprintf(want, sizeof(want), "\"skipped\": %d", 3 + 15 + 1);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\"suspects\": []"));
	free(buf);

	/* free_zone_device_folio() put 16 twice over: 16 missing. */
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 22 - 16);
	p = audit(f, pg);
	assert_verdict(p, 6, 22, ZD_VERDICT_MISSING);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fh_fixture_setup, fh_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(detect_4_5),
		T(detect_4_12),
		T(detect_4_14),
		T(detect_4_19),
		T(detect_5_18),
		T(detect_6_1),
		T(detect_6_15),
		T(detect_6_19),
		T(audit_4_5_gup_speculative),
		T(audit_4_5_killed),
		T(audit_4_12_per_page),
		T(audit_4_14_hmm),
		T(audit_4_19_embedded),
		T(audit_5_18_alive),
		T(audit_5_18_dead),
		T(audit_6_15_fsdax_idle_zero),
		T(audit_6_19_large_folios),
	};

	return cmocka_run_group_tests_name("eras", tests, NULL, NULL);
}
