#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages prtop needs, only those that are missing.
#   sh tools/deps.sh build   compiler, libbpf, bpftool, libraries
#   sh tools/deps.sh test    build + QEMU, busybox, tmux, Prometheus tools, jsonnet,
#                            mmdebstrap (the package test's Debian 12 root) and
#                            what building the patched test kernel needs
#   sh tools/deps.sh kernel  the same as test
#   sh tools/deps.sh soak    test + gnuplot (make soak's plot)
set -eu

build_pkgs="make gcc clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev \
libzstd-dev libjson-c-dev libncurses-dev libmicrohttpd-dev libcairo2-dev libcap-ng-dev pkg-config"
test_pkgs="bc qemu-system-x86 busybox-static cpio gzip tmux procps python3 kmod \
prometheus jsonnet python3-yaml curl stress-ng systemd valgrind libclang-rt-14-dev dpkg-dev debhelper lintian scdoc bash-completion man-db \
mmdebstrap"
soak_pkgs="gnuplot-nox"
kernel_pkgs="linux-source-6.1 linux-source-6.12 flex bison bc libssl-dev dwarves libelf-dev patch xz-utils"

want="$build_pkgs"
case ${1:-build} in
build) ;;
test | kernel) want="$want $test_pkgs $kernel_pkgs" ;;
soak) want="$want $test_pkgs $soak_pkgs" ;;
*) echo "usage: sh tools/deps.sh [build|test|kernel|soak]" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$st" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

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
