// SPDX-License-Identifier: GPL-2.0
/*
 * prtop stat: attach, collect for one window, print one report (text or
 * JSON) and exit; a signal ends the window early and the report still comes.
 */
#include <stdio.h>

#include "cmd.h"
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

static void show(const struct args *a, const struct prtop_snapshot *cur,
		 const struct prtop_snapshot *prev)
{
	if (a->json)
		json_print(stdout, cur, prev, a->ui.timestamps ? JSON_TIME : 0);
	else
		text_frame(stdout, cur, prev, &a->ui);
}

static int run(struct args *a)
{
	return args_one_sample(a, true, show);
}

int stat_main(int argc, char **argv)
{
	return args_main(&opts, argc, argv, run);
}
