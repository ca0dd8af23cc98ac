// SPDX-License-Identifier: GPL-2.0
/*
 * The request head parser of the exporters' HTTP server (http.h).  It is
 * strict where a scraper never strays (one space between the parts of
 * the request line, no folded headers, no control characters) and reads
 * only the headers the server acts on.  It writes nothing to the buffer
 * until the whole head is in and valid, so a partial head can be parsed
 * again when more arrives.
 */
#include <string.h>
#include <strings.h>

#include "http.h"

/* RFC 9110's tchar: what a method or a header name is made of */
static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* a header value's characters: visible, space, tab or obs-text */
static bool vchar(unsigned char c)
{
	return c == '\t' || (c >= ' ' && c != 0x7f);
}

/* the length of the line at p (n bytes left), without its CRLF or LF; -1: no LF yet */
static long line_len(const char *p, size_t n)
{
	const char *nl = memchr(p, '\n', n);
	long l;

	if (!nl)
		return -1;
	l = nl - p;
	return l > 0 && p[l - 1] == '\r' ? l - 1 : l;
}

/* the bytes after the line at p: its LF and the CR before it, if any */
static size_t line_next(const char *p, long l)
{
	return (size_t)l + (p[l] == '\r' ? 2 : 1);
}

struct span {
	size_t off, len;
};

struct parsed {
	struct span method, target, accept;
	int minor;
	bool close, body, accept_seen;
};

/* "METHOD SP target SP HTTP/1.x": 0, or minus the status to refuse with */
static int request_line(const char *p, long l, struct parsed *r)
{
	long i = 0, t;

	while (i < l && tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= l || p[i] != ' ')
		return -400;
	r->method = (struct span){0, (size_t)i};
	t = ++i;
	while (i < l && (unsigned char)p[i] > ' ' && p[i] != 0x7f)
		i++;
	if (i == t || i >= l || p[i] != ' ')
		return -400;
	r->target = (struct span){(size_t)t, (size_t)(i - t)};
	i++;
	if (l - i != 8 || memcmp(p + i, "HTTP/", 5) || p[i + 5] < '0' || p[i + 5] > '9' ||
	    p[i + 6] != '.' || p[i + 7] < '0' || p[i + 7] > '9')
		return -400;
	if (p[i + 5] != '1')
		return -505;
	r->minor = p[i + 7] - '0';
	return 0;
}

/* the comma-separated tokens of a Connection header */
static void connection(const char *v, size_t n, struct parsed *r)
{
	size_t i = 0, s;

	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		s = i;
		while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		if (i - s == 5 && !strncasecmp(v + s, "close", 5))
			r->close = true;
	}
}

/* one "name: value" line at off (l bytes): 0, or -400 */
static int header(const char *buf, size_t off, long l, struct parsed *r)
{
	const char *p = buf + off, *v;
	long i = 0, s, e, k;

	while (i < l && tchar((unsigned char)p[i]))
		i++;
	if (i == 0 || i >= l || p[i] != ':')
		return -400; /* also a folded line, which starts with a space */
	s = i + 1;
	while (s < l && (p[s] == ' ' || p[s] == '\t'))
		s++;
	e = l;
	while (e > s && (p[e - 1] == ' ' || p[e - 1] == '\t'))
		e--;
	for (k = s; k < e; k++)
		if (!vchar((unsigned char)p[k]))
			return -400;
	v = p + s;
	if (i == 6 && !strncasecmp(p, "accept", 6) && !r->accept_seen) {
		r->accept = (struct span){off + (size_t)s, (size_t)(e - s)};
		r->accept_seen = true;
	} else if (i == 10 && !strncasecmp(p, "connection", 10)) {
		connection(v, (size_t)(e - s), r);
	} else if (i == 14 && !strncasecmp(p, "content-length", 14)) {
		if (s == e)
			return -400;
		for (k = s; k < e; k++) {
			if (p[k] < '0' || p[k] > '9')
				return -400;
			r->body |= p[k] != '0';
		}
	} else if (i == 17 && !strncasecmp(p, "transfer-encoding", 17)) {
		r->body = true;
	}
	return 0;
}

/* NUL-terminate a span (its end is a separator the parse has passed) */
static const char *cut(char *buf, struct span s)
{
	buf[s.off + s.len] = '\0';
	return buf + s.off;
}

long http_parse(char *buf, size_t len, size_t cap, struct http_head *h)
{
	struct parsed r = {0};
	size_t pos = 0;
	long l;
	int rc;

	memset(h, 0, sizeof(*h));
	/* RFC 9112 2.2: empty lines before a request line are skipped */
	while (pos < len &&
	       (buf[pos] == '\n' || (buf[pos] == '\r' && pos + 1 < len && buf[pos + 1] == '\n')))
		pos += buf[pos] == '\r' ? 2 : 1;
	l = line_len(buf + pos, len - pos);
	if (l < 0)
		return len >= cap ? -414 : 0;
	rc = request_line(buf + pos, l, &r);
	if (rc)
		return rc;
	r.method.off += pos;
	r.target.off += pos;
	pos += line_next(buf + pos, l);
	for (;;) {
		l = line_len(buf + pos, len - pos);
		if (l < 0)
			return len >= cap ? -431 : 0;
		if (l == 0)
			break;
		rc = header(buf, pos, l, &r);
		if (rc)
			return rc;
		pos += line_next(buf + pos, l);
	}
	pos += line_next(buf + pos, 0);
	h->method = cut(buf, r.method);
	h->target = cut(buf, r.target);
	h->accept = r.accept_seen ? cut(buf, r.accept) : NULL;
	/* HTTP/1.0's keep-alive is not offered: such clients are rare, and
	 * one that is not told it may keep the connection reads until EOF */
	h->close = r.minor == 0 || r.close;
	h->body = r.body;
	return (long)pos;
}

const char *http_reason(unsigned int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 414:
		return "URI Too Long";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Unknown";
	}
}
