// SPDX-License-Identifier: GPL-2.0
/*
 * prtop doctor: every attach layer and probe on this kernel, and why memory
 * may not be returned, over one window (src/diagnose.c decides); --host: the
 * host side's probes and VMM processes instead (src/host_report.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "cmd.h"
#include "hostmon.h"
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

/* prtop doctor --host: attach, take one sample, say what is and is not seen */
static int host_doctor(bool json, bool verbose)
{
	struct host_opts o = {.verbose = verbose, .refaults = getenv("PRTOP_HOST_REFAULTS")};
	struct host_snap *s = calloc(1, sizeof(*s));
	struct host *h;
	char err[512];
	int ret;

	if (!s) {
		fprintf(stderr, "prtop: out of memory\n");
		return 1;
	}
	if (host_open(&h, &o, err, sizeof(err))) {
		fprintf(stderr, "prtop: %s\n", err);
		free(s);
		return 1;
	}
	host_sample(h, s);
	if (json) {
		struct json_object *j = host_doctor_json(s);

		printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY));
		json_object_put(j);
	} else {
		host_doctor_print(stdout, s);
	}
	ret = output_status(stdout);
	host_close(h);
	free(s);
	return ret;
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
