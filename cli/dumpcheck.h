/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_DUMPCHECK_H
#define ZDREF_CLI_DUMPCHECK_H

#include "zdref/error.h"

/*
 * A truncated dump opens fine and then fails reads with messages about page
 * tables or decompression.  Catch it up front: an ELF core whose segments,
 * or a kdump-compressed file whose page descriptors, point past the end of
 * the file is reported as truncated, with both sizes.
 */
struct zd_error *zd_dump_check_size(int fd, const char *path);

#endif /* ZDREF_CLI_DUMPCHECK_H */
