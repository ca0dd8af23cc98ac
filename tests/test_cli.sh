#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The command line as a user meets it: options a command does not take,
# help topics, [interval [count]], -T, JSON Lines, JSON for doctor, the
# locale, write errors and closed pipes, unknown shown as unknown.
. tests/lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
require python3 setpriv
mount_kernel_fs

# --- options that do not apply: exit 2, one line naming the option ---
while read -r want args; do
	expect_fail "usage: prtop $args names '$want'" 2 "option '$want' does not apply" $PRTOP $args
done <<'EOF'
-n export -n 3
-b stat -b
-n stat -n 5
-n doctor -d 3 -n 3 -b
--listen stat --listen 127.0.0.1:1
-T export -T
--reuse-exact doctor --reuse-exact
EOF
expect_fail "usage: help for an unknown topic exits 2" 2 "no help for 'bogus'" $PRTOP help bogus
expect_fail "usage: an interval given twice" 2 "given twice" $PRTOP -b -d 1 2
expect_fail "usage: a bad positional interval" 2 "invalid interval '0.05'" $PRTOP 0.05 -b
expect_fail "usage: stat takes one positional" 2 "unexpected argument '2'" $PRTOP stat 0.3 2
$PRTOP --version >"$tmp/v" 2>&1
check "--version prints the version" grep -qx 'prtop [0-9][0-9.]*' "$tmp/v"
$PRTOP help stat >"$tmp/h" 2>&1
check "help stat exits 0 with stat's usage" grep -q '^Usage: prtop stat' "$tmp/h"
for c in record report bench; do
	$PRTOP help $c >"$tmp/h" 2>&1
	check "help $c exits 0 with its usage" grep -q "^Usage: prtop $c" "$tmp/h"
	$PRTOP $c --help >"$tmp/h" 2>&1
	check "$c --help prints the same" grep -q "^Usage: prtop $c" "$tmp/h"
done
$PRTOP --help >"$tmp/h" 2>&1
check "the overview lists record, report and bench" \
	sh -c "grep -q '^  record' '$tmp/h' && grep -q '^  report' '$tmp/h' && grep -q '^  bench' '$tmp/h'"

# --- [interval [count]] and -T ---
timeout 20 $PRTOP -b -T 0.3 2 >"$tmp/pos" 2>"$tmp/pos.err"
rc=$?
n=$(grep -c '^prtop .* sample [0-9]' "$tmp/pos")
check "positional 'prtop -b 0.3 2' gives 2 frames and exits 0 (rc $rc, $n frames)" \
	test "$rc" -eq 0 -a "$n" -eq 2
check "frames are numbered from 1" test "$(sed -n 's/.* sample \([0-9]*\),.*/\1/p' "$tmp/pos" | tr '\n' ' ')" = "1 2 "
check "-T puts the wall-clock time in the frame header" \
	grep -q '^prtop .* sample 1, .* [0-9]\{4\}-[0-9][0-9]-[0-9][0-9] [0-9:]\{8\}$' "$tmp/pos"

# --- JSON Lines ---
timeout 20 $PRTOP -b -n 3 --json -d 0.3 -T >"$tmp/jl" 2>"$tmp/jl.err"
rc=$?
check "prtop -b -n 3 --json exits 0 (rc $rc)" test "$rc" -eq 0
check "JSON Lines: 3 objects, one per line, samples 1..3, with time" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
docs = [json.loads(l) for l in lines]
assert len(docs) == 3, len(docs)
assert [d["sample"] for d in docs] == [1, 2, 3], [d["sample"] for d in docs]
assert all(d["time"].endswith("Z") for d in docs)
' "$tmp/jl"
check "JSON numbers carry no float noise (window_s, startup_ms)" python3 -c '
import sys
for l in open(sys.argv[1]):
    for key in ("window_s", "startup_ms"):
        v = l.split("\"%s\":" % key)[1].split(",")[0]
        assert len(v.split(".")[-1]) <= 3, (key, v)
' "$tmp/jl"
check "numeric module parameters are JSON numbers" python3 -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
p = d["params"]
assert isinstance(p.get("page_reporting_order"), int), p
' "$tmp/jl"

# unknown is null, never 0: whatever prtop could not attach must read null
check "figures of unattached probes are null, attached ones numbers" python3 -c '
import json, os, sys
d = json.loads(open(sys.argv[1]).readline())
att = d["attach_detail"]
pairs = {"report": ["reported_pages_total", "batches_total", "report_errors_total"],
         "worker": ["worker_runs_total"], "notify": ["notify_total"],
         "cycle": ["cycles_total"], "drain": ["drains_total"]}
for probe, keys in pairs.items():
    for k in keys:
        if att[probe]["attached"]:
            assert isinstance(d[k], int), (k, d[k])
        else:
            assert d[k] is None, (k, d[k], "probe %s not attached" % probe)
# memory returned: the count of prtop where report() is attached, else a kernel
# counter this script can see, else unknown
src = d["reported_source"]
kib = os.path.exists("/sys/module/page_reporting/parameters/reported_kib")
want = "prtop" if att["report"]["attached"] else "kernel:reported_kib" if kib else src
assert src == want and (d["reported_bytes_total"] is None) == (src is None), (src, want, d["reported_bytes_total"])
if not att["report"]["attached"]:
    assert d["batch_nents_hist"] is None and d["report_ns"]["count"] is None
    assert all(o["reported_bytes"] is None for o in d["per_order"])
' "$tmp/jl"

# --- doctor --json ---
$PRTOP doctor --json >"$tmp/doc" 2>"$tmp/doc.err"
rc=$?
check "doctor --json exits 0 and parses, with layers and probes (rc $rc)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d["layers"]) >= {"fentry/fexit", "stock tracepoints"}, d["layers"].keys()
assert "worker" in d["probes"] and "attached" in d["probes"]["worker"]
' "$tmp/doc"

# --- the locale: ASCII only unless the charset is UTF-8 ---
LC_ALL=C timeout 20 $PRTOP -b -n 1 -d 0.2 >"$tmp/ascii" 2>&1
check "batch output under LC_ALL=C is plain ASCII" python3 -c '
import sys; open(sys.argv[1], "rb").read().decode("ascii")' "$tmp/ascii"

# --- write errors and closed pipes, as a filter handles them ---
$PRTOP doctor >/dev/full 2>"$tmp/full.err"
rc=$?
check "doctor >/dev/full exits 1 saying so (rc $rc)" \
	sh -c "test $rc -eq 1 && grep -q 'write error' '$tmp/full.err'"
( timeout 20 $PRTOP -b -d 0.2 2>"$tmp/pipe.err"; echo $? >"$tmp/pipe.rc" ) | head -n 1 >/dev/null
check "prtop -b | head -1: exits 0 and says nothing (rc $(cat "$tmp/pipe.rc"))" \
	sh -c "test \"\$(cat '$tmp/pipe.rc')\" -eq 0 && test ! -s '$tmp/pipe.err'"

# --- not root: one line, no "prtop: prtop" ---
setpriv --reuid=65534 --regid=65534 --clear-groups $PRTOP stat >"$tmp/nr" 2>"$tmp/nr.err"
rc=$?
check "not root: exit 1, one line 'prtop: needs root' (rc $rc: $(head -c 120 "$tmp/nr.err"))" \
	sh -c "test $rc -eq 1 && test \$(wc -l <'$tmp/nr.err') -eq 1 && grep -q '^prtop: needs root' '$tmp/nr.err'"

# --- knob: every spelling prtop prints ---
order=$($PRTOP knob order | head -n 1)
for name in order page_reporting_order page_reporting.page_reporting_order; do
	$PRTOP knob --dry-run "$name=${order:-9}" >"$tmp/k" 2>&1
	check "knob accepts the spelling $name (dry run)" test $? -eq 0
done

# --- prtop host: bad input exits 2 (1 for the system's refusal), one line ---
expect_fail "host: --top outside export" 2 "apply to 'prtop host export' only" $PRTOP host -b --top 3
expect_fail "host: -b with export" 2 "do not apply to 'prtop host export'" $PRTOP host export -b
expect_fail "host: a pid that is no number" 2 "invalid pid 'abc'" $PRTOP host -b -p abc
expect_fail "host: a pid beyond pid_max" 2 "invalid pid '99999999'" $PRTOP host -b -p 99999999
expect_fail "host: a bad interval" 2 "invalid interval '0.05'" $PRTOP host -b 0.05
expect_fail "host: three positionals" 2 "unexpected argument '3'" $PRTOP host -b 1 2 3
expect_fail "host: --top out of range" 2 "invalid --top '0'" $PRTOP host export --top 0
expect_fail "host: a bad listen address" 2 "invalid listen address" $PRTOP host export -l nonsense
expect_fail "host: no terminal without -b" 2 "not a terminal" $PRTOP host
expect_fail "host: an unknown option" 2 "invalid option '--bogus'" $PRTOP host --bogus
expect_fail "host: a --pid that is not running" 1 "no process 4194000" $PRTOP host -b -p 4194000
expect_fail "host: needs root" 1 "needs root" setpriv --reuid=65534 --regid=65534 --clear-groups $PRTOP host -b 1 1
timeout 30 $PRTOP host -b 0.5 2 >"$tmp/hb" 2>"$tmp/hb.err"
rc=$?
check "host: -b 0.5 2 exits 0 with two frames (rc $rc: $(head -c 200 "$tmp/hb.err"))" \
	sh -c "[ $rc = 0 ] && [ \$(grep -c '^prtop host' '$tmp/hb') = 2 ]"
check "host: frames name every probe" grep -q '^probes: madvise' "$tmp/hb"
timeout 30 $PRTOP host -j 0.5 1 >"$tmp/hj" 2>"$tmp/hj.err"
check "host: -j prints one JSON object with vms[] and probes" python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
assert len(d) == 1 and isinstance(d[0]["vms"], list) and "madvise" in d[0]["probes"]
' "$tmp/hj"
timeout 30 $PRTOP doctor --host -j >"$tmp/dh" 2>"$tmp/dh.err"
check "doctor --host -j: JSON with every host probe" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d["probes"]) == {"madvise", "fallocate", "page_fault_user", "kvm_page_fault", "pagemap"}
' "$tmp/dh"
timeout 30 $PRTOP doctor -j -d 1 >"$tmp/dd" 2>"$tmp/dd.err"
check "doctor -j: a diagnosis (ids and levels)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["diagnosis"]
assert d and all(x["level"] in ("ok", "info", "problem") and x["id"] and x["text"] for x in d)
' "$tmp/dd"

# --- the leak check counts prtop host's programs by the names bpftool prints ---
# (names over 15 characters in full from BTF: host_madvise_enter and the like)
pin=/sys/fs/bpf/prtop_cli_leak_$$
trap 'rm -f "$pin"; rm -rf "$tmp"' EXIT INT TERM
base=$(prog_count)
$PRTOP host -b 0.5 >"$tmp/ht" 2>"$tmp/ht.err" &
hp=$!
more_progs() { [ "$(prog_count)" -gt "$base" ]; }
two_frames() { [ "$(grep -c '^prtop host' "$tmp/ht")" -ge 2 ]; }
wait_for 30 more_progs && wait_for 10 two_frames
during=$(prog_count)
shown=$(bpftool prog show 2>/dev/null | grep -o 'name host_[A-Za-z0-9_]*' | sed 's/^name //' | sort)
long=$(echo "$shown" | awk 'length($0) > 15' | tr '\n' ' ')
missed=$(echo "$shown" | grep -vxF "$(prog_names)" | tr '\n' ' ')
check "leak check: every host program bpftool shows is counted (shown: $(echo $shown); over 15 characters: ${long:-none}; not matched: ${missed:-none})" \
	sh -c "[ -n '$shown' ] && [ -z '$missed' ] && [ $((during - base)) -ge $(echo "$shown" | grep -c .) ]"
# a program pinned on bpffs outlives prtop: the leak check must see it
id=$(bpftool prog show 2>/dev/null | sed -n 's/^\([0-9]*\): .* name host_madvise_en[a-z]* .*/\1/p' | head -n 1)
[ -n "$id" ] && bpftool prog pin id "$id" "$pin" 2>/dev/null
kill -TERM $hp
wait $hp
rc=$?
n=$(grep -c '^prtop host' "$tmp/ht")
check "host: SIGTERM ends prtop host -b with exit 0 after its frames (rc $rc, $n frames: $(head -c 200 "$tmp/ht.err"))" \
	sh -c "[ $rc = 0 ] && [ $n -ge 2 ] && grep -q '^probes: madvise' '$tmp/ht'"
if [ -e "$pin" ]; then
	leak_seen() { ! programs_gone "$1"; }
	check "leak check: fails while a host program (id $id) is left pinned" leak_seen "$base"
	rm -f "$pin"
else
	not_ok "leak check: could not pin host_madvise_enter (id ${id:-none}) to test the leak check"
fi
check "leak check: no prtop host program left after SIGTERM and the pin's removal" programs_gone "$base"
$PRTOP help host >"$tmp/h" 2>&1
check "help host exits 0 with its usage" grep -q "^Usage: prtop host" "$tmp/h"

# --- every command's text output fits an 80-column terminal (characters,
# not bytes: "—" and "→" are one column each) ---
widths=""
# a process that looks like a VMM, so host's frame has a VM row and its detail
cp "$TOOLS/madvloop" "$tmp/qemu-system-x86_64"
"$tmp/qemu-system-x86_64" -s 300 >/dev/null 2>&1 &
wpid=$!
for c in "-b -n 1 -d 0.5" "stat -d 0.5" "doctor -d 0.5" "doctor --host -d 0.5" "knob" \
	"host -b 0.5 1" "--help" "stat --help" "doctor --help" "export --help" "knob --help" \
	"host --help" "record --help" "report --help" "bench --help"; do
	# shellcheck disable=SC2086
	timeout 30 "$PRTOP" $c >"$tmp/w.out" 2>&1
	w=$(python3 -c 'import sys; print(max([len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")] or [0]))' "$tmp/w.out")
	[ "$w" -le 80 ] || widths="$widths '$c': $w;"
	case $c in host\ -b*) cp "$tmp/w.out" "$tmp/w-host.out" ;; esac
done
# host -p: a process prtop does not know as a VMM is watched with a warning;
# the fake VMM above, known by its name, without one
"$PRTOP" host -p 1 -b 0.3 1 >"$tmp/p1.out" 2>"$tmp/p1.err"
check "host -p 1: pid 1 is watched and the warning says it is no known VMM (rc $?)" \
	grep -q "warning: pid 1 (.*) is not a VMM prtop knows" "$tmp/p1.err"
"$PRTOP" host -p "$wpid" -j 0.3 1 >"$tmp/p2.out" 2>"$tmp/p2.err"
check "host -p on a qemu-system-* process: no warning, JSON vmm qemu, vmm_known true" \
	sh -c "! grep -q 'not a VMM' '$tmp/p2.err' && python3 -c '
import json, sys
v = json.loads(open(sys.argv[1]).readline())[\"vms\"][0]
assert v[\"vmm\"] == \"qemu\" and v[\"vmm_known\"] is True, v
' '$tmp/p2.out'"
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null
# doctor --host on this machine: /dev/kvm and the hypervisor flag, read here
"$PRTOP" doctor --host -d 0.3 >"$tmp/dh.out" 2>&1
"$PRTOP" doctor --host -j -d 0.3 >"$tmp/dh.json" 2>&1
unwrapped "$tmp/dh.out" >"$tmp/dh.txt"
if [ -e /dev/kvm ]; then kvm=true; else kvm=false; fi
if grep -q '^flags.* hypervisor' /proc/cpuinfo; then guest=true; else guest=false; fi
check "doctor --host -j: kvm_device $kvm and in_guest $guest, as this script reads them" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["kvm_device"] is (sys.argv[2] == "true") and d["in_guest"] is (sys.argv[3] == "true"), d
' "$tmp/dh.json" "$kvm" "$guest"
if [ $kvm = false ]; then
	check "doctor --host: without /dev/kvm it says kvm_page_fault cannot fire" \
		grep -q 'note: no /dev/kvm on this machine: .* this probe cannot fire' "$tmp/dh.txt"
else
	check "doctor --host: with /dev/kvm no note on kvm_page_fault" \
		sh -c "! grep -q 'no /dev/kvm' '$tmp/dh.out'"
fi
if [ $guest = true ]; then
	check "doctor --host: says the machine is itself a virtual machine" \
		grep -q '^This machine is itself a virtual machine' "$tmp/dh.txt"
fi
check "the width check's host frame had the VM's row and detail" \
	grep -q "^ *$wpid qemu-syste .*\$" "$tmp/w-host.out"
check "every command's text output fits 80 columns${widths:+ (wider:$widths)}" test -z "$widths"

# --- a command returns its status to main, which alone exits ---
check "no exit() below main (src/main.c alone ends the process)" \
	sh -c "! grep -n '\(^\|[^_a-z]\)exit *(' src/*.c | grep -v '^src/main\.c:' |
		grep -v '^src/[^:]*:[0-9]*: *\"'"
# --- one table: every command prtop lists is one src/cmd_NAME.c with NAME_main ---
cmdfiles=""
for name in live $($PRTOP help | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	grep -q "^int ${name}_main(int argc, char \*\*argv)" "src/cmd_$name.c" 2>/dev/null ||
		cmdfiles="$cmdfiles $name"
	grep -q "${name}_main" src/main.c || cmdfiles="$cmdfiles $name(not in the table)"
done
check "every command is one src/cmd_NAME.c with its NAME_main in main.c's table${cmdfiles:+ (not:$cmdfiles)}" \
	test -z "$cmdfiles"
$PRTOP host -h >"$tmp/h" 2>&1
rc=$?
check "host -h exits 0 with its usage (exit $rc)" \
	sh -c "[ $rc = 0 ] && grep -q '^Usage: prtop host' '$tmp/h'"

# --- the build: editing a header a BPF object includes rebuilds that object
# and its skeleton (make -W pretends the header changed; nothing is touched).
# Each object is up to date first, or the second answer would say nothing. ---
bmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "$@"; }
for src in bpf/*.bpf.c; do
	obj=build/$(basename "$src" .c).o
	skel=build/$(basename "$src" .bpf.c).skel.h
	heads=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$src" | while read -r h; do
		[ -f "include/$h" ] && echo "include/$h"; done)
	check "make: $obj has headers of ours to depend on" test -n "$heads"
	for h in $heads; do
		bmake -q "$skel" >/dev/null 2>&1
		up=$?
		bmake -q -W "$h" "$obj" >/dev/null 2>&1
		o=$?
		bmake -q -W "$h" "$skel" >/dev/null 2>&1
		s=$?
		check "make: editing $h rebuilds $obj and $skel (up to date $up, then $o/$s)" \
			test "$up $o $s" = "0 1 1"
	done
done
