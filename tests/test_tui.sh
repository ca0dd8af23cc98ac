#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The live view in a real terminal (tmux), and batch mode's plain text.
# Every figure row of the live view is compared with the kernel's own files
# (/proc/buddyinfo, /sys/module/page_reporting/parameters) read by this
# script around the frame, at a quiet moment and on the first frame after a
# pause in which the test changed them; what prtop cannot know, with a -b -j
# sample.  Needs root (prtop attaches BPF programs) and tmux.
. tests/lib.sh
require tmux timeout

SOCK="prtop-test-$$"
T="tmux -L $SOCK"
S=prtop
tmp=$(mktemp -d)
watchdog=""

cleanup() {
	$T kill-server 2>/dev/null
	# the watchdog's shell before its sleep: a shell whose sleep dies first
	# can still print "watchdog fired" and kill this script (seen once)
	if [ -n "$watchdog" ]; then
		_c=$(pgrep -P "$watchdog")
		kill "$watchdog" 2>/dev/null
		kill $_c 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

start_watchdog 180 tui

screen() { $T capture-pane -p -t "$S" 2>/dev/null; }
sample_no() { screen | sed -n 's/.*sample \([0-9][0-9]*\).*/\1/p' | head -n 1; }
alive() { $T has-session -t "$S" 2>/dev/null; }

screen_has() { screen | grep -q -- "$1"; }
gone() { ! alive; }

# ---- batch mode ------------------------------------------------------------

timeout 30 "$PRTOP" -b -n 2 -d 1 >"$tmp/batch" 2>"$tmp/batch.err"
rc=$?
if [ $rc -eq 0 ]; then
	ok "batch: prtop -b -n 2 -d 1 exits 0"
else
	not_ok "batch: prtop -b -n 2 -d 1 exits 0: exit $rc, $(head -c 300 "$tmp/batch.err")"
fi
frames=$(grep -c '^prtop .* sample [0-9][0-9]*, ' "$tmp/batch")
if [ "$frames" -eq 2 ]; then
	ok "batch: 2 frames"
else
	not_ok "batch: 2 frames: got $frames"
fi
esc=$(tr -d -c '\033' <"$tmp/batch" | wc -c)
if [ -s "$tmp/batch" ] && [ "$esc" -eq 0 ]; then
	ok "batch: no escape codes"
else
	not_ok "batch: no escape codes: $esc ESC bytes in $(wc -c <"$tmp/batch") bytes"
fi
# a -b -j sample: what is unknown (null) must be n/a on the screen too
timeout 30 "$PRTOP" -b -j -n 2 -d 1 >"$tmp/batch.jsonl" 2>"$tmp/batch.jerr"
check "batch: prtop -b -j -n 2 -d 1 gives 2 JSON lines" \
	sh -c "python3 -c 'import json,sys; assert len([json.loads(l) for l in open(sys.argv[1])]) == 2' '$tmp/batch.jsonl'"
# --history N in -b -j frames: the last N slots, oldest first, the newest
# the frame's own (its rate the one the frame has)
timeout 30 "$PRTOP" -b -j -n 3 -d 0.5 --history 2 >"$tmp/hist.jsonl" 2>"$tmp/hist.err"
check "batch: -b -j --history 2 keeps 2 slots, the newest the frame's own rates" \
	python3 -c '
import json, sys
f = [json.loads(l) for l in open(sys.argv[1])]
h = [x["history"] for x in f]
assert [len(x["t_s"]) for x in h] == [1, 2, 2], h
for x, y in zip(f, h):
    r = x["reported_bytes_per_s"]
    assert (r is None) == (y["returned_mib_per_s"][-1] is None), (r, y)
    assert r is None or abs(r / 1048576 - y["returned_mib_per_s"][-1]) <= 0.001, (r, y)
assert h[1]["t_s"][1] == h[2]["t_s"][0] and h[2]["t_s"][0] < h[2]["t_s"][1], h
' "$tmp/hist.jsonl"
for sect in device knobs probes rates totals nents latency order reuse; do
	if grep -q "^$sect" "$tmp/batch"; then
		ok "batch: frame has a '$sect' line"
	else
		not_ok "batch: frame has a '$sect' line"
	fi
done

# ---- live view ---------------------------------------------------------------

PARAMS=/sys/module/page_reporting/parameters
passes() { cat "$PARAMS/passes" 2>/dev/null || echo 0; }
PASSES_LAUNCH=$(passes)
$T new-session -d -s "$S" -x 120 -y 40 -c "$PWD" \
	"$PRTOP -d 1 2>'$tmp/tui.err'; echo \$? >'$tmp/tui.rc'"
if ! wait_for 15 screen_has 'sample [0-9]'; then
	not_ok "tui: screen appears: $(head -c 300 "$tmp/tui.err" 2>/dev/null) $(screen | head -n 3)"
	exit 0
fi
ok "tui: screen appears"
PASSES_APPEAR=$(passes)
export PASSES_LAUNCH PASSES_APPEAR
screen >"$tmp/screen1"

rel=$(uname -r)
if head -n 1 "$tmp/screen1" | grep -qF "prtop $rel"; then
	ok "tui: header shows prtop and the kernel release"
else
	not_ok "tui: header shows prtop and the kernel release: $(head -n 1 "$tmp/screen1")"
fi

# every probe:mode token of batch mode's probes line is on the screen (the
# live view writes "-" for "—" when the locale is not UTF-8)
tokens=$(unwrapped "$tmp/batch" | sed -n 's/^probes: //p' | head -n 1 | sed 's/ (.*//' |
	tr ' ' '\n' |
	grep ':' | sed 's/\xe2\x80\x94/-/g')
sed 's/\xe2\x80\x94/-/g' "$tmp/screen1" >"$tmp/screen1.ascii"
missing=""
for tok in $tokens; do
	grep -qF -- "$tok" "$tmp/screen1.ascii" || missing="$missing $tok"
done
if [ -z "$tokens" ]; then
	grep -q 'worker:' "$tmp/screen1"
	check "tui: per-probe attach modes shown" test $? -eq 0
elif [ -z "$missing" ]; then
	ok "tui: per-probe attach modes shown ($(echo $tokens))"
else
	not_ok "tui: per-probe attach modes shown: missing$missing"
fi
if grep -q 'prtop doctor' "$tmp/screen1" || ! echo "$tokens" | grep -q ':-$'; then
	ok "tui: points at prtop doctor when a probe is missing"
else
	not_ok "tui: points at prtop doctor when a probe is missing"
fi

n1=$(sample_no)
sleep 2.5
n2=$(sample_no)
if [ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -gt "$n1" ]; then
	ok "tui: screen updates (sample $n1 -> $n2)"
else
	not_ok "tui: screen updates: sample '$n1' then '$n2'"
fi

$T send-keys -t "$S" p
if wait_for 3 screen_has PAUSED; then
	ok "tui: p shows PAUSED"
else
	not_ok "tui: p shows PAUSED"
fi
p1=$(sample_no)
sleep 2.5
p2=$(sample_no)
if [ -n "$p1" ] && [ "$p1" = "$p2" ]; then
	ok "tui: paused screen is frozen (sample $p1)"
else
	not_ok "tui: paused screen is frozen: sample '$p1' then '$p2'"
fi
$T send-keys -t "$S" p
if wait_for 3 sh -c "! $T capture-pane -p -t $S | grep -q PAUSED" && alive; then
	ok "tui: p again resumes"
else
	not_ok "tui: p again resumes: still PAUSED, or prtop is gone"
fi
sleep 1.5
r2=$(sample_no)
check "tui: samples go on after resume (sample $p1 -> $r2)" \
	sh -c "alive() { $T has-session -t $S 2>/dev/null; }; alive && test -n '$r2' && test '$r2' -gt '${p1:-0}'"

# ---- every figure row against the kernel's own files -----------------------
# /proc/buddyinfo and the page_reporting parameters, read by this script just
# before and after a frame is sampled (tui_figures: each row and its
# tolerance); what prtop cannot know, against a -b -j sample
cat >"$tmp/figs.py" <<'FIGSEOF'
# figs.py SCREEN T0 T1 JSON [A0 A1 ELAPSED_LO ELAPSED_HI]: every figure row
# of a live view screen against the kernel's files read by the test just
# before (T0) and after (T1) the frame was sampled, and against a -b -j
# sample (JSON) for what is unknown.  With A0 and A1 (the files read before
# and after the previous sample was taken) and the time between the two
# samples, the rates too: a counter's rise is between T0 - A1 and T1 - A0.
# Prints "ok - tui figures: ..." / "not ok - ..." lines.
import json, re, sys

scr = open(sys.argv[1]).read().split("\n")
t0, t1 = sys.argv[2], sys.argv[3]
js = json.loads(open(sys.argv[4]).read().strip().split("\n")[-1])
prev = sys.argv[5] if len(sys.argv) > 5 else None
prev1 = sys.argv[6] if prev else None
lo, hi = (float(sys.argv[7]), float(sys.argv[8])) if prev else (0, 0)
MIB = 1 << 20
fails = []

def say(good, what):
    print("%s - tui figures: %s" % ("ok" if good else "not ok", what))
    if not good:
        fails.append(what)

def params(d):
    return dict(l.split(" ", 1) for l in open(d + "/params").read().split("\n") if " " in l)

def free_mib(d):
    per = {}
    for l in open(d + "/buddyinfo"):
        for o, n in enumerate(l.split()[4:]):
            per[o] = per.get(o, 0) + int(n) * (4096 << o) / MIB
    return per

def line(prefix):
    for l in scr:
        if l.startswith(prefix):
            return l
    return None

def rate(s):
    """'12.3/s', '65536/s', '1.2k/s', '+4.00 MiB/s' -> per second (bytes for MiB/s)"""
    m = re.match(r"^\+?([0-9.]+)( MiB|[kMG]?)/s$", s)
    assert m, "not a rate: %r" % s
    return float(m.group(1)) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, " MiB": 1 << 20}[m.group(2)]

p0, p1 = params(t0), params(t1)
f0, f1 = free_mib(t0), free_mib(t1)
pa, pa1 = (params(prev), params(prev1)) if prev else (None, None)

def rise(name):
    """a counter's rise between the two samples: least, most"""
    return (max(0, int(p0[name]) - int(pa1[name])), int(p1[name]) - int(pa[name]))

# module parameters: each value equal to the file read around the frame;
# a counter's rate: 0 when it did not move, else its rise over the time
# between the two samples
rows = {}
i = next((k for k, l in enumerate(scr) if l.startswith("module parameters")), None)
for l in scr[i + 1:] if i is not None else []:
    m = re.match(r"^  (\S+) += (\S+)(?:\s+(.*))?$", l)
    if not m:
        break
    rows[m.group(1)] = (m.group(2), m.group(3) or "")
say(bool(rows) and set(rows) == set(p0),
    "a row for each file in /sys/module/page_reporting/parameters (%s)" % " ".join(sorted(rows)))
def between(v, a, b):
    """v equal to a file read before and after the sample (a counter that
    moved meanwhile: between the two)"""
    if a == b or not all(re.match(r"^\d+$", x or "") for x in (v, a, b)):
        return v == a == b
    return int(a) <= int(v) <= int(b)
for name, (val, note) in sorted(rows.items()):
    say(between(val, p0.get(name), p1.get(name)),
        "params %s = %s on screen, %s..%s in the file" % (name, val, p0.get(name), p1.get(name)))
    if "the kernel's counter" not in note:
        continue
    r = note.split(",")[0]
    if not prev:
        # judged only when the counter stood still around both samples
        if p0.get(name) == p1.get(name):
            say(rate(r) == 0, "params %s: rate %s, the counter stood still" % (name, r))
        continue
    # a counter whose name states its unit is shown in MiB/s
    unit = 1024 if name.endswith("_kib") else 1
    d_lo, d_hi = (x * unit for x in rise(name))
    got = rate(r)
    want_lo, want_hi = d_lo / hi, d_hi / lo
    # fmt_per_s keeps three significant digits, MiB/s two decimals
    slack = 0.005 * (1 << 20 if name.endswith("_kib") else 1)
    say(want_lo * 0.99 - slack <= got <= want_hi * 1.01 + slack,
        "params %s: rate %s, the counter rose %d..%d in %.1f..%.1f s (%.3g..%.3g/s)" %
        (name, r, d_lo, d_hi, lo, hi, want_lo, want_hi))

# knobs: the order is the module parameter; capacity and delay the -b -j sample's
k = line("knobs")
m = re.match(r"^knobs +order (\d+) .* capacity (\d+) .* delay (\d+) ms", k or "")
say(bool(m) and m.group(1) == p0.get("page_reporting_order") and
    int(m.group(2)) == js["knobs"]["capacity"]["value"] and
    int(m.group(3)) == js["knobs"]["delay_ms"]["value"],
    "knobs %s: order = page_reporting_order %s, capacity and delay as -b -j (%s, %s)" %
    (m.groups() if m else k, p0.get("page_reporting_order"),
     js["knobs"]["capacity"]["value"], js["knobs"]["delay_ms"]["value"]))

# free lists: each order's free MiB against /proc/buddyinfo read around the
# frame (1 MiB + 1 % for what moved meanwhile; a page counted as 1 KiB, a
# row one order off or a sample old are far outside it)
i = next((k for k, l in enumerate(scr) if re.search(r"\border +free MiB", l)), None)
col = scr[i].index("order") if i is not None else 0
orders = {}
for l in scr[i + 1:] if i is not None else []:
    m = re.match(r"^ *(\d+) +(\S+) +(\S+) +(\S+) +(\S+)$", l[col:])
    if not m:
        break
    orders[int(m.group(1))] = m.groups()[1:]
want_orders = [o["order"] for o in js["per_order"]
               if o["order"] >= int(p0.get("page_reporting_order", 99))]
say(bool(orders) and sorted(orders) == want_orders,
    "the orders table has the rows of -b -j from page_reporting_order up (%s)" % sorted(orders))
for o, (free, rep, reu, cyc) in sorted(orders.items()):
    a, b = f0.get(o, 0), f1.get(o, 0)
    tol = 1 + 0.01 * max(a, b) + abs(a - b)
    say(free != "n/a" and abs(float(free) - a) <= tol,
        "order %d: %s free MiB on screen, %.1f..%.1f MiB in /proc/buddyinfo" % (o, free, a, b))
    jo = next(x for x in js["per_order"] if x["order"] == o)
    for s, key in ((rep, "reported_bytes"), (reu, "reused_bytes"), (cyc, "cycles")):
        say((s == "n/a") == (jo[key] is None),
            "order %d: %s %s on screen, %s in -b -j" % (o, key, s, jo[key]))

# the kernel's run count, prtop's worker runs (totals, rates, latency
# counts, check line): prtop sees every run the kernel counts in passes
d_pass, d_pass_hi = rise("passes") if prev else (0, 0)
t = line("totals")
m = re.search(r"worker runs (\d+)", t or "")
runs = int(m.group(1)) if m else None
c = line("check")
m = re.match(r"^check +kernel passes \+(\d+), prtop worker runs (\d+) over ([0-9.]+) s: agree", c or "")
import os
launch, appear = int(os.environ["PASSES_LAUNCH"]), int(os.environ["PASSES_APPEAR"])
say(bool(m) and runs is not None and int(m.group(2)) == runs and
    int(p0["passes"]) - appear <= int(m.group(1)) == runs <= int(p1["passes"]) - launch,
    "check line %r: the kernel's passes rose %d..%d since prtop started, totals' worker runs %s" %
    (c, int(p0["passes"]) - appear, int(p1["passes"]) - launch, runs))
r = line("rates")
m = re.search(r"worker runs (\S+)", r or "")
got = rate(m.group(1)) if m else None
if prev:
    ok_rate = got is not None and d_pass / hi * 0.99 - 0.005 <= got <= d_pass_hi / lo * 1.01 + 0.005
else:
    # judged only when no run happened around both samples
    ok_rate = got == 0 or p0["passes"] != p1["passes"]
say(ok_rate, "rates: worker runs %s, the kernel's passes rose %d..%d (%s..%s around the sample)" %
    (got, d_pass, d_pass_hi, p0["passes"], p1["passes"]))
# the headline: memory returned, known exactly when -b -j has a source for it
h = line("memory")
m = re.match(r"^memory +returned (\S+)", h or "")
say(bool(m) and (m.group(1) == "n/a") == (js["reported_bytes_total"] is None) and
    (js["reported_source"] != "kernel:reported_kib" or "(kernel's counter)" in h),
    "headline %r: known as in -b -j (%s, source %s)" % (h, js["reported_bytes_total"],
                                                       js["reported_source"]))
for key, name in (("batches", "batches_total"),
                  ("notifies", "notify_total"), ("reused", "reuse_bytes_total")):
    m = re.search(r"\b%s (\S+)" % key, r or "")
    say(bool(m) and (m.group(1) == "n/a") == (js[name] is None),
        "rates: %s %s on screen, %s %s in -b -j" % (key, m.group(1) if m else None, name, js[name]))
for row, key in (("worker run time", "worker_run_ns"), ("request", "request_delay_ns")):
    l = line(row)
    n = l.split()[3 if row == "worker run time" else 2] if l else None
    say(n is not None and (runs is not None and int(n) <= runs) and js[key]["count"] is not None,
        "latency %s: count %s, at most the %s worker runs" % (row, n, runs))
sys.exit(1 if fails else 0)
FIGSEOF
truth() {
	mkdir -p "$1"
	cat /proc/buddyinfo >"$1/buddyinfo"
	for f in "$PARAMS"/*; do
		[ -r "$f" ] && echo "$(basename "$f") $(cat "$f")"
	done >"$1/params"
}
# quiet: no parameter moved and no order's free list by more than 1 MiB + 1 %
quiet() {
	cmp -s "$1/params" "$2/params" && python3 - "$1/buddyinfo" "$2/buddyinfo" <<'PYEOF'
import sys
def per_order(f):
    pages = {}
    for l in open(f):
        for o, n in enumerate(l.split()[4:]):
            pages[o] = pages.get(o, 0) + (int(n) << o)
    return pages
a, b = per_order(sys.argv[1]), per_order(sys.argv[2])
sys.exit(0 if all(abs(a[o] - b.get(o, 0)) * 4096 <= (1 << 20) + 0.01 * max(a[o], b.get(o, 0)) * 4096
                  for o in a) else 1)
PYEOF
}
# frame_after N: until the screen shows a sample after N (sets $frame)
frame_after() {
	frame=""
	_i=0
	while [ $_i -lt 30 ]; do
		frame=$(sample_no)
		[ -n "$frame" ] && [ "$frame" -gt "$1" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# a quiet moment: the files, two frames (the sample and the one its rates
# are from), the files again; up to 6 tries while the machine is busy
i=0
while [ $i -lt 6 ]; do
	truth "$tmp/q0"
	frame_after "$(($(sample_no) + 1))"
	screen >"$tmp/qscreen"
	truth "$tmp/q1"
	quiet "$tmp/q0" "$tmp/q1" && break
	i=$((i + 1))
done
echo "# quiet frame $frame after $i busy tries"
python3 "$tmp/figs.py" "$tmp/qscreen" "$tmp/q0" "$tmp/q1" "$tmp/batch.jsonl" ||
	sed 's/^/# /' "$tmp/qscreen"

# a frame whose sample is a known change away from the previous one: pause
# right after a frame, free 2400 MiB (over this kernel's max_waiting_mib:
# its worker runs, its counters rise) and hold 1 GiB, resume (a fresh
# sample at once): the first frame after must show the files as they are
# now, and the counters' rises over the time between the two samples
# resume_frame: one pause / change / resume; 0 when the kernel's files
# stood still while each of the two samples was taken, 1 when they moved (the
# figures are then judged between the reads around each sample: a wider
# range, still one a unit or factor error falls outside), 2 when the frame
# is not the sample after the paused one
resume_frame() {
	truth "$tmp/a0"
	t_a0=$(now_ms)
	frame_after "$(sample_no)"
	$T send-keys -t "$S" p
	t_p=$(now_ms)
	wait_for 3 screen_has PAUSED
	truth "$tmp/a1"
	paused=$(sample_no)
	"$TOOLS/memhog" -m 2400 -H 0 -q >/dev/null 2>&1
	p_before=$(passes)
	_i=0
	while [ $_i -lt 16 ] && [ "$(passes)" = "$p_before" ]; do
		sleep 0.5
		_i=$((_i + 1))
	done
	_i=0
	while [ $_i -lt 10 ]; do
		truth "$tmp/b0"
		sleep 1.5
		truth "$tmp/b1"
		cmp -s "$tmp/b0/params" "$tmp/b1/params" && break
		_i=$((_i + 1))
	done
	"$TOOLS/memhog" -m 1024 -H 60 -q >"$tmp/hold.out" 2>&1 &
	hold=$!
	wait_for 20 grep -q 'MEMHOG touched' "$tmp/hold.out"
	truth "$tmp/b0"
	$T send-keys -t "$S" p
	t_r=$(now_ms)
	frame_after "$paused"
	screen >"$tmp/rscreen"
	t_f=$(now_ms)
	truth "$tmp/b1"
	kill -USR1 "$hold" 2>/dev/null
	wait "$hold" 2>/dev/null
	[ "$frame" = $((paused + 1)) ] || return 2
	cmp -s "$tmp/a0/params" "$tmp/a1/params" && cmp -s "$tmp/b0/params" "$tmp/b1/params" ||
		return 1
}
# a quiet one in 3 tries, else the last (this machine's worker can run every
# second for minutes: 12 passes in 6 s were seen in CI)
i=0
while :; do
	resume_frame
	rrc=$?
	[ $rrc -ne 0 ] && [ $i -lt 2 ] || break
	i=$((i + 1))
done
if [ $rrc -ne 2 ]; then
	# the previous sample: between a0 and just after the pause key; this
	# one: between the resume key and the capture
	lo=$(((t_r - t_p - 300) / 100))
	hi=$(((t_f - t_a0 + 99) / 100))
	echo "# resumed: frame $frame, $((lo / 10)).$((lo % 10))..$((hi / 10)).$((hi % 10)) s after the paused one ($i busy tries, $([ $rrc = 0 ] && echo quiet || echo "the files moved"))"
	python3 "$tmp/figs.py" "$tmp/rscreen" "$tmp/b0" "$tmp/b1" "$tmp/batch.jsonl" "$tmp/a0" "$tmp/a1" \
		"$((lo / 10)).$((lo % 10))" "$((hi / 10)).$((hi % 10))" || sed 's/^/# /' "$tmp/rscreen"
else
	not_ok "tui figures: the frame after resume is the sample after the paused one (frame '$frame', want $((paused + 1)))"
fi

$T send-keys -t "$S" h
if wait_for 3 screen_has 'live view of free page reporting'; then
	ok "tui: h shows help"
else
	not_ok "tui: h shows help"
fi
$T send-keys -t "$S" x
if wait_for 3 sh -c "! $T capture-pane -p -t $S | grep -q 'press any key'" && alive; then
	ok "tui: any key closes help"
else
	not_ok "tui: any key closes help"
fi

$T send-keys -t "$S" q
if wait_for 3 gone; then
	ok "tui: q exits"
	rc=$(cat "$tmp/tui.rc" 2>/dev/null)
	if [ "$rc" = 0 ]; then
		ok "tui: exit status 0"
	else
		not_ok "tui: exit status 0: got '$rc', $(head -c 300 "$tmp/tui.err")"
	fi
else
	not_ok "tui: q exits: session still there after 3 s"
fi

# ---- a small terminal keeps the live figures; + and - come back to -d ------

$T new-session -d -s small -x 60 -y 15 -c "$PWD" "$PRTOP -d 300 2>'$tmp/small.err'"
if wait_for 15 sh -c "$T capture-pane -p -t small | grep -q 'sample [0-9]'"; then
	$T capture-pane -p -t small >"$tmp/small"
	check "tui 60x15: the latency table is on screen" \
		sh -c "grep -q '^latency' '$tmp/small' && grep -q 'worker run time' '$tmp/small'"
	every0=$(sed -n 's/.*every \([^ ]* [^ ]*\) .*/\1/p' "$tmp/small" | head -n 1)
	$T send-keys -t small -- -
	sleep 0.5
	$T send-keys -t small -- +
	sleep 0.5
	every1=$($T capture-pane -p -t small | sed -n 's/.*every \([^ ]* [^ ]*\) .*/\1/p' | head -n 1)
	check "tui: - then + returns to -d 300 ('$every0' -> '$every1')" \
		sh -c "test -n '$every0' && test '$every0' = '$every1'"
else
	not_ok "tui 60x15: screen appears: $(head -c 300 "$tmp/small.err")"
fi
$T kill-session -t small 2>/dev/null

# ---- history strips against their own data and the kernel's counter ------
# Two live views with --history and --json-log (each frame also as a -j
# line): 120x40 under UTF-8, 80x24 under LC_ALL=C.  memhog frees 2400 MiB,
# more than this kernel's max_waiting_mib (1024), so the kernel reports; the
# test logs reported_kib itself every 20 ms.  Each strip's cells must be the
# levels recomputed from the -j line of the frame on screen (hist.py: the
# scaling rule), unknown a gap; the returned MiB/s slots must match the rise
# of reported_kib between the samples' times (-T).  About 20 s.
# strips.py: what hist.py and hview.py (the host view's strips, below) share,
# imported by both from the folder they run from
cat >"$tmp/strips.py" <<'STRIPSEOF'
# strips.setup(WHAT, SCREEN, JSONL, ASCII): the screen's lines, the -j
# frames by sample and the strips' glyphs; say() prints "ok - WHAT: ..." or
# "not ok - WHAT: ..." and keeps the failures in fails
import json, math
LABEL_W, SCALE_W = 11, 19
fails = []
what_, TOP = "", 8
def setup(what, screen, jsonl, ascii_):
    global what_, TOP
    what_, TOP = what, 7 if ascii_ else 8
    scr = open(screen, encoding="utf-8", errors="replace").read().split("\n")
    frames = {}
    for l in open(jsonl):
        if l.strip():
            j = json.loads(l)
            frames[j["sample"]] = j
    return scr, frames, " .:-=+*#" if ascii_ else " \u2581\u2582\u2583\u2584\u2585\u2586\u2587\u2588"
def say(good, what):
    print("%s - %s: %s" % ("ok" if good else "not ok", what_, what))
    if not good:
        fails.append(what)
def level(v, mx):
    # history.h: 1 + floor(v / max * (top - 1) + 0.5), clamped; 1 for 0
    if not (mx > 0) or not (v > 0):
        return 1
    return 1 + min(TOP - 1, int(math.floor(v / mx * (TOP - 1) + 0.5)))
STRIPSEOF
cat >"$tmp/hist.py" <<'HISTEOF'
# hist.py SCREEN JSONL KIBLOG COLS ASCII NAME: prints ok / not ok lines
import sys, datetime
from strips import LABEL_W, SCALE_W, fails, say, level, setup
cols, ascii_, name = int(sys.argv[4]), sys.argv[5] == "1", sys.argv[6]
scr, frames, GLYPH = setup("history " + name, sys.argv[1], sys.argv[2], ascii_)
kib = [tuple(map(float, l.split())) for l in open(sys.argv[3]) if len(l.split()) == 2]
FIGS = [("returned", "returned_mib_per_s", "MiB/s", 1), ("reportable", "reportable_mib", "MiB", 1),
        ("runs", "worker_runs_per_s", "/s", 2), ("reused", "reused_mib_per_s", "MiB/s", 1),
        ("unreported", "backlog_mib", "MiB", 1)]

sample = None
for l in scr:
    if " sample " in l:
        sample = int(l.split(" sample ")[1].split()[0])
        break
js = frames.get(sample)
say(js is not None and "history" in js, "the -j line of sample %s is in the log" % sample)
if js is None:
    sys.exit(1)
h = js["history"]
w = cols - LABEL_W - SCALE_W
shown = 0
for label, key, unit, dec in FIGS:
    line = next((l for l in scr if l.startswith(label + " ")), None)
    if line is None:
        continue
    shown += 1
    vals = h[key][-w:]
    known = [v for v in vals if v is not None]
    mx = max(known) if known else None
    want = "".join(GLYPH[0] if v is None else GLYPH[level(v, mx)] for v in vals)
    want = " " * (w - len(vals)) + want
    got = line[LABEL_W:LABEL_W + w]
    say(got == want, "%s strip equals the levels of its %d -j values, max %s (screen %r, want %r)"
        % (label, len(vals), mx, got[-24:], want[-24:]))
    scale = "max n/a" if mx is None else "max %.*f %s" % (dec, mx, unit)
    say(line[LABEL_W + w + 1:].rstrip() == scale, "%s scale %r (want %r)"
        % (label, line[LABEL_W + w + 1:].rstrip(), scale))
    gaps = sum(1 for v in vals if v is None)
    zeros = sum(1 for v in vals if v == 0)
    say(got.count(GLYPH[0]) == gaps + w - len(vals) and got.count(GLYPH[1]) >= zeros,
        "%s: %d unknown slots are gaps, %d known zeros the baseline" % (label, gaps, zeros))
rows = len(scr) - (scr[-1] == "")
say(shown >= (4 if cols >= 120 and rows >= 40 else 1), "%d strips on a %dx%d screen" % (shown, cols, rows))
say(all(ord(c) < 128 for l in scr for c in l) if ascii_ else
    any(c in GLYPH[1:] for l in scr for c in l), "LC_ALL=C screen is ASCII only" if ascii_
    else "UTF-8 screen draws eighth blocks")

# unknown is null, never 0: no window before the first sample; a figure
# without a source (null in -j) null in every slot
n = len(h["t_s"])
first = js["sample"] - n + 1
if first == 1:
    say(all(h[k][0] is None for k in ("returned_mib_per_s", "worker_runs_per_s", "reused_mib_per_s")),
        "the first sample's rates are null (no window yet)")
for key, src in (("reused_mib_per_s", "reuse_bytes_total"), ("worker_runs_per_s", "worker_runs_total"),
                 ("returned_mib_per_s", "reported_bytes_total")):
    if js[src] is None:
        say(all(v is None for v in h[key]), "%s all null: %s is null" % (key, src))

# the backlog's slot is the frame's own backlog (its last scan), in MiB
bl = (js.get("backlog") or {}).get("bytes")
nb = h["backlog_mib"][-1]
say((nb is None) == (bl is None) and (bl is None or abs(bl / 1048576 - nb) <= 0.001),
    "newest backlog_mib %s is the frame's backlog.bytes %s in MiB" % (nb, bl))

# returned MiB/s against reported_kib read by the test: each slot is the
# rise between two samples' times (-T); the test's reads bracket them
def ts(j):
    return datetime.datetime.strptime(j["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
def kib_at(t, side):
    # the last read before t - 0.1 s, or the first after t + 0.1 s
    if side < 0:
        c = [k for (tt, k) in kib if tt <= t - 0.1]
        return c[-1] if c else None
    c = [k for (tt, k) in kib if tt >= t + 0.1]
    return c[0] if c else None
checked = moved = 0
total_got = total_lo = total_hi = 0.0
for i, v in enumerate(h["returned_mib_per_s"]):
    a, b = frames.get(first + i - 1), frames.get(first + i)
    if v is None or a is None or b is None:
        continue
    ta, tb = ts(a), ts(b)
    lo_a, hi_a, lo_b, hi_b = kib_at(ta, 1), kib_at(ta, -1), kib_at(tb, -1), kib_at(tb, 1)
    if None in (lo_a, hi_a, lo_b, hi_b):
        continue
    dt = h["t_s"][i] - h["t_s"][i - 1]
    got = v * dt  # MiB
    lo, hi = (lo_b - lo_a) / 1024, (hi_b - hi_a) / 1024
    ok_ = lo * 0.99 - 0.01 <= got <= hi * 1.01 + 0.01
    checked += 1
    moved += hi > 1
    total_got += got
    total_lo += lo
    total_hi += hi
    if not ok_:
        say(False, "sample %d: returned %.3f MiB/s x %.3f s = %.1f MiB, reported_kib rose %.1f..%.1f MiB"
            % (first + i, v, dt, got, lo, hi))
say(checked >= 5 and moved >= 1 and not [f for f in fails if f.startswith("sample")],
    "returned MiB/s of %d slots (%d with reporting) within reported_kib's rise between their samples"
    % (checked, moved))
# the slots' sum telescopes: from the earliest sample at which
# reported_kib stood still (within the test's reads around it) to the
# latest, bracketed only there; 0.5 % + 2 MiB for the values' and times'
# rounding (MB for MiB is 4.6 % off)
def still(i):
    f = frames.get(first + i)
    if f is None:
        return None
    a, b = kib_at(ts(f), -1), kib_at(ts(f), 1)
    return ts(f) if a is not None and a == b else None
ends = [i for i in range(n) if still(i) is not None]
if len(ends) >= 2 and ends[-1] > ends[0]:
    i0, i1 = ends[0], ends[-1]
    span = range(i0 + 1, i1 + 1)
    vals = [h["returned_mib_per_s"][i] for i in span]
    total = sum(v * (h["t_s"][i] - h["t_s"][i - 1]) for i, v in zip(span, vals) if v is not None)
    rise = (kib_at(still(i1), -1) - kib_at(still(i0), -1)) / 1024
    say(None not in vals and total > 64 and abs(total - rise) <= rise * 0.005 + 2,
        "returned over samples %d..%d: %.1f MiB; reported_kib rose %.1f MiB between them"
        % (first + i0, first + i1, total, rise))
else:
    say(False, "two samples at which reported_kib stood still (%s)" % ends)
sys.exit(1 if fails else 0)
HISTEOF
KIB=/sys/module/page_reporting/parameters/reported_kib
if [ -r "$KIB" ]; then
	# reported_kib with the wall-clock time, every 20 ms, until killed
	python3 -c '
import sys, time
out = open(sys.argv[2], "w", buffering=1)
while True:
    out.write("%.3f %s\n" % (time.time(), open(sys.argv[1]).read().strip()))
    time.sleep(0.02)' "$KIB" "$tmp/kib.log" &
	kiblog=$!
	$T new-session -d -s h1 -x 120 -y 40 -c "$PWD" \
		"LC_ALL=C.UTF-8 $PRTOP -d 1 -T --history 90 --json-log '$tmp/h1.jsonl' 2>'$tmp/h1.err'; echo \$? >'$tmp/h1.rc'"
	$T new-session -d -s h2 -x 80 -y 24 -c "$PWD" \
		"LC_ALL=C $PRTOP -d 1 -T --history 90 --json-log '$tmp/h2.jsonl' 2>'$tmp/h2.err'; echo \$? >'$tmp/h2.rc'"
	hscr() { $T capture-pane -p -t "$1" 2>/dev/null; }
	hsample() { hscr "$1" | sed -n 's/.*sample \([0-9][0-9]*\).*/\1/p' | head -n 1; }
	if wait_for 15 sh -c "$T capture-pane -p -t h1 | grep -q 'sample [3-9]'" &&
		wait_for 5 sh -c "$T capture-pane -p -t h2 | grep -q 'sample [3-9]'"; then
		echo "# history: screens up at $(date +%T.%N | cut -c1-12)"
		# 2400 MiB (as above), again once if the kernel reported under 64 MiB
		# (memory other work took meanwhile): too little to tell MB from MiB
		try=0
		while [ $try -lt 2 ]; do
			try=$((try + 1))
			kib0=$(cat "$KIB")
			"$TOOLS/memhog" -m 2400 -H 0 -q >/dev/null 2>&1
			echo "# history: memhog done at $(date +%T.%N | cut -c1-12)"
			# until reported_kib rises (the worker runs 2 s after the free,
			# at most 10 s), then until it stands still for 2 s (at most 20 s)
			_i=0
			while [ $_i -lt 20 ] && [ "$(cat "$KIB")" = "$kib0" ]; do
				sleep 0.5
				_i=$((_i + 1))
			done
			_i=0
			last=$(cat "$KIB")
			still=0
			while [ $_i -lt 40 ] && [ $still -lt 4 ]; do
				sleep 0.5
				now=$(cat "$KIB")
				if [ "$now" = "$last" ]; then still=$((still + 1)); else still=0; fi
				last=$now
				_i=$((_i + 1))
			done
			[ $(((last - kib0) / 1024)) -ge 64 ] && break
		done
		echo "# history: reporting settled at $(date +%T.%N | cut -c1-12)"
		for s in h1 h2; do
			n0=$(hsample $s)
			wait_for 3 sh -c "test \"\$($T capture-pane -p -t $s | sed -n 's/.*sample \([0-9][0-9]*\).*/\1/p' | head -n 1)\" -gt '$n0'"
			hscr $s >"$tmp/$s.screen"
		done
		sleep 0.3
		kill "$kiblog" 2>/dev/null
		wait "$kiblog" 2>/dev/null
		python3 "$tmp/hist.py" "$tmp/h1.screen" "$tmp/h1.jsonl" "$tmp/kib.log" 120 0 120x40 ||
			sed 's/^/# /' "$tmp/h1.screen"
		python3 "$tmp/hist.py" "$tmp/h2.screen" "$tmp/h2.jsonl" "$tmp/kib.log" 80 1 "80x24 LC_ALL=C" ||
			sed 's/^/# /' "$tmp/h2.screen"
		for s in h1 h2; do
			$T send-keys -t $s q
			wait_for 3 sh -c "! $T has-session -t $s 2>/dev/null"
			check "history $s: q exits with status 0 (got '$(cat "$tmp/$s.rc" 2>/dev/null)')" \
				test "$(cat "$tmp/$s.rc" 2>/dev/null)" = 0
		done
	else
		not_ok "history: screens appear: $(head -c 300 "$tmp/h1.err" "$tmp/h2.err" 2>/dev/null)"
	fi
	kill "$kiblog" 2>/dev/null
	$T kill-session -t h1 2>/dev/null
	$T kill-session -t h2 2>/dev/null
else
	not_ok "history: no $KIB on this kernel to check returned MiB/s against"
fi

# ---- prtop host's live view, with a process that looks like a VMM ----------
# madvloop copied under a VMM's name: found by its executable's name, its
# discards counted and shown on the screen
fake=$tmp/qemu-system-x86_64
cp "$TOOLS/madvloop" "$fake"
"$fake" -s 60 >"$tmp/fake.out" 2>&1 &
fpid=$!
$T new-session -d -s host -x 130 -y 30 -c "$PWD" \
	"$PRTOP host 0.5 2>'$tmp/host.err'; echo \$? >'$tmp/host.rc'"
hscreen() { $T capture-pane -p -t host 2>/dev/null; }
hsample() { hscreen | sed -n 's/^sample \([0-9][0-9]*\),.*/\1/p' | head -n 1; }
if wait_for 15 sh -c "$T capture-pane -p -t host | grep -q '^sample [1-9]'"; then
	ok "host tui: screen appears"
	s1=$(hsample)
	sleep 1.5
	s2=$(hsample)
	check "host tui: screen updates (sample $s1 -> $s2)" sh -c "test -n '$s1' && test -n '$s2' && test '$s2' -gt '$s1'"
	hscreen >"$tmp/hs"
	# its row (the name cut to its column), then its name as given (the
	# kernel cuts comm at 15 characters) and the VMM that name means
	check "host tui: the fake VMM (pid $fpid) has a row, then qemu-system-x86 (qemu)" \
		sh -c "grep -A1 -E '^ *$fpid +qemu-syste ' '$tmp/hs' | grep -q '^ *qemu-system-x86 (qemu)'"
	check "host tui: its discards are counted (dontneed on the methods line)" \
		grep -q "methods: dontneed" "$tmp/hs"
	check "host tui: the probes line is on screen" grep -q "^probes: madvise" "$tmp/hs"
	$T send-keys -t host q
	if wait_for 3 sh -c "! $T has-session -t host 2>/dev/null"; then
		check "host tui: q exits with status 0 (got '$(cat "$tmp/host.rc" 2>/dev/null)')" \
			test "$(cat "$tmp/host.rc" 2>/dev/null)" = 0
	else
		not_ok "host tui: q exits: session still there after 3 s"
	fi
else
	not_ok "host tui: screen appears: $(head -c 300 "$tmp/host.err" 2>/dev/null) $(hscreen | head -n 3)"
fi
$T kill-session -t host 2>/dev/null

# ---- prtop host's live view: the engine's keys, sorting, history strips ---
# The fake VMM above and a process discarding 2 MiB every 0.1 s (python,
# light on the CPU), watched by --pid on a 120x40 UTF-8 screen and an 80x24
# LC_ALL=C one, each with --history and --json-log (the frame on screen as
# a -j line).  The keys every live view answers (h ? + - p, resize, q);
# the rows' order after < > and I against the order the -j figures of the
# frame on screen imply; each strip's cells against the levels of its
# --history values.  About 15 s.
cat >"$tmp/pacer.py" <<'PACEEOF'
import mmap, os, sys, time
size, secs = int(sys.argv[1]) << 20, float(sys.argv[2])
m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
m.madvise(mmap.MADV_DONTFORK)  # guest RAM as QEMU marks it
print("pid: %d" % os.getpid(), flush=True)
end = time.time() + secs
while time.time() < end:
    for off in range(0, size, 4096):
        m[off] = 1
    m.madvise(mmap.MADV_DONTNEED)
    time.sleep(0.1)
PACEEOF
cat >"$tmp/hview.py" <<'HVEOF'
# hview.py SCREEN JSONL COLS ASCII NAME COL DIR: prints ok / not ok lines
import sys
from strips import LABEL_W, SCALE_W, fails, say, level, setup
cols, ascii_, name, col, dir_ = int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5], sys.argv[6], sys.argv[7]
scr, frames, GLYPH = setup("host view " + name, sys.argv[1], sys.argv[2], ascii_)
sample = next((int(l.split()[1].rstrip(",")) for l in scr if l.startswith("sample ")), None)
js = frames.get(sample)
say(js is not None and "history" in js, "the -j line of sample %s is in the log" % sample)
if js is None:
    sys.exit(1)
say(any(l.startswith("sample ") and "sort %s %s" % (col, dir_) in l for l in scr),
    "the header names the sort: %s %s" % (col, dir_))
# the rows' order against the -j figures of the same frame (ties by pid;
# unknown last)
KEY = {"DISCARD/s": lambda v: v["window"]["discarded_bytes"],
       "DISCARDED": lambda v: v["discarded_bytes"],
       "REFAULTED": lambda v: v["refaulted_bytes"],
       "PID": lambda v: v["pid"]}
head = next(i for i, l in enumerate(scr) if l.split()[:2] == ["PID", "NAME"])
pids = set(v["pid"] for v in js["vms"])
rows = [int(l.split()[0]) for l in scr[head + 1:] if l.split() and l.split()[0].isdigit()
        and int(l.split()[0]) in pids and not l.split()[1] in ("dis", "ref")]
vms = sorted(js["vms"], key=lambda v: v["pid"])
known = [v for v in vms if KEY[col](v) is not None]
known.sort(key=KEY[col], reverse=(dir_ == "desc"))
want = [v["pid"] for v in known] + [v["pid"] for v in vms if KEY[col](v) is None]
figs = [KEY[col](v) for v in known]
say(rows == want and len(set(figs)) == len(figs) and len(rows) >= 2,
    "rows by %s %s: %s, the -j figures %s imply %s" % (col, dir_, rows, figs, want))
# the strips: label "PID dis" / "PID ref", cells from column 11, the
# scale after them; the levels of history.h against the -j values
w = cols - LABEL_W - SCALE_W
h = js["history"]
shown = 0
for hv in h["vms"]:
    for kind, key in (("dis", "discard_mib_per_s"), ("ref", "refault_mib_per_s")):
        label = "%6d %s" % (hv["pid"], kind)
        line = next((l for l in scr if l.startswith(label)), None)
        if line is None:
            continue
        shown += 1
        vals = hv[key][-w:]
        kn = [v for v in vals if v is not None]
        mx = max(kn) if kn else None
        want = " " * (w - len(vals)) + "".join(
            GLYPH[0] if v is None else GLYPH[level(v, mx)] for v in vals)
        got = line[LABEL_W:LABEL_W + w]
        say(got == want, "%s strip equals the levels of its %d -j values, max %s (screen %r, want %r)"
            % (label.strip(), len(vals), mx, got[-20:], want[-20:]))
        scale = "max n/a" if mx is None else "max %.1f MiB/s" % mx
        say(line[LABEL_W + w + 1:].rstrip() == scale, "%s scale %r (want %r)"
            % (label.strip(), line[LABEL_W + w + 1:].rstrip(), scale))
        if len(h["t_s"]) == js["sample"]:
            say(vals[0] is None, "%s: the first sample has no window: a gap" % label.strip())
say(shown >= 4, "%d strips (two VMs, discard and refault) on a %d-column screen" % (shown, cols))
say(all(ord(c) < 128 for l in scr for c in l) if ascii_ else
    any(c in GLYPH[1:] for l in scr for c in l),
    "LC_ALL=C screen is ASCII only" if ascii_ else "UTF-8 screen draws eighth blocks")
sys.exit(1 if fails else 0)
HVEOF
hv_t0=$(date +%s)
python3 "$tmp/pacer.py" 2 40 >"$tmp/pacer.out" 2>&1 &
ppid_=$!
wait_for 5 grep -q '^pid: ' "$tmp/pacer.out"
ppid=$(sed -n 's/^pid: //p' "$tmp/pacer.out")
# --history N in prtop host -b -j frames: the last N slots, oldest first,
# the newest the frame's own window (its discarded bytes over its seconds)
timeout 30 "$PRTOP" host -b -j -n 3 -d 0.5 --history 2 --pid "$fpid" --pid "$ppid" \
	>"$tmp/hh.jsonl" 2>"$tmp/hh.err"
check "host: -b -j --history 2 keeps 2 slots per VM, the newest the frame's own window" \
	python3 -c '
import json, sys
f = [json.loads(l) for l in open(sys.argv[1])]
assert [len(x["history"]["t_s"]) for x in f] == [1, 2, 2], f
for x in f:
    h = {v["pid"]: v for v in x["history"]["vms"]}
    assert len(h) == 2 and set(h) == set(v["pid"] for v in x["vms"]), h
    for v in x["vms"]:
        w = v["window"]
        got = h[v["pid"]]["discard_mib_per_s"][-1]
        want = w["discarded_bytes"] / w["seconds"] / 1048576
        assert abs(got - want) <= 0.001 + want * 1e-6, (got, want)
        got = h[v["pid"]]["refault_mib_per_s"][-1]
        want = w["refaulted_bytes"] / w["seconds"] / 1048576
        assert abs(got - want) <= 0.001 + want * 1e-6, (got, want)
assert f[1]["history"]["t_s"][1] == f[2]["history"]["t_s"][0], f
' "$tmp/hh.jsonl"
for s in v1 v2; do
	if [ $s = v1 ]; then geo="-x 120 -y 40" loc=C.UTF-8; else geo="-x 80 -y 24" loc=C; fi
	# shellcheck disable=SC2086
	$T new-session -d -s $s $geo -c "$PWD" \
		"LC_ALL=$loc $PRTOP host -d 1 --history 60 --pid $fpid --pid $ppid --json-log '$tmp/$s.jsonl' 2>'$tmp/$s.err'; echo \$? >'$tmp/$s.rc'"
done
vscr() { $T capture-pane -p -t "$1" 2>/dev/null; }
vsample() { vscr "$1" | sed -n 's/^sample \([0-9][0-9]*\),.*/\1/p' | head -n 1; }
vhas() { vscr "$1" | grep -q -- "$2"; }
# pause, and give the view a moment to draw the key's answer
vkey() { $T send-keys -t "$1" "$2"; sleep 0.4; }
if wait_for 15 sh -c "$T capture-pane -p -t v1 | grep -q '^sample [4-9]' && $T capture-pane -p -t v2 | grep -q '^sample [4-9]'"; then
	ok "host view: both screens up with 4 samples"
	vkey v1 h
	check "host view: h shows the help, with the sort keys" vhas v1 'sort the other way round'
	vkey v1 x
	check "host view: any key closes the help" sh -c "! $T capture-pane -p -t v1 | grep -q 'press any key'"
	vkey v1 '?'
	check "host view: ? shows the help" vhas v1 'press any key'
	vkey v1 x
	vkey v1 +
	check "host view: + lengthens the interval (every 2 s)" vhas v1 '^sample [0-9]*, every 2 s'
	vkey v1 -
	check "host view: - shortens it again (every 1 s)" vhas v1 '^sample [0-9]*, every 1 s'
	vkey v1 p
	a=$(vsample v1)
	sleep 2.2
	b=$(vsample v1)
	check "host view: p pauses (PAUSED, sample $a stays $b)" sh -c "$T capture-pane -p -t v1 | grep -q PAUSED && test -n '$a' && test '$a' = '$b'"
	# the default order, then two columns to the right and back round
	vscr v1 >"$tmp/v1.s0"
	python3 "$tmp/hview.py" "$tmp/v1.s0" "$tmp/v1.jsonl" 120 0 "120x40" DISCARD/s desc
	vkey v1 '>'
	vkey v1 '>'
	vscr v1 >"$tmp/v1.s1"
	python3 "$tmp/hview.py" "$tmp/v1.s1" "$tmp/v1.jsonl" 120 0 "120x40" DISCARDED desc
	vkey v1 I
	vscr v1 >"$tmp/v1.s2"
	python3 "$tmp/hview.py" "$tmp/v1.s2" "$tmp/v1.jsonl" 120 0 "120x40" DISCARDED asc
	vkey v1 '<'
	vkey v1 '<'
	vkey v1 '<'
	vkey v1 '<'
	vscr v1 >"$tmp/v1.s3"
	python3 "$tmp/hview.py" "$tmp/v1.s3" "$tmp/v1.jsonl" 120 0 "120x40" PID asc
	vkey v1 p
	check "host view: p resumes (sample $b -> later)" wait_for 3 sh -c "test \"\$($T capture-pane -p -t v1 | sed -n 's/^sample \([0-9][0-9]*\),.*/\1/p')\" -gt '$b'"
	vkey v2 p
	vscr v2 >"$tmp/v2.s0"
	python3 "$tmp/hview.py" "$tmp/v2.s0" "$tmp/v2.jsonl" 80 1 "80x24 LC_ALL=C" DISCARD/s desc
	$T resize-window -t v1 -x 100 -y 30 2>/dev/null
	sleep 0.6
	vscr v1 >"$tmp/v1.rs"
	check "host view: a resize to 100x30 redraws (30 lines, none over 100 columns, the status line last: '$(sed -n 30p "$tmp/v1.rs")')" \
		python3 -c '
import sys
l = open(sys.argv[1], encoding="utf-8").read().split("\n")
l = l[:-1] if l[-1] == "" else l
assert len(l) == 30 and l[29].startswith(" q quit") and max(len(x) for x in l) <= 100, l
' "$tmp/v1.rs"
	for s in v1 v2; do
		vkey $s q
		if wait_for 3 sh -c "! $T has-session -t $s 2>/dev/null"; then
			check "host view $s: q exits with status 0 (got '$(cat "$tmp/$s.rc" 2>/dev/null)')" \
				test "$(cat "$tmp/$s.rc" 2>/dev/null)" = 0
		else
			not_ok "host view $s: q exits: session still there after 3 s"
		fi
	done
else
	not_ok "host view: screens appear: $(head -c 300 "$tmp/v1.err" "$tmp/v2.err" 2>/dev/null) $(vscr v1 | head -n 3)"
fi
$T kill-session -t v1 2>/dev/null
$T kill-session -t v2 2>/dev/null
kill "$ppid_" 2>/dev/null
wait "$ppid_" 2>/dev/null || true
echo "# host view checks took $(($(date +%s) - hv_t0)) s"
kill "$fpid" 2>/dev/null
# its status (143 after the kill) must not become this script's
wait "$fpid" 2>/dev/null || true
