// SPDX-License-Identifier: GPL-2.0
/*
 * The text frame and the JSON document of one snapshot say the same thing:
 * what has no source is n/a in one and null in the other, and the patch's
 * run detail appears in both or neither.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "format.h"
#include "metric_table.h"
#include "ui.h"
#include "unit.h"

/*
 * Text lines over 80 columns are wrapped, continuations indented: join
 * them back so a check can look for a whole line (test_cli checks that
 * every line fits)
 */
static char *unwrap(char *buf)
{
	char *r = buf, *w = buf;

	if (!buf)
		return NULL;
	while (*r) {
		if (r[0] == '\n' && r[1] == ' ' && r[2] == ' ' && r[-1] != '\n') {
			while (r[1] == ' ')
				r++;
			*w++ = ' ';
			r++;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	return buf;
}

static char *render_text2(const struct prtop_snapshot *s, const struct prtop_snapshot *prev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	text_frame(f, s, prev, NULL);
	fclose(f);
	return unwrap(buf);
}

static json_object *render_json2(const struct prtop_snapshot *s, const struct prtop_snapshot *prev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *d;

	if (!f)
		return NULL;
	json_print(f, s, prev, JSON_COMPACT);
	fclose(f);
	d = json_tokener_parse(buf);
	free(buf);
	return d;
}

static char *render_text(const struct prtop_snapshot *s)
{
	return render_text2(s, NULL);
}

static json_object *render_json(const struct prtop_snapshot *s)
{
	return render_json2(s, NULL);
}

static bool is_null(json_object *d, const char *key)
{
	json_object *v = NULL;

	return json_object_object_get_ex(d, key, &v) && v == NULL;
}

static struct prtop_snapshot *snap_new(void)
{
	struct prtop_snapshot *s = calloc(1, sizeof(*s));
	int i;

	if (!s)
		return NULL;
	snprintf(s->kernel, sizeof(s->kernel), "6.1.0-test");
	s->page_size = 4096;
	s->seq = 1;
	for (i = 0; i < PROBE__COUNT; i++)
		set_probe(s, i, MODE_NONE);
	set_probe(s, PROBE_WORKER, MODE_TRACEPOINT);
	s->c.worker_runs = 3;
	s->c.worker_zones = 7;
	s->last_run =
	    (struct prtop_last_run){.capacity = 32, .order = 9, .delay_ms = 2000, .seen = 1};
	return s;
}

static void run_detail_agrees(void)
{
	struct prtop_snapshot *s = snap_new();
	json_object *d;
	char *t;

	if (!CHECK(s, "report: allocate a snapshot"))
		return;
	/* last_run seen, but the worker is not the patch's: no run detail anywhere */
	t = render_text(s);
	d = render_json(s);
	CHECK(t && !strstr(t, "\nruns: ") && !strstr(t, "zones walked"),
	      "report: text shows no run detail without the patch's worker events");
	CHECK(d && is_null(d, "last_run") && is_null(d, "zones_walked_total"),
	      "report: ... and JSON says null for it");
	free(t);
	json_object_put(d);
	/* from the patch's work event: in both; zones walked only v2's had */
	set_probe(s, PROBE_WORKER, MODE_PATCH_TP);
	t = render_text(s);
	d = render_json(s);
	CHECK(t && strstr(t,
			  "\nruns: last used capacity 32, order 9, delay 2000 ms; runs failed 0\n"),
	      "report: text shows the run detail from the patch");
	CHECK(t && !strstr(t, "zones walked"), "report: ... without zones walked (v2 only)");
	CHECK(d && !is_null(d, "last_run") && !is_null(d, "worker_errors_total") &&
		  is_null(d, "zones_walked_total"),
	      "report: ... and so does JSON; zones walked unknown, not 0");
	free(t);
	json_object_put(d);
	/* a run queued before prtop attached: its delay is unknown, not 0 */
	s->last_run.delay_ms = PRTOP_DELAY_UNKNOWN;
	t = render_text(s);
	d = render_json(s);
	CHECK(t && strstr(t, "\nruns: last used capacity 32, order 9, delay unknown; "),
	      "report: text says a delay queued before attaching is unknown");
	CHECK(d && is_null(json_object_object_get(d, "last_run"), "delay_ms") &&
		  !is_null(json_object_object_get(d, "last_run"), "order"),
	      "report: ... and JSON's last_run.delay_ms is null, its order kept");
	free(t);
	json_object_put(d);
	free(s);
}

static void unknown_agrees(void)
{
	struct prtop_snapshot *s = snap_new();
	json_object *d;
	char *t;

	if (!CHECK(s, "report: allocate a snapshot"))
		return;
	t = render_text(s);
	d = render_json(s);
	CHECK(t && strstr(t, "totals: reported n/a, batches n/a, errors n/a, "
			     "worker runs 3"),
	      "report: text: report() figures n/a, worker runs a number");
	CHECK(d && is_null(d, "reported_bytes_total") && is_null(d, "batches_total") &&
		  !is_null(d, "worker_runs_total"),
	      "report: JSON: the same figures null, worker runs a number");
	free(t);
	json_object_put(d);
	free(s);
}

static void counters(void)
{
	struct prtop_snapshot *prev = snap_new(), *cur = snap_new();
	json_object *d, *c = NULL, *v = NULL;
	double r = -1;
	char *t;

	if (!CHECK(prev && cur, "report: allocate snapshots"))
		goto out;
	prev->mono_ns = 1000000000ULL;
	cur->mono_ns = 3000000000ULL;
	prev->nparams = cur->nparams = 2;
	prev->params[0] = (struct snap_param){"passes", "10", NULL, true, 10, 0};
	cur->params[0] = (struct snap_param){"passes", "14", NULL, true, 14, 0};
	prev->params[1] = (struct snap_param){"walked", "9", NULL, true, 9, 0};
	cur->params[1] = (struct snap_param){"walked", "3", NULL, true, 3, 0};
	CHECK(snap_counter_rate(prev, cur, 0, &r) && r == 2.0, "report: counter rate 4 in 2 s");
	CHECK(!snap_counter_rate(prev, cur, 1, &r), "report: a counter that went down has no rate");
	CHECK(!snap_counter_rate(NULL, cur, 0, &r), "report: no rate without a window");
	t = render_text2(cur, prev);
	CHECK(t && strstr(t, "kernel counters: passes 14 (2.00/s), walked 3 (n/a)"),
	      "report: text shows the kernel's counters with their rates");
	free(t);
	d = render_json2(cur, prev);
	CHECK(d && json_object_object_get_ex(d, "kernel_counters", &c) &&
		  json_object_object_get_ex(c, "passes", &v) &&
		  json_object_get_int64(json_object_object_get(v, "total")) == 14 &&
		  json_object_get_double(json_object_object_get(v, "per_s")) == 2.0 &&
		  json_object_object_get_ex(c, "walked", &v) &&
		  json_object_object_get(v, "per_s") == NULL,
	      "report: JSON kernel_counters: total, per_s (null when unknown)");
	json_object_put(d);
	/* a counter whose name states its unit; memory returned from it, named */
	cur->nparams = prev->nparams = 1;
	prev->params[0] = (struct snap_param){"reported_kib", "100", NULL, true, 100, 1024};
	cur->params[0] = (struct snap_param){"reported_kib", "4196", NULL, true, 4196, 1024};
	prev->returned = (struct snap_returned){RETURNED_KERNEL_KIB, 0};
	cur->returned = (struct snap_returned){RETURNED_KERNEL_KIB, 4096 * 1024};
	t = render_text2(cur, prev);
	CHECK(t && strstr(t, "kernel counters: reported_kib 4196 KiB (2.00 MiB/s)") &&
		  strstr(t, "rates: reported 2.00 MiB/s (kernel's counter)") &&
		  strstr(t, "totals: reported 4.00 MiB (kernel's counter), batches n/a"),
	      "report: text names the kernel's counter as the source, with units");
	free(t);
	d = render_json2(cur, prev);
	CHECK(d && json_object_get_int64(json_object_object_get(d, "reported_bytes_total")) ==
			 4096 * 1024 &&
		  !strcmp(json_object_get_string(json_object_object_get(d, "reported_source")),
			  "kernel:reported_kib") &&
		  json_object_get_double(json_object_object_get(d, "reported_bytes_per_s")) ==
		      2097152.0 &&
		  json_object_object_get_ex(d, "kernel_counters", &c) &&
		  json_object_object_get_ex(c, "reported_kib", &v) &&
		  json_object_get_int64(json_object_object_get(v, "bytes_total")) == 4196 * 1024,
	      "report: JSON reported_bytes_total, its source and rate; bytes_total of reported_kib");
	json_object_put(d);
	cur->returned.source = prev->returned.source = RETURNED_UNKNOWN;
	d = render_json2(cur, prev);
	CHECK(d && json_object_object_get_ex(d, "reported_bytes_total", &v) && !v &&
		  json_object_object_get_ex(d, "reported_source", &v) && !v,
	      "report: nothing counts returned memory: reported_bytes_total and source null");
	json_object_put(d);
out:
	free(prev);
	free(cur);
}

/*
 * Hinting: a device that does not offer it hints nothing (0, known, with
 * the reason); one that does while prtop cannot see it is unknown (null,
 * n/a); the text line appears only where the device offers hinting.
 */
static void hinting(void)
{
	struct prtop_snapshot *s = snap_new();
	json_object *d, *h = NULL, *v = NULL;
	char *t;

	if (!CHECK(s, "report: allocate a snapshot"))
		return;
	s->hint.offer = HINT_NOT_OFFERED;
	snprintf(s->probe[PROBE_HINTING].reason, sizeof(s->probe[PROBE_HINTING].reason),
		 "virtio0 (virtio balloon) does not offer free page hinting");
	d = render_json(s);
	t = render_text(s);
	CHECK(d && json_object_object_get_ex(d, "hinting", &h) &&
		  json_object_object_get_ex(h, "runs_total", &v) && v &&
		  json_object_get_int64(v) == 0,
	      "report: hinting not offered: zero runs, known");
	CHECK(h && json_object_object_get_ex(h, "reason", &v) && v &&
		  strstr(json_object_get_string(v), "does not offer"),
	      "report: hinting not offered: the reason");
	CHECK(t && !strstr(t, "\nhinting:"), "report: no hinting line where it is not offered");
	json_object_put(d);
	free(t);
	s->hint.offer = HINT_OFFERED;
	d = render_json(s);
	t = render_text(s);
	CHECK(d && json_object_object_get_ex(d, "hinting", &h) && is_null(h, "runs_total") &&
		  is_null(h, "hinted_bytes_total"),
	      "report: hinting offered, not observable: null");
	CHECK(t && strstr(t, "\nhinting: n/a"), "report: ... and n/a in text");
	json_object_put(d);
	free(t);
	free(s);
}

/*
 * A known sample set, its figures worked out by hand from the rule
 * hist.c documents: nearest rank (the smallest value with at least p% of
 * the samples at or below it), shown as the middle of that value's slot,
 * kept within the exact [min, max].  Above 16 a slot is 2^(msb-4) wide:
 *   50 x 4096 ns      slot [4096, 4352)          middle 4224
 *   40 x 65536 ns     slot [65536, 69632)        middle 67584
 *    9 x 1048576 ns   slot [1048576, 1114112)    middle 1081344
 *    1 x 16777216 ns  the maximum, exact
 * p50 = rank 50 -> 4224, p90 = rank 90 -> 67584, p99 = rank 99 -> 1081344.
 */
#define KNOWN_P50 4224ULL
#define KNOWN_P90 67584ULL
#define KNOWN_P99 1081344ULL
#define KNOWN_MIN 4096ULL
#define KNOWN_MAX 16777216ULL
#define KNOWN_SUM (50ULL * 4096 + 40ULL * 65536 + 9ULL * 1048576 + 16777216)

static void add_known(struct snap_hist *h)
{
	int i;

	for (i = 0; i < 50; i++)
		hist_add(h, 4096);
	for (i = 0; i < 40; i++)
		hist_add(h, 65536);
	for (i = 0; i < 9; i++)
		hist_add(h, 1048576);
	hist_add(h, 16777216);
}

static int64_t jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return -1;
	return json_object_get_int64(v);
}

/* the fields of text line `prefix`, spaces collapsed, after the prefix */
static const char *text_row(const char *text, const char *prefix, char *out, size_t len)
{
	const char *p = text;
	size_t n = strlen(prefix), j = 0;

	while (p && *p) {
		const char *e = strchr(p, '\n');

		if (!strncmp(p, prefix, n)) {
			bool space = true;

			for (p += n; *p && *p != '\n' && j + 1 < len; p++) {
				if (*p == ' ') {
					space = true;
					continue;
				}
				if (space && j)
					out[j++] = ' ';
				if (j + 1 < len)
					out[j++] = *p;
				space = false;
			}
			out[j] = '\0';
			return out;
		}
		p = e ? e + 1 : NULL;
	}
	snprintf(out, len, "(no line \"%s\")", prefix);
	return out;
}

static struct prtop_snapshot *snap_measured(void)
{
	struct prtop_snapshot *s = snap_new();
	int i;

	if (!s)
		return NULL;
	set_probe(s, PROBE_DELAY, MODE_TRACEPOINT);
	set_probe(s, PROBE_REPORT, MODE_FENTRY);
	set_probe(s, PROBE_REUSE, MODE_SCAN);
	set_probe(s, PROBE_FREE_LISTS, MODE_PROCFS);
	add_known(&s->hist[PRTOP_H_WORKER_RUN]);
	/* report(): 10 round trips of 3 ms, slot [2883584, 3014656): p50 3 ms (the exact min) */
	for (i = 0; i < 10; i++)
		hist_add(&s->hist[PRTOP_H_REPORT], 3000000);
	/* reuse age: one of 2 s, one of 8 s */
	hist_add(&s->reuse_age, 2000000000ULL);
	hist_add(&s->reuse_age, 8000000000ULL);
	s->max_order = 11;
	s->knob_order = (struct snap_knob){.known = true, .value = 9, .source = "module parameter"};
	/* three order-9 blocks (6 MiB) and two order-10 blocks (8 MiB) reported, in 4 batches */
	s->order[9].reported_pages = 3 * 512;
	s->order[10].reported_pages = 2 * 1024;
	s->order[9].reused_pages = 512;
	s->c.report_pages = 3 * 512 + 2 * 1024;
	s->c.report_bytes = s->c.report_pages * 4096;
	s->c.report_calls = 4;
	s->reuse_bytes = 512 * 4096;
	s->reuse_ranges = 1;
	snap_fill_orders(s);
	/* as the collector does: report() observed, so prtop's count is what returned */
	s->returned = (struct snap_returned){RETURNED_PRTOP, s->c.report_bytes};
	return s;
}

static void json_percentiles(void)
{
	struct prtop_snapshot *s = snap_measured();
	json_object *d, *h = NULL;

	if (!CHECK(s, "report: allocate a snapshot"))
		return;
	d = render_json(s);
	json_object_object_get_ex(d, "worker_run_ns", &h);
	CHECK_U64(jget(h, "count"), 100, "report: JSON worker_run_ns count of 100 known samples");
	CHECK_U64(jget(h, "sum"), KNOWN_SUM, "report: JSON worker_run_ns sum, exact");
	CHECK_U64(jget(h, "min"), KNOWN_MIN, "report: JSON worker_run_ns min, exact");
	CHECK_U64(jget(h, "p50"), KNOWN_P50,
		  "report: JSON worker_run_ns p50 = rank 50's slot middle");
	CHECK_U64(jget(h, "p90"), KNOWN_P90,
		  "report: JSON worker_run_ns p90 = rank 90's slot middle");
	CHECK_U64(jget(h, "p99"), KNOWN_P99,
		  "report: JSON worker_run_ns p99 = rank 99's slot middle");
	CHECK_U64(jget(h, "max"), KNOWN_MAX, "report: JSON worker_run_ns max, exact");
	h = NULL;
	json_object_object_get_ex(d, "report_ns", &h);
	CHECK(jget(h, "count") == 10 && jget(h, "p50") == 3000000 && jget(h, "p99") == 3000000 &&
		  jget(h, "sum") == 30000000,
	      "report: JSON report_ns from the report() histogram (10 x 3 ms)");
	h = NULL;
	json_object_object_get_ex(d, "request_delay_ns", &h);
	CHECK(jget(h, "count") == 0 && jget(h, "p50") == -1,
	      "report: JSON request_delay_ns: attached, no sample: count 0, p50 null");
	json_object_put(d);
	free(s);
}

/* the text latency table: the same samples in human units, each in its own row */
static void text_latency(void)
{
	struct prtop_snapshot *s = snap_measured();
	char row[256];
	char *t;

	if (!CHECK(s, "report: allocate a snapshot"))
		return;
	t = render_text(s);
	CHECK_STR(text_row(t ? t : "", "latency  what", row, sizeof(row)), "count p50 p99 max",
		  "report: text latency header: count, p50, p99, max");
	/* 4224 ns, 1081344 ns and 16777216 ns as fmt_ns shows them */
	CHECK_STR(text_row(t ? t : "", "latency  worker run time", row, sizeof(row)),
		  "100 4.22 \u00b5s 1.08 ms 16.8 ms",
		  "report: text worker run: count 100, p50 4.22 us, p99 1.08 ms, max 16.8 ms");
	CHECK_STR(text_row(t ? t : "", "latency  report() round trip", row, sizeof(row)),
		  "10 3.00 ms 3.00 ms 3.00 ms", "report: text report() row: its own 10 x 3 ms");
	CHECK_STR(text_row(t ? t : "", "latency  request\u2192run delay", row, sizeof(row)),
		  "0 \u2014 \u2014 \u2014", "report: text delay row: attached, no sample");
	/*
	 * reuse age: p50 = rank 1, 2 s's slot [1.946 s, 2.013 s) kept at the
	 * exact min 2 s; p99 = rank 2, 8 s's slot [29 x 2^28, 30 x 2^28) ns,
	 * middle 7918845952 ns; max the exact 8 s
	 */
	CHECK_STR(text_row(t ? t : "", "latency  reuse age", row, sizeof(row)),
		  "2 2.00 s 7.92 s 8.00 s", "report: text reuse age row: 2 s and 8 s");
	free(t);
	free(s);
}

/*
 * Per order: 6 MiB at order 9, 8 MiB at order 10, nothing elsewhere; the
 * per-order figures add up to the total in JSON and in text.
 */
static void per_order(void)
{
	struct prtop_snapshot *s = snap_measured();
	struct prtop_snapshot *prev = snap_new();
	json_object *d, *a = NULL;
	uint64_t sum = 0, pages = 0;
	double text_sum = 0;
	bool labels = true, others_zero = true;
	char row[256], *t, *line;
	int i, n = 0;

	if (!CHECK(s && prev, "report: allocate snapshots"))
		goto out;
	d = render_json(s);
	json_object_object_get_ex(d, "per_order", &a);
	for (i = 0; a && i < (int)json_object_array_length(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);
		int64_t b = jget(e, "reported_bytes");

		labels &= jget(e, "order") == i;
		sum += (uint64_t)b;
		pages += (uint64_t)jget(e, "reported_pages");
		if (i != 9 && i != 10)
			others_zero &= b == 0 && jget(e, "reused_bytes") == 0;
	}
	CHECK(a && json_object_array_length(a) == 11,
	      "report: JSON per_order covers orders 0..10 (max_order 11)");
	CHECK(labels, "report: JSON per_order entry i is order i");
	CHECK_U64(jget(json_object_array_get_idx(a, 9), "reported_bytes"), 6ULL << 20,
		  "report: JSON order 9 reported 3 x 2 MiB");
	CHECK_U64(jget(json_object_array_get_idx(a, 10), "reported_bytes"), 8ULL << 20,
		  "report: JSON order 10 reported 2 x 4 MiB");
	CHECK_U64(jget(json_object_array_get_idx(a, 9), "reused_bytes"), 2ULL << 20,
		  "report: JSON order 9 reused 2 MiB");
	CHECK(others_zero, "report: JSON other orders reported and reused nothing");
	CHECK_U64(sum, (uint64_t)jget(d, "reported_bytes_total"),
		  "report: JSON sum of per-order reported bytes = reported_bytes_total (14 MiB)");
	CHECK_U64(pages, (uint64_t)jget(d, "reported_pages_total"),
		  "report: JSON sum of per-order reported pages = reported_pages_total");
	json_object_put(d);

	t = render_text(s);
	CHECK_STR(text_row(t ? t : "", "order  order", row, sizeof(row)),
		  "free MiB reported MiB reused MiB cycles", "report: text order table header");
	CHECK_STR(text_row(t ? t : "", "order      9", row, sizeof(row)), "0.0 6.0 2.0 n/a",
		  "report: text order 9: 6.0 MiB reported, 2.0 MiB reused");
	CHECK_STR(text_row(t ? t : "", "order     10", row, sizeof(row)), "0.0 8.0 0.0 n/a",
		  "report: text order 10: 8.0 MiB reported");
	for (line = t; line && (line = strstr(line, "\norder ")); line++) {
		int o;
		double fr, rep;

		if (sscanf(line, "\norder %d %lf %lf", &o, &fr, &rep) == 3) {
			text_sum += rep;
			n++;
		}
	}
	CHECK(n == 2 && text_sum == 14.0,
	      "report: text per-order reported MiB add up to the 14 MiB total (%d rows, %.1f)", n,
	      text_sum);
	CHECK(t && strstr(t, "\ntotals: reported 14.0 MiB (3584 pages), batches 4, errors 0, "),
	      "report: text totals: 14.0 MiB, 3584 pages, 4 batches");
	free(t);

	/* rates over 2 s: the whole 14 MiB and 2 MiB reused since an empty sample */
	prev->returned.source = RETURNED_PRTOP;
	prev->mono_ns = 1000000000ULL;
	s->mono_ns = 3000000000ULL;
	t = render_text2(s, prev);
	CHECK(t && strstr(t, "\nrates: reported 7.00 MiB/s, batches 2.00/s, worker runs 0.00/s, "
			     "notifies n/a, reused 1.00 MiB/s\n"),
	      "report: text rates over 2 s: 7 MiB/s reported, 2 batches/s, 1 MiB/s reused");
	free(t);
out:
	free(prev);
	free(s);
}

/*
 * Every plain counter row (METRIC_CTR) reaches JSON under its key with the
 * value put in its counter, null where unknown, and the MF_TOTALS rows the
 * totals line: the table alone carries them, no presentation names them.
 */
static void plain_counters(void)
{
	struct prtop_snapshot *s = snap_new();
	json_object *d = NULL, *v;
	char want[96], *t = NULL;
	uint64_t got;
	int id, i, known = 0, bad = 0;

	if (!CHECK(s, "report: allocate a snapshot"))
		return;
	for (i = 0; i < PROBE__COUNT; i++)
		set_probe(s, i, MODE_PATCH_TP);
	for (id = 0; id < M__COUNT; id++)
		if (metric(id)->ctr)
			memcpy((char *)&s->c + metric(id)->ctr - 1, &(uint64_t){1000 + id},
			       sizeof(uint64_t));
	d = render_json(s);
	t = render_text(s);
	if (!CHECK(d && t, "report: render the snapshot"))
		goto out;
	for (id = 0; id < M__COUNT; id++) {
		if (!metric(id)->ctr || !metric(id)->json || strchr(metric(id)->json, '.'))
			continue;
		if (!json_object_object_get_ex(d, metric(id)->json, &v) ||
		    (metric_known(s, id) ? json_object_get_int64(v) != 1000 + id : v != NULL))
			bad++;
		known += metric_known(s, id);
		if (!(metric(id)->flags & MF_TOTALS))
			continue;
		snprintf(want, sizeof(want), ", %s %d", metric(id)->label, 1000 + id);
		if (!strstr(t, want))
			bad++;
	}
	CHECK(bad == 0 && known >= 7,
	      "report: every plain counter row in JSON and on the totals line with its value "
	      "(%d known, %d wrong)",
	      known, bad);
	CHECK(metric_counter(s, M_WORKER_RUNS, &got) && got == 1000 + M_WORKER_RUNS &&
		  s->c.worker_runs == got && !metric_counter(s, M_REPORTED_BYTES, &got),
	      "report: a row's counter is its struct member; a computed figure has none");
out:
	json_object_put(d);
	free(t);
	free(s);
}

void test_report(void)
{
	plain_counters();
	json_percentiles();
	text_latency();
	per_order();
	hinting();
	counters();
	run_detail_agrees();
	unknown_agrees();
}
