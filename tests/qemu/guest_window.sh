# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/test_qemu.sh (busybox sh, run by the initramfs /init).
# The test prepends MIB=, WINDOW=, SETTLE_TRIES= and MIN_SETTLE_UPTIME=
# assignments.  Every step prints a "PRTOP-QEMU <what> t=<uptime>" line on
# the serial console; the host reads the QEMU process's RSS when it sees
# "PRTOP-QEMU held" and "PRTOP-QEMU window-end", so the guest pauses after
# each of those to give it time.  See the top of tests/test_qemu.sh for why
# the window is laid out like this.

: "${MIB:=1024}" "${WINDOW:=25}" "${SETTLE_TRIES:=12}" "${MIN_SETTLE_UPTIME:=12}"
: "${REUSE_WINDOW:=24}"
PRTOP=/bin/prtop

up() { cut -d' ' -f1 /proc/uptime; }
up_s() { cut -d. -f1 /proc/uptime; }
mark() { echo "PRTOP-QEMU $* t=$(up)"; }

. /lib/guest_lib.sh

have_prtop=0
[ -x "$PRTOP" ] && have_prtop=1
# the control boot (a balloon without free page reporting) hands nothing
# back: a shorter window shows that as well (the free comes 7 s into it,
# a report would follow within 2 s)
reporting=$(balloon_bit 5)
[ "$reporting" = 1 ] || WINDOW=12
mark "start prtop=$have_prtop mib=$MIB window=$WINDOW reporting=${reporting:-none}"
mark "page_reporting_order $(cat /sys/module/page_reporting/parameters/page_reporting_order 2>/dev/null)"

# 1. wait until the initial reporting pass (all the never-touched memory)
#    is over: a prtop window of 3 s with no batch at all
settled=0
if [ $have_prtop = 1 ]; then
	try=1 fails=0
	while [ $try -le "$SETTLE_TRIES" ]; do
		timeout 40 "$PRTOP" stat --json -d 3 >/tmp/settle.json 2>/tmp/settle.err
		rc=$?
		b=$(json_num /tmp/settle.json batches_total)
		mark "settle-try $try rc=$rc batches=${b:-?}"
		if [ $rc -ne 0 ] || [ -z "$b" ]; then
			dump "settle-$try" /tmp/settle.json /tmp/settle.err
			fails=$((fails + 1))
			[ $fails -ge 3 ] && break
		elif [ "$b" -eq 0 ] && [ "$(up_s)" -ge "$MIN_SETTLE_UPTIME" ]; then
			settled=1
			break
		fi
		try=$((try + 1))
	done
fi
if [ $settled = 0 ]; then
	# no prtop (or it failed): the initial pass settles ~20 s after boot
	while [ "$(up_s)" -lt 30 ]; do sleep 1; done
	mark "settle-by-time"
fi
mark "settled $settled"

# 2. take the memory and hold it
hog "$MIB"
mark "touched $MIB"

# 3. open the measurement window and wait until prtop is attached.
#    When the host serves a second serial port (test_qemu's "on" boot), a
#    second prtop streams its samples' backlog there, one line each, and the
#    host stamps them on arrival beside QEMU's RSS (tests/backlog_rss.py):
#    the serial console's own lines are too late and too bulky for that.
wstart=$(up_s)
sp=
if [ $have_prtop = 1 ] && [ "$reporting" = 1 ] && [ -n "$BACKLOG_STREAM" ] &&
	[ -c /dev/ttyS1 ] && mkfifo /tmp/bl 2>/dev/null; then
	# the backlog object nests one object (its wait) with no object
	# inside (flat arrays): one match takes it whole
	awk '{ if (match($0, /"backlog": *\{([^{}]|\{[^{}]*\})*\}/)) { o = substr($0, RSTART, RLENGTH)
		sub(/^"backlog": */, "", o); print "PRTOP-RETURN-BACKLOG sample " o; fflush() } }' \
		</tmp/bl >/dev/ttyS1 &
	"$PRTOP" -j "$BACKLOG_STREAM" >/tmp/bl 2>/tmp/stream.err &
	sp=$!
	wait_attached $sp
	mark "stream-attached links=$last"
fi
if [ $have_prtop = 1 ]; then
	timeout $((WINDOW + 60)) "$PRTOP" stat --json -d "$WINDOW" >/tmp/win.json 2>/tmp/win.err &
	pp=$!
	wait_attached $pp
	mark "prtop-attached links=$last"
fi

# 4. the host reads RSS now: memory held, nothing being reported
mark "held"
sleep 3

# 5. free it; reporting hands it back within the rest of the window
kill -USR1 $mh
wait $mh
rc=$?
[ -n "$sp" ] && echo "PRTOP-RETURN-BACKLOG freed" >/dev/ttyS1
mark "freed rc=$rc $(tr '\n' ' ' </tmp/memhog.out)"

if [ $have_prtop = 1 ]; then
	wait "$pp"
	rc=$?
	mark "prtop-exit rc=$rc"
	dump window /tmp/win.json /tmp/win.err
fi
# the host's side of the measurement needs the whole window even when prtop
# is missing or ended early
while [ $(($(up_s) - wstart)) -lt "$WINDOW" ]; do sleep 1; done

# 6. the host reads RSS again: reporting has settled
if [ -n "$sp" ]; then
	echo "PRTOP-RETURN-BACKLOG end" >/dev/ttyS1
	kill "$sp"
	wait "$sp"
	mark "stream-exit rc=$? $(tail -n 2 /tmp/stream.err | tr '\n' ' ')"
fi
mark "window-end"
sleep 5

# 7. reuse of reported memory (the host measures nothing here): while prtop
#    watches, 512 MiB are written and freed (and so reported), then all
#    but 300 MiB of the free memory is taken and held, which must hand out
#    ranges prtop saw reported.
#    prtop's window is ended by SIGTERM after REUSE_WINDOW s: it must exit
#    0 with the window's JSON (busybox timeout execs prtop: $pp is prtop).
#    Without a reporting balloon (the control boot) nothing is reported, so
#    nothing can be reused: skipped.
if [ $have_prtop = 1 ] && [ "$reporting" = 1 ]; then
	timeout $((REUSE_WINDOW + 150)) "$PRTOP" stat --json -d 600 \
		>/tmp/reuse.json 2>/tmp/reuse.err &
	pp=$!
	wait_attached $pp
	rstart=$(up_s)
	mark "reuse-attached links=$last"
	memhog -m 512 -q >/dev/null 2>&1
	mark "reuse-freed 512"
	sleep 8
	# all but 300 MiB of what is free (at least 1200 MiB): more than the
	# memory prtop did not see reported, so some must be taken from the
	# ranges it did (the host checks that lower bound)
	mf=$(awk '/^MemFree:/ { print int($2 / 1024) }' /proc/meminfo)
	take=$((mf - 300))
	[ $take -ge 1200 ] || take=1200
	mark "reuse-memfree $mf take $take"
	: >/tmp/memhog2.out
	memhog -m $take -H -1 -q >/tmp/memhog2.out 2>&1 &
	mh=$!
	# the window ends once all is taken and prtop scanned it (1 s)
	while ! grep -q 'MEMHOG touched' /tmp/memhog2.out && kill -0 $mh 2>/dev/null &&
		[ $(($(up_s) - rstart)) -lt $((REUSE_WINDOW + 60)) ]; do
		sleep 0.5
	done
	mark "reuse-touched $(tr '\n' ' ' </tmp/memhog2.out)"
	sleep 2
	while [ $(($(up_s) - rstart)) -lt "$REUSE_WINDOW" ]; do sleep 1; done
	kill -TERM "$pp"
	wait "$pp"
	mark "reuse-prtop-exit rc=$?"
	dump reuse /tmp/reuse.json /tmp/reuse.err
	kill -USR1 $mh 2>/dev/null
	wait $mh
	# the text outputs in a guest, for the host's 80-column check
	"$PRTOP" -b -n 1 -d 0.5 >/tmp/text-batch.txt 2>&1
	"$PRTOP" doctor -d 0.5 >/tmp/text-doctor.txt 2>&1
	"$PRTOP" knob >/tmp/text-knob.txt 2>&1
	for t in batch doctor knob; do dump "text-$t" "/tmp/text-$t.txt" /dev/null; done
fi
mark "done"
