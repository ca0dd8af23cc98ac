# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/test_host.sh (busybox sh, run by the initramfs /init).
# The test prepends MIB= and WINDOW=.  Markers ("PRTOP-HOST <what>") tell
# the host when to read its side: "held" (memory held, nothing reported),
# "window-end" (reporting settled after the free) and "retouched" (the
# same amount written again).  The guest pauses after each of them.  Every
# marker carries the guest's uptime (t=): "freed", "window-end",
# "rewriting" and "retouched" bound the age of the refaults.

: "${MIB:=768}" "${WINDOW:=25}"
PRTOP=/bin/prtop

up() { cut -d' ' -f1 /proc/uptime; }
up_s() { cut -d. -f1 /proc/uptime; }
mark() { echo "PRTOP-HOST $* t=$(up)"; }

. /lib/guest_lib.sh

# the control boot (a balloon without free page reporting) hands nothing
# back: a shorter window shows that as well (the free comes 3 s after
# "held", a report would follow within 2 s)
[ "$(balloon_bit 5)" = 1 ] || WINDOW=12
mark "start mib=$MIB window=$WINDOW"
# 1. the initial pass reports every never-touched page: wait it out
try=1
while [ $try -le 12 ]; do
	timeout 40 "$PRTOP" stat --json -d 3 >/tmp/settle.json 2>/tmp/settle.err
	b=$(json_num /tmp/settle.json batches_total)
	mark "settle-try $try batches=${b:-?}"
	[ "${b:-1}" -eq 0 ] && [ "$(up_s)" -ge 12 ] && break
	try=$((try + 1))
done
mark "settled"

# 2. take the memory, watch the window, free it
hog "$MIB"
mark "touched $MIB"
wstart=$(up_s)
timeout $((WINDOW + 60)) "$PRTOP" stat --json -d "$WINDOW" >/tmp/win.json 2>/tmp/win.err &
pp=$!
wait_attached $pp
mark "held"
sleep 3
kill -USR1 $mh
wait $mh
mark "freed"
wait "$pp"
mark "prtop-exit rc=$?"
dump window /tmp/win.json /tmp/win.err
while [ $(($(up_s) - wstart)) -lt "$WINDOW" ]; do sleep 1; done
mark "window-end"
sleep 5

# 3. write the same amount again: the host faults the discarded memory back
# (every refault is then at least rewriting - window-end old, at most
# retouched - freed)
mark "rewriting"
hog "$MIB"
mark "retouched $MIB"
sleep 6
kill -USR1 $mh
wait $mh
mark "done"
