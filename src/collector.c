// SPDX-License-Identifier: GPL-2.0
/*
 * The collector: decides, probe by probe, the best way the running kernel
 * allows to observe free page reporting, loads and attaches the BPF
 * programs, and fills snapshots.  Layers, best first: the bundled patch's
 * tracepoints, fentry/fexit, kprobes, stock tracepoints.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "collector.h"
#include "knob.h"
#include "procfs.h"
#include "reuse.h"
#include "str.h"
#include "prtop.skel.h"

#define SYS_BTF_DIR    "/sys/kernel/btf"
#define KPROBE_PMU     "/sys/bus/event_source/devices/kprobe/type"
#define PARAMS_DIR     "/sys/module/page_reporting/parameters"
#define BUDDYINFO      "/proc/buddyinfo"
#define KPAGEFLAGS     "/proc/kpageflags"
#define MAX_REPORT_FNS 4

struct report_fn {
	char name[64];
	char module[64]; /* "" for vmlinux */
};

struct collector {
	struct collector_opts opts;
	struct prtop_bpf *skel;
	struct bpf_link *links[32];
	int nlinks;
	struct ring_buffer *rb;
	struct reuse_tracker *reuse;
	struct ksyms *ksyms;
	struct btf *vmlinux_btf;
	struct report_fn report_fns[MAX_REPORT_FNS];
	int nreport_fns;
	int report_pick; /* index into report_fns, -1: none */
	bool fentry_ok;
	char fentry_err[160];
	bool kprobe_ok;
	char kprobe_err[160];
	unsigned int patch_tps; /* bit i: patch_tp_names[i] is in the BTF */
	struct probe_status probe[PROBE__COUNT];
	struct layer_status layer[LAYER__COUNT];
	uint64_t page_size;
	uint64_t start_ns;
	uint64_t startup_ns;
	uint64_t last_scan_ns; /* last reuse scan */
	uint64_t seq;
	char kernel[128];
};

/* ---- libbpf messages: kept for error reasons, shown with -v ---- */

static bool verbose;
static char last_libbpf_msg[256];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	va_list copy;
	size_t n;

	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	if (verbose) {
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (level == LIBBPF_WARN && n)
		snprintf(last_libbpf_msg, sizeof(last_libbpf_msg), "%s", buf);
	return 0;
}

static const char *errno_name(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case ESRCH:
		return "ESRCH";
	case ENOTSUP:
		return "ENOTSUP";
	case E2BIG:
		return "E2BIG";
	case ENOMEM:
		return "ENOMEM";
	case EBUSY:
		return "EBUSY";
	default:
		return "error";
	}
}

static void set_status(struct collector *c, enum probe_id id, enum attach_mode mode,
		       const char *detail, const char *reason, const char *hint)
{
	struct probe_status *p = &c->probe[id];

	p->mode = mode;
	p->attached = mode != MODE_NONE;
	/* the status lines are the sink: cut to their width here, nowhere else */
	str_copy(p->detail, sizeof(p->detail), detail);
	str_copy(p->reason, sizeof(p->reason), reason);
	str_copy(p->hint, sizeof(p->hint), hint);
}

/* ---- what the kernel offers ---- */

static bool btf_has_func(const struct btf *btf, const char *name)
{
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

static bool is_ptr_to_struct(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!t || !btf_is_ptr(t))
		return false;
	t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
	return t && btf_is_struct(t) && !strcmp(btf__name_by_offset(btf, t->name_off), name);
}

/* report() implementations: int f(struct page_reporting_dev_info *, struct scatterlist *, unsigned
 * int) */
static void scan_report_fns(struct collector *c, const struct btf *btf, const char *module)
{
	__u32 id, n = btf__type_cnt(btf);

	for (id = 1; id < n && c->nreport_fns < MAX_REPORT_FNS; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id), *proto;
		const struct btf_param *p;
		struct report_fn *r;

		if (!btf_is_func(t))
			continue;
		proto = btf__type_by_id(btf, t->type);
		if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) != 3)
			continue;
		p = btf_params(proto);
		if (!is_ptr_to_struct(btf, p[0].type, "page_reporting_dev_info") ||
		    !is_ptr_to_struct(btf, p[1].type, "scatterlist"))
			continue;
		r = &c->report_fns[c->nreport_fns++];
		snprintf(r->name, sizeof(r->name), "%s", btf__name_by_offset(btf, t->name_off));
		snprintf(r->module, sizeof(r->module), "%s", module);
	}
}

static void find_report_fns(struct collector *c)
{
	struct dirent *de;
	DIR *d;

	if (c->vmlinux_btf)
		scan_report_fns(c, c->vmlinux_btf, "");
	d = opendir(SYS_BTF_DIR);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512];
		struct btf *mb;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux"))
			continue;
		snprintf(path, sizeof(path), SYS_BTF_DIR "/%s", de->d_name);
		mb = btf__parse_split(path, c->vmlinux_btf);
		if (!mb)
			continue;
		scan_report_fns(c, mb, de->d_name);
		btf__free(mb);
	}
	closedir(d);
}

static uint64_t ksym_addr(const struct collector *c, const char *name)
{
	const struct ksym *k = ksyms_by_name(c->ksyms, name);

	return k ? k->addr : 0;
}

/*
 * Why fentry/kprobe cannot attach to a function by its plain name, or NULL
 * when it can.  Writes into buf.
 */
static const char *fn_unattachable(struct collector *c, const char *name, char *buf, size_t len)
{
	const struct ksym *clone;

	if (ksyms_by_name(c->ksyms, name))
		return NULL;
	clone = ksyms_clone_of(c->ksyms, name);
	if (clone)
		snprintf(
		    buf, len,
		    "%s is renamed by the compiler to %s on this kernel: not attachable by name",
		    name, clone->name);
	else
		snprintf(buf, len, "%s is inlined on this kernel (no symbol)", name);
	return buf;
}

static void probe_kprobe_support(struct collector *c)
{
	c->kprobe_ok =
	    access(KPROBE_PMU, R_OK) == 0 || access("/sys/kernel/tracing/kprobe_events", W_OK) == 0;
	if (!c->kprobe_ok)
		snprintf(c->kprobe_err, sizeof(c->kprobe_err),
			 "not built in (CONFIG_KPROBES unset)");
}

/* ---- the plan: which programs load ---- */

struct plan {
	bool fentry; /* try fentry programs */
	/* the bundled patch's tracepoints present in BTF */
	bool pt_request, pt_work, pt_report, pt_cycle, pt_reset, pt_alloc;
	bool notify_f, worker_f, report_f, cycle_f, drain_f;
	bool notify_k, worker_k, report_k, cycle_k, drain_k;
	bool worker_tp, delay_tp, reuse_exact;
};

/* the bundled patch's tracepoints, page_reporting_<name> */
enum patch_tp {
	PT_REQUEST,
	PT_WORK_START,
	PT_WORK_END,
	PT_REPORT,
	PT_CYCLE,
	PT_BOUNDARY_RESET,
	PT_REPORTED_PAGE_ALLOC,
	PT__COUNT,
};

static const char *const patch_tp_names[PT__COUNT] = {
    "request", "work_start", "work_end", "report", "cycle", "boundary_reset", "reported_page_alloc",
};

#define PT_PREFIX "btf_trace_page_reporting_"

/* one pass over the kernel's BTF: which btf_trace_page_reporting_* exist */
static void find_patch_tps(struct collector *c)
{
	const struct btf *btf = c->vmlinux_btf;
	__u32 id, n = btf__type_cnt(btf);
	size_t len = strlen(PT_PREFIX);
	int i;

	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (!btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (strncmp(name, PT_PREFIX, len))
			continue;
		for (i = 0; i < PT__COUNT; i++)
			if (!strcmp(name + len, patch_tp_names[i]))
				c->patch_tps |= 1u << i;
	}
}

static bool has_tp(const struct collector *c, enum patch_tp tp)
{
	return c->patch_tps & (1u << tp);
}

static void plan_patch(struct collector *c, struct plan *p)
{
	p->pt_request = has_tp(c, PT_REQUEST);
	p->pt_work = has_tp(c, PT_WORK_START) && has_tp(c, PT_WORK_END);
	p->pt_report = has_tp(c, PT_REPORT);
	p->pt_cycle = has_tp(c, PT_CYCLE);
	p->pt_reset = has_tp(c, PT_BOUNDARY_RESET);
	p->pt_alloc = has_tp(c, PT_REPORTED_PAGE_ALLOC) && !c->opts.no_reuse;
}

/* fentry on fn: in BTF and attachable by name */
static bool fentry_fn_ok(struct collector *c, const char *fn)
{
	char buf[160];

	return btf_has_func(c->vmlinux_btf, fn) && !fn_unattachable(c, fn, buf, sizeof(buf));
}

static void make_plan(struct collector *c, struct plan *p, bool fentry)
{
	bool report = c->report_pick >= 0;
	const char *fn = report ? c->report_fns[c->report_pick].name : NULL;
	bool fn_ok =
	    report && (!c->report_fns[c->report_pick].module[0] || ksyms_by_name(c->ksyms, fn));

	memset(p, 0, sizeof(*p));
	p->fentry = fentry;
	plan_patch(c, p);
	if (fentry) {
		p->notify_f = !p->pt_request && fentry_fn_ok(c, "__page_reporting_notify");
		p->worker_f = !p->pt_work && fentry_fn_ok(c, "page_reporting_process");
		p->report_f = !p->pt_report && fn_ok;
		p->cycle_f = !p->pt_cycle && fentry_fn_ok(c, "page_reporting_cycle");
		p->drain_f = fentry_fn_ok(c, "page_reporting_drain");
	}
	if (c->kprobe_ok) {
		p->notify_k = !p->pt_request && !p->notify_f &&
			      ksyms_by_name(c->ksyms, "__page_reporting_notify");
		p->worker_k = !p->pt_work && !p->worker_f &&
			      ksyms_by_name(c->ksyms, "page_reporting_process");
		p->report_k = !p->pt_report && !p->report_f && fn_ok;
		/* a clone's arguments may differ: only the real function */
		p->cycle_k =
		    !p->pt_cycle && !p->cycle_f && ksyms_by_name(c->ksyms, "page_reporting_cycle");
		p->drain_k = !p->drain_f && (ksyms_by_name(c->ksyms, "page_reporting_drain") ||
					     ksyms_clone_of(c->ksyms, "page_reporting_drain"));
	}
	p->worker_tp = !p->pt_work && !p->worker_f && !p->worker_k;
	p->delay_tp = !p->pt_request && !p->notify_f && !p->notify_k;
	/* the patch's tracepoint is exact and costs nothing on other pages */
	/* the hook costs every allocation: only where report() gives ranges to match */
	p->reuse_exact = c->opts.reuse_exact && !p->pt_alloc &&
			 (p->pt_report || p->report_f || p->report_k);
}

static bool plan_has_fentry(const struct plan *p)
{
	return p->notify_f || p->worker_f || p->report_f || p->cycle_f || p->drain_f;
}

static void set_autoload(struct prtop_bpf *s, const struct plan *p)
{
	bpf_program__set_autoload(s->progs.notify_fentry, p->notify_f);
	bpf_program__set_autoload(s->progs.worker_fentry, p->worker_f);
	bpf_program__set_autoload(s->progs.worker_fexit, p->worker_f);
	bpf_program__set_autoload(s->progs.report_fentry, p->report_f);
	bpf_program__set_autoload(s->progs.report_fexit, p->report_f);
	bpf_program__set_autoload(s->progs.cycle_fentry, p->cycle_f);
	bpf_program__set_autoload(s->progs.drain_fentry, p->drain_f);
	bpf_program__set_autoload(s->progs.notify_kprobe, p->notify_k);
	bpf_program__set_autoload(s->progs.worker_kprobe, p->worker_k);
	bpf_program__set_autoload(s->progs.worker_kretprobe, p->worker_k);
	bpf_program__set_autoload(s->progs.report_kprobe, p->report_k);
	bpf_program__set_autoload(s->progs.report_kretprobe, p->report_k);
	bpf_program__set_autoload(s->progs.cycle_kprobe, p->cycle_k);
	bpf_program__set_autoload(s->progs.drain_kprobe, p->drain_k);
	bpf_program__set_autoload(s->progs.worker_tp_start, p->worker_tp);
	bpf_program__set_autoload(s->progs.worker_tp_end, p->worker_tp);
	bpf_program__set_autoload(s->progs.delay_tp_timer, p->delay_tp);
	bpf_program__set_autoload(s->progs.reuse_tp_alloc, p->reuse_exact);
	bpf_program__set_autoload(s->progs.pt_request, p->pt_request);
	bpf_program__set_autoload(s->progs.pt_work_start, p->pt_work);
	bpf_program__set_autoload(s->progs.pt_work_end, p->pt_work);
	bpf_program__set_autoload(s->progs.pt_report, p->pt_report);
	bpf_program__set_autoload(s->progs.pt_cycle, p->pt_cycle);
	bpf_program__set_autoload(s->progs.pt_boundary_reset, p->pt_reset);
	bpf_program__set_autoload(s->progs.pt_reported_alloc, p->pt_alloc);
}

static int page_reporting_order(void)
{
	char buf[32];
	FILE *f = fopen(PARAMS_DIR "/page_reporting_order", "r");
	int v = -1;

	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = atoi(buf);
	fclose(f);
	return v;
}

static void set_rodata(struct collector *c, struct prtop_bpf *s, const struct plan *p)
{
	int order = page_reporting_order();
	long psz = sysconf(_SC_PAGESIZE);
	__u32 shift = 0;

	while ((1L << shift) < psz)
		shift++;
	s->rodata->worker_fn = ksym_addr(c, "page_reporting_process");
	s->rodata->dwork_timer_fn = ksym_addr(c, "delayed_work_timer_fn");
	s->rodata->pr_dev_info_addr = ksym_addr(c, "pr_dev_info");
	s->rodata->vmemmap_base_addr = ksym_addr(c, "vmemmap_base");
	s->rodata->page_shift = shift;
	s->rodata->track_ranges = !c->opts.no_reuse && !c->opts.reuse_exact && !p->pt_report &&
				  !p->pt_alloc && s->rodata->vmemmap_base_addr;
	s->rodata->reuse_exact = p->reuse_exact;
	s->rodata->min_report_order = order > 0 && order <= 10 ? order : 0;
}

/* Open, configure and load; on failure returns -errno with the reason in msg. */
static int load_skel(struct collector *c, const struct plan *p, char *msg, size_t len)
{
	struct prtop_bpf *s;
	int err;

	s = prtop_bpf__open();
	if (!s) {
		err = -errno;
		snprintf(msg, len, "opening the BPF object failed: %s", strerror(-err));
		return err;
	}
	set_autoload(s, p);
	set_rodata(c, s, p);
	if (p->report_f) {
		const char *fn = c->report_fns[c->report_pick].name;

		bpf_program__set_attach_target(s->progs.report_fentry, 0, fn);
		bpf_program__set_attach_target(s->progs.report_fexit, 0, fn);
	}
	last_libbpf_msg[0] = '\0';
	err = prtop_bpf__load(s);
	if (err) {
		snprintf(msg, len, "%s (%s)", strerror(-err),
			 last_libbpf_msg[0] ? last_libbpf_msg : "no message from libbpf");
		prtop_bpf__destroy(s);
		return err;
	}
	c->skel = s;
	return 0;
}

/* ---- attaching ---- */

static int keep_link(struct collector *c, struct bpf_link *l, char *why, size_t len)
{
	int err = libbpf_get_error(l);

	if (!l || err) {
		err = err ? err : -errno;
		snprintf(why, len, "attach failed (%s)", errno_name(err));
		return err ? err : -EINVAL;
	}
	c->links[c->nlinks++] = l;
	return 0;
}

static int attach_prog(struct collector *c, struct bpf_program *prog, char *why, size_t len)
{
	return keep_link(c, bpf_program__attach(prog), why, len);
}

static int attach_kprobe(struct collector *c, struct bpf_program *prog, bool ret, const char *fn,
			 char *why, size_t len)
{
	return keep_link(c, bpf_program__attach_kprobe(prog, ret, fn), why, len);
}

/* Attach an entry/exit pair; on failure undo the first half. */
static int attach_pair(struct collector *c, struct bpf_program *a, struct bpf_program *b,
		       bool kprobe, const char *fn, char *why, size_t len)
{
	int err;

	err = kprobe ? attach_kprobe(c, a, false, fn, why, len) : attach_prog(c, a, why, len);
	if (err || !b)
		return err;
	err = kprobe ? attach_kprobe(c, b, true, fn, why, len) : attach_prog(c, b, why, len);
	if (err)
		bpf_link__destroy(c->links[--c->nlinks]);
	return err;
}

/* why a layer did not give fn: attach error, layer missing, or fn itself */
static void fn_why(struct collector *c, const char *fn, const char *attach_err,
		   const char *layer_err, bool name_first, char *buf, size_t len)
{
	if (attach_err && attach_err[0])
		snprintf(buf, len, "%s", attach_err);
	else if (name_first && fn_unattachable(c, fn, buf, len))
		return;
	else if (layer_err[0])
		snprintf(buf, len, "%s", layer_err);
	else if (!fn_unattachable(c, fn, buf, len))
		snprintf(buf, len, "%s not in kernel BTF", fn);
}

static const char *clone_or_name(struct collector *c, const char *name)
{
	const struct ksym *k = ksyms_by_name(c->ksyms, name);

	if (!k)
		k = ksyms_clone_of(c->ksyms, name);
	return k ? k->name : name;
}

static void attach_fn_probe(struct collector *c, enum probe_id id, const char *fn, bool use_f,
			    bool use_k, struct bpf_program *fa, struct bpf_program *fb,
			    struct bpf_program *ka, struct bpf_program *kb)
{
	char why[160] = "", detail[96], reason[340], fw[160], kw[160];
	const char *kfn = clone_or_name(c, fn);

	if (use_f && !attach_pair(c, fa, fb, false, fn, why, sizeof(why))) {
		snprintf(detail, sizeof(detail), "fentry%s:%s", fb ? "/fexit" : "", fn);
		set_status(c, id, MODE_FENTRY, detail, NULL, NULL);
		return;
	}
	if (use_k && !attach_pair(c, ka, kb, true, kfn, why, sizeof(why))) {
		snprintf(detail, sizeof(detail), "kprobe%s:%s", kb ? "/kretprobe" : "", kfn);
		set_status(c, id, MODE_KPROBE, detail, NULL, NULL);
		return;
	}
	fn_why(c, fn, use_f ? why : NULL, c->fentry_err, true, fw, sizeof(fw));
	fn_why(c, fn, use_k ? why : NULL, c->kprobe_err, false, kw, sizeof(kw));
	snprintf(reason, sizeof(reason), "fentry: %s; kprobe: %s", fw, kw);
	set_status(c, id, MODE_NONE, NULL, reason, NULL);
}

/*
 * A probe served by the patch's tracepoints: true when planned (attached,
 * or failed with the reason set), false to fall through to other layers.
 */
static bool attach_patch_tp(struct collector *c, enum probe_id id, bool planned,
			    struct bpf_program *a, struct bpf_program *b, const char *detail)
{
	char why[160] = "", reason[200];

	if (!planned)
		return false;
	if (!attach_pair(c, a, b, false, NULL, why, sizeof(why))) {
		set_status(c, id, MODE_PATCH_TP, detail, NULL, NULL);
		return true;
	}
	snprintf(reason, sizeof(reason), "patch tracepoint: %s", why);
	set_status(c, id, MODE_NONE, NULL, reason, NULL);
	return true;
}

static void attach_worker(struct collector *c, const struct plan *p)
{
	struct prtop_bpf *s = c->skel;
	char why[160] = "";

	if (attach_patch_tp(c, PROBE_WORKER, p->pt_work, s->progs.pt_work_start,
			    s->progs.pt_work_end, "tracepoint:page_reporting_work_start/end"))
		return;
	attach_fn_probe(c, PROBE_WORKER, "page_reporting_process", p->worker_f, p->worker_k,
			s->progs.worker_fentry, s->progs.worker_fexit, s->progs.worker_kprobe,
			s->progs.worker_kretprobe);
	if (c->probe[PROBE_WORKER].mode != MODE_NONE || !p->worker_tp)
		return;
	if (!s->rodata->worker_fn) {
		set_status(
		    c, PROBE_WORKER, MODE_NONE, NULL,
		    "page_reporting_process not in /proc/kallsyms: cannot filter workqueue events",
		    "run as root; check kptr_restrict");
		return;
	}
	if (attach_pair(c, s->progs.worker_tp_start, s->progs.worker_tp_end, false, NULL, why,
			sizeof(why))) {
		set_status(c, PROBE_WORKER, MODE_NONE, NULL, why, NULL);
		return;
	}
	set_status(c, PROBE_WORKER, MODE_TRACEPOINT,
		   "tracepoint:workqueue_execute_start/end (function == page_reporting_process)",
		   NULL, NULL);
}

static void attach_delay(struct collector *c, const struct plan *p)
{
	struct prtop_bpf *s = c->skel;
	enum attach_mode nm = c->probe[PROBE_NOTIFY].mode;
	char why[160] = "";

	if (c->probe[PROBE_WORKER].mode == MODE_NONE) {
		set_status(c, PROBE_DELAY, MODE_NONE, NULL,
			   "needs the worker probe, which is not attached", NULL);
		return;
	}
	if (nm == MODE_PATCH_TP && c->probe[PROBE_WORKER].mode == MODE_PATCH_TP) {
		set_status(c, PROBE_DELAY, nm,
			   "tracepoint:page_reporting_request (queued) or work_end (requeued) -> "
			   "work_start",
			   NULL, NULL);
		return;
	}
	if (nm != MODE_NONE) {
		set_status(
		    c, PROBE_DELAY, nm,
		    "first unserved __page_reporting_notify() or self-reschedule -> worker start",
		    NULL, NULL);
		return;
	}
	if (!p->delay_tp || !s->rodata->dwork_timer_fn) {
		set_status(c, PROBE_DELAY, MODE_NONE, NULL,
			   "no notify probe and delayed_work_timer_fn unknown", NULL);
		return;
	}
	if (attach_prog(c, s->progs.delay_tp_timer, why, sizeof(why))) {
		set_status(c, PROBE_DELAY, MODE_NONE, NULL, why, NULL);
		return;
	}
	set_status(c, PROBE_DELAY, MODE_TRACEPOINT,
		   "tracepoint:timer_start (worker's delayed_work armed) -> worker start", NULL,
		   NULL);
}

static void attach_report(struct collector *c, const struct plan *p)
{
	struct prtop_bpf *s = c->skel;
	struct report_fn *r;
	char detail[96];

	if (attach_patch_tp(c, PROBE_REPORT, p->pt_report, s->progs.pt_report, NULL,
			    "tracepoint:page_reporting_report"))
		return;
	if (c->report_pick < 0) {
		set_status(c, PROBE_REPORT, MODE_NONE, NULL,
			   "no report() implementation found in kernel or module BTF",
			   "load the balloon driver (virtio_balloon / hv_balloon) with free page "
			   "reporting enabled");
		return;
	}
	r = &c->report_fns[c->report_pick];
	attach_fn_probe(c, PROBE_REPORT, r->name, p->report_f, p->report_k, s->progs.report_fentry,
			s->progs.report_fexit, s->progs.report_kprobe, s->progs.report_kretprobe);
	if (c->probe[PROBE_REPORT].mode == MODE_NONE) {
		char reason[320];

		snprintf(reason, sizeof(reason), "%s; no stock tracepoint covers report()",
			 c->probe[PROBE_REPORT].reason);
		set_status(c, PROBE_REPORT, MODE_NONE, NULL, reason,
			   "use a kernel with fentry (BPF trampolines) or kprobes, or the bundled "
			   "patch's tracepoints");
		return;
	}
	str_printf(detail, sizeof(detail), "%s%s%s%s", c->probe[PROBE_REPORT].detail,
		   r->module[0] ? " [" : "", r->module, r->module[0] ? "]" : "");
	str_copy(c->probe[PROBE_REPORT].detail, sizeof(c->probe[PROBE_REPORT].detail), detail);
}

static void attach_optional(struct collector *c, enum probe_id id, const char *fn, bool use_f,
			    bool use_k, struct bpf_program *f, struct bpf_program *k,
			    const char *hint)
{
	char reason[320];

	attach_fn_probe(c, id, fn, use_f, use_k, f, NULL, k, NULL);
	if (c->probe[id].mode != MODE_NONE)
		return;
	snprintf(reason, sizeof(reason), "%s", c->probe[id].reason);
	set_status(c, id, MODE_NONE, NULL, reason, hint);
}

static void attach_reuse_exact(struct collector *c)
{
	struct prtop_bpf *s = c->skel;
	char why[160] = "";

	/* a hook on every allocation that could only count zeros: not attached */
	if (!c->probe[PROBE_REPORT].attached || !s->rodata->vmemmap_base_addr) {
		set_status(c, PROBE_REUSE, MODE_NONE, NULL,
			   !c->probe[PROBE_REPORT].attached
			       ? "--reuse-exact needs the reported ranges from report(), which is not "
				 "attached: the allocation hook is left off"
			       : "--reuse-exact needs vmemmap_base (not in /proc/kallsyms): the "
				 "allocation hook is left off",
			   NULL);
		return;
	}
	/* classic tracepoints need tracefs for their ids */
	if (access("/sys/kernel/tracing/events", F_OK) &&
	    access("/sys/kernel/debug/tracing/events", F_OK) &&
	    mount("none", "/sys/kernel/tracing", "tracefs", 0, NULL)) {
		snprintf(why, sizeof(why), "tracefs not mounted and mounting it failed: %s",
			 strerror(errno));
		set_status(c, PROBE_REUSE, MODE_NONE, NULL, why,
			   "mount -t tracefs none /sys/kernel/tracing");
		return;
	}
	if (attach_prog(c, s->progs.reuse_tp_alloc, why, sizeof(why))) {
		set_status(c, PROBE_REUSE, MODE_NONE, NULL, why, NULL);
		return;
	}
	set_status(c, PROBE_REUSE, MODE_TRACEPOINT,
		   "tracepoint:kmem/mm_page_alloc (exact, costs every allocation)", NULL, NULL);
}

static void attach_reuse(struct collector *c, const struct plan *p)
{
	struct prtop_bpf *s = c->skel;
	char why[160] = "";

	if (c->opts.no_reuse) {
		set_status(c, PROBE_REUSE, MODE_NONE, NULL, "disabled (--no-reuse)", NULL);
		return;
	}
	if (attach_patch_tp(c, PROBE_REUSE, p->pt_alloc, s->progs.pt_reported_alloc, NULL,
			    "tracepoint:page_reporting_reported_page_alloc (exact)")) {
		if (c->probe[PROBE_REUSE].mode == MODE_PATCH_TP)
			snprintf(
			    c->probe[PROBE_REUSE].reason, sizeof(c->probe[PROBE_REUSE].reason),
			    "counts reported pages leaving the free lists, merges with a freed "
			    "buddy included; no reuse age (the event carries no report time)");
		return;
	}
	if (p->reuse_exact) {
		attach_reuse_exact(c);
		return;
	}
	if (c->probe[PROBE_REPORT].mode == MODE_NONE) {
		set_status(c, PROBE_REUSE, MODE_NONE, NULL,
			   "needs the reported ranges from report(), which is not attached", NULL);
		return;
	}
	if (!s->rodata->vmemmap_base_addr) {
		set_status(c, PROBE_REUSE, MODE_NONE, NULL,
			   "vmemmap_base not in /proc/kallsyms (CONFIG_KALLSYMS_ALL unset): page "
			   "-> pfn unknown",
			   NULL);
		return;
	}
	c->reuse = reuse_new(c->opts.reuse_capacity ? c->opts.reuse_capacity : 65536, KPAGEFLAGS);
	if (!c->reuse || access(KPAGEFLAGS, R_OK)) {
		snprintf(why, sizeof(why), "%s unreadable: %s", KPAGEFLAGS, strerror(errno));
		set_status(c, PROBE_REUSE, MODE_NONE, NULL, why,
			   "run as root on a kernel with CONFIG_PROC_PAGE_MONITOR");
		return;
	}
	set_status(c, PROBE_REUSE, MODE_SCAN,
		   "reported ranges checked in /proc/kpageflags each sample", NULL, NULL);
}

static void attach_notify(struct collector *c, const struct plan *p)
{
	struct prtop_bpf *s = c->skel;
	char reason[320];

	if (attach_patch_tp(c, PROBE_NOTIFY, p->pt_request, s->progs.pt_request, NULL,
			    "tracepoint:page_reporting_request"))
		return;
	attach_fn_probe(c, PROBE_NOTIFY, "__page_reporting_notify", p->notify_f, p->notify_k,
			s->progs.notify_fentry, NULL, s->progs.notify_kprobe, NULL);
	if (c->probe[PROBE_NOTIFY].mode != MODE_NONE)
		return;
	snprintf(reason, sizeof(reason), "%s; no stock tracepoint covers it",
		 c->probe[PROBE_NOTIFY].reason);
	set_status(c, PROBE_NOTIFY, MODE_NONE, NULL, reason,
		   "requests are still seen as the worker's timer being armed (request_delay)");
}

static void attach_all(struct collector *c, const struct plan *p)
{
	struct prtop_bpf *s = c->skel;

	attach_notify(c, p);
	attach_worker(c, p);
	attach_delay(c, p);
	attach_report(c, p);
	if (!attach_patch_tp(c, PROBE_CYCLE, p->pt_cycle, s->progs.pt_cycle, NULL,
			     "tracepoint:page_reporting_cycle"))
		attach_optional(c, PROBE_CYCLE, "page_reporting_cycle", p->cycle_f, p->cycle_k,
				s->progs.cycle_fentry, s->progs.cycle_kprobe,
				"per-order data is still derived from report()'s scatterlist when "
				"report() is attached");
	if (!attach_patch_tp(c, PROBE_RESET, p->pt_reset, s->progs.pt_boundary_reset, NULL,
			     "tracepoint:page_reporting_boundary_reset"))
		set_status(c, PROBE_RESET, MODE_NONE, NULL,
			   "needs the bundled patch's page_reporting_boundary_reset tracepoint: "
			   "the restart happens inside page_reporting_cycle(), no function or "
			   "stock tracepoint marks it",
			   "build the kernel with patches/ (see patches/README.md)");
	attach_optional(c, PROBE_DRAIN, "page_reporting_drain", p->drain_f, p->drain_k,
			s->progs.drain_fentry, s->progs.drain_kprobe,
			"a drain follows a failed report(): report_errors counts those");
	attach_reuse(c, p);
	set_status(c, PROBE_FREE_LISTS, access(BUDDYINFO, R_OK) ? MODE_NONE : MODE_PROCFS,
		   BUDDYINFO, access(BUDDYINFO, R_OK) ? strerror(errno) : NULL, NULL);
	set_status(c, PROBE_PARAMS, access(PARAMS_DIR, R_OK) ? MODE_NONE : MODE_PROCFS, PARAMS_DIR,
		   access(PARAMS_DIR, R_OK) ? strerror(errno) : NULL, NULL);
}

/* ---- device ---- */

/* Ask the kernel which device is registered: test-run read_prdev. */
static void read_prdev(struct collector *c)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd;

	if (!c->skel || !c->skel->rodata->pr_dev_info_addr)
		return;
	fd = bpf_program__fd(c->skel->progs.read_prdev);
	if (fd >= 0)
		bpf_prog_test_run_opts(fd, &opts);
}

/* The device's report() from pr_dev_info, before the real load. */
static uint64_t peek_report_fn(struct collector *c)
{
	struct prtop_bpf *s = prtop_bpf__open();
	struct bpf_program *prog;
	uint64_t fn = 0;

	if (!s)
		return 0;
	bpf_object__for_each_program(prog, s->obj)
	    bpf_program__set_autoload(prog, prog == s->progs.read_prdev);
	s->rodata->pr_dev_info_addr = ksym_addr(c, "pr_dev_info");
	if (s->rodata->pr_dev_info_addr && !prtop_bpf__load(s)) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		if (!bpf_prog_test_run_opts(bpf_program__fd(s->progs.read_prdev), &opts))
			fn = s->bss->stats.report_fn;
	}
	prtop_bpf__destroy(s);
	return fn;
}

static void pick_report_fn(struct collector *c)
{
	uint64_t fn;
	const struct ksym *k;
	int i;

	find_report_fns(c);
	c->report_pick = c->nreport_fns ? 0 : -1;
	fn = peek_report_fn(c);
	k = fn ? ksyms_by_addr(c->ksyms, fn) : NULL;
	if (!k)
		return;
	for (i = 0; i < c->nreport_fns; i++)
		if (!strcmp(c->report_fns[i].name, k->name))
			c->report_pick = i;
}

/* ---- layers ---- */

const char *layer_name(enum layer_id id)
{
	static const char *const names[LAYER__COUNT] = {
	    [LAYER_PATCH_TP] = "patch tracepoints",
	    [LAYER_FENTRY] = "fentry/fexit",
	    [LAYER_KPROBE] = "kprobe/kretprobe",
	    [LAYER_TRACEPOINT] = "stock tracepoints",
	};

	return id < LAYER__COUNT ? names[id] : "?";
}

static void set_layer(struct collector *c, enum layer_id id, bool ok, const char *why)
{
	c->layer[id].ok = ok;
	snprintf(c->layer[id].why, sizeof(c->layer[id].why), "%s", why);
}

static void describe_patch_layer(struct collector *c, const struct plan *p)
{
	char used[200] = "", missing[200] = "", why[200];
	int i;

	if (!c->patch_tps) {
		set_layer(c, LAYER_PATCH_TP, false,
			  "no page_reporting tracepoints in this kernel's BTF (bundled patch not "
			  "applied)");
		return;
	}
	for (i = 0; i < PT__COUNT; i++) {
		char *dst = has_tp(c, i) ? used : missing;

		snprintf(dst + strlen(dst), 200 - strlen(dst), "%s%s", *dst ? " " : "",
			 patch_tp_names[i]);
	}
	if (missing[0])
		snprintf(why, sizeof(why), "used: %s; missing: %s", used, missing);
	else
		snprintf(why, sizeof(why), "used, preferred over fentry: %s", used);
	if (c->opts.no_reuse && strstr(used, "reported_page_alloc"))
		snprintf(why + strlen(why), sizeof(why) - strlen(why), " (reuse off)");
	set_layer(c, LAYER_PATCH_TP, p->pt_request || p->pt_work || p->pt_report, why);
}

/*
 * doctor, when the patch tracepoints left fentry nothing to do: load one
 * fentry program alone to say whether the layer would work.  0 when it
 * loads, else -errno with the reason in why.
 */
static int test_fentry(struct collector *c, char *why, size_t len)
{
	struct prtop_bpf *s;
	struct bpf_program *prog;
	int err;

	if (!fentry_fn_ok(c, "__page_reporting_notify")) {
		snprintf(why, len, "__page_reporting_notify is not attachable by name");
		return -ENOENT;
	}
	s = prtop_bpf__open();
	if (!s) {
		snprintf(why, len, "opening the BPF object failed");
		return -errno;
	}
	bpf_object__for_each_program(prog, s->obj)
	    bpf_program__set_autoload(prog, prog == s->progs.notify_fentry);
	err = prtop_bpf__load(s);
	if (err)
		snprintf(why, len, "refused by the kernel at load (%s)", errno_name(err));
	prtop_bpf__destroy(s);
	return err;
}

static void describe_unused_fentry(struct collector *c)
{
	char why[160], msg[200];

	if (!c->opts.test_layers) {
		set_layer(c, LAYER_FENTRY, false,
			  "not tried: the patch tracepoints cover its functions, and the rest are "
			  "inlined or renamed on this kernel");
		return;
	}
	if (test_fentry(c, why, sizeof(why))) {
		snprintf(msg, sizeof(msg), "not needed (patch tracepoints), and %s", why);
		set_layer(c, LAYER_FENTRY, false, msg);
		return;
	}
	set_layer(c, LAYER_FENTRY, true,
		  "works here (a test program loaded), not used: the patch tracepoints are "
		  "preferred, the rest are inlined or renamed");
}

static void describe_layers(struct collector *c, const struct plan *p)
{
	describe_patch_layer(c, p);
	if (c->fentry_ok)
		set_layer(c, LAYER_FENTRY, true, "BPF trampolines load and attach");
	else if (!c->fentry_err[0] && p->fentry && (p->pt_request || p->pt_work || p->pt_report))
		describe_unused_fentry(c);
	else
		set_layer(c, LAYER_FENTRY, false,
			  c->fentry_err[0] ? c->fentry_err : "no fentry target on this kernel");
	if (!c->fentry_ok && c->fentry_err[0] && strstr(c->fentry_err, "EPERM"))
		str_printf(c->layer[LAYER_FENTRY].why, sizeof(c->layer[LAYER_FENTRY].why),
			   "%s: BPF trampolines not permitted on this kernel (lockdown or no "
			   "trampoline support)",
			 c->fentry_err);
	set_layer(c, LAYER_KPROBE, c->kprobe_ok,
		  c->kprobe_ok ? "kprobe PMU present" : c->kprobe_err);
	set_layer(c, LAYER_TRACEPOINT, true,
		  p->worker_tp || p->delay_tp ? "used for what the layers above cannot give"
					      : "available, not needed");
}

/* ---- open / close ---- */

static int preflight(struct collector *c, char *err, size_t len)
{
	if (geteuid() != 0) {
		snprintf(err, len,
			 "needs root to load BPF programs and read /proc/kallsyms: run it with "
			 "sudo");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, len,
			 "/sys/kernel/btf/vmlinux missing: this kernel has no BTF "
			 "(CONFIG_DEBUG_INFO_BTF); prtop needs it");
		return -ENOENT;
	}
	c->ksyms = ksyms_load(NULL);
	if (!c->ksyms || ksyms_hidden(c->ksyms)) {
		snprintf(err, len,
			 "/proc/kallsyms gives no addresses (kptr_restrict?): run as root with "
			 "kernel.kptr_restrict=0 or 1");
		return -EPERM;
	}
	c->vmlinux_btf = btf__load_vmlinux_btf();
	if (!c->vmlinux_btf) {
		snprintf(err, len, "cannot parse /sys/kernel/btf/vmlinux: %s", strerror(errno));
		return -errno;
	}
	if (!ksyms_by_name(c->ksyms, "page_reporting_process") &&
	    !btf_has_func(c->vmlinux_btf, "page_reporting_process")) {
		snprintf(err, len,
			 "this kernel has no free page reporting (CONFIG_PAGE_REPORTING is not "
			 "set): nothing to observe");
		return -ENOTSUP;
	}
	return 0;
}

static int on_batch(void *ctx, void *data, size_t size)
{
	struct collector *c = ctx;

	if (c->reuse && size >= sizeof(struct prtop_batch_event))
		reuse_add_batch(c->reuse, data);
	return 0;
}

/* batches come through the ring buffer only for the reuse scan */
static void open_ring_buffer(struct collector *c)
{
	char why[200];

	if (!c->reuse)
		return;
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.events), on_batch, c, NULL);
	if (c->rb)
		return;
	snprintf(why, sizeof(why), "ring buffer setup failed: %s%s", strerror(errno),
		 errno == ENOSYS ? " (no epoll in this kernel: CONFIG_EPOLL)" : "");
	reuse_free(c->reuse);
	c->reuse = NULL;
	set_status(c, PROBE_REUSE, MODE_NONE, NULL, why, NULL);
}

int collector_open(struct collector **out, const struct collector_opts *o, char *err, size_t errlen)
{
	struct collector *c = calloc(1, sizeof(*c));
	struct plan plan;
	uint64_t t0 = now_ns();
	int ret;

	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->opts = *o;
	verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	kernel_release(c->kernel, sizeof(c->kernel));
	c->page_size = sysconf(_SC_PAGESIZE) > 0 ? (uint64_t)sysconf(_SC_PAGESIZE) : 4096;
	ret = preflight(c, err, errlen);
	if (ret)
		goto fail;
	probe_kprobe_support(c);
	pick_report_fn(c);
	find_patch_tps(c);

	make_plan(c, &plan, true);
	ret = load_skel(c, &plan, c->fentry_err, sizeof(c->fentry_err));
	if (ret == 0) {
		c->fentry_ok = plan_has_fentry(&plan);
		c->fentry_err[0] = '\0';
	} else {
		snprintf(c->fentry_err, sizeof(c->fentry_err), "refused by the kernel at load (%s)",
			 errno_name(ret));
		make_plan(c, &plan, false);
		ret = load_skel(c, &plan, err, errlen);
		if (ret) {
			char tmp2[256];

			snprintf(tmp2, sizeof(tmp2), "loading BPF programs failed: %.200s", err);
			snprintf(err, errlen, "%s", tmp2);
			goto fail;
		}
	}
	attach_all(c, &plan);
	describe_layers(c, &plan);
	if (c->probe[PROBE_WORKER].mode == MODE_NONE && c->probe[PROBE_REPORT].mode == MODE_NONE &&
	    c->probe[PROBE_NOTIFY].mode == MODE_NONE) {
		snprintf(err, errlen, "no page reporting probe could be attached: %s",
			 c->probe[PROBE_WORKER].reason);
		ret = -ENOTSUP;
		goto fail;
	}
	open_ring_buffer(c);
	read_prdev(c);
	c->start_ns = now_ns();
	c->startup_ns = c->start_ns - t0;
	*out = c;
	return 0;
fail:
	collector_close(c);
	return ret < 0 ? ret : -EINVAL;
}

void collector_close(struct collector *c)
{
	int i;

	if (!c)
		return;
	for (i = c->nlinks - 1; i >= 0; i--)
		bpf_link__destroy(c->links[i]);
	ring_buffer__free(c->rb);
	prtop_bpf__destroy(c->skel);
	reuse_free(c->reuse);
	ksyms_free(c->ksyms);
	btf__free(c->vmlinux_btf);
	free(c);
}

/* Scan the reported ranges at most once a second: reuse ages to ~1 s. */
static void reuse_tick(struct collector *c, uint64_t now)
{
	if (!c->reuse || now - c->last_scan_ns < 1000000000ull)
		return;
	if (c->rb)
		ring_buffer__consume(c->rb);
	reuse_scan(c->reuse, now);
	c->last_scan_ns = now;
}

int collector_poll(struct collector *c, int timeout_ms)
{
	int n = 0;

	if (!c->rb)
		usleep(timeout_ms * 1000);
	else
		n = ring_buffer__poll(c->rb, timeout_ms);
	reuse_tick(c, now_ns());
	return n == -EINTR ? 0 : n;
}

/* ---- snapshots ---- */

static void fill_hist(struct snap_hist *h, const __u64 *slot, const struct prtop_hist_exact *x)
{
	memcpy(h->slot, slot, sizeof(h->slot));
	h->count = hist_count(h);
	h->sum = x->sum;
	h->max = x->max;
	h->min = ~x->inv_min;
	if (h->count && (!x->inv_min || h->min > h->max)) /* raced with an update */
		h->count = 0;
}

static void fill_device(struct collector *c, struct prtop_snapshot *s,
			const struct prtop_bss_stats *st)
{
	const struct ksym *k = st->report_fn ? ksyms_by_addr(c->ksyms, st->report_fn) : NULL;

	if (k) {
		snprintf(s->device, sizeof(s->device), "%s%s%s%s", k->name, k->module ? " [" : "",
			 k->module ? k->module : "", k->module ? "]" : "");
		return;
	}
	if (c->probe[PROBE_REPORT].mode != MODE_NONE && c->report_pick >= 0) {
		struct report_fn *r = &c->report_fns[c->report_pick];

		snprintf(s->device, sizeof(s->device), "%s%s%s%s", r->name,
			 r->module[0] ? " [" : "", r->module, r->module[0] ? "]" : "");
		return;
	}
	if (c->skel->rodata->pr_dev_info_addr)
		snprintf(s->device_reason, sizeof(s->device_reason),
			 "no reporting device registered (pr_dev_info is NULL)");
	else if (c->report_pick >= 0)
		snprintf(s->device_reason, sizeof(s->device_reason),
			 "confirmed at the first worker run; report() in BTF: %s",
			 c->report_fns[c->report_pick].name);
	else
		snprintf(s->device_reason, sizeof(s->device_reason),
			 "not known until the worker runs (pr_dev_info not in kallsyms)");
}

/* the same values and sources `prtop knob` shows */
static void fill_knob(struct snap_knob *k, const char *name, const char *unit)
{
	int64_t v = 0;
	const char *source = NULL;

	k->unit = unit;
	k->known = !knob_read(NULL, name, &v, &source, NULL);
	k->value = v;
	k->source = source ? source : "unreadable";
}

static void fill_knobs(struct prtop_snapshot *s)
{
	fill_knob(&s->knob_order, "order", "order");
	fill_knob(&s->knob_capacity, "capacity", "entries");
	fill_knob(&s->knob_delay_ms, "delay_ms", "ms");
}

static void fill_reuse(struct collector *c, struct prtop_snapshot *s,
		       const struct prtop_bss_stats *st)
{
	const struct reuse_totals *t;
	int i;

	if (c->skel->rodata->reuse_exact || c->probe[PROBE_REUSE].mode == MODE_PATCH_TP) {
		s->reuse_bytes = st->c.reuse_exact_bytes;
		s->reuse_ranges = st->c.reuse_exact_blocks;
		fill_hist(&s->reuse_age, st->hist[PRTOP_H_REUSE_AGE],
			  &st->hist_exact[PRTOP_H_REUSE_AGE]);
		for (i = 0; i < PRTOP_ORDERS; i++)
			s->order[i].reused_pages = st->order_reused[i];
		return;
	}
	if (!c->reuse)
		return;
	reuse_scan(c->reuse, s->mono_ns);
	c->last_scan_ns = s->mono_ns;
	t = reuse_totals(c->reuse);
	s->reuse_bytes = t->reused_bytes;
	s->reuse_ranges = t->reused_ranges;
	s->reuse_unreported_ranges = t->unreported_ranges;
	s->reuse_forgotten = t->forgotten;
	s->reuse_tracked = reuse_tracked(c->reuse);
	s->reuse_age = t->age;
	for (i = 0; i < PRTOP_ORDERS; i++)
		s->order[i].reused_pages = t->order_reused_pages[i];
}

void collector_sample(struct collector *c, struct prtop_snapshot *s)
{
	const struct prtop_bss_stats *st = &c->skel->bss->stats;
	uint64_t blocks[PRTOP_ORDERS] = {0};
	int i, n;

	if (c->rb)
		ring_buffer__consume(c->rb);
	memset(s, 0, sizeof(*s));
	s->mono_ns = now_ns();
	s->wall_ns = clock_ns(CLOCK_REALTIME);
	s->start_ns = c->start_ns;
	s->seq = ++c->seq;
	snprintf(s->kernel, sizeof(s->kernel), "%s", c->kernel);
	memcpy(s->probe, c->probe, sizeof(s->probe));
	memcpy(s->layer, c->layer, sizeof(s->layer));
	s->page_size = c->page_size;
	s->startup_ns = c->startup_ns;

	s->c = st->c;
	memcpy(s->nents_hist, st->nents_hist, sizeof(s->nents_hist));
	for (i = 0; i < PRTOP_H__COUNT; i++)
		fill_hist(&s->hist[i], st->hist[i], &st->hist_exact[i]);
	for (i = 0; i < PRTOP_ORDERS; i++) {
		s->order[i].reported_pages = st->order_pages[i];
		s->order[i].cycles = st->order_cycles[i];
	}
	fill_device(c, s, st);
	if (st->last_run.seen)
		s->last_run = st->last_run;

	n = buddyinfo_read(BUDDYINFO, blocks);
	s->max_order = n > 0 ? n : 0;
	snap_set_avail(s);
	s->avail[SG_FREE_LISTS] &= n > 0;
	for (i = 0; i < PRTOP_ORDERS; i++) {
		s->order[i].free_blocks = blocks[i];
		s->order[i].free_pages = blocks[i] << i;
	}
	n = params_read(PARAMS_DIR, s->params, SNAP_MAX_PARAMS);
	s->nparams = n > 0 ? n : 0;
	fill_knobs(s);
	fill_reuse(c, s, st);
	snap_fill_orders(s);
	s->drops = s->c.events_dropped + s->reuse_forgotten;
}
