// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_args: the standalone's command line.  cli/main.c is compiled with
 * -Dmain=zdref_main and called with argv split from the input at NUL bytes
 * (argv[0] "zdref", at most 64 arguments).
 *
 * cli/sources.c is replaced by the stubs below, so nothing is opened: a
 * dump named "fuzzN.kdump" (N = 0..7, "fuzz.kdump" = 1) is example kernel
 * N of fuzzhost.c, -k is example kernel 6 (live), and any other dump is
 * "No such file or directory".  So every option reaches the audit, -p,
 * -P, -a, -j and --stats paths of main() with a real core behind them,
 * and the parser is checked for what the stub can see: the request it
 * builds (-s and --debuginfo=btf never both, a dump unless -k).
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zdref/zdref.h"
#include "kdump_memory.h"
#include "sources.h"

#include "fuzzhost.h"

int zdref_main(int argc, char **argv);
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64
#define EXAMPLE_MAX (1 << 16)

static uint8_t example[FZ_KERNEL_EXAMPLES][EXAMPLE_MAX];
static struct fz_kernel kernels[FZ_KERNEL_EXAMPLES];
static bool built[FZ_KERNEL_EXAMPLES];

static struct fz_kernel *kernel(unsigned int v)
{
	if (!built[v]) {
		size_t n = fz_kernel_example(v, example[v], EXAMPLE_MAX);

		if (!n || !fz_kernel_build(&kernels[v], example[v], n))
			abort();
		built[v] = true;
	}
	return &kernels[v];
}

/* cli/sources.c, stubbed */

struct zd_error *zd_sources_open(const struct zd_sources_request *req,
				 struct zd_sources *s)
{
	unsigned int v;

	memset(s, 0, sizeof(*s));
	if (req->vmlinux && req->mode == ZD_DEBUGINFO_BTF) {
		fprintf(stderr, "fuzz_args: -s with --debuginfo=btf got through\n");
		abort();
	}
	if (req->mode != ZD_DEBUGINFO_AUTO && req->mode != ZD_DEBUGINFO_DWARF &&
	    req->mode != ZD_DEBUGINFO_BTF)
		abort();
	if (!req->dump) {
		v = 6;
	} else if (!strcmp(req->dump, "fuzz.kdump")) {
		v = 1;
	} else if (!strncmp(req->dump, "fuzz", 4) && req->dump[4] >= '0' &&
		   req->dump[4] < '0' + FZ_KERNEL_EXAMPLES &&
		   !strcmp(req->dump + 5, ".kdump")) {
		v = (unsigned int)(req->dump[4] - '0');
	} else {
		return zd_error_create(ZD_ERR_IO, "%s: %s", req->dump,
				       strerror(ENOENT));
	}
	s->host = kernel(v)->h.host;
	s->release = "6.1.0-fuzz";
	s->debuginfo = req->vmlinux || req->mode == ZD_DEBUGINFO_DWARF ?
			       "dwarf" :
			       "btf";
	snprintf(s->what, sizeof(s->what), "the fuzz host (example %u)%s%s",
		 v, req->system_map ? ", System.map " : "",
		 req->system_map ? req->system_map : "");
	return NULL;
}

void zd_sources_close(struct zd_sources *s)
{
	memset(s, 0, sizeof(*s));
}

void zd_kdump_stats(const struct zd_kdump *k, uint64_t *reads, uint64_t *bytes)
{
	(void)k;
	*reads = 0;
	*bytes = 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* main() prints reports and --help; keep the fuzzer's output readable */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2];
	int argc = 0, status;
	size_t at = 0;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	argv[argc++] = "zdref";
	while (at <= size && argc <= MAX_ARGS) {
		/* an empty trailing field is not an argument */
		if (at == size)
			break;
		argv[argc++] = buf + at;
		at += strlen(buf + at) + 1;
	}
	argv[argc] = NULL;
	optind = 0; /* glibc: start over, forget the last call's state */
	status = zdref_main(argc, argv);
	if (status < 0 || status > 2) {
		fprintf(stderr, "fuzz_args: exit status %d\n", status);
		abort();
	}
	fflush(stdout);
	free(buf);
	return 0;
}
