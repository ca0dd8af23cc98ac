// SPDX-License-Identifier: GPL-2.0
/*
 * prtop export: the guest side's Prometheus exporter (src/export.c serves,
 * src/metrics.c writes the families).
 */
#include <stdio.h>

#include "cmd.h"
#include "export.h"

const char *const export_help =
    "Usage: prtop export [interval] [-l ADDR:PORT] [-d SECS]\n"
    "                    [--reuse-exact|--no-reuse] [-v]\n"
    "\n"
    "Attach, sample every SECS seconds (default 1) and serve the latest\n"
    "sample to Prometheus until SIGINT or SIGTERM:\n"
    "  /metrics   text exposition format 0.0.4, or OpenMetrics 1.0.0 when the\n"
    "             Accept header asks for application/openmetrics-text; a\n"
    "             family whose probe is not attached is absent, and\n"
    "             prtop_probe_attached{probe=...} 0 says so\n"
    "  /healthz   200 while probes are attached and samples keep coming, else 503\n"
    "  /          a short page linking the two\n"
    "\n"
    "  -l, --listen ADDR:PORT  address to serve on (default " EXPORT_DEFAULT_LISTEN ",\n"
    "                          this machine only; 0.0.0.0:9464 or [::]:9464 for\n"
    "                          every interface)\n"
    "  -d, --interval SECS     sampling interval (default 1; 0.2 to 3600)\n"
    "\n"
    "Exit status: 0 after a signal; 1 if nothing can be observed or the\n"
    "address cannot be used (in use: another port); 2 for bad input.\n";

static const struct cmd_opts opts = {
    .name = "export",
    .opts = O_INTERVAL | O_LISTEN | O_COLLECT,
    .positional = 1,
    .interval_s = 1.0,
};

static int run(struct args *a)
{
	struct export_opts eo = {
	    .listen = a->listen,
	    .interval_s = a->ui.interval_s,
	    .version = PRTOP_VERSION,
	    .verbose = a->copts.verbose,
	};

	return export_run(&eo, &a->copts);
}

int export_main(int argc, char **argv)
{
	return args_main(&opts, argc, argv, run);
}
