// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Which memory and which types: a dump or the live kernel (/proc/kcore),
 * and a vmlinux with DWARF or the kernel's own BTF + kallsyms.  With no -s
 * and no vmlinux in the usual places, a dump still carries BTF (.rodata,
 * kept by makedumpfile -d 31) and, from 6.0, the kallsyms tables in
 * VMCOREINFO: no 300 MB debug package is needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "btf_host.h"
#include "dwarf_host.h"
#include "kdump_memory.h"
#include "sources.h"

#define KCORE "/proc/kcore"
#define LIVE_BTF "/sys/kernel/btf/vmlinux"
#define LIVE_KALLSYMS "/proc/kallsyms"

static struct zd_error *info(void *arg, const char *key, char *buf, size_t len)
{
	return zd_kdump_vmcoreinfo(arg, key, buf, len);
}

static struct zd_error *open_dwarf(const struct zd_sources_request *req,
				   struct zd_sources *s)
{
	struct zd_error *err;

	err = zd_dwarf_host_open(req->vmlinux, s->release,
				 zd_kdump_build_id(s->mem),
				 zd_kdump_kernel_offset(s->mem), &s->dwarf);
	if (err)
		return err;
	zd_dwarf_host_types(s->dwarf, &s->host.types);
	s->debuginfo = "dwarf";
	snprintf(s->what, sizeof(s->what), "DWARF of %s",
		 req->vmlinux ? req->vmlinux : "the vmlinux found for it");
	return NULL;
}

static struct zd_error *open_btf(const struct zd_sources_request *req,
				 struct zd_sources *s)
{
	struct zd_error *err = NULL;

	if (!req->dump && !req->system_map) {
		/* Live: the kernel's own files, unless kptr_restrict hides
		 * the addresses; then kallsyms and BTF out of kcore memory. */
		err = zd_btf_host_from_files(LIVE_BTF, LIVE_KALLSYMS, &s->btf);
		if (!err)
			goto done;
		zd_error_destroy(err);
	}
	err = zd_btf_host_from_memory(
		zd_kdump_read, info, s->mem, req->system_map,
		req->dump ? "the dump" : "the running kernel (/proc/kcore)",
		&s->btf);
	if (err)
		return err;
done:
	zd_btf_host_types(s->btf, &s->host.types);
	s->debuginfo = "btf";
	snprintf(s->what, sizeof(s->what), "%s", zd_btf_host_describe(s->btf));
	return NULL;
}

static struct zd_error *check_live(struct zd_sources *s)
{
	struct utsname u;

	if (uname(&u))
		return NULL;
	if (strcmp(u.release, s->release))
		return zd_error_create(
			ZD_ERR_MISMATCH,
			"%s describes kernel %s, but %s is running", KCORE,
			s->release, u.release);
	return NULL;
}

struct zd_error *zd_sources_open(const struct zd_sources_request *req,
				 struct zd_sources *s)
{
	struct zd_error *err, *dwarf_err = NULL;

	memset(s, 0, sizeof(*s));
	err = req->dump ? zd_kdump_open(req->dump, &s->mem) :
			  zd_kdump_open_live(KCORE, &s->mem);
	if (err)
		return err;
	s->release = zd_kdump_release(s->mem);
	if (!req->dump && (err = check_live(s)))
		goto fail;
	zd_kdump_memory(s->mem, &s->host.mem);

	if (req->vmlinux || req->mode == ZD_DEBUGINFO_DWARF) {
		if ((err = open_dwarf(req, s)))
			goto fail;
		return NULL;
	}
	if (req->mode == ZD_DEBUGINFO_AUTO) {
		dwarf_err = open_dwarf(req, s);
		if (!dwarf_err)
			return NULL;
		if (dwarf_err->code != ZD_ERR_NOTFOUND) {
			/* a vmlinux was found and is wrong: say so */
			err = dwarf_err;
			goto fail;
		}
	}
	err = open_btf(req, s);
	if (!err && dwarf_err) {
		/* say why a vmlinux that was found is not used */
		size_t n = strlen(s->what);

		snprintf(s->what + n, sizeof(s->what) - n, " (%s)",
			 dwarf_err->message);
	}
	if (err && dwarf_err) {
		struct zd_error *both = zd_error_create(
			ZD_ERR_NOTFOUND,
			"%s; and no BTF + kallsyms to use instead: %s",
			dwarf_err->message, err->message);

		zd_error_destroy(err);
		err = both;
	}
	zd_error_destroy(dwarf_err);
	if (err)
		goto fail;
	return NULL;
fail:
	zd_sources_close(s);
	return err;
}

void zd_sources_close(struct zd_sources *s)
{
	zd_btf_host_close(s->btf);
	zd_dwarf_host_close(s->dwarf);
	if (s->mem)
		zd_kdump_close(s->mem);
	memset(s, 0, sizeof(*s));
}
