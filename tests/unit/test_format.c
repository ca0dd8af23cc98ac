// SPDX-License-Identifier: GPL-2.0
/* Unit tests for src/format.c: human units, padding, snapshot fields. */
#include <stdlib.h>
#include <string.h>
#include "format.h"
#include "unit.h"

static void test_bytes(void)
{
	static const struct {
		uint64_t v;
		const char *want;
	} cases[] = {
	    {0, "0 B"},
	    {1, "1 B"},
	    {1023, "1023 B"},
	    {1024, "1.00 KiB"},
	    {1536, "1.50 KiB"},
	    {10 * 1024, "10.0 KiB"},
	    {100 * 1024, "100 KiB"},
	    {1023 * 1024, "1023 KiB"},
	    {1024 * 1024 - 1, "1.00 MiB"}, /* no "1024 KiB" */
	    {12ULL << 20, "12.0 MiB"},
	    {3ULL << 30, "3.00 GiB"},
	    {5ULL << 40, "5.00 TiB"},
	    {UINT64_MAX, "16.0 EiB"},
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(fmt_bytes(buf, sizeof(buf), cases[i].v), cases[i].want,
			  "format: fmt_bytes(%llu)", (unsigned long long)cases[i].v);
	fmt_bytes(buf, 4, 3ULL << 30);
	CHECK_STR(buf, "3.0", "format: fmt_bytes truncates to its buffer");
}

static void test_ns(void)
{
	static const struct {
		uint64_t v;
		const char *want;
	} cases[] = {
	    {0, "0 ns"},
	    {999, "999 ns"},
	    {1000, "1.00 \u00b5s"},
	    {12345, "12.3 \u00b5s"},
	    {999499, "999 \u00b5s"},
	    {999500, "1.00 ms"},
	    {4560000, "4.56 ms"},
	    {2010000000ULL, "2.01 s"},
	    {59940000000ULL, "59.9 s"},
	    {60000000000ULL, "1.00 min"},
	    {3 * 3600000000000ULL, "3.00 h"},
	};
	char buf[32];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(fmt_ns(buf, sizeof(buf), cases[i].v), cases[i].want,
			  "format: fmt_ns(%llu)", (unsigned long long)cases[i].v);
	fmt_set_ascii(true);
	CHECK_STR(fmt_ns(buf, sizeof(buf), 12345), "12.3 us", "format: fmt_ns in ASCII mode");
	CHECK_STR(fmt_dash(), "-", "format: dash in ASCII mode");
	fmt_set_ascii(false);
	CHECK_STR(fmt_dash(), "\u2014", "format: dash in UTF-8 mode");
}

static void test_counts_rates(void)
{
	char buf[32];

	CHECK_STR(fmt_count(buf, sizeof(buf), 0), "0", "format: count 0");
	CHECK_STR(fmt_run_delay(buf, sizeof(buf), 500), "500 ms", "format: run delay 500 ms");
	CHECK_STR(fmt_run_delay(buf, sizeof(buf), 0), "0 ms", "format: run delay 0 is known");
	CHECK_STR(fmt_run_delay(buf, sizeof(buf), PRTOP_DELAY_UNKNOWN), "unknown",
		  "format: a run queued before attach has an unknown delay, not a number");
	CHECK_STR(fmt_count(buf, sizeof(buf), 9999), "9999", "format: count 9999 stays exact");
	CHECK_STR(fmt_count(buf, sizeof(buf), 12345), "12.3k", "format: count 12345");
	CHECK_STR(fmt_count(buf, sizeof(buf), 999999), "1.00M",
		  "format: count 999999 rounds up a unit");
	CHECK_STR(fmt_count(buf, sizeof(buf), 4560000000ULL), "4.56G", "format: count 4.56G");
	CHECK_STR(fmt_per_s(buf, sizeof(buf), 0), "0.00/s", "format: rate 0");
	CHECK_STR(fmt_per_s(buf, sizeof(buf), -1), "0.00/s", "format: negative rate shows 0");
	CHECK_STR(fmt_per_s(buf, sizeof(buf), 0.5), "0.50/s", "format: rate 0.5");
	CHECK_STR(fmt_per_s(buf, sizeof(buf), 1234.4), "1234/s", "format: rate 1234");
	CHECK_STR(fmt_mib_per_s(buf, sizeof(buf), 12.5 * 1024 * 1024), "12.5 MiB/s",
		  "format: MiB/s");
	CHECK_STR(fmt_mib(buf, sizeof(buf), 0), "0.0", "format: MiB 0");
	CHECK_STR(fmt_mib(buf, sizeof(buf), 1536.0 * 1024), "1.5", "format: MiB 1.5");
	CHECK_STR(fmt_mib(buf, sizeof(buf), 20480.0 * 1024 * 1024), "20480",
		  "format: MiB without decimals above 10000");
	CHECK_STR(fmt_interval(buf, sizeof(buf), 0.2), "0.2 s", "format: interval 0.2");
	CHECK_STR(fmt_interval(buf, sizeof(buf), 1), "1 s", "format: interval 1");
	CHECK_STR(fmt_interval(buf, sizeof(buf), 3600), "3600 s",
		  "format: interval 3600, no exponent");
	CHECK_STR(fmt_interval(buf, sizeof(buf), 120), "120 s", "format: interval 120");
	CHECK_STR(fmt_uptime(buf, sizeof(buf), 42000000000ULL), "42s", "format: uptime 42s");
	CHECK_STR(fmt_uptime(buf, sizeof(buf), 185000000000ULL), "3m05s", "format: uptime 3m05s");
	CHECK_STR(fmt_uptime(buf, sizeof(buf), 7260000000000ULL), "2h01m", "format: uptime 2h01m");
	CHECK_STR(fmt_uptime(buf, sizeof(buf), 3 * 86400000000000ULL + 4 * 3600000000000ULL),
		  "3d04h", "format: uptime 3d04h");
}

static void test_pad_interval(void)
{
	char buf[32];

	CHECK_U64(fmt_width("abc"), 3, "format: width of ASCII");
	CHECK_U64(fmt_width("12 \u00b5s \u2014"), 7, "format: width counts code points, not bytes");
	CHECK_STR(fmt_pad(buf, sizeof(buf), "\u2014", 3, true), "  \u2014",
		  "format: right-aligned UTF-8 pads by columns");
	CHECK_STR(fmt_pad(buf, sizeof(buf), "ab", 4, false), "ab  ", "format: left-aligned pad");
	CHECK_STR(fmt_pad(buf, sizeof(buf), "abcdef", 3, true), "abcdef", "format: pad never cuts");
	CHECK_DBL(fmt_clamp_interval(0.01), 0.2, 1e-9, "format: clamp low");
	CHECK_DBL(fmt_clamp_interval(6000), 3600, 1e-9, "format: clamp high");
	CHECK_DBL(fmt_clamp_interval(1.5), 1.5, 1e-9, "format: clamp keeps");
	CHECK_DBL(fmt_step_interval(1, 1), 2, 1e-9, "format: + from 1");
	CHECK_DBL(fmt_step_interval(1, -1), 0.5, 1e-9, "format: - from 1");
	CHECK_DBL(fmt_step_interval(1.5, 1), 2, 1e-9, "format: + from 1.5");
	CHECK_DBL(fmt_step_interval(1.5, -1), 1, 1e-9, "format: - from 1.5");
	CHECK_DBL(fmt_step_interval(3600, 1), 3600, 1e-9, "format: + stops at 3600");
	CHECK_DBL(fmt_step_interval(fmt_step_interval(300, -1), 1), 300, 1e-9,
		  "format: - then + returns to -d 300");
	CHECK_DBL(fmt_step_interval(0.2, -1), 0.2, 1e-9, "format: - stops at 0.2");
	CHECK_DBL(fmt_step_interval(7200, 1), 7200, 1e-9, "format: + from above 3600 keeps it");
	CHECK_DBL(fmt_step_interval(120, -1), 60, 1e-9, "format: - from 120 goes to 60");
	CHECK_DBL(fmt_step_interval(0.1, 1), 0.2, 1e-9, "format: + from below 0.2 goes to 0.2");
}

static void test_snapshot_fields(void)
{
	struct prtop_snapshot *s = calloc(1, sizeof(*s));
	struct fmt_latency lat;
	char buf[160];
	int i;

	if (!CHECK(s, "format: allocate a snapshot"))
		return;
	s->knob_order =
	    (struct snap_knob){.known = true,
			       .value = 9,
			       .unit = "pages order",
			       .source = "module parameter page_reporting.page_reporting_order"};
	CHECK_STR(fmt_knob(buf, sizeof(buf), "order", &s->knob_order, NULL, false),
		  "order 9 (module parameter page_reporting.page_reporting_order)",
		  "format: known knob");
	CHECK_STR(fmt_knob(buf, sizeof(buf), "order", &s->knob_order, NULL, true),
		  "order 9 (module parameter)", "format: known knob, brief");
	s->knob_delay_ms =
	    (struct snap_knob){.known = true, .value = 2000, .unit = "ms", .source = "constant"};
	CHECK_STR(fmt_knob(buf, sizeof(buf), "delay", &s->knob_delay_ms, "ms", true),
		  "delay 2000 ms (constant)", "format: knob with unit, brief");
	s->knob_capacity =
	    (struct snap_knob){.known = true,
			       .value = 32,
			       .unit = "entries",
			       .source = "compile-time constant, needs the bundled patch"};
	CHECK_STR(fmt_knob(buf, sizeof(buf), "capacity", &s->knob_capacity, NULL, FMT_KNOB_CLAUSE),
		  "capacity 32 (compile-time constant)", "format: knob up to the comma");
	CHECK_STR(fmt_knob(buf, sizeof(buf), "capacity", &s->knob_capacity, NULL, FMT_KNOB_BRIEF),
		  "capacity 32 (compile-time constant)", "format: brief knob stops at a comma");
	CHECK_STR(fmt_knob(buf, sizeof(buf), "order", &s->knob_order, NULL, FMT_KNOB_CLAUSE),
		  "order 9 (module parameter page_reporting.page_reporting_order)",
		  "format: knob without a comma, clause is all of it");
	s->knob_delay_ms =
	    (struct snap_knob){.known = false, .value = 0, .unit = "ms", .source = NULL};
	CHECK_STR(fmt_knob(buf, sizeof(buf), "delay", &s->knob_delay_ms, "ms", false),
		  "delay ? (unknown)", "format: unknown knob");
	s->knob_order = (struct snap_knob){.known = true,
					   .value = 4294967295,
					   .unit = "order",
					   .source = "upstream module parameter",
					   .unspecified = true};
	CHECK_STR(fmt_knob(buf, sizeof(buf), "order", &s->knob_order, NULL, FMT_KNOB_BRIEF),
		  "order unspecified, the device decides (upstream module)",
		  "format: the order's sentinel is shown as such");

	for (i = 0; i < PROBE__COUNT; i++)
		set_probe(s, i, MODE_PROCFS);
	CHECK(!fmt_probe_missing(s), "format: no probe missing");
	set_probe(s, PROBE_WORKER, MODE_TRACEPOINT);
	set_probe(s, PROBE_REPORT, MODE_NONE);
	CHECK(fmt_probe_missing(s), "format: a probe missing");
	fmt_probe_short(buf, sizeof(buf), s, PROBE_WORKER);
	CHECK_STR(buf, "worker:tracepoint", "format: attached probe, short");
	fmt_probe_short(buf, sizeof(buf), s, PROBE_REPORT);
	CHECK_STR(buf, "report:\u2014", "format: missing probe, short");
	s->probe[PROBE_REPORT].lost = true;
	fmt_probe_short(buf, sizeof(buf), s, PROBE_REPORT);
	CHECK_STR(buf, "report:lost", "format: a probe whose module went away, short");
	snap_set_avail(s);
	CHECK(snap_has(s, SG_REPORT), "format: its counts stay known while it is lost");
	s->probe[PROBE_REPORT].lost = false;
	snap_set_avail(s);
	CHECK(!snap_has(s, SG_REPORT), "format: ... and unknown when it never attached");

	fmt_latency(s, FMT_LAT_REPORT, &lat);
	CHECK(!lat.attached && !strcmp(lat.p50, "n/a") && !strcmp(lat.count_s, "n/a"),
	      "format: latency of a missing probe is n/a");
	fmt_latency(s, FMT_LAT_WORKER, &lat);
	CHECK(lat.attached && !strcmp(lat.count_s, "0") && !strcmp(lat.p99, "\u2014"),
	      "format: latency without samples is a dash");
	for (i = 0; i < 100; i++)
		hist_add(&s->hist[PRTOP_H_WORKER_RUN], 100000);
	fmt_latency(s, FMT_LAT_WORKER, &lat);
	CHECK_U64(lat.count, 100, "format: latency count");
	CHECK(strstr(lat.p50, "\u00b5s") && atof(lat.p50) > 90 && atof(lat.p50) < 110,
	      "format: latency p50 of 100 us is in us (%s)", lat.p50);
	hist_add(&s->reuse_age, 2000000000ULL);
	fmt_latency(s, FMT_LAT_REUSE, &lat);
	CHECK(!lat.attached && !strcmp(lat.max, "n/a"), "format: reuse age n/a without reuse");
	set_probe(s, PROBE_REUSE, MODE_SCAN);
	fmt_latency(s, FMT_LAT_REUSE, &lat);
	CHECK(lat.count == 1 && strstr(lat.p99, " s"),
	      "format: reuse age comes from reuse_age (%s)", lat.p99);

	s->max_order = 11;
	snap_fill_orders(s);
	CHECK(s->order_low == 9, "format: order table starts at the knob");
	CHECK(!fmt_order_shown(s, 8) && fmt_order_shown(s, 9) && fmt_order_shown(s, 10) &&
		  !fmt_order_shown(s, 11),
	      "format: orders knob..max_order-1 shown");
	s->order[3].cycles = 1;
	CHECK(fmt_order_shown(s, 3), "format: an order with data is shown");
	s->knob_order.known = false;
	s->max_order = 5;
	snap_fill_orders(s);
	CHECK(s->order_low == 4, "format: without the knob the table starts at 9 or max below");
	free(s);
}

/* batch text and the live view write one order's row with one formatter */
static void test_order_row(void)
{
	struct prtop_snapshot *s = calloc(1, sizeof(*s));
	char buf[160];

	if (!CHECK(s, "format: allocate a snapshot"))
		return;
	s->page_size = 4096;
	s->avail[SG_FREE_LISTS] = s->avail[SG_REPORT] = s->avail[SG_CYCLE] = true;
	s->order[9] = (struct snap_order){
	    .free_pages = 512, .reported_pages = 1536, .reused_pages = 7, .cycles = 123456};
	CHECK_STR(fmt_order_head(buf, sizeof(buf), FMT_ORDER_TEXT),
		  "order   free MiB reported MiB reused MiB   cycles",
		  "format: order heading, text");
	CHECK_STR(fmt_order_head(buf, sizeof(buf), FMT_ORDER_SCREEN),
		  "order   free MiB reported MiB reused MiB  cycles",
		  "format: order heading, screen: cycles one column narrower");
	/* 512 and 1536 pages of 4 KiB: 2 and 6 MiB; reuse not tracked: n/a, never 0 */
	CHECK_STR(fmt_order_row(buf, sizeof(buf), s, 9, FMT_ORDER_TEXT),
		  "    9        2.0          6.0        n/a   123456",
		  "format: order row, text: MiB, n/a, the cycles in full");
	CHECK_STR(fmt_order_row(buf, sizeof(buf), s, 9, FMT_ORDER_SCREEN),
		  "    9        2.0          6.0        n/a    123k",
		  "format: order row, screen: the cycles as a count");
	s->avail[SG_CYCLE] = false;
	s->avail[SG_REUSE] = true;
	CHECK_STR(fmt_order_row(buf, sizeof(buf), s, 9, FMT_ORDER_SCREEN),
		  "    9        2.0          6.0        0.0     n/a",
		  "format: order row, screen: unknown cycles n/a, 7 reused pages 0.0 MiB");
	free(s);
}

static void test_wrapped(void)
{
	/* 8 + 68 columns, then "101 MiB": the number would end the line, its unit begin the next */
	static const char text[] = "aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeeeeeeee "
				   "ffffffffff gg 101 MiB in 788 (not counted)";
	char *buf = NULL, *nl;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!CHECK(f, "format: memstream"))
		return;
	fmt_print_wrapped(f, "        ", text);
	fclose(f);
	nl = buf ? strchr(buf, '\n') : NULL;
	CHECK(nl && nl - buf <= FMT_TEXT_COLS && strstr(nl, "\n        101 MiB in 788"),
	      "format: a wrapped line keeps a number with its unit (%s)", buf ? buf : "");
	free(buf);
}

void test_format(void)
{
	fmt_set_ascii(false);
	test_bytes();
	test_ns();
	test_counts_rates();
	test_pad_interval();
	test_snapshot_fields();
	test_order_row();
	test_wrapped();
}
