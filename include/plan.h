/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel offers (struct kernel_caps, found by caps.c) and
 * the attach plan made from it: a pure function from capabilities and
 * options to one source per probe, with the reason where there is none.
 * No BPF, no files: the unit tests feed it fixtures of kernels.
 */
#ifndef PRTOP_PLAN_H
#define PRTOP_PLAN_H

#include <stdbool.h>
#include "snapshot.h"

/* kernel functions prtop may attach fentry or kprobes to */
enum plan_fn {
	FN_NOTIFY = 0, /* __page_reporting_notify */
	FN_PROCESS,    /* page_reporting_process (the worker) */
	FN_CYCLE,      /* page_reporting_cycle */
	FN_DRAIN,      /* page_reporting_drain */
	FN_REPORT,     /* the device's report() */
	FN_HINT,       /* report_free_page_func: virtio-balloon's hinting work */
	FN__COUNT,
};

struct fn_caps {
	char name[64];	 /* the function; for FN_REPORT the one picked, "" if none */
	char module[64]; /* FN_REPORT, FN_HINT: its module, "" for vmlinux */
	bool in_btf;	 /* a BTF FUNC of that name: what fentry needs */
	int btf_id;	 /* its id in vmlinux BTF (fentry's attach target), 0 if none */
	bool in_ksyms;	 /* a kallsyms symbol of exactly that name */
	char clone[64];	 /* a compiler clone (".isra.0", ".constprop.0"), "" if none */
};

/*
 * the bundled patch series' tracepoints, page_reporting_<name>, as of v3
 * (v2, never upstream, had others: work_start, work_end, cycle,
 * boundary_reset, and other arguments)
 */
enum patch_tp {
	PT_REQUEST = 0,
	PT_WORK,
	PT_REPORT,
	PT_UNREPORT,
	PT__COUNT,
};

struct kernel_caps {
	struct fn_caps fn[FN__COUNT];
	unsigned int patch_tps; /* bit PT_x: btf_trace_page_reporting_<x> in the BTF */
	unsigned int patch_tps_other; /* ... there, with another prototype: not used */
	bool kprobe_ok;		/* kprobe PMU or kprobe_events */
	char kprobe_err[160];
	bool fentry_refused; /* a load with fentry programs failed */
	char fentry_err[160];
	bool worker_fn_known;	 /* page_reporting_process's address: workqueue filter */
	bool timer_fn_known;	 /* delayed_work_timer_fn's address: timer filter */
	bool vmemmap_known;	 /* vmemmap_base's address: page -> pfn */
	char kpageflags_err[96]; /* "" when /proc/kpageflags is readable */
	char buddyinfo_err[96];	 /* "" when /proc/buddyinfo is readable */
	char params_err[96];	 /* "" when the parameters directory is */
	/* free page hinting */
	int hint_offer;		/* enum hint_offer (snapshot.h) */
	char hint_dev[32];	/* the balloon, "virtio0" */
	bool hint_struct;	/* struct virtio_balloon's members in BTF */
	bool hint_work_known;	/* report_free_page_func's address: workqueue filter */
	bool hint_shrink_known; /* virtio_balloon_shrinker_scan's address */
	int hint_block_order;	/* the driver's block: the top free list order, -1 unknown */
	/* vendor: struct page_reporting_dev_info has publish_bitmap */
	bool publish_field;
};

struct plan_opts {
	bool reuse_exact; /* opt-in allocation hook */
	bool no_reuse;
};

struct plan {
	bool fentry; /* fentry programs may load */
	/* the programs to load, by attach type */
	bool pt_request, pt_work, pt_report, pt_alloc;
	bool notify_f, worker_f, report_f, cycle_f, drain_f;
	bool notify_k, worker_k, report_k, cycle_k, drain_k;
	bool worker_tp, delay_tp, reuse_exact, reuse_scan;
	bool hint_f, hint_k, hint_tp, hint_shrink;
	/* per probe: the source it will have, or why none */
	struct probe_status probe[PROBE__COUNT];
};

const char *patch_tp_name(enum patch_tp tp);
bool caps_has_tp(const struct kernel_caps *k, enum patch_tp tp);
/* kallsyms name a kprobe attaches to: the function, else its clone */
const char *caps_kprobe_name(const struct kernel_caps *k, enum plan_fn fn);

/* capabilities + options -> plan; fentry false after a load refused them */
void plan_make(const struct kernel_caps *k, const struct plan_opts *o, bool fentry, struct plan *p);
bool plan_has_fentry(const struct plan *p);
/*
 * The probes that depend on others (the delay on notify and worker, reuse
 * on report): the attach layer calls these again once it knows what really
 * attached, so a failed attach never leaves a dependent claiming a source.
 */
void plan_delay(const struct kernel_caps *k, struct plan *p);
void plan_reuse(const struct kernel_caps *k, const struct plan_opts *o, struct plan *p);
/* fill a probe_status (detail/reason/hint cut to fit) */
void plan_status(struct probe_status *s, enum attach_mode mode, const char *detail,
		 const char *reason, const char *hint);

#endif /* PRTOP_PLAN_H */
