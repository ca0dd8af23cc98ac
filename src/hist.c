// SPDX-License-Identifier: GPL-2.0
/*
 * Snapshot helpers: names of probes and attach modes, the log-linear
 * histograms of include/prtop.h read back in userspace, and rates between
 * two snapshots.
 */
#include <stddef.h>
#include "snapshot.h"

static const char *const probe_names[PROBE__COUNT] = {
    [PROBE_NOTIFY] = "notify",	      [PROBE_WORKER] = "worker", [PROBE_DELAY] = "request_delay",
    [PROBE_REPORT] = "report",	      [PROBE_CYCLE] = "cycle",	 [PROBE_DRAIN] = "drain",
    [PROBE_RESET] = "boundary_reset", [PROBE_REUSE] = "reuse",	 [PROBE_FREE_LISTS] = "free_lists",
    [PROBE_PARAMS] = "params",
};

static const char *const mode_names[] = {
    [MODE_NONE] = "none",     [MODE_PATCH_TP] = "patch_tracepoint", [MODE_FENTRY] = "fentry",
    [MODE_KPROBE] = "kprobe", [MODE_TRACEPOINT] = "tracepoint",	    [MODE_SCAN] = "scan",
    [MODE_PROCFS] = "procfs",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const char *probe_name(enum probe_id id)
{
	if ((unsigned int)id >= ARRAY_LEN(probe_names) || !probe_names[id])
		return "unknown";
	return probe_names[id];
}

const char *attach_mode_name(enum attach_mode m)
{
	if ((unsigned int)m >= ARRAY_LEN(mode_names) || !mode_names[m])
		return "unknown";
	return mode_names[m];
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

/* nearest rank: the smallest value with at least p% of samples <= it */
uint64_t hist_percentile(const struct snap_hist *h, double p)
{
	uint64_t n = hist_count(h);
	uint64_t rank, seen = 0;
	double r;
	uint32_t s;

	if (!n)
		return 0;
	if (!(p > 0)) /* also NaN */
		p = 0;
	if (p > 100)
		p = 100;
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
			return slot_middle(s);
		seen += h->slot[s];
	}
	return slot_middle(PRTOP_HIST_SLOTS - 1); /* not reached */
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
}
