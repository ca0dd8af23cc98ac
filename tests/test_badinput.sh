#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad input for every subcommand -- options, values, files, environment
# (PRTOP_KNOB_ETC) --
# as root and as an unprivileged user (nobody): each gets exit 2 and one
# line on stderr saying what is wrong, and nothing is written (knob files,
# /etc, the working directory).  Then what only root may do, as nobody:
# exit 1 and one line (the system's refusal).
. tests/lib.sh
require setpriv python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP
BIN=$(readlink -f "$PRTOP")
cwd=$tmp/cwd
etc=$tmp/etc
mkdir -p "$cwd" "$etc/sysctl.d" "$etc/modprobe.d" "$etc/tmpfiles.d"
chmod 0777 "$tmp" "$cwd" "$etc" "$etc"/*
printf 'not a record\n' >"$tmp/notrec"
chmod 0644 "$tmp/notrec"

# everything prtop could write: the writable knob files (read-only ones are
# the kernel's counters), the fake /etc, the working directory
state() {
	for f in $(find /sys/module/page_reporting/parameters /proc/sys/vm -maxdepth 1 -perm /222 \
		-name 'page_reporting*' 2>/dev/null); do
		echo "$f=$(cat "$f" 2>/dev/null)"
	done
	find "$cwd" "$etc" -printf '%p %s %T@\n' | sort
}

# run USER ARGS...: prtop from the scratch directory, PRTOP_KNOB_ETC the
# scratch /etc unless ARGS start with ENV=VALUE; sets rc, and err has stderr
run() {
	_u=$1
	shift
	_env="PRTOP_KNOB_ETC=$etc"
	case $1 in *=*) _env=$1; shift ;; esac
	if [ "$_u" = root ]; then
		(cd "$cwd" && env "$_env" timeout 20 "$BIN" "$@") >"$tmp/out" 2>"$tmp/err" </dev/null
	else
		(cd "$cwd" && env "$_env" timeout 20 setpriv --reuid=65534 --regid=65534 --clear-groups \
			"$BIN" "$@") >"$tmp/out" 2>"$tmp/err" </dev/null
	fi
	rc=$?
}

# table lines: WHO|RC|PATTERN|ARGS (WHO: both, nobody); ARGS split on spaces
table() {
	cat <<'EOF2'
both|2|invalid interval|-b -d 0
both|2|invalid interval|-b -d abc
both|2|invalid|-b -n -1
both|2|invalid option '--bogus'|-b --bogus
both|2|not a terminal|
both|2|option '-d' needs a value|-b -d
both|2|invalid interval|stat -d 99999
both|2|unexpected argument|stat 1 2 3
both|2|invalid option|stat --frobnicate
both|2|does not apply|stat -n 5
both|2|invalid|doctor -d -5
both|2|invalid option '-x'|doctor -x
both|2|invalid listen address|export -l nonsense
both|2|invalid listen address|export -l 127.0.0.1:0
both|2|invalid interval|export -d 0.01
both|2|does not apply|export -T
both|2|unknown knob 'bogus'|knob bogus
both|2|unknown knob 'bogus'|knob bogus=1
both|2|not an integer|knob order=abc
both|2|out of range|knob order=-1
both|2|empty value|knob order=
both|2|invalid option '--bogus'|knob --bogus
both|2|go with NAME=VALUE|knob --persist
both|2|cannot persist in /nonexistent|PRTOP_KNOB_ETC=/nonexistent knob --persist order=9
both|2|cannot persist in TMP/notrec/x|PRTOP_KNOB_ETC=TMP/notrec/x knob --persist order=9
both|2|no command to run|record
both|2|invalid option '--bogus'|record --bogus -- true
both|2|option '-o' needs a value|record -o
both|2|invalid|record -d 0 -- true
both|2|invalid --after|record --after -1 -- true
both|2|^prtop record: invalid interval '0': give seconds from 0.2 to 3600 (see 'prtop help record')$|record -d 0 -- true
both|2|^prtop record: --reuse-exact and --no-reuse exclude each other (see 'prtop help record')$|record --reuse-exact --no-reuse -- true
both|2|(see 'prtop help record')$|record --price /nonexistent/price.json -- true
both|2|(see 'prtop help record')$|record -o /tmp -- true
both|2|^prtop host: invalid interval '0.05': give seconds from 0.2 to 3600 (see 'prtop help host')$|host -b 0.05
both|2|No such file or directory|record --price /nonexistent/price.json -- true
both|2|no directory /nonexistent/dir/|record -o /nonexistent/dir/x.rec -- true
both|2|is a directory|record -o /tmp -- true
both|2|No such file or directory|report /nonexistent/file.rec
both|2|not a prtop record file|report TMP/notrec
both|2|is a directory|report /tmp
both|2|which record file|report
both|2|one record file at a time|report a b
both|2|invalid option '--bogus'|report --bogus x
both|2|invalid --reps '0': give a whole number|bench --reps 0
both|2|--set wants NAME=V|bench --set order
both|2|unknown knob 'bogus'|bench --set bogus=1
both|2|invalid --max-minutes '-1'|bench --max-minutes -1
both|2|--until-ci goes with --overhead|bench --until-ci 2
both|2|takes no command and no --set|bench --refault --set order=9
both|2|go with --return|bench --return-within 5
both|2|go with --return|bench --mark /dev/null
both|2|--return takes no --refault or --overhead|bench --return --refault
both|2|--workload-reps goes with --return and a command|bench --workload-reps 3 -- true
both|2|--workload-reps goes with --return and a command|bench --return --workload-reps 3
both|2|invalid --workload-reps '1'|bench --return --workload-reps 1 -- true
both|2|invalid --timeout '0'|bench --return --timeout 0
both|2|invalid --return-within '-1'|bench --return --return-within -1
both|2|invalid --top|host export --top 0
both|2|invalid|host -p 0
both|2|invalid|host -p abc
both|2|invalid interval|host -d 0
both|2|invalid option '--bogus'|host --bogus
both|2|do not apply|host export -b
both|2|no help for 'bogus'|help bogus
both|2|bogus|bogus
nobody|1|needs root|stat -d 1
nobody|1|needs root|-b -n 1
nobody|1|needs root|doctor -d 1
nobody|1|needs root|export -l 127.0.0.1:19999
nobody|1|needs root|knob order=9
nobody|1|needs root|knob --persist order=9
nobody|1|needs root|record -o out.rec -- true
nobody|1|needs root|bench --reps 2
nobody|1|needs root|bench --return --mib 64
nobody|1|needs root|host -b 1 1
nobody|1|needs root|host export -l 127.0.0.1:19998
EOF2
}

before=$(state)
n=0
table | while IFS='|' read -r who want pat args; do
	args=$(echo "$args" | sed "s|TMP/|$tmp/|g")
	pat=$(echo "$pat" | sed "s|TMP/|$tmp/|g")
	for u in root nobody; do
		[ "$who" = nobody ] && [ $u = root ] && continue
		# shellcheck disable=SC2086
		run $u $args
		lines=$(wc -l <"$tmp/err")
		if [ "$rc" = "$want" ] && [ "$lines" -eq 1 ] && grep -q -- "$pat" "$tmp/err"; then
			ok "bad input [$u] prtop $args: exit $rc, $(cat "$tmp/err")"
		else
			not_ok "bad input [$u] prtop $args: exit $rc (want $want), $lines lines (want 1): $(head -c 300 "$tmp/err" | tr '\n' '|')"
		fi
	done
done
after=$(state)
if [ "$before" = "$after" ]; then
	ok "bad input: nothing written (knob files, the persist directory, the working directory)"
else
	not_ok "bad input: something changed: $(echo "$before" >"$tmp/b"; echo "$after" >"$tmp/a"; diff "$tmp/b" "$tmp/a" | head -5 | tr '\n' ' ')"
fi
