// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One audit: enumerate the registered pgmaps, and for each decode it, read
 * its percpu_ref, walk its pages, list its waiters and apply the model.  A
 * pgmap that cannot be fully read gets verdict "unknown" with the reason;
 * only a registry that cannot be walked fails the whole audit.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* How many keys the registry should give a pgmap with these ranges. */
static uint64_t registry_keys(const struct zd_target *t,
			      const struct zd_registered *reg,
			      const struct zd_pgmap *pg)
{
	const struct zd_layout *l = &t->lay;
	uint64_t want = 0;

	for (unsigned int i = 0; i < pg->desc.nr_range; i++) {
		const struct zd_range *r = &pg->desc.ranges[i];

		if (reg->section_keyed)
			/* One key per section of the section-aligned span. */
			want += (r->end >> l->section_size_bits) -
				(r->start >> l->section_size_bits) + 1;
		else
			/* xa_store_range(PHYS_PFN(start), PHYS_PFN(end)) */
			want += (r->end >> l->page_shift) -
				(r->start >> l->page_shift) + 1;
	}
	return want;
}

const char *zd_registry_name(const struct zd_target *t)
{
	const struct zd_layout *l = &t->lay;

	if (l->pgmap_array)
		return l->hmm_devmem_radix ? "pgmap_array+hmm_devmem_radix" :
					     "pgmap_array";
	return l->hmm_devmem_radix ? "pgmap_radix+hmm_devmem_radix" :
				     "pgmap_radix";
}

static void audit_one(const struct zd_target *t,
		      const struct zd_registered *reg,
		      const struct zd_audit_options *opts, struct zd_pgmap *pg)
{
	struct zd_error *err;

	err = zd_pgmap_decode(t, reg->pgmap, pg, true);
	pg->desc.hmm = reg->hmm;
	if (err) {
		snprintf(pg->judge.reason, sizeof(pg->judge.reason), "%s", err->message);
		pg->judge.verdict = ZD_VERDICT_UNKNOWN;
		zd_error_destroy(err);
		return;
	}
	pg->desc.registry_mismatch = registry_keys(t, reg, pg) != reg->covered;

	zd_model_prepare(t, pg);
	err = zd_pagewalk_pgmap(t, pg, opts->max_listed, opts->all_pages);
	if (err) {
		snprintf(pg->judge.reason, sizeof(pg->judge.reason), "page walk: %s",
			 err->message);
		pg->judge.verdict = ZD_VERDICT_UNKNOWN;
		zd_error_destroy(err);
		return;
	}
	err = zd_waiters_read(t, pg);
	zd_error_destroy(err); /* waiters are a bonus */
	zd_model_apply(t, pg);
}

struct zd_error *zd_audit(struct zd_target *t,
			  const struct zd_audit_options *opts,
			  struct zd_report **ret)
{
	struct zd_report *rep;
	struct zd_registered *regs = NULL;
	size_t n = 0, first = 0, count;
	struct zd_error *err;

	if ((err = zd_pgmap_enumerate(t, &regs, &n)))
		return err;
	count = n;
	if (opts->pgmap) {
		size_t i;

		for (i = 0; i < n && regs[i].pgmap != opts->pgmap; i++)
			;
		if (i == n) {
			free(regs);
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
		return &zd_error_nomem;
	}
	rep->npgmaps = count;
	rep->model = zd_era_name(t->era);
	rep->registry = zd_registry_name(t);
	rep->page_struct_size = t->lay.page_size;
	if (opts->release)
		snprintf(rep->release, sizeof(rep->release), "%s",
			 opts->release);
	for (size_t i = 0; i < count; i++)
		audit_one(t, &regs[first + i], opts, &rep->pgmaps[i]);
	free(regs);
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
