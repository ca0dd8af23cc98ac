#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# prtop knob on this machine's real kernel: list, read, set the order and
# put it back, and every refusal (bad values, a knob that needs the bundled
# patch, unknown, read-only, not root) with one line, the right exit code
# and nothing written.  --persist writes into a scratch etc
# (PRTOP_KNOB_ETC), never /etc.  The vendor parameters are only dry-run.
. tests/lib.sh
require python3
tmp=$(mktemp -d)
ORDER=/sys/module/page_reporting/parameters/page_reporting_order
orig=

# the order goes back to what it was, whatever happens
restore() {
	if [ -n "$orig" ] && [ "$(cat "$ORDER" 2>/dev/null)" != "$orig" ]; then
		echo "$orig" >"$ORDER" || echo "not ok - could not restore $ORDER to $orig"
	fi
}
trap 'restore; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

if [ ! -w "$ORDER" ]; then
	not_ok "no writable $ORDER on this kernel (page reporting missing, or not root)"
	exit 0
fi
orig=$(cat "$ORDER")
max=$(($(awk '/^Node/ { print NF - 4; exit }' /proc/buddyinfo) - 1))
new=10
[ "$orig" = 10 ] && new=9
patched=no
[ -e /proc/sys/vm/page_reporting_capacity ] && patched=yes
echo "# order $orig, max order $max (from /proc/buddyinfo), patch sysctls: $patched"

# knob_fail NAME RC PATTERN ARGS...: prtop knob ARGS exits RC, one line on
# stderr matching PATTERN, nothing on stdout, the order unchanged
knob_fail() {
	_name=$1
	_rc=$2
	_pat=$3
	shift 3
	"$PRTOP" knob "$@" >"$tmp/out" 2>"$tmp/err"
	_got=$?
	_now=$(cat "$ORDER")
	if [ $_got -eq "$_rc" ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^prtop knob: .*$_pat" "$tmp/err" &&
		[ ! -s "$tmp/out" ] && [ "$_now" = "$orig" ]; then
		ok "$_name"
	else
		not_ok "$_name: exit $_got, order $_now, stderr: $(head -c 300 "$tmp/err")"
	fi
	restore
}

# --- listing ---
"$PRTOP" knob >"$tmp/list" 2>"$tmp/err"
check "knob lists (exit 0)" test $? -eq 0
sed 's/^/# /' "$tmp/list"
check "list has the header" grep -qE '^NAME +VALUE +UNIT +RANGE +SOURCE$' "$tmp/list"
check "list: capacity, delay_ms, order first" \
	test "$(sed -n '2,4p' "$tmp/list" | awk '{ print $1 }' | tr '\n' ' ')" = "capacity delay_ms order "
if [ $patched = no ]; then
	check "list: order is the upstream module parameter with range 0..? (the kernel checks)" \
		grep -qE "^order +$orig +order +0\.\.\? +upstream module parameter$" "$tmp/list"
	check "list: capacity is the constant 32 and needs the patch" \
		grep -qE '^capacity +32 +entries +- +compile-time constant$' "$tmp/list"
	check "list: delay_ms is the constant 2000 and needs the patch" \
		grep -qE '^delay_ms +2000 +ms +- +compile-time constant$' "$tmp/list"
	check "list says which knobs need the bundled patch" \
		grep -q '^note: capacity and delay_ms can only be changed with the bundled kernel patch$' "$tmp/list"
else
	check "list: order is the patch sysctl" grep -qE "^order +$orig +order +0\.\.\? +patch sysctl$" "$tmp/list"
fi
for f in /sys/module/page_reporting/parameters/*; do
	n=${f##*/}
	[ "$n" = page_reporting_order ] && continue
	if [ -n "$(find "$f" -perm /222)" ]; then src="vendor parameter"; else src="read-only"; fi
	check "list: $n is a $src" grep -qE "^$n +.* $src\$" "$tmp/list"
done

"$PRTOP" knob --json >"$tmp/json" 2>"$tmp/err"
check "knob --json exits 0" test $? -eq 0
check "knob --json parses and has the fields" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
k = {x["name"]: x for x in d["knobs"]}
for x in d["knobs"]:
    missing = [f for f in "name value unit range min max source kind path writable needs_patch".split() if f not in x]
    assert not missing, (x["name"], missing)
assert [x["name"] for x in d["knobs"][:3]] == ["capacity", "delay_ms", "order"]
o = k["order"]
assert o["value"] == int(sys.argv[2]) and o["min"] == 0 and o["max"] is None, o
assert o["writable"] and o["path"].endswith("page_reporting_order"), o
if not d["patched"]:
    assert o["kind"] == "module_parameter", o
    assert k["capacity"]["needs_patch"] and k["capacity"]["value"] == 32, k["capacity"]
    assert k["delay_ms"]["needs_patch"] and k["delay_ms"]["value"] == 2000
' "$tmp/json" "$orig" "$max"

# --- reading one ---
check "knob order prints $orig" test "$("$PRTOP" knob order)" = "$orig"
check "knob vm.page_reporting_order is the same knob" test "$("$PRTOP" knob vm.page_reporting_order)" = "$orig"
check "knob order --json" test "$("$PRTOP" knob order --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["knobs"][0]["value"])')" = "$orig"
knob_fail "reading an unknown knob" 2 "unknown knob 'frob'" frob

# --- setting the order, then putting it back ---
"$PRTOP" knob order=$new >"$tmp/out" 2>"$tmp/err"
rc=$?
now=$(cat "$ORDER")
check "knob order=$new exits 0" test $rc -eq 0
check "knob order=$new prints 'order: $orig -> $new'" test "$(cat "$tmp/out")" = "order: $orig -> $new"
check "sysfs page_reporting_order reads $new" test "$now" = "$new"
check "knob order reads $new back" test "$("$PRTOP" knob order)" = "$new"
"$PRTOP" knob order="$orig" >"$tmp/out" 2>&1
check "knob order=$orig puts it back" test "$(cat "$ORDER")" = "$orig"
restore

# --- the kernel's own range: MAX_PAGE_ORDER + 1 ($((max + 1)), reporting off)
# and one above, each first written by this test with the shell, so the
# kernel's answer is known without prtop ---
# kwrite VALUE: one write(2) of VALUE to the order, printing "ok" or the
# kernel's strerror (dash's echo says only "I/O error")
kwrite() {
	python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY)
try:
    os.write(fd, (sys.argv[2] + "\n").encode())
    print("ok")
except OSError as e:
    print(e.strerror)
' "$ORDER" "$1"
}
for v in $((max + 1)) $((max + 2)); do
	reason=$(kwrite "$v")
	kgot=$(cat "$ORDER")
	restore
	if [ "$reason" = ok ]; then
		echo "# the kernel takes order $v (read back $kgot)"
		"$PRTOP" knob order=$v >"$tmp/out" 2>"$tmp/err"
		rc=$?
		now=$(cat "$ORDER")
		check "knob order=$v (the kernel takes it) exits 0" test $rc -eq 0
		check "knob order=$v prints 'order: $orig -> $v'" test "$(cat "$tmp/out")" = "order: $orig -> $v"
		check "sysfs page_reporting_order reads $v after knob order=$v" test "$now" = "$v"
		"$PRTOP" knob order="$orig" >/dev/null 2>&1
		check "knob order=$orig restores it after $v" test "$(cat "$ORDER")" = "$orig"
		restore
	else
		echo "# the kernel refuses order $v: $reason"
		knob_fail "order=$v: the kernel's refusal, its reason, exit 1" 1 \
			"order: the kernel refused $v: $reason; nothing was changed" order=$v
	fi
done

# --- dry run ---
"$PRTOP" knob --dry-run order=$new >"$tmp/out" 2>&1
rc=$?
check "--dry-run exits 0 and says so" test $rc -eq 0 -a "$(cat "$tmp/out")" = "order: $orig -> $new (dry run, not written)"
check "--dry-run writes nothing" test "$(cat "$ORDER")" = "$orig"
for p in /sys/module/page_reporting/parameters/max_waiting_mib /sys/module/page_reporting/parameters/min_free_ms; do
	[ -w "$p" ] || continue
	n=${p##*/}
	before=$(cat "$p")
	"$PRTOP" knob --dry-run "$n=$((before + 1))" >"$tmp/out" 2>&1
	check "vendor parameter $n: dry run only, unchanged" \
		test $? -eq 0 -a "$(cat "$p")" = "$before" -a "$(cat "$tmp/out")" = "$n: $before -> $((before + 1)) (dry run, not written)"
done

# --- refusals: one line, exit 2, nothing written ---
knob_fail "order=-1 refused" 2 "order: -1 is out of range: the least is 0" order=-1
knob_fail "order=4294967296 refused" 2 "order: 4294967296 is out of range: the most any kernel takes is 4294967295" order=4294967296
knob_fail "order=abc refused" 2 "order: 'abc' is not an integer" order=abc
knob_fail "order=99999999999999999999 refused" 2 "out of range" order=99999999999999999999
knob_fail "order= (empty) refused" 2 "order: empty value" order=
knob_fail "order twice refused" 2 "order is given twice" order=$new order=$new
knob_fail "unknown knob refused" 2 "unknown knob 'frob'" frob=1
if [ -e /sys/module/page_reporting/parameters/passes ]; then
	knob_fail "read-only parameter passes refused" 2 "passes is read-only" passes=1
fi
if [ $patched = no ]; then
	knob_fail "order=$new capacity=8: capacity needs the patch, order not written" 2 \
		"capacity cannot be set on this kernel: it needs the bundled kernel patch (patches/" order=$new capacity=8
	knob_fail "delay_ms needs the patch" 2 "delay_ms cannot be set.*patches/" delay_ms=500
fi
expect_fail "reads and writes mixed" 2 "not both" "$PRTOP" knob order order=$new
check "reads and writes mixed: nothing written" test "$(cat "$ORDER")" = "$orig"
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PRTOP" knob order=$new >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -eq 1 ] && [ "$(cat "$tmp/err")" = "prtop knob: writing knobs needs root (run with sudo)" ] &&
		[ "$(cat "$ORDER")" = "$orig" ]; then
		ok "not root: exit 1, one line, nothing written"
	else
		not_ok "not root: exit $rc, stderr: $(head -c 300 "$tmp/err")"
	fi
	restore
	setpriv --reuid=65534 --regid=65534 --clear-groups "$PRTOP" knob >/dev/null 2>&1
	check "not root: listing works" test $? -eq 0
fi

# --- persist, into a scratch etc ---
etc="$tmp/etc"
mkdir "$etc"
ls -l /etc/tmpfiles.d/90-prtop.conf /etc/sysctl.d/90-prtop.conf /etc/modprobe.d/90-prtop.conf >"$tmp/etc-before" 2>&1
PRTOP_KNOB_ETC="$etc" "$PRTOP" knob --dry-run --persist order=$new >"$tmp/out" 2>&1
check "--persist --dry-run exits 0, writes no file" test $? -eq 0 -a ! -e "$etc/tmpfiles.d"
check "--persist --dry-run says what it would write" grep -q "^would persist in $etc/tmpfiles.d/90-prtop.conf" "$tmp/out"
PRTOP_KNOB_ETC="$etc" "$PRTOP" knob --persist order=$new >"$tmp/out" 2>&1
rc=$?
now=$(cat "$ORDER")
restore
sed 's/^/# /' "$tmp/out"
check "--persist exits 0 and sets the order" test $rc -eq 0 -a "$now" = "$new"
if [ -e /sys/module/page_reporting/initstate ]; then
	check "--persist: modprobe.d line (loadable module)" \
		grep -qx "options page_reporting page_reporting_order=$new" "$etc/modprobe.d/90-prtop.conf"
else
	check "--persist: tmpfiles.d line (page_reporting built in)" \
		grep -qx "w $ORDER - - - - $new" "$etc/tmpfiles.d/90-prtop.conf"
	check "--persist names the kernel command line alternative" \
		grep -q "page_reporting.page_reporting_order=$new" "$tmp/out"
	check "--persist prints the file written" grep -q "^persisted in $etc/tmpfiles.d/90-prtop.conf" "$tmp/out"
fi
ls -l /etc/tmpfiles.d/90-prtop.conf /etc/sysctl.d/90-prtop.conf /etc/modprobe.d/90-prtop.conf >"$tmp/etc-after" 2>&1
check "--persist with PRTOP_KNOB_ETC leaves /etc alone" cmp -s "$tmp/etc-before" "$tmp/etc-after"

# --- help ---
"$PRTOP" knob --help >"$tmp/h" 2>&1
check "knob --help" grep -q "Usage: prtop knob" "$tmp/h"
"$PRTOP" help knob >"$tmp/h" 2>&1
check "help knob" grep -q "Usage: prtop knob" "$tmp/h"
"$PRTOP" --help >"$tmp/h" 2>&1
check "prtop --help lists knob" grep -q '^  knob ' "$tmp/h"
check "order is back at $orig" test "$(cat "$ORDER")" = "$orig"
