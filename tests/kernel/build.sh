#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build a test kernel: Debian's linux-source-BASE (BASE 6.1 or 6.12), the
# stable fixes in patches/fixes/BASE/, the knob series in patches/BASE/ and
# the observability series in patches/observability/BASE/ (each in the
# order of its series file),
# tests/kernel/config.fragment merged over "make tinyconfig", "make bzImage
# modules", and the test module tests/kernel/prdev/ against it.
#
#   build.sh [-b BASE]               build, or reuse the cached image; print
#                                    the image's directory
#   build.sh [-b BASE] -f            rebuild even when a cached image exists
#   build.sh [-b BASE] --source      extract the pristine tree if needed;
#                                    print its path
#   build.sh [-b BASE] --pristine    build the pristine tree's mm/ objects
#                                    (for bloat-o-meter); print their directory
#   build.sh [-b BASE] --check-apply apply the series to pristine copies with
#                                    both "patch -p1" and "git apply"; say
#                                    which patch fails
#   build.sh [-b BASE] --key         print the cache key
#
# BASE defaults to $PRTOP_KERNEL_BASE, else 6.1.  The only line on stdout is
# the path asked for; progress and errors go to stderr.  Exit status: 0 on
# success, 1 on any failure (the reason is the last line on stderr), 2 on
# bad usage.
#
# Everything lives outside the clone, so that other clones and later runs
# on this machine reuse it, under
# ${PRTOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prtop}/kernel/:
#   src/linux-source-BASE/  the pristine tree, extracted once per package version
#   work-BASE/              a fresh copy with the series applied, and its objects
#                           (removed after a successful build unless
#                           PRTOP_KERNEL_KEEP=1)
#   images/KEY/             bzImage, virtio_balloon.ko, prdev.ko, config,
#                           System.map, page_alloc.o, build.log, build-seconds
#   pristine/KEY/           mm/page_alloc.o and mm/page_reporting.o unpatched
# KEY is the sha256 of the source package version, this script's RECIPE,
# the series files, the diffs of every patch it lists (not their mail
# headers or messages), the config fragment and the test module's source:
# an image is rebuilt only when one of them changes.
#
# Environment: PRTOP_KERNEL_JOBS (default: nproc), PRTOP_KERNEL_NICE
# (default 10), PRTOP_KERNEL_MIN_FREE_MB (default 6000).
set -eu

# bump when the way the image is built changes (not for comments)
RECIPE=2

top=$(cd "$(dirname "$0")/../.." && pwd)
base=${PRTOP_KERNEL_BASE:-6.1}
if [ "${1:-}" = -b ]; then
	[ $# -ge 2 ] || { echo "build.sh: -b needs a base (6.1 or 6.12)" >&2; exit 2; }
	base=$2
	shift 2
fi
case $base in
6.1 | 6.12) ;;
*) echo "build.sh: unknown base '$base' (6.1 or 6.12)" >&2; exit 2 ;;
esac
PKG=linux-source-$base
TARBALL=/usr/src/$PKG.tar.xz
patchdir=$top/patches/$base
fixdir=$top/patches/fixes/$base
obsdir=$top/patches/observability/$base
fragment=$top/tests/kernel/config.fragment
module=$top/tests/kernel/prdev
cache=${PRTOP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/prtop}/kernel
jobs=${PRTOP_KERNEL_JOBS:-$(nproc 2>/dev/null || echo 2)}
niceness=${PRTOP_KERNEL_NICE:-10}
min_free_mb=${PRTOP_KERNEL_MIN_FREE_MB:-6000}

say() { echo "build.sh: $*" >&2; }
die() { echo "build.sh: error: $*" >&2; exit 1; }

mode=build force=0
case "${1:-}" in
"") ;;
-f) force=1 ;;
--source) mode=source ;;
--pristine) mode=pristine ;;
--check-apply) mode=check-apply ;;
--key) mode=key ;;
*) echo "usage: build.sh [-b 6.1|6.12] [-f | --source | --pristine | --check-apply | --key]" >&2; exit 2 ;;
esac

mkdir -p "$cache" || die "cannot create $cache"
cache=$(cd "$cache" && pwd)

# the patches to apply, one absolute path a line: the stable fixes of
# patches/fixes/BASE/series (where there are any) first, as a stable tree
# would have them, then the series of patches/BASE/series
series_files() {
	[ -r "$patchdir/series" ] || die "$patchdir/series is missing"
	for d in "$fixdir" "$patchdir" "$obsdir"; do
		[ -r "$d/series" ] || continue
		sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$d/series" |
			while IFS= read -r p; do
				[ -r "$d/$p" ] || die "${d#"$top"/}/series names $p, which does not exist"
				echo "$d/$p"
			done
	done
}

pkg_version() {
	v=$(dpkg-query -W -f='${Version}' "$PKG" 2>/dev/null || true)
	[ -n "$v" ] || v="unpackaged-$(stat -c '%s-%Y' "$TARBALL")"
	echo "$v"
}

cache_key() {
	files=$(series_files) || exit 1
	{
		echo "package $PKG $(pkg_version)"
		echo "recipe $RECIPE"
		echo "series"
		cat "$fixdir/series" "$patchdir/series" "$obsdir/series" 2>/dev/null
		# the code, not the mail around it: a series regenerated with new
		# dates or reworded messages builds the same kernel
		for f in $files; do
			echo "patch $(basename "$f")"
			sed -n '/^diff --git /,$p' "$f"
		done
		echo "fragment"
		cat "$fragment"
		for f in "$module"/*; do
			echo "module $(basename "$f")"
			cat "$f"
		done
	} | sha256sum | cut -c1-64
}

free_mb() {
	df -Pk "$cache" | awk 'NR == 2 { print int($4 / 1024) }'
}

# extract the pristine tree once per package version; print its path
ensure_source() {
	[ -r "$TARBALL" ] || die "$TARBALL not found: install $PKG (sh tools/deps.sh kernel)"
	src=$cache/src/$PKG
	ver=$(pkg_version)
	if [ -f "$src/.complete" ] && [ "$(cat "$src/.complete")" = "$ver" ] &&
		[ -f "$src/$PKG/Makefile" ]; then
		echo "$src/$PKG"
		return 0
	fi
	[ "$(free_mb)" -ge 2000 ] || die "less than 2000 MB free in $cache to extract $TARBALL"
	say "extracting $TARBALL ($ver) into $src"
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	tar -xf "$TARBALL" -C "$src.tmp" || die "extracting $TARBALL failed"
	[ -f "$src.tmp/$PKG/Makefile" ] || die "$TARBALL holds no $PKG/Makefile"
	echo "$ver" >"$src.tmp/.complete"
	mv "$src.tmp" "$src"
	echo "$src/$PKG"
}

# check_apply: every patch applies, in order, with patch -p1 (no fuzz) and
# with git apply, to copies of the files the series touches
check_apply() {
	tree=$(ensure_source)
	files=$(series_files)
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/prtop-apply.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# git apply must not find a repository above the copies
	GIT_CEILING_DIRECTORIES=$tmp
	export GIT_CEILING_DIRECTORIES
	for tool in patch git; do
		mkdir -p "$tmp/$tool"
		# the pre-image of every file the series names ("--- a/PATH")
		sed -n 's|^--- a/||p' $files | sed 's/[[:space:]].*//' | sort -u |
			while IFS= read -r f; do
				[ -f "$tree/$f" ] || continue
				mkdir -p "$tmp/$tool/$(dirname "$f")"
				cp "$tree/$f" "$tmp/$tool/$f"
			done
	done
	for f in $files; do
		n=$(basename "$f")
		out=$(cd "$tmp/patch" && patch -p1 -f -s --fuzz=0 --no-backup-if-mismatch <"$f" 2>&1) ||
			die "$n does not apply with patch -p1: $(echo "$out" | tr '\n' ' ')"
		[ -z "$out" ] || die "$n applies with patch -p1 only with complaints: $(echo "$out" | tr '\n' ' ')"
		out=$(cd "$tmp/git" && git apply --whitespace=error-all "$f" 2>&1) ||
			die "$n does not apply with git apply: $(echo "$out" | tr '\n' ' ')"
	done
	# both tools must have produced the same tree
	diff -r "$tmp/patch" "$tmp/git" >/dev/null ||
		die "patch -p1 and git apply gave different results"
	rm -rf "$tmp"
	trap - EXIT
	say "$(echo "$files" | wc -l) patches apply cleanly with patch -p1 and git apply"
}

need_tools() {
	missing=""
	for c in make gcc flex bison bc perl patch pahole xz tar; do
		command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
	done
	[ -r /usr/include/openssl/ssl.h ] || missing="$missing libssl-dev"
	[ -r /usr/include/gelf.h ] || [ -r /usr/include/libelf.h ] || missing="$missing libelf-dev"
	[ -z "$missing" ] || die "missing build tools:$missing (sh tools/deps.sh kernel)"
}

build() {
	key=$(cache_key)
	img=$cache/images/$key
	if [ $force = 0 ] && [ -f "$img/bzImage" ]; then
		say "cached image $key (built in $(cat "$img/build-seconds" 2>/dev/null || echo '?') s)"
		echo "$img"
		return 0
	fi
	need_tools
	tree=$(ensure_source)
	check_apply
	[ "$(free_mb)" -ge "$min_free_mb" ] ||
		die "only $(free_mb) MB free in $cache, a build needs $min_free_mb MB (PRTOP_KERNEL_MIN_FREE_MB)"

	work=$cache/work-$base
	rm -rf "$work"
	mkdir -p "$work"
	log=$work/build.log
	start=$(date +%s)
	say "copying the pristine tree and applying the series"
	cp -a "$tree" "$work/linux" || die "copying $tree failed"
	for f in $(series_files); do
		(cd "$work/linux" && patch -p1 -f -s --fuzz=0 --no-backup-if-mismatch <"$f") >>"$log" 2>&1 ||
			die "$(basename "$f") does not apply (see $log)"
	done

	say "configuring: tinyconfig + $(basename "$fragment")"
	obj=$work/obj
	mkdir -p "$obj"
	{
		make -C "$work/linux" O="$obj" tinyconfig &&
			(cd "$work/linux" && scripts/kconfig/merge_config.sh -m -O "$obj" \
				"$obj/.config" "$fragment") &&
			make -C "$work/linux" O="$obj" olddefconfig
	} >>"$log" 2>&1 || { tail -n 20 "$log" >&2; die "configuring failed (see $log)"; }
	# every option of the fragment must have survived olddefconfig
	lost=""
	for opt in $(sed -n 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)/\1/p' "$fragment"); do
		grep -qx -- "$opt" "$obj/.config" || lost="$lost ${opt%%=*}"
	done
	[ -z "$lost" ] || die "options of the fragment not set after olddefconfig (unmet dependencies?):$lost"

	say "building bzImage and modules with -j$jobs at nice $niceness (log: $log)"
	if ! nice -n "$niceness" make -C "$work/linux" O="$obj" -j"$jobs" bzImage modules >>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | tail -n 15 >&2
		die "the kernel build failed (see $log)"
	fi
	[ -f "$obj/arch/x86/boot/bzImage" ] || die "the build left no bzImage (see $log)"
	balloon=$obj/drivers/virtio/virtio_balloon.ko
	[ -f "$balloon" ] || die "the build left no virtio_balloon.ko (CONFIG_VIRTIO_BALLOON=m?)"
	# no Hyper-V under QEMU: hv_balloon is only compiled, but compiled it
	# must be, or the series' and the fixes' changes to it go unbuilt
	[ -f "$obj/drivers/hv/hv_balloon.ko" ] ||
		die "the build left no hv_balloon.ko (CONFIG_HYPERV_BALLOON=m?)"
	# the test module is built from a copy: nothing is written into the clone
	cp -r "$module" "$work/prdev"
	nice -n "$niceness" make -C "$work/linux" O="$obj" M="$work/prdev" modules >>"$log" 2>&1 ||
		{ tail -n 15 "$log" >&2; die "building the test module failed (see $log)"; }
	secs=$(($(date +%s) - start))

	rm -rf "$img.tmp"
	mkdir -p "$img.tmp"
	cp "$obj/arch/x86/boot/bzImage" "$img.tmp/bzImage"
	cp "$balloon" "$work/prdev/prdev.ko" "$obj/mm/page_alloc.o" "$img.tmp/"
	cp "$obj/.config" "$img.tmp/config"
	cp "$obj/System.map" "$img.tmp/System.map"
	cp "$log" "$img.tmp/build.log"
	echo "$secs" >"$img.tmp/build-seconds"
	rm -rf "$img"
	mv "$img.tmp" "$img"
	[ "${PRTOP_KERNEL_KEEP:-0}" = 1 ] || rm -rf "$work"
	say "built image $key in $secs s"
	echo "$img"
}

# the unpatched mm/ objects with the same configuration, for bloat-o-meter
pristine() {
	key=$(cache_key)
	out=$cache/pristine/$key
	if [ -f "$out/page_alloc.o" ]; then
		echo "$out"
		return 0
	fi
	need_tools
	tree=$(ensure_source)
	work=$cache/work-pristine-$base
	rm -rf "$work"
	mkdir -p "$work/obj"
	log=$work/build.log
	{
		make -C "$tree" O="$work/obj" tinyconfig &&
			(cd "$tree" && scripts/kconfig/merge_config.sh -m -O "$work/obj" \
				"$work/obj/.config" "$fragment") &&
			make -C "$tree" O="$work/obj" olddefconfig &&
			nice -n "$niceness" make -C "$tree" O="$work/obj" -j"$jobs" \
				mm/page_alloc.o mm/page_reporting.o
	} >>"$log" 2>&1 || { tail -n 15 "$log" >&2; die "building the pristine mm/ objects failed (see $log)"; }
	rm -rf "$out.tmp"
	mkdir -p "$out.tmp"
	cp "$work/obj/mm/page_alloc.o" "$work/obj/mm/page_reporting.o" "$out.tmp/"
	mv "$out.tmp" "$out"
	rm -rf "$work"
	echo "$out"
}

# one build of a base at a time per cache (another clone or test may be
# building it); the bases share nothing but the cache's top directory
with_lock() {
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$cache/lock-$base"
		flock -w 3600 9 || die "another build held $cache/lock-$base for an hour"
	fi
	"$@"
}

case $mode in
source) with_lock ensure_source ;;
pristine) with_lock pristine ;;
check-apply) with_lock check_apply ;;
key) cache_key ;;
build) with_lock build ;;
esac
