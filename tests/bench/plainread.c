// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The baseline for zdref's page scan: read the same struct-page bytes with
 * libkdumpfile and nothing else, in the same 32 KiB pieces, and touch every
 * byte (so nothing is optimised away).
 *
 * usage: plainread DUMP ADDR LENGTH [ADDR LENGTH ...]   (hex addresses)
 * DUMP must not be flattened (run makedumpfile -R first).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include <libkdumpfile/kdumpfile.h>

#define CHUNK (512 * 64)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static unsigned char buf[CHUNK];
	kdump_ctx_t *ctx = kdump_new();
	const char *arch;
	uint64_t sum = 0, total = 0;
	double t0, t1;
	int fd;

	if (argc < 4 || argc % 2) {
		fprintf(stderr, "usage: %s DUMP ADDR LENGTH...\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || !ctx || kdump_open_fd(ctx, fd) != KDUMP_OK) {
		fprintf(stderr, "%s: cannot open\n", argv[1]);
		return 2;
	}
	if (kdump_get_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, &arch) != KDUMP_OK)
		kdump_set_string_attr(ctx, KDUMP_ATTR_ARCH_NAME, KDUMP_ARCH_X86_64);
	kdump_set_string_attr(ctx, KDUMP_ATTR_OSTYPE, "linux");
	/* Warm up address translation, as zdref's set-up does before its scan. */
	{
		size_t n = 8;

		kdump_read(ctx, KDUMP_KVADDR, strtoull(argv[2], NULL, 16), buf, &n);
	}
	t0 = now();
	for (int i = 2; i < argc; i += 2) {
		uint64_t addr = strtoull(argv[i], NULL, 16);
		uint64_t len = strtoull(argv[i + 1], NULL, 0);

		for (uint64_t off = 0; off < len; off += CHUNK) {
			size_t n = len - off < CHUNK ? len - off : CHUNK;

			if (kdump_read(ctx, KDUMP_KVADDR, addr + off, buf, &n) !=
			    KDUMP_OK) {
				fprintf(stderr, "read 0x%llx: %s\n",
					(unsigned long long)(addr + off),
					kdump_get_err(ctx));
				return 2;
			}
			for (size_t j = 0; j < n; j += 8)
				sum += buf[j];
			total += n;
		}
	}
	t1 = now();
	printf("plainread bytes=%llu seconds=%.4f checksum=%llu\n",
	       (unsigned long long)total, t1 - t0, (unsigned long long)sum);
	kdump_free(ctx);
	return 0;
}
