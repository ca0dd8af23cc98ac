#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make mutate: each tests/mutants/*.patch breaks one figure a user reads.  For
# every mutant: copy the checkout (with its build outputs, so the rebuild is
# incremental) into a scratch folder, apply the patch there, rebuild, run the
# tests its "Tests:" line names and say "caught" when they fail, "SURVIVED"
# when they pass.  A mutant that no longer applies or builds is "broken": the
# patch has rotted and must be made again.  Closes with the kill ratio.
#
#   sh tests/mutate.sh                  every mutant
#   MUTANTS='host-*' sh tests/mutate.sh the mutants whose file name matches
#   MUTANTS='unit-* host-*' ...         several globs, run in that order
#   sh tests/mutate.sh --list           each mutant, its tests and what it breaks
#   sh tests/mutate.sh --check          each mutant applies and names its tests
#                                       (no build, no test: the part in make test)
#
# MUTATE_BASELINE=1 first runs the union of the named tests on the unmutated
# tree: a mutant "caught" by a test that fails anyway proves nothing.
# MUTATE_KEEP=1 keeps the scratch folders (their path is printed).
# A mutant is caught at its first "not ok": its tests are stopped there
# (guests and all) rather than run to the end, which cuts a full run by
# hours; MUTATE_FULL=1 runs every named test to its end.
# The tests run one after another; nothing else should run prtop meanwhile,
# or MUTATE_LOCK names a command each mutant's tests run under, e.g.
# MUTATE_LOCK='flock /tmp/prtop-guest.lock' to take turns with other runs.
cd "$(dirname "$0")/.." || exit 2
top=$(pwd)
MUTATE_LOCK=${MUTATE_LOCK:-}
dir=tests/mutants
mode=run
case ${1:-} in
--list) mode=list ;;
--check) mode=check ;;
"") ;;
*) echo "usage: sh tests/mutate.sh [--list | --check]" >&2; exit 2 ;;
esac

# field FILE NAME: the value of the header line "NAME: value" before the diff
field() {
	sed -n "/^diff --git /q; s/^$2: *//p" "$1" | head -n 1
}

# mutants: the patches MUTANTS names, one or more globs apart by spaces, in
# the order of the globs, each once
mutants() {
	set -f
	set -- ${MUTANTS:-*}
	set +f
	for _g; do
		for _m in "$dir"/$_g.patch; do
			[ -f "$_m" ] && echo "$_m"
		done
	done | awk '!seen[$0]++'
}

known_tests() {
	echo unit
	for _t in tests/test_*.sh; do
		_t=${_t#tests/test_}
		echo "${_t%.sh}"
	done
}

# check_one FILE: the header names tests that exist and the patch applies
check_one() {
	_tests=$(field "$1" Tests)
	_breaks=$(field "$1" Breaks)
	[ -n "$_tests" ] || { echo "no 'Tests:' line"; return 1; }
	[ -n "$_breaks" ] || { echo "no 'Breaks:' line"; return 1; }
	for _t in $_tests; do
		known_tests | grep -qx "$_t" || { echo "names no test '$_t'"; return 1; }
	done
	git apply --check "$1" 2>&1 | head -n 1 | grep . && return 1
	return 0
}

list=$(mutants)
[ -n "$list" ] || { echo "no mutants match '$dir/${MUTANTS:-*}.patch'" >&2; exit 1; }

if [ "$mode" = list ]; then
	for m in $list; do
		printf '%-40s %-16s %s\n' "$(basename "$m" .patch)" "$(field "$m" Tests)" "$(field "$m" Breaks)"
	done
	exit 0
fi

if [ "$mode" = check ]; then
	. tests/lib.sh
	for m in $list; do
		why=$(check_one "$m")
		check "mutant $(basename "$m" .patch) applies and names its tests${why:+: $why}" [ -z "$why" ]
	done
	exit 0
fi

# build TREE: the binaries the tests use, with -Werror as make test builds them
build() {
	make -C "$1" -s WERROR=1 all build/unit >"$1/.mutate-build.log" 2>&1 &&
		make -C "$1" -s WERROR=1 STATIC=1 all >>"$1/.mutate-build.log" 2>&1
}

# copy_tree DEST: the checkout without .git, with its build outputs
copy_tree() {
	mkdir -p "$1"
	tar -C "$top" --exclude=./.git --exclude=./build-san --exclude=./build-fuzz -cf - . |
		tar -C "$1" -xf -
}

build "$top" || { echo "mutate: the unmutated tree does not build: see $top/.mutate-build.log" >&2; exit 1; }

if [ "${MUTATE_BASELINE:-0}" = 1 ]; then
	all=$(for m in $list; do field "$m" Tests; done | tr ' ' '\n' | sort -u | paste -sd' ' -)
	echo "# baseline: $all"
	if ! TESTS="$all" sh tests/run.sh >"$top/.mutate-baseline.log" 2>&1; then
		tail -n 5 "$top/.mutate-baseline.log"
		echo "mutate: the unmutated tree fails these tests: nothing a mutant does can be told apart" >&2
		exit 1
	fi
fi

# run_tests TREE TESTS: run TESTS in TREE (log in TREE/.mutate-tests.log);
# false when a check failed.  Unless MUTATE_FULL=1, the tests are stopped at
# the first failed check: they run in their own session, so the TERM reaches
# every process they started, and their traps clean up.  run.sh shows a
# test's lines only when it ends: its temporary files are put in the scratch
# tree so that the running test's lines can be read there.
run_tests() {
	if [ "${MUTATE_FULL:-0}" = 1 ]; then
		(cd "$1" && TESTS="$2" $MUTATE_LOCK sh tests/run.sh >.mutate-tests.log 2>&1)
		return
	fi
	mkdir -p "$1/.tmp"
	(cd "$1" && TMPDIR="$1/.tmp" TESTS="$2" exec setsid $MUTATE_LOCK sh tests/run.sh >.mutate-tests.log 2>&1) &
	_pid=$!
	while kill -0 $_pid 2>/dev/null; do
		if cat "$1/.mutate-tests.log" "$1"/.tmp/*.cur 2>/dev/null | grep -q '^not ok - '; then
			kill -TERM -- -$_pid 2>/dev/null
			_i=0
			while kill -0 -- -$_pid 2>/dev/null && [ $_i -lt 60 ]; do
				sleep 0.5
				_i=$((_i + 1))
			done
			kill -KILL -- -$_pid 2>/dev/null
			wait $_pid 2>/dev/null
			return 1
		fi
		sleep 1
	done
	wait $_pid
}

caught=0 survived=0 broken=0
for m in $list; do
	name=$(basename "$m" .patch)
	tests=$(field "$m" Tests)
	scratch=$(mktemp -d "${TMPDIR:-/tmp}/prtop-mutant.XXXXXX")
	start=$(date +%s)
	copy_tree "$scratch"
	if ! (cd "$scratch" && git apply "$top/$m") 2>"$scratch/.mutate-apply.log"; then
		verdict=broken why="does not apply: $(head -n 1 "$scratch/.mutate-apply.log")"
	elif ! build "$scratch"; then
		verdict=broken why="does not build: $(grep -m 1 'error' "$scratch/.mutate-build.log")"
	elif run_tests "$scratch" "$tests"; then
		verdict=SURVIVED why="$tests passed"
	else
		verdict=caught
		why=$(cat "$scratch/.mutate-tests.log" "$scratch"/.tmp/*.cur 2>/dev/null | grep -m 1 '^not ok - ')
	fi
	case $verdict in
	caught) caught=$((caught + 1)) ;;
	SURVIVED) survived=$((survived + 1)) ;;
	broken) broken=$((broken + 1)) ;;
	esac
	printf '%-8s %-40s %4ss  [%s] %s\n' "$verdict" "$name" "$(($(date +%s) - start))" "$tests" "$why"
	if [ "${MUTATE_KEEP:-0}" = 1 ]; then
		echo "#   kept: $scratch"
	else
		rm -rf "$scratch"
	fi
done

total=$((caught + survived + broken))
echo
echo "mutants: $total, caught $caught, survived $survived, broken $broken;" \
	"kill ratio $((caught * 100 / total)) %"
[ "$survived" -eq 0 ] && [ "$broken" -eq 0 ]
