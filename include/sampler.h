/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sampling driver: the one place that keeps the collector polling,
 * decides when a sample is due, takes it and computes rates.  Every
 * presentation (live view, batch text and JSON, stat, the exporter) runs on
 * it and only reads sampler.cur / .prev / .rates.
 */
#ifndef PRTOP_SAMPLER_H
#define PRTOP_SAMPLER_H

#include <stdbool.h>
#include <stdint.h>
#include "collector.h"
#include "history.h"

/*
 * Called while waiting for the next sample, after each collector poll: may
 * block up to wait_ms (the live view reads keys here).  Returns true to
 * end sampling (the user quit).
 */
typedef bool (*sampler_idle_fn)(void *ctx, int wait_ms);

struct sampler_opts {
	double interval_s;  /* time between samples */
	long count;	    /* samples to deliver, 0: until stopped */
	bool deliver_base;  /* the first sample is a frame (live view, exporter) */
	bool final_on_stop; /* a signal still gets a last sample (stat's window) */
	int history;	    /* slots of history to keep (history.h), 0: none */
	sampler_idle_fn idle;
	void *idle_ctx;
};

struct sampler {
	struct collector *c;
	struct sampler_opts o;
	uint64_t interval_ns;
	uint64_t next_ns; /* when the next sample is due */
	uint64_t last_ns; /* when the latest was taken */
	long frames;	  /* samples delivered so far */
	bool paused;
	bool quit;	/* idle() asked to stop */
	bool have_prev; /* prev holds the sample before cur */
	struct prtop_snapshot *prev, *cur;
	struct snap_rates rates; /* prev -> cur; zero without prev */
	struct history hist;	 /* one slot per delivered sample (o.history slots) */
};

/* Take the base sample; -ENOMEM or -EINVAL (nothing to free) or 0. */
int sampler_init(struct sampler *s, struct collector *c, const struct sampler_opts *o);
/*
 * Wait until the next sample is due (polling the collector), take it, and
 * return true; false once the count is reached, a signal arrived or idle()
 * asked to stop.  With deliver_base the first call returns the base sample
 * at once.
 */
bool sampler_next(struct sampler *s);
/*
 * One more sample now (the end of a recording), unless the latest is under
 * 50 ms old; true when taken.
 */
bool sampler_final(struct sampler *s);
void sampler_set_interval(struct sampler *s, double secs);
void sampler_pause(struct sampler *s, bool paused);
void sampler_free(struct sampler *s);

#endif /* PRTOP_SAMPLER_H */
