// SPDX-License-Identifier: GPL-2.0
/*
 * The host monitor as a sampler source (sampler.h): prtop host's views,
 * its JSON and its exporter run on the same driver as the guest's.  The
 * host's samples keep to the grid of whole intervals, so that two prtop
 * host on one machine (the view and the exporter) scan at the same moments
 * and the refault ages they find by PAGEMAP_SCAN, known to the interval,
 * agree.
 *
 * Its history is per VM: the discard and refault rates of each window,
 * one slot per delivered sample, aligned across VMs (a VM that appears
 * later has unknown slots before it).  A VM's slots go when it leaves the
 * sample.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "format.h"
#include "hostmon.h"
#include "sampler.h"

#define MIB (1024.0 * 1024.0)

struct host_hist_vm {
	pid_t pid;
	uint64_t start_ticks;
	struct history h;
};

struct host_hist {
	int cap;
	uint64_t base_ns;     /* t_s counts from here: the first delivered sample's window start */
	struct history clock; /* t_s of every slot (its one figure is never known) */
	int nvm;
	struct host_hist_vm *vm[HOST_MAX_VMS];
};

static const char *const fig_key[HH__COUNT] = {"discard_mib_per_s", "refault_mib_per_s"};

static void hs_sample(void *ctx, void *snap)
{
	host_sample(ctx, snap);
}

static uint64_t hs_mono(const void *snap)
{
	return ((const struct host_snap *)snap)->mono_ns;
}

static int hs_hist_init(struct sampler *s, int slots)
{
	struct host_hist *hh = calloc(1, sizeof(*hh));
	int err;

	if (!hh)
		return -ENOMEM;
	err = history_init_n(&hh->clock, slots, 1);
	if (err) {
		free(hh);
		return err;
	}
	hh->cap = slots;
	s->ext = hh;
	return 0;
}

static void vm_free(struct host_hist_vm *v)
{
	history_free(&v->h);
	free(v);
}

static void hs_hist_free(struct sampler *s)
{
	struct host_hist *hh = s->ext;
	int i;

	if (!hh)
		return;
	for (i = 0; i < hh->nvm; i++)
		vm_free(hh->vm[i]);
	history_free(&hh->clock);
	free(hh);
	s->ext = NULL;
}

static struct host_hist_vm *vm_find(const struct host_hist *hh, const struct host_vm *v)
{
	int i;

	for (i = 0; i < hh->nvm; i++)
		if (hh->vm[i]->pid == v->pid && hh->vm[i]->start_ticks == v->start_ticks)
			return hh->vm[i];
	return NULL;
}

/* a VM new to the history: unknown for the slots before it */
static struct host_hist_vm *vm_add(struct host_hist *hh, const struct host_vm *v)
{
	struct host_hist_vm *x;
	bool unknown[HH__COUNT] = {false};
	double zero[HH__COUNT] = {0};
	int i;

	if (hh->nvm >= HOST_MAX_VMS || !(x = calloc(1, sizeof(*x))))
		return NULL;
	if (history_init_n(&x->h, hh->cap, HH__COUNT)) {
		free(x);
		return NULL;
	}
	x->pid = v->pid;
	x->start_ticks = v->start_ticks;
	for (i = 0; i < hh->clock.n; i++)
		history_push(&x->h, history_time(&hh->clock, i), zero, unknown);
	hh->vm[hh->nvm++] = x;
	return x;
}

/* VMs no longer in the sample leave the history */
static void vm_prune(struct host_hist *hh, const struct host_snap *cur)
{
	int i, j, k = 0;

	for (i = 0; i < hh->nvm; i++) {
		bool in = false;

		for (j = 0; j < cur->nvms && !in; j++)
			in = cur->vm[j].pid == hh->vm[i]->pid &&
			     cur->vm[j].start_ticks == hh->vm[i]->start_ticks;
		if (in)
			hh->vm[k++] = hh->vm[i];
		else
			vm_free(hh->vm[i]);
	}
	hh->nvm = k;
}

static void hs_delivered(struct sampler *s)
{
	struct host_hist *hh = s->ext;
	const struct host_snap *cur = s->vcur, *prev = s->have_prev ? s->vprev : NULL;
	double t_s, zero = 0;
	bool no = false;
	int i;

	if (!hh)
		return;
	if (!hh->base_ns)
		hh->base_ns = prev ? prev->mono_ns : cur->mono_ns;
	t_s = (double)(cur->mono_ns - hh->base_ns) / 1e9;
	vm_prune(hh, cur);
	for (i = 0; i < cur->nvms; i++) {
		struct host_hist_vm *x = vm_find(hh, &cur->vm[i]);
		double v[HH__COUNT];
		bool known[HH__COUNT];

		if (!x && !(x = vm_add(hh, &cur->vm[i])))
			continue;
		known[HH_DISCARD] = host_col_value(cur, prev, i, HC_DISCARD_RATE, &v[HH_DISCARD]);
		known[HH_REFAULT] = host_col_value(cur, prev, i, HC_REFAULT_RATE, &v[HH_REFAULT]);
		v[HH_DISCARD] /= MIB;
		v[HH_REFAULT] /= MIB;
		history_push(&x->h, t_s, v, known);
	}
	history_push(&hh->clock, t_s, &zero, &no);
}

static const struct sampler_src host_src = {
    .snap_size = sizeof(struct host_snap),
    .sample = hs_sample,
    .mono_ns = hs_mono,
    .delivered = hs_delivered,
    .hist_init = hs_hist_init,
    .hist_free = hs_hist_free,
    .grid = true,
};

int host_sampler_init(struct sampler *s, struct host *h, const struct sampler_opts *o)
{
	return sampler_init_src(s, &host_src, h, o);
}

const struct history *host_history(const struct sampler *s, const struct host_vm *v)
{
	const struct host_hist *hh = s->ext;
	const struct host_hist_vm *x = hh ? vm_find(hh, v) : NULL;

	return x ? &x->h : NULL;
}

const char *host_hist_key(enum host_hist_fig f)
{
	return f < HH__COUNT ? fig_key[f] : "?";
}

struct json_object *host_history_json(const struct sampler *s)
{
	const struct host_hist *hh = s->ext;
	const struct host_snap *cur = s->vcur;
	struct json_object *o, *a, *vms, *x;
	double v;
	int i, j, f;

	if (!hh)
		return NULL;
	o = json_object_new_object();
	a = json_object_new_array();
	for (i = 0; i < hh->clock.n; i++)
		json_object_array_add(a,
				      fmt_json_fixed(history_time(&hh->clock, i), HIST_DECIMALS));
	json_object_object_add(o, "t_s", a);
	vms = json_object_new_array();
	for (j = 0; j < cur->nvms; j++) {
		const struct history *h = host_history(s, &cur->vm[j]);

		if (!h)
			continue;
		x = json_object_new_object();
		json_object_object_add(x, "pid", json_object_new_int(cur->vm[j].pid));
		json_object_object_add(x, "name", json_object_new_string(cur->vm[j].name));
		for (f = 0; f < HH__COUNT; f++) {
			a = json_object_new_array();
			for (i = 0; i < h->n; i++)
				json_object_array_add(a, history_get(h, f, i, &v)
							     ? fmt_json_fixed(v, HIST_DECIMALS)
							     : NULL);
			json_object_object_add(x, fig_key[f], a);
		}
		json_object_array_add(vms, x);
	}
	json_object_object_add(o, "vms", vms);
	return o;
}
