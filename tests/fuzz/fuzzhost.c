// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fuzz targets' fake host (see fuzzhost.h): regions over the input,
 * lookup tables, the 6.1 layout, and the "kernel" input format with the
 * example kernels the seed corpora start from.
 *
 * A table that is full drops the entry (and the lookup then fails as for
 * an absent name): the tables are the harness's own, never the input's,
 * so that cannot happen short of a bug here, and aborting would report it
 * as a bug in zdref.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zdref/zdref.h"

#include "fuzzhost.h"

/* Memory */

static const struct fz_region *region_at(const struct fz_host *h,
					 uint64_t addr)
{
	for (size_t i = 0; i < h->nregions; i++) {
		const struct fz_region *r = &h->regions[i];

		if (addr >= r->addr && addr - r->addr < r->len)
			return r;
	}
	return NULL;
}

static struct zd_error *fz_read(void *arg, uint64_t addr, void *buf,
				size_t len)
{
	struct fz_host *h = arg;
	uint8_t *d = buf;
	uint64_t a, left;

	h->reads++;
	if (len && addr > UINT64_MAX - (len - 1))
		return zd_error_create(ZD_ERR_FAULT,
				       "0x%llx: read wraps around",
				       (unsigned long long)addr);
	/* All or nothing: check first, then copy (regions may abut). */
	for (a = addr, left = len; left;) {
		const struct fz_region *r = region_at(h, a);
		uint64_t n;

		if (!r)
			return zd_error_create(ZD_ERR_FAULT,
					       "0x%llx: not in the dump",
					       (unsigned long long)a);
		if (r->excluded)
			return zd_error_create(ZD_ERR_EXCLUDED,
					       "0x%llx: page excluded",
					       (unsigned long long)a);
		n = r->addr + r->len - a;
		if (n > left)
			n = left;
		a += n;
		left -= n;
	}
	for (a = addr, left = len; left;) {
		const struct fz_region *r = region_at(h, a);
		uint64_t n = r->addr + r->len - a;

		if (n > left)
			n = left;
		memcpy(d, r->bytes + (a - r->addr), n);
		d += n;
		a += n;
		left -= n;
	}
	return NULL;
}

void fz_map(struct fz_host *h, uint64_t addr, const void *bytes, size_t len,
	    bool excluded)
{
	if (!len || h->nregions == FZ_MAX_REGIONS)
		return;
	/* Truncate at the end of the address space: no region wraps. */
	if (addr + (len - 1) < addr)
		len = (size_t)(UINT64_MAX - addr) + 1;
	h->regions[h->nregions++] =
		(struct fz_region){ addr, len, bytes, excluded };
}

void fz_map_parts(struct fz_host *h, uint64_t addr, const void *bytes,
		  size_t len, uint8_t excluded)
{
	const uint8_t *p = bytes;
	size_t part = (len + 7) / 8;

	for (int i = 0; i < 8 && len; i++) {
		size_t n = len < part ? len : part;

		fz_map(h, addr, p, n, excluded & (1u << i));
		p += n;
		addr += n;
		len -= n;
	}
}

/* Tables */

static struct zd_error *fz_vmcoreinfo(void *arg, const char *key, char *buf,
				      size_t len)
{
	struct fz_host *h = arg;

	return zt_vmcoreinfo(&h->tab, key, buf, len);
}

void fz_init(struct fz_host *h)
{
	memset(h, 0, sizeof(*h));
	h->host.mem.arg = h;
	h->host.mem.read = fz_read;
	h->host.mem.vmcoreinfo = fz_vmcoreinfo;
	zt_types_half(&h->tab, &h->host.types);
}

/* A full table drops the entry: what an input says never aborts. */
void fz_add_symbol(struct fz_host *h, const char *name, uint64_t addr,
		   uint64_t size)
{
	(void)zt_add_symbol(&h->tab, name, addr, size);
}

void fz_remove_symbol(struct fz_host *h, const char *name)
{
	zt_remove_symbol(&h->tab, name);
}

void fz_add_type(struct fz_host *h, const char *name, uint64_t size)
{
	(void)zt_add_type(&h->tab, name, size);
}

void fz_add_member(struct fz_host *h, const char *type, const char *member,
		   uint64_t offset, uint64_t size)
{
	(void)zt_add_member(&h->tab, type, member, offset, size);
}

void fz_remove_member(struct fz_host *h, const char *type,
		      const char *member)
{
	zt_remove_member(&h->tab, type, member);
}

void fz_remove_enum(struct fz_host *h, const char *name)
{
	zt_remove_enum(&h->tab, name);
}

void fz_set_enum(struct fz_host *h, const char *name, int64_t value)
{
	(void)zt_set_enum(&h->tab, name, value);
}

void fz_set_number(struct fz_host *h, const char *name, const char *value)
{
	(void)zt_set_number(&h->tab, name, value);
}

void fz_set_number_u(struct fz_host *h, const char *name, uint64_t value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	fz_set_number(h, name, buf);
}

/*
 * Beyond the 6.1 table of tests/common/tables.c: folio._pincount, the
 * holder chain and the wait-bit layout of tests/unit/test_busy.c, and
 * dev_pagemap_ops.
 */
static const struct zt_member layout_6_1_more[] = {
	{ "folio", "_pincount", 64 + 52, 4 },
	/* tests/unit/test_busy.c: the inode chain, wait-bit entries */
	{ "address_space", "host", FZ_AS_HOST, 8 },
	{ "inode", "i_sb", FZ_INODE_SB, 8 },
	{ "inode", "i_mapping", FZ_INODE_MAPPING, 8 },
	{ "inode", "i_ino", FZ_INODE_INO, 8 },
	{ "super_block", "s_id", FZ_SB_ID, 32 },
	{ "wait_queue_head", "lock", 0, 4 },
	{ "wait_queue_head", "head", FZ_WQH_HEAD, 16 },
	{ "wait_bit_queue_entry", "key", 0, 24 },
	{ "wait_bit_queue_entry", "wq_entry", 24, 40 },
	{ "wait_bit_key", "flags", 0, 8 },
	{ "wait_bit_key", "bit_nr", 8, 4 },
	{ "wait_queue_entry", "private", 8, 8 },
	{ "wait_queue_entry", "entry", 24, 16 },
	{ "dev_pagemap_ops", "page_free", 0, 8 },
	{ "dev_pagemap_ops", "migrate_to_ram", 8, 8 },
};

static const struct zt_type types_6_1_more[] = {
	{ "dev_pagemap_ops", 48 },
	{ "address_space", 64 },
	{ "inode", 0x100 },
	{ "super_block", 0x100 },
	{ "wait_queue_head", FZ_WQH_SIZE },
	{ "wait_bit_queue_entry", FZ_WBQ_SIZE },
};

static const char *const functions_6_1[] = {
	"zone_device_page_init",
	"free_zone_device_page",
	"dev_pagemap_percpu_release",
	"percpu_ref_switch_to_atomic_rcu",
	"pmem_pagemap_ops",
	"online_mem_sections",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void add_layout(struct fz_host *h, const struct zt_member *m,
		       size_t nm, const struct zt_type *t, size_t nt)
{
	for (size_t i = 0; i < nm; i++)
		fz_add_member(h, m[i].type, m[i].member, m[i].offset,
			      m[i].size);
	for (size_t i = 0; i < nt; i++)
		fz_add_type(h, t[i].name, t[i].size);
}

static const struct zt_member layout_names[] = {
	{ "resource", "start", FZ_RES_START, 8 },
	{ "resource", "end", FZ_RES_END, 8 },
	{ "resource", "name", FZ_RES_NAME, 8 },
	{ "resource", "parent", FZ_RES_PARENT, 8 },
	{ "resource", "sibling", FZ_RES_SIBLING, 8 },
	{ "resource", "child", FZ_RES_CHILD, 8 },
	{ "kset", "list", FZ_KSET_LIST, 16 },
	{ "kobject", "name", FZ_KOBJ_NAME, 8 },
	{ "kobject", "entry", FZ_KOBJ_ENTRY, 16 },
	{ "device", "kobj", FZ_DEV_KOBJ, 0x40 },
	{ "device", "driver", FZ_DEV_DRIVER, 8 },
	{ "device", "devres_head", FZ_DEV_DEVRES, 16 },
	{ "device_driver", "name", FZ_DRV_NAME, 8 },
	{ "devres_node", "entry", FZ_NODE_ENTRY, 16 },
	{ "devres_node", "release", FZ_NODE_RELEASE, 8 },
	{ "devres", "data", FZ_DEVRES_DATA, 0 },
	{ "action_devres", "data", 0, 8 },
	{ "action_devres", "action", 8, 8 },
	{ "module", "state", FZ_MOD_STATE, 4 },
	{ "module", "list", FZ_MOD_LIST, 16 },
	{ "module", "name", FZ_MOD_NAME, FZ_MOD_NAME_LEN },
	{ "module", "core_layout", FZ_MOD_CORE_LAYOUT, FZ_LAYOUT_SIZE },
	{ "module", "init_layout", FZ_MOD_INIT_LAYOUT, FZ_LAYOUT_SIZE },
	{ "module", "kallsyms", FZ_MOD_KALLSYMS, 8 },
	{ "module_layout", "base", 0, 8 },
	{ "module_layout", "size", 8, 4 },
	{ "mod_kallsyms", "symtab", FZ_KS_SYMTAB, 8 },
	{ "mod_kallsyms", "num_symtab", FZ_KS_NUM, 4 },
	{ "mod_kallsyms", "strtab", FZ_KS_STRTAB, 8 },
	{ "rq", "clock", 0, 8 },
	{ "task_struct", "sched_info", FZ_TASK_SCHED_INFO, 32 },
	{ "sched_info", "last_arrival", FZ_SCHED_LAST_ARRIVAL, 8 },
};

static const struct zt_type types_names[] = {
	{ "resource", FZ_RES_SIZE },  { "kset", 0x60 },
	{ "kobject", 0x40 },	      { "device", FZ_DEV_SIZE },
	{ "device_driver", 0x40 },    { "devres_node", 0x28 },
	{ "devres", FZ_DEVRES_DATA }, { "action_devres", 16 },
	{ "module", FZ_MOD_SIZE },    { "module_layout", FZ_LAYOUT_SIZE },
	{ "mod_kallsyms", 32 },	      { "rq", 0x100 },
	{ "sched_info", 32 },
};

void fz_tables_names(struct fz_host *h, uint64_t cpu0_offset)
{
	add_layout(h, layout_names, NELEM(layout_names), types_names,
		   NELEM(types_names));
	fz_set_enum(h, "MODULE_STATE_UNFORMED", 3);
	fz_add_symbol(h, "iomem_resource", FZ_KNAMES + FZ_N_IOMEM,
		      FZ_RES_SIZE);
	fz_add_symbol(h, "devices_kset", FZ_KNAMES + FZ_N_KSET_PTR, 8);
	fz_add_symbol(h, "modules", FZ_KNAMES + FZ_N_MODULES, 16);
	fz_add_symbol(h, "runqueues", FZ_KNAMES + FZ_N_RQ - cpu0_offset,
		      0x100);
	fz_add_symbol(h, "devm_action_release", FZ_FN_DEVM_ACTION_RELEASE,
		      0x40);
	fz_add_symbol(h, "devm_memremap_pages_release",
		      FZ_FN_DEVM_MEMREMAP_RELEASE, 0x100);
}

void fz_tables_6_1(struct fz_host *h)
{
	/* the 6.1 layout of tests/common/tables.c, and more */
	(void)zt_add_layout(&h->tab, zt_layout_6_1, zt_layout_6_1_len,
			    zt_types_6_1, zt_types_6_1_len);
	add_layout(h, layout_6_1_more, NELEM(layout_6_1_more), types_6_1_more,
		   NELEM(types_6_1_more));
	for (size_t i = 0;
	     i < sizeof(functions_6_1) / sizeof(functions_6_1[0]); i++)
		fz_add_symbol(h, functions_6_1[i], FZ_TEXT_BASE + 0x100 * i,
			      0x100);
	fz_set_number_u(h, "PAGESIZE", 4096);
	fz_set_number_u(h, "NUMBER(SECTION_SIZE_BITS)", 27);
	fz_set_number_u(h, "NUMBER(MAX_PHYSMEM_BITS)", 46);
	fz_set_enum(h, "MEMORY_DEVICE_PRIVATE", 1);
	fz_set_enum(h, "MEMORY_DEVICE_COHERENT", 2);
	fz_set_enum(h, "MEMORY_DEVICE_FS_DAX", 3);
	fz_set_enum(h, "MEMORY_DEVICE_GENERIC", 4);
	fz_set_enum(h, "MEMORY_DEVICE_PCI_P2PDMA", 5);
}

/* The address of function symbol i of functions_6_1[]. */
#define FZ_FUNC(i) (FZ_TEXT_BASE + 0x100 * (i))
#define FZ_FN_RELEASE FZ_FUNC(2)
#define FZ_FN_OPS FZ_FUNC(4)

/* The "kernel" input */

static void era_tables(struct fz_host *h, enum fz_era era)
{
	switch (era) {
	case FZ_ERA_5_18:
		/* 27674ef6c73f: no zone_device_page_init() yet */
		fz_remove_symbol(h, "zone_device_page_init");
		fz_remove_enum(h, "MEMORY_DEVICE_COHERENT");
		fz_set_enum(h, "MEMORY_DEVICE_PRIVATE", 1);
		fz_set_enum(h, "MEMORY_DEVICE_FS_DAX", 2);
		fz_set_enum(h, "MEMORY_DEVICE_GENERIC", 3);
		fz_set_enum(h, "MEMORY_DEVICE_PCI_P2PDMA", 4);
		break;
	case FZ_ERA_6_15:
	case FZ_ERA_6_19:
		/* the pgmap pointer lives in the folio */
		fz_remove_member(h, "page", "pgmap");
		fz_add_member(h, "page", "_unused_pgmap_compound_head", 8, 8);
		fz_add_member(h, "folio", "pgmap", 8, 8);
		fz_remove_symbol(h, "free_zone_device_page");
		fz_add_symbol(h, "free_zone_device_folio", FZ_FUNC(16), 0x100);
		fz_set_enum(h, "PG_head", 6);
		if (era == FZ_ERA_6_19) {
			fz_remove_member(h, "dev_pagemap_ops", "page_free");
			fz_add_member(h, "dev_pagemap_ops", "folio_free", 0, 8);
		}
		break;
	default:
		break;
	}
}

static const uint8_t *slice(const uint8_t **p, size_t *left, size_t want,
			    size_t *got)
{
	const uint8_t *s = *p;

	*got = *left < want ? *left : want;
	*p += *got;
	*left -= *got;
	return s;
}

bool fz_kernel_build(struct fz_kernel *k, const uint8_t *data, size_t len)
{
	struct fz_host *h = &k->h;
	const uint8_t *p = data, *s;
	size_t left = len, got;
	unsigned int era;

	if (len < sizeof(k->hdr))
		return false;
	memcpy(&k->hdr, data, sizeof(k->hdr));
	p += sizeof(k->hdr);
	left -= sizeof(k->hdr);
	fz_init(h);
	fz_tables_6_1(h);
	era = k->hdr.era % FZ_NERAS;
	era_tables(h, (enum fz_era)era);
	if (k->hdr.flags & FZ_K_NO_USAGE)
		fz_remove_member(h, "mem_section", "usage");
	if (k->hdr.section_size_bits)
		fz_set_number_u(h, "NUMBER(SECTION_SIZE_BITS)",
				k->hdr.section_size_bits);
	else
		fz_set_number(h, "NUMBER(SECTION_SIZE_BITS)", "");
	if (k->hdr.max_physmem_bits)
		fz_set_number_u(h, "NUMBER(MAX_PHYSMEM_BITS)",
				k->hdr.max_physmem_bits);
	if (k->hdr.page_shift)
		fz_set_number_u(h, "PAGESIZE",
				k->hdr.page_shift < 64 ?
					1ULL << k->hdr.page_shift :
					k->hdr.page_shift);
	if (k->hdr.pg_head)
		fz_set_number_u(h, "NUMBER(PG_head_mask)",
				1ULL << ((k->hdr.pg_head - 1) % 64));
	/* An empty line is "absent" to nobody: drop it instead. */
	for (size_t i = 0; i < h->tab.nnumbers; i++)
		if (!h->tab.numbers[i].value[0])
			h->tab.numbers[i--] = h->tab.numbers[--h->tab.nnumbers];
	h->host.mem.live = k->hdr.flags & FZ_K_LIVE;

	/* .data: mem_section pointer, root table, pgmap_array, CPUs */
	k->mem_section_ptr = FZ_KROOTS;
	fz_map(h, FZ_DATA_BASE, &k->mem_section_ptr, 8, false);
	fz_add_symbol(h, "mem_section", FZ_DATA_BASE, 8);
	memset(k->pgmap_array, 0, sizeof(k->pgmap_array));
	fz_put64(k->pgmap_array + FZ_XA_HEAD, FZ_KPGMAP);
	fz_map(h, FZ_DATA_BASE + 0x1000, k->pgmap_array, 16, false);
	fz_add_symbol(h, "pgmap_array", FZ_DATA_BASE + 0x1000, 16);
	k->nr_cpu_ids = k->hdr.nr_cpu_ids % FZ_MAX_CPUS + 1;
	memset(k->cpu_mask, 0, sizeof(k->cpu_mask));
	k->cpu_mask[0] = k->hdr.possible;
	for (unsigned int c = 0; c < FZ_MAX_CPUS; c++)
		k->cpu_offsets[c] = FZ_PCPU_BASE + 16 * c - FZ_KPCP;
	fz_map(h, FZ_DATA_BASE + 0x2000, k->cpu_mask, 8, false);
	fz_add_symbol(h, "__cpu_possible_mask", FZ_DATA_BASE + 0x2000, 8);
	fz_map(h, FZ_DATA_BASE + 0x3000, k->cpu_offsets, sizeof(k->cpu_offsets),
	       false);
	fz_add_symbol(h, "__per_cpu_offset", FZ_DATA_BASE + 0x3000,
		      sizeof(k->cpu_offsets));
	fz_map(h, FZ_DATA_BASE + 0x4000, &k->nr_cpu_ids, 4, false);
	fz_add_symbol(h, "nr_cpu_ids", FZ_DATA_BASE + 0x4000, 4);
	fz_add_symbol(h, "pmem_pagemap_ops", FZ_FN_OPS, 0x100);

	s = slice(&p, &left, 256, &got);
	fz_map(h, FZ_KPGMAP, s, got, false);
	s = slice(&p, &left, 64, &got);
	fz_map(h, FZ_KREFDATA, s, got, false);
	s = slice(&p, &left, 16 * FZ_MAX_CPUS, &got);
	fz_map(h, FZ_PCPU_BASE, s, got, false);
	s = slice(&p, &left, 64, &got);
	memset(k->roots, 0, sizeof(k->roots));
	memcpy(k->roots, s, got);
	fz_map(h, FZ_KROOTS, k->roots, sizeof(k->roots), false);
	s = slice(&p, &left, 512, &got);
	memset(k->sections, 0, sizeof(k->sections));
	memcpy(k->sections, s, got);
	fz_map(h, FZ_KSECTIONS, k->sections, sizeof(k->sections), false);
	s = slice(&p, &left, 256, &got);
	fz_map(h, FZ_KUSAGE, s, got, false);
	s = slice(&p, &left, 4 * FZ_WQH_SIZE, &got);
	fz_map(h, FZ_KBWT, s, got, false);
	if (!(k->hdr.flags & FZ_K_NO_WAITERS))
		fz_add_symbol(h, "bit_wait_table", FZ_KBWT, 4 * FZ_WQH_SIZE);
	s = slice(&p, &left, 2 * FZ_TASK_SIZE, &got);
	fz_map(h, FZ_KTASKS, s, got, false);
	s = slice(&p, &left, 256, &got);
	fz_map(h, FZ_KSTACK, s, got, false);
	s = slice(&p, &left, 512, &got);
	fz_map(h, FZ_KOBJECTS, s, got, false);
	/* the memmap, in eight parts */
	{
		uint64_t at = FZ_VMEMMAP_BASE + 64 * k->hdr.memmap_pfn;
		size_t part = (left + 7) / 8;

		for (int i = 0; i < 8 && left; i++) {
			s = slice(&p, &left, part, &got);
			fz_map(h, at, s, got, k->hdr.excluded & (1u << i));
			at += got;
		}
	}
	return true;
}

/* Example kernels */

struct builder {
	uint8_t *buf;
	size_t cap, len;
	/* offsets of the slices in buf */
	size_t pgmap, refdata, percpu, roots, sections, usage, bwt, tasks,
		stack, objects, memmap;
};

#define PFN0 0x10000ULL /* the first pfn of range 0: 256 MiB */

struct example {
	enum fz_era era;
	uint8_t flags;
	int32_t type;
	uint32_t pgflags; /* PGMAP_ALTMAP_VALID */
	uint64_t vmemmap_shift;
	unsigned int nr_range;
	uint64_t npages[2]; /* per range */
	uint64_t gap; /* pfns between ranges */
	uint64_t altmap_reserve;
	int32_t idle; /* refcount of an idle page */
	int ref; /* 0 percpu, 1 atomic, 2 dead, 3 exited */
	int64_t count; /* the true count the ref holds */
	bool busy_file; /* page 3: refcount idle + 2, held by a file */
	bool suspect; /* page 5: refcount idle + 1, no mapping */
	bool waiters; /* a task on done, one in a DAX layout break */
	uint64_t subsections; /* subsection_map of section 2 (~0: all) */
	uint8_t excluded;
	bool large_folio; /* page 0 heads an allocated folio of order 2 */
};

/* Struct pages of pfns [PFN0, PFN0 + n) in the memmap slice. */
static void put_page(struct builder *b, uint64_t pfn, uint64_t pgmap_word,
		     int32_t refcount)
{
	uint8_t *pg = b->buf + b->memmap + 64 * (pfn - PFN0);

	memset(pg, 0, 64);
	fz_put64(pg + FZ_PAGE_FLAGS, 4ULL << 58); /* ZONE_DEVICE */
	fz_put64(pg + FZ_PAGE_PGMAP, pgmap_word);
	fz_put32(pg + FZ_PAGE_MAPCOUNT, (uint32_t)-1);
	fz_put32(pg + FZ_PAGE_REFCOUNT, (uint32_t)refcount);
}

static size_t build_example(const struct example *e, uint8_t *out, size_t cap)
{
	struct fz_kernel_header hdr = { 0 };
	struct builder b = { .buf = out, .cap = cap };
	uint64_t total = e->npages[0] + (e->nr_range > 1 ? e->gap + e->npages[1] : 0);
	size_t need;
	uint8_t *pg, *rd;
	uint64_t pfn;

	b.pgmap = sizeof(hdr);
	b.refdata = b.pgmap + 256;
	b.percpu = b.refdata + 64;
	b.roots = b.percpu + 16 * FZ_MAX_CPUS;
	b.sections = b.roots + 64;
	b.usage = b.sections + 512;
	b.bwt = b.usage + 256;
	b.tasks = b.bwt + 4 * FZ_WQH_SIZE;
	b.stack = b.tasks + 2 * FZ_TASK_SIZE;
	b.objects = b.stack + 256;
	b.memmap = b.objects + 512;
	need = b.memmap + 64 * total;
	if (need > cap)
		return 0;
	memset(out, 0, need);

	hdr.era = (uint8_t)e->era;
	hdr.flags = e->flags;
	hdr.section_size_bits = 27;
	hdr.max_physmem_bits = 46;
	hdr.page_shift = 12;
	hdr.nr_cpu_ids = 1; /* two CPUs */
	hdr.possible = 3;
	hdr.excluded = e->excluded;
	hdr.max_listed = 16;
	hdr.lookup_pfn = PFN0 + 3;
	hdr.memmap_pfn = PFN0;
	memcpy(out, &hdr, sizeof(hdr));

	/* dev_pagemap */
	pg = out + b.pgmap;
	fz_put64(pg + 16, e->altmap_reserve); /* altmap.reserve */
	fz_put64(pg + FZ_PGMAP_DONE_LIST, FZ_KPGMAP + FZ_PGMAP_DONE_LIST);
	fz_put64(pg + FZ_PGMAP_DONE_LIST + 8, FZ_KPGMAP + FZ_PGMAP_DONE_LIST);
	fz_put32(pg + FZ_PGMAP_TYPE, (uint32_t)e->type);
	fz_put32(pg + FZ_PGMAP_FLAGS, e->pgflags);
	fz_put64(pg + FZ_PGMAP_VMEMMAP_SHIFT, e->vmemmap_shift);
	fz_put64(pg + FZ_PGMAP_OPS, FZ_FN_OPS);
	fz_put64(pg + FZ_PGMAP_OWNER, FZ_KOBJECTS + 0x1c0);
	fz_put32(pg + FZ_PGMAP_NR_RANGE, e->nr_range);
	pfn = PFN0;
	for (unsigned int i = 0; i < e->nr_range; i++) {
		fz_put64(pg + FZ_PGMAP_RANGES + 16 * i, pfn << 12);
		fz_put64(pg + FZ_PGMAP_RANGES + 16 * i + 8,
			 ((pfn + e->npages[i]) << 12) - 1);
		pfn += e->npages[i] + e->gap;
	}

	/* percpu_ref + percpu_ref_data */
	rd = out + b.refdata;
	fz_put64(rd + 8, FZ_FN_RELEASE);
	fz_put64(rd + 48, FZ_KPGMAP + FZ_PGMAP_REF);
	switch (e->ref) {
	case 0: /* percpu: count BIAS + 1, counters sum to count - 1 */
		fz_put64(pg + FZ_PGMAP_REF, FZ_KPCP);
		fz_put64(pg + FZ_PGMAP_REF + 8, FZ_KREFDATA);
		fz_put64(rd, (1ULL << 63) + 1);
		fz_put64(out + b.percpu, (uint64_t)(e->count - 1) + 7);
		fz_put64(out + b.percpu + 16, (uint64_t)-7);
		break;
	case 1: /* atomic */
	case 2: /* dead after a confirmed switch: counters freed */
		fz_put64(pg + FZ_PGMAP_REF, e->ref == 1 ? FZ_KPCP | 1 : 3);
		fz_put64(pg + FZ_PGMAP_REF + 8, FZ_KREFDATA);
		fz_put64(rd, (uint64_t)e->count);
		break;
	default: /* percpu_ref_exit(): count << 2 | ATOMIC_DEAD */
		fz_put64(pg + FZ_PGMAP_REF, 3 | (uint64_t)e->count << 2);
		break;
	}

	/* sections 2.. of root 0 (PFN0 is section 2 with 27 bits) */
	fz_put64(out + b.roots, FZ_KSECTIONS);
	for (uint64_t nr = PFN0 >> 15; nr <= (PFN0 + total - 1) >> 15; nr++) {
		uint8_t *ms = out + b.sections + FZ_MS_SIZE * nr;

		fz_put64(ms, FZ_VMEMMAP_BASE | 3); /* PRESENT | HAS_MEM_MAP */
		fz_put64(ms + 8, FZ_KUSAGE + 32 * (nr % 8));
		fz_put64(out + b.usage + 32 * (nr % 8),
			 nr == (PFN0 >> 15) ? e->subsections : ~0ULL);
	}

	/* struct pages */
	pfn = PFN0;
	for (unsigned int i = 0; i < e->nr_range; i++) {
		for (uint64_t j = 0; j < e->npages[i]; j++)
			put_page(&b, pfn + j, FZ_KPGMAP,
				 j < e->altmap_reserve ? 0 : e->idle);
		pfn += e->npages[i];
		for (uint64_t j = 0; i + 1 < e->nr_range && j < e->gap; j++)
			put_page(&b, pfn + j, 0, 0);
		pfn += e->gap;
	}
	if (e->vmemmap_shift)
		for (uint64_t j = 0; j < e->npages[0]; j++)
			if (j & ((1ULL << e->vmemmap_shift) - 1))
				/* tails: compound_head | 1 */
				fz_put64(b.buf + b.memmap + 64 * j +
						 FZ_PAGE_PGMAP,
					 (FZ_VMEMMAP_BASE + 64 * (PFN0 + (j & ~((1ULL << e->vmemmap_shift) - 1)))) |
						 1);
	if (e->large_folio) {
		uint8_t *head = b.buf + b.memmap;

		/* PG_head (6), and the order in page[1].flags */
		fz_put64(head, fz_le64(head) | 1ULL << 6);
		fz_put32(head + FZ_PAGE_REFCOUNT, 1);
		fz_put64(head + 64, fz_le64(head + 64) | 2);
		for (int j = 1; j < 4; j++)
			fz_put32(head + 64 * j + FZ_PAGE_REFCOUNT, 0);
	}
	if (e->busy_file) {
		uint8_t *p3 = b.buf + b.memmap + 64 * 3;
		uint8_t *o = out + b.objects;

		fz_put32(p3 + FZ_PAGE_REFCOUNT, (uint32_t)(e->idle + 2));
		fz_put64(p3 + FZ_PAGE_MAPPING, FZ_KOBJECTS); /* address_space */
		fz_put64(p3 + FZ_PAGE_INDEX, 5);
		fz_put64(o + FZ_AS_HOST, FZ_KOBJECTS + 64); /* inode */
		fz_put64(o + 64 + FZ_INODE_SB, FZ_KOBJECTS + 256);
		fz_put64(o + 64 + FZ_INODE_MAPPING, FZ_KOBJECTS);
		fz_put64(o + 64 + FZ_INODE_INO, 12);
		memcpy(o + 256 + FZ_SB_ID, "pmem0", 5);
	}
	if (e->suspect)
		fz_put32(b.buf + b.memmap + 64 * 5 + FZ_PAGE_REFCOUNT,
			 (uint32_t)(e->idle + 1));
	if (e->waiters) {
		uint8_t *t = out + b.tasks, *st = out + b.stack;
		uint64_t head = FZ_KPGMAP + FZ_PGMAP_DONE_LIST;
		uint64_t wq = FZ_KSTACK; /* swait_queue: task@0, task_list@8 */
		uint64_t wb = FZ_KSTACK + 64; /* wait_bit_queue_entry */
		uint64_t bhead = FZ_KBWT + FZ_WQH_HEAD;

		fz_put32(t + FZ_TASK_PID, 121);
		memcpy(t + FZ_TASK_COMM, "ndctl", 5);
		fz_put32(t + FZ_TASK_STATE, 2);
		fz_put32(t + FZ_TASK_SIZE + FZ_TASK_PID, 122);
		memcpy(t + FZ_TASK_SIZE + FZ_TASK_COMM, "dax-truncate", 12);
		fz_put32(t + FZ_TASK_SIZE + FZ_TASK_STATE, 2);
		/* done: head <-> wq.task_list */
		fz_put64(st + 0, FZ_KTASKS);
		fz_put64(st + 8, head);
		fz_put64(st + 16, head);
		fz_put64(pg + FZ_PGMAP_DONE_LIST, wq + 8);
		fz_put64(pg + FZ_PGMAP_DONE_LIST + 8, wq + 8);
		/* bit_wait_table[0]: one var waiter on page 3 */
		for (int i = 1; i < 4; i++) {
			uint64_t h = FZ_KBWT + FZ_WQH_SIZE * i + FZ_WQH_HEAD;

			fz_put64(out + b.bwt + FZ_WQH_SIZE * i + FZ_WQH_HEAD, h);
			fz_put64(out + b.bwt + FZ_WQH_SIZE * i + FZ_WQH_HEAD + 8,
				 h);
		}
		fz_put64(out + b.bwt + FZ_WQH_HEAD, wb + FZ_WBQ_LIST);
		fz_put64(out + b.bwt + FZ_WQH_HEAD + 8, wb + FZ_WBQ_LIST);
		fz_put64(st + 64 + FZ_WBQ_VAR,
			 FZ_VMEMMAP_BASE + 64 * (PFN0 + 3) + FZ_PAGE_REFCOUNT);
		fz_put32(st + 64 + FZ_WBQ_BIT_NR, (uint32_t)-1);
		fz_put64(st + 64 + FZ_WBQ_TASK, FZ_KTASKS + FZ_TASK_SIZE);
		fz_put64(st + 64 + FZ_WBQ_LIST, bhead);
		fz_put64(st + 64 + FZ_WBQ_LIST + 8, bhead);
	} else {
		for (int i = 0; i < 4; i++) {
			uint64_t h = FZ_KBWT + FZ_WQH_SIZE * i + FZ_WQH_HEAD;

			fz_put64(out + b.bwt + FZ_WQH_SIZE * i + FZ_WQH_HEAD, h);
			fz_put64(out + b.bwt + FZ_WQH_SIZE * i + FZ_WQH_HEAD + 8,
				 h);
		}
	}
	return need;
}

size_t fz_kernel_example(unsigned int variant, uint8_t *out, size_t cap)
{
	struct example e = {
		.era = FZ_ERA_6_1,
		.type = 3, /* FS_DAX */
		.nr_range = 1,
		.npages = { 64, 0 },
		.idle = 1,
		.ref = 0,
		.subsections = ~0ULL,
	};

	switch (variant) {
	case 0: /* 6.1 FS_DAX, every page idle: ok (I + units = 65) */
		e.count = 1 + 64;
		break;
	case 1: /* 6.1: a busy file page, a suspect page, waiters; -a */
		e.count = 1 + 64 + 3;
		e.busy_file = true;
		e.suspect = true;
		e.waiters = true;
		e.flags = FZ_K_ALL | FZ_K_LOOKUP;
		break;
	case 2: /* 6.15 FS_DAX: idle at 0 */
		e.era = FZ_ERA_6_15;
		e.idle = 0;
		e.count = 1 + 64;
		e.busy_file = true;
		e.flags = FZ_K_ONE | FZ_K_DETAIL;
		break;
	case 3: /* 6.19 device-private, an allocated large folio */
		e.era = FZ_ERA_6_19;
		e.type = 1;
		e.idle = 0;
		e.count = 1 + 4;
		e.large_folio = true;
		e.ref = 1;
		e.flags = FZ_K_ALL | FZ_K_LOOKUP;
		break;
	case 4: /* 5.18 device-dax (GENERIC 3), dead */
		e.era = FZ_ERA_5_18;
		e.type = 3;
		e.ref = 2;
		e.count = 2;
		e.vmemmap_shift = 2;
		break;
	case 5: /* two ranges, an altmap, a missing subsection, excluded */
		e.nr_range = 2;
		e.npages[0] = 512;
		e.npages[1] = 64;
		e.gap = 64;
		e.pgflags = 1; /* PGMAP_ALTMAP_VALID */
		e.altmap_reserve = 8;
		e.subsections = 0x1;
		e.excluded = 0x40;
		e.count = 1 + 512 - 8 + 64;
		e.flags = FZ_K_LOOKUP;
		break;
	case 6: /* live, exited ref */
		e.ref = 3;
		e.count = 3;
		e.flags = FZ_K_LIVE | FZ_K_ALL;
		break;
	default: /* 6.1 P2PDMA, no usage member, atomic */
		e.type = 5;
		e.ref = 1;
		e.count = 1 + 64;
		e.flags = FZ_K_NO_USAGE | FZ_K_NO_WAITERS;
		break;
	}
	return build_example(&e, out, cap);
}

/* The kernel log (fuzzhost.h): tests/unit/test_printk.c's layouts */

static const struct zt_member layout_prb[] = {
	{ "printk_ringbuffer", "desc_ring", FZ_RB_DESC_RING, 48 },
	{ "printk_ringbuffer", "text_data_ring", FZ_RB_TEXT_RING, 32 },
	{ "printk_ringbuffer", "fail", 80, 8 },
	{ "prb_desc_ring", "count_bits", FZ_DR_COUNT_BITS, 4 },
	{ "prb_desc_ring", "descs", FZ_DR_DESCS, 8 },
	{ "prb_desc_ring", "infos", FZ_DR_INFOS, 8 },
	{ "prb_desc_ring", "head_id", FZ_DR_HEAD_ID, 8 },
	{ "prb_desc_ring", "tail_id", FZ_DR_TAIL_ID, 8 },
	{ "prb_data_ring", "size_bits", FZ_TR_SIZE_BITS, 4 },
	{ "prb_data_ring", "data", FZ_TR_DATA, 8 },
	{ "prb_data_ring", "head_lpos", FZ_TR_HEAD, 8 },
	{ "prb_data_ring", "tail_lpos", FZ_TR_TAIL, 8 },
	{ "prb_desc", "state_var", FZ_DESC_SV, 8 },
	{ "prb_desc", "text_blk_lpos", FZ_DESC_BEGIN, 16 },
	{ "prb_data_blk_lpos", "begin", 0, 8 },
	{ "prb_data_blk_lpos", "next", 8, 8 },
	{ "printk_info", "seq", FZ_INFO_SEQ, 8 },
	{ "printk_info", "ts_nsec", FZ_INFO_TS, 8 },
	{ "printk_info", "text_len", FZ_INFO_TEXT_LEN, 2 },
	{ "printk_info", "dev_info", 24, 64 },
};

static const struct zt_type types_prb[] = {
	{ "printk_ringbuffer", FZ_RB_SIZE }, { "prb_desc_ring", 48 },
	{ "prb_data_ring", 32 },	     { "prb_desc", FZ_DESC_SIZE },
	{ "prb_data_blk_lpos", 16 },	     { "printk_info", FZ_INFO_SIZE },
};

void fz_tables_printk_lockless(struct fz_host *h, unsigned int flags)
{
	add_layout(h, layout_prb, NELEM(layout_prb), types_prb,
		   NELEM(types_prb));
	if (!(flags & FZ_PK_NO_FACILITY))
		fz_add_member(h, "printk_info", "facility", FZ_INFO_FACILITY, 1);
	/* bitfields: the hosts give their storage unit */
	if (!(flags & FZ_PK_NO_LEVEL)) {
		fz_add_member(h, "printk_info", "flags", FZ_INFO_FLAGS_LEVEL, 1);
		fz_add_member(h, "printk_info", "level", FZ_INFO_FLAGS_LEVEL, 1);
	}
	if (!(flags & FZ_PK_NO_CALLER))
		fz_add_member(h, "printk_info", "caller_id", FZ_INFO_CALLER, 4);
}

const char *fz_tables_printk_record(struct fz_host *h, unsigned int flags,
				    uint64_t *size)
{
	const char *type = flags & FZ_PK_OLD_NAME ? "log" : "printk_log";

	*size = flags & FZ_PK_NO_CALLER ? 16 : 20;
	fz_add_type(h, type, *size);
	fz_add_member(h, type, "ts_nsec", FZ_LOG_TS, 8);
	fz_add_member(h, type, "len", FZ_LOG_LEN, 2);
	fz_add_member(h, type, "text_len", FZ_LOG_TEXT_LEN, 2);
	fz_add_member(h, type, "dict_len", FZ_LOG_DICT_LEN, 2);
	if (!(flags & FZ_PK_NO_FACILITY))
		fz_add_member(h, type, "facility", FZ_LOG_FACILITY, 1);
	if (!(flags & FZ_PK_NO_LEVEL)) {
		fz_add_member(h, type, "flags", FZ_LOG_FLAGS_LEVEL, 1);
		fz_add_member(h, type, "level", FZ_LOG_FLAGS_LEVEL, 1);
	}
	if (!(flags & FZ_PK_NO_CALLER))
		fz_add_member(h, type, "caller_id", FZ_LOG_CALLER, 4);
	return type;
}
