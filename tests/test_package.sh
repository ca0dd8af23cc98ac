#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Debian package as a user gets it: built by dpkg-buildpackage from a
# clean copy of HEAD (git archive), lintian-clean, the files where they
# belong, every man page rendering without a warning and naming every
# option `prtop help CMD` names, bash completion of commands and knobs,
# both systemd units accepted by systemd-analyze verify and rated 4.0 or
# better by systemd-analyze security.  Then the .deb installed with dpkg
# into a fresh Debian 12 root made by mmdebstrap from this machine's apt
# sources (cached in $CACHE/debian-root, keyed by its package list), never
# into this machine: there --version, help, every man page, completion and
# both units again with the root's own tools, and `prtop doctor` on this
# kernel attaching its probes in the modes ./build/prtop does; dpkg -r and
# dpkg -P leave no file behind.  The doctor runs load BPF here.
# PRTOP_APT_SOURCES names another apt sources file for the root.
. tests/lib.sh
require git dpkg-buildpackage dh lintian scdoc dpkg-deb man systemd-analyze bash \
	mmdebstrap chroot unshare findmnt mountpoint
[ "$(id -u)" -eq 0 ] || { not_ok "the package test needs root (mmdebstrap, chroot, bind mounts)"; exit 0; }
# the root's bind mounts are made in a mount namespace of this script's own:
# whatever way it ends, even killed, none outlives it on this machine
if [ -z "${PRTOP_PKG_NS:-}" ]; then
	PRTOP_PKG_NS=1 exec unshare --mount --propagation private sh "$0" "$@"
fi
tmp=$(mktemp -d)
droot=$tmp/deb12
# unmount everything under the root, deepest first; remove the tree only
# when nothing is mounted in it any more (rm -rf must never reach /sys)
umount_root() {
	findmnt -rn -o TARGET | grep "^$droot/" | sort -r | while read -r m; do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
}
cleanup() {
	umount_root
	# a root half made when the run was stopped
	[ -z "${new:-}" ] || rm -f "$new"
	if findmnt -rn -o TARGET | grep -q "^$tmp/"; then
		echo "# mounts left under $tmp: not removing it"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ -r /usr/share/bash-completion/bash_completion ] ||
	{ not_ok "bash-completion is missing (run: sh tools/deps.sh test)"; exit 0; }

cmds="stat doctor export knob record report bench host"

# --- build from a clean copy of HEAD, outside any git checkout ---
mkdir -p "$tmp/src/prtop"
git archive HEAD | tar -x -C "$tmp/src/prtop"
start=$(date +%s)
if (cd "$tmp/src/prtop" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b builds from git archive HEAD ($(($(date +%s) - start)) s)"
else
	not_ok "dpkg-buildpackage failed:"
	tail -n 30 "$tmp/build.log" | sed 's/^/#   /'
	exit 0
fi
deb=$(ls "$tmp"/src/prtop_*.deb 2>/dev/null | head -n 1)
changes=$(ls "$tmp"/src/prtop_*.changes 2>/dev/null | head -n 1)
check "the build leaves prtop_*.deb and its .changes" test -f "$deb" -a -f "$changes"

# --- lintian: no error, no warning (overrides carry a comment why) ---
lintian --fail-on error,warning "$changes" >"$tmp/lintian" 2>&1
rc=$?
sed 's/^/# lintian: /' "$tmp/lintian"
check "lintian passes the .changes and .deb (status $rc)" test "$rc" -eq 0
check "lintian prints no error or warning" sh -c "! grep -q '^[EW]: ' '$tmp/lintian'"

# --- contents ---
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$tmp/files"
missing=""
for f in /usr/sbin/prtop /usr/share/bash-completion/completions/prtop \
	/lib/systemd/system/prtop-exporter.service /lib/systemd/system/prtop-host-exporter.service \
	/etc/default/prtop-exporter /etc/default/prtop-host-exporter \
	/usr/share/prtop/prtop-alerts.yml /usr/share/prtop/grafana-prtop.json \
	/usr/share/prtop/prometheus.yml /usr/share/prtop/kubernetes/prtop-host.yaml \
	/usr/share/prtop/mixin/mixin.libsonnet /usr/share/prtop/mixin/render.jsonnet \
	/usr/share/prtop/mixin/lib/manifest.libsonnet /usr/share/man/man8/prtop.8.gz \
	/usr/share/doc/prtop/copyright /usr/share/doc/prtop/README.Debian; do
	grep -qx "$f" "$tmp/files" || missing="$missing $f"
done
for c in $cmds; do
	grep -qx "/usr/share/man/man8/prtop-$c.8.gz" "$tmp/files" || missing="$missing prtop-$c.8.gz"
done
check "the .deb holds the binary, 9 man pages, completion, units, defaults, /usr/share/prtop${missing:+ (missing:$missing)}" \
	test -z "$missing"
check "the .deb holds nothing under /usr/local" sh -c "! grep -q '^/usr/local' '$tmp/files'"

root=$tmp/root
dpkg-deb -x "$deb" "$root"
P=$root/usr/sbin/prtop
$P --version >"$tmp/v" 2>&1
ver=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' debian/changelog)
check "packaged prtop --version names the version ($(head -n 1 "$tmp/v"))" grep -qx 'prtop [0-9][0-9.]*' "$tmp/v"
check "packaged prtop --version names its source: debian/changelog $ver" \
	grep -qx "source: debian/changelog $ver" "$tmp/v"

# --- man pages: render without warnings, and name every option of the help ---
n=0
bad=""
for m in "$root"/usr/share/man/man8/*.8.gz; do
	n=$((n + 1))
	w=$(MANWIDTH=80 man --warnings -l "$m" 2>&1 >/dev/null)
	[ -z "$w" ] || bad="$bad $(basename "$m"): $w"
done
check "man --warnings -l renders all $n pages without a warning${bad:+ ($bad)}" test -z "$bad" -a "$n" -eq 9

# the options in a help text: -x and --long words not inside another word
opts_of() {
	grep -o -E '(^|[^[:alnum:]_-])--?[[:alpha:]][[:alnum:]-]*' | sed -E 's/^[^-]*//' | sort -u
}
for c in "" $cmds; do
	page=prtop${c:+-$c}
	if [ -n "$c" ]; then $P help "$c"; else $P --help; fi >"$tmp/help" 2>&1
	LC_ALL=C MANWIDTH=1000 man -l "$root/usr/share/man/man8/$page.8.gz" 2>/dev/null | col -b >"$tmp/man"
	absent=""
	for o in $(opts_of <"$tmp/help"); do
		grep -q -e "$o\([^[:alnum:]-]\|$\)" "$tmp/man" || absent="$absent $o"
	done
	check "$page(8) names every option 'prtop help${c:+ $c}' names${absent:+ (absent:$absent)}" \
		test -z "$absent" -a -s "$tmp/help"
done

# --- bash completion, as bash calls it on Tab ---
comp() {
	PATH=$root/usr/sbin:$PATH bash -c '
		. /usr/share/bash-completion/bash_completion
		. "$1"
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_prtop prtop "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' comp "$root/usr/share/bash-completion/completions/prtop" "$@"
}
comp prtop st >"$tmp/c1" 2>&1
check "completion: prtop st<Tab> gives stat ($(tr '\n' ' ' <"$tmp/c1"))" grep -qx stat "$tmp/c1"
comp prtop knob "" >"$tmp/c2" 2>&1
$P knob -j 2>/dev/null | sed -n 's/^[[:space:]]*"name":[[:space:]]*"\([^"]*\)".*/\1/p' >"$tmp/knobs"
check "completion: prtop knob <Tab> gives this kernel's knobs ($(tr '\n' ' ' <"$tmp/c2"))" \
	sh -c "grep -qx order '$tmp/c2' && cmp -s '$tmp/knobs' '$tmp/c2'"
comp prtop host --no >"$tmp/c3" 2>&1
check "completion: prtop host --no<Tab> gives --no-refaults" grep -qx -- --no-refaults "$tmp/c3"

# --- systemd units ---
# verify in the extracted root, which lacks the system's own units
# (sysinit.target, ...): those come from this machine, never over the
# package's; Documentation=man: pages are looked up in the root
cp -an /lib/systemd/system/. "$root/lib/systemd/system/"
for u in prtop-exporter prtop-host-exporter; do
	f=$root/lib/systemd/system/$u.service
	check "$u.service runs /usr/sbin/prtop with ARGS from /etc/default/$u" \
		sh -c "grep -qx 'EnvironmentFile=/etc/default/$u' '$f' && grep -q '^ExecStart=/usr/sbin/prtop .*\\\$ARGS\$' '$f' && grep -q '^Documentation=man:' '$f'"
	if MANPATH=$root/usr/share/man systemd-analyze verify --root="$root" "$f" >"$tmp/verify" 2>&1; then
		ok "systemd-analyze verify accepts $u.service"
	else
		not_ok "systemd-analyze verify rejects $u.service: $(tr '\n' ' ' <"$tmp/verify")"
	fi
	score=$(systemd-analyze security --offline=true --root="$root" "$f" 2>&1 |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
	check "systemd-analyze security rates $u.service 4.0 or better (${score:-none})" \
		awk -v s="${score:-99}" 'BEGIN { exit !(s <= 4.0) }'
done

# --- a fresh Debian 12 root from this machine's archive, cached ---
# what the checks in it need: the .deb's Depends (its shared libraries, as
# dh_shlibdeps resolved them, and debian/control's own) plus man-db,
# bash-completion and systemd (systemd-analyze); the key covers them, the
# suite and the apt sources, so a change to any makes a new root
sources=${PRTOP_APT_SOURCES:-/etc/apt/sources.list.d/debian.sources}
[ -r "$sources" ] || sources=/etc/apt/sources.list
depends=$(dpkg-deb -f "$deb" Depends)
pkgs=$( (echo "$depends" | tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/[[:space:]]//g'
	echo man-db bash-completion systemd | tr ' ' '\n') | grep . | sort -u | paste -sd, -)
key=$( (echo "bookworm --variant=apt --include=$pkgs"; cat "$sources") | sha256sum | cut -c1-16)
rootdir=$CACHE/debian-root
rstart=$(date +%s)
tarball=$rootdir/bookworm-$key.tar
if [ -s "$tarball" ]; then
	ok "Debian 12 root from the cache: $(basename "$tarball") (include: $pkgs)"
else
	mkdir -p "$rootdir"
	# a run killed while making its root leaves its tarball: gone after a
	# day; one still being made by another run keeps its own name
	find "$rootdir" -name 'new-*.tar' -mmin +1440 -delete
	new=$rootdir/new-$key-$$.tar
	start=$(date +%s)
	if mmdebstrap --variant=apt --include="$pkgs" bookworm "$new" "$sources" \
		>"$tmp/mmdebstrap.log" 2>&1; then
		# one root at a time: the one this package list needs
		rm -f "$rootdir"/bookworm-*.tar
		mv "$new" "$tarball"
		ok "mmdebstrap made a Debian 12 root from $sources in $(($(date +%s) - start)) s, $(($(stat -c %s "$tarball") / 1048576)) MiB (include: $pkgs)"
	else
		rm -f "$new"
		not_ok "mmdebstrap failed to make a Debian 12 root from $sources:"
		tail -n 20 "$tmp/mmdebstrap.log" | sed 's/^/#   /'
		exit 0
	fi
fi
mkdir "$droot"
tar -C "$droot" -xf "$tarball"
check "the root is Debian 12 ($(cat "$droot/etc/debian_version" 2>/dev/null))" \
	grep -q '^12\.' "$droot/etc/debian_version"

# a command in the root, with the root's tools and a clean environment
inroot() {
	chroot "$droot" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 TERM=dumb "$@"
}
# what the root takes from this machine, read-only where the tools allow:
# /proc (knob values, kallsyms), /sys (BTF, the page_reporting parameters,
# the virtio devices) and the kernel file systems prtop doctor attaches
# through (tracefs, debugfs, bpffs, securityfs for lockdown)
mount_kernel_fs
mounted=""
for m in /proc /sys /sys/kernel/security /sys/kernel/tracing /sys/kernel/debug /sys/fs/bpf; do
	mountpoint -q "$m" || continue
	mkdir -p "$droot$m"
	if mount -o bind,ro "$m" "$droot$m"; then
		mounted="$mounted $m($(findmnt -n -o OPTIONS "$droot$m" | cut -d, -f1))"
	else
		not_ok "bind-mounting $m read-only into the root failed"
	fi
done
check "the root sees this machine's kernel through read-only bind mounts:$mounted" \
	sh -c "echo '$mounted' | grep -q '/sys(ro)' && ! echo '$mounted' | grep -q '(rw)'"

# --- install with the root's own dpkg ---
# inside the chroot rather than dpkg --root: the root's dpkg (bookworm's),
# its maintainer scripts' tools (deb-systemd-helper) and man-db's trigger
# run as they would on a user's machine
(cd "$droot" && find . -xdev | sort) >"$tmp/tree.before"
cp "$deb" "$droot/tmp/prtop.deb"
if inroot dpkg -i /tmp/prtop.deb >"$tmp/dpkg-i" 2>&1; then
	ok "dpkg -i installs $(basename "$deb") in the root"
else
	not_ok "dpkg -i failed in the root: $(tail -n 5 "$tmp/dpkg-i" | tr '\n' ' ')"
	exit 0
fi
rm -f "$droot/tmp/prtop.deb"
st=$(inroot dpkg-query -W -f='${Status} ${Version}' prtop 2>&1)
check "dpkg-query in the root: prtop $st" sh -c "echo '$st' | grep -qx 'install ok installed $ver'"

inroot prtop --version >"$tmp/rv" 2>&1
check "in the root: prtop --version names $ver ($(tr '\n' ' ' <"$tmp/rv"))" \
	sh -c "grep -qx 'prtop [0-9][0-9.]*' '$tmp/rv' && grep -qx 'source: debian/changelog $ver' '$tmp/rv'"
inroot prtop help stat >"$tmp/rh" 2>&1
rc=$?
check "in the root: prtop help stat exits 0 and prints its usage ($(wc -l <"$tmp/rh") lines: $(head -n 1 "$tmp/rh"))" \
	sh -c "[ $rc -eq 0 ] && grep -q 'prtop stat' '$tmp/rh' && [ \$(wc -l <'$tmp/rh') -ge 5 ]"

# every page the package installed, rendered by the root's man-db
n=0
bad=""
for m in "$droot"/usr/share/man/man8/prtop*.8.gz; do
	[ -e "$m" ] || continue
	n=$((n + 1))
	w=$(inroot sh -c 'MANWIDTH=80 man --warnings -l "$1" 2>&1 >/dev/null' sh "${m#"$droot"}")
	[ -z "$w" ] || bad="$bad $(basename "$m"): $w"
done
want=$(grep -c '^/usr/share/man/man8/prtop.*\.8\.gz$' "$tmp/files")
check "in the root: man --warnings -l renders all $n installed pages (the .deb has $want) without a warning${bad:+ ($bad)}" \
	test -z "$bad" -a "$n" -eq 9 -a "$n" -eq "$want"

# completion as bash-completion finds it: loaded on demand by its loader
# from the installed file, then the function `complete -p prtop` names
rcomp() {
	inroot bash -c '
		. /usr/share/bash-completion/bash_completion
		__load_completion prtop || exit 3
		f=$(complete -p prtop | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		[ -n "$f" ] || exit 4
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$f" prtop "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' comp "$@"
}
rcomp prtop st >"$tmp/rc1" 2>&1
check "in the root: prtop st<Tab> completes to stat ($(tr '\n' ' ' <"$tmp/rc1"))" \
	sh -c "[ \"\$(cat '$tmp/rc1')\" = stat ]"
rcomp prtop knob "" >"$tmp/rc2" 2>&1
"$PRTOP" knob -j 2>/dev/null | sed -n 's/^[[:space:]]*"name":[[:space:]]*"\([^"]*\)".*/\1/p' >"$tmp/bknobs"
check "in the root: prtop knob <Tab> gives the knobs $PRTOP knob -j lists here ($(tr '\n' ' ' <"$tmp/rc2"))" \
	sh -c "grep -qx order '$tmp/rc2' && cmp -s '$tmp/bknobs' '$tmp/rc2'"

for u in prtop-exporter prtop-host-exporter; do
	if inroot systemd-analyze verify "/lib/systemd/system/$u.service" >"$tmp/rverify" 2>&1; then
		ok "in the root: systemd-analyze verify accepts $u.service ($(inroot systemd-analyze --version | head -n 1))"
	else
		not_ok "in the root: systemd-analyze verify rejects $u.service: $(tr '\n' ' ' <"$tmp/rverify")"
	fi
done

# --- the packaged binary on this kernel: attaches as the built one does ---
# the probes' modes (and what they attach to) and the layers' verdicts
# must be the same; which device and kernel, too
if [ -x "$PRTOP" ]; then
	"$PRTOP" doctor -j >"$tmp/doc.built" 2>"$tmp/doc.built.err"
	brc=$?
	inroot prtop doctor -j >"$tmp/doc.pkg" 2>"$tmp/doc.pkg.err"
	prc=$?
	msg=$(python3 - "$tmp/doc.built" "$tmp/doc.pkg" <<'PY'
import json, sys
def load(f):
    try:
        return json.load(open(f))
    except Exception as e:
        return {"error": str(e)}
def modes(d):
    return {n: (p.get("mode"), p.get("attached"), p.get("detail")) for n, p in (d.get("probes") or {}).items()}
b, p = load(sys.argv[1]), load(sys.argv[2])
bm, pm = modes(b), modes(p)
diff = ["probe %s: built %s, packaged %s" % (n, bm.get(n), pm.get(n)) for n in sorted(set(bm) | set(pm)) if bm.get(n) != pm.get(n)]
bl = {n: l.get("ok") for n, l in (b.get("layers") or {}).items()}
pl = {n: l.get("ok") for n, l in (p.get("layers") or {}).items()}
if bl != pl:
    diff.append("layers: built %s, packaged %s" % (bl, pl))
for k in ("kernel", "device"):
    if b.get(k) != p.get(k):
        diff.append("%s: built %s, packaged %s" % (k, b.get(k), p.get(k)))
att = sorted(n for n, v in bm.items() if v[1])
if not att:
    diff.append("the built binary attached no probe (%s)" % b.get("error", "no probes"))
if diff:
    print("; ".join(diff))
else:
    print("OK " + ", ".join("%s=%s" % (n, bm[n][0]) for n in sorted(bm)) + " (attached: %s)" % " ".join(att))
PY
)
	case $msg in
	OK*) ok "in the root: prtop doctor -j on this kernel attaches as $PRTOP does (exit $prc, built $brc): ${msg#OK }" ;;
	*) not_ok "in the root: prtop doctor -j differs from $PRTOP's (exit $prc, built $brc): $msg $(head -c 300 "$tmp/doc.pkg.err")" ;;
	esac
	check "in the root: prtop doctor exits as $PRTOP doctor does ($prc, $brc)" test "$prc" -eq "$brc"
else
	not_ok "$PRTOP is missing (make all): the packaged doctor has nothing to compare with"
fi

# --- removal: dpkg -r keeps only the conffiles, dpkg -P removes them ---
# the package's files (not directories) from its data, the conffiles from
# its control archive
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|' | grep -v '/$' | sort >"$tmp/pfiles"
dpkg-deb -I "$deb" conffiles 2>/dev/null | sort >"$tmp/conffiles"
left() {
	while read -r f; do
		if [ -e "$droot$f" ] || [ -L "$droot$f" ]; then echo "$f"; fi
	done <"$tmp/pfiles"
}
# (dh_installdeb makes every file under /etc a conffile: dpkg -r keeps
# them, the package stays known as config-files, and only dpkg -P, which
# also runs the postrm's purge of deb-systemd-helper's state, removes them)
inroot dpkg -r prtop >"$tmp/dpkg-r" 2>&1
rc=$?
left >"$tmp/left.r"
st=$(inroot dpkg-query -W -f='${Status}' prtop 2>&1)
check "in the root: dpkg -r prtop (status $rc, then '$st') leaves only the conffiles: $(tr '\n' ' ' <"$tmp/left.r")" \
	sh -c "[ $rc -eq 0 ] && [ '$st' = 'deinstall ok config-files' ] && [ -s '$tmp/conffiles' ] && cmp -s '$tmp/left.r' '$tmp/conffiles'"
inroot dpkg -P prtop >"$tmp/dpkg-p" 2>&1
rc=$?
left >"$tmp/left.p"
st=$(inroot dpkg-query -W -f='${Status}' prtop 2>/dev/null)
check "in the root: dpkg -P prtop (status $rc${st:+, then '$st'}) removes the conffiles too: none of the $(wc -l <"$tmp/pfiles") files left$(sed 's/^/ /' "$tmp/left.p" | tr -d '\n')" \
	sh -c "[ $rc -eq 0 ] && [ -z '$st' ] && [ ! -s '$tmp/left.p' ]"
# and nothing else either: the tree as before dpkg -i, but for dpkg's own
# records, its log, man-db's index and /run (a tmpfs on a booted system;
# here systemd-analyze verify leaves its units-load stamp in it)
(cd "$droot" && find . -xdev | sort) >"$tmp/tree.after"
diff "$tmp/tree.before" "$tmp/tree.after" | sed -n 's/^[<>] //p' |
	grep -v -e '^\./var/lib/dpkg/' -e '^\./var/log/' -e '^\./var/cache/man/' -e '^\./run/' >"$tmp/tree.diff"
check "in the root: after dpkg -P the file tree is as before dpkg -i$(sed 's/^/ /' "$tmp/tree.diff" | head -n 20 | tr -d '\n')" \
	test ! -s "$tmp/tree.diff"

umount_root
left_mounts=$(findmnt -rn -o TARGET | grep -c "^$tmp/")
check "no mount left under the root after unmounting (findmnt: $left_mounts; the root's part took $(($(date +%s) - rstart)) s)" \
	test "$left_mounts" -eq 0
