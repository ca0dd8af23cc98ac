// SPDX-License-Identifier: GPL-2.0
/*
 * prtop knob: list, read, set and persist the page reporting knobs.
 *
 * Setting is all or none: every NAME=VALUE is checked before the first
 * write, and if the kernel still refuses one, the knobs already written
 * get their old values back.  Integers are written in canonical decimal:
 * the kernel parses sysctls and module parameters with base 0, so "010"
 * would otherwise be octal there and decimal here.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "knob.h"
#include "str.h"
#include "procfs.h"

static const struct knob_paths system_paths = {
    .sysctl_dir = "/proc/sys/vm",
    .module_dir = "/sys/module/page_reporting",
    .debugfs_dir = "/sys/kernel/debug",
    .buddyinfo = "/proc/buddyinfo",
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

static struct knob_paths resolve(const struct knob_paths *p)
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

static bool exists(const char *path, struct stat *st)
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

/* ranges: also work out the range (more files to read); else value and source */
static void knob_capacity(const struct knob_paths *p, struct knob_info *k, bool ranges)
{
	char path[256], buf[32];
	struct stat st;
	int64_t max;

	info_init(k, "capacity", "entries");
	snprintf(k->path, sizeof(k->path), "%s/page_reporting_capacity", p->sysctl_dir);
	if (!exists(k->path, &st)) {
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
		bound(k, 1, INT_MAX, false, "device limit");
}

static void knob_delay(const struct knob_paths *p, struct knob_info *k)
{
	struct stat st;

	info_init(k, "delay_ms", "ms");
	snprintf(k->path, sizeof(k->path), "%s/page_reporting_delay_ms", p->sysctl_dir);
	if (!exists(k->path, &st)) {
		constant(k, KNOB_DELAY_MS_DEFAULT);
		return;
	}
	from_file(k, KNOB_SYSCTL, KNOB_SOURCE_SYSCTL, &st);
	bound(k, 0, KNOB_DELAY_MS_MAX, true, NULL);
}

/* MAX_ORDER - 1 (MAX_PAGE_ORDER): /proc/buddyinfo has one column per order */
static int max_order(const struct knob_paths *p)
{
	uint64_t blocks[PRTOP_ORDERS];
	int n = buddyinfo_read(p->buddyinfo, blocks);

	return n > 0 ? n - 1 : -1;
}

static void knob_order(const struct knob_paths *p, struct knob_info *k, bool ranges)
{
	struct stat st;
	int max;

	info_init(k, "order", "order");
	snprintf(k->path, sizeof(k->path), "%s/page_reporting_order", p->sysctl_dir);
	if (exists(k->path, &st)) {
		from_file(k, KNOB_SYSCTL, KNOB_SOURCE_SYSCTL, &st);
	} else {
		snprintf(k->path, sizeof(k->path), "%s/parameters/page_reporting_order",
			 p->module_dir);
		if (!exists(k->path, &st)) {
			k->kind = KNOB_MISSING;
			k->source = KNOB_SOURCE_MISSING;
			k->read_err = -ENOENT;
			snprintf(k->value, sizeof(k->value), "?");
			return;
		}
		from_file(k, KNOB_MODPARAM, KNOB_SOURCE_MODPARAM, &st);
	}
	if (!ranges)
		return;
	max = max_order(p);
	if (max >= 0)
		bound(k, 0, max, true, NULL);
	else
		bound(k, 0, INT_MAX, false, "?");
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

		if (!strcmp(prm[i].name, "page_reporting_order") || listed(out, n, prm[i].name))
			continue;
		info_init(k, prm[i].name, "");
		if (path_join(k->path, sizeof(k->path), dir, prm[i].name) || !exists(k->path, &st))
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
		if (!exists(k->path, &st))
			continue;
		k->kind = KNOB_READONLY;
		k->source = KNOB_SOURCE_READONLY;
		k->integer = true;
		read_value(k);
		n++;
	}
	return n;
}

int knob_list(const struct knob_paths *p, struct knob_info *out, int max)
{
	struct knob_paths r = resolve(p);
	int i, n = 0;

	if (!out || max < 3)
		return -EINVAL;
	for (i = 0; i < 3; i++)
		core_knob(&r, i, &out[n++], true);
	n = add_params(&r, out, n, max);
	return add_counters(&r, out, n, max);
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
	struct knob_paths r = resolve(p);
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
	struct knob_paths r = resolve(p);
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
		*patched = k.kind == KNOB_SYSCTL;
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

bool knob_patched(const struct knob_paths *p)
{
	struct knob_paths r = resolve(p);
	char path[256];

	snprintf(path, sizeof(path), "%s/page_reporting_capacity", r.sysctl_dir);
	return exists(path, NULL);
}

/* ---- validation ---- */

/* the knob must be settable here: KNOB_OK, else the exit code with err */
static int check_settable(const struct knob_info *k, char *err, size_t len)
{
	switch (k->kind) {
	case KNOB_CONSTANT:
		snprintf(err, len,
			 "%s cannot be set on this kernel: it needs the bundled kernel patch "
			 "(patches/ in prtop's source adds vm.page_reporting_%s)",
			 k->name, k->name);
		return KNOB_EINPUT;
	case KNOB_MISSING:
		snprintf(err, len, "%s cannot be set: this kernel has no free page reporting",
			 k->name);
		return KNOB_EINPUT;
	case KNOB_READONLY:
		snprintf(err, len, "%s is read-only", k->name);
		return KNOB_EINPUT;
	default:
		break;
	}
	if (!k->writable) {
		snprintf(err, len, "%s is read-only", k->name);
		return KNOB_EINPUT;
	}
	if (k->read_err) {
		snprintf(err, len, "%s: cannot read its current value from %s: %s", k->name,
			 k->path, strerror(-k->read_err));
		return KNOB_EFAIL;
	}
	return KNOB_OK;
}

static int check_int(struct knob_set *s, const char *v, char *err, size_t len)
{
	const struct knob_info *k = &s->info;
	int64_t x;
	int rc = knob_parse_int(v, &x);

	if (rc == -EINVAL) {
		snprintf(err, len, "%s: '%.40s' is not an integer (range %s)", k->name, v,
			 k->range);
		return KNOB_EINPUT;
	}
	if (rc == -ERANGE || x < k->min || x > k->max) {
		snprintf(err, len, "%s: %.40s is out of range %s", k->name, v, k->range);
		return KNOB_EINPUT;
	}
	snprintf(s->value, sizeof(s->value), "%lld", (long long)x);
	return KNOB_OK;
}

/* a vendor parameter: the kernel checks the value, it only has to be one word */
static int check_word(struct knob_set *s, const char *v, char *err, size_t len)
{
	const char *c;

	if (strlen(v) >= sizeof(s->value)) {
		snprintf(err, len, "%s: value too long (at most %zu characters)", s->info.name,
			 sizeof(s->value) - 1);
		return KNOB_EINPUT;
	}
	for (c = v; *c; c++) {
		if (!isgraph((unsigned char)*c)) {
			snprintf(err, len, "%s: '%s' has spaces or control characters",
				 s->info.name, v);
			return KNOB_EINPUT;
		}
	}
	snprintf(s->value, sizeof(s->value), "%s", v);
	return KNOB_OK;
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
		return KNOB_EINPUT;
	}
	nlen = eq - s->arg;
	if (!nlen) {
		snprintf(err, len, "missing knob name in '%.60s'", s->arg);
		return KNOB_EINPUT;
	}
	snprintf(name, sizeof(name), "%.*s", (int)nlen, s->arg);
	if (nlen >= sizeof(name) || knob_find(p, name, &s->info)) {
		snprintf(err, len, "unknown knob '%.60s' ('prtop knob' lists them)", name);
		return KNOB_EINPUT;
	}
	for (j = 0; j < i; j++) {
		if (!strcmp(set[j].info.name, s->info.name)) {
			snprintf(err, len, "%s is given twice", s->info.name);
			return KNOB_EINPUT;
		}
	}
	rc = check_settable(&s->info, err, len);
	if (rc)
		return rc;
	if (!eq[1]) {
		snprintf(err, len, "%s: empty value (range %s)", s->info.name, s->info.range);
		return KNOB_EINPUT;
	}
	if (s->info.bounded)
		return check_int(s, eq + 1, err, len);
	return check_word(s, eq + 1, err, len);
}

int knob_validate(const struct knob_paths *p, struct knob_set *set, int n, char *err, size_t errlen)
{
	struct knob_paths r = resolve(p);
	int i, rc;

	for (i = 0; i < n; i++) {
		set[i].written = false;
		rc = validate_one(&r, set, i, err, errlen);
		if (rc)
			return rc;
	}
	return KNOB_OK;
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
	struct knob_paths r = resolve(p);
	int i, rc;

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
		roll_back(&r, set, i, err, errlen);
		return KNOB_EFAIL;
	}
	return KNOB_OK;
}

/* ---- persisting ---- */

enum conf_kind { CONF_SYSCTL, CONF_TMPFILES, CONF_MODPROBE, CONF__COUNT };

static const struct {
	const char *dir, *applies;
} conf_files[CONF__COUNT] = {
    [CONF_SYSCTL] = {"sysctl.d", "systemd-sysctl applies it at boot"},
    [CONF_TMPFILES] = {"tmpfiles.d", "systemd-tmpfiles applies it at boot"},
    [CONF_MODPROBE] = {"modprobe.d", "modprobe applies it when page_reporting loads"},
};

#define CONF_HEADER "# Written by prtop knob --persist; other lines are kept."

struct conf_line {
	char key[256];
	char line[512];
	const char *param; /* module parameter (kernel command line alternative) or NULL */
	const char *value;
	bool done;
};

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* the key a line of a file of this kind sets, in key; false for none */
static bool line_key(enum conf_kind kind, const char *line, char *key, size_t len)
{
	const char *s = line, *e;
	char f1[64];

	while (isspace((unsigned char)*s))
		s++;
	if (!*s || *s == '#' || *s == ';')
		return false;
	if (kind == CONF_SYSCTL) {
		char *c;

		if (*s == '-')
			s++;
		e = strchrnul(s, '=');
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		snprintf(key, len, "%.*s", (int)(e - s), s);
		for (c = key; *c; c++)
			if (*c == '/')
				*c = '.';
		return *key != '\0';
	}
	if (kind == CONF_TMPFILES)
		return sscanf(s, "%63s %255s", f1, key) == 2;
	/* options page_reporting NAME=VALUE */
	if (sscanf(s, "options %63s %255[^= \t]", f1, key) != 2)
		return false;
	return !strcmp(f1, "page_reporting");
}

/* the new content of path: its lines with keys in upd replaced, the rest appended */
static int conf_write(FILE *out, FILE *old, enum conf_kind kind, struct conf_line *upd, int n)
{
	char *line = NULL, key[256];
	size_t cap = 0;
	ssize_t len;
	int i;

	fprintf(out, "%s\n", CONF_HEADER);
	while (old && (len = getline(&line, &cap, old)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (!strcmp(line, CONF_HEADER))
			continue;
		if (!line_key(kind, line, key, sizeof(key))) {
			fprintf(out, "%s\n", line);
			continue;
		}
		for (i = 0; i < n && strcmp(upd[i].key, key); i++)
			;
		if (i == n) {
			fprintf(out, "%s\n", line);
		} else if (!upd[i].done) {
			fprintf(out, "%s\n", upd[i].line);
			upd[i].done = true;
		}
	}
	free(line);
	for (i = 0; i < n; i++)
		if (!upd[i].done)
			fprintf(out, "%s\n", upd[i].line);
	return ferror(out) || (old && ferror(old)) ? -EIO : 0;
}

/* rewrite path through a temporary file in the same directory */
static int conf_update(const char *dir, const char *path, enum conf_kind kind,
		       struct conf_line *upd, int n)
{
	char tmp[PATH_MAX];
	FILE *old, *out = NULL;
	int fd, rc;

	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	old = fopen(path, "re");
	if (!old && errno != ENOENT)
		return -errno;
	if (str_printf(tmp, sizeof(tmp), "%s.XXXXXX", path)) {
		rc = -ENAMETOOLONG;
		goto out;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	out = fdopen(fd, "w");
	if (!out) {
		rc = -errno;
		close(fd);
		goto fail;
	}
	rc = conf_write(out, old, kind, upd, n);
	if (!rc && fchmod(fd, 0644))
		rc = -errno;
	if (!rc && (fflush(out) || fsync(fd)))
		rc = -errno;
	if (fclose(out) && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path))
		rc = -errno;
fail:
	if (rc)
		unlink(tmp);
out:
	if (old)
		fclose(old);
	return rc;
}

/* the file kind, key and line that persist s */
static enum conf_kind conf_line_of(const struct knob_paths *p, const struct knob_set *s,
				   struct conf_line *c)
{
	const char *param = base_name(s->info.path);
	char initstate[300];

	memset(c, 0, sizeof(*c));
	if (s->info.kind == KNOB_SYSCTL) {
		snprintf(c->key, sizeof(c->key), "vm.%s", param);
		snprintf(c->line, sizeof(c->line), "vm.%s = %s", param, s->value);
		return CONF_SYSCTL;
	}
	/* a loadable module has an initstate; built-in code (mm/page_reporting.c) has none */
	snprintf(initstate, sizeof(initstate), "%s/initstate", p->module_dir);
	if (exists(initstate, NULL)) {
		snprintf(c->key, sizeof(c->key), "%s", param);
		snprintf(c->line, sizeof(c->line), "options page_reporting %s=%s", param, s->value);
		return CONF_MODPROBE;
	}
	snprintf(c->key, sizeof(c->key), "%s", s->info.path);
	snprintf(c->line, sizeof(c->line), "w %s - - - - %s", s->info.path, s->value);
	c->param = param;
	c->value = s->value;
	return CONF_TMPFILES;
}

int knob_persist(const struct knob_paths *p, const struct knob_set *set, int n, bool dry_run,
		 FILE *out, char *err, size_t errlen)
{
	struct knob_paths r = resolve(p);
	struct conf_line *lines;
	int cnt[CONF__COUNT] = {0}, i, k, rc = KNOB_OK;

	lines = calloc((size_t)n * CONF__COUNT + 1, sizeof(*lines));
	if (!lines) {
		snprintf(err, errlen, "out of memory");
		return KNOB_EFAIL;
	}
	for (i = 0; i < n; i++) {
		struct conf_line c;

		k = conf_line_of(&r, &set[i], &c);
		lines[k * n + cnt[k]++] = c;
	}
	for (k = 0; k < CONF__COUNT && rc == KNOB_OK; k++) {
		struct conf_line *upd = &lines[k * n];
		char dir[PATH_MAX], path[PATH_MAX];
		int e;

		if (!cnt[k])
			continue;
		e = path_join(dir, sizeof(dir), r.etc_dir, conf_files[k].dir);
		if (!e)
			e = path_join(path, sizeof(path), dir, "90-prtop.conf");
		if (!e && !dry_run)
			e = conf_update(dir, path, k, upd, cnt[k]);
		if (e) {
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(-e));
			rc = KNOB_EFAIL;
			break;
		}
		for (i = 0; i < cnt[k]; i++) {
			fprintf(out, "%s %s (%s): %s\n",
				dry_run ? "would persist in" : "persisted in", path,
				conf_files[k].applies, upd[i].line);
			if (upd[i].param)
				fprintf(out,
					"  or on the kernel command line: page_reporting.%s=%s\n",
					upd[i].param, upd[i].value);
		}
	}
	for (i = 0; i < n && rc == KNOB_OK; i++)
		if (!strcmp(set[i].info.name, "order"))
			fprintf(
			    out,
			    "note: some kernels (Debian's 6.1 among them) reset the order when the "
			    "balloon driver registers; a value applied before that is lost\n");
	free(lines);
	return rc;
}

/* ---- the command ---- */

static const char *kind_name(enum knob_kind k)
{
	static const char *const names[] = {
	    [KNOB_SYSCTL] = "sysctl",	   [KNOB_MODPARAM] = "module_parameter",
	    [KNOB_CONSTANT] = "constant",  [KNOB_VENDOR] = "vendor_parameter",
	    [KNOB_READONLY] = "read_only", [KNOB_MISSING] = "missing",
	};

	return names[k];
}

static json_object *info_json(const struct knob_info *k)
{
	json_object *o = json_object_new_object();
	json_object *v = NULL;
	int64_t x;

	if (!k->read_err && k->integer && !knob_parse_int(k->value, &x))
		v = json_object_new_int64(x);
	else if (!k->read_err)
		v = json_object_new_string(k->value);
	json_object_object_add(o, "name", json_object_new_string(k->name));
	json_object_object_add(o, "value", v);
	json_object_object_add(o, "unit", json_object_new_string(k->unit));
	json_object_object_add(o, "range", json_object_new_string(k->range));
	json_object_object_add(o, "min", k->bounded ? json_object_new_int64(k->min) : NULL);
	json_object_object_add(o, "max",
			       k->bounded && k->max_known ? json_object_new_int64(k->max) : NULL);
	json_object_object_add(o, "source", json_object_new_string(k->source));
	json_object_object_add(o, "kind", json_object_new_string(kind_name(k->kind)));
	json_object_object_add(o, "path", k->path[0] ? json_object_new_string(k->path) : NULL);
	json_object_object_add(o, "writable", json_object_new_boolean(k->writable));
	json_object_object_add(o, "needs_patch", json_object_new_boolean(k->kind == KNOB_CONSTANT));
	return o;
}

static int print_json(const struct knob_paths *p, const struct knob_info *k, int n)
{
	json_object *d = json_object_new_object(), *a = json_object_new_array();
	int i;

	json_object_object_add(d, "patched", json_object_new_boolean(knob_patched(p)));
	for (i = 0; i < n; i++)
		json_object_array_add(a, info_json(&k[i]));
	json_object_object_add(d, "knobs", a);
	printf("%s\n", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(d);
	return KNOB_OK;
}

static const char *unit_of(const struct knob_info *k)
{
	return k->unit[0] ? k->unit : "-";
}

static void widen(int *w, const char *s)
{
	int l = (int)strlen(s);

	if (l > *w)
		*w = l;
}

static void print_table(const struct knob_info *k, int n)
{
	int wn = 4, wv = 5, wu = 4, wr = 5, i;
	char needs[128] = "";

	for (i = 0; i < n; i++) {
		widen(&wn, k[i].name);
		widen(&wv, k[i].value);
		widen(&wu, unit_of(&k[i]));
		widen(&wr, k[i].range);
	}
	printf("%-*s  %-*s  %-*s  %-*s  %s\n", wn, "NAME", wv, "VALUE", wu, "UNIT", wr, "RANGE",
	       "SOURCE");
	for (i = 0; i < n; i++) {
		printf("%-*s  %-*s  %-*s  %-*s  %s\n", wn, k[i].name, wv, k[i].value, wu,
		       unit_of(&k[i]), wr, k[i].range, k[i].source);
		if (k[i].kind == KNOB_CONSTANT)
			snprintf(needs + strlen(needs), sizeof(needs) - strlen(needs), "%s%s",
				 needs[0] ? " and " : "", k[i].name);
	}
	if (needs[0])
		printf("note: %s can only be changed with the bundled kernel patch "
		       "(patches/ in prtop's source); order works on any kernel\n",
		       needs);
	if (k[2].kind == KNOB_MISSING)
		printf("note: this kernel has no free page reporting (CONFIG_PAGE_REPORTING)\n");
}

static int list_cmd(const struct knob_paths *p, bool json)
{
	struct knob_info *k = calloc(KNOB_MAX, sizeof(*k));
	int n;

	if (!k) {
		fprintf(stderr, "prtop knob: out of memory\n");
		return KNOB_EFAIL;
	}
	n = knob_list(p, k, KNOB_MAX);
	if (json)
		print_json(p, k, n);
	else
		print_table(k, n);
	free(k);
	return fflush(stdout) ? KNOB_EFAIL : KNOB_OK;
}

/* prtop knob NAME...: each value on its own line, or JSON */
static int read_cmd(const struct knob_paths *p, char **names, int n, bool json)
{
	struct knob_info *k = n > 0 ? calloc((size_t)n, sizeof(*k)) : NULL;
	int i, rc = KNOB_OK;

	if (!k) {
		fprintf(stderr, "prtop knob: out of memory\n");
		return KNOB_EFAIL;
	}
	for (i = 0; i < n && rc == KNOB_OK; i++) {
		if (knob_find(p, names[i], &k[i])) {
			fprintf(stderr,
				"prtop knob: unknown knob '%.60s' ('prtop knob' lists them)\n",
				names[i]);
			rc = KNOB_EINPUT;
		} else if (k[i].kind == KNOB_MISSING && !json) {
			fprintf(stderr, "prtop knob: %s: this kernel has no free page reporting\n",
				k[i].name);
			rc = KNOB_EFAIL;
		} else if (k[i].read_err && !json) {
			fprintf(stderr, "prtop knob: %s: cannot read %s: %s\n", k[i].name,
				k[i].path[0] ? k[i].path : "it", strerror(-k[i].read_err));
			rc = KNOB_EFAIL;
		}
	}
	if (rc == KNOB_OK && json)
		print_json(p, k, n);
	else if (rc == KNOB_OK)
		for (i = 0; i < n; i++)
			printf("%s\n", k[i].value);
	free(k);
	if (fflush(stdout))
		rc = KNOB_EFAIL;
	return rc;
}

static int set_cmd(const struct knob_paths *p, char **args, int n, bool dry_run, bool persist)
{
	struct knob_set *set = n > 0 ? calloc((size_t)n, sizeof(*set)) : NULL;
	char err[1024];
	int i, rc;

	if (!set) {
		fprintf(stderr, "prtop knob: out of memory\n");
		return KNOB_EFAIL;
	}
	for (i = 0; i < n; i++)
		set[i].arg = args[i];
	rc = knob_validate(p, set, n, err, sizeof(err));
	if (rc)
		goto fail;
	if (!dry_run && geteuid() != 0) {
		snprintf(err, sizeof(err), "writing knobs needs root (run with sudo)");
		rc = KNOB_EFAIL;
		goto fail;
	}
	if (!dry_run) {
		rc = knob_apply(p, set, n, err, sizeof(err));
		if (rc)
			goto fail;
	}
	for (i = 0; i < n; i++)
		printf("%s: %s -> %s%s\n", set[i].info.name, set[i].info.value,
		       dry_run ? set[i].value : set[i].now,
		       dry_run ? " (dry run, not written)" : "");
	if (persist) {
		rc = knob_persist(p, set, n, dry_run, stdout, err, sizeof(err));
		if (rc) {
			fflush(stdout);
			fprintf(stderr, "prtop knob: set, but not persisted: %s\n", err);
		}
	}
	free(set);
	if (fflush(stdout))
		rc = KNOB_EFAIL;
	return rc;
fail:
	fprintf(stderr, "prtop knob: %s\n", err);
	free(set);
	return rc;
}

static int knob_usage(const char *fmt, const char *what)
{
	fprintf(stderr, "prtop knob: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\nTry 'prtop help knob'.\n");
	return KNOB_EINPUT;
}

int knob_main(int argc, char **argv, const char *help)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},	 {"verbose", no_argument, NULL, 'v'},
	    {"dry-run", no_argument, NULL, 'n'}, {"persist", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},	 {0},
	};
	struct knob_paths p = {0};
	bool json = false, dry_run = false, persist = false;
	const char *etc = getenv("PRTOP_KNOB_ETC");
	int o, i, nset = 0, nargs;
	char **args;

	if (etc && *etc)
		p.etc_dir = etc;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "hjv", longopts, NULL)) != -1) {
		switch (o) {
		case 'j':
			json = true;
			break;
		case 'v': /* accepted like every command's; knob has nothing more to say */
			break;
		case 'n':
			dry_run = true;
			break;
		case 'p':
			persist = true;
			break;
		case 'h':
			fputs(help, stdout);
			return KNOB_OK;
		default:
			return knob_usage("invalid option '%s'", argv[optind - 1]);
		}
	}
	args = argv + optind;
	nargs = argc - optind;
	for (i = 0; i < nargs; i++)
		nset += strchr(args[i], '=') != NULL;
	if (nset && nset != nargs)
		return knob_usage("%s", "give NAMEs to read or NAME=VALUE to set, not both");
	if (!nset && (dry_run || persist))
		return knob_usage("%s", "--dry-run and --persist go with NAME=VALUE");
	if (nset && json)
		return knob_usage("%s", "--json is for listing and reading, not for setting");
	if (nset)
		return set_cmd(&p, args, nargs, dry_run, persist);
	if (nargs)
		return read_cmd(&p, args, nargs, json);
	return list_cmd(&p, json);
}
