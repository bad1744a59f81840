// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_names: what one audit reads besides the pgmap itself, over example
 * kernel N of fuzzhost.c with a fuzzed "names image" at FZ_KNAMES
 * (fuzzhost.h): the iomem tree (lib/names.c: the pgmap's resource, and
 * the System RAM ranges the registry's memmap check skips), devices_kset
 * with its devices and their devres lists (lib/devres.c), the modules list
 * with each module's kallsyms (lib/names.c), and the per-CPU rq clocks
 * (lib/waiters.c).  Then the report, text and JSON.
 *
 * Input: byte 0 the example kernel (modulo FZ_KERNEL_EXAMPLES), byte 1
 * flags (bit 0: live, names read afresh; bit 1: -p the pgmap, text in
 * detail), then the image (at most FZ_N_MAX bytes; what the input lacks
 * is not mapped).  Nothing it says may crash, hang, leak or trip a
 * sanitizer; a name must be a C string within its field (checked).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zdref/zdref.h"

#include "fuzzhost.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fz_kernel kernel;
static uint8_t example[FZ_KERNEL_EXAMPLES][1 << 16];
static size_t example_len[FZ_KERNEL_EXAMPLES];
static FILE *sink;
static bool debug;

#define HEADER 2

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	debug = getenv("ZDREF_FUZZ_DEBUG") != NULL;
	sink = debug ? stdout : fopen("/dev/null", "w");
	if (!sink)
		abort();
	for (unsigned int v = 0; v < FZ_KERNEL_EXAMPLES; v++)
		if (!(example_len[v] = fz_kernel_example(v, example[v],
							 sizeof(example[v]))))
			abort();
	return 0;
}

static void field(const char *s, size_t len)
{
	if (!memchr(s, '\0', len)) {
		fprintf(stderr, "fuzz_names: a name overran its field\n");
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_kernel *k = &kernel;
	struct zd_audit_options opts = { .release = "6.1.0-fuzz",
					 .debuginfo = "btf" };
	struct zd_target *t = NULL;
	struct zd_report *rep = NULL;
	struct zd_error *err;
	unsigned int v;

	if (size < HEADER)
		return 0;
	v = data[0] % FZ_KERNEL_EXAMPLES;
	if (!fz_kernel_build(k, example[v], example_len[v]))
		abort(); /* the examples are well-formed */
	k->h.host.mem.live = data[1] & 1;
	fz_tables_names(&k->h, k->cpu_offsets[0]);
	if (size > HEADER)
		fz_map(&k->h, FZ_KNAMES, data + HEADER,
		       size - HEADER < FZ_N_MAX ? size - HEADER : FZ_N_MAX,
		       false);
	if ((err = zd_target_open(&k->h.host, &t))) {
		if (debug)
			printf("zd_target_open: %s\n", err->message);
		zd_error_destroy(err);
		return 0;
	}
	opts.pgmap = data[1] & 2 ? FZ_KPGMAP : 0;
	err = zd_audit(t, &opts, &rep);
	if (!err) {
		for (size_t i = 0; i < rep->npgmaps; i++) {
			const struct zd_pgmap_names *nm =
				&rep->pgmaps[i].desc.names;

			field(nm->device, sizeof(nm->device));
			field(nm->device_why, sizeof(nm->device_why));
			field(nm->driver, sizeof(nm->driver));
			field(nm->ops, sizeof(nm->ops));
			field(nm->devres, sizeof(nm->devres));
			field(nm->devres_driver, sizeof(nm->devres_driver));
			field(nm->devres_why, sizeof(nm->devres_why));
			for (unsigned int j = 0; j < nm->niomem; j++)
				field(nm->iomem[j], sizeof(nm->iomem[j]));
		}
		zd_report_print_text(sink, rep,
				     data[1] & 2 ? ZD_TEXT_DETAIL : 0);
		zd_report_print_json(sink, rep);
		zd_report_destroy(rep);
	} else if (debug) {
		printf("zd_audit: %s\n", err->message);
	}
	zd_error_destroy(err);
	zd_target_close(t);
	return 0;
}
