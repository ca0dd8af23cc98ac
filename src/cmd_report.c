// SPDX-License-Identifier: GPL-2.0
/*
 * prtop report [--json] [--svg OUT] FILE: a record file (prtop record)
 * re-rendered without attaching anything, so a file recorded by the
 * static binary in a guest is read and plotted on a workstation.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "record.h"
#include "ui.h"

int plot_svg(const struct record *r, const char *path, char *err, size_t errlen);

/*
 * record_read's failure as an exit status: a file that is not there or is
 * not a record is bad input (2); the system refusing to read it (EACCES,
 * EIO, ENOMEM) is 1
 */
static int read_status(int err)
{
	return err == -ENOENT || err == -ENOTDIR || err == -EISDIR || err == -EINVAL ? 2 : 1;
}

int report_file(const char *path, FILE *out)
{
	struct record r;
	char err[512];
	int ret = record_read(path, &r, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "prtop report: %s\n", err);
		return read_status(ret);
	}
	record_print(out, &r, path);
	record_free(&r);
	return output_status(out);
}

const char *const report_help =
    "Usage: prtop report [--json] [--svg OUT] FILE\n"
    "\n"
    "Re-render a file written by 'prtop record' without attaching anything:\n"
    "the command, its throughput (will-it-scale lines) next to reporting\n"
    "activity per interval, totals, and the cost attributed to reporting\n"
    "(worker time, time inside report(), refaults of reported memory handed\n"
    "out again at the recorded refault price), each as a share of the run.\n"
    "\n"
    "  -j, --json     the same as one JSON document\n"
    "      --svg OUT  also draw throughput and reporting over time into OUT\n"
    "                 (SVG, opens in a browser)\n"
    "\n"
    "Exit status: 0; 1 when FILE cannot be read or is not a record, or OUT\n"
    "cannot be written; 2 for bad options.\n";

int report_main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"svg", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *svg = NULL;
	struct record r;
	bool json = false;
	char err[512];
	int o, rc = 0;

	opterr = 0;
	while ((o = getopt_long(argc, argv, ":jh", lo, NULL)) != -1) {
		switch (o) {
		case 'j':
			json = true;
			break;
		case 'S':
			svg = optarg;
			break;
		case 'h':
			fputs(report_help, stdout);
			return output_status(stdout);
		default:
			return usage_bad_option("report", o, argv[optind - 1]);
		}
	}
	if (optind != argc - 1) {
		return usage_fail("report", "%s",
				  optind >= argc ? "which record file? (prtop report FILE)"
						 : "one record file at a time");
	}
#ifdef PRTOP_NO_PLOT
	if (svg) {
		fprintf(stderr,
			"prtop report: this prtop is built without cairo (a static build): "
			"plot %s with a prtop built with it\n",
			argv[optind]);
		return 1;
	}
#endif
	rc = record_read(argv[optind], &r, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "prtop report: %s\n", err);
		return read_status(rc);
	}
	if (json)
		record_print_json(stdout, &r, argv[optind]);
	else
		record_print(stdout, &r, argv[optind]);
#ifndef PRTOP_NO_PLOT
	if (svg && plot_svg(&r, svg, err, sizeof(err))) {
		fprintf(stderr, "prtop report: %s\n", err);
		rc = 1;
	}
#endif
	record_free(&r);
	return output_status(stdout) ? 1 : rc;
}
