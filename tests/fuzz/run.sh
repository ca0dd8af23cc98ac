#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run libFuzzer targets: sh tests/fuzz/run.sh SECS TARGET...
#   SECS > 0: fuzz each target for SECS seconds, starting from its seed
#             corpus (tests/fuzz/corpus/TARGET, read only) and the inputs
#             found so far (build-fuzz/corpus/TARGET)
#   SECS = 0: replay the seed corpus only
# One line per target: executions, and crashes (a crash leaves its input
# in build-fuzz/crash-TARGET-*); then "N passed, N failed" over targets.
secs=$1
shift
out=build-fuzz
passed=0 failed=0 total=0
for t in "$@"; do
	bin=$out/fuzz_$t
	seeds=tests/fuzz/corpus/$t
	work=$out/corpus/$t
	mkdir -p "$work"
	if [ "$secs" -gt 0 ]; then
		"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
			-max_len=65536 -artifact_prefix="$out/crash-$t-" "$work" "$seeds" >"$out/$t.log" 2>&1
	else
		"$bin" -runs=0 -print_final_stats=1 -artifact_prefix="$out/crash-$t-" "$seeds" \
			>"$out/$t.log" 2>&1
	fi
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n 1)
	total=$((total + ${execs:-0}))
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz $t: ${execs:-?} executions, 0 crashes"
		passed=$((passed + 1))
	else
		echo "not ok - fuzz $t: exit $rc after ${execs:-?} executions: $(grep -m1 -E 'ERROR|runtime error' "$out/$t.log")"
		failed=$((failed + 1))
	fi
done
echo "# fuzz: $total executions in all"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
