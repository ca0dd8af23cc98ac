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

static char *render_text(const struct prtop_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	text_frame(f, s, NULL, NULL);
	fclose(f);
	return buf;
}

static json_object *render_json(const struct prtop_snapshot *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_object *d;

	if (!f)
		return NULL;
	json_print(f, s, 1.0, JSON_COMPACT);
	fclose(f);
	d = json_tokener_parse(buf);
	free(buf);
	return d;
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

void test_report(void)
{
	run_detail_agrees();
	unknown_agrees();
}
