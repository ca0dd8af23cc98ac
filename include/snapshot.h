/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The snapshot: everything the collector knows at one instant.  The live
 * view, batch output, JSON, doctor (and later the exporter and profiler)
 * read only this; none of them talks to BPF or procfs directly.
 */
#ifndef PRTOP_SNAPSHOT_H
#define PRTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include "prtop.h"

enum probe_id {
	PROBE_NOTIFY = 0,  /* __page_reporting_notify: requests, state */
	PROBE_WORKER,	   /* page_reporting_process: runs, duration */
	PROBE_DELAY,	   /* request -> run delay */
	PROBE_REPORT,	   /* device report() callback: batches, bytes */
	PROBE_CYCLE,	   /* page_reporting_cycle: per-order visits */
	PROBE_DRAIN,	   /* page_reporting_drain */
	PROBE_RESET,	   /* boundary resets (patch tracepoint only) */
	PROBE_REUSE,	   /* reuse of reported memory */
	PROBE_HINTING,	   /* virtio-balloon free page hinting (live migration) */
	PROBE_HINT_SHRINK, /* hinted blocks released by the balloon's shrinker */
	PROBE_FREE_LISTS,  /* /proc/buddyinfo */
	PROBE_PARAMS,	   /* /sys/module/page_reporting/parameters */
	PROBE__COUNT,
};

enum attach_mode {
	MODE_NONE = 0,	 /* not observed: see reason */
	MODE_PATCH_TP,	 /* bundled patch's page_reporting tracepoints */
	MODE_FENTRY,	 /* fentry/fexit */
	MODE_KPROBE,	 /* kprobe/kretprobe */
	MODE_TRACEPOINT, /* stock tracepoints (workqueue, timer, kmem) */
	MODE_SCAN,	 /* periodic userspace scan (kpageflags) */
	MODE_PROCFS,	 /* procfs / sysfs files */
};

struct probe_status {
	bool attached;	       /* mode != MODE_NONE: what presentations test */
	enum attach_mode mode; /* shown by name only (doctor, probes line) */
	char detail[96];       /* what it is attached to, e.g. "fentry:page_reporting_process" */
	char reason[256];      /* why not (or why degraded); empty when fine */
	char hint[160];	       /* what the user can do */
	bool lost;	       /* was attached; its module went away (counts up to then stand) */
};

#define SNAP_MAX_PARAMS 32
#define SNAP_MAX_ZONES	16 /* buddyinfo lines kept apart (nodes x zones) */
struct snap_param {
	char name[64];
	char value[64];
	const char *meaning; /* NULL for unknown (vendor) parameters */
	bool counter;	     /* read-only and a whole number: the kernel's own counter */
	uint64_t count;	     /* its value, when counter */
	uint32_t unit_bytes; /* a counter of this many bytes each (reported_kib: 1024), 0: a count */
};

struct snap_order {
	uint64_t free_pages;	 /* blocks of this order on free lists * 2^order (buddyinfo) */
	uint64_t free_blocks;	 /* blocks of this order (buddyinfo) */
	uint64_t reported_pages; /* base pages reported, cumulative */
	uint64_t cycles;	 /* cycle() visits, cumulative */
	uint64_t reused_pages;	 /* base pages of reported ranges seen reused */
};

/* buckets bound a value; count, sum, min and max are exact */
struct snap_hist {
	uint64_t slot[PRTOP_HIST_SLOTS];
	uint64_t count;
	uint64_t sum;
	uint64_t min; /* valid when count > 0 */
	uint64_t max;
};

/*
 * What a snapshot can say.  The collector decides it from how the probes
 * attached; presentations test these and never attach modes.  A figure
 * whose group is unavailable is unknown: JSON null, "n/a" on screen, absent
 * from /metrics (prtop_probe_attached says why) -- never 0.
 */
enum snap_group {
	SG_NOTIFY = 0,	 /* notify calls and the state they found */
	SG_WORKER,	 /* worker runs and run time */
	SG_DELAY,	 /* request -> run delay */
	SG_TIMER,	 /* worker timer armed (stock timer tracepoint) */
	SG_REPORT,	 /* reported bytes/pages, batches, errors, nents, per-order */
	SG_CYCLE,	 /* free list walks (cycle visits), per order */
	SG_DRAIN,	 /* drains */
	SG_RESETS,	 /* boundary resets (no source since the v2 series) */
	SG_RUN_DETAIL,	 /* failed runs, last run's settings (patch) */
	SG_CYCLE_DETAIL, /* zones walked, pages isolated, budget exhausted (v2 series only) */
	SG_REUSE,	 /* reported memory handed out again: bytes, blocks, per order */
	SG_REUSE_AGE,	 /* report -> reuse age */
	SG_REUSE_RANGES, /* tracked / merged / forgotten ranges (kpageflags scan) */
	SG_FREE_LISTS,	 /* free memory per order */
	SG_PARAMS,	 /* module parameters */
	SG_HINT,	 /* hinting runs, blocks hinted and returned */
	SG_HINT_SHRINK,	 /* hinted blocks the balloon's shrinker released */
	SG__COUNT,
};

struct snap_knob {
	bool known;
	int64_t value;
	const char *unit;   /* "pages order", "entries", "ms" */
	const char *source; /* "module parameter", "compile-time constant", ... */
	bool unspecified;   /* order's sentinel: the device decides (value as read) */
};

/* the phases of collector_open(), for "where does start-up time go" */
enum startup_phase {
	STARTUP_BTF = 0,  /* parse the kernel's BTF, find report() in module BTF */
	STARTUP_KALLSYMS, /* what reading /proc/kallsyms takes beyond the BTF parse beside it */
	STARTUP_CAPS,	  /* capabilities and the plan */
	STARTUP_LOAD,	  /* open, verify and load the BPF programs */
	STARTUP_ATTACH,	  /* attach them, name the device */
	STARTUP__COUNT,
};

/* the kernel types libbpf's CO-RE relocations were given (caps_core_btf()) */
enum core_src {
	CORE_SRC_LIBBPF = 0, /* none: libbpf parsed the whole vmlinux BTF itself */
	CORE_SRC_PARSE,	     /* made from prtop's parse of it, this run */
	CORE_SRC_CACHE,	     /* from the cache */
};

/* the attach layers, best first, and whether this kernel offers them */
enum layer_id {
	LAYER_PATCH_TP = 0, /* bundled patch's page_reporting tracepoints */
	LAYER_FENTRY,
	LAYER_KPROBE,
	LAYER_TRACEPOINT, /* stock tracepoints */
	LAYER__COUNT,
};

struct layer_status {
	bool ok;
	char why[200]; /* why not usable, or what it offers */
};

/* does the balloon offer free page hinting (virtio_hint_offer(), procfs.h) */
enum hint_offer {
	HINT_UNKNOWN = 0, /* the devices directory is unreadable */
	HINT_NO_DEVICE,	  /* no virtio balloon */
	HINT_NOT_OFFERED, /* a balloon without the feature */
	HINT_OFFERED,
};

/* free page hinting: what the device offers and what the driver did */
struct snap_hint {
	int offer;	      /* enum hint_offer */
	char dev[32];	      /* the balloon device, "virtio0" */
	uint64_t block_bytes; /* bytes per hinted block, 0 unknown */
	uint64_t last_cmd_id; /* of the last hinting run, 0: none seen */
	/* run time and hold time: hist[PRTOP_H_HINT_RUN], hist[PRTOP_H_HINT_HOLD] */
};

/*
 * The kernel's own count of worker runs (a vendor `passes` counter) against
 * prtop's over the same window.  A run in flight at either end may be
 * counted by one side only: agreement is within that.
 */
struct snap_xcheck {
	bool have;	      /* both counts exist */
	uint64_t kernel_runs; /* passes since prtop attached */
	uint64_t prtop_runs;  /* worker runs prtop saw start */
	uint64_t prtop_done;  /* ... and end */
	uint64_t missed;      /* runs the kernel made that prtop did not see */
	uint64_t extra;	      /* runs prtop saw that the kernel's count lacks */
	double window_s;
};

/*
 * "Memory returned": the one figure for how much free memory went to the
 * device, from the best source this kernel has.  Where report() is observed,
 * prtop's own count; where it is not but the kernel counts (a vendor's
 * reported_kib, the patch series' page_reporting_pages_reported), the
 * kernel's counter; else unknown.
 */
enum returned_source {
	RETURNED_UNKNOWN = 0, /* nothing counts it here */
	RETURNED_PRTOP,	      /* prtop's count of report() */
	RETURNED_KERNEL_KIB,  /* the module parameter reported_kib (vendor kernels) */
	RETURNED_VMSTAT,      /* page_reporting_pages_reported in /proc/vmstat (patch series) */
};

struct snap_returned {
	enum returned_source source;
	uint64_t bytes; /* since prtop attached; meaningless when unknown */
};

/*
 * The reporting backlog (backlog.h): free memory in blocks the worker would
 * report that is not reported yet, the pace memory is returned at, and the
 * time the backlog takes at that pace.  Estimates, from reads apart in time.
 */
/*
 * How long free memory of the reporting order waited before it was
 * reported, from the backlog scans (backlog.h): bytes per slot of wait.  A
 * wait is from the scan that first saw a unit free and not reported to the
 * scan that saw it reported, so each is within one scan interval of the
 * truth (resolution_s): an estimate.  Slots: WAIT_BUCKETS log2 buckets,
 * 0.25 s * 2^i for i < WAIT_BUCKETS (0.25 .. 512 s) and one above, each cut
 * in WAIT_SUB linear slots for the percentiles.
 */
#define WAIT_BUCKETS 12
#define WAIT_LE0_S   0.25
#define WAIT_SUB     8
#define WAIT_SLOTS   ((WAIT_BUCKETS + 1) * WAIT_SUB)
struct snap_backlog_wait {
	bool known;	     /* a scan tracked the units: the figures hold, count may be 0 */
	uint64_t count;	     /* units (2^page_reporting_order pages) seen reported after waiting */
	uint64_t bytes;	     /* ... their bytes */
	double byte_s;	     /* sum of bytes x wait: the bytes-weighted mean's numerator */
	double max_s;	     /* the longest wait */
	double resolution_s; /* the longest interval between two scans: each wait's error */
	uint64_t unseen_bytes;	   /* reported at a scan, seen waiting at none before: no sample */
	uint64_t slot[WAIT_SLOTS]; /* bytes per slot of wait, as above */
};

struct snap_backlog {
	bool known;		      /* buddyinfo and kpageflags read: bytes below hold */
	uint64_t reportable_bytes;    /* free in blocks of order >= the reporting order */
	uint64_t reported_free_bytes; /* ... of which flagged reported (kpageflags) */
	uint64_t bytes;		      /* reportable - reported, not yet reported */
	uint64_t scan_ns;	      /* the kpageflags read took this long */
	uint64_t at_ns;		      /* mono_ns of the sample that scanned */
	bool drain_known;	      /* memory returned counted over a window */
	double drain_bytes_per_s;     /* memory returned per second over it */
	double drain_window_s;
	bool eta_known; /* no backlog, or one that drains */
	double eta_s;	/* bytes / drain_bytes_per_s */
	char why[96];	/* why unknown */
	struct snap_backlog_wait wait;
};

/* what snap_returned_pick() chooses from: each count now and when prtop attached */
struct returned_inputs {
	bool prtop; /* report() observed (SG_REPORT) */
	uint64_t prtop_bytes;
	bool have_kib; /* reported_kib read now and at attach */
	uint64_t kib, kib0;
	bool have_vmstat; /* page_reporting_pages_reported read now and at attach */
	uint64_t pages, pages0;
	uint64_t page_size;
};

struct prtop_snapshot {
	uint64_t mono_ns;			   /* CLOCK_MONOTONIC at collection */
	uint64_t wall_ns;			   /* CLOCK_REALTIME at collection (-T, record) */
	uint64_t startup_ns;			   /* collector_open(): start to attached */
	uint64_t startup_phase_ns[STARTUP__COUNT]; /* where that time went */
	bool startup_ksyms_cached;		   /* kallsyms from the cache, not the kernel */
	bool startup_btf_cached;		   /* BTF's answers from the cache, not a parse */
	uint8_t startup_core_src;		   /* enum core_src: libbpf's CO-RE types */
	uint64_t start_ns;			   /* CLOCK_MONOTONIC when collection began */
	uint64_t seq; /* frame number the sampler delivered it as, from 1 */

	char kernel[128];	 /* uname -r */
	char device[128];	 /* "virtballoon_free_page_report [virtio_balloon]" or "" */
	char device_reason[160]; /* why no device is known */
	bool device_none;	 /* known: no device registered */
	bool device_by_btf;	 /* device[] is the loaded driver's report() in BTF, not yet seen run */
	char publish[128];	 /* vendor publication callback's name, "" none/unknown */
	int publish_state;	 /* 0 no such member, 1 unknown yet, 2 NULL, 3 named */

	struct probe_status probe[PROBE__COUNT];
	struct layer_status layer[LAYER__COUNT];
	bool avail[SG__COUNT];
	uint64_t page_size; /* bytes per base page */
	int order_low;	    /* the per-order tables show order_low .. order_high - 1 */
	int order_high;

	struct prtop_counters c;
	uint64_t nents_hist[PRTOP_NENTS_SLOTS];
	struct snap_hist hist[PRTOP_H__COUNT];
	struct snap_order order[PRTOP_ORDERS];
	int max_order; /* highest order present in buddyinfo + 1 */
	/* free blocks per order of each node's zone apart: the per-pass budget is per zone */
	uint64_t zone_blocks[SNAP_MAX_ZONES][PRTOP_ORDERS];
	int nzones;
	uint64_t mem_free; /* MemFree of /proc/meminfo in bytes, 0 unknown: free memory also
			    * outside the free lists (per-CPU lists, memory a kernel keeps aside) */

	/* reuse of reported memory (scan mode or exact mode) */
	uint64_t reuse_bytes;		  /* bytes of reported ranges handed out again */
	uint64_t reuse_ranges;		  /* ranges seen reused */
	uint64_t reuse_unreported_ranges; /* ranges still free but no longer reported (merged) */
	uint64_t reuse_tracked;		  /* ranges currently remembered */
	uint64_t reuse_forgotten;	  /* ranges dropped because the table was full */
	struct snap_hist reuse_age;	  /* report -> reuse, ns */

	struct snap_knob knob_order, knob_capacity, knob_delay_ms;
	struct prtop_last_run last_run; /* values the last run used (patch), seen=0: unknown */

	int nparams;
	struct snap_param params[SNAP_MAX_PARAMS];

	struct snap_hint hint;
	struct snap_xcheck xcheck;
	struct snap_returned returned;
	struct snap_backlog backlog;

	uint64_t drops; /* all lost events: ring buffer + table overflow + runs missed */
};

/* Rates between two snapshots of the same collector. */
struct snap_rates {
	double interval_s;
	double reported_bytes_per_s;
	double batches_per_s;
	double worker_runs_per_s;
	double notify_per_s;
	double reused_bytes_per_s;
	bool returned_known; /* both snapshots count returned memory from one source */
	double returned_bytes_per_s;
};

static inline bool snap_has(const struct prtop_snapshot *s, enum snap_group g)
{
	return s->avail[g];
}

const char *probe_name(enum probe_id id);
const char *startup_phase_name(enum startup_phase p);
const char *attach_mode_name(enum attach_mode m);
const char *layer_name(enum layer_id id);

/* hist.c */
uint64_t hist_count(const struct snap_hist *h);
/*
 * p in [0,100]: an estimate (the bucket's middle, kept within the exact
 * min and max, so never outside the bucket nor the values seen); 0 if empty
 */
uint64_t hist_percentile(const struct snap_hist *h, double p);
uint64_t hist_slot_low(uint32_t slot);	/* inclusive lower bound of a slot */
uint64_t hist_slot_high(uint32_t slot); /* exclusive upper bound */
void hist_add(struct snap_hist *h, uint64_t v);
uint64_t nents_count(const uint64_t *nents_hist);
/*
 * avail[] from how the probes attached: the one place that knows which
 * attach mode gives which figures (the patch's tracepoints give the run and
 * cycle detail; only the kpageflags scan tracks ranges; ...)
 */
void snap_set_avail(struct prtop_snapshot *s);
/*
 * The per-second rate of cur's kernel counter params[i] since prev (the same
 * name there); false without prev, or when it went down (reset, or not a
 * counter after all): unknown, not 0.
 */
bool snap_counter_rate(const struct prtop_snapshot *prev, const struct prtop_snapshot *cur, int i,
		       double *per_s);
/*
 * The kernel's run count against prtop's runs started and ended since
 * attach; a run in flight at either end may be one side's only.
 */
void snap_cross_check(struct snap_xcheck *x, uint64_t kernel_runs, uint64_t started, uint64_t done);
/* the best source of returned memory; a count that went down is unknown */
void snap_returned_pick(struct snap_returned *r, const struct returned_inputs *in);
/* "prtop", "kernel:reported_kib", "kernel:vmstat"; NULL when unknown (JSON, labels) */
const char *returned_source_name(enum returned_source s);
/* for people: "", "kernel's counter" (text), or the longer why (doctor) */
const char *returned_source_note(enum returned_source s, bool long_form);
/* order_low (the reporting order, else 9) and order_high from the snapshot's data */
void snap_fill_orders(struct prtop_snapshot *s);
/* rates from prev to cur; prev may be NULL (zero rates) */
void snap_rates(const struct prtop_snapshot *prev, const struct prtop_snapshot *cur,
		struct snap_rates *out);

#endif /* PRTOP_SNAPSHOT_H */
