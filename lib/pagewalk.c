// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Walk the struct pages of a pgmap's owned pfns, [pfn_first, pfn_end) of
 * every range, through the sparse memory model (mm/sparse.c):
 *
 *   mem_section[root][i].section_mem_map: PRESENT | HAS_MEM_MAP | ... in
 *   the low bits, the rest encodes mem_map - section_start_pfn, so that
 *   page(pfn) = (section_mem_map & mask) + pfn * sizeof(struct page);
 *   5.3+ sections may be populated per 2 MiB subsection (usage->subsection_map).
 *
 * Struct pages are read a subsection (512 on x86_64) at a time.  When a
 * batch cannot be read whole, it is read again one memory page at a time
 * so that exactly the missing struct pages count as unreadable; a page
 * that cannot be read is never taken for refcount 0.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SECTION_MARKED_PRESENT (1ULL << 0)
#define SECTION_HAS_MEM_MAP (1ULL << 1)
/* Six flag bits at most so far (6.15+ SECTION_IS_VMEMMAP_PREINIT). */
#define SECTION_MAP_MASK (~((1ULL << 6) - 1))
#define SUBSECTION_SHIFT 21
#define MAX_BATCH 512
#define DEFAULT_MAX_LISTED 100000

struct section_info {
	uint64_t nr; /* section number, UINT64_MAX if none cached */
	uint64_t memmap; /* decoded base: page(pfn) = memmap + pfn * size */
	bool valid; /* present with a mem_map */
	bool no_root; /* its whole root of sections is absent */
	uint64_t skip_roots; /* with no_root: roots known absent from here */
	uint64_t subsections[4]; /* up to 256 subsections */
	bool have_subsections;
	struct zd_error *error; /* why the section could not be read */
};

struct walker {
	const struct zd_target *t;
	struct zd_pgmap *pg;
	size_t max_listed;
	bool all_pages;
	struct zd_holders *holders;
	uint64_t tails_end; /* pfns below it are tails of an allocated folio */
	uint64_t pages_per_section, batch;
	unsigned int subsection_pfn_shift;
	struct section_info sec;
	uint8_t *buf;
	bool *readable;
	bool *excluded;
};

static struct zd_error *load_section(struct walker *w, uint64_t nr)
{
	const struct zd_layout *l = &w->t->lay;
	struct section_info *s = &w->sec;
	uint64_t root_idx = nr / l->sections_per_root, root, smm, usage;
	uint8_t ms[256];
	struct zd_error *err;

	zd_error_destroy(s->error);
	memset(s, 0, sizeof(*s));
	s->nr = nr;
	if (root_idx >= l->nr_section_roots)
		return zd_error_create(ZD_ERR_INVALID,
				       "section %llu beyond NR_SECTION_ROOTS",
				       (unsigned long long)nr);
	if ((err = zd_read_u64(w->t, l->mem_section + 8 * root_idx, &root,
			       "mem_section root"))) {
		/*
		 * Unreadable: as absent for every section of it, and for the
		 * roots of the rest of that page of the root table, which
		 * the dump lacks as well (fuzz_sections: a 2^46-byte range
		 * of 2^19-byte sections is 270k roots, not 270k reads).
		 */
		uint64_t at = l->mem_section + 8 * root_idx;
		uint64_t page = 1ULL << l->page_shift;

		s->no_root = true;
		s->skip_roots = (page - (at & (page - 1)) + 7) / 8;
		return err;
	}
	if (!root) {
		s->no_root = true;
		s->skip_roots = 1;
		return NULL; /* no memmap: every page unreadable */
	}
	if ((err = zd_read(w->t,
			   root + (nr % l->sections_per_root) * l->ms_size, ms,
			   l->ms_size < sizeof(ms) ? l->ms_size : sizeof(ms),
			   "struct mem_section")))
		return err;
	smm = zd_get_u64(ms + l->ms_mem_map);
	if (!(smm & SECTION_MARKED_PRESENT) || !(smm & SECTION_HAS_MEM_MAP))
		return NULL;
	s->memmap = smm & SECTION_MAP_MASK;
	s->valid = true;
	if (l->ms_usage == ZD_NO_MEMBER)
		return NULL;
	usage = zd_get_u64(ms + l->ms_usage);
	if (!usage)
		return NULL;
	{
		uint64_t nsub = 1ULL
				<< (l->section_size_bits - SUBSECTION_SHIFT);
		size_t bytes = (nsub + 63) / 64 * 8;

		if (bytes > sizeof(s->subsections))
			return zd_error_create(ZD_ERR_UNSUPPORTED,
					       "%llu subsections per section",
					       (unsigned long long)nsub);
		if ((err = zd_read(w->t, usage + l->usage_subsection_map,
				   s->subsections, bytes,
				   "mem_section_usage.subsection_map")))
			return err;
		s->have_subsections = true;
	}
	return NULL;
}

static bool subsection_valid(const struct walker *w, uint64_t pfn)
{
	uint64_t idx;

	if (!w->sec.have_subsections)
		return true;
	idx = (pfn & (w->pages_per_section - 1)) >> w->subsection_pfn_shift;
	return w->sec.subsections[idx / 64] & (1ULL << (idx % 64));
}

/* Read n struct pages at addr into w->buf, marking what could be read. */
static void read_batch(struct walker *w, uint64_t addr, size_t n)
{
	const struct zd_layout *l = &w->t->lay;
	size_t len = n * l->page_size, done = 0;
	uint64_t psize = 1ULL << l->page_shift;
	struct zd_error *err;

	err = w->t->host.mem.read(w->t->host.mem.arg, addr, w->buf, len);
	if (!err) {
		memset(w->readable, 1, n);
		memset(w->excluded, 0, n);
		return;
	}
	zd_error_destroy(err);
	memset(w->readable, 1, n);
	memset(w->excluded, 0, n);
	/* Narrow down: one memory page of struct pages at a time. */
	while (done < len) {
		uint64_t a = addr + done;
		size_t chunk = psize - (a & (psize - 1));

		if (chunk > len - done)
			chunk = len - done;
		err = w->t->host.mem.read(w->t->host.mem.arg, a, w->buf + done,
					  chunk);
		if (err) {
			size_t first = done / l->page_size;
			size_t last = (done + chunk - 1) / l->page_size;

			for (size_t i = first; i <= last && i < n; i++) {
				w->readable[i] = false;
				w->excluded[i] = err->code == ZD_ERR_EXCLUDED;
			}
			zd_error_destroy(err);
		}
		done += chunk;
	}
}

static struct zd_error *list_page(struct walker *w, const struct zd_page *p)
{
	struct zd_pgmap *pg = w->pg;

	if (pg->stats.nlisted >= w->max_listed) {
		pg->stats.listed_dropped++;
		return NULL;
	}
	if (!pg->stats.listed) {
		pg->stats.listed = malloc(64 * sizeof(*pg->stats.listed));
		if (!pg->stats.listed)
			return &zd_error_nomem;
	} else if (pg->stats.nlisted >= 64 &&
		   !(pg->stats.nlisted & (pg->stats.nlisted - 1))) {
		/* Grow at powers of two. */
		void *v = realloc(pg->stats.listed,
				  2 * pg->stats.nlisted *
					  sizeof(*pg->stats.listed));

		if (!v)
			return &zd_error_nomem;
		pg->stats.listed = v;
	}
	pg->stats.listed[pg->stats.nlisted++] = *p;
	return NULL;
}

/* The pin count of a large folio (FOLL_PIN on a head adds 1 and this). */
static int32_t pincount(const struct zd_target *t, const struct zd_page *p,
			const uint8_t *next)
{
	const struct zd_layout *l = &t->lay;

	if (l->pincount == ZD_NO_MEMBER || l->pg_head < 0 ||
	    !(p->flags & (1ULL << l->pg_head)) || !next)
		return -1;
	/* l->pincount is an offset from the head's struct page */
	if (l->pincount < l->page_size || l->pincount + 4 > 2 * l->page_size)
		return -1;
	return (int32_t)zd_get_u32(next + l->pincount - l->page_size);
}

enum zd_page_class zd_page_judge(const struct zd_target *t,
				 const struct zd_pgmap *pg,
				 struct zd_holders *holders, uint64_t pfn,
				 uint64_t page_addr, const uint8_t *sp,
				 const uint8_t *next, struct zd_page *p)
{
	const struct zd_layout *l = &t->lay;
	enum zd_page_class cls;
	bool dead;

	memset(p, 0, sizeof(*p));
	p->pfn = pfn;
	p->page = page_addr;
	p->flags = zd_get_u64(sp + l->page_flags);
	p->pgmap_word = zd_get_u64(sp + l->page_pgmap);
	p->refcount = (int32_t)zd_get_u32(sp + l->page_refcount);
	p->mapcount = (int32_t)zd_get_u32(sp + l->page_mapcount);
	p->pincount = -1;
	if (l->page_mapping != ZD_NO_MEMBER)
		p->mapping = zd_get_u64(sp + l->page_mapping);
	if (l->page_index != ZD_NO_MEMBER)
		p->index = zd_get_u64(sp + l->page_index);
	/* Pages that hold no references (kernel-model.md 5.4). */
	if (p->flags == UINT64_MAX) {
		p->reason = ZD_PAGE_POISONED;
		return ZD_CLASS_SKIP;
	}
	if (p->pgmap_word == page_addr + l->page_pgmap) {
		p->reason = ZD_PAGE_MEMMAP;
		return ZD_CLASS_SKIP;
	}
	if ((p->pgmap_word & 1) && p->pgmap_word - 1 < page_addr &&
	    page_addr - (p->pgmap_word - 1) < (l->page_size << 30)) {
		p->reason = ZD_PAGE_TAIL; /* compound_head | 1 */
		return ZD_CLASS_SKIP;
	}
	if (p->pgmap_word != pg->desc.addr) {
		/* The memmap does not point back: cross-check failed. */
		p->reason = ZD_PAGE_FOREIGN;
		p->suspect = true;
		return ZD_CLASS_SUSPECT;
	}
	p->pincount = pincount(t, p, next);
	dead = !pg->desc.ref_error && pg->desc.ref.mode == ZD_REF_DEAD;
	cls = zd_page_classify(&pg->rule, dead, p);
	if (cls != ZD_CLASS_BUSY)
		return cls;
	if (p->holder.kind == ZD_HOLDER_DEVICE &&
	    l->page_zone_device_data != ZD_NO_MEMBER)
		p->holder.data = zd_get_u64(sp + l->page_zone_device_data);
	if (p->holder.kind == ZD_HOLDER_FILE)
		p->holder.offset = p->holder.index << l->page_shift;
	if (!zd_holder_resolve(t, holders, pg, p)) {
		/* page->mapping is no file's address_space */
		memset(&p->holder, 0, sizeof(p->holder));
		p->reason = ZD_PAGE_BAD_MAPPING;
		p->suspect = true;
		return ZD_CLASS_SUSPECT;
	}
	return cls;
}

/*
 * The number of pages, and so of pgmap references (6.19), of the folio an
 * allocated page heads: 1 << order, the order kept in the low byte of the
 * first tail's flags (folio_large_order()).
 */
static int64_t folio_pages(struct walker *w, const struct zd_page *p,
			   const uint8_t *next)
{
	const struct zd_layout *l = &w->t->lay;
	uint8_t buf[4096];
	uint64_t addr, order;
	struct zd_error *err;

	if (l->pg_head < 0 || !(p->flags & (1ULL << l->pg_head)))
		return 1;
	if (!next) {
		err = zd_page_read(w->t, p->pfn + 1, &addr, buf);
		if (err) {
			zd_error_destroy(err);
			w->pg->stats.order_unknown++; /* counted as one page */
			return 1;
		}
		next = buf;
	}
	order = zd_get_u64(next + l->page_flags) & 0xff;
	return order > 0 && order <= 20 ? (int64_t)1 << order : 1;
}

static bool all_zero(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static struct zd_error *account_page(struct walker *w, uint64_t pfn,
				     uint64_t page_addr, const uint8_t *sp,
				     const uint8_t *next)
{
	struct zd_pgmap *pg = w->pg;
	struct zd_page p;
	enum zd_page_class cls;

	if (w->t->host.mem.live && all_zero(sp, w->t->lay.page_size)) {
		/*
		 * /proc/kcore reads what it cannot map as zeros, without an
		 * error (fs/proc/kcore.c, iov_iter_zero()): no initialised
		 * struct page is all zero (its pgmap word, flags zone bits).
		 */
		pg->stats.unreadable++;
		return NULL;
	}
	cls = zd_page_judge(w->t, pg, w->holders, pfn, page_addr, sp, next, &p);
	if (cls == ZD_CLASS_SUSPECT && w->t->host.mem.live) {
		/* Live: a page in passing is no suspect; read it again. */
		uint8_t again[4096];
		uint64_t addr;
		struct zd_error *err = zd_page_read(w->t, pfn, &addr, again);

		if (!err && !all_zero(again, w->t->lay.page_size))
			cls = zd_page_judge(w->t, pg, w->holders, pfn,
					    page_addr, again, NULL, &p);
		zd_error_destroy(err);
	}
	if (cls == ZD_CLASS_SKIP) {
		if (p.reason == ZD_PAGE_POISONED)
			pg->stats.poisoned++;
		else
			pg->stats.skipped++;
		return NULL;
	}
	if (p.refcount < 0)
		pg->stats.refcounts[0]++;
	else if (p.refcount <= 1)
		pg->stats.refcounts[1 + p.refcount]++;
	else
		pg->stats.refcounts[3]++;
	pg->stats.refsum += (int64_t)p.refcount - 1;
	if (p.refcount >= 1) {
		int64_t n = pg->rule.folio_refs ? folio_pages(w, &p, next) : 1;

		pg->stats.alloc_refs += n;
		/*
		 * The tails of an allocated large folio carry no references
		 * (prep_compound_page(); free_zone_device_folio() puts
		 * folio_nr_pages() at the head): passed over, readable or not.
		 */
		if (n > 1)
			w->tails_end = pfn + (uint64_t)n;
	}
	if (p.reason == ZD_PAGE_FOREIGN)
		pg->stats.foreign++;
	if (cls == ZD_CLASS_IDLE)
		return NULL;
	if (cls == ZD_CLASS_SUSPECT)
		pg->stats.suspects++;
	else
		pg->stats.busy++;
	if (cls == ZD_CLASS_BUSY && !w->all_pages)
		return NULL;
	return list_page(w, &p);
}

/* Heads of units of size unit (a power of 2) from first in [a, b). */
static uint64_t heads_in(uint64_t first, uint64_t unit, uint64_t a, uint64_t b)
{
	uint64_t ua = (a - first + unit - 1) / unit;
	uint64_t ub = (b - first + unit - 1) / unit;

	return ub - ua;
}

static struct zd_error *walk_range(struct walker *w, struct zd_range *r)
{
	const struct zd_layout *l = &w->t->lay;
	struct zd_pgmap *pg = w->pg;
	uint64_t unit = 1ULL << pg->desc.vmemmap_shift;
	uint64_t pfn = r->pfn_first;
	struct zd_error *err;

	pg->stats.pages += r->pfn_end - r->pfn_first;
	pg->stats.units +=
		(r->pfn_end - r->pfn_first) >> pg->desc.vmemmap_shift;
	while (pfn < r->pfn_end) {
		uint64_t nr, stop;
		size_t n;

		/*
		 * Units larger than a batch (2 MiB, 1 GiB device-dax): read
		 * the head of each unit alone instead of every tail with it.
		 */
		if (unit > w->batch) {
			pfn = r->pfn_first +
			      (pfn - r->pfn_first + unit - 1) / unit * unit;
			if (pfn >= r->pfn_end)
				break;
			stop = pfn + unit;
		} else {
			stop = (pfn | (w->batch - 1)) + 1;
		}
		if (stop > r->pfn_end)
			stop = r->pfn_end;
		n = unit > w->batch ? 1 : stop - pfn;
		nr = pfn >> (l->section_size_bits - l->page_shift);
		if (w->sec.nr != nr || w->sec.error) {
			if ((err = load_section(w, nr))) {
				if (!zd_error_is_fault(err))
					return err;
				w->sec.error = err;
			}
		}
		if (!w->sec.valid || !subsection_valid(w, pfn)) {
			/*
			 * No memmap here: nothing to read, nothing to trust.
			 * Without a section, skip to the next one at once.
			 */
			if (!w->sec.valid) {
				uint64_t next = nr + 1;

				/*
				 * A root that is absent is absent for all its
				 * sections: skip them at once, so that a range
				 * of 2^52 bytes costs its roots, not 2^25
				 * section reads.
				 */
				if (w->sec.no_root)
					next = (nr / l->sections_per_root +
						w->sec.skip_roots) *
					       l->sections_per_root;
				stop = next * w->pages_per_section;
				if (stop > r->pfn_end || stop <= pfn)
					stop = r->pfn_end;
			}
			pg->stats.unreadable +=
				heads_in(r->pfn_first, unit, pfn, stop);
			pfn = stop;
			continue;
		}
		if (pfn == r->pfn_first)
			r->first_page = w->sec.memmap + pfn * l->page_size;
		read_batch(w, w->sec.memmap + pfn * l->page_size, n);
		for (size_t i = 0; i < n; i++) {
			uint64_t p = pfn + i;

			/* Only heads of compound units hold the unit's count. */
			if ((p - r->pfn_first) & (unit - 1))
				continue;
			if (p < w->tails_end) {
				pg->stats.skipped += w->readable[i];
				continue;
			}
			if (!w->readable[i]) {
				pg->stats.unreadable++;
				pg->stats.excluded += w->excluded[i];
				continue;
			}
			if ((err = account_page(
				     w, p, w->sec.memmap + p * l->page_size,
				     w->buf + i * l->page_size,
				     i + 1 < n && w->readable[i + 1] ?
					     w->buf + (i + 1) * l->page_size :
					     NULL)))
				return err;
		}
		pfn = stop;
	}
	return NULL;
}

struct zd_error *zd_page_read(const struct zd_target *t, uint64_t pfn,
			      uint64_t *page_addr, void *buf)
{
	const struct zd_layout *l = &t->lay;
	struct walker w = {
		.t = t,
		.pages_per_section = 1ULL
				     << (l->section_size_bits - l->page_shift),
	};
	struct zd_error *err;

	w.subsection_pfn_shift = SUBSECTION_SHIFT > l->page_shift ?
					 SUBSECTION_SHIFT - l->page_shift :
					 0;
	*page_addr = 0;
	err = load_section(&w, pfn >> (l->section_size_bits - l->page_shift));
	if (!err && (!w.sec.valid || !subsection_valid(&w, pfn)))
		err = zd_error_create(
			ZD_ERR_FAULT,
			"pfn 0x%llx has no memmap (section or subsection not present)",
			(unsigned long long)pfn);
	if (!err) {
		*page_addr = w.sec.memmap + pfn * l->page_size;
		err = zd_read(t, *page_addr, buf, l->page_size, "struct page");
	}
	zd_error_destroy(w.sec.error);
	return err;
}

struct zd_error *zd_pagewalk_pgmap(const struct zd_target *t,
				   struct zd_pgmap *pg, size_t max_listed,
				   bool all_pages)
{
	const struct zd_layout *l = &t->lay;
	struct walker w = {
		.t = t,
		.pg = pg,
		.max_listed = max_listed ? max_listed : DEFAULT_MAX_LISTED,
		.all_pages = all_pages,
		.pages_per_section = 1ULL
				     << (l->section_size_bits - l->page_shift),
		.sec = { .nr = UINT64_MAX },
	};
	struct zd_error *err = NULL;

	w.subsection_pfn_shift = SUBSECTION_SHIFT > l->page_shift ?
					 SUBSECTION_SHIFT - l->page_shift :
					 0;
	/* Batches never straddle a subsection, so one validity test each. */
	w.batch = 1ULL << w.subsection_pfn_shift;
	if (w.batch > MAX_BATCH)
		w.batch = MAX_BATCH;
	if (w.batch > w.pages_per_section)
		w.batch = w.pages_per_section;
	w.buf = malloc(w.batch * l->page_size);
	w.readable = malloc(w.batch);
	w.excluded = malloc(w.batch);
	w.holders = zd_holders_new();
	if (!w.buf || !w.readable || !w.excluded || !w.holders) {
		err = &zd_error_nomem;
		goto out;
	}
	for (unsigned int i = 0; i < pg->desc.nr_range && !err; i++)
		err = walk_range(&w, &pg->desc.ranges[i]);
out:
	zd_error_destroy(w.sec.error);
	free(w.buf);
	free(w.readable);
	free(w.excluded);
	zd_holders_free(w.holders);
	return err;
}
