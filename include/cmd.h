/* SPDX-License-Identifier: GPL-2.0 */
/* What the command table (src/main.c) hands a command. */
#ifndef PRTOP_CMD_H
#define PRTOP_CMD_H

#include <stdbool.h>
#include "collector.h"
#include "ui.h"

#define PRTOP_VERSION "0.2.0"

struct args {
	struct collector_opts copts;
	struct ui_opts ui;
	bool batch;
	bool json;
	bool help;
	bool version;
	const char *listen; /* export --listen */
};

#endif /* PRTOP_CMD_H */
