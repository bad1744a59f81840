// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Standalone host over libkdumpfile (memory) and libdw (types, symbols).
 * QEMU-made dumps need help libkdumpfile 0.5.1 lacks: flattened streams are
 * rebuilt (flattened.c), and a header without a usable utsname gets the
 * architecture from us.  Symbols move by VMCOREINFO's KERNELOFFSET (KASLR).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

#include "debuginfo.h"
#include "dumpcheck.h"
#include "flattened.h"
#include "kdump_host.h"

struct zd_kdump {
	char *path;
	int fd, flat_fd;
	kdump_ctx_t *ctx;
	bool diskdump;
	struct zd_debuginfo *di;
	uint64_t kernel_offset;
	uint64_t page_shift, section_size_bits, max_physmem_bits;
	char release[65];
	char build_id[129];
	uint64_t reads, bytes;
};

/* One VMCOREINFO line's value, copied; ZD_ERR_NOTFOUND when absent. */
static struct zd_error *vmcoreinfo(struct zd_kdump *k, const char *key,
				   char *buf, size_t len)
{
	char *val = NULL;

	if (kdump_vmcoreinfo_line(k->ctx, key, &val) != KDUMP_OK || !val) {
		kdump_clear_err(k->ctx);
		return zd_error_create(ZD_ERR_NOTFOUND,
				       "%s: VMCOREINFO has no %s", k->path,
				       key);
	}
	snprintf(buf, len, "%s", val);
	free(val);
	return NULL;
}

static struct zd_error *vmcoreinfo_num(struct zd_kdump *k, const char *key,
				       int base, uint64_t *out)
{
	char buf[64], *end;
	struct zd_error *err = vmcoreinfo(k, key, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*out = strtoull(buf, &end, base);
	if (errno || end == buf || *end)
		return zd_error_create(ZD_ERR_FORMAT,
				       "%s: VMCOREINFO %s=%s is not a number",
				       k->path, key, buf);
	return NULL;
}

static struct zd_error *read_vmcoreinfo(struct zd_kdump *k)
{
	uint64_t pagesize;
	struct zd_error *err;

	if ((err = vmcoreinfo(k, "OSRELEASE", k->release, sizeof(k->release))))
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: no VMCOREINFO in the dump (QEMU dumps need -device vmcoreinfo and the guest's qemu_fw_cfg module)",
			k->path);
	zd_error_destroy(err);
	if ((err = vmcoreinfo(k, "BUILD-ID", k->build_id,
			      sizeof(k->build_id)))) {
		zd_error_destroy(err); /* only since 5.9 */
		k->build_id[0] = '\0';
	}
	if ((err = vmcoreinfo_num(k, "KERNELOFFSET", 16, &k->kernel_offset))) {
		zd_error_destroy(err); /* no KASLR */
		k->kernel_offset = 0;
	}
	if ((err = vmcoreinfo_num(k, "PAGESIZE", 10, &pagesize)))
		return err;
	/*
	 * VMCOREINFO has had these only since 5.x; before, x86_64 fixed
	 * SECTION_SIZE_BITS at 27 and MAX_PHYSMEM_BITS at 46 (52 with
	 * 5-level paging, 4.14+).
	 */
	if ((err = vmcoreinfo_num(k, "NUMBER(SECTION_SIZE_BITS)", 10,
				  &k->section_size_bits))) {
		zd_error_destroy(err);
		k->section_size_bits = 27;
	}
	if ((err = vmcoreinfo_num(k, "NUMBER(MAX_PHYSMEM_BITS)", 10,
				  &k->max_physmem_bits))) {
		uint64_t l5 = 0;

		zd_error_destroy(err);
		err = vmcoreinfo_num(k, "NUMBER(pgtable_l5_enabled)", 10, &l5);
		zd_error_destroy(err);
		k->max_physmem_bits = l5 ? 52 : 46;
	}
	if (!pagesize || (pagesize & (pagesize - 1)))
		return zd_error_create(ZD_ERR_FORMAT,
				       "%s: VMCOREINFO PAGESIZE=%llu", k->path,
				       (unsigned long long)pagesize);
	k->page_shift = (uint64_t)__builtin_ctzll(pagesize);
	return NULL;
}

struct zd_error *zd_kdump_open(const char *path, struct zd_kdump **ret)
{
	struct zd_kdump *k = calloc(1, sizeof(*k));
	const char *str;
	struct zd_error *err;

	if (!k)
		return &zd_error_nomem;
	k->fd = k->flat_fd = -1;
	k->path = strdup(path);
	if (!k->path) {
		err = &zd_error_nomem;
		goto fail;
	}
	k->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0) {
		err = zd_error_create(ZD_ERR_IO, "%s: %s", path,
				      strerror(errno));
		goto fail;
	}
	if ((err = zd_flattened_open(k->fd, path, &k->flat_fd)) ||
	    (err = zd_dump_check_size(k->flat_fd >= 0 ? k->flat_fd : k->fd,
				      path)))
		goto fail;
	k->ctx = kdump_new();
	if (!k->ctx) {
		err = &zd_error_nomem;
		goto fail;
	}
	if (kdump_open_fd(k->ctx, k->flat_fd >= 0 ? k->flat_fd : k->fd) !=
	    KDUMP_OK) {
		err = zd_error_create(
			ZD_ERR_FORMAT,
			"%s: not a kernel dump libkdumpfile can read: %s", path,
			kdump_get_err(k->ctx));
		goto fail;
	}
	if (kdump_get_string_attr(k->ctx, KDUMP_ATTR_ARCH_NAME, &str) !=
	    KDUMP_OK) {
		/* QEMU's kdump header carries no utsname libkdumpfile trusts. */
		kdump_clear_err(k->ctx);
		if (kdump_set_string_attr(k->ctx, KDUMP_ATTR_ARCH_NAME,
					  KDUMP_ARCH_X86_64) != KDUMP_OK) {
			err = zd_error_create(ZD_ERR_FORMAT,
					      "%s: cannot set architecture: %s",
					      path, kdump_get_err(k->ctx));
			goto fail;
		}
	}
	if (kdump_set_string_attr(k->ctx, KDUMP_ATTR_OSTYPE, "linux") !=
	    KDUMP_OK) {
		err = zd_error_create(ZD_ERR_FORMAT, "%s: not a Linux dump: %s",
				      path, kdump_get_err(k->ctx));
		goto fail;
	}
	if (kdump_get_string_attr(k->ctx, KDUMP_ATTR_FILE_FORMAT, &str) ==
	    KDUMP_OK)
		k->diskdump = !strcmp(str, "diskdump");
	else
		kdump_clear_err(k->ctx);
	if ((err = read_vmcoreinfo(k)))
		goto fail;
	*ret = k;
	return NULL;
fail:
	zd_kdump_close(k);
	return err;
}

const char *zd_kdump_release(const struct zd_kdump *k)
{
	return k->release;
}

struct zd_error *zd_kdump_attach_vmlinux(struct zd_kdump *k,
					 const char *vmlinux)
{
	char path[4096], rel[128];
	const char *bid;
	struct zd_error *err;

	if (!vmlinux) {
		if ((err = zd_debuginfo_find(k->release, path, sizeof(path))))
			return err;
		vmlinux = path;
	}
	if ((err = zd_debuginfo_open(vmlinux, &k->di)))
		return err;
	bid = zd_debuginfo_build_id(k->di);
	if (k->build_id[0] && bid && strcasecmp(bid, k->build_id))
		return zd_error_create(
			ZD_ERR_MISMATCH,
			"%s does not match the dump: build-id %s, the dump's is %s (release %s)",
			vmlinux, bid, k->build_id, k->release);
	if ((err = zd_debuginfo_release(k->di, rel, sizeof(rel))))
		return zd_error_wrap(err, "%s", vmlinux);
	if (strcmp(rel, k->release))
		return zd_error_create(
			ZD_ERR_MISMATCH,
			"%s does not match the dump: it is %s, the dump is %s",
			vmlinux, rel, k->release);
	return NULL;
}

static struct zd_error *host_read(void *arg, uint64_t addr, void *buf,
				  size_t len)
{
	struct zd_kdump *k = arg;
	size_t got = len;
	kdump_status st;

	k->reads++;
	k->bytes += len;
	st = kdump_read(k->ctx, KDUMP_KVADDR, addr, buf, &got);
	if (st == KDUMP_OK && got == len)
		return NULL;
	/*
	 * A kdump-compressed file says which pages it left out: those are
	 * filtered (makedumpfile -d), not a broken dump.
	 */
	if (st == KDUMP_ERR_NODATA && k->diskdump) {
		kdump_clear_err(k->ctx);
		return zd_error_create(ZD_ERR_EXCLUDED,
				       "0x%llx: page excluded from the dump",
				       (unsigned long long)(addr + got));
	}
	{
		struct zd_error *err = zd_error_create(
			ZD_ERR_FAULT, "0x%llx: %s",
			(unsigned long long)(addr + got),
			st == KDUMP_OK ? "short read" : kdump_get_err(k->ctx));

		kdump_clear_err(k->ctx);
		return err;
	}
}

static struct zd_error *host_symbol(void *arg, const char *name, uint64_t *addr,
				    uint64_t *size)
{
	struct zd_kdump *k = arg;
	struct zd_error *err = zd_debuginfo_symbol(k->di, name, addr, size);

	if (!err)
		*addr += k->kernel_offset;
	return err;
}

static struct zd_error *host_symbolize(void *arg, uint64_t addr, char *name,
				       size_t len, uint64_t *offset)
{
	struct zd_kdump *k = arg;

	return zd_debuginfo_symbolize(k->di, addr - k->kernel_offset, name, len,
				      offset);
}

static struct zd_error *host_type_size(void *arg, const char *type,
				       uint64_t *size)
{
	return zd_debuginfo_type_size(((struct zd_kdump *)arg)->di, type, size);
}

static struct zd_error *host_member(void *arg, const char *type,
				    const char *member, uint64_t *offset,
				    uint64_t *size)
{
	return zd_debuginfo_member(((struct zd_kdump *)arg)->di, type, member,
				   offset, size);
}

static struct zd_error *host_enumerator(void *arg, const char *name,
					int64_t *value)
{
	return zd_debuginfo_enumerator(((struct zd_kdump *)arg)->di, name,
				       value);
}

static struct zd_error *host_number(void *arg, const char *name,
				    uint64_t *value)
{
	struct zd_kdump *k = arg;

	if (!strcmp(name, "PAGE_SHIFT"))
		*value = k->page_shift;
	else if (!strcmp(name, "SECTION_SIZE_BITS"))
		*value = k->section_size_bits;
	else if (!strcmp(name, "MAX_PHYSMEM_BITS"))
		*value = k->max_physmem_bits;
	else if (!strcmp(name, "PG_head_mask"))
		return vmcoreinfo_num(k, "NUMBER(PG_head_mask)", 10, value);
	else
		return zd_error_create(ZD_ERR_NOTFOUND, "no constant %s", name);
	return NULL;
}

void zd_kdump_host(struct zd_kdump *k, struct zd_host *h)
{
	memset(h, 0, sizeof(*h));
	h->arg = k;
	h->read = host_read;
	h->symbol = host_symbol;
	h->symbolize = host_symbolize;
	h->type_size = host_type_size;
	h->member = host_member;
	h->enumerator = host_enumerator;
	h->number = host_number;
}

void zd_kdump_stats(const struct zd_kdump *k, uint64_t *reads, uint64_t *bytes)
{
	*reads = k->reads;
	*bytes = k->bytes;
}

void zd_kdump_close(struct zd_kdump *k)
{
	if (!k)
		return;
	if (k->di)
		zd_debuginfo_close(k->di);
	if (k->ctx)
		kdump_free(k->ctx);
	if (k->flat_fd >= 0)
		close(k->flat_fd);
	if (k->fd >= 0)
		close(k->fd);
	free(k->path);
	free(k);
}
