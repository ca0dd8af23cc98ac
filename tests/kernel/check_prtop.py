#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge prtop's own measurements from the patched test kernel.

tests/kernel/guest.sh runs `prtop stat --json` around three workloads and
sends the documents to the host (tests/qemu/lib.sh: qemu_blocks):
  base     defaults (capacity 32, delay 2000 ms, order 9)
  cap8     capacity 8, delay 500 ms, set with `prtop knob`
  order10  capacity 32, order 10
plus `prtop doctor` (doctor), `prtop knob --json` (knobs) and the growth of
the kernel's vmstat counters in each window (vals: "NAME VALUE" lines).
Prints one "ok - " / "not ok - " line per check and "# " lines with the
numbers.  Usage: check_prtop.py BLOCKS_DIR [BASE]
"""
import json
import os
import sys

PATCH_PROBES = ("notify", "worker", "request_delay", "report", "cycle",
                "boundary_reset", "reuse")
MS = 1000 * 1000


# "kernel 6.12 prtop: " with the base given as the second argument
PREFIX = "kernel %sprtop: " % (sys.argv[2] + " " if len(sys.argv) > 2 else "")


def ok(name, cond, why=""):
    print(("ok - " if cond else "not ok - ") + PREFIX + name +
          ("" if cond else ": " + why))
    return cond


def note(msg):
    print("# " + PREFIX + msg)


def load(d, tag):
    path = os.path.join(d, tag + ".json")
    err = os.path.join(d, tag + ".err")
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        why = str(e)
        if os.path.exists(err):
            why += "; prtop said: " + " ".join(open(err).read().split())[:300]
        ok(tag + " window JSON", False, why)
        return None


def vals(d):
    out = {}
    try:
        for line in open(os.path.join(d, "vals")):
            k, _, v = line.strip().partition(" ")
            out[k] = v
    except OSError:
        pass
    return out


def nents_max(doc):
    keys = [int(k.rstrip("+")) for k, n in doc["batch_nents_hist"].items() if n]
    return max(keys) if keys else None


def per_order(doc, order, key):
    for o in doc["per_order"]:
        if o["order"] == order:
            return o[key]
    return 0


def batches_per_gib(doc):
    b = doc["reported_bytes_total"]
    return doc["batches_total"] * (1 << 30) / b if b else 0.0


def check_attach(d, base):
    try:
        doctor = open(os.path.join(d, "doctor.json")).read()
    except OSError:
        doctor = ""
    line = [l for l in doctor.split("\n") if l.startswith("patch tracepoints")]
    ok("doctor: patch tracepoints layer used", bool(line) and " yes " in line[0],
       line[0] if line else "no 'patch tracepoints' line in prtop doctor")
    fl = [l for l in doctor.split("\n") if l.startswith("fentry/fexit")]
    note("doctor: " + (fl[0] if fl else "no fentry/fexit line"))
    if fl and "works here" in fl[0]:
        ok("patch tracepoints preferred over fentry, which works on this kernel too",
           base["attach"].get("worker") == "patch_tracepoint"
           and base["attach"].get("report") == "patch_tracepoint",
           "worker %s, report %s" % (base["attach"].get("worker"), base["attach"].get("report")))
    modes = {p: base["attach"].get(p) for p in PATCH_PROBES}
    bad = {p: m for p, m in modes.items() if m != "patch_tracepoint"}
    ok("probes attach to the patch tracepoints (%s)" % " ".join(PATCH_PROBES),
       not bad, "%s" % bad)


def check_knobs(d):
    doc = load(d, "knobs")
    if doc is None:
        return
    knobs = doc.get("knobs", doc) if isinstance(doc, dict) else doc
    by = {k.get("name"): k for k in knobs} if isinstance(knobs, list) else knobs
    # one writer per knob: the capacity is the sysctl, the delay and the
    # order the module parameters
    for name, src in (("capacity", "sysctl"), ("delay_ms", "module parameter"),
                      ("order", "module parameter")):
        k = by.get(name) or {}
        ok("knob list: %s from the %s" % (name, src),
           src in str(k.get("source", "")), "entry: %s" % k)
    names = set(by)
    want = {"page_reporting_reports", "page_reporting_pages_reported",
            "page_reporting_unreported_alloc"}
    ok("knob list: the vmstat counters", want <= names, "missing %s" % (want - names))


def check_base(base, v):
    n = nents_max(base)
    p50 = (base["request_delay_ns"]["p50"] or 0) / MS
    note("base: %d batches, %.1f MiB, nents max %s, request->run p50 %.0f ms (%d samples)"
         % (base["batches_total"], base["reported_bytes_total"] / 2**20, n, p50,
            base["request_delay_ns"]["count"]))
    ok("defaults: batches of up to 32 entries", base["batches_total"] > 0 and n is not None
       and n <= 32, "batches %d, nents max %s" % (base["batches_total"], n))
    ok("defaults: request->run delay p50 1500-2600 ms", 1500 <= p50 <= 2600, "%.0f ms" % p50)


def check_cap8(base, cap8, v):
    n = nents_max(cap8)
    p50 = (cap8["request_delay_ns"]["p50"] or 0) / MS
    cnt = cap8["request_delay_ns"]["count"]
    rb = cap8["reported_bytes_total"]
    ratio = batches_per_gib(cap8) / batches_per_gib(base) if batches_per_gib(base) else 0
    note("cap8: %d batches, %.1f MiB, nents %s, request->run p50 %.0f ms p99 %.0f ms (%d samples)"
         % (cap8["batches_total"], rb / 2**20, cap8["batch_nents_hist"], p50,
            (cap8["request_delay_ns"]["p99"] or 0) / MS, cnt))
    note("batches per GiB: %.1f at capacity 32, %.1f at capacity 8 (x%.2f)"
         % (batches_per_gib(base), batches_per_gib(cap8), ratio))
    ok("capacity=8: every batch has nents <= 8", cap8["batches_total"] > 0 and n is not None
       and n <= 8, "batches %d, nents %s" % (cap8["batches_total"], cap8["batch_nents_hist"]))
    # ~4x when every batch is full; the last batch of a run is not
    entries = sum(int(k.rstrip("+")) * c for k, c in cap8["batch_nents_hist"].items())
    mean = entries / cap8["batches_total"] if cap8["batches_total"] else 0
    ok("capacity=8: batches grow accordingly (x%.2f per GiB, >= 2; %.1f entries per batch, >= 5)"
       % (ratio, mean), ratio >= 2 and mean >= 5, "x%.2f, %.1f entries per batch" % (ratio, mean))
    ok("delay_ms=500: request->run delay p50 400-700 ms (%.0f ms, %d samples)" % (p50, cnt),
       400 <= p50 <= 700 and cnt >= 3, "p50 %.0f ms, %d samples" % (p50, cnt))
    lr = cap8.get("last_run") or {}
    ok("capacity=8 delay_ms=500: runs used them (last_run)",
       lr.get("capacity") == 8 and lr.get("delay_ms") == 500, "last_run %s" % lr)
    # prtop attaches while it starts, and its own start frees memory: the
    # vmstat growth is read from before it started and from once attached
    lo = int(v.get("cap8_vmstat_pages_reported", -1)) * 4096
    hi = int(v.get("cap8_vmstat_pages_reported_from_launch", -1)) * 4096
    note("vmstat page_reporting_pages_reported grew %d B from prtop attached, %d B from its "
         "launch; prtop %d B" % (lo, hi, rb))
    ok("reported bytes agree with the kernel's page_reporting_pages_reported",
       rb > 0 and cap8["report_errors_total"] == 0 and lo <= rb <= hi,
       "prtop %d B (errors %d), vmstat %d..%d B" % (rb, cap8["report_errors_total"], lo, hi))
    tlo = int(v.get("cap8_trace_report_bytes", -1))
    thi = int(v.get("cap8_trace_report_bytes_all", -1))
    ok("reported bytes agree with the report events in tracefs (%d..%d B)" % (tlo, thi),
       0 < tlo <= rb <= thi, "prtop %d, trace %d after prtop said it attached, %d in all"
       % (rb, tlo, thi))
    so = sum(o["reported_bytes"] for o in cap8["per_order"])
    ok("per-order reported bytes (from the cycle events) add up to the total",
       so == rb, "per order %d, total %d" % (so, rb))
    reused = cap8["reuse_bytes_total"]
    dreused = int(v.get("cap8_vmstat_reused_pages", -1)) * 4096
    note("reuse: prtop %.1f MiB, vmstat page_reporting_unreported_alloc + _split grew %.1f MiB"
         % (reused / 2**20, dreused / 2**20))
    ok("reuse of reported memory counted, close to vmstat", reused > 0 and dreused > 0
       and abs(reused - dreused) <= max(dreused // 10, 4 << 20),
       "prtop %d, vmstat %d" % (reused, dreused))
    br = cap8.get("boundary_resets") or {}
    note("boundary resets: %s, budget exhausted %s, zones walked %s"
         % (br, cap8.get("cycle_budget_exhausted_total"), cap8.get("zones_walked_total")))
    ok("boundary resets counted", br.get("report", 0) > 0, "%s" % br)


def check_order10(o10):
    o9 = per_order(o10, 9, "reported_bytes")
    c9 = per_order(o10, 9, "cycles")
    r10 = per_order(o10, 10, "reported_bytes")
    note("order10: order 9 reported %d B, %d cycles; order 10 reported %.1f MiB"
         % (o9, c9, r10 / 2**20))
    ok("order=10: no order-9 page reported, no order-9 list walked",
       o9 == 0 and c9 == 0 and r10 > 0, "order 9: %d B, %d cycles; order 10: %d B" % (o9, c9, r10))
    lr = o10.get("last_run") or {}
    ok("order=10: runs used it (last_run)", lr.get("order") == 10, "last_run %s" % lr)


def check_batch(d):
    try:
        text = open(os.path.join(d, "batch.json")).read()
    except OSError as e:
        ok("batch view", False, str(e))
        return
    knobs = [l for l in text.split("\n") if l.startswith("knobs:")]
    ok("batch view: knob values from the patch's sysctl and module parameters",
       bool(knobs) and knobs[-1].count("patch sysctl") == 1
       and knobs[-1].count("module parameter") == 2 and "capacity 8 " in knobs[-1],
       knobs[-1] if knobs else "no knobs: line")
    ok("batch view: free list walks line", any(l.startswith("walks: boundary resets")
                                                for l in text.split("\n")),
       "no 'walks:' line in prtop -b output")


def main():
    d = sys.argv[1]
    v = vals(d)
    base, cap8, o10 = load(d, "base"), load(d, "cap8"), load(d, "order10")
    check_knobs(d)
    check_batch(d)
    if base:
        check_attach(d, base)
        check_base(base, v)
    if base and cap8:
        check_cap8(base, cap8, v)
    if o10:
        check_order10(o10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
