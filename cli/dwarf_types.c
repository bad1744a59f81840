// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Type sizes, members (through anonymous members) and enumerators from the DWARF index.
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
		kind = di_tag_kind(tag);
		if (kind < 0 || !dwarf_hasattr(die, DW_AT_declaration))
			return NULL;
		name = dwarf_diename(die);
		if (!name)
			return zd_error_create(
				ZD_ERR_INVALID,
				"vmlinux %s: type '%s' is an anonymous declaration",
				di->path, what);
		err = di_find_type(di, name, 1u << kind, die, NULL);
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

	err = di_find_type(di, type, KIND_ANY, &die, NULL);
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
	for (r = di_first_child(agg, &m, &prev); !r;
	     r = di_next_child(&m, &prev)) {
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
			return di_dwarf_bad(di, "member location", prev);
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
		return di_dwarf_bad(di, "member", prev);
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

	err = di_find_type(di, type, KIND_ANY, &die, NULL);
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
	snprintf(what, sizeof(what), "%s%s", di_kind_word(kind), type);
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
	/*
	 * gcc stores small positive values in the smallest dataN form and
	 * negative ones as sdata: a dataN constant is sign-extended only when
	 * it is as wide as a signed enum itself (CPUHP_AP_TEGRA_TIMER_STARTING
	 * is 128 in a 1-byte data1 of a 4-byte enum, not -128).
	 */
	if (bits < 64 && (u >> (bits - 1)) & 1 && enum_is_signed(en) &&
	    dwarf_bytesize(en) * 8 == (int)bits)
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

	while (!di_nidx_get(di, &di->enum_index, name, &idx)) {
		if (di->scan_errmsg)
			return di_scan_failed(di, "enumerator", name);
		if (di->scan_done)
			return zd_error_create(ZD_ERR_NOTFOUND,
					       "vmlinux %s: no enumerator '%s'",
					       di->path, name);
		err = di_scan_next_unit(di);
		if (err)
			return err;
	}
	enoff = di->enums[idx].enumeration;
	if (!dwarf_offdie(di->dwarf, enoff, &en))
		return di_dwarf_bad(di, "enumeration", enoff);
	for (r = di_first_child(&en, &e, &prev); !r;
	     r = di_next_child(&e, &prev)) {
		const char *n = dwarf_diename(&e);

		if (dwarf_tag(&e) != DW_TAG_enumerator || !n || strcmp(n, name))
			continue;
		if (enumerator_value(&en, &e, value))
			return di_dwarf_bad(di, "enumerator value", prev);
		return NULL;
	}
	return di_dwarf_bad(di, "enumeration", enoff);
}

/* ---- finding a vmlinux ------------------------------------------------- */
