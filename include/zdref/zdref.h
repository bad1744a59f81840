/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * zdref core: audit the reference counts of every ZONE_DEVICE
 * struct dev_pagemap in a kernel image reached through a struct zd_host.
 *
 *	zd_target_open()	resolve layouts once per kernel
 *	zd_audit()		enumerate pgmaps, read their percpu_ref, walk
 *				their pages, apply the era's model
 *	zd_report_print_*()	text (crash conventions) or JSON
 *
 * Memory use is O(pgmaps + listed pages), never O(pages).
 */
#ifndef ZDREF_ZDREF_H
#define ZDREF_ZDREF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "host.h"

#define ZDREF_VERSION "0.1.0"

struct zd_target;

struct zd_error *zd_target_open(const struct zd_host *host,
				struct zd_target **ret);
void zd_target_close(struct zd_target *target);
/* The era model chosen for this kernel from its structure shape ("v6.1"). */
const char *zd_target_model(const struct zd_target *target);

enum zd_ref_mode {
	ZD_REF_PERCPU,
	ZD_REF_ATOMIC,
	ZD_REF_DEAD, /* atomic and killed */
};

/* A percpu_ref as found in memory, and its true count. */
struct zd_ref_state {
	uint64_t addr; /* struct percpu_ref */
	uint64_t percpu_count_ptr; /* raw, with the flag bits */
	uint64_t data; /* struct percpu_ref_data (5.10+) or 0 */
	uint64_t raw_count; /* atomic count as stored */
	uint64_t percpu_sum; /* sum of the per-CPU counters, mod 2^64 */
	uint64_t release, confirm_switch;
	unsigned int ncpus; /* possible CPUs summed */
	enum zd_ref_mode mode;
	bool exited; /* percpu_ref_exit() ran: count stashed in the pointer */
	bool bias_in_count; /* switch to atomic not folded yet */
	bool switching; /* confirm_switch set: the switch holds one ref */
	int64_t count; /* true count */
};

struct zd_range {
	uint64_t start, end; /* physical, end inclusive */
	uint64_t pfn_first, pfn_end; /* pfns that own references */
	uint64_t first_page; /* struct page of pfn_first, 0 if no memmap */
	char device[64]; /* deepest iomem resource covering it, "" if none */
};

/* Why a page is listed. */
enum zd_page_reason {
	ZD_PAGE_BUSY, /* above idle, held the way its type is used */
	ZD_PAGE_REFCOUNT, /* refcount differs from the type's idle value */
	ZD_PAGE_NEGATIVE, /* refcount below zero */
	ZD_PAGE_FOREIGN, /* pgmap word does not point back at this pgmap */
	ZD_PAGE_NO_OWNER, /* above idle, but no file or allocation holds it */
	ZD_PAGE_MAPCOUNT, /* mapped more often than it is referenced */
	ZD_PAGE_DEAD, /* above idle after the pgmap's ref was killed */
	ZD_PAGE_BAD_MAPPING, /* page->mapping is no file's address_space */
	/* Pages that hold no references and are passed over: */
	ZD_PAGE_POISONED, /* flags == ~0: struct page never initialised */
	ZD_PAGE_MEMMAP, /* self-pointing lru: memmap on the device */
	ZD_PAGE_TAIL, /* tail of a large folio: its head holds the count */
};

/* Who holds a busy page, as far as the dump shows. */
enum zd_holder_kind {
	ZD_HOLDER_NONE,
	ZD_HOLDER_FILE, /* page->mapping: a file's address_space */
	ZD_HOLDER_SHARED, /* fsdax reflink: shared by several files */
	ZD_HOLDER_DEVICE, /* allocated by a device driver (pgmap->owner) */
};

struct zd_holder {
	enum zd_holder_kind kind;
	uint64_t mapping; /* FILE: struct address_space */
	uint64_t inode; /* FILE: mapping->host, 0 if unreadable */
	uint64_t ino; /* FILE: inode->i_ino */
	uint64_t index; /* FILE: page->index; SHARED: the share count */
	uint64_t offset; /* FILE: index << PAGE_SHIFT, bytes into the file */
	char device[32]; /* FILE: inode->i_sb->s_id ("pmem0") */
	uint64_t owner, data; /* DEVICE: pgmap->owner, zone_device_data */
};

struct zd_page {
	uint64_t pfn, page, flags, pgmap_word;
	uint64_t mapping, index;
	int32_t refcount;
	int32_t mapcount; /* raw _mapcount: -1 when not mapped */
	int32_t pincount; /* large folio _pincount, -1 where none is kept */
	enum zd_page_reason reason;
	bool suspect;
	struct zd_holder holder;
};

/* What a blocked task waits for. */
enum zd_wait_on {
	ZD_WAIT_DONE, /* memunmap_pages(): wait_for_completion(&pgmap->done) */
	ZD_WAIT_PAGE, /* DAX layout break: wait_var_event() on one page */
};

struct zd_waiter {
	uint64_t task;
	int32_t pid;
	char comm[17];
	uint64_t state;
	enum zd_wait_on on;
	/* ZD_WAIT_PAGE: the page, judged like any other */
	bool page_read;
	struct zd_page page;
	int32_t idle; /* the refcount the waiter waits for */
	/*
	 * sched_info.last_arrival: when the task was last switched in, in
	 * sched_clock ns (the log's timestamps); it has been off CPU since
	 * shortly after.  have_last_ran false without CONFIG_SCHED_INFO.
	 */
	bool have_last_ran;
	uint64_t last_ran_ns;
};

enum zd_verdict {
	ZD_VERDICT_OK,
	ZD_VERDICT_LEAKED,
	ZD_VERDICT_MISSING,
	ZD_VERDICT_UNKNOWN,
};

/*
 * The names users know for a pgmap (lib/names.c).  A name that cannot be
 * given is "" and its why says, in a few words, what stopped it.
 */
#define ZD_IOMEM_DEPTH 8 /* levels of the iomem path kept (the deepest) */
struct zd_pgmap_names {
	bool resolved; /* the names stage ran */
	/* iomem: the deepest resource covering range 0 ("namespace0.0") */
	char device[64], device_why[96];
	/* its ancestors below iomem_resource, outermost first, device last */
	char iomem[ZD_IOMEM_DEPTH][64];
	unsigned int niomem;
	bool iomem_elided; /* outer levels beyond ZD_IOMEM_DEPTH left out */
	/* the module owning ops (else release), or "vmlinux" */
	char driver[64], driver_why[96];
	/* symbols, module-qualified: "fsdax_pagemap_ops [nd_pmem]" */
	char ops[128], ops_why[96];
	char release[128], owner[128];
	/* nd_pmem: the gendisk of the pmem_device holding the pgmap */
	char disk[32], disk_why[96];
	/* devres: the device devm_memremap_pages() mapped it for, its driver */
	char devres[64], devres_driver[64], devres_why[96];
};

/*
 * A pgmap flows down three stages, each writing only its own part:
 *   desc   the decoder: what the dev_pagemap and its percpu_ref say
 *   rule   the model, before the walk: how to judge this pgmap's pages
 *   stats  the page walk: what the struct pages say, judged by the rule
 *   judge  the model, after the walk: expected count, delta, verdict
 * (waiters: the tasks blocked on it, from the wait queues.)
 */
struct zd_pgmap_desc {
	uint64_t addr;
	int64_t type;
	const char *type_name; /* "MEMORY_DEVICE_FS_DAX", or NULL */
	uint64_t flags, vmemmap_shift, ops, owner;
	char ops_name[64], release_name[64];
	bool altmap_valid;
	uint64_t altmap_base_pfn, altmap_reserve, altmap_free;
	unsigned int nr_range;
	struct zd_range *ranges;
	bool registry_mismatch; /* the registry does not cover its ranges */
	bool hmm; /* registered by HMM (hmm_devmem_radix, 4.14-4.20) */
	struct zd_pgmap_names names; /* after decode: lib/names.c */

	struct zd_ref_state ref;
	struct zd_error *ref_error; /* percpu_ref unreadable */
};

/* How a page of this pgmap holds references (see lib/model.c). */
enum zd_use {
	ZD_USE_NONE, /* no legitimate use above idle is known */
	ZD_USE_FILE, /* FS_DAX, device-dax: held by a file's mapping */
	ZD_USE_ALLOC, /* device-private/coherent, P2PDMA: allocated */
};

struct zd_page_rule {
	int32_t idle; /* refcount of an idle page */
	enum zd_use use; /* what makes a page above idle busy */
	bool mapcount_refs; /* 6.15+: every mapping holds a reference */
	bool folio_refs; /* allocated large folios: 1 << order refs (6.19) */
	bool dead_suspect; /* a page above idle once the ref is dead */
};

struct zd_page_stats {
	uint64_t pages; /* owned pfns */
	uint64_t units; /* compound units (== pages when shift 0) */
	uint64_t unreadable; /* struct pages not in the dump */
	uint64_t excluded; /* of those, filtered out by makedumpfile */
	uint64_t refcounts[4]; /* <0, 0, 1, 2+ (heads of units) */
	uint64_t poisoned, skipped; /* passed over: poisoned; memmap, tails */
	int64_t refsum; /* sum of (refcount - 1) over the counted pages */
	int64_t alloc_refs; /* pages of allocated (refcount >= 1) folios */
	uint64_t
		order_unknown; /* large folio heads whose order is unreadable */
	uint64_t busy, suspects, foreign;
	struct zd_page *listed; /* up to the audit's limit */
	size_t nlisted;
	uint64_t listed_dropped;
};

struct zd_judgement {
	bool have_expected; /* expected and delta below are meaningful */
	int64_t initial; /* I: 1 until percpu_ref_kill() */
	int64_t transient; /* T visible in the dump (switch ref) */
	int64_t page_refs; /* references the pages account for */
	int64_t expected, delta;
	enum zd_verdict verdict;
	char reason[160]; /* for unknown verdicts and notes */
};

struct zd_pgmap {
	struct zd_pgmap_desc desc;
	struct zd_page_rule rule;
	struct zd_page_stats stats;
	struct zd_judgement judge;
	struct zd_waiter *waiters; /* tasks blocked on it or its pages */
	size_t nwaiters;
};

/* Why the machine is in this state (lib/triage.c), first in the report. */
enum zd_triage_kind {
	ZD_TRIAGE_WARNING, /* a percpu_ref WARNING of the kernel log */
	ZD_TRIAGE_HANG, /* a task blocked on a pgmap or one of its pages */
};

struct zd_triage {
	enum zd_triage_kind kind;
	uint64_t pgmap; /* the pgmap it is about, 0: none */
	char line[200]; /* the log line quoted: the WARNING, the hung task */
	char at[200]; /* WARNING: the "WARNING: CPU: N PID: M at ..." line */
	char panic[200]; /* WARNING: "Kernel panic - not syncing: ..." */
	int64_t delta;
	bool have_delta;
	/* HANG */
	int32_t pid;
	char comm[17];
	uint64_t state;
	enum zd_wait_on on;
	uint64_t pfn; /* on a page */
	bool have_last_ran; /* the waiter's last_ran_ns */
	uint64_t last_ran_ns;
	char next[320]; /* what to look at next, one line */
};

struct zd_report {
	char release[65];
	const char *model;
	const char *debuginfo; /* "dwarf", "btf", or NULL (crash) */
	bool live; /* the running kernel, not a dump */
	bool all_pages; /* busy pages listed too (-a) */
	const char *registry; /* "pgmap_array" */
	uint64_t page_struct_size; /* sizeof(struct page) */
	struct zd_pgmap *pgmaps;
	size_t npgmaps;
	struct zd_triage *triage; /* empty on a healthy dump */
	size_t ntriage;
	/*
	 * The dump's "now" in sched_clock ns: the newest rq->clock of all
	 * CPUs (the last tick or switch before the dump was taken).
	 */
	bool have_clock;
	uint64_t clock_ns;
};

struct zd_audit_options {
	uint64_t pgmap; /* 0: every pgmap; else only this one */
	bool all_pages; /* list busy pages too, not only suspects */
	size_t max_listed; /* per pgmap; 0 = default */
	const char *release; /* OSRELEASE for the report, may be NULL */
	const char *debuginfo; /* where types came from, for the report */
};

struct zd_error *zd_audit(struct zd_target *target,
			  const struct zd_audit_options *opts,
			  struct zd_report **ret);
void zd_report_destroy(struct zd_report *report);

/* 1 if any pgmap is inconsistent or has suspects, else 0. */
int zd_report_findings(const struct zd_report *report);

const char *zd_verdict_name(enum zd_verdict verdict);
const char *zd_ref_mode_name(enum zd_ref_mode mode);

/* Which pgmap owns a pfn, and the state of its page (-P). */
struct zd_pfn_info {
	uint64_t pfn;
	bool found; /* a registered pgmap's ranges hold it */
	struct zd_pgmap pgmap; /* decoded and judged, pages not walked */
	unsigned int range;
	bool owned; /* in [pfn_first, pfn_end): holds references */
	bool tail; /* tail of a compound unit; head_pfn holds the count */
	uint64_t head_pfn;
	bool readable;
	struct zd_error *page_error; /* why the page is not readable */
	struct zd_page page;
	const char *state; /* idle, busy, suspect, not owned, ... */
};

struct zd_error *zd_lookup_pfn(struct zd_target *target, uint64_t pfn,
			       struct zd_pfn_info *info);
void zd_pfn_info_release(struct zd_pfn_info *info);
void zd_pfn_info_print_text(FILE *out, const struct zd_pfn_info *info);
void zd_pfn_info_print_json(FILE *out, const struct zd_pfn_info *info,
			    const char *release, const char *model);

enum zd_text_flags {
	ZD_TEXT_DETAIL = 1 << 0, /* one pgmap in detail (-p) */
	ZD_TEXT_ALL = 1 << 1, /* list busy pages too (-a) */
};
void zd_report_print_text(FILE *out, const struct zd_report *report,
			  unsigned int flags);
void zd_report_print_json(FILE *out, const struct zd_report *report);

#endif /* ZDREF_ZDREF_H */
