// SPDX-License-Identifier: GPL-2.0
/* Opening a command's own library when it runs: see dynlib.h. */
#include <dlfcn.h>
#include <stdio.h>

#include "dynlib.h"

int dynlib_open(const char *soname, const char *package, const struct dynlib_sym *syms, size_t n,
		char *err, size_t len)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	size_t i;

	if (!h) {
		snprintf(err, len, "cannot load %s: %s (install the %s package)", soname, dlerror(),
			 package);
		return -1;
	}
	for (i = 0; i < n; i++) {
		*syms[i].slot = dlsym(h, syms[i].name);
		if (!*syms[i].slot) {
			snprintf(err, len, "%s has no %s: too old a %s", soname, syms[i].name,
				 package);
			dlclose(h);
			return -1;
		}
	}
	return 0; /* kept open for the process's life */
}
