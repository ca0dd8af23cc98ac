#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Device loss: in Debian's stock 6.1 guest (TCG), virtio_balloon is
# unloaded and loaded again while prtop's live view, stat and exporter are
# attached (tests/qemu/guest_devloss.sh).  prtop must let the module go
# (an fentry on its report() would hold it: rmmod failed with EAGAIN), say
# the report probe is detached and why while it is gone, attach again when
# it is back, and keep every counter monotonic: the exporter's
# prtop_reported_bytes_total never falls, so Prometheus sees no reset; and
# no figure says more than the guest freed, or counts while the driver is
# gone (frames: one a second of the time it was gone).
# The exporter runs as the dynamically linked build, as packaged, with its
# libraries copied into the initramfs.
. tests/lib.sh
. tests/qemu/lib.sh

require "$QEMU_BIN" cpio gzip python3 timeout setsid awk ldd
[ -x /bin/busybox ] || { not_ok "devloss: /bin/busybox missing (sh tools/deps.sh test)"; exit 0; }
for f in "$PRTOP_STATIC" "$PRTOP" ./build-static/tools/memhog; do
	[ -x "$f" ] || { not_ok "devloss: $f missing (make all; make STATIC=1 all)"; exit 0; }
done
run=$CACHE/qemu/devloss
rm -rf "$run"
mkdir -p "$run"
trap 'qemu_stop' EXIT
trap 'exit 1' INT TERM HUP

qemu_kernel_or_say devloss "$run" || exit 0
# the dynamic prtop and every library it loads, at the same paths
libs=$(ldd "$PRTOP" |
	awk '$2 == "=>" && $3 ~ /^\// {print "-f " $3 ":" $3} $1 ~ /^\// {print "-f " $1 ":" $1}' | sort -u)
# shellcheck disable=SC2086
if ! sh tests/qemu/mkinitramfs.sh -o "$run/initramfs.gz" -m "$QEMU_MODDIR" -s tests/qemu/guest_devloss.sh \
	-f "$PRTOP_STATIC:/bin/prtop" -f "$PRTOP:/bin/prtop-dyn" -f ./build-static/tools/memhog \
	-f tests/qemu/guest_lib.sh:/lib/guest_lib.sh $libs 2>"$run/mkinitramfs.err"; then
	not_ok "devloss: initramfs: $(tail -n 3 "$run/mkinitramfs.err" | tr '\n' ' ')"
	exit 0
fi
log=$run/serial.log
t0=$(date +%s)
qemu_run_or_say devloss "$log" "$run/initramfs.gz" on 400 "PRTOP-DL done" 380 || exit 0
qemu_stop
echo "# devloss boot took $(($(date +%s) - t0)) s; serial log in $log"
qemu_blocks "$log" "$run/blocks"

marker() { sed -n "s/.*PRTOP-DL $1 \([^ ]*\).*/\1/p" "$log" | tr -d '\r' | head -n 1; }
check "rmmod virtio_balloon succeeds while live, stat and export are attached ($(marker rmmod))" \
	test "$(marker rmmod)" = "rc=0"
check "insmod virtio_balloon succeeds ($(marker insmod))" test "$(marker insmod)" = "rc=0"
for w in live export stat; do
	check "$w survives the loss and exits 0 ($(marker "$w"))" test "$(marker "$w")" = "rc=0"
done

python3 - "$run/blocks" "$log" <<'PYEOF'
import json, re, sys
d, log = sys.argv[1], open(sys.argv[2], errors="replace").read()

def ok(good, what):
    print("%s - devloss: %s" % ("ok" if good else "not ok", what))

# --- the live view: one JSON frame a second ---
frames = []
for line in open(d + "/live.json"):
    try:
        frames.append(json.loads(line))
    except ValueError:
        pass
rep = [f["attach_detail"]["report"] for f in frames]
lost = [i for i, r in enumerate(rep) if r["lost"]]
ok(len(frames) >= 20, "live: %d frames" % len(frames))
ok(bool(lost) and all(not rep[i]["attached"] for i in lost),
   "live: the report probe is detached and marked lost while the module is gone (%d frames)" % len(lost))
why = rep[lost[0]]["reason"] if lost else ""
ok("virtio_balloon was unloaded" in why and "attaches again" in why,
   "live: ... with the reason: %s" % why[:160])
gone_dev = [frames[i]["device"] is None and "no reporting device registered" in
            (frames[i]["device_reason"] or "") for i in lost]
ok(bool(lost) and any(gone_dev), "live: no device registered while it is gone (device_none in %d of %d)" %
   (sum(1 for g in gone_dev if g), len(lost)))
after = rep[lost[-1] + 1:] if lost else []
ok(bool(after) and all(r["attached"] and not r["lost"] for r in after),
   "live: attached again after the reload (%d frames after)" % len(after))
tot = [f["reported_bytes_total"] for f in frames]
mono = all(b >= a for a, b in zip(tot, tot[1:]) if a is not None and b is not None)
ok(mono and None not in tot, "live: reported_bytes_total known in every frame and never falls")
before = tot[lost[0]] if lost else 0
ok(bool(lost) and tot[-1] - before >= 128 << 20,
   "live: the 256 MiB freed after the reload are seen (%.0f MiB more than before the unload)" %
   ((tot[-1] - before) / 2**20))
# upper bounds from what the guest did: it freed 256 MiB after the reload
# and 256 MiB before the unload (a freed block may merge with a reported
# neighbour and be reported again: SLACK); nothing is reported while the
# driver is gone; one frame a second
FREED, SLACK = 256 << 20, 64 << 20
ok(bool(lost) and tot[-1] - before <= FREED + SLACK,
   "live: at most the 256 MiB freed after the reload (+%.0f MiB slack) reported after the unload: %.0f MiB" %
   (SLACK / 2**20, (tot[-1] - before) / 2**20))
ok(bool(lost) and len(set(tot[i] for i in lost)) == 1,
   "live: reported_bytes_total stands still while the driver is gone: %s" %
   sorted(set("%.0f MiB" % (tot[i] / 2**20) for i in lost)))
ok(bool(lost) and tot[lost[0]] <= FREED + SLACK,
   "live: before the unload at most the 256 MiB freed then (+slack): %.0f MiB" % (before / 2**20))
def t(name):
    m = re.search(r"PRTOP-DL %s\b.* t=([0-9.]+)" % name, log)
    return float(m.group(1)) if m else None
gone_s = t("insmod") - t("rmmod") if t("insmod") and t("rmmod") else None
ok(gone_s is not None and 1 <= len(lost) <= gone_s + 2,
   "live: %d frames marked lost, one a second of the %s s the module was gone" %
   (len(lost), "%.1f" % gone_s if gone_s is not None else "?"))

# --- doctor while no device is registered: that is its verdict, a problem ---
try:
    dg = json.load(open(d + "/doctor-gone.json"))
    ids = {x["id"]: x["level"] for x in dg["diagnosis"]}
except (OSError, ValueError, KeyError) as e:
    dg, ids = None, {"unreadable": str(e)}
ok(ids.get("no_device") == "problem" and "returning" not in ids,
   "doctor: with virtio_balloon unloaded, 'no_device' is the problem named (%s)" % ids)

# --- stat over the whole window ---
s = json.load(open(d + "/stat.json"))
ok(s["attach_detail"]["report"]["attached"] and s["reported_bytes_total"] >= 384 << 20,
   "stat: attached at the end, %.0f MiB of the 2 x 256 MiB freed reported across the loss "
   "(it samples once, at the end: the module is watched between samples)" %
   (s["reported_bytes_total"] / 2**20))
ok(s["reported_bytes_total"] is not None and s["reported_bytes_total"] <= 2 * FREED + SLACK,
   "stat: at most the 2 x 256 MiB freed (+%.0f MiB slack) reported: %.0f MiB" %
   (SLACK / 2**20, (s["reported_bytes_total"] or 0) / 2**20))

# stat's window: from its attach (before the guest saw all three attached)
# to the SIGTERM the guest sent it
lo_w, hi_w = (t("stat rc") - t("caps") - 1, t("stat rc") - t("settled") + 1) if t("caps") and t("stat rc") else (None, None)
ok(lo_w is not None and lo_w <= s["window_s"] <= hi_w,
   "stat: window_s %s within the guest's %.1f..%.1f s from attach to SIGTERM" % (s["window_s"], lo_w or 0, hi_w or 0))

# --- the exporter, scraped before (m0, m1), during (m2) and after (m3) ---
def metric(tag, name, labels=""):
    for line in open("%s/%s.json" % (d, tag)):
        if line.startswith(name + labels) and line[len(name + labels)] in " ,}":
            return float(line.split()[-1])
    return None
vals = [metric("m%d" % i, "prtop_reported_bytes_total", '{source="prtop"') for i in range(4)]
att = [metric("m%d" % i, "prtop_probe_attached", '{probe="report"') for i in range(4)]
ok(att == [1, 1, 0, 1], "export: prtop_probe_attached{probe=\"report\"} %s (want 1 1 0 1)" % att)
ok(None not in vals and all(b >= a for a, b in zip(vals, vals[1:])) and vals[3] > vals[2],
   "export: prtop_reported_bytes_total served throughout and never falls (no reset): %s" %
   ["%.0f MiB" % (v / 2**20) if v is not None else None for v in vals])
# m0..m1 spans the first free, m2..m3 the second
ok(None not in vals and vals[1] - vals[0] <= FREED + SLACK and vals[3] - vals[2] <= FREED + SLACK
   and vals[3] - vals[0] <= 2 * FREED + SLACK,
   "export: each 256 MiB free adds at most 256 MiB (+slack): %s" %
   ["%.0f MiB" % ((b - a) / 2**20) for a, b in zip(vals, vals[1:])] if None not in vals else vals)

# --- capabilities: what each kept is named, the same in all three ---
caps = re.findall(r"PRTOP-DL caps pid=\d+ CapEff:([0-9a-f]+)", log)
def text(name):
    try:
        return open("%s/%s" % (d, name)).read()
    except OSError:
        return ""
kept = re.findall(r"capabilities kept(?: after attaching)?: ([^\n\r]*)", text("export.err"))
ok(len(caps) == 3 and len(set(caps)) == 1 and int(caps[0], 16) in (1 << 21, 1 << 38),
   "caps: live, stat and export each keep one capability to attach again (CapEff %s): %s" %
   (" ".join(caps), kept[0] if kept else "no log line"))
PYEOF
