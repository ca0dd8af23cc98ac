// SPDX-License-Identifier: GPL-2.0
/*
 * `prtop host [export]`: the hypervisor's half.  Parses its own options
 * (like record and bench), then runs the host collector on the sampler
 * (host_sampler.c) and hands each pair of samples to a presentation: the
 * live view (host_tui.c, on the guest's engine), plain-text frames, JSON
 * Lines, or the exporter.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cmd.h"
#include "export.h"
#include "format.h"
#include "history.h"
#include "hostmon.h"
#include "metrics.h"
#include "sampler.h"
#include "ui.h"

const char *const host_help =
    "Usage: prtop host [interval [count]] [-d SECS] [-n N] [-b] [-j] [-T] [-p PID]...\n"
    "                  [--history N] [--json-log FILE] [--no-refaults] [-v]\n"
    "       prtop host export [-l ADDR:PORT] [-d SECS] [--top N] [-p PID]...\n"
    "                         [--no-refaults] [-v]\n"
    "\n"
    "The hypervisor's half of free page reporting: per VM, the guest memory its\n"
    "VMM gives back to the host kernel (madvise DONTNEED/REMOVE/FREE, fallocate\n"
    "punch hole), by method and size (2 MiB and 4 MiB discards are order 9 and\n"
    "10 reports), the discarded memory faulted back in and how long after, and\n"
    "the VMM's RSS.  VMMs are found by name (qemu-system-*, qemu-kvm,\n"
    "firecracker, cloud-hypervisor, crosvm) or given with --pid; other\n"
    "processes only meet a filter in BPF.  Counters start when prtop starts\n"
    "watching a VM; the window columns cover the last interval.\n"
    "\n"
    "  interval, -d, --interval SECS  sampling interval (default 1; 0.2 to 3600)\n"
    "  count, -n, --iterations N      samples to show, then exit\n"
    "  -b, --batch       plain-text frames, no escape codes\n"
    "  -j, --json        one JSON object per sample (JSON Lines): vms[] with pid,\n"
    "                    name, discarded_bytes, discard_calls, refaulted_bytes,\n"
    "                    rss_bytes (cumulative) and window{} (the last interval);\n"
    "                    a figure prtop cannot observe is null\n"
    "  -T, --timestamp   wall-clock time on every frame\n"
    "  -p, --pid PID     watch this process (repeatable); no discovery by name\n"
    "      --history N   keep N samples of each VM's discard and refault MiB/s\n"
    "                    (the live view's strips; default 300) and add them to\n"
    "                    -j frames as history\n"
    "      --json-log FILE  the live view also appends each frame to FILE as a\n"
    "                    -j line\n"
    "      --no-refaults do not look for refaults (no scan, no fault probe):\n"
    "                    refaulted bytes are then unknown\n"
    "  -v, --verbose     libbpf diagnostics on stderr\n"
    "\n"
    "export serves the same per VM at /metrics with labels vm (name) and pid:\n"
    "  -l, --listen ADDR:PORT  (default 127.0.0.1:9465)\n"
    "      --top N             VMs with series of their own (default 20, 1..256);\n"
    "                          the rest are summed as vm=\"other\"\n"
    "\n"
    "Refaults: at each sample the PAGEMAP_SCAN ioctl (Linux 6.7+) on the VMM's\n"
    "/proc/PID/pagemap says which discarded pages are back; no page fault of\n"
    "any process is traced, and ages are known to the sampling interval.\n"
    "Without it, or with PRTOP_HOST_REFAULTS=faults, a user page fault (TCG,\n"
    "any userspace VMM) or a KVM page fault into a discarded range makes prtop\n"
    "read pagemap then.  'prtop doctor --host' shows every probe and why one\n"
    "is missing.\n"
    "\n"
    "Keys: q quit, p pause, h help, + and - change the interval, < and > sort\n"
    "by the column to the left or right, I sort the other way round.\n"
    "\n"
    "Exit status: 0 done; 1 not root, nothing to observe, or a --pid gone at\n"
    "start; 2 bad input.\n";

#define HOST_EXPORT_LISTEN "127.0.0.1:9465"

struct host_args {
	struct host_opts ho;
	double interval_s;
	long count;
	bool batch, json, timestamp, export, help;
	const char *listen, *json_log;
	int top, history;
};

static int usage(const char *fmt, const char *what)
{
	return usage_fail("host", fmt, what);
}

static int add_pid(struct host_args *a, const char *s)
{
	double v;

	if (parse_number(s, 1, 4194304, &v) || v != (long)v)
		return usage("invalid pid '%s': give a process id", s);
	if (a->ho.npids >= HOST_MAX_PIDS)
		return usage("%s", "too many --pid (at most 64)");
	a->ho.pids[a->ho.npids++] = (pid_t)v;
	return 0;
}

static int parse(int argc, char **argv, struct host_args *a)
{
	static const struct option lo[] = {
	    {"interval", required_argument, NULL, 'd'},
	    {"iterations", required_argument, NULL, 'n'},
	    {"batch", no_argument, NULL, 'b'},
	    {"json", no_argument, NULL, 'j'},
	    {"timestamp", no_argument, NULL, 'T'},
	    {"pid", required_argument, NULL, 'p'},
	    {"listen", required_argument, NULL, 'l'},
	    {"top", required_argument, NULL, 't'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {"no-refaults", no_argument, NULL, 'R'},
	    {"history", required_argument, NULL, 'H'},
	    {"json-log", required_argument, NULL, 'J'},
	    {0},
	};
	bool d_seen = false;
	double v;
	int o, pos = 0;

	optind = 1;
	opterr = 0;
	if (argc > 1 && !strcmp(argv[1], "export")) {
		a->export = true;
		optind = 2;
	}
	while ((o = getopt_long(argc, argv, ":d:n:bjTp:l:vh", lo, NULL)) != -1) {
		switch (o) {
		case 'd':
			if (parse_interval("host", optarg, &a->interval_s))
				return 2;
			d_seen = true;
			break;
		case 'n':
			if (parse_number(optarg, 1, 1e12, &v) || v != (long)v)
				return usage("invalid count '%s': give a whole number >= 1",
					     optarg);
			a->count = (long)v;
			break;
		case 'b':
			a->batch = true;
			break;
		case 'j':
			a->json = a->batch = true;
			break;
		case 'T':
			a->timestamp = true;
			break;
		case 'p':
			if (add_pid(a, optarg))
				return 2;
			break;
		case 'l':
			a->listen = optarg;
			break;
		case 't':
			if (parse_number(optarg, 1, HOST_MAX_VMS, &v) || v != (int)v)
				return usage(
				    "invalid --top '%s': give a whole number from 1 to 256",
				    optarg);
			a->top = (int)v;
			break;
		case 'v':
			a->ho.verbose = true;
			break;
		case 'R':
			a->ho.no_refaults = true;
			break;
		case 'H':
			if (parse_number(optarg, 1, HIST_MAX_SLOTS, &v) || v != (int)v)
				return usage("invalid --history '%s': give a whole number from 1 "
					     "to 86400",
					     optarg);
			a->history = (int)v;
			break;
		case 'J':
			a->json_log = optarg;
			break;
		case 'h':
			a->help = true;
			return 0;
		case ':':
			return usage("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage("invalid option '%s'", argv[optind - 1]);
		}
	}
	if (a->export && (a->batch || a->timestamp || a->count))
		return usage("%s", "-b, -j, -T and -n do not apply to 'prtop host export'");
	if (!a->export && (a->listen || a->top))
		return usage("%s", "--listen and --top apply to 'prtop host export' only");
	if (a->export && (a->history || a->json_log))
		return usage("%s", "--history and --json-log do not apply to 'prtop host export'");
	if (a->batch && a->json_log)
		return usage("%s", "--json-log is the live view's: -b -j alone writes JSON Lines");
	if (a->batch && a->history && !a->json)
		return usage("%s", "--history is drawn in the live view and written in -j frames, "
				   "not in -b text: add -j");
	for (; optind < argc; optind++, pos++) {
		const char *s = argv[optind];

		if (pos >= (a->export ? 1 : 2))
			return usage("unexpected argument '%s'", s);
		if (pos == 0) {
			if (d_seen)
				return usage("%s", "the interval is given twice (-d and SECS)");
			if (parse_interval("host", s, &a->interval_s))
				return 2;
		} else {
			if (a->count)
				return usage("%s", "the count is given twice (-n and COUNT)");
			if (parse_number(s, 1, 1e12, &v) || v != (long)v)
				return usage("invalid count '%s': give a whole number >= 1", s);
			a->count = (long)v;
		}
	}
	return 0;
}

/* ---- batch ---- */

static const struct host_snap *hcur(const struct sampler *s)
{
	return s->vcur;
}

static const struct host_snap *hprev(const struct sampler *s)
{
	return s->have_prev ? s->vprev : NULL;
}

static int run_batch(struct sampler *s, const struct host_args *a)
{
	int ret = 0;

	while (sampler_next(s)) {
		if (a->json) {
			struct json_object *o = host_json_frame(s);

			fprintf(stdout, "%s\n",
				json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
		} else {
			host_text_frame(stdout, hcur(s), hprev(s), a->timestamp);
			fputc('\n', stdout);
		}
		if ((ret = output_status(stdout)) || ferror(stdout))
			break;
	}
	return ret;
}

/* ---- export ---- */

struct host_published {
	struct host_snap snap;
	struct host_sel sel;
};

static int hx_render(struct mbuf *b, const void *data, const struct metrics_opts *mo)
{
	const struct host_published *p = data;

	return host_metrics_render(b, &p->snap, &p->sel, mo);
}

static bool hx_healthy(const void *data, struct mbuf *b)
{
	const struct host_published *p = data;

	if (!p->snap.probe[HP_MADVISE].attached && !p->snap.probe[HP_FALLOCATE].attached) {
		mbuf_printf(b, "unhealthy: no discard probe attached (see prtop doctor --host)\n");
		return false;
	}
	mbuf_printf(b, "ok: %d VMs watched\n", p->snap.nvms);
	return true;
}

static uint64_t hx_mono(const void *data)
{
	return ((const struct host_published *)data)->snap.mono_ns;
}

static const struct export_src host_src = {
    .title = "prtop host exporter",
    .what = "Guest memory VMMs give back to this host and take back",
    .render = hx_render,
    .healthy = hx_healthy,
    .mono_ns = hx_mono,
};

static struct host_published *published(const struct sampler *s, struct host_sel *sel)
{
	struct host_published *p = malloc(sizeof(*p));

	if (p) {
		host_select(sel, hcur(s));
		p->snap = *hcur(s);
		p->sel = *sel;
	}
	return p;
}

static int publish(struct exporter *e, const struct sampler *s, struct host_sel *sel)
{
	struct host_published *p = published(s, sel);

	return p ? export_publish(e, p) : -ENOMEM;
}

static int run_export(struct sampler *s, const struct host_args *a, int fd, const char *spec)
{
	struct host_sel *sel = calloc(1, sizeof(*sel));
	struct exporter *e;
	int ret = 1;

	if (!sel) {
		close(fd);
		return 1;
	}
	sel->top = a->top ? a->top : HOST_TOP_DEFAULT;
	e = export_start(fd, &host_src, a->interval_s, PRTOP_VERSION, a->ho.verbose,
			 published(s, sel));
	if (!e) {
		fprintf(stderr, "prtop: cannot start the HTTP server on %s\n", spec);
		close(fd);
		free(sel);
		return 1;
	}
	fprintf(stderr, "prtop: serving http://%s/metrics, sampling every %g s\n", spec,
		a->interval_s);
	while (sampler_next(s))
		if (publish(e, s, sel))
			goto oom;
	ret = 0;
	goto out;
oom:
	fprintf(stderr, "prtop: out of memory\n");
out:
	export_stop(e);
	free(sel);
	return ret;
}

/* a --pid that is no VMM prtop knows is watched, but the user is told */
static void warn_unknown_vmms(const struct host_snap *s)
{
	char t[256];
	int i;

	for (i = 0; i < s->nvms; i++) {
		if (s->vm[i].known_vmm)
			continue;
		snprintf(t, sizeof(t),
			 "pid %d (%s) is not a VMM prtop knows (" HOST_VMM_NAMES
			 "): its discards are counted, but its guest RAM may be told wrongly",
			 s->vm[i].pid, s->vm[i].comm);
		fmt_print_wrapped(stderr, "prtop host: warning: ", t);
	}
}

int host_main(int argc, char **argv)
{
	struct host_args a = {.interval_s = 1};
	struct sampler smp = {0};
	struct sampler_opts so = {0};
	struct host *h = NULL;
	char err[512] = "";
	int ret, fd = -1;

	ret = parse(argc, argv, &a);
	if (ret)
		return ret;
	a.ho.refaults = getenv("PRTOP_HOST_REFAULTS");
	if (a.help) {
		fputs(host_help, stdout);
		return output_status(stdout);
	}
	if (!a.export && !a.batch && !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "prtop: standard output is not a terminal: use -b for plain-text "
				"batch mode\n");
		return 2;
	}
	const char *spec = a.listen ? a.listen : HOST_EXPORT_LISTEN;

	if (a.export) {
		/* listen before attaching: a taken port fails fast, with nothing loaded */
		fd = export_listen(spec, err, sizeof(err));
		if (fd < 0) {
			fprintf(stderr, "prtop: %s\n", err);
			return fd == -2 ? 2 : 1;
		}
	}
	prtop_signals_init();
	if (host_open(&h, &a.ho, err, sizeof(err)) || host_drop_caps(h, err, sizeof(err))) {
		fprintf(stderr, "prtop: %s\n", err);
		ret = 1;
		goto out;
	}
	if (a.ho.verbose || a.export)
		fprintf(stderr, "prtop: capabilities kept after attaching: %s\n", err);
	if (!a.export && !a.batch) {
		struct host_tui_opts to = {
		    .interval_s = a.interval_s,
		    .count = a.count,
		    .history = a.history,
		    .timestamps = a.timestamp,
		    .json_log = a.json_log,
		    .on_base = warn_unknown_vmms,
		};

		ret = host_tui_run(h, &to);
		goto out;
	}
	so.interval_s = a.interval_s;
	so.count = a.export ? 0 : a.count;
	so.history = a.history;
	if (host_sampler_init(&smp, h, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		ret = 1;
		goto out;
	}
	warn_unknown_vmms(hcur(&smp));
	if (a.export) {
		ret = run_export(&smp, &a, fd, spec);
		fd = -1;
		goto out;
	}
	ret = run_batch(&smp, &a);
out:
	if (fd >= 0)
		close(fd);
	sampler_free(&smp);
	host_close(h);
	return ret;
}
