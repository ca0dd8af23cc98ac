#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages prtop needs, only those that are missing.
#   sh tools/deps.sh build   compiler, libbpf, bpftool, libraries
#   sh tools/deps.sh test    build + QEMU, busybox, tmux, Prometheus tools, jsonnet,
#                            mmdebstrap (the package test's Debian 12 root), libvirt
#                            (a real libvirtd for test_libvirt) and
#                            what building the patched test kernel needs
#   sh tools/deps.sh kernel  the same as test
#   sh tools/deps.sh soak    test + gnuplot (make soak's plot)
#   sh tools/deps.sh bench   test + bpftrace (make bench's start-up comparison)
set -eu

build_pkgs="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev \
libzstd-dev libjson-c-dev libncurses-dev libcairo2-dev libcap-ng-dev pkg-config"
test_pkgs="bc qemu-system-x86 busybox-static cpio gzip tmux procps python3 kmod \
prometheus jsonnet python3-yaml curl stress-ng systemd valgrind libclang-rt-14-dev dpkg-dev debhelper lintian scdoc bash-completion man-db \
mmdebstrap libvirt-daemon libvirt-clients prometheus-libvirt-exporter"
soak_pkgs="gnuplot-nox"
bench_pkgs="bpftrace"
kernel_pkgs="linux-source-6.1 linux-source-6.12 flex bison bc libssl-dev dwarves libelf-dev patch xz-utils"

want="$build_pkgs"
case ${1:-build} in
build) ;;
test | kernel) want="$want $test_pkgs $kernel_pkgs" ;;
soak) want="$want $test_pkgs $soak_pkgs" ;;
bench) want="$want $test_pkgs $kernel_pkgs $bench_pkgs" ;;
*) echo "usage: sh tools/deps.sh [build|test|kernel|soak|bench]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
# tests/test_libvirt.sh runs libvirtd by hand.  libvirt-daemon-system would
# bring systemd units, polkit, iptables and a default network none of which
# can run here (no systemd as PID 1); of it the QEMU driver needs only the
# user it resolves at start-up, before reading any configuration
need_user=""
case " $want " in
*" libvirt-daemon "*) getent passwd libvirt-qemu >/dev/null 2>&1 || need_user=libvirt-qemu ;;
esac
add_user() {
	[ -n "$need_user" ] || return 0
	echo "prtop: adding the system user libvirt-qemu (as libvirt-daemon-system does)"
	adduser --system --group --home /var/lib/libvirt --no-create-home --quiet libvirt-qemu
}
if [ -z "$missing" ]; then
	[ -z "$need_user" ] && exit 0
	[ "$(id -u)" -eq 0 ] || { echo "prtop: run this as root to add the user libvirt-qemu" >&2; exit 1; }
	add_user
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "prtop: missing Debian packages:$missing" >&2
	echo "prtop: run this as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "prtop: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
add_user
