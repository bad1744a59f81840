// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stages of one pgmap, run in one order for the audit and for -P:
 *
 *   decode   dev_pagemap and its percpu_ref          -> pg->desc
 *   names    its device, driver, symbols and disk    -> pg->desc.names
 *   rule     the model's page rule for it            -> pg->rule
 *   walk     its struct pages judged by the rule     -> pg->stats
 *   waiters  tasks on pgmap->done and on its pages   -> pg->waiters
 *   judge    expected count, delta, verdict          -> pg->judge
 *
 * Data flows down: each stage reads what the stages before it wrote and
 * writes only its own part.  A stage that fails makes the pgmap
 * "unknown" with the reason; the stages after it do not run.
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

static void fail(struct zd_pgmap *pg, const char *stage, struct zd_error *err)
{
	snprintf(pg->judge.reason, sizeof(pg->judge.reason), "%s%s%s", stage,
		 *stage ? ": " : "", err->message);
	pg->judge.verdict = ZD_VERDICT_UNKNOWN;
	pg->judge.have_expected = false;
	zd_error_destroy(err);
}

/*
 * A live kernel moves while it is read: the count is read again after the
 * walk, and a walk whose pgmap count moved is done again, a few times at
 * most (DESIGN.md: "a count that changed during its walk is read again,
 * never reported torn").
 */
#define LIVE_TRIES 4

static struct zd_error *walk(const struct zd_target *t,
			     const struct zd_examine *how, struct zd_pgmap *pg,
			     bool *settled)
{
	struct zd_error *err;

	*settled = true;
	for (int i = 0;; i++) {
		struct zd_ref_state before = pg->desc.ref;

		if ((err = zd_pagewalk_pgmap(t, pg, how->max_listed,
					     how->all_pages)))
			return err;
		if (!t->host.mem.live || pg->desc.ref_error)
			return NULL;
		zd_pgmap_read_ref(t, pg);
		if (pg->desc.ref_error)
			return NULL; /* judged unknown from the ref */
		if (pg->desc.ref.count == before.count &&
		    pg->desc.ref.mode == before.mode &&
		    pg->desc.ref.switching == before.switching)
			return NULL;
		free(pg->stats.listed);
		memset(&pg->stats, 0, sizeof(pg->stats));
		zd_model_rule(t, pg); /* the ref's state may have moved too */
		if (i + 1 == LIVE_TRIES) {
			snprintf(
				pg->judge.reason, sizeof(pg->judge.reason),
				"percpu_ref count changed during the audit (%d walks): rerun",
				LIVE_TRIES);
			pg->judge.verdict = ZD_VERDICT_UNKNOWN;
			pg->judge.have_expected = false;
			*settled = false;
			return NULL;
		}
	}
}

bool zd_pgmap_examine(const struct zd_target *t,
		      const struct zd_registered *reg,
		      const struct zd_examine *how, struct zd_pgmap *pg)
{
	struct zd_error *err;
	bool settled;

	err = zd_pgmap_decode(t, reg->pgmap, pg, how->walk);
	pg->desc.hmm = reg->hmm;
	if (err) {
		fail(pg, "", err);
		return false;
	}
	pg->desc.registry_mismatch = registry_keys(t, reg, pg) != reg->covered;
	zd_names_resolve(t, pg); /* a bonus: never fails the pgmap */
	if (!how->walk)
		return true; /* -P: the caller reads the ref once the pfn is found */
	zd_model_rule(t, pg);
	if ((err = walk(t, how, pg, &settled))) {
		fail(pg, "page walk", err);
		return true;
	}
	if (!settled)
		return true; /* live: the count kept moving */
	/* Waiters are a bonus: a broken wait list never hides a verdict. */
	zd_error_destroy(zd_waiters_read(t, pg));
	zd_error_destroy(
		zd_varwaits_match(t, how->varwaits, how->nvarwaits, pg));
	zd_model_judge(t, pg);
	return true;
}
