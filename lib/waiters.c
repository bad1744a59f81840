// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who is blocked on a pgmap: memunmap_pages() sleeps in
 * wait_for_completion(&pgmap->done) until the last reference goes, queued
 * as a struct swait_queue on done.wait.task_list.  Listing those tasks
 * turns "teardown hangs" into "this unbind, this pid, waits on this pgmap".
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_WAITERS 1024

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
		uint32_t pid, state = 0;

		if (!next || pg->nwaiters >= MAX_WAITERS)
			return zd_error_create(
				ZD_ERR_INVALID,
				"pgmap 0x%llx: waiter list broken or longer than %d",
				(unsigned long long)pg->desc.addr, MAX_WAITERS);
		if ((err = zd_read_u64(t, next - l->swq_list + l->swq_task,
				       &task, "swait_queue.task")))
			return err;
		w = realloc(pg->waiters, (pg->nwaiters + 1) * sizeof(*w));
		if (!w)
			return &zd_error_nomem;
		pg->waiters = w;
		w = &pg->waiters[pg->nwaiters];
		memset(w, 0, sizeof(*w));
		w->task = task;
		if ((err = zd_read(t, task + l->task_pid, &pid, sizeof(pid),
				   "task_struct.pid")) ||
		    (err = zd_read(t, task + l->task_comm, w->comm, 16,
				   "task_struct.comm")))
			return err;
		if (l->task_state != ZD_NO_MEMBER &&
		    (err = zd_read(t, task + l->task_state, &state,
				   sizeof(state), "task_struct state")))
			return err;
		w->pid = (int32_t)pid;
		w->comm[16] = '\0';
		w->state = state;
		pg->nwaiters++;
		if ((err = zd_read_u64(t, next, &next,
				       "swait_queue.task_list")))
			return err;
	}
	return NULL;
}
