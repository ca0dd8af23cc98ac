#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, host part: what `prtop host` costs a process that discards
# memory in a loop (tools/madvloop: write 256 KiB, madvise(MADV_DONTNEED),
# again), side by side in one run, rotating order:
#   base      no prtop
#   nofault   prtop host --no-refaults: discards only, no refaults
#   filtered  prtop host finding VMMs by name, refaults by PAGEMAP_SCAN at
#             each sample (the default where the kernel has it): madvloop is
#             no VMM, each of its discard calls meets a bit test in BPF and
#             its faults nothing at all
#   watched   prtop host --pid madvloop, the same: every discard counted and
#             its pages marked, its chunks scanned once a sample (what a VMM
#             pays)
#   filtered_f, watched_f  the same with PRTOP_HOST_REFAULTS=faults: a
#             program on every user page fault of every process (the method
#             of kernels before 6.7)
# Ratios are per round (mode / base of the same round); the median and the
# range over the rounds are printed, and prtop host's own CPU time.
. tests/lib.sh
ROUNDS=${HOST_ROUNDS:-12}
SECS=${HOST_SECS:-4}
MODES="base nofault filtered watched filtered_f watched_f"
mount_kernel_fs
tmp=$(mktemp -d)
pp=
trap 'kill $pp 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

# cpu_ns PID: CPU time of PID's threads so far (ns, /proc/PID/task/*/schedstat)
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f\n", t }'
}

# one_run MODE: madvloop's ops/s beside prtop host in MODE, and prtop's
# CPU time (ns) over madvloop's run
one_run() {
	pp=
	"$TOOLS/madvloop" -s "$SECS" -w 2 >"$tmp/out" 2>&1 &
	mp=$!
	i=0
	while ! grep -q '^pid:' "$tmp/out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	case $1 in
	nofault) "$PRTOP" host -b --no-refaults 1 >/dev/null 2>"$tmp/err" & pp=$! ;;
	filtered) "$PRTOP" host -b 1 >/dev/null 2>"$tmp/err" & pp=$! ;;
	watched) "$PRTOP" host -b -p "$mp" 1 >/dev/null 2>"$tmp/err" & pp=$! ;;
	filtered_f) PRTOP_HOST_REFAULTS=faults "$PRTOP" host -b 1 >/dev/null 2>"$tmp/err" & pp=$! ;;
	watched_f) PRTOP_HOST_REFAULTS=faults "$PRTOP" host -b -p "$mp" 1 >/dev/null 2>"$tmp/err" & pp=$! ;;
	esac
	# madvloop waits 2 s, then works: prtop's CPU is counted over the work
	sleep 2
	t0=0
	[ -n "$pp" ] && t0=$(cpu_ns $pp)
	wait $mp
	t1=0
	if [ -n "$pp" ]; then
		t1=$(cpu_ns $pp)
		kill -0 $pp 2>/dev/null || echo "prtop host did not run: $(head -c 200 "$tmp/err")" >"$tmp/$1.failed"
		kill -TERM $pp
		wait $pp 2>/dev/null
	fi
	echo "$(sed -n 's/^ops_per_s: //p' "$tmp/out") $((${t1:-0} - ${t0:-0}))"
}

echo "prtop host overhead: madvloop (256 KiB write + MADV_DONTNEED), $SECS s a run, $ROUNDS rounds"
r=0
while [ $r -lt "$ROUNDS" ]; do
	# rotate the order: each mode runs first, second, ... in turn
	order=$(echo "$MODES" | awk -v k=$((r % 6)) '{ for (i = 0; i < NF; i++) printf "%s ", $(((i + k) % NF) + 1) }')
	for m in $order; do eval "v_$m=\$(one_run $m)"; done
	# shellcheck disable=SC2154 # set by the eval above
	echo "$v_base $v_nofault $v_filtered $v_watched $v_filtered_f $v_watched_f" >>"$tmp/rounds"
	r=$((r + 1))
done
python3 - "$tmp/rounds" "$tmp" "$SECS" <<'PYEOF'
import os, statistics, sys
secs = float(sys.argv[3])
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 12]
if not rows:
    print("no complete rounds"); sys.exit(0)
print("%-36s %8s %6s  %-20s %s" % ("mode", "ops/s", "ratio", "range, stddev", "prtop CPU"))
print("%-36s %8.0f %6.3f" % ("no prtop", statistics.median(r[0] for r in rows), 1))
for i, (m, label) in enumerate((("nofault", "prtop host --no-refaults"),
                                 ("filtered", "scan: not a VMM (filtered)"),
                                 ("watched", "scan: --pid (watched)"),
                                 ("filtered_f", "faults: not a VMM (filtered)"),
                                 ("watched_f", "faults: --pid (watched)")), 1):
    f = os.path.join(sys.argv[2], m + ".failed")
    if os.path.exists(f):
        print("%-36s %8s %6s  (%s)" % (label, "-", "n/a", open(f).read().strip())); continue
    rat = [r[2 * i] / r[0] for r in rows if r[0] > 0]
    sd = 100 * statistics.stdev(rat) / statistics.mean(rat) if len(rat) > 1 else 0
    cpu = statistics.median(r[2 * i + 1] for r in rows) / 1e6 / secs
    print("%-36s %8.0f %6.3f  %.3f..%.3f ±%.1f %%  %.1f ms/s" % (label, statistics.median(r[2 * i] for r in rows),
          statistics.median(rat), min(rat), max(rat), sd, cpu))
PYEOF
