/* SPDX-License-Identifier: GPL-2.0 */
/* What the command table (src/main.c) hands a command. */
#ifndef PRTOP_CMD_H
#define PRTOP_CMD_H

#include <stdbool.h>
#include "collector.h"
#include <stdio.h>
#include "ui.h"

#define PRTOP_VERSION "0.2.0"

struct args {
	struct collector_opts copts;
	struct ui_opts ui;
	bool batch;
	bool json;
	bool help;
	bool version;
	bool host; /* doctor --host */
	const char *listen; /* export --listen */
};

/* commands that parse their own arguments (argv[0] is the command's name) */
int record_main(int argc, char **argv);
int report_main(int argc, char **argv);
int bench_main(int argc, char **argv);
int host_main(int argc, char **argv);
/* prtop doctor --host */
int host_doctor(bool json, bool verbose);
extern const char *const record_help, *const report_help, *const bench_help, *const host_help;
/*
 * Bad input: "prtop CMD: MESSAGE (see 'prtop help CMD')" on one line;
 * returns 2, the exit status for bad input.  cmd may be "" (prtop itself).
 */
int usage_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* getopt_long's '?' (unknown) or ':' (no value; optstring starts ":") for arg */
int usage_bad_option(const char *cmd, int ret, const char *arg);

/* the sampling interval every command takes, in seconds */
#define PRTOP_INTERVAL_MIN 0.2
#define PRTOP_INTERVAL_MAX 3600
/* all of s a finite number from lo to hi: 0 with *out set, else -1 */
int parse_number(const char *s, double lo, double hi, double *out);
/*
 * An interval (-d SECS, or the positional one): 0 with *out set, else
 * usage_fail's "invalid interval 'S': give seconds from 0.2 to 3600" and 2
 */
int parse_interval(const char *cmd, const char *s, double *out);
/* print the report of a record file; 0, or 1 with one line on stderr */
int report_file(const char *path, FILE *out);

#endif /* PRTOP_CMD_H */
