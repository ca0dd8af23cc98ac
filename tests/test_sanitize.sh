#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The unit tests and the machine test again, on make SANITIZE=1's build
# (build-san: ASan, LeakSanitizer, UBSan).  A report fails the check it
# happens in, and every report is also collected from log_path files.
. tests/lib.sh
SAN=${SAN_BUILD:-./build-san}
[ -x "$SAN/prtop" ] && [ -x "$SAN/unit" ] ||
	{ not_ok "no sanitizer build in $SAN (make SANITIZE=1 all $SAN/unit)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
export ASAN_OPTIONS="detect_leaks=1:log_path=$tmp/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$tmp/ubsan"

"$SAN/unit" >"$tmp/unit.out" 2>&1
rc=$?
sed -n 's/^\(not \)\{0,1\}ok - /&sanitized: /p' "$tmp/unit.out"
check "sanitized: unit tests exit 0 ($(tail -n 1 "$tmp/unit.out"))" test $rc -eq 0

PRTOP="$SAN/prtop" sh tests/test_machine.sh >"$tmp/machine.out" 2>&1
sed -n 's/^\(not \)\{0,1\}ok - /&sanitized machine: /p' "$tmp/machine.out"

reports=$(cat "$tmp"/asan.* "$tmp"/ubsan.* 2>/dev/null | grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error' | head -n 3)
check "no ASan, LSan or UBSan report in any sanitized run${reports:+: $reports}" test -z "$reports"
