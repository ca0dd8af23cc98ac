// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer targets for every parser and decoder prtop has.  One binary
 * per target: the Makefile builds this file with -DFUZZ_TARGET=NAME and
 * LLVMFuzzerTestOneInput calls fuzz_NAME.  Inputs reach each parser the
 * way the system's would: through FILE * (fmemopen), a file (under a
 * private temporary directory), or a NUL-terminated string.
 *
 *   kallsyms  ksyms_parse and its lookups
 *   buddyinfo buddyinfo_parse
 *   params    params_read over files named and filled by the input
 *   kpageflags reuse tracking: a batch from the first bytes, the rest as
 *             /proc/kpageflags
 *   knob      knob_parse_int, knob_validate, knob_apply (writes go to a
 *             hook, not to files) for NAME=VALUE lines
 *   persist   knob_persist merging into existing config files (the input)
 *   record    record_read, then every view of it, and wis_parse per line
 *   http      the request head parser, export_route and Accept negotiation
 *   host      the host side's /proc readers, VM identities and label escaping
 */
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "hostmon.h"
#include "http.h"
#include "knob.h"
#include "metrics.h"
#include "procfs.h"
#include "record.h"
#include "reuse.h"
#include "str.h"
#include "../../src/metrics_int.h"

static char dir[64];

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void cleanup(void)
{
	if (dir[0])
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* the private directory, made on first use and removed at exit */
static const char *tmp(void)
{
	if (!dir[0]) {
		strcpy(dir, "/tmp/prtop-fuzz-XXXXXX");
		if (!mkdtemp(dir))
			abort();
		atexit(cleanup);
	}
	return dir;
}

static const char *put(const char *sub, const char *name, const void *data, size_t len)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", tmp(), sub, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

static void mkdirs(const char *sub)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmp(), sub);
	if (mkdir(path, 0755) && access(path, F_OK))
		abort();
}

/* a NUL-terminated copy */
static char *str(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	memcpy(s, d, n);
	s[n] = '\0';
	return s;
}

static FILE *mem(const uint8_t *d, size_t n)
{
	/* fmemopen refuses size 0 */
	return n ? fmemopen((void *)d, n, "r") : fopen("/dev/null", "r");
}

static void fuzz_kallsyms(const uint8_t *d, size_t n)
{
	FILE *f = mem(d, n);
	struct ksyms *ks = f ? ksyms_parse(f) : NULL;

	if (f)
		fclose(f);
	if (!ks)
		return;
	ksyms_count(ks);
	ksyms_hidden(ks);
	ksyms_by_name(ks, "page_reporting_process");
	ksyms_by_addr(ks, n > 8 ? *(const uint64_t *)d : 0);
	ksyms_clone_of(ks, "virtballoon_free_page_report");
	ksyms_free(ks);
}

static void fuzz_buddyinfo(const uint8_t *d, size_t n)
{
	uint64_t blocks[PRTOP_ORDERS];
	FILE *f = mem(d, n);

	if (!f)
		return;
	buddyinfo_parse(f, blocks);
	fclose(f);
}

/* up to 4 files "name\nvalue" separated by NUL bytes */
static void fuzz_params(const uint8_t *d, size_t n)
{
	struct snap_param out[8];
	char *s = str(d, n), *p = s, *nl, pdir[PATH_MAX];
	int i, k;

	mkdirs("p");
	snprintf(pdir, sizeof(pdir), "%s/p", tmp());
	for (i = 0; i < 4 && p < s + n; i++) {
		char name[32];
		size_t len = strlen(p);

		nl = strchr(p, '\n');
		snprintf(name, sizeof(name), "%.*s", nl ? (int)(nl - p) : 8, p);
		for (k = 0; name[k]; k++)
			if (name[k] == '/' || name[k] == '.')
				name[k] = '_';
		if (name[0])
			put("p", name, nl ? nl + 1 : "", nl ? strlen(nl + 1) : 0);
		p += len + 1;
	}
	k = params_read(pdir, out, 8);
	for (i = 0; i < k; i++)
		param_meaning(out[i].name);
	nftw(pdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(s);
}

static void fuzz_kpageflags(const uint8_t *d, size_t n)
{
	struct prtop_batch_event ev = {0};
	struct reuse_tracker *t;
	size_t head = sizeof(ev.pfn[0]) + 2, i;

	if (n < head)
		return;
	mkdirs("k");
	t = reuse_new(64, put("k", "kpageflags", d + head, n - head));
	if (!t)
		return;
	/* one to 8 entries, pfns near the first one, orders 0..15 */
	ev.nents = 1 + d[8] % 8;
	ev.ts_ns = 1000;
	for (i = 0; i < ev.nents; i++) {
		memcpy(&ev.pfn[i], d, sizeof(ev.pfn[i]));
		ev.pfn[i] = (ev.pfn[i] % ((n - head) / 8 + 64)) + i * 512;
		ev.order[i] = (uint8_t)((d[9] + i) % 16);
	}
	ev.err = d[9] & 0x80 ? -5 : 0;
	reuse_add_batch(t, &ev);
	reuse_scan(t, 2000000000ULL);
	reuse_scan(t, 4000000000ULL);
	reuse_totals(t);
	reuse_free(t);
}

static int no_write(const char *path, const char *value)
{
	return strlen(value) % 7 == 3 ? -22 : 0;
}

/* the fake kernel of the knob targets: patched, with debugfs */
static struct knob_paths *knob_tree(void)
{
	static struct knob_paths p;
	static char sys[PATH_MAX], mod[PATH_MAX], dbg[PATH_MAX], buddy[PATH_MAX], etc[PATH_MAX],
	    vmstat[PATH_MAX];

	if (p.sysctl_dir)
		return &p;
	mkdirs("vm");
	mkdirs("mod");
	mkdirs("mod/parameters");
	mkdirs("dbg");
	mkdirs("dbg/page_reporting");
	mkdirs("etc");
	put(".", "buddyinfo", "Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10 11\n", 44);
	put("mod/parameters", "page_reporting_order", "9\n", 2);
	put("mod/parameters", "free_bitmap_enable", "Y\n", 2);
	put("vm", "page_reporting_capacity", "32\n", 3);
	put("vm", "page_reporting_delay_ms", "2000\n", 5);
	put("vm", "page_reporting_order", "9\n", 2);
	put("dbg/page_reporting", "capacity_max", "64\n", 3);
	put(".", "vmstat", "page_reporting_reports 7\npage_reporting_unreported_alloc 512\n", 61);
	snprintf(sys, sizeof(sys), "%s/vm", tmp());
	snprintf(mod, sizeof(mod), "%s/mod", tmp());
	snprintf(dbg, sizeof(dbg), "%s/dbg", tmp());
	snprintf(buddy, sizeof(buddy), "%s/buddyinfo", tmp());
	snprintf(etc, sizeof(etc), "%s/etc", tmp());
	snprintf(vmstat, sizeof(vmstat), "%s/vmstat", tmp());
	p = (struct knob_paths){.sysctl_dir = sys,
				.module_dir = mod,
				.debugfs_dir = dbg,
				.buddyinfo = buddy,
				.etc_dir = etc,
				.vmstat = vmstat,
				.write = no_write};
	return &p;
}

/* NAME=VALUE lines, up to 4 */
static void fuzz_knob(const uint8_t *d, size_t n)
{
	struct knob_paths *p = knob_tree();
	struct knob_set set[4];
	char *s = str(d, n), *line, *save = NULL, err[512];
	int k = 0;
	int64_t v;

	memset(set, 0, sizeof(set));
	for (line = strtok_r(s, "\n", &save); line && k < 4; line = strtok_r(NULL, "\n", &save)) {
		knob_parse_int(line, &v);
		set[k++].arg = line;
	}
	if (k && !knob_validate(p, set, k, err, sizeof(err)))
		knob_apply(p, set, k, err, sizeof(err));
	free(s);
}

/* existing sysctl.d, modprobe.d and tmpfiles.d files, split by NUL */
static void fuzz_persist(const uint8_t *d, size_t n)
{
	static const char *const args[] = {"capacity=16", "order=10", "free_bitmap_enable=N"};
	static const char *const subs[] = {"etc/sysctl.d", "etc/modprobe.d", "etc/tmpfiles.d"};
	struct knob_paths *p = knob_tree();
	struct knob_set set[3];
	const uint8_t *part = d, *end = d + n, *z;
	char err[512];
	FILE *out = fopen("/dev/null", "w");
	int i;

	for (i = 0; i < 3; i++) {
		z = memchr(part, 0, (size_t)(end - part));
		mkdirs(subs[i]);
		put(subs[i], "90-prtop.conf", part, (size_t)((z ? z : end) - part));
		part = z ? z + 1 : end;
	}
	memset(set, 0, sizeof(set));
	for (i = 0; i < 3; i++)
		set[i].arg = args[i];
	if (!knob_validate(p, set, 3, err, sizeof(err)))
		knob_persist(p, set, 3, n % 2, out, err, sizeof(err));
	fclose(out);
}

static void fuzz_record(const uint8_t *d, size_t n)
{
	struct record r;
	struct rec_cost cost[REC_COSTS];
	struct wis_line w;
	char err[512], *s, *line, *save = NULL;
	FILE *out = fopen("/dev/null", "w");

	mkdirs("r");
	if (!record_read(put("r", "rec", d, n), &r, err, sizeof(err))) {
		record_costs(&r, cost);
		record_print(out, &r, "rec");
		record_print_json(out, &r, "rec");
		record_free(&r);
	}
	fclose(out);
	s = str(d, n);
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		wis_parse(line, &w);
	free(s);
}

/* a request head, whole or cut short; then "METHOD URL\nAccept" */
static void fuzz_http(const uint8_t *d, size_t n)
{
	char *s = str(d, n), *sp, *nl;
	struct http_head h;
	char *head = malloc(n ? n : 1);

	/* exactly n bytes: a read past them is ASan's to see */
	if (head) {
		memcpy(head, d, n);
		http_parse(head, n, n, &h);
		memcpy(head, d, n);
		http_parse(head, n, n + 1, &h);
		free(head);
	}
	sp = strchr(s, ' ');

	if (sp) {
		*sp = '\0';
		nl = strchr(sp + 1, '\n');
		if (nl)
			*nl = '\0';
		export_route(s, sp + 1);
		metrics_accept_openmetrics(nl ? nl + 1 : NULL);
	}
	metrics_accept_openmetrics(s);
	free(s);
}

static void fuzz_host(const uint8_t *d, size_t n)
{
	static const char *const kinds[] = {"qemu", "firecracker", "cloud-hypervisor", NULL};
	char *s = str(d, n), name[64], esc[2 * sizeof(((struct host_identity *)0)->name) + 1];
	uint64_t rss, anon, file, shmem, bytes;
	struct host_identity id;
	struct host_ram r;
	size_t k;

	host_vm_name((const char *)d, n, name, sizeof(name));
	label_esc(esc, sizeof(esc), name);
	label_esc(esc, sizeof(esc), s);
	host_parse_status(s, &rss, &anon, &file, &shmem);
	host_parse_ram(s, &r, &bytes);
	host_vmm_kind(s, s + strlen(s) / 2);
	/* the input as a command line and as a cgroup file; the identity's labels */
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		host_identity_parse(&id, kinds[k], (const char *)d, n, s, k & 1);
		label_esc(esc, sizeof(esc), id.ns);
		label_esc(esc, sizeof(esc), id.name);
		label_esc(esc, sizeof(esc), id.uuid);
	}
	host_pod_uid(s, name, sizeof(name));
	free(s);
}

#define CAT(a, b)  a##b
#define XCAT(a, b) CAT(a, b)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	XCAT(fuzz_, FUZZ_TARGET)(data, size);
	return 0;
}
