// SPDX-License-Identifier: GPL-2.0
// The Grafana dashboard: guests, hosts, and both side by side.  Plain
// objects (no grafonnet, which Debian does not ship).
local p = import 'lib/promql.libsonnet';

// panels laid out in rows, two 12-wide panels a line unless w says
// otherwise; ids and grid positions are given in order
local layout(rows) =
  // the cursor [x, y, height of the current line] and the positions so far
  // (an array: jsonnet re-evaluates an object's fields at every access)
  local step(acc, item) =
    local x0 = acc[0], y0 = acc[1], h0 = acc[2];
    if item.type == 'row' then
      local y = if x0 == 0 then y0 else y0 + h0;
      [0, y + 1, 0, acc[3] + [{ x: 0, y: y, w: 24, h: 1 }]]
    else
      local w = item.w;
      local wrap = x0 + w > 24;
      local x = if wrap then 0 else x0;
      local y = if wrap then y0 + h0 else y0;
      local full = x + w >= 24;
      [if full then 0 else x + w, if full then y + 8 else y, if full then 0 else 8,
       acc[3] + [{ x: x, y: y, w: w, h: 8 }]];
  local pos = std.foldl(step, rows, [0, 0, 0, []])[3];
  [rows[i] { id: i + 1, gridPos: pos[i] } for i in std.range(0, std.length(rows) - 1)];

local row(title) = { type: 'row', title: title, collapsed: false, panels: [] };

// a time series panel; targets: [[expr, legend], ...]
local ts(title, unit, targets, description='', w=12) = {
  type: 'timeseries',
  title: title,
  description: description,
  datasource: { type: 'prometheus', uid: '${datasource}' },
  fieldConfig: { defaults: { unit: unit }, overrides: [] },
  options: {
    legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] },
    tooltip: { mode: 'multi' },
  },
  targets: [
    { refId: std.char(65 + i), expr: targets[i][0], legendFormat: targets[i][1] }
    for i in std.range(0, std.length(targets) - 1)
  ],
  w:: w,
};

{
  grafanaDashboards+:: {
    local c = $._config,
    local g = p.by(c.guestLabels),
    local gl = p.legend(c.guestLabels),
    local v = p.by(c.vmLabels),
    local vl = p.legend(c.vmLabels),
    local gs = p.sel([c.guestSelector]),
    local hs = p.sel([c.hostSelector]),
    local rate(m) = 'rate(%s[$__rate_interval])' % m,

    'grafana-prtop.json': {
      title: 'prtop: free page reporting, guests and hosts',
      uid: c.grafanaDashboardUid,
      schemaVersion: 39,
      version: 1,
      tags: c.grafanaTags,
      time: { from: 'now-6h', to: 'now' },
      refresh: '30s',
      templating: {
        list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }],
      },
      annotations: { list: [] },
      panels: layout([
        row('Guests: free page reporting'),
        ts('Reported memory', 'Bps',
           [['sum by (%s) (%s)' % [g, rate('prtop_reported_bytes_total' + gs)], gl]],
           'Bytes the guest handed to its balloon device per second.'),
        ts('Reportable free memory', 'bytes', [
          ['sum by (%s) (prtop_free_reportable_bytes%s)' % [g, gs], gl + ' reportable'],
          ['sum by (%s) (prtop_free_bytes%s)' % [g, gs], gl + ' free'],
        ]),
        ts('Worker runs', 'ops',
           [['sum by (%s) (%s)' % [g, rate('prtop_worker_runs_total' + gs)], gl]]),
        ts('Request -> run delay (p90)', 's', [[
          'histogram_quantile(0.9, sum by (%s, le) (%s))' % [g, rate('prtop_request_delay_seconds_bucket' + gs)],
          gl,
        ]]),

        row('Hosts: what VMMs give back and take back'),
        ts('Discarded guest memory per VM', 'Bps',
           [['sum by (%s) (%s)' % [v, rate('prtop_host_discarded_bytes_total' + hs)], vl]],
           'madvise/fallocate discards of guest RAM by the VMM.'),
        ts('Refaulted per VM', 'Bps',
           [['sum by (%s) (%s)' % [v, rate('prtop_host_refaulted_bytes_total' + hs)], vl]],
           'Discarded memory faulted back in: the price of reporting.'),
        ts('VMM RSS', 'bytes', [['sum by (%s) (prtop_host_rss_bytes%s)' % [v, hs], vl]]),
        ts('Refault age (median)', 's', [[
          'histogram_quantile(0.5, sum by (%s, le) (%s))' % [v, rate('prtop_host_refault_age_seconds_bucket' + hs)],
          vl,
        ]], 'Time from discard to refault; short ages mean memory is returned and taken back soon after.'),
        ts('Discard sizes (calls/s by size)', 'ops',
           [['sum by (le) (%s)' % rate('prtop_host_discard_size_bytes_bucket' + hs), 'le {{le}}']],
           'Cumulative buckets: 2 MiB and 4 MiB are order 9 and 10 reports.'),
        ts("VMM's own discards (not guest RAM)", 'Bps',
           [['sum by (%s) (%s)' % [v, rate('prtop_host_other_discarded_bytes_total' + hs)], vl]]),

        row('Guest and host side by side (guest targets labelled %s)'
            % std.join(', ', [l + '=NAME' for l in c.vmLabels])),
        ts('Reported by the guest vs discarded by the host', 'Bps', [
          ['prtop:vm_reported_bytes:rate5m', vl + ' reported (guest)'],
          ['prtop:vm_discarded_bytes:rate5m', vl + ' discarded (host)'],
        ], 'A persistent gap: discards inhibited, VMM ignoring reports, or hugetlbfs backing (see the PrtopHost* alerts).', w=24),
      ]),
    },
  },
}
