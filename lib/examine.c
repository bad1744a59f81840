// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stages of one pgmap, run in one order for the audit and for -P:
 *
 *   decode   dev_pagemap and its percpu_ref          -> pg->desc
 *   rule     the model's page rule for it            -> pg->rule
 *   walk     its struct pages judged by the rule     -> pg->stats
 *   waiters  tasks on pgmap->done and on its pages   -> pg->waiters
 *   judge    expected count, delta, verdict          -> pg->judge
 *
 * Data flows down: each stage reads what the stages before it wrote and
 * writes only its own part.  A stage that fails makes the pgmap
 * "unknown" with the reason; the stages after it do not run.
 */
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

static void fail(struct zd_pgmap *pg, const char *stage, struct zd_error *err)
{
	snprintf(pg->judge.reason, sizeof(pg->judge.reason), "%s%s%s", stage,
		 *stage ? ": " : "", err->message);
	pg->judge.verdict = ZD_VERDICT_UNKNOWN;
	pg->judge.have_expected = false;
	zd_error_destroy(err);
}

void zd_pgmap_examine(const struct zd_target *t,
		      const struct zd_registered *reg,
		      const struct zd_examine *how, struct zd_pgmap *pg)
{
	struct zd_error *err;

	err = zd_pgmap_decode(t, reg->pgmap, pg, how->walk);
	pg->desc.hmm = reg->hmm;
	if (err) {
		fail(pg, "", err);
		return;
	}
	pg->desc.registry_mismatch = registry_keys(t, reg, pg) != reg->covered;
	if (!how->walk)
		return; /* -P: the caller reads the ref once the pfn is found */
	zd_model_rule(t, pg);
	if ((err = zd_pagewalk_pgmap(t, pg, how->max_listed, how->all_pages))) {
		fail(pg, "page walk", err);
		return;
	}
	/* Waiters are a bonus: a broken wait list never hides a verdict. */
	zd_error_destroy(zd_waiters_read(t, pg));
	zd_error_destroy(
		zd_varwaits_match(t, how->varwaits, how->nvarwaits, pg));
	zd_model_judge(t, pg);
}
