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
#include "ui.h"
#include "unit.h"

static char *render_text2(const struct prtop_snapshot *s, const struct prtop_snapshot *prev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	text_frame(f, s, prev, NULL);
	fclose(f);
	return buf;
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
	/* from the patch's worker tracepoints: in both */
	set_probe(s, PROBE_WORKER, MODE_PATCH_TP);
	t = render_text(s);
	d = render_json(s);
	CHECK(
	    t && strstr(t, "\nruns: last used capacity 32, order 9, delay 2000 ms; zones walked 7"),
	    "report: text shows the run detail from the patch");
	CHECK(d && !is_null(d, "last_run") && !is_null(d, "zones_walked_total"),
	      "report: ... and so does JSON");
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
	CHECK(t && strstr(t, "totals: reported n/a (n/a pages), batches n/a, errors n/a, "
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
	prev->params[0] = (struct snap_param){"passes", "10", NULL, true, 10};
	cur->params[0] = (struct snap_param){"passes", "14", NULL, true, 14};
	prev->params[1] = (struct snap_param){"walked", "9", NULL, true, 9};
	cur->params[1] = (struct snap_param){"walked", "3", NULL, true, 3};
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

void test_report(void)
{
	hinting();
	counters();
	run_detail_agrees();
	unknown_agrees();
}
