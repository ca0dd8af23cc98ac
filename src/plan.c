// SPDX-License-Identifier: GPL-2.0
/*
 * The attach plan: for every probe, the best source the kernel's
 * capabilities allow -- the bundled patch's tracepoints, then fentry, then
 * kprobes, then stock tracepoints -- or the reason there is none and what
 * the user can do.  A pure function of struct kernel_caps and the options.
 */
#include <stdio.h>
#include <string.h>

#include "plan.h"
#include "procfs.h"
#include "str.h"

static const char *const patch_tp_names[PT__COUNT] = {
    "request",
    "work",
    "report",
    "unreport",
};

const char *patch_tp_name(enum patch_tp tp)
{
	return (unsigned int)tp < PT__COUNT ? patch_tp_names[tp] : "?";
}

bool caps_has_tp(const struct kernel_caps *k, enum patch_tp tp)
{
	return k->patch_tps & (1u << tp);
}

const char *caps_kprobe_name(const struct kernel_caps *k, enum plan_fn fn)
{
	const struct fn_caps *f = &k->fn[fn];

	return !f->in_ksyms && f->clone[0] ? f->clone : f->name;
}

void plan_status(struct probe_status *s, enum attach_mode mode, const char *detail,
		 const char *reason, const char *hint)
{
	s->mode = mode;
	s->attached = mode != MODE_NONE;
	str_copy(s->detail, sizeof(s->detail), detail);
	str_copy(s->reason, sizeof(s->reason), reason);
	str_copy(s->hint, sizeof(s->hint), hint);
}

/* ---- which programs load ---- */

/* hinting is observed where the device offers it and the driver's state can be read */
static bool hint_possible(const struct kernel_caps *k)
{
	return k->hint_offer == HINT_OFFERED && k->hint_struct;
}

/* fentry attaches by BTF name to a symbol of exactly that name */
static bool fentry_ok(const struct kernel_caps *k, enum plan_fn fn)
{
	return k->fn[fn].name[0] && k->fn[fn].in_btf && k->fn[fn].in_ksyms;
}

/*
 * An fentry on a module's function holds the module (the BPF trampoline
 * takes a reference): while prtop ran, rmmod virtio_balloon failed with
 * EAGAIN.  A kprobe lets the module go; prtop re-attaches when it is back.
 */
static bool fentry_pins(const struct kernel_caps *k, enum plan_fn fn)
{
	return k->fn[fn].module[0] && k->kprobe_ok;
}

static void plan_programs(const struct kernel_caps *k, const struct plan_opts *o, bool fentry,
			  struct plan *p)
{
	p->fentry = fentry;
	p->pt_request = caps_has_tp(k, PT_REQUEST);
	p->pt_work = caps_has_tp(k, PT_WORK);
	p->pt_report = caps_has_tp(k, PT_REPORT);
	p->pt_alloc = caps_has_tp(k, PT_UNREPORT) && !o->no_reuse;
	if (fentry) {
		p->notify_f = !p->pt_request && fentry_ok(k, FN_NOTIFY);
		p->worker_f = !p->pt_work && fentry_ok(k, FN_PROCESS);
		p->report_f =
		    !p->pt_report && fentry_ok(k, FN_REPORT) && !fentry_pins(k, FN_REPORT);
		p->cycle_f = fentry_ok(k, FN_CYCLE);
		p->drain_f = fentry_ok(k, FN_DRAIN);
	}
	if (k->kprobe_ok) {
		p->notify_k = !p->pt_request && !p->notify_f && k->fn[FN_NOTIFY].in_ksyms;
		p->worker_k = !p->pt_work && !p->worker_f && k->fn[FN_PROCESS].in_ksyms;
		p->report_k = !p->pt_report && !p->report_f && k->fn[FN_REPORT].name[0] &&
			      k->fn[FN_REPORT].in_ksyms;
		/* a clone's arguments may differ: only the real function */
		p->cycle_k = !p->cycle_f && k->fn[FN_CYCLE].in_ksyms;
		/* the drain probe only counts calls: its clone will do */
		p->drain_k = !p->drain_f && (k->fn[FN_DRAIN].in_ksyms || k->fn[FN_DRAIN].clone[0]);
	}
	p->hint_f = fentry && hint_possible(k) && fentry_ok(k, FN_HINT) && !fentry_pins(k, FN_HINT);
	p->hint_k = k->kprobe_ok && hint_possible(k) && !p->hint_f && k->fn[FN_HINT].in_ksyms;
	p->hint_tp = hint_possible(k) && !p->hint_f && !p->hint_k && k->hint_work_known;
	p->hint_shrink = hint_possible(k) && k->hint_shrink_known;
	p->worker_tp = !p->pt_work && !p->worker_f && !p->worker_k;
	p->delay_tp = !p->pt_request && !p->notify_f && !p->notify_k;
	/* the hook costs every allocation: only where report() gives ranges to match */
	p->reuse_exact = o->reuse_exact && !p->pt_alloc && !o->no_reuse &&
			 (p->pt_report || p->report_f || p->report_k) && k->vmemmap_known;
}

bool plan_has_fentry(const struct plan *p)
{
	return p->notify_f || p->worker_f || p->report_f || p->cycle_f || p->drain_f || p->hint_f;
}

/* ---- why a function gives nothing ---- */

/* why fn cannot be attached by its plain name, or NULL */
static const char *unattachable(const struct fn_caps *f, char *buf, size_t len)
{
	if (f->in_ksyms)
		return NULL;
	if (f->clone[0])
		snprintf(
		    buf, len,
		    "%s is renamed by the compiler to %s on this kernel: not attachable by name",
		    f->name, f->clone);
	else
		snprintf(buf, len, "%s is inlined on this kernel (no symbol)", f->name);
	return buf;
}

/* "fentry: why; kprobe: why" for a function neither layer gives */
static void fn_reason(const struct kernel_caps *k, bool fentry, enum plan_fn fn, char *buf,
		      size_t len)
{
	const struct fn_caps *f = &k->fn[fn];
	char fw[200], kw[200], tmp[200];

	/* fentry: the function first (renamed, inlined), then the layer */
	if (unattachable(f, tmp, sizeof(tmp)))
		str_copy(fw, sizeof(fw), tmp);
	else if (!fentry && k->fentry_err[0])
		str_copy(fw, sizeof(fw), k->fentry_err);
	else
		snprintf(fw, sizeof(fw), "%s not in kernel BTF", f->name);
	/* kprobes: the layer first, then the function */
	if (!k->kprobe_ok)
		str_copy(kw, sizeof(kw), k->kprobe_err[0] ? k->kprobe_err : "not available");
	else if (unattachable(f, tmp, sizeof(tmp)))
		str_copy(kw, sizeof(kw), tmp);
	else
		snprintf(kw, sizeof(kw), "%s not attachable", f->name);
	str_printf(buf, len, "fentry: %s; kprobe: %s", fw, kw);
}

/* the fentry or kprobe source of fn, or its reason; false when neither */
static bool fn_source(const struct kernel_caps *k, const struct plan *p, struct probe_status *s,
		      enum plan_fn fn, bool use_f, bool use_k, bool pair)
{
	const struct fn_caps *f = &k->fn[fn];
	char detail[160], reason[420];
	const char *mod = f->module[0] ? f->module : NULL;

	if (use_f || use_k) {
		str_printf(detail, sizeof(detail), "%s%s:%s%s%s%s", use_f ? "fentry" : "kprobe",
			   pair ? (use_f ? "/fexit" : "/kretprobe") : "",
			   use_f ? f->name : caps_kprobe_name(k, fn), mod ? " [" : "",
			   mod ? mod : "", mod ? "]" : "");
		plan_status(s, use_f ? MODE_FENTRY : MODE_KPROBE, detail, NULL, NULL);
		return true;
	}
	fn_reason(k, p->fentry, fn, reason, sizeof(reason));
	plan_status(s, MODE_NONE, NULL, reason, NULL);
	return false;
}

/* the patch tracepoint source; false when the kernel has none */
static bool patch_source(struct probe_status *s, bool planned, const char *detail)
{
	if (planned)
		plan_status(s, MODE_PATCH_TP, detail, NULL, NULL);
	return planned;
}

/* reason + suffix, as the reason of s */
static void add_reason(struct probe_status *s, const char *suffix, const char *hint)
{
	char reason[420];

	str_printf(reason, sizeof(reason), "%s%s", s->reason, suffix);
	plan_status(s, MODE_NONE, NULL, reason, hint);
}

/* ---- the probes ---- */

static void plan_notify(const struct kernel_caps *k, struct plan *p)
{
	struct probe_status *s = &p->probe[PROBE_NOTIFY];

	if (patch_source(s, p->pt_request,
			 "tracepoint:page_reporting_request (requests that change the state)") ||
	    fn_source(k, p, s, FN_NOTIFY, p->notify_f, p->notify_k, false))
		return;
	add_reason(s, "; no stock tracepoint covers it",
		   "requests are still seen as the worker's timer being armed (request_delay)");
}

static void plan_worker(const struct kernel_caps *k, struct plan *p)
{
	struct probe_status *s = &p->probe[PROBE_WORKER];

	if (patch_source(s, p->pt_work,
			 "tracepoint:page_reporting_work (at a run's end, with its duration)") ||
	    fn_source(k, p, s, FN_PROCESS, p->worker_f, p->worker_k, true))
		return;
	if (!k->worker_fn_known)
		plan_status(
		    s, MODE_NONE, NULL,
		    "page_reporting_process not in /proc/kallsyms: cannot filter workqueue events",
		    "run as root; check kptr_restrict");
	else
		plan_status(
		    s, MODE_TRACEPOINT,
		    "tracepoint:workqueue_execute_start/end (function == page_reporting_process)",
		    NULL, NULL);
}

/* the delay needs the worker; it comes from the notify source, else the timer */
void plan_delay(const struct kernel_caps *k, struct plan *p)
{
	const struct probe_status *n = &p->probe[PROBE_NOTIFY], *w = &p->probe[PROBE_WORKER];
	struct probe_status *s = &p->probe[PROBE_DELAY];

	if (!w->attached)
		plan_status(s, MODE_NONE, NULL, "needs the worker probe, which is not attached",
			    NULL);
	else if (n->mode == MODE_PATCH_TP && w->mode == MODE_PATCH_TP)
		plan_status(s, MODE_PATCH_TP,
			    "tracepoint:page_reporting_request (queued) or work (requeued) -> the "
			    "run's start",
			    NULL, NULL);
	else if (n->attached)
		plan_status(
		    s, n->mode,
		    "first unserved __page_reporting_notify() or self-reschedule -> worker start",
		    NULL, NULL);
	else if (!p->delay_tp || !k->timer_fn_known)
		plan_status(s, MODE_NONE, NULL, "no notify probe and delayed_work_timer_fn unknown",
			    NULL);
	else
		plan_status(s, MODE_TRACEPOINT,
			    "tracepoint:timer_start (worker's delayed_work armed) -> worker start",
			    NULL, NULL);
}

static void plan_report(const struct kernel_caps *k, struct plan *p)
{
	struct probe_status *s = &p->probe[PROBE_REPORT];

	if (patch_source(s, p->pt_report,
			 "tracepoint:page_reporting_report (its scatterlist walked)"))
		return;
	if (!k->fn[FN_REPORT].name[0]) {
		plan_status(s, MODE_NONE, NULL,
			    "no report() implementation found in kernel or module BTF",
			    "load the balloon driver (virtio_balloon / hv_balloon) with free page "
			    "reporting enabled");
		return;
	}
	if (fn_source(k, p, s, FN_REPORT, p->report_f, p->report_k, true)) {
		if (p->report_f && k->fn[FN_REPORT].module[0])
			str_copy(
			    s->hint, sizeof(s->hint),
			    "the fentry holds the driver's module: it cannot be unloaded while "
			    "prtop runs (no kprobes in this kernel to use instead)");
		return;
	}
	add_reason(s, "; no stock tracepoint covers report()",
		   "use a kernel with fentry (BPF trampolines) or kprobes, or the bundled "
		   "patch's tracepoints");
}

static void plan_optional(const struct kernel_caps *k, struct plan *p, enum probe_id id,
			  enum plan_fn fn, bool use_f, bool use_k, const char *hint)
{
	if (!fn_source(k, p, &p->probe[id], fn, use_f, use_k, false))
		add_reason(&p->probe[id], "", hint);
}

/* reuse needs report()'s ranges where the patch's exact event is absent */
void plan_reuse(const struct kernel_caps *k, const struct plan_opts *o, struct plan *p)
{
	struct probe_status *s = &p->probe[PROBE_REUSE];
	bool report = p->probe[PROBE_REPORT].attached;
	char why[160];

	p->reuse_scan = false;
	if (o->no_reuse)
		plan_status(s, MODE_NONE, NULL, "disabled (--no-reuse)", NULL);
	else if (p->pt_alloc)
		plan_status(s, MODE_PATCH_TP, "tracepoint:page_reporting_unreport (exact)",
			    "counts the pages allocations take from reported blocks; isolation is "
			    "not reuse; no reuse age (the event carries no report time)",
			    NULL);
	else if (!report)
		plan_status(s, MODE_NONE, NULL,
			    o->reuse_exact
				? "--reuse-exact needs the reported ranges from report(), "
				  "which is not attached: the allocation hook is left off"
				: "needs the reported ranges from report(), which is not "
				  "attached",
			    NULL);
	else if (!k->vmemmap_known)
		plan_status(s, MODE_NONE, NULL,
			    "vmemmap_base not in /proc/kallsyms (CONFIG_KALLSYMS_ALL unset): page "
			    "-> pfn unknown",
			    NULL);
	else if (o->reuse_exact)
		plan_status(s, MODE_TRACEPOINT,
			    "tracepoint:kmem/mm_page_alloc (exact, costs every allocation)", NULL,
			    NULL);
	else if (k->kpageflags_err[0]) {
		snprintf(why, sizeof(why), "/proc/kpageflags unreadable: %s", k->kpageflags_err);
		plan_status(s, MODE_NONE, NULL, why,
			    "run as root on a kernel with CONFIG_PROC_PAGE_MONITOR");
	} else {
		plan_status(s, MODE_SCAN, "reported ranges checked in /proc/kpageflags each sample",
			    NULL, NULL);
		p->reuse_scan = true;
	}
}

#define HINT_HOWTO                                                                                 \
	"QEMU: -object iothread,id=io1 -device virtio-balloon-pci,free-page-hint=on,iothread=io1"

/* why hinting cannot be observed, or NULL */
static const char *hint_absent(const struct kernel_caps *k, char *buf, size_t len)
{
	switch (k->hint_offer) {
	case HINT_OFFERED:
		break;
	case HINT_NOT_OFFERED:
		snprintf(buf, len,
			 "%s (virtio balloon) does not offer free page hinting: feature bit 3 "
			 "(VIRTIO_BALLOON_F_FREE_PAGE_HINT) not negotiated",
			 k->hint_dev);
		return buf;
	case HINT_NO_DEVICE:
		return "no virtio balloon device (/sys/bus/virtio/devices): no free page hinting";
	default:
		return "/sys/bus/virtio/devices unreadable: whether a balloon offers hinting is "
		       "unknown";
	}
	if (!k->hint_struct)
		return "struct virtio_balloon (num_free_page_blocks, cmd_id_active) not in kernel "
		       "or module BTF: the driver's hinting state cannot be read";
	return NULL;
}

static void plan_hinting(const struct kernel_caps *k, struct plan *p)
{
	struct probe_status *s = &p->probe[PROBE_HINTING];
	const char *why;
	char buf[200];

	why = hint_absent(k, buf, sizeof(buf));
	if (why) {
		plan_status(s, MODE_NONE, NULL, why,
			    k->hint_offer == HINT_OFFERED ? NULL : HINT_HOWTO);
		return;
	}
	if (p->hint_tp)
		plan_status(s, MODE_TRACEPOINT,
			    "tracepoint:workqueue_execute_start/end (function == "
			    "report_free_page_func)",
			    NULL, NULL);
	else if (!fn_source(k, p, s, FN_HINT, p->hint_f, p->hint_k, true)) {
		add_reason(s,
			   "; report_free_page_func not in /proc/kallsyms: cannot filter "
			   "workqueue events",
			   NULL);
		return;
	}
	/* attached: what it cannot see */
	str_copy(s->reason, sizeof(s->reason),
		 "blocks hinted and returned are read from the driver's state around each run "
		 "(the functions that pull pages are inlined); blocks freed at once on a full "
		 "queue are not seen");
}

static void plan_hint_shrink(const struct kernel_caps *k, struct plan *p)
{
	struct probe_status *s = &p->probe[PROBE_HINT_SHRINK];

	if (!hint_possible(k))
		plan_status(s, MODE_NONE, NULL, "no hinting to observe (see the hinting probe)",
			    NULL);
	else if (!p->hint_shrink)
		plan_status(s, MODE_NONE, NULL,
			    "virtio_balloon_shrinker_scan not in /proc/kallsyms: cannot filter "
			    "shrinker events",
			    NULL);
	else
		plan_status(s, MODE_TRACEPOINT,
			    "tracepoint:mm_shrink_slab_end (virtio_balloon_shrinker_scan)", NULL,
			    NULL);
}

static void plan_files(const struct kernel_caps *k, struct plan *p)
{
	plan_status(&p->probe[PROBE_FREE_LISTS], k->buddyinfo_err[0] ? MODE_NONE : MODE_PROCFS,
		    "/proc/buddyinfo", k->buddyinfo_err, NULL);
	plan_status(&p->probe[PROBE_PARAMS], k->params_err[0] ? MODE_NONE : MODE_PROCFS,
		    "/sys/module/page_reporting/parameters", k->params_err, NULL);
}

void plan_make(const struct kernel_caps *k, const struct plan_opts *o, bool fentry, struct plan *p)
{
	memset(p, 0, sizeof(*p));
	plan_programs(k, o, fentry, p);
	plan_notify(k, p);
	plan_worker(k, p);
	plan_delay(k, p);
	plan_report(k, p);
	/* no tracepoint marks the walks, the patch's neither (v2's cycle event is gone) */
	plan_optional(k, p, PROBE_CYCLE, FN_CYCLE, p->cycle_f, p->cycle_k,
		      "per-order data is still derived from report()'s scatterlist when "
		      "report() is attached");
	/* the v2 series had a tracepoint for it; v3 has none */
	plan_status(&p->probe[PROBE_RESET], MODE_NONE, NULL,
		    "the restart happens inside page_reporting_cycle(): no function or stock "
		    "tracepoint marks it, and the bundled patch's tracepoints do not trace the "
		    "walk's internals",
		    NULL);
	plan_optional(k, p, PROBE_DRAIN, FN_DRAIN, p->drain_f, p->drain_k,
		      "a drain follows a failed report(): report_errors counts those");
	plan_reuse(k, o, p);
	plan_hinting(k, p);
	plan_hint_shrink(k, p);
	plan_files(k, p);
}
