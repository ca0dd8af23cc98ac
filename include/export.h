/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `prtop export`: a Prometheus exporter.  The calling thread samples the
 * collector every interval and publishes an immutable snapshot; HTTP
 * threads (libmicrohttpd) render /metrics from the latest one only.
 * Left out of static builds (PRTOP_NO_EXPORT): libmicrohttpd's static
 * archive needs GnuTLS and libraries Debian ships no static archives of.
 */
#ifndef PRTOP_EXPORT_H
#define PRTOP_EXPORT_H

#include <stdbool.h>
#include "collector.h"

#define EXPORT_DEFAULT_LISTEN "127.0.0.1:9464"

struct export_opts {
	const char *listen;  /* ADDR:PORT; NULL: EXPORT_DEFAULT_LISTEN */
	double interval_s;   /* sampling interval */
	const char *version; /* for prtop_build_info */
	bool verbose;	     /* libmicrohttpd's error log on stderr */
};

/*
 * Listen, attach, serve until prtop_stop; returns the exit status
 * (0 after a signal; 1 on failure, e.g. the port is taken; 2 for an
 * unparsable --listen).
 */
int export_run(const struct export_opts *o, const struct collector_opts *copts);

#endif /* PRTOP_EXPORT_H */
