// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kallsyms without a vmlinux.  Written from the kernel's scripts/kallsyms.c
 * (which lays the tables out at build time) and kernel/kallsyms.c (which
 * reads them), as of Debian's 6.1 and 6.12 trees and the later mainline
 * changes cited below.
 *
 * The tables, little-endian (this decoder is for x86_64 dumps):
 *   kallsyms_num_syms     u32 (.long; the C declaration is unsigned int)
 *   kallsyms_names        per symbol a token count, then that many token
 *                         bytes; the first expanded character is the nm type
 *   kallsyms_markers      u32 stream offset of every 256th symbol, right
 *                         after the names (not in VMCOREINFO)
 *   kallsyms_token_table  256 NUL-terminated strings, back to back
 *   kallsyms_token_index  256 u16 offsets into the token table
 *   kallsyms_offsets      s32 per symbol, with kallsyms_relative_base (u64),
 *   or kallsyms_addresses u64 per symbol (!KALLSYMS_BASE_RELATIVE)
 * Symbols are in address order.
 *
 * Two things vary and neither is written down in the tables:
 *   - the token count is one byte before 73bbb94466fd ("kallsyms: support
 *     \"big\" kernel symbols", 6.1), where 128-255 are plain counts; since,
 *     a count with bit 7 set takes a second byte, (b0 & 0x7f) | b1 << 7;
 *   - the address of symbol i is
 *       absolute-percpu (KALLSYMS_ABSOLUTE_PERCPU, x86_64 SMP until
 *         01157ddc58dc "kallsyms: Remove KALLSYMS_ABSOLUTE_PERCPU", 6.15):
 *         off >= 0 ? off : relative_base - 1 - off;
 *       relative: relative_base + (u32)off;
 *       place-relative (a081b5789255 "kallsyms: Get rid of kallsyms
 *         relative base", 2026; VMCOREINFO then has no relative_base):
 *         &kallsyms_offsets[i] + off;
 *       absolute: kallsyms_addresses[i] (!KALLSYMS_BASE_RELATIVE; that
 *         configuration is gone since 64e166099b69 "kallsyms: get rid of
 *         code for absolute kallsyms", 2024).
 * Which one a kernel uses is a config and era question; rather than guess
 * from a version string, every reading is tried and checked: all names well
 * formed, exactly num_syms records, _stext where VMCOREINFO's SYMBOL(_stext)
 * says, addresses in order.  The markers settle the one case those leave
 * open (two length readings that differ only after _stext).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"

#define KS_MAX_SYMS (4u << 20)
#define KS_MAX_NAMES (64u << 20) /* bytes of kallsyms_names */
#define KS_MAX_TOKEN 256 /* bytes of one token string, its NUL included */
/* KSYM_NAME_LEN: scripts/kallsyms.c refuses names this long (6.1, 6.12) */
#define KS_NAME_LEN 512
#define KS_MAX_LINE 4096 /* a parsed name, in characters */
#define KS_CHUNK (64u << 10)
#define KS_PAGE 4096u
#define KS_SIZE_CAP (1u << 20)
#define KS_NONE UINT32_MAX

struct ks_sym {
	uint64_t addr;
	uint32_t name; /* offset in strings */
	uint32_t module; /* offset in strings; 0 (the empty string): vmlinux */
	uint32_t index; /* position in the table or the file */
	uint32_t size; /* to the next higher address, capped; 0: highest */
	char type;
};

struct ks_arena {
	char *p;
	size_t len, cap;
};

struct zd_kallsyms {
	struct ks_sym *syms; /* by address, then index */
	size_t n;
	struct ks_arena str;
	uint32_t *hash; /* position in syms + 1 per slot, 0 = empty */
	size_t hmask;
	char encoding[96];
};

/* Strings */

static struct zd_error *arena_add(struct ks_arena *a, const char *s, size_t len,
				  uint32_t *off)
{
	if (a->len + len + 1 > UINT32_MAX)
		return zd_error_create(ZD_ERR_INVALID,
				       "symbol names exceed 4 GiB");
	if (a->len + len + 1 > a->cap) {
		size_t cap = a->cap ? a->cap : 1u << 16;
		char *p;

		while (cap < a->len + len + 1)
			cap *= 2;
		if (!(p = realloc(a->p, cap)))
			return &zd_error_nomem;
		a->p = p;
		a->cap = cap;
	}
	memcpy(a->p + a->len, s, len);
	a->p[a->len + len] = '\0';
	*off = (uint32_t)a->len;
	a->len += len + 1;
	return NULL;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* Kernel memory */

struct ks_mem {
	zd_ks_read_fn read;
	void *arg;
};

/* A table of known length, in KS_CHUNK pieces. */
static struct zd_error *read_span(const struct ks_mem *m, uint64_t addr,
				  void *buf, size_t len)
{
	if (len && addr > UINT64_MAX - (len - 1))
		return zd_error_create(ZD_ERR_INVALID,
				       "0x%llx + %zu wraps around",
				       (unsigned long long)addr, len);
	for (size_t off = 0; off < len; off += KS_CHUNK) {
		size_t n = len - off < KS_CHUNK ? len - off : KS_CHUNK;
		struct zd_error *err =
			m->read(m->arg, addr + off, (uint8_t *)buf + off, n);

		if (err)
			return err;
	}
	return NULL;
}

/*
 * A table whose length is known only once it is parsed (the names, the
 * token strings): read on demand in KS_CHUNK pieces, never past limit.
 * A piece that fails (the table ends near unreadable memory) is retried
 * page by page, only as far as needed.
 */
struct ks_stream {
	const struct ks_mem *m;
	uint64_t base;
	uint8_t *data;
	size_t len, cap, limit;
	bool paged;
};

static struct zd_error *stream_grow(struct ks_stream *s, size_t want)
{
	size_t cap = s->cap ? s->cap : KS_CHUNK;
	uint8_t *p;

	if (s->len + want <= s->cap)
		return NULL;
	while (cap < s->len + want)
		cap *= 2;
	if (!(p = realloc(s->data, cap)))
		return &zd_error_nomem;
	s->data = p;
	s->cap = cap;
	return NULL;
}

static struct zd_error *stream_need(struct ks_stream *s, size_t n)
{
	struct zd_error *err;
	size_t want;

	if (n <= s->len)
		return NULL;
	if (n > s->limit)
		return zd_error_create(
			ZD_ERR_INVALID,
			"runs past %zu bytes, more than any kernel's",
			s->limit);
	if (n - 1 > UINT64_MAX - s->base)
		return zd_error_create(
			ZD_ERR_INVALID,
			"runs past the end of the address space");
	if (s->limit - 1 > UINT64_MAX - s->base)
		s->limit = (size_t)(UINT64_MAX - s->base) + 1;
	if (!s->paged) {
		want = n - s->len < KS_CHUNK ? KS_CHUNK : n - s->len;
		if (want > s->limit - s->len)
			want = s->limit - s->len;
		if ((err = stream_grow(s, want)))
			return err;
		err = s->m->read(s->m->arg, s->base + s->len, s->data + s->len,
				 want);
		if (!err) {
			s->len += want;
			return NULL;
		}
		zd_error_destroy(err);
		s->paged = true;
	}
	while (s->len < n) {
		uint64_t at = s->base + s->len;

		want = KS_PAGE - (size_t)(at & (KS_PAGE - 1));
		if (want > s->limit - s->len)
			want = s->limit - s->len;
		if ((err = stream_grow(s, want)))
			return err;
		err = s->m->read(s->m->arg, at, s->data + s->len, want);
		if (err && want > n - s->len) {
			/* Memory that ends inside a page: just what is needed. */
			zd_error_destroy(err);
			want = n - s->len;
			err = s->m->read(s->m->arg, at, s->data + s->len, want);
		}
		if (err)
			return err;
		s->len += want;
	}
	return NULL;
}

/* Tokens */

struct ks_tokens {
	const char *s[256];
	uint16_t len[256];
	bool ok[256]; /* only characters a symbol name can have */
	struct ks_stream st;
};

static bool name_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

static struct zd_error *read_tokens(const struct ks_mem *m,
				    const struct zd_kallsyms_tables *tab,
				    struct ks_tokens *tok)
{
	uint8_t raw[512];
	uint32_t index[256];
	struct zd_error *err;
	bool rising;

	if ((err = read_span(m, tab->token_index, raw, sizeof(raw))))
		return zd_error_wrap(err, "kallsyms_token_index at 0x%llx",
				     (unsigned long long)tab->token_index);
	for (int i = 0; i < 256; i++)
		index[i] = le16(raw + 2 * i);
	tok->st = (struct ks_stream){ .m = m,
				      .base = tab->token_table,
				      .limit = 0xffff + KS_MAX_TOKEN };
	/*
	 * If the index rises as it should, the strings up to the last one's
	 * start in one go; the loop below checks each and reads the rest
	 * (byte by byte only where memory ends inside a page).
	 */
	rising = !index[0];
	for (int i = 1; i < 256 && rising; i++)
		rising = index[i] > index[i - 1];
	if (rising)
		zd_error_destroy(stream_need(&tok->st, index[255] + 1u));
	for (int i = 0; i < 256; i++) {
		size_t off = index[i], k = 0;

		/*
		 * scripts/kallsyms.c writes the strings back to back and the
		 * index as their running offsets; anything else is not a
		 * token table.
		 */
		if (index[i] != (i ? index[i - 1] + tok->len[i - 1] + 1u : 0))
			return zd_error_create(
				ZD_ERR_INVALID,
				"kallsyms_token_index[%d] = %u where token %d ends at %u: not a token index",
				i, index[i], i - 1,
				i ? index[i - 1] + tok->len[i - 1] + 1u : 0);
		for (;; k++) {
			if (k == KS_MAX_TOKEN)
				return zd_error_create(
					ZD_ERR_INVALID,
					"kallsyms_token_table: token %d at +%u is not NUL-terminated within %d bytes",
					i, index[i], KS_MAX_TOKEN);
			if ((err = stream_need(&tok->st, off + k + 1)))
				return zd_error_wrap(
					err,
					"kallsyms_token_table at 0x%llx, token %d",
					(unsigned long long)tab->token_table,
					i);
			if (!tok->st.data[off + k])
				break;
		}
		tok->len[i] = (uint16_t)k;
	}
	for (int i = 0; i < 256; i++) {
		/* Set after the loop: the stream may have moved its buffer. */
		tok->s[i] = (const char *)tok->st.data + index[i];
		tok->ok[i] = true;
		for (size_t k = 0; k < tok->len[i]; k++)
			if (!name_char((unsigned char)tok->s[i][k]))
				tok->ok[i] = false;
	}
	return NULL;
}

/* Names: one reading per length encoding */

enum ks_len { KS_LEN_TWO, KS_LEN_ONE };

struct ks_pass {
	enum ks_len enc;
	struct ks_arena str; /* names without the type; starts with "" */
	uint32_t *name; /* offset in str, per symbol */
	char *type; /* per symbol */
	uint32_t *rec; /* stream offset of each record, and the end */
	uint32_t stext; /* index of _stext, or KS_NONE */
	bool big; /* a count byte had bit 7 set */
	struct zd_error *err; /* why this reading fails, or NULL */
	uint32_t fail_at; /* the symbol it fails at */
};

static void pass_free(struct ks_pass *p)
{
	free(p->str.p);
	free(p->name);
	free(p->type);
	free(p->rec);
	zd_error_destroy(p->err);
	memset(p, 0, sizeof(*p));
}

static struct zd_error *pass_bad(uint32_t i, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct zd_error *pass_bad(uint32_t i, size_t off, const char *fmt, ...)
{
	struct zd_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = zd_error_vcreate(ZD_ERR_INVALID, fmt, ap);
	va_end(ap);
	return zd_error_wrap(err, "symbol %u at +%zu", i, off);
}

/*
 * Read num records under p->enc; on failure p->err says where and why.
 * Every count, token and name is checked the way scripts/kallsyms.c could
 * have written it, so a wrong length encoding (which misaligns every
 * record after the first big one) or a torn stream shows at once.
 */
static void names_pass(struct ks_stream *st, const struct ks_tokens *tok,
		       uint32_t num, struct ks_pass *p)
{
	char name[KS_NAME_LEN + KS_MAX_TOKEN];
	struct zd_error *err = NULL;
	size_t off = 0;
	uint32_t empty, i = 0;

	p->stext = KS_NONE;
	p->name = malloc(sizeof(*p->name) * num);
	p->type = malloc(num);
	p->rec = malloc(sizeof(*p->rec) * ((size_t)num + 1));
	if (!p->name || !p->type || !p->rec) {
		p->err = &zd_error_nomem;
		return;
	}
	if ((err = arena_add(&p->str, "", 0, &empty)))
		goto out;
	for (i = 0; i < num; i++) {
		size_t start = off, nl = 0;
		uint32_t len;

		p->rec[i] = (uint32_t)off;
		if ((err = stream_need(st, off + 1)))
			goto fault;
		len = st->data[off++];
		if (len & 0x80) {
			p->big = true;
			if (p->enc == KS_LEN_TWO) {
				uint8_t b1;

				if ((err = stream_need(st, off + 1)))
					goto fault;
				b1 = st->data[off++];
				/*
				 * Written as (len >> 7) & 0x7f, and only for
				 * len > 0x7f (scripts/kallsyms.c caps len at
				 * 0x3fff).
				 */
				if (!b1 || (b1 & 0x80)) {
					err = pass_bad(
						i, start,
						"count bytes 0x%02x 0x%02x are no two-byte count",
						len, b1);
					goto out;
				}
				len = (len & 0x7f) | (uint32_t)b1 << 7;
			}
		}
		if (!len) {
			err = pass_bad(i, start, "token count 0");
			goto out;
		}
		if ((err = stream_need(st, off + len)))
			goto fault;
		for (uint32_t k = 0; k < len; k++) {
			uint8_t t = st->data[off + k];

			if (!tok->ok[t]) {
				err = pass_bad(
					i, start,
					"token 0x%02x has characters no symbol name has",
					t);
				goto out;
			}
			if (nl + tok->len[t] > KS_NAME_LEN) {
				err = pass_bad(i, start,
					       "name longer than %d characters",
					       KS_NAME_LEN - 1);
				goto out;
			}
			memcpy(name + nl, tok->s[t], tok->len[t]);
			nl += tok->len[t];
		}
		off += len;
		if (nl < 2 ||
		    !(isalpha((unsigned char)name[0]) || name[0] == '?')) {
			err = pass_bad(i, start, "'%.*s' is no type and name",
				       (int)(nl < 40 ? nl : 40), name);
			goto out;
		}
		p->type[i] = name[0];
		if ((err = arena_add(&p->str, name + 1, nl - 1, &p->name[i])))
			goto out;
		if (p->stext == KS_NONE && nl == 7 &&
		    !memcmp(name + 1, "_stext", 6))
			p->stext = i;
	}
	p->rec[num] = (uint32_t)off;
	return;
fault:
	err = zd_error_wrap(err, "symbol %u at +%zu", i, (size_t)p->rec[i]);
out:
	p->err = err;
	p->fail_at = i;
}

static const char *len_label(const struct ks_pass *p)
{
	if (!p->big)
		return "lengths < 128";
	return p->enc == KS_LEN_TWO ? "two-byte lengths" : "one-byte lengths";
}

/*
 * kallsyms_markers follows the names at the next ALGN boundary (.balign 8
 * on 64-bit; .balign 4 since a081b5789255): markers[k] is the offset of
 * symbol 256 k.  Read only to choose between two length readings.
 */
static bool markers_match(const struct ks_mem *m, uint64_t names,
			  const struct ks_pass *p, uint32_t num)
{
	size_t cnt = ((size_t)num + 255) / 256;
	uint64_t end = names + p->rec[num];
	uint8_t *raw = malloc(cnt * 4);
	bool match = false;

	if (!raw)
		return false;
	for (uint64_t align = 8; align >= 4 && !match; align /= 2) {
		uint64_t at = (end + align - 1) & ~(align - 1);
		struct zd_error *err = read_span(m, at, raw, cnt * 4);

		if (err) {
			zd_error_destroy(err);
			continue;
		}
		match = true;
		for (size_t k = 0; k < cnt && match; k++)
			match = le32(raw + 4 * k) == p->rec[k * 256];
	}
	free(raw);
	return match;
}

/* Addresses */

enum ks_addr {
	KS_ABS_PERCPU,
	KS_RELATIVE,
	KS_PLACE_RELATIVE,
	KS_ABSOLUTE,
	KS_NADDR
};

static const char *const addr_label[KS_NADDR] = {
	[KS_ABS_PERCPU] = "absolute-percpu",
	[KS_RELATIVE] = "relative",
	[KS_PLACE_RELATIVE] = "place-relative",
	[KS_ABSOLUTE] = "absolute addresses",
};

struct ks_addrs {
	uint8_t *offsets; /* s32 per symbol, or NULL */
	uint8_t *absolute; /* u64 per symbol, or NULL */
	uint64_t offsets_at, base;
	bool have_base;
};

static uint64_t sym_addr(const struct ks_addrs *a, enum ks_addr enc, uint32_t i)
{
	int32_t off;

	if (enc == KS_ABSOLUTE)
		return le64(a->absolute + 8 * (size_t)i);
	off = (int32_t)le32(a->offsets + 4 * (size_t)i);
	switch (enc) {
	case KS_ABS_PERCPU:
		/* kernel/kallsyms.c: positive offsets are absolute values,
		 * negative ones relative to relative_base - 1 */
		if (off >= 0)
			return (uint64_t)off;
		return a->base - 1 - (uint64_t)(int64_t)off;
	case KS_RELATIVE:
		return a->base + (uint32_t)off;
	case KS_PLACE_RELATIVE:
		/* offset_to_ptr(): the entry's own address plus its value */
		return a->offsets_at + 4 * (uint64_t)i + (uint64_t)(int64_t)off;
	default:
		return 0;
	}
}

static bool addr_usable(const struct ks_addrs *a, enum ks_addr enc)
{
	switch (enc) {
	case KS_ABS_PERCPU:
	case KS_RELATIVE:
		return a->offsets && a->have_base;
	case KS_PLACE_RELATIVE:
		return a->offsets;
	case KS_ABSOLUTE:
		return a->absolute;
	default:
		return false;
	}
}

/* First symbol whose address is below the one before it, or KS_NONE. */
static uint32_t unsorted_at(const struct ks_addrs *a, enum ks_addr enc,
			    uint32_t num)
{
	uint64_t prev = sym_addr(a, enc, 0);

	for (uint32_t i = 1; i < num; i++) {
		uint64_t v = sym_addr(a, enc, i);

		if (v < prev)
			return i;
		prev = v;
	}
	return KS_NONE;
}

static struct zd_error *read_addrs(const struct ks_mem *m,
				   const struct zd_kallsyms_tables *tab,
				   uint32_t num, struct ks_addrs *a)
{
	struct zd_error *err;
	uint8_t raw[8];

	a->offsets_at = tab->offsets;
	if (tab->offsets) {
		if (!(a->offsets = malloc(4 * (size_t)num)))
			return &zd_error_nomem;
		if ((err = read_span(m, tab->offsets, a->offsets,
				     4 * (size_t)num)))
			return zd_error_wrap(err, "kallsyms_offsets at 0x%llx",
					     (unsigned long long)tab->offsets);
	}
	if (tab->relative_base) {
		if ((err = read_span(m, tab->relative_base, raw, 8)))
			return zd_error_wrap(
				err, "kallsyms_relative_base at 0x%llx",
				(unsigned long long)tab->relative_base);
		a->base = le64(raw);
		a->have_base = true;
	}
	if (tab->addresses) {
		if (!(a->absolute = malloc(8 * (size_t)num)))
			return &zd_error_nomem;
		if ((err = read_span(m, tab->addresses, a->absolute,
				     8 * (size_t)num)))
			return zd_error_wrap(
				err, "kallsyms_addresses at 0x%llx",
				(unsigned long long)tab->addresses);
	}
	return NULL;
}

/* The index */

static uint64_t name_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

/* Lower is preferred: vmlinux before modules, then global before local. */
static int sym_rank(const struct ks_sym *s)
{
	return (s->module ? 2 : 0) + (isupper((unsigned char)s->type) ? 0 : 1);
}

static bool sym_better(const struct ks_sym *a, const struct ks_sym *b)
{
	int ra = sym_rank(a), rb = sym_rank(b);

	return ra != rb ? ra < rb : a->index < b->index;
}

static int sym_cmp(const void *pa, const void *pb)
{
	const struct ks_sym *a = pa, *b = pb;

	if (a->addr != b->addr)
		return a->addr < b->addr ? -1 : 1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* syms sorted: sizes and the name index. */
static struct zd_error *index_syms(struct zd_kallsyms *ks)
{
	size_t slots = 16;

	for (size_t i = ks->n; i > 0;) {
		size_t g = i - 1;
		uint64_t a = ks->syms[g].addr;
		uint32_t size = 0;

		while (g > 0 && ks->syms[g - 1].addr == a)
			g--;
		if (i < ks->n) {
			uint64_t d = ks->syms[i].addr - a;

			size = d > KS_SIZE_CAP ? KS_SIZE_CAP : (uint32_t)d;
		}
		for (size_t k = g; k < i; k++)
			ks->syms[k].size = size;
		i = g;
	}
	while (slots < 2 * ks->n)
		slots *= 2;
	if (!(ks->hash = calloc(slots, sizeof(*ks->hash))))
		return &zd_error_nomem;
	ks->hmask = slots - 1;
	for (size_t i = 0; i < ks->n; i++) {
		const struct ks_sym *s = &ks->syms[i];
		const char *nm = ks->str.p + s->name;
		size_t h = (size_t)name_hash(nm) & ks->hmask;

		for (;; h = (h + 1) & ks->hmask) {
			const struct ks_sym *o;

			if (!ks->hash[h]) {
				ks->hash[h] = (uint32_t)i + 1;
				break;
			}
			o = &ks->syms[ks->hash[h] - 1];
			if (!strcmp(ks->str.p + o->name, nm)) {
				if (sym_better(s, o))
					ks->hash[h] = (uint32_t)i + 1;
				break;
			}
		}
	}
	return NULL;
}

/* Decoding */

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

struct ks_fit {
	struct ks_pass *pass;
	enum ks_addr enc;
};

static struct zd_error *check_tables(const struct zd_kallsyms_tables *tab)
{
	char missing[160] = "";

	if (!tab->names)
		append(missing, sizeof(missing), " kallsyms_names");
	if (!tab->num_syms)
		append(missing, sizeof(missing), " kallsyms_num_syms");
	if (!tab->token_table)
		append(missing, sizeof(missing), " kallsyms_token_table");
	if (!tab->token_index)
		append(missing, sizeof(missing), " kallsyms_token_index");
	if (!tab->offsets && !tab->addresses)
		append(missing, sizeof(missing),
		       " kallsyms_offsets/kallsyms_addresses");
	if (!tab->stext)
		append(missing, sizeof(missing), " _stext");
	if (missing[0])
		return zd_error_create(
			ZD_ERR_NOTFOUND,
			"kallsyms: VMCOREINFO has no SYMBOL() for%s (the tables are there since 6.0)",
			missing);
	return NULL;
}

/*
 * Of the readings that put _stext in place with addresses in order, the
 * one to keep; ZD_ERR_FORMAT naming what each reading gave if none or
 * more than one remains.
 */
static struct zd_error *choose(const struct ks_mem *m,
			       const struct zd_kallsyms_tables *tab,
			       struct ks_pass *passes, int npass,
			       const struct ks_addrs *a, uint32_t num,
			       struct ks_fit *out)
{
	struct ks_fit fits[2 * KS_NADDR];
	char why[512] = "";
	int nfit = 0;

	for (int p = 0; p < npass; p++) {
		struct ks_pass *ps = &passes[p];

		append(why, sizeof(why), "%s%s: ", p ? "; " : "",
		       len_label(ps));
		if (ps->err) {
			append(why, sizeof(why), "%s", ps->err->message);
			continue;
		}
		if (ps->stext == KS_NONE) {
			append(why, sizeof(why), "no _stext among the names");
			continue;
		}
		for (int e = 0, first = 1; e < KS_NADDR; e++) {
			uint64_t v;
			uint32_t bad;

			if (!addr_usable(a, e))
				continue;
			v = sym_addr(a, e, ps->stext);
			append(why, sizeof(why), "%s%s _stext 0x%llx",
			       first ? "" : ", ", addr_label[e],
			       (unsigned long long)v);
			first = 0;
			if (v != tab->stext)
				continue;
			if ((bad = unsorted_at(a, e, num)) != KS_NONE) {
				append(why, sizeof(why),
				       " but symbol %u (%s) 0x%llx < 0x%llx before it",
				       bad, ps->str.p + ps->name[bad],
				       (unsigned long long)sym_addr(a, e, bad),
				       (unsigned long long)sym_addr(a, e,
								    bad - 1));
				continue;
			}
			fits[nfit++] = (struct ks_fit){ ps, e };
		}
	}
	if (nfit > 1 && fits[0].pass != fits[nfit - 1].pass) {
		/* Two length readings: the markers tell which is right. */
		int keep = 0;

		for (int f = 0; f < nfit; f++)
			if (markers_match(m, tab->names, fits[f].pass, num))
				fits[keep++] = fits[f];
		if (keep)
			nfit = keep;
	}
	if (nfit == 1) {
		*out = fits[0];
		return NULL;
	}
	return zd_error_create(
		ZD_ERR_FORMAT,
		"kallsyms: %s encoding puts _stext at 0x%llx (SYMBOL(_stext)) with addresses in order: %s",
		nfit ? "more than one" : "no", (unsigned long long)tab->stext,
		why);
}

struct zd_error *zd_kallsyms_decode(zd_ks_read_fn read, void *arg,
				    const struct zd_kallsyms_tables *tab,
				    struct zd_kallsyms **ret)
{
	struct ks_mem m = { read, arg };
	struct ks_tokens tok = { 0 };
	struct ks_stream names = { 0 };
	struct ks_pass passes[2] = { { .enc = KS_LEN_TWO },
				     { .enc = KS_LEN_ONE } };
	struct ks_addrs a = { 0 };
	struct zd_kallsyms *ks = NULL;
	struct ks_fit fit = { 0 };
	struct zd_error *err;
	uint8_t raw[4];
	uint32_t num;
	int npass = 1;

	*ret = NULL;
	if ((err = check_tables(tab)))
		return err;
	/*
	 * A u32 (.long) in 6.1 and 6.12; where it was a pointer-sized
	 * unsigned long, its low half on little-endian is the same number.
	 */
	if ((err = read_span(&m, tab->num_syms, raw, 4)))
		return zd_error_wrap(err, "kallsyms_num_syms at 0x%llx",
				     (unsigned long long)tab->num_syms);
	num = le32(raw);
	if (!num || num > KS_MAX_SYMS)
		return zd_error_create(
			ZD_ERR_INVALID,
			"kallsyms_num_syms at 0x%llx is %u: no kernel has that many symbols",
			(unsigned long long)tab->num_syms, num);
	if ((err = read_tokens(&m, tab, &tok)))
		goto out;
	names = (struct ks_stream){ .m = &m,
				    .base = tab->names,
				    .limit = KS_MAX_NAMES };
	names_pass(&names, &tok, num, &passes[0]);
	/* No count byte >= 0x80: both length encodings read the same. */
	if (passes[0].big) {
		names_pass(&names, &tok, num, &passes[1]);
		npass = 2;
	}
	if (passes[0].err && (npass == 1 || passes[1].err)) {
		/*
		 * No reading of the names holds up: the stream is torn (a
		 * read failed) or not kallsyms.  The reading that got
		 * further is the likelier one; its error gives the code.
		 */
		struct ks_pass *far = &passes[0];

		if (npass == 2 && passes[1].fail_at > passes[0].fail_at)
			far = &passes[1];
		if (npass == 1) {
			err = passes[0].err;
			passes[0].err = NULL;
		} else {
			err = zd_error_create(
				far->err->code, "%s: %s; %s: %s",
				len_label(&passes[0]), passes[0].err->message,
				len_label(&passes[1]), passes[1].err->message);
		}
		err = zd_error_wrap(err, "kallsyms_names at 0x%llx",
				    (unsigned long long)tab->names);
		goto out;
	}
	if ((err = read_addrs(&m, tab, num, &a)) ||
	    (err = choose(&m, tab, passes, npass, &a, num, &fit)))
		goto out;

	if (!(ks = calloc(1, sizeof(*ks))) ||
	    !(ks->syms = malloc(sizeof(*ks->syms) * num))) {
		err = &zd_error_nomem;
		goto out;
	}
	ks->n = num;
	for (uint32_t i = 0; i < num; i++)
		ks->syms[i] = (struct ks_sym){ .addr = sym_addr(&a, fit.enc, i),
					       .name = fit.pass->name[i],
					       .index = i,
					       .type = fit.pass->type[i] };
	ks->str = fit.pass->str;
	fit.pass->str = (struct ks_arena){ 0 };
	snprintf(ks->encoding, sizeof(ks->encoding), "%s, %s",
		 len_label(fit.pass), addr_label[fit.enc]);
	/* In address order already: unsorted_at() said so. */
	if ((err = index_syms(ks)))
		goto out;
	*ret = ks;
	ks = NULL;
out:
	zd_kallsyms_free(ks);
	pass_free(&passes[0]);
	pass_free(&passes[1]);
	free(names.data);
	free(tok.st.data);
	free(a.offsets);
	free(a.absolute);
	return err;
}

/* Parsing */

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct zd_error *parse_line(char *line, uint64_t *addr, char *type,
				   char **name, size_t *nlen, char **mod,
				   size_t *mlen)
{
	char *p = line, *end;

	for (end = p; isxdigit((unsigned char)*end); end++)
		;
	if (end == p || end - p > 16 || !blank(*end))
		return zd_error_create(ZD_ERR_FORMAT, "bad address");
	*addr = strtoull(p, NULL, 16);
	for (p = end; blank(*p); p++)
		;
	if (!name_char((unsigned char)*p) || !blank(p[1]))
		return zd_error_create(ZD_ERR_FORMAT, "no type letter");
	*type = *p;
	for (p += 2; blank(*p); p++)
		;
	*name = p;
	while (*p && !blank(*p))
		p++;
	*nlen = (size_t)(p - *name);
	if (!*nlen)
		return zd_error_create(ZD_ERR_FORMAT, "no name");
	if (*nlen >= KS_MAX_LINE)
		return zd_error_create(ZD_ERR_FORMAT,
				       "name longer than %d characters",
				       KS_MAX_LINE - 1);
	while (blank(*p))
		p++;
	*mod = NULL;
	*mlen = 0;
	if (*p == '[') {
		*mod = ++p;
		while (*p && *p != ']')
			p++;
		if (*p != ']' || p == *mod)
			return zd_error_create(ZD_ERR_FORMAT, "bad [module]");
		*mlen = (size_t)(p - *mod);
		for (p++; blank(*p); p++)
			;
	}
	if (*p)
		return zd_error_create(ZD_ERR_FORMAT,
				       "unexpected text after the name");
	return NULL;
}

/* A regular file only: a FIFO given as a System.map must not block. */
static FILE *open_regular(const char *path, struct zd_error **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct stat st;
	FILE *f;

	if (fd < 0) {
		*err = zd_error_create(ZD_ERR_IO, "%s: %s", path,
				       strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) ||
	    !(f = fdopen(fd, "r"))) {
		close(fd);
		*err = zd_error_create(ZD_ERR_IO, "%s: not a regular file",
				       path);
		return NULL;
	}
	return f;
}

struct zd_error *zd_kallsyms_parse(const char *path, uint64_t offset,
				   struct zd_kallsyms **ret)
{
	struct zd_kallsyms *ks = calloc(1, sizeof(*ks));
	char *line = NULL;
	size_t cap = 0, syms_cap = 0, prev_mlen = 0, lineno = 0;
	uint32_t empty, prev_off = 0;
	bool nonzero = false, have_mod = false;
	struct zd_error *err = NULL;
	ssize_t got;
	FILE *f;

	*ret = NULL;
	if (!ks)
		return &zd_error_nomem;
	if (!(f = open_regular(path, &err)))
		goto out;
	if ((err = arena_add(&ks->str, "", 0, &empty)))
		goto out;
	while ((got = getline(&line, &cap, f)) >= 0) {
		struct ks_sym *s;
		uint64_t addr = 0;
		char type = 0, *name = NULL, *mod = NULL;
		size_t nlen = 0, mlen = 0;

		lineno++;
		while (got > 0 &&
		       (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		if (!got)
			continue;
		if ((err = parse_line(line, &addr, &type, &name, &nlen, &mod,
				      &mlen))) {
			err = zd_error_wrap(
				err,
				"%s:%zu: not an \"ADDRESS TYPE NAME [module]\" line",
				path, lineno);
			goto out;
		}
		if (ks->n == KS_MAX_SYMS) {
			err = zd_error_create(ZD_ERR_INVALID,
					      "%s: more than %u symbols", path,
					      KS_MAX_SYMS);
			goto out;
		}
		if (ks->n == syms_cap) {
			size_t nc = syms_cap ? 2 * syms_cap : 4096;
			struct ks_sym *ns = realloc(ks->syms, nc * sizeof(*ns));

			if (!ns) {
				err = &zd_error_nomem;
				goto out;
			}
			ks->syms = ns;
			syms_cap = nc;
		}
		s = &ks->syms[ks->n];
		*s = (struct ks_sym){ .addr = addr,
				      .index = (uint32_t)ks->n,
				      .type = type };
		nonzero |= addr != 0;
		if ((err = arena_add(&ks->str, name, nlen, &s->name)))
			goto out;
		if (mod) {
			/* A module's symbols come together: store it once. */
			if (!have_mod || prev_mlen != mlen ||
			    memcmp(ks->str.p + prev_off, mod, mlen)) {
				if ((err = arena_add(&ks->str, mod, mlen,
						     &prev_off)))
					goto out;
				have_mod = true;
				prev_mlen = mlen;
			}
			s->module = prev_off;
		}
		ks->n++;
	}
	if (ferror(f)) {
		err = zd_error_create(ZD_ERR_IO, "%s: read error", path);
		goto out;
	}
	if (!ks->n) {
		err = zd_error_create(ZD_ERR_FORMAT, "%s: no symbols", path);
		goto out;
	}
	if (!nonzero) {
		err = zd_error_create(
			ZD_ERR_INVALID,
			"%s: addresses hidden (all %zu are 0: kernel.kptr_restrict; read it as root with kptr_restrict 0 or 1, or decode kallsyms from memory)",
			path, ks->n);
		goto out;
	}
	/*
	 * KASLR moves the kernel image; x86_64's per-CPU offsets and other
	 * absolute values (below the kernel half) stay where they are.
	 */
	if (offset)
		for (size_t i = 0; i < ks->n; i++)
			if (ks->syms[i].addr >> 63)
				ks->syms[i].addr += offset;
	qsort(ks->syms, ks->n, sizeof(*ks->syms), sym_cmp);
	if (offset)
		snprintf(ks->encoding, sizeof(ks->encoding),
			 "text, KERNELOFFSET 0x%llx added",
			 (unsigned long long)offset);
	else
		snprintf(ks->encoding, sizeof(ks->encoding), "text");
	if ((err = index_syms(ks)))
		goto out;
	*ret = ks;
	ks = NULL;
out:
	if (f)
		fclose(f);
	free(line);
	zd_kallsyms_free(ks);
	return err;
}

/* Queries */

struct zd_error *zd_kallsyms_lookup(const struct zd_kallsyms *ks,
				    const char *name, uint64_t *addr,
				    uint64_t *size)
{
	for (size_t h = (size_t)name_hash(name) & ks->hmask; ks->hash[h];
	     h = (h + 1) & ks->hmask) {
		const struct ks_sym *s = &ks->syms[ks->hash[h] - 1];

		if (!strcmp(ks->str.p + s->name, name)) {
			*addr = s->addr;
			if (size)
				*size = s->size;
			return NULL;
		}
	}
	return zd_error_create(ZD_ERR_NOTFOUND, "symbol %s not in kallsyms",
			       name);
}

/* The first of the symbols at the greatest address <= addr, or NULL. */
static const struct ks_sym *containing(const struct zd_kallsyms *ks,
				       uint64_t addr)
{
	size_t lo = 0, hi = ks->n;
	const struct ks_sym *s;
	uint64_t at;

	while (lo < hi) { /* first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	at = ks->syms[lo - 1].addr;
	hi = lo - 1;
	lo = 0;
	while (lo < hi) { /* first symbol at that address */
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr < at)
			lo = mid + 1;
		else
			hi = mid;
	}
	s = &ks->syms[lo];
	if (s->size ? addr - s->addr >= s->size : addr != s->addr)
		return NULL;
	return s;
}

struct zd_error *zd_kallsyms_symbolize(const struct zd_kallsyms *ks,
				       uint64_t addr, char *name, size_t len,
				       uint64_t *offset)
{
	const struct ks_sym *s = containing(ks, addr);

	if (!s)
		return zd_error_create(ZD_ERR_NOTFOUND,
				       "0x%llx: in no kallsyms symbol",
				       (unsigned long long)addr);
	if (len)
		snprintf(name, len, "%s", ks->str.p + s->name);
	if (offset)
		*offset = addr - s->addr;
	return NULL;
}

const char *zd_kallsyms_module(const struct zd_kallsyms *ks, uint64_t addr)
{
	const struct ks_sym *s = containing(ks, addr);

	return s && s->module ? ks->str.p + s->module : NULL;
}

size_t zd_kallsyms_count(const struct zd_kallsyms *ks)
{
	return ks->n;
}

const char *zd_kallsyms_encoding(const struct zd_kallsyms *ks)
{
	return ks->encoding;
}

void zd_kallsyms_free(struct zd_kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->syms);
	free(ks->str.p);
	free(ks->hash);
	free(ks);
}
