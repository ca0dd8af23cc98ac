// SPDX-License-Identifier: GPL-2.0
/*
 * prtop bench: what reporting costs a workload, measured where it runs.
 *
 *   prtop bench [--reps R] [--set NAME=V[,NAME=V...]]... [--json] [-- CMD ARGS]
 *	an A/B matrix: reporting off, on at the current settings, each --set,
 *	each with and without prtop attached; R repetitions in rotating order
 *	after one discarded warm-up run; LKP's table and the advisor's line
 *   prtop bench --refault [--mib N] [--reps R] [--wait SECS] [--thp] [--json]
 *	the price of touching memory the host dropped: first touches of
 *	reported memory against memory freed but not reported yet
 *   prtop bench --return [--mib N] [--reps R] [--set ...]... [--return-within SECS]
 *	[--mark FILE] [--workload-reps R] [-- CMD ARGS]  how soon a large free is
 *	reported, per setting, beside CMD's throughput there (src/bench_return.c)
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "bench_return.h"
#include "clock.h"
#include "cmd.h"
#include "format.h"
#include "knob.h"
#include "procfs.h"
#include "record.h"
#include "sampler.h"
#include "stats.h"
#include "str.h"
#include "ui.h"

#define MAX_SETTINGS 8
#define MAX_ARMS     (2 * (MAX_SETTINGS + 2))
#define MAX_REPS     400
#define MAX_REPS_TEXT "400" /* MAX_REPS in words for messages */
#define MAX_SETS     4 /* NAME=V per --set */

struct setting {
	char name[128];		 /* "off", "on", "order=10" */
	char spec[MAX_SETS][64]; /* NAME=V */
	int nspec;
	bool off;
};

struct arm {
	int setting;
	bool prtop;
	double ops[MAX_REPS]; /* per task, per second */
	int n;
	/* with prtop: per run, per second of run */
	double rep_bs[MAX_REPS], reused_bs[MAX_REPS], worker_ms_s[MAX_REPS];
	int nmem;
	bool rep_known, reused_known, worker_known;
	/* the kernel's own reported_kib, per second of run (vendor kernels) */
	double kkib_s[MAX_REPS];
	int nk;
};

struct bench {
	char **cmd;
	double until_ci;    /* --overhead: stop once the interval is this narrow (%) */
	double max_minutes; /* stop adding rounds after this long (0: no limit) */
	int rounds;	    /* rounds run */
	long tasks;
	int reps;
	double settle_s;
	bool json;
	struct setting set[MAX_SETTINGS + 2];
	int nset;
	struct arm arm[MAX_ARMS];
	int narm;
	char off_how[256]; /* how reporting is turned off, or why it cannot be */
	char orig[3][64];  /* order, capacity, delay_ms before the bench */
	char order_path[256];
	char pf1[PATH_MAX];
};

/*
 * Progress on stderr, a line per step that runs over a second or two:
 * where stderr is a terminal, or with -v; silent in scripts and pipes.
 */
static bool progress_on;

void bench_progress(const char *fmt, ...)
{
	va_list ap;

	if (!progress_on)
		return;
	va_start(ap, fmt);
	fputs("prtop bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* ---- running one command ---- */

/* ops per second of the command: will-it-scale's average, its measured seconds, or 1/wall */
static int run_cmd(char **argv, double *ops, double *wall)
{
	struct wis_line w;
	double sum = 0, t0 = now_ns() / 1e9;
	bool have_avg = false, measured = false;
	int p[2], status, m = 0;
	char *line = NULL;
	size_t cap = 0;
	pid_t pid;
	FILE *f;

	if (pipe(p))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		close(p[0]);
		close(p[1]);
		execvp(argv[0], argv);
		fprintf(stderr, "prtop bench: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[1]);
	f = fdopen(p[0], "r");
	while (f && getline(&line, &cap, f) > 0) {
		switch (wis_parse(line, &w)) {
		case WIS_AVERAGE:
			*ops = (double)w.average;
			have_avg = true;
			break;
		case WIS_MEASUREMENT:
			measured = true;
			break;
		case WIS_SECOND:
			if (measured) {
				sum += (double)w.total;
				m++;
			}
			break;
		default:
			break;
		}
	}
	free(line);
	if (f)
		fclose(f);
	waitpid(pid, &status, 0);
	*wall = now_ns() / 1e9 - t0;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return -ECHILD;
	if (!have_avg)
		*ops = m ? sum / m : 1.0 / *wall;
	return 0;
}

/* ---- settings ---- */

static int write_str(const char *path, const char *v)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, v, strlen(v)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* NAME=V... through the knob model: all or none, checked first */
static int apply_specs(char spec[][64], int n, char *err, size_t len)
{
	struct knob_set ks[MAX_SETS + 3];
	int i, ret;

	memset(ks, 0, sizeof(ks));
	for (i = 0; i < n; i++)
		ks[i].arg = spec[i];
	ret = knob_validate(NULL, ks, n, err, len);
	if (!ret)
		ret = knob_apply(NULL, ks, n, err, len);
	return ret;
}

static const char *const core[3] = {"order", "capacity", "delay_ms"};

/* back to the values before the bench (only the writable ones were changed) */
static void restore(struct bench *b)
{
	char spec[3][64], err[256];
	struct knob_info k;
	int i, n = 0;

	for (i = 0; i < 3; i++) {
		if (knob_find(NULL, core[i], &k) || !k.writable || !strcmp(k.value, b->orig[i]))
			continue;
		snprintf(spec[n++], sizeof(spec[0]), "%s=%s", core[i], b->orig[i]);
	}
	/* the off switch is outside the order's range: write the file itself */
	if (b->orig[0][0] && b->order_path[0])
		write_str(b->order_path, b->orig[0]);
	if (n && apply_specs(spec, n, err, sizeof(err)))
		fprintf(stderr, "prtop bench: restoring the knobs: %s\n", err);
}

/* one above the highest free list's order: /proc/buddyinfo has a column per order */
static int off_order(void)
{
	uint64_t blocks[PRTOP_ORDERS];
	int n = buddyinfo_read(NULL, blocks);

	return n > 0 ? n : 11;
}

static int apply_setting(struct bench *b, const struct setting *s, char *err, size_t len)
{
	char buf[32];

	restore(b);
	if (s->off) {
		snprintf(buf, sizeof(buf), "%d", off_order());
		return write_str(b->order_path, buf);
	}
	return s->nspec ? apply_specs((char(*)[64])s->spec, s->nspec, err, len) : 0;
}

/*
 * Reporting off: an order above the highest free list, where the kernel
 * takes it (6.1's module parameter takes any number, the bundled patch and
 * some vendor kernels MAX_PAGE_ORDER + 1; mainline from 6.4 refuses it).
 * The truth is read back.
 */
static void probe_off(struct bench *b)
{
	struct knob_info k;
	char buf[32], back[32];
	int off = off_order(), ret;

	if (knob_find(NULL, "order", &k) || !k.writable || !k.path[0]) {
		snprintf(b->off_how, sizeof(b->off_how),
			 "no writable page_reporting_order: the off arm is left out");
		return;
	}
	str_copy(b->order_path, sizeof(b->order_path), k.path);
	snprintf(buf, sizeof(buf), "%d", off);
	ret = write_str(k.path, buf);
	if (ret || read_trimmed_at(AT_FDCWD, k.path, back, sizeof(back)) || strcmp(back, buf)) {
		snprintf(b->off_how, sizeof(b->off_how),
			 "this kernel refuses page_reporting_order=%s (%s): no off switch, the off "
			 "arm is left out and 'on' is the baseline",
			 buf, ret ? strerror(-ret) : "not kept");
		write_str(k.path, b->orig[0]);
		return;
	}
	write_str(k.path, b->orig[0]);
	b->set[b->nset] = (struct setting){.off = true};
	snprintf(b->set[b->nset].name, sizeof(b->set[0].name), "off");
	b->nset++;
	snprintf(b->off_how, sizeof(b->off_how),
		 "off = page_reporting_order=%s, above the highest free list (order %d): no "
		 "block is ever reported",
		 buf, off - 1);
}

/* ---- the matrix ---- */

static void mem_deltas(struct arm *a, const struct prtop_snapshot *s0,
		       const struct prtop_snapshot *s1, double wall)
{
	int i = a->nmem++;

	a->rep_known = snap_has(s1, SG_REPORT);
	a->reused_known = snap_has(s1, SG_REUSE);
	a->worker_known = snap_has(s1, SG_WORKER);
	a->rep_bs[i] = (double)(s1->c.report_bytes - s0->c.report_bytes) / wall;
	a->reused_bs[i] = (double)(s1->reuse_bytes - s0->reuse_bytes) / wall;
	a->worker_ms_s[i] =
	    (double)(s1->hist[PRTOP_H_WORKER_RUN].sum - s0->hist[PRTOP_H_WORKER_RUN].sum) / 1e6 /
	    wall;
}

/* the patch series' page_reporting_pages_reported (base pages) in KiB */
static bool vmstat_kib(uint64_t *v)
{
	uint64_t pages;

	if (vmstat_get(NULL, "page_reporting_pages_reported", &pages))
		return false;
	*v = pages * ((uint64_t)sysconf(_SC_PAGESIZE) / 1024);
	return true;
}

/* what the kernel itself says it reported: a vendor's reported_kib, else vmstat's */
static bool kernel_kib(uint64_t *v)
{
	char buf[32];
	int64_t n;

	if (read_trimmed_at(AT_FDCWD, "/sys/module/page_reporting/parameters/reported_kib", buf,
			    sizeof(buf)) ||
	    knob_parse_int(buf, &n) || n < 0)
		return vmstat_kib(v);
	*v = (uint64_t)n;
	return true;
}

static const char *arm_name(const struct bench *b, const struct arm *a, char *buf, size_t len);

/*
 * One run of the command as arm NAME, ops per task per second: the
 * workload may tell the arms apart (pf1 --slow-arm: a known injected cost).
 * Shared by the matrix and --return's workload; a failure is said here.
 */
static int run_workload(struct bench *b, const char *name, double *ops, double *wall)
{
	int ret;

	setenv("PRTOP_BENCH_ARM", name, 1);
	ret = run_cmd(b->cmd, ops, wall);
	if (ret)
		fprintf(stderr, "prtop bench: %s failed (%s)\n", b->cmd[0],
			ret == -ECHILD ? "non-zero exit" : strerror(-ret));
	else
		*ops /= b->tasks;
	return ret;
}

/* one run of one arm; keep says whether it counts (the warm-up does not) */
static int run_arm(struct bench *b, struct arm *a, bool keep)
{
	struct sampler smp = {0};
	struct sampler_opts so = {.interval_s = 1};
	struct collector *c = NULL;
	struct collector_opts co = {0};
	bool sampled = false;
	double ops = 0, wall = 1;
	uint64_t k0 = 0, k1 = 0;
	bool kk;
	char err[512], name[160];
	int ret;

	ret = apply_setting(b, &b->set[a->setting], err, sizeof(err));
	if (ret) {
		fprintf(stderr, "prtop bench: %s: %s\n", b->set[a->setting].name,
			*err ? err : strerror(-ret));
		return ret;
	}
	usleep((useconds_t)(b->settle_s * 1e6));
	if (a->prtop) {
		if (collector_open(&c, &co, err, sizeof(err))) {
			fprintf(stderr, "prtop bench: attaching prtop: %s\n", err);
			return -EIO;
		}
		/* the base sample, before the workload */
		if (sampler_init(&smp, c, &so)) {
			fprintf(stderr, "prtop bench: attaching prtop: out of memory\n");
			collector_close(c);
			return -EIO;
		}
	}
	kk = kernel_kib(&k0);
	ret = run_workload(b, arm_name(b, a, name, sizeof(name)), &ops, &wall);
	kk = kk && kernel_kib(&k1) && k1 >= k0;
	if (c) {
		sampled = sampler_take(&smp); /* prev: before the workload, cur: after */
		collector_close(c);
	}
	if (!ret && keep && a->n < MAX_REPS) {
		a->ops[a->n++] = ops;
		if (sampled)
			mem_deltas(a, smp.prev, smp.cur, wall);
		if (kk)
			a->kkib_s[a->nk++] = (double)(k1 - k0) / wall;
	}
	sampler_free(&smp);
	return ret;
}

static bool overhead_ratio(struct bench *b, struct change *c);

/* --until-ci and --max-minutes: whether another round is wanted */
static bool enough(struct bench *b, uint64_t start)
{
	struct change c;

	if (b->max_minutes > 0 && (now_ns() - start) / 60e9 >= b->max_minutes)
		return true;
	return b->until_ci > 0 && b->rounds >= 3 && overhead_ratio(b, &c) &&
	       c.ci95_pct < b->until_ci;
}

static int run_matrix(struct bench *b)
{
	uint64_t start = now_ns();
	int i, ret;

	bench_progress("warm-up run (discarded)");
	ret = run_arm(b, &b->arm[0], false);
	for (; !ret && b->rounds < b->reps && !prtop_stop; b->rounds++) {
		if (enough(b, start))
			break;
		/* rotating order: a slow drift does not favour one arm */
		for (i = 0; !ret && i < b->narm && !prtop_stop; i++) {
			struct arm *a = &b->arm[(i + b->rounds) % b->narm];
			char name[160];

			bench_progress("round %d of %d, arm %d of %d: %s", b->rounds + 1, b->reps,
				       i + 1, b->narm, arm_name(b, a, name, sizeof(name)));
			ret = run_arm(b, a, true);
		}
	}
	restore(b);
	if (!ret && b->rounds < 2)
		return -EAGAIN;
	return ret ? ret : prtop_stop ? -EINTR : 0;
}

/* ---- output ---- */

static const char *arm_name(const struct bench *b, const struct arm *a, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", b->set[a->setting].name, a->prtop ? " +prtop" : "");
	return buf;
}

static struct arm *find_arm(struct bench *b, int setting, bool prtop)
{
	int i;

	for (i = 0; i < b->narm; i++)
		if (b->arm[i].setting == setting && b->arm[i].prtop == prtop)
			return &b->arm[i];
	return NULL;
}

/* memory handed back, bytes per second: prtop's reported bytes, else the kernel's counter */
static bool mem_back(const struct bench *b, int setting, double *v)
{
	const struct arm *p = find_arm((struct bench *)b, setting, true);
	const struct arm *a = find_arm((struct bench *)b, setting, false);
	struct sample_stats s;

	if (p && p->rep_known && p->nmem) {
		stats_of(p->rep_bs, p->nmem, &s);
		*v = s.mean;
		return true;
	}
	if (a && a->nk) {
		stats_of(a->kkib_s, a->nk, &s);
		*v = s.mean * 1024;
		return true;
	}
	return false;
}

/* prtop's cost with reporting on as a ratio with its 95 % interval */
static bool overhead_ratio(struct bench *b, struct change *c)
{
	struct arm *a = NULL, *p = NULL;
	struct sample_stats sa, sp;
	int i;

	for (i = 0; i < b->nset; i++)
		if (!strcmp(b->set[i].name, "on")) {
			a = find_arm(b, i, false);
			p = find_arm(b, i, true);
		}
	if (!a || !p)
		return false;
	stats_of(a->ops, a->n, &sa);
	stats_of(p->ops, p->n, &sp);
	stats_change(&sa, &sp, c);
	return c->known;
}

static void overhead_line(struct bench *b, char *buf, size_t len)
{
	struct change c;

	if (!overhead_ratio(b, &c)) {
		snprintf(buf, len, "prtop attached: n/a (no 'on' arms with and without prtop)");
		return;
	}
	snprintf(buf, len,
		 "prtop attached (reporting on): %.3fx the throughput without it, 95 %% interval "
		 "%.3f..%.3f (±%.1f%%)%s",
		 1 + c.pct / 100, 1 + (c.pct - c.ci95_pct) / 100, 1 + (c.pct + c.ci95_pct) / 100,
		 c.ci95_pct, c.significant ? "" : ", within noise");
}

/* where the advisor's memory figures come from */
static void mem_source(struct bench *b, char *buf, size_t len)
{
	int i;

	for (i = 0; i < b->narm; i++)
		if (b->arm[i].prtop && b->arm[i].nmem && b->arm[i].rep_known) {
			snprintf(buf, len, "prtop's reported bytes per second in the +prtop arms");
			return;
		}
	for (i = 0; i < b->narm; i++)
		if (b->arm[i].nk) {
			snprintf(buf, len,
				 "the kernel's own counter per second (reported_kib, or "
				 "page_reporting_pages_reported in /proc/vmstat; report() is not "
				 "observed here)");
			return;
		}
	snprintf(buf, len, "not observed (neither report() nor a kernel counter)");
}

static void advise(struct bench *b, int base, char *buf, size_t len)
{
	struct advice_in in[MAX_SETTINGS + 2];
	struct sample_stats sb, sc;
	int i, n = 0;

	if (base != 0 || !b->set[0].off) {
		snprintf(buf, len,
			 "no advice: reporting cannot be turned off on this kernel, so "
			 "no setting can be priced against it");
		return;
	}
	stats_of(find_arm(b, base, false)->ops, find_arm(b, base, false)->n, &sb);
	for (i = 0; i < b->nset; i++) {
		struct arm *a = find_arm(b, i, false);

		if (i == base || !a)
			continue;
		stats_of(a->ops, a->n, &sc);
		in[n].name = b->set[i].name;
		stats_change(&sb, &sc, &in[n].ops);
		in[n].mem_known = mem_back(b, i, &in[n].mem_bytes_per_s);
		n++;
	}
	if (!n) {
		snprintf(buf, len, "no advice: no setting besides the baseline");
		return;
	}
	stats_advise(in, n, buf, len);
}

static void print_block(struct bench *b, struct arm *base, struct arm *cur, const char *title)
{
	struct sample_stats sb, sc;
	char metric[160];

	fprintf(stdout, "\n%s\n", title);
	stats_lkp_head(stdout);
	stats_of(base->ops, base->n, &sb);
	stats_of(cur->ops, cur->n, &sc);
	snprintf(metric, sizeof(metric), "ops_per_task (%s)",
		 strrchr(b->cmd[0], '/') ? strrchr(b->cmd[0], '/') + 1 : b->cmd[0]);
	stats_lkp_row(stdout, &sb, &sc, metric);
	if (base->nmem && cur->nmem) {
		if (cur->rep_known) {
			stats_of(base->rep_bs, base->nmem, &sb);
			stats_of(cur->rep_bs, cur->nmem, &sc);
			stats_lkp_row(stdout, &sb, &sc, "reported_bytes_per_s");
		}
		if (cur->reused_known) {
			stats_of(base->reused_bs, base->nmem, &sb);
			stats_of(cur->reused_bs, cur->nmem, &sc);
			stats_lkp_row(stdout, &sb, &sc, "reused_bytes_per_s");
		}
		if (cur->worker_known) {
			stats_of(base->worker_ms_s, base->nmem, &sb);
			stats_of(cur->worker_ms_s, cur->nmem, &sc);
			stats_lkp_row(stdout, &sb, &sc, "worker_ms_per_s");
		}
	}
}

static void print_text(struct bench *b, int base, const char *advice)
{
	char t[400], n1[160], n2[160];
	size_t n;
	int i;

	n = (size_t)snprintf(t, sizeof(t), "%s", b->cmd[0]);
	for (i = 1; b->cmd[i] && n < sizeof(t); i++)
		n += (size_t)snprintf(t + n, sizeof(t) - n, " %s", b->cmd[i]);
	fmt_print_wrapped(stdout, "prtop bench: ", t);
	snprintf(t, sizeof(t),
		 "%d repetitions per arm in rotating order after a discarded warm-up run; %.0f s "
		 "settle after each setting; ops per task per second",
		 b->rounds, b->settle_s);
	fmt_print_wrapped(stdout, "", t);
	fmt_print_wrapped(stdout, "", b->off_how);
	fmt_print_wrapped(stdout, "",
			  "(%change is of the means; ±ci95 its 95 % interval (Welch); ~ marks a "
			  "change within noise)");
	for (i = 0; i < b->nset; i++) {
		struct arm *a = find_arm(b, i, false), *p = find_arm(b, i, true);

		if (i == base)
			continue;
		snprintf(t, sizeof(t), "[%s] vs [%s]", b->set[i].name, b->set[base].name);
		print_block(b, find_arm(b, base, false), a, t);
		if (p && find_arm(b, base, true)) {
			snprintf(t, sizeof(t), "[%s] vs [%s]", arm_name(b, p, n1, sizeof(n1)),
				 arm_name(b, find_arm(b, base, true), n2, sizeof(n2)));
			print_block(b, find_arm(b, base, true), p, t);
		}
	}
	for (i = 0; i < b->nset; i++) {
		struct arm *a = find_arm(b, i, false), *p = find_arm(b, i, true);

		if (!p)
			continue;
		snprintf(t, sizeof(t), "prtop's own cost: [%s] vs [%s]",
			 arm_name(b, p, n1, sizeof(n1)), arm_name(b, a, n2, sizeof(n2)));
		print_block(b, a, p, t);
	}
	overhead_line(b, t, sizeof(t));
	putchar('\n');
	fmt_print_wrapped(stdout, "", t);
	mem_source(b, t, sizeof(t));
	fmt_print_wrapped(stdout, "memory given back: ", t);
	putchar('\n');
	fmt_print_wrapped(stdout, "advice: ", advice);
}

static json_object *arm_json(struct bench *b, int setting, int base)
{
	struct arm *a = find_arm(b, setting, false), *p = find_arm(b, setting, true);
	struct arm *ba = find_arm(b, base, false);
	json_object *o = json_object_new_object(), *pj;
	struct sample_stats sb, sc, sp;
	struct change ch;
	double mem;

	stats_of(ba->ops, ba->n, &sb);
	stats_of(a->ops, a->n, &sc);
	stats_change(&sb, &sc, &ch);
	json_object_object_add(o, "name", json_object_new_string(b->set[setting].name));
	json_object_object_add(o, "runs", json_object_new_int(sc.n));
	json_object_object_add(o, "ops_median", fmt_json_fixed(sc.median, 1));
	json_object_object_add(o, "ops_mean", fmt_json_fixed(sc.mean, 1));
	json_object_object_add(o, "stddev_pct", fmt_json_fixed(sc.stddev_pct, 2));
	json_object_object_add(o, "change_pct",
			       setting != base && ch.known ? fmt_json_fixed(ch.pct, 2) : NULL);
	json_object_object_add(o, "ci95_pct",
			       setting != base && ch.known ? fmt_json_fixed(ch.ci95_pct, 2) : NULL);
	json_object_object_add(o, "significant",
			       setting != base && ch.known ? json_object_new_boolean(ch.significant)
							   : NULL);
	json_object_object_add(o, "memory_back_bytes_per_s",
			       mem_back(b, setting, &mem) ? fmt_json_fixed(mem, 0) : NULL);
	if (p) {
		pj = json_object_new_object();
		stats_of(p->ops, p->n, &sp);
		stats_change(&sc, &sp, &ch);
		json_object_object_add(pj, "ops_median", fmt_json_fixed(sp.median, 1));
		json_object_object_add(pj, "stddev_pct", fmt_json_fixed(sp.stddev_pct, 2));
		json_object_object_add(pj, "change_pct",
				       ch.known ? fmt_json_fixed(ch.pct, 2) : NULL);
		json_object_object_add(pj, "ci95_pct",
				       ch.known ? fmt_json_fixed(ch.ci95_pct, 2) : NULL);
		if (p->nmem) {
			stats_of(p->rep_bs, p->nmem, &sp);
			json_object_object_add(pj, "reported_bytes_per_s",
					       p->rep_known ? fmt_json_fixed(sp.mean, 0) : NULL);
			stats_of(p->reused_bs, p->nmem, &sp);
			json_object_object_add(pj, "reused_bytes_per_s",
					       p->reused_known ? fmt_json_fixed(sp.mean, 0) : NULL);
			stats_of(p->worker_ms_s, p->nmem, &sp);
			json_object_object_add(pj, "worker_ms_per_s",
					       p->worker_known ? fmt_json_fixed(sp.mean, 3) : NULL);
		}
		json_object_object_add(o, "with_prtop", pj);
	}
	return o;
}

static void print_json(struct bench *b, int base, const char *advice)
{
	json_object *d = json_object_new_object(), *cmd = json_object_new_array();
	json_object *sets = json_object_new_array();
	char src[160];
	int i;

	for (i = 0; b->cmd[i]; i++)
		json_object_array_add(cmd, json_object_new_string(b->cmd[i]));
	json_object_object_add(d, "command", cmd);
	json_object_object_add(d, "tasks", json_object_new_int64(b->tasks));
	json_object_object_add(d, "reps", json_object_new_int(b->rounds));
	json_object_object_add(d, "off", json_object_new_string(b->off_how));
	json_object_object_add(d, "baseline", arm_json(b, base, base));
	for (i = 0; i < b->nset; i++)
		if (i != base)
			json_object_array_add(sets, arm_json(b, i, base));
	json_object_object_add(d, "settings", sets);
	mem_source(b, src, sizeof(src));
	json_object_object_add(d, "memory_source", json_object_new_string(src));
	{
		struct change c;
		json_object *ov = NULL;

		if (overhead_ratio(b, &c)) {
			ov = json_object_new_object();
			json_object_object_add(ov, "ratio", fmt_json_fixed(1 + c.pct / 100, 4));
			json_object_object_add(ov, "ci95_pct", fmt_json_fixed(c.ci95_pct, 2));
			json_object_object_add(ov, "significant",
					       json_object_new_boolean(c.significant));
		}
		json_object_object_add(d, "prtop_overhead", ov);
	}
	json_object_object_add(d, "advice", json_object_new_string(advice));
	printf("%s\n", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(d);
}

/* ---- refault price ---- */

/*
 * The least share of the freed memory that must have been reported during
 * the waits for a price to be printed.  The reported arm's touches are a
 * mix of reported pages (the price) and pages the kernel had not reported
 * yet (none), so with a share f reported the measured difference is about
 * f times the real price: at 50 % it is at worst half of it, and the
 * printed share says how far from all of it it is.  Below that the figure
 * mostly measures the allocator and no one should quote it.
 */
#define REFAULT_MIN_SHARE 0.5
/* a wait goes on past --wait, while the counter is short, up to this factor */
#define REFAULT_WAIT_MAX 3
#define REFAULT_SAMPLE_S 0.25 /* the counter's sampling interval during a wait */
#define VENDOR_WAITING	 "/sys/module/page_reporting/parameters/max_waiting_mib"

struct refault_opts {
	long mib;
	int reps;
	double wait_s;
	bool thp;
	bool json;
};

/* what counts reported memory here, and how much it did during the waits */
struct refault_run {
	const struct refault_opts *o;
	long mib;	     /* freed each time: --mib, or more for a vendor threshold */
	long vendor_mib;     /* the vendor's max_waiting_mib, -1 without one */
	struct collector *c; /* prtop, where report() is observed */
	struct sampler smp;  /* on c: its cur is the latest sample */
	const char *source; /* "prtop", "kernel:reported_kib", "kernel:vmstat"; NULL */
	uint64_t freed;	    /* bytes freed before the waits, retries included */
	uint64_t reported;  /* bytes reported during them */
	int retries;	    /* waits taken again (at most one) */
	int short_waits;    /* waits that ended short of the share */
	double waited_s;
};

/* map, first-touch every 4 KiB page, unmap; ns per 4 KiB of the touching */
static double touch_ns(size_t len, bool thp)
{
	long page = sysconf(_SC_PAGESIZE);
	uint64_t t0, t1;
	size_t off;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -1;
	if (thp)
		madvise(p, len, MADV_HUGEPAGE);
	t0 = now_ns();
	for (off = 0; off < len; off += page)
		p[off] = 1;
	t1 = now_ns();
	munmap(p, len);
	return (double)(t1 - t0) / (len / 4096.0);
}

/* the counter in bytes: prtop's report() bytes, else the kernel's own */
static bool reported_bytes(struct refault_run *x, uint64_t *v)
{
	uint64_t kib;

	if (x->c) {
		sampler_take(&x->smp);
		*v = x->smp.cur->c.report_bytes;
		return true;
	}
	if (!kernel_kib(&kib))
		return false;
	*v = kib * 1024;
	return true;
}

static void refault_source(struct refault_run *x)
{
	/* the wait reads the counter with sampler_take(), not on the schedule */
	struct sampler_opts so = {.interval_s = REFAULT_SAMPLE_S};
	char err[512], buf[32];
	struct collector_opts co = {0};
	uint64_t v;

	if (!collector_open(&x->c, &co, err, sizeof(err))) {
		/* the base sample */
		if (!sampler_init(&x->smp, x->c, &so) && snap_has(x->smp.cur, SG_REPORT)) {
			x->source = "prtop";
			return;
		}
		/* report() is not observed (or no memory): prtop counts nothing */
		sampler_free(&x->smp);
		collector_close(x->c);
		x->c = NULL;
	}
	if (!read_trimmed_at(AT_FDCWD, "/sys/module/page_reporting/parameters/reported_kib", buf,
			     sizeof(buf)))
		x->source = "kernel:reported_kib";
	else if (vmstat_kib(&v))
		x->source = "kernel:vmstat";
}

/*
 * A vendor kernel that runs its worker only once more than max_waiting_mib
 * was freed since its last run never reports a smaller free: free more
 * than that (within half of what is available) and say so.
 */
static void refault_size(struct refault_run *x)
{
	char buf[32];
	int64_t w;
	long avail = -1;
	char line[128];
	FILE *f;

	x->mib = x->o->mib;
	x->vendor_mib = -1;
	if (read_trimmed_at(AT_FDCWD, VENDOR_WAITING, buf, sizeof(buf)) ||
	    knob_parse_int(buf, &w) || w < 0)
		return;
	x->vendor_mib = (long)w;
	if (x->mib > w)
		return;
	f = fopen("/proc/meminfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &avail) == 1)
			break;
	if (f)
		fclose(f);
	if (avail < 0 || w + 128 > avail / 1024 / 2) {
		bench_progress("this kernel reports once more than max_waiting_mib (%lld MiB) was "
			       "freed; half the available memory is less: freeing %ld MiB",
			       (long long)w, x->mib);
		return;
	}
	x->mib = (long)w + 128;
	bench_progress("this kernel reports once more than max_waiting_mib (%lld MiB) was freed: "
		       "freeing %ld MiB, not %ld",
		       (long long)w, x->mib, x->o->mib);
}

static double refault_share(const struct refault_run *x)
{
	return x->freed ? (double)x->reported / (double)x->freed : 0;
}

/*
 * After a free of len bytes: wait --wait seconds, and on while the counter
 * is short of the share, up to REFAULT_WAIT_MAX times that (twice as long
 * on a retry).  Adds to freed and reported; true when the share was met.
 */
static bool wait_reported(struct refault_run *x, uint64_t len, bool retry)
{
	double max = x->o->wait_s * REFAULT_WAIT_MAX * (retry ? 2 : 1), t;
	uint64_t r0 = 0, r = 0, t0 = now_ns();
	bool have = reported_bytes(x, &r0);

	for (;;) {
		usleep((useconds_t)(REFAULT_SAMPLE_S * 1e6));
		t = (now_ns() - t0) / 1e9;
		if (have && reported_bytes(x, &r))
			r = r >= r0 ? r - r0 : 0;
		if (prtop_stop || t >= max ||
		    (t >= x->o->wait_s && r >= REFAULT_MIN_SHARE * (double)len))
			break;
	}
	x->waited_s += t;
	x->freed += len;
	x->reported += r;
	bench_progress("reported %.0f of %.0f MiB freed in %.1f s%s", r / 1048576.0,
		       len / 1048576.0, t,
		       r >= REFAULT_MIN_SHARE * (double)len ? "" : ": short of the share");
	return r >= REFAULT_MIN_SHARE * (double)len;
}

/*
 * The reported arm: free, wait for reporting, time the touches.  A wait
 * that falls short is taken again once (freeing again, waiting longer).
 * 1: measured; 0: measured, the wait short; -EAGAIN: short once more
 * after the retry with the share under the least, so no price can come
 * of the run and the touches are not timed; -ENOMEM.
 */
static int reported_touch(struct refault_run *x, size_t len, double *v)
{
	bool met;

	if (touch_ns(len, x->o->thp) < 0)
		return -ENOMEM;
	met = wait_reported(x, len, false);
	if (!met && !x->retries && !prtop_stop) {
		x->retries++;
		bench_progress("freeing again and waiting up to %.0f s",
			       x->o->wait_s * REFAULT_WAIT_MAX * 2);
		if (touch_ns(len, x->o->thp) < 0)
			return -ENOMEM;
		met = wait_reported(x, len, true);
	}
	x->short_waits += !met;
	if (!met && refault_share(x) < REFAULT_MIN_SHARE)
		return -EAGAIN;
	*v = touch_ns(len, x->o->thp);
	return *v < 0 ? -ENOMEM : met;
}

/* why there is no price, or "" when there is one */
static void refault_why(const struct refault_run *x, int reps, char *why, size_t len)
{
	char vendor[160] = "";

	*why = '\0';
	if (!x->source) {
		snprintf(why, len,
			 "nothing here counts reported memory (report() not observed, no kernel "
			 "counter): a price could not be told from noise");
		return;
	}
	if (reps < 2 || refault_share(x) >= REFAULT_MIN_SHARE)
		return;
	if (x->vendor_mib >= 0)
		snprintf(vendor, sizeof(vendor),
			 "; this kernel reports once more than max_waiting_mib (%ld MiB) was freed "
			 "and may report less than that",
			 x->vendor_mib);
	snprintf(why, len,
		 "only %.0f of %.0f MiB freed was reported during the waits (%.0f %%, under the "
		 "%.0f %% a price needs, by %s; %.0f s of waits, %d taken again)%s",
		 x->reported / 1048576.0, x->freed / 1048576.0, 100 * refault_share(x),
		 100 * REFAULT_MIN_SHARE, x->source, x->waited_s, x->retries, vendor);
}

static json_object *price_json(const struct sample_stats *rep, const struct sample_stats *unr,
			       double scale)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "reported_median", fmt_json_fixed(rep->median * scale, 1));
	json_object_object_add(o, "reported_min", fmt_json_fixed(rep->min * scale, 1));
	json_object_object_add(o, "reported_max", fmt_json_fixed(rep->max * scale, 1));
	json_object_object_add(o, "unreported_median", fmt_json_fixed(unr->median * scale, 1));
	json_object_object_add(o, "unreported_min", fmt_json_fixed(unr->min * scale, 1));
	json_object_object_add(o, "unreported_max", fmt_json_fixed(unr->max * scale, 1));
	json_object_object_add(o, "price_median",
			       fmt_json_fixed((rep->median - unr->median) * scale, 1));
	return o;
}

/* the refusal, on stderr, wrapped at 80 columns under "prtop bench: " */
static void no_price(const char *why)
{
	char t[600];

	snprintf(t, sizeof(t), "no refault price: %s", why);
	fmt_print_wrapped(stderr, "prtop bench: ", t);
}

static int refault_json(const struct refault_run *x, int reps, const struct sample_stats *sr,
			const struct sample_stats *su, const char *why)
{
	const struct refault_opts *o = x->o;
	json_object *d = json_object_new_object(), *price = NULL;
	bool priced = !*why;

	json_object_object_add(d, "mib", json_object_new_int64(x->mib));
	json_object_object_add(d, "mib_asked", json_object_new_int64(o->mib));
	json_object_object_add(d, "reps", json_object_new_int(reps));
	json_object_object_add(d, "thp", json_object_new_boolean(o->thp));
	json_object_object_add(d, "wait_s", fmt_json_fixed(o->wait_s, 1));
	json_object_object_add(d, "waited_s", fmt_json_fixed(x->waited_s, 1));
	json_object_object_add(d, "retries", json_object_new_int(x->retries));
	json_object_object_add(d, "short_waits", json_object_new_int(x->short_waits));
	json_object_object_add(d, "reported_source",
			       x->source ? json_object_new_string(x->source) : NULL);
	json_object_object_add(d, "freed_before_waits_bytes",
			       json_object_new_int64((int64_t)x->freed));
	json_object_object_add(d, "reported_during_waits_bytes",
			       x->source ? json_object_new_int64((int64_t)x->reported) : NULL);
	/* the kernel's own figure, kept for files read by older scripts */
	json_object_object_add(d, "kernel_reported_kib_during_waits",
			       x->source && strcmp(x->source, "prtop")
				   ? json_object_new_int64((int64_t)(x->reported / 1024))
				   : NULL);
	json_object_object_add(d, "reported_share",
			       x->source && x->freed ? fmt_json_fixed(refault_share(x), 3) : NULL);
	json_object_object_add(d, "min_share", fmt_json_fixed(REFAULT_MIN_SHARE, 2));
	if (priced) {
		price = json_object_new_object();
		json_object_object_add(price, "ns_per_4k",
				       fmt_json_fixed(sr->median - su->median, 1));
		json_object_object_add(price, "ns_per_2m",
				       fmt_json_fixed((sr->median - su->median) * 512, 1));
	}
	json_object_object_add(d, "price", price);
	json_object_object_add(d, "why", priced ? NULL : json_object_new_string(why));
	json_object_object_add(d, "ns_per_4k", priced ? price_json(sr, su, 1) : NULL);
	json_object_object_add(d, "ns_per_2m", priced ? price_json(sr, su, 512) : NULL);
	printf("%s\n", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY));
	json_object_put(d);
	if (!priced)
		no_price(why);
	return output_status(stdout) ? 1 : priced ? 0 : 1;
}

static int refault_text(const struct refault_run *x, int reps, const struct sample_stats *sr,
			const struct sample_stats *su, const char *why)
{
	printf("prtop bench --refault: %ld MiB, %d repetitions, %s pages, %.0f s for reporting\n",
	       x->mib, reps, x->o->thp ? "THP" : "4 KiB", x->o->wait_s);
	char t[400];

	if (*why) {
		fflush(stdout);
		no_price(why);
		return 1;
	}
	snprintf(t, sizeof(t), "%.0f of %.0f MiB freed (%.0f %%, %s)", x->reported / 1048576.0,
		 x->freed / 1048576.0, 100 * refault_share(x), record_source_words(x->source));
	fmt_print_wrapped(stdout, "reported during the waits: ", t);
	printf("%-34s %12s %12s %12s\n", "first touch", "median", "min", "max");
	printf("%-34s %9.0f ns %9.0f ns %9.0f ns\n", "reported memory, per 4 KiB", sr->median,
	       sr->min, sr->max);
	printf("%-34s %9.0f ns %9.0f ns %9.0f ns\n", "freed, not yet reported, per 4 KiB",
	       su->median, su->min, su->max);
	printf("refault price: %.0f ns per 4 KiB, %.1f us per 2 MiB\n", sr->median - su->median,
	       (sr->median - su->median) * 512 / 1000);
	snprintf(t, sizeof(t),
		 "(%.2fx the unreported touch; with %.0f %% reported, the price of all of it is "
		 "up to %.0f %% more)",
		 su->median > 0 ? sr->median / su->median : 0, 100 * refault_share(x),
		 refault_share(x) > 0 ? 100 * (1 / refault_share(x) - 1) : 0);
	fmt_print_wrapped(stdout, "", t);
	return output_status(stdout);
}

static int refault(const struct refault_opts *o)
{
	double rep[MAX_REPS], unr[MAX_REPS], v;
	struct refault_run x = {.o = o};
	struct sample_stats sr = {0}, su = {0};
	char why[512] = "";
	size_t len;
	int i = 0, k, ret = 0;

	refault_source(&x);
	refault_size(&x);
	len = (size_t)x.mib << 20;
	for (; x.source && i < o->reps && !prtop_stop; i++) {
		bench_progress("refault repetition %d of %d (%ld MiB, %s pages)", i + 1, o->reps,
			       x.mib, o->thp ? "THP" : "4 KiB");
		for (k = 0; k < 2; k++) {
			if ((i + k) % 2) { /* freed and touched at once: not reported */
				if (touch_ns(len, o->thp) < 0 || (v = touch_ns(len, o->thp)) < 0) {
					ret = -ENOMEM;
					break;
				}
				unr[i] = v;
				continue;
			}
			ret = reported_touch(&x, len, &rep[i]);
			if (ret < 0)
				break;
		}
		if (ret < 0)
			break;
	}
	sampler_free(&x.smp);
	collector_close(x.c);
	if (ret == -ENOMEM) {
		fprintf(stderr, "prtop bench: mmap %ld MiB failed\n", x.mib);
		return 1;
	}
	/* refused early: the repetitions cut short are not counted */
	if (x.source && i < 2 && ret != -EAGAIN) {
		fprintf(stderr, "prtop bench: too few repetitions completed (%d)\n", i);
		return 1;
	}
	refault_why(&x, ret == -EAGAIN ? 2 : i, why, sizeof(why));
	if (!*why) {
		stats_of(rep, i, &sr);
		stats_of(unr, i, &su);
	}
	if (o->json)
		return refault_json(&x, i, &sr, &su, why);
	return refault_text(&x, i, &sr, &su, why);
}

/* ---- --return: the settings as hooks for src/bench_return.c ---- */

static int return_apply(void *ctx, int i, char *err, size_t len)
{
	struct bench *b = ctx;

	*err = '\0';
	return apply_setting(b, &b->set[i], err, len);
}

static void return_restore(void *ctx)
{
	restore(ctx);
}

/* the workload as the setting's arm: settled as the matrix settles, named for --slow-arm */
static int return_workload(void *ctx, int i, double *ops)
{
	struct bench *b = ctx;
	double wall;

	usleep((useconds_t)(b->settle_s * 1e6));
	return run_workload(b, b->set[i].name, ops, &wall);
}

/* the current settings ("on") first, then each --set; no off arm: nothing returns there */
static int return_mode(struct bench *b, const struct return_opts *o)
{
	struct return_settings rs = {.apply = return_apply, .restore = return_restore, .ctx = b};
	struct knob_info k;
	int i;

	for (i = 0; i < 3; i++)
		if (!knob_find(NULL, core[i], &k))
			str_copy(b->orig[i], sizeof(b->orig[i]), k.value);
	memmove(&b->set[1], &b->set[0], sizeof(b->set[0]) * (size_t)b->nset);
	b->set[0] = (struct setting){0};
	snprintf(b->set[0].name, sizeof(b->set[0].name), "on");
	rs.n = ++b->nset;
	for (i = 0; i < rs.n; i++)
		rs.name[i] = b->set[i].name;
	if (b->cmd) {
		rs.workload = return_workload;
		rs.workload_name =
		    strrchr(b->cmd[0], '/') ? strrchr(b->cmd[0], '/') + 1 : b->cmd[0];
		rs.workload_argv = (const char *const *)b->cmd;
	}
	return bench_return(o, &rs);
}

/* ---- options ---- */

const char *const bench_help =
    "Usage: prtop bench [--reps R] [--set NAME=V[,NAME=V...]]... [--settle SECS]\n"
    "                   [--no-prtop | --overhead [--until-ci PCT]] [--max-minutes M]\n"
    "                   [--json] [-- CMD ARGS]\n"
    "       prtop bench --refault [--mib N] [--reps R] [--wait SECS] [--thp] [--json]\n"
    "       prtop bench --return [--mib N] [--reps R] [--set NAME=V[,NAME=V...]]...\n"
    "                   [--return-within SECS] [--timeout SECS] [--no-prtop]\n"
    "                   [--mark FILE] [--workload-reps R] [--settle SECS] [--json]\n"
    "                   [-- CMD ARGS]\n"
    "       (-v: progress on stderr where it is not a terminal too)\n"
    "\n"
    "An A/B matrix run where it is launched (normally inside a guest): CMD\n"
    "(default: pf1 --thp -s 5 -w 1) with reporting off, on at the current\n"
    "settings, and each --set (knobs as prtop knob takes them), each also\n"
    "with prtop attached; R repetitions (default 5) in rotating order after\n"
    "a discarded warm-up run.  'Off' is page_reporting_order above the\n"
    "highest free list where the kernel takes it; where it does not, the arm\n"
    "is left out and said so.  Each run has PRTOP_BENCH_ARM set to its arm's\n"
    "name (\"off\", \"on +prtop\", ...).  Output in LKP's layout (base ±%stddev %change\n"
    "±ci95 value ±%stddev metric) and an advice line; the knobs are restored.\n"
    "--overhead spends every run on one figure: prtop's own cost with reporting\n"
    "on, as a ratio with its 95 % interval; --until-ci PCT stops adding rounds\n"
    "once that interval is narrower than ±PCT (--reps is then the most rounds),\n"
    "--max-minutes M after M minutes, with what it has.\n"
    "\n"
    "--refault times first touches of memory that reporting handed to the\n"
    "host (freed, then --wait seconds, default 6) against memory freed and\n"
    "touched again before the worker ran: the price per 4 KiB and per 2 MiB.\n"
    "A price needs half of the freed memory reported during the waits (by\n"
    "prtop's count of report(), else the kernel's counter): a wait goes on\n"
    "up to 3x --wait while it is short, one is taken again, and a kernel's\n"
    "max_waiting_mib is exceeded; short of half, no price (exit 1, why).\n"
    "\n"
    "--return frees --mib MiB at once (default 1024, THP-aligned) and times\n"
    "until 50, 90 and 99 % of it is reported (prtop's count of report(), else\n"
    "the kernel's reported_kib or /proc/vmstat counter), --reps rounds (default\n"
    "5) at the current settings and each --set; a round ends at 99 %, after 6 s\n"
    "(or 3 delays) without growth, or at --timeout (default 120 s).  With\n"
    "--return-within SECS the advice names the setting of least measured cost\n"
    "whose 90 % time is within SECS by its interval's upper bound; --no-prtop\n"
    "attaches nothing (the kernel's counter, no worker run time).  --mark FILE\n"
    "writes a line to FILE (a guest's serial port) at each free and each round's\n"
    "end, drained before the free, for a host to time the free on its clock.\n"
    "With -- CMD ARGS (pf1 ...) each setting's return round is preceded by a\n"
    "run of CMD there, prtop bench's arm (--settle SECS before and after it,\n"
    "default 3; --workload-reps R runs per setting, default --reps, after a\n"
    "discarded warm-up run), and a table says per setting the 90 % time, CMD's\n"
    "throughput change against the current settings with its 95 % interval, the\n"
    "refaults and the worker's run time; the advice leaves out the settings\n"
    "slower beyond noise than the fastest that meets the goal.\n"
    "\n"
    "Exit status: 0; 1 when a run failed, the knobs cannot be written (not\n"
    "root), too little was reported for a refault price, nothing counts\n"
    "reported memory for --return, or a signal stopped it; 2 for bad options.\n";

static int parse_set(struct bench *b, const char *arg)
{
	struct setting *s = &b->set[b->nset];
	char buf[256], *tok, *save = NULL;

	if (b->nset >= MAX_SETTINGS)
		return -E2BIG;
	memset(s, 0, sizeof(*s));
	str_copy(s->name, sizeof(s->name), arg);
	str_copy(buf, sizeof(buf), arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (s->nspec >= MAX_SETS || !strchr(tok, '='))
			return -EINVAL;
		str_copy(s->spec[s->nspec++], sizeof(s->spec[0]), tok);
	}
	if (!s->nspec)
		return -EINVAL;
	b->nset++;
	return 0;
}

/* pf1 on PATH, next to prtop, or in the tree's build/tools */
static bool find_pf1(char *out, size_t len)
{
	static const char *const rel[] = {"pf1", "tools/pf1", "../build/tools/pf1"};
	char exe[PATH_MAX], *slash, *path = getenv("PATH"), *dir, *save = NULL, buf[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	size_t i;

	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; i < 3; i++) {
			if (!str_printf(out, len, "%s/%s", exe, rel[i]) && !access(out, X_OK))
				return true;
		}
	}
	str_copy(buf, sizeof(buf), path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/pf1", dir);
		if (!access(out, X_OK))
			return true;
	}
	return false;
}

static long tasks_of(char **cmd)
{
	long t = 1;
	int i;

	for (i = 1; cmd[i]; i++)
		if (!strcmp(cmd[i], "-t") && cmd[i + 1])
			t = strtol(cmd[i + 1], NULL, 10);
	return t > 0 ? t : 1;
}

/* every --set checked against this kernel's knobs, before anything needs root */
static int check_sets(const struct bench *b)
{
	struct knob_set ks[MAX_SETS];
	char err[256];
	int i, j;

	for (i = 0; i < b->nset; i++) {
		memset(ks, 0, sizeof(ks));
		for (j = 0; j < b->set[i].nspec; j++)
			ks[j].arg = b->set[i].spec[j];
		if (knob_validate(NULL, ks, b->set[i].nspec, err, sizeof(err))) {
			fprintf(stderr, "prtop bench: --set %s: %s\n", b->set[i].name, err);
			return 2;
		}
	}
	return 0;
}

/* off (where the kernel has it), on, then the --set ones (checked already) */
static int setup(struct bench *b, bool with_prtop, bool overhead)
{
	struct setting user[MAX_SETTINGS];
	int i, nuser = b->nset;
	struct knob_info k;

	for (i = 0; i < 3; i++)
		if (!knob_find(NULL, core[i], &k))
			str_copy(b->orig[i], sizeof(b->orig[i]), k.value);
	memcpy(user, b->set, sizeof(user[0]) * (size_t)nuser);
	b->nset = 0;
	if (overhead) { /* only on, with and without prtop: every run for one ratio */
		snprintf(b->off_how, sizeof(b->off_how),
			 "--overhead: reporting on at the current settings, with and without "
			 "prtop, nothing else");
		nuser = 0;
	} else {
		probe_off(b);
	}
	b->set[b->nset] = (struct setting){0};
	snprintf(b->set[b->nset].name, sizeof(b->set[0].name), "on");
	b->nset++;
	for (i = 0; i < nuser; i++)
		b->set[b->nset++] = user[i];
	for (i = 0; i < b->nset; i++) {
		b->arm[b->narm++] = (struct arm){.setting = i};
		if (with_prtop)
			b->arm[b->narm++] = (struct arm){.setting = i, .prtop = true};
	}
	return 0;
}

/* what each option with a number takes, for the one line bad input gets */
static const char *number_range(int o)
{
	switch (o) {
	case 'r':
	case 'P':
		return "a whole number from 2 to " MAX_REPS_TEXT;
	case 'S':
	case 'w':
		return "seconds from 0 to 600";
	case 'm':
		return "a whole number of MiB from 2 to 1048576";
	case 'W':
		return "seconds above 0, up to 3600";
	case 't':
		return "seconds from 1 to 3600";
	case 'U':
		return "a percentage above 0, up to 100";
	case 'M':
		return "minutes above 0, up to 1440";
	}
	return "see the ranges in 'prtop help bench'";
}

static int bad_value(const struct option *lo, int o, const char *v)
{
	const char *name = "?";

	for (; lo->name; lo++)
		if (lo->val == o)
			name = lo->name;
	return usage_fail("bench", "invalid --%s '%s': give %s", name, v, number_range(o));
}

int bench_main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"reps", required_argument, NULL, 'r'},
	    {"set", required_argument, NULL, 's'},
	    {"settle", required_argument, NULL, 'S'},
	    {"no-prtop", no_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"refault", no_argument, NULL, 'R'},
	    {"mib", required_argument, NULL, 'm'},
	    {"wait", required_argument, NULL, 'w'},
	    {"thp", no_argument, NULL, 'T'},
	    {"help", no_argument, NULL, 'h'},
	    {"overhead", no_argument, NULL, 'O'},
	    {"until-ci", required_argument, NULL, 'U'},
	    {"max-minutes", required_argument, NULL, 'M'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"return", no_argument, NULL, 'E'},
	    {"return-within", required_argument, NULL, 'W'},
	    {"timeout", required_argument, NULL, 't'},
	    {"mark", required_argument, NULL, 'K'},
	    {"workload-reps", required_argument, NULL, 'P'},
	    {0},
	};
	static char *def_cmd[8];
	static struct bench b;
	struct refault_opts ro = {.mib = 512, .reps = 10, .wait_s = 6};
	struct return_opts rt = {.reps = 5, .timeout_s = 120};
	bool return_mode_on = false, mib_given = false, timeout_given = false, wreps_given = false;
	bool refault_mode = false, with_prtop = true, reps_given = false, overhead = false;
	char advice[512];
	int o, base, ret;
	double v;

	memset(&b, 0, sizeof(b));
	b.reps = 5;
	b.settle_s = 3;
	opterr = 0;
	progress_on = isatty(STDERR_FILENO);
	while ((o = getopt_long(argc, argv, "+:jhv", lo, NULL)) != -1) {
		switch (o) {
		case 'v':
			progress_on = true;
			break;
		case 'r':
			if (parse_number(optarg, 2, MAX_REPS, &v) || v != (int)v)
				goto bad;
			b.reps = ro.reps = rt.reps = (int)v;
			reps_given = true;
			break;
		case 's':
			if (parse_set(&b, optarg)) {
				fprintf(stderr,
					"prtop bench: --set wants NAME=V[,NAME=V...] (up to %d "
					"settings, %d knobs each), not '%s'\n",
					MAX_SETTINGS, MAX_SETS, optarg);
				return 2;
			}
			break;
		case 'S':
			if (parse_number(optarg, 0, 600, &b.settle_s))
				goto bad;
			break;
		case 'w':
			if (parse_number(optarg, 0, 600, &ro.wait_s))
				goto bad;
			break;
		case 'm':
			if (parse_number(optarg, 2, 1 << 20, &v) || v != (long)v)
				goto bad;
			ro.mib = (long)v;
			mib_given = true;
			break;
		case 'E':
			return_mode_on = true;
			break;
		case 'W':
			if (parse_number(optarg, 0, 3600, &rt.within_s) || !(rt.within_s > 0))
				goto bad;
			break;
		case 't':
			if (parse_number(optarg, 1, 3600, &rt.timeout_s))
				goto bad;
			timeout_given = true;
			break;
		case 'K':
			rt.mark_path = optarg;
			break;
		case 'P':
			if (parse_number(optarg, 2, MAX_REPS, &v) || v != (int)v)
				goto bad;
			rt.workload_reps = (int)v;
			wreps_given = true;
			break;
		case 'n':
			with_prtop = false;
			break;
		case 'O':
			overhead = true;
			break;
		case 'U':
			if (parse_number(optarg, 0, 100, &b.until_ci) || !(b.until_ci > 0))
				goto bad;
			break;
		case 'M':
			if (parse_number(optarg, 0, 1440, &b.max_minutes) || !(b.max_minutes > 0))
				goto bad;
			break;
		case 'j':
			b.json = ro.json = true;
			break;
		case 'R':
			refault_mode = true;
			break;
		case 'T':
			ro.thp = true;
			break;
		case 'h':
			fputs(bench_help, stdout);
			return output_status(stdout);
		default:
			return usage_bad_option("bench", o, argv[optind - 1]);
		}
	}
	if (refault_mode && (optind < argc || b.nset)) {
		fprintf(stderr, "prtop bench: --refault takes no command and no --set\n");
		return 2;
	}
	if (return_mode_on && (refault_mode || overhead)) {
		fprintf(stderr, "prtop bench: --return takes no --refault or --overhead\n");
		return 2;
	}
	if (wreps_given && !(return_mode_on && optind < argc)) {
		fprintf(stderr, "prtop bench: --workload-reps goes with --return and a command "
				"(-- CMD ARGS)\n");
		return 2;
	}
	if (!return_mode_on && (rt.within_s > 0 || timeout_given || rt.mark_path)) {
		fprintf(stderr,
			"prtop bench: --return-within, --timeout and --mark go with --return\n");
		return 2;
	}
	if (b.until_ci > 0 && !overhead) {
		fprintf(stderr, "prtop bench: --until-ci goes with --overhead\n");
		return 2;
	}
	if (overhead && (!with_prtop || b.nset)) {
		fprintf(stderr, "prtop bench: --overhead compares on with and without prtop: no "
				"--set, no --no-prtop\n");
		return 2;
	}
	ret = check_sets(&b);
	if (ret)
		return ret;
	/* bad input is said first, as for anyone; then the system's refusal */
	if (geteuid() != 0) {
		fprintf(stderr, "prtop bench: needs root (it sets the reporting knobs and attaches "
				"prtop): run it with sudo\n");
		return 1;
	}
	prtop_signals_init();
	if (return_mode_on) {
		rt.mib = mib_given ? ro.mib : 0;
		rt.json = b.json;
		rt.no_prtop = !with_prtop;
		if (optind < argc) {
			b.cmd = argv + optind;
			b.tasks = tasks_of(b.cmd);
			rt.workload_reps = wreps_given ? rt.workload_reps : rt.reps;
			rt.settle_s = b.settle_s;
		}
		return return_mode(&b, &rt);
	}
	if (refault_mode) {
		if (!reps_given)
			ro.reps = 10;
		return refault(&ro);
	}
	if (optind < argc) {
		b.cmd = argv + optind;
	} else if (find_pf1(b.pf1, sizeof(b.pf1))) {
		def_cmd[0] = b.pf1;
		def_cmd[1] = "--thp";
		def_cmd[2] = "-s";
		def_cmd[3] = "5";
		def_cmd[4] = "-w";
		def_cmd[5] = "1";
		b.cmd = def_cmd;
	} else {
		fprintf(stderr, "prtop bench: no pf1 next to prtop or on PATH: give the workload "
				"(prtop bench -- CMD ARGS)\n");
		return 2;
	}
	b.tasks = tasks_of(b.cmd);
	ret = setup(&b, with_prtop, overhead);
	if (ret)
		return ret;
	ret = run_matrix(&b);
	if (ret) {
		fprintf(stderr, "prtop bench: stopped before the matrix was complete: nothing to "
				"report\n");
		return 1;
	}
	base = 0; /* off where the kernel has it, else on */
	if (overhead)
		snprintf(advice, sizeof(advice),
			 "none: --overhead measures prtop's own cost, not the settings");
	else
		advise(&b, base, advice, sizeof(advice));
	if (b.json)
		print_json(&b, base, advice);
	else
		print_text(&b, base, advice);
	return output_status(stdout);
bad:
	return bad_value(lo, o, optarg);
}
