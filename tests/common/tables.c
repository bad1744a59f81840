// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tables of the tests' fake hosts (tests/common/tables.h).
 */
#include <stdio.h>
#include <string.h>

#include "zdref/error.h"

#include "tables.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static struct zd_error *notfound(const char *what, const char *a,
				 const char *b)
{
	return zd_error_create(ZD_ERR_NOTFOUND, "%s %s%s%s not found", what, a,
			       b ? "." : "", b ? b : "");
}

struct zd_error *zt_symbol(const struct zt_tables *t, const char *name,
			   uint64_t *addr, uint64_t *size)
{
	for (size_t i = 0; i < t->nsyms; i++) {
		if (!strcmp(t->syms[i].name, name)) {
			*addr = t->syms[i].addr;
			*size = t->syms[i].size;
			return NULL;
		}
	}
	return notfound("symbol", name, NULL);
}

static struct zd_error *symbol(void *arg, const char *name, uint64_t *addr,
			       uint64_t *size)
{
	return zt_symbol(arg, name, addr, size);
}

static struct zd_error *symbolize(void *arg, uint64_t addr, char *name,
				  size_t len, uint64_t *offset)
{
	const struct zt_tables *t = arg;

	for (size_t i = 0; i < t->nsyms; i++) {
		const struct zt_sym *s = &t->syms[i];

		if (addr >= s->addr && addr - s->addr < (s->size ? s->size : 1)) {
			snprintf(name, len, "%s", s->name);
			*offset = addr - s->addr;
			return NULL;
		}
	}
	return zd_error_create(ZD_ERR_NOTFOUND, "no symbol at 0x%llx",
			       (unsigned long long)addr);
}

static struct zd_error *type_size(void *arg, const char *type, uint64_t *size)
{
	const struct zt_tables *t = arg;

	for (size_t i = 0; i < t->ntypes; i++) {
		if (!strcmp(t->types[i].name, type)) {
			*size = t->types[i].size;
			return NULL;
		}
	}
	return notfound("type", type, NULL);
}

static struct zd_error *member(void *arg, const char *type,
			       const char *name, uint64_t *offset,
			       uint64_t *size)
{
	const struct zt_tables *t = arg;

	for (size_t i = 0; i < t->nmembers; i++) {
		const struct zt_member *m = &t->members[i];

		if (!strcmp(m->type, type) && !strcmp(m->member, name)) {
			*offset = m->offset;
			*size = m->size;
			return NULL;
		}
	}
	return notfound("member", type, name);
}

static struct zd_error *enumerator(void *arg, const char *name,
				   int64_t *value)
{
	const struct zt_tables *t = arg;

	for (size_t i = 0; i < t->nenums; i++) {
		if (!strcmp(t->enums[i].name, name)) {
			*value = t->enums[i].value;
			return NULL;
		}
	}
	return notfound("enumerator", name, NULL);
}

struct zd_error *zt_vmcoreinfo(const struct zt_tables *t, const char *key,
			       char *buf, size_t len)
{
	for (size_t i = 0; i < t->nnumbers; i++) {
		if (!strcmp(t->numbers[i].name, key)) {
			snprintf(buf, len, "%s", t->numbers[i].value);
			return NULL;
		}
	}
	return notfound("VMCOREINFO line", key, NULL);
}

void zt_types_half(struct zt_tables *t, struct zd_types *types)
{
	types->arg = t;
	types->symbol = symbol;
	types->symbolize = symbolize;
	types->type_size = type_size;
	types->member = member;
	types->enumerator = enumerator;
}

bool zt_add_symbol(struct zt_tables *t, const char *name, uint64_t addr,
		   uint64_t size)
{
	if (t->nsyms == ZT_MAX_SYMS)
		return false;
	t->syms[t->nsyms++] = (struct zt_sym){ name, addr, size };
	return true;
}

bool zt_add_type(struct zt_tables *t, const char *name, uint64_t size)
{
	if (t->ntypes == ZT_MAX_TYPES)
		return false;
	t->types[t->ntypes++] = (struct zt_type){ name, size };
	return true;
}

bool zt_add_member(struct zt_tables *t, const char *type, const char *name,
		   uint64_t offset, uint64_t size)
{
	if (t->nmembers == ZT_MAX_MEMBERS)
		return false;
	t->members[t->nmembers++] =
		(struct zt_member){ type, name, offset, size };
	return true;
}

bool zt_add_layout(struct zt_tables *t, const struct zt_member *m, size_t nm,
		   const struct zt_type *ty, size_t nt)
{
	bool ok = true;

	for (size_t i = 0; i < nm; i++)
		ok &= zt_add_member(t, m[i].type, m[i].member, m[i].offset,
				    m[i].size);
	for (size_t i = 0; i < nt; i++)
		ok &= zt_add_type(t, ty[i].name, ty[i].size);
	return ok;
}

void zt_remove_symbol(struct zt_tables *t, const char *name)
{
	for (size_t i = 0; i < t->nsyms; i++) {
		if (!strcmp(t->syms[i].name, name))
			t->syms[i--] = t->syms[--t->nsyms];
	}
}

void zt_remove_member(struct zt_tables *t, const char *type, const char *name)
{
	for (size_t i = 0; i < t->nmembers; i++) {
		if (!strcmp(t->members[i].type, type) &&
		    !strcmp(t->members[i].member, name))
			t->members[i--] = t->members[--t->nmembers];
	}
}

void zt_remove_enum(struct zt_tables *t, const char *name)
{
	for (size_t i = 0; i < t->nenums; i++) {
		if (!strcmp(t->enums[i].name, name))
			t->enums[i--] = t->enums[--t->nenums];
	}
}

bool zt_set_enum(struct zt_tables *t, const char *name, int64_t value)
{
	zt_remove_enum(t, name);
	if (t->nenums == ZT_MAX_ENUMS)
		return false;
	t->enums[t->nenums++] = (struct zt_enum){ name, value };
	return true;
}

bool zt_set_number(struct zt_tables *t, const char *name, const char *text)
{
	size_t i;

	for (i = 0; i < t->nnumbers && strcmp(t->numbers[i].name, name); i++)
		;
	if (i == ZT_MAX_NUMBERS)
		return false;
	t->numbers[i].name = name;
	snprintf(t->numbers[i].value, sizeof(t->numbers[i].value), "%s", text);
	if (i == t->nnumbers)
		t->nnumbers++;
	return true;
}

const struct zt_member zt_layout_6_1[] = {
	{ "page", "flags", 0, 8 },
	{ "page", "lru", 8, 16 },
	{ "page", "pgmap", 8, 8 },
	{ "page", "compound_head", 8, 8 },
	{ "page", "zone_device_data", 16, 8 },
	{ "page", "mapping", 24, 8 },
	{ "page", "index", 32, 8 },
	{ "page", "_mapcount", 48, 4 },
	{ "page", "_refcount", 52, 4 },
	/* 6.1 has struct folio, but its pgmap only arrives in 6.15. */
	{ "folio", "flags", 0, 8 },
	{ "folio", "lru", 8, 16 },
	{ "folio", "mapping", 24, 8 },
	{ "folio", "_refcount", 52, 4 },
	{ "mem_section", "section_mem_map", 0, 8 },
	{ "mem_section", "usage", 8, 8 },
	{ "mem_section_usage", "subsection_map", 0, 8 },
	{ "mem_section_usage", "pageblock_flags", 8, 0 },
	{ "vmem_altmap", "base_pfn", 0, 8 },
	{ "vmem_altmap", "end_pfn", 8, 8 },
	{ "vmem_altmap", "reserve", 16, 8 },
	{ "vmem_altmap", "free", 24, 8 },
	{ "vmem_altmap", "align", 32, 8 },
	{ "vmem_altmap", "alloc", 40, 8 },
	{ "dev_pagemap", "altmap", 0, 48 },
	{ "dev_pagemap", "ref", 48, 16 },
	{ "dev_pagemap", "done", 64, 32 },
	{ "dev_pagemap", "type", 96, 4 },
	{ "dev_pagemap", "flags", 100, 4 },
	{ "dev_pagemap", "vmemmap_shift", 104, 8 },
	{ "dev_pagemap", "ops", 112, 8 },
	{ "dev_pagemap", "owner", 120, 8 },
	{ "dev_pagemap", "nr_range", 128, 4 },
	{ "dev_pagemap", "range", 136, 16 },
	{ "dev_pagemap", "ranges", 136, 0 },
	{ "range", "start", 0, 8 },
	{ "range", "end", 8, 8 },
	{ "percpu_ref", "percpu_count_ptr", 0, 8 },
	{ "percpu_ref", "data", 8, 8 },
	{ "percpu_ref_data", "count", 0, 8 },
	{ "percpu_ref_data", "release", 8, 8 },
	{ "percpu_ref_data", "confirm_switch", 16, 8 },
	{ "percpu_ref_data", "rcu", 32, 16 },
	{ "percpu_ref_data", "ref", 48, 8 },
	{ "completion", "done", 0, 4 },
	{ "completion", "wait", 8, 24 },
	{ "swait_queue_head", "lock", 0, 4 },
	{ "swait_queue_head", "task_list", 8, 16 },
	{ "swait_queue", "task", 0, 8 },
	{ "swait_queue", "task_list", 8, 16 },
	{ "task_struct", "__state", ZT_TASK_STATE, 4 },
	{ "task_struct", "pid", ZT_TASK_PID, 4 },
	{ "task_struct", "comm", ZT_TASK_COMM, 16 },
	{ "xarray", "xa_lock", 0, 4 },
	{ "xarray", "xa_flags", 4, 4 },
	{ "xarray", "xa_head", 8, 8 },
	{ "xa_node", "shift", 0, 1 },
	{ "xa_node", "offset", 1, 1 },
	{ "xa_node", "count", 2, 1 },
	{ "xa_node", "nr_values", 3, 1 },
	{ "xa_node", "parent", 8, 8 },
	{ "xa_node", "array", 16, 8 },
	{ "xa_node", "slots", 40, 512 },
	{ "xa_node", "marks", 552, 24 },
};
const size_t zt_layout_6_1_len = NELEM(zt_layout_6_1);

const struct zt_type zt_types_6_1[] = {
	{ "page", 64 },
	{ "folio", 64 },
	{ "mem_section", 16 },
	{ "mem_section_usage", 8 },
	{ "vmem_altmap", 48 },
	{ "dev_pagemap", 152 },
	{ "range", 16 },
	{ "percpu_ref", 16 },
	{ "percpu_ref_data", 56 },
	{ "completion", 32 },
	{ "swait_queue_head", 24 },
	{ "swait_queue", 24 },
	{ "task_struct", ZT_TASK_SIZE },
	{ "xarray", 16 },
	{ "xa_node", 576 },
};
const size_t zt_types_6_1_len = NELEM(zt_types_6_1);
