/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The input as a file, for the targets that read files (fuzz_flattened,
 * fuzz_dumpcheck): a memfd holding it, and the probe that tells a leaked
 * descriptor (the lowest free descriptor moved).
 */
#ifndef ZDREF_TESTS_FUZZFILE_H
#define ZDREF_TESTS_FUZZFILE_H

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* A memfd holding the size bytes of data; aborts if it cannot be made. */
static inline int fz_memfd(const char *name, const uint8_t *data, size_t size)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	return fd;
}

/* The lowest free descriptor (found by dup()ing fd). */
static inline int fz_lowest_free_fd(int fd)
{
	int probe = dup(fd);

	if (probe >= 0)
		close(probe);
	return probe;
}

#endif /* ZDREF_TESTS_FUZZFILE_H */
