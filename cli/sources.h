/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef ZDREF_CLI_SOURCES_H
#define ZDREF_CLI_SOURCES_H

#include <stdbool.h>

#include "zdref/host.h"

/*
 * The standalone's choice of the two host halves: memory from a dump or
 * /proc/kcore, types and symbols from DWARF or from BTF + kallsyms.
 */
enum zd_debuginfo_mode {
	ZD_DEBUGINFO_AUTO, /* a matching vmlinux if found, else BTF */
	ZD_DEBUGINFO_DWARF, /* a vmlinux, or fail */
	ZD_DEBUGINFO_BTF, /* never look for a vmlinux */
};

struct zd_sources_request {
	const char *dump; /* NULL: the live kernel */
	const char *vmlinux; /* -s, or NULL */
	const char *system_map; /* --system-map, or NULL */
	enum zd_debuginfo_mode mode;
};

struct zd_sources {
	struct zd_kdump *mem;
	struct zd_dwarf_host *dwarf;
	struct zd_btf_host *btf;
	struct zd_host host;
	const char *release;
	const char *debuginfo; /* "dwarf" or "btf" */
	char what[512]; /* where types and symbols came from, for stderr */
};

struct zd_error *zd_sources_open(const struct zd_sources_request *req,
				 struct zd_sources *s);
void zd_sources_close(struct zd_sources *s);

#endif /* ZDREF_CLI_SOURCES_H */
