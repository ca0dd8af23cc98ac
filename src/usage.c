// SPDX-License-Identifier: GPL-2.0
/* Bad input: one line on stderr, exit status 2; the numbers every command parses. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

int usage_fail(const char *cmd, const char *fmt, ...)
{
	const char *sp = cmd && *cmd ? " " : "";
	va_list ap;

	fprintf(stderr, "prtop%s%s: ", sp, cmd ? cmd : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see 'prtop help%s%s')\n", sp, cmd ? cmd : "");
	return 2;
}

int usage_bad_option(const char *cmd, int ret, const char *arg)
{
	if (ret == ':')
		return usage_fail(cmd, "option '%s' needs a value", arg ? arg : "?");
	return usage_fail(cmd, "invalid option '%s'", arg ? arg : "?");
}

int parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int parse_interval(const char *cmd, const char *s, double *out)
{
	if (parse_number(s, PRTOP_INTERVAL_MIN, PRTOP_INTERVAL_MAX, out))
		return usage_fail(cmd, "invalid interval '%s': give seconds from %g to %g", s,
				  PRTOP_INTERVAL_MIN, (double)PRTOP_INTERVAL_MAX);
	return 0;
}
