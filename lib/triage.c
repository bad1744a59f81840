// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Triage: why the machine is in this state, first in the report.
 *
 *   warning  each "percpu ref (FN) <= 0 (N) after switching to atomic"
 *            WARNING of the kernel log (lib/percpu-refcount.c,
 *            percpu_ref_switch_to_atomic_rcu(): "%pf" to 4.19, "%ps"
 *            from 5.0) matched to the pgmap it is about, by the release
 *            function it names and the pgmap whose state explains it
 *            (killed, count <= 0 or missing references), or to none;
 *            with the "WARNING: CPU: N PID: M at ..." line and the panic
 *            reason of a panic_on_warn dump
 *   hang     each task blocked on a pgmap's teardown (pgmap->done) or on a
 *            DAX page (a layout break), with what keeps it blocked and
 *            the hung-task report of the log that names it
 *
 * Every entry ends in one line saying what to look at next.  A healthy
 * dump has none; a dump without such a WARNING never cites one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "zdref/log.h"

#define MAX_WARNINGS 16
#define MAX_HUNG 64

struct logscan {
	char warn[MAX_WARNINGS][200]; /* the percpu ref WARN_ONCE text */
	char warn_at[MAX_WARNINGS][200]; /* the WARNING: CPU: line near it */
	size_t nwarn;
	char panic[200];
	struct {
		int32_t pid;
		char line[200];
	} hung[MAX_HUNG];
	size_t nhung;
};

/* One line of a record, NUL-terminated and bounded. */
static void copy_line(char *dst, size_t len, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < len && s[i] != '\n'; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[i] = '\0';
}

static const char *find(const char *s, size_t n, const char *what)
{
	size_t w = strlen(what);

	for (size_t i = 0; i + w <= n; i++)
		if (!memcmp(s + i, what, w))
			return s + i;
	return NULL;
}

static int scan_record(void *arg, const struct zd_log_record *r)
{
	struct logscan *ls = arg;
	const char *p;
	char line[200];

	copy_line(line, sizeof(line), r->text, r->len);
	if (find(r->text, r->len, "percpu ref (") &&
	    find(r->text, r->len, "after switching to atomic")) {
		if (ls->nwarn < MAX_WARNINGS)
			snprintf(ls->warn[ls->nwarn++], sizeof(ls->warn[0]),
				 "%s", line);
	} else if (!strncmp(line, "WARNING: CPU:", 13) &&
		   (strstr(line, "percpu-refcount.c") ||
		    strstr(line, "percpu_ref_switch_to_atomic_rcu"))) {
		/*
		 * 4.19+ prints the message first, then this line; 4.11
		 * printed this line first (kernel/panic.c __warn).
		 */
		size_t i = ls->nwarn ? ls->nwarn - 1 : 0;

		if (i < MAX_WARNINGS && !ls->warn_at[i][0])
			snprintf(ls->warn_at[i], sizeof(ls->warn_at[0]), "%s",
				 line);
	} else if ((p = strstr(line, "Kernel panic - not syncing: ")) &&
		   !ls->panic[0]) {
		/* the first: "---[ end Kernel panic ..." repeats it */
		snprintf(ls->panic, sizeof(ls->panic), "%s", p);
	} else if (!strncmp(line, "INFO: task ", 11) &&
		   strstr(line, " blocked for more than ")) {
		/* "INFO: task %s:%d blocked for more than %ld seconds." */
		const char *colon = strrchr(line, ':');
		int pid = colon ? atoi(colon + 1) : 0;

		/* the comm may hold ':'; the pid is the last field before " blocked" */
		for (const char *q = strstr(line, " blocked") - 1; q > line;
		     q--)
			if (*q == ':') {
				pid = atoi(q + 1);
				break;
			}
		if (pid > 0 && ls->nhung < MAX_HUNG) {
			ls->hung[ls->nhung].pid = pid;
			snprintf(ls->hung[ls->nhung].line,
				 sizeof(ls->hung[0].line), "%s", line);
			ls->nhung++;
		}
	}
	return 0;
}

static struct zd_triage *add(struct zd_report *rep)
{
	struct zd_triage *t =
		realloc(rep->triage, (rep->ntriage + 1) * sizeof(*t));

	if (!t)
		return NULL;
	rep->triage = t;
	t = &rep->triage[rep->ntriage++];
	memset(t, 0, sizeof(*t));
	return t;
}

/* The release function the WARNING names: "percpu ref (FN) <= 0". */
static void warned_release(const char *line, char *fn, size_t len)
{
	const char *a = strstr(line, "percpu ref (");
	const char *b;

	fn[0] = '\0';
	if (!a)
		return;
	a += strlen("percpu ref (");
	b = strstr(a, ") <= 0");
	if (!b || (size_t)(b - a) >= len)
		return;
	memcpy(fn, a, (size_t)(b - a));
	fn[b - a] = '\0';
	/* "%ps" of a module symbol adds " [module]" */
	if ((b = strchr(fn, ' ')))
		fn[b - fn] = '\0';
}

/* A pgmap whose state explains a WARNING about a release function. */
static bool explains(const struct zd_pgmap *pg, const char *fn)
{
	const struct zd_ref_state *r = &pg->desc.ref;

	if (pg->desc.ref_error || strcmp(pg->desc.release_name, fn))
		return false;
	return pg->judge.verdict == ZD_VERDICT_MISSING ||
	       ((r->mode == ZD_REF_DEAD || r->switching) && r->count <= 0);
}

static void warning_entry(struct zd_report *rep, const struct logscan *ls,
			  size_t w)
{
	struct zd_triage *t = add(rep);
	const struct zd_pgmap *hit = NULL;
	char fn[64];
	size_t n = 0;

	if (!t)
		return;
	t->kind = ZD_TRIAGE_WARNING;
	snprintf(t->line, sizeof(t->line), "%s", ls->warn[w]);
	snprintf(t->at, sizeof(t->at), "%s", ls->warn_at[w]);
	snprintf(t->panic, sizeof(t->panic), "%s", ls->panic);
	warned_release(ls->warn[w], fn, sizeof(fn));
	for (size_t i = 0; i < rep->npgmaps; i++)
		if (explains(&rep->pgmaps[i], fn) && n++ == 0)
			hit = &rep->pgmaps[i];
	if (n == 1) {
		t->pgmap = hit->desc.addr;
		t->delta = hit->judge.delta;
		t->have_delta = hit->judge.have_expected;
		snprintf(
			t->next, sizeof(t->next),
			"%lld reference%s put without a get on pgmap %llx: look for a put_dev_pagemap()/percpu_ref_put() with no matching get (the WARNING's backtrace is the RCU callback, not the culprit)",
			(long long)-hit->judge.delta,
			hit->judge.delta == -1 ? "" : "s",
			(unsigned long long)hit->desc.addr);
	} else if (n > 1) {
		snprintf(
			t->next, sizeof(t->next),
			"%zu pgmaps with release %s could be the one: compare their verdicts",
			n, fn);
	} else {
		snprintf(
			t->next, sizeof(t->next),
			"no pgmap with release %s is killed, at or below zero or missing references: this WARNING is about another percpu_ref",
			fn[0] ? fn : "?");
	}
}

static void hang_entry(struct zd_report *rep, const struct logscan *ls,
		       const struct zd_pgmap *pg, const struct zd_waiter *w)
{
	struct zd_triage *t = add(rep);

	if (!t)
		return;
	t->kind = ZD_TRIAGE_HANG;
	t->pgmap = pg->desc.addr;
	t->pid = w->pid;
	memcpy(t->comm, w->comm, sizeof(t->comm));
	t->state = w->state;
	t->on = w->on;
	t->have_last_ran = w->have_last_ran;
	t->last_ran_ns = w->last_ran_ns;
	t->delta = pg->judge.delta;
	t->have_delta = pg->judge.have_expected;
	for (size_t i = 0; i < ls->nhung; i++)
		if (ls->hung[i].pid == w->pid)
			snprintf(t->line, sizeof(t->line), "%s",
				 ls->hung[i].line);
	if (w->on == ZD_WAIT_PAGE) {
		t->pfn = w->page.pfn;
		snprintf(
			t->next, sizeof(t->next),
			"pfn %llx holds %lld reference%s beyond idle (%s): the task holding it (a pipe buffer, an O_DIRECT read in flight, a pin) blocks this layout break",
			(unsigned long long)w->page.pfn,
			(long long)w->page.refcount - w->idle,
			(long long)w->page.refcount - w->idle == 1 ? "" : "s",
			w->page.reason == ZD_PAGE_BUSY ?
				"busy, held by a file" :
				"a suspect page");
	} else if (pg->judge.have_expected && pg->judge.delta > 0) {
		snprintf(
			t->next, sizeof(t->next),
			"%lld reference%s held by no page keep memunmap_pages() waiting: look for a driver that took get_dev_pagemap() without put_dev_pagemap()",
			(long long)pg->judge.delta,
			pg->judge.delta == 1 ? "" : "s");
	} else if (pg->judge.have_expected && pg->judge.delta < 0) {
		snprintf(
			t->next, sizeof(t->next),
			"%lld reference%s missing: the switch to atomic went below zero and the release never runs (see the WARNING)",
			(long long)-pg->judge.delta,
			pg->judge.delta == -1 ? "" : "s");
	} else {
		snprintf(
			t->next, sizeof(t->next),
			"the count matches the pages: teardown waits for page references or a reference taken in passing; rerun on a later dump");
	}
}

void zd_triage_build(struct zd_target *t, struct zd_report *rep)
{
	struct logscan *ls = calloc(1, sizeof(*ls));
	struct zd_log_stats st;

	if (!ls)
		return;
	/* The log is a bonus: without it, entries come from the state. */
	zd_error_destroy(zd_log_read(t, scan_record, ls, &st));
	for (size_t i = 0; i < ls->nwarn; i++)
		warning_entry(rep, ls, i);
	for (size_t i = 0; i < rep->npgmaps; i++)
		for (size_t w = 0; w < rep->pgmaps[i].nwaiters; w++)
			hang_entry(rep, ls, &rep->pgmaps[i],
				   &rep->pgmaps[i].waiters[w]);
	free(ls);
}
