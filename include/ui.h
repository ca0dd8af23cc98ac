/* SPDX-License-Identifier: GPL-2.0 */
/* Presentations of snapshots: live ncurses view and plain-text batch mode. */
#ifndef PRTOP_UI_H
#define PRTOP_UI_H

#include <stdio.h>
#include "collector.h"

struct ui_opts {
	double interval_s;    /* -d */
	long iterations;      /* -n, 0 = forever */
	bool timestamps;      /* -T: wall-clock time on every frame */
	int history;	      /* --history N, 0: none (the live view keeps HIST_DEFAULT_SLOTS) */
	const char *json_log; /* --json-log FILE: the live view's frames as JSON Lines too */
};

/* ncurses live view; returns process exit code */
int tui_run(struct collector *c, const struct ui_opts *o);
/* batch mode: one plain-text frame (or JSON line) per interval, no escape codes */
int batch_run(struct collector *c, const struct ui_opts *o, bool json, FILE *out);
/*
 * One JSON line of the sampler's latest sample (as -b -j), with its
 * "history" when the sampler keeps one; write errors: output_status()
 */
struct sampler;
void json_frame(FILE *out, const struct sampler *smp, unsigned int flags);
/* one frame of text (shared by batch mode and stat); prev may be NULL */
void text_frame(FILE *out, const struct prtop_snapshot *cur, const struct prtop_snapshot *prev,
		const struct ui_opts *o);

/* set by signal handlers; loops exit when non-zero */
extern volatile int prtop_stop;
/* SIGINT, SIGTERM, SIGHUP set prtop_stop; SIGPIPE ignored (signals.c) */
void prtop_signals_init(void);
/*
 * Flush out and say how writing went, as a filter should: 0 when fine or
 * when the reader went away (EPIPE: stop quietly), 1 with one line on
 * stderr for any other write error (a full disk, /dev/full).
 */
int output_status(FILE *out);

/* report.c: stat --json, JSON Lines and doctor; write errors: output_status() */
enum json_flags {
	JSON_COMPACT = 1 << 0, /* one line (JSON Lines) instead of pretty-printed */
	JSON_TIME = 1 << 1,    /* "time": the sample's wall-clock time (-T) */
};
/* the window is prev -> s (prev NULL: no window, no rates) */
struct json_object;
struct json_object *snap_json(const struct prtop_snapshot *s, const struct prtop_snapshot *prev,
			      unsigned int flags);
void json_print(FILE *out, const struct prtop_snapshot *s, const struct prtop_snapshot *prev,
		unsigned int flags);
/* base: the start of doctor's window (NULL: none), for the diagnosis */
void doctor_print(FILE *out, const struct prtop_snapshot *s, const struct prtop_snapshot *base);
void doctor_json(FILE *out, const struct prtop_snapshot *s, const struct prtop_snapshot *base);

#endif /* PRTOP_UI_H */
