// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Names users know for a pgmap (lib/names.c): the iomem resource covering
 * it, the module and symbol of its ops and release from the modules' own
 * kallsyms, nd_pmem's disk through module BTF, and what is said when a
 * name cannot be given.
 *
 * Each test lays the kernel objects out as the kernel leaves them:
 * struct resource trees as kernel/resource.c builds them (children inside
 * their parent, siblings in address order), the modules list of struct
 * module with struct mod_kallsyms and Elf64_Sym tables as
 * kernel/module/kallsyms.c keeps them after init (6.1 core_layout and 6.4+
 * mem[] both), and a split BTF over a base as kernel/bpf/btf.c holds it.
 * Offsets of our own structs need not be the kernel's; those of 6.1 are
 * used where the reference recorded them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "internal.h"
#include "fakehost.h"

#define SEC FH_PAGES_PER_SECTION
#define N 512 /* pages of each pgmap: one 2 MiB subsection */

/* struct resource (include/linux/ioport.h, 4.6+), x86_64 */
#define RES_START 0
#define RES_END 8
#define RES_NAME 16
#define RES_PARENT 40
#define RES_SIBLING 48
#define RES_CHILD 56
#define RES_SIZE 64

/* Our own "kernel data" symbols, away from the fake host's. */
#define IOMEM_ROOT 0xffffffff83000000ULL
#define MODULES_HEAD 0xffffffff83001000ULL
#define BTF_MODULES_HEAD 0xffffffff83002000ULL
#define UNMAPPED 0xffff888000000000ULL

/* struct module of 6.1 (dax-warn-printk.md §4.1: list, name, core_layout,
 * kallsyms as observed on Debian's 6.1) */
#define MOD_STATE 0
#define MOD_LIST 0x8
#define MOD_NAME 0x18
#define MOD_NAME_LEN 56
#define MOD_CORE_LAYOUT 0x140
#define MOD_INIT_LAYOUT 0x190
#define MOD_MEM 0x60 /* 6.4+: mem[7] of struct module_memory (ours) */
#define MOD_MEMORY_SIZE 0x38
#define MOD_KALLSYMS 0x220
#define MOD_CORE_KALLSYMS 0x228
#define MOD_SIZE 0x280
#define LAYOUT_SIZE 0x50 /* module_layout: base, size, ..., mtn */
#define KS_SYMTAB 0
#define KS_NUM 8
#define KS_STRTAB 16
#define MODULE_STATE_UNFORMED 3

#define ELF_SYM 24 /* Elf64_Sym */

/* Module memory: core at MOD_BASE, its (empty) init region after it. */
#define MOD_BASE 0xffffffffc0494000ULL
#define MOD_CORE_SIZE 0x6000
#define FSDAX_OPS (MOD_BASE + 0x20c0)

/* struct btf (ours), struct btf_module {list, module, btf} */
#define BTF_DATA 0
#define BTF_DATA_SIZE 0x48
#define BTF_BASE 0x90
#define BTF_START_STR_OFF 0x9c
#define BTF_SIZE 0x100
#define BTFM_LIST 0
#define BTFM_MODULE 16
#define BTFM_BTF 24
#define BTFM_SIZE 48

/* struct gendisk (ours): disk_name[DISK_NAME_LEN 32], private_data */
#define GD_NAME 0x0c
#define GD_PRIVATE 0x90
#define GD_SIZE 0x100

/* struct pmem_device of 6.1 (module BTF on Debian 6.1): disk, pgmap */
#define PMEM_DISK 128
#define PMEM_PGMAP 136

static int setup(void **ctx)
{
	return fh_fixture_setup(ctx);
}

static uint64_t put_string(struct fakehost *fh, const char *s)
{
	uint64_t a = fh_alloc(fh, strlen(s) + 1, 1);

	fh_put(fh, a, s, strlen(s) + 1);
	return a;
}

/* iomem */

static void iomem_layout(struct fakehost *fh)
{
	fh_add_type(fh, "resource", RES_SIZE);
	fh_add_member(fh, "resource", "start", RES_START, 8);
	fh_add_member(fh, "resource", "end", RES_END, 8);
	fh_add_member(fh, "resource", "name", RES_NAME, 8);
	fh_add_member(fh, "resource", "parent", RES_PARENT, 8);
	fh_add_member(fh, "resource", "sibling", RES_SIBLING, 8);
	fh_add_member(fh, "resource", "child", RES_CHILD, 8);
	/* kernel/resource.c: iomem_resource = { "PCI mem", 0, -1 } */
	fh_map(fh, IOMEM_ROOT, RES_SIZE);
	fh_add_symbol(fh, "iomem_resource", IOMEM_ROOT, RES_SIZE);
	fh_put_u64(fh, IOMEM_ROOT + RES_END, ~0ULL);
	fh_put_u64(fh, IOMEM_ROOT + RES_NAME, put_string(fh, "PCI mem"));
}

/* A resource appended as the last child of parent (name NULL: none). */
static uint64_t res_add(struct fakehost *fh, uint64_t parent, uint64_t start,
			uint64_t end, const char *name)
{
	uint64_t r = fh_alloc(fh, RES_SIZE, 8);
	uint64_t at = parent + RES_CHILD;

	fh_put_u64(fh, r + RES_START, start);
	fh_put_u64(fh, r + RES_END, end);
	if (name)
		fh_put_u64(fh, r + RES_NAME, put_string(fh, name));
	fh_put_u64(fh, r + RES_PARENT, parent);
	while (fh_get_u64(fh, at))
		at = fh_get_u64(fh, at) + RES_SIBLING;
	fh_put_u64(fh, at, r);
	return r;
}

/* A healthy FS_DAX pgmap over [first, first + N) with ops and owner. */
static uint64_t make_pgmap(struct fakehost *fh, uint64_t first, uint64_t ops,
			   uint64_t owner)
{
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_FS_DAX,
		.nr_range = 1,
		.start = { first << 12 },
		.end = { ((first + N) << 12) - 1 },
		.ops = ops,
		.owner = owner,
	};
	uint64_t pg = fh_pgmap_create(fh, &spec);

	fh_pages_populate(fh, pg, first, N, 1);
	fh_ref_percpu(fh, pg + FH_PGMAP_REF, 1 + N);
	return pg;
}

static char *text_detail(const struct zd_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	zd_report_print_text(out, rep, ZD_TEXT_DETAIL);
	fclose(out);
	return buf;
}

static char *text_summary(const struct zd_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	zd_report_print_text(out, rep, 0);
	fclose(out);
	return buf;
}

/*
 * Two legacy pmem namespaces under "Persistent Memory (legacy)" (as
 * e820_reserve_resources() and nd_pmem's devm_request_mem_region() leave
 * them), System RAM beside them: each pgmap is named by its namespace,
 * the path by the resources down to it; a pgmap no resource covers is
 * named by none.
 */
static void iomem_nested(void **ctx)
{
	struct fh_fixture *f = *ctx;
	const uint64_t a = 0xa000000 >> 12, d = 0xd000000 >> 12;
	uint64_t pm, pa, pd, px;
	struct zd_pgmap *p;
	char *buf;

	fh_setup_6_1(f->fh, 4, 0xf);
	iomem_layout(f->fh);
	res_add(f->fh, IOMEM_ROOT, 0x1000, 0x9ffffff, "System RAM");
	pm = res_add(f->fh, IOMEM_ROOT, 0xa000000, 0xeffffff,
		     "Persistent Memory (legacy)");
	res_add(f->fh, pm, 0xa000000, 0xbffffff, "namespace0.0");
	res_add(f->fh, pm, 0xd000000, 0xeffffff, "namespace1.0");
	res_add(f->fh, IOMEM_ROOT, 0xfee00000, 0xfee00fff, "Local APIC");
	pa = make_pgmap(f->fh, a, 0, 0);
	pd = make_pgmap(f->fh, d, 0, 0);
	px = make_pgmap(f->fh, 0x20000000 >> 12, 0, 0);

	p = fh_audit(f, pa, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_true(p->desc.names.resolved);
	assert_string_equal(p->desc.names.device, "namespace0.0");
	assert_int_equal(p->desc.names.niomem, 2);
	assert_string_equal(p->desc.names.iomem[0],
			    "Persistent Memory (legacy)");
	assert_string_equal(p->desc.names.iomem[1], "namespace0.0");
	assert_string_equal(p->desc.ranges[0].device, "namespace0.0");
	p = fh_audit(f, pd, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.device, "namespace1.0");
	p = fh_audit(f, px, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.device, "");
	assert_int_equal(p->desc.names.niomem, 0);
	assert_string_equal(p->desc.names.device_why,
			    "no iomem resource covers 0x20000000-0x201fffff");

	buf = fh_json(f->rep);
	assert_non_null(strstr(
		buf,
		"\"device\": \"namespace0.0\", \"iomem\": [\"Persistent Memory (legacy)\", \"namespace0.0\"], \"iomem_elided\": false"));
	assert_non_null(strstr(buf, "\"first_page\": \"0x"));
	assert_non_null(strstr(buf, "\", \"device\": \"namespace1.0\"}]"));
	assert_non_null(strstr(
		buf,
		"\"device\": null, \"device_why\": \"no iomem resource covers 0x20000000-0x201fffff\", \"iomem\": []"));
	free(buf);
	buf = text_detail(f->rep);
	assert_non_null(strstr(buf, "  DEVICE: namespace0.0  DRIVER: - ("));
	assert_non_null(strstr(
		buf, "  IOMEM: Persistent Memory (legacy) > namespace0.0\n"));
	assert_non_null(strstr(
		buf,
		"  DEVICE: - (no iomem resource covers 0x20000000-0x201fffff)"));
	free(buf);
	buf = text_summary(f->rep);
	assert_non_null(strstr(buf, "VERDICT  DEVICE\n"));
	assert_non_null(strstr(buf, "  ok       namespace1.0\n"));
	assert_non_null(strstr(buf, "  ok       -\n"));
	free(buf);
}

/* A pgmap of two ranges in two resources: each range names its own. */
static void iomem_two_ranges(void **ctx)
{
	struct fh_fixture *f = *ctx;
	struct fh_pgmap spec = {
		.type = FH_MEMORY_DEVICE_GENERIC,
		.nr_range = 2,
		.start = { 0xa000000, 0xd000000 },
		.end = { 0xa1fffff, 0xd1fffff },
	};
	uint64_t reg, pg;
	struct zd_pgmap *p;
	char *buf;

	fh_setup_6_1(f->fh, 4, 0xf);
	iomem_layout(f->fh);
	reg = res_add(f->fh, IOMEM_ROOT, 0xa000000, 0xeffffff,
		      "Persistent Memory");
	res_add(f->fh, reg, 0xa000000, 0xa1fffff, "dax0.0");
	res_add(f->fh, reg, 0xd000000, 0xd1fffff, "dax0.1");
	pg = fh_pgmap_create(f->fh, &spec);
	fh_pages_populate(f->fh, pg, 0xa000, N, 1);
	fh_pages_populate(f->fh, pg, 0xd000, N, 1);
	fh_ref_percpu(f->fh, pg + FH_PGMAP_REF, 1 + 2 * N);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.device, "dax0.0");
	assert_string_equal(p->desc.ranges[0].device, "dax0.0");
	assert_string_equal(p->desc.ranges[1].device, "dax0.1");
	buf = text_detail(f->rep);
	assert_non_null(strstr(buf, "  RANGE 1 DEVICE: dax0.1\n"));
	free(buf);
}

/*
 * Bad trees: a sibling list that loops, a name pointer into memory the
 * dump lacks, a NULL name, a chain of covering resources deeper than 32,
 * and a path deeper than the 8 levels kept (the outer ones elided).
 */
static void iomem_cycle(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t r1, r2, pg;
	struct zd_pgmap *p;

	fh_setup_6_1(f->fh, 4, 0xf);
	iomem_layout(f->fh);
	r1 = res_add(f->fh, IOMEM_ROOT, 0x1000, 0x1fff, "one");
	r2 = res_add(f->fh, IOMEM_ROOT, 0x2000, 0x2fff, "two");
	fh_put_u64(f->fh, r2 + RES_SIBLING, r1);
	pg = make_pgmap(f->fh, 0xa000, 0, 0);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_string_equal(p->desc.names.device, "");
	assert_non_null(strstr(p->desc.names.device_why, "iomem: cycle at"));
}

static void iomem_bad_names(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t r, pg, pg2;
	struct zd_pgmap *p;
	char want[96];

	fh_setup_6_1(f->fh, 4, 0xf);
	iomem_layout(f->fh);
	r = res_add(f->fh, IOMEM_ROOT, 0xa000000, 0xbffffff, "x");
	fh_put_u64(f->fh, r + RES_NAME, UNMAPPED);
	res_add(f->fh, IOMEM_ROOT, 0xd000000, 0xdffffff, NULL);
	pg = make_pgmap(f->fh, 0xa000, 0, 0);
	pg2 = make_pgmap(f->fh, 0xd000, 0, 0);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.device, "");
	snprintf(want, sizeof(want),
		 "name of resource 0x%llx unreadable (not in dump)",
		 (unsigned long long)r);
	assert_string_equal(p->desc.names.device_why, want);
	/* the path keeps the resource, its name unknown */
	assert_int_equal(p->desc.names.niomem, 1);
	assert_string_equal(p->desc.names.iomem[0], "");
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.device, "");
	assert_non_null(strstr(p->desc.names.device_why, "has no name"));
}

static void iomem_depth(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t r = IOMEM_ROOT, pg, pg2;
	struct zd_pgmap *p;
	char name[24];

	fh_setup_6_1(f->fh, 4, 0xf);
	iomem_layout(f->fh);
	/* 10 levels over the first pgmap, 40 more over the second */
	for (int i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "level%d", i);
		r = res_add(f->fh, r, 0xa000000, 0xbffffff, name);
	}
	r = IOMEM_ROOT;
	for (int i = 0; i < 40; i++)
		r = res_add(f->fh, r, 0xd000000, 0xdffffff, "deep");
	pg = make_pgmap(f->fh, 0xa000, 0, 0);
	pg2 = make_pgmap(f->fh, 0xd000, 0, 0);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.device, "level9");
	assert_int_equal(p->desc.names.niomem, ZD_IOMEM_DEPTH);
	assert_true(p->desc.names.iomem_elided);
	assert_string_equal(p->desc.names.iomem[0], "level2");
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.device, "");
	assert_string_equal(p->desc.names.device_why,
			    "iomem: deeper than 32 levels");
}

/* Without iomem_resource or struct resource: no device, and why. */
static void iomem_absent(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg;
	struct zd_pgmap *p;

	fh_setup_6_1(f->fh, 4, 0xf);
	pg = make_pgmap(f->fh, 0xa000, 0, 0);
	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.device, "");
	assert_string_equal(p->desc.names.device_why,
			    "no iomem_resource or struct resource");
	assert_string_equal(p->desc.names.driver, "");
	assert_string_equal(
		p->desc.names.driver_why,
		"ops NULL, release dev_pagemap_percpu_release is vmlinux's");
	assert_string_equal(p->desc.names.ops_why, "ops is NULL");
}

/* Modules */

enum mod_shape {
	MOD_6_1, /* core_layout, init_layout; kallsyms -> core_kallsyms */
	MOD_6_4, /* mem[MOD_MEM_NUM_TYPES] of struct module_memory */
};

static void modules_layout(struct fakehost *fh, enum mod_shape shape)
{
	fh_add_type(fh, "module", MOD_SIZE);
	fh_add_member(fh, "module", "state", MOD_STATE, 4);
	fh_add_member(fh, "module", "list", MOD_LIST, 16);
	fh_add_member(fh, "module", "name", MOD_NAME, MOD_NAME_LEN);
	if (shape == MOD_6_1) {
		fh_add_member(fh, "module", "core_layout", MOD_CORE_LAYOUT,
			      LAYOUT_SIZE);
		fh_add_member(fh, "module", "init_layout", MOD_INIT_LAYOUT,
			      LAYOUT_SIZE);
		fh_add_type(fh, "module_layout", LAYOUT_SIZE);
		fh_add_member(fh, "module_layout", "base", 0, 8);
		fh_add_member(fh, "module_layout", "size", 8, 4);
		fh_add_member(fh, "module_layout", "text_size", 12, 4);
	} else {
		fh_add_member(fh, "module", "mem", MOD_MEM,
			      7 * MOD_MEMORY_SIZE);
		fh_add_type(fh, "module_memory", MOD_MEMORY_SIZE);
		fh_add_member(fh, "module_memory", "base", 0, 8);
		fh_add_member(fh, "module_memory", "size", 8, 4);
	}
	fh_add_member(fh, "module", "kallsyms", MOD_KALLSYMS, 8);
	fh_add_member(fh, "module", "core_kallsyms", MOD_CORE_KALLSYMS, 32);
	fh_add_type(fh, "mod_kallsyms", 32);
	fh_add_member(fh, "mod_kallsyms", "symtab", KS_SYMTAB, 8);
	fh_add_member(fh, "mod_kallsyms", "num_symtab", KS_NUM, 4);
	fh_add_member(fh, "mod_kallsyms", "strtab", KS_STRTAB, 8);
	fh_add_member(fh, "mod_kallsyms", "typetab", 24, 8);
	fh_add_enum(fh, "MODULE_STATE_UNFORMED", MODULE_STATE_UNFORMED);
	/* LIST_HEAD(modules): empty, pointing at itself */
	fh_map(fh, MODULES_HEAD, 16);
	fh_add_symbol(fh, "modules", MODULES_HEAD, 16);
	fh_put_u64(fh, MODULES_HEAD, MODULES_HEAD);
	fh_put_u64(fh, MODULES_HEAD + 8, MODULES_HEAD);
}

struct sym {
	const char *name;
	uint64_t value;
	uint16_t shndx;
};

/*
 * A loaded module: its core memory mapped at base (struct module inside
 * it, as .gnu.linkonce.this_module is), its symbols in core_kallsyms
 * (kernel/module/kallsyms.c add_kallsyms(): symtab[0] is the null symbol),
 * queued at the tail of modules.  Returns struct module.
 */
static uint64_t module_add(struct fakehost *fh, enum mod_shape shape,
			   const char *name, uint64_t base, uint64_t size,
			   const struct sym *syms, unsigned int nsyms)
{
	uint64_t mod = base + size - MOD_SIZE, ks = mod + MOD_CORE_KALLSYMS;
	uint64_t symtab = fh_alloc(fh, ELF_SYM * (nsyms + 1), 8);
	uint64_t strsize = 1, strtab, at = 1, prev;
	char mname[MOD_NAME_LEN] = { 0 };

	fh_map(fh, base, size);
	for (unsigned int i = 0; i < nsyms; i++)
		strsize += strlen(syms[i].name) + 1;
	strtab = fh_alloc(fh, strsize, 1);
	for (unsigned int i = 0; i < nsyms; i++) {
		uint64_t e = symtab + ELF_SYM * (i + 1);
		uint8_t shndx[2] = { (uint8_t)syms[i].shndx,
				     (uint8_t)(syms[i].shndx >> 8) };

		fh_put_u32(fh, e + 0, (uint32_t)at);
		fh_put(fh, e + 6, shndx, 2);
		fh_put_u64(fh, e + 8, syms[i].value);
		fh_put(fh, strtab + at, syms[i].name, strlen(syms[i].name) + 1);
		at += strlen(syms[i].name) + 1;
	}
	strncpy(mname, name, sizeof(mname) - 1);
	fh_put(fh, mod + MOD_NAME, mname, sizeof(mname));
	if (shape == MOD_6_1) {
		fh_put_u64(fh, mod + MOD_CORE_LAYOUT, base);
		fh_put_u32(fh, mod + MOD_CORE_LAYOUT + 8, (uint32_t)size);
	} else {
		/* MOD_TEXT the first half, MOD_DATA the second */
		fh_put_u64(fh, mod + MOD_MEM, base);
		fh_put_u32(fh, mod + MOD_MEM + 8, (uint32_t)size / 2);
		fh_put_u64(fh, mod + MOD_MEM + MOD_MEMORY_SIZE,
			   base + size / 2);
		fh_put_u32(fh, mod + MOD_MEM + MOD_MEMORY_SIZE + 8,
			   (uint32_t)size / 2);
	}
	fh_put_u64(fh, mod + MOD_KALLSYMS, ks);
	fh_put_u64(fh, ks + KS_SYMTAB, symtab);
	fh_put_u32(fh, ks + KS_NUM, nsyms + 1);
	fh_put_u64(fh, ks + KS_STRTAB, strtab);
	/* list_add_tail(&mod->list, &modules) */
	prev = fh_get_u64(fh, MODULES_HEAD + 8);
	fh_put_u64(fh, mod + MOD_LIST, MODULES_HEAD);
	fh_put_u64(fh, mod + MOD_LIST + 8, prev);
	fh_put_u64(fh, prev, mod + MOD_LIST);
	fh_put_u64(fh, MODULES_HEAD + 8, mod + MOD_LIST);
	return mod;
}

/* nd_pmem's symbols around fsdax_pagemap_ops (6.1: rodata at +0x20c0). */
static const struct sym pmem_syms[] = {
	{ "pmem_probe", MOD_BASE + 0x100, 1 },
	{ "", MOD_BASE + 0x20c8, 3 }, /* unnamed: passed over */
	{ "fsdax_pagemap_ops", FSDAX_OPS, 3 },
	{ "$d", MOD_BASE + 0x20c4, 3 }, /* a mapping symbol */
	{ "undefined_thing", MOD_BASE + 0x20c6, 0 }, /* SHN_UNDEF */
	{ "fsdax_alias", FSDAX_OPS, 3 }, /* same value, later: loses */
	{ "pmem_data", MOD_BASE + 0x3000, 4 },
};

static uint64_t add_nd_pmem(struct fakehost *fh, enum mod_shape shape)
{
	static const struct sym nvdimm[] = {
		{ "nvdimm_bus_register", 0xffffffffc0400000ULL, 1 },
	};

	module_add(fh, shape, "libnvdimm", 0xffffffffc0400000ULL, 0x10000,
		   nvdimm, 1);
	return module_add(fh, shape, "nd_pmem", MOD_BASE, MOD_CORE_SIZE,
			  pmem_syms, sizeof(pmem_syms) / sizeof(pmem_syms[0]));
}

/*
 * ops in nd_pmem: its symbol from the module's kallsyms, qualified; an
 * address between symbols is an offset into the one below it (unnamed,
 * mapping and undefined symbols passed over, the first of equal values
 * kept); the release is vmlinux's, named by the types half.
 */
static void module_symbols(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg, pg2;
	struct zd_pgmap *p;
	char *buf;

	fh_setup_6_1(f->fh, 4, 0xf);
	modules_layout(f->fh, MOD_6_1);
	add_nd_pmem(f->fh, MOD_6_1);
	pg = make_pgmap(f->fh, 0xa000, FSDAX_OPS, 0);
	pg2 = make_pgmap(f->fh, 0xd000, FSDAX_OPS + 8, 0);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_string_equal(p->desc.names.ops, "fsdax_pagemap_ops [nd_pmem]");
	assert_string_equal(p->desc.names.driver, "nd_pmem");
	assert_string_equal(p->desc.names.release,
			    "dev_pagemap_percpu_release");
	assert_string_equal(p->desc.names.disk_why,
			    "no module BTF in this kernel's types");
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.ops,
			    "fsdax_pagemap_ops+0x8 [nd_pmem]");

	buf = fh_json(f->rep);
	assert_non_null(
		strstr(buf, "\"ops_symbol\": \"fsdax_pagemap_ops [nd_pmem]\""));
	assert_non_null(strstr(buf, "\"driver\": \"nd_pmem\", \"disk\": null"));
	assert_non_null(
		strstr(buf, "\"release\": \"dev_pagemap_percpu_release\""));
	free(buf);
	buf = text_detail(f->rep);
	assert_non_null(strstr(
		buf, "  OPS: ffffffffc04960c0 (fsdax_pagemap_ops [nd_pmem])"));
	assert_non_null(strstr(buf, "DRIVER: nd_pmem  DISK: - (no module BTF"));
	free(buf);
	buf = text_summary(f->rep);
	assert_non_null(strstr(buf, "  ok       [nd_pmem]\n"));
	free(buf);
}

/*
 * On a live kernel the module list is read again for every pgmap (modules
 * come and go between two audits); the names are the same.
 */
static void module_live(void **ctx)
{
	struct fh_fixture *f = *ctx;
	static const struct sym late[] = {
		{ "late_ops", 0xffffffffc0800000ULL, 1 },
	};
	uint64_t pg, pg2;
	struct zd_pgmap *p;

	fh_setup_6_1(f->fh, 4, 0xf);
	modules_layout(f->fh, MOD_6_1);
	add_nd_pmem(f->fh, MOD_6_1);
	f->fh->host.mem.live = true;
	pg = make_pgmap(f->fh, 0xa000, FSDAX_OPS, 0);
	pg2 = make_pgmap(f->fh, 0xd000, 0xffffffffc0800000ULL, 0);
	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.ops, "fsdax_pagemap_ops [nd_pmem]");
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.driver, "");
	/* loaded after the first audit, named by the next */
	module_add(f->fh, MOD_6_1, "late", 0xffffffffc0800000ULL, 0x1000, late,
		   1);
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.ops, "late_ops [late]");
	assert_string_equal(p->desc.names.driver, "late");
}

/* 6.4+ keeps a module's memory in mem[]: text and data both count. */
static void module_memory_6_4(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t pg, pg2;
	struct zd_pgmap *p;

	fh_setup_6_1(f->fh, 4, 0xf);
	modules_layout(f->fh, MOD_6_4);
	add_nd_pmem(f->fh, MOD_6_4);
	/* MOD_DATA starts at +0x3000: pmem_data, not pmem_probe, is below */
	pg = make_pgmap(f->fh, 0xa000, MOD_BASE + 0x3010, 0);
	/* in MOD_TEXT, symbols of MOD_DATA above it do not count */
	pg2 = make_pgmap(f->fh, 0xd000, MOD_BASE + 0x2fff, 0);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.ops, "pmem_data+0x10 [nd_pmem]");
	assert_string_equal(p->desc.names.driver, "nd_pmem");
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.ops,
			    "fsdax_pagemap_ops+0xf3f [nd_pmem]");
}

/*
 * No ops, a ref released by a module (the driver's own ref, before
 * 5.15): the driver is the release's module.  An ops address in no
 * module and no vmlinux symbol stays an address, with why.
 */
static void module_release(void **ctx)
{
	struct fh_fixture *f = *ctx;
	static const struct sym dax[] = {
		{ "dev_dax_percpu_release", 0xffffffffc0600040ULL, 1 },
	};
	struct fh_ref ref = { .count = FH_PERCPU_COUNT_BIAS + 1,
			      .ncpu = 1,
			      .cpu_val = { N } };
	uint64_t pg, pg2;
	struct zd_pgmap *p;
	char *buf;

	fh_setup_6_1(f->fh, 4, 0xf);
	modules_layout(f->fh, MOD_6_1);
	module_add(f->fh, MOD_6_1, "device_dax", 0xffffffffc0600000ULL, 0x4000,
		   dax, 1);
	pg = make_pgmap(f->fh, 0xa000, 0, 0);
	ref.release = 0xffffffffc0600040ULL;
	fh_ref_init(f->fh, pg + FH_PGMAP_REF, &ref);
	pg2 = make_pgmap(f->fh, 0xd000, 0xffffffffc0900000ULL, 0);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.driver, "device_dax");
	assert_string_equal(p->desc.names.release,
			    "dev_dax_percpu_release [device_dax]");
	assert_string_equal(p->desc.names.ops, "");
	assert_string_equal(p->desc.names.ops_why, "ops is NULL");
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.ops, "");
	assert_string_equal(p->desc.names.ops_why,
			    "in no module or vmlinux symbol");
	assert_string_equal(p->desc.names.driver, "");
	assert_string_equal(
		p->desc.names.driver_why,
		"ops 0xffffffffc0900000 in no module or vmlinux symbol");

	buf = fh_json(f->rep);
	assert_non_null(strstr(
		buf,
		"\"ops_symbol\": null, \"ops_why\": \"in no module or vmlinux symbol\""));
	assert_non_null(strstr(
		buf, "\"release\": \"dev_dax_percpu_release [device_dax]\""));
	free(buf);
}

/*
 * A corrupt num_symtab is refused, not read (the driver is still known
 * from where the module's memory is); a module list that loops is cut
 * where it loops, the modules before it kept.
 */
static void module_corrupt(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t mod, other, pg, pg2;
	struct zd_pgmap *p;
	static const struct sym one[] = { { "x", 0xffffffffc0700000ULL, 1 } };

	fh_setup_6_1(f->fh, 4, 0xf);
	modules_layout(f->fh, MOD_6_1);
	mod = add_nd_pmem(f->fh, MOD_6_1);
	fh_put_u32(f->fh, mod + MOD_CORE_KALLSYMS + KS_NUM, 0xffffffff);
	other = module_add(f->fh, MOD_6_1, "loop", 0xffffffffc0700000ULL,
			   0x1000, one, 1);
	/* loop.list.next back to nd_pmem: the list never returns */
	fh_put_u64(f->fh, other + MOD_LIST, mod + MOD_LIST);
	pg = make_pgmap(f->fh, 0xa000, FSDAX_OPS, 0);
	pg2 = make_pgmap(f->fh, 0xd000, 0xffffffffc0900000ULL, 0);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_string_equal(p->desc.names.ops, "");
	assert_string_equal(p->desc.names.ops_why,
			    "nd_pmem: num_symtab 4294967295 exceeds 1048576");
	assert_string_equal(p->desc.names.driver, "nd_pmem");
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_non_null(strstr(p->desc.names.ops_why,
			       "in no vmlinux symbol; modules list: cycle at"));
}

/* Module BTF: a split BTF over a base, as btf_parse_module() keeps it. */

struct bb {
	uint8_t b[1024];
	size_t n;
};

static void bb_u32(struct bb *b, uint32_t v)
{
	memcpy(b->b + b->n, &v, 4);
	b->n += 4;
}

static void bb_type(struct bb *b, uint32_t name, unsigned int kind,
		    uint32_t vlen, uint32_t size)
{
	bb_u32(b, name);
	bb_u32(b, (kind << 24) | vlen);
	bb_u32(b, size);
}

/* A BTF blob: header, types, strings; returns its size. */
static size_t btf_blob(uint8_t *out, const struct bb *types, const char *str,
		       size_t str_len)
{
	uint32_t h[6] = {
		0x0001eb9f,	  24, 0, (uint32_t)types->n, (uint32_t)types->n,
		(uint32_t)str_len
	};

	memcpy(out, h, sizeof(h));
	memcpy(out + 24, types->b, types->n);
	memcpy(out + 24 + types->n, str, str_len);
	return 24 + types->n + str_len;
}

static void mod_btf_layout(struct fakehost *fh)
{
	fh_map(fh, BTF_MODULES_HEAD, 16);
	fh_add_symbol(fh, "btf_modules", BTF_MODULES_HEAD, 16);
	fh_put_u64(fh, BTF_MODULES_HEAD, BTF_MODULES_HEAD);
	fh_put_u64(fh, BTF_MODULES_HEAD + 8, BTF_MODULES_HEAD);
	fh_add_member(fh, "btf_module", "list", BTFM_LIST, 16);
	fh_add_member(fh, "btf_module", "module", BTFM_MODULE, 8);
	fh_add_member(fh, "btf_module", "btf", BTFM_BTF, 8);
	fh_add_member(fh, "btf", "data", BTF_DATA, 8);
	fh_add_member(fh, "btf", "data_size", BTF_DATA_SIZE, 4);
	fh_add_member(fh, "btf", "base_btf", BTF_BASE, 8);
	fh_add_member(fh, "btf", "start_str_off", BTF_START_STR_OFF, 4);
	fh_add_type(fh, "gendisk", GD_SIZE);
	fh_add_member(fh, "gendisk", "disk_name", GD_NAME, 32);
	fh_add_member(fh, "gendisk", "private_data", GD_PRIVATE, 8);
}

static uint64_t put_btf(struct fakehost *fh, const uint8_t *blob, size_t n,
			uint64_t base)
{
	uint64_t data = fh_alloc(fh, n, 8), btf = fh_alloc(fh, BTF_SIZE, 8);

	fh_put(fh, data, blob, n);
	fh_put_u64(fh, btf + BTF_DATA, data);
	fh_put_u32(fh, btf + BTF_DATA_SIZE, (uint32_t)n);
	fh_put_u64(fh, btf + BTF_BASE, base);
	return btf;
}

/*
 * The base: "int" and a struct using the name "disk"; the module's: an
 * INT, a FUNC_PROTO with parameters and a struct pmem_other with a pgmap
 * member to step over, then struct pmem_device {phys_addr; disk (a base
 * string); pgmap}.  Returns the module's struct btf.
 */
static uint64_t nd_pmem_btf(struct fakehost *fh, uint64_t mod)
{
	static const char base_str[] = "\0int\0disk\0request_queue";
	static const char mod_str[] = "\0pmem_other\0pgmap\0pmem_device\0"
				      "phys_addr\0u64";
	const uint32_t bs = sizeof(base_str); /* start_str_off */
	struct bb base = { .n = 0 }, m = { .n = 0 };
	uint8_t blob[2048];
	uint64_t bbtf, btf, node, prev;
	size_t n;

	bb_type(&base, 1, 1, 0, 4); /* INT int */
	bb_u32(&base, 32);
	bb_type(&base, 15, 4, 1, 8); /* STRUCT request_queue { disk } */
	bb_u32(&base, 5), bb_u32(&base, 1), bb_u32(&base, 0);
	n = btf_blob(blob, &base, base_str, sizeof(base_str));
	bbtf = put_btf(fh, blob, n, 0);

	bb_type(&m, bs + 42, 1, 0, 8); /* INT u64 */
	bb_u32(&m, 64);
	bb_type(&m, 0, 13, 2, 1); /* FUNC_PROTO (int, int) */
	bb_u32(&m, 0), bb_u32(&m, 1), bb_u32(&m, 0), bb_u32(&m, 1);
	bb_type(&m, bs + 1, 4, 1, 8); /* STRUCT pmem_other { pgmap @0 } */
	bb_u32(&m, bs + 12), bb_u32(&m, 1), bb_u32(&m, 0);
	bb_type(&m, bs + 18, 4, 3, 288); /* STRUCT pmem_device */
	bb_u32(&m, bs + 30), bb_u32(&m, 2), bb_u32(&m, 0);
	bb_u32(&m, 5), bb_u32(&m, 2), bb_u32(&m, PMEM_DISK * 8);
	bb_u32(&m, bs + 12), bb_u32(&m, 2), bb_u32(&m, PMEM_PGMAP * 8);
	n = btf_blob(blob, &m, mod_str, sizeof(mod_str));
	btf = put_btf(fh, blob, n, bbtf);
	fh_put_u32(fh, btf + BTF_START_STR_OFF, bs);

	node = fh_alloc(fh, BTFM_SIZE, 8);
	fh_put_u64(fh, node + BTFM_MODULE, mod);
	fh_put_u64(fh, node + BTFM_BTF, btf);
	/* list_add(&btf_mod->list, &btf_modules) */
	prev = fh_get_u64(fh, BTF_MODULES_HEAD);
	fh_put_u64(fh, node + BTFM_LIST, prev);
	fh_put_u64(fh, node + BTFM_LIST + 8, BTF_MODULES_HEAD);
	fh_put_u64(fh, prev + 8, node);
	fh_put_u64(fh, BTF_MODULES_HEAD, node);
	return btf;
}

/*
 * A struct pmem_device (disk at +128, pgmap at +136, as 6.1 lays it out)
 * around the pgmap built next: fh_alloc() hands out the next object 64
 * bytes after the last, so a 192-byte filler and the gap after it hold the
 * pmem_device's first 136 bytes.  Its gendisk points back.
 */
static uint64_t pmem_pgmap(struct fakehost *fh, uint64_t first,
			   const char *name, uint64_t *diskp)
{
	uint64_t disk = fh_alloc(fh, GD_SIZE, 64);
	uint64_t filler = fh_alloc(fh, 192, 64);
	uint64_t pmem = filler + 256 - PMEM_PGMAP, pg;
	char dn[32] = { 0 };

	fh_map(fh, filler + 192, 64);
	strncpy(dn, name, sizeof(dn) - 1);
	fh_put(fh, disk + GD_NAME, dn, sizeof(dn));
	fh_put_u64(fh, disk + GD_PRIVATE, pmem);
	fh_put_u64(fh, pmem + PMEM_DISK, disk);
	/* pmem.c@6.1:528: pmem->pgmap.owner = pmem */
	pg = make_pgmap(fh, first, FSDAX_OPS, pmem);
	assert_int_equal(pg, pmem + PMEM_PGMAP);
	if (diskp)
		*diskp = disk;
	return pg;
}

/*
 * nd_pmem's disk: struct pmem_device's layout from the module's BTF
 * (member names in base and module strings), pgmap->owner the
 * pmem_device, its disk pointing back: "pmem0".  A disk that does not
 * point back (released on unbind) and an owner that is not the
 * pmem_device holding the pgmap give no name.
 */
/*
 * devres: devm_memremap_pages() leaves on the device's devres_head a node
 * whose release is devm_action_release() and whose data is struct
 * action_devres { data = pgmap, action = devm_memremap_pages_release }
 * (drivers/base/devres.c __devm_add_action(), mm/memremap.c 6.1); every
 * device is on devices_kset->list by its kobj.entry.  Offsets are ours.
 */
#define KSET_LIST 0x20
#define KOBJ_NAME 0
#define KOBJ_ENTRY 8
#define DEV_KOBJ 0
#define DEV_DRIVER 0x48
#define DEV_DEVRES 0x60
#define DEV_SIZE 0x100
#define DRV_NAME 0
#define NODE_ENTRY 0
#define NODE_RELEASE 16
#define DEVRES_DATA 0x40

static void list_init(struct fakehost *fh, uint64_t head)
{
	fh_put_u64(fh, head, head);
	fh_put_u64(fh, head + 8, head);
}

static void list_add_tail(struct fakehost *fh, uint64_t head, uint64_t e)
{
	uint64_t prev = fh_get_u64(fh, head + 8);

	fh_put_u64(fh, e, head);
	fh_put_u64(fh, e + 8, prev);
	fh_put_u64(fh, prev, e);
	fh_put_u64(fh, head + 8, e);
}

struct devres_kernel {
	uint64_t kset_head, action_release, memremap_release, other_release;
};

static struct devres_kernel devres_layout(struct fakehost *fh)
{
	struct devres_kernel k;
	uint64_t var = fh_alloc(fh, 8, 8), kset = fh_alloc(fh, 0x60, 8);

	fh_add_member(fh, "kset", "list", KSET_LIST, 16);
	fh_add_member(fh, "kobject", "name", KOBJ_NAME, 8);
	fh_add_member(fh, "kobject", "entry", KOBJ_ENTRY, 16);
	fh_add_member(fh, "device", "kobj", DEV_KOBJ, 0x40);
	fh_add_member(fh, "device", "driver", DEV_DRIVER, 8);
	fh_add_member(fh, "device", "devres_head", DEV_DEVRES, 16);
	fh_add_member(fh, "device_driver", "name", DRV_NAME, 8);
	fh_add_member(fh, "devres_node", "entry", NODE_ENTRY, 16);
	fh_add_member(fh, "devres_node", "release", NODE_RELEASE, 8);
	fh_add_member(fh, "devres", "data", DEVRES_DATA, 0);
	fh_add_member(fh, "action_devres", "data", 0, 8);
	fh_add_member(fh, "action_devres", "action", 8, 8);
	fh_add_symbol(fh, "devices_kset", var, 8);
	fh_put_u64(fh, var, kset);
	k.kset_head = kset + KSET_LIST;
	list_init(fh, k.kset_head);
	k.action_release = fh_add_function(fh, "devm_action_release");
	k.memremap_release = fh_add_function(fh, "devm_memremap_pages_release");
	k.other_release = fh_add_function(fh, "devm_kmalloc_release");
	return k;
}

static uint64_t device_add(struct fakehost *fh, const struct devres_kernel *k,
			   const char *name, const char *driver)
{
	uint64_t dev = fh_alloc(fh, DEV_SIZE, 8);

	fh_put_u64(fh, dev + DEV_KOBJ + KOBJ_NAME, put_string(fh, name));
	if (driver) {
		uint64_t drv = fh_alloc(fh, 0x40, 8);

		fh_put_u64(fh, drv + DRV_NAME, put_string(fh, driver));
		fh_put_u64(fh, dev + DEV_DRIVER, drv);
	}
	list_init(fh, dev + DEV_DEVRES);
	list_add_tail(fh, k->kset_head, dev + DEV_KOBJ + KOBJ_ENTRY);
	return dev;
}

static uint64_t devres_add(struct fakehost *fh, uint64_t dev,
			   uint64_t release, uint64_t data0, uint64_t data1)
{
	uint64_t node = fh_alloc(fh, DEVRES_DATA + 16, 64);

	fh_put_u64(fh, node + NODE_RELEASE, release);
	fh_put_u64(fh, node + DEVRES_DATA, data0);
	fh_put_u64(fh, node + DEVRES_DATA + 8, data1);
	list_add_tail(fh, dev + DEV_DEVRES, node + NODE_ENTRY);
	return node;
}

static void devres_names(void **ctx)
{
	struct fh_fixture *f = *ctx;
	struct devres_kernel k;
	uint64_t pa, pb, pc, d0, d1, d2;
	struct zd_pgmap *p;
	char *buf;

	fh_setup_6_1(f->fh, 4, 0xf);
	k = devres_layout(f->fh);
	pa = make_pgmap(f->fh, 0xa000, 0, 0);
	pb = make_pgmap(f->fh, 0xd000, 0, 0);
	pc = make_pgmap(f->fh, 0x20000, 0, 0);
	d0 = device_add(f->fh, &k, "ndbus0", NULL);
	d1 = device_add(f->fh, &k, "namespace0.0", "nd_pmem");
	d2 = device_add(f->fh, &k, "dax1.0", "device_dax");
	devres_add(f->fh, d0, k.other_release, pa, 0);
	devres_add(f->fh, d1, k.other_release, pa, k.memremap_release);
	/* an action of another function, then the mapping's own */
	devres_add(f->fh, d1, k.action_release, pa, k.other_release);
	devres_add(f->fh, d1, k.action_release, pa, k.memremap_release);
	devres_add(f->fh, d2, k.action_release, pb, k.memremap_release);

	p = fh_audit(f, pa, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.devres, "namespace0.0");
	assert_string_equal(p->desc.names.devres_driver, "nd_pmem");
	p = fh_audit(f, pb, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.devres, "dax1.0");
	assert_string_equal(p->desc.names.devres_driver, "device_dax");
	p = fh_audit(f, pc, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.devres, "");
	assert_string_equal(
		p->desc.names.devres_why,
		"in no device's devres (not devm_memremap_pages(), or unbinding)");
	buf = fh_json(f->rep);
	assert_non_null(strstr(
		buf, "\"devres\": \"namespace0.0\", \"devres_driver\": \"nd_pmem\""));
	assert_non_null(strstr(
		buf,
		"\"devres\": null, \"devres_why\": \"in no device's devres (not devm_memremap_pages(), or unbinding)\", \"devres_driver\": null"));
	free(buf);
	buf = text_detail(f->rep);
	assert_non_null(strstr(buf, "  DEVRES: dax1.0 (driver device_dax)\n"));
	free(buf);
	/* no iomem tree here: the DEVICE column falls back to devres */
	buf = text_summary(f->rep);
	assert_non_null(strstr(buf, "  ok       namespace0.0\n"));
	free(buf);
}

/* A devres list that loops, and a device list that loops: bounded, said. */
static void devres_cycles(void **ctx)
{
	struct fh_fixture *f = *ctx;
	struct devres_kernel k;
	uint64_t pa, d1, n1, n2;
	struct zd_pgmap *p;

	fh_setup_6_1(f->fh, 4, 0xf);
	k = devres_layout(f->fh);
	pa = make_pgmap(f->fh, 0xa000, 0, 0);
	d1 = device_add(f->fh, &k, "namespace0.0", "nd_pmem");
	n1 = devres_add(f->fh, d1, k.other_release, 0, 0);
	n2 = devres_add(f->fh, d1, k.action_release, pa, k.memremap_release);
	fh_put_u64(f->fh, n2 + NODE_ENTRY, n1 + NODE_ENTRY); /* n2 -> n1 */
	p = fh_audit(f, pa, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.devres, "");
	assert_non_null(strstr(p->desc.names.devres_why, "broken or cyclic"));
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
}

/* The device list back onto a device, not the head: found, not walked on. */
static void devres_device_cycle(void **ctx)
{
	struct fh_fixture *f = *ctx;
	struct devres_kernel k;
	uint64_t pa, d1, d2;
	struct zd_pgmap *p;

	fh_setup_6_1(f->fh, 4, 0xf);
	k = devres_layout(f->fh);
	pa = make_pgmap(f->fh, 0xa000, 0, 0);
	d1 = device_add(f->fh, &k, "namespace0.0", "nd_pmem");
	d2 = device_add(f->fh, &k, "dax0.0", NULL);
	devres_add(f->fh, d1, k.action_release, pa, k.memremap_release);
	fh_put_u64(f->fh, d2 + DEV_KOBJ + KOBJ_ENTRY, d1 + DEV_KOBJ + KOBJ_ENTRY);
	p = fh_audit(f, pa, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.devres, "");
	assert_non_null(strstr(p->desc.names.devres_why,
			       "devices_kset->list broken or cyclic"));
}

static void pmem_disk(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t mod, disk, pg, pg2, pg3;
	struct zd_pgmap *p;
	char *buf;

	fh_setup_6_1(f->fh, 4, 0xf);
	iomem_layout(f->fh);
	res_add(f->fh, IOMEM_ROOT, 0xa000000, 0xbffffff, "namespace0.0");
	modules_layout(f->fh, MOD_6_1);
	mod_btf_layout(f->fh);
	mod = add_nd_pmem(f->fh, MOD_6_1);
	nd_pmem_btf(f->fh, mod);
	pg = pmem_pgmap(f->fh, 0xa000, "pmem0", NULL);
	pg3 = pmem_pgmap(f->fh, 0xd000, "pmem1", &disk);
	fh_put_u64(f->fh, disk + GD_PRIVATE, 0x6b6b6b6b6b6b6b6bULL);
	pg2 = make_pgmap(f->fh, 0xe000, FSDAX_OPS, pg - PMEM_PGMAP);

	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_int_equal(p->judge.verdict, ZD_VERDICT_OK);
	assert_string_equal(p->desc.names.disk, "pmem0");
	assert_string_equal(p->desc.names.device, "namespace0.0");
	assert_string_equal(p->desc.names.driver, "nd_pmem");
	p = fh_audit(f, pg3, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.disk, "");
	assert_non_null(strstr(p->desc.names.disk_why,
			       "does not point back (the disk goes first"));
	p = fh_audit(f, pg2, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.disk, "");
	assert_non_null(strstr(p->desc.names.disk_why,
			       "is not the pmem_device holding it"));

	buf = fh_json(f->rep);
	assert_non_null(
		strstr(buf, "\"driver\": \"nd_pmem\", \"disk\": \"pmem0\""));
	assert_non_null(
		strstr(buf, "\"disk\": null, \"disk_why\": \"owner 0x"));
	free(buf);
	buf = text_summary(f->rep);
	assert_non_null(
		strstr(buf, "  ok       namespace0.0 pmem0 [nd_pmem]\n"));
	free(buf);
	buf = text_detail(f->rep);
	assert_non_null(strstr(
		buf, "  DEVICE: namespace0.0  DRIVER: nd_pmem  DISK: pmem0\n"));
	free(buf);
}

/* A module BTF without struct pmem_device: no disk, and why. */
static void pmem_disk_no_struct(void **ctx)
{
	struct fh_fixture *f = *ctx;
	uint64_t mod, btf, pg;
	struct zd_pgmap *p;

	fh_setup_6_1(f->fh, 4, 0xf);
	modules_layout(f->fh, MOD_6_1);
	mod_btf_layout(f->fh);
	mod = add_nd_pmem(f->fh, MOD_6_1);
	btf = nd_pmem_btf(f->fh, mod);
	/* point the module at a BTF whose types section is cut short */
	{
		uint64_t data = fh_get_u64(f->fh, btf + BTF_DATA);

		fh_put_u32(f->fh, data + 12, 44); /* type_len: 2 types */
	}
	pg = make_pgmap(f->fh, 0xa000, FSDAX_OPS, 0);
	p = fh_audit(f, pg, &(struct zd_audit_options){ 0 });
	assert_string_equal(p->desc.names.disk, "");
	assert_string_equal(p->desc.names.disk_why,
			    "module BTF has no struct pmem_device");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(iomem_nested, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(iomem_two_ranges, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(iomem_cycle, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(iomem_bad_names, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(iomem_depth, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(iomem_absent, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(module_symbols, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(module_live, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(module_memory_6_4, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(module_release, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(module_corrupt, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(devres_names, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(devres_cycles, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(devres_device_cycle, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(pmem_disk, setup,
						fh_fixture_teardown),
		cmocka_unit_test_setup_teardown(pmem_disk_no_struct, setup,
						fh_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
