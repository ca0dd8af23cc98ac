/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Prometheus metrics of a snapshot: a pure function from a snapshot (and a
 * few facts about the exporter) to the text exposition format 0.0.4 or to
 * OpenMetrics 1.0.0.  No I/O, no clock, no globals: the exporter
 * (src/export.c) and the unit tests call it the same way.
 */
#ifndef PRTOP_METRICS_H
#define PRTOP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

#define METRICS_CT_TEXT	       "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

/* a growing NUL-terminated text buffer; after a failed allocation it stays failed */
struct mbuf {
	char *data;
	size_t len;
	size_t cap;
	bool failed;
};

void mbuf_printf(struct mbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mbuf_free(struct mbuf *b);

struct metrics_opts {
	bool openmetrics;    /* OpenMetrics 1.0.0 instead of text 0.0.4 */
	const char *version; /* prtop's version, for prtop_build_info */
	uint64_t now_ns;     /* CLOCK_MONOTONIC now, for the snapshot's age; 0: leave out */
	uint64_t scrapes;    /* /metrics requests so far, this one included; 0: leave out */
};

/* Append the metrics of s to b; 0, or -ENOMEM (b->failed) */
int metrics_render(struct mbuf *b, const struct prtop_snapshot *s, const struct metrics_opts *o);

/*
 * Whether an HTTP Accept header asks for OpenMetrics: listed with q > 0
 * and preferred at least as much as text/plain (or a wildcard).
 * NULL or empty: no.
 */
bool metrics_accept_openmetrics(const char *accept);

/* Histogram bucket bounds in seconds (+Inf is implied), exposed for tests. */
struct metrics_buckets {
	const double *le;
	int n;
};
extern const struct metrics_buckets metrics_buckets_report;
extern const struct metrics_buckets metrics_buckets_worker;
extern const struct metrics_buckets metrics_buckets_delay;
extern const struct metrics_buckets metrics_buckets_reuse_age;

/*
 * Cumulative counts of a log-linear ns histogram in the given second
 * buckets: cum[i] counts the samples whose whole source slot lies at or
 * below le[i] (so a bucket never claims a sample that may be larger);
 * cum[n] is the total (+Inf).  *sum_s is the exact sum where the
 * histogram kept one, else estimated from the slots' middles.  cum must
 * hold n + 1 entries.
 */
void metrics_hist_buckets(const struct snap_hist *h, const struct metrics_buckets *bk,
			  uint64_t *cum, double *sum_s);

#endif /* PRTOP_METRICS_H */
