// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for src/knob.c on fake trees of /proc/sys/vm, /sys/module,
 * debugfs, /proc/buddyinfo and /etc under the scratch directory: an
 * unpatched kernel with vendor parameters, the bundled patch's layout,
 * validation, all-or-none writes with rollback (a fake kernel refuses
 * some writes), and the --persist files.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "knob.h"
#include "unit.h"

struct tree {
	char root[PATH_MAX / 2];
	char sysctl[PATH_MAX], module[PATH_MAX], params[PATH_MAX];
	char debugfs[PATH_MAX], prdbg[PATH_MAX], buddy[PATH_MAX], etc[PATH_MAX];
	char vmstat[PATH_MAX];
	struct knob_paths p;
};

static const char buddyinfo11[] = "Node 0, zone      DMA      0      0      0      0      0      0 "
				  "     0      0      1      1      3\n"
				  "Node 0, zone   Normal  10613   6515   4106   3251   2064   1270 "
				  "   756    446    351    215   1576\n";

static bool put(const char *dir, const char *name, const char *text, mode_t mode)
{
	const char *path = unit_write_file(dir, name, text, strlen(text));

	return path && chmod(path, mode) == 0;
}

/* the file's content without its trailing newline; "" if unreadable */
static const char *slurp(const char *dir, const char *name)
{
	static char buf[4096];
	char path[PATH_MAX];
	size_t n = 0;
	FILE *f;

	buf[0] = '\0';
	str_printf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return buf;
}

/*
 * A kernel's files under TMPDIR/name.  Every kernel has the upstream
 * page_reporting_order parameter, a writable vendor parameter and a
 * read-only one; patched adds the sysctls, debugfs the patch's debugfs
 * directory (capacity_max 64 and counters).
 */
static bool tree_make(struct tree *t, const char *name, bool patched, bool debugfs)
{
	const char *base = unit_tmpdir();
	bool ok = true;

	if (!base)
		return false;
	memset(t, 0, sizeof(*t));
	str_printf(t->root, sizeof(t->root), "%s/%s", base, name);
	str_printf(t->sysctl, sizeof(t->sysctl), "%s/vm", t->root);
	str_printf(t->module, sizeof(t->module), "%s/page_reporting", t->root);
	str_printf(t->params, sizeof(t->params), "%s/parameters", t->module);
	str_printf(t->debugfs, sizeof(t->debugfs), "%s/debug", t->root);
	str_printf(t->prdbg, sizeof(t->prdbg), "%s/page_reporting", t->debugfs);
	str_printf(t->buddy, sizeof(t->buddy), "%s/buddyinfo", t->root);
	str_printf(t->etc, sizeof(t->etc), "%s/etc", t->root);
	str_printf(t->vmstat, sizeof(t->vmstat), "%s/vmstat", t->root);
	ok &= mkdir(t->root, 0755) == 0 && mkdir(t->sysctl, 0755) == 0;
	ok &= mkdir(t->module, 0755) == 0 && mkdir(t->params, 0755) == 0;
	ok &= mkdir(t->debugfs, 0755) == 0 && mkdir(t->etc, 0755) == 0;
	ok &= put(t->root, "buddyinfo", buddyinfo11, 0444);
	ok &= put(t->params, "page_reporting_order", "9\n", 0644);
	ok &= put(t->params, "free_bitmap_enable", "Y\n", 0644);
	ok &= put(t->params, "passes", "834\n", 0444);
	ok &= put(t->params, "reported_kib", "4096\n", 0444);
	ok &= put(t->params, "max_waiting_mib", "1024\n", 0644);
	if (patched) {
		ok &= put(t->sysctl, "page_reporting_capacity", "32\n", 0644);
		ok &= put(t->sysctl, "page_reporting_delay_ms", "2000\n", 0644);
		ok &= put(t->sysctl, "page_reporting_order", "9\n", 0644);
	}
	if (debugfs) {
		ok &= mkdir(t->prdbg, 0755) == 0;
		ok &= put(t->prdbg, "capacity_max", "64\n", 0444);
		ok &= put(t->prdbg, "batches", "7\n", 0444);
		ok &= put(t->prdbg, "errors", "0\n", 0444);
		ok &= put(t->prdbg, "pages_reported", "3584\n", 0444);
		ok &= put(t->prdbg, "reported_pages_reused", "512\n", 0444);
		/* the debugfs copies of the sysctls are not listed twice */
		ok &= put(t->prdbg, "order", "9\n", 0644);
	}
	t->p = (struct knob_paths){
	    .sysctl_dir = t->sysctl,
	    .module_dir = t->module,
	    .debugfs_dir = t->debugfs,
	    .buddyinfo = t->buddy,
	    .etc_dir = t->etc,
	    .vmstat = t->vmstat,
	};
	return CHECK(ok, "knob: fake tree %s", name);
}

static const struct knob_info *by_name(const struct knob_info *k, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(k[i].name, name))
			return &k[i];
	return NULL;
}

static void test_parse_int(void)
{
	static const struct {
		const char *s;
		int rc;
		int64_t v;
	} cases[] = {
	    {"0", 0, 0},
	    {"10", 0, 10},
	    {"-1", 0, -1},
	    {"010", 0, 10},
	    {"9223372036854775807", 0, INT64_MAX},
	    {"99999999999999999999", -ERANGE, 0},
	    {"-99999999999999999999", -ERANGE, 0},
	    {"", -EINVAL, 0},
	    {"-", -EINVAL, 0},
	    {"abc", -EINVAL, 0},
	    {"1a", -EINVAL, 0},
	    {" 1", -EINVAL, 0},
	    {"1 ", -EINVAL, 0},
	    {"+1", -EINVAL, 0},
	    {"0x10", -EINVAL, 0},
	    {"1.5", -EINVAL, 0},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t v = 0;
		int rc = knob_parse_int(cases[i].s, &v);

		CHECK(rc == cases[i].rc && (rc || v == cases[i].v),
		      "knob: parse_int(\"%s\") -> %d, %lld", cases[i].s, rc, (long long)v);
	}
}

static void test_list_unpatched(void)
{
	struct knob_info k[KNOB_MAX];
	const struct knob_info *c, *d, *o, *v, *r;
	const char *src = NULL;
	bool patched = true;
	struct tree t;
	int64_t val = 0;
	int n;

	if (!tree_make(&t, "unpatched", false, false))
		return;
	n = knob_list(&t.p, k, KNOB_MAX);
	CHECK_U64(n, 7, "knob: unpatched lists 3 knobs and 4 parameters");
	if (n != 7)
		return;
	CHECK_STR(k[0].name, "capacity", "knob: capacity first");
	CHECK_STR(k[1].name, "delay_ms", "knob: delay_ms second");
	CHECK_STR(k[2].name, "order", "knob: order third");
	CHECK(!by_name(k, n, "page_reporting_order"), "knob: page_reporting_order only as order");
	c = &k[0];
	d = &k[1];
	o = &k[2];
	CHECK(c->kind == KNOB_CONSTANT && !c->writable, "knob: unpatched capacity is a constant");
	CHECK_STR(c->value, "32", "knob: unpatched capacity 32");
	CHECK_STR(c->source, KNOB_SOURCE_CONSTANT, "knob: unpatched capacity source");
	CHECK_STR(d->value, "2000", "knob: unpatched delay_ms 2000");
	CHECK(d->kind == KNOB_CONSTANT, "knob: unpatched delay_ms is a constant");
	CHECK(o->kind == KNOB_MODPARAM && o->writable, "knob: order is the module parameter");
	CHECK_STR(o->source, KNOB_SOURCE_MODPARAM, "knob: order source");
	CHECK_STR(o->value, "9", "knob: order value");
	/* the upper limit is the kernel's to check, not buddyinfo's columns */
	CHECK_STR(o->range, "0..?", "knob: order range: the kernel checks the upper limit");
	CHECK(o->bounded && !o->max_known && o->min == 0, "knob: order bounded below only");
	CHECK_STR(o->unit, "order", "knob: order unit");
	v = by_name(k, n, "free_bitmap_enable");
	r = by_name(k, n, "passes");
	CHECK(v && v->kind == KNOB_VENDOR && v->writable && !strcmp(v->range, "?") &&
		  !strcmp(v->source, KNOB_SOURCE_VENDOR),
	      "knob: writable vendor parameter, range ?");
	CHECK(r && r->kind == KNOB_READONLY && !r->writable && !strcmp(r->value, "834") &&
		  !strcmp(r->source, KNOB_SOURCE_READONLY),
	      "knob: read-only vendor parameter");
	v = by_name(k, n, "reported_kib");
	CHECK(v && !strcmp(v->unit, "KiB"), "knob: reported_kib's unit is KiB, from its name");
	v = by_name(k, n, "max_waiting_mib");
	CHECK(v && !strcmp(v->unit, "MiB"), "knob: max_waiting_mib's unit is MiB, from its name");
	CHECK(r && !r->unit[0], "knob: passes has no unit in its name, none is made up");
	CHECK(!knob_patched(&t.p), "knob: unpatched tree is not patched");
	/* JSON: min and max as the kernel's range gives them, null where unknown */
	{
		struct knob_info b = *o;
		struct json_object *j;

		b.bounded = b.max_known = true;
		b.min = 1;
		b.max = 512;
		j = knob_info_json(&b);
		CHECK(j && json_object_get_int64(json_object_object_get(j, "min")) == 1 &&
			  json_object_get_int64(json_object_object_get(j, "max")) == 512,
		      "knob -j: min 1 and max 512 of a 1..512 range");
		json_object_put(j);
		j = knob_info_json(o);
		CHECK(j && json_object_object_get(j, "max") == NULL,
		      "knob -j: max null where the kernel checks the upper limit");
		json_object_put(j);
	}

	CHECK(knob_read(&t.p, "capacity", &val, &src, &patched) == 0 && val == 32 && !patched &&
		  !strcmp(src, KNOB_SOURCE_CONSTANT),
	      "knob: knob_read capacity without the patch");
	CHECK(knob_read(&t.p, "delay_ms", &val, NULL, NULL) == 0 && val == 2000,
	      "knob: knob_read delay_ms without the patch");
	CHECK(knob_read(&t.p, "order", &val, &src, &patched) == 0 && val == 9 && !patched &&
		  !strcmp(src, KNOB_SOURCE_MODPARAM),
	      "knob: knob_read order from the module parameter");
	val = 0;
	CHECK(knob_read(&t.p, "vm.page_reporting_order", &val, NULL, NULL) == 0 && val == 9,
	      "knob: knob_read alias vm.page_reporting_order");
	CHECK(knob_read(&t.p, "frob", &val, NULL, NULL) == -ENOENT, "knob: knob_read unknown");
	CHECK(knob_read(&t.p, "free_bitmap_enable", &val, NULL, NULL) == -EINVAL,
	      "knob: knob_read of a non-number");
}

static void test_list_patched(void)
{
	struct knob_info k[KNOB_MAX];
	const struct knob_info *o, *b;
	const char *src = NULL;
	bool patched = false;
	struct tree t;
	int64_t val = 0;
	char path[PATH_MAX];
	int n;

	if (!tree_make(&t, "patched", true, true))
		return;
	n = knob_list(&t.p, k, KNOB_MAX);
	CHECK_U64(n, 12, "knob: patched lists 3 knobs, 4 parameters, 5 counters");
	if (n < 3)
		return;
	CHECK(k[0].kind == KNOB_SYSCTL && k[0].writable, "knob: patched capacity is a sysctl");
	CHECK_STR(k[0].source, KNOB_SOURCE_SYSCTL, "knob: patched capacity source");
	CHECK_STR(k[0].range, "1..64", "knob: capacity range from debugfs capacity_max");
	CHECK_STR(k[1].range, "0..60000", "knob: delay_ms range");
	CHECK(k[2].kind == KNOB_SYSCTL, "knob: patched order is the sysctl");
	str_printf(path, sizeof(path), "%s/page_reporting_order", t.sysctl);
	CHECK_STR(k[2].path, path, "knob: patched order path");
	o = by_name(k, n, "order");
	CHECK(o == &k[2], "knob: debugfs order is not listed again");
	b = by_name(k, n, "batches");
	CHECK(b && b->kind == KNOB_READONLY && !strcmp(b->value, "7") && b->integer,
	      "knob: debugfs counter batches");
	CHECK(by_name(k, n, "capacity_max") && by_name(k, n, "reported_pages_reused"),
	      "knob: every debugfs counter listed");
	CHECK(knob_patched(&t.p), "knob: patched tree is patched");
	CHECK(knob_read(&t.p, "capacity", &val, &src, &patched) == 0 && val == 32 && patched &&
		  !strcmp(src, KNOB_SOURCE_SYSCTL),
	      "knob: knob_read capacity from the sysctl");

	/* without debugfs the device's limit is unknown: the kernel checks it */
	str_printf(path, sizeof(path), "%s/capacity_max", t.prdbg);
	unlink(path);
	n = knob_list(&t.p, k, KNOB_MAX);
	CHECK_STR(k[0].range, "1..?", "knob: capacity range without capacity_max");
	CHECK(!k[0].max_known, "knob: capacity max unknown without capacity_max");
}

/* validate one command line; returns the code, err in err */
static int validate(struct tree *t, const char *const *args, int n, struct knob_set *set, char *err,
		    size_t len)
{
	int i;

	memset(set, 0, sizeof(*set) * n);
	for (i = 0; i < n; i++)
		set[i].arg = args[i];
	err[0] = '\0';
	return knob_validate(&t->p, set, n, err, len);
}

static void test_validate(void)
{
	static const struct {
		const char *args[3];
		int rc;
		const char *msg;
	} cases[] = {
	    {{"order=-1"}, -ERANGE, "order: -1 is out of range: the least is 0"},
	    {{"order=4294967296"}, -ERANGE, "the most any kernel takes is 4294967295"},
	    {{"order=abc"}, -EINVAL, "'abc' is not an integer"},
	    {{"order=99999999999999999999"}, -ERANGE, "out of range"},
	    {{"order="}, -EINVAL, "order: empty value"},
	    {{"order= 5"}, -EINVAL, "not an integer"},
	    {{"capacity=0"}, -ERANGE, "capacity: 0 is out of range 1..64"},
	    {{"capacity=65"}, -ERANGE, "out of range 1..64"},
	    {{"delay_ms=60001"}, -ERANGE, "out of range 0..60000"},
	    {{"frob=1"}, -ENOENT, "unknown knob 'frob'"},
	    {{"=1"}, -EINVAL, "missing knob name"},
	    {{"order"}, -EINVAL, "not NAME=VALUE"},
	    {{"passes=1"}, -EROFS, "passes is read-only"},
	    {{"batches=1"}, -EROFS, "batches is read-only"},
	    {{"order=9", "order=10"}, -EINVAL, "order is given twice"},
	    {{"order=9", "vm.page_reporting_order=10"}, -EINVAL, "order is given twice"},
	    {{"order=8", "capacity=8", "delay_ms=x"}, -EINVAL, "delay_ms: 'x'"},
	    {{"free_bitmap_enable=a b"}, -EINVAL, "spaces"},
	    {{"order=10", "capacity=64", "delay_ms=0"}, KNOB_OK, ""},
	    {{"free_bitmap_enable=N"}, KNOB_OK, ""},
	    /* off on the bundled patch and some vendor kernels: for the kernel to say */
	    {{"order=11"}, KNOB_OK, ""},
	    {{"order=12"}, KNOB_OK, ""},
	};
	struct knob_set set[3];
	char err[512];
	struct tree t;
	size_t i;

	if (!tree_make(&t, "validate", true, true))
		return;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = cases[i].args[2] ? 3 : cases[i].args[1] ? 2 : 1;
		int rc = validate(&t, cases[i].args, n, set, err, sizeof(err));

		CHECK(rc == cases[i].rc && strstr(err, cases[i].msg) && !strchr(err, '\n') &&
			  knob_exit_code(rc) == (rc ? KNOB_EINPUT : KNOB_OK),
		      "knob: validate %s%s%s -> %d \"%s\"", cases[i].args[0], n > 1 ? " ..." : "",
		      "", rc, err);
	}
	/* integers are written in canonical decimal (the kernel reads 010 as octal) */
	{
		const char *args[] = {"order=010"};

		CHECK(validate(&t, args, 1, set, err, sizeof(err)) == KNOB_OK &&
			  !strcmp(set[0].value, "10"),
		      "knob: 010 is written as 10");
	}
}

static void test_validate_unpatched(void)
{
	const char *both[] = {"order=10", "capacity=8"};
	const char *delay[] = {"delay_ms=500"};
	struct knob_set set[2];
	char err[512];
	struct tree t;
	int rc;

	if (!tree_make(&t, "unpatched-set", false, false))
		return;
	rc = validate(&t, both, 2, set, err, sizeof(err));
	CHECK(rc == -EOPNOTSUPP && strstr(err, "capacity") && strstr(err, "patches/"),
	      "knob: unpatched capacity needs the patch: \"%s\"", err);
	CHECK_STR(slurp(t.params, "page_reporting_order"), "9",
		  "knob: order untouched when capacity needs the patch");
	rc = validate(&t, delay, 1, set, err, sizeof(err));
	CHECK(rc == -EOPNOTSUPP && strstr(err, "delay_ms cannot be set"),
	      "knob: unpatched delay_ms needs the patch: \"%s\"", err);
}

/* a kernel that refuses or clamps some writes, or breaks after a number of writes */
static struct {
	const char *suffix; /* the file it is strict about */
	long long limit;    /* values above are refused with EINVAL */
	bool clamp;	    /* ... or stored as limit */
	int fail_after;	    /* writes after this many fail with EIO; < 0 never */
	int writes;
} fk;

static int fake_write(const char *path, const char *value)
{
	size_t pl = strlen(path), sl = fk.suffix ? strlen(fk.suffix) : 0;
	char buf[64];
	FILE *f;

	fk.writes++;
	if (fk.fail_after >= 0 && fk.writes > fk.fail_after)
		return -EIO;
	if (sl && pl >= sl && !strcmp(path + pl - sl, fk.suffix) && atoll(value) > fk.limit) {
		if (!fk.clamp)
			return -EINVAL;
		str_printf(buf, sizeof(buf), "%lld", fk.limit);
		value = buf;
	}
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%s\n", value);
	return fclose(f) ? -EIO : 0;
}

static void fake_reset(const char *suffix, long long limit, bool clamp, int fail_after)
{
	fk.suffix = suffix;
	fk.limit = limit;
	fk.clamp = clamp;
	fk.fail_after = fail_after;
	fk.writes = 0;
}

static void test_apply(void)
{
	const char *good[] = {"capacity=16", "delay_ms=500", "order=010"};
	const char *bad[] = {"capacity=8", "order=8", "delay_ms=5000"};
	struct knob_set set[3];
	char err[1024];
	struct tree t;
	int rc;

	if (!tree_make(&t, "apply", true, false))
		return;
	t.p.write = fake_write;

	fake_reset(NULL, 0, false, -1);
	rc = validate(&t, good, 3, set, err, sizeof(err));
	if (!CHECK(rc == KNOB_OK, "knob: apply: valid input: \"%s\"", err))
		return;
	rc = knob_apply(&t.p, set, 3, err, sizeof(err));
	CHECK(rc == KNOB_OK, "knob: apply writes all: \"%s\"", err);
	CHECK_STR(slurp(t.sysctl, "page_reporting_capacity"), "16", "knob: capacity written");
	CHECK_STR(slurp(t.sysctl, "page_reporting_delay_ms"), "500", "knob: delay_ms written");
	CHECK_STR(slurp(t.sysctl, "page_reporting_order"), "10", "knob: order written as 10");
	CHECK(!strcmp(set[0].info.value, "32") && !strcmp(set[0].now, "16"),
	      "knob: old and new capacity kept: %s -> %s", set[0].info.value, set[0].now);

	/* the kernel refuses the third after two were written: both restored */
	fake_reset("page_reporting_delay_ms", 1000, false, -1);
	rc = validate(&t, bad, 3, set, err, sizeof(err));
	if (!CHECK(rc == KNOB_OK, "knob: rollback: valid input: \"%s\"", err))
		return;
	rc = knob_apply(&t.p, set, 3, err, sizeof(err));
	CHECK(rc == -EINVAL && strstr(err, "delay_ms: the kernel refused 5000") &&
		  strstr(err, "capacity restored to 16") && strstr(err, "order restored to 10") &&
		  strstr(err, "nothing was changed") && !strchr(err, '\n'),
	      "knob: refused write rolled back: \"%s\"", err);
	CHECK_STR(slurp(t.sysctl, "page_reporting_capacity"), "16", "knob: capacity restored");
	CHECK_STR(slurp(t.sysctl, "page_reporting_order"), "10", "knob: order restored");
	CHECK_STR(slurp(t.sysctl, "page_reporting_delay_ms"), "500", "knob: delay_ms unchanged");
	CHECK(!set[0].written && !set[1].written && !set[2].written,
	      "knob: nothing marked written after rollback");

	/* a kernel that clamps instead of refusing: rolled back as well */
	fake_reset("page_reporting_delay_ms", 1000, true, -1);
	validate(&t, bad, 3, set, err, sizeof(err));
	rc = knob_apply(&t.p, set, 3, err, sizeof(err));
	CHECK(rc == -EINVAL && strstr(err, "kept 1000 after writing 5000"),
	      "knob: clamped write detected: \"%s\"", err);
	CHECK_STR(slurp(t.sysctl, "page_reporting_delay_ms"), "500",
		  "knob: clamped value restored");
	CHECK_STR(slurp(t.sysctl, "page_reporting_capacity"), "16",
		  "knob: capacity restored after a clamp");

	/* the restore itself fails: said so, not "nothing was changed" */
	fake_reset(NULL, 0, false, 1);
	validate(&t, bad, 3, set, err, sizeof(err));
	rc = knob_apply(&t.p, set, 3, err, sizeof(err));
	CHECK(rc < 0 && strstr(err, "order: the kernel refused 8") &&
		  strstr(err, "restoring capacity to 16 failed") && !strstr(err, "nothing was"),
	      "knob: failed restore reported: \"%s\"", err);
	CHECK_STR(slurp(t.sysctl, "page_reporting_capacity"), "8",
		  "knob: capacity left as the kernel has it after a failed restore");
}

static const char *persist(struct tree *t, const char *const *args, int n, bool dry_run, int *rc)
{
	static char out[2048];
	struct knob_set set[4];
	char err[512];
	FILE *f = fmemopen(out, sizeof(out), "w");

	out[0] = '\0';
	if (!f || validate(t, args, n, set, err, sizeof(err)) != KNOB_OK) {
		if (f)
			fclose(f);
		*rc = -1;
		return out;
	}
	*rc = knob_persist(&t->p, set, n, dry_run, f, err, sizeof(err));
	fclose(f);
	return out;
}

static void test_persist(void)
{
	const char *sysctls[] = {"capacity=16", "order=10"};
	const char *order[] = {"order=10"};
	const char *vendor[] = {"free_bitmap_enable=N"};
	char dir[PATH_MAX], want[1024];
	const char *out;
	struct tree t, u;
	struct stat st;
	int rc;

	if (!tree_make(&t, "persist", true, false) || !tree_make(&u, "persist-up", false, false))
		return;
	/* sysctls: our own file is rewritten, other keys and comments kept */
	str_printf(dir, sizeof(dir), "%s/sysctl.d", t.etc);
	mkdir(dir, 0755);
	put(dir, "90-prtop.conf",
	    "# Written by prtop knob --persist; other lines are kept.\n"
	    "vm.page_reporting_delay_ms = 500\n# a note\nvm.page_reporting_capacity = 4\n",
	    0644);
	out = persist(&t, sysctls, 2, false, &rc);
	CHECK(rc == KNOB_OK, "knob: persist sysctls");
	CHECK_STR(slurp(dir, "90-prtop.conf"),
		  "# Written by prtop knob --persist; other lines are kept.\n"
		  "vm.page_reporting_delay_ms = 500\n# a note\nvm.page_reporting_capacity = 16\n"
		  "vm.page_reporting_order = 10",
		  "knob: sysctl.d file keeps other keys, updates ours");
	CHECK(strstr(out, "persisted in ") && strstr(out, "sysctl.d/90-prtop.conf"),
	      "knob: persist says which file");
	out = persist(&t, sysctls, 2, false, &rc);
	CHECK_STR(slurp(dir, "90-prtop.conf"),
		  "# Written by prtop knob --persist; other lines are kept.\n"
		  "vm.page_reporting_delay_ms = 500\n# a note\nvm.page_reporting_capacity = 16\n"
		  "vm.page_reporting_order = 10",
		  "knob: persisting twice changes nothing");
	CHECK(stat(t.etc, &st) == 0 && !stat(dir, &st) &&
		  (str_printf(want, sizeof(want), "%s/tmpfiles.d", t.etc), stat(want, &st) != 0),
	      "knob: sysctls do not touch tmpfiles.d");

	/* built-in page_reporting: a tmpfiles.d line and the command line alternative */
	out = persist(&u, order, 1, true, &rc);
	str_printf(dir, sizeof(dir), "%s/tmpfiles.d", u.etc);
	CHECK(rc == KNOB_OK && strstr(out, "would persist in") && stat(dir, &st) != 0,
	      "knob: persist dry run writes nothing");
	out = persist(&u, order, 1, false, &rc);
	str_printf(want, sizeof(want),
		   "# Written by prtop knob --persist; other lines are kept.\n"
		   "w %s/page_reporting_order - - - - 10",
		   u.params);
	CHECK(rc == KNOB_OK, "knob: persist order built in");
	CHECK_STR(slurp(dir, "90-prtop.conf"), want, "knob: tmpfiles.d line for order");
	CHECK(strstr(out, "page_reporting.page_reporting_order=10") != NULL,
	      "knob: names the kernel command line alternative");
	out = persist(&u, vendor, 1, false, &rc);
	str_printf(want, sizeof(want),
		   "# Written by prtop knob --persist; other lines are kept.\n"
		   "w %s/page_reporting_order - - - - 10\n"
		   "w %s/free_bitmap_enable - - - - N",
		   u.params, u.params);
	CHECK_STR(slurp(dir, "90-prtop.conf"), want, "knob: tmpfiles.d keeps the order line");

	/* a loadable module (it has initstate): modprobe.d */
	put(u.module, "initstate", "live\n", 0444);
	str_printf(dir, sizeof(dir), "%s/modprobe.d", u.etc);
	mkdir(dir, 0755);
	put(dir, "90-prtop.conf",
	    "options page_reporting free_bitmap_enable=Y\n"
	    "options page_reporting page_reporting_order=5\n",
	    0644);
	out = persist(&u, order, 1, false, &rc);
	CHECK(rc == KNOB_OK && !strstr(out, "command line"), "knob: persist order loadable");
	CHECK_STR(slurp(dir, "90-prtop.conf"),
		  "# Written by prtop knob --persist; other lines are kept.\n"
		  "options page_reporting free_bitmap_enable=Y\n"
		  "options page_reporting page_reporting_order=10",
		  "knob: modprobe.d options line replaced, others kept");
	str_printf(want, sizeof(want), "%s/90-prtop.conf", dir);
	CHECK(stat(want, &st) == 0 && (st.st_mode & 0777) == 0644, "knob: persisted file is 0644");

	/* an etc that cannot be written: one line, KNOB_EFAIL */
	str_printf(dir, sizeof(dir), "%s/etc-file", u.root);
	put(u.root, "etc-file", "", 0644);
	u.p.etc_dir = dir;
	out = persist(&u, order, 1, false, &rc);
	CHECK(rc < 0, "knob: persist into an unusable etc fails (%d)", rc);
}

/*
 * Mainline's next steps (linux-next, 2026-08): page_reporting_delay_ms as a
 * module parameter is the delay knob where the patch's sysctl is absent,
 * and the order's "unspecified" sentinel is said as such.
 */
static void test_mainline(void)
{
	const char *const args[] = {"delay_ms=500"};
	struct knob_info k[KNOB_MAX];
	const struct knob_info *d, *o;
	struct knob_set set[1];
	const char *src = NULL, *out;
	bool patched = true;
	char err[256];
	int64_t v = 0;
	struct tree t;
	int n, rc;

	if (!tree_make(&t, "mainline", false, false))
		return;
	put(t.params, "page_reporting_delay_ms", "2000\n", 0644);
	put(t.params, "page_reporting_order", "4294967295\n", 0644);
	n = knob_list(&t.p, k, KNOB_MAX);
	d = by_name(k, n, "delay_ms");
	o = by_name(k, n, "order");
	CHECK(d && d->kind == KNOB_MODPARAM && d->writable && !strcmp(d->value, "2000") &&
		  !strcmp(d->source, KNOB_SOURCE_MODPARAM) && strstr(d->path, "parameters/"),
	      "knob: mainline's delay module parameter is the delay knob");
	CHECK(d && !strcmp(d->range, "0..?"), "knob: its upper limit is the kernel's to check (%s)",
	      d ? d->range : "?");
	CHECK(!by_name(k, n, "page_reporting_delay_ms"), "knob: not listed twice");
	CHECK(knob_read(&t.p, "delay_ms", &v, &src, &patched) == 0 && v == 2000 && !patched &&
		  !strcmp(src, KNOB_SOURCE_MODPARAM),
	      "knob: knob_read delay_ms from the module parameter");
	CHECK(knob_read(&t.p, "page_reporting.page_reporting_delay_ms", &v, NULL, NULL) == 0,
	      "knob: the module parameter's own spelling");
	rc = validate(&t, args, 1, set, err, sizeof(err));
	CHECK(rc == KNOB_OK, "knob: delay_ms=500 accepted on the module parameter (%s)", err);
	out = persist(&t, args, 1, true, &rc);
	CHECK(rc == 0 && strstr(out, "page_reporting_delay_ms=500"),
	      "knob: --persist writes it as the module parameter (%s)", out);

	CHECK(o && o->unspecified && !strcmp(o->value, "4294967295"),
	      "knob: order 4294967295 is the unspecified sentinel");
	CHECK(knob_order_unspecified(-1) && knob_order_unspecified(4294967295LL) &&
		  !knob_order_unspecified(9) && !knob_order_unspecified(11),
	      "knob: only -1 / UINT_MAX are the sentinel (6.1's 11 is an order)");
	put(t.params, "page_reporting_order", "9\n", 0644);
	n = knob_list(&t.p, k, KNOB_MAX);
	o = by_name(k, n, "order");
	CHECK(o && !o->unspecified, "knob: a real order is not the sentinel");

	/* the patch's sysctl wins over the module parameter */
	put(t.sysctl, "page_reporting_delay_ms", "1000\n", 0644);
	CHECK(knob_read(&t.p, "delay_ms", &v, &src, &patched) == 0 && v == 1000 && patched,
	      "knob: the patch's sysctl first");
}

/*
 * The v2 series: capacity the sysctl, delay_ms (as mainline) and order the
 * module parameters, the counters in /proc/vmstat, no debugfs.
 */
static void test_v2(void)
{
	const char *const args[] = {"capacity=100", "delay_ms=500", "order=10"};
	struct knob_info k[KNOB_MAX];
	const struct knob_info *c, *d, *o, *r, *u;
	struct knob_set set[3];
	const char *src = NULL, *out;
	bool patched = false;
	char err[256];
	int64_t v = 0;
	struct tree t;
	int n, rc;

	if (!tree_make(&t, "v2", false, false))
		return;
	put(t.sysctl, "page_reporting_capacity", "32\n", 0644);
	put(t.params, "page_reporting_delay_ms", "2000\n", 0644);
	put(t.root, "vmstat",
	    "nr_free_pages 1000\npgfault 5\npage_reporting_reports 7\n"
	    "page_reporting_report_failed 1\npage_reporting_pages_reported 3584\n"
	    "page_reporting_unreported_alloc 512\npage_reporting_unreported_merge 0\n"
	    "balloon_inflate 0\n",
	    0444);
	n = knob_list(&t.p, k, KNOB_MAX);
	CHECK_U64(n, 12, "knob: v2 lists 3 knobs, 4 parameters, 5 vmstat counters");
	c = by_name(k, n, "capacity");
	d = by_name(k, n, "delay_ms");
	o = by_name(k, n, "order");
	CHECK(c && c->kind == KNOB_SYSCTL && !strcmp(c->range, "1..?") && !c->max_known,
	      "knob: v2 capacity is the sysctl, its limit the kernel's (%s)", c ? c->range : "-");
	CHECK(d && d->kind == KNOB_MODPARAM && o && o->kind == KNOB_MODPARAM,
	      "knob: v2 delay_ms and order are module parameters");
	r = by_name(k, n, "page_reporting_reports");
	u = by_name(k, n, "page_reporting_unreported_alloc");
	CHECK(r && r->kind == KNOB_READONLY && !strcmp(r->value, "7") && !strcmp(r->unit, "calls"),
	      "knob: vmstat page_reporting_reports, 7 calls");
	CHECK(u && !strcmp(u->value, "512") && !strcmp(u->unit, "pages"),
	      "knob: vmstat page_reporting_unreported_alloc, 512 pages");
	CHECK(!by_name(k, n, "pgfault") && !by_name(k, n, "balloon_inflate"),
	      "knob: other vmstat lines are not knobs");
	CHECK(knob_read(&t.p, "capacity", &v, &src, &patched) == 0 && v == 32 && patched,
	      "knob: knob_read capacity from the v2 sysctl");
	rc = validate(&t, args, 3, set, err, sizeof(err));
	CHECK(rc == KNOB_OK, "knob: capacity=100 delay_ms=500 order=10 pass prtop's checks (%s)",
	      err);
	out = persist(&t, args, 3, true, &rc);
	CHECK(rc == 0 && strstr(out, "vm.page_reporting_capacity = 100") &&
		  strstr(out, "page_reporting_delay_ms=500") &&
		  strstr(out, "page_reporting_order=10"),
	      "knob: --persist: the sysctl in sysctl.d, the parameters in tmpfiles.d (%s)", out);
}

/*
 * The v3 series: the three knobs are module parameters of page_reporting,
 * as upstream shapes them (capacity the patch's, 0 the device's own; delay
 * mainline's, 0 allowed), the counters in /proc/vmstat.
 */
static void test_v3(void)
{
	const char *const args[] = {"capacity=100", "delay_ms=0", "order=10"};
	const char *const zero[] = {"capacity=0"};
	const char *const neg[] = {"capacity=-1"};
	struct knob_info k[KNOB_MAX];
	const struct knob_info *c, *d;
	struct knob_set set[3];
	const char *src = NULL, *out;
	bool patched = false;
	char err[256], path[PATH_MAX];
	int64_t v = -1;
	struct tree t;
	int n, rc;

	if (!tree_make(&t, "v3", false, false))
		return;
	put(t.params, "page_reporting_capacity", "0\n", 0644);
	put(t.params, "page_reporting_delay_ms", "2000\n", 0644);
	put(t.root, "vmstat",
	    "nr_free_pages 1000\npage_reporting_reports 7\npage_reporting_report_failed 0\n"
	    "page_reporting_pages_reported 3584\npage_reporting_unreported_alloc 512\n"
	    "page_reporting_unreported_isolate 8\n",
	    0444);
	n = knob_list(&t.p, k, KNOB_MAX);
	CHECK_U64(n, 12, "knob: v3 lists 3 knobs, 4 parameters, 5 vmstat counters");
	c = by_name(k, n, "capacity");
	d = by_name(k, n, "delay_ms");
	str_printf(path, sizeof(path), "%s/page_reporting_capacity", t.params);
	CHECK(c && c->kind == KNOB_MODPARAM && !strcmp(c->source, KNOB_SOURCE_PATCH_MODPARAM) &&
		  !strcmp(c->path, path) && !strcmp(c->value, "0"),
	      "knob: v3 capacity is the patch's module parameter, 0 read as is");
	CHECK(c && !strcmp(c->range, "0..?") && !c->max_known,
	      "knob: v3 capacity takes 0 (the device's own), its limit the kernel's (%s)",
	      c ? c->range : "-");
	CHECK(d && d->kind == KNOB_MODPARAM && !strcmp(d->range, "0..?"),
	      "knob: v3 delay_ms is the module parameter, 0 allowed");
	CHECK(!by_name(k, n, "page_reporting_capacity"), "knob: v3 capacity not listed twice");
	CHECK(by_name(k, n, "page_reporting_unreported_isolate"),
	      "knob: v3's unreported_isolate counter listed");
	CHECK(knob_patched(&t.p), "knob: the v3 module parameter means patched");
	CHECK(knob_read(&t.p, "capacity", &v, &src, &patched) == 0 && v == 0 && patched &&
		  !strcmp(src, KNOB_SOURCE_PATCH_MODPARAM),
	      "knob: knob_read capacity from the v3 module parameter");
	CHECK(knob_read(&t.p, "page_reporting.page_reporting_capacity", &v, NULL, NULL) == 0,
	      "knob: the module parameter's own spelling");
	rc = validate(&t, args, 3, set, err, sizeof(err));
	CHECK(rc == KNOB_OK, "knob: capacity=100 delay_ms=0 order=10 pass prtop's checks (%s)",
	      err);
	rc = validate(&t, zero, 1, set, err, sizeof(err));
	CHECK(rc == KNOB_OK, "knob: capacity=0 (the device's own) passes on v3 (%s)", err);
	rc = validate(&t, neg, 1, set, err, sizeof(err));
	CHECK(rc == -ERANGE && strstr(err, "the least is 0"),
	      "knob: capacity=-1 refused by prtop (%s)", err);
	out = persist(&t, args, 3, true, &rc);
	CHECK(rc == 0 && strstr(out, "page_reporting_capacity=100") &&
		  strstr(out, "page_reporting_delay_ms=0") &&
		  strstr(out, "page_reporting_order=10") && !strstr(out, "sysctl.d"),
	      "knob: --persist: all three in tmpfiles.d, no sysctl.d (%s)", out);
	/* the v2 sysctl is not read when v3's parameter is there */
	put(t.sysctl, "page_reporting_capacity", "32\n", 0644);
	CHECK(knob_read(&t.p, "capacity", &v, &src, NULL) == 0 && v == 0 &&
		  !strcmp(src, KNOB_SOURCE_PATCH_MODPARAM),
	      "knob: v3's module parameter before a v2 sysctl");
}

void test_knob(void)
{
	test_v3();
	test_v2();
	test_mainline();
	test_parse_int();
	test_list_unpatched();
	test_list_patched();
	test_validate();
	test_validate_unpatched();
	test_apply();
	test_persist();
}
