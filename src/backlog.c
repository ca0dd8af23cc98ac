// SPDX-License-Identifier: GPL-2.0
/*
 * The reporting backlog, its drain rate and its time to return: see
 * backlog.h.  The scan reads one u64 per 2^order_low PFNs (12,800 reads for
 * 24 GiB at order 9) plus two per reported block above the reporting order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backlog.h"

/* include/uapi/linux/kernel-page-flags.h */
#define KPF_UPTODATE 3 /* == PG_reported on free buddy pages */
#define KPF_BUDDY    10
#define KPF_NOPAGE   20
#define BIT(n)	     (1ULL << (n))
#define KPF_SEEN     (BIT(KPF_BUDDY) | BIT(KPF_UPTODATE) | BIT(KPF_NOPAGE))

/* 1 and *f set, 0 past the last PFN, or -errno */
static int flags_at(int fd, uint64_t pfn, uint64_t *f)
{
	ssize_t n;

	do
		n = pread(fd, f, sizeof(*f), (off_t)(pfn * sizeof(*f)));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(*f);
}

/* a page inside a free block heading no reported one: 1, 0, or -errno */
static int free_tail(int fd, uint64_t pfn)
{
	uint64_t f;
	int r = flags_at(fd, pfn, &f);

	if (r <= 0)
		return r;
	return (f & KPF_SEEN) == BIT(KPF_BUDDY);
}

/* all n pages from pfn free tails: 1, 0, or -errno; reads of 4 KiB */
static int all_free_tail(int fd, uint64_t pfn, uint64_t n)
{
	uint64_t buf[512], i, j, k;
	ssize_t got;

	for (i = 0; i < n; i += k) {
		k = n - i < 512 ? n - i : 512;
		do
			got =
			    pread(fd, buf, k * sizeof(buf[0]), (off_t)((pfn + i) * sizeof(buf[0])));
		while (got < 0 && errno == EINTR);
		if (got < 0)
			return -errno;
		if ((uint64_t)got < k * sizeof(buf[0]))
			return 0;
		for (j = 0; j < k; j++)
			if ((buf[j] & KPF_SEEN) != BIT(KPF_BUDDY))
				return 0;
	}
	return 1;
}

/*
 * The order of the reported block headed at pfn: grow it while the upper
 * half of the next order is free (two free buddies of one order merge, so
 * a wholly free upper half is the block's).  exact: every page of the half
 * read; else its first and last only, which a half partly in use with both
 * ends free passes: an upper bound.  The order or -errno.
 */
static int block_order(int fd, uint64_t pfn, int lo, int top, bool exact)
{
	int k, r;

	for (k = lo; k < top && !(pfn & ((2ULL << k) - 1)); k++) {
		if (exact) {
			r = all_free_tail(fd, pfn + (1ULL << k), 1ULL << k);
		} else {
			r = free_tail(fd, pfn + (1ULL << k));
			if (r > 0)
				r = free_tail(fd, pfn + (2ULL << k) - 1);
		}
		if (r < 0)
			return r;
		if (!r)
			break;
	}
	return k;
}

static int cache_add(struct backlog_cache *c, uint64_t pfn, int order)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct backlog_head *h = realloc(c->head, cap * sizeof(*h));

		if (!h)
			return -ENOMEM;
		c->head = h;
		c->cap = cap;
	}
	c->head[c->n++] = (struct backlog_head){pfn, (uint8_t)order};
	return 0;
}

int backlog_scan_reported(int fd, int order_low, int order_top, struct backlog_cache *cache,
			  uint64_t *pages, uint64_t *heads)
{
	struct backlog_cache next = {0};
	uint64_t step, pfn, f;
	size_t at = 0;
	int r, k, was;

	*pages = *heads = 0;
	if (order_low < 0 || order_top < order_low || order_top > 30)
		return -EINVAL;
	step = 1ULL << order_low;
	for (pfn = 0;; pfn += step) {
		r = flags_at(fd, pfn, &f);
		if (r <= 0)
			break;
		if ((f & KPF_SEEN) != (BIT(KPF_BUDDY) | BIT(KPF_UPTODATE)))
			continue;
		/* a block reported under a lower order set before is not reportable now */
		if (order_low > 0) {
			r = free_tail(fd, pfn + (1ULL << (order_low - 1)));
			if (r > 0)
				r = free_tail(fd, pfn + step - 1);
			if (r < 0)
				break;
			if (!r)
				continue;
		}
		/* the order the last scan found here, if it saw this head */
		while (cache && at < cache->n && cache->head[at].pfn < pfn)
			at++;
		was = cache && at < cache->n && cache->head[at].pfn == pfn ? cache->head[at].order
									   : -1;
		/* a new head, or one whose ends say its order changed: read it all */
		k = was;
		if (was >= 0) {
			r = block_order(fd, pfn, order_low, order_top, false);
			if (r < 0)
				break;
			if (r != was)
				k = -1;
		}
		if (k < 0) {
			r = block_order(fd, pfn, order_low, order_top, true);
			if (r < 0)
				break;
			k = r;
		}
		if (cache && (r = cache_add(&next, pfn, k)) < 0)
			break;
		*pages += 1ULL << k;
		(*heads)++;
		pfn += (1ULL << k) - step;
	}
	if (cache && r >= 0) {
		free(cache->head);
		*cache = next;
	} else {
		free(next.head);
	}
	return r < 0 ? r : 0;
}

void backlog_cache_free(struct backlog_cache *cache)
{
	free(cache->head);
	*cache = (struct backlog_cache){0};
}

void drain_push(struct drain_window *w, uint64_t t_ns, int source, uint64_t bytes)
{
	const struct drain_point *last = w->n ? &w->pt[w->n - 1] : NULL;

	if (source == RETURNED_UNKNOWN || source != w->source ||
	    (last && (t_ns < last->t_ns || bytes < last->bytes)))
		w->n = 0;
	w->source = source;
	if (source == RETURNED_UNKNOWN)
		return;
	if (w->n == DRAIN_POINTS) {
		memmove(w->pt, w->pt + 1, (DRAIN_POINTS - 1) * sizeof(w->pt[0]));
		w->n--;
	}
	w->pt[w->n++] = (struct drain_point){t_ns, bytes};
}

/*
 * The drain's pace over the window, only since the drain began: idle
 * seconds before the first pass would dilute it (a 10 s window over a 5 s
 * drain: an estimate twice too long and more).  The span starts at the
 * point before the first growth between two points in the window of at
 * least 1/DRAIN_STEP_SHARE of the largest one (a few MiB trickling in
 * while little is free do not start a drain of GiBs), or earlier, at the
 * point nearest DRAIN_MIN_SPAN_NS before the last: a pass returns its worth
 * at once, then nothing for the reporting delay, so a shorter span counts
 * one pass as the pace of many.  Either way the rate times the span is
 * what was returned over the span.  With no growth in the window the pace
 * is 0 (the drain stopped); after the last growth it slows as the span
 * grows, until that growth leaves the window.
 */
bool drain_rate(const struct drain_window *w, uint64_t window_ns, double *bytes_per_s,
		double *span_s)
{
	const struct drain_point *last, *from;
	uint64_t grow, most = 0, span;
	int i, first;

	if (w->n < 2)
		return false;
	last = &w->pt[w->n - 1];
	/* growths between points in the window, at least the newest one */
	first = w->n - 1;
	while (first > 1 && last->t_ns - w->pt[first - 2].t_ns <= window_ns)
		first--;
	for (i = first; i < w->n; i++) {
		grow = w->pt[i].bytes - w->pt[i - 1].bytes;
		if (grow > most)
			most = grow;
	}
	for (i = first; most && (w->pt[i].bytes - w->pt[i - 1].bytes) * DRAIN_STEP_SHARE < most;
	     i++)
		;
	/*
	 * At least the reporting delay where points go back that far: the
	 * point nearest it (samples 0.498 s apart would else make 2.5 s of
	 * four, a pace 25 % slow).
	 */
	first = --i;
	for (; most && i > 0 && last->t_ns - w->pt[i].t_ns < DRAIN_MIN_SPAN_NS; i--)
		;
	if (i < first && last->t_ns - w->pt[i].t_ns >= DRAIN_MIN_SPAN_NS &&
	    DRAIN_MIN_SPAN_NS - (last->t_ns - w->pt[i + 1].t_ns) <
		    last->t_ns - w->pt[i].t_ns - DRAIN_MIN_SPAN_NS)
		i++;
	from = &w->pt[i];
	if (last->t_ns <= from->t_ns || last->bytes < from->bytes)
		return false;
	span = last->t_ns - from->t_ns;
	*span_s = span / 1e9;
	*bytes_per_s = (last->bytes - from->bytes) / *span_s;
	return true;
}

uint64_t drain_since(const struct drain_window *w, uint64_t t_ns)
{
	int i;

	for (i = w->n - 1; i >= 0 && w->pt[i].t_ns > t_ns; i--)
		;
	/* a count that started over after t_ns has no point at or before it */
	if (i < 0 || w->pt[i].t_ns != t_ns)
		return 0;
	return w->pt[w->n - 1].bytes - w->pt[i].bytes;
}

void backlog_figures(struct snap_backlog *b, uint64_t reportable_bytes,
		     uint64_t reported_free_bytes)
{
	b->known = true;
	b->reportable_bytes = reportable_bytes;
	b->reported_free_bytes = reported_free_bytes;
	b->bytes =
	    reportable_bytes > reported_free_bytes ? reportable_bytes - reported_free_bytes : 0;
}

void backlog_eta(struct snap_backlog *b, uint64_t returned_since)
{
	uint64_t left;

	b->eta_known = false;
	b->eta_s = 0;
	if (!b->known)
		return;
	if (!b->bytes) {
		b->eta_known = true;
		return;
	}
	/* the scan may be seconds old: what was returned since is not left */
	left = b->bytes > returned_since ? b->bytes - returned_since : 0;
	if (!left) {
		b->eta_known = true;
	} else if (b->drain_known && b->drain_bytes_per_s > 0) {
		b->eta_known = true;
		b->eta_s = left / b->drain_bytes_per_s;
	}
}
