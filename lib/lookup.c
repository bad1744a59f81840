// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * -P PFN: which registered pgmap holds a pfn, and what its struct page says,
 * judged by the same model as the audit.  Pages outside [pfn_first,
 * pfn_end) of their range (the altmap's reserve and memmap) hold no
 * references and are said to be "not owned".
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool range_has(const struct zd_layout *l, const struct zd_range *r,
		      uint64_t pfn)
{
	return pfn >= (r->start >> l->page_shift) &&
	       pfn < ((r->end + 1) >> l->page_shift);
}

struct zd_error *zd_lookup_pfn(struct zd_target *t, uint64_t pfn,
			       struct zd_pfn_info *info)
{
	const struct zd_layout *l = &t->lay;
	struct zd_registered *regs = NULL;
	uint64_t head, addr;
	uint8_t *buf = NULL;
	size_t n = 0;
	struct zd_error *err;

	memset(info, 0, sizeof(*info));
	info->pfn = pfn;
	info->state = "not ZONE_DEVICE memory of a registered pgmap";
	if ((err = zd_pgmap_enumerate(t, &regs, &n)))
		return err;
	for (size_t i = 0; i < n && !info->found; i++) {
		struct zd_pgmap *pg = &info->pgmap;
		const struct zd_examine how = { .walk = false };

		/* Only the ranges matter until the pfn is found. */
		if (!zd_pgmap_examine(t, &regs[i], &how, pg)) {
			/* An undecodable pgmap cannot hold it; keep looking. */
			zd_pgmap_release(pg);
			memset(pg, 0, sizeof(*pg));
			continue;
		}
		for (unsigned int r = 0; r < pg->desc.nr_range; r++) {
			if (range_has(l, &pg->desc.ranges[r], pfn)) {
				info->found = true;
				info->range = r;
				break;
			}
		}
		if (!info->found)
			zd_pgmap_release(pg);
	}
	free(regs);
	if (!info->found)
		return NULL;

	/* The model's idle state may depend on the ref's (4.12-era dead). */
	zd_pgmap_read_ref(t, &info->pgmap);
	zd_model_rule(t, &info->pgmap);
	{
		const struct zd_range *r =
			&info->pgmap.desc.ranges[info->range];
		uint64_t unit = 1ULL << info->pgmap.desc.vmemmap_shift;

		info->owned = pfn >= r->pfn_first && pfn < r->pfn_end;
		head = info->owned ? r->pfn_first + ((pfn - r->pfn_first) &
						     ~(unit - 1)) :
				     pfn;
	}
	info->tail = head != pfn;
	info->head_pfn = head;
	buf = malloc(2 * l->page_size);
	if (!buf) {
		zd_pfn_info_release(info);
		return &zd_error_nomem;
	}
	info->page_error = zd_page_read(t, pfn, &addr, buf);
	info->page.pfn = pfn;
	info->page.page = addr;
	if (info->page_error) {
		info->state = "struct page not in the dump";
	} else {
		enum zd_page_class cls;
		struct zd_holders *holders = zd_holders_new();
		/* page[1]: the pin count of a large folio */
		struct zd_error *e2 =
			zd_read(t, addr + l->page_size, buf + l->page_size,
				l->page_size, "struct page");
		bool have_next = !e2;

		zd_error_destroy(e2);
		info->readable = true;
		cls = zd_page_judge(t, &info->pgmap, holders, pfn, addr, buf,
				    have_next ? buf + l->page_size : NULL,
				    &info->page);
		zd_holders_free(holders);
		if (!info->owned)
			info->state =
				"not owned: altmap reserve or memmap, holds no references";
		else if (info->tail)
			info->state =
				"tail of a compound unit: its head holds the count";
		else if (cls == ZD_CLASS_SKIP)
			info->state = "holds no references";
		else
			info->state = cls == ZD_CLASS_IDLE ? "idle" :
				      cls == ZD_CLASS_BUSY ? "busy" :
							     "suspect";
	}
	free(buf);
	return NULL;
}

void zd_pfn_info_release(struct zd_pfn_info *info)
{
	if (info->found)
		zd_pgmap_release(&info->pgmap);
	zd_error_destroy(info->page_error);
	info->page_error = NULL;
	info->found = false;
}
