#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# memcheck over stat, doctor, knob, export and host: no error and nothing
# definitely or indirectly lost.  tests/valgrind.supp holds the one
# libbpf false positive, with why.
. tests/lib.sh
require valgrind curl python3
mount_kernel_fs
tmp=$(mktemp -d)
vpid=""
cleanup() {
	[ -n "$vpid" ] && kill -KILL "$vpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

VG="valgrind --suppressions=tests/valgrind.supp --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 --child-silent-after-fork=yes"

# verdict NAME LOG RC WANT_RC: memcheck's summary, and the command's own status
verdict() {
	_errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$2" | head -n 1)
	_lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$2" | head -n 1)
	_sup=$(sed -n 's/.*ERROR SUMMARY: .*(suppressed: \([0-9]*\) from.*/\1/p' "$2" | head -n 1)
	if [ "$3" = "$4" ] && [ "${_errs:-x}" = 0 ]; then
		ok "valgrind $1: 0 errors, ${_lost:-0} bytes definitely lost, ${_sup:-0} suppressed (libbpf), exit $3"
	else
		not_ok "valgrind $1: exit $3 (want $4), errors ${_errs:-?}: $(grep -m3 -E '== (Invalid|Conditional|Syscall|Use of|[0-9,]+ bytes in)' "$2" | tr '\n' ' ')"
	fi
}

$VG "$PRTOP" stat -d 1 >"$tmp/stat.out" 2>"$tmp/stat.vg"
verdict "prtop stat -d 1" "$tmp/stat.vg" $? 0
$VG "$PRTOP" doctor -d 1 >"$tmp/doctor.out" 2>"$tmp/doctor.vg"
rc=$?
[ $rc = 1 ] && rc=0 # doctor exits 1 when a problem is diagnosed
verdict "prtop doctor -d 1" "$tmp/doctor.vg" $rc 0
$VG "$PRTOP" knob >"$tmp/knob.out" 2>"$tmp/knob.vg"
verdict "prtop knob (list)" "$tmp/knob.vg" $? 0
$VG "$PRTOP" knob order=-1 >"$tmp/knob2.out" 2>"$tmp/knob2.vg"
verdict "prtop knob order=-1 (refused)" "$tmp/knob2.vg" $? 2

port=$(free_port)
$VG "$PRTOP" export -l "127.0.0.1:$port" -d 1 >"$tmp/export.out" 2>"$tmp/export.vg" &
vpid=$!
served() { curl -sf -o /dev/null "http://127.0.0.1:$port/metrics"; }
if wait_for 120 served; then
	n=$(scrape_rounds "$port" 5 "$tmp/metrics")
	kill -TERM "$vpid"
	wait "$vpid"
	rc=$?
	vpid=""
	verdict "prtop export ($n of 5 scrapes, then SIGTERM)" "$tmp/export.vg" $rc 0
	check "valgrind prtop export: served 5 of 5 scrapes ($n), the last with its samples and build" \
		sh -c "[ $n = 5 ] && grep -q '^prtop_samples_total [1-9]' '$tmp/metrics' &&
			grep -q '^prtop_build_info{' '$tmp/metrics'"
else
	not_ok "valgrind prtop export: not serving within 120 s: $(tail -n 3 "$tmp/export.vg" | tr '\n' ' ')"
fi

$VG "$PRTOP" host -b 1 2 >"$tmp/host.out" 2>"$tmp/host.vg"
verdict "prtop host -b 1 2" "$tmp/host.vg" $? 0
