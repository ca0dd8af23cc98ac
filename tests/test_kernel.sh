#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The bundled kernel patch series, on both bases (patches/6.1/ against
# Debian's linux-source-6.1, patches/6.12/ against linux-source-6.12): for
# each, checkpatch --strict is clean, the series applies to a pristine tree,
# the kernel builds (tests/kernel/build.sh, cached outside the clone by the
# hash of the series, the config fragment and the test module), and it
# boots twice under QEMU TCG with a free-page-reporting virtio-balloon whose
# driver is a module:
#   1. tests/kernel/guest.sh checks the tracepoints' fields, the knobs'
#      bounds before and across device registration, a device's order and
#      batch sizes with the test device tests/kernel/prdev, the delay as
#      upstream has it, the vmstat counters, sets the
#      knobs with `prtop knob` (and --persist) and measures their effect
#      with `prtop stat`; tests/kernel/check_prtop.py judges prtop's numbers
#      in every window against the growth of /proc/vmstat's counters and the
#      tracefs events recorded in the same window (the guest's outputs stay
#      in $CACHE/kernel-test/BASE/blocks: check_prtop.py DIR BASE re-judges)
#   2. tests/kernel/guest_persist.sh boots with the file --persist wrote,
#      applies it with systemd-tmpfiles before the balloon loads, and
#      checks the values in force in its first reporting run.
# Also reported: bloat-o-meter of mm/page_alloc.o against the unpatched
# tree with the same configuration.
#
# A clean build takes 12 to 15 minutes per base on 2 cores, a cached one
# none; the second base's builds while the first base's guests run.  Needs `sh tools/deps.sh kernel` (make test runs it) and `make
# STATIC=1`.  PRTOP_KERNEL_BASES (default "6.1 6.12") picks the bases.
#
# Environment: PRTOP_KERNEL_BUILD_TIMEOUT (s, default 3600),
# PRTOP_KERNEL_BOOT_TIMEOUT (hard limit for QEMU, s, default 420).
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/qemu/lib.sh

build_timeout=${PRTOP_KERNEL_BUILD_TIMEOUT:-3600}
boot_timeout=${PRTOP_KERNEL_BOOT_TIMEOUT:-420}
bases=${PRTOP_KERNEL_BASES:-"6.1 6.12"}
trap 'qemu_stop; [ -z "$PREFETCH_PID" ] || kill -TERM -"$PREFETCH_PID" 2>/dev/null' EXIT
trap 'exit 130' INT TERM

now() { date +%s; }

memhog=./build-static/tools/memhog
prtop=./build-static/prtop
if [ ! -x "$memhog" ]; then
	make -s STATIC=1 "$memhog" >/dev/null 2>&1 ||
		{ not_ok "kernel: $memhog missing and 'make STATIC=1' failed"; exit 0; }
fi
[ -x "$prtop" ] || { not_ok "kernel: $prtop missing: run 'make STATIC=1' first"; exit 0; }
require "$QEMU_BIN" cpio python3 ldd

# ktest_lines LOG: every KTEST line of a serial log as an ok / not ok / # line
ktest_lines() {
	tr -d '\r' <"$1" | sed -n 's/.*KTEST //p' | while IFS= read -r line; do
		case $line in
		"ok "*) ok "kernel $base guest: ${line#ok }" ;;
		"notok "*) not_ok "kernel $base guest: ${line#notok }" ;;
		"val "*) echo "# guest $base ${line#val }" ;;
		"sample "*) echo "# guest $base trace: ${line#sample }" ;;
		esac
	done
}

# boot LOG INITRD MARKER: boot the image, wait for MARKER; 1 with a not ok
boot() {
	if ! qemu_start "$1" "$2" on "$boot_timeout"; then
		not_ok "kernel $base: QEMU did not start: $(tr '\n' ' ' <"$1.qemu" 2>/dev/null)"
		return 1
	fi
	if ! qemu_wait_marker "$1" "PRTOP-INIT ready" 120; then
		not_ok "kernel $base: guest did not reach init: $(qemu_log_tail "$1")"
		return 1
	fi
	qemu_wait_marker "$1" "$3" $((boot_timeout - 30)) ||
		not_ok "kernel $base: guest checks did not finish: $(qemu_log_tail "$1")"
	return 0
}

# persisted FILE LOG DEST: the FILE block the first boot printed -> DEST
persisted() {
	tr -d '\r' <"$2" | awk -v f="$1" '$0 == "PRTOP-FILE-BEGIN " f { on = 1; next }
		$0 == "PRTOP-FILE-END " f { on = 0 } on' >"$3"
	[ -s "$3" ]
}

one_base() {
	work=$CACHE/kernel-test/$base
	rm -rf "$work"
	mkdir -p "$work" || { not_ok "kernel $base: cannot create $work"; return; }

	# --- checkpatch and applying ---------------------------------------
	# a build begun in the background holds build.sh's lock, which
	# checkpatch's and the apply check's calls of build.sh take too
	prefetch_wait
	out=$(timeout 600 sh tests/kernel/checkpatch.sh -b "$base" 2>&1)
	rc=$?
	echo "$out" | sed "s/^/# $base /"
	n=$(echo "$out" | grep -c '\.patch: total: 0 errors, 0 warnings, 0 checks')
	if [ $rc -eq 0 ]; then
		ok "kernel $base: checkpatch --strict clean on all $n patches (fixes and series), cover letters present"
	else
		not_ok "kernel $base: checkpatch --strict: $(echo "$out" | grep -v 'total: 0 errors, 0 warnings, 0 checks' | head -n 3 | tr '\n' ' ')"
	fi
	if out=$(timeout 600 sh tests/kernel/build.sh -b "$base" --check-apply 2>&1); then
		ok "kernel $base: series applies to a pristine tree ($(echo "$out" | tail -n 1 | sed 's/^build.sh: //'))"
	else
		not_ok "kernel $base: series does not apply: $(echo "$out" | tail -n 1)"
		return
	fi

	# --- build (or cache hit), then a second call that must hit the cache
	t0=$(now)
	img=$(timeout -k 10 "$build_timeout" sh tests/kernel/build.sh -b "$base" 2>"$work/build.err")
	rc=$?
	t1=$(now)
	if [ $rc -ne 0 ] || [ ! -f "$img/bzImage" ]; then
		reason=$(tail -n 1 "$work/build.err")
		[ $rc -eq 124 ] && reason="timed out after $build_timeout s"
		not_ok "kernel $base: build failed: ${reason:-exit $rc}"
		return
	fi
	if grep -q 'cached image' "$work/build.err"; then
		echo "# kernel $base build: cache hit in $((t1 - t0)) s; $(sed -n 's/.*cached image [0-9a-f]* (\(built in [0-9?]* s\))/clean build of this image: \1/p' "$work/build.err")"
	else
		echo "# kernel $base build: clean build took $((t1 - t0)) s"
	fi
	img2=$(timeout 600 sh tests/kernel/build.sh -b "$base" 2>"$work/build2.err")
	if [ "$img2" = "$img" ] && grep -q 'cached image' "$work/build2.err"; then
		ok "kernel $base: builds, and an unchanged series is not rebuilt"
	else
		not_ok "kernel $base: second build call did not reuse the cached image: $(tail -n 1 "$work/build2.err")"
	fi
	echo "# kernel $base image: $img"
	bloat
	prefetch_next

	# --- boot 1: the checks, prtop, --persist ---------------------------
	if ! out=$(sh tests/qemu/mkinitramfs.sh -o "$work/initrd1.gz" -s tests/kernel/guest.sh \
		-f "$memhog" -f "$prtop" -f tests/qemu/guest_lib.sh:/lib/guest_lib.sh \
		-f "$img/virtio_balloon.ko:/lib/prtop/virtio_balloon.ko" \
		-f "$img/prdev.ko:/lib/prtop/prdev.ko" 2>&1); then
		not_ok "kernel $base: initramfs: $out"
		return
	fi
	# shellcheck disable=SC2034 # read by tests/qemu/lib.sh
	QEMU_VMLINUZ=$img/bzImage
	# shellcheck disable=SC2034
	QEMU_MEM_MIB=${PRTOP_KERNEL_MEM_MIB:-1024}
	# the TSC calibrates against the HPET (the kernel has ACPI); tsc=reliable
	# keeps the clocksource watchdog from swapping it for a jiffies clock
	# when the TCG guest is starved on a busy host: ktime would then tick in
	# jiffies and the duration_ns fields would read 0
	# shellcheck disable=SC2034
	QEMU_APPEND="console=ttyS0 loglevel=1 panic=-1 tsc=reliable"
	log=$work/serial1.log
	t0=$(qemu_now_ms)
	if boot "$log" "$work/initrd1.gz" "KTEST done"; then
		ok "kernel $base: boots under QEMU TCG, balloon driver a module ($(qemu_marker_line "$log" "PRTOP-INIT ready" | sed 's/.*PRTOP-INIT ready //'); whole run $(($(qemu_now_ms) - t0)) ms)"
	fi
	ktest_lines "$log"
	rm -rf "$work/blocks"
	qemu_blocks "$log" "$work/blocks"
	tr -d '\r' <"$log" | sed -n 's/.*KTEST val //p' >"$work/blocks/vals"
	echo "# kernel $base: the guest's outputs are in $work/blocks"
	python3 tests/kernel/check_prtop.py "$work/blocks" "$base" ||
		not_ok "kernel $base: tests/kernel/check_prtop.py failed (exit $?)"
	qemu_wait_exit 30 || echo "# guest did not power off by itself; QEMU stopped"
	qemu_stop

	# --- boot 2: what --persist wrote, applied at boot ------------------
	mkdir -p "$work/etc"
	if ! persisted tmpfiles.d "$log" "$work/etc/tmpfiles.conf"; then
		not_ok "kernel $base: persistence: the first boot printed no persisted tmpfiles.d file"
		return
	fi
	# systemd's tool and every library it loads, at the same paths
	tools="/bin/systemd-tmpfiles"
	# shellcheck disable=SC2086
	libs=$(for t in $tools; do ldd "$t"; done | awk '$2 == "=>" && $3 ~ /^\// {print "-f " $3 ":" $3} $1 ~ /^\// {print "-f " $1 ":" $1}' | sort -u)
	# shellcheck disable=SC2086
	if ! out=$(sh tests/qemu/mkinitramfs.sh -o "$work/initrd2.gz" -s tests/kernel/guest_persist.sh \
		-f /bin/systemd-tmpfiles:/bin/systemd-tmpfiles $libs \
		-f "$work/etc/tmpfiles.conf:/etc/tmpfiles.d/90-prtop.conf" \
		-f "$img/virtio_balloon.ko:/lib/prtop/virtio_balloon.ko" 2>&1); then
		not_ok "kernel $base: persistence initramfs: $out"
		return
	fi
	log=$work/serial2.log
	boot "$log" "$work/initrd2.gz" "KTEST done" &&
		ok "kernel $base: rebooted with the files prtop knob --persist wrote"
	ktest_lines "$log"
	qemu_wait_exit 30 || echo "# guest did not power off by itself; QEMU stopped"
	qemu_stop
}

# prefetch_next: build the next base's kernel and pristine objects in the
# background, at the lowest priority, while this base's guests run (TCG
# leaves a core idle much of the time); a cached base costs nothing.  The
# build is the same build.sh call the next base makes, which then finds it
# cached, or fails and says why.  Its own process group, killed on exit.
PREFETCH_PID=""
prefetch_next() {
	next=$(echo " $bases " | sed "s/.* $base //" | awk '{ print $1 }')
	[ -n "$next" ] || return 0
	setsid sh -c 'PRTOP_KERNEL_NICE=19 timeout -k 10 "$1" sh tests/kernel/build.sh -b "$2" &&
		PRTOP_KERNEL_NICE=19 timeout -k 10 "$1" sh tests/kernel/build.sh -b "$2" --pristine' \
		sh "$build_timeout" "$next" >/dev/null 2>"$CACHE/kernel-test/prefetch-$next.err" </dev/null &
	PREFETCH_PID=$!
}

# prefetch_wait: the background build of this base, if any, is over: the
# one tests/run.sh began at the start of the run for the first base (its
# pid file goes when it ends), or the one begun beside the previous base
prefetch_wait() {
	pidf=$CACHE/kernel-test/prefetch-early.pid
	if [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
		t=$(now)
		while [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; do
			sleep 2
		done
		echo "# kernel $base: waited $(($(now) - t)) s for its build begun at the start of the run"
		sed 's/^/# prefetch: /' "$CACHE/kernel-test/prefetch-early.err" 2>/dev/null | tail -n 3
	fi
	rm -f "$pidf"
	[ -n "$PREFETCH_PID" ] || return 0
	t=$(now)
	wait "$PREFETCH_PID"
	PREFETCH_PID=""
	echo "# kernel $base: waited $(($(now) - t)) s for its build begun beside the previous base's guests"
}

# bloat: mm/page_alloc.o of this image against the unpatched tree's
bloat() {
	pristine=$(timeout -k 10 "$build_timeout" sh tests/kernel/build.sh -b "$base" --pristine 2>"$work/pristine.err") ||
		{ not_ok "kernel $base: pristine mm/ objects: $(tail -n 1 "$work/pristine.err")"; return; }
	tree=$(sh tests/kernel/build.sh -b "$base" --source 2>/dev/null)
	out=$(python3 "$tree/scripts/bloat-o-meter" "$pristine/page_alloc.o" "$img/page_alloc.o" 2>&1) ||
		{ not_ok "kernel $base: bloat-o-meter failed: $(echo "$out" | tail -n 1)"; return; }
	echo "$out" | sed "s|^|# $base bloat-o-meter mm/page_alloc.o: |"
	total=$(echo "$out" | sed -n 's/^Total: Before=\([0-9]*\), After=\([0-9]*\), chg .*/\1 \2/p')
	# the series moves the reported-page work out of line: the allocator's
	# text may grow by the calls and their reason arguments, not by
	# tracepoint or counter code (which v1 inlined: ~755 B)
	set -- $total
	if [ $# -eq 2 ] && [ $(($2 - $1)) -le 400 ]; then
		ok "kernel $base: mm/page_alloc.o grows by $(($2 - $1)) B (<= 400 B), $1 -> $2"
	else
		not_ok "kernel $base: mm/page_alloc.o grows by more than 400 B: $total"
	fi
}

for base in $bases; do
	one_base
done
exit 0
