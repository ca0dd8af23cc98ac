// SPDX-License-Identifier: GPL-2.0
/*
 * The live view: an ncurses screen redrawn from a snapshot every interval.
 * It only reads snapshots; between samples the sampler keeps its source
 * polling (also while paused) and the engine reads keys in short slices.
 * The engine (tui_loop, the keys, help, status line, --json-log) serves
 * the guest's view here and the host's (host_tui.c).
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include "clock.h"
#include "format.h"
#include "metric_table.h"
#include "history.h"
#include "sampler.h"
#include "tui_int.h"
#include "ui.h"

#define LABEL_W	     8	 /* "probes  " column of the header lines */
#define SIDE_BY_SIDE 110 /* columns needed for latency | orders */
#define MIN_COLS     40
#define MIN_LINES    8
/* lines below the header needed to show knobs and probes too */
#define BOILERPLATE_MIN 18

struct token {
	const char *s;
	int attr;
};

int tui_color(const struct tui *t, enum tui_color c)
{
	return t->color ? COLOR_PAIR(c) : 0;
}

static int color(const struct tui *t, enum tui_color c)
{
	return tui_color(t, c);
}

/*
 * Write s at (y, x), cut at the right edge; never outside the screen.
 * Returns the column after the text.
 */
int tui_put(int y, int x, int attr, const char *s)
{
	wchar_t w[512];
	int n, room, cols = 0, i, cw;
	size_t len;

	if (y < 0 || y >= LINES || x < 0 || x >= COLS)
		return x;
	room = COLS - x;
	len = mbstowcs(w, s, sizeof(w) / sizeof(w[0]) - 1);
	attron(attr);
	if (len == (size_t)-1) { /* not valid in this locale */
		n = (int)strlen(s);
		mvaddnstr(y, x, s, n < room ? n : room);
		attroff(attr);
		return x + (n < room ? n : room);
	}
	w[len] = 0;
	for (i = 0; w[i]; i++) {
		if (w[i] < 32 || w[i] == 127) /* from sysfs: keep it sane */
			w[i] = '?';
		cw = wcwidth(w[i]);
		if (cw < 0)
			cw = 1;
		if (cols + cw > room)
			break;
		cols += cw;
	}
	mvaddnwstr(y, x, w, i);
	attroff(attr);
	return x + cols;
}

static int put(int y, int x, int attr, const char *s)
{
	return tui_put(y, x, attr, s);
}

/* a full-width line of attr (e.g. the reverse-video header) */
void tui_fill_line(int y, int attr)
{
	if (y < 0 || y >= LINES)
		return;
	attron(attr);
	mvhline(y, 0, ' ', COLS);
	attroff(attr);
}

static void fill_line(int y, int attr)
{
	tui_fill_line(y, attr);
}

/*
 * label at column 0, then tokens two spaces apart, wrapping onto further
 * lines indented to LABEL_W.  Returns the next free line.
 */
/* a token wider than a line, word by word from x; returns the next x (y moves) */
static int put_long(int *y, int ymax, int x, const struct token *tok)
{
	char buf[640], *p, *save = NULL;
	int w;

	snprintf(buf, sizeof(buf), "%s", tok->s);
	for (p = strtok_r(buf, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		w = (int)fmt_width(p);
		if (x > LABEL_W && x + w > COLS) {
			if (++*y >= ymax)
				return x;
			x = LABEL_W;
		}
		x = put(*y, x, tok->attr, p) + 1;
	}
	return x + 1;
}

static int put_tokens_sep(int y, int ymax, const char *label, int label_attr,
			  const struct token *tok, int n, int sep)
{
	int x, i, w;

	if (y >= ymax)
		return y;
	put(y, 0, label_attr, label);
	x = LABEL_W;
	for (i = 0; i < n && y < ymax; i++) {
		w = (int)fmt_width(tok[i].s);
		/* wider than a line: wrapped at its words, never cut mid-word */
		if (w > COLS - LABEL_W) {
			x = put_long(&y, ymax, x, &tok[i]);
			continue;
		}
		if (x > LABEL_W && x + w > COLS) {
			if (++y >= ymax)
				return y;
			x = LABEL_W;
		}
		x = put(y, x, tok[i].attr, tok[i].s) + sep;
	}
	return y < ymax ? y + 1 : y;
}

static int put_tokens(int y, int ymax, const char *label, int label_attr, const struct token *tok,
		      int n)
{
	return put_tokens_sep(y, ymax, label, label_attr, tok, n, 2);
}

static int draw_header(struct tui *t, int ymax)
{
	const struct prtop_snapshot *s = t->smp.cur;
	char left[192], right[160], up[32], iv[32], dev[320], when[48] = "";
	int x, y = 0;

	fill_line(0, A_REVERSE);
	snprintf(left, sizeof(left), " prtop %s", s->kernel);
	put(0, 0, A_REVERSE | A_BOLD, left);
	if (t->timestamps)
		fmt_wall(when, sizeof(when), s->wall_ns);
	snprintf(right, sizeof(right), "%s%ssample %llu  every %s  up %s ", when, *when ? "  " : "",
		 (unsigned long long)s->seq, fmt_interval(iv, sizeof(iv), t->smp.o.interval_s),
		 fmt_uptime(up, sizeof(up), s->mono_ns - s->start_ns));
	x = COLS - (int)fmt_width(right);
	if (t->smp.paused)
		x -= 8;
	if (x < (int)fmt_width(left) + 2)
		x = (int)fmt_width(left) + 2;
	x = put(0, x, A_REVERSE, right);
	if (t->smp.paused)
		put(0, x, A_REVERSE | A_BOLD | color(t, C_WARN), " PAUSED ");

	y = 1;
	if (s->device[0])
		snprintf(dev, sizeof(dev), "%s%s", s->device,
			 s->device_by_btf ? " (named by BTF, unconfirmed)" : "");
	else
		snprintf(dev, sizeof(dev), "none %s %s", fmt_dash(),
			 s->device_reason[0] ? s->device_reason : "unknown");
	if (y < ymax) {
		char pub[160], note[180];
		struct token tok[2] = {{dev, s->device[0] ? 0 : (int)A_DIM}, {note, A_DIM}};
		int n = 1;

		if (fmt_publish(pub, sizeof(pub), s)) {
			snprintf(note, sizeof(note), "%s: %s", metric(M_PUBLICATION)->label, pub);
			n++;
		}
		y = put_tokens(y, ymax, metric(M_DEVICE)->label, A_BOLD, tok, n);
	}
	return y;
}

/*
 * The headline: memory returned since start and its rate, from the best
 * source this kernel has (named), so that the one figure users ask for is
 * on every screen size
 */
static int draw_headline(struct tui *t, int y, int ymax)
{
	const struct prtop_snapshot *s = t->smp.cur;
	const char *note = returned_source_note(s->returned.source, false);
	char v[32], r[32], l[3][96];
	struct token tok[3];
	int n = 0;

	if (s->returned.source == RETURNED_UNKNOWN) {
		tok[n++] = (struct token){"returned n/a (nothing counts it on this kernel: "
					  "prtop doctor)", A_DIM};
		return put_tokens(y, ymax, "memory", A_BOLD, tok, n);
	}
	snprintf(l[n], sizeof(l[n]), "returned %s", fmt_bytes(v, sizeof(v), s->returned.bytes));
	if (metric_known(s, M_REPORTED_PAGES))
		snprintf(l[n] + strlen(l[n]), sizeof(l[n]) - strlen(l[n]), " (%s %s)",
			 fmt_count(r, sizeof(r), s->c.report_pages),
			 metric(M_REPORTED_PAGES)->label);
	tok[n] = (struct token){l[n], A_BOLD};
	n++;
	if (t->smp.have_prev && t->smp.rates.returned_known) {
		snprintf(l[n], sizeof(l[n]), "%s",
			 fmt_mib_per_s(r, sizeof(r), t->smp.rates.returned_bytes_per_s));
		tok[n] = (struct token){l[n], 0};
		n++;
	}
	if (*note) {
		snprintf(l[n], sizeof(l[n]), "(%s)", note);
		tok[n] = (struct token){l[n], A_DIM};
		n++;
	}
	return put_tokens(y, ymax, "memory", A_BOLD, tok, n);
}

/*
 * Below the headline: free memory in reportable blocks not reported yet,
 * the pace memory is returned at, and when the backlog is back at that
 * pace (backlog.h).  Unknown, it gives way on a short screen.
 */
static int draw_backlog(struct tui *t, int y, int ymax)
{
	const struct snap_backlog *b = &t->smp.cur->backlog;
	char v[32], d[32], e[32], l[3][112];
	struct token tok[3];

	if (!b->known) {
		if (t->compact)
			return y;
		snprintf(l[0], sizeof(l[0]), "n/a (%s)", b->why);
		tok[0] = (struct token){l[0], A_DIM};
		return put_tokens(y, ymax, metric(M_BACKLOG_BYTES)->label, A_BOLD, tok, 1);
	}
	snprintf(l[0], sizeof(l[0]), "%s unreported", fmt_bytes(v, sizeof(v), b->bytes));
	snprintf(l[1], sizeof(l[1]), "%s %s", metric(M_BACKLOG_DRAIN)->label,
		 fmt_known_mib_per_s(d, sizeof(d), b->drain_known, b->drain_bytes_per_s));
	snprintf(l[2], sizeof(l[2]), "%s %s (estimates)", fmt_backlog_eta(e, sizeof(e), b),
		 metric(M_BACKLOG_ETA)->label);
	tok[0] = (struct token){l[0], A_BOLD};
	tok[1] = (struct token){l[1], 0};
	tok[2] = (struct token){l[2], b->eta_known ? 0 : (int)A_DIM};
	return put_tokens(y, ymax, metric(M_BACKLOG_BYTES)->label, A_BOLD, tok, 3);
}

/* columns tokens take on one line, two spaces apart */
static int tokens_width(const struct token *tok, int n)
{
	int i, w = 0;

	for (i = 0; i < n; i++)
		w += (int)fmt_width(tok[i].s) + (i ? 2 : 0);
	return w;
}

/*
 * Full sources when they fit on one line, else up to a comma (wrapping to
 * a second line), else two words: "(upstream module)" says less than
 * "(upstream module parameter)" for one line saved
 */
static int draw_knobs(struct tui *t, int y, int ymax)
{
	static const int styles[] = {FMT_KNOB_FULL, FMT_KNOB_CLAUSE, FMT_KNOB_BRIEF};
	const struct prtop_snapshot *s = t->smp.cur;
	char a[160], b[160], c[160];
	struct token tok[3] = {{a, 0}, {b, 0}, {c, 0}};
	size_t i;

	for (i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		fmt_knob(a, sizeof(a), metric(M_KNOB_ORDER)->label, &s->knob_order, NULL,
			 styles[i]);
		fmt_knob(b, sizeof(b), metric(M_KNOB_CAPACITY)->label, &s->knob_capacity, NULL,
			 styles[i]);
		fmt_knob(c, sizeof(c), metric(M_KNOB_DELAY)->label, &s->knob_delay_ms, "ms",
			 styles[i]);
		if (LABEL_W + tokens_width(tok, 3) <= COLS ||
		    (styles[i] == FMT_KNOB_CLAUSE && LABEL_W + tokens_width(tok, 3) <= 2 * COLS))
			break;
	}
	return put_tokens(y, ymax, "knobs", A_BOLD, tok, 3);
}

static int draw_probes(struct tui *t, int y, int ymax)
{
	const struct prtop_snapshot *s = t->smp.cur;
	char buf[PROBE__COUNT][128];
	struct token tok[PROBE__COUNT + 1];
	int i, n = 0;

	for (i = 0; i < PROBE__COUNT; i++) {
		tok[n].s = fmt_probe_short(buf[i], sizeof(buf[i]), s, i);
		tok[n].attr = s->probe[i].attached ? color(t, C_GOOD) : (int)A_DIM;
		n++;
	}
	if (fmt_probe_missing(s)) {
		tok[n].s = "(why: prtop doctor)";
		tok[n].attr = A_DIM;
		n++;
	}
	return put_tokens(y, ymax, metric(M_PROBE_ATTACHED)->label, A_BOLD, tok, n);
}

/*
 * One glyph per level: UTF-8 has the eight eighth blocks (levels 1..8),
 * ASCII seven characters (1..7).  Level 0 is a gap: unknown, or no sample.
 */
static const char *strip_cell(int level, int *top)
{
	static const char *const utf8[] = {
	    " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
	};
	static const char *const ascii[] = {" ", ".", ":", "-", "=", "+", "*", "#"};
	bool a = fmt_is_ascii();

	*top = a ? 7 : 8;
	if (level < 0 || level > *top)
		level = 0;
	return a ? ascii[level] : utf8[level];
}

/* "max 12.3 MiB/s" for the strip's scale, or "max n/a" */
static void strip_scale(char *buf, size_t len, const char *unit, int decimals, bool known,
			double max)
{
	if (!known)
		snprintf(buf, len, "max n/a");
	else
		snprintf(buf, len, "max %.*f %s", decimals, max, unit);
}

/*
 * A strip of one figure: one cell per sample, the newest at the right, as
 * many as the width allows; each cell's height is its value against the
 * largest known value shown (history_level()), unknown a gap
 */
int tui_strip(struct tui *t, int y, int ymax, const struct history *h, int f, const char *label,
	      const char *unit, int decimals)
{
	int w = COLS - HIST_LABEL_W - HIST_SCALE_W, i, first, top;
	char scale[48];
	double max = 0, v;
	bool known;

	if (y >= ymax || w < 8)
		return y;
	known = history_max(h, f, w, &max);
	put(y, 0, A_BOLD, label);
	first = h->n > w ? h->n - w : 0;
	strip_cell(0, &top);
	for (i = first; i < h->n; i++) {
		int level = history_get(h, f, i, &v) ? history_level(v, max, top) : 0;

		put(y, HIST_LABEL_W + w - (h->n - i), color(t, C_GOOD), strip_cell(level, &top));
	}
	strip_scale(scale, sizeof(scale), unit, decimals, known, max);
	put(y, HIST_LABEL_W + w + 1, known ? 0 : (int)A_DIM, scale);
	return y + 1;
}

static int draw_strip(struct tui *t, int y, int ymax, enum hist_fig f)
{
	const struct hist_fig_info *fi = history_fig(f);

	return tui_strip(t, y, ymax, &t->smp.hist, f, fi->label, fi->unit, f == HF_RUNS ? 2 : 1);
}

/*
 * the first n strips, most wanted first: memory returned, reportable, runs,
 * reuse, the backlog
 */
static int draw_history(struct tui *t, int y, int ymax, int n)
{
	int f;

	for (f = 0; f < n && f < HF__COUNT && y < ymax; f++)
		y = draw_strip(t, y, ymax, f);
	return y;
}

/* the headline has the returned memory; these lines the rest */
static int draw_rates(struct tui *t, int y, int ymax)
{
	const struct snap_rates *r = &t->smp.rates;
	const struct prtop_snapshot *s = t->smp.cur;
	char v[4][32], l[4][64];
	struct token tok[4];
	int i;

	if (!t->smp.have_prev) {
		snprintf(l[0], sizeof(l[0]), "%s (first sample)", fmt_dash());
		tok[0].s = l[0];
		tok[0].attr = A_DIM;
		return put_tokens(y, ymax, "rates", A_BOLD, tok, 1);
	}
	snprintf(l[0], sizeof(l[0]), "%s %s", metric(M_BATCHES)->label,
		 fmt_known_per_s(v[0], sizeof(v[0]), metric_known(s, M_BATCHES), r->batches_per_s));
	snprintf(l[1], sizeof(l[1]), "%s %s", metric(M_WORKER_RUNS)->label,
		 fmt_known_per_s(v[1], sizeof(v[1]), metric_known(s, M_WORKER_RUNS),
				 r->worker_runs_per_s));
	snprintf(l[2], sizeof(l[2]), "%s %s", metric(M_NOTIFY)->label,
		 fmt_known_per_s(v[2], sizeof(v[2]), metric_known(s, M_NOTIFY), r->notify_per_s));
	snprintf(l[3], sizeof(l[3]), "%s %s", metric(M_REUSED_BYTES)->label,
		 fmt_known_mib_per_s(v[3], sizeof(v[3]), metric_known(s, M_REUSED_BYTES),
				     r->reused_bytes_per_s));
	for (i = 0; i < 4; i++) {
		tok[i].s = l[i];
		tok[i].attr = 0;
	}
	return put_tokens(y, ymax, "rates", A_BOLD, tok, 4);
}

static int draw_totals(struct tui *t, int y, int ymax)
{
	const struct prtop_snapshot *s = t->smp.cur;
	char l[8][FMT_TOTAL_LEN];
	struct token tok[8];
	unsigned int bad;
	int i, n = fmt_totals(l, 7, s, &bad);

	for (i = 0; i < n; i++)
		tok[i] = (struct token){l[i], (bad >> i) & 1 ? A_BOLD | color(t, C_BAD) : 0};
	snprintf(l[n], sizeof(l[n]), "%s %llu", metric(M_EVENTS_DROPPED)->label,
		 (unsigned long long)s->drops);
	tok[n] = (struct token){l[n], s->drops ? A_BOLD | color(t, C_BAD) : 0};
	return put_tokens(y, ymax, "totals", A_BOLD, tok, n + 1);
}

/* one cell of a vertical bar: level 0..8 eighths */
static const char *bar_cell(int level)
{
	static const char *const utf8[] = {
	    " ", "\u2581", "\u2582", "\u2583", "\u2584", "\u2585", "\u2586", "\u2587", "\u2588",
	};
	static const char *const ascii[] = {
	    " ", ".", ".", ".", ":", ":", ":", ":", "#",
	};

	if (level < 0)
		level = 0;
	if (level > 8)
		level = 8;
	return fmt_is_ascii() ? ascii[level] : utf8[level];
}

/* the bar of one nents slot, in eighths of a row; nonzero shows at least 1 */
static int bar_eighths(uint64_t v, uint64_t max, int rows)
{
	uint64_t e;

	if (!v || !max)
		return 0;
	e = (v * (uint64_t)rows * 8 + max / 2) / max;
	return e ? (int)e : 1;
}

static void draw_nents_axis(int y)
{
	char lab[16];
	int i;

	for (i = 0; i < PRTOP_NENTS_SLOTS; i += 8) {
		snprintf(lab, sizeof(lab), "%d%s", i, i == PRTOP_NENTS_SLOTS - 1 ? "+" : "");
		put(y, LABEL_W + i, A_DIM, lab);
	}
}

static int draw_nents(struct tui *t, int y, int ymax, int rows)
{
	const struct prtop_snapshot *s = t->smp.cur;
	uint64_t n = nents_count(s->nents_hist), max = 0, sum = 0;
	char title[128], top[16];
	int i, r, e;

	if (y >= ymax)
		return y;
	if (t->compact && !snap_has(s, SG_REPORT))
		return y;
	put(y, 0, A_BOLD | color(t, C_TITLE), "batch size");
	if (!snap_has(s, SG_REPORT)) {
		put(y, LABEL_W + 4, A_DIM, "n/a (report() batches are not observed)");
		return y + 1;
	}
	if (!n) {
		snprintf(title, sizeof(title), "%s (no report() batch yet)", fmt_dash());
		put(y, LABEL_W + 4, A_DIM, title);
		return y + 1;
	}
	for (i = 0; i < PRTOP_NENTS_SLOTS; i++) {
		if (s->nents_hist[i] > max)
			max = s->nents_hist[i];
		sum += s->nents_hist[i] * (uint64_t)i;
	}
	snprintf(title, sizeof(title), "scatterlist entries per report(): %llu batches, mean %.1f",
		 (unsigned long long)n, (double)sum / n);
	put(y, LABEL_W + 4, 0, title);
	y++;
	if (rows > ymax - y - 1)
		rows = ymax - y - 1;
	if (rows < 1)
		return y;
	put(y, 0, A_DIM, fmt_count(top, sizeof(top), max));
	for (r = 0; r < rows; r++) {
		int level_base = (rows - 1 - r) * 8;

		for (i = 0; i < PRTOP_NENTS_SLOTS; i++) {
			e = bar_eighths(s->nents_hist[i], max, rows);
			put(y + r, LABEL_W + i, color(t, C_GOOD), bar_cell(e - level_base));
		}
	}
	draw_nents_axis(y + rows);
	return y + rows + 1;
}

#define LAT_W 58 /* width of the latency table */

static int draw_latency(struct tui *t, int y, int ymax, int x)
{
	struct fmt_latency lat;
	char l[64], a[32], b[32], c[32], d[32], line[192];
	int i;

	if (y >= ymax)
		return y;
	snprintf(line, sizeof(line), "%s %7s %9s %9s %9s",
		 fmt_pad(l, sizeof(l), "latency", 20, false), "count", "p50", "p99", "max");
	put(y++, x, A_BOLD | color(t, C_TITLE), line);
	for (i = 0; i < FMT_LAT__COUNT && y < ymax; i++, y++) {
		fmt_latency(t->smp.cur, i, &lat);
		if (t->compact && !lat.attached) {
			y--;
			continue;
		}
		snprintf(line, sizeof(line), "%s %s %s %s %s",
			 fmt_pad(l, sizeof(l), lat.label, 20, false),
			 fmt_pad(a, sizeof(a), lat.count_s, 7, true),
			 fmt_pad(b, sizeof(b), lat.p50, 9, true),
			 fmt_pad(c, sizeof(c), lat.p99, 9, true),
			 fmt_pad(d, sizeof(d), lat.max, 9, true));
		put(y, x, lat.attached ? 0 : A_DIM, line);
	}
	return y;
}

static int draw_orders(struct tui *t, int y, int ymax, int x)
{
	const struct prtop_snapshot *s = t->smp.cur;
	char line[160];
	int i;

	if (y >= ymax)
		return y;
	put(y++, x, A_BOLD | color(t, C_TITLE),
	    fmt_order_head(line, sizeof(line), FMT_ORDER_SCREEN));
	for (i = 0; i < PRTOP_ORDERS && y < ymax; i++)
		if (fmt_order_shown(s, i))
			put(y++, x, 0, fmt_order_row(line, sizeof(line), s, i, FMT_ORDER_SCREEN));
	return y;
}

static int draw_reuse(struct tui *t, int y, int ymax)
{
	const struct prtop_snapshot *s = t->smp.cur;
	char v[32], l[4][sizeof(s->probe[0].detail) + 16];
	struct token tok[4];

	if (!snap_has(s, SG_REUSE)) {
		if (t->compact)
			return y;
		tok[0] = (struct token){"n/a (reported ranges are not tracked)", A_DIM};
		return put_tokens(y, ymax, "reuse", A_BOLD, tok, 1);
	}
	if (!snap_has(s, SG_REUSE_RANGES)) {
		snprintf(l[0], sizeof(l[0]), "reused %s (%llu blocks)",
			 fmt_bytes(v, sizeof(v), s->reuse_bytes),
			 (unsigned long long)s->reuse_ranges);
		snprintf(l[1], sizeof(l[1]), "exact (%s)", s->probe[PROBE_REUSE].detail);
		tok[0] = (struct token){l[0], 0};
		tok[1] = (struct token){l[1], A_DIM};
		return put_tokens(y, ymax, "reuse", A_BOLD, tok, 2);
	}
	snprintf(l[0], sizeof(l[0]), "reused %s (%llu ranges)",
		 fmt_bytes(v, sizeof(v), s->reuse_bytes), (unsigned long long)s->reuse_ranges);
	snprintf(l[1], sizeof(l[1]), "tracked %llu", (unsigned long long)s->reuse_tracked);
	snprintf(l[2], sizeof(l[2]), "unreported (merged) %llu",
		 (unsigned long long)s->reuse_unreported_ranges);
	snprintf(l[3], sizeof(l[3]), "forgotten %llu", (unsigned long long)s->reuse_forgotten);
	tok[0] = (struct token){l[0], 0};
	tok[1] = (struct token){l[1], 0};
	tok[2] = (struct token){l[2], 0};
	tok[3] = (struct token){l[3], s->reuse_forgotten ? color(t, C_BAD) : 0};
	if (LABEL_W + tokens_width(tok, 4) > COLS)
		snprintf(l[2], sizeof(l[2]), "unreported %llu",
			 (unsigned long long)s->reuse_unreported_ranges);
	return put_tokens(y, ymax, "reuse", A_BOLD, tok, 4);
}

/* the kernel's own run count against prtop's; free page hinting where offered */
static int draw_kernel_side(struct tui *t, int y, int ymax)
{
	const struct prtop_snapshot *s = t->smp.cur;
	char line[320];
	struct token tok;

	if (fmt_xcheck(line, sizeof(line), s)) {
		tok =
		    (struct token){line, s->xcheck.missed || s->xcheck.extra ? color(t, C_BAD) : 0};
		y = put_tokens(y, ymax, "check", A_BOLD, &tok, 1);
	}
	if (fmt_hint(line, sizeof(line), s)) {
		tok = (struct token){line, snap_has(s, SG_HINT) ? 0 : A_DIM};
		y = put_tokens(y, ymax, "hinting", A_BOLD, &tok, 1);
	}
	return y;
}

/* "+0.40/s, the kernel's counter" (or "n/a/s" before a rate is known) */
static const char *counter_note(char *buf, size_t len, const struct tui *t, int i)
{
	double r;
	char v[32];

	if (snap_counter_rate(t->smp.have_prev ? t->smp.prev : NULL, t->smp.cur, i, &r))
		snprintf(buf, len, "+%s, the kernel's counter",
			 fmt_param_rate(v, sizeof(v), &t->smp.cur->params[i], r));
	else
		snprintf(buf, len, "the kernel's counter");
	return buf;
}

static int draw_params(struct tui *t, int y, int ymax)
{
	const struct prtop_snapshot *s = t->smp.cur;
	char line[256];
	int i, k, n, w = 0, order[SNAP_MAX_PARAMS];

	/* the title and at least two of them (or the only one), or nothing */
	if (!s->nparams || ymax - y < (s->nparams > 1 ? 3 : 2))
		return y;
	put(y++, 0, A_BOLD | color(t, C_TITLE), "module parameters");
	for (i = 0; i < s->nparams && i < SNAP_MAX_PARAMS; i++)
		if ((int)strlen(s->params[i].name) > w)
			w = (int)strlen(s->params[i].name);
	n = s->nparams < SNAP_MAX_PARAMS ? s->nparams : SNAP_MAX_PARAMS;
	/* when not all fit, the kernel's counters (they move) before the settings */
	for (i = 0, k = 0; i < n; i++)
		if (ymax - y >= n || s->params[i].counter)
			order[k++] = i;
	for (i = 0; k < n && i < n; i++)
		if (ymax - y < n && !s->params[i].counter)
			order[k++] = i;
	for (k = 0; k < n && y < ymax; k++, y++) {
		const struct snap_param *p = &s->params[order[k]];
		int x;

		i = order[k];
		if (y == ymax - 1 && k < n - 1) {
			snprintf(line, sizeof(line), "  ... %d more (prtop -b shows all)", n - k);
			put(y, 0, A_DIM, line);
			break;
		}
		snprintf(line, sizeof(line), "  %-*s = %s", w, p->name, p->value);
		x = put(y, 0, 0, line);
		if (p->meaning)
			put(y, x + 3, A_DIM, p->meaning);
		else if (p->counter)
			put(y, x + 3, A_DIM, counter_note(line, sizeof(line), t, i));
	}
	return y;
}

static void draw_status(struct tui *t)
{
	char line[160], iv[32];
	int y = LINES - 1;

	fill_line(y, A_REVERSE);
	snprintf(line, sizeof(line), " q quit  p %s  h help  +/- interval (%s)%s%s",
		 t->smp.paused ? "resume" : "pause",
		 fmt_interval(iv, sizeof(iv), t->smp.o.interval_s), t->view->status ? "  " : "",
		 t->view->status ? t->view->status : "");
	put(y, 0, A_REVERSE, line);
	if (t->msg[0] && now_ns() < t->msg_until)
		put(y, (int)fmt_width(line) + 3, A_REVERSE | A_BOLD, t->msg);
}

/* a frame; line-drawing characters only where the locale has them */
static void draw_box(int y0, int x0, int h, int w)
{
	bool ascii = fmt_is_ascii();

	mvhline(y0, x0, ascii ? '-' : ACS_HLINE, w);
	mvhline(y0 + h - 1, x0, ascii ? '-' : ACS_HLINE, w);
	mvvline(y0, x0, ascii ? '|' : ACS_VLINE, h);
	mvvline(y0, x0 + w - 1, ascii ? '|' : ACS_VLINE, h);
	mvaddch(y0, x0, ascii ? '+' : ACS_ULCORNER);
	mvaddch(y0, x0 + w - 1, ascii ? '+' : ACS_URCORNER);
	mvaddch(y0 + h - 1, x0, ascii ? '+' : ACS_LLCORNER);
	/* the lower right corner of the screen cannot take a character */
	if (y0 + h < LINES || x0 + w < COLS)
		mvaddch(y0 + h - 1, x0 + w - 1, ascii ? '+' : ACS_LRCORNER);
}

static const char *const help_common[] = {
    "",
    "  q         quit",
    "  p         pause / resume the display",
    "            (events are still collected while paused)",
    "  h  ?      show / hide this help",
    "  +  -      sample interval (0.2 .. 3600 s)",
    "  Ctrl-L    redraw the screen",
    NULL,
};

static const char *const help_tail[] = {
    "",
    "  n/a       unknown: its source does not work here",
    "            (prtop doctor says why and what to do)",
    "", /* dash: no samples yet */
    "",
    "press any key to close",
    NULL,
};

/* the help's lines: the view's title, the common keys, the view's, the legend */
static int help_lines(const struct tui *t, const char **out, int cap)
{
	const char *const *parts[] = {help_common, t->view->keys, help_tail};
	int n = 0, k, i;

	out[n++] = t->view->title;
	for (k = 0; k < 3; k++)
		for (i = 0; parts[k] && parts[k][i] && n < cap; i++)
			out[n++] = parts[k][i];
	return n;
}

static void draw_help(struct tui *t)
{
	const char *lines[40];
	int n = help_lines(t, lines, 40);
	int w = 60, h = n + 2, y0, x0, i;
	char dash[64];

	if (w > COLS)
		w = COLS;
	if (h > LINES)
		h = LINES;
	y0 = (LINES - h) / 2;
	x0 = (COLS - w) / 2;
	for (i = 0; i < h; i++) {
		move(y0 + i, x0);
		hline(' ', w);
	}
	if (w >= 2 && h >= 2)
		draw_box(y0, x0, h, w);
	for (i = 0; i < n && i < h - 2; i++) {
		if (i == n - 3) {
			snprintf(dash, sizeof(dash), "  %s         no samples yet", fmt_dash());
			put(y0 + 1 + i, x0 + 2, 0, dash);
			continue;
		}
		put(y0 + 1 + i, x0 + 2, i ? 0 : A_BOLD, lines[i]);
	}
}

static int orders_shown(const struct prtop_snapshot *s)
{
	int i, n = 0;

	for (i = 0; i < PRTOP_ORDERS; i++)
		n += fmt_order_shown(s, i);
	return n;
}

static bool body_bars(const struct tui *t)
{
	return snap_has(t->smp.cur, SG_REPORT) && nents_count(t->smp.cur->nents_hist);
}

/* the lines the body needs without blank lines, taller bars or parameters */
static int body_need(const struct tui *t)
{
	int tables = 1 + FMT_LAT__COUNT, orders = 1 + orders_shown(t->smp.cur);

	if (COLS >= SIDE_BY_SIDE)
		tables = tables > orders ? tables : orders;
	else
		tables += orders;
	return 1 + (body_bars(t) ? 3 : 0) + tables + 1; /* ... + reuse */
}

/*
 * The body below the header lines and strips: bars, tables, reuse,
 * parameters.  The fixed parts come first; blank lines and taller bars only
 * from what is left, so that 80x24 still shows everything but the
 * parameters and the n/a rows.
 */
static void draw_body(struct tui *t, int y, int ymax)
{
	bool bars = body_bars(t);
	int need = body_need(t), spare, rows = bars ? 2 : 0, yl, yo;

	/* with the parameters (title, rows, a blank) it does not fit: n/a rows go first */
	t->compact = ymax - y < need + t->smp.cur->xcheck.have +
				   (t->smp.cur->nparams ? t->smp.cur->nparams + 2 : 0);
	/* short of room: no blank lines, no taller bars; what is left goes to the parameters */
	spare = t->compact ? 0 : ymax - y - need;
	if (spare >= 1)
		y++;
	if (bars && spare >= 3)
		rows += spare - 2 > 6 ? 6 : spare - 2;
	y = draw_nents(t, y, ymax, rows);
	if (spare >= 2)
		y++;
	if (COLS >= SIDE_BY_SIDE) {
		yl = draw_latency(t, y, ymax, 0);
		yo = draw_orders(t, y, ymax, LAT_W + 4);
		y = yl > yo ? yl : yo;
	} else {
		y = draw_latency(t, y, ymax, 0);
		y = draw_orders(t, y, ymax, 0);
	}
	y = draw_reuse(t, y, ymax);
	y = draw_kernel_side(t, y, ymax);
	if (ymax - y > 3)
		y++;
	draw_params(t, y, ymax);
}

/* only with the bundled patch's tracepoints: the values the last run used
 * (the free list walks came from the v2 series' only: unknown since) */
static int draw_walks(struct tui *t, int y, int ymax)
{
	const struct prtop_snapshot *s = t->smp.cur;
	char l[4][64];
	struct token tok[4];
	int n = 0;

	if (snap_has(s, SG_RESETS) && snap_has(s, SG_CYCLE_DETAIL)) {
		snprintf(l[n], sizeof(l[n]), "resets %llu report / %llu stop",
			 (unsigned long long)s->c.reset_report,
			 (unsigned long long)s->c.reset_stop);
		n++;
		snprintf(l[n], sizeof(l[n]), "rotated %llu",
			 (unsigned long long)s->c.reset_rotated);
		n++;
		snprintf(l[n], sizeof(l[n]), "budget exhausted %llu",
			 (unsigned long long)s->c.cycle_exhausted);
		n++;
	}
	if (snap_has(s, SG_RUN_DETAIL) && s->last_run.seen) {
		char d[24];

		snprintf(l[n], sizeof(l[n]), "last run: capacity %u order %u delay %s",
			 s->last_run.capacity, s->last_run.order,
			 fmt_run_delay(d, sizeof(d), s->last_run.delay_ms));
		n++;
	}
	if (!n)
		return y;
	for (int i = 0; i < n; i++) {
		tok[i].s = l[i];
		tok[i].attr = 0;
	}
	return put_tokens(y, ymax, "walks", A_BOLD, tok, n);
}

/* the guest's view: everything above the status line */
static void guest_draw(struct tui *t, int ymax)
{
	int y;

	y = draw_header(t, ymax);
	y = draw_headline(t, y, ymax);
	y = draw_backlog(t, y, ymax);
	/* small screens keep the live figures: knobs and probes go first */
	if (ymax - y >= BOILERPLATE_MIN) {
		y = draw_knobs(t, y, ymax);
		y = draw_probes(t, y, ymax);
	}
	y = draw_rates(t, y, ymax);
	y = draw_totals(t, y, ymax);
	y = draw_walks(t, y, ymax);
	/* every strip that leaves the body its lines; the first one always */
	if (t->smp.hist.cap) {
		int n = ymax - y - body_need(t) - t->smp.cur->xcheck.have;

		y = draw_history(t, y, ymax, n < 1 ? 1 : n);
	}
	draw_body(t, y, ymax);
}

static void draw(struct tui *t)
{
	erase();
	if (COLS < MIN_COLS || LINES < MIN_LINES) {
		put(0, 0, A_BOLD, "prtop: terminal too small");
		put(1, 0, 0, "need 40x8, q quits");
		refresh();
		return;
	}
	t->view->draw(t, LINES - 1);
	draw_status(t);
	if (t->help)
		draw_help(t);
	refresh();
}

void tui_note(struct tui *t, const char *msg)
{
	snprintf(t->msg, sizeof(t->msg), "%s", msg);
	t->msg_until = now_ns() + 3000000000ULL;
}

static void set_interval(struct tui *t, double s)
{
	char iv[32], msg[64];

	sampler_set_interval(&t->smp, s);
	snprintf(msg, sizeof(msg), "interval %s", fmt_interval(iv, sizeof(iv), s));
	tui_note(t, msg);
}

static void on_key(struct tui *t, int ch)
{
	if (ch == KEY_RESIZE) {
		t->dirty = true;
		return;
	}
	if (t->help) { /* any key closes the help */
		t->help = false;
		t->dirty = true;
		if (ch != 'q' && ch != 'Q')
			return;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		t->quit = true;
		break;
	case 'p':
	case 'P':
	case ' ':
		sampler_pause(&t->smp, !t->smp.paused);
		break;
	case 'h':
	case 'H':
	case '?':
		t->help = true;
		break;
	case '+':
	case '=':
		set_interval(t, fmt_step_interval(t->smp.o.interval_s, 1));
		break;
	case '-':
	case '_':
		set_interval(t, fmt_step_interval(t->smp.o.interval_s, -1));
		break;
	case 12: /* Ctrl-L */
		clearok(curscr, TRUE);
		break;
	default:
		if (!t->view->key || !t->view->key(t, ch))
			return;
	}
	t->dirty = true;
}

static void read_keys(struct tui *t, int wait_ms)
{
	int ch;

	timeout(wait_ms);
	while ((ch = getch()) != ERR) {
		on_key(t, ch);
		timeout(0);
	}
	if (t->dirty && !prtop_stop && !t->quit) {
		draw(t);
		t->dirty = false;
	}
}

/* the sampler's idle callback: keys while it waits for the next sample */
static bool tui_idle(void *ctx, int wait_ms)
{
	struct tui *t = ctx;

	read_keys(t, wait_ms);
	return t->quit;
}

/*
 * --json-log: the frame just drawn as a -j line, history included, so the
 * screen can be compared with its data.  A write error stops the log (the
 * screen goes on) and is reported at exit.
 */
static void log_frame(struct tui *t)
{
	if (!t->log)
		return;
	t->view->json(t->log, t);
	if (fflush(t->log) || ferror(t->log)) {
		t->log_err = errno ? errno : EIO;
		fclose(t->log);
		t->log = NULL;
		tui_note(t, "--json-log: write failed, log stopped");
	}
}

static int log_close(struct tui *t)
{
	if (t->log && fclose(t->log) && !t->log_err)
		t->log_err = errno ? errno : EIO;
	t->log = NULL;
	if (!t->log_err)
		return 0;
	fprintf(stderr, "prtop: writing %s (--json-log) failed: %s; the log is incomplete\n",
		t->log_path, strerror(t->log_err));
	return 1;
}

static bool start_curses(struct tui *t)
{
	t->screen = newterm(NULL, stdout, stdin);
	if (!t->screen)
		return false;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25); /* Esc closes the help without a pause */
	curs_set(0);
	if (has_colors() && start_color() == OK) {
		short bg = use_default_colors() == OK ? -1 : COLOR_BLACK;

		init_pair(C_GOOD, COLOR_GREEN, bg);
		init_pair(C_BAD, COLOR_RED, bg);
		init_pair(C_WARN, COLOR_YELLOW, bg);
		init_pair(C_TITLE, COLOR_CYAN, bg);
		t->color = true;
	}
	return true;
}

struct sampler_opts tui_sampler_opts(struct tui *t, double interval_s, long count, int history)
{
	struct sampler_opts so = {
	    .interval_s = interval_s,
	    .count = count,
	    .deliver_base = true,
	    .history = history ? history : HIST_DEFAULT_SLOTS,
	    .idle = tui_idle,
	    .idle_ctx = t,
	};

	return so;
}

int tui_loop(struct tui *t, const char *json_log)
{
	t->log_path = json_log;
	if (json_log && !(t->log = fopen(json_log, "a"))) {
		fprintf(stderr, "prtop: cannot open %s for --json-log: %s; give a writable file\n",
			json_log, strerror(errno));
		sampler_free(&t->smp);
		return 1;
	}
	if (!start_curses(t)) {
		fprintf(stderr,
			"prtop: cannot start the live view on this "
			"terminal (TERM=%s); try -b\n",
			getenv("TERM") ? getenv("TERM") : "");
		sampler_free(&t->smp);
		if (t->log)
			fclose(t->log);
		return 1;
	}
	while (sampler_next(&t->smp)) {
		draw(t);
		log_frame(t);
	}
	endwin();
	delscreen(t->screen);
	sampler_free(&t->smp);
	return log_close(t);
}

static void guest_json(FILE *out, struct tui *t)
{
	json_frame(out, &t->smp, t->timestamps ? JSON_TIME : 0);
}

static const struct tui_view guest_view = {
    .title = "prtop: live view of free page reporting",
    .draw = guest_draw,
    .json = guest_json,
};

int tui_run(struct collector *c, const struct ui_opts *o)
{
	struct tui t = {.timestamps = o->timestamps, .view = &guest_view};
	struct sampler_opts so = tui_sampler_opts(&t, o->interval_s, o->iterations, o->history);

	if (sampler_init(&t.smp, c, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		return 1;
	}
	return tui_loop(&t, o->json_log);
}
