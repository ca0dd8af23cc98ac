/* SPDX-License-Identifier: GPL-2.0 */
/* The command table (src/main.c), the commands and the options they share. */
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

/*
 * One row of the command table (src/main.c).  Every command parses its own
 * arguments: argv[0] is its name ("prtop" for the live view, which has none).
 */
struct cmd {
	const char *name;
	int (*main)(int argc, char **argv);
	const char *summary;
	const char *const *help;
};

/* the command called NAME ("" the live view), or NULL */
const struct cmd *cmd_find(const char *name);
/* prtop's own help: the live view's usage and every command's summary */
void cmd_overview(FILE *out);
/* "prtop VERSION" and the source it was built from */
void cmd_version(FILE *out);

/*
 * The options the attaching commands (live, stat, doctor, export) share,
 * each declaring the ones it takes: one that does not apply is a usage
 * error, never silently ignored (src/options.c)
 */
enum opt_bit {
	O_INTERVAL = 1 << 0,  /* -d SECS, or the first positional */
	O_COUNT = 1 << 1,     /* -n N, or the second positional */
	O_BATCH = 1 << 2,     /* -b */
	O_JSON = 1 << 3,      /* -j */
	O_LISTEN = 1 << 4,    /* -l ADDR:PORT */
	O_REUSE = 1 << 5,     /* --reuse-exact, --no-reuse */
	O_TIMESTAMP = 1 << 6, /* -T */
	O_HOST = 1 << 7,      /* doctor --host */
	O_HISTORY = 1 << 8,   /* --history N, --json-log FILE (the live view) */
	O_COLLECT = O_REUSE,  /* what every attaching command takes besides -v */
};

struct cmd_opts {
	const char *name;
	unsigned int opts;  /* enum opt_bit */
	int positional;	    /* how many of [interval [count]] */
	double interval_s;  /* the default interval */
};

/*
 * Parse argv into *a.  true: run the command.  false: *status is the exit
 * status (help or the version printed, or bad input: 2).
 */
bool args_parse(const struct cmd_opts *o, int argc, char **argv, struct args *a, int *status);
/* open and attach (one line on stderr if not); drop: then drop capabilities */
int args_attach(struct args *a, struct collector **c, bool drop);
/* an attaching command's main: parse argv, then run it */
int args_main(const struct cmd_opts *o, int argc, char **argv, int (*run)(struct args *a));

struct prtop_snapshot;
/* how a one-sample command shows its sample */
typedef void args_show_fn(const struct args *a, const struct prtop_snapshot *cur,
			  const struct prtop_snapshot *prev);
/*
 * Attach, sample one window of a->ui.interval_s (a signal ends it early and
 * the sample still comes) and show it: stat and doctor.  The exit status.
 */
int args_one_sample(struct args *a, bool drop, args_show_fn *show);

/* the commands (src/cmd_*.c) */
int live_main(int argc, char **argv);
int stat_main(int argc, char **argv);
int doctor_main(int argc, char **argv);
int export_main(int argc, char **argv);
int knob_main(int argc, char **argv);
int help_main(int argc, char **argv);
int record_main(int argc, char **argv);
int report_main(int argc, char **argv);
int bench_main(int argc, char **argv);
int host_main(int argc, char **argv);
extern const char *const live_help, *const stat_help, *const doctor_help, *const export_help,
    *const knob_help, *const help_help, *const record_help, *const report_help,
    *const bench_help, *const host_help;
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
