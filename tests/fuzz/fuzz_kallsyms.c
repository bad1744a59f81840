// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_kallsyms: cli/kallsyms.c.  Byte 0 bit 0 picks the entry point:
 *
 * 0, zd_kallsyms_decode(): the image (from byte 56) is kernel memory at
 * IMAGE; a read outside it, or touching IMAGE + tear and beyond when tear
 * is set, fails with ZD_ERR_FAULT.  The tables are at IMAGE + offset:
 *
 *    1  u8   which of the eight below are given (bit i: field i; a field
 *            not given is 0, "VMCOREINFO has no such line")
 *    4  u32  names, num_syms, token_table, token_index, offsets,
 *            relative_base, addresses (offsets into the image)
 *   32  u32  tear (0: none)
 *   40  u64  SYMBOL(_stext), an address (bit 7 of byte 1)
 *   48  u64  an address to symbolize afterwards
 *
 * 1, zd_kallsyms_parse(): bytes 16.. are the file (through a memfd), with
 * the u64 at byte 8 as KERNELOFFSET.
 *
 * A table that decodes is then asked what the standalone asks: count,
 * encoding, lookups, symbolize, module.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "zdref/error.h"
#include "kallsyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define IMAGE 0xffffffff82000000ull
#define DECODE_HDR 56
#define PARSE_HDR 16

struct mem {
	const uint8_t *data;
	size_t len;
	uint64_t tear; /* reads touching [tear, ...) fail; 0: none */
};

static struct zd_error *mem_read(void *arg, uint64_t addr, void *buf,
				 size_t len)
{
	const struct mem *m = arg;

	if (m->tear && addr + len > m->tear)
		return zd_error_create(ZD_ERR_FAULT, "0x%llx: torn off",
				       (unsigned long long)addr);
	if (addr < IMAGE || addr - IMAGE > m->len ||
	    len > m->len - (addr - IMAGE))
		return zd_error_create(ZD_ERR_FAULT,
				       "0x%llx: not in the fake dump",
				       (unsigned long long)addr);
	memcpy(buf, m->data + (addr - IMAGE), len);
	return NULL;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* What the standalone and the core ask a symbol table. */
static void query(const struct zd_kallsyms *ks, uint64_t probe)
{
	static const char *const names[] = {
		"_stext",	   "_text",	       "mem_section",
		"pgmap_array",	   "__per_cpu_offset", "nr_cpu_ids",
		"bit_wait_table",  "__start_BTF",      "__stop_BTF",
		"",		   "dev_pagemap_percpu_release",
	};
	char name[128];
	uint64_t addr, sz, off;

	if (getenv("ZDREF_FUZZ_DEBUG"))
		printf("%zu symbols, %s\n", zd_kallsyms_count(ks),
		       zd_kallsyms_encoding(ks));
	if (strlen(zd_kallsyms_encoding(ks)) >= 96)
		abort();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct zd_error *err = zd_kallsyms_lookup(ks, names[i], &addr,
							  i & 1 ? NULL : &sz);

		if (!err) {
			zd_error_destroy(zd_kallsyms_symbolize(
				ks, addr, name, sizeof(name), &off));
			(void)zd_kallsyms_module(ks, addr);
		}
		zd_error_destroy(err);
	}
	zd_error_destroy(
		zd_kallsyms_symbolize(ks, probe, name, sizeof(name), &off));
	zd_error_destroy(zd_kallsyms_symbolize(ks, probe, name, 1, NULL));
	zd_error_destroy(zd_kallsyms_symbolize(ks, probe, name, 0, NULL));
	(void)zd_kallsyms_module(ks, probe);
}

static void decode(const uint8_t *data, size_t size)
{
	struct mem m = { data + DECODE_HDR, size - DECODE_HDR, 0 };
	struct zd_kallsyms_tables tab = { 0 };
	uint64_t *const field[7] = {
		&tab.names,	  &tab.num_syms, &tab.token_table,
		&tab.token_index, &tab.offsets,	 &tab.relative_base,
		&tab.addresses,
	};
	struct zd_kallsyms *ks = NULL;
	struct zd_error *err;
	uint8_t given = data[1];

	for (int i = 0; i < 7; i++)
		if (given & (1u << i))
			*field[i] = IMAGE + le32(data + 4 + 4 * i);
	if (given & 0x80)
		tab.stext = le64(data + 40);
	if (le32(data + 32))
		m.tear = IMAGE + le32(data + 32);
	err = zd_kallsyms_decode(mem_read, &m, &tab, &ks);
	if (err) {
		if (ks)
			abort(); /* an error with a table */
		if (getenv("ZDREF_FUZZ_DEBUG"))
			printf("decode: %s\n", err->message);
		zd_error_destroy(err);
		return;
	}
	if (!ks)
		abort();
	query(ks, le64(data + 48));
	zd_kallsyms_free(ks);
}

static void parse(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-kallsyms", MFD_CLOEXEC);
	struct zd_kallsyms *ks = NULL;
	struct zd_error *err;
	char path[64];

	if (fd < 0)
		abort();
	if (size > PARSE_HDR &&
	    write(fd, data + PARSE_HDR, size - PARSE_HDR) !=
		    (ssize_t)(size - PARSE_HDR))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err = zd_kallsyms_parse(path, le64(data + 8), &ks);
	close(fd);
	if (err) {
		if (ks)
			abort();
		if (getenv("ZDREF_FUZZ_DEBUG"))
			printf("parse: %s\n", err->message);
		zd_error_destroy(err);
		return;
	}
	query(ks, le64(data + 8) ^ 0xffffffff81000000ull);
	zd_kallsyms_free(ks);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1) {
		if (size >= PARSE_HDR)
			parse(data, size);
	} else if (size >= DECODE_HDR) {
		decode(data, size);
	}
	return 0;
}
