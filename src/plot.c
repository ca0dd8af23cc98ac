// SPDX-License-Identifier: GPL-2.0
/*
 * The record as a picture: three panels over one time axis -- the
 * workload's throughput, reported and reused MiB/s, worker runs and
 * batches per second -- drawn with cairo's SVG surface (a self-contained
 * file a browser opens).  Unknown series are left out and say so.
 */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cairo/cairo.h>
#include <cairo/cairo-svg.h>

#include "dynlib.h"
#include "record.h"

/* cairo is opened by `report --svg` only (dynlib.h) */
#define CAIRO_FNS(X)                                                                               \
	X(cairo_create)                                                                            \
	X(cairo_destroy)                                                                           \
	X(cairo_line_to)                                                                           \
	X(cairo_move_to)                                                                           \
	X(cairo_paint)                                                                             \
	X(cairo_rectangle)                                                                         \
	X(cairo_select_font_face)                                                                  \
	X(cairo_set_font_size)                                                                     \
	X(cairo_set_line_width)                                                                    \
	X(cairo_set_source_rgb)                                                                    \
	X(cairo_show_text)                                                                         \
	X(cairo_status_to_string)                                                                  \
	X(cairo_stroke)                                                                            \
	X(cairo_surface_destroy)                                                                   \
	X(cairo_surface_finish)                                                                    \
	X(cairo_surface_status)                                                                    \
	X(cairo_svg_surface_create)                                                                \
	X(cairo_text_extents)
#define CAIRO_PTR(f) static __typeof__(f) *dl_##f;
#define CAIRO_SYM(f) {#f, (void **)&dl_##f},
CAIRO_FNS(CAIRO_PTR)

static int cairo_open(char *err, size_t len)
{
	static const struct dynlib_sym syms[] = {CAIRO_FNS(CAIRO_SYM)};

	return dynlib_open("libcairo.so.2", "libcairo2", syms, sizeof(syms) / sizeof(syms[0]), err,
			   len);
}

#define cairo_create		 dl_cairo_create
#define cairo_destroy		 dl_cairo_destroy
#define cairo_line_to		 dl_cairo_line_to
#define cairo_move_to		 dl_cairo_move_to
#define cairo_paint		 dl_cairo_paint
#define cairo_rectangle		 dl_cairo_rectangle
#define cairo_select_font_face	 dl_cairo_select_font_face
#define cairo_set_font_size	 dl_cairo_set_font_size
#define cairo_set_line_width	 dl_cairo_set_line_width
#define cairo_set_source_rgb	 dl_cairo_set_source_rgb
#define cairo_show_text		 dl_cairo_show_text
#define cairo_status_to_string	 dl_cairo_status_to_string
#define cairo_stroke		 dl_cairo_stroke
#define cairo_surface_destroy	 dl_cairo_surface_destroy
#define cairo_surface_finish	 dl_cairo_surface_finish
#define cairo_surface_status	 dl_cairo_surface_status
#define cairo_svg_surface_create dl_cairo_svg_surface_create
#define cairo_text_extents	 dl_cairo_text_extents

#define W	960.0
#define H	800.0
#define LEFT	90.0
#define RIGHT	30.0
#define TOP	50.0
#define PANEL_H 180.0
#define GAP	40.0

struct series {
	const char *name;
	size_t off; /* offset of the struct opt_num in struct rec_interval */
	double scale;
	double r, g, b;
};

struct panel {
	const char *title;
	const struct series *s;
	int n;
};

static const struct series s_ops[] = {
    {"ops/s", offsetof(struct rec_interval, ops_s), 1, 0.10, 0.35, 0.75},
};
static const struct series s_mem[] = {
    {"reported MiB/s", offsetof(struct rec_interval, rep_bs), 1.0 / 1048576, 0.85, 0.40, 0.05},
    {"reused MiB/s", offsetof(struct rec_interval, reused_bs), 1.0 / 1048576, 0.20, 0.60, 0.20},
};
static const struct series s_runs[] = {
    {"worker runs/s", offsetof(struct rec_interval, runs_s), 1, 0.55, 0.20, 0.60},
    {"batches/s", offsetof(struct rec_interval, batches_s), 1, 0.10, 0.55, 0.60},
};
static const struct panel panels[] = {
    {"workload throughput", s_ops, 1},
    {"memory reported and handed out again", s_mem, 2},
    {"reporting activity", s_runs, 2},
};

static struct opt_num value(const struct rec_interval *v, const struct series *s)
{
	struct opt_num n = *(const struct opt_num *)((const char *)v + s->off);

	n.v *= s->scale;
	return n;
}

/* a round upper bound for the axis: 1, 2 or 5 times a power of ten */
static double nice_max(double v)
{
	double p, m;

	if (v <= 0)
		return 1;
	p = pow(10, floor(log10(v)));
	m = v / p;
	return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

static void text(cairo_t *cr, double x, double y, const char *s, double size)
{
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, s);
}

/* 1.5k, 2M: short labels for the y axis */
static void si(char *buf, size_t len, double v)
{
	if (v >= 1e9)
		snprintf(buf, len, "%.3gG", v / 1e9);
	else if (v >= 1e6)
		snprintf(buf, len, "%.3gM", v / 1e6);
	else if (v >= 1e3)
		snprintf(buf, len, "%.3gk", v / 1e3);
	else
		snprintf(buf, len, "%.3g", v);
}

/* a tick step of 1, 2 or 5 times a power of ten: at most 8 ticks up to xmax */
static double tick_step(double xmax)
{
	double step = nice_max(xmax / 8);

	return step > 0 ? step : 1;
}

/* the title; returns where the legend may start */
static double axes(cairo_t *cr, double y0, double xmax, double ymax, const char *title)
{
	cairo_text_extents_t ext;
	double step = tick_step(xmax), x;
	char buf[32];
	int i;

	cairo_set_source_rgb(cr, 0, 0, 0);
	text(cr, LEFT, y0 - 8, title, 14);
	cairo_text_extents(cr, title, &ext);
	cairo_set_line_width(cr, 1);
	cairo_rectangle(cr, LEFT, y0, W - LEFT - RIGHT, PANEL_H);
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
	for (i = 1; i < 4; i++) {
		cairo_move_to(cr, LEFT, y0 + PANEL_H * i / 4);
		cairo_line_to(cr, W - RIGHT, y0 + PANEL_H * i / 4);
	}
	cairo_stroke(cr);
	cairo_set_source_rgb(cr, 0, 0, 0);
	for (i = 0; i <= 4; i++) {
		si(buf, sizeof(buf), ymax * i / 4);
		text(cr, LEFT - 50, y0 + PANEL_H - PANEL_H * i / 4 + 4, buf, 11);
	}
	for (x = 0; x <= xmax + 1e-9; x += step) {
		snprintf(buf, sizeof(buf), "%g s", x);
		text(cr, LEFT + (W - LEFT - RIGHT) * x / xmax - 8, y0 + PANEL_H + 14, buf, 11);
	}
	return LEFT + ext.x_advance + 30;
}

static void draw_panel(cairo_t *cr, const struct record *r, const struct panel *p, double y0,
		       double xmax)
{
	double ymax = 0, x, y, lx;
	int i, k;
	bool any, pen;

	for (k = 0; k < p->n; k++)
		for (i = 0; i < r->nint; i++) {
			struct opt_num v = value(&r->iv[i], &p->s[k]);

			if (v.known && v.v > ymax)
				ymax = v.v;
		}
	ymax = nice_max(ymax);
	lx = axes(cr, y0, xmax, ymax, p->title);
	for (k = 0; k < p->n; k++) {
		const struct series *s = &p->s[k];

		cairo_set_source_rgb(cr, s->r, s->g, s->b);
		cairo_set_line_width(cr, 2);
		for (i = 0, any = false, pen = false; i < r->nint; i++) {
			struct opt_num v = value(&r->iv[i], s);

			if (!v.known) {
				pen = false;
				continue;
			}
			x = LEFT + (W - LEFT - RIGHT) * r->iv[i].t / xmax;
			y = y0 + PANEL_H - PANEL_H * v.v / ymax;
			if (pen)
				cairo_line_to(cr, x, y);
			else
				cairo_move_to(cr, x, y);
			pen = any = true;
		}
		cairo_stroke(cr);
		{
			char buf[128];
			cairo_text_extents_t ext;

			/* the returned bytes name their source, as the text report does */
			bool rep = s->off == offsetof(struct rec_interval, rep_bs) &&
				   r->reported_source[0];

			snprintf(buf, sizeof(buf), "%s%s%s%s%s", s->name, rep ? " (" : "",
				 rep ? record_source_words(r->reported_source) : "", rep ? ")" : "",
				 any ? "" : ": not observed");
			text(cr, lx, y0 - 8, buf, 12);
			cairo_text_extents(cr, buf, &ext);
			lx += ext.x_advance + 24;
		}
	}
}

int plot_svg(const struct record *r, const char *path, char *err, size_t errlen)
{
	double xmax = r->nint ? r->iv[r->nint - 1].t : 1;
	cairo_surface_t *sf;
	char title[700];
	cairo_status_t st;
	cairo_t *cr;
	size_t i;

	if (cairo_open(err, errlen))
		return -ENOENT;
	sf = cairo_svg_surface_create(path, W, H);
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "cannot write %s: %s", path,
			 cairo_status_to_string(cairo_surface_status(sf)));
		cairo_surface_destroy(sf);
		return -EIO;
	}
	cr = cairo_create(sf);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_source_rgb(cr, 0, 0, 0);
	snprintf(title, sizeof(title), "%.200s  (kernel %.100s)", r->command, r->kernel);
	text(cr, LEFT, 24, title, 15);
	for (i = 0; i < sizeof(panels) / sizeof(panels[0]); i++)
		draw_panel(cr, r, &panels[i], TOP + 20 + i * (PANEL_H + GAP + 20), xmax);
	cairo_destroy(cr);
	cairo_surface_finish(sf);
	st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(err, errlen, "writing %s failed: %s", path, cairo_status_to_string(st));
		return -EIO;
	}
	return 0;
}
