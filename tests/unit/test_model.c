// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Full audits of a fake 6.1 kernel (kernel-model.md §6 Era D):
 *
 *   FS_DAX, GENERIC, P2PDMA:  expected = I + T + units      (idle at 1)
 *   PRIVATE, COHERENT:        expected = I + T + #{pc >= 1}  (idle at 0)
 *
 * Each test builds the kernel state a history of gets and puts would
 * leave, and asserts what that history implies: the true count, the
 * expected count, the delta, the verdict, and exactly which pages are
 * suspect.  Then the report's exit status, waiters and JSON.
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
#define SUB FH_PAGES_PER_SUBSECTION
#define N 1024			/* pages per pgmap */
#define CONFIRM 0xffffffff81234560ULL

static int setup(void **ctx)
{
	if (fh_fixture_setup(ctx))
		return -1;
	fh_setup_6_1(((struct fh_fixture *)*ctx)->fh, 4, 0xf);
	return 0;
}

/* A pgmap of N pages in its own section, every page idle for its type. */
static uint64_t make_pgmap(struct fh_fixture *f, int32_t type, uint64_t section)
{
	const uint64_t first = section * SEC;
	struct fh_pgmap spec = {
		.type = type,
		.nr_range = 1,
		.start = { first << 12 },
		.end = { ((first + N) << 12) - 1 },
	};
	uint64_t pg = fh_pgmap_create(f->fh, &spec);
	bool alloc = type == FH_MEMORY_DEVICE_PRIVATE ||
		     type == FH_MEMORY_DEVICE_COHERENT;

	fh_pages_populate(f->fh, pg, first, N, alloc ? 0 : 1);
	return pg;
}

static uint64_t pfn_of(uint64_t section, uint64_t i)
{
	return section * SEC + i;
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

static void assert_verdict(const struct zd_pgmap *p, int64_t expected,
			   int64_t delta, enum zd_verdict verdict)
{
	assert_true(p->judge.have_expected);
	assert_int_equal(p->judge.expected, expected);
	assert_int_equal(p->judge.delta, delta);
	assert_int_equal(p->judge.verdict, verdict);
}

static void healthy_fsdax(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_pgmap *p;

	/* memremap_pages(): percpu_ref_get_many(ref, pfn_len) after init. */
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N);
	p = audit(f, pg);

	assert_string_equal(f->rep->model, "v6.1");
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_FS_DAX");
	assert_int_equal(p->desc.type, FH_MEMORY_DEVICE_FS_DAX);
	assert_int_equal(p->desc.ref.mode, ZD_REF_PERCPU);
	assert_int_equal(p->desc.ref.count, 1 + N);
	assert_int_equal(p->stats.pages, N);
	assert_int_equal(p->stats.units, N);
	assert_int_equal(p->stats.refcounts[2], N);
	assert_int_equal(p->judge.initial, 1);
	assert_int_equal(p->judge.transient, 0);
	assert_int_equal(p->judge.page_refs, N);
	assert_verdict(p, 1 + N, 0, ZD_VERDICT_OK);
	assert_int_equal(p->stats.suspects, 0);
	assert_int_equal(p->stats.busy, 0);
	assert_int_equal(p->stats.nlisted, 0);
	assert_false(p->desc.registry_mismatch);
	assert_string_equal(p->judge.reason, "");
	assert_string_equal(p->desc.release_name, "dev_pagemap_percpu_release");
	assert_int_equal(zd_report_findings(f->rep), 0);
}

static void leaked_fsdax(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_pgmap *p;

	/* Three get_dev_pagemap() without put. */
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N + 3);
	p = audit(f, pg);
	assert_verdict(p, 1 + N, 3, ZD_VERDICT_LEAKED);
	assert_int_equal(p->stats.suspects, 0);
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void missing_fsdax(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_pgmap *p;

	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N - 2);
	p = audit(f, pg);
	assert_verdict(p, 1 + N, -2, ZD_VERDICT_MISSING);
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void suspect_pages(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_pgmap *p;

	fh_page_set(f->fh, pfn_of(64, 100), pg, 2);
	fh_page_set(f->fh, pfn_of(64, 700), pg, 0);
	fh_page_set(f->fh, pfn_of(64, 1023), pg, -1);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N);
	p = audit(f, pg);

	/* Page refcounts do not change the 6.1 FS_DAX expected count. */
	assert_verdict(p, 1 + N, 0, ZD_VERDICT_OK);
	assert_int_equal(p->stats.refcounts[0], 1);
	assert_int_equal(p->stats.refcounts[1], 1);
	assert_int_equal(p->stats.refcounts[2], N - 3);
	assert_int_equal(p->stats.refcounts[3], 1);
	assert_int_equal(p->stats.suspects, 3);
	assert_int_equal(p->stats.nlisted, 3);
	assert_int_equal(p->stats.listed[0].pfn, pfn_of(64, 100));
	assert_int_equal(p->stats.listed[0].page, fh_page_addr(pfn_of(64, 100)));
	assert_int_equal(p->stats.listed[0].refcount, 2);
	assert_int_equal(p->stats.listed[0].mapcount, -1);
	/* above idle with mapping NULL: no file holds it */
	assert_int_equal(p->stats.listed[0].reason, ZD_PAGE_NO_OWNER);
	assert_true(p->stats.listed[0].suspect);
	assert_int_equal(p->stats.listed[1].pfn, pfn_of(64, 700));
	assert_int_equal(p->stats.listed[1].refcount, 0);
	assert_int_equal(p->stats.listed[1].reason, ZD_PAGE_REFCOUNT);
	assert_int_equal(p->stats.listed[2].pfn, pfn_of(64, 1023));
	assert_int_equal(p->stats.listed[2].refcount, -1);
	assert_int_equal(p->stats.listed[2].reason, ZD_PAGE_NEGATIVE);
	/* Suspects alone are a finding. */
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void private_idle_allocated(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_PRIVATE, 64);
	struct zd_audit_options all = { .all_pages = true };
	const uint64_t alloc[] = { 0, 5, 6, 511, 1023 };
	const int64_t k = 5;
	struct zd_pgmap *p;

	/* zone_device_page_init(): tryget on the ref, page refcount 1. */
	for (int i = 0; i < k; i++)
		fh_page_set(f->fh, pfn_of(64, alloc[i]), pg, 1);
	/* PRIVATE takes no setup references. */
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + k);
	p = audit(f, pg);

	assert_int_equal(p->rule.idle, 0);
	assert_int_equal(p->stats.refcounts[1], N - k);
	assert_int_equal(p->stats.refcounts[2], k);
	assert_int_equal(p->judge.page_refs, k);
	assert_verdict(p, 1 + k, 0, ZD_VERDICT_OK);
	assert_int_equal(p->stats.busy, k);
	assert_int_equal(p->stats.suspects, 0);
	assert_int_equal(p->stats.nlisted, 0);
	assert_int_equal(zd_report_findings(f->rep), 0);

	/* -a lists them, as busy, not suspect. */
	p = audit_opts(f, pg, &all);
	assert_int_equal(p->stats.nlisted, k);
	for (int i = 0; i < k; i++) {
		assert_int_equal(p->stats.listed[i].pfn, pfn_of(64, alloc[i]));
		assert_int_equal(p->stats.listed[i].reason, ZD_PAGE_BUSY);
		assert_false(p->stats.listed[i].suspect);
	}
}

static void private_missing(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_COHERENT, 64);
	struct zd_pgmap *p;

	/* Two allocated pages, but one pgmap reference dropped twice. */
	fh_page_set(f->fh, pfn_of(64, 1), pg, 1);
	fh_page_set(f->fh, pfn_of(64, 2), pg, 3);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + 1);
	p = audit(f, pg);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_COHERENT");
	assert_verdict(p, 3, -1, ZD_VERDICT_MISSING);
	assert_int_equal(p->stats.busy, 2);
	assert_int_equal(p->stats.suspects, 0);
}

static void private_unreadable(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_PRIVATE, 64);
	struct zd_pgmap *p;

	/* One memory page of struct pages filtered out of the dump. */
	fh_exclude(f->fh, fh_page_addr(pfn_of(64, 128)), 4096);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1);
	p = audit(f, pg);
	assert_int_equal(p->stats.unreadable, 64);
	assert_int_equal(p->stats.excluded, 64);
	/* Any of the 64 could be allocated: no verdict. */
	assert_int_equal(p->judge.verdict, ZD_VERDICT_UNKNOWN);
	assert_true(p->judge.reason[0] != '\0');
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void dead_after_teardown_leaked(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_pgmap *p;

	/*
	 * memunmap_pages(): kill (initial ref gone), put_many(N), switch
	 * confirmed; 2 references nobody will drop: waits forever.
	 */
	fh_ref_atomic(f->fh, pg + FH_PGMAP_REF, 3, 2);
	p = audit(f, pg);
	assert_int_equal(p->desc.ref.mode, ZD_REF_DEAD);
	assert_int_equal(p->desc.ref.count, 2);
	assert_int_equal(p->judge.initial, 0);
	assert_int_equal(p->judge.transient, 0);
	assert_int_equal(p->judge.page_refs, 0);
	assert_verdict(p, 0, 2, ZD_VERDICT_LEAKED);
}

static void warn_state(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct fh_ref r = {
		.flags = 3,
		.count = 0,
		.confirm_switch = CONFIRM,
		.ncpu = 2,
		.cpu_val = { N, 0 },	/* stale after the fold */
	};
	struct zd_pgmap *p;

	/*
	 * "percpu ref (dev_pagemap_percpu_release) <= 0 (0) after
	 * switching to atomic" with panic_on_warn: the switch still holds
	 * its reference, which the count no longer shows.
	 */
	r.release = fh_symbol_addr(f->fh, "dev_pagemap_percpu_release");
	fh_ref_init(f->fh, pg + FH_PGMAP_REF, &r);
	p = audit(f, pg);
	assert_int_equal(p->desc.ref.mode, ZD_REF_DEAD);
	assert_true(p->desc.ref.switching);
	assert_false(p->desc.ref.bias_in_count);
	assert_int_equal(p->desc.ref.count, 0);
	assert_int_equal(p->judge.initial, 0);
	assert_int_equal(p->judge.transient, 1);
	assert_verdict(p, 1, -1, ZD_VERDICT_MISSING);
}

static void foreign_page(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	const uint64_t other = 0xffff888123456780ULL;
	struct zd_pgmap *p;

	/* Refcount idle, but the page says it belongs to someone else. */
	fh_page_set(f->fh, pfn_of(64, 42), other, 1);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N);
	p = audit(f, pg);
	assert_int_equal(p->stats.foreign, 1);
	assert_int_equal(p->stats.suspects, 1);
	assert_int_equal(p->stats.nlisted, 1);
	assert_int_equal(p->stats.listed[0].pfn, pfn_of(64, 42));
	assert_int_equal(p->stats.listed[0].pgmap_word, other);
	assert_int_equal(p->stats.listed[0].reason, ZD_PAGE_FOREIGN);
	assert_true(p->stats.listed[0].suspect);
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void p2pdma_lower_bound(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_PCI_P2PDMA, 64);
	struct zd_pgmap *p;

	/* Two pci_alloc_p2pmem() allocations: no struct page shows them. */
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N + 2);
	p = audit(f, pg);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_PCI_P2PDMA");
	assert_int_equal(p->judge.expected, 1 + N);
	assert_int_equal(p->judge.delta, 2);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_UNKNOWN);
	assert_true(p->judge.reason[0] != '\0');
}

static void p2pdma_missing_is_certain(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_PCI_P2PDMA, 64);
	struct zd_pgmap *p;

	/* Below a lower bound is missing whatever the allocations. */
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, N);
	p = audit(f, pg);
	assert_verdict(p, 1 + N, -1, ZD_VERDICT_MISSING);
}

static void unknown_type(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, 9, 64);
	struct zd_pgmap *p;

	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N);
	p = audit(f, pg);
	assert_null(p->desc.type_name);
	assert_int_equal(p->desc.type, 9);
	assert_false(p->judge.have_expected);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_UNKNOWN);
	assert_true(p->judge.reason[0] != '\0');
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void ref_unreadable(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	uint64_t data = fh_get_u64(f->fh, pg + FH_PGMAP_REF + 8);
	struct zd_pgmap *p;

	fh_exclude(f->fh, data, FH_PCR_DATA_SIZE);
	p = audit(f, pg);
	assert_non_null(p->desc.ref_error);
	assert_false(p->judge.have_expected);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_UNKNOWN);
	assert_non_null(strstr(p->judge.reason, "percpu_ref unreadable"));
}

static void select_pgmap(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t a = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	uint64_t b = make_pgmap(f, FH_MEMORY_DEVICE_GENERIC, 65);
	struct zd_audit_options one = { .pgmap = b };
	struct zd_audit_options bad = { .pgmap = b + 8 };
	struct zd_error *err;
	struct zd_pgmap *p;

	fh_ref_percpu(f->fh, a + FH_PGMAP_REF, 1 + N);
	fh_ref_percpu(f->fh, b + FH_PGMAP_REF, 1 + N + 1);
	/* Both, sorted by address. */
	audit(f, a);
	assert_int_equal(f->rep->npgmaps, 2);
	assert_int_equal(f->rep->pgmaps[0].desc.addr, a < b ? a : b);
	assert_int_equal(f->rep->pgmaps[1].desc.addr, a < b ? b : a);
	assert_int_equal(zd_report_findings(f->rep), 1);

	p = audit_opts(f, b, &one);
	assert_int_equal(f->rep->npgmaps, 1);
	assert_string_equal(p->desc.type_name, "MEMORY_DEVICE_GENERIC");
	assert_verdict(p, 1 + N, 1, ZD_VERDICT_LEAKED);

	err = fh_try_audit(f, &bad);
	assert_non_null(err);
	assert_int_equal(err->code, ZD_ERR_USAGE);
	zd_error_destroy(err);
}

/*
 * No pgmap registered (a kernel with ZONE_DEVICE and no device): an empty
 * report, no findings.
 * Regression: zd_pgmap_enumerate() once called qsort(NULL, 0, ...) on an
 * empty XArray, which UBSan aborts on.
 */
static void empty_registry(void **ctx)
{
	struct fh_fixture *f = *ctx;
	struct zd_audit_options opts = { 0 };
	struct zd_error *err = fh_try_audit(f, &opts);

	assert_null(err);
	assert_int_equal(f->rep->npgmaps, 0);
	assert_int_equal(zd_report_findings(f->rep), 0);
}

static void waiters(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	uint64_t t1, t2;
	struct zd_pgmap *p;

	fh_ref_atomic(f->fh, pg + FH_PGMAP_REF, 3, 1);
	/* TASK_UNINTERRUPTIBLE (2) in wait_for_completion(). */
	t1 = fh_add_waiter(f->fh, pg, 4242, "ndctl", 2);
	t2 = fh_add_waiter(f->fh, pg, 77, "a-very-long-comm-name", 2);
	p = audit(f, pg);
	assert_verdict(p, 0, 1, ZD_VERDICT_LEAKED);
	assert_int_equal(p->nwaiters, 2);
	assert_int_equal(p->waiters[0].task, t1);
	assert_int_equal(p->waiters[0].pid, 4242);
	assert_string_equal(p->waiters[0].comm, "ndctl");
	assert_int_equal(p->waiters[0].state, 2);
	assert_int_equal(p->waiters[1].task, t2);
	assert_int_equal(p->waiters[1].pid, 77);
	/* TASK_COMM_LEN 16: 15 characters and the NUL. */
	assert_string_equal(p->waiters[1].comm, "a-very-long-com");
}

/*
 * How long a waiter has been off CPU: sched_info_arrive()
 * (kernel/sched/stats.h) stamps sched_info.last_arrival with rq_clock()
 * at every switch-in; the newest rq->clock of all CPUs is the dump's now
 * (an idle NO_HZ CPU's clock stops).  Values of the real 6.1
 * hung_teardown dump: crash's `runq -t` and `struct task_struct`.
 */
static void waiter_last_ran(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	uint64_t rq = fh_percpu_alloc(f->fh), t1, t2;
	struct zd_pgmap *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	fh_add_member(f->fh, "task_struct", "sched_info", 0x40, 32);
	fh_add_member(f->fh, "sched_info", "last_arrival", 16, 8);
	fh_add_member(f->fh, "rq", "clock", 0, 8);
	fh_add_symbol(f->fh, "runqueues", rq, 8);
	fh_percpu_set(f->fh, rq, 0, 7633248473ULL);
	fh_percpu_set(f->fh, rq, 1, 7652787252ULL);
	fh_ref_atomic(f->fh, pg + FH_PGMAP_REF, 3, 1);
	t1 = fh_add_waiter(f->fh, pg, 112, "init", 2);
	fh_put_u64(f->fh, t1 + 0x40 + 16, 3748784097ULL);
	/* a stamp after now: shown, but no duration is made of it */
	t2 = fh_add_waiter(f->fh, pg, 113, "late", 2);
	fh_put_u64(f->fh, t2 + 0x40 + 16, 9000000000ULL);
	p = audit(f, pg);
	assert_int_equal(p->nwaiters, 2);
	assert_true(f->rep->have_clock);
	assert_int_equal(f->rep->clock_ns, 7652787252ULL);
	assert_true(p->waiters[0].have_last_ran);
	assert_int_equal(p->waiters[0].last_ran_ns, 3748784097ULL);
	assert_int_equal(f->rep->ntriage, 2);
	out = open_memstream(&buf, &len);
	zd_report_print_text(out, f->rep, 0);
	fclose(out);
	assert_non_null(strstr(
		buf,
		"           off CPU for 3.904 s: last ran at [    3.748784], the dump's newest rq clock is [    7.652787] (sched_info.last_arrival, rq->clock)\n"));
	assert_non_null(strstr(
		buf,
		"           last ran at [    9.000000], after the dump's newest rq clock [    7.652787]: one of them is damaged\n"));
	free(buf);
	buf = NULL;
	out = open_memstream(&buf, &len);
	zd_report_print_json(out, f->rep);
	fclose(out);
	assert_non_null(strstr(buf, "\"clock_ns\": 7652787252,"));
	assert_non_null(strstr(
		buf,
		"\"last_ran_ns\": 3748784097, \"off_cpu_ns\": 3904003155, \"next\""));
	assert_non_null(strstr(
		buf, "\"last_ran_ns\": 9000000000, \"off_cpu_ns\": null"));
	free(buf);
}

/* Without CONFIG_SCHED_INFO (no sched_info) and without rq: nulls. */
static void waiter_no_sched_info(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_pgmap *p;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	fh_ref_atomic(f->fh, pg + FH_PGMAP_REF, 3, 1);
	fh_add_waiter(f->fh, pg, 112, "init", 2);
	p = audit(f, pg);
	assert_false(p->waiters[0].have_last_ran);
	assert_false(f->rep->have_clock);
	out = open_memstream(&buf, &len);
	zd_report_print_json(out, f->rep);
	fclose(out);
	assert_non_null(strstr(buf, "\"clock_ns\": null,"));
	assert_non_null(strstr(
		buf, "\"last_ran_ns\": null, \"off_cpu_ns\": null, \"next\""));
	assert_null(strstr(buf, "off CPU"));
	free(buf);
}

static void json_leaked(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_audit_options opts = { .release = "6.1.0-56-cloud-amd64" };
	char *buf = NULL, want[128];
	size_t len = 0;
	FILE *out;

	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N + 3);
	audit_opts(f, pg, &opts);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	zd_report_print_json(out, f->rep);
	fclose(out);

	assert_non_null(strstr(buf, "\"tool\": \"zdref\""));
	assert_non_null(strstr(buf, "\"version\": \"" ZDREF_VERSION "\""));
	assert_non_null(strstr(buf, "\"release\": \"6.1.0-56-cloud-amd64\""));
	assert_non_null(strstr(buf, "\"model\": \"v6.1\""));
	snprintf(want, sizeof(want), "\"address\": \"0x%llx\"",
		 (unsigned long long)pg);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\"type\": \"MEMORY_DEVICE_FS_DAX\""));
	snprintf(want, sizeof(want), "\"start\": \"0x%llx\", \"end\": \"0x%llx\"",
		 (unsigned long long)(pfn_of(64, 0) << 12),
		 (unsigned long long)((pfn_of(64, N) << 12) - 1));
	assert_non_null(strstr(buf, want));
	snprintf(want, sizeof(want), "\"pages\": %d", N);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\"mode\": \"percpu\""));
	snprintf(want, sizeof(want), "\"count\": %d", 1 + N + 3);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\"switching\": false"));
	snprintf(want, sizeof(want), "\"expected\": %d", 1 + N);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\"delta\": 3"));
	assert_non_null(strstr(buf, "\"verdict\": \"leaked\""));
	snprintf(want, sizeof(want), "\"0\": 0, \"1\": %d, \"2+\": 0", N);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "\"unreadable\": 0"));
	assert_non_null(strstr(buf, "\"suspects\": []"));
	free(buf);
}

static void registry_mismatch(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_pgmap *p;

	/* pgmap_array maps 16 more pfns to it than its ranges hold. */
	fh_xa_store_range(f->fh, fh_symbol_addr(f->fh, "pgmap_array"),
			  pfn_of(66, 0), pfn_of(66, 15), pg);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N);
	p = audit(f, pg);
	assert_true(p->desc.registry_mismatch);
	assert_verdict(p, 1 + N, 0, ZD_VERDICT_OK);
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void listing_limits(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	struct zd_audit_options two = { .max_listed = 2 };
	struct zd_pgmap *p;

	/* 200 suspects: the list grows past its first allocation. */
	for (uint64_t i = 0; i < 200; i++)
		fh_page_set(f->fh, pfn_of(64, 3 * i), pg, 2);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N);
	p = audit(f, pg);
	assert_int_equal(p->stats.suspects, 200);
	assert_int_equal(p->stats.nlisted, 200);
	assert_int_equal(p->stats.listed_dropped, 0);
	for (uint64_t i = 0; i < 200; i++)
		assert_int_equal(p->stats.listed[i].pfn, pfn_of(64, 3 * i));

	p = audit_opts(f, pg, &two);
	assert_int_equal(p->stats.suspects, 200);
	assert_int_equal(p->stats.nlisted, 2);
	assert_int_equal(p->stats.listed_dropped, 198);
}

static void text_detail(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f, FH_MEMORY_DEVICE_FS_DAX, 64);
	char *buf = NULL, want[96];
	size_t len = 0;
	FILE *out;

	fh_page_set(f->fh, pfn_of(64, 9), pg, 0);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + N + 3);
	audit(f, pg);
	out = open_memstream(&buf, &len);
	assert_non_null(out);
	zd_report_print_text(out, f->rep, 0);
	zd_report_print_text(out, f->rep, ZD_TEXT_DETAIL);
	fclose(out);
	/* crash conventions: hex without 0x. */
	snprintf(want, sizeof(want), "%llx: 3 references leaked",
		 (unsigned long long)pg);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "VERDICT: leaked"));
	snprintf(want, sizeof(want), "TRUE COUNT: %d", 1 + N + 3);
	assert_non_null(strstr(buf, want));
	assert_non_null(strstr(buf, "SUSPECT PAGES:"));
	free(buf);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fh_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(healthy_fsdax),
		T(leaked_fsdax),
		T(missing_fsdax),
		T(suspect_pages),
		T(private_idle_allocated),
		T(private_missing),
		T(private_unreadable),
		T(dead_after_teardown_leaked),
		T(warn_state),
		T(foreign_page),
		T(p2pdma_lower_bound),
		T(p2pdma_missing_is_certain),
		T(unknown_type),
		T(ref_unreadable),
		T(select_pgmap),
		T(waiters),
		T(waiter_last_ran),
		T(waiter_no_sched_info),
		T(json_leaked),
		T(registry_mismatch),
		T(listing_limits),
		T(text_detail),
		/* Last: UBSan aborts the binary on the lib bug it hits. */
		T(empty_registry),
	};

	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
