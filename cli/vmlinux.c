// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Finding and opening a vmlinux: the usual places, ELF checks against the file size, the GNU build-id and the release in linux_banner.
 * (cli/debuginfo.h is the interface; debuginfo_priv.h the shared state.)
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "debuginfo_priv.h"
#include "dumpcheck.h"

static struct zd_error *read_build_id(struct zd_debuginfo *di)
{
	static const char hex[] = "0123456789abcdef";
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(di->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;
		GElf_Nhdr nh;
		size_t off = 0, next, name_off, desc_off, i;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data)
			return di_elf_err(di->path, "reading notes");
		/* gelf_getnote() checks every note against d_size. */
		while (off < data->d_size &&
		       (next = gelf_getnote(data, off, &nh, &name_off,
					    &desc_off)) > off) {
			const unsigned char *desc =
				(const unsigned char *)data->d_buf + desc_off;

			off = next;
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_namesz != 4 ||
			    memcmp((char *)data->d_buf + name_off, "GNU", 4) ||
			    !nh.n_descsz || nh.n_descsz > 64)
				continue;
			di->build_id = malloc(nh.n_descsz * 2 + 1);
			if (!di->build_id)
				return di_nomem();
			for (i = 0; i < nh.n_descsz; i++) {
				di->build_id[2 * i] = hex[desc[i] >> 4];
				di->build_id[2 * i + 1] = hex[desc[i] & 15];
			}
			di->build_id[2 * i] = '\0';
			return NULL;
		}
	}
	return NULL;
}

static struct zd_error *truncated(struct zd_debuginfo *di, const char *what,
				  uint64_t end, uint64_t fsize)
{
	return zd_error_create(
		ZD_ERR_FORMAT,
		"vmlinux %s: truncated: %s ends at %llu, file has %llu bytes",
		di->path, what, (unsigned long long)end,
		(unsigned long long)fsize);
}

/*
 * libelf does not reject a truncated file up front: it just sees fewer
 * sections, and the result would read as "no DWARF".
 */
static struct zd_error *check_elf(struct zd_debuginfo *di, uint64_t fsize)
{
	GElf_Ehdr eh;
	Elf_Scn *scn = NULL;
	size_t shstrndx, shnum;
	uint64_t end;

	if (elf_kind(di->elf) != ELF_K_ELF)
		return zd_error_create(ZD_ERR_FORMAT, "%s: not an ELF file",
				       di->path);
	if (!gelf_getehdr(di->elf, &eh))
		return di_elf_err(di->path, "reading ELF header");
	if (eh.e_type == ET_CORE)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: an ELF core file (a dump?), not a vmlinux",
			di->path);
	if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
		return zd_error_create(ZD_ERR_FORMAT,
				       "%s: not a vmlinux (ELF type %u)",
				       di->path, (unsigned int)eh.e_type);
	if (elf_getshdrnum(di->elf, &shnum))
		return di_elf_err(di->path, "reading section headers");
	end = eh.e_shoff + (uint64_t)shnum * eh.e_shentsize;
	if (eh.e_shoff > fsize || end > fsize || end < eh.e_shoff)
		return truncated(di, "section header table", end, fsize);
	if (elf_getshdrstrndx(di->elf, &shstrndx))
		return di_elf_err(di->path, "reading section headers");
	/* Also makes libelf check the section headers lie inside the file. */
	while ((scn = elf_nextscn(di->elf, scn))) {
		const char *name;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return di_elf_err(di->path, "reading section headers");
		name = elf_strptr(di->elf, shstrndx, sh.sh_name);
		end = sh.sh_offset + sh.sh_size;
		if (sh.sh_type != SHT_NOBITS &&
		    (end > fsize || end < sh.sh_offset))
			return truncated(di, name ? name : "a section", end,
					 fsize);
		if (sh.sh_type == SHT_SYMTAB && !di->symtab)
			di->symtab = scn;
		/* To tell "stripped" from "corrupt" when libdw refuses. */
		if (name && (!strcmp(name, ".debug_info") ||
			     !strcmp(name, ".zdebug_info")))
			di->has_debug_info = true;
	}
	if (elf_errno())
		return di_elf_err(di->path, "reading section headers");
	return NULL;
}

struct zd_error *zd_debuginfo_open(const char *path, struct zd_debuginfo **ret)
{
	struct zd_debuginfo *di;
	struct zd_error *err;
	uint64_t fsize;

	*ret = NULL;
	di = calloc(1, sizeof(*di));
	if (!di)
		return di_nomem();
	di->fd = -1;
	di->type_index.name_of = di_type_name;
	di->enum_index.name_of = di_enum_name;
	di->path = strdup(path);
	if (!di->path) {
		err = di_nomem();
		goto fail;
	}
	/* Regular files only: a FIFO would block, a device is no vmlinux. */
	if ((err = zd_open_regular(path, &di->fd, &fsize)))
		goto fail;
	elf_version(EV_CURRENT);
	di->elf = elf_begin(di->fd, ELF_C_READ_MMAP, NULL);
	if (!di->elf) {
		/* A truncated or mangled header: libelf refuses the file. */
		err = zd_error_create(ZD_ERR_FORMAT,
				      "%s: not a valid ELF file: %s", path,
				      elf_errmsg(-1));
		goto fail;
	}
	err = check_elf(di, fsize);
	if (err)
		goto fail;
	/* Checks for .debug_info; the units themselves are read lazily. */
	di->dwarf = dwarf_begin_elf(di->elf, DWARF_C_READ, NULL);
	if (!di->dwarf) {
		/*
		 * NOTFOUND: the debug info is absent, the file is fine (a
		 * stripped /boot/vmlinux, or the BTF-only vmlinux Debian's
		 * linux-headers ship in /lib/modules/RELEASE/build for
		 * module BTF): auto mode goes on to the dump's BTF.
		 */
		if (!di->has_debug_info)
			err = zd_error_create(
				ZD_ERR_NOTFOUND,
				"vmlinux %s: no DWARF (stripped? the -dbg package has the full vmlinux)",
				path);
		else
			err = zd_error_create(ZD_ERR_FORMAT,
					      "vmlinux %s: bad DWARF: %s", path,
					      dwarf_errmsg(-1));
		goto fail;
	}
	if (!di->symtab) {
		err = zd_error_create(ZD_ERR_FORMAT,
				      "vmlinux %s: no symbol table (.symtab)",
				      path);
		goto fail;
	}
	err = read_build_id(di);
	if (err)
		goto fail;
	*ret = di;
	return NULL;
fail:
	zd_debuginfo_close(di);
	return err;
}

void zd_debuginfo_close(struct zd_debuginfo *di)
{
	if (!di)
		return;
	di_nidx_free(&di->type_index);
	di_nidx_free(&di->enum_index);
	di_nidx_free(&di->sym_index);
	free(di->types);
	free(di->enums);
	free(di->by_addr);
	if (di->dwarf)
		dwarf_end(di->dwarf);
	if (di->elf)
		elf_end(di->elf);
	if (di->fd >= 0)
		close(di->fd);
	free(di->build_id);
	free(di->path);
	free(di);
}

const char *zd_debuginfo_build_id(const struct zd_debuginfo *di)
{
	return di->build_id;
}

/* ---- ELF symbols ------------------------------------------------------- */

/* ---- linux_banner ------------------------------------------------------ */

#define BANNER_PREFIX "Linux version "

struct zd_error *zd_debuginfo_release(struct zd_debuginfo *di, char *buf,
				      size_t len)
{
	char banner[256];
	struct zd_error *err;
	uint64_t value, size, want;
	Elf_Scn *scn = NULL;
	size_t plen = strlen(BANNER_PREFIX), n;

	err = zd_debuginfo_symbol(di, "linux_banner", &value, &size, NULL);
	if (err)
		return err;
	want = size && size < sizeof(banner) ? size : sizeof(banner) - 1;
	while ((scn = elf_nextscn(di->elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) ||
		    value < sh.sh_addr || value - sh.sh_addr >= sh.sh_size)
			continue;
		if (sh.sh_type == SHT_NOBITS)
			return zd_error_create(
				ZD_ERR_FORMAT,
				"vmlinux %s: linux_banner has no file data (a debug-only vmlinux?)",
				di->path);
		if (want > sh.sh_size - (value - sh.sh_addr))
			want = sh.sh_size - (value - sh.sh_addr);
		/* Only these bytes: .rodata is megabytes. */
		data = elf_getdata_rawchunk(di->elf,
					    sh.sh_offset + (value - sh.sh_addr),
					    want, ELF_T_BYTE);
		if (!data)
			return di_elf_err(di->path, "reading linux_banner");
		memcpy(banner, data->d_buf, want);
		banner[want] = '\0';
		if (strncmp(banner, BANNER_PREFIX, plen))
			return zd_error_create(
				ZD_ERR_FORMAT,
				"vmlinux %s: linux_banner does not start with \"%s\"",
				di->path, BANNER_PREFIX);
		n = strcspn(banner + plen, " \n");
		if (!n || !banner[plen + n])
			return zd_error_create(
				ZD_ERR_FORMAT,
				"vmlinux %s: linux_banner has no release",
				di->path);
		if (n >= len)
			return zd_error_create(
				ZD_ERR_USAGE,
				"vmlinux %s: release longer than %zu bytes",
				di->path, len);
		memcpy(buf, banner + plen, n);
		buf[n] = '\0';
		return NULL;
	}
	return zd_error_create(
		ZD_ERR_FORMAT,
		"vmlinux %s: linux_banner %#llx is in no section", di->path,
		(unsigned long long)value);
}

/* ---- the lazy DWARF index ---------------------------------------------- */

static bool readable_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && !access(path, R_OK);
}

struct zd_error *zd_debuginfo_find(const char *release, char *path, size_t len)
{
	static const char *const places[] = {
		"/usr/lib/debug/boot/vmlinux-%s",
		"/usr/lib/debug/lib/modules/%s/vmlinux",
		"/lib/modules/%s/build/vmlinux",
		"/boot/vmlinux-%s",
		"./vmlinux-%s",
	};
	const char *dir = getenv("ZDREF_VMLINUX_DIR");
	char cand[4096], tried[2048] = "";
	size_t i, used = 0;
	int n;

	/* A release comes from a dump: keep it from naming other paths. */
	if (!release || !*release || strchr(release, '/') ||
	    !strcmp(release, "..") || strlen(release) > 256)
		return zd_error_create(ZD_ERR_USAGE,
				       "not a kernel release: '%s'",
				       release ? release : "");
	for (i = 0; i < 1 + sizeof(places) / sizeof(places[0]); i++) {
		if (i == 0) {
			if (!dir || !*dir)
				continue;
			n = snprintf(cand, sizeof(cand), "%s/vmlinux-%s", dir,
				     release);
		} else {
			n = snprintf(cand, sizeof(cand), places[i - 1],
				     release);
		}
		if (n < 0 || (size_t)n >= sizeof(cand))
			continue;
		if (readable_file(cand)) {
			if ((size_t)n >= len)
				return zd_error_create(
					ZD_ERR_USAGE,
					"vmlinux path %s longer than %zu bytes",
					cand, len);
			memcpy(path, cand, n + 1);
			return NULL;
		}
		n = snprintf(tried + used, sizeof(tried) - used, "%s%s",
			     used ? ", " : "", cand);
		if (n > 0)
			used += (size_t)n < sizeof(tried) - used ?
					(size_t)n :
					sizeof(tried) - used - 1;
	}
	return zd_error_create(
		ZD_ERR_NOTFOUND,
		"no vmlinux for %s (looked in %s); give one with -s, or install linux-image-%s-dbg",
		release, tried, release);
}
