// SPDX-License-Identifier: GPL-2.0
/* Tests for src/hist.c: names, histogram slots, percentiles, rates. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot.h"
#include "unit.h"

#define LAST_SLOT ((64 - PRTOP_HIST_SUB_BITS) * PRTOP_HIST_SUB + PRTOP_HIST_SUB - 1)

static void test_names(void)
{
	static const char *const probes[PROBE__COUNT] = {
	    "notify",	      "worker", "request_delay", "report",	  "cycle",	"drain",
	    "boundary_reset", "reuse",	"hinting",	 "hint_shrinker", "free_lists", "params",
	};
	static const char *const modes[] = {
	    "none", "patch_tracepoint", "fentry", "kprobe", "tracepoint", "scan", "procfs",
	};
	int i;

	for (i = 0; i < PROBE__COUNT; i++)
		CHECK_STR(probe_name(i), probes[i], "hist: probe_name(%d)", i);
	CHECK_STR(probe_name(PROBE__COUNT), "unknown", "hist: probe_name out of range");
	CHECK_STR(probe_name((enum probe_id) - 1), "unknown", "hist: probe_name negative");
	for (i = 0; i <= MODE_PROCFS; i++)
		CHECK_STR(attach_mode_name(i), modes[i], "hist: attach_mode_name(%d)", i);
	CHECK_STR(attach_mode_name(MODE_PROCFS + 1), "unknown",
		  "hist: attach_mode_name out of range");
}

static void test_slot_bounds(void)
{
	bool exact = true, inverse = true, contiguous = true, narrow = true;
	uint32_t s;

	for (s = 0; s < PRTOP_HIST_SUB; s++)
		exact &= hist_slot_low(s) == s && hist_slot_high(s) == s + 1;
	CHECK(exact, "hist: slots below %d hold one exact value", PRTOP_HIST_SUB);

	for (s = 0; s <= LAST_SLOT; s++) {
		uint64_t lo = hist_slot_low(s), hi = hist_slot_high(s);

		inverse &= prtop_hist_slot(lo) == s;
		inverse &= prtop_hist_slot(hi - 1) == s || s == LAST_SLOT;
		if (s < LAST_SLOT)
			contiguous &= hi == hist_slot_low(s + 1);
		/* relative width below 1/SUB */
		if (s >= PRTOP_HIST_SUB)
			narrow &= (hi - lo) * PRTOP_HIST_SUB <= lo;
	}
	CHECK(inverse, "hist: low/high invert prtop_hist_slot on every slot");
	CHECK(contiguous, "hist: slots are contiguous");
	CHECK(narrow, "hist: slot width below 1/%d of its low bound", PRTOP_HIST_SUB);
	CHECK_U64(hist_slot_low(16), 16, "hist: slot 16 starts at 16");
	CHECK_U64(hist_slot_high(31), 32, "hist: slot 31 ends at 32");
	CHECK_U64(hist_slot_low(32), 32, "hist: slot 32 starts at 32");
	CHECK_U64(hist_slot_high(32), 34, "hist: slot 32 is two wide");
	CHECK_U64(prtop_hist_slot(UINT64_MAX), LAST_SLOT,
		  "hist: UINT64_MAX lands in the last slot");
	CHECK_U64(hist_slot_high(LAST_SLOT), UINT64_MAX, "hist: last slot's high saturates");
	CHECK_U64(hist_slot_low(LAST_SLOT + 1), UINT64_MAX,
		  "hist: unreachable slot low is UINT64_MAX");
	CHECK_U64(hist_slot_high(PRTOP_HIST_SLOTS - 1), UINT64_MAX,
		  "hist: unreachable slot high is UINT64_MAX");
}

static void test_slot_values(void)
{
	static const uint64_t v[] = {
	    0,
	    1,
	    15,
	    16,
	    17,
	    31,
	    32,
	    33,
	    63,
	    64,
	    100,
	    1000,
	    4095,
	    4096,
	    123456789,
	    1ULL << 40,
	    (1ULL << 40) + 12345,
	    1ULL << 63,
	    UINT64_MAX - 1,
	};
	bool ok = true;
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint32_t s = prtop_hist_slot(v[i]);

		ok &= hist_slot_low(s) <= v[i];
		ok &= v[i] < hist_slot_high(s);
	}
	CHECK(ok, "hist: low <= v < high for sample values");
	/* a cheap pseudo-random sweep */
	{
		uint64_t x = 0x12345678abcdefULL;

		ok = true;
		for (i = 0; i < 100000; i++) {
			uint32_t s;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			s = prtop_hist_slot(x >> (i % 64));
			ok &= hist_slot_low(s) <= x >> (i % 64);
			ok &= s == LAST_SLOT || x >> (i % 64) < hist_slot_high(s);
		}
		CHECK(ok, "hist: low <= v < high for 100000 random values");
	}
}

static void test_percentiles(void)
{
	struct snap_hist *h = calloc(1, sizeof(*h));
	uint64_t p;
	int i;

	if (!CHECK(h != NULL, "hist: allocate"))
		return;
	CHECK_U64(hist_count(h), 0, "hist: empty count");
	CHECK_U64(hist_percentile(h, 50), 0, "hist: empty p50 is 0");
	CHECK_U64(hist_percentile(h, 100), 0, "hist: empty p100 is 0");

	hist_add(h, 5);
	CHECK_U64(hist_count(h), 1, "hist: one value counted");
	CHECK_U64(hist_percentile(h, 0), 5, "hist: single value p0");
	CHECK_U64(hist_percentile(h, 99.9), 5, "hist: single value p99.9");

	memset(h, 0, sizeof(*h));
	for (i = 1; i <= 10; i++)
		hist_add(h, i);
	CHECK_U64(hist_count(h), 10, "hist: ten values counted");
	CHECK_U64(hist_percentile(h, 50), 5, "hist: 1..10 p50 nearest rank");
	CHECK_U64(hist_percentile(h, 51), 6, "hist: 1..10 p51");
	CHECK_U64(hist_percentile(h, 90), 9, "hist: 1..10 p90");
	CHECK_U64(hist_percentile(h, 100), 10, "hist: 1..10 p100");
	CHECK_U64(hist_percentile(h, 0), 1, "hist: 1..10 p0 is the minimum");
	CHECK_U64(hist_percentile(h, -5), 1, "hist: p below 0 clamps");
	CHECK_U64(hist_percentile(h, 250), 10, "hist: p above 100 clamps");
	CHECK_U64(hist_percentile(h, NAN), 1, "hist: NaN p treated as 0");

	memset(h, 0, sizeof(*h));
	for (i = 1; i <= 100; i++)
		hist_add(h, i < 16 ? i : 15);
	CHECK_U64(hist_percentile(h, 7), 7, "hist: p7 of 100 is rank 7");
	CHECK_U64(hist_percentile(h, 14), 14, "hist: p14 of 100 is rank 14");

	memset(h, 0, sizeof(*h));
	for (i = 0; i < 99; i++)
		hist_add(h, 10);
	hist_add(h, 1000000000);
	CHECK_U64(hist_percentile(h, 99), 10, "hist: p99 of 99x10 + 1 outlier");
	p = hist_percentile(h, 100);
	CHECK(p >= 1000000000ULL - 1000000000ULL / 16 && p <= 1000000000ULL + 1000000000ULL / 16,
	      "hist: p100 within 1/16 of the outlier (%llu)", (unsigned long long)p);
	p = hist_percentile(h, 99.5);
	CHECK(p > 10, "hist: p99.5 reaches the outlier");

	/* middle of a wide bucket, when only the buckets are known */
	memset(h, 0, sizeof(*h));
	h->slot[prtop_hist_slot(40)] = 1; /* slot [40, 42) */
	CHECK_U64(hist_percentile(h, 50), 41, "hist: middle of a 2-wide slot");
	/* with the exact figures kept, an estimate never leaves [min, max] */
	memset(h, 0, sizeof(*h));
	hist_add(h, 2000000000ULL); /* a 2 s timer: slot [1.946 s, 2.013 s) */
	hist_add(h, 2004000000ULL);
	CHECK_U64(hist_percentile(h, 50), 2000000000ULL,
		  "hist: p50 of a 2 s timer is not below the 2 s it cannot beat");
	CHECK_U64(hist_percentile(h, 100), 2004000000ULL, "hist: p100 is the exact max");
	CHECK_U64(hist_percentile(h, 0), 2000000000ULL, "hist: p0 is the exact min");
	CHECK(h->count == 2 && h->sum == 4004000000ULL, "hist: count and sum are exact");
	memset(h, 0, sizeof(*h));
	hist_add(h, UINT64_MAX);
	CHECK(hist_percentile(h, 50) >= hist_slot_low(LAST_SLOT),
	      "hist: UINT64_MAX sample gives a value in the last slot");

	memset(h, 0, sizeof(*h));
	h->slot[3] = UINT64_MAX;
	h->slot[4] = 5;
	CHECK_U64(hist_count(h), UINT64_MAX, "hist: count saturates");
	free(h);
}

static void test_nents(void)
{
	uint64_t n[PRTOP_NENTS_SLOTS] = {0};

	CHECK_U64(nents_count(n), 0, "hist: nents_count empty");
	n[1] = 3;
	n[32] = 7;
	n[PRTOP_NENTS_SLOTS - 1] = 2;
	CHECK_U64(nents_count(n), 12, "hist: nents_count sums every slot");
}

static void test_rates(void)
{
	struct prtop_snapshot *a = calloc(1, sizeof(*a));
	struct prtop_snapshot *b = calloc(1, sizeof(*b));
	struct snap_rates r;

	if (!CHECK(a && b, "hist: allocate snapshots"))
		goto out;
	b->mono_ns = 2000000000ULL;
	b->c.report_bytes = 4 << 20;
	b->c.report_calls = 10;
	b->c.worker_runs = 1;
	b->c.notify_calls = 7;
	b->reuse_bytes = 1 << 20;

	memset(&r, 0xff, sizeof(r));
	snap_rates(NULL, b, &r);
	CHECK(r.interval_s == 0 && r.reported_bytes_per_s == 0 && r.batches_per_s == 0 &&
		  r.reused_bytes_per_s == 0,
	      "hist: rates without prev are zero");

	a->mono_ns = 1000000000ULL;
	snap_rates(a, b, &r);
	CHECK_DBL(r.interval_s, 1.0, 1e-9, "hist: interval 1 s");
	CHECK_DBL(r.reported_bytes_per_s, 4 << 20, 1e-3, "hist: bytes/s");
	CHECK_DBL(r.batches_per_s, 10, 1e-9, "hist: batches/s");
	CHECK_DBL(r.worker_runs_per_s, 1, 1e-9, "hist: worker runs/s");
	CHECK_DBL(r.notify_per_s, 7, 1e-9, "hist: notify/s");
	CHECK_DBL(r.reused_bytes_per_s, 1 << 20, 1e-3, "hist: reused bytes/s");

	a->mono_ns = 0;
	snap_rates(a, b, &r);
	CHECK_DBL(r.batches_per_s, 5, 1e-9, "hist: rates over 2 s");

	a->c.report_calls = 20; /* went backwards */
	snap_rates(a, b, &r);
	CHECK_DBL(r.batches_per_s, 0, 0, "hist: backwards counter gives 0");
	CHECK_DBL(r.notify_per_s, 3.5, 1e-9,
		  "hist: other counters unaffected by one going backwards");

	a->mono_ns = b->mono_ns;
	snap_rates(a, b, &r);
	CHECK(r.interval_s == 0 && r.notify_per_s == 0, "hist: zero interval gives zero rates");
	a->mono_ns = b->mono_ns + 1;
	snap_rates(a, b, &r);
	CHECK(r.interval_s == 0 && r.notify_per_s == 0,
	      "hist: clock going backwards gives zero rates");
out:
	free(a);
	free(b);
}

static void test_cross_check(void)
{
	struct snap_xcheck x = {0};

	snap_cross_check(&x, 6, 6, 6);
	CHECK(x.have && !x.missed && !x.extra, "hist: cross-check: equal counts agree");
	snap_cross_check(&x, 7, 6, 6);
	CHECK(!x.missed && !x.extra, "hist: cross-check: one run in flight at attach is allowed");
	snap_cross_check(&x, 5, 6, 6);
	CHECK(!x.missed && !x.extra, "hist: cross-check: one run not yet counted by the kernel");
	snap_cross_check(&x, 9, 6, 6);
	CHECK_U64(x.missed, 2, "hist: cross-check: prtop missed runs the kernel made");
	snap_cross_check(&x, 0, 0, 0);
	CHECK(!x.missed && !x.extra, "hist: cross-check: no runs on either side agree");
	snap_cross_check(&x, 1, 4, 4);
	CHECK_U64(x.extra, 2, "hist: cross-check: runs the kernel's count lacks");
}

/* the best source of returned memory, and a reset counter is unknown */
static void test_returned(void)
{
	struct returned_inputs in = {.prtop = true, .prtop_bytes = 5 << 20, .have_kib = true,
				     .kib = 9000, .kib0 = 1000, .have_vmstat = true,
				     .pages = 300, .pages0 = 100, .page_size = 4096};
	struct prtop_snapshot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct snap_returned r;
	struct snap_rates rt;

	snap_returned_pick(&r, &in);
	CHECK(r.source == RETURNED_PRTOP && r.bytes == 5 << 20,
	      "hist: returned: prtop's count of report() first");
	in.prtop = false;
	snap_returned_pick(&r, &in);
	CHECK(r.source == RETURNED_KERNEL_KIB && r.bytes == 8000 * 1024ULL,
	      "hist: returned: else the kernel's reported_kib since attach, in bytes");
	in.kib = 999;
	snap_returned_pick(&r, &in);
	CHECK(r.source == RETURNED_VMSTAT && r.bytes == 200 * 4096ULL,
	      "hist: returned: a reported_kib below its start says nothing; vmstat's pages next");
	in.have_kib = false;
	in.pages = 99;
	snap_returned_pick(&r, &in);
	CHECK(r.source == RETURNED_UNKNOWN, "hist: returned: no counter that holds: unknown");
	CHECK(returned_source_name(RETURNED_UNKNOWN) == NULL &&
		  !strcmp(returned_source_name(RETURNED_KERNEL_KIB), "kernel:reported_kib"),
	      "hist: returned: source names, none for unknown");
	if (!CHECK(a && b, "hist: returned: allocate snapshots"))
		goto out;
	a->mono_ns = 1000000000ULL;
	b->mono_ns = 3000000000ULL;
	a->returned = (struct snap_returned){RETURNED_KERNEL_KIB, 1 << 20};
	b->returned = (struct snap_returned){RETURNED_KERNEL_KIB, 5 << 20};
	snap_rates(a, b, &rt);
	CHECK(rt.returned_known && rt.returned_bytes_per_s == 2 << 20,
	      "hist: returned: 4 MiB in 2 s is 2 MiB/s");
	a->returned.source = RETURNED_PRTOP;
	snap_rates(a, b, &rt);
	CHECK(!rt.returned_known, "hist: returned: no rate across a change of source");
out:
	free(a);
	free(b);
}

void test_hist(void)
{
	test_returned();
	test_cross_check();
	test_names();
	test_slot_bounds();
	test_slot_values();
	test_percentiles();
	test_nents();
	test_rates();
}
