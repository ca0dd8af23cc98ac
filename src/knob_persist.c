// SPDX-License-Identifier: GPL-2.0
/*
 * Persisting knob values across reboots: our own line in sysctl.d for the
 * patch's sysctls, and for module parameters tmpfiles.d (page_reporting
 * built in) or modprobe.d (a loadable module).  Other lines in those files
 * are kept; files are replaced atomically.  Returns -errno.
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
	if (knob_exists(initstate, NULL)) {
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
	struct knob_paths r = knob_resolve(p);
	struct conf_line *lines;
	int cnt[CONF__COUNT] = {0}, i, k, rc = 0;

	lines = calloc((size_t)n * CONF__COUNT + 1, sizeof(*lines));
	if (!lines) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct conf_line c;

		k = conf_line_of(&r, &set[i], &c);
		lines[k * n + cnt[k]++] = c;
	}
	for (k = 0; k < CONF__COUNT && !rc; k++) {
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
			rc = e;
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
	for (i = 0; i < n && !rc; i++)
		if (!strcmp(set[i].info.name, "order"))
			fprintf(out, "note: some kernels (Debian's stock 6.1 among them) reset the "
				     "order when "
				     "the balloon driver registers; a value applied before that is "
				     "lost there "
				     "(mainline since 6.2 and prtop's patch series keep it)\n");
	free(lines);
	return rc;
}
