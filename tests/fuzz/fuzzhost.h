/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small fake struct zd_host for the fuzz targets.  tests/unit/fakehost.c
 * needs cmocka (it includes <cmocka.h>, its fixtures call fail_msg() and
 * assert_non_null()) and allocates every region on the heap, which is slow
 * per input; this one has neither: memory is a fixed array of regions whose
 * bytes point into the fuzz input or into buffers the target owns, and
 * nothing here aborts on what an input says.
 *
 * Memory: a read is all or nothing.  It fails with ZD_ERR_EXCLUDED if it
 * touches a region marked excluded, with ZD_ERR_FAULT if any byte of it is
 * in no region (or the range wraps around), as the real hosts do.
 *
 * Tables: symbols, types, members, enumerators and VMCOREINFO lines
 * (tests/common/tables.h, which tests/unit/fakehost.c uses too), with
 * fz_tables_6_1() laying out the 6.1 x86_64 kernel of fh_setup_6_1()
 * from the same shared table.
 *
 * The "kernel" input format (fuzz_sections, and the host fuzz_args audits)
 * is described at struct fz_kernel_header below and in README.md.
 */
#ifndef ZDREF_TESTS_FUZZHOST_H
#define ZDREF_TESTS_FUZZHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zdref/host.h"
#include "../common/tables.h"

#define FZ_MAX_REGIONS 48

struct fz_region {
	uint64_t addr;
	size_t len;
	const uint8_t *bytes;
	bool excluded; /* reads touching it fail with ZD_ERR_EXCLUDED */
};

struct fz_host {
	struct zd_host host;
	struct fz_region regions[FZ_MAX_REGIONS];
	size_t nregions;
	struct zt_tables tab; /* symbols, types, ... (tests/common/tables.h) */
	uint64_t reads; /* read callbacks served */
};

/* An empty host with its callbacks set. */
void fz_init(struct fz_host *h);
/* Map len bytes at addr (not copied: they must outlive the host's use). */
void fz_map(struct fz_host *h, uint64_t addr, const void *bytes, size_t len,
	    bool excluded);

/*
 * Map len bytes at addr in eight parts of (len + 7) / 8 bytes, part i
 * excluded (ZD_ERR_EXCLUDED) when bit i of excluded is set.
 */
void fz_map_parts(struct fz_host *h, uint64_t addr, const void *bytes,
		  size_t len, uint8_t excluded);

/* Tables.  Names are not copied: string literals. */
void fz_add_symbol(struct fz_host *h, const char *name, uint64_t addr,
		   uint64_t size);
void fz_remove_symbol(struct fz_host *h, const char *name);
void fz_add_type(struct fz_host *h, const char *name, uint64_t size);
void fz_add_member(struct fz_host *h, const char *type, const char *member,
		   uint64_t offset, uint64_t size);
void fz_remove_member(struct fz_host *h, const char *type,
		      const char *member);
void fz_set_enum(struct fz_host *h, const char *name, int64_t value);
void fz_remove_enum(struct fz_host *h, const char *name);
void fz_set_number(struct fz_host *h, const char *name, const char *value);
void fz_set_number_u(struct fz_host *h, const char *name, uint64_t value);

/* Where fz_tables_6_1() and the kernel builder put things. */
#define FZ_TEXT_BASE 0xffffffff81000000ULL /* function symbols */
#define FZ_DATA_BASE 0xffffffff82000000ULL /* .data symbols */
#define FZ_HEAP_BASE 0xffff888100000000ULL /* objects */
#define FZ_PCPU_BASE 0xffff88807fc00000ULL /* per-CPU areas */
#define FZ_VMEMMAP_BASE 0xffffea0000000000ULL

/*
 * The 6.1 x86_64 layout of fh_setup_6_1() (tests/unit/fakehost.c), plus
 * the holder chain and the wait-bit types of tests/unit/test_busy.c, the
 * enum memory_type of 6.0+, VMCOREINFO PAGESIZE, SECTION_SIZE_BITS 27,
 * MAX_PHYSMEM_BITS 46, and the function symbols of a 6.1 kernel
 * (zone_device_page_init, free_zone_device_page, ...).  No memory and no
 * data symbols: the caller maps those.
 */
void fz_tables_6_1(struct fz_host *h);

/*
 * The kernel log's types (lib/printk.c), the layouts of
 * tests/unit/test_printk.c written down again: the lockless ring of
 * 5.10+ as 6.1 x86_64 has it, without caller_id (no
 * CONFIG_PRINTK_CALLER) or without facility and level when asked; the
 * record log's struct printk_log (struct log before 3.11) of 4.x/5.x:
 * ts_nsec@0 len@8 text_len@10 dict_len@12 facility@14 flags:5,level:3@15,
 * caller_id@16 (5.1+, CONFIG_PRINTK_CALLER), 16 or 20 bytes.
 */
enum fz_printk_flags {
	FZ_PK_NO_CALLER = 1 << 0, /* no caller_id member */
	FZ_PK_NO_LEVEL = 1 << 1, /* no level member (record: from facility) */
	FZ_PK_NO_FACILITY = 1 << 2, /* no facility member */
	FZ_PK_OLD_NAME = 1 << 3, /* record: struct log, not printk_log */
};
void fz_tables_printk_lockless(struct fz_host *h, unsigned int flags);
/* The struct's name and size are returned. */
const char *fz_tables_printk_record(struct fz_host *h, unsigned int flags,
				    uint64_t *size);

#define FZ_RB_SIZE 88
#define FZ_RB_DESC_RING 0
#define FZ_RB_TEXT_RING 48
#define FZ_DR_COUNT_BITS 0
#define FZ_DR_DESCS 8
#define FZ_DR_INFOS 16
#define FZ_DR_HEAD_ID 24
#define FZ_DR_TAIL_ID 32
#define FZ_TR_SIZE_BITS 0
#define FZ_TR_DATA 8
#define FZ_TR_HEAD 16
#define FZ_TR_TAIL 24
#define FZ_DESC_SIZE 24
#define FZ_DESC_SV 0
#define FZ_DESC_BEGIN 8
#define FZ_DESC_NEXT 16
#define FZ_INFO_SIZE 88
#define FZ_INFO_SEQ 0
#define FZ_INFO_TS 8
#define FZ_INFO_TEXT_LEN 16
#define FZ_INFO_FACILITY 18
#define FZ_INFO_FLAGS_LEVEL 19
#define FZ_INFO_CALLER 20
#define FZ_LOG_TS 0
#define FZ_LOG_LEN 8
#define FZ_LOG_TEXT_LEN 10
#define FZ_LOG_DICT_LEN 12
#define FZ_LOG_FACILITY 14
#define FZ_LOG_FLAGS_LEVEL 15
#define FZ_LOG_CALLER 16

/* 6.1 offsets (x86_64) used when building objects by hand. */
#define FZ_PAGE_SIZE 64
#define FZ_PAGE_FLAGS 0
#define FZ_PAGE_PGMAP 8
#define FZ_PAGE_ZDD 16
#define FZ_PAGE_MAPPING 24
#define FZ_PAGE_INDEX 32
#define FZ_PAGE_MAPCOUNT 48
#define FZ_PAGE_REFCOUNT 52
#define FZ_MS_SIZE 16
#define FZ_PGMAP_SIZE 152
#define FZ_PGMAP_REF 48
#define FZ_PGMAP_DONE 64
#define FZ_PGMAP_DONE_LIST (FZ_PGMAP_DONE + 8 + 8)
#define FZ_PGMAP_TYPE 96
#define FZ_PGMAP_FLAGS 100
#define FZ_PGMAP_VMEMMAP_SHIFT 104
#define FZ_PGMAP_OPS 112
#define FZ_PGMAP_OWNER 120
#define FZ_PGMAP_NR_RANGE 128
#define FZ_PGMAP_RANGES 136
#define FZ_PCR_DATA_SIZE 56
#define FZ_XA_HEAD 8
#define FZ_XA_NODE_SIZE 576
#define FZ_XA_NODE_SLOTS 40
#define FZ_RADIX_ROOT_HEIGHT 0 /* 4.5-4.6 */
#define FZ_RADIX_ROOT_RNODE 8
#define FZ_RADIX_NODE_SIZE 576
#define FZ_RADIX_NODE_SLOTS 40
#define FZ_TASK_STATE ZT_TASK_STATE
#define FZ_TASK_PID ZT_TASK_PID
#define FZ_TASK_COMM ZT_TASK_COMM
#define FZ_TASK_SIZE ZT_TASK_SIZE
#define FZ_AS_HOST 0
#define FZ_INODE_SB 0x28
#define FZ_INODE_MAPPING 0x30
#define FZ_INODE_INO 0x40
#define FZ_SB_ID 0x60
#define FZ_WQH_SIZE 24
#define FZ_WQH_HEAD 8
/* wait_bit_queue_entry: key {flags@0, bit_nr@8}, wq_entry@24 {private@8, entry@24} */
#define FZ_WBQ_VAR 0
#define FZ_WBQ_BIT_NR 8
#define FZ_WBQ_TASK (24 + 8)
#define FZ_WBQ_LIST (24 + 24)
#define FZ_WBQ_SIZE 64

/*
 * The "kernel" input: a header, then fixed-size slices that become kernel
 * memory at fixed addresses, then the memmap (the rest).  A slice the
 * input is too short for is mapped only as far as the input goes.
 *
 *   slice      size  address                      holds
 *   pgmap       256  FZ_KPGMAP                    struct dev_pagemap + ranges[]
 *   refdata      64  FZ_KREFDATA                  struct percpu_ref_data
 *   percpu      128  FZ_PCPU_BASE                 16 bytes per CPU; CPU c's
 *                                                 offset is FZ_PCPU_BASE +
 *                                                 16 c - FZ_KPCP (pointer
 *                                                 FZ_KPCP reads CPU c's word)
 *   roots        64  FZ_KROOTS                    mem_section root pointers
 *                                                 0..7 (the rest of the
 *                                                 2048 roots read as 0)
 *   sections    512  FZ_KSECTIONS                 32 struct mem_section (the
 *                                                 rest of the 4 KiB page 0)
 *   usage       256  FZ_KUSAGE                    mem_section_usage
 *   bwt          96  FZ_KBWT                      bit_wait_table[4]
 *   tasks       512  FZ_KTASKS                    two task_structs
 *   stack       256  FZ_KSTACK                    wait entries
 *   objects     512  FZ_KOBJECTS                  address_space, inode,
 *                                                 super_block
 *   memmap     rest  FZ_VMEMMAP_BASE + 64 * hdr.memmap_pfn, in eight
 *                    parts; part i excluded when hdr.excluded bit i
 *
 * pgmap_array is a one-entry XArray whose head is FZ_KPGMAP.
 */
#define FZ_KPGMAP (FZ_HEAP_BASE + 0x0)
#define FZ_KREFDATA (FZ_HEAP_BASE + 0x1000)
#define FZ_KROOTS (FZ_DATA_BASE + 0x100000)
#define FZ_KSECTIONS (FZ_HEAP_BASE + 0x10000)
#define FZ_KUSAGE (FZ_HEAP_BASE + 0x20000)
#define FZ_KBWT (FZ_DATA_BASE + 0x200000)
#define FZ_KTASKS (FZ_HEAP_BASE + 0x30000)
#define FZ_KSTACK (FZ_HEAP_BASE + 0x40000)
#define FZ_KOBJECTS (FZ_HEAP_BASE + 0x50000)
#define FZ_KPCP 0x1000ULL /* the __percpu pointer of the ref's counters */

#define FZ_NR_ROOTS 2048 /* 2^(46 - 27) sections / 256 per root */
#define FZ_MAX_CPUS 8

enum fz_era {
	FZ_ERA_6_1,
	FZ_ERA_6_15,
	FZ_ERA_6_19,
	FZ_ERA_5_18,
	FZ_NERAS,
};

enum fz_kflags {
	FZ_K_LIVE = 1 << 0, /* mem.live: /proc/kcore rules */
	FZ_K_ALL = 1 << 1, /* -a: list busy pages too */
	FZ_K_ONE = 1 << 2, /* -p FZ_KPGMAP */
	FZ_K_LOOKUP = 1 << 3, /* -P hdr.lookup_pfn as well */
	FZ_K_NO_USAGE = 1 << 4, /* no mem_section.usage (before 5.3) */
	FZ_K_DETAIL = 1 << 5, /* text output in detail (-p) */
	FZ_K_NO_WAITERS = 1 << 6, /* no bit_wait_table symbol */
};

struct fz_kernel_header {
	uint8_t era; /* enum fz_era, modulo FZ_NERAS */
	uint8_t flags; /* enum fz_kflags */
	uint8_t section_size_bits; /* VMCOREINFO line; 0: absent (27) */
	uint8_t max_physmem_bits; /* 0: absent (46) */
	uint8_t page_shift; /* PAGESIZE 1 << it; 0: absent (4096) */
	uint8_t nr_cpu_ids; /* 1..FZ_MAX_CPUS (others taken modulo) */
	uint8_t possible; /* __cpu_possible_mask */
	uint8_t excluded; /* memmap parts excluded */
	uint16_t max_listed; /* zd_audit_options.max_listed */
	uint8_t pg_head; /* NUMBER(PG_head_mask) 1 << (it - 1); 0: absent */
	uint8_t pad[5];
	uint64_t lookup_pfn; /* -P */
	uint64_t memmap_pfn; /* first pfn of the memmap slice */
};

struct fz_kernel {
	struct fz_host h;
	struct fz_kernel_header hdr;
	/* memory the builder owns: the slices are copied in */
	uint64_t mem_section_ptr;
	uint64_t roots[FZ_NR_ROOTS];
	uint8_t sections[4096];
	uint8_t pgmap_array[16];
	uint8_t cpu_mask[8];
	uint32_t nr_cpu_ids;
	uint64_t cpu_offsets[FZ_MAX_CPUS];
};

/*
 * Lay out a kernel from a "kernel" input.  False if the input is shorter
 * than the header.  k must stay where it is while the host is in use.
 */
bool fz_kernel_build(struct fz_kernel *k, const uint8_t *data, size_t len);

/*
 * Write a well-formed "kernel" input: the example kernels the seeds start
 * from.  variant picks one (0 .. FZ_KERNEL_EXAMPLES - 1); returns the
 * bytes written (0 if cap is too small).
 */
#define FZ_KERNEL_EXAMPLES 8
size_t fz_kernel_example(unsigned int variant, uint8_t *out, size_t cap);

/*
 * The "names image" of fuzz_names, mapped at FZ_KNAMES over an example
 * kernel: the roots at fixed offsets, everything else free-form, every
 * pointer FZ_KNAMES + an offset (or anything else, which then faults).
 *
 *   0x000  struct resource iomem_resource
 *   0x040  struct kset *devices_kset
 *   0x048  struct list_head modules
 *   0x100  the rq of CPU c at 0x100 + FZ_N_RQ_STRIDE c (rq.clock at 0):
 *          runqueues is the per-CPU offset that puts it there
 *   0x200  free-form: resources and names, the kset, devices, drivers,
 *          devres nodes, modules, their symbol and string tables
 *
 * Layouts (ours, as tests/unit/test_names.c has them; the 6.1 struct
 * module of dax-warn-printk.md with core_layout and mod_kallsyms):
 */
#define FZ_KNAMES (FZ_HEAP_BASE + 0x100000)
#define FZ_N_MAX 32768
#define FZ_N_IOMEM 0x000
#define FZ_N_KSET_PTR 0x040
#define FZ_N_MODULES 0x048
#define FZ_N_RQ 0x100
#define FZ_N_RQ_STRIDE 16
#define FZ_N_FREE 0x200
#define FZ_RES_START 0
#define FZ_RES_END 8
#define FZ_RES_NAME 16
#define FZ_RES_PARENT 40
#define FZ_RES_SIBLING 48
#define FZ_RES_CHILD 56
#define FZ_RES_SIZE 64
#define FZ_KSET_LIST 0x20
#define FZ_KOBJ_NAME 0
#define FZ_KOBJ_ENTRY 8
#define FZ_DEV_KOBJ 0
#define FZ_DEV_DRIVER 0x48
#define FZ_DEV_DEVRES 0x60
#define FZ_DEV_SIZE 0x100
#define FZ_DRV_NAME 0
#define FZ_NODE_ENTRY 0
#define FZ_NODE_RELEASE 16
#define FZ_DEVRES_DATA 0x40
#define FZ_MOD_STATE 0
#define FZ_MOD_LIST 0x8
#define FZ_MOD_NAME 0x18
#define FZ_MOD_NAME_LEN 56
#define FZ_MOD_CORE_LAYOUT 0x140
#define FZ_MOD_INIT_LAYOUT 0x190
#define FZ_MOD_KALLSYMS 0x220
#define FZ_MOD_SIZE 0x280
#define FZ_LAYOUT_SIZE 0x50
#define FZ_KS_SYMTAB 0
#define FZ_KS_NUM 8
#define FZ_KS_STRTAB 16
/* task_struct.sched_info.last_arrival: ours, inside FZ_TASK_SIZE */
#define FZ_TASK_SCHED_INFO 0x40
#define FZ_SCHED_LAST_ARRIVAL 16
/* the functions a devm_memremap_pages() devres node names */
#define FZ_FN_DEVM_ACTION_RELEASE (FZ_TEXT_BASE + 0x7000)
#define FZ_FN_DEVM_MEMREMAP_RELEASE (FZ_TEXT_BASE + 0x7100)

/*
 * The types and symbols of the names image: iomem (struct resource),
 * devres (kset, kobject, device, device_driver, devres_node, devres,
 * action_devres), the modules list (struct module, module_layout,
 * mod_kallsyms, MODULE_STATE_UNFORMED), the rq clock (runqueues, rq.clock,
 * task_struct.sched_info, sched_info.last_arrival).  cpu0_offset: the
 * kernel's __per_cpu_offset[0] (runqueues is placed from it).
 */
void fz_tables_names(struct fz_host *h, uint64_t cpu0_offset);

/* Byte helpers (little-endian, unaligned). */
static inline uint64_t fz_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline uint32_t fz_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void fz_put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void fz_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif /* ZDREF_TESTS_FUZZHOST_H */
