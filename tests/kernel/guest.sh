# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the patched test kernel (tests/test_kernel.sh), under busybox
# sh, as /guest.sh.  Checks the page_reporting tracepoints, sysctls and
# debugfs files with tracefs and sysctl only.  Every result is one line on
# the serial console:
#   KTEST ok NAME [detail]
#   KTEST notok NAME: why
#   KTEST val NAME VALUE      a measurement, reported as a "# " line
# and the script ends with "KTEST done".

T=/sys/kernel/tracing
EV=$T/events/page_reporting
D=/sys/kernel/debug/page_reporting
V=/proc/sys/vm
MIB=${KTEST_MIB:-512}

ok() { echo "KTEST ok $*"; }
notok() { echo "KTEST notok $*"; }
val() { echo "KTEST val $1 $2"; }
uptime_s() { cut -d. -f1 /proc/uptime; }

# settle SECS: wait until no report() call happened for 3 s; 1 on timeout
settle() {
	_end=$(($(uptime_s) + $1))
	_last=$(cat $D/batches)
	_quiet=0
	while [ "$(uptime_s)" -lt $_end ]; do
		sleep 1
		_now=$(cat $D/batches)
		if [ "$_now" = "$_last" ]; then
			_quiet=$((_quiet + 1))
			[ $_quiet -ge 3 ] && return 0
		else
			_quiet=0
			_last=$_now
		fi
	done
	return 1
}

# field EVENT KEY FILE: the values of KEY in every EVENT line of FILE
field() {
	awk -v ev="page_reporting_$1:" -v key="$2" '
		{ for (i = 1; i <= NF; i++) if ($i == ev) break
		  if (i > NF) next
		  for (j = i + 1; j <= NF; j++)
			if (index($j, key "=") == 1) print substr($j, length(key) + 2) }' "$3"
}

count() { awk -v ev="page_reporting_$1:" '{ for (i = 1; i <= NF; i++) if ($i == ev) { n++; break } } END { print n + 0 }' "$2"; }

cs=/sys/devices/system/clocksource/clocksource0
val clocksource "$(cat $cs/current_clocksource) (available: $(cat $cs/available_clocksource))"

# --- 1. the events and their fields -------------------------------------
# the fields each event's format must have
want_fields() {
	case $1 in
	request) echo "old_state new_state queued delay_ms" ;;
	work_start) echo "capacity order delay_ms" ;;
	work_end) echo "zones batches pages duration_ns err requeued delay_ms" ;;
	report) echo "nid zone order order_mask migratetype mt_mask nents bytes err duration_ns" ;;
	cycle) echo "nid zone order migratetype budget isolated reports exhausted" ;;
	boundary_reset) echo "nid zone order migratetype reason rotated" ;;
	reported_page_alloc) echo "pfn order" ;;
	esac
}
for e in request work_start work_end report cycle boundary_reset reported_page_alloc; do
	fmt=$EV/page_reporting_$e/format
	if [ ! -r "$fmt" ]; then
		notok "event-$e: $fmt does not exist"
		continue
	fi
	want=$(want_fields $e)
	missing=""
	for f in $want; do
		grep -q "field:[^;]*[ *]$f;" "$fmt" || missing="$missing $f"
	done
	if [ -z "$missing" ]; then ok "event-$e fields: $want"; else notok "event-$e: format lacks$missing"; fi
done

# --- 2. the knobs: defaults, mirrors, rejected writes ---------------------
for k in capacity delay_ms order; do
	[ -r $V/page_reporting_$k ] || notok "sysctl-$k: $V/page_reporting_$k does not exist"
done
for f in capacity capacity_max delay_ms order batches pages_reported errors reported_pages_reused; do
	[ -r $D/$f ] || notok "debugfs-$f: $D/$f does not exist"
done
cap_max=$(cat $D/capacity_max 2>/dev/null)
[ -n "$cap_max" ] || cap_max=32
val capacity_max "$cap_max"
defaults="$(cat $V/page_reporting_capacity) $(cat $V/page_reporting_delay_ms) $(cat $V/page_reporting_order)"
if [ "$defaults" = "32 2000 9" ]; then
	ok "defaults capacity=32 delay_ms=2000 order=9"
else
	notok "defaults: capacity delay_ms order are $defaults, expected 32 2000 9"
fi

# reject FILE VALUE: the write must fail with EINVAL and change nothing
reject() {
	_before=$(cat "$1")
	_err=$( (echo "$2" >"$1") 2>&1)
	_rc=$?
	_after=$(cat "$1")
	if [ $_rc -eq 0 ]; then
		notok "reject $1 '$2': the write succeeded (value now $_after)"
	elif ! echo "$_err" | grep -q 'Invalid argument'; then
		notok "reject $1 '$2': failed, but not with EINVAL: $_err"
	elif [ "$_before" != "$_after" ]; then
		notok "reject $1 '$2': value changed from $_before to $_after"
	else
		rejected=$((rejected + 1))
		return 0
	fi
	return 1
}
rejected=0 failed=0
huge=99999999999999999999
for v in $((cap_max + 1)) 0 -1 abc $huge 2147483648 4294967297; do
	reject $V/page_reporting_capacity "$v" || failed=$((failed + 1))
done
for v in -1 abc 60001 $huge 2147483648; do
	reject $V/page_reporting_delay_ms "$v" || failed=$((failed + 1))
done
for v in -1 11 abc $huge 4294967296; do
	reject $V/page_reporting_order "$v" || failed=$((failed + 1))
done
for v in $((cap_max + 1)) 0 -1 abc; do
	reject $D/capacity "$v" || failed=$((failed + 1))
done
for v in 11 -1 abc; do
	reject $D/order "$v" || failed=$((failed + 1))
	reject /sys/module/page_reporting/parameters/page_reporting_order "$v" || failed=$((failed + 1))
done
for v in 60001 -1 abc; do
	reject $D/delay_ms "$v" || failed=$((failed + 1))
done
val rejected_writes "$rejected"
[ $failed -eq 0 ] && ok "invalid writes rejected with EINVAL, values unchanged ($rejected writes)"

# accepted values show up in every view
echo 16 >$V/page_reporting_capacity && echo 1500 >$D/delay_ms &&
	echo 10 >/sys/module/page_reporting/parameters/page_reporting_order
seen="$(cat $D/capacity) $(cat $V/page_reporting_delay_ms) $(cat $V/page_reporting_order) $(cat $D/order)"
if [ "$seen" = "16 1500 10 10" ]; then
	ok "valid writes mirrored between sysctl, debugfs and the module parameter"
else
	notok "mirror: capacity delay_ms order order read back as $seen, expected 16 1500 10 10"
fi
if echo "$cap_max" >$V/page_reporting_capacity && [ "$(cat $V/page_reporting_capacity)" = "$cap_max" ]; then
	ok "capacity up to the device limit ($cap_max) accepted"
else
	notok "capacity: writing the device limit $cap_max failed"
fi
echo 32 >$V/page_reporting_capacity
echo 9 >$V/page_reporting_order

# --- 3. prtop on the patched kernel: attaches to the tracepoints, knob ---
. /lib/guest_lib.sh
PRTOP=/bin/prtop
prtop doctor >/tmp/doctor.txt 2>/tmp/doctor.err
echo "prtop doctor rc=$?" >>/tmp/doctor.err
dump doctor /tmp/doctor.txt /tmp/doctor.err
prtop knob --json >/tmp/knobs.json 2>/tmp/knobs.err
dump knobs /tmp/knobs.json /tmp/knobs.err

# knob_rejects NAME=VALUE...: prtop knob must refuse (exit 2) and write nothing
knob_rejects() {
	_before="$(cat $V/page_reporting_capacity) $(cat $V/page_reporting_delay_ms) $(cat $V/page_reporting_order)"
	prtop knob "$@" >/tmp/knob.out 2>/tmp/knob.err
	_rc=$?
	_after="$(cat $V/page_reporting_capacity) $(cat $V/page_reporting_delay_ms) $(cat $V/page_reporting_order)"
	if [ $_rc -eq 2 ] && [ "$_before" = "$_after" ] && [ "$(wc -l </tmp/knob.err)" -eq 1 ]; then
		ok "prtop knob $*: refused, nothing written ($(cat /tmp/knob.err))"
	else
		notok "prtop knob $*: exit $_rc, values '$_before' -> '$_after', stderr: $(tr '\n' ' ' </tmp/knob.err)"
	fi
}
knob_rejects capacity=$((cap_max + 1))
knob_rejects capacity=8 order=11
knob_rejects delay_ms=500 capacity=-1
knob_rejects delay_ms=abc
if prtop knob --dry-run capacity=8 >/tmp/knob.out 2>&1 && [ "$(cat $V/page_reporting_capacity)" = 32 ]; then
	ok "prtop knob --dry-run capacity=8 writes nothing: $(tr '\n' ' ' </tmp/knob.out)"
else
	notok "prtop knob --dry-run capacity=8: $(tr '\n' ' ' </tmp/knob.out), capacity now $(cat $V/page_reporting_capacity)"
fi
mkdir -p /tmp/etc
if PRTOP_KNOB_ETC=/tmp/etc prtop knob --persist delay_ms=1500 >/tmp/knob.out 2>&1 &&
	[ "$(cat $V/page_reporting_delay_ms)" = 1500 ] &&
	grep -q '^vm.page_reporting_delay_ms *= *1500$' /tmp/etc/sysctl.d/90-prtop.conf; then
	ok "prtop knob --persist delay_ms=1500: written and kept in sysctl.d ($(tr '\n' ' ' </tmp/knob.out))"
else
	notok "prtop knob --persist delay_ms=1500: $(tr '\n' ' ' </tmp/knob.out) value $(cat $V/page_reporting_delay_ms), file: $(cat /tmp/etc/sysctl.d/90-prtop.conf 2>&1 | tr '\n' ' ')"
fi
echo 2000 >$V/page_reporting_delay_ms

# --- 4. let the initial reporting pass finish -----------------------------
echo 8192 >$T/buffer_size_kb
echo 1 >$EV/enable
t0=$(uptime_s)
if settle 120; then
	val initial_pass_settled_s $(($(uptime_s) - t0))
else
	notok "initial-pass: reporting still busy after 120 s"
fi

# window TAG CMD...: run CMD (it frees memory) while prtop stat watches and
# tracefs records, until reporting settles; prtop's JSON goes to the host
# as block TAG, the debugfs counters' growth as "val TAG_..." lines, the
# trace stays in /tmp/TAG.trace
window() {
	_tag=$1
	shift
	echo 0 >$T/tracing_on
	: >$T/trace
	echo 1 >$T/tracing_on
	# prtop's own start frees memory that may be reported before it is
	# attached, or after: the counters are read on both sides of it
	_launch0=$(cat $D/pages_reported)
	prtop stat --json -d 900 >/tmp/$_tag.json 2>/tmp/$_tag.err &
	_pp=$!
	wait_attached $_pp
	_pages0=$(cat $D/pages_reported) _reused0=$(cat $D/reported_pages_reused)
	_batches0=$(cat $D/batches)
	"$@"
	settle 90 || notok "$_tag-settle: reporting still busy after 90 s"
	val "${_tag}_debugfs_pages_reported_from_launch" $(($(cat $D/pages_reported) - _launch0))
	val "${_tag}_debugfs_pages_reported" $(($(cat $D/pages_reported) - _pages0))
	val "${_tag}_debugfs_reused_pages" $(($(cat $D/reported_pages_reused) - _reused0))
	val "${_tag}_debugfs_batches" $(($(cat $D/batches) - _batches0))
	kill -INT $_pp
	wait $_pp
	echo "prtop stat rc=$?" >>/tmp/$_tag.err
	echo 0 >$T/tracing_on
	cp $T/trace /tmp/$_tag.trace
	dump "$_tag" /tmp/$_tag.json /tmp/$_tag.err
}

# frees N: N small frees, each reported before the next (idle -> requested
# -> run transitions, for the request->run delay)
frees() {
	for _i in $(seq "$1"); do
		memhog -q -m 32 -H 0 >/dev/null 2>&1
		settle 20
	done
}

# hog: take and free MIB MiB
hog() {
	memhog -q -m "$MIB" -H 0 >/tmp/memhog.out 2>&1 ||
		notok "memhog -m $MIB failed: $(tr '\n' ' ' </tmp/memhog.out)"
}

# --- 5. defaults, capacity 8 + delay 500 ms, order 10 (set with prtop knob)
run_base() { hog; frees 3; }
run_cap8() { hog; frees 6; }
window base run_base

if prtop knob capacity=8 delay_ms=500 >/tmp/knob.out 2>&1 &&
	[ "$(cat $V/page_reporting_capacity) $(cat $V/page_reporting_delay_ms)" = "8 500" ]; then
	ok "prtop knob capacity=8 delay_ms=500: $(tr '\n' ' ' </tmp/knob.out)"
else
	notok "prtop knob capacity=8 delay_ms=500: $(tr '\n' ' ' </tmp/knob.out)"
	echo 8 >$V/page_reporting_capacity
	echo 500 >$V/page_reporting_delay_ms
fi
window cap8 run_cap8
tr=/tmp/cap8.trace
for e in request work_start work_end report cycle boundary_reset reported_page_alloc; do
	c=$(count $e $tr)
	val "events_$e" "$c"
	if [ "$c" -gt 0 ]; then ok "event-$e fires when memory is freed ($c)"; else notok "event-$e: never fired around memhog -m $MIB"; fi
	echo "KTEST sample $(grep -m 1 "page_reporting_$e:" $tr | sed 's/^.*page_reporting_/page_reporting_/')"
done
bytes=$(field report bytes $tr | awk '{ s += $1 } END { print s + 0 }')
val cap8_trace_report_bytes "$bytes"
prtop -b -n 2 -d 1 >/tmp/batch.txt 2>/tmp/batch.err
echo "prtop -b rc=$?" >>/tmp/batch.err
dump batch /tmp/batch.txt /tmp/batch.err

if prtop knob capacity=32 order=10 >/tmp/knob.out 2>&1 &&
	[ "$(cat $V/page_reporting_order)" = 10 ]; then
	ok "prtop knob capacity=32 order=10: $(tr '\n' ' ' </tmp/knob.out)"
else
	notok "prtop knob capacity=32 order=10: $(tr '\n' ' ' </tmp/knob.out)"
	echo 32 >$V/page_reporting_capacity
	echo 10 >$V/page_reporting_order
fi
window order10 hog

# --- 6. tunables changed while runs are in flight -------------------------
# every run must stick to the capacity and order it started with
echo 9 >$V/page_reporting_order
echo 100 >$V/page_reporting_delay_ms
errors0=$(cat $D/errors)
echo 0 >$T/tracing_on
: >$T/trace
echo 1 >$T/tracing_on
(
	i=0
	while [ ! -e /tmp/stop ]; do
		i=$((i + 1))
		echo $((i % 32 + 1)) >$V/page_reporting_capacity
		echo $((9 + i % 2)) >$V/page_reporting_order
	done
) &
flipper=$!
for i in 1 2 3 4 5 6; do
	memhog -q -m 96 -H 0 >/dev/null 2>&1
	sleep 0.3
done
touch /tmp/stop
wait $flipper
echo 32 >$V/page_reporting_capacity
echo 9 >$V/page_reporting_order
settle 30
echo 0 >$T/tracing_on
cp $T/trace /tmp/flip.trace
awk '
	function hex(s,  n, i) {
		n = 0
		sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(tolower(s), i, 1)) - 1
		return n
	}
	function get(k,  i) {
		for (i = 1; i <= NF; i++)
			if (index($i, k "=") == 1)
				return substr($i, length(k) + 2)
		return ""
	}
	/page_reporting_work_start:/ {
		runs++
		cap = get("capacity")
		ord = get("order")
		if (!((cap "/" ord) in seen)) { seen[cap "/" ord] = 1; distinct++ }
	}
	/page_reporting_report:/ && cap != "" {
		reports++
		if (get("nents") + 0 > cap + 0) bad++
		for (m = 1, k = 0; k < ord; k++)
			m *= 2
		if (hex(get("order_mask")) % m) bad++
	}
	END { printf "%d %d %d %d\n", runs, reports, bad, distinct }
' /tmp/flip.trace >/tmp/flip.res
read runs reports bad distinct </tmp/flip.res
val flip_runs "$runs"
val flip_reports "$reports"
val flip_distinct_capacity_order "$distinct"
if [ "$reports" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$distinct" -ge 2 ] &&
	[ "$(cat $D/errors)" = "$errors0" ]; then
	ok "tunables changed during runs: $runs runs with $distinct capacity/order pairs, $reports reports, each within its run's capacity and order"
else
	notok "tunables changed during runs: $runs runs with $distinct capacity/order pairs (need 2), $reports reports, $bad beyond their run's capacity or order, errors $errors0 -> $(cat $D/errors)"
fi
if dmesg | grep -qE 'BUG|WARNING|Oops'; then
	notok "kernel log: $(dmesg | grep -E 'BUG|WARNING|Oops' | head -n 1)"
else
	ok "kernel log has no BUG, WARNING or Oops"
fi

echo 2000 >$V/page_reporting_delay_ms
echo "KTEST done"
