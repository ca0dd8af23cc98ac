// SPDX-License-Identifier: GPL-2.0
/*
 * The knob model: list, read and set the page reporting knobs (-errno on
 * failure; the command is cmd_knob.c, persistence knob_persist.c).
 * Setting is all or none: every NAME=VALUE is checked before the first
 * write, and if the kernel still refuses one, the knobs already written
 * get their old values back.  Integers are written in canonical decimal:
 * the kernel parses sysctls and module parameters with base 0, so "010"
 * would otherwise be octal there and decimal here.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "knob.h"
#include "knob_int.h"
#include "str.h"
#include "procfs.h"

static const struct knob_paths system_paths = {
    .sysctl_dir = "/proc/sys/vm",
    .module_dir = "/sys/module/page_reporting",
    .debugfs_dir = "/sys/kernel/debug",
    .buddyinfo = "/proc/buddyinfo",
    .vmstat = "/proc/vmstat",
    .etc_dir = "/etc",
};

static const char *const core_names[] = {"capacity", "delay_ms", "order"};

/* the patch's debugfs counters, read-only, with their units */
static const struct {
	const char *name, *unit;
} counters[] = {
    {"batches", "calls"},	 {"errors", "calls"},
    {"pages_reported", "pages"}, {"reported_pages_reused", "pages"},
    {"capacity_max", "entries"},
};

struct knob_paths knob_resolve(const struct knob_paths *p)
{
	struct knob_paths r = system_paths;

	if (!p)
		return r;
	if (p->sysctl_dir)
		r.sysctl_dir = p->sysctl_dir;
	if (p->module_dir)
		r.module_dir = p->module_dir;
	if (p->debugfs_dir)
		r.debugfs_dir = p->debugfs_dir;
	if (p->buddyinfo)
		r.buddyinfo = p->buddyinfo;
	if (p->vmstat)
		r.vmstat = p->vmstat;
	if (p->etc_dir)
		r.etc_dir = p->etc_dir;
	r.write = p->write;
	return r;
}

/* ---- files ---- */

static int read_trimmed(const char *path, char *out, size_t len)
{
	return read_trimmed_at(AT_FDCWD, path, out, len);
}

/* one write of value and a newline, as `echo value > path` does */
static int write_value(const char *path, const char *value)
{
	char buf[80];
	int fd, len, err = 0;
	ssize_t n;

	len = snprintf(buf, sizeof(buf), "%s\n", value);
	if (len < 0 || (size_t)len >= sizeof(buf))
		return -EINVAL;
	fd = open(path, O_WRONLY | O_CLOEXEC | O_TRUNC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		err = -errno;
	else if (n != len)
		err = -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int do_write(const struct knob_paths *p, const char *path, const char *value)
{
	return p->write ? p->write(path, value) : write_value(path, value);
}

bool knob_exists(const char *path, struct stat *st)
{
	struct stat tmp;

	return stat(path, st ? st : &tmp) == 0;
}

int knob_parse_int(const char *s, int64_t *v)
{
	const char *d = s;
	long long x;

	if (!s || !*s)
		return -EINVAL;
	if (*d == '-')
		d++;
	if (!*d)
		return -EINVAL;
	for (; *d; d++)
		if (!isdigit((unsigned char)*d))
			return -EINVAL;
	errno = 0;
	x = strtoll(s, NULL, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*v = x;
	return 0;
}

/* ---- the knobs ---- */

static void info_init(struct knob_info *k, const char *name, const char *unit)
{
	memset(k, 0, sizeof(*k));
	str_copy(k->name, sizeof(k->name), name); /* names are checked to fit by the caller */
	k->unit = unit;
	snprintf(k->range, sizeof(k->range), "-");
}

static void read_value(struct knob_info *k)
{
	k->read_err = read_trimmed(k->path, k->value, sizeof(k->value));
	if (k->read_err)
		snprintf(k->value, sizeof(k->value), "?");
}

/* a file the root can write if its mode has a w bit */
static void from_file(struct knob_info *k, enum knob_kind kind, const char *source,
		      const struct stat *st)
{
	k->kind = kind;
	k->source = source;
	k->writable = st->st_mode & 0222;
	if (!k->writable) {
		k->kind = KNOB_READONLY;
		k->source = KNOB_SOURCE_READONLY;
	}
	read_value(k);
}

static void constant(struct knob_info *k, int64_t v)
{
	k->kind = KNOB_CONSTANT;
	k->source = KNOB_SOURCE_CONSTANT;
	k->path[0] = '\0';
	k->integer = true;
	snprintf(k->value, sizeof(k->value), "%lld", (long long)v);
}

/* unknown_max: how the range names an upper bound only the kernel knows */
static void bound(struct knob_info *k, int64_t min, int64_t max, bool max_known,
		  const char *unknown_max)
{
	k->integer = true;
	k->bounded = k->writable;
	k->min = min;
	k->max = max;
	k->max_known = max_known;
	if (!k->writable)
		return;
	if (max_known)
		snprintf(k->range, sizeof(k->range), "%lld..%lld", (long long)min, (long long)max);
	else
		snprintf(k->range, sizeof(k->range), "%lld..%s", (long long)min, unknown_max);
}

/*
 * The v3 series' module parameter (0: the device's own batch size; the
 * kernel bounds it, and clamps it to what the device takes at use), else
 * the v1/v2 sysctl, else upstream's compile-time constant.
 * ranges: also work out the range (more files to read); else value and
 * source.
 */
static void knob_capacity(const struct knob_paths *p, struct knob_info *k, bool ranges)
{
	char path[256], buf[32];
	struct stat st;
	int64_t max;

	info_init(k, "capacity", "entries");
	snprintf(k->path, sizeof(k->path), "%s/parameters/page_reporting_capacity", p->module_dir);
	if (knob_exists(k->path, &st)) {
		from_file(k, KNOB_MODPARAM, KNOB_SOURCE_PATCH_MODPARAM, &st);
		if (ranges)
			bound(k, 0, INT_MAX, false, "?");
		return;
	}
	snprintf(k->path, sizeof(k->path), "%s/page_reporting_capacity", p->sysctl_dir);
	if (!knob_exists(k->path, &st)) {
		constant(k, KNOB_CAPACITY_DEFAULT);
		return;
	}
	from_file(k, KNOB_SYSCTL, KNOB_SOURCE_SYSCTL, &st);
	if (!ranges)
		return;
	snprintf(path, sizeof(path), "%s/page_reporting/capacity_max", p->debugfs_dir);
	if (!read_trimmed(path, buf, sizeof(buf)) && !knob_parse_int(buf, &max) && max >= 1 &&
	    max <= INT_MAX)
		bound(k, 1, max, true, NULL);
	else
		bound(k, 1, INT_MAX, false, "?"); /* the kernel's to check */
}

/*
 * The v1 patch's sysctl, else the module parameter (mainline since 7.3,
 * and the v2 and v3 series), else upstream's compile-time constant.  The
 * module parameter's upper limit is the kernel's to check: mainline and v3
 * take any unsigned int, v2 100..60000.
 */
static void knob_delay(const struct knob_paths *p, struct knob_info *k)
{
	struct stat st;

	info_init(k, "delay_ms", "ms");
	snprintf(k->path, sizeof(k->path), "%s/page_reporting_delay_ms", p->sysctl_dir);
	if (knob_exists(k->path, &st)) {
		from_file(k, KNOB_SYSCTL, KNOB_SOURCE_SYSCTL, &st);
		bound(k, 0, KNOB_DELAY_MS_MAX, true, NULL);
		return;
	}
	snprintf(k->path, sizeof(k->path), "%s/parameters/page_reporting_delay_ms", p->module_dir);
	if (knob_exists(k->path, &st)) {
		from_file(k, KNOB_MODPARAM, KNOB_SOURCE_MODPARAM, &st);
		bound(k, 0, INT_MAX, false, "?");
		return;
	}
	constant(k, KNOB_DELAY_MS_DEFAULT);
}

bool knob_order_unspecified(int64_t v)
{
	return v == -1 || v == (int64_t)UINT32_MAX;
}

static void knob_order(const struct knob_paths *p, struct knob_info *k, bool ranges)
{
	struct stat st;
	int64_t v;

	info_init(k, "order", "order");
	snprintf(k->path, sizeof(k->path), "%s/page_reporting_order", p->sysctl_dir);
	if (knob_exists(k->path, &st)) {
		from_file(k, KNOB_SYSCTL, KNOB_SOURCE_SYSCTL, &st);
	} else {
		snprintf(k->path, sizeof(k->path), "%s/parameters/page_reporting_order",
			 p->module_dir);
		if (!knob_exists(k->path, &st)) {
			k->kind = KNOB_MISSING;
			k->source = KNOB_SOURCE_MISSING;
			k->read_err = -ENOENT;
			snprintf(k->value, sizeof(k->value), "?");
			return;
		}
		from_file(k, KNOB_MODPARAM, KNOB_SOURCE_MODPARAM, &st);
	}
	k->unspecified = !k->read_err && !knob_parse_int(k->value, &v) && knob_order_unspecified(v);
	if (!ranges)
		return;
	/*
	 * The upper limit is the running kernel's, found by writing: mainline
	 * from 6.4 takes 0..MAX_PAGE_ORDER, the bundled patch and some vendor
	 * kernels also MAX_PAGE_ORDER + 1 (reporting off), 6.1 any unsigned
	 * int.  A table (or /proc/buddyinfo's columns) would refuse values the
	 * kernel accepts.  Only what no kernel takes is refused before writing.
	 */
	bound(k, 0, UINT32_MAX, false, "?");
}

static void core_knob(const struct knob_paths *p, int i, struct knob_info *k, bool ranges)
{
	if (i == 0)
		knob_capacity(p, k, ranges);
	else if (i == 1)
		knob_delay(p, k);
	else
		knob_order(p, k, ranges);
}

static bool listed(const struct knob_info *k, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(k[i].name, name))
			return true;
	return false;
}

/* a vendor parameter's unit, where its name says it (reported_kib, max_waiting_mib, min_free_ms) */
static const char *unit_by_name(const char *name)
{
	static const struct {
		const char *suffix, *unit;
	} units[] = {{"_kib", "KiB"}, {"_mib", "MiB"}, {"_ms", "ms"}, {"_bytes", "bytes"}};
	size_t i, n = strlen(name);

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t l = strlen(units[i].suffix);

		if (n > l && !strcmp(name + n - l, units[i].suffix))
			return units[i].unit;
	}
	return "";
}

static int add_params(const struct knob_paths *p, struct knob_info *out, int n, int max)
{
	struct snap_param prm[SNAP_MAX_PARAMS];
	char dir[256];
	struct stat st;
	int i, np;

	snprintf(dir, sizeof(dir), "%s/parameters", p->module_dir);
	np = params_read(dir, prm, SNAP_MAX_PARAMS);
	for (i = 0; i < np && n < max; i++) {
		struct knob_info *k = &out[n];

		/* the core knobs' module parameters are listed as order, delay_ms, capacity */
		if (!strcmp(prm[i].name, "page_reporting_order") ||
		    !strcmp(prm[i].name, "page_reporting_delay_ms") ||
		    !strcmp(prm[i].name, "page_reporting_capacity") || listed(out, n, prm[i].name))
			continue;
		info_init(k, prm[i].name, unit_by_name(prm[i].name));
		if (path_join(k->path, sizeof(k->path), dir, prm[i].name) ||
		    !knob_exists(k->path, &st))
			continue;
		from_file(k, KNOB_VENDOR, KNOB_SOURCE_VENDOR, &st);
		if (k->writable)
			snprintf(k->range, sizeof(k->range), "?");
		n++;
	}
	return n;
}

static int add_counters(const struct knob_paths *p, struct knob_info *out, int n, int max)
{
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(counters) / sizeof(counters[0]) && n < max; i++) {
		struct knob_info *k = &out[n];

		if (listed(out, n, counters[i].name))
			continue;
		info_init(k, counters[i].name, counters[i].unit);
		snprintf(k->path, sizeof(k->path), "%s/page_reporting/%s", p->debugfs_dir,
			 counters[i].name);
		if (!knob_exists(k->path, &st))
			continue;
		k->kind = KNOB_READONLY;
		k->source = KNOB_SOURCE_READONLY;
		k->integer = true;
		read_value(k);
		n++;
	}
	return n;
}

/* the patch's page_reporting_* lines of /proc/vmstat: calls or base pages */
static int add_vmstat(const struct knob_paths *p, struct knob_info *out, int n, int max)
{
	char line[256], name[128], value[64];
	FILE *f = fopen(p->vmstat, "re");

	if (!f)
		return n;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct knob_info *k = &out[n];

		if (strncmp(line, "page_reporting_", 15) ||
		    sscanf(line, "%127s %63s", name, value) != 2 || listed(out, n, name))
			continue;
		info_init(k, name,
			  strstr(name, "_reports") || strstr(name, "_failed") ? "calls" : "pages");
		str_copy(k->path, sizeof(k->path), p->vmstat);
		str_copy(k->value, sizeof(k->value), value);
		k->kind = KNOB_READONLY;
		k->source = KNOB_SOURCE_READONLY;
		k->integer = true;
		n++;
	}
	fclose(f);
	return n;
}

int knob_list(const struct knob_paths *p, struct knob_info *out, int max)
{
	struct knob_paths r = knob_resolve(p);
	int i, n = 0;

	if (!out || max < 3)
		return -EINVAL;
	for (i = 0; i < 3; i++)
		core_knob(&r, i, &out[n++], true);
	n = add_params(&r, out, n, max);
	n = add_counters(&r, out, n, max);
	return add_vmstat(&r, out, n, max);
}

/*
 * capacity for "capacity", "page_reporting_capacity",
 * "vm.page_reporting_capacity"; order also for the module parameter's
 * "page_reporting.page_reporting_order": every spelling prtop prints
 */
static int core_index(const char *name)
{
	size_t i;

	if (!strncmp(name, "vm.", 3) && !strncmp(name + 3, "page_reporting_", 15))
		name += 3;
	else if (!strncmp(name, "page_reporting.", 15))
		name += 15;
	if (!strncmp(name, "page_reporting_", 15))
		name += 15;
	for (i = 0; i < 3; i++)
		if (!strcmp(name, core_names[i]))
			return (int)i;
	return -1;
}

int knob_find(const struct knob_paths *p, const char *name, struct knob_info *out)
{
	struct knob_paths r = knob_resolve(p);
	struct knob_info *all;
	int i, n, ret = -ENOENT;

	if (!name || !out)
		return -EINVAL;
	i = core_index(name);
	if (i >= 0) {
		core_knob(&r, i, out, true);
		return 0;
	}
	all = calloc(KNOB_MAX, sizeof(*all));
	if (!all)
		return -ENOMEM;
	n = knob_list(&r, all, KNOB_MAX);
	for (i = 3; i < n; i++) {
		if (!strcmp(all[i].name, name)) {
			*out = all[i];
			ret = 0;
			break;
		}
	}
	free(all);
	return ret;
}

int knob_read(const struct knob_paths *p, const char *name, int64_t *value, const char **source,
	      bool *patched)
{
	struct knob_paths r = knob_resolve(p);
	struct knob_info k;
	int64_t v;
	int ret, i = name ? core_index(name) : -1;

	/* the snapshot reads the core knobs every sample: no range, no extra files */
	if (i >= 0) {
		core_knob(&r, i, &k, false);
	} else {
		ret = knob_find(p, name, &k);
		if (ret)
			return ret;
	}
	if (source)
		*source = k.source;
	if (patched)
		*patched = k.kind == KNOB_SYSCTL ||
			   (k.source && !strcmp(k.source, KNOB_SOURCE_PATCH_MODPARAM));
	if (k.kind == KNOB_MISSING)
		return -ENOENT;
	if (k.read_err)
		return k.read_err;
	ret = knob_parse_int(k.value, &v);
	if (ret)
		return -EINVAL;
	if (value)
		*value = v;
	return 0;
}

/* the bundled series' capacity knob: v3's module parameter, v1/v2's sysctl */
bool knob_patched(const struct knob_paths *p)
{
	struct knob_paths r = knob_resolve(p);
	char path[256];

	snprintf(path, sizeof(path), "%s/parameters/page_reporting_capacity", r.module_dir);
	if (knob_exists(path, NULL))
		return true;
	snprintf(path, sizeof(path), "%s/page_reporting_capacity", r.sysctl_dir);
	return knob_exists(path, NULL);
}

/* ---- validation ---- */

/* the knob must be settable here: 0, else -errno with err */
static int check_settable(const struct knob_info *k, char *err, size_t len)
{
	switch (k->kind) {
	case KNOB_CONSTANT:
		snprintf(err, len,
			 "%s cannot be set on this kernel: it needs the bundled kernel patch "
			 "(patches/ in prtop's source adds the module parameter "
			 "page_reporting.page_reporting_%s%s)",
			 k->name, k->name,
			 strcmp(k->name, "delay_ms") ? "" : "; mainline has it since 7.3");
		return -EOPNOTSUPP;
	case KNOB_MISSING:
		snprintf(err, len, "%s cannot be set: this kernel has no free page reporting",
			 k->name);
		return -EOPNOTSUPP;
	case KNOB_READONLY:
		snprintf(err, len, "%s is read-only", k->name);
		return -EROFS;
	default:
		break;
	}
	if (!k->writable) {
		snprintf(err, len, "%s is read-only", k->name);
		return -EROFS;
	}
	if (k->read_err) {
		snprintf(err, len, "%s: cannot read its current value from %s: %s", k->name,
			 k->path, strerror(-k->read_err));
		return k->read_err < 0 ? k->read_err : -EIO;
	}
	return 0;
}

static int check_int(struct knob_set *s, const char *v, char *err, size_t len)
{
	const struct knob_info *k = &s->info;
	int64_t x;
	int rc = knob_parse_int(v, &x);

	if (rc == -EINVAL) {
		snprintf(err, len, "%s: '%.40s' is not an integer (range %s)", k->name, v,
			 k->range);
		return -EINVAL;
	}
	if (rc == -ERANGE || x < k->min || x > k->max) {
		if (k->max_known)
			snprintf(err, len, "%s: %.40s is out of range %s", k->name, v, k->range);
		else if (rc != -ERANGE && x < k->min)
			snprintf(err, len,
				 "%s: %.40s is out of range: the least is %lld (the kernel checks "
				 "the upper limit)",
				 k->name, v, (long long)k->min);
		else
			snprintf(err, len,
				 "%s: %.40s is out of range: the most any kernel takes is %lld",
				 k->name, v, (long long)k->max);
		return -ERANGE;
	}
	snprintf(s->value, sizeof(s->value), "%lld", (long long)x);
	return 0;
}

/* a vendor parameter: the kernel checks the value, it only has to be one word */
static int check_word(struct knob_set *s, const char *v, char *err, size_t len)
{
	const char *c;

	if (strlen(v) >= sizeof(s->value)) {
		snprintf(err, len, "%s: value too long (at most %zu characters)", s->info.name,
			 sizeof(s->value) - 1);
		return -E2BIG;
	}
	for (c = v; *c; c++) {
		if (!isgraph((unsigned char)*c)) {
			snprintf(err, len, "%s: '%s' has spaces or control characters",
				 s->info.name, v);
			return -EINVAL;
		}
	}
	snprintf(s->value, sizeof(s->value), "%s", v);
	return 0;
}

static int validate_one(const struct knob_paths *p, struct knob_set *set, int i, char *err,
			size_t len)
{
	struct knob_set *s = &set[i];
	const char *eq = strchr(s->arg, '=');
	char name[64];
	size_t nlen;
	int j, rc;

	if (!eq) {
		snprintf(err, len, "'%.60s' is not NAME=VALUE", s->arg);
		return -EINVAL;
	}
	nlen = eq - s->arg;
	if (!nlen) {
		snprintf(err, len, "missing knob name in '%.60s'", s->arg);
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "%.*s", (int)nlen, s->arg);
	if (nlen >= sizeof(name) || knob_find(p, name, &s->info)) {
		snprintf(err, len, "unknown knob '%.60s' ('prtop knob' lists them)", name);
		return -ENOENT;
	}
	for (j = 0; j < i; j++) {
		if (!strcmp(set[j].info.name, s->info.name)) {
			snprintf(err, len, "%s is given twice", s->info.name);
			return -EINVAL;
		}
	}
	rc = check_settable(&s->info, err, len);
	if (rc)
		return rc;
	if (!eq[1]) {
		snprintf(err, len, "%s: empty value (range %s)", s->info.name, s->info.range);
		return -EINVAL;
	}
	if (s->info.bounded)
		return check_int(s, eq + 1, err, len);
	return check_word(s, eq + 1, err, len);
}

int knob_validate(const struct knob_paths *p, struct knob_set *set, int n, char *err, size_t errlen)
{
	struct knob_paths r = knob_resolve(p);
	int i, rc;

	for (i = 0; i < n; i++) {
		set[i].written = false;
		rc = validate_one(&r, set, i, err, errlen);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- writing ---- */

/* what the kernel made of a write: the value read back, which must match */
static int check_written(struct knob_set *s)
{
	int64_t got, want;
	int rc;

	rc = read_trimmed(s->info.path, s->now, sizeof(s->now));
	if (rc) {
		snprintf(s->now, sizeof(s->now), "?");
		return rc;
	}
	if (!s->info.integer || knob_parse_int(s->value, &want))
		return 0;
	if (knob_parse_int(s->now, &got) || got != want)
		return -EINVAL;
	return 0;
}

/* put back the old values of set[0..last], newest first; appends to err */
static int roll_back(const struct knob_paths *p, struct knob_set *set, int last, char *err,
		     size_t len)
{
	size_t used = strlen(err);
	int i, rc, failed = 0;

	for (i = last; i >= 0; i--) {
		if (!set[i].written)
			continue;
		rc = do_write(p, set[i].info.path, set[i].info.value);
		if (rc) {
			failed++;
			used += snprintf(err + used, used < len ? len - used : 0,
					 "; restoring %s to %s failed: %s", set[i].info.name,
					 set[i].info.value, strerror(-rc));
		} else {
			set[i].written = false;
			used +=
			    snprintf(err + used, used < len ? len - used : 0, "; %s restored to %s",
				     set[i].info.name, set[i].info.value);
		}
		if (used >= len)
			used = len - 1;
	}
	if (!failed)
		snprintf(err + used, used < len ? len - used : 0, "; nothing was changed");
	return failed;
}

int knob_apply(const struct knob_paths *p, struct knob_set *set, int n, char *err, size_t errlen)
{
	struct knob_paths r = knob_resolve(p);
	int i, rc, first;

	for (i = 0; i < n; i++) {
		struct knob_set *s = &set[i];

		rc = do_write(&r, s->info.path, s->value);
		if (rc) {
			snprintf(err, errlen, "%s: the kernel refused %s: %s", s->info.name,
				 s->value, strerror(-rc));
		} else {
			s->written = true;
			rc = check_written(s);
			if (rc == -EINVAL)
				snprintf(err, errlen, "%s: the kernel kept %s after writing %s",
					 s->info.name, s->now, s->value);
			else if (rc)
				snprintf(err, errlen,
					 "%s: cannot read it back after writing %s: %s",
					 s->info.name, s->value, strerror(-rc));
		}
		if (!rc)
			continue;
		first = rc;
		roll_back(&r, set, i, err, errlen);
		return first;
	}
	return 0;
}
