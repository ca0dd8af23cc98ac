#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Start-up and memory, side by side in one run (part of make bench):
#   this build ($PRTOP), the previous one (BASE_REV, default: where this
#   branch left main; built once into a cache directory) and a bpftrace
#   one-liner when bpftrace is installed, RUNS runs each in rotating order;
#   medians with their range, and ratios; /bin/true timed the same way
#   says what starting any process costs on this machine.  Then the live view's and the
#   exporter's resident memory (steady after LIVE_SECS of scrapes every
#   second, and the peak: how much of it start-up reached, and where the
#   exporter's resident memory lives) for both builds, run at the same time.
. tests/lib.sh
RUNS=${RUNS:-9}
LIVE_SECS=${LIVE_SECS:-60}
mount_kernel_fs
tmp=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	tmux -L prtop-bench-$$ kill-server 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

median() { sort -n | awk '{a[NR]=$1} END {if (!NR) print "n/a"; else print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
range() { sort -n | sed -n '1p;$p' | paste -sd- -; }
# col FILE N: column N of FILE
col() { awk -v c="$2" '{print $c}' "$1"; }
ratio() { [ "$1" = n/a ] || [ "$2" = n/a ] && { echo n/a; return; }; echo "$1 $2" | awk '{printf "%.3g", $1 / $2}'; }

# ---- the previous build ----
here=$(git rev-parse HEAD 2>/dev/null)
base_rev=${BASE_REV:-$(git merge-base HEAD main 2>/dev/null)}
[ -n "$base_rev" ] && [ "$(git rev-parse "$base_rev")" = "$here" ] && base_rev=$(git rev-parse HEAD~1)
base_short=$(git rev-parse --short=12 "$base_rev" 2>/dev/null)
BASE=
if [ -n "$base_short" ]; then
	base_dir=${TMPDIR:-/tmp}/prtop-bench-base-$base_short
	if [ ! -x "$base_dir/build/prtop" ]; then
		rm -rf "$base_dir" && mkdir -p "$base_dir"
		git archive "$base_rev" | tar -x -C "$base_dir"
		make -C "$base_dir" -j2 all >"$tmp/base.log" 2>&1 ||
			echo "previous build ($base_short) failed to build: $(tail -n 1 "$tmp/base.log")"
	fi
	[ -x "$base_dir/build/prtop" ] && BASE=$base_dir/build/prtop
fi
BPFTRACE=$(command -v bpftrace)

# Each build has its caches of kallsyms and the kernel types in a directory
# of its own, filled by its first run: a cache is keyed by the build's BPF
# object (whose BTF holds its source path), so two builds sharing one
# replaced each other's at every run and every start was a miss.
# run ARM: one start, timed from exec; a line of figures into $tmp/ARM
#   prtop arms: exec->attached wall ms, peak KB, collector_open->attached ms, phases
#   bpftrace:   exec->attached wall ms, peak KB
run() {
	case $1 in
	new) set -- new "$PRTOP" stat --json 0.2 ;;
	base) set -- base "$BASE" stat --json 0.2 ;;
	null) set -- null /bin/true ;;
	bpftrace) set -- bpftrace "$BPFTRACE" -e 'tracepoint:workqueue:workqueue_execute_start { @runs = count(); } interval:ms:200 { exit(); }' ;;
	esac
	arm=$1
	shift
	s=$(date +%s%N)
	PRTOP_CACHE_DIR="$tmp/cache-$arm" /usr/bin/time -f %M -o "$tmp/peak" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	e=$(date +%s%N)
	if [ $rc -ne 0 ]; then
		echo "$arm: exit $rc: $(head -c 200 "$tmp/err")" >"$tmp/$arm.failed"
		return
	fi
	if [ "$arm" = null ]; then
		echo "$(((e - s) / 1000))" | awk '{printf "%.1f\n", $1 / 1000}' >>"$tmp/$arm"
		return
	fi
	if [ "$arm" = bpftrace ]; then
		# the one-liner's window is its 200 ms interval, from attach
		echo "$(((e - s) / 1000)) $(tail -n 1 "$tmp/peak")" |
			awk '{printf "%.1f %d\n", $1 / 1000 - 200, $2}' >>"$tmp/$arm"
		return
	fi
	# the window (window_s) ends with the closing sample: exec->attached is
	# the wall time less the window, an upper bound by the JSON and detach
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["startup_phases_ms"]
wall = int(sys.argv[2]) / 1000
print("%.1f" % (wall - d["window_s"] * 1000), sys.argv[3], d["startup_ms"],
      *[p[k] for k in ("btf", "kallsyms", "caps", "load", "attach")])
' "$tmp/out" $(((e - s) / 1000)) "$(tail -n 1 "$tmp/peak")" >>"$tmp/$arm"
}

# null: /bin/true timed the same way, what starting any process costs here
arms="new null"
[ -n "$BASE" ] && arms="$arms base"
[ -n "$BPFTRACE" ] && arms="$arms bpftrace"
set -- $arms
n=$#
echo "start-up: $RUNS runs each, rotating order: 'prtop stat --json 0.2' of this build${BASE:+ and the previous one ($base_short)}${BPFTRACE:+, and a bpftrace one-liner (one tracepoint, 200 ms)}"
i=0
while [ $i -lt "$RUNS" ]; do
	k=0
	while [ $k -lt $n ]; do
		j=$(((i + k) % n + 1))
		eval "run \${$j}"
		k=$((k + 1))
	done
	i=$((i + 1))
done

# figures ARM: "exec->attached median (range) peak-median" or n/a with why
med() { [ -s "$tmp/$1" ] && col "$tmp/$1" "$2" | median || echo n/a; }
figures() {
	if [ -s "$tmp/$1.failed" ] || [ ! -s "$tmp/$1" ]; then
		printf '%-30s %s\n' "$2" "n/a ($(cat "$tmp/$1.failed" 2>/dev/null || echo 'not run'))"
		return
	fi
	printf '%-30s %8s ms  (%s)   %6.1f MB   %8s ms\n' "$2" "$(med "$1" 1)" \
		"$(col "$tmp/$1" 1 | range)" "$(med "$1" 2 | awk '{print $1 / 1024}')" \
		"$(echo "$(med "$1" 1) $null" | awk '$2 != "n/a" {printf "%.1f", $1 - $2}')"
}
null=$(med null 1)
echo "                               exec -> attached (median, range)   peak RSS (median)   less /bin/true's start"
figures new "this build"
[ -n "$BASE" ] && figures base "previous build ($base_short)"
if [ -n "$BPFTRACE" ]; then
	figures bpftrace "bpftrace one-liner"
else
	printf '%-30s %s\n' "bpftrace one-liner" "n/a (bpftrace is not installed)"
fi
echo "(/bin/true, timed the same way: $null ms from the shell's clock to its exit: starting a process on this machine)"
# rounds ARM COL: this build's figure over ARM's, round by round (the two
# ran next to each other), one a line; nothing when a run of either failed
rounds() {
	[ "$(wc -l <"$tmp/new")" -eq "$(wc -l <"$tmp/$1")" ] || return 0
	col "$tmp/new" "$2" >"$tmp/r.new"
	col "$tmp/$1" "$2" | paste -d ' ' "$tmp/r.new" - | awk '$2 > 0 {printf "%.3g\n", $1 / $2}'
}
# spread ARM COL: the range of the round-by-round ratios
spread() {
	rounds "$1" "$2" >"$tmp/r.ratios"
	[ -s "$tmp/r.ratios" ] || { echo "(no spread: a run failed)"; return; }
	echo "(rounds $(range <"$tmp/r.ratios"))"
}
for other in base bpftrace; do
	[ -s "$tmp/$other" ] && [ -s "$tmp/new" ] || continue
	printf '%-30s %8s x exec -> attached %s   %s x peak RSS %s\n' "this build / $other" \
		"$(ratio "$(med new 1)" "$(med "$other" 1)")" "$(spread "$other" 1)" \
		"$(ratio "$(med new 2)" "$(med "$other" 2)")" "$(spread "$other" 2)"
done
echo "in-process phases, medians in ms:  this build${BASE:+    previous}"
phase() {
	printf '  %-32s %8s' "$1" "$(med new "$2")"
	[ -n "$BASE" ] && printf ' %12s' "$(med base "$2")"
	echo
}
phase "collector_open -> attached" 3
phase "kernel BTF (cache or parse)" 4
phase "/proc/kallsyms (wait)" 5
phase "capabilities, plan" 6
phase "BPF load (libbpf + verifier)" 7
phase "attach" 8

# ---- memory: the live view in a real terminal, the exporter scraped ----
echo
echo "memory after $LIVE_SECS s (this build${BASE:+ and the previous one, side by side}), steady RSS / peak (VmHWM):"
port=$((20000 + $$ % 20000))
start_mem() { # ARM BIN PORT
	tmux -L prtop-bench-$$ new-session -d -s "live-$1" -x 120 -y 40 \
		"exec env PRTOP_CACHE_DIR=$tmp/cache-$1 $2 -d 1"
	PRTOP_CACHE_DIR="$tmp/cache-$1" "$2" export --listen "127.0.0.1:$3" -d 1 >/dev/null \
		2>"$tmp/export-$1.err" &
	pids="$pids $!"
	echo $! >"$tmp/export-$1.pid"
}
status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null; }
# first_scrape ARM PORT: wait for the first answer; the exporter's peak then
first_scrape() {
	epid=$(cat "$tmp/export-$1.pid")
	i=0
	until curl -s -m 2 -o /dev/null "http://127.0.0.1:$2/metrics"; do
		i=$((i + 1))
		[ $i -lt 50 ] && kill -0 "$epid" 2>/dev/null || return 0
		sleep 0.2
	done
	status_kb "$epid" VmHWM >"$tmp/export-$1.hwm0"
}
start_mem new "$PRTOP" $port
[ -n "$BASE" ] && start_mem base "$BASE" $((port + 1))
first_scrape new $port
[ -n "$BASE" ] && first_scrape base $((port + 1))
t=0
while [ $t -lt "$LIVE_SECS" ]; do
	sleep 1
	curl -s -o /dev/null "http://127.0.0.1:$port/metrics"
	[ -n "$BASE" ] && curl -s -o /dev/null "http://127.0.0.1:$((port + 1))/metrics"
	t=$((t + 1))
done
mem() { # PID: "RSS MB / peak MB"
	if [ -z "$1" ] || [ ! -r "/proc/$1/status" ]; then
		echo "n/a (not running)"
		return
	fi
	awk '/^VmRSS/ {r=$2} /^VmHWM/ {h=$2} END {printf "%5.1f MB / %5.1f MB", r/1024, h/1024}' \
		"/proc/$1/status"
}
# mem_split EPID LPID: the exporter's resident memory by where it lives: files
# the live view does not map (the HTTP library and what it pulls in), the
# other files (prtop, libc, libbpf...), and anonymous memory outside files
# (heap, malloc arenas, thread stacks); a file's copied-on-write pages
# (relocations) count with it
mem_split() {
	awk 'FNR == 1 {f++} /^[0-9a-f]+-[0-9a-f]+ / {n = ($6 ~ /^\//) ? $6 : ""; next}
	f == 1 && n != "" {live[n] = 1}
	f == 2 && /^Rss:/ {
		if (n == "") anon += $2
		else if (n in live) rest += $2
		else {only += $2; sub(/.*\//, "", n); sub(/\.so.*/, "", n); libs[n] = 1}
	}
	END {
		k = 0
		for (l in libs) {
			for (j = ++k; j > 1 && name[j - 1] > l; j--) name[j] = name[j - 1]
			name[j] = l
		}
		for (j = 1; j <= k; j++) names = names (j > 1 ? " " : "") name[j]
		if (names == "") names = "none"
		printf "%.1f MB in files only it maps (%s), %.1f MB other files, %.1f MB anonymous",
			only / 1024, names, rest / 1024, anon / 1024
	}' "/proc/$2/smaps" "/proc/$1/smaps" 2>/dev/null || echo "n/a (not running)"
}
# peak_from ARM EPID: whether the peak was there before any steady scraping
peak_from() {
	h0=$(cat "$tmp/export-$1.hwm0" 2>/dev/null)
	h=$(status_kb "$2" VmHWM)
	[ -n "$h0" ] && [ -n "$h" ] || { echo "n/a"; return; }
	echo "$h0 $h $LIVE_SECS" | awk '{printf "%.1f MB of it reached by its first answer (start-up), %.1f MB more in %d s of scrapes", $1 / 1024, ($2 - $1) / 1024, $3}'
}
show_mem() { # ARM BIN LABEL
	lpid=$(pgrep -f "^$2 -d 1\$" | head -n 1)
	epid=$(cat "$tmp/export-$1.pid")
	printf '  %-30s live view %s   exporter %s\n' "$3" "$(mem "$lpid")" "$(mem "$epid")"
	printf '  %-30s   exporter RSS: %s\n' "" "$(mem_split "$epid" "$lpid")"
	printf '  %-30s   exporter peak: %s\n' "" "$(peak_from "$1" "$epid")"
}
show_mem new "$PRTOP" "this build"
[ -n "$BASE" ] && show_mem base "$BASE" "previous build ($base_short)"
btf=$(stat -c %s /sys/kernel/btf/vmlinux 2>/dev/null)
echo "  a parse of the kernel's BTF ($((btf / 1048576)) MB here) reads it into a buffer and copies it: on a cache miss only"
exit 0
