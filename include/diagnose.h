/* SPDX-License-Identifier: GPL-2.0 */
/*
 * "Why is memory not returned?": prtop doctor's diagnosis from what one
 * window of observation shows (src/diagnose.c, a pure function).
 */
#ifndef PRTOP_DIAGNOSE_H
#define PRTOP_DIAGNOSE_H

#include "snapshot.h"

#define DIAG_MAX 8

enum diag_level {
	DIAG_OK = 0,  /* memory is being returned, or there is nothing to return */
	DIAG_INFO,    /* worth knowing, not a fault */
	DIAG_PROBLEM, /* memory that could be returned is not */
};

struct diag {
	enum diag_level level;
	const char *id; /* stable name for JSON: "no_device", "fragmented", ... */
	char text[320];
};

/* findings over base -> cur (base may be NULL: no window); returns how many */
int diagnose(const struct prtop_snapshot *cur, const struct prtop_snapshot *base, struct diag *out,
	     int max);
const char *diag_level_name(enum diag_level l);

#endif /* PRTOP_DIAGNOSE_H */
