/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_KDUMP_MEMORY_H
#define ZDREF_CLI_KDUMP_MEMORY_H

#include "zdref/host.h"

/*
 * The memory half of the standalone host: kernel memory and VMCOREINFO of
 * a dump, through libkdumpfile.
 */
struct zd_kdump;

/* Open a vmcore (ELF, kdump-compressed, or flattened). */
struct zd_error *zd_kdump_open(const char *path, struct zd_kdump **ret);
/* Open the running kernel's /proc/kcore, read-only and uncached. */
struct zd_error *zd_kdump_open_live(const char *path, struct zd_kdump **ret);
/* OSRELEASE, BUILD-ID (NULL if none: before 5.9) and KERNELOFFSET. */
const char *zd_kdump_release(const struct zd_kdump *k);
const char *zd_kdump_build_id(const struct zd_kdump *k);
uint64_t zd_kdump_kernel_offset(const struct zd_kdump *k);
/* One VMCOREINFO line. */
struct zd_error *zd_kdump_vmcoreinfo(struct zd_kdump *k, const char *key,
				     char *buf, size_t len);
/* A read of kernel virtual memory (arg is the struct zd_kdump). */
struct zd_error *zd_kdump_read(void *arg, uint64_t addr, void *buf, size_t len);
void zd_kdump_memory(struct zd_kdump *k, struct zd_memory *m);
/* Reads served so far, for --stats. */
void zd_kdump_stats(const struct zd_kdump *k, uint64_t *reads, uint64_t *bytes);
void zd_kdump_close(struct zd_kdump *k);

#endif /* ZDREF_CLI_KDUMP_MEMORY_H */
