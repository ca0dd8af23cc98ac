// SPDX-License-Identifier: GPL-2.0
/*
 * memhog: a workload for the free page reporting tests.
 *
 * Maps anonymous memory, writes to every page of it so the kernel really
 * allocates it (and the hypervisor really backs it), holds it, then unmaps
 * it so the pages go back to the buddy allocator, where free page
 * reporting can find them.  Marker lines on stdout (flushed at once) let a
 * test follow the phases:
 *
 *	MEMHOG touched N MiB	every page written
 *	MEMHOG gaps N MiB	with -g: every other piece given back
 *	MEMHOG freed N MiB	munmap() done, about to exit
 *
 * With -g KIB the memory held has holes: after writing, every other
 * KIB-sized piece is unmapped, so the free memory lies in small blocks
 * between pages still in use, as on a long-running machine.  Huge pages are
 * off for the process, or a hole would only split a huge page and free
 * nothing until the kernel gets round to it.  munmap() and prctl(), not
 * madvise(): the test kernels are built without the advice syscalls.
 *
 * The hold lasts -H seconds (default 0), or forever with -H -1; SIGUSR1
 * ends it early.  Exit status: 0 on success, 1 on a runtime error, 2 on bad
 * arguments.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t release;

static void on_usr1(int sig)
{
	release = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: memhog -m MIB [-g KIB] [-H SECS] [-q]\n"
		   "  -m MIB    anonymous memory to map and write, in MiB (required)\n"
		   "  -g KIB    then give back every other KIB-sized piece (a multiple\n"
		   "            of the page size) and hold the rest\n"
		   "  -H SECS   hold the memory SECS seconds before freeing it\n"
		   "            (default 0; -1 holds until SIGUSR1)\n"
		   "  -q        no progress lines on stderr\n"
		   "  -h        this help\n"
		   "Prints \"MEMHOG touched N MiB\" once every page has been written,\n"
		   "\"MEMHOG gaps N MiB\" once -g's pieces are given back and\n"
		   "\"MEMHOG freed N MiB\" after munmap(); SIGUSR1 ends the hold early.\n");
}

/* parse a decimal long in [min, max]; false on anything else */
static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return 0;
	*out = v;
	return 1;
}

/* unmap the second of every two gap-sized pieces; returns bytes freed */
static long give_back_gaps(char *mem, size_t len, size_t gap)
{
	size_t off, freed = 0;

	for (off = gap; off + gap <= len; off += 2 * gap) {
		if (munmap(mem + off, gap)) {
			fprintf(stderr, "memhog: munmap of a -g piece failed: %s\n",
				strerror(errno));
			return -1;
		}
		freed += gap;
	}
	return (long)freed;
}

/* sleep until the deadline or SIGUSR1; secs < 0: until SIGUSR1 only */
static void hold(long secs)
{
	struct timespec now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += secs;
	while (!release) {
		if (secs >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if (now.tv_sec > end.tv_sec ||
			    (now.tv_sec == end.tv_sec && now.tv_nsec >= end.tv_nsec))
				break;
		}
		/* short naps: a signal between the check and sleep costs <0.1 s */
		usleep(100 * 1000);
	}
}

int main(int argc, char **argv)
{
	long mib = -1, hold_secs = 0, gap_kib = 0, freed;
	long page = sysconf(_SC_PAGESIZE);
	int quiet = 0, opt;
	struct sigaction sa;
	size_t len, off;
	char *mem;

	while ((opt = getopt(argc, argv, "m:g:H:qh")) != -1) {
		switch (opt) {
		case 'm':
			if (!parse_long(optarg, 1, LONG_MAX / (1024 * 1024), &mib)) {
				fprintf(stderr,
					"memhog: -m wants a whole number of MiB >= 1, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'g':
			if (!parse_long(optarg, 1, 1024 * 1024, &gap_kib)) {
				fprintf(stderr, "memhog: -g wants KiB, 1..1048576, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'H':
			if (!parse_long(optarg, -1, INT_MAX, &hold_secs)) {
				fprintf(stderr,
					"memhog: -H wants seconds >= 0 (or -1: until SIGUSR1), not "
					"'%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "memhog: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 2;
	}
	if (mib < 0) {
		fprintf(stderr, "memhog: -m MIB is required\n");
		usage(stderr);
		return 2;
	}
	if (page <= 0)
		page = 4096;
	if (gap_kib && (gap_kib * 1024) % page) {
		fprintf(stderr, "memhog: -g %ld is not a multiple of the %ld KiB page size\n",
			gap_kib, page / 1024);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGUSR1, &sa, NULL)) {
		perror("memhog: sigaction(SIGUSR1)");
		return 1;
	}

	len = (size_t)mib << 20;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "memhog: mmap of %ld MiB failed: %s\n", mib, strerror(errno));
		return 1;
	}
	/* EINVAL: a kernel without transparent huge pages */
	if (gap_kib && prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) && errno != EINVAL) {
		fprintf(stderr, "memhog: prctl(PR_SET_THP_DISABLE) failed: %s\n", strerror(errno));
		return 1;
	}

	/* a distinct non-zero byte per page: nothing can share or dedupe it */
	for (off = 0; off < len; off += page) {
		mem[off] = (char)(1 + (off / page) % 251);
		if (!quiet && off && off % (256UL << 20) == 0)
			fprintf(stderr, "memhog: %zu MiB written\n", off >> 20);
	}
	printf("MEMHOG touched %ld MiB\n", mib);
	fflush(stdout);
	if (gap_kib) {
		freed = give_back_gaps(mem, len, (size_t)gap_kib * 1024);
		if (freed < 0)
			return 1;
		printf("MEMHOG gaps %ld MiB\n", freed >> 20);
		fflush(stdout);
	}

	hold(hold_secs);

	if (munmap(mem, len)) {
		fprintf(stderr, "memhog: munmap failed: %s\n", strerror(errno));
		return 1;
	}
	printf("MEMHOG freed %ld MiB\n", mib);
	fflush(stdout);
	return 0;
}
