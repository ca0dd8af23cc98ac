# SPDX-License-Identifier: GPL-2.0
#
# The second boot of a patched test kernel (tests/test_kernel.sh), as
# /guest.sh: the initramfs carries the /etc/tmpfiles.d file that `prtop knob
# --persist capacity=16 delay_ms=1500 order=10` wrote in the first boot
# (tests/kernel/guest.sh; the three knobs are module parameters of built-in
# code), and Debian's own systemd-tmpfiles.  It is applied as a boot applies
# it, before the modular balloon driver is loaded; the values must then be
# in force after the driver registers, in its first reporting run.
# Results are "KTEST ok/notok" lines, as in guest.sh, then "KTEST done".

T=/sys/kernel/tracing
P=/sys/module/page_reporting/parameters

ok() { echo "KTEST ok persist: $*"; }
notok() { echo "KTEST notok persist: $*"; }
knobs() { echo "$(cat $P/page_reporting_capacity) $(cat $P/page_reporting_delay_ms) $(cat $P/page_reporting_order)"; }

echo "KTEST val persist_before $(knobs)"
[ -r /etc/tmpfiles.d/90-prtop.conf ] || notok "/etc/tmpfiles.d/90-prtop.conf is not in the initramfs"
mkdir -p /run
systemd-tmpfiles --create /etc/tmpfiles.d/90-prtop.conf >/tmp/tmpfiles.out 2>&1 ||
	notok "systemd-tmpfiles --create failed: $(tr '\n' ' ' </tmp/tmpfiles.out)"
seen=$(knobs)
if [ "$seen" = "16 1500 10" ]; then
	ok "systemd-tmpfiles applied capacity 16, delay_ms 1500, order 10 before the balloon loaded"
else
	notok "after systemd-tmpfiles: capacity delay_ms order are $seen, expected 16 1500 10"
fi

echo 1 >$T/events/page_reporting/page_reporting_request/enable
echo 1 >$T/events/page_reporting/page_reporting_work/enable
echo 1 >$T/tracing_on
if insmod /lib/prtop/virtio_balloon.ko 2>/tmp/insmod.err; then
	# the work event comes when the first run ends
	i=0
	while ! grep -q 'page_reporting_work:' $T/trace && [ $i -lt 90 ]; do
		sleep 1
		i=$((i + 1))
	done
	req=$(grep -m 1 'page_reporting_request:' $T/trace | sed 's/.*page_reporting_request: //')
	first=$(grep -m 1 'page_reporting_work:' $T/trace | sed 's/.*page_reporting_work: //')
	seen=$(knobs)
	case "$seen/$req/$first" in
	"16 1500 10/from=idle queued=1 delay_ms=1500/order=10 capacity=16 "*)
		ok "virtio_balloon registered; the persisted values are in force in its first run ($req; $first)" ;;
	*)
		notok "after virtio_balloon registered: values $seen, request '$req', first run '$first'; expected 16 1500 10, delay_ms=1500 and order=10 capacity=16" ;;
	esac
else
	notok "insmod virtio_balloon.ko: $(cat /tmp/insmod.err)"
fi
echo "KTEST done"
