/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prtop bench --return: free N MiB at once and time until 50, 90 and
 * 99 % of it is reported, per setting, over rounds (src/bench_return.c).
 * The settings are the matrix's (src/cmd_bench.c), handed over as hooks.
 */
#ifndef PRTOP_BENCH_RETURN_H
#define PRTOP_BENCH_RETURN_H

#include <stdbool.h>
#include <stddef.h>

#define RETURN_MAX_SETTINGS 10

struct return_opts {
	long mib;	  /* freed each round; 0: the default */
	int reps;	  /* rounds per setting */
	double timeout_s; /* the longest wait of one round */
	double within_s;  /* the goal: 90 % back within this; 0: no advice */
	bool json;
	bool no_prtop; /* the kernel's counter only: nothing attached */
	/*
	 * --mark FILE: a line at each free and each round's end, for an
	 * observer with another clock (a VMM's host timing QEMU's RSS);
	 * NULL: none
	 */
	const char *mark_path;
	int workload_reps; /* runs of the workload per setting; 0: none */
	double settle_s;   /* before each run of it and after, before the free */
};

struct return_settings {
	int n;
	const char *name[RETURN_MAX_SETTINGS]; /* [0] is the current settings, "on" */
	/* set setting i (restoring first); 0 or -errno with err filled */
	int (*apply)(void *ctx, int i, char *err, size_t len);
	/* back to the values before the bench */
	void (*restore)(void *ctx);
	/*
	 * one run of the workload (-- CMD) at the setting in force, setting i,
	 * prtop bench's A/B arm: settle, run, ops per task per second; 0 or
	 * -errno, said on stderr.  NULL: no workload.
	 */
	int (*workload)(void *ctx, int i, double *ops);
	const char *workload_name; /* its command's base name, "pf1" */
	const char *const *workload_argv;
	void *ctx;
};

/* the exit status: 0; 1 when it cannot measure or was stopped */
int bench_return(const struct return_opts *o, const struct return_settings *s);

/*
 * A progress line on stderr, "prtop bench: ..." (src/cmd_bench.c): where
 * stderr is a terminal or with -v, silent in scripts and pipes
 */
__attribute__((format(printf, 1, 2))) void bench_progress(const char *fmt, ...);

#endif /* PRTOP_BENCH_RETURN_H */
