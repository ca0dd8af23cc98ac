/* SPDX-License-Identifier: GPL-2.0 */
/* Parsers for /proc and /sys files the collector reads. */
#ifndef PRTOP_PROCFS_H
#define PRTOP_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "snapshot.h"

struct ksym {
	uint64_t addr;
	char type; /* 't', 'T', 'd', ... */
	const char *name;
	const char *module; /* NULL for vmlinux */
};

struct ksyms;

/* Parse a kallsyms-format stream/file.  NULL with errno set on failure. */
struct ksyms *ksyms_parse(FILE *f);
struct ksyms *ksyms_load(const char *path); /* default "/proc/kallsyms" when NULL */
/*
 * From the start of an open /proc/kallsyms: the kernel decides whether to
 * show addresses when the file is opened, by the opener's capabilities, so
 * an fd opened before dropping CAP_SYSLOG keeps showing them.
 */
struct ksyms *ksyms_load_fd(int fd);
/* only the symbols keep(name, len, ctx) accepts: a small table, fast to build */
typedef bool (*ksym_keep_fn)(const char *name, size_t len, void *ctx);
struct ksyms *ksyms_parse_filtered(FILE *f, ksym_keep_fn keep, void *ctx);
struct ksyms *ksyms_load_filtered(const char *path, ksym_keep_fn keep, void *ctx);
void ksyms_free(struct ksyms *ks);
/* number of symbols parsed (bad lines are skipped, not counted) */
size_t ksyms_count(const struct ksyms *ks);
/* the i-th symbol in file order, NULL past the end */
const struct ksym *ksyms_at(const struct ksyms *ks, size_t i);
/* true when every address is 0 (kptr_restrict / not root) */
bool ksyms_hidden(const struct ksyms *ks);
/* exact name match (first one if several) */
const struct ksym *ksyms_by_name(const struct ksyms *ks, const char *name);
/* symbol containing addr: greatest addr <= given; NULL if none */
const struct ksym *ksyms_by_addr(const struct ksyms *ks, uint64_t addr);
/* a compiler clone "name.isra.0", "name.constprop.0", ... if present */
const struct ksym *ksyms_clone_of(const struct ksyms *ks, const char *name);

/*
 * /proc/buddyinfo: sum blocks per order over every node and zone.
 * Returns number of orders seen (>0) or -EINVAL on malformed input.
 */
int buddyinfo_parse(FILE *f, uint64_t blocks[PRTOP_ORDERS]);
int buddyinfo_read(const char *path, uint64_t blocks[PRTOP_ORDERS]);
/* the same, and each zone's line apart (up to max_zones; *nzones of them) */
int buddyinfo_read_zones(const char *path, uint64_t blocks[PRTOP_ORDERS],
			 uint64_t (*zones)[PRTOP_ORDERS], int max_zones, int *nzones);

/*
 * Every file in dir (default /sys/module/page_reporting/parameters), sorted
 * by name, value trimmed.  Returns count, or -errno (e.g. -ENOENT).
 */
int params_read(const char *dir, struct snap_param *out, int max);
/* meaning of a known upstream parameter, NULL for unknown ones */
const char *param_meaning(const char *name);
/* bytes per unit a parameter's name states ("_kib": 1024, "_mib", "_bytes"), 0 none */
uint32_t param_unit_bytes(const char *name);

/*
 * A small file's content (name relative to dfd, or AT_FDCWD), white space
 * around it trimmed, unprintable bytes made spaces, cut to fit len.
 * 0 or -errno.
 */
int read_trimmed_at(int dfd, const char *name, char *out, size_t len);

/*
 * Does a virtio balloon offer free page hinting?  Looks at every device in
 * dir (default /sys/bus/virtio/devices): device id 5 is a balloon, and bit
 * 3 (VIRTIO_BALLOON_F_FREE_PAGE_HINT) of its negotiated features says.
 * dev gets the balloon's name ("virtio0"), or "" without one.
 */
enum hint_offer virtio_hint_offer(const char *dir, char *dev, size_t len);

/*
 * One counter of /proc/vmstat (path, default "/proc/vmstat"): 0, -ENOENT
 * when the kernel has no such line, or -errno.
 */
int vmstat_get(const char *path, const char *key, uint64_t *v);

/* one "Key:  N kB" line of /proc/meminfo (path, default /proc/meminfo) in bytes; 0 or -errno */
int meminfo_get(const char *path, const char *key, uint64_t *bytes);

/* "6.18.44-fc" etc. from uname(2) */
void kernel_release(char *buf, size_t len);

#endif /* PRTOP_PROCFS_H */
