# SPDX-License-Identifier: GPL-2.0
#
# make            build ./prtop (dynamic) from bpf/, src/, include/
# make STATIC=1   build build-static/prtop, a static binary for initramfs guests
# make SANITIZE=1 build build-san/prtop and build-san/unit with ASan and UBSan
# make deps       install missing Debian packages (build)
# make check      the hermetic unit tests: no root, no BPF, no packages installed
# make test       deps, build both with -Werror, run every test (closing line: N passed, N failed)
# make bench      overhead and latency ratios, measured side by side
# make soak       1 h of the live view and the exporter under churn (not in CI)
# make fuzz       every libFuzzer target for FUZZ_SECS (default 60) seconds
# make mutate     break one figure at a time (tests/mutants/) and run the tests
#                 that must notice: caught or SURVIVED per mutant, the kill ratio
# make run        deps, build, run the live view on this machine
# make install    prtop, man pages (scdoc), bash completion, systemd units and
#                 /usr/share/prtop's deploy files under $(DESTDIR)$(PREFIX)
# make mixin      render deploy/prtop-alerts.yml and deploy/grafana-prtop.json
#                 from deploy/mixin/ (jsonnet); tests/test_deploy.sh checks
#                 that the committed files are what it renders

CLANG ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
CC ?= cc
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')

ifeq ($(SANITIZE),1)
# make SANITIZE=1: build-san/, the same program with ASan and UBSan; any
# report ends the process (UBSan does not recover)
OUT := build-san
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS += $(SAN_FLAGS)
# no libvirt here: ASan's xdr_* interceptors take libtirpc's calls from
# libvirt.so.0 to glibc's old SunRPC, whose XDR is another layout (a crash)
SAN_DEFS := -DPRTOP_NO_LIBVIRT
LIBS := -lbpf -lelf -lz -ljson-c -lncursesw -ltinfo -lcap-ng -lpthread -lm
PLOT := 1
else ifeq ($(STATIC),1)
OUT := build-static
LDFLAGS += -static
LIBS := -lbpf -lelf -lz -lzstd -ljson-c -lncursesw -ltinfo -lcap-ng -lm
# no `prtop report --svg` here (cairo has no static archive): a recording made
# by the static binary in a guest is plotted on the host
PLOT := 0
else
OUT := build
LIBS := -lbpf -lelf -lz -ljson-c -lncursesw -ltinfo -lcap-ng -lpthread -lm
PLOT := 1
endif

CFLAGS ?= -O2 -g
CFLAGS += $(SAN_FLAGS) $(SAN_DEFS)
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Iinclude -I$(OUT) -D_GNU_SOURCE \
	  -MMD -MP
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -Iinclude -Ivmlinux \
	      -Wall -Wno-unused-function
# make test (and so CI) builds with WERROR=1: a new warning fails the run
ifeq ($(WERROR),1)
CFLAGS += -Werror
BPF_CFLAGS += -Werror
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
SRCS := $(wildcard src/*.c)
ifneq ($(PLOT),1)
SRCS := $(filter-out src/plot.c src/dynlib.c,$(SRCS))
CFLAGS += -DPRTOP_NO_PLOT
CFLAGS += -DPRTOP_NO_DYNLIB
endif
OBJS := $(patsubst src/%.c,$(OUT)/%.o,$(SRCS))
# the unit tests link only the pure parts: no skeleton, no BTF, no root
UNIT_MODS := backlog diagnose format hist history host_metrics host_proc host_report http_parse knob knob_persist cmd_knob metric_table metrics plan \
	     caps_cache ksyms_cache procfs record report reuse route stats text usage
UNIT_OBJS := $(patsubst %,$(OUT)/%.o,$(filter $(UNIT_MODS),$(patsubst src/%.c,%,$(SRCS))))
UNIT_SRCS := $(wildcard tests/unit/*.c)
TOOLS := $(patsubst tools/%.c,$(OUT)/tools/%,$(wildcard tools/*.c))

.PHONY: all deps test-deps check test bench soak fuzz fuzz-build mutate run clean format \
	install man mixin FORCE
.DELETE_ON_ERROR:
.SECONDARY:

all: $(OUT)/prtop $(TOOLS)
ifeq ($(OUT),build)
all: prtop
prtop: $(OUT)/prtop
	ln -sf $(OUT)/prtop prtop
endif

deps:
	@sh tools/deps.sh build

test-deps:
	@sh tools/deps.sh test

vmlinux/vmlinux.h: | $(VMLINUX_BTF)
	@test -r $(VMLINUX_BTF) || { echo "error: $(VMLINUX_BTF) missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF)"; exit 1; }
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@

$(OUT) $(OUT)/tools:
	mkdir -p $@

# every header a BPF object includes comes from its -MMD .d file, as for
# userspace: a struct changed in host.h must rebuild host.bpf.o, or the
# skeleton and userspace stop agreeing on its layout without a word
$(OUT)/%.bpf.o: bpf/%.bpf.c vmlinux/vmlinux.h | $(OUT)
	$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

# headers come from the -MMD .d files; the generated skeleton is named
# here because the first build has no .d file to say so
$(OUT)/%.o: src/%.c | $(OUT)
	$(CC) $(CFLAGS) -c $< -o $@
$(OUT)/collector.o $(OUT)/attach.o $(OUT)/host.o: $(SKELS)

-include $(OBJS:.o=.d) $(OUT)/unit.d $(SKELS:.skel.h=.bpf.d)

# prtop --version names where this build came from: git describe in a git
# checkout (this directory its top), else the version in debian/changelog
PRTOP_DESCRIBE := $(shell [ "$$(git -C '$(CURDIR)' rev-parse --show-toplevel 2>/dev/null)" = '$(CURDIR)' ] && \
		    git -C '$(CURDIR)' describe --always --dirty 2>/dev/null)
ifneq ($(PRTOP_DESCRIBE),)
PRTOP_SOURCE := git $(PRTOP_DESCRIBE)
else
PRTOP_SOURCE := debian/changelog $(shell sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog 2>/dev/null)
endif
$(OUT)/main.o: CFLAGS += -DPRTOP_SOURCE='"$(PRTOP_SOURCE)"'
# rewritten only when the source changes, so main.o is rebuilt exactly then
$(OUT)/main.o: $(OUT)/source.stamp
$(OUT)/source.stamp: FORCE | $(OUT)
	@echo '$(PRTOP_SOURCE)' | cmp -s - $@ || echo '$(PRTOP_SOURCE)' >$@

$(OUT)/prtop: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(OUT)/unit: $(UNIT_SRCS) $(UNIT_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ -ljson-c -lm

$(OUT)/tools/%: tools/%.c | $(OUT)/tools
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< -lpthread

# ---- fuzzing (clang's libFuzzer with ASan and UBSan) ----
FUZZ_TARGETS := kallsyms buddyinfo params kpageflags knob persist record http host
FUZZ_OUT := build-fuzz
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Iinclude -D_GNU_SOURCE -fno-omit-frame-pointer \
	       -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_MODS := $(filter-out cmd_knob,$(UNIT_MODS))
FUZZ_OBJS := $(patsubst %,$(FUZZ_OUT)/%.o,$(FUZZ_MODS))
FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/fuzz_%,$(FUZZ_TARGETS))
FUZZ_SECS ?= 60

$(FUZZ_OUT):
	mkdir -p $@

$(FUZZ_OUT)/%.o: src/%.c | $(FUZZ_OUT)
	$(CLANG) $(FUZZ_CFLAGS) -MMD -MP -fsanitize=fuzzer-no-link -c $< -o $@
-include $(FUZZ_OBJS:.o=.d)

$(FUZZ_OUT)/fuzz_%: tests/fuzz/targets.c $(FUZZ_OBJS)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -DFUZZ_TARGET=$* -o $@ $^ -ljson-c -lm

fuzz-build: $(FUZZ_BINS)

# make fuzz: each target for FUZZ_SECS seconds (default 60), from tests/fuzz/corpus
fuzz: fuzz-build
	sh tests/fuzz/run.sh $(FUZZ_SECS) $(FUZZ_TARGETS)

check: $(OUT)/unit
	./$(OUT)/unit

test: test-deps
	$(MAKE) WERROR=1 all $(OUT)/unit
	$(MAKE) WERROR=1 STATIC=1 all
	$(MAKE) WERROR=1 SANITIZE=1 all build-san/unit
	$(MAKE) fuzz-build
	sh tests/run.sh

soak:
	@sh tools/deps.sh soak
	$(MAKE) all
	sh tests/soak.sh

bench:
	@sh tools/deps.sh bench
	$(MAKE) all
	$(MAKE) STATIC=1 all
	sh tests/bench.sh

# make mutate [MUTANTS='glob'] [MUTATE_BASELINE=1]: see tests/mutate.sh
mutate: test-deps
	sh tests/mutate.sh

run: deps
	$(MAKE) all
	./prtop

# ---- make install [DESTDIR=...] [PREFIX=/usr/local] (debian/rules: PREFIX=/usr) ----
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/prtop
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
MAN_SRCS := $(wildcard man/*.scd)
MANS := $(patsubst man/%.scd,$(OUT)/man/%,$(MAN_SRCS))
UNITS := prtop-exporter prtop-host-exporter

$(OUT)/man:
	mkdir -p $@

$(OUT)/man/%: man/%.scd | $(OUT)/man
	scdoc <$< >$@

man: $(MANS)

install: $(OUT)/prtop $(MANS)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/default
	install -m 0755 $(OUT)/prtop $(DESTDIR)$(SBINDIR)/prtop
	install -m 0644 $(MANS) $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 completion/prtop.bash $(DESTDIR)$(BASHCOMPDIR)/prtop
	install -m 0644 deploy/prtop-alerts.yml deploy/grafana-prtop.json deploy/prometheus.yml \
		$(DESTDIR)$(DATADIR)/
	install -d $(DESTDIR)$(DATADIR)/kubernetes $(DESTDIR)$(DATADIR)/mixin/lib
	install -m 0644 deploy/kubernetes/prtop-host.yaml $(DESTDIR)$(DATADIR)/kubernetes/
	install -m 0644 deploy/mixin/*.libsonnet deploy/mixin/render.jsonnet $(DESTDIR)$(DATADIR)/mixin/
	install -m 0644 deploy/mixin/lib/*.libsonnet $(DESTDIR)$(DATADIR)/mixin/lib/
	for u in $(UNITS); do \
		sed 's|@SBINDIR@|$(SBINDIR)|g; s|@SYSCONFDIR@|$(SYSCONFDIR)|g' deploy/$$u.service \
			>$(DESTDIR)$(UNITDIR)/$$u.service && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.service && \
		install -m 0644 deploy/$$u.default $(DESTDIR)$(SYSCONFDIR)/default/$$u || exit 1; \
	done

# the mixin is the source of the rule file and the dashboard; jsonnet -m
# writes each file only when its text changed
mixin:
	@command -v jsonnet >/dev/null || { echo "error: jsonnet missing (apt-get install jsonnet)"; exit 1; }
	jsonnet -S -m deploy deploy/mixin/render.jsonnet

format:
	clang-format -i src/*.c include/*.h tools/*.c tests/unit/*.c

clean:
	rm -rf build build-static build-san build-fuzz vmlinux/vmlinux.h prtop
