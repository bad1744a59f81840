/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_FLATTENED_H
#define ZDREF_CLI_FLATTENED_H

#include "zdref/error.h"

/*
 * makedumpfile's flattened format (makedumpfile -F, QEMU's kdump-zlib/lzo/
 * snappy before QEMU 8.2) is a stream of (offset, size, data) records that
 * libkdumpfile 0.5.1 cannot read.  If fd holds one, rebuild the real file
 * in an unlinked sparse temporary file and return its descriptor in *out;
 * otherwise *out = -1.  Memory use is one record buffer.
 */
struct zd_error *zd_flattened_open(int fd, const char *path, int *out);

#endif /* ZDREF_CLI_FLATTENED_H */
