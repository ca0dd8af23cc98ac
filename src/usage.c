// SPDX-License-Identifier: GPL-2.0
/* Bad input: one line on stderr, exit status 2. */
#include <stdarg.h>
#include <stdio.h>

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
