// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The true count of a percpu_ref in every state lib/percpu-refcount.c can
 * leave it in (kernel-model.md §4): the pure decoder on hand-made states,
 * then the reader over a fake 6.1 kernel with per-CPU counters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "internal.h"
#include "fakehost.h"

#define BIAS FH_PERCPU_COUNT_BIAS
#define PCP 0x2a0c0ULL		/* a __percpu pointer, flag bits clear */
#define CONFIRM 0xffffffff81234560ULL

/* Decoder */

static struct zd_ref_state state(uint64_t pcp, uint64_t raw, uint64_t sum,
				 uint64_t confirm)
{
	struct zd_ref_state st = {
		.percpu_count_ptr = pcp,
		.data = 0xffff888100001000ULL,
		.raw_count = raw,
		.percpu_sum = sum,
		.confirm_switch = confirm,
	};

	return st;
}

static void decode_percpu(void **ctx)
{
	/* percpu_ref_init() + 41 gets: count BIAS + 1, counters sum to 41. */
	struct zd_ref_state st = state(PCP, BIAS + 1, 41, 0);

	(void)ctx;
	zd_percpu_ref_decode(&st, true);
	assert_int_equal(st.mode, ZD_REF_PERCPU);
	assert_int_equal(st.count, 42);
	assert_false(st.switching);
	assert_false(st.exited);
}

static void decode_percpu_wrapped_sum(void **ctx)
{
	/* More puts than gets on the CPUs: the sum is "negative". */
	struct zd_ref_state st = state(PCP, BIAS + 1, (uint64_t)-3, 0);

	(void)ctx;
	zd_percpu_ref_decode(&st, true);
	assert_int_equal(st.count, -2);
}

static void decode_atomic(void **ctx)
{
	struct zd_ref_state st = state(PCP | FH_PERCPU_REF_ATOMIC, 7, 99, 0);

	(void)ctx;
	zd_percpu_ref_decode(&st, true);
	assert_int_equal(st.mode, ZD_REF_ATOMIC);
	/* Folded long ago: the stale per-CPU sum must not count again. */
	assert_int_equal(st.count, 7);
	assert_false(st.bias_in_count);
	assert_false(st.switching);
}

static void decode_dead(void **ctx)
{
	struct zd_ref_state st = state(3, 5, 0, 0);

	(void)ctx;
	zd_percpu_ref_decode(&st, true);
	assert_int_equal(st.mode, ZD_REF_DEAD);
	assert_int_equal(st.count, 5);
	assert_false(st.switching);
	assert_false(st.exited);
}

static void decode_switch_before_fold(void **ctx)
{
	/*
	 * percpu_ref_kill() of a ref at BIAS + 1 with 10 gets on the CPUs:
	 * the switch's get and the initial put cancel in the atomic count,
	 * the RCU callback has not run: true = 1 + 10.
	 */
	struct zd_ref_state st = state(PCP | 3, BIAS + 1, 10, CONFIRM);

	(void)ctx;
	zd_percpu_ref_decode(&st, true);
	assert_int_equal(st.mode, ZD_REF_DEAD);
	assert_true(st.bias_in_count);
	assert_true(st.switching);
	assert_int_equal(st.count, 11);
}

static void decode_warn_state(void **ctx)
{
	/*
	 * panic_on_warn at the WARN in percpu_ref_switch_to_atomic_rcu():
	 * sum folded (count 0), confirm_switch still set, the counters
	 * still hold the sum they had.
	 */
	struct zd_ref_state st = state(PCP | 3, 0, BIAS + 1, CONFIRM);

	(void)ctx;
	zd_percpu_ref_decode(&st, true);
	assert_int_equal(st.mode, ZD_REF_DEAD);
	assert_int_equal(st.count, 0);
	assert_true(st.switching);
	assert_false(st.bias_in_count);
}

static void decode_negative(void **ctx)
{
	struct zd_ref_state st = state(3, (uint64_t)-4, 0, 0);

	(void)ctx;
	zd_percpu_ref_decode(&st, true);
	assert_int_equal(st.count, -4);
	assert_false(st.bias_in_count);
}

static void decode_exited(void **ctx)
{
	struct zd_ref_state st = state(3 | (6ULL << 2), 0, 0, 0);

	(void)ctx;
	st.data = 0;
	zd_percpu_ref_decode(&st, true);
	assert_true(st.exited);
	assert_int_equal(st.mode, ZD_REF_DEAD);
	assert_int_equal(st.count, 6);
}

static void decode_no_data_member(void **ctx)
{
	/* Before 5.10 there is no data pointer: 0 does not mean exited. */
	struct zd_ref_state st = state(3, 2, 0, 0);

	(void)ctx;
	st.data = 0;
	zd_percpu_ref_decode(&st, false);
	assert_false(st.exited);
	assert_int_equal(st.count, 2);
}

/* Reader over the fake host */

struct fixture {
	struct fakehost *fh;
	struct zd_target *t;
	uint64_t ref;
};

static int open_target(struct fixture *f, unsigned int ncpu,
		       uint64_t possible)
{
	struct zd_error *err;

	f->fh = fh_create();
	fh_setup_6_1(f->fh, ncpu, possible);
	err = zd_target_open(&f->fh->host, &f->t);
	if (err) {
		print_error("zd_target_open: %s\n", err->message);
		zd_error_destroy(err);
		return -1;
	}
	f->ref = fh_alloc(f->fh, 16, 8);
	return 0;
}

static int setup4(void **ctx)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*ctx = f;
	return f ? open_target(f, 4, 0xf) : -1;
}

/* nr_cpu_ids 8, CPUs 1, 3 and 6 not possible. */
static int setup_holes(void **ctx)
{
	struct fixture *f = calloc(1, sizeof(*f));

	*ctx = f;
	return f ? open_target(f, 8, 0xb5) : -1;
}

static int teardown(void **ctx)
{
	struct fixture *f = *ctx;

	zd_target_close(f->t);
	fh_destroy(f->fh);
	free(f);
	return 0;
}

static struct zd_ref_state read_ok(struct fixture *f)
{
	struct zd_ref_state st = { 0 };
	struct zd_error *err = zd_percpu_ref_read(f->t, f->ref, &st);

	if (err)
		fail_msg("zd_percpu_ref_read: %s", err->message);
	return st;
}

static void read_percpu_wrapped(void **ctx)
{
	struct fixture *f = *ctx;
	const int64_t n = 1000;
	struct fh_ref r = { .count = BIAS + 1, .ncpu = 4 };
	struct zd_ref_state st;

	/* Per-CPU counters summing to n: only the modular sum matters. */
	r.cpu_val[0] = (uint64_t)-5;
	r.cpu_val[1] = (uint64_t)n + 5;
	r.cpu_val[2] = 3;
	r.cpu_val[3] = (uint64_t)-3;
	fh_ref_init(f->fh, f->ref, &r);
	st = read_ok(f);
	assert_int_equal(st.mode, ZD_REF_PERCPU);
	assert_int_equal(st.ncpus, 4);
	assert_int_equal(st.percpu_sum, n);
	assert_int_equal(st.count, n + 1);
	assert_false(st.switching);
}

static void read_possible_mask_holes(void **ctx)
{
	struct fixture *f = *ctx;
	struct fh_ref r = { .count = BIAS + 1, .ncpu = 8 };
	struct zd_ref_state st;

	/* Possible: 0, 2, 4, 5, 7 (sum 20); the others carry junk. */
	r.cpu_val[0] = 1;
	r.cpu_val[1] = 1000;
	r.cpu_val[2] = 2;
	r.cpu_val[3] = 1000;
	r.cpu_val[4] = 4;
	r.cpu_val[5] = (uint64_t)-1;
	r.cpu_val[6] = 1000;
	r.cpu_val[7] = 14;
	fh_ref_init(f->fh, f->ref, &r);
	st = read_ok(f);
	assert_int_equal(st.ncpus, 5);
	assert_int_equal(st.percpu_sum, 20);
	assert_int_equal(st.count, 21);
}

static void read_atomic(void **ctx)
{
	struct fixture *f = *ctx;
	struct fh_ref r = { .flags = FH_PERCPU_REF_ATOMIC, .count = 9,
			    .ncpu = 4, .cpu_val = { 100, 100, 100, 100 } };
	struct zd_ref_state st;

	/* percpu_ref_switch_to_atomic_sync() done: counters are stale. */
	fh_ref_init(f->fh, f->ref, &r);
	st = read_ok(f);
	assert_int_equal(st.mode, ZD_REF_ATOMIC);
	assert_int_equal(st.count, 9);
	assert_false(st.switching);
	assert_false(st.bias_in_count);
}

static void read_dead_completed(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_ref_state st;

	/* Killed and confirmed: counters freed, pcp == ATOMIC_DEAD. */
	fh_ref_atomic(f->fh, f->ref, 3, 4);
	st = read_ok(f);
	assert_int_equal(st.percpu_count_ptr, 3);
	assert_int_equal(st.mode, ZD_REF_DEAD);
	assert_int_equal(st.count, 4);
	assert_false(st.switching);
	assert_false(st.exited);
	assert_int_equal(st.release,
			 fh_symbol_addr(f->fh, "dev_pagemap_percpu_release"));
}

static void read_switch_before_fold(void **ctx)
{
	struct fixture *f = *ctx;
	struct fh_ref r = {
		.flags = 3,
		.count = BIAS + 1,
		.confirm_switch = CONFIRM,
		.ncpu = 4,
		.cpu_val = { 20, (uint64_t)-8, 0, 3 },
	};
	struct zd_ref_state st;

	fh_ref_init(f->fh, f->ref, &r);
	st = read_ok(f);
	assert_int_equal(st.mode, ZD_REF_DEAD);
	assert_true(st.bias_in_count);
	assert_true(st.switching);
	assert_int_equal(st.percpu_sum, 15);
	/* count = raw + sum - BIAS */
	assert_int_equal(st.count, 16);
}

static void read_warn_state(void **ctx)
{
	struct fixture *f = *ctx;
	struct fh_ref r = {
		.flags = 3,
		.count = 0,
		.confirm_switch = CONFIRM,
		.ncpu = 4,
		/* Folded but not zeroed: adding them again would give 7. */
		.cpu_val = { 5, 2, 0, 0 },
	};
	struct zd_ref_state st;

	fh_ref_init(f->fh, f->ref, &r);
	st = read_ok(f);
	assert_int_equal(st.mode, ZD_REF_DEAD);
	assert_int_equal(st.count, 0);
	assert_true(st.switching);
	assert_false(st.bias_in_count);
}

static void read_dead_negative(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_ref_state st;

	fh_ref_atomic(f->fh, f->ref, 3, -3);
	st = read_ok(f);
	assert_int_equal(st.count, -3);
	assert_false(st.bias_in_count);
}

static void read_percpu_negative(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_ref_state st;

	/* Two more puts than gets in percpu mode. */
	fh_ref_percpu(f->fh, f->ref, -2);
	st = read_ok(f);
	assert_int_equal(st.mode, ZD_REF_PERCPU);
	assert_int_equal(st.count, -2);
}

static void read_exited(void **ctx)
{
	struct fixture *f = *ctx;
	struct fh_ref r = { .exited = true, .exited_count = 2 };
	struct zd_ref_state st;

	fh_ref_init(f->fh, f->ref, &r);
	st = read_ok(f);
	assert_true(st.exited);
	assert_int_equal(st.data, 0);
	assert_int_equal(st.mode, ZD_REF_DEAD);
	assert_int_equal(st.count, 2);
}

/*
 * percpu_ref_exit() stores count << 2 of an atomic_long_t: a negative
 * count (an underflow) comes back by an arithmetic shift.
 * Regression: the stash was once decoded with a logical shift, so -1
 * read as 0x3fffffffffffffff.
 */
static void read_exited_negative(void **ctx)
{
	struct fixture *f = *ctx;
	struct fh_ref r = { .exited = true, .exited_count = -1 };
	struct zd_ref_state st;

	fh_ref_init(f->fh, f->ref, &r);
	st = read_ok(f);
	assert_true(st.exited);
	assert_int_equal(st.count, -1);
}

static void read_unreadable_counter(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_ref_state st = { 0 };
	struct zd_error *err;

	fh_ref_percpu(f->fh, f->ref, 3);
	/* CPU 2's area filtered out: the sum cannot be known. */
	fh_exclude(f->fh, fh_cpu_offset(f->fh, 2), FH_PCPU_STRIDE);
	err = zd_percpu_ref_read(f->t, f->ref, &st);
	assert_non_null(err);
	assert_int_equal(err->code, ZD_ERR_EXCLUDED);
	zd_error_destroy(err);
}

static void read_unreadable_data(void **ctx)
{
	struct fixture *f = *ctx;
	struct zd_ref_state st = { 0 };
	struct zd_error *err;

	fh_put_u64(f->fh, f->ref, PCP);
	fh_put_u64(f->fh, f->ref + 8, 0xffff888dead00000ULL);
	err = zd_percpu_ref_read(f->t, f->ref, &st);
	assert_non_null(err);
	assert_int_equal(err->code, ZD_ERR_FAULT);
	zd_error_destroy(err);
}

#define T(f, s) cmocka_unit_test_setup_teardown(f, s, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_percpu),
		cmocka_unit_test(decode_percpu_wrapped_sum),
		cmocka_unit_test(decode_atomic),
		cmocka_unit_test(decode_dead),
		cmocka_unit_test(decode_switch_before_fold),
		cmocka_unit_test(decode_warn_state),
		cmocka_unit_test(decode_negative),
		cmocka_unit_test(decode_exited),
		cmocka_unit_test(decode_no_data_member),
		T(read_percpu_wrapped, setup4),
		T(read_possible_mask_holes, setup_holes),
		T(read_atomic, setup4),
		T(read_dead_completed, setup4),
		T(read_switch_before_fold, setup4),
		T(read_warn_state, setup4),
		T(read_dead_negative, setup4),
		T(read_percpu_negative, setup4),
		T(read_exited, setup4),
		T(read_exited_negative, setup4),
		T(read_unreadable_counter, setup4),
		T(read_unreadable_data, setup4),
	};

	return cmocka_run_group_tests_name("percpu_ref", tests, NULL, NULL);
}
