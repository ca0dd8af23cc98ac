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
	r = backlog_scan_reported(fd, 9, 10, NULL, &pages, &heads);
	CHECK(r == 0, "backlog: scan succeeds (%d)", r);
	/* 1024 + 512 + 2 * 512 + 512 + 512 */
	CHECK_U64(pages, 3584, "backlog: reported pages of order >= 9, each block its own order");
	CHECK_U64(heads, 6, "backlog: reported blocks of order >= 9 counted once each");
	r = backlog_scan_reported(fd, 9, 10, &cache, &pages, &heads);
	CHECK(
	    r == 0 && pages == 3584 && cache.n == 6,
	    "backlog: the first scan with a cache reads every head in full (%llu pages, %zu heads)",
	    (unsigned long long)pages, cache.n);
	CHECK(cache.n == 6 && cache.head[1].pfn == 1024 && cache.head[1].order == 9,
	      "backlog: the cache holds each head's order");
	r = backlog_scan_reported(fd, 9, 10, &cache, &pages, &heads);
	CHECK(r == 0 && pages == 3584,
	      "backlog: a known head whose ends agree keeps its order (%llu pages)",
	      (unsigned long long)pages);
	/* 1024's buddy half freed whole: merged, and reported again as order 10 */
	close(fd);
	block(1024, 10, true);
	fd = write_flags(path, 7780);
	r = backlog_scan_reported(fd, 9, 10, &cache, &pages, &heads);
	CHECK(r == 0 && pages == 3584 + 512,
	      "backlog: a head whose ends disagree with its known order is read again (%llu pages)",
	      (unsigned long long)pages);
	/* order 9 reported at 0 with its half in use: 0 is re-read (ends in use) */
	close(fd);
	fill(512, 512, F_LRU);
	fd = write_flags(path, 7780);
	r = backlog_scan_reported(fd, 9, 10, &cache, &pages, &heads);
	CHECK(r == 0 && pages == 3584, "backlog: a block that shrank counts its new order (%llu)",
	      (unsigned long long)pages);
	r = backlog_scan_reported(fd, 9, 9, NULL, &pages, &heads);
	CHECK(r == 0 && heads == 6 && pages == 6 * 512,
	      "backlog: order 9 as the largest: every reported head is one 512-page block");
	r = backlog_scan_reported(fd, 10, 10, NULL, &pages, &heads);
	CHECK(r == 0 && heads == 1 && pages == 1024,
	      "backlog: at order 10 the blocks reported at order 9 are not reportable (%llu heads)",
	      (unsigned long long)heads);
	CHECK(backlog_scan_reported(fd, 10, 9, NULL, &pages, &heads) == -EINVAL,
	      "backlog: an order above the largest is refused");
	close(fd);
	fd = open(path, O_WRONLY);
	r = backlog_scan_reported(fd, 9, 10, NULL, &pages, &heads);
	CHECK(r < 0, "backlog: an unreadable file is an error (%d), not 0 bytes", r);
	if (fd >= 0)
		close(fd);
	backlog_cache_free(&cache);
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

#define NEAR(a, b) ((a) > (b)-1e-6 && (a) < (b) + 1e-6)

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

void test_backlog(void)
{
	test_scan();
	test_drain();
	test_drain_staircase();
	test_figures();
	test_shown();
}
