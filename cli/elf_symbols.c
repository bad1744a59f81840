// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ELF .symtab symbols of a vmlinux: by name (global wins over local) and by address.
 * (cli/debuginfo.h is the interface; debuginfo_priv.h the shared state.)
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

#include "debuginfo_priv.h"

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
		return di_elf_err(di->path, "reading .symtab header");
	data = elf_getdata(di->symtab, NULL);
	entsize = gelf_fsize(di->elf, ELF_T_SYM, 1, EV_CURRENT);
	if (!data || !entsize)
		return di_elf_err(di->path, "reading .symtab");
	/* Count from the data libelf really has, never from sh_size. */
	n = data->d_size / entsize;
	if (n > INT32_MAX)
		return zd_error_create(ZD_ERR_FORMAT,
				       "vmlinux %s: .symtab too large",
				       di->path);
	di->sym_index.name_of = sym_name;
	if (di_nidx_reserve(&di->sym_index, n))
		return di_nomem();
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
		slot = di_nidx_add(di, &di->sym_index, name, &added);
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
	di_nidx_free(&di->sym_index);
	di->sym_index.used = 0;
	di->symdata = NULL;
	return di_elf_err(di->path, "reading .symtab");
nomem:
	di_nidx_free(&di->sym_index);
	di->sym_index.used = 0;
	di->symdata = NULL;
	return di_nomem();
}

/*
 * KASLR moves the kernel image, not the zero-based per-CPU offsets of
 * x86_64 SMP (.data..percpu linked at 0; 6.15's
 * "x86/percpu/64: Use relative percpu offsets", which let 01157ddc58dc
 * remove KALLSYMS_ABSOLUTE_PERCPU, links it inside the image, and KASLR
 * then moves it with the rest).
 */
static bool symbol_fixed(struct zd_debuginfo *di, const GElf_Sym *es)
{
	Elf_Scn *scn;
	GElf_Shdr sh;
	const char *name;
	size_t shstrndx;

	if (es->st_shndx >= SHN_LORESERVE ||
	    !(scn = elf_getscn(di->elf, es->st_shndx)) ||
	    !gelf_getshdr(scn, &sh) || elf_getshdrstrndx(di->elf, &shstrndx))
		return false;
	name = elf_strptr(di->elf, shstrndx, sh.sh_name);
	return name && !strcmp(name, ".data..percpu") && sh.sh_addr == 0;
}

struct zd_error *zd_debuginfo_symbol(struct zd_debuginfo *di, const char *name,
				     uint64_t *value, uint64_t *size,
				     bool *fixed)
{
	struct zd_error *err = load_symbols(di);
	uint32_t ndx;
	GElf_Sym es;

	if (err)
		return err;
	if (!di_nidx_get(di, &di->sym_index, name, &ndx))
		return zd_error_create(ZD_ERR_NOTFOUND,
				       "vmlinux %s: no symbol '%s'", di->path,
				       name);
	if (!gelf_getsym(di->symdata, (int)ndx, &es))
		return di_elf_err(di->path, "reading .symtab");
	*value = es.st_value;
	if (size)
		*size = es.st_size;
	if (fixed)
		*fixed = symbol_fixed(di, &es);
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
		return di_nomem();
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
		if (di_grow((void **)&di->by_addr, &cap, di->nr_by_addr,
			    sizeof(*di->by_addr))) {
			free(di->by_addr);
			di->by_addr = NULL;
			di->nr_by_addr = 0;
			return di_nomem();
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
			return di_elf_err(di->path, "reading .symtab");
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

void zd_debuginfo_hint_unit(struct zd_debuginfo *di, const char *function)
{
	uint64_t value = 0;
	struct zd_error *err = zd_debuginfo_symbol(di, function, &value, NULL,
						   NULL);

	if (!err)
		di_scan_unit_at(di, value);
	zd_error_destroy(err);
}
