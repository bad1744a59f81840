// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmlinux symbols and types (see debuginfo.h).  The file is mapped, not
 * read: symbol names and DWARF names are pointers into libelf's mapping and
 * stay valid until close, so the indexes never copy a string.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debuginfo.h"

/* Kinds of top-level names, in the order a bare type name prefers them. */
enum { KIND_STRUCT, KIND_UNION, KIND_TYPEDEF, KIND_ENUM, NR_KINDS };

#define KIND_ANY ((1u << NR_KINDS) - 1)

/*
 * Nesting limits.  Real kernels nest anonymous members three deep and
 * qualifier chains two or three deep; the limits only stop corrupt
 * (cyclic) DWARF.
 */
#define MAX_ANON_DEPTH 16
#define MAX_PEEL 32

/*
 * Open addressing, load at most 1/2, so probing always ends.  Slots hold no
 * name, only the item it belongs to: the symbol hash stays 2 MB for the
 * 117k symbols of a distribution kernel (fresh pages are what it costs).
 */
struct name_slot {
	uint32_t hash;
	uint32_t item; /* item + 1; 0: empty */
};

struct zd_debuginfo;

struct name_index {
	struct name_slot *slots;
	size_t mask;
	size_t used;
	const char *(*name_of)(const struct zd_debuginfo *di, uint32_t item);
};

/* The DIE offsets of one name, per kind; 0 (a unit header) means none. */
struct type_ent {
	const char *name;
	Dwarf_Off off[NR_KINDS];
	/* Of the enum indexed, to skip its repeats in later units. */
	const char *first_enumerator;
};

struct enum_ent {
	const char *name;
	Dwarf_Off enumeration;
};

/* A function or object symbol, for symbolize. */
struct addr_ent {
	uint64_t value;
	uint32_t ndx; /* in .symtab */
	uint32_t local;
};

struct zd_debuginfo {
	char *path;
	int fd;
	Elf *elf;
	Dwarf *dwarf;
	char *build_id;

	Elf_Scn *symtab;
	bool has_debug_info;
	Elf_Data *symdata; /* lazily, with sym_index */
	size_t nr_symtab; /* entries in symdata */
	size_t sym_strndx;
	struct name_index sym_index; /* name -> .symtab index */
	struct addr_ent *by_addr; /* lazily, sorted by value */
	size_t nr_by_addr;

	struct name_index type_index; /* name -> types[] */
	struct type_ent *types;
	size_t nr_types, cap_types;
	struct name_index enum_index; /* enumerator -> enums[] */
	struct enum_ent *enums;
	size_t nr_enums, cap_enums;
	Dwarf_CU *scan_cu; /* last unit scanned, or NULL */
	Dwarf_Off scan_off; /* its DIE offset, to catch loops */
	size_t units_scanned;
	bool scan_done;
	const char *scan_errmsg; /* set when the scan hit bad DWARF */
};

static uint32_t name_hash(const char *s)
{
	uint32_t h = 0x811c9dc5; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x01000193;
	}
	return h;
}

static struct name_slot *nidx_slot(const struct zd_debuginfo *di,
				   const struct name_index *ni,
				   const char *name, uint32_t h)
{
	size_t i;

	for (i = h & ni->mask;; i = (i + 1) & ni->mask) {
		struct name_slot *s = &ni->slots[i];
		const char *n;

		if (!s->item)
			return s;
		if (s->hash != h)
			continue;
		n = ni->name_of(di, s->item - 1);
		if (n && !strcmp(n, name))
			return s;
	}
}

static bool nidx_get(const struct zd_debuginfo *di, const struct name_index *ni,
		     const char *name, uint32_t *item)
{
	struct name_slot *s;

	if (!ni->slots)
		return false;
	s = nidx_slot(di, ni, name, name_hash(name));
	if (!s->item)
		return false;
	*item = s->item - 1;
	return true;
}

/* Make room for n more names without growing again. */
static int nidx_reserve(struct name_index *ni, size_t n)
{
	size_t cap = ni->slots ? ni->mask + 1 : 0, want = 1024, i;
	struct name_slot *slots;

	if ((ni->used + n) * 2 <= cap)
		return 0;
	while (want < (ni->used + n) * 2)
		want *= 2;
	slots = calloc(want, sizeof(*slots));
	if (!slots)
		return -1;
	/* Rehash by the stored hashes: no names needed. */
	for (i = 0; i < cap; i++) {
		struct name_slot *s = &ni->slots[i];
		size_t j;

		if (!s->item)
			continue;
		for (j = s->hash & (want - 1); slots[j].item;
		     j = (j + 1) & (want - 1))
			;
		slots[j] = *s;
	}
	free(ni->slots);
	ni->slots = slots;
	ni->mask = want - 1;
	return 0;
}

/*
 * The slot for name; if it was empty, *added is set and the caller must
 * fill in item.  NULL when out of memory.
 */
static struct name_slot *nidx_add(const struct zd_debuginfo *di,
				  struct name_index *ni, const char *name,
				  bool *added)
{
	uint32_t h = name_hash(name);
	struct name_slot *s;

	if (nidx_reserve(ni, 1))
		return NULL;
	s = nidx_slot(di, ni, name, h);
	*added = !s->item;
	if (*added) {
		s->hash = h;
		ni->used++;
	}
	return s;
}

static void nidx_free(struct name_index *ni)
{
	free(ni->slots);
	ni->slots = NULL;
}

/* Room for one more element in a growing array. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 1024;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, want * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = want;
	return 0;
}

static const char *type_name(const struct zd_debuginfo *di, uint32_t item)
{
	return di->types[item].name;
}

static const char *enum_name(const struct zd_debuginfo *di, uint32_t item)
{
	return di->enums[item].name;
}

static struct zd_error *nomem(void)
{
	return &zd_error_nomem;
}

static struct zd_error *elf_err(const char *path, const char *what)
{
	return zd_error_create(ZD_ERR_FORMAT, "vmlinux %s: %s: %s", path, what,
			       elf_errmsg(-1));
}

/* ---- opening ----------------------------------------------------------- */

static struct zd_error *read_build_id(struct zd_debuginfo *di)
{
	static const char hex[] = "0123456789abcdef";
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(di->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, next, name_off, desc_off, i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			return elf_err(di->path, "reading notes");
		/* gelf_getnote() checks every note against d_size. */
		while (off < data->d_size &&
		       (next = gelf_getnote(data, off, &nh, &name_off,
					    &desc_off)) > off) {
			const unsigned char *desc =
				(const unsigned char *)data->d_buf + desc_off;

			off = next;
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) ||
			    !nh.n_descsz || nh.n_descsz > 64)
				continue;
			di->build_id = malloc(nh.n_descsz * 2 + 1);
			if (!di->build_id)
				return nomem();
			for (i = 0; i < nh.n_descsz; i++) {
				di->build_id[2 * i] = hex[desc[i] >> 4];
				di->build_id[2 * i + 1] = hex[desc[i] & 15];
			}
			di->build_id[2 * i] = '\0';
			return NULL;
		}
	}
	return NULL;
}

static struct zd_error *truncated(struct zd_debuginfo *di, const char *what,
				  uint64_t end, uint64_t fsize)
{
	return zd_error_create(
		ZD_ERR_FORMAT,
		"vmlinux %s: truncated: %s ends at %llu, file has %llu bytes",
		di->path, what, (unsigned long long)end,
		(unsigned long long)fsize);
}

/*
 * libelf does not reject a truncated file up front: it just sees fewer
 * sections, and the result would read as "no DWARF".
 */
static struct zd_error *check_elf(struct zd_debuginfo *di, uint64_t fsize)
{
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	size_t shstrndx, shnum;
	uint64_t end;

	if (elf_kind(di->elf) != ELF_K_ELF)
		return zd_error_create(ZD_ERR_FORMAT, "%s: not an ELF file",
				       di->path);
	if (!gelf_getehdr(di->elf, &eh))
		return elf_err(di->path, "reading ELF header");
	if (eh.e_type == ET_CORE)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: an ELF core file (a dump?), not a vmlinux",
			di->path);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return zd_error_create(ZD_ERR_FORMAT,
				       "%s: not a vmlinux (ELF type %u)",
				       di->path, (unsigned int)eh.e_type);
	if (elf_getshdrnum(di->elf, &shnum))
		return elf_err(di->path, "reading section headers");
	end = eh.e_shoff + (uint64_t)shnum * eh.e_shentsize;
	if (eh.e_shoff > fsize || end > fsize || end < eh.e_shoff)
		return truncated(di, "section header table", end, fsize);
	if (elf_getshdrstrndx(di->elf, &shstrndx))
		return elf_err(di->path, "reading section headers");
	/* Also makes libelf check the section headers lie inside the file. */
	while ((scn = elf_nextscn(di->elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return elf_err(di->path, "reading section headers");
		name = elf_strptr(di->elf, shstrndx, sh.sh_name);
		end = sh.sh_offset + sh.sh_size;
		if (sh.sh_type != SHT_NOBITS &&
		    (end > fsize || end < sh.sh_offset))
			return truncated(di, name ? name : "a section", end,
					 fsize);
		if (sh.sh_type == SHT_SYMTAB && !di->symtab)
			di->symtab = scn;
		/* To tell "stripped" from "corrupt" when libdw refuses. */
		if (name && (!strcmp(name, ".debug_info") ||
			     !strcmp(name, ".zdebug_info")))
			di->has_debug_info = true;
	}
	if (elf_errno())
		return elf_err(di->path, "reading section headers");
	return NULL;
}

struct zd_error *zd_debuginfo_open(const char *path, struct zd_debuginfo **ret)
{
	struct zd_debuginfo *di;
	struct zd_error *err;
	struct stat st;

	*ret = NULL;
	di = calloc(1, sizeof(*di));
	if (!di)
		return nomem();
	di->fd = -1;
	di->type_index.name_of = type_name;
	di->enum_index.name_of = enum_name;
	di->path = strdup(path);
	if (!di->path) {
		err = nomem();
		goto fail;
	}
	di->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (di->fd < 0) {
		err = zd_error_create(ZD_ERR_IO, "%s: %s", path,
				      strerror(errno));
		goto fail;
	}
	if (fstat(di->fd, &st) || !S_ISREG(st.st_mode)) {
		err = zd_error_create(ZD_ERR_IO, "%s: not a regular file",
				      path);
		goto fail;
	}
	elf_version(EV_CURRENT);
	di->elf = elf_begin(di->fd, ELF_C_READ_MMAP, NULL);
	if (!di->elf) {
		/* A truncated or mangled header: libelf refuses the file. */
		err = zd_error_create(ZD_ERR_FORMAT,
				      "%s: not a valid ELF file: %s", path,
				      elf_errmsg(-1));
		goto fail;
	}
	err = check_elf(di, (uint64_t)st.st_size);
	if (err)
		goto fail;
	/* Checks for .debug_info; the units themselves are read lazily. */
	di->dwarf = dwarf_begin_elf(di->elf, DWARF_C_READ, NULL);
	if (!di->dwarf) {
		if (!di->has_debug_info)
			err = zd_error_create(
				ZD_ERR_FORMAT,
				"vmlinux %s: no DWARF (stripped? the -dbg package has the full vmlinux)",
				path);
		else
			err = zd_error_create(ZD_ERR_FORMAT,
					      "vmlinux %s: bad DWARF: %s", path,
					      dwarf_errmsg(-1));
		goto fail;
	}
	if (!di->symtab) {
		err = zd_error_create(ZD_ERR_FORMAT,
				      "vmlinux %s: no symbol table (.symtab)",
				      path);
		goto fail;
	}
	err = read_build_id(di);
	if (err)
		goto fail;
	*ret = di;
	return NULL;
fail:
	zd_debuginfo_close(di);
	return err;
}

void zd_debuginfo_close(struct zd_debuginfo *di)
{
	if (!di)
		return;
	nidx_free(&di->type_index);
	nidx_free(&di->enum_index);
	nidx_free(&di->sym_index);
	free(di->types);
	free(di->enums);
	free(di->by_addr);
	if (di->dwarf)
		dwarf_end(di->dwarf);
	if (di->elf)
		elf_end(di->elf);
	if (di->fd >= 0)
		close(di->fd);
	free(di->build_id);
	free(di->path);
	free(di);
}

const char *zd_debuginfo_build_id(const struct zd_debuginfo *di)
{
	return di->build_id;
}

/* ---- ELF symbols ------------------------------------------------------- */

static const char *sym_name(const struct zd_debuginfo *di, uint32_t ndx)
{
	GElf_Sym es;

	if (!gelf_getsym(di->symdata, (int)ndx, &es))
		return NULL;
	return elf_strptr(di->elf, di->sym_strndx, es.st_name);
}

static struct zd_error *load_symbols(struct zd_debuginfo *di)
{
	Elf_Data *data;
	GElf_Shdr sh;
	size_t n, i, entsize;

	if (di->symdata)
		return NULL;
	if (!gelf_getshdr(di->symtab, &sh))
		return elf_err(di->path, "reading .symtab header");
	data = elf_getdata(di->symtab, NULL);
	entsize = gelf_fsize(di->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!data || !entsize)
		return elf_err(di->path, "reading .symtab");
	/* Count from the data libelf really has, never from sh_size. */
	n = data->d_size / entsize;
	if (n > INT32_MAX)
		return zd_error_create(ZD_ERR_FORMAT,
				       "vmlinux %s: .symtab too large",
				       di->path);
	di->sym_index.name_of = sym_name;
	if (nidx_reserve(&di->sym_index, n))
		return nomem();
	di->symdata = data;
	di->nr_symtab = n;
	di->sym_strndx = sh.sh_link;
	for (i = 0; i < n; i++) {
		struct name_slot *slot;
		GElf_Sym es, old;
		const char *name;
		bool added;

		if (!gelf_getsym(data, (int)i, &es))
			goto bad;
		if (es.st_shndx == SHN_UNDEF ||
		    GELF_ST_TYPE(es.st_info) == STT_FILE ||
		    GELF_ST_TYPE(es.st_info) == STT_SECTION)
			continue;
		name = elf_strptr(di->elf, sh.sh_link, es.st_name);
		if (!name || !*name)
			continue;
		slot = nidx_add(di, &di->sym_index, name, &added);
		if (!slot)
			goto nomem;
		/* A global name (the kernel's API) beats a local alias. */
		if (added || (GELF_ST_BIND(es.st_info) != STB_LOCAL &&
			      gelf_getsym(data, (int)slot->item - 1, &old) &&
			      GELF_ST_BIND(old.st_info) == STB_LOCAL))
			slot->item = (uint32_t)i + 1;
	}
	return NULL;
bad:
	nidx_free(&di->sym_index);
	di->sym_index.used = 0;
	di->symdata = NULL;
	return elf_err(di->path, "reading .symtab");
nomem:
	nidx_free(&di->sym_index);
	di->sym_index.used = 0;
	di->symdata = NULL;
	return nomem();
}

struct zd_error *zd_debuginfo_symbol(struct zd_debuginfo *di, const char *name,
				     uint64_t *value, uint64_t *size)
{
	struct zd_error *err = load_symbols(di);
	uint32_t ndx;
	GElf_Sym es;

	if (err)
		return err;
	if (!nidx_get(di, &di->sym_index, name, &ndx))
		return zd_error_create(ZD_ERR_NOTFOUND,
				       "vmlinux %s: no symbol '%s'", di->path,
				       name);
	if (!gelf_getsym(di->symdata, (int)ndx, &es))
		return elf_err(di->path, "reading .symtab");
	*value = es.st_value;
	if (size)
		*size = es.st_size;
	return NULL;
}

static int cmp_addr_ent(const void *a, const void *b)
{
	const struct addr_ent *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	/* At one address a global name beats a local alias. */
	if (x->local != y->local)
		return x->local < y->local ? -1 : 1;
	return x->ndx < y->ndx ? -1 : x->ndx > y->ndx;
}

static struct zd_error *load_by_addr(struct zd_debuginfo *di)
{
	struct zd_error *err;
	size_t i, n, cap;

	if (di->by_addr)
		return NULL;
	err = load_symbols(di);
	if (err)
		return err;
	cap = di->sym_index.used ? di->sym_index.used : 1;
	/* Sized by names, but aliases may outnumber them: grow below. */
	di->by_addr = malloc(cap * sizeof(*di->by_addr));
	if (!di->by_addr)
		return nomem();
	n = di->nr_symtab;
	for (i = 0; i < n; i++) {
		struct addr_ent *e;
		GElf_Sym es;
		int type;

		if (!gelf_getsym(di->symdata, (int)i, &es))
			continue;
		type = GELF_ST_TYPE(es.st_info);
		if ((type != STT_FUNC && type != STT_OBJECT) ||
		    es.st_shndx == SHN_UNDEF || !es.st_name)
			continue;
		if (grow((void **)&di->by_addr, &cap, di->nr_by_addr,
			 sizeof(*di->by_addr))) {
			free(di->by_addr);
			di->by_addr = NULL;
			di->nr_by_addr = 0;
			return nomem();
		}
		e = &di->by_addr[di->nr_by_addr++];
		e->value = es.st_value;
		e->ndx = (uint32_t)i;
		e->local = GELF_ST_BIND(es.st_info) == STB_LOCAL;
	}
	qsort(di->by_addr, di->nr_by_addr, sizeof(*di->by_addr), cmp_addr_ent);
	return NULL;
}

/*
 * How many symbols below the nearest one to look at for a larger one that
 * still contains the address (nested objects, aliases of other sizes).
 * The kernel hardly nests; the bound keeps lookups O(log n).
 */
#define SYMBOLIZE_BACKTRACK 16

struct zd_error *zd_debuginfo_symbolize(struct zd_debuginfo *di, uint64_t value,
					char *name, size_t len,
					uint64_t *offset)
{
	struct zd_error *err = load_by_addr(di);
	size_t lo = 0, hi, i;

	if (err)
		return err;
	hi = di->nr_by_addr;
	/* lo ends as the first symbol above value. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (di->by_addr[mid].value <= value)
			lo = mid + 1;
		else
			hi = mid;
	}
	/*
	 * Walk down; among symbols at one address the sort put the preferred
	 * name lowest, so the last match at the nearest address wins.
	 */
	for (i = lo; i > 0 && lo - i < SYMBOLIZE_BACKTRACK; i--) {
		const struct addr_ent *e = &di->by_addr[i - 1];
		uint64_t off = value - e->value;
		const char *n;
		GElf_Sym es;

		if (!gelf_getsym(di->symdata, (int)e->ndx, &es))
			return elf_err(di->path, "reading .symtab");
		if (off >= es.st_size && off)
			continue;
		while (i > 1 && di->by_addr[i - 2].value == e->value &&
		       lo - i < SYMBOLIZE_BACKTRACK) {
			const struct addr_ent *a = &di->by_addr[i - 2];
			GElf_Sym alias;

			if (gelf_getsym(di->symdata, (int)a->ndx, &alias) &&
			    (off < alias.st_size || !off))
				e = a;
			i--;
		}
		n = elf_strptr(di->elf, di->sym_strndx,
			       gelf_getsym(di->symdata, (int)e->ndx, &es) ?
				       es.st_name :
				       0);
		if (len)
			snprintf(name, len, "%s", n ? n : "?");
		if (offset)
			*offset = off;
		return NULL;
	}
	return zd_error_create(ZD_ERR_NOTFOUND,
			       "vmlinux %s: no symbol contains %#llx", di->path,
			       (unsigned long long)value);
}

/* ---- linux_banner ------------------------------------------------------ */

#define BANNER_PREFIX "Linux version "

struct zd_error *zd_debuginfo_release(struct zd_debuginfo *di, char *buf,
				      size_t len)
{
	char banner[256];
	struct zd_error *err;
	uint64_t value, size, want;
	Elf_Scn *scn = NULL;
	size_t plen = strlen(BANNER_PREFIX), n;

	err = zd_debuginfo_symbol(di, "linux_banner", &value, &size);
	if (err)
		return err;
	want = size && size < sizeof(banner) ? size : sizeof(banner) - 1;
	while ((scn = elf_nextscn(di->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    value < sh.sh_addr || value - sh.sh_addr >= sh.sh_size)
			continue;
		if (sh.sh_type == SHT_NOBITS)
			return zd_error_create(
				ZD_ERR_FORMAT,
				"vmlinux %s: linux_banner has no file data (a debug-only vmlinux?)",
				di->path);
		if (want > sh.sh_size - (value - sh.sh_addr))
			want = sh.sh_size - (value - sh.sh_addr);
		/* Only these bytes: .rodata is megabytes. */
		data = elf_getdata_rawchunk(di->elf,
					    sh.sh_offset + (value - sh.sh_addr),
					    want, ELF_T_BYTE);
		if (!data)
			return elf_err(di->path, "reading linux_banner");
		memcpy(banner, data->d_buf, want);
		banner[want] = '\0';
		if (strncmp(banner, BANNER_PREFIX, plen))
			return zd_error_create(
				ZD_ERR_FORMAT,
				"vmlinux %s: linux_banner does not start with \"%s\"",
				di->path, BANNER_PREFIX);
		n = strcspn(banner + plen, " \n");
		if (!n || !banner[plen + n])
			return zd_error_create(
				ZD_ERR_FORMAT,
				"vmlinux %s: linux_banner has no release",
				di->path);
		if (n >= len)
			return zd_error_create(
				ZD_ERR_USAGE,
				"vmlinux %s: release longer than %zu bytes",
				di->path, len);
		memcpy(buf, banner + plen, n);
		buf[n] = '\0';
		return NULL;
	}
	return zd_error_create(
		ZD_ERR_FORMAT,
		"vmlinux %s: linux_banner %#llx is in no section", di->path,
		(unsigned long long)value);
}

/* ---- the lazy DWARF index ---------------------------------------------- */

static struct zd_error *dwarf_bad(struct zd_debuginfo *di, const char *what,
				  Dwarf_Off off)
{
	const char *msg = dwarf_errmsg(-1);

	return zd_error_create(ZD_ERR_FORMAT,
			       "vmlinux %s: bad DWARF %s at %#llx%s%s",
			       di->path, what, (unsigned long long)off,
			       msg ? ": " : "", msg ? msg : "");
}

static int tag_kind(int tag)
{
	switch (tag) {
	case DW_TAG_structure_type:
		return KIND_STRUCT;
	case DW_TAG_union_type:
		return KIND_UNION;
	case DW_TAG_typedef:
		return KIND_TYPEDEF;
	case DW_TAG_enumeration_type:
		return KIND_ENUM;
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

static int add_type(struct zd_debuginfo *di, const char *name, int kind,
		    Dwarf_Off off)
{
	struct name_slot *slot;
	struct type_ent *t;
	bool added;

	slot = nidx_add(di, &di->type_index, name, &added);
	if (!slot)
		return -1;
	if (added) {
		if (grow((void **)&di->types, &di->cap_types, di->nr_types,
			 sizeof(*di->types))) {
			di->type_index.used--;
			return -1;
		}
		t = &di->types[di->nr_types];
		memset(t, 0, sizeof(*t));
		t->name = name;
		slot->item = (uint32_t)++di->nr_types;
	}
	/* First complete definition wins. */
	t = &di->types[slot->item - 1];
	if (!t->off[kind])
		t->off[kind] = off;
	return 0;
}

/*
 * Walk the children of a DIE, failing on offsets that do not advance:
 * libdw follows DW_AT_sibling, and a corrupt one could point back.
 * Returns 1 at the end, 0 with *die set to the next child, -1 on error.
 */
static int next_child(Dwarf_Die *die, Dwarf_Off *prev)
{
	int r = dwarf_siblingof(die, die);

	if (r)
		return r;
	if (dwarf_dieoffset(die) <= *prev)
		return -1;
	*prev = dwarf_dieoffset(die);
	return 0;
}

static int first_child(Dwarf_Die *parent, Dwarf_Die *die, Dwarf_Off *prev)
{
	int r;

	*prev = dwarf_dieoffset(parent);
	r = dwarf_child(parent, die);
	if (r)
		return r;
	if (dwarf_dieoffset(die) <= *prev)
		return -1;
	*prev = dwarf_dieoffset(die);
	return 0;
}

static int index_enumerators(struct zd_debuginfo *di, Dwarf_Die *en)
{
	Dwarf_Off enoff = dwarf_dieoffset(en), prev;
	Dwarf_Die e;
	int r;

	for (r = first_child(en, &e, &prev); !r; r = next_child(&e, &prev)) {
		struct name_slot *slot;
		const char *name;
		bool added;

		if (dwarf_tag(&e) != DW_TAG_enumerator)
			continue;
		name = dwarf_diename(&e);
		if (!name)
			continue;
		slot = nidx_add(di, &di->enum_index, name, &added);
		if (!slot)
			return -2;
		if (!added)
			continue;
		if (grow((void **)&di->enums, &di->cap_enums, di->nr_enums,
			 sizeof(*di->enums))) {
			di->enum_index.used--;
			return -2;
		}
		di->enums[di->nr_enums].name = name;
		di->enums[di->nr_enums].enumeration = enoff;
		slot->item = (uint32_t)++di->nr_enums;
	}
	return r < 0 ? -1 : 0;
}

/*
 * Every unit that includes a header repeats its enums; a named enum whose
 * first enumerator matches the one already indexed is the same definition,
 * and walking it again is a fifth of a full scan.
 */
static bool enum_seen(struct zd_debuginfo *di, const char *name, Dwarf_Die *en)
{
	struct type_ent *t;
	const char *first;
	uint32_t idx;
	Dwarf_Die e;

	if (!name || !nidx_get(di, &di->type_index, name, &idx))
		return false;
	t = &di->types[idx];
	if (dwarf_child(en, &e) || !(first = dwarf_diename(&e)))
		return false;
	if (!t->first_enumerator) {
		t->first_enumerator = first;
		return false;
	}
	return !strcmp(t->first_enumerator, first);
}

static struct zd_error *scan_unit(struct zd_debuginfo *di, Dwarf_Die *cudie)
{
	Dwarf_Off prev;
	Dwarf_Die die;
	int r;

	for (r = first_child(cudie, &die, &prev); !r;
	     r = next_child(&die, &prev)) {
		int tag = dwarf_tag(&die), kind = tag_kind(tag);
		const char *name;

		if (kind < 0 || dwarf_hasattr(&die, DW_AT_declaration))
			continue;
		name = dwarf_diename(&die);
		if (name && add_type(di, name, kind, prev))
			return nomem();
		if (tag == DW_TAG_enumeration_type &&
		    !enum_seen(di, name, &die)) {
			r = index_enumerators(di, &die);
			if (r == -2)
				return nomem();
			if (r < 0)
				return dwarf_bad(di, "enumeration", prev);
		}
	}
	if (r < 0)
		return dwarf_bad(di, "DIE", prev);
	return NULL;
}

/* Index one more unit; sets scan_done after the last. */
static struct zd_error *scan_next_unit(struct zd_debuginfo *di)
{
	struct zd_error *err;
	Dwarf_CU *next;
	Dwarf_Die cudie;
	uint8_t unit_type;
	Dwarf_Off off;
	int r;

	r = dwarf_get_units(di->dwarf, di->scan_cu, &next, NULL, &unit_type,
			    &cudie, NULL);
	if (r == 1) {
		di->scan_done = true;
		return NULL;
	}
	off = r ? 0 : dwarf_dieoffset(&cudie);
	if (r || (di->scan_cu && off <= di->scan_off)) {
		err = dwarf_bad(di, "unit", di->scan_off);
		/* Later misses repeat this error instead of rescanning. */
		di->scan_errmsg = "bad DWARF unit";
		di->scan_done = true;
		return err;
	}
	di->scan_cu = next;
	di->scan_off = off;
	di->units_scanned++;
	/* Type units and skeletons hold nothing a kernel lookup needs. */
	if (unit_type != DW_UT_compile && unit_type != DW_UT_partial)
		return NULL;
	err = scan_unit(di, &cudie);
	/* The unit is half indexed: a later miss could not be trusted. */
	if (err) {
		di->scan_errmsg = err->code == ZD_ERR_NOMEM ? "out of memory" :
							      "bad DWARF DIE";
		di->scan_done = true;
	}
	return err;
}

static struct zd_error *scan_failed(struct zd_debuginfo *di, const char *what,
				    const char *name)
{
	return zd_error_create(
		ZD_ERR_FORMAT,
		"vmlinux %s: looking up %s '%s': DWARF index incomplete (%s)",
		di->path, what, name, di->scan_errmsg);
}

/* DIE of a type of one of the kinds in mask, by the order of the kinds. */
static struct zd_error *find_type(struct zd_debuginfo *di, const char *name,
				  unsigned int mask, Dwarf_Die *die, int *kindp)
{
	struct zd_error *err;
	uint32_t idx;
	int kind;

	for (;;) {
		if (nidx_get(di, &di->type_index, name, &idx)) {
			const struct type_ent *t = &di->types[idx];

			for (kind = 0; kind < NR_KINDS; kind++) {
				Dwarf_Off off = t->off[kind];

				if (!(mask & (1u << kind)) || !off)
					continue;
				if (!dwarf_offdie(di->dwarf, off, die))
					return dwarf_bad(di, "type", off);
				if (kindp)
					*kindp = kind;
				return NULL;
			}
		}
		if (di->scan_errmsg)
			return scan_failed(di, "type", name);
		if (di->scan_done)
			return zd_error_create(ZD_ERR_NOTFOUND,
					       "vmlinux %s: no DWARF type '%s'",
					       di->path, name);
		err = scan_next_unit(di);
		if (err)
			return err;
	}
}

/* DIE a type attribute points to; false for none (void). */
static bool type_of(Dwarf_Die *die, Dwarf_Die *out)
{
	Dwarf_Attribute a;

	return dwarf_attr_integrate(die, DW_AT_type, &a) &&
	       dwarf_formref_die(&a, out);
}

/*
 * Strip typedefs and qualifiers, and swap a declaration ("struct page;")
 * for the complete definition of the same name elsewhere.
 */
static struct zd_error *resolve(struct zd_debuginfo *di, Dwarf_Die *die,
				const char *what)
{
	int i;

	for (i = 0; i < MAX_PEEL; i++) {
		int tag = dwarf_tag(die), kind;
		const char *name;
		struct zd_error *err;

		switch (tag) {
		case DW_TAG_typedef:
		case DW_TAG_const_type:
		case DW_TAG_volatile_type:
		case DW_TAG_restrict_type:
		case DW_TAG_atomic_type:
			if (!type_of(die, die))
				return zd_error_create(
					ZD_ERR_NOTFOUND,
					"vmlinux %s: type '%s' is void",
					di->path, what);
			continue;
		}
		kind = tag_kind(tag);
		if (kind < 0 || !dwarf_hasattr(die, DW_AT_declaration))
			return NULL;
		name = dwarf_diename(die);
		if (!name)
			return zd_error_create(
				ZD_ERR_INVALID,
				"vmlinux %s: type '%s' is an anonymous declaration",
				di->path, what);
		err = find_type(di, name, 1u << kind, die, NULL);
		if (err)
			return zd_error_wrap(err, "resolving '%s'", what);
	}
	return zd_error_create(ZD_ERR_FORMAT,
			       "vmlinux %s: type '%s': typedef chain too long",
			       di->path, what);
}

/* A flexible array member: an array whose outer dimension has no bound. */
static bool is_flexible_array(Dwarf_Die *type)
{
	Dwarf_Die sub;

	if (dwarf_tag(type) != DW_TAG_array_type || dwarf_child(type, &sub))
		return false;
	return dwarf_tag(&sub) == DW_TAG_subrange_type &&
	       !dwarf_hasattr(&sub, DW_AT_count) &&
	       !dwarf_hasattr(&sub, DW_AT_upper_bound);
}

static struct zd_error *sizeof_die(struct zd_debuginfo *di, Dwarf_Die *type,
				   const char *what, uint64_t *size)
{
	struct zd_error *err = resolve(di, type, what);
	Dwarf_Word sz;

	if (err)
		return err;
	if (dwarf_aggregate_size(type, &sz) == 0) {
		*size = sz;
		return NULL;
	}
	if (is_flexible_array(type)) {
		*size = 0;
		return NULL;
	}
	return zd_error_create(ZD_ERR_INVALID,
			       "vmlinux %s: type '%s' has no size: %s",
			       di->path, what, dwarf_errmsg(-1));
}

struct zd_error *zd_debuginfo_type_size(struct zd_debuginfo *di,
					const char *type, uint64_t *size)
{
	struct zd_error *err;
	Dwarf_Die die;

	err = find_type(di, type, KIND_ANY, &die, NULL);
	if (err)
		return err;
	return sizeof_die(di, &die, type, size);
}

/* Byte offset of a member from its aggregate, bitfields rounded down. */
static int member_location(Dwarf_Die *m, uint64_t *off)
{
	Dwarf_Attribute a;
	Dwarf_Word w;
	Dwarf_Op *ops;
	size_t nops;

	if (dwarf_attr_integrate(m, DW_AT_data_member_location, &a)) {
		if (dwarf_formudata(&a, &w) == 0) {
			*off = w;
			return 0;
		}
		/* DWARF 2 style: a location expression. */
		if (dwarf_getlocation(&a, &ops, &nops) == 0 && nops == 1 &&
		    ops[0].atom == DW_OP_plus_uconst) {
			*off = ops[0].number;
			return 0;
		}
		return -1;
	}
	if (dwarf_attr_integrate(m, DW_AT_data_bit_offset, &a)) {
		Dwarf_Die t;
		Dwarf_Word unit = 0;

		if (dwarf_formudata(&a, &w))
			return -1;
		/* The storage unit is as wide as the declared type. */
		if (!type_of(m, &t) || dwarf_aggregate_size(&t, &unit) ||
		    !unit || unit > 16)
			unit = 1;
		*off = w / 8 / unit * unit;
		return 0;
	}
	*off = 0; /* a union member */
	return 0;
}

static struct zd_error *find_member(struct zd_debuginfo *di, Dwarf_Die *agg,
				    const char *type, const char *member,
				    uint64_t base, int depth, uint64_t *off,
				    Dwarf_Die *mdie)
{
	Dwarf_Off prev;
	Dwarf_Die m;
	int r;

	if (depth > MAX_ANON_DEPTH)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"vmlinux %s: '%s': anonymous members nested too deep",
			di->path, type);
	for (r = first_child(agg, &m, &prev); !r; r = next_child(&m, &prev)) {
		struct zd_error *err;
		const char *name;
		uint64_t moff;
		Dwarf_Die t;
		int tag;

		if (dwarf_tag(&m) != DW_TAG_member)
			continue;
		name = dwarf_diename(&m);
		if (name && strcmp(name, member))
			continue;
		if (member_location(&m, &moff))
			return dwarf_bad(di, "member location", prev);
		if (name) {
			*off = base + moff;
			*mdie = m;
			return NULL;
		}
		if (!type_of(&m, &t))
			continue;
		/* Anonymous members are defined in place: no declarations. */
		if (dwarf_peel_type(&t, &t))
			continue;
		tag = dwarf_tag(&t);
		if (tag != DW_TAG_structure_type && tag != DW_TAG_union_type)
			continue;
		err = find_member(di, &t, type, member, base + moff, depth + 1,
				  off, mdie);
		if (!err || err->code != ZD_ERR_NOTFOUND)
			return err;
		zd_error_destroy(err);
	}
	if (r < 0)
		return dwarf_bad(di, "member", prev);
	return zd_error_create(ZD_ERR_NOTFOUND,
			       "vmlinux %s: %s has no member '%s'", di->path,
			       type, member);
}

struct zd_error *zd_debuginfo_member(struct zd_debuginfo *di, const char *type,
				     const char *member, uint64_t *offset,
				     uint64_t *size)
{
	char what[160];
	struct zd_error *err;
	Dwarf_Die die, m, mt;
	int kind, tag;

	err = find_type(di, type, KIND_ANY, &die, NULL);
	if (err)
		return err;
	err = resolve(di, &die, type);
	if (err)
		return err;
	tag = dwarf_tag(&die);
	if (tag == DW_TAG_structure_type)
		kind = KIND_STRUCT;
	else if (tag == DW_TAG_union_type)
		kind = KIND_UNION;
	else
		return zd_error_create(
			ZD_ERR_NOTFOUND,
			"vmlinux %s: type '%s' is not a struct or union",
			di->path, type);
	snprintf(what, sizeof(what), "%s%s", kind_word(kind), type);
	err = find_member(di, &die, what, member, 0, 0, offset, &m);
	if (err)
		return err;
	if (!size)
		return NULL;
	if (!type_of(&m, &mt))
		return zd_error_create(ZD_ERR_FORMAT,
				       "vmlinux %s: %s.%s has no type",
				       di->path, what, member);
	snprintf(what, sizeof(what), "%s.%s", type, member);
	return sizeof_die(di, &mt, what, size);
}

/* Sign-extend an enumerator stored in a fixed-size form of a signed enum. */
static bool enum_is_signed(Dwarf_Die *en)
{
	Dwarf_Attribute a;
	Dwarf_Word enc;
	Dwarf_Die t;

	/* C enumerators are int unless DWARF says otherwise. */
	if (!type_of(en, &t))
		return true;
	if (dwarf_peel_type(&t, &t) ||
	    !dwarf_attr_integrate(&t, DW_AT_encoding, &a) ||
	    dwarf_formudata(&a, &enc))
		return true;
	return enc == DW_ATE_signed || enc == DW_ATE_signed_char;
}

static int enumerator_value(Dwarf_Die *en, Dwarf_Die *e, int64_t *value)
{
	Dwarf_Attribute a;
	Dwarf_Sword s;
	Dwarf_Word u;
	unsigned int bits;

	if (!dwarf_attr(e, DW_AT_const_value, &a))
		return -1;
	switch (dwarf_whatform(&a)) {
	case DW_FORM_sdata:
	case DW_FORM_implicit_const:
		if (dwarf_formsdata(&a, &s))
			return -1;
		*value = s;
		return 0;
	case DW_FORM_data1:
		bits = 8;
		break;
	case DW_FORM_data2:
		bits = 16;
		break;
	case DW_FORM_data4:
		bits = 32;
		break;
	default:
		bits = 64;
		break;
	}
	if (dwarf_formudata(&a, &u))
		return -1;
	if (bits < 64 && (u >> (bits - 1)) & 1 && enum_is_signed(en))
		u |= ~0ULL << bits;
	*value = (int64_t)u;
	return 0;
}

struct zd_error *zd_debuginfo_enumerator(struct zd_debuginfo *di,
					 const char *name, int64_t *value)
{
	struct zd_error *err;
	Dwarf_Off prev, enoff;
	Dwarf_Die en, e;
	uint32_t idx;
	int r;

	while (!nidx_get(di, &di->enum_index, name, &idx)) {
		if (di->scan_errmsg)
			return scan_failed(di, "enumerator", name);
		if (di->scan_done)
			return zd_error_create(ZD_ERR_NOTFOUND,
					       "vmlinux %s: no enumerator '%s'",
					       di->path, name);
		err = scan_next_unit(di);
		if (err)
			return err;
	}
	enoff = di->enums[idx].enumeration;
	if (!dwarf_offdie(di->dwarf, enoff, &en))
		return dwarf_bad(di, "enumeration", enoff);
	for (r = first_child(&en, &e, &prev); !r; r = next_child(&e, &prev)) {
		const char *n = dwarf_diename(&e);

		if (dwarf_tag(&e) != DW_TAG_enumerator || !n || strcmp(n, name))
			continue;
		if (enumerator_value(&en, &e, value))
			return dwarf_bad(di, "enumerator value", prev);
		return NULL;
	}
	return dwarf_bad(di, "enumeration", enoff);
}

/* ---- finding a vmlinux ------------------------------------------------- */

static bool readable_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, R_OK);
}

struct zd_error *zd_debuginfo_find(const char *release, char *path, size_t len)
{
	static const char *const places[] = {
		"/usr/lib/debug/boot/vmlinux-%s",
		"/usr/lib/debug/lib/modules/%s/vmlinux",
		"/lib/modules/%s/build/vmlinux",
		"/boot/vmlinux-%s",
		"./vmlinux-%s",
	};
	const char *dir = getenv("ZDREF_VMLINUX_DIR");
	char cand[4096], tried[2048] = "";
	size_t i, used = 0;
	int n;

	/* A release comes from a dump: keep it from naming other paths. */
	if (!release || !*release || strchr(release, '/') ||
	    !strcmp(release, "..") || strlen(release) > 256)
		return zd_error_create(ZD_ERR_USAGE,
				       "not a kernel release: '%s'",
				       release ? release : "");
	for (i = 0; i < 1 + sizeof(places) / sizeof(places[0]); i++) {
		if (i == 0) {
			if (!dir || !*dir)
				continue;
			n = snprintf(cand, sizeof(cand), "%s/vmlinux-%s", dir,
				     release);
		} else {
			n = snprintf(cand, sizeof(cand), places[i - 1],
				     release);
		}
		if (n < 0 || (size_t)n >= sizeof(cand))
			continue;
		if (readable_file(cand)) {
			if ((size_t)n >= len)
				return zd_error_create(
					ZD_ERR_USAGE,
					"vmlinux path %s longer than %zu bytes",
					cand, len);
			memcpy(path, cand, n + 1);
			return NULL;
		}
		n = snprintf(tried + used, sizeof(tried) - used, "%s%s",
			     used ? ", " : "", cand);
		if (n > 0)
			used += (size_t)n < sizeof(tried) - used ?
					(size_t)n :
					sizeof(tried) - used - 1;
	}
	return zd_error_create(
		ZD_ERR_NOTFOUND,
		"no vmlinux for %s (looked in %s); give one with -s, or install linux-image-%s-dbg",
		release, tried, release);
}
