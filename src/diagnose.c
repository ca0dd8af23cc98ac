// SPDX-License-Identifier: GPL-2.0
/*
 * prtop doctor's diagnosis: why memory is (not) returned to the host, from
 * a window of observation.  Each rule looks only at figures the snapshot
 * says it has (snap_has); what cannot be told is not guessed at.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose.h"
#include "format.h"

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
	if (base)
		window(&ds, cur, base);
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
