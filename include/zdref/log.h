/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel log (what dmesg and crash's `log` show), read by the core from
 * kernel memory through the host, so that every front end (a dump, the
 * running kernel, crash) prints the WARNING next to the audit that explains
 * it.
 *
 * Two formats, told apart by the kernel's structure shape, never by its
 * version:
 *
 *   lockless  5.10+ ("printk: use the lockless ringbuffer", 896fbe20b4e2):
 *             symbol prb -> struct printk_ringbuffer, a descriptor ring
 *             (prb_desc + printk_info) and a text data ring
 *   record    3.5-5.9 (7ff9554bb578 "printk: convert byte-buffer to
 *             variable-length record buffer"): log_buf of struct printk_log
 *             (struct log before 3.11) headers, each followed by its text
 *
 * The ring is not trusted: every walk is bounded by the ring's own sizes,
 * and a record that does not decode (torn, overwritten, unreadable) is
 * skipped and counted, never followed.
 */
#ifndef ZDREF_LOG_H
#define ZDREF_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "host.h"

struct zd_target;

/* enum printk_info_flags (kernel/printk/internal.h), as stored */
#define ZD_LOG_NEWLINE 2U /* text ended with a newline */
#define ZD_LOG_CONT 8U /* a fragment of a continuation line */

struct zd_log_record {
	/*
	 * lockless: the kernel's sequence number; record: log_first_seq plus
	 * the record's position in the walk (a guess after a skipped record).
	 */
	uint64_t seq;
	uint64_t ts_nsec;
	/* printk_caller_id(): 0x80000000 | CPU, or a pid; valid if have_caller */
	uint32_t caller_id;
	bool have_caller;
	int level; /* 0-7, -1 when the layout does not say */
	int facility; /* -1 when the layout does not say */
	unsigned int flags; /* ZD_LOG_NEWLINE, ZD_LOG_CONT, ... */
	/*
	 * lockless: committed but not finalized, the newest record that a
	 * pr_cont() may still extend; the kernel's readers wait for it,
	 * crash and makedumpfile show it, and so does zdref.
	 */
	bool open;
	/* Not NUL-terminated, may hold '\n' (several lines) and any byte. */
	const char *text;
	size_t len;
};

struct zd_log_stats {
	const char *format; /* "lockless" or "record" */
	uint64_t records; /* handed to the callback */
	/*
	 * Records that did not decode: a state, id, sequence number, lpos,
	 * length or data block id that no consistent ring holds, or data
	 * that is not in the dump.  Of those, unreadable: memory not there.
	 */
	uint64_t skipped, unreadable;
	/*
	 * Records the kernel itself has no text for: data overwritten before
	 * the descriptor was recycled (reusable), a failed reservation, a
	 * record still being written (reserved).  Its own readers skip them.
	 */
	uint64_t lost;
};

/*
 * Hand every record of the kernel log, oldest first, to fn (r and its
 * text only live during the call).  fn returns 0 to go on, anything else
 * to stop the walk (zd_log_read() then returns NULL).  st may be NULL.
 *
 * Errors: ZD_ERR_NOTFOUND when the kernel has neither format,
 * ZD_ERR_UNSUPPORTED for the flat character log of kernels before 3.5,
 * ZD_ERR_INVALID for a ring whose control structure is absurd,
 * ZD_ERR_FAULT when the ring cannot be read at all (also when no record
 * could be read because its memory is not in the dump).
 */
typedef int (*zd_log_fn)(void *arg, const struct zd_log_record *r);
struct zd_error *zd_log_read(struct zd_target *t, zd_log_fn fn, void *arg,
			     struct zd_log_stats *st);
/*
 * The same without a target: zd_target_open() needs a ZONE_DEVICE kernel,
 * the log does not.
 */
struct zd_error *zd_log_read_host(const struct zd_host *host, zd_log_fn fn,
				  void *arg, struct zd_log_stats *st);

enum zd_log_print_flags {
	ZD_LOG_PRINT_CALLER = 1
			      << 0, /* "[  T123]" / "[    C0]" after the time */
	ZD_LOG_PRINT_LEVEL = 1 << 1, /* syslog "<4>" before it */
};

/*
 * One record the way the kernel's console and dmesg print it (printk.c
 * record_print_text()): "[    3.146571] text", each line of a multi-line
 * record with the prefix, bytes outside printable ASCII (tab aside) as
 * \xNN.
 */
void zd_log_print_text(FILE *out, const struct zd_log_record *r,
		       unsigned int flags);

#endif /* ZDREF_LOG_H */
