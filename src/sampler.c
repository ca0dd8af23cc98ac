// SPDX-License-Identifier: GPL-2.0
/*
 * The sampling driver (see sampler.h).  Deadlines are absolute, so frames
 * do not drift by the time a sample takes; after a stall (suspend, a slow
 * sample) the schedule restarts from now instead of catching up in a burst.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "sampler.h"
#include "ui.h"

#define SLICE_MS 100 /* longest collector poll: keys and signals stay responsive */

int sampler_init(struct sampler *s, struct collector *c, const struct sampler_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->c = c;
	s->o = *o;
	s->interval_ns = (uint64_t)((o->interval_s > 0 ? o->interval_s : 1.0) * 1e9);
	s->prev = calloc(1, sizeof(*s->prev));
	s->cur = calloc(1, sizeof(*s->cur));
	if (!s->prev || !s->cur) {
		sampler_free(s);
		return -ENOMEM;
	}
	if (o->history) {
		int err = history_init(&s->hist, o->history);

		if (err) {
			sampler_free(s);
			return err;
		}
	}
	collector_sample(c, s->cur);
	s->last_ns = s->cur->mono_ns;
	s->next_ns = s->last_ns + s->interval_ns;
	s->cur->seq = 0;
	return 0;
}

void sampler_free(struct sampler *s)
{
	free(s->prev);
	free(s->cur);
	s->prev = s->cur = NULL;
	history_free(&s->hist);
}

static bool stopping(const struct sampler *s)
{
	return prtop_stop || s->quit;
}

/* back early with nothing to do (a signal, no ring buffer): do not spin */
static void sleep_rest(uint64_t start, int slice_ms)
{
	uint64_t spent = now_ns() - start, want = (uint64_t)slice_ms * NSEC_PER_MSEC;
	struct timespec ts;

	if (spent >= want)
		return;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(want - spent);
	nanosleep(&ts, NULL);
}

/* poll the collector (and call idle) until the next sample is due */
static void wait_due(struct sampler *s)
{
	uint64_t now, start;
	int slice, rc;

	while (!stopping(s)) {
		now = now_ns();
		if (!s->paused && now >= s->next_ns)
			return;
		slice = SLICE_MS;
		if (!s->paused && (s->next_ns - now) / NSEC_PER_MSEC < SLICE_MS)
			slice = (int)((s->next_ns - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		start = now;
		rc = collector_poll(s->c, slice);
		if (s->o.idle) {
			int left = slice - (int)((now_ns() - start) / NSEC_PER_MSEC);

			s->quit = s->o.idle(s->o.idle_ctx, rc > 0 || left < 0 ? 0 : left);
		} else if (rc <= 0 && !prtop_stop) {
			sleep_rest(start, slice);
		}
	}
}

static void take(struct sampler *s)
{
	struct prtop_snapshot *tmp = s->prev;

	s->prev = s->cur;
	s->cur = tmp;
	collector_sample(s->c, s->cur);
	s->have_prev = true;
	s->last_ns = s->cur->mono_ns;
	s->next_ns += s->interval_ns;
	if (s->next_ns <= s->last_ns) /* fell behind: restart the schedule */
		s->next_ns = s->last_ns + s->interval_ns;
}

static bool deliver(struct sampler *s)
{
	s->frames++;
	s->cur->seq = (uint64_t)s->frames;
	if (s->have_prev)
		snap_rates(s->prev, s->cur, &s->rates);
	else
		memset(&s->rates, 0, sizeof(s->rates));
	if (s->hist.cap) {
		double v[HF__COUNT];
		bool known[HF__COUNT];

		history_sample(s->cur, &s->rates, s->have_prev, v, known);
		history_push(&s->hist, (double)(s->cur->mono_ns - s->cur->start_ns) / 1e9, v,
			     known);
	}
	return true;
}

bool sampler_next(struct sampler *s)
{
	if (s->o.count && s->frames >= s->o.count)
		return false;
	if (s->o.deliver_base && !s->frames && !s->have_prev)
		return !stopping(s) && deliver(s);
	if (stopping(s))
		return false;
	wait_due(s);
	if (stopping(s) && !(s->o.final_on_stop && prtop_stop && !s->frames))
		return false;
	take(s);
	return deliver(s);
}

void sampler_set_interval(struct sampler *s, double secs)
{
	s->o.interval_s = secs;
	s->interval_ns = (uint64_t)(secs * 1e9);
	s->next_ns = s->last_ns + s->interval_ns;
}

void sampler_pause(struct sampler *s, bool paused)
{
	s->paused = paused;
	if (!paused)
		s->next_ns = now_ns(); /* a fresh frame right away */
}

bool sampler_final(struct sampler *s)
{
	if (now_ns() < s->last_ns + 50 * NSEC_PER_MSEC)
		return false;
	take(s);
	return deliver(s);
}
