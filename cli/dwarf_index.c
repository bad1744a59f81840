// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lazy DWARF index: compilation units are scanned only until a name turns up.
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

struct zd_error *di_dwarf_bad(struct zd_debuginfo *di, const char *what,
			      Dwarf_Off off)
{
	const char *msg = dwarf_errmsg(-1);

	return zd_error_create(ZD_ERR_FORMAT,
			       "vmlinux %s: bad DWARF %s at %#llx%s%s",
			       di->path, what, (unsigned long long)off,
			       msg ? ": " : "", msg ? msg : "");
}

int di_tag_kind(int tag)
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

const char *di_kind_word(int kind)
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

	slot = di_nidx_add(di, &di->type_index, name, &added);
	if (!slot)
		return -1;
	if (added) {
		if (di_grow((void **)&di->types, &di->cap_types, di->nr_types,
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
int di_next_child(Dwarf_Die *die, Dwarf_Off *prev)
{
	int r = dwarf_siblingof(die, die);

	if (r)
		return r;
	if (dwarf_dieoffset(die) <= *prev)
		return -1;
	*prev = dwarf_dieoffset(die);
	return 0;
}

int di_first_child(Dwarf_Die *parent, Dwarf_Die *die, Dwarf_Off *prev)
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

	for (r = di_first_child(en, &e, &prev); !r;
	     r = di_next_child(&e, &prev)) {
		struct name_slot *slot;
		const char *name;
		bool added;

		if (dwarf_tag(&e) != DW_TAG_enumerator)
			continue;
		name = dwarf_diename(&e);
		if (!name)
			continue;
		slot = di_nidx_add(di, &di->enum_index, name, &added);
		if (!slot)
			return -2;
		if (!added)
			continue;
		if (di_grow((void **)&di->enums, &di->cap_enums, di->nr_enums,
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

	if (!name || !di_nidx_get(di, &di->type_index, name, &idx))
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

	for (r = di_first_child(cudie, &die, &prev); !r;
	     r = di_next_child(&die, &prev)) {
		int tag = dwarf_tag(&die), kind = di_tag_kind(tag);
		const char *name;

		if (kind < 0 || dwarf_hasattr(&die, DW_AT_declaration))
			continue;
		name = dwarf_diename(&die);
		if (name && add_type(di, name, kind, prev))
			return di_nomem();
		if (tag == DW_TAG_enumeration_type &&
		    !enum_seen(di, name, &die)) {
			r = index_enumerators(di, &die);
			if (r == -2)
				return di_nomem();
			if (r < 0)
				return di_dwarf_bad(di, "enumeration", prev);
		}
	}
	if (r < 0)
		return di_dwarf_bad(di, "DIE", prev);
	return NULL;
}

/*
 * Index the unit whose code holds addr (.debug_aranges), ahead of the
 * scan: a type local to one file is then found without indexing every
 * unit before it.  Best effort: the scan reaches this unit again later
 * (its types are already there: the first definition wins), and reports
 * any error it holds then.
 */
void di_scan_unit_at(struct zd_debuginfo *di, uint64_t addr)
{
	Dwarf_Die cudie;

	if (!di->dwarf || di->scan_done || di->scan_errmsg ||
	    !dwarf_addrdie(di->dwarf, addr, &cudie))
		return;
	zd_error_destroy(scan_unit(di, &cudie));
}

/* Index one more unit; sets scan_done after the last. */
struct zd_error *di_scan_next_unit(struct zd_debuginfo *di)
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
		err = di_dwarf_bad(di, "unit", di->scan_off);
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

struct zd_error *di_scan_failed(struct zd_debuginfo *di, const char *what,
				const char *name)
{
	return zd_error_create(
		ZD_ERR_FORMAT,
		"vmlinux %s: looking up %s '%s': DWARF index incomplete (%s)",
		di->path, what, name, di->scan_errmsg);
}

/* DIE of a type of one of the kinds in mask, by the order of the kinds. */
struct zd_error *di_find_type(struct zd_debuginfo *di, const char *name,
			      unsigned int mask, Dwarf_Die *die, int *kindp)
{
	struct zd_error *err;
	uint32_t idx;
	int kind;

	for (;;) {
		if (di_nidx_get(di, &di->type_index, name, &idx)) {
			const struct type_ent *t = &di->types[idx];

			for (kind = 0; kind < NR_KINDS; kind++) {
				Dwarf_Off off = t->off[kind];

				if (!(mask & (1u << kind)) || !off)
					continue;
				if (!dwarf_offdie(di->dwarf, off, die))
					return di_dwarf_bad(di, "type", off);
				if (kindp)
					*kindp = kind;
				return NULL;
			}
		}
		if (di->scan_errmsg)
			return di_scan_failed(di, "type", name);
		if (di->scan_done)
			return zd_error_create(ZD_ERR_NOTFOUND,
					       "vmlinux %s: no DWARF type '%s'",
					       di->path, name);
		err = di_scan_next_unit(di);
		if (err)
			return err;
	}
}

/* DIE a type attribute points to; false for none (void). */
