// SPDX-License-Identifier: GPL-2.0
/*
 * `prtop export`: serves /metrics, / and /healthz (http.h).
 *
 * The calling thread owns the collector: it keeps handling events
 * (collector_poll) and, every interval, takes a snapshot into a fresh
 * buffer and publishes it with a pointer swap under a mutex.  The HTTP thread
 * only take a reference to the published snapshot (the mutex is held for
 * that pointer copy, never while sampling or rendering), render it, and
 * drop the reference; the last holder frees it.  So scrapes, however many
 * or slow, never hold up event collection.
 */
#include <errno.h>
#include <malloc.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "clock.h"
#include "export.h"
#include "format.h"
#include "http.h"
#include "metrics.h"
#include "sampler.h"
#include "ui.h"

/*
 * One client (one source address) gets at most HTTP_PER_CLIENT connections
 * of the HTTP_MAX_CONNECTIONS: a scraper needs one or two, and a client
 * holding idle or slow connections cannot take the slots other scrapers
 * need.
 */
static const struct http_limits limits = {
    .max_conns = 512,
    .per_client = 16,
    /* a scraper sends its request at once */
    .head_s = 3,
    /* and may keep its connection between scrapes */
    .idle_s = 60,
    /* Prometheus's scrape timeout is 10 s by default */
    .write_s = 30,
    /* request line and headers must fit; a bigger request is refused (431/414) */
    .head_max = 32 * 1024,
};
/* a response larger than this is a bug (or a runaway label set): 500 */
#define HTTP_MAX_RESPONSE (16u << 20)

struct published {
	void *data;	   /* the source's sample, freed with free() */
	unsigned int refs; /* under exporter.lock */
};

struct exporter {
	pthread_mutex_t lock;
	struct published *cur; /* latest sample; never NULL while serving */
	uint64_t scrapes;      /* /metrics requests, atomic */
	uint64_t interval_ns;
	const char *version;
	const struct export_src *src;
	struct http_server *http;
};

/* ---- snapshot publication ---- */

static struct published *snap_get(struct exporter *e)
{
	struct published *p;

	pthread_mutex_lock(&e->lock);
	p = e->cur;
	if (p)
		p->refs++;
	pthread_mutex_unlock(&e->lock);
	return p;
}

static void snap_put(struct exporter *e, struct published *p)
{
	bool last;

	if (!p)
		return;
	pthread_mutex_lock(&e->lock);
	last = --p->refs == 0;
	pthread_mutex_unlock(&e->lock);
	if (last) {
		free(p->data);
		free(p);
	}
}

/* publish p (which holds one reference, the exporter's) */
static void snap_publish(struct exporter *e, struct published *p)
{
	struct published *old;

	pthread_mutex_lock(&e->lock);
	old = e->cur;
	e->cur = p;
	pthread_mutex_unlock(&e->lock);
	snap_put(e, old);
}

int export_publish(struct exporter *e, void *data)
{
	struct published *p = malloc(sizeof(*p));

	if (!p) {
		free(data);
		return -ENOMEM;
	}
	p->data = data;
	p->refs = 1;
	snap_publish(e, p);
	return 0;
}

/* ---- HTTP ---- */

static void respond(struct http_response *rs, unsigned int status, const char *ctype, char *body,
		    size_t len, bool owned)
{
	*rs = (struct http_response){
	    .status = status, .ctype = ctype, .body = body, .len = len, .owned = owned};
}

static void respond_text(struct http_response *rs, unsigned int status, const char *text)
{
	respond(rs, status, "text/plain; charset=utf-8", (char *)text, strlen(text), false);
}

static void serve_metrics(struct exporter *e, const struct http_request *rq,
			  struct http_response *rs)
{
	struct metrics_opts mo = {
	    .openmetrics = metrics_accept_openmetrics(rq->accept),
	    .version = e->version,
	    .now_ns = now_ns(),
	    .scrapes = __atomic_add_fetch(&e->scrapes, 1, __ATOMIC_RELAXED),
	};
	struct published *p = snap_get(e);
	struct mbuf b = {0};
	int err;

	if (!p)
		return respond_text(rs, 503, "no snapshot yet\n");
	err = e->src->render(&b, p->data, &mo);
	snap_put(e, p);
	if (err || b.len > HTTP_MAX_RESPONSE) {
		mbuf_free(&b);
		return respond_text(rs, 500, err ? "out of memory\n" : "response too large\n");
	}
	respond(rs, 200, mo.openmetrics ? METRICS_CT_OPENMETRICS : METRICS_CT_TEXT, b.data, b.len,
		true);
	rs->hname = "Vary";
	rs->hvalue = "Accept";
}

/* 200 while the source says so and samples keep coming */
static void serve_health(struct exporter *e, struct http_response *rs)
{
	struct published *p = snap_get(e);
	struct mbuf b = {0};
	unsigned int status = 200;
	uint64_t age, stale_ns = 3 * e->interval_ns + 5000000000ULL;

	if (!p)
		return respond_text(rs, 503, "no snapshot yet\n");
	age = now_ns() - e->src->mono_ns(p->data);
	if (!e->src->healthy(p->data, &b)) {
		status = 503;
	} else if (age > stale_ns) {
		status = 503;
		b.len = 0;
		mbuf_printf(&b, "unhealthy: last snapshot is %.1f s old\n", age / 1e9);
	}
	snap_put(e, p);
	if (b.failed) {
		mbuf_free(&b);
		return respond_text(rs, 500, "out of memory\n");
	}
	respond(rs, status, "text/plain; charset=utf-8", b.data, b.len, true);
}

static void serve_landing(struct exporter *e, struct http_response *rs)
{
	struct mbuf b = {0};

	mbuf_printf(
	    &b,
	    "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
	    "<title>%s</title></head>\n<body>\n"
	    "<h1>%s</h1>\n"
	    "<p>%s, observed by prtop %s, sampled every %.1f s.</p>\n"
	    "<ul>\n<li><a href=\"/metrics\">/metrics</a> (Prometheus text 0.0.4, "
	    "or OpenMetrics 1.0.0 on request)</li>\n"
	    "<li><a href=\"/healthz\">/healthz</a> (200 while probes are attached)</li>\n"
	    "</ul>\n</body></html>\n",
	    e->src->title, e->src->title, e->src->what, e->version, e->interval_ns / 1e9);
	if (b.failed) {
		mbuf_free(&b);
		return respond_text(rs, 500, "out of memory\n");
	}
	respond(rs, 200, "text/html; charset=utf-8", b.data, b.len, true);
}

/* runs on the HTTP thread; the server has refused methods other than GET and HEAD */
static void on_request(void *arg, const struct http_request *rq, struct http_response *rs)
{
	struct exporter *e = arg;

	switch (export_route(rq->method, rq->target)) {
	case ROUTE_METRICS:
		return serve_metrics(e, rq, rs);
	case ROUTE_HEALTH:
		return serve_health(e, rs);
	case ROUTE_LANDING:
		return serve_landing(e, rs);
	default:
		return respond_text(rs, 404, "not found: try /metrics\n");
	}
}

/* ---- listening ---- */

/* "127.0.0.1:9464", "[::1]:9464", "localhost:9464" */
static int listen_parse(const char *s, struct addrinfo **res, char *err, size_t errlen)
{
	struct addrinfo hints = {
	    .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	char host[64], *end;
	const char *colon, *port;
	size_t hlen;
	long pn;
	int rc;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':')
			goto bad;
		hlen = (size_t)(end - s - 1);
		colon = end + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon || strchr(s, ':') != colon)
			goto bad;
		hlen = (size_t)(colon - s);
	}
	port = colon + 1;
	if (!hlen || hlen >= sizeof(host))
		goto bad;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	errno = 0;
	pn = strtol(port, &end, 10);
	if (errno || end == port || *end || pn < 1 || pn > 65535)
		goto bad;
	rc = getaddrinfo(host, port, &hints, res);
	if (rc) {
		snprintf(err, errlen, "cannot use '%s' as a listen address: %s", host,
			 gai_strerror(rc));
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen,
		 "invalid listen address: give ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464");
	return -1;
}

static const char *listen_hint(int e)
{
	switch (e) {
	case EADDRINUSE:
		return " (another exporter or service has it: pick another port with --listen)";
	case EADDRNOTAVAIL:
		return " (no such address on this machine)";
	case EACCES:
		return " (not allowed to bind it)";
	default:
		return "";
	}
}

/*
 * A bound, listening socket for spec; or -2 (unusable spec) or -1 (cannot
 * bind or listen) with a one-line error.
 */
int export_listen(const char *spec, char *err, size_t errlen)
{
	struct addrinfo *ai = NULL;
	int fd = -1, one = 1, e;

	if (listen_parse(spec, &ai, err, errlen))
		return -2;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ai->ai_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64))
		goto fail;
	freeaddrinfo(ai);
	return fd;
fail:
	e = errno;
	snprintf(err, errlen, "cannot listen on %s: %s%s", spec, strerror(e), listen_hint(e));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return -1;
}

struct exporter *export_start(int fd, const struct export_src *src, double interval_s,
			      const char *version, bool verbose, void *first)
{
	struct exporter *e = calloc(1, sizeof(*e));
	char err[256];

	if (!e) {
		free(first);
		return NULL;
	}
	pthread_mutex_init(&e->lock, NULL);
	e->src = src;
	e->version = version;
	e->interval_ns = (uint64_t)(interval_s * 1e9);
	/* the first scrape already finds a sample */
	if (export_publish(e, first)) {
		free(e);
		return NULL;
	}
	/*
	 * Each thread that mallocs would get an arena of its own, kept warm
	 * with the last responses.  Scrapes are rare and short, so the HTTP
	 * thread shares the sampler's and loses nothing.
	 */
	mallopt(M_ARENA_MAX, 1);
	e->http = http_start(fd, &limits, on_request, e, verbose, err, sizeof(err));
	if (!e->http) {
		fprintf(stderr, "prtop: %s\n", err);
		snap_put(e, e->cur);
		pthread_mutex_destroy(&e->lock);
		free(e);
		return NULL;
	}
	return e;
}

void export_stop(struct exporter *e)
{
	if (!e)
		return;
	http_stop(e->http); /* waits for the HTTP thread; closes the socket */
	snap_put(e, e->cur);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

/* ---- the guest side's source: prtop snapshots ---- */

/* the probes that run in the kernel (not the procfs readers) */
static bool event_probe(enum probe_id id)
{
	return id != PROBE_REUSE && id != PROBE_FREE_LISTS && id != PROBE_PARAMS;
}

static int guest_render(struct mbuf *b, const void *data, const struct metrics_opts *mo)
{
	return metrics_render(b, data, mo);
}

static uint64_t guest_mono(const void *data)
{
	return ((const struct prtop_snapshot *)data)->mono_ns;
}

/* healthy while a kernel probe is attached */
static bool guest_healthy(const void *data, struct mbuf *b)
{
	const struct prtop_snapshot *s = data;
	int i, attached = 0;

	for (i = 0; i < PROBE__COUNT; i++)
		attached += event_probe(i) && s->probe[i].attached;
	if (!attached) {
		mbuf_printf(b, "unhealthy: no probe attached (see prtop doctor)\n");
		return false;
	}
	mbuf_printf(b, "ok:");
	for (i = 0; i < PROBE__COUNT; i++)
		if (event_probe(i) && s->probe[i].attached)
			mbuf_printf(b, " %s=%s", probe_name(i), attach_mode_name(s->probe[i].mode));
	mbuf_printf(b, "\n");
	return true;
}

static const struct export_src guest_src = {
    .title = "prtop exporter",
    .what = "Linux free page reporting",
    .render = guest_render,
    .healthy = guest_healthy,
    .mono_ns = guest_mono,
};

static struct prtop_snapshot *snap_copy(const struct prtop_snapshot *snap)
{
	struct prtop_snapshot *copy = malloc(sizeof(*copy));

	if (copy)
		*copy = *snap;
	return copy;
}

/* publish a copy of the sampler's latest: scrapes hold it while rendering */
static int sample_publish(struct exporter *e, const struct prtop_snapshot *snap)
{
	struct prtop_snapshot *copy = snap_copy(snap);

	return copy ? export_publish(e, copy) : -ENOMEM;
}

int export_run(const struct export_opts *o, const struct collector_opts *copts)
{
	const char *spec = o->listen ? o->listen : EXPORT_DEFAULT_LISTEN;
	struct sampler_opts so = {.interval_s = o->interval_s, .deliver_base = true};
	struct collector *c = NULL;
	struct exporter *e = NULL;
	struct sampler smp = {0};
	char err[512] = "", kept[256];
	int fd, ret = 1;

	/* listen before attaching: a taken port fails fast, with nothing loaded */
	fd = export_listen(spec, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "prtop: %s\n", err);
		return fd == -2 ? 2 : 1;
	}
	if (collector_open(&c, copts, err, sizeof(err))) {
		fprintf(stderr, "prtop: %s\n", err);
		close(fd);
		return 1;
	}
	/* before the HTTP threads exist: capabilities are per thread */
	if (collector_drop_caps(c, kept, sizeof(kept))) {
		fprintf(stderr, "prtop: %s\n", kept);
		close(fd);
		goto out;
	}
	if (sampler_init(&smp, c, &so) || !sampler_next(&smp)) {
		fprintf(stderr, "prtop: out of memory\n");
		close(fd);
		goto out;
	}
	e = export_start(fd, &guest_src, o->interval_s, o->version, o->verbose,
			 snap_copy(smp.cur));
	if (!e) {
		fprintf(stderr, "prtop: cannot start the HTTP server on %s\n", spec);
		close(fd);
		goto out;
	}
	fprintf(stderr,
		"prtop: serving http://%s/metrics, sampling every %g s; capabilities kept: %s\n",
		spec, o->interval_s, kept);
	ret = 0;
	while (sampler_next(&smp)) {
		if (sample_publish(e, smp.cur)) {
			fprintf(stderr, "prtop: out of memory\n");
			ret = 1;
			break;
		}
	}
out:
	export_stop(e);
	sampler_free(&smp);
	collector_close(c);
	return ret;
}
