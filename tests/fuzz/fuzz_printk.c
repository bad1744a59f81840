// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_printk: lib/printk.c's kernel log reader, zd_log_read_host(), over
 * a fake kernel whose memory is the input, in both formats, and
 * zd_log_print_text() of every record it hands out (to /dev/null).
 * Besides crashes, hangs and leaks, it checks what log.h promises:
 *
 *   - a record: len at most 65535 (text_len is a u16), text not NULL
 *     when len > 0 (every byte of it is read, for ASan), level -1..7,
 *     facility -1..255, flags 5 bits (0 when the level is unknown);
 *   - st.records is the number of calls, st.unreadable <= st.skipped,
 *     st.format says the format the symbols and types select;
 *   - after the callback asks to stop it is not called again and the read
 *     returns NULL;
 *   - an error is one of the codes log.h lists, with a one-line message.
 *
 * Input: a 32-byte header, then the image, mapped at FZ_IMAGE in eight
 * parts (part i excluded, ZD_ERR_EXCLUDED, when header.excluded bit i);
 * any read outside it fails with ZD_ERR_FAULT.
 *
 *   0  u8   format (modulo 4): 0 lockless (prb, struct printk_ringbuffer),
 *           1 record (log_buf, struct printk_log), 2 log_buf and no record
 *           type (before 3.5), 3 neither
 *   1  u8   enum fz_printk_flags (bits 0-3): the layout's optional members;
 *           bit 4: lockless: also log_buf and struct printk_log (a 5.10+
 *           kernel has both); record: no log_first_seq / log_next_seq;
 *           bit 5: mem.live (the running kernel's rules);
 *           bit 6, 7: ZD_LOG_PRINT_CALLER, ZD_LOG_PRINT_LEVEL
 *   2  u8   excluded parts
 *   3  u8   the callback stops after this many records (0: never)
 *   4  u32  symbol addresses, FZ_IMAGE + each: lockless: prb (a pointer
 *           to the struct printk_ringbuffer); record: log_buf (a pointer to
 *           the buffer), log_buf_len, log_first_idx, log_next_idx (u32),
 *           log_first_seq, log_next_seq (u64)
 *  28  u32
 *
 * The pointers in the image (prb's, the ring's descs, infos and data,
 * log_buf's) are kernel addresses: FZ_IMAGE + offset to stay in it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zdref/log.h"

#include "fuzzhost.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_IMAGE FZ_HEAP_BASE
#define HDR 32

static struct fz_host host;
static FILE *devnull;
static int debug = -1; /* ZDREF_FUZZ_DEBUG: the records, on stdout */

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_printk: %s\n", what);
	abort();
}

struct seen {
	uint64_t calls, stop_after, sum;
	unsigned int print;
	bool stopped;
};

static int record(void *arg, const struct zd_log_record *r)
{
	struct seen *s = arg;

	if (s->stopped)
		broken("the callback was called after it asked to stop");
	if (r->len > 65535)
		broken("a record longer than a u16 text_len");
	if (r->len && !r->text)
		broken("a record with a length and no text");
	if (r->level < -1 || r->level > 7)
		broken("a level outside -1..7");
	if (r->facility < -1 || r->facility > 255)
		broken("a facility outside -1..255");
	if (r->flags > 0x1f || (r->level < 0 && r->flags))
		broken("flags outside the 5 bits of printk_info / printk_log");
	for (size_t i = 0; i < r->len; i++)
		s->sum += (uint8_t)r->text[i];
	zd_log_print_text(devnull, r, s->print);
	if (debug) {
		printf("  seq %llu ts %llu level %d len %zu%s: ",
		       (unsigned long long)r->seq,
		       (unsigned long long)r->ts_nsec, r->level, r->len,
		       r->open ? " (open)" : "");
		zd_log_print_text(stdout, r, s->print);
	}
	s->calls++;
	if (s->stop_after && s->calls == s->stop_after)
		s->stopped = true;
	return s->stopped;
}

static void symbols(struct fz_host *h, const uint8_t *data,
		    const char *const *names, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		fz_add_symbol(h, names[i], FZ_IMAGE + fz_le32(data + 4 + 4 * i),
			      i == 0 ? 8 : 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prb_syms[] = { "prb" };
	static const char *const rec_syms[] = {
		"log_buf",	 "log_buf_len",	  "log_first_idx",
		"log_next_idx", "log_first_seq", "log_next_seq",
	};
	struct fz_host *h = &host;
	struct zd_log_stats st;
	struct seen s = { 0 };
	struct zd_error *err;
	const char *want = NULL;
	uint64_t rec_size;
	uint8_t format, flags;

	if (debug < 0)
		debug = getenv("ZDREF_FUZZ_DEBUG") != NULL;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	if (size < HDR)
		return 0;
	format = data[0] % 4;
	flags = data[1];
	s.stop_after = data[3];
	s.print = (flags & 0x40 ? ZD_LOG_PRINT_CALLER : 0) |
		  (flags & 0x80 ? ZD_LOG_PRINT_LEVEL : 0);
	fz_init(h);
	h->host.mem.live = flags & 0x20;
	switch (format) {
	case 0:
		fz_tables_printk_lockless(h, flags & 0xf);
		symbols(h, data, prb_syms, 1);
		if (flags & 0x10) {
			fz_tables_printk_record(h, flags & 0xf, &rec_size);
			symbols(h, data, rec_syms, 6);
		}
		want = "lockless";
		break;
	case 1:
		fz_tables_printk_record(h, flags & 0xf, &rec_size);
		symbols(h, data, rec_syms, flags & 0x10 ? 4 : 6);
		want = "record";
		break;
	case 2:
		symbols(h, data, rec_syms, 6);
		break;
	}
	fz_map_parts(h, FZ_IMAGE, data + HDR, size - HDR, data[2]);

	err = zd_log_read_host(&h->host, record, &s, &st);
	if (debug)
		printf("zd_log_read_host: %s; %s, %llu records, %llu skipped (%llu unreadable), %llu lost\n",
		       err ? err->message : "ok",
		       st.format ? st.format : "no format",
		       (unsigned long long)st.records,
		       (unsigned long long)st.skipped,
		       (unsigned long long)st.unreadable,
		       (unsigned long long)st.lost);
	if (st.records != s.calls)
		broken("st.records is not the number of records handed out");
	if (st.unreadable > st.skipped)
		broken("more unreadable records than skipped ones");
	if (want ? !st.format || strcmp(st.format, want) : st.format != NULL)
		broken("st.format is not the format the kernel's shape selects");
	if (err) {
		if (s.stopped)
			broken("an error after the callback stopped the walk");
		switch (err->code) {
		case ZD_ERR_NOTFOUND:
		case ZD_ERR_UNSUPPORTED:
		case ZD_ERR_INVALID:
		case ZD_ERR_FAULT:
		case ZD_ERR_EXCLUDED:
		case ZD_ERR_NOMEM:
			break;
		default:
			fprintf(stderr, "fuzz_printk: error %d: %s\n",
				(int)err->code, err->message);
			broken("an error code log.h does not list");
		}
		if (!err->message || strchr(err->message, '\n'))
			broken("an error message that is not one line");
		if (format >= 2 && s.calls)
			broken("records and an error for a kernel with no log");
		zd_error_destroy(err);
	}
	return 0;
}
