// SPDX-License-Identifier: GPL-2.0
/*
 * The host collector of `prtop host`: finds VMM processes, attaches the
 * host BPF programs (bpf/host.bpf.c), and on every sample reads their
 * counters, resolves refaults through /proc/PID/pagemap and reads RSS.
 * It knows nothing of screens or HTTP: presentations read a host_snap.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <linux/fs.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "collector_int.h"
#include "hostmon.h"
#include "privs.h"
#include "str.h"
#include "host.skel.h"

/*
 * PAGEMAP_SCAN (Linux 6.7) as its ABI fixes it: the struct carries its own
 * size, so a copy of the layout works with headers older than the kernel.
 */
struct host_scan_arg {
	__u64 size, flags, start, end, walk_end, vec, vec_len, max_pages;
	__u64 category_inverted, category_mask, category_anyof_mask, return_mask;
};
#ifdef PAGEMAP_SCAN
_Static_assert(sizeof(struct host_scan_arg) == sizeof(struct pm_scan_arg), "pm_scan_arg");
_Static_assert(sizeof(struct host_region) == sizeof(struct page_region), "page_region");
#define HOST_PAGEMAP_SCAN PAGEMAP_SCAN
#else
#define HOST_PAGEMAP_SCAN _IOWR('f', 16, struct host_scan_arg)
#endif
#define HOST_PAGE_IS_PRESENT (1 << 3)
#define HOST_PAGE_IS_PFNZERO (1 << 5)
/* the most ranges of present pages in a chunk: every other page */
#define SCAN_REGIONS (HOST_CHUNK_PAGES / 2 + 1)
/* chunk map entries read per system call */
#define SCAN_BATCH 1024

/* a fault is traced before its page is mapped: look only at older ones */
#define RESOLVE_AFTER_NS 20000000ULL
/* guest RAM is looked up again every this many samples */
#define RAM_REFRESH_SAMPLES 10

struct vm_state {
	struct host_vm v; /* identity and userspace counters */
	int pagemap_fd;
	uint64_t kvm_seen;
	uint64_t samples;
	bool gone; /* shown once more with alive = false, then dropped */
};

struct pending {
	uint32_t tgid;
	uint64_t chunk;
};

struct host {
	struct host_opts o;
	struct host_bpf *skel;
	struct bpf_link *links[8];
	int nlinks;
	struct ring_buffer *rb;
	int ncpus;
	struct host_vm_stats *pcpu;
	struct vm_state vms[HOST_MAX_VMS];
	int nvms, dropped;
	struct pending *pend;
	size_t npend, cap;
	struct probe_status probe[HP__COUNT];
	char kernel[65];
	int kvm_device; /* host_snap's */
	bool in_guest;
	bool fault_btf;		 /* the fault program is the tp_btf one */
	uint32_t page_shift;	 /* the kernel's page size, 1 << page_shift */
	uint64_t chunks_deleted; /* chunk entries removed here (BPF counts insertions) */
	struct host_libvirt *lv; /* libvirt's statistics of its domains */
	/* refaults by PAGEMAP_SCAN (HOST_REFAULTS_SCAN) */
	enum host_refaults refaults;
	char scan_why[160];	  /* why the scan is not used, when it could be asked for */
	uint64_t scan_prev_ns;	  /* the previous sample's scan; 0: none yet */
	bool scan_prev_whole;	  /* it asked about every chunk */
	__u32 scan_token;	  /* where the walk of the chunk map goes on */
	bool scan_token_set;
	uint64_t unscanned, scan_errors;
	struct host_chunk_key *bkeys; /* SCAN_BATCH of each */
	struct host_chunk *bvals;
	struct host_region regions[SCAN_REGIONS];
};

/* ---- /proc ---- */

static ssize_t read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while ((size_t)got < len - 1 && (n = read(fd, buf + got, len - 1 - got)) > 0)
		got += n;
	close(fd);
	buf[got] = '\0';
	return got;
}

static const char *proc_root(const struct host *h)
{
	return h->o.proc ? h->o.proc : "/proc";
}

/*
 * What doctor --host tells about the machine itself: without /dev/kvm no
 * KVM guest runs, so kvm_page_fault cannot fire; with the hypervisor CPU
 * flag the machine is a VM, its VMs nested.
 */
static void machine_facts(struct host *h)
{
	const char *kvm = h->o.dev_kvm ? h->o.dev_kvm : "/dev/kvm";
	char path[256], line[4096];
	FILE *f;

	h->kvm_device = !access(kvm, F_OK) ? 1 : errno == ENOENT ? 0 : -1;
	snprintf(path, sizeof(path), "%s/cpuinfo", proc_root(h));
	f = fopen(path, "re");
	if (!f)
		return;
	while (!h->in_guest && fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5) && strstr(line, " hypervisor"))
			h->in_guest = true;
	fclose(f);
}

/* starttime (field 22) of /proc/PID/stat: tells a reused pid apart */
static bool start_ticks(const struct host *h, pid_t pid, uint64_t *out)
{
	char path[64], buf[1024], *p;
	int f;

	snprintf(path, sizeof(path), "%s/%d/stat", proc_root(h), pid);
	if (read_file(path, buf, sizeof(buf)) <= 0)
		return false;
	p = strrchr(buf, ')');
	if (!p)
		return false;
	for (f = 2; f < 22 && p; f++)
		p = strchr(p + 1, ' ');
	if (!p)
		return false;
	*out = strtoull(p + 1, NULL, 10);
	return true;
}

static void read_comm(const struct host *h, pid_t pid, char *out, size_t len)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "%s/%d/comm", proc_root(h), pid);
	out[0] = '\0';
	if (read_file(path, buf, sizeof(buf)) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		str_copy(out, len, buf);
	}
}

static void exe_base(const struct host *h, pid_t pid, char *out, size_t len)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;
	char *b;

	snprintf(path, sizeof(path), "%s/%d/exe", proc_root(h), pid);
	out[0] = '\0';
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	/* " (deleted)" after an upgrade of the binary under a running VM */
	b = strstr(buf, " (deleted)");
	if (b)
		*b = '\0';
	b = strrchr(buf, '/');
	str_copy(out, len, b ? b + 1 : buf);
}

/* the whole of a /proc file whose size stat() does not tell; NULL on failure */
static char *slurp(const char *path)
{
	size_t cap = 64 * 1024, len = 0;
	char *buf = malloc(cap), *nb;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || !buf)
		goto fail;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len - 1 == 0) {
			if (cap >= 64 << 20)
				break; /* enough: smaps of a sane process is far smaller */
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

/* guest RAM ranges, for BPF to tell guest discards from the VMM's own */
static void ram_refresh(struct host *h, struct host_vm *v)
{
	struct host_ram r = {0};
	uint32_t tgid = v->pid;
	char path[64], *text;

	snprintf(path, sizeof(path), "%s/%d/smaps", proc_root(h), v->pid);
	text = slurp(path);
	if (!text)
		return; /* keep what we had */
	v->ram_rule = host_parse_ram(text, &r, &v->ram_bytes);
	v->ram_ranges = r.n;
	r.rule = host_ram_rule(v->vmm, v->ram_rule);
	v->ram_by_vma = r.rule == HOST_RAM_BY_DONTFORK;
	v->hugetlb = strstr(text, "anon_hugepage") || strstr(text, "/hugepages") ||
		     strstr(text, "hugetlbfs");
	free(text);
	bpf_map_update_elem(bpf_map__fd(h->skel->maps.ram), &tgid, &r, BPF_ANY);
}

static void read_rss(const struct host *h, struct host_vm *v)
{
	char path[64], buf[4096];

	snprintf(path, sizeof(path), "%s/%d/status", proc_root(h), v->pid);
	v->rss_known = read_file(path, buf, sizeof(buf)) > 0 &&
		       host_parse_status(buf, &v->rss_kib, &v->rss_anon_kib, &v->rss_file_kib,
					 &v->rss_shmem_kib);
}

/* ---- watched VMs ---- */

static struct vm_state *vm_find(struct host *h, pid_t pid)
{
	int i;

	for (i = 0; i < h->nvms; i++)
		if (h->vms[i].v.pid == pid)
			return &h->vms[i];
	return NULL;
}

static void chunk_delete(struct host *h, int fd, const struct host_chunk_key *k)
{
	if (!bpf_map_delete_elem(fd, k))
		h->chunks_deleted++;
}

static void chunks_forget(struct host *h, uint32_t tgid)
{
	int fd = bpf_map__fd(h->skel->maps.chunks);
	struct host_chunk_key k, next, *prev = NULL;

	/* delete behind the cursor, so iteration never restarts */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		if (prev && prev->tgid == tgid)
			chunk_delete(h, fd, prev);
		k = next;
		prev = &k;
	}
	if (prev && prev->tgid == tgid)
		chunk_delete(h, fd, prev);
}

static void watch_bit(struct host *h, uint32_t tgid, bool on)
{
	__u64 *w, bit = 1ULL << (tgid % 64);

	if (tgid >= HOST_PID_LIMIT)
		return;
	w = &h->skel->bss->watch_bits[tgid / 64];
	if (on)
		__atomic_fetch_or(w, bit, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(w, ~bit, __ATOMIC_RELAXED);
}

static void vm_untrack(struct host *h, struct vm_state *vs)
{
	uint32_t tgid = vs->v.pid;

	watch_bit(h, tgid, false);
	bpf_map_delete_elem(bpf_map__fd(h->skel->maps.vms), &tgid);
	bpf_map_delete_elem(bpf_map__fd(h->skel->maps.ram), &tgid);
	chunks_forget(h, tgid);
	if (vs->pagemap_fd >= 0)
		close(vs->pagemap_fd);
	vs->pagemap_fd = -1;
}

static void vm_track(struct host *h, pid_t pid, uint64_t ticks, const char *kind, const char *comm)
{
	struct vm_state *vs;
	char path[64], cmd[8192];
	uint32_t tgid = pid;
	ssize_t n;

	if (h->nvms >= HOST_MAX_VMS) {
		h->dropped++;
		return;
	}
	memset(h->pcpu, 0, sizeof(*h->pcpu) * h->ncpus);
	if (bpf_map_update_elem(bpf_map__fd(h->skel->maps.vms), &tgid, h->pcpu, BPF_NOEXIST) &&
	    errno != EEXIST) {
		h->dropped++;
		return;
	}
	watch_bit(h, tgid, true);
	vs = &h->vms[h->nvms++];
	memset(vs, 0, sizeof(*vs));
	vs->v.pid = pid;
	vs->v.start_ticks = ticks;
	vs->v.alive = true;
	str_copy(vs->v.comm, sizeof(vs->v.comm), comm);
	str_copy(vs->v.vmm, sizeof(vs->v.vmm), kind ? kind : comm);
	vs->v.known_vmm = kind != NULL;
	snprintf(path, sizeof(path), "%s/%d/cmdline", proc_root(h), pid);
	n = read_file(path, cmd, sizeof(cmd));
	if (n > 0)
		host_vm_name(cmd, (size_t)n, vs->v.name, sizeof(vs->v.name));
	host_identity_read(&vs->v.id, proc_root(h), h->o.libvirt_run, pid, kind, cmd,
			   n > 0 ? (size_t)n : 0);
	/* Cloud Hypervisor has no name option: its API socket's name, if any */
	if (!vs->v.name[0] && vs->v.id.name[0] && strcmp(vs->v.id.manager, "kubevirt"))
		str_copy(vs->v.name, sizeof(vs->v.name), vs->v.id.name);
	if (!vs->v.name[0])
		str_copy(vs->v.name, sizeof(vs->v.name), comm);
	ram_refresh(h, &vs->v);
	snprintf(path, sizeof(path), "%s/%d/pagemap", proc_root(h), pid);
	vs->pagemap_fd = open(path, O_RDONLY | O_CLOEXEC);
}

/* a pid we watch that is gone or now another process */
static bool still_there(struct host *h, const struct vm_state *vs)
{
	uint64_t t;

	return start_ticks(h, vs->v.pid, &t) && t == vs->v.start_ticks;
}

static void consider(struct host *h, pid_t pid, bool given)
{
	char comm[16], exe[64];
	const char *kind;
	uint64_t ticks;

	if (vm_find(h, pid))
		return;
	/* every process is looked at each sample: the names first, stat only for a VMM */
	read_comm(h, pid, comm, sizeof(comm));
	exe_base(h, pid, exe, sizeof(exe));
	kind = host_vmm_kind(comm, exe);
	if ((kind || given) && start_ticks(h, pid, &ticks))
		vm_track(h, pid, ticks, kind, comm);
}

static void discover(struct host *h)
{
	struct dirent *d;
	DIR *dir;
	int i;

	if (h->o.npids) {
		for (i = 0; i < h->o.npids; i++)
			consider(h, h->o.pids[i], true);
		return;
	}
	dir = opendir(proc_root(h));
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		char *end;
		long pid = strtol(d->d_name, &end, 10);

		if (*end || pid <= 0 || end == d->d_name)
			continue;
		consider(h, (pid_t)pid, false);
	}
	closedir(dir);
}

/* drop the VMs shown as gone last time, mark the ones that went since */
static void reap(struct host *h)
{
	int i, j = 0;

	for (i = 0; i < h->nvms; i++) {
		struct vm_state *vs = &h->vms[i];

		if (vs->gone)
			continue;
		if (!still_there(h, vs)) {
			vm_untrack(h, vs);
			vs->gone = true;
			vs->v.alive = false;
			vs->v.rss_known = false;
		}
		if (j != i)
			h->vms[j] = *vs;
		j++;
	}
	h->nvms = j;
}

/* ---- refaults ---- */

static int on_event(void *ctx, void *data, size_t len)
{
	struct host *h = ctx;
	const struct host_event *e = data;

	if (len < sizeof(*e))
		return 0;
	if (h->npend == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 256;
		struct pending *p = realloc(h->pend, cap * sizeof(*p));

		if (!p)
			return 0; /* the chunk stays queued; a KVM-style rescan would find it */
		h->pend = p;
		h->cap = cap;
	}
	h->pend[h->npend].tgid = e->tgid;
	h->pend[h->npend].chunk = e->chunk;
	h->npend++;
	return 0;
}

static void queue_all_chunks(struct host *h, uint32_t tgid)
{
	int fd = bpf_map__fd(h->skel->maps.chunks);
	struct host_chunk_key k, *prev = NULL;
	struct host_event e = {.tgid = tgid};

	while (!bpf_map_get_next_key(fd, prev, &k)) {
		if (k.tgid == tgid) {
			e.chunk = k.chunk;
			on_event(h, &e, sizeof(e));
		}
		prev = &k;
	}
}

/*
 * Which of the chunk's discarded pages are back (host_chunk_back).
 * Returns false when the fault is too recent to judge (try again next
 * sample).
 */
static bool resolve(struct host *h, struct vm_state *vs, uint64_t chunk, uint64_t now)
{
	int fd = bpf_map__fd(h->skel->maps.chunks);
	struct host_chunk_key k = {.tgid = vs->v.pid, .chunk = chunk};
	uint32_t npages = host_chunk_pages(h->page_shift);
	uint64_t pm[HOST_CHUNK_PAGES], pages, left = 0, at, ms;
	size_t want = npages * sizeof(pm[0]);
	struct host_chunk c;
	int w;

	if (bpf_map_lookup_elem(fd, &k, &c))
		return true; /* forgotten already */
	if (c.fault_ns && now - c.fault_ns < RESOLVE_AFTER_NS)
		return false;
	if (vs->pagemap_fd < 0 ||
	    pread(vs->pagemap_fd, pm, want, (off_t)host_pagemap_off(chunk, h->page_shift)) !=
		(ssize_t)want) {
		vs->v.pagemap_errors++;
		return true;
	}
	pages = host_chunk_back(c.bits, pm, npages);
	for (w = 0; w < HOST_CHUNK_WORDS; w++)
		left |= c.bits[w];
	if (pages) {
		at = c.fault_ns ? c.fault_ns : now;
		ms = at > c.discard_ns ? (at - c.discard_ns) / 1000000 : 0;
		host_count_refault(&vs->v, pages, h->page_shift, ms);
	}
	/*
	 * A discard between our lookup and this write would be lost: the
	 * window is a few microseconds against reports seconds apart.
	 */
	if (!left) {
		chunk_delete(h, fd, &k);
	} else {
		c.queued = 0;
		c.fault_ns = 0;
		bpf_map_update_elem(fd, &k, &c, BPF_EXIST);
	}
	return true;
}

static void resolve_pending(struct host *h, uint64_t now)
{
	size_t i, keep = 0;

	for (i = 0; i < h->npend; i++) {
		struct vm_state *vs = vm_find(h, (pid_t)h->pend[i].tgid);

		if (!vs || vs->gone)
			continue;
		if (!resolve(h, vs, h->pend[i].chunk, now))
			h->pend[keep++] = h->pend[i];
	}
	h->npend = keep;
}

/*
 * Refaults by PAGEMAP_SCAN: at each sample, every armed chunk of a watched
 * VMM is asked which of its pages are present (and not the shared zero
 * page, which a read of discarded memory maps at no cost to the host).
 * The discarded ones among them are refaults; their fault came after the
 * previous scan.  One ioctl per chunk, a walk of its page table under the
 * VMM's mmap lock for reading.
 */
static int scan_present(int fd, uint64_t start, uint64_t end, struct host_region *r, size_t cap,
			size_t *n)
{
	struct host_scan_arg a = {
	    .size = sizeof(a),
	    .category_mask = HOST_PAGE_IS_PRESENT | HOST_PAGE_IS_PFNZERO,
	    .category_inverted = HOST_PAGE_IS_PFNZERO,
	};
	long got;

	*n = 0;
	/* the answer holds at most every other page of a chunk: one call */
	a.start = start;
	a.end = end;
	a.vec = (uintptr_t)r;
	a.vec_len = cap;
	got = ioctl(fd, HOST_PAGEMAP_SCAN, &a);
	if (got < 0)
		return -errno;
	*n = (size_t)got;
	return 0;
}

static void scan_chunk(struct host *h, const struct host_chunk_key *k, struct host_chunk *c,
		       uint64_t now)
{
	int fd = bpf_map__fd(h->skel->maps.chunks);
	uint64_t start = k->chunk << HOST_CHUNK_SHIFT, back, ms;
	struct vm_state *vs = vm_find(h, (pid_t)k->tgid);
	struct host_chunk fresh;
	size_t n;
	__u64 left = 0;
	int w;

	if (!vs || vs->gone)
		return; /* its chunks go with it (vm_untrack) */
	if (vs->pagemap_fd < 0 ||
	    scan_present(vs->pagemap_fd, start, start + (1ULL << HOST_CHUNK_SHIFT), h->regions,
			 SCAN_REGIONS, &n)) {
		vs->v.pagemap_errors++;
		return;
	}
	back = host_chunk_back_regions(c->bits, k->chunk, h->regions, n, h->page_shift);
	if (!back)
		return;
	/*
	 * A discard into the chunk since the batch was read changed its
	 * time: leave it to the next sample rather than write its marks away
	 */
	if (bpf_map_lookup_elem(fd, k, &fresh) || fresh.discard_ns != c->discard_ns)
		return;
	ms = host_scan_age_ms(c->discard_ns, h->scan_prev_whole ? h->scan_prev_ns : 0, now);
	host_count_refault(&vs->v, back, h->page_shift, ms);
	for (w = 0; w < HOST_CHUNK_WORDS; w++)
		left |= c->bits[w];
	if (!left)
		chunk_delete(h, fd, k);
	else
		bpf_map_update_elem(fd, k, c, BPF_EXIST);
}

/*
 * Every armed chunk, at most HOST_SCAN_CHUNKS a sample: the walk of the map
 * goes on where the last sample left it, so each chunk is asked in turn.
 */
static void scan_refaults(struct host *h, uint64_t now)
{
	int fd = bpf_map__fd(h->skel->maps.chunks);
	uint64_t total = h->skel->bss->chunks_inserted - h->chunks_deleted, seen = 0;
	bool wrapped = !h->scan_token_set, capped = false;
	__u32 out, i, n;
	int err;

	while (seen < total) {
		n = SCAN_BATCH;
		if (seen + n > HOST_SCAN_CHUNKS)
			n = HOST_SCAN_CHUNKS - (__u32)seen;
		if (!n) {
			capped = true;
			break;
		}
		err = bpf_map_lookup_batch(fd, h->scan_token_set ? &h->scan_token : NULL, &out,
					   h->bkeys, h->bvals, &n, NULL);
		if (err && errno == ENOSPC) {
			/* a bucket holds more than n: the next sample goes on here */
			capped = true;
			break;
		}
		if (err && errno != ENOENT) {
			h->scan_errors++;
			h->scan_token_set = false;
			capped = true;
			break;
		}
		for (i = 0; i < n; i++)
			scan_chunk(h, &h->bkeys[i], &h->bvals[i], now);
		seen += n;
		if (!err) {
			h->scan_token = out;
			h->scan_token_set = true;
			continue;
		}
		/* the end of the map: from its start again, once */
		h->scan_token_set = false;
		if (wrapped)
			break;
		wrapped = true;
	}
	h->unscanned = capped && total > seen ? total - seen : 0;
	h->scan_prev_whole = !h->unscanned && !capped;
	h->scan_prev_ns = now;
}

/* ---- counters ---- */

static void read_stats(struct host *h, struct vm_state *vs)
{
	uint32_t tgid = vs->v.pid;
	struct host_vm_stats sum = {0};
	uint64_t *d = (uint64_t *)&sum;
	size_t words = sizeof(sum) / sizeof(uint64_t), i;
	int cpu;

	if (bpf_map_lookup_elem(bpf_map__fd(h->skel->maps.vms), &tgid, h->pcpu))
		return; /* keep the last values */
	for (cpu = 0; cpu < h->ncpus; cpu++) {
		const uint64_t *s = (const uint64_t *)&h->pcpu[cpu];

		for (i = 0; i < words; i++)
			d[i] += s[i];
	}
	vs->v.st = sum;
}

int host_sample(struct host *h, struct host_snap *s)
{
	uint64_t now;
	int i;

	reap(h);
	discover(h);
	if (h->refaults == HOST_REFAULTS_FAULTS)
		ring_buffer__consume(h->rb);
	for (i = 0; i < h->nvms; i++) {
		struct vm_state *vs = &h->vms[i];

		if (vs->gone)
			continue;
		read_stats(h, vs);
		/*
		 * RAM blocks come and go (hotplug, virtio-mem): look again now
		 * and then, and on every sample until the VMM has mapped some
		 */
		if (++vs->samples % RAM_REFRESH_SAMPLES == 0 || !vs->v.ram_ranges)
			ram_refresh(h, &vs->v);
		if (h->refaults == HOST_REFAULTS_FAULTS && vs->v.st.kvm_faults != vs->kvm_seen) {
			vs->kvm_seen = vs->v.st.kvm_faults;
			queue_all_chunks(h, vs->v.pid);
		}
	}
	now = now_ns();
	if (h->refaults == HOST_REFAULTS_FAULTS)
		resolve_pending(h, now);
	else if (h->refaults == HOST_REFAULTS_SCAN)
		scan_refaults(h, now);
	memset(s, 0, sizeof(*s));
	s->mono_ns = now;
	s->wall_s = time(NULL);
	str_copy(s->kernel, sizeof(s->kernel), h->kernel);
	s->kvm_device = h->kvm_device;
	s->in_guest = h->in_guest;
	for (i = 0; i < h->nvms; i++) {
		if (!h->vms[i].gone) {
			read_rss(h, &h->vms[i].v);
			host_libvirt_stats(h->lv, &h->vms[i].v, now);
		}
		s->vm[s->nvms++] = h->vms[i].v;
	}
	memcpy(s->probe, h->probe, sizeof(s->probe));
	s->events_lost = h->skel->bss->events_lost;
	s->chunks_tracked = h->skel->bss->chunks_inserted - h->chunks_deleted;
	s->discovering = !h->o.npids;
	s->vms_dropped = h->dropped;
	s->refaults = h->refaults;
	s->chunks_unscanned = h->unscanned;
	s->scan_errors = h->scan_errors;
	return 0;
}

/* ---- attaching ---- */

static bool tp_exists(const char *cat, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "/sys/kernel/tracing/events/%s/%s", cat, name);
	if (!access(path, F_OK))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s", cat, name);
	return !access(path, F_OK);
}

static int attach_one(struct host *h, struct bpf_program *p)
{
	struct bpf_link *l = bpf_program__attach(p);

	if (!l)
		return -errno;
	h->links[h->nlinks++] = l;
	return 0;
}

static void host_set_probe(struct host *h, enum host_probe id, int err, const char *detail,
			   const char *why, const char *hint)
{
	struct probe_status *ps = &h->probe[id];

	memset(ps, 0, sizeof(*ps));
	ps->attached = !err;
	ps->mode = err ? MODE_NONE : (id == HP_PAGEMAP ? MODE_PROCFS : MODE_TRACEPOINT);
	str_copy(ps->detail, sizeof(ps->detail), detail);
	if (err) {
		if (why)
			str_copy(ps->reason, sizeof(ps->reason), why);
		else
			snprintf(ps->reason, sizeof(ps->reason), "attaching %s failed: %s", detail,
				 strerror(-err));
		str_copy(ps->hint, sizeof(ps->hint),
			 hint ? hint : "run prtop host -v for libbpf's view");
	}
}

/* a syscall pair: both or neither, so every discard is matched with its result */
static void attach_pair(struct host *h, enum host_probe id, struct bpf_program *enter,
			struct bpf_program *exit, const char *sys, const char *detail)
{
	char en[64], ex[64];
	int n0 = h->nlinks, err;

	snprintf(en, sizeof(en), "sys_enter_%s", sys);
	snprintf(ex, sizeof(ex), "sys_exit_%s", sys);
	if (!tp_exists("syscalls", en) || !tp_exists("syscalls", ex)) {
		host_set_probe(h, id, -ENOENT, detail,
			       "this kernel has no syscalls tracepoints (CONFIG_FTRACE_SYSCALLS)",
			       "a kernel built with CONFIG_FTRACE_SYSCALLS=y");
		return;
	}
	err = attach_one(h, enter);
	if (!err)
		err = attach_one(h, exit);
	if (err)
		while (h->nlinks > n0)
			bpf_link__destroy(h->links[--h->nlinks]);
	host_set_probe(h, id, err, detail, NULL, NULL);
}

/*
 * The scan finds refaults at each sample: no page fault of any process is
 * traced, so the fault probes are left out on purpose (not loaded at all)
 */
static void attach_scan(struct host *h)
{
	static const char why[] =
	    "not needed: PAGEMAP_SCAN finds refaults at each sample, so no process's "
	    "page faults are traced";
	static const char hint[] = "PRTOP_HOST_REFAULTS=faults traces faults instead (ages to "
				   "the fault, at a cost to every process's faults)";

	host_set_probe(h, HP_FAULT, -ENOENT, "page_fault_user", why, hint);
	host_set_probe(h, HP_KVM_FAULT, -ENOENT, "kvm_page_fault", why, hint);
	host_set_probe(h, HP_PAGEMAP, 0, "ioctl PAGEMAP_SCAN on /proc/PID/pagemap, each sample",
		       NULL, NULL);
	h->probe[HP_PAGEMAP].mode = MODE_SCAN;
	str_copy(h->probe[HP_PAGEMAP].reason, sizeof(h->probe[HP_PAGEMAP].reason),
		 "refault ages are known to the sampling interval: a page found back "
		 "faulted since the sample before");
}

static void host_attach_all(struct host *h)
{
	struct host_bpf *sk = h->skel;
	int err;

	attach_pair(h, HP_MADVISE, sk->progs.host_madvise_enter, sk->progs.host_madvise_exit,
		    "madvise", "tracepoint:syscalls:sys_{enter,exit}_madvise");
	attach_pair(h, HP_FALLOCATE, sk->progs.host_fallocate_enter, sk->progs.host_fallocate_exit,
		    "fallocate", "tracepoint:syscalls:sys_{enter,exit}_fallocate");
	if (h->o.no_refaults) {
		host_set_probe(h, HP_FAULT, -ENOENT, "page_fault_user",
			       "not asked for (--no-refaults)",
			       "leave out --no-refaults to see refaults");
		host_set_probe(h, HP_KVM_FAULT, -ENOENT, "kvm_page_fault",
			       "not asked for (--no-refaults)",
			       "leave out --no-refaults to see refaults");
		host_set_probe(h, HP_PAGEMAP, -ENOENT, "/proc/PID/pagemap",
			       "not asked for (--no-refaults)",
			       "leave out --no-refaults to see refaults");
		return;
	}
	if (h->refaults == HOST_REFAULTS_SCAN) {
		attach_scan(h);
		return;
	}
	if (h->fault_btf)
		host_set_probe(h, HP_FAULT, attach_one(h, sk->progs.host_fault_btf),
			       "tp_btf:page_fault_user", NULL, NULL);
	else if (!tp_exists("exceptions", "page_fault_user"))
		host_set_probe(h, HP_FAULT, -ENOENT, "tracepoint:exceptions:page_fault_user",
			       "no exceptions:page_fault_user tracepoint on this kernel (x86 only)",
			       "refaults are still found for KVM guests through kvm_page_fault");
	else
		host_set_probe(h, HP_FAULT, attach_one(h, sk->progs.host_fault),
			       "tracepoint:exceptions:page_fault_user", NULL, NULL);
	if (!tp_exists("kvm", "kvm_page_fault")) {
		host_set_probe(
		    h, HP_KVM_FAULT, -ENOENT, "tracepoint:kvm:kvm_page_fault",
		    "the kvm module is not loaded: no KVM guests run here",
		    "load kvm (modprobe kvm_intel or kvm_amd) to watch KVM guests' refaults");
	} else {
		err = attach_one(h, sk->progs.host_kvm_fault);
		host_set_probe(h, HP_KVM_FAULT, err, "tracepoint:kvm:kvm_page_fault", NULL, NULL);
	}
	if (!h->probe[HP_FAULT].attached && !h->probe[HP_KVM_FAULT].attached)
		host_set_probe(h, HP_PAGEMAP, -ENOENT, "/proc/PID/pagemap",
			       "no fault tracepoint attached: refaults cannot be told",
			       "see the page_fault_user and kvm_page_fault probes");
	else
		host_set_probe(h, HP_PAGEMAP, 0, "/proc/PID/pagemap on a fault", NULL, NULL);
	/* attached, and why not the scan: doctor shows it as a note */
	if (h->probe[HP_PAGEMAP].attached && h->scan_why[0])
		str_copy(h->probe[HP_PAGEMAP].reason, sizeof(h->probe[HP_PAGEMAP].reason),
			 h->scan_why);
}

/*
 * Does this kernel answer PAGEMAP_SCAN as prtop asks it?  Asked of our own
 * pagemap about a page of our own: 0, or the errno (ENOTTY: before 6.7;
 * EINVAL: a category or the struct size it does not know).
 */
static int scan_works(void)
{
	static char page[1 << 16] __attribute__((aligned(1 << 16)));
	struct host_region r[2] = {0};
	size_t n;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), err;

	if (fd < 0)
		return errno;
	*(volatile char *)page = 1;
	err = -scan_present(fd, (uintptr_t)page, (uintptr_t)page + 4096, r, 2, &n);
	close(fd);
	if (!err && n != 1)
		err = EIO; /* a page just written is not present: do not trust it */
	return err;
}

/* how refaults are found: PRTOP_HOST_REFAULTS, else the scan where it works */
static int refaults_choose(struct host *h, char *err, size_t len)
{
	const char *want = h->o.refaults ? h->o.refaults : "auto";
	int e;

	if (h->o.no_refaults) {
		h->refaults = HOST_REFAULTS_NONE;
		return 0;
	}
	if (strcmp(want, "auto") && strcmp(want, "scan") && strcmp(want, "faults")) {
		snprintf(err, len, "PRTOP_HOST_REFAULTS='%s': give scan, faults or auto", want);
		return -1;
	}
	if (!strcmp(want, "faults")) {
		h->refaults = HOST_REFAULTS_FAULTS;
		snprintf(h->scan_why, sizeof(h->scan_why),
			 "faults are traced, not scanned: PRTOP_HOST_REFAULTS=faults");
		return 0;
	}
	e = scan_works();
	if (!e) {
		h->refaults = HOST_REFAULTS_SCAN;
		return 0;
	}
	if (!strcmp(want, "scan")) {
		snprintf(err, len, "PRTOP_HOST_REFAULTS=scan, but PAGEMAP_SCAN failed: %s%s",
			 strerror(e), e == ENOTTY ? " (it needs Linux 6.7 or later)" : "");
		return -1;
	}
	h->refaults = HOST_REFAULTS_FAULTS;
	snprintf(h->scan_why, sizeof(h->scan_why),
		 "faults are traced: PAGEMAP_SCAN on /proc/PID/pagemap failed here (%s%s)",
		 strerror(e), e == ENOTTY ? ": it needs Linux 6.7 or later" : "");
	return 0;
}

static int preflight(char *err, size_t len)
{
	if (geteuid() != 0) {
		snprintf(err, len,
			 "needs root to load BPF programs and read other processes' pagemap: "
			 "run it with sudo");
		return -1;
	}
	if (access("/sys/kernel/btf/vmlinux", R_OK)) {
		snprintf(err, len,
			 "/sys/kernel/btf/vmlinux missing: this kernel has no BTF "
			 "(CONFIG_DEBUG_INFO_BTF); prtop needs it");
		return -1;
	}
	return 0;
}

/*
 * Open and load, the BTF tracepoint for faults first (cheaper on every
 * fault of every process); a kernel without it gets the classic one.
 * 0 or the errno of the last try.
 */
static int host_load(struct host *h)
{
	int pass, err = 0;

	bool faults = h->refaults == HOST_REFAULTS_FAULTS;

	for (pass = 0; pass < 2; pass++) {
		h->skel = host_bpf__open();
		if (!h->skel)
			return errno ? errno : ENOMEM;
		h->skel->rodata->page_shift = h->page_shift;
		bpf_program__set_autoload(h->skel->progs.host_fault_btf, faults && pass == 0);
		bpf_program__set_autoload(h->skel->progs.host_fault, faults && pass == 1);
		bpf_program__set_autoload(h->skel->progs.host_kvm_fault, faults);
		err = host_bpf__load(h->skel);
		if (!err) {
			h->fault_btf = pass == 0;
			return 0;
		}
		host_bpf__destroy(h->skel);
		h->skel = NULL;
	}
	return -err;
}

int host_open(struct host **out, const struct host_opts *o, char *err, size_t errlen)
{
	struct utsname u;
	struct host *h;
	long ps;
	int e, i;

	*out = NULL;
	if (preflight(err, errlen))
		return -1;
	for (i = 0; i < o->npids; i++) {
		char path[64];

		snprintf(path, sizeof(path), "%s/%d", o->proc ? o->proc : "/proc", o->pids[i]);
		if (access(path, F_OK)) {
			snprintf(err, errlen, "no process %d (--pid): is the VM running?",
				 o->pids[i]);
			return -1;
		}
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		goto nomem;
	h->o = *o;
	ps = sysconf(_SC_PAGESIZE);
	h->page_shift = ps > 0 ? (uint32_t)__builtin_ctzl((unsigned long)ps) : 12;
	h->ncpus = libbpf_num_possible_cpus();
	if (h->ncpus <= 0) {
		snprintf(err, errlen, "cannot tell the number of possible CPUs: %s",
			 strerror(-h->ncpus));
		free(h);
		return -1;
	}
	h->pcpu = calloc(h->ncpus, sizeof(*h->pcpu));
	if (!h->pcpu)
		goto nomem;
	if (!uname(&u))
		str_copy(h->kernel, sizeof(h->kernel), u.release);
	machine_facts(h);
	if (refaults_choose(h, err, errlen)) {
		host_close(h);
		return -1;
	}
	if (h->refaults == HOST_REFAULTS_SCAN) {
		h->bkeys = calloc(SCAN_BATCH, sizeof(*h->bkeys));
		h->bvals = calloc(SCAN_BATCH, sizeof(*h->bvals));
		if (!h->bkeys || !h->bvals) {
			host_close(h);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	attach_init_logging(o->verbose);
	e = host_load(h);
	if (e) {
		snprintf(err, errlen, "cannot load the host BPF programs: %s%s", strerror(e),
			 e == EINVAL
			     ? " (needs a kernel >= 5.17 for bpf_loop; -v shows libbpf's log)"
			     : " (-v shows libbpf's log)");
		host_close(h);
		return -1;
	}
	h->rb = ring_buffer__new(bpf_map__fd(h->skel->maps.events), on_event, h, NULL);
	if (!h->rb) {
		snprintf(err, errlen, "cannot open the refault ring buffer: %s", strerror(errno));
		host_close(h);
		return -1;
	}
	host_attach_all(h);
	if (!h->probe[HP_MADVISE].attached && !h->probe[HP_FALLOCATE].attached) {
		snprintf(err, errlen, "cannot observe discards: %s", h->probe[HP_MADVISE].reason);
		host_close(h);
		return -1;
	}
	h->lv = host_libvirt_new();
	*out = h;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	if (h)
		free(h->pcpu);
	free(h);
	return -1;
}

int host_drop_caps(struct host *h, char *kept, size_t len)
{
	return privs_drop(bpf_map__fd(h->skel->maps.vms), PRIVS_PTRACE, kept, len);
}

void host_close(struct host *h)
{
	int i;

	if (!h)
		return;
	while (h->nlinks > 0)
		bpf_link__destroy(h->links[--h->nlinks]);
	for (i = 0; i < h->nvms; i++)
		if (h->vms[i].pagemap_fd >= 0 && !h->vms[i].gone)
			close(h->vms[i].pagemap_fd);
	ring_buffer__free(h->rb);
	host_bpf__destroy(h->skel);
	free(h->pend);
	free(h->bkeys);
	free(h->bvals);
	free(h->pcpu);
	host_libvirt_free(h->lv);
	free(h);
}
