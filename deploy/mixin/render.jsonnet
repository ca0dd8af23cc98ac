// SPDX-License-Identifier: GPL-2.0
// The files in deploy/ rendered from the mixin:
//   jsonnet -S -m deploy deploy/mixin/render.jsonnet   (make mixin)
local m = import 'mixin.libsonnet';
local out = import 'lib/manifest.libsonnet';

local header = |||
  # SPDX-License-Identifier: GPL-2.0
  # Alerting and recording rules for prtop's exporters: free page reporting
  # in a VM guest (prtop export) and on its host (prtop host export).
  # Rendered from deploy/mixin/ by `make mixin`: edit the mixin, not this.
  # Check with: promtool check rules deploy/prtop-alerts.yml
  # Thresholds are starting points: tune them to your guests' size
  # (deploy/mixin/config.libsonnet).
|||;

// the dashboard's keys in the order Grafana itself writes them
local dashOrder = [
  'id', 'name', 'type', 'title', 'uid', 'schemaVersion', 'version', 'tags', 'time', 'from', 'to',
  'refresh', 'templating', 'list', 'query', 'label', 'annotations', 'description', 'collapsed',
  'datasource', 'gridPos', 'x', 'y', 'w', 'h', 'fieldConfig', 'defaults', 'unit', 'overrides',
  'options', 'legend', 'displayMode', 'placement', 'calcs', 'tooltip', 'mode', 'panels', 'targets',
  'refId', 'expr', 'legendFormat',
];

{
  'prtop-alerts.yml': out.rules(out.ruleFile(m), header),
  'grafana-prtop.json': out.json(m.grafanaDashboards['grafana-prtop.json'], dashOrder),
}
