// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of `prtop host`: which processes are VMMs, what a VM is
 * called and who manages it, what /proc/PID/status says about its memory,
 * and the window between two samples.  No I/O here but host_identity_read,
 * which takes its roots as arguments: the unit tests feed text or fixture
 * files.
 */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostmon.h"

static const struct {
	const char *prefix; /* matched against comm and the executable's name */
	bool exact;
	const char *kind;
} vmms[] = {
    {"qemu-system-", false, "qemu"},
    {"qemu-kvm", true, "qemu"},
    {"firecracker", true, "firecracker"},
    {"cloud-hypervisor", true, "cloud-hypervisor"},
    /* comm is cut at 15 characters */
    {"cloud-hyperviso", true, "cloud-hypervisor"},
    {"crosvm", true, "crosvm"},
};

static const char *match(const char *name)
{
	size_t i;

	if (!name || !*name)
		return NULL;
	for (i = 0; i < sizeof(vmms) / sizeof(vmms[0]); i++) {
		size_t n = strlen(vmms[i].prefix);

		if (vmms[i].exact ? !strcmp(name, vmms[i].prefix)
				  : !strncmp(name, vmms[i].prefix, n))
			return vmms[i].kind;
	}
	return NULL;
}

/* the executable's name wins: QEMU's -name ...,process=X renames comm */
const char *host_vmm_kind(const char *comm, const char *exe_base)
{
	const char *k = match(exe_base);

	return k ? k : match(comm);
}

/* the value of the option after `opt` in a NUL-separated command line */
static const char *arg_after(const char *cmdline, size_t len, const char *opt)
{
	const char *p = cmdline, *end = cmdline + len;

	while (p < end) {
		size_t n = strnlen(p, (size_t)(end - p));

		if (p + n >= end)
			return NULL; /* unterminated: a truncated read */
		if (!strcmp(p, opt) && p + n + 1 < end) {
			const char *v = p + n + 1;

			/* the value too must end inside the read (fuzzer's find) */
			return strnlen(v, (size_t)(end - v)) < (size_t)(end - v) ? v : NULL;
		}
		p += n + 1;
	}
	return NULL;
}

static void copy_until(char *out, size_t outlen, const char *s, const char *stops)
{
	size_t n = strcspn(s, stops);

	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * QEMU: "-name foo", "-name guest=foo,debug-threads=on", "-name foo,process=x"
 * (also "--name"); Firecracker: "--id foo".  Anything else: "".
 */
void host_vm_name(const char *cmdline, size_t len, char *out, size_t outlen)
{
	const char *v = arg_after(cmdline, len, "-name");

	out[0] = '\0';
	if (!v)
		v = arg_after(cmdline, len, "--name");
	if (v) {
		const char *g = strstr(v, "guest=");

		/* "guest=" as an option of its own, not inside another value */
		if (g && (g == v || g[-1] == ','))
			copy_until(out, outlen, g + 6, ",");
		else
			copy_until(out, outlen, v, ",");
		/* "process=x,debug-threads=on" and the like: no name given */
		if (strchr(out, '='))
			out[0] = '\0';
		return;
	}
	v = arg_after(cmdline, len, "--id");
	if (v)
		copy_until(out, outlen, v, "");
}

/* "opt value" or "opt=value" (Cloud Hypervisor's argument parser takes both) */
static const char *opt_value(const char *cmdline, size_t len, const char *opt)
{
	const char *p = cmdline, *end = cmdline + len, *v = arg_after(cmdline, len, opt);
	size_t n = strlen(opt);

	if (v)
		return v;
	while (p < end) {
		size_t k = strnlen(p, (size_t)(end - p));

		if (p + k >= end)
			return NULL;
		if (!strncmp(p, opt, n) && p[n] == '=')
			return p + n + 1;
		p += k + 1;
	}
	return NULL;
}

/* some argument contains both a and b (b after a) */
static bool arg_has(const char *cmdline, size_t len, const char *a, const char *b)
{
	const char *p = cmdline, *end = cmdline + len;

	while (p < end) {
		size_t k = strnlen(p, (size_t)(end - p));
		const char *x;

		if (p + k >= end)
			return false;
		x = strstr(p, a);
		if (x && strstr(x + strlen(a), b))
			return true;
		p += k + 1;
	}
	return false;
}

/* 8-4-4-4-12 hex digits, ending at a NUL or a comma */
static bool is_uuid(const char *s)
{
	int i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return false;
		} else if (!isxdigit((unsigned char)s[i])) {
			return false;
		}
	}
	return !s[36] || s[36] == ',';
}

/* a Kubernetes namespace: a DNS label (RFC 1123), 1..63 characters */
static bool is_dns_label(const char *s, size_t n)
{
	size_t i;

	if (!n || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return true;
}

/*
 * One cgroup path component naming a pod: "pod<uid>" (cgroupfs driver,
 * dashes) or "kubepods[-<qos>]-pod<uid with _>.slice" (systemd driver).
 */
static bool pod_component(const char *c, size_t n, char *out, size_t outlen)
{
	char uid[40];
	const char *u;
	size_t k, i;

	if (n > 4 && !strncmp(c, "pod", 3)) {
		u = c + 3;
		k = n - 3;
	} else if (n > 6 && !strncmp(c, "kubepods", 8) && !memcmp(c + n - 6, ".slice", 6)) {
		u = NULL;
		for (i = 8; i + 4 <= n - 6; i++)
			if (!memcmp(c + i, "-pod", 4))
				u = c + i + 4;
		if (!u)
			return false;
		k = (size_t)(c + n - 6 - u);
	} else {
		return false;
	}
	if (k != 36)
		return false;
	for (i = 0; i < k; i++)
		uid[i] = u[i] == '_' ? '-' : u[i];
	uid[k] = '\0';
	if (!is_uuid(uid) || outlen < sizeof(uid))
		return false;
	memcpy(out, uid, k + 1);
	return true;
}

bool host_pod_uid(const char *cgroup, char *out, size_t outlen)
{
	const char *line = cgroup;

	out[0] = '\0';
	while (line && *line) {
		const char *nl = strchr(line, '\n'), *end = nl ? nl : line + strlen(line);
		const char *path = memchr(line, ':', (size_t)(end - line));
		const char *c;

		/* "ID:CONTROLLERS:PATH": the path after the second colon */
		if (path)
			path = memchr(path + 1, ':', (size_t)(end - path - 1));
		c = path ? path + 1 : end;
		/* the pod is a component below a "kubepods..." one */
		while (c < end) {
			const char *slash = memchr(c, '/', (size_t)(end - c));
			size_t n = (size_t)((slash ? slash : end) - c);

			if (!strncmp(c, "kubepods", 8) && n >= 8) {
				const char *d = c;

				while (d < end) {
					const char *s2 = memchr(d, '/', (size_t)(end - d));
					size_t m = (size_t)((s2 ? s2 : end) - d);

					if (pod_component(d, m, out, outlen))
						return true;
					d += m + 1;
				}
				break;
			}
			c += n + 1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

/* Cloud Hypervisor's --api-socket "path=/x/NAME.sock" or "/x/NAME.sock": NAME */
static void api_socket_name(const char *v, char *out, size_t outlen)
{
	char path[256];
	const char *base;
	size_t n;

	out[0] = '\0';
	if (!strncmp(v, "path=", 5))
		v += 5;
	else if (strchr(v, '='))
		return; /* fd=N: no name */
	copy_until(path, sizeof(path), v, ",");
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".sock"))
		n -= 5;
	else if (n > 7 && !strcmp(base + n - 7, ".socket"))
		n -= 7;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, base, n);
	out[n] = '\0';
}

static void set(char *out, size_t outlen, const char *s)
{
	copy_until(out, outlen, s, "");
}

static void qemu_identity(struct host_identity *id, const char *cmdline, size_t len,
			  bool libvirt_pidfile)
{
	const char *v = arg_after(cmdline, len, "-uuid"), *us, *nv;
	char dom[sizeof(id->name)];
	bool guest_form, libvirt;

	if (v && is_uuid(v))
		copy_until(id->uuid, sizeof(id->uuid), v, ",");
	host_vm_name(cmdline, len, dom, sizeof(dom));
	nv = arg_after(cmdline, len, "-name");
	guest_form = nv && (!strncmp(nv, "guest=", 6) || strstr(nv, ",guest="));
	/* libvirt keeps each domain's files in <its qemu dir>/domain-<id>-<name> */
	libvirt = libvirt_pidfile || arg_has(cmdline, len, "libvirt/", "/domain-");
	us = strchr(dom, '_');
	if (id->pod_uid[0] && (libvirt || guest_form) && us &&
	    is_dns_label(dom, (size_t)(us - dom)) && us[1]) {
		set(id->manager, sizeof(id->manager), "kubevirt");
		copy_until(id->ns, sizeof(id->ns), dom, "_");
		set(id->name, sizeof(id->name), us + 1);
		return;
	}
	set(id->manager, sizeof(id->manager), libvirt ? "libvirt" : "qemu");
	set(id->name, sizeof(id->name), dom);
}

void host_identity_parse(struct host_identity *id, const char *vmm, const char *cmdline,
			 size_t len, const char *cgroup, bool libvirt_pidfile)
{
	const char *v;

	memset(id, 0, sizeof(*id));
	if (cgroup)
		host_pod_uid(cgroup, id->pod_uid, sizeof(id->pod_uid));
	if (!vmm)
		return; /* a process given by --pid that is no VMM prtop knows */
	if (!strcmp(vmm, "qemu")) {
		qemu_identity(id, cmdline, len, libvirt_pidfile);
		return;
	}
	set(id->manager, sizeof(id->manager), vmm);
	if (!strcmp(vmm, "firecracker")) {
		v = opt_value(cmdline, len, "--id");
		if (v)
			set(id->name, sizeof(id->name), v);
	} else if (!strcmp(vmm, "cloud-hypervisor")) {
		v = opt_value(cmdline, len, "--api-socket");
		if (v)
			api_socket_name(v, id->name, sizeof(id->name));
	}
}

/* up to len - 1 bytes of a small file, NUL-terminated; -1 if unreadable */
static ssize_t slurp(const char *path, char *buf, size_t len)
{
	ssize_t n, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)got < len - 1 && (n = read(fd, buf + got, len - 1 - (size_t)got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

void host_identity_read(struct host_identity *id, const char *proc, const char *libvirt_run,
			pid_t pid, const char *vmm, const char *cmdline, size_t len)
{
	char path[512], cg[8192], dom[64], pidtxt[32];
	bool pidfile = false;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%d/cgroup", proc ? proc : "/proc", pid);
	n = slurp(path, cg, sizeof(cg));
	if (vmm && !strcmp(vmm, "qemu")) {
		host_vm_name(cmdline, len, dom, sizeof(dom));
		/* a name that is a file name in libvirt's directory, nothing else */
		if (dom[0] && !strchr(dom, '/') && strcmp(dom, ".") && strcmp(dom, "..")) {
			char *end;
			long p;

			snprintf(path, sizeof(path), "%s/%s.pid",
				 libvirt_run ? libvirt_run : "/run/libvirt/qemu", dom);
			if (slurp(path, pidtxt, sizeof(pidtxt)) > 0) {
				p = strtol(pidtxt, &end, 10);
				pidfile = end != pidtxt && p == pid;
			}
		}
	}
	host_identity_parse(id, vmm, cmdline, len, n > 0 ? cg : NULL, pidfile);
}

/* libvirt's virDomainMemoryStatTags: a stable ABI */
enum {
	LV_STAT_ACTUAL_BALLOON = 6,
	LV_STAT_RSS = 7,
	LV_STAT_USABLE = 8,
};

void host_manager_stats_parse(struct host_manager_stats *ms, const int *tags,
			      const unsigned long long *vals, int n)
{
	int i;

	ms->known = true;
	ms->actual_kib = ms->rss_kib = ms->usable_kib = -1;
	for (i = 0; i < n; i++) {
		int64_t v = vals[i] > INT64_MAX ? INT64_MAX : (int64_t)vals[i];

		if (tags[i] == LV_STAT_ACTUAL_BALLOON)
			ms->actual_kib = v;
		else if (tags[i] == LV_STAT_RSS)
			ms->rss_kib = v;
		else if (tags[i] == LV_STAT_USABLE)
			ms->usable_kib = v;
	}
}

static bool field_kib(const char *text, const char *key, uint64_t *out)
{
	const char *p = text;
	size_t n = strlen(key);

	while (p && *p) {
		if (!strncmp(p, key, n) && p[n] == ':') {
			char *end;
			unsigned long long v = strtoull(p + n + 1, &end, 10);

			if (end == p + n + 1)
				return false;
			*out = v;
			return true;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return false;
}

bool host_parse_status(const char *text, uint64_t *rss, uint64_t *anon, uint64_t *file,
		       uint64_t *shmem)
{
	*anon = *file = *shmem = 0;
	if (!field_kib(text, "VmRSS", rss))
		return false;
	field_kib(text, "RssAnon", anon);
	field_kib(text, "RssFile", file);
	field_kib(text, "RssShmem", shmem);
	return true;
}

int host_age_slot(uint64_t ms)
{
	int s = 0;

	while (s < HOST_AGE_SLOTS - 1 && ms >= (1ULL << s))
		s++;
	return s;
}

#define PM_PRESENT   (1ULL << 63)
#define PM_EXCLUSIVE (1ULL << 56)

uint64_t host_chunk_back(__u64 bits[HOST_CHUNK_WORDS], const uint64_t *pm, uint32_t npages)
{
	uint64_t back = 0;
	uint32_t i;

	if (npages > HOST_CHUNK_PAGES)
		npages = HOST_CHUNK_PAGES;
	for (i = 0; i < npages; i++) {
		__u64 bit = 1ULL << (i % 64);

		if ((bits[i / 64] & bit) && (pm[i] & PM_PRESENT) && (pm[i] & PM_EXCLUSIVE)) {
			bits[i / 64] &= ~bit;
			back++;
		}
	}
	return back;
}

uint64_t host_chunk_back_regions(__u64 bits[HOST_CHUNK_WORDS], uint64_t chunk,
				 const struct host_region *r, size_t n, uint32_t page_shift)
{
	uint64_t base = chunk << HOST_CHUNK_SHIFT, back = 0;
	uint32_t npages = host_chunk_pages(page_shift), i, lo, hi;
	size_t k;

	for (k = 0; k < n; k++) {
		uint64_t s = r[k].start > base ? r[k].start : base;
		uint64_t e = r[k].end < base + (1ULL << HOST_CHUNK_SHIFT)
				 ? r[k].end
				 : base + (1ULL << HOST_CHUNK_SHIFT);

		if (s >= e)
			continue;
		lo = (uint32_t)((s - base) >> page_shift);
		hi = (uint32_t)((e - base + (1ULL << page_shift) - 1) >> page_shift);
		if (hi > npages)
			hi = npages;
		for (i = lo; i < hi; i++) {
			__u64 bit = 1ULL << (i % 64);

			if (bits[i / 64] & bit) {
				bits[i / 64] &= ~bit;
				back++;
			}
		}
	}
	return back;
}

uint64_t host_scan_age_ms(uint64_t discard_ns, uint64_t prev_ns, uint64_t now_ns)
{
	uint64_t from = prev_ns > discard_ns ? prev_ns : discard_ns;

	if (now_ns <= from)
		return 0;
	return (from - discard_ns + (now_ns - from) / 2) / 1000000;
}

void host_count_refault(struct host_vm *v, uint64_t pages, uint32_t page_shift, uint64_t ms)
{
	uint64_t bytes = pages << page_shift;

	v->refaulted_bytes += bytes;
	v->age_hist[host_age_slot(ms)] += bytes;
	/* the age histogram observes 4 KiB at a time, whatever the page size */
	v->age_sum_ms_x_pages += ms * (bytes / 4096);
}

static uint64_t over_methods(const __u64 *per_method)
{
	uint64_t sum = 0;
	int m;

	for (m = 0; m < HOST_M__COUNT; m++)
		sum += per_method[m];
	return sum;
}

uint64_t host_vm_discarded(const struct host_vm *v)
{
	return over_methods(v->st.bytes);
}

uint64_t host_vm_calls(const struct host_vm *v)
{
	return over_methods(v->st.calls);
}

static const struct host_vm *find_prev(const struct host_vm *cur, const struct host_snap *prev)
{
	int i;

	if (!prev)
		return NULL;
	for (i = 0; i < prev->nvms; i++)
		if (prev->vm[i].pid == cur->pid && prev->vm[i].start_ticks == cur->start_ticks)
			return &prev->vm[i];
	return NULL;
}

/* counters only grow while a VM is watched; a new VM's window starts at 0 */
void host_delta(struct host_vm_delta *d, const struct host_vm *cur, const struct host_snap *prev,
		double secs)
{
	const struct host_vm *p = find_prev(cur, prev);

	memset(d, 0, sizeof(*d));
	d->cur = cur;
	d->prev = p;
	d->secs = secs;
	d->discarded_bytes = host_vm_discarded(cur) - (p ? host_vm_discarded(p) : 0);
	d->discard_calls = host_vm_calls(cur) - (p ? host_vm_calls(p) : 0);
	d->refaulted_bytes = cur->refaulted_bytes - (p ? p->refaulted_bytes : 0);
	if (p && p->rss_known && cur->rss_known) {
		d->rss_change_kib = (int64_t)cur->rss_kib - (int64_t)p->rss_kib;
		d->rss_change_known = true;
	}
}

const char *host_probe_name(enum host_probe p)
{
	static const char *const names[HP__COUNT] = {
	    [HP_MADVISE] = "madvise",	    [HP_FALLOCATE] = "fallocate",
	    [HP_FAULT] = "page_fault_user", [HP_KVM_FAULT] = "kvm_page_fault",
	    [HP_PAGEMAP] = "pagemap",
	};

	return p < HP__COUNT ? names[p] : "?";
}

const char *host_method_name(enum host_method m)
{
	static const char *const names[HOST_M__COUNT] = {
	    [HOST_M_DONTNEED] = "dontneed",
	    [HOST_M_REMOVE] = "remove",
	    [HOST_M_FREE] = "free",
	    [HOST_M_PUNCH] = "punch_hole",
	};

	return m < HOST_M__COUNT ? names[m] : "?";
}

struct vma {
	uint64_t start, end;
	bool writable, exec, dontfork;
};

static void add_range(struct host_ram *r, uint64_t start, uint64_t end)
{
	int i, small = 0;

	/* merge with a neighbour */
	for (i = 0; i < (int)r->n; i++) {
		if (r->end[i] == start) {
			r->end[i] = end;
			return;
		}
		if (r->start[i] == end) {
			r->start[i] = start;
			return;
		}
	}
	if (r->n < HOST_RAM_RANGES) {
		r->start[r->n] = start;
		r->end[r->n++] = end;
		return;
	}
	/* full: replace the smallest if this one is larger */
	for (i = 1; i < HOST_RAM_RANGES; i++)
		if (r->end[i] - r->start[i] < r->end[small] - r->start[small])
			small = i;
	if (end - start > r->end[small] - r->start[small]) {
		r->start[small] = start;
		r->end[small] = end;
	}
}

static bool has_flag(const char *flags, const char *f)
{
	const char *p = flags;
	size_t n = strlen(f);

	while ((p = strstr(p, f))) {
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || !p[n]))
			return true;
		p += n;
	}
	return false;
}

/* one pass over smaps: want_dontfork picks the first rule, else the second */
static void ram_pass(const char *smaps, struct host_ram *r, bool want_dontfork)
{
	const char *p = smaps;
	struct vma v = {0};
	bool have = false;

	memset(r, 0, sizeof(*r));
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		unsigned long long a, b;
		char perms[8];

		if (sscanf(p, "%llx-%llx %7s", &a, &b, perms) == 3 && strlen(perms) == 4) {
			v.start = a;
			v.end = b;
			v.writable = perms[1] == 'w';
			v.exec = perms[2] == 'x';
			v.dontfork = false;
			have = true;
		} else if (have && !strncmp(p, "VmFlags:", 8)) {
			char flags[256];
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			/* this line only: strstr would run on into the next mappings */
			if (n >= sizeof(flags))
				n = sizeof(flags) - 1;
			memcpy(flags, p, n);
			flags[n] = '\0';
			v.dontfork = has_flag(flags + 8, "dc");
			if (v.writable &&
			    (want_dontfork ? v.dontfork
					   : !v.exec && v.end - v.start >= 128ULL << 20))
				add_range(r, v.start, v.end);
			have = false;
		}
		p = nl ? nl + 1 : NULL;
	}
}

/*
 * QEMU marks all its RAM MADV_DONTFORK (unless it runs qtest, where no
 * guest runs): its VMAs tell from the first discard, before its RAM shows in
 * smaps.  Other VMMs by their VMAs too once smaps shows them marking RAM so.
 */
enum host_ram_rule host_ram_rule(const char *vmm, const char *rule)
{
	if (!strcmp(vmm, "qemu") || (rule && !strcmp(rule, "dontfork")))
		return HOST_RAM_BY_DONTFORK;
	return HOST_RAM_BY_RANGES;
}

const char *host_parse_ram(const char *smaps, struct host_ram *r, uint64_t *bytes)
{
	const char *rule = "dontfork";
	uint32_t i;

	ram_pass(smaps, r, true);
	if (!r->n) {
		ram_pass(smaps, r, false);
		rule = "size";
	}
	*bytes = 0;
	for (i = 0; i < r->n; i++)
		*bytes += r->end[i] - r->start[i];
	return r->n ? rule : NULL;
}
