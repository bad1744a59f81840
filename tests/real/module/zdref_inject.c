// SPDX-License-Identifier: GPL-2.0
/*
 * zdref_inject - fault injection for the zdref real-kernel tests.
 *
 * Loaded once per boot with  ops="OP:PFN[:N],OP:PFN[:N],..."  where OP is
 *   show      report the pgmap owning PFN, change nothing
 *   leak      percpu_ref_get N times on that pgmap's ref   (N extra references)
 *   drop      percpu_ref_put N times on that pgmap's ref   (N missing references)
 *   pageinc   page_ref_inc N times on PFN's struct page
 *   pagezero  set PFN's page refcount to 0 (page_ref_dec until 0)
 * The pgmap is looked up with get_dev_pagemap(pfn, NULL), which takes one
 * reference; that one is always given back with put_dev_pagemap(), so only
 * the requested change remains.
 *
 * Ground truth goes to the console as lines starting "ZDREF-TRUTH ".  They
 * record what was done (addresses, ranges, the change, page refcounts read
 * back after the change); nothing zdref itself computes is printed here.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/memremap.h>
#include <linux/page_ref.h>
#include <linux/percpu-refcount.h>
#include <linux/string.h>
#include <linux/slab.h>

static char *ops = "";
module_param(ops, charp, 0444);
MODULE_PARM_DESC(ops, "comma-separated OP:PFN[:N], OP in show|leak|drop|pageinc|pagezero");

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

static int do_page_op(const char *op, unsigned long pfn, unsigned long n)
{
	struct dev_pagemap *pgmap;
	struct page *page;
	unsigned long i;

	if (!pfn_valid(pfn)) {
		pr_err("ZDREF-TRUTH error op=%s pfn=%#lx: pfn not valid\n", op, pfn);
		return -EINVAL;
	}
	page = pfn_to_page(pfn);
	if (!is_zone_device_page(page)) {
		pr_err("ZDREF-TRUTH error op=%s pfn=%#lx: not a ZONE_DEVICE page\n", op, pfn);
		return -EINVAL;
	}
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

static int __init zdref_inject_init(void)
{
	char *buf, *cur, *item;
	int err = 0;

	buf = kstrdup(ops, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	cur = buf;
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
		else {
			pr_err("ZDREF-TRUTH error unknown op '%s'\n", op);
			err = -EINVAL;
		}
	}
	kfree(buf);
	pr_info("ZDREF-TRUTH inject done err=%d\n", err);
	return err;
}

static void __exit zdref_inject_exit(void)
{
}

module_init(zdref_inject_init);
module_exit(zdref_inject_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("zdref test fault injection (dev_pagemap / ZONE_DEVICE page refcounts)");
