// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Dump headers checked against the file before libkdumpfile 0.5.1 reads
 * them.  Its file cache maps the dump in 4 MiB windows and checks only that
 * the first page of a read lies inside the file, so a note, section or
 * header that runs past the end touches pages beyond it (SIGBUS); it reads a
 * compressed page of up to 256 KiB into a buffer of one block; it takes a
 * header's entry size to be the structure's.  The fields checked here are
 * the ones its readers follow: elfdump.c (init_elf64, init_elf32,
 * walk_elf_notes, init_strtab, the named sections of open_common),
 * diskdump.c (try_header, read_sub_hdr_64, read_bitmap, read_notes,
 * diskdump_read_page) and notes.c (do_notes and the notes it parses); the
 * kdump layout is makedumpfile's diskdump_mod.h.
 *
 * What lies past the end of the file is judged once every piece the headers
 * place is known: the file is truncated when the earliest piece past the end
 * starts inside the file and nothing inside the file starts after it (dumps
 * are written front to back, so a cut copy looks like that); anything else
 * past the end is a corrupt field, named with its value.
 */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dumpcheck.h"

/* ---- opening regular files only ---------------------------------------- */

static const char *file_kind(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "fifo";
	if (S_ISDIR(mode))
		return "directory";
	if (S_ISSOCK(mode))
		return "socket";
	if (S_ISBLK(mode))
		return "block device";
	if (S_ISCHR(mode))
		return "character device";
	return "not a file type zdref knows";
}

/* errno survives, for callers that word the error themselves. */
static struct zd_error *errno_error(const char *path)
{
	int e = errno;
	struct zd_error *err =
		zd_error_create(ZD_ERR_IO, "%s: %s", path, strerror(e));

	errno = e;
	return err;
}

struct zd_error *zd_open_regular(const char *path, int *fd, uint64_t *size)
{
	struct stat st;
	int flags, e;

	*fd = -1;
	if (stat(path, &st))
		return errno_error(path);
	if (!S_ISREG(st.st_mode))
		goto not_regular;
	*fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (*fd < 0)
		return errno_error(path);
	/* The path may name something else since the stat(). */
	if (fstat(*fd, &st))
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		close(*fd);
		*fd = -1;
		goto not_regular;
	}
	flags = fcntl(*fd, F_GETFL);
	if (flags < 0 || fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK))
		goto fail;
	if (size)
		*size = (uint64_t)st.st_size;
	return NULL;
not_regular:
	return zd_error_create(ZD_ERR_FORMAT, "%s: not a regular file (%s)",
			       path, file_kind(st.st_mode));
fail:
	e = errno;
	close(*fd);
	*fd = -1;
	errno = e;
	return errno_error(path);
}

/* ---- pieces of the file and reading them ------------------------------- */

/* Large reads: the page descriptor table is 24 bytes a dumped page. */
#define CHUNK (1U << 20)

enum { RD_TABLE, RD_NOTES, RD_BITMAP, RD_DESC, RD_COUNT };

struct reader {
	uint8_t *buf;
	uint64_t off;
	size_t len;
};

struct check {
	int fd;
	const char *path;
	uint64_t size;
	bool any_in, any_out;
	uint64_t last_in; /* the latest start of a piece inside the file */
	uint64_t out_start, out_end; /* the earliest piece past the end */
	char out_what[256];
	/* One per stream, so that walking one does not evict another. */
	struct reader rd[RD_COUNT];
};

/* The fast path of piece(), for the many pieces inside the file. */
static inline bool in_file(struct check *c, uint64_t off, uint64_t len)
{
	if (len > c->size || off > c->size - len)
		return false;
	if (!c->any_in || off > c->last_in)
		c->last_in = off;
	c->any_in = true;
	return true;
}

/*
 * Records a piece the headers place at [off, off + len): true when it lies
 * inside the file and may be read.  Only the earliest piece past the end is
 * described, so the description is formatted rarely.
 */
__attribute__((format(printf, 4, 5))) static bool
piece(struct check *c, uint64_t off, uint64_t len, const char *fmt, ...)
{
	va_list ap;

	if (!len || in_file(c, off, len))
		return true;
	if (c->any_out && off >= c->out_start)
		return false;
	c->any_out = true;
	c->out_start = off;
	c->out_end = len > UINT64_MAX - off ? UINT64_MAX : off + len;
	va_start(ap, fmt);
	vsnprintf(c->out_what, sizeof(c->out_what), fmt, ap);
	va_end(ap);
	return false;
}

static struct zd_error *past_end(const struct check *c)
{
	if (!c->any_out)
		return NULL;
	if (c->out_start <= c->size &&
	    (!c->any_in || c->last_in < c->out_start))
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: dump truncated: %s ends at byte %llu, the file has %llu bytes",
			c->path, c->out_what, (unsigned long long)c->out_end,
			(unsigned long long)c->size);
	return zd_error_create(
		ZD_ERR_FORMAT, "%s: %s: past the end of the file (%llu bytes)",
		c->path, c->out_what, (unsigned long long)c->size);
}

static int pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			errno = 0;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/*
 * n bytes at pos of a piece ending at end (pos + n <= end <= file size,
 * which piece() established), from the reader's buffer or a read of up to
 * CHUNK bytes of the piece.  NULL with errno on a read error.
 */
static inline const uint8_t *rd_at(struct check *c, int which, uint64_t pos,
				   size_t n, uint64_t end)
{
	struct reader *r = &c->rd[which];
	size_t want;

	if (pos >= r->off && pos - r->off <= r->len &&
	    n <= r->len - (pos - r->off))
		return r->buf + (pos - r->off);
	want = end - pos < CHUNK ? (size_t)(end - pos) : CHUNK;
	if (want < n)
		want = n;
	r->len = 0;
	if (pread_full(c->fd, r->buf, want, pos))
		return NULL;
	r->off = pos;
	r->len = want;
	return r->buf;
}

static struct zd_error *read_error(const struct check *c, uint64_t pos)
{
	return zd_error_create(ZD_ERR_IO, "%s: reading byte %llu: %s", c->path,
			       (unsigned long long)pos,
			       errno ? strerror(errno) :
				       "the file shrank while it was checked");
}

/* Little-endian fields of 1, 2, 4 or 8 bytes, as single loads. */
static inline uint64_t le(const uint8_t *p, size_t n)
{
	uint16_t v16;
	uint32_t v32;
	uint64_t v64;

	switch (n) {
	case 1:
		return *p;
	case 2:
		memcpy(&v16, p, 2);
		return le16toh(v16);
	case 4:
		memcpy(&v32, p, 4);
		return le32toh(v32);
	default:
		memcpy(&v64, p, 8);
		return le64toh(v64);
	}
}

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* A little-endian field of an <elf.h> structure at p. */
#define FIELD(p, type, member) \
	le((p) + offsetof(type, member), sizeof(((type *)0)->member))

/* ---- notes ------------------------------------------------------------- */

#define NOTE_HEADER 12 /* n_namesz, n_descsz, n_type */
#define PAD4(x) (((uint64_t)(x) + 3) & ~(uint64_t)3)

/*
 * Notes whose descriptor libkdumpfile reads at fixed offsets without looking
 * at n_descsz (process_xc_xen_note), or whose empty descriptor leaves the
 * status of vmcoreinfo_raw_post_hook() unset.
 */
static const struct {
	const char *name;
	int type; /* -1: any */
	uint32_t min_descsz;
} note_min[] = {
	{ ".note.Xen", 0x2000001, 32 }, /* DUMPCORE_HEADER: xch_page_size */
	{ ".note.Xen", 0x2000003, 8 }, /* DUMPCORE_FORMAT_VERSION */
	{ "VMCOREINFO", -1, 1 },
	{ "VMCOREINFO_XEN", -1, 1 },
};

static struct zd_error *check_note_desc(struct check *c, uint64_t at,
					uint32_t namesz, uint32_t descsz,
					uint32_t type, const char *where,
					unsigned int idx)
{
	const uint8_t *name = NULL;

	for (size_t i = 0; i < sizeof(note_min) / sizeof(note_min[0]); i++) {
		size_t len = strlen(note_min[i].name);

		/* notes.c's note_equal(): the NUL may or may not be counted. */
		if ((namesz != len && namesz != len + 1) ||
		    (note_min[i].type >= 0 &&
		     (uint32_t)note_min[i].type != type) ||
		    descsz >= note_min[i].min_descsz)
			continue;
		if (!name && !(name = rd_at(c, RD_NOTES, at + NOTE_HEADER,
					    namesz, at + NOTE_HEADER + namesz)))
			return read_error(c, at + NOTE_HEADER);
		if (memcmp(name, note_min[i].name, namesz))
			continue;
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: %s: note %u (%s, type %#x) at byte %llu: n_descsz %u, it needs %u",
			c->path, where, idx, note_min[i].name, type,
			(unsigned long long)at, descsz, note_min[i].min_descsz);
	}
	return NULL;
}

/* Every note's name and descriptor inside the notes at [off, off + len). */
static struct zd_error *check_notes(struct check *c, uint64_t off, uint64_t len,
				    const char *where)
{
	uint64_t pos = 0;
	struct zd_error *err;

	/* do_notes() stops where fewer bytes than a note header are left. */
	for (unsigned int i = 0; len - pos >= NOTE_HEADER; i++) {
		const uint8_t *p =
			rd_at(c, RD_NOTES, off + pos, NOTE_HEADER, off + len);
		uint32_t namesz, descsz, type;
		uint64_t descoff, next;

		if (!p)
			return read_error(c, off + pos);
		namesz = (uint32_t)le(p, 4);
		descsz = (uint32_t)le(p + 4, 4);
		type = (uint32_t)le(p + 8, 4);
		descoff = NOTE_HEADER + PAD4(namesz);
		/* do_notes() would drop this note and the rest silently. */
		if (descoff + descsz > len - pos)
			return zd_error_create(
				ZD_ERR_FORMAT,
				"%s: %s: note %u at byte %llu: n_namesz %u, n_descsz %u run past the notes' %llu bytes",
				c->path, where, i,
				(unsigned long long)(off + pos), namesz, descsz,
				(unsigned long long)len);
		err = check_note_desc(c, off + pos, namesz, descsz, type, where,
				      i);
		if (err)
			return err;
		next = descoff + PAD4(descsz);
		if (next >= len - pos)
			break;
		pos += next;
	}
	return NULL;
}

/* ---- ELF cores --------------------------------------------------------- */

static struct zd_error *bad_entsize(const struct check *c, const char *field,
				    uint64_t value, size_t want)
{
	return zd_error_create(
		ZD_ERR_FORMAT,
		"%s: ELF header: %s %llu, smaller than the %zu bytes of an entry",
		c->path, field, (unsigned long long)value, want);
}

static struct zd_error *check_elf(struct check *c)
{
	const uint8_t *p;
	bool is64;
	size_t ehsize, phsize, shsize;
	uint64_t phoff, shoff, phnum, shnum, phentsize, shentsize, len;
	struct zd_error *err;
	char where[64];

	if (!piece(c, 0, EI_NIDENT, "ELF identification"))
		return past_end(c);
	if (!(p = rd_at(c, RD_TABLE, 0, EI_NIDENT, EI_NIDENT)))
		return read_error(c, 0);
	if (p[EI_DATA] == ELFDATA2MSB)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: ELF header: big-endian (EI_DATA %u): zdref reads x86_64 dumps",
			c->path, p[EI_DATA]);
	/* Not libkdumpfile's either: it refuses them itself. */
	if (p[EI_DATA] != ELFDATA2LSB ||
	    (p[EI_CLASS] != ELFCLASS64 && p[EI_CLASS] != ELFCLASS32))
		return NULL;
	is64 = p[EI_CLASS] == ELFCLASS64;
	ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	shsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (!piece(c, 0, ehsize, "ELF header"))
		return past_end(c);
	if (!(p = rd_at(c, RD_TABLE, 0, ehsize, ehsize)))
		return read_error(c, 0);
#define EH(m) (is64 ? FIELD(p, Elf64_Ehdr, m) : FIELD(p, Elf32_Ehdr, m))
	if (EH(e_type) != ET_CORE || EH(e_version) != EV_CURRENT)
		return NULL;
	phoff = EH(e_phoff);
	shoff = EH(e_shoff);
	phnum = EH(e_phnum);
	shnum = EH(e_shnum);
	phentsize = EH(e_phentsize);
	shentsize = EH(e_shentsize);
#undef EH
#define SH(m) (is64 ? FIELD(p, Elf64_Shdr, m) : FIELD(p, Elf32_Shdr, m))
#define PH(m) (is64 ? FIELD(p, Elf64_Phdr, m) : FIELD(p, Elf32_Phdr, m))

	/*
	 * Extended numbering: init_elf64() takes the counts from section
	 * header 0, reading e_shentsize bytes there as one.
	 */
	if (shoff && (!shnum || phnum == PN_XNUM)) {
		if (shentsize < shsize)
			return bad_entsize(c, "e_shentsize", shentsize, shsize);
		if (piece(c, shoff, shentsize,
			  "ELF section header 0 (e_shoff %llu, e_shnum %llu, e_shentsize %llu)",
			  (unsigned long long)shoff, (unsigned long long)shnum,
			  (unsigned long long)shentsize)) {
			if (!(p = rd_at(c, RD_TABLE, shoff, shsize,
					shoff + shsize)))
				return read_error(c, shoff);
			if (!shnum)
				shnum = SH(sh_size);
			if (shnum && phnum == PN_XNUM)
				phnum = SH(sh_info);
		} else {
			/* Counts unknown: judged by what is known. */
			shnum = 0;
			if (phnum == PN_XNUM)
				phnum = 0;
		}
	}

	if (phnum) {
		if (phentsize < phsize)
			return bad_entsize(c, "e_phentsize", phentsize, phsize);
		len = phnum * phentsize; /* both < 2^32: no overflow */
		if (piece(c, phoff, len,
			  "ELF program headers (e_phoff %llu, %llu of %llu bytes)",
			  (unsigned long long)phoff, (unsigned long long)phnum,
			  (unsigned long long)phentsize)) {
			for (uint64_t i = 0; i < phnum; i++) {
				uint64_t at = phoff + i * phentsize;
				uint64_t type, off, filesz;

				if (!(p = rd_at(c, RD_TABLE, at, phsize,
						phoff + len)))
					return read_error(c, at);
				type = PH(p_type);
				if (type != PT_LOAD && type != PT_NOTE)
					continue;
				off = PH(p_offset);
				filesz = PH(p_filesz);
				snprintf(where, sizeof(where),
					 "ELF program header %llu (%s)",
					 (unsigned long long)i,
					 type == PT_LOAD ? "PT_LOAD" :
							   "PT_NOTE");
				if (piece(c, off, filesz,
					  "%s: p_offset %llu + p_filesz %llu",
					  where, (unsigned long long)off,
					  (unsigned long long)filesz) &&
				    type == PT_NOTE &&
				    (err = check_notes(c, off, filesz, where)))
					return err;
			}
		}
	}

	if (shnum) {
		if (shentsize < shsize)
			return bad_entsize(c, "e_shentsize", shentsize, shsize);
		len = shnum > UINT64_MAX / shentsize ? UINT64_MAX :
						       shnum * shentsize;
		/*
		 * libkdumpfile reads sections by name (the string table,
		 * .note.Xen, .xen_p2m, ...) whatever their type: all are
		 * checked.
		 */
		if (piece(c, shoff, len,
			  "ELF section headers (e_shoff %llu, %llu of %llu bytes)",
			  (unsigned long long)shoff, (unsigned long long)shnum,
			  (unsigned long long)shentsize)) {
			for (uint64_t i = 0; i < shnum; i++) {
				uint64_t at = shoff + i * shentsize;
				uint64_t off, size;

				if (!(p = rd_at(c, RD_TABLE, at, shsize,
						shoff + len)))
					return read_error(c, at);
				off = SH(sh_offset);
				size = SH(sh_size);
				piece(c, off, size,
				      "ELF section header %llu: sh_offset %llu + sh_size %llu",
				      (unsigned long long)i,
				      (unsigned long long)off,
				      (unsigned long long)size);
			}
		}
	}
#undef SH
#undef PH
	return past_end(c);
}

/* ---- kdump-compressed (diskdump) files --------------------------------- */

/*
 * disk_dump_header: the signature, header_version, a utsname of 6 × 65
 * bytes, a struct timeval, then these (64-bit layout: 8-byte timeval
 * fields).  libkdumpfile also tries the 32-bit layout (4-byte fields),
 * first.
 */
#define DD_VERSION 8
#define DD_BLOCK_SIZE 428
#define DD_SUB_HDR_SIZE 432
#define DD_BITMAP_BLOCKS 436
#define DD_MAX_MAPNR 440
#define DD_HEADER_SIZE 464
#define DD32_BLOCK_SIZE 416
#define DD32_BITMAP_BLOCKS 424
#define DD32_MAX_MAPNR 428

/* kdump_sub_header (64-bit), at block 1; the header_version that added it. */
#define KS_SPLIT 12 /* 2 */
#define KS_START_PFN 16 /* 2 */
#define KS_END_PFN 24 /* 2 */
#define KS_OFFSET_VMCOREINFO 32 /* 3 */
#define KS_SIZE_VMCOREINFO 40 /* 3 */
#define KS_OFFSET_NOTE 48 /* 4 */
#define KS_SIZE_NOTE 56 /* 4 */
#define KS_OFFSET_ERASEINFO 64 /* 5 */
#define KS_SIZE_ERASEINFO 72 /* 5 */
#define KS_START_PFN_64 80 /* 6 */
#define KS_END_PFN_64 88 /* 6 */
#define KS_MAX_MAPNR_64 96 /* 6 */
#define KS_SIZE 104

/* page_desc: offset, size, flags, page_flags. */
#define PD_SIZE 24
#define PD_ZLIB 0x1
#define PD_LZO 0x2
#define PD_SNAPPY 0x4
#define PD_ZSTD 0x20
#define PD_COMPRESSED (PD_ZLIB | PD_LZO | PD_SNAPPY | PD_ZSTD)

#define MIN_BLOCK 4096U
#define MAX_BLOCK (1U << 18) /* libkdumpfile's MAX_PAGE_SIZE */

/* try_header(): libkdumpfile reads the header in the first layout passing it. */
static bool dd_plausible(uint64_t bs, uint64_t blocks, uint64_t mapnr)
{
	return bs >= MIN_BLOCK && bs <= MAX_BLOCK && !(bs & (bs - 1)) &&
	       8 * blocks * bs >= mapnr;
}

struct bits {
	uint64_t off; /* file offset of the bitmap libkdumpfile reads */
	uint64_t len; /* its bytes */
	uint64_t start, end; /* the pfns it maps to descriptors */
};

/*
 * Calls fn for every set bit in [start, end): the dumped pages, in the
 * order of their descriptors.  Stops at the first error.
 */
static struct zd_error *each_page(struct check *c, const struct bits *b,
				  struct zd_error *(*fn)(struct check *,
							 uint64_t pfn, void *),
				  void *arg)
{
	struct zd_error *err;

	if (b->start >= b->end)
		return NULL;
	for (uint64_t w = b->start / 64; w * 64 < b->end; w++) {
		const uint8_t *p =
			rd_at(c, RD_BITMAP, b->off + w * 8, 8, b->off + b->len);
		uint64_t word;

		if (!p)
			return read_error(c, b->off + w * 8);
		word = le(p, 8);
		if (w * 64 < b->start)
			word &= ~0ULL << (b->start % 64);
		if (b->end - w * 64 < 64)
			word &= ~(~0ULL << (b->end % 64));
		while (word) {
			err = fn(c, w * 64 + (uint64_t)__builtin_ctzll(word),
				 arg);
			if (err)
				return err;
			word &= word - 1;
		}
	}
	return NULL;
}

static struct zd_error *count_page(struct check *c, uint64_t pfn, void *arg)
{
	(void)c;
	(void)pfn;
	++*(uint64_t *)arg;
	return NULL;
}

struct descs {
	uint64_t off; /* the table */
	uint64_t count;
	uint64_t next; /* index of the next descriptor */
	uint32_t block_size;
};

static struct zd_error *bad_desc(const struct check *c, uint64_t idx,
				 uint64_t pfn, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct zd_error *bad_desc(const struct check *c, uint64_t idx,
				 uint64_t pfn, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return zd_error_create(
		ZD_ERR_FORMAT,
		"%s: kdump page descriptor %llu (pfn 0x%llx): %s", c->path,
		(unsigned long long)idx, (unsigned long long)pfn, what);
}

/* What diskdump_read_page() will follow for this pfn. */
static struct zd_error *check_desc(struct check *c, uint64_t pfn, void *arg)
{
	struct descs *d = arg;
	uint64_t idx = d->next++, at = d->off + idx * PD_SIZE;
	const uint8_t *p =
		rd_at(c, RD_DESC, at, PD_SIZE, d->off + d->count * PD_SIZE);
	int64_t off;
	uint32_t size, flags;

	if (!p)
		return read_error(c, at);
	off = (int64_t)le(p, 8);
	size = (uint32_t)le(p + 8, 4);
	flags = (uint32_t)le(p + 12, 4);
	if ((flags & ~PD_COMPRESSED) || (flags & (flags - 1)))
		return bad_desc(
			c, idx, pfn,
			"flags %#x (known: one of 0x1 zlib, 0x2 lzo, 0x4 snappy, 0x20 zstd, or none)",
			flags);
	/*
	 * Never written: makedumpfile ran out of space (an incomplete dump).
	 * libkdumpfile refuses to read the page ("Wrong page size: 0").
	 */
	if (!off && !size && !flags)
		return NULL;
	if (off < 0)
		return bad_desc(c, idx, pfn, "offset %lld", (long long)off);
	/* Read into a buffer of one block: larger is a heap overflow. */
	if (flags && size > d->block_size)
		return bad_desc(c, idx, pfn, "size %u > block size %u", size,
				d->block_size);
	if (flags && !size)
		return bad_desc(c, idx, pfn, "size 0 of a compressed page");
	if (!flags && size != d->block_size)
		return bad_desc(
			c, idx, pfn,
			"size %u of an uncompressed page, not the block size %u",
			size, d->block_size);
	if (!in_file(c, (uint64_t)off, size))
		piece(c, (uint64_t)off, size,
		      "kdump page descriptor %llu (pfn 0x%llx): offset %lld + size %u",
		      (unsigned long long)idx, (unsigned long long)pfn,
		      (long long)off, size);
	return NULL;
}

static struct zd_error *bad_field(const struct check *c, const char *where,
				  const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static struct zd_error *bad_field(const struct check *c, const char *where,
				  const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return zd_error_create(ZD_ERR_FORMAT, "%s: %s: %s", c->path, where,
			       what);
}

/* An offset and size of the sub-header: off_t and a size. */
static struct zd_error *sub_piece(struct check *c, const uint8_t *sh,
				  int off_at, int size_at, const char *name,
				  bool *inside)
{
	int64_t off = (int64_t)le(sh + off_at, 8);
	uint64_t size = le(sh + size_at, 8);

	*inside = false;
	if (!size)
		return NULL;
	if (off < 0)
		return bad_field(
			c, "kdump sub-header", "offset_%s %lld (size_%s %llu)",
			name, (long long)off, name, (unsigned long long)size);
	*inside = piece(c, (uint64_t)off, size,
			"kdump sub-header: offset_%s %lld + size_%s %llu", name,
			(long long)off, name, (unsigned long long)size);
	return NULL;
}

static struct zd_error *check_diskdump(struct check *c, bool kdump)
{
	uint8_t h[DD_HEADER_SIZE], sh[KS_SIZE];
	const uint8_t *p;
	uint32_t bs, blocks, mapnr;
	int32_t version, sub;
	uint64_t max_pfn, bm_off, bm_len, nbits;
	struct bits b = { .start = 0, .end = UINT64_MAX };
	struct descs d = { 0 };
	struct zd_error *err;
	bool inside;

	if (!piece(c, 0, DD_HEADER_SIZE, "kdump header"))
		return past_end(c);
	if (!(p = rd_at(c, RD_TABLE, 0, DD_HEADER_SIZE, DD_HEADER_SIZE)))
		return read_error(c, 0);
	memcpy(h, p, sizeof(h));
	if (dd_plausible(le(h + DD32_BLOCK_SIZE, 4),
			 le(h + DD32_BITMAP_BLOCKS, 4),
			 le(h + DD32_MAX_MAPNR, 4)) ||
	    dd_plausible(be(h + DD32_BLOCK_SIZE, 4),
			 be(h + DD32_BITMAP_BLOCKS, 4),
			 be(h + DD32_MAX_MAPNR, 4)))
		return bad_field(
			c, "kdump header",
			"libkdumpfile would read it as a 32-bit header (block_size %u at byte %u): zdref reads x86_64 dumps",
			(uint32_t)le(h + DD32_BLOCK_SIZE, 4), DD32_BLOCK_SIZE);
	bs = (uint32_t)le(h + DD_BLOCK_SIZE, 4);
	blocks = (uint32_t)le(h + DD_BITMAP_BLOCKS, 4);
	mapnr = (uint32_t)le(h + DD_MAX_MAPNR, 4);
	if (!dd_plausible(bs, blocks, mapnr)) {
		if (dd_plausible(be(h + DD_BLOCK_SIZE, 4),
				 be(h + DD_BITMAP_BLOCKS, 4),
				 be(h + DD_MAX_MAPNR, 4)))
			return bad_field(
				c, "kdump header",
				"big-endian: zdref reads x86_64 dumps");
		if (!dd_plausible(bs, 0, 0))
			return bad_field(
				c, "kdump header",
				"block_size %d (want a power of two from %u to %u)",
				(int32_t)bs, MIN_BLOCK, MAX_BLOCK);
		return bad_field(
			c, "kdump header",
			"bitmap_blocks %u of %u bytes hold %llu bits, fewer than max_mapnr %u",
			blocks, bs, 8ULL * blocks * bs, mapnr);
	}
	version = (int32_t)le(h + DD_VERSION, 4);
	sub = (int32_t)le(h + DD_SUB_HDR_SIZE, 4);
	if (version < 0)
		return bad_field(c, "kdump header", "header_version %d",
				 version);
	if (sub < 0 || (version >= 1 && (uint64_t)sub * bs < KS_SIZE))
		return bad_field(
			c, "kdump header",
			"sub_hdr_size %d blocks (the sub-header has %d bytes)",
			sub, KS_SIZE);
	bm_off = (1ULL + (uint64_t)sub) * bs;
	bm_len = (uint64_t)blocks * bs;
	inside = piece(
		c, bm_off, bm_len,
		"kdump bitmaps (sub_hdr_size %d, bitmap_blocks %u of %u bytes at byte %llu)",
		sub, blocks, bs, (unsigned long long)bm_off);
	max_pfn = mapnr;

	if (version >= 1) {
		bool sub_inside;

		if (!piece(c, bs, KS_SIZE, "kdump sub-header"))
			return past_end(c);
		if (!(p = rd_at(c, RD_TABLE, bs, KS_SIZE, bs + KS_SIZE)))
			return read_error(c, bs);
		memcpy(sh, p, sizeof(sh));
		if (version >= 6) {
			max_pfn = le(sh + KS_MAX_MAPNR_64, 8);
			/* The header keeps min(max_mapnr_64, UINT_MAX). */
			if (max_pfn != mapnr &&
			    (max_pfn <= UINT32_MAX || mapnr != UINT32_MAX))
				return bad_field(
					c, "kdump sub-header",
					"max_mapnr_64 %llu, but the header's max_mapnr is %u",
					(unsigned long long)max_pfn, mapnr);
		}
		if (version >= 2 && le(sh + KS_SPLIT, 4)) {
			b.start = le(sh + (version >= 6 ? KS_START_PFN_64 :
							  KS_START_PFN),
				     8);
			b.end = le(sh + (version >= 6 ? KS_END_PFN_64 :
							KS_END_PFN),
				   8);
		}
		if (version >= 3) {
			/* Version 3 reads it, and an empty one badly. */
			if (version == 3 && !le(sh + KS_SIZE_VMCOREINFO, 8))
				return bad_field(c, "kdump sub-header",
						 "size_vmcoreinfo 0");
			if ((err = sub_piece(c, sh, KS_OFFSET_VMCOREINFO,
					     KS_SIZE_VMCOREINFO, "vmcoreinfo",
					     &sub_inside)))
				return err;
		}
		if (version >= 4) {
			if ((err = sub_piece(c, sh, KS_OFFSET_NOTE,
					     KS_SIZE_NOTE, "note",
					     &sub_inside)))
				return err;
			if (sub_inside &&
			    (err = check_notes(c, le(sh + KS_OFFSET_NOTE, 8),
					       le(sh + KS_SIZE_NOTE, 8),
					       "kdump notes")))
				return err;
		}
		if (version >= 5 && (err = sub_piece(c, sh, KS_OFFSET_ERASEINFO,
						     KS_SIZE_ERASEINFO,
						     "eraseinfo", &sub_inside)))
			return err;
	}

	/*
	 * read_bitmap(): the second of two bitmaps when the pages fit in
	 * half, else all of it as one (the old diskdump's single bitmap).
	 * makedumpfile always writes two.
	 */
	nbits = bm_len * 8;
	if (max_pfn <= nbits / 2) {
		b.off = bm_off + bm_len / 2;
		b.len = bm_len / 2;
	} else if (kdump) {
		return bad_field(
			c, "kdump bitmaps",
			"bitmap_blocks %u of %u bytes hold two bitmaps of %llu pages, max_mapnr%s %llu claims more",
			blocks, bs, (unsigned long long)(nbits / 2),
			version >= 6 ? "_64" : "", (unsigned long long)max_pfn);
	} else {
		b.off = bm_off;
		b.len = bm_len;
	}
	if (b.end > b.len * 8)
		b.end = b.len * 8;
	if (!inside)
		return past_end(c);

	/* Descriptors follow the bitmaps, one per set bit. */
	if ((err = each_page(c, &b, count_page, &d.count)))
		return err;
	d.off = bm_off + bm_len;
	d.block_size = bs;
	if (!piece(c, d.off, d.count * PD_SIZE,
		   "kdump page descriptor table (%llu descriptors at byte %llu)",
		   (unsigned long long)d.count, (unsigned long long)d.off))
		return past_end(c);
	if ((err = each_page(c, &b, check_desc, &d)))
		return err;
	return past_end(c);
}

struct zd_error *zd_dump_check_size(int fd, const char *path)
{
	struct check c = { .fd = fd, .path = path };
	struct zd_error *err = NULL;
	struct stat st;
	uint8_t magic[8];
	size_t n;

	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		return NULL;
	c.size = (uint64_t)st.st_size;
	n = c.size < sizeof(magic) ? (size_t)c.size : sizeof(magic);
	if (pread_full(fd, magic, n, 0))
		return read_error(&c, 0);
	if (n < SELFMAG || (memcmp(magic, ELFMAG, SELFMAG) &&
			    (n < 8 || (memcmp(magic, "KDUMP   ", 8) &&
				       memcmp(magic, "DISKDUMP", 8)))))
		return NULL; /* not ours to judge; libkdumpfile will */
	for (int i = 0; i < RD_COUNT; i++) {
		c.rd[i].buf = malloc(CHUNK);
		if (!c.rd[i].buf) {
			err = &zd_error_nomem;
			goto out;
		}
	}
	if (!memcmp(magic, ELFMAG, SELFMAG))
		err = check_elf(&c);
	else
		err = check_diskdump(&c, !memcmp(magic, "KDUMP   ", 8));
out:
	for (int i = 0; i < RD_COUNT; i++)
		free(c.rd[i].buf);
	return err;
}
