// SPDX-License-Identifier: GPL-2.0
/*
 * The attach back-ends: load the skeleton with the programs the plan
 * chose (retrying without fentry when the kernel refuses trampolines),
 * attach each probe the way the plan says, and describe the layers for
 * doctor.  What fails to attach turns the probe's status into the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "collector_int.h"
#include "knob.h"
#include "procfs.h"
#include "reuse.h"
#include "str.h"
#include "prtop.skel.h"

#define PARAMS_DIR "/sys/module/page_reporting/parameters"
#define KPAGEFLAGS "/proc/kpageflags"

/* ---- libbpf messages: kept for error reasons, shown with -v ---- */

static bool verbose;
static char last_libbpf_msg[256];

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[512];
	va_list copy;
	size_t n;

	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	if (verbose) {
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	if (level == LIBBPF_WARN && n)
		str_copy(last_libbpf_msg, sizeof(last_libbpf_msg), buf);
	return 0;
}

void attach_init_logging(bool v)
{
	verbose = v;
	libbpf_set_print(libbpf_print);
}

static const char *errno_name(int err)
{
	switch (err < 0 ? -err : err) {
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EINVAL:
		return "EINVAL";
	case ENOENT:
		return "ENOENT";
	case ESRCH:
		return "ESRCH";
	case ENOTSUP:
		return "ENOTSUP";
	case E2BIG:
		return "E2BIG";
	case ENOMEM:
		return "ENOMEM";
	case EBUSY:
		return "EBUSY";
	default:
		return "error";
	}
}

static uint64_t ksym_addr(const struct ksyms *ks, const char *name)
{
	const struct ksym *k = ksyms_by_name(ks, name);

	return k ? k->addr : 0;
}

/* ---- loading ---- */

static void set_autoload(struct prtop_bpf *s, const struct plan *p)
{
	bpf_program__set_autoload(s->progs.notify_fentry, p->notify_f);
	bpf_program__set_autoload(s->progs.worker_fentry, p->worker_f);
	bpf_program__set_autoload(s->progs.worker_fexit, p->worker_f);
	bpf_program__set_autoload(s->progs.report_fentry, p->report_f);
	bpf_program__set_autoload(s->progs.report_fexit, p->report_f);
	bpf_program__set_autoload(s->progs.cycle_fentry, p->cycle_f);
	bpf_program__set_autoload(s->progs.drain_fentry, p->drain_f);
	bpf_program__set_autoload(s->progs.notify_kprobe, p->notify_k);
	bpf_program__set_autoload(s->progs.worker_kprobe, p->worker_k);
	bpf_program__set_autoload(s->progs.worker_kretprobe, p->worker_k);
	bpf_program__set_autoload(s->progs.report_kprobe, p->report_k);
	bpf_program__set_autoload(s->progs.report_kretprobe, p->report_k);
	bpf_program__set_autoload(s->progs.cycle_kprobe, p->cycle_k);
	bpf_program__set_autoload(s->progs.drain_kprobe, p->drain_k);
	bpf_program__set_autoload(s->progs.worker_tp_start, p->worker_tp);
	bpf_program__set_autoload(s->progs.worker_tp_end, p->worker_tp);
	bpf_program__set_autoload(s->progs.delay_tp_timer, p->delay_tp);
	bpf_program__set_autoload(s->progs.reuse_tp_alloc, p->reuse_exact);
	bpf_program__set_autoload(s->progs.pt_request, p->pt_request);
	bpf_program__set_autoload(s->progs.pt_work, p->pt_work);
	bpf_program__set_autoload(s->progs.pt_report, p->pt_report);
	bpf_program__set_autoload(s->progs.pt_unreport, p->pt_alloc);
	bpf_program__set_autoload(s->progs.hint_fentry, p->hint_f);
	bpf_program__set_autoload(s->progs.hint_fexit, p->hint_f);
	bpf_program__set_autoload(s->progs.hint_kprobe, p->hint_k);
	bpf_program__set_autoload(s->progs.hint_kretprobe, p->hint_k);
	bpf_program__set_autoload(s->progs.hint_tp_start, p->hint_tp);
	bpf_program__set_autoload(s->progs.hint_tp_end, p->hint_tp);
	bpf_program__set_autoload(s->progs.hint_shrink, p->hint_shrink);
}

/*
 * Maps sized for what the plan attaches, not for the worst case: the exact
 * reuse table (an LRU hash, 65536 ranges, preallocated by the kernel) and
 * the batch ring buffer cost their creation time and memory only where a
 * program of the plan writes them; elsewhere they stay at their minimum.
 */
static void size_maps(struct prtop_bpf *s, const struct plan *p, uint64_t page_size)
{
	if (!p->reuse_exact && !p->pt_alloc)
		bpf_map__set_max_entries(s->maps.reported, 1);
	if (!p->reuse_scan)
		bpf_map__set_max_entries(s->maps.events, page_size);
	/* the patch's report event carries its call whole: no entry to remember */
	if (!p->report_f && !p->report_k)
		bpf_map__set_max_entries(s->maps.report_start, 1);
	if (!p->hint_f && !p->hint_k && !p->hint_tp)
		bpf_map__set_max_entries(s->maps.hint_start, 1);
}

static int page_reporting_order(void)
{
	char buf[32];
	int64_t v;

	if (read_trimmed_at(AT_FDCWD, PARAMS_DIR "/page_reporting_order", buf, sizeof(buf)) < 0 ||
	    knob_parse_int(buf, &v))
		return -1;
	return (int)v;
}

static void set_rodata(struct collector *c, struct prtop_bpf *s, const struct plan *p)
{
	int order = page_reporting_order();
	__u32 shift = 0;

	while ((1ULL << shift) < c->page_size)
		shift++;
	s->rodata->worker_fn = ksym_addr(c->ksyms, "page_reporting_process");
	s->rodata->dwork_timer_fn = ksym_addr(c->ksyms, "delayed_work_timer_fn");
	s->rodata->pr_dev_info_addr = ksym_addr(c->ksyms, "pr_dev_info");
	s->rodata->vmemmap_base_addr = ksym_addr(c->ksyms, "vmemmap_base");
	s->rodata->page_shift = shift;
	s->rodata->track_ranges = p->reuse_scan;
	s->rodata->reuse_exact = p->reuse_exact;
	s->rodata->min_report_order = order > 0 && order <= 10 ? order : 0;
	s->rodata->hint_work_fn = ksym_addr(c->ksyms, "report_free_page_func");
	s->rodata->hint_shrink_fn = ksym_addr(c->ksyms, "virtio_balloon_shrinker_scan");
}

/*
 * The skeleton is opened before the capability probing, with its CO-RE
 * relocations pointed at a memfd: libbpf 1.1 reads btf_custom_path at the
 * load, not at the open, so the few KB of kernel types they need
 * (caps_core_btf(), from the cache or from prtop's own parse) are written
 * there in between, and libbpf does not parse the 5.5 MB vmlinux BTF
 * again.  Nothing written: the load opens the skeleton again without it.
 */
static struct prtop_bpf *preopened;
static int core_fd = -1;
static bool core_ready;

void attach_preopen(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, o);
	char path[64];

	/* off: libbpf parses the whole BTF, as before (to compare, or to get by) */
	if (!getenv("PRTOP_CORE_BTF") || strcmp(getenv("PRTOP_CORE_BTF"), "off"))
		core_fd = memfd_create("prtop-core-btf", MFD_CLOEXEC);
	if (core_fd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", core_fd);
		o.btf_custom_path = path;
	}
	preopened = prtop_bpf__open_opts(&o);
}

const struct btf *attach_local_btf(void)
{
	return preopened && core_fd >= 0 ? bpf_object__btf(preopened->obj) : NULL;
}

void attach_set_core_btf(const void *data, size_t len)
{
	core_ready = core_fd >= 0 && pwrite(core_fd, data, len, 0) == (ssize_t)len;
}

static void core_close(void)
{
	if (core_fd >= 0)
		close(core_fd);
	core_fd = -1;
	core_ready = false;
}

/* Open, configure and load; on failure -errno with the reason in msg. */
static int load_skel(struct collector *c, const struct plan *p, char *msg, size_t len)
{
	struct prtop_bpf *s;
	int err;

	if (preopened && core_fd >= 0 && !core_ready) { /* libbpf would find the memfd empty */
		prtop_bpf__destroy(preopened);
		preopened = NULL;
	}
	c->core_src = !preopened || !core_ready ? CORE_SRC_LIBBPF
		      : c->core_cached		? CORE_SRC_CACHE
						: CORE_SRC_PARSE;
	s = preopened ? preopened : prtop_bpf__open();
	preopened = NULL;
	if (!s) {
		err = -errno;
		snprintf(msg, len, "opening the BPF object failed: %s", strerror(-err));
		return err;
	}
	set_autoload(s, p);
	size_maps(s, p, c->page_size);
	set_rodata(c, s, p);
	if (p->report_f) {
		const char *fn = c->caps.fn[FN_REPORT].name;

		bpf_program__set_attach_target(s->progs.report_fentry, 0, fn);
		bpf_program__set_attach_target(s->progs.report_fexit, 0, fn);
	}
	if (p->hint_f) {
		const char *fn = c->caps.fn[FN_HINT].name;

		bpf_program__set_attach_target(s->progs.hint_fentry, 0, fn);
		bpf_program__set_attach_target(s->progs.hint_fexit, 0, fn);
	}
	last_libbpf_msg[0] = '\0';
	err = prtop_bpf__load(s);
	core_close(); /* read by now; a retry opens without it */
	if (err) {
		str_printf(msg, len, "%s (%s)", strerror(-err),
			   last_libbpf_msg[0] ? last_libbpf_msg : "no message from libbpf");
		prtop_bpf__destroy(s);
		return err;
	}
	c->skel = s;
	return 0;
}

/*
 * Load with fentry where the plan wants it; a refusal (lockdown, no
 * trampolines) is learned as a capability and the plan made again without.
 */
int attach_load(struct collector *c, char *err, size_t len)
{
	struct plan_opts po = {.reuse_exact = c->opts.reuse_exact, .no_reuse = c->opts.no_reuse};
	char why[256];
	int ret;

	/* fentry_refused: the open's two-instruction probe was refused already */
	plan_make(&c->caps, &po, !c->caps.fentry_refused, &c->plan);
	ret = load_skel(c, &c->plan, why, sizeof(why));
	if (!ret) {
		c->fentry_used = plan_has_fentry(&c->plan);
		return 0;
	}
	if (!plan_has_fentry(&c->plan)) {
		str_printf(err, len, "loading BPF programs failed: %s", why);
		return ret;
	}
	c->caps.fentry_refused = true;
	str_printf(c->caps.fentry_err, sizeof(c->caps.fentry_err),
		   "refused by the kernel at load (%s)", errno_name(ret));
	plan_make(&c->caps, &po, false, &c->plan);
	ret = load_skel(c, &c->plan, why, sizeof(why));
	if (ret)
		str_printf(err, len, "loading BPF programs failed: %s", why);
	return ret;
}

/* ---- attaching ---- */

static int keep_link(struct collector *c, struct bpf_link *l)
{
	int err = libbpf_get_error(l);

	if (!l || err)
		return err ? err : (errno ? -errno : -EINVAL);
	if (c->nlinks >= MAX_LINKS) {
		bpf_link__destroy(l);
		return -E2BIG;
	}
	c->links[c->nlinks++] = l;
	return 0;
}

static int attach_one(struct collector *c, struct bpf_program *prog, bool kprobe, bool ret,
		      const char *fn)
{
	return keep_link(c, kprobe ? bpf_program__attach_kprobe(prog, ret, fn)
				   : bpf_program__attach(prog));
}

/* an entry/exit pair (b may be NULL); on failure nothing stays attached */
static int attach_pair(struct collector *c, struct bpf_program *a, struct bpf_program *b,
		       bool kprobe, const char *fn)
{
	int err = attach_one(c, a, kprobe, false, fn);

	if (err || !b)
		return err;
	err = attach_one(c, b, kprobe, true, fn);
	if (err)
		bpf_link__destroy(c->links[--c->nlinks]);
	return err;
}

/* the function a probe's kprobe goes on */
static const enum plan_fn probe_fn[PROBE__COUNT] = {
    [PROBE_NOTIFY] = FN_NOTIFY, [PROBE_WORKER] = FN_PROCESS, [PROBE_REPORT] = FN_REPORT,
    [PROBE_CYCLE] = FN_CYCLE,	[PROBE_DRAIN] = FN_DRAIN,    [PROBE_HINTING] = FN_HINT,
};

/* the programs that give probe id in mode m: *a (NULL: nothing to attach), *b the exit half */
static void progs_for(const struct prtop_bpf *s, enum probe_id id, enum attach_mode m,
		      struct bpf_program **a, struct bpf_program **b)
{
	bool pt = m == MODE_PATCH_TP, fe = m == MODE_FENTRY, kp = m == MODE_KPROBE;

	*a = *b = NULL;
	switch (id) {
	case PROBE_NOTIFY:
		*a = pt	  ? s->progs.pt_request
		     : fe ? s->progs.notify_fentry
			  : s->progs.notify_kprobe;
		break;
	case PROBE_WORKER: /* the patch's one event, at a run's end */
		*a = pt	  ? s->progs.pt_work
		     : fe ? s->progs.worker_fentry
		     : kp ? s->progs.worker_kprobe
			  : s->progs.worker_tp_start;
		*b = pt	  ? NULL
		     : fe ? s->progs.worker_fexit
		     : kp ? s->progs.worker_kretprobe
			  : s->progs.worker_tp_end;
		break;
	case PROBE_DELAY: /* other sources derive it from the notify and worker events */
		*a = m == MODE_TRACEPOINT ? s->progs.delay_tp_timer : NULL;
		break;
	case PROBE_REPORT:
		*a = pt ? s->progs.pt_report : fe ? s->progs.report_fentry : s->progs.report_kprobe;
		*b = pt ? NULL : fe ? s->progs.report_fexit : s->progs.report_kretprobe;
		break;
	case PROBE_CYCLE:
		*a = fe ? s->progs.cycle_fentry : s->progs.cycle_kprobe;
		break;
	case PROBE_DRAIN:
		*a = fe ? s->progs.drain_fentry : s->progs.drain_kprobe;
		break;
	case PROBE_REUSE:
		*a = pt ? s->progs.pt_unreport : s->progs.reuse_tp_alloc;
		break;
	case PROBE_HINTING:
		*a = fe ? s->progs.hint_fentry : kp ? s->progs.hint_kprobe : s->progs.hint_tp_start;
		*b = fe ? s->progs.hint_fexit : kp ? s->progs.hint_kretprobe : s->progs.hint_tp_end;
		break;
	case PROBE_HINT_SHRINK:
		*a = s->progs.hint_shrink;
		break;
	default:
		break;
	}
}

/* ---- modules that come and go ---- */

/* /sys/module/MOD's inode when MOD is loaded and live, else 0 */
static unsigned long module_live(const char *mod)
{
	char path[160], state[16];
	struct stat st;

	str_printf(path, sizeof(path), "/sys/module/%s/initstate", mod);
	if (read_trimmed_at(AT_FDCWD, path, state, sizeof(state)) < 0 || strcmp(state, "live"))
		return 0;
	str_printf(path, sizeof(path), "/sys/module/%s", mod);
	return stat(path, &st) ? 0 : (unsigned long)st.st_ino;
}

static const char *probe_module(const struct collector *c, enum probe_id id)
{
	return c->caps.fn[probe_fn[id]].module;
}

/* a kprobe on a module's function: watch the module */
static void watch_start(struct collector *c, enum probe_id id)
{
	struct mod_watch *w = &c->watch[id];

	if (c->plan.probe[id].mode != MODE_KPROBE || !probe_module(c, id)[0])
		return;
	w->on = true;
	w->ino = module_live(probe_module(c, id));
	str_copy(w->detail, sizeof(w->detail), c->plan.probe[id].detail);
}

static void drop_links(struct collector *c, enum probe_id id)
{
	int i;

	for (i = 0; i < c->link_n[id]; i++) {
		bpf_link__destroy(c->links[c->link_first[id] + i]);
		c->links[c->link_first[id] + i] = NULL;
	}
}

static void module_gone(struct collector *c, enum probe_id id)
{
	struct probe_status *st = &c->plan.probe[id];
	struct mod_watch *w = &c->watch[id];
	const char *mod = probe_module(c, id);
	char why[256], hint[160];

	drop_links(c, id);
	w->lost++;
	w->lost_wall = clock_ns(CLOCK_REALTIME);
	str_printf(why, sizeof(why),
		   "%s was unloaded and %s went with it: the counts up to then stand (none can "
		   "happen without the driver); prtop attaches again when %s is back",
		   mod, caps_kprobe_name(&c->caps, probe_fn[id]), mod);
	str_printf(hint, sizeof(hint), "load it again: modprobe %s", mod);
	plan_status(st, MODE_NONE, NULL, why, hint);
	st->lost = true;
}

/* attach id's kprobe pair again, into the links it had */
static int module_back(struct collector *c, enum probe_id id, unsigned long ino)
{
	struct probe_status *st = &c->plan.probe[id];
	struct mod_watch *w = &c->watch[id];
	struct bpf_program *a, *b;
	int first = c->nlinks, err, i;

	progs_for(c->skel, id, MODE_KPROBE, &a, &b);
	err = attach_pair(c, a, b, true, caps_kprobe_name(&c->caps, probe_fn[id]));
	if (err)
		return err;
	for (i = 0; i < c->link_n[id]; i++)
		c->links[c->link_first[id] + i] = c->links[first + i];
	c->nlinks = first;
	w->back++;
	w->ino = ino;
	plan_status(st, MODE_KPROBE, w->detail, NULL, NULL);
	st->lost = false;
	return 0;
}

/* attach again; on failure say why, and the next sample tries again */
static void back_or_say(struct collector *c, enum probe_id id, unsigned long ino)
{
	struct probe_status *st = &c->plan.probe[id];
	const char *mod = probe_module(c, id);
	int err = module_back(c, id, ino);
	char why[256];

	if (!err)
		return;
	str_printf(why, sizeof(why),
		   "%s is back but attaching %s again failed (%s); retrying every "
		   "sample",
		   mod, caps_kprobe_name(&c->caps, probe_fn[id]), errno_name(err));
	str_copy(st->reason, sizeof(st->reason), why);
}

void attach_watch_modules(struct collector *c)
{
	int id;

	for (id = 0; id < PROBE__COUNT; id++) {
		struct mod_watch *w = &c->watch[id];
		unsigned long ino;

		if (!w->on)
			continue;
		ino = module_live(probe_module(c, id));
		/* gone, or gone and back between two samples (a new inode) */
		if (!c->plan.probe[id].lost && ino != w->ino)
			module_gone(c, id);
		if (c->plan.probe[id].lost && ino)
			back_or_say(c, id, ino);
	}
}

const char *attach_may_reattach(const struct collector *c)
{
	int id;

	for (id = 0; id < PROBE__COUNT; id++)
		if (c->watch[id].on)
			return caps_kprobe_name(&c->caps, probe_fn[id]);
	return NULL;
}

/* attach the plan's source of probe id; a failure becomes its reason */
static void attach_probe(struct collector *c, enum probe_id id)
{
	struct probe_status *st = &c->plan.probe[id];
	struct bpf_program *a, *b;
	char reason[300];
	int err;

	if (!st->attached || st->mode == MODE_PROCFS || st->mode == MODE_SCAN)
		return;
	progs_for(c->skel, id, st->mode, &a, &b);
	if (!a)
		return;
	c->link_first[id] = c->nlinks;
	err =
	    attach_pair(c, a, b, st->mode == MODE_KPROBE, caps_kprobe_name(&c->caps, probe_fn[id]));
	c->link_n[id] = c->nlinks - c->link_first[id];
	if (!err) {
		watch_start(c, id);
		return;
	}
	str_printf(reason, sizeof(reason), "%s: attach failed (%s)", st->detail, errno_name(err));
	plan_status(st, MODE_NONE, NULL, reason, NULL);
}

/* the kpageflags scan of reported ranges, fed by report()'s batches */
static int on_batch(void *ctx, void *data, size_t size)
{
	struct collector *c = ctx;

	if (c->reuse && size >= sizeof(struct prtop_batch_event))
		reuse_add_batch(c->reuse, data);
	return 0;
}

static void attach_reuse_scan(struct collector *c)
{
	struct probe_status *st = &c->plan.probe[PROBE_REUSE];
	char why[200];

	c->reuse = reuse_new(c->opts.reuse_capacity ? c->opts.reuse_capacity : 65536, KPAGEFLAGS);
	if (!c->reuse) {
		plan_status(st, MODE_NONE, NULL, "out of memory for the reuse table", NULL);
		return;
	}
	c->rb = ring_buffer__new(bpf_map__fd(c->skel->maps.events), on_batch, c, NULL);
	if (c->rb)
		return;
	str_printf(why, sizeof(why), "ring buffer setup failed: %s%s", strerror(errno),
		   errno == ENOSYS ? " (no epoll in this kernel: CONFIG_EPOLL)" : "");
	reuse_free(c->reuse);
	c->reuse = NULL;
	plan_status(st, MODE_NONE, NULL, why, NULL);
}

/* classic tracepoints need tracefs for their ids */
static bool tracefs_ready(struct probe_status *st)
{
	char why[160];

	if (!access("/sys/kernel/tracing/events", F_OK) ||
	    !access("/sys/kernel/debug/tracing/events", F_OK) ||
	    !mount("none", "/sys/kernel/tracing", "tracefs", 0, NULL))
		return true;
	str_printf(why, sizeof(why), "tracefs not mounted and mounting it failed: %s",
		   strerror(errno));
	plan_status(st, MODE_NONE, NULL, why, "mount -t tracefs none /sys/kernel/tracing");
	return false;
}

static void attach_reuse(struct collector *c)
{
	struct plan_opts po = {.reuse_exact = c->opts.reuse_exact, .no_reuse = c->opts.no_reuse};
	struct probe_status *st = &c->plan.probe[PROBE_REUSE];

	plan_reuse(&c->caps, &po, &c->plan); /* report() may have failed to attach */
	if (st->mode == MODE_SCAN)
		attach_reuse_scan(c);
	else if (st->mode != MODE_TRACEPOINT || tracefs_ready(st))
		attach_probe(c, PROBE_REUSE);
}

void attach_all(struct collector *c)
{
	attach_probe(c, PROBE_NOTIFY);
	attach_probe(c, PROBE_WORKER);
	plan_delay(&c->caps, &c->plan); /* from what notify and worker really gave */
	attach_probe(c, PROBE_DELAY);
	attach_probe(c, PROBE_REPORT);
	attach_probe(c, PROBE_CYCLE);
	attach_probe(c, PROBE_DRAIN);
	attach_reuse(c);
	attach_probe(c, PROBE_HINTING);
	attach_probe(c, PROBE_HINT_SHRINK);
}

void attach_close(struct collector *c)
{
	int i;

	for (i = c->nlinks - 1; i >= 0; i--)
		bpf_link__destroy(c->links[i]);
	c->nlinks = 0;
	ring_buffer__free(c->rb);
	c->rb = NULL;
	prtop_bpf__destroy(c->skel);
	c->skel = NULL;
	prtop_bpf__destroy(preopened); /* a failure between preopen and load */
	preopened = NULL;
	core_close();
	reuse_free(c->reuse);
	c->reuse = NULL;
}

/* ---- the device ---- */

/* Ask the kernel which device is registered: test-run read_prdev. */
void attach_read_prdev(struct collector *c)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd;

	if (!c->skel || !c->skel->rodata->pr_dev_info_addr)
		return;
	fd = bpf_program__fd(c->skel->progs.read_prdev);
	if (fd >= 0)
		bpf_prog_test_run_opts(fd, &opts);
}

/* The registered device's report() from pr_dev_info, before the real load. */
uint64_t attach_peek_report(const struct ksyms *ks)
{
	uint64_t addr = ksym_addr(ks, "pr_dev_info"), fn = 0;
	struct bpf_program *prog;
	struct prtop_bpf *s;

	if (!addr)
		return 0;
	s = prtop_bpf__open();
	if (!s)
		return 0;
	bpf_object__for_each_program(prog, s->obj)
	    bpf_program__set_autoload(prog, prog == s->progs.read_prdev);
	s->rodata->pr_dev_info_addr = addr;
	if (!prtop_bpf__load(s)) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		if (!bpf_prog_test_run_opts(bpf_program__fd(s->progs.read_prdev), &opts))
			fn = s->bss->stats.report_fn;
	}
	prtop_bpf__destroy(s);
	return fn;
}

/* ---- layers, for doctor ---- */

static void set_layer(struct collector *c, enum layer_id id, bool ok, const char *why)
{
	c->layer[id].ok = ok;
	str_copy(c->layer[id].why, sizeof(c->layer[id].why), why);
}

static void describe_patch_layer(struct collector *c)
{
	const struct plan *p = &c->plan;
	char used[200] = "", missing[200] = "", why[220];
	int i;

	if (!c->caps.patch_tps && c->caps.patch_tps_other) {
		set_layer(c, LAYER_PATCH_TP, false,
			  "page_reporting tracepoints of another series in this kernel's BTF (the "
			  "v2 patches?): their arguments are not v3's, not used");
		return;
	}
	if (!c->caps.patch_tps) {
		set_layer(c, LAYER_PATCH_TP, false,
			  "no page_reporting tracepoints in this kernel's BTF (bundled patch not "
			  "applied)");
		return;
	}
	for (i = 0; i < PT__COUNT; i++) {
		char *dst = caps_has_tp(&c->caps, i) ? used : missing;

		str_printf(dst + strlen(dst), 200 - strlen(dst), "%s%s", *dst ? " " : "",
			   patch_tp_name(i));
	}
	if (missing[0])
		str_printf(why, sizeof(why), "used: %s; missing: %s", used, missing);
	else
		str_printf(why, sizeof(why), "used, preferred over fentry: %s", used);
	if (c->opts.no_reuse && strstr(used, "unreport"))
		str_printf(why + strlen(why), sizeof(why) - strlen(why), " (reuse off)");
	set_layer(c, LAYER_PATCH_TP, p->pt_request || p->pt_work || p->pt_report, why);
}

/*
 * doctor, when the patch tracepoints left fentry nothing to do: load one
 * fentry program alone to say whether the layer would work.  0 when it
 * loads, else -errno with the reason in why.
 */
static int test_fentry(struct collector *c, char *why, size_t len)
{
	const struct fn_caps *f = &c->caps.fn[FN_NOTIFY];
	struct bpf_program *prog;
	struct prtop_bpf *s;
	int err;

	if (!f->in_btf || !f->in_ksyms) {
		snprintf(why, len, "__page_reporting_notify is not attachable by name");
		return -ENOENT;
	}
	s = prtop_bpf__open();
	if (!s) {
		snprintf(why, len, "opening the BPF object failed");
		return -errno;
	}
	bpf_object__for_each_program(prog, s->obj)
	    bpf_program__set_autoload(prog, prog == s->progs.notify_fentry);
	err = prtop_bpf__load(s);
	if (err)
		snprintf(why, len, "refused by the kernel at load (%s)", errno_name(err));
	prtop_bpf__destroy(s);
	return err;
}

static void describe_unused_fentry(struct collector *c)
{
	char why[160], msg[200];

	if (!c->opts.test_layers) {
		set_layer(c, LAYER_FENTRY, false,
			  "not tried: the patch tracepoints cover its functions, and the rest are "
			  "inlined or renamed on this kernel");
		return;
	}
	if (test_fentry(c, why, sizeof(why))) {
		str_printf(msg, sizeof(msg), "not needed (patch tracepoints), and %s", why);
		set_layer(c, LAYER_FENTRY, false, msg);
		return;
	}
	set_layer(c, LAYER_FENTRY, true,
		  "works here (a test program loaded), not used: the patch tracepoints are "
		  "preferred, the rest are inlined or renamed");
}

void attach_describe_layers(struct collector *c)
{
	const struct plan *p = &c->plan;
	char why[220];

	describe_patch_layer(c);
	if (c->fentry_used)
		set_layer(c, LAYER_FENTRY, true, "BPF trampolines load and attach");
	else if (!c->caps.fentry_refused && (p->pt_request || p->pt_work || p->pt_report))
		describe_unused_fentry(c);
	else if (c->caps.fentry_refused && strstr(c->caps.fentry_err, "EPERM")) {
		str_printf(why, sizeof(why),
			   "%s: BPF trampolines not permitted on this kernel (lockdown or no "
			   "trampoline support)",
			   c->caps.fentry_err);
		set_layer(c, LAYER_FENTRY, false, why);
	} else
		set_layer(c, LAYER_FENTRY, false,
			  c->caps.fentry_refused ? c->caps.fentry_err
						 : "no fentry target on this kernel");
	set_layer(c, LAYER_KPROBE, c->caps.kprobe_ok,
		  c->caps.kprobe_ok ? "kprobe PMU present" : c->caps.kprobe_err);
	set_layer(c, LAYER_TRACEPOINT, true,
		  p->worker_tp || p->delay_tp ? "used for what the layers above cannot give"
					      : "available, not needed");
}
