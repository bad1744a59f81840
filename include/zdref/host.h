/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The host boundary.  The core never knows where kernel memory, symbols and
 * types come from.  It sees two small tables of callbacks, each with its
 * own arg, and a front end picks one of each:
 *
 *   memory   a dump or /proc/kcore through libkdumpfile; crash's readmem;
 *            a byte image in the unit tests
 *   types    DWARF of a vmlinux (libdw); BTF + kallsyms; crash's gdb
 *
 * Every callback returns NULL on success or a struct zd_error the core takes
 * ownership of.  Callbacks must not print, exit or longjmp.
 */
#ifndef ZDREF_HOST_H
#define ZDREF_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct zd_memory {
	void *arg;

	/*
	 * The running kernel (/proc/kcore): memory moves under the reader,
	 * and what kcore cannot map may read as zeros without an error.  The
	 * core then reads a pgmap's count around its walk, walks again when
	 * it moved, re-reads suspect pages, and never takes an all-zero
	 * struct page for refcount 0.
	 */
	bool live;

	/*
	 * Read len bytes of kernel virtual memory.  All or nothing: a read
	 * that cannot be completed fails with ZD_ERR_FAULT (not in the dump,
	 * not mapped) or ZD_ERR_EXCLUDED (filtered out).  The core reads in
	 * large batches and narrows down itself when a batch fails.
	 */
	struct zd_error *(*read)(void *arg, uint64_t addr, void *buf,
				 size_t len);

	/*
	 * The value of one VMCOREINFO line ("PAGESIZE",
	 * "NUMBER(SECTION_SIZE_BITS)", "KERNELOFFSET"), NUL-terminated in
	 * buf.  ZD_ERR_NOTFOUND if the line is absent.  The core derives the
	 * kernel's constants from these, with the defaults of old kernels,
	 * in one place (lib/constants.c).
	 */
	struct zd_error *(*vmcoreinfo)(void *arg, const char *key, char *buf,
				       size_t len);
};

struct zd_types {
	void *arg;

	/*
	 * Run-time (relocated) address of a kernel symbol, and its size in
	 * bytes if the source knows it (else 0).  ZD_ERR_NOTFOUND if absent.
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
	 * Optional, and never needed for a correct answer: the types asked
	 * for next are local to the source file of this function (struct
	 * devres of drivers/base/devres.c).  A host with a lazy index
	 * indexes that file first instead of every one before it.
	 */
	void (*hint_unit)(void *arg, const char *function);
};

struct zd_host {
	struct zd_memory mem;
	struct zd_types types;
};

#endif /* ZDREF_HOST_H */
