// SPDX-License-Identifier: GPL-2.0
/*
 * prtop: see and tune Linux free page reporting.
 * One binary, subcommands in a table like bpftool's: each command declares
 * the options it takes, so an option that does not apply is a usage error
 * and never silently ignored.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "collector.h"
#include "export.h"
#include "format.h"
#include "history.h"
#include "knob.h"
#include "sampler.h"
#include "ui.h"

#ifndef PRTOP_SOURCE /* the Makefile defines it */
#define PRTOP_SOURCE "unknown"
#endif

/* the options a command may declare */
enum opt_bit {
	O_INTERVAL = 1 << 0,  /* -d SECS, or the first positional */
	O_COUNT = 1 << 1,     /* -n N, or the second positional */
	O_BATCH = 1 << 2,     /* -b */
	O_JSON = 1 << 3,      /* -j */
	O_LISTEN = 1 << 4,    /* -l ADDR:PORT */
	O_REUSE = 1 << 5,     /* --reuse-exact, --no-reuse */
	O_TIMESTAMP = 1 << 6, /* -T */
	O_HOST = 1 << 7,      /* doctor --host */
	O_HISTORY = 1 << 8,   /* --history N, --json-log FILE (the live view) */
	O_COLLECT = O_REUSE,  /* what every attaching command takes besides -v */
};

struct cmd {
	const char *name;
	int (*fn)(struct args *a);
	unsigned int opts;
	int positional; /* how many of [interval [count]] */
	const char *summary;
	const char *const *help; /* the help text (a pointer: some live in their command's file) */
};

static const char *const live_help =
    "Usage: prtop [interval [count]] [-d SECS] [-n N] [-b] [-j] [-T]\n"
    "             [--history N] [--json-log FILE] [--reuse-exact | --no-reuse] [-v]\n"
    "\n"
    "Watch Linux free page reporting live: batches and bytes handed to the\n"
    "balloon device, worker runs and delays, per-order free and reported\n"
    "memory, and reuse of reported memory.  A figure prtop cannot observe on\n"
    "this kernel reads n/a (JSON null); 'prtop doctor' says why.\n"
    "\n"
    "  interval, -d, --interval SECS  refresh interval (default 1; 0.2 to 3600)\n"
    "  count, -n, --iterations N      frames to show, then exit (default: until q)\n"
    "  -b, --batch           plain-text frames, no escape codes (for logs)\n"
    "  -j, --json            one JSON object per sample (JSON Lines); implies -b\n"
    "  -T, --timestamp       wall-clock time on every frame\n"
    "      --history N       keep N samples of history (the live view's strips;\n"
    "                        default 300) and add them to -j frames as history\n"
    "      --json-log FILE   the live view also appends each frame to FILE as\n"
    "                        a -j line\n"
    "      --reuse-exact     count reuse of reported memory exactly, with a\n"
    "                        hook on every page allocation (costs throughput)\n"
    "      --no-reuse        do not track reuse of reported memory\n"
    "  -v, --verbose         libbpf diagnostics on stderr\n"
    "\n"
    "Keys: q quit, p pause, h help, + and - change the interval.\n";

static const char *const stat_help =
    "Usage: prtop stat [interval] [-d SECS] [-j] [-T] [--reuse-exact|--no-reuse] [-v]\n"
    "\n"
    "Attach, collect for SECS seconds (default 1), print one report of what\n"
    "happened in that window and exit.  With --json the report is one JSON\n"
    "document: kernel, device, attach (probe -> mode or why not), totals,\n"
    "batch_nents_hist, latencies in ns (count, sum, min, max exact;\n"
    "p50/p90/p99 bucket estimates within min..max), per_order, knobs, params,\n"
    "reuse and drops; a figure without a source is null.  SIGINT or SIGTERM\n"
    "ends the window early; the report then covers the time until the signal\n"
    "(window_s).\n";

static const char *const doctor_help =
    "Usage: prtop doctor [-d SECS] [-j] [--host] [-v]\n"
    "\n"
    "Attach as prtop would, then print every attach layer (bundled patch\n"
    "tracepoints, fentry/fexit, kprobes, stock tracepoints) and every probe:\n"
    "how it is attached on this kernel, or why it is not and what to do.\n"
    "Then, why memory may not be returned: reportable free memory against\n"
    "page_reporting_order (fragmentation), no device, failing batches, memory\n"
    "freed but not yet past the delay, each seen over a window of SECS\n"
    "seconds (default 3: longer than the 2 s request delay).\n"
    "\n"
    "  --host   the host side instead: the probes of 'prtop host' and the VMM\n"
    "           processes found, and VMs that discard nothing\n";

static const char *const export_help =
    "Usage: prtop export [interval] [-l ADDR:PORT] [-d SECS]\n"
    "                    [--reuse-exact|--no-reuse] [-v]\n"
    "\n"
    "Attach, sample every SECS seconds (default 1) and serve the latest\n"
    "sample to Prometheus until SIGINT or SIGTERM:\n"
    "  /metrics   text exposition format 0.0.4, or OpenMetrics 1.0.0 when the\n"
    "             Accept header asks for application/openmetrics-text; a\n"
    "             family whose probe is not attached is absent, and\n"
    "             prtop_probe_attached{probe=...} 0 says so\n"
    "  /healthz   200 while probes are attached and samples keep coming, else 503\n"
    "  /          a short page linking the two\n"
    "\n"
    "  -l, --listen ADDR:PORT  address to serve on (default " EXPORT_DEFAULT_LISTEN ",\n"
    "                          this machine only; 0.0.0.0:9464 or [::]:9464 for\n"
    "                          every interface)\n"
    "  -d, --interval SECS     sampling interval (default 1; 0.2 to 3600)\n"
    "\n"
    "Exit status: 0 after a signal; 1 if nothing can be observed or the\n"
    "address cannot be used (in use: another port); 2 for bad input.\n";

static const char *const knob_help =
    "Usage: prtop knob [-j]                  list every knob\n"
    "       prtop knob [-j] NAME...          print their values\n"
    "       prtop knob [--dry-run] [--persist] NAME=VALUE...\n"
    "\n"
    "The page reporting knobs: capacity (entries per report), delay_ms (request\n"
    "-> run delay), order (lowest order reported), then the other files in\n"
    "/sys/module/page_reporting/parameters and the bundled patch's debugfs\n"
    "counters.  The list shows value, unit, range and source: patch sysctl,\n"
    "upstream module parameter, vendor parameter, or read-only.  Without the\n"
    "bundled kernel patch (patches/) capacity and delay_ms are compile-time\n"
    "constants; order can be set on any kernel with page reporting.  NAME may\n"
    "be spelled as prtop prints it anywhere: order, page_reporting_order,\n"
    "vm.page_reporting_order, page_reporting.page_reporting_order.\n"
    "\n"
    "Setting checks every NAME=VALUE first and writes all of them or none\n"
    "(if the kernel still refuses one, those written are restored); it prints\n"
    "'NAME: OLD -> NEW' for each.  Needs root.\n"
    "\n"
    "  -j, --json      machine-readable list (value, unit, range, min, max,\n"
    "                  source, kind, path, writable, needs_patch)\n"
    "      --dry-run   check and print, write nothing\n"
    "      --persist   also keep the values across reboots: sysctls in\n"
    "                  /etc/sysctl.d/90-prtop.conf, module parameters in\n"
    "                  /etc/tmpfiles.d/90-prtop.conf (built-in page_reporting)\n"
    "                  or /etc/modprobe.d/90-prtop.conf (a loadable module)\n"
    "\n"
    "Exit status: 0 done; 1 not root, or a write or persist failed (nothing\n"
    "changed unless it says so); 2 unknown knob, bad value, read-only, or a\n"
    "knob that needs the bundled patch (nothing written).\n";

static const char *const help_help = "Usage: prtop help [COMMAND]\n"
				     "\n"
				     "Help for prtop or one of its commands.\n";

static int cmd_live(struct args *a);
static int cmd_stat(struct args *a);
static int cmd_doctor(struct args *a);
/* doctor's default window: long enough for a request to reach the worker (2 s) */
#define DOCTOR_WINDOW_S 3.0
static int cmd_export(struct args *a);

static const struct cmd cmds[] = {
    {"", cmd_live, O_INTERVAL | O_COUNT | O_BATCH | O_JSON | O_TIMESTAMP | O_HISTORY | O_COLLECT, 2,
     "live view (the default; -b plain text, -j JSON Lines)", &live_help},
    {"stat", cmd_stat, O_INTERVAL | O_JSON | O_TIMESTAMP | O_COLLECT, 1,
     "attach, wait SECS, print one report and exit", &stat_help},
    {"doctor", cmd_doctor, O_INTERVAL | O_JSON | O_HOST, 0, "how each probe attached on this kernel, or why not",
     &doctor_help},
    {"export", cmd_export, O_INTERVAL | O_LISTEN | O_COLLECT, 1,
     "serve Prometheus metrics over HTTP (/metrics)", &export_help},
    {"knob", NULL, 0, 0, "list, read or set the page reporting knobs", &knob_help},
    {"record", NULL, 0, 0, "run a command and record reporting and its throughput", &record_help},
    {"report", NULL, 0, 0, "re-render a record file (text, JSON, SVG)", &report_help},
    {"bench", NULL, 0, 0, "A/B throughput with reporting off/on/settings; refault price",
     &bench_help},
    {"host", NULL, 0, 0, "per VM on a host: memory discarded, refaulted, RSS (and export)",
     &host_help},
    {"help", NULL, 0, 0, "help for a command", &help_help},
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

static void print_overview(FILE *out)
{
	size_t i;

	fputs(live_help, out);
	fputs("\nCommands:\n", out);
	for (i = 1; i < NCMDS; i++)
		fprintf(out, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fputs("\nEvery command: -h/--help; prtop --version prints the version.\n"
	      "'prtop help COMMAND' for the rest.\n",
	      out);
}

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < NCMDS; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static int usage_error(const char *cmd, const char *fmt, const char *what)
{
	return usage_fail(cmd, fmt, what);
}

static int parse_count(const char *s, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1)
		return -1;
	*out = v;
	return 0;
}

/* the option's bit, and how the user spelled it (for "does not apply") */
struct seen {
	unsigned int bits;
	const char *spelling[16];
};

static void saw(struct seen *s, enum opt_bit b, const char *spelling)
{
	int i = __builtin_ctz(b);

	s->bits |= b;
	if (!s->spelling[i])
		s->spelling[i] = spelling;
}

static int set_interval(const struct cmd *c, struct args *a, const char *v)
{
	return parse_interval(c->name, v, &a->ui.interval_s);
}

static int set_count(const struct cmd *c, struct args *a, const char *v)
{
	if (parse_count(v, &a->ui.iterations))
		return usage_error(c->name, "invalid count '%s': give a whole number >= 1", v);
	return 0;
}

/* [interval [count]] after the options, as vmstat and the libbpf-tools take them */
static int parse_positional(const struct cmd *c, struct args *a, int argc, char **argv,
			    struct seen *seen)
{
	int n = argc - optind;

	if (n > c->positional)
		return usage_error(c->name, "unexpected argument '%s'",
				   argv[optind + c->positional]);
	if (n >= 1) {
		if (seen->bits & O_INTERVAL)
			return usage_error(c->name, "%s",
					   "the interval is given twice (-d and SECS)");
		if (set_interval(c, a, argv[optind]))
			return 2;
	}
	if (n >= 2) {
		if (seen->bits & O_COUNT)
			return usage_error(c->name, "%s",
					   "the count is given twice (-n and COUNT)");
		if (set_count(c, a, argv[optind + 1]))
			return 2;
	}
	return 0;
}

/* every option given must be one the command declares */
static int check_applies(const struct cmd *c, const struct seen *seen)
{
	char msg[160];
	int i;

	for (i = 0; i < 16; i++) {
		if (!(seen->bits & (1u << i)) || (c->opts & (1u << i)))
			continue;
		snprintf(msg, sizeof(msg), "option '%s' does not apply to 'prtop%s%s'",
			 seen->spelling[i], *c->name ? " " : "", c->name);
		return usage_error(c->name, "%s", msg);
	}
	return 0;
}

static int parse_args(const struct cmd *c, int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
	    {"interval", required_argument, NULL, 'd'},
	    {"batch", no_argument, NULL, 'b'},
	    {"iterations", required_argument, NULL, 'n'},
	    {"json", no_argument, NULL, 'j'},
	    {"listen", required_argument, NULL, 'l'},
	    {"timestamp", no_argument, NULL, 'T'},
	    {"reuse-exact", no_argument, NULL, 'E'},
	    {"no-reuse", no_argument, NULL, 'R'},
	    {"host", no_argument, NULL, 'H'},
	    {"history", required_argument, NULL, 'Y'},
	    {"json-log", required_argument, NULL, 'L'},
	    {"verbose", no_argument, NULL, 'v'},
	    {"version", no_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct seen seen = {0};
	int o, ret;
	long n;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":d:bn:jl:TvVh", longopts, NULL)) != -1) {
		/* "-n 3": optarg is the word after the option's */
		const char *spelling = optarg && optind >= 2 && argv[optind - 1] == optarg
					   ? argv[optind - 2]
					   : argv[optind - 1];

		switch (o) {
		case 'd':
			saw(&seen, O_INTERVAL, spelling);
			if (set_interval(c, a, optarg))
				return 2;
			break;
		case 'n':
			saw(&seen, O_COUNT, spelling);
			if (set_count(c, a, optarg))
				return 2;
			break;
		case 'b':
			saw(&seen, O_BATCH, spelling);
			a->batch = true;
			break;
		case 'j':
			saw(&seen, O_JSON, spelling);
			a->json = true;
			break;
		case 'l':
			saw(&seen, O_LISTEN, spelling);
			a->listen = optarg;
			break;
		case 'T':
			saw(&seen, O_TIMESTAMP, spelling);
			a->ui.timestamps = true;
			break;
		case 'E':
			saw(&seen, O_REUSE, spelling);
			a->copts.reuse_exact = true;
			break;
		case 'R':
			saw(&seen, O_REUSE, spelling);
			a->copts.no_reuse = true;
			break;
		case 'H':
			saw(&seen, O_HOST, spelling);
			a->host = true;
			break;
		case 'Y':
			saw(&seen, O_HISTORY, spelling);
			if (parse_count(optarg, &n) || n > HIST_MAX_SLOTS)
				return usage_error(c->name,
						   "invalid history '%s': give samples from 1 "
						   "to 86400",
						   optarg);
			a->ui.history = (int)n;
			break;
		case 'L':
			saw(&seen, O_HISTORY, spelling);
			a->ui.json_log = optarg;
			break;
		case 'v':
			a->copts.verbose = true;
			break;
		case 'V':
			a->version = true;
			break;
		case 'h':
			a->help = true;
			break;
		case ':':
			return usage_error(c->name, "option '%s' needs a value", spelling);
		default:
			return usage_error(c->name, "invalid option '%s'", spelling);
		}
	}
	if (a->help || a->version)
		return 0;
	ret = check_applies(c, &seen);
	if (!ret)
		ret = parse_positional(c, a, argc, argv, &seen);
	if (!ret && a->copts.reuse_exact && a->copts.no_reuse)
		ret = usage_error(c->name, "%s", "--reuse-exact and --no-reuse exclude each other");
	return ret;
}

/* open and attach; drop: then drop the capabilities no longer needed */
static int open_collector(struct args *a, struct collector **c, bool drop)
{
	char err[512] = "";
	int ret = collector_open(c, &a->copts, err, sizeof(err));

	if (ret) {
		fprintf(stderr, "prtop: %s\n", err);
		return ret;
	}
	if (!drop)
		return 0;
	if (collector_drop_caps(*c, err, sizeof(err))) {
		fprintf(stderr, "prtop: %s\n", err);
		collector_close(*c);
		return -1;
	}
	if (a->copts.verbose)
		fprintf(stderr, "prtop: capabilities kept after attaching: %s\n", err);
	return 0;
}

static int cmd_stat(struct args *a)
{
	/* SIGINT/SIGTERM end the window early; the report still comes */
	struct sampler_opts so = {
	    .interval_s = a->ui.interval_s, .count = 1, .final_on_stop = true};
	struct collector *c;
	struct sampler smp;
	int ret = 0;

	if (open_collector(a, &c, true))
		return 1;
	if (sampler_init(&smp, c, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		collector_close(c);
		return 1;
	}
	if (sampler_next(&smp)) {
		if (a->json)
			json_print(stdout, smp.cur, smp.prev, a->ui.timestamps ? JSON_TIME : 0);
		else
			text_frame(stdout, smp.cur, smp.prev, &a->ui);
	}
	ret = output_status(stdout);
	sampler_free(&smp);
	collector_close(c);
	return ret;
}

static int cmd_doctor(struct args *a)
{
	struct sampler_opts so = {.count = 1, .final_on_stop = true};
	struct collector *c;
	struct sampler smp;
	int ret;

	if (a->host)
		return host_doctor(a->json, a->copts.verbose);
	a->copts.test_layers = true;
	if (open_collector(a, &c, false))
		return 1;
	so.interval_s = a->ui.interval_s;
	if (sampler_init(&smp, c, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		collector_close(c);
		return 1;
	}
	if (sampler_next(&smp)) {
		if (a->json)
			doctor_json(stdout, smp.cur, smp.prev);
		else
			doctor_print(stdout, smp.cur, smp.prev);
	}
	ret = output_status(stdout);
	sampler_free(&smp);
	collector_close(c);
	return ret;
}

static int cmd_live(struct args *a)
{
	struct collector *c;
	int ret;

	if (a->json)
		a->batch = true; /* JSON Lines are a stream, not a screen */
	if (a->batch && a->ui.json_log)
		return usage_fail("",
				  "--json-log is the live view's: -b -j alone writes JSON Lines");
	if (a->batch && a->ui.history && !a->json)
		return usage_fail("", "--history is drawn in the live view and written in -j "
				      "frames, not in -b text: add -j");
	if (!a->batch && !isatty(STDOUT_FILENO)) {
		fprintf(
		    stderr,
		    "prtop: standard output is not a terminal: use -b for plain-text batch mode\n");
		return 2;
	}
	if (open_collector(a, &c, true))
		return 1;
	ret = a->batch ? batch_run(c, &a->ui, a->json, stdout) : tui_run(c, &a->ui);
	collector_close(c);
	return ret;
}

static int cmd_export(struct args *a)
{
#ifdef PRTOP_NO_EXPORT
	fprintf(stderr, "prtop: this build has no exporter (static builds leave out "
			"libmicrohttpd): use the dynamically linked prtop\n");
	return 2;
#else
	struct export_opts eo = {
	    .listen = a->listen,
	    .interval_s = a->ui.interval_s,
	    .version = PRTOP_VERSION,
	    .verbose = a->copts.verbose,
	};

	return export_run(&eo, &a->copts);
#endif
}

static int cmd_help(int argc, char **argv)
{
	const struct cmd *c;

	if (argc > 2)
		return usage_error("help", "unexpected argument '%s'", argv[2]);
	if (argc < 2) {
		print_overview(stdout);
		return output_status(stdout);
	}
	c = find_cmd(argv[1]);
	if (!c || !*argv[1])
		return usage_error("", "no help for '%s': not a prtop command", argv[1]);
	fputs(*c->help, stdout);
	return output_status(stdout);
}

/*
 * LC_CTYPE only (numbers keep their "." whatever LANG says): UTF-8 output
 * (—, µs, →) only where the locale's charset is UTF-8, ASCII elsewhere.
 */
static void init_locale(void)
{
	const char *cs;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	fmt_set_ascii(!cs || strcmp(cs, "UTF-8"));
}

int main(int argc, char **argv)
{
	struct args a = {.ui = {.interval_s = 1.0}};
	const struct cmd *c = &cmds[0];
	int ret;

	init_locale();
	if (argc > 1 && (isdigit((unsigned char)argv[1][0]) || argv[1][0] == '.')) {
		/* prtop 2 5: the live view's [interval [count]] */
	} else if (argc > 1 && argv[1][0] != '-') {
		c = find_cmd(argv[1]);
		if (!c)
			return usage_error("",
					   "unknown command '%s' (commands: stat, doctor, "
					   "export, knob, record, report, bench, host, help)",
					   argv[1]);
		if (!strcmp(c->name, "help"))
			return cmd_help(argc - 1, argv + 1);
		if (!strcmp(c->name, "knob"))
			return knob_main(argc - 1, argv + 1, knob_help);
		if (!strcmp(c->name, "record"))
			return record_main(argc - 1, argv + 1);
		if (!strcmp(c->name, "report"))
			return report_main(argc - 1, argv + 1);
		if (!strcmp(c->name, "bench"))
			return bench_main(argc - 1, argv + 1);
		if (!strcmp(c->name, "host"))
			return host_main(argc - 1, argv + 1);
		argc--;
		argv++;
	}
	if (c->fn == cmd_doctor)
		a.ui.interval_s = DOCTOR_WINDOW_S;
	ret = parse_args(c, argc, argv, &a);
	if (ret)
		return ret;
	if (a.version) {
		/* the second line names the source: git describe, or debian/changelog's */
		printf("prtop %s\nsource: %s\n", PRTOP_VERSION, PRTOP_SOURCE);
		return output_status(stdout);
	}
	if (a.help) {
		if (*c->name)
			fputs(*c->help, stdout);
		else
			print_overview(stdout);
		return output_status(stdout);
	}
	prtop_signals_init();
	return c->fn(&a);
}
