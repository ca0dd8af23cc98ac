// SPDX-License-Identifier: GPL-2.0
/*
 * The options the attaching commands (live, stat, doctor, export) share.
 * Each command declares the ones it takes in its struct cmd_opts, so an
 * option that does not apply is a usage error and never silently ignored.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "collector.h"
#include "history.h"
#include "sampler.h"

static int usage_error(const char *cmd, const char *fmt, const char *what)
{
	return usage_fail(cmd, fmt, what);
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

static int set_interval(const struct cmd_opts *o, struct args *a, const char *v)
{
	return parse_interval(o->name, v, &a->ui.interval_s);
}

static int set_count(const struct cmd_opts *o, struct args *a, const char *v)
{
	double n;

	if (parse_number(v, 1, LONG_MAX, &n) || n != (long)n)
		return usage_error(o->name, "invalid count '%s': give a whole number >= 1", v);
	a->ui.iterations = (long)n;
	return 0;
}

/* [interval [count]] after the options, as vmstat and the libbpf-tools take them */
static int parse_positional(const struct cmd_opts *o, struct args *a, int argc, char **argv,
			    struct seen *seen)
{
	int n = argc - optind;

	if (n > o->positional)
		return usage_error(o->name, "unexpected argument '%s'",
				   argv[optind + o->positional]);
	if (n >= 1) {
		if (seen->bits & O_INTERVAL)
			return usage_error(o->name, "%s",
					   "the interval is given twice (-d and SECS)");
		if (set_interval(o, a, argv[optind]))
			return 2;
	}
	if (n >= 2) {
		if (seen->bits & O_COUNT)
			return usage_error(o->name, "%s",
					   "the count is given twice (-n and COUNT)");
		if (set_count(o, a, argv[optind + 1]))
			return 2;
	}
	return 0;
}

/* every option given must be one the command declares */
static int check_applies(const struct cmd_opts *o, const struct seen *seen)
{
	char msg[160];
	int i;

	for (i = 0; i < 16; i++) {
		if (!(seen->bits & (1u << i)) || (o->opts & (1u << i)))
			continue;
		snprintf(msg, sizeof(msg), "option '%s' does not apply to 'prtop%s%s'",
			 seen->spelling[i], *o->name ? " " : "", o->name);
		return usage_error(o->name, "%s", msg);
	}
	return 0;
}

static int parse(const struct cmd_opts *o, int argc, char **argv, struct args *a)
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
	int ch, ret;
	double n;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":d:bn:jl:TvVh", longopts, NULL)) != -1) {
		/* "-n 3": optarg is the word after the option's */
		const char *spelling = optarg && optind >= 2 && argv[optind - 1] == optarg
					   ? argv[optind - 2]
					   : argv[optind - 1];

		switch (ch) {
		case 'd':
			saw(&seen, O_INTERVAL, spelling);
			if (set_interval(o, a, optarg))
				return 2;
			break;
		case 'n':
			saw(&seen, O_COUNT, spelling);
			if (set_count(o, a, optarg))
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
			if (parse_number(optarg, 1, HIST_MAX_SLOTS, &n) || n != (int)n)
				return usage_error(o->name,
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
			return usage_error(o->name, "option '%s' needs a value", spelling);
		default:
			return usage_error(o->name, "invalid option '%s'", spelling);
		}
	}
	if (a->help || a->version)
		return 0;
	ret = check_applies(o, &seen);
	if (!ret)
		ret = parse_positional(o, a, argc, argv, &seen);
	if (!ret && a->copts.reuse_exact && a->copts.no_reuse)
		ret = usage_error(o->name, "%s", "--reuse-exact and --no-reuse exclude each other");
	return ret;
}

bool args_parse(const struct cmd_opts *o, int argc, char **argv, struct args *a, int *status)
{
	const struct cmd *c;

	a->ui.interval_s = o->interval_s;
	*status = parse(o, argc, argv, a);
	if (*status)
		return false;
	if (a->version) {
		cmd_version(stdout);
	} else if (a->help) {
		c = cmd_find(o->name);
		if (*o->name && c)
			fputs(*c->help, stdout);
		else
			cmd_overview(stdout);
	} else {
		return true;
	}
	*status = output_status(stdout);
	return false;
}

int args_attach(struct args *a, struct collector **c, bool drop)
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

int args_main(const struct cmd_opts *o, int argc, char **argv, int (*run)(struct args *a))
{
	struct args a = {0};
	int status;

	if (!args_parse(o, argc, argv, &a, &status))
		return status;
	prtop_signals_init();
	return run(&a);
}

int args_one_sample(struct args *a, bool drop, args_show_fn *show)
{
	struct sampler_opts so = {
	    .interval_s = a->ui.interval_s, .count = 1, .final_on_stop = true};
	struct collector *c;
	struct sampler smp;
	int ret;

	if (args_attach(a, &c, drop))
		return 1;
	if (sampler_init(&smp, c, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		collector_close(c);
		return 1;
	}
	if (sampler_next(&smp))
		show(a, smp.cur, smp.prev);
	ret = output_status(stdout);
	sampler_free(&smp);
	collector_close(c);
	return ret;
}
