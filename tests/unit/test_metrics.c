// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for src/metrics.c: histogram conversion to second buckets, the
 * rendered text (both formats), label escaping, content negotiation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "metric_table.h"
#include "metrics.h"
#include "ui.h"
#include "unit.h"

#define PAGE 4096

static struct prtop_snapshot *snap_new(void)
{
	struct prtop_snapshot *s = calloc(1, sizeof(*s));
	int i;

	if (!s)
		return NULL;
	s->mono_ns = 5000000000ULL;
	s->seq = 7;
	snprintf(s->kernel, sizeof(s->kernel), "6.1.0-test");
	for (i = 0; i < PROBE__COUNT; i++)
		set_probe(s, i, MODE_NONE);
	set_probe(s, PROBE_WORKER, MODE_TRACEPOINT);
	set_probe(s, PROBE_DELAY, MODE_TRACEPOINT);
	set_probe(s, PROBE_FREE_LISTS, MODE_PROCFS);
	s->page_size = PAGE;
	s->max_order = 11;
	snap_fill_orders(s);
	s->knob_capacity =
	    (struct snap_knob){.known = true, .value = 32, .unit = "entries", .source = "constant"};
	s->knob_delay_ms =
	    (struct snap_knob){.known = true, .value = 2000, .unit = "ms", .source = "constant"};
	return s;
}

static char *render(const struct prtop_snapshot *s, bool om, struct mbuf *b)
{
	struct metrics_opts o = {.openmetrics = om, .version = "9.9"};

	*b = (struct mbuf){0};
	if (metrics_render(b, s, &o) || !b->data)
		return NULL;
	return b->data;
}

/* the line that starts with prefix (followed by a space), or NULL */
static const char *line_of(const char *text, const char *prefix)
{
	static char line[512];
	size_t n = strlen(prefix);
	const char *p = text;

	while (p && *p) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (len > n && !strncmp(p, prefix, n) && p[n] == ' ' && len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			return line;
		}
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

/* value of the sample named exactly series, as text */
static const char *value_of(const char *text, const char *series)
{
	const char *l = line_of(text, series);

	return l ? l + strlen(series) + 1 : "(missing)";
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void test_hist_buckets(void)
{
	const struct metrics_buckets *bk = &metrics_buckets_report;
	struct snap_hist *h = calloc(1, sizeof(*h));
	uint64_t cum[40], truth[40] = {0}, loose[40] = {0}, x = 88172645463325252ULL;
	bool never_over = true, close = true, monotonic = true;
	double sum, true_sum = 0;
	int i, k;

	if (!CHECK(h, "metrics: allocate a histogram"))
		return;
	metrics_hist_buckets(h, bk, cum, &sum);
	CHECK(cum[0] == 0 && cum[bk->n] == 0 && sum == 0,
	      "metrics: empty histogram, empty buckets");

	/* 500 ns: slot [496, 512) lies below 1 us */
	h->slot[prtop_hist_slot(500)] = 1;
	metrics_hist_buckets(h, bk, cum, &sum);
	CHECK_U64(cum[0], 1, "metrics: 500 ns counted under le=1e-06");
	CHECK_DBL(sum, 503.5e-9, 1e-12, "metrics: sum from the slot middle (503.5 ns)");
	memset(h, 0, sizeof(*h));
	hist_add(h, 500);
	metrics_hist_buckets(h, bk, cum, &sum);
	CHECK_DBL(sum, 500e-9, 1e-15, "metrics: the exact sum where it was kept (500 ns)");
	/* 1000 ns sits in slot [992, 1024), which reaches past 1 us: next bucket */
	hist_add(h, 1000);
	metrics_hist_buckets(h, bk, cum, &sum);
	CHECK_U64(cum[0], 1, "metrics: a slot straddling le=1e-06 is not counted there");
	CHECK_U64(cum[1], 2, "metrics: ... but in the next bucket (le=5e-06)");
	/* exact small values are summed exactly */
	memset(h, 0, sizeof(*h));
	hist_add(h, 3);
	hist_add(h, 7);
	metrics_hist_buckets(h, bk, cum, &sum);
	CHECK_DBL(sum, 10e-9, 1e-15, "metrics: values below 16 ns sum exactly");

	/* random values across 100 ns .. 4 s */
	memset(h, 0, sizeof(*h));
	for (i = 0; i < 20000; i++) {
		uint64_t v = 100 + xorshift(&x) % (1ULL << (7 + xorshift(&x) % 25));

		hist_add(h, v);
		true_sum += v / 1e9;
		for (k = 0; k < bk->n; k++) {
			truth[k] += v <= bk->le[k] * 1e9;
			loose[k] += v * 17 <= bk->le[k] * 1e9 * 16;
		}
	}
	metrics_hist_buckets(h, bk, cum, &sum);
	for (k = 0; k < bk->n; k++) {
		never_over &= cum[k] <= truth[k];
		close &= cum[k] >= loose[k];
		monotonic &= cum[k] <= cum[k + 1];
	}
	CHECK(never_over, "metrics: no bucket counts a sample that may exceed its bound");
	CHECK(close, "metrics: every sample at or below le*16/17 is counted in le");
	CHECK(monotonic, "metrics: buckets are cumulative");
	CHECK_U64(cum[bk->n], 20000, "metrics: +Inf holds every sample");
	CHECK_DBL(sum, true_sum, true_sum / 32, "metrics: sum within 1/32 of the true sum");
	free(h);
}

static void test_counters_and_hists(void)
{
	struct prtop_snapshot *s = snap_new();
	struct mbuf b;
	const char *t;

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	s->c.report_bytes = 123456789012ULL;
	s->returned = (struct snap_returned){RETURNED_PRTOP, 123456789012ULL};
	s->c.report_pages = 30141;
	s->c.report_calls = 8;
	s->c.report_errors = 1;
	s->c.worker_runs = 42;
	s->c.notify_state[PRTOP_STATE_REQUESTED] = 5;
	s->nents_hist[32] = 5;
	s->nents_hist[7] = 2;
	s->nents_hist[PRTOP_NENTS_SLOTS - 1] = 1;
	hist_add(&s->hist[PRTOP_H_REQ_DELAY], 2004000000ULL);
	set_probe(s, PROBE_REPORT, MODE_FENTRY);
	set_probe(s, PROBE_NOTIFY, MODE_FENTRY);
	set_probe(s, PROBE_REUSE, MODE_SCAN);
	s->reuse_bytes = 2 << 20;
	s->order[9].free_pages = 512;
	s->order[9].reported_pages = 1024;
	s->order[12].reported_pages = 4096; /* beyond buddyinfo's orders */
	snap_fill_orders(s);
	t = render(s, false, &b);
	if (!CHECK(t, "metrics: text renders")) {
		free(s);
		return;
	}
	CHECK_STR(value_of(t, "prtop_reported_bytes_total{source=\"prtop\"}"), "123456789012",
		  "metrics: reported bytes, exact 64-bit, prtop's count named as the source");
	CHECK_STR(value_of(t, "prtop_reported_pages_total"), "30141", "metrics: reported pages");
	CHECK_STR(value_of(t, "prtop_report_batches_total"), "8", "metrics: batches");
	CHECK_STR(value_of(t, "prtop_report_errors_total"), "1", "metrics: errors");
	CHECK_STR(value_of(t, "prtop_worker_runs_total"), "42", "metrics: worker runs");
	CHECK_STR(value_of(t, "prtop_notify_total{state=\"requested\"}"), "5",
		  "metrics: notify by state");
	CHECK_STR(value_of(t, "prtop_notify_total{state=\"idle\"}"), "0",
		  "metrics: notify states present at zero");
	CHECK(strstr(t, "# TYPE prtop_reported_bytes_total counter\n") != NULL,
	      "metrics: text TYPE names the _total sample");
	CHECK_STR(value_of(t, "prtop_report_batch_entries_bucket{le=\"4\"}"), "0",
		  "metrics: nents le=4");
	CHECK_STR(value_of(t, "prtop_report_batch_entries_bucket{le=\"8\"}"), "2",
		  "metrics: nents le=8");
	CHECK_STR(value_of(t, "prtop_report_batch_entries_bucket{le=\"32\"}"), "7",
		  "metrics: nents le=32 (full batches)");
	CHECK_STR(value_of(t, "prtop_report_batch_entries_bucket{le=\"64\"}"), "7",
		  "metrics: nents '>= 64' is not claimed by le=64");
	CHECK_STR(value_of(t, "prtop_report_batch_entries_bucket{le=\"+Inf\"}"), "8",
		  "metrics: nents +Inf");
	CHECK_STR(value_of(t, "prtop_report_batch_entries_count"), "8", "metrics: nents count");
	CHECK_STR(value_of(t, "prtop_report_batch_entries_sum"), "238", "metrics: nents sum");
	CHECK_STR(value_of(t, "prtop_request_delay_seconds_bucket{le=\"2\"}"), "0",
		  "metrics: a 2.004 s delay is not under le=2");
	CHECK_STR(value_of(t, "prtop_request_delay_seconds_bucket{le=\"2.25\"}"), "1",
		  "metrics: ... it is under le=2.25");
	CHECK_STR(value_of(t, "prtop_request_delay_seconds_count"), "1", "metrics: delay count");
	CHECK_STR(value_of(t, "prtop_report_duration_seconds_count"), "0",
		  "metrics: report duration present at zero when attached with no batch yet");
	CHECK_STR(value_of(t, "prtop_reused_bytes_total"), "2097152", "metrics: reused bytes");
	CHECK_STR(value_of(t, "prtop_free_bytes{order=\"9\"}"), "2097152",
		  "metrics: free bytes of order 9 from pages and page size");
	CHECK_STR(value_of(t, "prtop_order_reported_bytes_total{order=\"9\"}"), "4194304",
		  "metrics: reported bytes of order 9");
	CHECK_STR(value_of(t, "prtop_order_reported_bytes_total{order=\"12\"}"), "16777216",
		  "metrics: an order past buddyinfo with data is shown");
	CHECK_STR(value_of(t, "prtop_free_bytes{order=\"13\"}"), "(missing)",
		  "metrics: orders past the data are not");
	CHECK_STR(value_of(t, "prtop_samples_total"), "7", "metrics: samples taken");
	CHECK(!strstr(t, "prtop_kernel_param"), "metrics: no kernel counter family without one");
	mbuf_free(&b);
	s->nparams = 4;
	s->params[0] = (struct snap_param){"passes", "873", NULL, true, 873, 0};
	s->params[1] = (struct snap_param){"reported_kib", "5000", NULL, true, 5000, 1024};
	s->params[2] = (struct snap_param){"walked", "77", NULL, true, 77, 0};
	s->params[3] = (struct snap_param){"max_waiting_mib", "1024", NULL, false, 0, 1 << 20};
	t = render(s, false, &b);
	CHECK_STR(value_of(t, "prtop_kernel_worker_runs_total"), "873",
		  "metrics: the kernel's counter passes, as worker runs");
	CHECK_STR(value_of(t, "prtop_kernel_reported_bytes_total"), "5120000",
		  "metrics: the kernel's reported_kib, in bytes");
	CHECK_STR(value_of(t, "prtop_kernel_param_total{name=\"walked\"}"), "77",
		  "metrics: a counter of unknown meaning as the kernel keeps it");
	CHECK(!strstr(t, "name=\"passes\"") && !strstr(t, "name=\"reported_kib\""),
	      "metrics: known counters are in no generic family");
	CHECK(!strstr(t, "prtop_module_parameter{name=\"walked\"}"),
	      "metrics: a counter is no gauge");
	CHECK_STR(value_of(t, "prtop_module_parameter{name=\"max_waiting_mib\"}"), "1024",
		  "metrics: a numeric setting is a gauge");
	s->nparams = 0;
	mbuf_free(&b);
	set_probe(s, PROBE_REPORT, MODE_NONE);
	set_probe(s, PROBE_NOTIFY, MODE_NONE);
	s->returned = (struct snap_returned){RETURNED_UNKNOWN, 0};
	t = render(s, false, &b);
	CHECK(t && !strstr(t, "prtop_reported_bytes_total") &&
		  !strstr(t, "prtop_report_duration_seconds") && !strstr(t, "prtop_notify_total") &&
		  !strstr(t, "prtop_order_reported_bytes_total"),
	      "metrics: figures without a source are absent, not 0");
	CHECK_STR(value_of(t, "prtop_probe_attached{probe=\"report\",mode=\"none\"}"), "0",
		  "metrics: ... and prtop_probe_attached says so");
	mbuf_free(&b);
	s->returned = (struct snap_returned){RETURNED_KERNEL_KIB, 3 << 20};
	t = render(s, false, &b);
	CHECK_STR(value_of(t, "prtop_reported_bytes_total{source=\"kernel:reported_kib\"}"),
		  "3145728", "metrics: returned memory from the kernel's counter, named");
	CHECK(t && !strstr(t, "prtop_reported_pages_total"),
	      "metrics: ... while prtop's own report() figures stay absent");
	CHECK_STR(value_of(t, "prtop_free_reportable_bytes"), "2097152",
		  "metrics: reportable free bytes: order 9 and above");
	CHECK(t && !strstr(t, "prtop_report_backlog") && !strstr(t, "prtop_free_reported_bytes"),
	      "metrics: an unknown backlog is absent, not 0");
	mbuf_free(&b);
	s->backlog = (struct snap_backlog){.known = true,
					   .reportable_bytes = 3u << 30,
					   .reported_free_bytes = 1u << 30,
					   .bytes = 2u << 30,
					   .scan_ns = 25000000,
					   .drain_known = true,
					   .drain_bytes_per_s = 128 << 20,
					   .drain_window_s = 10};
	t = render(s, false, &b);
	CHECK(t && !strstr(t, "prtop_report_backlog_drain_seconds"),
	      "metrics: a time to return only when known");
	mbuf_free(&b);
	s->backlog.eta_known = true;
	s->backlog.eta_s = 16;
	t = render(s, false, &b);
	CHECK_STR(value_of(t, "prtop_report_backlog_bytes"), "2147483648",
		  "metrics: the backlog in bytes");
	CHECK_STR(value_of(t, "prtop_free_reported_bytes"), "1073741824",
		  "metrics: reported free memory in bytes");
	CHECK_STR(value_of(t, "prtop_report_backlog_drain_bytes_per_second"), "134217728",
		  "metrics: the drain in bytes per second");
	CHECK_STR(value_of(t, "prtop_report_backlog_drain_seconds"), "16",
		  "metrics: the time to return in seconds");
	CHECK_STR(value_of(t, "prtop_report_backlog_scan_seconds"), "0.025",
		  "metrics: the scan's cost in seconds");
	s->backlog = (struct snap_backlog){0};
	mbuf_free(&b);
	free(s);
}

static void test_labels_and_knobs(void)
{
	struct prtop_snapshot *s = snap_new();
	struct mbuf b;
	const char *t;

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	snprintf(s->kernel, sizeof(s->kernel), "6.1\"x\\y\nz");
	snprintf(s->params[0].name, 64, "page_reporting_order");
	snprintf(s->params[0].value, 64, "9");
	snprintf(s->params[1].name, 64, "enabled");
	snprintf(s->params[1].value, 64, "Y");
	snprintf(s->params[2].name, 64, "ratio");
	snprintf(s->params[2].value, 64, "0.25\n");
	s->nparams = 3;
	t = render(s, false, &b);
	if (!CHECK(t, "metrics: text renders")) {
		free(s);
		return;
	}
	CHECK(strstr(t, "prtop_build_info{version=\"9.9\",kernel=\"6.1\\\"x\\\\y\\nz\"} 1\n") !=
		  NULL,
	      "metrics: label values escape quote, backslash and newline");
	CHECK_STR(value_of(t, "prtop_module_parameter{name=\"page_reporting_order\"}"), "9",
		  "metrics: numeric module parameter");
	CHECK_STR(value_of(t, "prtop_module_parameter{name=\"ratio\"}"), "0.25",
		  "metrics: fractional module parameter, trailing newline ignored");
	CHECK(!strstr(t, "name=\"enabled\""), "metrics: non-numeric module parameter left out");
	CHECK(!strstr(t, "prtop_knob_page_reporting_order"),
	      "metrics: unknown order knob left out");
	CHECK_STR(value_of(t, "prtop_knob_capacity_entries"), "32", "metrics: capacity knob");
	CHECK_STR(value_of(t, "prtop_knob_delay_seconds"), "2", "metrics: delay knob in seconds");
	CHECK_STR(value_of(t, "prtop_probe_attached{probe=\"worker\",mode=\"tracepoint\"}"), "1",
		  "metrics: attached probe says how");
	CHECK_STR(value_of(t, "prtop_probe_attached{probe=\"report\",mode=\"none\"}"), "0",
		  "metrics: missing probe is 0");
	CHECK(!strstr(t, "prtop_device_info"), "metrics: no device info while unknown");
	CHECK(!strstr(t, "# EOF"), "metrics: text format has no # EOF");
	mbuf_free(&b);
	free(s);
}

/* every sample belongs to a family declared before it, and no series repeats */
static bool well_formed(const char *text, bool om, char *why, size_t whylen)
{
	static const char *const sfx[] = {"_bucket", "_count", "_sum", "_total", "_info"};
	static char fams[128][96], series[1024][160];
	int nf = 0, ns = 0, i, j;
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		char line[512], name[96];
		size_t len, n;
		bool known = false;

		if (!e)
			return str_printf(why, whylen, "last line not terminated"), false;
		len = (size_t)(e - p);
		if (len >= sizeof(line))
			return str_printf(why, whylen, "line too long"), false;
		memcpy(line, p, len);
		line[len] = '\0';
		p = e + 1;
		if (!strncmp(line, "# TYPE ", 7)) {
			if (sscanf(line + 7, "%95s", fams[nf]) == 1 && nf < 127)
				nf++;
			continue;
		}
		if (line[0] == '#')
			continue;
		n = strcspn(line, "{ ");
		if (n >= sizeof(name) || !strchr(line, ' '))
			return str_printf(why, whylen, "bad sample: %s", line), false;
		memcpy(name, line, n);
		name[n] = '\0';
		for (i = 0; i < nf && !known; i++) {
			size_t fl = strlen(fams[i]);

			if (!strcmp(name, fams[i]))
				known = true;
			for (j = 0; j < 5 && !known; j++)
				known = !strncmp(name, fams[i], fl) && !strcmp(name + fl, sfx[j]);
		}
		if (!known)
			return str_printf(why, whylen, "no TYPE for %s", name), false;
		*strrchr(line, ' ') = '\0';
		for (i = 0; i < ns; i++)
			if (!strcmp(series[i], line))
				return str_printf(why, whylen, "repeated series %s", line), false;
		if (ns < 1024)
			str_copy(series[ns++], sizeof(series[0]), line);
	}
	if (om && !strstr(text, "\n# EOF\n"))
		return str_printf(why, whylen, "no # EOF"), false;
	return true;
}

static void test_formats(void)
{
	struct prtop_snapshot *s = snap_new();
	struct mbuf a, b, c;
	char why[256] = "";
	const char *t, *om, *t2;
	size_t n;

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	snprintf(s->device, sizeof(s->device), "virtballoon_free_page_report [virtio_balloon]");
	s->knob_order = (struct snap_knob){
	    .known = true, .value = 9, .unit = "order", .source = "module parameter"};
	set_probe(s, PROBE_REPORT, MODE_FENTRY);
	s->returned = (struct snap_returned){RETURNED_PRTOP, 0};
	t = render(s, false, &a);
	om = render(s, true, &b);
	t2 = render(s, false, &c);
	if (!CHECK(t && om && t2, "metrics: both formats render")) {
		free(s);
		return;
	}
	CHECK_STR(t2, t, "metrics: rendering is deterministic");
	CHECK(a.len == strlen(t), "metrics: buffer length matches the text");
	CHECK(well_formed(t, false, why, sizeof(why)), "metrics: text format well formed%s%s",
	      why[0] ? ": " : "", why);
	why[0] = '\0';
	CHECK(well_formed(om, true, why, sizeof(why)), "metrics: OpenMetrics well formed%s%s",
	      why[0] ? ": " : "", why);
	n = strlen(om);
	CHECK(n > 6 && !strcmp(om + n - 6, "# EOF\n"), "metrics: OpenMetrics ends with # EOF");
	CHECK(
	    strstr(om, "# TYPE prtop_reported_bytes counter\n# UNIT prtop_reported_bytes bytes\n"),
	    "metrics: OpenMetrics family without _total, with UNIT");
	CHECK(strstr(om, "# TYPE prtop_build info\n") && strstr(om, "\nprtop_build_info{"),
	      "metrics: OpenMetrics build info is an info metric");
	CHECK(strstr(t, "# TYPE prtop_build_info gauge\n") != NULL,
	      "metrics: text build info is a gauge");
	CHECK(!strstr(t, "# UNIT"), "metrics: text format has no UNIT lines");
	CHECK_STR(value_of(t, "prtop_device_info{device=\"virtballoon_free_page_report "
			      "[virtio_balloon]\"}"),
		  "1", "metrics: device info once known");
	CHECK_STR(value_of(t, "prtop_knob_page_reporting_order"), "9", "metrics: order knob");
	mbuf_free(&a);
	mbuf_free(&b);
	mbuf_free(&c);
	free(s);
}

static void test_exporter_facts(void)
{
	struct prtop_snapshot *s = snap_new();
	struct metrics_opts o = {.version = "1", .now_ns = 6500000000ULL, .scrapes = 3};
	struct mbuf b = {0};

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	CHECK(metrics_render(&b, s, &o) == 0, "metrics: render with exporter facts");
	if (b.data) {
		CHECK_STR(value_of(b.data, "prtop_snapshot_age_seconds"), "1.5",
			  "metrics: snapshot age from now_ns");
		CHECK_STR(value_of(b.data, "prtop_scrape_requests_total"), "3",
			  "metrics: scrape count");
	}
	mbuf_free(&b);
	free(s);
}

static void test_mbuf(void)
{
	struct mbuf b = {0};
	int i;

	for (i = 0; i < 5000; i++)
		mbuf_printf(&b, "%04d,", i);
	CHECK(!b.failed && b.len == 25000 && strlen(b.data) == 25000 &&
		  !strncmp(b.data + 24995, "4999,", 5),
	      "metrics: buffer grows and keeps everything");
	mbuf_free(&b);
	CHECK(b.data == NULL && b.len == 0, "metrics: buffer freed");
}

static void test_accept(void)
{
	static const struct {
		const char *accept;
		bool om;
	} cases[] = {
	    {NULL, false},
	    {"", false},
	    {"*/*", false},
	    {"text/plain", false},
	    {"text/plain;version=0.0.4", false},
	    {"application/openmetrics-text", true},
	    {"application/openmetrics-text; version=1.0.0; charset=utf-8", true},
	    {"APPLICATION/OpenMetrics-Text", true},
	    {"application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
	     "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
	     true},
	    {"application/openmetrics-text;q=0.5, text/plain", false},
	    {"text/plain;q=0.2, application/openmetrics-text;q=0.5", true},
	    {"application/openmetrics-text;q=0", false},
	    {"application/openmetrics-textx", false},
	    {"application/json", false},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(metrics_accept_openmetrics(cases[i].accept) == cases[i].om,
		      "metrics: Accept \"%s\" -> %s", cases[i].accept ? cases[i].accept : "(none)",
		      cases[i].om ? "OpenMetrics" : "text");
}

/*
 * the patch-only families: absent without the patch's tracepoints, not 0;
 * those of the v2 series' events (walks, boundary resets, zones walked)
 * absent with v3's too
 */
static void test_patch_only(void)
{
	struct prtop_snapshot *s = snap_new();
	struct mbuf b;
	const char *t;

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	t = render(s, false, &b);
	CHECK(t && !strstr(t, "prtop_boundary_resets") && !strstr(t, "prtop_worker_errors") &&
		  !strstr(t, "prtop_cycle_budget_exhausted"),
	      "metrics: patch-only families absent without the patch");
	mbuf_free(&b);
	set_probe(s, PROBE_CYCLE, MODE_FENTRY);
	set_probe(s, PROBE_WORKER, MODE_PATCH_TP);
	s->c.reset_report = 21;
	s->c.reset_stop = 2;
	s->c.reset_rotated = 1;
	s->c.cycle_exhausted = 5;
	s->c.worker_errors = 3;
	s->c.worker_zones = 12;
	t = render(s, false, &b);
	CHECK_STR(value_of(t, "prtop_worker_errors_total"), "3", "metrics: failed runs");
	CHECK(t && !strstr(t, "prtop_boundary_resets") && !strstr(t, "prtop_boundary_rotations") &&
		  !strstr(t, "prtop_cycle_budget_exhausted") &&
		  !strstr(t, "prtop_worker_zones_walked"),
	      "metrics: the v2 series' families absent with the patch's v3 tracepoints");
	mbuf_free(&b);
	free(s);
}

/* hinting series only where the device offers it and the probe attached */
static void test_hinting(void)
{
	struct prtop_snapshot *s = snap_new();
	struct mbuf b;
	const char *t;

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	s->hint.offer = HINT_NOT_OFFERED;
	s->hint.block_bytes = 4 << 20;
	t = render(s, false, &b);
	CHECK(t && !strstr(t, "prtop_hint_"), "metrics: no hinting series where it is not offered");
	free(b.data);
	s->hint.offer = HINT_OFFERED;
	s->c.hint_runs = 2;
	s->c.hint_blocks = 60;
	s->c.hint_returned_blocks = 58;
	s->c.hint_shrunk_pages = 2048;
	set_probe(s, PROBE_HINTING, MODE_FENTRY);
	hist_add(&s->hist[PRTOP_H_HINT_RUN], 115000000);
	t = render(s, false, &b);
	CHECK_STR(t ? value_of(t, "prtop_hint_runs_total") : "", "2", "metrics: hinting runs");
	CHECK_STR(t ? value_of(t, "prtop_hint_hinted_bytes_total") : "", "251658240",
		  "metrics: hinted bytes = blocks x 4 MiB");
	CHECK_STR(t ? value_of(t, "prtop_hint_returned_bytes_total") : "", "243269632",
		  "metrics: returned bytes");
	CHECK(t && !strstr(t, "prtop_hint_shrinker_bytes"),
	      "metrics: shrinker bytes absent without the shrinker probe");
	CHECK_STR(t ? value_of(t, "prtop_hint_run_duration_seconds_count") : "", "1",
		  "metrics: hinting run histogram");
	free(b.data);
	set_probe(s, PROBE_HINT_SHRINK, MODE_TRACEPOINT);
	t = render(s, false, &b);
	CHECK_STR(t ? value_of(t, "prtop_hint_shrinker_bytes_total") : "", "8388608",
		  "metrics: shrinker bytes = pages x page size");
	free(b.data);
	free(s);
}

/*
 * prtop_worker_run_duration_seconds from a known sample set, every bucket
 * worked out by hand: a slot counts in the first bound at or above its
 * largest value (metrics.c).  Samples and their slots:
 *   50 x 4096 ns      [4096, 4352)         -> le=1e-05
 *   40 x 65536 ns     [65536, 69632)       -> le=0.0001
 *    9 x 1048576 ns   [1048576, 1114112)   -> le=0.0025 (past 1 ms)
 *    1 x 16777216 ns  [16777216, 17825792) -> le=0.025
 * The request delay: 3 x 2.004 s ([1.946 s, 2.013 s) -> le=2.25) and one
 * of 7 s ([6.979 s, 7.248 s) -> le=10).
 */
static void test_worker_hist_values(void)
{
	static const struct {
		const char *le, *cum;
	} worker[] = {
	    {"1e-05", "50"},  {"5e-05", "50"},	{"0.0001", "90"}, {"0.00025", "90"},
	    {"0.0005", "90"}, {"0.001", "90"},	{"0.0025", "99"}, {"0.005", "99"},
	    {"0.01", "99"},   {"0.025", "100"}, {"0.05", "100"},  {"0.1", "100"},
	    {"0.25", "100"},  {"0.5", "100"},	{"1", "100"},	  {"2.5", "100"},
	    {"+Inf", "100"},
	};
	static const struct {
		const char *le, *cum;
	} delay[] = {
	    {"0.25", "0"}, {"0.5", "0"}, {"1", "0"},  {"1.5", "0"},  {"2", "0"},
	    {"2.25", "3"}, {"2.5", "3"}, {"3", "3"},  {"4", "3"},    {"5", "3"},
	    {"10", "4"},   {"30", "4"},	 {"60", "4"}, {"+Inf", "4"},
	};
	struct prtop_snapshot *s = snap_new();
	char series[128];
	struct mbuf b;
	const char *t;
	size_t i;
	int k;

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	for (k = 0; k < 50; k++)
		hist_add(&s->hist[PRTOP_H_WORKER_RUN], 4096);
	for (k = 0; k < 40; k++)
		hist_add(&s->hist[PRTOP_H_WORKER_RUN], 65536);
	for (k = 0; k < 9; k++)
		hist_add(&s->hist[PRTOP_H_WORKER_RUN], 1048576);
	hist_add(&s->hist[PRTOP_H_WORKER_RUN], 16777216);
	for (k = 0; k < 3; k++)
		hist_add(&s->hist[PRTOP_H_REQ_DELAY], 2004000000ULL);
	hist_add(&s->hist[PRTOP_H_REQ_DELAY], 7000000000ULL);
	t = render(s, false, &b);
	if (!CHECK(t, "metrics: text renders")) {
		free(s);
		return;
	}
	for (i = 0; i < sizeof(worker) / sizeof(worker[0]); i++) {
		snprintf(series, sizeof(series),
			 "prtop_worker_run_duration_seconds_bucket{le=\"%s\"}", worker[i].le);
		CHECK_STR(value_of(t, series), worker[i].cum,
			  "metrics: worker run of 100 known samples, le=%s", worker[i].le);
	}
	CHECK_STR(value_of(t, "prtop_worker_run_duration_seconds_count"), "100",
		  "metrics: worker run _count = 100 samples");
	/* 50 x 4096 + 40 x 65536 + 9 x 1048576 + 16777216 ns, exact */
	CHECK_STR(value_of(t, "prtop_worker_run_duration_seconds_sum"), "0.02904064",
		  "metrics: worker run _sum = 29040640 ns in seconds");
	for (i = 0; i < sizeof(delay) / sizeof(delay[0]); i++) {
		snprintf(series, sizeof(series), "prtop_request_delay_seconds_bucket{le=\"%s\"}",
			 delay[i].le);
		CHECK_STR(value_of(t, series), delay[i].cum,
			  "metrics: request delay of 3 x 2.004 s + 7 s, le=%s", delay[i].le);
	}
	CHECK_STR(value_of(t, "prtop_request_delay_seconds_sum"), "13.012",
		  "metrics: request delay _sum = 3 x 2.004 + 7 s");
	mbuf_free(&b);
	free(s);
}

/* a /metrics sample's value as a number, or -1 */
static double num_of(const char *text, const char *series)
{
	const char *v = value_of(text, series);

	return strcmp(v, "(missing)") ? strtod(v, NULL) : -1;
}

/*
 * The exporter and stat --json render the same snapshot: every histogram's
 * _count and _sum equal the JSON's count and sum (ns there, s here).
 */
static void test_hist_json_agree(void)
{
	static const struct {
		const char *json, *family;
		int hist; /* -1: reuse_age */
	} h[] = {
	    {"worker_run_ns", "prtop_worker_run_duration_seconds", PRTOP_H_WORKER_RUN},
	    {"request_delay_ns", "prtop_request_delay_seconds", PRTOP_H_REQ_DELAY},
	    {"report_ns", "prtop_report_duration_seconds", PRTOP_H_REPORT},
	    {"age_ns", "prtop_reuse_age_seconds", -1},
	};
	struct prtop_snapshot *s = snap_new();
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	json_object *d, *o, *r = NULL;
	char series[128];
	struct mbuf b;
	const char *t;
	size_t i;
	int k;

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	set_probe(s, PROBE_REPORT, MODE_FENTRY);
	set_probe(s, PROBE_REUSE, MODE_SCAN);
	for (k = 0; k < 500; k++) {
		hist_add(&s->hist[PRTOP_H_WORKER_RUN], 1000 + xorshift(&x) % 50000000);
		hist_add(&s->hist[PRTOP_H_REPORT], 500 + xorshift(&x) % 2000000);
		if (k % 5 == 0)
			hist_add(&s->hist[PRTOP_H_REQ_DELAY],
				 2000000000ULL + xorshift(&x) % 9000000);
		if (k % 50 == 0)
			hist_add(&s->reuse_age, xorshift(&x) % 4000000000000ULL);
	}
	t = render(s, false, &b);
	d = snap_json(s, NULL, 0);
	if (!CHECK(t && d, "metrics: /metrics and JSON render")) {
		mbuf_free(&b);
		json_object_put(d);
		free(s);
		return;
	}
	json_object_object_get_ex(d, "reuse", &r);
	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		json_object *src = h[i].hist < 0 ? r : d, *c = NULL, *sm = NULL;
		double cnt, sum;

		o = NULL;
		json_object_object_get_ex(src, h[i].json, &o);
		json_object_object_get_ex(o, "count", &c);
		json_object_object_get_ex(o, "sum", &sm);
		snprintf(series, sizeof(series), "%s_count", h[i].family);
		cnt = num_of(t, series);
		snprintf(series, sizeof(series), "%s_sum", h[i].family);
		sum = num_of(t, series);
		CHECK(c && cnt == (double)json_object_get_int64(c) && cnt > 0,
		      "metrics: %s_count = JSON %s.count (%g)", h[i].family, h[i].json, cnt);
		/* %.10g keeps 10 digits: 1e-9 relative */
		CHECK(sm && sum > 0 &&
			  fabs(sum * 1e9 - (double)json_object_get_int64(sm)) <=
			      1e-9 * (double)json_object_get_int64(sm),
		      "metrics: %s_sum = JSON %s.sum / 1e9 (%.10g s)", h[i].family, h[i].json, sum);
		snprintf(series, sizeof(series), "%s_bucket{le=\"+Inf\"}", h[i].family);
		CHECK(num_of(t, series) == cnt, "metrics: %s +Inf bucket = _count", h[i].family);
	}
	json_object_put(d);
	mbuf_free(&b);
	free(s);
}

/*
 * Every plain counter row with a family (METRIC_CTR) is a sample of its
 * family with the value put in its counter where known, and absent where
 * not: /metrics takes them from the table, not from a line of its own.
 */
static void plain_counters(void)
{
	struct prtop_snapshot *s = snap_new();
	struct mbuf b;
	char want[32];
	const char *t;
	int id, i, known = 0, bad = 0;

	if (!CHECK(s, "metrics: allocate a snapshot"))
		return;
	for (i = 0; i < PROBE__COUNT; i++)
		set_probe(s, i, i == PROBE_REPORT ? MODE_NONE : MODE_PATCH_TP);
	for (id = 0; id < M__COUNT; id++)
		if (metric(id)->ctr)
			memcpy((char *)&s->c + metric(id)->ctr - 1, &(uint64_t){2000 + id},
			       sizeof(uint64_t));
	t = render(s, false, &b);
	for (id = 0; t && id < M__COUNT; id++) {
		if (!metric(id)->ctr || !metric(id)->prom)
			continue;
		snprintf(want, sizeof(want), "%d", 2000 + id);
		if (metric_known(s, id) ? strcmp(value_of(t, metric(id)->prom), want)
					: line_of(t, metric(id)->prom) != NULL)
			bad++;
		known += metric_known(s, id);
	}
	CHECK(t && bad == 0 && known >= 2 && known < 12,
	      "metrics: every plain counter row a sample of its family with its value where known, "
	      "absent where not (%d known, %d wrong)",
	      known, bad);
	free(b.data);
	free(s);
}

void test_metrics(void)
{
	plain_counters();
	test_worker_hist_values();
	test_hist_json_agree();
	test_hinting();
	test_hist_buckets();
	test_counters_and_hists();
	test_labels_and_knobs();
	test_patch_only();
	test_formats();
	test_exporter_facts();
	test_mbuf();
	test_accept();
}
