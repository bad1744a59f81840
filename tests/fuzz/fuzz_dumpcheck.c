// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_dumpcheck: cli/dumpcheck.c's zd_dump_check_size(), the validator of
 * dump headers, over the input as a file (a memfd), reached the way
 * cli/kdump_memory.c's open_dump() reaches it: zd_flattened_open() first,
 * then the check of the rebuilt file when the input was a flattened stream
 * (else of the input itself); a flattened error stops there.  Besides
 * crashes, hangs and leaks, it checks:
 *
 *   - an error is ZD_ERR_FORMAT or ZD_ERR_IO (ZD_ERR_NOMEM aside), and
 *     its message is one line (no control characters) that names the
 *     file (a FORMAT error starts with its path);
 *   - a rejected flattened stream leaves no descriptor (*out == -1);
 *   - no file descriptor leaks either way;
 *   - an ELF core the check passes has, by a model written from <elf.h>
 *     (not from dumpcheck.c), its program header table and every
 *     PT_LOAD and PT_NOTE segment (p_offset + p_filesz) inside the file,
 *     and every note of a PT_NOTE within the segment; a kdump-compressed
 *     file it passes has its header (and sub-header, header_version 1+)
 *     inside the file.
 */
#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdref/error.h"
#include "dumpcheck.h"
#include "flattened.h"
#include "fuzzfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PATH "fuzz.core"

static int debug = -1; /* ZDREF_FUZZ_DEBUG: what the open path returned */

static void note(const char *what, const struct zd_error *err)
{
	if (debug)
		printf("%s: %s\n", what, err ? err->message : "ok");
}

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_dumpcheck: %s\n", what);
	abort();
}

static void check_error(struct zd_error *err, const char *who)
{
	const char *m = err->message;

	if (err->code != ZD_ERR_FORMAT && err->code != ZD_ERR_IO &&
	    err->code != ZD_ERR_NOMEM) {
		fprintf(stderr, "fuzz_dumpcheck: %s: code %d: %s\n", who,
			(int)err->code, m ? m : "(null)");
		broken("an error other than FORMAT, IO or NOMEM");
	}
	if (!m || !*m)
		broken("an error without a message");
	for (const char *p = m; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "fuzz_dumpcheck: %s: %s\n", who, m);
			broken("an error message that is not one line");
		}
	if ((err->code == ZD_ERR_FORMAT &&
	     strncmp(m, PATH ": ", strlen(PATH ": "))) ||
	    (err->code == ZD_ERR_IO && !strstr(m, PATH))) {
		fprintf(stderr, "fuzz_dumpcheck: %s: %s\n", who, m);
		broken("an error message that does not name the file");
	}
}

/* ---- the model ---------------------------------------------------------- */

struct file {
	int fd;
	uint64_t size;
};

/* n bytes at off, all inside the file. */
static bool get(const struct file *f, uint64_t off, void *buf, size_t n)
{
	if (n > f->size || off > f->size - n)
		return false;
	if (pread(f->fd, buf, n, (off_t)off) != (ssize_t)n)
		broken("short read of the checked file");
	return true;
}

static bool inside(const struct file *f, uint64_t off, uint64_t len)
{
	return !len || (len <= f->size && off <= f->size - len);
}

/* The notes of a segment: each header, name and descriptor inside it. */
static void model_notes(const struct file *f, uint64_t off, uint64_t len)
{
	uint64_t pos = 0;

	while (len - pos >= sizeof(Elf64_Nhdr)) {
		Elf64_Nhdr nh; /* the same 12 bytes as Elf32_Nhdr */
		uint64_t need;

		if (!get(f, off + pos, &nh, sizeof(nh)))
			broken("a PT_NOTE the check passed is not in the file");
		need = sizeof(nh) + (((uint64_t)nh.n_namesz + 3) & ~3ULL) +
		       nh.n_descsz;
		if (need > len - pos)
			broken("a note the check passed runs past its PT_NOTE");
		need += (4 - nh.n_descsz % 4) % 4;
		if (need >= len - pos)
			break;
		pos += need;
	}
}

/*
 * An ELF core the check passed.  The program header count is taken as
 * elf(5) says (PN_XNUM: sh_info of section header 0); where the count is
 * ambiguous (PN_XNUM with no section header 0 in the file, or with
 * e_shnum 0, where sh_size of header 0 counts sections too), nothing is
 * claimed.
 */
static void model_elf(const struct file *f)
{
	unsigned char id[EI_NIDENT];
	uint64_t phoff, phnum, phentsize, shoff, shnum, shentsize;
	size_t phsize, shsize;
	bool is64;

	if (!get(f, 0, id, sizeof(id)) || id[EI_DATA] != ELFDATA2LSB ||
	    (id[EI_CLASS] != ELFCLASS64 && id[EI_CLASS] != ELFCLASS32))
		return;
	is64 = id[EI_CLASS] == ELFCLASS64;
	/* The fields of either class's header, section 0 and segments. */
#define EHDR(T)                                                               \
	do {                                                                  \
		T eh;                                                         \
		if (!get(f, 0, &eh, sizeof(eh)))                              \
			broken("an ELF header the check passed is not in the file"); \
		if (eh.e_type != ET_CORE || eh.e_version != EV_CURRENT)       \
			return;                                               \
		phoff = eh.e_phoff;                                           \
		phnum = eh.e_phnum;                                           \
		phentsize = eh.e_phentsize;                                   \
		shoff = eh.e_shoff;                                           \
		shnum = eh.e_shnum;                                           \
		shentsize = eh.e_shentsize;                                   \
	} while (0)
#define SH0_INFO(T)                                                           \
	do {                                                                  \
		T sh;                                                         \
		if (!get(f, shoff, &sh, sizeof(sh)))                          \
			broken("section header 0 (PN_XNUM) the check passed is not in the file"); \
		phnum = sh.sh_info;                                           \
	} while (0)
#define PHDR(T, at)                                                           \
	do {                                                                  \
		T ph;                                                         \
		get(f, (at), &ph, sizeof(ph));                                \
		type = ph.p_type;                                             \
		off = ph.p_offset;                                            \
		filesz = ph.p_filesz;                                         \
	} while (0)
	if (is64)
		EHDR(Elf64_Ehdr);
	else
		EHDR(Elf32_Ehdr);
	phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	shsize = is64 ? sizeof(Elf64_Shdr) : sizeof(Elf32_Shdr);
	if (phnum == PN_XNUM) {
		if (!shoff || !shnum || shentsize < shsize)
			return;
		if (is64)
			SH0_INFO(Elf64_Shdr);
		else
			SH0_INFO(Elf32_Shdr);
	}
	if (!phnum)
		return;
	if (phentsize < phsize)
		broken("e_phentsize smaller than a program header passed");
	if (!inside(f, phoff, phnum * phentsize))
		broken("program headers the check passed are not in the file");
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t type, off, filesz;

		if (is64)
			PHDR(Elf64_Phdr, phoff + i * phentsize);
		else
			PHDR(Elf32_Phdr, phoff + i * phentsize);
		if (type != PT_LOAD && type != PT_NOTE)
			continue;
		if (!inside(f, off, filesz)) {
			fprintf(stderr,
				"fuzz_dumpcheck: program header %llu: offset %llu + filesz %llu, file %llu\n",
				(unsigned long long)i, (unsigned long long)off,
				(unsigned long long)filesz,
				(unsigned long long)f->size);
			broken("a PT_LOAD or PT_NOTE the check passed runs past the end");
		}
		if (type == PT_NOTE)
			model_notes(f, off, filesz);
	}
#undef EHDR
#undef SH0_INFO
#undef PHDR
}

/* makedumpfile's diskdump_mod.h: block_size at 428, header_version at 8. */
static void model_kdump(const struct file *f)
{
	uint8_t h[464];
	uint32_t bs;
	int32_t version;

	if (!get(f, 0, h, sizeof(h)))
		broken("a kdump header the check passed is not in the file");
	memcpy(&bs, h + 428, 4);
	memcpy(&version, h + 8, 4);
	if (version >= 1 && !inside(f, bs, 104))
		broken("a kdump sub-header the check passed is not in the file");
}

static void model(int fd)
{
	struct stat st;
	struct file f = { .fd = fd };
	uint8_t magic[8];

	if (fstat(fd, &st))
		broken("fstat of the checked file");
	f.size = (uint64_t)st.st_size;
	if (!get(&f, 0, magic, 4))
		return;
	if (!memcmp(magic, ELFMAG, SELFMAG))
		model_elf(&f);
	else if (get(&f, 0, magic, 8) && (!memcmp(magic, "KDUMP   ", 8) ||
					  !memcmp(magic, "DISKDUMP", 8)))
		model_kdump(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fz_memfd("fuzz-dumpcheck", data, size), flat = 12345;
	int probe = fz_lowest_free_fd(fd);
	struct zd_error *err;

	if (debug < 0)
		debug = getenv("ZDREF_FUZZ_DEBUG") != NULL;
	/* cli/kdump_memory.c open_dump(): the rebuild, then the check */
	err = zd_flattened_open(fd, PATH, &flat);
	note("zd_flattened_open", err);
	if (err) {
		if (flat != -1)
			broken("a flattened error with a descriptor");
		check_error(err, "zd_flattened_open");
		zd_error_destroy(err);
	} else {
		int checked = flat >= 0 ? flat : fd;

		err = zd_dump_check_size(checked, PATH);
		note("zd_dump_check_size", err);
		if (err) {
			check_error(err, "zd_dump_check_size");
			zd_error_destroy(err);
		} else {
			model(checked);
		}
		if (flat >= 0)
			close(flat);
	}
	if (fz_lowest_free_fd(fd) != probe)
		broken("a file descriptor leaked");
	close(fd);
	return 0;
}
