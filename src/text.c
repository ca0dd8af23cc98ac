// SPDX-License-Identifier: GPL-2.0
/*
 * Batch mode: the live view's information as plain text, one frame per
 * sample.  Every line starts with the name of what it shows, so that
 * `prtop -b | grep ^latency` and the like work.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "format.h"
#include "ui.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void text_header(FILE *out, const struct prtop_snapshot *cur,
			const struct prtop_snapshot *prev)
{
	uint64_t base = prev ? prev->mono_ns : cur->start_ns;
	double secs = cur->mono_ns > base ? (cur->mono_ns - base) / 1e9 : 0;
	char when[32] = "";
	time_t t = time(NULL);
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "prtop %s %s sample %llu, %.1f s %s %s\n", cur->kernel, fmt_dash(),
		(unsigned long long)cur->seq, secs, fmt_dash(), when);
	if (cur->device[0])
		fprintf(out, "device: %s\n", cur->device);
	else
		fprintf(out, "device: none (%s)\n",
			cur->device_reason[0] ? cur->device_reason : "unknown");
}

static void text_knobs(FILE *out, const struct prtop_snapshot *s)
{
	char a[160], b[160], d[160];

	fprintf(out, "knobs: %s, %s, %s\n",
		fmt_knob(a, sizeof(a), "order", &s->knob_order, NULL, FMT_KNOB_FULL),
		fmt_knob(b, sizeof(b), "capacity", &s->knob_capacity, NULL, FMT_KNOB_FULL),
		fmt_knob(d, sizeof(d), "delay", &s->knob_delay_ms, "ms", FMT_KNOB_FULL));
}

static void text_probes(FILE *out, const struct prtop_snapshot *s)
{
	char buf[128];
	int i;

	fputs("probes:", out);
	for (i = 0; i < PROBE__COUNT; i++)
		fprintf(out, " %s", fmt_probe_short(buf, sizeof(buf), s, i));
	if (fmt_probe_missing(s))
		fputs(" (why not: prtop doctor)", out);
	fputc('\n', out);
}

static void text_rates(FILE *out, const struct prtop_snapshot *cur,
		       const struct prtop_snapshot *prev)
{
	char a[32], b[32], c[32], d[32], e[32];
	struct snap_rates r;

	if (!prev) {
		fprintf(out, "rates: %s (first sample)\n", fmt_dash());
		return;
	}
	snap_rates(prev, cur, &r);
	fprintf(out,
		"rates: reported %s, batches %s, worker runs %s, "
		"notifies %s, reused %s\n",
		fmt_mib_per_s(a, sizeof(a), r.reported_bytes_per_s),
		fmt_per_s(b, sizeof(b), r.batches_per_s),
		fmt_per_s(c, sizeof(c), r.worker_runs_per_s),
		fmt_per_s(d, sizeof(d), r.notify_per_s),
		fmt_mib_per_s(e, sizeof(e), r.reused_bytes_per_s));
}

static void text_totals(FILE *out, const struct prtop_snapshot *s)
{
	char a[32];

	fprintf(out,
		"totals: reported %s (%llu pages), batches %llu, "
		"errors %llu, worker runs %llu, drops %llu\n",
		fmt_bytes(a, sizeof(a), s->c.report_bytes), (unsigned long long)s->c.report_pages,
		(unsigned long long)s->c.report_calls, (unsigned long long)s->c.report_errors,
		(unsigned long long)s->c.worker_runs, (unsigned long long)s->drops);
}

/* what only the patch's tracepoints give; nothing without them */
static void text_patch(FILE *out, const struct prtop_snapshot *s)
{
	if (s->probe[PROBE_RESET].mode == MODE_PATCH_TP)
		fprintf(out,
			"walks: boundary resets %llu after report, %llu at stop (%llu rotated), "
			"budget exhausted %llu\n",
			(unsigned long long)s->c.reset_report, (unsigned long long)s->c.reset_stop,
			(unsigned long long)s->c.reset_rotated,
			(unsigned long long)s->c.cycle_exhausted);
	if (s->last_run.seen)
		fprintf(out,
			"runs: last used capacity %u, order %u, delay %u ms; zones walked %llu, "
			"runs failed %llu\n",
			s->last_run.capacity, s->last_run.order, s->last_run.delay_ms,
			(unsigned long long)s->c.worker_zones,
			(unsigned long long)s->c.worker_errors);
}

/* nents: only the sizes that occurred, "size:count" */
static void text_nents(FILE *out, const struct prtop_snapshot *s)
{
	uint64_t n = nents_count(s->nents_hist);
	int i;

	if (s->probe[PROBE_REPORT].mode == MODE_NONE) {
		fputs("nents: n/a\n", out);
		return;
	}
	if (!n) {
		fprintf(out, "nents: %s\n", fmt_dash());
		return;
	}
	fputs("nents:", out);
	for (i = 0; i < PRTOP_NENTS_SLOTS; i++) {
		if (!s->nents_hist[i])
			continue;
		fprintf(out, " %d%s:%llu", i, i == PRTOP_NENTS_SLOTS - 1 ? "+" : "",
			(unsigned long long)s->nents_hist[i]);
	}
	fprintf(out, " (%llu batches)\n", (unsigned long long)n);
}

static void text_latency(FILE *out, const struct prtop_snapshot *s)
{
	char l[64], a[32], b[32], c[32];
	struct fmt_latency lat;
	int i;

	fprintf(out, "latency  %s %9s %9s %9s\n", fmt_pad(l, sizeof(l), "what", 20, false), "count",
		"p50", "p99");
	for (i = 0; i < FMT_LAT__COUNT; i++) {
		fmt_latency(s, i, &lat);
		fprintf(out, "latency  %s %s %s %s\n", fmt_pad(l, sizeof(l), lat.label, 20, false),
			fmt_pad(a, sizeof(a), lat.count_s, 9, true),
			fmt_pad(b, sizeof(b), lat.p50, 9, true),
			fmt_pad(c, sizeof(c), lat.p99, 9, true));
	}
}

static void text_orders(FILE *out, const struct prtop_snapshot *s)
{
	double page = (double)fmt_page_size();
	char a[32], b[32], c[32];
	int i;

	fprintf(out, "order  %5s %10s %12s %10s %8s\n", "order", "free MiB", "reported MiB",
		"reused MiB", "cycles");
	for (i = 0; i < PRTOP_ORDERS; i++) {
		const struct snap_order *o = &s->order[i];

		if (!fmt_order_shown(s, i))
			continue;
		fprintf(out, "order  %5d %10s %12s %10s %8llu\n", i,
			fmt_mib(a, sizeof(a), o->free_pages * page),
			fmt_mib(b, sizeof(b), o->reported_pages * page),
			fmt_mib(c, sizeof(c), o->reused_pages * page),
			(unsigned long long)o->cycles);
	}
}

static void text_reuse(FILE *out, const struct prtop_snapshot *s)
{
	char a[32];

	if (s->probe[PROBE_REUSE].mode == MODE_NONE) {
		fputs("reuse: n/a\n", out);
		return;
	}
	if (s->probe[PROBE_REUSE].mode != MODE_SCAN) {
		fprintf(out, "reuse: reused %s (%llu blocks), exact (%s)\n",
			fmt_bytes(a, sizeof(a), s->reuse_bytes),
			(unsigned long long)s->reuse_ranges,
			attach_mode_name(s->probe[PROBE_REUSE].mode));
		return;
	}
	fprintf(out,
		"reuse: reused %s (%llu ranges), tracked %llu, "
		"unreported (merged) %llu, forgotten %llu\n",
		fmt_bytes(a, sizeof(a), s->reuse_bytes), (unsigned long long)s->reuse_ranges,
		(unsigned long long)s->reuse_tracked,
		(unsigned long long)s->reuse_unreported_ranges,
		(unsigned long long)s->reuse_forgotten);
}

static void text_params(FILE *out, const struct prtop_snapshot *s)
{
	int i;

	for (i = 0; i < s->nparams && i < SNAP_MAX_PARAMS; i++) {
		const struct snap_param *p = &s->params[i];

		if (p->meaning)
			fprintf(out, "param: %s = %s (%s)\n", p->name, p->value, p->meaning);
		else
			fprintf(out, "param: %s = %s\n", p->name, p->value);
	}
}

void text_frame(FILE *out, const struct prtop_snapshot *cur, const struct prtop_snapshot *prev)
{
	text_header(out, cur, prev);
	text_knobs(out, cur);
	text_probes(out, cur);
	text_rates(out, cur, prev);
	text_totals(out, cur);
	text_patch(out, cur);
	text_nents(out, cur);
	text_latency(out, cur);
	text_orders(out, cur);
	text_reuse(out, cur);
	text_params(out, cur);
	fputc('\n', out);
}

/* keep the collector busy until the monotonic clock reaches deadline */
static void wait_until(struct collector *c, uint64_t deadline)
{
	struct timespec ts;
	uint64_t now, start;
	int slice, rc;

	while (!prtop_stop && (now = now_ns()) < deadline) {
		slice = (int)((deadline - now + 999999) / 1000000);
		if (slice > 100)
			slice = 100;
		start = now;
		rc = collector_poll(c, slice);
		now = now_ns();
		if (rc > 0 || prtop_stop || now - start >= slice * 1000000ULL)
			continue;
		/* returned early with nothing to do: do not spin */
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(slice * 1000000ULL - (now - start));
		nanosleep(&ts, NULL);
	}
}

int batch_run(struct collector *c, const struct ui_opts *o, FILE *out)
{
	struct prtop_snapshot *prev, *cur, *tmp;
	double interval = o->interval_s > 0 ? o->interval_s : 1.0;
	uint64_t step = (uint64_t)(interval * 1e9);
	uint64_t next;
	long frames = 0;
	int err, rc = 0;

	prev = calloc(1, sizeof(*prev));
	cur = calloc(1, sizeof(*cur));
	if (!prev || !cur) {
		fprintf(stderr, "prtop: out of memory\n");
		rc = 1;
		goto out;
	}
	err = collector_sample(c, prev);
	if (err)
		goto sample_failed;
	next = now_ns() + step;
	while (!prtop_stop && (!o->iterations || frames < o->iterations)) {
		wait_until(c, next);
		if (prtop_stop)
			break;
		err = collector_sample(c, cur);
		if (err)
			goto sample_failed;
		text_frame(out, cur, prev);
		if (fflush(out) || ferror(out)) {
			rc = 1; /* reader went away */
			goto out;
		}
		frames++;
		tmp = prev;
		prev = cur;
		cur = tmp;
		next += step;
		if (next < now_ns()) /* fell behind (suspend, slow sample) */
			next = now_ns() + step;
	}
	goto out;
sample_failed:
	fprintf(stderr, "prtop: taking a sample failed: %s\n", strerror(err < 0 ? -err : err));
	rc = 1;
out:
	free(prev);
	free(cur);
	return rc;
}
