// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Full audits (zd_target_open + zd_audit) where the memmap is not simply
 * there: sections absent or without a memmap, missing subsections, a
 * struct-page page filtered out of the dump or not in it at all, an
 * altmap hosting the memmap, compound units.  Unreadable struct pages must
 * be counted as unreadable, never read as refcount 0; where the fake
 * memory behind them exists it holds refcount 0 on purpose, so a walker
 * that ignored the section data would be caught.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "fakehost.h"

#define SEC FH_PAGES_PER_SECTION
#define SUB FH_PAGES_PER_SUBSECTION

static int setup(void **ctx)
{
	if (fh_fixture_setup(ctx))
		return -1;
	fh_setup_6_1(((struct fh_fixture *)*ctx)->fh, 4, 0xf);
	return 0;
}

/* Audit everything; the report holds exactly one pgmap, at pg. */
static struct zd_pgmap *audit_one(struct fh_fixture *f, uint64_t pg)
{
	struct zd_audit_options opts = { 0 };
	struct zd_pgmap *p = fh_audit(f, pg, &opts);

	assert_string_equal(zd_target_model(f->t), "v6.1");
	assert_int_equal(f->rep->npgmaps, 1);
	return p;
}

static uint64_t phys(uint64_t pfn)
{
	return pfn << 12;
}

/* Struct pages of [pfn, pfn + n) in memory, pointing at pg. */
static void pages(struct fakehost *fh, uint64_t pg, uint64_t pfn, uint64_t n,
		  int32_t refcount)
{
	fh_memmap_map(fh, pfn, n);
	for (uint64_t i = 0; i < n; i++)
		fh_page_set(fh, pfn + i, pg, refcount);
}

static void holes_and_exclusions(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t a = 200, b = 201, c = 202;	/* sections */
	const uint64_t r0_first = (a + 1) * SEC - 2 * SUB;
	const uint64_t r0_end = c * SEC + 2 * SUB;
	/* Section 768 lives under root 3, which is never allocated. */
	const uint64_t r1_first = 768 * SEC, r1_end = r1_first + SUB;
	const uint64_t total = (r0_end - r0_first) + (r1_end - r1_first);
	const uint64_t cx = c * SEC + 128;	/* excluded: 64 struct pages */
	const uint64_t cf = c * SEC + 640;	/* not in the dump: 64 more */
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_FS_DAX,
		.nr_range = 2,
		.start = { phys(r0_first), phys(r1_first) },
		.end = { phys(r0_end) - 1, phys(r1_end) - 1 },
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec);
	struct zd_pgmap *p;
	uint64_t unreadable;
	char note[64];

	/* Section a: subsection 62 valid, 63 not (memmap bytes left there). */
	fh_section_add(f->fh, a, ~0ULL & ~(1ULL << 63));
	pages(f->fh, pg, r0_first, SUB, 1);
	pages(f->fh, pg, r0_first + SUB, SUB, 0);
	/* Section b: present but no memmap. */
	fh_section_raw(f->fh, b, FH_VMEMMAP_BASE | FH_SECTION_MARKED_PRESENT,
		       0);
	pages(f->fh, pg, b * SEC, SEC, 0);
	/*
	 * Section c: whole, but one memory page of struct pages filtered
	 * out and another absent, inside the first two batches.
	 */
	fh_section_add(f->fh, c, ~0ULL);
	pages(f->fh, pg, c * SEC, cf - c * SEC, 1);
	pages(f->fh, pg, cf + 64, r0_end - (cf + 64), 1);
	for (uint64_t i = 0; i < 64; i++)
		fh_page_set(f->fh, cx + i, pg, 0);
	fh_exclude(f->fh, fh_page_addr(cx), 4096);

	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + (int64_t)total);
	p = audit_one(f, pg);

	unreadable = SUB + SEC + 64 + 64 + SUB;
	assert_int_equal(p->stats.pages, total);
	assert_int_equal(p->stats.units, total);
	assert_int_equal(p->stats.unreadable, unreadable);
	assert_int_equal(p->stats.excluded, 64);
	/* Every readable page is idle at 1; nothing was taken for 0. */
	assert_int_equal(p->stats.refcounts[0], 0);
	assert_int_equal(p->stats.refcounts[1], 0);
	assert_int_equal(p->stats.refcounts[2], total - unreadable);
	assert_int_equal(p->stats.refcounts[3], 0);
	assert_int_equal(p->stats.suspects, 0);
	assert_int_equal(p->stats.foreign, 0);
	assert_int_equal(p->stats.nlisted, 0);
	assert_false(p->desc.registry_mismatch);
	/* FS_DAX's expected count does not depend on the pages read. */
	assert_true(p->judge.have_expected);
	assert_int_equal(p->judge.expected, 1 + total);
	assert_int_equal(p->judge.delta, 0);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	/* ...but the report must say suspects may hide there. */
	snprintf(note, sizeof(note), "%llu struct pages",
		 (unsigned long long)unreadable);
	assert_non_null(strstr(p->judge.reason, note));
}

static void missing_section_root(void **ctx)
{
	struct fh_fixture *f = *ctx;
	/* Section 1000: root 3, NULL; nothing else anywhere. */
	const uint64_t first = 1000 * SEC;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_PRIVATE,
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(first + 2 * SUB) - 1 },
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec);
	struct zd_pgmap *p;

	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1);
	p = audit_one(f, pg);
	assert_int_equal(p->stats.pages, 2 * SUB);
	assert_int_equal(p->stats.unreadable, 2 * SUB);
	assert_int_equal(p->stats.excluded, 0);
	assert_int_equal(p->stats.refcounts[1], 0);
	/* DEVICE_PRIVATE's expected count needs the pages: unknown. */
	assert_int_equal(p->judge.verdict, ZD_VERDICT_UNKNOWN);
}

/*
 * A root table whose pages the dump lacks: one failed read answers for
 * every root of that page (lib/pagewalk.c), so a range over all of
 * MAX_PHYSMEM_BITS costs a few reads, not one per root.  mem_section is
 * pointed at the last two roots of the mapped table; every root after
 * them is unreadable.
 */
static void unreadable_root_table(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 512 * SEC, end = (2048ULL * 256 - 1) * SEC;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_FS_DAX,
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(end) - 1 },
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec), before;
	struct zd_pgmap *p;

	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + (int64_t)(end - first));
	fh_put_u64(f->fh, fh_symbol_addr(f->fh, "mem_section"),
		   FH_DATA_BASE + 0x100000 + 2048 * 8 - 2 * 8);
	before = f->fh->reads;
	p = audit_one(f, pg);
	assert_int_equal(p->stats.pages, end - first);
	assert_int_equal(p->stats.unreadable, end - first);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_non_null(strstr(p->judge.reason, "struct pages"));
	/* 2046 roots unreadable, 4 pages of them: far below one per root */
	assert_true(f->fh->reads - before < 200);
}

static void altmap_skipped(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t base = 300 * SEC, skip = 2 + 14;
	const uint64_t r1 = 310 * SEC;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_FS_DAX,
		.flags = FH_PGMAP_ALTMAP_VALID,
		.nr_range = 2,
		.start = { phys(base), phys(r1) },
		.end = { phys(base + 2 * SUB) - 1, phys(r1 + SUB) - 1 },
		.altmap_base_pfn = base,
		.altmap_reserve = 2,
		.altmap_free = 14,
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec);
	const uint64_t owned = 2 * SUB - skip + SUB;
	struct zd_pgmap *p;

	fh_pages_populate(f->fh, pg, base, 2 * SUB, 1);
	fh_pages_populate(f->fh, pg, r1, SUB, 1);
	/* Reserve: never initialised. */
	for (uint64_t i = 0; i < 2; i++)
		fh_page_set(f->fh, base + i, 0, 0);
	/*
	 * The memmap's own pages: refcount 1, lru self-pointing
	 * (INIT_LIST_HEAD), which would be a foreign pgmap word.
	 */
	for (uint64_t i = 2; i < skip; i++)
		fh_page_set(f->fh, base + i,
			    fh_page_addr(base + i) + FH_PAGE_PGMAP, 1);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + (int64_t)owned);
	p = audit_one(f, pg);

	assert_true(p->desc.altmap_valid);
	assert_int_equal(p->desc.altmap_reserve, 2);
	assert_int_equal(p->desc.altmap_free, 14);
	assert_int_equal(p->desc.nr_range, 2);
	assert_int_equal(p->desc.ranges[0].pfn_first, base + skip);
	assert_int_equal(p->desc.ranges[0].pfn_end, base + 2 * SUB);
	/* Only range 0 hosts the altmap. */
	assert_int_equal(p->desc.ranges[1].pfn_first, r1);
	assert_int_equal(p->desc.ranges[1].pfn_end, r1 + SUB);
	assert_int_equal(p->stats.pages, owned);
	assert_int_equal(p->stats.refcounts[2], owned);
	assert_int_equal(p->stats.refcounts[1], 0);
	assert_int_equal(p->stats.foreign, 0);
	assert_int_equal(p->stats.suspects, 0);
	assert_int_equal(p->stats.unreadable, 0);
	/* The registry maps whole ranges, altmap included. */
	assert_false(p->desc.registry_mismatch);
	assert_int_equal(p->judge.expected, 1 + owned);
	assert_int_equal(p->judge.delta, 0);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_string_equal(p->judge.reason, "");
}

static void compound_units(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 400 * SEC, n = 4 * SUB;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_GENERIC,
		.vmemmap_shift = 2,
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(first + n) - 1 },
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec);
	const uint64_t units = n >> 2, lost = SUB >> 2;
	struct zd_pgmap *p;

	/* Subsection 2 of the four is not populated. */
	fh_section_add(f->fh, 400, ~0ULL & ~(1ULL << 2));
	fh_memmap_map(f->fh, first, n);
	for (uint64_t pfn = first; pfn < first + n; pfn++) {
		if ((pfn - first) & 3)
			/* memmap_init_compound(): tails at 0, compound_head|1. */
			fh_page_set(f->fh, pfn,
				    fh_page_addr(pfn & ~3ULL) | 1, 0);
		else
			fh_page_set(f->fh, pfn, pg, 1);
	}
	/* 6.1 setup refs: pfn_len() = pages >> vmemmap_shift. */
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + (int64_t)units);
	p = audit_one(f, pg);

	assert_int_equal(p->desc.vmemmap_shift, 2);
	assert_int_equal(p->stats.pages, n);
	assert_int_equal(p->stats.units, units);
	/* Only heads are counted, unreadable ones included. */
	assert_int_equal(p->stats.unreadable, lost);
	assert_int_equal(p->stats.refcounts[2], units - lost);
	assert_int_equal(p->stats.refcounts[1], 0);
	assert_int_equal(p->stats.suspects, 0);
	assert_int_equal(p->stats.foreign, 0);
	assert_int_equal(p->judge.expected, 1 + units);
	assert_int_equal(p->judge.delta, 0);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
}

static void excluded_batch_all_but_one(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 500 * SEC;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_FS_DAX,
		.nr_range = 1,
		.start = { phys(first) },
		.end = { phys(first + SUB) - 1 },
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec);
	struct zd_pgmap *p;

	fh_pages_populate(f->fh, pg, first, SUB, 1);
	/* Last memory page of the batch readable, with one suspect on it. */
	fh_page_set(f->fh, first + SUB - 1, pg, 3);
	fh_exclude(f->fh, fh_page_addr(first), (SUB - 64) * FH_PAGE_SIZE);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + (int64_t)SUB);
	p = audit_one(f, pg);

	assert_int_equal(p->stats.unreadable, SUB - 64);
	assert_int_equal(p->stats.excluded, SUB - 64);
	assert_int_equal(p->stats.refcounts[2], 63);
	assert_int_equal(p->stats.refcounts[3], 1);
	assert_int_equal(p->stats.suspects, 1);
	assert_int_equal(p->stats.nlisted, 1);
	assert_int_equal(p->stats.listed[0].pfn, first + SUB - 1);
	assert_int_equal(p->stats.listed[0].page, fh_page_addr(first + SUB - 1));
	assert_int_equal(p->stats.listed[0].refcount, 3);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fh_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(holes_and_exclusions),
		T(missing_section_root),
		T(unreadable_root_table),
		T(altmap_skipped),
		T(compound_units),
		T(excluded_batch_all_but_one),
	};

	return cmocka_run_group_tests_name("sections", tests, NULL, NULL);
}
