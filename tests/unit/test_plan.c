// SPDX-License-Identifier: GPL-2.0
/*
 * The attach plan on fixtures of five kernel shapes: which source each
 * probe gets, which programs load, and the reasons where there is none.
 */
#include <string.h>

#include "plan.h"
#include "unit.h"

static void fn(struct kernel_caps *k, enum plan_fn f, const char *name, bool btf, bool syms,
	       const char *clone)
{
	snprintf(k->fn[f].name, sizeof(k->fn[f].name), "%s", name);
	k->fn[f].in_btf = btf;
	k->fn[f].in_ksyms = syms;
	snprintf(k->fn[f].clone, sizeof(k->fn[f].clone), "%s", clone ? clone : "");
}

/* what every kernel with page reporting and kallsyms has */
static void base(struct kernel_caps *k)
{
	memset(k, 0, sizeof(*k));
	fn(k, FN_NOTIFY, "__page_reporting_notify", true, true, NULL);
	fn(k, FN_PROCESS, "page_reporting_process", true, true, NULL);
	fn(k, FN_CYCLE, "page_reporting_cycle", true, true, NULL);
	fn(k, FN_DRAIN, "page_reporting_drain", true, true, NULL);
	fn(k, FN_REPORT, "virtballoon_free_page_report", true, true, NULL);
	k->worker_fn_known = k->timer_fn_known = k->vmemmap_known = true;
}

static void no_kprobes(struct kernel_caps *k)
{
	k->kprobe_ok = false;
	snprintf(k->kprobe_err, sizeof(k->kprobe_err), "not built in (CONFIG_KPROBES unset)");
}

static void fentry_refused(struct kernel_caps *k)
{
	k->fentry_refused = true;
	snprintf(k->fentry_err, sizeof(k->fentry_err), "refused by the kernel at load (EPERM)");
}

static enum attach_mode mode(const struct plan *p, enum probe_id id)
{
	return p->probe[id].mode;
}

static bool reason_has(const struct plan *p, enum probe_id id, const char *s)
{
	return !p->probe[id].attached && strstr(p->probe[id].reason, s);
}

/* this development machine: 6.18, fentry refused (EPERM), no kprobes */
static void shape_no_fentry_no_kprobes(void)
{
	struct plan_opts o = {0};
	struct kernel_caps k;
	struct plan p;

	base(&k);
	no_kprobes(&k);
	fn(&k, FN_DRAIN, "page_reporting_drain", true, false, "page_reporting_drain.isra.0");
	plan_make(&k, &o, true, &p);
	CHECK(plan_has_fentry(&p) && p.worker_f && p.report_f,
	      "plan[6.18]: first try loads fentry programs");
	fentry_refused(&k);
	plan_make(&k, &o, false, &p);
	CHECK(!plan_has_fentry(&p) && !p.notify_k && !p.report_k, "plan[6.18]: then none at all");
	CHECK(mode(&p, PROBE_WORKER) == MODE_TRACEPOINT && p.worker_tp,
	      "plan[6.18]: worker from the workqueue tracepoints");
	CHECK(mode(&p, PROBE_DELAY) == MODE_TRACEPOINT && p.delay_tp,
	      "plan[6.18]: delay from the timer tracepoint");
	CHECK(reason_has(&p, PROBE_REPORT, "fentry: refused by the kernel at load (EPERM)") &&
		  reason_has(&p, PROBE_REPORT, "kprobe: not built in") &&
		  reason_has(&p, PROBE_REPORT, "no stock tracepoint covers report()"),
	      "plan[6.18]: report() unobservable, says why (%s)", p.probe[PROBE_REPORT].reason);
	CHECK(reason_has(&p, PROBE_DRAIN, "renamed by the compiler to page_reporting_drain.isra.0"),
	      "plan[6.18]: drain names the clone (%s)", p.probe[PROBE_DRAIN].reason);
	CHECK(reason_has(&p, PROBE_NOTIFY, "no stock tracepoint covers it") &&
		  strstr(p.probe[PROBE_NOTIFY].hint, "timer"),
	      "plan[6.18]: notify missing, the timer stands in");
	CHECK(reason_has(&p, PROBE_REUSE, "needs the reported ranges from report()") &&
		  !p.reuse_scan && !p.reuse_exact,
	      "plan[6.18]: no reuse without report()");
	o.reuse_exact = true;
	plan_make(&k, &o, false, &p);
	CHECK(!p.reuse_exact && reason_has(&p, PROBE_REUSE, "allocation hook is left off"),
	      "plan[6.18]: --reuse-exact loads no hook that could only count zeros");
	CHECK(reason_has(&p, PROBE_RESET, "no function or stock tracepoint marks it"),
	      "plan[6.18]: no boundary resets");
}

/* Debian's stock 6.1: fentry; cycle inlined; drain a clone; report() in a module */
static void shape_debian_61(void)
{
	struct plan_opts o = {0};
	struct kernel_caps k;
	struct plan p;

	base(&k);
	k.kprobe_ok = true;
	fn(&k, FN_CYCLE, "page_reporting_cycle", false, false, NULL);
	fn(&k, FN_DRAIN, "page_reporting_drain", false, false, "page_reporting_drain.constprop.0");
	snprintf(k.fn[FN_REPORT].module, sizeof(k.fn[FN_REPORT].module), "virtio_balloon");
	plan_make(&k, &o, true, &p);
	CHECK(mode(&p, PROBE_NOTIFY) == MODE_FENTRY && mode(&p, PROBE_WORKER) == MODE_FENTRY,
	      "plan[6.1]: notify and worker by fentry");
	/* an fentry would hold virtio_balloon: rmmod failed while prtop ran */
	CHECK_STR(p.probe[PROBE_REPORT].detail,
		  "kprobe/kretprobe:virtballoon_free_page_report [virtio_balloon]",
		  "plan[6.1]: report() in a module by kprobe, which lets the module go");
	k.kprobe_ok = false;
	plan_make(&k, &o, true, &p);
	CHECK(mode(&p, PROBE_REPORT) == MODE_FENTRY &&
		  strstr(p.probe[PROBE_REPORT].hint, "cannot be unloaded while prtop runs"),
	      "plan[6.1]: without kprobes, fentry, and the hint says it holds the module");
	CHECK(!strcmp(p.probe[PROBE_REPORT].detail,
		      "fentry/fexit:virtballoon_free_page_report [virtio_balloon]"),
	      "plan[6.1]: ... on the module's function (%s)", p.probe[PROBE_REPORT].detail);
	k.kprobe_ok = true;
	plan_make(&k, &o, true, &p);
	CHECK(mode(&p, PROBE_DELAY) == MODE_FENTRY && !p.delay_tp,
	      "plan[6.1]: delay from the notify events, no timer program");
	CHECK(reason_has(&p, PROBE_CYCLE, "inlined on this kernel") && !p.cycle_k,
	      "plan[6.1]: cycle inlined: not a kprobe on anything else (%s)",
	      p.probe[PROBE_CYCLE].reason);
	CHECK(mode(&p, PROBE_DRAIN) == MODE_KPROBE && p.drain_k &&
		  !strcmp(caps_kprobe_name(&k, FN_DRAIN), "page_reporting_drain.constprop.0"),
	      "plan[6.1]: drain counted by a kprobe on its clone (%s)",
	      p.probe[PROBE_DRAIN].detail);
	CHECK(mode(&p, PROBE_REUSE) == MODE_SCAN && p.reuse_scan, "plan[6.1]: reuse by the scan");
	o.no_reuse = true;
	plan_make(&k, &o, true, &p);
	CHECK(!p.reuse_scan && reason_has(&p, PROBE_REUSE, "--no-reuse"), "plan[6.1]: --no-reuse");
}

/* 6.1 with the bundled patch series (v3): its tracepoints win over fentry */
static void shape_patched_61(void)
{
	struct plan_opts o = {0};
	struct kernel_caps k;
	struct plan p;
	int i;

	base(&k);
	no_kprobes(&k);
	fn(&k, FN_CYCLE, "page_reporting_cycle", false, false, NULL);
	fn(&k, FN_DRAIN, "page_reporting_drain", false, false, "page_reporting_drain.constprop.0");
	for (i = 0; i < PT__COUNT; i++)
		k.patch_tps |= 1u << i;
	plan_make(&k, &o, true, &p);
	CHECK(mode(&p, PROBE_NOTIFY) == MODE_PATCH_TP && mode(&p, PROBE_WORKER) == MODE_PATCH_TP &&
		  mode(&p, PROBE_REPORT) == MODE_PATCH_TP && mode(&p, PROBE_REUSE) == MODE_PATCH_TP,
	      "plan[patched]: every probe the patch covers uses its tracepoints");
	CHECK(p.pt_request && p.pt_work && p.pt_report && p.pt_alloc,
	      "plan[patched]: the four tracepoints' programs load");
	CHECK_STR(p.probe[PROBE_WORKER].detail,
		  "tracepoint:page_reporting_work (at a run's end, with its duration)",
		  "plan[patched]: the worker from the one work event, at each run's end");
	CHECK_STR(p.probe[PROBE_REPORT].detail,
		  "tracepoint:page_reporting_report (its scatterlist walked)",
		  "plan[patched]: report() from the report event's scatterlist");
	CHECK(mode(&p, PROBE_DELAY) == MODE_PATCH_TP &&
		  strstr(p.probe[PROBE_DELAY].detail, "work (requeued)"),
	      "plan[patched]: delay from request/work (%s)", p.probe[PROBE_DELAY].detail);
	CHECK(!p.notify_f && !p.worker_f && !p.report_f && !p.worker_tp && !p.delay_tp,
	      "plan[patched]: no fentry or stock tracepoint programs beside them");
	CHECK(p.pt_alloc && !p.reuse_exact && !p.reuse_scan &&
		  strstr(p.probe[PROBE_REUSE].reason, "isolation is not reuse"),
	      "plan[patched]: reuse exact from the patch, no scan, no allocation hook");
	/* no tracepoint for the walks in v3: fentry/kprobe on the function, else none */
	CHECK(mode(&p, PROBE_CYCLE) == MODE_NONE && !p.cycle_f && !p.cycle_k &&
		  reason_has(&p, PROBE_CYCLE,
			     "fentry: page_reporting_cycle is inlined on this kernel") &&
		  reason_has(&p, PROBE_CYCLE, "kprobe: not built in") &&
		  strstr(p.probe[PROBE_CYCLE].hint, "report()'s scatterlist"),
	      "plan[patched]: cycle inlined: unobservable, says why (%s)",
	      p.probe[PROBE_CYCLE].reason);
	CHECK(mode(&p, PROBE_RESET) == MODE_NONE &&
		  reason_has(&p, PROBE_RESET, "do not trace the walk's internals") &&
		  !p.probe[PROBE_RESET].hint[0],
	      "plan[patched]: boundary resets unobservable, no remedy offered (%s)",
	      p.probe[PROBE_RESET].reason);
	fn(&k, FN_CYCLE, "page_reporting_cycle", true, true, NULL);
	plan_make(&k, &o, true, &p);
	CHECK(mode(&p, PROBE_CYCLE) == MODE_FENTRY && p.cycle_f,
	      "plan[patched]: cycle by fentry where the kernel allows");
	fentry_refused(&k);
	k.kprobe_ok = true;
	plan_make(&k, &o, false, &p);
	CHECK(mode(&p, PROBE_CYCLE) == MODE_KPROBE && p.cycle_k &&
		  mode(&p, PROBE_WORKER) == MODE_PATCH_TP,
	      "plan[patched]: ... else by kprobe, the tracepoints unchanged");
	k.patch_tps &= ~(1u << PT_WORK);
	plan_make(&k, &o, false, &p);
	CHECK(mode(&p, PROBE_WORKER) == MODE_KPROBE && mode(&p, PROBE_NOTIFY) == MODE_PATCH_TP &&
		  mode(&p, PROBE_DELAY) == MODE_PATCH_TP,
	      "plan[patched]: without the work event, the worker by kprobe beside the request "
	      "event");
	k.patch_tps = 1u << PT_REPORT;
	plan_make(&k, &o, false, &p);
	CHECK(mode(&p, PROBE_REPORT) == MODE_PATCH_TP && mode(&p, PROBE_REUSE) == MODE_SCAN &&
		  p.reuse_scan,
	      "plan[patched]: without the unreport event, reuse scans the report event's ranges");
	o.reuse_exact = true;
	plan_make(&k, &o, false, &p);
	CHECK(p.reuse_exact && mode(&p, PROBE_REUSE) == MODE_TRACEPOINT,
	      "plan[patched]: ... or --reuse-exact hooks allocations against them");
	o.reuse_exact = false;
	k.patch_tps = 0;
	plan_make(&k, &o, false, &p);
	CHECK(!p.pt_request && !p.pt_work && !p.pt_report && !p.pt_alloc &&
		  mode(&p, PROBE_REPORT) == MODE_KPROBE && mode(&p, PROBE_REUSE) == MODE_SCAN,
	      "plan[patched]: tracepoints of another series (not in patch_tps): probes as stock");
}

/* kprobes but no fentry (e.g. no trampolines on this arch or config) */
static void shape_kprobes_only(void)
{
	struct plan_opts o = {0};
	struct kernel_caps k;
	struct plan p;

	base(&k);
	k.kprobe_ok = true;
	fn(&k, FN_DRAIN, "page_reporting_drain", true, false, "page_reporting_drain.isra.0");
	fentry_refused(&k);
	plan_make(&k, &o, false, &p);
	CHECK(mode(&p, PROBE_NOTIFY) == MODE_KPROBE && mode(&p, PROBE_WORKER) == MODE_KPROBE &&
		  mode(&p, PROBE_REPORT) == MODE_KPROBE && mode(&p, PROBE_CYCLE) == MODE_KPROBE,
	      "plan[kprobes]: notify, worker, report, cycle by kprobes");
	CHECK_STR(p.probe[PROBE_WORKER].detail, "kprobe/kretprobe:page_reporting_process",
		  "plan[kprobes]: worker entry and return");
	CHECK_STR(p.probe[PROBE_DRAIN].detail, "kprobe:page_reporting_drain.isra.0",
		  "plan[kprobes]: drain on its clone");
	CHECK(mode(&p, PROBE_DELAY) == MODE_KPROBE && !p.delay_tp && !p.worker_tp,
	      "plan[kprobes]: no stock tracepoint programs needed");
	o.reuse_exact = true;
	plan_make(&k, &o, false, &p);
	CHECK(p.reuse_exact && mode(&p, PROBE_REUSE) == MODE_TRACEPOINT,
	      "plan[kprobes]: --reuse-exact hooks allocations when report() gives ranges");
}

/* report() lives in a module whose BTF the kernel does not expose */
static void shape_no_module_btf(void)
{
	struct plan_opts o = {0};
	struct kernel_caps k;
	struct plan p;

	base(&k);
	no_kprobes(&k);
	memset(&k.fn[FN_REPORT], 0, sizeof(k.fn[FN_REPORT]));
	plan_make(&k, &o, true, &p);
	CHECK(mode(&p, PROBE_WORKER) == MODE_FENTRY, "plan[no module BTF]: worker by fentry");
	CHECK(!p.report_f && reason_has(&p, PROBE_REPORT, "no report() implementation found") &&
		  strstr(p.probe[PROBE_REPORT].hint, "balloon driver"),
	      "plan[no module BTF]: report() not found, says where to look");
	CHECK(reason_has(&p, PROBE_REUSE, "needs the reported ranges"),
	      "plan[no module BTF]: no reuse without report()");
	k.worker_fn_known = false;
	fentry_refused(&k);
	plan_make(&k, &o, false, &p);
	CHECK(reason_has(&p, PROBE_WORKER, "not in /proc/kallsyms") &&
		  reason_has(&p, PROBE_DELAY, "needs the worker probe"),
	      "plan[no module BTF]: nothing left for the worker: the delay says it needs it");
}

static void dependents_follow_attach(void)
{
	struct plan_opts o = {0};
	struct kernel_caps k;
	struct plan p;

	base(&k);
	k.kprobe_ok = true;
	plan_make(&k, &o, true, &p);
	/* report() failed to attach: reuse must not claim the scan */
	plan_status(&p.probe[PROBE_REPORT], MODE_NONE, NULL, "attach failed (EBUSY)", NULL);
	plan_reuse(&k, &o, &p);
	CHECK(!p.reuse_scan && reason_has(&p, PROBE_REUSE, "not attached"),
	      "plan: reuse follows report()'s real outcome");
	plan_status(&p.probe[PROBE_WORKER], MODE_NONE, NULL, "attach failed (EBUSY)", NULL);
	plan_delay(&k, &p);
	CHECK(reason_has(&p, PROBE_DELAY, "needs the worker probe"),
	      "plan: the delay follows the worker's real outcome");
}

/* free page hinting: offered or not, each layer, and what cannot be read */
static void shape_hinting(void)
{
	struct plan_opts o = {0};
	struct kernel_caps k;
	struct plan p;

	base(&k);
	no_kprobes(&k);
	k.hint_offer = HINT_NOT_OFFERED;
	snprintf(k.hint_dev, sizeof(k.hint_dev), "virtio0");
	k.hint_struct = k.hint_work_known = k.hint_shrink_known = true;
	fn(&k, FN_HINT, "report_free_page_func", true, true, NULL);
	plan_make(&k, &o, true, &p);
	CHECK(!p.hint_f && !p.hint_tp && !p.hint_shrink &&
		  reason_has(&p, PROBE_HINTING, "virtio0 (virtio balloon) does not offer") &&
		  strstr(p.probe[PROBE_HINTING].hint, "free-page-hint=on"),
	      "plan[hint]: not offered: nothing loads, says why and how (%s)",
	      p.probe[PROBE_HINTING].reason);
	CHECK(!p.probe[PROBE_HINT_SHRINK].attached, "plan[hint]: no shrinker probe either");
	k.hint_offer = HINT_NO_DEVICE;
	plan_make(&k, &o, true, &p);
	CHECK(reason_has(&p, PROBE_HINTING, "no virtio balloon device"),
	      "plan[hint]: no balloon at all");

	k.hint_offer = HINT_OFFERED;
	snprintf(k.fn[FN_HINT].module, sizeof(k.fn[FN_HINT].module), "virtio_balloon");
	plan_make(&k, &o, true, &p);
	CHECK(p.hint_f && p.hint_shrink && mode(&p, PROBE_HINTING) == MODE_FENTRY,
	      "plan[hint]: offered: fentry on the work item");
	CHECK_STR(p.probe[PROBE_HINTING].detail,
		  "fentry/fexit:report_free_page_func [virtio_balloon]",
		  "plan[hint]: names the module");
	CHECK(strstr(p.probe[PROBE_HINTING].reason, "inlined"),
	      "plan[hint]: says what it cannot see");
	CHECK(mode(&p, PROBE_HINT_SHRINK) == MODE_TRACEPOINT, "plan[hint]: shrinker tracepoint");
	plan_make(&k, &o, false, &p);
	CHECK(!p.hint_f && p.hint_tp && mode(&p, PROBE_HINTING) == MODE_TRACEPOINT,
	      "plan[hint]: without fentry, the workqueue tracepoints");
	k.kprobe_ok = true;
	plan_make(&k, &o, false, &p);
	CHECK(p.hint_k && !p.hint_tp && mode(&p, PROBE_HINTING) == MODE_KPROBE,
	      "plan[hint]: kprobes before stock tracepoints");
	no_kprobes(&k);
	k.hint_work_known = false;
	fn(&k, FN_HINT, "report_free_page_func", true, false, NULL);
	plan_make(&k, &o, false, &p);
	CHECK(!p.hint_tp && reason_has(&p, PROBE_HINTING, "not in /proc/kallsyms"),
	      "plan[hint]: no address, no filter (%s)", p.probe[PROBE_HINTING].reason);
	k.hint_struct = false;
	plan_make(&k, &o, true, &p);
	CHECK(!p.hint_f && !p.hint_tp && reason_has(&p, PROBE_HINTING, "struct virtio_balloon"),
	      "plan[hint]: the driver's state not in BTF");
	k.hint_struct = true;
	k.hint_shrink_known = false;
	plan_make(&k, &o, true, &p);
	CHECK(reason_has(&p, PROBE_HINT_SHRINK, "virtio_balloon_shrinker_scan"),
	      "plan[hint]: shrinker without its address");
}

void test_plan(void)
{
	shape_hinting();
	shape_no_fentry_no_kprobes();
	shape_debian_61();
	shape_patched_61();
	shape_kprobes_only();
	shape_no_module_btf();
	dependents_follow_attach();
}
