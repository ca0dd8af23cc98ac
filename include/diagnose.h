/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "Why is memory not returned?": prtop doctor's diagnosis from what one
 * window of observation shows (src/diagnose.c, a pure function).
 */
#ifndef PRTOP_DIAGNOSE_H
#define PRTOP_DIAGNOSE_H

#include "snapshot.h"

#define DIAG_MAX 10

enum diag_level {
	DIAG_OK = 0,  /* memory is being returned, or there is nothing to return */
	DIAG_INFO,    /* worth knowing, not a fault */
	DIAG_PROBLEM, /* memory that could be returned is not */
};

/*
 * What bounds the drain of a large free (issue 23): reporting returns it in
 * passes, each reporting at most a budget, a delay apart.
 */
enum drain_bound {
	BOUND_NONE = 0,
	BOUND_BUDGET,	/* the per-pass budget: 1/16 of each free area, + one batch a list */
	BOUND_CAPACITY, /* a small free area: the batch size is most of the budget */
	BOUND_DELAY,	/* what waits fits in one pass: it waits the delay */
	BOUND_DEVICE,	/* passes spend their time in report(): the device's round trip */
	BOUND_PASS,	/* passes take most of the time, report() unseen */
	BOUND_WAITING,	/* a vendor kernel waits for max_waiting_mib freed */
};

/* what drain_bound() decides from: one window, base -> cur */
struct drain_in {
	uint64_t end_ns; /* CLOCK_MONOTONIC of the window's end */
	double window_s;
	uint64_t bytes;		/* memory returned over the window */
	uint64_t passes;	/* worker runs that ended in it */
	double delay_s;		/* request -> run: seen (p50), else the knob, else 2 s */
	const char *delay_from; /* "seen", "knob", "upstream" */
	double run_s;		/* a run's time (p50), < 0 unknown */
	double rtt_s;		/* report()'s round trip (p50), < 0 unknown */
	double batches;		/* report() calls over the window, < 0 unknown */
	bool backlog_known;
	uint64_t backlog; /* to report from the window's start: unreported then, or
			   * returned in it + unreported at its end, the more */
	uint64_t budget;  /* the upstream rule's bytes per pass for the largest zone, 0 unknown */
	uint64_t budget_calls; /* report() calls it allows a list of its largest order */
	uint64_t capacity;     /* blocks per batch: the knob, else 32 */
	bool capacity_settable, delay_settable;
	long long max_waiting_mib; /* vendor threshold, < 0 none */
};

struct drain_verdict {
	enum drain_bound bound;
	double per_pass;	/* bytes returned per pass */
	double interval_s;	/* one pass to the next */
	double rate;		/* per_pass / interval_s, bytes/s */
	uint64_t passes_needed; /* for the backlog at that pace */
	double eta_s;
};

struct diag {
	enum diag_level level;
	const char *id; /* stable name for JSON: "no_device", "fragmented", ... */
	char text[1024];
	bool has_drain; /* id "drain_bound": the figures below and their inputs */
	struct drain_in din;
	struct drain_verdict dv;
};

/* findings over base -> cur (base may be NULL: no window); returns how many */
int diagnose(const struct prtop_snapshot *cur, const struct prtop_snapshot *base, struct diag *out,
	     int max);
const char *diag_level_name(enum diag_level l);

/*
 * The upstream budget for one pass over one zone (mm/page_reporting.c, 6.1
 * to 6.18): per free list of order >= order, DIV_ROUND_UP(nr_free, 16 *
 * capacity) + 1 report() calls of capacity blocks each, nr_free being the
 * zone's free blocks of that order.  Bytes, summed over the orders; *calls
 * the calls for the order holding the most free bytes.
 */
uint64_t pass_budget(const uint64_t blocks[PRTOP_ORDERS], int order, uint64_t capacity,
		     uint64_t page_size, uint64_t *calls);
/* the inputs from a window (false: no drain to judge: no backlog, no pace) */
bool drain_inputs(const struct prtop_snapshot *cur, const struct prtop_snapshot *base,
		  struct drain_in *in);
/* what bounds the drain; false when nothing large is draining or waiting */
bool drain_bound(const struct drain_in *in, struct drain_verdict *v);
const char *drain_bound_name(enum drain_bound b);

#endif /* PRTOP_DIAGNOSE_H */
