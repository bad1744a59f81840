// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One decoded page judged by its pgmap's page rule.  This file knows no
 * kernel era: lib/model.c put everything era-specific into the rule.
 *
 * A page is idle, busy or suspect (DESIGN.md, "Findings and their words"):
 *   idle     at the rule's idle refcount (and, where mappings hold
 *            references, not mapped);
 *   busy     above idle and held the way its type is used: by a file's
 *            mapping (FS_DAX, device-dax), or allocated (device-private,
 *            P2PDMA); the references beyond idle are transient holders
 *            (GUP, pins, pipe buffers, I/O in flight) and make no finding;
 *   suspect  a state no correct kernel leaves: below idle, above idle
 *            with no owner, mapped more often than referenced, held after
 *            the pgmap was killed.
 * The caller has already decided the page holds references at all (not
 * poisoned, not memmap, not a tail) and that its pgmap word points back.
 */
#include "internal.h"

/* fsdax reflink: PAGE_MAPPING_DAX_COW (6.1) / _SHARED (6.2-6.14), 0x1 */
#define DAX_MAPPING_SHARED 0x1ULL
/* PAGE_MAPPING_ANON | PAGE_MAPPING_MOVABLE: the low bits of mapping */
#define MAPPING_FLAGS 0x3ULL

static enum zd_page_class suspect(struct zd_page *p, enum zd_page_reason why)
{
	p->reason = why;
	p->suspect = true;
	return ZD_CLASS_SUSPECT;
}

/* Does a file (or a reflink share) hold this page?  Sets the holder kind. */
static bool file_held(const struct zd_page_rule *r, struct zd_page *p)
{
	if (p->mapping == DAX_MAPPING_SHARED) {
		p->holder.kind = ZD_HOLDER_SHARED;
		p->holder.index = p->index; /* the share count */
		return true;
	}
	if (!p->mapping && r->mapcount_refs && p->index) {
		/* 6.15+ dax_folio_is_shared(): mapping NULL, share > 0 */
		p->holder.kind = ZD_HOLDER_SHARED;
		p->holder.index = p->index;
		return true;
	}
	if (!p->mapping || (p->mapping & MAPPING_FLAGS))
		return false;
	p->holder.kind = ZD_HOLDER_FILE;
	p->holder.mapping = p->mapping;
	p->holder.index = p->index;
	return true;
}

enum zd_page_class zd_page_classify(const struct zd_page_rule *r, bool dead,
				    struct zd_page *p)
{
	int64_t mapped = (int64_t)p->mapcount + 1;
	int64_t base;

	p->reason = ZD_PAGE_REFCOUNT;
	p->suspect = false;
	if (p->refcount < 0)
		return suspect(p, ZD_PAGE_NEGATIVE);
	if (mapped < 0 || mapped > p->refcount)
		return suspect(p, ZD_PAGE_MAPCOUNT);
	/* 6.15+: each mapping holds one reference on top of idle. */
	base = r->idle + (r->mapcount_refs ? mapped : 0);
	if (p->refcount < base)
		return suspect(p, r->mapcount_refs && mapped ?
					  ZD_PAGE_MAPCOUNT :
					  ZD_PAGE_REFCOUNT);
	if (p->refcount == r->idle && !(r->mapcount_refs && mapped))
		return ZD_CLASS_IDLE;
	if (dead && r->dead_suspect)
		return suspect(p, ZD_PAGE_DEAD);
	switch (r->use) {
	case ZD_USE_FILE:
		if (!file_held(r, p))
			return suspect(p, p->mapping ? ZD_PAGE_BAD_MAPPING :
						       ZD_PAGE_NO_OWNER);
		break;
	case ZD_USE_ALLOC:
		p->holder.kind = ZD_HOLDER_DEVICE;
		break;
	default:
		return suspect(p, ZD_PAGE_REFCOUNT);
	}
	p->reason = ZD_PAGE_BUSY;
	return ZD_CLASS_BUSY;
}
