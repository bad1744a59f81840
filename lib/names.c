// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The names users know for a pgmap, read from the kernel's own memory so
 * that a vmlinux with DWARF and the dump's BTF + kallsyms give the same:
 *
 *   device   the deepest resource of the iomem tree covering its range,
 *            named by the driver that requested it: "namespace0.0" (nd_pmem,
 *            devm_request_mem_region(dev_name(&ndns->dev))), "dax0.0"
 *            (device-dax), "hmm_dmirror", a PCI BDF for P2PDMA BARs
 *   driver   the module whose memory holds pgmap->ops ("nd_pmem"), else
 *            "vmlinux"; with no ops, the module holding the ref's release
 *            (drivers owned the ref before 5.15)
 *   symbols  ops, release and owner as "fsdax_pagemap_ops [nd_pmem]":
 *            vmlinux addresses through the types half, module addresses
 *            from the module's own kallsyms (struct mod_kallsyms), which
 *            every host has in the dump
 *   disk     nd_pmem: the gendisk of the struct pmem_device the pgmap is
 *            embedded in ("pmem0"), its layout from the module's BTF
 *
 * Every walk is bounded (iomem depth 32 and 65536 resources, 4096 modules,
 * 1M symbols a module, names of 512 bytes) and cycle-safe.  Nothing here
 * fails a pgmap: a name that cannot be given stays "" with a short why.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_IOMEM_DEPTH 32
#define MAX_IOMEM_NODES 65536
#define MAX_MODULES 4096
#define MAX_MODULE_SYMS (1U << 20)
#define MAX_NAME 512
#define SYM_CHUNK 512 /* Elf64_Sym entries read at once */
#define NEAREST 16 /* nearest symbols kept while looking for a named one */
#define MAX_MOD_BTF (16U << 20)

/* Elf64_Sym (include/uapi/linux/elf.h): the x86_64 ABI, 24 bytes. */
#define SYM_SIZE 24
#define SYM_NAME 0
#define SYM_SHNDX 6
#define SYM_VALUE 8

/* Names and whys are cut to their fields: truncation is intended. */
__attribute__((format(printf, 3, 4))) static void set(char *buf, size_t len,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

#define WHY(buf, ...) set((buf), sizeof(buf), __VA_ARGS__)

struct mod {
	uint64_t addr; /* struct module */
	char name[64];
	unsigned int nregions;
	uint64_t base[ZD_MOD_REGIONS], size[ZD_MOD_REGIONS];
};

/* The modules of the kernel, as far as the list could be read. */
struct modlist {
	bool loaded;
	struct mod *mods;
	size_t nmods;
	char why[96]; /* why the list is incomplete or absent */
};

/*
 * What is read once per target: the module list of a dump (a live
 * kernel's is read afresh for every pgmap), the module BTF layout and
 * struct pmem_device, which do not change while a module stays loaded.
 */
struct zd_names {
	struct modlist mods;
	bool btf_tried, btf_ok;
	struct zd_mod_btf_layout btf;
	bool pmem_tried, pmem_ok;
	uint64_t pmem_module, pmem_pgmap, pmem_disk;
	char pmem_why[96];
	struct zd_devres *devres;
};

struct zd_names *zd_names_new(void)
{
	struct zd_names *n = calloc(1, sizeof(struct zd_names));

	if (n && !(n->devres = zd_devres_new())) {
		free(n);
		return NULL;
	}
	return n;
}

void zd_names_free(struct zd_names *names)
{
	if (!names)
		return;
	free(names->mods.mods);
	zd_devres_free(names->devres);
	free(names);
}

/*
 * A NUL-terminated string of the kernel, read a piece at a time within
 * pages; a piece that fails is read again byte by byte, so a string that
 * ends just before memory the dump lacks still reads.  At most max bytes
 * are looked at; what fits goes to buf (truncated).
 */
struct zd_error *zd_read_cstring(const struct zd_target *t, uint64_t addr,
				 size_t max, char *buf, size_t len)
{
	uint64_t page = 1ULL << t->lay.page_shift;
	char chunk[128];
	size_t got = 0, piece = sizeof(chunk);
	struct zd_error *err;

	if (len)
		buf[0] = '\0';
	while (got < max) {
		uint64_t at = addr + got;
		size_t n = page - (at & (page - 1));

		if (n > piece)
			n = piece;
		if (n > max - got)
			n = max - got;
		if ((err = zd_read(t, at, chunk, n, "string"))) {
			if (n == 1)
				return err;
			zd_error_destroy(err);
			piece = n = 1; /* the rest byte by byte */
			if ((err = zd_read(t, at, chunk, 1, "string")))
				return err;
		}
		for (size_t i = 0; i < n; i++) {
			if (got + i + 1 < len) {
				buf[got + i] = chunk[i];
				buf[got + i + 1] = '\0';
			}
			if (!chunk[i])
				return NULL;
		}
		got += n;
	}
	return zd_error_create(ZD_ERR_INVALID, "no NUL within %zu bytes", max);
}

/* Reads whose error is dropped: the caller says why, in a few words. */
static bool get_uint(const struct zd_target *t, uint64_t addr, uint64_t len,
		     uint64_t *v)
{
	uint32_t v32 = 0;
	struct zd_error *err;
	bool ok;

	if (len == 8)
		return zd_try_read_u64(t, addr, v);
	err = zd_read(t, addr, &v32, sizeof(v32), "names");
	ok = !err;
	zd_error_destroy(err);
	*v = v32;
	return ok;
}

/* A set of addresses seen, for cycles (open addressing, 0 is empty). */
static size_t seen_slot(uint64_t a, size_t cap)
{
	return (size_t)((a * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

struct seen {
	uint64_t *v;
	size_t cap, n;
};

/* 1 if added, 0 if already there, -1 out of memory. */
static int seen_add(struct seen *s, uint64_t a)
{
	size_t i;

	if (2 * (s->n + 1) > s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 64;
		uint64_t *v = calloc(cap, sizeof(*v));

		if (!v)
			return -1;
		for (size_t j = 0; j < s->cap; j++) {
			if (!s->v[j])
				continue;
			for (i = seen_slot(s->v[j], cap); v[i];
			     i = (i + 1) & (cap - 1))
				;
			v[i] = s->v[j];
		}
		free(s->v);
		s->v = v;
		s->cap = cap;
	}
	for (i = seen_slot(a, s->cap); s->v[i]; i = (i + 1) & (s->cap - 1))
		if (s->v[i] == a)
			return 0;
	s->v[i] = a;
	s->n++;
	return 1;
}

/* iomem */

struct res {
	uint64_t start, end, name, sibling, child;
};

static bool res_read(const struct zd_target *t, uint64_t addr, struct res *r)
{
	const struct zd_names_layout *n = &t->lay.nm;
	uint8_t buf[256];
	struct zd_error *err;

	if (addr & 7)
		return false;
	err = zd_read(t, addr, buf, n->res_size, "struct resource");
	if (err) {
		zd_error_destroy(err);
		return false;
	}
	r->start = zd_get_u64(buf + n->res_start);
	r->end = zd_get_u64(buf + n->res_end);
	r->name = zd_get_u64(buf + n->res_name);
	r->sibling = zd_get_u64(buf + n->res_sibling);
	r->child = zd_get_u64(buf + n->res_child);
	return true;
}

/*
 * The "System RAM" resources at the top of the iomem tree (x86
 * e820__reserve_resources_late() / add_memory(): RAM is a child of
 * iomem_resource), at most max of them.  -1 when the tree cannot be read
 * (no layout, a cycle, an unreadable resource): the caller then knows no
 * RAM range and must not skip any.
 */
long zd_iomem_ram(const struct zd_target *t, uint64_t (*ranges)[2], size_t max)
{
	const struct zd_names_layout *n = &t->lay.nm;
	struct res r;
	uint64_t c;
	long found = 0;
	unsigned int nodes = 0;
	char name[16];

	if (!n->have_iomem || !res_read(t, n->iomem_resource, &r))
		return -1;
	/* siblings are in address order: a step back is a cycle or damage */
	for (c = r.child; c; c = r.sibling) {
		uint64_t last = found ? ranges[found - 1][1] : 0;
		struct zd_error *err;

		if (++nodes > MAX_IOMEM_NODES || !res_read(t, c, &r) ||
		    r.end < r.start || (nodes > 1 && r.start <= last && found))
			return -1;
		if (!r.name)
			continue;
		err = zd_read_cstring(t, r.name, 64, name, sizeof(name));
		if (err) {
			zd_error_destroy(err);
			continue;
		}
		if (strcmp(name, "System RAM"))
			continue;
		if ((size_t)found == max)
			return -1;
		ranges[found][0] = r.start;
		ranges[found][1] = r.end;
		found++;
	}
	return found;
}

/* A resource's name; false (and a why) when NULL or unreadable. */
static bool res_name(const struct zd_target *t, uint64_t res, uint64_t name,
		     char *buf, size_t len, char *why, size_t wlen)
{
	struct zd_error *err;

	if (!name) {
		/* /proc/iomem prints "<BAD>" for these (r_show()) */
		set(why, wlen, "resource 0x%" PRIx64 " has no name", res);
		return false;
	}
	err = zd_read_cstring(t, name, MAX_NAME, buf, len);
	if (err) {
		set(why, wlen, "name of resource 0x%" PRIx64 " unreadable (%s)",
		    res,
		    err->code == ZD_ERR_INVALID ? "no NUL" : "not in dump");
		zd_error_destroy(err);
		return false;
	}
	return true;
}

/*
 * The deepest resource covering [start, end]: kernel/resource.c keeps a
 * resource inside its parent and siblings apart, so the one covering it
 * at each level is the only way down.  path[] gets the resources from the
 * root's child to it.  False with a why when the walk could not finish:
 * then no resource is claimed to be the deepest.
 */
static bool iomem_walk(const struct zd_target *t, uint64_t start, uint64_t end,
		       uint64_t *path, uint64_t *names, unsigned int *depth,
		       char *why, size_t wlen)
{
	const struct zd_names_layout *n = &t->lay.nm;
	struct seen seen = { 0 };
	unsigned int nodes = 0;
	struct res r;
	uint64_t c;
	bool ok = false;

	*depth = 0;
	if (!res_read(t, n->iomem_resource, &r)) {
		set(why, wlen, "iomem_resource unreadable");
		return false;
	}
	if (seen_add(&seen, n->iomem_resource) < 0)
		goto nomem;
	for (c = r.child; c;) {
		int added;

		if (++nodes > MAX_IOMEM_NODES) {
			set(why, wlen, "iomem: more than %d resources",
			    MAX_IOMEM_NODES);
			goto out;
		}
		if ((added = seen_add(&seen, c)) < 0)
			goto nomem;
		if (!added) {
			set(why, wlen, "iomem: cycle at resource 0x%" PRIx64,
			    c);
			goto out;
		}
		if (!res_read(t, c, &r)) {
			set(why, wlen,
			    "iomem: resource 0x%" PRIx64 " unreadable", c);
			goto out;
		}
		if (r.start <= start && end <= r.end) {
			if (*depth == MAX_IOMEM_DEPTH) {
				set(why, wlen, "iomem: deeper than %d levels",
				    MAX_IOMEM_DEPTH);
				goto out;
			}
			path[*depth] = c;
			names[*depth] = r.name;
			++*depth;
			c = r.child;
		} else {
			c = r.sibling;
		}
	}
	ok = true;
	if (!*depth)
		set(why, wlen,
		    "no iomem resource covers 0x%" PRIx64 "-0x%" PRIx64, start,
		    end);
out:
	free(seen.v);
	return ok;
nomem:
	set(why, wlen, "out of memory");
	free(seen.v);
	return false;
}

static void name_iomem(const struct zd_target *t, struct zd_pgmap *pg)
{
	struct zd_pgmap_names *nm = &pg->desc.names;
	uint64_t path[MAX_IOMEM_DEPTH], names[MAX_IOMEM_DEPTH];
	unsigned int depth;
	char why[96];

	if (!t->lay.nm.have_iomem) {
		WHY(nm->device_why, "no iomem_resource or struct resource");
		return;
	}
	for (unsigned int i = 0; i < pg->desc.nr_range; i++) {
		struct zd_range *r = &pg->desc.ranges[i];
		bool ok = iomem_walk(t, r->start, r->end, path, names, &depth,
				     why, sizeof(why));

		if (ok && depth)
			ok = res_name(t, path[depth - 1], names[depth - 1],
				      r->device, sizeof(r->device), why,
				      sizeof(why));
		if (!ok || !depth)
			r->device[0] = '\0';
		if (i)
			continue;
		/* range 0 names the pgmap, with the path down to it */
		if (ok && depth)
			WHY(nm->device, "%s", r->device);
		else
			WHY(nm->device_why, "%s", why);
		nm->iomem_elided = depth > ZD_IOMEM_DEPTH;
		for (unsigned int d = depth > ZD_IOMEM_DEPTH ?
					      depth - ZD_IOMEM_DEPTH :
					      0;
		     d < depth; d++) {
			char *dst = nm->iomem[nm->niomem++];

			if (!res_name(t, path[d], names[d], dst,
				      sizeof(nm->iomem[0]), why, sizeof(why)))
				dst[0] = '\0';
		}
	}
}

/* Modules */

/* The module list; on failure the modules read so far and a why. */
static void modules_load(const struct zd_target *t, struct modlist *m)
{
	const struct zd_names_layout *n = &t->lay.nm;
	uint64_t next, state;
	size_t cap = 0;

	m->loaded = true;
	if (!n->have_modules) {
		WHY(m->why, "no modules list or struct module in the types");
		return;
	}
	if (!zd_try_read_u64(t, n->modules, &next)) {
		WHY(m->why, "modules list unreadable");
		return;
	}
	for (size_t count = 0; next != n->modules; count++) {
		struct mod md = { 0 };
		char name[256];
		struct zd_error *err;

		if (count == MAX_MODULES) {
			WHY(m->why, "modules: more than %d", MAX_MODULES);
			return;
		}
		if (!next || next & 7 || next < n->mod_list) {
			WHY(m->why, "modules list: bad pointer 0x%" PRIx64,
			    next);
			return;
		}
		md.addr = next - n->mod_list;
		for (size_t i = 0; i < m->nmods; i++) {
			if (m->mods[i].addr == md.addr) {
				WHY(m->why, "modules list: cycle at 0x%" PRIx64,
				    md.addr);
				return;
			}
		}
		err = zd_read(t, md.addr + n->mod_name, name, n->mod_name_len,
			      "module name");
		if (err || !memchr(name, '\0', n->mod_name_len) || !name[0] ||
		    !get_uint(t, md.addr + n->mod_state, 4, &state)) {
			zd_error_destroy(err);
			WHY(m->why, "module 0x%" PRIx64 " unreadable", md.addr);
			return;
		}
		WHY(md.name, "%s", name);
		md.nregions = n->mod_nregions;
		for (unsigned int i = 0; i < n->mod_nregions; i++) {
			if (!zd_try_read_u64(t, md.addr + n->mod_region_base[i],
				     &md.base[i]) ||
			    !get_uint(t, md.addr + n->mod_region_size[i],
				      n->mod_region_size_len, &md.size[i])) {
				WHY(m->why, "module %s unreadable", md.name);
				return;
			}
			if (md.base[i] + md.size[i] < md.base[i])
				md.size[i] = 0; /* absurd: holds nothing */
		}
		/* MODULE_STATE_UNFORMED: still being set up, nothing valid */
		if ((int64_t)(uint32_t)state != n->mod_unformed) {
			if (m->nmods == cap) {
				struct mod *v;

				cap = cap ? 2 * cap : 32;
				v = realloc(m->mods, cap * sizeof(*v));
				if (!v) {
					WHY(m->why, "out of memory");
					return;
				}
				m->mods = v;
			}
			m->mods[m->nmods++] = md;
		}
		if (!zd_try_read_u64(t, md.addr + n->mod_list, &next)) {
			WHY(m->why, "module %s: list unreadable", md.name);
			return;
		}
	}
}

static const struct mod *module_of(const struct modlist *m, uint64_t addr,
				   unsigned int *region)
{
	for (size_t i = 0; i < m->nmods; i++)
		for (unsigned int r = 0; r < m->mods[i].nregions; r++)
			if (addr >= m->mods[i].base[r] &&
			    addr - m->mods[i].base[r] < m->mods[i].size[r]) {
				*region = r;
				return &m->mods[i];
			}
	return NULL;
}

static const struct mod *module_named(const struct modlist *m, const char *name)
{
	for (size_t i = 0; i < m->nmods; i++)
		if (!strcmp(m->mods[i].name, name))
			return &m->mods[i];
	return NULL;
}

/* include/linux/module_symbol.h (6.2+): ".L", "L0" and "$" names. */
static bool mapping_symbol(const char *s)
{
	return (s[0] == '.' && s[1] == 'L') || (s[0] == 'L' && s[1] == '0') ||
	       s[0] == '$';
}

struct cand {
	uint64_t value;
	uint32_t name;
};

/*
 * addr in module md's region: the nearest named symbol at or below it in
 * that region, as find_kallsyms_symbol() (kernel/module/kallsyms.c@6.12)
 * picks it: ELF's real symbols start at 1, SHN_UNDEF and unnamed or
 * mapping symbols are passed over, the first of equal values wins.
 */
static bool module_symbol(const struct zd_target *t, const struct mod *md,
			  unsigned int region, uint64_t addr, char *name,
			  size_t len, uint64_t *off, char *why, size_t wlen)
{
	const struct zd_names_layout *n = &t->lay.nm;
	struct cand cand[NEAREST];
	uint64_t ks = md->addr, symtab, num, strtab;
	uint8_t *buf = NULL;
	size_t ncand = 0;
	bool ok = false;

	if (n->mod_kallsyms != ZD_NO_MEMBER &&
	    !zd_try_read_u64(t, md->addr + n->mod_kallsyms, &ks)) {
		set(why, wlen, "%s: kallsyms unreadable", md->name);
		return false;
	}
	if (!ks) {
		set(why, wlen, "%s: no kallsyms", md->name);
		return false;
	}
	if (!zd_try_read_u64(t, ks + n->ks_symtab, &symtab) ||
	    !get_uint(t, ks + n->ks_num_symtab, 4, &num) ||
	    !zd_try_read_u64(t, ks + n->ks_strtab, &strtab)) {
		set(why, wlen, "%s: kallsyms unreadable", md->name);
		return false;
	}
	if (num > MAX_MODULE_SYMS) {
		set(why, wlen, "%s: num_symtab %" PRIu64 " exceeds %u",
		    md->name, num, MAX_MODULE_SYMS);
		return false;
	}
	buf = malloc(SYM_CHUNK * SYM_SIZE);
	if (!buf) {
		set(why, wlen, "out of memory");
		return false;
	}
	for (uint64_t i = 0; i < num; i += SYM_CHUNK) {
		uint64_t k = num - i < SYM_CHUNK ? num - i : SYM_CHUNK;
		struct zd_error *err = zd_read(t, symtab + i * SYM_SIZE, buf,
					       k * SYM_SIZE, "module symtab");

		if (err) {
			zd_error_destroy(err);
			set(why, wlen, "%s: symtab unreadable", md->name);
			goto out;
		}
		for (uint64_t j = i ? 0 : 1; j < k; j++) {
			const uint8_t *s = buf + j * SYM_SIZE;
			uint64_t v = zd_get_u64(s + SYM_VALUE);
			uint16_t shndx;
			size_t at;

			memcpy(&shndx, s + SYM_SHNDX, sizeof(shndx));
			if (!shndx || v > addr || v < md->base[region])
				continue;
			/* after every candidate >= v: the first index wins */
			for (at = ncand; at && cand[at - 1].value < v; at--)
				;
			if (at == NEAREST)
				continue;
			if (ncand < NEAREST)
				ncand++;
			memmove(&cand[at + 1], &cand[at],
				(ncand - 1 - at) * sizeof(cand[0]));
			cand[at] = (struct cand){ v, zd_get_u32(s + SYM_NAME) };
		}
	}
	set(why, wlen, "%s: no symbol at or below it", md->name);
	for (size_t c = 0; c < ncand; c++) {
		struct zd_error *err = zd_read_cstring(t, strtab + cand[c].name,
						   MAX_NAME, name, len);

		if (err) {
			zd_error_destroy(err);
			set(why, wlen, "%s: symbol name unreadable", md->name);
			continue;
		}
		if (!name[0] || mapping_symbol(name))
			continue;
		*off = addr - cand[c].value;
		ok = true;
		break;
	}
out:
	free(buf);
	if (!ok && len)
		name[0] = '\0';
	return ok;
}

/* The types half's name of a kernel address, "" if it has none. */
static void types_symbol(const struct zd_target *t, uint64_t addr, char *buf,
			 size_t len, uint64_t *off)
{
	struct zd_error *err;

	buf[0] = '\0';
	*off = 0;
	if (!addr || !t->host.types.symbolize)
		return;
	err = t->host.types.symbolize(t->host.types.arg, addr, buf, len, off);
	if (err) {
		zd_error_destroy(err);
		buf[0] = '\0';
	}
}

/*
 * addr as "sym+0xoff [module]", or "" with a why.  An address inside a
 * module is named from that module's kallsyms in the dump, the same for
 * every host (crash and /proc/kallsyms would name it too, the standalone's
 * vmlinux and kernel kallsyms cannot), and the types half only when the
 * module's own table cannot; anything else is the types half's.  Returns
 * the module holding addr, if any.
 */
static const struct mod *name_addr(const struct zd_target *t,
				   const struct modlist *m, uint64_t addr,
				   char *out, size_t len, char *why,
				   size_t wlen)
{
	const struct mod *md;
	unsigned int region;
	char sym[MAX_NAME];
	uint64_t off = 0;
	bool named;

	out[0] = '\0';
	if (!addr) {
		set(why, wlen, "NULL");
		return NULL;
	}
	md = module_of(m, addr, &region);
	if (md) {
		named = module_symbol(t, md, region, addr, sym, sizeof(sym),
				      &off, why, wlen);
		if (!named) {
			types_symbol(t, addr, sym, sizeof(sym), &off);
			named = sym[0];
		}
		if (named && off)
			set(out, len, "%s+0x%" PRIx64 " [%s]", sym, off,
			    md->name);
		else if (named)
			set(out, len, "%s [%s]", sym, md->name);
		return md;
	}
	types_symbol(t, addr, sym, sizeof(sym), &off);
	if (sym[0]) {
		if (off)
			set(out, len, "%s+0x%" PRIx64, sym, off);
		else
			set(out, len, "%s", sym);
	} else if (m->why[0]) {
		set(why, wlen, "in no vmlinux symbol; %s", m->why);
	} else {
		set(why, wlen, "in no module or vmlinux symbol");
	}
	return NULL;
}

static void name_symbols(const struct zd_target *t, const struct modlist *m,
			 struct zd_pgmap *pg)
{
	struct zd_pgmap_names *nm = &pg->desc.names;
	const struct mod *ops, *rel, *own;
	char why[96];

	ops = name_addr(t, m, pg->desc.ops, nm->ops, sizeof(nm->ops),
			nm->ops_why, sizeof(nm->ops_why));
	if (nm->ops[0])
		nm->ops_why[0] = '\0';
	rel = name_addr(t, m, pg->desc.ref_error ? 0 : pg->desc.ref.release,
			nm->release, sizeof(nm->release), why, sizeof(why));
	own = name_addr(t, m, pg->desc.owner, nm->owner, sizeof(nm->owner), why,
			sizeof(why));
	/*
	 * The driver is who provides the ops.  Without ops (device-dax and
	 * P2PDMA of 6.1), a ref released by a module (a driver's own ref:
	 * device-dax's up to 5.2, before memremap_pages() kept one for it)
	 * or an owner in one names it.
	 */
	if (ops)
		WHY(nm->driver, "%s", ops->name);
	else if (pg->desc.ops && nm->ops[0])
		WHY(nm->driver, "vmlinux");
	else if (pg->desc.ops)
		WHY(nm->driver_why, "ops 0x%" PRIx64 " %s", pg->desc.ops,
		    nm->ops_why);
	else if (rel)
		WHY(nm->driver, "%s", rel->name);
	else if (own)
		WHY(nm->driver, "%s", own->name);
	else if (nm->release[0])
		WHY(nm->driver_why, "ops NULL, release %s is vmlinux's",
		    nm->release);
	else
		WHY(nm->driver_why, "ops NULL, release unnamed");
	if (!pg->desc.ops)
		WHY(nm->ops_why, "ops is NULL");
}

/* Module BTF (include/uapi/linux/btf.h) */

#define BTF_MAGIC 0xeb9f
#define BTF_KIND_STRUCT 4

struct mod_btf {
	const struct zd_target *t;
	uint8_t *data;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint64_t base_str; /* base (vmlinux) strings in memory */
	uint32_t base_str_len, start_str_off;
};

static bool btf_header(const uint8_t *h, uint64_t size, uint32_t *hdr_len,
		       uint32_t *type_off, uint32_t *type_len,
		       uint32_t *str_off, uint32_t *str_len)
{
	uint16_t magic;

	memcpy(&magic, h, sizeof(magic));
	*hdr_len = zd_get_u32(h + 4);
	*type_off = zd_get_u32(h + 8);
	*type_len = zd_get_u32(h + 12);
	*str_off = zd_get_u32(h + 16);
	*str_len = zd_get_u32(h + 20);
	return magic == BTF_MAGIC && h[2] == 1 && *hdr_len >= 24 &&
	       (uint64_t)*hdr_len + *type_off + *type_len <= size &&
	       (uint64_t)*hdr_len + *str_off + *str_len <= size;
}

/* Whether string off of the split BTF is want (base strings are read). */
static bool btf_str_is(const struct mod_btf *b, uint32_t off, const char *want)
{
	size_t wl = strlen(want);
	char got[64];
	struct zd_error *err;

	if (off >= b->start_str_off) {
		uint64_t o = (uint64_t)off - b->start_str_off;

		return o + wl < b->str_len &&
		       !memcmp(b->data + b->hdr_len + b->str_off + o, want,
			       wl + 1);
	}
	if (off + wl >= b->base_str_len || wl + 1 > sizeof(got))
		return false;
	err = zd_read(b->t, b->base_str + off, got, wl + 1, "base BTF string");
	if (err) {
		zd_error_destroy(err);
		return false;
	}
	return !memcmp(got, want, wl + 1);
}

/* Bytes a BTF type takes after its struct btf_type, -1 for an unknown kind. */
static int64_t btf_extra(unsigned int kind, uint32_t vlen)
{
	switch (kind) {
	case 1: /* INT */
	case 14: /* VAR */
	case 17: /* DECL_TAG */
		return 4;
	case 3: /* ARRAY */
		return 12;
	case 4: /* STRUCT */
	case 5: /* UNION */
	case 15: /* DATASEC */
	case 19: /* ENUM64 */
		return 12LL * vlen;
	case 6: /* ENUM */
	case 13: /* FUNC_PROTO */
		return 8LL * vlen;
	case 2: /* PTR */
	case 7: /* FWD */
	case 8: /* TYPEDEF */
	case 9: /* VOLATILE */
	case 10: /* CONST */
	case 11: /* RESTRICT */
	case 12: /* FUNC */
	case 16: /* FLOAT */
	case 18: /* TYPE_TAG */
		return 0;
	default:
		return -1;
	}
}

/*
 * Offsets (bytes) of members of a struct of the module's own types.
 * Members of the module's structs keep their names in the base strings
 * when vmlinux has them ("disk"), in the module's otherwise.
 */
static bool btf_members(const struct mod_btf *b, const char *type,
			const char *const *member, uint64_t *off,
			unsigned int nmember, char *why, size_t wlen)
{
	const uint8_t *p = b->data + b->hdr_len + b->type_off;
	const uint8_t *end = p + b->type_len;

	while (end - p >= 12) {
		uint32_t info = zd_get_u32(p + 4), vlen = info & 0xffff;
		unsigned int kind = (info >> 24) & 0x1f, found = 0;
		int64_t extra = btf_extra(kind, vlen);

		if (extra < 0 || end - p - 12 < extra) {
			set(why, wlen, "module BTF: bad type kind %u", kind);
			return false;
		}
		if (kind == BTF_KIND_STRUCT &&
		    btf_str_is(b, zd_get_u32(p), type)) {
			for (unsigned int k = 0; k < nmember; k++)
				off[k] = UINT64_MAX;
			for (uint32_t i = 0; i < vlen; i++) {
				const uint8_t *m = p + 12 + 12 * i;
				uint32_t bits = zd_get_u32(m + 8);

				if (info >> 31)
					bits &= 0xffffff; /* bitfield size */
				for (unsigned int k = 0; k < nmember; k++) {
					if (off[k] != UINT64_MAX || bits % 8 ||
					    !btf_str_is(b, zd_get_u32(m),
							member[k]))
						continue;
					off[k] = bits / 8;
					found++;
				}
			}
			if (found == nmember)
				return true;
			set(why, wlen, "module BTF: struct %s lacks %s", type,
			    off[0] == UINT64_MAX ? member[0] : member[1]);
			return false;
		}
		p += 12 + extra;
	}
	set(why, wlen, "module BTF has no struct %s", type);
	return false;
}

/*
 * struct pmem_device (drivers/nvdimm/pmem.h) from the BTF of module md:
 * btf_modules holds a struct btf_module per module whose BTF the kernel
 * took (kernel/bpf/btf.c, 5.11+), its btf->data a copy of the module's
 * .BTF, split over vmlinux's (mod->btf_data itself is cleared after init,
 * kernel/module/main.c@6.1:2529).
 */
static bool pmem_layout(const struct zd_target *t, struct zd_names *c,
			const struct mod *md, uint64_t *pgmap_off,
			uint64_t *disk_off, char *why, size_t wlen)
{
	static const char *const members[] = { "pgmap", "disk" };
	const struct zd_mod_btf_layout *n = &c->btf;
	struct mod_btf b = { .t = t };
	uint64_t next, module, btf, data, size, base, map, v, bdata, bsize;
	uint8_t hdr[24];
	uint32_t u[3];
	uint64_t off[2];
	struct zd_error *err;
	bool ok;

	if (!c->btf_tried) {
		c->btf_tried = true;
		c->btf_ok = zd_resolve_mod_btf(&t->host, &c->btf);
	}
	if (!c->btf_ok) {
		set(why, wlen, "no module BTF in this kernel's types");
		return false;
	}
	if (!zd_try_read_u64(t, n->btf_modules, &next)) {
		set(why, wlen, "btf_modules unreadable");
		return false;
	}
	for (unsigned int i = 0;; i++) {
		if (next == n->btf_modules || i == MAX_MODULES || !next ||
		    next & 7) {
			set(why, wlen, "no BTF for module %s", md->name);
			return false;
		}
		if (!zd_try_read_u64(t, next - n->btfm_list + n->btfm_module,
			     &module) ||
		    !zd_try_read_u64(t, next - n->btfm_list + n->btfm_btf, &btf)) {
			set(why, wlen, "btf_modules unreadable");
			return false;
		}
		if (module == md->addr)
			break;
		if (!zd_try_read_u64(t, next, &next))
			next = 0;
	}
	if (!btf || !zd_try_read_u64(t, btf + n->btf_data, &data) ||
	    !get_uint(t, btf + n->btf_data_size, 4, &size) ||
	    !zd_try_read_u64(t, btf + n->btf_base, &base) ||
	    !get_uint(t, btf + n->btf_start_str_off, 4, &v)) {
		set(why, wlen, "%s: struct btf unreadable", md->name);
		return false;
	}
	b.start_str_off = (uint32_t)v;
	/* 6.11+: relocated from a distilled base, its offsets renumbered */
	if (n->btf_base_id_map != ZD_NO_MEMBER &&
	    (!zd_try_read_u64(t, btf + n->btf_base_id_map, &map) || map)) {
		set(why, wlen, "%s: BTF relocated from a distilled base",
		    md->name);
		return false;
	}
	ok = base && zd_try_read_u64(t, base + n->btf_data, &bdata) &&
	     get_uint(t, base + n->btf_data_size, 4, &bsize);
	if (ok) {
		err = zd_read(t, bdata, hdr, sizeof(hdr), "base BTF");
		ok = !err;
		zd_error_destroy(err);
	}
	/* split BTF: string offsets below the base's size are the base's */
	if (!ok ||
	    !btf_header(hdr, bsize, &b.hdr_len, &u[0], &u[1], &u[2],
			&b.base_str_len) ||
	    b.start_str_off != b.base_str_len) {
		set(why, wlen, "%s: base BTF unreadable", md->name);
		return false;
	}
	b.base_str = bdata + b.hdr_len + u[2];
	if (size < 24 || size > MAX_MOD_BTF || !(b.data = malloc(size))) {
		set(why, wlen, "%s: BTF of %" PRIu64 " bytes", md->name, size);
		return false;
	}
	err = zd_read(t, data, b.data, size, "module BTF");
	ok = !err && btf_header(b.data, size, &b.hdr_len, &b.type_off,
				&b.type_len, &b.str_off, &b.str_len);
	zd_error_destroy(err);
	if (!ok)
		set(why, wlen, "%s: BTF unreadable", md->name);
	else
		ok = btf_members(&b, "pmem_device", members, off, 2, why, wlen);
	free(b.data);
	if (ok) {
		*pgmap_off = off[0];
		*disk_off = off[1];
	}
	return ok;
}

/*
 * Offsets in struct pmem_device: from the module's BTF when nd_pmem is a
 * module, else (built in) from the types half.  Never both: a type the
 * vmlinux lacks costs a DWARF host a scan of every unit, and the module's
 * own BTF is the same for every host.
 */
static bool pmem_offsets(const struct zd_target *t, struct zd_names *m,
			 const struct mod *md, uint64_t *pgmap_off,
			 uint64_t *disk_off, char *why, size_t wlen)
{
	const struct zd_types *ty = &t->host.types;
	uint64_t size;
	struct zd_error *err;

	if (m->pmem_tried && m->pmem_module == (md ? md->addr : 0)) {
		*pgmap_off = m->pmem_pgmap;
		*disk_off = m->pmem_disk;
		set(why, wlen, "%s", m->pmem_why);
		return m->pmem_ok;
	}
	m->pmem_tried = true;
	m->pmem_module = md ? md->addr : 0;
	m->pmem_why[0] = '\0';
	if (md) {
		m->pmem_ok =
			pmem_layout(t, m, md, &m->pmem_pgmap, &m->pmem_disk,
				    m->pmem_why, sizeof(m->pmem_why));
	} else {
		err = ty->member(ty->arg, "pmem_device", "pgmap",
				 &m->pmem_pgmap, &size);
		if (!err)
			err = ty->member(ty->arg, "pmem_device", "disk",
					 &m->pmem_disk, &size);
		m->pmem_ok = !err;
		zd_error_destroy(err);
		if (!m->pmem_ok)
			WHY(m->pmem_why, "struct pmem_device not in the types");
	}
	*pgmap_off = m->pmem_pgmap;
	*disk_off = m->pmem_disk;
	set(why, wlen, "%s", m->pmem_why);
	return m->pmem_ok;
}

/*
 * nd_pmem embeds the pgmap in struct pmem_device and sets pgmap.owner to
 * it (drivers/nvdimm/pmem.c@6.1:528, 5.15+), its disk's private_data
 * points back (pmem.c@6.1:560), disk_name is nvdimm_namespace_disk_name()'s
 * "pmem0".  Each link is checked before the name is believed.
 */
static void name_disk(const struct zd_target *t, struct zd_names *c,
		      const struct modlist *m, struct zd_pgmap *pg)
{
	struct zd_pgmap_names *nm = &pg->desc.names;
	const struct zd_names_layout *n = &t->lay.nm;
	uint64_t pgmap_off, disk_off, pmem, disk, back;
	const char *ops = nm->ops, *pmem_ops = "fsdax_pagemap_ops";
	const struct mod *md;
	char name[256];
	struct zd_error *err;

	/* nd_pmem, or built in: its ops (pmem.c@6.1:528), whoever names it */
	if (strcmp(nm->driver, "nd_pmem") &&
	    (strncmp(ops, pmem_ops, strlen(pmem_ops)) ||
	     (ops[strlen(pmem_ops)] && ops[strlen(pmem_ops)] != ' '))) {
		WHY(nm->disk_why, "no disk: not an nd_pmem pgmap");
		return;
	}
	md = module_named(m, "nd_pmem");
	if (!pmem_offsets(t, c, md, &pgmap_off, &disk_off, nm->disk_why,
			  sizeof(nm->disk_why)))
		return;
	if (!n->have_gendisk) {
		WHY(nm->disk_why, "no struct gendisk in the types");
		return;
	}
	pmem = pg->desc.owner ? pg->desc.owner : pg->desc.addr - pgmap_off;
	if (pmem + pgmap_off != pg->desc.addr) {
		WHY(nm->disk_why,
		    "owner 0x%" PRIx64 " is not the pmem_device holding it",
		    pg->desc.owner);
		return;
	}
	if (!zd_try_read_u64(t, pmem + disk_off, &disk)) {
		WHY(nm->disk_why, "pmem_device 0x%" PRIx64 " unreadable", pmem);
		return;
	}
	if (!disk) {
		WHY(nm->disk_why, "pmem_device.disk is NULL");
		return;
	}
	if (!zd_try_read_u64(t, disk + n->gd_private_data, &back) || back != pmem) {
		/*
		 * Unbinding runs devm actions in reverse: pmem_release_disk()
		 * (del_gendisk, put_disk; added at pmem.c@6.1:599) before
		 * memunmap_pages() (devm_memremap_pages() at :533), so the
		 * disk of a pgmap being torn down may be gone, its memory
		 * reused.
		 */
		WHY(nm->disk_why,
		    "gendisk 0x%" PRIx64
		    " does not point back (the disk goes first on unbind)",
		    disk);
		return;
	}
	err = zd_read(t, disk + n->gd_disk_name, name, n->gd_disk_name_len,
		      "gendisk.disk_name");
	if (err || !memchr(name, '\0', n->gd_disk_name_len) || !name[0]) {
		zd_error_destroy(err);
		WHY(nm->disk_why,
		    "disk_name of gendisk 0x%" PRIx64 " unreadable", disk);
		return;
	}
	WHY(nm->disk, "%s", name);
}

void zd_names_resolve(const struct zd_target *t, struct zd_pgmap *pg)
{
	struct zd_pgmap_names *nm = &pg->desc.names;
	struct zd_names tmp = { 0 }, *c = t->names ? t->names : &tmp;
	struct modlist fresh = { 0 };
	struct modlist *m = t->host.mem.live ? &fresh : &c->mods;

	memset(nm, 0, sizeof(*nm));
	nm->resolved = true;
	if (!m->loaded)
		modules_load(t, m);
	name_iomem(t, pg);
	name_symbols(t, m, pg);
	name_disk(t, c, m, pg);
	zd_devres_name(t, c->devres, pg);
	free(fresh.mods);
	free(tmp.mods.mods);
}
