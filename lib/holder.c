// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Name the holder of a busy DAX page the way its users know it: inode
 * number, file offset and the filesystem's device (super_block.s_id,
 * "pmem0").  page->mapping is the file's address_space (fs/dax.c
 * dax_associate_entry()); its host inode must point back through
 * i_mapping, or the word is no file's mapping and the page is a suspect.
 *
 * Busy pages of one file share a mapping, so the few reads a mapping
 * costs are cached: the walk stays one batched read per 512 struct pages.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define HOLDER_CACHE 16

struct cached {
	uint64_t mapping;
	bool valid; /* host inode points back */
	bool readable;
	uint64_t inode, ino;
	char device[32];
};

struct zd_holders {
	struct cached c[HOLDER_CACHE];
	unsigned int next;
};

struct zd_holders *zd_holders_new(void)
{
	return calloc(1, sizeof(struct zd_holders));
}

void zd_holders_free(struct zd_holders *h)
{
	free(h);
}

static void lookup(const struct zd_target *t, uint64_t mapping,
		   struct cached *c)
{
	const struct zd_layout *l = &t->lay;
	uint64_t back = 0, sb = 0;
	struct zd_error *err;

	memset(c, 0, sizeof(*c));
	c->mapping = mapping;
	if ((err = zd_read_u64(t, mapping + l->as_host, &c->inode,
			       "address_space.host")) ||
	    (err = zd_read_u64(t, c->inode + l->inode_mapping, &back,
			       "inode.i_mapping"))) {
		/* Not in the dump (filtered slab): busy, holder unnamed. */
		zd_error_destroy(err);
		c->inode = 0;
		c->valid = true;
		return;
	}
	c->valid = back == mapping;
	if (!c->valid)
		return;
	if ((err = zd_read_u64(t, c->inode + l->inode_ino, &c->ino,
			       "inode.i_ino")) ||
	    (err = zd_read_u64(t, c->inode + l->inode_sb, &sb, "inode.i_sb")) ||
	    (err = zd_read(t, sb + l->sb_id, c->device, sizeof(c->device) - 1,
			   "super_block.s_id"))) {
		zd_error_destroy(err);
		c->device[0] = '\0';
		return;
	}
	c->readable = true;
	c->device[sizeof(c->device) - 1] = '\0';
	/* s_id is a C string; keep only printable bytes */
	for (char *s = c->device; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

bool zd_holder_resolve(const struct zd_target *t, struct zd_holders *h,
		       const struct zd_pgmap *pg, struct zd_page *p)
{
	struct cached *c = NULL;

	if (p->holder.kind == ZD_HOLDER_DEVICE) {
		p->holder.owner = pg->desc.owner;
		return true;
	}
	if (p->holder.kind != ZD_HOLDER_FILE || !t->lay.have_holders || !h)
		return true;
	for (unsigned int i = 0; i < HOLDER_CACHE; i++)
		if (h->c[i].mapping == p->mapping)
			c = &h->c[i];
	if (!c) {
		c = &h->c[h->next++ % HOLDER_CACHE];
		lookup(t, p->mapping, c);
	}
	if (!c->valid)
		return false;
	p->holder.inode = c->inode;
	p->holder.ino = c->ino;
	memcpy(p->holder.device, c->device, sizeof(p->holder.device));
	return true;
}
