/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `prtop export`: a Prometheus exporter.  The calling thread samples the
 * collector every interval and publishes an immutable snapshot; the HTTP
 * thread (http.h) renders /metrics from the latest one only.
 */
#ifndef PRTOP_EXPORT_H
#define PRTOP_EXPORT_H

#include <stdbool.h>
#include <stdint.h>
#include "collector.h"

#define EXPORT_DEFAULT_LISTEN "127.0.0.1:9464"

struct export_opts {
	const char *listen;  /* ADDR:PORT; NULL: EXPORT_DEFAULT_LISTEN */
	double interval_s;   /* sampling interval */
	const char *version; /* for prtop_build_info */
	bool verbose;	     /* the HTTP server's errors on stderr */
};

/*
 * Listen, attach, serve until prtop_stop; returns the exit status
 * (0 after a signal; 1 on failure, e.g. the port is taken; 2 for an
 * unparsable --listen).
 */
struct mbuf;
struct metrics_opts;

/* what an exporter serves: render and judge the samples it is handed */
struct export_src {
	const char *title; /* the landing page's */
	const char *what;  /* "Linux free page reporting" */
	int (*render)(struct mbuf *b, const void *data, const struct metrics_opts *mo);
	/* true: 200 with b's text; false: 503 with b's text */
	bool (*healthy)(const void *data, struct mbuf *b);
	uint64_t (*mono_ns)(const void *data); /* when the sample was taken */
};

struct exporter;

enum export_route {
	ROUTE_NOT_FOUND,
	ROUTE_BAD_METHOD, /* not GET or HEAD: 405 */
	ROUTE_METRICS,
	ROUTE_HEALTH,
	ROUTE_LANDING,
};

/* what a request for url by method gets; pure, NULL-safe */
enum export_route export_route(const char *method, const char *url);

/* a listening socket: fd, or -2 (bad ADDR:PORT) or -1 (cannot bind), err set */
int export_listen(const char *spec, char *err, size_t errlen);
/*
 * Serve on fd, the first sample (malloc'ed, taken over) already published;
 * NULL when out of memory or the HTTP server cannot start (fd stays open).
 */
struct exporter *export_start(int fd, const struct export_src *src, double interval_s,
			      const char *version, bool verbose, void *first);
/* hand over the latest sample (malloc'ed; freed once no scrape holds it) */
int export_publish(struct exporter *e, void *data);
/* stop serving and free; NULL is fine */
void export_stop(struct exporter *e);

int export_run(const struct export_opts *o, const struct collector_opts *copts);

#endif /* PRTOP_EXPORT_H */
