// SPDX-License-Identifier: GPL-2.0
/* Signal handling shared by every subcommand: loops poll prtop_stop. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "ui.h"

volatile int prtop_stop;

static void on_signal(int sig)
{
	prtop_stop = sig;
}

void prtop_signals_init(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int output_status(FILE *out)
{
	int e;

	if (!fflush(out) && !ferror(out))
		return 0;
	e = errno;
	if (e == EPIPE)
		return 0; /* the reader has what it wanted: `prtop -b | head -1` */
	fprintf(stderr, "prtop: write error: %s\n", strerror(e ? e : EIO));
	return 1;
}
