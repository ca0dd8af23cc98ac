#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The monitoring pieces as users deploy them, with no root, BPF or network:
# the mixin (deploy/mixin/) renders the shipped rule file and dashboard byte
# for byte and they parse back to its objects; promtool runs every alert of
# deploy/prtop-alerts.yml through a firing and a non-firing case with exact
# labels and annotations (tests/deploy/alerts_test.yml), and the rules as a
# KubeVirt cluster would render them; the Kubernetes manifests
# (deploy/kubernetes/) hold what prtop host needs and nothing more.
. tests/lib.sh
require jsonnet promtool python3
python3 -c 'import yaml' 2>/dev/null || { not_ok "python3 has no yaml module (run: sh tools/deps.sh test)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

# the KubeVirt-style rendering (checked further down) meanwhile: jsonnet
# takes seconds, and this machine has two cores
mkdir -p "$tmp/kv"
jsonnet -S -J deploy/mixin tests/deploy/kubevirt.jsonnet >"$tmp/kv/kubevirt-alerts.yml" 2>"$tmp/kv.err" &
kvjob=$!

# --- the mixin renders deploy/'s files ---
mkdir -p "$tmp/render"
if jsonnet -S -m "$tmp/render" deploy/mixin/render.jsonnet >/dev/null 2>"$tmp/render.err"; then
	for f in prtop-alerts.yml grafana-prtop.json; do
		if cmp -s "$tmp/render/$f" "deploy/$f"; then
			ok "the mixin renders deploy/$f byte for byte ($(wc -c <"deploy/$f") bytes)"
		else
			not_ok "deploy/$f is not what the mixin renders (make mixin): $(diff "deploy/$f" "$tmp/render/$f" | head -n 6 | tr '\n' ' ' | head -c 400)"
		fi
	done
else
	not_ok "jsonnet cannot render deploy/mixin/render.jsonnet: $(head -c 400 "$tmp/render.err")"
fi

# the text parses back to the mixin's own objects (the emitter changed no
# string, lost no rule), for both files
jsonnet -J deploy/mixin -e "local out = import 'lib/manifest.libsonnet';
	local m = import 'mixin.libsonnet';
	{ rules: out.ruleFile(m), dashboard: m.grafanaDashboards['grafana-prtop.json'] }" \
	>"$tmp/mixin.json" 2>"$tmp/mixin.err" || not_ok "jsonnet cannot evaluate the mixin: $(head -c 400 "$tmp/mixin.err")"
python3 - "$tmp/mixin.json" deploy/prtop-alerts.yml deploy/grafana-prtop.json <<'PYEOF'
import json, sys, yaml
m = json.load(open(sys.argv[1]))
rules = yaml.safe_load(open(sys.argv[2]))
dash = json.load(open(sys.argv[3]))
def chk(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
def first_diff(a, b, path="$"):
    if type(a) != type(b):
        return "%s: %r vs %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s only on one side" % (path, k)
            d = first_diff(a[k], b[k], path + "." + k)
            if d:
                return d
    elif isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d vs %d items" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
    elif a != b:
        return "%s: %r vs %r" % (path, a, b)
    return None
n = sum(len(g["rules"]) for g in m["rules"]["groups"])
d = first_diff(m["rules"], rules)
chk(d is None, "deploy/prtop-alerts.yml parses to the mixin's %d rules in %d groups%s"
    % (n, len(m["rules"]["groups"]), ": " + d if d else ""))
d = first_diff(m["dashboard"], dash)
chk(d is None, "deploy/grafana-prtop.json parses to the mixin's dashboard (%d panels)%s"
    % (len(m["dashboard"]["panels"]), ": " + d if d else ""))
open(sys.argv[1] + ".n", "w").write("%d\n" % n)
PYEOF

# the descriptions follow the thresholds a user sets, not the defaults' words
jsonnet -J deploy/mixin -e "local m = (import 'mixin.libsonnet') +
	{ _config+:: { reusedMaxRatio: 0.25, hostDiscardedMinRatio: 0.8 } };
	{ [r.alert]: r.annotations.description
	  for g in m.prometheusAlerts.groups for r in g.rules if std.objectHas(r, 'alert') }" \
	>"$tmp/tuned.json" 2>"$tmp/tuned.err" || not_ok "jsonnet cannot evaluate a tuned mixin: $(head -c 400 "$tmp/tuned.err")"
python3 - "$tmp/tuned.json" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1]))
for alert, want in (("PrtopReportedMemoryReusedFast", "More than 25 % of the memory"),
                    ("PrtopHostDiscardsMissing", "discards less than 80 % of it")):
    got = d.get(alert, "(no such alert)")
    print(("ok - " if want in got else "not ok - ") +
          "mixin with tuned thresholds: %s says '%s'%s" % (alert, want, "" if want in got else ": " + got[:100]))
PYEOF

# --- promtool: the rule file, and the alerts' unit tests ---
promtool check rules deploy/prtop-alerts.yml >"$tmp/check" 2>&1
found=$(sed -n 's/.*SUCCESS: \([0-9]*\) rules found.*/\1/p' "$tmp/check")
want=$(cat "$tmp/mixin.json.n" 2>/dev/null)
check "promtool check rules: $found rules found, the mixin has ${want:-?}" \
	test -n "$found" -a "$found" = "$want"

# every alert of the rule file is tested both ways: fires (exp_alerts with
# labels) in one case and is expected silent (exp_alerts []) in another
python3 - deploy/prtop-alerts.yml tests/deploy/alerts_test.yml <<'PYEOF'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
tests = yaml.safe_load(open(sys.argv[2]))
alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
fires, silent = set(), set()
for t in tests["tests"]:
    for a in t.get("alert_rule_test", []):
        (fires if a.get("exp_alerts") else silent).add(a["alertname"])
for what, got in (("a firing case", fires), ("a non-firing case", silent)):
    miss = sorted(alerts - got)
    print(("ok - " if not miss else "not ok - ") +
          "tests/deploy/alerts_test.yml has %s for each of the %d alerts%s"
          % (what, len(alerts), ": none for " + ", ".join(miss) if miss else ""))
PYEOF
promtool test rules tests/deploy/alerts_test.yml >"$tmp/unit" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q '^  SUCCESS' "$tmp/unit"; then
	ok "promtool test rules: $(grep -c '^  - name:' tests/deploy/alerts_test.yml) cases pass (guest reporting, host discarding nothing: PrtopHostDiscardsMissing after its for:; a healthy pair silent)"
else
	not_ok "promtool test rules tests/deploy/alerts_test.yml exited $rc: $(grep -v '^ *$' "$tmp/unit" | head -n 12 | tr '\n' ' ' | head -c 600)"
fi

# the same rules rendered with KubeVirt's labels join on (namespace, name)
if wait "$kvjob"; then
	cp tests/deploy/kubevirt_test.yml "$tmp/kv/"
	promtool test rules "$tmp/kv/kubevirt_test.yml" >"$tmp/kv.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q '^  SUCCESS' "$tmp/kv.out"; then
		ok "KubeVirt-style mixin (vmLabels namespace, name): PrtopHostDiscardsMissing joins on (namespace, name)"
	else
		not_ok "KubeVirt-style rules: promtool test rules exited $rc: $(grep -v '^ *$' "$tmp/kv.out" | head -n 12 | tr '\n' ' ' | head -c 600)"
	fi
else
	not_ok "jsonnet cannot render tests/deploy/kubevirt.jsonnet: $(head -c 400 "$tmp/kv.err")"
fi

# --- the Kubernetes manifest ---
# kubectl apply --dry-run=client still asks an API server for discovery
# ("unable to recognize ... connection refused" with no cluster, Debian's
# kubernetes-client 1.20 as well as newer ones), so it cannot check the
# manifest here; tests/deploy/k8s_check.py checks its fields and values
# against what prtop host needs (the systemd unit's capabilities)
python3 tests/deploy/k8s_check.py deploy/kubernetes/prtop-host.yaml deploy/prtop-host-exporter.service
