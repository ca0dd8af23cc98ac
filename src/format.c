// SPDX-License-Identifier: GPL-2.0
/* Human-readable formatting shared by the live view and batch output. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "backlog.h"
#include "format.h"
#include "metric_table.h"

static bool ascii_only;

void fmt_set_ascii(bool ascii)
{
	ascii_only = ascii;
}

bool fmt_is_ascii(void)
{
	return ascii_only;
}

const char *fmt_dash(void)
{
	return ascii_only ? "-" : "\u2014";
}

static const char *micro(void)
{
	return ascii_only ? "u" : "\u00b5";
}

/*
 * v with about three significant digits and a unit: "1.50", "12.5", "512".
 * The caller has already made sure v rounds to less than 1000 (or 1024).
 */
static char *fmt_sig(char *buf, size_t len, double v, const char *unit, const char *sep)
{
	if (v < 9.995)
		snprintf(buf, len, "%.2f%s%s", v, sep, unit);
	else if (v < 99.95)
		snprintf(buf, len, "%.1f%s%s", v, sep, unit);
	else
		snprintf(buf, len, "%.0f%s%s", v, sep, unit);
	return buf;
}

char *fmt_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const unit[] = {
	    "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	double v = (double)bytes;
	size_t i = 0;

	if (bytes < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
		return buf;
	}
	v /= 1024;
	while (v >= 1023.5 && i + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		i++;
	}
	return fmt_sig(buf, len, v, unit[i], " ");
}

char *fmt_mib(char *buf, size_t len, double bytes)
{
	double v = bytes / (1024.0 * 1024.0);

	if (v < 0)
		v = 0;
	if (v < 9999.95)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.0f", v);
	return buf;
}

char *fmt_ns(char *buf, size_t len, uint64_t ns)
{
	double v = (double)ns;
	char us[8];

	if (ns < 1000) {
		snprintf(buf, len, "%llu ns", (unsigned long long)ns);
		return buf;
	}
	if (v < 999.5e3) {
		snprintf(us, sizeof(us), "%ss", micro());
		return fmt_sig(buf, len, v / 1e3, us, " ");
	}
	if (v < 999.5e6)
		return fmt_sig(buf, len, v / 1e6, "ms", " ");
	if (v < 59.95e9)
		return fmt_sig(buf, len, v / 1e9, "s", " ");
	if (v < 59.95 * 60e9)
		return fmt_sig(buf, len, v / 60e9, "min", " ");
	return fmt_sig(buf, len, v / 3600e9, "h", " ");
}

char *fmt_count(char *buf, size_t len, uint64_t n)
{
	static const char *const unit[] = {"k", "M", "G", "T", "P", "E"};
	double v = (double)n;
	size_t i = 0;

	if (n < 10000) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
		return buf;
	}
	v /= 1000;
	while (v >= 999.5 && i + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1000;
		i++;
	}
	return fmt_sig(buf, len, v, unit[i], "");
}

static char *fmt_rate(char *buf, size_t len, double v, const char *unit)
{
	if (!(v > 0)) /* also NaN */
		v = 0;
	if (v >= 999.5)
		snprintf(buf, len, "%.0f%s", v, unit);
	else
		fmt_sig(buf, len, v, unit, "");
	return buf;
}

char *fmt_per_s(char *buf, size_t len, double per_s)
{
	return fmt_rate(buf, len, per_s, "/s");
}

char *fmt_mib_per_s(char *buf, size_t len, double bytes_per_s)
{
	return fmt_rate(buf, len, bytes_per_s / (1024.0 * 1024.0), " MiB/s");
}

/* plain decimals, never an exponent: "0.2 s", "1 s", "3600 s" */
char *fmt_interval(char *buf, size_t len, double s)
{
	if (s >= 100)
		snprintf(buf, len, "%.0f s", s);
	else
		snprintf(buf, len, "%.3g s", s);
	return buf;
}

char *fmt_uptime(char *buf, size_t len, uint64_t ns)
{
	unsigned long long s = (ns + 500000000ULL) / 1000000000ULL;

	if (s < 60)
		snprintf(buf, len, "%llus", s);
	else if (s < 3600)
		snprintf(buf, len, "%llum%02llus", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%lluh%02llum", s / 3600, s % 3600 / 60);
	else
		snprintf(buf, len, "%llud%02lluh", s / 86400, s % 86400 / 3600);
	return buf;
}

size_t fmt_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

char *fmt_pad(char *buf, size_t len, const char *s, int width, bool right)
{
	int w = (int)fmt_width(s);
	int pad = width > w ? width - w : 0;

	if (right)
		snprintf(buf, len, "%*s%s", pad, "", s);
	else
		snprintf(buf, len, "%s%*s", s, pad, "");
	return buf;
}

/* every interval -d accepts (0.2 .. 3600 s) lies within the ladder */
static const double interval_ladder[] = {0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
#define LADDER_LEN (sizeof(interval_ladder) / sizeof(interval_ladder[0]))

double fmt_clamp_interval(double s)
{
	if (!(s >= interval_ladder[0])) /* also NaN */
		return interval_ladder[0];
	if (s > interval_ladder[LADDER_LEN - 1])
		return interval_ladder[LADDER_LEN - 1];
	return s;
}

double fmt_step_interval(double s, int dir)
{
	const double lo = interval_ladder[0];
	const double hi = interval_ladder[LADDER_LEN - 1];
	size_t i;

	if (dir > 0) {
		for (i = 0; i < LADDER_LEN; i++)
			if (interval_ladder[i] > s + 1e-9)
				return interval_ladder[i];
		return s > hi ? s : hi; /* never a step down */
	}
	for (i = LADDER_LEN; i > 0; i--)
		if (interval_ladder[i - 1] < s - 1e-9)
			return interval_ladder[i - 1];
	return s < lo ? s : lo; /* never a step up */
}

/* length of s shown in a style: all, up to a comma, or its first two words */
static int source_len(const char *s, int style)
{
	int n = (int)strcspn(s, ",");
	const char *sp;

	if (style == FMT_KNOB_FULL)
		return (int)strlen(s);
	if (style == FMT_KNOB_CLAUSE)
		return n;
	sp = strchr(s, ' ');
	if (sp)
		sp = strchr(sp + 1, ' ');
	return sp && sp - s < n ? (int)(sp - s) : n;
}

char *fmt_knob(char *buf, size_t len, const char *label, const struct snap_knob *k,
	       const char *unit, int style)
{
	const char *src = k->source && *k->source ? k->source : "unknown";
	int n = source_len(src, style);

	if (!k->known) {
		snprintf(buf, len, "%s ? (%.*s)", label, n, src);
		return buf;
	}
	if (k->unspecified) {
		snprintf(buf, len, "%s unspecified, the device decides (%.*s)", label, n, src);
		return buf;
	}
	snprintf(buf, len, "%s %lld%s%s (%.*s)", label, (long long)k->value, unit ? " " : "",
		 unit ? unit : "", n, src);
	return buf;
}

char *fmt_probe_short(char *buf, size_t len, const struct prtop_snapshot *s, enum probe_id id)
{
	const char *name = probe_name(id);
	const struct probe_status *p = &s->probe[id];
	/* lost: its module went away; prtop attaches again when it is back */
	const char *mode = p->attached ? attach_mode_name(p->mode) : p->lost ? "lost" : fmt_dash();

	snprintf(buf, len, "%s:%s", name ? name : "?", mode ? mode : "?");
	return buf;
}

bool fmt_probe_missing(const struct prtop_snapshot *s)
{
	int i;

	for (i = 0; i < PROBE__COUNT; i++)
		if (!s->probe[i].attached)
			return true;
	return false;
}

/* a latency row: its figure's row in the metric table (label, group) */
struct lat_def {
	enum metric_id id;
	const char *key;
	int hist; /* index in s->hist, or -1: s->reuse_age */
};

static const struct lat_def lat_defs[FMT_LAT__COUNT] = {
    [FMT_LAT_WORKER] = {M_WORKER_RUN_DURATION, "worker_run", PRTOP_H_WORKER_RUN},
    [FMT_LAT_DELAY] = {M_REQUEST_DELAY, "request_delay", PRTOP_H_REQ_DELAY},
    [FMT_LAT_REPORT] = {M_REPORT_DURATION, "report", PRTOP_H_REPORT},
    [FMT_LAT_REUSE] = {M_REUSE_AGE, "reuse_age", -1},
};

void fmt_latency(const struct prtop_snapshot *s, enum fmt_lat_row row, struct fmt_latency *out)
{
	const struct lat_def *d = &lat_defs[row];
	const struct metric *m = metric(d->id);
	const struct snap_hist *h;

	memset(out, 0, sizeof(*out));
	out->label = ascii_only && m->label_ascii ? m->label_ascii : m->label;
	out->key = d->key;
	out->attached = metric_known(s, d->id);
	if (!out->attached) {
		snprintf(out->count_s, sizeof(out->count_s), "n/a");
		snprintf(out->p50, sizeof(out->p50), "n/a");
		snprintf(out->p99, sizeof(out->p99), "n/a");
		snprintf(out->max, sizeof(out->max), "n/a");
		return;
	}
	h = d->hist < 0 ? &s->reuse_age : &s->hist[d->hist];
	out->count = hist_count(h);
	fmt_count(out->count_s, sizeof(out->count_s), out->count);
	if (!out->count) {
		snprintf(out->p50, sizeof(out->p50), "%s", fmt_dash());
		snprintf(out->p99, sizeof(out->p99), "%s", fmt_dash());
		snprintf(out->max, sizeof(out->max), "%s", fmt_dash());
		return;
	}
	fmt_ns(out->p50, sizeof(out->p50), hist_percentile(h, 50));
	fmt_ns(out->p99, sizeof(out->p99), hist_percentile(h, 99));
	fmt_ns(out->max, sizeof(out->max), hist_percentile(h, 100));
}

bool fmt_order_shown(const struct prtop_snapshot *s, int order)
{
	const struct snap_order *o;

	if (order < 0 || order >= PRTOP_ORDERS)
		return false;
	o = &s->order[order];
	if (o->reported_pages || o->cycles || o->reused_pages)
		return true;
	return order >= s->order_low && order < s->order_high;
}

/* the cycles column: batch text has the room for the full count, the screen not */
static int order_cycles_w(enum fmt_order_style style)
{
	return style == FMT_ORDER_SCREEN ? 7 : 8;
}

char *fmt_order_head(char *buf, size_t len, enum fmt_order_style style)
{
	snprintf(buf, len, "%5s %10s %12s %10s %*s", "order", metric(M_ORDER_FREE)->label,
		 metric(M_ORDER_REPORTED)->label, metric(M_ORDER_REUSED)->label,
		 order_cycles_w(style), metric(M_ORDER_CYCLES)->label);
	return buf;
}

char *fmt_order_row(char *buf, size_t len, const struct prtop_snapshot *s, int order,
		    enum fmt_order_style style)
{
	const struct snap_order *o = &s->order[order];
	double page = (double)s->page_size;
	bool cyc = metric_known(s, M_ORDER_CYCLES);
	char f[32], r[32], u[32], c[32];

	fmt_known_mib(f, sizeof(f), metric_known(s, M_ORDER_FREE), o->free_pages * page);
	fmt_known_mib(r, sizeof(r), metric_known(s, M_ORDER_REPORTED), o->reported_pages * page);
	fmt_known_mib(u, sizeof(u), metric_known(s, M_ORDER_REUSED), o->reused_pages * page);
	if (style == FMT_ORDER_SCREEN && cyc)
		fmt_count(c, sizeof(c), o->cycles);
	else
		fmt_known_u64(c, sizeof(c), cyc, o->cycles);
	snprintf(buf, len, "%5d %10s %12s %10s %*s", order, f, r, u, order_cycles_w(style), c);
	return buf;
}

/* ---- figures that may be unknown: "n/a", never 0 ---- */

static char *na(char *buf, size_t len)
{
	snprintf(buf, len, "n/a");
	return buf;
}

char *fmt_known_u64(char *buf, size_t len, bool known, uint64_t v)
{
	if (!known)
		return na(buf, len);
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

char *fmt_run_delay(char *buf, size_t len, uint32_t delay_ms)
{
	if (delay_ms == PRTOP_DELAY_UNKNOWN)
		snprintf(buf, len, "unknown");
	else
		snprintf(buf, len, "%u ms", delay_ms);
	return buf;
}

int fmt_totals(char out[][FMT_TOTAL_LEN], int max, const struct prtop_snapshot *s,
	       unsigned int *bad)
{
	char v[32];
	uint64_t n;
	int id, k = 0;

	*bad = 0;
	for (id = 0; id < M__COUNT && k < max; id++) {
		if (!(metric(id)->flags & MF_TOTALS) || !metric_counter(s, id, &n))
			continue;
		snprintf(out[k], FMT_TOTAL_LEN, "%s %s", metric(id)->label,
			 fmt_known_u64(v, sizeof(v), metric_known(s, id), n));
		if ((metric(id)->flags & MF_BAD_NONZERO) && metric_known(s, id) && n)
			*bad |= 1u << k;
		k++;
	}
	return k;
}

char *fmt_known_bytes(char *buf, size_t len, bool known, uint64_t bytes)
{
	return known ? fmt_bytes(buf, len, bytes) : na(buf, len);
}

char *fmt_known_mib(char *buf, size_t len, bool known, double bytes)
{
	return known ? fmt_mib(buf, len, bytes) : na(buf, len);
}

char *fmt_known_per_s(char *buf, size_t len, bool known, double per_s)
{
	return known ? fmt_per_s(buf, len, per_s) : na(buf, len);
}

char *fmt_known_mib_per_s(char *buf, size_t len, bool known, double bytes_per_s)
{
	return known ? fmt_mib_per_s(buf, len, bytes_per_s) : na(buf, len);
}

/* value plus the source's short note in brackets, when it has one */
static char *with_source(char *buf, size_t len, const char *v, enum returned_source src)
{
	const char *note = returned_source_note(src, false);

	snprintf(buf, len, *note ? "%s (%s)" : "%s", v, note);
	return buf;
}

char *fmt_returned(char *buf, size_t len, const struct prtop_snapshot *s)
{
	char v[32];

	if (s->returned.source == RETURNED_UNKNOWN)
		return na(buf, len);
	return with_source(buf, len, fmt_bytes(v, sizeof(v), s->returned.bytes),
			   s->returned.source);
}

char *fmt_returned_rate(char *buf, size_t len, const struct prtop_snapshot *s,
			const struct snap_rates *r)
{
	char v[32];

	if (!r->returned_known)
		return na(buf, len);
	return with_source(buf, len, fmt_mib_per_s(v, sizeof(v), r->returned_bytes_per_s),
			   s->returned.source);
}

char *fmt_backlog_eta(char *buf, size_t len, const struct snap_backlog *b)
{
	char v[32];

	if (!b->eta_known)
		return na(buf, len);
	if (!b->bytes) {
		snprintf(buf, len, "0 s");
		return buf;
	}
	snprintf(buf, len, "~%s", fmt_ns(v, sizeof(v), (uint64_t)(b->eta_s * 1e9)));
	return buf;
}

char *fmt_backlog_line(char *buf, size_t len, const struct prtop_snapshot *s)
{
	const struct snap_backlog *b = &s->backlog;
	char v[32], r[32], d[32], e[32];

	if (!b->known) {
		snprintf(buf, len, "n/a (%s)", b->why);
		return buf;
	}
	snprintf(buf, len, "%s unreported of %s reportable, %s %s, %s %s (estimates)",
		 fmt_bytes(v, sizeof(v), b->bytes), fmt_bytes(r, sizeof(r), b->reportable_bytes),
		 metric(M_BACKLOG_DRAIN)->label,
		 fmt_known_mib_per_s(d, sizeof(d), b->drain_known, b->drain_bytes_per_s),
		 fmt_backlog_eta(e, sizeof(e), b), metric(M_BACKLOG_ETA)->label);
	return buf;
}

char *fmt_backlog_wait(char *buf, size_t len, const struct snap_backlog_wait *w)
{
	char v[32];

	if (!w->known)
		return na(buf, len);
	if (!w->bytes) {
		snprintf(buf, len, "none seen yet");
		return buf;
	}
	snprintf(buf, len, "p50 %.1f s, p90 %.1f s, mean %.1f s of %s (estimates, to %.1f s)",
		 wait_percentile(w, 50), wait_percentile(w, 90), w->byte_s / (double)w->bytes,
		 fmt_bytes(v, sizeof(v), w->bytes), w->resolution_s);
	return buf;
}

char *fmt_param_count(char *buf, size_t len, const struct snap_param *p)
{
	if (p->unit_bytes == 1024)
		snprintf(buf, len, "%llu KiB", (unsigned long long)p->count);
	else if (p->unit_bytes)
		fmt_bytes(buf, len, p->count * p->unit_bytes);
	else
		snprintf(buf, len, "%llu", (unsigned long long)p->count);
	return buf;
}

char *fmt_param_rate(char *buf, size_t len, const struct snap_param *p, double per_s)
{
	return p->unit_bytes ? fmt_mib_per_s(buf, len, per_s * p->unit_bytes)
			     : fmt_per_s(buf, len, per_s);
}

/* whether q starts with a unit ("MiB", "ms", "%", ...) that is not part of a longer word */
static bool unit_at(const char *q)
{
	static const char *const units[] = {"B",  "KiB", "MiB", "GiB", "TiB", "ns",   "us",
					    "ms", "s",	 "min", "h",   "%",   "pages"};
	size_t i, n;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		n = strlen(units[i]);
		if (!strncmp(q, units[i], n) && !isalnum((unsigned char)q[n]))
			return true;
	}
	return !strncmp(q, "\u00b5s", 3); /* µs */
}

/* the end of the word at p: a number keeps its unit ("101 MiB" is not broken) */
static const char *word_end(const char *p)
{
	const char *end = strchr(p, ' ');

	if (end && end > p && isdigit((unsigned char)end[-1]) && unit_at(end + 1)) {
		const char *next = strchr(end + 1, ' ');

		return next;
	}
	return end;
}

void fmt_print_wrapped(FILE *out, const char *lead, const char *text)
{
	int indent = (int)fmt_width(lead), col = indent, w;
	const char *p = text, *end;
	char word[512];
	size_t n;

	fputs(lead, out);
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		end = word_end(p);
		n = end ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(word))
			n = sizeof(word) - 1;
		memcpy(word, p, n);
		word[n] = '\0';
		w = (int)fmt_width(word);
		if (col > indent && col + 1 + w > FMT_TEXT_COLS) {
			fprintf(out, "\n%*s", indent, "");
			col = indent;
		}
		fprintf(out, "%s%s", col > indent ? " " : "", word);
		col += (col > indent) + w;
		p += end ? (size_t)(end - p) : strlen(p);
	}
	fputc('\n', out);
}

void fmt_print_line(FILE *out, const char *line)
{
	const char *colon = strstr(line, ": ");
	char lead[40];
	size_t n;

	if (fmt_width(line) <= FMT_TEXT_COLS) {
		fprintf(out, "%s\n", line);
		return;
	}
	/* continuation lines go past a short label, else two spaces in */
	n = colon && colon - line < 24 ? (size_t)(colon - line) + 2 : 0;
	memcpy(lead, line, n);
	lead[n] = '\0';
	if (!n)
		fmt_print_wrapped(out, "", line);
	else
		fmt_print_wrapped(out, lead, line + n);
}

char *fmt_wall(char *buf, size_t len, uint64_t wall_ns)
{
	time_t t = (time_t)(wall_ns / 1000000000ULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "?");
	return buf;
}

/* a histogram's median, "—" without samples */
static char *hist_p50(char *buf, size_t len, const struct snap_hist *h)
{
	if (!hist_count(h))
		return snprintf(buf, len, "%s", fmt_dash()), buf;
	return fmt_ns(buf, len, hist_percentile(h, 50));
}

char *fmt_hint(char *buf, size_t len, const struct prtop_snapshot *s)
{
	const struct snap_hint *h = &s->hint;
	char a[32], b[32], c[32], d[32], e[32], id[48] = "";

	if (h->offer != HINT_OFFERED)
		return NULL;
	if (!metric_known(s, M_HINT_RUNS)) {
		snprintf(buf, len, "n/a on %s (why not: prtop doctor)", h->dev);
		return buf;
	}
	if (h->last_cmd_id)
		snprintf(id, sizeof(id), " (last command id %llu)",
			 (unsigned long long)h->last_cmd_id);
	snprintf(buf, len, "%s %llu%s, %s %s, %s %s, %s %s; %s p50 %s, %s p50 %s",
		 metric(M_HINT_RUNS)->label, (unsigned long long)s->c.hint_runs, id,
		 metric(M_HINT_HINTED_BYTES)->label,
		 fmt_known_bytes(a, sizeof(a), h->block_bytes, s->c.hint_blocks * h->block_bytes),
		 metric(M_HINT_RETURNED_BYTES)->label,
		 fmt_known_bytes(b, sizeof(b), h->block_bytes,
				 s->c.hint_returned_blocks * h->block_bytes),
		 metric(M_HINT_SHRINKER_BYTES)->label,
		 fmt_known_bytes(c, sizeof(c), metric_known(s, M_HINT_SHRINKER_BYTES),
				 s->c.hint_shrunk_pages * s->page_size),
		 metric(M_HINT_RUN_DURATION)->label,
		 hist_p50(d, sizeof(d), &s->hist[PRTOP_H_HINT_RUN]), metric(M_HINT_HELD)->label,
		 hist_p50(e, sizeof(e), &s->hist[PRTOP_H_HINT_HOLD]));
	return buf;
}

char *fmt_xcheck(char *buf, size_t len, const struct prtop_snapshot *s)
{
	const struct snap_xcheck *x = &s->xcheck;
	char what[64] = "agree";

	if (!x->have)
		return NULL;
	if (x->missed)
		snprintf(what, sizeof(what), "DISAGREE: prtop missed %llu",
			 (unsigned long long)x->missed);
	else if (x->extra)
		snprintf(what, sizeof(what), "DISAGREE: the kernel's count lacks %llu",
			 (unsigned long long)x->extra);
	snprintf(buf, len, "kernel passes +%llu, prtop worker runs %llu over %.1f s: %s",
		 (unsigned long long)x->kernel_runs, (unsigned long long)x->prtop_runs, x->window_s,
		 what);
	return buf;
}

char *fmt_publish(char *buf, size_t len, const struct prtop_snapshot *s)
{
	switch (s->publish_state) {
	case 1:
		snprintf(buf, len, "not known until the device is seen");
		return buf;
	case 2:
		snprintf(buf, len, "none registered (publish_bitmap is NULL)");
		return buf;
	case 3:
		snprintf(buf, len, "%s", s->publish);
		return buf;
	default:
		return NULL;
	}
}

struct json_object *fmt_json_fixed(double v, int decimals)
{
	char buf[48];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}
