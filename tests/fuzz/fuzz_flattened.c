// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_flattened: cli/flattened.c's rebuild of a makedumpfile flattened
 * stream, over the input as a file (a memfd).  Besides crashes, it checks
 * what the rebuild promises against a model written from makedumpfile.h:
 *
 *   - not flattened (no "makedumpfile" signature, or shorter than it):
 *     no error and *out == -1;
 *   - a stream the model rejects (bad header type, a record past the end
 *     of the input, a negative or absurd offset or size, no end marker):
 *     ZD_ERR_FORMAT and *out == -1;
 *   - otherwise a descriptor whose file is exactly the records applied in
 *     order (compared byte for byte when it is at most 16 MiB);
 *   - no file descriptor leaks either way.
 * ZD_ERR_IO (the temporary file: no room, a file system that caps the
 * size) is the environment, not the input, and is let through.
 */
#include <endian.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdref/error.h"
#include "flattened.h"
#include "fuzzfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADER 4096
#define MAX_RECORD (64LL << 20)
#define MAX_OFFSET (1LL << 50)
#define MAX_COMPARE (16u << 20)

static void broken(const char *what)
{
	fprintf(stderr, "fuzz_flattened: %s\n", what);
	abort();
}

static uint64_t be64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return be64toh(v);
}

enum model { NOT_FLAT, BAD, GOOD };

/* The stream as makedumpfile.h defines it; *end: size of the rebuilt file. */
static enum model model(const uint8_t *d, size_t n, uint64_t *end)
{
	size_t pos = HEADER;

	*end = 0;
	if (n < 16 || memcmp(d, "makedumpfile", 13))
		return NOT_FLAT;
	if (n < 32 || (int64_t)be64(d + 16) != 1)
		return BAD;
	for (;;) {
		int64_t off, sz;

		if (pos > n || n - pos < 16)
			return BAD;
		off = (int64_t)be64(d + pos);
		sz = (int64_t)be64(d + pos + 8);
		pos += 16;
		if (off == -1)
			return GOOD;
		if (off < 0 || sz < 0 || sz > MAX_RECORD || off > MAX_OFFSET)
			return BAD;
		if ((uint64_t)sz > n - pos)
			return BAD;
		if (sz && (uint64_t)(off + sz) > *end)
			*end = (uint64_t)(off + sz);
		pos += (size_t)sz;
	}
}

static void compare(const uint8_t *d, size_t n, int fd, uint64_t end)
{
	uint8_t *want, *got;
	size_t pos = HEADER;
	struct stat st;

	if (fstat(fd, &st))
		broken("fstat of the rebuilt file");
	if ((uint64_t)st.st_size != end)
		broken("rebuilt file has the wrong size");
	if (end > MAX_COMPARE)
		return;
	want = calloc(1, end ? end : 1);
	got = malloc(end ? end : 1);
	if (!want || !got)
		abort();
	for (;;) {
		int64_t off = (int64_t)be64(d + pos);
		int64_t sz = (int64_t)be64(d + pos + 8);

		pos += 16;
		if (off == -1)
			break;
		memcpy(want + off, d + pos, (size_t)sz);
		pos += (size_t)sz;
	}
	if (pread(fd, got, end, 0) != (ssize_t)end)
		broken("short read of the rebuilt file");
	if (memcmp(want, got, end))
		broken("rebuilt file differs from the records");
	(void)n;
	free(want);
	free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = fz_memfd("fuzz-flattened", data, size), out = 12345;
	int probe = fz_lowest_free_fd(fd);
	struct zd_error *err;
	enum model m;
	uint64_t end;

	m = model(data, size, &end);
	err = zd_flattened_open(fd, "fuzz.kdump", &out);
	if (err) {
		if (out != -1)
			broken("an error with a descriptor");
		if (err->code != ZD_ERR_IO) {
			if (err->code != ZD_ERR_FORMAT)
				broken("an error other than FORMAT or IO");
			if (m != BAD)
				broken("FORMAT error for a stream the model takes");
		}
		zd_error_destroy(err);
	} else if (m == NOT_FLAT) {
		if (out != -1)
			broken("a descriptor for a file that is not flattened");
	} else if (m == BAD) {
		broken("a stream the model rejects was rebuilt");
	} else {
		if (out < 0)
			broken("no descriptor and no error for a flattened stream");
		compare(data, size, out, end);
		close(out);
	}
	if (fz_lowest_free_fd(fd) != probe)
		broken("a file descriptor leaked");
	close(fd);
	return 0;
}
