#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Re-do the check of a patch series against an upstream kernel tree (mm's
# for-next or mm-new, mainline, linux-next) where a git clone of it is at
# hand: CI has none, and none could be fetched where the series was made.
#
#   upstream_check.sh TREE DIR...
#
# TREE is a git clone with the branch to check out at HEAD; each DIR a
# folder of git format-patch files with a "series" file (patches/fixes/6.12,
# patches/6.12, patches/observability/6.12, ...), applied in the order
# given.  In a scratch worktree of TREE's HEAD (TREE itself is left alone):
#
#   1. every patch applied with "git am" (no fuzz: "git am" has none);
#   2. scripts/checkpatch.pl --strict of that tree on every patch;
#   3. a minimal kernel configuration (tinyconfig and
#      tests/kernel/config.fragment) and mm/page_reporting.o,
#      mm/page_alloc.o and drivers/virtio/virtio_balloon.o built from it
#      with W=1, warnings fatal.
#
# The first line on stdout is the base ("base: <commit> <subject>"), for
# patches/README.md; then one "ok -" or "not ok -" line per step.  Exit
# status 0 when all steps pass, 1 when one fails (the worktree is kept and
# its path printed), 2 on bad usage.  UPSTREAM_CHECK_JOBS (default nproc).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
[ $# -ge 2 ] || { echo "usage: upstream_check.sh TREE DIR..." >&2; exit 2; }
tree=$(cd "$1" 2>/dev/null && pwd) || { echo "upstream_check.sh: no tree at '$1'" >&2; exit 2; }
shift
git -C "$tree" rev-parse --verify -q HEAD >/dev/null ||
	{ echo "upstream_check.sh: $tree is not a git tree with a HEAD" >&2; exit 2; }
dirs=""
for d; do
	[ -r "$d/series" ] || { echo "upstream_check.sh: no $d/series" >&2; exit 2; }
	dirs="$dirs $(cd "$d" && pwd)"
done
# shellcheck disable=SC2086 # the folders' absolute paths, no spaces
set -- $dirs
jobs=${UPSTREAM_CHECK_JOBS:-$(nproc 2>/dev/null || echo 2)}

work=$(mktemp -d "${TMPDIR:-/tmp}/upstream-check.XXXXXX") || exit 1
wt=$work/linux
failed=0
cleanup() {
	if [ "$failed" -eq 0 ]; then
		git -C "$tree" worktree remove --force "$wt" 2>/dev/null
		rm -rf "$work"
	else
		echo "# kept for a look: $wt (remove with: git -C $tree worktree remove --force $wt)"
	fi
}
trap cleanup EXIT
trap 'failed=1; exit 1' INT TERM HUP

fail() {
	failed=1
	echo "not ok - $*"
}

echo "base: $(git -C "$tree" log -1 --format='%H %s')"
git -C "$tree" worktree add -q --detach "$wt" HEAD 2>"$work/worktree.err" ||
	{ fail "worktree: $(tail -n 1 "$work/worktree.err")"; exit 1; }

# 1. apply
for d; do
	while read -r p; do
		[ -n "$p" ] || continue
		if ! git -C "$wt" -c user.name=check -c user.email=check@localhost \
			am -q --keep-cr "$d/$p" >"$work/am.out" 2>&1; then
			fail "apply: $d/$p: $(grep -m 1 -i 'error\|failed' "$work/am.out")"
			git -C "$wt" am --abort >/dev/null 2>&1
			exit 1
		fi
	done <"$d/series"
done
echo "ok - apply: every patch of$(for d; do printf ' %s' "${d#"$top"/}"; done) with git am"

# 2. checkpatch
bad=""
for d; do
	while read -r p; do
		[ -n "$p" ] || continue
		out=$(cd "$wt" && perl scripts/checkpatch.pl --strict --no-tree -q \
			--ignore UNKNOWN_COMMIT_ID "$d/$p" 2>&1) ||
			bad="$bad $p"
		[ -z "$out" ] || echo "$out" | sed 's/^/# /'
	done <"$d/series"
done
if [ -z "$bad" ]; then
	echo "ok - checkpatch --strict of this tree clean on every patch"
else
	fail "checkpatch --strict:$bad"
fi

# 3. build the objects the series touches
obj=$work/obj
mkdir -p "$obj"
(cd "$wt" && make -s O="$obj" tinyconfig >"$work/config.log" 2>&1 &&
	scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" \
		"$top/tests/kernel/config.fragment" >>"$work/config.log" 2>&1 &&
	make -s O="$obj" olddefconfig >>"$work/config.log" 2>&1) ||
	{ fail "configure: $(tail -n 1 "$work/config.log")"; exit 1; }
for o in mm/page_reporting.o mm/page_alloc.o drivers/virtio/virtio_balloon.o; do
	if (cd "$wt" && make -s -j"$jobs" O="$obj" W=1 KCFLAGS=-Werror "$o") >"$work/build.log" 2>&1; then
		echo "ok - build: $o with W=1, no warning"
	else
		fail "build: $o: $(grep -m 1 -E 'error|warning' "$work/build.log")"
	fi
done
exit $failed
