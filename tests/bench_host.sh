#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, host part: what `prtop host` costs a process that discards
# memory in a loop (tools/madvloop: write 256 KiB, madvise(MADV_DONTNEED),
# again), side by side in one run, rotating order:
#   base     no prtop
#   nofault  prtop host --no-refaults: discards only, no fault probe
#   filtered prtop host finding VMMs by name: madvloop is not one, so each
#            of its syscalls and faults meets one hash lookup in BPF
#   watched  prtop host --pid madvloop: every discard counted and its pages
#            marked, every fault into them looked up (what a VMM pays)
# Ratios are per round (mode / base of the same round); the median and the
# range over the rounds are printed.
. tests/lib.sh
ROUNDS=${HOST_ROUNDS:-12}
SECS=${HOST_SECS:-4}
mount_kernel_fs
tmp=$(mktemp -d)
pp=
trap 'kill $pp 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM

# one_run MODE: madvloop's ops/s beside prtop host in MODE
one_run() {
	pp=
	"$TOOLS/madvloop" -s "$SECS" -w 2 >"$tmp/out" 2>&1 &
	mp=$!
	i=0
	while ! grep -q '^pid:' "$tmp/out" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	case $1 in
	nofault) "$PRTOP" host -b --no-refaults 3600 >/dev/null 2>"$tmp/err" & pp=$! ;;
	filtered) "$PRTOP" host -b 3600 >/dev/null 2>"$tmp/err" & pp=$! ;;
	watched) "$PRTOP" host -b -p "$mp" 3600 >/dev/null 2>"$tmp/err" & pp=$! ;;
	esac
	wait $mp
	if [ -n "$pp" ]; then
		kill -0 $pp 2>/dev/null || echo "prtop host did not run: $(head -c 200 "$tmp/err")" >"$tmp/$1.failed"
		kill -TERM $pp
		wait $pp 2>/dev/null
	fi
	sed -n 's/^ops_per_s: //p' "$tmp/out"
}

echo "prtop host overhead: madvloop (256 KiB write + MADV_DONTNEED), $SECS s a run, $ROUNDS rounds"
r=0
while [ $r -lt "$ROUNDS" ]; do
	case $((r % 4)) in
	0) order="base nofault filtered watched" ;;
	1) order="nofault filtered watched base" ;;
	2) order="filtered watched base nofault" ;;
	*) order="watched base nofault filtered" ;;
	esac
	for m in $order; do eval "v_$m=\$(one_run $m)"; done
	# shellcheck disable=SC2154 # set by the eval above
	echo "$v_base $v_nofault $v_filtered $v_watched" >>"$tmp/rounds"
	r=$((r + 1))
done
python3 - "$tmp/rounds" "$tmp" <<'PYEOF'
import os, statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 4]
if not rows:
    print("no complete rounds"); sys.exit(0)
base = [r[0] for r in rows]
print("%-34s %12s %8s  %s" % ("mode", "ops/s (med)", "ratio", "per-round ratio range, stddev"))
print("%-34s %12.0f %8.3f" % ("no prtop", statistics.median(base), 1))
for i, (m, label) in enumerate((("nofault", "prtop host --no-refaults"),
                                 ("filtered", "prtop host (not a VMM: filtered)"),
                                 ("watched", "prtop host --pid (watched)")), 1):
    f = os.path.join(sys.argv[2], m + ".failed")
    if os.path.exists(f):
        print("%-34s %12s %8s  (%s)" % (label, "-", "n/a", open(f).read().strip())); continue
    rat = [r[i] / r[0] for r in rows if r[0] > 0]
    sd = 100 * statistics.stdev(rat) / statistics.mean(rat) if len(rat) > 1 else 0
    print("%-34s %12.0f %8.3f  %.3f..%.3f, ±%.1f %%" % (label, statistics.median([r[i] for r in rows]),
          statistics.median(rat), min(rat), max(rat), sd))
PYEOF
