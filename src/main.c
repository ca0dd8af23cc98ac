// SPDX-License-Identifier: GPL-2.0
/*
 * prtop: see and tune Linux free page reporting.
 * One binary, subcommands like bpftool/perf: live view (default), stat, doctor,
 * export.
 */
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collector.h"
#include "export.h"
#include "format.h"
#include "knob.h"
#include "sampler.h"
#include "ui.h"

#define PRTOP_VERSION "0.1.0"

struct args {
	struct collector_opts copts;
	struct ui_opts ui;
	bool batch;
	bool json;
	bool help;
	const char *listen; /* export --listen */
};

static const char *live_help =
    "Usage: prtop [OPTIONS]\n"
    "       prtop stat [--json] [-d SECS] [OPTIONS]\n"
    "       prtop doctor [OPTIONS]\n"
    "       prtop export [--listen ADDR:PORT] [-d SECS] [OPTIONS]\n"
    "       prtop knob [--json] [NAME | [--dry-run] [--persist] NAME=VALUE...]\n"
    "\n"
    "Watch Linux free page reporting live: batches and bytes handed to the\n"
    "balloon device, worker runs and delays, per-order free and reported\n"
    "memory, and reuse of reported memory.\n"
    "\n"
    "Commands:\n"
    "  (none)        live ncurses view (q quit, p pause, h help, +/- interval)\n"
    "  stat          attach, wait SECS, print one report and exit\n"
    "  doctor        show how each probe attached on this kernel, or why not\n"
    "  export        serve Prometheus metrics over HTTP (/metrics)\n"
    "  knob          list, read or set the page reporting knobs\n"
    "  help CMD      help for a command\n"
    "\n"
    "Options:\n"
    "  -d, --interval SECS   refresh interval (default 1; 0.2 to 3600)\n"
    "  -b, --batch           plain-text frames, no escape codes (for logs)\n"
    "  -n, --iterations N    frames to show, then exit (default: until q)\n"
    "      --reuse-exact     count reuse of reported memory exactly, with a\n"
    "                        hook on every page allocation (costs throughput)\n"
    "      --no-reuse        do not track reuse of reported memory\n"
    "  -v, --verbose         libbpf diagnostics on stderr\n"
    "  -V, --version         print the version\n"
    "  -h, --help            this help\n";

static const char *stat_help =
    "Usage: prtop stat [--json] [-d SECS] [--reuse-exact|--no-reuse] [-v]\n"
    "\n"
    "Attach, collect for SECS seconds (default 1), print one report of what\n"
    "happened in that window and exit.  With --json the report is one JSON\n"
    "document: kernel, device, attach (probe -> mode or why not), totals,\n"
    "batch_nents_hist, latency percentiles in ns, per_order, knobs, params,\n"
    "reuse and drops.  SIGINT or SIGTERM ends the window early; the report\n"
    "then covers the time until the signal (window_s).\n";

static const char *doctor_help =
    "Usage: prtop doctor [-v]\n"
    "\n"
    "Attach as prtop would, then print every attach layer (bundled patch\n"
    "tracepoints, fentry/fexit, kprobes, stock tracepoints) and every probe:\n"
    "how it is attached on this kernel, or why it is not and what to do.\n";

static const char *export_help =
    "Usage: prtop export [--listen ADDR:PORT] [-d SECS] [--reuse-exact|--no-reuse] [-v]\n"
    "\n"
    "Attach, sample every SECS seconds (default 1) and serve the latest\n"
    "sample to Prometheus until SIGINT or SIGTERM:\n"
    "  /metrics   text exposition format 0.0.4, or OpenMetrics 1.0.0 when the\n"
    "             Accept header asks for application/openmetrics-text\n"
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

static const char *knob_help =
    "Usage: prtop knob [--json]                  list every knob\n"
    "       prtop knob [--json] NAME...          print their values\n"
    "       prtop knob [--dry-run] [--persist] NAME=VALUE...\n"
    "\n"
    "The page reporting knobs: capacity (entries per report), delay_ms (request\n"
    "-> run delay), order (lowest order reported), then the other files in\n"
    "/sys/module/page_reporting/parameters and the bundled patch's debugfs\n"
    "counters.  The list shows value, unit, range and source: patch sysctl,\n"
    "upstream module parameter, vendor parameter, or read-only.  Without the\n"
    "bundled kernel patch (patches/) capacity and delay_ms are compile-time\n"
    "constants; order can be set on any kernel with page reporting.\n"
    "\n"
    "Setting checks every NAME=VALUE first and writes all of them or none\n"
    "(if the kernel still refuses one, those written are restored); it prints\n"
    "'NAME: OLD -> NEW' for each.  Needs root.\n"
    "\n"
    "      --json      machine-readable list (value, unit, range, min, max,\n"
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

static int usage_error(const char *fmt, const char *what)
{
	fprintf(stderr, "prtop: ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, "\nTry 'prtop --help'.\n");
	return 2;
}

static int parse_interval(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0.2 || v > 3600)
		return -1;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {{"interval", required_argument, NULL, 'd'},
						 {"batch", no_argument, NULL, 'b'},
						 {"iterations", required_argument, NULL, 'n'},
						 {"json", no_argument, NULL, 'j'},
						 {"listen", required_argument, NULL, 'l'},
						 {"reuse-exact", no_argument, NULL, 'E'},
						 {"no-reuse", no_argument, NULL, 'R'},
						 {"verbose", no_argument, NULL, 'v'},
						 {"version", no_argument, NULL, 'V'},
						 {"help", no_argument, NULL, 'h'},
						 {0}};
	char *end;
	int o;

	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":d:bn:l:vVh", longopts, NULL)) != -1) {
		switch (o) {
		case 'd':
			if (parse_interval(optarg, &a->ui.interval_s))
				return usage_error(
				    "invalid interval '%s': give seconds from 0.2 to 3600", optarg);
			break;
		case 'b':
			a->batch = true;
			break;
		case 'n':
			errno = 0;
			a->ui.iterations = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || a->ui.iterations < 1)
				return usage_error(
				    "invalid iteration count '%s': give a whole number >= 1",
				    optarg);
			break;
		case 'j':
			a->json = true;
			break;
		case 'l':
			a->listen = optarg;
			break;
		case 'E':
			a->copts.reuse_exact = true;
			break;
		case 'R':
			a->copts.no_reuse = true;
			break;
		case 'v':
			a->copts.verbose = true;
			break;
		case 'V':
			printf("prtop %s\n", PRTOP_VERSION);
			exit(0);
		case 'h':
			a->help = true;
			break;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("invalid option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (a->copts.reuse_exact && a->copts.no_reuse)
		return usage_error("%s", "--reuse-exact and --no-reuse exclude each other");
	return 0;
}

static int open_collector(struct args *a, struct collector **c)
{
	char err[512] = "";
	int ret = collector_open(c, &a->copts, err, sizeof(err));

	if (ret)
		fprintf(stderr, "prtop: %s\n", err);
	return ret;
}

static int cmd_stat(struct args *a)
{
	/* SIGINT/SIGTERM end the window early; the report still comes */
	struct sampler_opts so = {
	    .interval_s = a->ui.interval_s, .count = 1, .final_on_stop = true};
	struct collector *c;
	struct sampler smp;
	int ret = 0;

	if (open_collector(a, &c))
		return 1;
	if (sampler_init(&smp, c, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		collector_close(c);
		return 1;
	}
	if (sampler_next(&smp)) {
		if (a->json)
			ret = json_print(stdout, smp.cur, sampler_window_s(&smp)) ? 1 : 0;
		else
			text_frame(stdout, smp.cur, smp.prev);
	}
	if (fflush(stdout))
		ret = 1;
	sampler_free(&smp);
	collector_close(c);
	return ret;
}

static int cmd_doctor(struct args *a)
{
	struct collector *c;
	struct prtop_snapshot *s;

	a->copts.test_layers = true;
	if (open_collector(a, &c))
		return 1;
	s = calloc(1, sizeof(*s));
	if (!s) {
		collector_close(c);
		return 1;
	}
	collector_sample(c, s);
	doctor_print(stdout, s);
	free(s);
	collector_close(c);
	return 0;
}

static int cmd_live(struct args *a)
{
	struct collector *c;
	int ret;

	if (!a->batch && !isatty(STDOUT_FILENO)) {
		fprintf(
		    stderr,
		    "prtop: standard output is not a terminal: use -b for plain-text batch mode\n");
		return 2;
	}
	if (open_collector(a, &c))
		return 1;
	ret = a->batch ? batch_run(c, &a->ui, stdout) : tui_run(c, &a->ui);
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

static const char *help_for(const char *cmd)
{
	if (cmd && !strcmp(cmd, "stat"))
		return stat_help;
	if (cmd && !strcmp(cmd, "doctor"))
		return doctor_help;
	if (cmd && !strcmp(cmd, "export"))
		return export_help;
	if (cmd && !strcmp(cmd, "knob"))
		return knob_help;
	return live_help;
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
	const char *cmd = NULL;
	int ret;

	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		if (!strcmp(cmd, "help")) {
			fputs(help_for(argc > 2 ? argv[2] : NULL), stdout);
			return 0;
		}
		if (!strcmp(cmd, "knob"))
			return knob_main(argc - 1, argv + 1, knob_help);
		if (strcmp(cmd, "stat") && strcmp(cmd, "doctor") && strcmp(cmd, "export"))
			return usage_error(
			    "unknown command '%s' (commands: stat, doctor, export, knob, help)",
			    cmd);
		argc--;
		argv++;
	}
	ret = parse_args(argc, argv, &a);
	if (ret)
		return ret;
	if (a.help) {
		fputs(help_for(cmd), stdout);
		return 0;
	}
	if (a.listen && (!cmd || strcmp(cmd, "export")))
		return usage_error("%s", "--listen is an option of 'prtop export' only");
	prtop_signals_init();
	init_locale();
	if (!cmd)
		return cmd_live(&a);
	if (!strcmp(cmd, "stat"))
		return cmd_stat(&a);
	if (!strcmp(cmd, "export"))
		return cmd_export(&a);
	return cmd_doctor(&a);
}
