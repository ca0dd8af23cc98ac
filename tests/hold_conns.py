# SPDX-License-Identifier: GPL-2.0
"""Hold many idle or slow connections from one client, and time scrapes
from another meanwhile.

    python3 tests/hold_conns.py PORT [--conns 200] [--from 127.0.0.2]
                                [--drip] [--secs 12] [--path /metrics]

The holder opens --conns connections from the --from address, each sending
"GET /metrics HTTP/1.1\\r\\n" and nothing more (or, with --drip, one more
header byte every second: a slowloris).  While they are held, a scraper
from 127.0.0.1 fetches --path once every 0.5 s with a fresh connection,
each with a 1 s budget.  Prints one JSON line: the seconds opening them
took (open_s), connections the server accepted and still held after 1 s and
at the end, scrapes, how many took longer than 1 s or failed, and the
latencies (ms).  Loopback only.
"""
import argparse
import json
import socket
import time


def hold(port, src, n):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind((src, 0))
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
            s.sendall(b"GET /metrics HTTP/1.1\r\n")
        except OSError:
            s.close()
            continue
        socks.append(s)
    return socks


def alive(socks):
    """connections the server has not closed (a read would block)"""
    n = 0
    for s in socks:
        s.setblocking(False)
        try:
            n += s.recv(1) != b""
        except BlockingIOError:
            n += 1
        except OSError:
            pass
    return n


def drip(socks):
    for s in socks:
        try:
            s.setblocking(True)
            s.settimeout(0.05)
            s.send(b"X")
        except OSError:
            pass


def scrape(port, path):
    t0 = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=1.0)
        s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                   % path).encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        ok = data.startswith(b"HTTP/1.1 200")
    except OSError:
        ok = False
    return ok, (time.monotonic() - t0) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("--conns", type=int, default=200)
    ap.add_argument("--from", dest="src", default="127.0.0.2")
    ap.add_argument("--drip", action="store_true")
    ap.add_argument("--secs", type=float, default=12)
    ap.add_argument("--path", default="/metrics")
    a = ap.parse_args()

    t_open = time.monotonic()
    socks = hold(a.port, a.src, a.conns)
    opened = len(socks)
    open_s = time.monotonic() - t_open
    lat, slow, failed = [], 0, 0
    t0 = time.monotonic()
    end = t0 + a.secs
    next_drip = t0 + 1
    held_1s = None
    while time.monotonic() < end:
        if held_1s is None and time.monotonic() >= t0 + 1:
            held_1s = alive(socks)
        ok, ms = scrape(a.port, a.path)
        lat.append(round(ms, 1))
        failed += not ok
        slow += ok and ms > 1000
        if a.drip and time.monotonic() >= next_drip:
            drip(socks)
            next_drip += 1
        time.sleep(0.5)
    held = alive(socks)
    for s in socks:
        s.close()
    lat.sort()
    print(json.dumps({"opened": opened, "open_s": round(open_s, 2), "held_1s": held_1s, "held": held,
                      "scrapes": len(lat),
                      "failed": failed, "slow": slow,
                      "p50_ms": lat[len(lat) // 2] if lat else None,
                      "max_ms": lat[-1] if lat else None}))


if __name__ == "__main__":
    main()
