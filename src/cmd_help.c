// SPDX-License-Identifier: GPL-2.0
/* prtop help [COMMAND]: prtop's overview, or one command's help. */
#include <stdio.h>

#include "cmd.h"
#include "ui.h"

const char *const help_help = "Usage: prtop help [COMMAND]\n"
				     "\n"
				     "Help for prtop or one of its commands.\n";

int help_main(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 2)
		return usage_fail("help", "unexpected argument '%s'", argv[2]);
	if (argc < 2) {
		cmd_overview(stdout);
		return output_status(stdout);
	}
	c = cmd_find(argv[1]);
	if (!c || !*argv[1])
		return usage_fail("", "no help for '%s': not a prtop command", argv[1]);
	fputs(*c->help, stdout);
	return output_status(stdout);
}
