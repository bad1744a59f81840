// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Era tells: the members and symbols that tell one kernel era from the
 * next (kernel-model.md §8), each with the commit that made it a tell.
 * They are asked for once, when the target is opened; the era table in
 * lib/model.c and the page rules read only the answers.
 */
#include "internal.h"

struct tell {
	const char *name;
	const char *type; /* a member of this type, or NULL: a symbol */
	const char *what; /* member or symbol name */
};

static const struct tell tells[ZD_TELL_COUNT] = {
	/* 6.19: large device-private folios, page_free became folio_free */
	[ZD_TELL_FOLIO_FREE] = { "dev_pagemap_ops.folio_free",
				 "dev_pagemap_ops", "folio_free" },
	/* 6.15: the pgmap pointer moved from struct page to struct folio
	 * ("mm: allow compound zone device pages", with 38607c62b34b) */
	[ZD_TELL_FOLIO_PGMAP] = { "folio.pgmap", "folio", "pgmap" },
	/* 6.1: zone_device_page_init() (0dc45ca1ce18) takes the
	 * allocation reference of device-private pages */
	[ZD_TELL_ZONE_DEVICE_PAGE_INIT] = { "zone_device_page_init", NULL,
					    "zone_device_page_init" },
	/* 5.18: free_zone_device_page() (27674ef6c73f) resets pages to 1 */
	[ZD_TELL_FREE_ZONE_DEVICE_PAGE] = { "free_zone_device_page", NULL,
					    "free_zone_device_page" },
	/* 4.5-4.11: get_page() called get_zone_device_page() (removed by
	 * 71389703839e "mm, zone_device: Replace {get, put}_zone_device_page()
	 * with a single reference to fix pmem crash", 4.12) */
	[ZD_TELL_GET_ZONE_DEVICE_PAGE] = { "get_zone_device_page", NULL,
					   "get_zone_device_page" },
	/* 4.13: sections record whether they are online (2d070eab2e82
	 * "mm: consider zone which is not fully populated to have holes") */
	[ZD_TELL_SECTION_ONLINE] = { "online_mem_sections", NULL,
				     "online_mem_sections" },
};

void zd_tells_resolve(struct zd_target *t)
{
	for (int i = 0; i < ZD_TELL_COUNT; i++) {
		const struct tell *tl = &tells[i];
		uint64_t a, b;
		struct zd_error *err;

		err = tl->type ?
			      t->host.types.member(t->host.types.arg, tl->type,
						   tl->what, &a, &b) :
			      t->host.types.symbol(t->host.types.arg, tl->what,
						   &a, &b);
		t->tells[i] = !err;
		zd_error_destroy(err);
	}
}

const char *zd_tell_name(enum zd_tell tell)
{
	return tell < ZD_TELL_COUNT ? tells[tell].name : "?";
}
