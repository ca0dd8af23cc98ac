/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page reporting knobs: list them, read one, set some (all or none),
 * persist them.  `prtop knob` is the command; the collector reads the
 * three core knobs through knob_read().
 *
 * Core knobs, in this order:
 *   capacity  entries per report() call   module parameter page_reporting_capacity
 *             (patch v3), vm.page_reporting_capacity (v1, v2)
 *   delay_ms  request -> run delay, ms    module parameter page_reporting_delay_ms
 *             (mainline from 7.3, patch v2, v3), vm.page_reporting_delay_ms (v1)
 *   order     lowest order reported       upstream module parameter
 *             page_reporting_order, vm.page_reporting_order (v1)
 * then every other file in /sys/module/page_reporting/parameters (vendor
 * parameters, writable or read-only) and the bundled patch's counters
 * (page_reporting_* in /proc/vmstat; v1 of the patch: debugfs).  Without the patch, capacity and
 * delay_ms are the upstream compile-time constants (32, 2000 ms) and cannot be set.
 */
#ifndef PRTOP_KNOB_H
#define PRTOP_KNOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where the knobs live.  A NULL field (or a NULL struct) means the system's. */
struct knob_paths {
	const char *sysctl_dir;	 /* /proc/sys/vm */
	const char *module_dir;	 /* /sys/module/page_reporting */
	const char *debugfs_dir; /* /sys/kernel/debug (page_reporting/ below it) */
	const char *buddyinfo;	 /* /proc/buddyinfo: number of orders */
	const char *vmstat;	 /* /proc/vmstat: the patch's page_reporting_* counters */
	const char *etc_dir;	 /* /etc: sysctl.d, tmpfiles.d, modprobe.d */
	/* unit tests: replaces writing a knob file; 0 or -errno */
	int (*write)(const char *path, const char *value);
};

/* the SOURCE column */
#define KNOB_SOURCE_SYSCTL   "patch sysctl"
#define KNOB_SOURCE_MODPARAM "upstream module parameter"
#define KNOB_SOURCE_PATCH_MODPARAM "patch module parameter"
#define KNOB_SOURCE_CONSTANT "compile-time constant, needs the bundled patch to change"
#define KNOB_SOURCE_VENDOR   "vendor parameter"
#define KNOB_SOURCE_READONLY "read-only"
#define KNOB_SOURCE_MISSING  "not in this kernel (no page reporting)"

/* upstream's compile-time values, shown when the patch sysctls are absent */
#define KNOB_CAPACITY_DEFAULT 32
#define KNOB_DELAY_MS_DEFAULT 2000
#define KNOB_DELAY_MS_MAX     60000

enum knob_kind {
	KNOB_SYSCTL,   /* the bundled patch's sysctl */
	KNOB_MODPARAM, /* module parameter: upstream's, or the patch's (v3 capacity) */
	KNOB_CONSTANT, /* compile-time constant: needs the patch */
	KNOB_VENDOR,   /* other writable module parameter */
	KNOB_READONLY, /* read-only module parameter or debugfs counter */
	KNOB_MISSING,  /* order without page reporting in the kernel */
};

#define KNOB_MAX 64 /* 3 core + 32 parameters + debugfs counters, with room */

struct knob_info {
	char name[64];	    /* "capacity", "order", or the file's name */
	char value[64];	    /* as read, trimmed; "?" when unreadable */
	int read_err;	    /* 0, or the -errno reading value */
	const char *unit;   /* "entries", "ms", "order", "pages", "calls"; "" unknown */
	char range[32];	    /* "0..10", "1..device limit", "?" (kernel checks), "-" */
	const char *source; /* KNOB_SOURCE_* */
	enum knob_kind kind;
	char path[256]; /* the file read (and written); "" for a constant */
	bool writable;	/* root can set it on this kernel */
	bool integer;	/* the value is a number */
	bool bounded;	/* settable within [min, max] */
	int64_t min, max;
	bool max_known;	  /* max is the kernel's limit; else the kernel checks it */
	bool unspecified; /* order: the sentinel (-1, 4294967295) "the device decides" */
};

/*
 * page_reporting_order's "unspecified" sentinel: -1 in an unsigned int
 * (mainline since 6.2 until a device registers, and linux-next's named
 * sentinel): the registering device's own order applies
 */
bool knob_order_unspecified(int64_t v);

/*
 * Every knob, in listing order.  Returns the count (at most max), or
 * -errno when nothing can be listed.
 */
int knob_list(const struct knob_paths *p, struct knob_info *out, int max);
/* one knob by name (aliases: page_reporting_NAME, vm.page_reporting_NAME); 0 or -ENOENT */
int knob_find(const struct knob_paths *p, const char *name, struct knob_info *out);
/*
 * capacity, delay_ms or order as a number; source is a KNOB_SOURCE_*
 * string and patched says whether the bundled patch's sysctl provides it.
 * Without the patch capacity and delay_ms are the compile-time constants
 * (0, patched false).  0, or -ENOENT (unknown name, or order without page
 * reporting), -EINVAL (not a number), or the -errno of reading the file.
 * Any out pointer may be NULL.
 */
int knob_read(const struct knob_paths *p, const char *name, int64_t *value, const char **source,
	      bool *patched);
/* true when the bundled patch's sysctls are present */
bool knob_patched(const struct knob_paths *p);

/* One NAME=VALUE of a command. */
struct knob_set {
	const char *arg;       /* as given */
	char value[64];	       /* what is written: canonical decimal for integers */
	struct knob_info info; /* the knob, with its value before writing */
	char now[64];	       /* read back after writing */
	bool written;
};

/* Exit codes of `prtop knob`: 0 fine, 1 the system refused, 2 bad input. */
enum { KNOB_OK = 0, KNOB_EFAIL = 1, KNOB_EINPUT = 2 };
/* knob_validate()'s -errno as that exit code (-ENOENT, -EINVAL, -ERANGE, -EROFS, ... -> 2) */
int knob_exit_code(int err);

struct json_object;
/* one knob as `prtop knob -j` lists it: value, unit, range, min, max, source, ... */
struct json_object *knob_info_json(const struct knob_info *k);

/*
 * Parse and check every set[i].arg; fills value and info.  On error
 * returns -errno with one line in err, and nothing is written: -ENOENT
 * unknown knob, -EINVAL malformed, -ERANGE out of range, -EROFS read-only,
 * -EOPNOTSUPP needs the bundled patch, or the error reading a current value.
 */
int knob_validate(const struct knob_paths *p, struct knob_set *set, int n, char *err,
		  size_t errlen);
/*
 * Write validated sets in order.  If the kernel refuses one, the ones
 * already written get their old values back: the -errno of the refusal,
 * and err says what was refused and whether restoring worked.
 */
int knob_apply(const struct knob_paths *p, struct knob_set *set, int n, char *err, size_t errlen);
/*
 * Persist sets in <etc>/sysctl.d/90-prtop.conf (sysctls) and, for module
 * parameters, <etc>/tmpfiles.d/90-prtop.conf (page_reporting built in) or
 * <etc>/modprobe.d/90-prtop.conf (a loadable module).  Other keys already
 * in those files are kept.  Says what it writes (or, dry_run, would write)
 * on out.  0, or -errno with err.
 */
int knob_persist(const struct knob_paths *p, const struct knob_set *set, int n, bool dry_run,
		 FILE *out, char *err, size_t errlen);

/* parse an integer: optional '-', decimal digits only; 0, -EINVAL, -ERANGE */
int knob_parse_int(const char *s, int64_t *v);

#endif /* PRTOP_KNOB_H */
