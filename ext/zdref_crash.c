// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zdref as a crash(8) extension: `extend zdref.so`, then `zdref`.
 *
 * This file is the crash front end: a struct zd_host whose memory is
 * crash's readmem and VMCOREINFO and whose types and symbols are crash's
 * gdb, and the `zdref` command.  The
 * core never calls into crash's error machinery: reads use
 * RETURN_ON_ERROR|QUIET and every failure comes back as a struct zd_error,
 * printed here as one crash-style line; the session goes on.
 */
#include "defs.h"

#include "zdref/log.h"
#include "zdref/zdref.h"

static void cmd_zdref(void);
static char *help_zdref[];

static struct command_table_entry command_table[] = {
	{ "zdref", cmd_zdref, help_zdref, 0 },
	{ NULL },
};

/* Resolved once per session: the vmlinux cannot change under crash. */
static struct zd_target *target;

/* The host */

static struct zd_error *crash_read(void *arg, uint64_t addr, void *buf,
				   size_t len)
{
	physaddr_t paddr;

	(void)arg;
	if (readmem(addr, KVADDR, buf, (long)len, "zdref",
		    RETURN_ON_ERROR | QUIET))
		return NULL;
	/*
	 * A mapped address that a kdump-compressed file cannot give was
	 * filtered out by makedumpfile; anything else is not in the dump.
	 */
	if (DISKDUMP_DUMPFILE() && kvtop(NULL, addr, &paddr, 0))
		return zd_error_create(ZD_ERR_EXCLUDED,
				       "0x%llx: page excluded from the dump",
				       (unsigned long long)addr);
	return zd_error_create(ZD_ERR_FAULT, "0x%llx: not readable in the dump",
			       (unsigned long long)addr);
}

static struct zd_error *crash_symbol(void *arg, const char *name,
				     uint64_t *addr, uint64_t *size)
{
	struct gnu_request req;

	(void)arg;
	if (!symbol_exists((char *)name))
		return zd_error_create(ZD_ERR_NOTFOUND, "no symbol %s", name);
	*addr = symbol_value((char *)name);
	/* The size of the variable's type: a pointer or an array. */
	memset(&req, 0, sizeof(req));
	*size = get_symbol_type((char *)name, NULL, &req) != TYPE_CODE_UNDEF ?
			req.length :
			0;
	return NULL;
}

static struct zd_error *crash_symbolize(void *arg, uint64_t addr, char *name,
					size_t len, uint64_t *offset)
{
	ulong off = 0;
	struct syment *sp;

	(void)arg;
	sp = value_search(addr, &off);
	if (!sp || !sp->name)
		return zd_error_create(ZD_ERR_NOTFOUND, "no symbol at 0x%llx",
				       (unsigned long long)addr);
	snprintf(name, len, "%s", sp->name);
	*offset = off;
	return NULL;
}

static struct zd_error *crash_type_size(void *arg, const char *type,
					uint64_t *size)
{
	long sz = STRUCT_SIZE((char *)type);

	(void)arg;
	if (sz < 0)
		return zd_error_create(ZD_ERR_NOTFOUND, "no type %s", type);
	*size = (uint64_t)sz;
	return NULL;
}

static struct zd_error *crash_member(void *arg, const char *type,
				     const char *member, uint64_t *offset,
				     uint64_t *size)
{
	long off = MEMBER_OFFSET((char *)type, (char *)member);
	long sz;

	(void)arg;
	if (off < 0)
		return zd_error_create(ZD_ERR_NOTFOUND, "no member %s.%s", type,
				       member);
	sz = MEMBER_SIZE((char *)type, (char *)member);
	*offset = (uint64_t)off;
	*size = sz > 0 ? (uint64_t)sz : 0; /* flexible arrays: 0 */
	return NULL;
}

static struct zd_error *crash_enumerator(void *arg, const char *name,
					 int64_t *value)
{
	long v;

	(void)arg;
	if (!enumerator_value((char *)name, &v))
		return zd_error_create(ZD_ERR_NOTFOUND, "no enumerator %s",
				       name);
	*value = v;
	return NULL;
}

/*
 * VMCOREINFO through crash (pc->read_vmcoreinfo: the dump's note, or
 * nothing live).  When crash has no such line, the three constants crash
 * itself worked out stand in, so lib/constants.c sees the same keys as on
 * a dump.
 */
static struct zd_error *crash_vmcoreinfo(void *arg, const char *key, char *buf,
					 size_t len)
{
	char *val = pc->read_vmcoreinfo ? pc->read_vmcoreinfo(key) : NULL;

	(void)arg;
	if (val) {
		snprintf(buf, len, "%s", val);
		free(val);
		return NULL;
	}
	if (!strcmp(key, "PAGESIZE"))
		snprintf(buf, len, "%lu", (unsigned long)PAGESIZE());
	else if (!strcmp(key, "NUMBER(SECTION_SIZE_BITS)"))
		snprintf(buf, len, "%lu", (unsigned long)SECTION_SIZE_BITS());
	else if (!strcmp(key, "NUMBER(MAX_PHYSMEM_BITS)"))
		snprintf(buf, len, "%lu", (unsigned long)MAX_PHYSMEM_BITS());
	else
		return zd_error_create(ZD_ERR_NOTFOUND, "no VMCOREINFO %s",
				       key);
	return NULL;
}

static const struct zd_host crash_host = {
	.mem = {
		.read = crash_read,
		.vmcoreinfo = crash_vmcoreinfo,
	},
	.types = {
		.symbol = crash_symbol,
		.symbolize = crash_symbolize,
		.type_size = crash_type_size,
		.member = crash_member,
		.enumerator = crash_enumerator,
	},
};

/* The command */

/* Which of crash's zero_excluded settings were on: bit 0 diskdump, 1 sadump. */
static unsigned int zero_excluded_off(void)
{
	unsigned int was = 0;

	if (DISKDUMP_DUMPFILE() && diskdump_flags &&
	    (*diskdump_flags & ZERO_EXCLUDED)) {
		*diskdump_flags &= ~ZERO_EXCLUDED;
		was |= 1;
	}
	if (SADUMP_DUMPFILE() && sadump_is_zero_excluded()) {
		sadump_unset_zero_excluded();
		was |= 2;
	}
	return was;
}

static void zero_excluded_restore(unsigned int was)
{
	if (was & 1)
		*diskdump_flags |= ZERO_EXCLUDED;
	if (was & 2)
		sadump_set_zero_excluded();
}

static void report_error(struct zd_error *err)
{
	error(INFO, "%s\n", err->message);
	zd_error_destroy(err);
}

static int parse_hex(const char *opt, const char *s, uint64_t *out)
{
	int bad = 0;
	ulong v = htol((char *)s, RETURN_ON_ERROR | QUIET, &bad);

	if (bad || v == BADADDR) {
		error(INFO, "-%s %s: not a hex value\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* -l: every record of the kernel log as crash's `log` prints it. */
static int print_record(void *arg, const struct zd_log_record *r)
{
	zd_log_print_text(fp, r, *(unsigned int *)arg);
	return 0;
}

static void print_log(unsigned int flags)
{
	unsigned int zero_excluded = zero_excluded_off();
	struct zd_log_stats st;
	struct zd_error *err;

	/* No target: the log needs no ZONE_DEVICE kernel. */
	err = zd_log_read_host(&crash_host, print_record, &flags, &st);
	zero_excluded_restore(zero_excluded);
	if (err) {
		report_error(err);
		return;
	}
	if (st.skipped)
		error(INFO,
		      "kernel log (%s): %llu records skipped: torn, overwritten or not in the dump (%llu of them unreadable)\n",
		      st.format, (unsigned long long)st.skipped,
		      (unsigned long long)st.unreadable);
}

static void cmd_zdref(void)
{
	struct zd_audit_options opts = { 0 };
	struct zd_report *rep = NULL;
	bool json = false, by_pfn = false, log = false;
	unsigned int log_flags = 0;
	unsigned int zero_excluded;
	uint64_t pfn = 0;
	struct zd_error *err;
	int c;

	while ((c = getopt(argcnt, args, "p:P:ajlc")) != EOF) {
		switch (c) {
		case 'p':
			if (parse_hex("p", optarg, &opts.pgmap))
				return;
			break;
		case 'P':
			if (parse_hex("P", optarg, &pfn))
				return;
			by_pfn = true;
			break;
		case 'a':
			opts.all_pages = true;
			break;
		case 'j':
			json = true;
			break;
		case 'l':
			log = true;
			break;
		case 'c':
			log_flags |= ZD_LOG_PRINT_CALLER;
			break;
		default:
			argerrs++;
			break;
		}
	}
	if (argerrs || args[optind] || (log_flags && !log) ||
	    (log && (opts.pgmap || by_pfn || opts.all_pages || json)))
		cmd_usage(pc->curcmd, SYNOPSIS);
	if (log) {
		print_log(log_flags);
		return;
	}

	if (!target && (err = zd_target_open(&crash_host, &target))) {
		target = NULL;
		report_error(err);
		return;
	}
	opts.release = kt->utsname.release;
	/*
	 * With `set zero_excluded on`, crash hands out zeros for pages
	 * makedumpfile left out; zdref must see them as unreadable, never as
	 * refcount 0.  Switched off for this command only.
	 */
	zero_excluded = zero_excluded_off();
	if (by_pfn) {
		struct zd_pfn_info info;

		if ((err = zd_lookup_pfn(target, pfn, &info))) {
			zero_excluded_restore(zero_excluded);
			report_error(err);
			return;
		}
		if (json)
			zd_pfn_info_print_json(fp, &info, opts.release,
					       zd_target_model(target));
		else
			zd_pfn_info_print_text(fp, &info);
		zd_pfn_info_release(&info);
		zero_excluded_restore(zero_excluded);
		return;
	}
	if ((err = zd_audit(target, &opts, &rep))) {
		zero_excluded_restore(zero_excluded);
		report_error(err);
		return;
	}
	if (json)
		zd_report_print_json(fp, rep);
	else
		zd_report_print_text(
			fp, rep,
			(opts.pgmap ? ZD_TEXT_DETAIL : 0) |
				(opts.all_pages ? ZD_TEXT_ALL : 0));
	zd_report_destroy(rep);
	zero_excluded_restore(zero_excluded);
}

static void __attribute__((constructor)) zdref_init(void)
{
	register_extension(command_table);
}

static void __attribute__((destructor)) zdref_fini(void)
{
	zd_target_close(target);
	target = NULL;
}

static char *help_zdref[] = {
	"zdref",
	"audit ZONE_DEVICE dev_pagemap references",
	"[-p pgmap | -P pfn] [-a] [-j] | -l [-c]",
	"  Finds every registered ZONE_DEVICE struct dev_pagemap (pgmap_array),",
	"  computes the true count of its percpu_ref (per-CPU sum, bias, dead,",
	"  switching, exited), walks the struct pages it owns, and compares the two",
	"  under the refcount model of this kernel's era and the pgmap's type.",
	"  Verdicts: ok; leaked (references no page accounts for: teardown in",
	"  memunmap_pages() waits for them); missing (fewer references than the",
	"  pages account for: underflow, the WARNING in",
	"  percpu_ref_switch_to_atomic_rcu(), use-after-free); unknown, with why.",
	"  Every owned page is idle, busy or suspect.  Busy pages are held the way",
	"  their type is used (a DAX page above idle that belongs to a file: GUP,",
	"  pins, pipe buffers, I/O in flight; an allocated device-private page) and",
	"  never make a finding; suspects are states no correct kernel leaves.",
	"  Tasks blocked in memunmap_pages() on the pgmap, and in a DAX layout",
	"  break (truncate, hole punch) on one of its pages, are named.",
	"",
	"    -p pgmap  one pgmap in detail: ranges, altmap, raw percpu_ref fields,",
	"              refcount histogram, expected = initial + transient + pages,",
	"              tasks blocked on it, and its suspect pages.",
	"    -P pfn    which pgmap holds this pfn (hex), whether it owns references,",
	"              and the state of its page: idle, busy or suspect.",
	"    -a        list every non-idle page, not only suspects: busy pages with",
	"              their holder (inode, file offset, filesystem device such as",
	"              pmem0; or the allocating device), and pin count where the",
	"              kernel keeps one.",
	"    -j        JSON, as the standalone zdref -j prints it.",
	"    -l        the kernel log, read by zdref's core from the printk ring",
	"              (5.10+ lockless ring, or the 3.5-5.9 record log), printed",
	"              as crash's log and dmesg print it: [    3.146571] text.",
	"              Records that do not decode (a ring torn by a CPU that was",
	"              writing, overwritten, or not in the dump) are skipped and",
	"              counted; the newest record, still open to pr_cont(), is",
	"              shown.",
	"    -c        with -l: the task or CPU that printed each record",
	"              ([  T123], [    C0]).",
	"",
	"  Output goes to crash's output stream: pipes and redirection work.",
	"  The standalone zdref(1) audits the same way without crash: a dump with",
	"  no debug package (--debuginfo=btf: the kernel's BTF and kallsyms), and",
	"  the running kernel read-only through /proc/kcore (zdref -k).",
	"",
	"EXAMPLE",
	"  Audit every pgmap (a Debian 6.1 guest: one pgmap leaked 3 references,",
	"  the other lost 2):",
	"",
	"    %s> zdref",
	"         PGMAP        TYPE       START_PFN    END_PFN     PAGES   BUSY  REF        OBSERVED  EXPECTED  DELTA  VERDICT  DEVICE",
	"    ffff8b90c19f08b0  FS_DAX          a000       c000      8192      0  percpu         8196      8193     +3  leaked   namespace0.0 pmem0 [nd_pmem]",
	"    ffff8b90c2371ab0  FS_DAX          d000       f000      8192      0  percpu         8191      8193     -2  missing  namespace1.0 pmem1 [nd_pmem]",
	"    ffff8b90c19f08b0: 3 references leaked: held by no page (teardown will wait for them)",
	"    ffff8b90c2371ab0: 2 references missing: pages account for more than the pgmap holds (underflow)",
	"",
	"  One pgmap in detail:",
	"",
	"    %s> zdref -p ffff8b90c19f08b0",
	"    PGMAP: ffff8b90c19f08b0  TYPE: MEMORY_DEVICE_FS_DAX (3)",
	"      RANGE 0: a000000-bffffff  PFN a000-c000 (8192 pages)",
	"      VMEMMAP_SHIFT: 0  OPS: ffffffffc04960c0  OWNER: ffff8b90c19f0828",
	"      PERCPU_REF: ffff8b90c19f08e0  MODE: percpu",
	"        percpu_count_ptr 3ce58  count 8000000000000001  per-CPU sum 2003 (2 CPUs)",
	"        release ffffffff92344710 (dev_pagemap_percpu_release)  confirm_switch 0",
	"      REFCOUNTS: <0: 0  0: 0  1: 8192  2+: 0  UNREADABLE: 0",
	"      TRUE COUNT: 8196",
	"      EXPECTED: 8193 = 1 initial + 0 transient + 8192 held for pages",
	"      DELTA: +3",
	"      VERDICT: leaked",
	"    ffff8b90c19f08b0: 3 references leaked: held by no page (teardown will wait for them)",
	"",
	"  Which pgmap holds a pfn, and its page's state:",
	"",
	"    %s> zdref -P a000",
	"    PFN: a000  PAGE: fffff09800280000  PGMAP: ffff8b90c19f08b0 (FS_DAX, range 0: a000000-bffffff)",
	"      STATE: idle",
	"      CNT: 1 (idle is 1)  MAPCNT: -1  FLAGS: 27ffffc0001000  PGMAP WORD: ffff8b90c19f08b0",
	"",
	"  The WARNING next to the audit that explains it:",
	"",
	"    %s> zdref -l | grep -A1 'percpu ref'",
	"    [    3.146571] percpu ref (dev_pagemap_percpu_release) <= 0 (0) after switching to atomic",
	"    [    3.147148] WARNING: CPU: 0 PID: 0 at lib/percpu-refcount.c:197 percpu_ref_switch_to_atomic_rcu+0x161/0x190",
	"",
	"  The pgmaps that are not ok, for a script:",
	"",
	"    %s> zdref -j > /tmp/zdref.json",
	NULL
};
