#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Make a Debian cloud kernel available for QEMU guests, without installing
# anything on the host:
#   - pick the newest linux-image-6.1.0-N-cloud-amd64 apt knows about, or
#     with PRTOP_QEMU_SERIES=6.12 the newest
#     linux-image-6.12.N+debM-cloud-amd64 (apt-get update only when apt
#     knows none),
#   - apt-get download it into ${PRTOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prtop}/qemu/,
#   - dpkg-deb -x it there.
# A kernel already unpacked in the cache is reused (the newest one there)
# unless PRTOP_QEMU_REFRESH=1.
#
# Output (stdout), ready for eval:
#   QEMU_KVER=6.1.0-N-cloud-amd64 (or 6.12.N+debM-cloud-amd64)
#   QEMU_VMLINUZ=/abs/path/boot/vmlinuz-$QEMU_KVER
#   QEMU_MODDIR=/abs/path/lib/modules/$QEMU_KVER
# Diagnostics go to stderr; exit status is non-zero when no kernel could be
# made available.
#
#   eval "$(sh tests/qemu/kernel.sh)" && echo "$QEMU_VMLINUZ"
set -eu

cache=${PRTOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prtop}/qemu
series=${PRTOP_QEMU_SERIES:-6.1}
case $series in
6.1) glob='6.1.0-*-cloud-amd64' re='^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' ;;
6.12) glob='6.12.*-cloud-amd64' re='^linux-image-6\.12\.[0-9]+\+deb[0-9]+-cloud-amd64$' ;;
*) echo "kernel.sh: PRTOP_QEMU_SERIES must be 6.1 or 6.12, not '$series'" >&2; exit 2 ;;
esac
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

say() { echo "kernel.sh: $*" >&2; }

# emit KVER for an unpacked tree under $cache/$kver; false if incomplete
emit() {
	_root=$cache/$1
	[ -f "$_root/boot/vmlinuz-$1" ] && [ -d "$_root/lib/modules/$1" ] || return 1
	echo "QEMU_KVER=$1"
	echo "QEMU_VMLINUZ=$_root/boot/vmlinuz-$1"
	echo "QEMU_MODDIR=$_root/lib/modules/$1"
}

# newest kernel release already unpacked in the cache (empty if none)
cached_kver() {
	# shellcheck disable=SC2086 # $glob is a pattern
	for _d in "$cache"/$glob; do
		[ -f "$_d/.complete" ] && basename "$_d"
	done | sort -V | tail -n 1
}

# newest image of the series apt offers (empty if none)
apt_newest() {
	apt-cache search --names-only "$re" 2>/dev/null |
		awk '{ print $1 }' | sort -V | tail -n 1
}

if [ "${PRTOP_QEMU_REFRESH:-0}" != 1 ]; then
	kver=$(cached_kver)
	if [ -n "$kver" ] && emit "$kver"; then
		exit 0
	fi
fi

command -v apt-cache >/dev/null 2>&1 || { say "apt-cache not found: need a Debian host"; exit 1; }
pkg=$(apt_newest)
if [ -z "$pkg" ]; then
	say "apt knows no linux-image-$glob; running apt-get update"
	apt-get update -qq >&2 || say "apt-get update failed"
	pkg=$(apt_newest)
fi
if [ -z "$pkg" ]; then
	say "no linux-image-$glob package available from apt"
	exit 1
fi
# a package that apt lists but has no candidate version cannot be downloaded
cand=$(apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
	say "$pkg has no installable candidate version (apt-cache policy $pkg)"
	exit 1
fi
kver=${pkg#linux-image-}

if [ -f "$cache/$kver/.complete" ] && emit "$kver"; then
	exit 0
fi

say "downloading $pkg $cand into $cache"
dl=$cache/download
rm -rf "${dl:?}" "${cache:?}/${kver:?}"
mkdir -p "$dl"
# apt-get download writes into the current directory; as root it warns that
# the _apt user cannot write there, which is harmless
if ! (cd "$dl" && apt-get download -q "$pkg" >&2 2>"$dl/apt.err"); then
	say "apt-get download $pkg failed:"
	cat "$dl/apt.err" >&2
	exit 1
fi
deb=$(find "$dl" -maxdepth 1 -name '*.deb' | head -n 1)
[ -n "$deb" ] || { say "apt-get download left no .deb in $dl"; exit 1; }
mkdir -p "$cache/$kver"
if ! dpkg-deb -x "$deb" "$cache/$kver"; then
	say "dpkg-deb -x $deb failed"
	rm -rf "${cache:?}/${kver:?}"
	exit 1
fi
emit "$kver" >/dev/null || { say "$deb holds no vmlinuz-$kver or modules dir"; exit 1; }
echo "$pkg $cand" >"$cache/$kver/.complete"
rm -rf "$dl"
emit "$kver"
