// SPDX-License-Identifier: GPL-2.0
/*
 * prtop host: what VMM processes give back to the host kernel and take
 * back.  Only processes the loader put in `vms` are looked at; for every
 * other process each program is one hash lookup and a return.
 *
 * A successful discard (madvise DONTNEED/REMOVE/FREE, fallocate punch
 * hole) is counted by method and size; madvise discards also mark their
 * 4 KiB pages in `chunks` (per 2 MiB chunk of the VMM's address space).
 * At each sample the loader asks the kernel which of their pages are
 * present (PAGEMAP_SCAN): no fault program is loaded.  Where that ioctl is
 * missing, the first user page fault into such a chunk sends one event;
 * the loader then reads /proc/PID/pagemap for the chunk to see which
 * discarded pages came back (a fault may map one page or a whole 2 MiB
 * THP) and re-arms it.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "host.h"

char LICENSE[] SEC("license") = "GPL";

#define MADV_FREE_		8
#define MADV_REMOVE_		9
#define MADV_DONTNEED_		4
#define MADV_DONTNEED_LOCKED_	24
#define FALLOC_FL_PUNCH_HOLE_	0x02
#define VM_DONTCOPY_		0x00020000 /* MADV_DONTFORK; the same bit since 2.6 */

/* chunks marked per discard call at most (bpf_loop's bound): 64 GiB */
#define MAX_CHUNKS_PER_CALL	32768

/* the VMM processes watched, by tgid (the filter and the counters) */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct host_vm_stats);
} vms SEC(".maps");

/* 2 MiB chunks with discarded pages: 256 Ki chunks track 512 GiB */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256 * 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct host_chunk_key);
	__type(value, struct host_chunk);
} chunks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* guest RAM ranges per VMM (the loader keeps them current) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct host_ram);
} ram SEC(".maps");

struct discard_call {
	__u64 start; /* madvise: address; fallocate: file offset */
	__u64 len;
	__u32 method;
	__u32 is_madvise;
	__u32 fd; /* fallocate's */
	__u32 pad;
};

/* discard syscalls between enter and exit, by thread */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct discard_call);
} inflight SEC(".maps");

/*
 * A punched hole, by what it is: the process, the file (its inode) and the
 * byte range in it.  QEMU punches a hole in a shared memfd and then unmaps
 * the same range of its mapping with MADV_DONTNEED; that madvise, found
 * through its VMA to be the same file range, is the hole's zap and is not
 * counted again, however long after the punch it comes.  A hole whose zap
 * never comes (a VMM that does not unmap) is dropped when the map is full,
 * least recently used first.
 */
struct punch_key {
	__u32 tgid;
	__u32 pad;
	__u64 inode; /* struct inode *: the file, not the descriptor */
	__u64 off;   /* byte offset of the hole in the file */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct punch_key);
	__type(value, __u64); /* the hole's length */
} punched SEC(".maps");

/*
 * The length of the last hole each thread punched.  When the mapping cannot
 * be looked up (bpf_find_vma gives up when the mm lock is contended) or the
 * hole was not remembered, a madvise(DONTNEED) of a file mapping by the same
 * thread with the same length is taken for its zap: QEMU issues the two back
 * to back on one thread.  Used once.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} last_punch SEC(".maps");

/* the kernel's page size as a shift (the loader sets it): madvise rounds to it */
const volatile __u32 page_shift = 12;

__u64 events_lost;
__u64 chunks_inserted; /* the loader subtracts what it deletes: chunks tracked */
/*
 * The watched tgids as a bitmap the loader writes through the mmap'ed
 * .bss: every fault and discard of every process is tested here, and a
 * bit test is far cheaper than the hash lookup only watched ones reach.
 */
__u64 watch_bits[HOST_PID_LIMIT / 64];

static __always_inline struct host_vm_stats *watched(__u32 *tgid)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 t = id >> 32;

	*tgid = t;
	if (t >= HOST_PID_LIMIT)
		return NULL;
	/* keep the bounded t: derived from id again, the index is unbounded */
	barrier_var(t);
	if (!(watch_bits[t / 64] & (1ULL << (t % 64))))
		return NULL;
	return bpf_map_lookup_elem(&vms, tgid);
}

/* slot i: sizes above 2^(11+i) up to 2^(12+i) bytes (Prometheus' le) */
static __always_inline __u32 size_slot(__u64 len)
{
	__u64 x = len ? (len - 1) >> 12 : 0;
	__u32 s = 0;

	/* s = bit length of x */
	if (x >= 1ULL << 32) { x >>= 32; s += 32; }
	if (x >= 1ULL << 16) { x >>= 16; s += 16; }
	if (x >= 1ULL << 8) { x >>= 8; s += 8; }
	if (x >= 1ULL << 4) { x >>= 4; s += 4; }
	if (x >= 1ULL << 2) { x >>= 2; s += 2; }
	if (x >= 1ULL << 1) { x >>= 1; s += 1; }
	s += x;
	return s < HOST_SIZE_SLOTS ? s : HOST_SIZE_SLOTS - 1;
}

static __always_inline void stash(__u32 method, __u64 start, __u64 len, __u32 is_madvise,
				  __u32 fd)
{
	struct discard_call c = {.start = start, .len = len, .method = method,
				 .is_madvise = is_madvise, .fd = fd};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&inflight, &tid, &c, BPF_ANY);
}

SEC("tracepoint/syscalls/sys_enter_madvise")
int host_madvise_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid, method;
	long behavior = ctx->args[2];

	if (!watched(&tgid))
		return 0;
	switch (behavior) {
	case MADV_DONTNEED_:
	case MADV_DONTNEED_LOCKED_:
		method = HOST_M_DONTNEED;
		break;
	case MADV_REMOVE_:
		method = HOST_M_REMOVE;
		break;
	case MADV_FREE_:
		method = HOST_M_FREE;
		break;
	default:
		return 0;
	}
	stash(method, ctx->args[0], ctx->args[1], 1, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_fallocate")
int host_fallocate_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tgid;

	if (!watched(&tgid) || !(ctx->args[1] & FALLOC_FL_PUNCH_HOLE_))
		return 0;
	stash(HOST_M_PUNCH, ctx->args[2], ctx->args[3], 0, ctx->args[0]);
	return 0;
}

struct mark_ctx {
	__u32 tgid;
	__u64 start, end; /* byte range, page aligned */
	__u64 now;
	__u64 untracked;
};

/* set bits [lo, hi) of a chunk's page map (a bit per page) */
static __always_inline void set_bits(struct host_chunk *c, __u32 lo, __u32 hi)
{
	for (int w = 0; w < HOST_CHUNK_WORDS; w++) {
		__u32 wlo = w * 64, whi = wlo + 64;
		__u32 a = lo > wlo ? lo : wlo, b = hi < whi ? hi : whi;
		__u64 m;

		if (a >= b)
			continue;
		m = b - a == 64 ? ~0ULL : ((1ULL << (b - a)) - 1) << (a - wlo);
		c->bits[w] |= m;
	}
}

static long mark_chunk(__u64 i, void *data)
{
	struct mark_ctx *m = data;
	struct host_chunk_key k = {.tgid = m->tgid};
	struct host_chunk zero = {}, *c;
	__u64 cstart, lo, hi;

	k.chunk = (m->start >> HOST_CHUNK_SHIFT) + i;
	cstart = k.chunk << HOST_CHUNK_SHIFT;
	if (cstart >= m->end)
		return 1;
	c = bpf_map_lookup_elem(&chunks, &k);
	if (!c) {
		if (!bpf_map_update_elem(&chunks, &k, &zero, BPF_NOEXIST))
			__sync_fetch_and_add(&chunks_inserted, 1);
		c = bpf_map_lookup_elem(&chunks, &k);
		if (!c) {
			m->untracked++;
			return 0;
		}
	}
	lo = m->start > cstart ? m->start - cstart : 0;
	hi = m->end - cstart;
	if (hi > 1ULL << HOST_CHUNK_SHIFT)
		hi = 1ULL << HOST_CHUNK_SHIFT;
	set_bits(c, lo >> page_shift, hi >> page_shift);
	c->discard_ns = m->now;
	c->fault_ns = 0;
	return 0;
}

/* the inode behind the current process's descriptor fd; 0 if unknown */
static __always_inline __u64 fd_inode(__u32 fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = BPF_CORE_READ(t, files, fdt);
	struct file **fds, *f = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	return (__u64)BPF_CORE_READ(f, f_inode);
}

/* what the VMA under a madvise address says */
struct vma_info {
	__u64 addr;  /* in: the madvise address */
	__u64 inode; /* out: the file mapped there, 0 if anonymous */
	__u64 off;   /* out: addr's byte offset in that file */
	__u64 flags; /* out: vm_flags */
};

static long vma_info_cb(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_info *v = data;
	struct file *f = BPF_CORE_READ(vma, vm_file);

	v->flags = BPF_CORE_READ(vma, vm_flags);
	if (!f)
		return 0;
	v->inode = (__u64)BPF_CORE_READ(f, f_inode);
	v->off = (BPF_CORE_READ(vma, vm_pgoff) << page_shift) + (v->addr - BPF_CORE_READ(vma, vm_start));
	return 0;
}

/*
 * Does [start, end) touch guest RAM?  vma is the VMA at start, or NULL when
 * it could not be looked up (bpf_find_vma gives up on a contended mm lock).
 * Unknown RAM: yes.
 */
static __always_inline bool in_ram(__u32 tgid, const struct vma_info *vma, __u64 start,
				   __u64 end)
{
	struct host_ram *r = bpf_map_lookup_elem(&ram, &tgid);

	if (r && r->rule == HOST_RAM_BY_DONTFORK && vma)
		return vma->flags & VM_DONTCOPY_;
	if (!r || !r->n)
		return true;
	for (int i = 0; i < HOST_RAM_RANGES; i++) {
		if (i >= r->n)
			break;
		if (start < r->end[i] && end > r->start[i])
			return true;
	}
	return false;
}

/* a madvise(DONTNEED) of exactly a hole this process punched: its zap */
static __always_inline bool is_zap(__u32 tgid, __u32 tid, const struct vma_info *vma, __u64 len)
{
	struct punch_key k = {.tgid = tgid};
	__u64 *hole, *last;

	if (vma && !vma->inode)
		return false; /* anonymous memory: no hole there */
	if (vma) {
		k.inode = vma->inode;
		k.off = vma->off;
		hole = bpf_map_lookup_elem(&punched, &k);
		if (hole && *hole == len) {
			bpf_map_delete_elem(&punched, &k);
			bpf_map_delete_elem(&last_punch, &tid);
			return true;
		}
	}
	last = bpf_map_lookup_elem(&last_punch, &tid);
	if (!last || *last != len)
		return false;
	bpf_map_delete_elem(&last_punch, &tid);
	return true;
}

static __always_inline int discard_exit(long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid(), tgid;
	struct host_vm_stats *st;
	struct discard_call *c;
	struct mark_ctx m = {};
	struct vma_info vi = {}, *vma = NULL;
	__u64 len, nchunks, now;
	bool zap = false;
	__u64 pg = 1ULL << page_shift;

	c = bpf_map_lookup_elem(&inflight, &tid);
	if (!c)
		return 0;
	st = watched(&tgid);
	if (!st)
		goto out;
	st->seen++;
	if (ret) {
		st->failed++;
		goto out;
	}
	/* madvise rounds the length up to pages; fallocate takes bytes */
	len = c->is_madvise ? host_page_round(c->len, page_shift) : c->len;
	if (c->is_madvise) {
		vi.addr = c->start;
		if (!bpf_find_vma(bpf_get_current_task_btf(), c->start, vma_info_cb, &vi, 0))
			vma = &vi;
	}
	/* a file offset is no address: punched holes count as guest RAM */
	if (c->is_madvise && !in_ram(tgid, vma, c->start, c->start + len)) {
		st->other_bytes += len;
		st->other_calls++;
		goto out;
	}
	now = bpf_ktime_get_ns();
	if (!c->is_madvise) {
		struct punch_key k = {.tgid = tgid, .inode = fd_inode(c->fd), .off = c->start};

		if (k.inode)
			bpf_map_update_elem(&punched, &k, &len, BPF_ANY);
		bpf_map_update_elem(&last_punch, &tid, &len, BPF_ANY);
	} else if (c->method == HOST_M_DONTNEED) {
		zap = is_zap(tgid, tid, vma, len);
	}
	if (zap) {
		st->zap_bytes += len;
		st->zap_calls++;
	} else {
		if (c->method < HOST_M__COUNT) {
			st->bytes[c->method] += len;
			st->calls[c->method]++;
		}
		st->size_hist[size_slot(len)]++;
	}
	/*
	 * A punched hole's zap gives its address: its refaults are tracked
	 * too.  MADV_FREE leaves its pages mapped until the kernel needs them:
	 * present is no refault there, so it is not followed
	 */
	if (!c->is_madvise || !len || c->method == HOST_M_FREE)
		goto out;
	m.tgid = tgid;
	m.start = c->start & ~(pg - 1);
	m.end = m.start + len;
	m.now = now;
	nchunks = ((m.end - 1) >> HOST_CHUNK_SHIFT) - (m.start >> HOST_CHUNK_SHIFT) + 1;
	if (nchunks > MAX_CHUNKS_PER_CALL) {
		m.untracked += nchunks - MAX_CHUNKS_PER_CALL;
		nchunks = MAX_CHUNKS_PER_CALL;
	}
	bpf_loop(nchunks, mark_chunk, &m, 0);
	st->chunks_untracked += m.untracked;
out:
	bpf_map_delete_elem(&inflight, &tid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_madvise")
int host_madvise_exit(struct trace_event_raw_sys_exit *ctx)
{
	return discard_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_fallocate")
int host_fallocate_exit(struct trace_event_raw_sys_exit *ctx)
{
	return discard_exit(ctx->ret);
}

/*
 * exceptions:page_fault_user; its raw struct is named differently across
 * kernels (x86_exceptions before 6.x, exceptions after), the layout not
 */
struct pf_user_ctx {
	struct trace_entry ent;
	unsigned long address;
	unsigned long ip;
	unsigned long error_code;
};

/* a fault at address by a watched process: one event per armed chunk */
static __always_inline int on_fault(unsigned long address)
{
	struct host_chunk_key k = {};
	struct host_vm_stats *st;
	struct host_event *e;
	struct host_chunk *c;

	st = watched(&k.tgid);
	if (!st)
		return 0;
	k.chunk = address >> HOST_CHUNK_SHIFT;
	c = bpf_map_lookup_elem(&chunks, &k);
	if (!c || c->queued)
		return 0;
	c->queued = 1;
	c->fault_ns = bpf_ktime_get_ns();
	st->refault_events++;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&events_lost, 1);
		return 0;
	}
	e->tgid = k.tgid;
	e->pad = 0;
	e->chunk = k.chunk;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

/*
 * Every user page fault of every process passes here, so the cheap way
 * comes first: a BTF tracepoint hands over the arguments without the
 * trace record a classic tracepoint program is given.
 */
SEC("tp_btf/page_fault_user")
int BPF_PROG(host_fault_btf, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	return on_fault(address);
}

SEC("tracepoint/exceptions/page_fault_user")
int host_fault(struct pf_user_ctx *ctx)
{
	return on_fault(ctx->address);
}

/*
 * A KVM guest's faults go through the EPT/NPT and never raise a user page
 * fault on the host, and their guest-physical address does not say where in
 * the VMM they land: count them, and the loader rescans that VM's chunks.
 */
SEC("tracepoint/kvm/kvm_page_fault")
int host_kvm_fault(void *ctx)
{
	struct host_vm_stats *st;
	__u32 tgid;

	st = watched(&tgid);
	if (st)
		st->kvm_faults++;
	return 0;
}
