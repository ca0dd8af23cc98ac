/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Human-readable formatting shared by the live view and batch output.
 * Every fmt_* that takes (buf, len) writes a NUL-terminated string that is
 * truncated to fit, and returns buf.  Output is UTF-8 ("—", "µs") unless
 * fmt_set_ascii(true) was called (for terminals whose locale is not UTF-8).
 */
#ifndef PRTOP_FORMAT_H
#define PRTOP_FORMAT_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include "snapshot.h"

void fmt_set_ascii(bool ascii);
bool fmt_is_ascii(void);
const char *fmt_dash(void); /* "—": no samples yet / nothing */

/* "0 B", "512 B", "1.50 KiB", "12.0 MiB", "512 MiB" (powers of 1024) */
char *fmt_bytes(char *buf, size_t len, uint64_t bytes);
/* bytes as MiB with no unit, one decimal below 10000: "0.0", "12.5", "20480" */
char *fmt_mib(char *buf, size_t len, double bytes);
/* "0 ns", "850 ns", "12.3 µs", "4.56 ms", "2.01 s", "1.20 min", "3.00 h" */
char *fmt_ns(char *buf, size_t len, uint64_t ns);
/* "999", "12.3k", "4.56M", "7.89G": counts in narrow columns */
char *fmt_count(char *buf, size_t len, uint64_t n);
/* a rate with about three significant digits: "0.50/s", "12.0/s", "1234/s" */
char *fmt_per_s(char *buf, size_t len, double per_s);
/* a byte rate in MiB/s: "0.00 MiB/s", "12.3 MiB/s", "1234 MiB/s" */
char *fmt_mib_per_s(char *buf, size_t len, double bytes_per_s);
/* "0.5 s", "1 s", "2.5 s", "60 s" */
char *fmt_interval(char *buf, size_t len, double s);
/* rounded-to-the-second duration: "42s", "3m05s", "2h01m", "3d04h" */
char *fmt_uptime(char *buf, size_t len, uint64_t ns);

/* the same, or "n/a" when the figure has no source (!known): unknown is never 0 */
char *fmt_known_u64(char *buf, size_t len, bool known, uint64_t v);
/* a run's queued delay, "N ms", or "unknown" (PRTOP_DELAY_UNKNOWN: queued
 * before prtop attached, so no event gave it) */
char *fmt_run_delay(char *buf, size_t len, uint32_t delay_ms);
/*
 * The totals line's plain counters, the MF_TOTALS rows of the metric table
 * in its order: "label value" in out[i] ("n/a" where unknown), bit i of
 * *bad set where the row is MF_BAD_NONZERO and above 0.  Returns how many,
 * at most max.
 */
#define FMT_TOTAL_LEN 64
int fmt_totals(char out[][FMT_TOTAL_LEN], int max, const struct prtop_snapshot *s,
	       unsigned int *bad);
char *fmt_known_bytes(char *buf, size_t len, bool known, uint64_t bytes);
char *fmt_known_mib(char *buf, size_t len, bool known, double bytes);
char *fmt_known_per_s(char *buf, size_t len, bool known, double per_s);
char *fmt_known_mib_per_s(char *buf, size_t len, bool known, double bytes_per_s);

/* CLOCK_REALTIME ns as local "2026-11-30 01:50:00" (-T) */
char *fmt_wall(char *buf, size_t len, uint64_t wall_ns);

/* display columns of a UTF-8 string (every code point counts one) */
size_t fmt_width(const char *s);
/* s padded with spaces to width columns (left- or right-aligned) */
char *fmt_pad(char *buf, size_t len, const char *s, int width, bool right);

/* clamp an interval to the 0.2 .. 3600 s prtop allows */
double fmt_clamp_interval(double s);
/*
 * next interval up (dir > 0) or down (dir < 0) on 0.2 0.5 1 2 5 10 30 60
 * 120 300 600 1800 3600 (so - then + returns to -d 300); an interval
 * outside that range never steps the wrong way
 */
double fmt_step_interval(double s, int dir);

/* ---- snapshot fields, the same way in every presentation ---- */

/* how much of a knob's source fmt_knob shows */
enum fmt_knob_style {
	FMT_KNOB_FULL = 0,   /* all of it */
	FMT_KNOB_BRIEF = 1,  /* its first two words, at most up to a comma */
	FMT_KNOB_CLAUSE = 2, /* up to its first comma */
};

/*
 * "order 9 (module parameter page_reporting.page_reporting_order)",
 * "delay ? (unknown)"; FMT_KNOB_BRIEF: "order 9 (module parameter)".
 */
char *fmt_knob(char *buf, size_t len, const char *label, const struct snap_knob *k,
	       const char *unit, int style);
/* "worker:tracepoint", "report:—" */
char *fmt_probe_short(char *buf, size_t len, const struct prtop_snapshot *s, enum probe_id id);
/* true when some probe is not attached (then point at "prtop doctor") */
bool fmt_probe_missing(const struct prtop_snapshot *s);

enum fmt_lat_row {
	FMT_LAT_WORKER = 0, /* worker run time */
	FMT_LAT_DELAY,	    /* request -> run delay */
	FMT_LAT_REPORT,	    /* report() round trip */
	FMT_LAT_REUSE,	    /* report -> reuse age */
	FMT_LAT__COUNT,
};

struct fmt_latency {
	const char *label; /* "worker run time", ... */
	const char *key;   /* "worker_run", ... for text output */
	bool attached;	   /* false: show "n/a" */
	uint64_t count;
	char count_s[24]; /* "n/a", "—" or the count */
	char p50[24];	  /* "n/a", "—" or "120 µs" */
	char p99[24];
	char max[24]; /* exact */
};

void fmt_latency(const struct prtop_snapshot *s, enum fmt_lat_row row, struct fmt_latency *out);

/*
 * Free page hinting in one line, or NULL where the device does not offer
 * it (doctor says why): "runs 2 (last command id 5), hinted 1.50 GiB, ..."
 */
char *fmt_hint(char *buf, size_t len, const struct prtop_snapshot *s);
/* the kernel's run count against prtop's, or NULL without one */
char *fmt_xcheck(char *buf, size_t len, const struct prtop_snapshot *s);
/* the vendor publication callback, or NULL on kernels without the member */
char *fmt_publish(char *buf, size_t len, const struct prtop_snapshot *s);

/*
 * Memory returned since start: "2.47 GiB", "2.47 GiB (kernel's counter)",
 * or "n/a" where nothing counts it
 */
char *fmt_returned(char *buf, size_t len, const struct prtop_snapshot *s);
/* its rate: "383.0 MiB/s", "383.0 MiB/s (kernel's counter)", or "n/a" */
char *fmt_returned_rate(char *buf, size_t len, const struct prtop_snapshot *s,
			const struct snap_rates *r);

/*
 * The backlog's time to return: "~9.4 s", "0 s" with no backlog, "n/a"
 * when unknown or not draining
 */
char *fmt_backlog_eta(char *buf, size_t len, const struct snap_backlog *b);
/*
 * Batch text's backlog line after "backlog: ": "1.20 GiB unreported of
 * 10.0 GiB reportable, drain 128 MiB/s, ~9.4 s to return (estimates)", or
 * "n/a (why)"
 */
char *fmt_backlog_line(char *buf, size_t len, const struct prtop_snapshot *s);
/*
 * How long free memory waited to be reported, weighted by bytes: "p50 4.0
 * s, p90 8.0 s, mean 5.1 s of 1.00 GiB (estimates, to 2.0 s)": each wait
 * within the last figure; n/a when
 * no scan tracked it, "none seen yet" with no sample
 */
char *fmt_backlog_wait(char *buf, size_t len, const struct snap_backlog_wait *w);

/*
 * A kernel counter's value and rate in its unit: "292836272 KiB" and
 * "104 MiB/s" for reported_kib, "3260" and "1.00/s" for passes
 */
char *fmt_param_count(char *buf, size_t len, const struct snap_param *p);
char *fmt_param_rate(char *buf, size_t len, const struct snap_param *p, double per_s);

/*
 * lead (already padded to its column), then text word by word, lines broken
 * before FMT_TEXT_COLS with the rest indented to lead's width: every text
 * output fits an 80-column terminal
 */
#define FMT_TEXT_COLS 80
void fmt_print_wrapped(FILE *out, const char *lead, const char *text);
/* one line as it is when it fits, else wrapped past its "label: " */
void fmt_print_line(FILE *out, const char *line);

/* whether the per-order tables show this order: order_low .. order_high - 1, or it has data */
bool fmt_order_shown(const struct prtop_snapshot *s, int order);

/* how a per-order row is written: the same columns, the cycles narrower on screen */
enum fmt_order_style {
	FMT_ORDER_TEXT = 0,   /* batch text: cycles in full, 8 columns */
	FMT_ORDER_SCREEN = 1, /* the live view: cycles as fmt_count ("12.3k"), 7 columns */
};

/* the per-order table's heading: "order   free MiB reported MiB ..." (labels: metric table) */
char *fmt_order_head(char *buf, size_t len, enum fmt_order_style style);
/*
 * One order's row under that heading: free, reported and reused MiB and the
 * cycles, "n/a" where a figure has no source ("    9        0.0 ...")
 */
char *fmt_order_row(char *buf, size_t len, const struct prtop_snapshot *s, int order,
		    enum fmt_order_style style);

struct json_object;
/* v as a JSON number written with exactly `decimals` decimals */
struct json_object *fmt_json_fixed(double v, int decimals);

#endif /* PRTOP_FORMAT_H */
