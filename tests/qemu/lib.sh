# SPDX-License-Identifier: GPL-2.0
#
# Sourced helpers to run a QEMU guest from a test and watch it from the host.
#
#   . tests/qemu/lib.sh
#   eval "$(sh tests/qemu/kernel.sh)"            # QEMU_VMLINUZ, QEMU_MODDIR
#   sh tests/qemu/mkinitramfs.sh -o "$initrd" -m "$QEMU_MODDIR" -s guest.sh ...
#   qemu_start "$log" "$initrd" on 150           # sets QEMU_PID
#   qemu_wait_marker "$log" "SOME MARKER" 60 || echo "$(qemu_log_tail "$log")"
#   qemu_rss_kib                                 # VmRSS of QEMU, KiB
#   qemu_wait_exit 30; qemu_stop                 # qemu_stop is safe to repeat
#
# Every wait is bounded, and QEMU itself runs under timeout(1) with a hard
# limit, so even a test killed with SIGKILL leaves no QEMU behind for long.
# Call qemu_stop from an EXIT trap.

QEMU_BIN=${QEMU_BIN:-qemu-system-x86_64}
QEMU_MEM_MIB=${QEMU_MEM_MIB:-2048}
QEMU_SMP=${QEMU_SMP:-2}
QEMU_APPEND=${QEMU_APPEND:-"console=ttyS0 loglevel=1 panic=-1"}
# the balloon device (default: free page reporting per qemu_start's on|off),
# the monitor (default none) and extra options, e.g. an iothread object
QEMU_BALLOON=${QEMU_BALLOON:-}
QEMU_MONITOR=${QEMU_MONITOR:-none}
QEMU_EXTRA=${QEMU_EXTRA:-}
QEMU_PID=""		# the QEMU process (whose VmRSS is read)
QEMU_WRAP_PID=""	# the timeout(1) process around it

# now in milliseconds (monotonic enough for test timing)
qemu_now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# qemu_start LOG INITRD on|off HARD_TIMEOUT_S: boot in the background.
# Serial console -> LOG, QEMU's own messages -> LOG.qemu.  Needs
# QEMU_VMLINUZ.  Returns non-zero (with the reason on stderr) when QEMU did
# not come up.
qemu_start() {
	_log=$1 _initrd=$2 _fpr=$3 _hard=$4
	qemu_stop
	rm -f "$_log" "$_log.qemu" "$_log.pid"
	: >"$_log"
	if [ -z "${QEMU_VMLINUZ:-}" ] || [ ! -r "$QEMU_VMLINUZ" ]; then
		echo "qemu_start: QEMU_VMLINUZ not set or unreadable (run tests/qemu/kernel.sh)" >&2
		return 1
	fi
	# setsid: QEMU gets its own process group, so a ^C on the test's
	# terminal reaches the test (which cleans up) and not QEMU directly
	# shellcheck disable=SC2086 # QEMU_EXTRA is a list of options
	setsid -w timeout -k 5 "$_hard" "$QEMU_BIN" \
		-accel tcg -cpu max -m "$QEMU_MEM_MIB" -smp "$QEMU_SMP" \
		-nographic -no-reboot -nic none -monitor "$QEMU_MONITOR" -parallel none \
		-serial "file:$_log" -pidfile "$_log.pid" \
		-kernel "$QEMU_VMLINUZ" -initrd "$_initrd" -append "$QEMU_APPEND" \
		-device "${QEMU_BALLOON:-virtio-balloon-pci,free-page-reporting=$_fpr}" $QEMU_EXTRA \
		</dev/null >"$_log.qemu" 2>&1 &
	QEMU_WRAP_PID=$!
	# the pid file appears once QEMU has parsed its options
	_i=0
	while [ $_i -lt 100 ]; do
		if [ -s "$_log.pid" ]; then
			QEMU_PID=$(cat "$_log.pid")
			[ -d "/proc/$QEMU_PID" ] && return 0
		fi
		kill -0 "$QEMU_WRAP_PID" 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "qemu_start: QEMU did not start: $(tr '\n' ' ' <"$_log.qemu" 2>/dev/null)" >&2
	qemu_stop
	return 1
}

# true while the QEMU we started is running
qemu_alive() {
	[ -n "$QEMU_PID" ] && [ -d "/proc/$QEMU_PID" ]
}

# qemu_wait_marker LOG MARKER TIMEOUT_S: wait for a line containing MARKER
# (fixed string).  0: seen; 1: timed out; 2: QEMU exited without it.
qemu_wait_marker() {
	_end=$(($(qemu_now_ms) + $3 * 1000))
	while :; do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		if ! qemu_alive; then
			# one last look: the line may have landed just before exit
			grep -qF -- "$2" "$1" 2>/dev/null && return 0
			return 2
		fi
		[ "$(qemu_now_ms)" -ge "$_end" ] && return 1
		sleep 0.1
	done
}

# qemu_marker_line LOG MARKER: the first line holding MARKER, \r stripped
qemu_marker_line() {
	tr -d '\r' <"$1" | grep -F -m 1 -- "$2"
}

# qemu_log_tail LOG [N]: last N (default 8) non-empty serial lines on one
# line, separated by " | ", for "not ok" reasons
qemu_log_tail() {
	tr -cd '[:print:]\t\n' <"$1" 2>/dev/null | grep -v '^[[:space:]]*$' | tail -n "${2:-8}" |
		tr '\n' '|' | sed -e 's/|$//' -e 's/|/ | /g'
}

# qemu_rss_kib: VmRSS of the running QEMU in KiB (empty if it is gone)
qemu_rss_kib() {
	[ -n "$QEMU_PID" ] || return 1
	awk '/^VmRSS:/ { print $2 }' "/proc/$QEMU_PID/status" 2>/dev/null
}

# qemu_wait_exit TIMEOUT_S: wait for QEMU to exit by itself; 1 on timeout
qemu_wait_exit() {
	_end=$(($(qemu_now_ms) + $1 * 1000))
	while qemu_alive; do
		[ "$(qemu_now_ms)" -ge "$_end" ] && return 1
		sleep 0.1
	done
	return 0
}

# qemu_stop: kill the QEMU we started (only that one, by pid); idempotent
qemu_stop() {
	if [ -n "$QEMU_PID" ] && [ -d "/proc/$QEMU_PID" ]; then
		kill "$QEMU_PID" 2>/dev/null
		_i=0
		while [ -d "/proc/$QEMU_PID" ] && [ $_i -lt 30 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		[ -d "/proc/$QEMU_PID" ] && kill -9 "$QEMU_PID" 2>/dev/null
	fi
	if [ -n "$QEMU_WRAP_PID" ]; then
		kill "$QEMU_WRAP_PID" 2>/dev/null
		wait "$QEMU_WRAP_PID" 2>/dev/null
	fi
	QEMU_PID="" QEMU_WRAP_PID=""
	return 0
}

# qemu_hmp SOCKET COMMAND: one human monitor command over a unix socket
# (QEMU_MONITOR=unix:SOCKET,server,nowait); its reply on stdout
qemu_hmp() {
	python3 - "$1" "$2" <<'PYEOF'
import socket, sys, time

s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
buf = b""
def until_prompt():
    global buf
    end = time.time() + 10
    while b"(qemu) " not in buf and time.time() < end:
        buf += s.recv(4096)
    out, _, buf = buf.partition(b"(qemu) ")
    return out
until_prompt()                      # the banner
s.sendall(sys.argv[2].encode() + b"\n")
out = until_prompt().decode(errors="replace")
# the monitor echoes the command line first
print("\n".join(l for l in out.replace("\r", "").split("\n")[1:] if l.strip()))
PYEOF
}

# qemu_wait_prelaunch SOCKET TIMEOUT_S: wait until QEMU started with -S has
# finished its set-up and waits for "cont".  Its pid file is written once the
# options are parsed, before the machine is built, and building it allocates,
# trims and discards; the monitor answers only from the main loop, after
# that.  1 on timeout
qemu_wait_prelaunch() {
	_end=$(($(qemu_now_ms) + $2 * 1000))
	while [ "$(qemu_now_ms)" -lt "$_end" ]; do
		qemu_hmp "$1" "info status" 2>/dev/null | grep -q "paused" && return 0
		qemu_alive || return 1
		sleep 0.2
	done
	return 1
}

# qemu_blocks LOG DIR: every "PRTOP-JSON-BEGIN TAG" .. "PRTOP-JSON-END TAG"
# block of the serial log (tests/qemu/guest_lib.sh: dump) -> DIR/TAG.json,
# and its "PRTOP-ERR TAG: " lines -> DIR/TAG.err
qemu_blocks() {
	mkdir -p "$2" && python3 - "$1" "$2" <<'PYEOF'
import os, sys

lines = open(sys.argv[1], errors="replace").read().replace("\r", "").split("\n")
tag = None
for line in lines:
    if line.startswith("PRTOP-JSON-BEGIN "):
        tag, body = line.split(" ", 1)[1], []
    elif tag and line == "PRTOP-JSON-END " + tag:
        open(os.path.join(sys.argv[2], tag + ".json"), "w").write("\n".join(body) + "\n")
        tag = None
    elif tag:
        body.append(line)
    elif line.startswith("PRTOP-ERR "):
        t, msg = line[len("PRTOP-ERR "):].split(": ", 1) if ": " in line else (line, "")
        with open(os.path.join(sys.argv[2], t + ".err"), "a") as f:
            f.write(msg + "\n")
PYEOF
}

# qemu_kernel_or_say TAG RUN: the Debian 6.1 cloud kernel's QEMU_VMLINUZ and
# QEMU_MODDIR (tests/qemu/kernel.sh), or a "not ok" naming TAG and false
qemu_kernel_or_say() {
	if ! _kv=$(sh tests/qemu/kernel.sh 2>"$2/kernel.err"); then
		not_ok "$1: no Debian 6.1 cloud kernel: $(tail -n 3 "$2/kernel.err" | tr '\n' ' ')"
		return 1
	fi
	eval "$_kv"
}

# qemu_run_or_say TAG LOG INITRD on|off HARD MARKER WAIT: boot, then wait up
# to WAIT s for MARKER in LOG; or a "not ok" naming TAG (and why) and false
qemu_run_or_say() {
	if ! qemu_start "$2" "$3" "$4" "$5" 2>"$2.start.err"; then
		not_ok "$1: QEMU did not start: $(tr '\n' ' ' <"$2.start.err")"
		return 1
	fi
	if ! qemu_wait_marker "$2" "$6" "$7"; then
		not_ok "$1: the guest did not finish: $(qemu_log_tail "$2" | tr '\n' ' ' | tail -c 600)"
		return 1
	fi
}
