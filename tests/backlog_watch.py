#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""prtop's backlog and drain rate beside the test's own readings.

usage: backlog_watch.py PRTOP MEMHOG FREE_MIB ORDER WATCH_S OUT.json

Runs `PRTOP -b -j -T -d 0.5` (a backlog scan every 2 s), frees FREE_MIB
MiB with MEMHOG, then for WATCH_S seconds (up to 6 s more until one of
prtop's scans fell inside a quiet reading) reads every PFN's flags itself
(kpf_truth.py) again and again, while a thread logs the kernel's reported_kib and passes every
0.1 s.  Writes OUT.json:

  pairs: a prtop sample whose scan ran inside one of the test's readings:
         prtop's backlog, reported and reportable bytes beside the test's,
         and tol: 8 MiB plus what moved during the reading (reported_kib's
         gain, the range of buddyinfo's total), at most 72 MiB
  drain: every prtop sample with a drain rate: drain * window beside
         reported_kib's gain over that window as the test logged it, lo
         (the window shrunk by the log's step) and hi (grown by it); since:
         memory returned (prtop's headline) since the sample that scanned
"""
import datetime
import json
import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from kpf_truth import buddyinfo, truth  # noqa: E402

PARAMS = "/sys/module/page_reporting/parameters/"
STEP = 0.1    # the counters' log
MARGIN = 0.05  # prtop reads the counters a little after its sample's time
TOL_MAX = 72 << 20
PAGE = os.sysconf("SC_PAGE_SIZE")  # a reading during which more moved judges nothing


def counters(order):
    """reported_kib, passes, and buddyinfo's pages in blocks >= order"""
    c = tuple(int(open(PARAMS + n).read()) for n in ("reported_kib", "passes"))
    return c + (sum(v for o, v in buddyinfo()[1].items() if o >= order),)


def main():
    prtop, memhog, free_mib, order, watch_s, out = sys.argv[1:7]
    order, watch_s = int(order), float(watch_s)
    log, samples, stop = [], [], threading.Event()

    def logger():
        while not stop.is_set():
            log.append((time.time(),) + counters(order))
            time.sleep(STEP)

    def reader(p):
        for line in p.stdout:
            try:
                d = json.loads(line)
            except ValueError:
                continue
            t = datetime.datetime.strptime(d["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
            d["t"] = t.replace(tzinfo=datetime.timezone.utc).timestamp()
            samples.append(d)

    lt = threading.Thread(target=logger)
    lt.start()
    p = subprocess.Popen([prtop, "-b", "-j", "-T", "-d", "0.5"], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True)
    rt = threading.Thread(target=reader, args=(p,))
    rt.start()
    t_end = time.time() + 20
    while not samples and time.time() < t_end:
        time.sleep(0.1)
    subprocess.run([memhog, "-m", str(free_mib), "-H", "1"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    t_free = time.time()
    reads, pairs = [], []

    def pair(tr):
        # what moved during the reading: reported_kib (reports) and the free
        # lists' total (its range, logged every 0.1 s); 8 MiB more for what
        # churn that total hides: the tolerance, if it is small
        span = [e for e in log if tr["ta"] - STEP <= e[0] <= tr["tb"] + STEP]
        if len(span) < 2:
            return
        lists = [e[3] * PAGE for e in span] + [tr["buddyinfo_bytes"], tr["buddyinfo_end_bytes"]]
        tol = (8 << 20) + (span[-1][1] - span[0][1]) * 1024 + max(lists) - min(lists)
        if tol > TOL_MAX:
            return
        for d in list(samples):
            b = d["backlog"]
            if b["bytes"] is None:
                continue
            # the scan (age_s before the sample, scan_ms long) inside the reading
            at = d["t"] - b["age_s"]
            if not (tr["ta"] <= at and at + b["scan_ms"] / 1e3 + MARGIN <= tr["tb"]):
                continue
            if any(x["time"] == d["time"] for x in pairs):
                continue
            pairs.append({
                "time": d["time"], "age_s": b["age_s"], "tol": tol,
                "bytes": b["bytes"], "truth_bytes": tr["unreported_bytes"],
                "reported": b["reported_free_bytes"], "truth_reported": tr["reported_bytes"],
                "reportable": b["reportable_bytes"], "truth_reportable": tr["buddyinfo_bytes"],
            })

    # WATCH_S, or up to 6 s more until some scan fell in a quiet enough reading
    while time.time() < t_free + watch_s or (not pairs and time.time() < t_free + watch_s + 6):
        ta = time.time()
        tr = truth(order)
        tr["ta"], tr["tb"] = ta, time.time()
        reads.append(tr)
        # the samples of the scans inside it are out a sample (0.5 s) later
        time.sleep(0.6)
        pair(tr)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=10)
    rt.join()
    stop.set()
    lt.join()

    def kib_before(t):
        v = [e[1] for e in log if e[0] <= t - MARGIN]
        return v[-1] if v else None

    def kib_after(t):
        v = [e[1] for e in log if e[0] >= t + MARGIN]
        return v[0] if v else None

    def returned_at(t):
        """memory returned as of the sample that scanned at t"""
        v = [e.get("reported_bytes_total") for e in samples
             if e["backlog"].get("age_s") == 0 and abs(e["t"] - t) < 0.05]
        return v[0] if v else None

    drain = []
    for d in samples:
        b = d["backlog"]
        if b["drain_bytes_per_s"] is None or d["reported_source"] != "kernel:reported_kib":
            continue
        t1, t0 = d["t"], d["t"] - b["drain_window_s"]
        lo = [kib_before(t1), kib_after(t0)]
        hi = [kib_after(t1), kib_before(t0)]
        if None in lo or None in hi:
            continue
        drain.append({
            "time": d["time"], "window_s": b["drain_window_s"],
            "gain": b["drain_bytes_per_s"] * b["drain_window_s"],
            "lo": (lo[0] - lo[1]) * 1024, "hi": (hi[0] - hi[1]) * 1024,
            "eta": b["time_to_return_s"], "bytes": b["bytes"],
            "since": None if b.get("age_s") is None or returned_at(d["t"] - b["age_s"]) is None
            or d.get("reported_bytes_total") is None
            else d["reported_bytes_total"] - returned_at(d["t"] - b["age_s"]),
        })
    json.dump({"free_mib": int(free_mib), "samples": len(samples), "reads": len(reads),
               "pairs": pairs, "drain": drain,
               "max_truth_bytes": max([r["unreported_bytes"] for r in reads] or [0]),
               "scan_ms": [d["backlog"]["scan_ms"] for d in samples]},
              open(out, "w"), indent=1)


main()
