# zdref: audit ZONE_DEVICE dev_pagemap references in Linux kernel dumps.
#
#   make              build the standalone zdref (and zdref.so when crash's defs.h is there)
#   make check        every test tier this machine can run (see tests/README.md)
#   make install      DESTDIR=... PREFIX=/usr

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
CC ?= gcc
PKG_CONFIG ?= pkg-config

CFLAGS ?= -O2 -g
ZD_CFLAGS = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude
ZD_CFLAGS += -fno-strict-aliasing
CLI_PKGS = libkdumpfile libdw libelf libbpf

LIB_SRCS = lib/error.c lib/constants.c lib/tells.c lib/target.c lib/percpu_ref.c lib/xarray.c lib/radix.c \
	   lib/pgmap.c lib/pagewalk.c lib/pageclass.c lib/holder.c lib/model.c \
	   lib/waiters.c lib/examine.c lib/memmap_scan.c lib/audit.c \
	   lib/lookup.c lib/report.c lib/printk.c lib/names.c lib/devres.c lib/triage.c
CLI_SRCS = cli/main.c cli/args.c cli/sources.c cli/kdump_memory.c cli/flattened.c cli/dumpcheck.c \
	   cli/dwarf_host.c cli/btf_host.c cli/btf_types.c cli/kallsyms.c \
	   cli/name_index.c cli/vmlinux.c cli/elf_symbols.c cli/dwarf_index.c cli/dwarf_types.c
LIB_HDRS = $(wildcard include/zdref/*.h) lib/internal.h
CLI_HDRS = $(wildcard cli/*.h)

BUILD = build
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o)
CLI_OBJS = $(CLI_SRCS:%.c=$(BUILD)/%.o)

# The crash extension is built against the defs.h of the installed crash
# (Debian's crash package ships it): its structure layouts are that crash's.
CRASH_INC ?= /usr/include/crash
CRASH_TARGET ?= $(shell uname -m | sed -e 's/x86_64/X86_64/' -e 's/aarch64/ARM64/')
CRASH_EXTDIR ?= $(PREFIX)/lib/crash/extensions
HAVE_CRASH := $(wildcard $(CRASH_INC)/defs.h)

all: zdref $(if $(HAVE_CRASH),zdref.so)

$(BUILD)/lib/%.o: lib/%.c $(LIB_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ZD_CFLAGS) $(CFLAGS) -fPIC -c -o $@ $<

$(BUILD)/cli/%.o: cli/%.c $(LIB_HDRS) $(CLI_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ZD_CFLAGS) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags $(CLI_PKGS)) -c -o $@ $<

$(BUILD)/libzdref.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

zdref: $(CLI_OBJS) $(BUILD)/libzdref.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs $(CLI_PKGS))

zdref.so: ext/zdref_crash.c $(LIB_OBJS) $(LIB_HDRS)
	$(CC) $(ZD_CFLAGS) $(CFLAGS) -isystem $(CRASH_INC) -D$(CRASH_TARGET) -DGDB_10_2 \
		-shared -fPIC -rdynamic -Wl,-soname,zdref.so -o $@ ext/zdref_crash.c $(LIB_OBJS)

# Unit tests: the core over a fake host, with ASan and UBSan.
SAN = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
UNIT_TESTS = tests/unit/test_percpu_ref tests/unit/test_xarray tests/unit/test_radix tests/unit/test_eras \
	     tests/unit/test_busy tests/unit/test_live tests/unit/test_registry tests/unit/test_printk tests/unit/test_names \
	     tests/unit/test_sections tests/unit/test_model
UNIT_SUPPORT = tests/unit/fakehost.c tests/common/tables.c

tests/unit/%: tests/unit/%.c $(UNIT_SUPPORT) tests/unit/fakehost.h tests/common/tables.h $(LIB_SRCS) $(LIB_HDRS)
	$(CC) $(ZD_CFLAGS) -Ilib -O1 -g $(SAN) -o $@ $< $(UNIT_SUPPORT) $(LIB_SRCS) \
		$(shell $(PKG_CONFIG) --cflags --libs cmocka)

# Unit tests of the standalone's own sources (no fake host).
CLI_UNIT_TESTS = tests/unit/test_btf tests/unit/test_kallsyms

tests/unit/test_btf: tests/unit/test_btf.c cli/btf_types.c cli/btf_types.h lib/error.c
	$(CC) $(ZD_CFLAGS) -Icli -O1 -g $(SAN) -o $@ tests/unit/test_btf.c cli/btf_types.c \
		lib/error.c $(shell $(PKG_CONFIG) --cflags --libs cmocka libbpf)

tests/unit/test_kallsyms: tests/unit/test_kallsyms.c cli/kallsyms.c cli/kallsyms.h lib/error.c
	$(CC) $(ZD_CFLAGS) -Icli -O1 -g $(SAN) -o $@ tests/unit/test_kallsyms.c cli/kallsyms.c \
		lib/error.c $(shell $(PKG_CONFIG) --cflags --libs cmocka)

# The standalone with sanitizers, for the bad-input tests.
$(BUILD)/zdref-asan: $(LIB_SRCS) $(CLI_SRCS) $(LIB_HDRS) $(CLI_HDRS)
	@mkdir -p $(BUILD)
	$(CC) $(ZD_CFLAGS) -O1 -g $(SAN) $(shell $(PKG_CONFIG) --cflags $(CLI_PKGS)) \
		-o $@ $(LIB_SRCS) $(CLI_SRCS) $(shell $(PKG_CONFIG) --libs $(CLI_PKGS))

unit: $(UNIT_TESTS) $(CLI_UNIT_TESTS)
	@for t in $(UNIT_TESTS) $(CLI_UNIT_TESTS); do ./$$t || exit 1; done

# Fuzzing (tests/fuzz/README.md): `make fuzz` runs every libFuzzer target
# time-boxed (clang); `make fuzz-replay` replays the corpus and every past
# finding under ASan+UBSan with gcc, and is part of `make check`.
FUZZ_SECONDS ?= 60

fuzz:
	tests/fuzz/run.sh $(FUZZ_SECONDS)

fuzz-replay:
	tests/fuzz/replay.sh

check: all unit fuzz-replay $(BUILD)/zdref-asan
	tests/run-all.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 755 zdref $(DESTDIR)$(BINDIR)/zdref
	install -m 644 doc/zdref.1 $(DESTDIR)$(MANDIR)/man1/zdref.1
	$(if $(HAVE_CRASH),install -d $(DESTDIR)$(CRASH_EXTDIR))
	$(if $(HAVE_CRASH),install -m 644 zdref.so $(DESTDIR)$(CRASH_EXTDIR)/zdref.so)

clean:
	rm -rf $(BUILD) zdref zdref.so $(UNIT_TESTS) $(CLI_UNIT_TESTS) tests/fuzz/out

.PHONY: all unit check install clean fuzz fuzz-replay
