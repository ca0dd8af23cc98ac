#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bundled kernel patch series (patches/): checkpatch --strict is clean,
# the series applies to a pristine linux-source-6.1, the kernel builds
# (tests/kernel/build.sh, cached by the hash of the series and the config
# fragment), and it boots under QEMU TCG with a free-page-reporting
# virtio-balloon.  There tests/kernel/guest.sh checks the tracepoints'
# fields and the knobs' rejected writes through tracefs, sysctl and debugfs,
# sets the knobs with `prtop knob` and measures their effect with `prtop
# stat`; tests/kernel/check_prtop.py judges prtop's numbers here.
#
# A clean kernel build takes about 5 minutes on 2 cores, a cached one none.
# Needs `sh tools/deps.sh kernel` (make test runs it) and `make STATIC=1`.
#
# Environment: PRTOP_KERNEL_BUILD_TIMEOUT (s, default 3600),
# PRTOP_KERNEL_BOOT_TIMEOUT (hard limit for QEMU, s, default 420).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/qemu/lib.sh


build_timeout=${PRTOP_KERNEL_BUILD_TIMEOUT:-3600}
boot_timeout=${PRTOP_KERNEL_BOOT_TIMEOUT:-420}
work=$CACHE/kernel-test
mkdir -p "$work" || { not_ok "kernel: cannot create $work"; exit 0; }
log=$work/serial.log
trap 'qemu_stop' EXIT
trap 'exit 130' INT TERM

now() { date +%s; }

# --- checkpatch and applying -----------------------------------------------
out=$(timeout 600 sh tests/kernel/checkpatch.sh 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
n=$(echo "$out" | grep -c '\.patch: total: 0 errors, 0 warnings, 0 checks')
if [ $rc -eq 0 ]; then
	ok "kernel: checkpatch --strict clean on all $n patches"
else
	not_ok "kernel: checkpatch --strict: $(echo "$out" | grep -v 'total: 0 errors, 0 warnings, 0 checks' | head -n 3 | tr '\n' ' ')"
fi

if out=$(timeout 600 sh tests/kernel/build.sh --check-apply 2>&1); then
	ok "kernel: series applies to a pristine tree ($(echo "$out" | tail -n 1 | sed 's/^build.sh: //'))"
else
	not_ok "kernel: series does not apply: $(echo "$out" | tail -n 1)"
	exit 0
fi

# --- build (or cache hit), then a second call that must hit the cache ------
t0=$(now)
bz=$(timeout -k 10 "$build_timeout" sh tests/kernel/build.sh 2>"$work/build.err")
rc=$?
t1=$(now)
if [ $rc -ne 0 ] || [ ! -f "$bz" ]; then
	reason=$(tail -n 1 "$work/build.err")
	[ $rc -eq 124 ] && reason="timed out after $build_timeout s"
	not_ok "kernel: build failed: ${reason:-exit $rc}"
	exit 0
fi
if grep -q 'cached image' "$work/build.err"; then
	echo "# kernel build: cache hit in $((t1 - t0)) s; $(sed -n 's/.*cached image [0-9a-f]* (\(built in [0-9?]* s\))/clean build of this image: \1/p' "$work/build.err")"
else
	echo "# kernel build: clean build took $((t1 - t0)) s"
fi
t0=$(now)
bz2=$(timeout 600 sh tests/kernel/build.sh 2>"$work/build2.err")
t1=$(now)
if [ "$bz2" = "$bz" ] && grep -q 'cached image' "$work/build2.err"; then
	ok "kernel: builds, and an unchanged series is not rebuilt (cached call $((t1 - t0)) s)"
else
	not_ok "kernel: second build call did not reuse the cached image: $(tail -n 1 "$work/build2.err")"
fi
echo "# kernel image: $bz"

# --- guest -------------------------------------------------------------------
memhog=./build-static/tools/memhog
if [ ! -x "$memhog" ]; then
	make -s STATIC=1 "$memhog" >"$work/memhog.log" 2>&1 ||
		{ not_ok "kernel: $memhog missing and 'make STATIC=1' failed: $(tail -n 1 "$work/memhog.log")"; exit 0; }
fi
require "$QEMU_BIN" cpio python3
initrd=$work/initrd.gz
prtop=./build-static/prtop
if [ ! -x "$prtop" ]; then
	not_ok "kernel: $prtop missing: run 'make STATIC=1' first"
	exit 0
fi
if ! out=$(sh tests/qemu/mkinitramfs.sh -o "$initrd" -s tests/kernel/guest.sh -f "$memhog" \
	-f "$prtop" -f tests/qemu/guest_lib.sh:/lib/guest_lib.sh 2>&1); then
	not_ok "kernel: initramfs: $out"
	exit 0
fi

# shellcheck disable=SC2034 # read by tests/qemu/lib.sh
QEMU_VMLINUZ=$bz
# shellcheck disable=SC2034
QEMU_MEM_MIB=${PRTOP_KERNEL_MEM_MIB:-1024}
# the TSC calibrates against the HPET (the kernel has ACPI); tsc=reliable
# keeps the clocksource watchdog from swapping it for a jiffies clock when
# the TCG guest is starved on a busy host: ktime would then tick in
# jiffies and the duration_ns fields would read 0
# shellcheck disable=SC2034
QEMU_APPEND="console=ttyS0 loglevel=1 panic=-1 tsc=reliable"
t0=$(qemu_now_ms)
if ! qemu_start "$log" "$initrd" on "$boot_timeout"; then
	not_ok "kernel: QEMU did not start: $(cat "$log.qemu" 2>/dev/null | tr '\n' ' ')"
	exit 0
fi
qemu_wait_marker "$log" "PRTOP-INIT ready" 120
rc=$?
if [ $rc -ne 0 ]; then
	not_ok "kernel: guest did not reach init (rc $rc): $(qemu_log_tail "$log")"
	exit 0
fi
ok "kernel: boots under QEMU TCG with virtio-balloon free-page-reporting=on ($(($(qemu_now_ms) - t0)) ms to init; $(qemu_marker_line "$log" "PRTOP-INIT ready" | sed 's/.*PRTOP-INIT ready //'))"

qemu_wait_marker "$log" "KTEST done" $((boot_timeout - 30))
rc=$?
# every KTEST line becomes an ok / not ok / "#" line
tr -d '\r' <"$log" | sed -n 's/.*KTEST //p' | while IFS= read -r line; do
	case $line in
	"ok "*) ok "kernel guest: ${line#ok }" ;;
	"notok "*) not_ok "kernel guest: ${line#notok }" ;;
	"val "*) echo "# guest ${line#val }" ;;
	"sample "*) echo "# guest trace: ${line#sample }" ;;
	esac
done
if [ $rc -ne 0 ]; then
	not_ok "kernel: guest checks did not finish (rc $rc): $(qemu_log_tail "$log")"
fi
# prtop's own measurements, judged here
rm -rf "$work/blocks"
qemu_blocks "$log" "$work/blocks"
tr -d '\r' <"$log" | sed -n 's/.*KTEST val //p' >"$work/blocks/vals"
python3 tests/kernel/check_prtop.py "$work/blocks" ||
	not_ok "kernel: tests/kernel/check_prtop.py failed (exit $?)"
qemu_wait_exit 30 || echo "# guest did not power off by itself; QEMU stopped"
qemu_stop
exit 0
