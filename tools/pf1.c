// SPDX-License-Identifier: GPL-2.0
/*
 * pf1: page_fault1 with will-it-scale's semantics, in our own code.
 *
 * Each task maps 128 MiB of private anonymous memory, writes one byte to
 * every 4 KiB page (one operation per page: one page fault, or a share of
 * a huge page's with --thp), unmaps it, and loops.  Tasks are processes
 * (default) or threads.  Every second the parent prints the operations
 * each task did in that second as will-it-scale does,
 *
 *     min:N max:N total:N
 *
 * after "testcase:..." and "warmup" lines; once the warm-up seconds are
 * over it prints "measurement", and after -s measured seconds
 * "average:N", the mean total per second.  Parsers written for
 * will-it-scale read it unchanged.
 *
 * --slow PCT injects a known cost: each task busy-waits after every 2 MiB
 * it touched and after each unmap, for PCT/(100-PCT) of the wall time the
 * work since the last wait took (CLOCK_MONOTONIC), so PCT % of its time is
 * spent waiting and its throughput falls by PCT % whatever the machine's
 * speed.  With --slow-arm NAME only where PRTOP_BENCH_ARM (set by prtop
 * bench for each run: "off", "on +prtop", ...) is NAME: one arm of a bench
 * with a known true change, for checking what the bench reports.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MEMSIZE	  (128UL << 20)
#define HUGE_SIZE (2UL << 20)
#define CACHELINE 128
#define MAX_TASKS 1024

struct opts {
	long tasks;
	long seconds; /* measured seconds */
	long warmup;  /* seconds before "measurement" */
	bool threads;
	bool thp;
	long slow_pct; /* --slow: this share of the time busy-waiting */
	const char *slow_arm;
};

static volatile sig_atomic_t stop;
static long page_size;
static double slow_k; /* wait this many times the work's time; 0: none */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* --slow: busy-wait slow_k times the wall time since the last wait ended */
static void pace(uint64_t *last)
{
	uint64_t t = mono_ns(), until;

	if (slow_k <= 0)
		return;
	until = t + (uint64_t)((double)(t - *last) * slow_k);
	while (mono_ns() < until && !stop)
		;
	*last = mono_ns();
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* 128 MiB; with THP aligned to a huge page, so every 2 MiB can be one fault */
static char *map_chunk(bool thp)
{
	size_t len = MEMSIZE + (thp ? HUGE_SIZE : 0);
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t a;

	if (p == MAP_FAILED || !thp)
		return p;
	a = ((uintptr_t)p + HUGE_SIZE - 1) & ~(uintptr_t)(HUGE_SIZE - 1);
	if (a > (uintptr_t)p)
		munmap(p, a - (uintptr_t)p);
	if ((uintptr_t)p + len > a + MEMSIZE)
		munmap((char *)a + MEMSIZE, (uintptr_t)p + len - (a + MEMSIZE));
	p = (char *)a;
	madvise(p, MEMSIZE, MADV_HUGEPAGE);
	return p;
}

/* the testcase: map, touch every page once, unmap; *ops counts pages */
static void testcase(volatile unsigned long long *ops, bool thp)
{
	uint64_t last = mono_ns();
	size_t off, n;
	char *p;

	while (!stop) {
		p = map_chunk(thp);
		if (p == MAP_FAILED) {
			fprintf(stderr, "pf1: mmap 128 MiB: %s\n", strerror(errno));
			_exit(1);
		}
		for (off = 0, n = 0; off < MEMSIZE; off += page_size) {
			p[off] = 1;
			(*ops)++;
			if (++n * page_size % HUGE_SIZE == 0)
				pace(&last);
		}
		munmap(p, MEMSIZE);
		pace(&last);
	}
}

struct task {
	pthread_t thread;
	volatile unsigned long long *ops;
	bool thp;
};

static void *thread_main(void *arg)
{
	struct task *t = arg;

	testcase(t->ops, t->thp);
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pf1 [-t TASKS] [-s SECONDS] [-w WARMUP] [--threads] [--thp]\n"
		"           [--slow PCT [--slow-arm NAME]]\n"
		"  -t TASKS    tasks mapping and touching 128 MiB each (default 1, max %d)\n"
		"  -s SECONDS  measured seconds, then print average: and exit (default 5)\n"
		"  -w WARMUP   seconds before the measurement starts (default 5, as "
		"will-it-scale)\n"
		"  --threads   tasks are threads of one process (default: processes)\n"
		"  --thp       ask for transparent huge pages (MADV_HUGEPAGE)\n"
		"  --slow PCT  busy-wait PCT %% of the time (1..90): throughput falls by PCT %%\n"
		"  --slow-arm NAME  only when PRTOP_BENCH_ARM is NAME (one arm of prtop bench)\n",
		MAX_TASKS);
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < min || *out > max ? -1 : 0;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	    {"threads", no_argument, NULL, 'T'},
	    {"thp", no_argument, NULL, 'H'},
	    {"slow", required_argument, NULL, 'S'},
	    {"slow-arm", required_argument, NULL, 'A'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	int c;

	*o = (struct opts){.tasks = 1, .seconds = 5, .warmup = 5};
	while ((c = getopt_long(argc, argv, "t:s:w:h", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_long(optarg, 1, MAX_TASKS, &o->tasks))
				goto bad;
			break;
		case 's':
			if (parse_long(optarg, 1, 86400, &o->seconds))
				goto bad;
			break;
		case 'w':
			if (parse_long(optarg, 0, 3600, &o->warmup))
				goto bad;
			break;
		case 'T':
			o->threads = true;
			break;
		case 'H':
			o->thp = true;
			break;
		case 'S':
			if (parse_long(optarg, 1, 90, &o->slow_pct))
				goto bad;
			break;
		case 'A':
			o->slow_arm = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind == argc)
		return 0;
	fprintf(stderr, "pf1: unexpected argument '%s'\n", argv[optind]);
	usage(stderr);
	return -1;
bad:
	fprintf(stderr, "pf1: invalid value '%s' for -%c\n", optarg, c);
	usage(stderr);
	return -1;
}

/* start the tasks; their counters live on separate cache lines of shared memory */
static int start_tasks(const struct opts *o, volatile unsigned long long **ops, pid_t *pids,
		       struct task *tasks, long *started)
{
	char *m = mmap(NULL, o->tasks * CACHELINE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long i;

	if (m == MAP_FAILED) {
		perror("pf1: mmap counters");
		return -1;
	}
	for (i = 0; i < o->tasks; i++) {
		ops[i] = (volatile unsigned long long *)(m + i * CACHELINE);
		if (o->threads) {
			tasks[i] = (struct task){.ops = ops[i], .thp = o->thp};
			if (pthread_create(&tasks[i].thread, NULL, thread_main, &tasks[i])) {
				fprintf(stderr, "pf1: cannot start thread %ld\n", i);
				return -1;
			}
			*started = i + 1;
			continue;
		}
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("pf1: fork");
			return -1;
		}
		if (pids[i] == 0) {
			signal(SIGTERM, SIG_DFL);
			testcase(ops[i], o->thp);
			_exit(0);
		}
		*started = i + 1;
	}
	return 0;
}

static void stop_tasks(const struct opts *o, pid_t *pids, struct task *tasks, long started)
{
	long i;

	stop = 1;
	for (i = 0; i < started; i++) {
		if (o->threads)
			pthread_join(tasks[i].thread, NULL);
		else if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	}
	while (!o->threads && wait(NULL) > 0)
		;
}

/* the per-second lines; 0 when all measured seconds ran, 1 when interrupted */
static int report(const struct opts *o, volatile unsigned long long **ops)
{
	static unsigned long long prev[MAX_TASKS];
	unsigned long long total = 0;
	struct timespec next;
	long sec = 0, i;

	printf("testcase:Separate 128MB anonymous mmap page faults%s\n", o->thp ? " (THP)" : "");
	printf("warmup\n");
	if (o->warmup == 0)
		printf("measurement\n");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!stop) {
		unsigned long long min = ~0ULL, max = 0, sum = 0, v, d;

		next.tv_sec++;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR)
			if (stop)
				return 1;
		for (i = 0; i < o->tasks; i++) {
			v = *ops[i];
			d = v - prev[i];
			prev[i] = v;
			min = d < min ? d : min;
			max = d > max ? d : max;
			sum += d;
		}
		printf("min:%llu max:%llu total:%llu\n", min, max, sum);
		if (++sec == o->warmup)
			printf("measurement\n");
		if (sec > o->warmup)
			total += sum;
		if (sec == o->warmup + o->seconds) {
			printf("average:%llu\n", total / o->seconds);
			fflush(stdout);
			return 0;
		}
		fflush(stdout);
	}
	return 1;
}

int main(int argc, char **argv)
{
	static volatile unsigned long long *ops[MAX_TASKS];
	static pid_t pids[MAX_TASKS];
	static struct task tasks[MAX_TASKS];
	struct sigaction sa = {.sa_handler = on_signal};
	struct opts o;
	long started = 0;
	int rc;

	if (parse_opts(argc, argv, &o))
		return 2;
	page_size = sysconf(_SC_PAGESIZE);
	if (o.slow_pct && (!o.slow_arm || !strcmp(getenv("PRTOP_BENCH_ARM") ?: "", o.slow_arm)))
		slow_k = (double)o.slow_pct / (double)(100 - o.slow_pct);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (start_tasks(&o, ops, pids, tasks, &started)) {
		stop_tasks(&o, pids, tasks, started);
		return 1;
	}
	rc = report(&o, ops);
	stop_tasks(&o, pids, tasks, started);
	return rc ? 130 : 0;
}
