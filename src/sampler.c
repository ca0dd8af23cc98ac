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

#define SLICE_MS 100 /* longest source poll: keys and signals stay responsive */

/* ---- the guest's collector as a source ---- */

static void guest_sample(void *ctx, void *snap)
{
	collector_sample(ctx, snap);
}

static uint64_t guest_mono(const void *snap)
{
	return ((const struct prtop_snapshot *)snap)->mono_ns;
}

static int guest_poll(void *ctx, int ms)
{
	return collector_poll(ctx, ms);
}

static void guest_delivered(struct sampler *s)
{
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
}

static int guest_hist_init(struct sampler *s, int slots)
{
	return history_init(&s->hist, slots);
}

static void guest_hist_free(struct sampler *s)
{
	history_free(&s->hist);
}

static const struct sampler_src guest_src = {
    .snap_size = sizeof(struct prtop_snapshot),
    .sample = guest_sample,
    .mono_ns = guest_mono,
    .poll = guest_poll,
    .delivered = guest_delivered,
    .hist_init = guest_hist_init,
    .hist_free = guest_hist_free,
};

int sampler_init(struct sampler *s, struct collector *c, const struct sampler_opts *o)
{
	int err = sampler_init_src(s, &guest_src, c, o);

	if (!err)
		s->cur->seq = 0;
	return err;
}

/* ---- the driver ---- */

uint64_t sampler_next_on_grid(uint64_t now, uint64_t interval)
{
	return (now / interval + 1) * interval;
}

/* when the sample after the one just taken is due */
static void schedule(struct sampler *s)
{
	if (s->src->grid)
		s->next_ns = sampler_next_on_grid(now_ns(), s->interval_ns);
	else
		s->next_ns = s->last_ns + s->interval_ns;
}

int sampler_init_src(struct sampler *s, const struct sampler_src *src, void *ctx,
		     const struct sampler_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->src = src;
	s->ctx = ctx;
	s->o = *o;
	s->interval_ns = (uint64_t)((o->interval_s > 0 ? o->interval_s : 1.0) * 1e9);
	s->vprev = calloc(1, src->snap_size);
	s->vcur = calloc(1, src->snap_size);
	if (!s->vprev || !s->vcur) {
		sampler_free(s);
		return -ENOMEM;
	}
	if (o->history && src->hist_init) {
		int err = src->hist_init(s, o->history);

		if (err) {
			sampler_free(s);
			return err;
		}
	}
	src->sample(ctx, s->vcur);
	s->last_ns = src->mono_ns(s->vcur);
	schedule(s);
	return 0;
}

void sampler_free(struct sampler *s)
{
	free(s->vprev);
	free(s->vcur);
	s->vprev = s->vcur = NULL;
	if (s->src && s->src->hist_free)
		s->src->hist_free(s);
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

/* poll the source (and call idle) until the next sample is due */
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
		rc = s->src->poll ? s->src->poll(s->ctx, slice) : 0;
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
	void *tmp = s->vprev;

	s->vprev = s->vcur;
	s->vcur = tmp;
	s->src->sample(s->ctx, s->vcur);
	s->have_prev = true;
	s->last_ns = s->src->mono_ns(s->vcur);
	if (s->src->grid) {
		schedule(s);
		return;
	}
	s->next_ns += s->interval_ns;
	if (s->next_ns <= s->last_ns) /* fell behind: restart the schedule */
		s->next_ns = s->last_ns + s->interval_ns;
}

static bool deliver(struct sampler *s)
{
	s->frames++;
	if (s->src->delivered)
		s->src->delivered(s);
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
	schedule(s);
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
	return sampler_take(s);
}

bool sampler_take(struct sampler *s)
{
	take(s);
	return deliver(s);
}
