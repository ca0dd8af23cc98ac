/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The sampling driver: the one place that keeps a source polling, decides
 * when a sample is due, takes it and computes rates.  Every presentation
 * (live view, batch text and JSON, stat, the exporter, prtop host) runs on
 * it and only reads sampler.cur / .prev / .rates.  A source is a table of
 * what differs: the guest's collector (sampler_init) or the host monitor
 * (src/host_sampler.c).
 */
#ifndef PRTOP_SAMPLER_H
#define PRTOP_SAMPLER_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include "collector.h"
#include "history.h"

/*
 * Called while waiting for the next sample, after each source poll: may
 * block up to wait_ms (the live view reads keys here).  Returns true to
 * end sampling (the user quit).
 */
typedef bool (*sampler_idle_fn)(void *ctx, int wait_ms);

struct sampler;

/* what a source does; the sampler only schedules */
struct sampler_src {
	size_t snap_size; /* bytes of one sample */
	/* take one sample into snap */
	void (*sample)(void *ctx, void *snap);
	/* when the sample was taken (CLOCK_MONOTONIC ns) */
	uint64_t (*mono_ns)(const void *snap);
	/*
	 * wait up to ms for the source's events: > 0 when some were handled
	 * (the wait may be cut short), 0 or < 0 when none.  NULL: the source
	 * has nothing to poll between samples and the sampler sleeps.
	 */
	int (*poll)(void *ctx, int ms);
	/* after each delivered sample: its number, rates, history (may be NULL) */
	void (*delivered)(struct sampler *s);
	/* history of o.history slots: set up (0 or -errno) and freed; may be NULL */
	int (*hist_init)(struct sampler *s, int slots);
	void (*hist_free)(struct sampler *s);
	/*
	 * samples on the grid of whole intervals of the monotonic clock: two
	 * instances on one machine sample at the same moments
	 */
	bool grid;
};

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
	const struct sampler_src *src;
	union {
		struct collector *c; /* the guest's source */
		void *ctx;	     /* any source */
	};
	struct sampler_opts o;
	uint64_t interval_ns;
	uint64_t next_ns; /* when the next sample is due */
	uint64_t last_ns; /* when the latest was taken */
	long frames;	  /* samples delivered so far */
	bool paused;
	bool quit;	/* idle() asked to stop */
	bool have_prev; /* prev holds the sample before cur */
	union {
		struct {
			struct prtop_snapshot *prev, *cur; /* the guest's */
		};
		struct {
			void *vprev, *vcur; /* any source's */
		};
	};
	struct snap_rates rates; /* the guest's: prev -> cur; zero without prev */
	struct history hist;	 /* the guest's: one slot per delivered sample */
	void *ext;		 /* the source's own state (the host's history) */
};

/* The guest's collector: take the base sample; -ENOMEM or -EINVAL (nothing to free) or 0. */
int sampler_init(struct sampler *s, struct collector *c, const struct sampler_opts *o);
/* the same for any source */
int sampler_init_src(struct sampler *s, const struct sampler_src *src, void *ctx,
		     const struct sampler_opts *o);
/*
 * Wait until the next sample is due (polling the source), take it, and
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
/* one more sample now, whatever the latest's age (a bench's run's end); true */
bool sampler_take(struct sampler *s);
void sampler_set_interval(struct sampler *s, double secs);
void sampler_pause(struct sampler *s, bool paused);
void sampler_free(struct sampler *s);
/* the first moment after now on the grid of whole intervals */
uint64_t sampler_next_on_grid(uint64_t now, uint64_t interval);

#endif /* PRTOP_SAMPLER_H */
