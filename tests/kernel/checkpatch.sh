#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check every patch of patches/BASE/series with scripts/checkpatch.pl
# --strict from the pristine linux-source-BASE tree (extracted by build.sh),
# and the form of each one: a "[PATCH v2 n/N] subsystem: summary" subject
# numbered in series order, a body, and a Signed-off-by from its author
# (checkpatch compares the two).  The cover letter, 0000-cover-letter.patch,
# must be there, numbered 0/N.
#
#   checkpatch.sh [-b 6.1|6.12]     (default: $PRTOP_KERNEL_BASE, else 6.1)
#
# Prints one line per patch, "NAME: total: E errors, W warnings, C checks,
# L lines checked", followed by checkpatch's complaints indented, and exits
# 0 only when every patch is clean.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
base=${PRTOP_KERNEL_BASE:-6.1}
if [ "${1:-}" = -b ]; then
	base=${2:-}
fi
dir=$top/patches/$base
[ -r "$dir/series" ] || { echo "checkpatch.sh: no $dir/series" >&2; exit 1; }
tree=$(sh "$top/tests/kernel/build.sh" -b "$base" --source) || exit 1
[ -r "$tree/scripts/checkpatch.pl" ] || { echo "checkpatch.sh: no $tree/scripts/checkpatch.pl" >&2; exit 1; }
command -v perl >/dev/null 2>&1 || { echo "checkpatch.sh: perl is missing" >&2; exit 1; }

# the subject, unfolded (git folds long header lines)
subject() {
	awk '/^Subject: / { s = substr($0, 10); getline
			    while ($0 ~ /^[ \t]/) { sub(/^[ \t]+/, " "); s = s $0; getline }
			    print s; exit }' "$1"
}

bad=0
n=0
total=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dir/series" | wc -l)
width=${#total}
[ "$width" -ge 2 ] || width=2
cover=$dir/0000-cover-letter.patch
if [ -r "$cover" ]; then
	case $(subject "$cover") in
	"[PATCH v2 $(printf "%0${width}d" 0)/$total] "*) echo "0000-cover-letter.patch: subject ok" ;;
	*) echo "0000-cover-letter.patch: subject is '$(subject "$cover")'"; bad=1 ;;
	esac
else
	echo "0000-cover-letter.patch: missing"
	bad=1
fi
for p in $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dir/series"); do
	n=$((n + 1))
	f=$dir/$p
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
	s=$(subject "$f")
	case $s in
	"[PATCH v2 $(printf "%0${width}d" $n)/$total] "?*": "?*) ;;
	*) echo "    subject is '$s', expected '[PATCH v2 $(printf "%0${width}d" $n)/$total] subsystem: ...'"; bad=1 ;;
	esac
	grep -q '^Signed-off-by: ' "$f" || { echo "    no Signed-off-by"; bad=1; }
done
[ $n -gt 0 ] || { echo "patches/$base/series lists no patch"; bad=1; }
exit $bad
