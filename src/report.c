// SPDX-License-Identifier: GPL-2.0
/* One-shot reports of a snapshot: `prtop stat --json` and `prtop doctor`. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "backlog.h"
#include "diagnose.h"
#include "format.h"
#include "knob.h"
#include "metric_table.h"

#include "ui.h"

static json_object *u64(uint64_t v)
{
	return json_object_new_int64((int64_t)v);
}

/* a counter that has a source, or null */
static json_object *known(bool have, uint64_t v)
{
	return have ? u64(v) : NULL;
}

/* a figure under its row's key (the last part of a dotted one) */
static void add(json_object *o, enum metric_id id, json_object *v)
{
	json_object_object_add(o, metric_json_leaf(id), v);
}

/* a figure under its row's key, null where its row's group is unavailable */
static void add_known(json_object *o, const struct prtop_snapshot *s, enum metric_id id, uint64_t v)
{
	add(o, id, known(metric_known(s, id), v));
}

/*
 * count, sum, min and max are exact; p50/p90/p99 are bucket estimates kept
 * within [min, max].  Without a source every figure is null; with no
 * samples yet the statistics are null and count is 0.
 */
static json_object *hist_json(const struct snap_hist *h, bool attached)
{
	json_object *o = json_object_new_object();
	uint64_t n = hist_count(h);
	bool have = attached && n;

	json_object_object_add(o, "count", known(attached, n));
	json_object_object_add(o, "sum", known(have && h->count, h->sum));
	json_object_object_add(o, "min", known(have, hist_percentile(h, 0)));
	json_object_object_add(o, "p50", known(have, hist_percentile(h, 50)));
	json_object_object_add(o, "p90", known(have, hist_percentile(h, 90)));
	json_object_object_add(o, "p99", known(have, hist_percentile(h, 99)));
	json_object_object_add(o, "max", known(have, hist_percentile(h, 100)));
	json_object_object_add(o, "available", json_object_new_boolean(attached));
	return o;
}

static json_object *attach_json(const struct prtop_snapshot *s, bool detail)
{
	json_object *o = json_object_new_object();
	int i;

	for (i = 0; i < PROBE__COUNT; i++) {
		const struct probe_status *p = &s->probe[i];
		json_object *v;

		if (!detail) {
			char buf[300];

			if (p->attached)
				snprintf(buf, sizeof(buf), "%s", attach_mode_name(p->mode));
			else
				snprintf(buf, sizeof(buf), "unavailable: %s", p->reason);
			json_object_object_add(o, probe_name(i), json_object_new_string(buf));
			continue;
		}
		v = json_object_new_object();
		json_object_object_add(v, "attached", json_object_new_boolean(p->attached));
		/* its module went away: detached, its counts still exact */
		json_object_object_add(v, "lost", json_object_new_boolean(p->lost));
		json_object_object_add(v, "mode",
				       json_object_new_string(attach_mode_name(p->mode)));
		json_object_object_add(v, "detail", json_object_new_string(p->detail));
		json_object_object_add(v, "reason", json_object_new_string(p->reason));
		json_object_object_add(v, "hint", json_object_new_string(p->hint));
		json_object_object_add(o, probe_name(i), v);
	}
	return o;
}

static json_object *per_order_json(const struct prtop_snapshot *s)
{
	bool fl = metric_known(s, M_ORDER_FREE), rep = metric_known(s, M_ORDER_REPORTED);
	json_object *a = json_object_new_array();
	uint64_t page = s->page_size;
	int i;

	for (i = 0; i < s->order_high; i++) {
		const struct snap_order *o = &s->order[i];
		json_object *e;

		e = json_object_new_object();
		json_object_object_add(e, "order", json_object_new_int(i));
		json_object_object_add(e, "free_blocks", known(fl, o->free_blocks));
		add(e, M_ORDER_FREE, known(fl, o->free_pages * page));
		json_object_object_add(e, "reported_pages", known(rep, o->reported_pages));
		add(e, M_ORDER_REPORTED, known(rep, o->reported_pages * page));
		add_known(e, s, M_ORDER_REUSED, o->reused_pages * page);
		add_known(e, s, M_ORDER_CYCLES, o->cycles);
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *knob_json(const struct snap_knob *k)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "value", k->known ? json_object_new_int64(k->value) : NULL);
	json_object_object_add(o, "unspecified", json_object_new_boolean(k->unspecified));
	json_object_object_add(o, "unit", json_object_new_string(k->unit ? k->unit : ""));
	json_object_object_add(o, "source", json_object_new_string(k->source ? k->source : ""));
	return o;
}

static json_object *reuse_json(const struct prtop_snapshot *s)
{
	bool have = metric_known(s, M_REUSED_RANGES), ranges = metric_known(s, M_REUSE_TRACKED);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "bytes", known(have, s->reuse_bytes));
	add(o, M_REUSED_RANGES, known(have, s->reuse_ranges));
	json_object_object_add(o, "unreported_ranges", known(ranges, s->reuse_unreported_ranges));
	add(o, M_REUSE_TRACKED, known(ranges, s->reuse_tracked));
	json_object_object_add(o, "forgotten_ranges", known(ranges, s->reuse_forgotten));
	add(o, M_REUSE_AGE, hist_json(&s->reuse_age, metric_known(s, M_REUSE_AGE)));
	return o;
}

/*
 * Memory returned since attach from its best source, named; its rate over
 * the window from prev (null without one)
 */
static void add_returned(json_object *d, const struct prtop_snapshot *s,
			 const struct prtop_snapshot *prev)
{
	const char *src = returned_source_name(s->returned.source);
	json_object *rate = NULL;
	struct snap_rates r;

	add(d, M_REPORTED_BYTES, known(src, s->returned.bytes));
	json_object_object_add(d, METRIC_REPORTED_SOURCE_KEY,
			       src ? json_object_new_string(src) : NULL);
	snap_rates(prev, s, &r);
	if (prev && r.interval_s > 0 && r.returned_known)
		rate = fmt_json_fixed(r.returned_bytes_per_s, 1);
	add(d, M_REPORTED_RATE, rate);
}

/* a wait statistic in seconds, null with no sample */
static json_object *wait_s(const struct snap_backlog_wait *w, double v)
{
	return w->bytes && v >= 0 ? fmt_json_fixed(v, 3) : NULL;
}

/*
 * How long free memory waited to be reported (backlog.h), weighted by
 * bytes and labelled an estimate within resolution_s.  Unknown (no scan
 * tracked it) is null; no sample yet is count 0 and null statistics.  The
 * buckets are flat arrays: the guest test takes the backlog object with
 * one level of nesting.
 */
static json_object *wait_json(const struct snap_backlog_wait *w)
{
	json_object *o, *le, *bk;
	uint64_t bytes[WAIT_BUCKETS + 1];
	int i;

	if (!w->known)
		return NULL;
	o = json_object_new_object();
	le = json_object_new_array();
	bk = json_object_new_array();
	wait_buckets(w, bytes);
	for (i = 0; i <= WAIT_BUCKETS; i++) {
		if (i < WAIT_BUCKETS)
			json_object_array_add(le, fmt_json_fixed(wait_le(i), 2));
		json_object_array_add(bk, u64(bytes[i]));
	}
	json_object_object_add(o, "estimate", json_object_new_boolean(true));
	json_object_object_add(o, "weight", json_object_new_string("bytes"));
	json_object_object_add(o, "count", u64(w->count));
	json_object_object_add(o, "bytes", u64(w->bytes));
	json_object_object_add(o, "byte_seconds", fmt_json_fixed(w->byte_s, 1));
	json_object_object_add(o, "mean_s", wait_s(w, w->bytes ? w->byte_s / w->bytes : -1));
	json_object_object_add(o, "p50_s", wait_s(w, wait_percentile(w, 50)));
	json_object_object_add(o, "p90_s", wait_s(w, wait_percentile(w, 90)));
	json_object_object_add(o, "p99_s", wait_s(w, wait_percentile(w, 99)));
	json_object_object_add(o, "max_s", wait_s(w, w->max_s));
	json_object_object_add(o, "resolution_s",
			       w->resolution_s > 0 ? fmt_json_fixed(w->resolution_s, 3) : NULL);
	json_object_object_add(o, "unseen_bytes", u64(w->unseen_bytes));
	/* bucket i: bytes that waited at most le_s[i] and more than le_s[i - 1]; the last above */
	json_object_object_add(o, "le_s", le);
	json_object_object_add(o, "buckets", bk);
	return o;
}

/*
 * The backlog (backlog.h), labelled an estimate: its two reads are apart in
 * time, and the time to return assumes the drain keeps its pace
 */
static json_object *backlog_json(const struct prtop_snapshot *s)
{
	const struct snap_backlog *b = &s->backlog;
	json_object *o = json_object_new_object();

	add(o, M_BACKLOG_BYTES, known(b->known, b->bytes));
	json_object_object_add(o, "reportable_bytes", known(b->known, b->reportable_bytes));
	add(o, M_FREE_REPORTED_BYTES, known(b->known, b->reported_free_bytes));
	json_object_object_add(o, "estimate", json_object_new_boolean(true));
	json_object_object_add(o, "method", json_object_new_string("buddyinfo-kpageflags"));
	add(o, M_BACKLOG_SCAN, b->known ? fmt_json_fixed(b->scan_ns / 1e6, 1) : NULL);
	json_object_object_add(o, "age_s",
			       b->known ? fmt_json_fixed((s->mono_ns - b->at_ns) / 1e9, 3) : NULL);
	if (!b->known)
		json_object_object_add(o, "why", json_object_new_string(b->why));
	add(o, M_BACKLOG_DRAIN, b->drain_known ? fmt_json_fixed(b->drain_bytes_per_s, 1) : NULL);
	json_object_object_add(o, "drain_window_s",
			       b->drain_known ? fmt_json_fixed(b->drain_window_s, 3) : NULL);
	add(o, M_BACKLOG_ETA, b->eta_known ? fmt_json_fixed(b->eta_s, 1) : NULL);
	add(o, M_BACKLOG_WAIT, wait_json(&b->wait));
	return o;
}

/* every plain counter of the table (METRIC_CTR) under its top-level key */
static void add_plain_counters(json_object *d, const struct prtop_snapshot *s)
{
	uint64_t v;
	int id;

	for (id = 0; id < M__COUNT; id++)
		if (metric(id)->json && !strchr(metric(id)->json, '.') && metric_counter(s, id, &v))
			add_known(d, s, id, v);
}

static void add_counters(json_object *d, const struct prtop_snapshot *s)
{
	json_object *st = NULL;

	add_plain_counters(d, s);
	add_known(d, s, M_NOTIFY, s->c.notify_calls);
	if (metric_known(s, M_NOTIFY)) {
		st = json_object_new_object();
		json_object_object_add(st, "idle", u64(s->c.notify_state[PRTOP_STATE_IDLE]));
		json_object_object_add(st, "requested",
				       u64(s->c.notify_state[PRTOP_STATE_REQUESTED]));
		json_object_object_add(st, "active", u64(s->c.notify_state[PRTOP_STATE_ACTIVE]));
	}
	json_object_object_add(d, "notify_state_seen", st);
}

static void add_patch_counters(json_object *d, const struct prtop_snapshot *s)
{
	json_object *r = NULL, *lr = NULL;

	if (metric_known(s, M_BOUNDARY_RESETS)) {
		r = json_object_new_object();
		json_object_object_add(r, "report", u64(s->c.reset_report));
		json_object_object_add(r, "stop", u64(s->c.reset_stop));
		add(r, M_BOUNDARY_ROTATIONS, u64(s->c.reset_rotated));
	}
	add(d, M_BOUNDARY_RESETS, r);
	if (snap_has(s, SG_RUN_DETAIL) && s->last_run.seen) {
		lr = json_object_new_object();
		json_object_object_add(lr, "capacity", u64(s->last_run.capacity));
		json_object_object_add(lr, "order", u64(s->last_run.order));
		json_object_object_add(lr, "delay_ms",
				       s->last_run.delay_ms == PRTOP_DELAY_UNKNOWN
					       ? NULL
					       : u64(s->last_run.delay_ms));
	}
	json_object_object_add(d, "last_run", lr);
}

static void add_hists(json_object *d, const struct prtop_snapshot *s)
{
	json_object *nh = metric_known(s, M_BATCH_ENTRIES) ? json_object_new_object() : NULL;
	int i;

	for (i = 0; nh && i < PRTOP_NENTS_SLOTS; i++) {
		char k[16];

		if (!s->nents_hist[i])
			continue;
		snprintf(k, sizeof(k), "%d", i);
		json_object_object_add(nh, k, u64(s->nents_hist[i]));
	}
	add(d, M_BATCH_ENTRIES, nh);
	add(d, M_WORKER_RUN_DURATION,
	    hist_json(&s->hist[PRTOP_H_WORKER_RUN], metric_known(s, M_WORKER_RUN_DURATION)));
	add(d, M_REQUEST_DELAY,
	    hist_json(&s->hist[PRTOP_H_REQ_DELAY], metric_known(s, M_REQUEST_DELAY)));
	add(d, M_REPORT_DURATION,
	    hist_json(&s->hist[PRTOP_H_REPORT], metric_known(s, M_REPORT_DURATION)));
}

static void put_json(FILE *out, json_object *d, unsigned int flags)
{
	int f = JSON_C_TO_STRING_NOSLASHESCAPE;

	f |= flags & JSON_COMPACT ? JSON_C_TO_STRING_PLAIN : JSON_C_TO_STRING_PRETTY;
	fprintf(out, "%s\n", json_object_to_json_string_ext(d, f));
	json_object_put(d);
}

/* numeric parameters are numbers; Y/N and the rest stay strings */
static json_object *param_value(const char *v)
{
	int64_t n;

	if (!knob_parse_int(v, &n))
		return json_object_new_int64(n);
	return json_object_new_string(v);
}

static json_object *params_json(const struct prtop_snapshot *s)
{
	json_object *o = json_object_new_object();
	int i;

	for (i = 0; i < s->nparams; i++)
		json_object_object_add(o, s->params[i].name, param_value(s->params[i].value));
	return o;
}

static json_object *phases_json(const struct prtop_snapshot *s)
{
	json_object *o = json_object_new_object();
	int i;

	for (i = 0; i < STARTUP__COUNT; i++)
		json_object_object_add(o, startup_phase_name(i),
				       fmt_json_fixed(s->startup_phase_ns[i] / 1e6, 1));
	return o;
}

static bool phase_cached(const struct prtop_snapshot *s, int phase)
{
	return (phase == STARTUP_KALLSYMS && s->startup_ksyms_cached) ||
	       (phase == STARTUP_BTF && s->startup_btf_cached);
}

/* where the symbols came from: "cache" (see ksyms_cache.h) or the kernel's file */
static json_object *ksyms_source_json(const struct prtop_snapshot *s)
{
	return json_object_new_string(s->startup_ksyms_cached ? "cache" : "/proc/kallsyms");
}

/*
 * the kernel types libbpf relocated against: the few it needs, from the
 * cache or from prtop's parse ("/sys/kernel/btf"), or its own parse of the
 * whole ("libbpf": PRTOP_CORE_BTF=off, or they could not be had)
 */
static json_object *core_source_json(const struct prtop_snapshot *s)
{
	return json_object_new_string(s->startup_core_src == CORE_SRC_CACHE   ? "cache"
				      : s->startup_core_src == CORE_SRC_PARSE ? "/sys/kernel/btf"
									      : "libbpf");
}

/* where what the BTF says came from: "cache" or prtop's parse of the kernel's */
static json_object *btf_source_json(const struct prtop_snapshot *s)
{
	return json_object_new_string(s->startup_btf_cached ? "cache" : "/sys/kernel/btf");
}

static json_object *time_json(uint64_t wall_ns)
{
	char buf[64], frac[16];
	time_t t = (time_t)(wall_ns / 1000000000ULL);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, sizeof(buf) - 16, "%Y-%m-%dT%H:%M:%S", &tm))
		return NULL;
	snprintf(frac, sizeof(frac), ".%03uZ", (unsigned int)(wall_ns / 1000000ULL % 1000));
	strcat(buf, frac);
	return json_object_new_string(buf);
}

/* {"passes": {"total": 873, "per_s": 0.4}, ...}: per_s null without a rate */
static json_object *counters_json(const struct prtop_snapshot *s, const struct prtop_snapshot *prev)
{
	json_object *o = json_object_new_object();
	double r;
	int i;

	for (i = 0; i < s->nparams; i++) {
		json_object *c;

		if (!s->params[i].counter)
			continue;
		c = json_object_new_object();
		json_object_object_add(c, "total", u64(s->params[i].count));
		json_object_object_add(
		    c, "per_s", snap_counter_rate(prev, s, i, &r) ? fmt_json_fixed(r, 3) : NULL);
		/* a counter whose name states its unit, in bytes too */
		if (s->params[i].unit_bytes) {
			json_object_object_add(
			    c, "bytes_total", u64(s->params[i].count * s->params[i].unit_bytes));
			json_object_object_add(c, "bytes_per_s",
					       snap_counter_rate(prev, s, i, &r)
						   ? fmt_json_fixed(r * s->params[i].unit_bytes, 1)
						   : NULL);
		}
		json_object_object_add(o, s->params[i].name, c);
	}
	return o;
}

static const char *const offer_names[] = {
    [HINT_UNKNOWN] = "unknown",
    [HINT_NO_DEVICE] = "no_device",
    [HINT_NOT_OFFERED] = "not_offered",
    [HINT_OFFERED] = "offered",
};

/*
 * Where the device does not offer hinting there is none: zero runs, known.
 * Where it does but prtop cannot see it, every figure is null.
 */
static json_object *hint_json(const struct prtop_snapshot *s)
{
	const struct snap_hint *h = &s->hint;
	const struct probe_status *p = &s->probe[PROBE_HINTING];
	bool none = h->offer == HINT_NO_DEVICE || h->offer == HINT_NOT_OFFERED;
	bool have = none || snap_has(s, SG_HINT), bytes = none || (have && h->block_bytes);
	bool shrink = none || snap_has(s, SG_HINT_SHRINK);
	json_object *o = json_object_new_object();
	unsigned int i = (unsigned int)h->offer;

	json_object_object_add(o, "offered",
			       json_object_new_string(i < 4 ? offer_names[i] : "unknown"));
	json_object_object_add(o, "device", h->dev[0] ? json_object_new_string(h->dev) : NULL);
	json_object_object_add(o, "reason", p->attached ? NULL : json_object_new_string(p->reason));
	add(o, M_HINT_RUNS, known(have, s->c.hint_runs));
	json_object_object_add(o, "work_runs_total", known(have, s->c.hint_work_runs));
	add(o, M_HINT_HINTED_BYTES, known(bytes, s->c.hint_blocks * h->block_bytes));
	json_object_object_add(o, "done_total", known(have, s->c.hint_done_runs));
	add(o, M_HINT_RETURNED_BYTES, known(bytes, s->c.hint_returned_blocks * h->block_bytes));
	add(o, M_HINT_SHRINKER_BYTES, known(shrink, s->c.hint_shrunk_pages * s->page_size));
	json_object_object_add(o, "block_bytes", h->block_bytes ? u64(h->block_bytes) : NULL);
	json_object_object_add(o, "last_cmd_id", h->last_cmd_id ? u64(h->last_cmd_id) : NULL);
	add(o, M_HINT_RUN_DURATION, hist_json(&s->hist[PRTOP_H_HINT_RUN], have));
	add(o, M_HINT_HELD, hist_json(&s->hist[PRTOP_H_HINT_HOLD], have));
	return o;
}

/* the kernel's `passes` against prtop's worker runs since attach, or null */
static json_object *xcheck_json(const struct prtop_snapshot *s)
{
	const struct snap_xcheck *x = &s->xcheck;
	json_object *o;

	if (!x->have)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "kernel_runs", u64(x->kernel_runs));
	json_object_object_add(o, "prtop_runs", u64(x->prtop_runs));
	json_object_object_add(o, "prtop_runs_done", u64(x->prtop_done));
	json_object_object_add(o, "missed", u64(x->missed));
	json_object_object_add(o, "extra", u64(x->extra));
	json_object_object_add(o, "agree", json_object_new_boolean(!x->missed && !x->extra));
	json_object_object_add(o, "window_s", fmt_json_fixed(x->window_s, 3));
	return o;
}

static json_object *publish_json(const struct prtop_snapshot *s)
{
	switch (s->publish_state) {
	case 2:
		return json_object_new_string("");
	case 3:
		return json_object_new_string(s->publish);
	default: /* no such member, or not known yet */
		return NULL;
	}
}

void json_print(FILE *out, const struct prtop_snapshot *s, const struct prtop_snapshot *prev,
		unsigned int flags)
{
	put_json(out, snap_json(s, prev, flags), flags);
}

json_object *snap_json(const struct prtop_snapshot *s, const struct prtop_snapshot *prev,
		       unsigned int flags)
{
	double window_s =
	    prev && s->mono_ns > prev->mono_ns ? (s->mono_ns - prev->mono_ns) / 1e9 : 0;
	json_object *d = json_object_new_object();
	json_object *k = json_object_new_object(), *drops = json_object_new_object();

	if (flags & JSON_TIME)
		json_object_object_add(d, "time", time_json(s->wall_ns));
	add(d, M_SAMPLES, u64(s->seq));
	json_object_object_add(d, "kernel", json_object_new_string(s->kernel));
	add(d, M_DEVICE, s->device[0] ? json_object_new_string(s->device) : NULL);
	json_object_object_add(d, "device_confirmed",
			       json_object_new_boolean(s->device[0] && !s->device_by_btf));
	if (!s->device[0] || s->device_by_btf)
		json_object_object_add(d, "device_reason",
				       json_object_new_string(s->device_reason));
	if (s->publish_state)
		add(d, M_PUBLICATION, publish_json(s));
	json_object_object_add(d, "window_s", fmt_json_fixed(window_s, 3));
	json_object_object_add(d, "startup_ms", fmt_json_fixed(s->startup_ns / 1e6, 1));
	json_object_object_add(d, "startup_phases_ms", phases_json(s));
	json_object_object_add(d, "startup_kallsyms", ksyms_source_json(s));
	json_object_object_add(d, "startup_btf", btf_source_json(s));
	json_object_object_add(d, "startup_core_btf", core_source_json(s));
	json_object_object_add(d, "page_size", u64(s->page_size));
	add(d, M_PROBE_ATTACHED, attach_json(s, false));
	json_object_object_add(d, "attach_detail", attach_json(s, true));
	add_returned(d, s, prev);
	json_object_object_add(d, "backlog", backlog_json(s));
	add_counters(d, s);
	add_patch_counters(d, s);
	add_hists(d, s);
	add_known(d, s, M_REUSED_BYTES, s->reuse_bytes);
	json_object_object_add(d, "reuse", reuse_json(s));
	json_object_object_add(d, "per_order", per_order_json(s));
	add(k, M_KNOB_ORDER, knob_json(&s->knob_order));
	add(k, M_KNOB_CAPACITY, knob_json(&s->knob_capacity));
	add(k, M_KNOB_DELAY, knob_json(&s->knob_delay_ms));
	json_object_object_add(d, "knobs", k);
	add(d, M_MODULE_PARAMETER, params_json(s));
	add(d, M_KERNEL_PARAM, counters_json(s, prev));
	json_object_object_add(d, "cross_check", xcheck_json(s));
	json_object_object_add(d, "hinting", hint_json(s));
	json_object_object_add(drops, "ring_buffer", u64(s->c.events_dropped));
	json_object_object_add(drops, "reuse_table", u64(s->reuse_forgotten));
	json_object_object_add(drops, "nents_truncated", u64(s->c.nents_truncated));
	add(drops, M_RUNS_MISSED, u64(s->xcheck.missed));
	add(drops, M_EVENTS_DROPPED, u64(s->drops));
	json_object_object_add(d, "drops", drops);
	return d;
}

static void diagnosis_print(FILE *out, const struct prtop_snapshot *s,
			    const struct prtop_snapshot *base)
{
	struct diag d[DIAG_MAX];
	int i, n = diagnose(s, base, d, DIAG_MAX);
	char lead[32];

	fprintf(out, "\nWhy memory is (not) returned");
	if (base)
		fprintf(out, " (watched %.1f s)", (double)(s->mono_ns - base->mono_ns) / 1e9);
	fputs(":\n", out);
	for (i = 0; i < n; i++) {
		snprintf(lead, sizeof(lead), "  %-7s ", diag_level_name(d[i].level));
		fmt_print_wrapped(out, lead, d[i].text);
	}
}

/*
 * drain_bound's figures and what they came from, so that a test can hold
 * them against the kernel's own counters over the same window
 */
static json_object *drain_json(const struct diag *d)
{
	const struct drain_in *in = &d->din;
	const struct drain_verdict *v = &d->dv;
	bool paced = v->bound != BOUND_WAITING;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "bound", json_object_new_string(drain_bound_name(v->bound)));
	json_object_object_add(o, "window_s", fmt_json_fixed(in->window_s, 3));
	json_object_object_add(o, "end_mono_s", fmt_json_fixed(in->end_ns / 1e9, 3));
	json_object_object_add(o, "returned_bytes", u64(in->bytes));
	json_object_object_add(o, "passes", u64(in->passes));
	json_object_object_add(o, "backlog_bytes", u64(in->backlog));
	json_object_object_add(o, "per_pass_bytes", paced ? u64((uint64_t)v->per_pass) : NULL);
	json_object_object_add(o, "interval_s", paced ? fmt_json_fixed(v->interval_s, 3) : NULL);
	json_object_object_add(o, "rate_bytes_per_s", paced ? u64((uint64_t)v->rate) : NULL);
	json_object_object_add(o, "passes_needed", paced ? u64(v->passes_needed) : NULL);
	json_object_object_add(o, "eta_s", paced ? fmt_json_fixed(v->eta_s, 1) : NULL);
	json_object_object_add(o, "delay_s", fmt_json_fixed(in->delay_s, 3));
	json_object_object_add(o, "delay_from", json_object_new_string(in->delay_from));
	json_object_object_add(o, "run_s", in->run_s >= 0 ? fmt_json_fixed(in->run_s, 4) : NULL);
	json_object_object_add(o, "report_rtt_s",
			       in->rtt_s >= 0 ? fmt_json_fixed(in->rtt_s, 6) : NULL);
	json_object_object_add(o, "budget_bytes", in->budget ? u64(in->budget) : NULL);
	json_object_object_add(o, "capacity", u64(in->capacity));
	return o;
}

static json_object *diagnosis_json(const struct prtop_snapshot *s,
				   const struct prtop_snapshot *base)
{
	struct diag d[DIAG_MAX];
	json_object *a = json_object_new_array();
	int i, n = diagnose(s, base, d, DIAG_MAX);

	for (i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "id", json_object_new_string(d[i].id));
		json_object_object_add(o, "level", json_object_new_string(diag_level_name(d[i].level)));
		json_object_object_add(o, "text", json_object_new_string(d[i].text));
		if (d[i].has_drain)
			json_object_object_add(o, "drain", drain_json(&d[i]));
		json_object_array_add(a, o);
	}
	return a;
}

void doctor_print(FILE *out, const struct prtop_snapshot *s, const struct prtop_snapshot *base)
{
	char line[320], lead[48];
	int i;

	size_t n;

	fmt_print_wrapped(out, "kernel   ", s->kernel);
	snprintf(line, sizeof(line), "%s%s", s->device[0] ? s->device : s->device_reason,
		 s->device_by_btf ? " (named by BTF, unconfirmed)" : "");
	fmt_print_wrapped(out, "device   ", line);
	if (fmt_publish(line, sizeof(line), s))
		fmt_print_wrapped(out, "publish  ", line);
	if (fmt_hint(line, sizeof(line), s))
		fmt_print_wrapped(out, "hinting  ", line);
	if (fmt_xcheck(line, sizeof(line), s))
		fmt_print_wrapped(out, "check    ", line);
	n = (size_t)snprintf(line, sizeof(line), "%.1f ms to attach (", s->startup_ns / 1e6);
	for (i = 0; i < STARTUP__COUNT && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s %.1f%s", i ? ", " : "",
				      startup_phase_name(i), s->startup_phase_ns[i] / 1e6,
				      phase_cached(s, i) ? " cached" : "");
	if (n < sizeof(line) - 1)
		strcat(line, ")");
	fmt_print_wrapped(out, "startup  ", line);
	fputc('\n', out);
	fprintf(out, "%-18s %-4s %s\n", "LAYER", "OK", "WHY");
	for (i = 0; i < LAYER__COUNT; i++) {
		snprintf(lead, sizeof(lead), "%-18s %-4s ", layer_name(i),
			 s->layer[i].ok ? "yes" : "no");
		fmt_print_wrapped(out, lead, s->layer[i].why);
	}
	fprintf(out, "\n%-15s %-11s %s\n", "PROBE", "MODE", "ATTACHED TO / WHY NOT");
	for (i = 0; i < PROBE__COUNT; i++) {
		const struct probe_status *p = &s->probe[i];

		snprintf(lead, sizeof(lead), "%-15s %-11s ", probe_name(i),
			 attach_mode_name(p->mode));
		fmt_print_wrapped(out, lead, p->attached ? p->detail : p->reason);
		snprintf(lead, sizeof(lead), "%-27s ", "");
		if (p->attached && p->reason[0]) {
			snprintf(line, sizeof(line), "note: %s", p->reason);
			fmt_print_wrapped(out, lead, line);
		}
		if (p->hint[0]) {
			snprintf(line, sizeof(line), "-> %s", p->hint);
			fmt_print_wrapped(out, lead, line);
		}
	}
	diagnosis_print(out, s, base);
}

void doctor_json(FILE *out, const struct prtop_snapshot *s, const struct prtop_snapshot *base)
{
	json_object *d = json_object_new_object(), *layers = json_object_new_object();
	int i;

	json_object_object_add(d, "kernel", json_object_new_string(s->kernel));
	add(d, M_DEVICE, s->device[0] ? json_object_new_string(s->device) : NULL);
	json_object_object_add(d, "device_reason", json_object_new_string(s->device_reason));
	if (s->publish_state)
		add(d, M_PUBLICATION, publish_json(s));
	json_object_object_add(d, "hinting", hint_json(s));
	json_object_object_add(d, "cross_check", xcheck_json(s));
	json_object_object_add(d, "startup_ms", fmt_json_fixed(s->startup_ns / 1e6, 1));
	json_object_object_add(d, "startup_phases_ms", phases_json(s));
	json_object_object_add(d, "startup_kallsyms", ksyms_source_json(s));
	json_object_object_add(d, "startup_btf", btf_source_json(s));
	json_object_object_add(d, "startup_core_btf", core_source_json(s));
	for (i = 0; i < LAYER__COUNT; i++) {
		json_object *l = json_object_new_object();

		json_object_object_add(l, "ok", json_object_new_boolean(s->layer[i].ok));
		json_object_object_add(l, "why", json_object_new_string(s->layer[i].why));
		json_object_object_add(layers, layer_name(i), l);
	}
	json_object_object_add(d, "layers", layers);
	json_object_object_add(d, "probes", attach_json(s, true));
	json_object_object_add(d, "diagnosis", diagnosis_json(s, base));
	put_json(out, d, 0);
}
