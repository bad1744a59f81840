// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who is blocked on a pgmap: memunmap_pages() sleeps in
 * wait_for_completion(&pgmap->done) until the last reference goes, queued
 * as a struct swait_queue on done.wait.task_list.  Listing those tasks
 * turns "teardown hangs" into "this unbind, this pid, waits on this pgmap".
 *
 * A DAX truncate or hole punch waits for one page instead: ext4_break_layouts()
 * / xfs_break_dax_layouts() (6.1-6.14: ___wait_var_event(&page->_refcount,
 * refcount == 1); 6.15+ dax_break_layout(): wait_page_idle(), var = the
 * page, refcount == 0) queue a wait_bit_queue_entry on the hashed
 * bit_wait_table bucket of the variable.  The entry names the variable and
 * the task, so no stack needs unwinding: every bucket is walked once per
 * audit and each entry whose variable lies in a pgmap's memmap is that
 * pgmap's waiter, with the page judged like any other.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_WAITERS 1024
#define MAX_VARWAITS 65536

static struct zd_error *read_task(const struct zd_target *t, uint64_t task,
				  struct zd_waiter *w)
{
	const struct zd_layout *l = &t->lay;
	uint32_t pid, state = 0;
	struct zd_error *err;

	w->task = task;
	if ((err = zd_read(t, task + l->task_pid, &pid, sizeof(pid),
			   "task_struct.pid")) ||
	    (err = zd_read(t, task + l->task_comm, w->comm, 16,
			   "task_struct.comm")))
		return err;
	if (l->task_state != ZD_NO_MEMBER &&
	    (err = zd_read(t, task + l->task_state, &state, sizeof(state),
			   "task_struct state")))
		return err;
	w->pid = (int32_t)pid;
	w->comm[16] = '\0';
	w->state = state;
	/* A bonus: an unreadable stamp leaves the waiter without it. */
	if (l->task_last_arrival != ZD_NO_MEMBER)
		w->have_last_ran = zd_try_read_u64(t, task + l->task_last_arrival,
					   &w->last_ran_ns);
	return NULL;
}

struct zd_error *zd_sched_clock_read(const struct zd_target *t, uint64_t *now)
{
	const struct zd_layout *l = &t->lay;
	bool any = false;

	*now = 0;
	if (!l->have_rq_clock)
		return zd_error_create(ZD_ERR_NOTFOUND,
				       "no runqueues/rq.clock in the types");
	/* Idle NO_HZ CPUs stop their clocks: the newest one is now. */
	for (unsigned int cpu = 0; cpu < l->ncpus; cpu++) {
		uint64_t clock;

		if (zd_try_read_u64(t, l->runqueues + l->cpu_offset[cpu] + l->rq_clock,
			    &clock) &&
		    clock <= ZD_PLAUSIBLE_CLOCK) {
			any = true;
			if (clock > *now)
				*now = clock;
		}
	}
	if (!any)
		return zd_error_create(ZD_ERR_FAULT,
				       "no CPU's rq->clock is readable");
	return NULL;
}

static struct zd_waiter *new_waiter(struct zd_pgmap *pg)
{
	struct zd_waiter *w;

	if (pg->nwaiters >= MAX_WAITERS)
		return NULL;
	w = realloc(pg->waiters, (pg->nwaiters + 1) * sizeof(*w));
	if (!w)
		return NULL;
	pg->waiters = w;
	w = &pg->waiters[pg->nwaiters];
	memset(w, 0, sizeof(*w));
	return w;
}

struct zd_error *zd_waiters_read(const struct zd_target *t, struct zd_pgmap *pg)
{
	const struct zd_layout *l = &t->lay;
	uint64_t head, next;
	struct zd_error *err;

	if (!l->have_waiters)
		return NULL;
	head = pg->desc.addr + l->pgmap_done + l->done_task_list;
	if ((err = zd_read_u64(t, head, &next, "pgmap->done.wait.task_list")))
		return err;
	while (next != head) {
		struct zd_waiter *w;
		uint64_t task;

		if (!next || pg->nwaiters >= MAX_WAITERS)
			return zd_error_create(
				ZD_ERR_INVALID,
				"pgmap 0x%llx: waiter list broken or longer than %d",
				(unsigned long long)pg->desc.addr, MAX_WAITERS);
		if ((err = zd_read_u64(t, next - l->swq_list + l->swq_task,
				       &task, "swait_queue.task")))
			return err;
		if (!(w = new_waiter(pg)))
			return &zd_error_nomem;
		if ((err = read_task(t, task, w)))
			return err;
		w->on = ZD_WAIT_DONE;
		pg->nwaiters++;
		if ((err = zd_read_u64(t, next, &next,
				       "swait_queue.task_list")))
			return err;
	}
	return NULL;
}

struct zd_error *zd_varwaits_read(const struct zd_target *t,
				  struct zd_varwait **out, size_t *n)
{
	const struct zd_layout *l = &t->lay;
	struct zd_varwait *v = NULL;
	size_t nv = 0, cap = 0, steps = 0;
	struct zd_error *err = NULL;

	*out = NULL;
	*n = 0;
	if (!l->have_varwait)
		return NULL;
	for (uint64_t b = 0; b < l->bwt_count && !err; b++) {
		uint64_t head = l->bwt_addr + b * l->wqh_size + l->wqh_head;
		uint64_t next;

		if ((err = zd_read_u64(t, head, &next, "bit_wait_table head")))
			break;
		while (next != head) {
			uint64_t entry = next - l->wbq_list;
			uint64_t var, task;
			int32_t bit;

			/* Bounded by what a kernel can queue, cycles included. */
			if (!next || ++steps > MAX_VARWAITS) {
				err = zd_error_create(
					ZD_ERR_INVALID,
					"bit_wait_table[%llu]: list broken or longer than %d",
					(unsigned long long)b, MAX_VARWAITS);
				break;
			}
			if ((err = zd_read_u64(t, entry + l->wbq_var, &var,
					       "wait_bit_key.flags")) ||
			    (err = zd_read(t, entry + l->wbq_bit_nr, &bit,
					   sizeof(bit),
					   "wait_bit_key.bit_nr")) ||
			    (err = zd_read_u64(t, entry + l->wbq_task, &task,
					       "wait_queue_entry.private")))
				break;
			/* bit_nr -1: a variable, not a bit (init_wait_var_entry) */
			if (bit == -1 && task) {
				if (nv == cap) {
					size_t nc = cap ? 2 * cap : 16;
					void *p = realloc(v, nc * sizeof(*v));

					if (!p) {
						err = &zd_error_nomem;
						break;
					}
					v = p;
					cap = nc;
				}
				v[nv].var = var;
				v[nv].task = task;
				nv++;
			}
			if ((err = zd_read_u64(t, next, &next,
					       "wait_queue_entry.entry")))
				break;
		}
	}
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	*n = nv;
	return NULL;
}

struct zd_error *zd_varwaits_match(const struct zd_target *t,
				   const struct zd_varwait *vw, size_t n,
				   struct zd_pgmap *pg)
{
	const struct zd_layout *l = &t->lay;
	struct zd_holders *holders;
	struct zd_error *err = NULL;

	if (!n)
		return NULL;
	if (!(holders = zd_holders_new()))
		return &zd_error_nomem;
	for (size_t i = 0; i < n && !err; i++) {
		for (unsigned int r = 0; r < pg->desc.nr_range; r++) {
			const struct zd_range *rg = &pg->desc.ranges[r];
			uint64_t span =
				(rg->pfn_end - rg->pfn_first) * l->page_size;
			uint64_t pfn, addr;
			struct zd_waiter *w;
			uint8_t buf[2 * 4096];
			bool have_next;

			/* vmemmap: a range's struct pages are contiguous */
			if (!rg->first_page || vw[i].var < rg->first_page ||
			    vw[i].var - rg->first_page >= span)
				continue;
			pfn = rg->pfn_first +
			      (vw[i].var - rg->first_page) / l->page_size;
			if (!(w = new_waiter(pg))) {
				err = &zd_error_nomem;
				break;
			}
			if ((err = read_task(t, vw[i].task, w)))
				break;
			w->on = ZD_WAIT_PAGE;
			w->page.pfn = pfn;
			w->idle = pg->rule.idle;
			pg->nwaiters++;
			err = zd_page_read(t, pfn, &addr, buf);
			if (err) {
				/* listed with its pfn, the page unread */
				zd_error_destroy(err);
				err = NULL;
				break;
			}
			err = zd_read(t, addr + l->page_size,
				      buf + l->page_size, l->page_size,
				      "struct page");
			have_next = !err;
			zd_error_destroy(err);
			err = NULL; /* page[1] is optional: no error to pass */
			zd_page_judge(t, pg, holders, pfn, addr, buf,
				      have_next ? buf + l->page_size : NULL,
				      &w->page);
			w->page_read = true;
			break;
		}
	}
	zd_holders_free(holders);
	return err;
}
