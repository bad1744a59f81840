// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A live kernel (zd_memory.live, /proc/kcore) moves while zdref reads it:
 * a pgmap whose count moves during its walk is walked again, and one that
 * never settles is unknown; kcore's zero-filled reads are never refcount 0;
 * a page that looks suspect is read again before it is reported.
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

/* The fake memory, with a hook run after each read. */
struct moving {
	struct fakehost *fh;
	struct zd_memory orig;
	uint64_t ref; /* struct percpu_ref of the pgmap */
	int bumps; /* how many reads of the ref still move its count */
	uint64_t page; /* a struct page that heals after its first read */
	int page_reads;
};

static struct moving mv;

static struct zd_error *moving_read(void *arg, uint64_t addr, void *buf,
				    size_t len)
{
	struct moving *m = arg;
	struct zd_error *err = m->orig.read(m->orig.arg, addr, buf, len);

	if (err)
		return err;
	if (addr == m->ref && m->bumps) {
		/* Another CPU takes a reference: this CPU's counter moves. */
		uint64_t pcp = fh_get_u64(m->fh, m->ref) & ~3ULL;
		uint64_t c0 = pcp + fh_cpu_offset(m->fh, 0);

		fh_put_u64(m->fh, c0, fh_get_u64(m->fh, c0) + 1);
		if (m->bumps > 0)
			m->bumps--;
	}
	if (m->page && addr <= m->page && m->page < addr + len &&
	    ++m->page_reads == 1) {
		/* The put that brings the page back to idle lands now. */
		fh_put_u32(m->fh, m->page + FH_PAGE_REFCOUNT, 1);
	}
	return NULL;
}

static struct zd_error *moving_info(void *arg, const char *key, char *buf,
				    size_t len)
{
	struct moving *m = arg;

	return m->orig.vmcoreinfo(m->orig.arg, key, buf, len);
}

static int setup(void **ctx)
{
	struct fh_fixture *f;

	if (fh_fixture_setup(ctx))
		return -1;
	f = *ctx;
	fh_setup_6_1(f->fh, 2, 0x3);
	memset(&mv, 0, sizeof(mv));
	mv.fh = f->fh;
	mv.orig = f->fh->host.mem;
	f->fh->host.mem.arg = &mv;
	f->fh->host.mem.read = moving_read;
	f->fh->host.mem.vmcoreinfo = moving_info;
	f->fh->host.mem.live = true;
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

static void settles(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f->fh, 64 * SEC);
	struct zd_pgmap *p;
	char *buf;

	mv.ref = pg + FH_PGMAP_REF;
	mv.bumps = 2; /* moves during the first two walks, then holds */
	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->desc.ref.count, 1 + N + 2);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_LEAKED);
	assert_int_equal(p->judge.delta, 2);
	assert_int_equal(p->stats.pages, N); /* one walk's worth, not three */
	assert_int_equal(p->stats.refcounts[2], N);
	buf = fh_json(f->rep);
	assert_non_null(strstr(buf, "\"source\": \"live\""));
	free(buf);
}

static void never_settles(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg = make_pgmap(f->fh, 64 * SEC);
	struct zd_pgmap *p;

	mv.ref = pg + FH_PGMAP_REF;
	mv.bumps = -1;
	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->judge.verdict, ZD_VERDICT_UNKNOWN);
	assert_false(p->judge.have_expected);
	assert_non_null(strstr(p->judge.reason, "changed during the audit"));
	assert_int_equal(zd_report_findings(f->rep), 1);
}

/* kcore zero-fills what it cannot map: unreadable, never refcount 0. */
static void zeroed_page(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 64 * SEC;
	uint64_t pg = make_pgmap(f->fh, first);
	uint8_t zero[FH_PAGE_SIZE] = { 0 };
	struct zd_pgmap *p;

	fh_put(f->fh, fh_page_addr(first + 7), zero, sizeof(zero));
	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->stats.unreadable, 1);
	assert_int_equal(p->stats.refcounts[1], 0);
	assert_int_equal(p->stats.suspects, 0);
	/* FS_DAX 6.1: the count is the setup references, it stands. */
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_non_null(strstr(p->judge.reason, "/proc/kcore"));
}

/* A page caught between get and put is read again: no suspect. */
static void suspect_read_again(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t first = 64 * SEC;
	uint64_t pg = make_pgmap(f->fh, first);
	struct zd_pgmap *p;

	fh_put_u32(f->fh, fh_page_addr(first + 9) + FH_PAGE_REFCOUNT, 0);
	mv.page = fh_page_addr(first + 9);
	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->stats.suspects, 0);
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_int_equal(zd_report_findings(f->rep), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fh_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(settles),
		T(never_settles),
		T(zeroed_page),
		T(suspect_read_again),
	};

	return cmocka_run_group_tests_name("live", tests, NULL, NULL);
}
