// SPDX-License-Identifier: GPL-2.0
// Alerts: the guest's exporter (group prtop) and the host's (prtop-host).
// Thresholds are starting points: tune them to your guests' size.
local p = import 'lib/promql.libsonnet';
{
  prometheusAlerts+:: {
    local c = $._config,
    local g = p.by(c.guestLabels),
    local gs(m) = p.sel([c.guestSelector] + m),
    local hs(m) = p.sel([c.hostSelector] + m),
    local guest = p.tmpl(c.guestLabels),
    local vm = p.tmpl(c.vmLabels),
    local on = p.by(c.vmLabels),
    // a ratio in words, for the descriptions to follow the thresholds
    local share(r) = if r == 0.5 then 'half' else '%g %%' % (100 * r),
    // the guest reports over the threshold and the host discards less
    // than the share of it: both alerts below start from this
    local gap =
      'prtop:vm_reported_bytes:rate5m > %d\n' % c.hostReportedMinBytesPerSecond +
      'and on (%s)\n' % on +
      '(prtop:vm_discarded_bytes:rate5m < %s * prtop:vm_reported_bytes:rate5m)\n'
      % std.toString(c.hostDiscardedMinRatio),

    groups+: [
      {
        name: 'prtop',
        rules: [
          {
            alert: 'PrtopExporterDown',
            expr: 'up{%s} == 0' % c.guestJobSelector,
            'for': '5m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'prtop exporter on {{ $labels.instance }} is not answering',
              description: 'Prometheus could not scrape prtop for 5 minutes.',
            },
          },
          {
            alert: 'PrtopNoProbeAttached',
            expr: |||
              max by (%s) (
                prtop_probe_attached%s
              ) == 0
            ||| % [g, gs(['probe=~"notify|worker|request_delay|report|cycle|drain"'])],
            'for': '5m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'prtop on %s observes nothing in the kernel' % guest,
              description: 'No kernel probe of prtop is attached, so page reporting is not observed at all. Run `prtop doctor` on the guest to see why.',
            },
          },
          {
            alert: 'PrtopReportProbeNotAttached',
            expr: 'prtop_probe_attached%s == 0' % gs(['probe="report"']),
            'for': '1h',
            labels: { severity: 'info' },
            annotations: {
              summary: 'prtop on %s cannot see report() batches' % guest,
              description: 'Reported bytes, batches and errors stay at zero on this kernel (probe mode {{ $labels.mode }}). Worker runs and delays are still observed. `prtop doctor` says why (fentry and kprobes refused?).',
            },
          },
          {
            alert: 'PrtopReportErrors',
            expr: 'increase(prtop_report_errors_total%s[10m]) > 0' % gs([]),
            labels: { severity: 'warning' },
            annotations: {
              summary: 'free page reporting errors on %s' % guest,
              description: "The balloon device's report() returned errors ({{ $value | humanize }} in 10 minutes): the host is not taking the memory back, and the kernel keeps retrying.",
            },
          },
          {
            alert: 'PrtopReportedMemoryReusedFast',
            expr: |||
              rate(prtop_reused_bytes_total%s[15m]) > %s
              and on (%s)
              rate(prtop_reused_bytes_total%s[15m])
                > %s * sum without (source) (rate(prtop_reported_bytes_total%s[15m]))
            ||| % [gs([]), c.reusedMinBytesPerSecond, g, gs([]), std.toString(c.reusedMaxRatio), gs([])],
            'for': '30m',
            labels: { severity: 'info' },
            annotations: {
              summary: 'reported memory comes back quickly on %s' % guest,
              description: 'More than %s of the memory reported to the host is handed out again within the window ({{ $value | humanize1024 }}B/s reused): the host drops pages only to fault them back in. Consider a higher page_reporting_order or a longer reporting delay.' % share(c.reusedMaxRatio),
            },
          },
          {
            alert: 'PrtopReportingStalled',
            expr: |||
              delta(prtop_free_reportable_bytes%s[30m]) > %s
              and on (%s)
              increase(prtop_worker_runs_total%s[30m]) == 0
              and on (%s)
              prtop_probe_attached%s == 1
            ||| % [gs([]), c.stalledGrowthBytes, g, gs([]), g, gs(['probe="worker"'])],
            'for': '10m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'free page reporting seems stalled on %s' % guest,
              description: 'Free memory in blocks large enough to report grew by {{ $value | humanize1024 }}B over 30 minutes, yet the reporting worker did not run once. Is a reporting device registered (virtio-balloon with free-page-reporting=on)?',
            },
          },
          {
            alert: 'PrtopEventsDropped',
            expr: 'increase(prtop_events_dropped_total%s[10m]) > 0' % gs([]),
            labels: { severity: 'info' },
            annotations: {
              summary: 'prtop on %s is losing events' % guest,
              description: 'Ring buffer or reuse table overflow: reuse figures undercount.',
            },
          },
        ],
      },
      {
        name: 'prtop-host',
        comment:: |||
          Guest and host side by side.  Both exporters are scraped by the same
          Prometheus; guest targets carry a vm label equal to the host side's
          (see prometheus.yml).  The join is done here, in PromQL, rather than by
          prtop host fetching guests' /metrics itself: hosts often cannot reach
          their tenants' guests, and Prometheus already holds both series with
          their history.
        |||,
        rules: [
          {
            alert: 'PrtopHostExporterDown',
            expr: 'up{%s} == 0' % c.hostJobSelector,
            'for': '5m',
            labels: { severity: 'warning' },
            annotations: {
              summary: 'prtop host exporter on {{ $labels.instance }} is not answering',
              description: 'Prometheus could not scrape prtop host for 5 minutes.',
            },
          },
          {
            alert: 'PrtopHostDiscardsMissing',
            comment:: |||
              the guest reports memory and its host gives (almost) none of it back.
              The join assumes that a VM's guest series and its host series carry
              the same values of _config.vmLabels (by default vm: a target label
              on the guest's scrape, the host exporter's own vm label), and that
              those values name one VM across all this Prometheus scrapes: the
              recording rules would add up two VMs of one name on two hosts.
            |||,
            expr: gap + 'unless on (%s) prtop_host_vm_info%s\n' % [on, hs(['backing="hugetlbfs"'])],
            'for': c.hostDiscardsMissingFor,
            labels: { severity: 'warning' },
            annotations: {
              summary: 'VM %s reports free memory the host does not discard' % vm,
              description: 'The guest hands memory to its balloon device but the VMM discards less than %s of it. Likely: discards are inhibited (QEMU with VFIO device assignment or during postcopy migration, see virtio_balloon_inhibited()), or the VMM ignores the reports (free-page-reporting=off on the device, an old VMM). The guest pays the reporting cost for nothing: fix the VMM or turn reporting off in the guest.' % share(c.hostDiscardedMinRatio),
            },
          },
          {
            alert: 'PrtopHostHugetlbBacking',
            expr: gap + 'and on (%s) prtop_host_vm_info%s\n' % [on, hs(['backing="hugetlbfs"'])],
            'for': c.hostDiscardsMissingFor,
            labels: { severity: 'info' },
            annotations: {
              summary: 'VM %s is on hugetlbfs: reports smaller than its page are not freed' % vm,
              description: 'Guest RAM is backed by huge pages larger than the reported order (1 GiB pages vs 2 or 4 MiB reports), so the host cannot free what the guest reports. Raise page_reporting_order in the guest to the host page size, or back the VM with normal pages.',
            },
          },
        ],
      },
    ],
  },
}
