#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# CI's share of fuzzing: every libFuzzer target (make fuzz-build) replays
# its seed corpus, then fuzzes for FUZZ_CI_SECS (default 5) seconds.  The
# long runs are make fuzz's.
. tests/lib.sh
targets=$(sed -n 's/^FUZZ_TARGETS := //p' Makefile)
for t in $targets; do
	[ -x "build-fuzz/fuzz_$t" ] || { not_ok "fuzz target $t not built (make fuzz-build)"; exit 0; }
done
# shellcheck disable=SC2086
sh tests/fuzz/run.sh 0 $targets | sed -n 's/^\(not \)\{0,1\}ok - fuzz \([a-z]*\): /&(seed corpus replayed) /p'
# shellcheck disable=SC2086
sh tests/fuzz/run.sh "${FUZZ_CI_SECS:-5}" $targets | grep -E '^(not )?ok - |^# fuzz'
