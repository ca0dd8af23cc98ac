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
# 5 %; the VM is named by QEMU's -name.  The same with guest RAM on a
# shared memfd (QEMU punches holes, then unmaps: counted once).  Reporting
# off: the same run gives zero discards.  Meanwhile `prtop host` by name (no --pid) sees QEMU and not
# tools/madvloop, a process discarding memory in a loop.
#
# Knobs: PRTOP_HOST_MIB (768), PRTOP_HOST_WINDOW (25 s).  Logs stay in
# $PRTOP_CACHE/qemu/host/.
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

MIB=${PRTOP_HOST_MIB:-768}
WINDOW=${PRTOP_HOST_WINDOW:-25}
VMNAME=prtop-host-test
XADDR=127.0.0.1:${PRTOP_HOST_PORT:-19465}

require "$QEMU_BIN" cpio gzip python3 timeout setsid awk curl promtool
[ -x /bin/busybox ] || { not_ok "host: /bin/busybox missing (sh tools/deps.sh test installs busybox-static)"; exit 0; }
for f in "$PRTOP_STATIC" ./build-static/tools/memhog "$PRTOP" "$TOOLS/madvloop"; do
	[ -x "$f" ] || { not_ok "host: $f missing (run: make all && make STATIC=1 all)"; exit 0; }
done
mount_kernel_fs

run=$CACHE/qemu/host
mkdir -p "$run"
HOSTPIDS=""
cleanup() {
	for p in $HOSTPIDS; do kill "$p" 2>/dev/null; done
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

# step LOG MARKER TIMEOUT WHAT
step() {
	qemu_wait_marker "$1" "$2" "$3" && return 0
	not_ok "host[$fpr]: $4: guest never printed '$2'; serial: $(qemu_log_tail "$1")"
	return 1
}

# boot on|off|memfd: one guest, prtop host -p QEMU from its start; sets D1 D2
# R2 R3 RSS1 RSS2.  memfd: reporting on, guest RAM a shared memfd (QEMU then
# punches holes instead of madvise)
boot() {
	fpr=$1
	log=$run/serial-$fpr.log
	hj=$run/host-$fpr.jsonl
	D1="" D2="" R2="" R3="" RSS1="" RSS2=""
	QEMU_EXTRA="-name guest=$VMNAME,debug-threads=on"
	dev=$fpr
	if [ "$fpr" = memfd ]; then
		dev=on
		QEMU_EXTRA="$QEMU_EXTRA -object memory-backend-memfd,id=ram0,size=${QEMU_MEM_MIB}M,share=on -machine memory-backend=ram0"
	fi
	if ! qemu_start "$log" "$run/initramfs.gz" "$dev" 300 2>"$run/qemu-$fpr.err"; then
		not_ok "host[$fpr]: QEMU did not start: $(tr '\n' ' ' <"$run/qemu-$fpr.err")"
		return 1
	fi
	VMPID=$QEMU_PID
	[ "$fpr" = on ] && ON_PID=$VMPID
	"$PRTOP" host --json -p "$VMPID" 1 >"$hj" 2>"$run/host-$fpr.err" &
	hp=$!
	HOSTPIDS="$HOSTPIDS $hp"
	xp=""
	if [ "$fpr" = on ]; then
		"$PRTOP" host export -l "$XADDR" -d 1 >"$run/hostexp.out" 2>&1 &
		xp=$!
		HOSTPIDS="$HOSTPIDS $xp"
	fi
	step "$log" "PRTOP-HOST settled" 150 "settling" || return 1
	[ -n "$xp" ] && caps_check "host export: capabilities dropped after attaching" "$xp" "$run/hostexp.out"
	step "$log" "PRTOP-HOST held" 120 "touching $MIB MiB" || return 1
	sleep 1.5
	D1=$(vm "$hj" "$VMPID" 'v["discarded_bytes"]')
	RSS1=$(qemu_rss_kib)
	step "$log" "PRTOP-HOST window-end" $((WINDOW + 60)) "measurement window" || return 1
	sleep 2
	D2=$(vm "$hj" "$VMPID" 'v["discarded_bytes"]')
	R2=$(vm "$hj" "$VMPID" 'v["refaulted_bytes"]')
	RSS2=$(qemu_rss_kib)
	step "$log" "PRTOP-HOST retouched" 120 "writing $MIB MiB again" || return 1
	sleep 2.5
	R3=$(vm "$hj" "$VMPID" 'v["refaulted_bytes"]')
	if [ -n "$xp" ]; then
		curl -s -m 5 "http://$XADDR/metrics" >"$run/host.metrics"
		curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$XADDR/healthz" >"$run/host.healthz"
		kill "$xp" 2>/dev/null
		wait "$xp"
		XRC=$?
	fi
	qemu_wait_marker "$log" "PRTOP-HOST done" 30
	cp "$hj" "$run/host-$fpr.last.jsonl"
	kill "$hp" 2>/dev/null
	wait "$hp"
	HOST_RC=$?
	HOSTPIDS=""
	qemu_stop
	rm -rf "$run/blocks-$fpr"
	qemu_blocks "$log" "$run/blocks-$fpr"
	return 0
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
	check "host[$fpr]: prtop host exited 0 on SIGTERM (rc $HOST_RC)" [ "$HOST_RC" = 0 ]
	rss=$(vm "$last" "$VMPID" 'v["rss_bytes"]')
	check "host[$fpr]: rss_bytes is known ($rss)" [ -n "$rss" ] && [ "$rss" != None ]
}

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

# --- the exporter, scraped while the guest ran -------------------------------
if [ -s "$run/host.metrics" ]; then
	check "host export: /healthz answered 200 ($(cat "$run/host.healthz"))" [ "$(cat "$run/host.healthz")" = 200 ]
	check "host export: exited 0 on SIGTERM (rc $XRC)" [ "$XRC" = 0 ]
	line=$(grep "^prtop_host_discarded_bytes_total{vm=\"$VMNAME\",pid=\"$ON_PID\",method=\"dontneed\"}" "$run/host.metrics")
	val=${line##* }
	if [ -n "$val" ] && [ "$val" -gt 0 ]; then
		ok "host export: the VM's series has vm=\"$VMNAME\" and pid labels ($line)"
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
	not_ok "host export: nothing scraped from $XADDR: $(tail -n 3 "$run/hostexp.out" | tr '\n' ' ')"
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
