// SPDX-License-Identifier: GPL-2.0
/*
 * prtop record [-o FILE] [-d SECS] [--after SECS] [--price FILE] -- CMD
 * [ARGS]: run any command and sample the snapshot every interval into FILE
 * (record.h), with the command's own throughput when it prints
 * will-it-scale lines, and --after SECS more once it exited (what it freed
 * at its exit is reported after the kernel's delay); then print the report
 * of the file, as `prtop report FILE` would.  The exit status is the
 * command's.  A command that cannot be started leaves no file.
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <json-c/json.h>

#include "clock.h"
#include "cmd.h"
#include "record.h"
#include "sampler.h"
#include "str.h"
#include "ui.h"

#define DEFAULT_OUT "prtop.record"

struct rec_run {
	FILE *out;	  /* the record file */
	const char *path; /* its name */
	pid_t child;
	int fd;	  /* the command's stdout */
	bool eof; /* ... closed */
	bool exited;
	int status;	   /* waitpid() status once exited */
	uint64_t exit_ns;  /* when it was reaped (or its output ended, if later) */
	uint64_t after_ns; /* --after: sampling goes on this long once it is done */
	bool said_after;   /* the progress line for --after is out */
	bool measured;	   /* will-it-scale said "measurement" */
	uint64_t t0;	   /* when the command started */
	char line[4096];   /* a partial line of its output */
	size_t len;
	bool write_err;
};

static double since(const struct rec_run *r, uint64_t ns)
{
	return ns > r->t0 ? (ns - r->t0) / 1e9 : 0;
}

static void put_line(struct rec_run *r, json_object *o)
{
	if (fprintf(r->out, "%s\n",
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							  JSON_C_TO_STRING_NOSLASHESCAPE)) < 0)
		r->write_err = true;
	json_object_put(o);
}

static json_object *typed(const char *type, double t)
{
	json_object *o = json_object_new_object();
	char buf[32];

	json_object_object_add(o, "type", json_object_new_string(type));
	snprintf(buf, sizeof(buf), "%.3f", t);
	json_object_object_add(o, "t", json_object_new_double_s(t, buf));
	return o;
}

/* one line of the command's output: passed on, and parsed if it is will-it-scale's */
static void workload_line(struct rec_run *r, const char *text)
{
	double t = since(r, now_ns());
	struct wis_line w;
	json_object *o;

	fputs(text, stdout);
	fputc('\n', stdout);
	switch (wis_parse(text, &w)) {
	case WIS_SECOND:
		o = typed("workload", t);
		json_object_object_add(o, "min", json_object_new_int64((int64_t)w.min));
		json_object_object_add(o, "max", json_object_new_int64((int64_t)w.max));
		json_object_object_add(o, "total", json_object_new_int64((int64_t)w.total));
		json_object_object_add(o, "measured", json_object_new_boolean(r->measured));
		put_line(r, o);
		break;
	case WIS_AVERAGE:
		o = typed("workload_average", t);
		json_object_object_add(o, "average", json_object_new_int64((int64_t)w.average));
		put_line(r, o);
		break;
	case WIS_MEASUREMENT:
		r->measured = true;
		break;
	case WIS_TESTCASE:
		o = typed("workload_testcase", t);
		json_object_object_add(o, "text", json_object_new_string(text + 9));
		put_line(r, o);
		break;
	default:
		break;
	}
}

/* read what the command printed; split it into lines */
static void drain(struct rec_run *r)
{
	ssize_t n;
	char *nl;

	while (!r->eof) {
		n = read(r->fd, r->line + r->len, sizeof(r->line) - 1 - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return; /* EAGAIN: nothing more now */
		if (n == 0) {
			r->eof = true;
			break;
		}
		r->len += (size_t)n;
		r->line[r->len] = '\0';
		while ((nl = strchr(r->line, '\n'))) {
			*nl = '\0';
			workload_line(r, r->line);
			r->len -= (size_t)(nl + 1 - r->line);
			memmove(r->line, nl + 1, r->len + 1);
		}
		if (r->len == sizeof(r->line) - 1) { /* a line too long to keep */
			workload_line(r, r->line);
			r->len = 0;
		}
	}
	if (r->len) {
		r->line[r->len] = '\0';
		workload_line(r, r->line);
		r->len = 0;
	}
	fflush(stdout);
}

static void reap(struct rec_run *r, int flags)
{
	if (!r->exited && waitpid(r->child, &r->status, flags) == r->child) {
		r->exited = true;
		r->exit_ns = now_ns();
	}
}

/* the command is over: exited and its output closed */
static bool cmd_done(const struct rec_run *r)
{
	return r->eof && r->exited;
}

/*
 * The sampler's idle time: the command's output and its exit, then the
 * --after time.  Progress goes to stderr only when it is a terminal.
 */
static bool idle(void *ctx, int wait_ms)
{
	struct rec_run *r = ctx;
	struct pollfd p = {.fd = r->fd, .events = POLLIN};
	uint64_t now;

	if (!r->eof && poll(&p, 1, wait_ms) > 0)
		drain(r);
	else if (r->eof && wait_ms > 0)
		usleep(wait_ms * 1000);
	reap(r, WNOHANG);
	if (!cmd_done(r))
		return false;
	if (!r->after_ns)
		return true;
	now = now_ns();
	if (!r->said_after && isatty(STDERR_FILENO))
		fprintf(stderr,
			"prtop record: the command is done; sampling %.0f s more (--after)\n",
			r->after_ns / 1e9);
	r->said_after = true;
	return now >= r->exit_ns + r->after_ns;
}

/*
 * Start the command with its stdout on a pipe.  exec()'s failure comes
 * back on a second close-on-exec pipe (EOF: the exec worked), so a command
 * that cannot run is known before anything is recorded: -errno then.
 */
static pid_t spawn(char **argv, int *fd, int *exec_err)
{
	int p[2], e[2], err = 0;
	pid_t pid;
	ssize_t n;

	*exec_err = 0;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	if (pipe2(e, O_CLOEXEC)) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		close(e[0]);
		close(e[1]);
		return -1;
	}
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		dup2(p[1], STDOUT_FILENO);
		execvp(argv[0], argv);
		err = errno;
		if (write(e[1], &err, sizeof(err)) != sizeof(err))
			_exit(127);
		_exit(err == ENOENT ? 127 : 126);
	}
	close(p[1]);
	close(e[1]);
	do
		n = read(e[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(e[0]);
	if (n == sizeof(err)) {
		*exec_err = err;
		close(p[0]);
		return pid;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	*fd = p[0];
	return pid;
}

/*
 * Can the record file be written?  Checked before attaching, so a bad -o
 * costs nothing and writes nothing: 0, 2 (no such directory, a directory)
 * or 1 (not allowed), with one line on stderr.
 */
static int check_out(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!stat(path, &st) && S_ISDIR(st.st_mode))
		return usage_fail("record", "-o %s is a directory: give a file name", path);
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return usage_fail("record", "-o %s: no directory %s", path, dir);
	if (access(dir, W_OK) || (!access(path, F_OK) && access(path, W_OK))) {
		fprintf(stderr, "prtop record: cannot write %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}

/* the refault price from `prtop bench --refault --json` output, or null */
static json_object *read_price(const char *path, char *err, size_t len)
{
	json_object *d = json_object_from_file(path), *o, *v, *k;
	static const char *const keys[] = {"ns_per_4k", "ns_per_2m"};
	size_t i;

	if (!d) {
		if (access(path, R_OK))
			snprintf(err, len, "--price %s: %s", path, strerror(errno));
		else
			snprintf(err, len, "--price %s: not readable JSON", path);
		return NULL;
	}
	o = json_object_new_object();
	for (i = 0; i < 2; i++) {
		v = NULL;
		if (json_object_object_get_ex(d, keys[i], &k) &&
		    json_object_object_get_ex(k, "price_median", &v) && v)
			json_object_object_add(o, keys[i],
					       json_object_new_double(json_object_get_double(v)));
	}
	json_object_put(d);
	if (!json_object_object_length(o)) {
		snprintf(err, len, "--price %s: no ns_per_4k/ns_per_2m price_median in it", path);
		json_object_put(o);
		return NULL;
	}
	return o;
}

static void header(struct rec_run *r, char **argv, double interval, json_object *price,
		   const struct prtop_snapshot *s)
{
	json_object *o = json_object_new_object(), *cmd = json_object_new_array();
	char when[64];
	time_t t = time(NULL);
	struct tm tm;

	for (; *argv; argv++)
		json_object_array_add(cmd, json_object_new_string(*argv));
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	json_object_object_add(o, "type", json_object_new_string("header"));
	json_object_object_add(o, "format", json_object_new_string(RECORD_FORMAT));
	json_object_object_add(o, "version", json_object_new_int(RECORD_VERSION));
	json_object_object_add(o, "prtop", json_object_new_string(PRTOP_VERSION));
	json_object_object_add(o, "kernel", json_object_new_string(s->kernel));
	json_object_object_add(o, "command", cmd);
	json_object_object_add(o, "interval_s", json_object_new_double(interval));
	json_object_object_add(o, "start_time", json_object_new_string(when));
	json_object_object_add(o, "page_size", json_object_new_int64((int64_t)s->page_size));
	json_object_object_add(o, "refault_price", price);
	put_line(r, o);
}

static void sample_line(struct rec_run *r, const struct sampler *smp)
{
	json_object *o = typed("sample", since(r, smp->cur->mono_ns));

	json_object_object_add(o, "snapshot", snap_json(smp->cur, smp->prev, JSON_COMPACT));
	put_line(r, o);
}

/* wall_s is the command's own time; t the end of the recording (--after later) */
static void end_line(struct rec_run *r)
{
	json_object *o = typed("end", since(r, now_ns()));
	bool sig = WIFSIGNALED(r->status);
	uint64_t done = r->exit_ns ? r->exit_ns : now_ns();

	json_object_object_add(
	    o, "exit_status",
	    json_object_new_int(sig ? 128 + WTERMSIG(r->status) : WEXITSTATUS(r->status)));
	json_object_object_add(o, "signal", sig ? json_object_new_int(WTERMSIG(r->status)) : NULL);
	json_object_object_add(o, "wall_s", json_object_new_double(since(r, done)));
	json_object_object_add(o, "after_s", json_object_new_double(r->after_ns / 1e9));
	put_line(r, o);
}

/* a signal to prtop ends the command too: SIGTERM, then SIGKILL after 5 s */
static void stop_child(struct rec_run *r)
{
	int i;

	reap(r, WNOHANG);
	if (r->exited)
		return;
	kill(r->child, SIGTERM);
	for (i = 0; i < 50 && !r->exited; i++) {
		usleep(100000);
		drain(r);
		reap(r, WNOHANG);
	}
	if (!r->exited)
		kill(r->child, SIGKILL);
	reap(r, 0);
}

/*
 * The header comes from the sampler's base snapshot: no extra sample.  The
 * file is created once the command runs; a command that cannot be started
 * returns its shell-style status (127 not found, 126 not runnable) with
 * nothing written.
 */
static int run(struct collector *c, struct rec_run *r, char **argv, double interval,
	       json_object *price)
{
	struct sampler_opts so = {.interval_s = interval, .idle = idle, .idle_ctx = r};
	struct sampler smp;
	int err, exec_err;

	if (sampler_init(&smp, c, &so)) {
		fprintf(stderr, "prtop record: out of memory\n");
		json_object_put(price);
		return -ENOMEM;
	}
	r->t0 = now_ns();
	r->child = spawn(argv, &r->fd, &exec_err);
	if (r->child < 0) {
		err = errno;
		fprintf(stderr, "prtop record: cannot start %s: %s\n", argv[0], strerror(err));
		goto fail;
	}
	if (exec_err) {
		reap(r, 0);
		fprintf(stderr, "prtop record: cannot run %s: %s; nothing recorded\n", argv[0],
			strerror(exec_err));
		sampler_free(&smp);
		json_object_put(price);
		return exec_err == ENOENT ? 127 : 126;
	}
	r->out = fopen(r->path, "w");
	if (!r->out) {
		err = errno;
		fprintf(stderr, "prtop record: cannot write %s: %s\n", r->path, strerror(err));
		stop_child(r);
		close(r->fd);
		goto fail;
	}
	header(r, argv, interval, price, smp.cur);
	price = NULL;
	sample_line(r, &smp); /* the base: counters at the start */
	while (sampler_next(&smp))
		sample_line(r, &smp);
	if (!r->exited || !r->eof)
		stop_child(r);
	drain(r);
	if (sampler_final(&smp))
		sample_line(r, &smp);
	end_line(r);
	close(r->fd);
	sampler_free(&smp);
	return 0;
fail:
	sampler_free(&smp);
	json_object_put(price);
	return -err;
}

const char *const record_help =
    "Usage: prtop record [-o FILE] [-d SECS] [--after SECS] [--price FILE]\n"
    "                    [--reuse-exact|--no-reuse] [-v] -- CMD [ARGS...]\n"
    "\n"
    "Run CMD and sample free page reporting every SECS seconds (default 1)\n"
    "into FILE (default " DEFAULT_OUT "; JSON Lines, format prtop-record v1), with\n"
    "CMD's own throughput when it prints will-it-scale lines (min:N max:N\n"
    "total:N, average:N, as tools/pf1 does); CMD's output passes through.\n"
    "At the end, print the report 'prtop report FILE' prints: throughput and\n"
    "reporting over time, totals, and the cost attributed to reporting.\n"
    "\n"
    "  -o, --output FILE  the record file\n"
    "  -d, --interval SECS  sampling interval (0.2 to 3600)\n"
    "      --after SECS   keep sampling this long once CMD exited (0 to 3600,\n"
    "                     default 0): what CMD freed at its exit is reported\n"
    "                     after the kernel's delay (2 s, more on some kernels)\n"
    "      --price FILE   the refault price: JSON of 'prtop bench --refault --json'\n"
    "\n"
    "Exit status: CMD's (128+N when a signal N ended it; 127 when it is not\n"
    "found, 126 when it cannot be run: no FILE is left then); 1 or 2 when\n"
    "prtop itself could not start (not root, bad options, FILE not writable).\n";

int record_main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"interval", required_argument, NULL, 'd'},
	    {"price", required_argument, NULL, 'P'},
	    {"reuse-exact", no_argument, NULL, 'X'},
	    {"after", required_argument, NULL, 'A'},
	    {"no-reuse", no_argument, NULL, 'N'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct collector_opts co = {0};
	struct rec_run r = {.path = DEFAULT_OUT, .fd = -1};
	json_object *price = NULL;
	struct collector *c = NULL;
	double interval = 1, after = 0;
	char err[512];
	int o, ret;

	opterr = 0;
	while ((o = getopt_long(argc, argv, "+:o:d:vh", lo, NULL)) != -1) {
		switch (o) {
		case 'o':
			r.path = optarg;
			break;
		case 'd':
			if (parse_interval("record", optarg, &interval)) {
				json_object_put(price);
				return 2;
			}
			break;
		case 'A':
			if (parse_number(optarg, 0, 3600, &after)) {
				json_object_put(price);
				return usage_fail(
				    "record", "invalid --after '%s': give seconds from 0 to 3600",
				    optarg);
			}
			break;
		case 'P':
			json_object_put(price); /* the last --price counts */
			price = read_price(optarg, err, sizeof(err));
			if (!price)
				return usage_fail("record", "%s", err);
			break;
		case 'X':
			co.reuse_exact = true;
			break;
		case 'N':
			co.no_reuse = true;
			break;
		case 'v':
			co.verbose = true;
			break;
		case 'h':
			json_object_put(price);
			fputs(record_help, stdout);
			return output_status(stdout);
		default:
			json_object_put(price);
			return usage_bad_option("record", o, argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		json_object_put(price);
		return usage_fail("record", "%s", "no command to run (prtop record -- CMD ARGS)");
	}
	if (co.reuse_exact && co.no_reuse) {
		json_object_put(price);
		return usage_fail("record", "%s",
				  "--reuse-exact and --no-reuse exclude each other");
	}
	ret = check_out(r.path);
	if (ret) {
		json_object_put(price);
		return ret;
	}
	ret = collector_open(&c, &co, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "prtop record: %s\n", err);
		json_object_put(price);
		return 1;
	}
	r.after_ns = (uint64_t)(after * 1e9);
	prtop_signals_init();
	ret = run(c, &r, argv + optind, interval, price);
	collector_close(c);
	if (ret > 0) /* the command could not be started: its status, no file */
		return ret;
	if (!r.out)
		return 1;
	if (fclose(r.out) || r.write_err) {
		fprintf(stderr, "prtop record: writing %s failed\n", r.path);
		return 1;
	}
	if (ret)
		return 1;
	ret = WIFSIGNALED(r.status) ? 128 + WTERMSIG(r.status) : WEXITSTATUS(r.status);
	return report_file(r.path, stdout) ? 1 : ret;
}
