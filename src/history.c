// SPDX-License-Identifier: GPL-2.0
/*
 * The history ring of the key figures (history.h) and the strip's scale.
 * Pure: no curses, no BPF; the unit tests drive it with made-up samples.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "format.h"
#include "history.h"

#define MIB (1024.0 * 1024.0)

static const struct hist_fig_info figs[HF__COUNT] = {
    [HF_RETURNED] = {"returned_mib_per_s", "returned", "MiB/s"},
    [HF_REPORTABLE] = {"reportable_mib", "reportable", "MiB"},
    [HF_RUNS] = {"worker_runs_per_s", "runs", "/s"},
    [HF_REUSED] = {"reused_mib_per_s", "reused", "MiB/s"},
    [HF_BACKLOG] = {"backlog_mib", "unreported", "MiB"},
};

const struct hist_fig_info *history_fig(enum hist_fig f)
{
	return f < HF__COUNT ? &figs[f] : NULL;
}

int history_init(struct history *h, int cap)
{
	return history_init_n(h, cap, HF__COUNT);
}

int history_init_n(struct history *h, int cap, int nfig)
{
	memset(h, 0, sizeof(*h));
	if (cap < 1 || cap > HIST_MAX_SLOTS || nfig < 1)
		return -EINVAL;
	h->val = calloc((size_t)cap * nfig, sizeof(*h->val));
	h->known = calloc((size_t)cap * nfig, sizeof(*h->known));
	h->t_s = calloc((size_t)cap, sizeof(*h->t_s));
	if (!h->val || !h->known || !h->t_s) {
		history_free(h);
		return -ENOMEM;
	}
	h->cap = cap;
	h->nfig = nfig;
	return 0;
}

void history_free(struct history *h)
{
	free(h->val);
	free(h->known);
	free(h->t_s);
	memset(h, 0, sizeof(*h));
}

/* what the JSON prints is what the strip is drawn from */
static double rounded(double v)
{
	double k = pow(10, HIST_DECIMALS);

	return round(v * k) / k;
}

void history_push(struct history *h, double t_s, const double *v, const bool *known)
{
	int f;

	if (!h->cap)
		return;
	for (f = 0; f < h->nfig; f++) {
		h->known[f * h->cap + h->next] = known[f] && isfinite(v[f]);
		h->val[f * h->cap + h->next] = h->known[f * h->cap + h->next] ? rounded(v[f]) : 0;
	}
	h->t_s[h->next] = rounded(t_s);
	h->next = (h->next + 1) % h->cap;
	if (h->n < h->cap)
		h->n++;
}

/* the ring index of slot i, oldest first */
static int slot(const struct history *h, int i)
{
	return (h->next - h->n + i + h->cap) % h->cap;
}

bool history_get(const struct history *h, int f, int i, double *v)
{
	int k;

	if (i < 0 || i >= h->n || f < 0 || f >= h->nfig)
		return false;
	k = f * h->cap + slot(h, i);
	if (!h->known[k])
		return false;
	*v = h->val[k];
	return true;
}

double history_time(const struct history *h, int i)
{
	return i >= 0 && i < h->n ? h->t_s[slot(h, i)] : 0;
}

/* free memory in blocks the worker may report: order >= the reporting order */
static bool reportable_bytes(const struct prtop_snapshot *s, double *bytes)
{
	const struct snap_knob *o = &s->knob_order;
	uint64_t pages = 0;
	int i;

	if (!snap_has(s, SG_FREE_LISTS) || !o->known || o->unspecified || o->value < 0)
		return false;
	for (i = (int)o->value; i < PRTOP_ORDERS; i++)
		pages += s->order[i].free_pages;
	*bytes = (double)pages * (double)s->page_size;
	return true;
}

void history_sample(const struct prtop_snapshot *cur, const struct snap_rates *r, bool have_prev,
		    double *v, bool *known)
{
	double b = 0;

	known[HF_RETURNED] = have_prev && r->returned_known;
	v[HF_RETURNED] = r->returned_bytes_per_s / MIB;
	known[HF_REPORTABLE] = reportable_bytes(cur, &b);
	v[HF_REPORTABLE] = b / MIB;
	known[HF_RUNS] = have_prev && snap_has(cur, SG_WORKER);
	v[HF_RUNS] = r->worker_runs_per_s;
	known[HF_REUSED] = have_prev && snap_has(cur, SG_REUSE);
	v[HF_REUSED] = r->reused_bytes_per_s / MIB;
	/* the last scan's figure, as the frame shows it: a scan may be 2 s old */
	known[HF_BACKLOG] = cur->backlog.known;
	v[HF_BACKLOG] = (double)cur->backlog.bytes / MIB;
}

bool history_max(const struct history *h, int f, int w, double *max)
{
	bool any = false;
	double v;
	int i;

	for (i = h->n - w > 0 ? h->n - w : 0; i < h->n; i++) {
		if (!history_get(h, f, i, &v))
			continue;
		if (!any || v > *max)
			*max = v;
		any = true;
	}
	return any;
}

int history_level(double v, double max, int top)
{
	double e;

	if (top < 2 || !(max > 0) || !(v > 0))
		return 1;
	e = floor(v / max * (top - 1) + 0.5);
	if (e > top - 1)
		e = top - 1;
	return 1 + (int)e;
}

json_object *history_json(const struct history *h)
{
	json_object *o = json_object_new_object(), *a;
	double v;
	int f, i;

	a = json_object_new_array();
	for (i = 0; i < h->n; i++)
		json_object_array_add(a, fmt_json_fixed(history_time(h, i), HIST_DECIMALS));
	json_object_object_add(o, "t_s", a);
	for (f = 0; f < HF__COUNT; f++) {
		a = json_object_new_array();
		for (i = 0; i < h->n; i++)
			json_object_array_add(
			    a, history_get(h, f, i, &v) ? fmt_json_fixed(v, HIST_DECIMALS) : NULL);
		json_object_object_add(o, figs[f].key, a);
	}
	return o;
}
