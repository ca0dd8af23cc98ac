/* SPDX-License-Identifier: GPL-2.0 */
/* The exposition helpers of metrics.c, shared with host_metrics.c. */
#ifndef PRTOP_METRICS_INT_H
#define PRTOP_METRICS_INT_H

#include <stdint.h>
#include "metric_table.h"
#include "metrics.h"

/* # HELP / # TYPE (/ # UNIT) of a family: a row of the metric table */
void fam_head(struct mbuf *b, const struct metrics_opts *o, const struct metric *f);
/* one sample; labels "{a=\"b\"}" or NULL */
void fam_u64(struct mbuf *b, const struct metric *f, const char *labels, uint64_t v);
void fam_dbl(struct mbuf *b, const struct metric *f, const char *labels, double v);
/* a family of one unlabelled sample */
void fam_one(struct mbuf *b, const struct metrics_opts *o, const struct metric *f, uint64_t v);
/* a label value with \, " and newline escaped, truncated to fit */
char *label_esc(char *dst, size_t len, const char *src);

/* prtop_build_info{version,kernel}, shared by both exporters */
void metrics_put_build(struct mbuf *b, const struct metrics_opts *o, const char *kernel);
/* prtop_snapshot_age_seconds and prtop_scrape_requests_total, when o has them */
void metrics_put_freshness(struct mbuf *b, const struct metrics_opts *o, uint64_t mono_ns);

#endif /* PRTOP_METRICS_INT_H */
