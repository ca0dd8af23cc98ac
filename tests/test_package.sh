#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Debian package as a user gets it: built by dpkg-buildpackage from a
# clean copy of HEAD (git archive), lintian-clean, the files where they
# belong, every man page rendering without a warning and naming every
# option `prtop help CMD` names, bash completion of commands and knobs,
# both systemd units accepted by systemd-analyze verify and rated 4.0 or
# better by systemd-analyze security.  Loads nothing into this kernel.
. tests/lib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
require git dpkg-buildpackage dh lintian scdoc dpkg-deb man systemd-analyze bash
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
