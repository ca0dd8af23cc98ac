#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boot the QEMU test guest by hand and wait for it to finish.
#
#   boot.sh -i INITRD -l LOG [-r on|off] [-t HARD_TIMEOUT_S] [-M MARKER]
#
# Boots the Debian 6.1 cloud kernel (tests/qemu/kernel.sh) with INITRD
# (tests/qemu/mkinitramfs.sh) under TCG, virtio-balloon with
# free-page-reporting on (default) or off, serial console into LOG.  With
# -M, prints the QEMU process's VmRSS (KiB) each time a serial line
# containing MARKER appears.  Exits with 0 when the guest powered off by
# itself, 1 on the hard timeout (QEMU is killed), 2 on setup errors.
set -u
here=$(dirname "$0")
# shellcheck source=tests/qemu/lib.sh
. "$here/lib.sh"

initrd="" log="" fpr=on hard=300 marker=""
while getopts i:l:r:t:M: opt; do
	case $opt in
	i) initrd=$OPTARG ;;
	l) log=$OPTARG ;;
	r) fpr=$OPTARG ;;
	t) hard=$OPTARG ;;
	M) marker=$OPTARG ;;
	*) echo "usage: boot.sh -i INITRD -l LOG [-r on|off] [-t SECS] [-M MARKER]" >&2; exit 2 ;;
	esac
done
if [ -z "$initrd" ] || [ -z "$log" ]; then
	echo "boot.sh: -i INITRD and -l LOG are required" >&2
	exit 2
fi
case $fpr in on|off) ;; *) echo "boot.sh: -r wants on or off" >&2; exit 2 ;; esac
eval "$(sh "$here/kernel.sh")" || exit 2

trap 'qemu_stop' EXIT
trap 'exit 130' INT TERM
qemu_start "$log" "$initrd" "$fpr" "$hard" || exit 2
echo "boot.sh: QEMU pid $QEMU_PID, serial console in $log" >&2
seen=0
while qemu_alive; do
	if [ -n "$marker" ]; then
		n=$(grep -cF -- "$marker" "$log" 2>/dev/null)
		while [ "${n:-0}" -gt $seen ]; do
			seen=$((seen + 1))
			echo "boot.sh: marker #$seen: VmRSS $(qemu_rss_kib) KiB"
		done
	fi
	sleep 0.1
done
# timeout(1) exits 124 (137 after -k) when it had to kill QEMU
wait "$QEMU_WRAP_PID"
rc=$?
QEMU_PID="" QEMU_WRAP_PID=""
[ $rc -eq 124 ] || [ $rc -eq 137 ] && { echo "boot.sh: hard timeout ($hard s), QEMU killed" >&2; exit 1; }
exit 0
