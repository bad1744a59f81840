// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Output: text in crash's conventions (upper-case headers, hex without 0x,
 * decimal counts) and the JSON contract of DESIGN.md (addresses and pfns as
 * "0x" strings, counts as numbers).
 */
#include <inttypes.h>
#include <string.h>

#include "internal.h"

static const char *short_type(const struct zd_pgmap *pg, char *buf, size_t len)
{
	const char *prefix = "MEMORY_DEVICE_";

	if (!pg->desc.type_name) {
		snprintf(buf, len, "type%" PRId64, pg->desc.type);
		return buf;
	}
	if (!strncmp(pg->desc.type_name, prefix, strlen(prefix)))
		return pg->desc.type_name + strlen(prefix);
	return pg->desc.type_name;
}

static const char *mode_text(const struct zd_pgmap *pg)
{
	if (pg->desc.ref_error)
		return "?";
	if (pg->desc.ref.exited)
		return "exited";
	if (pg->desc.ref.switching)
		return pg->desc.ref.mode == ZD_REF_DEAD ? "dead+sw" :
							  "atomic+sw";
	return zd_ref_mode_name(pg->desc.ref.mode);
}

/* Symbols, module-qualified once the names stage ran. */
static const char *ops_symbol(const struct zd_pgmap *pg)
{
	return pg->desc.names.resolved ? pg->desc.names.ops : pg->desc.ops_name;
}

static const char *release_symbol(const struct zd_pgmap *pg)
{
	return pg->desc.names.release[0] ? pg->desc.names.release :
					   pg->desc.release_name;
}

static const char *name_why(const struct zd_pgmap *pg, const char *why)
{
	return why[0]		       ? why :
	       pg->desc.names.resolved ? "unknown" :
					 "pgmap not decoded";
}

/* "namespace0.0 pmem0 [nd_pmem]": device, disk, driver, as far as known. */
static const char *names_text(const struct zd_pgmap *pg, char *buf, size_t len)
{
	const struct zd_pgmap_names *nm = &pg->desc.names;
	size_t at = 0;

	buf[0] = '\0';
	/* the iomem name; the devres device where the tree has none */
	if (nm->device[0])
		at += snprintf(buf + at, len - at, "%s", nm->device);
	else if (nm->devres[0])
		at += snprintf(buf + at, len - at, "%s", nm->devres);
	if (nm->disk[0] && at < len)
		at += snprintf(buf + at, len - at, "%s%s", at ? " " : "",
			       nm->disk);
	if (nm->driver[0] && at < len)
		snprintf(buf + at, len - at, "%s[%s]", at ? " " : "",
			 nm->driver);
	if (!buf[0])
		snprintf(buf, len, "-");
	return buf;
}

/* "ino 12 +0x3000 pmem0": the holder of a busy page as users know it. */
static const char *holder_text(const struct zd_page *p, char *buf, size_t len)
{
	const struct zd_holder *h = &p->holder;

	switch (h->kind) {
	case ZD_HOLDER_FILE:
		if (h->inode)
			snprintf(buf, len,
				 "file: ino %" PRIu64 " +0x%" PRIx64 " on %s",
				 h->ino, h->offset,
				 h->device[0] ? h->device : "?");
		else
			snprintf(buf, len,
				 "file: mapping %" PRIx64 " +0x%" PRIx64
				 " (inode not in the dump)",
				 h->mapping, h->offset);
		break;
	case ZD_HOLDER_SHARED:
		snprintf(buf, len, "file: reflink-shared by %" PRIu64,
			 h->index);
		break;
	case ZD_HOLDER_DEVICE:
		snprintf(buf, len, "allocated: owner %" PRIx64 " data %" PRIx64,
			 h->owner, h->data);
		break;
	default:
		snprintf(buf, len, "in use");
	}
	return buf;
}

static const char *reason_text(const struct zd_pgmap *pg,
			       const struct zd_page *p, char *buf, size_t len)
{
	switch (p->reason) {
	case ZD_PAGE_FOREIGN:
		snprintf(buf, len, "pgmap word %" PRIx64 " is not this pgmap",
			 p->pgmap_word);
		break;
	case ZD_PAGE_NEGATIVE:
		snprintf(buf, len, "refcount below zero");
		break;
	case ZD_PAGE_BUSY:
		holder_text(p, buf, len);
		break;
	case ZD_PAGE_NO_OWNER:
		snprintf(
			buf, len,
			"refcount %d above idle %d, held by no file (mapping NULL)",
			p->refcount, pg->rule.idle);
		break;
	case ZD_PAGE_MAPCOUNT:
		snprintf(buf, len, "mapped %lld times, refcount %d",
			 (long long)p->mapcount + 1, p->refcount);
		break;
	case ZD_PAGE_DEAD:
		snprintf(buf, len,
			 "refcount %d above idle %d after the pgmap was killed",
			 p->refcount, pg->rule.idle);
		break;
	case ZD_PAGE_BAD_MAPPING:
		snprintf(buf, len,
			 "mapping %" PRIx64 " is no file's address_space",
			 p->mapping);
		break;
	case ZD_PAGE_POISONED:
		snprintf(buf, len, "poisoned: struct page never initialised");
		break;
	case ZD_PAGE_MEMMAP:
		snprintf(buf, len, "holds memmap (self-pointing lru)");
		break;
	case ZD_PAGE_TAIL:
		snprintf(buf, len, "tail of a large folio");
		break;
	default:
		if (p->refcount == pg->rule.idle)
			snprintf(buf, len, "idle");
		else
			snprintf(buf, len, "refcount %d, idle is %d",
				 p->refcount, pg->rule.idle);
		break;
	}
	return buf;
}

static void print_summary_row(FILE *out, const struct zd_pgmap *pg)
{
	char tbuf[32], obs[24], exp[24], del[24], names[200];
	uint64_t first = pg->desc.nr_range ? pg->desc.ranges[0].pfn_first : 0;
	uint64_t end = pg->desc.nr_range ?
			       pg->desc.ranges[pg->desc.nr_range - 1].pfn_end :
			       0;
	bool known = pg->judge.have_expected;

	snprintf(obs, sizeof(obs), pg->desc.ref_error ? "?" : "%" PRId64,
		 pg->desc.ref.count);
	snprintf(exp, sizeof(exp), known ? "%" PRId64 : "-",
		 pg->judge.expected);
	snprintf(del, sizeof(del), known ? "%+" PRId64 : "-", pg->judge.delta);
	if (known && pg->judge.delta == 0)
		snprintf(del, sizeof(del), "0");
	fprintf(out,
		"%16" PRIx64 "  %-9s %10" PRIx64 " %10" PRIx64 " %9" PRIu64
		" %6" PRIu64 "  %-9s %9s %9s %6s  %-7s  %s\n",
		pg->desc.addr, short_type(pg, tbuf, sizeof(tbuf)), first, end,
		pg->stats.pages, pg->stats.busy, mode_text(pg), obs, exp, del,
		zd_verdict_name(pg->judge.verdict),
		names_text(pg, names, sizeof(names)));
}

static void print_waiter(FILE *out, const struct zd_pgmap *pg,
			 const struct zd_waiter *w)
{
	const struct zd_page *p = &w->page;
	char why[128];

	if (w->on == ZD_WAIT_DONE) {
		fprintf(out,
			"%16" PRIx64
			": teardown blocked on it: pid %d (%s) task %" PRIx64
			" in memunmap_pages(), waiting for pgmap->done\n",
			pg->desc.addr, w->pid, w->comm, w->task);
		return;
	}
	fprintf(out,
		"%16" PRIx64
		": DAX layout break blocked: pid %d (%s) task %" PRIx64
		" waits for pfn %" PRIx64,
		pg->desc.addr, w->pid, w->comm, w->task, p->pfn);
	if (!w->page_read) {
		fputs(" (struct page not in the dump)\n", out);
		return;
	}
	fprintf(out,
		" to drop to refcount %d: refcount %d, %lld extra reference%s, %s\n",
		w->idle, p->refcount, (long long)p->refcount - w->idle,
		(long long)p->refcount - w->idle == 1 ? "" : "s",
		p->suspect ? reason_text(pg, p, why, sizeof(why)) :
			     holder_text(p, why, sizeof(why)));
}

static void print_findings(FILE *out, const struct zd_pgmap *pg)
{
	if (pg->judge.verdict == ZD_VERDICT_LEAKED)
		fprintf(out,
			"%16" PRIx64 ": %" PRId64
			" reference%s leaked: held by no page (teardown will wait for them)\n",
			pg->desc.addr, pg->judge.delta,
			pg->judge.delta == 1 ? "" : "s");
	else if (pg->judge.verdict == ZD_VERDICT_MISSING)
		fprintf(out,
			"%16" PRIx64 ": %" PRId64
			" reference%s missing: pages account for more than the pgmap holds (underflow)\n",
			pg->desc.addr, -pg->judge.delta,
			pg->judge.delta == -1 ? "" : "s");
	if (pg->judge.reason[0])
		fprintf(out, "%16" PRIx64 ": %s\n", pg->desc.addr,
			pg->judge.reason);
	if (pg->stats.suspects)
		fprintf(out,
			"%16" PRIx64 ": %" PRIu64
			" suspect page%s (zdref -p %" PRIx64 " lists them)\n",
			pg->desc.addr, pg->stats.suspects,
			pg->stats.suspects == 1 ? "" : "s", pg->desc.addr);
	if (pg->desc.registry_mismatch)
		fprintf(out,
			"%16" PRIx64
			": the registry does not map exactly its ranges\n",
			pg->desc.addr);
	for (size_t i = 0; i < pg->nwaiters; i++)
		print_waiter(out, pg, &pg->waiters[i]);
}

static void print_pages(FILE *out, const struct zd_pgmap *pg, bool all)
{
	char why[128], pin[16];
	bool header = false;

	for (size_t i = 0; i < pg->stats.nlisted; i++) {
		const struct zd_page *p = &pg->stats.listed[i];

		if (!all && !p->suspect)
			continue;
		if (!header) {
			fprintf(out,
				"\n%s\n      PAGE              PFN      CNT  MAPCNT  PINCNT            FLAGS  %s\n",
				all ? "NON-IDLE PAGES:" : "SUSPECT PAGES:",
				all ? "HOLDER / REASON" : "REASON");
			header = true;
		}
		if (p->pincount < 0)
			snprintf(pin, sizeof(pin), "-");
		else
			snprintf(pin, sizeof(pin), "%d", p->pincount);
		fprintf(out,
			"%16" PRIx64 " %10" PRIx64 " %8d %7d %7s %16" PRIx64
			"  %s%s\n",
			p->page, p->pfn, p->refcount, p->mapcount, pin,
			p->flags, p->suspect ? "suspect: " : "",
			reason_text(pg, p, why, sizeof(why)));
	}
	if (pg->stats.listed_dropped)
		fprintf(out, "(%" PRIu64 " more pages not listed)\n",
			pg->stats.listed_dropped);
}

/* One name, or "-" and why not. */
static void print_name(FILE *out, const char *label, const char *name,
		       const char *why)
{
	if (name[0])
		fprintf(out, "%s: %s", label, name);
	else
		fprintf(out, "%s: - (%s)", label, why);
}

static void print_names(FILE *out, const struct zd_pgmap *pg)
{
	const struct zd_pgmap_names *nm = &pg->desc.names;

	fputs("  ", out);
	print_name(out, "DEVICE", nm->device, name_why(pg, nm->device_why));
	fputs("  ", out);
	print_name(out, "DRIVER", nm->driver, name_why(pg, nm->driver_why));
	fputs("  ", out);
	print_name(out, "DISK", nm->disk, name_why(pg, nm->disk_why));
	fputc('\n', out);
	fputs("  ", out);
	print_name(out, "DEVRES", nm->devres, name_why(pg, nm->devres_why));
	if (nm->devres_driver[0])
		fprintf(out, " (driver %s)", nm->devres_driver);
	fputc('\n', out);
	if (!nm->niomem)
		return;
	fprintf(out, "  IOMEM: %s", nm->iomem_elided ? "... > " : "");
	for (unsigned int i = 0; i < nm->niomem; i++)
		fprintf(out, "%s%s", i ? " > " : "",
			nm->iomem[i][0] ? nm->iomem[i] : "?");
	fputc('\n', out);
	for (unsigned int i = 1; i < pg->desc.nr_range; i++)
		fprintf(out, "  RANGE %u DEVICE: %s\n", i,
			pg->desc.ranges[i].device[0] ?
				pg->desc.ranges[i].device :
				"-");
}

static void print_detail(FILE *out, const struct zd_pgmap *pg, bool all)
{
	const struct zd_ref_state *r = &pg->desc.ref;
	const struct zd_pgmap_names *nm = &pg->desc.names;

	fprintf(out, "PGMAP: %" PRIx64 "  TYPE: %s (%" PRId64 ")\n",
		pg->desc.addr,
		pg->desc.type_name ? pg->desc.type_name : "unknown",
		pg->desc.type);
	for (unsigned int i = 0; i < pg->desc.nr_range; i++)
		fprintf(out,
			"  RANGE %u: %" PRIx64 "-%" PRIx64 "  PFN %" PRIx64
			"-%" PRIx64 " (%" PRIu64 " pages)\n",
			i, pg->desc.ranges[i].start, pg->desc.ranges[i].end,
			pg->desc.ranges[i].pfn_first,
			pg->desc.ranges[i].pfn_end,
			pg->desc.ranges[i].pfn_end -
				pg->desc.ranges[i].pfn_first);
	if (pg->desc.altmap_valid)
		fprintf(out,
			"  ALTMAP: base_pfn %" PRIx64 " reserve %" PRIu64
			" free %" PRIu64 " (memmap on the device)\n",
			pg->desc.altmap_base_pfn, pg->desc.altmap_reserve,
			pg->desc.altmap_free);
	fprintf(out,
		"  VMEMMAP_SHIFT: %" PRIu64 "  OPS: %" PRIx64
		"%s%s%s  OWNER: %" PRIx64 "%s%s%s\n",
		pg->desc.vmemmap_shift, pg->desc.ops,
		ops_symbol(pg)[0] ? " (" : "", ops_symbol(pg),
		ops_symbol(pg)[0] ? ")" : "", pg->desc.owner,
		nm->owner[0] ? " (" : "", nm->owner, nm->owner[0] ? ")" : "");
	print_names(out, pg);
	if (pg->desc.ref_error) {
		fprintf(out, "  PERCPU_REF: unreadable: %s\n",
			pg->desc.ref_error->message);
	} else {
		fprintf(out, "  PERCPU_REF: %" PRIx64 "  MODE: %s%s%s\n",
			r->addr, zd_ref_mode_name(r->mode),
			r->switching ? ", switch to atomic not confirmed" : "",
			r->exited ? ", exited" : "");
		fprintf(out,
			"    percpu_count_ptr %" PRIx64 "  count %" PRIx64
			"  per-CPU sum %" PRIx64 " (%u CPUs)%s\n",
			r->percpu_count_ptr, r->raw_count, r->percpu_sum,
			r->ncpus, r->bias_in_count ? "  bias not folded" : "");
		fprintf(out,
			"    release %" PRIx64 "%s%s%s  confirm_switch %" PRIx64
			"\n",
			r->release, release_symbol(pg)[0] ? " (" : "",
			release_symbol(pg), release_symbol(pg)[0] ? ")" : "",
			r->confirm_switch);
	}
	fprintf(out,
		"  REFCOUNTS: <0: %" PRIu64 "  0: %" PRIu64 "  1: %" PRIu64
		"  2+: %" PRIu64 "  UNREADABLE: %" PRIu64 "%s\n",
		pg->stats.refcounts[0], pg->stats.refcounts[1],
		pg->stats.refcounts[2], pg->stats.refcounts[3],
		pg->stats.unreadable,
		pg->stats.excluded ? " (filtered out of the dump)" : "");
	if (!pg->desc.ref_error)
		fprintf(out, "  TRUE COUNT: %" PRId64 "\n", r->count);
	if (pg->judge.have_expected)
		fprintf(out,
			"  EXPECTED: %" PRId64 " = %" PRId64
			" initial + %" PRId64 " transient + %" PRId64
			" held for pages\n"
			"  DELTA: %+" PRId64 "\n",
			pg->judge.expected, pg->judge.initial,
			pg->judge.transient, pg->judge.page_refs,
			pg->judge.delta);
	fprintf(out, "  VERDICT: %s\n", zd_verdict_name(pg->judge.verdict));
	print_findings(out, pg);
	print_pages(out, pg, all);
}

static const char *task_state(uint64_t state)
{
	/* TASK_INTERRUPTIBLE 1, TASK_UNINTERRUPTIBLE 2 (include/linux/sched.h) */
	return state & 2 ? "D" : state & 1 ? "S" : state ? "?" : "R";
}

/* Why the machine is in this state: first, one paragraph an entry. */
/* A sched_clock time the way printk stamps its records: "[    3.748784]" */
static void print_stamp(FILE *out, uint64_t ns)
{
	fprintf(out, "[%5" PRIu64 ".%06" PRIu64 "]", ns / 1000000000,
		ns % 1000000000 / 1000);
}

/* How long ago a waiter last ran, when the dump says (sched_info). */
static void print_last_ran(FILE *out, const struct zd_report *rep,
			   const struct zd_triage *t)
{
	if (!t->have_last_ran)
		return;
	if (rep->have_clock && rep->clock_ns >= t->last_ran_ns) {
		uint64_t d = rep->clock_ns - t->last_ran_ns;

		fprintf(out,
			"           off CPU for %" PRIu64 ".%03" PRIu64
			" s: last ran at ",
			d / 1000000000, d % 1000000000 / 1000000);
		print_stamp(out, t->last_ran_ns);
		fputs(", the dump's newest rq clock is ", out);
		print_stamp(out, rep->clock_ns);
		fputs(" (sched_info.last_arrival, rq->clock)\n", out);
		return;
	}
	fputs("           last ran at ", out);
	print_stamp(out, t->last_ran_ns);
	if (rep->have_clock) {
		fputs(", after the dump's newest rq clock ", out);
		print_stamp(out, rep->clock_ns);
		fputs(": one of them is damaged\n", out);
	} else {
		fputs(" (sched_info.last_arrival; no rq clock in the dump)\n",
		      out);
	}
}

static void print_triage(FILE *out, const struct zd_report *rep)
{
	for (size_t i = 0; i < rep->ntriage; i++) {
		const struct zd_triage *t = &rep->triage[i];

		if (!i)
			fputs("TRIAGE:\n", out);
		if (t->kind == ZD_TRIAGE_WARNING) {
			fprintf(out, "  WARNING  %s\n", t->line);
			if (t->at[0])
				fprintf(out, "           %s\n", t->at);
			if (t->panic[0])
				fprintf(out, "           %s\n", t->panic);
			if (t->pgmap)
				fprintf(out,
					"           about pgmap %" PRIx64
					"%s%+" PRId64 "\n",
					t->pgmap,
					t->have_delta ? ": delta " : "",
					t->have_delta ? t->delta : 0);
			else
				fputs("           about no pgmap of this dump\n",
				      out);
		} else {
			fprintf(out,
				"  HANG     pid %d (%s) state %s blocked on pgmap %" PRIx64,
				t->pid, t->comm, task_state(t->state),
				t->pgmap);
			if (t->on == ZD_WAIT_PAGE)
				fprintf(out, " page pfn %" PRIx64 "\n", t->pfn);
			else
				fputs(" teardown (pgmap->done)\n", out);
			print_last_ran(out, rep, t);
			if (t->line[0])
				fprintf(out, "           %s\n", t->line);
		}
		fprintf(out, "           next: %s\n", t->next);
		if (i + 1 == rep->ntriage)
			fputc('\n', out);
	}
}

void zd_report_print_text(FILE *out, const struct zd_report *rep,
			  unsigned int flags)
{
	if (flags & ZD_TEXT_DETAIL) {
		for (size_t i = 0; i < rep->npgmaps; i++) {
			if (i)
				fputc('\n', out);
			print_detail(out, &rep->pgmaps[i], flags & ZD_TEXT_ALL);
		}
		return;
	}
	print_triage(out, rep);
	if (!rep->npgmaps) {
		fprintf(out, "no ZONE_DEVICE pgmaps registered (%s is empty)\n",
			rep->registry);
		return;
	}
	fprintf(out,
		"%-16s  %-9s %10s %10s %9s %6s  %-9s %9s %9s %6s  %-7s  %s\n",
		"     PGMAP", "TYPE", "START_PFN", "END_PFN", "PAGES", "BUSY",
		"REF", "OBSERVED", "EXPECTED", "DELTA", "VERDICT", "DEVICE");
	for (size_t i = 0; i < rep->npgmaps; i++)
		print_summary_row(out, &rep->pgmaps[i]);
	for (size_t i = 0; i < rep->npgmaps; i++)
		print_findings(out, &rep->pgmaps[i]);
	if (flags & ZD_TEXT_ALL)
		for (size_t i = 0; i < rep->npgmaps; i++)
			print_pages(out, &rep->pgmaps[i], true);
}

/* JSON */

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void json_hex(FILE *out, const char *key, uint64_t v)
{
	fprintf(out, "\"%s\": \"0x%" PRIx64 "\"", key, v);
}

/* "key": "name", or "key": null, "why_key": "why". */
static void json_name(FILE *out, const char *key, const char *name,
		      const char *why_key, const char *why)
{
	fprintf(out, "\"%s\": ", key);
	if (name[0]) {
		json_string(out, name);
		return;
	}
	fprintf(out, "null, \"%s\": ", why_key);
	json_string(out, why);
}

static void json_or_null(FILE *out, const char *s)
{
	if (s[0])
		json_string(out, s);
	else
		fputs("null", out);
}

/* device, iomem path, driver, disk: the names users know. */
static void json_names(FILE *out, const struct zd_pgmap *pg)
{
	const struct zd_pgmap_names *nm = &pg->desc.names;

	fputs(",\n     ", out);
	json_name(out, "device", nm->device, "device_why",
		  name_why(pg, nm->device_why));
	fputs(", \"iomem\": [", out);
	for (unsigned int i = 0; i < nm->niomem; i++) {
		fputs(i ? ", " : "", out);
		json_or_null(out, nm->iomem[i]);
	}
	fprintf(out, "], \"iomem_elided\": %s, ",
		nm->iomem_elided ? "true" : "false");
	json_name(out, "driver", nm->driver, "driver_why",
		  name_why(pg, nm->driver_why));
	fputs(", ", out);
	json_name(out, "disk", nm->disk, "disk_why",
		  name_why(pg, nm->disk_why));
	fputs(", ", out);
	json_name(out, "devres", nm->devres, "devres_why",
		  name_why(pg, nm->devres_why));
	fputs(", \"devres_driver\": ", out);
	json_or_null(out, nm->devres_driver);
}

static void json_holder(FILE *out, const struct zd_holder *h)
{
	switch (h->kind) {
	case ZD_HOLDER_FILE:
		fputs("{\"kind\": \"file\", ", out);
		json_hex(out, "mapping", h->mapping);
		if (h->inode) {
			fputs(", ", out);
			json_hex(out, "inode_addr", h->inode);
			fprintf(out, ", \"inode\": %" PRIu64 ", \"device\": ",
				h->ino);
			json_string(out, h->device);
		} else {
			fputs(", \"inode_addr\": null, \"inode\": null, \"device\": null",
			      out);
		}
		fprintf(out, ", \"index\": %" PRIu64 ", ", h->index);
		json_hex(out, "offset", h->offset);
		fputc('}', out);
		break;
	case ZD_HOLDER_SHARED:
		fprintf(out, "{\"kind\": \"shared\", \"shares\": %" PRIu64 "}",
			h->index);
		break;
	case ZD_HOLDER_DEVICE:
		fputs("{\"kind\": \"device\", ", out);
		json_hex(out, "owner", h->owner);
		fputs(", ", out);
		json_hex(out, "data", h->data);
		fputc('}', out);
		break;
	default:
		fputs("null", out);
	}
}

static void json_page(FILE *out, const struct zd_pgmap *pg,
		      const struct zd_page *p)
{
	char why[128];

	fputc('{', out);
	json_hex(out, "pfn", p->pfn);
	fputs(", ", out);
	json_hex(out, "page", p->page);
	fprintf(out, ", \"refcount\": %d, \"mapcount\": %d, ", p->refcount,
		p->mapcount);
	if (p->pincount < 0)
		fputs("\"pincount\": null, ", out);
	else
		fprintf(out, "\"pincount\": %d, ", p->pincount);
	json_hex(out, "flags", p->flags);
	fputs(", ", out);
	json_hex(out, "mapping", p->mapping);
	fprintf(out, ", \"index\": %" PRIu64 ", \"reason\": ", p->index);
	json_string(out, reason_text(pg, p, why, sizeof(why)));
	fputs(", \"holder\": ", out);
	json_holder(out, &p->holder);
	fputc('}', out);
}

static void json_pages(FILE *out, const struct zd_pgmap *pg, bool suspects)
{
	bool first = true;

	fputc('[', out);
	for (size_t i = 0; i < pg->stats.nlisted; i++) {
		if (pg->stats.listed[i].suspect != suspects)
			continue;
		fputs(first ? "" : ", ", out);
		json_page(out, pg, &pg->stats.listed[i]);
		first = false;
	}
	fputc(']', out);
}

static void json_pgmap(FILE *out, const struct zd_pgmap *pg, bool all)
{
	const struct zd_ref_state *r = &pg->desc.ref;
	bool known = pg->judge.have_expected;

	fputs("    {", out);
	json_hex(out, "address", pg->desc.addr);
	fputs(", \"type\": ", out);
	if (pg->desc.type_name)
		json_string(out, pg->desc.type_name);
	else
		fprintf(out, "\"%" PRId64 "\"", pg->desc.type);
	fputs(",\n     \"ranges\": [", out);
	for (unsigned int i = 0; i < pg->desc.nr_range; i++) {
		fputs(i ? ", {" : "{", out);
		json_hex(out, "start", pg->desc.ranges[i].start);
		fputs(", ", out);
		json_hex(out, "end", pg->desc.ranges[i].end);
		fputs(", ", out);
		json_hex(out, "pfn_first", pg->desc.ranges[i].pfn_first);
		fputs(", ", out);
		json_hex(out, "pfn_end", pg->desc.ranges[i].pfn_end);
		fputs(", ", out);
		json_hex(out, "first_page", pg->desc.ranges[i].first_page);
		fputs(", \"device\": ", out);
		json_or_null(out, pg->desc.ranges[i].device);
		fputc('}', out);
	}
	fprintf(out,
		"],\n     \"pages\": %" PRIu64 ", \"units\": %" PRIu64
		", \"vmemmap_shift\": %" PRIu64 ", ",
		pg->stats.pages, pg->stats.units, pg->desc.vmemmap_shift);
	if (pg->desc.altmap_valid)
		fprintf(out,
			"\"altmap\": {\"base_pfn\": \"0x%" PRIx64
			"\", \"reserve\": %" PRIu64 ", \"free\": %" PRIu64
			"}, ",
			pg->desc.altmap_base_pfn, pg->desc.altmap_reserve,
			pg->desc.altmap_free);
	else
		fputs("\"altmap\": null, ", out);
	json_hex(out, "ops", pg->desc.ops);
	fputs(", ", out);
	json_name(out, "ops_symbol", ops_symbol(pg), "ops_why",
		  name_why(pg, pg->desc.names.ops_why));
	fputs(", ", out);
	json_hex(out, "owner", pg->desc.owner);
	fputs(", \"owner_symbol\": ", out);
	json_or_null(out, pg->desc.names.owner);
	json_names(out, pg);
	fputs(",\n     \"percpu_ref\": ", out);
	if (pg->desc.ref_error) {
		fputs("null", out);
	} else {
		fprintf(out,
			"{\"mode\": \"%s\", \"count\": %" PRId64
			", \"switching\": %s, \"exited\": %s, \"bias_in_count\": %s, ",
			zd_ref_mode_name(r->mode), r->count,
			r->switching ? "true" : "false",
			r->exited ? "true" : "false",
			r->bias_in_count ? "true" : "false");
		json_hex(out, "address", r->addr);
		fputs(", ", out);
		json_hex(out, "percpu_count_ptr", r->percpu_count_ptr);
		fputs(", ", out);
		json_hex(out, "raw_count", r->raw_count);
		fprintf(out, ", \"cpus\": %u, \"release\": ", r->ncpus);
		json_string(out, release_symbol(pg));
		fputc('}', out);
	}
	if (known)
		fprintf(out,
			",\n     \"expected\": %" PRId64 ", \"delta\": %" PRId64
			", \"expected_parts\": {\"initial\": %" PRId64
			", \"transient\": %" PRId64 ", \"pages\": %" PRId64 "}",
			pg->judge.expected, pg->judge.delta, pg->judge.initial,
			pg->judge.transient, pg->judge.page_refs);
	else
		fputs(",\n     \"expected\": null, \"delta\": null", out);
	fprintf(out, ", \"verdict\": \"%s\", \"reason\": ",
		zd_verdict_name(pg->judge.verdict));
	json_string(out, pg->judge.reason);
	fprintf(out,
		",\n     \"refcounts\": {\"negative\": %" PRIu64
		", \"0\": %" PRIu64 ", \"1\": %" PRIu64 ", \"2+\": %" PRIu64
		"}, \"busy\": %" PRIu64 ", \"unreadable\": %" PRIu64
		", \"excluded\": %" PRIu64 ", \"poisoned\": %" PRIu64
		", \"skipped\": %" PRIu64
		", \"registry_mismatch\": %s, \"hmm\": %s, \"suspects_total\": %" PRIu64
		", \"listed_dropped\": %" PRIu64 ",\n     \"suspects\": ",
		pg->stats.refcounts[0], pg->stats.refcounts[1],
		pg->stats.refcounts[2], pg->stats.refcounts[3], pg->stats.busy,
		pg->stats.unreadable, pg->stats.excluded, pg->stats.poisoned,
		pg->stats.skipped,
		pg->desc.registry_mismatch ? "true" : "false",
		pg->desc.hmm ? "true" : "false", pg->stats.suspects,
		pg->stats.listed_dropped);
	json_pages(out, pg, true);
	if (all) {
		/* only with -a: an empty list would claim "none busy" */
		fputs(",\n     \"busy_pages\": ", out);
		json_pages(out, pg, false);
	}
	fputs(",\n     \"waiters\": [", out);
	for (size_t i = 0; i < pg->nwaiters; i++) {
		fprintf(out, "%s{\"pid\": %d, \"comm\": ", i ? ", " : "",
			pg->waiters[i].pid);
		json_string(out, pg->waiters[i].comm);
		fputs(", ", out);
		json_hex(out, "task", pg->waiters[i].task);
		fprintf(out, ", \"state\": %" PRIu64 ", \"on\": \"%s\"",
			pg->waiters[i].state,
			pg->waiters[i].on == ZD_WAIT_DONE ? "done" : "page");
		if (pg->waiters[i].have_last_ran)
			fprintf(out, ", \"last_ran_ns\": %" PRIu64,
				pg->waiters[i].last_ran_ns);
		else
			fputs(", \"last_ran_ns\": null", out);
		if (pg->waiters[i].on == ZD_WAIT_PAGE) {
			const struct zd_waiter *w = &pg->waiters[i];

			fputs(", ", out);
			json_hex(out, "pfn", w->page.pfn);
			fprintf(out,
				", \"idle\": %d, \"page_state\": ", w->idle);
			if (w->page_read) {
				json_page(out, pg, &w->page);
				fprintf(out, ", \"extra\": %lld",
					(long long)w->page.refcount - w->idle);
			} else {
				fputs("null, \"extra\": null", out);
			}
		}
		fputc('}', out);
	}
	fputs("]}", out);
}

static void json_triage(FILE *out, const struct zd_report *rep,
			const struct zd_triage *t, size_t i)
{
	fprintf(out, "%s\n    {\"kind\": \"%s\", \"pgmap\": ", i ? "," : "",
		t->kind == ZD_TRIAGE_WARNING ? "warning" : "hang");
	if (t->pgmap)
		fprintf(out, "\"0x%" PRIx64 "\"", t->pgmap);
	else
		fputs("null", out);
	if (t->have_delta)
		fprintf(out, ", \"delta\": %" PRId64, t->delta);
	else
		fputs(", \"delta\": null", out);
	fputs(", \"log\": ", out);
	json_string(out, t->line);
	if (t->kind == ZD_TRIAGE_WARNING) {
		fputs(", \"at\": ", out);
		json_string(out, t->at);
		fputs(", \"panic\": ", out);
		json_string(out, t->panic);
	} else {
		fprintf(out, ", \"pid\": %d, \"comm\": ", t->pid);
		json_string(out, t->comm);
		fprintf(out, ", \"state\": %" PRIu64 ", \"on\": \"%s\"",
			t->state, t->on == ZD_WAIT_PAGE ? "page" : "done");
		if (t->on == ZD_WAIT_PAGE)
			fprintf(out, ", \"pfn\": \"0x%" PRIx64 "\"", t->pfn);
		if (t->have_last_ran)
			fprintf(out, ", \"last_ran_ns\": %" PRIu64,
				t->last_ran_ns);
		else
			fputs(", \"last_ran_ns\": null", out);
		if (t->have_last_ran && rep->have_clock &&
		    rep->clock_ns >= t->last_ran_ns)
			fprintf(out, ", \"off_cpu_ns\": %" PRIu64,
				rep->clock_ns - t->last_ran_ns);
		else
			fputs(", \"off_cpu_ns\": null", out);
	}
	fputs(", \"next\": ", out);
	json_string(out, t->next);
	fputc('}', out);
}

void zd_report_print_json(FILE *out, const struct zd_report *rep)
{
	fprintf(out,
		"{\n  \"tool\": \"zdref\", \"version\": \"%s\",\n  \"kernel\": {\"release\": ",
		ZDREF_VERSION);
	json_string(out, rep->release);
	fprintf(out, ", \"model\": \"%s\", \"struct_page_size\": %llu",
		rep->model, (unsigned long long)rep->page_struct_size);
	if (rep->debuginfo)
		fprintf(out, ", \"debuginfo\": \"%s\"", rep->debuginfo);
	fprintf(out,
		"},\n  \"source\": \"%s\",\n  \"clock_ns\": ",
		rep->live ? "live" : "dump");
	if (rep->have_clock)
		fprintf(out, "%" PRIu64, rep->clock_ns);
	else
		fputs("null", out);
	fprintf(out, ",\n  \"registry\": \"%s\",\n  \"triage\": [",
		rep->registry);
	for (size_t i = 0; i < rep->ntriage; i++)
		json_triage(out, rep, &rep->triage[i], i);
	fputs("],\n  \"pgmaps\": [\n", out);
	for (size_t i = 0; i < rep->npgmaps; i++) {
		json_pgmap(out, &rep->pgmaps[i], rep->all_pages);
		fputs(i + 1 < rep->npgmaps ? ",\n" : "\n", out);
	}
	fputs("  ]\n}\n", out);
}

void zd_pfn_info_print_text(FILE *out, const struct zd_pfn_info *info)
{
	const struct zd_pgmap *pg = &info->pgmap;
	const struct zd_page *p = &info->page;
	char tbuf[32], why[128];

	if (!info->found) {
		fprintf(out, "PFN: %" PRIx64 "  %s\n", info->pfn, info->state);
		return;
	}
	fprintf(out,
		"PFN: %" PRIx64 "  PAGE: %" PRIx64 "  PGMAP: %" PRIx64
		" (%s, range %u: %" PRIx64 "-%" PRIx64 ")\n",
		info->pfn, p->page, pg->desc.addr,
		short_type(pg, tbuf, sizeof(tbuf)), info->range,
		pg->desc.ranges[info->range].start,
		pg->desc.ranges[info->range].end);
	fprintf(out, "  STATE: %s\n", info->state);
	print_names(out, pg);
	if (info->tail)
		fprintf(out, "  HEAD PFN: %" PRIx64 "\n", info->head_pfn);
	if (!info->readable) {
		fprintf(out, "  %s\n", info->page_error->message);
		return;
	}
	fprintf(out,
		"  CNT: %d (idle is %d)  MAPCNT: %d  FLAGS: %" PRIx64
		"  PGMAP WORD: %" PRIx64 "\n",
		p->refcount, pg->rule.idle, p->mapcount, p->flags,
		p->pgmap_word);
	if (p->pincount >= 0)
		fprintf(out, "  PINCOUNT: %d\n", p->pincount);
	if (p->mapping)
		fprintf(out, "  MAPPING: %" PRIx64 "  INDEX: %" PRIx64 "\n",
			p->mapping, p->index);
	if (p->reason == ZD_PAGE_BUSY)
		fprintf(out, "  HOLDER: %s\n",
			holder_text(p, why, sizeof(why)));
	if (p->suspect || p->reason >= ZD_PAGE_POISONED)
		fprintf(out, "  REASON: %s\n",
			reason_text(pg, p, why, sizeof(why)));
}

void zd_pfn_info_print_json(FILE *out, const struct zd_pfn_info *info,
			    const char *release, const char *model)
{
	const struct zd_pgmap *pg = &info->pgmap;

	fprintf(out,
		"{\"tool\": \"zdref\", \"version\": \"%s\", \"kernel\": {\"release\": ",
		ZDREF_VERSION);
	json_string(out, release ? release : "");
	fprintf(out, ", \"model\": \"%s\"},\n \"pfn\": \"0x%" PRIx64 "\", ",
		model, info->pfn);
	if (!info->found) {
		fputs("\"pgmap\": null, \"state\": ", out);
		json_string(out, info->state);
		fputs("}\n", out);
		return;
	}
	json_hex(out, "pgmap", pg->desc.addr);
	fputs(", \"type\": ", out);
	if (pg->desc.type_name)
		json_string(out, pg->desc.type_name);
	else
		fprintf(out, "\"%" PRId64 "\"", pg->desc.type);
	json_names(out, pg);
	fprintf(out, ",\n \"range\": %u, \"owned\": %s, \"tail\": %s, ",
		info->range, info->owned ? "true" : "false",
		info->tail ? "true" : "false");
	json_hex(out, "head_pfn", info->head_pfn);
	fputs(", \"state\": ", out);
	json_string(out, info->state);
	fprintf(out, ", \"idle_refcount\": %d,\n \"page\": ", pg->rule.idle);
	if (info->readable) {
		json_page(out, pg, &info->page);
		fputs(", \"error\": null}\n", out);
	} else {
		fputs("null, \"error\": ", out);
		json_string(out, info->page_error->message);
		fputs("}\n", out);
	}
}
