// SPDX-License-Identifier: GPL-2.0
/*
 * The kallsyms cache (ksyms_cache.h).  The kernel formats /proc/kallsyms
 * anew on every read: 120k+ lines, 20-50 ms on a VM, and prtop keeps a few
 * hundred of them.  Within one boot the kernel's own symbols never move and
 * a module's move only when the module set changes, so the kept symbols are
 * stored under a key of the boot, the modules and prtop's filter.  The file
 * holds kernel addresses (what KASLR hides): it is root's, mode 0600, in a
 * directory nobody else can write, or it is not used.  A header counts and
 * hashes the body, so a truncated or altered file is read as a miss.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ksyms_cache.h"
#include "str.h"

#define MAGIC	  "prtop-kallsyms-cache 1\n"
#define MAX_BYTES (4 << 20) /* the kept symbols are a few KiB; anything this large is not ours */

uint64_t kcache_fnv(uint64_t h, const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

const char *kcache_dir(void)
{
	const char *d = getenv("PRTOP_CACHE_DIR");

	if (!d)
		return KCACHE_DEFAULT_DIR;
	return !d[0] || !strcmp(d, "off") ? NULL : d;
}

/* name, size, state and address of every module; -EAGAIN while one is in flux */
static int modules_hash(const char *path, uint64_t *h)
{
	char line[1024], name[128], state[16];
	unsigned long long size, addr;
	FILE *f = fopen(path, "re");

	*h = KCACHE_FNV_SEED;
	if (!f)
		return errno == ENOENT ? 0 : -errno; /* no modules: CONFIG_MODULES=n */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %llu %*s %*s %15s %llx", name, &size, state, &addr) != 4 ||
		    strcmp(state, "Live")) {
			fclose(f);
			return -EAGAIN;
		}
		*h = kcache_fnv(*h, name, strlen(name) + 1);
		*h = kcache_fnv(*h, &size, sizeof(size));
		*h = kcache_fnv(*h, &addr, sizeof(addr));
	}
	fclose(f);
	return 0;
}

int kcache_key(const char *boot_id_path, const char *modules_path, uint64_t filter, char *key,
	       size_t len)
{
	char boot[64];
	uint64_t mods;
	int err;

	err = read_trimmed_at(AT_FDCWD,
			      boot_id_path ? boot_id_path : "/proc/sys/kernel/random/boot_id", boot,
			      sizeof(boot));
	if (err < 0)
		return err;
	if (!boot[0] || strpbrk(boot, " \n"))
		return -EINVAL;
	err = modules_hash(modules_path ? modules_path : "/proc/modules", &mods);
	if (err)
		return err;
	if ((size_t)snprintf(key, len, "boot=%s modules=%016" PRIx64 " filter=%016" PRIx64, boot,
			     mods, filter) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* the whole file, if it is a regular file of ours nobody else can read */
static char *read_private(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) || st.st_size <= 0 || st.st_size > MAX_BYTES)
		goto out;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto out;
	n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size) {
		free(buf);
		buf = NULL;
		goto out;
	}
	buf[n] = '\0';
	*len = (size_t)n;
out:
	close(fd);
	return buf;
}

/* the body after a header for key; NULL if the header does not match */
static const char *check_header(const char *buf, size_t len, const char *key, size_t *count)
{
	size_t klen = strlen(key), mlen = strlen(MAGIC);
	const char *p = buf, *nl;
	uint64_t hash;

	if (len < mlen || memcmp(p, MAGIC, mlen))
		return NULL;
	p += mlen;
	if (strncmp(p, "key ", 4) || strncmp(p + 4, key, klen) || p[4 + klen] != '\n')
		return NULL;
	p += 4 + klen + 1;
	nl = strchr(p, '\n');
	if (!nl || sscanf(p, "body %zu %" SCNx64, count, &hash) != 2)
		return NULL;
	p = nl + 1;
	if (kcache_fnv(KCACHE_FNV_SEED, p, len - (size_t)(p - buf)) != hash)
		return NULL;
	return p;
}

char *kcache_read(const char *dir, const char *name, const char *key, const char **body,
		  size_t *len, size_t *count)
{
	char path[512];
	size_t n = 0;
	char *buf;

	if (!dir || path_join(path, sizeof(path), dir, name))
		return NULL;
	buf = read_private(path, &n);
	if (!buf)
		return NULL;
	*body = check_header(buf, n, key, count);
	if (!*body) {
		free(buf);
		return NULL;
	}
	*len = n - (size_t)(*body - buf);
	return buf;
}

struct ksyms *kcache_load(const char *dir, const char *key)
{
	struct ksyms *ks = NULL;
	const char *body;
	size_t len = 0, count = 0;
	char *buf = kcache_read(dir, KCACHE_FILE, key, &body, &len, &count);
	FILE *f;

	if (!buf)
		return NULL;
	f = count && len ? fmemopen((void *)body, len, "r") : NULL;
	if (f) {
		ks = ksyms_parse(f);
		fclose(f);
	}
	/* every line parses, and the addresses are real (not kptr_restrict's zeros) */
	if (ks && (ksyms_count(ks) != count || ksyms_hidden(ks))) {
		ksyms_free(ks);
		ks = NULL;
	}
	free(buf);
	return ks;
}

/* BPF programs, trampolines and kprobe pages come and go within a boot */
static bool dynamic_sym(const struct ksym *k)
{
	return k->module && (!strcmp(k->module, "bpf") || !strncmp(k->module, "__builtin__", 11));
}

/* a directory of ours nobody else can write, made if missing */
static int private_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st))
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022))
		return -EPERM;
	return 0;
}

static char *format_body(const struct ksyms *ks, size_t *len, size_t *count)
{
	const struct ksym *k;
	char *body = NULL;
	FILE *f = open_memstream(&body, len);
	size_t i;

	if (!f)
		return NULL;
	*count = 0;
	for (i = 0; (k = ksyms_at(ks, i)); i++) {
		if (dynamic_sym(k))
			continue;
		fprintf(f, "%016" PRIx64 " %c %s%s%s%s\n", k->addr, k->type, k->name,
			k->module ? "\t[" : "", k->module ? k->module : "", k->module ? "]" : "");
		(*count)++;
	}
	if (fclose(f)) {
		free(body);
		return NULL;
	}
	return body;
}

int kcache_write(const char *dir, const char *name, const char *key, const char *body, size_t len,
		 size_t count)
{
	char path[512], tmp[512], tname[128];
	FILE *f = NULL;
	int fd, err;

	snprintf(tname, sizeof(tname), ".%s.XXXXXX", name);
	if (!dir || path_join(path, sizeof(path), dir, name) ||
	    path_join(tmp, sizeof(tmp), dir, tname))
		return -ENAMETOOLONG;
	err = private_dir(dir);
	if (err)
		return err;
	fd = mkstemp(tmp); /* 0600 */
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		err = -errno;
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		return err;
	}
	fprintf(f, MAGIC "key %s\nbody %zu %016" PRIx64 "\n", key, count,
		kcache_fnv(KCACHE_FNV_SEED, body, len));
	fwrite(body, 1, len, f);
	err = ferror(f) ? -EIO : 0;
	if (fclose(f) && !err)
		err = -errno;
	/* rename: a reader sees the old file or the new one, never half */
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int kcache_store(const char *dir, const char *key, const struct ksyms *ks)
{
	size_t len = 0, count = 0;
	char *body;
	int err;

	if (!dir || ksyms_hidden(ks))
		return -EINVAL;
	body = format_body(ks, &len, &count);
	if (!body)
		return -ENOMEM;
	err = kcache_write(dir, KCACHE_FILE, key, body, len, count);
	free(body);
	return err;
}

/* "name" or "name [module]" of a kallsyms line, into out; false if malformed */
static bool line_symbol(const char *line, char *out, size_t len)
{
	const char *name, *end, *mod, *mend;

	name = strpbrk(line, " \t");
	if (!name || !name[1] || (name[2] != ' ' && name[2] != '\t'))
		return false;
	name += 3;
	end = name + strcspn(name, " \t\r\n");
	if (end == name || !strncmp(name, "__pfx_", 6)) /* padding: never the function */
		return false;
	mod = end + strspn(end, " \t");
	mend = *mod == '[' ? strchr(mod, ']') : NULL;
	if (mend && mend > mod + 1)
		str_printf(out, len, "%.*s [%.*s]", (int)(end - name), name, (int)(mend - mod - 1),
			   mod + 1);
	else
		str_printf(out, len, "%.*s", (int)(end - name), name);
	return true;
}

int ksyms_name_at(int fd, uint64_t addr, char *out, size_t len)
{
	char buf[64 * 1024], *line = NULL, sym[256];
	uint64_t best = 0;
	size_t cap = 0;
	bool found = false;
	int dfd, err = 0;
	FILE *f;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	f = dfd < 0 ? NULL : fdopen(dfd, "r");
	if (!f) {
		err = -errno;
		if (dfd >= 0)
			close(dfd);
		return err;
	}
	setvbuf(f, buf, _IOFBF, sizeof(buf));
	/* the highest address at or below addr, the first line of it: ksyms_by_addr()'s */
	while (getline(&line, &cap, f) > 0) {
		char *end;
		uint64_t a = strtoull(line, &end, 16);

		if (end == line || a > addr || (found && a <= best) || !a)
			continue;
		if (line_symbol(end, sym, sizeof(sym))) {
			best = a;
			found = true;
			str_copy(out, len, sym);
		}
	}
	if (ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	return err ? err : found ? 0 : -ENOENT;
}
