#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Free MIB at once and run `prtop doctor -j -d SECS` over the drain, while
the kernel's own counters (reported_kib, passes) are logged every 20 ms on
CLOCK_MONOTONIC, the clock prtop stamps its window with.  Writes one JSON:
the log, the doctor's output, when it ran.

usage: drain_watch.py PRTOP MEMHOG MIB SECS OUT"""
import json, subprocess, sys, threading, time

P = "/sys/module/page_reporting/parameters/"
prtop, memhog, mib, secs, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
log, stop = [], threading.Event()


def rd(name):
    with open(P + name) as f:
        return int(f.read())


def logger():
    while not stop.is_set():
        t0 = time.monotonic()
        k, p = rd("reported_kib"), rd("passes")
        log.append((t0, time.monotonic(), k, p))
        time.sleep(0.02)


def buddy():
    with open("/proc/buddyinfo") as f:
        return [[int(x) for x in l.split()[4:]] for l in f if l.strip()]


th = threading.Thread(target=logger, daemon=True)
th.start()
hog = subprocess.Popen([memhog, "-m", str(mib), "-q"], stdout=subprocess.PIPE, text=True)
freed = None
for line in hog.stdout:
    if line.startswith("MEMHOG freed"):
        freed = time.monotonic()
        break
hog.wait()
zones = buddy()
launch = time.monotonic()
doc = subprocess.run([prtop, "doctor", "-j", "-d", secs], capture_output=True, text=True)
exited = time.monotonic()
zones_after = buddy()
time.sleep(2.5)
stop.set()
th.join()
json.dump({"freed": freed, "launch": launch, "exit": exited, "rc": doc.returncode,
           "doctor": doc.stdout, "stderr": doc.stderr[-2000:], "zones": zones,
           "zones_after": zones_after, "log": log,
           "mib": mib}, open(out, "w"))
