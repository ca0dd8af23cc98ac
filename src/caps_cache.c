// SPDX-License-Identifier: GPL-2.0
/*
 * What the kernel's BTF says, cached.  prtop's own parse of the 5.5 MB BTF
 * (and of each module's) answers a few questions: which page_reporting
 * functions and patch tracepoints exist, their ids, which report()s and
 * hinting structures the modules have.  The answers change only with the
 * BTF files, so they are kept under a key of the kernel and of each file
 * under /sys/kernel/btf (name, size, time: a module loaded again has a new
 * file), in the kallsyms cache's format and directory.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "caps.h"
#include "ksyms_cache.h"
#include "str.h"

#define CACHE_FILE "btf-caps"
#define FORMAT	   "2" /* bump when the body's lines change meaning */

int caps_btf_key(const char *btf_dir, char *key, size_t len)
{
	const char *dir = btf_dir ? btf_dir : "/sys/kernel/btf";
	uint64_t h = KCACHE_FNV_SEED, files = 0;
	struct utsname u;
	struct dirent *de;
	DIR *d;

	if (uname(&u))
		return -errno;
	h = kcache_fnv(h, u.version, strlen(u.version) + 1);
	d = opendir(dir);
	if (!d)
		return -errno;
	/* readdir's order is the directory's: the same files give the same order */
	while ((de = readdir(d))) {
		char path[512];
		struct stat st;

		if (de->d_name[0] == '.' || path_join(path, sizeof(path), dir, de->d_name) ||
		    stat(path, &st))
			continue;
		h = kcache_fnv(h, de->d_name, strlen(de->d_name) + 1);
		h = kcache_fnv(h, &st.st_size, sizeof(st.st_size));
		h = kcache_fnv(h, &st.st_mtim, sizeof(st.st_mtim));
		files++;
	}
	closedir(d);
	if (!files)
		return -ENOENT;
	if ((size_t)snprintf(key, len, "format=" FORMAT " release=%s btf=%016llx files=%llu",
			     u.release, (unsigned long long)h, (unsigned long long)files) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* "-" for an empty name, so that every field is one word */
static const char *word(const char *s)
{
	return s[0] ? s : "-";
}

static void unword(char *s)
{
	if (!strcmp(s, "-"))
		s[0] = '\0';
}

int caps_btf_store(const struct kernel_caps *k, const struct caps_reports *r, const char *dir,
		   const char *key)
{
	char *body = NULL;
	size_t len = 0, lines = 0;
	FILE *f;
	int i, err;

	if (!dir || !key[0])
		return -EINVAL;
	f = open_memstream(&body, &len);
	if (!f)
		return -ENOMEM;
	for (i = 0; i < FN__COUNT; i++, lines++)
		fprintf(f, "fn %d %d %s\n", i, k->fn[i].btf_id, word(k->fn[i].name));
	fprintf(f, "patch_tps %u %u\n", k->patch_tps, k->patch_tps_other);
	for (i = 0; i < r->n; i++)
		fprintf(f, "report %s %s\n", r->fn[i].name, word(r->fn[i].module));
	fprintf(f, "hint %d %s %s\n", r->hint.in_btf, word(r->hint.name), word(r->hint.module));
	fprintf(f, "flags %d %d\n", r->hint_struct, r->publish_field);
	lines += (size_t)r->n + 3;
	if (fclose(f)) {
		free(body);
		return -ENOMEM;
	}
	err = kcache_write(dir, CACHE_FILE, key, body, len, lines);
	free(body);
	return err;
}

/* one line of the body into k or r; false for a line that is not one of ours */
static bool parse_line(const char *line, struct kernel_caps *k, struct caps_reports *r)
{
	char a[64], b[64];
	int i, id, x, y;

	if (sscanf(line, "fn %d %d %63s", &i, &id, a) == 3 && i >= 0 && i < FN__COUNT && id >= 0) {
		unword(a);
		str_copy(k->fn[i].name, sizeof(k->fn[i].name), a);
		k->fn[i].btf_id = id;
		k->fn[i].in_btf = id > 0;
		return true;
	}
	if (sscanf(line, "patch_tps %u %u", &k->patch_tps, &k->patch_tps_other) == 2)
		return true;
	if (sscanf(line, "report %63s %63s", a, b) == 2 && r->n < CAPS_MAX_REPORT_FNS) {
		unword(b);
		str_copy(r->fn[r->n].name, sizeof(r->fn[r->n].name), a);
		str_copy(r->fn[r->n].module, sizeof(r->fn[r->n].module), b);
		r->fn[r->n++].in_btf = true;
		return true;
	}
	if (sscanf(line, "hint %d %63s %63s", &x, a, b) == 3) {
		unword(a);
		unword(b);
		r->hint.in_btf = x;
		str_copy(r->hint.name, sizeof(r->hint.name), a);
		str_copy(r->hint.module, sizeof(r->hint.module), b);
		return true;
	}
	if (sscanf(line, "flags %d %d", &x, &y) == 2) {
		r->hint_struct = x;
		r->publish_field = y;
		return true;
	}
	return false;
}

int caps_btf_cached(struct kernel_caps *k, struct caps_reports *r, const char *dir, const char *key)
{
	char *buf, *save = NULL, *line;
	const char *body;
	size_t len, count, lines = 0;

	if (!dir || !key[0])
		return -ENOENT;
	buf = kcache_read(dir, CACHE_FILE, key, &body, &len, &count);
	if (!buf)
		return -ENOENT;
	memset(k, 0, sizeof(*k));
	memset(r, 0, sizeof(*r));
	for (line = strtok_r((char *)body, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!parse_line(line, k, r))
			break;
		lines++;
	}
	free(buf);
	if (lines != count || lines < FN__COUNT + 3) {
		memset(k, 0, sizeof(*k));
		memset(r, 0, sizeof(*r));
		return -EINVAL;
	}
	return 0;
}
