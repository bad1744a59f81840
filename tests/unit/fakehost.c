// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fake host: sparse kernel memory, lookup tables, and builders that
 * lay kernel objects out the way a 6.1 x86_64 kernel does.  Misuse by a
 * test (overlapping regions, a write outside memory) aborts: a broken
 * fixture must never turn into a passing test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zdref/zdref.h"

#include "fakehost.h"

#define FH_NR_SECTION_ROOTS 2048	/* 2^(46-27) sections / 256 per root */
#define FH_SECTIONS_PER_ROOT 256
#define FH_ROOT_TABLE (FH_DATA_BASE + 0x100000)	/* runtime-allocated roots */

static void fh_die(const char *what, uint64_t addr)
{
	fprintf(stderr, "fakehost: %s at 0x%llx\n", what,
		(unsigned long long)addr);
	abort();
}

/* Memory */

static struct fh_region *find_region(struct fakehost *fh, uint64_t addr)
{
	for (size_t i = 0; i < fh->nregions; i++) {
		struct fh_region *r = &fh->regions[i];

		if (addr >= r->addr && addr - r->addr < r->len)
			return r;
	}
	return NULL;
}

uint8_t *fh_map(struct fakehost *fh, uint64_t addr, size_t len)
{
	struct fh_region *r;

	for (size_t i = 0; i < fh->nregions; i++) {
		r = &fh->regions[i];
		if (addr < r->addr + r->len && r->addr < addr + len)
			fh_die("overlapping region", addr);
	}
	r = realloc(fh->regions, (fh->nregions + 1) * sizeof(*r));
	if (!r)
		abort();
	fh->regions = r;
	r = &fh->regions[fh->nregions++];
	r->addr = addr;
	r->len = len;
	r->bytes = calloc(1, len ? len : 1);
	if (!r->bytes)
		abort();
	return r->bytes;
}

void fh_unmap(struct fakehost *fh, uint64_t addr)
{
	for (size_t i = 0; i < fh->nregions; i++) {
		if (fh->regions[i].addr != addr)
			continue;
		free(fh->regions[i].bytes);
		fh->regions[i] = fh->regions[--fh->nregions];
		return;
	}
	fh_die("unmap of no region", addr);
}

void fh_exclude(struct fakehost *fh, uint64_t addr, uint64_t len)
{
	if (fh->nexcluded == FH_MAX_EXCLUDED)
		fh_die("too many excluded ranges", addr);
	fh->excluded[fh->nexcluded].addr = addr;
	fh->excluded[fh->nexcluded].len = len;
	fh->nexcluded++;
}

uint64_t fh_alloc(struct fakehost *fh, size_t size, size_t align)
{
	uint64_t addr = (fh->heap_next + align - 1) & ~(uint64_t)(align - 1);

	fh_map(fh, addr, size);
	/* A gap after each object: an overrun reads unmapped memory. */
	fh->heap_next = addr + size + 64;
	return addr;
}

void fh_put(struct fakehost *fh, uint64_t addr, const void *src, size_t len)
{
	const uint8_t *s = src;

	while (len) {
		struct fh_region *r = find_region(fh, addr);
		size_t n;

		if (!r)
			fh_die("write outside memory", addr);
		n = r->addr + r->len - addr;
		if (n > len)
			n = len;
		memcpy(r->bytes + (addr - r->addr), s, n);
		addr += n;
		s += n;
		len -= n;
	}
}

void fh_put_u64(struct fakehost *fh, uint64_t addr, uint64_t v)
{
	fh_put(fh, addr, &v, sizeof(v));
}

void fh_put_u32(struct fakehost *fh, uint64_t addr, uint32_t v)
{
	fh_put(fh, addr, &v, sizeof(v));
}

void fh_put_u8(struct fakehost *fh, uint64_t addr, uint8_t v)
{
	fh_put(fh, addr, &v, sizeof(v));
}

uint64_t fh_get_u64(struct fakehost *fh, uint64_t addr)
{
	struct fh_region *r = find_region(fh, addr);
	uint64_t v;

	if (!r || addr + 8 > r->addr + r->len)
		fh_die("get outside memory", addr);
	memcpy(&v, r->bytes + (addr - r->addr), 8);
	return v;
}

/* Host callbacks */

static struct zd_error *fh_read(void *arg, uint64_t addr, void *buf,
				size_t len)
{
	struct fakehost *fh = arg;
	uint8_t *d = buf;

	fh->reads++;
	for (size_t i = 0; i < fh->nexcluded; i++)
		if (addr < fh->excluded[i].addr + fh->excluded[i].len &&
		    fh->excluded[i].addr < addr + len)
			return zd_error_create(ZD_ERR_EXCLUDED,
					       "0x%llx: page excluded",
					       (unsigned long long)addr);
	/* All or nothing: check first, then copy (regions may abut). */
	for (uint64_t a = addr, left = len; left;) {
		struct fh_region *r = find_region(fh, a);
		uint64_t n;

		if (!r)
			return zd_error_create(ZD_ERR_FAULT,
					       "0x%llx: not in the dump",
					       (unsigned long long)a);
		n = r->addr + r->len - a;
		if (n > left)
			n = left;
		a += n;
		left -= n;
	}
	while (len) {
		struct fh_region *r = find_region(fh, addr);
		size_t n = r->addr + r->len - addr;

		if (n > len)
			n = len;
		memcpy(d, r->bytes + (addr - r->addr), n);
		addr += n;
		d += n;
		len -= n;
	}
	return NULL;
}

/* VMCOREINFO lines: the numbers the test added (the memory half's arg). */
static struct zd_error *fh_vmcoreinfo(void *arg, const char *key, char *buf,
				      size_t len)
{
	struct fakehost *fh = arg;

	return zt_vmcoreinfo(&fh->tab, key, buf, len);
}

struct fakehost *fh_create(void)
{
	struct fakehost *fh = calloc(1, sizeof(*fh));

	if (!fh)
		abort();
	fh->host.mem.arg = fh;
	fh->host.mem.read = fh_read;
	fh->host.mem.vmcoreinfo = fh_vmcoreinfo;
	zt_types_half(&fh->tab, &fh->host.types);
	fh->heap_next = FH_HEAP_BASE;
	fh->pcpu_next = FH_PCPU_PTR_FIRST;
	fh->data_next = FH_DATA_BASE;
	fh->text_next = FH_TEXT_BASE;
	fh->era = FH_ERA_6_1;
	fh->page_pgmap_off = FH_PAGE_PGMAP;
	fh->page_refcount_off = FH_PAGE_REFCOUNT;
	fh->page_mapcount_off = FH_PAGE_MAPCOUNT;
	return fh;
}

void fh_destroy(struct fakehost *fh)
{
	if (!fh)
		return;
	for (size_t i = 0; i < fh->nregions; i++)
		free(fh->regions[i].bytes);
	free(fh->regions);
	free(fh);
}

/* Tables */

void fh_add_symbol(struct fakehost *fh, const char *name, uint64_t addr,
		   uint64_t size)
{
	if (!zt_add_symbol(&fh->tab, name, addr, size))
		fh_die("too many symbols", addr);
}

void fh_add_type(struct fakehost *fh, const char *name, uint64_t size)
{
	if (!zt_add_type(&fh->tab, name, size))
		fh_die("too many types", size);
}

void fh_add_member(struct fakehost *fh, const char *type, const char *member,
		   uint64_t offset, uint64_t size)
{
	if (!zt_add_member(&fh->tab, type, member, offset, size))
		fh_die("too many members", offset);
}

void fh_remove_member(struct fakehost *fh, const char *type,
		      const char *member)
{
	zt_remove_member(&fh->tab, type, member);
}

void fh_add_enum(struct fakehost *fh, const char *name, int64_t value)
{
	if (!zt_set_enum(&fh->tab, name, value))
		fh_die("too many enumerators", 0);
}

void fh_add_number(struct fakehost *fh, const char *name, uint64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%llu", (unsigned long long)value);
	if (!zt_set_number(&fh->tab, name, text))
		fh_die("too many numbers", value);
}

uint64_t fh_symbol_addr(struct fakehost *fh, const char *name)
{
	uint64_t addr, size;
	struct zd_error *err = zt_symbol(&fh->tab, name, &addr, &size);

	if (err) {
		fprintf(stderr, "fakehost: no symbol %s\n", name);
		abort();
	}
	return addr;
}

uint64_t fh_add_function(struct fakehost *fh, const char *name)
{
	uint64_t addr = fh->text_next;

	fh_add_symbol(fh, name, addr, 0x100);
	fh->text_next += 0x100;
	return addr;
}

/* A .data symbol with its own region. */
static uint64_t data_symbol(struct fakehost *fh, const char *name,
			    uint64_t size)
{
	uint64_t addr = fh->data_next;

	fh_map(fh, addr, size);
	fh_add_symbol(fh, name, addr, size);
	fh->data_next = (addr + size + 0xfff) & ~0xfffULL;
	return addr;
}


uint64_t fh_cpu_offset(const struct fakehost *fh, unsigned int cpu)
{
	(void)fh;
	/* __per_cpu_offset[cpu] + __percpu pointer = the CPU's copy. */
	return FH_PCPU_AREA + cpu * FH_PCPU_STRIDE;
}

void fh_setup_6_1(struct fakehost *fh, unsigned int nr_cpu_ids,
		  uint64_t possible)
{
	uint64_t ms, mask, offs, nr;

	/* the 6.1 layout of tests/common/tables.c */
	if (!zt_add_layout(&fh->tab, zt_layout_6_1, zt_layout_6_1_len,
			   zt_types_6_1, zt_types_6_1_len))
		fh_die("too many members", 0);
	fh_add_number(fh, "PAGESIZE", 4096);
	fh_add_number(fh, "NUMBER(SECTION_SIZE_BITS)", 27);
	fh_add_number(fh, "NUMBER(MAX_PHYSMEM_BITS)", 46);
	fh_add_enum(fh, "MEMORY_DEVICE_PRIVATE", FH_MEMORY_DEVICE_PRIVATE);
	fh_add_enum(fh, "MEMORY_DEVICE_COHERENT", FH_MEMORY_DEVICE_COHERENT);
	fh_add_enum(fh, "MEMORY_DEVICE_FS_DAX", FH_MEMORY_DEVICE_FS_DAX);
	fh_add_enum(fh, "MEMORY_DEVICE_GENERIC", FH_MEMORY_DEVICE_GENERIC);
	fh_add_enum(fh, "MEMORY_DEVICE_PCI_P2PDMA",
		    FH_MEMORY_DEVICE_PCI_P2PDMA);

	fh_add_function(fh, "zone_device_page_init");
	fh_add_function(fh, "dev_pagemap_percpu_release");
	fh_add_function(fh, "percpu_ref_switch_to_atomic_rcu");

	/* 4.15+: mem_section is a pointer to the runtime root table. */
	ms = data_symbol(fh, "mem_section", 8);
	fh_map(fh, FH_ROOT_TABLE, FH_NR_SECTION_ROOTS * 8);
	fh_put_u64(fh, ms, FH_ROOT_TABLE);
	data_symbol(fh, "pgmap_array", 16);

	if (nr_cpu_ids > FH_MAX_CPUS)
		fh_die("too many CPUs", nr_cpu_ids);
	fh->nr_cpu_ids = nr_cpu_ids;
	fh->possible = possible;
	mask = data_symbol(fh, "__cpu_possible_mask", 8192 / 8);
	offs = data_symbol(fh, "__per_cpu_offset", 8 * 8192);
	nr = data_symbol(fh, "nr_cpu_ids", 4);
	fh_put_u64(fh, mask, possible);
	fh_put_u32(fh, nr, nr_cpu_ids);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		/* Impossible CPUs get an area too, so reading them "works". */
		fh_map(fh, fh_cpu_offset(fh, cpu), FH_PCPU_STRIDE);
		fh_put_u64(fh, offs + 8 * cpu, fh_cpu_offset(fh, cpu));
	}
}

/* Per-CPU data */

uint64_t fh_percpu_alloc(struct fakehost *fh)
{
	uint64_t pcp = fh->pcpu_next;

	if (pcp + 8 > FH_PCPU_STRIDE)
		fh_die("per-CPU area full", pcp);
	fh->pcpu_next += 8;
	return pcp;
}

void fh_percpu_set(struct fakehost *fh, uint64_t pcp, unsigned int cpu,
		   uint64_t v)
{
	fh_put_u64(fh, pcp + fh_cpu_offset(fh, cpu), v);
}

/* percpu_ref */

uint64_t fh_ref_init(struct fakehost *fh, uint64_t ref, const struct fh_ref *r)
{
	uint64_t data = fh_get_u64(fh, ref + 8), pcp = 0;

	if (r->exited) {
		/* percpu_ref_exit(): pcp = ATOMIC_DEAD | count << 2, data freed. */
		fh_put_u64(fh, ref, 3 | ((uint64_t)r->exited_count << 2));
		fh_put_u64(fh, ref + 8, 0);
		return 0;
	}
	if (!data) {
		data = fh_alloc(fh, FH_PCR_DATA_SIZE, 64);
		fh_put_u64(fh, ref + 8, data);
	}
	if (!r->no_percpu) {
		pcp = fh_percpu_alloc(fh);
		for (unsigned int cpu = 0; cpu < fh->nr_cpu_ids; cpu++)
			fh_percpu_set(fh, pcp, cpu,
				      cpu < r->ncpu ? r->cpu_val[cpu] : 0);
	}
	fh_put_u64(fh, ref, pcp | r->flags);
	fh_put_u64(fh, data + 0, r->count);
	fh_put_u64(fh, data + 8, r->release);
	fh_put_u64(fh, data + 16, r->confirm_switch);
	fh_put_u64(fh, data + 48, ref);
	return pcp;
}

void fh_ref_percpu(struct fakehost *fh, uint64_t ref, int64_t n)
{
	struct fh_ref r = {
		.count = FH_PERCPU_COUNT_BIAS + 1,
		.release = fh_symbol_addr(fh, "dev_pagemap_percpu_release"),
		.ncpu = 2,
	};

	/* Gets on one CPU, puts on another: each counter wraps alone. */
	r.cpu_val[0] = (uint64_t)(n - 1) + 7;
	r.cpu_val[1] = (uint64_t)-7;
	fh_ref_init(fh, ref, &r);
}

void fh_ref_atomic(struct fakehost *fh, uint64_t ref, uint64_t flags,
		   int64_t n)
{
	struct fh_ref r = {
		.flags = flags,
		/* 5.3+: a confirmed switch frees the counters (pcp == 3). */
		.no_percpu = flags & FH_PERCPU_REF_DEAD,
		.count = (uint64_t)n,
		.release = fh_symbol_addr(fh, "dev_pagemap_percpu_release"),
	};

	fh_ref_init(fh, ref, &r);
}

/* Sparse memory model */

static uint64_t section_entry(struct fakehost *fh, uint64_t nr)
{
	uint64_t rootp = FH_ROOT_TABLE + 8 * (nr / FH_SECTIONS_PER_ROOT);
	uint64_t root = fh_get_u64(fh, rootp);

	if (!root) {
		root = fh_alloc(fh, 4096, 4096);
		fh_put_u64(fh, rootp, root);
	}
	return root + FH_MS_SIZE * (nr % FH_SECTIONS_PER_ROOT);
}

void fh_section_raw(struct fakehost *fh, uint64_t nr, uint64_t smm,
		    uint64_t usage)
{
	uint64_t ms = section_entry(fh, nr);

	fh_put_u64(fh, ms, smm);
	fh_put_u64(fh, ms + 8, usage);
}

void fh_section_add(struct fakehost *fh, uint64_t nr, uint64_t subsections)
{
	uint64_t ms = section_entry(fh, nr);
	uint64_t usage = fh_get_u64(fh, ms + 8);

	if (fh->no_usage) {
		/* Before 5.3: pageblock_flags, no subsections. */
		fh_section_raw(fh, nr, FH_VMEMMAP_BASE |
					       FH_SECTION_MARKED_PRESENT |
					       FH_SECTION_HAS_MEM_MAP,
			       0);
		return;
	}
	if (!usage)
		usage = fh_alloc(fh, 64, 64);
	fh_put_u64(fh, usage, subsections);
	/*
	 * sparse_encode_mem_map(): mem_map - section_nr_to_pfn(nr); with
	 * VMEMMAP that is the vmemmap base for every section.
	 */
	fh_section_raw(fh, nr, FH_VMEMMAP_BASE | FH_SECTION_MARKED_PRESENT |
				       FH_SECTION_HAS_MEM_MAP,
		       usage);
}

uint64_t fh_page_addr(uint64_t pfn)
{
	return FH_VMEMMAP_BASE + pfn * FH_PAGE_SIZE;
}

void fh_memmap_map(struct fakehost *fh, uint64_t pfn, uint64_t n)
{
	fh_map(fh, fh_page_addr(pfn), n * FH_PAGE_SIZE);
}

void fh_page_set(struct fakehost *fh, uint64_t pfn, uint64_t pgmap_word,
		 int32_t refcount)
{
	uint64_t page = fh_page_addr(pfn);

	/* ZONE_DEVICE (4) in the zone bits, as __init_single_page() sets. */
	fh_put_u64(fh, page + FH_PAGE_FLAGS, 4ULL << 58);
	fh_put_u64(fh, page + fh->page_pgmap_off, pgmap_word);
	fh_put_u32(fh, page + fh->page_mapcount_off, (uint32_t)-1);
	fh_put_u32(fh, page + fh->page_refcount_off, (uint32_t)refcount);
}

/* XArray */

uint64_t fh_xa_node(struct fakehost *fh, uint64_t xa, unsigned int shift,
		    uint64_t parent, unsigned int offset)
{
	uint64_t node = fh_alloc(fh, FH_XA_NODE_SIZE, 64);

	fh_put_u8(fh, node + 0, (uint8_t)shift);
	fh_put_u8(fh, node + 1, (uint8_t)offset);
	fh_put_u64(fh, node + 8, parent);
	fh_put_u64(fh, node + 16, xa);
	return node;
}

void fh_xa_slot(struct fakehost *fh, uint64_t node, unsigned int slot,
		uint64_t entry)
{
	uint64_t a = node + FH_XA_NODE_SLOTS + 8ULL * slot;

	/* Keep xa_node.count right, as the kernel does. */
	if (!fh_get_u64(fh, a) && entry)
		fh_put_u8(fh, node + 2, (uint8_t)(fh_get_u64(fh, node) >> 16) + 1);
	fh_put_u64(fh, a, entry);
}

static bool is_node(uint64_t e)
{
	return (e & 3) == 2 && e > 4096;
}

/* Store one chunk: (sibs + 1) slots of a node with this shift. */
static void xa_store_chunk(struct fakehost *fh, uint64_t xa, uint64_t index,
			   unsigned int shift, uint64_t sibs, uint64_t entry)
{
	uint64_t last = index + ((sibs + 1) << shift) - 1;
	uint64_t head = fh_get_u64(fh, xa + FH_XA_HEAD), node;
	unsigned int root_shift = 0, slot;

	while (root_shift < 60 && (last >> root_shift) > 63)
		root_shift += 6;
	if (root_shift < shift)
		root_shift = shift;
	if (!head) {
		node = fh_xa_node(fh, xa, root_shift, 0, 0);
		head = node | 2;
		fh_put_u64(fh, xa + FH_XA_HEAD, head);
	} else if (!is_node(head)) {
		fh_die("xa_store_range over a head entry", head);
	}
	/* xas_expand(): grow upwards, the old root becomes slot 0. */
	while (((uint8_t)fh_get_u64(fh, head - 2)) < root_shift) {
		unsigned int s = (uint8_t)fh_get_u64(fh, head - 2) + 6;

		node = fh_xa_node(fh, xa, s, 0, 0);
		fh_put_u64(fh, head - 2 + 8, node);
		fh_xa_slot(fh, node, 0, head);
		head = node | 2;
		fh_put_u64(fh, xa + FH_XA_HEAD, head);
	}
	node = head - 2;
	/* xas_create(): descend, making nodes down to the chunk's shift. */
	for (;;) {
		unsigned int s = (uint8_t)fh_get_u64(fh, node);
		uint64_t e;

		slot = (index >> s) & 63;
		if (s == shift)
			break;
		e = fh_get_u64(fh, node + FH_XA_NODE_SLOTS + 8ULL * slot);
		if (!e) {
			e = fh_xa_node(fh, xa, s - 6, node, slot) | 2;
			fh_xa_slot(fh, node, slot, e);
		} else if (!is_node(e)) {
			fh_die("xa_store_range over an entry", index);
		}
		node = e - 2;
	}
	fh_xa_slot(fh, node, slot, entry);
	for (uint64_t i = 1; i <= sibs; i++)
		fh_xa_slot(fh, node, slot + i, FH_XA_MK_INTERNAL(slot));
}

/*
 * lib/xarray.c xa_store_range() with CONFIG_XARRAY_MULTI: xas_set_range()
 * cuts [first, last] into chunks of (sibs + 1) slots at some shift.
 */
void fh_xa_store_range(struct fakehost *fh, uint64_t xa, uint64_t first,
		       uint64_t last, uint64_t entry)
{
	do {
		uint64_t f = first, sibs = last - first;
		unsigned int shift = 0, offset = 63;

		while ((f & 63) == 0) {
			if (sibs < 63)
				break;
			if (sibs == 63 && offset < 63)
				break;
			shift += 6;
			if (offset == 63)
				offset = sibs & 63;
			sibs >>= 6;
			f >>= 6;
		}
		offset = f & 63;
		if (offset + sibs > 63)
			sibs = 63 - offset;
		if ((((f + sibs + 1) << shift) - 1) > last)
			sibs -= 1;
		xa_store_chunk(fh, xa, first, shift, sibs, entry);
		first += (sibs + 1) << shift;
	} while (first && first <= last);
}

/* dev_pagemap */

uint64_t fh_pgmap_create(struct fakehost *fh, const struct fh_pgmap *p)
{
	unsigned int nr = p->nr_range ? p->nr_range : 1;
	uint64_t pg = fh_alloc(fh, FH_PGMAP_SIZE + (nr - 1) * 16, 64);
	uint64_t xa = fh_symbol_addr(fh, "pgmap_array");
	uint64_t list = pg + FH_PGMAP_DONE + 8 + 8;

	fh_put_u64(fh, pg + 0, p->altmap_base_pfn);
	fh_put_u64(fh, pg + 16, p->altmap_reserve);
	fh_put_u64(fh, pg + 24, p->altmap_free);
	/* init_completion(): an empty wait list points at itself. */
	fh_put_u64(fh, list, list);
	fh_put_u64(fh, list + 8, list);
	fh_put_u32(fh, pg + FH_PGMAP_TYPE, (uint32_t)p->type);
	fh_put_u32(fh, pg + FH_PGMAP_FLAGS, p->flags);
	fh_put_u64(fh, pg + FH_PGMAP_VMEMMAP_SHIFT, p->vmemmap_shift);
	fh_put_u64(fh, pg + FH_PGMAP_OPS, p->ops);
	fh_put_u64(fh, pg + FH_PGMAP_OWNER, p->owner);
	fh_put_u32(fh, pg + FH_PGMAP_NR_RANGE, p->nr_range);
	for (unsigned int i = 0; i < p->nr_range; i++) {
		fh_put_u64(fh, pg + FH_PGMAP_RANGES + 16 * i, p->start[i]);
		fh_put_u64(fh, pg + FH_PGMAP_RANGES + 16 * i + 8, p->end[i]);
		/* memremap_pages(): PHYS_PFN(start) .. PHYS_PFN(end). */
		fh_xa_store_range(fh, xa, p->start[i] >> 12, p->end[i] >> 12,
				  pg);
	}
	/* A percpu_ref at init, percpu mode, count 1. */
	fh_ref_percpu(fh, pg + FH_PGMAP_REF, 1);
	return pg;
}

void fh_pages_populate(struct fakehost *fh, uint64_t pgmap, uint64_t pfn,
		       uint64_t n, int32_t refcount)
{
	for (uint64_t nr = pfn / FH_PAGES_PER_SECTION;
	     nr <= (pfn + n - 1) / FH_PAGES_PER_SECTION; nr++)
		fh_section_add(fh, nr, ~0ULL);
	fh_memmap_map(fh, pfn, n);
	for (uint64_t i = 0; i < n; i++)
		fh_page_set(fh, pfn + i, pgmap, refcount);
}

uint64_t fh_add_waiter(struct fakehost *fh, uint64_t pgmap, int32_t pid,
		       const char *comm, uint32_t state)
{
	uint64_t head = pgmap + FH_PGMAP_DONE + 8 + 8;
	uint64_t task = fh_alloc(fh, FH_TASK_SIZE, 64);
	uint64_t wait = fh_alloc(fh, 24, 8);	/* on the waiter's stack */
	uint64_t prev = fh_get_u64(fh, head + 8);
	char name[16] = { 0 };

	strncpy(name, comm, sizeof(name) - 1);
	fh_put_u32(fh, task + FH_TASK_PID, (uint32_t)pid);
	fh_put(fh, task + FH_TASK_COMM, name, sizeof(name));
	fh_put_u32(fh, task + FH_TASK_STATE, state);
	fh_put_u64(fh, wait, task);
	/* list_add_tail(&wait.task_list, &x->wait.task_list) */
	fh_put_u64(fh, wait + 8, head);
	fh_put_u64(fh, wait + 16, prev);
	fh_put_u64(fh, prev, wait + 8);
	fh_put_u64(fh, head + 8, wait + 8);
	return task;
}

/* Other eras */

void fh_remove_symbol(struct fakehost *fh, const char *name)
{
	zt_remove_symbol(&fh->tab, name);
}

void fh_remove_enum(struct fakehost *fh, const char *name)
{
	zt_remove_enum(&fh->tab, name);
}

void fh_set_enum(struct fakehost *fh, const char *name, int64_t value)
{
	fh_remove_enum(fh, name);
	fh_add_enum(fh, name, value);
}

static void add_members(struct fakehost *fh, const struct zt_member *m,
			size_t n)
{
	for (size_t i = 0; i < n; i++)
		fh_add_member(fh, m[i].type, m[i].member, m[i].offset,
			      m[i].size);
}

static void add_types(struct fakehost *fh, const struct zt_type *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fh_add_type(fh, t[i].name, t[i].size);
}

#define ADD_MEMBERS(fh, a) add_members(fh, a, sizeof(a) / sizeof(a[0]))
#define ADD_TYPES(fh, a) add_types(fh, a, sizeof(a) / sizeof(a[0]))

/* Members every 4.x kernel here shares (x86_64). */
static const struct zt_member layout_4_x[] = {
	{ "mem_section", "section_mem_map", 0, 8 },
	{ "mem_section", "pageblock_flags", 8, 8 },
	{ "vmem_altmap", "base_pfn", 0, 8 },
	{ "vmem_altmap", "reserve", 8, 8 },
	{ "vmem_altmap", "free", 16, 8 },
	{ "vmem_altmap", "align", 24, 8 },
	{ "vmem_altmap", "alloc", 32, 8 },
	/* percpu_ref <= 5.9 */
	{ "percpu_ref", "count", 0, 8 },
	{ "percpu_ref", "percpu_count_ptr", 8, 8 },
	{ "percpu_ref", "release", 16, 8 },
	{ "percpu_ref", "confirm_switch", 24, 8 },
	{ "percpu_ref", "rcu", 40, 16 },
	{ "resource", "start", 0, 8 },
	{ "resource", "end", 8, 8 },
	{ "resource", "name", 16, 8 },
	{ "resource", "flags", 24, 8 },
};

/* 4.6+: struct resource gained desc. */
static const struct zt_member resource_4_6[] = {
	{ "resource", "desc", 32, 8 },
	{ "resource", "parent", 40, 8 },
	{ "resource", "sibling", 48, 8 },
	{ "resource", "child", 56, 8 },
};

/* 4.5-4.17 struct page: the pgmap word in the lru union at 32. */
static const struct zt_member page_4_5[] = {
	{ "page", "flags", 0, 8 },
	{ "page", "mapping", 8, 8 },
	{ "page", "index", 16, 8 },
	{ "page", "_mapcount", 24, 4 },
	{ "page", "lru", 32, 16 },
	{ "page", "pgmap", 32, 8 },
	{ "page", "compound_head", 32, 8 },
	{ "page", "private", 48, 8 },
};

/* 4.18+ struct page: pgmap in word 1. */
static const struct zt_member page_4_19[] = {
	{ "page", "flags", 0, 8 },
	{ "page", "lru", 8, 16 },
	{ "page", "pgmap", 8, 8 },
	{ "page", "compound_head", 8, 8 },
	{ "page", "hmm_data", 16, 8 },
	{ "page", "mapping", 24, 8 },
	{ "page", "index", 32, 8 },
	{ "page", "_mapcount", 48, 4 },
	{ "page", "_refcount", 52, 4 },
};

/* 4.5-4.13: struct dev_pagemap { altmap *, res *, ref *, dev }. */
static const struct zt_member pgmap_4_5[] = {
	{ "dev_pagemap", "altmap", 0, 8 },
	{ "dev_pagemap", "res", 8, 8 },
	{ "dev_pagemap", "ref", 16, 8 },
	{ "dev_pagemap", "dev", 24, 8 },
};

/* 4.14-4.15: + page_fault, page_free, data, type. */
static const struct zt_member pgmap_4_14[] = {
	{ "dev_pagemap", "page_fault", 0, 8 },
	{ "dev_pagemap", "page_free", 8, 8 },
	{ "dev_pagemap", "altmap", 16, 8 },
	{ "dev_pagemap", "res", 24, 8 },
	{ "dev_pagemap", "ref", 32, 8 },
	{ "dev_pagemap", "dev", 40, 8 },
	{ "dev_pagemap", "data", 48, 8 },
	{ "dev_pagemap", "type", 56, 4 },
	{ "page_map", "res", 0, 64 },
	{ "page_map", "ref", 64, 8 },
	{ "page_map", "pgmap", 72, 64 },
	{ "page_map", "altmap", 136, 40 },
	{ "hmm_devmem", "completion", 0, 32 },
	{ "hmm_devmem", "pfn_first", 32, 8 },
	{ "hmm_devmem", "pfn_last", 40, 8 },
	{ "hmm_devmem", "resource", 48, 8 },
	{ "hmm_devmem", "device", 56, 8 },
	{ "hmm_devmem", "pagemap", FH_HMM_DEVMEM_PAGEMAP, 64 },
	{ "hmm_devmem", "ops", 128, 8 },
	{ "hmm_devmem", "ref", FH_HMM_DEVMEM_REF, 56 },
};

/* 4.16-4.19 (4.19 without the stable kill backport). */
static const struct zt_member pgmap_4_19[] = {
	{ "dev_pagemap", "page_fault", 0, 8 },
	{ "dev_pagemap", "page_free", 8, 8 },
	{ "dev_pagemap", "altmap", 16, 40 },
	{ "dev_pagemap", "altmap_valid", 56, 1 },
	{ "dev_pagemap", "res", 64, 64 },
	{ "dev_pagemap", "ref", 128, 8 },
	{ "dev_pagemap", "dev", 136, 8 },
	{ "dev_pagemap", "data", 144, 8 },
	{ "dev_pagemap", "type", 152, 4 },
};

/* 4.5-4.6 radix tree: root height, node path. */
static const struct zt_member radix_4_5[] = {
	{ "radix_tree_root", "height", FH_RADIX_ROOT_HEIGHT, 4 },
	{ "radix_tree_root", "gfp_mask", 4, 4 },
	{ "radix_tree_root", "rnode", FH_RADIX_ROOT_RNODE, 8 },
	{ "radix_tree_node", "path", 0, 4 },
	{ "radix_tree_node", "count", 4, 4 },
	{ "radix_tree_node", "parent", 8, 8 },
	{ "radix_tree_node", "private_data", 16, 8 },
	{ "radix_tree_node", "rcu_head", 8, 16 },
	{ "radix_tree_node", "private_list", 24, 16 },
	{ "radix_tree_node", "slots", FH_RADIX_NODE_SLOTS, 512 },
	{ "radix_tree_node", "tags", 552, 24 },
	{ "page_map", "res", 0, 56 },
	{ "page_map", "ref", 56, 8 },
	{ "page_map", "pgmap", FH_PAGE_MAP_PGMAP_4_5, 32 },
	{ "page_map", "altmap", FH_PAGE_MAP_ALTMAP_4_5, 40 },
};

/* 4.9-4.19 radix tree: node shift. */
static const struct zt_member radix_4_12[] = {
	{ "radix_tree_root", "gfp_mask", 0, 4 },
	{ "radix_tree_root", "rnode", FH_RADIX_ROOT_RNODE, 8 },
	{ "radix_tree_node", "shift", 0, 1 },
	{ "radix_tree_node", "offset", 1, 1 },
	{ "radix_tree_node", "count", 2, 1 },
	{ "radix_tree_node", "exceptional", 3, 1 },
	{ "radix_tree_node", "parent", 8, 8 },
	{ "radix_tree_node", "root", 16, 8 },
	{ "radix_tree_node", "private_list", 24, 16 },
	{ "radix_tree_node", "rcu_head", 24, 16 },
	{ "radix_tree_node", "slots", FH_RADIX_NODE_SLOTS, 512 },
	{ "radix_tree_node", "tags", 552, 24 },
};

static const struct zt_member page_map_4_12[] = {
	{ "page_map", "res", 0, 64 },
	{ "page_map", "ref", 64, 8 },
	{ "page_map", "pgmap", FH_PAGE_MAP_PGMAP_4_12, 32 },
	{ "page_map", "altmap", FH_PAGE_MAP_ALTMAP_4_12, 40 },
};

static const struct zt_type types_4_x[] = {
	{ "page", 64 },
	{ "mem_section", 16 },
	{ "vmem_altmap", FH_ALTMAP_SIZE_OLD },
	{ "percpu_ref", FH_OLD_PCR_SIZE },
	{ "radix_tree_root", FH_RADIX_ROOT_SIZE },
	{ "radix_tree_node", FH_RADIX_NODE_SIZE },
};

/* Constants, mem_section, per-CPU symbols. */
static void setup_common(struct fakehost *fh, unsigned int nr_cpu_ids,
			 uint64_t possible, bool ms_array)
{
	uint64_t mask, offs, nr;

	fh_add_number(fh, "PAGESIZE", 4096);
	fh_add_number(fh, "NUMBER(SECTION_SIZE_BITS)", 27);
	fh_add_number(fh, "NUMBER(MAX_PHYSMEM_BITS)", 46);
	if (ms_array) {
		/* <= 4.14: struct mem_section *mem_section[NR_SECTION_ROOTS]. */
		fh_map(fh, FH_ROOT_TABLE, FH_NR_SECTION_ROOTS * 8);
		fh_add_symbol(fh, "mem_section", FH_ROOT_TABLE,
			      FH_NR_SECTION_ROOTS * 8);
	} else {
		uint64_t ms = data_symbol(fh, "mem_section", 8);

		fh_map(fh, FH_ROOT_TABLE, FH_NR_SECTION_ROOTS * 8);
		fh_put_u64(fh, ms, FH_ROOT_TABLE);
	}
	if (nr_cpu_ids > FH_MAX_CPUS)
		fh_die("too many CPUs", nr_cpu_ids);
	fh->nr_cpu_ids = nr_cpu_ids;
	fh->possible = possible;
	mask = data_symbol(fh, "__cpu_possible_mask", 8192 / 8);
	offs = data_symbol(fh, "__per_cpu_offset", 8 * 8192);
	nr = data_symbol(fh, "nr_cpu_ids", 4);
	fh_put_u64(fh, mask, possible);
	fh_put_u32(fh, nr, nr_cpu_ids);
	for (unsigned int cpu = 0; cpu < nr_cpu_ids; cpu++) {
		fh_map(fh, fh_cpu_offset(fh, cpu), FH_PCPU_STRIDE);
		fh_put_u64(fh, offs + 8 * cpu, fh_cpu_offset(fh, cpu));
	}
}

static void setup_4_x(struct fakehost *fh, enum fh_era era,
		      unsigned int nr_cpu_ids, uint64_t possible)
{
	fh->era = era;
	fh->no_usage = true;
	ADD_MEMBERS(fh, layout_4_x);
	ADD_TYPES(fh, types_4_x);
	if (era == FH_ERA_4_19) {
		ADD_MEMBERS(fh, page_4_19);
		fh->page_pgmap_off = FH_PAGE_PGMAP;
		fh->page_refcount_off = FH_PAGE_REFCOUNT;
		fh->page_mapcount_off = FH_PAGE_MAPCOUNT;
	} else {
		ADD_MEMBERS(fh, page_4_5);
		fh->page_pgmap_off = FH_OLD_PAGE_PGMAP;
		fh->page_refcount_off = FH_OLD_PAGE_REFCOUNT;
		fh->page_mapcount_off = FH_OLD_PAGE_MAPCOUNT;
	}
	/* page._count became _refcount in 4.7. */
	if (era == FH_ERA_4_5)
		fh_add_member(fh, "page", "_count", FH_OLD_PAGE_REFCOUNT, 4);
	else if (era != FH_ERA_4_19)
		fh_add_member(fh, "page", "_refcount", FH_OLD_PAGE_REFCOUNT, 4);
	if (era == FH_ERA_4_5) {
		fh_add_type(fh, "resource", FH_RESOURCE_SIZE_4_5);
		fh_add_member(fh, "resource", "parent", 32, 8);
		fh_add_member(fh, "resource", "sibling", 40, 8);
		fh_add_member(fh, "resource", "child", 48, 8);
	} else {
		fh_add_type(fh, "resource", FH_RESOURCE_SIZE);
		ADD_MEMBERS(fh, resource_4_6);
	}
	switch (era) {
	case FH_ERA_4_5:
		ADD_MEMBERS(fh, pgmap_4_5);
		ADD_MEMBERS(fh, radix_4_5);
		fh_add_type(fh, "dev_pagemap", 32);
		fh_add_type(fh, "page_map", FH_PAGE_MAP_SIZE_4_5);
		/* include/linux/mm.h get_page() calls it (4.5-4.11). */
		fh_add_function(fh, "get_zone_device_page");
		fh_add_function(fh, "put_zone_device_page");
		break;
	case FH_ERA_4_12:
		ADD_MEMBERS(fh, pgmap_4_5);
		ADD_MEMBERS(fh, radix_4_12);
		ADD_MEMBERS(fh, page_map_4_12);
		fh_add_type(fh, "dev_pagemap", 32);
		fh_add_type(fh, "page_map", FH_PAGE_MAP_SIZE_4_12);
		break;
	case FH_ERA_4_14:
		ADD_MEMBERS(fh, pgmap_4_14);
		ADD_MEMBERS(fh, radix_4_12);
		fh_add_type(fh, "dev_pagemap", 64);
		fh_add_type(fh, "page_map", FH_PAGE_MAP_SIZE_4_14);
		fh_add_type(fh, "hmm_devmem", FH_HMM_DEVMEM_SIZE);
		fh_add_enum(fh, "MEMORY_DEVICE_HOST", FH_MEMORY_DEVICE_HOST_4_14);
		fh_add_enum(fh, "MEMORY_DEVICE_PRIVATE",
			    FH_MEMORY_DEVICE_PRIVATE_4_14);
		fh_add_enum(fh, "MEMORY_DEVICE_PUBLIC",
			    FH_MEMORY_DEVICE_PUBLIC_4_14);
		fh_add_function(fh, "put_zone_device_private_or_public_page");
		fh_add_function(fh, "hmm_devmem_ref_release");
		fh_add_function(fh, "hmm_devmem_free");
		break;
	default:
		ADD_MEMBERS(fh, pgmap_4_19);
		ADD_MEMBERS(fh, radix_4_12);
		fh_add_member(fh, "radix_tree_root", "xa_lock", 0, 4);
		fh_add_type(fh, "dev_pagemap", 160);
		/* 4.18: HOST gone; device-dax leaves type 0. */
		fh_add_enum(fh, "MEMORY_DEVICE_PRIVATE", 1);
		fh_add_enum(fh, "MEMORY_DEVICE_PUBLIC", 2);
		fh_add_enum(fh, "MEMORY_DEVICE_FS_DAX", 3);
		fh_add_function(fh, "put_devmap_managed_page");
		break;
	}
	fh_add_function(fh, "blk_queue_usage_counter_release");
	fh_add_function(fh, "dax_pmem_percpu_release");
	setup_common(fh, nr_cpu_ids, possible, era != FH_ERA_4_19);
	data_symbol(fh, "pgmap_radix", FH_RADIX_ROOT_SIZE);
	if (era == FH_ERA_4_14)
		data_symbol(fh, "hmm_devmem_radix", FH_RADIX_ROOT_SIZE);
}

void fh_setup_era(struct fakehost *fh, enum fh_era era,
		  unsigned int nr_cpu_ids, uint64_t possible)
{
	if (era < FH_ERA_5_18) {
		setup_4_x(fh, era, nr_cpu_ids, possible);
		return;
	}
	fh_setup_6_1(fh, nr_cpu_ids, possible);
	fh->era = era;
	switch (era) {
	case FH_ERA_5_18:
		/* 27674ef6c73f: reset to 1 on free; no allocation refs yet. */
		fh_remove_symbol(fh, "zone_device_page_init");
		fh_add_function(fh, "free_zone_device_page");
		fh_remove_enum(fh, "MEMORY_DEVICE_COHERENT");
		fh_set_enum(fh, "MEMORY_DEVICE_PRIVATE",
			    FH_MEMORY_DEVICE_PRIVATE_5_18);
		fh_set_enum(fh, "MEMORY_DEVICE_FS_DAX",
			    FH_MEMORY_DEVICE_FS_DAX_5_18);
		fh_set_enum(fh, "MEMORY_DEVICE_GENERIC",
			    FH_MEMORY_DEVICE_GENERIC_5_18);
		fh_set_enum(fh, "MEMORY_DEVICE_PCI_P2PDMA",
			    FH_MEMORY_DEVICE_PCI_P2PDMA_5_18);
		fh_add_type(fh, "dev_pagemap_ops", 48);
		fh_add_member(fh, "dev_pagemap_ops", "page_free", 0, 8);
		fh_add_member(fh, "dev_pagemap_ops", "migrate_to_ram", 8, 8);
		break;
	case FH_ERA_6_1:
		/* 6.1 still has free_zone_device_page(). */
		fh_add_function(fh, "free_zone_device_page");
		fh_add_type(fh, "dev_pagemap_ops", 48);
		fh_add_member(fh, "dev_pagemap_ops", "page_free", 0, 8);
		fh_add_member(fh, "dev_pagemap_ops", "migrate_to_ram", 8, 8);
		break;
	case FH_ERA_6_15:
	case FH_ERA_6_19:
		/*
		 * The pgmap pointer lives in the folio; struct page keeps
		 * _unused_pgmap_compound_head in its place.  dev_pagemap keeps
		 * the 152-byte layout of 6.19 (altmap.inaccessible is not
		 * bracketed for 6.15-6.18).
		 */
		fh_remove_member(fh, "page", "pgmap");
		fh_add_member(fh, "page", "_unused_pgmap_compound_head", 8, 8);
		fh_add_member(fh, "folio", "pgmap", 8, 8);
		fh_add_function(fh, "free_zone_device_folio");
		fh_add_enum(fh, "PG_head", FH_PG_HEAD_6_19);
		fh_add_type(fh, "dev_pagemap_ops", 48);
		if (era == FH_ERA_6_19) {
			fh_add_member(fh, "dev_pagemap_ops", "folio_free", 0, 8);
		} else {
			fh_add_member(fh, "dev_pagemap_ops", "page_free", 0, 8);
		}
		fh_add_member(fh, "dev_pagemap_ops", "migrate_to_ram", 8, 8);
		break;
	default:
		fh_die("unknown era", era);
	}
}

/* Radix trees */

uint64_t fh_radix_node(struct fakehost *fh, uint64_t root, unsigned int shift,
		       uint64_t parent, unsigned int offset)
{
	uint64_t node = fh_alloc(fh, FH_RADIX_NODE_SIZE, 64);

	fh_put_u8(fh, node + 0, (uint8_t)shift);
	fh_put_u8(fh, node + 1, (uint8_t)offset);
	fh_put_u64(fh, node + 8, parent);
	fh_put_u64(fh, node + 16, root);
	return node;
}

uint64_t fh_radix_node_legacy(struct fakehost *fh, unsigned int path,
			      uint64_t parent)
{
	uint64_t node = fh_alloc(fh, FH_RADIX_NODE_SIZE, 64);

	fh_put_u32(fh, node + 0, path);
	fh_put_u64(fh, node + 8, parent);
	return node;
}

void fh_radix_slot(struct fakehost *fh, uint64_t node, unsigned int slot,
		   uint64_t entry)
{
	uint64_t a = node + FH_RADIX_NODE_SLOTS + 8ULL * slot;

	if (slot >= 64)
		fh_die("radix slot out of range", node);
	/* node->count: unsigned char (4.7+) or unsigned int (4.5). */
	if (!fh_get_u64(fh, a) && entry) {
		if (fh->era == FH_ERA_4_5)
			fh_put_u32(fh, node + 4,
				   (uint32_t)(fh_get_u64(fh, node) >> 32) + 1);
		else
			fh_put_u8(fh, node + 2,
				  (uint8_t)(fh_get_u64(fh, node) >> 16) + 1);
	}
	fh_put_u64(fh, a, entry);
}

static unsigned int radix_shift(struct fakehost *fh, uint64_t node)
{
	return (uint8_t)fh_get_u64(fh, node);
}

void fh_radix_insert(struct fakehost *fh, uint64_t root, uint64_t index,
		     unsigned int order, uint64_t entry)
{
	uint64_t max = index | ((1ULL << order) - 1);
	uint64_t head = fh_get_u64(fh, root + FH_RADIX_ROOT_RNODE), node;
	unsigned int need = 0, s, off, n;

	if (index & ((1ULL << order) - 1))
		fh_die("misaligned multi-order insert", index);
	if (order > 0 && max == (1ULL << order) - 1)
		max++;
	while (need < 60 && max > (64ULL << need) - 1)
		need += 6;
	if (!head) {
		node = fh_radix_node(fh, root, need, 0, 0);
		head = node | FH_RADIX_INTERNAL_NODE;
		fh_put_u64(fh, root + FH_RADIX_ROOT_RNODE, head);
	} else if (!(head & FH_RADIX_INTERNAL_NODE)) {
		fh_die("radix insert over a root entry", head);
	}
	/* radix_tree_extend(): the old root becomes slot 0. */
	while (radix_shift(fh, head & ~1ULL) < need) {
		uint64_t old = head & ~1ULL;

		node = fh_radix_node(fh, root, radix_shift(fh, old) + 6, 0, 0);
		fh_put_u64(fh, old + 8, node);
		fh_radix_slot(fh, node, 0, head);
		head = node | FH_RADIX_INTERNAL_NODE;
		fh_put_u64(fh, root + FH_RADIX_ROOT_RNODE, head);
	}
	node = head & ~1ULL;
	for (;;) {
		uint64_t e;

		s = radix_shift(fh, node);
		off = (index >> s) & 63;
		if (s <= order)
			break;
		e = fh_get_u64(fh, node + FH_RADIX_NODE_SLOTS + 8ULL * off);
		if (!e) {
			e = fh_radix_node(fh, root, s - 6, node, off) |
			    FH_RADIX_INTERNAL_NODE;
			fh_radix_slot(fh, node, off, e);
		} else if (!(e & FH_RADIX_INTERNAL_NODE) ||
			   (e & ~1ULL) - node < FH_RADIX_NODE_SIZE) {
			fh_die("radix insert over an entry", index);
		}
		node = e & ~1ULL;
	}
	n = 1U << (order - s);
	if (off + n > 64)
		fh_die("multi-order entry past the node", index);
	for (unsigned int i = 0; i < n; i++)
		if (fh_get_u64(fh, node + FH_RADIX_NODE_SLOTS + 8ULL * (off + i)))
			fh_die("radix insert over an entry", index);
	fh_radix_slot(fh, node, off, entry);
	for (unsigned int i = 1; i < n; i++)
		fh_radix_slot(fh, node, off + i, FH_RADIX_SIBLING(node, off));
}

static uint64_t legacy_maxindex(unsigned int height)
{
	return height == 0 ? 0 :
	       height * 6 >= 64 ? UINT64_MAX : (1ULL << (6 * height)) - 1;
}

void fh_radix_insert_legacy(struct fakehost *fh, uint64_t root,
			    uint64_t index, uint64_t entry, bool tag_interior)
{
	uint32_t height = (uint32_t)fh_get_u64(fh, root + FH_RADIX_ROOT_HEIGHT);
	uint64_t rnode = fh_get_u64(fh, root + FH_RADIX_ROOT_RNODE), node;
	unsigned int need = 0;

	while (index > legacy_maxindex(need))
		need++;
	if (height == 0 && !rnode && need == 0) {
		fh_put_u64(fh, root + FH_RADIX_ROOT_RNODE, entry);
		return;
	}
	/* radix_tree_extend(): what was there becomes slot 0. */
	if (need == 0)
		need = 1;
	while (height < need) {
		node = fh_radix_node_legacy(fh, height + 1, 0);
		if (rnode && height == 0) {
			fh_radix_slot(fh, node, 0, rnode); /* a direct item */
		} else if (rnode) {
			fh_put_u64(fh, (rnode & ~1ULL) + 8, node);
			fh_radix_slot(fh, node, 0,
				      tag_interior ? rnode : rnode & ~1ULL);
		}
		rnode = node | FH_RADIX_INTERNAL_NODE;
		height++;
	}
	fh_put_u32(fh, root + FH_RADIX_ROOT_HEIGHT, height);
	fh_put_u64(fh, root + FH_RADIX_ROOT_RNODE, rnode);
	node = rnode & ~1ULL;
	for (unsigned int h = height; h > 1; h--) {
		unsigned int off = (index >> (6 * (h - 1))) & 63;
		uint64_t e = fh_get_u64(fh, node + FH_RADIX_NODE_SLOTS + 8ULL * off);

		if (!e) {
			uint64_t child = fh_radix_node_legacy(
				fh, (h - 1) | (off << 8), node);

			e = tag_interior ? child | FH_RADIX_INTERNAL_NODE :
					   child;
			fh_radix_slot(fh, node, off, e);
		}
		node = e & ~1ULL;
	}
	if (fh_get_u64(fh, node + FH_RADIX_NODE_SLOTS + 8ULL * (index & 63)))
		fh_die("legacy radix insert over an entry", index);
	fh_radix_slot(fh, node, index & 63, entry);
}

/* Old percpu_ref */

static void ref_old_init(struct fakehost *fh, uint64_t ref, uint64_t flags,
			 uint64_t count, uint64_t cpu0, uint64_t cpu1)
{
	uint64_t pcp = fh_get_u64(fh, ref + 8) & ~3ULL;

	if (!pcp)
		pcp = fh_percpu_alloc(fh);
	for (unsigned int cpu = 0; cpu < fh->nr_cpu_ids; cpu++)
		fh_percpu_set(fh, pcp, cpu, cpu == 0 ? cpu0 : cpu == 1 ? cpu1 : 0);
	fh_put_u64(fh, ref + 0, count);
	fh_put_u64(fh, ref + 8, pcp | flags);
	if (!fh_get_u64(fh, ref + 16))
		fh_put_u64(fh, ref + 16,
			   fh_symbol_addr(fh, "blk_queue_usage_counter_release"));
	fh_put_u64(fh, ref + 24, 0);
}

void fh_ref_old_percpu(struct fakehost *fh, uint64_t ref, int64_t n)
{
	if (fh->nr_cpu_ids < 2)
		fh_die("fh_ref_old_percpu needs two CPUs", ref);
	/* Gets on one CPU, puts on another. */
	ref_old_init(fh, ref, 0, FH_PERCPU_COUNT_BIAS + 1,
		     (uint64_t)(n - 1) + 7, (uint64_t)-7);
}

void fh_ref_old_atomic(struct fakehost *fh, uint64_t ref, uint64_t flags,
		       int64_t n)
{
	/*
	 * Before 5.3 the per-CPU counters outlive the switch, stale: the
	 * sum already folded into count must not be added again.
	 */
	ref_old_init(fh, ref, flags, (uint64_t)n, 40, (uint64_t)-3);
}

/* 4.x dev_pagemap */

static void register_pfns(struct fakehost *fh, uint64_t radix, uint64_t first,
			  uint64_t last, uint64_t value)
{
	/* 4.14 order_at(): the largest aligned power of two that fits. */
	while (first <= last) {
		unsigned int order = 0;

		while (order < 40 && !(first & (1ULL << order)) &&
		       first + (2ULL << order) - 1 <= last)
			order++;
		fh_radix_insert(fh, radix, first, order, value);
		first += 1ULL << order;
	}
}

uint64_t fh_pgmap_create_old(struct fakehost *fh, const struct fh_pgmap *p,
			     uint64_t *refp, uint64_t *containerp)
{
	uint64_t radix = fh_symbol_addr(fh, "pgmap_radix");
	uint64_t ref = fh_alloc(fh, FH_OLD_PCR_SIZE, 64);
	bool altmap = p->flags & FH_PGMAP_ALTMAP_VALID;
	uint64_t pg, value;

	fh_ref_old_percpu(fh, ref, 1);
	if (fh->era == FH_ERA_4_19) {
		pg = fh_alloc(fh, 160, 64);
		fh_put_u64(fh, pg + 16 + 0, p->altmap_base_pfn);
		fh_put_u64(fh, pg + 16 + 8, p->altmap_reserve);
		fh_put_u64(fh, pg + 16 + 16, p->altmap_free);
		fh_put_u8(fh, pg + 56, altmap);
		fh_put_u64(fh, pg + 64 + 0, p->start[0]);
		fh_put_u64(fh, pg + 64 + 8, p->end[0]);
		fh_put_u64(fh, pg + 128, ref);
		fh_put_u32(fh, pg + 152, (uint32_t)p->type);
		value = pg;
	} else {
		uint64_t size, pgoff, altoff, pm;

		switch (fh->era) {
		case FH_ERA_4_5:
			size = FH_PAGE_MAP_SIZE_4_5;
			pgoff = FH_PAGE_MAP_PGMAP_4_5;
			altoff = FH_PAGE_MAP_ALTMAP_4_5;
			break;
		case FH_ERA_4_12:
			size = FH_PAGE_MAP_SIZE_4_12;
			pgoff = FH_PAGE_MAP_PGMAP_4_12;
			altoff = FH_PAGE_MAP_ALTMAP_4_12;
			break;
		case FH_ERA_4_14:
			size = FH_PAGE_MAP_SIZE_4_14;
			pgoff = FH_PAGE_MAP_PGMAP_4_14;
			altoff = FH_PAGE_MAP_ALTMAP_4_14;
			break;
		default:
			fh_die("fh_pgmap_create_old: not a 4.x era", fh->era);
			return 0;
		}
		pm = fh_alloc(fh, size, 64);
		pg = pm + pgoff;
		/* page_map->res; pgmap->res = &page_map->res */
		fh_put_u64(fh, pm + 0, p->start[0]);
		fh_put_u64(fh, pm + 8, p->end[0]);
		if (altmap) {
			fh_put_u64(fh, pm + altoff + 0, p->altmap_base_pfn);
			fh_put_u64(fh, pm + altoff + 8, p->altmap_reserve);
			fh_put_u64(fh, pm + altoff + 16, p->altmap_free);
		}
		if (fh->era == FH_ERA_4_14) {
			fh_put_u64(fh, pg + 16, altmap ? pm + altoff : 0);
			fh_put_u64(fh, pg + 24, pm);
			fh_put_u64(fh, pg + 32, ref);
			fh_put_u32(fh, pg + 56, (uint32_t)p->type);
		} else {
			fh_put_u64(fh, pg + 0, altmap ? pm + altoff : 0);
			fh_put_u64(fh, pg + 8, pm);
			fh_put_u64(fh, pg + 16, ref);
		}
		value = pm;
	}
	if (fh->era == FH_ERA_4_5 || fh->era == FH_ERA_4_12) {
		/* One key per section of the section-aligned span. */
		for (uint64_t key = p->start[0] >> 27; key <= p->end[0] >> 27;
		     key++) {
			if (fh->era == FH_ERA_4_5)
				fh_radix_insert_legacy(fh, radix, key, value,
						       false);
			else
				fh_radix_insert(fh, radix, key, 0, value);
		}
	} else {
		register_pfns(fh, radix, p->start[0] >> 12, p->end[0] >> 12,
			      value);
	}
	if (refp)
		*refp = ref;
	if (containerp)
		*containerp = value;
	return pg;
}

uint64_t fh_hmm_devmem_create(struct fakehost *fh, uint64_t start,
			      uint64_t end, uint64_t *devmemp)
{
	uint64_t radix = fh_symbol_addr(fh, "hmm_devmem_radix");
	uint64_t dm = fh_alloc(fh, FH_HMM_DEVMEM_SIZE, 64);
	uint64_t res = fh_alloc(fh, FH_RESOURCE_SIZE, 8);
	uint64_t pg = dm + FH_HMM_DEVMEM_PAGEMAP;
	uint64_t ref = dm + FH_HMM_DEVMEM_REF;

	if (fh->era != FH_ERA_4_14)
		fh_die("hmm_devmem: 4.14 only here", fh->era);
	fh_put_u64(fh, res + 0, start);
	fh_put_u64(fh, res + 8, end);
	fh_put_u64(fh, dm + 32, start >> 12);
	fh_put_u64(fh, dm + 40, (end + 1) >> 12);
	fh_put_u64(fh, dm + 48, res);
	fh_put_u64(fh, pg + 8, fh_symbol_addr(fh, "hmm_devmem_free"));
	fh_put_u64(fh, pg + 24, res);
	fh_put_u64(fh, pg + 32, ref);
	fh_put_u64(fh, pg + 48, dm);
	fh_put_u32(fh, pg + 56, FH_MEMORY_DEVICE_PRIVATE_4_14);
	fh_put_u64(fh, ref + 16, fh_symbol_addr(fh, "hmm_devmem_ref_release"));
	fh_ref_old_percpu(fh, ref, 1);
	/* hmm_devmem_pages_create(): section keys over the aligned span. */
	for (uint64_t key = start >> 27; key <= end >> 27; key++)
		fh_radix_insert(fh, radix, key, 0, dm);
	if (devmemp)
		*devmemp = dm;
	return pg;
}

int fh_fixture_setup(void **ctx)
{
	struct fh_fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->fh = fh_create();
	*ctx = f;
	return 0;
}

int fh_fixture_teardown(void **ctx)
{
	struct fh_fixture *f = *ctx;

	zd_report_destroy(f->rep);
	zd_target_close(f->t);
	fh_destroy(f->fh);
	free(f);
	return 0;
}

void fh_open_target(struct fh_fixture *f)
{
	struct zd_error *err;

	if (f->t)
		return;
	if ((err = zd_target_open(&f->fh->host, &f->t)))
		fail_msg("zd_target_open: %s", err->message);
}

struct zd_error *fh_try_audit(struct fh_fixture *f,
			      const struct zd_audit_options *opts)
{
	fh_open_target(f);
	zd_report_destroy(f->rep);
	f->rep = NULL;
	return zd_audit(f->t, opts, &f->rep);
}

char *fh_json(const struct zd_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	zd_report_print_json(out, rep);
	fclose(out);
	return buf;
}

struct zd_pgmap *fh_audit(struct fh_fixture *f, uint64_t pg,
			  const struct zd_audit_options *opts)
{
	struct zd_error *err = fh_try_audit(f, opts);

	if (err)
		fail_msg("zd_audit: %s", err->message);
	for (size_t i = 0; i < f->rep->npgmaps; i++)
		if (f->rep->pgmaps[i].desc.addr == pg)
			return &f->rep->pgmaps[i];
	fail_msg("pgmap 0x%llx not in the report", (unsigned long long)pg);
	return NULL;
}
