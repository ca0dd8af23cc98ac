/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The collector: loads and attaches the BPF programs the running kernel
 * allows, reads procfs/sysfs, tracks reported ranges, and fills snapshots.
 * It knows nothing about screens or output formats.
 */
#ifndef PRTOP_COLLECTOR_H
#define PRTOP_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include "snapshot.h"

struct collector;

struct collector_opts {
	bool reuse_exact;      /* opt-in: kmem:mm_page_alloc hook (costs per allocation) */
	bool no_reuse;	       /* do not track reported ranges at all */
	bool verbose;	       /* libbpf debug output on stderr */
	size_t reuse_capacity; /* ranges remembered (0: default 65536) */
	bool test_layers;      /* doctor: also test-load layers not needed, to say if they work */
};

/*
 * Open and attach.  On failure returns a negative errno and writes one line
 * (what failed, why, what to do) into err.  Succeeds whenever anything at
 * all can be observed; what cannot is described in the snapshot's probes.
 */
int collector_open(struct collector **out, const struct collector_opts *o, char *err,
		   size_t errlen);

/* Handle pending events for up to timeout_ms (ring buffer, reuse). */
int collector_poll(struct collector *c, int timeout_ms);

/* Take a snapshot: counters, histograms, free lists, params, reuse scan. */
void collector_sample(struct collector *c, struct prtop_snapshot *out);

/*
 * After opening, before any thread starts: drop the capabilities no longer
 * needed (privs.h); what was kept, with why, goes into kept.  0 or -1.
 */
int collector_drop_caps(struct collector *c, char *kept, size_t len);

/* Detach everything and free; safe on NULL. */
void collector_close(struct collector *c);

#endif /* PRTOP_COLLECTOR_H */
