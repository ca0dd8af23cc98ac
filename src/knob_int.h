/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by the knob model (knob.c) and persistence (knob_persist.c) only. */
#ifndef PRTOP_KNOB_INT_H
#define PRTOP_KNOB_INT_H

#include <stdbool.h>
#include <sys/stat.h>
#include "knob.h"

/* p with the system's paths where a field (or p itself) is NULL */
struct knob_paths knob_resolve(const struct knob_paths *p);
/* path exists (st filled) */
bool knob_exists(const char *path, struct stat *st);

#endif /* PRTOP_KNOB_INT_H */
