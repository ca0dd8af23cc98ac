# SPDX-License-Identifier: GPL-2.0
#
# Guest side of tests/test_devloss.sh (busybox sh, run by the initramfs
# /init): virtio_balloon is unloaded and loaded again while prtop's live
# view (-b -j), stat and exporter are attached.  256 MiB are freed before
# the unload and again after the reload; the exporter is scraped before,
# during and after.  Everything goes back to the host in dump blocks.
PRTOP=/bin/prtop
PRTOP_DYN=/bin/prtop-dyn
PORT=9464
up() { cut -d' ' -f1 /proc/uptime; }
mark() { echo "PRTOP-DL $* t=$(up)"; }
scrape() { wget -q -O "/tmp/m$1.txt" "http://127.0.0.1:$PORT/metrics" || : >"/tmp/m$1.txt"; }

. /lib/guest_lib.sh
ip link set lo up
settle_reporting $PRTOP
mark settled

$PRTOP -b -j 1 >/tmp/live.jsonl 2>/tmp/live.err &
lp=$!
# stat's window is the whole test, however long attaching takes (TCG):
# SIGTERM ends it, and it must still print it and exit 0
$PRTOP stat --json -d 900 >/tmp/stat.json 2>/tmp/stat.err &
sp=$!
$PRTOP_DYN export -l "127.0.0.1:$PORT" -d 1 >/tmp/export.out 2>/tmp/export.err &
ep=$!
wait_attached $lp
wait_attached $sp
wait_attached $ep
for p in $lp $sp $ep; do
	mark "caps pid=$p $(grep CapEff /proc/$p/status | tr -d '\t')"
done
scrape 0
memhog -m 256 -H 0 -q
sleep 6
scrape 1
mark "before-unload"
rmmod virtio_balloon
mark "rmmod rc=$?"
# doctor's verdict while no device is registered (its window fills the wait)
$PRTOP doctor --json -d 1 >/tmp/doctor-gone.json 2>/tmp/doctor-gone.err
mark "doctor rc=$?"
sleep 2
scrape 2
mark "while-gone $(grep -c virtio_balloon /proc/modules)"
insmod /lib/modules/virtio_balloon.ko
mark "insmod rc=$?"
sleep 4
memhog -m 256 -H 0 -q
sleep 6
scrape 3
mark "after-reload"
kill $lp
wait $lp
mark "live rc=$?"
kill -TERM $ep
wait $ep
mark "export rc=$?"
kill -TERM $sp
wait $sp
mark "stat rc=$?"
dump live /tmp/live.jsonl /tmp/live.err
dump stat /tmp/stat.json /tmp/stat.err
dump export /tmp/export.out /tmp/export.err
dump doctor-gone /tmp/doctor-gone.json /tmp/doctor-gone.err
for i in 0 1 2 3; do
	grep -E '^prtop_(reported_bytes_total|probe_attached|batches_total)' "/tmp/m$i.txt" >"/tmp/m$i.sel"
	dump "m$i" "/tmp/m$i.sel" /dev/null
done
mark "done"
