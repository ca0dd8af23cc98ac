#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: prtop's overhead, measured side by side in one run.
#   page_fault1-style throughput (tools/pf1) with no prtop, with prtop's
#   default probes, and with the opt-in exact reuse hook (--reuse-exact),
#   interleaved in rotating order; medians and ratios to the baseline.
#   Start-up and memory: tests/bench_startup.sh (this build beside the
#   previous one and a bpftrace one-liner).  Then the exporter, the host,
#   the guest (tests/bench_guest.sh) and the time to return in the patched
#   guests beside QEMU's RSS (tests/bench_return_guest.sh).  ROUNDS=0 skips pf1;
#   BENCH_STARTUP_ONLY=1 stops after start-up and memory.
. tests/lib.sh
ROUNDS=${ROUNDS:-7}
SECS=${SECS:-3}
PROCS=${PROCS:-$(nproc)}
mount_kernel_fs
tmp=$(mktemp -d)
trap 'kill $ppid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

# run_mode MODE: one pf1 run beside prtop in MODE (base: no prtop).  A prtop
# that did not attach, or did not exit 0, spoils the mode: its numbers would
# read as "no overhead", so the mode's ratio is refused instead.
run_mode() {
	ppid=
	case $1 in
	default) "$PRTOP" stat --json -d 3600 >/dev/null 2>"$tmp/$1.err" & ppid=$! ;;
	exact) "$PRTOP" stat --json --reuse-exact -d 3600 >/dev/null 2>"$tmp/$1.err" & ppid=$! ;;
	esac
	if [ -n "$ppid" ]; then
		sleep 1
		if ! kill -0 $ppid 2>/dev/null || [ "$(prog_count)" -le "$base_progs" ]; then
			echo "prtop not attached: $(head -c 200 "$tmp/$1.err")" >"$tmp/$1.failed"
		fi
	fi
	"$TOOLS/pf1" -t "$PROCS" -s "$SECS" -w 1 | sed -n "s/^average://p" >>"$tmp/$1"
	if [ -n "$ppid" ]; then
		kill -TERM $ppid
		wait $ppid 2>/dev/null || echo "prtop exited $?: $(head -c 200 "$tmp/$1.err")" >"$tmp/$1.failed"
	fi
}

# ratio MODE: its median over the baseline's, or why there is none
ratio() {
	if [ -s "$tmp/$1.failed" ]; then
		printf '%-28s %14s %8s  (%s)\n' "$2" "-" "n/a" "$(cat "$tmp/$1.failed")"
		return
	fi
	printf '%-28s %14.0f %8.3f\n' "$2" "$(median "$tmp/$1")" "$(echo "$(median "$tmp/$1") / $b" | bc -l)"
}

median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

base_progs=$(prog_count)
[ "$ROUNDS" -gt 0 ] && echo "page_fault1-style: $PROCS processes, $SECS s a run, $ROUNDS rounds, rotating order"
r=0
while [ $r -lt "$ROUNDS" ]; do
	case $((r % 3)) in
	0) order="base default exact" ;;
	1) order="default exact base" ;;
	*) order="exact base default" ;;
	esac
	for m in $order; do run_mode $m; done
	r=$((r + 1))
done
if [ "$ROUNDS" -gt 0 ]; then
	b=$(median "$tmp/base")
	printf '%-28s %14s %8s\n' "mode" "faults/s (med)" "ratio"
	printf '%-28s %14.0f %8.3f\n' "no prtop" "$b" 1
	ratio default "prtop (default probes)"
	ratio exact "prtop --reuse-exact"
fi

echo
# let the reporting worker finish with the memory pf1 freed: a busy worker
# and zone locks are not what start-up costs on a quiet machine
[ "$ROUNDS" -gt 0 ] && sleep 8
sh tests/bench_startup.sh
[ -n "$BENCH_STARTUP_ONLY" ] && exit 0
echo
sh tests/bench_export.sh
echo
sh tests/bench_host.sh
sh tests/bench_guest.sh
sh tests/bench_return_guest.sh
