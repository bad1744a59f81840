// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The refcount model: what a pgmap's percpu_ref should count, per kernel
 * era and pgmap type (kernel-model.md §6).  One table: an era is a shape
 * test on the kernel's types and symbols plus, per class of pgmap type, the
 * page state that is idle and where the references come from.
 *
 *   expected = I + T + setup + pages
 *     I      the initial reference, held until percpu_ref_kill()
 *     T      references visible only in the ref itself (a switch to atomic
 *            in flight holds one)
 *     setup  one per page or compound unit taken by memremap_pages() for
 *            the "setup" types, dropped by memunmap_pages() right after
 *            the kill (so none once the ref is dead)
 *     pages  one per allocated page for the "allocation" types
 *
 * Older and newer eras join by adding rows, not by rewriting this.
 */
#include <string.h>

#include "internal.h"

enum zd_ref_source {
	ZD_REFS_SETUP, /* setup-time refs per unit, pages idle at 1 */
	ZD_REFS_ALLOC, /* one ref per allocated page, idle at 0 */
};

struct zd_type_rule {
	enum zd_ref_source source;
	int32_t idle; /* refcount of an idle page */
	bool lower_bound; /* references outside struct pages (P2PDMA) */
};

enum zd_type_class {
	ZD_TYPE_PRIVATE, /* DEVICE_PRIVATE, DEVICE_COHERENT */
	ZD_TYPE_FS_DAX,
	ZD_TYPE_GENERIC, /* device-dax */
	ZD_TYPE_P2PDMA,
	ZD_TYPE_NCLASSES,
};

struct zd_era {
	const char *name;
	/* Does the kernel have this era's shape? Tested newest first. */
	bool (*matches)(const struct zd_target *t);
	struct zd_type_rule rules[ZD_TYPE_NCLASSES];
};

static bool has_symbol(const struct zd_target *t, const char *name)
{
	uint64_t addr, size;
	struct zd_error *err = t->host.symbol(t->host.arg, name, &addr, &size);

	zd_error_destroy(err);
	return !err;
}

static bool has_member(const struct zd_target *t, const char *type,
		       const char *member)
{
	uint64_t off, size;
	struct zd_error *err =
		t->host.member(t->host.arg, type, member, &off, &size);

	zd_error_destroy(err);
	return !err;
}

/*
 * 6.1 – 6.14: zone_device_page_init() exists (0dc45ca1ce18) and the pgmap
 * pointer still lives in struct page (6.15 moved it to struct folio).
 */
static bool is_v6_1(const struct zd_target *t)
{
	return has_symbol(t, "zone_device_page_init") &&
	       !has_member(t, "folio", "pgmap");
}

static const struct zd_era eras[] = {
	{
		.name = "v6.1",
		.matches = is_v6_1,
		.rules = {
			[ZD_TYPE_PRIVATE] = { ZD_REFS_ALLOC, 0, false },
			[ZD_TYPE_FS_DAX] = { ZD_REFS_SETUP, 1, false },
			[ZD_TYPE_GENERIC] = { ZD_REFS_SETUP, 1, false },
			[ZD_TYPE_P2PDMA] = { ZD_REFS_SETUP, 1, true },
		},
	},
};

const struct zd_era *zd_era_detect(const struct zd_target *t)
{
	for (size_t i = 0; i < sizeof(eras) / sizeof(eras[0]); i++)
		if (eras[i].matches(t))
			return &eras[i];
	return NULL;
}

const char *zd_era_name(const struct zd_era *era)
{
	return era ? era->name : "unknown";
}

static int type_class(const struct zd_layout *l, int64_t type)
{
	if (type == l->type_private || type == l->type_coherent)
		return ZD_TYPE_PRIVATE;
	if (type == l->type_fs_dax)
		return ZD_TYPE_FS_DAX;
	if (type == l->type_generic)
		return ZD_TYPE_GENERIC;
	if (type == l->type_p2pdma)
		return ZD_TYPE_P2PDMA;
	return -1;
}

static const struct zd_type_rule *rule_for(const struct zd_target *t,
					   const struct zd_pgmap *pg)
{
	int cls = type_class(&t->lay, pg->type);

	return cls < 0 ? NULL : &t->era->rules[cls];
}

enum zd_page_class zd_model_classify(const struct zd_target *t,
				     const struct zd_pgmap *pg,
				     int32_t refcount,
				     enum zd_page_reason *reason)
{
	const struct zd_type_rule *rule = rule_for(t, pg);

	*reason = ZD_PAGE_REFCOUNT;
	if (refcount < 0) {
		*reason = ZD_PAGE_NEGATIVE;
		return ZD_CLASS_SUSPECT;
	}
	if (refcount == pg->idle_refcount)
		return ZD_CLASS_IDLE;
	if (rule && rule->source == ZD_REFS_ALLOC) {
		/* Allocated device-private pages are busy, not suspect. */
		*reason = ZD_PAGE_BUSY;
		return ZD_CLASS_BUSY;
	}
	return ZD_CLASS_SUSPECT;
}

void zd_model_prepare(const struct zd_target *t, struct zd_pgmap *pg)
{
	const struct zd_type_rule *rule = rule_for(t, pg);

	/* Unknown types: judge pages by the common idle state. */
	pg->idle_refcount = rule ? rule->idle : 1;
}

static void set_unknown(struct zd_pgmap *pg, const char *why)
{
	pg->verdict = ZD_VERDICT_UNKNOWN;
	snprintf(pg->reason, sizeof(pg->reason), "%s", why);
}

void zd_model_apply(const struct zd_target *t, struct zd_pgmap *pg)
{
	const struct zd_type_rule *rule = rule_for(t, pg);
	bool dead;

	pg->reason[0] = '\0';
	if (pg->ref_error) {
		snprintf(pg->reason, sizeof(pg->reason),
			 "percpu_ref unreadable: %s", pg->ref_error->message);
		pg->verdict = ZD_VERDICT_UNKNOWN;
		return;
	}
	if (!rule) {
		snprintf(pg->reason, sizeof(pg->reason),
			 "pgmap type %lld has no rule in model %s",
			 (long long)pg->type, t->era->name);
		pg->verdict = ZD_VERDICT_UNKNOWN;
		return;
	}
	dead = pg->ref.mode == ZD_REF_DEAD;
	pg->initial = dead ? 0 : 1;
	pg->transient = pg->ref.switching ? 1 : 0;
	pg->page_refs = 0;
	if (rule->source == ZD_REFS_SETUP) {
		if (!dead)
			pg->page_refs = (int64_t)pg->units;
	} else {
		/* refcounts[]: <0, 0, 1, 2+; allocated means >= 1. */
		pg->page_refs = (int64_t)(pg->refcounts[2] + pg->refcounts[3]);
	}
	pg->expected = pg->initial + pg->transient + pg->page_refs;
	pg->have_expected = true;
	pg->delta = pg->ref.count - pg->expected;
	pg->verdict = pg->delta == 0 ? ZD_VERDICT_OK :
		      pg->delta > 0  ? ZD_VERDICT_LEAKED :
				       ZD_VERDICT_MISSING;

	if (rule->source == ZD_REFS_ALLOC && pg->unreadable) {
		set_unknown(
			pg,
			"expected count depends on struct pages that are not in the dump");
	} else if (rule->lower_bound && pg->delta > 0) {
		set_unknown(
			pg,
			"P2PDMA: pci_alloc_p2pmem() allocations hold references no struct page shows; expected is a lower bound");
	} else if (pg->unreadable && pg->verdict == ZD_VERDICT_OK) {
		snprintf(
			pg->reason, sizeof(pg->reason),
			"%llu struct pages not in the dump: suspects may be missing",
			(unsigned long long)pg->unreadable);
	}
}
