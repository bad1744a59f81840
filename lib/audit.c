// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One audit: enumerate the registered pgmaps and run the stages of
 * lib/examine.c on each.  A pgmap that cannot be fully read gets verdict
 * "unknown" with the reason; only a registry that cannot be walked fails
 * the whole audit.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *zd_registry_name(const struct zd_target *t)
{
	const struct zd_layout *l = &t->lay;

	if (l->pgmap_array)
		return l->hmm_devmem_radix ? "pgmap_array+hmm_devmem_radix" :
					     "pgmap_array";
	return l->hmm_devmem_radix ? "pgmap_radix+hmm_devmem_radix" :
				     "pgmap_radix";
}

struct zd_error *zd_audit(struct zd_target *t,
			  const struct zd_audit_options *opts,
			  struct zd_report **ret)
{
	struct zd_report *rep;
	struct zd_registered *regs = NULL;
	size_t n = 0, first = 0, count;
	struct zd_examine how = {
		.walk = true,
		.max_listed = opts->max_listed,
		.all_pages = opts->all_pages,
	};
	struct zd_varwait *vw = NULL;
	struct zd_error *err;

	if ((err = zd_pgmap_enumerate(t, &regs, &n)))
		return err;
	if ((err = zd_memmap_check_registry(t, regs, n))) {
		free(regs);
		return err;
	}
	/* One pass over the wait queues for every pgmap; a bonus. */
	err = zd_varwaits_read(t, &vw, &how.nvarwaits);
	zd_error_destroy(err);
	how.varwaits = vw;
	count = n;
	if (opts->pgmap) {
		size_t i;

		for (i = 0; i < n && regs[i].pgmap != opts->pgmap; i++)
			;
		if (i == n) {
			free(regs);
			free(vw);
			return zd_error_create(
				ZD_ERR_USAGE,
				"0x%llx is not a registered dev_pagemap (%s holds %zu)",
				(unsigned long long)opts->pgmap,
				zd_registry_name(t), n);
		}
		first = i;
		count = 1;
	}
	rep = calloc(1, sizeof(*rep));
	if (!rep ||
	    !(rep->pgmaps = calloc(count ? count : 1, sizeof(*rep->pgmaps)))) {
		free(rep);
		free(regs);
		free(vw);
		return &zd_error_nomem;
	}
	rep->npgmaps = count;
	rep->model = zd_era_name(t->era);
	rep->registry = zd_registry_name(t);
	rep->page_struct_size = t->lay.page_size;
	if (opts->release)
		snprintf(rep->release, sizeof(rep->release), "%s",
			 opts->release);
	rep->debuginfo = opts->debuginfo;
	rep->live = t->host.mem.live;
	rep->all_pages = opts->all_pages;
	/* A bonus too: how long waiters have been off CPU needs it. */
	err = zd_sched_clock_read(t, &rep->clock_ns);
	rep->have_clock = !err;
	zd_error_destroy(err);
	for (size_t i = 0; i < count; i++)
		zd_pgmap_examine(t, &regs[first + i], &how, &rep->pgmaps[i]);
	if (!opts->pgmap)
		zd_triage_build(t, rep);
	free(regs);
	free(vw);
	*ret = rep;
	return NULL;
}

void zd_report_destroy(struct zd_report *rep)
{
	if (!rep)
		return;
	for (size_t i = 0; i < rep->npgmaps; i++)
		zd_pgmap_release(&rep->pgmaps[i]);
	free(rep->pgmaps);
	free(rep->triage);
	free(rep);
}

int zd_report_findings(const struct zd_report *rep)
{
	for (size_t i = 0; i < rep->npgmaps; i++) {
		const struct zd_pgmap *pg = &rep->pgmaps[i];

		if (pg->judge.verdict != ZD_VERDICT_OK || pg->stats.suspects ||
		    pg->desc.registry_mismatch)
			return 1;
	}
	return 0;
}

const char *zd_verdict_name(enum zd_verdict v)
{
	switch (v) {
	case ZD_VERDICT_OK:
		return "ok";
	case ZD_VERDICT_LEAKED:
		return "leaked";
	case ZD_VERDICT_MISSING:
		return "missing";
	default:
		return "unknown";
	}
}

const char *zd_ref_mode_name(enum zd_ref_mode m)
{
	switch (m) {
	case ZD_REF_PERCPU:
		return "percpu";
	case ZD_REF_ATOMIC:
		return "atomic";
	default:
		return "dead";
	}
}
