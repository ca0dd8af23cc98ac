# SPDX-License-Identifier: GPL-2.0
#
# The second boot of a patched test kernel (tests/test_kernel.sh), as
# /guest.sh: the initramfs carries the /etc/sysctl.d and /etc/tmpfiles.d
# files that `prtop knob --persist capacity=16 delay_ms=1500 order=10` wrote
# in the first boot (tests/kernel/guest.sh), and Debian's own
# systemd-sysctl and systemd-tmpfiles.  They are applied as a boot applies
# them, before the modular balloon driver is loaded; the values must then
# be in force after the driver registers, in its first reporting run.
# Results are "KTEST ok/notok" lines, as in guest.sh, then "KTEST done".

T=/sys/kernel/tracing
P=/sys/module/page_reporting/parameters
V=/proc/sys/vm

ok() { echo "KTEST ok persist: $*"; }
notok() { echo "KTEST notok persist: $*"; }
knobs() { echo "$(cat $V/page_reporting_capacity) $(cat $P/page_reporting_delay_ms) $(cat $P/page_reporting_order)"; }

echo "KTEST val persist_before $(knobs)"
for f in /etc/sysctl.d/90-prtop.conf /etc/tmpfiles.d/90-prtop.conf; do
	[ -r $f ] || notok "$f is not in the initramfs"
done
mkdir -p /run
/lib/systemd/systemd-sysctl >/tmp/sysctl.out 2>&1 ||
	notok "systemd-sysctl failed: $(tr '\n' ' ' </tmp/sysctl.out)"
systemd-tmpfiles --create /etc/tmpfiles.d/90-prtop.conf >/tmp/tmpfiles.out 2>&1 ||
	notok "systemd-tmpfiles --create failed: $(tr '\n' ' ' </tmp/tmpfiles.out)"
seen=$(knobs)
if [ "$seen" = "16 1500 10" ]; then
	ok "systemd-sysctl and systemd-tmpfiles applied capacity 16, delay_ms 1500, order 10 before the balloon loaded"
else
	notok "after systemd-sysctl and systemd-tmpfiles: capacity delay_ms order are $seen, expected 16 1500 10"
fi

echo 1 >$T/events/page_reporting/page_reporting_work_start/enable
echo 1 >$T/tracing_on
if insmod /lib/prtop/virtio_balloon.ko 2>/tmp/insmod.err; then
	i=0
	while ! grep -q 'page_reporting_work_start:' $T/trace && [ $i -lt 20 ]; do
		sleep 0.5
		i=$((i + 1))
	done
	first=$(grep -m 1 'page_reporting_work_start:' $T/trace | sed 's/.*page_reporting_work_start: //')
	seen=$(knobs)
	if [ "$seen" = "16 1500 10" ] && [ "$first" = "capacity=16 order=10 delay_ms=1500" ]; then
		ok "virtio_balloon registered; the persisted values are in force in its first run ($first)"
	else
		notok "after virtio_balloon registered: values $seen, first run '$first'; expected 16 1500 10 and capacity=16 order=10 delay_ms=1500"
	fi
else
	notok "insmod virtio_balloon.ko: $(cat /tmp/insmod.err)"
fi
echo "KTEST done"
