// SPDX-License-Identifier: GPL-2.0
/*
 * `prtop host export`: a host_snap as Prometheus text 0.0.4 or OpenMetrics.
 * A pure function of the snapshot and the label selection.  Per-VM series
 * carry vm (the VM's name) and pid; VMs beyond the selection are summed
 * into vm="other", so the number of series stays bounded however many VMs
 * the host runs.  "other" is counted by host_select(), sample by sample:
 * what a VM added while unlabelled stays there when it exits or gets a
 * label of its own, so every _total is monotonic for the process's life.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hostmon.h"
#include "metrics.h"
#include "metrics_int.h"

/* a per-VM label set: vm, pid, the identity (escaped, up to 2x) and one more */
#define HOST_LABELS_MAX 1024

bool host_selected(const struct host_sel *sel, const struct host_vm *v)
{
	int i;

	for (i = 0; i < sel->n; i++)
		if (sel->in[i].pid == v->pid && sel->in[i].start_ticks == v->start_ticks)
			return true;
	return false;
}

static uint64_t activity(const struct host_vm *v)
{
	return host_vm_discarded(v) + v->refaulted_bytes;
}

static void counts_of(struct host_counts *c, const struct host_vm *v)
{
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < HOST_M__COUNT; i++) {
		c->bytes[i] = v->st.bytes[i];
		c->calls[i] = v->st.calls[i];
	}
	c->failed = v->st.failed;
	c->other_bytes = v->st.other_bytes;
	c->chunks_untracked = v->st.chunks_untracked;
	c->discarded = host_vm_discarded(v);
	for (i = 0; i < HOST_SIZE_SLOTS; i++)
		c->size_hist[i] = v->st.size_hist[i];
	c->refaulted_bytes = v->refaulted_bytes;
	for (i = 0; i < HOST_AGE_SLOTS; i++)
		c->age_hist[i] = v->age_hist[i];
	c->age_sum_ms_x_pages = v->age_sum_ms_x_pages;
}

/*
 * Add to acc what v's counters grew by since counted, and count them: a
 * counter read lower than before adds nothing and is not counted twice
 * when it grows back
 */
static void count_into(struct host_counts *acc, struct host_counts *counted,
		       const struct host_vm *v)
{
	struct host_counts cur;
	uint64_t *a = (uint64_t *)acc, *c = (uint64_t *)counted, *n = (uint64_t *)&cur;
	size_t i;

	counts_of(&cur, v);
	for (i = 0; i < sizeof(cur) / sizeof(uint64_t); i++)
		if (n[i] > c[i]) {
			a[i] += n[i] - c[i];
			c[i] = n[i];
		}
}

static const struct host_vm *vm_in(const struct host_snap *s, pid_t pid, uint64_t start_ticks)
{
	int i;

	for (i = 0; i < s->nvms; i++)
		if (s->vm[i].pid == pid && s->vm[i].start_ticks == start_ticks)
			return &s->vm[i];
	return NULL;
}

/*
 * "other" between two samples: its VMs' growth (an exited one's last
 * counters too), then what VMs new to it did since prtop watches them.
 * A VM that leaves it, exited or labelled, leaves its share behind.
 */
static void count_other(struct host_sel *sel, const struct host_snap *s, bool before_labels)
{
	int i, j;

	if (before_labels) {
		for (i = j = 0; i < sel->nled; i++) {
			const struct host_vm *v =
			    vm_in(s, sel->led[i].pid, sel->led[i].start_ticks);

			if (v)
				count_into(&sel->other, &sel->led[i].counted, v);
			if (v && v->alive)
				sel->led[j++] = sel->led[i];
		}
		sel->nled = j;
		return;
	}
	for (i = j = 0; i < sel->nled; i++) {
		const struct host_vm *v = vm_in(s, sel->led[i].pid, sel->led[i].start_ticks);

		if (v && !host_selected(sel, v))
			sel->led[j++] = sel->led[i];
	}
	sel->nled = j;
	for (i = 0; i < s->nvms && sel->nled < HOST_MAX_VMS; i++) {
		const struct host_vm *v = &s->vm[i];

		if (!v->alive || host_selected(sel, v))
			continue;
		for (j = 0; j < sel->nled; j++)
			if (sel->led[j].pid == v->pid && sel->led[j].start_ticks == v->start_ticks)
				break;
		if (j < sel->nled)
			continue;
		sel->led[j].pid = v->pid;
		sel->led[j].start_ticks = v->start_ticks;
		memset(&sel->led[j].counted, 0, sizeof(sel->led[j].counted));
		count_into(&sel->other, &sel->led[j].counted, v);
		sel->nled++;
	}
	if (sel->nled)
		sel->other_shown = true;
}

void host_select(struct host_sel *sel, const struct host_snap *s)
{
	int i, j;

	count_other(sel, s, true);

	/* drop VMs that are no longer there */
	for (i = j = 0; i < sel->n; i++) {
		bool there = false;
		int k;

		for (k = 0; k < s->nvms && !there; k++)
			there = s->vm[k].alive && s->vm[k].pid == sel->in[i].pid &&
				s->vm[k].start_ticks == sel->in[i].start_ticks;
		if (there)
			sel->in[j++] = sel->in[i];
	}
	sel->n = j;
	/* fill free places, most active first */
	while (sel->n < sel->top) {
		const struct host_vm *best = NULL;

		for (i = 0; i < s->nvms; i++) {
			const struct host_vm *v = &s->vm[i];

			if (!v->alive || host_selected(sel, v))
				continue;
			if (!best || activity(v) > activity(best))
				best = v;
		}
		if (!best)
			break;
		sel->in[sel->n].pid = best->pid;
		sel->in[sel->n].start_ticks = best->start_ticks;
		sel->n++;
	}
	count_other(sel, s, false);
}

/* ",key=\"value\"" when value is known, else nothing */
static size_t opt_label(char *out, size_t len, const char *key, const char *value)
{
	char esc[2 * sizeof(((struct host_identity *)0)->name) + 1];
	int n;

	if (!value[0] || !len)
		return 0;
	n = snprintf(out, len, ",%s=\"%s\"", key, label_esc(esc, sizeof(esc), value));
	return n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
}

/*
 * {vm="name",pid="123"} or {vm="other",pid=""}, then where known the VM's
 * identity under KubeVirt's label names (namespace, name) and uuid, so
 * on(namespace, name) joins with kubevirt_vmi_* series; plus extra ",k=\"v\""
 */
static void vm_labels(char *out, size_t len, const struct host_vm *v, const char *extra)
{
	char name[160], id[HOST_LABELS_MAX];
	size_t n = 0;

	if (!v) {
		snprintf(out, len, "{vm=\"other\",pid=\"\"%s}", extra ? extra : "");
		return;
	}
	id[0] = '\0';
	n += opt_label(id + n, sizeof(id) - n, "namespace", v->id.ns);
	n += opt_label(id + n, sizeof(id) - n, "name", v->id.name);
	opt_label(id + n, sizeof(id) - n, "uuid", v->id.uuid);
	snprintf(out, len, "{vm=\"%s\",pid=\"%d\"%s%s}", label_esc(name, sizeof(name), v->name),
		 v->pid, id, extra ? extra : "");
}

/* the VMs with labels, then "other" (NULL) when some VM is not labelled */
struct vm_iter {
	const struct host_snap *s;
	const struct host_sel *sel;
	int i;
	bool other_done;
};

static bool vm_next(struct vm_iter *it, const struct host_vm **v)
{
	int i;

	while (it->i < it->s->nvms) {
		const struct host_vm *c = &it->s->vm[it->i++];

		if (c->alive && host_selected(it->sel, c)) {
			*v = c;
			return true;
		}
	}
	if (it->other_done)
		return false;
	it->other_done = true;
	if (it->sel->other_shown) {
		*v = NULL;
		return true;
	}
	for (i = 0; i < it->s->nvms; i++)
		if (it->s->vm[i].alive && !host_selected(it->sel, &it->s->vm[i])) {
			*v = NULL;
			return true;
		}
	return false;
}

/* the counters of a series: a labelled VM's own, or "other"'s (v NULL) */
static const struct host_counts *series(struct host_counts *tmp, const struct host_sel *sel,
					const struct host_vm *v)
{
	if (!v)
		return &sel->other;
	counts_of(tmp, v);
	return tmp;
}

typedef uint64_t (*vm_field)(const struct host_counts *c, int arg);

static uint64_t f_bytes(const struct host_counts *c, int m)
{
	return c->bytes[m];
}
static uint64_t f_calls(const struct host_counts *c, int m)
{
	return c->calls[m];
}
static uint64_t f_failed(const struct host_counts *c, int m)
{
	return c->failed;
}
static uint64_t f_refaulted(const struct host_counts *c, int m)
{
	return c->refaulted_bytes;
}
static uint64_t f_size(const struct host_counts *c, int i)
{
	return c->size_hist[i];
}
static uint64_t f_discarded(const struct host_counts *c, int m)
{
	return c->discarded;
}
static uint64_t f_age(const struct host_counts *c, int i)
{
	return c->age_hist[i] / 4096;
}
static uint64_t f_age_sum(const struct host_counts *c, int m)
{
	return c->age_sum_ms_x_pages;
}
static uint64_t f_other(const struct host_counts *c, int m)
{
	return c->other_bytes;
}
static uint64_t f_untracked(const struct host_counts *c, int m)
{
	return c->chunks_untracked;
}

/*
 * A gauge: one VM's RSS, or the unlabelled VMs' now (v NULL); false when
 * unknown (a status file prtop could not read): the series is then absent
 */
static bool rss(const struct host_snap *s, const struct host_sel *sel, const struct host_vm *v,
		uint64_t *out)
{
	uint64_t sum = 0;
	int i;

	if (v) {
		*out = v->rss_kib * 1024;
		return v->rss_known;
	}
	for (i = 0; i < s->nvms; i++) {
		if (!s->vm[i].alive || host_selected(sel, &s->vm[i]))
			continue;
		if (!s->vm[i].rss_known)
			return false;
		sum += s->vm[i].rss_kib * 1024;
	}
	*out = sum;
	return true;
}

static void put_by_method(struct mbuf *b, const struct metrics_opts *o, const struct host_snap *s,
			  const struct host_sel *sel, const struct metric *f, vm_field fn)
{
	struct vm_iter it = {s, sel, 0, false};
	const struct host_vm *v;
	struct host_counts tmp;
	char l[HOST_LABELS_MAX + 96], m[64];
	int k;

	fam_head(b, o, f);
	while (vm_next(&it, &v)) {
		const struct host_counts *c = series(&tmp, sel, v);

		for (k = 0; k < HOST_M__COUNT; k++) {
			if (!host_method_known(s, k))
				continue; /* its probe is not attached: no series */
			snprintf(m, sizeof(m), ",method=\"%s\"", host_method_name(k));
			vm_labels(l, sizeof(l), v, m);
			fam_u64(b, f, l, fn(c, k));
		}
	}
}

/* one sample per series: fn of its counters, or the RSS gauge (fn NULL) */
static void put_per_vm(struct mbuf *b, const struct metrics_opts *o, const struct host_snap *s,
		       const struct host_sel *sel, const struct metric *f, vm_field fn)
{
	struct vm_iter it = {s, sel, 0, false};
	const struct host_vm *v;
	struct host_counts tmp;
	char l[HOST_LABELS_MAX + 96];
	uint64_t val;

	fam_head(b, o, f);
	while (vm_next(&it, &v)) {
		if (fn)
			val = fn(series(&tmp, sel, v), 0);
		else if (!rss(s, sel, v, &val))
			continue;
		vm_labels(l, sizeof(l), v, NULL);
		fam_u64(b, f, l, val);
	}
}

/*
 * A histogram from per-slot counts; slot i's upper bound is le(i), the last
 * slot is +Inf.  sum_scale turns the summed field into the unit of le.
 */
static void put_hist(struct mbuf *b, const struct metrics_opts *o, const struct host_snap *s,
		     const struct host_sel *sel, const struct metric *f, vm_field slot, int nslots,
		     double (*le)(int), vm_field sum, double sum_scale)
{
	struct vm_iter it = {s, sel, 0, false};
	const struct host_vm *v;
	struct host_counts tmp;
	char l[HOST_LABELS_MAX + 96], e[64], n[40];
	int i;

	fam_head(b, o, f);
	while (vm_next(&it, &v)) {
		const struct host_counts *c = series(&tmp, sel, v);
		uint64_t cum = 0;

		for (i = 0; i < nslots; i++) {
			cum += slot(c, i);
			if (i == nslots - 1)
				snprintf(e, sizeof(e), ",le=\"+Inf\"");
			else
				snprintf(e, sizeof(e), ",le=\"%.10g\"", le(i));
			vm_labels(l, sizeof(l), v, e);
			mbuf_printf(b, "%s_bucket%s %llu\n", f->prom, l, (unsigned long long)cum);
		}
		vm_labels(l, sizeof(l), v, NULL);
		mbuf_printf(b, "%s_count%s %llu\n", f->prom, l, (unsigned long long)cum);
		snprintf(n, sizeof(n), "%.10g", (double)sum(c, 0) * sum_scale);
		mbuf_printf(b, "%s_sum%s %s\n", f->prom, l, n);
	}
}

static double le_size(int i)
{
	return (double)(1ULL << (12 + i));
}
static double le_age(int i)
{
	return (double)(1ULL << i) / 1000.0;
}

static void put_vms(struct mbuf *b, const struct metrics_opts *o, const struct host_snap *s,
		    const struct host_sel *sel)
{
	const struct metric *bytes = metric(M_HOST_DISCARDED);
	const struct metric *calls = metric(M_HOST_DISCARD_CALLS);
	const struct metric *failed = metric(M_HOST_DISCARD_FAILED);
	const struct metric *other = metric(M_HOST_OTHER_DISCARDED);
	const struct metric *size = metric(M_HOST_DISCARD_SIZE);
	const struct metric *refaulted = metric(M_HOST_REFAULTED);
	const struct metric *age = metric(M_HOST_REFAULT_AGE);
	const struct metric *rss_fam = metric(M_HOST_RSS);
	const struct metric *untracked = metric(M_HOST_CHUNKS_UNTRACKED);

	put_by_method(b, o, s, sel, bytes, f_bytes);
	put_by_method(b, o, s, sel, calls, f_calls);
	if (host_discards_known(s)) {
		put_per_vm(b, o, s, sel, failed, f_failed);
		put_per_vm(b, o, s, sel, other, f_other);
		put_hist(b, o, s, sel, size, f_size, HOST_SIZE_SLOTS, le_size, f_discarded, 1.0);
	}
	if (host_refaults_known(s)) {
		put_per_vm(b, o, s, sel, refaulted, f_refaulted);
		put_hist(b, o, s, sel, age, f_age, HOST_AGE_SLOTS, le_age, f_age_sum, 1e-3);
		put_per_vm(b, o, s, sel, untracked, f_untracked);
	}
	put_per_vm(b, o, s, sel, rss_fam, NULL);
}

static void put_info(struct mbuf *b, const struct metrics_opts *o, const struct host_snap *s,
		     const struct host_sel *sel)
{
	const struct metric *info = metric(M_HOST_VM);
	const struct metric *nvms = metric(M_HOST_VMS);
	char l[HOST_LABELS_MAX + 256], extra[128], vmm[64];
	int i, nl = 0, n = 0;

	fam_head(b, o, info);
	for (i = 0; i < s->nvms; i++) {
		const struct host_vm *v = &s->vm[i];

		if (!v->alive)
			continue;
		n++;
		if (!host_selected(sel, v))
			continue;
		nl++;
		snprintf(extra, sizeof(extra), ",vmm=\"%s\",backing=\"%s\"",
			 label_esc(vmm, sizeof(vmm), v->vmm), v->hugetlb ? "hugetlbfs" : "pages");
		vm_labels(l, sizeof(l), v, extra);
		fam_u64(b, info, l, 1);
	}
	fam_head(b, o, nvms);
	fam_u64(b, nvms, "{labelled=\"yes\"}", nl);
	fam_u64(b, nvms, "{labelled=\"no\"}", n - nl);
}

/* what a labelled VM's manager says of its memory (JSON manager_stats), where it answered */
static void put_manager(struct mbuf *b, const struct metrics_opts *o, const struct host_snap *s,
			const struct host_sel *sel)
{
	const struct metric *mgr = metric(M_HOST_MANAGER_MEMORY);
	static const char *const stat[] = {"actual", "rss", "usable"};
	char l[HOST_LABELS_MAX + 96], extra[32];
	bool head = false;
	int i, k;

	for (i = 0; i < s->nvms; i++) {
		const struct host_vm *v = &s->vm[i];
		const int64_t kib[] = {v->ms.actual_kib, v->ms.rss_kib, v->ms.usable_kib};

		if (!v->alive || !v->ms.known || !host_selected(sel, v))
			continue;
		for (k = 0; k < 3; k++) {
			if (kib[k] < 0)
				continue;
			if (!head)
				fam_head(b, o, mgr);
			head = true;
			snprintf(extra, sizeof(extra), ",stat=\"%s\"", stat[k]);
			vm_labels(l, sizeof(l), v, extra);
			fam_u64(b, mgr, l, (uint64_t)kib[k] * 1024);
		}
	}
}

static void put_host_self(struct mbuf *b, const struct metrics_opts *o, const struct host_snap *s)
{
	const struct metric *att = metric(M_HOST_PROBE_ATTACHED);
	const struct metric *lost = metric(M_HOST_REFAULT_EVENTS_LOST);
	const struct metric *tracked = metric(M_HOST_CHUNKS_TRACKED);
	char l[400];
	int i;

	fam_head(b, o, att);
	for (i = 0; i < HP__COUNT; i++) {
		snprintf(l, sizeof(l), "{probe=\"%s\",mode=\"%s\"}", host_probe_name(i),
			 attach_mode_name(s->probe[i].mode));
		fam_u64(b, att, l, s->probe[i].attached);
	}
	fam_one(b, o, lost, s->events_lost);
	fam_head(b, o, tracked);
	fam_u64(b, tracked, NULL, s->chunks_tracked);
	metrics_put_build(b, o, s->kernel);
	metrics_put_freshness(b, o, s->mono_ns);
}

int host_metrics_render(struct mbuf *b, const struct host_snap *s, const struct host_sel *sel,
			const struct metrics_opts *o)
{
	put_vms(b, o, s, sel);
	put_info(b, o, s, sel);
	put_manager(b, o, s, sel);
	put_host_self(b, o, s);
	if (o->openmetrics)
		mbuf_printf(b, "# EOF\n");
	return b->failed ? -ENOMEM : 0;
}
