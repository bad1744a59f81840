// SPDX-License-Identifier: GPL-2.0
/*
 * zdref_inject - fault injection and kernel-side ground truth for the zdref
 * real-kernel tests.
 *
 * ops="OP:PFN[:N],OP:PFN[:N],..." is run at load time (insmod ... ops=...)
 * and again on every write to /sys/module/zdref_inject/parameters/ops, so
 * one load serves a whole boot.  OP is
 *   show      report the pgmap owning PFN, change nothing
 *   leak      percpu_ref_get N times on that pgmap's ref   (N extra references)
 *   drop      percpu_ref_put N times on that pgmap's ref   (N missing references)
 *   pageinc   page_ref_inc N times on PFN's struct page
 *   pagezero  set PFN's page refcount to 0 (page_ref_dec until 0)
 *   peek      report PFN's page as the kernel sees it, change nothing:
 *             refcount, mapcount, page->mapping (none / the DAX shared
 *             marker / a file's address_space: its host inode number and
 *             superblock s_id), page->index, the pgmap, and every task
 *             sleeping in wait_var_event() on the page's _refcount (as
 *             ext4_break_layouts() / xfs_break_dax_layouts() do)
 *   task      report the task whose pid is PFN (the number is a pid here):
 *             comm, state, sched_info.last_arrival and pcount (when it was
 *             last switched in, CONFIG_SCHED_INFO) and local_clock() now,
 *             the clock rq->clock and the log's timestamps run on
 * The pgmap is looked up with get_dev_pagemap(pfn, NULL), which takes one
 * reference; that one is always given back with put_dev_pagemap(), so only
 * the requested change remains.
 *
 * probe=PFN (write), then read /sys/module/zdref_inject/parameters/probe:
 * "pfn=... refcount=N mapcount=N" of that page, for a guest script that
 * polls until a page is busy.  Nothing is printed.
 *
 * Ground truth goes to the console as lines starting "ZDREF-TRUTH ".  They
 * record what was done (addresses, ranges, the change, page refcounts read
 * back after the change) and what the kernel holds; nothing zdref itself
 * computes is printed here.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/page_ref.h>
#include <linux/percpu-refcount.h>
#include <linux/string.h>
#include <linux/slab.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/task.h>
#include <linux/pid.h>
#include <linux/wait_bit.h>

static const char *type_name(enum memory_type t)
{
	switch (t) {
	case MEMORY_DEVICE_PRIVATE:	return "MEMORY_DEVICE_PRIVATE";
	case MEMORY_DEVICE_COHERENT:	return "MEMORY_DEVICE_COHERENT";
	case MEMORY_DEVICE_FS_DAX:	return "MEMORY_DEVICE_FS_DAX";
	case MEMORY_DEVICE_GENERIC:	return "MEMORY_DEVICE_GENERIC";
	case MEMORY_DEVICE_PCI_P2PDMA:	return "MEMORY_DEVICE_PCI_P2PDMA";
	}
	return "unknown";
}

static int do_pgmap_op(const char *op, unsigned long pfn, unsigned long n)
{
	struct dev_pagemap *pgmap = get_dev_pagemap(pfn, NULL);	/* +1, put below */
	unsigned long i;
	int r;

	if (!pgmap) {
		pr_err("ZDREF-TRUTH error op=%s pfn=%#lx: no dev_pagemap\n", op, pfn);
		return -ENODEV;
	}
	for (r = 0; r < pgmap->nr_range; r++)
		pr_info("ZDREF-TRUTH pgmap=%px type=%d typename=%s range=%d start=%#llx end=%#llx pfn=%#lx\n",
			pgmap, (int)pgmap->type, type_name(pgmap->type), r,
			(unsigned long long)pgmap->ranges[r].start,
			(unsigned long long)pgmap->ranges[r].end, pfn);

	if (!strcmp(op, "leak")) {
		for (i = 0; i < n; i++)
			percpu_ref_get(&pgmap->ref);
	} else if (!strcmp(op, "drop")) {
		for (i = 0; i < n; i++)
			percpu_ref_put(&pgmap->ref);
	} else {
		n = 0;	/* show */
	}
	if (n)
		pr_info("ZDREF-TRUTH pgmap=%px action=%s n=%lu\n", pgmap, op, n);
	put_dev_pagemap(pgmap);					/* -1: the lookup ref */
	return 0;
}

/* A ZONE_DEVICE page of a valid pfn, or NULL (and the error printed). */
static struct page *zone_device_page(const char *op, unsigned long pfn)
{
	struct page *page;

	if (!pfn_valid(pfn)) {
		pr_err("ZDREF-TRUTH error op=%s pfn=%#lx: pfn not valid\n", op, pfn);
		return NULL;
	}
	page = pfn_to_page(pfn);
	if (!is_zone_device_page(page)) {
		pr_err("ZDREF-TRUTH error op=%s pfn=%#lx: not a ZONE_DEVICE page\n", op, pfn);
		return NULL;
	}
	return page;
}

static int do_page_op(const char *op, unsigned long pfn, unsigned long n)
{
	struct dev_pagemap *pgmap;
	struct page *page;
	unsigned long i;

	page = zone_device_page(op, pfn);
	if (!page)
		return -EINVAL;
	pgmap = page->pgmap;
	if (!strcmp(op, "pageinc")) {
		for (i = 0; i < n; i++)
			page_ref_inc(page);
	} else {	/* pagezero */
		n = 0;
		while (page_ref_count(page) > 0) {
			page_ref_dec(page);
			n++;
		}
	}
	pr_info("ZDREF-TRUTH page pfn=%#lx page=%px pgmap=%px action=%s n=%lu refcount=%d\n",
		pfn, page, pgmap, op, n, page_ref_count(page));
	return 0;
}

#define MAX_WAITERS 8

/*
 * Tasks in ___wait_var_event(&page->_refcount, ...): their
 * wait_bit_queue_entry sits on the hashed queue __var_waitqueue(var) with
 * key.flags == var and key.bit_nr == -1 (kernel/sched/wait_bit.c:
 * init_wait_var_entry); .func is the static var_wake_function, taken here
 * from an entry init_wait_var_entry() fills in.
 */
static int var_waiters(void *var, pid_t *pid, char (*comm)[TASK_COMM_LEN], unsigned int *state)
{
	struct wait_queue_head *wq = __var_waitqueue(var);
	struct wait_bit_queue_entry probe, *wbq;
	struct wait_queue_entry *e;
	unsigned long flags;
	int n = 0;

	init_wait_var_entry(&probe, var, 0);
	spin_lock_irqsave(&wq->lock, flags);
	list_for_each_entry(e, &wq->head, entry) {
		struct task_struct *t;

		if (e->func != probe.wq_entry.func)
			continue;
		wbq = container_of(e, struct wait_bit_queue_entry, wq_entry);
		if (wbq->key.flags != var || wbq->key.bit_nr != -1)
			continue;
		if (n == MAX_WAITERS)
			break;
		t = e->private;
		pid[n] = task_pid_nr(t);
		memcpy(comm[n], t->comm, TASK_COMM_LEN);
		comm[n][TASK_COMM_LEN - 1] = 0;
		state[n] = READ_ONCE(t->__state);
		n++;
	}
	spin_unlock_irqrestore(&wq->lock, flags);
	return n;
}

static int do_peek(unsigned long pfn)
{
	struct page *page = zone_device_page("peek", pfn);
	struct address_space *mapping;
	pid_t pid[MAX_WAITERS];
	char comm[MAX_WAITERS][TASK_COMM_LEN];
	unsigned int state[MAX_WAITERS];
	const char *kind = "none", *dev = "-";
	unsigned long ino = 0;
	int i, n;

	if (!page)
		return -EINVAL;
	mapping = READ_ONCE(page->mapping);
	if (mapping && ((unsigned long)mapping & PAGE_MAPPING_FLAGS)) {
		kind = "flags";		/* the DAX reflink-shared marker (0x1) */
	} else if (mapping) {
		kind = "file";
		if (mapping->host) {
			ino = mapping->host->i_ino;
			dev = mapping->host->i_sb->s_id;
		}
	}
	pr_info("ZDREF-TRUTH peek pfn=%#lx page=%px pgmap=%px refcount=%d mapcount=%d mapping=%s mapping_ptr=%px index=%lu inode=%lu device=%s\n",
		pfn, page, page->pgmap, page_ref_count(page),
		atomic_read(&page->_mapcount) + 1, kind, mapping, page->index, ino, dev);
	n = var_waiters(&page->_refcount, pid, comm, state);
	for (i = 0; i < n; i++)
		pr_info("ZDREF-TRUTH waiter pfn=%#lx pid=%d comm=%s state=%#x on=page_refcount\n",
			pfn, pid[i], comm[i], state[i]);
	return 0;
}

static int do_task(unsigned long nr)
{
	struct pid *pid = find_get_pid((pid_t)nr);
	struct task_struct *t = pid ? get_pid_task(pid, PIDTYPE_PID) : NULL;
	unsigned long long arrival = 0, pcount = 0;

	put_pid(pid);
	if (!t) {
		pr_err("ZDREF-TRUTH error task %lu: no such task\n", nr);
		return -ESRCH;
	}
#ifdef CONFIG_SCHED_INFO
	arrival = t->sched_info.last_arrival;
	pcount = t->sched_info.pcount;
#endif
	pr_info("ZDREF-TRUTH task pid=%d comm=%s state=%#x last_arrival=%llu pcount=%llu now=%llu\n",
		task_pid_nr(t), t->comm, READ_ONCE(t->__state), arrival, pcount,
		local_clock());
	put_task_struct(t);
	return 0;
}

static int run_ops(const char *ops)
{
	char *buf, *cur, *item;
	int err = 0;

	buf = kstrdup(ops, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	cur = strim(buf);	/* a sysfs write ends in a newline */
	while (!err && (item = strsep(&cur, ",")) != NULL) {
		char *op, *s_pfn, *s_n;
		unsigned long pfn, n = 1;

		if (!*item)
			continue;
		op = strsep(&item, ":");
		s_pfn = strsep(&item, ":");
		s_n = item;
		if (!s_pfn || kstrtoul(s_pfn, 0, &pfn) || (s_n && kstrtoul(s_n, 0, &n))) {
			pr_err("ZDREF-TRUTH error bad op '%s'\n", op);
			err = -EINVAL;
			break;
		}
		if (!strcmp(op, "show") || !strcmp(op, "leak") || !strcmp(op, "drop"))
			err = do_pgmap_op(op, pfn, n);
		else if (!strcmp(op, "pageinc") || !strcmp(op, "pagezero"))
			err = do_page_op(op, pfn, n);
		else if (!strcmp(op, "peek"))
			err = do_peek(pfn);
		else if (!strcmp(op, "task"))
			err = do_task(pfn);
		else {
			pr_err("ZDREF-TRUTH error unknown op '%s'\n", op);
			err = -EINVAL;
		}
	}
	kfree(buf);
	pr_info("ZDREF-TRUTH inject done err=%d\n", err);
	return err;
}

/* ops: run at load (insmod ops=...) and on every write to the sysfs file */
static int ops_set(const char *val, const struct kernel_param *kp)
{
	return run_ops(val);
}

static const struct kernel_param_ops ops_param_ops = {
	.set = ops_set,
};
module_param_cb(ops, &ops_param_ops, NULL, 0200);
MODULE_PARM_DESC(ops, "comma-separated OP:PFN[:N], OP in show|leak|drop|pageinc|pagezero|peek|task");

/* probe: remember a pfn; reading the parameter describes its page now */
static unsigned long probe_pfn;

static int probe_set(const char *val, const struct kernel_param *kp)
{
	unsigned long pfn;
	char buf[32];

	strscpy(buf, val, sizeof(buf));
	if (kstrtoul(strim(buf), 0, &pfn))
		return -EINVAL;
	if (!zone_device_page("probe", pfn))
		return -EINVAL;
	WRITE_ONCE(probe_pfn, pfn);
	return 0;
}

static int probe_get(char *buf, const struct kernel_param *kp)
{
	unsigned long pfn = READ_ONCE(probe_pfn);
	struct page *page;

	if (!pfn)
		return -EINVAL;
	page = pfn_to_page(pfn);
	return sysfs_emit(buf, "pfn=%#lx refcount=%d mapcount=%d\n", pfn,
			  page_ref_count(page), atomic_read(&page->_mapcount) + 1);
}

static const struct kernel_param_ops probe_param_ops = {
	.set = probe_set,
	.get = probe_get,
};
module_param_cb(probe, &probe_param_ops, NULL, 0600);
MODULE_PARM_DESC(probe, "PFN whose page refcount/mapcount reading this parameter returns");

static int __init zdref_inject_init(void)
{
	return 0;
}

static void __exit zdref_inject_exit(void)
{
}

module_init(zdref_inject_init);
module_exit(zdref_inject_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zdref test fault injection and ground truth (dev_pagemap / ZONE_DEVICE page refcounts)");
