/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny assertion API for the unit tests.  Every check prints one line,
 * "ok - NAME" or "not ok - NAME: file:line[: detail]", which tests/run.sh
 * counts.  NAME is a printf format; keep it unique and descriptive, e.g.
 * CHECK(x == 1, "hist: count of %d values", n).
 */
#ifndef PRTOP_UNIT_H
#define PRTOP_UNIT_H

#include "snapshot.h"
#include "str.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Core check: the condition, where it is, and the check's name. */
bool unit_check(bool cond, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Same, but a failure also shows got/want. */
bool unit_check_u64(uint64_t got, uint64_t want, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
bool unit_check_str(const char *got, const char *want, const char *file, int line, const char *fmt,
		    ...) __attribute__((format(printf, 5, 6)));
bool unit_check_dbl(double got, double want, double tol, const char *file, int line,
		    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* CHECK(cond, "name %d", ...): returns the result, so it can guard code. */
#define CHECK(cond, ...) unit_check(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* CHECK_U64(got, want, "name"): unsigned 64-bit equality */
#define CHECK_U64(got, want, ...) unit_check_u64((got), (want), __FILE__, __LINE__, __VA_ARGS__)
/* CHECK_STR(got, want, "name"): string equality; NULL equals only NULL */
#define CHECK_STR(got, want, ...) unit_check_str((got), (want), __FILE__, __LINE__, __VA_ARGS__)
/* CHECK_DBL(got, want, tol, "name"): |got - want| <= tol */
#define CHECK_DBL(got, want, tol, ...)                                                             \
	unit_check_dbl((got), (want), (tol), __FILE__, __LINE__, __VA_ARGS__)

/*
 * Scratch space: a fresh directory under $TMPDIR (or /tmp), removed with
 * everything in it when the runner exits.  Returns NULL (and reports a
 * failed check) if it cannot be made.
 */
const char *unit_tmpdir(void);
/* Write len bytes to dir/name; returns the full path (static buffer) or NULL. */
const char *unit_write_file(const char *dir, const char *name, const void *data, size_t len);

/* set how probe id attached, and the snapshot's avail[] that follows from it */
static inline void set_probe(struct prtop_snapshot *s, enum probe_id id, enum attach_mode m)
{
	s->probe[id].mode = m;
	s->probe[id].attached = m != MODE_NONE;
	snap_set_avail(s);
}

/* Test groups, one per file; tests/unit/main.c runs them all. */
void test_hist(void);
void test_procfs(void);
void test_ksyms_cache(void);
void test_reuse(void);
void test_format(void);
void test_metrics(void);
void test_knob(void);
void test_plan(void);
void test_report(void);
void test_stats(void);
void test_record(void);
void test_host(void);
void test_diagnose(void);
void test_usage(void);
void test_backlog(void);
void test_history(void);
void test_http(void);

#endif /* PRTOP_UNIT_H */
