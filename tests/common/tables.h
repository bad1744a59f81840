/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The types half (and VMCOREINFO lines) of the fake hosts of the tests:
 * tables of symbols, types, members, enumerators and VMCOREINFO lines,
 * answered as struct zd_types answers.  Shared by tests/unit/fakehost.c
 * (cmocka unit tests) and tests/fuzz/fuzzhost.c (fuzz targets, which must
 * not link cmocka and never abort on what an input says): each keeps its
 * own memory half and decides what a full table means.
 *
 * Names are not copied: string literals, or strings that outlive the
 * tables.
 */
#ifndef ZDREF_TESTS_TABLES_H
#define ZDREF_TESTS_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zdref/host.h"

#define ZT_MAX_SYMS 96
#define ZT_MAX_TYPES 96
#define ZT_MAX_MEMBERS 320
#define ZT_MAX_ENUMS 32
#define ZT_MAX_NUMBERS 8

struct zt_sym {
	const char *name;
	uint64_t addr, size;
};

struct zt_type {
	const char *name;
	uint64_t size;
};

struct zt_member {
	const char *type, *member;
	uint64_t offset, size;
};

struct zt_enum {
	const char *name;
	int64_t value;
};

struct zt_number {
	const char *name;
	char value[24]; /* the line's text, so malformed numbers can be given */
};

struct zt_tables {
	struct zt_sym syms[ZT_MAX_SYMS];
	size_t nsyms;
	struct zt_type types[ZT_MAX_TYPES];
	size_t ntypes;
	struct zt_member members[ZT_MAX_MEMBERS];
	size_t nmembers;
	struct zt_enum enums[ZT_MAX_ENUMS];
	size_t nenums;
	struct zt_number numbers[ZT_MAX_NUMBERS];
	size_t nnumbers;
};

/* Point every callback of types at t (symbolize included). */
void zt_types_half(struct zt_tables *t, struct zd_types *types);

/* Lookups, as the callbacks answer them (ZD_ERR_NOTFOUND if absent). */
struct zd_error *zt_symbol(const struct zt_tables *t, const char *name,
			   uint64_t *addr, uint64_t *size);
struct zd_error *zt_vmcoreinfo(const struct zt_tables *t, const char *key,
			       char *buf, size_t len);

/* Additions return false when the table is full. */
bool zt_add_symbol(struct zt_tables *t, const char *name, uint64_t addr,
		   uint64_t size);
bool zt_add_type(struct zt_tables *t, const char *name, uint64_t size);
bool zt_add_member(struct zt_tables *t, const char *type, const char *member,
		   uint64_t offset, uint64_t size);
bool zt_add_layout(struct zt_tables *t, const struct zt_member *m, size_t nm,
		   const struct zt_type *ty, size_t nt);
/* An enumerator or a VMCOREINFO line replaces one of the same name. */
bool zt_set_enum(struct zt_tables *t, const char *name, int64_t value);
bool zt_set_number(struct zt_tables *t, const char *name, const char *text);
/* Removals take every entry of that name. */
void zt_remove_symbol(struct zt_tables *t, const char *name);
void zt_remove_member(struct zt_tables *t, const char *type,
		      const char *member);
void zt_remove_enum(struct zt_tables *t, const char *name);

/*
 * The 6.1 x86_64 layout both hosts start from: include/linux/mm_types.h,
 * memremap.h, percpu-refcount.h, mmzone.h, xarray.h, completion.h,
 * swait.h of 6.1 (pahole of a 6.1 build; kernel-model.md §2.4, §4.1,
 * §5.1).  task_struct offsets are our own.
 */
#define ZT_TASK_STATE 0x18
#define ZT_TASK_PID 0x80
#define ZT_TASK_COMM 0xc0
#define ZT_TASK_SIZE 0x100
extern const struct zt_member zt_layout_6_1[];
extern const size_t zt_layout_6_1_len;
extern const struct zt_type zt_types_6_1[];
extern const size_t zt_types_6_1_len;

#endif /* ZDREF_TESTS_TABLES_H */
