#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# prtop on this machine: the real kernel, whatever attach path it allows.
# Here (6.18, fentry refused, no kprobes) only the stock tracepoints work:
# free >= 1 GiB of high-order memory and check that worker runs, their
# durations and the request -> run delay are observed; check doctor's
# verdicts, the error paths, and that no BPF program outlives prtop.
. tests/lib.sh
require python3 bpftool
mount_kernel_fs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM



# programs of other prtop instances (if any) are not ours to count
base=$(prog_count)

# --- doctor: layers and probes as this kernel allows them ---
"$PRTOP" doctor >"$tmp/doctor" 2>&1
check "doctor exits 0" test $? -eq 0
sed 's/^/# /' "$tmp/doctor"
if grep -q 'kprobe/kretprobe *no' "$tmp/doctor" && [ ! -e /sys/bus/event_source/devices/kprobe ]; then
	ok "doctor says kprobes are not built in"
else
	not_ok "doctor does not report missing kprobes as such"
fi
if grep -qE '^fentry/fexit +no +refused by the kernel at load \(EPERM' "$tmp/doctor"; then
	ok "doctor says fentry is refused (EPERM)"
else
	not_ok "doctor does not say fentry is refused: $(grep fentry/fexit "$tmp/doctor")"
fi
check "doctor: worker via stock tracepoints" grep -qE '^worker +tracepoint +tracepoint:workqueue_execute' "$tmp/doctor"
check "doctor: report() unavailable with a reason" grep -qE '^report +none +fentry: .*no stock tracepoint' "$tmp/doctor"
check "doctor: drain names the compiler clone" grep -q 'page_reporting_drain.isra' "$tmp/doctor"

# --- the reporting worker, observed while 1200 MiB of memory is freed ---
# twice: a run already queued before prtop attached (memory freed by an
# earlier test) has no request prtop saw; the second free gives a fresh one
"$PRTOP" stat --json -d 20 >"$tmp/stat.json" 2>"$tmp/stat.err" &
spid=$!
sleep 1.5
"$TOOLS/memhog" -m 1200 -H 1 >/dev/null 2>&1
sleep 6
"$TOOLS/memhog" -m 1200 -H 1 >/dev/null 2>&1
wait $spid
check "stat --json exits 0" test $? -eq 0
if ! python3 -m json.tool "$tmp/stat.json" >/dev/null 2>&1; then
	not_ok "stat --json output is not JSON: $(head -c 300 "$tmp/stat.json") $(cat "$tmp/stat.err")"
	exit 0
fi
ok "stat --json output is valid JSON"
runs=$(json_get "$tmp/stat.json" 'd["worker_runs_total"]')
rn=$(json_get "$tmp/stat.json" 'd["worker_run_ns"]["count"]')
rp50=$(json_get "$tmp/stat.json" 'd["worker_run_ns"]["p50"]')
dn=$(json_get "$tmp/stat.json" 'd["request_delay_ns"]["count"]')
dp50=$(json_get "$tmp/stat.json" 'd["request_delay_ns"]["p50"]')
echo "# worker runs $runs, run time p50 ${rp50} ns over $rn, request->run delay p50 ${dp50} ns over $dn"
echo "# startup $(json_get "$tmp/stat.json" 'd["startup_ms"]') ms; device $(json_get "$tmp/stat.json" 'd["device"]')"
check "worker runs observed ($runs)" test "$runs" -ge 1
check "worker run durations observed ($rn, p50 $rp50 ns)" test "$rn" -ge 1 -a "$rp50" -gt 0
check "request->run delays observed ($dn)" test "$dn" -ge 1
check "request->run delay p50 between 0.1 s and 10 s ($dp50 ns)" \
	test "$dp50" -ge 100000000 -a "$dp50" -le 10000000000
check "device resolved from the worker's page_reporting_dev_info" \
	test "$(json_get "$tmp/stat.json" 'd["device"]')" != None
check "JSON has every documented key" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
keys = "kernel device attach reported_bytes_total reported_pages_total batches_total batch_nents_hist report_errors_total worker_runs_total worker_run_ns request_delay_ns reuse_bytes_total per_order params drops knobs".split()
missing = [k for k in keys if k not in d]
assert not missing, missing
assert d["attach"]["worker"] == "tracepoint", d["attach"]
assert d["attach"]["report"].startswith("unavailable: "), d["attach"]["report"]
assert "page_reporting_order" in d["params"]
assert any(o["order"] == 9 for o in d["per_order"])
' "$tmp/stat.json"
check "no BPF program left after stat" programs_gone "$base"

# --- signals: SIGTERM ends a long window at once, links released ---
"$PRTOP" stat --json -d 60 >/dev/null 2>&1 &
spid=$!
sleep 1.5
during=$(prog_count)
kill -TERM $spid
i=0
while kill -0 $spid 2>/dev/null && [ $i -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $spid 2>/dev/null; then
	kill -KILL $spid
	not_ok "stat did not exit within 3 s of SIGTERM"
else
	ok "stat exits within 3 s of SIGTERM"
fi
check "programs were attached during the run ($during)" test "$during" -ge $((base + 2))
check "no BPF program left after SIGTERM" programs_gone "$base"

expect_fail "bad interval rejected" 2 "invalid interval 'abc'" "$PRTOP" -b -d abc
expect_fail "zero interval rejected" 2 "invalid interval" "$PRTOP" stat -d 0
expect_fail "unknown command rejected" 2 "unknown command 'frob'" "$PRTOP" frob
expect_fail "unknown option rejected" 2 "invalid option .--frob." "$PRTOP" stat --frob
expect_fail "exclusive reuse options rejected" 2 "exclude each other" "$PRTOP" stat --reuse-exact --no-reuse
expect_fail "live view without a terminal asks for -b" 2 "not a terminal" "$PRTOP"
if command -v setpriv >/dev/null 2>&1; then
	expect_fail "not root: one clear line" 1 "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups "$PRTOP" stat
fi
for c in stat doctor; do
	"$PRTOP" $c --help >"$tmp/h" 2>&1
	check "$c --help" grep -q "Usage: prtop $c" "$tmp/h"
done
"$PRTOP" --help >"$tmp/h" 2>&1
check "prtop --help lists the commands" grep -q '^  doctor' "$tmp/h"
