// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory half of the standalone host: a dump through libkdumpfile.
 * QEMU-made dumps need help libkdumpfile 0.5.1 lacks: flattened streams are
 * rebuilt (flattened.c), and a header without a usable utsname gets the
 * architecture from us.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libkdumpfile/kdumpfile.h>

#include "dumpcheck.h"
#include "flattened.h"
#include "kdump_memory.h"

struct zd_kdump {
	char *path;
	int fd, flat_fd;
	kdump_ctx_t *ctx;
	bool diskdump;
	bool live; /* /proc/kcore */
	uint64_t kernel_offset;
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
	struct zd_error *err;

	if ((err = vmcoreinfo(k, "OSRELEASE", k->release,
			      sizeof(k->release)))) {
		char *raw = NULL;
		bool some = kdump_vmcoreinfo_raw(k->ctx, &raw) == KDUMP_OK &&
			    raw && raw[0];

		free(raw);
		kdump_clear_err(k->ctx);
		zd_error_destroy(err);
		/* A VMCOREINFO without the line every kernel writes first
		 * (crash_save_vmcoreinfo_init()) is damaged, not absent. */
		if (some)
			return zd_error_create(
				ZD_ERR_FORMAT,
				"%s: VMCOREINFO has no OSRELEASE line (damaged): the kernel release is unknown",
				k->path);
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: no VMCOREINFO in the dump (QEMU dumps need -device vmcoreinfo and the guest's qemu_fw_cfg module)",
			k->path);
	}
	if ((err = vmcoreinfo(k, "BUILD-ID", k->build_id,
			      sizeof(k->build_id)))) {
		zd_error_destroy(err); /* only since 5.9 */
		k->build_id[0] = '\0';
	}
	if ((err = vmcoreinfo_num(k, "KERNELOFFSET", 16, &k->kernel_offset))) {
		if (err->code != ZD_ERR_NOTFOUND)
			return err;
		zd_error_destroy(err); /* no KASLR */
		k->kernel_offset = 0;
	}
	return NULL;
}

/* Why /proc/kcore cannot be opened, in the words a user can act on. */
static struct zd_error *kcore_open_error(const char *path, int e)
{
	if (e == ENOENT)
		return zd_error_create(
			ZD_ERR_IO,
			"%s: no such file: this kernel has no CONFIG_PROC_KCORE",
			path);
	if ((e == EACCES || e == EPERM) && geteuid() != 0)
		return zd_error_create(ZD_ERR_IO,
				       "%s: %s: run zdref -k as root", path,
				       strerror(e));
	if (e == EPERM)
		return zd_error_create(
			ZD_ERR_IO,
			"%s: %s: kernel lockdown (confidentiality) forbids reading kernel memory; audit a kdump instead",
			path, strerror(e));
	return zd_error_create(ZD_ERR_IO, "%s: %s", path, strerror(e));
}

static struct zd_error *open_dump(const char *path, bool live,
				  struct zd_kdump **ret)
{
	struct zd_kdump *k = calloc(1, sizeof(*k));
	const char *str;
	struct zd_error *err;

	if (!k)
		return &zd_error_nomem;
	k->fd = k->flat_fd = -1;
	k->live = live;
	k->path = strdup(path);
	if (!k->path) {
		err = &zd_error_nomem;
		goto fail;
	}
	/* Regular files only: a FIFO would block, a device is no dump. */
	if ((err = zd_open_regular(path, &k->fd, NULL))) {
		if (live && err->code == ZD_ERR_IO) {
			int e = errno;

			zd_error_destroy(err);
			err = kcore_open_error(path, e);
		}
		goto fail;
	}
	if (!live && ((err = zd_flattened_open(k->fd, path, &k->flat_fd)) ||
		      (err = zd_dump_check_size(
			       k->flat_fd >= 0 ? k->flat_fd : k->fd, path))))
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
	/* Live data: no cache, every read goes to the kernel. */
	if (live &&
	    kdump_set_number_attr(k->ctx, "cache.size", 0) != KDUMP_OK) {
		err = zd_error_create(ZD_ERR_IO,
				      "%s: cannot disable the cache: %s", path,
				      kdump_get_err(k->ctx));
		goto fail;
	}
	if ((err = read_vmcoreinfo(k)))
		goto fail;
	*ret = k;
	return NULL;
fail:
	zd_kdump_close(k);
	return err;
}

struct zd_error *zd_kdump_open(const char *path, struct zd_kdump **ret)
{
	return open_dump(path, false, ret);
}

struct zd_error *zd_kdump_open_live(const char *path, struct zd_kdump **ret)
{
	return open_dump(path, true, ret);
}

const char *zd_kdump_release(const struct zd_kdump *k)
{
	return k->release;
}

const char *zd_kdump_build_id(const struct zd_kdump *k)
{
	return k->build_id[0] ? k->build_id : NULL;
}

uint64_t zd_kdump_kernel_offset(const struct zd_kdump *k)
{
	return k->kernel_offset;
}

struct zd_error *zd_kdump_vmcoreinfo(struct zd_kdump *k, const char *key,
				     char *buf, size_t len)
{
	return vmcoreinfo(k, key, buf, len);
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
	if (k->live && st == KDUMP_ERR_NODATA) {
		/*
		 * kcore maps System RAM only: struct pages on the device
		 * (ndctl's map=dev altmap) or other non-RAM memory.
		 */
		kdump_clear_err(k->ctx);
		return zd_error_create(
			ZD_ERR_FAULT,
			"0x%llx: not readable through /proc/kcore (not System RAM: memmap on the device?)",
			(unsigned long long)(addr + got));
	}
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

struct zd_error *zd_kdump_read(void *arg, uint64_t addr, void *buf, size_t len)
{
	return host_read(arg, addr, buf, len);
}

static struct zd_error *host_vmcoreinfo(void *arg, const char *key, char *buf,
					size_t len)
{
	return vmcoreinfo(arg, key, buf, len);
}

void zd_kdump_memory(struct zd_kdump *k, struct zd_memory *m)
{
	memset(m, 0, sizeof(*m));
	m->arg = k;
	m->live = k->live;
	m->read = host_read;
	m->vmcoreinfo = host_vmcoreinfo;
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
	if (k->ctx)
		kdump_free(k->ctx);
	if (k->flat_fd >= 0)
		close(k->flat_fd);
	if (k->fd >= 0)
		close(k->fd);
	free(k->path);
	free(k);
}
