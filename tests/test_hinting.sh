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
# Checks: at least one hinting run with a command id; hinted bytes > 0 and
# at most the guest's memory, at least half of what was free before; every
# hinted block returned (or released by the shrinker); a run time.  The
# same guest with free-page-hint=off: hinting not offered, zero runs, the
# reason in JSON and doctor.
#
# Knobs: PRTOP_HINT_WINDOW (30 s).  Serial logs stay in $PRTOP_CACHE/qemu/hint/.
# shellcheck source=tests/lib.sh
. tests/lib.sh
# shellcheck source=tests/qemu/lib.sh
. tests/qemu/lib.sh

WINDOW=${PRTOP_HINT_WINDOW:-30}

require "$QEMU_BIN" cpio gzip python3 timeout setsid awk
[ -x /bin/busybox ] || { not_ok "hint: /bin/busybox missing (sh tools/deps.sh test installs busybox-static)"; exit 0; }
[ -x "$PRTOP_STATIC" ] || { not_ok "hint: $PRTOP_STATIC missing (run: make STATIC=1)"; exit 0; }

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
	-f "$PRTOP_STATIC:/bin/prtop" -f tests/qemu/guest_lib.sh:/lib/guest_lib.sh 2>"$run/mkinitramfs.err"; then
	not_ok "hint: initramfs: $(tail -n 3 "$run/mkinitramfs.err" | tr '\n' ' ')"
	exit 0
fi

# migrate SOCKET: to a null sink, wait for it to complete, resume the guest
migrate() {
	qemu_hmp "$1" 'migrate "exec:cat > /dev/null"' >"$run/migrate.out" 2>&1
	i=0
	while [ $i -lt 120 ]; do
		st=$(qemu_hmp "$1" "info migrate" 2>/dev/null | sed -n 's/^Migration status: *//p')
		case $st in completed | failed | cancelled) break ;; esac
		sleep 0.5
		i=$((i + 1))
	done
	qemu_hmp "$1" cont >/dev/null 2>&1
	MIGRATION=$st
}

# boot_hint on|off: one boot with free-page-hint=on|off; the blocks land in $run/blocks-$1
boot_hint() {
	hint=$1 log=$run/serial-$1.log sock=$run/monitor-$1.sock
	rm -f "$sock"
	QEMU_MONITOR="unix:$sock,server,nowait" QEMU_EXTRA="-object iothread,id=io1" \
		QEMU_BALLOON="virtio-balloon-pci,free-page-hint=$hint,iothread=io1,free-page-reporting=off" \
		qemu_start "$log" "$run/initramfs.gz" off $((WINDOW + 150)) 2>"$run/qemu-$hint.err" || {
		not_ok "hint[$hint]: QEMU did not start: $(tr '\n' ' ' <"$run/qemu-$hint.err")"
		return 1
	}
	if ! qemu_wait_marker "$log" "PRTOP-HINT attached" 90; then
		not_ok "hint[$hint]: prtop never attached in the guest: $(qemu_log_tail "$log")"
		qemu_stop
		return 1
	fi
	t0=$(qemu_now_ms)
	migrate "$sock"
	echo "# [$hint] migration $MIGRATION in $((($(qemu_now_ms) - t0 + 500) / 1000)) s, guest resumed"
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
	check "hint[off]: doctor says why hinting is absent" \
		grep -q '^hinting .*does not offer free page hinting' "$run/blocks-off/doctor.json"
fi
exit 0
