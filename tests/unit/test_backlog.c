// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for src/backlog.c: the kpageflags scan of reported free blocks (a
 * temporary file laid out like /proc/kpageflags), the drain rate over a
 * window, the backlog and its time to return, and how unknown figures are
 * shown (n/a, null, absent).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "backlog.h"
#include "format.h"
#include "metrics.h"
#include "ui.h"
#include "unit.h"

#define NPFN	   8192
#define F_UPTODATE (1ULL << 3)
#define F_LRU	   (1ULL << 5)
#define F_BUDDY	   (1ULL << 10)
#define F_NOPAGE   (1ULL << 20)
#define F_REPORTED (F_BUDDY | F_UPTODATE)
#define SEC	   1000000000ULL
#define MIB	   (1ULL << 20)
#define NEAR(a, b) ((a) > (b)-1e-6 && (a) < (b) + 1e-6)

static uint64_t flags[NPFN];

static void fill(uint64_t from, uint64_t n, uint64_t f)
{
	for (uint64_t i = 0; i < n; i++)
		flags[from + i] = f;
}

/* a free block: its head, the rest free tails */
static void block(uint64_t pfn, int order, bool reported)
{
	fill(pfn, 1ULL << order, F_BUDDY);
	flags[pfn] = reported ? F_REPORTED : F_BUDDY;
}

static int write_flags(const char *path, uint64_t npfn)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		return -1;
	if (write(fd, flags, npfn * sizeof(flags[0])) != (ssize_t)(npfn * sizeof(flags[0]))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * 8 MiB blocks of 1024 PFNs (order 10 is the largest):
 *   0     reported order 10
 *   1024  reported order 9; its buddy half starts with a free order-8 block
 *         and ends with a free page, in use between (its ends look free)
 *   2048  free order 10, not reported
 *   3072  two reported order-9 blocks that did not merge
 *   4096  in use; 4608 a reported order 9 at an odd multiple of 512
 *   5120  a reported order-0 page off the 512 stride (below the order)
 *   6144  a hole (NOPAGE, which the kernel never flags otherwise)
 *   7168  reported order 9, the file ending inside its buddy half
 */
static void layout(void)
{
	fill(0, NPFN, F_LRU);
	block(0, 10, true);
	block(1024, 9, true);
	block(1536, 8, false);
	flags[2047] = F_BUDDY;
	block(2048, 10, false);
	block(3072, 9, true);
	block(3584, 9, true);
	block(4608, 9, true);
	flags[5121] = F_REPORTED;
	fill(6144, 1024, F_NOPAGE | F_UPTODATE | F_BUDDY);
	block(7168, 9, true);
	fill(7680, NPFN - 7680, F_BUDDY);
}

static void test_scan(void)
{
	struct backlog_cache cache = {0};
	const char *dir = unit_tmpdir();
	char path[4200];
	uint64_t pages, heads;
	int fd, r;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/kpageflags-backlog", dir);
	layout();
	/* the file ends 100 PFNs into 7168's buddy half */
	fd = write_flags(path, 7780);
	if (!CHECK(fd >= 0, "backlog: fake kpageflags written"))
		return;
	r = backlog_scan_reported(fd, 9, 10, NULL, NULL, &pages, &heads);
	CHECK(r == 0, "backlog: scan succeeds (%d)", r);
	/* 1024 + 512 + 2 * 512 + 512 + 512 */
	CHECK_U64(pages, 3584, "backlog: reported pages of order >= 9, each block its own order");
	CHECK_U64(heads, 6, "backlog: reported blocks of order >= 9 counted once each");
	r = backlog_scan_reported(fd, 9, 10, &cache, NULL, &pages, &heads);
	CHECK(
	    r == 0 && pages == 3584 && cache.n == 6,
	    "backlog: the first scan with a cache reads every head in full (%llu pages, %zu heads)",
	    (unsigned long long)pages, cache.n);
	CHECK(cache.n == 6 && cache.head[1].pfn == 1024 && cache.head[1].order == 9,
	      "backlog: the cache holds each head's order");
	r = backlog_scan_reported(fd, 9, 10, &cache, NULL, &pages, &heads);
	CHECK(r == 0 && pages == 3584,
	      "backlog: a known head whose ends agree keeps its order (%llu pages)",
	      (unsigned long long)pages);
	/* 1024's buddy half freed whole: merged, and reported again as order 10 */
	close(fd);
	block(1024, 10, true);
	fd = write_flags(path, 7780);
	r = backlog_scan_reported(fd, 9, 10, &cache, NULL, &pages, &heads);
	CHECK(r == 0 && pages == 3584 + 512,
	      "backlog: a head whose ends disagree with its known order is read again (%llu pages)",
	      (unsigned long long)pages);
	/* order 9 reported at 0 with its half in use: 0 is re-read (ends in use) */
	close(fd);
	fill(512, 512, F_LRU);
	fd = write_flags(path, 7780);
	r = backlog_scan_reported(fd, 9, 10, &cache, NULL, &pages, &heads);
	CHECK(r == 0 && pages == 3584, "backlog: a block that shrank counts its new order (%llu)",
	      (unsigned long long)pages);
	r = backlog_scan_reported(fd, 9, 9, NULL, NULL, &pages, &heads);
	CHECK(r == 0 && heads == 6 && pages == 6 * 512,
	      "backlog: order 9 as the largest: every reported head is one 512-page block");
	r = backlog_scan_reported(fd, 10, 10, NULL, NULL, &pages, &heads);
	CHECK(r == 0 && heads == 1 && pages == 1024,
	      "backlog: at order 10 the blocks reported at order 9 are not reportable (%llu heads)",
	      (unsigned long long)heads);
	CHECK(backlog_scan_reported(fd, 10, 9, NULL, NULL, &pages, &heads) == -EINVAL,
	      "backlog: an order above the largest is refused");
	close(fd);
	fd = open(path, O_WRONLY);
	r = backlog_scan_reported(fd, 9, 10, NULL, NULL, &pages, &heads);
	CHECK(r < 0, "backlog: an unreadable file is an error (%d), not 0 bytes", r);
	if (fd >= 0)
		close(fd);
	backlog_cache_free(&cache);
}

/* one tracked scan of the flags as they are now at t_ns; 0 or -errno */
static int wait_scan(const char *path, struct backlog_cache *cache, struct backlog_waits *w,
		     uint64_t t_ns)
{
	uint64_t pages, heads;
	int fd = write_flags(path, NPFN), r;

	if (fd < 0)
		return -1;
	w->now_ns = t_ns;
	r = backlog_scan_reported(fd, 9, 10, cache, w, &pages, &heads);
	close(fd);
	return r;
}

/* the bytes of the wait histogram's bucket whose bound is le_s */
static uint64_t wait_bucket(const struct snap_backlog_wait *h, double le_s)
{
	uint64_t b[WAIT_BUCKETS + 1];
	int i;

	wait_buckets(h, b);
	for (i = 0; i < WAIT_BUCKETS && wait_le(i) != le_s; i++)
		;
	return b[i];
}

/*
 * The waits, by hand: units of 512 pages (2 MiB), scans at 8, 10, 12 and
 * 14.5 s.
 *   E 6144 order 9 waiting at the first scan, reported at 14.5: start
 *          unknown, no sample
 *   A 0    order 10 free at 10 s, reported at 14.5: 2 units of 4.5 s
 *   B 2048 order 9 free at 10 s, reported at 12: 1 unit of 2 s
 *   C 3072 order 9 free at 10 s, allocated at 12: no sample
 *   S 4096 scattered free pages, both ends free: never waiting
 *   D 5120 order 9 reported at first sight at 14.5: unseen, no sample
 * 6 MiB sampled: 2 MiB at 2 s and 4 MiB at 4.5 s, mean 22/6 s.
 */
static void test_waits(void)
{
	struct backlog_cache cache = {0};
	struct backlog_waits w = {.page_size = 4096};
	const struct snap_backlog_wait *h = &w.hist;
	const char *dir = unit_tmpdir();
	char path[4200];
	int r;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/kpageflags-waits", dir);
	fill(0, NPFN, F_LRU);
	block(6144, 9, false);
	r = wait_scan(path, &cache, &w, 8 * SEC);
	CHECK(r == 0 && h->known && h->count == 0 && w.n == 1 && w.p[0].since_ns == 0,
	      "waits: the first scan notes what waits, since when unknown (%d, %zu)", r, w.n);
	block(0, 10, false);
	block(2048, 9, false);
	block(3072, 9, false);
	flags[4096] = flags[4096 + 256] = flags[4096 + 511] = F_BUDDY;
	r = wait_scan(path, &cache, &w, 10 * SEC);
	CHECK(r == 0 && w.n == 5 && w.p[0].since_ns == 10 * SEC && w.p[1].pfn == 512,
	      "waits: a free block's units wait from their first sight, a scattered unit does "
	      "not (%zu waiting)",
	      w.n);
	flags[2048] = F_REPORTED;
	fill(3072, 512, F_LRU);
	r = wait_scan(path, &cache, &w, 12 * SEC);
	CHECK(r == 0 && h->count == 1 && h->bytes == 2 * MIB && NEAR(h->byte_s, 2.0 * 2 * MIB) &&
		  wait_bucket(h, 2.0) == 2 * MIB,
	      "waits: a unit reported 2 s after its first sight waited 2 s (%llu units, %.3f s)",
	      (unsigned long long)h->count, h->bytes ? h->byte_s / h->bytes : -1);
	CHECK(r == 0 && w.n == 3, "waits: an allocated unit drops out without a sample (%zu left)",
	      w.n);
	flags[0] = F_REPORTED;
	flags[6144] = F_REPORTED;
	block(5120, 9, true);
	r = wait_scan(path, &cache, &w, 29 * SEC / 2);
	CHECK(r == 0 && h->count == 3 && h->bytes == 6 * MIB &&
		  NEAR(h->byte_s, 2.0 * 2 * MIB + 4.5 * 4 * MIB) && NEAR(h->max_s, 4.5),
	      "waits: the order-10 block reported 4.5 s after its first sight, 4 MiB weighted "
	      "(%llu units, %.1f MiB, mean %.3f s)",
	      (unsigned long long)h->count, (double)h->bytes / MIB,
	      h->bytes ? h->byte_s / h->bytes : -1);
	CHECK(wait_bucket(h, 2.0) == 2 * MIB && wait_bucket(h, 4.0) == 0 &&
		  wait_bucket(h, 8.0) == 4 * MIB,
	      "waits: bytes in log2 buckets: 2 MiB at le 2 s, 4 MiB at le 8 s");
	CHECK(NEAR(wait_percentile(h, 50), 4.5) && NEAR(wait_percentile(h, 25), 1.96875),
	      "waits: the bytes-weighted median 4.5 s, the 25th percentile in 2 s's slot (%.4f, "
	      "%.4f)",
	      wait_percentile(h, 50), wait_percentile(h, 25));
	CHECK_U64(h->unseen_bytes, 2 * MIB,
		  "waits: a block reported at first sight is unseen, one waiting at the first "
		  "scan is not");
	CHECK(NEAR(h->resolution_s, 2.5), "waits: resolution is the longest scan interval (%.2f)",
	      h->resolution_s);
	r = wait_scan(path, &cache, &w, 16 * SEC);
	CHECK(r == 0 && h->count == 3 && h->unseen_bytes == 2 * MIB && w.n == 0,
	      "waits: blocks reported before add nothing");
	/* another reporting order: other units, tracking starts over */
	block(2048, 10, false);
	w.now_ns = 18 * SEC;
	{
		uint64_t pages, heads;
		int fd = write_flags(path, NPFN);

		r = fd < 0 ? -1 : backlog_scan_reported(fd, 10, 10, &cache, &w, &pages, &heads);
		if (fd >= 0)
			close(fd);
	}
	CHECK(r == 0 && w.n == 1 && w.p[0].since_ns == 0 && w.order_low == 10,
	      "waits: another order starts over, since when unknown");
	backlog_cache_free(&cache);
	backlog_waits_free(&w);
}

static void test_drain(void)
{
	struct drain_window w = {0};
	double rate = -1, span = -1;
	bool ok;

	CHECK(!drain_rate(&w, 10 * SEC, &rate, &span), "drain: no points, no rate");
	drain_push(&w, 1 * SEC, RETURNED_KERNEL_KIB, 0);
	CHECK(!drain_rate(&w, 10 * SEC, &rate, &span), "drain: one point, no rate");
	drain_push(&w, 3 * SEC, RETURNED_KERNEL_KIB, 256 * MIB);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && span == 2.0 && rate == 128.0 * MIB,
	      "drain: 256 MiB over 2 s is 128 MiB/s (%.0f over %.1f s)", rate, span);
	for (int i = 4; i <= 20; i++)
		drain_push(&w, (uint64_t)i * SEC, RETURNED_KERNEL_KIB,
			   256 * MIB + (i - 3) * 64 * MIB);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && span == 10.0 && rate == 64.0 * MIB,
	      "drain: over the last 10 s only (%.0f over %.1f s)", rate, span);
	/* samples farther apart than the window: the previous one */
	drain_push(&w, 60 * SEC, RETURNED_KERNEL_KIB, 256 * MIB + 17 * 64 * MIB + 40 * MIB);
	CHECK(drain_rate(&w, 10 * SEC, &rate, &span) && span == 40.0 && rate == 1.0 * MIB,
	      "drain: a sample older than the window spans to the previous one");
	drain_push(&w, 61 * SEC, RETURNED_PRTOP, 0);
	CHECK(!drain_rate(&w, 10 * SEC, &rate, &span),
	      "drain: another source starts over: no rate from two counts");
	drain_push(&w, 61500000000ULL, RETURNED_PRTOP, 0);
	drain_push(&w, 62 * SEC, RETURNED_PRTOP, 2 * MIB);
	/* no point 2 s back: the span is what there is */
	CHECK(drain_rate(&w, 10 * SEC, &rate, &span) && rate == 2.0 * MIB && span == 1.0,
	      "drain: ... and rates from its own points");
	drain_push(&w, 62500000000ULL, RETURNED_PRTOP, 2 * MIB);
	CHECK(drain_rate(&w, 10 * SEC, &rate, &span) && rate == 2.0 * MIB / 1.5 && span == 1.5,
	      "drain: ... from the oldest of them (%.3f over %.2f s)", rate / MIB, span);
	drain_push(&w, 63 * SEC, RETURNED_PRTOP, 1 * MIB);
	CHECK(!drain_rate(&w, 10 * SEC, &rate, &span),
	      "drain: a count that went down starts over: no rate across it");
	drain_push(&w, 64 * SEC, RETURNED_UNKNOWN, 0);
	CHECK(w.n == 0 && !drain_rate(&w, 10 * SEC, &rate, &span),
	      "drain: nothing counts returned memory: no rate");
	memset(&w, 0, sizeof(w));
	for (int i = 0; i < DRAIN_POINTS + 10; i++)
		drain_push(&w, (uint64_t)i * SEC / 10, RETURNED_PRTOP, (uint64_t)i * MIB);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(w.n == DRAIN_POINTS && ok && rate == 10.0 * MIB,
	      "drain: a full window drops its oldest points (%.0f)", rate);
}

/* a staircase, points every 0.5 s to upto half seconds: 1 MiB at 5 s, 256 MiB every 2 s */
static void stair_to(struct drain_window *w, int upto, int from_hs, int last_hs)
{
	uint64_t bytes;
	int t, k;

	memset(w, 0, sizeof(*w));
	for (t = 0; t <= upto; t++) {
		bytes = t >= 10 ? MIB : 0;
		for (k = from_hs; k <= last_hs && k <= t; k += 4)
			bytes += 256 * MIB;
		drain_push(w, (uint64_t)t * SEC / 2, RETURNED_KERNEL_KIB, bytes);
	}
}

/*
 * Free page reporting drains a large free in passes of 256 MiB, 2 s apart,
 * sampled every 0.5 s: idle until 12 s (but for 1 MiB at 5 s), then a pass
 * at 12, 14, ..., 40 s.  Worked by hand.
 */
static void test_drain_staircase(void)
{
	struct drain_window w;
	struct snap_backlog b = {0};
	double rate = -1, span = -1;
	bool ok;

	/* first pass seen at 12.0 s: one pass per reporting delay, not 257 MiB/10 s */
	stair_to(&w, 24, 24, 80);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && NEAR(span, 2.0) && NEAR(rate, 128.0 * MIB),
	      "drain staircase: at the first pass 128 MiB/s over 2 s (%.1f MiB/s over %.2f s)",
	      rate / MIB, span);
	/* 1 GiB backlog scanned at 11.5 s, 256 MiB of it returned since: 768 MiB at 128 MiB/s */
	backlog_figures(&b, 1024 * MIB, 0);
	b.drain_known = ok;
	b.drain_bytes_per_s = rate;
	backlog_eta(&b, drain_since(&w, 23 * SEC / 2));
	CHECK(b.eta_known && NEAR(b.eta_s, 6.0),
	      "drain staircase: 1 GiB scanned before the first pass returns in 6 s (%.2f)",
	      b.eta_s);
	stair_to(&w, 27, 24, 80);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && NEAR(span, 2.0) && NEAR(rate, 128.0 * MIB),
	      "drain staircase: 1.5 s after it still 128 MiB/s (%.1f)", rate / MIB);
	stair_to(&w, 28, 24, 80);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && NEAR(span, 2.5) && NEAR(rate, 512.0 * MIB / 2.5),
	      "drain staircase: second pass, 512 MiB over 2.5 s (%.1f over %.2f)", rate / MIB,
	      span);
	/* steady state at 40 s: passes at 32..40 in the window, from 31.5 s */
	stair_to(&w, 80, 24, 80);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && NEAR(span, 8.5) && NEAR(rate, 1280.0 * MIB / 8.5),
	      "drain staircase: steady, 5 passes over 8.5 s (%.1f over %.2f)", rate / MIB, span);
	stair_to(&w, 83, 24, 80);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && NEAR(span, 10.0) && NEAR(rate, 128.0 * MIB),
	      "drain staircase: steady, 1.5 s after a pass 128 MiB/s (%.1f over %.2f)", rate / MIB,
	      span);
	/* stopped at 40 s: slower as it ages, 0 once no pass is in the window */
	stair_to(&w, 90, 24, 80);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && NEAR(span, 9.5) && NEAR(rate, 768.0 * MIB / 9.5),
	      "drain staircase: stopped 5 s ago, 3 passes over 9.5 s (%.1f)", rate / MIB);
	stair_to(&w, 100, 24, 80);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && rate == 0, "drain staircase: stopped 10 s ago, 0 (%.1f)", rate / MIB);
	b.drain_bytes_per_s = rate;
	backlog_eta(&b, 0);
	CHECK(!b.eta_known, "drain staircase: ... and no time to return");
	/* the trickle alone is a drain of its own */
	stair_to(&w, 20, 24, 80);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && NEAR(span, 5.5) && NEAR(rate, MIB / 5.5),
	      "drain staircase: before the passes, 1 MiB over 5.5 s (%.2f)", rate / MIB);
	/* samples 0.498 s apart: the point nearest 2 s back, 4 samples, not 5 */
	memset(&w, 0, sizeof(w));
	for (int k = 0; k <= 24; k++)
		drain_push(&w, (uint64_t)k * 498000000, RETURNED_KERNEL_KIB, k < 24 ? 0 : 256 * MIB);
	ok = drain_rate(&w, 10 * SEC, &rate, &span);
	CHECK(ok && NEAR(span, 1.992) && NEAR(rate, 256.0 * MIB / 1.992),
	      "drain staircase: samples 0.498 s apart, 256 MiB over 1.992 s (%.1f over %.3f)",
	      rate / MIB, span);
	stair_to(&w, 20, 24, 80);
	CHECK_U64(drain_since(&w, 4 * SEC), MIB, "drain since: 1 MiB since 4 s");
	CHECK_U64(drain_since(&w, 4 * SEC + 1), 0, "drain since: no point at that time: 0");
}

static void test_figures(void)
{
	struct snap_backlog b = {0};

	backlog_eta(&b, 0);
	CHECK(!b.eta_known, "backlog: unknown backlog: time to return unknown");
	backlog_figures(&b, 3072 * MIB, 1024 * MIB);
	CHECK_U64(b.bytes, 2048 * MIB, "backlog: reportable less reported");
	b.drain_known = true;
	b.drain_bytes_per_s = 128.0 * MIB;
	backlog_eta(&b, 0);
	CHECK(b.eta_known && b.eta_s == 16.0, "backlog: 2 GiB at 128 MiB/s returns in 16 s (%.1f)",
	      b.eta_s);
	b.drain_bytes_per_s = 0;
	backlog_eta(&b, 0);
	CHECK(!b.eta_known, "backlog: a backlog that does not drain has no time to return");
	b.drain_known = false;
	backlog_eta(&b, 0);
	CHECK(!b.eta_known, "backlog: ... nor one whose drain is unknown");
	backlog_figures(&b, 1024 * MIB, 1030 * MIB);
	backlog_eta(&b, 0);
	CHECK(b.known && b.bytes == 0 && b.eta_known && b.eta_s == 0,
	      "backlog: more reported than reportable (reads apart) is no backlog, returned now");
}

static void test_shown(void)
{
	struct prtop_snapshot *s = calloc(1, sizeof(*s));
	char buf[256], e[32];
	json_object *d, *bl, *v;

	if (!s)
		return;
	snprintf(s->kernel, sizeof(s->kernel), "6.18");
	s->page_size = 4096;
	snprintf(s->backlog.why, sizeof(s->backlog.why), "/proc/kpageflags unreadable: x");
	CHECK_STR(fmt_backlog_line(buf, sizeof(buf), s), "n/a (/proc/kpageflags unreadable: x)",
		  "backlog text: unknown is n/a with why");
	d = snap_json(s, NULL, 0);
	bl = d && json_object_object_get_ex(d, "backlog", &bl) ? bl : NULL;
	CHECK(bl && json_object_object_get_ex(bl, "bytes", &v) && !v &&
		  json_object_object_get_ex(bl, "time_to_return_s", &v) && !v &&
		  json_object_object_get_ex(bl, "drain_bytes_per_s", &v) && !v,
	      "backlog JSON: unknown figures are null");
	json_object_put(d);
	backlog_figures(&s->backlog, 1536 * MIB, 512 * MIB);
	s->backlog.drain_known = true;
	s->backlog.drain_bytes_per_s = 128.0 * MIB;
	s->backlog.drain_window_s = 10;
	backlog_eta(&s->backlog, 0);
	CHECK_STR(fmt_backlog_line(buf, sizeof(buf), s),
		  "1.00 GiB unreported of 1.50 GiB reportable, drain 128 MiB/s, ~8.00 s to return "
		  "(estimates)",
		  "backlog text: figures, labelled estimates");
	s->backlog.drain_bytes_per_s = 0;
	backlog_eta(&s->backlog, 0);
	CHECK_STR(fmt_backlog_eta(e, sizeof(e), &s->backlog), "n/a",
		  "backlog text: not draining: time to return n/a, never 0");
	d = snap_json(s, NULL, 0);
	bl = d && json_object_object_get_ex(d, "backlog", &bl) ? bl : NULL;
	CHECK(bl && json_object_object_get_ex(bl, "bytes", &v) &&
		  json_object_get_int64(v) == (int64_t)(1024 * MIB) &&
		  json_object_object_get_ex(bl, "estimate", &v) && json_object_get_boolean(v) &&
		  json_object_object_get_ex(bl, "time_to_return_s", &v) && !v,
	      "backlog JSON: bytes, estimate true, time to return null when not draining");
	json_object_put(d);
	free(s);
}

/* the wait in JSON, /metrics and text: unknown null and absent, none yet 0 and null */
static void test_wait_shown(void)
{
	struct prtop_snapshot *s = calloc(1, sizeof(*s));
	struct snap_backlog_wait *w;
	struct metrics_opts o = {.version = "9.9"};
	struct mbuf m = {0};
	json_object *d, *bl, *wj = NULL, *v;
	char buf[256];

	if (!s)
		return;
	w = &s->backlog.wait;
	snprintf(s->kernel, sizeof(s->kernel), "6.18");
	s->page_size = 4096;
	d = snap_json(s, NULL, 0);
	bl = d && json_object_object_get_ex(d, "backlog", &bl) ? bl : NULL;
	CHECK(bl && json_object_object_get_ex(bl, "wait", &v) && !v,
	      "wait JSON: no scan tracked it: null");
	json_object_put(d);
	CHECK(metrics_render(&m, s, &o) == 0 && m.data &&
		  !strstr(m.data, "prtop_report_backlog_wait_seconds"),
	      "wait /metrics: unknown is absent");
	mbuf_free(&m);
	CHECK_STR(fmt_backlog_wait(buf, sizeof(buf), w), "n/a", "wait text: unknown is n/a");
	w->known = true;
	d = snap_json(s, NULL, 0);
	bl = d && json_object_object_get_ex(d, "backlog", &bl) ? bl : NULL;
	wj = bl && json_object_object_get_ex(bl, "wait", &wj) ? wj : NULL;
	CHECK(wj && json_object_object_get_ex(wj, "count", &v) && v &&
		  json_object_get_int64(v) == 0 && json_object_object_get_ex(wj, "p50_s", &v) &&
		  !v && json_object_object_get_ex(wj, "mean_s", &v) && !v,
	      "wait JSON: no sample yet: count 0, statistics null");
	json_object_put(d);
	CHECK_STR(fmt_backlog_wait(buf, sizeof(buf), w), "none seen yet",
		  "wait text: no sample yet");
	/* 2 MiB waited 2 s, 4 MiB 4.5 s, 2 MiB 600 s (above the last bound) */
	wait_add(w, 2.0, 2 * MIB);
	wait_add(w, 4.5, 4 * MIB);
	wait_add(w, 600, 2 * MIB);
	w->resolution_s = 2.5;
	d = snap_json(s, NULL, 0);
	bl = d && json_object_object_get_ex(d, "backlog", &bl) ? bl : NULL;
	wj = bl && json_object_object_get_ex(bl, "wait", &wj) ? wj : NULL;
	CHECK(wj && json_object_object_get_ex(wj, "bytes", &v) &&
		  json_object_get_int64(v) == (int64_t)(8 * MIB) &&
		  json_object_object_get_ex(wj, "mean_s", &v) &&
		  NEAR(json_object_get_double(v), (4.0 + 18 + 1200) / 8) &&
		  json_object_object_get_ex(wj, "p50_s", &v) &&
		  NEAR(json_object_get_double(v), 4.75) &&
		  json_object_object_get_ex(wj, "resolution_s", &v) &&
		  NEAR(json_object_get_double(v), 2.5) &&
		  json_object_object_get_ex(wj, "estimate", &v) && json_object_get_boolean(v),
	      "wait JSON: bytes, bytes-weighted mean and median in s, resolution, an estimate");
	CHECK(wj && json_object_object_get_ex(wj, "buckets", &v) &&
		  json_object_array_length(v) == WAIT_BUCKETS + 1 &&
		  json_object_get_int64(json_object_array_get_idx(v, 3)) == (int64_t)(2 * MIB) &&
		  json_object_get_int64(json_object_array_get_idx(v, WAIT_BUCKETS)) ==
		      (int64_t)(2 * MIB),
	      "wait JSON: bytes per bucket, the last above 512 s");
	json_object_put(d);
	CHECK(
	    metrics_render(&m, s, &o) == 0 && m.data &&
		strstr(m.data, "# TYPE prtop_report_backlog_wait_seconds histogram\n") &&
		strstr(m.data, "prtop_report_backlog_wait_seconds_bucket{le=\"2\"} 2097152\n") &&
		strstr(m.data, "prtop_report_backlog_wait_seconds_bucket{le=\"8\"} 6291456\n") &&
		strstr(m.data, "prtop_report_backlog_wait_seconds_bucket{le=\"512\"} 6291456\n") &&
		strstr(m.data, "prtop_report_backlog_wait_seconds_bucket{le=\"+Inf\"} 8388608\n") &&
		strstr(m.data, "prtop_report_backlog_wait_seconds_sum 1281359872\n") &&
		strstr(m.data, "prtop_report_backlog_wait_seconds_count 8388608\n"),
	    "wait /metrics: cumulative bytes per bound in s, _sum in byte-seconds");
	mbuf_free(&m);
	CHECK_STR(fmt_backlog_wait(buf, sizeof(buf), w),
		  "p50 4.8 s, p90 600.0 s, mean 152.8 s of 8.00 MiB (estimates, to 2.5 s)",
		  "wait text: bytes-weighted median, p90, mean, labelled estimates");
	free(s);
}

void test_backlog(void)
{
	test_scan();
	test_waits();
	test_drain();
	test_drain_staircase();
	test_figures();
	test_shown();
	test_wait_shown();
}
