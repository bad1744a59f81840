// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Walk a radix tree (lib/radix-tree.c) the way the 4.5-4.19 pgmap_radix and
 * 4.14-4.20 hmm_devmem_radix were filled, reporting each distinct entry
 * with the index range it covers.
 *
 *   4.7+: nodes carry their shift; a pointer with bit 0 set is internal: a
 *         child node, or a sibling (a pointer back into the same node's
 *         slots, for multi-order entries from 4.14) or the retry entry;
 *         bit 1 marks exceptional (value) entries.
 *   4.5-4.6: the root carries the height and nodes do not know their
 *         level; interior slots hold nodes (tagged or not).
 *
 * As for the XArray, shifts must go down by RADIX_TREE_MAP_SHIFT per level
 * and the number of nodes is capped, so corrupt trees cannot loop.
 */
#include <string.h>

#include "internal.h"

#define MAP_SHIFT 6
#define MAP_SIZE (1U << MAP_SHIFT)
#define MAX_DEPTH (64 / MAP_SHIFT + 1)
#define MAX_NODES (1U << 20)
#define INTERNAL 1ULL
#define EXCEPTIONAL 2ULL

struct frame {
	uint64_t node, base;
	unsigned int shift, next;
	uint64_t slots[MAP_SIZE];
};

static struct zd_error *load(const struct zd_target *t, struct frame *f,
			     uint64_t node, uint64_t base, int shift)
{
	const struct zd_layout *l = &t->lay;
	uint8_t buf[4096];
	struct zd_error *err;

	if ((err = zd_read(t, node, buf, l->radix_node_size,
			   "radix_tree_node")))
		return err;
	if (l->radix_node_shift != ZD_NO_MEMBER) {
		unsigned int s = buf[l->radix_node_shift];

		if (s % MAP_SHIFT || s >= 64 ||
		    (shift >= 0 && s != (unsigned)shift))
			return zd_error_create(
				ZD_ERR_INVALID,
				"radix_tree_node 0x%llx: shift %u where %d was expected",
				(unsigned long long)node, s, shift);
		shift = (int)s;
	}
	memcpy(f->slots, buf + l->radix_node_slots, sizeof(f->slots));
	f->node = node;
	f->base = base;
	f->shift = (unsigned int)shift;
	f->next = 0;
	return NULL;
}

/* A sibling points back into the slots of its own node. */
static bool is_sibling(const struct zd_layout *l, const struct frame *f,
		       uint64_t e)
{
	uint64_t slots = f->node + l->radix_node_slots;
	uint64_t p = e & ~INTERNAL;

	return (e & INTERNAL) && p >= slots && p < slots + MAP_SIZE * 8;
}

struct zd_error *zd_radix_walk(const struct zd_target *t, uint64_t root,
			       zd_xa_visit_fn fn, void *arg)
{
	const struct zd_layout *l = &t->lay;
	bool legacy = l->radix_node_shift == ZD_NO_MEMBER;
	struct frame stack[MAX_DEPTH];
	unsigned int depth, nodes = 0;
	uint64_t rnode;
	int top_shift = -1;
	struct zd_error *err;

	if ((err = zd_read_u64(t, root + l->radix_rnode, &rnode,
			       "radix_tree_root.rnode")))
		return err;
	if (legacy) {
		uint32_t height;

		if ((err = zd_read(t, root + l->radix_height, &height,
				   sizeof(height), "radix_tree_root.height")))
			return err;
		if (height > MAX_DEPTH)
			return zd_error_create(
				ZD_ERR_INVALID, "radix tree 0x%llx: height %u",
				(unsigned long long)root, height);
		if (!rnode)
			return NULL;
		if (height == 0)
			return (rnode & 3) ? NULL : fn(arg, rnode, 0, 0);
		top_shift = (int)(height - 1) * MAP_SHIFT;
		rnode &= ~INTERNAL;
	} else {
		if (!rnode)
			return NULL;
		if (!(rnode & INTERNAL))
			return (rnode & EXCEPTIONAL) ? NULL :
						       fn(arg, rnode, 0, 0);
		rnode &= ~INTERNAL;
	}
	if ((err = load(t, &stack[0], rnode, 0, top_shift)))
		return err;
	depth = 1;
	while (depth) {
		struct frame *f = &stack[depth - 1];
		unsigned int i, last;
		uint64_t e, first;
		bool child;

		if (f->next >= MAP_SIZE) {
			depth--;
			continue;
		}
		i = f->next++;
		e = f->slots[i];
		first = f->base + ((uint64_t)i << f->shift);
		if (!e)
			continue;
		if (legacy)
			child = f->shift > 0;
		else
			child = (e & INTERNAL) && !is_sibling(l, f, e) &&
				e != INTERNAL; /* RADIX_TREE_RETRY */
		if (child) {
			if (f->shift == 0)
				return zd_error_create(
					ZD_ERR_INVALID,
					"radix_tree_node 0x%llx: node pointer in a leaf slot",
					(unsigned long long)f->node);
			if (++nodes > MAX_NODES || depth >= MAX_DEPTH)
				return zd_error_create(
					ZD_ERR_INVALID,
					"radix tree 0x%llx: more than %u nodes",
					(unsigned long long)root, MAX_NODES);
			if ((err = load(t, &stack[depth], e & ~3ULL, first,
					(int)f->shift - MAP_SHIFT)))
				return err;
			depth++;
			continue;
		}
		if (e & 3)
			continue; /* sibling, retry, exceptional */
		for (last = i; last + 1 < MAP_SIZE; last++) {
			uint64_t s = f->slots[last + 1];

			if (!is_sibling(l, f, s) ||
			    (s & ~INTERNAL) !=
				    f->node + l->radix_node_slots + 8ULL * i)
				break;
		}
		if ((err = fn(arg, e, first,
			      f->base + ((uint64_t)(last + 1) << f->shift) -
				      1)))
			return err;
	}
	return NULL;
}
