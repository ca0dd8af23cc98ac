# SPDX-License-Identifier: GPL-2.0
#
# Runs inside a patched test kernel (tests/test_kernel.sh), under busybox
# sh, as /guest.sh, on either base (6.1 or 6.12).  The balloon driver is a
# module, as in Debian's kernels, and is not loaded when this starts: the
# knobs are checked before a device registers, across registration (the
# test device prdev, which registers with the order and batch sizes it is
# given and counts what it is handed, then virtio_balloon), and with prtop
# afterwards.  Checks use tracefs, sysfs and /proc/vmstat only.  Every result is one line on the serial console:
#   KTEST ok NAME [detail]
#   KTEST notok NAME: why
#   KTEST val NAME VALUE      a measurement, reported as a "# " line
# and the script ends with "KTEST done".

T=/sys/kernel/tracing
EV=$T/events/page_reporting
P=/sys/module/page_reporting/parameters
V=/proc/sys/vm
MOD=/lib/prtop
MIB=${KTEST_MIB:-512}
# the order above the highest free list order: reporting off
OFF=11

ok() { echo "KTEST ok $*"; }
notok() { echo "KTEST notok $*"; }
val() { echo "KTEST val $1 $2"; }
uptime_s() { cut -d. -f1 /proc/uptime; }
# vm NAME: the page_reporting_NAME counter of /proc/vmstat
vm() { awk -v k="page_reporting_$1" '$1 == k { print $2; f = 1 } END { if (!f) print "?" }' /proc/vmstat; }
knobs() { echo "$(cat $P/page_reporting_capacity) $(cat $P/page_reporting_delay_ms) $(cat $P/page_reporting_order)"; }

# settle SECS: wait until no report() call happened for 3 s; 1 on timeout
settle() {
	_end=$(($(uptime_s) + $1))
	_last=$(vm reports)
	_quiet=0
	while [ "$(uptime_s)" -lt $_end ]; do
		sleep 1
		_now=$(vm reports)
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

# trace_on / trace_off FILE: record the page_reporting events
trace_on() {
	echo 0 >$T/tracing_on
	: >$T/trace
	echo 1 >$T/tracing_on
}
trace_off() {
	echo 0 >$T/tracing_on
	cp $T/trace "$1"
}

# hog_free: take and free MIB MiB
hog_free() {
	memhog -q -m "$MIB" -H 0 >/tmp/memhog.out 2>&1 ||
		notok "memhog -m $MIB failed: $(tr '\n' ' ' </tmp/memhog.out)"
}

cs=/sys/devices/system/clocksource/clocksource0
val clocksource "$(cat $cs/current_clocksource) (available: $(cat $cs/available_clocksource))"
val kernel "$(uname -r)"
echo 8192 >$T/buffer_size_kb
echo 1 >$EV/enable

# --- 1. the events and their fields -------------------------------------
want_fields() {
	case $1 in
	request) echo "old_state queued delay_ms" ;;
	work) echo "order capacity reports pages duration_ns err requeued delay_ms" ;;
	report) echo "nid zone nents pages nr_order err duration_ns" ;;
	unreport) echo "pfn order taken_order reason" ;;
	esac
}
EVENTS="request work report unreport"
for e in $EVENTS; do
	fmt=$EV/page_reporting_$e/format
	if [ ! -r "$fmt" ]; then
		notok "event-$e: $fmt does not exist"
		continue
	fi
	missing=""
	for f in $(want_fields $e); do
		# a scalar "type name;" or an array "type name[N];"
		grep -Eq "field:[^;]*[ *]$f(\[[0-9]+\])?;" "$fmt" || missing="$missing $f"
	done
	if [ -z "$missing" ]; then ok "event-$e fields: $(want_fields $e)"; else notok "event-$e: format lacks$missing"; fi
done
# only the four events of v3: the walk's internals are not traced
extra=$(ls $EV | grep -v -e '^enable$' -e '^filter$' -e '^page_reporting_request$' \
	-e '^page_reporting_work$' -e '^page_reporting_report$' -e '^page_reporting_unreport$' | tr '\n' ' ')
if [ -z "$extra" ]; then ok "events: request, work, report and unreport only"; else notok "events beyond the four: $extra"; fi
missing=""
for c in reports report_failed pages_reported unreported_alloc unreported_isolate; do
	[ "$(vm $c)" = "?" ] && missing="$missing page_reporting_$c"
done
if [ -z "$missing" ]; then ok "vmstat: the five page_reporting counters"; else notok "vmstat lacks$missing"; fi
gone=""
for f in $V/page_reporting_capacity $V/page_reporting_order $V/page_reporting_delay_ms /sys/kernel/debug/page_reporting; do
	[ -e "$f" ] && gone="$gone $f"
done
if [ -z "$gone" ]; then ok "one kind of interface: the three knobs are module parameters, no sysctl or debugfs"; else notok "one writer per knob:$gone exist"; fi

# --- 2. the knobs before any device registers -----------------------------
if [ -e /sys/bus/virtio/drivers/virtio_balloon ]; then
	notok "the balloon driver is already loaded: this test needs it modular"
fi
defaults=$(knobs)
if [ "$defaults" = "0 2000 -1" ]; then
	ok "defaults before a device registers: capacity=0 (the device's) delay_ms=2000 order=-1 (unspecified)"
else
	notok "defaults: capacity delay_ms order are $defaults, expected 0 2000 -1"
fi

# reject FILE VALUE [ERANGE]: the write must fail with EINVAL (ERANGE: a
# number too large for the parameter's unsigned int, as kstrtouint() says)
# and change nothing
reject() {
	_want="Invalid argument" _name=EINVAL
	[ "${3:-}" = ERANGE ] && _want="Numerical result out of range" _name=ERANGE
	_before=$(cat "$1")
	_err=$( (echo "$2" >"$1") 2>&1)
	_rc=$?
	_after=$(cat "$1")
	if [ $_rc -eq 0 ]; then
		notok "reject $1 '$2': the write succeeded (value now $_after)"
	elif ! echo "$_err" | grep -q "$_want"; then
		notok "reject $1 '$2': failed, but not with $_name: $_err"
	elif [ "$_before" != "$_after" ]; then
		notok "reject $1 '$2': value changed from $_before to $_after"
	else
		rejected=$((rejected + 1))
		return 0
	fi
	return 1
}
# accept FILE VALUE: the write must succeed and read back as VALUE
accept() {
	if ! echo "$2" >"$1" 2>/tmp/accept.err; then
		notok "accept $1 '$2': $(cat /tmp/accept.err)"
		return 1
	fi
	[ "$(cat "$1")" = "$2" ] || { notok "accept $1 '$2': reads back $(cat "$1")"; return 1; }
	return 0
}

# --- 3. a device's order and batch sizes, at registration -----------------
# The test device prdev registers with what it is given; no run may happen
# while it is there unless the test wants one: the delay is long.
echo 60000 >$P/page_reporting_delay_ms
# a device that asks for more entries than it takes is refused, and the
# order, still unspecified, stays so
if insmod $MOD/prdev.ko capacity=32 max_capacity=16 2>/tmp/insmod.err; then
	notok "registration: a device asking for 32 entries but taking 16 was accepted"
	rmmod prdev
elif grep -q 'Invalid argument' /tmp/insmod.err && [ "$(cat $P/page_reporting_order)" = -1 ] &&
	dmesg | grep -q 'page_reporting: device asks for 32 entries a report but takes 16'; then
	ok "registration: a device asking for 32 entries a report but taking 16 refused with EINVAL, order still unspecified"
else
	notok "registration of capacity=32 max_capacity=16: $(cat /tmp/insmod.err), order $(cat $P/page_reporting_order), log: $(dmesg | tail -n 1)"
fi
# PAGE_REPORTING_ORDER_UNSPECIFIED: order 0 is a device's valid choice
# while the administrator has set none; then the administrator's wins
if insmod $MOD/prdev.ko order=0 2>/tmp/insmod.err; then
	o=$(cat $P/page_reporting_order)
	rmmod prdev || notok "rmmod prdev failed"
	if [ "$o" = 0 ]; then
		ok "registration: the device's order 0 is taken while the parameter is unspecified"
	else
		notok "registration with order=0: the order is $o, expected 0"
	fi
else
	notok "insmod prdev.ko order=0: $(cat /tmp/insmod.err)"
fi
echo 5 >$P/page_reporting_order
if insmod $MOD/prdev.ko order=3 2>/tmp/insmod.err; then
	o=$(cat $P/page_reporting_order)
	rmmod prdev || notok "rmmod prdev failed"
	if [ "$o" = 5 ]; then ok "registration: the administrator's order 5 wins over the device's 3"; else notok "registration with order=3 after order 5 was set: the order is $o"; fi
else
	notok "insmod prdev.ko order=3: $(cat /tmp/insmod.err)"
fi

# --- 3b. bounds: bad writes refused and nothing changed -------------------
rejected=0 failed=0
huge=99999999999999999999
for v in 1025 -1 abc; do
	reject $P/page_reporting_capacity "$v" || failed=$((failed + 1))
done
for v in -1 abc; do
	reject $P/page_reporting_delay_ms "$v" || failed=$((failed + 1))
done
for v in -1 $((OFF + 1)) abc; do
	reject $P/page_reporting_order "$v" || failed=$((failed + 1))
done
for v in $huge 4294967296; do
	reject $P/page_reporting_capacity "$v" ERANGE || failed=$((failed + 1))
	reject $P/page_reporting_delay_ms "$v" ERANGE || failed=$((failed + 1))
	reject $P/page_reporting_order "$v" ERANGE || failed=$((failed + 1))
done
val rejected_writes "$rejected"
[ $failed -eq 0 ] && ok "invalid writes rejected with EINVAL (ERANGE for numbers beyond 32 bits), values unchanged ($rejected writes)"
# the whole range, upstream's for the delay (0 included)
if accept $P/page_reporting_capacity 1024 && accept $P/page_reporting_capacity 0 &&
	accept $P/page_reporting_delay_ms 0 && accept $P/page_reporting_delay_ms 4294967295 &&
	accept $P/page_reporting_order 0 && accept $P/page_reporting_order $OFF; then
	ok "bounds accepted: capacity 0..1024, delay_ms 0..4294967295, order 0..$OFF ($OFF: off)"
fi
echo 0 >$P/page_reporting_capacity
echo 60000 >$P/page_reporting_delay_ms

# --- 3c. the batch size, per device ---------------------------------------
# prdev takes up to 100 entries; by default a report holds 32 (the core's
# default, below the device's limit); the administrator raises it to 64,
# and a value above the device's limit is clamped to 100 at use.  Seen from
# the device (the largest report it was handed) and in the work events.
# batch_run CAPACITY: set it, free memory, wait for reporting to settle;
# prints the largest report's entries and the capacities of the runs
batch_run() {
	echo "$1" >$P/page_reporting_capacity
	trace_on
	hog_free
	settle 60 || notok "batch capacity $1: reporting still busy after 60 s"
	trace_off /tmp/batch$1.trace
	echo "$(field report nents /tmp/batch$1.trace | sort -n | tail -n 1)" \
		"$(field work capacity /tmp/batch$1.trace | sort -u | tr '\n' ',')"
}
echo 9 >$P/page_reporting_order
# before the device registers: a delay already queued is not shortened
echo 100 >$P/page_reporting_delay_ms
if insmod $MOD/prdev.ko max_capacity=100 2>/tmp/insmod.err; then
	settle 120 || notok "batch: the first pass of prdev still busy after 120 s"
	set -- $(batch_run 0)
	d0=$1 c0=$2 m0=$(cat /sys/module/prdev/parameters/max_nents)
	set -- $(batch_run 64)
	d64=$1 c64=$2
	set -- $(batch_run 1024)
	d1k=$1 c1k=$2 m1k=$(cat /sys/module/prdev/parameters/max_nents)
	low=$(cat /sys/module/prdev/parameters/lowest)
	rmmod prdev || notok "rmmod prdev failed"
	val batch_nents "default $d0 ($c0) 64: $d64 ($c64) 1024: $d1k ($c1k) device max $m0 then $m1k"
	if [ "$d0" = 32 ] && [ "$c0" = "32," ] && [ "$m0" = 32 ]; then
		ok "batch: capacity 0 gives the core's 32 entries on a device taking 100 (device saw at most $m0)"
	else
		notok "batch: capacity 0: largest report $d0, runs' capacity $c0, device's largest $m0; want 32"
	fi
	if [ "$d64" = 64 ] && [ "$c64" = "64," ]; then ok "batch: capacity 64 gives reports of 64 entries"; else notok "batch: capacity 64: largest report $d64, runs' capacity $c64"; fi
	if [ "$d1k" = 100 ] && [ "$c1k" = "100," ] && [ "$m1k" = 100 ] && [ "$low" -ge 9 ]; then
		ok "batch: capacity 1024 clamped to the device's 100 at use (device saw at most $m1k, lowest order $low)"
	else
		notok "batch: capacity 1024: largest report $d1k, runs' capacity $c1k, device's largest $m1k (want 100), lowest order $low"
	fi
else
	notok "insmod prdev.ko max_capacity=100: $(cat /tmp/insmod.err)"
fi
echo 0 >$P/page_reporting_capacity
echo 2000 >$P/page_reporting_delay_ms

# --- 4. settings made before the balloon registers are kept ---------------
echo 10 >$P/page_reporting_order
echo 64 >$P/page_reporting_capacity
echo 1500 >$P/page_reporting_delay_ms
trace_on
if insmod $MOD/virtio_balloon.ko 2>/tmp/insmod.err; then
	# the work event comes when the first run ends
	i=0
	while ! grep -q 'page_reporting_work:' $T/trace && [ $i -lt 90 ]; do
		sleep 1
		i=$((i + 1))
	done
	trace_off /tmp/register.trace
	seen=$(knobs)
	req=$(grep -m 1 'page_reporting_request:' /tmp/register.trace | sed 's/.*page_reporting_request: //')
	first=$(grep -m 1 'page_reporting_work:' /tmp/register.trace | sed 's/.*page_reporting_work: //')
	if [ "$seen" = "64 1500 10" ]; then
		ok "virtio_balloon registers: capacity 64, delay_ms 1500 and order 10 set before are kept"
	else
		notok "virtio_balloon registers: capacity delay_ms order read $seen, expected 64 1500 10"
	fi
	case "$req/$first" in
	"from=idle queued=1 delay_ms=1500/order=10 capacity=32 "*)
		ok "first run after registration: $req; $first (capacity clamped to the queue's 32 at use)" ;;
	*)
		notok "first run after registration: request '$req', run '$first'; want 'from=idle queued=1 delay_ms=1500' and 'order=10 capacity=32 ...'" ;;
	esac
else
	notok "insmod virtio_balloon.ko: $(cat /tmp/insmod.err)"
fi
echo 0 >$P/page_reporting_capacity
echo 2000 >$P/page_reporting_delay_ms
echo 9 >$P/page_reporting_order

# --- 5. prtop on the patched kernel: attaches to the tracepoints, knob ---
. /lib/guest_lib.sh
PRTOP=/bin/prtop
prtop doctor >/tmp/doctor.txt 2>/tmp/doctor.err
echo "prtop doctor rc=$?" >>/tmp/doctor.err
dump doctor /tmp/doctor.txt /tmp/doctor.err
prtop knob --json >/tmp/knobs.json 2>/tmp/knobs.err
dump knobs /tmp/knobs.json /tmp/knobs.err

# knob_rejects CODE NAME=VALUE...: prtop knob must refuse with exit CODE (2:
# prtop's own checks, 1: the kernel's) and leave every value as it was
knob_rejects() {
	_code=$1
	shift
	_before=$(knobs)
	prtop knob "$@" >/tmp/knob.out 2>/tmp/knob.err
	_rc=$?
	_after=$(knobs)
	if [ $_rc -eq "$_code" ] && [ "$_before" = "$_after" ] && [ "$(wc -l </tmp/knob.err)" -eq 1 ]; then
		ok "prtop knob $*: refused (exit $_rc), nothing changed ($(cat /tmp/knob.err))"
	else
		notok "prtop knob $*: exit $_rc (want $_code), values '$_before' -> '$_after', stderr: $(tr '\n' ' ' </tmp/knob.err)"
	fi
}
knob_rejects 2 capacity=-1
knob_rejects 2 capacity=8 order=-1
knob_rejects 2 delay_ms=500 capacity=-1
knob_rejects 2 delay_ms=abc
# the kernel's limits, which prtop leaves to the kernel: refused, and the
# capacity written first is restored
knob_rejects 1 capacity=1025
knob_rejects 1 capacity=16 order=12
# delay 0 and capacity 0 are the kernel's to take (v3 and mainline): taken
if prtop knob capacity=0 delay_ms=0 >/tmp/knob.out 2>&1 && [ "$(knobs)" = "0 0 9" ]; then
	ok "prtop knob capacity=0 delay_ms=0: taken ($(tr '\n' ' ' </tmp/knob.out))"
else
	notok "prtop knob capacity=0 delay_ms=0: $(tr '\n' ' ' </tmp/knob.out), values $(knobs)"
fi
echo 2000 >$P/page_reporting_delay_ms
if prtop knob --dry-run capacity=8 >/tmp/knob.out 2>&1 && [ "$(cat $P/page_reporting_capacity)" = 0 ]; then
	ok "prtop knob --dry-run capacity=8 writes nothing: $(tr '\n' ' ' </tmp/knob.out)"
else
	notok "prtop knob --dry-run capacity=8: $(tr '\n' ' ' </tmp/knob.out), capacity now $(cat $P/page_reporting_capacity)"
fi
# persisted for the next boot (tests/kernel/guest_persist.sh): the host
# takes the file from the console and boots again with it; the three knobs
# are module parameters of built-in code: tmpfiles.d only
mkdir -p /tmp/etc
if PRTOP_KNOB_ETC=/tmp/etc prtop knob --persist capacity=16 delay_ms=1500 order=10 >/tmp/knob.out 2>&1 &&
	[ "$(knobs)" = "16 1500 10" ] && [ ! -e /tmp/etc/sysctl.d/90-prtop.conf ] &&
	grep -q "^w $P/page_reporting_capacity - - - - 16$" /tmp/etc/tmpfiles.d/90-prtop.conf &&
	grep -q "^w $P/page_reporting_delay_ms - - - - 1500$" /tmp/etc/tmpfiles.d/90-prtop.conf &&
	grep -q "^w $P/page_reporting_order - - - - 10$" /tmp/etc/tmpfiles.d/90-prtop.conf; then
	ok "prtop knob --persist capacity=16 delay_ms=1500 order=10: set, and written to tmpfiles.d (no sysctl.d)"
else
	notok "prtop knob --persist: $(tr '\n' ' ' </tmp/knob.out) values $(knobs), files: $(cat /tmp/etc/*/90-prtop.conf 2>&1 | tr '\n' ' ')"
fi
echo "PRTOP-FILE-BEGIN tmpfiles.d"
cat /tmp/etc/tmpfiles.d/90-prtop.conf 2>/dev/null
echo "PRTOP-FILE-END tmpfiles.d"
echo 0 >$P/page_reporting_capacity
echo 2000 >$P/page_reporting_delay_ms
echo 9 >$P/page_reporting_order

# --- 6. let the initial reporting pass finish -----------------------------
t0=$(uptime_s)
if settle 120; then
	val initial_pass_settled_s $(($(uptime_s) - t0))
else
	notok "initial-pass: reporting still busy after 120 s"
fi

# events FILE: the page_reporting events of a trace, one line each as
# "EVENT SECONDS FIELD=VALUE...", the trace markers as "mark SECONDS TEXT";
# unreport events (one per reported page taken from a free list: many) are
# summed as "unreport_sum MARKS_BEFORE ORDER REASON PAGES", PAGES the base
# pages taken (2^taken_order each)
events() {
	awk '
	{
		ts = ""
		for (i = 1; i <= NF; i++) {
			if (ts == "") {
				if ($i ~ /^[0-9]+\.[0-9]+:$/)
					ts = substr($i, 1, length($i) - 1)
				continue
			}
			if ($i == "tracing_mark_write:") {
				print "mark " ts " " $(i + 1)
				marks++
				next
			}
			if ($i ~ /^page_reporting_[a-z_]+:$/)
				break
		}
		if (ts == "" || i > NF)
			next
		ev = substr($i, 16, length($i) - 16)
		if (ev == "unreport") {
			o = r = t = ""
			for (j = i + 1; j <= NF; j++) {
				if (index($j, "order=") == 1) o = substr($j, 7)
				if (index($j, "taken_order=") == 1) t = substr($j, 13)
				if (index($j, "reason=") == 1) r = substr($j, 8)
			}
			# no "^": busybox awk in the guest is built without math
			for (p = 1; t > 0; t--)
				p *= 2
			u[(marks + 0) " " o " " r] += p
			next
		}
		line = ev " " ts
		for (j = i + 1; j <= NF; j++)
			line = line " " $j
		print line
	}
	END { for (k in u) print "unreport_sum " k " " u[k] }' "$1"
}

# window TAG CMD...: run CMD (it frees memory) while prtop stat watches and
# tracefs records, until reporting settles; prtop's JSON goes to the host
# as block TAG, the vmstat counters' growth as "val TAG_..." lines, the
# trace's events (events above) as block TAG-trace; the trace stays in
# /tmp/TAG.trace.  The trace markers: PRTOP-ATTACHED once prtop has
# attached, PRTOP-STOP just before it is told to stop.
window() {
	_tag=$1
	shift
	trace_on
	# prtop's own start frees memory that may be reported before it is
	# attached, or after: the counters are read on both sides of it
	_launch0=$(vm pages_reported) _blaunch0=$(vm reports)
	_rlaunch0=$(vm unreported_alloc) _ilaunch0=$(vm unreported_isolate)
	prtop stat --json -d 900 >/tmp/$_tag.json 2>/tmp/$_tag.err &
	_pp=$!
	wait_attached $_pp
	# what the trace holds from here on is what prtop saw
	echo "PRTOP-ATTACHED" >$T/trace_marker
	_pages0=$(vm pages_reported) _batches0=$(vm reports)
	_reused0=$(vm unreported_alloc) _isolated0=$(vm unreported_isolate)
	"$@"
	settle 90 || notok "$_tag-settle: reporting still busy after 90 s"
	val "${_tag}_vmstat_pages_reported_from_launch" $(($(vm pages_reported) - _launch0))
	val "${_tag}_vmstat_pages_reported" $(($(vm pages_reported) - _pages0))
	val "${_tag}_vmstat_reused_pages" $(($(vm unreported_alloc) - _reused0))
	val "${_tag}_vmstat_reused_pages_from_launch" $(($(vm unreported_alloc) - _rlaunch0))
	val "${_tag}_vmstat_isolated_pages" $(($(vm unreported_isolate) - _isolated0))
	val "${_tag}_vmstat_isolated_pages_from_launch" $(($(vm unreported_isolate) - _ilaunch0))
	val "${_tag}_vmstat_batches" $(($(vm reports) - _batches0))
	val "${_tag}_vmstat_batches_from_launch" $(($(vm reports) - _blaunch0))
	val "${_tag}_delay_ms" "$(cat $P/page_reporting_delay_ms)"
	echo "PRTOP-STOP" >$T/trace_marker
	kill -INT $_pp
	wait $_pp
	echo "prtop stat rc=$?" >>/tmp/$_tag.err
	trace_off /tmp/$_tag.trace
	dump "$_tag" /tmp/$_tag.json /tmp/$_tag.err
	events /tmp/$_tag.trace >/tmp/$_tag.events
	val "${_tag}_trace_lines" "$(wc -l </tmp/$_tag.trace)"
	dump "$_tag-trace" /tmp/$_tag.events /dev/null
}

# frees N: N small frees, each reported before the next (idle -> requested
# -> run transitions, for the request->run delay)
frees() {
	for _i in $(seq "$1"); do
		memhog -q -m 32 -H 0 >/dev/null 2>&1
		settle 20
	done
}

# --- 7. defaults, capacity 8 + delay 500 ms, order 10 (set with prtop knob)
run_base() { hog_free; frees 3; }
run_cap8() { hog_free; frees 6; }
window base run_base

if prtop knob capacity=8 delay_ms=500 >/tmp/knob.out 2>&1 &&
	[ "$(knobs)" = "8 500 9" ]; then
	ok "prtop knob capacity=8 delay_ms=500: $(tr '\n' ' ' </tmp/knob.out)"
else
	notok "prtop knob capacity=8 delay_ms=500: $(tr '\n' ' ' </tmp/knob.out)"
	echo 8 >$P/page_reporting_capacity
	echo 500 >$P/page_reporting_delay_ms
fi
window cap8 run_cap8
tr=/tmp/cap8.trace
for e in $EVENTS; do
	c=$(count $e $tr)
	val "events_$e" "$c"
	if [ "$c" -gt 0 ]; then ok "event-$e fires when memory is freed ($c)"; else notok "event-$e: never fired around memhog -m $MIB"; fi
	echo "KTEST sample $(grep -m 1 "page_reporting_$e:" $tr | sed 's/^.*page_reporting_/page_reporting_/')"
done
# the request event only for requests that change the state
n=$(grep 'page_reporting_request:' $tr | grep -c 'from=requested')
if [ "$n" = 0 ]; then
	ok "event-request: never fired on the already-requested fast path"
else
	notok "event-request: fired $n times for requests that found one pending"
fi
# prtop's start frees memory, which may be reported before it is attached
# or in the second it takes to say it is: prtop's bytes lie between the
# report events after the marker and all of them
sed -n '/PRTOP-ATTACHED/,$p' $tr >/tmp/cap8.attached
val cap8_trace_report_bytes "$(field report pages /tmp/cap8.attached | awk '{ s += $1 * 4096 } END { print s + 0 }')"
val cap8_trace_report_bytes_all "$(field report pages $tr | awk '{ s += $1 * 4096 } END { print s + 0 }')"
# a free once the first frame is out (prtop attached: under TCG loading
# can take longer than a run's 500 ms delay) queues a run, so that the
# view has a run to show whatever the machine did before
prtop -b -n 4 -d 1 >/tmp/batch.txt 2>/tmp/batch.err &
_bp=$!
_i=0
while [ ! -s /tmp/batch.txt ] && [ $_i -lt 300 ] && kill -0 $_bp 2>/dev/null; do
	sleep 0.1
	_i=$((_i + 1))
done
memhog -q -m 64 -H 0 >/dev/null 2>&1
wait $_bp
echo "prtop -b rc=$?" >>/tmp/batch.err
dump batch /tmp/batch.txt /tmp/batch.err

if prtop knob capacity=32 order=10 >/tmp/knob.out 2>&1 &&
	[ "$(cat $P/page_reporting_order)" = 10 ]; then
	ok "prtop knob capacity=32 order=10: $(tr '\n' ' ' </tmp/knob.out)"
else
	notok "prtop knob capacity=32 order=10: $(tr '\n' ' ' </tmp/knob.out)"
	echo 32 >$P/page_reporting_capacity
	echo 10 >$P/page_reporting_order
fi
window order10 hog_free

# --- 7a. reported pages isolated, which are not reuse ----------------------
# __isolate_free_page() takes reported pages too: compaction's free scanner
# and contiguous allocations.  prtop's reuse counts what allocations take,
# not these.  Compaction never takes a free block of pageblock order or
# above as a target, so the window reports at order 4: memhog writes
# ISO_MIB MiB, most of free memory, and gives back every other 128 KiB.
# Each hole holds an order-4 block whatever its physical offset (the pages
# of a run come from one split block, but not from its start: seen here,
# 64 KiB holes two pages off made orders 1 to 3 only).  Once the holes are
# reported, compaction moves the pages memhog keeps low in the zone into
# holes high in it, isolating reported pages (25712 of them in a trial
# with 768 MiB).
ISO_ORDER=4
ISO_MIB=640
run_isolate() {
	memhog -q -m $ISO_MIB -g 128 -H -1 >/tmp/gaps.out 2>&1 &
	_gp=$!
	_i=0
	while ! grep -q '^MEMHOG gaps' /tmp/gaps.out && [ $_i -lt 600 ] && kill -0 $_gp 2>/dev/null; do
		sleep 0.1
		_i=$((_i + 1))
	done
	grep -q '^MEMHOG gaps' /tmp/gaps.out ||
		notok "isolate: memhog -m $ISO_MIB -g 128 left no holes in 60 s: $(tr '\n' ' ' </tmp/gaps.out)"
	settle 60 || notok "isolate: the holes were still being reported after 60 s"
	_c0=$(vm unreported_isolate)
	echo 1 >/proc/sys/vm/compact_memory
	val isolate_compaction_isolated_pages $(($(vm unreported_isolate) - _c0))
	kill -USR1 $_gp
	wait $_gp || notok "isolate: memhog -m $ISO_MIB -g 128: $(tr '\n' ' ' </tmp/gaps.out)"
}
echo $ISO_ORDER >$P/page_reporting_order
settle 30
window isolate run_isolate

# --- 7b. the order above the highest one turns reporting off ---------------
# (the 6.12 stable fix in patches/fixes/6.12; 6.1's series takes it too):
# 64 MiB freed with the order at OFF give no report in /proc/vmstat in six
# times the delay; back at 9, the same free is reported
echo 9 >$P/page_reporting_order
settle 30
if echo $OFF >$P/page_reporting_order 2>/tmp/off.err; then
	r0=$(vm reports) p0=$(vm pages_reported)
	memhog -q -m 64 -H 0 >/dev/null 2>&1
	sleep 3
	r1=$(vm reports) p1=$(vm pages_reported)
	echo 9 >$P/page_reporting_order
	memhog -q -m 64 -H 0 >/dev/null 2>&1
	settle 30
	r2=$(vm reports) p2=$(vm pages_reported)
	if [ "$r1" = "$r0" ] && [ "$p1" = "$p0" ] && [ "$r2" -gt "$r1" ] && [ $((p2 - p1)) -ge 512 ]; then
		ok "order $OFF: no report in 3 s after a 64 MiB free (delay $(cat $P/page_reporting_delay_ms) ms); at 9 the next free gave $((r2 - r1)) report() calls, $((p2 - p1)) pages"
	else
		notok "order $OFF: reports $r0 -> $r1 and pages $p0 -> $p1 while off (want no change); at 9: reports -> $r2, pages -> $p2 (want more, >= 512 pages)"
	fi
else
	notok "order $OFF (off) refused: $(cat /tmp/off.err)"
fi

# --- 8. the delay, as upstream has it --------------------------------------
# A free while reporting is idle queues a run delay_ms later: the request
# event says so, and the run starts (its work event's time less its
# duration) that long after the request, within a second.  0 is taken and
# runs at once.  A write does not move a run already queued: the 3000 ms
# run is followed at once by a write of 0 and still waits its 3 s.
# delay_run MS [MS2]: the request's delay_ms and the request->run seconds
# A free that finds a run already queued (settle's quiet seconds can fall
# inside a long delay) queues nothing: the free is tried again, up to 3
# times, until one queues a run from idle with delay_ms=MS.  The first
# request that queued must be that one: once MS2 is written, a later free
# queues its own run with MS2, and timing that run would test nothing.
# queued_run MS FILE: "run" once the first request that queued has
# delay_ms=MS and a run followed it, "queued" before that run, "other" when
# the first had another delay, "none" while no request queued
queued_run() {
	awk -v d="$1" '
	/page_reporting_request:/ && !q && / queued=1 / {
		q = $0 ~ (" delay_ms=" d "$") ? 1 : -1
	}
	q > 0 && /page_reporting_work:/ { r = 1; exit }
	END { print (r ? "run" : q > 0 ? "queued" : q < 0 ? "other" : "none") }' "$2"
}
delay_run() {
	echo "$1" >$P/page_reporting_delay_ms
	for _try in 1 2 3; do
		settle 30
		trace_on
		memhog -q -m 64 -H 0 >/dev/null 2>&1
		[ -n "${2:-}" ] && echo "$2" >$P/page_reporting_delay_ms
		i=0
		while [ $i -lt 30 ]; do
			case $(queued_run "$1" $T/trace) in
			run | other) break ;;
			esac
			sleep 0.5
			i=$((i + 1))
		done
		trace_off /tmp/delay$1.trace
		case $(queued_run "$1" /tmp/delay$1.trace) in
		run | queued) break ;;
		esac
		echo "$1" >$P/page_reporting_delay_ms
	done
	awk '
	function get(k,  i) {
		for (i = 1; i <= NF; i++)
			if (index($i, k "=") == 1)
				return substr($i, length(k) + 2)
		return ""
	}
	function ts(  i) {
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/)
				return substr($i, 1, length($i) - 1) + 0
	}
	/page_reporting_request:/ && get("queued") == 1 && q == "" { q = ts(); d = get("delay_ms") }
	/page_reporting_work:/ && q != "" && w == "" { w = ts() - get("duration_ns") / 1e9 }
	END { if (q == "" || w == "") print "? ?"; else printf "%s %.3f\n", d, w - q }' /tmp/delay$1.trace
}
for d in 0 3000; do
	if [ $d = 3000 ]; then set -- $(delay_run 3000 0); else set -- $(delay_run 0); fi
	val "delay_${d}_request_to_run_s" "$2"
	lo=$(awk -v d=$d 'BEGIN { print d / 1000 - 0.01 }')
	hi=$(awk -v d=$d 'BEGIN { print d / 1000 + 1 }')
	if [ "$1" = $d ] && awk -v x="$2" -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(x >= lo && x <= hi) }'; then
		ok "delay_ms=$d: the request queued the run with delay_ms=$1, which started $2 s later ($lo..$hi)$([ $d = 3000 ] && echo '; the write of 0 meanwhile did not move it')"
	else
		notok "delay_ms=$d: request delay_ms '$1', request->run '$2' s, want $d and $lo..$hi s; the trace had: $(grep -o 'page_reporting_\(request\|work\): .*' /tmp/delay$d.trace | head -n 4 | tr '\n' ' ')"
	fi
done
echo 2000 >$P/page_reporting_delay_ms

# --- 9. tunables changed while runs are in flight -------------------------
# every run must stick to the capacity and order it started with: each
# report holds at most the capacity, and no entry below the order, of the
# run it belongs to (its work event comes when the run ends)
echo 9 >$P/page_reporting_order
echo 100 >$P/page_reporting_delay_ms
errors0=$(vm report_failed)
trace_on
(
	i=0
	while [ ! -e /tmp/stop ]; do
		i=$((i + 1))
		echo $((i % 32 + 1)) >$P/page_reporting_capacity
		echo $((9 + i % 2)) >$P/page_reporting_order
	done
) &
flipper=$!
for i in 1 2 3 4 5 6; do
	memhog -q -m 96 -H 0 >/dev/null 2>&1
	sleep 0.3
done
touch /tmp/stop
wait $flipper
echo 0 >$P/page_reporting_capacity
echo 9 >$P/page_reporting_order
settle 30
trace_off /tmp/flip.trace
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
	/page_reporting_report:/ {
		pending++
		nents[pending] = get("nents") + 0
		orders[pending] = get("nr_order")
	}
	/page_reporting_work:/ {
		runs++
		cap = get("capacity") + 0
		ord = get("order") + 0
		if (!((cap "/" ord) in seen)) { seen[cap "/" ord] = 1; distinct++ }
		for (r = 1; r <= pending; r++) {
			reports++
			if (nents[r] > cap) bad++
			a = orders[r]
			gsub(/[{}]/, "", a)
			n = split(a, e, ",")
			for (k = 1; k <= n && k <= ord; k++)
				if (hex(e[k])) bad++
		}
		pending = 0
	}
	END { printf "%d %d %d %d\n", runs, reports, bad, distinct }
' /tmp/flip.trace >/tmp/flip.res
read runs reports bad distinct </tmp/flip.res
val flip_runs "$runs"
val flip_reports "$reports"
val flip_distinct_capacity_order "$distinct"
if [ "$reports" -gt 0 ] && [ "$bad" -eq 0 ] && [ "$distinct" -ge 2 ] &&
	[ "$(vm report_failed)" = "$errors0" ]; then
	ok "tunables changed during runs: $runs runs with $distinct capacity/order pairs, $reports reports, each within its run's capacity and order"
else
	notok "tunables changed during runs: $runs runs with $distinct capacity/order pairs (need 2), $reports reports, $bad beyond their run's capacity or order, failed reports $errors0 -> $(vm report_failed)"
fi
# reported memory taken again by the allocator, counted by what was taken
val unreported "alloc $(vm unreported_alloc) isolate $(vm unreported_isolate)"
if [ "$(vm unreported_alloc)" -gt 0 ]; then
	ok "vmstat: reported memory taken by allocations counted ($(vm unreported_alloc) pages)"
else
	notok "vmstat: no reported memory was ever taken by an allocation"
fi
if dmesg | grep -qE 'BUG|WARNING|Oops'; then
	notok "kernel log: $(dmesg | grep -E 'BUG|WARNING|Oops' | head -n 1)"
else
	ok "kernel log has no BUG, WARNING or Oops"
fi

echo 2000 >$P/page_reporting_delay_ms
echo "KTEST done"
