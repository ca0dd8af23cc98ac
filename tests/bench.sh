#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench: prtop's overhead, measured side by side in one run.
#   page_fault1-style throughput (tools/pf1) with no prtop, with prtop's
#   default probes, and with the opt-in exact reuse hook (--reuse-exact),
#   interleaved in rotating order; medians and ratios to the baseline.
#   Startup: time from exec to attached (startup_ms) and to first data.
. tests/lib.sh
ROUNDS=${ROUNDS:-7}
SECS=${SECS:-3}
PROCS=${PROCS:-$(nproc)}
mount_kernel_fs
tmp=$(mktemp -d)
trap 'kill $ppid 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

run_mode() {
	ppid=
	case $1 in
	default) "$PRTOP" stat --json -d 3600 >/dev/null 2>&1 & ppid=$! ;;
	exact) "$PRTOP" stat --json --reuse-exact -d 3600 >/dev/null 2>&1 & ppid=$! ;;
	esac
	[ -n "$ppid" ] && sleep 1
	"$TOOLS/pf1" -p "$PROCS" -s "$SECS" | awk '{print $3}' >>"$tmp/$1"
	if [ -n "$ppid" ]; then
		kill -TERM $ppid
		wait $ppid 2>/dev/null
	fi
}

median() { sort -n "$1" | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "page_fault1-style: $PROCS processes, $SECS s a run, $ROUNDS rounds, rotating order"
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
b=$(median "$tmp/base")
d=$(median "$tmp/default")
e=$(median "$tmp/exact")
printf '%-28s %14s %8s\n' "mode" "faults/s (med)" "ratio"
printf '%-28s %14.0f %8.3f\n' "no prtop" "$b" 1
printf '%-28s %14.0f %8.3f\n' "prtop (default probes)" "$d" "$(echo "$d / $b" | bc -l)"
printf '%-28s %14.0f %8.3f\n' "prtop --reuse-exact" "$e" "$(echo "$e / $b" | bc -l)"

echo
echo "startup (5 runs of 'prtop stat --json -d 0.2'):"
i=0
while [ $i -lt 5 ]; do
	s=$(date +%s%N)
	"$PRTOP" stat --json -d 0.2 >"$tmp/s.json"
	e2=$(date +%s%N)
	echo "$(json_get "$tmp/s.json" 'd["startup_ms"]') $(((e2 - s) / 1000000))" >>"$tmp/startup"
	i=$((i + 1))
done
awk '{print $1}' "$tmp/startup" >"$tmp/st1"
awk '{print $2}' "$tmp/startup" >"$tmp/st2"
echo "  exec -> attached: median $(median "$tmp/st1") ms"
echo "  exec -> first JSON out (incl. 200 ms window): median $(median "$tmp/st2") ms"
sh tests/bench_export.sh
