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
 *
 * Before the walk the model hands it one page rule per pgmap (struct
 * zd_page_rule): the idle refcount and what makes a page above it busy
 * rather than suspect (lib/pageclass.c applies it, knowing no era).
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
	enum zd_use use; /* what makes a page above idle busy */
	bool mapcount_refs; /* 6.15+: each mapping holds a page reference */
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

static bool is_v6_19(const struct zd_target *t)
{
	return t->tells[ZD_TELL_FOLIO_FREE];
}

static bool is_v6_15(const struct zd_target *t)
{
	return t->tells[ZD_TELL_FOLIO_PGMAP];
}

static bool is_v6_1(const struct zd_target *t)
{
	return t->tells[ZD_TELL_ZONE_DEVICE_PAGE_INIT];
}

static bool is_v5_18(const struct zd_target *t)
{
	return t->tells[ZD_TELL_FREE_ZONE_DEVICE_PAGE];
}

static bool is_v4_5(const struct zd_target *t)
{
	return t->tells[ZD_TELL_GET_ZONE_DEVICE_PAGE];
}

/* 4.12-5.17: the kernel has a dev_pagemap and none of the later tells. */
static bool is_v4_12(const struct zd_target *t)
{
	(void)t;
	return true;
}

/*
 * Page use per type (dax-warn-printk.md §1):
 *   FILE   FS_DAX and device-dax pages above idle are held through a
 *          file's mapping: GUP (FOLL_GET +1, FOLL_PIN +1024 on small
 *          pages), pipe buffers, I/O in flight.  fs/dax.c
 *          dax_associate_entry() / drivers/dax/device.c dax_set_mapping()
 *          set page->mapping; a page above idle with none is a suspect.
 *   ALLOC  device-private/coherent and P2PDMA pages: allocated.
 * 6.15+ (38607c62b34b "fs/dax: properly refcount fs dax pages"): every
 * DAX mapping takes a page reference and is counted in _mapcount
 * (insert_page_into_pte_locked(): folio_get + folio_add_file_rmap_pte).
 */
#define RULE(src, idle_, use_, ...)                       \
	{                                                 \
		.source = ZD_REFS_##src, .idle = (idle_), \
		.use = ZD_USE_##use_, __VA_ARGS__         \
	}

static const struct zd_era eras[] = {
	{
		.name = "v6.19",
		.matches = is_v6_19,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(ALLOC, 0, ALLOC, .folio_refs = true),
			[ZD_TYPE_FS_DAX] = RULE(SETUP, 0, FILE, .mapcount_refs = true),
			[ZD_TYPE_GENERIC] = RULE(SETUP, 1, FILE, .mapcount_refs = true),
			[ZD_TYPE_P2PDMA] = RULE(SETUP, 0, ALLOC, .lower_bound = true),
		},
	},
	{
		.name = "v6.15",
		.matches = is_v6_15,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(ALLOC, 0, ALLOC),
			[ZD_TYPE_FS_DAX] = RULE(SETUP, 0, FILE, .mapcount_refs = true),
			[ZD_TYPE_GENERIC] = RULE(SETUP, 1, FILE, .mapcount_refs = true),
			[ZD_TYPE_P2PDMA] = RULE(SETUP, 0, ALLOC, .lower_bound = true),
		},
	},
	{
		.name = "v6.1",
		.matches = is_v6_1,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(ALLOC, 0, ALLOC),
			[ZD_TYPE_FS_DAX] = RULE(SETUP, 1, FILE),
			[ZD_TYPE_GENERIC] = RULE(SETUP, 1, FILE),
			[ZD_TYPE_P2PDMA] = RULE(SETUP, 1, ALLOC, .lower_bound = true),
		},
	},
	{
		.name = "v5.18",
		.matches = is_v5_18,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(SETUP, 1, ALLOC),
			[ZD_TYPE_FS_DAX] = RULE(SETUP, 1, FILE),
			[ZD_TYPE_GENERIC] = RULE(SETUP, 1, FILE),
			[ZD_TYPE_P2PDMA] = RULE(SETUP, 1, ALLOC, .lower_bound = true),
		},
	},
	{
		.name = "v4.5",
		.matches = is_v4_5,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(PER_GET, 1, NONE),
			[ZD_TYPE_FS_DAX] = RULE(PER_GET, 1, FILE),
			[ZD_TYPE_GENERIC] = RULE(PER_GET, 1, FILE),
			[ZD_TYPE_P2PDMA] = RULE(PER_GET, 1, NONE),
		},
	},
	{
		.name = "v4.12",
		.matches = is_v4_12,
		.rules = {
			[ZD_TYPE_PRIVATE] = RULE(PER_PAGE, 1, ALLOC),
			[ZD_TYPE_FS_DAX] = RULE(PER_PAGE, 1, FILE),
			[ZD_TYPE_GENERIC] = RULE(PER_PAGE, 1, FILE),
			[ZD_TYPE_P2PDMA] = RULE(PER_PAGE, 1, ALLOC, .lower_bound = true),
		},
		.hmm = RULE(NONE, 1, ALLOC),
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

void zd_model_rule(const struct zd_target *t, struct zd_pgmap *pg)
{
	const struct zd_type_rule *rule = rule_for(t, pg);
	struct zd_page_rule *r = &pg->rule;

	memset(r, 0, sizeof(*r));
	/* Unknown types: judge pages by the common idle state, none busy. */
	r->idle = rule ? rule->idle : 1;
	if (!rule)
		return;
	r->use = rule->use;
	r->mapcount_refs = rule->mapcount_refs;
	r->folio_refs = rule->folio_refs;
	if (pg->desc.ref_error || pg->desc.ref.mode != ZD_REF_DEAD)
		return;
	if (rule->source == ZD_REFS_PER_PAGE) {
		/*
		 * 4.12-5.17 teardown put_page()s every page to 0, each
		 * dropping its reference (71389703839e,
		 * devm_memremap_pages_release): once the ref is dead, 0 is
		 * the rest state and a page still at 1 or more is held after
		 * the kill.
		 */
		r->idle = 0;
		r->use = ZD_USE_NONE;
	} else if (rule->use == ZD_USE_FILE) {
		/*
		 * Once killed, get_dev_pagemap() fails (percpu_ref_tryget_live)
		 * and memunmap_pages() will free the memmap without waiting
		 * for page references: a DAX page still held races with it.
		 */
		r->dead_suspect = true;
	}
}

/* A number computed from the pages that happened to be readable is no delta. */
static void set_unknown(struct zd_pgmap *pg, const char *why)
{
	pg->judge.verdict = ZD_VERDICT_UNKNOWN;
	pg->judge.have_expected = false;
	snprintf(pg->judge.reason, sizeof(pg->judge.reason), "%s", why);
}

#define PLAUSIBLE_COUNT ((int64_t)1 << 48)

/* What the pages account for, by the rule's source. */
static int64_t page_refs(const struct zd_type_rule *rule,
			 const struct zd_pgmap *pg, bool dead)
{
	switch (rule->source) {
	case ZD_REFS_PER_GET:
		return pg->stats.refsum;
	case ZD_REFS_PER_PAGE:
		/* refcounts[]: <0, 0, 1, 2+ over unit heads */
		return (int64_t)(pg->stats.refcounts[2] +
				 pg->stats.refcounts[3]);
	case ZD_REFS_SETUP:
		return dead ? 0 : (int64_t)pg->stats.units;
	case ZD_REFS_ALLOC:
		return pg->stats.alloc_refs;
	default:
		return 0;
	}
}

void zd_model_judge(const struct zd_target *t, struct zd_pgmap *pg)
{
	const struct zd_type_rule *rule = rule_for(t, pg);
	bool dead;

	pg->judge.reason[0] = '\0';
	if (pg->desc.ref_error) {
		snprintf(pg->judge.reason, sizeof(pg->judge.reason),
			 "percpu_ref unreadable: %s",
			 pg->desc.ref_error->message);
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
	/*
	 * No kernel holds more references on a pgmap than a few per page:
	 * a count beyond 2^48 either way is garbage, not a leak, and the
	 * arithmetic below must not overflow on it.
	 */
	if (pg->desc.ref.count > PLAUSIBLE_COUNT ||
	    pg->desc.ref.count < -PLAUSIBLE_COUNT ||
	    pg->judge.page_refs > PLAUSIBLE_COUNT ||
	    pg->judge.page_refs < -PLAUSIBLE_COUNT) {
		snprintf(
			pg->judge.reason, sizeof(pg->judge.reason),
			"implausible counts (percpu_ref %lld, pages %lld): not a live dev_pagemap?",
			(long long)pg->desc.ref.count,
			(long long)pg->judge.page_refs);
		pg->judge.verdict = ZD_VERDICT_UNKNOWN;
		return;
	}
	pg->judge.expected =
		pg->judge.initial + pg->judge.transient + pg->judge.page_refs;
	pg->judge.have_expected = true;
	pg->judge.delta = pg->desc.ref.count - pg->judge.expected;
	pg->judge.verdict = pg->judge.delta == 0 ? ZD_VERDICT_OK :
			    pg->judge.delta > 0	 ? ZD_VERDICT_LEAKED :
						   ZD_VERDICT_MISSING;

	if (rule->source != ZD_REFS_SETUP && rule->source != ZD_REFS_NONE &&
	    (pg->stats.unreadable || pg->stats.order_unknown)) {
		set_unknown(
			pg,
			t->host.mem.live ?
				"expected count depends on struct pages not readable through /proc/kcore (memmap on the device?)" :
				"expected count depends on struct pages that are not in the dump");
	} else if (rule->lower_bound && pg->judge.delta > 0) {
		set_unknown(
			pg,
			"P2PDMA: pci_alloc_p2pmem() allocations hold references no struct page shows; expected is a lower bound");
	} else if (pg->stats.unreadable && pg->judge.verdict == ZD_VERDICT_OK) {
		/* The count comes from the ref (setup references): it stands. */
		snprintf(
			pg->judge.reason, sizeof(pg->judge.reason),
			"%llu struct pages %s: the verdict stands (setup references), suspects may be missing",
			(unsigned long long)pg->stats.unreadable,
			t->host.mem.live ?
				"not readable through /proc/kcore (memmap on the device?)" :
				"not in the dump");
	}
}
