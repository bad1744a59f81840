// SPDX-License-Identifier: GPL-2.0-or-later
/* The error type: a code and a one-line message with its context. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zdref/error.h"

struct zd_error zd_error_nomem = {
	.code = ZD_ERR_NOMEM,
	.message = "out of memory",
};

struct zd_error *zd_error_vcreate(enum zd_err_code code, const char *fmt,
				  va_list ap)
{
	struct zd_error *err = malloc(sizeof(*err));

	if (!err)
		return &zd_error_nomem;
	if (vasprintf(&err->message, fmt, ap) < 0) {
		free(err);
		return &zd_error_nomem;
	}
	err->code = code;
	return err;
}

struct zd_error *zd_error_create(enum zd_err_code code, const char *fmt, ...)
{
	struct zd_error *err;
	va_list ap;

	va_start(ap, fmt);
	err = zd_error_vcreate(code, fmt, ap);
	va_end(ap);
	return err;
}

struct zd_error *zd_error_wrap(struct zd_error *err, const char *fmt, ...)
{
	char *prefix, *joined;
	va_list ap;
	int ret;

	if (!err || err == &zd_error_nomem)
		return err;
	va_start(ap, fmt);
	ret = vasprintf(&prefix, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return err;
	if (asprintf(&joined, "%s: %s", prefix, err->message) >= 0) {
		free(err->message);
		err->message = joined;
	}
	free(prefix);
	return err;
}

void zd_error_destroy(struct zd_error *err)
{
	if (!err || err == &zd_error_nomem)
		return;
	free(err->message);
	free(err);
}
