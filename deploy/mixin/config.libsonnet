// SPDX-License-Identifier: GPL-2.0
// What a deployment may change: override with
//   (import 'mixin.libsonnet') + { _config+:: { vmLabels: ['namespace', 'name'] } }
// The defaults render the files shipped in deploy/.
{
  _config+:: {
    // scrape jobs, for the up{} alerts
    guestJobSelector: 'job="prtop"',
    hostJobSelector: 'job="prtop-host"',

    // extra matchers on every guest (prtop export) and host (prtop host
    // export) series, e.g. 'cluster="eu1"'; '' for none
    guestSelector: '',
    hostSelector: '',

    // the labels that tell one guest from another in the guest's own
    // series (panels and the guest alerts group by them)
    guestLabels: ['instance'],

    // the labels a guest's series and its host's series for the same VM
    // both carry: the guest-and-host join is on(these).  prtop host export
    // labels every VM vm="NAME" and, where it knows them, namespace, name
    // and uuid; the guest's series get them from the scrape configuration
    // (see prometheus.yml).  KubeVirt-style: ['namespace', 'name'].
    vmLabels: ['vm'],
    // guest series that take part in the join (those with a VM label)
    guestVmMatcher: 'vm!=""',
    // host series that take part: not the sum of VMs beyond --top
    hostVmMatcher: 'vm!="other"',

    // PrtopHostDiscardsMissing and PrtopHostHugetlbBacking: a guest
    // reporting more than this many bytes a second whose host discards
    // less than this share of it, for this long
    hostReportedMinBytesPerSecond: 1048576,
    hostDiscardedMinRatio: 0.5,
    hostDiscardsMissingFor: '30m',

    // PrtopReportedMemoryReusedFast: reuse above this (PromQL number) and
    // above this share of what was reported
    reusedMinBytesPerSecond: '8 * 1024 * 1024',
    reusedMaxRatio: 0.5,

    // PrtopReportingStalled: growth of reportable free memory (PromQL
    // number) over 30 minutes without a worker run
    stalledGrowthBytes: '1024 * 1024 * 1024',

    grafanaDashboardUid: 'prtop-fpr',
    grafanaTags: ['prtop', 'virtualization', 'memory'],
  },
}
