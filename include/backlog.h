/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reporting backlog: free memory the worker could report but has not
 * yet, how fast reported memory goes to the device, and how long the
 * backlog takes at that pace.
 *
 * Reportable memory is every free block of order >= page_reporting_order
 * (/proc/buddyinfo).  Of it, what is reported already is read from
 * /proc/kpageflags: PG_reported is PG_uptodate (enum pageflags), exported
 * as KPF_UPTODATE, so a page flagged KPF_BUDDY and KPF_UPTODATE heads a
 * reported free block.  Such a head is aligned to its order, at least the
 * reporting order, so only every 2^order_low-th PFN is read; a head's order
 * is the largest whose upper halves' first and last pages are free too
 * (two free buddies of one order always merge, so a free upper half belongs
 * to the block).  The two figures are read a few milliseconds apart: the
 * difference is an estimate.
 */
#ifndef PRTOP_BACKLOG_H
#define PRTOP_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

/*
 * The reported heads one scan found, by pfn: the next scan reads a known
 * head's upper halves only at their ends, and the whole only when those
 * disagree with the order found before (a block's order changes only once
 * it is allocated or merged, which clears PG_reported, and reported again).
 */
struct backlog_head {
	uint64_t pfn;
	uint8_t order;
};
struct backlog_cache {
	struct backlog_head *head;
	size_t n, cap;
};

/*
 * Base pages in free blocks of order >= order_low flagged reported, from
 * the kpageflags file open on fd; order_top is the largest buddy order
 * (buddyinfo's columns - 1).  *heads counts the blocks.  cache may be NULL
 * (every head read in full); it is replaced after a scan that succeeded.
 * 0 or -errno.
 */
int backlog_scan_reported(int fd, int order_low, int order_top, struct backlog_cache *cache,
			  uint64_t *pages, uint64_t *heads);
void backlog_cache_free(struct backlog_cache *cache);

/* memory returned since attach, sample by sample, for the drain rate */
#define DRAIN_POINTS 128
struct drain_point {
	uint64_t t_ns;
	uint64_t bytes;
};
struct drain_window {
	struct drain_point pt[DRAIN_POINTS]; /* oldest first */
	int n;
	int source; /* enum returned_source of every point */
};

/*
 * One more point; a source other than the points' own starts over (a
 * count from another source is another count), as do an unknown source
 * and a count that went down (reset).
 */
void drain_push(struct drain_window *w, uint64_t t_ns, int source, uint64_t bytes);
/*
 * Bytes per second since the drain began within the last window_ns: from
 * the point before the window's first growth of at least 1/DRAIN_STEP_SHARE
 * of its largest, or the point nearest DRAIN_MIN_SPAN_NS before the last
 * if that is earlier (the window's oldest point, or the one before the newest,
 * when nothing grew), to the newest.  *span_s is that span: the rate times
 * it is what was returned over it.  False with fewer than two points.
 */
#define DRAIN_STEP_SHARE  8
#define DRAIN_MIN_SPAN_NS 2000000000ULL /* PAGE_REPORTING_DELAY: a pass at most every 2 s */
bool drain_rate(const struct drain_window *w, uint64_t window_ns, double *bytes_per_s,
		double *span_s);
/*
 * Memory returned since the point at t_ns: 0 when no point has that time
 * (the count started over since, or the window lost it).
 */
uint64_t drain_since(const struct drain_window *w, uint64_t t_ns);
/*
 * The backlog from its two reads (reported above reportable, from reads
 * apart in time, is no backlog: 0), and the time to return it at the drain
 * rate: 0 s when there is none, unknown when it does not drain.  The
 * backlog is the last scan's less returned_since, the memory returned
 * since that scan.
 */
void backlog_figures(struct snap_backlog *b, uint64_t reportable_bytes,
		     uint64_t reported_free_bytes);
void backlog_eta(struct snap_backlog *b, uint64_t returned_since);

#endif /* PRTOP_BACKLOG_H */
