/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kallsyms symbols prtop keeps, cached for the boot: reading
 * /proc/kallsyms (the kernel formats 100k+ symbols) is most of start-up.
 */
#ifndef PRTOP_KSYMS_CACHE_H
#define PRTOP_KSYMS_CACHE_H

#include <stddef.h>
#include <stdint.h>
#include "procfs.h"

#define KCACHE_DEFAULT_DIR "/var/cache/prtop"
#define KCACHE_FILE	   "kallsyms"
#define KCACHE_KEY_MAX	   192

/* $PRTOP_CACHE_DIR, else KCACHE_DEFAULT_DIR; NULL when "" or "off" */
const char *kcache_dir(void);
/*
 * What the symbols depend on: the boot (boot_id), the modules loaded and
 * where (name, size, state, address from /proc/modules) and filter, the
 * caller's name for what it keeps.  NULL paths: the kernel's files.  -errno
 * when a part cannot be read or a module is loading or unloading.
 */
int kcache_key(const char *boot_id_path, const char *modules_path, uint64_t filter, char *key,
	       size_t len);
/* the cached symbols for key, or NULL (missing, stale, corrupt, unsafe) */
struct ksyms *kcache_load(const char *dir, const char *key);
/* store ks for key (symbols of BPF programs and trampolines left out); -errno */
int kcache_store(const char *dir, const char *key, const struct ksyms *ks);
/*
 * The generic part: dir/name holds a header (format, key, the body's line
 * count and hash) and a body.  kcache_read returns the file (free() it) with
 * *body inside it, or NULL when it is missing, another key's, altered,
 * truncated, not ours or readable by others.  kcache_write replaces it
 * whole (rename), in a directory of ours only we can write; -errno.
 */
char *kcache_read(const char *dir, const char *name, const char *key, const char **body,
		  size_t *len, size_t *count);
int kcache_write(const char *dir, const char *name, const char *key, const char *body, size_t len,
		 size_t count);
/*
 * The symbol ksyms_by_addr() would give for addr, as "name" or "name
 * [module]", from one pass over the kallsyms file at fd (from its start)
 * without keeping the table: 13 MB less memory at once than
 * ksyms_load_fd().  0, -ENOENT when none is at or below addr, or -errno.
 */
int ksyms_name_at(int fd, uint64_t addr, char *out, size_t len);
/* FNV-1a, 64 bits, continuing from h (start with KCACHE_FNV_SEED) */
#define KCACHE_FNV_SEED 0xcbf29ce484222325ULL
uint64_t kcache_fnv(uint64_t h, const void *p, size_t len);

#endif
