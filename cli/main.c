// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zdref, the standalone command: audit every ZONE_DEVICE dev_pagemap of a
 * kernel dump.  Exit status 0: consistent; 1: findings; 2: could not
 * analyse (one line on stderr says why).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zdref/log.h"
#include "zdref/zdref.h"
#include "args.h"
#include "kdump_memory.h"
#include "sources.h"

#define EXIT_FINDINGS 1
#define EXIT_TROUBLE 2

static const char usage_text[] =
	"Usage: zdref [-s VMLINUX] [--debuginfo=auto|dwarf|btf] [-p PGMAP | -P PFN]\n"
	"             [-a] [-j] (VMCORE | -k)\n"
	"       zdref --log[=caller,level] [-s VMLINUX] [--debuginfo=...] (VMCORE | -k)\n"
	"Audit the references of every ZONE_DEVICE struct dev_pagemap in a Linux\n"
	"kernel dump: compare each pgmap's percpu_ref count with what its pages\n"
	"account for, and say which references are leaked or missing, and where.\n"
	"\n"
	"  -s, --symbols VMLINUX  vmlinux with debug info; default: looked up by the\n"
	"                         dump's release (/usr/lib/debug/boot/vmlinux-RELEASE, ...),\n"
	"                         and without one the kernel's BTF + kallsyms\n"
	"      --debuginfo=MODE   auto (default), dwarf (a vmlinux or fail), btf (never\n"
	"                         look for a vmlinux)\n"
	"      --system-map FILE  symbols from a System.map, for BTF on kernels before\n"
	"                         6.0 (their VMCOREINFO has no kallsyms tables)\n"
	"  -p, --pgmap ADDR       this struct dev_pagemap in detail, with its suspect pages\n"
	"  -P, --pfn PFN          which pgmap holds this pfn (hex), and its page's state\n"
	"  -a, --all              list every non-idle page, not only suspects: busy\n"
	"                         pages with their holder (inode, offset, device)\n"
	"  -j, --json             JSON output\n"
	"      --log[=caller,level]\n"
	"                         print the kernel log as the console and dmesg do\n"
	"                         (\"[    3.146571] text\"), read from the printk ring;\n"
	"                         caller: the task or CPU that printed each record\n"
	"                         ([  T123], [    C0]); level: its syslog <level>\n"
	"  -k, --kernel           the running kernel, read-only through /proc/kcore (root)\n"
	"  -h, --help             this text\n"
	"  -V, --version          version\n"
	"      --stats            time each phase and count reads (on stderr)\n"
	"\n"
	"VMCORE: ELF vmcore, kdump-compressed (makedumpfile, filtered or not) or\n"
	"makedumpfile's flattened format (QEMU's dump-guest-memory kdump-*).\n"
	"\n"
	"Exit status: 0 every pgmap consistent, 1 inconsistencies or suspect pages\n"
	"found, 2 could not analyse (usage, unreadable input, mismatched vmlinux).\n";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* x86_64: a dev_pagemap lives in the kernel half; pfns stay below 2^40. */
#define KERNEL_HALF 0xffff800000000000ULL
#define MAX_PFN ((1ULL << (52 - 12)) - 1)

static bool is_kcore(const char *path)
{
	char *real = realpath(path, NULL);
	bool yes = real && !strcmp(real, "/proc/kcore");

	free(real);
	return yes;
}

/* --log: every record as dmesg prints it, the source line before the first. */
struct log_out {
	const struct zd_sources_request *req;
	const struct zd_sources *src;
	unsigned int flags;
	bool noted;
};

static void note_source(const struct zd_sources_request *req,
			const struct zd_sources *src);

static int print_record(void *arg, const struct zd_log_record *r)
{
	struct log_out *o = arg;

	if (!o->noted) {
		note_source(o->req, o->src);
		o->noted = true;
	}
	zd_log_print_text(stdout, r, o->flags);
	return ferror(stdout) ? -1 : 0;
}

/* "caller", "level" or both, comma-separated. */
static int parse_log_flags(const char *arg, unsigned int *flags)
{
	for (const char *p = arg;; p++) {
		size_t n = strcspn(p, ",");

		if (n == 6 && !strncmp(p, "caller", 6))
			*flags |= ZD_LOG_PRINT_CALLER;
		else if (n == 5 && !strncmp(p, "level", 5))
			*flags |= ZD_LOG_PRINT_LEVEL;
		else
			return -1;
		p += n;
		if (!*p)
			return 0;
	}
}

static int trouble(const char *what, struct zd_error *err)
{
	zd_print_line(stderr, "%s%s%s", what ? what : "", what ? ": " : "",
		      err->message);
	zd_error_destroy(err);
	return EXIT_TROUBLE;
}

/*
 * Where types and symbols came from, when zdref chose (no -s): once the run
 * has something to say, so that a failure stays one line.
 */
static void note_source(const struct zd_sources_request *req,
			const struct zd_sources *src)
{
	if (!req->vmlinux)
		zd_print_line(stderr, "types and symbols: %s", src->what);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "symbols", required_argument, NULL, 's' },
		{ "pgmap", required_argument, NULL, 'p' },
		{ "pfn", required_argument, NULL, 'P' },
		{ "all", no_argument, NULL, 'a' },
		{ "json", no_argument, NULL, 'j' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "stats", no_argument, NULL, 'S' },
		{ "debuginfo", required_argument, NULL, 'D' },
		{ "system-map", required_argument, NULL, 'M' },
		{ "log", optional_argument, NULL, 'L' },
		{ 0 },
	};
	struct zd_audit_options opts = { 0 };
	struct zd_sources_request req = { 0 };
	struct zd_sources src = { 0 };
	bool json = false, stats = false, by_pfn = false, live = false;
	bool log = false;
	unsigned int log_flags = 0;
	uint64_t pfn = 0;
	double t0 = now(), t_open, t_vmlinux, t_layout, t_audit;
	uint64_t reads, bytes, pages = 0;
	struct zd_target *t = NULL;
	struct zd_report *rep = NULL;
	struct zd_error *err;
	int c, status;

	opterr = 0; /* one line of our own instead of getopt's two */
	while ((c = getopt_long(argc, argv, "s:p:P:ajkhV", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 's':
			req.vmlinux = optarg;
			break;
		case 'D':
			if (!strcmp(optarg, "auto"))
				req.mode = ZD_DEBUGINFO_AUTO;
			else if (!strcmp(optarg, "dwarf"))
				req.mode = ZD_DEBUGINFO_DWARF;
			else if (!strcmp(optarg, "btf"))
				req.mode = ZD_DEBUGINFO_BTF;
			else {
				zd_print_line(
					stderr,
					"--debuginfo='%s': want auto, dwarf or btf",
					optarg);
				return EXIT_TROUBLE;
			}
			break;
		case 'M':
			req.system_map = optarg;
			break;
		case 'L':
			log = true;
			if (optarg && parse_log_flags(optarg, &log_flags)) {
				zd_print_line(
					stderr,
					"--log='%s': want --log or --log=caller,level",
					optarg);
				return EXIT_TROUBLE;
			}
			break;
		case 'p':
			if (zd_parse_hex(optarg, KERNEL_HALF, UINT64_MAX,
					 &opts.pgmap)) {
				zd_print_line(
					stderr,
					"-p '%s': not a hex address in the kernel half (%llx-)",
					optarg, KERNEL_HALF);
				return EXIT_TROUBLE;
			}
			break;
		case 'P':
			if (zd_parse_hex(optarg, 0, MAX_PFN, &pfn)) {
				zd_print_line(stderr,
					      "-P '%s': not a hex pfn (0-%llx)",
					      optarg, MAX_PFN);
				return EXIT_TROUBLE;
			}
			by_pfn = true;
			break;
		case 'a':
			opts.all_pages = true;
			break;
		case 'j':
			json = true;
			break;
		case 'k':
			live = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case 'S':
			stats = true;
			break;
		case 'V':
			printf("zdref %s\n", ZDREF_VERSION);
			return 0;
		default:
			if (optopt)
				zd_print_line(
					stderr,
					"invalid option -%c or missing argument (try 'zdref --help')",
					optopt);
			else
				zd_print_line(
					stderr,
					"invalid option '%s' (try 'zdref --help')",
					argv[optind - 1]);
			return EXIT_TROUBLE;
		}
	}
	if (live ? optind != argc : optind != argc - 1) {
		fprintf(stderr, "zdref: %s (try 'zdref --help')\n",
			live ? "-k reads the running kernel: no VMCORE" :
			optind == argc ? "no VMCORE given" :
					 "more than one VMCORE given");
		return EXIT_TROUBLE;
	}
	if (req.vmlinux && req.mode == ZD_DEBUGINFO_BTF) {
		fprintf(stderr,
			"zdref: -s and --debuginfo=btf exclude each other\n");
		return EXIT_TROUBLE;
	}

	if (log && (opts.pgmap || by_pfn || opts.all_pages || json)) {
		fprintf(stderr,
			"zdref: --log prints the kernel log: no -p, -P, -a or -j with it\n");
		return EXIT_TROUBLE;
	}

	req.dump = live ? NULL : argv[optind];
	/* /proc/kcore named as a dump is the live kernel: read it as such. */
	if (req.dump && is_kcore(req.dump))
		req.dump = NULL;
	if ((err = zd_sources_open(&req, &src)))
		return trouble(NULL, err);
	if (log) {
		/* The log needs no ZONE_DEVICE kernel: no target is opened. */
		struct log_out o = { &req, &src, log_flags, false };
		struct zd_log_stats st;

		if ((err = zd_log_read_host(&src.host, print_record, &o,
					    &st))) {
			status = trouble(src.release, err);
			goto out;
		}
		status = 0;
		if (fflush(stdout) == EOF || ferror(stdout)) {
			fprintf(stderr, "zdref: writing output: %s\n",
				strerror(errno));
			status = EXIT_TROUBLE;
			goto out;
		}
		if (!o.noted)
			note_source(&req, &src);
		if (st.skipped)
			zd_print_line(
				stderr,
				"kernel log (%s): %llu records skipped: torn, overwritten or not in the dump (%llu of them unreadable)",
				st.format, (unsigned long long)st.skipped,
				(unsigned long long)st.unreadable);
		goto out;
	}
	t_open = t_vmlinux = now();
	if ((err = zd_target_open(&src.host, &t))) {
		status = trouble(src.release, err);
		goto out;
	}
	t_layout = now();
	opts.release = src.release;
	opts.debuginfo = src.debuginfo;
	if (by_pfn) {
		struct zd_pfn_info info;

		if ((err = zd_lookup_pfn(t, pfn, &info))) {
			status = trouble(NULL, err);
			goto out;
		}
		note_source(&req, &src);
		if (json)
			zd_pfn_info_print_json(stdout, &info, opts.release,
					       zd_target_model(t));
		else
			zd_pfn_info_print_text(stdout, &info);
		/* 1 when the page is suspect or unreadable, as for a report. */
		status = info.found && (!info.readable || info.page.suspect) ?
				 EXIT_FINDINGS :
				 0;
		zd_pfn_info_release(&info);
		goto out;
	}
	if ((err = zd_audit(t, &opts, &rep))) {
		status = trouble(NULL, err);
		goto out;
	}
	t_audit = now();
	if (stats) {
		/* Machine-readable, for tests/bench: key=value on stderr. */
		for (size_t i = 0; i < rep->npgmaps; i++)
			pages += rep->pgmaps[i].stats.pages;
		zd_kdump_stats(src.mem, &reads, &bytes);
		fprintf(stderr,
			"zdref-stats open=%.4f vmlinux=%.4f layout=%.4f audit=%.4f pages=%llu reads=%llu bytes=%llu\n",
			t_open - t0, t_vmlinux - t_open, t_layout - t_vmlinux,
			t_audit - t_layout, (unsigned long long)pages,
			(unsigned long long)reads, (unsigned long long)bytes);
	}
	note_source(&req, &src);
	if (json)
		zd_report_print_json(stdout, rep);
	else
		zd_report_print_text(
			stdout, rep,
			(opts.pgmap ? ZD_TEXT_DETAIL : 0) |
				(opts.all_pages ? ZD_TEXT_ALL : 0));
	status = zd_report_findings(rep) ? EXIT_FINDINGS : 0;
	if (fflush(stdout) == EOF) {
		fprintf(stderr, "zdref: writing output: %s\n", strerror(errno));
		status = EXIT_TROUBLE;
	}
out:
	zd_report_destroy(rep);
	zd_target_close(t);
	zd_sources_close(&src);
	return status;
}
