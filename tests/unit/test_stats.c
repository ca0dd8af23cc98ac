// SPDX-License-Identifier: GPL-2.0
/*
 * The A/B arithmetic of prtop bench on fixed inputs: mean, median, sample
 * standard deviation, %stddev, Student's t, Welch's interval for the
 * %change, LKP's row layout, and the advisor's choice.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "unit.h"

static void basics(void)
{
	static const double v[] = {4, 1, 3, 2};
	struct sample_stats s;

	stats_of(v, 4, &s);
	CHECK_DBL(s.mean, 2.5, 1e-12, "stats: mean");
	CHECK_DBL(s.median, 2.5, 1e-12, "stats: median of an even count");
	CHECK_DBL(s.stddev, sqrt(5.0 / 3), 1e-12, "stats: sample stddev (n - 1)");
	CHECK_DBL(s.stddev_pct, 100 * sqrt(5.0 / 3) / 2.5, 1e-9, "stats: %%stddev");
	CHECK(s.min == 1 && s.max == 4, "stats: min and max");
	stats_of(v, 3, &s);
	CHECK_DBL(s.median, 3, 1e-12, "stats: median of an odd count");
	stats_of(v, 1, &s);
	CHECK(s.n == 1 && s.stddev == 0, "stats: one value has no spread");
	stats_of(v, 0, &s);
	CHECK(s.n == 0 && s.mean == 0, "stats: nothing");
	CHECK_DBL(t975(1), 12.706, 1e-9, "stats: t(1)");
	CHECK_DBL(t975(10), 2.228, 1e-9, "stats: t(10)");
	CHECK_DBL(t975(6.5), (2.447 + 2.365) / 2, 1e-9, "stats: t between table rows");
	CHECK(t975(1000) > 1.96 && t975(1000) < 1.963, "stats: t tends to 1.96");
	CHECK_DBL(t975(0.3), 12.706, 1e-9, "stats: df below 1 is df 1");
}

static void change(void)
{
	static const double base[] = {100, 102, 98, 100}, cur[] = {90, 92, 88, 90};
	static const double same[] = {100, 100, 100, 100}, noisy[] = {99, 110, 88, 101};
	struct sample_stats b, c;
	struct change d;

	stats_of(base, 4, &b);
	stats_of(cur, 4, &c);
	stats_change(&b, &c, &d);
	/* se = sqrt(2 * (8/3)/4), df = 6 -> t 2.447 */
	CHECK(d.known, "stats: change known");
	CHECK_DBL(d.pct, -10, 1e-9, "stats: %%change of the means");
	CHECK_DBL(d.ci95_pct, 2.447 * sqrt(2 * (8.0 / 3) / 4), 1e-6, "stats: Welch 95 %% interval");
	CHECK(d.significant, "stats: -10 %% ±2.8 %% excludes 0");
	{
		/* unequal spreads, 3 runs each (the return table's pf1 at half the
		 * throughput): var/n 4/3 and 1/3, Welch's df 2.94, t 3.248 */
		static const double b3[] = {100, 102, 98}, c3[] = {50, 51, 49};
		struct sample_stats sb3, sc3;

		stats_of(b3, 3, &sb3);
		stats_of(c3, 3, &sc3);
		stats_change(&sb3, &sc3, &d);
		CHECK(fabs(d.pct + 50) < 1e-9 && fabs(d.ci95_pct - 4.193) < 0.001,
		      "stats: Welch's interval takes each arm's own spread (%+.2f %% ±%.3f %%)",
		      d.pct, d.ci95_pct);
	}
	stats_of(noisy, 4, &c);
	stats_change(&b, &c, &d);
	CHECK(!d.significant, "stats: a noisy +-0.5 %% is within noise (ci %.1f)", d.ci95_pct);
	stats_of(same, 4, &b);
	stats_of(same, 4, &c);
	stats_change(&b, &c, &d);
	CHECK(d.known && d.pct == 0 && d.ci95_pct == 0 && !d.significant,
	      "stats: identical constant samples: no change, no interval");
	stats_of(same, 1, &c);
	stats_change(&b, &c, &d);
	CHECK(!d.known, "stats: one repetition cannot give an interval");
}

static void lkp_row(void)
{
	static const double base[] = {100, 102, 98, 100}, cur[] = {90, 92, 88, 90};
	struct sample_stats b, c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!CHECK(f, "stats: memstream"))
		return;
	stats_of(base, 4, &b);
	stats_of(cur, 4, &c);
	stats_lkp_row(f, &b, &c, "ops_per_task");
	fclose(f);
	CHECK(buf && strstr(buf, "-10.0% ±2.8%") && strstr(buf, "ops_per_task") &&
		  strstr(buf, "100") && strstr(buf, "90"),
	      "stats: LKP row: base, %%change ±ci95, value, metric (%s)", buf ? buf : "");
	free(buf);
	/*
	 * by hand, in thousands (so that the stddev and the %stddev differ):
	 * base {5000, 5100, 4900, 5000}: mean 5000, stddev sqrt(20000/3) =
	 * 81.65, 1.633 % of the mean; value {4500, 4600, 4400, 4500}: 81.65,
	 * 1.814 % of 4500; change -10 %, interval 2.447 x 57.7 / 5000 = 2.8 %
	 */
	{
		static const double kb[] = {5000, 5100, 4900, 5000},
				    kc[] = {4500, 4600, 4400, 4500};
		double bm = 0, bsd = 0, pct = 0, ci = 0, cm = 0, csd = 0;
		int got = 0;

		buf = NULL;
		f = open_memstream(&buf, &len);
		if (!CHECK(f, "stats: memstream"))
			return;
		stats_of(kb, 4, &b);
		stats_of(kc, 4, &c);
		stats_lkp_row(f, &b, &c, "ops");
		fclose(f);
		if (buf)
			got = sscanf(buf, "%lf \u00b1%lf%% %lf%% \u00b1%lf%% %lf \u00b1%lf%%", &bm,
				     &bsd, &pct, &ci, &cm, &csd);
		CHECK(got == 6 && bm == 5000 && cm == 4500 && fabs(bsd - 1.6) < 1e-9 &&
			  fabs(csd - 1.8) < 1e-9 && fabs(pct + 10) < 1e-9 && fabs(ci - 2.8) < 1e-9,
		      "stats: LKP row figures: base 5000 \u00b11.6%%, -10.0%% \u00b12.8%%, value "
		      "4500 \u00b11.8%% (%g %g %g %g %g %g)",
		      bm, bsd, pct, ci, cm, csd);
	}
	free(buf);
	/* large means print as plain decimals, not 2.6847e+06 */
	{
		static const double big[] = {2684699, 2684701}, big2[] = {2684799, 2684801};

		buf = NULL;
		f = open_memstream(&buf, &len);
		if (!CHECK(f, "stats: memstream"))
			return;
		stats_of(big, 2, &b);
		stats_of(big2, 2, &c);
		stats_lkp_row(f, &b, &c, "ops");
		fclose(f);
		CHECK(buf && !strchr(buf, 'e') && strstr(buf, "2684700") && strstr(buf, "2684800"),
		      "stats: LKP row in plain decimals (%s)", buf ? buf : "");
		free(buf);
	}
}

static void advisor(void)
{
	struct advice_in in[3] = {
	    {.name = "on",
	     .ops = {.pct = -1, .ci95_pct = 2, .known = true},
	     .mem_known = true,
	     .mem_bytes_per_s = 100 << 20},
	    {.name = "order=10",
	     .ops = {.pct = -5, .ci95_pct = 1, .significant = true, .known = true},
	     .mem_known = true,
	     .mem_bytes_per_s = 200 << 20},
	    {.name = "unknown", .ops = {.known = true}, .mem_known = false},
	};
	char buf[512];

	/* on: 100 MiB/s for at most 3 %; order=10: 200 MiB/s for 5 % */
	CHECK(stats_advise(in, 3, buf, sizeof(buf)) == 1 && strstr(buf, "order=10") &&
		  strstr(buf, "200.0 MiB/s") && !strstr(buf, "every throughput"),
	      "stats: advisor picks the most memory per percent lost (%s)", buf);
	in[1].ops.significant = false;
	in[1].ops.ci95_pct = 6;
	CHECK(stats_advise(in, 3, buf, sizeof(buf)) == 0 && strstr(buf, "within noise") &&
		  strstr(buf, "every throughput difference is within noise"),
	      "stats: advisor says plainly when all is noise (%s)", buf);
	/* a significant gain is not called a loss */
	in[1].ops.pct = 2.4;
	in[1].ops.ci95_pct = 1;
	in[1].ops.significant = true;
	CHECK(stats_advise(in, 3, buf, sizeof(buf)) == 1 && !strstr(buf, "lost") &&
		  strstr(buf, "throughput rose") && strstr(buf, "+2.4% ±1.0% (a gain)"),
	      "stats: a gain is worded as a gain (%s)", buf);
	in[1].ops.pct = -5;
	CHECK(stats_advise(in, 3, buf, sizeof(buf)) == 1 && strstr(buf, "throughput lost") &&
		  strstr(buf, "(a loss)"),
	      "stats: a loss is worded as a loss (%s)", buf);
	CHECK(stats_advise(in + 2, 1, buf, sizeof(buf)) == -1 && strstr(buf, "no advice"),
	      "stats: no memory figures, no advice (%s)", buf);
	CHECK(stats_advise(in, 0, buf, sizeof(buf)) == -1, "stats: nothing to compare");
}

static void interval(void)
{
	static const double v[] = {10, 12, 11, 13};
	struct sample_stats s;
	double lo = 0, hi = 0;

	/* mean 11.5, sd sqrt(5/3), t(3) 3.182: 11.5 +- 3.182 x 1.291 / 2 */
	stats_of(v, 4, &s);
	CHECK(stats_interval(&s, &lo, &hi), "stats: interval of the mean known");
	CHECK_DBL(hi - 11.5, 3.182 * sqrt(5.0 / 3) / 2, 1e-9, "stats: interval's half-width");
	CHECK_DBL(lo + hi, 23, 1e-9, "stats: interval centred on the mean");
	stats_of(v, 1, &s);
	CHECK(!stats_interval(&s, &lo, &hi), "stats: one value has no interval");
}

/* a workload's throughput per setting: a setting slower beyond noise is out */
static void return_advisor_ops(struct return_in *in)
{
	static const double c_fast[] = {200, 210, 205}, c_mid[] = {90, 92, 91};
	static const double o_on[] = {100, 101, 99}, o_250[] = {100, 102, 98},
			    o_slow[] = {80, 81, 79}, o_same[] = {99, 101, 100};
	char buf[512];
	int i;

	for (i = 0; i < 3; i++)
		in[i].cost_known = in[i].ops_known = true;
	stats_of(c_fast, 3, &in[1].cost);
	stats_of(c_mid, 3, &in[2].cost);
	stats_of(o_on, 3, &in[0].ops);
	stats_of(o_250, 3, &in[1].ops);
	stats_of(o_slow, 3, &in[2].ops);
	/* within 5 s: 1000 is cheaper in worker time, but 20 % slower beyond noise */
	CHECK(stats_advise_return(in, 3, 5, "ms", buf, sizeof(buf)) == 1 &&
		  strstr(buf, "delay_ms=250 meets the goal at the least cost") &&
		  strstr(buf, "throughput +0.0% ±") && strstr(buf, "against on (within noise)") &&
		  strstr(buf, "1 that meets it had less throughput beyond noise"),
	      "stats: return advisor leaves out a setting slower beyond noise (%s)", buf);
	/* the same throughput within noise: the worker's run time decides, said so */
	stats_of(o_same, 3, &in[2].ops);
	CHECK(stats_advise_return(in, 3, 5, "ms", buf, sizeof(buf)) == 2 &&
		  strstr(buf, "delay_ms=1000 meets") &&
		  strstr(buf, "all 2 that meet it differ in throughput within noise") &&
		  !strstr(buf, "beyond noise"),
	      "stats: return advisor says when throughput differs within noise (%s)", buf);
	/* the slow one alone meets a loose goal with on: its loss is said */
	stats_of(o_slow, 3, &in[2].ops);
	in[1].rounds = 4; /* 250 short of 90 % once: out */
	CHECK(stats_advise_return(in, 3, 30, "ms", buf, sizeof(buf)) == 0 &&
		  strstr(buf, "its throughput the baseline") && strstr(buf, "1 that meets it"),
	      "stats: return advisor: the baseline wins against a slower one (%s)", buf);
	CHECK(stats_advise_return(in, 3, 1, "ms", buf, sizeof(buf)) == -1 &&
		  strstr(buf, "no setting meets the goal"),
	      "stats: return advisor with throughput says plainly when none meets it (%s)", buf);
	in[1].rounds = 3;
}

static void return_advisor(void)
{
	/* t90 per round; cost in ms of worker run time per round */
	static const double slow[] = {10.2, 10.4, 10.3}, fast[] = {1.2, 1.4, 1.3},
			    mid[] = {4.0, 4.2, 4.1};
	static const double c_slow[] = {50, 52, 51}, c_fast[] = {200, 210, 205},
			    c_mid[] = {90, 92, 91}, c_mid_noisy[] = {20, 400, 100};
	struct return_in in[3] = {{.name = "on", .rounds = 3, .cost_known = true},
				  {.name = "delay_ms=250", .rounds = 3, .cost_known = true},
				  {.name = "delay_ms=1000", .rounds = 3, .cost_known = true}};
	char buf[512];

	stats_of(slow, 3, &in[0].t90);
	stats_of(fast, 3, &in[1].t90);
	stats_of(mid, 3, &in[2].t90);
	stats_of(c_slow, 3, &in[0].cost);
	stats_of(c_fast, 3, &in[1].cost);
	stats_of(c_mid, 3, &in[2].cost);
	/* within 5 s: 250 and 1000 meet it (upper bounds 1.55 and 4.35 s), 1000 is cheaper */
	CHECK(stats_advise_return(in, 3, 5, "ms", buf, sizeof(buf)) == 2 &&
		  strstr(buf, "delay_ms=1000 meets the goal at the least cost") &&
		  strstr(buf, "4.1 s") && !strstr(buf, "noise"),
	      "stats: return advisor picks the cheapest that meets the goal (%s)", buf);
	/* within 2 s: only 250 */
	CHECK(stats_advise_return(in, 3, 2, "ms", buf, sizeof(buf)) == 1 &&
		  strstr(buf, "delay_ms=250"),
	      "stats: return advisor: only the fast one meets a tight goal (%s)", buf);
	/* within 30 s: all meet, on is cheapest */
	CHECK(stats_advise_return(in, 3, 30, "ms", buf, sizeof(buf)) == 0 &&
		  strstr(buf, "on meets"),
	      "stats: return advisor: a loose goal keeps the cheapest (%s)", buf);
	/* within 1 s: none; the fastest named with its upper bound */
	CHECK(stats_advise_return(in, 3, 1, "ms", buf, sizeof(buf)) == -1 &&
		  strstr(buf, "no setting meets the goal") && strstr(buf, "delay_ms=250") &&
		  strstr(buf, "up to 1.5 s"),
	      "stats: return advisor says plainly when none meets it (%s)", buf);
	/* the upper bound decides, not the mean: 4.1 s with a wide interval misses 5 s */
	{
		static const double wide[] = {2.0, 6.2};
		struct return_in w = in[2];

		w.rounds = 2;
		stats_of(wide, 2, &w.t90);
		CHECK(stats_advise_return(&w, 1, 5, "ms", buf, sizeof(buf)) == -1 &&
			  strstr(buf, "takes 4.1 s"),
		      "stats: return advisor goes by the interval's upper bound (%s)", buf);
	}
	/* a round that never got to 90 %: that setting cannot meet any goal */
	in[1].rounds = 4;
	CHECK(stats_advise_return(in, 3, 2, "ms", buf, sizeof(buf)) == -1,
	      "stats: return advisor: a round short of 90 %% fails the goal (%s)", buf);
	in[1].rounds = 3;
	/* costs within noise */
	stats_of(c_mid_noisy, 3, &in[2].cost);
	CHECK(stats_advise_return(in, 3, 5, "ms", buf, sizeof(buf)) == 2 &&
		  strstr(buf, "same within noise"),
	      "stats: return advisor says when costs differ within noise (%s)", buf);
	/* no cost measured: the first given that meets it, said so */
	in[1].cost_known = false;
	CHECK(stats_advise_return(in, 3, 5, "ms", buf, sizeof(buf)) == 1 &&
		  strstr(buf, "not measured"),
	      "stats: return advisor without costs names the first that meets it (%s)", buf);
	CHECK(stats_advise_return(in, 0, 5, "ms", buf, sizeof(buf)) == -1 &&
		  strstr(buf, "none returned"),
	      "stats: return advisor with nothing to rank (%s)", buf);
	return_advisor_ops(in);
}

void test_stats(void)
{
	basics();
	change();
	lkp_row();
	advisor();
	interval();
	return_advisor();
}
