/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporters' HTTP/1.1 server: GET and HEAD of small generated pages,
 * one thread, no TLS.  A scraper sends a short request and reads a few
 * hundred kilobytes at most; nothing here needs more.  It replaced
 * libmicrohttpd, whose Debian build loads GnuTLS and eight more libraries
 * (2.5 MB resident) into a process that never speaks TLS.
 *
 * The parser (http_parse.c) is apart from the server so that the unit
 * tests and the fuzzer reach it without a socket.
 */
#ifndef PRTOP_HTTP_H
#define PRTOP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* ---- the request head parser ---- */

struct http_head {
	const char *method; /* NUL-terminated in the parsed buffer */
	const char *target;
	const char *accept; /* the first Accept header's value, or NULL */
	bool close;	    /* the client wants the connection closed after this */
	bool body;	    /* a body follows (Content-Length > 0 or Transfer-Encoding) */
};

/*
 * Parse the request head at the start of buf[0..len), which holds at most
 * cap bytes.  Returns the head's length (> 0; the fields in h point into
 * buf, which it NUL-terminates in place), 0 when the head is not complete
 * yet, or minus the HTTP status to refuse it with: 400 (malformed), 414
 * (request line longer than cap), 431 (head longer than cap), 505 (not
 * HTTP/1.x).  A line may end in CRLF or a bare LF.
 */
long http_parse(char *buf, size_t len, size_t cap, struct http_head *h);

/* the reason phrase of a status this server sends ("Bad Request") */
const char *http_reason(unsigned int status);

/* ---- the server ---- */

struct http_request {
	const char *method; /* "GET" or "HEAD" only: others get 405 first */
	const char *target;
	const char *accept; /* or NULL */
};

struct http_response {
	unsigned int status;
	const char *ctype;
	char *body;
	size_t len;
	bool owned;		    /* body is free()d once sent */
	const char *hname, *hvalue; /* one more header, or NULL */
};

/* fill rs for rq; runs on the server's thread */
typedef void (*http_handler)(void *arg, const struct http_request *rq, struct http_response *rs);

struct http_limits {
	unsigned int max_conns;	 /* connections held at once */
	unsigned int per_client; /* of them, from one source address */
	unsigned int head_s;	 /* a request head must be in within this */
	unsigned int idle_s;	 /* a kept-alive connection may idle this long */
	unsigned int write_s;	 /* a response must be sent within this */
	size_t head_max;	 /* bytes of request line and headers */
};

struct http_server;

/*
 * Serve on the listening socket fd (taken over: closed by http_stop) from
 * a thread of its own, which blocks the stop signals.  NULL with err set
 * when it cannot start; fd is then left open.
 */
struct http_server *http_start(int fd, const struct http_limits *lim, http_handler fn, void *arg,
			       bool verbose, char *err, size_t errlen);
/* stop, wait for the thread, close every connection and the socket */
void http_stop(struct http_server *s);

#endif /* PRTOP_HTTP_H */
