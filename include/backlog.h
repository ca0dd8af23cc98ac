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
 * How long free memory waited to be reported, from the scans alone (no
 * probe on the allocator): a unit is 2^order_low pages at a PFN aligned to
 * it, the scan's stride.  A scan notes each unit wholly free (every page
 * KPF_BUDDY) and not reported with the time it was first seen so; when a
 * later scan finds it inside a reported block, its wait (that scan's time
 * less the first one's) goes to the histogram weighted by its bytes.  A
 * unit the scan finds neither waiting nor reported (allocated) drops out
 * with no sample.  The start is unknown, so there is no sample, for a unit
 * reported at first sight (freed and reported between two scans: counted
 * in unseen_bytes instead) and for one already waiting at the first scan.
 * Each wait is within one scan interval of the truth (freed up to one
 * interval before the first sight, reported up to one before the last).
 * Costs: a new waiting unit's flags read whole (one 8-byte entry per page,
 * 4 KiB at order 9), a known one's middle and last page, a sample each.
 */
struct backlog_pending {
	uint64_t pfn;
	uint64_t since_ns; /* first seen waiting; 0: waiting at the first scan */
};
struct backlog_waits {
	struct backlog_pending *p; /* the units the last scan saw waiting, by pfn */
	size_t n, cap;
	int order_low;		       /* the unit's order they were seen at */
	uint64_t page_size;	       /* set once */
	uint64_t now_ns;	       /* set before each scan: its time */
	uint64_t last_ns;	       /* the last scan that tracked them, 0 none */
	struct snap_backlog_wait hist; /* the waits so far */
};

/*
 * Base pages in free blocks of order >= order_low flagged reported, from
 * the kpageflags file open on fd; order_top is the largest buddy order
 * (buddyinfo's columns - 1).  *heads counts the blocks.  cache may be NULL
 * (every head read in full); it is replaced after a scan that succeeded.
 * waits may be NULL; it needs cache (a head in it is no new report) and is
 * updated only by a scan that succeeded.  0 or -errno.
 */
int backlog_scan_reported(int fd, int order_low, int order_top, struct backlog_cache *cache,
			  struct backlog_waits *waits, uint64_t *pages, uint64_t *heads);
void backlog_cache_free(struct backlog_cache *cache);
void backlog_waits_free(struct backlog_waits *w);

/* the wait histogram: one sample; a bucket's upper bound; bytes per bucket */
void wait_add(struct snap_backlog_wait *w, double wait_s, uint64_t bytes);
double wait_le(int bucket); /* 0.25 s * 2^bucket; the last bucket has none */
void wait_buckets(const struct snap_backlog_wait *w, uint64_t bytes[WAIT_BUCKETS + 1]);
/*
 * The wait below which p % of the bytes waited, interpolated in its slot
 * (within 1/16 of its value) and at most the longest: -1 with no sample
 */
double wait_percentile(const struct snap_backlog_wait *w, double p);

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
