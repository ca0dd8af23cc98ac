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
#include "metric_table.h"
#include "ui.h"

static void text_header(FILE *out, const struct prtop_snapshot *cur,
			const struct prtop_snapshot *prev, const struct ui_opts *o)
{
	uint64_t base = prev ? prev->mono_ns : cur->start_ns;
	double secs = cur->mono_ns > base ? (cur->mono_ns - base) / 1e9 : 0;
	char when[48] = "", line[160];

	if (o && o->timestamps)
		fmt_wall(when, sizeof(when), cur->wall_ns);
	fprintf(out, "prtop %s %s %s %llu, %.1f s%s%s\n", cur->kernel, fmt_dash(),
		metric(M_SAMPLES)->label, (unsigned long long)cur->seq, secs, *when ? " " : "",
		when);
	if (cur->device[0])
		fprintf(out, "%s: %s%s\n", metric(M_DEVICE)->label, cur->device,
			cur->device_by_btf ? " (named by BTF, unconfirmed)" : "");
	else
		fprintf(out, "%s: none (%s)\n", metric(M_DEVICE)->label,
			cur->device_reason[0] ? cur->device_reason : "unknown");
	if (fmt_publish(line, sizeof(line), cur))
		fprintf(out, "%s: %s\n", metric(M_PUBLICATION)->label, line);
}

static void text_knobs(FILE *out, const struct prtop_snapshot *s)
{
	char a[160], b[160], d[160];

	fprintf(out, "knobs: %s, %s, %s\n",
		fmt_knob(a, sizeof(a), metric(M_KNOB_ORDER)->label, &s->knob_order, NULL,
			 FMT_KNOB_FULL),
		fmt_knob(b, sizeof(b), metric(M_KNOB_CAPACITY)->label, &s->knob_capacity, NULL,
			 FMT_KNOB_FULL),
		fmt_knob(d, sizeof(d), metric(M_KNOB_DELAY)->label, &s->knob_delay_ms, "ms",
			 FMT_KNOB_FULL));
}

static void text_probes(FILE *out, const struct prtop_snapshot *s)
{
	char buf[128];
	int i;

	fprintf(out, "%s:", metric(M_PROBE_ATTACHED)->label);
	for (i = 0; i < PROBE__COUNT; i++)
		fprintf(out, " %s", fmt_probe_short(buf, sizeof(buf), s, i));
	if (fmt_probe_missing(s))
		fputs(" (why not: prtop doctor)", out);
	fputc('\n', out);
	for (i = 0; i < PROBE__COUNT; i++)
		if (s->probe[i].lost)
			fprintf(out, "lost: %s: %s\n", probe_name(i), s->probe[i].reason);
}

static void text_rates(FILE *out, const struct prtop_snapshot *cur,
		       const struct prtop_snapshot *prev)
{
	char a[64], b[32], c[32], d[32], e[32];
	struct snap_rates r;

	if (!prev) {
		fprintf(out, "rates: %s (first sample)\n", fmt_dash());
		return;
	}
	snap_rates(prev, cur, &r);
	fprintf(
	    out, "rates: %s %s, %s %s, %s %s, %s %s, %s %s\n", metric(M_REPORTED_RATE)->label,
	    fmt_returned_rate(a, sizeof(a), cur, &r), metric(M_BATCHES)->label,
	    fmt_known_per_s(b, sizeof(b), metric_known(cur, M_BATCHES), r.batches_per_s),
	    metric(M_WORKER_RUNS)->label,
	    fmt_known_per_s(c, sizeof(c), metric_known(cur, M_WORKER_RUNS), r.worker_runs_per_s),
	    metric(M_NOTIFY)->label,
	    fmt_known_per_s(d, sizeof(d), metric_known(cur, M_NOTIFY), r.notify_per_s),
	    metric(M_REUSED_BYTES)->label,
	    fmt_known_mib_per_s(e, sizeof(e), metric_known(cur, M_REUSED_BYTES),
				r.reused_bytes_per_s));
}

static void text_totals(FILE *out, const struct prtop_snapshot *s)
{
	char a[64], b[48], t[8][FMT_TOTAL_LEN];
	unsigned int bad;
	int i, n = fmt_totals(t, 8, s, &bad);

	/* pages only where prtop counts report(): the kernel's counters give bytes */
	if (metric_known(s, M_REPORTED_PAGES))
		snprintf(b, sizeof(b), " (%llu %s)", (unsigned long long)s->c.report_pages,
			 metric(M_REPORTED_PAGES)->label);
	else
		b[0] = '\0';
	fprintf(out, "totals: %s %s%s", metric(M_REPORTED_BYTES)->label, fmt_returned(a, sizeof(a), s),
		b);
	for (i = 0; i < n; i++)
		fprintf(out, ", %s", t[i]);
	fprintf(out, ", %s %llu\n", metric(M_EVENTS_DROPPED)->label, (unsigned long long)s->drops);
}

static void text_backlog(FILE *out, const struct prtop_snapshot *s)
{
	char a[256];

	fprintf(out, "%s: %s\n", metric(M_BACKLOG_BYTES)->label, fmt_backlog_line(a, sizeof(a), s));
	if (s->backlog.wait.known || s->backlog.known)
		fprintf(out, "%s: %s\n", metric(M_BACKLOG_WAIT)->label,
			fmt_backlog_wait(a, sizeof(a), &s->backlog.wait));
}

/* what only the patch's tracepoints give; nothing without them */
static void text_patch(FILE *out, const struct prtop_snapshot *s)
{
	if (metric_known(s, M_BOUNDARY_RESETS) && metric_known(s, M_BUDGET_EXHAUSTED))
		fprintf(out, "walks: %s %llu after report, %llu at stop (%llu %s), %s %llu\n",
			metric(M_BOUNDARY_RESETS)->label, (unsigned long long)s->c.reset_report,
			(unsigned long long)s->c.reset_stop, (unsigned long long)s->c.reset_rotated,
			metric(M_BOUNDARY_ROTATIONS)->label, metric(M_BUDGET_EXHAUSTED)->label,
			(unsigned long long)s->c.cycle_exhausted);
	if (metric_known(s, M_WORKER_ERRORS) && s->last_run.seen) {
		char d[24];

		fprintf(out, "runs: last used capacity %u, order %u, delay %s; %s %llu\n",
			s->last_run.capacity, s->last_run.order,
			fmt_run_delay(d, sizeof(d), s->last_run.delay_ms),
			metric(M_WORKER_ERRORS)->label, (unsigned long long)s->c.worker_errors);
	}
}

/* nents: only the sizes that occurred, "size:count" */
static void text_nents(FILE *out, const struct prtop_snapshot *s)
{
	uint64_t n = nents_count(s->nents_hist);
	int i;

	const char *label = metric(M_BATCH_ENTRIES)->label;

	if (!metric_known(s, M_BATCH_ENTRIES)) {
		fprintf(out, "%s: n/a\n", label);
		return;
	}
	if (!n) {
		fprintf(out, "%s: %s\n", label, fmt_dash());
		return;
	}
	fprintf(out, "%s:", label);
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
	char l[64], a[32], b[32], c[32], d[32];
	struct fmt_latency lat;
	int i;

	fprintf(out, "latency  %s %9s %9s %9s %9s\n", fmt_pad(l, sizeof(l), "what", 20, false),
		"count", "p50", "p99", "max");
	for (i = 0; i < FMT_LAT__COUNT; i++) {
		fmt_latency(s, i, &lat);
		fprintf(out, "latency  %s %s %s %s %s\n",
			fmt_pad(l, sizeof(l), lat.label, 20, false),
			fmt_pad(a, sizeof(a), lat.count_s, 9, true),
			fmt_pad(b, sizeof(b), lat.p50, 9, true),
			fmt_pad(c, sizeof(c), lat.p99, 9, true),
			fmt_pad(d, sizeof(d), lat.max, 9, true));
	}
}

static void text_orders(FILE *out, const struct prtop_snapshot *s)
{
	char row[160];
	int i;

	fprintf(out, "order  %s\n", fmt_order_head(row, sizeof(row), FMT_ORDER_TEXT));
	for (i = 0; i < PRTOP_ORDERS; i++)
		if (fmt_order_shown(s, i))
			fprintf(out, "order  %s\n",
				fmt_order_row(row, sizeof(row), s, i, FMT_ORDER_TEXT));
}

static void text_reuse(FILE *out, const struct prtop_snapshot *s)
{
	char a[32];

	if (!snap_has(s, SG_REUSE)) {
		fputs("reuse: n/a\n", out);
		return;
	}
	if (!snap_has(s, SG_REUSE_RANGES)) {
		fprintf(out, "reuse: reused %s (%llu blocks), exact (%s)\n",
			fmt_bytes(a, sizeof(a), s->reuse_bytes),
			(unsigned long long)s->reuse_ranges, s->probe[PROBE_REUSE].detail);
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

/* read-only numeric parameters: the kernel's own counters, with their rates */
static void text_counters(FILE *out, const struct prtop_snapshot *cur,
			  const struct prtop_snapshot *prev)
{
	char v[32], n[48];
	bool any = false;
	double r;
	int i;

	for (i = 0; i < cur->nparams && i < SNAP_MAX_PARAMS; i++) {
		const struct snap_param *p = &cur->params[i];

		if (!p->counter)
			continue;
		fprintf(out, "%s%s %s %s (%s)", any ? "" : metric(M_KERNEL_PARAM)->label,
			any ? "," : ":", p->name, fmt_param_count(n, sizeof(n), p),
			snap_counter_rate(prev, cur, i, &r) ? fmt_param_rate(v, sizeof(v), p, r)
							    : "n/a");
		any = true;
	}
	if (any)
		fputc('\n', out);
}

/* the kernel's own run count against prtop's, and free page hinting */
static void text_kernel_side(FILE *out, const struct prtop_snapshot *s)
{
	char line[320];

	if (fmt_xcheck(line, sizeof(line), s))
		fprintf(out, "cross-check: %s\n", line);
	if (fmt_hint(line, sizeof(line), s))
		fprintf(out, "hinting: %s\n", line);
}

static void text_params(FILE *out, const struct prtop_snapshot *s)
{
	int i;

	for (i = 0; i < s->nparams && i < SNAP_MAX_PARAMS; i++) {
		const struct snap_param *p = &s->params[i];

		if (p->meaning)
			fprintf(out, "%s: %s = %s (%s)\n", metric(M_MODULE_PARAMETER)->label,
				p->name, p->value, p->meaning);
		else
			fprintf(out, "%s: %s = %s\n", metric(M_MODULE_PARAMETER)->label, p->name,
				p->value);
	}
}

static void text_body(FILE *out, const struct prtop_snapshot *cur,
		      const struct prtop_snapshot *prev, const struct ui_opts *o)
{
	text_header(out, cur, prev, o);
	text_knobs(out, cur);
	text_probes(out, cur);
	text_rates(out, cur, prev);
	text_totals(out, cur);
	text_backlog(out, cur);
	text_patch(out, cur);
	text_nents(out, cur);
	text_latency(out, cur);
	text_orders(out, cur);
	text_reuse(out, cur);
	text_counters(out, cur, prev);
	text_kernel_side(out, cur);
	text_params(out, cur);
	fputc('\n', out);
}

/*
 * A frame, every line fitting 80 columns: the body is written to memory,
 * then a longer line is wrapped at its words, indented past its "label: "
 */
void text_frame(FILE *out, const struct prtop_snapshot *cur, const struct prtop_snapshot *prev,
		const struct ui_opts *o)
{
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (!m) { /* no memory for the frame: unwrapped beats nothing */
		text_body(out, cur, prev, o);
		return;
	}
	text_body(m, cur, prev, o);
	if (fclose(m)) {
		free(buf);
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fmt_print_line(out, line);
	fputc('\n', out); /* the blank line between frames */
	free(buf);
}
