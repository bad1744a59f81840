/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake struct zd_host over a sparse byte image, for the unit tests.
 *
 * Kernel memory is a set of (virtual address -> bytes) regions; a read
 * outside them fails with ZD_ERR_FAULT, a read touching a range marked
 * excluded fails with ZD_ERR_EXCLUDED (makedumpfile -d), all or nothing
 * like the real hosts.  Symbols, types, members, enumerators and numbers
 * come from tables the test fills, usually through fh_setup_6_1(), which
 * lays out a 6.1 x86_64 kernel with its real offsets.
 *
 * The builders write kernel objects the way the kernel would leave them
 * (sections, memmap, dev_pagemap, percpu_ref, XArray nodes, waiters), so
 * each test knows the truth from its own construction.
 */
#ifndef ZDREF_TESTS_FAKEHOST_H
#define ZDREF_TESTS_FAKEHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zdref/host.h"
#include "../common/tables.h"

#define FH_MAX_EXCLUDED 64
#define FH_MAX_CPUS 64

/* Where the builders put things (x86_64-looking addresses). */
#define FH_VMEMMAP_BASE 0xffffea0000000000ULL
#define FH_HEAP_BASE 0xffff888100000000ULL	/* bump allocator */
#define FH_DATA_BASE 0xffffffff82000000ULL	/* kernel .data symbols */
#define FH_TEXT_BASE 0xffffffff81000000ULL	/* kernel text symbols */
#define FH_PCPU_AREA 0xffff88807fc00000ULL	/* per-CPU areas */
#define FH_PCPU_STRIDE 0x10000ULL
#define FH_PCPU_PTR_FIRST 0x1000ULL	/* first __percpu pointer handed out */

/* 6.1 x86_64 offsets the tests use when writing objects by hand. */
#define FH_PAGE_SIZE 64
#define FH_PAGE_FLAGS 0
#define FH_PAGE_PGMAP 8
#define FH_PAGE_MAPCOUNT 48
#define FH_PAGE_REFCOUNT 52
#define FH_MS_SIZE 16
#define FH_PGMAP_SIZE 152
#define FH_PGMAP_REF 48
#define FH_PGMAP_DONE 64
#define FH_PGMAP_TYPE 96
#define FH_PGMAP_FLAGS 100
#define FH_PGMAP_VMEMMAP_SHIFT 104
#define FH_PGMAP_OPS 112
#define FH_PGMAP_OWNER 120
#define FH_PGMAP_NR_RANGE 128
#define FH_PGMAP_RANGES 136
#define FH_PCR_DATA_SIZE 56
#define FH_XA_HEAD 8
#define FH_XA_NODE_SIZE 576
#define FH_XA_NODE_SLOTS 40
#define FH_TASK_STATE ZT_TASK_STATE
#define FH_TASK_PID ZT_TASK_PID
#define FH_TASK_COMM ZT_TASK_COMM
#define FH_TASK_SIZE ZT_TASK_SIZE

/* enum memory_type, 6.0+ */
#define FH_MEMORY_DEVICE_PRIVATE 1
#define FH_MEMORY_DEVICE_COHERENT 2
#define FH_MEMORY_DEVICE_FS_DAX 3
#define FH_MEMORY_DEVICE_GENERIC 4
#define FH_MEMORY_DEVICE_PCI_P2PDMA 5

#define FH_PGMAP_ALTMAP_VALID 1U

/* lib/percpu-refcount.c */
#define FH_PERCPU_REF_ATOMIC 1ULL
#define FH_PERCPU_REF_DEAD 2ULL
#define FH_PERCPU_COUNT_BIAS (1ULL << 63)

/* mm/sparse.c */
#define FH_SECTION_MARKED_PRESENT (1ULL << 0)
#define FH_SECTION_HAS_MEM_MAP (1ULL << 1)
#define FH_PAGES_PER_SECTION (1ULL << (27 - 12))
#define FH_PAGES_PER_SUBSECTION (1ULL << (21 - 12))

/* include/linux/xarray.h */
#define FH_XA_MK_INTERNAL(v) (((uint64_t)(v) << 2) | 2)
#define FH_XA_RETRY_ENTRY FH_XA_MK_INTERNAL(256)
#define FH_XA_ZERO_ENTRY FH_XA_MK_INTERNAL(257)
#define FH_XA_MK_VALUE(v) (((uint64_t)(v) << 1) | 1)

struct fh_region {
	uint64_t addr;
	size_t len;
	uint8_t *bytes;
};

struct fakehost {
	struct zd_host host;

	struct fh_region *regions;
	size_t nregions;
	struct {
		uint64_t addr, len;
	} excluded[FH_MAX_EXCLUDED];
	size_t nexcluded;

	struct zt_tables tab; /* symbols, types, ... (tests/common/tables.h) */

	/* The possible CPUs fh_setup_*() lays out as the kernel would. */
	unsigned int nr_cpu_ids;
	uint64_t possible;	/* mask of the first 64 CPUs */

	uint64_t heap_next;	/* bump allocator */
	uint64_t pcpu_next;	/* next __percpu pointer */
	uint64_t data_next;	/* next .data symbol */
	uint64_t text_next;	/* next text symbol */

	/*
	 * Where fh_page_set() writes (the 6.1 offsets unless an older era
	 * was set up), and whether sections have a usage pointer (5.3+).
	 */
	int era;			/* enum fh_era */
	uint64_t page_pgmap_off, page_refcount_off, page_mapcount_off;
	bool no_usage;
	uint64_t reads; /* memory reads served (or refused) */
};

/* Memory */
struct fakehost *fh_create(void);
void fh_destroy(struct fakehost *fh);

/*
 * A full audit over a fake kernel, as a cmocka fixture: fh_fixture_setup()
 * gives an empty fake host in *ctx, fh_fixture_teardown() frees all of it.
 * The target is opened on first use; failures fail the test.
 */
struct zd_target;
struct zd_report;
struct zd_pgmap;
struct zd_audit_options;
struct fh_fixture {
	struct fakehost *fh;
	struct zd_target *t;
	struct zd_report *rep;
};
int fh_fixture_setup(void **ctx);
int fh_fixture_teardown(void **ctx);
void fh_open_target(struct fh_fixture *f);
/* Audit into f->rep (replacing the last report); the error, not a failure. */
struct zd_error *fh_try_audit(struct fh_fixture *f,
			      const struct zd_audit_options *opts);
/* Audit and return pgmap pg of the report; anything else fails the test. */
/* The report as JSON, malloc'ed (free it). */
char *fh_json(const struct zd_report *rep);
struct zd_pgmap *fh_audit(struct fh_fixture *f, uint64_t pg,
			  const struct zd_audit_options *opts);
/* A zero-filled region at addr; returns its bytes. */
uint8_t *fh_map(struct fakehost *fh, uint64_t addr, size_t len);
/* Reads touching [addr, addr + len) fail with ZD_ERR_EXCLUDED. */
void fh_exclude(struct fakehost *fh, uint64_t addr, uint64_t len);
/* Remove a whole region previously mapped at exactly addr. */
void fh_unmap(struct fakehost *fh, uint64_t addr);
/* A zeroed "kernel object" from the heap; aligned to align (power of 2). */
uint64_t fh_alloc(struct fakehost *fh, size_t size, size_t align);
void fh_put(struct fakehost *fh, uint64_t addr, const void *src, size_t len);
void fh_put_u64(struct fakehost *fh, uint64_t addr, uint64_t v);
void fh_put_u32(struct fakehost *fh, uint64_t addr, uint32_t v);
void fh_put_u8(struct fakehost *fh, uint64_t addr, uint8_t v);
uint64_t fh_get_u64(struct fakehost *fh, uint64_t addr);

/* Tables */
void fh_add_symbol(struct fakehost *fh, const char *name, uint64_t addr,
		   uint64_t size);
void fh_add_type(struct fakehost *fh, const char *name, uint64_t size);
void fh_add_member(struct fakehost *fh, const char *type, const char *member,
		   uint64_t offset, uint64_t size);
void fh_remove_member(struct fakehost *fh, const char *type,
		      const char *member);
void fh_add_enum(struct fakehost *fh, const char *name, int64_t value);
void fh_add_number(struct fakehost *fh, const char *name, uint64_t value);
uint64_t fh_symbol_addr(struct fakehost *fh, const char *name);
/* A function symbol in "text" (for release/ops symbolization). */
uint64_t fh_add_function(struct fakehost *fh, const char *name);

/*
 * A complete 6.1 x86_64 kernel: layout tables, constants, enumerators,
 * symbols (mem_section root table, pgmap_array, CPUs: nr_cpu_ids CPUs with
 * the possible mask given, per-CPU areas for every id < nr_cpu_ids).
 */
void fh_setup_6_1(struct fakehost *fh, unsigned int nr_cpu_ids,
		  uint64_t possible);

/* Per-CPU data */
uint64_t fh_cpu_offset(const struct fakehost *fh, unsigned int cpu);
/* A __percpu unsigned long, zero on every CPU. */
uint64_t fh_percpu_alloc(struct fakehost *fh);
void fh_percpu_set(struct fakehost *fh, uint64_t pcp, unsigned int cpu,
		   uint64_t v);

/*
 * A percpu_ref (5.10+ layout: percpu_count_ptr, data) at ref.  The state
 * is what the kernel would have written; the builder only stores it.
 */
struct fh_ref {
	uint64_t flags;		/* low bits of percpu_count_ptr */
	bool no_percpu;		/* counters freed: pointer bits 0 */
	bool exited;		/* data == NULL, pcp = 3 | count << 2 */
	int64_t exited_count;
	uint64_t count;		/* data->count as stored */
	uint64_t release, confirm_switch;
	unsigned int ncpu;	/* cpu_val[0..ncpu) written, others 0 */
	uint64_t cpu_val[FH_MAX_CPUS];
};
/* Returns the __percpu pointer (0 when none). */
uint64_t fh_ref_init(struct fakehost *fh, uint64_t ref, const struct fh_ref *r);
/* Percpu mode as after init + gets: count BIAS + 1, counters sum to n - 1. */
void fh_ref_percpu(struct fakehost *fh, uint64_t ref, int64_t n);
/* Atomic (flags 1) or dead after a confirmed switch (flags 3). */
void fh_ref_atomic(struct fakehost *fh, uint64_t ref, uint64_t flags,
		   int64_t n);

/* Sparse memory model */
/*
 * Section nr present with a memmap (the vmemmap base, flags PRESENT |
 * HAS_MEM_MAP), its usage->subsection_map set to subsections.
 */
void fh_section_add(struct fakehost *fh, uint64_t nr, uint64_t subsections);
/* A section entry with explicit section_mem_map bits (not present, ...). */
void fh_section_raw(struct fakehost *fh, uint64_t nr, uint64_t smm,
		    uint64_t usage);
uint64_t fh_page_addr(uint64_t pfn);
/* Make the struct pages of [pfn, pfn + n) readable (zeroed). */
void fh_memmap_map(struct fakehost *fh, uint64_t pfn, uint64_t n);
void fh_page_set(struct fakehost *fh, uint64_t pfn, uint64_t pgmap_word,
		 int32_t refcount);

/* XArray */
/* Node of this shift under parent (0 for the root), at slot offset. */
uint64_t fh_xa_node(struct fakehost *fh, uint64_t xa, unsigned int shift,
		    uint64_t parent, unsigned int offset);
void fh_xa_slot(struct fakehost *fh, uint64_t node, unsigned int slot,
		uint64_t entry);
/* Store entry over [first, last] as xa_store_range() lays it out. */
void fh_xa_store_range(struct fakehost *fh, uint64_t xa, uint64_t first,
		       uint64_t last, uint64_t entry);

/* dev_pagemap */
struct fh_pgmap {
	int32_t type;
	uint32_t flags;
	uint64_t vmemmap_shift;
	unsigned int nr_range;
	uint64_t start[4], end[4];	/* physical, end inclusive */
	uint64_t altmap_base_pfn, altmap_reserve, altmap_free;
	uint64_t ops, owner;
};
/*
 * Allocate and fill a dev_pagemap (empty done.wait list, data for its
 * percpu_ref allocated, ref zeroed), register its ranges in pgmap_array.
 */
uint64_t fh_pgmap_create(struct fakehost *fh, const struct fh_pgmap *p);
/*
 * Give [pfn, pfn + n) present sections (all subsections), a memmap, and
 * struct pages that point at pgmap with the given refcount.
 */
void fh_pages_populate(struct fakehost *fh, uint64_t pgmap, uint64_t pfn,
		       uint64_t n, int32_t refcount);
/* A task in wait_for_completion(&pgmap->done); returns the task. */
uint64_t fh_add_waiter(struct fakehost *fh, uint64_t pgmap, int32_t pid,
		       const char *comm, uint32_t state);

/*
 * Other eras (kernel-model.md §2-§5).  fh_setup_era() lays out a whole
 * x86_64 kernel of that shape: its era tells (symbols, members), struct
 * page, mem_section, dev_pagemap, percpu_ref and registry layouts.
 *
 *   FH_ERA_4_5   4.5: get_zone_device_page, page._count@28, pgmap@32,
 *                mem_section[] array, dev_pagemap {altmap*, res*, ref*, dev}
 *                inside struct page_map, legacy radix (root height, node
 *                path), old percpu_ref; pgmap_radix keyed by section
 *   FH_ERA_4_12  4.12: as 4.5 but _refcount, modern radix (node shift),
 *                no get_zone_device_page
 *   FH_ERA_4_14  4.14: + type (HOST 0, PRIVATE 1, PUBLIC 2), page_map with
 *                a 64-byte pgmap; pgmap_radix multi-order keyed by pfn;
 *                hmm_devmem_radix keyed by section, struct hmm_devmem
 *   FH_ERA_4_19  4.19: dev_pagemap embeds altmap (+altmap_valid) and res,
 *                ref still a pointer; pgmap_radix holds dev_pagemap *;
 *                page.pgmap@8; mem_section pointer; enum PRIVATE 1,
 *                PUBLIC 2, FS_DAX 3
 *   FH_ERA_5_18  6.1's layout, free_zone_device_page, no
 *                zone_device_page_init; enum PRIVATE 1, FS_DAX 2,
 *                GENERIC 3, P2PDMA 4
 *   FH_ERA_6_1   fh_setup_6_1() + free_zone_device_page, dev_pagemap_ops
 *                with page_free
 *   FH_ERA_6_15  6.1 + folio.pgmap (page.pgmap gone), free_zone_device_folio
 *   FH_ERA_6_19  6.15 + dev_pagemap_ops.folio_free, PG_head 6
 * 5.18 and later use fh_pgmap_create()/fh_ref_*(); 4.x use the _old
 * builders below.
 */
enum fh_era {
	FH_ERA_4_5 = 1,
	FH_ERA_4_12,
	FH_ERA_4_14,
	FH_ERA_4_19,
	FH_ERA_5_18,
	FH_ERA_6_1,
	FH_ERA_6_15,
	FH_ERA_6_19,
};
void fh_setup_era(struct fakehost *fh, enum fh_era era,
		  unsigned int nr_cpu_ids, uint64_t possible);
void fh_remove_symbol(struct fakehost *fh, const char *name);
void fh_remove_enum(struct fakehost *fh, const char *name);
/* Replace (or add) an enumerator's value. */
void fh_set_enum(struct fakehost *fh, const char *name, int64_t value);

/* 4.x offsets (x86_64) */
#define FH_OLD_PAGE_MAPCOUNT 24
#define FH_OLD_PAGE_REFCOUNT 28	/* _count (4.5-4.6), _refcount (4.7+) */
#define FH_OLD_PAGE_PGMAP 32	/* union with lru, 4.5-4.17 */
#define FH_OLD_PCR_SIZE 56	/* percpu_ref <= 5.9: count@0 pcp@8 release@16 confirm@24 */
#define FH_RESOURCE_SIZE_4_5 56
#define FH_RESOURCE_SIZE 64	/* 4.6+: + desc */
#define FH_ALTMAP_SIZE_OLD 40	/* base_pfn@0 reserve@8 free@16 align@24 alloc@32 */
/* struct page_map: res@0, ref@56/64, pgmap, altmap (kernel-model.md §2.4) */
#define FH_PAGE_MAP_PGMAP_4_5 64
#define FH_PAGE_MAP_ALTMAP_4_5 96
#define FH_PAGE_MAP_SIZE_4_5 136
#define FH_PAGE_MAP_PGMAP_4_12 72
#define FH_PAGE_MAP_ALTMAP_4_12 104
#define FH_PAGE_MAP_SIZE_4_12 144
#define FH_PAGE_MAP_PGMAP_4_14 72
#define FH_PAGE_MAP_ALTMAP_4_14 136
#define FH_PAGE_MAP_SIZE_4_14 176
/* struct hmm_devmem (4.14): completion@0 pfn_first@32 pfn_last@40
 * resource*@48 device@56 pagemap@64 ops@128 ref@136 */
#define FH_HMM_DEVMEM_PAGEMAP 64
#define FH_HMM_DEVMEM_REF 136
#define FH_HMM_DEVMEM_SIZE 192
/* enum memory_type 4.14-4.17 */
#define FH_MEMORY_DEVICE_HOST_4_14 0
#define FH_MEMORY_DEVICE_PRIVATE_4_14 1
#define FH_MEMORY_DEVICE_PUBLIC_4_14 2
/* enum memory_type 5.9-5.19 */
#define FH_MEMORY_DEVICE_PRIVATE_5_18 1
#define FH_MEMORY_DEVICE_FS_DAX_5_18 2
#define FH_MEMORY_DEVICE_GENERIC_5_18 3
#define FH_MEMORY_DEVICE_PCI_P2PDMA_5_18 4
#define FH_PG_HEAD_6_19 6

/* Radix trees (lib/radix-tree.c) */
#define FH_RADIX_ROOT_HEIGHT 0	/* 4.5-4.6: unsigned int height */
#define FH_RADIX_ROOT_RNODE 8
#define FH_RADIX_ROOT_SIZE 16
#define FH_RADIX_NODE_SIZE 576
#define FH_RADIX_NODE_SLOTS 40
#define FH_RADIX_INTERNAL_NODE 1ULL	/* 4.7+; 4.5 RADIX_TREE_INDIRECT_PTR */
#define FH_RADIX_EXCEPTIONAL 2ULL
#define FH_RADIX_RETRY 1ULL		/* node_to_entry(NULL) */
#define FH_RADIX_MK_EXCEPTIONAL(v) (((uint64_t)(v) << 2) | 2)
/* A sibling: internal pointer to the canonical slot (4.14). */
#define FH_RADIX_SIBLING(node, slot) \
	(((node) + FH_RADIX_NODE_SLOTS + 8ULL * (slot)) | FH_RADIX_INTERNAL_NODE)

/* 4.7+ node: shift@0 offset@1 count@2 parent@8 root@16 slots@40. */
uint64_t fh_radix_node(struct fakehost *fh, uint64_t root, unsigned int shift,
		       uint64_t parent, unsigned int offset);
/* 4.5 node: path@0 count@4 parent@8 slots@40. */
uint64_t fh_radix_node_legacy(struct fakehost *fh, unsigned int path,
			      uint64_t parent);
void fh_radix_slot(struct fakehost *fh, uint64_t node, unsigned int slot,
		   uint64_t entry);
/*
 * __radix_tree_insert(root, index, order, entry) of 4.14: the entry lands
 * in the node whose shift s has s <= order < s + 6, followed by
 * (1 << (order - s)) - 1 siblings; the tree grows upwards (old root in
 * slot 0).  Always through nodes (index 0 order 0 into an empty tree
 * would sit in rnode: tests do that by hand).
 */
void fh_radix_insert(struct fakehost *fh, uint64_t root, uint64_t index,
		     unsigned int order, uint64_t entry);
/*
 * radix_tree_insert() of 4.5: root->height grows, rnode tagged with bit 0
 * when it is a node; interior slots hold node pointers, tagged with bit 0
 * only when tag_interior (4.6 style).
 */
void fh_radix_insert_legacy(struct fakehost *fh, uint64_t root,
			    uint64_t index, uint64_t entry, bool tag_interior);

/* Old (<= 5.9) percpu_ref at ref, as fh_ref_percpu()/fh_ref_atomic(). */
void fh_ref_old_percpu(struct fakehost *fh, uint64_t ref, int64_t n);
void fh_ref_old_atomic(struct fakehost *fh, uint64_t ref, uint64_t flags,
		       int64_t n);

/*
 * A 4.x dev_pagemap the way devm_memremap_pages() of the set-up era
 * leaves it: 4.5-4.14 inside a struct page_map (res, altmap in the
 * page_map), 4.19 a driver's dev_pagemap; ref points at a separate
 * driver-owned percpu_ref (pmem's q_usage_counter) at init (count 1).
 * Registered in pgmap_radix: per section of the section-aligned span
 * (4.5-4.13, legacy insert for 4.5) or by pfn in multi-order chunks
 * (4.14+).  Only nr_range 1 / start[0] / end[0] / type / altmap_* of
 * spec are used.  *ref and *container (page_map or pgmap) may be NULL.
 */
uint64_t fh_pgmap_create_old(struct fakehost *fh, const struct fh_pgmap *p,
			     uint64_t *ref, uint64_t *container);
/*
 * 4.14 hmm_devmem_pages_create(): struct hmm_devmem with its pagemap
 * (type PRIVATE, res -> a struct resource, ref -> devmem->ref), keyed by
 * section in hmm_devmem_radix.  Returns the pagemap's address.
 */
uint64_t fh_hmm_devmem_create(struct fakehost *fh, uint64_t start,
			      uint64_t end, uint64_t *devmem);

#endif /* ZDREF_TESTS_FAKEHOST_H */
