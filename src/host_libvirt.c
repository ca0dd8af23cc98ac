// SPDX-License-Identifier: GPL-2.0
/*
 * `prtop host`: what libvirt says of the memory of the domains it manages,
 * shown beside what prtop measures (JSON manager_stats).  libvirt is no
 * dependency of prtop: libvirt.so.0 is opened (dynlib.h) when the first VM
 * libvirt manages is seen, and on a host without libvirt, or with libvirt
 * but none of its VMs, it is never loaded.  Its few entry points are
 * declared here by their stable ABI, so building needs no libvirt headers.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hostmon.h"

#if !defined(PRTOP_NO_DYNLIB) && !defined(PRTOP_NO_LIBVIRT)
#include "dynlib.h"

/* virDomainMemoryStatStruct */
struct lv_stat {
	int tag;
	unsigned long long val;
};
#define LV_STAT_NR  16 /* more than libvirt 9 has (13) */
#define LV_RETRY_NS 10000000000ULL

struct host_libvirt {
	bool tried; /* the library, once */
	bool loaded;
	void *conn;
	uint64_t retry_ns; /* no new connection before */
	void *(*open_ro)(const char *uri);
	int (*close)(void *conn);
	int (*alive)(void *conn);
	void *(*lookup)(void *conn, const char *uuid);
	int (*memstats)(void *dom, struct lv_stat *st, unsigned int nr, unsigned int flags);
	int (*dom_free)(void *dom);
	void (*set_error_func)(void *data, void (*fn)(void *data, void *err));
};

/* libvirt prints every error on stderr unless given a handler: none here */
static void quiet(void *data, void *err)
{
}

struct host_libvirt *host_libvirt_new(void)
{
	return calloc(1, sizeof(struct host_libvirt));
}

static bool load(struct host_libvirt *lv)
{
	struct dynlib_sym syms[] = {
	    {"virConnectOpenReadOnly", (void **)&lv->open_ro},
	    {"virConnectClose", (void **)&lv->close},
	    {"virConnectIsAlive", (void **)&lv->alive},
	    {"virDomainLookupByUUIDString", (void **)&lv->lookup},
	    {"virDomainMemoryStats", (void **)&lv->memstats},
	    {"virDomainFree", (void **)&lv->dom_free},
	    {"virSetErrorFunc", (void **)&lv->set_error_func},
	};
	char err[256];

	if (!lv->tried) {
		lv->tried = true;
		lv->loaded = !dynlib_open("libvirt.so.0", "libvirt0", syms,
					  sizeof(syms) / sizeof(syms[0]), err, sizeof(err));
		if (lv->loaded)
			lv->set_error_func(NULL, quiet);
	}
	return lv->loaded;
}

static bool connected(struct host_libvirt *lv, uint64_t now_ns)
{
	if (lv->conn && lv->alive(lv->conn) == 1)
		return true;
	if (lv->conn) {
		lv->close(lv->conn);
		lv->conn = NULL;
	}
	if (now_ns < lv->retry_ns)
		return false;
	lv->conn = lv->open_ro(NULL);
	if (!lv->conn)
		lv->retry_ns = now_ns + LV_RETRY_NS;
	return lv->conn != NULL;
}

void host_libvirt_stats(struct host_libvirt *lv, struct host_vm *v, uint64_t now_ns)
{
	struct lv_stat st[LV_STAT_NR];
	int tags[LV_STAT_NR];
	unsigned long long vals[LV_STAT_NR];
	void *dom;
	int n, i;

	memset(&v->ms, 0, sizeof(v->ms));
	if (!lv || strcmp(v->id.manager, "libvirt") || !v->id.uuid[0])
		return;
	if (!load(lv) || !connected(lv, now_ns))
		return;
	dom = lv->lookup(lv->conn, v->id.uuid);
	if (!dom)
		return;
	n = lv->memstats(dom, st, LV_STAT_NR, 0);
	lv->dom_free(dom);
	if (n < 0)
		return;
	for (i = 0; i < n && i < LV_STAT_NR; i++) {
		tags[i] = st[i].tag;
		vals[i] = st[i].val;
	}
	host_manager_stats_parse(&v->ms, tags, vals, i);
}

void host_libvirt_free(struct host_libvirt *lv)
{
	if (lv && lv->conn)
		lv->close(lv->conn);
	free(lv);
}

#else /* a static build has no dlopen, a sanitizer build no libvirt (Makefile) */

struct host_libvirt *host_libvirt_new(void)
{
	return NULL;
}

void host_libvirt_stats(struct host_libvirt *lv, struct host_vm *v, uint64_t now_ns)
{
	memset(&v->ms, 0, sizeof(v->ms));
}

void host_libvirt_free(struct host_libvirt *lv)
{
}

#endif
