/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Definitions shared by the BPF programs (bpf/prtop.bpf.c) and the
 * userspace loader.  Everything here must compile both with clang -target
 * bpf (vmlinux.h types) and with the host C compiler (<linux/types.h>).
 */
#ifndef PRTOP_H
#define PRTOP_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define PRTOP_ORDERS	  16 /* orders 0..15 are tracked */
#define PRTOP_NENTS_SLOTS 65 /* nents 0..63 exact, slot 64: >= 64 */
#define PRTOP_BATCH_MAX	  64 /* scatterlist entries sent per event */

/* log-linear histogram: 2^HIST_SUB_BITS linear slots per power of two */
#define PRTOP_HIST_SUB_BITS 4
#define PRTOP_HIST_SUB	    (1 << PRTOP_HIST_SUB_BITS)
#define PRTOP_HIST_SLOTS    (64 * PRTOP_HIST_SUB)

enum prtop_hist_id {
	PRTOP_H_WORKER_RUN = 0, /* page_reporting_process duration, ns */
	PRTOP_H_REQ_DELAY,	/* request -> worker start, ns */
	PRTOP_H_REPORT,		/* device report() round trip, ns */
	PRTOP_H_REUSE_AGE,	/* report -> reuse (exact mode), ns */
	PRTOP_H_HINT_RUN,	/* hinting run (start id -> pages pulled), ns */
	PRTOP_H_HINT_HOLD,	/* first hinting run -> blocks returned (host done), ns */
	PRTOP_H__COUNT,
};

/* virtio-balloon free page hinting command ids (uapi virtio_balloon.h) */
#define PRTOP_HINT_CMD_STOP 0
#define PRTOP_HINT_CMD_DONE 1

/*
 * page_reporting state machine: an anonymous enum in mm/page_reporting.c
 * upstream, enum page_reporting_state in <linux/page_reporting.h> with the
 * bundled series; the same values
 */
#define PRTOP_STATE_IDLE      0
#define PRTOP_STATE_REQUESTED 1
#define PRTOP_STATE_ACTIVE    2
#define PRTOP_STATES	      3

/* Counters kept in the BPF program's .bss and read by userspace. */
struct prtop_counters {
	__u64 notify_calls;		  /* __page_reporting_notify() entries */
	__u64 notify_state[PRTOP_STATES]; /* prdev->state seen on entry */
	__u64 delayed_work_armed;	  /* worker timer armed (tracepoint) */
	__u64 worker_runs;		  /* page_reporting_process() starts */
	__u64 worker_runs_done;		  /* ... and returns */
	__u64 report_calls;		  /* report() batches */
	__u64 report_errors;		  /* report() returned non-zero */
	__u64 report_pages;		  /* base pages handed to report() */
	__u64 report_bytes;
	__u64 report_pages_ok;	 /* pages of batches without error */
	__u64 cycle_calls;	 /* page_reporting_cycle() visits */
	__u64 drain_calls;	 /* page_reporting_drain() calls */
	__u64 events_dropped;	 /* ring buffer full */
	__u64 nents_truncated;	 /* entries past PRTOP_BATCH_MAX */
	__u64 reuse_exact_pages; /* exact mode: reported pages reallocated */
	__u64 reuse_exact_bytes;
	__u64 reuse_exact_blocks; /* ... in so many free blocks */
	__u64 delay_unmatched;	  /* worker start without a request seen */
	/* from the bundled patch's tracepoints only */
	__u64 worker_errors; /* runs that ended with an error */
	/*
	 * From the v2 series' work_end, cycle and boundary_reset events,
	 * which v3 does not have: never counted, their figures unknown
	 */
	__u64 worker_zones;    /* zones walked (passed the watermark) */
	__u64 cycle_isolated;  /* free pages (blocks) taken off the lists */
	__u64 cycle_exhausted; /* walks stopped by the budget */
	__u64 reset_report;    /* walk restarted at the head after report() */
	__u64 reset_stop;      /* walk stopped, next page rotated to the head */
	__u64 reset_rotated;   /* ... with the first unreported page rotated */
	/* free page hinting (virtio-balloon, live migration) */
	__u64 hint_work_runs;	    /* report_free_page_func() runs, any command */
	__u64 hint_runs;	    /* ... that sent a start id and pulled pages */
	__u64 hint_blocks;	    /* blocks hinted to the host (held by the driver) */
	__u64 hint_done_runs;	    /* ... that found the host's DONE */
	__u64 hint_returned_blocks; /* blocks given back to the allocator at DONE */
	__u64 hint_shrink_calls;    /* the balloon's shrinker freed something */
	__u64 hint_shrunk_pages;    /* base pages it released */
};

/* The values the last reporting run used (the patch's work event). */
struct prtop_last_run {
	__u32 capacity; /* entries per report() */
	__u32 order;	/* lowest order reported */
	__u32 delay_ms; /* the delay this run was queued with, or: */
#define PRTOP_DELAY_UNKNOWN 0xffffffffu /* queued before prtop attached */
	__u32 seen;	/* 1 once a run was seen */
};

/*
 * Exact figures beside each histogram's buckets: a bucket only bounds a
 * value, these do not.  Minimum kept inverted (~min) so that the zeroed
 * .bss needs no initialisation and both updates are "keep the larger".
 */
struct prtop_hist_exact {
	__u64 sum;
	__u64 inv_min; /* ~min; 0 while empty */
	__u64 max;
};

struct prtop_bss_stats {
	struct prtop_counters c;
	__u64 nents_hist[PRTOP_NENTS_SLOTS];
	__u64 order_pages[PRTOP_ORDERS];  /* base pages reported, by order */
	__u64 order_cycles[PRTOP_ORDERS]; /* cycle() visits, by order */
	__u64 order_reused[PRTOP_ORDERS]; /* exact mode, base pages */
	__u64 hist[PRTOP_H__COUNT][PRTOP_HIST_SLOTS];
	struct prtop_hist_exact hist_exact[PRTOP_H__COUNT];
	__u64 prdev;		  /* struct page_reporting_dev_info *, once seen */
	__u64 report_fn;	  /* prdev->report, once seen */
	__u64 publish_fn;	  /* prdev->publish_bitmap (vendor kernels), once seen */
	__u64 hint_last_cmd_id;	  /* the command id of the last hinting run */
	__u64 hint_held_since_ns; /* first hinting run since the last done, 0: none */
	__u64 last_worker_start_ns;
	__u64 last_report_ns;
	struct prtop_last_run last_run;
};

/* One report() batch, sent through the ring buffer for reuse tracking. */
struct prtop_batch_event {
	__u64 ts_ns;
	__u32 nents; /* entries in this batch */
	__s32 err;
	__u64 pfn[PRTOP_BATCH_MAX];
	__u8 order[PRTOP_BATCH_MAX];
};

/*
 * Log-linear bucket of a value: values < PRTOP_HIST_SUB map to themselves;
 * above, the top PRTOP_HIST_SUB_BITS+1 bits select the bucket, giving a
 * relative error below 1 / PRTOP_HIST_SUB.  No loops: usable in BPF.
 */
static inline __u32 prtop_hist_slot(__u64 v)
{
	__u32 msb = 0;
	__u64 x = v;

	if (v < PRTOP_HIST_SUB)
		return (__u32)v;
	if (x >> 32) {
		msb += 32;
		x >>= 32;
	}
	if (x >> 16) {
		msb += 16;
		x >>= 16;
	}
	if (x >> 8) {
		msb += 8;
		x >>= 8;
	}
	if (x >> 4) {
		msb += 4;
		x >>= 4;
	}
	if (x >> 2) {
		msb += 2;
		x >>= 2;
	}
	if (x >> 1) {
		msb += 1;
	}
	/* msb >= PRTOP_HIST_SUB_BITS here */
	return ((msb - PRTOP_HIST_SUB_BITS + 1) << PRTOP_HIST_SUB_BITS) +
	       (__u32)((v >> (msb - PRTOP_HIST_SUB_BITS)) & (PRTOP_HIST_SUB - 1));
}

#endif /* PRTOP_H */
