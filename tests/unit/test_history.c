// SPDX-License-Identifier: GPL-2.0
/*
 * The history ring (oldest first, wrapping, unknown kept apart from 0),
 * the figures taken from a sample, the strip's scale and levels, and the
 * JSON the -j frames carry.
 */
#include <string.h>
#include <json-c/json.h>

#include "history.h"
#include "unit.h"

#define MIB (1024.0 * 1024.0)

static void push1(struct history *h, double t, double ret, bool ret_known)
{
	double v[HF__COUNT] = {ret, 100, 1, 0};
	bool k[HF__COUNT] = {ret_known, true, true, false};

	history_push(h, t, v, k);
}

static void ring(void)
{
	struct history h;
	double v = -1;
	int i;

	CHECK(history_init(&h, 0) < 0, "history: 0 slots refused");
	CHECK(history_init(&h, HIST_MAX_SLOTS + 1) < 0, "history: more than a day refused");
	if (!CHECK(history_init(&h, 4) == 0, "history: 4 slots"))
		return;
	CHECK(!history_get(&h, HF_RETURNED, 0, &v), "history: empty ring has no slot 0");
	push1(&h, 0, 0, false);
	push1(&h, 1, 0, true);
	push1(&h, 2, 2.5, true);
	CHECK_U64(h.n, 3, "history: 3 slots after 3 pushes");
	CHECK(!history_get(&h, HF_RETURNED, 0, &v), "history: unknown slot reads unknown");
	CHECK(history_get(&h, HF_RETURNED, 1, &v) && v == 0, "history: a known 0 reads 0, known");
	CHECK(history_get(&h, HF_RETURNED, 2, &v) && v == 2.5, "history: slot 2 is the newest");
	CHECK(!history_get(&h, HF_REUSED, 2, &v), "history: a figure without source stays unknown");
	/* wrap: 6 pushes into 4 slots keep the last 4, oldest first */
	for (i = 3; i < 6; i++)
		push1(&h, i, i * 10, true);
	CHECK_U64(h.n, 4, "history: full ring keeps 4");
	CHECK(history_get(&h, HF_RETURNED, 0, &v) && v == 2.5, "history: wrapped, oldest is t=2");
	CHECK(history_get(&h, HF_RETURNED, 3, &v) && v == 50, "history: wrapped, newest is t=5");
	CHECK_DBL(history_time(&h, 0), 2, 0, "history: oldest slot's time");
	CHECK(!history_get(&h, HF_RETURNED, 4, &v), "history: no slot past the newest");
	/* rounded to 3 decimals: the JSON prints what is drawn */
	push1(&h, 6.00049, 1.23456, true);
	CHECK(history_get(&h, HF_RETURNED, 3, &v) && v == 1.235, "history: value rounded to 1.235");
	CHECK_DBL(history_time(&h, 3), 6.0, 0, "history: time rounded to ms");
	history_free(&h);
}

static void scale(void)
{
	struct history h;
	double max = -1;

	if (!CHECK(history_init(&h, 8) == 0, "scale: 8 slots"))
		return;
	push1(&h, 0, 0, false);
	CHECK(!history_max(&h, HF_RETURNED, 8, &max), "scale: only unknown: no max");
	push1(&h, 1, 400, true);
	push1(&h, 2, 100, true);
	push1(&h, 3, 0, false);
	push1(&h, 4, 200, true);
	CHECK(history_max(&h, HF_RETURNED, 8, &max) && max == 400, "scale: max of the window");
	CHECK(history_max(&h, HF_RETURNED, 2, &max) && max == 200,
	      "scale: max of the last 2 slots only (unknown skipped)");
	CHECK(history_max(&h, HF_RETURNED, 3, &max) && max == 200,
	      "scale: the last 3 slots (100, a gap, 200)");
	/* levels: 1 is known zero, top is the max; 8 eighths (UTF-8), 7 (ASCII) */
	CHECK_U64(history_level(0, 400, 8), 1, "level: 0 is the baseline 1");
	CHECK_U64(history_level(400, 400, 8), 8, "level: max is 8 of 8");
	CHECK_U64(history_level(200, 400, 8), 5, "level: half is 1 + floor(3.5 + .5) = 5");
	CHECK_U64(history_level(100, 400, 8), 3, "level: a quarter is 1 + floor(1.75 + .5) = 3");
	CHECK_U64(history_level(100, 400, 7), 3,
		  "level: a quarter of 7 is 1 + floor(1.5 + .5) = 3");
	CHECK_U64(history_level(399, 400, 7), 7, "level: near max is 7 of 7");
	CHECK_U64(history_level(28, 400, 8), 1, "level: 28/400 of 7 rounds to the baseline");
	CHECK_U64(history_level(29, 400, 8), 2, "level: 29/400 of 7 rounds up to 2");
	CHECK_U64(history_level(5, 0, 8), 1, "level: a zero scale draws the baseline");
	CHECK_U64(history_level(800, 400, 8), 8, "level: above the scale is clamped to the top");
	history_free(&h);
}

static void from_sample(void)
{
	static struct prtop_snapshot s;
	struct snap_rates r = {0};
	double v[HF__COUNT];
	bool k[HF__COUNT];

	memset(&s, 0, sizeof(s));
	s.page_size = 4096;
	s.knob_order = (struct snap_knob){.known = true, .value = 9};
	s.order[8].free_pages = 512;	 /* below the reporting order: not reportable */
	s.order[9].free_pages = 3 * 512; /* 3 x 2 MiB */
	s.order[10].free_pages = 2 * 1024;
	set_probe(&s, PROBE_FREE_LISTS, MODE_PROCFS);
	set_probe(&s, PROBE_WORKER, MODE_TRACEPOINT);
	r.returned_known = true;
	r.returned_bytes_per_s = 3 * MIB;
	r.worker_runs_per_s = 0.5;
	r.reused_bytes_per_s = 7 * MIB;
	history_sample(&s, &r, false, v, k);
	CHECK(!k[HF_RETURNED] && !k[HF_RUNS] && !k[HF_REUSED], "sample: no rates without prev");
	CHECK(k[HF_REPORTABLE] && v[HF_REPORTABLE] == 14, "sample: reportable 6 + 8 MiB, no prev");
	history_sample(&s, &r, true, v, k);
	CHECK(k[HF_RETURNED] && v[HF_RETURNED] == 3, "sample: returned 3 MiB/s");
	CHECK(k[HF_RUNS] && v[HF_RUNS] == 0.5, "sample: worker runs 0.5/s");
	CHECK(!k[HF_REUSED], "sample: reuse unknown without its probe (not 7, not 0)");
	CHECK(!k[HF_BACKLOG], "sample: the backlog unknown before a scan (not 0)");
	s.backlog = (struct snap_backlog){.known = true, .bytes = 3 * 1024 * 1024 + 512 * 1024};
	history_sample(&s, &r, true, v, k);
	CHECK(k[HF_BACKLOG] && v[HF_BACKLOG] == 3.5, "sample: backlog 3.5 MiB from the last scan");
	r.returned_known = false;
	s.knob_order.unspecified = true;
	history_sample(&s, &r, true, v, k);
	CHECK(!k[HF_RETURNED], "sample: returned unknown when the rate is");
	CHECK(!k[HF_REPORTABLE], "sample: reportable unknown when the order is");
}

static void as_json(void)
{
	struct history h;
	json_object *o, *a;

	if (!CHECK(history_init(&h, 3) == 0, "json: 3 slots"))
		return;
	push1(&h, 0, 0, false);
	push1(&h, 1.5, 12.25, true);
	o = history_json(&h);
	CHECK_STR(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		  "{\"t_s\":[0.000,1.500],\"returned_mib_per_s\":[null,12.250],"
		  "\"reportable_mib\":[100.000,100.000],\"worker_runs_per_s\":[1.000,1.000],"
		  "\"reused_mib_per_s\":[null,null],\"backlog_mib\":[null,null]}",
		  "json: every figure oldest first, unknown null");
	a = json_object_object_get(o, "returned_mib_per_s");
	CHECK_U64(json_object_array_length(a), 2, "json: one value per slot");
	json_object_put(o);
	history_free(&h);
}

void test_history(void)
{
	ring();
	scale();
	from_sample();
	as_json();
}
