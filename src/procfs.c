// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for the /proc and /sys files the collector reads: kallsyms,
 * buddyinfo, the page_reporting module parameters, and uname.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "procfs.h"

/* ---- kallsyms ---- */

struct ksyms {
	struct ksym *sym; /* file order */
	size_t n;
	size_t *by_addr; /* indexes sorted by address, no __pfx_ */
	size_t n_addr;
	size_t *by_name; /* indexes sorted by name, then file order */
	char *strs;	 /* every name and module, NUL-terminated */
	bool hidden;
};

/* while parsing, names are offsets into a growing string buffer */
struct ksym_raw {
	uint64_t addr;
	size_t name;
	size_t module; /* SIZE_MAX: vmlinux */
	char type;
};

struct ksym_builder {
	struct ksym_raw *raw;
	size_t n, cap;
	char *strs;
	size_t slen, scap;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 1024;
	void *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

static int str_add(struct ksym_builder *b, const char *s, size_t len, size_t *off)
{
	if (grow((void **)&b->strs, &b->scap, b->slen + len + 1, 1))
		return -ENOMEM;
	memcpy(b->strs + b->slen, s, len);
	b->strs[b->slen + len] = '\0';
	*off = b->slen;
	b->slen += len + 1;
	return 0;
}

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_word(const char *p)
{
	while (*p && !isspace((unsigned char)*p))
		p++;
	return p;
}

/*
 * "ffffffff81000000 T _text" or "ffffffffc0a01000 t foo\t[mod]".
 * Returns 0 and fills r, 1 for a line to skip, -ENOMEM.
 */
static int parse_ksym_line(struct ksym_builder *b, const char *line, struct ksym_raw *r)
{
	const char *p = line, *name, *end, *mod, *mend;
	int ndig = 0;

	r->addr = 0;
	for (; isxdigit((unsigned char)*p); p++, ndig++) {
		int d =
		    isdigit((unsigned char)*p) ? *p - '0' : tolower((unsigned char)*p) - 'a' + 10;
		r->addr = r->addr << 4 | (uint64_t)d;
	}
	if (ndig == 0 || ndig > 16 || (*p != ' ' && *p != '\t'))
		return 1;
	p = skip_space(p);
	if (!isalpha((unsigned char)*p) || (p[1] != ' ' && p[1] != '\t'))
		return 1;
	r->type = *p;
	name = skip_space(p + 1);
	end = skip_word(name);
	if (end == name)
		return 1;
	mod = skip_space(end);
	r->module = SIZE_MAX;
	if (*mod == '[') {
		mend = strchr(mod, ']');
		if (!mend || mend == mod + 1)
			return 1;
		if (str_add(b, mod + 1, mend - mod - 1, &r->module))
			return -ENOMEM;
	} else if (*mod && *mod != '\n' && *mod != '\r') {
		return 1; /* trailing junk */
	}
	return str_add(b, name, end - name, &r->name);
}

static int cmp_addr(const void *a, const void *b, void *ctx)
{
	const struct ksyms *ks = ctx;
	const struct ksym *x = &ks->sym[*(const size_t *)a];
	const struct ksym *y = &ks->sym[*(const size_t *)b];

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static int cmp_name(const void *a, const void *b, void *ctx)
{
	const struct ksyms *ks = ctx;
	const struct ksym *x = &ks->sym[*(const size_t *)a];
	const struct ksym *y = &ks->sym[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static bool is_pfx(const char *name)
{
	return strncmp(name, "__pfx_", 6) == 0;
}

/* turn the builder into the final table; takes ownership of b's memory */
static struct ksyms *ksyms_finish(struct ksym_builder *b)
{
	struct ksyms *ks = calloc(1, sizeof(*ks));
	size_t i, n = b->n;

	if (!ks)
		return NULL;
	ks->sym = calloc(n ? n : 1, sizeof(*ks->sym));
	ks->by_addr = calloc(n ? n : 1, sizeof(size_t));
	ks->by_name = calloc(n ? n : 1, sizeof(size_t));
	if (!ks->sym || !ks->by_addr || !ks->by_name)
		goto fail;
	ks->strs = b->strs;
	b->strs = NULL;
	ks->n = n;
	ks->hidden = true;
	for (i = 0; i < n; i++) {
		struct ksym_raw *r = &b->raw[i];

		ks->sym[i].addr = r->addr;
		ks->sym[i].type = r->type;
		ks->sym[i].name = ks->strs + r->name;
		ks->sym[i].module = r->module == SIZE_MAX ? NULL : ks->strs + r->module;
		if (r->addr)
			ks->hidden = false;
		ks->by_name[i] = i;
		if (!is_pfx(ks->sym[i].name))
			ks->by_addr[ks->n_addr++] = i;
	}
	qsort_r(ks->by_addr, ks->n_addr, sizeof(size_t), cmp_addr, ks);
	qsort_r(ks->by_name, n, sizeof(size_t), cmp_name, ks);
	return ks;
fail:
	ksyms_free(ks);
	errno = ENOMEM;
	return NULL;
}

/* the name field of a kallsyms line ("addr type name [module]"), or NULL */
static const char *line_name(const char *line, size_t *len)
{
	const char *p = skip_word(skip_space(line));

	p = skip_word(skip_space(p));
	p = skip_space(p);
	*len = (size_t)(skip_word(p) - p);
	return *len ? p : NULL;
}

struct ksyms *ksyms_parse(FILE *f)
{
	return ksyms_parse_filtered(f, NULL, NULL);
}

struct ksyms *ksyms_parse_filtered(FILE *f, ksym_keep_fn keep, void *ctx)
{
	struct ksym_builder b = {0};
	struct ksyms *ks = NULL;
	char *line = NULL;
	size_t lcap = 0;
	int err = 0;

	if (!f) {
		errno = EINVAL;
		return NULL;
	}
	while (getline(&line, &lcap, f) > 0) {
		struct ksym_raw r;
		const char *name;
		size_t nlen;
		int rc;

		if (keep && (!(name = line_name(line, &nlen)) || !keep(name, nlen, ctx)))
			continue;
		rc = parse_ksym_line(&b, line, &r);

		if (rc < 0) {
			err = -rc;
			goto out;
		}
		if (rc > 0)
			continue;
		if (grow((void **)&b.raw, &b.cap, b.n + 1, sizeof(r))) {
			err = ENOMEM;
			goto out;
		}
		b.raw[b.n++] = r;
	}
	if (ferror(f)) {
		err = errno ? errno : EIO;
		goto out;
	}
	ks = ksyms_finish(&b);
	if (!ks)
		err = ENOMEM;
out:
	free(line);
	free(b.raw);
	free(b.strs);
	if (!ks)
		errno = err;
	return ks;
}

struct ksyms *ksyms_load(const char *path)
{
	return ksyms_load_filtered(path, NULL, NULL);
}

struct ksyms *ksyms_load_fd(int fd)
{
	struct ksyms *ks;
	FILE *f;
	int dfd, err;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return NULL;
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	f = dfd < 0 ? NULL : fdopen(dfd, "r");
	if (!f) {
		if (dfd >= 0)
			close(dfd);
		return NULL;
	}
	ks = ksyms_parse(f);
	err = errno;
	fclose(f);
	errno = err;
	return ks;
}

struct ksyms *ksyms_load_filtered(const char *path, ksym_keep_fn keep, void *ctx)
{
	char buf[64 * 1024]; /* stdio's 4 KiB: 1300 reads of kallsyms, a fifth of its time */
	struct ksyms *ks;
	FILE *f;
	int err;

	f = fopen(path ? path : "/proc/kallsyms", "re");
	if (!f)
		return NULL;
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	ks = ksyms_parse_filtered(f, keep, ctx);
	err = errno;
	fclose(f);
	errno = err;
	return ks;
}

void ksyms_free(struct ksyms *ks)
{
	if (!ks)
		return;
	free(ks->sym);
	free(ks->by_addr);
	free(ks->by_name);
	free(ks->strs);
	free(ks);
}

size_t ksyms_count(const struct ksyms *ks)
{
	return ks ? ks->n : 0;
}

const struct ksym *ksyms_at(const struct ksyms *ks, size_t i)
{
	return ks && i < ks->n ? &ks->sym[i] : NULL;
}

bool ksyms_hidden(const struct ksyms *ks)
{
	return !ks || ks->hidden;
}

/* first index in by_name whose name is >= key (by strncmp on len) */
static size_t name_lower_bound(const struct ksyms *ks, const char *key, size_t len)
{
	size_t lo = 0, hi = ks->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strncmp(ks->sym[ks->by_name[mid]].name, key, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct ksym *ksyms_by_name(const struct ksyms *ks, const char *name)
{
	size_t i;

	if (!ks || !name)
		return NULL;
	i = name_lower_bound(ks, name, strlen(name) + 1);
	if (i < ks->n && strcmp(ks->sym[ks->by_name[i]].name, name) == 0)
		return &ks->sym[ks->by_name[i]];
	return NULL;
}

const struct ksym *ksyms_by_addr(const struct ksyms *ks, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!ks || ks->hidden)
		return NULL;
	hi = ks->n_addr;
	/* find the first symbol above addr; the one before contains it */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks->sym[ks->by_addr[mid]].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	/* among symbols at the same address, return the first in the file */
	addr = ks->sym[ks->by_addr[lo - 1]].addr;
	while (lo > 1 && ks->sym[ks->by_addr[lo - 2]].addr == addr)
		lo--;
	return &ks->sym[ks->by_addr[lo - 1]];
}

/*
 * A clone suffix is a run of ".word" parts where every word is one GCC or
 * clang uses for specialised or split copies (isra, constprop, part, cold,
 * lto_priv, llvm) or a number: ".isra.0", ".constprop.0.isra.0", ".cold",
 * ".part.3", ".llvm.123456".
 */
static bool clone_word(const char *w, size_t len)
{
	static const char *const words[] = {
	    "isra", "constprop", "part", "cold", "lto_priv", "llvm",
	};
	size_t i;

	if (!len)
		return false;
	for (i = 0; i < len && isdigit((unsigned char)w[i]); i++)
		;
	if (i == len)
		return true;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i]) == len && !memcmp(w, words[i], len))
			return true;
	return false;
}

static bool is_clone_suffix(const char *s)
{
	if (*s != '.')
		return false;
	while (*s == '.') {
		const char *w = s + 1;
		const char *e = strchrnul(w, '.');

		if (!clone_word(w, e - w))
			return false;
		s = e;
	}
	return *s == '\0';
}

/* lower is better: code entry points first, split-off cold parts last */
static int clone_rank(const struct ksym *k, size_t base)
{
	int r = 0;

	if (strstr(k->name + base, ".cold"))
		r += 2;
	if (k->type != 't' && k->type != 'T')
		r += 4;
	return r;
}

const struct ksym *ksyms_clone_of(const struct ksyms *ks, const char *name)
{
	const struct ksym *best = NULL;
	size_t len, i;
	int best_rank = INT_MAX;

	if (!ks || !name || !*name)
		return NULL;
	len = strlen(name);
	i = name_lower_bound(ks, name, len);
	for (; i < ks->n; i++) {
		const struct ksym *k = &ks->sym[ks->by_name[i]];
		int r;

		if (strncmp(k->name, name, len))
			break;
		if (!is_clone_suffix(k->name + len))
			continue;
		r = clone_rank(k, len);
		if (r < best_rank || (r == best_rank && k < best)) {
			best = k;
			best_rank = r;
		}
	}
	return best;
}

/* ---- buddyinfo ---- */

/* "Node 0, zone   Normal   1   2 ..." */
static int parse_buddy_line(char *line, uint64_t blocks[PRTOP_ORDERS])
{
	char *p = line, *end;
	int order = 0;

	if (strncmp(p, "Node", 4) || !isspace((unsigned char)p[4]))
		return -EINVAL;
	p = (char *)skip_space(p + 4);
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p++ != ',')
		return -EINVAL;
	p = (char *)skip_space(p);
	if (strncmp(p, "zone", 4) || !isspace((unsigned char)p[4]))
		return -EINVAL;
	p = (char *)skip_space(p + 4);
	end = (char *)skip_word(p);
	if (end == p)
		return -EINVAL;
	p = end;
	for (;;) {
		unsigned long long v;

		p = (char *)skip_space(p);
		if (*p == '\0' || *p == '\n' || *p == '\r')
			break;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno == ERANGE || (*end && !isspace((unsigned char)*end)))
			return -EINVAL;
		p = end;
		/* orders past what we track are counted but not stored */
		if (order < PRTOP_ORDERS)
			blocks[order] =
			    v > UINT64_MAX - blocks[order] ? UINT64_MAX : blocks[order] + v;
		order++;
	}
	return order ? order : -EINVAL;
}

static bool blank(const char *s)
{
	return *skip_space(s) == '\0' || *skip_space(s) == '\n';
}

/*
 * zones (may be NULL) gets each node's zone line apart, up to max_zones of
 * them: the kernel's per-pass budget is worked out per zone
 */
static int parse_zones(FILE *f, uint64_t blocks[PRTOP_ORDERS], uint64_t (*zones)[PRTOP_ORDERS],
		       int max_zones, int *nzones)
{
	char *line = NULL;
	size_t cap = 0;
	int orders = 0, rc = -EINVAL, nz = 0;

	memset(blocks, 0, PRTOP_ORDERS * sizeof(blocks[0]));
	if (!f)
		return -EINVAL;
	while (getline(&line, &cap, f) > 0) {
		uint64_t one[PRTOP_ORDERS] = {0};
		int n, i;

		if (blank(line))
			continue;
		n = parse_buddy_line(line, one);
		if (n < 0) {
			rc = n;
			goto fail;
		}
		for (i = 0; i < PRTOP_ORDERS; i++)
			blocks[i] =
			    one[i] > UINT64_MAX - blocks[i] ? UINT64_MAX : blocks[i] + one[i];
		if (zones && nz < max_zones)
			memcpy(zones[nz++], one, sizeof(one));
		if (n > orders)
			orders = n;
	}
	if (ferror(f) || orders == 0)
		goto fail;
	free(line);
	if (nzones)
		*nzones = nz;
	return orders < PRTOP_ORDERS ? orders : PRTOP_ORDERS;
fail:
	free(line);
	memset(blocks, 0, PRTOP_ORDERS * sizeof(blocks[0]));
	if (nzones)
		*nzones = 0;
	return rc;
}

int buddyinfo_parse(FILE *f, uint64_t blocks[PRTOP_ORDERS])
{
	return parse_zones(f, blocks, NULL, 0, NULL);
}

int buddyinfo_read_zones(const char *path, uint64_t blocks[PRTOP_ORDERS],
			 uint64_t (*zones)[PRTOP_ORDERS], int max_zones, int *nzones)
{
	FILE *f = fopen(path ? path : "/proc/buddyinfo", "re");
	int rc;

	if (nzones)
		*nzones = 0;
	if (!f) {
		memset(blocks, 0, PRTOP_ORDERS * sizeof(blocks[0]));
		return -errno;
	}
	rc = parse_zones(f, blocks, zones, max_zones, nzones);
	fclose(f);
	return rc;
}

int buddyinfo_read(const char *path, uint64_t blocks[PRTOP_ORDERS])
{
	return buddyinfo_read_zones(path, blocks, NULL, 0, NULL);
}

/* ---- module parameters ---- */

const char *param_meaning(const char *name)
{
	if (name && strcmp(name, "page_reporting_order") == 0)
		return "minimum order of pages reported";
	return NULL;
}

uint32_t param_unit_bytes(const char *name)
{
	static const struct {
		const char *suffix;
		uint32_t bytes;
	} units[] = {{"_bytes", 1}, {"_kib", 1024}, {"_mib", 1024 * 1024}};
	size_t n = name ? strlen(name) : 0, i, k;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		k = strlen(units[i].suffix);
		if (n > k && !strcmp(name + n - k, units[i].suffix))
			return units[i].bytes;
	}
	return 0;
}

int read_trimmed_at(int dfd, const char *name, char *out, size_t len)
{
	char buf[256];
	size_t i, start = 0, end;
	ssize_t n;
	int fd, err = 0;

	fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		err = -errno;
	close(fd);
	if (err)
		return err;
	end = (size_t)n;
	while (start < end && isspace((unsigned char)buf[start]))
		start++;
	while (end > start && isspace((unsigned char)buf[end - 1]))
		end--;
	for (i = start; i < end; i++)
		if (!isprint((unsigned char)buf[i]))
			buf[i] = ' ';
	/* long values are cut to fit */
	if (end - start > len - 1)
		end = start + len - 1;
	memcpy(out, buf + start, end - start);
	out[end - start] = '\0';
	return 0;
}

/* the value of one parameter file, trimmed and printable; "?" if unreadable */
static void read_param(int dfd, const char *name, char *out, size_t len)
{
	if (read_trimmed_at(dfd, name, out, len))
		snprintf(out, len, "?");
}

/*
 * A read-only parameter holding a whole number: what vendor kernels use to
 * export counters (passes, reported_kib, walked here)
 */
static bool param_counter(int dfd, const char *name, const char *value, uint64_t *count)
{
	struct stat st;
	char *end;

	if (fstatat(dfd, name, &st, 0) || (st.st_mode & 0222) || !isdigit((unsigned char)*value))
		return false;
	errno = 0;
	*count = strtoull(value, &end, 10);
	return !errno && !*end;
}

static bool regular_file(int dfd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type == DT_REG)
		return true;
	if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
		return false;
	return fstatat(dfd, de->d_name, &st, 0) == 0 && S_ISREG(st.st_mode);
}

static int cmp_param(const void *a, const void *b)
{
	return strcmp(((const struct snap_param *)a)->name, ((const struct snap_param *)b)->name);
}

int params_read(const char *dir, struct snap_param *out, int max)
{
	struct snap_param *all = NULL;
	size_t n = 0, cap = 0, len;
	struct dirent *de;
	DIR *d;
	int rc;

	d = opendir(dir ? dir : "/sys/module/page_reporting/parameters");
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct snap_param *p;

		if (de->d_name[0] == '.' || !regular_file(dirfd(d), de))
			continue;
		len = strlen(de->d_name);
		if (len >= sizeof(p->name))
			continue; /* cannot be shown faithfully */
		if (grow((void **)&all, &cap, n + 1, sizeof(*all))) {
			rc = -ENOMEM;
			goto out;
		}
		p = &all[n++];
		memcpy(p->name, de->d_name, len + 1);
		read_param(dirfd(d), de->d_name, p->value, sizeof(p->value));
		p->meaning = param_meaning(p->name);
		p->counter = param_counter(dirfd(d), de->d_name, p->value, &p->count);
		p->unit_bytes = param_unit_bytes(p->name);
	}
	if (n)
		qsort(all, n, sizeof(*all), cmp_param);
	rc = max > 0 ? ((size_t)max < n ? max : (int)n) : 0;
	if (rc > 0 && out)
		memcpy(out, all, rc * sizeof(*all));
	else
		rc = 0;
out:
	free(all);
	closedir(d);
	return rc;
}

int vmstat_get(const char *path, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);
	char line[160], *end;
	int rc = -ENOENT;
	FILE *f;

	f = fopen(path ? path : "/proc/vmstat", "re");
	if (!f)
		return -errno;
	while (rc == -ENOENT && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ' ')
			continue;
		errno = 0;
		*v = strtoull(line + klen + 1, &end, 10);
		rc = errno || end == line + klen + 1 ? -EINVAL : 0;
	}
	fclose(f);
	return rc;
}

int meminfo_get(const char *path, const char *key, uint64_t *bytes)
{
	size_t klen = strlen(key);
	unsigned long long kb;
	char line[160];
	int rc = -ENOENT;
	FILE *f;

	f = fopen(path ? path : "/proc/meminfo", "re");
	if (!f)
		return -errno;
	while (rc == -ENOENT && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		rc = sscanf(line + klen + 1, "%llu kB", &kb) == 1 ? 0 : -EINVAL;
		if (!rc)
			*bytes = (uint64_t)kb * 1024;
	}
	fclose(f);
	return rc;
}

#define VIRTIO_ID_BALLOON		5
#define VIRTIO_BALLOON_F_FREE_PAGE_HINT 3

/* one device: HINT_NO_DEVICE unless it is a balloon */
static enum hint_offer hint_of(int dfd, const char *name)
{
	char path[300], buf[160];

	snprintf(path, sizeof(path), "%s/device", name);
	if (read_trimmed_at(dfd, path, buf, sizeof(buf)) ||
	    strtoll(buf, NULL, 0) != VIRTIO_ID_BALLOON)
		return HINT_NO_DEVICE;
	/* one character per feature bit, bit 0 first */
	snprintf(path, sizeof(path), "%s/features", name);
	if (read_trimmed_at(dfd, path, buf, sizeof(buf)) ||
	    strlen(buf) <= VIRTIO_BALLOON_F_FREE_PAGE_HINT)
		return HINT_NOT_OFFERED;
	return buf[VIRTIO_BALLOON_F_FREE_PAGE_HINT] == '1' ? HINT_OFFERED : HINT_NOT_OFFERED;
}

enum hint_offer virtio_hint_offer(const char *dir, char *dev, size_t len)
{
	enum hint_offer best = HINT_NO_DEVICE, h;
	struct dirent *de;
	DIR *d;

	if (dev && len)
		dev[0] = '\0';
	d = opendir(dir ? dir : "/sys/bus/virtio/devices");
	if (!d)
		return errno == ENOENT ? HINT_NO_DEVICE : HINT_UNKNOWN;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		h = hint_of(dirfd(d), de->d_name);
		if (h <= best)
			continue;
		best = h;
		if (dev && len)
			snprintf(dev, len, "%s", de->d_name);
	}
	closedir(d);
	return best;
}

void kernel_release(char *buf, size_t len)
{
	struct utsname u;

	if (!buf || !len)
		return;
	if (uname(&u) == 0)
		snprintf(buf, len, "%s", u.release);
	else
		snprintf(buf, len, "unknown");
}
