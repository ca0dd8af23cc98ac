// SPDX-License-Identifier: GPL-2.0
/*
 * prtop: see and tune Linux free page reporting.
 * One binary, its commands in one table as bpftool has them: every command
 * is one src/cmd_*.c that parses its own arguments and carries its help.
 */
#include <ctype.h>
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "format.h"
#include "ui.h"

#ifndef PRTOP_SOURCE /* the Makefile defines it */
#define PRTOP_SOURCE "unknown"
#endif

/* the live view first: it has no name, and the overview lists the rest */
static const struct cmd cmds[] = {
    {"", live_main, "live view (the default; -b plain text, -j JSON Lines)", &live_help},
    {"stat", stat_main, "attach, wait SECS, print one report and exit", &stat_help},
    {"doctor", doctor_main, "how each probe attached on this kernel, or why not", &doctor_help},
    {"export", export_main, "serve Prometheus metrics over HTTP (/metrics)", &export_help},
    {"knob", knob_main, "list, read or set the page reporting knobs", &knob_help},
    {"record", record_main, "run a command and record reporting and its throughput",
     &record_help},
    {"report", report_main, "re-render a record file (text, JSON, SVG)", &report_help},
    {"bench", bench_main, "A/B throughput with reporting off/on/settings; refault price",
     &bench_help},
    {"host", host_main, "per VM on a host: memory discarded, refaulted, RSS (and export)",
     &host_help},
    {"help", help_main, "help for a command", &help_help},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

const struct cmd *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

void cmd_overview(FILE *out)
{
	size_t i;

	fputs(live_help, out);
	fputs("\nCommands:\n", out);
	for (i = 1; i < NCMDS; i++)
		fprintf(out, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\nEvery command: -h/--help; prtop --version prints the version.\n"
	      "'prtop help COMMAND' for the rest.\n",
	      out);
}

void cmd_version(FILE *out)
{
	/* the second line names the source: git describe, or debian/changelog's */
	fprintf(out, "prtop %s\nsource: %s\n", PRTOP_VERSION, PRTOP_SOURCE);
}

/* the command argv names, or NULL after telling the user there is none */
static const struct cmd *cmd_select(int argc, char **argv)
{
	const struct cmd *c;
	char names[160] = "";
	size_t i, n = 0;

	/* prtop, prtop -b, prtop 2 5: the live view's [interval [count]] */
	if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '.' ||
	    isdigit((unsigned char)argv[1][0]))
		return &cmds[0];
	c = cmd_find(argv[1]);
	if (c && *c->name)
		return c;
	for (i = 1; i < NCMDS && n < sizeof(names); i++)
		n += snprintf(names + n, sizeof(names) - n, "%s%s", i > 1 ? ", " : "",
			      cmds[i].name);
	usage_fail("", "unknown command '%s' (commands: %s)", argv[1], names);
	return NULL;
}

/*
 * LC_CTYPE only (numbers keep their "." whatever LANG says): UTF-8 output
 * (—, µs, →) only where the locale's charset is UTF-8, ASCII elsewhere.
 */
static void init_locale(void)
{
	const char *cs;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	fmt_set_ascii(!cs || strcmp(cs, "UTF-8"));
}

int main(int argc, char **argv)
{
	const struct cmd *c;

	init_locale();
	c = cmd_select(argc, argv);
	if (!c)
		return 2;
	if (c == &cmds[0])
		return c->main(argc, argv);
	return c->main(argc - 1, argv + 1);
}
