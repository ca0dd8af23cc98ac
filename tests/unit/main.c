// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test runner: runs every test group and prints one line per check,
 * then "# unit: N passed, N failed".  Exits 0 when every check passed, 1
 * when any failed (so `make check` fails), and anything else when the
 * runner itself broke: a crash, a sanitizer's report.  tests/run.sh counts
 * the "ok - " and "not ok - " lines itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"

static unsigned long passed, failed;
static char tmpdir[PATH_MAX];

static bool report(bool cond, const char *file, int line, const char *detail, const char *fmt,
		   va_list ap)
{
	fputs(cond ? "ok - " : "not ok - ", stdout);
	vprintf(fmt, ap);
	if (!cond) {
		printf(": %s:%d", file, line);
		if (detail && *detail)
			printf(": %s", detail);
	}
	putchar('\n');
	if (cond)
		passed++;
	else
		failed++;
	return cond;
}

bool unit_check(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = report(cond, file, line, NULL, fmt, ap);
	va_end(ap);
	return r;
}

bool unit_check_u64(uint64_t got, uint64_t want, const char *file, int line, const char *fmt, ...)
{
	char detail[96];
	va_list ap;
	bool r;

	snprintf(detail, sizeof(detail), "got %llu, want %llu", (unsigned long long)got,
		 (unsigned long long)want);
	va_start(ap, fmt);
	r = report(got == want, file, line, detail, fmt, ap);
	va_end(ap);
	return r;
}

bool unit_check_str(const char *got, const char *want, const char *file, int line, const char *fmt,
		    ...)
{
	char detail[256];
	bool eq;
	va_list ap;
	bool r;

	if (!got || !want)
		eq = got == want;
	else
		eq = strcmp(got, want) == 0;
	snprintf(detail, sizeof(detail), "got \"%s\", want \"%s\"", got ? got : "(null)",
		 want ? want : "(null)");
	va_start(ap, fmt);
	r = report(eq, file, line, detail, fmt, ap);
	va_end(ap);
	return r;
}

bool unit_check_dbl(double got, double want, double tol, const char *file, int line,
		    const char *fmt, ...)
{
	char detail[128];
	double diff;
	va_list ap;
	bool r;

	snprintf(detail, sizeof(detail), "got %.9g, want %.9g (+-%g)", got, want, tol);
	va_start(ap, fmt);
	diff = got > want ? got - want : want - got;
	r = report(diff <= tol, file, line, detail, fmt, ap);
	va_end(ap);
	return r;
}

const char *unit_tmpdir(void)
{
	const char *base;

	if (tmpdir[0])
		return tmpdir;
	base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(tmpdir, sizeof(tmpdir), "%s/prtop-unit.XXXXXX", base);
	if (!mkdtemp(tmpdir)) {
		unit_check(false, __FILE__, __LINE__, "unit: make scratch dir: %s",
			   strerror(errno));
		tmpdir[0] = '\0';
		return NULL;
	}
	return tmpdir;
}

const char *unit_write_file(const char *dir, const char *name, const void *data, size_t len)
{
	static char paths[4][PATH_MAX];
	static unsigned int next;
	char *path = paths[next++ % 4];
	ssize_t n;
	int fd;

	if (!dir)
		return NULL;
	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return NULL;
	n = len ? write(fd, data, len) : 0;
	close(fd);
	return n == (ssize_t)len ? path : NULL;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	remove(path);
	return 0;
}

static void cleanup(void)
{
	if (tmpdir[0])
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	atexit(cleanup);

	test_hist();
	test_procfs();
	test_ksyms_cache();
	test_reuse();
	test_format();
	test_metrics();
	test_knob();
	test_plan();
	test_report();
	test_stats();
	test_record();
	test_host();
	test_diagnose();
	test_usage();
	test_backlog();
	test_history();
	test_http();

	printf("# unit: %lu passed, %lu failed\n", passed, failed);
	return failed ? 1 : 0;
}
