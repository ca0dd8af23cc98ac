#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run the unit tests and every tests/test_*.sh; close with "N passed, N failed".
# TESTS="machine tui" sh tests/run.sh runs only those scripts.
cd "$(dirname "$0")/.." || exit 2
log=$(mktemp)
# prtop's caches of kallsyms and BTF (src/ksyms_cache.c): a fresh directory
# for the run, so that a run starts uncached as a fresh machine does
kcache=
if [ -z "${PRTOP_CACHE_DIR:-}" ]; then
	kcache=$(mktemp -d)
	PRTOP_CACHE_DIR=$kcache/cache
	export PRTOP_CACHE_DIR
fi
early=
trap 'rm -f "$log" "$log.cur" "$log.err"; [ -z "$kcache" ] || rm -rf "$kcache"
	[ -z "$early" ] || kill -- -"$early" 2>/dev/null' EXIT
trap 'exit 1' INT TERM HUP

run_one() {
	name=$1
	shift
	echo "# $name"
	start=$(date +%s)
	"$@" >"$log.cur" 2>"$log.err"
	rc=$?
	# the unit runner exits 1 after its last check when some failed: those
	# are counted from its "not ok" lines, it did finish
	if [ "$name" = unit ] && [ $rc -eq 1 ] &&
		grep -q '^# unit: [0-9]* passed, [1-9][0-9]* failed$' "$log.cur"; then
		rc=0
	fi
	cat "$log.cur"
	cat "$log.cur" >>"$log"
	if [ $rc -ne 0 ] || ! grep -q '^\(not \)\?ok - ' "$log.cur"; then
		echo "not ok - $name exited $rc without finishing its checks" | tee -a "$log"
		tail -n 20 "$log.err" | sed 's/^/#   /'
	fi
	echo "# $name took $(($(date +%s) - start)) s"
	rm -f "$log.cur" "$log.err"
}

# The first kernel base's image and pristine objects (tests/test_kernel.sh),
# built from here in the background at the lowest priority: from an empty
# cache that build takes about 16 minutes, which the tests before
# test_kernel's turn (about 12 minutes, mostly TCG guests that leave a core
# idle) now overlap.  test_kernel waits for it; a cached base costs nothing.
# PRTOP_KERNEL_PREFETCH=0 leaves it to test_kernel.
if [ "${PRTOP_KERNEL_PREFETCH:-1}" != 0 ] &&
	{ [ -z "${TESTS:-}" ] || echo " $TESTS " | grep -q ' kernel '; }; then
	kdir=${PRTOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prtop}/kernel-test
	first=$(echo ${PRTOP_KERNEL_BASES:-6.1 6.12} | awk '{ print $1 }')
	mkdir -p "$kdir"
	setsid sh -c 'PRTOP_KERNEL_NICE=19 timeout -k 10 3600 sh tests/kernel/build.sh -b "$1" &&
		PRTOP_KERNEL_NICE=19 timeout -k 10 3600 sh tests/kernel/build.sh -b "$1" --pristine
		rm -f "$2"' sh "$first" "$kdir/prefetch-early.pid" \
		>/dev/null 2>"$kdir/prefetch-early.err" </dev/null &
	early=$!
	echo "$early" >"$kdir/prefetch-early.pid"
fi

if [ -z "${TESTS:-}" ] || echo " $TESTS " | grep -q ' unit '; then
	run_one unit ./build/unit
fi
for t in tests/test_*.sh; do
	n=${t#tests/test_}
	n=${n%.sh}
	if [ -n "${TESTS:-}" ] && ! echo " $TESTS " | grep -q " $n "; then
		continue
	fi
	run_one "$n" sh "$t"
done

passed=$(grep -c '^ok - ' "$log")
failed=$(grep -c '^not ok - ' "$log")
echo
grep '^not ok - ' "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
