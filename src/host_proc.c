// SPDX-License-Identifier: GPL-2.0
/*
 * The pure parts of `prtop host`: which processes are VMMs, what a VM is
 * called, what /proc/PID/status says about its memory, and the window
 * between two samples.  No I/O here: the unit tests feed them text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
