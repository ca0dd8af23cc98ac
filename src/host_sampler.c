// SPDX-License-Identifier: GPL-2.0
/*
 * The host monitor as a sampler source (sampler.h): prtop host's views,
 * its JSON and its exporter run on the same driver as the guest's.  The
 * host's samples keep to the grid of whole intervals, so that two prtop
 * host on one machine (the view and the exporter) scan at the same moments
 * and the refault ages they find by PAGEMAP_SCAN, known to the interval,
 * agree.
 */
#include "hostmon.h"
#include "sampler.h"

static void hs_sample(void *ctx, void *snap)
{
	host_sample(ctx, snap);
}

static uint64_t hs_mono(const void *snap)
{
	return ((const struct host_snap *)snap)->mono_ns;
}

static const struct sampler_src host_src = {
    .snap_size = sizeof(struct host_snap),
    .sample = hs_sample,
    .mono_ns = hs_mono,
    .grid = true,
};

int host_sampler_init(struct sampler *s, struct host *h, const struct sampler_opts *o)
{
	return sampler_init_src(s, &host_src, h, o);
}
