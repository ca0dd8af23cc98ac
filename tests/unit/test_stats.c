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

void test_stats(void)
{
	basics();
	change();
	lkp_row();
	advisor();
}
