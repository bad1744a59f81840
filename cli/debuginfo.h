/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Symbols and types of a vmlinux, for the standalone front end: ELF symbols
 * through libelf, DWARF types through libdw.
 *
 * A vmlinux has no name index (.debug_names), and walking all of its DWARF
 * costs most of a second, so types are indexed lazily: a lookup that misses
 * scans further compilation units only until the name turns up.  Common
 * types are defined early, so a typical run touches a tenth of the CUs.
 *
 * Not thread-safe: lookups update the lazy indexes.
 */
#ifndef ZDREF_CLI_DEBUGINFO_H
#define ZDREF_CLI_DEBUGINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zdref/error.h"

struct zd_debuginfo;

/* Open a vmlinux (ELF with DWARF; must have .symtab).  Cheap: DWARF is
 * indexed lazily. */
struct zd_error *zd_debuginfo_open(const char *path, struct zd_debuginfo **ret);
void zd_debuginfo_close(struct zd_debuginfo *di);

/* GNU build-id of the ELF as lowercase hex, or NULL if it has none. */
const char *zd_debuginfo_build_id(const struct zd_debuginfo *di);

/*
 * Kernel release ("6.1.0-56-cloud-amd64") from the linux_banner string
 * ("Linux version <release> (...") in the file's section data.
 */
struct zd_error *zd_debuginfo_release(struct zd_debuginfo *di, char *buf,
				      size_t len);

/*
 * Link-time value and size of a .symtab symbol (no KASLR; per-CPU symbols
 * are offsets into .data..percpu).  A global symbol wins over a local one of
 * the same name.  *fixed (if not NULL): KASLR does not move the value (a
 * zero-based per-CPU offset).  ZD_ERR_NOTFOUND if absent.
 */
struct zd_error *zd_debuginfo_symbol(struct zd_debuginfo *di, const char *name,
				     uint64_t *value, uint64_t *size,
				     bool *fixed);

/*
 * The function or object symbol whose [value, value + size) contains value
 * (a zero-sized one only at its exact address), and the offset into it.
 * The name is truncated to fit buf.  ZD_ERR_NOTFOUND if none.
 */
struct zd_error *zd_debuginfo_symbolize(struct zd_debuginfo *di, uint64_t value,
					char *name, size_t len,
					uint64_t *offset);

/*
 * Size of a type by bare name: "page" is struct page, else union page, else
 * a typedef page (peeled), else enum page.  Only complete definitions count.
 * The lazy scan stops at the first kind it meets, so when a name is both a
 * typedef and a struct the answer may come from either; in C the two name
 * the same thing.
 */
struct zd_error *zd_debuginfo_type_size(struct zd_debuginfo *di,
					const char *type, uint64_t *size);

/*
 * Offset and size of a member, looking through anonymous struct and union
 * members.  A flexible array has size 0; a bitfield gives the offset and
 * size of its storage unit.
 */
struct zd_error *zd_debuginfo_member(struct zd_debuginfo *di, const char *type,
				     const char *member, uint64_t *offset,
				     uint64_t *size);

/* Value of an enumerator, searched across all top-level enumerations. */
/* Index the unit of this function's code first (a lookup hint). */
void zd_debuginfo_hint_unit(struct zd_debuginfo *di, const char *function);

struct zd_error *zd_debuginfo_enumerator(struct zd_debuginfo *di,
					 const char *name, int64_t *value);

/*
 * Look for the vmlinux of release in the usual places, in this order:
 * $ZDREF_VMLINUX_DIR/vmlinux-<release> (if set),
 * /usr/lib/debug/boot/vmlinux-<release>,
 * /usr/lib/debug/lib/modules/<release>/vmlinux,
 * /lib/modules/<release>/build/vmlinux, /boot/vmlinux-<release>,
 * ./vmlinux-<release>.  The first readable regular file wins; it is not
 * opened or checked.  ZD_ERR_NOTFOUND lists where it looked.
 */
struct zd_error *zd_debuginfo_find(const char *release, char *path, size_t len);

#endif /* ZDREF_CLI_DEBUGINFO_H */
