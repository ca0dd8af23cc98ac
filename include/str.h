/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded strings, with the two cases apart: a text that may be cut to fit
 * (reasons, labels) and a path that must not be (a cut path names another
 * file).
 */
#ifndef PRTOP_STR_H
#define PRTOP_STR_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* copy src into dst[n], cut to fit: for text whose end may be lost */
static inline void str_copy(char *dst, size_t n, const char *src)
{
	size_t len = 0;

	if (!n)
		return;
	while (src && len < n - 1 && src[len])
		len++;
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
}

/* snprintf for text that may be cut to fit; the result says whether it was */
static inline int __attribute__((format(printf, 3, 4)))
str_printf(char *dst, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vsnprintf(dst, n, fmt, ap);
	va_end(ap);
	return r >= 0 && (size_t)r < n ? 0 : -ENAMETOOLONG;
}

/* dir/name into dst[n]; -ENAMETOOLONG (dst empty) rather than a cut path */
static inline int path_join(char *dst, size_t n, const char *dir, const char *name)
{
	if (str_printf(dst, n, "%s/%s", dir, name)) {
		if (n)
			dst[0] = '\0';
		return -ENAMETOOLONG;
	}
	return 0;
}

#endif /* PRTOP_STR_H */
