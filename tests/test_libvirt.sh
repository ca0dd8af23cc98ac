#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `prtop host` beside a real libvirtd: Debian's libvirt daemon, run by this
# script (no systemd here), starts the stock 6.1 guest as a domain of type
# qemu (TCG, direct kernel boot, <memballoon model='virtio'
# freePageReporting='on'/>) and a second domain, ns1_vm1, held paused.
#
#   start ── quiet ── touch MIB ── held ┄ free ┄┄┄ settled ┄┄ done
#                                  D₁ RSS₁          D₂ RSS₂ dommemstat
#
# prtop host --json -p QEMU... runs from before the guest's first
# instruction.  Checks: each domain's identity is libvirt's (manager
# "libvirt", name and UUID as `virsh dominfo` gives them, no namespace:
# ns1_vm1 is KubeVirt's form of a name, but no pod's cgroup holds it);
# the discards between "held" and "settled" agree with the fall of the
# VmRSS of the QEMU libvirt started (read from /proc here) within 5 %;
# `manager_stats` in the JSON, and prtop_host_manager_memory_bytes of
# `prtop host export`, are what `virsh dommemstat` says of the same domain
# at the same moment.  Everything this script starts is stopped on
# every way out: domains destroyed and undefined, libvirtd killed, its
# files removed.
#
# libvirtd runs in a mount namespace of its own, where /etc/libvirt,
# /var/lib/libvirt, /var/log/libvirt and /var/cache/libvirt are this
# script's directories (root QEMU, no security driver, no cgroups, logs to
# files); /run/libvirt is the machine's, where prtop looks for libvirt's pid
# files.  Its sockets are in the script's directory, so a libvirtd of the
# machine, if any, is neither used nor disturbed.
#
# Knobs: PRTOP_LIBVIRT_MIB (768).  Logs stay in $PRTOP_CACHE/qemu/libvirt/.
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

MIB=${PRTOP_LIBVIRT_MIB:-768}
DOM=prtop-libvirt
DOM2=ns1_vm1

require libvirtd virsh unshare "$QEMU_BIN" cpio gzip python3 timeout awk curl prometheus \
	prometheus-libvirt-exporter
[ -x /bin/busybox ] || { not_ok "libvirt: /bin/busybox missing (sh tools/deps.sh test installs busybox-static)"; exit 0; }
for f in "$PRTOP_STATIC" ./build-static/tools/memhog "$PRTOP"; do
	[ -x "$f" ] || { not_ok "libvirt: $f missing (run: make all && make STATIC=1 all)"; exit 0; }
done
# libvirt's QEMU driver resolves its build-time user before reading any
# configuration: Debian's libvirt-qemu must exist (tools/deps.sh makes it)
getent passwd libvirt-qemu >/dev/null ||
	{ not_ok "libvirt: no libvirt-qemu user (run: sh tools/deps.sh test)"; exit 0; }
mount_kernel_fs

run=$CACHE/qemu/libvirt
mkdir -p "$run"
lv=$(mktemp -d /tmp/prtop-libvirt.XXXXXX)
export LIBVIRT_DEFAULT_URI="qemu+unix:///system?socket=$lv/sock/libvirt-sock"
HOSTPIDS=""
LVPID=""
# libvirtd makes /run/libvirt: gone again after the test if it was not there
RUN_NEW=""
[ -e /run/libvirt ] || RUN_NEW=1
cleanup() {
	for p in $HOSTPIDS; do kill "$p" 2>/dev/null; done
	for p in $HOSTPIDS; do wait "$p" 2>/dev/null; done
	HOSTPIDS=""
	if [ -n "$LVPID" ] && kill -0 "$LVPID" 2>/dev/null; then
		for d in "$DOM" "$DOM2"; do
			timeout 20 virsh -q destroy "$d" >/dev/null 2>&1
			timeout 20 virsh -q undefine "$d" >/dev/null 2>&1
		done
		kill "$LVPID" 2>/dev/null
		i=0
		while kill -0 "$LVPID" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$LVPID" 2>/dev/null
	fi
	# a QEMU that outlived its daemon (never expected): by the pid libvirt wrote
	for d in "$DOM" "$DOM2"; do
		p=$(cat "/run/libvirt/qemu/$d.pid" 2>/dev/null)
		if [ -n "$p" ] && grep -q "guest=$d," "/proc/$p/cmdline" 2>/dev/null; then
			kill -9 "$p" 2>/dev/null
		fi
		rm -f "/run/libvirt/qemu/$d.pid" "/run/libvirt/qemu/$d.xml"
	done
	LVPID=""
	[ -n "$RUN_NEW" ] && ! pgrep -x libvirtd >/dev/null && rm -rf /run/libvirt
	[ -n "$lv" ] && rm -rf "$lv"
	lv=""
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

if ! kv=$(sh tests/qemu/kernel.sh 2>"$run/kernel.err"); then
	not_ok "libvirt: no Debian 6.1 cloud kernel: $(tail -n 3 "$run/kernel.err" | tr '\n' ' ')"
	exit 0
fi
eval "$kv"
{
	echo "MIB=$MIB"
	cat tests/qemu/guest_libvirt.sh
} >"$run/guest.sh"
if ! sh tests/qemu/mkinitramfs.sh -o "$run/initramfs.gz" -m "$QEMU_MODDIR" -s "$run/guest.sh" \
	-f "$PRTOP_STATIC:/bin/prtop" -f ./build-static/tools/memhog \
	-f tests/qemu/guest_lib.sh:/lib/guest_lib.sh 2>"$run/mkinitramfs.err"; then
	not_ok "libvirt: initramfs: $(tail -n 3 "$run/mkinitramfs.err" | tr '\n' ' ')"
	exit 0
fi

# --- libvirtd, standalone ------------------------------------------------------
mkdir -p "$lv/etc/qemu" "$lv/sock" "$lv/lib" "$lv/log" "$lv/cache"
cat >"$lv/etc/libvirtd.conf" <<EOF
unix_sock_dir = "$lv/sock"
auth_unix_ro = "none"
auth_unix_rw = "none"
log_outputs = "3:file:$lv/libvirtd.log"
EOF
cat >"$lv/etc/qemu.conf" <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = []
cgroup_controllers = []
stdio_handler = "file"
EOF
: >"$lv/etc/libvirt.conf"
# the directories libvirt writes, each this script's in the daemon's namespace
# shellcheck disable=SC2016 # expanded by the inner shell
unshare -m --propagation private sh -c '
	for d in /etc/libvirt:etc /var/lib/libvirt:lib /var/log/libvirt:log /var/cache/libvirt:cache; do
		mkdir -p "${d%%:*}" && mount --bind "$1/${d#*:}" "${d%%:*}" || exit 1
	done
	exec libvirtd -d -p "$1/libvirtd.pid" -f "$1/etc/libvirtd.conf"' sh "$lv" >"$run/libvirtd.out" 2>&1
i=0
while [ $i -lt 100 ] && ! { [ -s "$lv/libvirtd.pid" ] && virsh -q version >/dev/null 2>&1; }; do
	sleep 0.1
	i=$((i + 1))
done
LVPID=$(cat "$lv/libvirtd.pid" 2>/dev/null)
if [ -z "$LVPID" ] || ! virsh version >"$run/virsh-version.txt" 2>&1; then
	not_ok "libvirt: libvirtd did not come up: $(tr '\n' ' ' <"$run/libvirtd.out"; grep ' error ' "$lv/libvirtd.log" 2>/dev/null | tail -n 3 | tr '\n' ' ')"
	exit 0
fi
ok "libvirt: libvirtd runs standalone (pid $LVPID): $(grep -i 'running hypervisor\|using library' "$run/virsh-version.txt" | tr -s ' ' | tr '\n' ';')"

# domain NAME MEM_MIB: a TCG domain of the stock 6.1 kernel, booted directly
# with the test's initramfs, its serial console into $run/serial-NAME.log
domain() {
	cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>$2</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$QEMU_VMLINUZ</kernel>
    <initrd>$run/initramfs.gz</initrd>
    <cmdline>console=ttyS0 loglevel=1 panic=-1</cmdline>
  </os>
  <cpu mode='maximum' migratable='off'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>$(command -v "$QEMU_BIN")</emulator>
    <controller type='usb' model='none'/>
    <serial type='file'><source path='$run/serial-$1.log'/><target port='0'/></serial>
    <memballoon model='virtio' freePageReporting='on'><stats period='2'/></memballoon>
  </devices>
</domain>
EOF
}
domain "$DOM" 2048 >"$run/$DOM.xml"
domain "$DOM2" 256 >"$run/$DOM2.xml"
rm -f "$run/serial-$DOM.log" "$run/serial-$DOM2.log"
for d in "$DOM" "$DOM2"; do
	# both start paused (-S): prtop host watches QEMU before the guest runs
	if ! virsh -q define "$run/$d.xml" >"$run/define-$d.out" 2>&1 ||
		! virsh -q start --paused "$d" >"$run/start-$d.out" 2>&1; then
		not_ok "libvirt: domain $d did not start: $(cat "$run/define-$d.out" "$run/start-$d.out" 2>/dev/null | tr '\n' ' ')"
		exit 0
	fi
done
virsh domxml-to-native qemu-argv --domain "$DOM" >"$run/$DOM.argv" 2>&1
PID1=$(cat "/run/libvirt/qemu/$DOM.pid" 2>/dev/null)
PID2=$(cat "/run/libvirt/qemu/$DOM2.pid" 2>/dev/null)
UUID1=$(virsh dominfo "$DOM" | sed -n 's/^UUID: *//p')
UUID2=$(virsh dominfo "$DOM2" | sed -n 's/^UUID: *//p')
echo "# domains: $DOM pid $PID1 uuid $UUID1; $DOM2 pid $PID2 uuid $UUID2"
if [ -z "$PID1" ] || [ -z "$PID2" ] || [ ! -d "/proc/$PID1" ] || [ ! -d "/proc/$PID2" ]; then
	not_ok "libvirt: no QEMU pid in /run/libvirt/qemu ('$PID1' '$PID2')"
	exit 0
fi
QEMU_PID=$PID1 # for qemu_alive and qemu_wait_marker

hj=$run/host.jsonl
# prtop reads libvirt's statistics over the read-only socket, as a
# monitoring agent would
LIBVIRT_DEFAULT_URI="qemu+unix:///system?socket=$lv/sock/libvirt-sock-ro" \
	"$PRTOP" host --json -p "$PID1" -p "$PID2" 1 >"$hj" 2>"$run/host.err" &
HOSTPIDS="$HOSTPIDS $!"
XADDR=127.0.0.1:$(free_port)
LIBVIRT_DEFAULT_URI="qemu+unix:///system?socket=$lv/sock/libvirt-sock-ro" \
	"$PRTOP" host export -l "$XADDR" -d 1 -p "$PID1" -p "$PID2" >"$run/hostexp.out" 2>&1 &
HOSTPIDS="$HOSTPIDS $!"
"$PRTOP" host -b -T 1 -p "$PID1" >"$run/host.txt" 2>"$run/host-txt.err" &
HOSTPIDS="$HOSTPIDS $!"
# a real Prometheus scrapes prtop host export and Debian's libvirt exporter
# (libvirt's own figures, labelled by domain), for the joins checked below
LXADDR=127.0.0.1:$(free_port)
prometheus-libvirt-exporter --web.listen-address="$LXADDR" \
	--libvirt.uri="qemu+unix:///system?socket=$lv/sock/libvirt-sock-ro" >"$run/libvirt-exporter.out" 2>&1 &
HOSTPIDS="$HOSTPIDS $!"
PADDR=127.0.0.1:$(free_port)
rm -rf "$run/tsdb"
cat >"$run/prom.yml" <<EOF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: prtop-host
    static_configs:
      - targets: ['$XADDR']
  - job_name: libvirt
    static_configs:
      - targets: ['$LXADDR']
EOF
prometheus --config.file="$run/prom.yml" --storage.tsdb.path="$run/tsdb" \
	--web.listen-address="$PADDR" --log.level=warn >"$run/prom.log" 2>&1 &
HOSTPIDS="$HOSTPIDS $!"
i=0
while [ $i -lt 300 ] && ! { grep -q "\"pid\":${PID1}[,}]" "$hj" 2>/dev/null && grep -q "^ *$PID1 " "$run/host.txt" 2>/dev/null; }; do
	sleep 0.2
	i=$((i + 1))
done
grep -q "\"pid\":${PID1}[,}]" "$hj" ||
	{ not_ok "libvirt: prtop host did not watch QEMU within 60 s: $(tail -n 2 "$run/host.err" | tr '\n' ' ')"; exit 0; }
virsh -q resume "$DOM" >/dev/null

# vm FILE PID EXPR: EXPR on the VM with PID (v) in the last complete JSON
# line of FILE; empty when there is none
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
    print(eval(expr, {}, {"v": v[0], "d": last, "json": json}))
PYEOF
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.2f", b ? d * 100 / b : 999 }'; }
within() { awk -v p="$1" -v t="$2" 'BEGIN { exit !(p <= t) }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
keep() { tail -n 3 "$hj" >"$run/snap-$1.json"; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID1/status" 2>/dev/null; }
log=$run/serial-$DOM.log
step() {
	qemu_wait_marker "$log" "$1" "$2" && return 0
	not_ok "libvirt: $3: the guest never printed '$1'; serial: $(qemu_log_tail "$log")"
	return 1
}

# joins: the docs' libvirt joins, evaluated by the real Prometheus over both
# exporters' series (prtop's name label, libvirt's domain label): one result
# per domain, and for the test's domain the value the test computes from what
# it read itself (VmRSS, virsh dominfo, prtop host's JSON) then, within 2 %
JOIN_RSS='prtop_host_rss_bytes{job="prtop-host"}
  / on (name) group_left ()
label_replace(libvirt_domain_info_memory_usage_bytes{job="libvirt"}, "name", "$1", "domain", "(.+)")'
JOIN_MAX='sum by (name, uuid) (prtop_host_discarded_bytes_total{job="prtop-host"})
  / on (name) group_left ()
label_replace(libvirt_domain_info_maximum_memory_bytes{job="libvirt"}, "name", "$1", "domain", "(.+)")'
joins() {
	python3 - "$PADDR" "$DOM" "$DOM2" "$run" "$(vm "$run/snap-stats.json" "$PID1" 'v["discarded_bytes"]')" \
		"$JOIN_RSS" "$JOIN_MAX" <<'PYEOF'
import json, sys, time, urllib.parse, urllib.request
addr, dom, dom2, run, disc, q_rss, q_max = sys.argv[1:]
disc = int(disc) if disc else None

def query(q):
    u = "http://%s/api/v1/query?%s" % (addr, urllib.parse.urlencode({"query": q}))
    with urllib.request.urlopen(u, timeout=5) as r:
        return {x["metric"].get("name"): float(x["value"][1]) for x in json.load(r)["data"]["result"]}

def dominfo(d, key):
    for l in open("%s/dominfo-%s.txt" % (run, d)):
        if l.startswith(key + ":"):
            return int(l.split()[-2]) * 1024

# both exporters scraped every 1 s; wait until both domains are joined
end, res = time.time() + 15, {}
while time.time() < end:
    try:
        res = {"rss": query(q_rss), "max": query(q_max)}
    except Exception as e:
        res = {"error": str(e)}
    if all(len(res.get(k, {})) == 2 for k in ("rss", "max")):
        break
    time.sleep(1)
with open("%s/joins.json" % run, "w") as f:
    json.dump(res, f, indent=1)
if "error" in res:
    print("not ok - libvirt: Prometheus did not answer the joins: %s" % res["error"])
    sys.exit(0)
names = sorted(res["rss"])
msg = "libvirt: the RSS join on (name) with libvirt_domain_info_memory_usage_bytes has one result per domain (%s)" % names
print(("ok - " if names == sorted([dom, dom2]) else "not ok - ") + msg)
rss = int(open("%s/rss-join.txt" % run).read().split()[0]) * 1024
want = rss / dominfo(dom, "Used memory")
got = res["rss"].get(dom)
ok = got is not None and abs(got - want) <= 0.02 * want
print(("ok - " if ok else "not ok - ") +
      "libvirt: %s: QEMU RSS / libvirt's memory in use %s, the test's VmRSS / virsh dominfo 'Used memory' %.4f (2 %%)" % (dom, got, want))
got = res["max"].get(dom)
want = disc / dominfo(dom, "Max memory") if disc is not None else None
ok = got is not None and want is not None and abs(got - want) <= 0.02 * want
print(("ok - " if ok else "not ok - ") +
      "libvirt: %s: discarded / libvirt's maximum memory %s, prtop host's JSON / virsh dominfo 'Max memory' %s (2 %%; names %s)" % (
          dom, got, want, sorted(res["max"])))
PYEOF
}

# host_quiet QUIET_S MAX_S: wait (up to MAX_S) until prtop host's JSON has
# shown the same discarded bytes for the test's domain for QUIET_S seconds
host_quiet() {
	python3 - "$hj" "$PID1" "$1" "$2" <<'PYEOF'
import json, sys, time
path, pid, quiet, most = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
end, last, since = time.time() + most, None, time.time()
while time.time() < end:
    cur = None
    for line in open(path, errors="replace"):
        try:
            v = [x for x in json.loads(line).get("vms", []) if x.get("pid") == pid]
        except ValueError:
            continue
        if v:
            cur = v[0].get("discarded_bytes")
    if cur != last:
        last, since = cur, time.time()
    elif time.time() - since >= quiet:
        break
    time.sleep(0.5)
PYEOF
}

D1="" D2="" RSS1="" RSS2=""
if step "PRTOP-VIRT held" 300 "touching $MIB MiB"; then
	sleep 2
	keep d1
	RSS1=$(rss_kib)
	if step "PRTOP-VIRT settled" 180 "freeing $MIB MiB"; then
		# the figures compared below are read together at a quiet moment:
		# the guest may still report a last block seconds after it
		# settled (one run: 40 MiB 8 s later, between virsh's reading
		# and the exporter's sample), so wait for 4 s without a discard
		# and read again if one came while reading
		tries=0
		while :; do
			host_quiet 4 30
			keep d2
			RSS2=$(rss_kib)
			for d in "$DOM" "$DOM2"; do
				date +%s.%N >"$run/dommemstat-$d.txt"
				virsh dommemstat "$d" >>"$run/dommemstat-$d.txt" 2>&1
			done
			curl -s -m 5 "http://$XADDR/metrics" >"$run/host.metrics"
			for d in "$DOM" "$DOM2"; do
				virsh dominfo "$d" >"$run/dominfo-$d.txt" 2>&1
			done
			rss_kib >"$run/rss-join.txt"
			sleep 1.2
			keep stats
			tries=$((tries + 1))
			[ "$(vm "$run/snap-d2.json" "$PID1" 'v["discarded_bytes"]')" = \
				"$(vm "$run/snap-stats.json" "$PID1" 'v["discarded_bytes"]')" ] && break
			[ $tries -ge 3 ] && break
		done
		joins
		D1=$(vm "$run/snap-d1.json" "$PID1" 'v["discarded_bytes"]')
		D2=$(vm "$run/snap-d2.json" "$PID1" 'v["discarded_bytes"]')
	fi
fi

# --- identity: libvirt's names for both domains -----------------------------
idcheck() {
	got=$(vm "$hj" "$1" 'json.dumps(v["identity"], sort_keys=True)')
	want="{\"manager\": \"libvirt\", \"name\": \"$2\", \"namespace\": null, \"pod_uid\": null, \"uuid\": \"$3\"}"
	if [ "$got" = "$want" ]; then
		ok "libvirt: $2 (pid $1) is named as virsh dominfo names it: $got"
	else
		not_ok "libvirt: $2 (pid $1): identity $got, want $want"
	fi
}
idcheck "$PID1" "$DOM" "$UUID1"
idcheck "$PID2" "$DOM2" "$UUID2"

# --- libvirt's statistics beside prtop's ------------------------------------
# mstats NAME PID: the JSON's manager_stats of the sample nearest the time
# `virsh dommemstat NAME` ran is what it printed: actual exactly, rss and
# usable within 2 % (the guest is quiet then, its balloon stats 2 s old at
# most), null where virsh printed none
mstats() {
	python3 - "$hj" "$2" "$run/dommemstat-$1.txt" "$1" <<'PYEOF'
import json, sys
path, pid, dm, name = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lines = open(dm).read().split("\n")
t, virsh = float(lines[0]), {}
for l in lines[1:]:
    if len(l.split()) == 2:
        virsh[l.split()[0]] = int(l.split()[1]) * 1024
best = None
for line in open(path, errors="replace"):
    try:
        d = json.loads(line)
    except ValueError:
        continue
    v = [x for x in d["vms"] if x["pid"] == pid]
    if v and (best is None or abs(d["time"] - t) < abs(best[0] - t)):
        best = (d["time"], v[0].get("manager_stats"))
ms = best[1] if best else None
bad = []
if not ms or ms.get("source") != "libvirt":
    bad.append("manager_stats %s" % (ms,))
else:
    for k, tol in (("actual", 0), ("rss", 0.02), ("usable", 0.02)):
        got, want = ms.get(k + "_bytes"), virsh.get(k)
        if want is None or got is None:
            if want != got:
                bad.append("%s %s, virsh %s" % (k, got, want))
        elif abs(got - want) > tol * want:
            bad.append("%s %d, virsh %d" % (k, got, want))
shown = ", ".join("%s %s" % (k, virsh.get(k)) for k in ("actual", "rss", "usable"))
msg = "libvirt: %s: manager_stats %.1f s from virsh dommemstat says what it says (%s)" % (
    name, abs(best[0] - t) if best else -1, shown)
print(("not ok - %s: %s" % (msg, "; ".join(bad))) if bad else ("ok - " + msg))
PYEOF
}
# xstats NAME UUID: the exporter's prtop_host_manager_memory_bytes of the
# domain (found by its name and uuid labels), scraped right after virsh
# dommemstat, is what virsh printed, the same way
xstats() {
	python3 - "$run/host.metrics" "$run/dommemstat-$1.txt" "$1" "$2" <<'PYEOF'
import re, sys
mf, dm, name, uuid = sys.argv[1:5]
virsh = {}
for l in open(dm).read().split("\n")[1:]:
    if len(l.split()) == 2:
        virsh[l.split()[0]] = int(l.split()[1]) * 1024
got = {}
for line in open(mf, errors="replace"):
    m = re.match(r'prtop_host_manager_memory_bytes\{([^}]*)\} (\S+)$', line.strip())
    if not m:
        continue
    lab = dict(re.findall(r'([a-z_]+)="([^"]*)"', m.group(1)))
    if lab.get("name") == name and lab.get("uuid") == uuid:
        got[lab.get("stat")] = float(m.group(2))
bad = []
for k, tol in (("actual", 0), ("rss", 0.02), ("usable", 0.02)):
    g, w = got.get(k), virsh.get(k)
    if g is None or w is None:
        if g != w:
            bad.append("%s %s, virsh %s" % (k, g, w))
    elif abs(g - w) > tol * w:
        bad.append("%s %d, virsh %d" % (k, g, w))
msg = "libvirt: %s: the exporter's prtop_host_manager_memory_bytes{name, uuid} is what virsh dommemstat says (%s)" % (
    name, ", ".join("%s %d" % kv for kv in sorted(got.items())))
print(("not ok - %s: %s" % (msg, "; ".join(bad))) if bad else ("ok - " + msg))
PYEOF
}
if [ -s "$run/dommemstat-$DOM.txt" ]; then
	mstats "$DOM" "$PID1"
	mstats "$DOM2" "$PID2"
	xstats "$DOM" "$UUID1"
	xstats "$DOM2" "$UUID2"
	grep -q "^usable " "$run/dommemstat-$DOM.txt" ||
		not_ok "libvirt: the running guest's balloon gave no usable figure: $(tr '\n' ' ' <"$run/dommemstat-$DOM.txt")"
else
	not_ok "libvirt: no virsh dommemstat taken"
fi

# --- discards vs the fall of QEMU's RSS --------------------------------------
echo "# discards D1=$D1 D2=$D2; QEMU VmRSS $RSS1 -> $RSS2 KiB"
if [ -z "$D1" ] || [ -z "$D2" ] || [ -z "$RSS1" ] || [ -z "$RSS2" ]; then
	not_ok "libvirt: missing figures: D1='$D1' D2='$D2' RSS '$RSS1' -> '$RSS2' ($(tail -n 2 "$run/host.err" | tr '\n' ' '))"
else
	disc=$((D2 - D1))
	fall=$(((RSS1 - RSS2) * 1024))
	p=$(pct "$disc" "$fall")
	if [ "$fall" -gt $((MIB * 1048576 / 2)) ] && within "$p" 5; then
		ok "libvirt: discarded $(mib $disc) MiB vs the RSS fall of libvirt's QEMU $(mib $fall) MiB: $p % apart (<= 5 %)"
	else
		not_ok "libvirt: discarded $(mib $disc) MiB vs the RSS fall of libvirt's QEMU $(mib $fall) MiB: $p % apart (want <= 5 %, a fall over $((MIB / 2)) MiB)"
	fi
fi

# --- everything stopped -------------------------------------------------------
lvpid=$LVPID
cleanup
left=""
for p in $lvpid $PID1 $PID2; do [ -d "/proc/$p" ] && left="$left $p"; done
check "libvirt: after the test no libvirtd, QEMU or prtop host of its is left ($left)" [ -z "$left" ]
