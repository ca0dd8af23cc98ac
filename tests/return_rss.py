#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host side of `prtop bench --return --mark /dev/ttyS1` in a QEMU guest.

usage: return_rss.py record SOCKET QEMU_PID OUT STEP_S
       return_rss.py judge GUEST.json OUT
       return_rss.py --self-test

record: connects to the unix socket QEMU serves the guest's second serial
port on, stamps each "PRTOP-RETURN ..." line with the host's
CLOCK_MONOTONIC as it arrives (blocked in select(), so within the
scheduler's latency), and reads QEMU's VmRSS every STEP_S seconds; until
QEMU exits.  OUT has lines "rss T KIB" (T: the middle of the read) and
"mark T LINE".

judge: the workload's change per setting (-- pf1 in the same run),
recomputed from its runs by Welch's interval; and per round of the guest's JSON (bench --return --json --mark), the
host's free instant is the free line's arrival; the guest drained that line
before munmap(), so the arrival is at most the round's mark_lead_s early
(plus the reader's wake-up, late).  RSS at the free: the last sample before
it.  The host's 90 % time: the first sample after the free at which RSS has
fallen by 90 % of the freed bytes (the guest's definition of its share,
of the same bytes), less the free instant.  It agrees with the guest's
t90_s when they differ by at most the host's sampling step at that point
plus the lead (the bound on the free instant's misalignment).  The
guest's own 50 ms sampling makes its time late by up to 50 ms, the host's
late by up to one step, in the same direction, so it needs no allowance.
"""
import json
import os
import select
import socket
import sys
import time

SHARE = 0.9


def vmrss_kib(path):
    with open(path) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise OSError("no VmRSS in " + path)


def record(sock_path, pid, out, step):
    status = "/proc/%d/status" % pid
    s, end = None, time.monotonic() + 30
    while s is None:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(sock_path)
        except OSError:
            s = None
            if time.monotonic() > end or not os.path.exists("/proc/%d" % pid):
                sys.exit("return_rss: cannot connect to %s" % sock_path)
            time.sleep(0.05)
    buf, nxt = b"", time.monotonic()
    with open(out, "w") as f:
        while True:
            now = time.monotonic()
            if now >= nxt:
                try:
                    kib = vmrss_kib(status)
                except OSError:
                    break  # QEMU is gone
                t = (now + time.monotonic()) / 2
                f.write("rss %.4f %d\n" % (t, kib))
                nxt += step
                if nxt < now:  # late: the gap stays in the log, judged as it is
                    nxt = now + step
            wait = max(0.0, nxt - time.monotonic())
            r = select.select([s], [], [], wait)[0] if s else time.sleep(wait)
            if not r:
                continue
            t = time.monotonic()
            data = s.recv(4096)
            if not data:
                s = None
                continue
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode(errors="replace").strip()
                if text.startswith("PRTOP-RETURN"):
                    f.write("mark %.4f %s\n" % (t, text))
            f.flush()


def parse_log(lines):
    """(rss [(t, bytes)], frees {(set, round): t}, ends {(set, round): t})"""
    rss, frees, ends = [], {}, {}
    for line in lines:
        w = line.split()
        if len(w) == 3 and w[0] == "rss":
            rss.append((float(w[1]), int(w[2]) * 1024))
        elif len(w) >= 5 and w[0] == "mark" and w[2] == "PRTOP-RETURN":
            key = (int(w[4]), int(w[5]))
            (frees if w[3] == "free" else ends)[key] = float(w[1])
    rss.sort()
    return rss, frees, ends


def host_t90(rss, t_free, t_stop, freed):
    """(t90 s, step s at the crossing, RSS at the free, fall before t_stop)
    or None where there is no sample before the free; t90 None if not
    reached before t_stop (the next free line; None: the log's end).  Not
    the round's end line: a round that reaches 99 %% at the sample it
    reaches 90 %% ends at once, and its end line can beat the host's next
    RSS sample; what follows the end until the next free only raises RSS
    (the next round touching its memory), it cannot fake a fall"""
    before = [r for r in rss if r[0] <= t_free]
    if not before:
        return None
    r0, prev = before[-1][1], before[-1][0]
    low = r0
    for t, b in rss:
        if t <= t_free:
            continue
        if t_stop is not None and t >= t_stop:
            break
        low = min(low, b)
        if r0 - b >= SHARE * freed:
            return t - t_free, t - prev, r0, r0 - low
        prev = t
    return None, None, r0, r0 - low


def judge(guest, lines, out=sys.stdout):
    """per round and overall lines; returns (agreeing, judged)"""
    rss, frees, ends = parse_log(lines)
    steps = [b[0] - a[0] for a, b in zip(rss, rss[1:])]
    if steps:
        out.write("host: QEMU's VmRSS every %.3f s (median; longest gap %.3f s), %d samples\n"
                  % (sorted(steps)[len(steps) // 2], max(steps), len(rss)))
    starts = sorted(frees.values())
    agree = judged = 0
    worst = 0.0
    out.write("%-14s %5s %9s %9s %8s %8s %8s %7s  %s\n" % (
        "setting", "round", "guest t90", "host t90", "diff", "step", "lead", "fall", "agree"))
    for si, st in enumerate(guest["settings"]):
        for ri, rd in enumerate(st["per_round"]):
            tf = frees.get((si, ri))
            g = rd.get("t90_s")
            if tf is None:
                out.write("%-14s %5d  no free line reached the host\n" % (st["name"], ri + 1))
                continue
            nxt = next((t for t in starts if t > tf), None)
            h = host_t90(rss, tf, nxt, rd["freed_bytes"])
            if h is None or h[0] is None or g is None:
                # both not reached agree; one of them is a disagreement
                both = g is None and h is not None and h[0] is None
                judged += 1
                agree += both
                out.write("%-14s %5d  90 %% not reached by %s  %s\n" % (
                    st["name"], ri + 1, "either" if both else "guest" if g is None else "host",
                    "yes" if both else "NO"))
                continue
            t90, step, _, fall = h
            lead = rd.get("mark_lead_s") or 0.0
            diff = t90 - g
            ok = abs(diff) <= step + lead
            judged += 1
            agree += ok
            worst = max(worst, abs(diff))
            out.write("%-14s %5d %8.3fs %8.3fs %+7.3fs %7.3fs %7.4fs %6.1f%%  %s\n" % (
                st["name"], ri + 1, g, t90, diff, step, lead,
                100.0 * fall / rd["freed_bytes"], "yes" if ok else "NO"))
    out.write("agreement: %d of %d rounds within the host's step + the lead; "
              "largest difference %.3f s\n" % (agree, judged, worst))
    return agree, judged


def ci(st):
    s = st["t90_s"]
    return s["mean"], s["ci95_lo"], s["ci95_hi"]


def workload_cell(st):
    w = st.get("workload")
    if w is None:
        return "not run"
    if w["change_pct"] is None:
        return "base %s/s" % ("n/a" if w["ops_mean"] is None else "%.0f" % w["ops_mean"])
    return "%+.1f%% ±%.1f%%%s" % (w["change_pct"], w["ci95_pct"], "" if w["significant"] else "~")


T975 = [0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228]


def welch(base, cur):
    """(%change of the means, its 95 % half-width in %) from the runs"""
    def mv(v):
        m = sum(v) / len(v)
        return m, sum((x - m) ** 2 for x in v) / (len(v) - 1) / len(v)
    mb, vb = mv(base)
    mc, vc = mv(cur)
    df = ((vb + vc) ** 2 / (vb * vb / (len(base) - 1) + vc * vc / (len(cur) - 1))
          if vb + vc > 0 else len(base) + len(cur) - 2)
    lo = min(int(df), 9)
    t = T975[lo] + (T975[lo + 1] - T975[lo]) * min(df - lo, 1)
    return 100 * (mc - mb) / mb, 100 * t * (vb + vc) ** 0.5 / mb


def check_workload(guest, out=sys.stdout):
    """the workload's change per setting, recomputed from its runs against
    the first setting's; the first's change null.  Returns the failures."""
    sets = guest["settings"]
    if sets[0].get("workload") is None:
        out.write("workload: not run\n")
        return 0
    bad = 0
    base = sets[0]["workload"]["ops_per_run"]
    if sets[0]["workload"]["change_pct"] is not None:
        out.write("workload: NO: the baseline [%s] has a change\n" % sets[0]["name"])
        bad += 1
    for st in sets[1:]:
        w = st["workload"]
        if len(base) < 2 or len(w["ops_per_run"]) < 2:
            bad += w["change_pct"] is not None
            continue
        chg, hw = welch(base, w["ops_per_run"])
        # the runs are rounded to 0.1 op/s; df to a table step
        ok = (w["change_pct"] is not None and abs(w["change_pct"] - chg) <= 0.02 + 1e-3 * abs(chg)
              and abs(w["ci95_pct"] - hw) <= 0.02 + 0.01 * hw)
        bad += not ok
        out.write("workload: [%s] %+.2f%% ±%.2f%% from its %d runs, prtop %s  %s\n" % (
            st["name"], chg, hw, len(w["ops_per_run"]), workload_cell(st), "yes" if ok else "NO"))
    return bad


def table(guest, out=sys.stdout):
    """the guest's figures per setting, and whether the first two's 90 %
    intervals overlap"""
    def num(v, fmt="%.2f"):
        return "n/a" if v is None else fmt % v

    out.write("%-14s %6s %6s %20s %6s %10s %12s %18s\n" % (
        "setting", "rounds", "t50 s", "t90 s [95 % ci]", "t99 s", "worker ms", "refault MiB",
        "workload ±ci95"))
    for st in guest["settings"]:
        m, lo, hi = ci(st)
        iv = "n/a" if lo is None else "%.2f [%.2f, %.2f]" % (m, lo, hi)
        rf = st.get("refault_bytes_mean")
        out.write("%-14s %6d %6s %20s %6s %10s %12s %18s\n" % (
            st["name"], st["rounds"], num(st["t50_s"]["mean"]), iv, num(st["t99_s"]["mean"]),
            num(st.get("worker_ms_mean"), "%.1f"),
            num(None if rf is None else rf / 1048576.0, "%.1f"), workload_cell(st)))
    if len(guest["settings"]) > 1:
        a, b = guest["settings"][0], guest["settings"][1]
        _, alo, ahi = ci(a)
        _, blo, bhi = ci(b)
        if None in (alo, ahi, blo, bhi):
            out.write("intervals: n/a (a setting has no 90 %% interval)\n")
        else:
            apart = ahi < blo or bhi < alo
            out.write("intervals: [%s] and [%s] 90 %% intervals %s\n" % (
                a["name"], b["name"], "do not overlap" if apart else "OVERLAP"))
    if guest.get("advice"):
        out.write("advice: %s\n" % guest["advice"])


def self_test():
    """the judge against a made-up run whose answers are known"""
    import io
    mib = 1 << 20
    freed = 1024 * mib
    lines = ["rss %.4f %d" % (i * 0.1, (3000 * mib - (0 if i * 0.1 < 2.05 else
             min(1000, int((i * 0.1 - 2.05) * 500)) * mib)) // 1024) for i in range(80)]
    # free at 2.02: RSS falls 500 MiB/s from 2.05, 90 % (921.6 MiB) once
    # 1.8432 s have passed, first seen at the 3.9 s sample -> 1.88 s
    # the end line comes before the host's crossing sample (3.9): still judged
    lines += ["mark 2.0200 PRTOP-RETURN free 0 0 on",
              "mark 3.8700 PRTOP-RETURN end 0 0 lead_s=0.0030 t90_s=1.850",
              "mark 6.0000 PRTOP-RETURN free 1 0 delay_ms=250"]
    guest = {"settings": [
        {"name": "on", "per_round": [{"t90_s": 1.85, "freed_bytes": freed, "mark_lead_s": 0.003}]},
        {"name": "delay_ms=250", "per_round": [{"t90_s": 0.5, "freed_bytes": freed,
                                                "mark_lead_s": 0.003}]}]}
    rss, frees, ends = parse_log(lines)
    assert len(rss) == 80 and frees[(0, 0)] == 2.02 and ends[(0, 0)] == 3.87, "parse"
    t90, step, r0, fall = host_t90(rss, 2.02, 6.0, freed)
    assert abs(t90 - 1.88) < 1e-6 and abs(step - 0.1) < 1e-6, ("t90", t90, step)
    assert r0 == 3000 * mib, "RSS at the free is the last sample before it"
    assert host_t90(rss, -1, None, freed) is None, "no sample before the free"
    assert host_t90(rss, 2.02, 3.9, freed)[0] is None, "not reached before the next free"
    buf = io.StringIO()
    a, n = judge(guest, lines, buf)
    # round 2: freed at 6.0 when RSS is down already: it never falls by 90 %
    # of a GiB again while the guest says 0.5 s: a disagreement
    assert (a, n) == (1, 2), (a, n, buf.getvalue())
    guest["settings"][0]["per_round"][0]["t90_s"] = 1.70   # 0.18 s off: step + lead is 0.103
    buf = io.StringIO()
    assert judge(guest, lines, buf) == (0, 2), buf.getvalue()
    guest["settings"][1]["per_round"][0]["t90_s"] = None   # neither got there: agreed
    buf = io.StringIO()
    assert judge(guest, lines, buf) == (1, 2), buf.getvalue()
    # the workload's change against the first setting, from the runs
    guest = {"settings": [
        {"name": "on", "workload": {"ops_per_run": [100.0, 102.0, 98.0], "change_pct": None}},
        {"name": "delay_ms=250", "workload": {"ops_per_run": [50.0, 51.0, 49.0],
                                              "change_pct": -50.0, "ci95_pct": 5.56,
                                              "significant": True}}]}
    chg, hw = welch([100.0, 102.0, 98.0], [50.0, 51.0, 49.0])
    # by hand: var/n 4/3 and 1/3, df 2.94, t 3.248: 100 * 3.248 * 1.291 / 100
    assert abs(chg + 50) < 1e-9 and abs(hw - 4.193) < 0.001, (chg, hw)
    guest["settings"][1]["workload"]["ci95_pct"] = round(hw, 2)
    assert check_workload(guest, io.StringIO()) == 0
    guest["settings"][1]["workload"]["change_pct"] = 50.0     # the sign flipped
    assert check_workload(guest, io.StringIO()) == 1
    guest["settings"][1]["workload"]["change_pct"] = -50.0
    guest["settings"][1]["workload"]["ci95_pct"] = 2.3        # one arm's spread only
    assert check_workload(guest, io.StringIO()) == 1
    print("return_rss self-test: ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        self_test()
    elif len(sys.argv) == 6 and sys.argv[1] == "record":
        record(sys.argv[2], int(sys.argv[3]), sys.argv[4], float(sys.argv[5]))
    elif len(sys.argv) == 4 and sys.argv[1] == "judge":
        g = json.load(open(sys.argv[2]))
        table(g)
        bad = check_workload(g)
        a, n = judge(g, open(sys.argv[3]).read().splitlines())
        sys.exit(0 if n and a == n and not bad else 1)
    else:
        sys.exit(__doc__)
