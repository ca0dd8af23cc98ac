// SPDX-License-Identifier: GPL-2.0
/*
 * The one number parser and interval check every command uses
 * (src/usage.c): 0.2 to 3600 s, all of the argument, finite.
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "unit.h"

void test_usage(void)
{
	static const char *const good[] = {"0.2", "1", "2.5", "3600", "3.6e3"};
	static const char *const bad[] = {"0.19", "3600.5", "0",   "-1",   "",
					  "1x",	  "nan",    "inf", "1e400"};
	double v = -1;
	unsigned i;
	int err, saved;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = -1;
		CHECK(!parse_interval("stat", good[i], &v) && v > 0, "usage: interval '%s' taken",
		      good[i]);
	}
	/* the refusal is one line on stderr: keep it out of the runner's output */
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (!freopen("/dev/null", "w", stderr))
		return;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = -1;
		err = parse_interval("stat", bad[i], &v);
		CHECK(err == 2 && v == -1, "usage: interval '%s' refused with 2, nothing set",
		      bad[i]);
	}
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	CHECK(!parse_number("0", 0, 3600, &v) && v == 0, "usage: a number at its lower bound");
	CHECK(parse_number("4194305", 1, 4194304, &v) == -1, "usage: a number above its bound");
}
