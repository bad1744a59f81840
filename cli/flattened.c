// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rebuild a makedumpfile flattened stream (makedumpfile.h:
 * makedumpfile_header, makedumpfile_data_header; big-endian 64-bit fields;
 * the header is padded to 4096 bytes; offset -1 ends the stream).
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flattened.h"

#define FLAT_SIGNATURE "makedumpfile"
#define FLAT_HEADER_SIZE 4096
#define FLAT_TYPE 1
#define FLAT_END (-1LL)
#define FLAT_MAX_RECORD (64LL << 20)
#define FLAT_MAX_OFFSET (1LL << 50)
#define COPY_CHUNK (1 << 20)

static int read_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done,
				  off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 1; /* 1: end of file */
		done += (size_t)n;
	}
	return 0;
}

static int make_tmpfile(void)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(tmpl, sizeof(tmpl), "%s/zdref-XXXXXX", dir);
	fd = mkstemp(tmpl);
	if (fd >= 0)
		unlink(tmpl);
	return fd;
}

struct zd_error *zd_flattened_open(int fd, const char *path, int *out)
{
	char sig[16], *buf = NULL;
	uint64_t be[2];
	off_t pos = FLAT_HEADER_SIZE;
	struct zd_error *err = NULL;
	int tmp, ret;

	*out = -1;
	ret = read_full(fd, sig, sizeof(sig), 0);
	if (ret)
		return ret < 0 ? zd_error_create(ZD_ERR_IO, "%s: %s", path,
						 strerror(errno)) :
				 NULL; /* too short to be flattened */
	if (memcmp(sig, FLAT_SIGNATURE, sizeof(FLAT_SIGNATURE)))
		return NULL;
	if (read_full(fd, be, sizeof(be), sizeof(sig)) ||
	    (int64_t)be64toh(be[0]) != FLAT_TYPE)
		return zd_error_create(
			ZD_ERR_FORMAT,
			"%s: makedumpfile signature but not a flattened dump header",
			path);
	tmp = make_tmpfile();
	buf = malloc(COPY_CHUNK);
	if (tmp < 0 || !buf) {
		err = zd_error_create(
			ZD_ERR_IO,
			"%s: cannot make a temporary file to rebuild the flattened dump: %s",
			path, strerror(errno));
		goto fail;
	}
	for (;;) {
		int64_t off, size;

		ret = read_full(fd, be, sizeof(be), pos);
		if (ret) {
			err = zd_error_create(
				ZD_ERR_FORMAT,
				"%s: flattened dump truncated at byte %lld (no end marker)",
				path, (long long)pos);
			goto fail;
		}
		off = (int64_t)be64toh(be[0]);
		size = (int64_t)be64toh(be[1]);
		pos += sizeof(be);
		if (off == FLAT_END)
			break;
		if (off < 0 || size < 0 || size > FLAT_MAX_RECORD ||
		    off > FLAT_MAX_OFFSET) {
			err = zd_error_create(
				ZD_ERR_FORMAT,
				"%s: corrupt flattened record at byte %lld (offset %lld, size %lld)",
				path, (long long)(pos - 16), (long long)off,
				(long long)size);
			goto fail;
		}
		while (size > 0) {
			size_t n =
				size > COPY_CHUNK ? COPY_CHUNK : (size_t)size;

			if (read_full(fd, buf, n, pos)) {
				err = zd_error_create(
					ZD_ERR_FORMAT,
					"%s: flattened dump truncated inside a record at byte %lld",
					path, (long long)pos);
				goto fail;
			}
			if (pwrite(tmp, buf, n, off) != (ssize_t)n) {
				err = zd_error_create(
					ZD_ERR_IO,
					"rebuilding %s in a temporary file: %s",
					path, strerror(errno));
				goto fail;
			}
			pos += (off_t)n;
			off += (int64_t)n;
			size -= (int64_t)n;
		}
	}
	free(buf);
	*out = tmp;
	return NULL;
fail:
	free(buf);
	if (tmp >= 0)
		close(tmp);
	return err;
}
