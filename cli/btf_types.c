// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel types from BTF (see btf_types.h).  libbpf owns the parsed copy;
 * the indexes point into its string section and live as long as it does.
 *
 * Every rule here mirrors one of the DWARF lookups behind cli/debuginfo.h
 * (zd_debuginfo_type_size, _member, _enumerator), because the core must
 * get the same number whether the standalone has a vmlinux or not:
 * complete definitions only, anonymous members searched depth first in
 * declaration order, a bitfield at its storage unit, a flexible array of
 * size 0.  Where BTF and DWARF say the same thing differently, the comment
 * at that spot says how they are matched.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/btf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "btf_types.h"

/* Kinds of named types, in the order a bare type name prefers them. */
enum { KIND_STRUCT, KIND_UNION, KIND_TYPEDEF, KIND_ENUM, NR_KINDS };

#define KIND_ANY ((1u << NR_KINDS) - 1)

/*
 * The DWARF lookups' limits, so a pathological layout fails the same
 * way from both.  Real kernels nest anonymous members three deep; the
 * limits only stop corrupt (cyclic) BTF.  A BTF array dimension is one
 * more step of the chain, where DWARF has all dimensions in one DIE; the
 * kernel's arrays have at most four.
 */
#define MAX_ANON_DEPTH 16
#define MAX_PEEL 32

/* A vmlinux's BTF is 4-5 MiB; a file far larger is not one. */
#define MAX_BTF_FILE (256u << 20)

/* The header libbpf 1.1 and the kernel know; later fields must be zero. */
#define BTF_HDR_SIZE ((uint32_t)sizeof(struct btf_header))

/* Name offsets are 31 bits (the kernel's BTF_MAX_NAME_OFFSET). */
#define BTF_MAX_STR_OFF 0x7fffffffu

/* Open addressing at load at most 1/2, so probing always ends. */
struct type_slot {
	const char *name; /* NULL: empty */
	uint32_t hash;
	uint32_t id[NR_KINDS]; /* lowest type id of each kind; 0: none */
};

struct enum_slot {
	const char *name; /* NULL: empty */
	uint32_t hash;
	int64_t value;
};

struct zd_btf {
	struct btf *btf;
	uint32_t nr_ids; /* btf__type_cnt(): ids 0 (void) .. nr_ids - 1 */
	uint64_t ptr_size;
	struct type_slot *types;
	size_t types_mask;
	struct enum_slot *enums;
	size_t enums_mask;
};

static struct zd_error *nomem(void)
{
	return &zd_error_nomem;
}

static uint32_t name_hash(const char *s)
{
	uint32_t h = 0x811c9dc5; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x01000193;
	}
	return h;
}

static struct type_slot *type_slot(const struct zd_btf *b, const char *name,
				   uint32_t h)
{
	size_t i;

	for (i = h & b->types_mask;; i = (i + 1) & b->types_mask) {
		struct type_slot *s = &b->types[i];

		if (!s->name || (s->hash == h && !strcmp(s->name, name)))
			return s;
	}
}

static struct enum_slot *enum_slot(const struct zd_btf *b, const char *name,
				   uint32_t h)
{
	size_t i;

	for (i = h & b->enums_mask;; i = (i + 1) & b->enums_mask) {
		struct enum_slot *s = &b->enums[i];

		if (!s->name || (s->hash == h && !strcmp(s->name, name)))
			return s;
	}
}

/* Slots for n names at load at most 1/2. */
static size_t table_size(size_t n)
{
	size_t want = 16;

	while (want < n * 2)
		want *= 2;
	return want;
}

/*
 * The index kind of a type, or -1 when it is not a complete named-type
 * definition.  BTF spells "enum foo;" as an ENUM without enumerators
 * (libbpf's btf__add_fwd(BTF_FWD_ENUM) does too); C has no empty enum, so
 * that is a declaration, like FWD for a struct or union.
 */
static int index_kind(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_STRUCT:
		return KIND_STRUCT;
	case BTF_KIND_UNION:
		return KIND_UNION;
	case BTF_KIND_TYPEDEF:
		return KIND_TYPEDEF;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return btf_vlen(t) ? KIND_ENUM : -1;
	}
	return -1;
}

static const char *kind_word(int kind)
{
	static const char *const words[NR_KINDS] = {
		[KIND_STRUCT] = "struct ",
		[KIND_UNION] = "union ",
		[KIND_TYPEDEF] = "",
		[KIND_ENUM] = "enum ",
	};

	return kind >= 0 && kind < NR_KINDS ? words[kind] : "";
}

/*
 * Value of an enumerator.  ENUM stores 32 bits; since pahole 1.24 (with
 * ENUM64, kernel 6.0) kflag says the enum is signed, and an enum without
 * it is unsigned, as DWARF's underlying type says.  Older pahole left
 * kflag clear on every enum: there a negative enumerator reads as its
 * 32-bit two's complement, which no value zdref asks for is.
 */
static int64_t enum_value(const struct btf_type *t, uint16_t i)
{
	if (btf_is_enum64(t))
		return (int64_t)btf_enum64_value(btf_enum64(t) + i);
	if (btf_kflag(t))
		return (int64_t)(int32_t)btf_enum(t)[i].val;
	return (int64_t)(uint32_t)btf_enum(t)[i].val;
}

static struct zd_error *bad_ref(const struct zd_btf *b, uint32_t id,
				uint32_t ref)
{
	return zd_error_create(
		ZD_ERR_FORMAT,
		"BTF: type [%u] refers to type %u, past the last (%u)", id, ref,
		b->nr_ids - 1);
}

static struct zd_error *bad_name(uint32_t id)
{
	return zd_error_create(
		ZD_ERR_FORMAT,
		"BTF: type [%u] has a name offset outside the string section",
		id);
}

/*
 * The references a lookup follows (the type of a typedef, qualifier,
 * pointer, array element, member) and every name, checked once here so a
 * lookup never meets a dangling id: libbpf 1.1 checks only that each
 * type's record fits in the type section.
 */
static struct zd_error *check_type(const struct zd_btf *b, uint32_t id,
				   const struct btf_type *t)
{
	const struct btf_member *m;
	uint16_t i, n = btf_vlen(t);

	if (!btf__name_by_offset(b->btf, t->name_off))
		return bad_name(id);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR:
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		if (t->type >= b->nr_ids)
			return bad_ref(b, id, t->type);
		break;
	case BTF_KIND_ARRAY:
		if (btf_array(t)->type >= b->nr_ids)
			return bad_ref(b, id, btf_array(t)->type);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		for (i = 0, m = btf_members(t); i < n; i++, m++) {
			if (!btf__name_by_offset(b->btf, m->name_off))
				return bad_name(id);
			if (m->type >= b->nr_ids)
				return bad_ref(b, id, m->type);
		}
		break;
	case BTF_KIND_ENUM:
		for (i = 0; i < n; i++)
			if (!btf__name_by_offset(b->btf,
						 btf_enum(t)[i].name_off))
				return bad_name(id);
		break;
	case BTF_KIND_ENUM64:
		for (i = 0; i < n; i++)
			if (!btf__name_by_offset(b->btf,
						 btf_enum64(t)[i].name_off))
				return bad_name(id);
		break;
	}
	return NULL;
}

/*
 * Index every named complete definition and every enumerator; the lowest
 * type id wins.  DWARF's first compilation unit wins there, and pahole
 * encodes units in parallel, so for a name two files define differently
 * (a static struct, an anonymous enum's enumerator) the two may pick
 * different definitions; the core asks only for names the kernel defines
 * once.  BTF also has types defined inside functions, which the DWARF
 * index (top-level DIEs only) does not see.  Two passes: count, then fill
 * tables that never grow.
 */
static struct zd_error *build_index(struct zd_btf *b)
{
	size_t ntypes = 0, nenums = 0;
	struct zd_error *err;
	uint32_t id;

	for (id = 1; id < b->nr_ids; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);

		if (!t)
			return bad_ref(b, 0, id);
		err = check_type(b, id, t);
		if (err)
			return err;
		if (index_kind(t) >= 0 && t->name_off)
			ntypes++;
		if (btf_is_any_enum(t))
			nenums += btf_vlen(t);
	}
	b->types_mask = table_size(ntypes) - 1;
	b->types = calloc(b->types_mask + 1, sizeof(*b->types));
	b->enums_mask = table_size(nenums) - 1;
	b->enums = calloc(b->enums_mask + 1, sizeof(*b->enums));
	if (!b->types || !b->enums)
		return nomem();
	for (id = 1; id < b->nr_ids; id++) {
		const struct btf_type *t = btf__type_by_id(b->btf, id);
		int kind = index_kind(t);
		const char *name;
		uint16_t i, n;

		name = btf__name_by_offset(b->btf, t->name_off);
		if (kind >= 0 && *name) {
			uint32_t h = name_hash(name);
			struct type_slot *s = type_slot(b, name, h);

			if (!s->name) {
				s->name = name;
				s->hash = h;
			}
			if (!s->id[kind])
				s->id[kind] = id;
		}
		if (!btf_is_any_enum(t))
			continue;
		for (i = 0, n = btf_vlen(t); i < n; i++) {
			uint32_t off = btf_is_enum64(t) ?
					       btf_enum64(t)[i].name_off :
					       btf_enum(t)[i].name_off;
			const char *e = btf__name_by_offset(b->btf, off);
			struct enum_slot *s;
			uint32_t h;

			if (!*e)
				continue;
			h = name_hash(e);
			s = enum_slot(b, e, h);
			if (s->name)
				continue;
			s->name = e;
			s->hash = h;
			s->value = enum_value(t, i);
		}
	}
	return NULL;
}

/* ---- loading ----------------------------------------------------------- */

/*
 * What libbpf 1.1 checks, and what it does not (hdr_len below the header,
 * flags, header bytes past the fields it knows), said here with the field
 * that is wrong, so a bad slice of a dump reads as such and libbpf only
 * ever walks sections that lie inside the buffer.
 */
static struct zd_error *check_header(const void *data, size_t len)
{
	const unsigned char *p = data;
	struct btf_header h;
	uint64_t room;
	uint32_t i;

	if (!data || len < BTF_HDR_SIZE)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"BTF: truncated: %zu bytes, the header alone is %u",
			data ? len : 0, BTF_HDR_SIZE);
	if (len > UINT32_MAX)
		return zd_error_create(ZD_ERR_FORMAT,
				       "BTF: %zu bytes: larger than BTF can be",
				       len);
	/* The caller's bytes need not be aligned. */
	memcpy(&h, data, sizeof(h));
	if (h.magic != BTF_MAGIC) {
		if (h.magic == __builtin_bswap16(BTF_MAGIC))
			return zd_error_create(
				ZD_ERR_FORMAT,
				"BTF: magic 0x%04x: byte-swapped (a big-endian kernel's), not supported",
				h.magic);
		return zd_error_create(ZD_ERR_FORMAT,
				       "BTF: bad magic 0x%04x (want 0x%04x)",
				       h.magic, BTF_MAGIC);
	}
	if (h.version != BTF_VERSION)
		return zd_error_create(ZD_ERR_FORMAT,
				       "BTF: version %u, only %u is known",
				       h.version, BTF_VERSION);
	/* The kernel refuses any flag, so no real BTF has one. */
	if (h.flags)
		return zd_error_create(ZD_ERR_FORMAT, "BTF: flags 0x%x, want 0",
				       h.flags);
	if (h.hdr_len < BTF_HDR_SIZE || h.hdr_len > len)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"BTF: hdr_len %u: not between %u and the %zu bytes given",
			h.hdr_len, BTF_HDR_SIZE, len);
	/* A longer header may add fields, which only mean something if set. */
	for (i = BTF_HDR_SIZE; i < h.hdr_len; i++)
		if (p[i])
			return zd_error_create(
				ZD_ERR_FORMAT,
				"BTF: hdr_len %u: header byte %u is set, a field this reader does not know",
				h.hdr_len, i);
	room = len - h.hdr_len;
	if (h.type_off % 4)
		return zd_error_create(ZD_ERR_FORMAT,
				       "BTF: type_off %u is not 4-byte aligned",
				       h.type_off);
	if ((uint64_t)h.type_off + h.type_len > room)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"BTF: type section (type_off %u, type_len %u) ends past the %llu bytes after the header",
			h.type_off, h.type_len, (unsigned long long)room);
	if ((uint64_t)h.str_off + h.str_len > room)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"BTF: string section (str_off %u, str_len %u) ends past the %llu bytes after the header",
			h.str_off, h.str_len, (unsigned long long)room);
	/* libbpf's layout: types, then strings. */
	if ((uint64_t)h.type_off + h.type_len > h.str_off)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"BTF: type section (type_off %u, type_len %u) runs into the string section at str_off %u",
			h.type_off, h.type_len, h.str_off);
	if (!h.str_len || h.str_len - 1 > BTF_MAX_STR_OFF)
		return zd_error_create(ZD_ERR_FORMAT, "BTF: str_len %u",
				       h.str_len);
	/* Offset 0 is the empty name, and every string is terminated. */
	if (p[h.hdr_len + h.str_off] ||
	    p[h.hdr_len + h.str_off + h.str_len - 1])
		return zd_error_create(
			ZD_ERR_FORMAT,
			"BTF: string section (str_off %u, str_len %u) does not start and end with NUL",
			h.str_off, h.str_len);
	return NULL;
}

/* libbpf prints its warnings to stderr; a callback must not print. */
static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

struct zd_error *zd_btf_from_bytes(const void *data, size_t len,
				   struct zd_btf **ret)
{
	libbpf_print_fn_t old;
	struct zd_error *err;
	struct zd_btf *b;
	int saved;
	size_t ptr;

	*ret = NULL;
	err = check_header(data, len);
	if (err)
		return err;
	b = calloc(1, sizeof(*b));
	if (!b)
		return nomem();
	old = libbpf_set_print(quiet);
	errno = 0;
	/* libbpf copies the bytes. */
	b->btf = btf__new(data, (uint32_t)len);
	saved = errno;
	libbpf_set_print(old);
	if (!b->btf) {
		err = saved == ENOMEM ?
			      nomem() :
			      zd_error_create(
				      ZD_ERR_FORMAT,
				      "BTF: libbpf cannot parse the type section: %s",
				      strerror(saved ? saved : EINVAL));
		goto fail;
	}
	b->nr_ids = btf__type_cnt(b->btf);
	/*
	 * libbpf guesses from the size of "long"; BTF without one (only a
	 * test's) has the pointers of the x86_64 kernels zdref reads.
	 */
	ptr = btf__pointer_size(b->btf);
	b->ptr_size = ptr ? ptr : 8;
	err = build_index(b);
	if (err)
		goto fail;
	*ret = b;
	return NULL;
fail:
	zd_btf_free(b);
	return err;
}

struct zd_error *zd_btf_from_file(const char *path, struct zd_btf **ret)
{
	static const unsigned char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	struct zd_error *err;
	size_t cap, n = 0;
	unsigned char *buf;
	struct stat st;
	int fd;

	*ret = NULL;
	/* O_NONBLOCK: a FIFO must be refused, not waited on */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return zd_error_create(ZD_ERR_IO, "%s: %s", path,
				       strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)) {
		close(fd);
		return zd_error_create(ZD_ERR_IO, "%s: not a regular file",
				       path);
	}
	/* Read to the end: a sysfs size is a hint, not a promise. */
	cap = st.st_size > 0 && (uint64_t)st.st_size < MAX_BTF_FILE ?
		      (size_t)st.st_size + 1 :
		      (size_t)1 << 20;
	buf = malloc(cap);
	if (!buf) {
		close(fd);
		return nomem();
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			unsigned char *p;

			if (cap >= MAX_BTF_FILE) {
				err = zd_error_create(
					ZD_ERR_FORMAT,
					"%s: larger than %u MiB: not a kernel's BTF",
					path, MAX_BTF_FILE >> 20);
				goto out;
			}
			p = realloc(buf, cap * 2);
			if (!p) {
				err = nomem();
				goto out;
			}
			buf = p;
			cap *= 2;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = zd_error_create(ZD_ERR_IO, "%s: %s", path,
					      strerror(errno));
			goto out;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (n >= sizeof(elf_magic) && !memcmp(buf, elf_magic, 4)) {
		err = zd_error_create(
			ZD_ERR_FORMAT,
			"%s: an ELF file, not raw BTF (objcopy -O binary --only-section=.BTF extracts it)",
			path);
		goto out;
	}
	err = zd_btf_from_bytes(buf, n, ret);
	if (err)
		err = zd_error_wrap(err, "%s", path);
out:
	free(buf);
	close(fd);
	return err;
}

void zd_btf_free(struct zd_btf *b)
{
	if (!b)
		return;
	btf__free(b->btf);
	free(b->types);
	free(b->enums);
	free(b);
}

size_t zd_btf_type_count(const struct zd_btf *b)
{
	return b->nr_ids ? b->nr_ids - 1 : 0;
}

/* ---- lookups ----------------------------------------------------------- */

/* Ids were checked at load; this only keeps a slip from reading garbage. */
static struct zd_error *type_at(const struct zd_btf *b, uint32_t id,
				const struct btf_type **t)
{
	*t = id < b->nr_ids ? btf__type_by_id(b->btf, id) : NULL;
	if (!*t)
		return bad_ref(b, 0, id);
	return NULL;
}

/* Type id of a name, of the first kind in mask that has one. */
static struct zd_error *find_type(const struct zd_btf *b, const char *name,
				  unsigned int mask, uint32_t *id, int *kindp)
{
	const struct type_slot *s = type_slot(b, name, name_hash(name));
	int kind;

	for (kind = 0; s->name && kind < NR_KINDS; kind++) {
		if (!(mask & (1u << kind)) || !s->id[kind])
			continue;
		*id = s->id[kind];
		if (kindp)
			*kindp = kind;
		return NULL;
	}
	return zd_error_create(ZD_ERR_NOTFOUND, "BTF: no type '%s'", name);
}

/* Typedefs and qualifiers: what the DWARF resolve() peels. */
static bool is_peeled(const struct btf_type *t)
{
	switch (btf_kind(t)) {
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		return true;
	}
	return false;
}

/* A name from the BTF fit to quote in a one-line message. */
static bool quotable(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (i >= 128 || !((s[i] >= 'a' && s[i] <= 'z') ||
				  (s[i] >= 'A' && s[i] <= 'Z') ||
				  (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return i > 0;
}

/*
 * Strip typedefs and qualifiers, and swap a declaration (FWD, or an enum
 * without enumerators) for the complete definition of the same name, as
 * DWARF's resolve() does.  *steps bounds the whole chain of the caller.
 */
static struct zd_error *resolve(const struct zd_btf *b, uint32_t *id,
				const struct btf_type **tp, const char *what,
				int *steps)
{
	const struct btf_type *t;
	struct zd_error *err;

	for (; *steps < MAX_PEEL; ++*steps) {
		const char *name;
		int kind;

		err = type_at(b, *id, &t);
		if (err)
			return err;
		if (is_peeled(t)) {
			if (!t->type)
				return zd_error_create(ZD_ERR_NOTFOUND,
						       "BTF: type '%s' is void",
						       what);
			*id = t->type;
			continue;
		}
		if (btf_is_fwd(t))
			kind = btf_kflag(t) ? KIND_UNION : KIND_STRUCT;
		else if (btf_is_any_enum(t) && !btf_vlen(t))
			kind = KIND_ENUM;
		else {
			*tp = t;
			return NULL;
		}
		name = btf__name_by_offset(b->btf, t->name_off);
		if (!*name)
			return zd_error_create(
				ZD_ERR_INVALID,
				"BTF: type '%s' is an anonymous declaration",
				what);
		err = find_type(b, name, 1u << kind, id, NULL);
		if (err) {
			zd_error_destroy(err);
			if (!quotable(name))
				return zd_error_create(
					ZD_ERR_NOTFOUND,
					"BTF: resolving '%s': declaration [%u] has no definition",
					what, *id);
			return zd_error_create(ZD_ERR_NOTFOUND,
					       "BTF: resolving '%s': no %s'%s'",
					       what, kind_word(kind), name);
		}
	}
	return zd_error_create(ZD_ERR_FORMAT,
			       "BTF: type '%s': typedef chain too long", what);
}

/*
 * Size of a type: dwarf_aggregate_size() after resolve(), where an array
 * is its dimensions times its element and one without elements (a
 * flexible array, or [0]) is 0.
 */
static struct zd_error *size_of(const struct zd_btf *b, uint32_t id,
				const char *what, uint64_t *size)
{
	const struct btf_type *t;
	struct zd_error *err;
	uint64_t mult = 1, sz;
	int steps = 0;

	for (;;) {
		err = resolve(b, &id, &t, what, &steps);
		if (err)
			return err;
		if (!btf_is_array(t))
			break;
		if (!btf_array(t)->nelems) {
			*size = 0;
			return NULL;
		}
		if (mult > UINT64_MAX / btf_array(t)->nelems)
			goto too_large;
		mult *= btf_array(t)->nelems;
		id = btf_array(t)->type;
		if (++steps >= MAX_PEEL)
			return zd_error_create(
				ZD_ERR_FORMAT,
				"BTF: type '%s': typedef chain too long", what);
	}
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_FLOAT:
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		sz = t->size;
		break;
	case BTF_KIND_PTR:
		sz = b->ptr_size;
		break;
	case BTF_KIND_UNKN:
		/* void: only an array element or a member type gets here */
		return zd_error_create(ZD_ERR_NOTFOUND,
				       "BTF: type '%s' is void", what);
	default:
		/* functions, variables, sections */
		return zd_error_create(
			ZD_ERR_INVALID,
			"BTF: type '%s' has no size (BTF kind %u)", what,
			btf_kind(t));
	}
	if (sz && mult > UINT64_MAX / sz)
		goto too_large;
	*size = sz * mult;
	return NULL;
too_large:
	return zd_error_create(ZD_ERR_INVALID,
			       "BTF: type '%s' is larger than 2^64 bytes",
			       what);
}

struct zd_error *zd_btf_type_size(struct zd_btf *b, const char *type,
				  uint64_t *size)
{
	struct zd_error *err;
	uint32_t id;

	err = find_type(b, type, KIND_ANY, &id, NULL);
	if (err)
		return err;
	return size_of(b, id, type, size);
}

/*
 * Byte offset of member i from its aggregate.  A bitfield is placed at its
 * storage unit, the declared type's size, rounded down: the DWARF
 * member_location() does that with DW_AT_data_bit_offset.  BTF says
 * "bitfield" in one of two ways: kflag with the width in the offset's top
 * byte (what pahole writes), or, before kflag, an INT whose bit width or
 * bit offset is not the whole int.
 */
static uint64_t member_offset(const struct zd_btf *b, const struct btf_type *t,
			      uint16_t i)
{
	const struct btf_member *m = btf_members(t) + i;
	uint32_t bits, width;
	uint64_t unit;
	struct zd_error *err;

	if (btf_kflag(t)) {
		bits = BTF_MEMBER_BIT_OFFSET(m->offset);
		width = BTF_MEMBER_BITFIELD_SIZE(m->offset);
	} else {
		const struct btf_type *mt;

		bits = m->offset;
		width = 0;
		if (!type_at(b, m->type, &mt) && btf_is_int(mt) &&
		    (btf_int_offset(mt) || btf_int_bits(mt) != mt->size * 8)) {
			bits += btf_int_offset(mt);
			width = btf_int_bits(mt);
		}
	}
	if (!width)
		return bits / 8;
	err = size_of(b, m->type, "bitfield", &unit);
	if (err || !unit || unit > 16)
		unit = 1;
	zd_error_destroy(err);
	return bits / 8 / unit * unit;
}

/* Peel an anonymous member's type down to a struct or union, or NULL. */
static const struct btf_type *anon_aggregate(const struct zd_btf *b,
					     uint32_t id)
{
	const struct btf_type *t;
	int i;

	/* Defined in place: no declaration to resolve, as in DWARF. */
	for (i = 0; i < MAX_PEEL; i++) {
		if (type_at(b, id, &t))
			return NULL;
		if (!is_peeled(t))
			return btf_is_composite(t) ? t : NULL;
		id = t->type;
	}
	return NULL;
}

/*
 * Depth first, in declaration order, through anonymous members.  Returns
 * 1 with *off and *type set, 0 when absent, -1 with *err set.
 */
/*
 * Anonymous members visited per lookup at most: a crafted BTF can share
 * one anonymous type between many members at every level, a DAG whose
 * paths number vlen^depth (found by tests/fuzz fuzz_btf).  Real kernels
 * visit a few dozen.
 */
#define MAX_ANON_VISITS 4096

static int find_member(const struct zd_btf *b, const struct btf_type *agg,
		       const char *what, const char *member, uint64_t base,
		       int depth, uint64_t *off, uint32_t *type,
		       struct zd_error **err, unsigned int *visits)
{
	const struct btf_member *m = btf_members(agg);
	uint16_t i, n = btf_vlen(agg);

	if (++*visits > MAX_ANON_VISITS) {
		*err = zd_error_create(
			ZD_ERR_FORMAT,
			"BTF: '%s': more than %d anonymous members to search",
			what, MAX_ANON_VISITS);
		return -1;
	}
	if (depth > MAX_ANON_DEPTH) {
		*err = zd_error_create(
			ZD_ERR_FORMAT,
			"BTF: '%s': anonymous members nested too deep", what);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const char *name = btf__name_by_offset(b->btf, m[i].name_off);
		const struct btf_type *sub;
		int r;

		if (*name && strcmp(name, member))
			continue;
		if (*name) {
			*off = base + member_offset(b, agg, i);
			*type = m[i].type;
			return 1;
		}
		sub = anon_aggregate(b, m[i].type);
		if (!sub)
			continue;
		r = find_member(b, sub, what, member,
				base + member_offset(b, agg, i), depth + 1, off,
				type, err, visits);
		if (r)
			return r;
	}
	return 0;
}

struct zd_error *zd_btf_member(struct zd_btf *b, const char *type,
			       const char *member, uint64_t *offset,
			       uint64_t *size)
{
	const struct btf_type *t;
	struct zd_error *err;
	char what[160];
	uint32_t id, mtype;
	unsigned int visits = 0;
	int steps = 0, r;

	err = find_type(b, type, KIND_ANY, &id, NULL);
	if (err)
		return err;
	err = resolve(b, &id, &t, type, &steps);
	if (err)
		return err;
	if (!btf_is_composite(t))
		return zd_error_create(
			ZD_ERR_NOTFOUND,
			"BTF: type '%s' is not a struct or union", type);
	snprintf(what, sizeof(what), "%s%s",
		 kind_word(btf_is_struct(t) ? KIND_STRUCT : KIND_UNION), type);
	r = find_member(b, t, what, member, 0, 0, offset, &mtype, &err,
			&visits);
	if (r < 0)
		return err;
	if (!r)
		return zd_error_create(ZD_ERR_NOTFOUND,
				       "BTF: %s has no member '%s'", what,
				       member);
	if (!size)
		return NULL;
	if (!mtype)
		return zd_error_create(ZD_ERR_FORMAT, "BTF: %s.%s has no type",
				       what, member);
	snprintf(what, sizeof(what), "%s.%s", type, member);
	return size_of(b, mtype, what, size);
}

struct zd_error *zd_btf_enumerator(struct zd_btf *b, const char *name,
				   int64_t *value)
{
	const struct enum_slot *s = enum_slot(b, name, name_hash(name));

	if (!s->name)
		return zd_error_create(ZD_ERR_NOTFOUND,
				       "BTF: no enumerator '%s'", name);
	*value = s->value;
	return NULL;
}
