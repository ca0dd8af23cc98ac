#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# prtop bench --return on this machine, against what the test itself sees:
# it polls the kernel's reported_kib and MemFree every 0.1 s while prtop
# frees 1 GiB twice.  The free is where MemFree jumps (not prtop's own
# timestamp); the 90 % time is where reported_kib, less its rate before the
# free, first reaches 90 % of 1 GiB; prtop's must agree within one polling
# interval each side plus prtop's 50 ms sampling.  The amount reported must
# agree with reported_kib's growth within 2 %.  Then the text output with
# a --set (80 columns, "not reached" where the counter shows it was not: 64
# MiB is under this kernel's max_waiting_mib), the knob put back, and put
# back on SIGTERM too (those two attach nothing: --no-prtop).  The text run
# also runs pf1 before each return round (-- pf1, 3 runs of 1 s per setting,
# about 7 s), slowed by pf1 --slow 80 in the order=10 arm only: a known
# injected cost the table's pf1 column must show: negative beyond noise, and
# -80 % within twice its interval (this machine's other load moves 3 runs a
# lot: twice is about its 99 % one at these few runs) plus 15 % of it (pf1's
# busy-wait costs a little more than its share, see tests/test_profile.sh).
# 80 rather than 50: a run with no arm slowed (0 %) is then far outside
# even a noisy interval.  And the interval as
# Welch's from the two arms' spreads in the LKP row (the row's own
# rounding allowed), so one from the wrong arm shows.  The first
# run also writes --mark lines to a file the watcher counts: a free line
# must be there by the sample where MemFree jumps, and at most one
# sample (and munmap()'s time) before it.  And the self-test of tests/return_rss.py, which judges the
# same lines from a guest against QEMU's RSS in make bench.  About 50 s.
. tests/lib.sh
require python3
tmp=$(mktemp -d)
watch_pid=
trap '[ -n "$watch_pid" ] && kill "$watch_pid" 2>/dev/null; rm -rf "$tmp"' EXIT INT TERM
kib=/sys/module/page_reporting/parameters/reported_kib
order=/sys/module/page_reporting/parameters/page_reporting_order

if [ ! -r "$kib" ] || [ "$(id -u)" != 0 ]; then
	ok "return: skipped: needs root and a kernel with reported_kib (this machine's vendor kernel)"
	exit 0
fi

# the watcher: wall time, reported_kib, MemFree (KiB), --mark's free lines,
# every 0.1 s
python3 - "$tmp/watch" "$tmp/stop" "$tmp/marks" <<'EOF' &
import os, sys, time
out, stop, marks = sys.argv[1], sys.argv[2], sys.argv[3]
kib = '/sys/module/page_reporting/parameters/reported_kib'
with open(out, 'w') as f:
    while not os.path.exists(stop):
        k = int(open(kib).read())
        free = next(int(l.split()[1]) for l in open('/proc/meminfo') if l.startswith('MemFree:'))
        n = open(marks).read().count(' free ') if os.path.exists(marks) else 0
        f.write('%.3f %d %d %d\n' % (time.time(), k, free, n))
        f.flush()
        time.sleep(0.1)
EOF
watch_pid=$!
sleep 0.5
"$PRTOP" bench --return --mib 1024 --reps 2 --mark "$tmp/marks" --json >"$tmp/ret.json" 2>"$tmp/ret.err"
rc=$?
# a sample or two after the last round's end, which the amount is read at
# (prtop exits at once after it: one CI run had none, and read 0 MiB grown)
sleep 0.3
touch "$tmp/stop"
wait "$watch_pid"
watch_pid=
check "return: exits 0 ($(head -c 300 "$tmp/ret.err"))" test $rc -eq 0

# one line per check: "ok|not ok NAME"
python3 - "$tmp/ret.json" "$tmp/watch" "$tmp/marks" <<'EOF' | sed 's/^ok /ok - /; s/^not ok /not ok - /'
import json, sys
POLL, SAMPLE = 0.1, 0.05
d = json.load(open(sys.argv[1]))
w = [tuple(float(x) for x in l.split()) for l in open(sys.argv[2]) if l.strip()]
marks = open(sys.argv[3]).read().splitlines() + [''] * 4
def say(good, name):
    print(('ok ' if good else 'not ok ') + 'return: ' + name)
say(d['reported_source'] == 'kernel:reported_kib',
    "the source named is reported_kib (report() unseen here): %s" % d['reported_source'])
rounds = d['settings'][0]['per_round']
say(len(rounds) == 2, "two rounds at the current settings (%d)" % len(rounds))
for i, r in enumerate(rounds, 1):
    freed = 1 << 30
    say(r['freed_bytes'] == freed, "round %d: 1 GiB freed (%s)" % (i, r['freed_bytes']))
    # the free as MemFree shows it: the first sample up 512 MiB on the one before
    jumps = [j for j in range(1, len(w)) if w[j][2] - w[j - 1][2] > freed / 1024 / 2
             and abs(w[j][0] - r['freed_at_unix_s']) < 5]
    if not jumps:
        say(False, "round %d: MemFree never jumped near the free" % i)
        continue
    j = jumps[0]
    t_free = w[j][0]
    say(w[j][2] - w[j - 1][2] < freed / 1024 * 1.2,
        "round %d: MemFree rose %.0f MiB at once, about the freed 1024"
        % (i, (w[j][2] - w[j - 1][2]) / 1024))
    # reported_kib at the free, its rate over the second before
    k0 = w[j - 1][1]
    before = [s for s in w if t_free - 1.2 <= s[0] <= w[j - 1][0]]
    rate = (k0 - before[0][1]) / (w[j - 1][0] - before[0][0]) if len(before) > 1 else 0
    cross = next((s for s in w[j:] if s[1] - k0 - rate * (s[0] - t_free) >= 0.9 * freed / 1024),
                 None)
    if cross is None or r['t90_s'] is None:
        say(cross is None and r['t90_s'] is None,
            "round %d: 90 %% not reached by either (prtop %s)" % (i, r['t90_s']))
    else:
        mine = cross[0] - t_free
        tol = 2 * POLL + SAMPLE + 0.05
        say(abs(mine - r['t90_s']) <= tol,
            "round %d: 90 %% after %.2f s, as reported_kib shows (%.2f s, within %.2f s)"
            % (i, r['t90_s'], mine, tol))
    # the counter's growth from the free to the round's end, as the watcher saw
    # it: its first sample after the end (a round ends on the step to 99 %)
    end = [s for s in w if s[0] >= r['ended_at_unix_s']]
    if not end:
        say(False, "round %d: no watcher sample after the round's end" % i)
    else:
        seen = (end[0][1] - k0) * 1024
        say(seen > 0 and abs(r['counter_delta_bytes'] - seen) <= 0.02 * seen,
            "round %d: reported %.0f MiB, reported_kib grew %.0f MiB (2 %%)"
            % (i, r['counter_delta_bytes'] / 1048576, seen / 1048576))
    say(r['reported_bytes'] <= r['counter_delta_bytes'] and
        r['reported_bytes'] >= r['counter_delta_bytes'] - r['background_bytes_per_s'] * r['waited_s'] - 1,
        "round %d: the background is subtracted: %.0f of %.0f MiB"
        % (i, r['reported_bytes'] / 1048576, r['counter_delta_bytes'] / 1048576))
    # --mark: the free line is out by the sample MemFree jumps at, at most
    # one sample before it; the end line repeats the round's 90 % time
    seen = next((s[0] for s in w if s[3] >= i), None)
    most = POLL + r['munmap_s'] + 0.01
    say(seen is not None and 0 <= t_free - seen <= most,
        "round %d: --mark's free line seen %s s before MemFree's jump (0..%.2f)"
        % (i, None if seen is None else '%.2f' % (t_free - seen), most))
    end_line = 'PRTOP-RETURN end 0 %d lead_s=%.4f t90_s=%s' % (
        i - 1, r['mark_lead_s'] or 0, 'n/a' if r['t90_s'] is None else '%.3f' % r['t90_s'])
    say(marks[2 * i - 2] == 'PRTOP-RETURN free 0 %d on' % (i - 1) and marks[2 * i - 1] == end_line,
        "round %d: --mark's lines: %s" % (i, marks[2 * i - 2:2 * i]))
    ts = [r[k] for k in ('t50_s', 't90_s', 't99_s') if r[k] is not None]
    say(ts == sorted(ts), "round %d: 50 <= 90 <= 99 %% times (%s)" % (i, ts))
s = d['settings'][0]['t90_s']
known = [r['t90_s'] for r in rounds if r['t90_s'] is not None]
if len(known) == 2:
    m = sum(known) / 2
    say(abs(s['mean'] - m) < 0.01 and s['ci95_lo'] <= m <= s['ci95_hi'],
        "90 %% mean %.2f s of the rounds' %s, inside its interval" % (s['mean'], known))
else:
    say(s['ci95_lo'] is None, "no interval where a round did not reach 90 %")
EOF

check "return: tests/return_rss.py's self-test" python3 tests/return_rss.py --self-test
# test_qemu's judge of the backlog against QEMU's RSS: it must pass a
# made-up drain and fail one with the backlog doubled or in KiB
check "return: tests/backlog_rss.py's self-test" python3 tests/backlog_rss.py --self-test

# text, with a setting: 80 columns, the knob put back, "not reached" when so
before=$(cat "$order")
k0=$(cat "$kib")
"$PRTOP" bench --return --mib 64 --reps 2 --set order=10 --timeout 1 --return-within 10 --no-prtop \
	--settle 0 --workload-reps 3 -- "$TOOLS/pf1" -t 1 -s 1 -w 0 --slow 80 --slow-arm order=10 \
	>"$tmp/ret.txt" 2>&1
rc=$?
k1=$(cat "$kib")
sed 's/^/# /' "$tmp/ret.txt"
check "return: text run exits 0" test $rc -eq 0
check "return: text fits 80 columns" sh -c "! awk 'length(\$0) > 80' '$tmp/ret.txt' | grep -q ."
check "return: order put back ($(cat "$order"), was $before)" test "$(cat "$order")" = "$before"
check "return: an A/B block for the setting and an advice line" \
	sh -c "grep -q '^\[order=10\] vs \[on\]' '$tmp/ret.txt' && grep -q '^advice: ' '$tmp/ret.txt'"
# the workload's column: the injected -80 % in order=10, against on
python3 - "$tmp/ret.txt" <<'EOF' | sed 's/^ok /ok - /; s/^not ok /not ok - /'
import re, sys
SLOW, MODEL = 80.0, 12.0
T = [0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306]
txt = open(sys.argv[1]).read()
def say(good, name):
    print(('ok ' if good else 'not ok ') + 'return: ' + name)
row = re.search(r'^order=10 +\S+ +.+? +([-+][0-9.]+)% ±([0-9.]+)%(~?) +\S+ +\S+$', txt, re.M)
base = re.search(r'^on +\S+ +.+? +base ([0-9]+)/s ', txt, re.M)
lkp = re.search(r'^ *([0-9.]+) ±([ 0-9.]+)% +([-+][0-9.]+)% ±([0-9.]+)%~? +([0-9.]+) ±([ 0-9.]+)%  '
                r'ops_per_task \(pf1\)$', txt, re.M)
if not (row and base and lkp):
    say(False, "the table's pf1 cells and the LKP row are there (%s %s %s)" % (bool(row), bool(base), bool(lkp)))
    sys.exit(0)
chg, ci, noisy = float(row.group(1)), float(row.group(2)), row.group(3)
say(chg < 0 and not noisy and abs(chg + SLOW) <= 2 * ci + MODEL,
    "pf1 slowed by the injected %g %% in order=10: the table says %+.1f %% ±%.1f %%%s"
    % (SLOW, chg, ci, noisy))
b, sb, c, sc = (float(lkp.group(k)) for k in (1, 2, 5, 6))
say(abs(float(base.group(1)) - b) <= 1 and abs(float(lkp.group(3)) - chg) < 0.05,
    "the table's base %s/s and change are the LKP row's (%g, %s %%)" % (base.group(1), b, lkp.group(3)))
# Welch's interval from the row's means and spreads, 3 runs each
vb, vc = (b * sb / 100) ** 2 / 3, (c * sc / 100) ** 2 / 3
df = (vb + vc) ** 2 / (vb * vb / 2 + vc * vc / 2) if vb + vc > 0 else 4
lo = int(df)
t = T[lo] + (T[min(lo + 1, 8)] - T[lo]) * (df - lo)
want = 100 * t * (vb + vc) ** 0.5 / b
say(abs(ci - want) <= 0.05 * want + 0.15,
    "the interval ±%.1f %% is Welch's from both arms' spreads (%.2f)" % (ci, want))
EOF
# 4 rounds of 64 MiB: under 90 % of one round's in all, no round can have reached 90 %
if [ $((k1 - k0)) -lt $((64 * 1024 * 9 / 10)) ]; then
	check "return: 90 % not reached, and said so (reported_kib grew $((k1 - k0)) KiB)" \
		sh -c "[ \$(grep -c '^  90 %  *not reached' '$tmp/ret.txt') -eq 2 ]"
fi

# SIGTERM in the middle: the knob put back, exit 1
"$PRTOP" bench --return --mib 64 --reps 2 --set order=10 --timeout 1 --no-prtop >/dev/null 2>&1 &
pid=$!
wait_for 10 sh -c "[ \"\$(cat $order)\" = 10 ]"
kill -TERM $pid
wait $pid
rc=$?
check "return: SIGTERM: exit 1 ($rc), order put back ($(cat "$order"), was $before)" \
	sh -c "[ $rc -eq 1 ] && [ \"\$(cat $order)\" = '$before' ]"
