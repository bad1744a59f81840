// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * File-size sanity of ELF cores (the program headers) and kdump-compressed
 * dumps (makedumpfile's diskdump_mod.h: header, sub-header, two bitmaps,
 * then one page_desc per dumped page pointing at its data).
 */
#include <elf.h>
#include <errno.h>
#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumpcheck.h"

/* disk_dump_header on 64-bit little-endian: fields after the utsname. */
#define DD_BLOCK_SIZE 428
#define DD_SUB_HDR_SIZE 432
#define DD_BITMAP_BLOCKS 436
#define DD_PAGE_DESC_SIZE 24
/* Page descriptors checked at the end of the table (zero pages share data). */
#define DD_TAIL_DESCS 4096
#define BITMAP_CHUNK (1 << 20)

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

static struct zd_error *truncated(const char *path, uint64_t want,
				  uint64_t have)
{
	return zd_error_create(
		ZD_ERR_FORMAT,
		"%s: dump truncated: its data runs to byte %llu, the file has %llu",
		path, (unsigned long long)want, (unsigned long long)have);
}

static struct zd_error *check_elf(int fd, const char *path, uint64_t size)
{
	Elf64_Ehdr eh;
	uint64_t end = 0;

	if (pread_full(fd, &eh, sizeof(eh), 0) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr))
		return NULL; /* not ours to judge; libkdumpfile will */
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		if (pread_full(fd, &ph, sizeof(ph),
			       eh.e_phoff + (uint64_t)i * sizeof(ph)))
			return truncated(path,
					 eh.e_phoff + (i + 1ULL) * sizeof(ph),
					 size);
		if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz > end)
			end = ph.p_offset + ph.p_filesz;
	}
	return end > size ? truncated(path, end, size) : NULL;
}

static struct zd_error *check_diskdump(int fd, const char *path, uint64_t size)
{
	uint8_t hdr[DD_BITMAP_BLOCKS + 4], *bm = NULL, *desc = NULL;
	uint32_t bs, sub, blocks;
	uint64_t bm_off, bm_len, ndesc = 0, desc_off, first, end = 0;
	struct zd_error *err = NULL;

	if (pread_full(fd, hdr, sizeof(hdr), 0))
		return truncated(path, sizeof(hdr), size);
	memcpy(&bs, hdr + DD_BLOCK_SIZE, 4);
	memcpy(&sub, hdr + DD_SUB_HDR_SIZE, 4);
	memcpy(&blocks, hdr + DD_BITMAP_BLOCKS, 4);
	if (!bs || bs & (bs - 1) || bs > (1U << 20) || sub > (1U << 20) ||
	    !blocks || blocks > (1U << 24))
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: corrupt kdump header (block size %u, bitmap blocks %u)",
			path, bs, blocks);
	/* The second bitmap says which pages were written. */
	bm_len = (uint64_t)blocks * bs / 2;
	bm_off = (1ULL + sub) * bs + bm_len;
	desc_off = (1ULL + sub + blocks) * bs;
	if (desc_off > size)
		return truncated(path, desc_off, size);
	if (bm_off + bm_len > size)
		return truncated(path, bm_off + bm_len, size);
	/* Count the set bits a chunk at a time: memory stays bounded. */
	bm = malloc(BITMAP_CHUNK);
	if (!bm)
		return &zd_error_nomem;
	for (uint64_t done = 0; done < bm_len; done += BITMAP_CHUNK) {
		size_t n = bm_len - done < BITMAP_CHUNK ? bm_len - done :
							  BITMAP_CHUNK;

		if (pread_full(fd, bm, n, bm_off + done)) {
			err = truncated(path, bm_off + bm_len, size);
			goto out;
		}
		for (size_t i = 0; i < n; i++)
			ndesc += (uint64_t)__builtin_popcount(bm[i]);
	}
	if (desc_off + ndesc * DD_PAGE_DESC_SIZE > size) {
		err = truncated(path, desc_off + ndesc * DD_PAGE_DESC_SIZE,
				size);
		goto out;
	}
	first = ndesc > DD_TAIL_DESCS ? ndesc - DD_TAIL_DESCS : 0;
	desc = malloc((ndesc - first) * DD_PAGE_DESC_SIZE + 1);
	if (!desc) {
		err = &zd_error_nomem;
		goto out;
	}
	if (pread_full(fd, desc, (ndesc - first) * DD_PAGE_DESC_SIZE,
		       desc_off + first * DD_PAGE_DESC_SIZE))
		goto out; /* cannot happen after the size test */
	for (uint64_t i = 0; i < ndesc - first; i++) {
		int64_t off;
		uint32_t len;

		memcpy(&off, desc + i * DD_PAGE_DESC_SIZE, 8);
		memcpy(&len, desc + i * DD_PAGE_DESC_SIZE + 8, 4);
		if (off > 0 && (uint64_t)off + len > end)
			end = (uint64_t)off + len;
	}
	if (end > size)
		err = truncated(path, end, size);
out:
	free(bm);
	free(desc);
	return err;
}

struct zd_error *zd_dump_check_size(int fd, const char *path)
{
	struct stat st;
	char magic[8];

	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    pread_full(fd, magic, sizeof(magic), 0))
		return NULL;
	if (!memcmp(magic, ELFMAG, SELFMAG))
		return check_elf(fd, path, (uint64_t)st.st_size);
	if (!memcmp(magic, "KDUMP   ", 8))
		return check_diskdump(fd, path, (uint64_t)st.st_size);
	return NULL;
}
