/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metric table: one row per figure prtop shows, holding every name the
 * figure goes by -- its JSON key (stat --json, doctor, record files and the
 * reader of those files), its Prometheus family, its label on screen (batch
 * text and the live view) -- with its unit, its kind and what makes it
 * known.  The presentations take names from here and nowhere else, so a
 * name is changed in one place and `grep` of a family's full name (with
 * its _total) lands on its row.
 *
 * A plain counter (a struct prtop_counters member, METRIC_CTR) is also
 * taken from here: JSON, /metrics and the totals line loop over the rows.
 * A computed figure (a rate, bytes from pages, a histogram) keeps a line in
 * each presentation that shows it, which decides its place and its value.
 */
#ifndef PRTOP_METRIC_TABLE_H
#define PRTOP_METRIC_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

enum metric_kind { MK_COUNTER, MK_GAUGE, MK_HISTOGRAM, MK_INFO };

/*
 * What makes a figure known, beyond the guest's snap_group values: the
 * snapshot's own flag for it (returned memory's source, the backlog's
 * known, a knob's known), always, or prtop host's rule for its figures
 */
enum metric_avail {
	MA_SOURCE = SG__COUNT, /* the figure's own flag in the snapshot */
	MA_ALWAYS,	       /* known whenever there is a snapshot */
	MA_HOST,	       /* prtop host: whenever a VM is watched */
	MA_HOST_REFAULTS,      /* prtop host: with the refault probe (HP_PAGEMAP) */
};

enum metric_id {
	/* memory returned and the backlog */
	M_REPORTED_BYTES = 0,
	M_REPORTED_RATE,
	M_BACKLOG_BYTES,
	M_FREE_REPORTED_BYTES,
	M_BACKLOG_SCAN,
	M_BACKLOG_DRAIN,
	M_BACKLOG_ETA,
	M_BACKLOG_WAIT,
	/* report() */
	M_REPORTED_PAGES,
	M_BATCHES,
	M_REPORT_ERRORS,
	M_BATCH_ENTRIES,
	M_REPORT_DURATION,
	/* the worker and its requests */
	M_WORKER_RUNS,
	M_WORKER_RUN_DURATION,
	M_REQUEST_DELAY,
	M_WORKER_SCHEDULED,
	M_NOTIFY,
	M_CYCLES,
	M_DRAINS,
	/* the bundled patch's tracepoints only */
	M_WORKER_ERRORS,
	M_ZONES_WALKED,
	M_CYCLE_ISOLATED,
	M_BUDGET_EXHAUSTED,
	M_BOUNDARY_RESETS,
	M_BOUNDARY_ROTATIONS,
	/* reuse of reported memory */
	M_REUSED_BYTES,
	M_REUSED_RANGES,
	M_REUSE_AGE,
	M_REUSE_TRACKED,
	/* free page hinting */
	M_HINT_RUNS,
	M_HINT_HINTED_BYTES,
	M_HINT_RETURNED_BYTES,
	M_HINT_SHRINKER_BYTES,
	M_HINT_RUN_DURATION,
	M_HINT_HELD,
	/* per order and the free lists */
	M_FREE_REPORTABLE,
	M_ORDER_FREE,
	M_ORDER_REPORTED,
	M_ORDER_REUSED,
	M_ORDER_CYCLES,
	/* knobs and the kernel's parameters */
	M_KNOB_ORDER,
	M_KNOB_CAPACITY,
	M_KNOB_DELAY,
	M_MODULE_PARAMETER,
	M_KERNEL_PARAM,
	M_KERNEL_REPORTED,
	M_KERNEL_RUNS,
	/* prtop itself */
	M_PROBE_ATTACHED,
	M_EVENTS_DROPPED,
	M_RUNS_MISSED,
	M_PUBLICATION,
	M_BUILD,
	M_DEVICE,
	M_SAMPLES,
	M_SNAPSHOT_AGE,
	M_SCRAPES,
	/* prtop host, per VM */
	M_HOST_DISCARDED,
	M_HOST_DISCARD_CALLS,
	M_HOST_DISCARD_FAILED,
	M_HOST_OTHER_DISCARDED,
	M_HOST_DISCARD_SIZE,
	M_HOST_REFAULTED,
	M_HOST_REFAULT_AGE,
	M_HOST_RSS,
	M_HOST_CHUNKS_UNTRACKED,
	M_HOST_DISCARD_RATE,
	M_HOST_REFAULT_RATE,
	M_HOST_RSS_CHANGE,
	M_HOST_VM,
	M_HOST_VMS,
	M_HOST_MANAGER_MEMORY,
	/* prtop host itself */
	M_HOST_PROBE_ATTACHED,
	M_HOST_REFAULT_EVENTS_LOST,
	M_HOST_CHUNKS_TRACKED,
	M__COUNT,
};

struct metric {
	const char *name; /* what it is, in a few words */
	const char *unit; /* "bytes", "seconds" (OpenMetrics UNIT), or NULL */
	enum metric_kind kind;
	int avail;		 /* an enum snap_group, or an enum metric_avail */
	const char *json;	 /* its key; "a.b": key b in object a; NULL: none */
	const char *prom;	 /* the family's full sample name (_total, _info); NULL: none */
	const char *help;	 /* the family's HELP */
	const char *label;	 /* on screen; NULL: not shown by label */
	const char *label_ascii; /* the label under LC_ALL=C, where it differs */
	/*
	 * The struct prtop_counters member that is the figure's value, plus
	 * one (METRIC_CTR; 0: its presentations compute the value).  JSON,
	 * /metrics and the totals line loop over these rows: a plain counter
	 * needs its row and the BPF line that counts it, nothing more.
	 */
	unsigned short ctr;
	unsigned char flags; /* MF_* */
};

#define METRIC_CTR(member) ((unsigned short)(offsetof(struct prtop_counters, member) + 1))
#define MF_TOTALS	   0x1 /* in the totals line of text and the live view */
#define MF_BAD_NONZERO	   0x2 /* above 0 is trouble: the live view shows it so */

/* the JSON key beside M_REPORTED_BYTES's that names its source ("prtop", "kernel:...") */
#define METRIC_REPORTED_SOURCE_KEY "reported_source"

extern const struct metric metric_table[M__COUNT];

static inline const struct metric *metric(enum metric_id id)
{
	return &metric_table[id];
}

/* the JSON key within its object: "ranges" of "reuse.ranges" */
const char *metric_json_leaf(enum metric_id id);

/* a plain counter's value in s (*v), false for a row without METRIC_CTR */
bool metric_counter(const struct prtop_snapshot *s, enum metric_id id, uint64_t *v);

/* is a guest figure known in s: its group's availability (MA_SOURCE: true) */
bool metric_known(const struct prtop_snapshot *s, enum metric_id id);

#endif /* PRTOP_METRIC_TABLE_H */
