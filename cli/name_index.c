// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Name indexes (open addressing over items of the vmlinux) and small helpers shared by the debuginfo files.
 * (cli/debuginfo.h is the interface; debuginfo_priv.h the shared state.)
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debuginfo_priv.h"

uint32_t di_name_hash(const char *s)
{
	uint32_t h = 0x811c9dc5; /* FNV-1a */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x01000193;
	}
	return h;
}

struct name_slot *di_nidx_slot(const struct zd_debuginfo *di,
			       const struct name_index *ni, const char *name,
			       uint32_t h)
{
	size_t i;

	for (i = h & ni->mask;; i = (i + 1) & ni->mask) {
		struct name_slot *s = &ni->slots[i];
		const char *n;

		if (!s->item)
			return s;
		if (s->hash != h)
			continue;
		n = ni->name_of(di, s->item - 1);
		if (n && !strcmp(n, name))
			return s;
	}
}

bool di_nidx_get(const struct zd_debuginfo *di, const struct name_index *ni,
		 const char *name, uint32_t *item)
{
	struct name_slot *s;

	if (!ni->slots)
		return false;
	s = di_nidx_slot(di, ni, name, di_name_hash(name));
	if (!s->item)
		return false;
	*item = s->item - 1;
	return true;
}

/* Make room for n more names without growing again. */
int di_nidx_reserve(struct name_index *ni, size_t n)
{
	size_t cap = ni->slots ? ni->mask + 1 : 0, want = 1024, i;
	struct name_slot *slots;

	if ((ni->used + n) * 2 <= cap)
		return 0;
	while (want < (ni->used + n) * 2)
		want *= 2;
	slots = calloc(want, sizeof(*slots));
	if (!slots)
		return -1;
	/* Rehash by the stored hashes: no names needed. */
	for (i = 0; i < cap; i++) {
		struct name_slot *s = &ni->slots[i];
		size_t j;

		if (!s->item)
			continue;
		for (j = s->hash & (want - 1); slots[j].item;
		     j = (j + 1) & (want - 1))
			;
		slots[j] = *s;
	}
	free(ni->slots);
	ni->slots = slots;
	ni->mask = want - 1;
	return 0;
}

/*
 * The slot for name; if it was empty, *added is set and the caller must
 * fill in item.  NULL when out of memory.
 */
struct name_slot *di_nidx_add(const struct zd_debuginfo *di,
			      struct name_index *ni, const char *name,
			      bool *added)
{
	uint32_t h = di_name_hash(name);
	struct name_slot *s;

	if (di_nidx_reserve(ni, 1))
		return NULL;
	s = di_nidx_slot(di, ni, name, h);
	*added = !s->item;
	if (*added) {
		s->hash = h;
		ni->used++;
	}
	return s;
}

void di_nidx_free(struct name_index *ni)
{
	free(ni->slots);
	ni->slots = NULL;
}

/* Room for one more element in a growing array. */
int di_grow(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t want = *cap ? *cap * 2 : 1024;
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, want * size);
	if (!p)
		return -1;
	*arr = p;
	*cap = want;
	return 0;
}

const char *di_type_name(const struct zd_debuginfo *di, uint32_t item)
{
	return di->types[item].name;
}

const char *di_enum_name(const struct zd_debuginfo *di, uint32_t item)
{
	return di->enums[item].name;
}

struct zd_error *di_nomem(void)
{
	return &zd_error_nomem;
}

struct zd_error *di_elf_err(const char *path, const char *what)
{
	return zd_error_create(ZD_ERR_FORMAT, "vmlinux %s: %s: %s", path, what,
			       elf_errmsg(-1));
}

/* ---- opening ----------------------------------------------------------- */
