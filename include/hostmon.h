/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `prtop host`: the hypervisor's half.  The host collector (src/host.c)
 * finds VMM processes, attaches the host BPF programs and, on every
 * host_sample(), fills a host_snap with cumulative per-VM figures; the
 * presentations (src/cmd_host.c, the exporter) compare two of them.
 */
#ifndef PRTOP_HOSTMON_H
#define PRTOP_HOSTMON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "host.h"
#include "snapshot.h"

#define HOST_MAX_VMS   256
#define HOST_MAX_PIDS  64
#define HOST_AGE_SLOTS 24 /* refault age: slot i < 2^i ms, the last one the rest */

enum host_probe {
	HP_MADVISE = 0, /* syscalls:sys_{enter,exit}_madvise */
	HP_FALLOCATE,	/* syscalls:sys_{enter,exit}_fallocate */
	HP_FAULT,	/* exceptions:page_fault_user (TCG guests, userspace VMM faults) */
	HP_KVM_FAULT,	/* kvm:kvm_page_fault (KVM guests) */
	HP_PAGEMAP,	/* /proc/PID/pagemap: which discarded pages came back */
	HP__COUNT,
};

/*
 * How refaults are found.  SCAN: at each sample, the PAGEMAP_SCAN ioctl
 * (6.7+) on the VMM's pagemap says which discarded pages are present; no
 * page fault of any process is traced.  FAULTS: the fault tracepoints send
 * an event per armed chunk and pagemap is read then (kernels without the
 * ioctl, or PRTOP_HOST_REFAULTS=faults).  NONE: --no-refaults.
 */
enum host_refaults {
	HOST_REFAULTS_SCAN = 0,
	HOST_REFAULTS_FAULTS,
	HOST_REFAULTS_NONE,
};

/*
 * Who a VM is to the software that manages it, from what the host shows
 * (the VMM's command line, its cgroup, libvirt's pid files); "" is unknown.
 * manager: "qemu" (QEMU started by hand or by a tool prtop does not know),
 * "libvirt" (libvirt's pid file holds the pid, or the command line names
 * libvirt's per-domain directory), "kubevirt" (a libvirt-style -name
 * guest=<namespace>_<name> in a Kubernetes pod's cgroup), "firecracker",
 * "cloud-hypervisor", "crosvm".  name and namespace are KubeVirt's split of
 * the domain name; otherwise name is the VMM's own name of the VM.
 */
struct host_identity {
	char manager[20];
	char name[128];
	char ns[64];	  /* Kubernetes namespace: a DNS label, at most 63 */
	char uuid[40];	  /* QEMU's -uuid (libvirt's domain UUID), 8-4-4-4-12 hex */
	char pod_uid[40]; /* the Kubernetes pod's UID, from the cgroup path */
};

/*
 * What the VM's manager says of its memory, as `virsh dommemstat` shows it
 * (libvirt's virDomainMemoryStats): KiB, -1 where it gives none.  actual:
 * the balloon's size as the guest sees it; usable: what the guest could
 * use without swapping (its balloon driver's stats); rss: QEMU's resident
 * memory as libvirt reads it.  known: the manager answered this sample.
 */
struct host_manager_stats {
	bool known;
	int64_t actual_kib, rss_kib, usable_kib;
};

struct host_vm {
	pid_t pid;
	char name[64]; /* QEMU's -name, Firecracker's --id, Cloud Hypervisor's socket, else comm */
	struct host_identity id;
	char comm[16];
	char vmm[24];	      /* qemu, firecracker, cloud-hypervisor, crosvm, or comm (--pid) */
	uint64_t start_ticks; /* /proc/PID/stat starttime: a reused pid is another VM */
	bool alive;
	bool known_vmm;			   /* vmm is a kind prtop knows, not a --pid's comm */
	struct host_vm_stats st;	   /* summed over CPUs */
	uint64_t refaulted_bytes;	   /* discarded pages found back in memory */
	uint64_t age_hist[HOST_AGE_SLOTS]; /* discard -> refault, bytes per slot */
	uint64_t age_sum_ms_x_pages;	   /* ms x 4 KiB refaulted: the histogram's sum */
	uint64_t pagemap_errors;
	bool rss_known;
	uint64_t rss_kib, rss_anon_kib, rss_file_kib, rss_shmem_kib;
	bool hugetlb;	      /* guest RAM on hugetlbfs (smaps): larger discard granule */
	int ram_ranges;	      /* guest RAM ranges found; 0: unknown (all discards count) */
	uint64_t ram_bytes;   /* their size */
	const char *ram_rule; /* how they were told: "dontfork" or "size" */
	bool ram_by_vma;      /* each discard judged by its VMA's MADV_DONTFORK */
	struct host_manager_stats ms;
};

struct host_snap {
	uint64_t mono_ns;
	int64_t wall_s;
	char kernel[65];
	int nvms;
	struct host_vm vm[HOST_MAX_VMS];
	struct probe_status probe[HP__COUNT];
	uint64_t events_lost;	 /* refault events the ring buffer dropped */
	uint64_t chunks_tracked; /* 2 MiB chunks with discarded pages pending */
	bool discovering;	 /* VMMs found by name (no --pid) */
	int vms_dropped;	 /* VMMs beyond HOST_MAX_VMS */
	int kvm_device; /* /dev/kvm: 1 there, 0 absent (no KVM guest can run), -1 unknown */
	bool in_guest;	/* the hypervisor CPU flag: this host is itself a VM */
	enum host_refaults refaults;
	/*
	 * SCAN: discarded chunks this sample left for a later one (at most
	 * HOST_SCAN_CHUNKS a sample): their refaults are found late, with
	 * their ages too old by the wait, or missed if discarded again by then
	 */
	uint64_t chunks_unscanned;
	uint64_t scan_errors; /* PAGEMAP_SCAN or chunk map reads that failed */
};

/* SCAN: chunks asked about per sample at most (2 MiB each: 32 GiB) */
#define HOST_SCAN_CHUNKS 16384

struct host_opts {
	pid_t pids[HOST_MAX_PIDS];
	int npids;		 /* 0: find VMMs by name */
	bool verbose;		 /* libbpf diagnostics */
	bool no_refaults;	 /* attach no fault probe: no cost per fault, refaults unknown */
	/* "faults", "scan" or "auto" (NULL): PRTOP_HOST_REFAULTS, see enum host_refaults */
	const char *refaults;
	const char *proc;	 /* "/proc"; tests point it elsewhere for the readers */
	const char *libvirt_run; /* "/run/libvirt/qemu": libvirt's NAME.pid files */
	const char *dev_kvm;	 /* "/dev/kvm" */
};

struct host;

/* 0, or -1 with one line (what, why, what to do) in err */
int host_open(struct host **h, const struct host_opts *o, char *err, size_t errlen);
/* one sample: find VMMs, read the kernel's counters, resolve refaults */
int host_sample(struct host *h, struct host_snap *s);
void host_close(struct host *h);
/* after host_open, before any thread: drop what is no longer needed (privs.h) */
int host_drop_caps(struct host *h, char *kept, size_t len);

const char *host_probe_name(enum host_probe p);

/*
 * The sampler (sampler.h) on the host monitor: cur and prev are host_snap;
 * samples on the grid of whole intervals.  0 or -errno (nothing to free).
 */
struct sampler;
struct sampler_opts;
int host_sampler_init(struct sampler *s, struct host *h, const struct sampler_opts *o);
/*
 * With o.history slots: per VM, the discard and refault rates of each
 * window in MiB/s (unknown: no window yet, or the group is unknown), one
 * slot per delivered sample, aligned across VMs
 */
enum host_hist_fig {
	HH_DISCARD = 0,
	HH_REFAULT,
	HH__COUNT,
};
struct history;
struct json_object;
/* VM v's history (NULL: none kept, or v is not in it) */
const struct history *host_history(const struct sampler *s, const struct host_vm *v);
const char *host_hist_key(enum host_hist_fig f);
/* {"t_s": [...], "vms": [{"pid", "name", "discard_mib_per_s": [...], ...}]}, or NULL */
struct json_object *host_history_json(const struct sampler *s);
/* the latest sample as a -j line's object: host_json, "sample" and "history" */
struct json_object *host_json_frame(const struct sampler *s);

/* the live view (src/host_tui.c), on the guest's engine; exit status */
struct host_tui_opts {
	double interval_s;
	long count;
	int history; /* slots; 0: the default */
	bool timestamps;
	const char *json_log;			    /* NULL: none */
	void (*on_base)(const struct host_snap *s); /* told the first sample */
};
int host_tui_run(struct host *h, const struct host_tui_opts *o);

/*
 * libvirt's own statistics of the domains it manages (src/host_libvirt.c):
 * libvirt.so.0 is opened when the first VM whose manager is libvirt is
 * seen, never before (no libvirt: nothing changes), and a read-only
 * connection (LIBVIRT_DEFAULT_URI, else libvirt's default) is asked for
 * that domain's memory statistics by its UUID each sample.  A failed
 * connection is tried again after 10 s.
 */
struct host_libvirt;
struct host_libvirt *host_libvirt_new(void);
/* v->ms for this sample (known false unless libvirt answered) */
void host_libvirt_stats(struct host_libvirt *lv, struct host_vm *v, uint64_t now_ns);
void host_libvirt_free(struct host_libvirt *lv);

/* ---- pure helpers (src/host_proc.c, unit tested) ---- */
/* the VMM kind for a process name ("qemu-system-x86" -> "qemu"), or NULL */
const char *host_vmm_kind(const char *comm, const char *exe_base);
/* the names host_vmm_kind() knows, as the user is told them */
#define HOST_VMM_NAMES "qemu-system-*, qemu-kvm, firecracker, cloud-hypervisor, crosvm"
/* the VM's name from its command line (NUL-separated, len bytes), or "" */
void host_vm_name(const char *cmdline, size_t len, char *out, size_t outlen);
/* the Kubernetes pod UID in /proc/PID/cgroup text (v1 or v2; systemd or cgroupfs driver) */
bool host_pod_uid(const char *cgroup, char *out, size_t outlen);
/*
 * The identity of a VMM of kind vmm (host_vmm_kind, or NULL) from its
 * command line (NUL-separated, len bytes), its cgroup text (NULL: unknown)
 * and whether libvirt's pid file for its -name holds its pid.
 */
void host_identity_parse(struct host_identity *id, const char *vmm, const char *cmdline, size_t len,
			 const char *cgroup, bool libvirt_pidfile);
/*
 * The same, reading proc/PID/cgroup and libvirt_run/NAME.pid (NULL roots:
 * "/proc", "/run/libvirt/qemu"): the one reader here, given its roots so the
 * unit tests point it at fixture files.
 */
void host_identity_read(struct host_identity *id, const char *proc, const char *libvirt_run,
			pid_t pid, const char *vmm, const char *cmdline, size_t len);
/*
 * libvirt's memory statistics (n pairs of tag and value, as
 * virDomainMemoryStats fills them) -> ms: actual, rss, usable, -1 for those
 * absent.  known is set: the manager answered.
 */
void host_manager_stats_parse(struct host_manager_stats *ms, const int *tags,
			      const unsigned long long *vals, int n);
/* VmRSS, RssAnon, RssFile, RssShmem from /proc/PID/status text; false without VmRSS */
bool host_parse_status(const char *text, uint64_t *rss, uint64_t *anon, uint64_t *file,
		       uint64_t *shmem);
/*
 * Guest RAM in /proc/PID/smaps text: the writable mappings the VMM marked
 * MADV_DONTFORK (QEMU does so for every RAM block; rule "dontfork"), else
 * writable, non-executable mappings of 128 MiB or more ("size").  Adjacent
 * ones are merged and the largest HOST_RAM_RANGES kept.  Returns the rule,
 * or NULL when nothing qualifies (r->n = 0).
 */
const char *host_parse_ram(const char *smaps, struct host_ram *r, uint64_t *bytes);
/* how BPF tells guest RAM for a VMM kind whose smaps gave rule (NULL: none) */
enum host_ram_rule host_ram_rule(const char *vmm, const char *rule);
/* the age histogram slot of ms */
int host_age_slot(uint64_t ms);
/*
 * Which of a chunk's npages discarded pages (bits) are back, by their
 * pagemap entries pm[0..npages): present and mapped by this process alone
 * (a read maps the shared zero page, which costs the host nothing).  Their
 * bits are cleared; returns how many.
 */
uint64_t host_chunk_back(__u64 bits[HOST_CHUNK_WORDS], const uint64_t *pm, uint32_t npages);
/*
 * A range [start, end) of present pages, as PAGEMAP_SCAN returns it (the
 * layout of the kernel's struct page_region).
 */
struct host_region {
	__u64 start, end, categories;
};
/*
 * Which of chunk's discarded pages (bits) are back by the n ranges of
 * present pages PAGEMAP_SCAN gave for it (pages of 1 << page_shift bytes;
 * ranges outside the chunk are ignored).  Their bits are cleared; returns
 * how many.
 */
uint64_t host_chunk_back_regions(__u64 bits[HOST_CHUNK_WORDS], uint64_t chunk,
				 const struct host_region *r, size_t n, uint32_t page_shift);
/*
 * The age in ms of a page discarded at discard_ns and found back by the
 * scan at now_ns, whose previous scan (0: none, or it skipped the chunk)
 * was at prev_ns: the fault came between the later of the discard and
 * that scan, and now; the middle of that stretch is taken.
 */
uint64_t host_scan_age_ms(uint64_t discard_ns, uint64_t prev_ns, uint64_t now_ns);
/* pages of 1 << page_shift bytes found back ms after their discard */
void host_count_refault(struct host_vm *v, uint64_t pages, uint32_t page_shift, uint64_t ms);
/* the window between two samples, per VM (matched by pid and start time) */
struct host_vm_delta {
	const struct host_vm *cur;
	const struct host_vm *prev; /* NULL: new in this window */
	double secs;
	uint64_t discarded_bytes, discard_calls, refaulted_bytes;
	int64_t rss_change_kib; /* valid when both RSS known */
	bool rss_change_known;
};
uint64_t host_vm_discarded(const struct host_vm *v);
uint64_t host_vm_calls(const struct host_vm *v);
void host_delta(struct host_vm_delta *d, const struct host_vm *cur, const struct host_snap *prev,
		double secs);
const char *host_method_name(enum host_method m);

/* ---- the exporter's bounded cardinality (src/host_metrics.c) ---- */
#define HOST_TOP_DEFAULT 20
/* a VM's counters as the exporter serves them (its gauges are not here) */
struct host_counts {
	uint64_t bytes[HOST_M__COUNT], calls[HOST_M__COUNT];
	uint64_t failed, other_bytes, chunks_untracked, discarded;
	uint64_t size_hist[HOST_SIZE_SLOTS];
	uint64_t refaulted_bytes, age_hist[HOST_AGE_SLOTS], age_sum_ms_x_pages;
};
/*
 * The VMs that get a label of their own: at most top, sticky (a VM keeps its
 * label until it exits); free places go to the most active unlabelled VMs.
 * A labelled VM's series are its own counters, as the JSON's; they end
 * when it exits.  vm="other" is a counter of the exporter's own: what the
 * unlabelled VMs added while they were unlabelled, so it never goes down
 * when one of them exits or is given a label (Prometheus would read that
 * as a reset), and once shown it stays.
 */
struct host_sel {
	int top;
	int n;
	struct {
		pid_t pid;
		uint64_t start_ticks;
	} in[HOST_MAX_VMS];
	struct host_counts other;
	bool other_shown;
	int nled; /* the unlabelled VMs, each with what "other" has of it */
	struct {
		pid_t pid;
		uint64_t start_ticks;
		struct host_counts counted;
	} led[HOST_MAX_VMS];
};
/* once a sample, before rendering it: labels, then what "other" adds */
void host_select(struct host_sel *sel, const struct host_snap *s);
bool host_selected(const struct host_sel *sel, const struct host_vm *v);

struct mbuf;
struct metrics_opts;
int host_metrics_render(struct mbuf *b, const struct host_snap *s, const struct host_sel *sel,
			const struct metrics_opts *o);

/*
 * What a host figure needs to be known (src/host_report.c).  Unknown is
 * null in JSON, n/a on text and screen, absent at /metrics; never 0.
 *   a discard method: the probe of its syscall attached (madvise for
 *     dontneed, remove and free; fallocate for punch_hole)
 *   totals, rates and sizes of discards, failed and other discards: every
 *     method's probe (a total missing a method would read low)
 *   refaults and their ages: a refault method (PAGEMAP_SCAN or the fault
 *     probes, with pagemap readable), not --no-refaults
 *   a VM's RSS: its /proc/PID/status read (host_vm.rss_known)
 */
enum host_probe host_method_probe(enum host_method m);
bool host_method_known(const struct host_snap *s, enum host_method m);
bool host_discards_known(const struct host_snap *s);
bool host_refaults_known(const struct host_snap *s);

/* ---- presentations (src/host_report.c): pure functions of two samples ---- */
struct json_object;
/* one frame: header, a row per VM, its methods/sizes/ages, the probes */
void host_text_frame(FILE *out, const struct host_snap *cur, const struct host_snap *prev,
		     bool timestamp);
/* the columns of a VM's row, in order */
enum host_col {
	HC_PID = 0,
	HC_NAME,
	HC_DISCARD_RATE,
	HC_REFAULT_RATE,
	HC_DISCARDED,
	HC_REFAULTED,
	HC_RSS,
	HC_RSS_CHANGE,
	HC__COUNT,
};
const char *host_col_label(enum host_col c);
/* the table's header line and VM i's row, as the text frame prints them */
void host_row_head(char *buf, size_t len);
void host_row(char *buf, size_t len, const struct host_snap *cur, const struct host_snap *prev,
	      int i);
/* VM i's detail lines (who, methods, sizes, ages), wrapped under its row */
void host_vm_detail(FILE *out, const struct host_snap *cur, int i);
/* the frame's closing notes and its probes line */
void host_frame_notes(FILE *out, const struct host_snap *cur);
/* VM i's figure in column c (NAME has none); false when unknown */
bool host_col_value(const struct host_snap *cur, const struct host_snap *prev, int i,
		    enum host_col c, double *v);
/*
 * order[0 .. nvms): the VMs by column c, largest first when desc (names
 * by strcmp); unknown values last in either direction; ties by pid
 */
void host_sort(int *order, const struct host_snap *cur, const struct host_snap *prev,
	       enum host_col c, bool desc);
/* one JSON object: vms[] with cumulative counters and the window's */
struct json_object *host_json(const struct host_snap *cur, const struct host_snap *prev);
/* prtop doctor --host */
void host_doctor_print(FILE *out, const struct host_snap *s);
struct json_object *host_doctor_json(const struct host_snap *s);
/* the median refault age in ms (upper bound of its slot), -1 without refaults */
long host_age_median_ms(const struct host_vm *v);

#endif /* PRTOP_HOSTMON_H */
