// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The true count of a percpu_ref in every state it can be caught in
 * (lib/percpu-refcount.c; kernel-model.md §4):
 *
 *  percpu mode	count = atomic + sum(per-CPU counters) - BIAS, mod 2^64
 *  atomic	count = atomic
 *  switching	percpu_ref_switch_to_atomic_rcu() has not folded the
 *		per-CPU sum in yet (bias still in the atomic counter), and/or
 *		has not confirmed yet (confirm_switch set: the switch still
 *		holds the reference it took)
 *  exited	percpu_ref_exit() (5.10+) freed data and stashed the count
 *		in percpu_count_ptr >> 2
 *
 * "Bias still in count" and "switch reference still held" are decided
 * separately: a dump taken at the WARN in percpu_ref_switch_to_atomic_rcu()
 * (panic_on_warn) sits exactly between the fold and the confirmation.
 */
#include <stdlib.h>

#include "internal.h"

#define PERCPU_REF_ATOMIC 1ULL
#define PERCPU_REF_DEAD 2ULL
#define PERCPU_REF_FLAG_BITS 2
#define PERCPU_COUNT_BIAS (1ULL << 63)

/*
 * Before percpu_ref_switch_to_atomic_rcu() folds the per-CPU sum in, the
 * bias keeps the atomic count near 2^63; after it the count is small (or
 * negative).
 */
static bool bias_in(uint64_t raw)
{
	return raw >= PERCPU_COUNT_BIAS / 2 &&
	       raw <= PERCPU_COUNT_BIAS + PERCPU_COUNT_BIAS / 2;
}

void zd_percpu_ref_decode(struct zd_ref_state *st, bool have_data)
{
	uint64_t pcp = st->percpu_count_ptr;

	st->exited = false;
	st->bias_in_count = false;
	st->switching = false;
	if (pcp & PERCPU_REF_DEAD)
		st->mode = ZD_REF_DEAD;
	else if (pcp & PERCPU_REF_ATOMIC)
		st->mode = ZD_REF_ATOMIC;
	else
		st->mode = ZD_REF_PERCPU;

	if (have_data && !st->data) {
		st->exited = true;
		st->mode = ZD_REF_DEAD;
		/* percpu_ref_exit() stored count << 2: shift back with the sign. */
		st->count = (int64_t)pcp >> PERCPU_REF_FLAG_BITS;
		return;
	}
	if (st->mode == ZD_REF_PERCPU) {
		st->count = (int64_t)(st->raw_count + st->percpu_sum -
				      PERCPU_COUNT_BIAS);
		return;
	}
	st->switching = st->confirm_switch != 0;
	/*
	 * After the fold the count is small (or negative); before it, the
	 * bias keeps it near 2^63.  The per-CPU counters are not zeroed by
	 * the fold, so adding them again after it would double-count.
	 */
	if (bias_in(st->raw_count)) {
		st->bias_in_count = true;
		st->count = (int64_t)(st->raw_count + st->percpu_sum -
				      PERCPU_COUNT_BIAS);
	} else {
		st->count = (int64_t)st->raw_count;
	}
}

struct zd_error *zd_percpu_ref_read(const struct zd_target *t, uint64_t addr,
				    struct zd_ref_state *st)
{
	const struct zd_layout *l = &t->lay;
	bool have_data = l->pcr_data != ZD_NO_MEMBER;
	uint64_t holder, ptr, v;
	struct zd_error *err;

	st->addr = addr;
	st->data = 0;
	st->percpu_sum = 0;
	st->ncpus = 0;
	if ((err = zd_read_u64(t, addr + l->pcr_count_ptr,
			       &st->percpu_count_ptr,
			       "percpu_ref.percpu_count_ptr")))
		return err;
	holder = addr;
	if (have_data) {
		if ((err = zd_read_u64(t, addr + l->pcr_data, &st->data,
				       "percpu_ref.data")))
			return err;
		if (!st->data) {
			st->raw_count = 0;
			st->release = st->confirm_switch = 0;
			zd_percpu_ref_decode(st, true);
			return NULL;
		}
		holder = st->data;
		/*
		 * percpu_ref_init() links data back to the ref (2b0d3d3e4fcf,
		 * 5.10): a data pointer whose ref is another is no
		 * percpu_ref_data, and nothing read through it can be judged.
		 */
		if (l->pcr_data_ref != ZD_NO_MEMBER) {
			uint64_t back;

			if ((err = zd_read_u64(t, st->data + l->pcr_data_ref,
					       &back, "percpu_ref_data.ref")))
				return err;
			if (back != addr)
				return zd_error_create(
					ZD_ERR_INVALID,
					"percpu_ref 0x%llx: data 0x%llx points back at 0x%llx, not at the ref",
					(unsigned long long)addr,
					(unsigned long long)st->data,
					(unsigned long long)back);
		}
	}
	if ((err = zd_read_u64(t, holder + l->pcr_count, &st->raw_count,
			       "percpu_ref count")) ||
	    (err = zd_read_u64(t, holder + l->pcr_release, &st->release,
			       "percpu_ref release")) ||
	    (err = zd_read_u64(t, holder + l->pcr_confirm, &st->confirm_switch,
			       "percpu_ref confirm_switch")))
		return err;

	/*
	 * Sum the per-CPU counters whenever they may still matter: in percpu
	 * mode, and while a switch has not folded them in yet.  Unsigned
	 * arithmetic: single counters wrap, only the sum is meaningful.
	 */
	ptr = st->percpu_count_ptr & ~((1ULL << PERCPU_REF_FLAG_BITS) - 1);
	/* alloc_percpu(unsigned long): 8-byte aligned, flags in bits 0-1 */
	if (ptr & 7)
		return zd_error_create(
			ZD_ERR_INVALID,
			"percpu_ref at 0x%llx: percpu_count_ptr 0x%llx is misaligned",
			(unsigned long long)addr,
			(unsigned long long)st->percpu_count_ptr);
	if (!ptr && !(st->percpu_count_ptr & PERCPU_REF_ATOMIC))
		/* percpu mode with no counters: never initialised, or freed */
		return zd_error_create(
			ZD_ERR_INVALID,
			"percpu_ref at 0x%llx is not initialised (percpu mode without per-CPU counters)",
			(unsigned long long)addr);
	if (ptr && (!(st->percpu_count_ptr & PERCPU_REF_ATOMIC) ||
		    bias_in(st->raw_count))) {
		for (unsigned int cpu = 0; cpu < l->ncpus; cpu++) {
			if ((err = zd_read_u64(t, ptr + l->cpu_offset[cpu], &v,
					       "per-CPU counter")))
				return zd_error_wrap(err, "cpu %u", cpu);
			st->percpu_sum += v;
		}
		st->ncpus = l->ncpus;
	}
	zd_percpu_ref_decode(st, have_data);
	return NULL;
}
