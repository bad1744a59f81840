/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to the files behind cli/debuginfo.h: the state of an open
 * vmlinux and the helpers they share.  The file is mapped, not read:
 * symbol names and DWARF names are pointers into libelf's mapping and stay
 * valid until close, so the indexes never copy a string.
 */
#ifndef ZDREF_CLI_DEBUGINFO_PRIV_H
#define ZDREF_CLI_DEBUGINFO_PRIV_H

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

uint32_t di_name_hash(const char *s);
struct name_slot *di_nidx_slot(const struct zd_debuginfo *di,
			       const struct name_index *ni, const char *name,
			       uint32_t h);
bool di_nidx_get(const struct zd_debuginfo *di, const struct name_index *ni,
		 const char *name, uint32_t *item);
int di_nidx_reserve(struct name_index *ni, size_t n);
struct name_slot *di_nidx_add(const struct zd_debuginfo *di,
			      struct name_index *ni, const char *name,
			      bool *added);
void di_nidx_free(struct name_index *ni);
int di_grow(void **arr, size_t *cap, size_t n, size_t size);
const char *di_type_name(const struct zd_debuginfo *di, uint32_t item);
const char *di_enum_name(const struct zd_debuginfo *di, uint32_t item);
struct zd_error *di_nomem(void);
struct zd_error *di_elf_err(const char *path, const char *what);
struct zd_error *di_dwarf_bad(struct zd_debuginfo *di, const char *what,
			      Dwarf_Off off);
int di_tag_kind(int tag);
const char *di_kind_word(int kind);
int di_next_child(Dwarf_Die *die, Dwarf_Off *prev);
int di_first_child(Dwarf_Die *parent, Dwarf_Die *die, Dwarf_Off *prev);
struct zd_error *di_scan_next_unit(struct zd_debuginfo *di);
void di_scan_unit_at(struct zd_debuginfo *di, uint64_t addr);
struct zd_error *di_scan_failed(struct zd_debuginfo *di, const char *what,
				const char *name);
struct zd_error *di_find_type(struct zd_debuginfo *di, const char *name,
			      unsigned int mask, Dwarf_Die *die, int *kindp);

#endif /* ZDREF_CLI_DEBUGINFO_PRIV_H */
