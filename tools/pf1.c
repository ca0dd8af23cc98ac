// SPDX-License-Identifier: GPL-2.0
/*
 * pf1: a page_fault1-style workload.  Each of -p processes maps 128 MiB of
 * anonymous memory, writes one byte per page (one page fault each), unmaps
 * it, and repeats for -s seconds.  Prints the faults per second of all
 * processes together: "pf1 faults_per_sec N".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (128UL << 20)

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long worker(double secs, long page)
{
	double end = now() + secs;
	unsigned long faults = 0;
	size_t off;
	char *p;

	while (now() < end) {
		p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			fprintf(stderr, "pf1: mmap: %s\n", strerror(errno));
			exit(1);
		}
		for (off = 0; off < CHUNK; off += page)
			p[off] = 1;
		munmap(p, CHUNK);
		faults += CHUNK / page;
	}
	return faults;
}

static int parse(const char *s, double min, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || *out < min || *out > max ? -1 : 0;
}

int main(int argc, char **argv)
{
	double secs = 3, procs = 1, t0;
	long page = sysconf(_SC_PAGESIZE);
	unsigned long total = 0, n;
	int fds[2], i, o;

	while ((o = getopt(argc, argv, "p:s:h")) != -1) {
		if (o == 'p' && !parse(optarg, 1, 256, &procs))
			continue;
		if (o == 's' && !parse(optarg, 0.1, 3600, &secs))
			continue;
		fprintf(stderr, "usage: pf1 [-p PROCS 1..256] [-s SECS 0.1..3600]\n");
		return o == 'h' ? 0 : 2;
	}
	if (pipe(fds)) {
		perror("pf1: pipe");
		return 1;
	}
	t0 = now();
	for (i = 0; i < (int)procs; i++) {
		if (fork() == 0) {
			n = worker(secs, page);
			if (write(fds[1], &n, sizeof(n)) != sizeof(n))
				_exit(1);
			_exit(0);
		}
	}
	close(fds[1]);
	while (read(fds[0], &n, sizeof(n)) == sizeof(n))
		total += n;
	while (wait(NULL) > 0)
		;
	printf("pf1 faults_per_sec %.0f\n", total / (now() - t0));
	return 0;
}
