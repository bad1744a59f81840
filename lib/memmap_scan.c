// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * An independent check of the pgmap registry: the memmap itself.
 *
 * memremap_pages() adds device memory as sections that have a memmap but
 * are never onlined (SECTION_IS_ONLINE, 2d070eab2e82, 4.13), and every
 * struct page it initialises points at its pgmap.  A registry that is empty
 * or damaged (a zeroed XArray node, a corrupted root) would otherwise read
 * as "no ZONE_DEVICE pgmaps": the scan finds offline sections with a
 * memmap whose first page names a dev_pagemap that really covers it, and
 * that the registry does not hold.  Sections that are online hold RAM, and
 * may hold device memory beside it (subsection hotplug, 5.3+): their
 * subsections outside iomem's System RAM are looked at too.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SECTION_MARKED_PRESENT (1ULL << 0)
#define SECTION_HAS_MEM_MAP (1ULL << 1)
#define SECTION_IS_ONLINE (1ULL << 2)
/* Bounded by what exists: a few thousand offline sections at most. */
#define MAX_CANDIDATES 65536

/* System RAM ranges of iomem kept (16 KiB on the check's stack) */
#define MAX_RAM 1024

static bool in_ram(uint64_t (*ram)[2], long nram, uint64_t pfn,
		   uint64_t page_shift)
{
	uint64_t a = pfn << page_shift, e = a + (512ULL << page_shift) - 1;

	for (long i = 0; i < nram; i++)
		if (ram[i][0] <= a && e <= ram[i][1])
			return true;
	return false;
}

static bool registered(const struct zd_registered *regs, size_t n, uint64_t a)
{
	for (size_t i = 0; i < n; i++)
		if (regs[i].pgmap == a)
			return true;
	return false;
}

/*
 * Does the struct page of pfn name a dev_pagemap the registry lacks, one
 * that decodes and whose ranges hold pfn?  Returns its address or 0.
 */
static uint64_t orphan_pgmap(const struct zd_target *t,
			     const struct zd_registered *regs, size_t n,
			     uint64_t pfn)
{
	const struct zd_layout *l = &t->lay;
	uint8_t buf[4096];
	uint64_t page, word;
	struct zd_pgmap pg;
	struct zd_error *err;
	bool holds = false;

	if ((err = zd_page_read(t, pfn, &page, buf))) {
		zd_error_destroy(err);
		return 0;
	}
	word = zd_get_u64(buf + l->page_pgmap);
	/* kernel pointers only; tails (bit 0) and self-links are no pgmap */
	if (word < 0xffff800000000000ULL || (word & 7) ||
	    word == page + l->page_pgmap || registered(regs, n, word))
		return 0;
	err = zd_pgmap_decode(t, word, &pg, false);
	if (!err)
		for (unsigned int r = 0; r < pg.desc.nr_range; r++)
			holds |= pfn >= pg.desc.ranges[r].start >>
					 l->page_shift &&
				 pfn <= pg.desc.ranges[r].end >> l->page_shift;
	zd_error_destroy(err);
	zd_pgmap_release(&pg);
	return holds ? word : 0;
}

struct zd_error *zd_memmap_check_registry(const struct zd_target *t,
					  const struct zd_registered *regs,
					  size_t n)
{
	const struct zd_layout *l = &t->lay;
	uint64_t ram[MAX_RAM][2];
	uint64_t per_root = l->sections_per_root, nroots = l->nr_section_roots;
	uint64_t pfns_per_section = 1ULL
				    << (l->section_size_bits - l->page_shift);
	uint64_t *roots, candidates = 0;
	uint8_t *secs;
	struct zd_error *err = NULL;
	long nram;

	if (!t->tells[ZD_TELL_SECTION_ONLINE] || nroots > (1u << 20))
		return NULL;
	nram = zd_iomem_ram(t, ram, MAX_RAM);
	roots = malloc(nroots * 8);
	secs = malloc(per_root * l->ms_size);
	if (!roots || !secs) {
		err = &zd_error_nomem;
		goto out;
	}
	if ((err = zd_read(t, l->mem_section, roots, nroots * 8,
			   "mem_section roots"))) {
		/* the walk itself reports what it cannot read */
		zd_error_destroy(err);
		err = NULL;
		goto out;
	}
	for (uint64_t r = 0; r < nroots && !err; r++) {
		struct zd_error *e;

		if (!roots[r])
			continue;
		e = zd_read(t, roots[r], secs, per_root * l->ms_size,
			    "mem_section");
		if (e) {
			zd_error_destroy(e);
			continue;
		}
		for (uint64_t i = 0; i < per_root; i++) {
			uint64_t smm = zd_get_u64(secs + i * l->ms_size +
						  l->ms_mem_map);
			uint64_t nr = r * per_root + i, pgmap = 0;

			bool online = smm & SECTION_IS_ONLINE;

			if ((smm & (SECTION_MARKED_PRESENT |
				    SECTION_HAS_MEM_MAP)) !=
			    (SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP))
				continue;
			/*
			 * An online section is RAM, or RAM and device memory
			 * side by side (pmem 2 MiB-aligned inside a 128 MiB
			 * section, as QEMU's memmap=! lays it out): its
			 * subsections outside System RAM are looked at, when
			 * iomem says where RAM is.
			 */
			if (online && nram < 0)
				continue;
			if (++candidates > MAX_CANDIDATES)
				goto out;
			/* the first 2 MiB subsection that names a pgmap */
			for (uint64_t s = 0; s < pfns_per_section && !pgmap;
			     s += 512) {
				uint64_t pfn = nr * pfns_per_section + s;

				if (online && in_ram(ram, nram, pfn,
						     l->page_shift))
					continue;
				pgmap = orphan_pgmap(t, regs, n, pfn);
			}
			if (pgmap)
				err = zd_error_create(
					ZD_ERR_INVALID,
					"damaged pgmap registry: %s does not hold dev_pagemap 0x%llx, which the memmap of section %llu points at",
					zd_registry_name(t),
					(unsigned long long)pgmap,
					(unsigned long long)nr);
		}
	}
out:
	free(roots);
	free(secs);
	return err;
}
