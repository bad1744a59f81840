// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log reader (lib/printk.c) over rings written in fake kernel
 * memory by small models of the kernel's own writers:
 *
 *   lockless  prb_reserve() / prb_reserve_in_last() / prb_commit() /
 *             prb_final_commit() of kernel/printk/printk_ringbuffer.c
 *             (6.1, 6.12): desc_reserve() pushing the descriptor tail,
 *             data_alloc()/data_realloc() with get_next_lpos() and
 *             data_push_tail() making the oldest records reusable, the
 *             bootstrap of _DEFINE_PRINTKRB()
 *   record    log_store() of kernel/printk/printk.c (4.x/5.x):
 *             log_make_free_space(), the zero-length wrap marker
 *
 * Each model keeps the truth (which records the kernel still holds, and
 * their text) from its own construction; the reader must give exactly
 * those, then the rings are torn by hand and the reader must skip and
 * count, never loop.  Layouts are the real x86_64 ones (6.1 VMCOREINFO
 * values in dax-warn-printk.md §3.1; struct printk_log of 4.x/5.x).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "zdref/log.h"
#include "internal.h"
#include "fakehost.h"

#define MAX_TRUTH 4096
#define TEXT_MAX 2100

/* 6.1 x86_64 (VMCOREINFO of the Debian dumps) */
#define RB_SIZE 88
#define RB_DESC_RING 0
#define RB_TEXT_RING 48
#define DR_SIZE 48
#define DR_COUNT_BITS 0
#define DR_DESCS 8
#define DR_INFOS 16
#define DR_HEAD_ID 24
#define DR_TAIL_ID 32
#define TR_SIZE 32
#define TR_SIZE_BITS 0
#define TR_DATA 8
#define TR_HEAD 16
#define TR_TAIL 24
#define DESC_SIZE 24
#define DESC_SV 0
#define DESC_BEGIN 8
#define DESC_NEXT 16
#define INFO_SIZE 88
#define INFO_SEQ 0
#define INFO_TS 8
#define INFO_TEXT_LEN 16
#define INFO_FACILITY 18
#define INFO_FLAGS_LEVEL 19
#define INFO_CALLER 20

/* printk_ringbuffer.h */
#define SV_SHIFT 62
#define ID_MASK (~(3ULL << SV_SHIFT))
#define SV(id, st) ((uint64_t)(st) << SV_SHIFT | (id))
#define ST_RESERVED 0
#define ST_COMMITTED 1
#define ST_FINALIZED 2
#define ST_REUSABLE 3
#define FAILED_LPOS 1ULL
#define EMPTY_LPOS 3ULL

/* kernel/printk/internal.h */
#define LOG_NEWLINE 2
#define LOG_CONT 8

struct truth {
	uint64_t seq, ts;
	uint32_t caller;
	int level;
	unsigned int flags;
	bool live;
	size_t len;
	char text[TEXT_MAX];
};

struct got {
	struct zd_log_record r;
	char text[TEXT_MAX];
};

struct fixture {
	struct fakehost *fh;
	struct truth truth[MAX_TRUTH];
	size_t ntruth;
	struct got got[MAX_TRUTH];
	size_t ngot;
	size_t stop_after; /* the callback stops after this many, 0: never */
	struct zd_log_stats st;
};

static int setup(void **ctx)
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

	fh_destroy(f->fh);
	free(f);
	return 0;
}

static int collect(void *arg, const struct zd_log_record *r)
{
	struct fixture *f = arg;
	struct got *g;

	assert_true(f->ngot < MAX_TRUTH);
	assert_true(r->len < TEXT_MAX);
	g = &f->got[f->ngot++];
	g->r = *r;
	memcpy(g->text, r->text, r->len);
	g->text[r->len] = '\0';
	g->r.text = g->text;
	return f->stop_after && f->ngot == f->stop_after;
}

static struct zd_error *read_log(struct fixture *f)
{
	f->ngot = 0;
	return zd_log_read_host(&f->fh->host, collect, f, &f->st);
}

static void read_ok(struct fixture *f)
{
	struct zd_error *err = read_log(f);

	if (err)
		fail_msg("zd_log_read: %s", err->message);
}

static void expect_error(struct fixture *f, enum zd_err_code code)
{
	struct zd_error *err = read_log(f);

	if (!err)
		fail_msg("zd_log_read succeeded, expected error %d", code);
	if (err->code != code)
		fail_msg("error %d (%s), expected %d", err->code, err->message,
			 code);
	zd_error_destroy(err);
}

/* The records zdref gave are exactly the live ones of the truth, in order. */
static void expect_live(struct fixture *f)
{
	size_t g = 0;

	for (size_t i = 0; i < f->ntruth; i++) {
		const struct truth *t = &f->truth[i];

		if (!t->live)
			continue;
		if (g == f->ngot)
			fail_msg("record seq %llu '%s' missing",
				 (unsigned long long)t->seq, t->text);
		assert_int_equal(f->got[g].r.seq, t->seq);
		assert_int_equal(f->got[g].r.ts_nsec, t->ts);
		assert_int_equal(f->got[g].r.len, t->len);
		assert_memory_equal(f->got[g].text, t->text, t->len);
		g++;
	}
	assert_int_equal(f->ngot, g);
	assert_int_equal(f->st.records, g);
}

static size_t live_count(const struct fixture *f)
{
	size_t n = 0;

	for (size_t i = 0; i < f->ntruth; i++)
		n += f->truth[i].live;
	return n;
}

static struct truth *truth_of(struct fixture *f, uint64_t seq)
{
	for (size_t i = 0; i < f->ntruth; i++)
		if (f->truth[i].seq == seq)
			return &f->truth[i];
	fail_msg("no truth for seq %llu", (unsigned long long)seq);
	return NULL;
}

static uint32_t get_u32(struct fakehost *fh, uint64_t addr)
{
	return (uint32_t)fh_get_u64(fh, addr & ~7ULL) >> (addr & 4 ? 32 : 0);
}

/* The lockless ring and its writer */

struct prb {
	struct fixture *f;
	unsigned int cb, sb;
	uint64_t count, size;
	uint64_t rb, descs, infos, data;
	uint64_t head_id, tail_id, head_lpos, tail_lpos;
	unsigned int wraps; /* data blocks that wrapped */
	unsigned int recycled; /* descriptors reused */
};

static void prb_types(struct fakehost *fh)
{
	fh_add_type(fh, "printk_ringbuffer", RB_SIZE);
	fh_add_member(fh, "printk_ringbuffer", "desc_ring", RB_DESC_RING,
		      DR_SIZE);
	fh_add_member(fh, "printk_ringbuffer", "text_data_ring", RB_TEXT_RING,
		      TR_SIZE);
	fh_add_member(fh, "printk_ringbuffer", "fail", 80, 8);
	fh_add_type(fh, "prb_desc_ring", DR_SIZE);
	fh_add_member(fh, "prb_desc_ring", "count_bits", DR_COUNT_BITS, 4);
	fh_add_member(fh, "prb_desc_ring", "descs", DR_DESCS, 8);
	fh_add_member(fh, "prb_desc_ring", "infos", DR_INFOS, 8);
	fh_add_member(fh, "prb_desc_ring", "head_id", DR_HEAD_ID, 8);
	fh_add_member(fh, "prb_desc_ring", "tail_id", DR_TAIL_ID, 8);
	fh_add_type(fh, "prb_data_ring", TR_SIZE);
	fh_add_member(fh, "prb_data_ring", "size_bits", TR_SIZE_BITS, 4);
	fh_add_member(fh, "prb_data_ring", "data", TR_DATA, 8);
	fh_add_member(fh, "prb_data_ring", "head_lpos", TR_HEAD, 8);
	fh_add_member(fh, "prb_data_ring", "tail_lpos", TR_TAIL, 8);
	fh_add_type(fh, "prb_desc", DESC_SIZE);
	fh_add_member(fh, "prb_desc", "state_var", DESC_SV, 8);
	fh_add_member(fh, "prb_desc", "text_blk_lpos", DESC_BEGIN, 16);
	fh_add_type(fh, "prb_data_blk_lpos", 16);
	fh_add_member(fh, "prb_data_blk_lpos", "begin", 0, 8);
	fh_add_member(fh, "prb_data_blk_lpos", "next", 8, 8);
	fh_add_type(fh, "printk_info", INFO_SIZE);
	fh_add_member(fh, "printk_info", "seq", INFO_SEQ, 8);
	fh_add_member(fh, "printk_info", "ts_nsec", INFO_TS, 8);
	fh_add_member(fh, "printk_info", "text_len", INFO_TEXT_LEN, 2);
	fh_add_member(fh, "printk_info", "facility", INFO_FACILITY, 1);
	/* bitfields: the hosts give their storage unit */
	fh_add_member(fh, "printk_info", "flags", INFO_FLAGS_LEVEL, 1);
	fh_add_member(fh, "printk_info", "level", INFO_FLAGS_LEVEL, 1);
	fh_add_member(fh, "printk_info", "caller_id", INFO_CALLER, 4);
	fh_add_member(fh, "printk_info", "dev_info", 24, 64);
}

static uint64_t desc_at(const struct prb *p, uint64_t id)
{
	return p->descs + (id & (p->count - 1)) * DESC_SIZE;
}

static uint64_t info_at(const struct prb *p, uint64_t id)
{
	return p->infos + (id & (p->count - 1)) * INFO_SIZE;
}

static void prb_sync(struct prb *p)
{
	struct fakehost *fh = p->f->fh;

	fh_put_u64(fh, p->rb + RB_DESC_RING + DR_HEAD_ID, p->head_id);
	fh_put_u64(fh, p->rb + RB_DESC_RING + DR_TAIL_ID, p->tail_id);
	fh_put_u64(fh, p->rb + RB_TEXT_RING + TR_HEAD, p->head_lpos);
	fh_put_u64(fh, p->rb + RB_TEXT_RING + TR_TAIL, p->tail_lpos);
}

/*
 * _DEFINE_PRINTKRB(): descs[count - 1] reusable with FAILED lpos is head
 * and tail, infos[0].seq = -count, lpos at BLK0_LPOS.  first_id (index
 * count - 1) stands in for DESC0_ID, to start elsewhere in the id space.
 */
static void prb_init_at(struct prb *p, struct fixture *f, unsigned int cb,
			unsigned int sb, uint64_t first_id)
{
	struct fakehost *fh = f->fh;
	uint64_t prb_ptr;

	memset(p, 0, sizeof(*p));
	p->f = f;
	p->cb = cb;
	p->sb = sb;
	p->count = 1ULL << cb;
	p->size = 1ULL << sb;
	prb_types(fh);
	p->rb = fh_alloc(fh, RB_SIZE, 64);
	p->descs = fh_alloc(fh, p->count * DESC_SIZE, 64);
	p->infos = fh_alloc(fh, p->count * INFO_SIZE, 64);
	p->data = fh_alloc(fh, p->size, 4096);
	prb_ptr = fh_alloc(fh, 8, 8);
	fh_add_symbol(fh, "prb", prb_ptr, 8);
	fh_add_symbol(fh, "printk_rb_static", p->rb, RB_SIZE);
	fh_put_u64(fh, prb_ptr, p->rb);
	fh_put_u32(fh, p->rb + RB_DESC_RING + DR_COUNT_BITS, cb);
	fh_put_u64(fh, p->rb + RB_DESC_RING + DR_DESCS, p->descs);
	fh_put_u64(fh, p->rb + RB_DESC_RING + DR_INFOS, p->infos);
	fh_put_u32(fh, p->rb + RB_TEXT_RING + TR_SIZE_BITS, sb);
	fh_put_u64(fh, p->rb + RB_TEXT_RING + TR_DATA, p->data);
	assert_int_equal(first_id & (p->count - 1), p->count - 1);
	p->head_id = p->tail_id = first_id;
	p->head_lpos = p->tail_lpos = -p->size; /* BLK0_LPOS */
	fh_put_u64(fh, desc_at(p, first_id) + DESC_SV,
		   SV(first_id, ST_REUSABLE));
	fh_put_u64(fh, desc_at(p, first_id) + DESC_BEGIN, FAILED_LPOS);
	fh_put_u64(fh, desc_at(p, first_id) + DESC_NEXT, FAILED_LPOS);
	fh_put_u64(fh, info_at(p, 0) + INFO_SEQ, -p->count);
	prb_sync(p);
}

/* DESC0_ID: DESC_ID(-(_DESCS_COUNT(cb) + 1)) of an unsigned int count */
static void prb_init(struct prb *p, struct fixture *f, unsigned int cb,
		     unsigned int sb)
{
	prb_init_at(p, f, cb, sb, (uint32_t) - ((1U << cb) + 1));
}

static uint64_t get_next_lpos(const struct prb *p, uint64_t lpos, uint64_t size)
{
	uint64_t next = lpos + size;

	if (lpos >> p->sb == next >> p->sb)
		return next;
	/* Wrapping data blocks store their data at the beginning. */
	return (next & ~(p->size - 1)) + size;
}

static bool wraps(const struct prb *p, uint64_t begin, uint64_t next)
{
	return begin >> p->sb != next >> p->sb;
}

static void make_reusable(struct prb *p, uint64_t id)
{
	struct fakehost *fh = p->f->fh;
	uint64_t seq = fh_get_u64(fh, info_at(p, id) + INFO_SEQ);

	fh_put_u64(fh, desc_at(p, id) + DESC_SV, SV(id, ST_REUSABLE));
	truth_of(p->f, seq)->live = false;
}

/* data_push_tail(): the oldest blocks' descriptors become reusable. */
static void data_push_tail(struct prb *p, uint64_t lpos)
{
	struct fakehost *fh = p->f->fh;

	if (lpos & 1)
		return;
	while ((lpos - p->tail_lpos) - 1 < p->size) {
		uint64_t id = fh_get_u64(
			fh, p->data + (p->tail_lpos & (p->size - 1)));
		uint64_t sv = fh_get_u64(fh, desc_at(p, id) + DESC_SV);

		assert_int_equal(sv & ID_MASK, id);
		assert_int_equal(fh_get_u64(fh, desc_at(p, id) + DESC_BEGIN),
				 p->tail_lpos);
		/* the model never pushes past an open (committed) record */
		assert_true(sv >> SV_SHIFT == ST_FINALIZED ||
			    sv >> SV_SHIFT == ST_REUSABLE);
		if (sv >> SV_SHIFT == ST_FINALIZED)
			make_reusable(p, id);
		p->tail_lpos = fh_get_u64(fh, desc_at(p, id) + DESC_NEXT);
	}
}

/* desc_reserve() + desc_push_tail() */
static uint64_t desc_reserve(struct prb *p)
{
	struct fakehost *fh = p->f->fh;
	uint64_t id = (p->head_id + 1) & ID_MASK;

	if (((id - p->count) & ID_MASK) == p->tail_id) {
		uint64_t d = desc_at(p, p->tail_id);
		uint64_t sv = fh_get_u64(fh, d + DESC_SV);

		assert_true(sv >> SV_SHIFT == ST_FINALIZED ||
			    sv >> SV_SHIFT == ST_REUSABLE);
		if (sv >> SV_SHIFT == ST_FINALIZED) {
			uint64_t next = fh_get_u64(fh, d + DESC_NEXT);

			if (next & 1)
				make_reusable(p, p->tail_id);
			else
				data_push_tail(p, next);
		}
		p->tail_id = (p->tail_id + 1) & ID_MASK;
		p->recycled++;
	}
	p->head_id = id;
	fh_put_u64(fh, desc_at(p, id) + DESC_SV, SV(id, ST_RESERVED));
	return id;
}

static uint64_t blk_size(size_t len)
{
	return (8 + len + 7) & ~7ULL;
}

/* data_alloc(): returns where the text goes (ring offset) */
static uint64_t data_alloc(struct prb *p, uint64_t id, size_t len,
			   uint64_t *begin, uint64_t *next)
{
	struct fakehost *fh = p->f->fh;
	uint64_t size;

	if (!len) {
		*begin = *next = EMPTY_LPOS;
		return 0;
	}
	size = blk_size(len);
	assert_true(size <= p->size - 8); /* data_check_size() */
	*begin = p->head_lpos;
	*next = get_next_lpos(p, *begin, size);
	data_push_tail(p, *next - p->size);
	p->head_lpos = *next;
	fh_put_u64(fh, p->data + (*begin & (p->size - 1)), id);
	if (wraps(p, *begin, *next)) {
		fh_put_u64(fh, p->data, id);
		p->wraps++;
		return 8;
	}
	return (*begin & (p->size - 1)) + 8;
}

struct rec {
	const char *text;
	uint64_t ts;
	uint32_t caller;
	int level;
	unsigned int flags;
	bool open; /* prb_commit() instead of prb_final_commit() */
};

/* prb_reserve() + the text + prb_commit()/prb_final_commit() */
static uint64_t prb_write(struct prb *p, const struct rec *r)
{
	struct fixture *f = p->f;
	struct fakehost *fh = f->fh;
	size_t len = strlen(r->text);
	uint64_t id, info, seq, begin, next, off;
	struct truth *t;

	id = desc_reserve(p);
	info = info_at(p, id);
	seq = fh_get_u64(fh, info + INFO_SEQ);
	for (unsigned int i = 0; i < INFO_SIZE; i += 8)
		fh_put_u64(fh, info + i, 0);
	if (seq == 0 && (id & (p->count - 1)) != 0)
		seq = id & (p->count - 1);
	else
		seq += p->count;
	fh_put_u64(fh, info + INFO_SEQ, seq);
	/* the previous record can no longer be extended */
	if (seq > 0) {
		uint64_t prev = desc_at(p, (id - 1) & ID_MASK);
		uint64_t sv = fh_get_u64(fh, prev + DESC_SV);

		if (sv >> SV_SHIFT == ST_COMMITTED)
			fh_put_u64(fh, prev + DESC_SV,
				   SV(sv & ID_MASK, ST_FINALIZED));
	}
	assert_true(f->ntruth < MAX_TRUTH);
	t = &f->truth[f->ntruth++];
	memset(t, 0, sizeof(*t));
	t->seq = seq;
	t->ts = r->ts;
	t->caller = r->caller;
	t->level = r->level;
	t->flags = r->flags;
	t->live = true;
	t->len = len;
	memcpy(t->text, r->text, len);

	off = data_alloc(p, id, len, &begin, &next);
	if (len)
		fh_put(fh, p->data + off, r->text, len);
	fh_put_u64(fh, desc_at(p, id) + DESC_BEGIN, begin);
	fh_put_u64(fh, desc_at(p, id) + DESC_NEXT, next);
	fh_put_u64(fh, info + INFO_TS, r->ts);
	/* text_len, facility 0, flags:5 and level:3 in one u32 */
	fh_put_u32(fh, info + INFO_TEXT_LEN,
		   (uint32_t)len | (uint32_t)(r->level << 5 | r->flags) << 24);
	fh_put_u32(fh, info + INFO_CALLER, r->caller);
	fh_put_u64(fh, desc_at(p, id) + DESC_SV,
		   SV(id, r->open ? ST_COMMITTED : ST_FINALIZED));
	prb_sync(p);
	return id;
}

/*
 * pr_cont() onto the open newest record: prb_reserve_in_last() reopens
 * it, data_realloc() grows its block (copying the text to the ring's
 * start when it now wraps), the text is appended.
 */
static void prb_cont(struct prb *p, const char *more, bool final)
{
	struct fakehost *fh = p->f->fh;
	uint64_t id = p->head_id, d = desc_at(p, id), info = info_at(p, id);
	uint64_t sv = fh_get_u64(fh, d + DESC_SV);
	uint64_t begin = fh_get_u64(fh, d + DESC_BEGIN);
	uint64_t next = fh_get_u64(fh, d + DESC_NEXT);
	uint32_t w = get_u32(fh, info + INFO_TEXT_LEN);
	size_t old = w & 0xffff, add = strlen(more);
	uint64_t seq = fh_get_u64(fh, info + INFO_SEQ);
	bool wrapped = wraps(p, begin, next);
	uint64_t new_next, text_off;
	struct truth *t = truth_of(p->f, seq);

	assert_int_equal(sv >> SV_SHIFT, ST_COMMITTED);
	assert_int_equal(p->head_lpos, next);
	assert_true(old > 0);
	fh_put_u64(fh, d + DESC_SV, SV(id, ST_RESERVED));
	new_next = get_next_lpos(p, begin, blk_size(old + add));
	data_push_tail(p, new_next - p->size);
	p->head_lpos = new_next;
	if (wraps(p, begin, new_next)) {
		fh_put_u64(fh, p->data, id);
		if (!wrapped) {
			char buf[TEXT_MAX];
			uint64_t from = p->data + (begin & (p->size - 1)) + 8;

			for (size_t i = 0; i < old; i++)
				buf[i] = (char)(fh_get_u64(fh, (from + i) &
								       ~7ULL) >>
						((from + i) & 7) * 8);
			fh_put(fh, p->data + 8, buf, old);
			p->wraps++;
		}
		text_off = 8;
	} else {
		text_off = (begin & (p->size - 1)) + 8;
	}
	fh_put(fh, p->data + text_off + old, more, add);
	fh_put_u64(fh, d + DESC_NEXT, new_next);
	fh_put_u32(fh, info + INFO_TEXT_LEN,
		   (w & 0xffff0000U) | (uint32_t)(old + add));
	fh_put_u64(fh, d + DESC_SV,
		   SV(id, final ? ST_FINALIZED : ST_COMMITTED));
	memcpy(t->text + old, more, add);
	t->len = old + add;
	prb_sync(p);
}

static void fill_text(char *buf, size_t len, unsigned int n)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (char)('a' + (n + i) % 26);
	buf[len] = '\0';
}

/* Several records, oldest first, every field. */
static void prb_several(void **ctx)
{
	struct fixture *f = *ctx;
	struct prb p;

	prb_init(&p, f, 12, 17); /* the Debian 6.1 ring: 4096 descs, 128 KiB */
	prb_write(&p, &(struct rec){ "Linux version 6.1.0-57-cloud-amd64", 0,
				     0x80000000, 5, LOG_NEWLINE, false });
	prb_write(
		&p,
		&(struct rec){
			"percpu ref (dev_pagemap_percpu_release) <= 0 (0) after switching to atomic",
			4145573000ULL, 0x80000001, 4, LOG_NEWLINE, false });
	prb_write(&p, &(struct rec){ "line one\nline two", 4146335123ULL, 17, 4,
				     LOG_NEWLINE, false });
	prb_write(&p, &(struct rec){ "", 4146335200ULL, 17, 6, LOG_NEWLINE,
				     false });
	read_ok(f);
	assert_string_equal(f->st.format, "lockless");
	expect_live(f);
	assert_int_equal(f->st.records, 4);
	assert_int_equal(f->st.skipped, 0);
	assert_int_equal(f->st.lost, 1); /* the bootstrap descriptor */
	assert_int_equal(f->got[0].r.seq, 0);
	assert_true(f->got[0].r.have_caller);
	assert_int_equal(f->got[0].r.caller_id, 0x80000000);
	assert_int_equal(f->got[0].r.level, 5);
	assert_int_equal(f->got[0].r.facility, 0);
	assert_int_equal(f->got[0].r.flags, LOG_NEWLINE);
	assert_false(f->got[0].r.open);
	assert_int_equal(f->got[2].r.caller_id, 17);
	assert_int_equal(f->got[3].r.len, 0);
	assert_int_equal(f->got[3].r.level, 6);
}

/* The callback stops the walk: no error, no more records. */
static void prb_callback_stops(void **ctx)
{
	struct fixture *f = *ctx;
	char text[32];
	struct prb p;

	prb_init(&p, f, 4, 10);
	for (unsigned int i = 0; i < 8; i++) {
		fill_text(text, 10, i);
		prb_write(&p,
			  &(struct rec){ text, i, i, 6, LOG_NEWLINE, false });
	}
	f->stop_after = 3;
	read_ok(f);
	assert_int_equal(f->ngot, 3);
	assert_int_equal(f->st.records, 3);
}

/*
 * A small ring written round many times: descriptors recycled (the head
 * wrapped around the descriptor array), data blocks wrapped (stored at
 * the ring's start, padding at its end), old records overwritten and
 * reusable descriptors left in the window.  Exactly the live ones come
 * out, in order.
 */
static void prb_wrapped(void **ctx)
{
	struct fixture *f = *ctx;
	char text[128];
	struct prb p;

	prb_init(&p, f, 4, 9); /* 16 descriptors, 512 bytes */
	for (unsigned int i = 0; i < 200; i++) {
		fill_text(text, 5 + (i * 37) % 90, i);
		prb_write(&p, &(struct rec){ text, 1000ULL * i, i, i % 8,
					     LOG_NEWLINE, false });
	}
	assert_true(p.wraps > 5);
	assert_true(p.recycled > 100);
	assert_true(p.head_id > 0xffffffffULL); /* past DESC0_ID's 32 bits */
	read_ok(f);
	expect_live(f);
	assert_true(f->st.records >= 4);
	assert_int_equal(f->st.skipped, 0);
	/* every record is either given or counted lost: none vanishes */
	assert_int_equal(f->st.records + f->st.lost,
			 ((p.head_id - p.tail_id) & ID_MASK) + 1);
	assert_int_equal(f->got[f->ngot - 1].r.seq, 199);
}

/* A block that wraps: its text is read at index 0, after the id. */
static void prb_wrapping_block(void **ctx)
{
	struct fixture *f = *ctx;
	char text[300];
	struct prb p;
	uint64_t id, begin, next;

	prb_init(&p, f, 4, 9);
	fill_text(text, 200, 0);
	prb_write(&p, &(struct rec){ text, 1, 1, 6, LOG_NEWLINE, false });
	fill_text(text, 200, 1);
	prb_write(&p, &(struct rec){ text, 2, 1, 6, LOG_NEWLINE, false });
	fill_text(text, 150, 2); /* does not fit before the end: wraps */
	id = prb_write(&p, &(struct rec){ text, 3, 1, 6, LOG_NEWLINE, false });
	begin = fh_get_u64(f->fh, desc_at(&p, id) + DESC_BEGIN);
	next = fh_get_u64(f->fh, desc_at(&p, id) + DESC_NEXT);
	assert_true(wraps(&p, begin, next));
	assert_int_equal(p.wraps, 1);
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->got[f->ngot - 1].r.len, 150);
	assert_int_equal(f->st.skipped, 0);
}

/* Descriptor ids crossing DESC_ID_MASK (2^62) wrap to 0. */
static void prb_id_space_wraps(void **ctx)
{
	struct fixture *f = *ctx;
	char text[64];
	struct prb p;

	prb_init_at(&p, f, 3, 10, ID_MASK - 2 * 8);
	for (unsigned int i = 0; i < 30; i++) {
		fill_text(text, 20 + i % 7, i);
		prb_write(&p,
			  &(struct rec){ text, i, i, 6, LOG_NEWLINE, false });
	}
	assert_true(p.head_id < p.tail_id || p.head_id < 64);
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 0);
	assert_int_equal(f->got[f->ngot - 1].r.seq, 29);
}

/*
 * pr_cont(): fragments appended to the open newest record while the same
 * caller continues (prb_reserve_in_last()), the record committed but not
 * finalized until the next prb_reserve(); a fragment that could not be
 * appended is its own record with LOG_CONT.  One extension makes the
 * block wrap: its text is copied to the ring's start.
 */
static void prb_continuation(void **ctx)
{
	struct fixture *f = *ctx;
	char text[400];
	struct prb p;
	unsigned int wraps;

	prb_init(&p, f, 4, 9);
	prb_write(&p, &(struct rec){ "Modules linked in:", 10, 5, 4, 0, true });
	prb_cont(&p, " inject(OE)", false);
	prb_cont(&p, " nd_pmem", true);
	prb_write(&p, &(struct rec){ " libnvdimm", 11, 6, 4, LOG_CONT, false });
	read_ok(f);
	expect_live(f);
	assert_string_equal(f->got[0].text,
			    "Modules linked in: inject(OE) nd_pmem");
	assert_int_equal(f->got[1].r.flags, LOG_CONT);
	assert_false(f->got[0].r.open);

	/* The newest record still open: shown, and flagged. */
	prb_write(&p, &(struct rec){ "[", 12, 7, 6, 0, true });
	prb_cont(&p, "0", false);
	read_ok(f);
	expect_live(f);
	assert_true(f->got[f->ngot - 1].r.open);
	assert_string_equal(f->got[f->ngot - 1].text, "[0");

	/* An extension past the end of the ring wraps the block. */
	fill_text(text, 300, 3);
	prb_write(&p, &(struct rec){ text, 13, 8, 6, LOG_NEWLINE, false });
	prb_write(&p, &(struct rec){ "abc", 14, 9, 6, 0, true });
	wraps = p.wraps;
	fill_text(text, 100, 4);
	prb_cont(&p, text, true);
	assert_int_equal(p.wraps, wraps + 1);
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 0);
}

/* Descriptor and record index of the n-th live record's descriptor. */
static uint64_t live_desc(struct prb *p, unsigned int n)
{
	struct fakehost *fh = p->f->fh;

	for (uint64_t id = p->tail_id;; id = (id + 1) & ID_MASK) {
		uint64_t sv = fh_get_u64(fh, desc_at(p, id) + DESC_SV);

		if (sv >> SV_SHIFT != ST_REUSABLE && !n--)
			return id;
		assert_true(id != p->head_id);
	}
}

static void ten_records(struct fixture *f, struct prb *p)
{
	char text[64];

	prb_init(p, f, 4, 11);
	for (unsigned int i = 0; i < 10; i++) {
		fill_text(text, 30, i);
		prb_write(p,
			  &(struct rec){ text, i, i, 6, LOG_NEWLINE, false });
	}
}

/* Mark the truth of a torn record: the reader must not give it. */
static void torn(struct prb *p, uint64_t id)
{
	uint64_t seq = fh_get_u64(p->f->fh, info_at(p, id) + INFO_SEQ);

	truth_of(p->f, seq)->live = false;
}

/* A descriptor holding another id (desc_miss): skipped and counted. */
static void prb_torn_id(void **ctx)
{
	struct fixture *f = *ctx;
	struct prb p;
	uint64_t id;

	ten_records(f, &p);
	id = live_desc(&p, 3);
	fh_put_u64(f->fh, desc_at(&p, id) + DESC_SV,
		   SV(id + 16 * 5, ST_FINALIZED));
	torn(&p, id);
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 1);
	assert_int_equal(f->st.records, 9);
}

/*
 * States: reserved (a writer inside, or reopened) and reusable mid-ring
 * are the kernel's "no text" records, counted lost; not skipped.
 */
static void prb_states(void **ctx)
{
	struct fixture *f = *ctx;
	struct prb p;
	uint64_t a, b;

	ten_records(f, &p);
	a = live_desc(&p, 2);
	b = live_desc(&p, 6);
	fh_put_u64(f->fh, desc_at(&p, a) + DESC_SV, SV(a, ST_RESERVED));
	fh_put_u64(f->fh, desc_at(&p, b) + DESC_SV, SV(b, ST_REUSABLE));
	torn(&p, a);
	torn(&p, b);
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 0);
	assert_int_equal(f->st.lost, 3); /* + the bootstrap descriptor */
}

/* A failed reservation (FAILED_LPOS): lost, like the kernel says. */
static void prb_failed_lpos(void **ctx)
{
	struct fixture *f = *ctx;
	struct prb p;
	uint64_t id;

	ten_records(f, &p);
	id = live_desc(&p, 4);
	fh_put_u64(f->fh, desc_at(&p, id) + DESC_BEGIN, FAILED_LPOS);
	fh_put_u64(f->fh, desc_at(&p, id) + DESC_NEXT, FAILED_LPOS);
	torn(&p, id);
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 0);
	assert_int_equal(f->st.lost, 2);
}

/*
 * lpos no writer leaves: unaligned, next before begin, a block spanning
 * two wraps, beyond head_lpos, behind tail_lpos, shorter than its id.
 * Each is skipped, the others read.
 */
static void prb_torn_lpos(void **ctx)
{
	struct fixture *f = *ctx;
	const struct {
		int64_t dbegin, dnext; /* added to the record's own */
		bool absolute;
		uint64_t begin, next;
	} cases[] = {
		{ 4, 0, false, 0, 0 },
		{ 0, -4, false, 0, 0 },
		{ 0, -48, false, 0, 0 }, /* next before begin */
		{ 0, 3 * 2048, false, 0, 0 }, /* two wraps on */
		{ 400, 400, false, 0, 0 }, /* beyond head_lpos */
		{ -400, -400, false, 0, 0 }, /* behind tail_lpos */
		{ 0, 0, true, 8, 8 },
		{ 0, 0, true, 2, 1 }, /* odd, not both */
	};

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		struct prb p;
		uint64_t id, d;

		fh_destroy(f->fh);
		f->fh = fh_create();
		f->ntruth = 0;
		ten_records(f, &p);
		id = live_desc(&p, 5);
		d = desc_at(&p, id);
		if (cases[c].absolute) {
			fh_put_u64(f->fh, d + DESC_BEGIN, cases[c].begin);
			fh_put_u64(f->fh, d + DESC_NEXT, cases[c].next);
		} else {
			fh_put_u64(f->fh, d + DESC_BEGIN,
				   fh_get_u64(f->fh, d + DESC_BEGIN) +
					   (uint64_t)cases[c].dbegin);
			fh_put_u64(f->fh, d + DESC_NEXT,
				   fh_get_u64(f->fh, d + DESC_NEXT) +
					   (uint64_t)cases[c].dnext);
		}
		torn(&p, id);
		read_ok(f);
		expect_live(f);
		if (f->st.skipped != 1)
			fail_msg("case %zu: skipped %llu", c,
				 (unsigned long long)f->st.skipped);
	}
}

/*
 * Data overwritten under a descriptor that still claims it: the block's
 * id is another record's, or text_len is beyond the block, or the
 * sequence number does not belong to the descriptor's index.
 */
static void prb_torn_data(void **ctx)
{
	struct fixture *f = *ctx;
	struct prb p;
	uint64_t a, b, c, begin;

	ten_records(f, &p);
	a = live_desc(&p, 1);
	b = live_desc(&p, 4);
	c = live_desc(&p, 7);
	begin = fh_get_u64(f->fh, desc_at(&p, a) + DESC_BEGIN);
	fh_put_u64(f->fh, p.data + (begin & (p.size - 1)), a + 1);
	fh_put_u32(f->fh, info_at(&p, b) + INFO_TEXT_LEN, 0x6000ffff);
	fh_put_u64(f->fh, info_at(&p, c) + INFO_SEQ,
		   fh_get_u64(f->fh, info_at(&p, c) + INFO_SEQ) + 1);
	torn(&p, a);
	torn(&p, b);
	/* c's truth is under its old seq */
	for (size_t i = 0; i < f->ntruth; i++)
		if (f->truth[i].seq == 7)
			f->truth[i].live = false;
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 3);
	assert_int_equal(f->st.records, 7);
}

/*
 * Absurd heads and tails: the walk is clamped to one pass over the
 * descriptors (the newest 1 << count_bits ids), never more.
 */
static void prb_absurd_window(void **ctx)
{
	struct fixture *f = *ctx;
	struct prb p;

	ten_records(f, &p);
	/* tail ahead of head: (head - tail) & mask is ~2^62 */
	fh_put_u64(f->fh, p.rb + RB_DESC_RING + DR_TAIL_ID, p.head_id + 5);
	read_ok(f);
	expect_live(f);
	assert_true(f->st.records + f->st.skipped + f->st.lost <= 16);

	/* head a billion ids on: every descriptor a miss, bounded */
	fh_put_u64(f->fh, p.rb + RB_DESC_RING + DR_HEAD_ID,
		   p.head_id + 1000000000ULL);
	read_ok(f);
	assert_int_equal(f->ngot, 0);
	assert_int_equal(f->st.skipped + f->st.lost, 16);

	/* garbage in every field of every descriptor */
	prb_sync(&p);
	for (uint64_t i = 0; i < p.count * DESC_SIZE; i += 8)
		fh_put_u64(f->fh, p.descs + i, 0x9e3779b97f4a7c15ULL * (i + 1));
	read_ok(f);
	assert_int_equal(f->ngot, 0);
	assert_int_equal(f->st.skipped + f->st.lost, 11);
}

/* A control structure no kernel has: refused with one error. */
static void prb_absurd_control(void **ctx)
{
	struct fixture *f = *ctx;
	struct prb p;

	ten_records(f, &p);
	fh_put_u32(f->fh, p.rb + RB_DESC_RING + DR_COUNT_BITS, 40);
	expect_error(f, ZD_ERR_INVALID);
	fh_put_u32(f->fh, p.rb + RB_DESC_RING + DR_COUNT_BITS, 27);
	expect_error(f, ZD_ERR_INVALID);
	/* log_buf_len=2G: 2^26 descriptors, more than zdref reads */
	fh_put_u32(f->fh, p.rb + RB_DESC_RING + DR_COUNT_BITS, 21);
	expect_error(f, ZD_ERR_UNSUPPORTED);
	fh_put_u32(f->fh, p.rb + RB_DESC_RING + DR_COUNT_BITS, 4);
	fh_put_u32(f->fh, p.rb + RB_TEXT_RING + TR_SIZE_BITS, 63);
	expect_error(f, ZD_ERR_INVALID);
	fh_put_u32(f->fh, p.rb + RB_TEXT_RING + TR_SIZE_BITS, 2);
	expect_error(f, ZD_ERR_INVALID);
	fh_put_u32(f->fh, p.rb + RB_TEXT_RING + TR_SIZE_BITS, 11);
	fh_put_u64(f->fh, p.rb + RB_TEXT_RING + TR_DATA, 0);
	expect_error(f, ZD_ERR_INVALID);
	fh_put_u64(f->fh, p.rb + RB_TEXT_RING + TR_DATA, p.data);
	read_ok(f);
	expect_live(f);
	/* prb pointing nowhere */
	fh_put_u64(f->fh, fh_symbol_addr(f->fh, "prb"), 0x1000);
	expect_error(f, ZD_ERR_FAULT);
}

/*
 * count_bits 20 (the largest accepted) over descriptors that are not in
 * the dump: a FAULT error after one bounded pass, not a hang.
 */
static void prb_unreadable_descs(void **ctx)
{
	struct fixture *f = *ctx;
	struct prb p;

	ten_records(f, &p);
	fh_put_u32(f->fh, p.rb + RB_DESC_RING + DR_COUNT_BITS, 20);
	fh_put_u64(f->fh, p.rb + RB_DESC_RING + DR_DESCS,
		   0xffffc90000000000ULL);
	fh_put_u64(f->fh, p.rb + RB_DESC_RING + DR_TAIL_ID, p.head_id + 1);
	expect_error(f, ZD_ERR_FAULT);
	assert_int_equal(f->st.unreadable, 1ULL << 20);
}

/*
 * Part of the text ring excluded (makedumpfile) and part of the
 * descriptors missing: the records there are skipped as unreadable, the
 * rest read around them.
 */
static void prb_partly_unreadable(void **ctx)
{
	struct fixture *f = *ctx;
	char text[256];
	struct prb p;
	uint64_t gone = 0;

	prb_init(&p, f, 6, 14); /* 64 descriptors, 16 KiB */
	for (unsigned int i = 0; i < 60; i++) {
		fill_text(text, 200, i);
		prb_write(&p,
			  &(struct rec){ text, i, i, 6, LOG_NEWLINE, false });
	}
	fh_exclude(f->fh, p.data + 4096, 4096);
	for (size_t i = 0; i < f->ntruth; i++) {
		uint64_t id = 0, begin;

		/* the descriptor of this seq: seq and id share the index */
		id = fh_get_u64(f->fh, desc_at(&p, f->truth[i].seq) + DESC_SV) &
		     ID_MASK;
		begin = fh_get_u64(f->fh, desc_at(&p, id) + DESC_BEGIN) &
			(p.size - 1);
		if (f->truth[i].live && begin + 8 + 200 > 4096 &&
		    begin < 8192) {
			f->truth[i].live = false;
			gone++;
		}
	}
	assert_true(gone >= 19);
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.unreadable, gone);
	assert_int_equal(f->st.skipped, gone);
}

/*
 * The running kernel: the host is live, and while zdref reads one
 * record's text a writer recycles that record (data_push_tail() makes
 * its descriptor reusable, then overwrites the block).  The text read is
 * not the record's: skipped, as prb_read() would.  The others are read.
 */
struct live_host {
	struct fakehost *fh;
	uint64_t data, size; /* the text ring */
	uint64_t victim_desc, victim_id, victim_off;
	bool fired;
};

static struct zd_error *live_read(void *arg, uint64_t addr, void *buf,
				  size_t len)
{
	struct live_host *lh = arg;
	struct zd_error *err = lh->fh->host.mem.read(lh->fh, addr, buf, len);

	if (!err && !lh->fired && addr <= lh->data + lh->victim_off &&
	    addr + len > lh->data + lh->victim_off) {
		lh->fired = true;
		fh_put_u64(lh->fh, lh->victim_desc + DESC_SV,
			   SV(lh->victim_id, ST_REUSABLE));
	}
	return err;
}

static void prb_live_recycled(void **ctx)
{
	struct fixture *f = *ctx;
	struct live_host lh = { 0 };
	struct zd_host host;
	struct zd_error *err;
	struct prb p;
	uint64_t id;

	ten_records(f, &p);
	id = live_desc(&p, 4);
	lh.fh = f->fh;
	lh.data = p.data;
	lh.size = p.size;
	lh.victim_desc = desc_at(&p, id);
	lh.victim_id = id;
	lh.victim_off =
		fh_get_u64(f->fh, desc_at(&p, id) + DESC_BEGIN) & (p.size - 1);
	host = f->fh->host;
	host.mem.arg = &lh;
	host.mem.read = live_read;
	host.mem.live = true;
	torn(&p, id);
	f->ngot = 0;
	err = zd_log_read_host(&host, collect, f, &f->st);
	if (err)
		fail_msg("zd_log_read: %s", err->message);
	assert_true(lh.fired);
	expect_live(f);
	assert_int_equal(f->st.skipped, 1);

	/* The same ring read as a dump (one chunk, before the change). */
	lh.fired = false;
	fh_put_u64(f->fh, desc_at(&p, id) + DESC_SV, SV(id, ST_FINALIZED));
	truth_of(f, fh_get_u64(f->fh, info_at(&p, id) + INFO_SEQ))->live = true;
	host.mem.live = false;
	f->ngot = 0;
	err = zd_log_read_host(&host, collect, f, &f->st);
	if (err)
		fail_msg("zd_log_read: %s", err->message);
	expect_live(f);
}

/* The record log and its writer */

struct rlog {
	struct fixture *f;
	uint64_t buf, hdr;
	uint32_t len, first_idx, next_idx;
	uint64_t first_seq, next_seq;
	uint64_t sym_first, sym_next, sym_first_seq, sym_next_seq, sym_len;
	bool caller;
	unsigned int wrap_markers;
};

/*
 * struct printk_log (struct log before 3.11): ts_nsec@0 len@8 text_len@10
 * dict_len@12 facility@14 flags:5,level:3@15, caller_id@16 with
 * CONFIG_PRINTK_CALLER (5.1+); __packed __aligned(4) on x86, LOG_ALIGN 4.
 */
static void rlog_init(struct rlog *r, struct fixture *f, const char *type,
		      uint32_t len, bool caller)
{
	struct fakehost *fh = f->fh;
	uint64_t ptr;

	memset(r, 0, sizeof(*r));
	r->f = f;
	r->len = len;
	r->caller = caller;
	r->hdr = caller ? 20 : 16;
	fh_add_type(fh, type, r->hdr);
	fh_add_member(fh, type, "ts_nsec", 0, 8);
	fh_add_member(fh, type, "len", 8, 2);
	fh_add_member(fh, type, "text_len", 10, 2);
	fh_add_member(fh, type, "dict_len", 12, 2);
	fh_add_member(fh, type, "facility", 14, 1);
	fh_add_member(fh, type, "flags", 15, 1);
	fh_add_member(fh, type, "level", 15, 1);
	if (caller)
		fh_add_member(fh, type, "caller_id", 16, 4);
	r->buf = fh_alloc(fh, len, 8);
	ptr = fh_alloc(fh, 8, 8);
	fh_put_u64(fh, ptr, r->buf);
	fh_add_symbol(fh, "log_buf", ptr, 8);
	fh_add_symbol(fh, "__log_buf", r->buf, len);
	r->sym_len = fh_alloc(fh, 4, 4);
	r->sym_first = fh_alloc(fh, 4, 4);
	r->sym_next = fh_alloc(fh, 4, 4);
	r->sym_first_seq = fh_alloc(fh, 8, 8);
	r->sym_next_seq = fh_alloc(fh, 8, 8);
	fh_add_symbol(fh, "log_buf_len", r->sym_len, 4);
	fh_add_symbol(fh, "log_first_idx", r->sym_first, 4);
	fh_add_symbol(fh, "log_next_idx", r->sym_next, 4);
	fh_add_symbol(fh, "log_first_seq", r->sym_first_seq, 8);
	fh_add_symbol(fh, "log_next_seq", r->sym_next_seq, 8);
	fh_put_u32(fh, r->sym_len, len);
}

static void rlog_sync(struct rlog *r)
{
	struct fakehost *fh = r->f->fh;

	fh_put_u32(fh, r->sym_first, r->first_idx);
	fh_put_u32(fh, r->sym_next, r->next_idx);
	fh_put_u64(fh, r->sym_first_seq, r->first_seq);
	fh_put_u64(fh, r->sym_next_seq, r->next_seq);
}

static uint16_t rlog_u16(struct rlog *r, uint64_t idx)
{
	uint64_t a = r->buf + idx;

	return (uint16_t)(fh_get_u64(r->f->fh, a & ~7ULL) >> (a & 7) * 8);
}

/* log_next(): a zero len wraps, the record at 0 is the one stepped over */
static uint32_t rlog_next(struct rlog *r, uint32_t idx)
{
	uint16_t len = rlog_u16(r, idx + 8);

	if (!len)
		return rlog_u16(r, 8);
	return idx + len;
}

static bool has_space(struct rlog *r, uint32_t size, bool empty)
{
	uint32_t free;

	if (r->next_idx > r->first_idx || empty)
		free = r->len - r->next_idx > r->first_idx ?
			       r->len - r->next_idx :
			       r->first_idx;
	else
		free = r->first_idx - r->next_idx;
	return free >= size + r->hdr;
}

/* log_store() */
static uint32_t rlog_write(struct rlog *r, const char *text, uint64_t ts,
			   int level, uint16_t dict_len)
{
	struct fixture *f = r->f;
	struct fakehost *fh = f->fh;
	uint16_t text_len = (uint16_t)strlen(text);
	uint32_t size = (uint32_t)r->hdr + text_len + dict_len, at;
	uint8_t hdr[20] = { 0 };
	struct truth *t;

	size += (-size) & 3;
	while (r->first_seq < r->next_seq && !has_space(r, size, false)) {
		truth_of(f, r->first_seq)->live = false;
		r->first_idx = rlog_next(r, r->first_idx);
		r->first_seq++;
	}
	assert_true(has_space(r, size, r->first_seq == r->next_seq));
	if (r->next_idx + size + r->hdr > r->len) {
		uint8_t zero[20] = { 0 };

		fh_put(fh, r->buf + r->next_idx, zero, r->hdr);
		r->next_idx = 0;
		r->wrap_markers++;
	}
	at = r->next_idx;
	memcpy(hdr, &ts, 8);
	memcpy(hdr + 8, &size, 2);
	memcpy(hdr + 10, &text_len, 2);
	memcpy(hdr + 12, &dict_len, 2);
	hdr[15] = (uint8_t)(level << 5 | LOG_NEWLINE);
	if (r->caller) {
		uint32_t caller = 100 + (uint32_t)r->next_seq;

		memcpy(hdr + 16, &caller, 4);
	}
	fh_put(fh, r->buf + at, hdr, r->hdr);
	fh_put(fh, r->buf + at + r->hdr, text, text_len);
	for (uint32_t i = text_len; i < size - r->hdr; i++)
		fh_put_u8(fh, r->buf + at + r->hdr + i,
			  i < text_len + dict_len ? '=' : 0);
	assert_true(f->ntruth < MAX_TRUTH);
	t = &f->truth[f->ntruth++];
	memset(t, 0, sizeof(*t));
	t->seq = r->next_seq;
	t->ts = ts;
	t->level = level;
	t->live = true;
	t->len = text_len;
	memcpy(t->text, text, text_len);
	r->next_idx += size;
	r->next_seq++;
	rlog_sync(r);
	return at;
}

static void rec_several(void **ctx)
{
	struct fixture *f = *ctx;
	struct rlog r;

	rlog_init(&r, f, "printk_log", 4096, false);
	rlog_write(&r, "Linux version 5.4.0", 0, 5, 0);
	rlog_write(&r, "pmem0: detected capacity change", 1500000, 6, 24);
	rlog_write(&r, "WARNING: CPU: 0 PID: 0 at lib/percpu-refcount.c:160",
		   3146571000ULL, 4, 0);
	rlog_write(&r, "two\nlines", 3146572000ULL, 4, 0);
	read_ok(f);
	assert_string_equal(f->st.format, "record");
	expect_live(f);
	assert_int_equal(f->got[2].r.level, 4);
	assert_int_equal(f->got[2].r.flags, LOG_NEWLINE);
	assert_false(f->got[2].r.have_caller);
	assert_int_equal(f->st.skipped, 0);
}

/* 3.5-3.10: struct log; 5.1+ CONFIG_PRINTK_CALLER: caller_id. */
static void rec_struct_log_and_caller(void **ctx)
{
	struct fixture *f = *ctx;
	struct rlog r;

	rlog_init(&r, f, "log", 1024, false);
	rlog_write(&r, "Linux version 3.10.0", 7, 5, 0);
	read_ok(f);
	expect_live(f);

	fh_destroy(f->fh);
	f->fh = fh_create();
	f->ntruth = 0;
	rlog_init(&r, f, "printk_log", 1024, true);
	rlog_write(&r, "first", 7, 5, 0);
	rlog_write(&r, "second", 8, 5, 0);
	read_ok(f);
	expect_live(f);
	assert_true(f->got[1].r.have_caller);
	assert_int_equal(f->got[1].r.caller_id, 101);
}

/*
 * Written round many times: the zero-length wrap marker, log_first_idx
 * past log_next_idx, the oldest records dropped by log_make_free_space().
 */
static void rec_wrapped(void **ctx)
{
	struct fixture *f = *ctx;
	char text[200];
	struct rlog r;

	rlog_init(&r, f, "printk_log", 1024, false);
	for (unsigned int i = 0; i < 100; i++) {
		fill_text(text, 10 + (i * 31) % 120, i);
		rlog_write(&r, text, i, 6, (uint16_t)(i % 3 ? 0 : 9));
	}
	assert_true(r.wrap_markers > 5);
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 0);
	assert_true(live_count(f) > 3);
	assert_int_equal(f->got[f->ngot - 1].r.seq, 99);
}

/* A full buffer has first_idx == next_idx; the sequence numbers tell. */
static void rec_full_and_empty(void **ctx)
{
	struct fixture *f = *ctx;
	struct rlog r;

	rlog_init(&r, f, "printk_log", 1024, false);
	read_ok(f);
	assert_int_equal(f->ngot, 0);
	rlog_write(&r, "only", 1, 6, 0);
	read_ok(f);
	assert_int_equal(f->ngot, 1);
	/* indexes met: empty by the seqs, full if they differ */
	r.first_idx = r.next_idx;
	r.first_seq = r.next_seq;
	rlog_sync(&r);
	read_ok(f);
	assert_int_equal(f->ngot, 0);
	r.first_idx = r.next_idx = 0;
	r.first_seq = 0;
	rlog_sync(&r);
	read_ok(f);
	assert_int_equal(f->ngot, 1);
	assert_string_equal(f->got[0].text, "only");
}

/*
 * Torn lengths.  Before the wrap a record whose len is 0 mid-buffer,
 * beyond the buffer, or below its header and text: skipped, and the walk
 * goes on at the buffer's start (the newer records up to log_next_idx
 * are whole).  After the wrap it stops: nothing past it can be found.
 */
static void rec_torn(void **ctx)
{
	struct fixture *f = *ctx;
	const uint16_t bad[] = { 0, 0xfff0, 3, 17 };
	char text[2100];

	for (size_t c = 0; c < sizeof(bad) / sizeof(bad[0]); c++) {
		for (int phase = 1; phase <= 2; phase++) {
			uint32_t at[200], nat = 0, victim;
			uint64_t victim_seq;
			struct rlog r;

			fh_destroy(f->fh);
			f->fh = fh_create();
			f->ntruth = 0;
			/* large enough that a zero len mid-buffer is no wrap */
			rlog_init(&r, f, "printk_log", 256 * 1024, false);
			for (unsigned int i = 0; i < 150; i++) {
				fill_text(text, 2000, i);
				at[nat++] = rlog_write(&r, text, i, 6, 0);
			}
			assert_true(r.first_idx > r.next_idx);
			/* phase 1: a record between first_idx and the end */
			if (phase == 1) {
				victim_seq = r.first_seq + 10;
			} else {
				victim_seq = r.next_seq - 20;
				assert_true(at[victim_seq] < r.next_idx);
			}
			victim = at[victim_seq];
			fh_put(f->fh, r.buf + victim + 8, &bad[c], 2);
			read_ok(f);
			/* what the reader can still see */
			for (size_t i = 0; i < f->ntruth; i++) {
				struct truth *t = &f->truth[i];

				if (phase == 1 && t->seq >= victim_seq &&
				    at[t->seq] > r.next_idx)
					t->live = false;
				if (phase == 2 && t->seq >= victim_seq)
					t->live = false;
			}
			expect_live(f);
			if (f->st.skipped != 1)
				fail_msg("len %u phase %d: skipped %llu",
					 bad[c], phase,
					 (unsigned long long)f->st.skipped);
		}
	}
}

/* Absurd control values: one error, no walk. */
static void rec_absurd(void **ctx)
{
	struct fixture *f = *ctx;
	struct rlog r;

	rlog_init(&r, f, "printk_log", 1024, false);
	rlog_write(&r, "a", 1, 6, 0);
	fh_put_u32(f->fh, r.sym_first, 5000);
	expect_error(f, ZD_ERR_INVALID);
	fh_put_u32(f->fh, r.sym_first, 0);
	fh_put_u32(f->fh, r.sym_next, 1024 - 8);
	expect_error(f, ZD_ERR_INVALID);
	fh_put_u32(f->fh, r.sym_next, r.next_idx);
	fh_put_u32(f->fh, r.sym_len, 0);
	expect_error(f, ZD_ERR_INVALID);
	fh_put_u32(f->fh, r.sym_len, 0x80000001U);
	expect_error(f, ZD_ERR_INVALID);
	fh_put_u32(f->fh, r.sym_len, 1024);
	fh_put_u64(f->fh, fh_symbol_addr(f->fh, "log_buf"), 0);
	expect_error(f, ZD_ERR_INVALID);
}

/*
 * Lengths that could only make a walk go round: a record at 0 of len 0
 * after a wrap (a second wrap), and log_next_idx inside a record (never
 * hit): both end, bounded, with the record counted.
 */
static void rec_no_cycle(void **ctx)
{
	struct fixture *f = *ctx;
	uint32_t at[64], at0 = 0;
	char text[200];
	uint16_t len0;
	struct rlog r;

	rlog_init(&r, f, "printk_log", 1024, false);
	/* round twice, then three records past the last wrap */
	for (unsigned int i = 0; i < 64; i++) {
		fill_text(text, 40 + i % 50, i);
		at[i] = rlog_write(&r, text, i, 6, 0);
		if (!at[i])
			at0 = i;
		if (r.wrap_markers >= 2 && i == at0 + 3)
			break;
	}
	assert_true(r.first_idx > r.next_idx);
	assert_true(r.wrap_markers >= 2);
	/* the record at 0 (after the wrap) gets len 0: a second wrap */
	len0 = rlog_u16(&r, 8);
	fh_put(f->fh, r.buf + 8, &(uint16_t){ 0 }, 2);
	read_ok(f);
	assert_int_equal(f->st.skipped, 1);
	assert_true(f->ngot > 0);
	for (size_t i = 0; i < f->ngot; i++)
		assert_true(f->got[i].r.seq < at0);

	/* log_next_idx inside a record: never hit, the walk stops there */
	fh_put(f->fh, r.buf + 8, &len0, 2);
	fh_put_u32(f->fh, r.sym_next, at[at0 + 1] + 4);
	read_ok(f);
	assert_int_equal(f->st.skipped, 1);
	assert_int_equal(f->got[f->ngot - 1].r.seq, at0);
}

/* Part of the buffer excluded: skipped, and the walk resumes at 0. */
static void rec_unreadable(void **ctx)
{
	struct fixture *f = *ctx;
	struct rlog r;
	char text[300];

	rlog_init(&r, f, "printk_log", 64 * 1024, false);
	for (unsigned int i = 0; i < 10; i++) {
		fill_text(text, 200, i);
		rlog_write(&r, text, i, 6, 0);
	}
	/* a text not in the dump: that record only */
	fh_exclude(f->fh, r.buf + 2 * 216 + 16 + 100, 1);
	f->truth[2].live = false;
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 1);
	assert_int_equal(f->st.unreadable, 1);
	/* a header not in the dump: the chain ends there */
	fh_exclude(f->fh, r.buf + 5 * 216 + 8, 1);
	for (size_t i = 5; i < 10; i++)
		f->truth[i].live = false;
	read_ok(f);
	expect_live(f);
	assert_int_equal(f->st.skipped, 2);
	/* nothing readable: an error */
	fh_exclude(f->fh, r.buf, 64 * 1024);
	expect_error(f, ZD_ERR_FAULT);
}

/* Format by shape: prb + printk_ringbuffer wins, log_buf + printk_log next. */
static void format_by_shape(void **ctx)
{
	struct fixture *f = *ctx;
	struct rlog r;
	struct prb p;

	expect_error(f, ZD_ERR_NOTFOUND);
	/* log_buf alone (before 3.5, or no types): unsupported */
	fh_add_symbol(f->fh, "log_buf", fh_alloc(f->fh, 8, 8), 8);
	expect_error(f, ZD_ERR_UNSUPPORTED);

	fh_destroy(f->fh);
	f->fh = fh_create();
	rlog_init(&r, f, "printk_log", 1024, false);
	rlog_write(&r, "from the record log", 1, 6, 0);
	/* a 5.10+ kernel keeps log_buf too: the ring is what counts */
	f->ntruth = 0;
	prb_init(&p, f, 4, 10);
	prb_write(&p, &(struct rec){ "from the ring", 2, 1, 6, LOG_NEWLINE,
				     false });
	read_ok(f);
	assert_string_equal(f->st.format, "lockless");
	assert_string_equal(f->got[0].text, "from the ring");
	/* prb without its type: the record log */
	fh_remove_symbol(f->fh, "prb");
	read_ok(f);
	assert_string_equal(f->st.format, "record");
	assert_string_equal(f->got[0].text, "from the record log");
}

/* Through a target opened on a whole fake 6.1 kernel. */
static void through_target(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_target *t;
	struct zd_error *err;
	struct prb p;

	fh_setup_6_1(f->fh, 2, 3);
	prb_init(&p, f, 5, 12);
	prb_write(&p, &(struct rec){ "hello", 5, 1, 6, LOG_NEWLINE, false });
	err = zd_target_open(&f->fh->host, &t);
	if (err)
		fail_msg("zd_target_open: %s", err->message);
	err = zd_log_read(t, collect, f, &f->st);
	zd_target_close(t);
	if (err)
		fail_msg("zd_log_read: %s", err->message);
	expect_live(f);
}

/* Output */

static char *print(const struct zd_log_record *r, unsigned int flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	zd_log_print_text(out, r, flags);
	fclose(out);
	return buf;
}

static void expect_print(const struct zd_log_record *r, unsigned int flags,
			 const char *want)
{
	char *got = print(r, flags);

	assert_string_equal(got, want);
	free(got);
}

/* record_print_text() and info_print_prefix() of printk.c */
static void print_text(void **ctx)
{
	struct zd_log_record r = {
		.ts_nsec = 3146571123ULL,
		.caller_id = 123,
		.have_caller = true,
		.level = 4,
		.facility = 0,
		.text = "percpu ref (dev_pagemap_percpu_release) <= 0 (0) after switching to atomic",
	};

	(void)ctx;
	r.len = strlen(r.text);
	expect_print(
		&r, 0,
		"[    3.146571] percpu ref (dev_pagemap_percpu_release) <= 0 (0) after switching to atomic\n");
	r.text = "a\nb";
	r.len = 3;
	expect_print(&r, 0, "[    3.146571] a\n[    3.146571] b\n");
	expect_print(&r, ZD_LOG_PRINT_CALLER,
		     "[    3.146571][  T123] a\n[    3.146571][  T123] b\n");
	r.caller_id = 0x80000000;
	expect_print(
		&r, ZD_LOG_PRINT_CALLER | ZD_LOG_PRINT_LEVEL,
		"<4>[    3.146571][    C0] a\n<4>[    3.146571][    C0] b\n");
	r.facility = 1; /* user: (1 << 3) | level */
	r.level = 6;
	expect_print(&r, ZD_LOG_PRINT_LEVEL,
		     "<14>[    3.146571] a\n<14>[    3.146571] b\n");
	r.have_caller = false; /* no caller: none printed even when asked */
	r.text = "end\n";
	r.len = 4;
	expect_print(&r, ZD_LOG_PRINT_CALLER,
		     "[    3.146571] end\n[    3.146571] \n");
	r.text = "";
	r.len = 0;
	r.ts_nsec = 123456789012345678ULL;
	expect_print(&r, 0, "[123456789.012345] \n");
	r.text = "tab\there \x1b[31mred\x7f\xc3\xa9\0z";
	r.len = sizeof("tab\there \x1b[31mred\x7f\xc3\xa9\0z") - 1;
	r.ts_nsec = 0;
	expect_print(
		&r, 0,
		"[    0.000000] tab\there \\x1b[31mred\\x7f\\xc3\\xa9\\x00z\n");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(prb_several),
		T(prb_callback_stops),
		T(prb_wrapped),
		T(prb_wrapping_block),
		T(prb_id_space_wraps),
		T(prb_continuation),
		T(prb_torn_id),
		T(prb_states),
		T(prb_failed_lpos),
		T(prb_torn_lpos),
		T(prb_torn_data),
		T(prb_absurd_window),
		T(prb_absurd_control),
		T(prb_unreadable_descs),
		T(prb_partly_unreadable),
		T(prb_live_recycled),
		T(rec_several),
		T(rec_struct_log_and_caller),
		T(rec_wrapped),
		T(rec_full_and_empty),
		T(rec_torn),
		T(rec_absurd),
		T(rec_no_cycle),
		T(rec_unreadable),
		T(format_by_shape),
		T(through_target),
		cmocka_unit_test(print_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
