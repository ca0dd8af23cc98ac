// SPDX-License-Identifier: GPL-2.0
/*
 * prtop bench --return: how soon freed memory is reported.
 *
 * Each round maps N MiB aligned to 2 MiB with THP asked for, touches every
 * page, measures the reported counter's background rate for a second,
 * then frees it all with one munmap() and samples the counter every
 * 50 ms until 99 % of it was reported, the counter stopped growing, or
 * the timeout.  Whole huge pages go back to the buddy allocator as
 * order-9 blocks, which any page_reporting_order up to 9 reports; other
 * frees in the machine move the counter too, and the rate before the
 * free, taken as steady, is subtracted.
 *
 * --mark FILE writes "PRTOP-RETURN free SET ROUND NAME" just before each
 * free and "PRTOP-RETURN end SET ROUND lead_s=L t90_s=T" after the round,
 * for an observer on another clock: a host stamping the lines as they come
 * out of the guest's serial port times the free with its own clock, and
 * the free line has left (tcdrain) L seconds at most before munmap().
 *
 * With a workload (-- CMD, pf1), each round runs it too at each setting,
 * before the return round there (a settle apart, so that what it frees is
 * reported before the free), as prtop bench's A/B arm: its throughput
 * change against the first setting, with Welch's interval, sits in one
 * table beside the time to return, the refaults and the worker's run
 * time, and the advisor weighs it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>
#include <json-c/json.h>

#include "bench_return.h"
#include "clock.h"
#include "collector.h"
#include "format.h"
#include "knob.h"
#include "procfs.h"
#include "record.h"
#include "sampler.h"
#include "snapshot.h"
#include "stats.h"
#include "ui.h"

#define RET_SAMPLE_S   0.05 /* the counter's sampling interval */
#define RET_BASE_S     1.0  /* the background rate's window before the free */
#define RET_STALL_MIN  6.0  /* no growth this long ends a round (3 default delays) */
#define RET_STALL_DELS 3    /* ... or this many of the set delay, if longer */
#define RET_HUGE       (2UL << 20)
#define RET_KIB_PATH   "/sys/module/page_reporting/parameters/reported_kib"
#define RET_PASSES     "/sys/module/page_reporting/parameters/passes"
#define RET_WAITING    "/sys/module/page_reporting/parameters/max_waiting_mib"

static const double share_at[3] = {0.5, 0.9, 0.99};
static const char *const share_name[3] = {"50 %", "90 %", "99 %"};

struct ret_round {
	double t[3];	  /* s from the free to the share; < 0 not reached */
	double reached;	  /* the highest share seen */
	double raw;	  /* the counter's growth over the wait, bytes */
	double net;	  /* less the background */
	double bg_bps;	  /* the background, bytes per second */
	double free_s;	  /* munmap() itself */
	double waited_s;  /* from the free to the round's end */
	double freed_at;  /* CLOCK_REALTIME, s */
	double ended_at;  /* CLOCK_REALTIME, s */
	double worker_ms; /* page_reporting_process run time over the wait */
	double reused;	  /* reported memory handed out again, bytes */
	double passes;	  /* the vendor kernel's worker passes */
	double lead_s;	  /* --mark: from writing the free line to the free */
	bool worker_known, reuse_known, passes_known;
	const char *end;
};

struct ret_ctx {
	const struct return_opts *o;
	const struct return_settings *s;
	struct collector *c;
	struct sampler smp; /* on c: its cur is the latest sample */
	const char *source; /* REC_SRC_*; NULL: nothing counts reported memory */
	char no_worker[600];
	long mib;
	long waiting_mib; /* the vendor's max_waiting_mib, -1 without */
	int mark_fd;	  /* --mark, -1 without */
	double stall_s;
	struct ret_round *r[RETURN_MAX_SETTINGS];
	int n[RETURN_MAX_SETTINGS];
	double *ops[RETURN_MAX_SETTINGS]; /* the workload's runs, ops per task per second */
	int nops[RETURN_MAX_SETTINGS];
};

static double wall_s(void)
{
	return clock_ns(CLOCK_REALTIME) / 1e9;
}

static bool read_u64(const char *path, uint64_t *v)
{
	char buf[32];
	int64_t n;

	if (read_trimmed_at(AT_FDCWD, path, buf, sizeof(buf)) || knob_parse_int(buf, &n) || n < 0)
		return false;
	*v = (uint64_t)n;
	return true;
}

/* the patch series' page_reporting_pages_reported, in bytes */
static bool vmstat_bytes(uint64_t *v)
{
	uint64_t pages;

	if (vmstat_get(NULL, "page_reporting_pages_reported", &pages))
		return false;
	*v = pages * (uint64_t)sysconf(_SC_PAGESIZE);
	return true;
}

/* reported bytes so far, from the source chosen */
static bool counter(struct ret_ctx *x, uint64_t *v)
{
	if (!x->source)
		return false;
	if (!strcmp(x->source, REC_SRC_PRTOP)) {
		sampler_take(&x->smp);
		*v = x->smp.cur->c.report_bytes;
		return true;
	}
	if (!strcmp(x->source, REC_SRC_KERNEL_KIB)) {
		if (!read_u64(RET_KIB_PATH, v))
			return false;
		*v *= 1024;
		return true;
	}
	return vmstat_bytes(v);
}

/* prtop where report() is observed, else the kernel's own counter */
static void pick_source(struct ret_ctx *x)
{
	/* wait_reported() reads the counter with sampler_take(), not on the schedule */
	struct sampler_opts so = {.interval_s = RET_SAMPLE_S};
	struct collector_opts co = {0};
	char err[512];
	uint64_t v;

	if (x->o->no_prtop) {
		snprintf(x->no_worker, sizeof(x->no_worker), "--no-prtop: prtop not attached");
	} else if (collector_open(&x->c, &co, err, sizeof(err))) {
		snprintf(x->no_worker, sizeof(x->no_worker), "prtop could not attach: %s", err);
		x->c = NULL;
	} else if (sampler_init(&x->smp, x->c, &so)) { /* the base sample */
		snprintf(x->no_worker, sizeof(x->no_worker),
			 "prtop could not attach: out of memory");
		collector_close(x->c);
		x->c = NULL;
	} else {
		if (snap_has(x->smp.cur, SG_REPORT))
			x->source = REC_SRC_PRTOP;
		if (!snap_has(x->smp.cur, SG_WORKER))
			snprintf(x->no_worker, sizeof(x->no_worker),
				 "the worker's runs are not observed on this kernel");
	}
	if (!x->source && read_u64(RET_KIB_PATH, &v))
		x->source = REC_SRC_KERNEL_KIB;
	else if (!x->source && vmstat_bytes(&v))
		x->source = REC_SRC_KERNEL_VMST;
}

/* 3 times the delay of the setting in force, at least RET_STALL_MIN */
static double stall_of(void)
{
	int64_t ms;

	if (knob_read(NULL, "delay_ms", &ms, NULL, NULL) || ms <= 0)
		return RET_STALL_MIN;
	return ms / 1000.0 * RET_STALL_DELS > RET_STALL_MIN ? ms / 1000.0 * RET_STALL_DELS
							    : RET_STALL_MIN;
}

/* THP-aligned, every page touched; the mapping's start in *base */
static char *map_touched(size_t len, void **base, size_t *maplen)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t a;
	size_t off;
	char *p;

	*maplen = len + RET_HUGE;
	*base = mmap(NULL, *maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*base == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)*base + RET_HUGE - 1) & ~(RET_HUGE - 1);
	p = (char *)a;
	madvise(p, len, MADV_HUGEPAGE);
	for (off = 0; off < len; off += (size_t)page)
		p[off] = 1;
	return p;
}

/* the worker's run time, reuse and passes at one end of a round */
struct ret_mark {
	uint64_t worker_ns, reused, passes;
	bool worker, reuse, passes_known;
};

static void mark(struct ret_ctx *x, struct ret_mark *m)
{
	memset(m, 0, sizeof(*m));
	m->passes_known = read_u64(RET_PASSES, &m->passes);
	if (!x->c)
		return;
	sampler_take(&x->smp);
	m->worker = snap_has(x->smp.cur, SG_WORKER);
	m->reuse = snap_has(x->smp.cur, SG_REUSE);
	m->worker_ns = x->smp.cur->hist[PRTOP_H_WORKER_RUN].sum;
	m->reused = x->smp.cur->reuse_bytes;
}

static void mark_deltas(struct ret_round *r, const struct ret_mark *a, const struct ret_mark *b)
{
	r->worker_known = a->worker && b->worker && b->worker_ns >= a->worker_ns;
	r->worker_ms = r->worker_known ? (double)(b->worker_ns - a->worker_ns) / 1e6 : 0;
	r->reuse_known = a->reuse && b->reuse && b->reused >= a->reused;
	r->reused = r->reuse_known ? (double)(b->reused - a->reused) : 0;
	r->passes_known = a->passes_known && b->passes_known && b->passes >= a->passes;
	r->passes = r->passes_known ? (double)(b->passes - a->passes) : 0;
}

/* the counter's rate over RET_BASE_S before the free, bytes per second */
static double background(struct ret_ctx *x)
{
	uint64_t b0 = 0, b1 = 0, t0 = now_ns(), t1;

	if (!counter(x, &b0))
		return 0;
	usleep((useconds_t)(RET_BASE_S * 1e6));
	t1 = now_ns();
	if (!counter(x, &b1) || b1 < b0)
		return 0;
	return (double)(b1 - b0) / ((t1 - t0) / 1e9);
}

/* sample until 99 %, RET_STALL without growth, the timeout or a signal */
static void wait_reported(struct ret_ctx *x, struct ret_round *r, uint64_t c0, uint64_t t0,
			  double len)
{
	double t = 0, last_growth = 0, share;
	uint64_t c, prev = c0;
	int k;

	for (;;) {
		usleep((useconds_t)(RET_SAMPLE_S * 1e6));
		t = (now_ns() - t0) / 1e9;
		if (!counter(x, &c)) { /* unreadable for now: still bounded in time */
			r->end = prtop_stop		? "interrupted"
				 : t >= x->o->timeout_s ? "timeout"
							: NULL;
			if (r->end)
				break;
			continue;
		}
		t = (now_ns() - t0) / 1e9;
		r->raw = c > c0 ? (double)(c - c0) : 0;
		r->net = r->raw - r->bg_bps * t > 0 ? r->raw - r->bg_bps * t : 0;
		share = r->net / len;
		if (share > r->reached)
			r->reached = share;
		for (k = 0; k < 3; k++)
			if (r->t[k] < 0 && share >= share_at[k])
				r->t[k] = t;
		if (c > prev)
			last_growth = t;
		prev = c;
		r->end = prtop_stop			 ? "interrupted"
			 : r->t[2] >= 0			 ? "99 % reached"
			 : t - last_growth >= x->stall_s ? "no growth"
			 : t >= x->o->timeout_s		 ? "timeout"
							 : NULL;
		if (r->end)
			break;
	}
	r->waited_s = t;
}

/* --mark: a serial line as fast as it goes, no \r added */
static void mark_tty_raw(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return;
	cfmakeraw(&t);
	cfsetospeed(&t, B115200);
	tcsetattr(fd, TCSANOW, &t);
}

/* --mark: one whole line, drained on a terminal; 0 or -errno */
__attribute__((format(printf, 2, 3))) static int mark_line(struct ret_ctx *x, const char *fmt, ...)
{
	char line[200];
	va_list ap;
	ssize_t n;
	int len, off = 0;

	if (x->mark_fd < 0)
		return 0;
	va_start(ap, fmt);
	len = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(line))
		return -EOVERFLOW;
	while (off < len) {
		n = write(x->mark_fd, line + off, (size_t)(len - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		off += (int)n;
	}
	/* the observer stamps the free when the line arrives: it must be out */
	if (isatty(x->mark_fd) && tcdrain(x->mark_fd))
		return -errno;
	return 0;
}

static int one_round(struct ret_ctx *x, int s, struct ret_round *r)
{
	size_t len = (size_t)x->mib << 20, maplen;
	struct ret_mark m0, m1;
	uint64_t c0 = 0, t0, l0;
	void *base;
	int ret;

	memset(r, 0, sizeof(*r));
	r->t[0] = r->t[1] = r->t[2] = -1;
	if (!map_touched(len, &base, &maplen))
		return -ENOMEM;
	r->bg_bps = background(x);
	mark(x, &m0);
	counter(x, &c0);
	l0 = now_ns();
	ret = mark_line(x, "PRTOP-RETURN free %d %d %s\n", s, x->n[s], x->s->name[s]);
	if (ret) {
		munmap(base, maplen);
		return ret;
	}
	r->freed_at = wall_s();
	t0 = now_ns();
	r->lead_s = (t0 - l0) / 1e9;
	munmap(base, maplen);
	r->free_s = (now_ns() - t0) / 1e9;
	wait_reported(x, r, c0, t0, (double)len);
	r->ended_at = wall_s();
	mark(x, &m1);
	mark_deltas(r, &m0, &m1);
	if (r->t[1] >= 0)
		return mark_line(x, "PRTOP-RETURN end %d %d lead_s=%.4f t90_s=%.3f\n", s, x->n[s],
				 r->lead_s, r->t[1]);
	return mark_line(x, "PRTOP-RETURN end %d %d lead_s=%.4f t90_s=n/a\n", s, x->n[s],
			 r->lead_s);
}

/* ---- the figures over rounds ---- */

/* one share's seconds over the rounds that got there */
static int t_stats(const struct ret_ctx *x, int s, int k, struct sample_stats *st)
{
	double v[x->n[s] > 0 ? x->n[s] : 1];
	int i, m = 0;

	for (i = 0; i < x->n[s]; i++)
		if (x->r[s][i].t[k] >= 0)
			v[m++] = x->r[s][i].t[k];
	stats_of(v, m, st);
	return m;
}

enum ret_field { F_WORKER, F_PASSES, F_REUSED, F_NET, F_RAW, F_REACHED, F_BG };

/* a per-round figure over the rounds; false when a round did not know it */
static bool f_stats(const struct ret_ctx *x, int s, enum ret_field f, struct sample_stats *st)
{
	double v[x->n[s] > 0 ? x->n[s] : 1];
	int i;

	for (i = 0; i < x->n[s]; i++) {
		const struct ret_round *r = &x->r[s][i];

		if ((f == F_WORKER && !r->worker_known) || (f == F_PASSES && !r->passes_known) ||
		    (f == F_REUSED && !r->reuse_known))
			return false;
		v[i] = f == F_WORKER   ? r->worker_ms
		       : f == F_PASSES ? r->passes
		       : f == F_REUSED ? r->reused
		       : f == F_NET    ? r->net
		       : f == F_RAW    ? r->raw
		       : f == F_BG     ? r->bg_bps
				       : r->reached;
	}
	stats_of(v, x->n[s], st);
	return x->n[s] > 0;
}

/* the workload's throughput at setting s; false without two runs */
static bool ops_stats(const struct ret_ctx *x, int s, struct sample_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!x->s->workload || x->nops[s] < 2)
		return false;
	stats_of(x->ops[s], x->nops[s], st);
	return true;
}

/* setting s's workload change against the first setting's, with its interval */
static bool ops_change(const struct ret_ctx *x, int s, struct change *c)
{
	struct sample_stats sb, sc;

	memset(c, 0, sizeof(*c));
	if (!ops_stats(x, 0, &sb) || !ops_stats(x, s, &sc))
		return false;
	stats_change(&sb, &sc, c);
	return c->known;
}

/* the advisor's cost: the worker's run time, else the kernel's passes */
static const char *cost_of(const struct ret_ctx *x, int s, struct sample_stats *st)
{
	if (f_stats(x, s, F_WORKER, st))
		return "ms of worker run time per round";
	if (f_stats(x, s, F_PASSES, st))
		return "worker passes per round";
	return NULL;
}

static void advise(const struct ret_ctx *x, char *buf, size_t len)
{
	struct return_in in[RETURN_MAX_SETTINGS];
	const char *unit = NULL, *u;
	int s;

	for (s = 0; s < x->s->n; s++) {
		memset(&in[s], 0, sizeof(in[s]));
		in[s].name = x->s->name[s];
		in[s].rounds = x->n[s];
		t_stats(x, s, 1, &in[s].t90);
		u = cost_of(x, s, &in[s].cost);
		/* costs in different units do not compare */
		in[s].cost_known = u && (!unit || !strcmp(u, unit));
		unit = unit ? unit : u;
		in[s].ops_known = ops_stats(x, s, &in[s].ops);
	}
	stats_advise_return(in, x->s->n, x->o->within_s, unit ? unit : "", buf, len);
}

/* ---- text ---- */

static void text_share(const struct ret_ctx *x, int s, int k)
{
	struct sample_stats st, sr;
	char iv[64];
	double lo, hi;
	int m = t_stats(x, s, k, &st);

	f_stats(x, s, F_REACHED, &sr);
	if (!m) {
		snprintf(iv, sizeof(iv), "not reached (at most %.1f %%)", 100 * sr.max);
		printf("  %-6s %-39s   0 of %d\n", share_name[k], iv, x->n[s]);
		return;
	}
	if (m == x->n[s] && stats_interval(&st, &lo, &hi))
		/* seconds are never negative: the interval is cut at 0 */
		snprintf(iv, sizeof(iv), "%.2f..%.2f s", lo > 0 ? lo : 0, hi);
	else
		snprintf(iv, sizeof(iv), "n/a");
	printf("  %-6s %10.2f s %24s   %d of %d\n", share_name[k], st.mean, iv, m, x->n[s]);
}

static void text_setting(const struct ret_ctx *x, int s)
{
	struct sample_stats st, sr, sn;
	char t[900], w[700], p[64], u[64];
	int k;

	printf("\n[%s]\n", x->s->name[s]);
	printf("  %-6s %12s %26s   %s\n", "share", "mean", "95 % interval", "rounds");
	for (k = 0; k < 3; k++)
		text_share(x, s, k);
	f_stats(x, s, F_REACHED, &sr);
	f_stats(x, s, F_NET, &sn);
	snprintf(t, sizeof(t),
		 "%.0f of %ld MiB (%.1f %%, least %.1f %%) by the rounds' ends; a round "
		 "ends at 99 %%, after %.0f s without growth or at %.0f s",
		 sn.mean / 1048576, x->mib, 100 * sr.mean, 100 * sr.min, x->stall_s,
		 x->o->timeout_s);
	fmt_print_wrapped(stdout, "  reported: ", t);
	if (sr.max > 1.01)
		fmt_print_wrapped(stdout, "  ",
				  "(over 100 %: free memory that had waited unreported, merged "
				  "with the freed blocks or below the kernel's threshold, went "
				  "with it; the shares are of the counter's growth)");
	if (f_stats(x, s, F_WORKER, &st))
		snprintf(w, sizeof(w), "%.1f ms per round", st.mean);
	else
		snprintf(w, sizeof(w), "n/a (%s)", x->no_worker);
	snprintf(p, sizeof(p), "%s", "n/a");
	if (f_stats(x, s, F_PASSES, &st))
		snprintf(p, sizeof(p), "%.1f per round", st.mean);
	snprintf(u, sizeof(u), "%s", "n/a");
	if (f_stats(x, s, F_REUSED, &st))
		snprintf(u, sizeof(u), "%.1f MiB per round", st.mean / 1048576);
	snprintf(t, sizeof(t), "%s; kernel's passes %s; refaults (reported memory reused) %s", w, p,
		 u);
	fmt_print_wrapped(stdout, "  worker run time: ", t);
}

/* LKP's A/B rows of one setting against the first */
static void text_ab(const struct ret_ctx *x, int s)
{
	static const char *const name[3] = {"t50_s", "t90_s", "t99_s"};
	struct sample_stats sb, sc;
	char metric[80];
	int k;

	printf("\n[%s] vs [%s]\n", x->s->name[s], x->s->name[0]);
	stats_lkp_head(stdout);
	for (k = 0; k < 3; k++) {
		if (t_stats(x, 0, k, &sb) != x->n[0] || t_stats(x, s, k, &sc) != x->n[s]) {
			printf("%10s %8s %17s %10s %8s  %s\n", "", "", "not every round", "", "",
			       name[k]);
			continue;
		}
		stats_lkp_row(stdout, &sb, &sc, name[k]);
	}
	if (f_stats(x, 0, F_WORKER, &sb) && f_stats(x, s, F_WORKER, &sc))
		stats_lkp_row(stdout, &sb, &sc, "worker_ms");
	if (f_stats(x, 0, F_PASSES, &sb) && f_stats(x, s, F_PASSES, &sc))
		stats_lkp_row(stdout, &sb, &sc, "passes");
	f_stats(x, 0, F_REACHED, &sb);
	f_stats(x, s, F_REACHED, &sc);
	stats_lkp_row(stdout, &sb, &sc, "reported_share");
	if (ops_stats(x, 0, &sb) && ops_stats(x, s, &sc)) {
		snprintf(metric, sizeof(metric), "ops_per_task (%s)", x->s->workload_name);
		stats_lkp_row(stdout, &sb, &sc, metric);
	}
}

/* the workload's cell of setting s: its change against the first, or the base's mean */
static void table_ops(const struct ret_ctx *x, int s, char *buf, size_t len)
{
	struct sample_stats st;
	struct change c;

	if (!x->s->workload)
		snprintf(buf, len, "not run");
	else if (!ops_stats(x, s, &st))
		snprintf(buf, len, "n/a (%d run%s)", x->nops[s], x->nops[s] == 1 ? "" : "s");
	else if (!s)
		snprintf(buf, len, "base %.0f/s", st.mean);
	else if (ops_change(x, s, &c))
		stats_change_str(&c, buf, len);
	else
		snprintf(buf, len, "n/a");
}

/* one row per setting: the time to 90 %, the workload's change, refaults, the worker */
static void text_table(const struct ret_ctx *x)
{
	struct sample_stats st;
	char t90[16], iv[32], ops[48], ref[24], wk[24], t[300];
	double lo, hi;
	int s, m;

	snprintf(t, sizeof(t), "%.5s %%change ±ci95", x->s->workload ? x->s->workload_name : "-");
	printf("\n%-15s %7s %14s %19s %11s %9s\n", "setting", "90 %, s", "95 % interval", t,
	       "refault MiB", "worker ms");
	for (s = 0; s < x->s->n; s++) {
		m = t_stats(x, s, 1, &st);
		snprintf(t90, sizeof(t90), "n/a"); /* no round got there */
		if (m)
			snprintf(t90, sizeof(t90), "%.2f", st.mean);
		if (m == x->n[s] && stats_interval(&st, &lo, &hi))
			snprintf(iv, sizeof(iv), "%.2f..%.2f", lo > 0 ? lo : 0, hi);
		else
			snprintf(iv, sizeof(iv), "%d of %d rounds", m, x->n[s]);
		table_ops(x, s, ops, sizeof(ops));
		snprintf(ref, sizeof(ref), "n/a");
		if (f_stats(x, s, F_REUSED, &st))
			snprintf(ref, sizeof(ref), "%.1f", st.mean / 1048576);
		snprintf(wk, sizeof(wk), "n/a");
		if (f_stats(x, s, F_WORKER, &st))
			snprintf(wk, sizeof(wk), "%.1f", st.mean);
		printf("%-15s %7s %14s %19s %11s %9s\n", x->s->name[s], t90, iv, ops, ref, wk);
	}
	if (!x->s->workload)
		return;
	snprintf(t, sizeof(t),
		 "%s's ops per task per second, %%change of the mean against [%s] with its 95 "
		 "%% interval (Welch), ~ within noise, %d runs per setting; refaults and worker "
		 "ms per round",
		 x->s->workload_name, x->s->name[0], x->nops[0]);
	fmt_print_wrapped(stdout, "", t);
}

static void text_out(const struct ret_ctx *x, const char *advice)
{
	struct sample_stats bg;
	double most = 0;
	char t[600];
	int s;

	for (s = 0; s < x->s->n; s++)
		if (f_stats(x, s, F_BG, &bg) && bg.max > most)
			most = bg.max;
	snprintf(t, sizeof(t),
		 "%ld MiB freed at once (THP-aligned), %d round%s per setting in rotating order; "
		 "seconds from the free, the reported share sampled every %.2f s",
		 x->mib, x->n[0], x->n[0] == 1 ? "" : "s", RET_SAMPLE_S);
	fmt_print_wrapped(stdout, "prtop bench --return: ", t);
	if (x->s->workload) {
		snprintf(t, sizeof(t),
			 "%s at each setting before its return round (%.0f s settle before "
			 "each), %d runs per setting after a discarded warm-up run, as prtop "
			 "bench's arms",
			 x->s->workload_name, x->o->settle_s, x->nops[0]);
		fmt_print_wrapped(stdout, "workload: ", t);
	}
	snprintf(t, sizeof(t), "%s%s", record_source_words(x->source),
		 strcmp(x->source, REC_SRC_PRTOP) ? " (report() is not observed here)" : "");
	fmt_print_wrapped(stdout, "reported, by: ", t);
	snprintf(t, sizeof(t),
		 "the counter's rate over %.0f s before each free is taken as steady and "
		 "subtracted (at most %.0f KiB/s here)",
		 RET_BASE_S, most / 1024);
	fmt_print_wrapped(stdout, "other frees: ", t);
	if (x->waiting_mib >= 0 && x->waiting_mib > x->mib) {
		snprintf(t, sizeof(t),
			 "this kernel reports once max_waiting_mib (%ld MiB) was freed: a free "
			 "of %ld MiB may not be reported at all",
			 x->waiting_mib, x->mib);
		fmt_print_wrapped(stdout, "note: ", t);
	}
	for (s = 0; s < x->s->n; s++)
		text_setting(x, s);
	for (s = 1; s < x->s->n; s++)
		text_ab(x, s);
	text_table(x);
	if (advice) {
		putchar('\n');
		fmt_print_wrapped(stdout, "advice: ", advice);
	}
}

/* ---- JSON ---- */

static json_object *round_json(const struct ret_round *r, double len, bool mark)
{
	json_object *o = json_object_new_object();
	static const char *const key[3] = {"t50_s", "t90_s", "t99_s"};
	int k;

	json_object_object_add(o, "freed_at_unix_s", fmt_json_fixed(r->freed_at, 3));
	json_object_object_add(o, "ended_at_unix_s", fmt_json_fixed(r->ended_at, 3));
	for (k = 0; k < 3; k++)
		json_object_object_add(o, key[k], r->t[k] >= 0 ? fmt_json_fixed(r->t[k], 3) : NULL);
	json_object_object_add(o, "freed_bytes", json_object_new_int64((int64_t)len));
	json_object_object_add(o, "reported_bytes", json_object_new_int64((int64_t)r->net));
	json_object_object_add(o, "counter_delta_bytes", json_object_new_int64((int64_t)r->raw));
	json_object_object_add(o, "reached_share", fmt_json_fixed(r->reached, 4));
	json_object_object_add(o, "background_bytes_per_s", fmt_json_fixed(r->bg_bps, 0));
	json_object_object_add(o, "munmap_s", fmt_json_fixed(r->free_s, 3));
	json_object_object_add(o, "waited_s", fmt_json_fixed(r->waited_s, 2));
	json_object_object_add(o, "end", json_object_new_string(r->end ? r->end : "?"));
	json_object_object_add(o, "worker_ms",
			       r->worker_known ? fmt_json_fixed(r->worker_ms, 3) : NULL);
	json_object_object_add(o, "passes",
			       r->passes_known ? json_object_new_int64((int64_t)r->passes) : NULL);
	json_object_object_add(o, "refault_bytes",
			       r->reuse_known ? json_object_new_int64((int64_t)r->reused) : NULL);
	json_object_object_add(o, "mark_lead_s", mark ? fmt_json_fixed(r->lead_s, 4) : NULL);
	return o;
}

static json_object *share_json(const struct ret_ctx *x, int s, int k)
{
	json_object *o = json_object_new_object();
	struct sample_stats st;
	double lo, hi;
	int m = t_stats(x, s, k, &st);
	bool iv = m == x->n[s] && stats_interval(&st, &lo, &hi);

	json_object_object_add(o, "mean", m ? fmt_json_fixed(st.mean, 3) : NULL);
	json_object_object_add(o, "ci95_lo", iv ? fmt_json_fixed(lo, 3) : NULL);
	json_object_object_add(o, "ci95_hi", iv ? fmt_json_fixed(hi, 3) : NULL);
	json_object_object_add(o, "rounds_reached", json_object_new_int(m));
	return o;
}

static json_object *mean_or_null(const struct ret_ctx *x, int s, enum ret_field f, int dec)
{
	struct sample_stats st;

	return f_stats(x, s, f, &st) ? fmt_json_fixed(st.mean, dec) : NULL;
}

/* the workload's runs at setting s and their change against the first setting's */
static json_object *workload_json(const struct ret_ctx *x, int s)
{
	json_object *o, *runs;
	struct sample_stats st;
	struct change c;
	bool known;
	int i;

	if (!x->s->workload)
		return NULL;
	o = json_object_new_object();
	runs = json_object_new_array();
	for (i = 0; i < x->nops[s]; i++)
		json_object_array_add(runs, fmt_json_fixed(x->ops[s][i], 1));
	json_object_object_add(o, "ops_per_run", runs);
	known = ops_stats(x, s, &st);
	json_object_object_add(o, "ops_mean", known ? fmt_json_fixed(st.mean, 1) : NULL);
	json_object_object_add(o, "stddev_pct", known ? fmt_json_fixed(st.stddev_pct, 2) : NULL);
	known = s && ops_change(x, s, &c);
	json_object_object_add(o, "change_pct", known ? fmt_json_fixed(c.pct, 2) : NULL);
	json_object_object_add(o, "ci95_pct", known ? fmt_json_fixed(c.ci95_pct, 2) : NULL);
	json_object_object_add(o, "significant",
			       known ? json_object_new_boolean(c.significant) : NULL);
	return o;
}

static json_object *setting_json(const struct ret_ctx *x, int s)
{
	static const char *const key[3] = {"t50_s", "t90_s", "t99_s"};
	json_object *o = json_object_new_object(), *rs = json_object_new_array();
	int i, k;

	json_object_object_add(o, "name", json_object_new_string(x->s->name[s]));
	json_object_object_add(o, "rounds", json_object_new_int(x->n[s]));
	for (k = 0; k < 3; k++)
		json_object_object_add(o, key[k], share_json(x, s, k));
	json_object_object_add(o, "reached_share_mean", mean_or_null(x, s, F_REACHED, 4));
	json_object_object_add(o, "worker_ms_mean", mean_or_null(x, s, F_WORKER, 3));
	json_object_object_add(o, "passes_mean", mean_or_null(x, s, F_PASSES, 2));
	json_object_object_add(o, "refault_bytes_mean", mean_or_null(x, s, F_REUSED, 0));
	json_object_object_add(o, "workload", workload_json(x, s));
	for (i = 0; i < x->n[s]; i++)
		json_object_array_add(
		    rs, round_json(&x->r[s][i], (double)((size_t)x->mib << 20), x->mark_fd >= 0));
	json_object_object_add(o, "per_round", rs);
	return o;
}

/* the workload's command, or null */
static json_object *command_json(const struct ret_ctx *x)
{
	json_object *o, *a;
	int i;

	if (!x->s->workload)
		return NULL;
	o = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; x->s->workload_argv[i]; i++)
		json_object_array_add(a, json_object_new_string(x->s->workload_argv[i]));
	json_object_object_add(o, "command", a);
	json_object_object_add(o, "runs_per_setting", json_object_new_int(x->nops[0]));
	json_object_object_add(o, "baseline", json_object_new_string(x->s->name[0]));
	return o;
}

static void json_out(const struct ret_ctx *x, const char *advice)
{
	json_object *d = json_object_new_object(), *sets = json_object_new_array();
	int s;

	json_object_object_add(d, "mode", json_object_new_string("return"));
	json_object_object_add(d, "mib", json_object_new_int64(x->mib));
	json_object_object_add(d, "reps", json_object_new_int(x->n[0]));
	json_object_object_add(d, "reported_source", json_object_new_string(x->source));
	json_object_object_add(d, "sample_s", fmt_json_fixed(RET_SAMPLE_S, 2));
	json_object_object_add(d, "background_window_s", fmt_json_fixed(RET_BASE_S, 1));
	json_object_object_add(d, "stall_s", fmt_json_fixed(x->stall_s, 1));
	json_object_object_add(d, "timeout_s", fmt_json_fixed(x->o->timeout_s, 1));
	json_object_object_add(d, "mark",
			       x->o->mark_path ? json_object_new_string(x->o->mark_path) : NULL);
	json_object_object_add(d, "max_waiting_mib",
			       x->waiting_mib >= 0 ? json_object_new_int64(x->waiting_mib) : NULL);
	json_object_object_add(d, "workload", command_json(x));
	json_object_object_add(d, "worker_unknown_why",
			       *x->no_worker ? json_object_new_string(x->no_worker) : NULL);
	for (s = 0; s < x->s->n; s++)
		json_object_array_add(sets, setting_json(x, s));
	json_object_object_add(d, "settings", sets);
	json_object_object_add(d, "within_s",
			       x->o->within_s > 0 ? fmt_json_fixed(x->o->within_s, 2) : NULL);
	json_object_object_add(d, "advice", advice ? json_object_new_string(advice) : NULL);
	printf("%s\n", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(d);
}

/* ---- the run ---- */

static long avail_mib(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/meminfo", "re");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb < 0 ? -1 : kb / 1024;
}

/* the workload's run i at setting s, after that setting's return round */
static int workload_round(struct ret_ctx *x, int s, int i)
{
	double ops;
	int ret;

	if (!x->s->workload || i >= x->o->workload_reps)
		return 0;
	bench_progress("round %d of %d: %s, %s", i + 1, x->o->workload_reps, x->s->name[s],
		       x->s->workload_name);
	ret = x->s->workload(x->s->ctx, s, &ops);
	if (!ret && !prtop_stop)
		x->ops[s][x->nops[s]++] = ops;
	return ret ? -ECHILD : 0;
}

/* one discarded run first, as prtop bench does: caches and THP warm for all */
static int workload_warmup(struct ret_ctx *x)
{
	char err[512];
	double ops;
	int ret;

	if (!x->s->workload || x->o->workload_reps < 1)
		return 0;
	ret = x->s->apply(x->s->ctx, 0, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "prtop bench: setting %s: %s\n", x->s->name[0],
			*err ? err : strerror(-ret));
		return -ECHILD;
	}
	bench_progress("warm-up run of %s (discarded)", x->s->workload_name);
	return x->s->workload(x->s->ctx, 0, &ops) ? -ECHILD : 0;
}

static int rounds_wanted(const struct ret_ctx *x)
{
	int w = x->s->workload ? x->o->workload_reps : 0;

	return x->o->reps > w ? x->o->reps : w;
}

/* rounds in rotating order, so a slow drift does not favour one setting */
static int run_rounds(struct ret_ctx *x)
{
	char err[512];
	int i, j, s, ret = workload_warmup(x), all = rounds_wanted(x);

	for (i = 0; i < all && !ret && !prtop_stop; i++)
		for (j = 0; j < x->s->n && !ret && !prtop_stop; j++) {
			s = (i + j) % x->s->n;
			ret = x->s->apply(x->s->ctx, s, err, sizeof(err));
			if (ret) {
				fprintf(stderr, "prtop bench: setting %s: %s\n", x->s->name[s],
					*err ? err : strerror(-ret));
				ret = -ECHILD;
				break;
			}
			ret = workload_round(x, s, i);
			if (ret || prtop_stop)
				break;
			if (i < x->o->reps) {
				/* what the workload freed is reported before the free */
				if (x->s->workload && i < x->o->workload_reps)
					usleep((useconds_t)(x->o->settle_s * 1e6));
				x->stall_s = stall_of();
				bench_progress("round %d of %d: %s, freeing %ld MiB", i + 1,
					       x->o->reps, x->s->name[s], x->mib);
				ret = one_round(x, s, &x->r[s][x->n[s]]);
				if (!ret && !prtop_stop)
					x->n[s]++;
			}
		}
	x->s->restore(x->s->ctx);
	/* -ECHILD: said already (a setting refused, the workload failed) */
	if (ret == -ENOMEM)
		fprintf(stderr, "prtop bench: mapping %ld MiB failed: give a smaller --mib\n",
			x->mib);
	else if (ret && ret != -ECHILD)
		fprintf(stderr, "prtop bench: --mark %s: writing failed: %s\n", x->o->mark_path,
			strerror(-ret));
	return ret ? 1 : prtop_stop ? 1 : 0;
}

static int size_it(struct ret_ctx *x)
{
	uint64_t w;
	long avail = avail_mib();

	x->waiting_mib = read_u64(RET_WAITING, &w) ? (long)w : -1;
	x->mib = x->o->mib > 0 ? x->o->mib : 1024;
	if (!x->o->mib && x->waiting_mib > x->mib)
		x->mib = x->waiting_mib + 128;
	if (avail >= 0 && x->mib > avail / 2) {
		fprintf(stderr,
			"prtop bench: %ld MiB is more than half of the %ld MiB available: give a "
			"smaller --mib\n",
			x->mib, avail);
		return 1;
	}
	return 0;
}

int bench_return(const struct return_opts *o, const struct return_settings *s)
{
	struct ret_ctx x = {.o = o, .s = s, .mark_fd = -1};
	char advice[600];
	int i, ret = 1;

	if (size_it(&x))
		return 1;
	if (o->mark_path) {
		x.mark_fd =
		    open(o->mark_path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_APPEND | O_CREAT, 0644);
		if (x.mark_fd < 0) {
			fprintf(stderr,
				"prtop bench: --mark %s: %s: give a file or terminal to write to\n",
				o->mark_path, strerror(errno));
			return 1;
		}
		if (isatty(x.mark_fd))
			mark_tty_raw(x.mark_fd);
	}
	pick_source(&x);
	if (!x.source) {
		fputs("prtop bench: cannot time the return: nothing here counts reported memory "
		      "(report() is not observed, and the kernel has neither reported_kib nor "
		      "page_reporting_pages_reported in /proc/vmstat)\n",
		      stderr);
		goto out;
	}
	for (i = 0; i < s->n; i++) {
		x.r[i] = calloc((size_t)o->reps, sizeof(*x.r[i]));
		x.ops[i] = calloc((size_t)o->workload_reps + 1, sizeof(*x.ops[i]));
		if (!x.r[i] || !x.ops[i])
			goto out;
	}
	ret = run_rounds(&x);
	for (i = 0; i < s->n && !ret; i++)
		if (x.n[i] < 1 || (s->workload && x.nops[i] < o->workload_reps))
			ret = 1;
	if (ret) {
		fprintf(stderr, "prtop bench: stopped before every round was run: nothing to "
				"report (the knobs are restored)\n");
		goto out;
	}
	if (o->within_s > 0)
		advise(&x, advice, sizeof(advice));
	if (o->json)
		json_out(&x, o->within_s > 0 ? advice : NULL);
	else
		text_out(&x, o->within_s > 0 ? advice : NULL);
	ret = output_status(stdout);
out:
	if (x.mark_fd >= 0)
		close(x.mark_fd);
	for (i = 0; i < s->n; i++) {
		free(x.r[i]);
		free(x.ops[i]);
	}
	sampler_free(&x.smp);
	collector_close(x.c);
	return ret;
}
