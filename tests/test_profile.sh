#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Profiling page_fault1 regressions: prtop record, report and bench.
#
# On this machine: record around commands that are not ours (stress-ng
# --vm: wall time and exit status only), exit statuses passed on, bad
# input.  In Debian's stock 6.1 guest under QEMU (TCG, reporting on): the
# refault price (4 KiB and THP); record of pf1 --thp with reporting on
# (worker runs, reported bytes and reuse, one throughput point per
# interval) and off (no batch); report FILE giving the same report the
# recording printed; the SVG drawn here on the host from the guest's file
# (valid XML, the series in it); bench --reps 2 with two settings (on, the
# kernel's default order 9, and order=10) to the end, its JSON complete.
#
# Figures against truths prtop did not compute: report FILE's timeline,
# totals and attribution recomputed here from the file's own lines (here
# and in the guest); the SVG's vertices where their values put them on the
# panels' axes; bench's change_pct recomputed from the arms' means, the
# overhead ratio from the on arm's with_prtop, the advice from the arms'
# figures; one arm of the guest bench slowed by pf1 --slow, a known injected
# cost (off +prtop, in the guest), which the bench's interval must
# contain with the right sign; the memory given
# back against the kernel's reported_kib here and against the workload's
# freed bytes in the guest; what was reported during the refault waits
# against what was freed; the refault price positive, the difference of
# its two first-touch medians, its 2 MiB figure 512 of its 4 KiB one, and
# its first touches of the order of pf1's own time per touch.
#
# Knobs: PRTOP_PROFILE_BENCH_REPS (2), PRTOP_PROFILE_BENCH_ARGS (one
# setting beside on, a short pf1), PRTOP_PROFILE_SLOW (50: the injected share, %),
# PRTOP_PROFILE_KEEP=1 keeps $CACHE/qemu/profile, PRTOP_PROFILE_GUEST=0
# runs this machine's part only.
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

tmp=$(mktemp -d)
trap 'qemu_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
SLOW=${PRTOP_PROFILE_SLOW:-50}

# recompute_report PRTOP FILE: report --json FILE equals what the file's
# own lines give: per interval the counters' increase over its length and
# the mean of the workload's seconds in it, the totals of the last sample,
# the attribution (worker and report() time, reused blocks times the
# price), every attributed second within the run
recompute_report() {
	python3 - "$@" <<'PYEOF'
import json, subprocess, sys
prtop, path = sys.argv[1], sys.argv[2]
d = json.loads(subprocess.check_output([prtop, "report", "--json", path]))
hdr, samples, wis, end = None, [], [], None
for ln in open(path):
    if not ln.strip():
        continue
    o = json.loads(ln)
    if o["type"] == "header":
        hdr = o
    elif o["type"] == "sample" and "snapshot" in o:
        samples.append((o["t"], o["snapshot"]))
    elif o["type"] == "workload":
        wis.append((o["t"], o["total"], o.get("measured", False)))
    elif o["type"] == "end":
        end = o

def at(s, p):
    for k in p.split("."):
        s = s.get(k) if isinstance(s, dict) else None
    return s if isinstance(s, (int, float)) and not isinstance(s, bool) else None

# the returned bytes: the sample's own where it names the source; in files
# from before reported_source prtop's, else the kernel's reported_kib x 1024
# (a counter from boot: its increase)
def rep(s):
    if "reported_source" in s:
        v, src = at(s, "reported_bytes_total"), s["reported_source"]
        return (v, src, True) if v is not None and src else (None, None, True)
    if at(s, "reported_bytes_total") is not None:
        return (at(s, "reported_bytes_total"), "prtop", True)
    k = at(s, "kernel_counters.reported_kib.total")
    return (k * 1024, "kernel:reported_kib", False) if k is not None else (None, None, False)

def close(a, b, what):
    assert (a is None) == (b is None), (what, a, b)
    assert a is None or abs(a - b) <= 1e-6 * max(1, abs(b)), (what, a, b)

assert end and samples and d["exit_status"] == end["exit_status"], (d["exit_status"], end)
close(d["wall_s"], end["wall_s"], "wall_s")
m = [w[1] for w in wis if w[2]]
close(d["ops_per_s_mean"], sum(m) / len(m) if m else None, "ops_per_s_mean")
keys = {"batches_per_s": "batches_total",
        "worker_runs_per_s": "worker_runs_total", "reused_bytes_per_s": "reuse_bytes_total"}
tl, prev = [], None
for t, s in samples:
    if prev and t > prev[0]:
        dt, e = t - prev[0], {"t": t}
        for k, c in keys.items():
            a, b = at(s, c), at(prev[1], c)
            e[k] = (a - b) / dt if a is not None and b is not None and a >= b else None
        a, b = rep(s), rep(prev[1])
        e["reported_bytes_per_s"] = ((a[0] - b[0]) / dt if a[1] and a[1] == b[1] and a[0] >= b[0]
                                     else None)
        ops = [w[1] for w in wis if t - dt < w[0] <= t]
        e["ops_per_s"] = sum(ops) / len(ops) if ops else None
        tl.append(e)
    prev = (t, s)
assert len(tl) == len(d["timeline"]), (len(tl), len(d["timeline"]))
for a, b in zip(d["timeline"], tl):
    for k in b:
        close(a[k], b[k], "timeline t=%s %s" % (b["t"], k))
last, tot = samples[-1][1], d["totals"]
r1, r0 = rep(last), rep(samples[0][1])
want = r1[0] if r1[2] else (r1[0] - r0[0] if r1[1] and r1[1] == r0[1] and r1[0] >= r0[0] else None)
close(tot["reported_bytes"], want, "totals reported_bytes")
assert tot["reported_source"] == (r1[1] if want is not None else None), (tot, r1)
for k, c in (("batches", "batches_total"),
             ("worker_runs", "worker_runs_total"), ("reused_bytes", "reuse_bytes_total"),
             ("reused_blocks", "reuse.ranges"), ("reuse_age_p50_ns", "reuse.age_ns.p50")):
    close(tot[k], at(last, c), "totals " + k)
kk = [at(s, "kernel_counters.reported_kib.total") for s in (samples[0][1], last)]
close(tot["kernel_reported_kib"], kk[1] - kk[0] if None not in kk and kk[1] >= kk[0] else None,
      "kernel_reported_kib")
att = {a["what"]: a["seconds"] for a in d["attribution"]}
wns = at(last, "worker_run_ns.sum")
if wns is None and at(last, "worker_run_ns.count") is not None:
    wns = 0
close(att["worker runs (page_reporting_process)"], None if wns is None else wns / 1e9, "worker s")
price = at(hdr, "refault_price.ns_per_2m" if d["thp"] else "refault_price.ns_per_4k")
want = None
if tot["reused_bytes"] is not None and price is not None:
    want = tot["reused_bytes"] / (2 << 20 if d["thp"] else 4096) * price / 1e9
close(att["refaults of reported memory handed out again"], want, "refault s")
rep = att["pages inside report() (device round trip)"]
# report() runs inside the worker: its time is part of the worker's
assert rep is None or wns is None or rep <= wns / 1e9 + 1e-9, (rep, wns)
for a in d["attribution"]:
    s = a["seconds"]
    assert s is None or 0 <= s <= d["wall_s"], ("attribution within the run", a, d["wall_s"])
    assert s is None or abs(a["share_pct"] - 100 * s / d["wall_s"]) < 1e-6, a
PYEOF
}

# check_price FILE...: bench --refault's price positive, the difference of
# its medians, its 2 MiB figures 512 times its 4 KiB ones, and a share of a
# first touch (not a factor of 1000 off it)
check_price() {
	python3 - "$@" <<'PYEOF'
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    a, b = d["ns_per_4k"], d["ns_per_2m"]
    # each figure is rounded to 0.1 ns: 512 times the 4 KiB one is off by
    # up to 25.6 ns, the 2 MiB one by 0.05 (a factor error is far beyond)
    for k in a:
        assert abs(b[k] - 512 * a[k]) <= 512 * 0.05 + 0.05 + 1e-6, (f, k, a[k], b[k])
    for w in ("reported", "unreported"):
        assert 0 < a[w + "_min"] <= a[w + "_median"] <= a[w + "_max"], (f, a)
    p = a["price_median"]
    assert abs(p - (a["reported_median"] - a["unreported_median"])) <= 0.15, (f, a)
    assert 0.05 * a["unreported_median"] <= p <= 20 * a["unreported_median"], (f, a)
PYEOF
}

# check_waits MIN_SHARE FILE...: what was reported during the waits (prtop's
# report() bytes, or the kernel's reported_kib; equal where both are known)
# between MIN_SHARE of what was freed before them and all of it (64 MiB
# slack: the rest of the machine frees too)
check_waits() {
	python3 - "$@" <<'PYEOF'
import json, sys
share = float(sys.argv[1])
for f in sys.argv[2:]:
    d = json.load(open(f))
    # waits taken again free again: the bench counts what it freed
    freed = d.get("freed_before_waits_bytes") or d["reps"] * d["mib"] << 20
    r, k = d["reported_during_waits_bytes"], d["kernel_reported_kib_during_waits"]
    assert r is not None or k is not None, d
    assert r is None or k is None or abs(k * 1024 - r) <= (16 << 20) + 0.05 * r, (f, k, r)
    v = r if r is not None else k * 1024
    print("# %s: reported during the waits %.1f MiB of %d MiB freed" % (f.split("/")[-1], v / 2**20, freed >> 20))
    assert share * freed <= v <= freed + (64 << 20), (f, v, freed)
PYEOF
}

# check_bench FILE SLOW_ARM SLOW_PCT [REPORTED_KIB_DELTA]: bench --json's
# figures against the arms' own numbers, the advice recomputed, the arm
# pf1 slowed by SLOW_PCT % within the interval of -SLOW_PCT % (SLOW_ARM -:
# none); with
# REPORTED_KIB_DELTA (the kernel's reported_kib over the whole bench, read
# by the test), the memory given back bounded by it
check_bench() {
	python3 - "$@" <<'PYEOF'
import json, re, sys
d = json.load(open(sys.argv[1]))
slow_arm, slow = sys.argv[2], float(sys.argv[3])
kib = float(sys.argv[4]) if len(sys.argv) > 4 else None
base, sets = d["baseline"], d["settings"]
assert base["change_pct"] is None and base["ci95_pct"] is None, base
for a in [base] + sets:
    assert a["runs"] == d["reps"] and a["ops_mean"] > 0 and a["stddev_pct"] >= 0, a
    assert a["memory_back_bytes_per_s"] is None or a["memory_back_bytes_per_s"] >= 0, a
    w = a.get("with_prtop")
    assert w is None or (w["ops_median"] > 0 and w["ci95_pct"] >= 0 and w["change_pct"] is not None), a
for s in sets:
    # the change of the means, recomputed from them (rounded to 0.1 op/s)
    want = 100 * (s["ops_mean"] - base["ops_mean"]) / base["ops_mean"]
    assert abs(s["change_pct"] - want) <= 0.02 + 1e-3 * abs(want), (s["name"], s["change_pct"], want)
    assert s["ci95_pct"] >= 0, s
    if abs(abs(s["change_pct"]) - s["ci95_pct"]) > 0.02:
        assert s["significant"] == (abs(s["change_pct"]) > s["ci95_pct"]), s
on = [a for a in [base] + sets if a["name"] == "on"]
ov = d["prtop_overhead"]
if on and on[0].get("with_prtop"):
    w = on[0]["with_prtop"]
    assert ov and abs(ov["ratio"] - (1 + w["change_pct"] / 100)) <= 1e-4 + 1e-4 * abs(w["change_pct"]), (ov, w)
    assert abs(ov["ci95_pct"] - w["ci95_pct"]) <= 0.011, (ov, w)
else:
    assert ov is None, ov
# the advisor: memory given back per percent of throughput plausibly lost
if base["name"] != "off":
    assert d["advice"].startswith("no advice"), d["advice"]
else:
    best, pick, scores = -1, None, []
    for s in sets:
        if s["change_pct"] is None or s["memory_back_bytes_per_s"] is None:
            continue
        loss = -s["change_pct"]
        lb = max(loss, 0) if s["significant"] else max(loss + s["ci95_pct"], 0)
        sc = s["memory_back_bytes_per_s"] / 1048576 / max(lb, 0.1)
        scores.append((sc, s))
        if sc > best:
            best, pick = sc, s
    assert pick, d["advice"]
    # a near tie may go either way with the JSON's rounding
    ok = [s for sc, s in scores if sc >= best * 0.99 - 1e-9]
    named = [s for s in ok if d["advice"].startswith(s["name"] + " gives back")]
    assert named, (d["advice"], [s["name"] for s in ok])
    s = named[0]
    m = re.search(r": (-?[0-9.]+) MiB/s for ([-+][0-9.]+)% ", d["advice"])
    assert m and abs(float(m.group(1)) - s["memory_back_bytes_per_s"] / 1048576) <= 0.051, (d["advice"], s)
    assert abs(float(m.group(2)) - s["change_pct"]) <= 0.051, (d["advice"], s)
# the memory given back, from the kernel's own counter: within what it
# reported over the whole bench (each run lasts 1..5 s)
if kib is not None:
    runs = sum(a["runs"] * a["memory_back_bytes_per_s"] for a in [base] + sets
               if a["memory_back_bytes_per_s"] is not None)
    assert runs * 1.0 <= kib * 1024 * 1.01 + 65536, (runs, kib)
    assert kib < 65536 or runs * 5.0 >= kib * 1024 / 4, (runs, kib)
# the arm with the injected cost: slowed by SLOW %, within its interval
if slow_arm == "-":
    sys.exit(0)
name, prtop = slow_arm.replace(" +prtop", ""), slow_arm.endswith(" +prtop")
a = [x for x in [base] + sets if x["name"] == name][0]
c = a["with_prtop"] if prtop else a
chg, ci = c["change_pct"], c["ci95_pct"]
print("# injected -%g%% in [%s]: bench says %+.1f%% ±%.1f%%" % (slow, slow_arm, chg, ci))
# pf1's busy-wait costs a little more than its nominal share (the work
# after each wait runs on cold caches): tight benches measured -54.3 and
# -54.7 % in this guest and -57.5 % on a real machine for --slow 50, so
# the interval must reach within 15 % of the injected size of it
model = 0.15 * slow
assert chg - ci - model <= -slow <= chg + ci + model, ("the interval misses the injected cost", chg, ci, slow)
# an interval wider than the cost cannot tell its sign: said, not counted
if ci < slow:
    assert chg < 0 and abs(chg + slow) < slow, (chg, ci)
else:
    print("# the interval (±%.1f%%) is wider than the injected cost: its sign is not resolved here" % ci)
PYEOF
}

# --- this machine: commands that are not ours ---
if command -v stress-ng >/dev/null 2>&1; then
	"$PRTOP" record -o "$tmp/s.rec" -- stress-ng --vm 1 --vm-bytes 256M -t 3 --quiet \
		>"$tmp/s.out" 2>"$tmp/s.err"
	rc=$?
	check "record around stress-ng --vm: its exit status (0, got $rc)" test $rc -eq 0
	check "... a report from wall time alone" \
		grep -q '^workload: no will-it-scale lines: wall time and exit status only' "$tmp/s.out"
	check "... the file reads back: exit 0, wall time 3..10 s" python3 -c '
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "report", "--json", sys.argv[2]]))
assert d["exit_status"] == 0 and 3 <= d["wall_s"] <= 10 and d["ops_per_s_mean"] is None, d
assert d["timeline"] and all(t["ops_per_s"] is None for t in d["timeline"]), d["timeline"]
' "$PRTOP" "$tmp/s.rec"
else
	not_ok "stress-ng missing (sh tools/deps.sh test installs it)"
fi
"$PRTOP" record -o "$tmp/x.rec" -- sh -c 'exit 3' >/dev/null 2>&1
rc=$?
check "record: exit status of the command (3, got $rc)" test $rc -eq 3
rm -f "$tmp/x.rec"
"$PRTOP" record -o "$tmp/x.rec" -- /nonexistent/cmd >"$tmp/x.out" 2>"$tmp/x.err"
rc=$?
check "record: a command that cannot run: 127 and one line why ($rc)" \
	sh -c "test $rc -eq 127 && test \$(wc -l <'$tmp/x.err') -eq 1 && grep -q '^prtop record: cannot run /nonexistent/cmd: No such file or directory' '$tmp/x.err'"
check "record: a command that cannot run: no report, no file left" \
	sh -c "test ! -s '$tmp/x.out' && test ! -e '$tmp/x.rec'"
"$PRTOP" record -o "$tmp/k.rec" -- sh -c 'kill -TERM $$' >/dev/null 2>&1
rc=$?
check "record: a command killed by SIGTERM: 143 ($rc)" test $rc -eq 143
# record on this machine's kind of kernel (report() not observed, the
# vendor's reported_kib counting): a command that frees more than twice
# max_waiting_mib, recorded with --after long enough for the worker (its
# 2 s delay and the run); the report's returned bytes against the
# kernel's reported_kib read by this test before and after, within 1 %.
# A run outside prtop's window (the rest of the machine frees too) makes
# them differ: taken again, twice at most; so is a window with no run.
RKIB=/sys/module/page_reporting/parameters/reported_kib
if [ -r "$RKIB" ] && [ -r "$PASSES" ]; then
	wait_mib=$(cat /sys/module/page_reporting/parameters/max_waiting_mib 2>/dev/null || echo 512)
	hog=$((2 * wait_mib + 64))
	avail=$(awk '/^MemAvailable:/ { print int($2 / 1024) }' /proc/meminfo)
	[ $hog -gt $((avail / 2)) ] && hog=$((avail / 2))
	for attempt in 1 2 3; do
		passes_quiet
		k0=$(cat "$RKIB")
		"$PRTOP" record --after 6 -o "$tmp/m.rec" -- "$TOOLS/memhog" -m $hog -H 0 -q \
			>"$tmp/m.out" 2>"$tmp/m.err"
		mrc=$?
		k1=$(cat "$RKIB")
		"$PRTOP" report --json "$tmp/m.rec" >"$tmp/m.json" 2>>"$tmp/m.err"
		got=$(python3 -c 'import json,sys; v=json.load(open(sys.argv[1]))["totals"]["reported_bytes"]; print("null" if v is None else int(v))' "$tmp/m.json" 2>/dev/null)
		echo "# record memhog -m $hog (try $attempt): reported_kib +$((k1 - k0)) KiB, report says $got bytes"
		[ "$got" = null ] || [ -z "$got" ] && break
		[ $((k1 - k0)) -gt 0 ] || continue
		python3 -c 'import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); sys.exit(abs(a - b) > 0.01 * b)' \
			"$got" $(((k1 - k0) * 1024)) && break
	done
	check "record --after 6 -- memhog -m $hog: exit 0 ($mrc)" test "$mrc" -eq 0
	check "record here: the report's returned bytes ($got) within 1 % of the kernel's reported_kib delta x 1024 ($(((k1 - k0) * 1024)), > 0)" \
		python3 -c 'import sys; a, b = int(sys.argv[1]), int(sys.argv[2]); sys.exit(not (b > 0 and abs(a - b) <= 0.01 * b))' \
		"$got" $(((k1 - k0) * 1024))
	check "record here: the source named (kernel's reported_kib), in the JSON and next to the figure" \
		sh -c "python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"totals\"][\"reported_source\"] == \"kernel:reported_kib\", d[\"totals\"]' '$tmp/m.json' &&
			grep -q \"^totals:  reported [0-9.]* MiB (the kernel's reported_kib)\$\" '$tmp/m.out'"
	check "record here: --after 6: the recording ends 6 s or more after the command" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
last = d["timeline"][-1]["t"]
assert d["after_s"] == 6 and last >= d["wall_s"] + 5.9, (d["after_s"], d["wall_s"], last)
' "$tmp/m.json"
	check "record here: the device named (a sample, or BTF's report())" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["device"] and d["device_source"] in ("sample", "btf"), (d["device"], d["device_source"])
' "$tmp/m.json"
	check "report here: no text line over 80 columns" \
		sh -c "! \"$PRTOP\" report '$tmp/m.rec' | awk 'length(\$0) > 80 { print; bad = 1 } END { exit !bad }'"
fi
# pf1 recorded here: the report read back equals the file's own lines
"$PRTOP" record -o "$tmp/p.rec" -- "$TOOLS/pf1" -t 1 -s 2 -w 1 >"$tmp/p.out" 2>"$tmp/p.err"
rc=$?
check "record pf1 here: exit 0 ($rc)" test $rc -eq 0
check "report FILE recomputed from the file's samples and pf1's seconds (here)" \
	recompute_report "$PRTOP" "$tmp/p.rec"
# bench here, on real hardware: change_pct against the arms' means, and
# the memory each arm gave back within the kernel's own reported_kib over
# the whole bench (pf1 frees too little for this vendor kernel, which
# reports after max_waiting_mib freed, to report much: a workload that
# does, memhog 2400 MiB before pf1, took 86 s for one setting).  No
# injected cost here: pf1 alone, with and without --slow 50, three pairs
# back to back, fell by 38 to 63 % on this VM; the guest's bench judges it.
ord=/sys/module/page_reporting/parameters/page_reporting_order
if [ -w "$ord" ]; then
	kib=/sys/module/page_reporting/parameters/reported_kib
	k0=$(cat "$kib" 2>/dev/null)
	o=$(cat "$ord")
	"$PRTOP" bench --json --no-prtop --reps 5 --settle 0 --set "order=$o" -- \
		"$TOOLS/pf1" -t 1 -s 1 -w 0 >"$tmp/hb.json" 2>"$tmp/hb.err"
	rc=$?
	k1=$(cat "$kib" 2>/dev/null)
	check "bench here: exit 0 ($rc), order put back ($(cat "$ord"))" \
		sh -c "test $rc -eq 0 && test $(cat "$ord") = $o"
	check "bench here: change_pct from the arms' means, memory back within the kernel's reported_kib (+$((${k1:-0} - ${k0:-0})) KiB)" \
		check_bench "$tmp/hb.json" - 0 ${k0:+$((k1 - k0))}
	# its text: 80 columns, the table's %change the JSON's within its rounding
	"$PRTOP" bench --no-prtop --reps 2 --settle 0 --set "order=$o" -- \
		"$TOOLS/pf1" -t 1 -s 1 -w 0 >"$tmp/hb.txt" 2>"$tmp/hb.txterr"
	check "bench here, text: every line within 80 columns, an LKP row and the advice" python3 -c '
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
w = max(len(l) for l in lines)
rows = [l for l in lines if l.rstrip().endswith("ops_per_task (pf1)")]
assert w <= 80, (w, [l for l in lines if len(l) > 80][:2])
assert rows and re.match(r" *\d+ \u00b1 *[\d.]+% +[-+][\d.]+% \u00b1", rows[0]), rows
assert any(l.startswith("advice: ") for l in lines), lines[-3:]
' "$tmp/hb.txt"
else
	echo "# no writable page_reporting_order here: bench not run on this machine"
fi
# the refault price here: this vendor kernel reports a varying part of
# what is freed (0 to 45 % of 1152 MiB in a 3 s wait, seen here), so the
# bench prints a price only with at least its stated share (min_share,
# 50 %) reported during its waits, and refuses otherwise (exit 1, one
# line, JSON price null and why).  Against the kernel's reported_kib read
# here over the whole run: what the bench says was reported during its
# waits is no more than that (the waits are part of the run), and a price
# comes with at least the share of what it freed.  --wait 1: a refusal
# after one retry costs about 20 s here.
if [ -r "$RKIB" ]; then
	k0=$(cat "$RKIB")
	"$PRTOP" bench --refault --reps 2 --wait 1 --json >"$tmp/rf.json" 2>"$tmp/rf.err"
	rc=$?
	k1=$(cat "$RKIB")
	sed 's/^/# /' "$tmp/rf.err"
	check "bench --refault here: a price with at least min_share reported by the kernel's own count, or a refusal with exit 1, why and price null (reported_kib +$((k1 - k0)) KiB)" python3 -c '
import json, sys
d, rc, kib = json.load(open(sys.argv[1])), int(sys.argv[3]), int(sys.argv[4])
# wrapped at 80 columns: a continuation line is indented
err = open(sys.argv[2]).read().replace("\n ", " ").splitlines()
err = [" ".join(l.split()) for l in err]
assert d["min_share"] == 0.5 and d["reported_source"] == "kernel:reported_kib", d
freed, during = d["freed_before_waits_bytes"], d["reported_during_waits_bytes"]
assert freed >= 2 * d["mib"] << 20 or d["why"], d
# the counter is the kernel'"'"'s: what the waits saw is within the run'"'"'s increase
assert 0 <= during <= kib * 1024, (during, kib)
assert abs(d["reported_share"] - during / freed) <= 0.0005, d
if d["price"] is not None:
    print("# price %.0f ns per 4 KiB with %.0f %% reported" % (d["price"]["ns_per_4k"], 100 * d["reported_share"]))
    assert rc == 0 and d["why"] is None and d["ns_per_4k"]["price_median"] == d["price"]["ns_per_4k"], d
    assert kib * 1024 >= d["min_share"] * freed, ("a price with less than the share reported", kib, freed)
else:
    print("# refused: %s" % d["why"])
    assert rc == 1 and d["why"] and d["ns_per_4k"] is None and d["reported_share"] < d["min_share"], (rc, d)
    assert err == [" ".join(("prtop bench: no refault price: " + d["why"]).split())], err
' "$tmp/rf.json" "$tmp/rf.err" $rc $((k1 - k0))
fi
expect_fail "record without a command" 2 "no command to run" "$PRTOP" record -o "$tmp/y.rec"
expect_fail "record: bad interval" 2 "invalid interval" "$PRTOP" record -d 0 -- true
expect_fail "record: a file in no directory: bad input, before attaching" 2 "no directory /nonexistent/dir/" \
	"$PRTOP" record -o /nonexistent/dir/f -- true
expect_fail "report: no file" 2 "which record file" "$PRTOP" report
expect_fail "report: not a record: bad input" 2 "not a prtop record file" "$PRTOP" report /etc/hostname
expect_fail "report: missing file: bad input" 2 "cannot open /nonexistent" "$PRTOP" report /nonexistent
expect_fail "bench: bad --set" 2 "wants NAME=V" "$PRTOP" bench --set order
expect_fail "bench: unknown knob in --set" 2 "unknown knob" "$PRTOP" bench --set frob=1 -- true
expect_fail "bench: --reps 1" 2 "invalid --reps '1'" "$PRTOP" bench --reps 1
if command -v setpriv >/dev/null 2>&1; then
	expect_fail "bench: not root" 1 "needs root" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$PRTOP" bench --refault
fi

# --- Debian's stock 6.1 guest ---
[ "${PRTOP_PROFILE_GUEST:-1}" = 0 ] && exit 0
require "$QEMU_BIN" cpio gzip python3 timeout setsid
PF1_STATIC=${PF1_STATIC:-./build-static/tools/pf1}
for f in "$PRTOP_STATIC" "$PF1_STATIC"; do
	[ -x "$f" ] || { not_ok "profile: $f missing (run: make STATIC=1)"; exit 0; }
done
run=$CACHE/qemu/profile
mkdir -p "$run"
qemu_kernel_or_say profile "$run" || exit 0
{
	echo "BENCH_REPS=${PRTOP_PROFILE_BENCH_REPS:-2}"
	echo "BENCH_ARGS='${PRTOP_PROFILE_BENCH_ARGS:---set order=10 -- pf1 --thp -t 2 -s 3 -w 1 --slow $SLOW}'"
	echo "SLOW_ARM='off +prtop'"
	cat tests/qemu/guest_profile.sh
} >"$run/guest.sh"
if ! sh tests/qemu/mkinitramfs.sh -o "$run/initramfs.gz" -m "$QEMU_MODDIR" -s "$run/guest.sh" \
	-f "$PRTOP_STATIC:/bin/prtop" -f "$PF1_STATIC:/bin/pf1" \
	-f tests/qemu/guest_lib.sh:/lib/guest_lib.sh 2>"$run/mkinitramfs.err"; then
	not_ok "profile: initramfs: $(tail -n 3 "$run/mkinitramfs.err" | tr '\n' ' ')"
	exit 0
fi
log=$run/serial.log
t0=$(qemu_now_ms)
qemu_run_or_say profile "$log" "$run/initramfs.gz" on 1500 "PRTOP-PROF done" 1400 || exit 0
qemu_wait_exit 20 || true
qemu_stop
echo "# guest took $((($(qemu_now_ms) - t0 + 500) / 1000)) s"
tr -d '\r' <"$log" | grep '^PRTOP-PROF' | sed 's/^/# /'
b=$run/blocks
rm -rf "$b"
qemu_blocks "$log" "$b"

check "refault price measured, 4 KiB and THP" python3 -c '
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    assert d["reps"] >= 2 and d["ns_per_4k"]["reported_median"] > 0 and "price_median" in d["ns_per_2m"], d
' "$b/price.json" "$b/price_thp.json"
python3 -c '
import json, sys
for f in sys.argv[1:]:
    d = json.load(open(f))
    print("# %s: reported %s ns, unreported %s ns per 4 KiB; price %s ns per 4 KiB, %s ns per 2 MiB; reported during waits %s bytes" % (
        f.split("/")[-1], d["ns_per_4k"]["reported_median"], d["ns_per_4k"]["unreported_median"],
        d["ns_per_4k"]["price_median"], d["ns_per_2m"]["price_median"], d["reported_during_waits_bytes"]))
' "$b/price.json" "$b/price_thp.json" 2>/dev/null
check "refault price: positive, the difference of the medians, 2 MiB = 512 x 4 KiB, of the order of the first touches" \
	check_price "$b/price.json" "$b/price_thp.json"
check "refault: reported during the waits between half of what was freed and all of it" \
	check_waits 0.5 "$b/price.json" "$b/price_thp.json"
check "record on: worker runs, reported bytes, reuse known; a throughput point per interval" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["totals"]
assert d["exit_status"] == 0 and d["thp"], d
# reuse of reported memory depends on where the allocator lands: 30 MiB in
# one run, 0 in another; it must be known (the scan attached), not > 0
assert t["worker_runs"] >= 1 and t["reported_bytes"] > 0 and t["reused_bytes"] is not None, t
iv = d["timeline"]
pts = [x for x in iv if x["ops_per_s"] is not None]
# pf1 prints a line a second until the sleep at the end
assert len(iv) >= 8 and len(pts) >= int(sys.argv[2]) - 1, (len(iv), len(pts))
assert all(a["seconds"] is not None for a in d["attribution"][:3]), d["attribution"]
' "$b/on_json.json" "${PF1_SECS:-8}"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("# record on:", json.dumps(d["totals"]))
for a in d["attribution"]:
    print("#   %-46s %s s (%s %%)%s" % (a["what"], a["seconds"], a["share_pct"], "" if a["seconds"] is not None else " " + a["why"]))
' "$b/on_json.json" 2>/dev/null
# the THP price's first touches against pf1's own time per touch in the
# recording (4 tasks on the guest's vCPUs: each touch takes a vCPU's second
# over the ops it did), the same order of magnitude
check "refault: THP first touch within 20x of pf1's time per touch" python3 -c '
import json, sys
p, r, smp = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
per_op = 1e9 * min(4, smp) / r["ops_per_s_mean"]
u = p["ns_per_4k"]["unreported_median"]
print("# unreported THP first touch %.0f ns per 4 KiB; pf1 %.0f ns per op" % (u, per_op))
assert per_op / 20 <= u <= per_op * 20, (u, per_op)
' "$b/price_thp.json" "$b/on_json.json" "$QEMU_SMP"
check "record on: report FILE recomputed from the file's samples and pf1's seconds" \
	recompute_report "$PRTOP" "$b/on_rec.json"
check "record off: no batch with page_reporting_order=11" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["exit_status"] == 0 and d["totals"]["batches"] == 0 and d["totals"]["reported_bytes"] == 0, d["totals"]
' "$b/off_json.json"
# the report the recording printed is the one `prtop report FILE` prints
sed -n '/^prtop report:/,$p' "$b/on_out.json" | sed '/^$/d' >"$tmp/printed"
sed '/^$/d' "$b/on_report.json" >"$tmp/again"
check "report FILE reproduces the recording's own report" \
	sh -c "test -s '$tmp/printed' && cmp -s '$tmp/printed' '$tmp/again'"
# the SVG is drawn here, from the file the static guest binary wrote
cp "$b/on_rec.json" "$run/on.rec"
if "$PRTOP" report --svg "$run/on.svg" "$run/on.rec" >/dev/null 2>"$tmp/svg.err"; then
	check "SVG: valid XML with the throughput, reported and worker series" python3 -c '
import json, re, subprocess, sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
d = json.loads(subprocess.check_output([sys.argv[2], "report", "--json", sys.argv[3]]))
# a series is a 2-unit-wide stroke in its colour with a vertex per known
# point; cairo drops a vertex that lands on the one before it, and merges a
# segment that continues the one before in the same direction (a run of
# equal rates is one segment)
colours = {"ops": "rgb(10%,35%,75%)", "reported": "rgb(85%,40%,5%)", "runs": "rgb(55%,20%,60%)"}
want = {"ops": "ops_per_s", "reported": "reported_bytes_per_s", "runs": "worker_runs_per_s"}
for name, col in colours.items():
    paths = [p for p in root.iter() if p.tag.endswith("path") and col in (p.get("style") or "") and "stroke-width:2" in (p.get("style") or "")]
    pts = sum(1 + len(re.findall(r"L", p.get("d"))) for p in paths)
    tl = [(x["t"], x[want[name]]) for x in d["timeline"]]
    known = sum(1 for t, v in tl if v is not None)
    inner = sum(1 for a, b, c in zip(tl, tl[1:], tl[2:])
                if None not in (a[1], b[1], c[1])
                and abs((b[1] - a[1]) * (c[0] - b[0]) - (c[1] - b[1]) * (b[0] - a[0]))
                <= 1e-9 * (1 + abs(b[1])))
    assert paths and known >= 2 and known - inner - 2 <= pts <= known, (name, pts, known, inner)
' "$run/on.svg" "$PRTOP" "$run/on.rec"
	check "SVG: every vertex where its value and time put it on its panel's axes (0.5 unit)" python3 -c '
import json, math, re, subprocess, sys
import xml.etree.ElementTree as ET
# a panel is its black frame; its y axis runs from 0 at the bottom to a
# round top, 1, 2 or 5 times a power of ten at or above its largest value;
# the time axis from 0 at the left to the last interval at the right
root = ET.parse(sys.argv[1]).getroot()
d = json.loads(subprocess.check_output([sys.argv[2], "report", "--json", sys.argv[3]]))
def nice(v):
    if v <= 0:
        return 1
    p = 10 ** math.floor(math.log10(v))
    m = v / p
    return (1 if m <= 1 + 1e-12 else 2 if m <= 2 else 5 if m <= 5 else 10) * p
series = {"rgb(10%,35%,75%)": (0, "ops_per_s", 1), "rgb(85%,40%,5%)": (1, "reported_bytes_per_s", 2**-20),
          "rgb(20%,60%,20%)": (1, "reused_bytes_per_s", 2**-20), "rgb(55%,20%,60%)": (2, "worker_runs_per_s", 1),
          "rgb(10%,55%,60%)": (2, "batches_per_s", 1)}
tl = d["timeline"]
top = {}
for panel, key, sc in series.values():
    vals = [x[key] * sc for x in tl if x[key] is not None]
    top[panel] = max(top.get(panel, 0), max(vals) if vals else 0)
frames, seen = [], 0
for p in root.iter():
    if not p.tag.endswith("path"):
        continue
    st, dd = p.get("style") or "", p.get("d") or ""
    nums = [float(v) for v in re.findall(r"-?[0-9.]+", dd)]
    if "stroke-width:1;" in st and "stroke:rgb(0%,0%,0%)" in st and dd.count("L") == 3:
        frames.append((nums[0], nums[2], nums[1], nums[5]))
        continue
    col = re.search(r"stroke:(rgb\([^)]*\))", st)
    if "stroke-width:2;" not in st or not col or col.group(1) not in series:
        continue
    panel, key, sc = series[col.group(1)]
    left, right, ptop, bottom = frames[panel]
    want = [(left + (right - left) * x["t"] / tl[-1]["t"],
             bottom - (bottom - ptop) * x[key] * sc / nice(top[panel])) for x in tl if x[key] is not None]
    for px, py in zip(nums[0::2], nums[1::2]):
        assert any(abs(px - wx) <= 0.5 and abs(py - wy) <= 0.5 for wx, wy in want), (key, (px, py), want)
    seen += 1
assert len(frames) == 3 and seen >= 3, (frames, seen)
' "$run/on.svg" "$PRTOP" "$run/on.rec"
else
	not_ok "report --svg failed: $(cat "$tmp/svg.err")"
fi
check "bench --reps 2 with two settings: complete JSON" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["baseline"]["name"] == "off", d["baseline"]
names = [s["name"] for s in d["settings"]]
assert names == ["on", "order=10"], names
for s in d["settings"]:
    for k in ("ops_median", "stddev_pct", "change_pct", "ci95_pct", "with_prtop"):
        assert k in s, (k, s)
    assert s["change_pct"] is not None and s["ci95_pct"] is not None, s
assert isinstance(d["advice"], str) and d["advice"], d
' "$b/bench.json"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print("# bench: baseline %s %.0f ops/task/s ±%.1f%%" % (d["baseline"]["name"], d["baseline"]["ops_mean"], d["baseline"]["stddev_pct"]))
for s in d["settings"]:
    print("#   %-10s %+.1f%% ±%.1f%%  prtop %s%%" % (s["name"], s["change_pct"], s["ci95_pct"], s["with_prtop"]["change_pct"]))
print("# advice:", d["advice"])
' "$b/bench.json" 2>/dev/null
check "bench: change_pct from the arms' means, overhead and advice from the arms' figures, the injected -$SLOW % in off +prtop within its interval" \
	check_bench "$b/bench.json" "off +prtop" "$SLOW"
check "bench: memory back 0 with reporting off, known and within what pf1 freed with it on" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
base = d["baseline"]
assert base["name"] == "off" and base["memory_back_bytes_per_s"] == 0, base
for s in d["settings"]:
    m = s["memory_back_bytes_per_s"]
    # pf1 frees what it touched: 4 KiB per op, per task; at most that and
    # the free memory there was at the start (2 GiB guest) over a 4 s run
    freed = d["tasks"] * s["ops_mean"] * 4096 + (2 << 30) / 4
    assert m is not None and 0 <= m <= freed, (s["name"], m, freed)
    assert m == s["with_prtop"]["reported_bytes_per_s"], s
' "$b/bench.json"
check "the guest put page_reporting_order back" \
	sh -c "tr -d '\r' <'$log' | grep -q 'PRTOP-PROF bench rc=0 order=9'"
exit 0
