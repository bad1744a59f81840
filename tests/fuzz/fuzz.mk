# SPDX-License-Identifier: GPL-2.0-or-later
# The fuzz targets, from the repository root:
#
#   make -f tests/fuzz/fuzz.mk FLAVOR=libfuzzer   clang, -fsanitize=fuzzer,address,undefined
#   make -f tests/fuzz/fuzz.mk FLAVOR=replay      $(CC) (gcc), -fsanitize=address,undefined,
#                                                 with tests/fuzz/replay_main.c as main()
#   make -f tests/fuzz/fuzz.mk seeds              rewrite the generated seeds of corpus/
#
# The top Makefile is included for LIB_SRCS, ZD_CFLAGS and PKG_CONFIG, so
# the targets always build the library the project builds.  Everything
# goes to tests/fuzz/out/FLAVOR/.

include Makefile

FUZZ := tests/fuzz
FLAVOR ?= replay
FOUT := $(FUZZ)/out/$(FLAVOR)
FOBJ := $(FOUT)/obj

FUZZ_TARGETS := fuzz_flattened fuzz_walkers fuzz_sections fuzz_kallsyms \
		fuzz_btf fuzz_args fuzz_dumpcheck fuzz_printk fuzz_names

ifeq ($(FLAVOR),libfuzzer)
FUZZ_CC ?= clang
FUZZ_SAN_CC := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_SAN_LD := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_DRIVER :=
else ifeq ($(FLAVOR),replay)
FUZZ_CC ?= $(CC)
FUZZ_SAN_CC := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_SAN_LD := $(FUZZ_SAN_CC)
FUZZ_DRIVER := $(FOBJ)/fuzz/replay_main.o
else
$(error FLAVOR=$(FLAVOR): want libfuzzer or replay)
endif

FUZZ_CFLAGS := $(ZD_CFLAGS) -Ilib -Icli -O1 -g -fno-omit-frame-pointer \
	       $(FUZZ_SAN_CC) -MMD -MP
BPF_CFLAGS = $(shell $(PKG_CONFIG) --cflags libbpf)
BPF_LIBS = $(shell $(PKG_CONFIG) --libs libbpf)
CLI_PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(CLI_PKGS))
CLI_PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(CLI_PKGS))

FUZZ_LIB_OBJS := $(LIB_SRCS:%.c=$(FOBJ)/%.o)
# fuzz_args: main.c renamed, sources.c and kdump_memory.c stubbed (no files
# are opened), every other standalone source from an archive.
FUZZ_CLI_SRCS := $(filter-out cli/main.c cli/sources.c cli/kdump_memory.c,$(CLI_SRCS))
FUZZ_CLI_LIB := $(FOBJ)/libcli.a
FUZZ_HOST_OBJ := $(FOBJ)/fuzz/fuzzhost.o $(FOBJ)/common/tables.o
ERROR_OBJ := $(FOBJ)/lib/error.o

.DEFAULT_GOAL := fuzz-targets
fuzz-targets: $(FUZZ_TARGETS:%=$(FOUT)/%)

$(FOBJ)/lib/%.o: lib/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FOBJ)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CLI_PKG_CFLAGS) -c -o $@ $<

$(FUZZ_CLI_LIB): $(FUZZ_CLI_SRCS:%.c=$(FOBJ)/%.o)
	rm -f $@
	$(AR) rcs $@ $^

# The standalone's main(), renamed so that fuzz_args can call it.
$(FOBJ)/cli/main_as_zdref_main.o: cli/main.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(CLI_PKG_CFLAGS) -Dmain=zdref_main -c -o $@ $<

$(FOBJ)/common/%.o: tests/common/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FOBJ)/fuzz/%.o: $(FUZZ)/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(BPF_CFLAGS) -c -o $@ $<

FUZZ_LINK = $(FUZZ_CC) $(FUZZ_SAN_LD) -g -o $@ $^

$(FOUT)/fuzz_flattened: $(FOBJ)/fuzz/fuzz_flattened.o $(FOBJ)/cli/flattened.o \
			$(ERROR_OBJ) $(FUZZ_DRIVER)
	$(FUZZ_LINK)

$(FOUT)/fuzz_dumpcheck: $(FOBJ)/fuzz/fuzz_dumpcheck.o $(FOBJ)/cli/dumpcheck.o \
			$(FOBJ)/cli/flattened.o $(ERROR_OBJ) $(FUZZ_DRIVER)
	$(FUZZ_LINK)

$(FOUT)/fuzz_walkers: $(FOBJ)/fuzz/fuzz_walkers.o $(FUZZ_HOST_OBJ) \
		      $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER)
	$(FUZZ_LINK)

$(FOUT)/fuzz_names: $(FOBJ)/fuzz/fuzz_names.o $(FUZZ_HOST_OBJ) \
		    $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER)
	$(FUZZ_LINK)

$(FOUT)/fuzz_printk: $(FOBJ)/fuzz/fuzz_printk.o $(FUZZ_HOST_OBJ) \
		     $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER)
	$(FUZZ_LINK)

$(FOUT)/fuzz_sections: $(FOBJ)/fuzz/fuzz_sections.o $(FUZZ_HOST_OBJ) \
		       $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER)
	$(FUZZ_LINK)

$(FOUT)/fuzz_kallsyms: $(FOBJ)/fuzz/fuzz_kallsyms.o $(FOBJ)/cli/kallsyms.o \
		       $(ERROR_OBJ) $(FUZZ_DRIVER)
	$(FUZZ_LINK)

$(FOUT)/fuzz_btf: $(FOBJ)/fuzz/fuzz_btf.o $(FOBJ)/cli/btf_types.o \
		  $(FUZZ_HOST_OBJ) $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER)
	$(FUZZ_LINK) $(BPF_LIBS)

$(FOUT)/fuzz_args: $(FOBJ)/fuzz/fuzz_args.o $(FOBJ)/cli/main_as_zdref_main.o \
		   $(FUZZ_HOST_OBJ) $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER) $(FUZZ_CLI_LIB)
	$(FUZZ_LINK) $(CLI_PKG_LIBS)

# The seed generator (any flavor; run it from the replay one).
$(FOUT)/gen_seeds: $(FOBJ)/fuzz/gen_seeds.o $(FUZZ_HOST_OBJ) $(ERROR_OBJ)
	$(FUZZ_LINK) $(BPF_LIBS)

seeds: $(FOUT)/gen_seeds
	$(FOUT)/gen_seeds $(FUZZ)/corpus

-include $(shell find $(FOBJ) -name '*.d' 2>/dev/null)

.PHONY: fuzz-targets seeds
