// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the generated seeds of tests/fuzz/corpus/<target>/ (files named
 * gen-*; anything else there is kept): make -f tests/fuzz/fuzz.mk seeds.
 * Run from the repository root (the flattened seeds take a prefix of
 * samples/vmcores/6.1-leak-missing.kdump when it is there).
 *
 * The seeds are well-formed inputs of each target's format, so that the
 * fuzzer starts from what the code under test accepts: example kernels,
 * XArrays and radix trees built the way the kernel builds them, kallsyms
 * tables laid out as scripts/kallsyms.c does in the 6.1, 6.12 and
 * place-relative orders, BTF written with libbpf, flattened streams and
 * command lines.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzzhost.h"

static const char *root;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "gen_seeds: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void seed(const char *target, const char *name, const void *data,
		 size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, target);
	if (mkdir(path, 0755) && errno != EEXIST)
		die("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/%s/gen-%s", root, target, name);
	f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f))
		die("%s: %s", path, strerror(errno));
}

/* A growing byte buffer. */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

static void put(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("out of memory");
	}
	if (n)
		memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void put8(struct buf *b, uint8_t v)
{
	put(b, &v, 1);
}

static void put16(struct buf *b, uint16_t v)
{
	put8(b, (uint8_t)v);
	put8(b, (uint8_t)(v >> 8));
}

static void put32(struct buf *b, uint32_t v)
{
	uint8_t x[4];

	fz_put32(x, v);
	put(b, x, 4);
}

static void put64(struct buf *b, uint64_t v)
{
	uint8_t x[8];

	fz_put64(x, v);
	put(b, x, 8);
}

static void zeros(struct buf *b, size_t n)
{
	while (n--)
		put8(b, 0);
}

static void align(struct buf *b, size_t a)
{
	while (b->len % a)
		put8(b, 0);
}

/* fuzz_sections */

static void sections(void)
{
	static uint8_t k[1 << 17];

	for (unsigned int v = 0; v < FZ_KERNEL_EXAMPLES; v++) {
		size_t n = fz_kernel_example(v, k, sizeof(k));
		char name[32];

		if (!n)
			die("example kernel %u does not fit", v);
		snprintf(name, sizeof(name), "kernel-%u", v);
		seed("fuzz_sections", name, k, n);
	}
}

/* fuzz_walkers: 64-byte header, then the image at FZ_HEAP_BASE */

#define IMG FZ_HEAP_BASE

static void walkers_header(struct buf *b, uint8_t what, uint8_t variant,
			   uint32_t xa, uint32_t radix, uint32_t ref)
{
	put8(b, what);
	put8(b, variant);
	put8(b, 1); /* two CPUs */
	put8(b, 3);
	put8(b, 0);
	zeros(b, 3);
	put32(b, xa);
	put32(b, radix);
	put32(b, ref);
	put32(b, 0);
	/* raw fields: percpu mode, count 1 + bias, sum 4 */
	put64(b, 0x1000);
	put64(b, IMG + 0x800);
	put64(b, (1ULL << 63) + 1);
	put64(b, 4);
	put64(b, 0);
}

static uint8_t *image(struct buf *b, size_t len)
{
	size_t at = b->len;

	zeros(b, len);
	return b->p + at;
}

#define XA_NODE(img, off) ((img) + (off))
#define XA_SLOT(img, node, i) ((img) + (node) + FZ_XA_NODE_SLOTS + 8 * (i))
#define XA_INTERNAL(v) (((uint64_t)(v) << 2) | 2)

static void walkers(void)
{
	struct buf b = { 0 };
	uint8_t *im;

	/*
	 * An XArray as xa_store_range() leaves pgmap_array: root node shift 6
	 * (offset 0x40), leaf node shift 0 in slot 1 (0x300): a multi-index
	 * entry over slots 4-7 and a single one in slot 9; a retry and a
	 * zero entry, a value entry; the root's slot 2 a multi-index entry of
	 * 64 keys with sibling slot 3.
	 */
	walkers_header(&b, 1 | 16, 0, 0, 0x1000, 0x1100);
	im = image(&b, 0x1400);
	fz_put64(im + FZ_XA_HEAD, IMG + 0x40 + 2);
	fz_put64(XA_NODE(im, 0x40), 6); /* shift 6 */
	fz_put64(XA_SLOT(im, 0x40, 1), IMG + 0x300 + 2);
	fz_put64(XA_SLOT(im, 0x40, 2), IMG + 0xc00);
	fz_put64(XA_SLOT(im, 0x40, 3), XA_INTERNAL(2));
	fz_put64(XA_SLOT(im, 0x40, 5), XA_INTERNAL(256)); /* retry */
	fz_put64(XA_NODE(im, 0x300) + 8, IMG + 0x40); /* parent */
	fz_put64(XA_SLOT(im, 0x300, 4), IMG + 0xd00);
	for (int i = 5; i < 8; i++)
		fz_put64(XA_SLOT(im, 0x300, i), XA_INTERNAL(4));
	fz_put64(XA_SLOT(im, 0x300, 9), IMG + 0xe00);
	fz_put64(XA_SLOT(im, 0x300, 10), XA_INTERNAL(257)); /* zero */
	fz_put64(XA_SLOT(im, 0x300, 11), (7ULL << 1) | 1); /* value */
	/* a radix root with one entry, for what & 2 */
	fz_put64(im + 0x1000 + FZ_RADIX_ROOT_RNODE, IMG + 0xd00);
	seed("fuzz_walkers", "xarray", b.p, b.len);

	/*
	 * 4.14 radix tree: root node shift 6, a child shift 0 in slot 0 with
	 * an entry and its siblings (pointers back into the node's slots,
	 * bit 0 set), an exceptional entry, and the retry entry.
	 */
	b.len = 0;
	walkers_header(&b, 2 | 16, 0, 0x1000, 0, 0x1100);
	im = image(&b, 0x1400);
	fz_put64(im + FZ_RADIX_ROOT_RNODE, IMG + 0x40 + 1);
	fz_put64(XA_NODE(im, 0x40), 6);
	fz_put64(XA_NODE(im, 0x40) + 16, IMG); /* root */
	fz_put64(XA_SLOT(im, 0x40, 0), IMG + 0x300 + 1);
	fz_put64(XA_SLOT(im, 0x40, 3), IMG + 0xc00);
	fz_put64(XA_SLOT(im, 0x40, 4), 1); /* retry */
	fz_put64(XA_NODE(im, 0x300) + 8, IMG + 0x40);
	fz_put64(XA_SLOT(im, 0x300, 8), IMG + 0xd00);
	for (int i = 9; i < 12; i++)
		fz_put64(XA_SLOT(im, 0x300, i),
			 (IMG + 0x300 + FZ_RADIX_NODE_SLOTS + 8 * 8) | 1);
	fz_put64(XA_SLOT(im, 0x300, 20), (5ULL << 2) | 2); /* exceptional */
	fz_put64(XA_SLOT(im, 0x300, 21), IMG + 0xe00);
	seed("fuzz_walkers", "radix", b.p, b.len);

	/* 4.5 radix tree: height 2, untagged interior slots */
	b.len = 0;
	walkers_header(&b, 2 | 16, 1, 0x1000, 0, 0x1100);
	im = image(&b, 0x1400);
	fz_put32(im + FZ_RADIX_ROOT_HEIGHT, 2);
	fz_put64(im + FZ_RADIX_ROOT_RNODE, IMG + 0x40 + 1);
	fz_put32(XA_NODE(im, 0x40), 2); /* path: height 2 */
	fz_put64(XA_SLOT(im, 0x40, 0), IMG + 0x300);
	fz_put64(XA_SLOT(im, 0x40, 1), IMG + 0x300 + 0x240);
	fz_put32(XA_NODE(im, 0x300), 1);
	fz_put64(XA_SLOT(im, 0x300, 2), IMG + 0xd00);
	fz_put64(XA_SLOT(im, 0x300, 3), IMG + 0xd00);
	fz_put32(XA_NODE(im, 0x540), 1 | 1 << 8);
	fz_put64(XA_SLOT(im, 0x540, 0), IMG + 0xe00);
	seed("fuzz_walkers", "radix-legacy", b.p, b.len);

	/*
	 * percpu_ref (5.10+) at 0x1100 in percpu mode: data at 0x800 pointing
	 * back, counters at pointer 0x1200 + 0x100 c; then the raw decode.
	 */
	b.len = 0;
	walkers_header(&b, 4 | 8, 0, 0x1000, 0x1000, 0x1100);
	im = image(&b, 0x1400);
	fz_put64(im + 0x1100, IMG + 0x1200);
	fz_put64(im + 0x1108, IMG + 0x800);
	fz_put64(im + 0x800, (1ULL << 63) + 1);
	fz_put64(im + 0x808, FZ_TEXT_BASE + 0x200);
	fz_put64(im + 0x830, IMG + 0x1100);
	fz_put64(im + 0x1200, 10);
	fz_put64(im + 0x1300, (uint64_t)-3);
	seed("fuzz_walkers", "percpu-ref", b.p, b.len);

	/* the same, atomic and switching, bias still in */
	b.p[64 + 0x1100] |= 1;
	fz_put64(b.p + 64 + 0x810, FZ_TEXT_BASE + 0x300);
	seed("fuzz_walkers", "percpu-ref-switching", b.p, b.len);

	/* <= 5.9: count@0 pcp@8 release@16 confirm@24 in the ref */
	b.len = 0;
	walkers_header(&b, 4, 2, 0x1000, 0x1000, 0x1100);
	im = image(&b, 0x1400);
	fz_put64(im + 0x1100, (1ULL << 63) + 1);
	fz_put64(im + 0x1108, IMG + 0x1200);
	fz_put64(im + 0x1110, FZ_TEXT_BASE + 0x200);
	fz_put64(im + 0x1200, 5);
	seed("fuzz_walkers", "percpu-ref-old", b.p, b.len);
	free(b.p);
}

/* fuzz_kallsyms */

#define KS_IMAGE 0xffffffff82000000ull
#define KS_TEXT 0xffffffff81000000ull

enum ks_addr { KA_ABS_PERCPU, KA_RELATIVE, KA_PLACE, KA_ABSOLUTE };

struct ksym {
	char type;
	const char *name;
	uint64_t addr;
	bool percpu;
};

struct ktab {
	uint32_t names, num_syms, token_table, token_index, offsets,
		relative_base, addresses;
	uint8_t given;
	uint64_t stext;
};

/*
 * Lay out tables as scripts/kallsyms.c write_src() does, with tokens of
 * one character (code = the character) and one pair token: code 1 = "_s"
 * when pair is set.  order 612: names first, offsets after the tokens.
 */
static void ks_build(struct buf *im, struct ktab *t, const struct ksym *s,
		     uint32_t n, enum ks_addr enc, bool order612, bool pair,
		     bool one_byte_len)
{
	unsigned int al = enc == KA_PLACE ? 4 : 8;
	uint32_t *markers = calloc((n + 255) / 256, 4), off = 0;
	uint64_t rb = 0;
	size_t offsets_at = 0;
	bool have_offsets = false;
	char tok[256][4];

	memset(t, 0, sizeof(*t));
	memset(tok, 0, sizeof(tok));
	for (uint32_t i = 0; i < n; i++) {
		tok[(unsigned char)s[i].type][0] = s[i].type;
		for (const char *p = s[i].name; *p; p++)
			tok[(unsigned char)*p][0] = *p;
	}
	if (pair)
		memcpy(tok[1], "_s", 3);
	if (enc == KA_ABS_PERCPU) {
		for (uint32_t i = 0; i < n && !rb; i++)
			if (!s[i].percpu)
				rb = s[i].addr;
	} else {
		rb = s[0].addr;
	}
	t->given = 0x80 | 0x0f; /* names, num_syms, tokens, _stext */
	if (!order612) {
		align(im, al);
		if (enc == KA_ABSOLUTE) {
			t->addresses = (uint32_t)im->len;
			t->given |= 0x40;
			for (uint32_t i = 0; i < n; i++)
				put64(im, s[i].addr);
		} else {
			offsets_at = im->len;
			have_offsets = true;
			t->offsets = (uint32_t)offsets_at;
			zeros(im, 4 * n);
			align(im, al);
			t->relative_base = (uint32_t)im->len;
			put64(im, rb);
			t->given |= 0x10 | 0x20;
		}
	}
	align(im, al);
	t->num_syms = (uint32_t)im->len;
	put32(im, n);
	align(im, al);
	t->names = (uint32_t)im->len;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t codes[600];
		size_t nc = 0;

		codes[nc++] = (uint8_t)s[i].type;
		for (const char *p = s[i].name; *p; p++) {
			if (pair && p[0] == '_' && p[1] == 's') {
				codes[nc++] = 1;
				p++;
			} else {
				codes[nc++] = (uint8_t)*p;
			}
		}
		if (!(i & 0xff))
			markers[i >> 8] = off;
		if (nc <= 0x7f || one_byte_len) {
			put8(im, (uint8_t)nc);
			off += (uint32_t)nc + 1;
		} else {
			put8(im, (uint8_t)((nc & 0x7f) | 0x80));
			put8(im, (uint8_t)((nc >> 7) & 0x7f));
			off += (uint32_t)nc + 2;
		}
		put(im, codes, nc);
	}
	align(im, al);
	for (uint32_t k = 0; k < (n + 255) / 256; k++)
		put32(im, markers[k]);
	free(markers);
	if (!order612) {
		align(im, al); /* kallsyms_seqs_of_names */
		for (uint32_t i = 0; i < n; i++)
			put(im, "\0\0\0", 3);
	}
	align(im, al);
	t->token_table = (uint32_t)im->len;
	{
		uint16_t idx[256];
		size_t toff = 0;

		for (int k = 0; k < 256; k++) {
			idx[k] = (uint16_t)toff;
			put(im, tok[k], strlen(tok[k]) + 1);
			toff += strlen(tok[k]) + 1;
		}
		align(im, al);
		t->token_index = (uint32_t)im->len;
		for (int k = 0; k < 256; k++)
			put16(im, idx[k]);
	}
	if (order612) {
		align(im, al);
		offsets_at = im->len;
		have_offsets = true;
		t->offsets = (uint32_t)offsets_at;
		zeros(im, 4 * n);
		t->given |= 0x10;
		if (enc != KA_PLACE) {
			align(im, al);
			t->relative_base = (uint32_t)im->len;
			put64(im, rb);
			t->given |= 0x20;
		}
	}
	if (have_offsets) {
		for (uint32_t i = 0; i < n; i++) {
			uint32_t w;

			switch (enc) {
			case KA_ABS_PERCPU:
				w = s[i].percpu ? (uint32_t)s[i].addr :
						  (uint32_t)(int32_t)(int64_t)(rb - s[i].addr - 1);
				break;
			case KA_RELATIVE:
				w = (uint32_t)(s[i].addr - rb);
				break;
			default:
				w = (uint32_t)(int32_t)(int64_t)(
					s[i].addr -
					(KS_IMAGE + offsets_at + 4 * (uint64_t)i));
				break;
			}
			fz_put32(im->p + offsets_at + 4 * i, w);
		}
	}
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(s[i].name, "_stext"))
			t->stext = s[i].addr;
}

static void ks_seed(const char *name, const struct ksym *s, uint32_t n,
		    enum ks_addr enc, bool order612, bool pair, bool one_byte)
{
	struct buf im = { 0 }, in = { 0 };
	struct ktab t;

	ks_build(&im, &t, s, n, enc, order612, pair, one_byte);
	put8(&in, 0); /* decode */
	put8(&in, t.given);
	put16(&in, 0);
	put32(&in, t.names);
	put32(&in, t.num_syms);
	put32(&in, t.token_table);
	put32(&in, t.token_index);
	put32(&in, t.offsets);
	put32(&in, t.relative_base);
	put32(&in, t.addresses);
	put32(&in, 0); /* tear */
	put32(&in, 0);
	put64(&in, t.stext);
	put64(&in, t.stext + 0x10);
	put(&in, im.p, im.len);
	seed("fuzz_kallsyms", name, in.p, in.len);
	free(im.p);
	free(in.p);
}

static void kallsyms(void)
{
	static char big[200];
	const struct ksym percpu[] = {
		{ 'A', "fixed_percpu_data", 0, true },
		{ 'A', "cpu_number", 0x1000, true },
		{ 'T', "_text", KS_TEXT, false },
		{ 'T', "_stext", KS_TEXT + 0x1000, false },
		{ 't', "do_one_initcall", KS_TEXT + 0x1100, false },
		{ 'T', "zone_device_page_init", KS_TEXT + 0x2000, false },
		{ 't', "dev_pagemap_percpu_release", KS_TEXT + 0x2200, false },
		{ 'D', "pgmap_array", KS_IMAGE + 0x100000, false },
		{ 'D', "mem_section", KS_IMAGE + 0x100010, false },
		{ 'b', "mem_section", KS_IMAGE + 0x100020, false },
	};
	const struct ksym plain[] = {
		{ 'T', "_text", KS_TEXT, false },
		{ 'T', "_stext", KS_TEXT + 0x1000, false },
		{ 'T', "start_kernel", KS_TEXT + 0x1200, false },
		{ 'D', "pgmap_array", KS_TEXT + 0x200000, false },
		{ 'D', "__per_cpu_offset", KS_TEXT + 0x200100, false },
		{ 'R', "__start_BTF", KS_TEXT + 0x300000, false },
		{ 'R', "__stop_BTF", KS_TEXT + 0x300400, false },
	};
	struct ksym withbig[4] = {
		{ 'T', "_text", KS_TEXT, false },
		{ 'T', big, KS_TEXT + 0x800, false },
		{ 'T', "_stext", KS_TEXT + 0x1000, false },
		{ 't', "after_big", KS_TEXT + 0x1800, false },
	};
	const char *text =
		"0000000000000000 A fixed_percpu_data\n"
		"ffffffff81000000 T _text\n"
		"ffffffff81001000 T _stext\n"
		"ffffffff81002000 t dev_pagemap_percpu_release\n"
		"ffffffff82100000 D pgmap_array\n"
		"ffffffffc0001000 t pmem_pagemap_ops\t[nd_pmem]\n"
		"ffffffffc0001100 T pmem_probe\t[nd_pmem]\n";
	struct buf in = { 0 };

	memset(big, 'x', 150);
	big[0] = '_';
	big[150] = '\0';
	ks_seed("abs-percpu-6.1", percpu, 10, KA_ABS_PERCPU, false, true,
		false);
	ks_seed("relative-6.12", plain, 7, KA_RELATIVE, true, true, false);
	ks_seed("place-relative", plain, 7, KA_PLACE, true, false, false);
	ks_seed("absolute", plain, 7, KA_ABSOLUTE, false, false, false);
	ks_seed("big-two-byte", withbig, 4, KA_RELATIVE, true, false, false);
	ks_seed("big-one-byte", withbig, 4, KA_RELATIVE, true, false, true);

	put8(&in, 1); /* parse */
	zeros(&in, 7);
	put64(&in, 0);
	put(&in, text, strlen(text));
	seed("fuzz_kallsyms", "proc-kallsyms", in.p, in.len);
	in.len = 0;
	put8(&in, 1);
	zeros(&in, 7);
	put64(&in, 0x1e000000); /* KERNELOFFSET */
	put(&in, text, strlen(text));
	seed("fuzz_kallsyms", "system-map", in.p, in.len);
	free(in.p);
}

/* fuzz_btf: the 6.1 layout of fuzzhost.c as BTF, written with libbpf */

struct bmember {
	const char *name;
	uint32_t offset, size;
};

static int ok(int r, const char *what)
{
	if (r < 0)
		die("libbpf: %s: %d", what, r);
	return r;
}

static int sized_type(struct btf *b, uint32_t size, int ulong, int uint,
		      int uchar, int lh)
{
	switch (size) {
	case 8:
		return ulong;
	case 4:
		return uint;
	case 1:
		return uchar;
	case 16:
		return lh;
	default:
		return ok(btf__add_array(b, uint, uchar, size), "array");
	}
}

static void btf_struct(struct btf *b, const char *name, uint32_t size,
		       const struct bmember *m, size_t n, int ulong, int uint,
		       int uchar, int lh)
{
	int types[32];

	for (size_t i = 0; i < n; i++)
		types[i] = sized_type(b, m[i].size, ulong, uint, uchar, lh);
	ok(btf__add_struct(b, name, size), name);
	for (size_t i = 0; i < n; i++)
		ok(btf__add_field(b, m[i].name, types[i], m[i].offset * 8, 0),
		   m[i].name);
}

#define BSTRUCT(b, name, size, ...)                                          \
	do {                                                                 \
		const struct bmember m_[] = { __VA_ARGS__ };                 \
		btf_struct(b, name, size, m_, sizeof(m_) / sizeof(m_[0]),    \
			   ulong, uint, uchar, lh);                          \
	} while (0)

static void write_btf(bool v6_15)
{
	struct btf *b = btf__new_empty();
	int ulong, uint, intt, uchar, lh, lhp, anon, mt, pf;
	const void *raw;
	uint32_t len;

	if (!b)
		die("btf__new_empty");
	ulong = ok(btf__add_int(b, "long unsigned int", 8, 0), "ulong");
	uint = ok(btf__add_int(b, "unsigned int", 4, 0), "uint");
	intt = ok(btf__add_int(b, "int", 4, BTF_INT_SIGNED), "int");
	uchar = ok(btf__add_int(b, "unsigned char", 1, 0), "uchar");
	lhp = ok(btf__add_ptr(b, (int)btf__type_cnt(b) + 1), "list_head *");
	lh = ok(btf__add_struct(b, "list_head", 16), "list_head");
	ok(btf__add_field(b, "next", lhp, 0, 0), "next");
	ok(btf__add_field(b, "prev", lhp, 64, 0), "prev");

	/* struct page: the pgmap word in an anonymous union at 8 */
	anon = ok(btf__add_union(b, NULL, 16), "page union");
	ok(btf__add_field(b, "lru", lh, 0, 0), "lru");
	ok(btf__add_field(b, v6_15 ? "_unused_pgmap_compound_head" : "pgmap",
			  ulong, 0, 0),
	   "pgmap");
	ok(btf__add_field(b, "compound_head", ulong, 0, 0), "compound_head");
	ok(btf__add_struct(b, "page", 64), "page");
	ok(btf__add_field(b, "flags", ulong, 0, 0), "flags");
	ok(btf__add_field(b, NULL, anon, 64, 0), "anon");
	ok(btf__add_field(b, "zone_device_data", ulong, 128, 0), "zdd");
	ok(btf__add_field(b, "mapping", ulong, 192, 0), "mapping");
	ok(btf__add_field(b, "index", ulong, 256, 0), "index");
	ok(btf__add_field(b, "_mapcount", intt, 384, 0), "_mapcount");
	ok(btf__add_field(b, "_refcount", intt, 416, 0), "_refcount");
	if (v6_15)
		BSTRUCT(b, "folio", 64, { "flags", 0, 8 }, { "pgmap", 8, 8 },
			{ "mapping", 24, 8 }, { "_refcount", 52, 4 },
			{ "_pincount", 116, 4 });
	else
		BSTRUCT(b, "folio", 64, { "flags", 0, 8 }, { "lru", 8, 16 },
			{ "mapping", 24, 8 }, { "_refcount", 52, 4 },
			{ "_pincount", 116, 4 });
	BSTRUCT(b, "mem_section", 16, { "section_mem_map", 0, 8 },
		{ "usage", 8, 8 });
	BSTRUCT(b, "mem_section_usage", 8, { "subsection_map", 0, 8 });
	BSTRUCT(b, "vmem_altmap", 48, { "base_pfn", 0, 8 }, { "end_pfn", 8, 8 },
		{ "reserve", 16, 8 }, { "free", 24, 8 }, { "align", 32, 8 },
		{ "alloc", 40, 8 });
	BSTRUCT(b, "range", 16, { "start", 0, 8 }, { "end", 8, 8 });
	BSTRUCT(b, "percpu_ref", 16, { "percpu_count_ptr", 0, 8 },
		{ "data", 8, 8 });
	BSTRUCT(b, "percpu_ref_data", 56, { "count", 0, 8 },
		{ "release", 8, 8 }, { "confirm_switch", 16, 8 },
		{ "ref", 48, 8 });
	BSTRUCT(b, "completion", 32, { "done", 0, 4 }, { "wait", 8, 24 });
	BSTRUCT(b, "swait_queue_head", 24, { "lock", 0, 4 },
		{ "task_list", 8, 16 });
	BSTRUCT(b, "swait_queue", 24, { "task", 0, 8 },
		{ "task_list", 8, 16 });
	BSTRUCT(b, "task_struct", FZ_TASK_SIZE, { "__state", FZ_TASK_STATE, 4 },
		{ "pid", FZ_TASK_PID, 4 }, { "comm", FZ_TASK_COMM, 16 });
	BSTRUCT(b, "xarray", 16, { "xa_lock", 0, 4 }, { "xa_flags", 4, 4 },
		{ "xa_head", 8, 8 });
	BSTRUCT(b, "xa_node", 576, { "shift", 0, 1 }, { "offset", 1, 1 },
		{ "count", 2, 1 }, { "parent", 8, 8 }, { "slots", 40, 512 });
	BSTRUCT(b, "address_space", 64, { "host", FZ_AS_HOST, 8 });
	BSTRUCT(b, "inode", 0x100, { "i_sb", FZ_INODE_SB, 8 },
		{ "i_mapping", FZ_INODE_MAPPING, 8 },
		{ "i_ino", FZ_INODE_INO, 8 });
	BSTRUCT(b, "super_block", 0x100, { "s_id", FZ_SB_ID, 32 });
	BSTRUCT(b, "wait_queue_head", FZ_WQH_SIZE, { "lock", 0, 4 },
		{ "head", FZ_WQH_HEAD, 16 });
	BSTRUCT(b, "wait_bit_key", 24, { "flags", 0, 8 }, { "bit_nr", 8, 4 });
	BSTRUCT(b, "wait_queue_entry", 40, { "flags", 0, 4 },
		{ "private", 8, 8 }, { "entry", 24, 16 });
	BSTRUCT(b, "wait_bit_queue_entry", FZ_WBQ_SIZE, { "key", 0, 24 },
		{ "wq_entry", 24, 40 });
	BSTRUCT(b, "dev_pagemap_ops", 48, { "page_free", 0, 8 },
		{ "migrate_to_ram", 8, 8 });
	/* dev_pagemap: ranges[] a flexible array in a union with range */
	{
		int vmem = (int)btf__find_by_name_kind(b, "vmem_altmap",
						       BTF_KIND_STRUCT);
		int pcr = (int)btf__find_by_name_kind(b, "percpu_ref",
						      BTF_KIND_STRUCT);
		int cmp = (int)btf__find_by_name_kind(b, "completion",
						      BTF_KIND_STRUCT);
		int rng = (int)btf__find_by_name_kind(b, "range",
						      BTF_KIND_STRUCT);
		int flex = ok(btf__add_array(b, intt, rng, 0), "ranges[]");
		int fs = ok(btf__add_struct(b, NULL, 0), "flex");
		int fu;

		ok(btf__add_field(b, "ranges", flex, 0, 0), "ranges");
		fu = ok(btf__add_union(b, NULL, 16), "range union");
		ok(btf__add_field(b, "range", rng, 0, 0), "range");
		ok(btf__add_field(b, NULL, fs, 0, 0), "flex");
		mt = ok(btf__add_enum(b, "memory_type", 4), "memory_type");
		ok(btf__add_enum_value(b, "MEMORY_DEVICE_PRIVATE", 1), "e");
		ok(btf__add_enum_value(b, "MEMORY_DEVICE_COHERENT", 2), "e");
		ok(btf__add_enum_value(b, "MEMORY_DEVICE_FS_DAX", 3), "e");
		ok(btf__add_enum_value(b, "MEMORY_DEVICE_GENERIC", 4), "e");
		ok(btf__add_enum_value(b, "MEMORY_DEVICE_PCI_P2PDMA", 5), "e");
		ok(btf__add_struct(b, "dev_pagemap", 152), "dev_pagemap");
		ok(btf__add_field(b, "altmap", vmem, 0, 0), "altmap");
		ok(btf__add_field(b, "ref", pcr, 48 * 8, 0), "ref");
		ok(btf__add_field(b, "done", cmp, 64 * 8, 0), "done");
		ok(btf__add_field(b, "type", mt, 96 * 8, 0), "type");
		ok(btf__add_field(b, "flags", uint, 100 * 8, 0), "flags");
		ok(btf__add_field(b, "vmemmap_shift", ulong, 104 * 8, 0), "vs");
		ok(btf__add_field(b, "ops", ulong, 112 * 8, 0), "ops");
		ok(btf__add_field(b, "owner", ulong, 120 * 8, 0), "owner");
		ok(btf__add_field(b, "nr_range", intt, 128 * 8, 0), "nr");
		ok(btf__add_field(b, NULL, fu, 136 * 8, 0), "ranges");
	}
	pf = ok(btf__add_enum(b, "pageflags", 4), "pageflags");
	ok(btf__add_enum_value(b, "PG_locked", 0), "e");
	ok(btf__add_enum_value(b, "PG_head", 16), "e");
	(void)pf;
	raw = btf__raw_data(b, &len);
	if (!raw)
		die("btf__raw_data");
	seed("fuzz_btf", v6_15 ? "kernel-6.15" : "kernel-6.1", raw, len);
	btf__free(b);
}

static void btf_seeds(void)
{
	write_btf(false);
	write_btf(true);
}

/* fuzz_flattened */

static void be64put(struct buf *b, uint64_t v)
{
	for (int i = 7; i >= 0; i--)
		put8(b, (uint8_t)(v >> (8 * i)));
}

static void flat_header(struct buf *b)
{
	put(b, "makedumpfile", 12);
	zeros(b, 4);
	be64put(b, 1); /* type */
	be64put(b, 1); /* version */
	zeros(b, 4096 - b->len);
}

static void flattened(void)
{
	struct buf b = { 0 };
	FILE *f;

	flat_header(&b);
	be64put(&b, 0);
	be64put(&b, 16);
	put(&b, "KDUMP   \x06\0\0\0\0\0\0\0", 16);
	be64put(&b, 4096);
	be64put(&b, 8);
	put(&b, "12345678", 8);
	be64put(&b, 8); /* overlaps the first record */
	be64put(&b, 4);
	put(&b, "abcd", 4);
	be64put(&b, 1 << 20); /* a hole before it */
	be64put(&b, 0);
	be64put(&b, (uint64_t)-1);
	be64put(&b, 0);
	seed("fuzz_flattened", "records", b.p, b.len);

	b.len = 0;
	flat_header(&b);
	be64put(&b, (uint64_t)-1);
	be64put(&b, 0);
	seed("fuzz_flattened", "empty", b.p, b.len);

	b.len = 0;
	put(&b, "KDUMP   ", 8);
	zeros(&b, 56);
	seed("fuzz_flattened", "not-flattened", b.p, b.len);

	/* a real stream's first 64 KiB (no end marker: truncated) */
	f = fopen("samples/vmcores/6.1-leak-missing.kdump", "rb");
	if (f) {
		uint8_t *p = malloc(65536);
		size_t n = p ? fread(p, 1, 65536, f) : 0;

		fclose(f);
		if (n)
			seed("fuzz_flattened", "sample-6.1-64k", p, n);
		free(p);
	}
	free(b.p);
}

/* fuzz_dumpcheck: ELF cores and kdump-compressed files, small but whole */

static void note(struct buf *b, const char *name, uint32_t type,
		 const char *desc, size_t desclen)
{
	put32(b, (uint32_t)strlen(name) + 1);
	put32(b, (uint32_t)desclen);
	put32(b, type);
	put(b, name, strlen(name) + 1);
	align(b, 4);
	put(b, desc, desclen);
	align(b, 4);
}

static const char vmcoreinfo[] =
	"OSRELEASE=6.1.0-fuzz\nPAGESIZE=4096\nKERNELOFFSET=0\n";

static void notes(struct buf *b)
{
	uint8_t prstatus[336] = { 0 };

	note(b, "CORE", 1 /* NT_PRSTATUS */, (const char *)prstatus,
	     sizeof(prstatus));
	note(b, "VMCOREINFO", 0, vmcoreinfo, sizeof(vmcoreinfo) - 1);
}

/*
 * An ELF64 x86_64 core as the kernel's kexec (or QEMU) writes one: a
 * PT_NOTE, two PT_LOADs; xnum: PN_XNUM and section header 0 with the
 * count; with_sh: a section header table (QEMU's one SHT_NULL).
 */
static void elf64_core(const char *name, bool xnum, bool with_sh)
{
	struct buf n = { 0 }, b = { 0 };
	const uint16_t phnum = 3;
	uint64_t phoff = 64, notes_at = phoff + 56 * phnum, load_at, shoff;

	notes(&n);
	load_at = notes_at + n.len;
	shoff = load_at + 2 * 256;
	put(&b, "\177ELF\2\1\1", 7);
	zeros(&b, 9);
	put16(&b, 4); /* ET_CORE */
	put16(&b, 62); /* EM_X86_64 */
	put32(&b, 1);
	put64(&b, 0);
	put64(&b, phoff);
	put64(&b, with_sh || xnum ? shoff : 0);
	put32(&b, 0);
	put16(&b, 64);
	put16(&b, 56);
	put16(&b, xnum ? 0xffff : phnum);
	put16(&b, 64);
	put16(&b, with_sh && !xnum ? 1 : 0);
	put16(&b, 0);
	/* PT_NOTE */
	put32(&b, 4);
	put32(&b, 0);
	put64(&b, notes_at);
	put64(&b, 0);
	put64(&b, 0);
	put64(&b, n.len);
	put64(&b, n.len);
	put64(&b, 0);
	for (int i = 0; i < 2; i++) {
		put32(&b, 1); /* PT_LOAD */
		put32(&b, 7);
		put64(&b, load_at + 256 * (uint64_t)i);
		put64(&b, FZ_HEAP_BASE + 0x1000 * (uint64_t)i);
		put64(&b, 0x1000 * (uint64_t)i);
		put64(&b, 256);
		put64(&b, 256);
		put64(&b, 0);
	}
	put(&b, n.p, n.len);
	for (int i = 0; i < 512; i++)
		put8(&b, (uint8_t)i);
	if (with_sh || xnum) {
		zeros(&b, 32); /* name, type, flags, addr, offset */
		put64(&b, xnum ? 1 : 0); /* sh_size: e_shnum when it is 0 */
		put32(&b, 0);
		put32(&b, xnum ? phnum : 0); /* sh_info: e_phnum */
		zeros(&b, 16);
	}
	seed("fuzz_dumpcheck", name, b.p, b.len);
	free(n.p);
	free(b.p);
}

static void elf32_core(void)
{
	struct buf n = { 0 }, b = { 0 };
	uint32_t notes_at = 52 + 32 * 2;

	notes(&n);
	put(&b, "\177ELF\1\1\1", 7);
	zeros(&b, 9);
	put16(&b, 4);
	put16(&b, 3); /* EM_386 */
	put32(&b, 1);
	put32(&b, 0);
	put32(&b, 52);
	put32(&b, 0);
	put32(&b, 0);
	put16(&b, 52);
	put16(&b, 32);
	put16(&b, 2);
	put16(&b, 40);
	put16(&b, 0);
	put16(&b, 0);
	put32(&b, 4); /* PT_NOTE */
	put32(&b, notes_at);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, (uint32_t)n.len);
	put32(&b, (uint32_t)n.len);
	put32(&b, 0);
	put32(&b, 0);
	put32(&b, 1); /* PT_LOAD */
	put32(&b, notes_at + (uint32_t)n.len);
	put32(&b, 0xc0000000);
	put32(&b, 0);
	put32(&b, 128);
	put32(&b, 128);
	put32(&b, 7);
	put32(&b, 0);
	put(&b, n.p, n.len);
	for (int i = 0; i < 128; i++)
		put8(&b, (uint8_t)(i * 7));
	seed("fuzz_dumpcheck", "elf32-core", b.p, b.len);
	free(n.p);
	free(b.p);
}

/*
 * A kdump-compressed file as makedumpfile writes one (diskdump_mod.h),
 * blocks of 4096: the header, the sub-header (header_version 6), the two
 * bitmaps in one block (16 pfns, 5 dumped), the page descriptors, the
 * notes and VMCOREINFO, then the pages: zlib-flagged ones of a few bytes
 * (the check does not decompress) and one uncompressed block.
 */
#define KD_BS 4096
static void kdump_file(struct buf *b, int version, bool split)
{
	static const uint16_t dumped = 0x8127; /* pfns 0 1 2 5 8 15 */
	struct buf n = { 0 };
	uint64_t desc_at = 3 * KD_BS, ndesc = 6, notes_at, vmci_at, data_at;

	notes(&n);
	notes_at = desc_at + 24 * ndesc;
	vmci_at = notes_at + n.len;
	data_at = vmci_at + sizeof(vmcoreinfo) - 1;
	b->len = 0;
	put(b, "KDUMP   ", 8);
	put32(b, (uint32_t)version);
	zeros(b, 6 * 65); /* utsname */
	align(b, 8);
	zeros(b, 16); /* timestamp */
	put32(b, 0); /* status */
	put32(b, KD_BS);
	put32(b, 1); /* sub_hdr_size */
	put32(b, 1); /* bitmap_blocks */
	put32(b, 16); /* max_mapnr */
	put32(b, 0); /* total_ram_blocks */
	put32(b, 0); /* device_blocks */
	put32(b, 0); /* written_blocks */
	put32(b, 0); /* current_cpu */
	put32(b, 1); /* nr_cpus */
	zeros(b, KD_BS - b->len);
	/* kdump_sub_header */
	put64(b, 0); /* phys_base */
	put32(b, 0); /* dump_level */
	put32(b, split); /* split */
	put64(b, split ? 1 : 0); /* start_pfn */
	put64(b, split ? 9 : 0); /* end_pfn */
	put64(b, vmci_at);
	put64(b, sizeof(vmcoreinfo) - 1);
	put64(b, notes_at);
	put64(b, n.len);
	put64(b, 0); /* eraseinfo */
	put64(b, 0);
	put64(b, split ? 1 : 0); /* start_pfn_64 */
	put64(b, split ? 9 : 0); /* end_pfn_64 */
	put64(b, 16); /* max_mapnr_64 */
	zeros(b, 2 * KD_BS - b->len);
	/* bitmap 1 (valid pfns), bitmap 2 (dumped pfns) */
	put16(b, 0xffff);
	zeros(b, KD_BS / 2 - 2);
	put16(b, dumped);
	zeros(b, KD_BS / 2 - 2);
	/* descriptors, one per dumped pfn; the pages after VMCOREINFO */
	for (uint64_t i = 0, at = data_at; i < ndesc; i++) {
		uint32_t sz = i == 3 ? KD_BS : 16 + 8 * (uint32_t)i;

		put64(b, at);
		put32(b, sz);
		put32(b, i == 3 ? 0 : i == 4 ? 0x20 : 0x1);
		put64(b, 0);
		at += sz;
	}
	put(b, n.p, n.len);
	put(b, vmcoreinfo, sizeof(vmcoreinfo) - 1);
	for (uint64_t i = 0; i < ndesc; i++) {
		uint32_t sz = i == 3 ? KD_BS : 16 + 8 * (uint32_t)i;

		for (uint32_t j = 0; j < sz; j++)
			put8(b, (uint8_t)(j * 13 + i));
	}
	free(n.p);
}

/* The rebuilt file's first 64 KiB: apply a flattened stream's records. */
static size_t unflatten(const uint8_t *s, size_t n, uint8_t *out, size_t cap)
{
	size_t pos = 4096, end = 0;

	while (pos + 16 <= n) {
		uint64_t off = 0, sz = 0;

		for (int i = 0; i < 8; i++) {
			off = off << 8 | s[pos + i];
			sz = sz << 8 | s[pos + 8 + i];
		}
		pos += 16;
		if (off == (uint64_t)-1 || sz > n - pos)
			break;
		if (off < cap) {
			size_t k = sz < cap - off ? sz : cap - off;

			memcpy(out + off, s + pos, k);
			if (off + k > end)
				end = off + k;
		}
		pos += sz;
	}
	return end;
}

static void dumpcheck(void)
{
	struct buf b = { 0 }, f = { 0 };
	FILE *in;

	elf64_core("elf64-core", false, false);
	elf64_core("elf64-core-shdr", false, true);
	elf64_core("elf64-core-xnum", true, false);
	elf32_core();
	kdump_file(&b, 6, false);
	seed("fuzz_dumpcheck", "kdump-v6", b.p, b.len);
	kdump_file(&b, 6, true);
	seed("fuzz_dumpcheck", "kdump-v6-split", b.p, b.len);
	kdump_file(&b, 4, false);
	memcpy(b.p, "DISKDUMP", 8);
	seed("fuzz_dumpcheck", "diskdump-v4", b.p, b.len);
	/* the v6 file as a flattened stream, in two records */
	kdump_file(&b, 6, false);
	flat_header(&f);
	be64put(&f, 0);
	be64put(&f, 2 * KD_BS);
	put(&f, b.p, 2 * KD_BS);
	be64put(&f, 2 * KD_BS);
	be64put(&f, b.len - 2 * KD_BS);
	put(&f, b.p + 2 * KD_BS, b.len - 2 * KD_BS);
	be64put(&f, (uint64_t)-1);
	be64put(&f, 0);
	seed("fuzz_dumpcheck", "kdump-v6-flattened", f.p, f.len);

	/* the sample's rebuilt file, cut at 16 KiB (its bitmaps run on): truncated */
	in = fopen("samples/vmcores/6.1-leak-missing.kdump", "rb");
	if (in) {
		size_t cap = 1 << 20;
		uint8_t *s = malloc(cap), *out = calloc(1, 16384);
		size_t n = s ? fread(s, 1, cap, in) : 0, len;

		fclose(in);
		if (n && out && (len = unflatten(s, n, out, 16384)))
			seed("fuzz_dumpcheck", "sample-6.1-16k", out, len);
		free(s);
		free(out);
	}
	free(b.p);
	free(f.p);
}

/*
 * fuzz_printk: a lockless ring as prb_reserve()/prb_commit() leave it (16
 * descriptors, a 512-byte text ring: a reusable record, finalized ones, an
 * empty line, a data block that wraps, the newest still committed), and a
 * record log as log_store() leaves it (wrapped, with the zero-length
 * marker), at the offsets of the fuzz_printk header.
 */
static void pk_header(struct buf *b, uint8_t format, uint8_t flags,
		      uint8_t stop, const uint32_t *syms, unsigned int nsyms)
{
	b->len = 0;
	put8(b, format);
	put8(b, flags);
	put8(b, 0);
	put8(b, stop);
	for (unsigned int i = 0; i < 6; i++)
		put32(b, i < nsyms ? syms[i] : 0);
	put32(b, 0);
}

#define PK_HDR 32
#define PRB_RB 0x40
#define PRB_DESCS 0x100
#define PRB_INFOS 0x280
#define PRB_DATA 0x800
#define PRB_CB 4
#define PRB_SB 9

static void prb_seed(const char *name, uint8_t flags, uint8_t stop)
{
	static const char *const texts[] = {
		"Linux version 6.1.0-fuzz",
		"Command line: console=ttyS0",
		"------------[ cut here ]------------",
		"WARNING: CPU: 1 PID: 42 at mm/memremap.c:123 memunmap_pages+0x1a/0x30",
		"",
		"Call Trace:\n <TASK>\n dax_remove+0x10/0x20\n </TASK>",
		"---[ end trace 0000000000000000 ]---",
		"nd_pmem namespace0.0: unable to guarantee persistence\x01",
	};
	const uint32_t syms[] = { 0 };
	const uint64_t first_id = 16, n = sizeof(texts) / sizeof(texts[0]);
	const uint64_t ring = 1 << PRB_SB, tail_lpos = 2 * ring + 264;
	uint8_t *m;
	uint64_t lpos = tail_lpos;
	struct buf b = { 0 };

	pk_header(&b, 0, flags, stop, syms, 1);
	zeros(&b, PRB_DATA + ring);
	m = b.p + PK_HDR;
	fz_put64(m, FZ_HEAP_BASE + PRB_RB);
	fz_put32(m + PRB_RB + FZ_RB_DESC_RING + FZ_DR_COUNT_BITS, PRB_CB);
	fz_put64(m + PRB_RB + FZ_RB_DESC_RING + FZ_DR_DESCS,
		 FZ_HEAP_BASE + PRB_DESCS);
	fz_put64(m + PRB_RB + FZ_RB_DESC_RING + FZ_DR_INFOS,
		 FZ_HEAP_BASE + PRB_INFOS);
	fz_put64(m + PRB_RB + FZ_RB_DESC_RING + FZ_DR_TAIL_ID, first_id);
	fz_put64(m + PRB_RB + FZ_RB_DESC_RING + FZ_DR_HEAD_ID,
		 first_id + n - 1);
	fz_put32(m + PRB_RB + FZ_RB_TEXT_RING + FZ_TR_SIZE_BITS, PRB_SB);
	fz_put64(m + PRB_RB + FZ_RB_TEXT_RING + FZ_TR_DATA,
		 FZ_HEAP_BASE + PRB_DATA);
	fz_put64(m + PRB_RB + FZ_RB_TEXT_RING + FZ_TR_TAIL, tail_lpos);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t id = first_id + i, idx = id & ((1 << PRB_CB) - 1);
		uint8_t *d = m + PRB_DESCS + idx * FZ_DESC_SIZE;
		uint8_t *info = m + PRB_INFOS + idx * FZ_INFO_SIZE;
		size_t len = strlen(texts[i]);
		uint64_t state = i == 0 ? 3 : i == n - 1 ? 1 : 2;
		uint64_t begin = 3, next = 3, at;

		if (len) {
			uint64_t sz = (8 + len + 7) & ~7ULL;

			begin = lpos;
			if ((lpos & (ring - 1)) + sz > ring) {
				/* data_alloc(): the id at both ends */
				fz_put64(m + PRB_DATA + (lpos & (ring - 1)),
					 id);
				next = (lpos | (ring - 1)) + 1 + sz;
				at = 0;
			} else {
				next = lpos + sz;
				at = lpos & (ring - 1);
			}
			fz_put64(m + PRB_DATA + at, id);
			memcpy(m + PRB_DATA + at + 8, texts[i], len);
			lpos = next;
		}
		fz_put64(d + FZ_DESC_SV, state << 62 | id);
		fz_put64(d + FZ_DESC_BEGIN, begin);
		fz_put64(d + FZ_DESC_NEXT, next);
		fz_put64(info + FZ_INFO_SEQ, id);
		fz_put64(info + FZ_INFO_TS, 1000000000ULL * i + 146571000);
		info[FZ_INFO_TEXT_LEN] = (uint8_t)len;
		info[FZ_INFO_FACILITY] = 0;
		info[FZ_INFO_FLAGS_LEVEL] = (uint8_t)((i % 8) << 5 | 2);
		fz_put32(info + FZ_INFO_CALLER,
			 i % 2 ? 0x80000001 : 100 + (uint32_t)i);
	}
	fz_put64(m + PRB_RB + FZ_RB_TEXT_RING + FZ_TR_HEAD, lpos);
	seed("fuzz_printk", name, b.p, b.len);
	free(b.p);
}

#define REC_SYMS 0x00
#define REC_BUF 0x40
#define REC_LEN 512

static void rec_seed(const char *name, uint8_t flags, bool wrapped)
{
	static const char *const texts[] = {
		"Linux version 5.4.0-fuzz",
		"pmem0: detected capacity change from 0 to 33554432",
		"------------[ cut here ]------------",
		"WARNING: CPU: 0 PID: 7 at kernel/memremap.c:149 devm_memremap_pages_release+0x1f0/0x220",
		"Call Trace:\n devres_release_all+0x30/0x50",
		"---[ end trace 1b1d1d1d1d1d1d1d ]---",
		"random: crng init done",
		"EXT4-fs (pmem0): DAX enabled. Warning: EXPERIMENTAL, use at your own risk",
	};
	const uint32_t syms[] = { REC_SYMS, REC_SYMS + 8, REC_SYMS + 12,
				  REC_SYMS + 16, REC_SYMS + 24,
				  REC_SYMS + 32 };
	const unsigned int hdr = flags & FZ_PK_NO_CALLER ? 16 : 20;
	const uint64_t n = sizeof(texts) / sizeof(texts[0]);
	uint32_t idx = wrapped ? 300 : 0, first = idx;
	const uint64_t first_seq = 40;
	struct buf b = { 0 };
	bool wrap_done = false;
	uint8_t *m;

	pk_header(&b, 1, flags, 0, syms, 6);
	zeros(&b, REC_BUF + REC_LEN);
	m = b.p + PK_HDR;
	fz_put64(m + REC_SYMS, FZ_HEAP_BASE + REC_BUF);
	fz_put32(m + REC_SYMS + 8, REC_LEN);
	for (uint64_t i = 0; i < n; i++) {
		uint16_t len = (uint16_t)strlen(texts[i]);
		uint16_t dict = i == 1 ? 12 : 0;
		uint32_t sz = (hdr + len + dict + 3) & ~3U;
		uint8_t *r;

		if (idx + sz + hdr > REC_LEN) {
			if (!wrapped || wrap_done)
				break;
			/* log_store(): a zero header marks the wrap */
			memset(m + REC_BUF + idx, 0, hdr);
			idx = 0;
			wrap_done = true;
		}
		if (wrap_done && idx + sz > first)
			break;
		r = m + REC_BUF + idx;
		fz_put64(r + FZ_LOG_TS, 500000000ULL * i + 1234);
		r[FZ_LOG_LEN] = (uint8_t)sz;
		r[FZ_LOG_LEN + 1] = (uint8_t)(sz >> 8);
		r[FZ_LOG_TEXT_LEN] = (uint8_t)len;
		r[FZ_LOG_DICT_LEN] = (uint8_t)dict;
		r[FZ_LOG_FACILITY] = i == 6 ? 1 : 0;
		r[FZ_LOG_FLAGS_LEVEL] = (uint8_t)((i % 8) << 5 | 2);
		if (hdr == 20)
			fz_put32(r + FZ_LOG_CALLER, 0x80000000 | (uint32_t)i);
		memcpy(r + hdr, texts[i], len);
		memset(r + hdr + len, '=', dict);
		idx += sz;
		fz_put64(m + REC_SYMS + 32, 40 + i + 1);
	}
	fz_put32(m + REC_SYMS + 12, first);
	fz_put32(m + REC_SYMS + 16, idx);
	fz_put64(m + REC_SYMS + 24, first_seq);
	seed("fuzz_printk", name, b.p, b.len);
	free(b.p);
}

static void printk(void)
{
	struct buf b = { 0 };
	const uint32_t syms[] = { 0 };

	prb_seed("lockless", 0, 0);
	prb_seed("lockless-print", 0xc0, 0);
	prb_seed("lockless-bare", FZ_PK_NO_CALLER | FZ_PK_NO_LEVEL |
					  FZ_PK_NO_FACILITY,
		 0);
	prb_seed("lockless-live-stop", 0x20, 3);
	prb_seed("lockless-and-log-buf", 0x10, 0);
	rec_seed("record", FZ_PK_NO_CALLER, false);
	rec_seed("record-wrapped", FZ_PK_NO_CALLER, true);
	rec_seed("record-caller-wrapped", 0xc0, true);
	rec_seed("record-log-no-level", FZ_PK_OLD_NAME | FZ_PK_NO_CALLER |
						FZ_PK_NO_LEVEL,
		 true);
	rec_seed("record-no-seq", FZ_PK_NO_CALLER | 0x10, true);
	pk_header(&b, 2, 0, 0, syms, 1);
	zeros(&b, 8);
	seed("fuzz_printk", "log-buf-only", b.p, b.len);
	pk_header(&b, 3, 0, 0, syms, 0);
	seed("fuzz_printk", "no-log", b.p, b.len);
	free(b.p);
}

/* fuzz_names: example kernel, flags, then the names image (fuzzhost.h) */

static void n64(uint8_t *im, size_t at, uint64_t v)
{
	fz_put64(im + at, v);
}

#define NA(off) (FZ_KNAMES + (off))

static size_t nstr(uint8_t *im, size_t *at, const char *s)
{
	size_t here = *at;

	memcpy(im + here, s, strlen(s) + 1);
	*at += strlen(s) + 1;
	return here;
}

static void list_self(uint8_t *im, size_t head)
{
	n64(im, head, NA(head));
	n64(im, head + 8, NA(head));
}

/* next/prev of a two-element circular list head -> a -> b -> head */
static void list3(uint8_t *im, size_t head, size_t a, size_t b)
{
	n64(im, head, NA(a));
	n64(im, head + 8, NA(b));
	n64(im, a, NA(b));
	n64(im, a + 8, NA(head));
	n64(im, b, NA(head));
	n64(im, b + 8, NA(a));
}

/*
 * The image of a 6.1 machine with one pmem namespace over example
 * kernel 0's range (0x10000000, 64 pages): iomem "PCI mem" > System RAM,
 * Persistent Memory (legacy) > namespace0.0; devices ndbus0 and
 * namespace0.0 (bound to nd_pmem, with its devm_memremap_pages() node
 * after another one); module nd_pmem with two symbols; eight rq clocks.
 */
static size_t names_image(uint8_t *im)
{
	enum { R1 = 0x200, R2 = 0x240, R3 = 0x280, STR = 0x300, KSET = 0x600,
	       DEV1 = 0x700, DEV2 = 0x800, DRV = 0x900, NODE1 = 0xa00,
	       NODE2 = 0xa80, MOD = 0xc00, KS = 0xf00, SYMTAB = 0xf40,
	       STRTAB = 0xfa0, END = 0x1000 };
	size_t at = STR, pci, ram, pmem, ns, bus, drv, sym1, sym2;

	memset(im, 0, END);
	pci = nstr(im, &at, "PCI mem");
	ram = nstr(im, &at, "System RAM");
	pmem = nstr(im, &at, "Persistent Memory (legacy)");
	ns = nstr(im, &at, "namespace0.0");
	bus = nstr(im, &at, "ndbus0");
	drv = nstr(im, &at, "nd_pmem");
	/* kernel/resource.c: children inside their parent, in address order */
	n64(im, FZ_N_IOMEM + FZ_RES_END, ~0ULL);
	n64(im, FZ_N_IOMEM + FZ_RES_NAME, NA(pci));
	n64(im, FZ_N_IOMEM + FZ_RES_CHILD, NA(R1));
	n64(im, R1 + FZ_RES_START, 0x1000);
	n64(im, R1 + FZ_RES_END, 0x0fffffff);
	n64(im, R1 + FZ_RES_NAME, NA(ram));
	n64(im, R1 + FZ_RES_PARENT, NA(FZ_N_IOMEM));
	n64(im, R1 + FZ_RES_SIBLING, NA(R2));
	n64(im, R2 + FZ_RES_START, 0x10000000);
	n64(im, R2 + FZ_RES_END, 0x1fffffff);
	n64(im, R2 + FZ_RES_NAME, NA(pmem));
	n64(im, R2 + FZ_RES_PARENT, NA(FZ_N_IOMEM));
	n64(im, R2 + FZ_RES_CHILD, NA(R3));
	n64(im, R3 + FZ_RES_START, 0x10000000);
	n64(im, R3 + FZ_RES_END, 0x1003ffff);
	n64(im, R3 + FZ_RES_NAME, NA(ns));
	n64(im, R3 + FZ_RES_PARENT, NA(R2));
	/* devices_kset->list: ndbus0, namespace0.0 by kobj.entry */
	n64(im, FZ_N_KSET_PTR, NA(KSET));
	list3(im, KSET + FZ_KSET_LIST, DEV1 + FZ_DEV_KOBJ + FZ_KOBJ_ENTRY,
	      DEV2 + FZ_DEV_KOBJ + FZ_KOBJ_ENTRY);
	n64(im, DEV1 + FZ_DEV_KOBJ + FZ_KOBJ_NAME, NA(bus));
	list_self(im, DEV1 + FZ_DEV_DEVRES);
	n64(im, DEV2 + FZ_DEV_KOBJ + FZ_KOBJ_NAME, NA(ns));
	n64(im, DEV2 + FZ_DEV_DRIVER, NA(DRV));
	n64(im, DRV + FZ_DRV_NAME, NA(drv));
	/* __devm_add_action(): a devm_action_release node, action_devres */
	list3(im, DEV2 + FZ_DEV_DEVRES, NODE1 + FZ_NODE_ENTRY,
	      NODE2 + FZ_NODE_ENTRY);
	n64(im, NODE1 + FZ_NODE_RELEASE, FZ_TEXT_BASE + 0x7200);
	n64(im, NODE2 + FZ_NODE_RELEASE, FZ_FN_DEVM_ACTION_RELEASE);
	n64(im, NODE2 + FZ_DEVRES_DATA, FZ_KPGMAP);
	n64(im, NODE2 + FZ_DEVRES_DATA + 8, FZ_FN_DEVM_MEMREMAP_RELEASE);
	/* modules: nd_pmem, its core region holding struct module */
	n64(im, FZ_N_MODULES, NA(MOD + FZ_MOD_LIST));
	n64(im, FZ_N_MODULES + 8, NA(MOD + FZ_MOD_LIST));
	n64(im, MOD + FZ_MOD_LIST, NA(FZ_N_MODULES));
	n64(im, MOD + FZ_MOD_LIST + 8, NA(FZ_N_MODULES));
	memcpy(im + MOD + FZ_MOD_NAME, "nd_pmem", 8);
	n64(im, MOD + FZ_MOD_CORE_LAYOUT, NA(MOD - 0x400));
	fz_put32(im + MOD + FZ_MOD_CORE_LAYOUT + 8, 0x800);
	n64(im, MOD + FZ_MOD_KALLSYMS, NA(KS));
	n64(im, KS + FZ_KS_SYMTAB, NA(SYMTAB));
	fz_put32(im + KS + FZ_KS_NUM, 3);
	n64(im, KS + FZ_KS_STRTAB, NA(STRTAB));
	at = STRTAB + 1;
	sym1 = nstr(im, &at, "fsdax_pagemap_ops") - STRTAB;
	sym2 = nstr(im, &at, "pmem_pagemap_cleanup") - STRTAB;
	/* Elf64_Sym: st_name@0, st_shndx@6, st_value@8 (symtab[0] null) */
	fz_put32(im + SYMTAB + 24, (uint32_t)sym1);
	im[SYMTAB + 24 + 6] = 5;
	n64(im, SYMTAB + 24 + 8, NA(MOD - 0x300));
	fz_put32(im + SYMTAB + 48, (uint32_t)sym2);
	im[SYMTAB + 48 + 6] = 1;
	n64(im, SYMTAB + 48 + 8, NA(MOD - 0x200));
	/* rq clocks: CPU c at 0x100 + 16 c */
	for (int c = 0; c < FZ_MAX_CPUS; c++)
		n64(im, FZ_N_RQ + FZ_N_RQ_STRIDE * c, 7652787252ULL - c);
	return END;
}

static void names(void)
{
	static uint8_t b[2 + 0x1000];
	size_t n = names_image(b + 2);

	b[0] = 0, b[1] = 0;
	seed("fuzz_names", "pmem", b, 2 + n);
	b[0] = 1, b[1] = 3; /* waiters, busy pages: live, -p */
	seed("fuzz_names", "pmem-busy-live-detail", b, 2 + n);
	b[0] = 5, b[1] = 0; /* two ranges */
	seed("fuzz_names", "pmem-two-ranges", b, 2 + n);
	b[0] = 0, b[1] = 0;
	seed("fuzz_names", "no-image", b, 2);
}

/* fuzz_args: NUL-separated arguments */

static void args_seed(const char *name, const char *const *argv)
{
	struct buf b = { 0 };

	for (int i = 0; argv[i]; i++)
		put(&b, argv[i], strlen(argv[i]) + (argv[i + 1] ? 1 : 0));
	seed("fuzz_args", name, b.p, b.len);
	free(b.p);
}

static void args(void)
{
	static const char *const a0[] = { "fuzz0.kdump", NULL };
	static const char *const a1[] = { "-a", "-j", "fuzz.kdump", NULL };
	static const char *const a2[] = { "-p", "ffff888100000000",
					  "fuzz1.kdump", NULL };
	static const char *const a3[] = { "-j", "-P", "10003", "fuzz5.kdump",
					  NULL };
	static const char *const a4[] = { "-k", "-a", NULL };
	static const char *const a5[] = { "--debuginfo=btf", "-s", "vmlinux",
					  "fuzz2.kdump", NULL };
	static const char *const a6[] = { "--stats", "--system-map",
					  "System.map", "fuzz3.kdump", NULL };
	static const char *const a7[] = { "--pgmap=0x10", "--json",
					  "no-such.kdump", NULL };
	static const char *const a8[] = { "-h", NULL };
	static const char *const a9[] = { "-ajP", "0", "fuzz4.kdump", NULL };

	args_seed("audit", a0);
	args_seed("all-json", a1);
	args_seed("pgmap", a2);
	args_seed("pfn-json", a3);
	args_seed("live", a4);
	args_seed("btf-and-s", a5);
	args_seed("stats-system-map", a6);
	args_seed("missing", a7);
	args_seed("help", a8);
	args_seed("combined", a9);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: gen_seeds CORPUS-DIR");
	root = argv[1];
	if (mkdir(root, 0755) && errno != EEXIST)
		die("%s: %s", root, strerror(errno));
	sections();
	walkers();
	kallsyms();
	btf_seeds();
	flattened();
	args();
	dumpcheck();
	printk();
	names();
	return 0;
}
