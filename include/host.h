/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Definitions shared by the host-side BPF programs (bpf/host.bpf.c) and
 * `prtop host` (src/host.c).  Compiles with clang -target bpf (vmlinux.h)
 * and with the host compiler (<linux/types.h>).
 */
#ifndef PRTOP_HOST_H
#define PRTOP_HOST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* how a VMM gave guest memory back to the host kernel */
enum host_method {
	HOST_M_DONTNEED = 0, /* madvise(MADV_DONTNEED[_LOCKED]): private anonymous RAM */
	HOST_M_REMOVE,	     /* madvise(MADV_REMOVE): shared memory, hugetlbfs */
	HOST_M_FREE,	     /* madvise(MADV_FREE): lazily freed */
	HOST_M_PUNCH,	     /* fallocate(FALLOC_FL_PUNCH_HOLE): memfd, file backing */
	HOST_M__COUNT,
};

/* discard sizes: slot i counts calls above 2^(11+i) up to 2^(12+i) bytes; the last, all above */
#define HOST_SIZE_SLOTS 20

/* pids the watch bitmap covers: the kernel's PID_MAX_LIMIT on 64-bit */
#define HOST_PID_LIMIT (4 * 1024 * 1024)

/*
 * refault tracking works on 2 MiB chunks of a VMM's address space, one bit
 * per page of the kernel's size: 512 of 4 KiB, 128 of 16 KiB, 32 of 64 KiB
 */
#define HOST_CHUNK_SHIFT 21
#define HOST_CHUNK_PAGES 512 /* at most: 4 KiB pages */
#define HOST_CHUNK_WORDS (HOST_CHUNK_PAGES / 64)

/*
 * The kernel's page size as a shift (12, 14 or 16: arm64, ppc64 and
 * loongarch hosts may run 16 or 64 KiB pages), which the loader reads with
 * sysconf(_SC_PAGESIZE).  These are shared by bpf/host.bpf.c, src/host.c
 * and the unit tests, so the arithmetic is tested where it runs.
 */
/* madvise rounds a length up to whole pages */
static inline __u64 host_page_round(__u64 len, __u32 page_shift)
{
	__u64 page = 1ULL << page_shift;

	return (len + page - 1) & ~(page - 1);
}

/* the pages of a 2 MiB chunk, never more than its bits */
static inline __u32 host_chunk_pages(__u32 page_shift)
{
	if (page_shift <= HOST_CHUNK_SHIFT - 9)
		return HOST_CHUNK_PAGES;
	if (page_shift >= HOST_CHUNK_SHIFT)
		return 1;
	return 1U << (HOST_CHUNK_SHIFT - page_shift);
}

/* where in /proc/PID/pagemap (8 bytes a page) a chunk's first page is */
static inline __u64 host_pagemap_off(__u64 chunk, __u32 page_shift)
{
	return ((chunk << HOST_CHUNK_SHIFT) >> page_shift) * 8;
}

/* per VMM process (per CPU; the loader sums) */
struct host_vm_stats {
	__u64 bytes[HOST_M__COUNT];
	__u64 calls[HOST_M__COUNT];
	__u64 failed; /* discard calls the kernel refused */
	__u64 size_hist[HOST_SIZE_SLOTS];
	__u64 refault_events;	/* first faults into a discarded chunk */
	__u64 kvm_faults;	/* KVM guest page faults (kvm:kvm_page_fault) */
	__u64 chunks_untracked; /* discarded chunks the chunk map had no room for */
	__u64 seen;		/* any event: the filter matched */
	__u64 other_bytes;	/* discards outside guest RAM: the VMM's own memory */
	__u64 other_calls;
	/*
	 * madvise(DONTNEED) of exactly a hole the process punched (the same
	 * file range, found through the mapping): QEMU zaps the mapping of
	 * memory it just punched.  The same memory: counted here, not again
	 * under its method.
	 */
	__u64 zap_bytes;
	__u64 zap_calls;
};

/*
 * How a discard is told to be guest RAM.  QEMU marks every RAM block
 * MADV_DONTFORK as it maps it, before the guest runs: the flag on the VMA a
 * madvise hits says it from the first call, even while the VMM is still
 * mapping its RAM and the ranges below are not known yet (or are only a large
 * region that is not RAM, such as TCG's code buffer).  Other VMMs are judged
 * by the ranges.
 */
enum host_ram_rule {
	HOST_RAM_BY_RANGES = 0,
	HOST_RAM_BY_DONTFORK, /* VM_DONTCOPY on the VMA; ranges if it cannot be looked up */
};

/* guest RAM of one VMM, as the loader found it in /proc/PID/smaps */
#define HOST_RAM_RANGES 16
struct host_ram {
	__u32 n;    /* 0: unknown, every discard counts as guest RAM (by ranges) */
	__u32 rule; /* enum host_ram_rule */
	__u64 start[HOST_RAM_RANGES];
	__u64 end[HOST_RAM_RANGES];
};

struct host_chunk_key {
	__u32 tgid;
	__u32 pad;
	__u64 chunk; /* address >> HOST_CHUNK_SHIFT */
};

/* a 2 MiB chunk with discarded pages not yet seen refaulted */
struct host_chunk {
	__u64 discard_ns;	      /* latest discard into it (CLOCK_MONOTONIC) */
	__u64 fault_ns;		      /* first fault after it, 0: none yet */
	__u64 bits[HOST_CHUNK_WORDS]; /* discarded pages not yet refaulted */
	__u32 queued;		      /* an event is out; the loader re-arms */
	__u32 pad;
};

/* ring buffer record: a fault hit a chunk with discarded pages */
struct host_event {
	__u32 tgid;
	__u32 pad;
	__u64 chunk;
};

#endif /* PRTOP_HOST_H */
