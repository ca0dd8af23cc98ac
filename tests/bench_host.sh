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
# range over the rounds are printed, and prtop host's own CPU time.  Three
# views of the cost, from the noisiest to the most exact:
#   ops/s      madvloop's throughput: what it gets done, beside everything
#              else this shared machine runs (the spread is wide here)
#   CPU/op     madvloop's own CPU time per operation (base / mode): where
#              a program its faults and discards run is paid; other
#              processes taking the CPUs do not move it as they move ops/s
#   BPF ns/op  the run time of prtop host's programs over madvloop's run
#              (the kernel's BPF statistics, kernel.bpf_stats_enabled for
#              the bench) per operation, as a share of madvloop's CPU/op:
#              an upper bound of the in-process cost, as the programs also
#              ran for any other process's discards and faults
. tests/lib.sh
ROUNDS=${HOST_ROUNDS:-12}
SECS=${HOST_SECS:-4}
# HOST_MODES: a subset, base always included (e.g. "base nofault filtered"
# to give the rounds of a long run to what a process that is no VMM pays)
MODES="base ${HOST_MODES:-nofault filtered watched filtered_f watched_f}"
MODES=$(echo "$MODES" | tr ' ' '\n' | awk 'NF && !seen[$0]++' | paste -sd' ' -)
for m in $MODES; do
	case $m in
	base | nofault | filtered | watched | filtered_f | watched_f) ;;
	*) echo "bench_host: unknown mode '$m' in HOST_MODES" >&2; exit 2 ;;
	esac
done
mount_kernel_fs
tmp=$(mktemp -d)
pp=
stats=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
trap 'kill $pp 2>/dev/null; [ -n "$stats" ] && sysctl -q kernel.bpf_stats_enabled="$stats"; rm -rf "$tmp"' EXIT INT TERM
[ -n "$stats" ] && sysctl -q kernel.bpf_stats_enabled=1

# bpf_ns: run time so far of prtop host's programs (all named host_*), ns;
# 0 without the kernel's BPF statistics
bpf_ns() {
	bpftool prog show -j 2>/dev/null | python3 -c '
import json, sys
try:
    progs = json.load(sys.stdin)
except ValueError:
    progs = []
print(sum(p.get("run_time_ns", 0) for p in progs if p.get("name", "").startswith("host_")))'
}

# cpu_ns PID: CPU time of PID's threads so far (ns, /proc/PID/task/*/schedstat)
cpu_ns() {
	cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ t += $1 } END { printf "%.0f\n", t }'
}

# one_run MODE: madvloop's ops/s beside prtop host in MODE, prtop's CPU
# time per second (ns/s, from 1 s after its start to madvloop's end),
# madvloop's CPU time per operation (us)
# and prtop host's programs' run time per operation (ns)
one_run() {
	pp=
	"$TOOLS/madvloop" -s "$SECS" -w 3 >"$tmp/out" 2>&1 &
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
	# madvloop waits 3 s, then works.  The first readings are taken 1 s in,
	# while it still waits, and in every mode, base too: bpftool and python
	# take a third of a CPU-second here, and taken while madvloop works (as
	# they were) they cost the prtop modes alone 3-4 % of its run
	sleep 1
	w0=$(date +%s%N)
	t0=$(cpu_ns "${pp:-$$}")
	b0=$(bpf_ns)
	wait $mp
	w1=$(date +%s%N)
	t1=$(cpu_ns "${pp:-$$}")
	b1=$(bpf_ns)
	if [ -n "$pp" ]; then
		kill -0 $pp 2>/dev/null || echo "prtop host did not run: $(head -c 200 "$tmp/err")" >"$tmp/$1.failed"
		kill -TERM $pp
		wait $pp 2>/dev/null
	else
		t1=$t0
	fi
	ops=$(sed -n 's/^ops: //p' "$tmp/out")
	# prtop's CPU time per second of the readings' span (ns/s)
	echo "$(sed -n 's/^ops_per_s: //p' "$tmp/out") $(((t1 - t0) * 1000000000 / (w1 - w0)))" \
		"$(sed -n 's/^cpu_us_per_op: //p' "$tmp/out")" "$(((${b1:-0} - ${b0:-0}) / ${ops:-1}))"
}

echo "prtop host overhead: madvloop (256 KiB write + MADV_DONTNEED), $SECS s a run, $ROUNDS rounds"
r=0
while [ $r -lt "$ROUNDS" ]; do
	# rotate the order: each mode runs first, second, ... in turn
	order=$(echo "$MODES" | awk -v k=$((r % $(echo $MODES | wc -w))) '{ for (i = 0; i < NF; i++) printf "%s ", $(((i + k) % NF) + 1) }')
	v_nofault="0 0 0 0" v_filtered="0 0 0 0" v_watched="0 0 0 0"
	v_filtered_f="0 0 0 0" v_watched_f="0 0 0 0"
	for m in $order; do eval "v_$m=\$(one_run $m)"; done
	# shellcheck disable=SC2154 # set by the eval above
	echo "$v_base $v_nofault $v_filtered $v_watched $v_filtered_f $v_watched_f" >>"$tmp/rounds"
	r=$((r + 1))
done
python3 - "$tmp/rounds" "$tmp" <<'PYEOF'
import math, os, statistics, sys
N = 4  # fields per mode: ops/s, prtop CPU ns, madvloop CPU us/op, BPF ns/op
rows = [list(map(float, l.split())) for l in open(sys.argv[1]) if len(l.split()) == 6 * N]
if not rows:
    print("no complete rounds"); sys.exit(0)
MODES = (("nofault", "--no-refaults"),
         ("filtered", "scan, not a VMM"),
         ("watched", "scan, --pid"),
         ("filtered_f", "faults, not a VMM"),
         ("watched_f", "faults, --pid"))

def spread(v):
    """median, its 95 % interval (order statistics: no assumption about the
    distribution, which outliers on a shared machine would break), range,
    stddev % of a list of ratios"""
    v = sorted(v)
    n = len(v)
    # the largest k with P(Binomial(n, 1/2) < k) <= 2.5 %: the median lies
    # between the k-th smallest and the k-th largest with >= 95 % probability
    k, below = 0, 0.0
    while k < n:
        below_next = below + math.comb(n, k) / 2 ** n
        if below_next > 0.025:
            break
        below, k = below_next, k + 1
    lo, hi = (v[k - 1], v[n - k]) if k > 0 else (float("nan"), float("nan"))
    sd = statistics.stdev(v) if n > 1 else 0
    return statistics.median(v), lo, hi, v[0], v[-1], 100 * sd / statistics.mean(v)

failed = {}
# the modes run, with their place in a row: one HOST_MODES left out has zeros
RAN = [(i, m, label) for i, (m, label) in enumerate(MODES, 1) if any(r[N * i] for r in rows)]
for _, m, _ in RAN:
    f = os.path.join(sys.argv[2], m + ".failed")
    if os.path.exists(f):
        failed[m] = open(f).read().strip()
print("%d rounds; ratios are mode / no prtop of the same round: the median," % len(rows))
print("its 95 % interval (n/a under 6 rounds), the range and the stddev")
print("%-18s %6s %5s %-12s %-12s %5s %s" % ("mode", "ops/s", "ratio", "95 % interval", "range",
                                          "sd", "prtop CPU"))
print("%-18s %6.0f %5.3f" % ("no prtop", statistics.median(r[0] for r in rows), 1))
for i, m, label in RAN:
    if m in failed:
        print("%-18s %6s %5s  (%s)" % (label, "-", "n/a", failed[m])); continue
    med, clo, chi, lo, hi, sd = spread([r[N * i] / r[0] for r in rows if r[0] > 0])
    cpu = statistics.median(r[N * i + 1] for r in rows) / 1e6
    print("%-18s %6.0f %5.3f %.3f..%.3f %.3f..%.3f %4.1f%% %.1f ms/s" % (
        label, statistics.median(r[N * i] for r in rows), med, clo, chi, lo, hi, sd, cpu))
print()
print("madvloop's own CPU per operation, and prtop host's programs' run time in it:")
print("%-18s %6s %5s %-12s %9s %9s %s" % ("mode", "us/op", "ratio", "95 % interval", "BPF ns/op",
                                        "BPF share", "1 - share"))
print("%-18s %6.1f %5.3f" % ("no prtop", statistics.median(r[2] for r in rows), 1))
for i, m, label in RAN:
    if m in failed:
        continue
    med, clo, chi, lo, hi, sd = spread([r[2] / r[N * i + 2] for r in rows if r[N * i + 2] > 0])
    bns = statistics.median(r[N * i + 3] for r in rows)
    share = statistics.median(r[N * i + 3] / (1000 * r[N * i + 2]) for r in rows if r[N * i + 2] > 0)
    print("%-18s %6.1f %5.3f %.3f..%.3f %9.0f %8.3f%% %.4f" % (
        label, statistics.median(r[N * i + 2] for r in rows), med, clo, chi, bns,
        100 * share, 1 - share))
PYEOF
