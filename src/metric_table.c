// SPDX-License-Identifier: GPL-2.0
/*
 * The metric table (metric_table.h): every name of every figure.  A row is
 * {name, unit, kind, avail, JSON key, Prometheus family, HELP, label}.
 */
#include <string.h>
#include "metric_table.h"

#define C MK_COUNTER
#define G MK_GAUGE
#define H MK_HISTOGRAM
#define I MK_INFO

const struct metric metric_table[M__COUNT] = {
    /* ---- memory returned and the backlog ---- */
    [M_REPORTED_BYTES] = {"memory returned since attach", "bytes", C, MA_SOURCE,
			  "reported_bytes_total", "prtop_reported_bytes_total",
			  "Bytes of free memory handed to the balloon device since prtop started; "
			  "source \"prtop\": its count of report(), \"kernel:...\": the kernel's "
			  "own counter.",
			  "reported"},
    [M_REPORTED_RATE] = {"memory returned per second", NULL, G, MA_SOURCE, "reported_bytes_per_s",
			 NULL, NULL, "reported"},
    [M_BACKLOG_BYTES] = {"free memory not reported yet", "bytes", G, MA_SOURCE, "backlog.bytes",
			 "prtop_report_backlog_bytes",
			 "Free memory in blocks of page_reporting_order or above not reported yet "
			 "(estimate: /proc/buddyinfo less the reported blocks /proc/kpageflags "
			 "shows).",
			 "backlog"},
    [M_FREE_REPORTED_BYTES] = {"free memory flagged reported", "bytes", G, MA_SOURCE,
			       "backlog.reported_free_bytes", "prtop_free_reported_bytes",
			       "Free memory in blocks flagged reported, of page_reporting_order or "
			       "above (/proc/kpageflags: KPF_BUDDY and KPF_UPTODATE, which "
			       "PG_reported aliases).",
			       NULL},
    /* JSON in ms, /metrics in seconds */
    [M_BACKLOG_SCAN] = {"time of the last kpageflags scan", "seconds", G, MA_SOURCE,
			"backlog.scan_ms", "prtop_report_backlog_scan_seconds",
			"Time the last /proc/kpageflags scan took.", NULL},
    /* the HELP names M_REPORTED_BYTES's family in two pieces: grep finds that row alone */
    [M_BACKLOG_DRAIN] = {"memory returned per second since the drain began, up to 10 s", NULL, G,
			 MA_SOURCE, "backlog.drain_bytes_per_s",
			 "prtop_report_backlog_drain_bytes_per_second",
			 "Memory returned per second since the drain began (at most the last 10 s, "
			 "at least 2 s), from the source "
			 "prtop_reported_bytes"
			 "_total names.",
			 "drain"},
    [M_BACKLOG_ETA] = {"time to return the backlog", "seconds", G, MA_SOURCE,
		       "backlog.time_to_return_s", "prtop_report_backlog_drain_seconds",
		       "Estimated time to return the backlog (less what was returned since its "
		       "scan) at the drain rate; absent when it "
		       "does not drain.",
		       "to return"},
    /* weighted by bytes: a bucket holds bytes, _count is bytes, _sum byte-seconds */
    [M_BACKLOG_WAIT] = {"time free memory waited before it was reported", "seconds", H, MA_SOURCE,
			"backlog.wait", "prtop_report_backlog_wait_seconds",
			"Time free memory of page_reporting_order or above waited from a "
			"/proc/kpageflags scan that saw it free and not reported to the one that "
			"saw it reported, weighted by bytes: buckets and _count are bytes, _sum "
			"is byte-seconds.  Estimate: each wait is within one scan interval "
			"(about 2 s) of the truth; memory reported at first sight is left out.",
			"waited"},

    /* ---- report() ---- */
    [M_REPORTED_PAGES] = {"base pages reported", NULL, C, SG_REPORT, "reported_pages_total",
			  "prtop_reported_pages_total",
			  "Base pages handed to the device's report() callback.", "pages",
			  .ctr = METRIC_CTR(report_pages)},
    [M_BATCHES] = {"report() calls", NULL, C, SG_REPORT, "batches_total",
		   "prtop_report_batches_total",
		   "report() calls (batches of up to page_reporting capacity entries).", "batches",
		   .ctr = METRIC_CTR(report_calls), .flags = MF_TOTALS},
    [M_REPORT_ERRORS] = {"report() calls that failed", NULL, C, SG_REPORT, "report_errors_total",
			 "prtop_report_errors_total", "report() calls that returned an error.",
			 "errors", .ctr = METRIC_CTR(report_errors),
			 .flags = MF_TOTALS | MF_BAD_NONZERO},
    [M_BATCH_ENTRIES] = {"entries per batch", NULL, H, SG_REPORT, "batch_nents_hist",
			 "prtop_report_batch_entries", "Scatterlist entries per report() batch.",
			 "nents"},
    [M_REPORT_DURATION] = {"report() round trip", "seconds", H, SG_REPORT, "report_ns",
			   "prtop_report_duration_seconds", "report() round trip time.",
			   "report() round trip"},

    /* ---- the worker and its requests ---- */
    [M_WORKER_RUNS] = {"worker runs", NULL, C, SG_WORKER, "worker_runs_total",
		       "prtop_worker_runs_total",
		       "Runs of the page reporting worker (page_reporting_process).", "worker runs",
		       .ctr = METRIC_CTR(worker_runs), .flags = MF_TOTALS},
    [M_WORKER_RUN_DURATION] = {"worker run time", "seconds", H, SG_WORKER, "worker_run_ns",
			       "prtop_worker_run_duration_seconds",
			       "Run time of the page reporting worker.", "worker run time"},
    [M_REQUEST_DELAY] = {"request to run delay", "seconds", H, SG_DELAY, "request_delay_ns",
			 "prtop_request_delay_seconds",
			 "Delay from the first unserved reporting request to the worker's start.",
			 "request\u2192run delay", "request->run delay"},
    [M_WORKER_SCHEDULED] = {"worker timer armed", NULL, C, SG_TIMER, "delayed_work_armed_total",
			    "prtop_worker_scheduled_total",
			    "Times the worker's delayed work timer was armed.", NULL,
			    .ctr = METRIC_CTR(delayed_work_armed)},
    /* JSON: the calls; /metrics: the calls by the state they found */
    [M_NOTIFY] = {"reporting requests", NULL, C, SG_NOTIFY, "notify_total", "prtop_notify_total",
		  "__page_reporting_notify() calls by the reporting state they found.", "notifies"},
    [M_CYCLES] = {"free list walks", NULL, C, SG_CYCLE, "cycles_total", NULL, NULL, NULL,
		  .ctr = METRIC_CTR(cycle_calls)},
    [M_DRAINS] = {"drains", NULL, C, SG_DRAIN, "drains_total", NULL, NULL, NULL,
		  .ctr = METRIC_CTR(drain_calls)},

    /*
     * ---- the bundled patch's tracepoints only ----
     * Zones walked and the walk figures came from the v2 series' work_end,
     * cycle and boundary_reset events, which v3 does not have: unknown.
     */
    [M_WORKER_ERRORS] = {"failed reporting runs", NULL, C, SG_RUN_DETAIL, "worker_errors_total",
			 "prtop_worker_errors_total", "Reporting runs that ended with an error.",
			 "runs failed", .ctr = METRIC_CTR(worker_errors)},
    [M_ZONES_WALKED] = {"zones walked", NULL, C, SG_CYCLE_DETAIL, "zones_walked_total",
			"prtop_worker_zones_walked_total",
			"Zones whose free lists reporting runs walked.", "zones walked",
			.ctr = METRIC_CTR(worker_zones)},
    [M_CYCLE_ISOLATED] = {"pages isolated by walks", NULL, C, SG_CYCLE_DETAIL,
			  "cycle_isolated_total", NULL, NULL, NULL,
			  .ctr = METRIC_CTR(cycle_isolated)},
    [M_BUDGET_EXHAUSTED] = {"walks out of budget", NULL, C, SG_CYCLE_DETAIL,
			    "cycle_budget_exhausted_total", "prtop_cycle_budget_exhausted_total",
			    "Free list walks stopped because their report() budget ran out.",
			    "budget exhausted", .ctr = METRIC_CTR(cycle_exhausted)},
    [M_BOUNDARY_RESETS] = {"boundary resets", NULL, C, SG_RESETS, "boundary_resets",
			   "prtop_boundary_resets_total",
			   "Free list walks moved back to the list head: after report() dropped "
			   "the zone lock (reason=report), or stopping with the next page rotated "
			   "to the head (reason=stop).",
			   "boundary resets"},
    [M_BOUNDARY_ROTATIONS] = {"restarts that rotated", NULL, C, SG_RESETS,
			      "boundary_resets.rotated", "prtop_boundary_rotations_total",
			      "Restarts after report() that first rotated the unreported page to "
			      "the list head.",
			      "rotated"},

    /* ---- reuse of reported memory ---- */
    [M_REUSED_BYTES] = {"reported memory reused", "bytes", C, SG_REUSE, "reuse_bytes_total",
			"prtop_reused_bytes_total",
			"Bytes of reported memory seen handed out again.", "reused"},
    [M_REUSED_RANGES] = {"reported ranges reused", NULL, C, SG_REUSE, "reuse.ranges", NULL, NULL,
			 NULL},
    [M_REUSE_AGE] = {"report to reuse age", "seconds", H, SG_REUSE_AGE, "reuse.age_ns",
		     "prtop_reuse_age_seconds", "Time from report to reuse of reported memory.",
		     "reuse age"},
    [M_REUSE_TRACKED] = {"reported ranges remembered", NULL, G, SG_REUSE_RANGES,
			 "reuse.tracked_ranges", "prtop_reuse_tracked_ranges",
			 "Reported ranges currently remembered for reuse tracking.", NULL},

    /* ---- free page hinting ---- */
    [M_HINT_RUNS] = {"hinting runs", NULL, C, SG_HINT, "hinting.runs_total",
		     "prtop_hint_runs_total",
		     "Free page hinting runs: the host sent a command id and the driver pulled "
		     "pages.",
		     "runs"},
    [M_HINT_HINTED_BYTES] = {"memory hinted", "bytes", C, SG_HINT, "hinting.hinted_bytes_total",
			     "prtop_hint_hinted_bytes_total",
			     "Bytes of free memory hinted to the host.", "hinted"},
    [M_HINT_RETURNED_BYTES] = {"hinted memory given back", "bytes", C, SG_HINT,
			       "hinting.returned_bytes_total", "prtop_hint_returned_bytes_total",
			       "Hinted bytes given back to the allocator when the host said done.",
			       "returned"},
    [M_HINT_SHRINKER_BYTES] = {"hinted memory shrunk", "bytes", C, SG_HINT_SHRINK,
			       "hinting.shrinker_bytes_total", "prtop_hint_shrinker_bytes_total",
			       "Hinted bytes the balloon's shrinker released under memory "
			       "pressure.",
			       "shrinker"},
    [M_HINT_RUN_DURATION] = {"hinting run time", "seconds", H, SG_HINT, "hinting.run_ns",
			     "prtop_hint_run_duration_seconds",
			     "Time a hinting run took to pull free pages.", "run time"},
    [M_HINT_HELD] = {"hinted blocks held", "seconds", H, SG_HINT, "hinting.held_ns",
		     "prtop_hint_held_seconds",
		     "Time hinted blocks were held: first hinting run until the host said done.",
		     "held"},

    /* ---- per order and the free lists ---- */
    [M_FREE_REPORTABLE] = {"free memory in reportable blocks", "bytes", G, SG_FREE_LISTS, NULL,
			   "prtop_free_reportable_bytes",
			   "Free memory in blocks of page_reporting_order or above (reported or "
			   "not).",
			   NULL},
    [M_ORDER_FREE] = {"free memory by order", "bytes", G, SG_FREE_LISTS, "per_order.free_bytes",
		      "prtop_free_bytes",
		      "Free memory on the buddy free lists, by order (/proc/buddyinfo).",
		      "free MiB"},
    [M_ORDER_REPORTED] = {"memory reported by order", "bytes", C, SG_REPORT,
			  "per_order.reported_bytes", "prtop_order_reported_bytes_total",
			  "Bytes reported, by order of the reported blocks.", "reported MiB"},
    [M_ORDER_REUSED] = {"memory reused by order", "bytes", C, SG_REUSE, "per_order.reused_bytes",
			"prtop_order_reused_bytes_total",
			"Bytes of reported memory reused, by order of the reported blocks.",
			"reused MiB"},
    [M_ORDER_CYCLES] = {"walks by order", NULL, C, SG_CYCLE, "per_order.cycles", NULL, NULL,
			"cycles"},

    /* ---- knobs and the kernel's parameters ---- */
    [M_KNOB_ORDER] = {"lowest order reported", NULL, G, MA_SOURCE, "knobs.order",
		      "prtop_knob_page_reporting_order",
		      "Lowest order reported (module parameter "
		      "page_reporting.page_reporting_order).",
		      "order"},
    [M_KNOB_CAPACITY] = {"most entries per batch", NULL, G, MA_SOURCE, "knobs.capacity",
			 "prtop_knob_capacity_entries",
			 "Most entries per report() batch (PAGE_REPORTING_CAPACITY).", "capacity"},
    [M_KNOB_DELAY] = {"request to worker delay", "seconds", G, MA_SOURCE, "knobs.delay_ms",
		      "prtop_knob_delay_seconds",
		      "Delay from a reporting request to the worker (PAGE_REPORTING_DELAY).",
		      "delay"},
    [M_MODULE_PARAMETER] = {"numeric module parameters", NULL, G, SG_PARAMS, "params",
			    "prtop_module_parameter",
			    "Numeric settings in /sys/module/page_reporting/parameters.", "param"},
    [M_KERNEL_PARAM] = {"the kernel's other counters", NULL, C, SG_PARAMS, "kernel_counters",
			"prtop_kernel_param_total",
			"The kernel's own counters of unknown meaning: read-only numeric files in "
			"/sys/module/page_reporting/parameters (vendor kernels), as the kernel "
			"keeps them.",
			"kernel counters"},
    [M_KERNEL_REPORTED] = {"the kernel's reported_kib", "bytes", C, SG_PARAMS,
			   "kernel_counters.reported_kib", "prtop_kernel_reported_bytes_total",
			   "Memory reported to the device since boot: the kernel's own counter "
			   "(module parameter reported_kib, vendor kernels), in bytes.",
			   NULL},
    [M_KERNEL_RUNS] = {"the kernel's passes", NULL, C, SG_PARAMS, "kernel_counters.passes",
		       "prtop_kernel_worker_runs_total",
		       "Reporting worker runs since boot: the kernel's own counter "
		       "(module parameter passes, vendor kernels).",
		       NULL},

    /* ---- prtop itself ---- */
    [M_PROBE_ATTACHED] = {"probes attached", NULL, G, MA_ALWAYS, "attach", "prtop_probe_attached",
			  "1 when the probe is attached (mode says how), 0 when not: see prtop "
			  "doctor.",
			  "probes"},
    [M_EVENTS_DROPPED] = {"events lost", NULL, C, MA_ALWAYS, "drops.total",
			  "prtop_events_dropped_total",
			  "Events lost: ring buffer full, reported ranges forgotten (table full), "
			  "or worker runs missed.",
			  "drops"},
    [M_RUNS_MISSED] = {"worker runs missed", NULL, C, MA_SOURCE, "drops.worker_runs_missed",
		       "prtop_worker_runs_missed_total",
		       "Worker runs the kernel's own count (passes) has and prtop did not see.",
		       NULL},
    [M_PUBLICATION] = {"the publication callback", NULL, I, MA_SOURCE, "publication",
		       "prtop_publication_info",
		       "The device's free-memory publication callback (vendor kernels), once "
		       "known.",
		       "publication"},
    [M_BUILD] = {"prtop's version", NULL, I, MA_ALWAYS, NULL, "prtop_build_info",
		 "prtop's version and the running kernel.", NULL},
    [M_DEVICE] = {"the reporting device", NULL, I, MA_SOURCE, "device", "prtop_device_info",
		  "The free page reporting device's report() callback, once known.", "device"},
    [M_SAMPLES] = {"samples taken", NULL, C, MA_ALWAYS, "sample", "prtop_samples_total",
		   "Snapshots the collector has taken.", "sample"},
    [M_SNAPSHOT_AGE] = {"age of the snapshot served", "seconds", G, MA_ALWAYS, NULL,
			"prtop_snapshot_age_seconds",
			"Age of the snapshot these metrics come from.", NULL},
    [M_SCRAPES] = {"scrapes served", NULL, C, MA_ALWAYS, NULL, "prtop_scrape_requests_total",
		   "/metrics requests served by this exporter.", NULL},

    /* ---- prtop host, per VM ---- */
    [M_HOST_DISCARDED] = {"guest memory discarded", "bytes", C, MA_HOST, "discarded_bytes",
			  "prtop_host_discarded_bytes_total",
			  "Guest memory the VMM gave back to the host kernel, by method "
			  "(successful calls).",
			  "DISCARDED"},
    [M_HOST_DISCARD_CALLS] = {"discard calls", NULL, C, MA_HOST, "discard_calls",
			      "prtop_host_discard_calls_total",
			      "Successful discard calls of the VMM, by method.", NULL},
    [M_HOST_DISCARD_FAILED] = {"discard calls refused", NULL, C, MA_HOST, "discard_failed",
			       "prtop_host_discard_failed_total",
			       "Discard calls the host kernel refused.", "refused"},
    [M_HOST_OTHER_DISCARDED] = {"discards outside guest RAM", "bytes", C, MA_HOST,
				"other_discarded_bytes", "prtop_host_other_discarded_bytes_total",
				"Discards outside guest RAM: the VMM's own memory (malloc trims, "
				"buffers).",
				"VMM's own memory"},
    [M_HOST_DISCARD_SIZE] = {"discard sizes", "bytes", H, MA_HOST, "discard_size_le_bytes",
			     "prtop_host_discard_size_bytes",
			     "Sizes of discard calls: 2 MiB and 4 MiB show order 9 and 10 reports.",
			     "sizes (up to)"},
    [M_HOST_REFAULTED] = {"discarded memory faulted back", "bytes", C, MA_HOST_REFAULTS,
			  "refaulted_bytes", "prtop_host_refaulted_bytes_total",
			  "Discarded guest memory faulted back in (present and private again).",
			  "REFAULTED"},
    [M_HOST_REFAULT_AGE] = {"discard to refault age", "seconds", H, MA_HOST_REFAULTS,
			    "refault_age_le_ms_bytes", "prtop_host_refault_age_seconds",
			    "Time from discard to refault, one observation per 4 KiB page.",
			    "refault age median"},
    [M_HOST_RSS] = {"the VMM's resident memory", "bytes", G, MA_HOST, "rss_bytes",
		    "prtop_host_rss_bytes", "Resident memory of the VMM process (VmRSS).", "RSS"},
    [M_HOST_CHUNKS_UNTRACKED] = {"chunks whose refaults are not told", NULL, C, MA_HOST_REFAULTS,
				 "chunks_untracked", "prtop_host_chunks_untracked_total",
				 "Discarded 2 MiB chunks whose refaults cannot be told (tracking "
				 "table full).",
				 NULL},
    [M_HOST_DISCARD_RATE] = {"discarded over the window", NULL, G, MA_HOST,
			     "window.discarded_bytes", NULL, NULL, "DISCARD/s"},
    [M_HOST_REFAULT_RATE] = {"refaulted per second over the window", NULL, G, MA_HOST_REFAULTS,
			     "window.refault_bytes_per_s", NULL, NULL, "REFAULT/s"},
    [M_HOST_RSS_CHANGE] = {"RSS change over the window", "bytes", G, MA_HOST,
			   "window.rss_change_bytes", NULL, NULL, "RSS CHANGE"},
    [M_HOST_VM] = {"a watched VM", NULL, I, MA_HOST, "vms", "prtop_host_vm_info",
		   "A watched VM: its VMM and how its RAM is backed.", NULL},
    [M_HOST_VMS] = {"VMM processes watched", NULL, G, MA_ALWAYS, NULL, "prtop_host_vms",
		    "VMM processes watched; labelled ones have series of their own.", NULL},
    [M_HOST_MANAGER_MEMORY] = {"memory as the VM's manager reports it", "bytes", G, MA_HOST,
			       "manager_stats", "prtop_host_manager_memory_bytes",
			       "The VM's memory as its manager reports it: stat actual (the "
			       "balloon's size), rss (the VMM's resident memory), usable (what the "
			       "guest could use); libvirt's dommemstat.",
			       NULL},

    /* ---- prtop host itself ---- */
    [M_HOST_PROBE_ATTACHED] = {"host probes attached", NULL, G, MA_ALWAYS, "probes",
			       "prtop_host_probe_attached",
			       "1 when the probe is attached, 0 when not: see prtop doctor --host.",
			       NULL},
    [M_HOST_REFAULT_EVENTS_LOST] = {"refault events lost", NULL, C, MA_ALWAYS, NULL,
				    "prtop_host_refault_events_lost_total",
				    "Refault events the ring buffer dropped.",
				    "refault events lost"},
    [M_HOST_CHUNKS_TRACKED] = {"chunks tracked", NULL, G, MA_ALWAYS, NULL,
			       "prtop_host_chunks_tracked",
			       "2 MiB chunks with discarded pages not yet faulted back.", NULL},
};

const char *metric_json_leaf(enum metric_id id)
{
	const char *k = metric_table[id].json, *dot = k ? strrchr(k, '.') : NULL;

	return dot ? dot + 1 : k;
}

bool metric_known(const struct prtop_snapshot *s, enum metric_id id)
{
	int g = metric_table[id].avail;

	return g < SG__COUNT ? snap_has(s, (enum snap_group)g) : true;
}

bool metric_counter(const struct prtop_snapshot *s, enum metric_id id, uint64_t *v)
{
	unsigned short at = metric_table[id].ctr;

	if (!at)
		return false;
	memcpy(v, (const char *)&s->c + at - 1, sizeof(*v));
	return true;
}
