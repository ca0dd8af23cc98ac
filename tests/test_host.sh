#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `prtop host` on this machine as the host of a real guest: Debian's stock
# 6.1 kernel under QEMU (TCG) with a reporting virtio-balloon.
#
#   boot ── settled ── touch MIB ── held ┄ free ┄┄┄┄ window-end ┄ retouch MIB ── retouched
#                                   D₁ RSS₁           D₂ RSS₂ R₂                   R₃
#
# prtop host --json -p QEMU runs from QEMU's start, so every discard of the
# run is tracked.  Checks, reporting on: the discards over the window (D₂ −
# D₁) agree with the guest's own `prtop stat` reported bytes within 2 % and
# with the fall of QEMU's VmRSS (read from /proc, not from prtop) within
# 5 %; the discards are 2 MiB/4 MiB madvise(MADV_DONTNEED) calls; when the
# guest writes MIB again, refaulted bytes (R₃ − R₂) agree with MIB within
# 5 %; the discards are 2 MiB/4 MiB madvise(MADV_DONTNEED) calls, as many
# of each size over the window as the guest reported blocks of order 9 and
# 10 (3 %); when the guest writes MIB again, refaulted bytes (R₃ − R₂)
# agree with MIB within 5 %, and their ages (median, and the exporter's
# mean) lie between "rewriting" − "window-end" and the guest's uptime at
# "retouched" (most of what the guest writes again was discarded by its
# first reporting pass and never touched since); rss_bytes is the VmRSS this
# script reads from /proc in the same second (1 %); the VM is named by QEMU's
# -name, and its identity (JSON and exporter labels) is the -name and -uuid
# given here, manager qemu, no namespace (ns1_vm1 outside a pod).  The same with guest RAM on a shared memfd (QEMU punches holes,
# then unmaps: counted once, however late the unmap), its window on a host
# whose two cores stress-ng keeps busy (the unmap then comes late); and a
# made-up VMM whose unmaps come 50 ms after its punches, from another thread.
# Reporting off: the same run gives zero discards.  In every boot `prtop
# host export` runs beside it and, scraped at a quiet moment, serves what
# the JSON of the samples around the scrape says; both exit 0 on SIGTERM,
# the JSON whole.
# Meanwhile `prtop host` by name (no --pid) sees QEMU and not
# tools/madvloop, a process discarding memory in a loop.  Refaults are
# found by PAGEMAP_SCAN at each sample: bpftool shows no page fault program
# loaded or attached while the prtop host processes watch QEMU, and the
# JSON names the method.
#
# Knobs: PRTOP_HOST_MIB (768), PRTOP_HOST_WINDOW (25 s).  Logs stay in
# $PRTOP_CACHE/qemu/host/.
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

MIB=${PRTOP_HOST_MIB:-768}
WINDOW=${PRTOP_HOST_WINDOW:-25}
# the name and UUID libvirt would pass; ns1_vm1 is how KubeVirt names the
# domain of VM vm1 in namespace ns1, but without a pod's cgroup it is not one
VMNAME=ns1_vm1
VMUUID=5f0c1d1e-3b7a-4c55-9a51-2d4c3e8b9f10
XADDR=127.0.0.1:${PRTOP_HOST_PORT:-19465}

require "$QEMU_BIN" cpio gzip python3 timeout setsid awk curl promtool stress-ng bpftool
[ -x /bin/busybox ] || { not_ok "host: /bin/busybox missing (sh tools/deps.sh test installs busybox-static)"; exit 0; }
for f in "$PRTOP_STATIC" ./build-static/tools/memhog "$PRTOP" "$TOOLS/madvloop"; do
	[ -x "$f" ] || { not_ok "host: $f missing (run: make all && make STATIC=1 all)"; exit 0; }
done
mount_kernel_fs

run=$CACHE/qemu/host
mkdir -p "$run"
HOSTPIDS=""
STRESS=""
cleanup() {
	for p in $STRESS $HOSTPIDS; do kill "$p" 2>/dev/null; done
	for p in $HOSTPIDS; do wait "$p" 2>/dev/null; done
	qemu_stop
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! kv=$(sh tests/qemu/kernel.sh 2>"$run/kernel.err"); then
	not_ok "host: no Debian 6.1 cloud kernel: $(tail -n 3 "$run/kernel.err" | tr '\n' ' ')"
	exit 0
fi
eval "$kv"
{
	echo "MIB=$MIB"
	echo "WINDOW=$WINDOW"
	cat tests/qemu/guest_host.sh
} >"$run/guest.sh"
if ! sh tests/qemu/mkinitramfs.sh -o "$run/initramfs.gz" -m "$QEMU_MODDIR" -s "$run/guest.sh" \
	-f "$PRTOP_STATIC:/bin/prtop" -f ./build-static/tools/memhog \
	-f tests/qemu/guest_lib.sh:/lib/guest_lib.sh 2>"$run/mkinitramfs.err"; then
	not_ok "host: initramfs: $(tail -n 3 "$run/mkinitramfs.err" | tr '\n' ' ')"
	exit 0
fi

# vm FILE PID EXPR: EXPR on the VM with PID in the last complete JSON line
# of FILE (v: that VM, d: the line); empty when there is none
vm() {
	python3 - "$@" <<'PYEOF'
import json, sys
path, pid, expr = sys.argv[1], int(sys.argv[2]), sys.argv[3]
last = None
for line in open(path, errors="replace"):
    try:
        last = json.loads(line)
    except ValueError:
        pass
v = [x for x in (last or {}).get("vms", []) if x.get("pid") == pid]
if last is not None and v:
    print(eval(expr, {}, {"v": v[0], "d": last}))
PYEOF
}

# pct A B: |A - B| * 100 / B with two decimals
pct() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.2f", b ? d * 100 / b : 999 }'; }
within() { awk -v p="$1" -v t="$2" 'BEGIN { exit !(p <= t) }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# keep NAME: the last lines of the boot's prtop host output, as
# $run/snap-$fpr-NAME.json (read later: the last complete one counts).  No
# python here: on a loaded host its start-up alone takes seconds, and the
# moment of the snapshot is what matters
# both_watch PID SECS: the JSON process and the exporter both list PID
both_watch() {
	_i=0
	while [ $_i -lt $(($2 * 5)) ]; do
		if grep -q "\"pid\":$1[,}]" "$hj" 2>/dev/null &&
			{ [ -z "$tp" ] || grep -q "^ *$1 " "$run/host-$fpr.txt" 2>/dev/null; } &&
			curl -s -m 2 "http://$XADDR/metrics" 2>/dev/null | grep -q "pid=\"$1\""; then
			return 0
		fi
		sleep 0.2
		_i=$((_i + 1))
	done
	return 1
}

keep() {
	tail -n 3 "$hj" >"$run/snap-$fpr-$1.json"
}

# rss_note: QEMU's VmRSS (KiB) as this script reads it, with the time
rss_note() {
	_k=$(qemu_rss_kib)
	[ -n "$_k" ] && echo "$(date +%s.%N) $_k" >>"$run/rss-$fpr.txt"
	echo "$_k"
}

# guest_t LOG MARKER: the guest's uptime at "PRTOP-HOST MARKER ... t=X"
guest_t() {
	tr -d '\r' <"$1" | sed -n "s/.*PRTOP-HOST $2.* t=\([0-9.]*\)\$/\1/p" | head -n 1
}

# hcheck WHAT ARGS: the checks written in python (tests/test_host.sh's own)
hcheck() {
	python3 - "$@" <<'PYEOF'
import json, re, sys

what, args = sys.argv[1], sys.argv[2:]


def ok(m):
    print("ok - " + m)


def not_ok(m):
    print("not ok - " + m)


def vm_of(path, pid):
    # the VM in the last complete JSON line of path
    d = None
    try:
        for line in open(path, errors="replace"):
            try:
                d = json.loads(line)
            except ValueError:
                pass
    except OSError:
        return None
    v = [x for x in (d or {}).get("vms", []) if x.get("pid") == pid]
    return v[0] if v else None


def median_le(hist):
    # the upper bound (ms) of the slot holding the median, as prtop defines it
    keys = sorted(hist, key=lambda k: float(k))
    total = sum(hist[k] for k in keys)
    run = 0
    for k in keys:
        run += hist[k]
        if total and run * 2 >= total:
            return float(k)
    return None


def metrics(path, pid):
    # {(name, frozen labels without vm/pid): value} for the VM with pid
    out = {}
    for line in open(path, errors="replace"):
        m = re.match(r'([a-z_]+)\{([^}]*)\} (\S+)$', line.strip())
        if not m:
            continue
        labels = dict(re.findall(r'([a-z_]+)="([^"]*)"', m.group(2)))
        if labels.pop("pid", None) != str(pid):
            continue
        labels.pop("vm", None)
        for k in ("namespace", "name", "uuid"):
            labels.pop(k, None)
        out[(m.group(1), tuple(sorted(labels.items())))] = float(m.group(3))
    return out


if what == "rss":
    # rss: FPR JSONL PID RSSNOTES: rss_bytes of the sample of the same
    # second (the nearest one in value among those within a second) vs
    # VmRSS read by the script
    fpr, jl, pid, notes = args[0], args[1], int(args[2]), args[3]
    samples = []
    for line in open(jl, errors="replace"):
        try:
            d = json.loads(line)
        except ValueError:
            continue
        for v in d.get("vms", []):
            if v.get("pid") == pid:
                samples.append((d["time"], v.get("rss_bytes")))
    n = 0
    for note in open(notes):
        t, kib = float(note.split()[0]), int(note.split()[1])
        near = [r for (s, r) in samples if abs(s - t) <= 1.0]
        if not near or any(r is None for r in near):
            not_ok("host[%s]: rss_bytes near %.0f unknown: %s (VmRSS %d KiB)" % (fpr, t, near, kib))
            continue
        truth = kib * 1024
        best = min(near, key=lambda r: abs(r - truth))
        p = abs(best - truth) * 100.0 / truth
        msg = "host[%s]: rss_bytes %d vs VmRSS %d KiB read by the test in the same second: %.2f %% apart" % (
            fpr, best, kib, p)
        (ok if p <= 1.0 else not_ok)(msg + (" (<= 1 %)" if p <= 1.0 else " (> 1 %)"))
        n += 1
    if n < 2:
        not_ok("host[%s]: rss_bytes compared %d times (want >= 2)" % (fpr, n))

elif what == "sizes":
    # sizes: FPR PID D1.json D2.json WINDOW.json: the size histogram's
    # count per bucket over the window vs the guest's reported blocks per
    # order (a block of order o is one discard of 4096 << o bytes)
    fpr, pid, f1, f2, fw = args[0], int(args[1]), args[2], args[3], args[4]
    a, b = vm_of(f1, pid), vm_of(f2, pid)
    try:
        g = json.load(open(fw))
        orders = {o["order"]: o["reported_bytes"] for o in g["per_order"]}
        page = g.get("page_size") or 4096
    except (OSError, ValueError, KeyError, TypeError):
        orders = None
    if not a or not b or not orders or any(x is None for x in orders.values()):
        not_ok("host[%s]: discard sizes vs guest blocks: figures missing (host %s %s, guest %s)" % (
            fpr, bool(a), bool(b), orders))
        sys.exit(0)
    ha, hb = a["discard_size_le_bytes"], b["discard_size_le_bytes"]
    delta = {k: hb.get(k, 0) - ha.get(k, 0) for k in hb}
    want = {}
    for o, rb in orders.items():
        if rb:
            want[str(page << o)] = rb // (page << o)
    calls = sum(delta.values())
    if not want:
        not_ok("host[%s]: the guest reported no block in its window" % fpr)
    for le in sorted(set(want) | set(k for k, c in delta.items() if c), key=float):
        h, w = delta.get(le, 0), want.get(le, 0)
        slack = max(4, w * 0.03) if w else max(4, calls * 0.03)
        msg = "host[%s]: %d discards of <= %s bytes over the window vs %d blocks of that size the guest reported (slack %d)" % (
            fpr, h, le, w, slack)
        (ok if abs(h - w) <= slack else not_ok)(msg)

elif what == "age":
    # age: FPR PID R2.json R3.json LO_S HI_S: the median age of the refaults
    # between the two samples lies in [LO, HI]; prtop's own median agrees
    # with its histogram
    fpr, pid, f2, f3, lo, hi = args[0], int(args[1]), args[2], args[3], float(args[4]), float(args[5])
    a, b = vm_of(f2, pid), vm_of(f3, pid)
    if not a or not b or a.get("refault_age_le_ms_bytes") is None or b.get("refault_age_le_ms_bytes") is None:
        not_ok("host[%s]: refault ages missing" % fpr)
        sys.exit(0)
    ha, hb = a["refault_age_le_ms_bytes"], b["refault_age_le_ms_bytes"]
    delta = {k: hb.get(k, 0) - ha.get(k, 0) for k in hb if k != "+Inf"}
    inf = hb.get("+Inf", 0) - ha.get("+Inf", 0)
    med = median_le(delta) if not inf else None
    # slot le holds ages in [le/2, le): the median is in the gap when
    # le > LO and le/2 <= HI
    if med is not None and med > lo * 1000 and med / 2 <= hi * 1000:
        ok("host[%s]: median age of the refaults of the rewrite < %.0f ms, in the gap %.1f .. %.1f s" % (fpr, med, lo, hi))
    else:
        not_ok("host[%s]: median age of the refaults of the rewrite < %s ms (+Inf: %d bytes), not in the gap %.1f .. %.1f s: %s" % (
            fpr, med, inf, lo, hi, delta))
    pm, cm = b.get("refault_age_median_ms"), median_le({k: x for k, x in hb.items() if k != "+Inf"})
    if pm is not None and cm is not None and pm == cm:
        ok("host[%s]: refault_age_median_ms %s is its histogram's median" % (fpr, pm))
    else:
        not_ok("host[%s]: refault_age_median_ms %s, its histogram's median %s" % (fpr, pm, cm))

elif what == "agemean":
    # agemean: FPR PID R2.metrics R3.metrics LO_S HI_S: the exporter's mean
    # age of the refaults between two scrapes lies in [LO, HI]
    fpr, pid, m2, m3, lo, hi = args[0], int(args[1]), args[2], args[3], float(args[4]), float(args[5])
    try:
        a, b = metrics(m2, pid), metrics(m3, pid)
        ds = b[("prtop_host_refault_age_seconds_sum", ())] - a[("prtop_host_refault_age_seconds_sum", ())]
        dc = b[("prtop_host_refault_age_seconds_count", ())] - a[("prtop_host_refault_age_seconds_count", ())]
    except (OSError, KeyError):
        not_ok("host[%s]: exporter refault ages missing" % fpr)
        sys.exit(0)
    mean = ds / dc if dc > 0 else -1
    msg = "host[%s]: exporter: mean age of the %d pages refaulted by the rewrite %.2f s, gap %.1f .. %.1f s" % (
        fpr, dc, mean, lo, hi)
    (ok if lo <= mean <= hi else not_ok)(msg)

elif what == "export":
    # export: FPR PID METRICS BEFORE.json AFTER.json: every per-VM family
    # of the scrape equals the JSON of the samples before and after it
    # (counters of discards exactly: nothing is discarded then; refaults,
    # which each process resolves on its own, and RSS within 1 %)
    fpr, pid, mf, fb, fa = args[0], int(args[1]), args[2], args[3], args[4]
    m = metrics(mf, pid)
    a, b = vm_of(fb, pid), vm_of(fa, pid)
    if not m or not a or not b:
        not_ok("host[%s] export: nothing to compare (scrape %d series, JSON %s %s)" % (fpr, len(m), bool(a), bool(b)))
        sys.exit(0)
    want = {}  # (name, labels) -> (json before, json after, tolerance)

    def add(name, labels, f, tol=0.0, slack=0.5, upto=False):
        want[(name, tuple(sorted(labels.items())))] = (0 if upto else f(a), f(b), tol, slack)

    for meth in b["by_method"]:
        add("prtop_host_discarded_bytes_total", {"method": meth}, lambda v, k=meth: v["by_method"][k]["bytes"])
        add("prtop_host_discard_calls_total", {"method": meth}, lambda v, k=meth: v["by_method"][k]["calls"])
    add("prtop_host_discard_failed_total", {}, lambda v: v["discard_failed"])
    # the VMM's own discards: QEMU waited (-S) until both watched it
    add("prtop_host_other_discarded_bytes_total", {}, lambda v: v["other_discarded_bytes"])
    add("prtop_host_chunks_untracked_total", {}, lambda v: v["chunks_untracked"])
    les = sorted({float(k[1][0][1]) for k in m if k[0] == "prtop_host_discard_size_bytes_bucket" and k[1][0][1] != "+Inf"})
    for le in les:
        add("prtop_host_discard_size_bytes_bucket", {"le": "%.10g" % le},
            lambda v, le=le: sum(c for k, c in v["discard_size_le_bytes"].items() if k != "+Inf" and float(k) <= le))
    add("prtop_host_discard_size_bytes_bucket", {"le": "+Inf"}, lambda v: sum(v["discard_size_le_bytes"].values()))
    add("prtop_host_discard_size_bytes_count", {}, lambda v: sum(v["discard_size_le_bytes"].values()))
    add("prtop_host_discard_size_bytes_sum", {}, lambda v: v["discarded_bytes"])
    add("prtop_host_rss_bytes", {}, lambda v: v["rss_bytes"], 0.01)
    if b.get("refaulted_bytes") is not None:
        add("prtop_host_refaulted_bytes_total", {}, lambda v: v["refaulted_bytes"], 0.01)
        ales = sorted({float(k[1][0][1]) for k in m if k[0] == "prtop_host_refault_age_seconds_bucket" and k[1][0][1] != "+Inf"})
        # a page near a slot's bound may land on either side in either
        # process: 1 % of all refaulted pages, not of the slot
        pages = b["refaulted_bytes"] / 4096
        for le in ales:
            add("prtop_host_refault_age_seconds_bucket", {"le": "%.10g" % le},
                lambda v, le=le: sum(c for k, c in v["refault_age_le_ms_bytes"].items() if k != "+Inf" and float(k) / 1000 <= le) / 4096,
                0.0, 2 + pages * 0.01)
        add("prtop_host_refault_age_seconds_count", {}, lambda v: sum(v["refault_age_le_ms_bytes"].values()) / 4096, 0.01)
    bad, quiet = [], True
    for key, (x, y, tol, slack) in sorted(want.items()):
        if x is None or y is None:
            bad.append("%s%s: JSON null" % (key[0], dict(key[1])))
            continue
        if key[0].startswith("prtop_host_discard") and x != y:
            quiet = False
        lo, hi = min(x, y), max(x, y)
        got = m.get(key)
        if got is None:
            bad.append("%s%s: not served" % (key[0], dict(key[1])))
        elif not (lo * (1 - tol) - slack <= got <= hi * (1 + tol) + slack):
            bad.append("%s%s: %s, JSON %s .. %s" % (key[0], dict(key[1]), got, x, y))
    if bad:
        not_ok("host[%s] export: %d of %d series differ from the JSON: %s" % (fpr, len(bad), len(want), "; ".join(bad)))
    else:
        ok("host[%s] export: %d series equal the JSON around the scrape (discards exactly, refaults and RSS within 1 %%)" % (fpr, len(want)))
    (ok if quiet else not_ok)("host[%s] export: no discard between the samples around the scrape (a quiet moment)" % fpr)

elif what == "identity":
    # identity: FPR JSONL METRICS PID NAME UUID: the JSON's identity and the
    # exporter's identity labels are the -name and -uuid this script gave
    # QEMU, by hand (manager qemu: no libvirt, no pod), no namespace
    fpr, jl, mf, pid, name, uuid = args[0], args[1], args[2], int(args[3]), args[4], args[5]
    v = vm_of(jl, pid)
    want = {"manager": "qemu", "name": name, "namespace": None, "uuid": uuid, "pod_uid": None}
    got = v.get("identity") if v else None
    (ok if got == want else not_ok)("host[%s]: identity %s (want %s)" % (fpr, got, want))
    sets, bad = 0, []
    for line in open(mf, errors="replace"):
        m = re.match(r'(prtop_host_[a-z_]+)\{([^}]*)\} ', line)
        if not m:
            continue
        labels = dict(re.findall(r'([a-z_]+)="((?:[^"\\]|\\.)*)"', m.group(2)))
        if labels.get("pid") != str(pid):
            continue
        sets += 1
        if labels.get("name") != name or labels.get("uuid") != uuid or "namespace" in labels:
            bad.append(line.strip())
    (ok if sets and not bad else not_ok)(
        "host[%s] export: %d series of the VM, %d without name=\"%s\", uuid=\"%s\" and no namespace%s" % (
            fpr, sets, len(bad), name, uuid, (": " + bad[0]) if bad else ""))

elif what == "text":
    # text: FPR TXT JSONL PID NAME UUID: prtop host -b's frames of the same
    # run fit 80 columns, the VM's detail line names it whole with its UUID,
    # and its last frame's DISCARDED is the JSON's figure as the frame rounds
    # it (3 significant digits).  Refaults are not compared: each process
    # finds them by its own pagemap reads, at its own times
    fpr, tf, jl, pid, name, uuid = args[0], args[1], args[2], int(args[3]), args[4], args[5]
    text = open(tf, errors="replace").read()
    wide = max((len(l) for l in text.split("\n")), default=0)
    frames = [f for f in re.split(r"(?m)^prtop host ", text) if f.strip()]
    last = frames[-1].split("\n") if frames else []
    row = [i for i, l in enumerate(last) if re.match(r" *%d " % pid, l)]
    unit = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}

    def parse(tok):
        n, u = tok.split()
        return float(n) * unit[u]

    v = vm_of(jl, pid)
    good, why = wide <= 80 and bool(row) and v is not None, "frames %d, widest %d, row %s" % (len(frames), wide, bool(row))
    if good:
        l = last[row[0]]
        disc = parse(l[41:50])
        detail = last[row[0] + 1].strip() if row[0] + 1 < len(last) else ""
        # the JSON samples within 2 s of the frame's time (-T): the two
        # processes sample on their own ticks
        import time
        m = re.search(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", last[0])
        t = time.mktime(time.strptime(m.group(1), "%Y-%m-%d %H:%M:%S")) if m else 0
        near = []
        for line in open(jl, errors="replace"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if abs(d.get("time", 0) - t) <= 2:
                near += [x["discarded_bytes"] for x in d["vms"] if x.get("pid") == pid]
        # 3 significant digits: 0.5 % of the value; a unit (1024x) or
        # factor error is far outside
        match = [jd for jd in near if abs(disc - jd) <= 0.006 * jd + 1024]
        good = bool(match) and detail.startswith("%s (qemu, uuid %s)" % (name, uuid))
        why = "discarded %s vs the JSON within 2 s %s, detail '%s'" % (
            l[41:50].strip(), near[:4], detail[:60])
    (ok if good else not_ok)("host[%s]: text frames fit 80 columns, name the VM whole with its UUID, and show the JSON's figures: %s" % (fpr, why))

elif what == "whole":
    # whole: FPR FILE PID: every line of the JSON Lines output is a whole
    # object with the VM in it, and the file ends with a newline
    fpr, path, pid = args[0], args[1], int(args[2])
    text = open(path, errors="replace").read()
    lines = text.split("\n")
    bad = n = seen = 0
    for line in lines[:-1]:
        try:
            d = json.loads(line)
            n += 1
            seen += any(v.get("pid") == pid for v in d["vms"])
        except (ValueError, KeyError, TypeError):
            bad += 1
    good = text.endswith("\n") and seen >= 20 and not bad
    (ok if good else not_ok)("host[%s]: the JSON output is whole after SIGTERM: %d lines (%d with the VM), %d not JSON, ends with a newline: %s" % (
        fpr, n, seen, bad, text.endswith("\n")))
PYEOF
}

# step LOG MARKER TIMEOUT WHAT
step() {
	qemu_wait_marker "$1" "$2" "$3" && return 0
	not_ok "host[$fpr]: $4: guest never printed '$2'; serial: $(qemu_log_tail "$1")"
	return 1
}

# busy_start, busy_end: the memfd boot's window runs on a busy host (both
# cores kept busy by stress-ng beside QEMU): there QEMU's hole punch and
# its unmap of the same range drift apart.  busy_end checks in /proc/stat
# that the cores were busy: less than 10 % of their time idle
cpu_idle() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t }' /proc/stat; }
busy_start() {
	BUSY0=$(cpu_idle)
	stress-ng --cpu 2 --timeout $((WINDOW + 150)) --quiet >"$run/stress-$fpr.out" 2>&1 &
	STRESS=$!
}
busy_stop() {
	[ -n "$STRESS" ] || return 0
	kill "$STRESS" 2>/dev/null
	wait "$STRESS" 2>/dev/null
	STRESS=""
}
busy_end() {
	BUSY1=$(cpu_idle)
	busy_stop
	idle=$(echo "$BUSY0 $BUSY1" | awk '{ t = $4 - $2; printf "%.1f", t ? ($3 - $1) * 100 / t : 100 }')
	if within "$idle" 10; then
		ok "host[$fpr]: the window ran on a busy host: stress-ng --cpu 2 beside QEMU, cores $idle % idle (< 10 %)"
	else
		not_ok "host[$fpr]: the window was not busy: cores $idle % idle under stress-ng --cpu 2 ($(tail -n 2 "$run/stress-$fpr.out" | tr '\n' ' '))"
	fi
}

# fault_progs_check: PAGEMAP_SCAN works on this kernel, so no prtop host
# loads a page fault program, let alone attaches one: bpftool (not prtop)
# lists the programs loaded and what they are attached to, while the prtop
# host processes of this boot watch QEMU (their madvise programs are there)
fault_progs_check() {
	{
		bpftool prog show
		bpftool link show
		bpftool perf show
	} >"$run/bpf-$fpr.txt" 2>&1
	_ours=$(grep -c "name host_madvise_e" "$run/bpf-$fpr.txt")
	_faults=$(grep -E "name host_(fault|kvm_fault)|page_fault_user|kvm_page_fault" "$run/bpf-$fpr.txt" | tr '\n' ' ')
	if [ "$_ours" -ge 2 ] && [ -z "$_faults" ]; then
		ok "host[$fpr]: bpftool: $_ours prtop host madvise programs loaded, no page fault program loaded or attached"
	else
		not_ok "host[$fpr]: bpftool: $_ours madvise programs (want >= 2), fault programs or attachments '$_faults' (want none)"
	fi
}

# boot on|off|memfd: one guest, prtop host -p QEMU from its start; sets D1 D2
# R2 R3 RSS1 RSS2.  memfd: reporting on, guest RAM a shared memfd (QEMU then
# punches holes instead of madvise)
boot() {
	fpr=$1
	busy_stop # a boot before that failed in its window
	log=$run/serial-$fpr.log
	hj=$run/host-$fpr.jsonl
	D1="" D2="" R2="" R3="" RSS1="" RSS2=""
	QEMU_EXTRA="-name guest=$VMNAME,debug-threads=on -uuid $VMUUID"
	dev=$fpr
	if [ "$fpr" = memfd ]; then
		dev=on
		QEMU_EXTRA="$QEMU_EXTRA -object memory-backend-memfd,id=ram0,size=${QEMU_MEM_MIB}M,share=on -machine memory-backend=ram0"
	fi
	# -S: QEMU waits, its vCPUs stopped, until both prtop processes watch
	# it; they then count the same discards, QEMU's own at boot among them
	sock=$run/monitor-$fpr.sock
	rm -f "$sock"
	if ! QEMU_MONITOR="unix:$sock,server,nowait" QEMU_EXTRA="$QEMU_EXTRA -S" \
		qemu_start "$log" "$run/initramfs.gz" "$dev" 300 2>"$run/qemu-$fpr.err"; then
		not_ok "host[$fpr]: QEMU did not start: $(tr '\n' ' ' <"$run/qemu-$fpr.err")"
		return 1
	fi
	VMPID=$QEMU_PID
	[ "$fpr" = on ] && ON_PID=$VMPID
	# both prtop processes start watching a QEMU that has built its machine:
	# whichever watched first would otherwise count discards of the set-up
	# that the other missed (a CI run: 27 of them, and 9 MiB of its own)
	if ! qemu_wait_prelaunch "$sock" 60; then
		not_ok "host[$fpr]: QEMU did not reach its prelaunch pause within 60 s ($(tr '\n' ' ' <"$log.qemu"))"
		return 1
	fi
	rm -f "$run/rss-$fpr.txt"
	"$PRTOP" host --json -p "$VMPID" 1 >"$hj" 2>"$run/host-$fpr.err" &
	hp=$!
	HOSTPIDS="$HOSTPIDS $hp"
	"$PRTOP" host export -l "$XADDR" -d 1 >"$run/hostexp-$fpr.out" 2>&1 &
	xp=$!
	HOSTPIDS="$HOSTPIDS $xp"
	# the text frames of the same run: 80 columns, the same figures as the JSON
	tp=""
	if [ "$fpr" = on ]; then
		"$PRTOP" host -b -T 1 -p "$VMPID" >"$run/host-$fpr.txt" 2>"$run/host-$fpr-txt.err" &
		tp=$!
		HOSTPIDS="$HOSTPIDS $tp"
	fi
	if ! both_watch "$VMPID" 60; then
		not_ok "host[$fpr]: prtop host and its exporter did not both watch QEMU within 60 s ($(tail -n 2 "$run/host-$fpr.err" "$run/hostexp-$fpr.out" | tr '\n' ' '))"
		return 1
	fi
	fault_progs_check
	qemu_hmp "$sock" cont >/dev/null
	step "$log" "PRTOP-HOST settled" 300 "settling" || return 1
	[ "$fpr" = on ] && caps_check "host export: capabilities dropped after attaching" "$xp" "$run/hostexp-$fpr.out"
	step "$log" "PRTOP-HOST held" 300 "touching $MIB MiB" || return 1
	[ "$fpr" = memfd ] && busy_start
	sleep 1.5
	keep d1
	RSS1=$(rss_note)
	step "$log" "PRTOP-HOST window-end" $((WINDOW + 120)) "measurement window" || return 1
	# at once: when the guest's prtop stat exits it frees its own memory, and
	# the guest reports that 2 s later, outside its window (on a busy host
	# the host's sample 2 s after the marker caught those 14 MiB); the
	# window's own reports ended seconds before
	sleep 0.2
	keep d2
	RSS2=$(rss_note)
	[ "$fpr" = memfd ] && busy_end
	curl -s -m 5 "http://$XADDR/metrics" >"$run/host-$fpr-r2.metrics"
	step "$log" "PRTOP-HOST retouched" 300 "writing $MIB MiB again" || return 1
	# quiet: the guest holds what it wrote and reports nothing for 6 s
	sleep 2.5
	keep r3
	rss_note >/dev/null
	curl -s -m 5 "http://$XADDR/metrics" >"$run/host-$fpr.metrics"
	curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$XADDR/healthz" >"$run/host-$fpr.healthz"
	sleep 1.1
	keep after
	kill "$xp" 2>/dev/null
	wait "$xp"
	XRC=$?
	qemu_wait_marker "$log" "PRTOP-HOST done" 30
	cp "$hj" "$run/host-$fpr.last.jsonl"
	[ -n "$tp" ] && kill "$tp" 2>/dev/null
	kill "$hp" 2>/dev/null
	wait "$hp"
	HOST_RC=$?
	[ -n "$tp" ] && wait "$tp"
	HOSTPIDS=""
	qemu_stop
	rm -rf "$run/blocks-$fpr"
	qemu_blocks "$log" "$run/blocks-$fpr"
	D1=$(vm "$run/snap-$fpr-d1.json" "$VMPID" 'v["discarded_bytes"]')
	D2=$(vm "$run/snap-$fpr-d2.json" "$VMPID" 'v["discarded_bytes"]')
	R2=$(vm "$run/snap-$fpr-d2.json" "$VMPID" 'v["refaulted_bytes"]')
	R3=$(vm "$run/snap-$fpr-r3.json" "$VMPID" 'v["refaulted_bytes"]')
	return 0
}

# common MODE: the checks of every boot: prtop host's SIGTERM and output,
# the exporter's, the exporter vs the JSON, rss_bytes vs VmRSS
common() {
	fpr=$1
	check "host[$fpr]: prtop host exited 0 on SIGTERM (rc $HOST_RC)" [ "$HOST_RC" = 0 ]
	hcheck whole "$fpr" "$run/host-$fpr.last.jsonl" "$VMPID"
	check "host[$fpr] export: exited 0 on SIGTERM (rc $XRC)" [ "$XRC" = 0 ]
	check "host[$fpr] export: /healthz answered 200 ($(cat "$run/host-$fpr.healthz" 2>/dev/null))" \
		[ "$(cat "$run/host-$fpr.healthz" 2>/dev/null)" = 200 ]
	hcheck export "$fpr" "$VMPID" "$run/host-$fpr.metrics" "$run/snap-$fpr-r3.json" "$run/snap-$fpr-after.json"
	hcheck rss "$fpr" "$run/host-$fpr.last.jsonl" "$VMPID" "$run/rss-$fpr.txt"
	hcheck identity "$fpr" "$run/host-$fpr.last.jsonl" "$run/host-$fpr.metrics" "$VMPID" "$VMNAME" "$VMUUID"
	[ "$fpr" = on ] && hcheck text "$fpr" "$run/host-$fpr.txt" "$run/host-$fpr.last.jsonl" "$VMPID" "$VMNAME" "$VMUUID"
}

# agree MODE METHOD: the checks of a boot with reporting on, whose discards
# come by METHOD
agree() {
	fpr=$1
	GREP=$(json_get "$run/blocks-$fpr/window.json" 'd["reported_bytes_total"]' 2>/dev/null)
	echo "# [$fpr] discards D1=$D1 D2=$D2; guest reported $GREP; RSS $RSS1 -> $RSS2 KiB; refaulted R2=$R2 R3=$R3"
	if [ -z "$D1" ] || [ -z "$D2" ] || [ -z "$GREP" ]; then
		not_ok "host[$fpr]: missing figures: D1='$D1' D2='$D2' guest reported='$GREP' ($(tail -n 3 "$run/host-$fpr.err" | tr '\n' ' '))"
	else
		disc=$((D2 - D1))
		p=$(pct "$disc" "$GREP")
		if within "$p" 2; then
			ok "host[$fpr]: discarded $(mib $disc) MiB vs guest-reported $(mib "$GREP") MiB: $p % apart (<= 2 %)"
		else
			not_ok "host[$fpr]: discarded $(mib $disc) MiB vs guest-reported $(mib "$GREP") MiB: $p % apart (> 2 %)"
		fi
		fall=$(((RSS1 - RSS2) * 1024))
		p=$(pct "$disc" "$fall")
		if [ "$fall" -gt 0 ] && within "$p" 5; then
			ok "host[$fpr]: discarded $(mib $disc) MiB vs QEMU RSS fall $(mib $fall) MiB: $p % apart (<= 5 %)"
		else
			not_ok "host[$fpr]: discarded $(mib $disc) MiB vs QEMU RSS fall $(mib $fall) MiB: $p % apart (> 5 %)"
		fi
	fi
	if [ -n "$R2" ] && [ -n "$R3" ] && [ "$R2" != None ]; then
		ref=$((R3 - R2))
		p=$(pct "$ref" $((MIB * 1048576)))
		if within "$p" 5; then
			ok "host[$fpr]: refaulted $(mib $ref) MiB after the guest wrote $MIB MiB again: $p % apart (<= 5 %)"
		else
			not_ok "host[$fpr]: refaulted $(mib $ref) MiB after the guest wrote $MIB MiB again: $p % apart (> 5 %)"
		fi
	else
		not_ok "host[$fpr]: refaulted bytes unknown (R2='$R2' R3='$R3')"
	fi
	last=$run/host-$fpr.last.jsonl
	how=$(vm "$last" "$VMPID" '"%s %s %s" % (d["refault_method"], d["probes"]["page_fault_user"]["attached"], d["probes"]["pagemap"]["mode"])')
	check "host[$fpr]: refaults found by PAGEMAP_SCAN, no fault probe (method, page_fault_user attached, pagemap mode: '$how')" \
		[ "$how" = "pagemap_scan False scan" ]
	name=$(vm "$last" "$VMPID" 'v["name"]')
	check "host[$fpr]: the VM is named by QEMU's -name ($VMNAME; got '$name')" [ "$name" = "$VMNAME" ]
	sizes=$(vm "$last" "$VMPID" '" ".join("%s:%s" % kv for kv in sorted(v["discard_size_le_bytes"].items(), key=lambda kv: float(kv[0])))')
	meth=$(vm "$last" "$VMPID" '" ".join("%s:%d" % (k, x["calls"]) for k, x in v["by_method"].items() if x["calls"])')
	echo "# [$fpr] discard sizes (le bytes:calls) $sizes; methods $meth; zapped after punching $(vm "$last" "$VMPID" 'v["zap_calls"]'); the VMM's own $(vm "$last" "$VMPID" 'v["other_discarded_bytes"]') bytes in $(vm "$last" "$VMPID" 'v["other_discard_calls"]') calls"
	big=$(vm "$last" "$VMPID" 'sum(c for k, c in v["discard_size_le_bytes"].items() if k in ("2097152", "4194304"))')
	all=$(vm "$last" "$VMPID" 'sum(v["discard_size_le_bytes"].values())')
	if [ -n "$big" ] && [ "$big" -gt 0 ] && [ $((big * 100)) -ge $((all * 90)) ]; then
		ok "host[$fpr]: $big of $all discards are 2 MiB or 4 MiB (order 9 and 10 reports)"
	else
		not_ok "host[$fpr]: only '$big' of '$all' discards are 2 MiB or 4 MiB"
	fi
	case $meth in
	"$2:"*) ok "host[$fpr]: QEMU discards guest RAM by $2 only ($meth)" ;;
	*) not_ok "host[$fpr]: methods seen '$meth', expected $2 only" ;;
	esac
	rss=$(vm "$last" "$VMPID" 'v["rss_bytes"]')
	check "host[$fpr]: rss_bytes is known ($rss)" [ -n "$rss" ]
	# the last sample may come after QEMU exited: the one after the rewrite
	rss=$(vm "$run/snap-$fpr-r3.json" "$VMPID" 'v["rss_bytes"]')
	check "host[$fpr]: rss_bytes is not null while QEMU runs ($rss)" [ -n "$rss" ] && [ "$rss" != None ]
	common "$fpr"
	hcheck sizes "$fpr" "$VMPID" "$run/snap-$fpr-d1.json" "$run/snap-$fpr-d2.json" "$run/blocks-$fpr/window.json"
	# every refault of the rewrite is of memory discarded before
	# "window-end" (in the window, or never touched since the guest's first
	# reporting pass) and faulted back after "rewriting", before
	# "retouched": its age is at least "rewriting" - "window-end" and at
	# most the guest's uptime at "retouched"
	tf=$(guest_t "$log" freed)
	te=$(guest_t "$log" window-end)
	tw=$(guest_t "$log" rewriting)
	tt=$(guest_t "$log" retouched)
	if [ -n "$tf" ] && [ -n "$te" ] && [ -n "$tw" ] && [ -n "$tt" ]; then
		lo=$(awk -v a="$tw" -v b="$te" 'BEGIN { printf "%.3f", a - b }')
		hi=$(awk -v a="$tt" 'BEGIN { printf "%.3f", a + 1 }')
		echo "# [$fpr] guest: freed $tf, window-end $te, rewriting $tw, retouched $tt: refault ages $lo .. $hi s"
		hcheck age "$fpr" "$VMPID" "$run/snap-$fpr-d2.json" "$run/snap-$fpr-r3.json" "$lo" "$hi"
		hcheck agemean "$fpr" "$VMPID" "$run/host-$fpr-r2.metrics" "$run/host-$fpr.metrics" "$lo" "$hi"
	else
		not_ok "host[$fpr]: guest markers missing: freed '$tf' window-end '$te' rewriting '$tw' retouched '$tt'"
	fi
}

# --- a late unmap of a punched hole: paired by range, not by time -----------
# A VMM made for the purpose (python): RAM a 256 MiB shared memfd, 8 holes of
# 2 MiB punched, each unmapped (MADV_DONTNEED) 50 ms later by another thread:
# neither the time nor the thread pairs them, only the file range.  Truth:
# the 8 holes the script punched, 16 MiB, and nothing else in its RAM
late_vmm() {
	python3 - "$1" <<'PYEOF'
import ctypes, mmap, os, sys, threading, time
go = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
size, hole, n = 256 << 20, 2 << 20, 8
fd = os.memfd_create("late-vmm")
os.ftruncate(fd, size)
ram = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
print(os.getpid(), flush=True)
while not os.path.exists(go):
    time.sleep(0.05)
for i in range(n):
    off = i * 2 * hole
    ram[off:off + hole] = b"\x01" * hole
    if libc.fallocate(fd, 3, ctypes.c_long(off), ctypes.c_long(hole)):  # PUNCH_HOLE|KEEP_SIZE
        print("fallocate: errno %d" % ctypes.get_errno(), flush=True)
    time.sleep(0.05)
    t = threading.Thread(target=ram.madvise, args=(mmap.MADV_DONTNEED, off, hole))
    t.start()
    t.join()
print("done", flush=True)
while os.path.exists(go):
    time.sleep(0.05)
PYEOF
}
lj=$run/late.jsonl
rm -f "$run/late.go" "$run/late.out"
late_vmm "$run/late.go" >"$run/late.out" 2>&1 &
lp=$!
i=0
while [ ! -s "$run/late.out" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
lpid=$(head -n 1 "$run/late.out")
"$PRTOP" host --json -p "$lpid" 0.5 >"$lj" 2>"$run/late.err" &
ljp=$!
i=0
while [ $i -lt 100 ] && ! grep -q '"guest_ram_bytes":268435456' "$lj" 2>/dev/null; do sleep 0.1; i=$((i + 1)); done
touch "$run/late.go"
i=0
while ! grep -q '^done' "$run/late.out" && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
sleep 1.2
late=$(vm "$lj" "$lpid" '"%s %s %s %s %s" % (v["by_method"]["punch_hole"]["calls"], v["by_method"]["punch_hole"]["bytes"], v["by_method"]["dontneed"]["calls"], v["zap_calls"], v["discarded_bytes"])')
rm -f "$run/late.go"
wait "$lp"
kill "$ljp" 2>/dev/null
wait "$ljp"
if [ "$late" = "8 16777216 0 8 16777216" ]; then
	ok "host: 8 holes punched, each unmapped 50 ms later by another thread: 8 punch_hole (16 MiB), 8 zaps, no dontneed, 16 MiB discarded"
else
	not_ok "host: 8 holes of 2 MiB punched and unmapped 50 ms later: punch calls, bytes, dontneed calls, zaps, discarded '$late' (want '8 16777216 0 8 16777216'); $(tail -n 2 "$run/late.out" "$run/late.err" | tr '\n' ' ')"
fi

# --- reporting on: private anonymous RAM, madvise(MADV_DONTNEED) -----------
boot on && agree on dontneed
# --- reporting on, RAM a shared memfd: fallocate(PUNCH_HOLE), then a zap ---
boot memfd && agree memfd punch_hole

# --- reporting off; meanwhile discovery by name and the filter --------------
rm -f "$run/serial-off.log.pid"
(
	# wait for QEMU, then run madvloop and prtop host by name side by side
	i=0
	while [ ! -s "$run/serial-off.log.pid" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	"$PRTOP" host --json 1 6 >"$run/byname.jsonl" 2>"$run/byname.err" &
	bp=$!
	"$TOOLS/madvloop" -s 6 >"$run/madvloop.out" 2>&1
	wait $bp
	echo "rc=$?" >>"$run/byname.err"
) &
side=$!
if boot off; then
	echo "# [off] discards D1=$D1 D2=$D2 (whole run: $(vm "$run/host-off.last.jsonl" "$VMPID" 'v["discarded_bytes"]'))"
	total=$(vm "$run/host-off.last.jsonl" "$VMPID" 'v["discarded_bytes"]')
	check "host[off]: no discards from QEMU with free-page-reporting=off (got '$total')" [ "$total" = 0 ]
	common off
fi
wait $side
mpid=$(sed -n 's/^pid: //p' "$run/madvloop.out")
ops=$(sed -n 's/^ops: //p' "$run/madvloop.out")
seen=$(python3 - "$run/byname.jsonl" "$mpid" "$VMPID" <<'PYEOF'
import json, sys
pids = set()
for line in open(sys.argv[1]):
    try:
        pids |= {v["pid"] for v in json.loads(line)["vms"]}
    except (ValueError, KeyError):
        pass
print("madvloop=%s qemu=%s" % (int(sys.argv[2] or 0) in pids, int(sys.argv[3] or 0) in pids))
PYEOF
)
echo "# by name: $seen; madvloop pid $mpid did $ops discards"
case $seen in
"madvloop=False qemu=True") ok "host: by name, QEMU is watched and madvloop ($ops discards) is not" ;;
*) not_ok "host: by name: $seen (want madvloop=False qemu=True); $(tr '\n' ' ' <"$run/byname.err")" ;;
esac

# --- the exporter, scraped while the reporting-on guest ran ------------------
cp "$run/host-on.metrics" "$run/host.metrics" 2>/dev/null
if [ -s "$run/host.metrics" ]; then
	line=$(grep "^prtop_host_discarded_bytes_total{vm=\"$VMNAME\",pid=\"$ON_PID\",name=\"$VMNAME\",uuid=\"$VMUUID\",method=\"dontneed\"}" "$run/host.metrics")
	val=${line##* }
	if [ -n "$val" ] && [ "$val" -gt 0 ]; then
		ok "host export: the VM's series has vm, pid, name and uuid labels ($line)"
	else
		not_ok "host export: no dontneed series for vm=$VMNAME pid=$ON_PID: $(grep prtop_host_discarded_bytes_total "$run/host.metrics" | head -3 | tr '\n' ' ')"
	fi
	for f in prtop_host_refaulted_bytes_total prtop_host_rss_bytes prtop_host_refault_age_seconds_bucket \
		prtop_host_discard_size_bytes_bucket prtop_host_vm_info prtop_host_probe_attached; do
		check "host export: $f is served" grep -q "^$f" "$run/host.metrics"
	done
	if promtool check metrics <"$run/host.metrics" >"$run/host.lint" 2>&1; then
		ok "host export: promtool check metrics passes"
	else
		not_ok "host export: promtool check metrics: $(head -c 300 "$run/host.lint")"
	fi
else
	not_ok "host export: nothing scraped from $XADDR: $(tail -n 3 "$run/hostexp-on.out" | tr '\n' ' ')"
fi

# --- the Grafana dashboard against live scrapes ------------------------------
# every metric its queries use must be served by prtop host export (above) or
# by this machine's own prtop export, unless the probe behind it is reported
# not attached here (then the scrape says so and why)
GADDR=127.0.0.1:${PRTOP_GUEST_PORT:-19466}
"$PRTOP" export -l "$GADDR" -d 1 >"$run/guestexp.out" 2>&1 &
gp=$!
HOSTPIDS="$HOSTPIDS $gp"
i=0
while ! curl -sf -m 2 "http://$GADDR/metrics" >"$run/guest.metrics" 2>/dev/null && [ $i -lt 60 ]; do
	sleep 0.5
	i=$((i + 1))
done
kill "$gp" 2>/dev/null
wait "$gp" 2>/dev/null
python3 - deploy/grafana-prtop.json deploy/prtop-alerts.yml "$run/host.metrics" "$run/guest.metrics" <<'PYEOF' >"$run/dash.out"
import json, re, sys
dash = json.load(open(sys.argv[1]))
rules = open(sys.argv[2]).read()
served = set()
for path in sys.argv[3:]:
    try:
        for line in open(path):
            m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
            if m and not line.startswith("#"):
                served.add(m.group(1))
    except OSError:
        pass
attached = {}
for line in open(sys.argv[4]) if len(sys.argv) > 4 else []:
    m = re.match(r'prtop_probe_attached\{probe="([a-z_]+)",mode="[a-z_]*"\} (\d)', line)
    if m:
        attached[m.group(1)] = m.group(2) == "1"
# recording rules used by the dashboard stand for their expressions
recs = dict(re.findall(r"record: (\S+)\n\s+expr: (.*)", rules))
exprs = []
for p in dash["panels"]:
    for t in p.get("targets", []):
        exprs.append(recs.get(t["expr"], t["expr"]))
used = set()
for e in exprs:
    for n in re.findall(r"\b(prtop_[a-z_]+)", e):
        used.add(n)
# families the report probe feeds (absent when it is not attached)
by_probe = {"prtop_reported_": "report", "prtop_batches_": "report", "prtop_report_": "report"}
for n in sorted(used):
    if n in served:
        print("ok - dashboard: %s is in a live scrape" % n)
        continue
    probe = next((pr for pre, pr in by_probe.items() if n.startswith(pre)), None)
    if probe and attached.get(probe) is False:
        print("ok - dashboard: %s is absent here because probe %s is not attached (prtop_probe_attached 0)" % (n, probe))
    else:
        print("not ok - dashboard: %s is used by a query and served by neither exporter" % n)
print("# dashboard uses %d metrics in %d queries" % (len(used), len(exprs)))
PYEOF
cat "$run/dash.out"
grep -q "^not ok\|^ok" "$run/dash.out" || not_ok "dashboard: the check printed nothing"
