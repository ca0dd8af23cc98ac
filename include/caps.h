/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding what the running kernel offers: BTF functions and the report()
 * implementations in kernel and module BTF, kallsyms symbols and compiler
 * clones, the bundled patch's tracepoints, the kprobe PMU, procfs files.
 * The result is plain data (struct kernel_caps, plan.h) for the plan.
 */
#ifndef PRTOP_CAPS_H
#define PRTOP_CAPS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include "ksyms_cache.h"
#include "plan.h"

struct btf;
struct ksyms;

#define CAPS_MAX_REPORT_FNS 4

/* report() implementations: int f(struct page_reporting_dev_info *, struct scatterlist *, ...) */
struct caps_reports {
	struct fn_caps fn[CAPS_MAX_REPORT_FNS];
	int n;
	/* found in the same pass: virtio-balloon's hinting work and state */
	struct fn_caps hint;
	bool hint_struct;   /* struct virtio_balloon with the members prtop reads */
	bool publish_field; /* page_reporting_dev_info.publish_bitmap (vendor) */
};

/* every report() in vmlinux BTF and the modules' under /sys/kernel/btf */
void caps_find_reports(struct caps_reports *r, const struct btf *vmlinux);
/*
 * The kallsyms symbols prtop needs, and only those (reading all 100k+ and
 * keeping them costs more time and memory than everything else at start)
 */
struct ksyms *caps_load_ksyms(const struct caps_reports *r);

/*
 * The same, read on a thread while the caller parses BTF: the kernel takes
 * ~50 ms to format /proc/kallsyms here.  start never fails (it reads in
 * finish if no thread can be had, or the kernel has no futex to join one
 * with); finish must follow every start.
 */
struct caps_ksyms_job {
	pthread_t thread;
	bool started;
	struct ksyms *ks;
	const char *dir;	  /* the cache's directory, NULL: no cache */
	char key[KCACHE_KEY_MAX]; /* the cache's key for this boot and modules, "" if none */
	bool cached;		  /* ks came from the cache */
};
void caps_ksyms_start(struct caps_ksyms_job *j);
/* the symbols, or NULL; reads again for a report() the early filter missed */
struct ksyms *caps_ksyms_finish(struct caps_ksyms_job *j, const struct caps_reports *r);
/*
 * Fill k in two steps: what the kernel's BTF says (clears k; first, so the
 * BTF can be freed before the symbols are in), then the symbols, the
 * reports found and the rest.  registered_report is the address of the
 * registered device's report() when known (0: not known), to pick among
 * several implementations.
 */
void caps_probe_btf(struct kernel_caps *k, const struct btf *vmlinux);
void caps_probe(struct kernel_caps *k, const struct ksyms *ks, const struct caps_reports *r,
		uint64_t registered_report);
bool caps_btf_has_func(const struct btf *btf, const char *name);
/*
 * What caps_probe_btf() and caps_find_reports() found, cached in dir (see
 * ksyms_cache.h) under a key of the kernel (release, version) and its BTF
 * files (each one's name, size and time): 0 and k, r filled on a hit.
 */
int caps_btf_cached(struct kernel_caps *k, struct caps_reports *r, const char *dir,
		    const char *key);
int caps_btf_store(const struct kernel_caps *k, const struct caps_reports *r, const char *dir,
		   const char *key);
/* the key for the BTF files under btf_dir (NULL: /sys/kernel/btf); -errno */
int caps_btf_key(const char *btf_dir, char *key, size_t len);

/*
 * The kernel types the BPF object's CO-RE relocations can read (local: the
 * object's BTF), from vmlinux and the modules under btf_dir (NULL:
 * /sys/kernel/btf), as raw BTF for libbpf's btf_custom_path (malloc()ed,
 * size in *len); NULL on failure.  Cached under caps_core_key(): the BTF
 * key and the object's types.
 */
void *caps_core_btf(const struct btf *local, const struct btf *vmlinux, const char *btf_dir,
		    size_t *len);
int caps_core_key(const char *btf_key, const struct btf *local, char *key, size_t len);
void *caps_core_load(const char *dir, const char *key, size_t *len);
int caps_core_store(const char *dir, const char *key, const void *data, size_t len);

#endif /* PRTOP_CAPS_H */
