#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel: Debian's linux-source-6.1, the patch series in
# patches/ (in the order of patches/series), tests/kernel/config.fragment
# merged over "make tinyconfig", "make bzImage".
#
#   build.sh               build, or reuse the cached image; print its path
#   build.sh -f            rebuild even when a cached image exists
#   build.sh --source      extract the pristine tree if needed; print its path
#   build.sh --check-apply apply the series to pristine copies with both
#                          "patch -p1" and "git apply"; say which patch fails
#   build.sh --key         print the cache key
#
# The only line on stdout is the path asked for; progress and errors go to
# stderr.  Exit status: 0 on success, 1 on any failure (the reason is the
# last line on stderr), 2 on bad usage.
#
# Everything lives under ${PRTOP_CACHE:-./.cache}/kernel/:
#   src/linux-source-6.1/  the pristine tree, extracted once per package version
#   work/                  a fresh copy with the series applied, and its objects
#                          (removed after a successful build unless
#                          PRTOP_KERNEL_KEEP=1)
#   images/KEY/            bzImage, config, System.map, build.log, build-seconds
# KEY is the sha256 of the source package version, this script's RECIPE,
# patches/series, every patch it lists and the config fragment: an image is
# rebuilt only when one of them changes.
#
# Environment: PRTOP_KERNEL_JOBS (default: nproc), PRTOP_KERNEL_NICE
# (default 10), PRTOP_KERNEL_MIN_FREE_MB (default 6000).
set -eu

# bump when the way the image is built changes (not for comments)
RECIPE=1
PKG=linux-source-6.1
TARBALL=/usr/src/$PKG.tar.xz

top=$(cd "$(dirname "$0")/../.." && pwd)
patchdir=$top/patches
fragment=$top/tests/kernel/config.fragment
cache=${PRTOP_CACHE:-$top/.cache}/kernel
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
--check-apply) mode=check-apply ;;
--key) mode=key ;;
*) echo "usage: build.sh [-f | --source | --check-apply | --key]" >&2; exit 2 ;;
esac

mkdir -p "$cache" || die "cannot create $cache"
cache=$(cd "$cache" && pwd)

# the patches named in patches/series, one absolute path a line
series_files() {
	[ -r "$patchdir/series" ] || die "$patchdir/series is missing"
	sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$patchdir/series" |
		while IFS= read -r p; do
			[ -r "$patchdir/$p" ] || die "patches/series names $p, which does not exist"
			echo "$patchdir/$p"
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
		cat "$patchdir/series"
		for f in $files; do
			echo "patch $(basename "$f")"
			cat "$f"
		done
		echo "fragment"
		cat "$fragment"
	} | sha256sum | cut -c1-64
}

free_mb() {
	df -Pk "$cache" | awk 'NR == 2 { print int($4 / 1024) }'
}

# extract the pristine tree once per package version; print its path
ensure_source() {
	[ -r "$TARBALL" ] || die "$TARBALL not found: install $PKG (sh tools/deps.sh kernel)"
	src=$cache/src
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
		echo "$img/bzImage"
		return 0
	fi
	need_tools
	tree=$(ensure_source)
	check_apply
	[ "$(free_mb)" -ge "$min_free_mb" ] ||
		die "only $(free_mb) MB free in $cache, a build needs $min_free_mb MB (PRTOP_KERNEL_MIN_FREE_MB)"

	work=$cache/work
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

	say "building bzImage with -j$jobs at nice $niceness (log: $log)"
	if ! nice -n "$niceness" make -C "$work/linux" O="$obj" -j"$jobs" bzImage >>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | tail -n 15 >&2
		die "the kernel build failed (see $log)"
	fi
	[ -f "$obj/arch/x86/boot/bzImage" ] || die "the build left no bzImage (see $log)"
	secs=$(($(date +%s) - start))

	rm -rf "$img.tmp"
	mkdir -p "$img.tmp"
	cp "$obj/arch/x86/boot/bzImage" "$img.tmp/bzImage"
	cp "$obj/.config" "$img.tmp/config"
	cp "$obj/System.map" "$img.tmp/System.map"
	cp "$log" "$img.tmp/build.log"
	echo "$secs" >"$img.tmp/build-seconds"
	rm -rf "$img"
	mv "$img.tmp" "$img"
	[ "${PRTOP_KERNEL_KEEP:-0}" = 1 ] || rm -rf "$work"
	say "built image $key in $secs s"
	echo "$img/bzImage"
}

# one build at a time per cache (another helper or test may be building)
with_lock() {
	if command -v flock >/dev/null 2>&1; then
		exec 9>"$cache/lock"
		flock -w 3600 9 || die "another build held $cache/lock for an hour"
	fi
	"$@"
}

case $mode in
source) with_lock ensure_source ;;
check-apply) with_lock check_apply ;;
key) cache_key ;;
build) with_lock build ;;
esac
