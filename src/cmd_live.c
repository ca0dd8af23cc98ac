// SPDX-License-Identifier: GPL-2.0
/*
 * prtop with no command: the live view (ncurses), or with -b plain-text
 * frames and with -j JSON Lines, one per sample (src/tui.c, src/batch.c).
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "collector.h"
#include "ui.h"

const char *const live_help =
    "Usage: prtop [interval [count]] [-d SECS] [-n N] [-b] [-j] [-T]\n"
    "             [--history N] [--json-log FILE] [--reuse-exact | --no-reuse] [-v]\n"
    "\n"
    "Watch Linux free page reporting live: batches and bytes handed to the\n"
    "balloon device, worker runs and delays, per-order free and reported\n"
    "memory, and reuse of reported memory.  A figure prtop cannot observe on\n"
    "this kernel reads n/a (JSON null); 'prtop doctor' says why.\n"
    "\n"
    "  interval, -d, --interval SECS  refresh interval (default 1; 0.2 to 3600)\n"
    "  count, -n, --iterations N      frames to show, then exit (default: until q)\n"
    "  -b, --batch           plain-text frames, no escape codes (for logs)\n"
    "  -j, --json            one JSON object per sample (JSON Lines); implies -b\n"
    "  -T, --timestamp       wall-clock time on every frame\n"
    "      --history N       keep N samples of history (the live view's strips;\n"
    "                        default 300) and add them to -j frames as history\n"
    "      --json-log FILE   the live view also appends each frame to FILE as\n"
    "                        a -j line\n"
    "      --reuse-exact     count reuse of reported memory exactly, with a\n"
    "                        hook on every page allocation (costs throughput)\n"
    "      --no-reuse        do not track reuse of reported memory\n"
    "  -v, --verbose         libbpf diagnostics on stderr\n"
    "\n"
    "Keys: q quit, p pause, h help, + and - change the interval.\n";

static const struct cmd_opts opts = {
    .name = "",
    .opts = O_INTERVAL | O_COUNT | O_BATCH | O_JSON | O_TIMESTAMP | O_HISTORY | O_COLLECT,
    .positional = 2,
    .interval_s = 1.0,
};

static int run(struct args *a)
{
	struct collector *c;
	int ret;

	if (a->json)
		a->batch = true; /* JSON Lines are a stream, not a screen */
	if (a->batch && a->ui.json_log)
		return usage_fail("",
				  "--json-log is the live view's: -b -j alone writes JSON Lines");
	if (a->batch && a->ui.history && !a->json)
		return usage_fail("", "--history is drawn in the live view and written in -j "
				      "frames, not in -b text: add -j");
	if (!a->batch && !isatty(STDOUT_FILENO)) {
		fprintf(
		    stderr,
		    "prtop: standard output is not a terminal: use -b for plain-text batch mode\n");
		return 2;
	}
	if (args_attach(a, &c, true))
		return 1;
	ret = a->batch ? batch_run(c, &a->ui, a->json, stdout) : tui_run(c, &a->ui);
	collector_close(c);
	return ret;
}

int live_main(int argc, char **argv)
{
	return args_main(&opts, argc, argv, run);
}
