/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's symbol table without a vmlinux: decoded from the kallsyms
 * tables in kernel memory (a dump or /proc/kcore; VMCOREINFO locates them
 * since 6.0), or parsed from /proc/kallsyms or a System.map.
 *
 * kallsyms has no sizes and no types beyond the nm letter; a symbol's size
 * here is the distance to the next higher address.  Indexed once when
 * built; lookups do not change it, so a built table may be shared.
 */
#ifndef ZDREF_CLI_KALLSYMS_H
#define ZDREF_CLI_KALLSYMS_H

#include <stddef.h>
#include <stdint.h>

#include "zdref/error.h"

struct zd_kallsyms;

/* Read len bytes of kernel virtual memory at addr; all of them or an error. */
typedef struct zd_error *(*zd_ks_read_fn)(void *arg, uint64_t addr, void *buf,
					  size_t len);

/*
 * Where VMCOREINFO says the tables are (its SYMBOL(kallsyms_*) lines,
 * kernels >= 6.0; 0 = the line is absent), and SYMBOL(_stext) to check the
 * decoding against.  All are run-time (KASLR-relocated) addresses.
 */
struct zd_kallsyms_tables {
	uint64_t names, num_syms, token_table, token_index;
	uint64_t offsets, relative_base; /* KALLSYMS_BASE_RELATIVE */
	uint64_t addresses; /* !KALLSYMS_BASE_RELATIVE */
	uint64_t stext;
};

/*
 * Decode the tables from kernel memory through read.  The length and
 * address encodings are chosen by checks (every name well formed, the
 * stream holding exactly num_syms records, _stext at tab->stext, addresses
 * in order), never by version; ZD_ERR_FORMAT says what did not match,
 * ZD_ERR_INVALID that the tables are torn or absurd, ZD_ERR_NOTFOUND that
 * tab lacks a table or _stext.
 */
struct zd_error *zd_kallsyms_decode(zd_ks_read_fn read, void *arg,
				    const struct zd_kallsyms_tables *tab,
				    struct zd_kallsyms **ret);

/*
 * Parse "ADDR TYPE NAME [\t[module]]" lines: /proc/kallsyms, or a
 * System.map with offset (VMCOREINFO KERNELOFFSET) added to the addresses
 * in the kernel half; addresses below it (x86_64's per-CPU offsets,
 * absolute values) are not moved by KASLR and stay as they are.  Module
 * symbols are kept with their module.  A file whose addresses are all
 * zero (kptr_restrict) is ZD_ERR_INVALID "addresses hidden".
 */
struct zd_error *zd_kallsyms_parse(const char *path, uint64_t offset,
				   struct zd_kallsyms **ret);

/*
 * Address of a symbol by name.  Among duplicates a vmlinux symbol wins
 * over a module's, then a global (upper-case type) over a local one, then
 * the first in table order.  *size (size may be NULL) is the distance to
 * the next higher distinct address, capped at 1 MiB; 0 for the highest
 * symbol.  ZD_ERR_NOTFOUND if absent.
 */
struct zd_error *zd_kallsyms_lookup(const struct zd_kallsyms *ks,
				    const char *name, uint64_t *addr,
				    uint64_t *size);

/*
 * The symbol containing addr: the greatest address <= addr with addr below
 * both the next higher symbol and that address + 1 MiB (the highest symbol
 * matches only exactly).  Of symbols sharing an address the first in table
 * order is named, as the kernel's own lookup does.  The name is truncated
 * to fit; offset may be NULL.  ZD_ERR_NOTFOUND if none.
 */
struct zd_error *zd_kallsyms_symbolize(const struct zd_kallsyms *ks,
				       uint64_t addr, char *name, size_t len,
				       uint64_t *offset);

/* Module of the symbol symbolize would name for addr; NULL for vmlinux or
 * no symbol. */
const char *zd_kallsyms_module(const struct zd_kallsyms *ks, uint64_t addr);

size_t zd_kallsyms_count(const struct zd_kallsyms *ks);

/* How the table was read ("two-byte lengths, absolute-percpu", ...), for
 * a diagnostic line. */
const char *zd_kallsyms_encoding(const struct zd_kallsyms *ks);

void zd_kallsyms_free(struct zd_kallsyms *ks);

#endif /* ZDREF_CLI_KALLSYMS_H */
