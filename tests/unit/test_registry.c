// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Never fooled: the registry is checked against an independent source,
 * the memmap (a dump whose pgmap_array was zeroed must not read as "no
 * ZONE_DEVICE pgmaps", exit 0), and every decoded structure that feeds a
 * verdict is checked against what a kernel can produce: a failure makes the
 * pgmap unknown with the reason, never a firm verdict.
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
#define N 1024

static int setup(void **ctx)
{
	if (fh_fixture_setup(ctx))
		return -1;
	fh_setup_6_1(((struct fh_fixture *)*ctx)->fh, 2, 0x3);
	return 0;
}

static uint64_t make_pgmap(struct fakehost *fh, uint64_t first)
{
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_FS_DAX,
		.nr_range = 1,
		.start = { first << 12 },
		.end = { ((first + N) << 12) - 1 },
	};
	uint64_t pg = fh_pgmap_create(fh, &spec);

	fh_pages_populate(fh, pg, first, N, 1);
	fh_ref_percpu(fh, pg + FH_PGMAP_REF, 1 + N);
	return pg;
}

/* A healthy kernel with SECTION_IS_ONLINE: the scan agrees, no noise. */
static void registry_agrees(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg;

	fh_add_function(f->fh, "online_mem_sections");
	pg = make_pgmap(f->fh, 64 * SEC);
	assert_int_equal(
		fh_audit(f, pg, &(struct zd_audit_options){ 0 })->judge.verdict,
		ZD_VERDICT_OK);
}

/* pgmap_array's head zeroed: the memmap still names the pgmap. */
static void registry_zeroed(void **ctx)
{
	struct fh_fixture *f = *ctx;
	struct zd_error *err;
	uint64_t pg;
	char want[128];

	fh_add_function(f->fh, "online_mem_sections");
	pg = make_pgmap(f->fh, 64 * SEC);
	fh_put_u64(f->fh, fh_symbol_addr(f->fh, "pgmap_array") + 8, 0);
	err = fh_try_audit(f, &(struct zd_audit_options){ 0 });
	assert_non_null(err);
	assert_int_equal(err->code, ZD_ERR_INVALID);
	snprintf(want, sizeof(want), "does not hold dev_pagemap 0x%llx",
		 (unsigned long long)pg);
	assert_non_null(strstr(err->message, want));
	assert_non_null(strstr(err->message, "section 64"));
	zd_error_destroy(err);
}

static const struct zd_pgmap *judged(struct fh_fixture *f, uint64_t pg,
				     const char *why)
{
	const struct zd_pgmap *p =
		fh_audit(f, pg, &(struct zd_audit_options){ 0 });

	assert_int_equal(p->judge.verdict, ZD_VERDICT_UNKNOWN);
	assert_false(p->judge.have_expected);
	if (!strstr(p->judge.reason, why))
		fail_msg("reason '%s' lacks '%s'", p->judge.reason, why);
	assert_int_equal(zd_report_findings(f->rep), 1);
	return p;
}

static void misaligned_percpu_pointer(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f->fh, 64 * SEC), ref = pg + FH_PGMAP_REF;

	fh_put_u64(f->fh, ref, fh_get_u64(f->fh, ref) | 4);
	judged(f, pg, "misaligned");
}

static void data_not_pointing_back(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f->fh, 64 * SEC), ref = pg + FH_PGMAP_REF;

	/* ref->data pointing at the ref itself */
	fh_put_u64(f->fh, ref + 8, ref);
	judged(f, pg, "points back");
}

static void vmemmap_shift_30(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f->fh, 64 * SEC);

	fh_put_u64(f->fh, pg + FH_PGMAP_VMEMMAP_SHIFT, 30);
	judged(f, pg, "vmemmap_shift 30");
}

static void type_minus_one(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f->fh, 64 * SEC);

	fh_put_u32(f->fh, pg + FH_PGMAP_TYPE, (uint32_t)-1);
	judged(f, pg, "type -1");
}

static void overlapping_ranges(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 64 * SEC;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_FS_DAX,
		.nr_range = 2,
		.start = { first << 12, (first + 512) << 12 },
		.end = { ((first + N) << 12) - 1,
			 ((first + N + 512) << 12) - 1 },
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec);

	fh_pages_populate(f->fh, pg, first, N + 512, 1);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N);
	judged(f, pg, "overlap");
}

static void implausible_count(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f->fh, 64 * SEC);

	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, INT64_MAX / 2);
	judged(f, pg, "implausible counts");
}

/*
 * A range of 2^45 bytes (2^24 sections, almost no memmap): absent roots
 * are skipped whole, so the walk costs the roots, not the sections.
 */
static void huge_range_bounded(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 64 * SEC, n = 1ULL << 33;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_FS_DAX,
		.nr_range = 1,
		.start = { first << 12 },
		.end = { ((first + n) << 12) - 1 },
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec);
	const struct zd_pgmap *p;

	fh_pages_populate(f->fh, pg, first, N, 1);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + (int64_t)n);
	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->stats.pages, n);
	assert_int_equal(p->stats.unreadable, n - N);
	assert_int_equal(p->stats.refcounts[2], N);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fh_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(registry_agrees),	      T(registry_zeroed),
		T(misaligned_percpu_pointer), T(data_not_pointing_back),
		T(vmemmap_shift_30),	      T(type_minus_one),
		T(overlapping_ranges),	      T(implausible_count),
		T(huge_range_bounded),
	};

	return cmocka_run_group_tests_name("registry", tests, NULL, NULL);
}
