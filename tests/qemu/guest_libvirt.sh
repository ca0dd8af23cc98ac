# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC1091,SC2154 # busybox sh; mh, settle_tries: guest_lib.sh
#
# Guest side of tests/test_libvirt.sh (busybox sh, run by the initramfs
# /init of a libvirt domain).  The test prepends MIB=.  Markers
# ("PRTOP-VIRT <what> t=<uptime>") tell the host when to read its side:
# "held" (MIB MiB written and held, the first reporting pass over) and
# "settled" (MIB freed and reported, reporting quiet again); the guest
# pauses after each so the host reads QEMU's RSS, prtop host and virsh
# dommemstat in the same quiet moment.

: "${MIB:=768}"
PRTOP=/bin/prtop

up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "PRTOP-VIRT $* t=$(up)"; }

. /lib/guest_lib.sh

mark "start mib=$MIB fpr=$(balloon_bit 5)"
# the initial pass reports every never-touched page: wait it out
settle_reporting "$PRTOP"
mark "quiet tries=$settle_tries"
hog "$MIB"
mark "held"
sleep 6
kill -USR1 "$mh"
wait "$mh"
mark "freed"
# the free is reported 2 s later; then reporting stands still again
sleep 3
settle_reporting "$PRTOP"
mark "settled tries=$settle_tries"
sleep 12
mark "done"
