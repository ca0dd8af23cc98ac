// SPDX-License-Identifier: GPL-2.0
// prtop's monitoring mixin: a Grafana dashboard, alerts and recording
// rules for free page reporting, guest side (prtop export) and host side
// (prtop host export).  Render it as any mixin, e.g.
//   jsonnet -S -e 'std.manifestYamlDoc((import "mixin.libsonnet").prometheusAlerts)'
// `make mixin` renders deploy/prtop-alerts.yml and deploy/grafana-prtop.json
// from it (render.jsonnet); they are not edited by hand.
(import 'config.libsonnet') +
(import 'alerts.libsonnet') +
(import 'rules.libsonnet') +
(import 'dashboards.libsonnet')
