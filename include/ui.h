/* SPDX-License-Identifier: GPL-2.0 */
/* Presentations of snapshots: live ncurses view and plain-text batch mode. */
#ifndef PRTOP_UI_H
#define PRTOP_UI_H

#include <stdio.h>
#include "collector.h"

struct ui_opts {
	double interval_s; /* -d */
	long iterations;   /* -n, 0 = forever */
};

/* ncurses live view; returns process exit code */
int tui_run(struct collector *c, const struct ui_opts *o);
/* batch mode: one plain-text frame per interval, no escape codes */
int batch_run(struct collector *c, const struct ui_opts *o, FILE *out);
/* one frame of text (shared by batch mode and tests) */
void text_frame(FILE *out, const struct prtop_snapshot *cur, const struct prtop_snapshot *prev);

/* set by signal handlers; loops exit when non-zero */
extern volatile int prtop_stop;
/* SIGINT, SIGTERM, SIGHUP set prtop_stop; SIGPIPE ignored (signals.c) */
void prtop_signals_init(void);

/* report.c: stat --json and doctor */
int json_print(FILE *out, const struct prtop_snapshot *s, double window_s);
void doctor_print(FILE *out, const struct prtop_snapshot *s);

#endif /* PRTOP_UI_H */
