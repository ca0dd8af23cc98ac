#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build a gzip'd newc initramfs for the patched test kernel, whose virtio
# and balloon drivers are built in: no modules, only busybox, the guest
# script and extra files.
#
#   initramfs.sh -o OUT -s GUEST_SCRIPT [-f SRC[:DEST]]... [-b BUSYBOX]
#
#   -o OUT           the initramfs to write
#   -s GUEST_SCRIPT  run as "sh /guest.sh" once the system is up
#   -f SRC[:DEST]    extra file, DEST defaults to /bin/<name>; repeatable
#   -b BUSYBOX       a statically linked busybox (default /bin/busybox)
#
# /init mounts proc, sysfs, devtmpfs, debugfs and tracefs, prints
# "KINIT ready", runs the guest script with its output on the serial
# console, prints "KINIT exit RC" and reboots (QEMU runs with -no-reboot,
# so that ends QEMU; without ACPI, poweroff would only halt).
set -eu

die() { echo "initramfs.sh: $*" >&2; exit 1; }

out="" script="" busybox=/bin/busybox extras=""
while getopts o:s:f:b: opt; do
	case $opt in
	o) out=$OPTARG ;;
	s) script=$OPTARG ;;
	f) extras="$extras $OPTARG" ;;
	b) busybox=$OPTARG ;;
	*) die "usage: initramfs.sh -o OUT -s GUEST_SCRIPT [-f SRC[:DEST]]... [-b BUSYBOX]" ;;
	esac
done
[ -n "$out" ] && [ -n "$script" ] || die "-o OUT and -s GUEST_SCRIPT are required"
[ -r "$script" ] || die "cannot read $script"
[ -x "$busybox" ] || die "$busybox not found (install busybox-static)"
if command -v file >/dev/null 2>&1 && file -L "$busybox" | grep -q 'dynamically linked'; then
	die "$busybox is dynamically linked (install busybox-static)"
fi
command -v cpio >/dev/null 2>&1 || die "cpio not found (install cpio)"

root=$(mktemp -d "${TMPDIR:-/tmp}/prtop-kinitrd.XXXXXX")
trap 'rm -rf "$root"' EXIT
for d in bin dev proc sys tmp etc; do
	mkdir -p "$root/$d"
done
# an initial console before devtmpfs is mounted (the kernel's built-in
# initramfs has one too; this needs root and is optional)
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$script" "$root/guest.sh"
for spec in $extras; do
	src=${spec%%:*}
	dst=/bin/$(basename "$src")
	case $spec in *:*) dst=${spec#*:} ;; esac
	[ -f "$src" ] || die "extra file $src does not exist"
	mkdir -p "$root$(dirname "$dst")"
	cp "$src" "$root$dst"
	chmod 755 "$root$dst"
done

cat >"$root/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec 0</dev/console 1>/dev/console 2>&1
echo 1 >/proc/sys/kernel/printk
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing
echo "KINIT ready $(uname -r) uptime $(cut -d' ' -f1 /proc/uptime)"
sh /guest.sh
echo "KINIT exit $?"
sync
reboot -f
EOF
chmod 755 "$root/init" "$root/guest.sh"

mkdir -p "$(dirname "$out")"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
