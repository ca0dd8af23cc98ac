/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The live-view engine (src/tui.c) and what a view built on it uses: one
 * loop on the sampler, the keys every view answers (q, p, h/?, +/-,
 * Ctrl-L, resize), the help overlay, the status line, --json-log, and
 * the drawing helpers in the house style.  A view (the guest's in tui.c,
 * the host's in host_tui.c) draws the body and may take more keys.
 */
#ifndef PRTOP_TUI_INT_H
#define PRTOP_TUI_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <ncursesw/curses.h>
#include "history.h"
#include "sampler.h"

enum tui_color {
	C_GOOD = 1, /* attached probes, bars */
	C_BAD,	    /* errors, drops */
	C_WARN,	    /* PAUSED */
	C_TITLE,    /* section titles */
};

struct tui;

struct tui_view {
	const char *title;	 /* the help's first line */
	const char *const *keys; /* the view's own help lines, NULL-terminated (or NULL) */
	const char *status;	 /* the view's own keys on the status line, or NULL */
	void (*draw)(struct tui *t, int ymax);	/* everything above the status line */
	bool (*key)(struct tui *t, int ch);	/* a key of its own: true when taken */
	void (*json)(FILE *out, struct tui *t); /* the frame as a -j line (--json-log) */
};

struct tui {
	struct sampler smp; /* samples, rates, interval, pause */
	const struct tui_view *view;
	void *vctx; /* the view's own state */
	SCREEN *screen;
	bool help, quit, dirty, color, timestamps;
	bool compact; /* the screen is short: rows that hold only n/a are left out */
	char msg[64]; /* transient note in the status line */
	uint64_t msg_until;
	FILE *log; /* --json-log */
	const char *log_path;
	int log_err; /* errno of the write that stopped the log */
};

/*
 * Run the view: t->smp initialised with tui_sampler_opts(), t->view set;
 * json_log opened first (NULL: none).  Frees the sampler.  Exit status.
 */
int tui_loop(struct tui *t, const char *json_log);
/* the sampler options of a live view: its idle reads keys */
struct sampler_opts tui_sampler_opts(struct tui *t, double interval_s, long count, int history);
/* a transient note on the status line */
void tui_note(struct tui *t, const char *msg);

int tui_color(const struct tui *t, enum tui_color c);
/* s at (y, x), cut at the right edge; returns the column after it */
int tui_put(int y, int x, int attr, const char *s);
void tui_fill_line(int y, int attr);
/*
 * A strip of figure f of h at line y: label, one cell per slot (newest at
 * the right), unknown a gap, and the scale ("max 1.2 unit"); returns y + 1
 */
#define HIST_LABEL_W 11 /* "reportable " */
#define HIST_SCALE_W 19 /* " max 99999.9 MiB/s" */
int tui_strip(struct tui *t, int y, int ymax, const struct history *h, int f, const char *label,
	      const char *unit, int decimals);

#endif /* PRTOP_TUI_INT_H */
