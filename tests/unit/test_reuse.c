// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for src/reuse.c.  A temporary file laid out like /proc/kpageflags
 * (one u64 per PFN at offset pfn * 8) holds flags chosen per test.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "reuse.h"
#include "unit.h"

#define NPFN	   8192 /* PFNs in the fake kpageflags */
#define F_UPTODATE (1ULL << 3)
#define F_LRU	   (1ULL << 5)
#define F_SLAB	   (1ULL << 7)
#define F_BUDDY	   (1ULL << 10)
#define F_MMAP	   (1ULL << 11)
#define F_NOPAGE   (1ULL << 20)
#define F_REPORTED (F_BUDDY | F_UPTODATE)
#define SEC	   1000000000ULL

static char flags_path[4200];
static int flags_fd = -1;
static uint64_t page_size;

static bool flags_reset(void)
{
	static const uint64_t zero[NPFN];
	const char *dir = unit_tmpdir();

	if (!dir)
		return false;
	if (flags_fd < 0) {
		snprintf(flags_path, sizeof(flags_path), "%s/kpageflags", dir);
		flags_fd = open(flags_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (flags_fd < 0)
			return false;
	}
	return pwrite(flags_fd, zero, sizeof(zero), 0) == sizeof(zero);
}

static void set_flags(uint64_t pfn, uint64_t f)
{
	if (pwrite(flags_fd, &f, sizeof(f), (off_t)(pfn * 8)) != sizeof(f))
		CHECK(false, "reuse: write flags of pfn %llu", (unsigned long long)pfn);
}

static void add1(struct reuse_tracker *t, uint64_t ts, int err, uint64_t pfn, unsigned int order)
{
	struct prtop_batch_event ev = {.ts_ns = ts, .err = err, .nents = 1};

	ev.pfn[0] = pfn;
	ev.order[0] = (uint8_t)order;
	reuse_add_batch(t, &ev);
}

/* every verdict, one range each */
static void test_classify(void)
{
	const struct reuse_totals *tot;
	struct prtop_batch_event ev = {.ts_ns = 10 * SEC};
	static const struct {
		uint64_t pfn;
		unsigned int order;
	} r[] = {
	    {0, 9},	     /* A: reported, kept */
	    {1024, 9},	     /* B: free, not reported */
	    {2048 + 512, 9}, /* C: inside free block at 2048 */
	    {3072 + 512, 9}, /* D: in use, parent free: reused */
	    {4096, 9},	     /* E: allocated, no parents */
	    {5120 + 512, 9}, /* F: allocated, parent allocated */
	    {1 << 20, 9},    /* G: past the end of the file */
	    {6144, 9},	     /* H: memory hole */
	    {7168, 10},	     /* I: slab, order 10 */
	    {6500, 0},	     /* J: order 0, allocated */
	};
	struct reuse_tracker *t;
	uint64_t p50;
	size_t i;

	if (!CHECK(flags_reset(), "reuse: fake kpageflags"))
		return;
	t = reuse_new(64, flags_path);
	if (!CHECK(t != NULL, "reuse: new tracker"))
		return;
	ev.nents = sizeof(r) / sizeof(r[0]);
	for (i = 0; i < ev.nents; i++) {
		ev.pfn[i] = r[i].pfn;
		ev.order[i] = (uint8_t)r[i].order;
	}
	reuse_add_batch(t, &ev);
	CHECK_U64(reuse_tracked(t), ev.nents, "reuse: batch remembered");

	set_flags(0, F_REPORTED);
	set_flags(1024, F_BUDDY);
	set_flags(2048, F_BUDDY | F_UPTODATE);
	set_flags(3072, F_BUDDY);
	set_flags(3584, F_LRU | F_MMAP);
	set_flags(6144, F_NOPAGE);
	set_flags(7168, F_SLAB);

	CHECK_U64(reuse_scan(t, 15 * SEC), 0, "reuse: scan succeeds");
	tot = reuse_totals(t);
	CHECK_U64(reuse_tracked(t), 1, "reuse: only the reported range is kept");
	CHECK_U64(tot->unreported_ranges, 2,
		  "reuse: free-but-unreported and inside-larger-block ranges");
	CHECK_U64(tot->reused_ranges, 5, "reuse: reused ranges");
	CHECK_U64(tot->reused_bytes, page_size * (3 * 512 + 1024 + 1), "reuse: reused bytes");
	CHECK_U64(tot->order_reused_pages[9], 3 * 512, "reuse: order 9 pages");
	CHECK_U64(tot->order_reused_pages[10], 1024, "reuse: order 10 pages");
	CHECK_U64(tot->order_reused_pages[0], 1, "reuse: order 0 pages");
	CHECK_U64(hist_count(&tot->age), 5, "reuse: one age per reused range");
	p50 = hist_percentile(&tot->age, 50);
	CHECK(p50 > 5 * SEC - 5 * SEC / 16 && p50 < 5 * SEC + 5 * SEC / 16,
	      "reuse: age is now - report time (%llu)", (unsigned long long)p50);
	CHECK_U64(tot->forgotten, 0, "reuse: nothing forgotten");

	/* a second scan changes nothing for the kept range */
	CHECK_U64(reuse_scan(t, 16 * SEC), 0, "reuse: second scan");
	CHECK(reuse_tracked(t) == 1 && tot->reused_ranges == 5, "reuse: kept range stays kept");

	/* now it is allocated: reused, age from its report time */
	set_flags(0, 0);
	CHECK_U64(reuse_scan(t, 30 * SEC), 0, "reuse: third scan");
	CHECK(reuse_tracked(t) == 0 && tot->reused_ranges == 6, "reuse: kept range later reused");
	CHECK_U64(hist_count(&tot->age), 6, "reuse: sixth age");
	reuse_free(t);
}

static void test_batches(void)
{
	struct prtop_batch_event ev = {0};
	const struct reuse_totals *tot;
	struct reuse_tracker *t;
	uint64_t age;
	size_t i;

	if (!CHECK(flags_reset(), "reuse: fake kpageflags reset"))
		return;
	t = reuse_new(256, flags_path);
	if (!CHECK(t != NULL, "reuse: new tracker for batches"))
		return;
	tot = reuse_totals(t);

	add1(t, SEC, -5, 512, 9);
	add1(t, SEC, 1, 1024, 9);
	CHECK_U64(reuse_tracked(t), 0, "reuse: batches with err != 0 ignored");

	add1(t, SEC, 0, 512, 9);
	add1(t, 3 * SEC, 0, 512, 9);
	CHECK_U64(reuse_tracked(t), 1, "reuse: same range again is not duplicated");
	CHECK_U64(reuse_scan(t, 4 * SEC), 0, "reuse: scan refreshed range");
	age = hist_percentile(&tot->age, 50);
	CHECK(age > SEC - SEC / 16 && age < SEC + SEC / 16,
	      "reuse: refreshed range's age counts from the later report");

	/* order past PRTOP_ORDERS is ignored, order 15 kept */
	add1(t, SEC, 0, 2048, PRTOP_ORDERS);
	add1(t, SEC, 0, 2048, 200);
	CHECK_U64(reuse_tracked(t), 0, "reuse: invalid orders ignored");

	/* nents larger than the event's arrays is clamped */
	ev.ts_ns = SEC;
	ev.nents = 100000;
	for (i = 0; i < PRTOP_BATCH_MAX; i++) {
		ev.pfn[i] = 4096 + i;
		ev.order[i] = 0;
		set_flags(4096 + i, F_REPORTED);
	}
	reuse_add_batch(t, &ev);
	CHECK_U64(reuse_tracked(t), PRTOP_BATCH_MAX, "reuse: nents clamped");
	ev.nents = 0;
	reuse_add_batch(t, &ev);
	CHECK_U64(reuse_tracked(t), PRTOP_BATCH_MAX, "reuse: empty batch");

	/* report time after "now": age 0, no wrap-around */
	set_flags(4096, F_LRU);
	add1(t, 100 * SEC, 0, 4096, 0);
	CHECK_U64(reuse_scan(t, 50 * SEC), 0, "reuse: scan with future ts");
	CHECK(tot->age.slot[0] == 1, "reuse: future report time gives age 0");

	reuse_add_batch(t, NULL);
	reuse_add_batch(NULL, &ev);
	CHECK(reuse_scan(NULL, 0) == -EINVAL && reuse_tracked(NULL) == 0 &&
		  reuse_totals(NULL) == NULL,
	      "reuse: NULL tracker calls");
	reuse_free(NULL);
	reuse_free(t);

	t = reuse_new(0, NULL);
	CHECK(t != NULL, "reuse: capacity 0 means the default");
	reuse_free(t);
}

static void test_table_full(void)
{
	const struct reuse_totals *tot;
	struct reuse_tracker *t;
	uint64_t pfn;

	if (!CHECK(flags_reset(), "reuse: fake kpageflags for table-full"))
		return;
	t = reuse_new(4, flags_path);
	if (!CHECK(t != NULL, "reuse: tracker of 4"))
		return;
	tot = reuse_totals(t);
	/* the two oldest are still reported; the rest allocated */
	for (pfn = 1; pfn <= 6; pfn++) {
		add1(t, pfn * SEC, 0, pfn * 16, 0);
		set_flags(pfn * 16, pfn <= 2 ? F_REPORTED : F_LRU);
	}
	CHECK_U64(reuse_tracked(t), 4, "reuse: table holds its capacity");
	CHECK_U64(tot->forgotten, 2, "reuse: overflow counted as forgotten");
	CHECK_U64(reuse_scan(t, 10 * SEC), 0, "reuse: scan full table");
	CHECK(reuse_tracked(t) == 0 && tot->reused_ranges == 4,
	      "reuse: the oldest ranges were the ones forgotten");
	reuse_free(t);

	/* a refresh makes a range young again */
	t = reuse_new(4, flags_path);
	if (!CHECK(t != NULL, "reuse: second tracker of 4"))
		return;
	tot = reuse_totals(t);
	for (pfn = 1; pfn <= 4; pfn++)
		add1(t, pfn * SEC, 0, pfn * 16, 0);
	add1(t, 5 * SEC, 0, 16, 0); /* refresh the oldest */
	add1(t, 6 * SEC, 0, 80, 0); /* evicts pfn 32 */
	set_flags(16, F_REPORTED);
	set_flags(32, F_REPORTED);
	set_flags(48, F_LRU);
	set_flags(64, F_LRU);
	set_flags(80, F_LRU);
	CHECK_U64(reuse_scan(t, 10 * SEC), 0, "reuse: scan after refresh");
	CHECK(reuse_tracked(t) == 1 && tot->reused_ranges == 3 && tot->forgotten == 1,
	      "reuse: refreshed range survives, next-oldest forgotten");
	reuse_free(t);
}

static void test_errors(void)
{
	const struct reuse_totals *tot;
	struct reuse_tracker *t;
	char path[4300];

	t = reuse_new(8, "/nonexistent/kpageflags");
	if (!CHECK(t != NULL, "reuse: tracker with a missing kpageflags"))
		return;
	add1(t, SEC, 0, 512, 9);
	CHECK_U64(reuse_scan(t, 2 * SEC), (uint64_t)-ENOENT,
		  "reuse: missing kpageflags gives -ENOENT");
	CHECK_U64(reuse_tracked(t), 1, "reuse: failed scan keeps the ranges");
	reuse_free(t);

	if (!unit_tmpdir())
		return;
	snprintf(path, sizeof(path), "%s/kpf_dir", unit_tmpdir());
	mkdir(path, 0700);
	t = reuse_new(8, path);
	if (!CHECK(t != NULL, "reuse: tracker with a directory as kpageflags"))
		return;
	tot = reuse_totals(t);
	add1(t, SEC, 0, 512, 9);
	CHECK_U64(reuse_scan(t, 2 * SEC), (uint64_t)-EISDIR,
		  "reuse: unreadable kpageflags gives -errno");
	CHECK(reuse_tracked(t) == 1 && tot->reused_ranges == 0 && tot->unreported_ranges == 0,
	      "reuse: unreadable kpageflags changes nothing");
	reuse_free(t);

	if (geteuid() != 0 && flags_reset()) {
		t = reuse_new(8, flags_path);
		chmod(flags_path, 0);
		add1(t, SEC, 0, 512, 9);
		CHECK_U64(reuse_scan(t, 2 * SEC), (uint64_t)-EACCES,
			  "reuse: kpageflags without permission gives -EACCES");
		chmod(flags_path, 0600);
		reuse_free(t);
	}

	/* an empty table on a good file: nothing to do */
	if (flags_reset()) {
		t = reuse_new(8, flags_path);
		CHECK(t && reuse_scan(t, SEC) == 0, "reuse: scan of an empty table");
		reuse_free(t);
	}
}

/* many ranges: batched reads across runs and gaps */
static void test_many(void)
{
	const struct reuse_totals *tot;
	struct prtop_batch_event ev = {.ts_ns = SEC};
	struct reuse_tracker *t;
	uint64_t pfn, keep = 0, reused = 0;

	if (!CHECK(flags_reset(), "reuse: fake kpageflags for many"))
		return;
	t = reuse_new(4096, flags_path);
	if (!CHECK(t != NULL, "reuse: tracker of 4096"))
		return;
	tot = reuse_totals(t);
	/* dense 100..1599, then every 37th PFN up to NPFN */
	for (pfn = 100; pfn < NPFN; pfn += pfn < 1600 ? 1 : 37) {
		ev.pfn[ev.nents] = pfn;
		ev.order[ev.nents++] = 0;
		if (ev.nents == PRTOP_BATCH_MAX) {
			reuse_add_batch(t, &ev);
			ev.nents = 0;
		}
		if (pfn % 3 == 0) {
			set_flags(pfn, F_REPORTED);
			keep++;
		} else {
			set_flags(pfn, F_LRU);
			reused++;
		}
	}
	reuse_add_batch(t, &ev);
	CHECK_U64(reuse_tracked(t), keep + reused, "reuse: many ranges tracked");
	CHECK_U64(reuse_scan(t, 2 * SEC), 0, "reuse: scan many");
	CHECK_U64(reuse_tracked(t), keep, "reuse: many: kept");
	CHECK_U64(tot->reused_ranges, reused, "reuse: many: reused");
	CHECK_U64(tot->reused_bytes, reused * page_size, "reuse: many: bytes");
	reuse_free(t);
}

/*
 * Random adds and drops against a plain model: exercises the hash table's
 * deletions and the age list.
 */
#define MODEL_CAP  64
#define MODEL_PFNS 300

struct model {
	uint64_t pfn[MODEL_CAP]; /* oldest first */
	size_t n;
	uint64_t forgotten;
};

static void model_add(struct model *m, uint64_t pfn)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (m->pfn[i] == pfn)
			break;
	if (i == m->n && m->n == MODEL_CAP) {
		i = 0; /* drop the oldest */
		m->forgotten++;
	}
	if (i < m->n) {
		memmove(&m->pfn[i], &m->pfn[i + 1], (m->n - i - 1) * sizeof(m->pfn[0]));
		m->n--;
	}
	m->pfn[m->n++] = pfn;
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_model(void)
{
	const struct reuse_totals *tot;
	struct reuse_tracker *t;
	struct model m = {0};
	uint64_t reused = 0;
	uint32_t seed = 12345;
	bool same = true;
	int round, i;

	if (!CHECK(flags_reset(), "reuse: fake kpageflags for model"))
		return;
	t = reuse_new(MODEL_CAP, flags_path);
	if (!CHECK(t != NULL, "reuse: tracker for model"))
		return;
	tot = reuse_totals(t);
	for (round = 0; round < 200; round++) {
		size_t j, k = 0;

		for (i = 0; i < 40; i++) {
			uint64_t pfn = rnd(&seed) % MODEL_PFNS * 2;

			add1(t, SEC, 0, pfn, 0);
			model_add(&m, pfn);
		}
		same &= reuse_tracked(t) == m.n && tot->forgotten == m.forgotten;
		/* a random third of what is tracked gets allocated */
		for (j = 0; j < m.n; j++) {
			bool gone = rnd(&seed) % 3 == 0;

			set_flags(m.pfn[j], gone ? F_LRU : F_REPORTED);
			if (gone)
				reused++;
			else
				m.pfn[k++] = m.pfn[j];
		}
		m.n = k;
		same &= reuse_scan(t, 2 * SEC) == 0;
		same &= reuse_tracked(t) == m.n && tot->reused_ranges == reused;
	}
	CHECK(same, "reuse: 200 rounds of random adds and scans match a model");
	CHECK(tot->forgotten > 0 && reused > 1000,
	      "reuse: model exercised eviction and drops (%llu, %llu)",
	      (unsigned long long)tot->forgotten, (unsigned long long)reused);
	reuse_free(t);
}

void test_reuse(void)
{
	long ps = sysconf(_SC_PAGESIZE);

	page_size = ps > 0 ? (uint64_t)ps : 4096;
	test_classify();
	test_batches();
	test_table_full();
	test_errors();
	test_many();
	test_model();
	if (flags_fd >= 0)
		close(flags_fd);
	flags_fd = -1;
}
