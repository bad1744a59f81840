/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One error type for the whole of zdref.  A function that can fail returns
 * struct zd_error *: NULL means success, anything else is owned by the caller
 * and released with zd_error_destroy().  The message carries its context
 * ("pgmap 0xffff...: reading percpu_ref at 0x...: page excluded"), so the
 * front ends print it as one line and need nothing else.
 */
#ifndef ZDREF_ERROR_H
#define ZDREF_ERROR_H

#include <stdarg.h>

enum zd_err_code {
	ZD_ERR_NOMEM = 1, /* allocation failed */
	ZD_ERR_FAULT, /* memory not in the dump or not mapped */
	ZD_ERR_EXCLUDED, /* page filtered out of the dump (makedumpfile -d) */
	ZD_ERR_NOTFOUND, /* symbol, type, member or enumerator absent */
	ZD_ERR_INVALID, /* dump data that makes no sense (corrupt, cyclic, absurd) */
	ZD_ERR_USAGE, /* bad argument from the user */
	ZD_ERR_IO, /* file could not be opened or read */
	ZD_ERR_FORMAT, /* file is not a dump / vmlinux we can read */
	ZD_ERR_MISMATCH, /* vmlinux does not belong to the dump */
	ZD_ERR_UNSUPPORTED, /* kernel layout the core does not know */
};

struct zd_error {
	enum zd_err_code code;
	char *message;
};

/* Returned when building an error fails; never freed. */
extern struct zd_error zd_error_nomem;

struct zd_error *zd_error_create(enum zd_err_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
struct zd_error *zd_error_vcreate(enum zd_err_code code, const char *fmt,
				  va_list ap);
/* Prefix context to err's message ("reading X: <old message>"); returns err. */
struct zd_error *zd_error_wrap(struct zd_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void zd_error_destroy(struct zd_error *err);

/* True for the codes that mean "this memory cannot be read". */
static inline int zd_error_is_fault(const struct zd_error *err)
{
	return err &&
	       (err->code == ZD_ERR_FAULT || err->code == ZD_ERR_EXCLUDED);
}

#endif /* ZDREF_ERROR_H */
