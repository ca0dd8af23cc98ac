// SPDX-License-Identifier: GPL-2.0
// Recording rules: guest and host side by side, per VM.
local p = import 'lib/promql.libsonnet';
{
  prometheusRules+:: {
    local c = $._config,
    local by = p.by(c.vmLabels),
    groups+: [
      {
        name: 'prtop-host',
        rules: [
          {
            record: 'prtop:vm_reported_bytes:rate5m',
            expr: 'sum by (%s) (rate(prtop_reported_bytes_total%s[5m]))'
                  % [by, p.sel([c.guestSelector, c.guestVmMatcher])],
          },
          {
            record: 'prtop:vm_discarded_bytes:rate5m',
            expr: 'sum by (%s) (rate(prtop_host_discarded_bytes_total%s[5m]))'
                  % [by, p.sel([c.hostSelector, c.hostVmMatcher])],
          },
          {
            record: 'prtop:vm_refaulted_bytes:rate5m',
            expr: 'sum by (%s) (rate(prtop_host_refaulted_bytes_total%s[5m]))'
                  % [by, p.sel([c.hostSelector, c.hostVmMatcher])],
          },
        ],
      },
    ],
  },
}
