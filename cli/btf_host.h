/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_BTF_HOST_H
#define ZDREF_CLI_BTF_HOST_H

#include "kallsyms.h"
#include "zdref/host.h"

/*
 * The types-and-symbols half without debuginfo: types from the kernel's
 * BTF, symbols from kallsyms.  On a dump both come out of kernel memory:
 * the kallsyms tables VMCOREINFO locates (kernels >= 6.0), the BTF between
 * __start_BTF and __stop_BTF.  Live, /sys/kernel/btf/vmlinux and
 * /proc/kallsyms.  A System.map stands in for kallsyms on older kernels.
 */
struct zd_btf_host;

/* VMCOREINFO lookups of the memory half. */
typedef struct zd_error *(*zd_info_fn)(void *arg, const char *key, char *buf,
				       size_t len);

/*
 * From kernel memory.  system_map, when given, replaces the kallsyms
 * tables (its addresses moved by KERNELOFFSET).  whose names the memory
 * for messages: "the dump", "the running kernel".
 */
struct zd_error *zd_btf_host_from_memory(zd_ks_read_fn read, zd_info_fn info,
					 void *arg, const char *system_map,
					 const char *whose,
					 struct zd_btf_host **ret);
/* From files: a raw BTF blob and a kallsyms-format symbol list. */
struct zd_error *zd_btf_host_from_files(const char *btf_path,
					const char *kallsyms_path,
					struct zd_btf_host **ret);
/* One line for stderr: where the types and symbols came from. */
const char *zd_btf_host_describe(const struct zd_btf_host *b);
void zd_btf_host_types(struct zd_btf_host *b, struct zd_types *types);
void zd_btf_host_close(struct zd_btf_host *b);

#endif /* ZDREF_CLI_BTF_HOST_H */
