// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Types from BTF, symbols from kallsyms: zdref without a debug package.
 * kcore-btf.md §3 has the measurements this rests on (the BTF bytes in a
 * dump equal the vmlinux's .BTF; kallsyms decoded from a dump equal nm +
 * KERNELOFFSET).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "btf_host.h"
#include "btf_types.h"

/* The whole vmlinux BTF is 4-5 MiB on Debian's 6.1/6.12; leave room. */
#define MAX_BTF_BYTES (64u << 20)
#define BTF_CHUNK (1u << 20)

struct zd_btf_host {
	struct zd_btf *btf;
	struct zd_kallsyms *ks;
	char what[256];
};

static struct zd_error *info_hex(zd_info_fn info, void *arg, const char *key,
				 uint64_t *out)
{
	char buf[64], *end;
	struct zd_error *err = info(arg, key, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*out = strtoull(buf, &end, 16);
	if (errno || end == buf || *end || buf[0] == '-' || buf[0] == '+')
		return zd_error_create(ZD_ERR_FORMAT,
				       "VMCOREINFO %s=%s is not an address",
				       key, buf);
	return NULL;
}

/* An optional SYMBOL() line: 0 when absent. */
static struct zd_error *opt_sym(zd_info_fn info, void *arg, const char *name,
				uint64_t *out)
{
	char key[96];
	struct zd_error *err;

	snprintf(key, sizeof(key), "SYMBOL(%s)", name);
	err = info_hex(info, arg, key, out);
	if (err && err->code == ZD_ERR_NOTFOUND) {
		zd_error_destroy(err);
		*out = 0;
		return NULL;
	}
	return err;
}

static struct zd_error *kallsyms_from_memory(zd_ks_read_fn read,
					     zd_info_fn info, void *arg,
					     struct zd_kallsyms **ks)
{
	struct zd_kallsyms_tables tab = { 0 };
	struct zd_error *err;

	if ((err = opt_sym(info, arg, "kallsyms_names", &tab.names)) ||
	    (err = opt_sym(info, arg, "kallsyms_num_syms", &tab.num_syms)) ||
	    (err = opt_sym(info, arg, "kallsyms_token_table",
			   &tab.token_table)) ||
	    (err = opt_sym(info, arg, "kallsyms_token_index",
			   &tab.token_index)) ||
	    (err = opt_sym(info, arg, "kallsyms_offsets", &tab.offsets)) ||
	    (err = opt_sym(info, arg, "kallsyms_relative_base",
			   &tab.relative_base)) ||
	    (err = opt_sym(info, arg, "kallsyms_addresses", &tab.addresses)) ||
	    (err = opt_sym(info, arg, "_stext", &tab.stext)))
		return err;
	/* 5fd8fea935a10 "vmcoreinfo: include kallsyms symbols" (6.0) */
	if (!tab.names || !tab.num_syms || !tab.token_table ||
	    !tab.token_index || (!tab.offsets && !tab.addresses))
		return zd_error_create(
			ZD_ERR_NOTFOUND,
			"VMCOREINFO locates no kallsyms tables (kernels before 6.0)");
	return zd_kallsyms_decode(read, arg, &tab, ks);
}

static struct zd_error *btf_from_memory(zd_ks_read_fn read, void *arg,
					const struct zd_kallsyms *ks,
					struct zd_btf **btf)
{
	uint64_t start, stop, sz;
	uint8_t *buf;
	struct zd_error *err;

	if ((err = zd_kallsyms_lookup(ks, "__start_BTF", &start, &sz)) ||
	    (err = zd_kallsyms_lookup(ks, "__stop_BTF", &stop, &sz)))
		return zd_error_wrap(
			err, "no BTF in this kernel (CONFIG_DEBUG_INFO_BTF)");
	if (stop <= start || stop - start > MAX_BTF_BYTES)
		return zd_error_create(ZD_ERR_INVALID,
				       "__start_BTF..__stop_BTF: %llu bytes",
				       (unsigned long long)(stop - start));
	if (!(buf = malloc(stop - start)))
		return &zd_error_nomem;
	for (uint64_t off = 0; off < stop - start; off += BTF_CHUNK) {
		size_t n = stop - start - off < BTF_CHUNK ?
				   (size_t)(stop - start - off) :
				   BTF_CHUNK;

		if ((err = read(arg, start + off, buf + off, n))) {
			free(buf);
			return zd_error_wrap(err, "reading the kernel's BTF");
		}
	}
	err = zd_btf_from_bytes(buf, stop - start, btf);
	free(buf);
	return err;
}

struct zd_error *zd_btf_host_from_memory(zd_ks_read_fn read, zd_info_fn info,
					 void *arg, const char *system_map,
					 const char *whose,
					 struct zd_btf_host **ret)
{
	struct zd_btf_host *b = calloc(1, sizeof(*b));
	uint64_t offset = 0;
	struct zd_error *err;

	if (!b)
		return &zd_error_nomem;
	if (system_map) {
		err = info_hex(info, arg, "KERNELOFFSET", &offset);
		if (err && err->code == ZD_ERR_NOTFOUND) {
			zd_error_destroy(err); /* no KASLR */
			err = NULL;
		}
		if (!err)
			err = zd_kallsyms_parse(system_map, offset, &b->ks);
	} else {
		err = kallsyms_from_memory(read, info, arg, &b->ks);
	}
	if (err || (err = btf_from_memory(read, arg, b->ks, &b->btf))) {
		zd_btf_host_close(b);
		return err;
	}
	snprintf(b->what, sizeof(b->what),
		 "BTF of %s (%zu types) and %s%s (%zu symbols, %s)", whose,
		 zd_btf_type_count(b->btf),
		 system_map ? system_map : "kallsyms of ",
		 system_map ? "" : whose, zd_kallsyms_count(b->ks),
		 zd_kallsyms_encoding(b->ks));
	*ret = b;
	return NULL;
}

struct zd_error *zd_btf_host_from_files(const char *btf_path,
					const char *kallsyms_path,
					struct zd_btf_host **ret)
{
	struct zd_btf_host *b = calloc(1, sizeof(*b));
	struct zd_error *err;

	if (!b)
		return &zd_error_nomem;
	if ((err = zd_btf_from_file(btf_path, &b->btf)) ||
	    (err = zd_kallsyms_parse(kallsyms_path, 0, &b->ks))) {
		zd_btf_host_close(b);
		return err;
	}
	snprintf(b->what, sizeof(b->what),
		 "%s (%zu types) and %s (%zu symbols)", btf_path,
		 zd_btf_type_count(b->btf), kallsyms_path,
		 zd_kallsyms_count(b->ks));
	*ret = b;
	return NULL;
}

const char *zd_btf_host_describe(const struct zd_btf_host *b)
{
	return b->what;
}

static struct zd_error *symbol(void *arg, const char *name, uint64_t *addr,
			       uint64_t *size)
{
	return zd_kallsyms_lookup(((struct zd_btf_host *)arg)->ks, name, addr,
				  size);
}

static struct zd_error *symbolize(void *arg, uint64_t addr, char *name,
				  size_t len, uint64_t *offset)
{
	return zd_kallsyms_symbolize(((struct zd_btf_host *)arg)->ks, addr,
				     name, len, offset);
}

static struct zd_error *type_size(void *arg, const char *type, uint64_t *size)
{
	return zd_btf_type_size(((struct zd_btf_host *)arg)->btf, type, size);
}

static struct zd_error *member(void *arg, const char *type, const char *member,
			       uint64_t *offset, uint64_t *size)
{
	return zd_btf_member(((struct zd_btf_host *)arg)->btf, type, member,
			     offset, size);
}

static struct zd_error *enumerator(void *arg, const char *name, int64_t *value)
{
	return zd_btf_enumerator(((struct zd_btf_host *)arg)->btf, name, value);
}

void zd_btf_host_types(struct zd_btf_host *b, struct zd_types *t)
{
	memset(t, 0, sizeof(*t));
	t->arg = b;
	t->symbol = symbol;
	t->symbolize = symbolize;
	t->type_size = type_size;
	t->member = member;
	t->enumerator = enumerator;
}

void zd_btf_host_close(struct zd_btf_host *b)
{
	if (!b)
		return;
	if (b->btf)
		zd_btf_free(b->btf);
	if (b->ks)
		zd_kallsyms_free(b->ks);
	free(b);
}
