#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench, the guest part: `prtop bench` inside Debian's stock 6.1 guest
# (QEMU TCG, 2 vCPUs, 2 GiB, free page reporting on, fentry report() and
# the reuse scan live): reporting off vs on at order 9 and 10, each with
# and without prtop, for pf1 with THP and with 4 KiB pages.  The tables'
# "prtop's own cost" blocks are prtop's overhead as a ratio with its 95 %
# interval.  GUEST_REPS (6) repetitions per arm, GUEST_SECS (5) measured
# seconds per run; both matrices take about 12 minutes at the defaults.
# Then prtop's overhead alone (bench --overhead, THP pf1): rounds until its
# 95 % interval is narrower than ±GUEST_CI (2) %, for at most
# GUEST_OVERHEAD_MIN (90) minutes.  GUEST_MATRIX=0 skips the matrices.
# BENCH_KERNEL=6.1 or 6.12 runs instead in the test kernel with the patch
# series of that base (tests/kernel/build.sh): the knobs' matrix (capacity
# 8, delay 500 ms, order 10 against the defaults and reporting off) and
# the refault price; then the overhead with prtop on the series'
# tracepoints (their static keys on), the cost in the observability
# series' cover letter.  GUEST_MATRIX=0 skips the matrices there too.
. tests/lib.sh
. tests/qemu/lib.sh

REPS=${GUEST_REPS:-6}
SECS=${GUEST_SECS:-5}
PF1_STATIC=${PF1_STATIC:-./build-static/tools/pf1}
for f in "$PRTOP_STATIC" "$PF1_STATIC"; do
	[ -x "$f" ] || { echo "bench_guest: $f missing (make STATIC=1)"; exit 1; }
done
run=$CACHE/qemu/bench
mkdir -p "$run"
trap 'qemu_stop' EXIT
trap 'exit 1' INT TERM HUP
if [ -n "${BENCH_KERNEL:-}" ]; then
	img=$(sh tests/kernel/build.sh -b "$BENCH_KERNEL") || { echo "bench_guest: no patched $BENCH_KERNEL kernel"; exit 1; }
	QEMU_VMLINUZ=$img/bzImage QEMU_MODDIR=$img
	PRTOP_INITRAMFS_MODULES=virtio_balloon
	export PRTOP_INITRAMFS_MODULES
	# shellcheck disable=SC2034 # read by tests/qemu/lib.sh
	QEMU_APPEND="console=ttyS0 loglevel=1 panic=-1 tsc=reliable"
	run=$CACHE/qemu/bench-patched-$BENCH_KERNEL
	mkdir -p "$run"
else
	eval "$(sh tests/qemu/kernel.sh)" || { echo "bench_guest: no 6.1 guest kernel"; exit 1; }
fi
{
	echo "BENCHES='"
	if [ -n "${BENCH_KERNEL:-}" ]; then
		if [ "${GUEST_MATRIX:-1}" != 0 ]; then
			echo "--reps $REPS --settle 3 --no-prtop --set capacity=8 --set delay_ms=500 --set order=10 -- pf1 --thp -t 2 -s $SECS -w 1"
			echo "--refault --mib 512 --reps $REPS --thp"
		fi
	elif [ "${GUEST_MATRIX:-1}" != 0 ]; then
		echo "--reps $REPS --settle 3 --set order=10 -- pf1 --thp -t 2 -s $SECS -w 1"
		echo "--reps $REPS --settle 3 --set order=10 -- pf1 -t 2 -s $SECS -w 1"
	fi
	# with the series, the overhead is the cost of its tracepoints with
	# their static keys on (prtop attaches to all four) and of the unreport
	# hook's tracing, beside prtop's own programs: an upper bound
	echo "--overhead --until-ci ${GUEST_CI:-2} --reps 400 --max-minutes ${GUEST_OVERHEAD_MIN:-90} --settle 1 -- pf1 --thp -t 2 -s 4 -w 1"
	echo "'"
	cat tests/qemu/guest_bench.sh
} >"$run/guest.sh"
sh tests/qemu/mkinitramfs.sh -o "$run/initramfs.gz" -m "$QEMU_MODDIR" -s "$run/guest.sh" \
	-f "$PRTOP_STATIC:/bin/prtop" -f "$PF1_STATIC:/bin/pf1" \
	-f tests/qemu/guest_lib.sh:/lib/guest_lib.sh || exit 1
log=$run/serial.log
qemu_start "$log" "$run/initramfs.gz" on 7200 || exit 1
echo "guest bench: serial log $log"
qemu_wait_marker "$log" "PRTOP-BENCH done" 7000 || { echo "guest bench did not finish: $(qemu_log_tail "$log")"; exit 1; }
qemu_stop
rm -rf "$run/blocks"
qemu_blocks "$log" "$run/blocks"
for f in "$run"/blocks/bench*.json; do
	echo
	cat "$f"
done
