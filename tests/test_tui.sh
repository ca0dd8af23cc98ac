#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The live view in a real terminal (tmux), and batch mode's plain text.
# Needs root (prtop attaches BPF programs) and tmux.
. tests/lib.sh
require tmux timeout

SOCK="prtop-test-$$"
T="tmux -L $SOCK"
S=prtop
tmp=$(mktemp -d)
watchdog=""

cleanup() {
	$T kill-server 2>/dev/null
	stop_watchdog
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

start_watchdog 120 tui

screen() { $T capture-pane -p -t "$S" 2>/dev/null; }
sample_no() { screen | sed -n 's/.*sample \([0-9][0-9]*\).*/\1/p' | head -n 1; }
alive() { $T has-session -t "$S" 2>/dev/null; }

screen_has() { screen | grep -q -- "$1"; }
gone() { ! alive; }

# ---- batch mode ------------------------------------------------------------

timeout 30 "$PRTOP" -b -n 2 -d 1 >"$tmp/batch" 2>"$tmp/batch.err"
rc=$?
if [ $rc -eq 0 ]; then
	ok "batch: prtop -b -n 2 -d 1 exits 0"
else
	not_ok "batch: prtop -b -n 2 -d 1 exits 0: exit $rc, $(head -c 300 "$tmp/batch.err")"
fi
frames=$(grep -c '^prtop .* sample [0-9][0-9]*, ' "$tmp/batch")
if [ "$frames" -eq 2 ]; then
	ok "batch: 2 frames"
else
	not_ok "batch: 2 frames: got $frames"
fi
esc=$(tr -d -c '\033' <"$tmp/batch" | wc -c)
if [ -s "$tmp/batch" ] && [ "$esc" -eq 0 ]; then
	ok "batch: no escape codes"
else
	not_ok "batch: no escape codes: $esc ESC bytes in $(wc -c <"$tmp/batch") bytes"
fi
for sect in device knobs probes rates totals nents latency order reuse; do
	if grep -q "^$sect" "$tmp/batch"; then
		ok "batch: frame has a '$sect' line"
	else
		not_ok "batch: frame has a '$sect' line"
	fi
done

# ---- live view ---------------------------------------------------------------

$T new-session -d -s "$S" -x 120 -y 40 -c "$PWD" \
	"$PRTOP -d 1 2>'$tmp/tui.err'; echo \$? >'$tmp/tui.rc'"
if ! wait_for 15 screen_has 'sample [0-9]'; then
	not_ok "tui: screen appears: $(head -c 300 "$tmp/tui.err" 2>/dev/null) $(screen | head -n 3)"
	exit 0
fi
ok "tui: screen appears"
screen >"$tmp/screen1"

rel=$(uname -r)
if head -n 1 "$tmp/screen1" | grep -qF "prtop $rel"; then
	ok "tui: header shows prtop and the kernel release"
else
	not_ok "tui: header shows prtop and the kernel release: $(head -n 1 "$tmp/screen1")"
fi

# every probe:mode token of batch mode's probes line is on the screen (the
# live view writes "-" for "—" when the locale is not UTF-8)
tokens=$(sed -n 's/^probes: //p' "$tmp/batch" | head -n 1 | sed 's/ (.*//' |
	tr ' ' '\n' |
	grep ':' | sed 's/\xe2\x80\x94/-/g')
sed 's/\xe2\x80\x94/-/g' "$tmp/screen1" >"$tmp/screen1.ascii"
missing=""
for tok in $tokens; do
	grep -qF -- "$tok" "$tmp/screen1.ascii" || missing="$missing $tok"
done
if [ -z "$tokens" ]; then
	grep -q 'worker:' "$tmp/screen1"
	check "tui: per-probe attach modes shown" test $? -eq 0
elif [ -z "$missing" ]; then
	ok "tui: per-probe attach modes shown ($(echo $tokens))"
else
	not_ok "tui: per-probe attach modes shown: missing$missing"
fi
if grep -q 'prtop doctor' "$tmp/screen1" || ! echo "$tokens" | grep -q ':-$'; then
	ok "tui: points at prtop doctor when a probe is missing"
else
	not_ok "tui: points at prtop doctor when a probe is missing"
fi

n1=$(sample_no)
sleep 2.5
n2=$(sample_no)
if [ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -gt "$n1" ]; then
	ok "tui: screen updates (sample $n1 -> $n2)"
else
	not_ok "tui: screen updates: sample '$n1' then '$n2'"
fi

$T send-keys -t "$S" p
if wait_for 3 screen_has PAUSED; then
	ok "tui: p shows PAUSED"
else
	not_ok "tui: p shows PAUSED"
fi
p1=$(sample_no)
sleep 2.5
p2=$(sample_no)
if [ -n "$p1" ] && [ "$p1" = "$p2" ]; then
	ok "tui: paused screen is frozen (sample $p1)"
else
	not_ok "tui: paused screen is frozen: sample '$p1' then '$p2'"
fi
$T send-keys -t "$S" p
if wait_for 3 sh -c "! $T capture-pane -p -t $S | grep -q PAUSED" && alive; then
	ok "tui: p again resumes"
else
	not_ok "tui: p again resumes: still PAUSED, or prtop is gone"
fi
sleep 1.5
r2=$(sample_no)
check "tui: samples go on after resume (sample $p1 -> $r2)" \
	sh -c "alive() { $T has-session -t $S 2>/dev/null; }; alive && test -n '$r2' && test '$r2' -gt '${p1:-0}'"

$T send-keys -t "$S" h
if wait_for 3 screen_has 'live view of free page reporting'; then
	ok "tui: h shows help"
else
	not_ok "tui: h shows help"
fi
$T send-keys -t "$S" x
if wait_for 3 sh -c "! $T capture-pane -p -t $S | grep -q 'press any key'" && alive; then
	ok "tui: any key closes help"
else
	not_ok "tui: any key closes help"
fi

$T send-keys -t "$S" q
if wait_for 3 gone; then
	ok "tui: q exits"
	rc=$(cat "$tmp/tui.rc" 2>/dev/null)
	if [ "$rc" = 0 ]; then
		ok "tui: exit status 0"
	else
		not_ok "tui: exit status 0: got '$rc', $(head -c 300 "$tmp/tui.err")"
	fi
else
	not_ok "tui: q exits: session still there after 3 s"
fi

# ---- a small terminal keeps the live figures; + and - come back to -d ------

$T new-session -d -s small -x 60 -y 15 -c "$PWD" "$PRTOP -d 300 2>'$tmp/small.err'"
if wait_for 15 sh -c "$T capture-pane -p -t small | grep -q 'sample [0-9]'"; then
	$T capture-pane -p -t small >"$tmp/small"
	check "tui 60x15: the latency table is on screen" \
		sh -c "grep -q '^latency' '$tmp/small' && grep -q 'worker run time' '$tmp/small'"
	every0=$(sed -n 's/.*every \([^ ]* [^ ]*\) .*/\1/p' "$tmp/small" | head -n 1)
	$T send-keys -t small -- -
	sleep 0.5
	$T send-keys -t small -- +
	sleep 0.5
	every1=$($T capture-pane -p -t small | sed -n 's/.*every \([^ ]* [^ ]*\) .*/\1/p' | head -n 1)
	check "tui: - then + returns to -d 300 ('$every0' -> '$every1')" \
		sh -c "test -n '$every0' && test '$every0' = '$every1'"
else
	not_ok "tui 60x15: screen appears: $(head -c 300 "$tmp/small.err")"
fi
$T kill-session -t small 2>/dev/null

# ---- prtop host's live view, with a process that looks like a VMM ----------
# madvloop copied under a VMM's name: found by its executable's name, its
# discards counted and shown on the screen
fake=$tmp/qemu-system-x86_64
cp "$TOOLS/madvloop" "$fake"
"$fake" -s 60 >"$tmp/fake.out" 2>&1 &
fpid=$!
$T new-session -d -s host -x 130 -y 30 -c "$PWD" \
	"$PRTOP host 0.5 2>'$tmp/host.err'; echo \$? >'$tmp/host.rc'"
hscreen() { $T capture-pane -p -t host 2>/dev/null; }
hsample() { hscreen | sed -n 's/^sample \([0-9][0-9]*\),.*/\1/p' | head -n 1; }
if wait_for 15 sh -c "$T capture-pane -p -t host | grep -q '^sample [1-9]'"; then
	ok "host tui: screen appears"
	s1=$(hsample)
	sleep 1.5
	s2=$(hsample)
	check "host tui: screen updates (sample $s1 -> $s2)" sh -c "test -n '$s1' && test -n '$s2' && test '$s2' -gt '$s1'"
	hscreen >"$tmp/hs"
	check "host tui: the fake VMM (pid $fpid) has a row, named qemu" \
		grep -qE "^ *$fpid +madvloop|^ *$fpid +qemu-system" "$tmp/hs"
	check "host tui: its discards are counted (dontneed on the methods line)" \
		grep -q "methods: dontneed" "$tmp/hs"
	check "host tui: the probes line is on screen" grep -q "^probes: madvise" "$tmp/hs"
	$T send-keys -t host q
	if wait_for 3 sh -c "! $T has-session -t host 2>/dev/null"; then
		check "host tui: q exits with status 0 (got '$(cat "$tmp/host.rc" 2>/dev/null)')" \
			test "$(cat "$tmp/host.rc" 2>/dev/null)" = 0
	else
		not_ok "host tui: q exits: session still there after 3 s"
	fi
else
	not_ok "host tui: screen appears: $(head -c 300 "$tmp/host.err" 2>/dev/null) $(hscreen | head -n 3)"
fi
$T kill-session -t host 2>/dev/null
kill "$fpid" 2>/dev/null
# its status (143 after the kill) must not become this script's
wait "$fpid" 2>/dev/null || true
