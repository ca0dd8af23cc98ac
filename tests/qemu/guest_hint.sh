# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/test_hinting.sh (busybox sh, run by the initramfs
# /init).  The test prepends WINDOW=.  prtop watches a window of WINDOW
# seconds; once it is attached the guest prints "PRTOP-HINT attached" and
# the host migrates the guest to a null sink and resumes it, which makes
# QEMU start free page hinting (a command id), stop it, and say done.
: "${WINDOW:=30}"
PRTOP=/bin/prtop

up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "PRTOP-HINT $* t=$(up)"; }

. /lib/guest_lib.sh

for d in /sys/bus/virtio/devices/*; do
	[ "$(cat "$d/device")" = 0x0005 ] && mark "balloon $(basename "$d") features $(cut -c1-8 "$d/features")"
done
timeout $((WINDOW + 60)) "$PRTOP" stat --json -d "$WINDOW" >/tmp/hint.json 2>/tmp/hint.err &
pp=$!
wait_attached $pp
mark "memfree-kib $(awk '/^MemFree:/ { print $2 }' /proc/meminfo)"
mark "attached links=$last"
wait $pp
mark "prtop-exit rc=$?"
dump hint /tmp/hint.json /tmp/hint.err
"$PRTOP" doctor >/tmp/doctor.txt 2>&1
dump doctor /tmp/doctor.txt /dev/null
mark "done"
