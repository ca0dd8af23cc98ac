/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reuse of reported memory, at no cost on the page allocator's hot path:
 * remember the ranges report() was handed, and on every sample read the
 * flags of each range's head page from /proc/kpageflags.  A range whose
 * head is still a free buddy page with PG_reported (exported as
 * KPF_UPTODATE, which PG_reported aliases) is still reported; one that is
 * inside no free buddy block any more has been handed out again (reused).
 */
#ifndef PRTOP_REUSE_H
#define PRTOP_REUSE_H

#include <stddef.h>
#include <stdint.h>
#include "prtop.h"
#include "snapshot.h"

struct reuse_tracker;

struct reuse_totals {
	uint64_t reused_bytes;
	uint64_t reused_ranges;
	uint64_t unreported_ranges; /* still free, no longer reported (merged) */
	uint64_t forgotten;	    /* dropped: table full */
	uint64_t order_reused_pages[PRTOP_ORDERS];
	struct snap_hist age; /* report -> reuse seen, ns */
};

/* kpageflags: path of /proc/kpageflags (tests pass a file of their own) */
struct reuse_tracker *reuse_new(size_t capacity, const char *kpageflags);
void reuse_free(struct reuse_tracker *t);
/* remember the entries of a successful batch */
void reuse_add_batch(struct reuse_tracker *t, const struct prtop_batch_event *ev);
/* check every remembered range; now_ns on the same clock as ev->ts_ns */
int reuse_scan(struct reuse_tracker *t, uint64_t now_ns);
size_t reuse_tracked(const struct reuse_tracker *t);
const struct reuse_totals *reuse_totals(const struct reuse_tracker *t);

#endif /* PRTOP_REUSE_H */
