// SPDX-License-Identifier: GPL-2.0
/*
 * `prtop host` presentations: the text frame, JSON and doctor, each a pure
 * function of the latest sample and the one before it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "format.h"
#include "hostmon.h"
#include "metric_table.h"

enum host_probe host_method_probe(enum host_method m)
{
	return m == HOST_M_PUNCH ? HP_FALLOCATE : HP_MADVISE;
}

bool host_method_known(const struct host_snap *s, enum host_method m)
{
	return m < HOST_M__COUNT && s->probe[host_method_probe(m)].attached;
}

bool host_discards_known(const struct host_snap *s)
{
	int m;

	for (m = 0; m < HOST_M__COUNT; m++)
		if (!host_method_known(s, m))
			return false;
	return true;
}

bool host_refaults_known(const struct host_snap *s)
{
	return s->probe[HP_PAGEMAP].attached && s->refaults != HOST_REFAULTS_NONE;
}

static double window_s(const struct host_snap *cur, const struct host_snap *prev)
{
	return prev && cur->mono_ns > prev->mono_ns ? (cur->mono_ns - prev->mono_ns) / 1e9 : 0;
}

long host_age_median_ms(const struct host_vm *v)
{
	uint64_t total = 0, run = 0;
	int i;

	for (i = 0; i < HOST_AGE_SLOTS; i++)
		total += v->age_hist[i];
	if (!total)
		return -1;
	for (i = 0; i < HOST_AGE_SLOTS; i++) {
		run += v->age_hist[i];
		if (run * 2 >= total)
			return 1L << i;
	}
	return 1L << (HOST_AGE_SLOTS - 1);
}

static const char *size_name(char *buf, size_t len, int slot)
{
	uint64_t b = 1ULL << (12 + slot);

	if (slot == HOST_SIZE_SLOTS - 1)
		snprintf(buf, len, ">%lluG", (unsigned long long)(b >> 31));
	else if (b >= 1ULL << 30)
		snprintf(buf, len, "%lluG", (unsigned long long)(b >> 30));
	else if (b >= 1ULL << 20)
		snprintf(buf, len, "%lluM", (unsigned long long)(b >> 20));
	else
		snprintf(buf, len, "%lluK", (unsigned long long)(b >> 10));
	return buf;
}

/* who the VM is: its full name, its VMM, and its manager's names where known */
static void vm_who(FILE *out, const struct host_vm *v)
{
	const struct host_identity *id = &v->id;

	if (id->ns[0])
		fprintf(out, "%s/%s", id->ns, id->name[0] ? id->name : v->name);
	else
		fputs(id->name[0] ? id->name : v->name, out);
	fprintf(out, " (%s", v->vmm);
	if (!v->known_vmm)
		fputs(": not a VMM prtop knows", out);
	if (id->manager[0] && strcmp(id->manager, v->vmm))
		fprintf(out, ", %s", id->manager);
	if (id->uuid[0])
		fprintf(out, ", uuid %s", id->uuid);
	if (id->pod_uid[0])
		fprintf(out, ", pod %s", id->pod_uid);
	fputc(')', out);
}

static void vm_methods(FILE *out, const struct host_snap *s, const struct host_vm *v)
{
	char a[32];
	int m;
	bool any = false;

	fputs("; methods:", out);
	for (m = 0; m < HOST_M__COUNT; m++) {
		if (!host_method_known(s, m)) {
			fprintf(out, " %s n/a", host_method_name(m));
			any = true;
			continue;
		}
		if (!v->st.calls[m])
			continue;
		fprintf(out, " %s %s in %llu", host_method_name(m),
			fmt_bytes(a, sizeof(a), v->st.bytes[m]),
			(unsigned long long)v->st.calls[m]);
		any = true;
	}
	if (!any)
		fputs(" none yet", out);
	if (v->st.failed && host_discards_known(s))
		fprintf(out, "; %llu %s", (unsigned long long)v->st.failed,
			metric(M_HOST_DISCARD_FAILED)->label);
}

static void vm_sizes(FILE *out, const struct host_snap *s, const struct host_vm *v)
{
	char n[16];
	int i;
	bool any = false;

	fprintf(out, "; %s:", metric(M_HOST_DISCARD_SIZE)->label);
	if (!host_discards_known(s)) {
		fputs(" n/a", out);
		return;
	}
	for (i = 0; i < HOST_SIZE_SLOTS; i++) {
		if (!v->st.size_hist[i])
			continue;
		fprintf(out, " %s:%llu", size_name(n, sizeof(n), i),
			(unsigned long long)v->st.size_hist[i]);
		any = true;
	}
	if (!any)
		fputs(" -", out);
}

/* the VM's detail: who it is, then how it discards, wrapped under its row */
static void vm_detail(FILE *out, const struct host_snap *s, const struct host_vm *v,
		      bool refaults_known)
{
	char a[32], *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	long med;

	if (!m)
		return;
	vm_who(m, v);
	vm_methods(m, s, v);
	vm_sizes(m, s, v);
	if (refaults_known) {
		med = host_age_median_ms(v);
		if (med >= 0)
			fprintf(m, "; %s < %s", metric(M_HOST_REFAULT_AGE)->label,
				fmt_ns(a, sizeof(a), (uint64_t)med * 1000000));
	}
	if (v->st.zap_calls && host_method_known(s, HOST_M_PUNCH))
		fprintf(m, "; %llu punched holes also unmapped",
			(unsigned long long)v->st.zap_calls);
	if (v->st.other_calls && host_discards_known(s))
		fprintf(m, "; %s %s in %llu (not counted)", metric(M_HOST_OTHER_DISCARDED)->label,
			fmt_bytes(a, sizeof(a), v->st.other_bytes),
			(unsigned long long)v->st.other_calls);
	if (!v->ram_ranges && !v->ram_by_vma)
		fputs("; guest RAM not found: every discard counted", m);
	if (v->hugetlb)
		fputs("; RAM on hugetlbfs", m);
	if (!v->alive)
		fputs("; exited", m);
	if (fclose(m) == 0 && text)
		fmt_print_wrapped(out, "        ", text);
	free(text);
}

/* a fault probe left out because the scan finds refaults (its reason says so) */
static bool unused(const struct host_snap *s, int probe)
{
	return s->refaults == HOST_REFAULTS_SCAN && (probe == HP_FAULT || probe == HP_KVM_FAULT);
}

static const char *refault_method(const struct host_snap *s)
{
	if (!s->probe[HP_PAGEMAP].attached)
		return NULL;
	return s->refaults == HOST_REFAULTS_SCAN ? "pagemap_scan" : "page_faults";
}

static void probes_line(FILE *out, const struct host_snap *s)
{
	int i;

	char line[512] = "probes:", why[512];
	size_t n;

	for (i = 0; i < HP__COUNT; i++) {
		const struct probe_status *p = &s->probe[i];

		n = strlen(line);
		snprintf(line + n, sizeof(line) - n, "%s %s %s", i ? "," : "", host_probe_name(i),
			 p->attached	      ? attach_mode_name(p->mode)
			 : unused(s, i) ? "unused"
					: "n/a");
	}
	fmt_print_line(out, line);
	for (i = 0; i < HP__COUNT; i++) {
		if (s->probe[i].attached || unused(s, i))
			continue;
		snprintf(why, sizeof(why), "  %s: ", host_probe_name(i));
		fmt_print_wrapped(out, why, s->probe[i].reason);
	}
}

static char *signed_bytes(char *buf, size_t len, int64_t v)
{
	char b[32];

	snprintf(buf, len, "%s%s", v < 0 ? "-" : "+",
		 fmt_bytes(b, sizeof(b), (uint64_t)(v < 0 ? -v : v)));
	return buf;
}

const char *host_col_label(enum host_col c)
{
	static const enum metric_id ids[HC__COUNT] = {
	    [HC_DISCARD_RATE] = M_HOST_DISCARD_RATE,
	    [HC_REFAULT_RATE] = M_HOST_REFAULT_RATE,
	    [HC_DISCARDED] = M_HOST_DISCARDED,
	    [HC_REFAULTED] = M_HOST_REFAULTED,
	    [HC_RSS] = M_HOST_RSS,
	    [HC_RSS_CHANGE] = M_HOST_RSS_CHANGE,
	};

	if (c == HC_PID)
		return "PID";
	if (c == HC_NAME)
		return "NAME";
	return c < HC__COUNT ? metric(ids[c])->label : "?";
}

/* 80 columns: the name is cut here and written whole on the detail line */
#define ROW_FMT "%7s %-10.10s %10s %10s %9s %9s %8s %10s"

void host_row_head(char *buf, size_t len)
{
	snprintf(buf, len, ROW_FMT, "PID", "NAME", host_col_label(HC_DISCARD_RATE),
		 host_col_label(HC_REFAULT_RATE), host_col_label(HC_DISCARDED),
		 host_col_label(HC_REFAULTED), host_col_label(HC_RSS),
		 host_col_label(HC_RSS_CHANGE));
}

void host_row(char *buf, size_t len, const struct host_snap *cur, const struct host_snap *prev,
	      int i)
{
	bool refaults = host_refaults_known(cur), discards = host_discards_known(cur);
	double secs = window_s(cur, prev);
	const struct host_vm *v = &cur->vm[i];
	char p[16], a[32], b[32], c[32], d[32], e[32], f[32];
	struct host_vm_delta dl;

	host_delta(&dl, v, prev, secs);
	snprintf(p, sizeof(p), "%d", v->pid);
	snprintf(buf, len, ROW_FMT, p, v->name,
		 !discards	       ? "n/a"
		 : secs > 0 && dl.prev ? fmt_mib_per_s(a, sizeof(a), dl.discarded_bytes / secs)
				       : fmt_dash(),
		 !refaults	       ? "n/a"
		 : secs > 0 && dl.prev ? fmt_mib_per_s(b, sizeof(b), dl.refaulted_bytes / secs)
				       : fmt_dash(),
		 discards ? fmt_bytes(c, sizeof(c), host_vm_discarded(v)) : "n/a",
		 refaults ? fmt_bytes(d, sizeof(d), v->refaulted_bytes) : "n/a",
		 fmt_known_bytes(e, sizeof(e), v->rss_known, v->rss_kib * 1024),
		 dl.rss_change_known ? signed_bytes(f, sizeof(f), dl.rss_change_kib * 1024)
				     : fmt_dash());
}

bool host_col_value(const struct host_snap *cur, const struct host_snap *prev, int i,
		    enum host_col c, double *out)
{
	const struct host_vm *v = &cur->vm[i];
	double secs = window_s(cur, prev);
	bool discards = host_discards_known(cur), refaults = host_refaults_known(cur);
	struct host_vm_delta dl;

	host_delta(&dl, v, prev, secs);
	switch (c) {
	case HC_PID:
		*out = v->pid;
		return true;
	case HC_DISCARD_RATE:
		*out = secs > 0 ? dl.discarded_bytes / secs : 0;
		return discards && secs > 0 && dl.prev;
	case HC_REFAULT_RATE:
		*out = secs > 0 ? dl.refaulted_bytes / secs : 0;
		return refaults && secs > 0 && dl.prev;
	case HC_DISCARDED:
		*out = (double)host_vm_discarded(v);
		return discards;
	case HC_REFAULTED:
		*out = (double)v->refaulted_bytes;
		return refaults;
	case HC_RSS:
		*out = (double)v->rss_kib * 1024;
		return v->rss_known;
	case HC_RSS_CHANGE:
		*out = (double)dl.rss_change_kib * 1024;
		return dl.rss_change_known;
	default:
		return false;
	}
}

struct sort_ctx {
	const struct host_snap *cur, *prev;
	enum host_col col;
	bool desc;
};

static int by_col(const struct sort_ctx *x, int a, int b)
{
	double va = 0, vb = 0;
	bool ka, kb;
	int d;

	if (x->col == HC_NAME) {
		d = strcmp(x->cur->vm[a].name, x->cur->vm[b].name);
		return x->desc ? -d : d;
	}
	ka = host_col_value(x->cur, x->prev, a, x->col, &va);
	kb = host_col_value(x->cur, x->prev, b, x->col, &vb);
	if (ka != kb)
		return ka ? -1 : 1; /* unknown last, whichever the direction */
	if (!ka || va == vb)
		return 0;
	d = va < vb ? -1 : 1;
	return x->desc ? -d : d;
}

void host_sort(int *order, const struct host_snap *cur, const struct host_snap *prev,
	       enum host_col col, bool desc)
{
	struct sort_ctx x = {cur, prev, col, desc};
	int i, j, k;

	/* insertion sort: stable, and at most HOST_MAX_VMS rows */
	for (i = 0; i < cur->nvms; i++) {
		k = i;
		for (j = i; j > 0; j--) {
			int d = by_col(&x, k, order[j - 1]);

			if (d > 0 || (d == 0 && cur->vm[k].pid >= cur->vm[order[j - 1]].pid))
				break;
			order[j] = order[j - 1];
		}
		order[j] = k;
	}
}

void host_text_frame(FILE *out, const struct host_snap *cur, const struct host_snap *prev,
		     bool timestamp)
{
	double secs = window_s(cur, prev);
	char t[32], head[256], row[256];
	size_t n;
	int i;

	/* "label: text" so that a long kernel release wraps under it at 80 columns */
	n = (size_t)snprintf(head, sizeof(head), "prtop host %s: %d VM%s (%s)", cur->kernel,
			     cur->nvms, cur->nvms == 1 ? "" : "s",
			     cur->discovering ? "by name" : "--pid");
	if (secs > 0 && n < sizeof(head))
		n += (size_t)snprintf(head + n, sizeof(head) - n, ", window %.1f s", secs);
	if (timestamp && n < sizeof(head)) {
		struct tm tm;
		time_t w = cur->wall_s;

		strftime(t, sizeof(t), "%F %T", localtime_r(&w, &tm));
		snprintf(head + n, sizeof(head) - n, ", %s", t);
	}
	fmt_print_line(out, head);
	host_row_head(row, sizeof(row));
	fprintf(out, "%s\n", row);
	if (!cur->nvms)
		fmt_print_wrapped(out, "  ",
				  cur->discovering
				      ? "(no VMM process: none of " HOST_VMM_NAMES " runs)"
				      : "(no VMM process: the --pid processes are gone)");
	for (i = 0; i < cur->nvms; i++) {
		host_row(row, sizeof(row), cur, prev, i);
		fprintf(out, "%s\n", row);
		host_vm_detail(out, cur, i);
	}
	host_frame_notes(out, cur);
}

void host_frame_notes(FILE *out, const struct host_snap *cur)
{
	if (cur->vms_dropped)
		fprintf(out, "  %d more VMM processes not watched (limit %d)\n", cur->vms_dropped,
			HOST_MAX_VMS);
	if (cur->chunks_unscanned)
		fprintf(out, "  %llu discarded chunks left for a later sample (at most %d a sample)\n",
			(unsigned long long)cur->chunks_unscanned, HOST_SCAN_CHUNKS);
	if (cur->events_lost)
		fprintf(out, "  %llu %s: refaulted bytes are a lower bound\n",
			(unsigned long long)cur->events_lost,
			metric(M_HOST_REFAULT_EVENTS_LOST)->label);
	probes_line(out, cur);
}

void host_vm_detail(FILE *out, const struct host_snap *cur, int i)
{
	vm_detail(out, cur, &cur->vm[i], host_refaults_known(cur));
}

/* ---- JSON ---- */

/* a figure under its row's key (the last part of a dotted one) */
static void add(struct json_object *o, enum metric_id id, struct json_object *v)
{
	json_object_object_add(o, metric_json_leaf(id), v);
}

static struct json_object *u64(uint64_t v)
{
	return json_object_new_uint64(v);
}

/* a string, or null when unknown ("") */
static struct json_object *str_or_null(const char *s)
{
	return s[0] ? json_object_new_string(s) : NULL;
}

/* who manages the VM; null where the host does not show it */
static struct json_object *identity_json(const struct host_identity *id)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "manager", str_or_null(id->manager));
	json_object_object_add(o, "name", str_or_null(id->name));
	json_object_object_add(o, "namespace", str_or_null(id->ns));
	json_object_object_add(o, "uuid", str_or_null(id->uuid));
	json_object_object_add(o, "pod_uid", str_or_null(id->pod_uid));
	return o;
}

/* a KiB figure in bytes, null when absent */
static struct json_object *kib_or_null(int64_t kib)
{
	return kib < 0 ? NULL
		       : json_object_new_int64(kib > INT64_MAX / 1024 ? INT64_MAX : kib * 1024);
}

/* what the VM's manager says of its memory; null when it said nothing */
static struct json_object *manager_stats_json(const struct host_vm *v)
{
	struct json_object *o;

	if (!v->ms.known)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "source", json_object_new_string(v->id.manager));
	json_object_object_add(o, "actual_bytes", kib_or_null(v->ms.actual_kib));
	json_object_object_add(o, "rss_bytes", kib_or_null(v->ms.rss_kib));
	json_object_object_add(o, "usable_bytes", kib_or_null(v->ms.usable_kib));
	return o;
}

static struct json_object *u64_if(bool known, uint64_t v)
{
	return known ? u64(v) : NULL;
}

static struct json_object *vm_json(const struct host_snap *s, const struct host_vm *v,
				   const struct host_snap *prev, double secs)
{
	bool refaults = host_refaults_known(s), discards = host_discards_known(s);
	struct json_object *o = json_object_new_object(), *m = json_object_new_object();
	struct json_object *sz = json_object_new_object(), *age = json_object_new_object();
	struct json_object *w = json_object_new_object();
	struct host_vm_delta dl;
	char n[16];
	int i;

	host_delta(&dl, v, prev, secs);
	json_object_object_add(o, "pid", json_object_new_int(v->pid));
	json_object_object_add(o, "name", json_object_new_string(v->name));
	json_object_object_add(o, "comm", json_object_new_string(v->comm));
	json_object_object_add(o, "vmm", json_object_new_string(v->vmm));
	json_object_object_add(o, "vmm_known", json_object_new_boolean(v->known_vmm));
	json_object_object_add(o, "identity", identity_json(&v->id));
	add(o, M_HOST_MANAGER_MEMORY, manager_stats_json(v));
	json_object_object_add(o, "alive", json_object_new_boolean(v->alive));
	json_object_object_add(o, "backing",
			       json_object_new_string(v->hugetlb ? "hugetlbfs" : "pages"));
	add(o, M_HOST_DISCARDED, u64_if(discards, host_vm_discarded(v)));
	add(o, M_HOST_DISCARD_CALLS, u64_if(discards, host_vm_calls(v)));
	add(o, M_HOST_DISCARD_FAILED, u64_if(discards, v->st.failed));
	for (i = 0; i < HOST_M__COUNT; i++) {
		struct json_object *x = NULL;

		if (host_method_known(s, i)) {
			x = json_object_new_object();
			json_object_object_add(x, "bytes", u64(v->st.bytes[i]));
			json_object_object_add(x, "calls", u64(v->st.calls[i]));
		}
		json_object_object_add(m, host_method_name(i), x);
	}
	json_object_object_add(o, "by_method", m);
	json_object_object_add(o, "zap_bytes",
			       u64_if(host_method_known(s, HOST_M_PUNCH), v->st.zap_bytes));
	json_object_object_add(o, "zap_calls",
			       u64_if(host_method_known(s, HOST_M_PUNCH), v->st.zap_calls));
	add(o, M_HOST_OTHER_DISCARDED, u64_if(discards, v->st.other_bytes));
	json_object_object_add(o, "other_discard_calls", u64_if(discards, v->st.other_calls));
	json_object_object_add(o, "guest_ram_bytes", v->ram_ranges ? u64(v->ram_bytes) : NULL);
	json_object_object_add(o, "guest_ram_ranges", json_object_new_int(v->ram_ranges));
	json_object_object_add(o, "guest_ram_rule",
			       v->ram_rule ? json_object_new_string(v->ram_rule) : NULL);
	/* how each discard is judged: its VMA's MADV_DONTFORK, or the ranges */
	json_object_object_add(o, "guest_ram_judged_by",
			       json_object_new_string(v->ram_by_vma ? "dontfork" : "ranges"));
	for (i = 0; i < HOST_SIZE_SLOTS; i++)
		if (v->st.size_hist[i]) {
			if (i == HOST_SIZE_SLOTS - 1)
				snprintf(n, sizeof(n), "+Inf");
			else
				snprintf(n, sizeof(n), "%llu", 1ULL << (12 + i));
			json_object_object_add(sz, n, u64(v->st.size_hist[i]));
		}
	if (discards) {
		add(o, M_HOST_DISCARD_SIZE, sz);
	} else {
		add(o, M_HOST_DISCARD_SIZE, NULL);
		json_object_put(sz);
	}
	if (refaults) {
		add(o, M_HOST_REFAULTED, u64(v->refaulted_bytes));
		for (i = 0; i < HOST_AGE_SLOTS; i++)
			if (v->age_hist[i]) {
				if (i == HOST_AGE_SLOTS - 1)
					snprintf(n, sizeof(n), "+Inf");
				else
					snprintf(n, sizeof(n), "%llu", 1ULL << i);
				json_object_object_add(age, n, u64(v->age_hist[i]));
			}
		add(o, M_HOST_REFAULT_AGE, age);
		json_object_object_add(o, "refault_age_median_ms",
				       host_age_median_ms(v) < 0
					   ? NULL
					   : json_object_new_int64(host_age_median_ms(v)));
	} else {
		add(o, M_HOST_REFAULTED, NULL);
		json_object_put(age);
	}
	add(o, M_HOST_CHUNKS_UNTRACKED, u64(v->st.chunks_untracked));
	add(o, M_HOST_RSS, v->rss_known ? u64(v->rss_kib * 1024) : NULL);
	json_object_object_add(o, "rss_anon_bytes",
			       v->rss_known ? u64(v->rss_anon_kib * 1024) : NULL);
	json_object_object_add(o, "rss_shmem_bytes",
			       v->rss_known ? u64(v->rss_shmem_kib * 1024) : NULL);
	/* the window: null until the VM was in the sample before */
	json_object_object_add(w, "seconds", json_object_new_double(secs));
	add(w, M_HOST_DISCARD_RATE, u64_if(dl.prev && discards, dl.discarded_bytes));
	json_object_object_add(w, "discard_calls", u64_if(dl.prev && discards, dl.discard_calls));
	json_object_object_add(w, "refaulted_bytes",
			       dl.prev && refaults ? u64(dl.refaulted_bytes) : NULL);
	add(w, M_HOST_REFAULT_RATE,
	    dl.prev && refaults && secs > 0 ? json_object_new_double(dl.refaulted_bytes / secs)
					    : NULL);
	add(w, M_HOST_RSS_CHANGE,
	    dl.rss_change_known ? json_object_new_int64(dl.rss_change_kib * 1024) : NULL);
	json_object_object_add(o, "window", w);
	return o;
}

static struct json_object *probes_json(const struct host_snap *s)
{
	struct json_object *p = json_object_new_object();
	int i;

	for (i = 0; i < HP__COUNT; i++) {
		const struct probe_status *ps = &s->probe[i];
		struct json_object *x = json_object_new_object();

		json_object_object_add(x, "attached", json_object_new_boolean(ps->attached));
		json_object_object_add(
		    x, "mode",
		    ps->attached ? json_object_new_string(attach_mode_name(ps->mode)) : NULL);
		json_object_object_add(x, "detail", json_object_new_string(ps->detail));
		json_object_object_add(x, "reason",
				       ps->reason[0] ? json_object_new_string(ps->reason) : NULL);
		json_object_object_add(x, "hint",
				       ps->hint[0] ? json_object_new_string(ps->hint) : NULL);
		json_object_object_add(p, host_probe_name(i), x);
	}
	return p;
}

/*
 * How refaults are found, and so what an age means: PAGEMAP_SCAN finds a
 * page back at a sample, its fault somewhere since the sample before
 * (resolution: the interval); a traced fault is timed to the fault
 */
static void refaults_json(struct json_object *o, const struct host_snap *s, double secs)
{
	const char *m = refault_method(s);
	bool scan = m && s->refaults == HOST_REFAULTS_SCAN;

	json_object_object_add(o, "refault_method", m ? json_object_new_string(m) : NULL);
	json_object_object_add(o, "refault_age_resolution_s",
			       scan && secs > 0 ? json_object_new_double(secs) : NULL);
	json_object_object_add(o, "chunks_unscanned", scan ? u64(s->chunks_unscanned) : NULL);
	json_object_object_add(o, "refault_scan_errors", scan ? u64(s->scan_errors) : NULL);
}

struct json_object *host_json(const struct host_snap *cur, const struct host_snap *prev)
{
	struct json_object *o = json_object_new_object(), *vms = json_object_new_array();
	double secs = window_s(cur, prev);
	int i;

	json_object_object_add(o, "time", json_object_new_int64(cur->wall_s));
	json_object_object_add(o, "kernel", json_object_new_string(cur->kernel));
	json_object_object_add(o, "interval_s", json_object_new_double(secs));
	json_object_object_add(o, "discovery",
			       json_object_new_string(cur->discovering ? "by name" : "--pid"));
	for (i = 0; i < cur->nvms; i++)
		json_object_array_add(vms, vm_json(cur, &cur->vm[i], prev, secs));
	add(o, M_HOST_VM, vms);
	json_object_object_add(o, "vms_not_watched", json_object_new_int(cur->vms_dropped));
	json_object_object_add(o, "refault_events_lost", u64(cur->events_lost));
	json_object_object_add(o, "chunks_tracked", u64(cur->chunks_tracked));
	refaults_json(o, cur, secs);
	add(o, M_HOST_PROBE_ATTACHED, probes_json(cur));
	return o;
}

/* ---- doctor --host ---- */

void host_doctor_print(FILE *out, const struct host_snap *s)
{
	char lead[40], line[512];
	int i, idle = 0;

	fprintf(out, "prtop doctor --host: kernel %s\n\n", s->kernel);
	for (i = 0; i < HP__COUNT; i++) {
		const struct probe_status *p = &s->probe[i];

		snprintf(lead, sizeof(lead), "  %-16s %-11s ", host_probe_name(i),
			 p->attached ? attach_mode_name(p->mode) : "n/a");
		fmt_print_wrapped(out, lead, p->detail);
		if (!p->attached) {
			fmt_print_wrapped(out, "                   why: ", p->reason);
			if (p->hint[0])
				fmt_print_wrapped(out, "                   do:  ", p->hint);
			if (i == HP_KVM_FAULT && s->kvm_device == 0 && unused(s, i))
				fmt_print_wrapped(out, "                   note: ",
						  "no /dev/kvm on this machine: no KVM guest runs "
						  "here, so this probe cannot fire; the scan finds "
						  "the refaults of TCG and other userspace VMMs");
		} else if (p->reason[0]) {
			fmt_print_wrapped(out, "                   note: ", p->reason);
		} else if (i == HP_KVM_FAULT && s->kvm_device == 0) {
			fmt_print_wrapped(out, "                   note: ",
					  "no /dev/kvm on this machine: no KVM guest runs here, so "
					  "this probe cannot fire; the refaults of TCG and other "
					  "userspace VMMs come through page_fault_user");
		}
	}
	if (s->in_guest) {
		fputc('\n', out);
		fmt_print_wrapped(out, "",
				  "This machine is itself a virtual machine (the hypervisor CPU "
				  "flag): its VMs are nested, and what they give back returns to "
				  "this guest's free memory, which its own free page reporting may "
				  "pass on to the hypervisor below.");
	}
	fprintf(out, "\nVMM processes: %d\n", s->nvms);
	if (s->discovering)
		fmt_print_wrapped(out, "  ", "(found by name: " HOST_VMM_NAMES ")");
	for (i = 0; i < s->nvms; i++) {
		const struct host_vm *v = &s->vm[i];

		snprintf(line, sizeof(line), "%d %s (%s)%s%s", v->pid, v->name, v->vmm,
			 v->known_vmm ? "" : ": not a VMM prtop knows; every discard is counted",
			 v->hugetlb ? ": RAM on hugetlbfs: a report smaller than its page size "
				      "cannot be discarded"
				    : "");
		fmt_print_wrapped(out, "  ", line);
		idle += !host_vm_calls(v);
	}
	if (idle) {
		snprintf(line, sizeof(line),
			 "%d VM(s) discarded nothing while watched.  If their guests report "
			 "(prtop stat in the guest shows reported bytes), discards are inhibited "
			 "(QEMU: VFIO or postcopy; see virtio_balloon_inhibited), the VMM ignores "
			 "reports (free-page-reporting=off), or the guest RAM is hugetlbfs-backed.",
			 idle);
		fputc('\n', out);
		fmt_print_wrapped(out, "", line);
	}
}

struct json_object *host_doctor_json(const struct host_snap *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kernel", json_object_new_string(s->kernel));
	add(o, M_HOST_PROBE_ATTACHED, probes_json(s));
	json_object_object_add(o, "vms", json_object_new_int(s->nvms));
	json_object_object_add(o, "kvm_device",
			       s->kvm_device < 0 ? NULL : json_object_new_boolean(s->kvm_device));
	json_object_object_add(o, "in_guest", json_object_new_boolean(s->in_guest));
	refaults_json(o, s, 0);
	return o;
}
