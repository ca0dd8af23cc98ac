/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prtop record files and what `prtop report` makes of them: the format,
 * the workload's will-it-scale lines, the timeline and the attribution of
 * cost.  Pure (json-c only): the unit tests read files they write.
 *
 * The format (JSON Lines, one object per line, "type" first):
 *   {"type":"header","format":"prtop-record","version":1,"kernel":...,
 *    "command":[...],"interval_s":1,"start_time":"...","page_size":4096,
 *    "refault_price":{"ns_per_4k":..,"ns_per_2m":..}|null}
 *   {"type":"sample","t":1.0,"snapshot":{...as prtop stat --json...}}
 *   {"type":"workload","t":1.0,"min":N,"max":N,"total":N,"measured":bool}
 *   {"type":"workload_average","t":..,"average":N}
 *   {"type":"end","t":..,"exit_status":N,"signal":N|null,"wall_s":..,
 *    "after_s":..}
 * t is seconds since the command started; the end line's t is the end of
 * the recording, wall_s the command's own time (--after samples past it).
 *
 * Memory returned: a sample's reported_bytes_total (bytes since prtop
 * attached) from the source its reported_source names ("prtop",
 * "kernel:reported_kib", "kernel:vmstat"); files from before that key take
 * reported_bytes_total as prtop's, or else the kernel's
 * kernel_counters.reported_kib.total (KiB) differences.  A reader skips types it does not
 * know; a newer major version is refused.
 */
#ifndef PRTOP_RECORD_H
#define PRTOP_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define RECORD_FORMAT  "prtop-record"
#define RECORD_VERSION 1

/* will-it-scale's output, one line */
enum wis_kind {
	WIS_NONE = 0,	 /* not one of its lines */
	WIS_SECOND,	 /* min:N max:N total:N */
	WIS_AVERAGE,	 /* average:N */
	WIS_MEASUREMENT, /* measurement: the warm-up is over */
	WIS_TESTCASE,	 /* testcase:... */
};

struct wis_line {
	enum wis_kind kind;
	uint64_t min, max, total, average;
};

enum wis_kind wis_parse(const char *line, struct wis_line *out);

/* a figure that may be unknown */
struct opt_num {
	bool known;
	double v;
};

/* one interval of the timeline: from the previous sample to this one */
struct rec_interval {
	double t;	       /* end of the interval, s since start */
	double dt;	       /* its length */
	struct opt_num ops_s;  /* the workload's operations per second */
	struct opt_num rep_bs; /* reported bytes per second */
	struct opt_num batches_s, runs_s;
	struct opt_num reused_bs;
};

/* where the returned bytes come from: REC_SRC_* or a newer file's own name */
#define REC_SRC_PRTOP	    "prtop"
#define REC_SRC_KERNEL_KIB  "kernel:reported_kib"
#define REC_SRC_KERNEL_VMST "kernel:vmstat"

/* the source in words, for the report: "the kernel's reported_kib" */
const char *record_source_words(const char *source);

struct rec_totals {
	struct opt_num reported_bytes, batches, worker_runs, reused_bytes, reused_blocks;
	struct opt_num worker_ns, report_ns, reuse_age_p50_ns;
	struct opt_num cycles, budget_exhausted, resets;
	struct opt_num kernel_reported_kib; /* the vendor counter's delta */
};

struct record {
	int version;
	char kernel[128];
	char command[512];
	char device[128];
	bool device_from_btf; /* no sample named it: report()'s implementation in BTF */
	char publication[128];
	char reported_source[32]; /* of the returned bytes (REC_SRC_*); "" unknown */
	double interval_s;
	uint64_t page_size;
	bool thp; /* the workload said it runs with THP */
	struct opt_num price_4k, price_2m;

	int nint;
	struct rec_interval *iv;
	int nwis;	 /* will-it-scale per-second lines seen */
	double ops_mean; /* mean of the measured seconds' totals */
	bool have_ops;
	bool have_average;
	uint64_t average; /* the workload's own average: line */

	bool ended;
	int exit_status;
	int signal;
	double wall_s;
	double after_s; /* sampled this long after the command exited */
	double end_t;	/* the recording's end */
	struct rec_totals tot;
};

/* read a record file; 0, or -errno with one line in err */
int record_read(const char *path, struct record *r, char *err, size_t errlen);
void record_free(struct record *r);

/* the attribution of cost, each figure also as a share of the run time */
struct rec_cost {
	const char *what;
	struct opt_num seconds;
	const char *why; /* when unknown */
};

#define REC_COSTS 4
void record_costs(const struct record *r, struct rec_cost out[REC_COSTS]);

/* the report: text, JSON */
void record_print(FILE *out, const struct record *r, const char *path);
void record_print_json(FILE *out, const struct record *r, const char *path);

#endif /* PRTOP_RECORD_H */
