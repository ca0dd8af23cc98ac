// SPDX-License-Identifier: GPL-2.0
/*
 * Reading prtop record files (record.h): the workload's will-it-scale
 * lines, the samples' cumulative counters turned into a timeline, the
 * totals over the recording and the attribution of cost.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <json-c/json.h>

#include "format.h"
#include "metric_table.h"
#include "record.h"
#include "str.h"

enum wis_kind wis_parse(const char *line, struct wis_line *w)
{
	unsigned long long a, b, c;
	char tail;

	memset(w, 0, sizeof(*w));
	if (sscanf(line, "min:%llu max:%llu total:%llu %c", &a, &b, &c, &tail) == 3) {
		*w = (struct wis_line){.kind = WIS_SECOND, .min = a, .max = b, .total = c};
	} else if (sscanf(line, "average:%llu %c", &a, &tail) == 1) {
		*w = (struct wis_line){.kind = WIS_AVERAGE, .average = a};
	} else if (!strncmp(line, "measurement", 11) && (!line[11] || line[11] == '\n')) {
		w->kind = WIS_MEASUREMENT;
	} else if (!strncmp(line, "testcase:", 9)) {
		w->kind = WIS_TESTCASE;
	}
	return w->kind;
}

/* ---- JSON helpers ---- */

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* a number at a dotted path ("reuse.age_ns.p50"), unknown when absent or null */
static struct opt_num num_at(json_object *o, const char *path)
{
	char key[64];
	const char *p = path, *dot;

	while (o && (dot = strchr(p, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - p), p);
		o = get(o, key);
		p = dot + 1;
	}
	o = get(o, p);
	if (!o ||
	    !(json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double)))
		return (struct opt_num){0};
	return (struct opt_num){true, json_object_get_double(o)};
}

/* a figure of a sample, read by its metric table row's JSON key */
static struct opt_num fig(json_object *s, enum metric_id id)
{
	return num_at(s, metric(id)->json);
}

/* a field of it: a histogram's "sum", boundary_resets' "stop" */
static struct opt_num fig_at(json_object *s, enum metric_id id, const char *field)
{
	char path[96];

	snprintf(path, sizeof(path), "%s.%s", metric(id)->json, field);
	return num_at(s, path);
}

static bool has(json_object *o, const char *key)
{
	return o && json_object_object_get_ex(o, key, NULL);
}

static struct opt_num diff(struct opt_num a, struct opt_num b)
{
	return a.known && b.known && a.v >= b.v ? (struct opt_num){true, a.v - b.v}
						: (struct opt_num){0};
}

static struct opt_num per_s(struct opt_num d, double dt)
{
	return d.known && dt > 0 ? (struct opt_num){true, d.v / dt} : (struct opt_num){0};
}

/* ---- memory returned, and from where ---- */

const char *record_source_words(const char *source)
{
	if (!source || !*source)
		return "nothing counts it here";
	if (!strcmp(source, REC_SRC_PRTOP))
		return "prtop's count of report()";
	if (!strcmp(source, REC_SRC_KERNEL_KIB))
		return "the kernel's reported_kib";
	if (!strcmp(source, REC_SRC_KERNEL_VMST))
		return "the kernel's /proc/vmstat";
	return source;
}

struct rep_at {
	struct opt_num bytes; /* cumulative */
	char src[32];	      /* "" unknown */
	bool since_attach;    /* bytes count from prtop's attach (else from boot) */
};

/*
 * A sample's returned bytes and their source: the sample's own
 * reported_bytes_total where it names the source (reported_source);
 * a file from before that key: reported_bytes_total is prtop's count,
 * and where it is null the kernel's reported_kib (KiB since boot) is.
 */
static struct rep_at reported_at(json_object *s)
{
	struct rep_at a = {.since_attach = true};
	const char *src;

	if (has(s, METRIC_REPORTED_SOURCE_KEY)) {
		src = json_object_get_string(get(s, METRIC_REPORTED_SOURCE_KEY));
		a.bytes = fig(s, M_REPORTED_BYTES);
		if (src && a.bytes.known)
			str_copy(a.src, sizeof(a.src), src);
		else
			a.bytes = (struct opt_num){0};
		return a;
	}
	a.bytes = fig(s, M_REPORTED_BYTES);
	if (a.bytes.known) {
		str_copy(a.src, sizeof(a.src), REC_SRC_PRTOP);
		return a;
	}
	a.bytes = fig_at(s, M_KERNEL_REPORTED, "total");
	a.since_attach = false;
	if (a.bytes.known) {
		a.bytes.v *= 1024;
		str_copy(a.src, sizeof(a.src), REC_SRC_KERNEL_KIB);
	}
	return a;
}

/* b -> a, when both are known and count the same thing */
static struct opt_num rep_diff(const struct rep_at *a, const struct rep_at *b)
{
	if (!a->src[0] || strcmp(a->src, b->src))
		return (struct opt_num){0};
	return diff(a->bytes, b->bytes);
}

/* ---- reading ---- */

struct reader {
	struct record *r;
	json_object *first, *prev, *last; /* snapshots */
	struct rep_at rep_first, rep_prev;
	bool device_seen; /* a sample named the device */
	double prev_t;
	double wis_t[4096]; /* the workload's seconds: when, and their totals */
	double wis_total[4096];
	bool wis_measured[4096];
	int nw;
	int cap;
};

static void header(struct reader *rd, json_object *o)
{
	struct record *r = rd->r;
	json_object *cmd = get(o, "command");
	size_t i, n;

	r->version = json_object_get_int(get(o, "version"));
	str_copy(r->kernel, sizeof(r->kernel), json_object_get_string(get(o, "kernel")));
	r->interval_s = json_object_get_double(get(o, "interval_s"));
	r->page_size = (uint64_t)json_object_get_int64(get(o, "page_size"));
	r->price_4k = num_at(o, "refault_price.ns_per_4k");
	r->price_2m = num_at(o, "refault_price.ns_per_2m");
	n = cmd && json_object_is_type(cmd, json_type_array) ? json_object_array_length(cmd) : 0;
	for (i = 0; i < n; i++) {
		const char *a = json_object_get_string(json_object_array_get_idx(cmd, i));
		size_t len = strlen(r->command);
		bool q = a && (!*a || strpbrk(a, " \t'\"&|;<>()$"));

		str_printf(r->command + len, sizeof(r->command) - len, "%s%s%s%s", i ? " " : "",
			   q ? "'" : "", a ? a : "", q ? "'" : "");
	}
}

static int grow(struct record *r, int *cap)
{
	struct rec_interval *iv;

	if (r->nint < *cap)
		return 0;
	*cap = *cap ? *cap * 2 : 64;
	iv = realloc(r->iv, (size_t)*cap * sizeof(*iv));
	if (!iv)
		return -ENOMEM;
	r->iv = iv;
	return 0;
}

/*
 * The device: named by a sample once the worker has run; before that, on
 * kernels where report() cannot be observed, BTF already names its
 * implementation (the snapshot's device_reason says "report() in BTF:
 * NAME"), shown as not confirmed.
 */
static void device(struct reader *rd, json_object *s)
{
	struct record *r = rd->r;
	const char *d = json_object_get_string(get(s, "device"));
	const char *why = json_object_get_string(get(s, "device_reason"));
	const char *pub = json_object_get_string(get(s, "publication"));
	const char *btf = why ? strstr(why, "report() in BTF: ") : NULL;

	if (pub)
		str_copy(r->publication, sizeof(r->publication), pub);
	if (d) {
		str_copy(r->device, sizeof(r->device), d);
		r->device_from_btf = false;
		rd->device_seen = true;
	} else if (!rd->device_seen && btf) {
		btf += strlen("report() in BTF: ");
		str_printf(r->device, sizeof(r->device), "%.*s", (int)strcspn(btf, " ;,()"), btf);
		r->device_from_btf = r->device[0] != '\0';
	}
}

/* an interval from the previous sample to this one (counters are cumulative) */
static int sample(struct reader *rd, json_object *o)
{
	json_object *s = get(o, "snapshot");
	double t = json_object_get_double(get(o, "t"));
	struct record *r = rd->r;
	struct rec_interval *iv;
	struct rep_at rep;

	if (!s)
		return 0;
	json_object_get(s);
	rep = reported_at(s);
	if (!rd->first) {
		rd->first = json_object_get(s);
		rd->rep_first = rep;
	}
	device(rd, s);
	if (rd->prev && t > rd->prev_t) {
		if (grow(r, &rd->cap))
			return -ENOMEM;
		iv = &r->iv[r->nint++];
		memset(iv, 0, sizeof(*iv));
		iv->t = t;
		iv->dt = t - rd->prev_t;
		iv->rep_bs = per_s(rep_diff(&rep, &rd->rep_prev), iv->dt);
		iv->batches_s = per_s(diff(fig(s, M_BATCHES), fig(rd->prev, M_BATCHES)), iv->dt);
		iv->runs_s =
		    per_s(diff(fig(s, M_WORKER_RUNS), fig(rd->prev, M_WORKER_RUNS)), iv->dt);
		iv->reused_bs =
		    per_s(diff(fig(s, M_REUSED_BYTES), fig(rd->prev, M_REUSED_BYTES)), iv->dt);
	}
	if (rd->prev)
		json_object_put(rd->prev);
	rd->prev = s;
	rd->rep_prev = rep;
	rd->prev_t = t;
	if (rd->last)
		json_object_put(rd->last);
	rd->last = json_object_get(s);
	return 0;
}

static void workload(struct reader *rd, json_object *o)
{
	if (rd->nw >= (int)(sizeof(rd->wis_t) / sizeof(rd->wis_t[0])))
		return;
	rd->wis_t[rd->nw] = json_object_get_double(get(o, "t"));
	rd->wis_total[rd->nw] = json_object_get_double(get(o, "total"));
	rd->wis_measured[rd->nw] = json_object_get_boolean(get(o, "measured"));
	rd->nw++;
}

static void end(struct record *r, json_object *o)
{
	json_object *sig = get(o, "signal");

	r->ended = true;
	r->exit_status = json_object_get_int(get(o, "exit_status"));
	r->signal = sig ? json_object_get_int(sig) : 0;
	r->wall_s = json_object_get_double(get(o, "wall_s"));
	r->after_s = json_object_get_double(get(o, "after_s")); /* 0 in older files */
	r->end_t = json_object_get_double(get(o, "t"));
}

/* the workload's throughput per interval: the mean of its seconds in it */
static void throughput(struct reader *rd)
{
	struct record *r = rd->r;
	double sum = 0, lo;
	int i, j, n, m = 0;

	r->nwis = rd->nw;
	for (j = 0; j < rd->nw; j++)
		if (rd->wis_measured[j]) {
			sum += rd->wis_total[j];
			m++;
		}
	r->have_ops = m > 0;
	r->ops_mean = m ? sum / m : 0;
	for (i = 0; i < r->nint; i++) {
		lo = r->iv[i].t - r->iv[i].dt;
		for (j = 0, n = 0, sum = 0; j < rd->nw; j++)
			if (rd->wis_t[j] > lo && rd->wis_t[j] <= r->iv[i].t) {
				sum += rd->wis_total[j];
				n++;
			}
		if (n)
			r->iv[i].ops_s = (struct opt_num){true, sum / n};
	}
}

/* the kernel's own reported_kib over the recording */
static struct opt_num kernel_kib(json_object *first, json_object *last)
{
	return diff(fig_at(last, M_KERNEL_REPORTED, "total"),
		    fig_at(first, M_KERNEL_REPORTED, "total"));
}

static void totals(struct reader *rd)
{
	struct rec_totals *t = &rd->r->tot;
	json_object *s = rd->last;

	if (!s)
		return;
	/* since attach: the last sample's count; a counter from boot: its increase */
	if (rd->rep_prev.since_attach)
		t->reported_bytes = rd->rep_prev.bytes;
	else
		t->reported_bytes = rep_diff(&rd->rep_prev, &rd->rep_first);
	if (t->reported_bytes.known)
		str_copy(rd->r->reported_source, sizeof(rd->r->reported_source), rd->rep_prev.src);
	t->batches = fig(s, M_BATCHES);
	t->worker_runs = fig(s, M_WORKER_RUNS);
	t->reused_bytes = fig(s, M_REUSED_BYTES);
	t->reused_blocks = fig(s, M_REUSED_RANGES);
	t->worker_ns = fig_at(s, M_WORKER_RUN_DURATION, "sum");
	if (!t->worker_ns.known && fig_at(s, M_WORKER_RUN_DURATION, "count").known)
		t->worker_ns = (struct opt_num){true, 0}; /* no run: no time */
	t->report_ns = fig_at(s, M_REPORT_DURATION, "sum");
	if (!t->report_ns.known && fig_at(s, M_REPORT_DURATION, "count").known)
		t->report_ns = (struct opt_num){true, 0};
	t->reuse_age_p50_ns = fig_at(s, M_REUSE_AGE, "p50");
	t->cycles = fig(s, M_CYCLES);
	t->budget_exhausted = fig(s, M_BUDGET_EXHAUSTED);
	t->resets = fig_at(s, M_BOUNDARY_RESETS, "report");
	if (t->resets.known) {
		struct opt_num st = fig_at(s, M_BOUNDARY_RESETS, "stop");

		t->resets.v += st.known ? st.v : 0;
	}
	t->kernel_reported_kib = kernel_kib(rd->first, s);
}

static int line(struct reader *rd, const char *text, int lineno, char *err, size_t errlen)
{
	json_object *o = json_tokener_parse(text);
	const char *type = o ? json_object_get_string(get(o, "type")) : NULL;
	int ret = 0;

	if (!o || !type) {
		if (lineno == 1)
			snprintf(err, errlen, "not a prtop record file (line 1 is not a %s header)",
				 RECORD_FORMAT);
		else
			snprintf(err, errlen, "line %d is not a record line (JSON with a \"type\")",
				 lineno);
		json_object_put(o);
		return -EINVAL;
	}
	if (lineno == 1 &&
	    (strcmp(type, "header") ||
	     strcmp(json_object_get_string(get(o, "format")) ?: "", RECORD_FORMAT))) {
		snprintf(err, errlen, "not a prtop record file (no %s header)", RECORD_FORMAT);
		ret = -EINVAL;
	} else if (!strcmp(type, "header")) {
		header(rd, o);
		if (rd->r->version < 1 || rd->r->version > RECORD_VERSION) {
			snprintf(err, errlen,
				 "record format version %d; this prtop reads up to version %d",
				 rd->r->version, RECORD_VERSION);
			ret = -EPROTO;
		}
	} else if (!strcmp(type, "sample")) {
		ret = sample(rd, o);
	} else if (!strcmp(type, "workload")) {
		workload(rd, o);
	} else if (!strcmp(type, "workload_average")) {
		rd->r->have_average = true;
		rd->r->average = (uint64_t)json_object_get_int64(get(o, "average"));
	} else if (!strcmp(type, "workload_testcase")) {
		rd->r->thp = strstr(json_object_get_string(get(o, "text")) ?: "", "THP") != NULL;
	} else if (!strcmp(type, "end")) {
		end(rd->r, o);
	}
	json_object_put(o);
	return ret;
}

int record_read(const char *path, struct record *r, char *err, size_t errlen)
{
	struct reader *rd = calloc(1, sizeof(*rd));
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0, ret = 0;
	struct stat st;
	FILE *f;

	memset(r, 0, sizeof(*r));
	if (!rd) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rd->r = r;
	f = fopen(path, "r");
	if (!f) {
		ret = -errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		ret = -EISDIR;
		snprintf(err, errlen, "%s is a directory, not a record file", path);
		goto out;
	}
	while (!ret && (n = getline(&buf, &cap, f)) > 0) {
		lineno++;
		if (n == 1 && buf[0] == '\n')
			continue;
		ret = line(rd, buf, lineno, err, errlen);
	}
	if (!ret && !lineno) {
		snprintf(err, errlen, "%s is empty", path);
		ret = -EINVAL;
	}
	fclose(f);
	if (!ret) {
		throughput(rd);
		totals(rd);
	}
out:
	free(buf);
	json_object_put(rd->first);
	json_object_put(rd->prev);
	json_object_put(rd->last);
	free(rd);
	if (ret)
		record_free(r);
	return ret;
}

void record_free(struct record *r)
{
	free(r->iv);
	r->iv = NULL;
	r->nint = 0;
}

/* ---- attribution ---- */

void record_costs(const struct record *r, struct rec_cost out[REC_COSTS])
{
	const struct rec_totals *t = &r->tot;
	struct opt_num price = r->thp ? r->price_2m : r->price_4k;
	double unit = r->thp ? 2.0 * 1024 * 1024 : 4096.0;

	out[0] = (struct rec_cost){"worker runs (page_reporting_process)",
				   {t->worker_ns.known, t->worker_ns.v / 1e9},
				   "the worker probe is not attached"};
	out[1] = (struct rec_cost){"pages inside report() (device round trip)",
				   {t->report_ns.known, t->report_ns.v / 1e9},
				   "report() is not observed on this kernel"};
	out[2] = (struct rec_cost){"refaults of reported memory handed out again",
				   {0},
				   "reuse of reported memory is not tracked"};
	if (t->reused_bytes.known && price.known)
		out[2].seconds = (struct opt_num){true, t->reused_bytes.v / unit * price.v / 1e9};
	else if (t->reused_bytes.known)
		out[2].why = "no refault price (record --price FILE from prtop bench --refault "
			     "--json)";
	/* budget_exhausted is known only in files recorded on the v2 series (never upstream) */
	out[3] = (struct rec_cost){
	    "free list walks (cycles)", {0}, "the walks are not timed on any kernel"};
	if (t->budget_exhausted.known)
		out[3].why = "counted, not timed: see the walk figures";
}

/* ---- the report ---- */

static const char *num_or(char *buf, size_t len, struct opt_num n, const char *fmt, double scale)
{
	if (!n.known)
		return "n/a";
	snprintf(buf, len, fmt, n.v * scale);
	return buf;
}

static void print_head(FILE *out, const struct record *r, const char *path)
{
	char ops[64] = "no will-it-scale lines: wall time and exit status only";

	fprintf(out, "prtop report: %s\n", path);
	fprintf(out, "kernel:  %s (%s v%d)\n", r->kernel, RECORD_FORMAT, r->version);
	if (!r->device[0])
		fprintf(out, "device:  unknown (no sample named it)\n");
	else if (r->device_from_btf)
		fprintf(out, "device:  %s (from BTF; no worker run confirmed it)\n", r->device);
	else
		fprintf(out, "device:  %s\n", r->device);
	if (r->publication[0])
		fprintf(out, "publication: %s\n", r->publication);
	if (r->have_ops)
		snprintf(ops, sizeof(ops), "%.0f ops/s over the measured seconds%s", r->ops_mean,
			 r->thp ? ", THP" : "");
	fprintf(out, "command: %s\n", r->command);
	if (!r->ended)
		fprintf(out, "end:     recording cut short: no end line\n");
	else if (r->signal)
		fprintf(out, "end:     killed by signal %d after %.1f s\n", r->signal, r->wall_s);
	else
		fprintf(out, "end:     exit %d after %.1f s\n", r->exit_status, r->wall_s);
	fprintf(out, "workload: %s\n", ops);
	if (r->ended && r->after_s > 0)
		fprintf(out, "after:   sampled %.1f s more once it exited (--after %g)\n",
			r->end_t - r->wall_s, r->after_s);
}

static void print_timeline(FILE *out, const struct record *r)
{
	char a[32], b[32], c[32], d[32], e[32];
	int i;

	/* 73 columns */
	fprintf(out, "\ntimeline %7s %10s %14s %9s %7s %12s\n", "t s", "ops/s", "reported MiB/s",
		"batches/s", "runs/s", "reused MiB/s");
	for (i = 0; i < r->nint; i++) {
		const struct rec_interval *v = &r->iv[i];

		fprintf(out, "timeline %7.1f %10s %14s %9s %7s %12s\n", v->t,
			num_or(a, sizeof(a), v->ops_s, "%.0f", 1),
			num_or(b, sizeof(b), v->rep_bs, "%.1f", 1.0 / 1048576),
			num_or(c, sizeof(c), v->batches_s, "%.2f", 1),
			num_or(d, sizeof(d), v->runs_s, "%.2f", 1),
			num_or(e, sizeof(e), v->reused_bs, "%.1f", 1.0 / 1048576));
	}
}

static void print_totals(FILE *out, const struct record *r)
{
	const struct rec_totals *t = &r->tot;
	char a[32], b[32], c[32], d[32], e[32], f[32], g[32];

	/* one figure group a line: each fits 80 columns */
	fprintf(out, "\ntotals:  reported %s MiB (%s)\n",
		num_or(a, sizeof(a), t->reported_bytes, "%.1f", 1.0 / 1048576),
		record_source_words(r->reported_source));
	fprintf(out, "         worker runs %s, batches %s\n",
		num_or(c, sizeof(c), t->worker_runs, "%.0f", 1),
		num_or(b, sizeof(b), t->batches, "%.0f", 1));
	fprintf(out, "         reused %s MiB in %s blocks (age p50 %s s)\n",
		num_or(d, sizeof(d), t->reused_bytes, "%.1f", 1.0 / 1048576),
		num_or(e, sizeof(e), t->reused_blocks, "%.0f", 1),
		num_or(f, sizeof(f), t->reuse_age_p50_ns, "%.2f", 1e-9));
	if (t->kernel_reported_kib.known)
		fprintf(out, "         the kernel's reported_kib: +%s KiB\n",
			num_or(g, sizeof(g), t->kernel_reported_kib, "%.0f", 1));
	if (t->budget_exhausted.known)
		fprintf(out, "walks: cycles %s, budget exhausted %s, boundary resets %s\n",
			num_or(a, sizeof(a), t->cycles, "%.0f", 1),
			num_or(b, sizeof(b), t->budget_exhausted, "%.0f", 1),
			num_or(c, sizeof(c), t->resets, "%.0f", 1));
}

static void print_costs(FILE *out, const struct record *r)
{
	struct rec_cost c[REC_COSTS];
	char price[96] = "";
	int i;

	record_costs(r, c);
	if ((r->thp ? r->price_2m : r->price_4k).known)
		snprintf(price, sizeof(price), " (refault price %.0f ns per %s)",
			 (r->thp ? r->price_2m : r->price_4k).v, r->thp ? "2 MiB" : "4 KiB");
	fprintf(out, "\nattribution over the %.1f s run%s\n", r->wall_s, price);
	for (i = 0; i < REC_COSTS; i++) {
		if (!c[i].seconds.known) { /* the reason on its own line: 80 columns */
			fprintf(out, "  %-46s %10s\n    (%s)\n", c[i].what, "n/a", c[i].why);
			continue;
		}
		fprintf(out, "  %-46s %8.3f s  %6.2f %% of the run\n", c[i].what, c[i].seconds.v,
			r->wall_s > 0 ? 100 * c[i].seconds.v / r->wall_s : 0);
	}
}

void record_print(FILE *out, const struct record *r, const char *path)
{
	print_head(out, r, path);
	print_timeline(out, r);
	print_totals(out, r);
	print_costs(out, r);
}

static json_object *jnum(struct opt_num n)
{
	return n.known ? json_object_new_double(n.v) : NULL;
}

static json_object *totals_json(const struct rec_totals *t, const char *src)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "reported_bytes", jnum(t->reported_bytes));
	json_object_object_add(o, "reported_source", src[0] ? json_object_new_string(src) : NULL);
	json_object_object_add(o, "batches", jnum(t->batches));
	json_object_object_add(o, "worker_runs", jnum(t->worker_runs));
	json_object_object_add(o, "reused_bytes", jnum(t->reused_bytes));
	json_object_object_add(o, "reused_blocks", jnum(t->reused_blocks));
	json_object_object_add(o, "reuse_age_p50_ns", jnum(t->reuse_age_p50_ns));
	json_object_object_add(o, "worker_ns", jnum(t->worker_ns));
	json_object_object_add(o, "report_ns", jnum(t->report_ns));
	json_object_object_add(o, "cycles", jnum(t->cycles));
	json_object_object_add(o, "budget_exhausted", jnum(t->budget_exhausted));
	json_object_object_add(o, "boundary_resets", jnum(t->resets));
	json_object_object_add(o, "kernel_reported_kib", jnum(t->kernel_reported_kib));
	return o;
}

static json_object *timeline_json(const struct record *r)
{
	json_object *a = json_object_new_array();
	int i;

	for (i = 0; i < r->nint; i++) {
		const struct rec_interval *v = &r->iv[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "t", json_object_new_double(v->t));
		json_object_object_add(e, "ops_per_s", jnum(v->ops_s));
		json_object_object_add(e, "reported_bytes_per_s", jnum(v->rep_bs));
		json_object_object_add(e, "batches_per_s", jnum(v->batches_s));
		json_object_object_add(e, "worker_runs_per_s", jnum(v->runs_s));
		json_object_object_add(e, "reused_bytes_per_s", jnum(v->reused_bs));
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *costs_json(const struct record *r)
{
	json_object *a = json_object_new_array();
	struct rec_cost c[REC_COSTS];
	int i;

	record_costs(r, c);
	for (i = 0; i < REC_COSTS; i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "what", json_object_new_string(c[i].what));
		json_object_object_add(e, "seconds", jnum(c[i].seconds));
		json_object_object_add(
		    e, "share_pct",
		    c[i].seconds.known && r->wall_s > 0
			? json_object_new_double(100 * c[i].seconds.v / r->wall_s)
			: NULL);
		json_object_object_add(
		    e, "why", c[i].seconds.known ? NULL : json_object_new_string(c[i].why));
		json_object_array_add(a, e);
	}
	return a;
}

void record_print_json(FILE *out, const struct record *r, const char *path)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "file", json_object_new_string(path));
	json_object_object_add(d, "format_version", json_object_new_int(r->version));
	json_object_object_add(d, "kernel", json_object_new_string(r->kernel));
	json_object_object_add(d, "device",
			       r->device[0] ? json_object_new_string(r->device) : NULL);
	json_object_object_add(d, "device_source",
			       !r->device[0]	    ? NULL
			       : r->device_from_btf ? json_object_new_string("btf")
						    : json_object_new_string("sample"));
	json_object_object_add(d, "publication",
			       r->publication[0] ? json_object_new_string(r->publication) : NULL);
	json_object_object_add(d, "command", json_object_new_string(r->command));
	json_object_object_add(d, "exit_status",
			       r->ended ? json_object_new_int(r->exit_status) : NULL);
	json_object_object_add(d, "signal", r->signal ? json_object_new_int(r->signal) : NULL);
	json_object_object_add(d, "wall_s", r->ended ? json_object_new_double(r->wall_s) : NULL);
	json_object_object_add(d, "after_s", r->ended ? json_object_new_double(r->after_s) : NULL);
	json_object_object_add(d, "ops_per_s_mean",
			       r->have_ops ? json_object_new_double(r->ops_mean) : NULL);
	json_object_object_add(d, "workload_average",
			       r->have_average ? json_object_new_int64((int64_t)r->average) : NULL);
	json_object_object_add(d, "workload_seconds", json_object_new_int(r->nwis));
	json_object_object_add(d, "thp", json_object_new_boolean(r->thp));
	json_object_object_add(d, "totals", totals_json(&r->tot, r->reported_source));
	json_object_object_add(d, "timeline", timeline_json(r));
	json_object_object_add(d, "attribution", costs_json(r));
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(d);
}
