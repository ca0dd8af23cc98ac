// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot helpers: names of probes and attach modes, the log-linear
 * histograms of include/prtop.h read back in userspace, and rates between
 * two snapshots.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "snapshot.h"

static const char *const probe_names[PROBE__COUNT] = {
    [PROBE_NOTIFY] = "notify",	       [PROBE_WORKER] = "worker",
    [PROBE_DELAY] = "request_delay",   [PROBE_REPORT] = "report",
    [PROBE_CYCLE] = "cycle",	       [PROBE_DRAIN] = "drain",
    [PROBE_RESET] = "boundary_reset",  [PROBE_REUSE] = "reuse",
    [PROBE_FREE_LISTS] = "free_lists", [PROBE_PARAMS] = "params",
    [PROBE_HINTING] = "hinting",       [PROBE_HINT_SHRINK] = "hint_shrinker",
};

static const char *const mode_names[] = {
    [MODE_NONE] = "none",     [MODE_PATCH_TP] = "patch_tracepoint", [MODE_FENTRY] = "fentry",
    [MODE_KPROBE] = "kprobe", [MODE_TRACEPOINT] = "tracepoint",	    [MODE_SCAN] = "scan",
    [MODE_PROCFS] = "procfs",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* table[i], or "unknown" outside the table or for a hole in it */
static const char *name_at(const char *const *table, size_t n, unsigned int i)
{
	return i < n && table[i] ? table[i] : "unknown";
}

static const char *const layer_names[LAYER__COUNT] = {
    [LAYER_PATCH_TP] = "patch tracepoints",
    [LAYER_FENTRY] = "fentry/fexit",
    [LAYER_KPROBE] = "kprobe/kretprobe",
    [LAYER_TRACEPOINT] = "stock tracepoints",
};

static const char *const phase_names[STARTUP__COUNT] = {
    [STARTUP_BTF] = "btf",   [STARTUP_KALLSYMS] = "kallsyms", [STARTUP_CAPS] = "caps",
    [STARTUP_LOAD] = "load", [STARTUP_ATTACH] = "attach",
};

const char *probe_name(enum probe_id id)
{
	return name_at(probe_names, ARRAY_LEN(probe_names), id);
}

const char *attach_mode_name(enum attach_mode m)
{
	return name_at(mode_names, ARRAY_LEN(mode_names), m);
}

const char *layer_name(enum layer_id id)
{
	return name_at(layer_names, ARRAY_LEN(layer_names), id);
}

const char *startup_phase_name(enum startup_phase p)
{
	return name_at(phase_names, ARRAY_LEN(phase_names), p);
}

/*
 * Slot s >= PRTOP_HIST_SUB holds the values whose top SUB_BITS+1 bits are
 * (PRTOP_HIST_SUB + sub), sub = s % SUB, shifted left by (s / SUB - 1):
 * slots SUB..2*SUB-1 are one value wide, each later group twice as wide as
 * the one before.  The last group that a 64-bit value reaches is 60.
 */
#define HIST_LAST_GROUP (64 - PRTOP_HIST_SUB_BITS)

uint64_t hist_slot_low(uint32_t slot)
{
	uint32_t group = slot >> PRTOP_HIST_SUB_BITS;
	uint64_t sub = slot & (PRTOP_HIST_SUB - 1);

	if (slot < PRTOP_HIST_SUB)
		return slot;
	if (group > HIST_LAST_GROUP)
		return UINT64_MAX; /* no value maps here */
	return (PRTOP_HIST_SUB + sub) << (group - 1);
}

uint64_t hist_slot_high(uint32_t slot)
{
	uint32_t group = slot >> PRTOP_HIST_SUB_BITS;
	uint64_t low = hist_slot_low(slot);
	uint64_t width;

	if (slot < PRTOP_HIST_SUB)
		return (uint64_t)slot + 1;
	if (group > HIST_LAST_GROUP)
		return UINT64_MAX;
	width = 1ULL << (group - 1);
	/* the very last slot ends at 2^64, which saturates */
	if (low > UINT64_MAX - width)
		return UINT64_MAX;
	return low + width;
}

static uint64_t slot_middle(uint32_t slot)
{
	uint64_t low = hist_slot_low(slot);
	uint64_t high = hist_slot_high(slot);

	return low + (high - low) / 2;
}

void hist_add(struct snap_hist *h, uint64_t v)
{
	uint32_t s = prtop_hist_slot(v);

	if (s < PRTOP_HIST_SLOTS)
		h->slot[s]++;
	if (!h->count || v < h->min)
		h->min = v;
	if (!h->count || v > h->max)
		h->max = v;
	h->sum = v > UINT64_MAX - h->sum ? UINT64_MAX : h->sum + v;
	h->count++;
}

static uint64_t sum_u64(const uint64_t *a, size_t n)
{
	uint64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (a[i] > UINT64_MAX - sum)
			return UINT64_MAX;
		sum += a[i];
	}
	return sum;
}

uint64_t hist_count(const struct snap_hist *h)
{
	return sum_u64(h->slot, PRTOP_HIST_SLOTS);
}

uint64_t nents_count(const uint64_t *nents_hist)
{
	return sum_u64(nents_hist, PRTOP_NENTS_SLOTS);
}

static double clamp_p(double p)
{
	if (!(p > 0)) /* also NaN */
		return 0;
	return p > 100 ? 100 : p;
}

/* the exact min and max apply when they were kept for these samples */
static bool have_exact(const struct snap_hist *h)
{
	return h->count > 0 && h->min <= h->max;
}

static uint64_t within_exact(const struct snap_hist *h, uint64_t v)
{
	if (!have_exact(h))
		return v;
	if (v < h->min)
		return h->min;
	return v > h->max ? h->max : v;
}

static uint32_t rank_slot(const struct snap_hist *h, double p);

/* nearest rank: the smallest value with at least p% of samples <= it */
uint64_t hist_percentile(const struct snap_hist *h, double p)
{
	if (!hist_count(h))
		return 0;
	p = clamp_p(p);
	if (have_exact(h) && p == 0)
		return h->min;
	if (have_exact(h) && p == 100)
		return h->max;
	return within_exact(h, slot_middle(rank_slot(h, p)));
}

static uint32_t rank_slot(const struct snap_hist *h, double p)
{
	uint64_t n = hist_count(h);
	uint64_t rank, seen = 0;
	double r;
	uint32_t s;

	/* rank = ceil(p% of n), between 1 and n; no libm needed */
	r = p * (double)n / 100.0;
	if (r >= (double)n) {
		rank = n;
	} else {
		rank = (uint64_t)r;
		if ((double)rank < r)
			rank++;
		if (rank < 1)
			rank = 1;
	}

	for (s = 0; s < PRTOP_HIST_SLOTS; s++) {
		if (h->slot[s] >= rank - seen)
			return s;
		seen += h->slot[s];
	}
	return PRTOP_HIST_SLOTS - 1; /* not reached */
}

static double rate(uint64_t prev, uint64_t cur, double interval_s)
{
	if (cur < prev) /* counter reset: no meaningful rate */
		return 0;
	return (double)(cur - prev) / interval_s;
}

void snap_rates(const struct prtop_snapshot *prev, const struct prtop_snapshot *cur,
		struct snap_rates *out)
{
	double dt;

	*out = (struct snap_rates){0};
	if (!prev || !cur || cur->mono_ns <= prev->mono_ns)
		return;
	dt = (double)(cur->mono_ns - prev->mono_ns) / 1e9;
	out->interval_s = dt;
	out->reported_bytes_per_s = rate(prev->c.report_bytes, cur->c.report_bytes, dt);
	out->batches_per_s = rate(prev->c.report_calls, cur->c.report_calls, dt);
	out->worker_runs_per_s = rate(prev->c.worker_runs, cur->c.worker_runs, dt);
	out->notify_per_s = rate(prev->c.notify_calls, cur->c.notify_calls, dt);
	out->reused_bytes_per_s = rate(prev->reuse_bytes, cur->reuse_bytes, dt);
	out->returned_known = prev->returned.source != RETURNED_UNKNOWN &&
			      prev->returned.source == cur->returned.source &&
			      cur->returned.bytes >= prev->returned.bytes;
	if (out->returned_known)
		out->returned_bytes_per_s = rate(prev->returned.bytes, cur->returned.bytes, dt);
}

void snap_returned_pick(struct snap_returned *r, const struct returned_inputs *in)
{
	*r = (struct snap_returned){RETURNED_UNKNOWN, 0};
	if (in->prtop) {
		*r = (struct snap_returned){RETURNED_PRTOP, in->prtop_bytes};
		return;
	}
	/* a counter below its value at attach was reset: it says nothing */
	if (in->have_kib && in->kib >= in->kib0) {
		*r = (struct snap_returned){RETURNED_KERNEL_KIB, (in->kib - in->kib0) * 1024};
		return;
	}
	if (in->have_vmstat && in->pages >= in->pages0 && in->page_size)
		*r = (struct snap_returned){RETURNED_VMSTAT,
					    (in->pages - in->pages0) * in->page_size};
}

const char *returned_source_name(enum returned_source s)
{
	switch (s) {
	case RETURNED_PRTOP:
		return "prtop";
	case RETURNED_KERNEL_KIB:
		return "kernel:reported_kib";
	case RETURNED_VMSTAT:
		return "kernel:vmstat";
	default:
		return NULL;
	}
}

const char *returned_source_note(enum returned_source s, bool long_form)
{
	switch (s) {
	case RETURNED_PRTOP:
		return long_form ? "prtop's count of the device's report() calls" : "";
	case RETURNED_KERNEL_KIB:
		return long_form ? "the kernel's own counter: reported_kib in "
				   "/sys/module/page_reporting/parameters"
				 : "kernel's counter";
	case RETURNED_VMSTAT:
		return long_form ? "the kernel's own counter: page_reporting_pages_reported in "
				   "/proc/vmstat"
				 : "kernel's counter";
	default:
		return long_form ? "nothing counts it on this kernel: report() is not observed "
				   "and the kernel keeps no counter of its own"
				 : "";
	}
}

/* the one rule for which orders the per-order tables cover */
void snap_fill_orders(struct prtop_snapshot *s)
{
	int i, low = 9; /* pageblock_order on most configurations */

	if (s->knob_order.known && s->knob_order.value >= 0 && s->knob_order.value < PRTOP_ORDERS)
		low = (int)s->knob_order.value;
	if (s->max_order > 0 && low > s->max_order - 1)
		low = s->max_order - 1;
	s->order_low = low;
	s->order_high = s->max_order;
	for (i = 0; i < PRTOP_ORDERS; i++)
		if (s->order[i].reported_pages || s->order[i].reused_pages || s->order[i].cycles)
			s->order_high = i + 1 > s->order_high ? i + 1 : s->order_high;
}

void snap_set_avail(struct prtop_snapshot *s)
{
	const struct probe_status *p = s->probe;
	enum attach_mode reuse = p[PROBE_REUSE].attached ? p[PROBE_REUSE].mode : MODE_NONE;
	bool *a = s->avail;

	a[SG_NOTIFY] = p[PROBE_NOTIFY].attached;
	a[SG_WORKER] = p[PROBE_WORKER].attached;
	a[SG_DELAY] = p[PROBE_DELAY].attached;
	a[SG_TIMER] = p[PROBE_DELAY].attached && p[PROBE_DELAY].mode == MODE_TRACEPOINT;
	/* a probe whose module went away still has exact counts: none can happen */
	a[SG_REPORT] = p[PROBE_REPORT].attached || p[PROBE_REPORT].lost;
	a[SG_CYCLE] = p[PROBE_CYCLE].attached;
	a[SG_DRAIN] = p[PROBE_DRAIN].attached;
	a[SG_RESETS] = p[PROBE_RESET].attached;
	a[SG_RUN_DETAIL] = p[PROBE_WORKER].attached && p[PROBE_WORKER].mode == MODE_PATCH_TP;
	/* the v2 series' work_end and cycle events gave these; v3 has no source: unknown */
	a[SG_CYCLE_DETAIL] = false;
	a[SG_REUSE] = reuse != MODE_NONE;
	a[SG_REUSE_AGE] = reuse == MODE_SCAN || reuse == MODE_TRACEPOINT;
	a[SG_REUSE_RANGES] = reuse == MODE_SCAN;
	a[SG_FREE_LISTS] = p[PROBE_FREE_LISTS].attached;
	a[SG_PARAMS] = p[PROBE_PARAMS].attached;
	a[SG_HINT] = p[PROBE_HINTING].attached || p[PROBE_HINTING].lost;
	a[SG_HINT_SHRINK] = p[PROBE_HINT_SHRINK].attached;
}

bool snap_counter_rate(const struct prtop_snapshot *prev, const struct prtop_snapshot *cur, int i,
		       double *per_s)
{
	const struct snap_param *c = &cur->params[i];
	int j;

	if (!prev || !c->counter || cur->mono_ns <= prev->mono_ns)
		return false;
	for (j = 0; j < prev->nparams; j++) {
		const struct snap_param *p = &prev->params[j];

		if (strcmp(p->name, c->name))
			continue;
		if (!p->counter || p->count > c->count)
			return false;
		*per_s =
		    (double)(c->count - p->count) * 1e9 / (double)(cur->mono_ns - prev->mono_ns);
		return true;
	}
	return false;
}

void snap_cross_check(struct snap_xcheck *x, uint64_t kernel_runs, uint64_t started, uint64_t done)
{
	x->have = true;
	x->kernel_runs = kernel_runs;
	x->prtop_runs = started;
	x->prtop_done = done;
	x->missed = x->extra = 0;
	/* one run in flight at attach or at this sample may be one side's only */
	if (kernel_runs > started + 1)
		x->missed = kernel_runs - started - 1;
	if (done > kernel_runs + 1)
		x->extra = done - kernel_runs - 1;
}
