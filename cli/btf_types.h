/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Types from the kernel's own BTF, for the standalone front end when there
 * is no vmlinux with DWARF: the bytes between __start_BTF and __stop_BTF of
 * a dump, or /sys/kernel/btf/vmlinux on a live system.
 *
 * The questions and answers are those of cli/debuginfo.h, byte for byte,
 * so the core cannot tell which of the two it is talking to.  BTF is parsed
 * by libbpf after the header has been checked here; the names the core asks
 * for are indexed once at load, since libbpf can only scan for them.
 *
 * Not thread-safe: loading silences libbpf's process-wide log while it
 * parses.
 */
#ifndef ZDREF_CLI_BTF_TYPES_H
#define ZDREF_CLI_BTF_TYPES_H

#include <stddef.h>
#include <stdint.h>

#include "zdref/error.h"

struct zd_btf;

/*
 * Load raw BTF (not split BTF, not an ELF file).  The bytes are copied: the
 * caller may free data on return.  A header that does not describe data
 * inside len, or a type section libbpf cannot walk, is ZD_ERR_FORMAT.
 */
struct zd_error *zd_btf_from_bytes(const void *data, size_t len,
				   struct zd_btf **ret);

/* Load raw BTF from a file, e.g. /sys/kernel/btf/vmlinux. */
struct zd_error *zd_btf_from_file(const char *path, struct zd_btf **ret);

/*
 * Size of a type by bare name: "page" is struct page, else union page, else
 * a typedef page (peeled), else enum page.  Forward declarations (FWD, and
 * an ENUM without enumerators) never answer.  As zd_debuginfo_type_size().
 */
struct zd_error *zd_btf_type_size(struct zd_btf *b, const char *type,
				  uint64_t *size);

/*
 * Offset and size of a member, looking through anonymous struct and union
 * members.  A flexible array has size 0; a bitfield gives the offset of its
 * storage unit and the size of its declared type.  size may be NULL.  As
 * zd_debuginfo_member().
 */
struct zd_error *zd_btf_member(struct zd_btf *b, const char *type,
			       const char *member, uint64_t *offset,
			       uint64_t *size);

/* Value of an enumerator, searched across every ENUM and ENUM64. */
struct zd_error *zd_btf_enumerator(struct zd_btf *b, const char *name,
				   int64_t *value);

/* Number of types, not counting void (type ids 1 .. count). */
size_t zd_btf_type_count(const struct zd_btf *b);

void zd_btf_free(struct zd_btf *b);

#endif /* ZDREF_CLI_BTF_TYPES_H */
