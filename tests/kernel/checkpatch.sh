#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check every patch of patches/series with scripts/checkpatch.pl --strict
# from the pristine linux-source-6.1 tree (extracted by build.sh), and
# check the form of each commit: "[PATCH n/N] mm/page_reporting: ..."
# subject, a body, and the prtop Signed-off-by.
#
#   checkpatch.sh
#
# Prints one line per patch, "NAME: total: E errors, W warnings, C checks,
# L lines checked", followed by checkpatch's complaints indented, and exits
# 0 only when every patch is clean.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tree=$(sh "$top/tests/kernel/build.sh" --source) || exit 1
[ -r "$tree/scripts/checkpatch.pl" ] || { echo "checkpatch.sh: no $tree/scripts/checkpatch.pl" >&2; exit 1; }
command -v perl >/dev/null 2>&1 || { echo "checkpatch.sh: perl is missing" >&2; exit 1; }

bad=0
n=0
total=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/patches/series" | wc -l)
for p in $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$top/patches/series"); do
	n=$((n + 1))
	f=$top/patches/$p
	if [ ! -r "$f" ]; then
		echo "$p: missing"
		bad=1
		continue
	fi
	out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --color=never --root="$tree" "$f" 2>&1)
	summary=$(echo "$out" | grep '^total:' | tail -n 1)
	echo "$p: ${summary:-checkpatch printed no summary}"
	case $summary in
	"total: 0 errors, 0 warnings, 0 checks,"*) ;;
	*)
		echo "$out" | grep -E '^(ERROR|WARNING|CHECK|#|\+)' | sed 's/^/    /'
		bad=1
		;;
	esac
	subject=$(sed -n 's/^Subject: //p' "$f" | head -n 1)
	case $subject in
	"[PATCH $n/$total] mm/page_reporting: "*) ;;
	*) echo "    subject is '$subject', expected '[PATCH $n/$total] mm/page_reporting: ...'"; bad=1 ;;
	esac
	grep -qx 'Signed-off-by: prtop developers <prtop@localhost>' "$f" ||
		{ echo "    no 'Signed-off-by: prtop developers <prtop@localhost>'"; bad=1; }
done
[ $n -gt 0 ] || { echo "patches/series lists no patch"; bad=1; }
exit $bad
