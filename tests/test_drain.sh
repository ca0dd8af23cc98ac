#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# doctor's drain bound on this machine's kernel, against the kernel's own
# counters (reported_kib and passes in /sys/module/page_reporting/parameters:
# exact here).  Needs those counters; elsewhere it says why and checks
# nothing.  Hold /tmp/prtop-hostbpf.lock: it loads BPF.
. tests/lib.sh
require python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
KIB=/sys/module/page_reporting/parameters/reported_kib
avail_mib=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
if ! [ -r "$KIB" ] || ! [ -r "$PASSES" ]; then
	echo "# no reported_kib and passes counters on this kernel: the drain bound is checked in no guest yet"
	exit 0
fi

# --- doctor names what bounds the drain of a large free: 3 GiB freed at
# once, `prtop doctor -j -d 7` over the drain while tests/drain_watch.py logs
# the kernel's reported_kib and passes every 20 ms on CLOCK_MONOTONIC (the
# clock doctor's window is stamped with).  Doctor's bytes and passes over
# its window must be what the log gives between the reads around its ends;
# its bytes per pass within that (a KiB/byte or per-run slip is off by far
# more); its pass interval within 15 % + 50 ms of the spacing of the
# kernel's passes in the log; its budget the upstream rule worked from the
# test's own /proc/buddyinfo read; and its bound the one the log shows:
# the per-pass budget when the drain took two passes or more of >= 64 MiB
# each from the window's start (the capacity where the largest zone's free
# area allows 2 calls a list or fewer), the delay when one pass took it
# all.  31 to 50 s here, most of it memhog touching the 3 GiB.
if [ "$(cat /sys/module/page_reporting/parameters/page_reporting_order 2>/dev/null)" -le 10 ] 2>/dev/null; then
	dr_mib=3072
	[ $dr_mib -gt $((avail_mib / 2)) ] && dr_mib=$((avail_mib / 2))
	passes_quiet
	python3 tests/drain_watch.py "$PRTOP" "$TOOLS/memhog" $dr_mib 7 "$tmp/drain.json" 2>"$tmp/drain.err"
	python3 - "$tmp/drain.json" "$(cat /sys/module/page_reporting/parameters/page_reporting_order)" >"$tmp/drain.out" 2>&1 <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
order = int(sys.argv[2])
M = 1 << 20
log = d["log"]  # (read began, read ended, reported_kib, passes)
doc = json.loads(d["doctor"])
x = [e for e in doc["diagnosis"] if e["id"] == "drain_bound"]
print("# %d MiB freed; doctor rc %d; %s" % (d["mib"], d["rc"], [e["id"] for e in doc["diagnosis"]]))
for e in x:
    print("# doctor: " + e["text"])
# the kernel's passes in the log: when each ended, what it moved
ends, prev, moved = [], log[0], 0
for r in log[1:]:
    moved += r[2] - prev[2]
    if r[3] > prev[3]:
        ends.append(((prev[1] + r[0]) / 2, moved, r[3] - prev[3]))
        moved = 0
    prev = r
ends = [e for e in ends if e[0] >= d["freed"]]
for t, kib, n in ends:
    print("# kernel pass ended %+.2f s after the free: +%d KiB" % (t - d["freed"], kib))
def bracket(t, i):
    """the counter i at time t: between the last read done before t and the first begun after"""
    lo = [r[i] for r in log if r[1] <= t]
    hi = [r[i] for r in log if r[0] >= t]
    return (lo[-1] if lo else None), (hi[0] if hi else None)
res = {"ok": [], "bad": []}
def judge(name, cond):
    res["ok" if cond else "bad"].append(name)
if not x:
    print("not ok - doctor named no drain bound over a %d MiB drain" % d["mib"])
    sys.exit(0)
f = x[0]["drain"]
end, start = f["end_mono_s"], f["end_mono_s"] - f["window_s"]
k0, k1 = bracket(start, 2), bracket(end, 2)
p0, p1 = bracket(start, 3), bracket(end, 3)
kib_lo, kib_hi = k1[0] - k0[1], k1[1] - k0[0]
pas_lo, pas_hi = p1[0] - p0[1], p1[1] - p0[0]
print("# window %.2f s: the log gives +%d..%d KiB in %d..%d passes; doctor %d B in %d passes"
      % (f["window_s"], kib_lo, kib_hi, pas_lo, pas_hi, f["returned_bytes"], f["passes"]))
ok = lambda c, m: print(("ok - " if c else "not ok - ") + m)
ok(kib_lo * 1024 * 0.99 <= f["returned_bytes"] <= kib_hi * 1024 * 1.01 and pas_lo <= f["passes"] <= pas_hi,
   "doctor drain: bytes and passes over its window are the kernel's reported_kib and passes gains (%d B in %d; log +%d..%d KiB in %d..%d)"
   % (f["returned_bytes"], f["passes"], kib_lo, kib_hi, pas_lo, pas_hi))
pp_lo = kib_lo * 1024 / max(pas_hi, 1) * 0.99
pp_hi = kib_hi * 1024 / max(pas_lo, 1) * 1.01
ok(pas_lo >= 1 and pp_lo <= f["per_pass_bytes"] <= pp_hi,
   "doctor drain: %.0f MiB per pass, within the kernel's %.0f..%.0f MiB over the window"
   % (f["per_pass_bytes"] / M, pp_lo / M, pp_hi / M))
gaps = [b[0] - a[0] for a, b in zip(ends, ends[1:])]
if gaps:
    gap = sorted(gaps)[len(gaps) // 2]
    ok(abs(f["interval_s"] - gap) <= 0.15 * gap + 0.05,
       "doctor drain: a pass every %.3f s, the kernel's passes %.3f s apart (median of %d)"
       % (f["interval_s"], gap, len(gaps)))
# interval_s is printed to the millisecond: the rate within that rounding
ok(abs(f["rate_bytes_per_s"] - f["per_pass_bytes"] / f["interval_s"]) <= 1e-3 * f["rate_bytes_per_s"],
   "doctor drain: rate %.0f MiB/s = per pass / interval" % (f["rate_bytes_per_s"] / M))
# the upstream rule from the test's own buddyinfo reads: the zone with the
# most free memory at order >= the reporting order
def rule(zones):
    z = max(zones, key=lambda z: sum(n << o for o, n in enumerate(z) if o >= order))
    tot, calls, most = 0, 0, -1
    for o, n in enumerate(z):
        if o < order or not n:
            continue
        c = -(-n // (16 * 32)) + 1
        tot += c * 32 * (4096 << o)
        if n << o > most:
            most, calls = n << o, c
    return tot, calls
(b0, c0), (b1, c1) = rule(d["zones"]), rule(d["zones_after"])
ok(f["budget_bytes"] in (b0, b1),
   "doctor drain: budget %s B, the rule on the test's buddyinfo %d / %d B" % (f["budget_bytes"], b0, b1))
big = [e for e in ends if e[1] >= 64 * 1024 and e[0] >= start]
if len(big) >= 2 and max(gaps or [0]) > 0:
    want = "capacity" if max(c0, c1) <= 2 else "budget"
elif len(ends) == 1:
    want = "delay"
else:
    want = None
if want:
    ok(f["bound"] == want,
       "doctor drain: bound '%s', the log's %d passes of >= 64 MiB from the window's start say '%s'"
       % (f["bound"], len(big), want))
else:
    print("# the log shows no clear drain shape (%d passes): the bound not judged" % len(ends))
PYEOF
	grep -E '^#' "$tmp/drain.out"
	grep -E '^(not )?ok - ' "$tmp/drain.out" | while IFS= read -r l; do
		case $l in ok*) ok "${l#ok - }" ;; *) not_ok "${l#not ok - }" ;; esac
	done
	grep -qE '^(not )?ok - ' "$tmp/drain.out" ||
		not_ok "doctor drain: no verdict checked ($(tail -n 3 "$tmp/drain.out" "$tmp/drain.err" | tr '\n' ' '))"
fi
