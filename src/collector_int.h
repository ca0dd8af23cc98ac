/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The collector's insides, shared by collector.c (open/poll/sample/close)
 * and attach.c (skeleton load, attach back-ends, layers); host.c takes only
 * attach_init_logging() from here.  Presentations never see this: the API
 * stays opaque.
 */
#ifndef PRTOP_COLLECTOR_INT_H
#define PRTOP_COLLECTOR_INT_H

#include "backlog.h"
#include "caps.h"
#include "collector.h"
#include "plan.h"

struct prtop_bpf;
struct bpf_link;
struct ring_buffer;
struct reuse_tracker;

#define MAX_LINKS 32

/*
 * A probe on a module's function by kprobe: the module may be unloaded
 * (the kprobe dies with it) and loaded again (prtop attaches anew).
 */
struct mod_watch {
	bool on;	    /* watched: a kprobe on a module's function */
	unsigned long ino;  /* /sys/module/MOD's inode while attached: a new one is a reload */
	char detail[96];    /* the probe's detail while attached */
	unsigned int lost;  /* times the module went away */
	unsigned int back;  /* times prtop re-attached */
	uint64_t lost_wall; /* when it last went away (CLOCK_REALTIME ns) */
};

struct collector {
	struct collector_opts opts;
	struct kernel_caps caps;
	struct plan plan; /* after attach_all(): plan.probe[] is what really attached */
	struct prtop_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	int nlinks;
	int link_first[PROBE__COUNT], link_n[PROBE__COUNT]; /* each probe's links */
	struct mod_watch watch[PROBE__COUNT];
	struct ring_buffer *rb;
	struct reuse_tracker *reuse;
	struct ksyms *ksyms;
	int kallsyms_fd;  /* opened before dropping capabilities, or -1 */
	bool fentry_used; /* the loaded programs include fentry ones */
	struct layer_status layer[LAYER__COUNT];
	uint64_t page_size;
	uint64_t start_ns;
	uint64_t startup_ns;
	uint64_t phase_ns[STARTUP__COUNT];
	bool ksyms_cached;	/* the symbols came from the kallsyms cache */
	bool btf_cached;	/* what the BTF says came from the cache (caps_btf_cached) */
	bool core_cached;	/* the CO-RE types too (caps_core_load) */
	uint8_t core_src;	/* enum core_src: what the load relocated against */
	uint64_t phase_mark;	/* when the current phase began */
	uint64_t last_scan_ns;	/* last reuse scan */
	uint64_t last_watch_ns; /* last check of modules that come and go */
	char kernel[128];
	uint64_t device_fn; /* the report() address device[] names */
	char device[128];
	uint64_t publish_fn; /* the publish_bitmap() address publish[] names */
	char publish[128];
	bool have_passes0; /* the kernel's own run count when prtop attached */
	uint64_t passes0;
	/* the kernel's own counts of reported memory when prtop attached */
	bool have_kib0; /* a vendor's reported_kib */
	uint64_t kib0;
	bool have_vmstat0; /* the patch series' page_reporting_pages_reported */
	uint64_t vmstat0;
	/* the backlog: /proc/kpageflags (opened while privileged), the last scan */
	int kpf_fd;
	int kpf_errno; /* why it could not be opened */
	struct snap_backlog backlog;
	struct backlog_cache heads; /* the reported heads the last scan found */
	struct backlog_waits waits; /* the units it saw waiting, the waits so far */
	uint64_t backlog_ns;	    /* when it was scanned, 0 never */
	uint64_t backlog_cpu_ns;    /* the CPU time its scan took */
	struct drain_window drain;
};

/* attach.c */
void attach_init_logging(bool verbose);
uint64_t attach_peek_report(const struct ksyms *ks);
void attach_preopen(void);
/* the preopened object's BTF, NULL when it cannot take a core BTF */
const struct btf *attach_local_btf(void);
/* the kernel types for its CO-RE relocations (caps_core_btf()) */
void attach_set_core_btf(const void *data, size_t len);
int attach_load(struct collector *c, char *err, size_t len);
void attach_all(struct collector *c);
void attach_describe_layers(struct collector *c);
void attach_read_prdev(struct collector *c);
/* module probes: detach when their module went away, re-attach when back */
void attach_watch_modules(struct collector *c);
/* the function of a probe that may need attaching again later, or NULL */
const char *attach_may_reattach(const struct collector *c);
void attach_close(struct collector *c);

#endif /* PRTOP_COLLECTOR_INT_H */
