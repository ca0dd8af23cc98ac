# SPDX-License-Identifier: GPL-2.0
# python3 tests/deploy/k8s_check.py MANIFEST UNIT: offline checks of the
# Kubernetes manifest (deploy/kubernetes/prtop-host.yaml) against what
# prtop host needs, one "ok - "/"not ok - " line each.  kubectl's
# --dry-run=client needs an API server for discovery, so the schema is
# checked here: the kinds, the fields each object may have (a misspelt
# one would be dropped or refused by the API server), and values.
import re, sys, yaml

docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
unit = open(sys.argv[2]).read()

def chk(ok, what):
    print(("ok - " if ok else "not ok - ") + "kubernetes: " + what)

kinds = [(d.get("apiVersion"), d.get("kind")) for d in docs]
want = [("v1", "Namespace"), ("apps/v1", "DaemonSet"), ("v1", "Service"),
        ("monitoring.coreos.com/v1", "ServiceMonitor")]
chk(kinds == want, "the manifest holds %s" % ", ".join("%s %s" % k for k in kinds))
by = {k: d for (_, k), d in zip(kinds, docs)}
if kinds != want:
    sys.exit(0)
ns, ds, svc, sm = by["Namespace"], by["DaemonSet"], by["Service"], by["ServiceMonitor"]

# --- schema sanity: known fields only, required ones present ---
ALLOWED = {
    "object": {"apiVersion", "kind", "metadata", "spec"},
    "metadata": {"name", "namespace", "labels", "annotations"},
    "ds.spec": {"selector", "template", "updateStrategy", "minReadySeconds", "revisionHistoryLimit"},
    "pod.spec": {"hostPID", "hostNetwork", "hostIPC", "automountServiceAccountToken", "nodeSelector",
                 "tolerations", "terminationGracePeriodSeconds", "containers", "volumes",
                 "serviceAccountName", "priorityClassName", "securityContext", "affinity"},
    "container": {"name", "image", "imagePullPolicy", "command", "args", "ports", "env",
                  "livenessProbe", "readinessProbe", "startupProbe", "resources",
                  "securityContext", "volumeMounts"},
    "securityContext": {"runAsUser", "runAsGroup", "runAsNonRoot", "privileged",
                        "allowPrivilegeEscalation", "readOnlyRootFilesystem", "capabilities",
                        "seccompProfile", "appArmorProfile", "seLinuxOptions", "procMount"},
    "capabilities": {"add", "drop"},
    "port": {"name", "containerPort", "protocol", "hostPort", "hostIP"},
    "probe": {"httpGet", "initialDelaySeconds", "periodSeconds", "timeoutSeconds",
              "failureThreshold", "successThreshold"},
    "httpGet": {"path", "port", "scheme", "host", "httpHeaders"},
    "volumeMount": {"name", "mountPath", "readOnly", "subPath", "mountPropagation"},
    "volume": {"name", "hostPath"},
    "hostPath": {"path", "type"},
    "svc.spec": {"clusterIP", "selector", "ports", "type"},
    "svc.port": {"name", "port", "targetPort", "protocol"},
    "sm.spec": {"selector", "namespaceSelector", "endpoints", "jobLabel"},
    "sm.endpoint": {"port", "path", "interval", "scrapeTimeout", "relabelings",
                    "metricRelabelings", "honorLabels", "scheme"},
    "relabel": {"action", "regex", "sourceLabels", "targetLabel", "replacement", "separator"},
}
bad = []
def fields(obj, kind, where):
    if not isinstance(obj, dict):
        bad.append("%s is not a mapping" % where)
        return
    extra = set(obj) - ALLOWED[kind]
    if extra:
        bad.append("%s: unknown %s" % (where, ", ".join(sorted(extra))))
for d in docs:
    w = d["kind"]
    fields(d, "object", w)
    fields(d["metadata"], "metadata", w + ".metadata")
    if not re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", d["metadata"].get("name", "")):
        bad.append("%s.metadata.name %r is not a DNS label" % (w, d["metadata"].get("name")))
    if w != "Namespace" and d["metadata"].get("namespace") != ns["metadata"]["name"]:
        bad.append("%s is in namespace %r, not %r" % (w, d["metadata"].get("namespace"), ns["metadata"]["name"]))
fields(ds["spec"], "ds.spec", "DaemonSet.spec")
pod = ds["spec"]["template"]["spec"]
fields(pod, "pod.spec", "DaemonSet pod spec")
cs = pod.get("containers", [])
for c in cs:
    fields(c, "container", "container " + c.get("name", "?"))
    for k in ("name", "image"):
        if not c.get(k):
            bad.append("container without %s" % k)
    fields(c.get("securityContext", {}), "securityContext", "securityContext")
    fields(c.get("securityContext", {}).get("capabilities", {}), "capabilities", "capabilities")
    for p in c.get("ports", []):
        fields(p, "port", "container port")
    for pr in ("livenessProbe", "readinessProbe"):
        if pr in c:
            fields(c[pr], "probe", pr)
            fields(c[pr].get("httpGet", {}), "httpGet", pr + ".httpGet")
    for m in c.get("volumeMounts", []):
        fields(m, "volumeMount", "volumeMount")
for v in pod.get("volumes", []):
    fields(v, "volume", "volume")
    fields(v.get("hostPath", {}), "hostPath", "hostPath")
fields(svc["spec"], "svc.spec", "Service.spec")
for p in svc["spec"].get("ports", []):
    fields(p, "svc.port", "Service port")
fields(sm["spec"], "sm.spec", "ServiceMonitor.spec")
for e in sm["spec"].get("endpoints", []):
    fields(e, "sm.endpoint", "ServiceMonitor endpoint")
    for r in e.get("relabelings", []):
        fields(r, "relabel", "relabeling")
chk(not bad, "every object has only fields its kind knows, a DNS name and the namespace %r%s"
    % (ns["metadata"]["name"], ": " + "; ".join(bad) if bad else ""))
if len(cs) != 1:
    chk(False, "the DaemonSet has one container (%d)" % len(cs))
    sys.exit(0)
c = cs[0]
sc = c.get("securityContext", {})

# --- what prtop host needs, and nothing more ---
chk(pod.get("hostPID") is True and not pod.get("hostNetwork") and not pod.get("hostIPC"),
    "hostPID (the VMMs' /proc), no host network or IPC (hostPID %r)" % pod.get("hostPID"))
m = re.search(r"^CapabilityBoundingSet=(.*)$", unit, re.M)
unit_caps = sorted(x[len("CAP_"):] for x in m.group(1).split()) if m else []
caps = sc.get("capabilities", {})
chk(caps.get("drop") == ["ALL"] and sorted(caps.get("add", [])) == unit_caps and unit_caps,
    "capabilities: drop ALL, add exactly the systemd unit's (%s; manifest: %s)"
    % (" ".join(unit_caps), " ".join(sorted(caps.get("add", [])))))
chk(sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False
    and sc.get("privileged") is False,
    "read-only root filesystem, no privilege escalation, not privileged (%r, %r, %r)"
    % (sc.get("readOnlyRootFilesystem"), sc.get("allowPrivilegeEscalation"), sc.get("privileged")))
vols = {v["name"]: v for v in pod.get("volumes", [])}
mounts = c.get("volumeMounts", [])
badm = [mt["name"] for mt in mounts if mt["name"] not in vols or not mt.get("readOnly")
        or "hostPath" in vols[mt["name"]] and vols[mt["name"]]["hostPath"]["path"] != mt["mountPath"]]
chk(not badm and [mt["mountPath"] for mt in mounts] == ["/sys/kernel/tracing"],
    "one read-only mount, the node's tracefs at its own path (%s)%s"
    % (", ".join(mt["mountPath"] for mt in mounts), ": bad " + ", ".join(badm) if badm else ""))

# --- port 9465 from the container to the ServiceMonitor ---
args = c.get("args", [])
listen = args[args.index("--listen") + 1] if "--listen" in args else ""
ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
probes = [c.get(p, {}).get("httpGet", {}) for p in ("livenessProbe", "readinessProbe")]
chk(args[:2] == ["host", "export"] and listen == "0.0.0.0:9465" and ports == {"metrics": 9465}
    and all(p.get("port") == "metrics" and p.get("path") == "/healthz" for p in probes),
    "prtop host export listens on 0.0.0.0:9465, port metrics 9465, probes GET /healthz there (%s; %s)"
    % (" ".join(args), ports))
plabels = ds["spec"]["template"]["metadata"]["labels"]
sel = ds["spec"]["selector"]["matchLabels"]
ssel = svc["spec"]["selector"]
sp = svc["spec"]["ports"]
chk(sel.items() <= plabels.items() and ssel.items() <= plabels.items()
    and [(p["name"], p["port"], p["targetPort"]) for p in sp] == [("metrics", 9465, "metrics")],
    "DaemonSet and Service select the pods (%s); Service port metrics 9465 -> metrics" % ssel)
ep = sm["spec"]["endpoints"]
msel = sm["spec"]["selector"]["matchLabels"]
chk(msel.items() <= svc["metadata"]["labels"].items() and len(ep) == 1 and ep[0]["port"] == "metrics"
    and ep[0].get("path") == "/metrics" and svc["metadata"]["name"] == "prtop-host"
    and sm["spec"]["namespaceSelector"]["matchNames"] == [ns["metadata"]["name"]],
    "ServiceMonitor scrapes Service prtop-host (job=\"prtop-host\", the mixin's hostJobSelector) at metrics /metrics")
rl = ep[0].get("relabelings", []) if ep else []
drops = any(r.get("action") == "labeldrop" and re.fullmatch(r.get("regex", ""), "namespace") for r in rl)
chk(drops or ep[0].get("honorLabels") is True,
    "ServiceMonitor keeps the exporter's namespace label (the target's is dropped), for on(namespace, name)")
