// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel constants the dump describes rather than the types, read
 * from VMCOREINFO once for every front end, with the values old kernels
 * implied when a line is missing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static struct zd_error *info_num(const struct zd_memory *m, const char *key,
				 int base, uint64_t *out)
{
	char buf[64], *end;
	struct zd_error *err;

	if (!m->vmcoreinfo)
		return zd_error_create(ZD_ERR_NOTFOUND, "no VMCOREINFO");
	if ((err = m->vmcoreinfo(m->arg, key, buf, sizeof(buf))))
		return err;
	errno = 0;
	*out = strtoull(buf, &end, base);
	/* strtoull takes signs and blanks: a number is digits only */
	if (errno || end == buf || *end || buf[0] == '-' || buf[0] == '+' ||
	    buf[0] == ' ')
		return zd_error_create(ZD_ERR_FORMAT,
				       "VMCOREINFO %s=%s is not a number", key,
				       buf);
	return NULL;
}

/* A missing line takes the default; a malformed one is an error. */
static struct zd_error *info_or(const struct zd_memory *m, const char *key,
				int base, uint64_t dflt, uint64_t *out)
{
	struct zd_error *err = info_num(m, key, base, out);

	if (err && err->code == ZD_ERR_NOTFOUND) {
		zd_error_destroy(err);
		*out = dflt;
		return NULL;
	}
	return err;
}

struct zd_error *zd_constants_read(const struct zd_memory *m,
				   struct zd_constants *c)
{
	uint64_t pagesize, l5;
	struct zd_error *err;

	memset(c, 0, sizeof(*c));
	/* x86_64 is the only architecture so far: 4 KiB pages. */
	if ((err = info_or(m, "PAGESIZE", 10, 4096, &pagesize)))
		return err;
	if (!pagesize || (pagesize & (pagesize - 1)))
		return zd_error_create(ZD_ERR_INVALID,
				       "VMCOREINFO PAGESIZE=%llu",
				       (unsigned long long)pagesize);
	c->page_shift = (uint64_t)__builtin_ctzll(pagesize);
	/*
	 * VMCOREINFO has had these only since 5.x (NUMBER(SECTION_SIZE_BITS)
	 * 4.19, NUMBER(MAX_PHYSMEM_BITS) 5.9); before, x86_64 fixed
	 * SECTION_SIZE_BITS at 27 and MAX_PHYSMEM_BITS at 46, 52 with
	 * 5-level paging (4.14+).
	 */
	if ((err = info_or(m, "NUMBER(SECTION_SIZE_BITS)", 10, 27,
			   &c->section_size_bits)) ||
	    (err = info_or(m, "NUMBER(pgtable_l5_enabled)", 10, 0, &l5)) ||
	    (err = info_or(m, "NUMBER(MAX_PHYSMEM_BITS)", 10, l5 ? 52 : 46,
			   &c->max_physmem_bits)) ||
	    (err = info_or(m, "NUMBER(PG_head_mask)", 10, 0,
			   &c->pg_head_mask)) ||
	    (err = info_or(m, "KERNELOFFSET", 16, 0, &c->kernel_offset)))
		return err;
	return NULL;
}
