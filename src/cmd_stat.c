// SPDX-License-Identifier: GPL-2.0
/*
 * prtop stat: attach, collect for one window, print one report (text or
 * JSON) and exit; a signal ends the window early and the report still comes.
 */
#include <stdio.h>

#include "cmd.h"
#include "collector.h"
#include "sampler.h"
#include "ui.h"

const char *const stat_help =
    "Usage: prtop stat [interval] [-d SECS] [-j] [-T] [--reuse-exact|--no-reuse] [-v]\n"
    "\n"
    "Attach, collect for SECS seconds (default 1), print one report of what\n"
    "happened in that window and exit.  With --json the report is one JSON\n"
    "document: kernel, device, attach (probe -> mode or why not), totals,\n"
    "batch_nents_hist, latencies in ns (count, sum, min, max exact;\n"
    "p50/p90/p99 bucket estimates within min..max), per_order, knobs, params,\n"
    "reuse and drops; a figure without a source is null.  SIGINT or SIGTERM\n"
    "ends the window early; the report then covers the time until the signal\n"
    "(window_s).\n";

static const struct cmd_opts opts = {
    .name = "stat",
    .opts = O_INTERVAL | O_JSON | O_TIMESTAMP | O_COLLECT,
    .positional = 1,
    .interval_s = 1.0,
};

static int run(struct args *a)
{
	/* SIGINT/SIGTERM end the window early; the report still comes */
	struct sampler_opts so = {
	    .interval_s = a->ui.interval_s, .count = 1, .final_on_stop = true};
	struct collector *c;
	struct sampler smp;
	int ret = 0;

	if (args_attach(a, &c, true))
		return 1;
	if (sampler_init(&smp, c, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		collector_close(c);
		return 1;
	}
	if (sampler_next(&smp)) {
		if (a->json)
			json_print(stdout, smp.cur, smp.prev, a->ui.timestamps ? JSON_TIME : 0);
		else
			text_frame(stdout, smp.cur, smp.prev, &a->ui);
	}
	ret = output_status(stdout);
	sampler_free(&smp);
	collector_close(c);
	return ret;
}

int stat_main(int argc, char **argv)
{
	struct args a = {0};
	int status;

	if (!args_parse(&opts, argc, argv, &a, &status))
		return status;
	prtop_signals_init();
	return run(&a);
}
