// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Types and symbols of the standalone host from a vmlinux with DWARF.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "debuginfo.h"
#include "dwarf_host.h"

struct zd_dwarf_host {
	struct zd_debuginfo *di;
	uint64_t kernel_offset;
};

struct zd_error *zd_dwarf_host_open(const char *vmlinux, const char *release,
				    const char *build_id,
				    uint64_t kernel_offset,
				    struct zd_dwarf_host **ret)
{
	struct zd_dwarf_host *d;
	char path[4096], rel[128];
	const char *bid;
	struct zd_error *err;

	if (!vmlinux) {
		if ((err = zd_debuginfo_find(release, path, sizeof(path))))
			return err;
		vmlinux = path;
	}
	if (!(d = calloc(1, sizeof(*d))))
		return &zd_error_nomem;
	d->kernel_offset = kernel_offset;
	if ((err = zd_debuginfo_open(vmlinux, &d->di)))
		goto fail;
	bid = zd_debuginfo_build_id(d->di);
	if (build_id && bid && strcasecmp(bid, build_id)) {
		err = zd_error_create(
			ZD_ERR_MISMATCH,
			"%s does not match the kernel: build-id %s, the kernel's is %s (release %s)",
			vmlinux, bid, build_id, release);
		goto fail;
	}
	if ((err = zd_debuginfo_release(d->di, rel, sizeof(rel)))) {
		err = zd_error_wrap(err, "%s", vmlinux);
		goto fail;
	}
	if (strcmp(rel, release)) {
		err = zd_error_create(
			ZD_ERR_MISMATCH,
			"%s does not match the kernel: it is %s, the kernel is %s",
			vmlinux, rel, release);
		goto fail;
	}
	*ret = d;
	return NULL;
fail:
	zd_dwarf_host_close(d);
	return err;
}

static struct zd_error *symbol(void *arg, const char *name, uint64_t *addr,
			       uint64_t *size)
{
	struct zd_dwarf_host *d = arg;
	bool fixed;
	struct zd_error *err =
		zd_debuginfo_symbol(d->di, name, addr, size, &fixed);

	if (!err && !fixed)
		*addr += d->kernel_offset;
	return err;
}

static struct zd_error *symbolize(void *arg, uint64_t addr, char *name,
				  size_t len, uint64_t *offset)
{
	struct zd_dwarf_host *d = arg;

	return zd_debuginfo_symbolize(d->di, addr - d->kernel_offset, name, len,
				      offset);
}

static struct zd_error *type_size(void *arg, const char *type, uint64_t *size)
{
	return zd_debuginfo_type_size(((struct zd_dwarf_host *)arg)->di, type,
				      size);
}

static struct zd_error *member(void *arg, const char *type, const char *member,
			       uint64_t *offset, uint64_t *size)
{
	return zd_debuginfo_member(((struct zd_dwarf_host *)arg)->di, type,
				   member, offset, size);
}

static struct zd_error *enumerator(void *arg, const char *name, int64_t *value)
{
	return zd_debuginfo_enumerator(((struct zd_dwarf_host *)arg)->di, name,
				       value);
}

static void hint_unit(void *arg, const char *function)
{
	zd_debuginfo_hint_unit(((struct zd_dwarf_host *)arg)->di, function);
}

void zd_dwarf_host_types(struct zd_dwarf_host *d, struct zd_types *t)
{
	memset(t, 0, sizeof(*t));
	t->arg = d;
	t->symbol = symbol;
	t->symbolize = symbolize;
	t->type_size = type_size;
	t->member = member;
	t->enumerator = enumerator;
	t->hint_unit = hint_unit;
}

void zd_dwarf_host_close(struct zd_dwarf_host *d)
{
	if (!d)
		return;
	if (d->di)
		zd_debuginfo_close(d->di);
	free(d);
}
