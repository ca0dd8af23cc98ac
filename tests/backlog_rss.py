#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""prtop's backlog and time to return against QEMU's RSS curve.

usage: backlog_rss.py judge HOST.log NAME
       backlog_rss.py --self-test

HOST.log is tests/return_rss.py's record of test_qemu's "on" boot: "rss T
KIB" every 0.1 s and "mark T PRTOP-RETURN-BACKLOG ..." lines the guest
wrote to its second serial port, stamped on arrival (host clock): "freed"
once memhog's memory is free, a "sample {backlog object}" per prtop -j
sample, "end" at the window's end.  Only host times are compared.

The truth: when the guest reports a block QEMU discards its backing, so
the RSS still to fall at a moment (RSS then - RSS at the end) is the
freed memory not yet reported.  prtop's backlog comes from a scan taken
age_s before the sample was printed; the line leaves at once and arrives
within LAG.  The scan's moment is in [arrival - age - LAG, arrival - age],
and a pass can drop hundreds of MiB between two RSS reads, so the backlog
is judged against the RSS range over that span widened by one RSS step
each side: lo <= backlog <= hi with lo = min - end, hi = max - end, less/plus
TOL_PCT and TOL_MIB for what QEMU's RSS holds besides the freed memory
(prtop's own pages, page cache, free blocks split and merged meanwhile).
Only samples whose scan is after the free and whose lo is at least
MIN_MIB are judged: there a factor of 2 or KiB read as bytes is far
outside.

Time to return: prtop's estimate is the backlog over the drain rate of
its last drain_window_s; the host's counterpart is the RSS still to fall
at the scan over the RSS's own fall over that window (read around both of
its ends), with the backlog's tolerance and TOL_PCT on the pace (reported
bytes agree with the RSS fall within 5 %, test_qemu's own check) and
TOL_MIB on the fall, plus ETA_ABS for the estimate's rounding.  How far the estimate was from the
time the RSS then took to reach its end is printed, not judged: the rate
of a window that starts before the drain did is slow, and a drain in
passes 2 s apart returns a pass's worth at once.
"""
import json
import sys

LAG = 0.25      # s: serial line from the guest to the recorder (TCG)
STEP = 0.1      # s: the recorder's RSS cadence
TOL_PCT = 5
TOL_MIB = 32
MIN_MIB = 128
ETA_ABS = 0.1   # s: the estimate is printed to 0.1 s
MIB = 1 << 20


def parse(lines):
    rss, samples, freed, end = [], [], None, None
    for line in lines:
        w = line.split(None, 3)
        if len(w) >= 3 and w[0] == "rss":
            rss.append((float(w[1]), int(w[2]) * 1024))
        elif len(w) >= 3 and w[0] == "mark" and w[2] == "PRTOP-RETURN-BACKLOG":
            t, rest = float(w[1]), (w[3] if len(w) > 3 else "")
            if rest == "freed":
                freed = t
            elif rest == "end":
                end = t
            elif rest.startswith("sample "):
                try:
                    samples.append((t, json.loads(rest[7:])))
                except ValueError:
                    pass
    rss.sort()
    return rss, samples, freed, end


def judge(lines, name, out=sys.stdout):
    """prints the comparison and ok/not ok lines; returns the failures"""
    rss, samples, freed, end = parse(lines)
    bad = 0

    def say(good, text):
        out.write("%s - %s: %s\n" % ("ok" if good else "not ok", name, text))
        return 0 if good else 1

    if freed is None or end is None or not rss:
        return say(False, "backlog stream incomplete (freed line %s, end line %s, %d RSS reads, "
                   "%d samples)" % (freed is not None, end is not None, len(rss), len(samples)))
    tail = sorted(b for t, b in rss if end - 1.0 <= t <= end)
    if not tail:
        return say(False, "no RSS read in the last second before the end line")
    r_end = tail[len(tail) // 2]
    out.write("# backlog stream: %d samples, freed at +0, end at %+.2f s, RSS at the end %.1f MiB\n"
              % (len(samples), end - freed, r_end / MIB))
    out.write("# %7s %7s %9s %9s %9s %8s %8s %s\n" % (
        "scan s", "age s", "backlog", "RSS lo", "RSS hi", "eta s", "true s", "judged"))
    judged = eta_judged = 0
    pred = []
    worst = worst_eta = None
    for ta, b in samples:
        age = b.get("age_s")
        byt = b.get("bytes")
        if age is None or byt is None:
            continue
        ts = ta - float(age)
        if ts - LAG <= freed or ts >= end:
            continue
        span = [r for t, r in rss if ts - LAG - STEP <= t <= ts + STEP]
        if not span:
            continue
        lo, hi = min(span) - r_end, max(span) - r_end
        eta = b.get("time_to_return_s")
        back = next((t for t, r in rss if t >= ts and r - r_end <= TOL_MIB * MIB), None)
        true_s = None if back is None else back - ts
        use = lo >= MIN_MIB * MIB
        line = "# %+7.2f %7.3f %9.1f %9.1f %9.1f %8s %8s %s" % (
            ts - freed, float(age), byt / MIB, lo / MIB, hi / MIB,
            "-" if eta is None else "%.1f" % float(eta),
            "-" if true_s is None else "%.2f" % true_s, "yes" if use else "no")
        if not use:
            out.write(line + "\n")
            continue
        judged += 1
        lo_ok = lo * (100 - TOL_PCT) / 100 - TOL_MIB * MIB
        hi_ok = hi * (100 + TOL_PCT) / 100 + TOL_MIB * MIB
        good = lo_ok <= byt <= hi_ok
        bad += not good
        off = 0 if good else (lo_ok - byt if byt < lo_ok else byt - hi_ok)
        worst = max(worst or 0, off)
        win = b.get("drain_window_s")
        if eta is not None and win:
            # the host's own pace over prtop's drain window, from the RSS
            # read around both of its ends, and the RSS still to fall with
            # the backlog's tolerance: the time to return at that pace
            ta0 = ta - float(win)
            now = [r for t, r in rss if ta - LAG - STEP <= t <= ta + STEP]
            then = [r for t, r in rss if ta0 - LAG - STEP <= t <= ta0 + STEP]
            # a few MiB reported before the first pass (a rate that makes
            # an estimate of hours) hide in what else moves QEMU's RSS: the
            # fall gets the backlog's TOL_MIB too
            if now and then:
                fall_hi = (max(then) - min(now) + TOL_MIB * MIB) * (100 + TOL_PCT) / 100
                fall_lo = (min(then) - max(now) - TOL_MIB * MIB) * (100 - TOL_PCT) / 100
            if now and then and fall_hi > 0:
                eta_judged += 1
                e_lo = max(0, lo_ok) / (fall_hi / float(win)) - ETA_ABS
                e_hi = hi_ok / (fall_lo / float(win)) + ETA_ABS if fall_lo > 0 else float("inf")
                eok = e_lo <= float(eta) <= e_hi
                bad += not eok
                line += " pace %.2f..%.2f s %s" % (e_lo, e_hi, "ok" if eok else "ETA OFF")
                if not eok:
                    worst_eta = max(worst_eta or 0, e_lo - float(eta) if float(eta) < e_lo
                                    else float(eta) - e_hi)
            if true_s is not None:
                pred.append(float(eta) - true_s)
        out.write(line + ("" if good else " BACKLOG OFF") + "\n")
    bad += say(judged >= 2 and not worst,
               "backlog within %d %% + %d MiB of the RSS still to fall at %d samples taken "
               "during the drain (RSS range around each scan; at least 2 needed)%s"
               % (TOL_PCT, TOL_MIB, judged, "" if not worst else
                  "; off by %.1f MiB at worst" % (worst / MIB)))
    bad += say(eta_judged >= 1 and not worst_eta,
               "time to return at %d samples within the time the RSS still to fall takes at "
               "the RSS's own pace over prtop's drain window (%d %% + %d MiB, %d %% pace, "
               "%.1f s)%s" % (eta_judged, TOL_PCT, TOL_MIB, TOL_PCT, ETA_ABS,
                              "" if not worst_eta else "; off by %.2f s" % worst_eta))
    if pred:
        out.write("# time to return minus the time the RSS took to reach its end: %s s\n"
                  % " ".join("%+.2f" % d for d in pred))
    return bad


def self_test():
    import io
    # RSS: 3000 MiB held; freed at 10.0; passes of 256 MiB at 12, 14, 16, 18
    lines = []
    for i in range(300):
        t = i * 0.1
        n = sum(1 for p in (12.0, 14.0, 16.0, 18.0) if t >= p)
        lines.append("rss %.4f %d" % (t, (3000 - 256 * n) * 1024))
    lines.append("mark 10.0000 PRTOP-RETURN-BACKLOG freed")
    lines.append("mark 25.0000 PRTOP-RETURN-BACKLOG end")

    def rss_at(t):
        return (3000 - 256 * sum(1 for p in (12.0, 14.0, 16.0, 18.0) if t >= p)) * MIB

    def run(scale, eta_scale=1.0):
        ls = list(lines)
        for ts in (11.0, 13.0, 15.0, 17.0, 19.0):
            ta = ts + 0.25
            left = rss_at(ts) - rss_at(25.0)
            win = min(10.0, ta - 5.0)   # prtop started at 5.0
            pace = (rss_at(ta - win) - rss_at(ta)) / win
            b = {"bytes": int(left * scale), "age_s": 0.25, "drain_window_s": win,
                 "time_to_return_s": None if pace <= 0 else left * scale / pace * eta_scale}
            ls.append("mark %.4f PRTOP-RETURN-BACKLOG sample %s" % (ta, json.dumps(b)))
        buf = io.StringIO()
        return judge(ls, "t", buf), buf.getvalue()

    bad, text = run(1.0)
    assert bad == 0, text
    # 1 MiB reported before the first pass: an estimate of an hour, which
    # an RSS that did not fall visibly cannot contradict
    b = {"bytes": 1024 * MIB, "age_s": 0.25, "drain_window_s": 6.25, "time_to_return_s": 3600.0}
    one = lines + ["mark 11.2500 PRTOP-RETURN-BACKLOG sample %s" % json.dumps(b)]
    buf = io.StringIO()
    judge(one, "t", buf)
    assert "ETA OFF" not in buf.getvalue(), buf.getvalue()
    assert run(2.0)[0] > 0, "a factor of 2 passes"
    assert run(1 / 1024.0)[0] > 0, "KiB as bytes passes"
    assert run(1.0, 2.0)[0] > 0, "an estimate 2x too long passes"
    assert run(1.0, 0.5)[0] > 0, "an estimate 2x too short passes"
    assert judge(lines[:10], "t", io.StringIO()) == 1, "no stream"
    print("backlog_rss self-test: ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    elif len(sys.argv) == 4 and sys.argv[1] == "judge":
        sys.exit(1 if judge(open(sys.argv[2]).read().splitlines(), sys.argv[3]) else 0)
    else:
        sys.exit(__doc__)
