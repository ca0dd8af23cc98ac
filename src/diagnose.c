// SPDX-License-Identifier: GPL-2.0
/*
 * prtop doctor's diagnosis: why memory is (not) returned to the host, from
 * a window of observation.  Each rule looks only at figures the snapshot
 * says it has (snap_has); what cannot be told is not guessed at.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "format.h"
#include "knob.h"

struct diags {
	struct diag *d;
	int n, max;
};

__attribute__((format(printf, 4, 5))) static void add(struct diags *ds, enum diag_level l,
						      const char *id, const char *fmt, ...)
{
	va_list ap;

	if (ds->n >= ds->max)
		return;
	memset(&ds->d[ds->n], 0, sizeof(ds->d[ds->n]));
	ds->d[ds->n].level = l;
	ds->d[ds->n].id = id;
	va_start(ap, fmt);
	vsnprintf(ds->d[ds->n].text, sizeof(ds->d[ds->n].text), fmt, ap);
	va_end(ap);
	ds->n++;
}

static uint64_t delta(uint64_t cur, uint64_t base)
{
	return cur >= base ? cur - base : 0;
}

#define D(field) delta(cur->c.field, base ? base->c.field : cur->c.field)

/* free memory: all of it, and the part in blocks of the reporting order or above */
static void free_split(const struct prtop_snapshot *s, int order, uint64_t *all, uint64_t *big)
{
	int i;

	*all = *big = 0;
	for (i = 0; i < PRTOP_ORDERS; i++) {
		uint64_t b = s->order[i].free_pages * s->page_size;

		*all += b;
		if (i >= order)
			*big += b;
	}
}

/*
 * MemFree counts free memory the buddy free lists do not hold (per-CPU
 * lists; memory some vendor kernels keep aside): say so where it is large,
 * or the two figures read as a contradiction
 */
static void outside(struct diags *ds, const struct prtop_snapshot *cur, uint64_t lists)
{
	char a[32], b[32], c[32];

	if (!cur->mem_free || cur->mem_free < lists + (256ULL << 20) ||
	    cur->mem_free < lists + lists / 10)
		return;
	add(ds, DIAG_INFO, "outside_free_lists",
	    "MemFree (%s) is %s more than the free lists (%s, /proc/buddyinfo): free memory "
	    "held outside them (per-CPU lists, memory the kernel keeps aside) is not walked "
	    "by reporting",
	    fmt_bytes(a, sizeof(a), cur->mem_free), fmt_bytes(b, sizeof(b), cur->mem_free - lists),
	    fmt_bytes(c, sizeof(c), lists));
}

/* a numeric module parameter, such as a vendor's max_waiting_mib */
static bool param_num(const struct prtop_snapshot *s, const char *name, long long *v)
{
	char *end;
	int i;

	for (i = 0; i < s->nparams && i < SNAP_MAX_PARAMS; i++) {
		if (strcmp(s->params[i].name, name))
			continue;
		*v = strtoll(s->params[i].value, &end, 10);
		return end != s->params[i].value && !*end;
	}
	return false;
}

/* memory returned over the window, when one source counted it throughout */
static bool returned_delta(const struct prtop_snapshot *cur, const struct prtop_snapshot *base,
			   uint64_t *d)
{
	if (cur->returned.source == RETURNED_UNKNOWN ||
	    base->returned.source != cur->returned.source ||
	    cur->returned.bytes < base->returned.bytes)
		return false;
	*d = cur->returned.bytes - base->returned.bytes;
	return true;
}

static void free_lists(struct diags *ds, const struct prtop_snapshot *cur)
{
	char a[32], b[32];
	uint64_t all, big;
	int order;

	if (!snap_has(cur, SG_FREE_LISTS) || !cur->knob_order.known || cur->knob_order.unspecified)
		return;
	order = (int)cur->knob_order.value;
	if (cur->max_order > 0 && order >= cur->max_order) {
		add(ds, DIAG_PROBLEM, "order_above_top",
		    "reporting is switched off: page_reporting_order is %d and the largest order "
		    "is %d; set it back with 'prtop knob order=9'",
		    order, cur->max_order - 1);
		return;
	}
	free_split(cur, order, &all, &big);
	outside(ds, cur, all);
	if (all >= 64ULL << 20 && big * 4 < all)
		add(ds, DIAG_PROBLEM, "fragmented",
		    "free memory is fragmented: %s free, only %s of it in blocks of order >= %d, "
		    "the smallest reporting takes; compaction (echo 1 > "
		    "/proc/sys/vm/compact_memory) or a lower order would free more",
		    fmt_bytes(a, sizeof(a), all), fmt_bytes(b, sizeof(b), big), order);
	else
		add(ds, DIAG_INFO, "reportable",
		    "%s of the %s on the free lists is in blocks of order >= %d, large enough "
		    "to report (some of it may be reported already)",
		    fmt_bytes(b, sizeof(b), big), fmt_bytes(a, sizeof(a), all), order);
}

static const char *delay_text(char *buf, size_t len, const struct prtop_snapshot *s)
{
	if (!s->knob_delay_ms.known)
		return "the delay (2 s upstream)";
	snprintf(buf, len, "%lld ms", (long long)s->knob_delay_ms.value);
	return buf;
}

/*
 * Nothing returned and no worker run in the window: name the reason where
 * the kernel shows one (a vendor threshold on what must be freed first)
 */
static void idle(struct diags *ds, const struct prtop_snapshot *cur,
		 const struct prtop_snapshot *base, double secs)
{
	long long wait_mib, order = cur->knob_order.known ? cur->knob_order.value : 9;
	uint64_t all, big0 = 0, big = 0;
	char a[64] = "", b[32];

	if (snap_has(cur, SG_FREE_LISTS) && snap_has(base, SG_FREE_LISTS)) {
		free_split(base, (int)order, &all, &big0);
		free_split(cur, (int)order, &all, &big);
		snprintf(a, sizeof(a), "; free memory of order >= %lld %s %s", order,
			 big >= big0 ? "rose by" : "fell by",
			 fmt_bytes(b, sizeof(b), big >= big0 ? big - big0 : big0 - big));
	}
	if (param_num(cur, "max_waiting_mib", &wait_mib) && wait_mib > 0) {
		add(ds, DIAG_INFO, "below_threshold",
		    "nothing was returned in %.1f s%s: this kernel reports only once more than "
		    "max_waiting_mib = %lld MiB was freed since its last run; free more, or "
		    "lower that vendor parameter in /sys/module/page_reporting/parameters",
		    secs, a, wait_mib);
		return;
	}
	add(ds, DIAG_INFO, "idle",
	    "nothing was returned in %.1f s and the worker did not run%s: no block of order >= "
	    "%lld was freed and left unreported (or it was before the window)",
	    secs, a, order);
}

static void window(struct diags *ds, const struct prtop_snapshot *cur,
		   const struct prtop_snapshot *base)
{
	double secs = (double)(cur->mono_ns - base->mono_ns) / 1e9;
	uint64_t requests, back;
	char a[32];

	if (snap_has(cur, SG_REPORT) && D(report_errors))
		add(ds, DIAG_PROBLEM, "batches_failing",
		    "the device refused %llu of %llu batches in %.1f s: the host did not take "
		    "them (the pages go back unreported and are tried again)",
		    (unsigned long long)D(report_errors), (unsigned long long)D(report_calls),
		    secs);
	/* a request is seen at notify, or as the worker's timer being armed */
	requests = snap_has(cur, SG_NOTIFY)  ? D(notify_calls)
		   : snap_has(cur, SG_TIMER) ? D(delayed_work_armed)
					     : 0;
	if (requests && snap_has(cur, SG_WORKER) && !D(worker_runs))
		add(ds, DIAG_INFO, "pending",
		    "memory was freed (%llu requests in %.1f s) and the worker has not run yet: "
		    "it runs %s after the first request, so the memory is returned after that",
		    (unsigned long long)requests, secs, delay_text(a, sizeof(a), cur));
	if (!returned_delta(cur, base, &back))
		return;
	if (back) {
		bool own = cur->returned.source == RETURNED_PRTOP;

		add(ds, DIAG_OK, "returning", "memory is being returned: %s in %.1f s%s%s%s",
		    fmt_bytes(a, sizeof(a), back), secs, own ? "" : " (",
		    own ? "" : returned_source_note(cur->returned.source, true), own ? "" : ")");
		return;
	}
	if (snap_has(cur, SG_WORKER) && D(worker_runs)) {
		add(ds, DIAG_INFO, "ran_empty",
		    "the worker ran %llu times and reported nothing: the free blocks it found "
		    "were reported already",
		    (unsigned long long)D(worker_runs));
		return;
	}
	if (!requests)
		idle(ds, cur, base, secs);
}

/* ---- what bounds the drain of a large free ---- */

#define LARGE_BACKLOG	  (64ULL << 20) /* less drains within a pass or two: not judged */
#define UPSTREAM_CAPACITY 32		/* PAGE_REPORTING_CAPACITY */
#define UPSTREAM_DELAY_S  2.0		/* PAGE_REPORTING_DELAY, 2 * HZ */

uint64_t pass_budget(const uint64_t blocks[PRTOP_ORDERS], int order, uint64_t capacity,
		     uint64_t page_size, uint64_t *calls)
{
	uint64_t bytes = 0, most = 0;
	int o;

	*calls = 0;
	if (!capacity || order < 0)
		return 0;
	for (o = order; o < PRTOP_ORDERS; o++) {
		uint64_t nr = blocks[o], n;

		if (!nr)
			continue;
		/* the walk stops once budget < 0: budget + 1 calls were made */
		n = (nr + 16 * capacity - 1) / (16 * capacity) + 1;
		bytes += n * capacity * (page_size << o);
		if (nr * (page_size << o) > most) {
			most = nr * (page_size << o);
			*calls = n;
		}
	}
	return bytes;
}

/* the zone with the most free memory of order >= order: where a large free lands */
static const uint64_t *largest_zone(const struct prtop_snapshot *s, int order)
{
	uint64_t best = 0;
	int z, o, at = -1;

	if (order < 0 || order >= PRTOP_ORDERS)
		return NULL;
	for (z = 0; z < s->nzones && z < SNAP_MAX_ZONES; z++) {
		uint64_t b = 0;

		for (o = order; o < PRTOP_ORDERS; o++)
			b += s->zone_blocks[z][o] << o;
		if (b > best) {
			best = b;
			at = z;
		}
	}
	return at < 0 ? NULL : s->zone_blocks[at];
}

static bool settable(const struct snap_knob *k)
{
	return k->known && k->source && strcmp(k->source, KNOB_SOURCE_CONSTANT) &&
	       strcmp(k->source, KNOB_SOURCE_READONLY) && strcmp(k->source, KNOB_SOURCE_MISSING);
}

static double p50_s(const struct prtop_snapshot *s, enum snap_group g, int h)
{
	if (!snap_has(s, g) || !s->hist[h].count)
		return -1;
	return (double)hist_percentile(&s->hist[h], 50) / 1e9;
}

/* runs that ended over the window: prtop's, else the kernel's passes */
static bool window_passes(const struct prtop_snapshot *cur, const struct prtop_snapshot *base,
			  uint64_t *n)
{
	long long a, b;

	if (snap_has(cur, SG_WORKER)) {
		*n = D(worker_runs_done);
		return true;
	}
	if (!param_num(cur, "passes", &a) || !param_num(base, "passes", &b) || a < b)
		return false;
	*n = (uint64_t)(a - b);
	return true;
}

bool drain_inputs(const struct prtop_snapshot *cur, const struct prtop_snapshot *base,
		  struct drain_in *in)
{
	const struct snap_backlog *b0 = &base->backlog, *b1 = &cur->backlog;
	uint64_t cap = UPSTREAM_CAPACITY;
	const uint64_t *zone;
	int order;

	memset(in, 0, sizeof(*in));
	in->end_ns = cur->mono_ns;
	in->window_s = (double)(cur->mono_ns - base->mono_ns) / 1e9;
	if (in->window_s <= 0 || !returned_delta(cur, base, &in->bytes) ||
	    !window_passes(cur, base, &in->passes) || (!b0->known && !b1->known))
		return false;
	in->backlog_known = true;
	in->backlog = b0->known ? b0->bytes : 0;
	/*
	 * Memory freed as the window begins may reach the free lists only
	 * later (a vendor kernel keeps some aside: outside_free_lists), so what
	 * the window returned and what still waits at its end was there to
	 * report too: at 3 GiB freed here the first scan has seen 224 MiB of
	 * the 684 MiB the next 3 passes returned
	 */
	if (b1->known && in->bytes + b1->bytes > in->backlog)
		in->backlog = in->bytes + b1->bytes;
	in->delay_from = "seen";
	in->delay_s = p50_s(cur, SG_DELAY, PRTOP_H_REQ_DELAY);
	if (in->delay_s < 0 && cur->knob_delay_ms.known) {
		in->delay_s = (double)cur->knob_delay_ms.value / 1e3;
		in->delay_from = "knob";
	} else if (in->delay_s < 0) {
		in->delay_s = UPSTREAM_DELAY_S;
		in->delay_from = "upstream";
	}
	in->run_s = p50_s(cur, SG_WORKER, PRTOP_H_WORKER_RUN);
	in->rtt_s = p50_s(cur, SG_REPORT, PRTOP_H_REPORT);
	in->batches = snap_has(cur, SG_REPORT) ? (double)D(report_calls) : -1;
	if (cur->knob_capacity.known && cur->knob_capacity.value > 0)
		cap = (uint64_t)cur->knob_capacity.value;
	in->capacity = cap;
	in->capacity_settable = settable(&cur->knob_capacity);
	in->delay_settable = settable(&cur->knob_delay_ms);
	order =
	    cur->knob_order.known && !cur->knob_order.unspecified ? (int)cur->knob_order.value : 9;
	zone = largest_zone(base, order);
	if (zone)
		in->budget = pass_budget(zone, order, cap, cur->page_size, &in->budget_calls);
	if (!param_num(cur, "max_waiting_mib", &in->max_waiting_mib))
		in->max_waiting_mib = -1;
	return true;
}

/* a pass's own time against the interval: the device, or the pass itself */
static enum drain_bound slow_pass(const struct drain_in *in, double run_s)
{
	double in_report;

	if (in->rtt_s < 0 || in->batches < 0 || !in->passes)
		return BOUND_PASS;
	in_report = in->batches / (double)in->passes * in->rtt_s;
	return in_report * 2 >= run_s ? BOUND_DEVICE : BOUND_PASS;
}

bool drain_bound(const struct drain_in *in, struct drain_verdict *v)
{
	memset(v, 0, sizeof(*v));
	if (!in->backlog_known || in->backlog < LARGE_BACKLOG)
		return false;
	if (!in->passes || !in->bytes) {
		/* memory waits and no pass came in a window longer than the delay */
		if (in->passes || in->max_waiting_mib <= 0 || in->window_s < in->delay_s + 1)
			return false;
		v->bound = BOUND_WAITING;
		return true;
	}
	v->per_pass = (double)in->bytes / (double)in->passes;
	/* a pass is requested again at its end and runs a delay later */
	v->interval_s = in->run_s >= 0 ? in->delay_s + in->run_s : in->window_s / in->passes;
	v->rate = v->per_pass / v->interval_s;
	v->passes_needed = (uint64_t)ceil((double)in->backlog / v->per_pass);
	v->eta_s = (double)v->passes_needed * v->interval_s;
	if (in->run_s >= 0 && in->run_s * 2 >= v->interval_s)
		v->bound = slow_pass(in, in->run_s);
	else if (v->passes_needed <= 1)
		v->bound = BOUND_DELAY;
	else if (in->budget_calls && in->budget_calls <= 2)
		v->bound = BOUND_CAPACITY;
	else
		v->bound = BOUND_BUDGET;
	return true;
}

const char *drain_bound_name(enum drain_bound b)
{
	static const char *const n[] = {"none",	  "budget", "capacity",	      "delay",
					"device", "pass",   "max_waiting_mib"};

	return (unsigned)b < sizeof(n) / sizeof(n[0]) ? n[b] : "none";
}

/* the knobs that change the pace, as this kernel offers them */
static const char *more_per_pass(char *buf, size_t len, const struct drain_in *in)
{
	if (in->capacity_settable)
		snprintf(buf, len,
			 "capacity (%llu: 'prtop knob capacity=%llu' gives %llu blocks more "
			 "a list and pass)",
			 (unsigned long long)in->capacity, (unsigned long long)in->capacity * 2,
			 (unsigned long long)in->capacity);
	else
		snprintf(buf, len,
			 "capacity (%llu, a compile-time constant here: the bundled patch "
			 "makes it a knob)",
			 (unsigned long long)in->capacity);
	return buf;
}

static const char *sooner(char *buf, size_t len, const struct drain_in *in)
{
	if (in->delay_settable)
		snprintf(buf, len, "the delay (%.0f ms: 'prtop knob delay_ms=500')",
			 in->delay_s * 1e3);
	else
		snprintf(buf, len,
			 "the delay (%.1f s, a constant here: the bundled patch, or upstream's "
			 "page_reporting_delay_ms where the kernel has it, makes it a knob)",
			 in->delay_s);
	return buf;
}

static void drain_text(char *t, size_t len, const struct drain_in *in,
		       const struct drain_verdict *v)
{
	char bl[32], pp[32], r[32], k1[176], k2[176], bu[64] = "";

	fmt_bytes(bl, sizeof(bl), in->backlog);
	fmt_bytes(pp, sizeof(pp), (uint64_t)v->per_pass);
	fmt_bytes(r, sizeof(r), (uint64_t)v->rate);
	if (in->budget)
		snprintf(bu, sizeof(bu), "; the rule allows %s here",
			 fmt_bytes(k1, sizeof(k1), in->budget));
	switch (v->bound) {
	case BOUND_WAITING:
		snprintf(t, len,
			 "%s waits unreported and no pass ran in %.1f s: this kernel starts one "
			 "only once more than max_waiting_mib = %lld MiB was freed since its "
			 "last; bound: max_waiting_mib; lower it in "
			 "/sys/module/page_reporting/parameters/max_waiting_mib",
			 bl, in->window_s, in->max_waiting_mib);
		return;
	case BOUND_DEVICE:
	case BOUND_PASS:
		snprintf(t, len,
			 "%s per pass every %.2f s = %s/s; a pass takes %.2f s of that%s; "
			 "bound: %s%s",
			 pp, v->interval_s, r, in->run_s,
			 v->bound == BOUND_PASS ? " and report() is unseen here, so whether the "
						  "device's round trip is why is unknown"
						: ", most of it in report()",
			 v->bound == BOUND_PASS ? "the pass's own time"
						: "the device's round trip (the host's work on "
						  "each batch); fewer, larger batches: ",
			 v->bound == BOUND_PASS ? "" : more_per_pass(k2, sizeof(k2), in));
		return;
	case BOUND_DELAY:
		snprintf(t, len,
			 "%s to report from the window's start fits in one pass (%s per pass "
			 "every %.2f s): it waits the delay for the next; bound: %s",
			 bl, pp, v->interval_s, sooner(k2, sizeof(k2), in));
		return;
	default:
		break;
	}
	snprintf(t, len,
		 "%s to report from the window's start: %s per pass every %.2f s = %s/s, so "
		 "%llu passes, about %.0f s; bound: %s%s); more per pass: %s; or passes more "
		 "often: %s",
		 bl, pp, v->interval_s, r, (unsigned long long)v->passes_needed, v->eta_s,
		 v->bound == BOUND_CAPACITY
		     ? "the capacity (the free area is small: each list gets 2 batches a pass"
		     : "the per-pass budget (a list gives 1/16 of its zone's free blocks of its "
		       "order, and one batch more, a pass",
		 bu, more_per_pass(k1, sizeof(k1), in), sooner(k2, sizeof(k2), in));
}

static void drain(struct diags *ds, const struct prtop_snapshot *cur,
		  const struct prtop_snapshot *base)
{
	struct drain_in in;
	struct drain_verdict v;
	struct diag *d;

	if (ds->n >= ds->max || !drain_inputs(cur, base, &in) || !drain_bound(&in, &v))
		return;
	d = &ds->d[ds->n++];
	d->level = DIAG_INFO;
	d->id = "drain_bound";
	d->has_drain = true;
	d->din = in;
	d->dv = v;
	drain_text(d->text, sizeof(d->text), &in, &v);
}

int diagnose(const struct prtop_snapshot *cur, const struct prtop_snapshot *base, struct diag *out,
	     int max)
{
	struct diags ds = {out, 0, max};

	if (cur->device_none)
		add(&ds, DIAG_PROBLEM, "no_device",
		    "no reporting device is registered: nothing is reported until a driver "
		    "(virtio_balloon with free-page-reporting on the VMM's side, hv_balloon) "
		    "registers one");
	else if (!cur->device[0] || cur->device_by_btf)
		add(&ds, DIAG_INFO, "device_unconfirmed",
		    "the reporting device is not confirmed: %s",
		    cur->device_reason[0] ? cur->device_reason : "unknown");
	free_lists(&ds, cur);
	if (base) {
		window(&ds, cur, base);
		drain(&ds, cur, base);
	}
	if (!snap_has(cur, SG_REPORT) && cur->returned.source == RETURNED_UNKNOWN)
		add(&ds, DIAG_INFO, "report_unseen",
		    "what the device is handed cannot be seen on this kernel (probe report: see "
		    "above), so whether batches succeed is unknown");
	return ds.n;
}

const char *diag_level_name(enum diag_level l)
{
	switch (l) {
	case DIAG_OK:
		return "ok";
	case DIAG_INFO:
		return "info";
	default:
		return "problem";
	}
}
