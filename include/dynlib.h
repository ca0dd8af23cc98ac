/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A library one command alone needs is opened when that command runs:
 * cairo (pixman, X11, freetype, fontconfig) for `report --svg`.  Linked
 * in, the loader mapped and relocated it at every start (with the HTTP
 * library the exporters had then, 4 MB of the live view's 9.5 MB).
 */
#ifndef PRTOP_DYNLIB_H
#define PRTOP_DYNLIB_H

#include <stddef.h>

struct dynlib_sym {
	const char *name;
	void **slot; /* where the function's address goes */
};

/*
 * Open soname once and fill every slot; 0, or -1 with what failed and
 * which package to install in err.  Later calls return the first result.
 */
int dynlib_open(const char *soname, const char *package, const struct dynlib_sym *syms, size_t n,
		char *err, size_t len);

#endif /* PRTOP_DYNLIB_H */
