#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Check every patch of patches/fixes/BASE/series (the stable fixes, where
# there are any), of patches/BASE/series and of
# patches/observability/BASE/series with scripts/checkpatch.pl
# --strict from the pristine linux-source-BASE tree (extracted by build.sh),
# and the form of each one: a "[PREFIX n/N] subsystem: summary" subject
# numbered in series order, PREFIX that of the folder's cover letter
# (0000-cover-letter.patch, "[PATCH v2 00/13] ...", numbered 0/N), a body,
# and a Signed-off-by from its author (checkpatch compares the two); the
# cover letter's own body at least 5 lines, with no placeholder left
# ("*** BLURB HERE ***", "[... to be filled]").
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
[ -r "$top/patches/$base/series" ] || { echo "checkpatch.sh: no patches/$base/series" >&2; exit 1; }
tree=$(sh "$top/tests/kernel/build.sh" -b "$base" --source) || exit 1
[ -r "$tree/scripts/checkpatch.pl" ] || { echo "checkpatch.sh: no $tree/scripts/checkpatch.pl" >&2; exit 1; }
command -v perl >/dev/null 2>&1 || { echo "checkpatch.sh: perl is missing" >&2; exit 1; }

# the subject, unfolded (git folds long header lines)
subject() {
	awk '/^Subject: / { s = substr($0, 10); getline
			    while ($0 ~ /^[ \t]/) { sub(/^[ \t]+/, " "); s = s $0; getline }
			    print s; exit }' "$1"
}

# check_dir DIR: the series of DIR, numbered after its cover letter's
# subject prefix ("[PATCH v2 00/13]", "[PATCH 6.1.y 0/1]", ...)
check_dir() {
	dir=$1
	name=${dir#"$top"/}
	[ -r "$dir/series" ] || { echo "$name/series: missing"; bad=1; return; }
	n=0
	total=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dir/series" | wc -l)
	width=${#total}
	[ "$total" -lt 10 ] || [ "$width" -ge 2 ] || width=2
	cover=$dir/0000-cover-letter.patch
	prefix=
	if [ -r "$cover" ]; then
		cs=$(subject "$cover")
		prefix=$(echo "$cs" | sed -n "s|^\[\(PATCH[^]]*\) 0*0/$total\] ..*|\1|p")
		# the body: the text between the mail headers and git's
		# shortlog ("Author (N):"), without format-patch's placeholders
		lines=$(awk 'body && /^[^ ].* \([0-9]+\):$/ { exit }
			body && NF { n++ } !body && /^$/ { body = 1 } END { print n + 0 }' "$cover")
		if grep -q -e '\*\*\* SUBJECT HERE \*\*\*' -e '\*\*\* BLURB HERE \*\*\*' \
			-e 'to be filled\]' "$cover"; then
			echo "$name/0000-cover-letter.patch: still has a placeholder ($(grep -m 1 -e '\*\*\*' -e 'to be filled' "$cover"))"
			bad=1
		elif [ "$lines" -lt 5 ]; then
			echo "$name/0000-cover-letter.patch: its body has $lines lines, want at least 5"
			bad=1
		elif [ -n "$prefix" ]; then
			echo "$name/0000-cover-letter.patch: subject ok, body $lines lines"
		else
			echo "$name/0000-cover-letter.patch: subject is '$cs', expected '[PATCH... 0/$total] ...'"
			bad=1
		fi
	else
		echo "$name/0000-cover-letter.patch: missing"
		bad=1
	fi
	for p in $(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$dir/series"); do
		n=$((n + 1))
		f=$dir/$p
		if [ ! -r "$f" ]; then
			echo "$name/$p: missing"
			bad=1
			continue
		fi
		# the Debian source trees carry no git history, in which
		# checkpatch looks up every id a message names: without it,
		# each Fixes: tag would be an "unknown commit id"
		out=$(cd "$tree" && perl scripts/checkpatch.pl --strict --color=never \
			--ignore UNKNOWN_COMMIT_ID --root="$tree" "$f" 2>&1)
		summary=$(echo "$out" | grep '^total:' | tail -n 1)
		echo "$name/$p: ${summary:-checkpatch printed no summary}"
		case $summary in
		"total: 0 errors, 0 warnings, 0 checks,"*) ;;
		*)
			echo "$out" | grep -E '^(ERROR|WARNING|CHECK|#|\+)' | sed 's/^/    /'
			bad=1
			;;
		esac
		s=$(subject "$f")
		want="[${prefix:-PATCH} $(printf "%0${width}d" $n)/$total] "
		case $s in
		"$want"?*": "?*) ;;
		*) echo "    subject is '$s', expected '$want""subsystem: ...'"; bad=1 ;;
		esac
		grep -q '^Signed-off-by: ' "$f" || { echo "    no Signed-off-by"; bad=1; }
	done
	[ $n -gt 0 ] || { echo "$name/series lists no patch"; bad=1; }
}

bad=0
# the stable fixes first: the kernel test applies them before the series
[ ! -d "$top/patches/fixes/$base" ] || check_dir "$top/patches/fixes/$base"
check_dir "$top/patches/$base"
# the observability series goes on top of the knobs
check_dir "$top/patches/observability/$base"
exit $bad
