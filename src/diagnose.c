// SPDX-License-Identifier: GPL-2.0
/*
 * prtop doctor's diagnosis: why memory is (not) returned to the host, from
 * a window of observation.  Each rule looks only at figures the snapshot
 * says it has (snap_has); what cannot be told is not guessed at.
 */
#include <stdarg.h>
#include <stdio.h>
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
	if (all >= 64ULL << 20 && big * 4 < all)
		add(ds, DIAG_PROBLEM, "fragmented",
		    "free memory is fragmented: %s free, only %s of it in blocks of order >= %d, "
		    "the smallest reporting takes; compaction (echo 1 > "
		    "/proc/sys/vm/compact_memory) or a lower order would free more",
		    fmt_bytes(a, sizeof(a), all), fmt_bytes(b, sizeof(b), big), order);
	else
		add(ds, DIAG_INFO, "reportable",
		    "%s of %s free memory is in blocks of order >= %d and can be reported",
		    fmt_bytes(b, sizeof(b), big), fmt_bytes(a, sizeof(a), all), order);
}

static const char *delay_text(char *buf, size_t len, const struct prtop_snapshot *s)
{
	if (!s->knob_delay_ms.known)
		return "the delay (2 s upstream)";
	snprintf(buf, len, "%lld ms", (long long)s->knob_delay_ms.value);
	return buf;
}

static void window(struct diags *ds, const struct prtop_snapshot *cur,
		   const struct prtop_snapshot *base)
{
	double secs = (double)(cur->mono_ns - base->mono_ns) / 1e9;
	uint64_t requests;
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
	if (snap_has(cur, SG_REPORT) && D(report_bytes))
		add(ds, DIAG_OK, "returning", "memory is being returned: %s reported in %.1f s",
		    fmt_bytes(a, sizeof(a), D(report_bytes)), secs);
	else if (snap_has(cur, SG_WORKER) && D(worker_runs) && snap_has(cur, SG_REPORT))
		add(ds, DIAG_INFO, "ran_empty",
		    "the worker ran %llu times and reported nothing: the free blocks it found "
		    "were reported already",
		    (unsigned long long)D(worker_runs));
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
	if (!snap_has(cur, SG_REPORT))
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
