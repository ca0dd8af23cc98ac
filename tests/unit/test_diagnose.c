// SPDX-License-Identifier: GPL-2.0
/* prtop doctor's "why is memory not returned" on made-up windows. */
#include <math.h>
#include <string.h>

#include "diagnose.h"
#include "knob.h"
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

/*
 * The kernel's per-pass budget worked by hand from mm/page_reporting.c:
 * DIV_ROUND_UP(nr_free, 16 * 32) + 1 calls of 32 blocks per list.  The
 * figures are this machine's Normal zone during a drain, whose first pass
 * reported exactly 640 MiB (reported_kib +655,360).
 */
static void budget_rule(void)
{
	uint64_t z[PRTOP_ORDERS] = {0}, calls;

	z[9] = 321;   /* ceil(321/512) + 1 = 2 calls x 32 x 2 MiB = 128 MiB */
	z[10] = 1415; /* ceil(1415/512) + 1 = 4 calls x 32 x 4 MiB = 512 MiB */
	CHECK_U64(pass_budget(z, 9, 32, 4096, &calls), 640ULL << 20,
		  "budget: 1/16 of each order's free blocks + one batch, per zone");
	CHECK_U64(calls, 4, "budget: the calls for the order holding the most");
	z[10] = 512;
	pass_budget(z, 9, 32, 4096, &calls);
	CHECK_U64(calls, 2, "budget: 512 blocks fit one call's sixteenth, + 1");
	z[10] = 513;
	pass_budget(z, 9, 32, 4096, &calls);
	CHECK_U64(calls, 3, "budget: 513 take one call more");
	CHECK_U64(pass_budget(z, 10, 64, 4096, &calls), 2ULL * 64 * (4ULL << 20),
		  "budget: capacity 64 at order 10: 2 calls of 64 blocks");
	CHECK_U64(pass_budget(z, 9, 0, 4096, &calls), 0, "budget: no capacity, unknown");
}

/* a drain: 1.5 GiB waiting, 256 MiB per pass a 2 s delay + 50 ms apart */
static void drain_base(struct drain_in *in)
{
	memset(in, 0, sizeof(*in));
	in->window_s = 6.15;
	in->bytes = 768ULL << 20;
	in->passes = 3;
	in->delay_s = 2.0;
	in->delay_from = "seen";
	in->run_s = 0.05;
	in->rtt_s = -1;
	in->batches = -1;
	in->backlog_known = true;
	in->backlog = 1536ULL << 20;
	in->budget = 256ULL << 20;
	in->budget_calls = 3;
	in->capacity = 32;
	in->max_waiting_mib = -1;
}

static void drain_bounds(void)
{
	struct drain_verdict v;
	struct drain_in in;

	drain_base(&in);
	CHECK(drain_bound(&in, &v) && v.bound == BOUND_BUDGET, "drain: several passes: the budget");
	CHECK_DBL(v.per_pass, 256.0 * (1 << 20), 1, "drain: bytes per pass");
	CHECK_DBL(v.interval_s, 2.05, 1e-9, "drain: a pass every delay + run time");
	CHECK_DBL(v.rate, 256.0 * (1 << 20) / 2.05, 1, "drain: rate = per pass / interval");
	CHECK_U64(v.passes_needed, 6, "drain: 1.5 GiB at 256 MiB a pass");
	CHECK_DBL(v.eta_s, 6 * 2.05, 1e-9, "drain: time to drain");
	in.run_s = -1;
	drain_bound(&in, &v);
	CHECK_DBL(v.interval_s, 2.05, 1e-9, "drain: run time unknown: the window over its passes");
	drain_base(&in);
	in.budget_calls = 2;
	CHECK(drain_bound(&in, &v) && v.bound == BOUND_CAPACITY,
	      "drain: a small free area (2 calls a list): the capacity");
	drain_base(&in);
	in.backlog = 200ULL << 20;
	CHECK(drain_bound(&in, &v) && v.bound == BOUND_DELAY,
	      "drain: what waits fits in a pass: the delay");
	drain_base(&in);
	in.run_s = 2.5; /* 2.5 s of each 4.5 s */
	in.rtt_s = 0.05;
	in.batches = 150; /* 50 a pass x 50 ms = 2.5 s of each 2.5 s run */
	CHECK(drain_bound(&in, &v) && v.bound == BOUND_DEVICE,
	      "drain: passes spent in report(): the device's round trip");
	in.batches = 9; /* 0.15 s of 2.5 s in report() */
	CHECK(drain_bound(&in, &v) && v.bound == BOUND_PASS, "drain: slow passes, not in report()");
	in.rtt_s = -1;
	CHECK(drain_bound(&in, &v) && v.bound == BOUND_PASS, "drain: slow passes, report() unseen");
	in.run_s = 1.9; /* under half of 3.9 s */
	CHECK(drain_bound(&in, &v) && v.bound == BOUND_BUDGET,
	      "drain: a pass under half the interval");
	drain_base(&in);
	in.passes = 0;
	in.bytes = 0;
	CHECK(!drain_bound(&in, &v), "drain: no pass, no vendor threshold: no verdict");
	in.max_waiting_mib = 1024;
	CHECK(drain_bound(&in, &v) && v.bound == BOUND_WAITING, "drain: no pass: max_waiting_mib");
	in.window_s = 2.5;
	CHECK(!drain_bound(&in, &v), "drain: ... not in a window shorter than the delay + 1 s");
	drain_base(&in);
	in.backlog = 32ULL << 20;
	CHECK(!drain_bound(&in, &v), "drain: under 64 MiB waiting is not a large free");
	in.backlog_known = false;
	in.backlog = 1ULL << 30;
	CHECK(!drain_bound(&in, &v), "drain: backlog unknown: no verdict");
}

/* the verdict from two snapshots, as doctor shows it */
static void drain_doctor(void)
{
	static struct prtop_snapshot a, b;
	const struct diag *x;
	struct diag d[DIAG_MAX];
	int i, n;

	base_snap(&a);
	set_probe(&a, PROBE_REPORT, MODE_NONE);
	set_probe(&a, PROBE_DELAY, MODE_TRACEPOINT);
	a.returned = (struct snap_returned){RETURNED_KERNEL_KIB, 0};
	a.knob_capacity = (struct snap_knob){true, 32, "entries", KNOB_SOURCE_CONSTANT, false};
	a.knob_delay_ms = (struct snap_knob){true, 2000, "ms", KNOB_SOURCE_CONSTANT, false};
	a.nzones = 2;
	a.zone_blocks[0][10] = 752; /* DMA32: less free memory */
	a.zone_blocks[1][9] = 321;
	a.zone_blocks[1][10] = 1415;
	a.backlog.known = true;
	a.backlog.bytes = 1536ULL << 20;
	b = a;
	b.backlog.bytes = 768ULL << 20; /* what the 3 passes left */
	b.mono_ns = a.mono_ns + 6150000000ULL;
	b.returned.bytes = 768ULL << 20;
	b.c.worker_runs = b.c.worker_runs_done = 3;
	for (i = 0; i < 3; i++) {
		hist_add(&b.hist[PRTOP_H_REQ_DELAY], 2000000000ULL);
		hist_add(&b.hist[PRTOP_H_WORKER_RUN], 50000000ULL);
	}
	n = diagnose(&b, &a, d, DIAG_MAX);
	x = find(d, n, "drain_bound");
	CHECK(x && x->has_drain && x->dv.bound == BOUND_BUDGET && x->din.passes == 3 &&
		  x->din.budget == 640ULL << 20 && !strcmp(x->din.delay_from, "seen"),
	      "doctor: the drain's bound from a window (%s)", x ? x->text : "");
	CHECK(x &&
		  strstr(x->text, "1.50 GiB to report from the window's start: 256 MiB per pass "
				  "every 2.05 s = 125 MiB/s, so 6 passes, about 12 s; bound: the "
				  "per-pass budget") &&
		  strstr(x->text, "the rule allows 640 MiB here") &&
		  strstr(x->text, "capacity (32, a compile-time constant here"),
	      "doctor: the figures and the knobs, named (%s)", x ? x->text : "");
	b.knob_capacity.source = KNOB_SOURCE_SYSCTL;
	b.knob_delay_ms.source = KNOB_SOURCE_MODPARAM;
	n = diagnose(&b, &a, d, DIAG_MAX);
	x = find(d, n, "drain_bound");
	CHECK(x && strstr(x->text, "'prtop knob capacity=64' gives 32 blocks more") &&
		  strstr(x->text, "the delay (2000 ms: 'prtop knob delay_ms=500')"),
	      "doctor: knobs this kernel offers, as commands (%s)", x ? x->text : "");
	b.backlog.bytes = 768ULL << 20; /* half of it returned, half waits: as the start */
	n = diagnose(&b, &a, d, DIAG_MAX);
	x = find(d, n, "drain_bound");
	CHECK(x && x->din.backlog == 1536ULL << 20,
	      "doctor: to report: what waited at the start, or returned + left, the more");
	a.backlog.bytes = 224ULL << 20; /* the free not on the lists yet at the start */
	n = diagnose(&b, &a, d, DIAG_MAX);
	x = find(d, n, "drain_bound");
	CHECK(x && x->din.backlog == 1536ULL << 20 && x->dv.bound == BOUND_BUDGET,
	      "doctor: ... a start that missed part of the free is made up from its end");
	a.backlog.bytes = 200ULL << 20;
	b.backlog.bytes = 0;
	b.returned.bytes = 200ULL << 20;
	b.c.worker_runs = b.c.worker_runs_done = 1;
	n = diagnose(&b, &a, d, DIAG_MAX);
	x = find(d, n, "drain_bound");
	CHECK(x && x->dv.bound == BOUND_DELAY &&
		  strstr(x->text, "200 MiB to report from the window's start fits in one pass "
				  "(200 MiB per pass every 2.05 s)") &&
		  strstr(x->text, "bound: the delay (2000 ms: 'prtop knob delay_ms=500')"),
	      "doctor: a backlog one pass takes: the delay (%s)", x ? x->text : "");
	a.backlog.bytes = b.backlog.bytes = 1536ULL << 20;
	b.returned.bytes = 768ULL << 20;
	b.c.worker_runs = b.c.worker_runs_done = 0;
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(!find(d, n, "drain_bound"), "doctor: memory returned with no pass ended: no pace");
	b.returned.bytes = 0;
	b.nparams = 1;
	str_copy(b.params[0].name, sizeof(b.params[0].name), "max_waiting_mib");
	str_copy(b.params[0].value, sizeof(b.params[0].value), "1024");
	n = diagnose(&b, &a, d, DIAG_MAX);
	x = find(d, n, "drain_bound");
	CHECK(x && x->dv.bound == BOUND_WAITING &&
		  strstr(x->text, "1.50 GiB waits unreported and no pass ran in 6.2 s") &&
		  strstr(x->text, "max_waiting_mib = 1024 MiB"),
	      "doctor: memory waits, no pass: the vendor threshold (%s)", x ? x->text : "");
	b.nparams = 0;
	b.returned.source = RETURNED_UNKNOWN;
	b.c.worker_runs = b.c.worker_runs_done = 3;
	n = diagnose(&b, &a, d, DIAG_MAX);
	CHECK(!find(d, n, "drain_bound"), "doctor: returned memory unknown: no verdict");
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
	budget_rule();
	drain_bounds();
	drain_doctor();
}
