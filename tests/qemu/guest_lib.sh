# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the guest scripts (busybox sh) of tests/test_qemu.sh and
# tests/test_kernel.sh; the initramfs carries it as /lib/guest_lib.sh.

# json_num FILE KEY: first numeric value of "KEY" in FILE (empty if none)
json_num() {
	tr -d '\n' <"$1" | grep -o "\"$2\"[[:space:]]*:[[:space:]]*[0-9]*" |
		head -n 1 | grep -o '[0-9]*$'
}

# dump TAG FILE ERRFILE: prtop's output between unique markers, for the
# host to take apart (tests/qemu/lib.sh: qemu_blocks)
dump() {
	echo "PRTOP-JSON-BEGIN $1"
	cat "$2"
	echo
	echo "PRTOP-JSON-END $1"
	sed "s/^/PRTOP-ERR $1: /" "$3" | tail -n 20
}

# number of BPF links prtop holds (fdinfo of a link fd has "link_type")
links_of() {
	n=0
	for f in /proc/"$1"/fdinfo/*; do
		grep -q '^link_type' "$f" 2>/dev/null && n=$((n + 1))
	done
	echo $n
}

# wait_attached PID: until prtop's BPF link count is stable (sets $last)
wait_attached() {
	last=-1 stable=0 i=0
	while [ $i -lt 60 ] && kill -0 "$1" 2>/dev/null; do
		n=$(links_of "$1")
		if [ "$n" -gt 0 ] && [ "$n" -eq "$last" ]; then
			stable=$((stable + 1))
			[ $stable -ge 2 ] && break
		else
			stable=0
		fi
		last=$n
		sleep 0.5
		i=$((i + 1))
	done
}

# settle_reporting PRTOP: until the initial reporting pass is over, a 3 s
# prtop window without a batch after at least 12 s of uptime (at most 15
# windows); sets $settle_tries
settle_reporting() {
	settle_tries=0
	while [ $settle_tries -lt 15 ]; do
		timeout 40 "$1" stat --json -d 3 >/tmp/settle.json 2>/dev/null
		_b=$(json_num /tmp/settle.json batches_total)
		[ "${_b:-1}" = 0 ] && [ "$(cut -d. -f1 /proc/uptime)" -ge 12 ] && break
		settle_tries=$((settle_tries + 1))
	done
}

# hog MIB: start memhog writing MIB MiB and holding them; returns once every
# page is written (sets mh, its pid).  Uses the caller's mark(); on failure
# marks "memhog-failed" and exits the guest script.
hog() {
	: >/tmp/memhog.out
	memhog -m "$1" -H -1 -q >/tmp/memhog.out 2>/tmp/memhog.err &
	mh=$!
	_i=0
	while ! grep -q 'MEMHOG touched' /tmp/memhog.out; do
		if ! kill -0 $mh 2>/dev/null || [ $_i -ge 1800 ]; then
			mark "memhog-failed $(tr '\n' ' ' </tmp/memhog.err)"
			exit 1
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}

# balloon_bit N: feature bit N of the virtio balloon (1 or 0; empty without
# a balloon): 3 free page hinting, 5 free page reporting
balloon_bit() {
	for _d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$_d/device" 2>/dev/null)" = 0x0005 ] || continue
		cut -c$(($1 + 1)) "$_d/features"
		return
	done
}
