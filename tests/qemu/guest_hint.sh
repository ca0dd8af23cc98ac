# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/test_hinting.sh (busybox sh, run by the initramfs
# /init).  The test prepends WINDOW=.  prtop watches a window of WINDOW
# seconds, ended by SIGTERM; once it is attached the guest prints its
# MemFree and "PRTOP-HINT attached", and
# the host migrates the guest to a null sink and resumes it, which makes
# QEMU start free page hinting (a command id), stop it, and say done.
: "${WINDOW:=40}"
PRTOP=/bin/prtop

up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "PRTOP-HINT $* t=$(up)"; }

. /lib/guest_lib.sh

for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device")" = 0x0005 ] && mark "balloon $(basename "$d") features $(cut -c1-8 "$d/features")"
done
# where hinting is offered (feature bit 3), 1 GiB held (written, not zero):
# QEMU's first pass, during which the driver hints, takes a while, and what
# is free can be hinted in it
hint_bit=0
for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device")" = 0x0005 ] && hint_bit=$(cut -c4 "$d/features")
done
if [ "$hint_bit" = 1 ]; then
	hog 1024
	mark "hog 1024 MiB held"
else
	# not offered: nothing to wait for but the migration (~7 s)
	WINDOW=15
fi
mark "window $WINDOW"
# a window longer than the test's, ended by SIGTERM: stat must still print
# it and exit 0
timeout $((WINDOW * 4 + 60)) "$PRTOP" stat --json -d $((WINDOW * 4)) >/tmp/hint.json 2>/tmp/hint.err &
pp=$!
wait_attached $pp
# the free memory the host's migration (next) finds: nothing else runs here
mark "memfree-kib $(awk '/^MemFree:/ { print $2 }' /proc/meminfo)"
mark "attached links=$last"
sleep "$WINDOW"
kill -TERM $pp
wait $pp
mark "prtop-exit rc=$?"
dump hint /tmp/hint.json /tmp/hint.err
"$PRTOP" doctor >/tmp/doctor.txt 2>&1
dump doctor /tmp/doctor.txt /dev/null
mark "done"
