// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Walk an XArray (lib/xarray.c, include/linux/xarray.h) the way
 * xa_for_each() would, from a dump: nodes, multi-index entries with their
 * sibling slots, retry and zero entries.  pgmap_array is filled by
 * xa_store_range(), so one pgmap shows up as several multi-index entries.
 *
 * Dump data is not trusted: a child's shift must be its parent's minus
 * XA_CHUNK_SHIFT (so the depth, and with it any cycle, is bounded) and the
 * number of nodes visited is capped.
 */
#include <string.h>

#include "internal.h"

#define XA_CHUNK_SHIFT 6
#define XA_CHUNK_SIZE (1U << XA_CHUNK_SHIFT)
#define XA_MAX_DEPTH (64 / XA_CHUNK_SHIFT + 1)
#define XA_MAX_NODES (1U << 20)

static bool xa_is_internal(uint64_t e)
{
	return (e & 3) == 2;
}

static bool xa_is_node(uint64_t e)
{
	return xa_is_internal(e) && e > 4096;
}

static bool xa_is_sibling(uint64_t e)
{
	return xa_is_internal(e) &&
	       e < ((uint64_t)(XA_CHUNK_SIZE - 1) << 2 | 2);
}

static uint64_t xa_to_internal(uint64_t e)
{
	return e >> 2;
}

struct xa_frame {
	uint64_t node, base;
	unsigned int shift;
	uint64_t slots[XA_CHUNK_SIZE];
	unsigned int next;
};

static struct zd_error *load_node(const struct zd_target *t, struct xa_frame *f,
				  uint64_t node, uint64_t base,
				  int expect_shift)
{
	const struct zd_layout *l = &t->lay;
	uint8_t buf[4096];
	struct zd_error *err;

	if ((err = zd_read(t, node, buf, l->xa_node_size, "xa_node")))
		return err;
	f->shift = buf[l->xa_node_shift];
	if (f->shift % XA_CHUNK_SHIFT || f->shift >= 64 ||
	    (expect_shift >= 0 && f->shift != (unsigned int)expect_shift))
		return zd_error_create(
			ZD_ERR_INVALID,
			"xa_node 0x%llx: shift %u where %d was expected",
			(unsigned long long)node, f->shift, expect_shift);
	memcpy(f->slots, buf + l->xa_node_slots, sizeof(f->slots));
	f->node = node;
	f->base = base;
	f->next = 0;
	return NULL;
}

struct zd_error *zd_xa_walk(const struct zd_target *t, uint64_t xarray,
			    zd_xa_visit_fn fn, void *arg)
{
	struct xa_frame stack[XA_MAX_DEPTH];
	unsigned int depth = 0, nodes = 0;
	uint64_t head;
	struct zd_error *err;

	if ((err = zd_read_u64(t, xarray + t->lay.xa_head, &head,
			       "xarray.xa_head")))
		return err;
	if (!head)
		return NULL;
	if (!xa_is_node(head)) {
		/* A lone entry at index 0. */
		if (xa_is_internal(head) || (head & 1))
			return NULL;
		return fn(arg, head, 0, 0);
	}
	if ((err = load_node(t, &stack[0], head - 2, 0, -1)))
		return err;
	depth = 1;
	while (depth) {
		struct xa_frame *f = &stack[depth - 1];
		unsigned int i, last;
		uint64_t e, first;

		if (f->next >= XA_CHUNK_SIZE) {
			depth--;
			continue;
		}
		i = f->next++;
		e = f->slots[i];
		first = f->base + ((uint64_t)i << f->shift);
		if (!e || (e & 1) || xa_is_sibling(e))
			continue; /* empty, value entry, or sibling seen with its head */
		if (xa_is_node(e)) {
			if (f->shift == 0)
				return zd_error_create(
					ZD_ERR_INVALID,
					"xa_node 0x%llx: node pointer in a leaf slot",
					(unsigned long long)f->node);
			if (++nodes > XA_MAX_NODES || depth >= XA_MAX_DEPTH)
				return zd_error_create(
					ZD_ERR_INVALID,
					"xarray 0x%llx: more than %u nodes",
					(unsigned long long)xarray,
					XA_MAX_NODES);
			if ((err = load_node(t, &stack[depth], e - 2, first,
					     (int)f->shift - XA_CHUNK_SHIFT)))
				return err;
			depth++;
			continue;
		}
		if (xa_is_internal(e))
			continue; /* XA_RETRY_ENTRY, XA_ZERO_ENTRY, ... */
		/* A multi-index entry owns the sibling slots that follow it. */
		for (last = i; last + 1 < XA_CHUNK_SIZE; last++) {
			uint64_t s = f->slots[last + 1];

			if (!xa_is_sibling(s) || xa_to_internal(s) != i)
				break;
		}
		if ((err = fn(arg, e, first,
			      f->base + ((uint64_t)(last + 1) << f->shift) -
				      1)))
			return err;
	}
	return NULL;
}
