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
	drain_push(&w, 62 * SEC, RETURNED_PRTOP, 2 * MIB);
	CHECK(drain_rate(&w, 10 * SEC, &rate, &span) && rate == 2.0 * MIB,
	      "drain: ... and rates from its own points");
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

static void test_figures(void)
{
	struct snap_backlog b = {0};

	backlog_eta(&b);
	CHECK(!b.eta_known, "backlog: unknown backlog: time to return unknown");
	backlog_figures(&b, 3072 * MIB, 1024 * MIB);
	CHECK_U64(b.bytes, 2048 * MIB, "backlog: reportable less reported");
	b.drain_known = true;
	b.drain_bytes_per_s = 128.0 * MIB;
	backlog_eta(&b);
	CHECK(b.eta_known && b.eta_s == 16.0, "backlog: 2 GiB at 128 MiB/s returns in 16 s (%.1f)",
	      b.eta_s);
	b.drain_bytes_per_s = 0;
	backlog_eta(&b);
	CHECK(!b.eta_known, "backlog: a backlog that does not drain has no time to return");
	b.drain_known = false;
	backlog_eta(&b);
	CHECK(!b.eta_known, "backlog: ... nor one whose drain is unknown");
	backlog_figures(&b, 1024 * MIB, 1030 * MIB);
	backlog_eta(&b);
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
	backlog_eta(&s->backlog);
	CHECK_STR(fmt_backlog_line(buf, sizeof(buf), s),
		  "1.00 GiB unreported of 1.50 GiB reportable, drain 128 MiB/s, ~8.00 s to return "
		  "(estimates)",
		  "backlog text: figures, labelled estimates");
	s->backlog.drain_bytes_per_s = 0;
	backlog_eta(&s->backlog);
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
	test_figures();
	test_shown();
}
