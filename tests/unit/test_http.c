// SPDX-License-Identifier: GPL-2.0
/*
 * The exporters' request head parser: what a head says, how long it is
 * (the next pipelined request starts there), and the status a bad one
 * is refused with.
 */
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "unit.h"

struct head_case {
	const char *in;
	size_t cap; /* 0: the input's length + 1 (room to spare) */
	long want;  /* the head's length, 0 (incomplete), or -status */
	const char *method, *target, *accept;
	bool close, body;
};

static const struct head_case cases[] = {
    {"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 0, 34, "GET", "/metrics", NULL, false, false},
    /* the next request's bytes are not the head's */
    {"GET / HTTP/1.1\r\n\r\nGET /healthz HTTP/1.1\r\n\r\n", 0, 18, "GET", "/", NULL, false, false},
    {"HEAD /metrics HTTP/1.0\r\n\r\n", 0, 26, "HEAD", "/metrics", NULL, true, false},
    /* HTTP/1.0 keep-alive is not offered */
    {"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 0, 42, "GET", "/", NULL, true, false},
    {"GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n", 0, 42, "GET", "/", NULL, true, false},
    {"GET / HTTP/1.1\nAccept:  application/openmetrics-text; version=1.0.0 \n\n", 0, 70, "GET", "/",
     "application/openmetrics-text; version=1.0.0", false, false},
    /* the first Accept counts */
    {"GET / HTTP/1.1\r\nAccept: a/b\r\naccept: c/d\r\n\r\n", 0, 44, "GET", "/", "a/b", false,
     false},
    {"\r\n\r\nGET / HTTP/1.1\r\n\r\n", 0, 22, "GET", "/", NULL, false, false},
    {"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nx=1", 0, 45, "POST", "/metrics", NULL,
     false, true},
    {"GET / HTTP/1.1\r\nContent-Length: 000\r\n\r\n", 0, 39, "GET", "/", NULL, false, false},
    {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 0, 46, "GET", "/", NULL, false, true},
    /* not complete yet */
    {"GET /metrics HTTP/1.1\r\nHost: x\r\n", 0, 0, NULL, NULL, NULL, false, false},
    {"GET /metr", 0, 0, NULL, NULL, NULL, false, false},
    {"", 0, 0, NULL, NULL, NULL, false, false},
    {"GET / HTTP/1.1\r\nHost: x\r\n\r", 0, 0, NULL, NULL, NULL, false, false},
    /* refused */
    {"GARBAGE / LINE\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GARBAGE / LINE\r\n", 0, -400, NULL, NULL, NULL, false,
     false}, /* at once, before the head ends */
    {"GET /metrics HTTP/1.1\r\nnot a header\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET /metrics HTTP/1.1\r\nA: b\r\n c\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET /metrics HTTP/1.1\r\nA: b\001c\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET  /metrics HTTP/1.1\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET /metrics HTTP/1.1 \r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET /a\tb HTTP/1.1\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET /metrics HTTP/2.0\r\n\r\n", 0, -505, NULL, NULL, NULL, false, false},
    {"GET /metrics\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"\x16\x03\x01\x02\xa5\x01\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    {"GET / HTTP/1.1\r\nContent-Length:\r\n\r\n", 0, -400, NULL, NULL, NULL, false, false},
    /* too long for the buffer: no line end yet, or no head end yet */
    {"GET /aaaaaaaaaaaaaaaaaaaa", 24, -414, NULL, NULL, NULL, false, false},
    {"GET / HTTP/1.1\r\nX-Big: aaaaaaaaaaaaa", 36, -431, NULL, NULL, NULL, false, false},
};

static void test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct head_case *c = &cases[i];
		size_t len = strlen(c->in);
		char *buf = malloc(len + 1);
		struct http_head h;
		long n;

		memcpy(buf, c->in, len + 1);
		n = http_parse(buf, len, c->cap ? c->cap : len + 1, &h);
		CHECK(n == c->want, "http head %zu: length or status %ld (want %ld)", i, n,
		      c->want);
		if (n > 0 && c->want > 0) {
			CHECK_STR(h.method, c->method, "http head %zu: method", i);
			CHECK_STR(h.target, c->target, "http head %zu: target", i);
			CHECK_STR(h.accept, c->accept, "http head %zu: accept", i);
			CHECK(h.close == c->close, "http head %zu: close %d", i, h.close);
			CHECK(h.body == c->body, "http head %zu: body %d", i, h.body);
		}
		free(buf);
	}
}

/* a head arriving a byte at a time parses only once whole, and the same */
static void test_bytewise(void)
{
	const char *in = "GET /healthz HTTP/1.1\r\nAccept: text/plain\r\n\r\n";
	size_t len = strlen(in), k, early = 0;
	char buf[64];
	struct http_head h;
	long n = 0;

	for (k = 1; k <= len; k++) {
		memcpy(buf, in, k);
		n = http_parse(buf, k, sizeof(buf), &h);
		early += k < len && n != 0;
	}
	CHECK(early == 0, "http head by bytes: nothing before the last byte (%zu early)", early);
	CHECK(n == (long)len, "http head by bytes: whole at the last byte (%ld of %zu)", n, len);
	CHECK_STR(h.target, "/healthz", "http head by bytes: target");
	CHECK_STR(h.accept, "text/plain", "http head by bytes: accept");
}

/* a NUL byte is no part of any head (C string functions would stop there) */
static void test_nul(void)
{
	static const char in[] = "GET /a\0b HTTP/1.1\r\n\r\n";
	static const char hdr[] = "GET / HTTP/1.1\r\nA: x\0y\r\n\r\n";
	char buf[64];
	struct http_head h;

	memcpy(buf, in, sizeof(in) - 1);
	CHECK(http_parse(buf, sizeof(in) - 1, sizeof(buf), &h) == -400,
	      "http head: NUL in the target");
	memcpy(buf, hdr, sizeof(hdr) - 1);
	CHECK(http_parse(buf, sizeof(hdr) - 1, sizeof(buf), &h) == -400,
	      "http head: NUL in a header");
}

static void test_reasons(void)
{
	CHECK_STR(http_reason(400), "Bad Request", "http reason 400");
	CHECK_STR(http_reason(405), "Method Not Allowed", "http reason 405");
	CHECK_STR(http_reason(431), "Request Header Fields Too Large", "http reason 431");
}

void test_http(void)
{
	test_cases();
	test_bytewise();
	test_nul();
	test_reasons();
}
