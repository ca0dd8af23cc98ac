#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge prtop's own measurements from the patched test kernel.

tests/kernel/guest.sh runs `prtop stat --json` around three workloads and
sends the documents to the host (tests/qemu/lib.sh: qemu_blocks):
  base     defaults (capacity 0: virtio_balloon's 32, delay 2000 ms, order 9)
  cap8     capacity 8, delay 500 ms, set with `prtop knob`
  order10  capacity 32, order 10 (delay still 500 ms)
plus `prtop doctor` (doctor), `prtop knob --json` (knobs), the growth of
the kernel's vmstat counters in each window (vals: "NAME VALUE" lines) and
the page_reporting events tracefs recorded in each window (TAG-trace, one
"EVENT SECONDS FIELD=VALUE..." line each, tests/kernel/guest.sh: events).

Every window's figures are compared with the kernel's: the vmstat counters
and the trace events.  prtop attaches after tracing starts and stops before
it ends: what it counts lies between the events recorded after the
PRTOP-ATTACHED marker and before PRTOP-STOP, and all events in the trace.
Prints one "ok - " / "not ok - " line per check and "# " lines with the
numbers.  Usage: check_prtop.py BLOCKS_DIR [BASE]
"""
import re
import json
import os
import sys

# the v3 series traces requests, runs, report() calls and reported memory
# taken again; the free list walk (cycle, boundary_reset) is not traced
PATCH_PROBES = ("notify", "worker", "request_delay", "report", "reuse")
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
    """doc's per_order[order][key]; None when the order or the key is absent"""
    for o in doc.get("per_order") or []:
        if o.get("order") == order:
            return o.get(key)
    return None


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
    # one kind of interface: the three knobs are module parameters, the
    # capacity the patch's
    for name, src in (("capacity", "patch module parameter"), ("delay_ms", "module parameter"),
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
    so = sum(o["reported_bytes"] or 0 for o in cap8["per_order"])
    ok("per-order reported bytes (from the report events' scatterlists) add up to the total",
       so == rb, "per order %d, total %d" % (so, rb))
    reused = cap8["reuse_bytes_total"]
    dreused = int(v.get("cap8_vmstat_reused_pages", -1)) * 4096
    note("reuse: prtop %.1f MiB, vmstat page_reporting_unreported_alloc grew %.1f MiB"
         % (reused / 2**20, dreused / 2**20))
    ok("reuse of reported memory counted, close to vmstat", reused > 0 and dreused > 0
       and abs(reused - dreused) <= max(dreused // 10, 4 << 20),
       "prtop %d, vmstat %d" % (reused, dreused))
    # what v3 does not trace is unknown, not zero
    note("boundary resets %s, zones walked %s"
         % (cap8.get("boundary_resets"), cap8.get("zones_walked_total")))
    ok("zones walked: unknown (null) with the v3 tracepoints, never 0",
       cap8.get("zones_walked_total") is None, "%s" % cap8.get("zones_walked_total"))


def check_order10(o10):
    # an order absent from per_order (or null) is not "none reported"
    o9 = per_order(o10, 9, "reported_bytes")
    r10 = per_order(o10, 10, "reported_bytes")
    note("order10: order 9 reported %s B; order 10 reported %s B" % (o9, r10))
    ok("order=10: no order-9 page reported, order-10 pages reported",
       o9 == 0 and r10 is not None and r10 > 0,
       "order 9: %s B; order 10: %s B (None: absent or null)" % (o9, r10))
    lr = o10.get("last_run") or {}
    ok("order=10: runs used it (last_run)", lr.get("order") == 10, "last_run %s" % lr)


class Trace:
    """The page_reporting events of one window (tests/kernel/guest.sh:
    events).  phase 0: before PRTOP-ATTACHED, 1: up to PRTOP-STOP, 2: after.
    span() gives (what prtop must have seen, what it may have seen)."""

    def __init__(self, text):
        self.ev = []        # (name, seconds, fields, phase)
        self.unreport = []  # (phase, order, reason, events)
        self.marks = []
        phase = 0
        for line in text.split("\n"):
            w = line.split()
            if len(w) < 2:
                continue
            if w[0] == "unreport_sum" and len(w) == 5:
                self.unreport.append((min(int(w[1]), 2), int(w[2]), w[3], int(w[4])))
                continue
            try:
                ts = float(w[1])
            except ValueError:
                continue
            if w[0] == "mark":
                self.marks.append(" ".join(w[2:]))
                if w[2:] == ["PRTOP-ATTACHED"]:
                    phase = 1
                elif w[2:] == ["PRTOP-STOP"]:
                    phase = 2
                continue
            f = dict(x.split("=", 1) for x in w[2:] if "=" in x)
            self.ev.append((w[0], ts, f, phase))

    def span(self, name, value=lambda f: 1, where=lambda f: True):
        lo = hi = 0
        for n, _, f, ph in self.ev:
            if n != name or not where(f):
                continue
            x = value(f)
            hi += x
            if ph == 1:
                lo += x
        return lo, hi

    def reuse_pages(self, order=None, reason="alloc"):
        """base pages the allocator took from reported blocks (prtop's
        reuse), by the reported block's order; reason "isolate": those
        __isolate_free_page() took instead"""
        lo = hi = 0
        for ph, o, r, pages in self.unreport:
            if r != reason or (order is not None and o != order):
                continue
            hi += pages
            if ph == 1:
                lo += pages
        return lo, hi

    def orders(self):
        """the orders of the entries of the report events"""
        return sorted({o for n, _, f, _ in self.ev if n == "report"
                       for o, c in enumerate(nr_order(f)) if c})

    def delays(self):
        """request->run delays (ns), as the kernel's clock saw them: from a
        request that queued the work (or a run that requeued itself) to
        the next run.  Returns (those prtop must have seen: the request
        after PRTOP-ATTACHED and the run before PRTOP-STOP, all)."""
        pending = None
        must, all_ = [], []
        for n, ts, f, ph in self.ev:
            if n == "request" and f.get("queued") == "1" and pending is None:
                pending = (ts, ph)
            elif n == "work":
                # the event comes when the run ends: it started duration_ns
                # earlier
                if pending is not None:
                    start = ts - int(f["duration_ns"]) / 1e9
                    d = int(round((start - pending[0]) * 1e9))
                    all_.append(d)
                    if pending[1] == 1 and ph == 1:
                        must.append(d)
                pending = (ts, ph) if f.get("requeued") == "1" else None
        return sorted(must), sorted(all_)


def nr_order(f):
    """the report event's entries per order: nr_order={0x0,0x20,...}"""
    return [int(x, 16) for x in f["nr_order"].strip("{}").split(",") if x]


def load_trace(d, tag):
    try:
        text = open(os.path.join(d, tag + "-trace.json")).read()
    except OSError as e:
        ok(tag + ": trace events from the guest", False, str(e))
        return None
    tr = Trace(text)
    ok(tag + ": trace events from the guest (%d, markers %s)" % (len(tr.ev), " ".join(tr.marks)),
       tr.marks == ["PRTOP-ATTACHED", "PRTOP-STOP"] and tr.ev,
       "%d events, markers %s" % (len(tr.ev), tr.marks))
    return tr


def within(name, got, lo, hi, why=""):
    """got is a number (not null) in [lo, hi]"""
    good = isinstance(got, int) and not isinstance(got, bool) and lo <= got <= hi
    return ok("%s: %s in [%d, %d]" % (name, got, lo, hi), good,
              "prtop %s, kernel %d..%d%s" % (got, lo, hi, why))


def pct_bounds(samples, n, p):
    """the p-th percentile (rank ceil(p n / 100)) of any n of samples, as a
    range: the rank-th smallest of samples at least, at most the one
    len(samples) - n places further"""
    m = len(samples)
    rank = max(1, min(n, -(-p * n // 100)))
    lo = samples[min(rank, m) - 1]
    hi = samples[min(rank + m - n, m) - 1]
    return lo, hi


def check_delays(tag, doc, tr, v, delay_ms):
    h = doc.get("request_delay_ns") or {}
    must, all_ = tr.delays()
    n = h.get("count")
    note("%s: request->run delays in the trace: %d after prtop attached, %d in all, "
         "%s; prtop %s" % (tag, len(must), len(all_),
                            " ".join("%.0f" % (x / MS) for x in all_), h))
    if not within(tag + ": request->run samples, against the trace's request/run pairs",
                  n, len(must), len(all_)) or not n:
        return
    # bucket estimates: the middle of a log-linear bucket, within 1/16 of
    # the value.  The trace's clock and prtop's are read at different
    # moments of the same events: under TCG, with other BPF programs on the
    # tracepoints, on a loaded host that preempts the vCPU between the
    # two) up to 14 ms apart on a 740 ms delay; 5 % + 20 ms for them
    clk = lambda x, sign: x + sign * (x // 20 + 20 * MS)
    for p in (50, 90, 99):
        lo, hi = pct_bounds(all_, n, p)
        got = h.get("p%d" % p)
        within("%s: request->run p%d against the trace's timestamps (%.1f..%.1f ms, +-1/16)"
               % (tag, p, lo / MS, hi / MS), got, clk(lo * 15 // 16, -1),
               clk(hi * 17 // 16, 1))
    within(tag + ": request->run min against the trace's", h.get("min"), clk(all_[0], -1),
           clk(all_[len(all_) - n] if n <= len(all_) else all_[-1], 1))
    within(tag + ": request->run max against the trace's", h.get("max"),
           clk(all_[n - 1] if n <= len(all_) else all_[0], -1), clk(all_[-1], 1))
    # the kernel's delay: no run before it (the timer rounds up to a jiffy)
    if delay_ms:
        within(tag + ": request->run min against delay_ms=%d" % delay_ms, h.get("min"),
               delay_ms * MS * 95 // 100, 2**62)
        within(tag + ": request->run p50 against delay_ms=%d (at most x1.4 + 100 ms late)"
               % delay_ms, h.get("p50"), delay_ms * MS * 95 // 100,
               (delay_ms * 14 // 10 + 100) * MS)


def check_window(tag, doc, tr, v, want):
    """every figure of one window against vmstat and the trace; want: the
    capacity, order and delay_ms the runs used"""
    page = doc.get("page_size")
    ok(tag + ": page_size 4096", page == 4096, "%s" % page)
    page = 4096
    rb = doc.get("reported_bytes_total")
    vlo = int(v.get(tag + "_vmstat_pages_reported", -1)) * page
    vhi = int(v.get(tag + "_vmstat_pages_reported_from_launch", -1)) * page
    note("%s: vmstat page_reporting_pages_reported grew %d B from prtop attached, %d B from "
         "its launch; prtop %s B" % (tag, vlo, vhi, rb))
    within(tag + ": reported bytes against vmstat page_reporting_pages_reported", rb, vlo, vhi)
    if rb == 0:
        ok(tag + ": memory was reported in the window", False, "prtop 0 B")
    lo, hi = tr.span("report", lambda f: int(f["pages"]) * page)
    within(tag + ": reported bytes against the report events' pages", rb, lo, hi)
    lo, hi = tr.span("report", lambda f: int(f["pages"]))
    within(tag + ": reported pages against the report events' pages",
           doc.get("reported_pages_total"), lo, hi)
    lo, hi = tr.span("report")
    within(tag + ": batches against the report events", doc.get("batches_total"), lo, hi)
    within(tag + ": batches against vmstat page_reporting_reports", doc.get("batches_total"),
           int(v.get(tag + "_vmstat_batches", -1)),
           int(v.get(tag + "_vmstat_batches_from_launch", -1)))
    lo, hi = tr.span("report", where=lambda f: f.get("err") != "0")
    within(tag + ": report errors against the report events' err", doc.get("report_errors_total"),
           lo, hi)
    # requests, and the state each found (the event's from=): a state
    # filed under another fails here, not only the total
    lo, hi = tr.span("request")
    within(tag + ": reporting requests against the request events", doc.get("notify_total"),
           lo, hi)
    seen = doc.get("notify_state_seen") or {}
    for st in ("idle", "requested", "active"):
        lo, hi = tr.span("request", where=lambda f, st=st: f.get("from") == st)
        within("%s: requests that found the state %s against the request events' from=%s"
               % (tag, st, st), seen.get(st), lo, hi)
    # the entries of each batch, bucket by bucket (64 and more share one)
    hist = doc.get("batch_nents_hist") or {}
    keys = {int(k) for k in hist} | {min(int(f["nents"]), 64) for n, _, f, _ in tr.ev
                                      if n == "report"}
    bad = []
    for k in sorted(keys):
        lo, hi = tr.span("report", where=lambda f, k=k: min(int(f["nents"]), 64) == k)
        got = hist.get(str(k), 0)
        if not lo <= got <= hi:
            bad.append("%d entries: prtop %d, trace %d..%d" % (k, got, lo, hi))
    ok(tag + ": batch sizes (nents histogram) against the report events' nents",
       not bad and doc.get("batch_nents_hist") is not None, "; ".join(bad) or "null")
    bad = [f["capacity"] for n, _, f, _ in tr.ev if n == "work"
           and int(f["capacity"]) > want["capacity"]]
    ok(tag + ": the runs used capacity <= %d (trace)" % want["capacity"], not bad, "%s" % bad)
    # per order: the entries of each order in the report events' scatterlists
    po = doc.get("per_order") or []
    have = {o.get("order") for o in po}
    walked = set(tr.orders()) | set(range(want["order"] + 1))
    missing = sorted(o for o in walked if o not in have)
    seen = sorted(walked | {o for o in have if isinstance(o, int)})
    ok(tag + ": per_order has every order 0..%d and every order reported (%s)"
       % (want["order"], tr.orders()), not missing, "missing orders %s" % missing)
    total = 0
    for o in seen:
        lo, hi = tr.span("report", lambda f, o=o: (nr_order(f) + [0] * 32)[o] << o << 12)
        got = per_order(doc, o, "reported_bytes")
        if o < want["order"]:
            hi = 0
        if lo or hi or got:
            within("%s: order %d reported bytes against the report events' entries of order %d"
                   % (tag, o, o), got, lo, hi)
        elif got != 0:
            ok("%s: order %d reported bytes 0" % (tag, o), False, "%s (absent or null)" % got)
        if isinstance(got, int):
            total += got
        lo, hi = tr.reuse_pages(o)
        got = per_order(doc, o, "reused_bytes")
        if lo or hi or got != 0:
            within("%s: order %d reuse against the unreport events (alloc)" % (tag, o),
                   got, lo * page, hi * page)
    ok(tag + ": per-order reported bytes add up to the total (%d B)" % total,
       total == rb, "per order %d, total %s" % (total, rb))
    lo, hi = tr.span("work")
    within(tag + ": worker runs against the work events", doc.get("worker_runs_total"),
           lo, hi)
    lo, hi = tr.span("work", lambda f: int(f["reports"]))
    note("%s: report() calls by the work events: %d..%d" % (tag, lo, hi))
    # the free list walk is not traced by v3: unknown, never 0
    for key in ("zones_walked_total", "boundary_resets"):
        ok("%s: %s unknown (null) with the v3 tracepoints" % (tag, key),
           doc.get(key) is None, "%s" % doc.get(key))
    # reuse: reported blocks allocated whole or split; isolated ones are not
    # reuse.  Only the isolate window (reporting below pageblock order, then
    # compaction) isolates reported pages; there they must be more than the
    # reuse check's slack, or a prtop counting them as reuse would pass.
    ilo, ihi = tr.reuse_pages(reason="isolate")
    reused = doc.get("reuse_bytes_total")
    lo, hi = tr.reuse_pages()
    note("%s: reported pages isolated (unreport reason isolate): %d while prtop watched, "
         "%d in all; vmstat page_reporting_unreported_isolate grew %s from prtop attached"
         % (tag, ilo, ihi, v.get(tag + "_vmstat_isolated_pages")))
    if want.get("isolates"):
        ok("%s: reported pages isolated while prtop watched (%d) outnumber the reuse "
           "check's slack (%d pages)" % (tag, ilo, hi - lo), ilo > hi - lo,
           "compaction isolated %s pages" % v.get("isolate_compaction_isolated_pages"))
    within(tag + ": reuse against the unreport events (alloc)", reused,
           lo * page, hi * page)
    dlo = int(v.get(tag + "_vmstat_reused_pages", -1)) * page
    dhi = int(v.get(tag + "_vmstat_reused_pages_from_launch", -1)) * page
    note("%s: reuse: prtop %s B, vmstat page_reporting_unreported_alloc grew "
         "%d B from prtop attached, %d B from its launch, trace %d..%d B"
         % (tag, reused, dlo, dhi, lo * page, hi * page))
    # prtop counts until it exits, vmstat was read before it was stopped
    ok(tag + ": reuse close to vmstat page_reporting_unreported_alloc",
       isinstance(reused, int) and dlo >= 0
       and dlo - max(dlo // 10, 4 << 20) <= reused <= dhi + max(dhi // 10, 4 << 20),
       "prtop %s, vmstat %d..%d" % (reused, dlo, dhi))
    lr = doc.get("last_run") or {}
    ok(tag + ": last_run capacity %d order %d delay_ms %d"
       % (want["capacity"], want["order"], want["delay_ms"]),
       lr.get("capacity") == want["capacity"] and lr.get("order") == want["order"]
       and lr.get("delay_ms") == want["delay_ms"], "last_run %s" % lr)
    check_delays(tag, doc, tr, v, int(v.get(tag + "_delay_ms", 0)) or want["delay_ms"])


def check_batch(d):
    try:
        text = open(os.path.join(d, "batch.json")).read()
    except OSError as e:
        ok("batch view", False, str(e))
        return
    # the frame wraps at 80 columns: a continuation line is indented
    text = re.sub(r"\n +", " ", text)
    knobs = [l for l in text.split("\n") if l.startswith("knobs:")]
    ok("batch view: knob values from the three module parameters, the capacity the patch's",
       bool(knobs) and knobs[-1].count("patch module parameter") == 1
       and knobs[-1].count("module parameter") == 3 and "sysctl" not in knobs[-1]
       and "capacity 8 " in knobs[-1],
       knobs[-1] if knobs else "no knobs: line")
    # v3's work event gives each run's capacity and order; the delay is the
    # one its request queued it with, unknown when that came before prtop
    # attached.  v2's walk figures have no v3 source: no walks line.
    runs = [l for l in text.split("\n") if l.startswith("runs: ")]
    want = re.compile(r"runs: last used capacity 8, order 9, delay (500 ms|unknown); "
                      r"runs failed 0$")
    ok("batch view: the runs line has the capacity, order and delay in force (8, 9, 500 ms)",
       bool(runs) and all(want.match(l) for l in runs), runs[-1] if runs else "no 'runs:' line")
    ok("batch view: no walks line (v3 has no source for it)",
       not any(l.startswith("walks:") for l in text.split("\n")),
       [l for l in text.split("\n") if l.startswith("walks:")])


def guarded(fn, *args):
    """fn(*args); a figure of the wrong type (null where a number belongs)
    is a failure of that group of checks, not the end of the others"""
    try:
        fn(*args)
    except (KeyError, TypeError, ValueError, AttributeError, ZeroDivisionError) as e:
        ok(fn.__name__, False, "%s: %s" % (type(e).__name__, e))


def main():
    d = sys.argv[1]
    v = vals(d)
    base, cap8, o10 = load(d, "base"), load(d, "cap8"), load(d, "order10")
    iso = load(d, "isolate")
    guarded(check_knobs, d)
    guarded(check_batch, d)
    if base:
        guarded(check_attach, d, base)
        guarded(check_base, base, v)
    if base and cap8:
        guarded(check_cap8, base, cap8, v)
    if o10:
        guarded(check_order10, o10)
    # every window against the kernel's counters and events
    for tag, doc, want in (("base", base, {"capacity": 32, "order": 9, "delay_ms": 2000}),
                           ("cap8", cap8, {"capacity": 8, "order": 9, "delay_ms": 500}),
                           # the knob call for order 10 leaves delay_ms at 500
                           ("order10", o10, {"capacity": 32, "order": 10, "delay_ms": 500}),
                           ("isolate", iso, {"capacity": 32, "order": 4, "delay_ms": 500,
                                             "isolates": True})):
        tr = load_trace(d, tag)
        if doc and tr:
            guarded(check_window, tag, doc, tr, v, want)
    return 0


if __name__ == "__main__":
    sys.exit(main())
