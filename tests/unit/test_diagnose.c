// SPDX-License-Identifier: GPL-2.0
/* prtop doctor's "why is memory not returned" on made-up windows. */
#include <string.h>

#include "diagnose.h"
#include "unit.h"

static bool has(const struct diag *d, int n, const char *id, enum diag_level l)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(d[i].id, id) && d[i].level == l)
			return true;
	return false;
}

static void base_snap(struct prtop_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->page_size = 4096;
	str_copy(s->device, sizeof(s->device), "virtballoon_free_page_report");
	s->knob_order.known = true;
	s->knob_order.value = 9;
	s->max_order = 11;
	set_probe(s, PROBE_FREE_LISTS, MODE_PROCFS);
	set_probe(s, PROBE_REPORT, MODE_FENTRY);
	set_probe(s, PROBE_WORKER, MODE_FENTRY);
	set_probe(s, PROBE_NOTIFY, MODE_FENTRY);
}

void test_diagnose(void)
{
	static struct prtop_snapshot a, b;
	struct diag d[DIAG_MAX];
	int n;

	base_snap(&a);
	a.order[0].free_pages = 1 << 18; /* 1 GiB in order-0 pages */
	a.order[9].free_pages = 512;	 /* 2 MiB reportable */
	n = diagnose(&a, NULL, d, DIAG_MAX);
	CHECK(has(d, n, "fragmented", DIAG_PROBLEM), "diagnose: free memory below the order");
	a.order[10].free_pages = 1 << 18;
	n = diagnose(&a, NULL, d, DIAG_MAX);
	CHECK(has(d, n, "reportable", DIAG_INFO) && !has(d, n, "fragmented", DIAG_PROBLEM),
	      "diagnose: enough in large blocks");
	a.knob_order.value = 11;
	n = diagnose(&a, NULL, d, DIAG_MAX);
	CHECK(has(d, n, "order_above_top", DIAG_PROBLEM), "diagnose: the off switch");
	a.knob_order.value = 9;
	a.device[0] = '\0';
	a.device_none = true;
	n = diagnose(&a, NULL, d, DIAG_MAX);
	CHECK(has(d, n, "no_device", DIAG_PROBLEM), "diagnose: no device registered");
	a.device_none = false;
	n = diagnose(&a, NULL, d, DIAG_MAX);
	CHECK(has(d, n, "device_unconfirmed", DIAG_INFO) && !has(d, n, "no_device", DIAG_PROBLEM),
	      "diagnose: a device not confirmed yet is no fault");

	base_snap(&a);
	b = a;
	b.mono_ns = a.mono_ns + 3000000000ULL;
	b.c.report_calls = 10;
	b.c.report_errors = 4;
	b.c.report_bytes = 6 << 20;
	b.c.worker_runs = 1;
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(has(d, n, "batches_failing", DIAG_PROBLEM), "diagnose: failing batches");
	CHECK(has(d, n, "returning", DIAG_OK), "diagnose: memory is being returned");
	b = a;
	b.mono_ns = a.mono_ns + 3000000000ULL;
	b.c.notify_calls = 3;
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(has(d, n, "pending", DIAG_INFO), "diagnose: freed, not yet past the delay");
	b.c.worker_runs = 1;
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(!has(d, n, "pending", DIAG_INFO) && has(d, n, "ran_empty", DIAG_INFO),
	      "diagnose: a run that reported nothing");
	set_probe(&b, PROBE_REPORT, MODE_NONE);
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(has(d, n, "report_unseen", DIAG_INFO) && !has(d, n, "ran_empty", DIAG_INFO),
	      "diagnose: without the report probe, batches are unknown");
}
