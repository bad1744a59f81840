// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel log from kernel memory, in the two formats of 3.5 and later
 * (include/zdref/log.h), read the way the kernel's own readers do and no
 * further: the dump may hold a ring torn by a CPU that was writing, or
 * overwritten by garbage, so every walk is bounded by the ring's own
 * sizes and every record is checked before its text is believed.
 *
 * Lockless ring (5.10+, 896fbe20b4e2; kernel/printk/printk_ringbuffer.[ch]
 * of 6.1 and 6.12, which agree on everything read here):
 *
 *   prb -> struct printk_ringbuffer {
 *	desc_ring { count_bits, descs[], infos[], head_id, tail_id },
 *	text_data_ring { size_bits, data, head_lpos, tail_lpos } }
 *   descs[id & (count - 1)] = { state_var = state << 62 | id,
 *				text_blk_lpos { begin, next } }
 *   data block at lpos & (size - 1) = { unsigned long id; char text[] }
 *
 * Records are walked by descriptor id from tail_id to head_id, at most
 * 1 << count_bits of them, as crash and makedumpfile do (the kernel walks
 * by sequence number, which maps to the same descriptors).
 *
 * Record log (3.5-5.9, 7ff9554bb578; struct log until 62e32ac3505a
 * renamed it struct printk_log in 3.11): log_buf of log_buf_len bytes,
 * records from log_first_idx to log_next_idx, each a header whose len
 * steps to the next, a zero len marking the wrap to the buffer's start
 * (printk.c log_from_idx()/log_next() of 4.x/5.x).
 */
#include <stdlib.h>
#include <string.h>

#include "zdref/log.h"

#include "internal.h"

/* printk_ringbuffer.h: state_var = state << DESC_FLAGS_SHIFT | id (64-bit) */
#define DESC_FLAGS_SHIFT 62
#define DESC_ID_MASK (~(3ULL << DESC_FLAGS_SHIFT))
enum desc_state {
	DESC_RESERVED = 0,
	DESC_COMMITTED = 1,
	DESC_FINALIZED = 2,
	DESC_REUSABLE = 3,
};
/* Data-less blocks (bit 0 set in both lpos): failed, or an empty line
 * (EMPTY_LINE_LPOS in 6.12, NO_LPOS in 6.1: the same 0x3). */
#define FAILED_LPOS 0x1ULL
#define EMPTY_LINE_LPOS 0x3ULL
#define BLK_ID_SIZE 8 /* sizeof(prb_data_block.id), also its alignment */

/*
 * Bounds.  1 << 20 descriptors is the largest CONFIG_LOG_BUF_SHIFT ring,
 * 25 (count_bits = LOG_BUF_SHIFT - PRB_AVGBITS, printk.c); the text ring
 * is at most LOG_BUF_LEN_MAX, 1 << 31 bytes.  A record's text is a u16
 * long.
 */
#define PRB_MAX_COUNT_BITS 20
#define PRB_AVGBITS 5
#define PRB_MAX_SIZE_BITS 31
#define LOG_MAX_LEN (1ULL << 31)
#define MAX_RECORD (BLK_ID_SIZE + 65535 + 64)
#define DESC_BATCH 256
#define CHUNK (1U << 20) /* one read of the text ring: 128 KiB-32 MiB */
#define MAX_STRUCT 4096

/* A read whose failure only means "not in the dump" to the caller. */
static bool read_ok(const struct zd_target *t, uint64_t addr, void *buf,
		    size_t len)
{
	struct zd_error *err =
		t->host.mem.read(t->host.mem.arg, addr, buf, len);

	zd_error_destroy(err);
	return !err;
}

/* Reads of a ring in large chunks, and of single records where a chunk fails. */
struct ring_reader {
	const struct zd_target *t;
	uint64_t base, size; /* kernel address and bytes of the ring */
	uint8_t *chunk;
	uint64_t off, len; /* what chunk holds; len 0: nothing */
	uint64_t bad_off, bad_len; /* the last chunk that did not read */
	uint8_t *one; /* MAX_RECORD bytes */
	/*
	 * The running kernel writes on while the ring is read: a chunk read
	 * for one record would be stale for the next, so every record is
	 * read on its own, after its descriptor.
	 */
	bool live;
};

static struct zd_error *reader_init(struct ring_reader *rr,
				    const struct zd_target *t, uint64_t base,
				    uint64_t size)
{
	memset(rr, 0, sizeof(*rr));
	rr->t = t;
	rr->base = base;
	rr->size = size;
	rr->live = t->host.mem.live;
	rr->chunk = malloc(size < CHUNK ? size : CHUNK);
	rr->one = malloc(MAX_RECORD);
	if (!rr->chunk || !rr->one) {
		free(rr->chunk);
		free(rr->one);
		return &zd_error_nomem;
	}
	return NULL;
}

static void reader_fini(struct ring_reader *rr)
{
	free(rr->chunk);
	free(rr->one);
}

/*
 * len bytes at offset off of the ring (off + len <= size, len <=
 * MAX_RECORD), or NULL when they are not in the dump.
 */
static const uint8_t *ring_bytes(struct ring_reader *rr, uint64_t off,
				 uint64_t len)
{
	uint64_t start, n;

	if (off > rr->size || len > rr->size - off || len > MAX_RECORD)
		return NULL;
	if (rr->len && off >= rr->off && off + len <= rr->off + rr->len)
		return rr->chunk + (off - rr->off);
	start = off & ~4095ULL;
	n = rr->size - start < CHUNK ? rr->size - start : CHUNK;
	if (!rr->live && off + len <= start + n &&
	    !(rr->bad_len && start >= rr->bad_off &&
	      start < rr->bad_off + rr->bad_len)) {
		if (read_ok(rr->t, rr->base + start, rr->chunk, n)) {
			rr->off = start;
			rr->len = n;
			return rr->chunk + (off - start);
		}
		/* All or nothing: one page missing fails the chunk. */
		rr->len = 0;
		rr->bad_off = start;
		rr->bad_len = n;
	}
	return read_ok(rr->t, rr->base + off, rr->one, len) ? rr->one : NULL;
}

/* A member that must lie within its struct of size struct_size. */
static struct zd_error *member_in(const struct zd_host *h, const char *type,
				  const char *member, uint64_t width,
				  uint64_t struct_size, uint64_t *off)
{
	uint64_t size;
	struct zd_error *err =
		h->types.member(h->types.arg, type, member, off, &size);

	if (err)
		return zd_error_wrap(err, "struct %s.%s", type, member);
	if (*off > struct_size || struct_size - *off < width)
		return zd_error_create(
			ZD_ERR_INVALID,
			"struct %s.%s at %llu beyond its %llu bytes", type,
			member, (unsigned long long)*off,
			(unsigned long long)struct_size);
	return NULL;
}

/* The same, ZD_NO_MEMBER when the kernel has no such member. */
static struct zd_error *opt_member_in(const struct zd_host *h, const char *type,
				      const char *member, uint64_t width,
				      uint64_t struct_size, uint64_t *off)
{
	struct zd_error *err =
		member_in(h, type, member, width, struct_size, off);

	if (err && err->code == ZD_ERR_NOTFOUND) {
		zd_error_destroy(err);
		*off = ZD_NO_MEMBER;
		return NULL;
	}
	return err;
}

static struct zd_error *struct_size(const struct zd_host *h, const char *type,
				    uint64_t min, uint64_t *size)
{
	struct zd_error *err = h->types.type_size(h->types.arg, type, size);

	if (err)
		return zd_error_wrap(err, "size of struct %s", type);
	if (*size < min || *size > MAX_STRUCT)
		return zd_error_create(ZD_ERR_INVALID,
				       "absurd sizeof(struct %s) %llu", type,
				       (unsigned long long)*size);
	return NULL;
}

static bool have_type(const struct zd_host *h, const char *type)
{
	uint64_t size;
	struct zd_error *err = h->types.type_size(h->types.arg, type, &size);

	zd_error_destroy(err);
	return !err;
}

static bool have_symbol(const struct zd_host *h, const char *name,
			uint64_t *addr)
{
	uint64_t size;
	struct zd_error *err = h->types.symbol(h->types.arg, name, addr, &size);

	zd_error_destroy(err);
	return !err;
}

/*
 * struct printk_info's level and flags share one byte after facility
 * ("u8 flags:5, level:3"): the hosts place a bitfield at its storage
 * unit, and a little-endian compiler (x86_64, arm64) fills it from bit 0,
 * so flags is the low 5 bits and level the high 3.
 */
static void decode_level(const uint8_t *p, uint64_t level_off,
			 uint64_t facility_off, struct zd_log_record *r)
{
	r->facility = facility_off == ZD_NO_MEMBER ? -1 : p[facility_off];
	if (level_off == ZD_NO_MEMBER) {
		r->level = -1;
		r->flags = 0;
		return;
	}
	r->level = p[level_off] >> 5;
	r->flags = p[level_off] & 0x1f;
}

/* The lockless ring */

struct prb_layout {
	uint64_t rb_size, rb_desc_ring, rb_text_ring;
	uint64_t dr_count_bits, dr_descs, dr_infos, dr_head_id, dr_tail_id;
	uint64_t tr_size_bits, tr_data, tr_head_lpos, tr_tail_lpos;
	uint64_t desc_size, desc_state, desc_begin, desc_next;
	uint64_t info_size, info_seq, info_ts, info_text_len, info_caller;
	uint64_t info_facility, info_level;
};

static struct zd_error *prb_resolve(const struct zd_host *h,
				    struct prb_layout *l)
{
	uint64_t dr_size, tr_size, lpos_size, lpos, begin, next, off;
	struct zd_error *err;

	/*
	 * atomic_long_t is { long counter; }: its value is at the member's
	 * own offset (VMCOREINFO OFFSET(atomic_long_t.counter) is 0).
	 */
	if ((err = struct_size(h, "printk_ringbuffer", 16, &l->rb_size)) ||
	    (err = struct_size(h, "prb_desc_ring", 40, &dr_size)) ||
	    (err = struct_size(h, "prb_data_ring", 32, &tr_size)) ||
	    (err = struct_size(h, "prb_desc", 24, &l->desc_size)) ||
	    (err = struct_size(h, "prb_data_blk_lpos", 16, &lpos_size)) ||
	    (err = struct_size(h, "printk_info", 24, &l->info_size)) ||
	    (err = member_in(h, "printk_ringbuffer", "desc_ring", dr_size,
			     l->rb_size, &l->rb_desc_ring)) ||
	    (err = member_in(h, "printk_ringbuffer", "text_data_ring", tr_size,
			     l->rb_size, &l->rb_text_ring)) ||
	    (err = member_in(h, "prb_desc_ring", "count_bits", 4, dr_size,
			     &off)))
		return err;
	l->dr_count_bits = l->rb_desc_ring + off;
	if ((err = member_in(h, "prb_desc_ring", "descs", 8, dr_size, &off)))
		return err;
	l->dr_descs = l->rb_desc_ring + off;
	if ((err = member_in(h, "prb_desc_ring", "infos", 8, dr_size, &off)))
		return err;
	l->dr_infos = l->rb_desc_ring + off;
	if ((err = member_in(h, "prb_desc_ring", "head_id", 8, dr_size, &off)))
		return err;
	l->dr_head_id = l->rb_desc_ring + off;
	if ((err = member_in(h, "prb_desc_ring", "tail_id", 8, dr_size, &off)))
		return err;
	l->dr_tail_id = l->rb_desc_ring + off;
	if ((err = member_in(h, "prb_data_ring", "size_bits", 4, tr_size,
			     &off)))
		return err;
	l->tr_size_bits = l->rb_text_ring + off;
	if ((err = member_in(h, "prb_data_ring", "data", 8, tr_size, &off)))
		return err;
	l->tr_data = l->rb_text_ring + off;
	if ((err = member_in(h, "prb_data_ring", "head_lpos", 8, tr_size,
			     &off)))
		return err;
	l->tr_head_lpos = l->rb_text_ring + off;
	if ((err = member_in(h, "prb_data_ring", "tail_lpos", 8, tr_size,
			     &off)))
		return err;
	l->tr_tail_lpos = l->rb_text_ring + off;
	if ((err = member_in(h, "prb_desc", "state_var", 8, l->desc_size,
			     &l->desc_state)) ||
	    (err = member_in(h, "prb_desc", "text_blk_lpos", lpos_size,
			     l->desc_size, &lpos)) ||
	    (err = member_in(h, "prb_data_blk_lpos", "begin", 8, lpos_size,
			     &begin)) ||
	    (err = member_in(h, "prb_data_blk_lpos", "next", 8, lpos_size,
			     &next)))
		return err;
	l->desc_begin = lpos + begin;
	l->desc_next = lpos + next;
	if ((err = member_in(h, "printk_info", "seq", 8, l->info_size,
			     &l->info_seq)) ||
	    (err = member_in(h, "printk_info", "ts_nsec", 8, l->info_size,
			     &l->info_ts)) ||
	    (err = member_in(h, "printk_info", "text_len", 2, l->info_size,
			     &l->info_text_len)) ||
	    (err = opt_member_in(h, "printk_info", "caller_id", 4, l->info_size,
				 &l->info_caller)) ||
	    (err = opt_member_in(h, "printk_info", "facility", 1, l->info_size,
				 &l->info_facility)) ||
	    (err = opt_member_in(h, "printk_info", "level", 1, l->info_size,
				 &l->info_level)))
		return err;
	if (l->info_level == ZD_NO_MEMBER && l->info_facility != ZD_NO_MEMBER &&
	    l->info_facility + 1 < l->info_size)
		l->info_level = l->info_facility + 1;
	return NULL;
}

struct prb {
	struct prb_layout l;
	uint64_t addr;
	unsigned int count_bits, size_bits;
	uint64_t descs, infos, data;
	uint64_t head_id, tail_id, head_lpos, tail_lpos;
	bool lpos_window; /* head - tail of the text ring is plausible */
};

static struct zd_error *prb_open(const struct zd_target *t, uint64_t prb_sym,
				 struct prb *rb)
{
	uint8_t buf[MAX_STRUCT];
	struct prb_layout *l = &rb->l;
	struct zd_error *err;

	if ((err = prb_resolve(&t->host, l)))
		return zd_error_wrap(err, "printk ring layout");
	/* prb is a pointer: printk_rb_static, or printk_rb_dynamic (log_buf_len=) */
	if ((err = zd_read_u64(t, prb_sym, &rb->addr, "prb")))
		return err;
	if ((err = zd_read(t, rb->addr, buf, l->rb_size,
			   "struct printk_ringbuffer")))
		return err;
	rb->count_bits = zd_get_u32(buf + l->dr_count_bits);
	rb->size_bits = zd_get_u32(buf + l->tr_size_bits);
	rb->descs = zd_get_u64(buf + l->dr_descs);
	rb->infos = zd_get_u64(buf + l->dr_infos);
	rb->data = zd_get_u64(buf + l->tr_data);
	rb->head_id = zd_get_u64(buf + l->dr_head_id) & DESC_ID_MASK;
	rb->tail_id = zd_get_u64(buf + l->dr_tail_id) & DESC_ID_MASK;
	rb->head_lpos = zd_get_u64(buf + l->tr_head_lpos);
	rb->tail_lpos = zd_get_u64(buf + l->tr_tail_lpos);
	/* log_buf_len= (at most LOG_BUF_LEN_MAX) makes count_bits up to 26. */
	if (rb->count_bits > PRB_MAX_SIZE_BITS - PRB_AVGBITS ||
	    rb->size_bits < 4 || rb->size_bits > PRB_MAX_SIZE_BITS)
		return zd_error_create(
			ZD_ERR_INVALID,
			"printk ring at 0x%llx: absurd count_bits %u or size_bits %u",
			(unsigned long long)rb->addr, rb->count_bits,
			rb->size_bits);
	if (rb->count_bits > PRB_MAX_COUNT_BITS)
		return zd_error_create(
			ZD_ERR_UNSUPPORTED,
			"printk ring at 0x%llx: 2^%u descriptors (log_buf_len=), zdref reads up to 2^%u",
			(unsigned long long)rb->addr, rb->count_bits,
			PRB_MAX_COUNT_BITS);
	if (!rb->descs || !rb->infos || !rb->data)
		return zd_error_create(
			ZD_ERR_INVALID,
			"printk ring at 0x%llx: descs, infos or data is NULL",
			(unsigned long long)rb->addr);
	/* The kernel keeps head - tail within the ring (data_push_tail()). */
	rb->lpos_window =
		rb->head_lpos - rb->tail_lpos <= 1ULL << rb->size_bits;
	return NULL;
}

/* Where a data block's bytes are (get_data() of printk_ringbuffer.c). */
static bool prb_block(const struct prb *rb, uint64_t begin, uint64_t next,
		      uint64_t *off, uint64_t *size)
{
	uint64_t ring = 1ULL << rb->size_bits;

	if (begin >> rb->size_bits == next >> rb->size_bits && begin < next) {
		*off = begin & (ring - 1);
		*size = next - begin;
	} else if ((begin + ring) >> rb->size_bits == next >> rb->size_bits) {
		/* Wrapping data blocks store their data at the beginning. */
		*off = 0;
		*size = next & (ring - 1);
	} else {
		return false;
	}
	if (begin % BLK_ID_SIZE || next % BLK_ID_SIZE || *size < BLK_ID_SIZE)
		return false;
	/*
	 * A live block lies within [tail_lpos, head_lpos]: data_push_tail()
	 * makes descriptors reusable before it moves the tail past them.
	 */
	if (rb->lpos_window &&
	    (begin - rb->tail_lpos >= rb->head_lpos - rb->tail_lpos ||
	     next - rb->tail_lpos > rb->head_lpos - rb->tail_lpos))
		return false;
	return true;
}

struct walk {
	zd_log_fn fn;
	void *arg;
	struct zd_log_stats *st;
	bool stop;
};

static void skip(struct walk *w, bool unreadable)
{
	w->st->skipped++;
	if (unreadable)
		w->st->unreadable++;
}

static void emit(struct walk *w, const struct zd_log_record *r)
{
	w->st->records++;
	if (w->fn(w->arg, r))
		w->stop = true;
}

static void prb_record(const struct prb *rb, struct ring_reader *rr,
		       struct walk *w, uint64_t id, uint64_t desc_addr,
		       const uint8_t *d, const uint8_t *info)
{
	const struct prb_layout *l = &rb->l;
	uint64_t sv = zd_get_u64(d + l->desc_state);
	uint64_t begin = zd_get_u64(d + l->desc_begin);
	uint64_t next = zd_get_u64(d + l->desc_next);
	uint64_t mask = (1ULL << rb->count_bits) - 1;
	struct zd_log_record r = { 0 };
	uint64_t off, size;
	const uint8_t *blk;
	uint16_t text_len;

	/* desc_miss: the descriptor holds another id than its place says */
	if ((sv & DESC_ID_MASK) != id) {
		skip(w, false);
		return;
	}
	switch (sv >> DESC_FLAGS_SHIFT) {
	case DESC_RESERVED:
	case DESC_REUSABLE:
		w->st->lost++;
		return;
	case DESC_COMMITTED:
		r.open = true;
		break;
	}
	r.seq = zd_get_u64(info + l->info_seq);
	/*
	 * prb_reserve() gives a descriptor its index as first sequence
	 * number and adds the count at every reuse: seq and id agree on
	 * the index.
	 */
	if ((r.seq & mask) != (id & mask)) {
		skip(w, false);
		return;
	}
	r.ts_nsec = zd_get_u64(info + l->info_ts);
	memcpy(&text_len, info + l->info_text_len, sizeof(text_len));
	if (l->info_caller != ZD_NO_MEMBER) {
		r.caller_id = zd_get_u32(info + l->info_caller);
		r.have_caller = true;
	}
	decode_level(info, l->info_level, l->info_facility, &r);

	if (begin & 1 && next & 1) {
		/* Data-less: an empty line, or a reservation that failed. */
		if (begin == EMPTY_LINE_LPOS && next == EMPTY_LINE_LPOS) {
			r.text = "";
			emit(w, &r);
		} else {
			w->st->lost++;
		}
		return;
	}
	if (!prb_block(rb, begin, next, &off, &size) ||
	    text_len > size - BLK_ID_SIZE) {
		skip(w, false);
		return;
	}
	blk = ring_bytes(rr, off, BLK_ID_SIZE + (uint64_t)text_len);
	if (!blk) {
		skip(w, true);
		return;
	}
	/* data_alloc() writes the id at both ends of a wrapping block. */
	if (zd_get_u64(blk) != id) {
		skip(w, false);
		return;
	}
	/*
	 * Live, as prb_read() does: the text read is the record's only if
	 * the descriptor still says so afterwards (data_push_tail() makes
	 * it reusable before its data is overwritten).
	 */
	if (rr->live) {
		uint64_t again;

		if (!read_ok(rr->t, desc_addr + l->desc_state, &again,
			     sizeof(again)) ||
		    (again != sv &&
		     again != ((sv & DESC_ID_MASK) |
			       (uint64_t)DESC_FINALIZED << DESC_FLAGS_SHIFT))) {
			skip(w, false);
			return;
		}
	}
	r.text = (const char *)blk + BLK_ID_SIZE;
	r.len = text_len;
	emit(w, &r);
}

static struct zd_error *prb_walk(const struct zd_target *t, uint64_t prb_sym,
				 struct walk *w)
{
	uint64_t count, n, first, done = 0;
	uint8_t *descs = NULL, *infos = NULL;
	struct ring_reader rr;
	struct zd_error *err;
	struct prb rb;

	if ((err = prb_open(t, prb_sym, &rb)))
		return err;
	count = 1ULL << rb.count_bits;
	/*
	 * tail_id to head_id inclusive.  A consistent ring holds at most
	 * count descriptors between them; a torn head or tail is clamped to
	 * the newest count ids, so the walk can never go round twice.
	 */
	n = ((rb.head_id - rb.tail_id) & DESC_ID_MASK) + 1;
	first = rb.tail_id;
	if (n > count) {
		n = count;
		first = (rb.head_id - count + 1) & DESC_ID_MASK;
	}
	if ((err = reader_init(&rr, t, rb.data, 1ULL << rb.size_bits)))
		return err;
	descs = malloc(DESC_BATCH * rb.l.desc_size);
	infos = malloc(DESC_BATCH * rb.l.info_size);
	if (!descs || !infos) {
		err = &zd_error_nomem;
		goto out;
	}
	while (done < n && !w->stop) {
		uint64_t id = (first + done) & DESC_ID_MASK;
		uint64_t idx = id & (count - 1);
		uint64_t k = n - done;
		bool batch;

		/* Consecutive ids, up to the end of the arrays. */
		if (k > DESC_BATCH)
			k = DESC_BATCH;
		if (k > count - idx)
			k = count - idx;
		batch = read_ok(t, rb.descs + idx * rb.l.desc_size, descs,
				k * rb.l.desc_size) &&
			read_ok(t, rb.infos + idx * rb.l.info_size, infos,
				k * rb.l.info_size);
		for (uint64_t j = 0; j < k && !w->stop; j++) {
			uint8_t *d = descs + j * rb.l.desc_size;
			uint8_t *info = infos + j * rb.l.info_size;

			/* A batch that fails is read one descriptor at a time. */
			if (!batch &&
			    !(read_ok(t, rb.descs + (idx + j) * rb.l.desc_size,
				      d, rb.l.desc_size) &&
			      read_ok(t, rb.infos + (idx + j) * rb.l.info_size,
				      info, rb.l.info_size))) {
				skip(w, true);
				continue;
			}
			prb_record(&rb, &rr, w, (id + j) & DESC_ID_MASK,
				   rb.descs + (idx + j) * rb.l.desc_size, d,
				   info);
		}
		done += k;
	}
	if (!w->stop && !w->st->records && w->st->unreadable)
		err = zd_error_create(
			ZD_ERR_FAULT,
			"printk ring at 0x%llx: no record readable (%llu not in the dump)",
			(unsigned long long)rb.addr,
			(unsigned long long)w->st->unreadable);
out:
	free(descs);
	free(infos);
	reader_fini(&rr);
	return err;
}

/* The record log */

struct rec_layout {
	const char *type;
	uint64_t size, ts, len, text_len, dict_len, caller, facility, level;
};

static struct zd_error *rec_resolve(const struct zd_host *h,
				    struct rec_layout *l)
{
	struct zd_error *err;

	if ((err = struct_size(h, l->type, 14, &l->size)) ||
	    (err = member_in(h, l->type, "ts_nsec", 8, l->size, &l->ts)) ||
	    (err = member_in(h, l->type, "len", 2, l->size, &l->len)) ||
	    (err = member_in(h, l->type, "text_len", 2, l->size,
			     &l->text_len)) ||
	    (err = member_in(h, l->type, "dict_len", 2, l->size,
			     &l->dict_len)) ||
	    /* caller_id: 5.1+ with CONFIG_PRINTK_CALLER (15d07e3b6c0b) */
	    (err = opt_member_in(h, l->type, "caller_id", 4, l->size,
				 &l->caller)) ||
	    (err = opt_member_in(h, l->type, "facility", 1, l->size,
				 &l->facility)) ||
	    (err = opt_member_in(h, l->type, "level", 1, l->size, &l->level)))
		return err;
	if (l->level == ZD_NO_MEMBER && l->facility != ZD_NO_MEMBER &&
	    l->facility + 1 < l->size)
		l->level = l->facility + 1;
	return NULL;
}

static struct zd_error *read_u32_sym(const struct zd_target *t,
				     const char *name, uint32_t *v)
{
	uint64_t addr, size;
	struct zd_error *err =
		t->host.types.symbol(t->host.types.arg, name, &addr, &size);

	if (err)
		return zd_error_wrap(err, "symbol %s", name);
	return zd_read(t, addr, v, sizeof(*v), name);
}

static uint16_t get_u16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * A record header that log_store() could have written at idx: it sizes a
 * record exactly, header, text, dict, then padding to LOG_ALIGN (4, or 8
 * without efficient unaligned access).
 */
static bool rec_plausible(const struct rec_layout *l, const uint8_t *h,
			  uint64_t idx, uint64_t buf_len)
{
	uint64_t len = get_u16(h + l->len);
	uint64_t need = l->size + (uint64_t)get_u16(h + l->text_len) +
			get_u16(h + l->dict_len);

	return len >= need && len - need < 8 && len <= buf_len - idx;
}

/* Does a record of this len at idx end where another record begins? */
static bool len_leads_on(struct ring_reader *rr, const struct rec_layout *l,
			 uint64_t idx, uint64_t len, uint64_t buf_len,
			 uint64_t next_idx)
{
	uint64_t nxt = idx + len;
	const uint8_t *h;

	if (len < l->size || len > buf_len - idx || (len & 3))
		return false;
	if (nxt == next_idx || nxt == buf_len)
		return true;
	if (l->size > buf_len - nxt || !(h = ring_bytes(rr, nxt, l->size)))
		return false;
	return !get_u16(h + l->len) || rec_plausible(l, h, nxt, buf_len);
}

/* How many records lie from the buffer's start to next_idx. */
static uint64_t rec_count(struct ring_reader *rr, const struct rec_layout *l,
			  uint64_t buf_len, uint64_t next_idx)
{
	uint64_t idx = 0, n = 0;

	while (idx < next_idx && l->size <= buf_len - idx) {
		const uint8_t *h = ring_bytes(rr, idx, l->size);

		if (!h || !rec_plausible(l, h, idx, buf_len))
			break;
		idx += get_u16(h + l->len);
		n++;
	}
	return n;
}

static struct zd_error *rec_walk(const struct zd_target *t, uint64_t log_buf,
				 const char *type, struct walk *w)
{
	struct rec_layout l = { .type = type };
	uint32_t buf_len, first_idx, next_idx;
	uint64_t buf, seq = 0, next_seq = 0, addr, idx, steps = 0, max_steps;
	bool wrapped, have_seq;
	struct ring_reader rr;
	struct zd_error *err;

	if ((err = rec_resolve(&t->host, &l)))
		return zd_error_wrap(err, "printk log layout");
	/* log_buf is a pointer: __log_buf, or the log_buf_len= copy */
	if ((err = zd_read_u64(t, log_buf, &buf, "log_buf")) ||
	    (err = read_u32_sym(t, "log_buf_len", &buf_len)) ||
	    (err = read_u32_sym(t, "log_first_idx", &first_idx)) ||
	    (err = read_u32_sym(t, "log_next_idx", &next_idx)))
		return err;
	if (!buf || buf_len < l.size || buf_len > LOG_MAX_LEN ||
	    first_idx > buf_len - l.size || next_idx > buf_len - l.size)
		return zd_error_create(
			ZD_ERR_INVALID,
			"printk log at 0x%llx: absurd log_buf_len %u, log_first_idx %u or log_next_idx %u",
			(unsigned long long)buf, buf_len, first_idx, next_idx);
	/*
	 * log_first_seq/log_next_seq (static u64) number the records and
	 * tell a full buffer from an empty one when the indexes meet.
	 */
	have_seq = have_symbol(&t->host, "log_first_seq", &addr) &&
		   read_ok(t, addr, &seq, 8) &&
		   have_symbol(&t->host, "log_next_seq", &addr) &&
		   read_ok(t, addr, &next_seq, 8);
	if (!have_seq)
		seq = next_seq = 0;
	if (first_idx == next_idx && (!have_seq || seq == next_seq))
		return NULL; /* empty */
	if ((err = reader_init(&rr, t, buf, buf_len)))
		return err;
	/*
	 * Before the wrap (first_idx at or past next_idx) records run to a
	 * zero len, then from 0 up to next_idx.  Every step moves idx
	 * forward by at least a header and the walk wraps once, so it ends
	 * within two passes over the buffer.
	 */
	wrapped = first_idx < next_idx;
	idx = first_idx;
	max_steps = 2 * ((uint64_t)buf_len / l.size + 1);
	/* Indexes that meet on a non-empty log: the whole buffer is used. */
	while ((idx != next_idx || (!steps && first_idx == next_idx)) &&
	       !w->stop && steps++ < max_steps) {
		struct zd_log_record r = { 0 };
		const uint8_t *h = NULL;
		uint16_t len, text_len;
		const uint8_t *text;

		if (l.size > buf_len - idx) {
			skip(w, false); /* no room for a header: torn */
			goto torn;
		}
		if (!(h = ring_bytes(&rr, idx, l.size))) {
			/* Not in the dump: the chain of lengths is lost. */
			skip(w, true);
			goto torn;
		}
		len = get_u16(h + l.len);
		text_len = get_u16(h + l.text_len);
		if (!len) {
			/* log_store(): the wrap marker when the rest is too small */
			if (wrapped) {
				skip(w, false);
				break;
			}
			if (buf_len - idx > MAX_RECORD + 2 * l.size) {
				skip(w,
				     false); /* a zero len mid-buffer: torn */
				goto torn;
			}
			wrapped = true;
			idx = 0;
			continue;
		}
		if (wrapped && idx < next_idx && len > next_idx - idx) {
			skip(w, false);
			goto torn;
		}
		if (!rec_plausible(&l, h, idx, buf_len)) {
			/*
			 * A bad text or dict length with a whole len: the
			 * kernel's log_next() steps by len alone, and so may
			 * we when the next record is where len says (the log's
			 * end, a wrap marker or a plausible header).
			 */
			skip(w, false);
			if (len_leads_on(&rr, &l, idx, len, buf_len,
					 next_idx)) {
				idx += len;
				continue;
			}
			goto torn;
		}
		r.seq = seq++;
		r.ts_nsec = zd_get_u64(h + l.ts);
		if (l.caller != ZD_NO_MEMBER) {
			r.caller_id = zd_get_u32(h + l.caller);
			r.have_caller = true;
		}
		decode_level(h, l.level, l.facility, &r);
		/* h may be in the one-record buffer: no use of it after this */
		text = ring_bytes(&rr, idx + l.size, text_len);
		if (!text) {
			skip(w, true);
		} else {
			r.text = (const char *)text;
			r.len = text_len;
			emit(w, &r);
		}
		idx += len;
		continue;
torn:
		/*
		 * The lengths cannot be followed past a torn record.  Before
		 * the wrap, the records from the buffer's start up to
		 * log_next_idx are still whole: go on there.
		 */
		if (wrapped)
			break;
		wrapped = true;
		idx = 0;
		/* The records skipped are unknown: number the rest from the end. */
		if (have_seq)
			seq = next_seq - rec_count(&rr, &l, buf_len, next_idx);
	}
	if (!w->stop && !w->st->records && w->st->unreadable)
		err = zd_error_create(
			ZD_ERR_FAULT,
			"printk log at 0x%llx: no record readable (not in the dump)",
			(unsigned long long)buf);
	reader_fini(&rr);
	return err;
}

struct zd_error *zd_log_read(struct zd_target *t, zd_log_fn fn, void *arg,
			     struct zd_log_stats *st)
{
	struct zd_log_stats dummy;
	struct walk w = { fn, arg, st ? st : &dummy, false };
	const struct zd_host *h = &t->host;
	uint64_t addr;

	memset(w.st, 0, sizeof(*w.st));
	/* By structure shape: the lockless ring's pointer and type first. */
	if (have_symbol(h, "prb", &addr) && have_type(h, "printk_ringbuffer")) {
		w.st->format = "lockless";
		return prb_walk(t, addr, &w);
	}
	if (have_symbol(h, "log_buf", &addr)) {
		const char *type = have_type(h, "printk_log") ? "printk_log" :
				   have_type(h, "log")	      ? "log" :
								NULL;

		if (type) {
			w.st->format = "record";
			return rec_walk(t, addr, type, &w);
		}
		return zd_error_create(
			ZD_ERR_UNSUPPORTED,
			"kernel log: log_buf without struct printk_log or struct log (the character log of kernels before 3.5, or no types for it)");
	}
	return zd_error_create(
		ZD_ERR_NOTFOUND,
		"kernel log: neither prb and struct printk_ringbuffer (5.10+) nor log_buf and struct printk_log (3.5-5.9)");
}

struct zd_error *zd_log_read_host(const struct zd_host *host, zd_log_fn fn,
				  void *arg, struct zd_log_stats *st)
{
	/* Only the host of a target is used by the readers above. */
	struct zd_target *t = calloc(1, sizeof(*t));
	struct zd_error *err;

	if (!t)
		return &zd_error_nomem;
	t->host = *host;
	err = zd_log_read(t, fn, arg, st);
	free(t);
	return err;
}

/* Output */

static void put_escaped(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 0x20 && c < 0x7f) || c == '\t')
			fputc(c, out);
		else
			fprintf(out, "\\x%02x", c);
	}
}

void zd_log_print_text(FILE *out, const struct zd_log_record *r,
		       unsigned int flags)
{
	char prefix[64];
	size_t plen = 0, left = r->len;
	const char *p = r->text;

	/* printk.c info_print_prefix(): print_syslog, print_time, print_caller */
	if ((flags & ZD_LOG_PRINT_LEVEL) && r->level >= 0)
		plen += (size_t)snprintf(
			prefix + plen, sizeof(prefix) - plen, "<%u>",
			(unsigned int)((r->facility > 0 ? r->facility : 0)
					       << 3 |
				       r->level));
	plen += (size_t)snprintf(
		prefix + plen, sizeof(prefix) - plen, "[%5llu.%06llu]",
		(unsigned long long)(r->ts_nsec / 1000000000),
		(unsigned long long)(r->ts_nsec % 1000000000 / 1000));
	if ((flags & ZD_LOG_PRINT_CALLER) && r->have_caller) {
		char caller[16];

		snprintf(caller, sizeof(caller), "%c%u",
			 r->caller_id & 0x80000000 ? 'C' : 'T',
			 r->caller_id & ~0x80000000U);
		plen += (size_t)snprintf(prefix + plen, sizeof(prefix) - plen,
					 "[%6s]", caller);
	}
	/*
	 * record_print_text(): every line gets the prefix, a text ending in
	 * '\n' ends with an empty prefixed line, and the record's own
	 * trailing newline (stripped by vprintk_store()) is added back.
	 */
	for (;;) {
		const char *nl = memchr(p, '\n', left);
		size_t line = nl ? (size_t)(nl - p) : left;

		fwrite(prefix, 1, plen, out);
		fputc(' ', out);
		put_escaped(out, p, line);
		fputc('\n', out);
		if (!nl)
			break;
		p += line + 1;
		left -= line + 1;
	}
}
