/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host boundary.  The core never knows where kernel memory, symbols and
 * types come from: each front end (crash extension, standalone over
 * libkdumpfile + libdw, unit-test fake over byte images) fills in a
 * struct zd_host and the core asks through it.
 *
 * Every callback returns NULL on success or a struct zd_error the core takes
 * ownership of.  Callbacks must not print, exit or longjmp.
 */
#ifndef ZDREF_HOST_H
#define ZDREF_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct zd_host {
	void *arg;

	/*
	 * Read len bytes of kernel virtual memory.  All or nothing: a read
	 * that cannot be completed fails with ZD_ERR_FAULT (not in the dump,
	 * not mapped) or ZD_ERR_EXCLUDED (filtered out).  The core reads in
	 * large batches and narrows down itself when a batch fails.
	 */
	struct zd_error *(*read)(void *arg, uint64_t addr, void *buf,
				 size_t len);

	/*
	 * Run-time (relocated) address of a kernel symbol, and its size in
	 * bytes if the host knows it (else 0).  ZD_ERR_NOTFOUND if absent.
	 */
	struct zd_error *(*symbol)(void *arg, const char *name, uint64_t *addr,
				   uint64_t *size);

	/*
	 * Optional: name of the symbol that contains addr, and addr's offset
	 * into it.  ZD_ERR_NOTFOUND if none.
	 */
	struct zd_error *(*symbolize)(void *arg, uint64_t addr, char *name,
				      size_t len, uint64_t *offset);

	/*
	 * Size of a type: "page" finds struct page (or union page, or a
	 * typedef of that name).  ZD_ERR_NOTFOUND if absent.
	 */
	struct zd_error *(*type_size)(void *arg, const char *type,
				      uint64_t *size);

	/*
	 * Offset and size of a member of a struct or union, looking through
	 * anonymous structs and unions.  ZD_ERR_NOTFOUND if the type or the
	 * member is absent.
	 */
	struct zd_error *(*member)(void *arg, const char *type,
				   const char *member, uint64_t *offset,
				   uint64_t *size);

	/* Value of an enumerator ("MEMORY_DEVICE_FS_DAX"). */
	struct zd_error *(*enumerator)(void *arg, const char *name,
				       int64_t *value);

	/*
	 * Kernel constants the dump describes rather than the types:
	 * "PAGE_SHIFT", "SECTION_SIZE_BITS", "MAX_PHYSMEM_BITS".
	 * ZD_ERR_NOTFOUND if the host does not know.
	 */
	struct zd_error *(*number)(void *arg, const char *name,
				   uint64_t *value);

	/*
	 * Optional: the per-CPU offsets of the possible CPUs, in CPU order.
	 * When NULL, the core reads __cpu_possible_mask and __per_cpu_offset
	 * itself.
	 */
	struct zd_error *(*cpu_offsets)(void *arg, uint64_t *offsets,
					unsigned int max, unsigned int *n);
};

#endif /* ZDREF_HOST_H */
