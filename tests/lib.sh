# SPDX-License-Identifier: GPL-2.0
# Sourced by tests/test_*.sh.  Every check prints one line:
#   "ok - NAME" or "not ok - NAME: why"; tests/run.sh counts them.
# Scripts run from the repository's top directory.

PRTOP=${PRTOP:-./build/prtop}
PRTOP_STATIC=${PRTOP_STATIC:-./build-static/prtop}
TOOLS=${TOOLS:-./build/tools}
# downloads, built kernels and guest runs: outside the clone, so that other
# clones and later runs on this machine reuse them
CACHE=${PRTOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prtop}

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }

# check NAME CMD...: ok when CMD succeeds
check() {
	_name=$1
	shift
	if "$@"; then ok "$_name"; else not_ok "$_name"; fi
}

# json_get FILE EXPR: evaluate a python expression on the JSON document `d`
json_get() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

# require CMD...: skip-as-failure with a clear reason when a tool is missing
require() {
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || { not_ok "required tool '$_c' is missing (run: sh tools/deps.sh test)"; exit 0; }
	done
}

mount_kernel_fs() {
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug 2>/dev/null
	mountpoint -q /sys/kernel/tracing || mount -t tracefs none /sys/kernel/tracing 2>/dev/null
	mountpoint -q /sys/fs/bpf || mount -t bpf none /sys/fs/bpf 2>/dev/null
	return 0
}

# prog_names: every BPF program prtop (guest: $SKEL) and prtop host
# ($HOST_SKEL) can load, from the skeletons they were built with, each as
# bpftool may print it: the kernel keeps 15 characters of a name, and
# bpftool prints a longer one in full from the program's BTF (or, without
# BTF, the kernel's 15), so a name over 15 characters is listed both ways
prog_names() {
	sed -n 's/.*progs\[[0-9]*\]\.name = "\(.*\)";/\1/p' "${SKEL:-./build/prtop.skel.h}" \
		"${HOST_SKEL:-./build/host.skel.h}" 2>/dev/null |
		awk '{ print } length($0) > 15 { print substr($0, 1, 15) }' | sort -u
}

# prog_count: prtop's and prtop host's BPF programs loaded now (by any
# prtop process), matched by whole name
prog_count() {
	_pat=$(prog_names | sed 's/^/name /; s/$/$/' | paste -sd'|' -)
	[ -n "$_pat" ] || { echo 0; return; }
	bpftool prog show 2>/dev/null | grep -o 'name [A-Za-z0-9_]*' | grep -cE "$_pat"
}

# leak_state: what could outlive a prtop process: pinned BPF objects and
# kprobe/uprobe event definitions (programs held only by prtop's fds are
# freed by the kernel whatever way prtop dies; these are not)
leak_state() {
	ls -A /sys/fs/bpf 2>/dev/null
	cat /sys/kernel/tracing/kprobe_events /sys/kernel/tracing/uprobe_events 2>/dev/null
}

# wait_for SECONDS CMD...: poll every 0.2 s until CMD succeeds
wait_for() {
	_n=$(($1 * 5))
	shift
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

# programs_gone BASE: true once prog_count is back at BASE; the kernel frees
# programs after an RCU grace period, so this allows up to 3 s
programs_gone() {
	wait_for 3 test_prog_count "$1"
}
test_prog_count() { [ "$(prog_count)" -eq "$1" ]; }

# expect_fail NAME RC PATTERN CMD...: CMD exits RC and says PATTERN on
# stderr in at most two lines, within 20 s (uses the caller's $tmp directory)
expect_fail() {
	_name=$1
	_rc=$2
	_pat=$3
	shift 3
	# a command that should stop at once must never hang the suite
	timeout 20 "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	_got=$?
	if [ $_got -eq "$_rc" ] && grep -q "$_pat" "$tmp/err" && [ "$(wc -l <"$tmp/err")" -le 2 ]; then
		ok "$_name"
	else
		not_ok "$_name: exit $_got, stderr: $(head -c 300 "$tmp/err")"
	fi
}

# start_watchdog SECS NAME: never hang; after SECS say so and kill this
# script (its EXIT trap cleans up).  stop_watchdog ends it.
start_watchdog() {
	( sleep "$1"; echo "not ok - $2: watchdog fired after $1 s"; kill $$ ) &
	watchdog=$!
}

# The watchdog's shell goes first: killed after its sleep, it could wake, say
# "watchdog fired" and kill a test that had already finished.
stop_watchdog() {
	if [ -n "${watchdog:-}" ]; then
		_kids=$(pgrep -P "$watchdog")
		kill "$watchdog" 2>/dev/null
		# shellcheck disable=SC2086
		[ -z "$_kids" ] || kill $_kids 2>/dev/null
		watchdog=
	fi
}

# kernel_expect TMPDIR: what this kernel allows, found without prtop, in
#   want_kprobe  yes/no  the kprobe PMU in sysfs (or legacy kprobe_events)
#   want_fentry  yes/no  bpftool loads the smallest fentry program
#   want_patch   yes/no  the bundled patch's tracepoints are in the BTF
#   drain        the drain's kallsyms name (a clone such as .isra.0), or ""
#   want_worker  the worker probe's best source: patch_tracepoint, fentry,
#                kprobe or tracepoint
#   want_report  yes/no  some layer can observe the device's report()
kernel_expect() {
	if [ -e /sys/bus/event_source/devices/kprobe ] || [ -w /sys/kernel/tracing/kprobe_events ]; then
		want_kprobe=yes
	else
		want_kprobe=no
	fi
	want_fentry=no
	_arch=$(uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
	if clang -g -O2 -target bpf -D__TARGET_ARCH_$_arch -Ivmlinux -c tests/probe/fentry.bpf.c \
		-o "$1/fentry.o" 2>"$1/fentry.err"; then
		_pin=/sys/fs/bpf/prtop_test_fentry_$$
		if bpftool prog load "$1/fentry.o" "$_pin" 2>>"$1/fentry.err"; then
			want_fentry=yes
			rm -f "$_pin"
		fi
	fi
	drain=$(awk '$3 ~ /^page_reporting_drain(\.|$)/ {print $3; exit}' /proc/kallsyms)
	# the series' v3 work event, quoted: v2's work_start (never upstream) is not it
	if bpftool btf dump file /sys/kernel/btf/vmlinux 2>/dev/null | grep -q "'btf_trace_page_reporting_work'"; then
		want_patch=yes
	else
		want_patch=no
	fi
	if [ "$want_patch" = yes ]; then
		want_worker=patch_tracepoint
	elif [ "$want_fentry" = yes ]; then
		want_worker=fentry
	elif [ "$want_kprobe" = yes ]; then
		want_worker=kprobe
	else
		want_worker=tracepoint
	fi
	case "$want_patch$want_fentry$want_kprobe" in
	nonono) want_report=no ;;
	*) want_report=yes ;;
	esac
}

# caps_check NAME PID LOG: after attaching, PID's effective, permitted and
# bounding sets hold exactly the capabilities its LOG line "capabilities
# kept: ..." names (none: all zero), and no_new_privs is set
caps_check() {
	_msg=$(python3 - "$2" "$3" <<'PY'
import re, sys
names = {"CAP_SYS_ADMIN": 21, "CAP_SYS_PTRACE": 19, "CAP_BPF": 39, "CAP_PERFMON": 38}
log = open(sys.argv[2]).read()
m = re.search(r"capabilities kept(?: after attaching)?: (.*)", log)
if not m:
    print("no 'capabilities kept' line in its log"); sys.exit()
want = 0
for n in re.findall(r"CAP_[A-Z_]+", m.group(1)):
    want |= 1 << names.get(n, 63)
st = dict(l.split(":", 1) for l in open("/proc/%s/status" % sys.argv[1]) if ":" in l)
have = {k: int(st[k].strip(), 16) for k in ("CapEff", "CapPrm", "CapBnd")}
bad = [k for k, v in have.items() if v != want]
if bad or st["NoNewPrivs"].strip() != "1":
    print("want %x, has %s, NoNewPrivs %s" % (want, " ".join("%s %x" % kv for kv in have.items()), st["NoNewPrivs"].strip()))
else:
    print("OK CapEff %016x (kept: %s)" % (have["CapEff"], m.group(1).strip()))
PY
)
	case $_msg in
	OK*) ok "$1: $_msg" ;;
	*) not_ok "$1: $_msg" ;;
	esac
}

# scrape_rounds PORT N FILE: N rounds, a second apart, of a /metrics scrape
# (the last kept in FILE), an OpenMetrics one, /healthz and a 404 on the
# exporter at 127.0.0.1:PORT; prints how many /metrics scrapes succeeded
scrape_rounds() {
	_ok=0 _i=0
	while [ $_i -lt "$2" ]; do
		curl -sf -o "$3" "http://127.0.0.1:$1/metrics" && _ok=$((_ok + 1))
		curl -sf -o /dev/null -H 'Accept: application/openmetrics-text' "http://127.0.0.1:$1/metrics"
		curl -s -o /dev/null "http://127.0.0.1:$1/healthz"
		curl -s -o /dev/null "http://127.0.0.1:$1/nope"
		sleep 1
		_i=$((_i + 1))
	done
	echo "$_ok"
}

# The kernel's own count of worker runs (this vendor kernel's `passes`):
# passes_quiet [TRIES] waits, up to 3 s x (TRIES=6) + 3 s, until it has stood still for 3 s,
# so that no run in flight falls on either side of a window's edge
PASSES=/sys/module/page_reporting/parameters/passes
passes_settled() {
	_a=$(cat "$PASSES"); sleep 3; [ "$_a" = "$(cat "$PASSES")" ]
}
passes_quiet() {
	_i=0
	while ! passes_settled && [ $_i -lt "${1:-6}" ]; do _i=$((_i + 1)); done
}

# a TCP port free on 127.0.0.1 now (the kernel picks it)
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# unwrapped FILE: text output with its wrapped lines (continuations start
# with a space) joined back to the line they continue, for grep
unwrapped() {
	awk '/^ / && NR > 1 { sub(/^ +/, " "); printf "%s", $0; next }
		{ if (NR > 1) print ""; printf "%s", $0 } END { print "" }' "$1"
}
