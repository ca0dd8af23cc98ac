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
	s->returned.source = RETURNED_PRTOP; /* as the collector picks with report() seen */
}

static const struct diag *find(const struct diag *d, int n, const char *id)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(d[i].id, id))
			return &d[i];
	return NULL;
}

/*
 * A vendor kernel where report() is unseen: the kernel's counter says what
 * returned; a window where nothing moved names the vendor threshold; MemFree
 * above the free lists is explained
 */
static void vendor_kernel(void)
{
	static struct prtop_snapshot a, b;
	const struct diag *x;
	struct diag d[DIAG_MAX];
	int n;

	base_snap(&a);
	set_probe(&a, PROBE_REPORT, MODE_NONE);
	set_probe(&a, PROBE_NOTIFY, MODE_NONE);
	a.returned = (struct snap_returned){RETURNED_KERNEL_KIB, 0};
	a.order[10].free_pages = 1 << 18; /* 1 GiB */
	a.nparams = 1;
	str_copy(a.params[0].name, sizeof(a.params[0].name), "max_waiting_mib");
	str_copy(a.params[0].value, sizeof(a.params[0].value), "1024");
	b = a;
	b.mono_ns = a.mono_ns + 8000000000ULL;
	b.returned.bytes = 980ULL << 20;
	b.c.worker_runs = 3;
	n = diagnose(&b, &a, d, DIAG_MAX);
	x = find(d, n, "returning");
	CHECK(x && x->level == DIAG_OK && strstr(x->text, "980 MiB in 8.0 s") &&
		  strstr(x->text, "reported_kib"),
	      "diagnose: the kernel's counter shows memory returned, named (%s)", x ? x->text : "");
	CHECK(!find(d, n, "report_unseen"), "diagnose: ... and report() unseen is no gap then");
	b.returned.bytes = 0;
	b.c.worker_runs = 0;
	b.order[10].free_pages += 600 * 256; /* 600 MiB freed, no run */
	n = diagnose(&b, &a, d, DIAG_MAX);
	x = find(d, n, "below_threshold");
	CHECK(x && strstr(x->text, "max_waiting_mib = 1024 MiB") && strstr(x->text, "rose by 600 MiB"),
	      "diagnose: nothing moved: the vendor threshold named, with what was freed (%s)",
	      x ? x->text : "");
	b.nparams = 0;
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(find(d, n, "idle") && !find(d, n, "below_threshold"),
	      "diagnose: nothing moved, no threshold: idle");
	b.mem_free = (1ULL << 30) + (600ULL << 20) + (9ULL << 30);
	n = diagnose(&b, NULL, d, DIAG_MAX);
	x = find(d, n, "outside_free_lists");
	CHECK(x && strstr(x->text, "is 9.00 GiB more than the free lists (1.59 GiB"),
	      "diagnose: MemFree above the free lists explained (%s)", x ? x->text : "");
	b.mem_free = (1ULL << 30) + (700ULL << 20);
	n = diagnose(&b, NULL, d, DIAG_MAX);
	CHECK(!find(d, n, "outside_free_lists"), "diagnose: ... not for 100 MiB on per-CPU lists");
	b.returned.source = RETURNED_UNKNOWN;
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(find(d, n, "report_unseen") && !find(d, n, "returning") && !find(d, n, "idle"),
	      "diagnose: nothing counts returned memory: unknown, no verdict");
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
	b.returned.bytes = 6 << 20;
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
	b.returned.source = RETURNED_UNKNOWN;
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(has(d, n, "report_unseen", DIAG_INFO) && !has(d, n, "ran_empty", DIAG_INFO),
	      "diagnose: without the report probe, batches are unknown");
	vendor_kernel();
}
