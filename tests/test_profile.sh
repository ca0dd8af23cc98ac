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
# (valid XML, the series in it); bench --reps 2 with two settings to the
# end, its JSON complete.  No timing is asserted: the figures are for
# the closing notes and make bench.
#
# Knobs: PRTOP_PROFILE_BENCH_REPS (2), PRTOP_PROFILE_BENCH_ARGS (two
# settings, a short pf1), PRTOP_PROFILE_KEEP=1 keeps $CACHE/qemu/profile.
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

tmp=$(mktemp -d)
trap 'qemu_stop; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# --- this machine: commands that are not ours ---
if command -v stress-ng >/dev/null 2>&1; then
	"$PRTOP" record -o "$tmp/s.rec" -- stress-ng --vm 1 --vm-bytes 256M -t 3 --quiet \
		>"$tmp/s.out" 2>"$tmp/s.err"
	rc=$?
	check "record around stress-ng --vm: its exit status (0, got $rc)" test $rc -eq 0
	check "... a report from wall time alone" \
		grep -q 'no will-it-scale lines: wall time and exit status only' "$tmp/s.out"
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
"$PRTOP" record -o "$tmp/x.rec" -- /nonexistent/cmd >/dev/null 2>"$tmp/x.err"
rc=$?
check "record: a command that cannot run: 127 and why ($rc)" \
	sh -c "test $rc -eq 127 && grep -q 'cannot run /nonexistent/cmd' '$tmp/x.err'"
"$PRTOP" record -o "$tmp/k.rec" -- sh -c 'kill -TERM $$' >/dev/null 2>&1
rc=$?
check "record: a command killed by SIGTERM: 143 ($rc)" test $rc -eq 143
expect_fail "record without a command" 2 "no command to run" "$PRTOP" record -o "$tmp/y.rec"
expect_fail "record: bad interval" 2 "invalid interval" "$PRTOP" record -d 0 -- true
expect_fail "record: a file in no directory: bad input, before attaching" 2 "no directory /nonexistent/dir/" \
	"$PRTOP" record -o /nonexistent/dir/f -- true
expect_fail "report: no file" 2 "which record file" "$PRTOP" report
expect_fail "report: not a record: bad input" 2 "not a prtop record file" "$PRTOP" report /etc/hostname
expect_fail "report: missing file: bad input" 2 "cannot open /nonexistent" "$PRTOP" report /nonexistent
expect_fail "bench: bad --set" 2 "wants NAME=V" "$PRTOP" bench --set order
expect_fail "bench: unknown knob in --set" 2 "unknown knob" "$PRTOP" bench --set frob=1 -- true
expect_fail "bench: --reps 1" 2 "invalid value '1'" "$PRTOP" bench --reps 1
if command -v setpriv >/dev/null 2>&1; then
	expect_fail "bench: not root" 1 "needs root" setpriv --reuid=65534 --regid=65534 \
		--clear-groups "$PRTOP" bench --refault
fi

# --- Debian's stock 6.1 guest ---
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
	echo "BENCH_ARGS='${PRTOP_PROFILE_BENCH_ARGS:---set order=10 --set order=9 -- pf1 --thp -t 2 -s 3 -w 1}'"
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
else
	not_ok "report --svg failed: $(cat "$tmp/svg.err")"
fi
check "bench --reps 2 with two settings: complete JSON" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["baseline"]["name"] == "off", d["baseline"]
names = [s["name"] for s in d["settings"]]
assert names == ["on", "order=10", "order=9"], names
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
check "the guest put page_reporting_order back" \
	sh -c "tr -d '\r' <'$log' | grep -q 'PRTOP-PROF bench rc=0 order=9'"
exit 0
