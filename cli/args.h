/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_ARGS_H
#define ZDREF_CLI_ARGS_H

#include <stdint.h>
#include <stdio.h>

/*
 * A hex number as the user types it: optional 0x, then 1 to 16 hex digits,
 * nothing else (strtoull would take a sign, blanks and an empty string).
 * 0 on success; -1 when it is not such a number or not in [min, max].
 */
int zd_parse_hex(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * "zdref: " and the formatted message as exactly one line: control
 * characters (a newline in a path or an argument) are printed as \xNN.
 */
void zd_print_line(FILE *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* ZDREF_CLI_ARGS_H */
