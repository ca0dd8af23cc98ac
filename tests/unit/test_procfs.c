// SPDX-License-Identifier: GPL-2.0
/* Tests for src/procfs.c: kallsyms, buddyinfo, module parameters, uname. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include "procfs.h"
#include "unit.h"

/* ---- kallsyms ---- */

static struct ksyms *parse_str(const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct ksyms *ks;

	if (!f) /* fmemopen refuses a zero-length buffer */
		f = fopen("/dev/null", "r");
	if (!f)
		return NULL;
	ks = ksyms_parse(f);
	fclose(f);
	return ks;
}

static const char kallsyms_good[] =
    "ffffffff81000000 T _text\n"
    "ffffffff81001000 t __pfx_page_reporting_drain.isra.0\n"
    "ffffffff81001010 t page_reporting_drain.isra.0\n"
    "ffffffff81001200 T __pfx_page_reporting_process\n"
    "ffffffff81001210 T page_reporting_process\n"
    "ffffffff81001400 t page_reporting_cycle.constprop.0\n"
    "ffffffff81001600 t split_me.part.3\n"
    "ffffffff81001700 t only_cold.cold\n"
    "ffffffff81001800 T page_reporting_drainer\n"
    "ffffffff81001900 t page_reporting_drain.foo\n"
    "ffffffff81001a00 D dup\n"
    "ffffffff81001b00 d dup\n"
    "ffffffff81001c00 t alias_a\n"
    "ffffffff81001c00 t alias_b\n"
    "ffffffff89000000 t page_reporting_drain.cold\n"
    "ffffffffc0a01000 t virtballoon_free_page_report\t[virtio_balloon]\n"
    "ffffffffc0a02000 T virtballoon_probe\t[virtio_balloon]"; /* no \n */

static void test_kallsyms_good(void)
{
	struct ksyms *ks = parse_str(kallsyms_good);
	const struct ksym *k;

	if (!CHECK(ks != NULL, "procfs: kallsyms parses"))
		return;
	CHECK_U64(ksyms_count(ks), 17, "procfs: kallsyms count");
	CHECK(!ksyms_hidden(ks), "procfs: kallsyms not hidden");

	k = ksyms_by_name(ks, "page_reporting_process");
	CHECK(k && k->addr == 0xffffffff81001210ULL && k->type == 'T' && k->module == NULL,
	      "procfs: by_name vmlinux symbol");
	k = ksyms_by_name(ks, "virtballoon_free_page_report");
	CHECK(k && k->type == 't' && k->module && strcmp(k->module, "virtio_balloon") == 0,
	      "procfs: by_name module symbol with [module]");
	k = ksyms_by_name(ks, "virtballoon_probe");
	CHECK(k && k->addr == 0xffffffffc0a02000ULL, "procfs: last line without newline");
	k = ksyms_by_name(ks, "dup");
	CHECK(k && k->type == 'D', "procfs: by_name returns the first of two");
	CHECK(ksyms_by_name(ks, "page_reporting_drain") == NULL,
	      "procfs: by_name exact only (clone not returned)");
	CHECK(ksyms_by_name(ks, "") == NULL && ksyms_by_name(ks, NULL) == NULL,
	      "procfs: by_name empty/NULL name");
	CHECK(ksyms_by_name(ks, "page_reporting_drai") == NULL,
	      "procfs: by_name prefix is no match");

	k = ksyms_clone_of(ks, "page_reporting_drain");
	CHECK_STR(k ? k->name : NULL, "page_reporting_drain.isra.0",
		  "procfs: clone_of prefers the entry clone over .cold");
	k = ksyms_clone_of(ks, "page_reporting_cycle");
	CHECK_STR(k ? k->name : NULL, "page_reporting_cycle.constprop.0",
		  "procfs: clone_of .constprop.N");
	k = ksyms_clone_of(ks, "split_me");
	CHECK_STR(k ? k->name : NULL, "split_me.part.3", "procfs: clone_of .part.N");
	k = ksyms_clone_of(ks, "only_cold");
	CHECK_STR(k ? k->name : NULL, "only_cold.cold",
		  "procfs: clone_of .cold when it is the only one");
	CHECK(ksyms_clone_of(ks, "page_reporting_process") == NULL,
	      "procfs: clone_of a function without clones");
	CHECK(ksyms_clone_of(ks, "page_reporting") == NULL,
	      "procfs: clone_of does not match longer names");
	CHECK(ksyms_clone_of(ks, "page_reporting_drain.isra.0") == NULL,
	      "procfs: clone_of a clone name");
	CHECK(ksyms_clone_of(ks, "nothing_here") == NULL && ksyms_clone_of(ks, "") == NULL,
	      "procfs: clone_of unknown/empty");

	k = ksyms_by_addr(ks, 0xffffffff81001010ULL);
	CHECK_STR(k ? k->name : NULL, "page_reporting_drain.isra.0", "procfs: by_addr exact start");
	k = ksyms_by_addr(ks, 0xffffffff810010ffULL);
	CHECK_STR(k ? k->name : NULL, "page_reporting_drain.isra.0",
		  "procfs: by_addr inside a function");
	k = ksyms_by_addr(ks, 0xffffffff81001204ULL);
	CHECK_STR(k ? k->name : NULL, "page_reporting_drain.isra.0",
		  "procfs: by_addr skips __pfx_ padding symbols");
	k = ksyms_by_addr(ks, 0xffffffff81001c08ULL);
	CHECK_STR(k ? k->name : NULL, "alias_a",
		  "procfs: by_addr with aliases returns the first listed");
	k = ksyms_by_addr(ks, 0xffffffffc0a01004ULL);
	CHECK(k && k->module && !strcmp(k->name, "virtballoon_free_page_report"),
	      "procfs: by_addr in a module");
	k = ksyms_by_addr(ks, UINT64_MAX);
	CHECK_STR(k ? k->name : NULL, "virtballoon_probe", "procfs: by_addr past the last symbol");
	CHECK(ksyms_by_addr(ks, 0xffffffff80ffffffULL) == NULL,
	      "procfs: by_addr below the first symbol");
	ksyms_free(ks);
}

static void test_kallsyms_bad(void)
{
	static const char garbage[] = "hello world\n"
				      "zzzz T foo\n"
				      "ffffffff81000000 T\n"
				      "ffffffff81000000\n"
				      "ffffffff81000000 \n"
				      "1ffffffff81000000 T seventeen_digits\n"
				      "ffffffff81000000 TT two_letter_type\n"
				      "ffffffff81000000 1 digit_type\n"
				      "ffffffff81000000 T name [unclosed\n"
				      "ffffffff81000000 T name []\n"
				      "ffffffff81000000 T name trailing junk\n"
				      "-1 T negative\n"
				      "0x81000000 T with_0x\n"
				      "\n"
				      "\t\n"
				      "ffffffff81000000 T ok_one\n"
				      "\x01\x02\xff\xfe binary\n";
	struct ksyms *ks;
	char *big;
	size_t i;

	ks = parse_str(garbage);
	if (CHECK(ks != NULL, "procfs: kallsyms garbage parses")) {
		CHECK_U64(ksyms_count(ks), 1, "procfs: kallsyms garbage lines skipped");
		CHECK(ksyms_by_name(ks, "ok_one") != NULL, "procfs: good line among garbage kept");
		ksyms_free(ks);
	}

	ks = parse_str("");
	if (CHECK(ks != NULL, "procfs: kallsyms empty input parses")) {
		CHECK_U64(ksyms_count(ks), 0, "procfs: kallsyms empty count");
		CHECK(ksyms_hidden(ks), "procfs: kallsyms empty counts as hidden");
		CHECK(ksyms_by_name(ks, "x") == NULL && ksyms_by_addr(ks, 1) == NULL &&
			  ksyms_clone_of(ks, "x") == NULL,
		      "procfs: lookups on empty table");
		ksyms_free(ks);
	}

	ks = parse_str("0000000000000000 T _text\n"
		       "0000000000000000 t page_reporting_drain.isra.0\n"
		       "0000000000000000 t virtballoon_free_page_report\t[virtio_balloon]\n");
	if (CHECK(ks != NULL, "procfs: kallsyms hidden parses")) {
		CHECK(ksyms_hidden(ks), "procfs: all-zero addresses are hidden");
		CHECK(ksyms_by_addr(ks, 0) == NULL &&
			  ksyms_by_addr(ks, 0xffffffff81000000ULL) == NULL,
		      "procfs: by_addr on hidden table is NULL");
		CHECK(ksyms_by_name(ks, "_text") != NULL,
		      "procfs: by_name still works when hidden");
		CHECK(ksyms_clone_of(ks, "page_reporting_drain") != NULL,
		      "procfs: clone_of still works when hidden");
		ksyms_free(ks);
	}

	/* one very long name, longer than any buffer a parser might use */
	big = malloc(100000);
	if (big) {
		size_t n = (size_t)sprintf(big, "ffffffff81000000 T ");

		for (i = 0; i < 90000; i++)
			big[n++] = 'a' + i % 26;
		memcpy(big + n, "\nffffffff81000010 T after_long\n", 32);
		ks = parse_str(big);
		CHECK(ks && ksyms_count(ks) == 2 && ksyms_by_name(ks, "after_long") != NULL,
		      "procfs: kallsyms 90000-character name");
		ksyms_free(ks);
		free(big);
	}

	errno = 0;
	CHECK(ksyms_parse(NULL) == NULL && errno == EINVAL,
	      "procfs: ksyms_parse(NULL) fails with EINVAL");
	errno = 0;
	CHECK(ksyms_load("/nonexistent/kallsyms") == NULL && errno == ENOENT,
	      "procfs: ksyms_load missing file fails with ENOENT");
	ksyms_free(NULL);
	CHECK(ksyms_hidden(NULL) && ksyms_count(NULL) == 0 && ksyms_by_name(NULL, "x") == NULL &&
		  ksyms_by_addr(NULL, 1) == NULL && ksyms_clone_of(NULL, "x") == NULL,
	      "procfs: ksyms calls with NULL table");
}

static void test_kallsyms_live(void)
{
	struct ksyms *ks;

	if (access("/proc/kallsyms", R_OK))
		return;
	ks = ksyms_load(NULL);
	CHECK(ks && ksyms_count(ks) > 1000, "procfs: /proc/kallsyms loads (%zu symbols)",
	      ksyms_count(ks));
	if (ks && !ksyms_hidden(ks)) {
		const struct ksym *k = ksyms_by_name(ks, "schedule");

		CHECK(k && ksyms_by_addr(ks, k->addr) &&
			  ksyms_by_addr(ks, k->addr)->addr == k->addr,
		      "procfs: /proc/kallsyms schedule found by name and address");
	}
	ksyms_free(ks);
}

/* ---- buddyinfo ---- */

struct guarded {
	uint64_t blocks[PRTOP_ORDERS];
	uint64_t guard[4];
};

static int buddy_str(const char *text, struct guarded *g)
{
	FILE *f;
	int rc;

	memset(g, 0xa5, sizeof(*g));
	f = fmemopen((void *)text, strlen(text), "r");
	if (!f)
		f = fopen("/dev/null", "r");
	if (!f)
		return -999;
	rc = buddyinfo_parse(f, g->blocks);
	fclose(f);
	return rc;
}

static bool guard_ok(const struct guarded *g)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (g->guard[i] != 0xa5a5a5a5a5a5a5a5ULL)
			return false;
	return true;
}

static bool all_zero(const uint64_t *b)
{
	int i;

	for (i = 0; i < PRTOP_ORDERS; i++)
		if (b[i])
			return false;
	return true;
}

/* each zone's line apart, for the per-zone budget; the sums as before */
static void test_buddyinfo_zones(void)
{
	static const char text[] = "Node 0, zone      DMA      0      0      0      0      0  "
				   "    0      0      0      1      1      3 \n"
				   "Node 0, zone    DMA32      1      1      4      2      5  "
				   "    4      3      3      4      2    752 \n"
				   "Node 0, zone   Normal   2032   1833    952    443    302  "
				   "  219     48     11     11     37    407 \n";
	char path[] = "/tmp/prtop-buddy-XXXXXX";
	uint64_t blocks[PRTOP_ORDERS], zones[2][PRTOP_ORDERS];
	int fd = mkstemp(path), nz = -1, rc;

	CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text),
	      "procfs: buddyinfo zones: a file to read");
	if (fd >= 0)
		close(fd);
	rc = buddyinfo_read_zones(path, blocks, zones, 2, &nz);
	CHECK(rc == 11 && nz == 2, "procfs: buddyinfo zones: two kept of three (%d, %d)", rc, nz);
	CHECK(zones[0][10] == 3 && zones[1][10] == 752 && zones[1][9] == 2,
	      "procfs: buddyinfo zones: DMA and DMA32 apart");
	CHECK_U64(blocks[10], 3 + 752 + 407, "procfs: buddyinfo zones: the sum over all three");
	unlink(path);
	rc = buddyinfo_read_zones(path, blocks, zones, 2, &nz);
	CHECK(rc < 0 && nz == 0, "procfs: buddyinfo zones: no file, no zones");
}

static void test_buddyinfo_good(void)
{
	static const char two_nodes[] = "Node 0, zone      DMA      0      0      0      0      0  "
					"    0      0      0      1      1      3 \n"
					"Node 0, zone    DMA32      1      1      4      2      5  "
					"    4      3      3      4      2    752 \n"
					"Node 0, zone   Normal   2032   1833    952    443    302  "
					"  219     48     11     11     37    407 \n"
					"\n"
					"Node 1, zone   Normal      7      0      0      0      0  "
					"    0      0      0      0      0      1";
	struct guarded g;
	int rc, i;
	bool rest;

	rc = buddy_str(two_nodes, &g);
	CHECK_U64(rc, 11, "procfs: buddyinfo orders seen");
	CHECK_U64(g.blocks[0], 2040, "procfs: buddyinfo order 0 summed over nodes");
	CHECK_U64(g.blocks[9], 1 + 2 + 37, "procfs: buddyinfo order 9 summed");
	CHECK_U64(g.blocks[10], 3 + 752 + 407 + 1, "procfs: buddyinfo order 10 summed");
	rest = true;
	for (i = 11; i < PRTOP_ORDERS; i++)
		rest &= g.blocks[i] == 0;
	CHECK(rest, "procfs: buddyinfo untouched orders are zero");
	CHECK(guard_ok(&g), "procfs: buddyinfo guard intact");

	rc = buddy_str("Node 0, zone Normal 1 2 3 4 5 6 7 8 9 10 11 12 13 14 "
		       "15 16 17 18 19 20\n",
		       &g);
	CHECK_U64(rc, PRTOP_ORDERS, "procfs: buddyinfo 20 columns capped");
	CHECK_U64(g.blocks[PRTOP_ORDERS - 1], PRTOP_ORDERS,
		  "procfs: buddyinfo last tracked column");
	CHECK(guard_ok(&g), "procfs: buddyinfo too many columns do not overflow");

	rc = buddy_str("Node 0, zone Normal 18446744073709551615 1\n"
		       "Node 1, zone Normal 18446744073709551615 1\n",
		       &g);
	CHECK(rc == 2 && g.blocks[0] == UINT64_MAX && g.blocks[1] == 2,
	      "procfs: buddyinfo sum saturates at UINT64_MAX");

	rc = buddy_str("Node 0, zone Normal 5\n"
		       "Node 0, zone Movable 1 2 3\n",
		       &g);
	CHECK(rc == 3 && g.blocks[0] == 6 && g.blocks[2] == 3,
	      "procfs: buddyinfo lines of different length");

	if (access("/proc/buddyinfo", R_OK) == 0)
		CHECK(buddyinfo_read(NULL, g.blocks) > 0, "procfs: /proc/buddyinfo reads");
	CHECK_U64(buddyinfo_read("/nonexistent/buddyinfo", g.blocks), (uint64_t)-ENOENT,
		  "procfs: buddyinfo missing file");
}

static void test_buddyinfo_bad(void)
{
	static const char *const bad[] = {
	    "",
	    "\n\n",
	    "garbage\n",
	    "Node 0, zone Normal\n",
	    "Node 0, zone Normal 1 2 x 4\n",
	    "Node 0, zone Normal 1 2 3x\n",
	    "Node 0, zone Normal 1 -2 3\n",
	    "Node 0, zone Normal 1 +2 3\n",
	    "Node x, zone Normal 1 2 3\n",
	    "Node 0 zone Normal 1 2 3\n",
	    "Node 0, zon",
	    "Node 0, zone\n",
	    "Node, zone Normal 1\n",
	    "Node 0, zone Normal 99999999999999999999999 1\n",
	    "Node 0, zone Normal 18446744073709551616\n",
	    "Node 0, zone Normal 1 2 3\nbroken second line\n",
	    "Node 0, zone Normal 1.5 2\n",
	};
	struct guarded g;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = buddy_str(bad[i], &g);

		CHECK(rc == -EINVAL && all_zero(g.blocks) && guard_ok(&g),
		      "procfs: buddyinfo rejects malformed input #%zu (rc %d)", i, rc);
	}
	CHECK_U64(buddyinfo_parse(NULL, g.blocks), (uint64_t)-EINVAL,
		  "procfs: buddyinfo_parse(NULL)");
}

/* ---- params ---- */

static void test_params(void)
{
	static const char *const vendor[] = {
	    "free_bitmap_enable", "max_waiting_mib", "min_free_ms", "passes",
	    "reported_kib",	  "walked",
	};
	struct snap_param p[SNAP_MAX_PARAMS];
	char dir[4096], sub[4200], path[4200];
	const char *base = unit_tmpdir();
	char longv[300];
	bool meanings = true;
	size_t i;
	int n;

	if (!base)
		return;
	snprintf(dir, sizeof(dir), "%s/params", base);
	if (!CHECK(mkdir(dir, 0755) == 0, "procfs: params mkdir"))
		return;
	CHECK_U64(params_read(dir, p, SNAP_MAX_PARAMS), 0, "procfs: params empty dir");

	unit_write_file(dir, "page_reporting_order", "9\n", 2);
	unit_write_file(dir, "free_bitmap_enable", "Y\n", 2);
	unit_write_file(dir, "max_waiting_mib", "  1024 \t\n", 9);
	unit_write_file(dir, "min_free_ms", "0\n", 2);
	unit_write_file(dir, "passes", "55", 2);
	unit_write_file(dir, "reported_kib", "", 0);
	unit_write_file(dir, "walked", "a\tb\x01z\n", 6);
	snprintf(sub, sizeof(sub), "%s/subdir", dir);
	mkdir(sub, 0755);
	/* regular file whose read fails (EIO) even for root */
	snprintf(path, sizeof(path), "%s/zz_unreadable", dir);
	CHECK(symlink("/proc/self/mem", path) == 0, "procfs: params symlink");

	n = params_read(dir, p, SNAP_MAX_PARAMS);
	if (!CHECK_U64(n, 8, "procfs: params counts regular files only"))
		return;
	CHECK_STR(p[0].name, "free_bitmap_enable", "procfs: params sorted [0]");
	CHECK_STR(p[1].name, "max_waiting_mib", "procfs: params sorted [1]");
	CHECK_STR(p[3].name, "page_reporting_order", "procfs: params sorted [3]");
	CHECK_STR(p[7].name, "zz_unreadable", "procfs: params sorted [7]");
	CHECK_STR(p[3].value, "9", "procfs: params value trimmed");
	CHECK_STR(p[1].value, "1024", "procfs: params value trimmed both sides");
	CHECK_STR(p[4].value, "55", "procfs: params value without newline");
	CHECK_STR(p[5].value, "", "procfs: params empty value");
	CHECK_STR(p[6].value, "a b z", "procfs: params control characters blanked");
	CHECK_STR(p[7].value, "?", "procfs: params unreadable value is ?");
	CHECK(p[3].meaning && strstr(p[3].meaning, "order"),
	      "procfs: page_reporting_order has a meaning");
	for (i = 0; i < 8; i++)
		if (i != 3)
			meanings &= p[i].meaning == NULL;
	CHECK(meanings, "procfs: vendor parameters have no meaning");

	/* read-only whole numbers are the kernel's counters; nothing else is */
	snprintf(path, sizeof(path), "%s/passes", dir);
	chmod(path, 0444);
	snprintf(path, sizeof(path), "%s/free_bitmap_enable", dir);
	chmod(path, 0444);
	snprintf(path, sizeof(path), "%s/reported_kib", dir);
	chmod(path, 0444);
	n = params_read(dir, p, SNAP_MAX_PARAMS);
	CHECK(n == 8 && p[4].counter && p[4].count == 55,
	      "procfs: a read-only number is a counter (passes 55)");
	CHECK(!p[1].counter, "procfs: a writable number is not a counter");
	CHECK(!p[0].counter && !p[5].counter, "procfs: read-only Y or empty is not a counter");
	for (i = 0; i < sizeof(vendor) / sizeof(vendor[0]); i++)
		CHECK(param_meaning(vendor[i]) == NULL, "procfs: param_meaning(%s) is NULL",
		      vendor[i]);
	CHECK(param_meaning(NULL) == NULL, "procfs: param_meaning(NULL)");

	n = params_read(dir, p, 2);
	CHECK(n == 2 && !strcmp(p[0].name, "free_bitmap_enable") &&
		  !strcmp(p[1].name, "max_waiting_mib"),
	      "procfs: params max keeps the first names in order");
	CHECK_U64(params_read(dir, p, 0), 0, "procfs: params max 0");

	memset(longv, 'v', sizeof(longv));
	unit_write_file(dir, "long_value", longv, sizeof(longv));
	n = params_read(dir, p, SNAP_MAX_PARAMS);
	CHECK(n == 9 && !strcmp(p[1].name, "long_value") &&
		  strlen(p[1].value) == sizeof(p[1].value) - 1,
	      "procfs: params long value truncated");

	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "%s/min_free_ms", dir);
		chmod(path, 0);
		n = params_read(dir, p, SNAP_MAX_PARAMS);
		CHECK(n == 9 && !strcmp(p[3].value, "?"), "procfs: params mode-000 value is ?");
	}

	CHECK_U64(params_read("/nonexistent/params", p, SNAP_MAX_PARAMS), (uint64_t)-ENOENT,
		  "procfs: params missing dir");
	if (access("/sys/module/page_reporting/parameters", R_OK) == 0) {
		n = params_read(NULL, p, SNAP_MAX_PARAMS);
		CHECK(n > 0, "procfs: live page_reporting parameters (%d)", n);
	}
}

static void test_uname(void)
{
	struct utsname u;
	char buf[128], tiny[1] = {'x'};

	uname(&u);
	kernel_release(buf, sizeof(buf));
	CHECK_STR(buf, u.release, "procfs: kernel_release matches uname");
	kernel_release(tiny, sizeof(tiny));
	CHECK(tiny[0] == '\0', "procfs: kernel_release into a 1-byte buffer");
	kernel_release(NULL, 10); /* must not crash: no check can say more */
	kernel_release(buf, 0);
}

/* a fake /sys/bus/virtio/devices/NAME with device id and features */
static void virtio_dev(const char *root, const char *name, const char *id, const char *features)
{
	char dir[4200];

	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	mkdir(dir, 0755);
	unit_write_file(dir, "device", id, strlen(id));
	if (features)
		unit_write_file(dir, "features", features, strlen(features));
}

static void test_virtio_hint(void)
{
	static const char on[] = "0111010000000000000000000000000100100000\n";
	static const char off[] = "0110010000000000000000000000000100100000\n";
	const char *base = unit_tmpdir();
	char root[4096], dev[32];

	if (!base)
		return;
	snprintf(root, sizeof(root), "%s/virtio", base);
	CHECK_U64(virtio_hint_offer(root, dev, sizeof(dev)), HINT_NO_DEVICE,
		  "procfs: hint: no devices directory");
	mkdir(root, 0755);
	virtio_dev(root, "virtio0", "0x0001\n", on); /* a net device: bit 3 means else */
	virtio_dev(root, "virtio1", "0x0002\n", NULL);
	CHECK_U64(virtio_hint_offer(root, dev, sizeof(dev)), HINT_NO_DEVICE,
		  "procfs: hint: no balloon among the devices");
	virtio_dev(root, "virtio2", "0x0005\n", off);
	CHECK_U64(virtio_hint_offer(root, dev, sizeof(dev)), HINT_NOT_OFFERED,
		  "procfs: hint: balloon without bit 3");
	CHECK_STR(dev, "virtio2", "procfs: hint: names the balloon");
	virtio_dev(root, "virtio3", "0x0005\n", "01");
	CHECK_U64(virtio_hint_offer(root, NULL, 0), HINT_NOT_OFFERED,
		  "procfs: hint: a short features string is not an offer");
	virtio_dev(root, "virtio4", "0x0005\n", on);
	CHECK_U64(virtio_hint_offer(root, dev, sizeof(dev)), HINT_OFFERED,
		  "procfs: hint: a balloon with bit 3");
	CHECK_STR(dev, "virtio4", "procfs: hint: names the one that offers it");
}

void test_procfs(void)
{
	test_virtio_hint();
	test_kallsyms_good();
	test_kallsyms_bad();
	test_kallsyms_live();
	test_buddyinfo_good();
	test_buddyinfo_zones();
	test_buddyinfo_bad();
	test_params();
	test_uname();
}
