// SPDX-License-Identifier: GPL-2.0
/*
 * madvloop: a process that is not a VMM and discards memory in a loop, for
 * `prtop host`'s filter test and its overhead benchmark.  Each operation
 * writes one byte to every 4 KiB page of a private anonymous buffer and
 * hands the buffer back with madvise(MADV_DONTNEED), as a VMM discarding
 * reported guest memory would.  The buffer is marked MADV_DONTFORK as QEMU
 * marks guest RAM, so that `prtop host`, which tells QEMU's guest RAM by
 * that mark, counts these discards as guest RAM also when the test names
 * this process after QEMU.  Prints "pid: N" at start, waits -w
 * seconds (time for a tracer to attach), and after -s seconds of work
 * prints "ops: N", "ops_per_s: N.N" and "cpu_us_per_op: N.NN": its own
 * CPU time per operation, where a BPF program run by its faults and
 * discards is paid, and which other processes competing for the CPUs do
 * not change the way they change ops/s.  Exit status: 0, 1 on a runtime
 * error, 2 on bad arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double clock_s(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long arg(const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "madvloop: invalid number '%s' (%ld..%ld)\n", s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	long kib = 256, secs = 5, wait = 0, ops = 0, page = 4096;
	double t0, t, c0;
	char *buf;
	int o;

	while ((o = getopt(argc, argv, "k:s:w:h")) != -1) {
		switch (o) {
		case 'k':
			kib = arg(optarg, 4, 1 << 20);
			break;
		case 's':
			secs = arg(optarg, 1, 86400);
			break;
		case 'w':
			wait = arg(optarg, 0, 3600);
			break;
		default:
			fprintf(
			    o == 'h' ? stdout : stderr,
			    "usage: madvloop [-k KIB] [-s SECS] [-w SECS]\n"
			    "  -k KIB   buffer written and discarded per operation (default 256)\n"
			    "  -s SECS  how long to run (default 5)\n"
			    "  -w SECS  wait this long after printing the pid (default 0)\n");
			return o == 'h' ? 0 : 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "madvloop: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	buf = mmap(NULL, kib * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		perror("madvloop: mmap");
		return 1;
	}
	if (madvise(buf, kib * 1024, MADV_DONTFORK)) {
		perror("madvloop: madvise(MADV_DONTFORK)");
		return 1;
	}
	printf("pid: %d\n", (int)getpid());
	fflush(stdout);
	if (wait)
		sleep((unsigned int)wait);
	t0 = clock_s(CLOCK_MONOTONIC);
	c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	do {
		for (long off = 0; off < kib * 1024; off += page)
			buf[off] = 1;
		if (madvise(buf, kib * 1024, MADV_DONTNEED)) {
			perror("madvloop: madvise");
			return 1;
		}
		ops++;
		t = clock_s(CLOCK_MONOTONIC);
	} while (t - t0 < secs);
	printf("ops: %ld\nops_per_s: %.1f\ncpu_us_per_op: %.2f\n", ops, ops / (t - t0),
	       (clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0) * 1e6 / ops);
	return 0;
}
