/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_DUMPCHECK_H
#define ZDREF_CLI_DUMPCHECK_H

#include <stdint.h>

#include "zdref/error.h"

/*
 * Opens a dump or a vmlinux read-only: regular files only (/proc/kcore is
 * one).  A FIFO would block open() and every read, and a device or socket is
 * not a dump, so the type is checked before the open (opening some devices
 * has effects: a watchdog starts ticking) and again on the open file, which
 * is opened with O_NONBLOCK and made blocking once it is known to be regular.
 * Returns NULL with *fd (and *size when size is not NULL), or an error:
 * "PATH: not a regular file (fifo)", or ZD_ERR_IO with errno left as the
 * failing call set it, for callers that word that error their own way.
 */
struct zd_error *zd_open_regular(const char *path, int *fd, uint64_t *size);

/*
 * libkdumpfile 0.5.1 follows the offsets and sizes in a dump's headers
 * without comparing them with the file, and crashes on bad ones (a SIGBUS
 * past the end of the file, a heap overflow on an oversized compressed
 * page).  This checks, before libkdumpfile sees the file, every field it
 * will follow: for ELF cores the ELF, program and section headers and the
 * notes; for kdump-compressed files the header, sub-header, notes,
 * VMCOREINFO, eraseinfo, bitmaps and every page descriptor.  A bad field is
 * refused in one line naming it and its value.  A file that merely ends
 * early (a cut copy) is reported as truncated with both sizes; page
 * descriptors makedumpfile left empty (an incomplete dump, written until the
 * disk was full) pass, and their pages read as unreadable.  Files that are
 * neither ELF nor kdump-compressed are left to libkdumpfile.
 */
struct zd_error *zd_dump_check_size(int fd, const char *path);

#endif /* ZDREF_CLI_DUMPCHECK_H */
