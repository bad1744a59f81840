// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Busy is not suspect: DAX pages under legitimate use, their holders, and
 * the tasks a DAX layout break leaves waiting on one page.
 *
 * Each test writes the page state the kernel leaves after the use named
 * in it (dax-warn-printk.md §1, read from fs/dax.c, mm/gup.c and
 * mm/memremap.c of 6.1 and 6.19) and asserts the class of every page,
 * the holder named, the verdict and the report's exit status.
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
#define PIN_BIAS 1024 /* GUP_PIN_COUNTING_BIAS, include/linux/mm.h */

/* Our own layout of the inode chain (offsets need not be the kernel's). */
#define AS_HOST 0
#define AS_SIZE 64
#define INODE_MAPPING 0x30
#define INODE_SB 0x28
#define INODE_INO 0x40
#define INODE_SIZE 0x100
#define SB_ID 0x60
#define SB_SIZE 0x100
/* kernel/sched/wait_bit.c: WAIT_TABLE_BITS 8 */
#define BWT_SIZE 256
#define WQH_SIZE 24 /* spinlock_t lock; struct list_head head */
#define WBQ_SIZE \
	64 /* key {flags, bit_nr, timeout}; wq_entry {flags, private, func, entry} */

static int setup(void **ctx)
{
	return fh_fixture_setup(ctx);
}

static void file_layout(struct fakehost *fh)
{
	fh_add_type(fh, "address_space", AS_SIZE);
	fh_add_member(fh, "address_space", "host", AS_HOST, 8);
	fh_add_type(fh, "inode", INODE_SIZE);
	fh_add_member(fh, "inode", "i_sb", INODE_SB, 8);
	fh_add_member(fh, "inode", "i_mapping", INODE_MAPPING, 8);
	fh_add_member(fh, "inode", "i_ino", INODE_INO, 8);
	fh_add_type(fh, "super_block", SB_SIZE);
	fh_add_member(fh, "super_block", "s_id", SB_ID, 32);
}

/* An inode on a superblock named dev; returns its address_space (i_data). */
static uint64_t make_file(struct fakehost *fh, uint64_t ino, const char *dev)
{
	uint64_t sb = fh_alloc(fh, SB_SIZE, 64);
	uint64_t inode = fh_alloc(fh, INODE_SIZE, 64);
	uint64_t as = fh_alloc(fh, AS_SIZE, 64);
	char id[32] = { 0 };

	strncpy(id, dev, sizeof(id) - 1);
	fh_put(fh, sb + SB_ID, id, sizeof(id));
	fh_put_u64(fh, inode + INODE_SB, sb);
	fh_put_u64(fh, inode + INODE_INO, ino);
	fh_put_u64(fh, inode + INODE_MAPPING, as);
	fh_put_u64(fh, as + AS_HOST, inode);
	return as;
}

/* fs/dax.c dax_associate_entry(): page->mapping, page->index. */
static void associate(struct fakehost *fh, uint64_t pfn, uint64_t mapping,
		      uint64_t index)
{
	fh_put_u64(fh, fh_page_addr(pfn) + 24, mapping);
	fh_put_u64(fh, fh_page_addr(pfn) + 32, index);
}

static void set_refcount(struct fakehost *fh, uint64_t pfn, int32_t v)
{
	fh_put_u32(fh, fh_page_addr(pfn) + FH_PAGE_REFCOUNT, (uint32_t)v);
}

static void set_mapcount(struct fakehost *fh, uint64_t pfn, int32_t raw)
{
	fh_put_u32(fh, fh_page_addr(pfn) + FH_PAGE_MAPCOUNT, (uint32_t)raw);
}

static uint64_t make_pgmap(struct fakehost *fh, int32_t type, uint64_t first,
			   int32_t idle)
{
	struct fh_pgmap spec = {
		.type = type,
		.nr_range = 1,
		.start = { first << 12 },
		.end = { ((first + N) << 12) - 1 },
	};
	uint64_t pg = fh_pgmap_create(fh, &spec);

	fh_pages_populate(fh, pg, first, N, idle);
	/* memremap_pages(): percpu_ref_get_many(pfn_len) for FS_DAX */
	fh_ref_percpu(fh, pg + FH_PGMAP_REF, 1 + N);
	return pg;
}

static const struct zd_page *listed(const struct zd_pgmap *p, uint64_t pfn)
{
	for (size_t i = 0; i < p->stats.nlisted; i++)
		if (p->stats.listed[i].pfn == pfn)
			return &p->stats.listed[i];
	fail_msg("pfn %#llx not listed", (unsigned long long)pfn);
	return NULL;
}

/*
 * 6.1 ext4 -o dax: faulted pages stay at 1 with the file's mapping; a
 * vmsplice'd page (FOLL_GET) is at 2, an O_DIRECT page of 6.12 (FOLL_PIN)
 * at 1 + 1024, a reflink-shared page has mapping 0x1.  All busy, none a
 * finding; the holder is named by inode, offset and s_id.
 */
static void fsdax_6_1_busy(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC;
	struct zd_audit_options all = { .all_pages = true };
	uint64_t pg, as;
	const struct zd_page *p;
	struct zd_pgmap *pm;
	char *buf;

	fh_setup_6_1(f->fh, 4, 0xf);
	file_layout(f->fh);
	pg = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX, d, 1);
	as = make_file(f->fh, 12, "pmem0");
	for (uint64_t i = 0; i < 8; i++)
		associate(f->fh, d + 16 + i, as, i); /* mapped: still idle */
	set_refcount(f->fh, d + 17, 2); /* vmsplice: +1 */
	set_refcount(f->fh, d + 18, 1 + PIN_BIAS); /* FOLL_PIN */
	associate(f->fh, d + 40, 0x1, 2); /* PAGE_MAPPING_DAX_SHARED */
	set_refcount(f->fh, d + 40, 3);

	pm = fh_audit(f, pg, &all);
	assert_int_equal(pm->judge.verdict, ZD_VERDICT_OK);
	assert_int_equal(pm->judge.delta, 0);
	assert_int_equal(pm->stats.busy, 3);
	assert_int_equal(pm->stats.suspects, 0);
	assert_int_equal(pm->stats.nlisted, 3);
	assert_int_equal(zd_report_findings(f->rep), 0);
	p = listed(pm, d + 17);
	assert_false(p->suspect);
	assert_int_equal(p->reason, ZD_PAGE_BUSY);
	assert_int_equal(p->holder.kind, ZD_HOLDER_FILE);
	assert_int_equal(p->holder.mapping, as);
	assert_int_equal(p->holder.ino, 12);
	assert_int_equal(p->holder.index, 1);
	assert_int_equal(p->holder.offset, 0x1000);
	assert_string_equal(p->holder.device, "pmem0");
	assert_int_equal(p->pincount, -1); /* order-0: the kernel keeps none */
	p = listed(pm, d + 18);
	assert_int_equal(p->refcount, 1 + PIN_BIAS);
	assert_int_equal(p->holder.ino, 12);
	assert_int_equal(p->holder.index, 2);
	p = listed(pm, d + 40);
	assert_int_equal(p->holder.kind, ZD_HOLDER_SHARED);
	assert_int_equal(p->holder.index, 2);

	buf = fh_json(f->rep);
	assert_non_null(strstr(buf, "\"holder\": {\"kind\": \"file\""));
	assert_non_null(strstr(
		buf,
		"\"inode\": 12, \"device\": \"pmem0\", \"index\": 1, \"offset\": \"0x1000\""));
	assert_non_null(strstr(buf, "\"suspects\": []"));
	free(buf);
}

/*
 * Suspects: above idle with no file, a mapping whose host inode does not
 * point back, a page put once too often (FS_DAX never reaches 0 before
 * 6.15: __put_devmap_managed_page_refs() wakes at 1), a DAX page mapped
 * in the rmap (6.1 inserts DAX PTEs without rmap), and a page held after
 * the pgmap was killed.
 */
static void fsdax_6_1_suspects(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC;
	uint64_t pg, as, bogus;
	struct zd_pgmap *pm;

	fh_setup_6_1(f->fh, 4, 0xf);
	file_layout(f->fh);
	pg = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX, d, 1);
	as = make_file(f->fh, 13, "pmem1");
	bogus = fh_alloc(f->fh, AS_SIZE, 64);
	fh_put_u64(f->fh, bogus + AS_HOST, fh_alloc(f->fh, INODE_SIZE, 64));
	set_refcount(f->fh, d + 1, 2); /* no mapping */
	associate(f->fh, d + 2, bogus, 0);
	set_refcount(f->fh, d + 2, 2);
	associate(f->fh, d + 3, as, 3);
	set_refcount(f->fh, d + 3, 0);
	associate(f->fh, d + 4, as, 4);
	set_mapcount(f->fh, d + 4, 1); /* mapped twice, refcount 1 */

	pm = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(pm->stats.suspects, 4);
	assert_int_equal(pm->stats.busy, 0);
	assert_int_equal(listed(pm, d + 1)->reason, ZD_PAGE_NO_OWNER);
	assert_int_equal(listed(pm, d + 2)->reason, ZD_PAGE_BAD_MAPPING);
	assert_int_equal(listed(pm, d + 3)->reason, ZD_PAGE_REFCOUNT);
	assert_int_equal(listed(pm, d + 4)->reason, ZD_PAGE_MAPCOUNT);
	assert_int_equal(pm->judge.verdict, ZD_VERDICT_OK);
	assert_int_equal(zd_report_findings(f->rep), 1);
}

static void fsdax_6_1_busy_after_kill(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC;
	uint64_t pg, as;
	struct zd_pgmap *pm;

	fh_setup_6_1(f->fh, 4, 0xf);
	file_layout(f->fh);
	pg = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX, d, 1);
	as = make_file(f->fh, 14, "pmem0");
	associate(f->fh, d + 5, as, 0);
	set_refcount(f->fh, d + 5, 2);
	/* memunmap_pages(): kill, put_many(pfn_len); the switch completed */
	fh_ref_atomic(f->fh, pg + FH_PGMAP_REF, FH_PERCPU_REF_DEAD | 1, 0);

	pm = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(pm->judge.verdict, ZD_VERDICT_OK);
	assert_int_equal(pm->stats.suspects, 1);
	assert_int_equal(listed(pm, d + 5)->reason, ZD_PAGE_DEAD);
}

/*
 * 6.15+: a mapping holds a reference and a mapcount (dax_fault_iter():
 * folio_ref_inc + vmf_insert_page_mkwrite); busy = refcount - mapcount.
 */
static void fsdax_6_15_mapped(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC;
	struct zd_audit_options all = { .all_pages = true };
	uint64_t pg, as;
	struct zd_pgmap *pm;

	fh_setup_era(f->fh, FH_ERA_6_15, 2, 3);
	file_layout(f->fh);
	pg = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX, d, 0);
	as = make_file(f->fh, 20, "pmem0");
	associate(f->fh, d + 0, as, 0); /* associated, unmapped: idle 0 */
	associate(f->fh, d + 1, as, 1); /* mapped once */
	set_refcount(f->fh, d + 1, 1);
	set_mapcount(f->fh, d + 1, 0);
	associate(f->fh, d + 2, as, 2); /* mapped once + one GUP */
	set_refcount(f->fh, d + 2, 2);
	set_mapcount(f->fh, d + 2, 0);
	associate(f->fh, d + 3, as, 3); /* mapped twice, one reference */
	set_refcount(f->fh, d + 3, 1);
	set_mapcount(f->fh, d + 3, 1);
	set_refcount(f->fh, d + 4, 1); /* unassociated, held */

	pm = fh_audit(f, pg, &all);
	assert_string_equal(f->rep->model, "v6.15");
	assert_int_equal(pm->stats.busy, 2);
	assert_int_equal(pm->stats.suspects, 2);
	assert_int_equal(listed(pm, d + 1)->reason, ZD_PAGE_BUSY);
	assert_int_equal(listed(pm, d + 2)->holder.ino, 20);
	assert_int_equal(listed(pm, d + 3)->reason, ZD_PAGE_MAPCOUNT);
	assert_int_equal(listed(pm, d + 4)->reason, ZD_PAGE_NO_OWNER);
	assert_int_equal(pm->judge.verdict, ZD_VERDICT_OK);
}

/* A wait_bit_queue_entry on bucket b of bit_wait_table. */
static uint64_t queue_var(struct fakehost *fh, uint64_t table, unsigned int b,
			  uint64_t var, int32_t bit_nr, uint64_t task)
{
	uint64_t head = table + b * WQH_SIZE + 8;
	uint64_t e = fh_alloc(fh, WBQ_SIZE, 8);
	uint64_t prev = fh_get_u64(fh, head + 8);

	fh_put_u64(fh, e + 0, var); /* key.flags */
	fh_put_u32(fh, e + 8, (uint32_t)bit_nr); /* key.bit_nr */
	fh_put_u64(fh, e + 32, task); /* wq_entry.private */
	/* list_add_tail(&wq_entry.entry, &head) */
	fh_put_u64(fh, e + 48, head);
	fh_put_u64(fh, e + 56, prev);
	fh_put_u64(fh, prev, e + 48);
	fh_put_u64(fh, head + 8, e + 48);
	return e;
}

static uint64_t wait_table(struct fakehost *fh)
{
	uint64_t t = fh_alloc(fh, BWT_SIZE * WQH_SIZE, 64);

	for (unsigned int b = 0; b < BWT_SIZE; b++) {
		uint64_t head = t + b * WQH_SIZE + 8;

		fh_put_u64(fh, head, head); /* INIT_LIST_HEAD */
		fh_put_u64(fh, head + 8, head);
	}
	fh_add_symbol(fh, "bit_wait_table", t, BWT_SIZE * WQH_SIZE);
	fh_add_type(fh, "wait_queue_head", WQH_SIZE);
	fh_add_member(fh, "wait_queue_head", "lock", 0, 4);
	fh_add_member(fh, "wait_queue_head", "head", 8, 16);
	fh_add_type(fh, "wait_bit_queue_entry", WBQ_SIZE);
	fh_add_member(fh, "wait_bit_queue_entry", "key", 0, 24);
	fh_add_member(fh, "wait_bit_queue_entry", "wq_entry", 24, 40);
	fh_add_member(fh, "wait_bit_key", "flags", 0, 8);
	fh_add_member(fh, "wait_bit_key", "bit_nr", 8, 4);
	fh_add_member(fh, "wait_queue_entry", "private", 8, 8);
	fh_add_member(fh, "wait_queue_entry", "entry", 24, 16);
	return t;
}

static uint64_t make_task(struct fakehost *fh, int32_t pid, const char *comm,
			  uint32_t state)
{
	uint64_t task = fh_alloc(fh, FH_TASK_SIZE, 64);
	char name[16] = { 0 };

	strncpy(name, comm, sizeof(name) - 1);
	fh_put_u32(fh, task + FH_TASK_PID, (uint32_t)pid);
	fh_put(fh, task + FH_TASK_COMM, name, sizeof(name));
	fh_put_u32(fh, task + FH_TASK_STATE, state);
	return task;
}

/*
 * ext4_break_layouts() on 6.1: ___wait_var_event(&page->_refcount, ...)
 * while a pipe holds the page.  The task is named with the page it waits
 * for; a bit waiter (wait_on_bit, bit_nr >= 0) on the same table is not.
 */
static void dax_layout_waiter(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC;
	uint64_t pg, as, table, task, other;
	struct zd_pgmap *pm;
	const struct zd_waiter *w;
	char *buf;

	fh_setup_6_1(f->fh, 4, 0xf);
	file_layout(f->fh);
	table = wait_table(f->fh);
	pg = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX, d, 1);
	as = make_file(f->fh, 12, "pmem0");
	associate(f->fh, d + 0x100, as, 7);
	set_refcount(f->fh, d + 0x100, 2);
	task = make_task(f->fh, 812, "truncate", 1);
	other = make_task(f->fh, 5, "kworker/0:1", 2);
	queue_var(f->fh, table, 17, fh_page_addr(d + 0x100) + FH_PAGE_REFCOUNT,
		  -1, task);
	queue_var(f->fh, table, 17, fh_page_addr(d + 0x101), 3, other);
	queue_var(f->fh, table, 200, 0xffff888123456780ULL, -1, other);

	pm = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(pm->judge.verdict, ZD_VERDICT_OK);
	assert_int_equal(zd_report_findings(f->rep), 0);
	assert_int_equal(pm->nwaiters, 1);
	w = &pm->waiters[0];
	assert_int_equal(w->on, ZD_WAIT_PAGE);
	assert_int_equal(w->pid, 812);
	assert_string_equal(w->comm, "truncate");
	assert_int_equal(w->state, 1);
	assert_true(w->page_read);
	assert_int_equal(w->page.pfn, d + 0x100);
	assert_int_equal(w->page.refcount, 2);
	assert_int_equal(w->idle, 1);
	assert_int_equal(w->page.holder.ino, 12);
	assert_int_equal(w->page.holder.index, 7);

	buf = fh_json(f->rep);
	assert_non_null(strstr(buf, "\"pid\": 812, \"comm\": \"truncate\""));
	assert_non_null(strstr(buf, "\"on\": \"page\""));
	assert_non_null(strstr(buf, "\"extra\": 1"));
	free(buf);
}

/* A wait list that loops back on itself ends the walk, not the run. */
static void dax_layout_waiter_cycle(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t d = 64 * SEC;
	uint64_t pg, table, task, e;
	struct zd_pgmap *pm;

	fh_setup_6_1(f->fh, 4, 0xf);
	table = wait_table(f->fh);
	pg = make_pgmap(f->fh, FH_MEMORY_DEVICE_FS_DAX, d, 1);
	task = make_task(f->fh, 9, "t", 1);
	e = queue_var(f->fh, table, 3, fh_page_addr(d) + FH_PAGE_REFCOUNT, -1,
		      task);
	fh_put_u64(f->fh, e + 48, e + 48); /* entry.next -> itself */

	pm = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(pm->judge.verdict, ZD_VERDICT_OK);
	assert_int_equal(pm->nwaiters, 0);
}

/*
 * 6.19: an allocated order-9 folio whose tails are filtered out of the
 * dump is still decidable: head and page[1] (the order) are readable and
 * tails carry no references (free_zone_device_folio() puts
 * folio_nr_pages() at the head).  Its memmap is 8 memory pages; the
 * first, with head and page[1], stays in the dump.
 */
static void folio_6_19_absent_tails(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t v = 64 * SEC, per_page = 4096 / FH_PAGE_SIZE;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_PRIVATE,
		.nr_range = 1,
		.start = { v << 12 },
		.end = { ((v + N) << 12) - 1 },
	};
	uint64_t pg, flags = 4ULL << 58;
	struct zd_pgmap *pm;

	fh_setup_era(f->fh, FH_ERA_6_19, 2, 3);
	pg = fh_pgmap_create(f->fh, &spec);
	fh_pages_populate(f->fh, pg, v, N, 0);
	fh_page_set(f->fh, v, pg, 1);
	fh_put_u64(f->fh, fh_page_addr(v) + FH_PAGE_FLAGS,
		   flags | (1ULL << FH_PG_HEAD_6_19));
	for (uint64_t i = 1; i < 512; i++)
		fh_page_set(f->fh, v + i, fh_page_addr(v) | 1, 0);
	fh_put_u64(f->fh, fh_page_addr(v + 1) + FH_PAGE_FLAGS, flags | 9);
	fh_exclude(f->fh, fh_page_addr(v + per_page),
		   (512 - per_page) * FH_PAGE_SIZE);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + 512);

	pm = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(pm->stats.unreadable, 0);
	assert_int_equal(pm->stats.alloc_refs, 512);
	assert_int_equal(pm->judge.verdict, ZD_VERDICT_OK);
	assert_true(pm->judge.have_expected);
	assert_int_equal(pm->judge.expected, 1 + 512);

	/* A free page outside the folio filtered out too: that one counts. */
	fh_exclude(f->fh, fh_page_addr(v + 512), 4096);
	pm = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(pm->stats.unreadable, per_page);
	assert_int_equal(pm->judge.verdict, ZD_VERDICT_UNKNOWN);
	assert_false(pm->judge.have_expected);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, fh_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(fsdax_6_1_busy),
		T(fsdax_6_1_suspects),
		T(fsdax_6_1_busy_after_kill),
		T(fsdax_6_15_mapped),
		T(dax_layout_waiter),
		T(dax_layout_waiter_cycle),
		T(folio_6_19_absent_tails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
