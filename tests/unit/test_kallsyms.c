// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cli/kallsyms.c over kallsyms tables built in a byte buffer the way the
 * kernel's scripts/kallsyms.c lays them out (token table and index,
 * compressed names, markers, seqs_of_names, offsets or addresses; the 6.1
 * order, the 6.12 order, and the place-relative one of a081b5789255) and
 * served through a fake address space; then torn tables, and
 * /proc/kallsyms and System.map files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "kallsyms.h"

#define TEXT 0xffffffff81000000ull
#define IMAGE 0xffffffff82000000ull /* where the tables go */
#define MIB (1ull << 20)

/* Fake kernel memory */

struct fakemem {
	uint64_t addr;
	const uint8_t *data;
	size_t len;
	uint64_t fail_from, fail_to; /* reads touching [from, to) fail;
					 * from 0: none, to 0: no end */
	bool fail_all;
	unsigned reads;
	size_t max_read;
};

static struct zd_error *fake_read(void *arg, uint64_t addr, void *buf,
				  size_t len)
{
	struct fakemem *m = arg;

	m->reads++;
	if (len > m->max_read)
		m->max_read = len;
	if (m->fail_all)
		return zd_error_create(ZD_ERR_FAULT, "0x%llx: read fails",
				       (unsigned long long)addr);
	if (m->fail_from && addr + len > m->fail_from &&
	    (!m->fail_to || addr < m->fail_to))
		return zd_error_create(ZD_ERR_FAULT, "0x%llx: torn off",
				       (unsigned long long)addr);
	if (addr < m->addr || addr - m->addr > m->len ||
	    len > m->len - (addr - m->addr))
		return zd_error_create(ZD_ERR_FAULT,
				       "0x%llx: not in the fake dump",
				       (unsigned long long)addr);
	memcpy(buf, m->data + (addr - m->addr), len);
	return NULL;
}

/* The table builder */

enum b_len { B_TWO, B_ONE };
enum b_addr { B_ABS_PERCPU, B_RELATIVE, B_PLACE, B_ABSOLUTE };
enum b_order { B_ORDER_61, B_ORDER_612 };

struct bsym {
	char type;
	char name[512];
	uint64_t addr;
	bool percpu; /* absolute under KALLSYMS_ABSOLUTE_PERCPU */
};

struct bopts {
	enum b_len len;
	enum b_addr addr;
	enum b_order order;
	bool compress;
	const char *force_pair; /* two characters that become token 1 */
};

struct image {
	uint8_t *buf;
	size_t len, cap;
	struct zd_kallsyms_tables tab;
	uint64_t names_end;
	uint32_t max_tokens; /* most tokens in one record */
	uint32_t num;
};

static void put(struct image *im, const void *p, size_t n)
{
	if (im->len + n > im->cap) {
		im->cap = (im->len + n) * 2 + 4096;
		im->buf = realloc(im->buf, im->cap);
		assert_non_null(im->buf);
	}
	memcpy(im->buf + im->len, p, n);
	im->len += n;
}

static void put8(struct image *im, uint8_t v)
{
	put(im, &v, 1);
}

static void put16(struct image *im, uint16_t v)
{
	put8(im, v & 0xff);
	put8(im, v >> 8);
}

static void put32(struct image *im, uint32_t v)
{
	put16(im, v & 0xffff);
	put16(im, v >> 16);
}

static void put64(struct image *im, uint64_t v)
{
	put32(im, (uint32_t)v);
	put32(im, (uint32_t)(v >> 32));
}

/* output_label(): ALGN, then the label's address. */
static uint64_t label(struct image *im, unsigned align)
{
	while (im->len % align)
		put8(im, 0);
	return IMAGE + im->len;
}

struct csym {
	uint8_t *b;
	size_t len;
};

static const struct bsym *sort_syms;

static int by_name(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;
	int r = strcmp(sort_syms[*x].name, sort_syms[*y].name);

	if (r)
		return r;
	return *x < *y ? -1 : *x > *y;
}

/* A token of two: the expansions of both, one after the other. */
static void join(char *t, const char *a, const char *b)
{
	char tmp[512];

	snprintf(tmp, sizeof(tmp), "%s%s", a, b);
	assert_true(strlen(tmp) < 256);
	memcpy(t, tmp, strlen(tmp) + 1);
}

/* Replace every non-overlapping (a, b) pair, left to right, by t. */
static void replace_pair(struct csym *c, size_t n, int a, int b, int t)
{
	for (size_t i = 0; i < n; i++) {
		size_t w = 0;

		for (size_t r = 0; r < c[i].len; r++) {
			if (r + 1 < c[i].len && c[i].b[r] == a &&
			    c[i].b[r + 1] == b) {
				c[i].b[w++] = (uint8_t)t;
				r++;
			} else {
				c[i].b[w++] = c[i].b[r];
			}
		}
		c[i].len = w;
	}
}

/*
 * scripts/kallsyms.c: the characters used stand for themselves, free
 * codes (from 255 down) take the most frequent pair of codes, repeatedly.
 * (It keeps pairs seen once too; stopping at two keeps a long test name
 * long.)  Then write_src()'s layout.
 */
static void build(struct image *im, const struct bsym *s, uint32_t n,
		  const struct bopts *o)
{
	static char tok[256][256];
	static unsigned counts[65536];
	struct csym *c = calloc(n, sizeof(*c));
	bool used[256] = { false };
	uint32_t *markers, *seq;
	uint64_t rb = 0, offsets_at = 0, names_at, at;
	unsigned align = o->addr == B_PLACE ? 4 : 8;
	uint32_t off = 0;

	assert_non_null(c);
	free(im->buf);
	memset(im, 0, sizeof(*im));
	im->num = n;
	for (uint32_t i = 0; i < n; i++) {
		size_t l = strlen(s[i].name);

		if (i)
			assert_true(s[i].addr >= s[i - 1].addr);
		c[i].b = malloc(l + 1);
		assert_non_null(c[i].b);
		c[i].b[0] = (uint8_t)s[i].type;
		memcpy(c[i].b + 1, s[i].name, l);
		c[i].len = l + 1;
		for (size_t k = 0; k < c[i].len; k++)
			used[c[i].b[k]] = true;
	}
	memset(tok, 0, sizeof(tok));
	for (int t = 0; t < 256; t++)
		if (used[t])
			tok[t][0] = (char)t;
	if (o->force_pair) {
		int a = (unsigned char)o->force_pair[0];
		int b = (unsigned char)o->force_pair[1];

		assert_false(used[1]);
		join(tok[1], tok[a], tok[b]);
		used[1] = true;
		replace_pair(c, n, a, b, 1);
	}
	for (int t = 255; o->compress && t >= 0; t--) {
		unsigned best = 0, bestn = 0;

		if (used[t])
			continue;
		memset(counts, 0, sizeof(counts));
		for (uint32_t i = 0; i < n; i++)
			for (size_t k = 0; k + 1 < c[i].len; k++)
				counts[c[i].b[k] | c[i].b[k + 1] << 8]++;
		for (unsigned p = 0; p < 65536; p++)
			if (counts[p] > bestn &&
			    strlen(tok[p & 0xff]) + strlen(tok[p >> 8]) < 255) {
				best = p;
				bestn = counts[p];
			}
		if (bestn < 2)
			break;
		join(tok[t], tok[best & 0xff], tok[best >> 8]);
		used[t] = true;
		replace_pair(c, n, best & 0xff, best >> 8, t);
	}

	/* write_src() */
	if (o->addr == B_ABS_PERCPU) {
		for (uint32_t i = 0; i < n && !rb; i++)
			if (!s[i].percpu)
				rb = s[i].addr;
	} else {
		rb = s[0].addr;
	}
	if (o->order == B_ORDER_61) {
		if (o->addr == B_ABSOLUTE) {
			im->tab.addresses = label(im, align);
			for (uint32_t i = 0; i < n; i++)
				put64(im, s[i].addr);
		} else {
			offsets_at = im->tab.offsets = label(im, align);
			for (uint32_t i = 0; i < n; i++)
				put32(im, 0); /* filled in below */
			im->tab.relative_base = label(im, align);
			put64(im, rb);
		}
	}
	im->tab.num_syms = label(im, align);
	put32(im, n);
	names_at = im->tab.names = label(im, align);
	markers = calloc((n + 255) / 256, sizeof(*markers));
	assert_non_null(markers);
	for (uint32_t i = 0; i < n; i++) {
		if (!(i & 0xff))
			markers[i >> 8] = off;
		if (c[i].len > im->max_tokens)
			im->max_tokens = (uint32_t)c[i].len;
		if (o->len == B_ONE) {
			assert_true(c[i].len <= 0xff);
			put8(im, (uint8_t)c[i].len);
			off += (uint32_t)c[i].len + 1;
		} else if (c[i].len <= 0x7f) {
			put8(im, (uint8_t)c[i].len);
			off += (uint32_t)c[i].len + 1;
		} else {
			assert_true(c[i].len <= 0x3fff);
			put8(im, (uint8_t)((c[i].len & 0x7f) | 0x80));
			put8(im, (uint8_t)((c[i].len >> 7) & 0x7f));
			off += (uint32_t)c[i].len + 2;
		}
		put(im, c[i].b, c[i].len);
	}
	im->names_end = names_at + off;
	label(im, align);
	for (uint32_t k = 0; k < (n + 255) / 256; k++)
		put32(im, markers[k]);
	free(markers);
	if (o->order == B_ORDER_61) {
		label(im, align); /* kallsyms_seqs_of_names */
		seq = malloc(sizeof(*seq) * n);
		assert_non_null(seq);
		for (uint32_t i = 0; i < n; i++)
			seq[i] = i;
		sort_syms = s;
		qsort(seq, n, sizeof(*seq), by_name);
		for (uint32_t i = 0; i < n; i++) {
			put8(im, (uint8_t)(seq[i] >> 16));
			put8(im, (uint8_t)(seq[i] >> 8));
			put8(im, (uint8_t)seq[i]);
		}
		free(seq);
	}
	im->tab.token_table = label(im, align);
	{
		uint16_t idx[256];
		size_t toff = 0;

		for (int t = 0; t < 256; t++) {
			idx[t] = (uint16_t)toff;
			put(im, tok[t], strlen(tok[t]) + 1);
			toff += strlen(tok[t]) + 1;
		}
		im->tab.token_index = label(im, align);
		for (int t = 0; t < 256; t++)
			put16(im, idx[t]);
	}
	if (o->order == B_ORDER_612) {
		offsets_at = im->tab.offsets = label(im, align);
		for (uint32_t i = 0; i < n; i++)
			put32(im, 0);
		if (o->addr != B_PLACE) {
			im->tab.relative_base = label(im, align);
			put64(im, rb);
		}
		label(im, align); /* kallsyms_seqs_of_names */
		for (uint32_t i = 0; i < n; i++)
			put(im, "\0\0\0", 3);
	}
	if (offsets_at) {
		for (uint32_t i = 0; i < n; i++) {
			int64_t v;
			uint32_t w;

			switch (o->addr) {
			case B_ABS_PERCPU:
				if (s[i].percpu) {
					v = (int64_t)s[i].addr;
					assert_true(v >= 0 && v <= INT32_MAX);
				} else {
					v = (int64_t)(rb - s[i].addr - 1);
					assert_true(v < 0 && v >= INT32_MIN);
				}
				w = (uint32_t)v;
				break;
			case B_RELATIVE:
				assert_true(s[i].addr - rb <= UINT32_MAX);
				w = (uint32_t)(s[i].addr - rb);
				break;
			default: /* B_PLACE: _text - . + (addr - _text) */
				v = (int64_t)(s[i].addr -
					      (offsets_at + 4 * (uint64_t)i));
				assert_true(v >= INT32_MIN && v <= INT32_MAX);
				w = (uint32_t)v;
				break;
			}
			at = offsets_at - IMAGE + 4 * (uint64_t)i;
			for (int k = 0; k < 4; k++)
				im->buf[at + k] = (uint8_t)(w >> (8 * k));
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		if (!strcmp(s[i].name, "_stext"))
			im->tab.stext = s[i].addr;
		free(c[i].b);
	}
	free(c);
}

static void mem_of(struct fakemem *m, const struct image *im)
{
	memset(m, 0, sizeof(*m));
	m->addr = IMAGE;
	m->data = im->buf;
	m->len = im->len;
}

/* Symbols */

static uint32_t add(struct bsym *s, uint32_t n, char type, const char *name,
		    uint64_t addr, bool percpu)
{
	s[n].type = type;
	snprintf(s[n].name, sizeof(s[n].name), "%s", name);
	s[n].addr = addr;
	s[n].percpu = percpu;
	return n + 1;
}

/* len characters with few repeated pairs, so few tokens of two. */
static const char *random_name(int len, uint32_t seed)
{
	static const char set[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	static char buf[2][512];
	char *p = buf[seed & 1];
	uint32_t x = seed;

	for (int i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = set[(x >> 16) % (sizeof(set) - 1)];
	}
	p[0] = '_';
	p[len] = '\0';
	return p;
}

/* More than 127 tokens. */
static const char *long_name(void)
{
	return random_name(300, 12344);
}

/* A kernel's worth in miniature, in address order. */
static uint32_t kernel_syms(struct bsym *s, bool percpu)
{
	uint32_t n = 0;

	if (percpu) {
		n = add(s, n, 'A', "fixed_percpu_data", 0, true);
		n = add(s, n, 'A', "irq_stack_backing_store", 0x4000, true);
		n = add(s, n, 'A', "this_cpu_off", 0x19168, true);
		n = add(s, n, 'A', "__per_cpu_end", 0x2e000, true);
	}
	n = add(s, n, 'T', "_text", TEXT, false);
	n = add(s, n, 'T', "startup_64", TEXT, false);
	n = add(s, n, 'T', "_stext", TEXT + 0x1000, false);
	n = add(s, n, 't', "cleanup", TEXT + 0x1100, false);
	n = add(s, n, 't', "local_only", TEXT + 0x1200, false);
	n = add(s, n, 'T', "memunmap_pages", TEXT + 0x2000, false);
	n = add(s, n, 'T', "cleanup", TEXT + 0x2100, false);
	n = add(s, n, 't', "local_only", TEXT + 0x2200, false);
	n = add(s, n, 'T', long_name(), TEXT + 0x3000, false);
	n = add(s, n, 't', "cleanup", TEXT + 0x3100, false);
	n = add(s, n, 'T', "devm_memremap_pages", TEXT + 0x4000, false);
	n = add(s, n, 'T', "_etext", TEXT + 0x800000, false);
	n = add(s, n, 'R', "__start_BTF", TEXT + 0x900000, false);
	n = add(s, n, 'R', "__stop_BTF", TEXT + 0xc00000, false);
	n = add(s, n, 'D', "pgmap_array", TEXT + 0x1400000, false);
	n = add(s, n, 'd', "pgmap_lock", TEXT + 0x1400040, false);
	n = add(s, n, 'B', "mem_section", TEXT + 0x1c00000, false);
	n = add(s, n, 'B', "__bss_stop", TEXT + 0x1e00000, false);
	return n;
}

struct fixture {
	struct bsym s[512];
	uint32_t n;
	struct image im;
	struct fakemem m;
	struct zd_kallsyms *ks;
};

static int setup(void **ctx)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*ctx = f;
	return 0;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;

	zd_kallsyms_free(f->ks);
	free(f->im.buf);
	free(f);
	return 0;
}

static struct zd_error *decode(struct fixture *f)
{
	zd_kallsyms_free(f->ks);
	f->ks = NULL;
	return zd_kallsyms_decode(fake_read, &f->m, &f->im.tab, &f->ks);
}

static void build_and_decode(struct fixture *f, const struct bopts *o,
			     const char *encoding)
{
	struct zd_error *err;

	build(&f->im, f->s, f->n, o);
	mem_of(&f->m, &f->im);
	err = decode(f);
	if (err)
		fail_msg("decode: %s", err->message);
	assert_int_equal(zd_kallsyms_count(f->ks), f->n);
	assert_string_equal(zd_kallsyms_encoding(f->ks), encoding);
}

static void expect_sym(const struct zd_kallsyms *ks, const char *name,
		       uint64_t addr, uint64_t size)
{
	uint64_t a = 0, sz = 0;
	struct zd_error *err = zd_kallsyms_lookup(ks, name, &a, &sz);

	if (err)
		fail_msg("lookup %s: %s", name, err->message);
	assert_int_equal(a, addr);
	assert_int_equal(sz, size);
}

/* Every symbol of the input: its name at its address. */
static void expect_all(const struct fixture *f)
{
	for (uint32_t i = 0; i < f->n; i++) {
		char name[600];
		uint64_t off = 1;
		uint32_t first = i;
		struct zd_error *err;

		while (first > 0 && f->s[first - 1].addr == f->s[i].addr)
			first--;
		err = zd_kallsyms_symbolize(f->ks, f->s[i].addr, name,
					    sizeof(name), &off);
		if (err)
			fail_msg("symbolize %s: %s", f->s[i].name,
				 err->message);
		assert_string_equal(name, f->s[first].name);
		assert_int_equal(off, 0);
	}
}

static void expect_err(struct zd_error *err, enum zd_err_code code,
		       const char *part)
{
	if (!err)
		fail_msg("no error, expected one with '%s'", part);
	if (err->code != code || !strstr(err->message, part))
		fail_msg("error %d '%s', expected %d with '%s'", err->code,
			 err->message, code, part);
	zd_error_destroy(err);
}

/* Decoding: encodings */

static void test_two_byte_abs_percpu(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_ABS_PERCPU, B_ORDER_61, true, NULL };
	char name[64];
	uint64_t off;

	f->n = kernel_syms(f->s, true);
	build_and_decode(f, &o, "two-byte lengths, absolute-percpu");
	assert_true(f->im.max_tokens > 127);
	expect_all(f);
	expect_sym(f->ks, "this_cpu_off", 0x19168, 0x2e000 - 0x19168);
	expect_sym(f->ks, "fixed_percpu_data", 0, 0x4000);
	expect_sym(f->ks, long_name(), TEXT + 0x3000, 0x100);
	expect_sym(f->ks, "_stext", TEXT + 0x1000, 0x100);
	assert_null(zd_kallsyms_symbolize(f->ks, 0x19170, name, sizeof(name),
					  &off));
	assert_string_equal(name, "this_cpu_off");
	assert_int_equal(off, 8);
}

static void test_relative_612(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_RELATIVE, B_ORDER_612, true, NULL };

	f->n = kernel_syms(f->s, false);
	build_and_decode(f, &o, "two-byte lengths, relative");
	expect_all(f);
	expect_sym(f->ks, "pgmap_array", TEXT + 0x1400000, 0x40);
}

static void test_short_lengths(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_RELATIVE, B_ORDER_612, true, NULL };

	f->n = kernel_syms(f->s, false);
	/* drop the long name: every count fits one byte */
	memmove(&f->s[8], &f->s[9], sizeof(f->s[0]) * (f->n - 9));
	f->n--;
	build_and_decode(f, &o, "lengths < 128, relative");
	expect_all(f);
}

static void test_place_relative(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_PLACE, B_ORDER_612, true, NULL };

	f->n = kernel_syms(f->s, false);
	build_and_decode(f, &o, "two-byte lengths, place-relative");
	assert_int_equal(f->im.tab.relative_base, 0);
	expect_all(f);
	expect_sym(f->ks, "mem_section", TEXT + 0x1c00000, MIB);
}

static void test_absolute(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_ABSOLUTE, B_ORDER_61, true, NULL };

	f->n = kernel_syms(f->s, true);
	build_and_decode(f, &o, "two-byte lengths, absolute addresses");
	expect_all(f);
	expect_sym(f->ks, "this_cpu_off", 0x19168, 0x2e000 - 0x19168);
}

/* Before 73bbb94466fd: one count byte, 128-255 plain counts. */
static void test_one_byte(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_ONE, B_ABS_PERCPU, B_ORDER_61, true, NULL };
	const char *name = random_name(150, 777);

	f->n = kernel_syms(f->s, true);
	/* the long name replaced by one of 128-255 tokens */
	snprintf(f->s[12].name, sizeof(f->s[12].name), "%s", name);
	build(&f->im, f->s, f->n, &o);
	assert_true(f->im.max_tokens > 127 && f->im.max_tokens < 256);
	mem_of(&f->m, &f->im);
	assert_null(decode(f));
	assert_string_equal(zd_kallsyms_encoding(f->ks),
			    "one-byte lengths, absolute-percpu");
	expect_all(f);
	expect_sym(f->ks, name, TEXT + 0x3000, 0x100);
}

/*
 * A one-byte table whose last record (count 0x81, first token 1) also
 * reads as a two-byte count 0x81 0x01 = 129 that swallows one padding
 * byte: both readings hold up, the markers tell them apart.
 */
static void test_one_byte_markers(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_ONE, B_RELATIVE, B_ORDER_61, false, "Tx" };
	char last[160], fill[16];
	int pad;

	for (pad = 1; pad <= 8; pad++) {
		f->n = 0;
		f->n = add(f->s, f->n, 'T', "_text", TEXT, false);
		f->n = add(f->s, f->n, 'T', "_stext", TEXT + 0x1000, false);
		for (uint32_t i = 0; i < 300; i++) {
			char nm[32];

			snprintf(nm, sizeof(nm), "fn_%u", i);
			f->n = add(f->s, f->n, 't', nm, TEXT + 0x2000 + 16 * i,
				   false);
		}
		memset(fill, 'z', sizeof(fill));
		fill[pad] = '\0';
		f->n = add(f->s, f->n, 'T', fill, TEXT + 0x9000, false);
		/* 'T' 'x' -> token 1, then 128 more characters: 129 tokens;
		 * under two bytes the name starts with 'b', a type */
		last[0] = 'x';
		for (int i = 1; i <= 128; i++)
			last[i] = "bcdefghijk"[i % 10];
		last[1] = 'b';
		last[129] = '\0';
		f->n = add(f->s, f->n, 'T', last, TEXT + 0xa000, false);
		build(&f->im, f->s, f->n, &o);
		if (!(f->im.names_end % 8))
			break;
	}
	assert_true(pad <= 8);
	assert_int_equal(f->im.max_tokens, 129);
	mem_of(&f->m, &f->im);
	assert_null(decode(f));
	assert_string_equal(zd_kallsyms_encoding(f->ks),
			    "one-byte lengths, relative");
	expect_all(f);
}

static void test_many_symbols(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_ABS_PERCPU, B_ORDER_61, false, NULL };
	const uint32_t n = 100000;
	struct bsym *s = calloc(n, sizeof(*s));
	struct zd_kallsyms *ks = NULL;
	struct image im = { 0 };
	struct fakemem m;
	uint64_t a, sz;
	char name[64];

	assert_non_null(s);
	(void)f;
	add(s, 0, 'A', "this_cpu_off", 0x19168, true);
	add(s, 1, 'T', "_text", TEXT, false);
	add(s, 2, 'T', "_stext", TEXT + 0x1000, false);
	for (uint32_t i = 3; i < n; i++) {
		snprintf(name, sizeof(name), "%s_%u_%s",
			 i % 3 ? "do_something" : "handle", i,
			 i % 2 ? "fn" : "work");
		add(s, i, i % 5 ? 't' : 'T', name, TEXT + 0x2000 + 32ull * i,
		    false);
	}
	build(&im, s, n, &o);
	mem_of(&m, &im);
	assert_null(zd_kallsyms_decode(fake_read, &m, &im.tab, &ks));
	assert_int_equal(zd_kallsyms_count(ks), n);
	/* the names in 64 KiB pieces, not a read per symbol */
	assert_true(m.reads < 100);
	assert_int_equal(m.max_read, 64 << 10);
	assert_null(zd_kallsyms_lookup(ks, "handle_99999_fn", &a, &sz));
	assert_int_equal(a, TEXT + 0x2000 + 32ull * 99999);
	assert_int_equal(sz, 0);
	assert_null(zd_kallsyms_lookup(ks, "do_something_50000_work", &a, &sz));
	assert_int_equal(a, TEXT + 0x2000 + 32ull * 50000);
	assert_int_equal(sz, 32);
	zd_kallsyms_free(ks);
	free(im.buf);
	free(s);
}

/* Queries */

static void test_duplicates(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_ABS_PERCPU, B_ORDER_61, true, NULL };

	f->n = kernel_syms(f->s, true);
	build_and_decode(f, &o, "two-byte lengths, absolute-percpu");
	/* local, global, local: the global one */
	expect_sym(f->ks, "cleanup", TEXT + 0x2100, 0x100);
	/* two locals: the first */
	expect_sym(f->ks, "local_only", TEXT + 0x1200, 0xe00);
}

static void test_symbolize(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_RELATIVE, B_ORDER_612, true, NULL };
	char name[32];
	uint64_t off;

	f->n = kernel_syms(f->s, false);
	build_and_decode(f, &o, "two-byte lengths, relative");
	/* aliases: the first in table order */
	assert_null(zd_kallsyms_symbolize(f->ks, TEXT + 0x10, name,
					  sizeof(name), &off));
	assert_string_equal(name, "_text");
	assert_int_equal(off, 0x10);
	assert_null(zd_kallsyms_symbolize(f->ks, TEXT + 0x2000 + 0xff, name,
					  sizeof(name), &off));
	assert_string_equal(name, "memunmap_pages");
	assert_int_equal(off, 0xff);
	/* truncated to fit */
	assert_null(zd_kallsyms_symbolize(f->ks, TEXT + 0x4001, name, 6, NULL));
	assert_string_equal(name, "devm_");
	/* below the first symbol */
	expect_err(zd_kallsyms_symbolize(f->ks, TEXT - 1, name, sizeof(name),
					 &off),
		   ZD_ERR_NOTFOUND, "in no kallsyms symbol");
	/* more than 1 MiB past a symbol, before the next */
	expect_err(zd_kallsyms_symbolize(f->ks, TEXT + 0x4000 + MIB, name,
					 sizeof(name), &off),
		   ZD_ERR_NOTFOUND, "in no kallsyms symbol");
	assert_null(zd_kallsyms_symbolize(f->ks, TEXT + 0x4000 + MIB - 1, name,
					  sizeof(name), &off));
	/* the highest symbol only at its address */
	assert_null(zd_kallsyms_symbolize(f->ks, TEXT + 0x1e00000, name,
					  sizeof(name), &off));
	assert_string_equal(name, "__bss_stop");
	expect_err(zd_kallsyms_symbolize(f->ks, TEXT + 0x1e00001, name,
					 sizeof(name), &off),
		   ZD_ERR_NOTFOUND, "in no kallsyms symbol");
	assert_null(zd_kallsyms_module(f->ks, TEXT + 0x2000));
}

static void test_sizes(void **ctx)
{
	struct fixture *f = *ctx;
	struct bopts o = { B_TWO, B_RELATIVE, B_ORDER_612, true, NULL };

	f->n = kernel_syms(f->s, false);
	build_and_decode(f, &o, "two-byte lengths, relative");
	/* aliases share the distance to the next distinct address */
	expect_sym(f->ks, "_text", TEXT, 0x1000);
	expect_sym(f->ks, "startup_64", TEXT, 0x1000);
	expect_sym(f->ks, "pgmap_array", TEXT + 0x1400000, 0x40);
	/* capped */
	expect_sym(f->ks, "devm_memremap_pages", TEXT + 0x4000, MIB);
	/* the highest: unknown */
	expect_sym(f->ks, "__bss_stop", TEXT + 0x1e00000, 0);
	expect_err(zd_kallsyms_lookup(f->ks, "no_such_symbol", &(uint64_t){ 0 },
				      NULL),
		   ZD_ERR_NOTFOUND, "no_such_symbol");
}

/* Torn, absurd and mismatched tables */

static void built(struct fixture *f, enum b_addr addr)
{
	struct bopts o = { B_TWO, addr, B_ORDER_61, true, NULL };

	f->n = kernel_syms(f->s, addr == B_ABS_PERCPU);
	build(&f->im, f->s, f->n, &o);
	mem_of(&f->m, &f->im);
}

static void set32(struct fixture *f, uint64_t addr, uint32_t v)
{
	for (int k = 0; k < 4; k++)
		f->im.buf[addr - IMAGE + k] = (uint8_t)(v >> (8 * k));
}

static void test_num_syms_absurd(void **ctx)
{
	struct fixture *f = *ctx;

	built(f, B_ABS_PERCPU);
	set32(f, f->im.tab.num_syms, 0x7fffffff);
	expect_err(decode(f), ZD_ERR_INVALID, "no kernel has that many");
	set32(f, f->im.tab.num_syms, 0);
	expect_err(decode(f), ZD_ERR_INVALID, "is 0");
}

static void test_more_syms_than_names(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_error *err;

	/* more records than the stream holds: the next tables are no names */
	built(f, B_ABS_PERCPU);
	set32(f, f->im.tab.num_syms, f->n + 40);
	err = decode(f);
	assert_non_null(err);
	assert_true(err->code == ZD_ERR_INVALID || err->code == ZD_ERR_FAULT ||
		    err->code == ZD_ERR_FORMAT);
	zd_error_destroy(err);
	assert_null(f->ks);
}

static void test_names_cut_short(void **ctx)
{
	struct fixture *f = *ctx;

	built(f, B_ABS_PERCPU);
	/* the tables after the names stay readable */
	f->m.fail_from =
		f->im.tab.names + (f->im.names_end - f->im.tab.names) / 2;
	f->m.fail_to = f->im.names_end;
	expect_err(decode(f), ZD_ERR_FAULT, "torn off");
	/* the message says which table and which symbol */
	f->m.fail_from = f->im.names_end - 3;
	{
		struct zd_error *err = decode(f);

		assert_non_null(err);
		assert_non_null(strstr(err->message, "kallsyms_names"));
		assert_non_null(strstr(err->message, "symbol"));
		zd_error_destroy(err);
	}
}

static void test_names_garbage(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_error *err;
	uint32_t x = 1;

	built(f, B_ABS_PERCPU);
	for (uint64_t a = f->im.tab.names; a < f->im.names_end; a++) {
		x = x * 1103515245u + 12345u;
		f->im.buf[a - IMAGE] = (uint8_t)(x >> 16);
	}
	err = decode(f);
	assert_non_null(err);
	assert_true(err->code == ZD_ERR_INVALID || err->code == ZD_ERR_FAULT);
	assert_non_null(strstr(err->message, "kallsyms_names"));
	zd_error_destroy(err);
	assert_null(f->ks);
}

static void test_read_failing(void **ctx)
{
	struct fixture *f = *ctx;

	built(f, B_ABS_PERCPU);
	f->m.fail_all = true;
	expect_err(decode(f), ZD_ERR_FAULT, "kallsyms_num_syms");
	f->m.fail_all = false;
	f->m.fail_from = f->im.tab.token_table + 10;
	f->m.fail_to = f->im.tab.token_table + 11;
	expect_err(decode(f), ZD_ERR_FAULT, "kallsyms_token_table");
	f->m.fail_to = 0;
	/* offsets come first in the 6.1 order: fail just them */
	f->m.fail_from = 0;
	f->im.tab.offsets = 0x1000;
	expect_err(decode(f), ZD_ERR_FAULT, "kallsyms_offsets");
}

static void test_tokens_garbage(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t ti;

	built(f, B_ABS_PERCPU);
	ti = f->im.tab.token_index - IMAGE;
	f->im.buf[ti + 2 * 7] ^= 0x40;
	expect_err(decode(f), ZD_ERR_INVALID, "kallsyms_token_index[7]");
	f->im.buf[ti + 2 * 7] ^= 0x40;
	/*
	 * The last token never ends: the index moved to the end of the
	 * image, where it was written over with letters.
	 */
	{
		uint8_t idx[512];
		uint64_t last;

		memcpy(idx, f->im.buf + ti, sizeof(idx));
		last = f->im.tab.token_table - IMAGE +
		       (idx[510] | idx[511] << 8);
		f->im.tab.token_index = IMAGE + f->im.len;
		put(&f->im, idx, sizeof(idx));
		memset(f->im.buf + last, 'a', ti + sizeof(idx) - last);
		mem_of(&f->m, &f->im);
	}
	expect_err(decode(f), ZD_ERR_INVALID, "not NUL-terminated");
}

static void test_wrong_stext(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_error *err;

	built(f, B_ABS_PERCPU);
	f->im.tab.stext += 0x200000;
	err = decode(f);
	assert_non_null(err);
	assert_int_equal(err->code, ZD_ERR_FORMAT);
	assert_non_null(strstr(err->message, "no encoding puts _stext at"));
	assert_non_null(strstr(err->message, "absolute-percpu _stext 0x"));
	assert_null(strchr(err->message, '\n'));
	zd_error_destroy(err);
	assert_null(f->ks);
	/* the wrong relative_base: nothing fits either */
	built(f, B_RELATIVE);
	set32(f, f->im.tab.relative_base, 0x1000);
	expect_err(decode(f), ZD_ERR_FORMAT, "no encoding");
}

static void test_tables_missing(void **ctx)
{
	struct fixture *f = *ctx;
	uint64_t stext;

	built(f, B_ABS_PERCPU);
	f->im.tab.names = 0;
	expect_err(decode(f), ZD_ERR_NOTFOUND, "kallsyms_names");
	built(f, B_ABS_PERCPU);
	stext = f->im.tab.stext;
	f->im.tab.stext = 0;
	expect_err(decode(f), ZD_ERR_NOTFOUND, "_stext");
	f->im.tab.stext = stext;
	f->im.tab.offsets = 0;
	expect_err(decode(f), ZD_ERR_NOTFOUND, "kallsyms_offsets");
}

/* Parsing */

static char tmp_path[4096];

static const char *write_tmp(const char *text)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "%s/zdref-test-kallsyms-XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return tmp_path;
}

static const char proc_kallsyms[] =
	"0000000000000000 A fixed_percpu_data\n"
	"0000000000019168 A this_cpu_off\n"
	"ffffffff81000000 T _text\n"
	"ffffffff81000000 T startup_64\n"
	"ffffffff81001000 T _stext\n"
	"ffffffff81002000 t helper\n"
	"ffffffff81003000 T helper\n"
	"ffffffff82000000 D pgmap_array\n"
	"ffffffffc0001000 t helper\t[nd_pmem]\n"
	"ffffffffc0001100 T nd_pmem_probe\t[nd_pmem]\n"
	"ffffffffc0002000 t init_module\t[dax]\n"
	"ffffffffc0003000 t init_module\t[nd_btt]\n";

static void test_parse_proc(void **ctx)
{
	struct zd_kallsyms *ks = NULL;
	const char *path = write_tmp(proc_kallsyms);
	char name[32];
	uint64_t off;

	(void)ctx;
	assert_null(zd_kallsyms_parse(path, 0, &ks));
	unlink(path);
	assert_int_equal(zd_kallsyms_count(ks), 12);
	assert_string_equal(zd_kallsyms_encoding(ks), "text");
	expect_sym(ks, "this_cpu_off", 0x19168, MIB);
	/* vmlinux's global, then its local, then a module's */
	expect_sym(ks, "helper", 0xffffffff81003000, MIB);
	expect_sym(ks, "nd_pmem_probe", 0xffffffffc0001100, 0xf00);
	expect_sym(ks, "init_module", 0xffffffffc0002000, 0x1000);
	expect_sym(ks, "pgmap_array", 0xffffffff82000000, MIB);
	expect_sym(ks, "init_module", 0xffffffffc0002000, 0x1000);
	assert_null(zd_kallsyms_symbolize(ks, 0xffffffffc0001104, name,
					  sizeof(name), &off));
	assert_string_equal(name, "nd_pmem_probe");
	assert_int_equal(off, 4);
	assert_string_equal(zd_kallsyms_module(ks, 0xffffffffc0001104),
			    "nd_pmem");
	assert_string_equal(zd_kallsyms_module(ks, 0xffffffffc0003000),
			    "nd_btt");
	assert_null(zd_kallsyms_module(ks, 0xffffffff81000010));
	assert_null(zd_kallsyms_module(ks, 0xffffffffc0003001));
	assert_null(zd_kallsyms_symbolize(ks, 0xffffffff81000010, name,
					  sizeof(name), &off));
	assert_string_equal(name, "_text");
	/* a heap pointer is not "this_cpu_off + 0xffff888..." */
	expect_err(zd_kallsyms_symbolize(ks, 0xffff888000000000, name,
					 sizeof(name), &off),
		   ZD_ERR_NOTFOUND, "in no kallsyms symbol");
	zd_kallsyms_free(ks);
}

static void test_parse_system_map(void **ctx)
{
	struct zd_kallsyms *ks = NULL;
	const char *path = write_tmp("0000000000000000 D fixed_percpu_data\n"
				     "0000000000019168 D this_cpu_off\n"
				     "ffffffff81000000 T _text\n"
				     "ffffffff81001000 T _stext\n"
				     "ffffffff82000000 D pgmap_array\n");
	(void)ctx;
	assert_null(zd_kallsyms_parse(path, 0x3400000, &ks));
	unlink(path);
	assert_string_equal(zd_kallsyms_encoding(ks),
			    "text, KERNELOFFSET 0x3400000 added");
	expect_sym(ks, "_stext", 0xffffffff84401000, MIB);
	expect_sym(ks, "this_cpu_off", 0x19168, MIB);
	expect_sym(ks, "fixed_percpu_data", 0, 0x19168);
	zd_kallsyms_free(ks);
}

static void test_parse_hidden(void **ctx)
{
	struct zd_kallsyms *ks = (void *)1;
	const char *path = write_tmp("0000000000000000 A fixed_percpu_data\n"
				     "0000000000000000 T _text\n"
				     "0000000000000000 T _stext\n"
				     "0000000000000000 t helper\t[nd_pmem]\n");

	(void)ctx;
	expect_err(zd_kallsyms_parse(path, 0, &ks), ZD_ERR_INVALID,
		   "addresses hidden");
	assert_null(ks);
	unlink(path);
}

static void test_parse_bad(void **ctx)
{
	struct zd_kallsyms *ks = NULL;
	const char *path;

	(void)ctx;
	path = write_tmp("ffffffff81000000 T _text\nffffffff81001000 T\n");
	expect_err(zd_kallsyms_parse(path, 0, &ks), ZD_ERR_FORMAT, ":2: not");
	unlink(path);
	path = write_tmp("ffffffff81000000 T _text [mod\n");
	expect_err(zd_kallsyms_parse(path, 0, &ks), ZD_ERR_FORMAT, "module");
	unlink(path);
	path = write_tmp("0x81000000 T _text\n");
	expect_err(zd_kallsyms_parse(path, 0, &ks), ZD_ERR_FORMAT, ":1:");
	unlink(path);
	path = write_tmp("\n\n");
	expect_err(zd_kallsyms_parse(path, 0, &ks), ZD_ERR_FORMAT,
		   "no symbols");
	unlink(path);
	expect_err(zd_kallsyms_parse("/nonexistent/kallsyms", 0, &ks),
		   ZD_ERR_IO, "/nonexistent/kallsyms");
	assert_null(ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_two_byte_abs_percpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_relative_612, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_short_lengths, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_place_relative, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absolute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_one_byte_markers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_many_symbols, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_symbolize, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_num_syms_absurd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_more_syms_than_names,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_cut_short, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_names_garbage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_read_failing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tokens_garbage, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrong_stext, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tables_missing, setup,
						teardown),
		cmocka_unit_test(test_parse_proc),
		cmocka_unit_test(test_parse_system_map),
		cmocka_unit_test(test_parse_hidden),
		cmocka_unit_test(test_parse_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
