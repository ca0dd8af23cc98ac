// SPDX-License-Identifier: GPL-2.0
/* A/B statistics and the advisor: see stats.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void stats_of(const double *v, int n, struct sample_stats *o)
{
	double *s, sum = 0, sq = 0;
	int i;

	memset(o, 0, sizeof(*o));
	if (n <= 0)
		return;
	s = malloc(sizeof(*s) * (size_t)n);
	if (!s)
		return;
	memcpy(s, v, sizeof(*s) * (size_t)n);
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	for (i = 0; i < n; i++)
		sum += s[i];
	o->n = n;
	o->mean = sum / n;
	for (i = 0; i < n; i++)
		sq += (s[i] - o->mean) * (s[i] - o->mean);
	o->stddev = n > 1 ? sqrt(sq / (n - 1)) : 0;
	o->median = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	o->min = s[0];
	o->max = s[n - 1];
	o->stddev_pct = o->mean != 0 ? 100 * o->stddev / fabs(o->mean) : 0;
	free(s);
}

/* Student's t, two-sided 95 %, df 1..30; beyond, interpolated in 1/df to 1.96 */
double t975(double df)
{
	static const double t[] = {
	    0,	   12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
	    2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080,
	    2.074, 2.069,  2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
	};
	int lo;
	double f;

	if (!(df >= 1))
		return t[1];
	if (df >= 30)
		return 1.960 + (t[30] - 1.960) * 30 / df;
	lo = (int)floor(df);
	f = df - lo;
	return t[lo] + (t[lo + 1 < 31 ? lo + 1 : 30] - t[lo]) * f;
}

void stats_change(const struct sample_stats *b, const struct sample_stats *c, struct change *o)
{
	double vb, vc, se, df;

	memset(o, 0, sizeof(*o));
	if (b->n < 2 || c->n < 2 || b->mean == 0)
		return;
	o->known = true;
	o->pct = 100 * (c->mean - b->mean) / fabs(b->mean);
	vb = b->stddev * b->stddev / b->n;
	vc = c->stddev * c->stddev / c->n;
	se = sqrt(vb + vc);
	/* Welch-Satterthwaite; two constant samples have no spread at all */
	df = vb + vc > 0 ? (vb + vc) * (vb + vc) / (vb * vb / (b->n - 1) + vc * vc / (c->n - 1))
			 : b->n + c->n - 2;
	o->ci95_pct = 100 * t975(df) * se / fabs(b->mean);
	o->significant = fabs(o->pct) > o->ci95_pct;
}

void stats_lkp_head(FILE *out)
{
	/* 80 columns with a 20-character metric name */
	fprintf(out, "%10s %8s %17s %10s %8s  %s\n", "base", "±%stddev", "%change ±ci95", "value",
		"±%stddev", "metric");
}

/* a plain decimal, never 2.6847e+06: whole numbers from 100 up, else 2 or 4 decimals */
static const char *plain(char *buf, size_t len, double v)
{
	double a = fabs(v);

	snprintf(buf, len, "%.*f", a >= 100 ? 0 : a >= 1 ? 2 : 4, v);
	return buf;
}

const char *stats_change_str(const struct change *d, char *buf, size_t len)
{
	if (!d->known)
		snprintf(buf, len, "%s", "n/a");
	else if (d->ci95_pct >= 999.95) /* an interval this wide says only "noise" */
		snprintf(buf, len, "%+.0f%% ±>999%%%s", d->pct, d->significant ? "" : "~");
	else
		snprintf(buf, len, "%+.*f%% ±%.1f%%%s", fabs(d->pct) >= 999.95 ? 0 : 1, d->pct,
			 d->ci95_pct, d->significant ? "" : "~");
	return buf;
}

void stats_lkp_row(FILE *out, const struct sample_stats *b, const struct sample_stats *c,
		   const char *metric)
{
	char ch[40], bv[32], cv[32];
	struct change d;

	stats_change(b, c, &d);
	fprintf(out, "%10s ±%5.1f%% %17s %10s ±%5.1f%%  %s\n", plain(bv, sizeof(bv), b->mean),
		b->stddev_pct, stats_change_str(&d, ch, sizeof(ch)), plain(cv, sizeof(cv), c->mean),
		c->stddev_pct, metric);
}

/* the plausible loss in %: the measured loss, or its interval's upper end within noise */
static double loss_bound(const struct change *c)
{
	double loss = -c->pct;

	if (c->significant)
		return loss > 0 ? loss : 0;
	return loss + c->ci95_pct > 0 ? loss + c->ci95_pct : 0;
}

int stats_advise(const struct advice_in *in, int n, char *buf, size_t len)
{
	double best = -1, score, eps = 0.1; /* 0.1 %: below any bench's resolution */
	int i, pick = -1, noisy = 0, ranked = 0;

	for (i = 0; i < n; i++) {
		if (!in[i].ops.known || !in[i].mem_known)
			continue;
		ranked++;
		noisy += !in[i].ops.significant;
		score = in[i].mem_bytes_per_s / 1048576 / fmax(loss_bound(&in[i].ops), eps);
		if (score > best) {
			best = score;
			pick = i;
		}
	}
	if (pick < 0) {
		snprintf(buf, len, "no advice: %s",
			 n ? "the memory each setting gives back was not observed (report() not "
			     "attached) or too few repetitions"
			   : "no setting to compare against reporting off");
		return -1;
	}
	/* the wording follows the sign: a measured gain is not "throughput lost" */
	snprintf(buf, len, "%s gives back the most memory %s: %.1f MiB/s for %+.1f%% ±%.1f%%%s%s",
		 in[pick].name,
		 !in[pick].ops.significant ? "for what it may cost in throughput"
		 : in[pick].ops.pct < 0	   ? "per percent of throughput lost"
					   : "and throughput rose with it",
		 in[pick].mem_bytes_per_s / 1048576, in[pick].ops.pct, in[pick].ops.ci95_pct,
		 !in[pick].ops.significant ? " (within noise)"
		 : in[pick].ops.pct < 0	   ? " (a loss)"
					   : " (a gain)",
		 noisy == ranked ? "; every throughput difference is within noise: more "
				   "repetitions or longer runs would tell them apart"
				 : "");
	return pick;
}

bool stats_interval(const struct sample_stats *s, double *lo, double *hi)
{
	double hw;

	if (s->n < 2)
		return false;
	hw = t975(s->n - 1) * s->stddev / sqrt(s->n);
	*lo = s->mean - hw;
	*hi = s->mean + hw;
	return true;
}

/* 90 % in every round, and the interval's upper bound within the goal */
static bool return_meets(const struct return_in *r, double within_s, double *hi)
{
	double lo;

	return r->t90.n == r->rounds && stats_interval(&r->t90, &lo, hi) && *hi <= within_s;
}

/* none meets the goal: the fastest that got to 90 % every time, if any */
static int return_none(const struct return_in *in, int n, double within_s, char *buf, size_t len)
{
	double lo, hi, best_hi = 0;
	int i, best = -1;

	for (i = 0; i < n; i++)
		if (in[i].t90.n == in[i].rounds && stats_interval(&in[i].t90, &lo, &hi) &&
		    (best < 0 || hi < best_hi)) {
			best = i;
			best_hi = hi;
		}
	if (best < 0)
		snprintf(buf, len,
			 "no setting meets the goal of 90 %% within %.1f s: none returned 90 %% in "
			 "every round (two or more) within the timeout",
			 within_s);
	else
		snprintf(buf, len,
			 "no setting meets the goal of 90 %% within %.1f s: the fastest, %s, "
			 "takes %.1f s (95 %% interval up to %.1f s)",
			 within_s, in[best].name, in[best].t90.mean, best_hi);
	return -1;
}

/* the fastest workload of those meeting the goal; -1 when one of them has no throughput */
static int return_fastest(const struct return_in *in, int n, double within_s)
{
	double hi;
	int i, best = -1;

	for (i = 0; i < n; i++) {
		if (!return_meets(&in[i], within_s, &hi))
			continue;
		if (!in[i].ops_known || in[i].ops.n < 2)
			return -1;
		if (best < 0 || in[i].ops.mean > in[best].ops.mean)
			best = i;
	}
	return best;
}

/* meets the goal, and is not slower than the fastest (fast, if any) beyond noise */
static bool return_eligible(const struct return_in *in, int i, int fast, double within_s,
			    double *hi)
{
	struct change d;

	if (!return_meets(&in[i], within_s, hi))
		return false;
	if (fast < 0 || i == fast)
		return true;
	stats_change(&in[fast].ops, &in[i].ops, &d);
	return !d.known || !d.significant;
}

/* ", throughput -1.2% ±3.4%~ against on (within noise)": the pick's workload change */
static void return_ops_words(const struct return_in *in, int pick, char *buf, size_t len)
{
	struct change d;
	char ch[48];

	if (pick == 0) {
		snprintf(buf, len, ", its throughput the baseline");
		return;
	}
	stats_change(&in[0].ops, &in[pick].ops, &d);
	snprintf(buf, len, ", throughput %s against %s%s", stats_change_str(&d, ch, sizeof(ch)),
		 in[0].name,
		 !d.known	  ? ""
		 : !d.significant ? " (within noise)"
		 : d.pct < 0	  ? " (a loss)"
				  : " (a gain)");
}

int stats_advise_return(const struct return_in *in, int n, double within_s, const char *cost_unit,
			char *buf, size_t len)
{
	double hi, pick_hi = 0;
	int i, pick = -1, meet = 0, run = 0, unknown = 0, same = 0;
	int fast = return_fastest(in, n, within_s);
	char ops[160] = "", noise[200] = "";
	struct change d;

	for (i = 0; i < n; i++) {
		meet += return_meets(&in[i], within_s, &hi);
		if (!return_eligible(in, i, fast, within_s, &hi))
			continue;
		run++;
		unknown += !in[i].cost_known || in[i].cost.n < 1;
	}
	/* the cheapest in the running; the fastest, else the first given, when a cost is unknown */
	for (i = 0; i < n; i++) {
		if (!return_eligible(in, i, fast, within_s, &hi))
			continue;
		if (pick < 0 || (!unknown && in[i].cost.mean < in[pick].cost.mean) ||
		    (unknown && i == fast)) {
			pick = i;
			pick_hi = hi;
		}
	}
	if (pick < 0)
		return return_none(in, n, within_s, buf, len);
	if (fast >= 0) {
		return_ops_words(in, pick, ops, sizeof(ops));
		if (meet > run)
			snprintf(noise, sizeof(noise),
				 "; %d that meet%s it had less throughput beyond noise", meet - run,
				 meet - run == 1 ? "s" : "");
		if (run > 1)
			snprintf(noise + strlen(noise), sizeof(noise) - strlen(noise),
				 "; %s %d that meet it differ in throughput within noise",
				 run == meet ? "all" : "the other", run);
	}
	if (unknown) {
		snprintf(buf, len,
			 "%s meets the goal: 90 %% in %.1f s (up to %.1f s)%s%s; its cost was not "
			 "measured, so of the %d setting%s in the running the %s is named",
			 in[pick].name, in[pick].t90.mean, pick_hi, ops, noise, run,
			 run == 1 ? "" : "s", fast >= 0 ? "fastest" : "first given");
		return pick;
	}
	/* who else is in the running at a cost not told apart from the pick's */
	for (i = 0; i < n; i++) {
		if (i == pick || !return_eligible(in, i, fast, within_s, &hi))
			continue;
		stats_change(&in[pick].cost, &in[i].cost, &d);
		same += !d.known || !d.significant;
	}
	snprintf(
	    buf, len,
	    "%s meets the goal at the least cost: 90 %% in %.1f s (up to %.1f s)%s, %.1f %s%s%s",
	    in[pick].name, in[pick].t90.mean, pick_hi, ops, in[pick].cost.mean, cost_unit, noise,
	    !same	      ? ""
	    : same == run - 1 ? "; every setting in the running costs the same within noise"
			      : "; some in the running cost the same within noise");
	return pick;
}
