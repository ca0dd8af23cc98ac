// SPDX-License-Identifier: GPL-2.0
/*
 * The collector's core: open (preflight, capabilities, plan, load, attach),
 * poll, sample, close.  What the kernel offers is found by caps.c, the
 * choice of source per probe is the pure plan of plan.c, and loading and
 * attaching are attach.c's; this file fills snapshots.
 */
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "collector_int.h"
#include "privs.h"
#include "knob.h"
#include "procfs.h"
#include "reuse.h"
#include "str.h"
#include "prtop.skel.h"

#define BUDDYINFO  "/proc/buddyinfo"
#define PARAMS_DIR "/sys/module/page_reporting/parameters"
#define VMSTAT	   "/proc/vmstat"
#define KPAGEFLAGS "/proc/kpageflags"

/* ---- open / close ---- */

/*
 * The kernel's BTF (5.5 MB on 6.18) is parsed twice on the way in: by the
 * capability probing here and by libbpf's load (its CO-RE relocations and
 * tp_btf targets; libbpf 1.1 takes no parsed BTF from its caller).  Each
 * parse reads the file into one buffer and copies it into another: ~12 MB
 * of fresh memory, faulted in page by page, and on a VM whose page faults
 * are dear that was most of start-up (100 ms for the first parse here, 4 ms
 * for the same parse into memory already faulted).  So the heap is grown
 * once, in transparent huge pages where the kernel allows them, big blocks
 * are taken from it rather than from fresh mmaps, and it is kept while
 * opening: both parses land in warm memory.  heap_cool() gives it back.
 */
#define HEAP_MMAP_DEFAULT (128 * 1024) /* glibc's defaults */
#define HEAP_TRIM_DEFAULT (128 * 1024)
#define HEAP_MMAP_MAX	  (32 << 20) /* the highest M_MMAP_THRESHOLD glibc takes */
#define HUGE_PAGE	  (2UL << 20)
#define ENOTSUPP	  524 /* the kernel's own, for a trampoline the arch cannot build */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older headers lack it */
#endif

static void heap_warm(void)
{
	struct stat st;
	size_t size, i;
	uintptr_t lo, hi;
	char *p;

	if (stat("/sys/kernel/btf/vmlinux", &st) || st.st_size <= 0)
		return;
	/* the raw file, libbpf's copy of it, the type index: more is only more peak */
	size = 2 * (size_t)st.st_size + (size_t)st.st_size / 8 + (1UL << 20);
	if (size >= HEAP_MMAP_MAX) /* a block this size must come from the heap */
		return;
	mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_MAX);
	mallopt(M_TRIM_THRESHOLD, 2 * HEAP_MMAP_MAX);
	p = malloc(size);
	if (!p)
		return;
	lo = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	hi = ((uintptr_t)p + size) & ~(HUGE_PAGE - 1);
	if (hi > lo)
		madvise((void *)lo, hi - lo, MADV_HUGEPAGE); /* best effort: THP may be off */
	/* one call, not a fault per page (5 ms here against 10-30 ms); before 5.14, touch */
	lo = ((uintptr_t)p + 4095) & ~4095UL;
	hi = ((uintptr_t)p + size) & ~4095UL;
	if (madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE))
		for (i = 0; i < size; i += 4096)
			((volatile char *)p)[i] = 0;
	free(p);
}

/* attached: the parses are over, the heap goes back to the kernel */
static void heap_cool(void)
{
	mallopt(M_MMAP_THRESHOLD, HEAP_MMAP_DEFAULT);
	mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_DEFAULT);
	malloc_trim(0);
}

/*
 * Whether the kernel lets fentry programs load, asked with a two-instruction
 * program on one of the functions the plan would put fentry on, before the
 * plan is made: learning it from a refused skeleton load cost a whole second
 * load (libbpf parsing the BTF again, every map created twice).  Only a
 * refusal the kernel gives for trampolines (EPERM, EACCES, ENOTSUP[P]) counts;
 * anything else leaves it to the real load, which still retries without
 * fentry.
 */
static void probe_fentry(struct kernel_caps *k)
{
	static const enum plan_fn fns[] = {FN_NOTIFY, FN_PROCESS, FN_CYCLE, FN_DRAIN};
	const struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, o, .expected_attach_type = BPF_TRACE_FENTRY);
	int fd, e = 0;
	size_t i;

	/* kallsyms is not read yet: a function inlined away answers ENOENT, try the next */
	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		if (!k->fn[fns[i]].in_btf)
			continue;
		o.attach_btf_id = k->fn[fns[i]].btf_id;
		fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "prtop_fentry", "GPL", insns, 2, &o);
		e = errno;
		if (fd >= 0) {
			close(fd);
			return;
		}
		if (e == EPERM || e == EACCES || e == ENOTSUP || e == ENOTSUPP)
			break;
	}
	if (e != EPERM && e != EACCES && e != ENOTSUP && e != ENOTSUPP)
		return;
	k->fentry_refused = true;
	snprintf(k->fentry_err, sizeof(k->fentry_err), "refused by the kernel at load (%s)",
		 e == EPERM	? "EPERM"
		 : e == EACCES	? "EACCES"
		 : e == ENOTSUP ? "ENOTSUP"
				: "ENOTSUPP: no trampolines on this architecture");
}

/* the time since the last mark goes to phase ph */
static void phase_end(struct collector *c, enum startup_phase ph)
{
	uint64_t now = now_ns();

	c->phase_ns[ph] += now - c->phase_mark;
	c->phase_mark = now;
}

/*
 * What the kernel's BTF says, and the part of it the CO-RE relocations
 * read (for libbpf, which then leaves the whole alone), from the cache or
 * from one parse of prtop's own (which it then stores); -errno when the
 * BTF cannot be parsed.
 */
static int probe_btf(struct collector *c, struct caps_reports *r)
{
	const struct btf *local = attach_local_btf();
	char key[KCACHE_KEY_MAX] = "", core_key[KCACHE_KEY_MAX] = "";
	const char *dir = kcache_dir();
	struct btf *vmlinux;
	void *core = NULL;
	size_t len = 0;

	if (dir && caps_btf_key(NULL, key, sizeof(key)))
		key[0] = '\0'; /* no key: parse, do not store */
	if (!key[0] || !local || caps_core_key(key, local, core_key, sizeof(core_key)))
		core_key[0] = '\0';
	c->btf_cached = !caps_btf_cached(&c->caps, r, dir, key);
	if (core_key[0])
		core = caps_core_load(dir, core_key, &len);
	c->core_cached = core;
	if (c->btf_cached && core)
		goto out;
	heap_warm(); /* for a parse: prtop's, or libbpf's */
	if (c->btf_cached && !local)
		goto out;
	vmlinux = btf__load_vmlinux_btf();
	if (!vmlinux)
		return -errno;
	if (!c->btf_cached) {
		caps_find_reports(r, vmlinux);
		caps_probe_btf(&c->caps, vmlinux);
	}
	if (!core && local)
		core = caps_core_btf(local, vmlinux, NULL, &len);
	/* the BTF (MBs) goes before the load fills the same heap */
	btf__free(vmlinux);
	/* best effort: unwritable is uncached */
	if (!c->btf_cached)
		caps_btf_store(&c->caps, r, dir, key);
	if (core && !c->core_cached && core_key[0])
		caps_core_store(dir, core_key, core, len);
out:
	if (core)
		attach_set_core_btf(core, len);
	free(core);
	return 0;
}

static int preflight(struct collector *c, struct caps_reports *r, char *err, size_t len)
{
	struct caps_ksyms_job job;
	int e;

	if (geteuid() != 0) {
		snprintf(err, len,
			 "needs root to load BPF programs and read /proc/kallsyms: run it with "
			 "sudo");
		return -EPERM;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, len,
			 "/sys/kernel/btf/vmlinux missing: this kernel has no BTF "
			 "(CONFIG_DEBUG_INFO_BTF); prtop needs it");
		return -ENOENT;
	}
	caps_ksyms_start(&job); /* the kernel formats kallsyms while we parse BTF */
	attach_preopen();
	e = probe_btf(c, r);
	if (!e)
		probe_fentry(&c->caps);
	phase_end(c, STARTUP_BTF);
	c->ksyms = caps_ksyms_finish(&job, r);
	c->ksyms_cached = job.cached;
	phase_end(c, STARTUP_KALLSYMS);
	if (e) {
		snprintf(err, len, "cannot parse /sys/kernel/btf/vmlinux: %s", strerror(-e));
		return e;
	}
	if (!c->ksyms || ksyms_hidden(c->ksyms)) {
		snprintf(err, len,
			 "/proc/kallsyms gives no addresses (kptr_restrict?): run as root with "
			 "kernel.kptr_restrict=0 or 1");
		return -EPERM;
	}
	if (!ksyms_by_name(c->ksyms, "page_reporting_process") && !c->caps.fn[FN_PROCESS].in_btf) {
		snprintf(err, len,
			 "this kernel has no free page reporting (CONFIG_PAGE_REPORTING is not "
			 "set): nothing to observe");
		return -ENOTSUP;
	}
	return 0;
}

/*
 * The kernel symbol at fn as "name [module]", into out.  The symbol table
 * is not kept after open (122k symbols here, most of prtop's memory): a
 * device that registers later costs one more pass over /proc/kallsyms,
 * which keeps only the symbol it looks for (the whole table would be 13 MB
 * at once: the live view's and the exporter's peak).
 */
static void name_fn(struct collector *c, uint64_t fn, char *out, size_t len)
{
	const struct ksym *k = c->ksyms ? ksyms_by_addr(c->ksyms, fn) : NULL;
	int fd = c->kallsyms_fd;
	char name[256];

	if (k) {
		str_printf(out, len, "%s%s%s%s", k->name, k->module ? " [" : "",
			   k->module ? k->module : "", k->module ? "]" : "");
		return;
	}
	if (c->ksyms)
		return;
	if (fd < 0)
		fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && !ksyms_name_at(fd, fn, name, sizeof(name)))
		str_copy(out, len, name);
	if (fd >= 0 && fd != c->kallsyms_fd)
		close(fd);
}

/* name the registered device's report() and publication callback once each */
static void resolve_device(struct collector *c, uint64_t fn, uint64_t publish)
{
	if (fn != c->device_fn) {
		/* 0: the device unregistered; else a new one (or the same, reloaded) */
		c->device_fn = fn;
		c->device[0] = '\0';
		if (fn)
			name_fn(c, fn, c->device, sizeof(c->device));
	}
	if (publish && publish != c->publish_fn) {
		c->publish_fn = publish;
		name_fn(c, publish, c->publish, sizeof(c->publish));
	}
}

/* a vendor's counter parameter (`passes`, `reported_kib`), if the kernel keeps it */
static bool read_param_count(const char *name, uint64_t *v)
{
	char buf[32], path[128];
	int64_t n;

	snprintf(path, sizeof(path), "%s/%s", PARAMS_DIR, name);
	if (read_trimmed_at(AT_FDCWD, path, buf, sizeof(buf)) || knob_parse_int(buf, &n) || n < 0)
		return false;
	*v = (uint64_t)n;
	return true;
}

static bool any_event_probe(const struct collector *c)
{
	const struct probe_status *p = c->plan.probe;

	return p[PROBE_WORKER].attached || p[PROBE_REPORT].attached || p[PROBE_NOTIFY].attached;
}

int collector_open(struct collector **out, const struct collector_opts *o, char *err, size_t errlen)
{
	struct collector *c = calloc(1, sizeof(*c));
	struct caps_reports reports = {0};
	uint64_t t0 = now_ns();
	long psz = sysconf(_SC_PAGESIZE);
	int ret;

	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->opts = *o;
	c->kallsyms_fd = -1;
	c->kpf_fd = -1;
	c->phase_mark = t0;
	c->page_size = psz > 0 ? (uint64_t)psz : 4096;
	attach_init_logging(o->verbose);
	kernel_release(c->kernel, sizeof(c->kernel));
	ret = preflight(c, &reports, err, errlen);
	if (ret)
		goto fail;
	/* a second skeleton load only to choose among several report()s */
	caps_probe(&c->caps, c->ksyms, &reports, reports.n > 1 ? attach_peek_report(c->ksyms) : 0);
	phase_end(c, STARTUP_CAPS);
	ret = attach_load(c, err, errlen);
	if (ret)
		goto fail;
	phase_end(c, STARTUP_LOAD);
	attach_all(c);
	attach_describe_layers(c);
	if (!any_event_probe(c)) {
		str_printf(err, errlen, "no page reporting probe could be attached: %s",
			   c->plan.probe[PROBE_WORKER].reason);
		ret = -ENOTSUP;
		goto fail;
	}
	attach_read_prdev(c);
	resolve_device(c, c->skel->bss->stats.report_fn, c->skel->bss->stats.publish_fn);
	c->have_passes0 = read_param_count("passes", &c->passes0);
	c->have_kib0 = read_param_count("reported_kib", &c->kib0);
	c->have_vmstat0 = !vmstat_get(VMSTAT, "page_reporting_pages_reported", &c->vmstat0);
	c->kpf_fd = open(KPAGEFLAGS, O_RDONLY | O_CLOEXEC);
	c->kpf_errno = c->kpf_fd < 0 ? errno : 0;
	/* names are resolved; the symbol table and the heap it grew can go */
	ksyms_free(c->ksyms);
	c->ksyms = NULL;
	heap_cool();
	phase_end(c, STARTUP_ATTACH);
	c->start_ns = now_ns();
	c->startup_ns = c->start_ns - t0;
	*out = c;
	return 0;
fail:
	collector_close(c);
	heap_cool();
	return ret < 0 ? ret : -EINVAL;
}

int collector_drop_caps(struct collector *c, char *kept, size_t len)
{
	/* a device registering later is named from kallsyms: CAP_SYSLOG's view */
	if (c->kallsyms_fd < 0)
		c->kallsyms_fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	const char *fn = attach_may_reattach(c);
	unsigned int extra = 0;

	if (fn)
		extra = privs_kprobe_need(fn);
	return privs_drop(c->skel ? bpf_map__fd(c->skel->maps.bss) : -1, extra, kept, len);
}

void collector_close(struct collector *c)
{
	if (!c)
		return;
	attach_close(c);
	ksyms_free(c->ksyms);
	if (c->kallsyms_fd >= 0)
		close(c->kallsyms_fd);
	if (c->kpf_fd >= 0)
		close(c->kpf_fd);
	backlog_cache_free(&c->heads);
	backlog_waits_free(&c->waits);
	free(c);
}

/* Scan the reported ranges at most once a second: reuse ages to ~1 s. */
static void reuse_tick(struct collector *c, uint64_t now)
{
	if (!c->reuse || now - c->last_scan_ns < NSEC_PER_SEC)
		return;
	if (c->rb)
		ring_buffer__consume(c->rb);
	reuse_scan(c->reuse, now);
	c->last_scan_ns = now;
}

/*
 * A driver's module unloaded and loaded again between two samples (stat
 * samples once, at the end): check for it once a second, so report() is
 * attached again within a second of the driver's return.
 */
static void watch_tick(struct collector *c, uint64_t now)
{
	if (now - c->last_watch_ns < NSEC_PER_SEC)
		return;
	c->last_watch_ns = now;
	attach_watch_modules(c);
}

int collector_poll(struct collector *c, int timeout_ms)
{
	int n = 0;

	if (!c->rb)
		usleep(timeout_ms * 1000);
	else
		n = ring_buffer__poll(c->rb, timeout_ms);
	reuse_tick(c, now_ns());
	watch_tick(c, now_ns());
	return n == -EINTR ? 0 : n;
}

/* ---- snapshots ---- */

static void fill_hist(struct snap_hist *h, const __u64 *slot, const struct prtop_hist_exact *x)
{
	memcpy(h->slot, slot, sizeof(h->slot));
	h->count = hist_count(h);
	h->sum = x->sum;
	h->max = x->max;
	h->min = ~x->inv_min;
	if (h->count && (!x->inv_min || h->min > h->max)) /* raced with an update */
		h->count = 0;
}

static void fill_publish(struct collector *c, struct prtop_snapshot *s,
			 const struct prtop_bss_stats *st)
{
	if (!c->caps.publish_field)
		s->publish_state = 0;
	else if (!st->prdev)
		s->publish_state = 1;
	else if (!st->publish_fn)
		s->publish_state = 2;
	else
		s->publish_state = 3;
	str_copy(s->publish, sizeof(s->publish), c->publish);
	if (s->publish_state == 3 && !s->publish[0])
		snprintf(s->publish, sizeof(s->publish), "0x%llx",
			 (unsigned long long)st->publish_fn);
}

static void fill_device(struct collector *c, struct prtop_snapshot *s,
			const struct prtop_bss_stats *st)
{
	const struct fn_caps *r = &c->caps.fn[FN_REPORT];

	resolve_device(c, st->report_fn, st->publish_fn);
	fill_publish(c, s, st);
	if (c->device[0]) {
		str_copy(s->device, sizeof(s->device), c->device);
		return;
	}
	if (c->plan.probe[PROBE_REPORT].attached && r->name[0]) {
		str_printf(s->device, sizeof(s->device), "%s%s%s%s", r->name,
			   r->module[0] ? " [" : "", r->module, r->module[0] ? "]" : "");
		return;
	}
	if (c->skel->rodata->pr_dev_info_addr) {
		s->device_none = true;
		snprintf(s->device_reason, sizeof(s->device_reason),
			 "no reporting device registered (pr_dev_info is NULL)");
	} else if (r->name[0]) {
		/* the loaded driver's report() is in BTF: name it, say it is not seen yet */
		str_printf(s->device, sizeof(s->device), "%s%s%s%s", r->name,
			   r->module[0] ? " [" : "", r->module, r->module[0] ? "]" : "");
		s->device_by_btf = true;
		snprintf(s->device_reason, sizeof(s->device_reason),
			 "named by BTF; confirmed at the first worker run");
	} else
		snprintf(s->device_reason, sizeof(s->device_reason),
			 "not known until the worker runs (pr_dev_info not in kallsyms)");
}

/* the same values and sources `prtop knob` shows */
static void fill_knob(struct snap_knob *k, const char *name, const char *unit)
{
	int64_t v = 0;
	const char *source = NULL;

	k->unit = unit;
	k->known = !knob_read(NULL, name, &v, &source, NULL);
	k->value = v;
	k->unspecified = k->known && !strcmp(name, "order") && knob_order_unspecified(v);
	k->source = source ? source : "unreadable";
}

static void fill_knobs(struct prtop_snapshot *s)
{
	fill_knob(&s->knob_order, "order", "order");
	fill_knob(&s->knob_capacity, "capacity", "entries");
	fill_knob(&s->knob_delay_ms, "delay_ms", "ms");
}

static void fill_reuse(struct collector *c, struct prtop_snapshot *s,
		       const struct prtop_bss_stats *st)
{
	enum attach_mode m = c->plan.probe[PROBE_REUSE].mode;
	const struct reuse_totals *t;
	int i;

	if (m == MODE_TRACEPOINT || m == MODE_PATCH_TP) { /* exact, in BPF */
		s->reuse_bytes = st->c.reuse_exact_bytes;
		s->reuse_ranges = st->c.reuse_exact_blocks;
		fill_hist(&s->reuse_age, st->hist[PRTOP_H_REUSE_AGE],
			  &st->hist_exact[PRTOP_H_REUSE_AGE]);
		for (i = 0; i < PRTOP_ORDERS; i++)
			s->order[i].reused_pages = st->order_reused[i];
		return;
	}
	if (!c->reuse)
		return;
	reuse_scan(c->reuse, s->mono_ns);
	c->last_scan_ns = s->mono_ns;
	t = reuse_totals(c->reuse);
	s->reuse_bytes = t->reused_bytes;
	s->reuse_ranges = t->reused_ranges;
	s->reuse_unreported_ranges = t->unreported_ranges;
	s->reuse_forgotten = t->forgotten;
	s->reuse_tracked = reuse_tracked(c->reuse);
	s->reuse_age = t->age;
	for (i = 0; i < PRTOP_ORDERS; i++)
		s->order[i].reused_pages = t->order_reused_pages[i];
}

static void fill_hint(struct collector *c, struct prtop_snapshot *s,
		      const struct prtop_bss_stats *st)
{
	struct snap_hint *h = &s->hint;

	h->offer = c->caps.hint_offer;
	str_copy(h->dev, sizeof(h->dev), c->caps.hint_dev);
	if (c->caps.hint_block_order >= 0)
		h->block_bytes = c->page_size << c->caps.hint_block_order;
	h->last_cmd_id = st->hint_last_cmd_id;
}

/* the kernel's `passes` since attach against prtop's worker runs */
static void fill_xcheck(struct collector *c, struct prtop_snapshot *s)
{
	struct snap_xcheck *x = &s->xcheck;
	uint64_t passes;
	int i;

	if (!c->have_passes0 || !snap_has(s, SG_WORKER))
		return;
	for (i = 0; i < s->nparams; i++)
		if (s->params[i].counter && !strcmp(s->params[i].name, "passes"))
			break;
	if (i == s->nparams || (passes = s->params[i].count) < c->passes0)
		return;
	snap_cross_check(x, passes - c->passes0, s->c.worker_runs, s->c.worker_runs_done);
	x->window_s = (s->mono_ns - c->start_ns) / 1e9;
}

/* memory returned since attach, from the best source (snap_returned_pick) */
static void fill_returned(struct collector *c, struct prtop_snapshot *s)
{
	struct returned_inputs in = {
	    .prtop = snap_has(s, SG_REPORT),
	    .prtop_bytes = s->c.report_bytes,
	    .kib0 = c->kib0,
	    .pages0 = c->vmstat0,
	    .page_size = c->page_size,
	};
	int i;

	for (i = 0; c->have_kib0 && i < s->nparams; i++)
		if (s->params[i].counter && !strcmp(s->params[i].name, "reported_kib")) {
			in.have_kib = true;
			in.kib = s->params[i].count;
		}
	/* /proc/vmstat is read only where nothing better counts */
	if (!in.prtop && !in.have_kib && c->have_vmstat0)
		in.have_vmstat = !vmstat_get(VMSTAT, "page_reporting_pages_reported", &in.pages);
	snap_returned_pick(&s->returned, &in);
}

/*
 * The backlog (backlog.h): buddyinfo's free blocks of order >= the
 * reporting order less those kpageflags shows reported.  A scan costs
 * 45-50 ms of CPU for 24 GiB (25,000 reads; 80-130 ms the first time,
 * when every head is read whole), so it runs at most once every
 * BACKLOG_EVERY_NS, the reporting delay: about 2.5 % of one CPU.  Samples in
 * between show the last scan with its age.  The drain rate is memory
 * returned since the drain began within the last DRAIN_WINDOW_NS, from
 * every sample (drain_rate()); the time to return divides by it the last
 * scan's backlog less what was returned since that scan.
 */
#define BACKLOG_EVERY_NS   (NSEC_PER_SEC * 9 / 5) /* 2 s, less jitter */
#define DRAIN_WINDOW_NS	   (10 * NSEC_PER_SEC)
#define BACKLOG_COST_SHARE 40 /* a scan at most every 40x its own time: 2.5 % */

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void fill_backlog(struct collector *c, struct prtop_snapshot *s)
{
	struct snap_backlog *b = &s->backlog;
	uint64_t reportable = 0, pages = 0, heads = 0, t0, cpu0, every;
	int i, top = s->max_order - 1, err;

	drain_push(&c->drain, s->mono_ns, s->returned.source, s->returned.bytes);
	/*
	 * The scan reads one entry per 2 MiB: 25,000 here, half a million for
	 * 1 TiB.  Its cadence stretches with its CPU time so that it stays
	 * under 2.5 % of one CPU however large the guest.
	 */
	every = c->backlog_cpu_ns * BACKLOG_COST_SHARE;
	if (every < BACKLOG_EVERY_NS)
		every = BACKLOG_EVERY_NS;
	if (c->backlog_ns && s->mono_ns - c->backlog_ns < every) {
		*b = c->backlog;
	} else if (c->kpf_fd < 0) {
		snprintf(b->why, sizeof(b->why), "/proc/kpageflags unreadable: %s",
			 strerror(c->kpf_errno));
	} else if (!snap_has(s, SG_FREE_LISTS) || top < 0) {
		snprintf(b->why, sizeof(b->why), "/proc/buddyinfo unreadable");
	} else if (!s->knob_order.known || s->knob_order.unspecified || s->knob_order.value < 0) {
		snprintf(b->why, sizeof(b->why), "the reporting order is unknown");
	} else {
		for (i = (int)s->knob_order.value; i <= top && i < PRTOP_ORDERS; i++)
			reportable += s->order[i].free_pages;
		t0 = now_ns();
		cpu0 = thread_cpu_ns();
		c->waits.page_size = s->page_size;
		c->waits.now_ns = s->mono_ns;
		/* an order above the largest block: nothing is reportable */
		err = s->knob_order.value > top
			  ? 0
			  : backlog_scan_reported(c->kpf_fd, (int)s->knob_order.value, top,
						  &c->heads, &c->waits, &pages, &heads);
		if (err)
			snprintf(b->why, sizeof(b->why), "/proc/kpageflags: %s", strerror(-err));
		else
			backlog_figures(b, reportable * s->page_size, pages * s->page_size);
		/* the waits so far, unknown until a scan tracked them */
		b->wait = c->waits.hist;
		b->scan_ns = now_ns() - t0;
		c->backlog_cpu_ns = thread_cpu_ns() - cpu0;
		b->at_ns = s->mono_ns;
		c->backlog = *b;
		c->backlog_ns = s->mono_ns;
	}
	b->drain_known =
	    drain_rate(&c->drain, DRAIN_WINDOW_NS, &b->drain_bytes_per_s, &b->drain_window_s);
	backlog_eta(b, b->known ? drain_since(&c->drain, b->at_ns) : 0);
}

void collector_sample(struct collector *c, struct prtop_snapshot *s)
{
	const struct prtop_bss_stats *st = &c->skel->bss->stats;
	uint64_t blocks[PRTOP_ORDERS] = {0};
	uint64_t t0;
	int i, n;

	if (c->rb)
		ring_buffer__consume(c->rb);
	attach_read_prdev(c);	     /* which device is registered now, if any */
	c->last_watch_ns = now_ns(); /* the poll's next check is a second from now */
	attach_watch_modules(c);     /* the driver's module unloaded or back */
	memset(s, 0, sizeof(*s));
	/*
	 * The kernel's counters (reported_kib, passes) first, stamped with the
	 * middle of their read: a window's gains are divided by this clock.
	 * Stamped before the reads below instead, a loaded machine put 108 MiB
	 * of a drain pass between a doctor window's end and its last read.
	 */
	t0 = now_ns();
	n = params_read(PARAMS_DIR, s->params, SNAP_MAX_PARAMS);
	s->nparams = n > 0 ? n : 0;
	s->mono_ns = t0 + (now_ns() - t0) / 2;
	s->wall_ns = clock_ns(CLOCK_REALTIME);
	s->start_ns = c->start_ns;
	snprintf(s->kernel, sizeof(s->kernel), "%s", c->kernel);
	memcpy(s->probe, c->plan.probe, sizeof(s->probe));
	memcpy(s->layer, c->layer, sizeof(s->layer));
	s->page_size = c->page_size;
	s->startup_ns = c->startup_ns;
	memcpy(s->startup_phase_ns, c->phase_ns, sizeof(s->startup_phase_ns));
	s->startup_ksyms_cached = c->ksyms_cached;
	s->startup_btf_cached = c->btf_cached;
	s->startup_core_src = c->core_src;

	s->c = st->c;
	memcpy(s->nents_hist, st->nents_hist, sizeof(s->nents_hist));
	for (i = 0; i < PRTOP_H__COUNT; i++)
		fill_hist(&s->hist[i], st->hist[i], &st->hist_exact[i]);
	for (i = 0; i < PRTOP_ORDERS; i++) {
		s->order[i].reported_pages = st->order_pages[i];
		s->order[i].cycles = st->order_cycles[i];
	}
	fill_device(c, s, st);
	if (st->last_run.seen)
		s->last_run = st->last_run;

	n = buddyinfo_read_zones(BUDDYINFO, blocks, s->zone_blocks, SNAP_MAX_ZONES, &s->nzones);
	s->max_order = n > 0 ? n : 0;
	snap_set_avail(s);
	s->avail[SG_FREE_LISTS] &= n > 0;
	for (i = 0; i < PRTOP_ORDERS; i++) {
		s->order[i].free_blocks = blocks[i];
		s->order[i].free_pages = blocks[i] << i;
	}
	fill_knobs(s);
	fill_reuse(c, s, st);
	snap_fill_orders(s);
	fill_hint(c, s, st);
	fill_xcheck(c, s);
	fill_returned(c, s);
	fill_backlog(c, s);
	if (meminfo_get(NULL, "MemFree", &s->mem_free))
		s->mem_free = 0;
	s->drops = s->c.events_dropped + s->reuse_forgotten + s->xcheck.missed;
}
