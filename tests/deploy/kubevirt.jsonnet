// SPDX-License-Identifier: GPL-2.0
// The mixin as a KubeVirt cluster would configure it: guest and host
// series of one VM share namespace and name (the host exporter's labels
// for a virt-launcher's domain <namespace>_<name>), not vm.
// tests/test_deploy.sh: jsonnet -S -J deploy/mixin tests/deploy/kubevirt.jsonnet
local out = import 'lib/manifest.libsonnet';
local m = (import 'mixin.libsonnet') + {
  _config+:: {
    vmLabels: ['namespace', 'name'],
    guestVmMatcher: 'name!=""',
    hostVmMatcher: 'name!=""',
  },
};
out.rules(out.ruleFile(m), '# KubeVirt-style rules, rendered by tests/test_deploy.sh\n')
