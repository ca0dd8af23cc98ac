// SPDX-License-Identifier: GPL-2.0
/* What the running kernel offers prtop: see caps.h. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <bpf/btf.h>

#include "caps.h"
#include "procfs.h"
#include "str.h"

#define SYS_BTF_DIR    "/sys/kernel/btf"
#define KPROBE_PMU     "/sys/bus/event_source/devices/kprobe/type"
#define KPROBE_EVENTS  "/sys/kernel/tracing/kprobe_events"
#define PT_PREFIX      "btf_trace_page_reporting_"
#define MAX_REPORT_FNS 4
#define REPORT_LIKE    "report" /* in every report() name the early filter keeps */

static const char *const fn_names[FN__COUNT] = {
    [FN_NOTIFY] = "__page_reporting_notify",
    [FN_PROCESS] = "page_reporting_process",
    [FN_CYCLE] = "page_reporting_cycle",
    [FN_DRAIN] = "page_reporting_drain",
};

bool caps_btf_has_func(const struct btf *btf, const char *name)
{
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_FUNC) > 0;
}

static bool is_ptr_to_struct(const struct btf *btf, __u32 id, const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	if (!t || !btf_is_ptr(t))
		return false;
	t = btf__type_by_id(btf, btf__resolve_type(btf, t->type));
	return t && btf_is_struct(t) && !strcmp(btf__name_by_offset(btf, t->name_off), name);
}

/* int f(struct page_reporting_dev_info *, struct scatterlist *, unsigned int) */
static void scan_report_fns(struct caps_reports *r, const struct btf *btf, const char *module)
{
	__u32 id, n = btf__type_cnt(btf);

	for (id = 1; id < n && r->n < CAPS_MAX_REPORT_FNS; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id), *proto;
		const struct btf_param *p;
		struct fn_caps *f;

		if (!btf_is_func(t))
			continue;
		proto = btf__type_by_id(btf, t->type);
		if (!proto || !btf_is_func_proto(proto) || btf_vlen(proto) != 3)
			continue;
		p = btf_params(proto);
		if (!is_ptr_to_struct(btf, p[0].type, "page_reporting_dev_info") ||
		    !is_ptr_to_struct(btf, p[1].type, "scatterlist"))
			continue;
		f = &r->fn[r->n++];
		str_copy(f->name, sizeof(f->name), btf__name_by_offset(btf, t->name_off));
		str_copy(f->module, sizeof(f->module), module);
		f->in_btf = true;
	}
}

static bool has_member(const struct btf *btf, const struct btf_type *t, const char *name)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, m[i].name_off), name))
			return true;
	return false;
}

/* a struct of that name with all those members */
static bool struct_has(const struct btf *btf, const char *name, const char *const *members)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, id) : NULL;

	if (!t)
		return false;
	for (; *members; members++)
		if (!has_member(btf, t, *members))
			return false;
	return true;
}

/* virtio-balloon's hinting work item and the state bpf/ reads around it */
static void scan_hint(struct caps_reports *r, const struct btf *btf, const char *module)
{
	static const char *const vb[] = {"report_free_page_work", "num_free_page_blocks",
					 "cmd_id_received_cache", "cmd_id_active", NULL};

	if (!r->hint.in_btf && caps_btf_has_func(btf, "report_free_page_func")) {
		str_copy(r->hint.name, sizeof(r->hint.name), "report_free_page_func");
		str_copy(r->hint.module, sizeof(r->hint.module), module);
		r->hint.in_btf = true;
	}
	if (!r->hint_struct)
		r->hint_struct = struct_has(btf, "virtio_balloon", vb);
}

/* every report() in vmlinux and module BTF (virtio_balloon is often a module) */
void caps_find_reports(struct caps_reports *r, const struct btf *vmlinux)
{
	static const char *const publish[] = {"publish_bitmap", NULL};
	struct dirent *de;
	DIR *d;

	scan_report_fns(r, vmlinux, "");
	scan_hint(r, vmlinux, "");
	r->publish_field = struct_has(vmlinux, "page_reporting_dev_info", publish);
	d = opendir(SYS_BTF_DIR);
	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512];
		struct btf *mb;

		if (de->d_name[0] == '.' || !strcmp(de->d_name, "vmlinux") ||
		    path_join(path, sizeof(path), SYS_BTF_DIR, de->d_name))
			continue;
		mb = btf__parse_split(path, (struct btf *)vmlinux);
		if (!mb)
			continue;
		scan_report_fns(r, mb, de->d_name);
		scan_hint(r, mb, de->d_name);
		btf__free(mb);
	}
	closedir(d);
}

static void fill_syms(struct fn_caps *f, const struct ksyms *ks)
{
	const struct ksym *clone;

	f->in_ksyms = ksyms_by_name(ks, f->name) != NULL;
	clone = f->in_ksyms ? NULL : ksyms_clone_of(ks, f->name);
	if (clone)
		str_copy(f->clone, sizeof(f->clone), clone->name);
}

/* the registered device's report() if known, else the first in BTF */
static void pick_report(struct kernel_caps *k, const struct caps_reports *r, const struct ksyms *ks,
			uint64_t registered)
{
	const struct ksym *reg = registered ? ksyms_by_addr(ks, registered) : NULL;
	int i, pick = 0;

	if (!r->n)
		return;
	for (i = 0; reg && i < r->n; i++)
		if (!strcmp(r->fn[i].name, reg->name))
			pick = i;
	k->fn[FN_REPORT] = r->fn[pick];
	fill_syms(&k->fn[FN_REPORT], ks);
}

/* a wanted name, or its compiler clone (name.isra.0) */
static bool wanted(const char *name, size_t len, const char *want)
{
	size_t l = strlen(want);

	return len >= l && !memcmp(name, want, l) && (len == l || name[l] == '.');
}

/* before BTF says which report()s exist, keep every name that could be one */
static bool report_like(const char *name, size_t len)
{
	return memmem(name, len, REPORT_LIKE, strlen(REPORT_LIKE)) != NULL;
}

static const char *const extra_syms[] = {"delayed_work_timer_fn", "pr_dev_info", "vmemmap_base",
					 "report_free_page_func", "virtio_balloon_shrinker_scan"};
static bool keep_sym(const char *name, size_t len, void *ctx)
{
	const char *const *extra = extra_syms;
	const struct caps_reports *r = ctx;
	size_t i;

	for (i = 0; i < FN__COUNT; i++)
		if (fn_names[i] && wanted(name, len, fn_names[i]))
			return true;
	for (i = 0; i < sizeof(extra_syms) / sizeof(extra_syms[0]); i++)
		if (wanted(name, len, extra[i]))
			return true;
	if (!r)
		return report_like(name, len);
	for (i = 0; i < (size_t)r->n; i++)
		if (wanted(name, len, r->fn[i].name))
			return true;
	return false;
}

struct ksyms *caps_load_ksyms(const struct caps_reports *r)
{
	return ksyms_load_filtered(NULL, keep_sym, (void *)r);
}

/* what keep_sym() keeps without report()s: a cache kept by another filter is stale */
static uint64_t filter_id(void)
{
	uint64_t h = KCACHE_FNV_SEED;
	size_t i;

	for (i = 0; i < FN__COUNT; i++)
		if (fn_names[i])
			h = kcache_fnv(h, fn_names[i], strlen(fn_names[i]) + 1);
	for (i = 0; i < sizeof(extra_syms) / sizeof(extra_syms[0]); i++)
		h = kcache_fnv(h, extra_syms[i], strlen(extra_syms[i]) + 1);
	return kcache_fnv(h, REPORT_LIKE, sizeof(REPORT_LIKE));
}

static void *ksyms_thread(void *arg)
{
	struct caps_ksyms_job *j = arg;
	char key[KCACHE_KEY_MAX];
	int err;

	j->ks = caps_load_ksyms(NULL); /* NULL: errno says why */
	if (!j->ks || !j->key[0])
		return NULL;
	err = errno;
	/* a module loaded or unloaded during the read: the symbols match neither key */
	if (!kcache_key(NULL, NULL, filter_id(), key, sizeof(key)) && !strcmp(key, j->key))
		kcache_store(j->dir, j->key, j->ks); /* best effort: unwritable is uncached */
	errno = err;
	return NULL;
}

/*
 * Joining a thread waits on a futex; a kernel built without CONFIG_FUTEX
 * (tinyconfig, like the patched test kernel) makes glibc abort there.
 */
static bool have_futex(void)
{
	int word = 0;

	return syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) >= 0 ||
	       errno != ENOSYS;
}

void caps_ksyms_start(struct caps_ksyms_job *j)
{
	memset(j, 0, sizeof(*j));
	j->dir = kcache_dir();
	if (j->dir && kcache_key(NULL, NULL, filter_id(), j->key, sizeof(j->key)))
		j->key[0] = '\0'; /* a module in flux, or no boot_id: read, do not store */
	if (j->key[0]) {
		j->ks = kcache_load(j->dir, j->key);
		j->cached = j->ks != NULL;
		if (j->cached)
			return;
	}
	j->started = have_futex() && !pthread_create(&j->thread, NULL, ksyms_thread, j);
}

struct ksyms *caps_ksyms_finish(struct caps_ksyms_job *j, const struct caps_reports *r)
{
	int i;

	if (j->started)
		pthread_join(j->thread, NULL);
	else if (!j->cached)
		ksyms_thread(j);
	j->started = false;
	/* a report() whose name the early filter could not guess: read again */
	for (i = 0; r && j->ks && i < r->n; i++) {
		if (report_like(r->fn[i].name, strlen(r->fn[i].name)))
			continue;
		ksyms_free(j->ks);
		j->ks = caps_load_ksyms(r);
		j->cached = false;
		break;
	}
	return j->ks;
}

/*
 * The arguments of each tracepoint (its TP_PROTO's) in the series prtop
 * follows (v3).  The v2 series, never upstream, had request, report and
 * unreport too, with other arguments: a kernel built with it must not feed
 * them to programs that read v3's.
 */
static const unsigned int patch_tp_args[PT__COUNT] = {
    [PT_REQUEST] = 3,
    [PT_WORK] = 8,
    [PT_REPORT] = 6,
    [PT_UNREPORT] = 4,
};

/* a btf_trace_* typedef: pointer to a prototype of the data pointer and the TP_PROTO's */
static int tp_args(const struct btf *btf, const struct btf_type *t)
{
	t = btf__type_by_id(btf, t->type);
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);
	return t && btf_is_func_proto(t) && btf_vlen(t) ? btf_vlen(t) - 1 : -1;
}

/* one pass over the kernel's BTF: which btf_trace_page_reporting_* exist, and of what shape */
static void find_patch_tps(const struct btf *btf, unsigned int *tps, unsigned int *other)
{
	__u32 id, n = btf__type_cnt(btf);
	size_t len = strlen(PT_PREFIX);
	int i;

	*tps = *other = 0;
	for (id = 1; id < n; id++) {
		const struct btf_type *t = btf__type_by_id(btf, id);
		const char *name;

		if (!btf_is_typedef(t))
			continue;
		name = btf__name_by_offset(btf, t->name_off);
		if (strncmp(name, PT_PREFIX, len))
			continue;
		for (i = 0; i < PT__COUNT; i++) {
			if (strcmp(name + len, patch_tp_name(i)))
				continue;
			if (tp_args(btf, t) == (int)patch_tp_args[i])
				*tps |= 1u << i;
			else
				*other |= 1u << i;
		}
	}
}

static void file_err(char *buf, size_t len, const char *path)
{
	if (access(path, R_OK))
		str_copy(buf, len, strerror(errno));
}

static void caps_hint(struct kernel_caps *k, const struct ksyms *ks, const struct caps_reports *r)
{
	uint64_t blocks[PRTOP_ORDERS];
	int n;

	k->hint_offer = virtio_hint_offer(NULL, k->hint_dev, sizeof(k->hint_dev));
	k->fn[FN_HINT] = r->hint;
	if (!k->fn[FN_HINT].name[0])
		str_copy(k->fn[FN_HINT].name, sizeof(k->fn[FN_HINT].name), "report_free_page_func");
	fill_syms(&k->fn[FN_HINT], ks);
	k->hint_struct = r->hint_struct;
	k->hint_work_known = k->fn[FN_HINT].in_ksyms;
	k->hint_shrink_known = ksyms_by_name(ks, "virtio_balloon_shrinker_scan") != NULL;
	/* VIRTIO_BALLOON_HINT_BLOCK_ORDER: MAX_ORDER - 1, the top free list */
	n = buddyinfo_read("/proc/buddyinfo", blocks);
	k->hint_block_order = n > 0 ? n - 1 : -1;
	k->publish_field = r->publish_field;
}

void caps_probe_btf(struct kernel_caps *k, const struct btf *vmlinux)
{
	int i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < FN__COUNT; i++) {
		if (!fn_names[i])
			continue;
		str_copy(k->fn[i].name, sizeof(k->fn[i].name), fn_names[i]);
		k->fn[i].btf_id = btf__find_by_name_kind(vmlinux, fn_names[i], BTF_KIND_FUNC);
		k->fn[i].in_btf = k->fn[i].btf_id > 0;
		if (!k->fn[i].in_btf)
			k->fn[i].btf_id = 0;
	}
	find_patch_tps(vmlinux, &k->patch_tps, &k->patch_tps_other);
}

void caps_probe(struct kernel_caps *k, const struct ksyms *ks, const struct caps_reports *r,
		uint64_t registered_report)
{
	int i;

	for (i = 0; i < FN__COUNT; i++)
		if (fn_names[i])
			fill_syms(&k->fn[i], ks);
	pick_report(k, r, ks, registered_report);
	k->kprobe_ok = !access(KPROBE_PMU, R_OK) || !access(KPROBE_EVENTS, W_OK);
	if (!k->kprobe_ok)
		str_copy(k->kprobe_err, sizeof(k->kprobe_err),
			 "not built in (CONFIG_KPROBES unset)");
	k->worker_fn_known = ksyms_by_name(ks, "page_reporting_process") != NULL;
	k->timer_fn_known = ksyms_by_name(ks, "delayed_work_timer_fn") != NULL;
	k->vmemmap_known = ksyms_by_name(ks, "vmemmap_base") != NULL;
	file_err(k->kpageflags_err, sizeof(k->kpageflags_err), "/proc/kpageflags");
	file_err(k->buddyinfo_err, sizeof(k->buddyinfo_err), "/proc/buddyinfo");
	file_err(k->params_err, sizeof(k->params_err), "/sys/module/page_reporting/parameters");
	caps_hint(k, ks, r);
}
