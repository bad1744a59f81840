/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_KDUMP_HOST_H
#define ZDREF_CLI_KDUMP_HOST_H

#include "zdref/host.h"

/*
 * The standalone host: kernel memory from a dump through libkdumpfile,
 * symbols and types from the matching vmlinux through libdw.
 */
struct zd_kdump;

/* Open a vmcore (ELF, kdump-compressed, or flattened). */
struct zd_error *zd_kdump_open(const char *path, struct zd_kdump **ret);
/* OSRELEASE from the dump's VMCOREINFO. */
const char *zd_kdump_release(const struct zd_kdump *k);
/* Find (when vmlinux is NULL) or open the vmlinux, and check it matches. */
struct zd_error *zd_kdump_attach_vmlinux(struct zd_kdump *k,
					 const char *vmlinux);
void zd_kdump_host(struct zd_kdump *k, struct zd_host *host);
/* Reads served so far, for --stats. */
void zd_kdump_stats(const struct zd_kdump *k, uint64_t *reads, uint64_t *bytes);
void zd_kdump_close(struct zd_kdump *k);

#endif /* ZDREF_CLI_KDUMP_HOST_H */
