/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Private to lib/: the layout of one kernel, resolved once through the host
 * by zd_target_open(), and the interfaces between the core's files.
 */
#ifndef ZDREF_INTERNAL_H
#define ZDREF_INTERNAL_H

#include "zdref/zdref.h"

#define ZD_NO_MEMBER UINT64_MAX
#define ZD_MAX_CPUS 8192
#define ZD_MAX_RANGES 64
/*
 * The type of a pgmap of an era without the type field (4.5-4.13), or of
 * device-dax before 5.3, which left it unset: host memory, like
 * MEMORY_DEVICE_HOST of 4.14-4.17.
 */
#define ZD_TYPE_HOST ((int64_t)1 << 32) /* no int32 type field holds it */

/*
 * What names a pgmap (lib/names.c, resolved by resolve_names() in
 * lib/target.c).  Every part is a bonus: absent members leave its have_*
 * false and the names it would give say why.
 */
#define ZD_MOD_REGIONS 8 /* MOD_MEM_NUM_TYPES is 7 (6.4+) */
struct zd_names_layout {
	/* iomem_resource and struct resource */
	bool have_iomem;
	uint64_t iomem_resource, res_size;
	uint64_t res_start, res_end, res_name, res_sibling, res_child;

	/*
	 * The modules list of struct module: list, name[MODULE_NAME_LEN],
	 * state, where its memory is (mem[] 6.4+, core/init_layout 4.5-6.3,
	 * module_core/module_init before), and its kallsyms: a pointer to
	 * struct mod_kallsyms (4.5+) or symtab/num_symtab/strtab in struct
	 * module itself (before).
	 */
	bool have_modules;
	uint64_t modules, mod_list, mod_name, mod_name_len, mod_state;
	int64_t mod_unformed; /* MODULE_STATE_UNFORMED, INT64_MIN if unknown */
	unsigned int mod_nregions;
	uint64_t mod_region_base[ZD_MOD_REGIONS];
	uint64_t mod_region_size[ZD_MOD_REGIONS], mod_region_size_len;
	uint64_t mod_kallsyms; /* ZD_NO_MEMBER before 4.5 */
	uint64_t ks_symtab, ks_num_symtab, ks_strtab; /* in mod_kallsyms,
						      * or in module < 4.5 */

	/* struct gendisk: disk_name[DISK_NAME_LEN], private_data */
	bool have_gendisk;
	uint64_t gd_disk_name, gd_disk_name_len, gd_private_data;
};

/*
 * Module BTF (CONFIG_DEBUG_INFO_BTF_MODULES, 5.11+): btf_modules of
 * struct btf_module {list, module, btf}, struct btf {data, data_size,
 * base_btf, start_str_off, base_id_map (6.11+)}.  Resolved by lib/names.c
 * on first use only: both structs live in kernel/bpf/btf.c, which a DWARF
 * host reaches by scanning most of the vmlinux.
 */
struct zd_mod_btf_layout {
	uint64_t btf_modules, btfm_list, btfm_module, btfm_btf;
	uint64_t btf_data, btf_data_size, btf_base, btf_start_str_off;
	uint64_t btf_base_id_map; /* ZD_NO_MEMBER before 6.11 */
};
/* lib/target.c: false when this kernel's types have no module BTF. */
bool zd_resolve_mod_btf(const struct zd_host *h, struct zd_mod_btf_layout *b);

/*
 * devres (lib/devres.c): devices_kset's devices, each device's devres
 * list, the action_devres of devm_add_action() nodes, and the two
 * functions that identify a devm_memremap_pages() node.
 */
struct zd_devres_layout {
	bool have_devres;
	uint64_t devices_kset; /* address of the struct kset * variable */
	uint64_t kset_list, kobj_entry, kobj_name;
	uint64_t dev_kobj, dev_devres_head, dev_driver, drv_name;
	uint64_t node_entry, node_release, devres_data;
	uint64_t action_data, action_fn; /* 0 or 8 in the 16 bytes read */
	uint64_t action_release, memremap_release; /* function addresses */
};

struct zd_layout {
	uint64_t page_shift;

	/* struct page */
	uint64_t page_size;
	uint64_t page_flags, page_refcount, page_mapcount, page_pgmap;
	/* optional (ZD_NO_MEMBER): who holds a page, and how often pinned */
	uint64_t page_mapping, page_index, page_zone_device_data;
	uint64_t pincount; /* from the head: folio._pincount (6.1+) or
			    * page[1].compound_pincount (5.8-6.0) */
	/* page->mapping -> address_space.host -> inode -> super_block.s_id */
	uint64_t as_host, inode_ino, inode_sb, inode_mapping, sb_id;
	bool have_holders;

	/* sections */
	uint64_t mem_section; /* address of the root table */
	uint64_t section_size_bits, nr_section_roots, sections_per_root;
	uint64_t max_physmem_bits; /* physical addresses stay below 1 << it */
	uint64_t ms_size, ms_mem_map,
		ms_usage; /* ms_usage: ZD_NO_MEMBER < 5.3 */
	uint64_t usage_subsection_map;

	/* struct dev_pagemap: members absent in an era are ZD_NO_MEMBER */
	uint64_t pgmap_size, pgmap_ref, pgmap_type, pgmap_flags;
	uint64_t pgmap_vmemmap_shift, pgmap_ops, pgmap_owner;
	uint64_t pgmap_done, pgmap_altmap, pgmap_altmap_valid;
	bool ref_is_pointer; /* driver-owned ref, before 5.15 */
	bool altmap_is_pointer; /* struct vmem_altmap *, before 4.16 */
	/* ranges: nr_range + ranges[] (5.10+) or one struct resource res */
	uint64_t pgmap_nr_range, pgmap_ranges;
	bool res_is_pointer; /* const struct resource *, before 4.16 */
	uint64_t range_start, range_end, range_size;
	uint64_t altmap_base_pfn, altmap_reserve, altmap_free;

	/* struct percpu_ref (+ percpu_ref_data from 5.10) */
	uint64_t pcr_count_ptr, pcr_data; /* pcr_data: ZD_NO_MEMBER < 5.10 */
	uint64_t pcr_count, pcr_release, pcr_confirm; /* in data or ref */
	uint64_t pcr_data_ref; /* percpu_ref_data.ref: points back, 5.10+ */

	/* waiters on pgmap->done: completion.wait.task_list of swait_queue */
	uint64_t done_task_list; /* offset inside struct completion */
	uint64_t swq_task, swq_list, task_pid, task_comm, task_state;
	bool have_waiters, have_task;
	/* task_struct.sched_info.last_arrival: ZD_NO_MEMBER without
	 * CONFIG_SCHED_INFO; runqueues (per-CPU) + rq.clock: the dump's now */
	uint64_t task_last_arrival, runqueues, rq_clock;
	bool have_rq_clock;

	/*
	 * wait_var_event() waiters (DAX layout breaks, 4.18+): the hashed
	 * bit_wait_table[] of wait_queue_heads, each queueing
	 * wait_bit_queue_entry { key { flags = &var, bit_nr = -1 }, wq_entry }.
	 */
	uint64_t bwt_addr, bwt_count, wqh_size, wqh_head;
	uint64_t wbq_var, wbq_bit_nr, wbq_task, wbq_list;
	bool have_varwait;

	/*
	 * Registries: the XArray pgmap_array (4.20+), the radix tree
	 * pgmap_radix (4.5-4.19) and HMM's hmm_devmem_radix (4.14-4.20).
	 * Addresses are 0 when the kernel has none.
	 */
	uint64_t pgmap_array, pgmap_radix, hmm_devmem_radix;
	uint64_t xa_head, xa_node_shift, xa_node_slots, xa_node_size;
	bool hmm_is_xarray; /* 4.20: radix_tree_root is struct xarray */
	uint64_t radix_rnode, radix_height; /* radix_height: <= 4.6 */
	uint64_t radix_node_shift, radix_node_path, radix_node_slots;
	uint64_t radix_node_size;
	/* radix values: struct page_map * (<= 4.15), struct hmm_devmem * */
	uint64_t page_map_pgmap, hmm_devmem_pagemap;

	/* enum memory_type values (INT64_MIN when absent) */
	int64_t type_private, type_coherent, type_fs_dax, type_generic;
	int64_t type_p2pdma, type_public, type_host;
	bool generic_is_devdax; /* 5.3-5.8 spelled it MEMORY_DEVICE_DEVDAX */
	int64_t pg_head; /* PG_head bit, -1 if unknown */

	/* possible CPUs */
	unsigned int ncpus;
	uint64_t cpu_offset[ZD_MAX_CPUS];

	/* Names users know (lib/names.c); each part optional. */
	struct zd_names_layout nm;
	struct zd_devres_layout dr;
};

/* lib/constants.c: what VMCOREINFO says, defaults for old kernels. */
struct zd_constants {
	uint64_t page_shift, section_size_bits, max_physmem_bits;
	uint64_t pg_head_mask; /* 0 when absent */
	uint64_t kernel_offset; /* KASLR, 0 when absent */
};
struct zd_error *zd_constants_read(const struct zd_memory *m,
				   struct zd_constants *c);

/*
 * Era tells: the members and symbols that tell kernels apart, in one
 * table (lib/tells.c), resolved once per target.  A new kernel is one row
 * here, one in the era table of lib/model.c, and its page rule.
 */
enum zd_tell {
	ZD_TELL_FOLIO_FREE, /* dev_pagemap_ops.folio_free: 6.19 */
	ZD_TELL_FOLIO_PGMAP, /* folio.pgmap: 6.15 */
	ZD_TELL_ZONE_DEVICE_PAGE_INIT, /* zone_device_page_init(): 6.1 */
	ZD_TELL_FREE_ZONE_DEVICE_PAGE, /* free_zone_device_page(): 5.18 */
	ZD_TELL_GET_ZONE_DEVICE_PAGE, /* get_zone_device_page(): 4.5-4.11 */
	ZD_TELL_SECTION_ONLINE, /* online_mem_sections(): SECTION_IS_ONLINE, 4.13 */
	ZD_TELL_COUNT,
};

struct zd_target {
	struct zd_host host;
	struct zd_constants consts;
	struct zd_layout lay;
	bool tells[ZD_TELL_COUNT];
	const struct zd_era *era;
	struct zd_names *names; /* lib/names.c: what it read once, or NULL */
};

/* lib/tells.c */
void zd_tells_resolve(struct zd_target *t);
const char *zd_tell_name(enum zd_tell tell);

/* Little helpers over the host. */
struct zd_error *zd_read(const struct zd_target *t, uint64_t addr, void *buf,
			 size_t len, const char *what);
struct zd_error *zd_read_u64(const struct zd_target *t, uint64_t addr,
			     uint64_t *val, const char *what);
/* A read whose error only means "not there": the caller says why. */
bool zd_try_read_u64(const struct zd_target *t, uint64_t addr, uint64_t *val);
static inline uint64_t zd_get_u64(const void *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}
static inline uint32_t zd_get_u32(const void *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* lib/model.c */
struct zd_era;
const struct zd_era *zd_era_detect(const struct zd_target *t);
const char *zd_era_name(const struct zd_era *era);
/* Before the walk: the page rule of this pgmap (needs desc and its ref). */
void zd_model_rule(const struct zd_target *t, struct zd_pgmap *pgmap);
/* After the walk: expected count, delta, verdict. */
void zd_model_judge(const struct zd_target *t, struct zd_pgmap *pgmap);

/* lib/pageclass.c: a decoded page judged by its pgmap's rule, no era. */
enum zd_page_class {
	ZD_CLASS_IDLE,
	ZD_CLASS_BUSY,
	ZD_CLASS_SUSPECT,
	ZD_CLASS_SKIP, /* holds no references: poisoned, memmap, tail */
};
enum zd_page_class zd_page_classify(const struct zd_page_rule *rule, bool dead,
				    struct zd_page *p);

/* lib/holder.c: name the holder of a busy page (small cache inside). */
struct zd_holders;
struct zd_holders *zd_holders_new(void);
void zd_holders_free(struct zd_holders *h);
/* Fills p->holder; false when page->mapping is no file's address_space. */
bool zd_holder_resolve(const struct zd_target *t, struct zd_holders *h,
		       const struct zd_pgmap *pgmap, struct zd_page *p);

/* lib/percpu_ref.c */
struct zd_error *zd_percpu_ref_read(const struct zd_target *t, uint64_t addr,
				    struct zd_ref_state *st);
/* The pure decoding step, for unit tests and the reader above. */
void zd_percpu_ref_decode(struct zd_ref_state *st, bool have_data);

/* lib/xarray.c: visit every distinct entry with the index range it covers. */
typedef struct zd_error *(*zd_xa_visit_fn)(void *arg, uint64_t entry,
					   uint64_t first, uint64_t last);
struct zd_error *zd_xa_walk(const struct zd_target *t, uint64_t xarray,
			    zd_xa_visit_fn fn, void *arg);

/* lib/radix.c: the same for a radix tree (pgmap_radix, hmm_devmem_radix). */
struct zd_error *zd_radix_walk(const struct zd_target *t, uint64_t root,
			       zd_xa_visit_fn fn, void *arg);

/* lib/pagewalk.c */
struct zd_error *zd_pagewalk_pgmap(const struct zd_target *t,
				   struct zd_pgmap *pgmap, size_t max_listed,
				   bool all_pages);

/*
 * Decode one struct page of pgmap and judge it by the pgmap's rule.  next
 * is the struct page after it when at hand (the pin count of a large
 * folio lives there), else NULL; holders may be NULL (no holder named).
 */
enum zd_page_class zd_page_judge(const struct zd_target *t,
				 const struct zd_pgmap *pgmap,
				 struct zd_holders *holders, uint64_t pfn,
				 uint64_t page_addr, const uint8_t *sp,
				 const uint8_t *next, struct zd_page *p);
/* Read the struct page of one pfn (buf: sizeof(struct page)). */
struct zd_error *zd_page_read(const struct zd_target *t, uint64_t pfn,
			      uint64_t *page_addr, void *buf);

/* lib/pgmap.c */
/* Decode a pgmap; its percpu_ref too when with_ref (else only ref.addr). */
struct zd_error *zd_pgmap_decode(const struct zd_target *t, uint64_t addr,
				 struct zd_pgmap *pgmap, bool with_ref);
/* Read the percpu_ref at pgmap->ref.addr; failures go to pgmap->ref_error. */
void zd_pgmap_read_ref(const struct zd_target *t, struct zd_pgmap *pgmap);
struct zd_registered {
	uint64_t pgmap;
	uint64_t covered; /* keys the registry maps to it */
	bool section_keyed; /* keys are section numbers, not pfns */
	bool hmm; /* from hmm_devmem_radix (4.14-4.20) */
};
struct zd_error *zd_pgmap_enumerate(const struct zd_target *t,
				    struct zd_registered **out, size_t *n);
void zd_pgmap_release(struct zd_pgmap *pgmap);

/* lib/memmap_scan.c: pgmaps the memmap names and the registry lacks. */
struct zd_error *zd_memmap_check_registry(const struct zd_target *t,
					  const struct zd_registered *regs,
					  size_t n);

/* lib/triage.c: the report's triage entries, once the pgmaps are judged. */
void zd_triage_build(struct zd_target *t, struct zd_report *rep);

/* lib/audit.c: the registries this kernel has, for messages. */
const char *zd_registry_name(const struct zd_target *t);

/* lib/waiters.c */
/* Tasks on pgmap->done (5.3+). */
/*
 * The newest rq->clock of all possible CPUs, in sched_clock ns.  A clock
 * above ZD_PLAUSIBLE_CLOCK (about 146 years of uptime) is garbage and
 * ignored.  ZD_ERR_NOTFOUND when the types have no rq clock.
 */
#define ZD_PLAUSIBLE_CLOCK (1ULL << 62)
struct zd_error *zd_sched_clock_read(const struct zd_target *t, uint64_t *now);
struct zd_error *zd_waiters_read(const struct zd_target *t,
				 struct zd_pgmap *pgmap);
/* Every wait_var_event() waiter of the kernel, read once per audit. */
struct zd_varwait {
	uint64_t var, task;
};
struct zd_error *zd_varwaits_read(const struct zd_target *t,
				  struct zd_varwait **out, size_t *n);
/* The waiters among them whose variable is a page of this pgmap. */
struct zd_error *zd_varwaits_match(const struct zd_target *t,
				   const struct zd_varwait *vw, size_t n,
				   struct zd_pgmap *pgmap);

/*
 * lib/names.c: the names users know for a pgmap (its iomem resource,
 * driver, module-qualified symbols, disk) into pgmap->desc.names, after
 * decode.  Never fails: what cannot be named says why.  The cache holds
 * the module list of a dump (re-read every time on a live kernel).
 */
/*
 * lib/devres.c: the device (dev_name()) and driver whose devres holds the
 * pgmap's devm_memremap_pages() node, into names.devres/devres_driver;
 * the walk over every device is done once per cache (afresh when live).
 */
struct zd_devres;
struct zd_devres *zd_devres_new(void);
void zd_devres_free(struct zd_devres *d);
void zd_devres_name(const struct zd_target *t, struct zd_devres *cache,
		    struct zd_pgmap *pg);
/*
 * A NUL-terminated string of the kernel (at most max bytes looked at;
 * what fits goes to buf, truncated).  lib/names.c.
 */
struct zd_error *zd_read_cstring(const struct zd_target *t, uint64_t addr,
				 size_t max, char *buf, size_t len);
/* lib/names.c: the top-level "System RAM" ranges of iomem, -1: unknown */
long zd_iomem_ram(const struct zd_target *t, uint64_t (*ranges)[2],
		  size_t max);
struct zd_names *zd_names_new(void);
void zd_names_free(struct zd_names *names);
void zd_names_resolve(const struct zd_target *t, struct zd_pgmap *pgmap);

/*
 * lib/examine.c: the stages of one pgmap, in order, for the audit and -P:
 * decode (desc) -> rule -> page walk (stats) -> waiters -> judge.
 */
struct zd_examine {
	bool walk; /* walk the pages and judge (audit); else up to the rule */
	size_t max_listed;
	bool all_pages;
	const struct zd_varwait *varwaits;
	size_t nvarwaits;
};
/* false when the dev_pagemap itself could not be decoded */
bool zd_pgmap_examine(const struct zd_target *t,
		      const struct zd_registered *reg,
		      const struct zd_examine *how, struct zd_pgmap *pgmap);

#endif /* ZDREF_INTERNAL_H */
