#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, time to return in the patched test kernels (tests/kernel/
# build.sh, RETURN_KERNELS, default "6.1 6.12"): in a QEMU TCG guest with
# 3 GiB and 2 vCPUs, `prtop bench --return` of 1 GiB at the default delay
# (2000 ms), delay_ms=250 and delay_ms=1000, RETURN_REPS (5) rounds each,
# with the advice for 90 % within RETURN_WITHIN (3) s.  The guest writes a
# line to its second serial port at each free (--mark /dev/ttyS1), which
# QEMU hands to a unix socket; tests/return_rss.py stamps those lines on
# the host's clock and reads QEMU's VmRSS every RETURN_RSS_STEP (0.1) s,
# and judges each round's host 90 % time (RSS fallen by 90 % of the freed
# GiB) against the guest's.  The same command runs THP pf1 (2 tasks) at each
# setting before its return round (-- pf1, RETURN_PF1_REPS (3) runs of
# RETURN_PF1_SECS (5) s per setting; 0 leaves it out), for the throughput
# change beside each setting's return time in one table; the judge
# recomputes each change and its interval from pf1's runs.  About 6
# minutes per kernel at the defaults.
. tests/lib.sh
. tests/qemu/lib.sh

REPS=${RETURN_REPS:-5}
STEP=${RETURN_RSS_STEP:-0.1}
SETS=${RETURN_SETS:-"delay_ms=250 delay_ms=1000"}
PF1_STATIC=${PF1_STATIC:-./build-static/tools/pf1}
for f in "$PRTOP_STATIC" "$PF1_STATIC"; do
	[ -x "$f" ] || { echo "bench_return_guest: $f missing (make STATIC=1)"; exit 1; }
done
python3 tests/return_rss.py --self-test || exit 1
rec=
trap 'qemu_stop; [ -z "$rec" ] || kill "$rec" 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP
fail=0
for base in ${RETURN_KERNELS:-6.1 6.12}; do
	echo
	img=$(sh tests/kernel/build.sh -b "$base") || { echo "bench_return_guest: no patched $base kernel"; fail=1; continue; }
	run=$CACHE/qemu/return-$base
	rm -rf "$run" && mkdir -p "$run"
	{
		echo "RET_REPS=$REPS RET_SETS='$SETS' RET_WITHIN=${RETURN_WITHIN:-3}"
		echo "PF1_REPS=${RETURN_PF1_REPS:-3} PF1_SECS=${RETURN_PF1_SECS:-5}"
		cat tests/qemu/guest_return.sh
	} >"$run/guest.sh"
	PRTOP_INITRAMFS_MODULES=virtio_balloon
	export PRTOP_INITRAMFS_MODULES
	sh tests/qemu/mkinitramfs.sh -o "$run/initramfs.gz" -m "$img" -s "$run/guest.sh" \
		-f "$PRTOP_STATIC:/bin/prtop" -f "$PF1_STATIC:/bin/pf1" \
		-f tests/qemu/guest_lib.sh:/lib/guest_lib.sh || exit 1
	# shellcheck disable=SC2034 # read by tests/qemu/lib.sh
	QEMU_VMLINUZ=$img/bzImage QEMU_MEM_MIB=3072
	# shellcheck disable=SC2034
	QEMU_APPEND="console=ttyS0 loglevel=1 panic=-1 tsc=reliable"
	# shellcheck disable=SC2034 # ttyS1: the free lines, to the recorder
	QEMU_EXTRA="-chardev socket,id=mark,path=$run/mark.sock,server=on,wait=off -serial chardev:mark"
	log=$run/serial.log
	t0=$(date +%s)
	qemu_start "$log" "$run/initramfs.gz" on 5400 || { fail=1; continue; }
	nice -n -5 python3 tests/return_rss.py record "$run/mark.sock" "$QEMU_PID" "$run/host.log" "$STEP" &
	rec=$!
	echo "time to return, patched $base: serial log $log, host log $run/host.log"
	if ! qemu_wait_marker "$log" "PRTOP-RETURN-GUEST done" 5300; then
		echo "the guest did not finish: $(qemu_log_tail "$log")"
		fail=1
	fi
	qemu_stop
	wait "$rec"
	rec=
	qemu_blocks "$log" "$run/blocks"
	echo "patched $base: whole run $(($(date +%s) - t0)) s; $(tr -d '\r' <"$log" | grep '^PRTOP-RETURN-GUEST rc' | tr '\n' ';')"
	[ -s "$run/blocks/return.err" ] && sed 's/^/guest: /' "$run/blocks/return.err"
	if [ -s "$run/blocks/return.json" ]; then
		python3 tests/return_rss.py judge "$run/blocks/return.json" "$run/host.log" || fail=1
	else
		fail=1
	fi
done
exit $fail
