// SPDX-License-Identifier: GPL-2.0
/*
 * prtop: BPF side.  The same handlers are reached through fentry/fexit,
 * kprobe/kretprobe or stock tracepoints, and the bundled patch's
 * page_reporting tracepoints have programs of their own; the loader decides
 * which programs load and attach on the running kernel.  All counters live in .bss and
 * are read by userspace through the mmap'ed map, without syscalls.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "prtop.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before load. */
const volatile __u64 worker_fn;		/* page_reporting_process */
const volatile __u64 dwork_timer_fn;	/* delayed_work_timer_fn */
const volatile __u64 pr_dev_info_addr;	/* &pr_dev_info, 0: unknown */
const volatile __u64 vmemmap_base_addr;	/* &vmemmap_base, 0: unknown */
const volatile __u32 page_shift = 12;
const volatile bool track_ranges;	/* send batches to the ring buffer */
const volatile bool reuse_exact;	/* remember ranges for kmem hook */
const volatile __u32 min_report_order = 9; /* page_reporting_order */
const volatile __u64 hint_work_fn;	/* report_free_page_func */
const volatile __u64 hint_shrink_fn;	/* virtio_balloon_shrinker_scan */

struct prtop_bss_stats stats;
__u64 pending_request_ns;	/* first request not yet served */
__u32 queued_delay_ms = PRTOP_DELAY_UNKNOWN; /* the queued run's delay (v3 events) */

struct call_start {
	__u64 ts;
	__u64 prdev;
	__u64 sgl;
	__u32 nents;
};

struct reported_range {
	__u64 ts;
	__u32 order;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* scratch space to build a batch event (too big for the stack) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct prtop_batch_event);
} scratch SEC(".maps");

/* in-flight calls, by thread */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct call_start);
} worker_start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct call_start);
} report_start SEC(".maps");

/* delayed work armed (timer_start), by work_struct address */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u64);
	__type(value, __u64);
} armed SEC(".maps");

/* hinting runs in flight, by thread */
struct hint_start {
	__u64 ts;
	__u64 vb;     /* struct virtio_balloon * */
	__u64 blocks; /* vb->num_free_page_blocks at the start */
	__u32 active; /* vb->cmd_id_active at the start */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct hint_start);
} hint_start SEC(".maps");

/* exact reuse mode: reported ranges by head pfn */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct reported_range);
} reported SEC(".maps");

/*
 * Bound an index in a way the compiler cannot drop: clang knows e.g. that
 * order_of_len() <= 15 and removes a plain mask, but older verifiers
 * (6.1) cannot prove the bound without it.
 */
static __always_inline __u64 bound(__u64 v, __u64 mask)
{
	asm volatile("%[v] &= %[m]" : [v] "+r"(v) : [m] "i"(mask));
	return v;
}

static __always_inline void count(__u64 *c, __u64 n)
{
	__sync_fetch_and_add(c, n);
}

/* *p = max(*p, v) against concurrent writers; gives up after a few races */
static __always_inline void keep_max(__u64 *p, __u64 v)
{
	__u64 old = *p, seen;
	int i;

	for (i = 0; i < 4 && v > old; i++) {
		seen = __sync_val_compare_and_swap(p, old, v);
		if (seen == old)
			break;
		old = seen;
	}
}

static __always_inline void hist_add(int id, __u64 v)
{
	__u64 slot = bound(prtop_hist_slot(v), PRTOP_HIST_SLOTS - 1);

	if (id < 0 || id >= PRTOP_H__COUNT)
		return;
	count(&stats.hist[id][slot], 1);
	count(&stats.hist_exact[id].sum, v);
	keep_max(&stats.hist_exact[id].max, v);
	keep_max(&stats.hist_exact[id].inv_min, ~v);
}

static __always_inline __u32 tid(void)
{
	return (__u32)bpf_get_current_pid_tgid();
}

static __always_inline void *prdev_of_work(void *work)
{
	/* work is &prdev->work.work (struct delayed_work at prdev->work) */
	return work - bpf_core_field_offset(struct page_reporting_dev_info, work) -
	       bpf_core_field_offset(struct delayed_work, work);
}

/* a vendor extension some kernels carry: free memory published as a bitmap */
struct page_reporting_dev_info___vendor {
	void *publish_bitmap;
} __attribute__((preserve_access_index));

static __always_inline void learn_prdev(void *prdev)
{
	struct page_reporting_dev_info___vendor *v = prdev;
	struct page_reporting_dev_info *p = prdev;

	if (!prdev || stats.prdev == (__u64)prdev)
		return;
	stats.prdev = (__u64)prdev;
	stats.report_fn = (__u64)BPF_CORE_READ(p, report);
	if (bpf_core_field_exists(struct page_reporting_dev_info___vendor, publish_bitmap))
		stats.publish_fn = (__u64)BPF_CORE_READ(v, publish_bitmap);
}

/* ---- notify / request ---- */

static __always_inline void on_notify(void)
{
	struct page_reporting_dev_info *p = (void *)stats.prdev;
	int state;

	count(&stats.c.notify_calls, 1);
	__sync_val_compare_and_swap(&pending_request_ns, 0, bpf_ktime_get_ns());

	if (!p && pr_dev_info_addr) {
		bpf_probe_read_kernel(&p, sizeof(p), (void *)pr_dev_info_addr);
		learn_prdev(p);
	}
	if (!p)
		return;
	state = BPF_CORE_READ(p, state.counter);
	if (state >= 0 && state < PRTOP_STATES)
		count(&stats.c.notify_state[state], 1);
}

/* ---- worker ---- */

static __always_inline void on_worker_start(void *work)
{
	struct call_start s = {};
	__u64 now = bpf_ktime_get_ns(), key = (__u64)work, req;
	__u32 t = tid();
	__u64 *armed_ts;

	count(&stats.c.worker_runs, 1);
	stats.last_worker_start_ns = now;
	learn_prdev(prdev_of_work(work));

	req = __sync_lock_test_and_set(&pending_request_ns, 0);
	armed_ts = bpf_map_lookup_elem(&armed, &key);
	if (req && req < now) {
		hist_add(PRTOP_H_REQ_DELAY, now - req);
	} else if (armed_ts && *armed_ts && *armed_ts < now) {
		hist_add(PRTOP_H_REQ_DELAY, now - *armed_ts);
	} else {
		count(&stats.c.delay_unmatched, 1);
	}
	if (armed_ts)
		bpf_map_delete_elem(&armed, &key);

	s.ts = now;
	s.prdev = (__u64)prdev_of_work(work);
	bpf_map_update_elem(&worker_start, &t, &s, BPF_ANY);
}

static __always_inline void on_worker_end(void)
{
	__u32 t = tid();
	struct call_start *s = bpf_map_lookup_elem(&worker_start, &t);
	struct page_reporting_dev_info *p;
	__u64 now = bpf_ktime_get_ns();

	if (!s)
		return;
	if (now > s->ts)
		hist_add(PRTOP_H_WORKER_RUN, now - s->ts);
	count(&stats.c.worker_runs_done, 1);
	/*
	 * Still REQUESTED after the pass: the worker reschedules itself (a
	 * request during the run, or the per-pass budget ran out).  Unless a
	 * notify already started the clock, the request is now.
	 */
	p = (void *)s->prdev;
	if (p && BPF_CORE_READ(p, state.counter) == PRTOP_STATE_REQUESTED)
		__sync_val_compare_and_swap(&pending_request_ns, 0, now);
	bpf_map_delete_elem(&worker_start, &t);
}

/* ---- report() ---- */

static __always_inline void nents_add(__u32 nents)
{
	__u64 slot = nents < PRTOP_NENTS_SLOTS - 1 ? nents : PRTOP_NENTS_SLOTS - 1;

	slot = bound(slot, 127);
	if (slot >= PRTOP_NENTS_SLOTS)
		slot = PRTOP_NENTS_SLOTS - 1;
	count(&stats.nents_hist[slot], 1);
}

static __always_inline void on_report_entry(void *prdev, void *sgl, __u32 nents)
{
	struct call_start s = {};
	__u32 t = tid();

	learn_prdev(prdev);
	s.ts = bpf_ktime_get_ns();
	s.prdev = (__u64)prdev;
	s.sgl = (__u64)sgl;
	s.nents = nents;
	bpf_map_update_elem(&report_start, &t, &s, BPF_ANY);
}

static __always_inline __u32 order_of_len(__u32 len)
{
	__u32 pages = len >> page_shift, o = 0;

	if (pages >> 8) { o += 8; pages >>= 8; }
	if (pages >> 4) { o += 4; pages >>= 4; }
	if (pages >> 2) { o += 2; pages >>= 2; }
	if (pages >> 1) { o += 1; }
	return o;
}

static __always_inline __u64 vmemmap(void)
{
	__u64 base = 0;

	if (vmemmap_base_addr)
		bpf_probe_read_kernel(&base, sizeof(base), (void *)vmemmap_base_addr);
	return base;
}

static __always_inline void remember_exact(__u64 pfn, __u32 order, __u64 now)
{
	struct reported_range r = { .ts = now, .order = order };

	bpf_map_update_elem(&reported, &pfn, &r, BPF_ANY);
}

/*
 * One report() call, from start to now, that returned ret: its scatterlist
 * (nents entries at sgl, a flat array) still holds the pages: the fexit of
 * report() and the patch's report event both come before
 * page_reporting_drain() puts them back, and both walk it here.
 */
static __always_inline void report_done(const struct call_start *s, __u64 now, long ret)
{
	__u32 i, order, len, nents = s->nents;
	__u64 bytes = 0, base = 0, pfn;
	struct prtop_batch_event *ev = NULL;
	struct scatterlist *sg;
	__u64 sg_size = bpf_core_type_size(struct scatterlist);
	__u64 page_size = bpf_core_type_size(struct page);
	unsigned long link;

	count(&stats.c.report_calls, 1);
	stats.last_report_ns = now;
	if (now > s->ts)
		hist_add(PRTOP_H_REPORT, now - s->ts);
	if (ret)
		count(&stats.c.report_errors, 1);
	nents_add(nents);
	if (nents > PRTOP_BATCH_MAX)
		count(&stats.c.nents_truncated, nents - PRTOP_BATCH_MAX);

	if (!ret && (track_ranges || reuse_exact))
		base = vmemmap();
	if (!ret && track_ranges && base) {
		__u32 zero = 0;

		ev = bpf_map_lookup_elem(&scratch, &zero);
	}

	for (i = 0; i < PRTOP_BATCH_MAX; i++) {
		if (i >= nents)
			break;
		/*
		 * s->sgl read each time, not kept in a register: on 6.12 the
		 * verifier then prunes the walk's states as it did before
		 * (kept, the kretprobe grew past its 1M instructions: E2BIG)
		 */
		sg = (void *)(s->sgl + i * sg_size);
		len = BPF_CORE_READ(sg, length);
		link = BPF_CORE_READ(sg, page_link);
		order = order_of_len(len);
		bytes += len;
		count(&stats.order_pages[bound(order, PRTOP_ORDERS - 1)],
		      len >> page_shift);
		if (!base || !page_size)
			continue;
		pfn = ((link & ~3UL) - base) / page_size;
		if (ev) {
			ev->pfn[bound(i, PRTOP_BATCH_MAX - 1)] = pfn;
			ev->order[bound(i, PRTOP_BATCH_MAX - 1)] = order;
		}
		if (reuse_exact)
			remember_exact(pfn, order, now);
	}
	count(&stats.c.report_bytes, bytes);
	count(&stats.c.report_pages, bytes >> page_shift);
	if (!ret)
		count(&stats.c.report_pages_ok, bytes >> page_shift);
	if (ev) {
		ev->ts_ns = now;
		ev->nents = nents < PRTOP_BATCH_MAX ? nents : PRTOP_BATCH_MAX;
		ev->err = ret;
		if (bpf_ringbuf_output(&events, ev, sizeof(*ev), 0))
			count(&stats.c.events_dropped, 1);
	}
}

static __always_inline void on_report_exit(long ret)
{
	__u32 t = tid();
	__u64 now = bpf_ktime_get_ns();
	struct call_start *s = bpf_map_lookup_elem(&report_start, &t);

	if (!s)
		return;
	report_done(s, now, ret);
	bpf_map_delete_elem(&report_start, &t);
}

static __always_inline void on_cycle(__u32 order)
{
	count(&stats.c.cycle_calls, 1);
	count(&stats.order_cycles[bound(order, PRTOP_ORDERS - 1)], 1);
}

/* ---- fentry / fexit ---- */

SEC("fentry/__page_reporting_notify")
int BPF_PROG(notify_fentry)
{
	on_notify();
	return 0;
}

SEC("fentry/page_reporting_process")
int BPF_PROG(worker_fentry, struct work_struct *work)
{
	on_worker_start(work);
	return 0;
}

SEC("fexit/page_reporting_process")
int BPF_PROG(worker_fexit, struct work_struct *work)
{
	on_worker_end();
	return 0;
}

/* target set at run time to the registered device's report() */
SEC("fentry")
int BPF_PROG(report_fentry, struct page_reporting_dev_info *prdev,
	     struct scatterlist *sgl, unsigned int nents)
{
	on_report_entry(prdev, sgl, nents);
	return 0;
}

SEC("fexit")
int BPF_PROG(report_fexit, struct page_reporting_dev_info *prdev,
	     struct scatterlist *sgl, unsigned int nents, int ret)
{
	on_report_exit(ret);
	return 0;
}

SEC("fentry/page_reporting_cycle")
int BPF_PROG(cycle_fentry, struct page_reporting_dev_info *prdev,
	     struct zone *zone, unsigned int order)
{
	on_cycle(order);
	return 0;
}

SEC("fentry/page_reporting_drain")
int BPF_PROG(drain_fentry)
{
	count(&stats.c.drain_calls, 1);
	return 0;
}

/* ---- kprobe / kretprobe (attached by name from userspace) ---- */

SEC("kprobe")
int BPF_KPROBE(notify_kprobe)
{
	on_notify();
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(worker_kprobe, struct work_struct *work)
{
	on_worker_start(work);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(worker_kretprobe)
{
	on_worker_end();
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(report_kprobe, void *prdev, void *sgl, unsigned int nents)
{
	on_report_entry(prdev, sgl, nents);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(report_kretprobe, long ret)
{
	on_report_exit((int)ret);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(cycle_kprobe, void *prdev, void *zone, unsigned int order)
{
	on_cycle(order);
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(drain_kprobe)
{
	count(&stats.c.drain_calls, 1);
	return 0;
}

/* ---- stock tracepoints ---- */

SEC("raw_tp/workqueue_execute_start")
int BPF_PROG(worker_tp_start, struct work_struct *work)
{
	if ((__u64)BPF_CORE_READ(work, func) != worker_fn)
		return 0;
	on_worker_start(work);
	return 0;
}

/* raw_tp: tp_btf refuses to read the function-pointer argument */
SEC("raw_tp/workqueue_execute_end")
int BPF_PROG(worker_tp_end, void *work, __u64 function)
{
	if (function != worker_fn)
		return 0;
	on_worker_end();
	return 0;
}

/* the worker's delayed-work timer being armed: schedule_delayed_work() */
SEC("raw_tp/timer_start")
int BPF_PROG(delay_tp_timer, struct timer_list *timer)
{
	struct delayed_work *dw;
	__u64 key, now;

	if ((__u64)BPF_CORE_READ(timer, function) != dwork_timer_fn)
		return 0;
	dw = (void *)timer - bpf_core_field_offset(struct delayed_work, timer);
	if ((__u64)BPF_CORE_READ(dw, work.func) != worker_fn)
		return 0;
	key = (__u64)&dw->work;
	now = bpf_ktime_get_ns();
	count(&stats.c.delayed_work_armed, 1);
	learn_prdev(prdev_of_work(&dw->work));
	bpf_map_update_elem(&armed, &key, &now, BPF_NOEXIST);
	return 0;
}

/* opt-in exact reuse: every page allocation checks the reported ranges */
SEC("tracepoint/kmem/mm_page_alloc")
int reuse_tp_alloc(struct trace_event_raw_mm_page_alloc *ctx)
{
	__u64 pfn = ctx->pfn, head, now;
	struct reported_range *r;
	__u32 o;

	if (pfn == (__u64)-1)
		return 0;
	for (o = min_report_order; o <= 10; o++) {
		head = pfn & ~((1ULL << o) - 1);
		r = bpf_map_lookup_elem(&reported, &head);
		if (!r)
			continue;
		if (pfn - head >= (1ULL << (r->order & 31)))
			return 0;
		now = bpf_ktime_get_ns();
		count(&stats.c.reuse_exact_pages, 1ULL << (r->order & 31));
		count(&stats.c.reuse_exact_bytes,
		      (1ULL << (r->order & 31)) << page_shift);
		count(&stats.c.reuse_exact_blocks, 1);
		count(&stats.order_reused[bound(r->order, PRTOP_ORDERS - 1)],
		      1ULL << (r->order & 31));
		if (now > r->ts)
			hist_add(PRTOP_H_REUSE_AGE, now - r->ts);
		bpf_map_delete_elem(&reported, &head);
		return 0;
	}
	return 0;
}

/*
 * ---- the bundled patch series' tracepoints (patches/, v3) ----
 * The kernel hands over what the probes above work out: the state a request
 * found, the values a run used, durations measured in the kernel, each
 * report() call's scatterlist.  They autoload only when the
 * btf_trace_page_reporting_* of these prototypes exist in the BTF.  The v2
 * series (never upstream) had other events and arguments: not supported.
 */

/*
 * A request that changed the state: from idle it queued the delayed work,
 * to run delay_ms later (the clock starts); from active, the running run
 * queues the next one when it ends (the work event's requeued).  Requests
 * that find the work already requested are not traced.
 */
SEC("raw_tp/page_reporting_request")
int BPF_PROG(pt_request, int old_state, bool queued, unsigned int delay_ms)
{
	count(&stats.c.notify_calls, 1);
	if (old_state >= 0 && old_state < PRTOP_STATES)
		count(&stats.c.notify_state[old_state], 1);
	if (queued) {
		queued_delay_ms = delay_ms;
		__sync_val_compare_and_swap(&pending_request_ns, 0,
					    bpf_ktime_get_ns());
	}
	return 0;
}

/*
 * A reporting run ended; it started duration_ns ago, with the order and
 * capacity it read then.  There is no start event: a run is counted,
 * started and done, when it ends.
 */
SEC("raw_tp/page_reporting_work")
int BPF_PROG(pt_work, unsigned int order, unsigned int capacity,
	     unsigned int reports, unsigned long pages, __u64 duration_ns,
	     int err, bool requeued, unsigned int delay_ms)
{
	__u64 now = bpf_ktime_get_ns(), start = now - duration_ns, req;

	count(&stats.c.worker_runs, 1);
	count(&stats.c.worker_runs_done, 1);
	stats.last_worker_start_ns = start;
	stats.last_run.capacity = capacity;
	stats.last_run.order = order;
	/*
	 * The event's delay_ms is the next run's (when requeued); this run's
	 * is the one its request or the run before it queued it with.
	 */
	stats.last_run.delay_ms = queued_delay_ms;
	stats.last_run.seen = 1;
	hist_add(PRTOP_H_WORKER_RUN, duration_ns);
	if (err)
		count(&stats.c.worker_errors, 1);
	/*
	 * The request this run served came before its start.  One after it
	 * (a notify probe's, or a request from idle just as the run ended)
	 * is the next run's: it stays.
	 */
	req = pending_request_ns;
	if (req && req <= start &&
	    __sync_val_compare_and_swap(&pending_request_ns, req, 0) == req)
		hist_add(PRTOP_H_REQ_DELAY, start - req);
	else
		count(&stats.c.delay_unmatched, 1);
	/* another run is queued now: the clock starts */
	if (requeued) {
		queued_delay_ms = delay_ms;
		__sync_val_compare_and_swap(&pending_request_ns, 0, now);
	}
	return 0;
}

/*
 * After each report() call, before its pages go back: its scatterlist is
 * walked as report()'s fexit walks it, from its start (now - duration_ns).
 */
SEC("raw_tp/page_reporting_report")
int BPF_PROG(pt_report, int nid, int zone, struct scatterlist *sgl,
	     unsigned int nents, int err, __u64 duration_ns)
{
	__u64 now = bpf_ktime_get_ns();
	struct call_start c = {.ts = now - duration_ns, .sgl = (__u64)sgl, .nents = nents};

	report_done(&c, now, err);
	return 0;
}

/* the series' reasons, resolved against the kernel's enum when loaded */
enum page_unreport_reason___prtop {
	PAGE_UNREPORT_ALLOC___prtop,
	PAGE_UNREPORT_ISOLATE___prtop,
};

/*
 * Memory of a reported free block of `order` is taken off the free lists,
 * 1 << taken_order pages of it used (the rest of a split block goes back
 * to the free lists).  Taken by an allocation, the host must back those
 * pages again: reuse, counted under the reported block's order.  Isolated,
 * the memory stays unused: not reuse.
 */
SEC("raw_tp/page_reporting_unreport")
int BPF_PROG(pt_unreport, struct page *page, unsigned int order,
	     unsigned int taken_order, int reason)
{
	__u64 o = bound(order, PRTOP_ORDERS - 1);
	__u64 n = 1ULL << bound(taken_order, PRTOP_ORDERS - 1);

	if (reason != bpf_core_enum_value(enum page_unreport_reason___prtop,
					  PAGE_UNREPORT_ALLOC___prtop))
		return 0;

	count(&stats.c.reuse_exact_pages, n);
	count(&stats.c.reuse_exact_bytes, n << page_shift);
	count(&stats.c.reuse_exact_blocks, 1);
	count(&stats.order_reused[o], n);
	return 0;
}

/*
 * ---- free page hinting (virtio-balloon) ----
 * The functions that pull pages for the host (get_free_page_and_send(),
 * send_free_pages()) are inlined into the work item on 6.1; what they did
 * is read from the driver's own state around each run of the work item:
 * the command id it sent (cmd_id_active changes when a run starts) and the
 * blocks it holds (num_free_page_blocks grows while hinting, falls when
 * the host says DONE).  Blocks the driver pulled and freed at once because
 * the queue was full are not seen.
 */
struct virtio_balloon___prtop {
	struct work_struct report_free_page_work;
	unsigned long num_free_page_blocks;
	__u32 cmd_id_received_cache;
	__u32 cmd_id_active;
} __attribute__((preserve_access_index));

static __always_inline void on_hint_start(void *work)
{
	struct virtio_balloon___prtop *vb;
	struct hint_start h = {};
	__u32 t = tid();

	if (!bpf_core_type_exists(struct virtio_balloon___prtop))
		return;
	vb = work - bpf_core_field_offset(struct virtio_balloon___prtop,
					  report_free_page_work);
	h.ts = bpf_ktime_get_ns();
	h.vb = (__u64)vb;
	h.blocks = BPF_CORE_READ(vb, num_free_page_blocks);
	h.active = BPF_CORE_READ(vb, cmd_id_active);
	count(&stats.c.hint_work_runs, 1);
	bpf_map_update_elem(&hint_start, &t, &h, BPF_ANY);
}

static __always_inline void on_hint_end(void)
{
	struct virtio_balloon___prtop *vb;
	__u64 now = bpf_ktime_get_ns(), blocks, since;
	__u32 t = tid(), active, received;
	struct hint_start *h;

	if (!bpf_core_type_exists(struct virtio_balloon___prtop))
		return;
	h = bpf_map_lookup_elem(&hint_start, &t);
	if (!h)
		return;
	vb = (void *)h->vb;
	blocks = BPF_CORE_READ(vb, num_free_page_blocks);
	active = BPF_CORE_READ(vb, cmd_id_active);
	received = BPF_CORE_READ(vb, cmd_id_received_cache);
	if (active != h->active) {
		/* a start id went out: the driver hinted until a stop */
		count(&stats.c.hint_runs, 1);
		if (now > h->ts)
			hist_add(PRTOP_H_HINT_RUN, now - h->ts);
		if (blocks > h->blocks)
			count(&stats.c.hint_blocks, blocks - h->blocks);
		stats.hint_last_cmd_id = active;
		/* blocks are held from the first run until the host says done */
		__sync_val_compare_and_swap(&stats.hint_held_since_ns, 0, h->ts);
	} else if (received == PRTOP_HINT_CMD_DONE) {
		count(&stats.c.hint_done_runs, 1);
		since = __sync_lock_test_and_set(&stats.hint_held_since_ns, 0);
		if (h->blocks > blocks) {
			count(&stats.c.hint_returned_blocks, h->blocks - blocks);
			if (since && now > since)
				hist_add(PRTOP_H_HINT_HOLD, now - since);
		}
	}
	bpf_map_delete_elem(&hint_start, &t);
}

/* target set at run time: report_free_page_func, often in a module */
SEC("fentry")
int BPF_PROG(hint_fentry, struct work_struct *work)
{
	on_hint_start(work);
	return 0;
}

SEC("fexit")
int BPF_PROG(hint_fexit, struct work_struct *work)
{
	on_hint_end();
	return 0;
}

SEC("kprobe")
int BPF_KPROBE(hint_kprobe, void *work)
{
	on_hint_start(work);
	return 0;
}

SEC("kretprobe")
int BPF_KRETPROBE(hint_kretprobe)
{
	on_hint_end();
	return 0;
}

SEC("raw_tp/workqueue_execute_start")
int BPF_PROG(hint_tp_start, struct work_struct *work)
{
	if ((__u64)BPF_CORE_READ(work, func) != hint_work_fn)
		return 0;
	on_hint_start(work);
	return 0;
}

SEC("raw_tp/workqueue_execute_end")
int BPF_PROG(hint_tp_end, void *work, __u64 function)
{
	if (function != hint_work_fn)
		return 0;
	on_hint_end();
	return 0;
}

/* the balloon's shrinker gives hinted blocks back under memory pressure */
SEC("raw_tp/mm_shrink_slab_end")
int BPF_PROG(hint_shrink, struct shrinker *shr, int nid, int freed)
{
	if ((__u64)BPF_CORE_READ(shr, scan_objects) != hint_shrink_fn || freed <= 0)
		return 0;
	count(&stats.c.hint_shrink_calls, 1);
	count(&stats.c.hint_shrunk_pages, freed);
	return 0;
}

/* test-run from userspace: read the registered device through pr_dev_info */
SEC("raw_tp")
int read_prdev(void *ctx)
{
	void *p = NULL;

	if (!pr_dev_info_addr)
		return 1;
	if (bpf_probe_read_kernel(&p, sizeof(p), (void *)pr_dev_info_addr))
		return 2;
	if (!p) {
		/* unregistered (the driver went away): forget the old device */
		stats.prdev = 0;
		stats.report_fn = 0;
		stats.publish_fn = 0;
		return 3;
	}
	learn_prdev(p);
	return 0;
}
