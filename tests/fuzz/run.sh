#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Run libFuzzer targets: sh tests/fuzz/run.sh SECS TARGET...
#   SECS > 0: fuzz each target for SECS seconds, starting from its seed
#             corpus (tests/fuzz/corpus/TARGET, read only) and the inputs
#             found so far (build-fuzz/corpus/TARGET)
#   SECS = 0: replay the seed corpus only
# FUZZ_JOBS targets (default: the number of CPUs) run at a time: each is
# one process fuzzing for a fixed time, so running them side by side gives
# each the same CPU in less wall time.
# One line per target: executions, and crashes (a crash leaves its input
# in build-fuzz/crash-TARGET-*); then "N passed, N failed" over targets.
secs=$1
shift
out=build-fuzz
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# one TARGET: its line of output goes to $out/TARGET.result
one() {
	t=$1
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
	if [ $rc -eq 0 ]; then
		echo "ok - fuzz $t: ${execs:-?} executions, 0 crashes" >"$out/$t.result"
	else
		echo "not ok - fuzz $t: exit $rc after ${execs:-?} executions: $(grep -m1 -E 'ERROR|runtime error' "$out/$t.log")" >"$out/$t.result"
	fi
	echo "${execs:-0}" >"$out/$t.execs"
}

running=0
for t in "$@"; do
	rm -f "$out/$t.result" "$out/$t.execs"
	one "$t" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait

passed=0 failed=0 total=0
for t in "$@"; do
	line=$(cat "$out/$t.result" 2>/dev/null)
	[ -n "$line" ] || line="not ok - fuzz $t: no result (the run did not finish)"
	echo "$line"
	case $line in
	ok*) passed=$((passed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
	total=$((total + $(cat "$out/$t.execs" 2>/dev/null || echo 0)))
done
echo "# fuzz: $total executions in all"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
