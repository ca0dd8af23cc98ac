// SPDX-License-Identifier: GPL-2.0
/*
 * The exporters' HTTP server (http.h): one thread, one poll() loop over
 * the listening socket, a wake-up eventfd and the connections.
 *
 * Limits, because whoever reaches the port may be hostile or broken:
 * - a new connection must send within head_s, and a request head must be
 *   in within head_s of its first byte: a client dripping a byte a second
 *   is closed as surely as a silent one;
 * - a kept-alive connection may idle idle_s between requests;
 * - a response must be sent within write_s;
 * - one source address holds per_client of the max_conns connections;
 *   beyond that its new ones are accepted and closed at once, so the
 *   listen backlog never fills and other scrapers still get in;
 * - a head is at most head_max bytes (414 or 431 beyond), and a request
 *   with a body gets its answer and a close: no body is ever read;
 * - one client is one IPv4 address or one IPv6 /64.
 * Handlers run on this thread: a render takes milliseconds, and a scraper
 * waits that long anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "clock.h"
#include "http.h"

#define NS_PER_S 1000000000ULL
/* after a failed accept for lack of descriptors or memory */
#define ACCEPT_PAUSE_NS (100 * 1000000ULL)
/* a closing connection's unread input is drained this long (see linger) */
#define LINGER_NS  (2 * NS_PER_S)
#define READ_CHUNK 4096
/* reads of a closing connection's input per event, and accepts per wake-up:
 * one busy client must not keep the thread from the others */
#define LINGER_READS 16
#define ACCEPT_BURST 64

enum conn_state {
	C_FREE,
	C_READ,	  /* waiting for (the rest of) a request head */
	C_WRITE,  /* sending a response */
	C_LINGER, /* response sent, write side shut, draining input */
};

struct conn {
	int fd;
	enum conn_state state;
	struct sockaddr_storage peer;
	uint64_t deadline_ns;
	char *buf; /* request bytes: buf[0..len) of cap */
	size_t len, cap;
	size_t scanned; /* buf[0..scanned) was searched for a head's end */
	bool line_seen; /* the request line has ended (and was parsed) */
	bool close_after;
	/* the response: head then body, off bytes of them sent */
	char *head;
	size_t head_len;
	char *body;
	size_t body_len, off;
	bool body_owned;
};

struct http_server {
	int lfd, wake;
	struct http_limits lim;
	http_handler fn;
	void *arg;
	bool verbose;
	uint64_t accept_after_ns;
	struct conn *conns;  /* lim.max_conns slots */
	struct pollfd *pfd;  /* 2 + lim.max_conns */
	unsigned int *pconn; /* pfd[i] -> conns index */
	pthread_t thread;
};

static void logf_http(const struct http_server *s, const char *what, int err)
{
	if (s->verbose)
		fprintf(stderr, "prtop: http: %s: %s\n", what, strerror(err));
}

/* ---- connections ---- */

static void response_free(struct conn *c)
{
	free(c->head);
	if (c->body_owned)
		free(c->body);
	c->head = c->body = NULL;
	c->head_len = c->body_len = c->off = 0;
	c->body_owned = false;
}

static void conn_close(struct conn *c)
{
	response_free(c);
	free(c->buf);
	close(c->fd);
	memset(c, 0, sizeof(*c));
	c->state = C_FREE;
	c->fd = -1;
}

/* one client: one IPv4 address, or one IPv6 /64 (what one host is given) */
static bool same_client(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)a)->sin_addr,
			       &((const struct sockaddr_in *)b)->sin_addr, sizeof(struct in_addr));
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr, 8);
	return true; /* another family: one client */
}

/* a free slot for a connection from peer, or NULL (full, or its share taken) */
static struct conn *conn_slot(struct http_server *s, const struct sockaddr_storage *peer)
{
	struct conn *free_slot = NULL;
	unsigned int i, mine = 0;

	for (i = 0; i < s->lim.max_conns; i++) {
		struct conn *c = &s->conns[i];

		if (c->state == C_FREE) {
			if (!free_slot)
				free_slot = c;
		} else if (same_client(&c->peer, peer)) {
			mine++;
		}
	}
	return mine < s->lim.per_client ? free_slot : NULL;
}

static void accept_all(struct http_server *s, uint64_t now)
{
	struct sockaddr_storage peer;
	socklen_t plen;
	struct conn *c;
	int fd, k;

	for (k = 0; k < ACCEPT_BURST; k++) {
		plen = sizeof(peer);
		fd = accept4(s->lfd, (struct sockaddr *)&peer, &plen, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue; /* counted: a flood of these ends too */
			if (errno != EAGAIN && errno != EWOULDBLOCK) {
				/* EMFILE, ENFILE, ENOBUFS, ENOMEM: try again later */
				logf_http(s, "accept", errno);
				s->accept_after_ns = now + ACCEPT_PAUSE_NS;
			}
			return;
		}
		c = conn_slot(s, &peer);
		if (!c) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->peer = peer;
		c->state = C_READ;
		c->deadline_ns = now + s->lim.head_s * NS_PER_S;
	}
}

/* ---- responses ---- */

static int respond(struct http_server *s, struct conn *c, const struct http_response *rs,
		   bool head_only, uint64_t now)
{
	char *h = NULL;
	int n;

	n = asprintf(&h,
		     "HTTP/1.1 %u %s\r\nContent-Type: %s\r\nCache-Control: no-store\r\n"
		     "%s%s%s%sContent-Length: %zu\r\n%s\r\n",
		     rs->status, http_reason(rs->status), rs->ctype, rs->hname ? rs->hname : "",
		     rs->hname ? ": " : "", rs->hname ? rs->hvalue : "", rs->hname ? "\r\n" : "",
		     rs->len, c->close_after ? "Connection: close\r\n" : "");
	if (n < 0) {
		if (rs->owned)
			free(rs->body);
		return -1;
	}
	c->head = h;
	c->head_len = (size_t)n;
	c->body = rs->body;
	c->body_len = head_only ? 0 : rs->len;
	c->body_owned = rs->owned;
	c->off = 0;
	c->state = C_WRITE;
	/* the whole response, not each step: a reader of a byte now and then is let go */
	c->deadline_ns = now + s->lim.write_s * NS_PER_S;
	return 0;
}

static int respond_error(struct http_server *s, struct conn *c, unsigned int status, uint64_t now)
{
	static const char allow_text[] = "method not allowed: use GET or HEAD\n";
	struct http_response rs = {
	    .status = status,
	    .ctype = "text/plain; charset=utf-8",
	    .body = (char *)http_reason(status),
	};

	c->close_after = true;
	if (status == 405) {
		rs.body = (char *)allow_text;
		rs.hname = "Allow";
		rs.hvalue = "GET, HEAD";
	}
	rs.len = strlen(rs.body);
	return respond(s, c, &rs, false, now);
}

/* ---- the request cycle ---- */

/*
 * Whether a parse is worth trying: the request line has just ended (a bad
 * one is refused at once), the new bytes end the head (a blank line), or
 * the head is as long as it may be.  Parsing only then keeps a head sent
 * a line or a byte at a time from costing a parse of all of it each time.
 */
static bool head_maybe_done(struct http_server *s, struct conn *c)
{
	size_t i = c->scanned > 2 ? c->scanned - 2 : 0;
	bool end = false;

	for (; i < c->len && !end; i++) {
		if (c->buf[i] != '\n')
			continue;
		if (!c->line_seen) {
			c->line_seen = true;
			end = true;
		} else if (i + 1 < c->len) {
			end = c->buf[i + 1] == '\n' ||
			      (c->buf[i + 1] == '\r' && i + 2 < c->len && c->buf[i + 2] == '\n');
		}
	}
	c->scanned = c->len;
	return end || c->len >= s->lim.head_max;
}

/* a whole head is in buf: answer it */
static int serve(struct http_server *s, struct conn *c, long n, struct http_head *h, uint64_t now)
{
	struct http_request rq = {.method = h->method, .target = h->target, .accept = h->accept};
	struct http_response rs = {0};
	bool head_only = !strcmp(h->method, "HEAD");
	int rc;

	if (!head_only && strcmp(h->method, "GET"))
		return respond_error(s, c, 405, now);
	/* no body is read: the next request's start would be unknown */
	c->close_after = h->close || h->body;
	s->fn(s->arg, &rq, &rs);
	rc = respond(s, c, &rs, head_only, now);
	/* pipelined bytes stay for the next request */
	c->len -= (size_t)n;
	memmove(c->buf, c->buf + n, c->len);
	c->scanned = 0;
	c->line_seen = false;
	return rc;
}

/* what is in buf so far: a response started, or still waiting */
static int advance(struct http_server *s, struct conn *c, uint64_t now)
{
	struct http_head h;
	long n;

	if (!c->len || !head_maybe_done(s, c))
		return 0;
	n = http_parse(c->buf, c->len, s->lim.head_max, &h);
	if (n < 0)
		return respond_error(s, c, (unsigned int)-n, now);
	if (n == 0)
		return 0;
	return serve(s, c, n, &h, now);
}

static int on_read(struct http_server *s, struct conn *c, uint64_t now)
{
	ssize_t r;
	size_t room;
	char *nb;

	for (;;) {
		if (c->len == c->cap) {
			if (c->cap >= s->lim.head_max)
				break; /* full: advance() refuses it */
			room = c->cap ? c->cap * 2 : READ_CHUNK;
			if (room > s->lim.head_max)
				room = s->lim.head_max;
			nb = realloc(c->buf, room);
			if (!nb)
				return -1;
			c->buf = nb;
			c->cap = room;
		}
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (r == 0)
			return -1; /* the client is gone, or closed mid-request */
		/* a kept-alive connection's next request: its head's clock starts */
		if (c->len == 0)
			c->deadline_ns = now + s->lim.head_s * NS_PER_S;
		c->len += (size_t)r;
		if (advance(s, c, now))
			return -1;
		if (c->state != C_READ)
			return 0;
	}
	return advance(s, c, now);
}

/* the response is out: close, linger, or wait for the next request */
static int finished(struct http_server *s, struct conn *c, uint64_t now)
{
	response_free(c);
	if (c->close_after) {
		/*
		 * Closing with unread input makes the kernel send a reset,
		 * which can destroy the response before the client reads it:
		 * shut our side, drain theirs for a while, then close.
		 */
		shutdown(c->fd, SHUT_WR);
		c->state = C_LINGER;
		c->deadline_ns = now + LINGER_NS;
		return 0;
	}
	c->state = C_READ;
	c->deadline_ns = now + (c->len ? s->lim.head_s : s->lim.idle_s) * NS_PER_S;
	c->scanned = 0;
	c->line_seen = false;
	if (!c->len) {
		/* an idle connection keeps no buffer */
		free(c->buf);
		c->buf = NULL;
		c->cap = 0;
	}
	return advance(s, c, now);
}

static int on_write(struct http_server *s, struct conn *c, uint64_t now)
{
	struct iovec iov[2];
	struct msghdr m = {.msg_iov = iov};
	ssize_t w;

	while (c->off < c->head_len + c->body_len) {
		m.msg_iovlen = 0;
		if (c->off < c->head_len) {
			iov[m.msg_iovlen].iov_base = c->head + c->off;
			iov[m.msg_iovlen++].iov_len = c->head_len - c->off;
		}
		if (c->body_len) {
			size_t b = c->off > c->head_len ? c->off - c->head_len : 0;

			iov[m.msg_iovlen].iov_base = c->body + b;
			iov[m.msg_iovlen++].iov_len = c->body_len - b;
		}
		w = sendmsg(c->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		c->off += (size_t)w;
	}
	return finished(s, c, now);
}

/* drain some of a closing connection's input; its deadline ends it */
static int on_linger(struct conn *c)
{
	char sink[READ_CHUNK];
	ssize_t r;
	int k;

	for (k = 0; k < LINGER_READS; k++) {
		r = recv(c->fd, sink, sizeof(sink), 0);
		if (r == 0)
			return -1;
		if (r < 0 && errno != EINTR)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
	return 0;
}

static int on_event(struct http_server *s, struct conn *c, short ev, uint64_t now)
{
	if (c->state == C_LINGER)
		return on_linger(c);
	if (ev & (POLLERR | POLLNVAL))
		return -1;
	if (c->state == C_WRITE)
		return on_write(s, c, now);
	if (ev & (POLLIN | POLLHUP))
		return on_read(s, c, now);
	return 0;
}

/* ---- the loop ---- */

/* fill s->pfd; the poll timeout (ms) until the first deadline */
static int poll_set(struct http_server *s, uint64_t now, nfds_t *n)
{
	uint64_t first = UINT64_MAX;
	unsigned int i;

	*n = 0;
	s->pfd[(*n)++] = (struct pollfd){.fd = s->wake, .events = POLLIN};
	if (now >= s->accept_after_ns)
		s->pfd[(*n)++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	else
		first = s->accept_after_ns;
	for (i = 0; i < s->lim.max_conns; i++) {
		struct conn *c = &s->conns[i];

		if (c->state == C_FREE)
			continue;
		s->pconn[*n] = i;
		s->pfd[(*n)++] =
		    (struct pollfd){.fd = c->fd, .events = c->state == C_WRITE ? POLLOUT : POLLIN};
		if (c->deadline_ns < first)
			first = c->deadline_ns;
	}
	if (first == UINT64_MAX)
		return -1;
	return first <= now ? 0 : (int)((first - now + 999999) / 1000000);
}

static void *loop(void *arg)
{
	struct http_server *s = arg;
	unsigned int i;
	uint64_t now;
	nfds_t n, k;
	int timeout;

	for (;;) {
		timeout = poll_set(s, now_ns(), &n);
		if (poll(s->pfd, n, timeout) < 0 && errno != EINTR) {
			/* not for verbose only: the exporter serves nothing from now on */
			fprintf(stderr, "prtop: http: poll: %s: no more requests are served\n",
				strerror(errno));
			break;
		}
		if (s->pfd[0].revents)
			break;
		now = now_ns();
		for (k = 1; k < n; k++) {
			if (!s->pfd[k].revents)
				continue;
			if (s->pfd[k].fd == s->lfd)
				accept_all(s, now);
			else if (on_event(s, &s->conns[s->pconn[k]], s->pfd[k].revents, now))
				conn_close(&s->conns[s->pconn[k]]);
		}
		for (i = 0; i < s->lim.max_conns; i++)
			if (s->conns[i].state != C_FREE && s->conns[i].deadline_ns <= now)
				conn_close(&s->conns[i]);
	}
	return NULL;
}

static void server_free(struct http_server *s)
{
	unsigned int i;

	if (s->conns)
		for (i = 0; i < s->lim.max_conns; i++)
			if (s->conns[i].state != C_FREE)
				conn_close(&s->conns[i]);
	if (s->wake >= 0)
		close(s->wake);
	free(s->conns);
	free(s->pfd);
	free(s->pconn);
	free(s);
}

struct http_server *http_start(int fd, const struct http_limits *lim, http_handler fn, void *arg,
			       bool verbose, char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof(*s));
	sigset_t block, old;
	unsigned int i;
	int rc, flags;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->lfd = fd;
	s->lim = *lim;
	s->fn = fn;
	s->arg = arg;
	s->verbose = verbose;
	s->wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->conns = calloc(lim->max_conns, sizeof(*s->conns));
	s->pfd = calloc(lim->max_conns + 2, sizeof(*s->pfd));
	s->pconn = calloc(lim->max_conns + 2, sizeof(*s->pconn));
	if (s->wake < 0 || !s->conns || !s->pfd || !s->pconn) {
		snprintf(err, errlen, "cannot set up the HTTP server: %s",
			 s->wake < 0 ? strerror(errno) : "out of memory");
		goto fail;
	}
	for (i = 0; i < lim->max_conns; i++)
		s->conns[i].fd = -1;
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK)) {
		snprintf(err, errlen, "cannot make the listening socket non-blocking: %s",
			 strerror(errno));
		goto fail;
	}
	/* the thread inherits a mask without our stop signals */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&s->thread, NULL, loop, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		snprintf(err, errlen, "cannot start the HTTP thread: %s", strerror(rc));
		goto fail;
	}
	return s;
fail:
	server_free(s);
	return NULL;
}

void http_stop(struct http_server *s)
{
	uint64_t one = 1;

	if (!s)
		return;
	if (write(s->wake, &one, sizeof(one)) != sizeof(one))
		fprintf(stderr, "prtop: http: cannot wake the HTTP thread: %s\n", strerror(errno));
	pthread_join(s->thread, NULL);
	close(s->lfd);
	server_free(s);
}
