// SPDX-License-Identifier: GPL-2.0
/*
 * prtop doctor: every attach layer and probe on this kernel, and why memory
 * may not be returned, over one window (src/diagnose.c decides); --host: the
 * host side's probes and VMM processes instead (src/host_report.c).
 */
#include <stdio.h>

#include "cmd.h"
#include "ui.h"

const char *const doctor_help =
    "Usage: prtop doctor [-d SECS] [-j] [--host] [-v]\n"
    "\n"
    "Attach as prtop would, then print every attach layer (bundled patch\n"
    "tracepoints, fentry/fexit, kprobes, stock tracepoints) and every probe:\n"
    "how it is attached on this kernel, or why it is not and what to do.\n"
    "Then, why memory may not be returned: reportable free memory against\n"
    "page_reporting_order (fragmentation), no device, failing batches, memory\n"
    "freed but not yet past the delay, each seen over a window of SECS\n"
    "seconds (default 3: longer than the 2 s request delay).\n"
    "\n"
    "  --host   the host side instead: the probes of 'prtop host' and the VMM\n"
    "           processes found, and VMs that discard nothing\n";

/* the default window: long enough for a request to reach the worker (2 s) */
static const struct cmd_opts opts = {
    .name = "doctor",
    .opts = O_INTERVAL | O_JSON | O_HOST,
    .positional = 0,
    .interval_s = 3.0,
};

static void show(const struct args *a, const struct prtop_snapshot *cur,
		 const struct prtop_snapshot *prev)
{
	if (a->json)
		doctor_json(stdout, cur, prev);
	else
		doctor_print(stdout, cur, prev);
}

static int run(struct args *a)
{
	if (a->host)
		return host_doctor(a->json, a->copts.verbose);
	/* every attach layer is tried, for the table of layers */
	a->copts.test_layers = true;
	return args_one_sample(a, false, show);
}

int doctor_main(int argc, char **argv)
{
	return args_main(&opts, argc, argv, run);
}
