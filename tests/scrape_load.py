# SPDX-License-Identifier: GPL-2.0
"""Concurrent scrapes of one URL for a fixed time, like many Prometheus servers.

    python3 tests/scrape_load.py URL [--threads N] [--secs S] [--max N]

Each thread keeps one HTTP/1.1 connection open (reconnecting when the server
closes it) and fetches URL in a loop until the time is up or --max requests
were sent in all.  A request fails unless it answers 200 with a body that
contains --expect.  Prints one JSON line: requests, failures, latency p50/p99
in ms, and the first few failure reasons.  Loopback targets only.
"""
import argparse
import http.client
import json
import threading
import time
import urllib.parse


def percentile(sorted_ms, p):
    if not sorted_ms:
        return None
    rank = max(1, -(-len(sorted_ms) * p // 100))  # nearest rank, ceil
    return sorted_ms[int(rank) - 1]


def worker(url, deadline, budget, lock, out, expect):
    u = urllib.parse.urlsplit(url)
    conn = None
    lat, fails, reasons = [], 0, []
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        t0 = time.monotonic()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
            conn.request("GET", u.path or "/")
            r = conn.getresponse()
            body = r.read()
            ok = r.status == 200 and expect.encode() in body
            why = None if ok else "status %d, %d bytes" % (r.status, len(body))
            if r.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException) as e:
            ok, why = False, repr(e)
            if conn is not None:
                conn.close()
            conn = None
        lat.append((time.monotonic() - t0) * 1000)
        if not ok:
            fails += 1
            if len(reasons) < 3:
                reasons.append(why)
    if conn is not None:
        conn.close()
    with lock:
        out["lat"].extend(lat)
        out["failures"] += fails
        out["reasons"].extend(reasons)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--secs", type=float, default=5)
    ap.add_argument("--max", type=int, default=200000)
    ap.add_argument("--expect", default="prtop_worker_runs_total")
    a = ap.parse_args()
    host = urllib.parse.urlsplit(a.url).hostname
    if host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("127."):
        raise SystemExit("scrape_load: loopback targets only, not %s" % host)
    out = {"lat": [], "failures": 0, "reasons": []}
    lock = threading.Lock()
    budget = [a.max]
    deadline = time.monotonic() + a.secs
    start = time.monotonic()
    ts = [threading.Thread(target=worker,
                           args=(a.url, deadline, budget, lock, out, a.expect))
          for _ in range(a.threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    lat = sorted(out["lat"])
    print(json.dumps({
        "threads": a.threads,
        "secs": round(time.monotonic() - start, 2),
        "requests": len(lat),
        "failures": out["failures"],
        "p50_ms": percentile(lat, 50),
        "p99_ms": percentile(lat, 99),
        "reasons": out["reasons"],
    }))


if __name__ == "__main__":
    main()
