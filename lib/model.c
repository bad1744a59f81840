// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The refcount model: what a pgmap's percpu_ref should count, per kernel
 * era and pgmap type (kernel-model.md §6).  One table: an era is a shape
 * test on the kernel's types and symbols plus, per class of pgmap type,
 * where the references come from and which page state is idle.
 *
 *   expected = I + T + pages
 *     I      the initial reference, held until percpu_ref_kill()
 *     T      references visible only in the ref itself (a switch to atomic
 *            in flight holds one)
 *     pages  what the pages account for, by the rule's source:
 *       PER_GET    4.5-4.11: every get_page() took a pgmap reference:
 *                  sum of (refcount - 1) over the pages
 *       PER_PAGE   4.12-5.17: one per page (or compound unit) whose
 *                  refcount is at least 1
 *       SETUP      5.18+: one per unit, taken by memremap_pages() and put
 *                  by memunmap_pages() right after the kill: none once dead
 *       ALLOC      6.1+ device-private/coherent: one per allocated page
 *                  (6.19: per page of an allocated folio)
 *       NONE       HMM 4.14-4.20 (hmm_devmem_radix): no per-page references
 */
#include <string.h>

#include "internal.h"

enum zd_ref_source {
	ZD_REFS_UNSET, /* no rule */
	ZD_REFS_PER_GET,
	ZD_REFS_PER_PAGE,
	ZD_REFS_SETUP,
	ZD_REFS_ALLOC,
	ZD_REFS_NONE,
};

struct zd_type_rule {
	enum zd_ref_source source;
	int32_t idle; /* refcount of an idle page */
	bool busy_ok; /* refcounts above idle are normal use */
	bool lower_bound; /* references outside struct pages (P2PDMA) */
	bool folio_refs; /* allocated large folios: 1 << order refs */
};

enum zd_type_class {
	ZD_TYPE_PRIVATE, /* DEVICE_PRIVATE, DEVICE_COHERENT, DEVICE_PUBLIC */
	ZD_TYPE_FS_DAX,
	ZD_TYPE_GENERIC, /* device-dax; HOST: pmem and device-dax < 4.18 */
	ZD_TYPE_P2PDMA,
	ZD_TYPE_NCLASSES,
};

struct zd_era {
	const char *name;
	/* Does the kernel have this era's shape?  Tested newest first. */
	bool (*matches)(const struct zd_target *t);
	struct zd_type_rule rules[ZD_TYPE_NCLASSES];
	/* pgmaps HMM registered itself (4.14-4.20) */
	struct zd_type_rule hmm;
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

/* 6.19: large device-private folios; page_free became folio_free. */
static bool is_v6_19(const struct zd_target *t)
{
	return has_member(t, "dev_pagemap_ops", "folio_free");
}

/* 6.15: the pgmap pointer moved from struct page to struct folio. */
static bool is_v6_15(const struct zd_target *t)
{
	return has_member(t, "folio", "pgmap");
}

/* 6.1: zone_device_page_init() (0dc45ca1ce18) takes the allocation ref. */
static bool is_v6_1(const struct zd_target *t)
{
	return has_symbol(t, "zone_device_page_init");
}

/* 5.18: free_zone_device_page() (27674ef6c73f) resets pages to 1. */
static bool is_v5_18(const struct zd_target *t)
{
	return has_symbol(t, "free_zone_device_page");
}

/* 4.5-4.11: get_page() called get_zone_device_page(). */
static bool is_v4_5(const struct zd_target *t)
{
	return has_symbol(t, "get_zone_device_page");
}

/* 4.12-5.17: the kernel has a dev_pagemap and none of the later tells. */
static bool is_v4_12(const struct zd_target *t)
{
	(void)t;
	return true;
}

#define RULE(src, idle_, busy_, ...)                                          \
	{                                                                     \
		.source = ZD_REFS_##src, .idle = (idle_), .busy_ok = (busy_), \
		__VA_ARGS__                                                   \
	}

static const struct zd_era eras[] = {
	{
		.name = "v6.19",
		.matches = is_v6_19,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(ALLOC, 0, true, .folio_refs = true),
			[ZD_TYPE_FS_DAX] = RULE(SETUP, 0, false),
			[ZD_TYPE_GENERIC] = RULE(SETUP, 1, false),
			[ZD_TYPE_P2PDMA] = RULE(SETUP, 0, false, .lower_bound = true),
		},
	},
	{
		.name = "v6.15",
		.matches = is_v6_15,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(ALLOC, 0, true),
			[ZD_TYPE_FS_DAX] = RULE(SETUP, 0, false),
			[ZD_TYPE_GENERIC] = RULE(SETUP, 1, false),
			[ZD_TYPE_P2PDMA] = RULE(SETUP, 0, false, .lower_bound = true),
		},
	},
	{
		.name = "v6.1",
		.matches = is_v6_1,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(ALLOC, 0, true),
			[ZD_TYPE_FS_DAX] = RULE(SETUP, 1, false),
			[ZD_TYPE_GENERIC] = RULE(SETUP, 1, false),
			[ZD_TYPE_P2PDMA] = RULE(SETUP, 1, false, .lower_bound = true),
		},
	},
	{
		.name = "v5.18",
		.matches = is_v5_18,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(SETUP, 1, true),
			[ZD_TYPE_FS_DAX] = RULE(SETUP, 1, false),
			[ZD_TYPE_GENERIC] = RULE(SETUP, 1, false),
			[ZD_TYPE_P2PDMA] = RULE(SETUP, 1, false, .lower_bound = true),
		},
	},
	{
		.name = "v4.5",
		.matches = is_v4_5,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(PER_GET, 1, false),
			[ZD_TYPE_FS_DAX] = RULE(PER_GET, 1, false),
			[ZD_TYPE_GENERIC] = RULE(PER_GET, 1, false),
			[ZD_TYPE_P2PDMA] = RULE(PER_GET, 1, false),
		},
	},
	{
		.name = "v4.12",
		.matches = is_v4_12,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(PER_PAGE, 1, true),
			[ZD_TYPE_FS_DAX] = RULE(PER_PAGE, 1, false),
			[ZD_TYPE_GENERIC] = RULE(PER_PAGE, 1, false),
			[ZD_TYPE_P2PDMA] = RULE(PER_PAGE, 1, false, .lower_bound = true),
		},
		.hmm = RULE(NONE, 1, true),
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
	if (type == l->type_private || type == l->type_coherent ||
	    type == l->type_public)
		return ZD_TYPE_PRIVATE;
	if (type == l->type_fs_dax)
		return ZD_TYPE_FS_DAX;
	if (type == l->type_generic || type == l->type_host ||
	    type == ZD_TYPE_HOST)
		return ZD_TYPE_GENERIC;
	if (type == l->type_p2pdma)
		return ZD_TYPE_P2PDMA;
	return -1;
}

static const struct zd_type_rule *rule_for(const struct zd_target *t,
					   const struct zd_pgmap *pg)
{
	int cls = type_class(&t->lay, pg->desc.type);

	if (pg->desc.hmm && t->era->hmm.source != ZD_REFS_UNSET)
		return &t->era->hmm;
	return cls < 0 ? NULL : &t->era->rules[cls];
}

bool zd_model_folio_refs(const struct zd_target *t, const struct zd_pgmap *pg)
{
	const struct zd_type_rule *rule = rule_for(t, pg);

	return rule && rule->folio_refs;
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
	if (refcount == pg->rule.idle)
		return ZD_CLASS_IDLE;
	if (rule && rule->busy_ok && refcount > rule->idle) {
		/* In use the way this type is used: allocated, mapped. */
		*reason = ZD_PAGE_BUSY;
		return ZD_CLASS_BUSY;
	}
	return ZD_CLASS_SUSPECT;
}

void zd_model_prepare(const struct zd_target *t, struct zd_pgmap *pg)
{
	const struct zd_type_rule *rule = rule_for(t, pg);

	/* Unknown types: judge pages by the common idle state. */
	pg->rule.idle = rule ? rule->idle : 1;
	/*
	 * 4.12-5.17 teardown put_page()s every page to 0, each dropping its
	 * reference: once the ref is dead, 0 is the rest state and a page
	 * still at 1 or more is held after the kill.
	 */
	if (rule && rule->source == ZD_REFS_PER_PAGE &&
	    pg->desc.ref.mode == ZD_REF_DEAD && !pg->desc.ref_error)
		pg->rule.idle = 0;
}

static void set_unknown(struct zd_pgmap *pg, const char *why)
{
	pg->judge.verdict = ZD_VERDICT_UNKNOWN;
	snprintf(pg->judge.reason, sizeof(pg->judge.reason), "%s", why);
}

/* What the pages account for, by the rule's source. */
static int64_t page_refs(const struct zd_type_rule *rule,
			 const struct zd_pgmap *pg, bool dead)
{
	switch (rule->source) {
	case ZD_REFS_PER_GET:
		return pg->stats.refsum;
	case ZD_REFS_PER_PAGE:
		/* refcounts[]: <0, 0, 1, 2+ over unit heads */
		return (int64_t)(pg->stats.refcounts[2] + pg->stats.refcounts[3]);
	case ZD_REFS_SETUP:
		return dead ? 0 : (int64_t)pg->stats.units;
	case ZD_REFS_ALLOC:
		return pg->stats.alloc_refs;
	default:
		return 0;
	}
}

void zd_model_apply(const struct zd_target *t, struct zd_pgmap *pg)
{
	const struct zd_type_rule *rule = rule_for(t, pg);
	bool dead;

	pg->judge.reason[0] = '\0';
	if (pg->desc.ref_error) {
		snprintf(pg->judge.reason, sizeof(pg->judge.reason),
			 "percpu_ref unreadable: %s", pg->desc.ref_error->message);
		pg->judge.verdict = ZD_VERDICT_UNKNOWN;
		return;
	}
	if (!rule) {
		snprintf(pg->judge.reason, sizeof(pg->judge.reason),
			 "pgmap type %lld has no rule in model %s",
			 (long long)pg->desc.type, t->era->name);
		pg->judge.verdict = ZD_VERDICT_UNKNOWN;
		return;
	}
	dead = pg->desc.ref.mode == ZD_REF_DEAD;
	pg->judge.initial = dead ? 0 : 1;
	pg->judge.transient = pg->desc.ref.switching ? 1 : 0;
	pg->judge.page_refs = page_refs(rule, pg, dead);
	pg->judge.expected = pg->judge.initial + pg->judge.transient + pg->judge.page_refs;
	pg->judge.have_expected = true;
	pg->judge.delta = pg->desc.ref.count - pg->judge.expected;
	pg->judge.verdict = pg->judge.delta == 0 ? ZD_VERDICT_OK :
		      pg->judge.delta > 0  ? ZD_VERDICT_LEAKED :
				       ZD_VERDICT_MISSING;

	if (rule->source != ZD_REFS_SETUP && rule->source != ZD_REFS_NONE &&
	    (pg->stats.unreadable || pg->stats.order_unknown)) {
		set_unknown(
			pg,
			"expected count depends on struct pages that are not in the dump");
	} else if (rule->lower_bound && pg->judge.delta > 0) {
		set_unknown(
			pg,
			"P2PDMA: pci_alloc_p2pmem() allocations hold references no struct page shows; expected is a lower bound");
	} else if (pg->stats.unreadable && pg->judge.verdict == ZD_VERDICT_OK) {
		snprintf(
			pg->judge.reason, sizeof(pg->judge.reason),
			"%llu struct pages not in the dump: suspects may be missing",
			(unsigned long long)pg->stats.unreadable);
	}
}
