// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_sections: a whole audit (zd_target_open, zd_audit, -P lookup, text
 * and JSON output) of a fake 5.18-6.19 kernel whose dev_pagemap,
 * percpu_ref, per-CPU counters, mem_section roots, sections, subsection
 * maps, wait queues, tasks, inode chain and memmap are the input (the
 * "kernel" format of fuzzhost.h).  Nothing an input says may crash, hang
 * or trip a sanitizer.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "zdref/zdref.h"

#include "fuzzhost.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fz_kernel kernel;
static FILE *sink;
static bool debug; /* ZDREF_FUZZ_DEBUG: reports and errors on stdout */

static void note(const char *what, const struct zd_error *err)
{
	if (debug && err)
		printf("%s: %s\n", what, err->message);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	debug = getenv("ZDREF_FUZZ_DEBUG") != NULL;
	sink = debug ? stdout : fopen("/dev/null", "w");
	if (!sink)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_kernel *k = &kernel;
	struct zd_audit_options opts = { 0 };
	struct zd_target *t = NULL;
	struct zd_report *rep = NULL;
	struct zd_error *err;

	if (!fz_kernel_build(k, data, size))
		return 0;
	if ((err = zd_target_open(&k->h.host, &t))) {
		note("zd_target_open", err);
		zd_error_destroy(err);
		return 0;
	}
	opts.all_pages = k->hdr.flags & FZ_K_ALL;
	opts.max_listed = k->hdr.max_listed;
	opts.pgmap = k->hdr.flags & FZ_K_ONE ? FZ_KPGMAP : 0;
	opts.release = "6.1.0-fuzz";
	opts.debuginfo = "btf";
	err = zd_audit(t, &opts, &rep);
	if (!err) {
		zd_report_print_text(
			sink, rep,
			(k->hdr.flags & FZ_K_DETAIL ? ZD_TEXT_DETAIL : 0) |
				(opts.all_pages ? ZD_TEXT_ALL : 0));
		zd_report_print_json(sink, rep);
		(void)zd_report_findings(rep);
		zd_report_destroy(rep);
	}
	note("zd_audit", err);
	zd_error_destroy(err);
	if (k->hdr.flags & FZ_K_LOOKUP) {
		struct zd_pfn_info info;

		err = zd_lookup_pfn(t, k->hdr.lookup_pfn, &info);
		if (!err) {
			zd_pfn_info_print_text(sink, &info);
			zd_pfn_info_print_json(sink, &info, opts.release,
					       zd_target_model(t));
			zd_pfn_info_release(&info);
		}
		note("zd_lookup_pfn", err);
		zd_error_destroy(err);
	}
	zd_target_close(t);
	return 0;
}
