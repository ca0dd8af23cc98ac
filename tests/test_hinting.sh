#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Free page hinting, observed in Debian's stock 6.1 guest under QEMU (TCG).
#
# The balloon offers VIRTIO_BALLOON_F_FREE_PAGE_HINT (free-page-hint=on, on
# an iothread).  While `prtop stat --json` runs in the guest, the host
# migrates the guest to a null sink over the monitor and resumes it: QEMU
# sends a command id, the guest's driver pulls free 4 MiB blocks and hints
# them, QEMU says stop and then done, and the driver gives the blocks back.
# The guest holds 1 GiB (written) first, so that QEMU's first pass lasts.
# Checks: at least one hinting run with a command id; hinted bytes whole
# blocks, at most the guest's MemFree as the migration began and at least
# half of it; QEMU's own count of the RAM it skipped unsent (info migrate,
# polled while it runs) between half the hinted bytes and all of them; run
# and hold times within the migration; every hinted block returned (or
# released by the shrinker); SIGTERM ends stat's window with exit 0 and its
# JSON.  The same guest with free-page-hint=off: hinting not offered, zero
# runs, the reason in JSON and doctor, and QEMU skips nothing.
#
# Knobs: PRTOP_HINT_WINDOW (40 s).  Serial logs stay in $PRTOP_CACHE/qemu/hint/.
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

WINDOW=${PRTOP_HINT_WINDOW:-40}

require "$QEMU_BIN" cpio gzip python3 timeout setsid awk
[ -x /bin/busybox ] || { not_ok "hint: /bin/busybox missing (sh tools/deps.sh test installs busybox-static)"; exit 0; }
for f in "$PRTOP_STATIC" ./build-static/tools/memhog; do
	[ -x "$f" ] || { not_ok "hint: $f missing (run: make STATIC=1 all)"; exit 0; }
done

run=$CACHE/qemu/hint
mkdir -p "$run"
trap 'qemu_stop' EXIT
trap 'exit 1' INT TERM HUP

qemu_kernel_or_say hint "$run" || exit 0
{
	echo "WINDOW=$WINDOW"
	cat tests/qemu/guest_hint.sh
} >"$run/guest.sh"
if ! sh tests/qemu/mkinitramfs.sh -o "$run/initramfs.gz" -m "$QEMU_MODDIR" -s "$run/guest.sh" \
	-f "$PRTOP_STATIC:/bin/prtop" -f ./build-static/tools/memhog \
	-f tests/qemu/guest_lib.sh:/lib/guest_lib.sh 2>"$run/mkinitramfs.err"; then
	not_ok "hint: initramfs: $(tail -n 3 "$run/mkinitramfs.err" | tr '\n' ' ')"
	exit 0
fi

# migrate SOCKET INFO: to a null sink, wait for it to complete, resume the
# guest; QEMU's info migrate polled every 0.2 s over one monitor connection
# (INFO.polls: QEMU's own figures while it runs) and at the end (INFO).
# Sets MIGRATION to the last status.
migrate() {
	MIGRATION=$(python3 - "$1" "$2" 2>"$run/migrate.out" <<'PYEOF'
import re, socket, sys, time

s = socket.socket(socket.AF_UNIX)
s.settimeout(30)
s.connect(sys.argv[1])
buf = b""
def hmp(cmd=None):
    global buf
    if cmd is not None:
        s.sendall(cmd.encode() + b"\n")
    end = time.time() + 30
    while b"(qemu) " not in buf and time.time() < end:
        buf += s.recv(4096)
    out, _, buf = buf.partition(b"(qemu) ")
    # the monitor echoes the command line first
    return "\n".join(l for l in out.decode(errors="replace").replace("\r", "").split("\n")[1:]
                     if l.strip())
hmp()                                   # the banner
# -d: the monitor answers at once while the migration runs
print(hmp('migrate -d "exec:cat > /dev/null"'), file=sys.stderr)
st, out, end = "", "", time.time() + 120
with open(sys.argv[2] + ".polls", "w") as polls:
    while time.time() < end:
        out = hmp("info migrate")
        polls.write(out + "\n--\n")
        m = re.search(r"^Migration status: *(\S+)", out, re.M)
        st = m.group(1) if m else ""
        if st in ("completed", "failed", "cancelled"):
            break
        time.sleep(0.2)
open(sys.argv[2], "w").write(out + "\n")
hmp("cont")
print(st)
PYEOF
)
}

# qemu_skipped POLLS: bytes QEMU took out of its dirty bitmap unsent (hinted)
# over the info migrate polls of migrate(); empty without a poll of a running
# migration
qemu_skipped() {
	python3 - "$1" <<'PYEOF'
import re, sys
prev, skipped, n = None, 0, 0
for poll in open(sys.argv[1]).read().split("\n--\n"):
    f = dict((k, int(v)) for k, v in re.findall(r"^([a-z ]+): *(\d+)", poll, re.M))
    if "remaining ram" not in f or "dirty sync count" not in f:
        continue
    sent = (f["duplicate"] + f["normal"]) * (f["page size"] << 10)
    cur = (f["dirty sync count"], f["remaining ram"] << 10, sent)
    if prev and prev[0] == cur[0]:
        skipped += (prev[1] - cur[1]) - (cur[2] - prev[2])
        n += 1
    prev = cur
print(skipped if n else "")
PYEOF
}

# boot_hint on|off: one boot with free-page-hint=on|off; the blocks land in $run/blocks-$1
boot_hint() {
	hint=$1 log=$run/serial-$1.log sock=$run/monitor-$1.sock
	rm -f "$sock"
	QEMU_MONITOR="unix:$sock,server,nowait" QEMU_EXTRA="-object iothread,id=io1" \
		QEMU_BALLOON="virtio-balloon-pci,free-page-hint=$hint,iothread=io1,free-page-reporting=off" \
		qemu_start "$log" "$run/initramfs.gz" off $((WINDOW + 420)) 2>"$run/qemu-$hint.err" || {
		not_ok "hint[$hint]: QEMU did not start: $(tr '\n' ' ' <"$run/qemu-$hint.err")"
		return 1
	}
	if ! qemu_wait_marker "$log" "PRTOP-HINT attached" 300; then
		not_ok "hint[$hint]: prtop never attached in the guest: $(qemu_log_tail "$log")"
		qemu_stop
		return 1
	fi
	t0=$(qemu_now_ms)
	migrate "$sock" "$run/migrate-$hint.txt"
	MIG_MS=$(($(qemu_now_ms) - t0))
	echo "# [$hint] migration $MIGRATION in $(((MIG_MS + 500) / 1000)) s, guest resumed"
	sed -n 's/^\(total ram\|duplicate\|normal\|page size\|transferred ram\): */\1 /p' \
		"$run/migrate-$hint.txt" | tr '\n' ',' | sed "s/^/# [$hint] QEMU: /; s/,$/\n/"
	check "hint[$hint]: the guest migrated to the null sink ($MIGRATION)" test "$MIGRATION" = completed
	if ! qemu_wait_marker "$log" "PRTOP-HINT done" $((WINDOW + 60)); then
		not_ok "hint[$hint]: the guest did not finish: $(qemu_log_tail "$log")"
		qemu_stop
		return 1
	fi
	qemu_wait_exit 20 || true
	qemu_stop
	tr -d '\r' <"$log" | grep '^PRTOP-HINT' | sed "s/^/# [$hint] /"
	rm -rf "$run/blocks-$hint"
	qemu_blocks "$log" "$run/blocks-$hint"
	if ! python3 -m json.tool "$run/blocks-$hint/hint.json" >/dev/null 2>&1; then
		not_ok "hint[$hint]: no JSON from prtop stat: $(head -c 300 "$run/blocks-$hint/hint.json" 2>/dev/null) $(tail -n 5 "$run/blocks-$hint/hint.err" 2>/dev/null | tr '\n' ' ')"
		return 1
	fi
	prc=$(tr -d '\r' <"$log" | sed -n 's/^PRTOP-HINT prtop-exit rc=\([0-9]*\).*/\1/p' | head -n 1)
	# the window the guest used (shorter where hinting is not offered)
	gw=$(tr -d '\r' <"$log" | sed -n 's/^PRTOP-HINT window \([0-9]*\).*/\1/p' | head -n 1)
	check "hint[$hint]: SIGTERM ends prtop stat's window with exit 0 and its JSON (rc=$prc)" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
w = int(sys.argv[3])
assert sys.argv[2] == "0", "rc " + sys.argv[2]
# the window the guest let run (SIGTERM after WINDOW s), not the -d asked for
assert w - 1 <= d["window_s"] < 2 * w, d["window_s"]
assert d["hinting"]["runs_total"] is not None, d["hinting"]
' "$run/blocks-$hint/hint.json" "${prc:-none}" "${gw:-$WINDOW}"
	return 0
}

memfree_kib() { tr -d '\r' <"$1" | sed -n 's/^PRTOP-HINT memfree-kib \([0-9]*\).*/\1/p' | head -n 1; }

if boot_hint on; then
	j=$run/blocks-on/hint.json
	python3 -c 'import json,sys; print("# [on] hinting:", json.dumps(json.load(open(sys.argv[1]))["hinting"]))' "$j"
	free_b=$(($(memfree_kib "$run/serial-on.log") * 1024))
	# report_free_page_func is in virtio_balloon: a kprobe, which lets it unload
	check "hint[on]: the device offers hinting and the probe attached by kprobe" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
h = d["hinting"]
assert h["offered"] == "offered", h
assert d["attach"]["hinting"] == "kprobe", d["attach"]["hinting"]
' "$j"
	check "hint[on]: at least one hinting run with a command id and a run time" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["hinting"]
assert h["runs_total"] >= 1 and h["last_cmd_id"] >= 2 and h["run_ns"]["count"] >= 1 and h["run_ns"]["max"] > 0, h
' "$j"
	# how much is hinted depends on how long the host lets it run (it says
	# stop at its first bitmap sync): bounded by what was free, whole blocks
	check "hint[on]: hinted bytes > 0, whole 4 MiB blocks, at most the guest's free memory ($free_b bytes)" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["hinting"]
free = int(sys.argv[2])
assert h["block_bytes"] == 4 << 20, h
assert 0 < h["hinted_bytes_total"] <= free and h["hinted_bytes_total"] % h["block_bytes"] == 0, (h, free)
' "$j" "$free_b"
	# the guest's MemFree as the host began the migration: the driver hints
	# every free 4 MiB block it can take before the host says stop
	check "hint[on]: hinted bytes at least half of the guest's free memory at migration ($free_b bytes)" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["hinting"]
free = int(sys.argv[2])
assert free > 0 and 2 * h["hinted_bytes_total"] >= free, (h["hinted_bytes_total"], free)
' "$j" "$free_b"
	# QEMU clears a hinted page that is still dirty from its bitmap and
	# counts it out of "remaining ram" without sending it: between two polls
	# of one bitmap sync, what left "remaining ram" and was not sent
	# (duplicate or normal pages) was hinted.  At most the hinted bytes (a
	# block hinted after QEMU sent it is not skipped); at least half of them,
	# as the 1 GiB the guest holds keeps QEMU's first pass long (seen: 79 %
	# to 99.5 %).  Without hinting it skips nothing (the off boot).
	skipped=$(qemu_skipped "$run/migrate-on.txt.polls")
	echo "# [on] QEMU skipped $((skipped >> 20)) MiB, prtop hinted $(($(json_get "$j" 'd["hinting"]["hinted_bytes_total"]') >> 20)) MiB"
	check "hint[on]: QEMU's own count of hinted RAM it skipped (info migrate) within [hinted/2, hinted]" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["hinting"]
skipped, hinted = int(sys.argv[2]), h["hinted_bytes_total"]
assert hinted / 2 <= skipped <= hinted + h["block_bytes"], (skipped, hinted)
' "$j" "${skipped:-0}"
	check "hint[on]: hinting run time and hold time within the migration's ($MIG_MS ms)" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["hinting"]
mig_ns = int(sys.argv[2]) * 10**6
# the hold ends with the host'"'"'s done, once the guest is resumed: allow 5 s
assert 0 < h["run_ns"]["max"] <= mig_ns + 5 * 10**9, (h["run_ns"], mig_ns)
assert 0 < h["held_ns"]["max"] <= mig_ns + 5 * 10**9, (h["held_ns"], mig_ns)
' "$j" "$MIG_MS"
	check "hint[on]: every hinted block given back when the host said done (returned + shrinker = hinted)" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["hinting"]
assert h["done_total"] >= 1 and h["returned_bytes_total"] > 0, h
assert h["returned_bytes_total"] + h["shrinker_bytes_total"] == h["hinted_bytes_total"], h
assert h["held_ns"]["count"] >= 1, h
' "$j"
fi

if boot_hint off; then
	j=$run/blocks-off/hint.json
	check "hint[off]: not offered, zero runs, with the reason" python3 -c '
import json, sys
h = json.load(open(sys.argv[1]))["hinting"]
assert h["offered"] == "not_offered" and h["runs_total"] == 0 and h["hinted_bytes_total"] == 0, h
assert "does not offer free page hinting" in h["reason"], h
' "$j"
	skipped=$(qemu_skipped "$run/migrate-off.txt.polls")
	check "hint[off]: QEMU skipped nothing without hinting (info migrate: $skipped bytes, < 4 MiB)" \
		test "${skipped:-x}" -lt $((4 << 20))
	check "hint[off]: doctor says why hinting is absent" \
		sh -c ". tests/lib.sh; unwrapped '$run/blocks-off/doctor.json' | grep -q '^hinting .*does not offer free page hinting'"
fi
exit 0
