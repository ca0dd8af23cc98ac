// SPDX-License-Identifier: GPL-2.0
/*
 * The exporters' request routing, apart from the HTTP server so that the
 * unit tests and the fuzzer reach it without a server.
 */
#include <string.h>

#include "export.h"

enum export_route export_route(const char *method, const char *url)
{
	if (!method || !url)
		return ROUTE_NOT_FOUND;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return ROUTE_BAD_METHOD;
	/* exact paths: a query string or a trailing slash is another resource */
	if (!strcmp(url, "/metrics"))
		return ROUTE_METRICS;
	if (!strcmp(url, "/healthz"))
		return ROUTE_HEALTH;
	if (!strcmp(url, "/"))
		return ROUTE_LANDING;
	return ROUTE_NOT_FOUND;
}
