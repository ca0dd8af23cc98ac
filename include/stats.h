/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The arithmetic of A/B benchmarks, as kernel MM engineers read it from
 * LKP's robot: per setting the mean and its %stddev, the %change of the
 * mean against the baseline, and a 95 % interval for that change (Welch's
 * t interval, so unequal spreads are fine).  And the advisor that picks
 * the setting giving back the most memory per percent of throughput lost.
 * Pure functions: tests/unit/test_stats.c checks them on fixed inputs.
 */
#ifndef PRTOP_STATS_H
#define PRTOP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct sample_stats {
	int n;
	double mean, median, stddev; /* sample standard deviation (n - 1) */
	double min, max;
	double stddev_pct; /* stddev / mean * 100 */
};

void stats_of(const double *v, int n, struct sample_stats *out);
/* two-sided 95 % quantile of Student's t with df degrees of freedom */
double t975(double df);

struct change {
	double pct;	  /* (new mean - base mean) / base mean * 100 */
	double ci95_pct;  /* half-width of its 95 % interval, in % of the base mean */
	bool significant; /* the interval excludes 0 */
	bool known;	  /* both sides have two or more values and base mean != 0 */
};

void stats_change(const struct sample_stats *base, const struct sample_stats *cur,
		  struct change *out);

/* one line in LKP's layout: "  base ±  s%    %change ±ci  value ±  s%  metric" */
/* "+1.2% ±3.4%~" (~: within noise), "n/a" when unknown; LKP's %change column */
const char *stats_change_str(const struct change *c, char *buf, size_t len);

void stats_lkp_row(FILE *out, const struct sample_stats *base, const struct sample_stats *cur,
		   const char *metric);
void stats_lkp_head(FILE *out);

/* a setting as the advisor sees it */
struct advice_in {
	const char *name;
	struct change ops; /* throughput against reporting off */
	bool mem_known;
	double mem_bytes_per_s; /* memory handed back to the host */
};

/*
 * The advice in one sentence, into buf: the setting with the most memory
 * back per percent of throughput lost (a loss within noise counts as its
 * interval's upper bound), and plainly when every difference is within
 * noise.  Returns the index chosen, or -1 when the numbers cannot rank.
 */
int stats_advise(const struct advice_in *in, int n, char *buf, size_t len);

/* the 95 % interval of the mean (Student's t, n - 1); false below two values */
bool stats_interval(const struct sample_stats *s, double *lo, double *hi);

/* a setting as the return advisor sees it (prtop bench --return) */
struct return_in {
	const char *name;
	int rounds;		 /* rounds run */
	struct sample_stats t90; /* seconds to 90 % returned, over the rounds that got there */
	bool cost_known;
	struct sample_stats cost; /* the measured cost per round (the caller names its unit) */
	bool ops_known;
	struct sample_stats ops; /* a workload's throughput at this setting, runs of it */
};

/*
 * The return goal in one sentence, into buf: of the settings that return
 * 90 % within within_s in every round, by their interval's upper bound,
 * the one of least mean cost (cost_unit names it, "ms of worker run
 * time"); plainly when none meets the goal, when the costs of those that
 * meet it differ within noise, or when no cost was measured.  Where every
 * setting that meets it has its workload's throughput measured, that comes
 * first: those slower than the fastest of them beyond noise are out, and
 * of the rest the least cost wins; its change against in[0] is said.
 * Returns the index chosen, or -1 when none meets the goal.
 */
int stats_advise_return(const struct return_in *in, int n, double within_s, const char *cost_unit,
			char *buf, size_t len);

#endif /* PRTOP_STATS_H */
