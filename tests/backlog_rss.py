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
(prtop's own pages, page cache, free blocks split and merged meanwhile),
and below, BATCH_MIB: the blocks of a report in flight are off the free
lists, not yet flagged reported, and still in QEMU's RSS.
Only samples whose scan is after the free and whose lo is at least
MIN_MIB are judged: there a factor of 2 or KiB read as bytes is far
outside.

The wait (backlog.wait): the memory freed at "freed" comes back as the
RSS falls, so the bytes-weighted median wait is the time from the free
to the RSS having fallen by half of its fall (the first read at or
below), and the mean is the time of each fall weighted by its size.
prtop's wait runs from the scan that first saw a unit waiting to the one
that saw it reported: each within one scan interval (resolution_s) of the
truth, the scan after the free up to one interval late and the one after
the report too.  The median is judged within one pass interval (the
half-fall lies anywhere between two passes' worth) plus resolution_s
plus 1 s (the lines' lag, RSS steps), the mean within resolution_s plus
1 s; both from the last sample, the mean of the bytes sampled since the
last sample before the free.  The bytes sampled then must be at least
half of the RSS's fall (a pass reported before the first scan after the
free is left out: at most one) and at most the fall plus TOL_PCT and
TOL_MIB: a factor of 2, a unit error in the time or in the bytes fails.

Time to return: prtop's estimate at a frame is a duration from the moment
it sampled, in [arrival - LAG, arrival]; the host's is the time from then
until the RSS reached its end (the first RSS read within TOL_MIB of it, up
to one RSS step after the last pass).  Both are durations on one clock,
the host's.  Judged are the frames sampled after the host saw the first
pass (its RSS fall of at least PASS_MIB) and before the RSS reached its
end.  The drain comes in passes, PASS s apart as the host sees them (the
median spacing of the RSS's falls): an estimate that divides what is left
by a pace cannot place the next pass, prtop sees a pass up to one sample
late, and its pace spans whole samples, so a frame is within one pass
interval plus two sample steps of the truth, each side.  Over all judged frames the sawtooth averages
out: an estimate is the truth plus the time since the last pass (the
pass to come counts a whole interval), half an interval on average, so
the estimates' sum is within SUM_LO..SUM_HI of the truths' sum plus half
an interval each.  A factor of 2 fails the early frames of a 6 s drain
one by one and a factor of 1/2 the sum; a unit error or an estimate
diluted by the idle seconds before the drain (26-36 s too long) fails
each frame.
"""
import json
import sys

LAG = 0.25      # s: serial line from the guest to the recorder (TCG)
STEP = 0.1      # s: the recorder's RSS cadence
TOL_PCT = 5
TOL_MIB = 32
MIN_MIB = 128
BATCH_MIB = 128  # a report in flight: 32 entries of 4 MiB blocks
PASS_MIB = 64   # an RSS fall this large between two reads is a pass
SUM_LO, SUM_HI = 2 / 3.0, 1.5
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


def passes(rss, freed, done):
    """host times of the RSS's falls of at least PASS_MIB from the free to
    the end, a fall over reads less than 0.5 s apart counted once"""
    at = []
    prev = None
    for t, r in rss:
        if t < freed or t > done:
            continue
        if prev is not None and prev[1] - r >= PASS_MIB * MIB and (not at or t - at[-1] >= 0.5):
            at.append(t)
        prev = (t, r)
    return at


def judge_eta(samples, rss, freed, r_end, name, out):
    """time to return against the time the RSS took to reach its end"""
    done = next((t for t, r in rss if t > freed and r - r_end <= TOL_MIB * MIB), None)
    fall = passes(rss, freed, done if done is not None else float("inf"))
    if done is None or not fall:
        out.write("not ok - %s: time to return: the RSS %s\n" % (
            name, "never reached its end" if done is None else "never fell by a pass"))
        return 1
    gaps = sorted(b - a for a, b in zip(fall, fall[1:]))
    # one pass: the kernel's reporting delay, 2 s
    interval = gaps[len(gaps) // 2] if gaps else 2.0
    arr = sorted(t for t, b in samples)
    dt = sorted(b - a for a, b in zip(arr, arr[1:]))
    sample = dt[len(dt) // 2] if dt else 1.0
    tol = interval + 2 * sample
    out.write("# time to return: %d passes from %+.2f s, %.2f s apart; RSS at its end at %+.2f s; "
              "frames %.2f s apart: each within %.2f s\n"
              % (len(fall), fall[0] - freed, interval, done - freed, sample, tol))
    out.write("# %7s %8s %13s %s\n" % ("frame s", "eta s", "true s", "judged"))
    bad = judged = 0
    sum_eta = sum_true = 0.0
    worst = 0.0
    for ta, b in samples:
        # sampled in [ta - LAG, ta]; the pass in the RSS read at fall[0]
        if ta - LAG - STEP < fall[0] or ta >= done:
            continue
        eta = b.get("time_to_return_s")
        t_lo, t_hi = done - STEP - ta, done - ta + LAG
        if eta is None:
            out.write("# %+7.2f %8s %6.2f..%5.2f NO ESTIMATE\n" % (ta - freed, "-", t_lo, t_hi))
            bad += 1
            continue
        eta = float(eta)
        judged += 1
        sum_eta += eta
        sum_true += (t_lo + t_hi) / 2 + interval / 2
        off = max(t_lo - tol - eta, eta - t_hi - tol, 0)
        worst = max(worst, off)
        bad += off > 0
        out.write("# %+7.2f %8.2f %6.2f..%5.2f %s\n" % (ta - freed, eta, t_lo, t_hi,
                                                        "ok" if not off else "ETA OFF"))
    ratio = sum_eta / sum_true if sum_true > 0 else float("nan")
    good = judged >= 3 and not bad
    res = say_line(good, name,
                   "time to return at %d frames of the drain within one pass interval and two "
                   "sample steps (%.2f s) of the time QEMU's RSS then took to reach its end%s"
                   % (judged, tol, "" if good else "; %d off, by %.2f s at worst (3 needed)"
                      % (bad, worst)), out)
    good = judged >= 3 and SUM_LO <= ratio <= SUM_HI
    res += say_line(good, name, "time to return summed over those frames %.2f x the RSS's "
                    "plus half a pass interval each (%.1f s of %.1f s; %.2f..%.2f)"
                    % (ratio, sum_eta, sum_true, SUM_LO, SUM_HI), out)
    return res


def judge_wait(samples, rss, freed, end, r_end, name, out):
    """the wait histogram's median and mean against the RSS's fall from the
    free to the end line (the RSS reads go on past it)"""
    rss = [(t, r) for t, r in rss if t <= end]
    before = [r for t, r in rss if freed - 1.0 <= t <= freed]
    w0 = None
    for ta, b in samples:
        if ta <= freed and isinstance(b.get("wait"), dict):
            w0 = b["wait"]
    w1 = next((b["wait"] for ta, b in reversed(samples) if isinstance(b.get("wait"), dict)),
              None)
    if not before or w1 is None:
        return say_line(False, name, "wait: %s" % ("no RSS read in the second before the free"
                                                   if not before else "no wait object streamed"),
                        out)
    r_start = sorted(before)[len(before) // 2]
    fall = r_start - r_end
    if fall < MIN_MIB * MIB:
        return say_line(False, name, "wait: the RSS fell by %.1f MiB only" % (fall / MIB), out)
    half = next((t for t, r in rss if t > freed and r <= r_start - fall / 2), None)
    num = den = 0.0
    prev = None
    for t, r in rss:
        if t <= freed:
            prev = r
            continue
        if prev is not None and prev > r:
            num += (prev - r) * (t - freed)
            den += prev - r
        prev = r
    at = passes(rss, freed, float("inf"))
    gaps = sorted(b - a for a, b in zip(at, at[1:]))
    interval = gaps[len(gaps) // 2] if gaps else 2.0
    res = w1.get("resolution_s")
    p50 = w1.get("p50_s")
    b0, s0 = (w0.get("bytes") or 0, w0.get("byte_seconds") or 0.0) if w0 else (0, 0.0)
    byt = (w1.get("bytes") or 0) - b0
    mean = (float(w1.get("byte_seconds") or 0) - float(s0)) / byt if byt > 0 else None
    if half is None or den <= 0 or res is None or p50 is None or mean is None:
        return say_line(False, name, "wait: nothing to judge (half-fall at %s, resolution %s, "
                        "p50 %s, %d bytes sampled since the free)" % (half, res, p50, byt), out)
    res, p50 = float(res), float(p50)
    t_half, t_mean = half - freed, num / den
    tol_med, tol_mean = interval + res + 1.0, res + 1.0
    out.write("# wait: RSS fell %.1f MiB from %.1f; half of it by %+.2f s, mean fall at %+.2f s; "
              "prtop: p50 %.2f s, mean %.2f s over %.1f MiB (%.1f MiB unseen), resolution %.2f s, "
              "passes %.2f s apart\n"
              % (fall / MIB, r_start / MIB, t_half, t_mean, p50, mean, byt / MIB,
                 (w1.get("unseen_bytes") or 0) / MIB, res, interval))
    bad = say_line(abs(p50 - t_half) <= tol_med, name,
                   "wait: bytes-weighted median %.2f s within %.2f s (a pass interval, the "
                   "resolution and 1 s) of the RSS's half-fall %.2f s after the free"
                   % (p50, tol_med, t_half), out)
    bad += say_line(abs(mean - t_mean) <= tol_mean, name,
                    "wait: bytes-weighted mean %.2f s within %.2f s (the resolution and 1 s) of "
                    "the RSS's fall-weighted mean %.2f s after the free" % (mean, tol_mean, t_mean),
                    out)
    hi = fall * (100 + TOL_PCT) / 100 + TOL_MIB * MIB
    bad += say_line(fall / 2 <= byt <= hi, name,
                    "wait: %.1f MiB sampled since the free, between half the RSS's fall and the "
                    "fall + %d %% + %d MiB (%.1f..%.1f MiB)"
                    % (byt / MIB, TOL_PCT, TOL_MIB, fall / 2 / MIB, hi / MIB), out)
    return bad


def say_line(good, name, text, out):
    out.write("%s - %s: %s\n" % ("ok" if good else "not ok", name, text))
    return 0 if good else 1


def judge(lines, name, out=sys.stdout):
    """prints the comparison and ok/not ok lines; returns the failures"""
    rss, samples, freed, end = parse(lines)
    bad = 0

    def say(good, text):
        return say_line(good, name, text, out)

    if freed is None or end is None or not rss:
        return say(False, "backlog stream incomplete (freed line %s, end line %s, %d RSS reads, "
                   "%d samples)" % (freed is not None, end is not None, len(rss), len(samples)))
    tail = sorted(b for t, b in rss if end - 1.0 <= t <= end)
    if not tail:
        return say(False, "no RSS read in the last second before the end line")
    r_end = tail[len(tail) // 2]
    out.write("# backlog stream: %d samples, freed at +0, end at %+.2f s, RSS at the end %.1f MiB\n"
              % (len(samples), end - freed, r_end / MIB))
    out.write("# %7s %7s %9s %9s %9s %s\n" % (
        "scan s", "age s", "backlog", "RSS lo", "RSS hi", "judged"))
    judged = 0
    worst = None
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
        use = lo >= MIN_MIB * MIB
        line = "# %+7.2f %7.3f %9.1f %9.1f %9.1f %s" % (
            ts - freed, float(age), byt / MIB, lo / MIB, hi / MIB, "yes" if use else "no")
        if not use:
            out.write(line + "\n")
            continue
        judged += 1
        lo_ok = lo * (100 - TOL_PCT) / 100 - (TOL_MIB + BATCH_MIB) * MIB
        hi_ok = hi * (100 + TOL_PCT) / 100 + TOL_MIB * MIB
        good = lo_ok <= byt <= hi_ok
        bad += not good
        off = 0 if good else (lo_ok - byt if byt < lo_ok else byt - hi_ok)
        worst = max(worst or 0, off)
        out.write(line + ("" if good else " BACKLOG OFF") + "\n")
    bad += say(judged >= 2 and not worst,
               "backlog within %d %% + %d MiB (%d MiB more below: a report in flight) of the "
               "RSS still to fall at %d samples taken during the drain (RSS range around each "
               "scan; at least 2 needed)%s"
               % (TOL_PCT, TOL_MIB, BATCH_MIB, judged, "" if not worst else
                  "; off by %.1f MiB at worst" % (worst / MIB)))
    return (bad + judge_eta(samples, rss, freed, r_end, name, out) +
            judge_wait(samples, rss, freed, end, r_end, name, out))


def self_test():
    import io
    # RSS: 3000 MiB held; freed at 10.0; passes of 256 MiB at 12, 14, 16, 18
    at = (12.0, 14.0, 16.0, 18.0)
    lines = []
    for i in range(300):
        t = i * 0.1
        n = sum(1 for p in at if t >= p)
        lines.append("rss %.4f %d" % (t, (3000 - 256 * n) * 1024))
    lines.append("mark 10.0000 PRTOP-RETURN-BACKLOG freed")
    lines.append("mark 25.0000 PRTOP-RETURN-BACKLOG end")

    def rss_at(t):
        return (3000 - 256 * sum(1 for p in at if t >= p)) * MIB

    def wait_at(scan, t_scale, b_scale):
        """prtop's wait at a scan: the 1 GiB first seen at the scan at
        10.05, each pass seen reported by the scan 0.05 s after it"""
        got = [(p + 0.05 - 10.05, 256 * MIB) for p in at if p + 0.05 <= scan + 1e-9]
        byt = sum(b for w, b in got)
        cum, p50 = 0, None
        for w, b in got:
            cum += b
            if p50 is None and cum >= byt / 2:
                p50 = w * t_scale
        return {"count": len(got) * 128, "bytes": int(byt * b_scale),
                "byte_seconds": sum(w * t_scale * b * b_scale for w, b in got),
                "p50_s": p50, "resolution_s": 2.0, "unseen_bytes": 0}

    def run(scale, eta=lambda ts, true: true + 2.0 - (ts - 12.0) % 2.0, t_scale=1.0,
            b_scale=1.0):
        """frames every 0.5 s from 10.25; the estimate counts whole passes
        from the last one seen: the truth plus a sawtooth of one interval"""
        ls = list(lines)
        for k in range(30):
            ts = 10.05 + 0.5 * k
            ta = ts + 0.2
            scan = ts - (ts - 10.05) % 2.0
            true = max(0.0, 18.0 - ta)
            b = {"bytes": int((rss_at(scan) - rss_at(25.0)) * scale), "age_s": ts - scan,
                 "time_to_return_s": None if true <= 0 else eta(ts, true),
                 "wait": wait_at(scan, t_scale, b_scale)}
            ls.append("mark %.4f PRTOP-RETURN-BACKLOG sample %s" % (ta, json.dumps(b)))
        buf = io.StringIO()
        return judge(ls, "t", buf), buf.getvalue()

    bad, text = run(1.0)
    assert bad == 0, text
    bad, text = run(1.0, lambda ts, true: true)
    assert bad == 0, "the truth itself fails:\n" + text
    bad, text = run(1.0, lambda ts, true: true + 2.0)
    assert bad == 0, "one interval long fails:\n" + text
    assert run(2.0)[0] > 0, "a factor of 2 passes"
    assert run(1 / 1024.0)[0] > 0, "KiB as bytes passes"
    assert run(1.0, lambda ts, true: 2 * true)[0] > 0, "an estimate 2x too long passes"
    assert run(1.0, lambda ts, true: 0.5 * true)[0] > 0, "an estimate 2x too short passes"
    assert run(1.0, lambda ts, true: true * 1000)[0] > 0, "ms as s passes"
    assert run(1.0, lambda ts, true: true + 26)[0] > 0, "a diluted estimate passes"
    assert run(1.0, t_scale=2.0)[0] > 0, "waits 2x too long pass"
    assert run(1.0, t_scale=1e-3)[0] > 0, "waits in ms read as s pass"
    assert run(1.0, b_scale=2.0)[0] > 0, "wait bytes 2x pass"
    assert run(1.0, b_scale=1 / 1024.0)[0] > 0, "wait bytes in KiB pass"
    assert judge(lines[:10], "t", io.StringIO()) == 1, "no stream"
    print("backlog_rss self-test: ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    elif len(sys.argv) == 4 and sys.argv[1] == "judge":
        sys.exit(1 if judge(open(sys.argv[2]).read().splitlines(), sys.argv[3]) else 0)
    else:
        sys.exit(__doc__)
