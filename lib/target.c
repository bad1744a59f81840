// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Resolve, once per kernel, every offset, size and constant the audit
 * needs.  Optional members (absent in some eras) are ZD_NO_MEMBER; members
 * the core cannot work without fail the open with one line naming them.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct zd_error *zd_read(const struct zd_target *t, uint64_t addr, void *buf,
			 size_t len, const char *what)
{
	struct zd_error *err =
		t->host.mem.read(t->host.mem.arg, addr, buf, len);

	if (err)
		return zd_error_wrap(err, "reading %s at 0x%llx", what,
				     (unsigned long long)addr);
	return NULL;
}

struct zd_error *zd_read_u64(const struct zd_target *t, uint64_t addr,
			     uint64_t *val, const char *what)
{
	return zd_read(t, addr, val, sizeof(*val), what);
}

bool zd_try_read_u64(const struct zd_target *t, uint64_t addr, uint64_t *val)
{
	struct zd_error *err = zd_read_u64(t, addr, val, "u64");

	zd_error_destroy(err);
	return !err;
}

static struct zd_error *need_member(const struct zd_host *h, const char *type,
				    const char *member, uint64_t *off,
				    uint64_t *size)
{
	uint64_t dummy;
	struct zd_error *err = h->types.member(h->types.arg, type, member, off,
					       size ? size : &dummy);

	if (err)
		return zd_error_wrap(err, "struct %s.%s", type, member);
	return NULL;
}

/* An optional member: ZD_NO_MEMBER when absent, errors other than absence pass. */
static struct zd_error *opt_member(const struct zd_host *h, const char *type,
				   const char *member, uint64_t *off)
{
	uint64_t size;
	struct zd_error *err =
		h->types.member(h->types.arg, type, member, off, &size);

	if (err && err->code == ZD_ERR_NOTFOUND) {
		zd_error_destroy(err);
		*off = ZD_NO_MEMBER;
		return NULL;
	}
	return err;
}

static struct zd_error *need_size(const struct zd_host *h, const char *type,
				  uint64_t *size)
{
	struct zd_error *err = h->types.type_size(h->types.arg, type, size);

	if (err)
		return zd_error_wrap(err, "size of %s", type);
	return NULL;
}

/* An enumerator's value, INT64_MIN when the kernel has none by that name. */
static struct zd_error *enum_value(const struct zd_host *h, const char *name,
				   int64_t *v)
{
	struct zd_error *err = h->types.enumerator(h->types.arg, name, v);

	if (err && err->code == ZD_ERR_NOTFOUND) {
		zd_error_destroy(err);
		*v = INT64_MIN;
		return NULL;
	}
	return err ? zd_error_wrap(err, "enumerator %s", name) : NULL;
}

static struct zd_error *resolve_page(const struct zd_host *h,
				     struct zd_layout *l)
{
	struct zd_error *err;

	if ((err = need_size(h, "page", &l->page_size)) ||
	    (err = need_member(h, "page", "flags", &l->page_flags, NULL)) ||
	    (err = need_member(h, "page", "_mapcount", &l->page_mapcount,
			       NULL)))
		return err;
	/* _count became _refcount in 4.7. */
	if ((err = opt_member(h, "page", "_refcount", &l->page_refcount)))
		return err;
	if (l->page_refcount == ZD_NO_MEMBER &&
	    (err = need_member(h, "page", "_count", &l->page_refcount, NULL)))
		return err;
	/*
	 * The pgmap word shares its slot with lru.next in every era; 6.15+
	 * keeps it only in the folio, where page.lru still names the slot.
	 */
	if ((err = opt_member(h, "page", "pgmap", &l->page_pgmap)))
		return err;
	if (l->page_pgmap == ZD_NO_MEMBER &&
	    (err = need_member(h, "page", "lru", &l->page_pgmap, NULL)))
		return err;
	if (l->page_size < 16 || l->page_size > 4096 ||
	    l->page_flags + 8 > l->page_size ||
	    l->page_pgmap + 8 > l->page_size ||
	    l->page_refcount + 4 > l->page_size ||
	    l->page_mapcount + 4 > l->page_size)
		return zd_error_create(ZD_ERR_INVALID,
				       "absurd sizeof(struct page) %llu",
				       (unsigned long long)l->page_size);
	return NULL;
}

static struct zd_error *resolve_sections(const struct zd_host *h,
					 const struct zd_target *t,
					 struct zd_layout *l)
{
	uint64_t addr, size, nr_sections;
	uint64_t physmem_bits;
	struct zd_error *err;

	(void)h;
	l->page_shift = t->consts.page_shift;
	l->section_size_bits = t->consts.section_size_bits;
	physmem_bits = t->consts.max_physmem_bits;
	/*
	 * x86_64 addresses 52 physical bits at most (5-level paging,
	 * MAX_PHYSMEM_BITS 52): more would make 2^37 sections to walk
	 * (fuzz_sections, MAX_PHYSMEM_BITS 64).
	 */
	if (l->page_shift < 10 || l->page_shift > 20 ||
	    l->section_size_bits <= l->page_shift ||
	    l->section_size_bits > 40 || physmem_bits > 52 ||
	    physmem_bits < l->section_size_bits)
		return zd_error_create(
			ZD_ERR_INVALID,
			"absurd memory model: PAGE_SHIFT %llu SECTION_SIZE_BITS %llu MAX_PHYSMEM_BITS %llu",
			(unsigned long long)l->page_shift,
			(unsigned long long)l->section_size_bits,
			(unsigned long long)physmem_bits);
	if ((err = need_size(h, "mem_section", &l->ms_size)) ||
	    (err = need_member(h, "mem_section", "section_mem_map",
			       &l->ms_mem_map, NULL)) ||
	    (err = opt_member(h, "mem_section", "usage", &l->ms_usage)))
		return err;
	if (l->ms_size == 0 || l->ms_size > (1ULL << l->page_shift))
		return zd_error_create(ZD_ERR_INVALID,
				       "absurd sizeof(struct mem_section) %llu",
				       (unsigned long long)l->ms_size);
	/* Fields are read from one 256-byte copy of the struct. */
	if (l->ms_size > 256 || l->ms_mem_map + 8 > l->ms_size ||
	    (l->ms_usage != ZD_NO_MEMBER && l->ms_usage + 8 > l->ms_size))
		return zd_error_create(ZD_ERR_UNSUPPORTED,
				       "struct mem_section of %llu bytes",
				       (unsigned long long)l->ms_size);
	l->max_physmem_bits = physmem_bits;
	if (l->ms_usage != ZD_NO_MEMBER &&
	    (err = need_member(h, "mem_section_usage", "subsection_map",
			       &l->usage_subsection_map, NULL)))
		return err;
	/* Subsections are 2 MiB (SUBSECTION_SHIFT 21) and fit in a section. */
	if (l->ms_usage != ZD_NO_MEMBER && l->section_size_bits < 21)
		return zd_error_create(
			ZD_ERR_INVALID,
			"SECTION_SIZE_BITS %llu is below the 2 MiB subsection",
			(unsigned long long)l->section_size_bits);
	l->sections_per_root = (1ULL << l->page_shift) / l->ms_size;
	nr_sections = 1ULL << (physmem_bits - l->section_size_bits);
	l->nr_section_roots =
		(nr_sections + l->sections_per_root - 1) / l->sections_per_root;

	if ((err = h->types.symbol(h->types.arg, "mem_section", &addr, &size)))
		return zd_error_wrap(err, "symbol mem_section");
	/*
	 * SPARSEMEM_EXTREME: an array of root pointers up to 4.14, a pointer
	 * to a run-time allocated one from 4.15 (83e3c48729d9).
	 */
	if (!size)
		return zd_error_create(
			ZD_ERR_NOTFOUND,
			"size of mem_section unknown: cannot tell the root array from the pointer to it");
	if (size == 8) {
		if ((err = zd_read_u64(t, addr, &l->mem_section,
				       "mem_section pointer")))
			return err;
	} else {
		l->mem_section = addr;
		l->nr_section_roots = size / 8;
	}
	if (!l->mem_section)
		return zd_error_create(
			ZD_ERR_INVALID,
			"mem_section is NULL: not a SPARSEMEM kernel or memory not initialised");
	return NULL;
}

/* A member that is either a pointer to T or an embedded T. */
static struct zd_error *pointer_or_embedded(const struct zd_host *h,
					    const char *type,
					    const char *member,
					    const char *target, uint64_t *off,
					    bool *is_pointer)
{
	uint64_t msize, tsize;
	struct zd_error *err;

	if ((err = need_member(h, type, member, off, &msize)) ||
	    (err = need_size(h, target, &tsize)))
		return err;
	*is_pointer = msize == 8 && tsize != 8;
	return NULL;
}

/* Every member decoded from the one copy of struct dev_pagemap fits in it. */
static bool pgmap_members_fit(const struct zd_layout *l)
{
	const struct {
		uint64_t off, width;
	} m[] = {
		{ l->pgmap_type, 4 },
		{ l->pgmap_flags, 4 },
		{ l->pgmap_altmap_valid, 1 },
		{ l->pgmap_vmemmap_shift, 8 },
		{ l->pgmap_ops, 8 },
		{ l->pgmap_owner, 8 },
		{ l->pgmap_nr_range, 4 },
		{ l->pgmap_ref, l->ref_is_pointer ? 8 : 0 },
		{ l->pgmap_altmap, 8 },
		{ l->altmap_is_pointer ? ZD_NO_MEMBER :
					 l->pgmap_altmap + l->altmap_base_pfn,
		  8 },
		{ l->altmap_is_pointer ? ZD_NO_MEMBER :
					 l->pgmap_altmap + l->altmap_reserve,
		  8 },
		{ l->altmap_is_pointer ? ZD_NO_MEMBER :
					 l->pgmap_altmap + l->altmap_free,
		  8 },
		{ l->pgmap_nr_range == ZD_NO_MEMBER && l->res_is_pointer ?
			  l->pgmap_ranges :
			  ZD_NO_MEMBER,
		  8 },
	};

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (m[i].off != ZD_NO_MEMBER &&
		    (m[i].off > l->pgmap_size ||
		     l->pgmap_size - m[i].off < m[i].width))
			return false;
	return true;
}

static struct zd_error *resolve_pgmap(const struct zd_host *h,
				      struct zd_layout *l)
{
	uint64_t range_off;
	struct zd_error *err;

	if ((err = need_size(h, "dev_pagemap", &l->pgmap_size)) ||
	    (err = pointer_or_embedded(h, "dev_pagemap", "ref", "percpu_ref",
				       &l->pgmap_ref, &l->ref_is_pointer)) ||
	    (err = pointer_or_embedded(h, "dev_pagemap", "altmap",
				       "vmem_altmap", &l->pgmap_altmap,
				       &l->altmap_is_pointer)))
		return err;
	/* type from 4.14, altmap_valid 4.16-5.2, flags 5.3+, ... */
	if ((err = opt_member(h, "dev_pagemap", "type", &l->pgmap_type)) ||
	    (err = opt_member(h, "dev_pagemap", "flags", &l->pgmap_flags)) ||
	    (err = opt_member(h, "dev_pagemap", "altmap_valid",
			      &l->pgmap_altmap_valid)) ||
	    (err = opt_member(h, "dev_pagemap", "vmemmap_shift",
			      &l->pgmap_vmemmap_shift)) ||
	    (err = opt_member(h, "dev_pagemap", "ops", &l->pgmap_ops)) ||
	    (err = opt_member(h, "dev_pagemap", "owner", &l->pgmap_owner)) ||
	    (err = opt_member(h, "dev_pagemap", "done", &l->pgmap_done)) ||
	    (err = need_member(h, "vmem_altmap", "base_pfn",
			       &l->altmap_base_pfn, NULL)) ||
	    (err = need_member(h, "vmem_altmap", "reserve", &l->altmap_reserve,
			       NULL)) ||
	    (err = need_member(h, "vmem_altmap", "free", &l->altmap_free,
			       NULL)))
		return err;
	/*
	 * 5.10 replaced struct resource res by nr_range + ranges[] of struct
	 * range; before 4.16 res was a pointer into struct page_map.  Both
	 * spell the bounds start and end (inclusive).
	 */
	if ((err = opt_member(h, "dev_pagemap", "nr_range",
			      &l->pgmap_nr_range)))
		return err;
	if (l->pgmap_nr_range != ZD_NO_MEMBER) {
		if ((err = opt_member(h, "dev_pagemap", "ranges", &range_off)))
			return err;
		if (range_off == ZD_NO_MEMBER &&
		    (err = need_member(h, "dev_pagemap", "range", &range_off,
				       NULL)))
			return err;
		l->pgmap_ranges = range_off;
		if ((err = need_size(h, "range", &l->range_size)) ||
		    (err = need_member(h, "range", "start", &l->range_start,
				       NULL)) ||
		    (err = need_member(h, "range", "end", &l->range_end, NULL)))
			return err;
	} else {
		if ((err = pointer_or_embedded(h, "dev_pagemap", "res",
					       "resource", &l->pgmap_ranges,
					       &l->res_is_pointer)) ||
		    (err = need_size(h, "resource", &l->range_size)) ||
		    (err = need_member(h, "resource", "start", &l->range_start,
				       NULL)) ||
		    (err = need_member(h, "resource", "end", &l->range_end,
				       NULL)))
			return err;
	}
	if (!pgmap_members_fit(l) || l->pgmap_size > 65536 ||
	    l->range_size == 0 || l->range_size > 4096 ||
	    l->range_start + 8 > l->range_size ||
	    l->range_end + 8 > l->range_size)
		return zd_error_create(ZD_ERR_INVALID,
				       "absurd struct dev_pagemap layout");

	if ((err = need_member(h, "percpu_ref", "percpu_count_ptr",
			       &l->pcr_count_ptr, NULL)) ||
	    (err = opt_member(h, "percpu_ref", "data", &l->pcr_data)))
		return err;
	/* 5.10 (2b0d3d3e4fcf) moved the slow-path fields to percpu_ref_data. */
	{
		const char *holder = l->pcr_data == ZD_NO_MEMBER ?
					     "percpu_ref" :
					     "percpu_ref_data";

		if ((err = need_member(h, holder, "count", &l->pcr_count,
				       NULL)) ||
		    (err = need_member(h, holder, "release", &l->pcr_release,
				       NULL)) ||
		    (err = need_member(h, holder, "confirm_switch",
				       &l->pcr_confirm, NULL)))
			return err;
		l->pcr_data_ref = ZD_NO_MEMBER;
		if (l->pcr_data != ZD_NO_MEMBER &&
		    (err = opt_member(h, "percpu_ref_data", "ref",
				      &l->pcr_data_ref)))
			return err;
	}
	return NULL;
}

/*
 * Holders of busy pages are a bonus too: page->mapping, page->index (6.16+
 * __folio_index, "mm: rename page->index to page->__folio_index"), the
 * inode chain to super_block.s_id, and the pin count of large folios:
 * folio._pincount (6.1+; 6.1-6.4 kept it in page[1] as the folio mirrors
 * it) or page[1].compound_pincount (5.8-6.0, "mm/gup: page->hpage_pinned_refcount"
 * renamed compound_pincount in 5.9).
 */
static void resolve_holders(const struct zd_host *h, struct zd_layout *l)
{
	uint64_t off;
	struct zd_error *err;

	l->page_mapping = l->page_index = l->page_zone_device_data =
		l->pincount = ZD_NO_MEMBER;
	err = opt_member(h, "page", "mapping", &l->page_mapping);
	if (!err)
		err = opt_member(h, "page", "index", &l->page_index);
	if (!err && l->page_index == ZD_NO_MEMBER)
		err = opt_member(h, "page", "__folio_index", &l->page_index);
	if (!err)
		err = opt_member(h, "page", "zone_device_data",
				 &l->page_zone_device_data);
	if (!err && l->page_mapping != ZD_NO_MEMBER &&
	    l->pgmap_vmemmap_shift != ZD_NO_MEMBER) {
		/* large device folios exist from 5.17 (vmemmap_shift) */
		err = opt_member(h, "folio", "_pincount", &l->pincount);
		if (!err && l->pincount == ZD_NO_MEMBER) {
			err = opt_member(h, "page", "compound_pincount", &off);
			if (!err && off != ZD_NO_MEMBER)
				l->pincount = l->page_size + off;
		}
	}
	if (err || l->page_mapping + 8 > l->page_size ||
	    (l->page_index != ZD_NO_MEMBER &&
	     l->page_index + 8 > l->page_size) ||
	    (l->page_zone_device_data != ZD_NO_MEMBER &&
	     l->page_zone_device_data + 8 > l->page_size)) {
		zd_error_destroy(err);
		l->page_mapping = l->page_index = l->page_zone_device_data =
			l->pincount = ZD_NO_MEMBER;
		return;
	}
	if (l->page_mapping == ZD_NO_MEMBER)
		return;
	err = need_member(h, "address_space", "host", &l->as_host, NULL);
	if (!err)
		err = need_member(h, "inode", "i_ino", &l->inode_ino, NULL);
	if (!err)
		err = need_member(h, "inode", "i_sb", &l->inode_sb, NULL);
	if (!err)
		err = need_member(h, "inode", "i_mapping", &l->inode_mapping,
				  NULL);
	if (!err)
		err = need_member(h, "super_block", "s_id", &l->sb_id, NULL);
	if (err) {
		zd_error_destroy(err);
		return;
	}
	l->have_holders = true;
}

/*
 * wait_var_event() waiters: bit_wait_table (kernel/sched/wait_bit.c, a
 * static array sized by its symbol) of wait_queue_head, each queueing
 * wait_bit_queue_entry.wq_entry.entry with key.flags = the variable and
 * key.bit_nr = -1 (init_wait_var_entry()).  Needs the task layout.
 */
static void resolve_varwait(const struct zd_host *h, struct zd_layout *l)
{
	uint64_t size = 0, key, wq, flags, bit, priv, entry;
	struct zd_error *err;

	if (!l->have_task)
		return;
	err = h->types.symbol(h->types.arg, "bit_wait_table", &l->bwt_addr,
			      &size);
	if (!err)
		err = need_size(h, "wait_queue_head", &l->wqh_size);
	if (!err)
		err = need_member(h, "wait_queue_head", "head", &l->wqh_head,
				  NULL);
	if (!err)
		err = need_member(h, "wait_bit_queue_entry", "key", &key, NULL);
	if (!err)
		err = need_member(h, "wait_bit_queue_entry", "wq_entry", &wq,
				  NULL);
	if (!err)
		err = need_member(h, "wait_bit_key", "flags", &flags, NULL);
	if (!err)
		err = need_member(h, "wait_bit_key", "bit_nr", &bit, NULL);
	if (!err)
		err = need_member(h, "wait_queue_entry", "private", &priv,
				  NULL);
	if (!err)
		err = need_member(h, "wait_queue_entry", "entry", &entry, NULL);
	if (err || !size || !l->wqh_size || size % l->wqh_size ||
	    size / l->wqh_size > 65536) {
		zd_error_destroy(err);
		return;
	}
	l->bwt_count = size / l->wqh_size;
	l->wbq_var = key + flags;
	l->wbq_bit_nr = key + bit;
	l->wbq_task = wq + priv;
	l->wbq_list = wq + entry;
	l->have_varwait = true;
}

/*
 * When a waiter last ran (CONFIG_SCHED_INFO): sched_info_arrive()
 * (kernel/sched/stats.h, 2.6.x to 6.19) stamps sched_info.last_arrival
 * with rq_clock() each time the task is switched in; every rq->clock is
 * sched_clock_cpu() time, the clock printk stamps records with
 * (local_clock()), so the newest rq->clock of all CPUs is "now" of the
 * dump in the log's own timescale.  Optional twice over: a kernel without
 * CONFIG_SCHED_INFO has no sched_info, and types without struct rq (BTF
 * has it, a stripped DWARF may not) give no clock.
 */
static void resolve_sched_clock(const struct zd_host *h, struct zd_layout *l)
{
	uint64_t si, arrival, size, rq_size;
	struct zd_error *err;

	l->task_last_arrival = ZD_NO_MEMBER;
	err = need_member(h, "task_struct", "sched_info", &si, NULL);
	if (!err)
		err = need_member(h, "sched_info", "last_arrival", &arrival,
				  &size);
	if (!err && size == 8)
		l->task_last_arrival = si + arrival;
	zd_error_destroy(err);
	if (l->task_last_arrival == ZD_NO_MEMBER)
		return;
	err = h->types.symbol(h->types.arg, "runqueues", &l->runqueues,
			      &size);
	if (!err)
		err = need_member(h, "rq", "clock", &l->rq_clock, &rq_size);
	if (!err && rq_size == 8)
		l->have_rq_clock = true;
	zd_error_destroy(err);
}

/* Waiters are a bonus: their absence never fails the open. */
static void resolve_waiters(const struct zd_host *h, struct zd_layout *l)
{
	uint64_t wait, list;
	struct zd_error *err;

	err = need_member(h, "task_struct", "pid", &l->task_pid, NULL);
	if (!err)
		err = need_member(h, "task_struct", "comm", &l->task_comm,
				  NULL);
	if (!err) {
		err = opt_member(h, "task_struct", "__state", &l->task_state);
		if (!err && l->task_state == ZD_NO_MEMBER)
			err = opt_member(h, "task_struct", "state",
					 &l->task_state);
	}
	if (err) {
		zd_error_destroy(err);
		return;
	}
	l->have_task = true;
	resolve_sched_clock(h, l);
	if (l->pgmap_done == ZD_NO_MEMBER)
		return;
	err = need_member(h, "completion", "wait", &wait, NULL);
	if (!err)
		err = need_member(h, "swait_queue_head", "task_list", &list,
				  NULL);
	if (!err)
		err = need_member(h, "swait_queue", "task", &l->swq_task, NULL);
	if (!err)
		err = need_member(h, "swait_queue", "task_list", &l->swq_list,
				  NULL);
	if (err) {
		zd_error_destroy(err);
		return;
	}
	l->done_task_list = wait + list;
	l->have_waiters = true;
}

/* A registry symbol, 0 when this kernel has none. */
static struct zd_error *opt_symbol(const struct zd_host *h, const char *name,
				   uint64_t *addr)
{
	uint64_t size;
	struct zd_error *err = h->types.symbol(h->types.arg, name, addr, &size);

	if (err && err->code == ZD_ERR_NOTFOUND) {
		zd_error_destroy(err);
		*addr = 0;
		return NULL;
	}
	return err;
}

static struct zd_error *resolve_registry(const struct zd_host *h,
					 struct zd_layout *l)
{
	struct zd_error *err;

	if ((err = opt_symbol(h, "pgmap_array", &l->pgmap_array)) ||
	    (err = opt_symbol(h, "pgmap_radix", &l->pgmap_radix)) ||
	    (err = opt_symbol(h, "hmm_devmem_radix", &l->hmm_devmem_radix)))
		return err;
	/* 4.20 turned radix trees into XArrays: #define radix_tree_root xarray */
	if (l->hmm_devmem_radix) {
		uint64_t size;
		struct zd_error *e = h->types.type_size(
			h->types.arg, "radix_tree_root", &size);

		l->hmm_is_xarray = e && e->code == ZD_ERR_NOTFOUND;
		if (e && !l->hmm_is_xarray)
			return e;
		zd_error_destroy(e);
	}
	if (!l->pgmap_array && !l->pgmap_radix)
		return zd_error_create(
			ZD_ERR_NOTFOUND,
			"no pgmap registry: neither pgmap_array nor pgmap_radix (not a ZONE_DEVICE kernel, or symbols without CONFIG_KALLSYMS_ALL)");
	if ((l->pgmap_array || l->hmm_is_xarray) &&
	    ((err = need_member(h, "xarray", "xa_head", &l->xa_head, NULL)) ||
	     (err = need_member(h, "xa_node", "shift", &l->xa_node_shift,
				NULL)) ||
	     (err = need_member(h, "xa_node", "slots", &l->xa_node_slots,
				NULL)) ||
	     (err = need_size(h, "xa_node", &l->xa_node_size))))
		return err;
	if ((l->pgmap_array || l->hmm_is_xarray) &&
	    (l->xa_node_size < l->xa_node_slots + 64 * 8 ||
	     l->xa_node_size > 4096 || l->xa_node_shift >= l->xa_node_size))
		return zd_error_create(
			ZD_ERR_UNSUPPORTED,
			"struct xa_node of %llu bytes: only XA_CHUNK_SHIFT 6 is supported",
			(unsigned long long)l->xa_node_size);
	if (l->pgmap_radix || (l->hmm_devmem_radix && !l->hmm_is_xarray)) {
		/* 4.7 dropped root->height for node->shift (4.5-4.6: path). */
		if ((err = need_member(h, "radix_tree_root", "rnode",
				       &l->radix_rnode, NULL)) ||
		    (err = opt_member(h, "radix_tree_root", "height",
				      &l->radix_height)) ||
		    (err = opt_member(h, "radix_tree_node", "shift",
				      &l->radix_node_shift)) ||
		    (err = opt_member(h, "radix_tree_node", "path",
				      &l->radix_node_path)) ||
		    (err = need_member(h, "radix_tree_node", "slots",
				       &l->radix_node_slots, NULL)) ||
		    (err = need_size(h, "radix_tree_node",
				     &l->radix_node_size)))
			return err;
		if (l->radix_node_size < l->radix_node_slots + 64 * 8 ||
		    l->radix_node_size > 4096 ||
		    (l->radix_node_shift != ZD_NO_MEMBER &&
		     l->radix_node_shift >= l->radix_node_size) ||
		    (l->radix_node_shift == ZD_NO_MEMBER &&
		     l->radix_height == ZD_NO_MEMBER))
			return zd_error_create(
				ZD_ERR_UNSUPPORTED,
				"struct radix_tree_node of %llu bytes without shift or root height",
				(unsigned long long)l->radix_node_size);
	}
	/* Up to 4.15 the radix holds struct page_map *, not the pgmap. */
	if (l->pgmap_radix &&
	    (err = opt_member(h, "page_map", "pgmap", &l->page_map_pgmap)))
		return err;
	if (l->hmm_devmem_radix &&
	    (err = need_member(h, "hmm_devmem", "pagemap",
			       &l->hmm_devmem_pagemap, NULL)))
		return err;
	return NULL;
}

/*
 * Names of a pgmap (lib/names.c) are a bonus: each part below stands
 * alone, and one the kernel lacks (or the types do not describe) is off.
 */

/* iomem_resource and struct resource {start, end, name, sibling, child}. */
static bool resolve_iomem(const struct zd_host *h, struct zd_names_layout *n)
{
	uint64_t size;
	struct zd_error *err;

	err = h->types.symbol(h->types.arg, "iomem_resource",
			      &n->iomem_resource, &size);
	if (!err)
		err = need_size(h, "resource", &n->res_size);
	if (!err)
		err = need_member(h, "resource", "start", &n->res_start, NULL);
	if (!err)
		err = need_member(h, "resource", "end", &n->res_end, NULL);
	if (!err)
		err = need_member(h, "resource", "name", &n->res_name, NULL);
	if (!err)
		err = need_member(h, "resource", "sibling", &n->res_sibling,
				  NULL);
	if (!err)
		err = need_member(h, "resource", "child", &n->res_child, NULL);
	if (err) {
		zd_error_destroy(err);
		return false;
	}
	return n->res_size <= 256 && n->res_start + 8 <= n->res_size &&
	       n->res_end + 8 <= n->res_size &&
	       n->res_name + 8 <= n->res_size &&
	       n->res_sibling + 8 <= n->res_size &&
	       n->res_child + 8 <= n->res_size;
}

/* A base/size pair of where a module's memory is. */
static struct zd_error *mod_region(const struct zd_host *h,
				   struct zd_names_layout *n, uint64_t at,
				   const char *type, const char *base,
				   const char *size)
{
	uint64_t boff, soff, slen;
	struct zd_error *err;

	if (n->mod_nregions == ZD_MOD_REGIONS)
		return NULL;
	if ((err = need_member(h, type, base, &boff, NULL)) ||
	    (err = need_member(h, type, size, &soff, &slen)))
		return err;
	if (slen != 4 && slen != 8)
		return zd_error_create(ZD_ERR_UNSUPPORTED,
				       "%s.%s of %llu bytes", type, size,
				       (unsigned long long)slen);
	n->mod_region_base[n->mod_nregions] = at + boff;
	n->mod_region_size[n->mod_nregions] = at + soff;
	n->mod_region_size_len = slen;
	n->mod_nregions++;
	return NULL;
}

/*
 * The modules list.  Where a module's memory is moved twice: module_core,
 * core_size, module_init, init_size up to 4.4; struct module_layout
 * core_layout, init_layout 4.5-6.3 ("module: use a structure to
 * encapsulate layout"); struct module_memory mem[MOD_MEM_NUM_TYPES] from
 * 6.4 (ac3b43283923).  Its symbols moved into struct mod_kallsyms
 * *kallsyms in 4.5 (8244062ef1e5).
 */
static bool resolve_modules(const struct zd_host *h, struct zd_names_layout *n)
{
	uint64_t size, off, msize, tsize;
	const char *ks;
	struct zd_error *err;

	err = h->types.symbol(h->types.arg, "modules", &n->modules, &size);
	if (!err)
		err = need_member(h, "module", "list", &n->mod_list, NULL);
	if (!err)
		err = need_member(h, "module", "name", &n->mod_name,
				  &n->mod_name_len);
	if (!err)
		err = need_member(h, "module", "state", &n->mod_state, NULL);
	if (!err)
		err = enum_value(h, "MODULE_STATE_UNFORMED", &n->mod_unformed);
	if (!err)
		err = opt_member(h, "module", "mem", &off);
	if (!err && off != ZD_NO_MEMBER) {
		err = need_member(h, "module", "mem", &off, &msize);
		if (!err)
			err = need_size(h, "module_memory", &tsize);
		for (uint64_t i = 0; !err && tsize && i < msize / tsize; i++)
			err = mod_region(h, n, off + i * tsize, "module_memory",
					 "base", "size");
	} else if (!err) {
		err = opt_member(h, "module", "core_layout", &off);
		if (!err && off != ZD_NO_MEMBER) {
			err = mod_region(h, n, off, "module_layout", "base",
					 "size");
			if (!err)
				err = need_member(h, "module", "init_layout",
						  &off, NULL);
			if (!err)
				err = mod_region(h, n, off, "module_layout",
						 "base", "size");
		} else if (!err) {
			err = mod_region(h, n, 0, "module", "module_core",
					 "core_size");
			if (!err)
				err = mod_region(h, n, 0, "module",
						 "module_init", "init_size");
		}
	}
	if (!err)
		err = opt_member(h, "module", "kallsyms", &n->mod_kallsyms);
	ks = n->mod_kallsyms == ZD_NO_MEMBER ? "module" : "mod_kallsyms";
	if (!err)
		err = need_member(h, ks, "symtab", &n->ks_symtab, NULL);
	if (!err)
		err = need_member(h, ks, "num_symtab", &n->ks_num_symtab, NULL);
	if (!err)
		err = need_member(h, ks, "strtab", &n->ks_strtab, NULL);
	if (err) {
		zd_error_destroy(err);
		return false;
	}
	return n->mod_nregions && n->mod_name_len && n->mod_name_len <= 256;
}

/* Module BTF: btf_modules of struct btf_module, struct btf. */
bool zd_resolve_mod_btf(const struct zd_host *h, struct zd_mod_btf_layout *n)
{
	uint64_t size;
	struct zd_error *err;

	err = h->types.symbol(h->types.arg, "btf_modules", &n->btf_modules,
			      &size);
	if (!err)
		err = need_member(h, "btf_module", "list", &n->btfm_list, NULL);
	if (!err)
		err = need_member(h, "btf_module", "module", &n->btfm_module,
				  NULL);
	if (!err)
		err = need_member(h, "btf_module", "btf", &n->btfm_btf, NULL);
	if (!err)
		err = need_member(h, "btf", "data", &n->btf_data, NULL);
	if (!err)
		err = need_member(h, "btf", "data_size", &n->btf_data_size,
				  NULL);
	if (!err)
		err = need_member(h, "btf", "base_btf", &n->btf_base, NULL);
	if (!err)
		err = need_member(h, "btf", "start_str_off",
				  &n->btf_start_str_off, NULL);
	if (!err)
		err = opt_member(h, "btf", "base_id_map", &n->btf_base_id_map);
	if (err) {
		zd_error_destroy(err);
		return false;
	}
	return true;
}

/* devres (lib/devres.c); absent parts leave have_devres false. */
static void resolve_devres(const struct zd_host *h, struct zd_devres_layout *d)
{
	uint64_t size;
	struct zd_error *err;

	err = h->types.symbol(h->types.arg, "devices_kset", &d->devices_kset,
			      &size);
	if (!err)
		err = h->types.symbol(h->types.arg, "devm_action_release",
				      &d->action_release, &size);
	if (!err)
		err = h->types.symbol(h->types.arg,
				      "devm_memremap_pages_release",
				      &d->memremap_release, &size);
	if (!err)
		err = need_member(h, "kset", "list", &d->kset_list, NULL);
	if (!err)
		err = need_member(h, "kobject", "entry", &d->kobj_entry, NULL);
	if (!err)
		err = need_member(h, "kobject", "name", &d->kobj_name, NULL);
	if (!err)
		err = need_member(h, "device", "kobj", &d->dev_kobj, NULL);
	if (!err)
		err = need_member(h, "device", "devres_head",
				  &d->dev_devres_head, NULL);
	if (!err)
		err = need_member(h, "device", "driver", &d->dev_driver, NULL);
	if (!err)
		err = need_member(h, "device_driver", "name", &d->drv_name,
				  NULL);
	/* struct devres_node, devres, action_devres: drivers/base/devres.c's */
	if (!err && h->types.hint_unit)
		h->types.hint_unit(h->types.arg, "devm_action_release");
	if (!err)
		err = need_member(h, "devres_node", "entry", &d->node_entry,
				  NULL);
	if (!err)
		err = need_member(h, "devres_node", "release",
				  &d->node_release, NULL);
	if (!err)
		err = need_member(h, "devres", "data", &d->devres_data, NULL);
	if (!err)
		err = need_member(h, "action_devres", "data", &d->action_data,
				  NULL);
	if (!err)
		err = need_member(h, "action_devres", "action", &d->action_fn,
				  NULL);
	d->have_devres = !err && d->action_data != d->action_fn &&
			 d->action_data <= 8 && d->action_fn <= 8 &&
			 !(d->action_data % 8) && !(d->action_fn % 8) &&
			 d->action_release && d->memremap_release;
	zd_error_destroy(err);
}

static void resolve_names(const struct zd_host *h, struct zd_layout *l)
{
	struct zd_names_layout *n = &l->nm;
	struct zd_error *err;

	resolve_devres(h, &l->dr);
	n->have_iomem = resolve_iomem(h, n);
	n->have_modules = resolve_modules(h, n);
	err = need_member(h, "gendisk", "disk_name", &n->gd_disk_name,
			  &n->gd_disk_name_len);
	if (!err)
		err = need_member(h, "gendisk", "private_data",
				  &n->gd_private_data, NULL);
	n->have_gendisk =
		!err && n->gd_disk_name_len && n->gd_disk_name_len <= 256;
	zd_error_destroy(err);
}

static struct zd_error *resolve_cpus(const struct zd_host *h,
				     const struct zd_target *t,
				     struct zd_layout *l)
{
	uint64_t mask_addr, mask_size, off_addr, off_size, nr_ids_addr, sz;
	uint32_t nr_ids;
	uint64_t mask[ZD_MAX_CPUS / 64];
	struct zd_error *err;

	err = h->types.symbol(h->types.arg, "__per_cpu_offset", &off_addr,
			      &off_size);
	if (err && err->code == ZD_ERR_NOTFOUND) {
		/* !CONFIG_SMP: a per-CPU variable is the variable itself. */
		zd_error_destroy(err);
		l->ncpus = 1;
		l->cpu_offset[0] = 0;
		return NULL;
	}
	if (err ||
	    (err = h->types.symbol(h->types.arg, "__cpu_possible_mask",
				   &mask_addr, &mask_size)) ||
	    (err = h->types.symbol(h->types.arg, "nr_cpu_ids", &nr_ids_addr,
				   &sz)))
		return zd_error_wrap(err, "per-CPU symbols");
	if ((err = zd_read(t, nr_ids_addr, &nr_ids, sizeof(nr_ids),
			   "nr_cpu_ids")))
		return err;
	if (nr_ids == 0 || nr_ids > ZD_MAX_CPUS)
		return zd_error_create(ZD_ERR_INVALID, "absurd nr_cpu_ids %u",
				       nr_ids);
	if (off_size && off_size / 8 < nr_ids)
		return zd_error_create(
			ZD_ERR_INVALID,
			"nr_cpu_ids %u exceeds __per_cpu_offset[%llu]", nr_ids,
			(unsigned long long)(off_size / 8));
	if ((err = zd_read(t, mask_addr, mask, (nr_ids + 63) / 64 * 8,
			   "__cpu_possible_mask")))
		return err;
	/* One read of the whole array, then keep the possible CPUs' offsets. */
	if ((err = zd_read(t, off_addr, l->cpu_offset, 8ULL * nr_ids,
			   "__per_cpu_offset")))
		return err;
	l->ncpus = 0;
	for (uint32_t cpu = 0; cpu < nr_ids; cpu++)
		if (mask[cpu / 64] & (1ULL << (cpu % 64)))
			l->cpu_offset[l->ncpus++] = l->cpu_offset[cpu];
	if (!l->ncpus)
		return zd_error_create(ZD_ERR_INVALID,
				       "__cpu_possible_mask is empty");
	return NULL;
}

/*
 * The enum memory_type values this kernel has.  An enumerator the kernel
 * lacks costs a debug-info host a scan of everything, so names are asked
 * for only in the eras that can have them: none before 4.14 (no type
 * field), PUBLIC and HOST before 5.3 (no dev_pagemap.flags yet), DEVDAX
 * where GENERIC is missing (5.3-5.8), COHERENT with vmemmap_shift (5.17+;
 * 6.0 added it).
 */
static struct zd_error *resolve_types(const struct zd_host *h,
				      struct zd_layout *l)
{
	bool before_5_3 = l->pgmap_flags == ZD_NO_MEMBER;
	struct zd_error *err;

	l->type_private = l->type_fs_dax = l->type_p2pdma = INT64_MIN;
	l->type_public = l->type_host = l->type_coherent = INT64_MIN;
	l->type_generic = INT64_MIN;
	if (l->pgmap_type == ZD_NO_MEMBER)
		return NULL; /* 4.5-4.13: no enum memory_type at all */
	if ((err = enum_value(h, "MEMORY_DEVICE_PRIVATE", &l->type_private)) ||
	    (err = enum_value(h, "MEMORY_DEVICE_FS_DAX", &l->type_fs_dax)) ||
	    (err = enum_value(h, "MEMORY_DEVICE_PCI_P2PDMA", &l->type_p2pdma)))
		return err;
	if (before_5_3) {
		if ((err = enum_value(h, "MEMORY_DEVICE_PUBLIC",
				      &l->type_public)))
			return err;
		return enum_value(h, "MEMORY_DEVICE_HOST", &l->type_host);
	}
	if ((err = enum_value(h, "MEMORY_DEVICE_GENERIC", &l->type_generic)))
		return err;
	if (l->type_generic == INT64_MIN) {
		err = enum_value(h, "MEMORY_DEVICE_DEVDAX", &l->type_generic);
		l->generic_is_devdax = l->type_generic != INT64_MIN;
		return err;
	}
	if (l->pgmap_vmemmap_shift != ZD_NO_MEMBER)
		return enum_value(h, "MEMORY_DEVICE_COHERENT",
				  &l->type_coherent);
	return NULL;
}

struct zd_error *zd_target_open(const struct zd_host *host,
				struct zd_target **ret)
{
	struct zd_target *t = calloc(1, sizeof(*t));
	struct zd_layout *l;
	struct zd_error *err;

	if (!t)
		return &zd_error_nomem;
	t->host = *host;
	l = &t->lay;
	if ((err = zd_constants_read(&host->mem, &t->consts))) {
		err = zd_error_wrap(err, "kernel constants");
		goto fail;
	}
	if ((err = resolve_page(host, l)) ||
	    (err = resolve_sections(host, t, l)) ||
	    (err = resolve_pgmap(host, l)) ||
	    (err = resolve_registry(host, l)) ||
	    (err = resolve_cpus(host, t, l)))
		goto fail;
	resolve_waiters(host, l);
	resolve_varwait(host, l);
	resolve_holders(host, l);
	resolve_names(host, l);
	if ((err = resolve_types(host, l)) ||
	    (err = enum_value(host, "PG_head", &l->pg_head)))
		goto fail;
	if (l->pg_head == INT64_MIN) {
		/* VMCOREINFO NUMBER(PG_head_mask), where the host has it */
		uint64_t mask = 0;

		mask = t->consts.pg_head_mask;
		l->pg_head = mask && !(mask & (mask - 1)) ?
				     __builtin_ctzll(mask) :
				     -1;
	}
	if (l->pg_head < 0 || l->pg_head > 63)
		l->pg_head = -1;
	zd_tells_resolve(t);
	t->era = zd_era_detect(t);
	if (!t->era) {
		err = zd_error_create(
			ZD_ERR_UNSUPPORTED,
			"no refcount model matches this kernel's structure shape");
		goto fail;
	}
	t->names = zd_names_new(); /* NULL: names are read uncached */
	*ret = t;
	return NULL;
fail:
	free(t);
	return err;
}

void zd_target_close(struct zd_target *target)
{
	if (target)
		zd_names_free(target->names);
	free(target);
}

const char *zd_target_model(const struct zd_target *target)
{
	return zd_era_name(target->era);
}
