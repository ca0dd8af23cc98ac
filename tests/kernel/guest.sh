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
MIB=${KTEST_MIB:-256}

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

# trace_run NAME: clear the trace buffer, run memhog, wait for reporting
# to settle, save the trace as /tmp/NAME.trace
trace_run() {
	echo 0 >$T/tracing_on
	: >$T/trace
	echo 1 >$T/tracing_on
	if ! memhog -q -m "$MIB" -H 0 >"/tmp/$1.memhog" 2>&1; then
		notok "$1-memhog: memhog -m $MIB failed: $(tr '\n' ' ' <"/tmp/$1.memhog")"
	fi
	settle 60 || notok "$1-settle: reporting still busy after 60 s"
	echo 0 >$T/tracing_on
	cp $T/trace "/tmp/$1.trace"
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

# --- 3. let the initial reporting pass finish -----------------------------
echo 100 >$V/page_reporting_delay_ms
echo 8192 >$T/buffer_size_kb
echo 1 >$EV/enable
t0=$(uptime_s)
if settle 120; then
	val initial_pass_settled_s $(($(uptime_s) - t0))
else
	notok "initial-pass: reporting still busy after 120 s"
fi

# --- 4. capacity 8, delay 500 ms: batches, delays, events on free ---------
echo 8 >$V/page_reporting_capacity
echo 500 >$V/page_reporting_delay_ms
reused0=$(cat $D/reported_pages_reused)
pages0=$(cat $D/pages_reported)
trace_run cap8
tr=/tmp/cap8.trace
n=$(count report $tr)
nmax=$(field report nents $tr | sort -n | tail -n 1)
val cap8_reports "$n"
val cap8_nents_max "${nmax:-none}"
if [ "$n" -gt 0 ] && [ "$nmax" -le 8 ]; then
	ok "capacity=8: $n report() calls, nents <= 8 (max $nmax)"
else
	notok "capacity=8: $n report() calls, largest nents ${nmax:-none}"
fi
caps=$(field work_start capacity $tr | sort -u | tr '\n' ' ')
[ "$caps" = "8 " ] && ok "work_start capacity=8" || notok "work_start: capacity values '$caps', expected 8"

for e in request work_start work_end report cycle boundary_reset reported_page_alloc; do
	c=$(count $e $tr)
	val "events_$e" "$c"
	if [ "$c" -gt 0 ]; then ok "event-$e fires when memory is freed ($c)"; else notok "event-$e: never fired around memhog -m $MIB"; fi
done
for e in request work_start work_end report cycle boundary_reset reported_page_alloc; do
	echo "KTEST sample $(grep -m 1 "page_reporting_$e:" $tr | sed 's/^.*page_reporting_/page_reporting_/')"
done
val cap8_order_masks "'$(field report order_mask $tr | sort -u | tr '\n' ' ')'"
val report_duration_us_p50 "$(field report duration_ns $tr | sort -n | awk '{ v[NR] = $1 } END { if (NR) print int(v[int((NR + 1) / 2)] / 1000) }')"
val run_duration_us_p50 "$(field work_end duration_ns $tr | sort -n | awk '{ v[NR] = $1 } END { if (NR) print int(v[int((NR + 1) / 2)] / 1000) }')"
bytes=$(field report bytes $tr | awk '{ s += $1 } END { print s + 0 }')
pages=$(($(cat $D/pages_reported) - pages0))
if [ "$bytes" -gt 0 ] && [ $((pages * 4096)) -eq "$bytes" ]; then
	ok "debugfs pages_reported agrees with the report events ($pages pages)"
else
	notok "pages_reported: grew by $pages pages while the report events carried $bytes bytes"
fi
reused=$(($(cat $D/reported_pages_reused) - reused0))
val reused_pages "$reused"
[ "$reused" -gt 0 ] && ok "reported_pages_reused counts ($reused pages)" ||
	notok "reported_pages_reused: did not grow while memhog allocated reported memory"
val cap8_reported_mib $((bytes / 1048576))

# more idle -> requested -> run transitions: small frees, each after the
# previous one was reported
echo 0 >$T/tracing_on
: >$T/trace
echo 1 >$T/tracing_on
for i in 1 2 3 4 5 6; do
	memhog -q -m 32 -H 0 >/dev/null 2>&1
	settle 20
done
echo 0 >$T/tracing_on
cat $T/trace >>$tr

# request (queued) or requeueing work_end -> next work_start, in ms
awk '
	{ ts = ""; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { ts = substr($i, 1, length($i) - 1); break } }
	ts == "" { next }
	/page_reporting_request:/ && / queued=1/ { if (pend == "") pend = ts }
	/page_reporting_work_end:/ && / requeued=1/ { if (pend == "") pend = ts }
	/page_reporting_work_start:/ { if (pend != "") printf "%d\n", (ts - pend) * 1000 + 0.5; pend = "" }
' $tr | sort -n >/tmp/delays
nd=$(wc -l </tmp/delays)
if [ "$nd" -gt 0 ]; then
	p50=$(sed -n "$(((nd + 1) / 2))p" /tmp/delays)
	dmin=$(head -n 1 /tmp/delays)
	dmax=$(tail -n 1 /tmp/delays)
	val delay_samples "$nd"
	val delay_p50_ms "$p50"
	val delay_min_ms "$dmin"
	val delay_max_ms "$dmax"
	if [ "$dmin" -ge 400 ] && [ "$dmax" -le 700 ]; then
		ok "delay_ms=500: $nd request->run delays in 400-700 ms (p50 $p50, min $dmin, max $dmax)"
	else
		notok "delay_ms=500: $nd request->run delays, p50 $p50 min $dmin max $dmax ms, not all in 400-700 ms"
	fi
else
	notok "delay_ms=500: no request->run pair in the trace"
fi

# --- 5. order 10: no order-9 page is reported ----------------------------
echo 32 >$V/page_reporting_capacity
echo 10 >$V/page_reporting_order
trace_run order10
tr=/tmp/order10.trace
n=$(count report $tr)
orders=$(field report order_mask $tr | sort -u | tr '\n' ' ')
# masks are printed in hex; a page below order 10 sets one of bits 0-9
low=$(field report order_mask $tr | awk '
	function hex(s,  n, i) {
		n = 0
		sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++)
			n = n * 16 + index("0123456789abcdef", substr(tolower(s), i, 1)) - 1
		return n
	}
	hex($1) % 1024 { n++ }
	END { print n + 0 }')
cyc=$(field cycle order $tr | sort -u | tr '\n' ' ')
val order10_reports "$n"
val order10_order_masks "'$orders'"
val order10_cycle_orders "'$cyc'"
if [ "$n" -gt 0 ] && [ "$low" -eq 0 ]; then
	ok "order=10: $n report() calls, order masks $orders(no order below 10)"
else
	notok "order=10: $n report() calls, $low with pages below order 10 (masks $orders)"
fi
echo "$cyc" | grep -qw 9 && notok "order=10: free lists of order 9 were walked ($cyc)"
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
if [ "$reports" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$(cat $D/errors)" = "$errors0" ]; then
	ok "tunables changed during runs: $runs runs with $distinct capacity/order pairs, $reports reports, each within its run's capacity and order"
else
	notok "tunables changed during runs: $runs runs, $reports reports, $bad beyond their run's capacity or order, errors $errors0 -> $(cat $D/errors)"
fi
if dmesg | grep -qE 'BUG|WARNING|Oops'; then
	notok "kernel log: $(dmesg | grep -E 'BUG|WARNING|Oops' | head -n 1)"
else
	ok "kernel log has no BUG, WARNING or Oops"
fi

echo 2000 >$V/page_reporting_delay_ms
echo "KTEST done"
