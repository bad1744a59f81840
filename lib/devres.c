// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The device a pgmap was mapped for, through devres: devm_memremap_pages()
 * (mm/memremap.c, 4.16-6.19) registers its teardown with
 * devm_add_action_or_reset(dev, devm_memremap_pages_release, pgmap), so
 * the device's devres list holds a node whose release is
 * devm_action_release() and whose data is struct action_devres
 * { data = pgmap, action = devm_memremap_pages_release }
 * (drivers/base/devres.c __devm_add_action(), 6.1 and 6.12).  The device
 * holding that node is the one the driver mapped the memory for
 * (nd_pmem: its namespace, "namespace0.0"; device-dax: "dax0.0"; P2PDMA:
 * the PCI function), with its bound driver.  This names pgmaps the iomem
 * tree cannot (a resource released early, a range requested under another
 * name) and cross-checks the iomem name where both exist.  Pgmaps mapped
 * with memremap_pages() directly (HMM's test driver, 5.3+) have no such
 * node, and neither has a pgmap whose driver is unbinding:
 * devres_release_all() unlinks all of a device's nodes before it runs
 * their releases, so a teardown in progress (memunmap_pages() waiting)
 * is in no list.  Both say "in no device's devres".
 *
 * Every device is reached from devices_kset->list (device_add() puts every
 * registered device there), once per audit of a dump, bounded by
 * MAX_DEVICES devices, MAX_DEV_NODES devres nodes a device and MAX_NODES
 * in all, and cycle-safe: Brent's cycle finding on each list, and a
 * node seen twice (the same pgmap on the same device) is a cycle too.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_DEVICES (1U << 20)
#define MAX_NODES (1U << 22)
#define MAX_DEV_NODES (1U << 16) /* a device's own list */

struct devres_hit {
	uint64_t pgmap, device;
};

struct zd_devres {
	bool loaded;
	struct devres_hit *hits;
	size_t nhits;
	char why[96]; /* the walk stopped early: why (names stay unproven) */
};

struct zd_devres *zd_devres_new(void)
{
	return calloc(1, sizeof(struct zd_devres));
}

void zd_devres_free(struct zd_devres *d)
{
	if (d)
		free(d->hits);
	free(d);
}

/*
 * Brent's cycle finding over a list walk: a list entry met again at the
 * saved one is a cycle, found within twice its length, so a loop that
 * misses the head costs a few steps, not MAX_NODES reads.
 */
struct brent {
	uint64_t saved, power, steps;
};

static bool brent_cycle(struct brent *b, uint64_t next)
{
	if (next == b->saved)
		return true;
	if (++b->steps == b->power) {
		b->saved = next;
		b->power *= 2;
		b->steps = 0;
	}
	return false;
}

static bool add_hit(struct zd_devres *d, uint64_t pgmap, uint64_t device)
{
	struct devres_hit *h;

	for (size_t i = 0; i < d->nhits; i++)
		if (d->hits[i].pgmap == pgmap && d->hits[i].device == device)
			return false; /* the same node again: a cycle */
	if (d->nhits >= 4096)
		return false; /* more pgmaps than a machine registers */
	h = realloc(d->hits, (d->nhits + 1) * sizeof(*h));
	if (!h)
		return false;
	d->hits = h;
	h[d->nhits].pgmap = pgmap;
	h[d->nhits].device = device;
	d->nhits++;
	return true;
}

/* Every devm_memremap_pages() node of one device; false: stop the walk. */
static bool device_nodes(const struct zd_target *t, struct zd_devres *d,
			 uint64_t dev, uint64_t *nodes)
{
	const struct zd_devres_layout *l = &t->lay.dr;
	uint64_t head = dev + l->dev_devres_head, next;
	unsigned int mine = 0;
	struct brent b = { head, 1, 0 };

	if (!zd_try_read_u64(t, head, &next)) {
		snprintf(d->why, sizeof(d->why),
			 "devres list of device 0x%" PRIx64 " unreadable", dev);
		return false;
	}
	while (next != head) {
		uint64_t node = next - l->node_entry, release, data[2];
		struct zd_error *err;

		if (!next || ++*nodes > MAX_NODES || ++mine > MAX_DEV_NODES ||
		    brent_cycle(&b, next)) {
			snprintf(d->why, sizeof(d->why),
				 "devres list of device 0x%" PRIx64
				 " broken or cyclic",
				 dev);
			return false;
		}
		if (!zd_try_read_u64(t, node + l->node_release, &release)) {
			snprintf(d->why, sizeof(d->why),
				 "devres node 0x%" PRIx64 " unreadable", node);
			return false;
		}
		if (release == l->action_release) {
			err = zd_read(t, node + l->devres_data, data,
				      sizeof(data), "action_devres");
			if (!err && data[l->action_fn / 8] == l->memremap_release &&
			    !add_hit(d, data[l->action_data / 8], dev)) {
				snprintf(d->why, sizeof(d->why),
					 "devres list of device 0x%" PRIx64
					 " broken or cyclic",
					 dev);
				return false;
			}
			zd_error_destroy(err);
		}
		if (!zd_try_read_u64(t, next, &next)) {
			snprintf(d->why, sizeof(d->why),
				 "devres node 0x%" PRIx64 " unreadable", node);
			return false;
		}
	}
	return true;
}

static void devres_load(const struct zd_target *t, struct zd_devres *d)
{
	const struct zd_devres_layout *l = &t->lay.dr;
	uint64_t kset, head, next, nodes = 0;
	unsigned int devices = 0;
	struct brent b = { 0, 1, 0 };

	d->loaded = true;
	if (!zd_try_read_u64(t, l->devices_kset, &kset) || !kset) {
		snprintf(d->why, sizeof(d->why), "devices_kset unreadable");
		return;
	}
	head = kset + l->kset_list;
	b.saved = head;
	if (!zd_try_read_u64(t, head, &next)) {
		snprintf(d->why, sizeof(d->why), "devices_kset->list unreadable");
		return;
	}
	while (next != head) {
		if (!next || ++devices > MAX_DEVICES || brent_cycle(&b, next)) {
			snprintf(d->why, sizeof(d->why),
				 "devices_kset->list broken or cyclic");
			return;
		}
		if (!device_nodes(t, d, next - l->kobj_entry - l->dev_kobj,
				  &nodes))
			return;
		if (!zd_try_read_u64(t, next, &next)) {
			snprintf(d->why, sizeof(d->why),
				 "device list entry unreadable");
			return;
		}
	}
}

/* dev_name() and dev->driver->name of the device holding pgmap's node. */
void zd_devres_name(const struct zd_target *t, struct zd_devres *cache,
		    struct zd_pgmap *pg)
{
	const struct zd_devres_layout *l = &t->lay.dr;
	struct zd_pgmap_names *nm = &pg->desc.names;
	struct zd_devres fresh = { 0 };
	struct zd_devres *d = cache && !t->host.mem.live ? cache : &fresh;
	uint64_t dev = 0, name, drv;
	struct zd_error *err;
	size_t found = 0;

	if (!l->have_devres) {
		snprintf(nm->devres_why, sizeof(nm->devres_why),
			 "no devres types or symbols");
		return;
	}
	if (!d->loaded)
		devres_load(t, d);
	for (size_t i = 0; i < d->nhits; i++)
		if (d->hits[i].pgmap == pg->desc.addr) {
			dev = d->hits[i].device;
			found++;
		}
	/* an incomplete walk proves neither the one device nor none */
	if (d->why[0] || found != 1) {
		snprintf(nm->devres_why, sizeof(nm->devres_why), "%s",
			 d->why[0] ? d->why :
			 found ?     "more than one device maps it" :
				     "in no device's devres (not devm_memremap_pages(), or unbinding)");
		goto out;
	}
	err = NULL;
	if (!zd_try_read_u64(t, dev + l->dev_kobj + l->kobj_name, &name) ||
	    (err = zd_read_cstring(t, name, 256, nm->devres,
				   sizeof(nm->devres)))) {
		zd_error_destroy(err);
		nm->devres[0] = '\0';
		snprintf(nm->devres_why, sizeof(nm->devres_why),
			 "name of device 0x%" PRIx64 " unreadable", dev);
		goto out;
	}
	if (zd_try_read_u64(t, dev + l->dev_driver, &drv) && drv &&
	    zd_try_read_u64(t, drv + l->drv_name, &name))
		zd_error_destroy(zd_read_cstring(t, name, 256,
						 nm->devres_driver,
						 sizeof(nm->devres_driver)));
out:
	free(fresh.hits);
}
