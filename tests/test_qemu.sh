#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Ground truth for prtop's reported bytes: what the host got back.
#
# Debian's 6.1 cloud kernel, then its 6.12 one (PRTOP_QEMU_SERIES_LIST,
# default "6.1 6.12"; checks of the 6.12 guest are named qemu-6.12[...]),
# boots under QEMU (TCG) with a virtio-balloon that does free page
# reporting.  The guest runs the static prtop and the
# memhog workload; the host reads the QEMU process's VmRSS.  When the guest
# reports a free page, QEMU discards its backing memory, so the RSS fall
# over a window is the memory handed back, and prtop's reported_bytes_total
# over the same window must match it.
#
# Both sides must count the same pages, hence this window:
#
#   boot ── initial pass ── settled ── touch ── attach ── held ┄3s┄ free ┄┄ window-end
#                                                          RSS₁             RSS₂
#                                             └──────── prtop stat -d W ─────────┘
#
#  - The initial pass after the balloon registers reports ~1.86 GiB of
#    never-touched guest memory: no RSS change on the host.  The guest
#    waits until a 3 s prtop window sees no batch (or, without prtop, until
#    30 s of uptime) before doing anything.
#  - memhog then writes MIB MiB and holds them (host RSS rises).
#  - prtop stat -d W starts; the guest waits until prtop's BPF links are
#    all attached (counted in /proc/PID/fdinfo), then prints "held".  The
#    host reads RSS₁: memory is held and nothing is being reported, so RSS
#    is stable; the guest leaves the host 3 s for it.
#  - memhog frees; page reporting returns the memory ~2 s later in
#    per-pass steps about 2 s apart (roughly 256 MiB each under TCG).  W is
#    long enough for all of it; prtop prints its JSON, the guest prints
#    "window-end" and the host reads RSS₂, again with 5 s of quiet.
#  - A second prtop (-j every 0.5 s) streams each sample's backlog object
#    to the guest's second serial port, a unix socket on the host where
#    tests/return_rss.py stamps each line on arrival beside QEMU's RSS
#    read every 0.1 s; "freed" and "end" lines mark the free and the
#    window's end.  tests/backlog_rss.py judges the backlog of samples
#    taken during the drain against the RSS still to fall then, and the
#    time to return against the time the RSS took to get there.
#  - Check: reported_bytes_total ≈ RSS₁ − RSS₂ within 5 %; the report probe
#    attached with a kprobe (fentry would hold the module); batches_total > 0; no batch above 32 entries
#    (PAGE_REPORTING_CAPACITY); batches_total = the histogram's batches;
#    per-order bytes add up to the total, their blocks to the batches'
#    entries, and lie at orders page_reporting_order..10 only; every
#    request->run delay percentile within 1.9..3 s of the kernel's 2 s; the
#    reuse phase's reused bytes between what taking most free memory must
#    reuse and what was reported, and its prtop ended by SIGTERM exits 0
#    with its JSON.  A second boot with free-page-reporting=off (the first
#    series only) and the same workload must show no batch and no RSS fall.
#
# Knobs: PRTOP_QEMU_MIB (1024), PRTOP_QEMU_WINDOW (25 s), PRTOP_QEMU_BOOTS
# ("on off" for the first series, "on" for the others; "on" alone skips the
# control boot, e.g. for a mutant).  Serial
# logs and the initramfs stay in $CACHE/qemu/run-SERIES/ (or under
# PRTOP_QEMU_RUN_DIR, for runs side by side) for a look after a failure.
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

MIB=${PRTOP_QEMU_MIB:-1024}
WINDOW=${PRTOP_QEMU_WINDOW:-25}
TOL_PCT=5
BL_STEP=0.5	# prtop's sample interval in the backlog stream
MEMHOG_STATIC=${MEMHOG_STATIC:-./build-static/tools/memhog}
GUEST=${PRTOP_QEMU_GUEST:-tests/qemu/guest_window.sh}	# for debugging the harness

require "$QEMU_BIN" cpio gzip python3 timeout setsid awk
[ -x /bin/busybox ] || { not_ok "qemu: /bin/busybox missing (sh tools/deps.sh test installs busybox-static)"; exit 0; }

rec=
trap 'qemu_stop; [ -z "$rec" ] || kill "$rec" 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP
t_start=$(qemu_now_ms)

if [ ! -x "$MEMHOG_STATIC" ]; then
	not_ok "qemu: $MEMHOG_STATIC missing (run: make STATIC=1)"
	exit 0
fi
have_prtop=0
if [ -x "$PRTOP_STATIC" ]; then
	have_prtop=1
else
	not_ok "qemu: $PRTOP_STATIC missing (run: make STATIC=1); measuring host RSS only"
fi

# run_series 6.1|6.12: both boots on Debian's cloud kernel of that series
run_series() {
series=$1
Q=qemu
[ "$series" = 6.1 ] || Q=qemu-$series
run=${PRTOP_QEMU_RUN_DIR:-$CACHE/qemu}/run-$series
mkdir -p "$run"
if ! kv=$(PRTOP_QEMU_SERIES=$series sh tests/qemu/kernel.sh 2>"$run/kernel.err"); then
	not_ok "$Q: no Debian $series cloud kernel: $(tail -n 3 "$run/kernel.err" | tr '\n' ' ')"
	return
fi
eval "$kv"
echo "# $Q guest kernel $QEMU_KVER"

{
	echo "MIB=$MIB"
	echo "WINDOW=$WINDOW"
	echo "BACKLOG_STREAM=$BL_STEP"
	cat "$GUEST"
} >"$run/guest.sh"
extra="-f $MEMHOG_STATIC -f tests/qemu/guest_lib.sh:/lib/guest_lib.sh"
[ $have_prtop = 1 ] && extra="$extra -f $PRTOP_STATIC:/bin/prtop"
# shellcheck disable=SC2086
if ! sh tests/qemu/mkinitramfs.sh -o "$run/initramfs.gz" -m "$QEMU_MODDIR" \
	-s "$run/guest.sh" $extra 2>"$run/mkinitramfs.err"; then
	not_ok "$Q: initramfs: $(tail -n 3 "$run/mkinitramfs.err" | tr '\n' ' ')"
	return
fi

# parse_window FILE: prtop's window JSON (qemu_blocks) -> J_* variables
parse_window() {
	python3 - "$1" <<'EOF'
import json, re, sys

try:
    d = json.load(open(sys.argv[1]))
    h = d["batch_nents_hist"]
    # keys are entry counts; the overflow slot is "64+"
    pairs = [(int(k.rstrip("+")), int(c)) for k, c in h.items()]
except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
    print("J_ERR='no usable window JSON: %s'" % re.sub(r"[^ -~]", "?", str(e)).replace("'", ""))
    sys.exit(0)
rd = d.get("request_delay_ns") or {}
out = {
    "J_BYTES": d.get("reported_bytes_total", ""),
    "J_PAGES": d.get("reported_pages_total", ""),
    "J_BATCHES": d.get("batches_total", ""),
    "J_RUNS": d.get("worker_runs_total", ""),
    "J_ATTACH_REPORT": re.sub(r"[^A-Za-z0-9_:.-]", "", str(d.get("attach", {}).get("report", ""))),
    "J_HIST_SUM": sum(c for n, c in pairs),
    "J_MAX_NENTS": max([n for n, c in pairs if c > 0] or [0]),
    "J_OVER32": sum(c for n, c in pairs if n > 32),
    "J_DELAY_P50": rd.get("p50", ""),
    "J_DELAY_P99": rd.get("p99", ""),
    "J_ERR": "",
}
# per order: bytes, and the scatterlist entries they make (one block each)
po = [(o["order"], o.get("reported_bytes"), o.get("reported_pages")) for o in d.get("per_order") or []]
out["J_PO"] = " ".join("%d:%d" % (o, b) for o, b, p in po if b)
out["J_PO_SUM"] = sum(b or 0 for o, b, p in po)
out["J_PO_NULL"] = sum(1 for o, b, p in po if b is None or p is None)
out["J_PO_ENTRIES"] = sum((p or 0) >> o for o, b, p in po)
out["J_PO_ODD"] = sum(1 for o, b, p in po if p and p % (1 << o))
out["J_ENTRIES"] = sum(n * c for n, c in pairs)
out["J_DELAY"] = " ".join(str(rd.get(k)) for k in ("count", "min", "p50", "p90", "p99", "max"))
ph = d.get("startup_phases_ms") or {}
out["J_STARTUP"] = "%s ms (%s), kernel types from %s" % (
    d.get("startup_ms"), ", ".join("%s %s" % (k, ph[k]) for k in ph), d.get("startup_core_btf"))
for k, v in out.items():
    print("%s='%s'" % (k, str(v).replace("'", "")))
EOF
}

# boot_window on|off HARD_TIMEOUT: one boot; sets RSS1/RSS2/RSS3 (KiB),
# BOOT_S, and (J_OK=1) the J_* values of prtop's window.  Prints "not ok"
# and returns 1 when a step failed before both RSS readings were taken.
boot_window() {
	fpr=$1 hard=$2
	log=$run/serial-$fpr.log
	RSS1="" RSS2="" RSS3="" J_ERR="not parsed" J_OK=0
	t0=$(qemu_now_ms)
	# the "on" boot's second serial port: the guest streams prtop's
	# backlog there, stamped on arrival beside QEMU's RSS (backlog_rss.py)
	QEMU_EXTRA=
	rm -f "$run/mark.sock" "$run/host-$fpr.log"
	if [ "$fpr" = on ] && [ $have_prtop = 1 ]; then
		QEMU_EXTRA="-chardev socket,id=mark,path=$run/mark.sock,server=on,wait=off -serial chardev:mark"
	fi
	if ! qemu_start "$log" "$run/initramfs.gz" "$fpr" "$2" 2>"$run/qemu-$fpr.err"; then
		not_ok "${Q}[$fpr]: QEMU did not start: $(tr '\n' ' ' <"$run/qemu-$fpr.err")"
		return 1
	fi
	if [ -n "$QEMU_EXTRA" ]; then
		python3 tests/return_rss.py record "$run/mark.sock" "$QEMU_PID" "$run/host-$fpr.log" 0.1 &
		rec=$!
	fi
	# step MARKER TIMEOUT WHAT: wait, or say why not
	step() {
		qemu_wait_marker "$log" "$1" "$2"
		case $? in
		0) return 0 ;;
		1) why="not within $2 s" ;;
		*)
			if [ $(($(qemu_now_ms) - t0)) -ge $((hard * 1000)) ]; then
				why="QEMU was killed at the hard timeout of $hard s"
			else
				why="QEMU exited first"
				qmsg=$(tr '\n' ' ' <"$log.qemu")
				[ -n "$qmsg" ] && why="$why (QEMU said: $qmsg)"
			fi
			;;
		esac
		not_ok "${Q}[$fpr]: $3: guest never printed '$1', $why; last lines of serial log: $(qemu_log_tail "$log")"
		qemu_stop
		return 1
	}
	step "PRTOP-INIT ready" 60 "boot" || return 1
	BOOT_S=$(awk -v a="$t0" -v b="$(qemu_now_ms)" 'BEGIN { printf "%.1f", (b - a) / 1000 }')
	ok "${Q}[$fpr]: guest booted in $BOOT_S s"
	if grep -q "PRTOP-INIT insmod\|PRTOP-INIT no virtio_balloon" "$log"; then
		not_ok "${Q}[$fpr]: module loading: $(tr -d '\r' <"$log" | grep 'PRTOP-INIT insmod\|PRTOP-INIT no' | tr '\n' ' ')"
	fi
	step "PRTOP-QEMU settled" 240 "settling" || return 1
	echo "# [$fpr] $(qemu_marker_line "$log" "PRTOP-QEMU settled")"
	step "PRTOP-QEMU held" 180 "memhog touching $MIB MiB / prtop attaching" || return 1
	RSS1=$(qemu_rss_kib)
	step "PRTOP-QEMU window-end" $((WINDOW + 45)) "measurement window" || return 1
	RSS2=$(qemu_rss_kib)
	sleep 3
	RSS3=$(qemu_rss_kib)
	if [ -z "$RSS1" ] || [ -z "$RSS2" ]; then
		not_ok "${Q}[$fpr]: could not read VmRSS of QEMU (pid $QEMU_PID)"
		qemu_stop
		return 1
	fi
	qemu_wait_marker "$log" "PRTOP-QEMU done" 240
	if ! qemu_wait_exit 20; then
		echo "# [$fpr] guest did not reboot by itself; killing QEMU"
	fi
	qemu_stop
	[ -z "$rec" ] || wait "$rec"
	rec=
	echo "# [$fpr] boot took $(((($(qemu_now_ms) - t0) + 500) / 1000)) s in all"
	for m in "PRTOP-QEMU touched" "PRTOP-QEMU prtop-attached" "PRTOP-QEMU held" \
		"PRTOP-QEMU freed" "PRTOP-QEMU prtop-exit" "PRTOP-QEMU window-end"; do
		l=$(qemu_marker_line "$log" "$m")
		[ -n "$l" ] && echo "# [$fpr] $l"
	done
	PRTOP_RC=$(qemu_marker_line "$log" "PRTOP-QEMU prtop-exit" | sed -n 's/.*rc=\([0-9]*\).*/\1/p')
	if [ $have_prtop = 1 ]; then
		rm -rf "$run/blocks-$fpr"
		qemu_blocks "$log" "$run/blocks-$fpr"
		eval "$(parse_window "$run/blocks-$fpr/window.json")"
		if [ -n "$J_ERR" ]; then
			not_ok "${Q}[$fpr]: prtop window JSON: $J_ERR; prtop stderr: $(tail -n 5 "$run/blocks-$fpr/window.err" 2>/dev/null | tr '\n' ' ')"
		else
			J_OK=1
			ok "${Q}[$fpr]: prtop stat --json ran in the guest and printed JSON"
			echo "# ${Q}[$fpr]: collector_open -> attached in the guest: $J_STARTUP"
		fi
	fi
	return 0
}

# parse_reuse FILE: prtop's reuse-phase JSON (qemu_blocks) -> R_* variables
parse_reuse() {
	python3 - "$1" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
    r = d["reuse"]
    po = d["per_order"]
    print("R_ERR=''")
    print("R_BYTES=%d R_RANGES=%d R_TRACKED=%d R_UNREP=%d R_AGE_N=%d R_AGE_P50=%d" % (
        r["bytes"], r["ranges"], r["tracked_ranges"], r["unreported_ranges"],
        r["age_ns"]["count"], r["age_ns"]["p50"]))
    print("R_WINDOW_MS=%d R_REPORTED=%d R_PO_REUSED=%d" % (
        d["window_s"] * 1000, d["reported_bytes_total"],
        sum(o["reused_bytes"] for o in po)))
except (OSError, ValueError, KeyError, TypeError) as e:
    print("R_ERR='no usable reuse JSON in the serial log: %s'" % str(e).replace("'", ""))
EOF
}

# mib KIB: KiB -> MiB with one decimal
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# --- boot 1: free page reporting on ---------------------------------------
# hard limits: a normal run takes ~70 s (on) and ~55 s (off); a loaded
# 2-core host (load 17, other TCG guests) has needed over 200 s for each
# boot with its reuse phase, and over 90 s to touch 1 GiB
# the control boot tests QEMU and prtop's attach with reporting off, which
# the guest kernel's version does not change: the first series only
first=${PRTOP_QEMU_SERIES_LIST:-6.1 6.12}
first=${first%% *}
if [ "$series" = "$first" ]; then
	BOOTS=${PRTOP_QEMU_BOOTS:-on off}
else
	BOOTS=${PRTOP_QEMU_BOOTS:-on}
fi
J_OK=0
if echo " $BOOTS " | grep -q ' on ' && boot_window on 480; then
	fall=$((RSS1 - RSS2))
	echo "# [on] RSS held $(mib "$RSS1") MiB, after window $(mib "$RSS2") MiB, fall $(mib $fall) MiB; 3 s later $(mib "$RSS3") MiB"
	late=$((RSS2 - RSS3))
	# ground truth sanity: the host got most of the freed memory back
	if [ $fall -ge $((MIB * 1024 * 80 / 100)) ]; then
		ok "${Q}[on]: host RSS fell by $(mib $fall) MiB after the guest freed $MIB MiB"
	else
		not_ok "${Q}[on]: host RSS fell only $(mib $fall) MiB (held $(mib "$RSS1"), after $(mib "$RSS2")) after the guest freed $MIB MiB"
	fi
	if [ $J_OK = 1 ]; then
		echo "# [on] prtop: reported_bytes_total=$J_BYTES ($(mib $((${J_BYTES:-0} / 1024))) MiB) pages=$J_PAGES batches=$J_BATCHES worker_runs=$J_RUNS attach.report=$J_ATTACH_REPORT max_nents=$J_MAX_NENTS request_delay p50=$J_DELAY_P50 p99=$J_DELAY_P99 ns"
		if [ -n "$J_BYTES" ] && [ $fall -gt 0 ]; then
			fall_b=$((fall * 1024))
			ratio=$(awk -v r="$J_BYTES" -v f="$fall_b" 'BEGIN { printf "%.4f", r / f }')
			echo "# [on] reported/fall ratio $ratio (tolerance ${TOL_PCT} %)"
			if awk -v r="$J_BYTES" -v f="$fall_b" -v t="$TOL_PCT" \
				'BEGIN { d = r - f; if (d < 0) d = -d; exit !(d * 100 <= t * f) }'; then
				ok "${Q}[on]: prtop reported bytes match the host RSS fall within $TOL_PCT % (ratio $ratio)"
			else
				hint=""
				[ $late -gt $((8 * 1024)) ] && hint=" (RSS fell another $(mib $late) MiB after the window: W=$WINDOW s too short?)"
				not_ok "${Q}[on]: prtop reported $(mib $((J_BYTES / 1024))) MiB but host RSS fell $(mib $fall) MiB: ratio $ratio, outside $TOL_PCT %$hint"
			fi
		else
			not_ok "${Q}[on]: cannot compare: reported_bytes_total='$J_BYTES', RSS fall $(mib $fall) MiB"
		fi
		# report() is in the virtio_balloon module and Debian's kernels have
		# kprobes: a kprobe, because an fentry would hold the module
		if [ "$J_ATTACH_REPORT" = kprobe ]; then
			ok "${Q}[on]: report probe attached with a kprobe (lets virtio_balloon unload)"
		else
			not_ok "${Q}[on]: attach.report is '$J_ATTACH_REPORT', expected kprobe in the $series guest"
		fi
		if [ -n "$J_BATCHES" ] && [ "$J_BATCHES" -gt 0 ]; then
			ok "${Q}[on]: batches_total $J_BATCHES > 0"
		else
			not_ok "${Q}[on]: batches_total is '$J_BATCHES', expected > 0"
		fi
		check "${Q}[on]: prtop stat exited 0 at the end of its window (rc '$PRTOP_RC')" test "$PRTOP_RC" = 0
		check "${Q}[on]: batches_total equals the batches in batch_nents_hist ($J_BATCHES, histogram $J_HIST_SUM)" \
			test "$J_BATCHES" = "$J_HIST_SUM"
		check "${Q}[on]: reported_bytes_total is reported_pages_total pages of 4 KiB ($J_BYTES, $J_PAGES pages)" \
			test "$J_BYTES" = "$((J_PAGES * 4096))"
		# per order: the sum is the total; every entry of a batch is one
		# free block, so the blocks per order add up to the batch entries
		# the report() probe saw; reporting hands out blocks of
		# page_reporting_order (the guest's own sysfs) up to order 10 (MAX_ORDER
		# of these x86 kernels) only, whole blocks
		pro=$(qemu_marker_line "$log" "PRTOP-QEMU page_reporting_order" | sed -n 's/.*page_reporting_order \([0-9]*\).*/\1/p')
		echo "# [on] per-order reported bytes: $J_PO (page_reporting_order ${pro:-?}); entries: $J_PO_ENTRIES blocks, $J_ENTRIES in the batches"
		check "${Q}[on]: per-order reported bytes add up to reported_bytes_total ($J_PO_SUM, total $J_BYTES, $J_PO_NULL null)" \
			test "$J_PO_SUM" = "$J_BYTES" -a "$J_PO_NULL" = 0
		check "${Q}[on]: per-order blocks add up to the entries of the batches report() saw ($J_PO_ENTRIES, batches $J_ENTRIES; $J_PO_ODD orders with a partial block)" \
			test "$J_PO_ENTRIES" = "$J_ENTRIES" -a "$J_PO_ODD" = 0
		po_out=$(echo "$J_PO" | tr ' ' '\n' | awk -F: -v lo="${pro:-9}" '$1 < lo || $1 > 10 { printf " %s", $0 }')
		check "${Q}[on]: bytes reported only at orders ${pro:-9}..10, as the kernel reports whole free blocks (${J_PO:-none}${po_out:+; outside:$po_out})" \
			test -n "$pro" -a -n "$J_PO" -a -z "$po_out"
		# request -> run: the stock kernel's delayed work is 2 s; under
		# TCG the worker may start late, never early
		set -- $J_DELAY
		check "${Q}[on]: request->run delay count, min, p50, p90, p99, max all within 1.9..3.0 s of the kernel's 2 s ($J_DELAY ns)" \
			python3 -c '
import sys
c, *v = sys.argv[1:]
assert int(c) >= 1 and all(1.9e9 <= float(x) <= 3.0e9 for x in v), v
assert v == sorted(v, key=float), v
' "$@"
		if [ "$J_OVER32" -eq 0 ] && [ "$J_HIST_SUM" -gt 0 ]; then
			ok "${Q}[on]: every batch has <= 32 entries (largest $J_MAX_NENTS, $J_HIST_SUM batches in the histogram)"
		else
			not_ok "${Q}[on]: batch_nents_hist: $J_OVER32 batches above 32 entries (largest $J_MAX_NENTS), $J_HIST_SUM in all"
		fi
	fi
fi

# backlog and time to return during the drain against the RSS still to
# fall (tests/backlog_rss.py): the guest streamed prtop's samples to the
# second serial port, the recorder stamped them beside QEMU's RSS
if [ "${J_OK:-0}" = 1 ] && [ -n "${log:-}" ]; then
	l=$(qemu_marker_line "$log" "PRTOP-QEMU stream-exit")
	[ -n "$l" ] && echo "# [on] $l"
	if [ -s "$run/host-on.log" ]; then
		python3 tests/backlog_rss.py judge "$run/host-on.log" "${Q}[on]"
	else
		not_ok "${Q}[on]: no backlog stream recorded ($run/host-on.log; $(qemu_marker_line "$log" "PRTOP-QEMU stream-attached"))"
	fi
fi

# the text outputs in the guest (batch frame, doctor, knob) fit 80 columns
if [ "${J_OK:-0}" = 1 ] && [ -n "${log:-}" ]; then
	check "${Q}[on]: the guest's text outputs fit 80 columns ($(cd "$run/blocks-on" 2>/dev/null && ls text-*.json 2>/dev/null | tr '\n' ' '))" \
		python3 -c '
import sys
w = {}
for f in sys.argv[1:]:
    lines = open(f, encoding="utf-8", errors="replace").read().split("\n")
    w[f] = max(len(l) for l in lines)
assert len(w) == 3 and max(w.values()) <= 80, w
' "$run/blocks-on/text-batch.json" "$run/blocks-on/text-doctor.json" "$run/blocks-on/text-knob.json"
fi

# reuse phase of boot 1: ranges seen reported, then handed out again
if [ "${J_OK:-0}" = 1 ] && [ -n "${log:-}" ]; then
	eval "$(parse_reuse "$run/blocks-on/reuse.json")"
	if [ -n "$R_ERR" ]; then
		not_ok "${Q}[on]: reuse phase: $R_ERR"
	else
		echo "# [on] reuse: $R_BYTES bytes in $R_RANGES ranges reused, age p50 $R_AGE_P50 ns over $R_AGE_N, $R_UNREP merged, $R_TRACKED still tracked"
		check "${Q}[on]: reuse of reported memory seen ($(mib $((R_BYTES / 1024))) MiB in $R_RANGES ranges)" \
			test "$R_BYTES" -gt 0 -a "$R_RANGES" -gt 0
		rexit=$(qemu_marker_line "$log" "PRTOP-QEMU reuse-prtop-exit" | sed -n 's/.*rc=\([0-9]*\).*/\1/p')
		check "${Q}[on]: SIGTERM ends the reuse window (24 s or once memory is taken): rc 0 and its JSON (rc '$rexit', window ${R_WINDOW_MS} ms)" \
			test "$rexit" = 0 -a "$R_WINDOW_MS" -ge 23000 -a "$R_WINDOW_MS" -le 90000
		# reused: only ranges prtop saw reported in this window, no more
		# than the guest took; and at least what taking TAKE MiB out of
		# MemFree MiB must take from those ranges, as MemFree - reported is
		# all there is besides them (less 64 MiB: per-cpu lists, the
		# kernel's own allocations meanwhile)
		ml=$(qemu_marker_line "$log" "PRTOP-QEMU reuse-memfree")
		memfree=$(echo "$ml" | sed -n 's/.*reuse-memfree \([0-9]*\) take.*/\1/p')
		take=$(echo "$ml" | sed -n 's/.* take \([0-9]*\).*/\1/p')
		r_lo=$(( (${take:-0} - ${memfree:-0} - 64) * 1048576 + R_REPORTED ))
		[ $r_lo -ge 4096 ] || r_lo=4096
		r_hi=$R_REPORTED
		[ $r_hi -le $((${take:-0} << 20)) ] || r_hi=$((${take:-0} << 20))
		# the bound holds once every page is taken (under a loaded host
		# TCG may not get there within the window)
		if ! qemu_marker_line "$log" "PRTOP-QEMU reuse-touched" | grep -q "MEMHOG touched"; then
			echo "# [on] the guest had not taken all $take MiB when the window ended: reuse lower bound not judged"
			r_lo=4096
		fi
		check "${Q}[on]: reused $(mib $((R_BYTES / 1024))) MiB: at least $(mib $((r_lo / 1024))) MiB (took ${take:-?} of ${memfree:-?} MiB free, $(mib $((R_REPORTED / 1024))) MiB seen reported), at most $(mib $((r_hi / 1024))) MiB" \
			test -n "$take" -a "$R_BYTES" -ge "$r_lo" -a "$R_BYTES" -le "$r_hi"
		check "${Q}[on]: per-order reused bytes add up to the reused total ($R_PO_REUSED, total $R_BYTES)" \
			test "$R_PO_REUSED" = "$R_BYTES"
		# a range may be reported in a late pass just before it is taken
		# again, so the age has no useful lower bound beyond being > 0
		check "${Q}[on]: reuse age recorded (p50 $R_AGE_P50 ns, within the ${R_WINDOW_MS} ms window)" \
			test "$R_AGE_N" -gt 0 -a "$R_AGE_P50" -gt 0 -a "$R_AGE_P50" -le $((R_WINDOW_MS * 1000000))
	fi
fi

# --- boot 2: free page reporting off (control) ----------------------------
if echo " $BOOTS " | grep -q ' off ' && boot_window off 420; then
	fall=$((RSS1 - RSS2))
	echo "# [off] RSS held $(mib "$RSS1") MiB, after window $(mib "$RSS2") MiB, fall $(mib $fall) MiB"
	if [ $fall -lt $((MIB * 1024 * TOL_PCT / 100)) ]; then
		ok "${Q}[off]: host RSS did not fall without free page reporting ($(mib $fall) MiB)"
	else
		not_ok "${Q}[off]: host RSS fell $(mib $fall) MiB although free page reporting is off"
	fi
	if [ $J_OK = 1 ]; then
		echo "# [off] prtop: reported_bytes_total=$J_BYTES batches=$J_BATCHES attach.report=$J_ATTACH_REPORT rc=$PRTOP_RC"
		# zero batches mean something only from a prtop that watched report()
		check "${Q}[off]: prtop exited 0 (rc '$PRTOP_RC')" test "$PRTOP_RC" = 0
		case "$J_ATTACH_REPORT" in
		fentry | kprobe | patch_tracepoint) ok "${Q}[off]: the report probe was attached ($J_ATTACH_REPORT)" ;;
		*) not_ok "${Q}[off]: the report probe was not attached: '$J_ATTACH_REPORT'" ;;
		esac
		if [ "$J_BATCHES" = 0 ]; then
			ok "${Q}[off]: batches_total is 0 with free-page-reporting=off"
		else
			not_ok "${Q}[off]: batches_total is '$J_BATCHES' with free-page-reporting=off, expected 0"
		fi
	fi
fi
}

for series in ${PRTOP_QEMU_SERIES_LIST:-6.1 6.12}; do
	run_series "$series"
done
echo "# qemu test took $((($(qemu_now_ms) - t_start + 500) / 1000)) s; serial logs in $run"
exit 0
