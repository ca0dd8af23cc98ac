/* SPDX-License-Identifier: GPL-2.0 */
/*
 * History of the key figures, one slot per delivered sample: the live
 * view's strips and the "history" object of -b -j frames read the same
 * ring, so a test can compare the screen with the data.  A slot whose
 * figure has no source (or no rate yet) is unknown: a gap, never 0.
 *
 * Values are kept rounded to HIST_DECIMALS in their display unit, so the
 * JSON prints exactly the number the strip was drawn from.
 */
#ifndef PRTOP_HISTORY_H
#define PRTOP_HISTORY_H

#include <stdbool.h>
#include <stdint.h>
#include "snapshot.h"

enum hist_fig {
	HF_RETURNED = 0, /* memory returned, MiB/s (the headline's source) */
	HF_REPORTABLE,	 /* free memory in blocks of order >= the reporting order, MiB */
	HF_RUNS,	 /* worker runs per second */
	HF_REUSED,	 /* reported memory handed out again, MiB/s */
	HF_BACKLOG,	 /* free memory not reported yet (the backlog's last scan), MiB */
	HF__COUNT,
};

#define HIST_DECIMALS	   3
#define HIST_MAX_SLOTS	   86400 /* a day at 1 s */
#define HIST_DEFAULT_SLOTS 300	 /* the live view without --history: 5 min at 1 s */

struct history {
	int cap;	      /* slots per figure */
	int nfig;	      /* figures per slot (HF__COUNT for the guest's) */
	int n;		      /* slots filled, up to cap */
	int next;	      /* where the next slot goes */
	double *val;	      /* [fig * cap + slot] */
	unsigned char *known; /* same index; 0: unknown */
	double *t_s;	      /* per slot: the sample's time since collection began */
};

struct hist_fig_info {
	const char *key;   /* JSON key in "history" */
	const char *label; /* the strip's label on screen */
	const char *unit;  /* shown after the scale's maximum */
};

const struct hist_fig_info *history_fig(enum hist_fig f);
/* cap slots (1 .. HIST_MAX_SLOTS); -EINVAL or -ENOMEM, nothing to free */
int history_init(struct history *h, int cap);
/* the same with nfig figures (0 .. nfig-1) of another kind (the host's) */
int history_init_n(struct history *h, int cap, int nfig);
void history_free(struct history *h);
/* one slot: v[f] where known[f] (v rounded to HIST_DECIMALS here) */
void history_push(struct history *h, double t_s, const double *v, const bool *known);
/* slot i, oldest first (0 .. n-1); false when unknown (*v untouched) */
bool history_get(const struct history *h, int f, int i, double *v);
double history_time(const struct history *h, int i);
/*
 * The figures of one sample: rates need have_prev and their groups; the
 * reportable memory the free lists and a known reporting order.
 */
void history_sample(const struct prtop_snapshot *cur, const struct snap_rates *r, bool have_prev,
		    double *v, bool *known);

/*
 * The strip's scale: the largest known value of f in the last w slots;
 * false when none of them is known.
 */
bool history_max(const struct history *h, int f, int w, double *max);
/*
 * The drawn level of a known value on a scale of levels 1..top (top: the
 * highest glyph): 1 is "known, zero" (the baseline), top is max.  Level =
 * 1 + floor(v / max * (top - 1) + 0.5), clamped; max <= 0 gives 1.  An
 * unknown slot has no level: it is a gap (0).
 */
int history_level(double v, double max, int top);
/*
 * {"t_s": [...], "returned_mib_per_s": [...], ...}: every slot, oldest
 * first, unknown as null; t_s is each sample's time since collection began
 */
struct json_object;
struct json_object *history_json(const struct history *h);

#endif /* PRTOP_HISTORY_H */
