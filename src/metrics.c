// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus metrics of a snapshot (text format 0.0.4 or OpenMetrics
 * 1.0.0).  A family is served only where the snapshot holds its figure
 * (metric_known()): one whose probe is not attached is left out rather than
 * served as a zero that would read as "nothing happened", and
 * prtop_probe_attached says which probes are in.  So families may appear
 * after start (a device or the hinting probe found later) and go away (a
 * module unloaded); within a family the label sets stay the same.  A
 * family's name, type, unit and HELP are its row of the metric table
 * (metric_table.h); this file decides which rows a snapshot serves and
 * their samples.
 *
 * The BPF histograms are log-linear in ns (include/prtop.h); Prometheus
 * wants cumulative buckets with fixed bounds in seconds.  A source slot is
 * counted in the first bucket whose bound is at or above the slot's largest
 * value, so le="x" never counts a sample that may exceed x; the sum is
 * estimated from slot middles (relative error below 1/32).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include "backlog.h"
#include "format.h"
#include "metrics.h"
#include "metric_table.h"
#include "metrics_int.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- buffer ---- */

void mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t need;
	char *p;
	int n;

	if (b->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if (b->data && b->len + (size_t)n < b->cap) {
		b->len += (size_t)n;
		return;
	}
	need = b->len + (size_t)n + 1;
	if (need < 2 * b->cap)
		need = 2 * b->cap;
	if (need < 4096)
		need = 4096;
	p = realloc(b->data, need);
	if (!p) {
		b->failed = true;
		return;
	}
	b->data = p;
	b->cap = need;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void mbuf_free(struct mbuf *b)
{
	free(b->data);
	*b = (struct mbuf){0};
}

/* ---- families and samples ---- */

/* the family's name without its sample suffix: the row holds the sample's */
static int base_len(const struct metric *f)
{
	int n = (int)strlen(f->prom);

	if (f->kind == MK_COUNTER)
		return n - (int)strlen("_total");
	if (f->kind == MK_INFO)
		return n - (int)strlen("_info");
	return n;
}

static const char *type_name(enum metric_kind k, bool om)
{
	switch (k) {
	case MK_COUNTER:
		return "counter";
	case MK_HISTOGRAM:
		return "histogram";
	case MK_INFO:
		return om ? "info" : "gauge";
	default:
		return "gauge";
	}
}

/*
 * OpenMetrics names a family without its sample suffix; the text format
 * names the samples themselves.
 */
void fam_head(struct mbuf *b, const struct metrics_opts *o, const struct metric *f)
{
	int n = o->openmetrics ? base_len(f) : (int)strlen(f->prom);

	mbuf_printf(b, "# HELP %.*s %s\n", n, f->prom, f->help);
	mbuf_printf(b, "# TYPE %.*s %s\n", n, f->prom, type_name(f->kind, o->openmetrics));
	if (o->openmetrics && f->unit)
		mbuf_printf(b, "# UNIT %.*s %s\n", base_len(f), f->prom, f->unit);
}

/* shortest exact-enough form: "2", "0.0005", "1e-06" */
static const char *num(char *buf, size_t len, double v)
{
	if (isinf(v))
		snprintf(buf, len, "%s", v > 0 ? "+Inf" : "-Inf");
	else
		snprintf(buf, len, "%.10g", v);
	return buf;
}

void fam_u64(struct mbuf *b, const struct metric *f, const char *labels, uint64_t v)
{
	mbuf_printf(b, "%s%s %llu\n", f->prom, labels ? labels : "", (unsigned long long)v);
}

void fam_dbl(struct mbuf *b, const struct metric *f, const char *labels, double v)
{
	char n[40];

	mbuf_printf(b, "%s%s %s\n", f->prom, labels ? labels : "", num(n, sizeof(n), v));
}

void fam_one(struct mbuf *b, const struct metrics_opts *o, const struct metric *f, uint64_t v)
{
	fam_head(b, o, f);
	fam_u64(b, f, NULL, v);
}

/* a label value with \, " and newline escaped, truncated to fit */
char *label_esc(char *dst, size_t len, const char *src)
{
	size_t j = 0;

	for (; *src && j + 3 < len; src++) {
		if (*src == '\\' || *src == '"') {
			dst[j++] = '\\';
			dst[j++] = *src;
		} else if (*src == '\n') {
			dst[j++] = '\\';
			dst[j++] = 'n';
		} else {
			dst[j++] = *src;
		}
	}
	dst[j] = '\0';
	return dst;
}

/* ---- histograms ---- */

static const double le_report[] = {1e-6,   5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3,
				   2.5e-3, 5e-3, 0.01, 0.025,  0.05, 0.1,  0.25,   1};
static const double le_worker[] = {1e-5, 5e-5,	1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3,
				   0.01, 0.025, 0.05, 0.1,    0.25, 0.5,  1,	  2.5};
/* the worker is scheduled PAGE_REPORTING_DELAY (2 s upstream) after a request */
static const double le_delay[] = {0.25, 0.5, 1, 1.5, 2, 2.25, 2.5, 3, 4, 5, 10, 30, 60};
static const double le_reuse[] = {0.1, 1, 5, 10, 30, 60, 300, 600, 1800, 3600, 14400, 86400};
/* batch entries: PAGE_REPORTING_CAPACITY is 32 upstream */
static const double le_nents[] = {1, 2, 4, 8, 16, 24, 32, 48, 64};

const struct metrics_buckets metrics_buckets_report = {le_report, ARRAY_LEN(le_report)};
const struct metrics_buckets metrics_buckets_worker = {le_worker, ARRAY_LEN(le_worker)};
const struct metrics_buckets metrics_buckets_delay = {le_delay, ARRAY_LEN(le_delay)};
const struct metrics_buckets metrics_buckets_reuse_age = {le_reuse, ARRAY_LEN(le_reuse)};
static const struct metrics_buckets buckets_nents = {le_nents, ARRAY_LEN(le_nents)};

#define MAX_BUCKETS 32

void metrics_hist_buckets(const struct snap_hist *h, const struct metrics_buckets *bk,
			  uint64_t *cum, double *sum_s)
{
	uint64_t bound[MAX_BUCKETS];
	double sum_ns = 0;
	int i, n = bk->n < MAX_BUCKETS ? bk->n : MAX_BUCKETS;
	uint32_t s;

	for (i = 0; i < n; i++)
		bound[i] = (uint64_t)(bk->le[i] * 1e9 + 0.5);
	memset(cum, 0, sizeof(*cum) * (n + 1));
	for (s = 0; s < PRTOP_HIST_SLOTS; s++) {
		uint64_t low, last;

		if (!h->slot[s])
			continue;
		low = hist_slot_low(s);
		last = hist_slot_high(s) - 1; /* largest value of the slot */
		for (i = 0; i < n && last > bound[i]; i++)
			;
		cum[i] += h->slot[s];
		sum_ns += (double)h->slot[s] * ((double)low + (double)(last - low) / 2);
	}
	for (i = 1; i <= n; i++)
		cum[i] += cum[i - 1];
	/* the exact sum where it was kept for these very samples */
	if (h->count && h->count == cum[n])
		sum_ns = (double)h->sum;
	*sum_s = sum_ns / 1e9;
}

static void hist_out(struct mbuf *b, const struct metrics_opts *o, const struct metric *f,
		     const struct metrics_buckets *bk, const uint64_t *cum, double sum)
{
	char le[40], v[40];
	int i;

	fam_head(b, o, f);
	for (i = 0; i < bk->n; i++)
		mbuf_printf(b, "%s_bucket{le=\"%s\"} %llu\n", f->prom,
			    num(le, sizeof(le), bk->le[i]), (unsigned long long)cum[i]);
	mbuf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", f->prom, (unsigned long long)cum[bk->n]);
	mbuf_printf(b, "%s_sum %s\n", f->prom, num(v, sizeof(v), sum));
	mbuf_printf(b, "%s_count %llu\n", f->prom, (unsigned long long)cum[bk->n]);
}

static void hist_ns(struct mbuf *b, const struct metrics_opts *o, const struct metric *f,
		    const struct snap_hist *h, const struct metrics_buckets *bk)
{
	uint64_t cum[MAX_BUCKETS + 1];
	double sum;

	metrics_hist_buckets(h, bk, cum, &sum);
	hist_out(b, o, f, bk, cum, sum);
}

/* entries per batch: slots 0..63 exact, the last one ">= 64" only in +Inf */
static void hist_nents(struct mbuf *b, const struct metrics_opts *o, const struct metric *f,
		       const uint64_t *nents)
{
	const struct metrics_buckets *bk = &buckets_nents;
	uint64_t cum[MAX_BUCKETS + 1] = {0};
	double sum = 0;
	int s, i;

	for (s = 0; s < PRTOP_NENTS_SLOTS; s++) {
		if (!nents[s])
			continue;
		for (i = 0; i < bk->n && (s == PRTOP_NENTS_SLOTS - 1 || s > bk->le[i]); i++)
			;
		cum[i] += nents[s];
		sum += (double)s * (double)nents[s];
	}
	for (i = 1; i <= bk->n; i++)
		cum[i] += cum[i - 1];
	hist_out(b, o, f, bk, cum, sum);
}

/*
 * The backlog's wait (backlog.h), weighted by bytes: each bucket holds the
 * bytes that waited at most its bound, _count all of them, _sum their
 * byte-seconds
 */
static void hist_wait(struct mbuf *b, const struct metrics_opts *o, const struct metric *f,
		      const struct snap_backlog_wait *w)
{
	double le[WAIT_BUCKETS];
	uint64_t cum[WAIT_BUCKETS + 1];
	struct metrics_buckets bk = {le, WAIT_BUCKETS};
	int i;

	wait_buckets(w, cum);
	for (i = 0; i < WAIT_BUCKETS; i++) {
		le[i] = wait_le(i);
		cum[i + 1] += cum[i];
	}
	hist_out(b, o, f, &bk, cum, w->byte_s);
}

/* ---- the metrics ---- */

/*
 * Memory returned since prtop started, from its best source (the source
 * label): prtop's count of report(), else the kernel's own counter
 */
static void put_returned(struct mbuf *b, const struct metrics_opts *o,
			 const struct prtop_snapshot *s)
{
	const struct metric *bytes = metric(M_REPORTED_BYTES);
	const char *src = returned_source_name(s->returned.source);
	char l[64];

	if (!src)
		return;
	fam_head(b, o, bytes);
	snprintf(l, sizeof(l), "{source=\"%s\"}", src);
	fam_u64(b, bytes, l, s->returned.bytes);
}

static void fam_one_dbl(struct mbuf *b, const struct metrics_opts *o, const struct metric *f,
			double v)
{
	fam_head(b, o, f);
	fam_dbl(b, f, NULL, v);
}

/*
 * The backlog (backlog.h), estimates: each family only when it is known,
 * the time to return only when the backlog drains (or is empty)
 */
static void put_backlog(struct mbuf *b, const struct metrics_opts *o,
			const struct prtop_snapshot *s)
{
	const struct metric *bytes = metric(M_BACKLOG_BYTES);
	const struct metric *rep = metric(M_FREE_REPORTED_BYTES);
	const struct metric *scan = metric(M_BACKLOG_SCAN);
	const struct metric *drain = metric(M_BACKLOG_DRAIN);
	const struct metric *eta = metric(M_BACKLOG_ETA);
	const struct snap_backlog *bl = &s->backlog;

	if (bl->known) {
		fam_one(b, o, bytes, bl->bytes);
		fam_one(b, o, rep, bl->reported_free_bytes);
		fam_one_dbl(b, o, scan, bl->scan_ns / 1e9);
	}
	if (bl->drain_known)
		fam_one_dbl(b, o, drain, bl->drain_bytes_per_s);
	if (bl->eta_known)
		fam_one_dbl(b, o, eta, bl->eta_s);
	if (bl->wait.known)
		hist_wait(b, o, metric(M_BACKLOG_WAIT), &bl->wait);
}

/* every plain counter of the table (METRIC_CTR) with a family, where known */
static void put_plain(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	uint64_t v;
	int id;

	for (id = 0; id < M__COUNT; id++)
		if (metric(id)->prom && metric_known(s, id) && metric_counter(s, id, &v))
			fam_one(b, o, metric(id), v);
}

static void put_report(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *nents = metric(M_BATCH_ENTRIES);
	const struct metric *dur = metric(M_REPORT_DURATION);

	if (!metric_known(s, M_REPORTED_PAGES))
		return;
	hist_nents(b, o, nents, s->nents_hist);
	hist_ns(b, o, dur, &s->hist[PRTOP_H_REPORT], &metrics_buckets_report);
}

static void put_worker(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *dur = metric(M_WORKER_RUN_DURATION);
	const struct metric *delay = metric(M_REQUEST_DELAY);
	const struct metric *notify = metric(M_NOTIFY);
	static const char *const state[PRTOP_STATES] = {"idle", "requested", "active"};
	char l[64];
	int i;

	if (metric_known(s, M_WORKER_RUN_DURATION))
		hist_ns(b, o, dur, &s->hist[PRTOP_H_WORKER_RUN], &metrics_buckets_worker);
	if (metric_known(s, M_REQUEST_DELAY))
		hist_ns(b, o, delay, &s->hist[PRTOP_H_REQ_DELAY], &metrics_buckets_delay);
	if (!metric_known(s, M_NOTIFY))
		return;
	fam_head(b, o, notify);
	for (i = 0; i < PRTOP_STATES; i++) {
		snprintf(l, sizeof(l), "{state=\"%s\"}", state[i]);
		fam_u64(b, notify, l, s->c.notify_state[i]);
	}
}

/* only from the bundled patch's tracepoints: absent, not 0, without them */
static void put_patch_only(struct mbuf *b, const struct metrics_opts *o,
			   const struct prtop_snapshot *s)
{
	const struct metric *resets = metric(M_BOUNDARY_RESETS);
	const struct metric *rotated = metric(M_BOUNDARY_ROTATIONS);

	if (metric_known(s, M_BOUNDARY_RESETS)) {
		fam_head(b, o, resets);
		fam_u64(b, resets, "{reason=\"report\"}", s->c.reset_report);
		fam_u64(b, resets, "{reason=\"stop\"}", s->c.reset_stop);
		fam_one(b, o, rotated, s->c.reset_rotated);
	}
}

static void put_reuse(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *bytes = metric(M_REUSED_BYTES);
	const struct metric *age = metric(M_REUSE_AGE);
	const struct metric *tracked = metric(M_REUSE_TRACKED);

	if (metric_known(s, M_REUSED_BYTES))
		fam_one(b, o, bytes, s->reuse_bytes);
	if (metric_known(s, M_REUSE_AGE))
		hist_ns(b, o, age, &s->reuse_age, &metrics_buckets_reuse_age);
	if (metric_known(s, M_REUSE_TRACKED))
		fam_one(b, o, tracked, s->reuse_tracked);
}

/* free page hinting: only where the device offers it and the probe attached */
static void put_hint(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *runs = metric(M_HINT_RUNS);
	const struct metric *hinted = metric(M_HINT_HINTED_BYTES);
	const struct metric *returned = metric(M_HINT_RETURNED_BYTES);
	const struct metric *shrunk = metric(M_HINT_SHRINKER_BYTES);
	const struct metric *run = metric(M_HINT_RUN_DURATION);
	const struct metric *held = metric(M_HINT_HELD);
	uint64_t blk = s->hint.block_bytes;

	if (!metric_known(s, M_HINT_RUNS))
		return;
	fam_one(b, o, runs, s->c.hint_runs);
	if (blk) {
		fam_one(b, o, hinted, s->c.hint_blocks * blk);
		fam_one(b, o, returned, s->c.hint_returned_blocks * blk);
	}
	if (metric_known(s, M_HINT_SHRINKER_BYTES))
		fam_one(b, o, shrunk, s->c.hint_shrunk_pages * s->page_size);
	hist_ns(b, o, run, &s->hist[PRTOP_H_HINT_RUN], &metrics_buckets_worker);
	hist_ns(b, o, held, &s->hist[PRTOP_H_HINT_HOLD], &metrics_buckets_reuse_age);
}

/* one family with a sample per order 0 .. order_high - 1: the pages field at off, in bytes */
static void put_per_order(struct mbuf *b, const struct metrics_opts *o, const struct metric *f,
			  const struct prtop_snapshot *s, size_t off)
{
	char l[32];
	int i;

	fam_head(b, o, f);
	for (i = 0; i < s->order_high && i < PRTOP_ORDERS; i++) {
		const char *ord = (const char *)&s->order[i];
		uint64_t pages;

		memcpy(&pages, ord + off, sizeof(pages));
		snprintf(l, sizeof(l), "{order=\"%d\"}", i);
		fam_u64(b, f, l, pages * s->page_size);
	}
}

static void put_orders(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *free_b = metric(M_ORDER_FREE);
	const struct metric *rep = metric(M_ORDER_REPORTED);
	const struct metric *reu = metric(M_ORDER_REUSED);
	const struct metric *rpt = metric(M_FREE_REPORTABLE);
	uint64_t reportable = 0;
	int i;

	if (metric_known(s, M_FREE_REPORTABLE)) {
		for (i = s->order_low; i < PRTOP_ORDERS; i++)
			reportable += s->order[i].free_pages * s->page_size;
		fam_one(b, o, rpt, reportable);
		put_per_order(b, o, free_b, s, offsetof(struct snap_order, free_pages));
	}
	if (metric_known(s, M_ORDER_REPORTED))
		put_per_order(b, o, rep, s, offsetof(struct snap_order, reported_pages));
	if (metric_known(s, M_ORDER_REUSED))
		put_per_order(b, o, reu, s, offsetof(struct snap_order, reused_pages));
}

static void put_knobs(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *order = metric(M_KNOB_ORDER);
	const struct metric *cap = metric(M_KNOB_CAPACITY);
	const struct metric *delay = metric(M_KNOB_DELAY);

	if (s->knob_order.known) {
		fam_head(b, o, order);
		fam_dbl(b, order, NULL, (double)s->knob_order.value);
	}
	if (s->knob_capacity.known) {
		fam_head(b, o, cap);
		fam_dbl(b, cap, NULL, (double)s->knob_capacity.value);
	}
	if (s->knob_delay_ms.known) {
		fam_head(b, o, delay);
		fam_dbl(b, delay, NULL, (double)s->knob_delay_ms.value / 1000);
	}
}

static bool numeric(const char *v, double *out)
{
	char *end;

	if (!*v)
		return false;
	*out = strtod(v, &end);
	while (*end == ' ' || *end == '\n')
		end++;
	return !*end && isfinite(*out);
}

/*
 * The kernel's own counters whose meaning is known get a family of their
 * own, in base units; the rest stay under prtop_kernel_param{name} as the
 * kernel keeps them.  A row's JSON key under kernel_counters is the
 * parameter's name.
 */
static const enum metric_id known_counters[] = {M_KERNEL_REPORTED, M_KERNEL_RUNS};

static const struct metric *known_counter(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(known_counters); i++)
		if (!strcmp(metric_json_leaf(known_counters[i]), name))
			return metric(known_counters[i]);
	return NULL;
}

/*
 * One family with a sample per module parameter that fits it: numeric
 * settings as gauges, or (counters) the read-only whole numbers the kernel
 * keeps as its own counters and prtop knows no meaning of.
 */
static void put_param_family(struct mbuf *b, const struct metrics_opts *o, const struct metric *f,
			     const struct prtop_snapshot *s, bool counters)
{
	char name[160], l[200];
	bool any = false;
	double v;
	int i;

	for (i = 0; i < s->nparams && i < SNAP_MAX_PARAMS; i++) {
		const struct snap_param *p = &s->params[i];

		if (counters ? !p->counter || known_counter(p->name)
			     : p->counter || !numeric(p->value, &v))
			continue;
		if (!any)
			fam_head(b, o, f);
		any = true;
		snprintf(l, sizeof(l), "{name=\"%s\"}", label_esc(name, sizeof(name), p->name));
		if (counters)
			fam_u64(b, f, l, p->count);
		else
			fam_dbl(b, f, l, v);
	}
}

static void put_params(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *par = metric(M_MODULE_PARAMETER);
	const struct metric *kc = metric(M_KERNEL_PARAM);
	const struct metric *k;
	int i;

	put_param_family(b, o, par, s, false);
	put_param_family(b, o, kc, s, true);
	for (i = 0; i < s->nparams && i < SNAP_MAX_PARAMS; i++) {
		const struct snap_param *p = &s->params[i];

		if (p->counter && (k = known_counter(p->name)))
			fam_one(b, o, k, p->count * (p->unit_bytes ? p->unit_bytes : 1));
	}
}

static void put_probes(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *att = metric(M_PROBE_ATTACHED);
	char l[96];
	int i;

	fam_head(b, o, att);
	for (i = 0; i < PROBE__COUNT; i++) {
		snprintf(l, sizeof(l), "{probe=\"%s\",mode=\"%s\"}", probe_name(i),
			 attach_mode_name(s->probe[i].mode));
		fam_u64(b, att, l, s->probe[i].attached);
	}
}

void metrics_put_build(struct mbuf *b, const struct metrics_opts *o, const char *kernel)
{
	const struct metric *build = metric(M_BUILD);
	char v[160], k[300], l[520];

	fam_head(b, o, build);
	snprintf(l, sizeof(l), "{version=\"%s\",kernel=\"%s\"}",
		 label_esc(v, sizeof(v), o->version ? o->version : "unknown"),
		 label_esc(k, sizeof(k), kernel));
	fam_u64(b, build, l, 1);
}

void metrics_put_freshness(struct mbuf *b, const struct metrics_opts *o, uint64_t mono_ns)
{
	const struct metric *age = metric(M_SNAPSHOT_AGE);
	const struct metric *scrapes = metric(M_SCRAPES);

	if (o->now_ns) {
		fam_head(b, o, age);
		fam_dbl(b, age, NULL,
			o->now_ns > mono_ns ? (double)(o->now_ns - mono_ns) / 1e9 : 0);
	}
	if (o->scrapes)
		fam_one(b, o, scrapes, o->scrapes);
}

static void put_self(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	const struct metric *drops = metric(M_EVENTS_DROPPED);
	const struct metric *dev = metric(M_DEVICE);
	const struct metric *samples = metric(M_SAMPLES);
	const struct metric *missed = metric(M_RUNS_MISSED);
	const struct metric *pub = metric(M_PUBLICATION);
	char k[300], l[520];

	fam_one(b, o, drops, s->drops);
	if (s->xcheck.have)
		fam_one(b, o, missed, s->xcheck.missed);
	if (s->publish_state == 3) {
		fam_head(b, o, pub);
		snprintf(l, sizeof(l), "{callback=\"%s\"}", label_esc(k, sizeof(k), s->publish));
		fam_u64(b, pub, l, 1);
	}
	metrics_put_build(b, o, s->kernel);
	if (s->device[0]) {
		fam_head(b, o, dev);
		snprintf(l, sizeof(l), "{device=\"%s\"}", label_esc(k, sizeof(k), s->device));
		fam_u64(b, dev, l, 1);
	}
	fam_one(b, o, samples, s->seq);
	metrics_put_freshness(b, o, s->mono_ns);
}

int metrics_render(struct mbuf *b, const struct prtop_snapshot *s, const struct metrics_opts *o)
{
	put_returned(b, o, s);
	put_backlog(b, o, s);
	put_plain(b, o, s);
	put_report(b, o, s);
	put_worker(b, o, s);
	put_patch_only(b, o, s);
	put_reuse(b, o, s);
	put_hint(b, o, s);
	put_orders(b, o, s);
	put_knobs(b, o, s);
	put_params(b, o, s);
	put_probes(b, o, s);
	put_self(b, o, s);
	if (o->openmetrics)
		mbuf_printf(b, "# EOF\n");
	return b->failed ? -ENOMEM : 0;
}

/* ---- content negotiation ---- */

/* q of one media range "type/sub; a=b; q=0.5" (1 if absent) */
static double media_q(const char *p, const char *end)
{
	const char *q;

	for (q = p; q + 2 < end; q++) {
		if (*q != ';')
			continue;
		q++;
		while (q < end && (*q == ' ' || *q == '\t'))
			q++;
		if (q + 2 <= end && (q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
			return strtod(q + 2, NULL);
	}
	return 1;
}

static bool media_is(const char *p, const char *end, const char *type)
{
	size_t n = strlen(type);

	return (size_t)(end - p) >= n && !strncasecmp(p, type, n) &&
	       (p + n == end || p[n] == ';' || p[n] == ' ' || p[n] == '\t');
}

bool metrics_accept_openmetrics(const char *accept)
{
	double q_om = 0, q_text = 0;
	const char *p = accept, *end;

	while (p && *p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		if (end > p) {
			double q = media_q(p, end);

			if (media_is(p, end, "application/openmetrics-text") && q > q_om)
				q_om = q;
			else if ((media_is(p, end, "text/plain") || media_is(p, end, "text/*") ||
				  media_is(p, end, "*/*")) &&
				 q > q_text)
				q_text = q;
		}
		p = end;
	}
	return q_om > 0 && q_om >= q_text;
}
