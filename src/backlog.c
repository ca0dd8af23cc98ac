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

/* ---- the waits: see backlog.h ---- */

/* one scan's view of the units waiting: the last scan's, the new list */
struct wait_scan {
	struct backlog_waits *w;
	size_t at;		   /* the first of w->p not passed yet */
	struct backlog_pending *p; /* the units this scan sees waiting */
	size_t n, cap;
	struct snap_backlog_wait hist; /* w->hist and this scan's samples */
};

static int pending_add(struct wait_scan *ws, uint64_t pfn, uint64_t since_ns)
{
	if (ws->n == ws->cap) {
		size_t cap = ws->cap ? ws->cap * 2 : 256;
		struct backlog_pending *p = realloc(ws->p, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		ws->p = p;
		ws->cap = cap;
	}
	ws->p[ws->n++] = (struct backlog_pending){pfn, since_ns};
	return 0;
}

/* the last scan's waiting unit at pfn, or NULL; those before pfn are passed */
static const struct backlog_pending *pending_was(struct wait_scan *ws, uint64_t pfn)
{
	const struct backlog_waits *w = ws->w;

	while (ws->at < w->n && w->p[ws->at].pfn < pfn)
		ws->at++;
	return ws->at < w->n && w->p[ws->at].pfn == pfn ? &w->p[ws->at] : NULL;
}

/*
 * The unit at pfn, its head free and not reported: waiting when wholly
 * free.  Its middle and last pages first: most such heads are small free
 * blocks, which those two reads turn away.  A unit waiting at the last
 * scan keeps its first sight when they are still free (it changes only
 * once allocated); a new one is then read whole: its ends alone pass a
 * unit of scattered free pages, which would wait forever.  0 or -errno.
 */
static int wait_unit(struct wait_scan *ws, int fd, uint64_t pfn, int order_low)
{
	const struct backlog_pending *was = pending_was(ws, pfn);
	uint64_t n = 1ULL << order_low;
	int r = 1;

	if (order_low > 0) {
		r = free_tail(fd, pfn + n / 2);
		if (r > 0)
			r = free_tail(fd, pfn + n - 1);
	}
	if (r > 0 && !was && n > 2)
		r = all_free_tail(fd, pfn + 1, n - 1);
	if (r <= 0)
		return r;
	/* waiting when tracking began: since when is unknown */
	return pending_add(ws, pfn, was ? was->since_ns : ws->w->last_ns ? ws->w->now_ns : 0);
}

/*
 * A reported block at pfn of 2^order pages, new since the last scan unless
 * it was cached at that order: the units the last scan saw waiting in it
 * waited until now; what no scan saw waiting was reported at first sight
 */
static void wait_reported(struct wait_scan *ws, uint64_t pfn, int order, bool is_new)
{
	const struct backlog_waits *w = ws->w;
	uint64_t end = pfn + (1ULL << order), unit = (1ULL << w->order_low) * w->page_size;
	uint64_t seen = 0;
	const struct backlog_pending *p;

	pending_was(ws, pfn);
	for (; ws->at < w->n && (p = &w->p[ws->at])->pfn < end; ws->at++) {
		seen += unit;
		if (p->since_ns && w->now_ns >= p->since_ns)
			wait_add(&ws->hist, (double)(w->now_ns - p->since_ns) / 1e9, unit);
	}
	if (is_new && w->last_ns && (1ULL << order) * w->page_size > seen)
		ws->hist.unseen_bytes += (1ULL << order) * w->page_size - seen;
}

static void wait_begin(struct wait_scan *ws, struct backlog_waits *w, int order_low)
{
	*ws = (struct wait_scan){.w = w};
	if (!w)
		return;
	/* units of another order are other units: start over */
	if (w->order_low != order_low) {
		w->n = 0;
		w->last_ns = 0;
		w->order_low = order_low;
	}
	ws->hist = w->hist;
}

/* the scan succeeded: its units and samples replace the last ones */
static void wait_end(struct wait_scan *ws)
{
	struct backlog_waits *w = ws->w;
	double gap;

	if (w->last_ns && w->now_ns > w->last_ns) {
		gap = (double)(w->now_ns - w->last_ns) / 1e9;
		if (gap > ws->hist.resolution_s)
			ws->hist.resolution_s = gap;
	}
	ws->hist.known = true;
	w->hist = ws->hist;
	free(w->p);
	w->p = ws->p;
	w->n = ws->n;
	w->cap = ws->cap;
	w->last_ns = w->now_ns;
	ws->p = NULL;
}

void backlog_waits_free(struct backlog_waits *w)
{
	free(w->p);
	w->p = NULL;
	w->n = w->cap = 0;
}

int backlog_scan_reported(int fd, int order_low, int order_top, struct backlog_cache *cache,
			  struct backlog_waits *waits, uint64_t *pages, uint64_t *heads)
{
	struct backlog_cache next = {0};
	struct wait_scan ws;
	uint64_t step, pfn, f;
	size_t at = 0;
	int r, k, was;

	*pages = *heads = 0;
	if (order_low < 0 || order_top < order_low || order_top > 30)
		return -EINVAL;
	if (!cache)
		waits = NULL;
	wait_begin(&ws, waits, order_low);
	step = 1ULL << order_low;
	for (pfn = 0;; pfn += step) {
		r = flags_at(fd, pfn, &f);
		if (r <= 0)
			break;
		if (waits && (f & KPF_SEEN) == BIT(KPF_BUDDY)) {
			if ((r = wait_unit(&ws, fd, pfn, order_low)) < 0)
				break;
			continue;
		}
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
		if (waits)
			wait_reported(&ws, pfn, k, k != was);
		*pages += 1ULL << k;
		(*heads)++;
		pfn += (1ULL << k) - step;
	}
	if (cache && r >= 0) {
		free(cache->head);
		*cache = next;
		if (waits)
			wait_end(&ws);
	} else {
		free(next.head);
	}
	free(ws.p);
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

/* ---- the wait histogram ---- */

double wait_le(int bucket)
{
	return WAIT_LE0_S * (double)(1ULL << bucket);
}

/* a slot's bounds: bucket b is (le(b - 1), le(b)], the first from 0 */
static double slot_low(int slot)
{
	int b = slot / WAIT_SUB;
	double lo = b ? wait_le(b - 1) : 0;

	return lo + (wait_le(b) - lo) * (slot % WAIT_SUB) / WAIT_SUB;
}

/* a slot ends where the next begins, the last bucket's at le(WAIT_BUCKETS) */
static double slot_high(int slot)
{
	return slot_low(slot + 1);
}

/* the slot of a wait: its bucket's bound at or above it (the last holds the rest) */
static int wait_slot(double s)
{
	double lo, sub;
	int b;

	for (b = 0; b < WAIT_BUCKETS && s > wait_le(b); b++)
		;
	lo = b ? wait_le(b - 1) : 0;
	sub = (s - lo) / (wait_le(b) - lo) * WAIT_SUB;
	if (sub >= WAIT_SUB)
		sub = WAIT_SUB - 1; /* le is inclusive; above 1024 s too */
	if (sub < 0)
		sub = 0;
	return b * WAIT_SUB + (int)sub;
}

void wait_add(struct snap_backlog_wait *w, double wait_s, uint64_t bytes)
{
	w->count++;
	w->bytes += bytes;
	w->byte_s += (double)bytes * wait_s;
	if (wait_s > w->max_s)
		w->max_s = wait_s;
	w->slot[wait_slot(wait_s)] += bytes;
}

void wait_buckets(const struct snap_backlog_wait *w, uint64_t bytes[WAIT_BUCKETS + 1])
{
	int i;

	memset(bytes, 0, (WAIT_BUCKETS + 1) * sizeof(bytes[0]));
	for (i = 0; i < WAIT_SLOTS; i++)
		bytes[i / WAIT_SUB] += w->slot[i];
}

double wait_percentile(const struct snap_backlog_wait *w, double p)
{
	double want = (double)w->bytes * p / 100, cum = 0, v;
	int i;

	if (!w->bytes)
		return -1;
	for (i = 0; i < WAIT_SLOTS - 1 && (!w->slot[i] || cum + (double)w->slot[i] < want); i++)
		cum += (double)w->slot[i];
	v = w->slot[i]
		? slot_low(i) + (slot_high(i) - slot_low(i)) * (want - cum) / (double)w->slot[i]
		: slot_low(i);
	return v > w->max_s ? w->max_s : v;
}
