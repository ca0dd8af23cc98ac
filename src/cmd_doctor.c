// SPDX-License-Identifier: GPL-2.0
/*
 * prtop doctor: every attach layer and probe on this kernel, and why memory
 * may not be returned, over one window (src/diagnose.c decides); --host: the
 * host side's probes and VMM processes instead (src/host_report.c).
 */
#include <stdio.h>

#include "cmd.h"
#include "collector.h"
#include "sampler.h"
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

static int run(struct args *a)
{
	struct sampler_opts so = {.count = 1, .final_on_stop = true};
	struct collector *c;
	struct sampler smp;
	int ret;

	if (a->host)
		return host_doctor(a->json, a->copts.verbose);
	a->copts.test_layers = true;
	if (args_attach(a, &c, false))
		return 1;
	so.interval_s = a->ui.interval_s;
	if (sampler_init(&smp, c, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		collector_close(c);
		return 1;
	}
	if (sampler_next(&smp)) {
		if (a->json)
			doctor_json(stdout, smp.cur, smp.prev);
		else
			doctor_print(stdout, smp.cur, smp.prev);
	}
	ret = output_status(stdout);
	sampler_free(&smp);
	collector_close(c);
	return ret;
}

int doctor_main(int argc, char **argv)
{
	struct args a = {0};
	int status;

	if (!args_parse(&opts, argc, argv, &a, &status))
		return status;
	prtop_signals_init();
	return run(&a);
}
