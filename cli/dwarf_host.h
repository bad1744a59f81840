/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_DWARF_HOST_H
#define ZDREF_CLI_DWARF_HOST_H

#include "zdref/host.h"

/*
 * The types-and-symbols half from a vmlinux with DWARF: types through
 * libdw, symbols from .symtab moved by KERNELOFFSET (KASLR).
 */
struct zd_dwarf_host;

/*
 * Open vmlinux, or when NULL find the one of release in the usual places
 * (cli/debuginfo.h), and refuse it unless its build-id (when both have
 * one) and release match the kernel's.
 */
struct zd_error *zd_dwarf_host_open(const char *vmlinux, const char *release,
				    const char *build_id,
				    uint64_t kernel_offset,
				    struct zd_dwarf_host **ret);
void zd_dwarf_host_types(struct zd_dwarf_host *d, struct zd_types *types);
void zd_dwarf_host_close(struct zd_dwarf_host *d);

#endif /* ZDREF_CLI_DWARF_HOST_H */
