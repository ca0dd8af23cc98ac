// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for src/ksyms_cache.c: the key follows the boot and the modules,
 * a stored set reads back whole, and a stale, altered, truncated, foreign
 * or readable-by-others file is a miss, never symbols.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "caps.h"
#include "ksyms_cache.h"
#include "unit.h"

static const char syms[] = "ffffffff81001210 T page_reporting_process\n"
			   "ffffffff81001400 t page_reporting_cycle.constprop.0\n"
			   "ffffffffa0001000 t bpf_prog_0123456789abcdef_report_fentry\t[bpf]\n"
			   "ffffffffa0002000 t kprobe_insn_page\t[__builtin__kprobes]\n"
			   "ffffffffc0a01000 t virtballoon_free_page_report\t[virtio_balloon]\n";

static const char mods_a[] = "virtio_balloon 36864 0 - Live 0xffffffffc0a00000\n"
			     "psmouse 188416 0 - Live 0xffffffffc0b00000\n";

static struct ksyms *parse(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct ksyms *ks = f ? ksyms_parse(f) : NULL;

	if (f)
		fclose(f);
	return ks;
}

static void key_of(const char *dir, const char *boot, const char *mods, uint64_t filter, char *key,
		   int *err)
{
	const char *b = unit_write_file(dir, "boot_id", boot, strlen(boot));
	char bp[512];

	str_copy(bp, sizeof(bp), b ? b : "");
	const char *m = unit_write_file(dir, "modules", mods, strlen(mods));

	*err = kcache_key(bp, m, filter, key, KCACHE_KEY_MAX);
}

static void test_key(const char *dir)
{
	char k1[KCACHE_KEY_MAX], k2[KCACHE_KEY_MAX];
	int e1, e2;

	key_of(dir, "11111111-2222-3333-4444-555555555555\n", mods_a, 1, k1, &e1);
	CHECK(!e1 && strstr(k1, "boot=11111111-2222-3333-4444-555555555555 "),
	      "ksyms cache: the key names the boot");
	key_of(dir, "11111111-2222-3333-4444-555555555556\n", mods_a, 1, k2, &e2);
	CHECK(!e2 && strcmp(k1, k2), "ksyms cache: another boot, another key");
	key_of(dir, "11111111-2222-3333-4444-555555555555\n",
	       "virtio_balloon 36864 0 - Live 0xffffffffc0a40000\n"
	       "psmouse 188416 0 - Live 0xffffffffc0b00000\n",
	       1, k2, &e2);
	CHECK(!e2 && strcmp(k1, k2), "ksyms cache: a module at another address, another key");
	key_of(dir, "11111111-2222-3333-4444-555555555555\n",
	       "virtio_balloon 36864 1 psmouse, Live 0xffffffffc0a00000\n"
	       "psmouse 188416 0 - Live 0xffffffffc0b00000\n",
	       1, k2, &e2);
	CHECK(!e2 && !strcmp(k1, k2), "ksyms cache: a module's users do not change the key");
	key_of(dir, "11111111-2222-3333-4444-555555555555\n", mods_a, 2, k2, &e2);
	CHECK(!e2 && strcmp(k1, k2), "ksyms cache: another filter, another key");
	key_of(dir, "11111111-2222-3333-4444-555555555555\n",
	       "virtio_balloon 36864 0 - Unloading 0xffffffffc0a00000\n", 1, k2, &e2);
	CHECK(e2 < 0, "ksyms cache: no key while a module unloads");
}

static void test_round_trip(const char *dir, const char *key)
{
	struct ksyms *ks = parse(syms), *back;
	const struct ksym *k;

	CHECK(ks && !kcache_store(dir, key, ks), "ksyms cache: stores");
	back = kcache_load(dir, key);
	if (CHECK(back != NULL, "ksyms cache: reads back")) {
		CHECK_U64(ksyms_count(back), 3, "ksyms cache: BPF and kprobe symbols left out");
		k = ksyms_by_name(back, "virtballoon_free_page_report");
		CHECK(k && k->addr == 0xffffffffc0a01000ULL && k->type == 't' && k->module &&
			  !strcmp(k->module, "virtio_balloon"),
		      "ksyms cache: a module symbol reads back whole");
		k = ksyms_by_name(back, "page_reporting_cycle.constprop.0");
		CHECK(k && k->addr == 0xffffffff81001400ULL && !k->module,
		      "ksyms cache: a vmlinux symbol reads back whole");
	}
	ksyms_free(back);
	ksyms_free(ks);
	CHECK(!kcache_load(dir, "boot=other modules=0 filter=0"), "ksyms cache: stale key, miss");
}

/* the cache file as bytes, changed by edit, written back; then loaded */
static struct ksyms *load_edited(const char *dir, const char *key, void (*edit)(char *, size_t *))
{
	char path[600], buf[8192];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/" KCACHE_FILE, dir);
	f = fopen(path, "r");
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	edit(buf, &n);
	f = fopen(path, "w");
	if (f) {
		fwrite(buf, 1, n, f);
		fclose(f);
	}
	return kcache_load(dir, key);
}

static void flip_addr(char *b, size_t *n)
{
	char *p = strstr(b, "ffffffffc0a01000");

	if (p)
		p[12] = '2';
}

static void truncate_last(char *b, size_t *n)
{
	*n -= 20;
}

static void drop_line(char *b, size_t *n)
{
	char *p = strstr(b, "ffffffff81001400"), *e = p ? strchr(p, '\n') : NULL;

	if (e) {
		memmove(p, e + 1, strlen(e + 1) + 1);
		*n = strlen(b);
	}
}

static void test_corrupt(const char *dir, const char *key)
{
	struct ksyms *ks = parse(syms), *back;
	char path[600];

	snprintf(path, sizeof(path), "%s/" KCACHE_FILE, dir);
	kcache_store(dir, key, ks);
	back = load_edited(dir, key, flip_addr);
	CHECK(!back, "ksyms cache: an altered address, miss");
	ksyms_free(back);
	kcache_store(dir, key, ks);
	back = load_edited(dir, key, truncate_last);
	CHECK(!back, "ksyms cache: a truncated file, miss");
	ksyms_free(back);
	kcache_store(dir, key, ks);
	back = load_edited(dir, key, drop_line);
	CHECK(!back, "ksyms cache: a line removed, miss");
	ksyms_free(back);

	kcache_store(dir, key, ks);
	chmod(path, 0644);
	back = kcache_load(dir, key);
	CHECK(!back, "ksyms cache: a file others can read (kernel addresses), miss");
	ksyms_free(back);
	unlink(path);
	CHECK(symlink("/dev/null", path) == 0 && !kcache_load(dir, key),
	      "ksyms cache: a symlink, miss");
	unlink(path);
	CHECK(!kcache_load(dir, key), "ksyms cache: no file, miss");
	chmod(dir, 0777);
	CHECK(kcache_store(dir, key, ks) < 0 && access(path, F_OK),
	      "ksyms cache: a directory others can write, not stored");
	chmod(dir, 0700);
	ksyms_free(ks);
}

/* ---- what the BTF says (src/caps_cache.c) ---- */

static void fake_caps(struct kernel_caps *k, struct caps_reports *r)
{
	memset(k, 0, sizeof(*k));
	memset(r, 0, sizeof(*r));
	str_copy(k->fn[FN_NOTIFY].name, sizeof(k->fn[FN_NOTIFY].name), "__page_reporting_notify");
	k->fn[FN_NOTIFY].btf_id = 4242;
	k->fn[FN_NOTIFY].in_btf = true;
	str_copy(k->fn[FN_DRAIN].name, sizeof(k->fn[FN_DRAIN].name), "page_reporting_drain");
	k->patch_tps = 0x5;
	k->patch_tps_other = 0xa; /* work and unreport with another prototype */
	r->n = 2;
	str_copy(r->fn[0].name, sizeof(r->fn[0].name), "virtballoon_free_page_report");
	str_copy(r->fn[0].module, sizeof(r->fn[0].module), "virtio_balloon");
	r->fn[0].in_btf = true;
	str_copy(r->fn[1].name, sizeof(r->fn[1].name), "prfloor_report");
	r->fn[1].in_btf = true;
	str_copy(r->hint.name, sizeof(r->hint.name), "report_free_page_func");
	str_copy(r->hint.module, sizeof(r->hint.module), "virtio_balloon");
	r->hint.in_btf = true;
	r->publish_field = true;
}

static bool same_caps(const struct kernel_caps *a, const struct caps_reports *ra,
		      const struct kernel_caps *b, const struct caps_reports *rb)
{
	int i;

	for (i = 0; i < FN__COUNT; i++)
		if (strcmp(a->fn[i].name, b->fn[i].name) || a->fn[i].btf_id != b->fn[i].btf_id ||
		    a->fn[i].in_btf != b->fn[i].in_btf)
			return false;
	if (a->patch_tps != b->patch_tps || a->patch_tps_other != b->patch_tps_other ||
	    ra->n != rb->n || ra->hint_struct != rb->hint_struct ||
	    ra->publish_field != rb->publish_field || ra->hint.in_btf != rb->hint.in_btf ||
	    strcmp(ra->hint.name, rb->hint.name) || strcmp(ra->hint.module, rb->hint.module))
		return false;
	for (i = 0; i < ra->n; i++)
		if (strcmp(ra->fn[i].name, rb->fn[i].name) ||
		    strcmp(ra->fn[i].module, rb->fn[i].module) || !rb->fn[i].in_btf)
			return false;
	return true;
}

static void test_btf_key(const char *tmp)
{
	char dir[512], k1[KCACHE_KEY_MAX], k2[KCACHE_KEY_MAX];

	snprintf(dir, sizeof(dir), "%s/btf", tmp);
	mkdir(dir, 0755);
	CHECK(caps_btf_key(dir, k1, sizeof(k1)) < 0, "btf cache: no BTF files, no key");
	unit_write_file(dir, "vmlinux", "0123456789", 10);
	CHECK(!caps_btf_key(dir, k1, sizeof(k1)), "btf cache: a key for vmlinux");
	unit_write_file(dir, "virtio_balloon", "01234", 5);
	CHECK(!caps_btf_key(dir, k2, sizeof(k2)) && strcmp(k1, k2),
	      "btf cache: a module's BTF, another key");
	unit_write_file(dir, "virtio_balloon", "012345", 6);
	CHECK(!caps_btf_key(dir, k1, sizeof(k1)) && strcmp(k1, k2),
	      "btf cache: a module's BTF of another size, another key");
}

static void test_btf_cache(const char *tmp)
{
	struct kernel_caps k, back;
	struct caps_reports r, rback;
	const char *key = "format=2 release=6.18 btf=0000000000000001 files=1";
	char dir[512], path[600];

	snprintf(dir, sizeof(dir), "%s/kcache", tmp);
	snprintf(path, sizeof(path), "%s/btf-caps", dir);
	test_btf_key(tmp);
	fake_caps(&k, &r);
	CHECK(!caps_btf_store(&k, &r, dir, key), "btf cache: stores");
	CHECK(!caps_btf_cached(&back, &rback, dir, key) && same_caps(&k, &r, &back, &rback),
	      "btf cache: reads back every answer");
	CHECK(caps_btf_cached(&back, &rback, dir, "format=2 release=6.19 btf=1 files=1") < 0,
	      "btf cache: another kernel's, miss");
	CHECK(caps_btf_cached(&back, &rback, NULL, key) < 0, "btf cache: off, miss");
	{
		FILE *f = fopen(path, "r+");
		char buf[4096];
		size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		char *p;

		buf[n] = '\0';
		p = strstr(buf, "4242");
		if (f && p) {
			p[0] = '5';
			rewind(f);
			fwrite(buf, 1, n, f);
		}
		if (f)
			fclose(f);
	}
	memset(&back, 0, sizeof(back));
	CHECK(caps_btf_cached(&back, &rback, dir, key) < 0 && !back.fn[FN_NOTIFY].btf_id,
	      "btf cache: an altered id, miss");
}

/* ksyms_name_at(): one pass, the symbol ksyms_by_addr() gives from the table */
static void test_name_at(const char *tmp)
{
	static const char text[] =
	    "ffffffff81001200 t __pfx_page_reporting_process\n"
	    "ffffffff81001210 T page_reporting_process\n"
	    "ffffffff81001210 t page_reporting_process_alias\n"
	    "ffffffff81001400 t page_reporting_cycle.constprop.0\n"
	    "ffffffffc0a01000 t virtballoon_free_page_report\t[virtio_balloon]\n";
	static const uint64_t at[] = {0xffffffff81001210, 0xffffffff81001300, 0xffffffff81001400,
				      0xffffffffc0a01000, 0xffffffffc0a01008};
	static const char *want[] = {"page_reporting_process", "page_reporting_process",
				     "page_reporting_cycle.constprop.0",
				     "virtballoon_free_page_report [virtio_balloon]",
				     "virtballoon_free_page_report [virtio_balloon]"};
	const char *path = unit_write_file(tmp, "kallsyms.txt", text, strlen(text));
	struct ksyms *ks = parse(text);
	int fd = path ? open(path, O_RDONLY) : -1;
	char got[128], table[128];
	size_t i;

	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		const struct ksym *k = ks ? ksyms_by_addr(ks, at[i]) : NULL;

		got[0] = '\0';
		snprintf(table, sizeof(table), "%s%s%s%s", k ? k->name : "?",
			 k && k->module ? " [" : "", k && k->module ? k->module : "",
			 k && k->module ? "]" : "");
		CHECK(fd >= 0 && !ksyms_name_at(fd, at[i], got, sizeof(got)) &&
			  !strcmp(got, want[i]) && !strcmp(got, table),
		      "ksyms_name_at: %#llx is %s (the table says %s)", (unsigned long long)at[i],
		      got, table);
	}
	CHECK(fd >= 0 && ksyms_name_at(fd, 0xffffffff81000000, got, sizeof(got)) == -ENOENT,
	      "ksyms_name_at: below every symbol, none");
	if (fd >= 0)
		close(fd);
	ksyms_free(ks);
}

void test_ksyms_cache(void)
{
	const char *tmp = unit_tmpdir();
	char dir[512];
	const char *key = "boot=b modules=0000000000000001 filter=0000000000000002";

	if (!tmp)
		return;
	test_key(tmp);
	snprintf(dir, sizeof(dir), "%s/kcache", tmp);
	test_round_trip(dir, key);
	test_corrupt(dir, key);
	setenv("PRTOP_CACHE_DIR", "off", 1);
	CHECK(kcache_dir() == NULL, "ksyms cache: PRTOP_CACHE_DIR=off turns it off");
	unsetenv("PRTOP_CACHE_DIR");
	CHECK_STR(kcache_dir(), KCACHE_DEFAULT_DIR, "ksyms cache: default directory");
	test_btf_cache(tmp);
	test_name_at(tmp);
}
