// SPDX-License-Identifier: GPL-2.0
/*
 * Prometheus metrics of a snapshot (text format 0.0.4 or OpenMetrics
 * 1.0.0).  A family is served only where the snapshot holds its figure
 * (snap_has()): one whose probe is not attached is left out rather than
 * served as a zero that would read as "nothing happened", and
 * prtop_probe_attached says which probes are in.  So families may appear
 * after start (a device or the hinting probe found later) and go away (a
 * module unloaded); within a family the label sets stay the same.
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
#include "format.h"
#include "metrics.h"
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

static const char *sample_suffix(enum mtype t)
{
	if (t == M_COUNTER)
		return "_total";
	if (t == M_INFO)
		return "_info";
	return "";
}

static const char *type_name(enum mtype t, bool om)
{
	switch (t) {
	case M_COUNTER:
		return "counter";
	case M_HISTOGRAM:
		return "histogram";
	case M_INFO:
		return om ? "info" : "gauge";
	default:
		return "gauge";
	}
}

/*
 * OpenMetrics names a family without its sample suffix; the text format
 * names the samples themselves.
 */
void fam_head(struct mbuf *b, const struct metrics_opts *o, const struct fam *f)
{
	const char *sfx = o->openmetrics ? "" : sample_suffix(f->type);

	mbuf_printf(b, "# HELP %s%s %s\n", f->name, sfx, f->help);
	mbuf_printf(b, "# TYPE %s%s %s\n", f->name, sfx, type_name(f->type, o->openmetrics));
	if (o->openmetrics && f->unit)
		mbuf_printf(b, "# UNIT %s %s\n", f->name, f->unit);
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

void fam_u64(struct mbuf *b, const struct fam *f, const char *labels, uint64_t v)
{
	mbuf_printf(b, "%s%s%s %llu\n", f->name, sample_suffix(f->type), labels ? labels : "",
		    (unsigned long long)v);
}

void fam_dbl(struct mbuf *b, const struct fam *f, const char *labels, double v)
{
	char n[40];

	mbuf_printf(b, "%s%s%s %s\n", f->name, sample_suffix(f->type), labels ? labels : "",
		    num(n, sizeof(n), v));
}

void fam_one(struct mbuf *b, const struct metrics_opts *o, const struct fam *f, uint64_t v)
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

static void hist_out(struct mbuf *b, const struct metrics_opts *o, const struct fam *f,
		     const struct metrics_buckets *bk, const uint64_t *cum, double sum)
{
	char le[40], v[40];
	int i;

	fam_head(b, o, f);
	for (i = 0; i < bk->n; i++)
		mbuf_printf(b, "%s_bucket{le=\"%s\"} %llu\n", f->name,
			    num(le, sizeof(le), bk->le[i]), (unsigned long long)cum[i]);
	mbuf_printf(b, "%s_bucket{le=\"+Inf\"} %llu\n", f->name, (unsigned long long)cum[bk->n]);
	mbuf_printf(b, "%s_sum %s\n", f->name, num(v, sizeof(v), sum));
	mbuf_printf(b, "%s_count %llu\n", f->name, (unsigned long long)cum[bk->n]);
}

static void hist_ns(struct mbuf *b, const struct metrics_opts *o, const struct fam *f,
		    const struct snap_hist *h, const struct metrics_buckets *bk)
{
	uint64_t cum[MAX_BUCKETS + 1];
	double sum;

	metrics_hist_buckets(h, bk, cum, &sum);
	hist_out(b, o, f, bk, cum, sum);
}

/* entries per batch: slots 0..63 exact, the last one ">= 64" only in +Inf */
static void hist_nents(struct mbuf *b, const struct metrics_opts *o, const struct fam *f,
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

/* ---- the metrics ---- */

/*
 * Memory returned since prtop started, from its best source (the source
 * label): prtop's count of report(), else the kernel's own counter
 */
static void put_returned(struct mbuf *b, const struct metrics_opts *o,
			 const struct prtop_snapshot *s)
{
	static const struct fam bytes = {
	    "prtop_reported_bytes", M_COUNTER, "bytes",
	    "Bytes of free memory handed to the balloon device since prtop started; source "
	    "\"prtop\": its count of report(), \"kernel:...\": the kernel's own counter."};
	const char *src = returned_source_name(s->returned.source);
	char l[64];

	if (!src)
		return;
	fam_head(b, o, &bytes);
	snprintf(l, sizeof(l), "{source=\"%s\"}", src);
	fam_u64(b, &bytes, l, s->returned.bytes);
}

static void fam_one_dbl(struct mbuf *b, const struct metrics_opts *o, const struct fam *f, double v)
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
	static const struct fam bytes = {
	    "prtop_report_backlog_bytes", M_GAUGE, "bytes",
	    "Free memory in blocks of page_reporting_order or above not reported yet "
	    "(estimate: /proc/buddyinfo less the reported blocks /proc/kpageflags shows)."};
	static const struct fam rep = {
	    "prtop_free_reported_bytes", M_GAUGE, "bytes",
	    "Free memory in blocks flagged reported, of page_reporting_order or above "
	    "(/proc/kpageflags: KPF_BUDDY and KPF_UPTODATE, which PG_reported aliases)."};
	static const struct fam scan = {"prtop_report_backlog_scan_seconds", M_GAUGE, "seconds",
					"Time the last /proc/kpageflags scan took."};
	static const struct fam drain = {
	    "prtop_report_backlog_drain_bytes_per_second", M_GAUGE, NULL,
	    "Memory returned per second over the last 10 s, from the source "
	    "prtop_reported_bytes_total names."};
	static const struct fam eta = {
	    "prtop_report_backlog_drain_seconds", M_GAUGE, "seconds",
	    "Estimated time to return the backlog at the drain rate; absent when it does not "
	    "drain."};
	const struct snap_backlog *bl = &s->backlog;

	if (bl->known) {
		fam_one(b, o, &bytes, bl->bytes);
		fam_one(b, o, &rep, bl->reported_free_bytes);
		fam_one_dbl(b, o, &scan, bl->scan_ns / 1e9);
	}
	if (bl->drain_known)
		fam_one_dbl(b, o, &drain, bl->drain_bytes_per_s);
	if (bl->eta_known)
		fam_one_dbl(b, o, &eta, bl->eta_s);
}

static void put_report(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	static const struct fam pages = {"prtop_reported_pages", M_COUNTER, NULL,
					 "Base pages handed to the device's report() callback."};
	static const struct fam batches = {
	    "prtop_report_batches", M_COUNTER, NULL,
	    "report() calls (batches of up to page_reporting capacity entries)."};
	static const struct fam errors = {"prtop_report_errors", M_COUNTER, NULL,
					  "report() calls that returned an error."};
	static const struct fam nents = {"prtop_report_batch_entries", M_HISTOGRAM, NULL,
					 "Scatterlist entries per report() batch."};
	static const struct fam dur = {"prtop_report_duration_seconds", M_HISTOGRAM, "seconds",
				       "report() round trip time."};

	if (!snap_has(s, SG_REPORT))
		return;
	fam_one(b, o, &pages, s->c.report_pages);
	fam_one(b, o, &batches, s->c.report_calls);
	fam_one(b, o, &errors, s->c.report_errors);
	hist_nents(b, o, &nents, s->nents_hist);
	hist_ns(b, o, &dur, &s->hist[PRTOP_H_REPORT], &metrics_buckets_report);
}

static void put_worker(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	static const struct fam runs = {
	    "prtop_worker_runs", M_COUNTER, NULL,
	    "Runs of the page reporting worker (page_reporting_process)."};
	static const struct fam dur = {"prtop_worker_run_duration_seconds", M_HISTOGRAM, "seconds",
				       "Run time of the page reporting worker."};
	static const struct fam delay = {
	    "prtop_request_delay_seconds", M_HISTOGRAM, "seconds",
	    "Delay from the first unserved reporting request to the worker's start."};
	static const struct fam armed = {"prtop_worker_scheduled", M_COUNTER, NULL,
					 "Times the worker's delayed work timer was armed."};
	static const struct fam notify = {
	    "prtop_notify", M_COUNTER, NULL,
	    "__page_reporting_notify() calls by the reporting state they found."};
	static const char *const state[PRTOP_STATES] = {"idle", "requested", "active"};
	char l[64];
	int i;

	if (snap_has(s, SG_WORKER)) {
		fam_one(b, o, &runs, s->c.worker_runs);
		hist_ns(b, o, &dur, &s->hist[PRTOP_H_WORKER_RUN], &metrics_buckets_worker);
	}
	if (snap_has(s, SG_DELAY))
		hist_ns(b, o, &delay, &s->hist[PRTOP_H_REQ_DELAY], &metrics_buckets_delay);
	if (snap_has(s, SG_TIMER))
		fam_one(b, o, &armed, s->c.delayed_work_armed);
	if (!snap_has(s, SG_NOTIFY))
		return;
	fam_head(b, o, &notify);
	for (i = 0; i < PRTOP_STATES; i++) {
		snprintf(l, sizeof(l), "{state=\"%s\"}", state[i]);
		fam_u64(b, &notify, l, s->c.notify_state[i]);
	}
}

/* only from the bundled patch's tracepoints: absent, not 0, without them */
static void put_patch_only(struct mbuf *b, const struct metrics_opts *o,
			   const struct prtop_snapshot *s)
{
	static const struct fam resets = {
	    "prtop_boundary_resets", M_COUNTER, NULL,
	    "Free list walks moved back to the list head: after report() dropped the zone lock "
	    "(reason=report), or stopping with the next page rotated to the head (reason=stop)."};
	static const struct fam rotated = {
	    "prtop_boundary_rotations", M_COUNTER, NULL,
	    "Restarts after report() that first rotated the unreported page to the list head."};
	static const struct fam exhausted = {
	    "prtop_cycle_budget_exhausted", M_COUNTER, NULL,
	    "Free list walks stopped because their report() budget ran out."};
	static const struct fam werr = {"prtop_worker_errors", M_COUNTER, NULL,
					"Reporting runs that ended with an error."};
	static const struct fam zones = {"prtop_worker_zones_walked", M_COUNTER, NULL,
					 "Zones whose free lists reporting runs walked."};

	if (snap_has(s, SG_RESETS)) {
		fam_head(b, o, &resets);
		fam_u64(b, &resets, "{reason=\"report\"}", s->c.reset_report);
		fam_u64(b, &resets, "{reason=\"stop\"}", s->c.reset_stop);
		fam_one(b, o, &rotated, s->c.reset_rotated);
	}
	if (snap_has(s, SG_CYCLE_DETAIL))
		fam_one(b, o, &exhausted, s->c.cycle_exhausted);
	if (snap_has(s, SG_RUN_DETAIL)) {
		fam_one(b, o, &werr, s->c.worker_errors);
		fam_one(b, o, &zones, s->c.worker_zones);
	}
}

static void put_reuse(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	static const struct fam bytes = {"prtop_reused_bytes", M_COUNTER, "bytes",
					 "Bytes of reported memory seen handed out again."};
	static const struct fam age = {"prtop_reuse_age_seconds", M_HISTOGRAM, "seconds",
				       "Time from report to reuse of reported memory."};
	static const struct fam tracked = {
	    "prtop_reuse_tracked_ranges", M_GAUGE, NULL,
	    "Reported ranges currently remembered for reuse tracking."};

	if (snap_has(s, SG_REUSE))
		fam_one(b, o, &bytes, s->reuse_bytes);
	if (snap_has(s, SG_REUSE_AGE))
		hist_ns(b, o, &age, &s->reuse_age, &metrics_buckets_reuse_age);
	if (snap_has(s, SG_REUSE_RANGES))
		fam_one(b, o, &tracked, s->reuse_tracked);
}

/* free page hinting: only where the device offers it and the probe attached */
static void put_hint(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	static const struct fam runs = {
	    "prtop_hint_runs", M_COUNTER, NULL,
	    "Free page hinting runs: the host sent a command id and the driver pulled pages."};
	static const struct fam hinted = {"prtop_hint_hinted_bytes", M_COUNTER, "bytes",
					  "Bytes of free memory hinted to the host."};
	static const struct fam returned = {
	    "prtop_hint_returned_bytes", M_COUNTER, "bytes",
	    "Hinted bytes given back to the allocator when the host said done."};
	static const struct fam shrunk = {
	    "prtop_hint_shrinker_bytes", M_COUNTER, "bytes",
	    "Hinted bytes the balloon's shrinker released under memory pressure."};
	static const struct fam run = {"prtop_hint_run_duration_seconds", M_HISTOGRAM, "seconds",
				       "Time a hinting run took to pull free pages."};
	static const struct fam held = {
	    "prtop_hint_held_seconds", M_HISTOGRAM, "seconds",
	    "Time hinted blocks were held: first hinting run until the host said done."};
	uint64_t blk = s->hint.block_bytes;

	if (!snap_has(s, SG_HINT))
		return;
	fam_one(b, o, &runs, s->c.hint_runs);
	if (blk) {
		fam_one(b, o, &hinted, s->c.hint_blocks * blk);
		fam_one(b, o, &returned, s->c.hint_returned_blocks * blk);
	}
	if (snap_has(s, SG_HINT_SHRINK))
		fam_one(b, o, &shrunk, s->c.hint_shrunk_pages * s->page_size);
	hist_ns(b, o, &run, &s->hist[PRTOP_H_HINT_RUN], &metrics_buckets_worker);
	hist_ns(b, o, &held, &s->hist[PRTOP_H_HINT_HOLD], &metrics_buckets_reuse_age);
}

/* one family with a sample per order 0 .. order_high - 1: the pages field at off, in bytes */
static void put_per_order(struct mbuf *b, const struct metrics_opts *o, const struct fam *f,
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
	static const struct fam free_b = {
	    "prtop_free_bytes", M_GAUGE, "bytes",
	    "Free memory on the buddy free lists, by order (/proc/buddyinfo)."};
	static const struct fam rep = {"prtop_order_reported_bytes", M_COUNTER, "bytes",
				       "Bytes reported, by order of the reported blocks."};
	static const struct fam reu = {
	    "prtop_order_reused_bytes", M_COUNTER, "bytes",
	    "Bytes of reported memory reused, by order of the reported blocks."};
	static const struct fam rpt = {
	    "prtop_free_reportable_bytes", M_GAUGE, "bytes",
	    "Free memory in blocks of page_reporting_order or above (reported or not)."};
	uint64_t reportable = 0;
	int i;

	if (snap_has(s, SG_FREE_LISTS)) {
		for (i = s->order_low; i < PRTOP_ORDERS; i++)
			reportable += s->order[i].free_pages * s->page_size;
		fam_one(b, o, &rpt, reportable);
		put_per_order(b, o, &free_b, s, offsetof(struct snap_order, free_pages));
	}
	if (snap_has(s, SG_REPORT))
		put_per_order(b, o, &rep, s, offsetof(struct snap_order, reported_pages));
	if (snap_has(s, SG_REUSE))
		put_per_order(b, o, &reu, s, offsetof(struct snap_order, reused_pages));
}

static void put_knobs(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	static const struct fam order = {
	    "prtop_knob_page_reporting_order", M_GAUGE, NULL,
	    "Lowest order reported (module parameter page_reporting.page_reporting_order)."};
	static const struct fam cap = {
	    "prtop_knob_capacity_entries", M_GAUGE, NULL,
	    "Most entries per report() batch (PAGE_REPORTING_CAPACITY)."};
	static const struct fam delay = {
	    "prtop_knob_delay_seconds", M_GAUGE, "seconds",
	    "Delay from a reporting request to the worker (PAGE_REPORTING_DELAY)."};

	if (s->knob_order.known) {
		fam_head(b, o, &order);
		fam_dbl(b, &order, NULL, (double)s->knob_order.value);
	}
	if (s->knob_capacity.known) {
		fam_head(b, o, &cap);
		fam_dbl(b, &cap, NULL, (double)s->knob_capacity.value);
	}
	if (s->knob_delay_ms.known) {
		fam_head(b, o, &delay);
		fam_dbl(b, &delay, NULL, (double)s->knob_delay_ms.value / 1000);
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
 * kernel keeps them.
 */
static const struct known_counter {
	const char *param;
	struct fam fam;
} known_counters[] = {
    {"reported_kib",
     {"prtop_kernel_reported_bytes", M_COUNTER, "bytes",
      "Memory reported to the device since boot: the kernel's own counter "
      "(module parameter reported_kib, vendor kernels), in bytes."}},
    {"passes",
     {"prtop_kernel_worker_runs", M_COUNTER, NULL,
      "Reporting worker runs since boot: the kernel's own counter "
      "(module parameter passes, vendor kernels)."}},
};

static const struct known_counter *known_counter(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(known_counters); i++)
		if (!strcmp(known_counters[i].param, name))
			return &known_counters[i];
	return NULL;
}

/*
 * One family with a sample per module parameter that fits it: numeric
 * settings as gauges, or (counters) the read-only whole numbers the kernel
 * keeps as its own counters and prtop knows no meaning of.
 */
static void put_param_family(struct mbuf *b, const struct metrics_opts *o, const struct fam *f,
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
	static const struct fam par = {"prtop_module_parameter", M_GAUGE, NULL,
				       "Numeric settings in /sys/module/page_reporting/parameters."};
	static const struct fam kc = {
	    "prtop_kernel_param", M_COUNTER, NULL,
	    "The kernel's own counters of unknown meaning: read-only numeric files in "
	    "/sys/module/page_reporting/parameters (vendor kernels), as the kernel keeps them."};
	const struct known_counter *k;
	int i;

	put_param_family(b, o, &par, s, false);
	put_param_family(b, o, &kc, s, true);
	for (i = 0; i < s->nparams && i < SNAP_MAX_PARAMS; i++) {
		const struct snap_param *p = &s->params[i];

		if (p->counter && (k = known_counter(p->name)))
			fam_one(b, o, &k->fam,
				p->count * (p->unit_bytes ? p->unit_bytes : 1));
	}
}

static void put_probes(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	static const struct fam att = {
	    "prtop_probe_attached", M_GAUGE, NULL,
	    "1 when the probe is attached (mode says how), 0 when not: see prtop doctor."};
	char l[96];
	int i;

	fam_head(b, o, &att);
	for (i = 0; i < PROBE__COUNT; i++) {
		snprintf(l, sizeof(l), "{probe=\"%s\",mode=\"%s\"}", probe_name(i),
			 attach_mode_name(s->probe[i].mode));
		fam_u64(b, &att, l, s->probe[i].attached);
	}
}

void metrics_put_build(struct mbuf *b, const struct metrics_opts *o, const char *kernel)
{
	static const struct fam build = {"prtop_build", M_INFO, NULL,
					 "prtop's version and the running kernel."};
	char v[160], k[300], l[520];

	fam_head(b, o, &build);
	snprintf(l, sizeof(l), "{version=\"%s\",kernel=\"%s\"}",
		 label_esc(v, sizeof(v), o->version ? o->version : "unknown"),
		 label_esc(k, sizeof(k), kernel));
	fam_u64(b, &build, l, 1);
}

void metrics_put_freshness(struct mbuf *b, const struct metrics_opts *o, uint64_t mono_ns)
{
	static const struct fam age = {"prtop_snapshot_age_seconds", M_GAUGE, "seconds",
				       "Age of the snapshot these metrics come from."};
	static const struct fam scrapes = {"prtop_scrape_requests", M_COUNTER, NULL,
					   "/metrics requests served by this exporter."};

	if (o->now_ns) {
		fam_head(b, o, &age);
		fam_dbl(b, &age, NULL, o->now_ns > mono_ns ? (double)(o->now_ns - mono_ns) / 1e9 : 0);
	}
	if (o->scrapes)
		fam_one(b, o, &scrapes, o->scrapes);
}

static void put_self(struct mbuf *b, const struct metrics_opts *o, const struct prtop_snapshot *s)
{
	static const struct fam drops = {
	    "prtop_events_dropped", M_COUNTER, NULL,
	    "Events lost: ring buffer full, reported ranges forgotten (table full), or "
	    "worker runs missed."};
	static const struct fam dev = {
	    "prtop_device", M_INFO, NULL,
	    "The free page reporting device's report() callback, once known."};
	static const struct fam samples = {"prtop_samples", M_COUNTER, NULL,
					   "Snapshots the collector has taken."};
	static const struct fam missed = {
	    "prtop_worker_runs_missed", M_COUNTER, NULL,
	    "Worker runs the kernel's own count (passes) has and prtop did not see."};
	static const struct fam pub = {
	    "prtop_publication", M_INFO, NULL,
	    "The device's free-memory publication callback (vendor kernels), once known."};
	char k[300], l[520];

	fam_one(b, o, &drops, s->drops);
	if (s->xcheck.have)
		fam_one(b, o, &missed, s->xcheck.missed);
	if (s->publish_state == 3) {
		fam_head(b, o, &pub);
		snprintf(l, sizeof(l), "{callback=\"%s\"}", label_esc(k, sizeof(k), s->publish));
		fam_u64(b, &pub, l, 1);
	}
	metrics_put_build(b, o, s->kernel);
	if (s->device[0]) {
		fam_head(b, o, &dev);
		snprintf(l, sizeof(l), "{device=\"%s\"}", label_esc(k, sizeof(k), s->device));
		fam_u64(b, &dev, l, 1);
	}
	fam_one(b, o, &samples, s->seq);
	metrics_put_freshness(b, o, s->mono_ns);
}

int metrics_render(struct mbuf *b, const struct prtop_snapshot *s, const struct metrics_opts *o)
{
	put_returned(b, o, s);
	put_backlog(b, o, s);
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
