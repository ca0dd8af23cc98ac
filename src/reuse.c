// SPDX-License-Identifier: GPL-2.0
/*
 * Reuse of reported memory, seen from userspace only.
 *
 * Every range handed to a successful report() is remembered (pfn, order,
 * time).  On each scan the head page's flags are read from /proc/kpageflags
 * (one u64 per PFN at offset pfn * 8):
 *
 *   head BUDDY and UPTODATE   still free and still reported: keep
 *   head BUDDY, not UPTODATE  free but no longer reported (merged into a
 *                             larger block, or split and re-queued): drop
 *   head not BUDDY, but inside a larger free block: as above
 *   otherwise                 allocated again: reused, drop
 *
 * PG_reported is the same bit as PG_uptodate (enum pageflags), and is only
 * meaningful on free buddy pages; kpageflags exports it as KPF_UPTODATE.
 * Since Linux 5.x, kpageflags also marks every page inside a free buddy
 * block as KPF_BUDDY (is_free_buddy_page()), so "inside a larger free
 * block" normally shows up as a non-reported BUDDY head; the explicit
 * look at aligned-down PFNs is for kernels that only mark the first page.
 *
 * Nothing here runs on the allocator's path: the cost is one pread per
 * run of nearby PFNs per sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "reuse.h"

#define REUSE_DEFAULT_CAPACITY 65536
#define REUSE_MAX_CAPACITY     (1u << 26)
#define BUDDY_MAX_ORDER	       10 /* largest free block: 4 MiB on x86 */
#define NIL		       UINT32_MAX

/* include/uapi/linux/kernel-page-flags.h */
#define KPF_LOCKED	  0
#define KPF_UPTODATE	  3 /* == PG_reported on free buddy pages */
#define KPF_DIRTY	  4
#define KPF_LRU		  5
#define KPF_ACTIVE	  6
#define KPF_SLAB	  7
#define KPF_WRITEBACK	  8
#define KPF_BUDDY	  10
#define KPF_MMAP	  11
#define KPF_ANON	  12
#define KPF_SWAPCACHE	  13
#define KPF_SWAPBACKED	  14
#define KPF_COMPOUND_HEAD 15
#define KPF_COMPOUND_TAIL 16
#define KPF_HUGE	  17
#define KPF_UNEVICTABLE	  18
#define KPF_NOPAGE	  20
#define KPF_THP		  22
#define KPF_OFFLINE	  23
#define KPF_ZERO_PAGE	  24
#define KPF_PGTABLE	  26

#define BIT(n) (1ULL << (n))

/* flags a page inside a free buddy block never has: it is in use */
#define KPF_IN_USE                                                                                 \
	(BIT(KPF_LOCKED) | BIT(KPF_DIRTY) | BIT(KPF_LRU) | BIT(KPF_ACTIVE) | BIT(KPF_SLAB) |       \
	 BIT(KPF_WRITEBACK) | BIT(KPF_MMAP) | BIT(KPF_ANON) | BIT(KPF_SWAPCACHE) |                 \
	 BIT(KPF_SWAPBACKED) | BIT(KPF_COMPOUND_HEAD) | BIT(KPF_COMPOUND_TAIL) | BIT(KPF_HUGE) |   \
	 BIT(KPF_UNEVICTABLE) | BIT(KPF_THP) | BIT(KPF_OFFLINE) | BIT(KPF_ZERO_PAGE) |             \
	 BIT(KPF_PGTABLE))

/* reads: one pread covers PFNs at most RUN_PFNS apart, gaps <= GAP_PFNS */
#define RUN_PFNS 512
#define GAP_PFNS 16
/* beyond this pfn * 8 would not fit in off_t */
#define PFN_LIMIT (1ULL << 56)

struct range {
	uint64_t pfn;
	uint64_t ts_ns;
	uint32_t prev, next; /* age list, oldest first; free list: next */
	uint8_t order;
};

struct reuse_tracker {
	struct range *r;
	size_t cap, n;
	uint32_t oldest, newest, free;
	uint32_t *hash; /* open addressing: pfn -> index into r */
	size_t hmask;
	unsigned int hshift;
	char *path;
	int fd;
	uint64_t page_size;
	struct reuse_totals tot;
};

/* ---- table: hash by pfn + list by age ---- */

static size_t hash_home(const struct reuse_tracker *t, uint64_t pfn)
{
	return (size_t)((pfn * 0x9e3779b97f4a7c15ULL) >> t->hshift) & t->hmask;
}

/* slot holding pfn, or the empty slot where it would go */
static size_t hash_slot(const struct reuse_tracker *t, uint64_t pfn)
{
	size_t i = hash_home(t, pfn);

	while (t->hash[i] != NIL && t->r[t->hash[i]].pfn != pfn)
		i = (i + 1) & t->hmask;
	return i;
}

/* remove slot i, shifting back later entries of the same probe run */
static void hash_del(struct reuse_tracker *t, size_t i)
{
	size_t j = i, k;

	for (;;) {
		j = (j + 1) & t->hmask;
		if (t->hash[j] == NIL)
			break;
		k = hash_home(t, t->r[t->hash[j]].pfn);
		/* may the entry at j move to i?  only if its home is not in (i, j] */
		if (i <= j ? (k > i && k <= j) : (k > i || k <= j))
			continue;
		t->hash[i] = t->hash[j];
		i = j;
	}
	t->hash[i] = NIL;
}

static void list_unlink(struct reuse_tracker *t, uint32_t x)
{
	struct range *e = &t->r[x];

	if (e->prev != NIL)
		t->r[e->prev].next = e->next;
	else
		t->oldest = e->next;
	if (e->next != NIL)
		t->r[e->next].prev = e->prev;
	else
		t->newest = e->prev;
}

static void list_append(struct reuse_tracker *t, uint32_t x)
{
	struct range *e = &t->r[x];

	e->prev = t->newest;
	e->next = NIL;
	if (t->newest != NIL)
		t->r[t->newest].next = x;
	else
		t->oldest = x;
	t->newest = x;
}

static void range_drop(struct reuse_tracker *t, uint32_t x)
{
	hash_del(t, hash_slot(t, t->r[x].pfn));
	list_unlink(t, x);
	t->r[x].next = t->free;
	t->free = x;
	t->n--;
}

static void range_add(struct reuse_tracker *t, uint64_t pfn, unsigned int order, uint64_t ts_ns)
{
	size_t slot = hash_slot(t, pfn);
	uint32_t x = t->hash[slot];

	if (x != NIL) { /* reported again: refresh */
		list_unlink(t, x);
		goto set;
	}
	if (t->n == t->cap) {
		range_drop(t, t->oldest);
		t->tot.forgotten++;
		slot = hash_slot(t, pfn); /* the drop may shift slots */
	}
	x = t->free;
	t->free = t->r[x].next;
	t->hash[slot] = x;
	t->n++;
set:
	t->r[x].pfn = pfn;
	t->r[x].order = (uint8_t)order;
	t->r[x].ts_ns = ts_ns;
	list_append(t, x);
}

struct reuse_tracker *reuse_new(size_t capacity, const char *kpageflags)
{
	struct reuse_tracker *t;
	size_t hsize = 8, i;
	long ps;

	if (!capacity)
		capacity = REUSE_DEFAULT_CAPACITY;
	if (capacity > REUSE_MAX_CAPACITY) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->fd = -1;
	t->cap = capacity;
	t->hshift = 64 - 3;
	while (hsize < 2 * capacity) {
		hsize *= 2;
		t->hshift--;
	}
	t->hmask = hsize - 1;
	t->r = calloc(capacity, sizeof(*t->r));
	t->hash = malloc(hsize * sizeof(*t->hash));
	t->path = strdup(kpageflags ? kpageflags : "/proc/kpageflags");
	if (!t->r || !t->hash || !t->path) {
		reuse_free(t);
		errno = ENOMEM;
		return NULL;
	}
	for (i = 0; i < hsize; i++)
		t->hash[i] = NIL;
	for (i = 0; i < capacity; i++)
		t->r[i].next = i + 1 < capacity ? (uint32_t)(i + 1) : NIL;
	t->free = 0;
	t->oldest = t->newest = NIL;
	ps = sysconf(_SC_PAGESIZE);
	t->page_size = ps > 0 ? (uint64_t)ps : 4096;
	return t;
}

void reuse_free(struct reuse_tracker *t)
{
	if (!t)
		return;
	if (t->fd >= 0)
		close(t->fd);
	free(t->r);
	free(t->hash);
	free(t->path);
	free(t);
}

void reuse_add_batch(struct reuse_tracker *t, const struct prtop_batch_event *ev)
{
	uint32_t i, n;

	if (!t || !ev || ev->err != 0)
		return;
	n = ev->nents < PRTOP_BATCH_MAX ? ev->nents : PRTOP_BATCH_MAX;
	for (i = 0; i < n; i++) {
		if (ev->order[i] >= PRTOP_ORDERS || ev->pfn[i] >= PFN_LIMIT)
			continue;
		range_add(t, ev->pfn[i], ev->order[i], ev->ts_ns);
	}
}

size_t reuse_tracked(const struct reuse_tracker *t)
{
	return t ? t->n : 0;
}

const struct reuse_totals *reuse_totals(const struct reuse_tracker *t)
{
	return t ? &t->tot : NULL;
}

/* ---- reading kpageflags ---- */

struct probe {
	uint64_t pfn;
	uint64_t flags;
	uint32_t idx;
};

static int cmp_probe(const void *a, const void *b)
{
	const struct probe *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	return 0;
}

/* pread all of len bytes unless EOF; returns bytes read or -errno */
static ssize_t pread_full(int fd, void *buf, size_t len, off_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (char *)buf + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/*
 * Fill p[i].flags for p sorted by pfn (duplicates allowed), one pread per
 * run of nearby PFNs.  PFNs past the end of the file read as KPF_NOPAGE,
 * like the memory holes the kernel reports.
 */
static int read_flags(int fd, struct probe *p, size_t n)
{
	uint64_t buf[RUN_PFNS];
	size_t i = 0, j, k;

	while (i < n) {
		uint64_t first = p[i].pfn, span;
		ssize_t got;

		for (j = i + 1; j < n; j++)
			if (p[j].pfn - first >= RUN_PFNS || p[j].pfn - p[j - 1].pfn > GAP_PFNS)
				break;
		span = p[j - 1].pfn - first + 1;
		got = pread_full(fd, buf, span * sizeof(buf[0]), (off_t)(first * sizeof(buf[0])));
		if (got < 0)
			return (int)got;
		for (k = i; k < j; k++) {
			uint64_t at = p[k].pfn - first;

			if ((at + 1) * sizeof(buf[0]) <= (uint64_t)got)
				p[k].flags = buf[at];
			else
				p[k].flags = BIT(KPF_NOPAGE);
		}
		i = j;
	}
	return 0;
}

static int open_flags(struct reuse_tracker *t)
{
	if (t->fd >= 0)
		return 0;
	t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
	return t->fd < 0 ? -errno : 0;
}

/* ---- classification ---- */

enum verdict {
	V_KEEP = 0,   /* still free and reported */
	V_UNREPORTED, /* still free, no longer reported */
	V_REUSED,     /* allocated again */
	V_GONE,	      /* no page there any more (memory hole, offlined) */
	V_ASK_PARENT, /* looks free-ish: is it inside a larger free block? */
};

static enum verdict judge_head(uint64_t f)
{
	if (f & BIT(KPF_NOPAGE))
		return V_GONE;
	if (f & BIT(KPF_BUDDY))
		return (f & BIT(KPF_UPTODATE)) ? V_KEEP : V_UNREPORTED;
	if (f & KPF_IN_USE)
		return V_REUSED;
	return V_ASK_PARENT;
}

/* the aligned-down PFNs that could head a larger block around pfn */
static size_t parents_of(uint64_t pfn, unsigned int order, uint64_t *out)
{
	size_t n = 0;
	unsigned int o;

	for (o = order + 1; o <= BUDDY_MAX_ORDER; o++) {
		uint64_t a = pfn & ~((1ULL << o) - 1);

		if (a != pfn && (n == 0 || out[n - 1] != a))
			out[n++] = a;
	}
	return n;
}

static bool parent_is_buddy(const struct probe *par, size_t npar, uint64_t pfn, unsigned int order)
{
	uint64_t a[BUDDY_MAX_ORDER + 1];
	size_t n = parents_of(pfn, order, a), i;

	for (i = 0; i < n; i++) {
		struct probe key = {.pfn = a[i]};
		const struct probe *hit;

		hit = bsearch(&key, par, npar, sizeof(*par), cmp_probe);
		if (hit && (hit->flags & BIT(KPF_BUDDY)) && !(hit->flags & BIT(KPF_NOPAGE)))
			return true;
	}
	return false;
}

/* second pass for heads that are neither free nor obviously in use */
static int resolve_parents(struct reuse_tracker *t, struct probe *head, size_t n, uint8_t *verdict)
{
	struct probe *par;
	size_t npar = 0, i, j;
	int err = 0;

	for (i = 0; i < n; i++)
		if (verdict[i] == V_ASK_PARENT)
			npar += BUDDY_MAX_ORDER;
	if (!npar)
		return 0;
	par = calloc(npar, sizeof(*par));
	if (!par)
		return -ENOMEM;
	npar = 0;
	for (i = 0; i < n; i++) {
		uint64_t a[BUDDY_MAX_ORDER + 1];
		size_t k;

		if (verdict[i] != V_ASK_PARENT)
			continue;
		k = parents_of(head[i].pfn, t->r[head[i].idx].order, a);
		for (j = 0; j < k; j++)
			par[npar++].pfn = a[j];
	}
	qsort(par, npar, sizeof(*par), cmp_probe);
	err = read_flags(t->fd, par, npar);
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		if (verdict[i] != V_ASK_PARENT)
			continue;
		verdict[i] = parent_is_buddy(par, npar, head[i].pfn, t->r[head[i].idx].order)
				 ? V_UNREPORTED
				 : V_REUSED;
	}
out:
	free(par);
	return err;
}

static void count_reuse(struct reuse_tracker *t, const struct range *e, uint64_t now_ns)
{
	uint64_t pages = 1ULL << e->order;

	t->tot.reused_ranges++;
	t->tot.reused_bytes += pages * t->page_size;
	t->tot.order_reused_pages[e->order] += pages;
	hist_add(&t->tot.age, now_ns > e->ts_ns ? now_ns - e->ts_ns : 0);
}

static void apply(struct reuse_tracker *t, const struct probe *head, size_t n,
		  const uint8_t *verdict, uint64_t now_ns)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint32_t x = head[i].idx;

		switch (verdict[i]) {
		case V_KEEP:
			continue;
		case V_UNREPORTED:
			t->tot.unreported_ranges++;
			break;
		case V_REUSED:
			count_reuse(t, &t->r[x], now_ns);
			break;
		default:
			break;
		}
		range_drop(t, x);
	}
}

int reuse_scan(struct reuse_tracker *t, uint64_t now_ns)
{
	struct probe *head = NULL;
	uint8_t *verdict = NULL;
	size_t n, i;
	uint32_t x;
	int err;

	if (!t)
		return -EINVAL;
	err = open_flags(t);
	if (err || !t->n)
		return err;
	n = t->n;
	head = malloc(n * sizeof(*head));
	verdict = malloc(n);
	if (!head || !verdict) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0, x = t->oldest; x != NIL; x = t->r[x].next, i++) {
		head[i].pfn = t->r[x].pfn;
		head[i].idx = x;
	}
	qsort(head, n, sizeof(*head), cmp_probe);
	err = read_flags(t->fd, head, n);
	if (err)
		goto out;
	for (i = 0; i < n; i++)
		verdict[i] = judge_head(head[i].flags);
	err = resolve_parents(t, head, n, verdict);
	if (err)
		goto out;
	apply(t, head, n, verdict, now_ns);
out:
	free(head);
	free(verdict);
	return err;
}
