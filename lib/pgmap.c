// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Find every registered struct dev_pagemap (the pgmap_array XArray, keyed
 * by pfn, filled by xa_store_range() once per range) and decode one: type,
 * ranges, altmap, vmemmap_shift, ops, owner and where its percpu_ref is.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define ZD_MAX_PGMAPS 65536
#define PGMAP_ALTMAP_VALID 1U

struct registry {
	struct zd_registered *v;
	size_t n, cap;
	/* what the entries of the registry being walked are */
	uint64_t to_pgmap; /* offset of the pgmap in the entry's object */
	bool section_keyed, hmm;
};

static struct zd_error *registry_visit(void *arg, uint64_t entry,
				       uint64_t first, uint64_t last)
{
	struct registry *r = arg;
	uint64_t pgmap;
	size_t i;

	if (entry & 7)
		return zd_error_create(
			ZD_ERR_INVALID,
			"pgmap registry: misaligned entry 0x%llx at index 0x%llx",
			(unsigned long long)entry, (unsigned long long)first);
	pgmap = entry + r->to_pgmap;
	for (i = 0; i < r->n; i++) {
		if (r->v[i].pgmap == pgmap) {
			r->v[i].covered += last - first + 1;
			return NULL;
		}
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		void *v;

		if (cap > ZD_MAX_PGMAPS)
			return zd_error_create(
				ZD_ERR_INVALID,
				"pgmap registry: more than %d pgmaps",
				ZD_MAX_PGMAPS);
		v = realloc(r->v, cap * sizeof(*r->v));
		if (!v)
			return &zd_error_nomem;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n] = (struct zd_registered){
		.pgmap = pgmap,
		.covered = last - first + 1,
		.section_keyed = r->section_keyed,
		.hmm = r->hmm,
	};
	r->n++;
	return NULL;
}

static int cmp_registered(const void *a, const void *b)
{
	const struct zd_registered *x = a, *y = b;

	return x->pgmap < y->pgmap ? -1 : x->pgmap > y->pgmap;
}

/*
 * Every registered pgmap, sorted by address, with how many keys its
 * registry gives it (for the cross-check against its ranges):
 *   pgmap_array (4.20+): pfn keys, dev_pagemap values;
 *   pgmap_radix: section keys up to 4.13, pfn keys (multi-order) from
 *     4.14; struct page_map values up to 4.15;
 *   hmm_devmem_radix (4.14-4.20): section keys, struct hmm_devmem values.
 */
struct zd_error *zd_pgmap_enumerate(const struct zd_target *t,
				    struct zd_registered **out, size_t *n)
{
	const struct zd_layout *l = &t->lay;
	struct registry r = { 0 };
	struct zd_error *err = NULL;

	if (l->pgmap_array)
		err = zd_xa_walk(t, l->pgmap_array, registry_visit, &r);
	if (err)
		err = zd_error_wrap(err, "walking pgmap_array");
	if (!err && l->pgmap_radix) {
		r.to_pgmap = l->page_map_pgmap == ZD_NO_MEMBER ?
				     0 :
				     l->page_map_pgmap;
		/* Multi-order pfn keys came with the type field (4.14). */
		r.section_keyed = l->pgmap_type == ZD_NO_MEMBER;
		err = zd_radix_walk(t, l->pgmap_radix, registry_visit, &r);
		if (err)
			err = zd_error_wrap(err, "walking pgmap_radix");
	}
	if (!err && l->hmm_devmem_radix) {
		r.to_pgmap = l->hmm_devmem_pagemap;
		r.section_keyed = true;
		r.hmm = true;
		err = l->hmm_is_xarray ? zd_xa_walk(t, l->hmm_devmem_radix,
						    registry_visit, &r) :
					 zd_radix_walk(t, l->hmm_devmem_radix,
						       registry_visit, &r);
		if (err)
			err = zd_error_wrap(err, "walking hmm_devmem_radix");
	}
	if (err) {
		free(r.v);
		return err;
	}
	if (r.n)
		qsort(r.v, r.n, sizeof(*r.v), cmp_registered);
	*out = r.v;
	*n = r.n;
	return NULL;
}

static const char *type_name(const struct zd_layout *l, int64_t type)
{
	if (type == l->type_private)
		return "MEMORY_DEVICE_PRIVATE";
	if (type == l->type_coherent)
		return "MEMORY_DEVICE_COHERENT";
	if (type == l->type_fs_dax)
		return "MEMORY_DEVICE_FS_DAX";
	if (type == l->type_generic)
		return l->generic_is_devdax ? "MEMORY_DEVICE_DEVDAX" :
					      "MEMORY_DEVICE_GENERIC";
	if (type == l->type_p2pdma)
		return "MEMORY_DEVICE_PCI_P2PDMA";
	if (type == l->type_public)
		return "MEMORY_DEVICE_PUBLIC";
	if (type == l->type_host || type == ZD_TYPE_HOST)
		return "MEMORY_DEVICE_HOST";
	return NULL;
}

static void symbolize(const struct zd_target *t, uint64_t addr, char *buf,
		      size_t len)
{
	uint64_t off;
	struct zd_error *err;

	buf[0] = '\0';
	if (!addr || !t->host.types.symbolize)
		return;
	err = t->host.types.symbolize(t->host.types.arg, addr, buf, len, &off);
	if (err) {
		zd_error_destroy(err);
		buf[0] = '\0';
	} else if (off) {
		size_t used = strlen(buf);

		if (used + 20 < len)
			snprintf(buf + used, len - used, "+0x%llx",
				 (unsigned long long)off);
	}
}

/*
 * The altmap: a pointer (NULL: none) up to 4.15, then embedded and valid
 * per altmap_valid (4.16-5.2) or PGMAP_ALTMAP_VALID in flags (5.3+).
 */
static struct zd_error *decode_altmap(const struct zd_target *t,
				      const uint8_t *buf, struct zd_pgmap *pg)
{
	const struct zd_layout *l = &t->lay;
	uint64_t v[3], at;
	struct zd_error *err;

	if (l->altmap_is_pointer) {
		at = zd_get_u64(buf + l->pgmap_altmap);
		pg->desc.altmap_valid = at != 0;
		if (!at)
			return NULL;
		if ((err = zd_read_u64(t, at + l->altmap_base_pfn, &v[0],
				       "vmem_altmap.base_pfn")) ||
		    (err = zd_read_u64(t, at + l->altmap_reserve, &v[1],
				       "vmem_altmap.reserve")) ||
		    (err = zd_read_u64(t, at + l->altmap_free, &v[2],
				       "vmem_altmap.free")))
			return err;
	} else {
		if (l->pgmap_altmap_valid != ZD_NO_MEMBER)
			pg->desc.altmap_valid = buf[l->pgmap_altmap_valid] != 0;
		else
			pg->desc.altmap_valid =
				pg->desc.flags & PGMAP_ALTMAP_VALID;
		v[0] = zd_get_u64(buf + l->pgmap_altmap + l->altmap_base_pfn);
		v[1] = zd_get_u64(buf + l->pgmap_altmap + l->altmap_reserve);
		v[2] = zd_get_u64(buf + l->pgmap_altmap + l->altmap_free);
	}
	pg->desc.altmap_base_pfn = v[0];
	pg->desc.altmap_reserve = v[1];
	pg->desc.altmap_free = v[2];
	return NULL;
}

void zd_pgmap_read_ref(const struct zd_target *t, struct zd_pgmap *pg)
{
	uint64_t ref_addr = pg->desc.ref.addr;

	zd_error_destroy(pg->desc.ref_error);
	if (!ref_addr) {
		pg->desc.ref_error =
			zd_error_create(ZD_ERR_INVALID, "pgmap->ref is NULL");
		return;
	}
	pg->desc.ref_error = zd_percpu_ref_read(t, ref_addr, &pg->desc.ref);
	if (!pg->desc.ref_error)
		symbolize(t, pg->desc.ref.release, pg->desc.release_name,
			  sizeof(pg->desc.release_name));
}

struct zd_error *zd_pgmap_decode(const struct zd_target *t, uint64_t addr,
				 struct zd_pgmap *pg, bool with_ref)
{
	const struct zd_layout *l = &t->lay;
	uint8_t *buf = NULL, *rbuf = NULL;
	uint64_t ranges_addr;
	int32_t nr_range;
	struct zd_error *err;

	memset(pg, 0, sizeof(*pg));
	pg->desc.addr = addr;
	pg->judge.verdict = ZD_VERDICT_UNKNOWN;
	buf = malloc(l->pgmap_size);
	if (!buf)
		return &zd_error_nomem;
	if ((err = zd_read(t, addr, buf, l->pgmap_size, "struct dev_pagemap")))
		goto out;

	if (l->pgmap_type == ZD_NO_MEMBER) {
		pg->desc.type = ZD_TYPE_HOST; /* 4.5-4.13: host memory only */
	} else {
		pg->desc.type = (int32_t)zd_get_u32(buf + l->pgmap_type);
		/* device-dax left the type unset (0) before 5.3. */
		if (pg->desc.type == 0 && l->type_host == INT64_MIN &&
		    l->pgmap_flags == ZD_NO_MEMBER)
			pg->desc.type = ZD_TYPE_HOST;
	}
	pg->desc.type_name = type_name(l, pg->desc.type);
	if (l->pgmap_flags != ZD_NO_MEMBER)
		pg->desc.flags = zd_get_u32(buf + l->pgmap_flags);
	if (l->pgmap_vmemmap_shift != ZD_NO_MEMBER)
		pg->desc.vmemmap_shift =
			zd_get_u64(buf + l->pgmap_vmemmap_shift);
	if (l->pgmap_ops != ZD_NO_MEMBER)
		pg->desc.ops = zd_get_u64(buf + l->pgmap_ops);
	if (l->pgmap_owner != ZD_NO_MEMBER)
		pg->desc.owner = zd_get_u64(buf + l->pgmap_owner);
	symbolize(t, pg->desc.ops, pg->desc.ops_name,
		  sizeof(pg->desc.ops_name));

	if ((err = decode_altmap(t, buf, pg)))
		goto out;

	/*
	 * x86_64 maps device memory in PTE, PMD or PUD units: orders 0, 9
	 * and 18 (PUD_SHIFT - PAGE_SHIFT) at the most (memremap_pages()
	 * refuses others through pgmap_vmemmap_nr()/vmemmap_populate()).
	 */
	if (pg->desc.vmemmap_shift > 30 - l->page_shift) {
		err = zd_error_create(
			ZD_ERR_INVALID, "absurd vmemmap_shift %llu",
			(unsigned long long)pg->desc.vmemmap_shift);
		goto out;
	}
	if (l->pgmap_nr_range != ZD_NO_MEMBER) {
		nr_range = (int32_t)zd_get_u32(buf + l->pgmap_nr_range);
		ranges_addr = addr + l->pgmap_ranges;
	} else {
		/* One struct resource res, embedded or (< 4.16) pointed to. */
		nr_range = 1;
		ranges_addr = l->res_is_pointer ?
				      zd_get_u64(buf + l->pgmap_ranges) :
				      addr + l->pgmap_ranges;
		if (!ranges_addr) {
			err = zd_error_create(ZD_ERR_INVALID,
					      "dev_pagemap.res is NULL");
			goto out;
		}
	}
	if (nr_range < 1 || nr_range > ZD_MAX_RANGES) {
		err = zd_error_create(ZD_ERR_INVALID,
				      "absurd nr_range %d (not a dev_pagemap?)",
				      nr_range);
		goto out;
	}
	pg->desc.nr_range = (unsigned int)nr_range;
	pg->desc.ranges = calloc(pg->desc.nr_range, sizeof(*pg->desc.ranges));
	rbuf = malloc(pg->desc.nr_range * l->range_size);
	if (!pg->desc.ranges || !rbuf) {
		err = &zd_error_nomem;
		goto out;
	}
	/* ranges[] is a flexible array: it may run past sizeof(dev_pagemap). */
	if ((err = zd_read(t, ranges_addr, rbuf,
			   pg->desc.nr_range * l->range_size,
			   "dev_pagemap ranges")))
		goto out;
	for (unsigned int i = 0; i < pg->desc.nr_range; i++) {
		struct zd_range *r = &pg->desc.ranges[i];
		uint64_t skip = 0;

		r->start =
			zd_get_u64(rbuf + i * l->range_size + l->range_start);
		r->end = zd_get_u64(rbuf + i * l->range_size + l->range_end);
		/* Physical addresses stay below 1 << MAX_PHYSMEM_BITS. */
		if (r->end < r->start || (l->max_physmem_bits < 64 &&
					  r->end >> l->max_physmem_bits)) {
			err = zd_error_create(ZD_ERR_INVALID,
					      "absurd range %u [0x%llx-0x%llx]",
					      i, (unsigned long long)r->start,
					      (unsigned long long)r->end);
			goto out;
		}
		r->pfn_first = r->start >> l->page_shift;
		r->pfn_end = (r->end + 1) >> l->page_shift;
		/* Only range 0 hosts the altmap (vmem_altmap_offset()). */
		if (i == 0 && pg->desc.altmap_valid &&
		    __builtin_add_overflow(pg->desc.altmap_reserve,
					   pg->desc.altmap_free, &skip))
			skip = UINT64_MAX;
		if (skip > r->pfn_end - r->pfn_first) {
			err = zd_error_create(
				ZD_ERR_INVALID,
				"altmap reserve+free %llu exceeds range 0",
				(unsigned long long)skip);
			goto out;
		}
		r->pfn_first += skip;
		/* memremap_pages() refuses ranges that overlap (-EBUSY) */
		for (unsigned int j = 0; j < i; j++)
			if (r->start <= pg->desc.ranges[j].end &&
			    pg->desc.ranges[j].start <= r->end) {
				err = zd_error_create(
					ZD_ERR_INVALID,
					"ranges %u and %u overlap", j, i);
				goto out;
			}
	}

	pg->desc.ref.addr = l->ref_is_pointer ? zd_get_u64(buf + l->pgmap_ref) :
						addr + l->pgmap_ref;
	if (with_ref)
		zd_pgmap_read_ref(t, pg);
out:
	free(buf);
	free(rbuf);
	return err;
}

void zd_pgmap_release(struct zd_pgmap *pg)
{
	free(pg->desc.ranges);
	free(pg->stats.listed);
	free(pg->waiters);
	zd_error_destroy(pg->desc.ref_error);
	pg->desc.ranges = NULL;
	pg->stats.listed = NULL;
	pg->waiters = NULL;
	pg->desc.ref_error = NULL;
}
