// SPDX-License-Identifier: GPL-2.0
/*
 * `prtop knob`: the command over the knob model (knob.c) and persistence
 * (knob_persist.c): options, the table and JSON, and exit codes -- 2 for
 * what the user can fix in the input, 1 for the system's refusal.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "cmd.h"
#include "format.h"
#include "knob.h"
#include "str.h"

/* knob_validate()'s -errno as the command's exit code */
int knob_exit_code(int err)
{
	switch (err) {
	case 0:
		return KNOB_OK;
	case -ENOENT:	  /* unknown knob */
	case -EINVAL:	  /* not NAME=VALUE, not a number, given twice */
	case -ERANGE:	  /* out of range */
	case -E2BIG:	  /* value too long */
	case -EROFS:	  /* read-only */
	case -EOPNOTSUPP: /* needs the bundled patch, or no page reporting */
		return KNOB_EINPUT;
	default:
		return KNOB_EFAIL;
	}
}

static const char *kind_name(enum knob_kind k)
{
	static const char *const names[] = {
	    [KNOB_SYSCTL] = "sysctl",	   [KNOB_MODPARAM] = "module_parameter",
	    [KNOB_CONSTANT] = "constant",  [KNOB_VENDOR] = "vendor_parameter",
	    [KNOB_READONLY] = "read_only", [KNOB_MISSING] = "missing",
	};

	return names[k];
}

struct json_object *knob_info_json(const struct knob_info *k)
{
	json_object *o = json_object_new_object();
	json_object *v = NULL;
	int64_t x;

	if (!k->read_err && k->integer && !knob_parse_int(k->value, &x))
		v = json_object_new_int64(x);
	else if (!k->read_err)
		v = json_object_new_string(k->value);
	json_object_object_add(o, "name", json_object_new_string(k->name));
	json_object_object_add(o, "value", v);
	json_object_object_add(o, "unit", json_object_new_string(k->unit));
	json_object_object_add(o, "range", json_object_new_string(k->range));
	json_object_object_add(o, "min", k->bounded ? json_object_new_int64(k->min) : NULL);
	json_object_object_add(o, "max",
			       k->bounded && k->max_known ? json_object_new_int64(k->max) : NULL);
	json_object_object_add(o, "source", json_object_new_string(k->source));
	json_object_object_add(o, "kind", json_object_new_string(kind_name(k->kind)));
	json_object_object_add(o, "path", k->path[0] ? json_object_new_string(k->path) : NULL);
	json_object_object_add(o, "writable", json_object_new_boolean(k->writable));
	json_object_object_add(o, "needs_patch", json_object_new_boolean(k->kind == KNOB_CONSTANT));
	json_object_object_add(o, "unspecified", json_object_new_boolean(k->unspecified));
	return o;
}

static int print_json(const struct knob_paths *p, const struct knob_info *k, int n)
{
	json_object *d = json_object_new_object(), *a = json_object_new_array();
	int i;

	json_object_object_add(d, "patched", json_object_new_boolean(knob_patched(p)));
	for (i = 0; i < n; i++)
		json_object_array_add(a, knob_info_json(&k[i]));
	json_object_object_add(d, "knobs", a);
	printf("%s\n", json_object_to_json_string_ext(d, JSON_C_TO_STRING_PRETTY |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(d);
	return KNOB_OK;
}

static const char *unit_of(const struct knob_info *k)
{
	return k->unit[0] ? k->unit : "-";
}

static void widen(int *w, const char *s)
{
	int l = (int)strlen(s);

	if (l > *w)
		*w = l;
}

/* the table names the source up to its first comma; the notes below say the rest */
static int source_len(const struct knob_info *k)
{
	return (int)strcspn(k->source, ",");
}

static void print_table(const struct knob_info *k, int n)
{
	int wn = 4, wv = 5, wu = 4, wr = 5, i;
	char needs[128] = "", note[320];

	for (i = 0; i < n; i++) {
		widen(&wn, k[i].name);
		widen(&wv, k[i].value);
		widen(&wu, unit_of(&k[i]));
		widen(&wr, k[i].range);
	}
	printf("%-*s  %-*s  %-*s  %-*s  %s\n", wn, "NAME", wv, "VALUE", wu, "UNIT", wr, "RANGE",
	       "SOURCE");
	for (i = 0; i < n; i++) {
		printf("%-*s  %-*s  %-*s  %-*s  %.*s\n", wn, k[i].name, wv, k[i].value, wu,
		       unit_of(&k[i]), wr, k[i].range, source_len(&k[i]), k[i].source);
		if (k[i].kind == KNOB_CONSTANT)
			snprintf(needs + strlen(needs), sizeof(needs) - strlen(needs), "%s%s",
				 needs[0] ? " and " : "", k[i].name);
	}
	if (needs[0]) {
		snprintf(note, sizeof(note),
			 "%s can only be changed with the bundled kernel patch (patches/ in "
			 "prtop's source); order works on any kernel",
			 needs);
		fmt_print_wrapped(stdout, "note: ", note);
	}
	if (k[2].kind == KNOB_MISSING)
		fmt_print_wrapped(stdout, "note: ",
				  "this kernel has no free page reporting (CONFIG_PAGE_REPORTING)");
	if (k[2].unspecified) {
		snprintf(note, sizeof(note),
			 "order %s is the \"unspecified\" sentinel: the device that registers "
			 "decides its order",
			 k[2].value);
		fmt_print_wrapped(stdout, "note: ", note);
	}
}

static int list_cmd(const struct knob_paths *p, bool json)
{
	struct knob_info *k = calloc(KNOB_MAX, sizeof(*k));
	int n;

	if (!k) {
		fprintf(stderr, "prtop knob: out of memory\n");
		return KNOB_EFAIL;
	}
	n = knob_list(p, k, KNOB_MAX);
	if (json)
		print_json(p, k, n);
	else
		print_table(k, n);
	free(k);
	return fflush(stdout) ? KNOB_EFAIL : KNOB_OK;
}

/* prtop knob NAME...: each value on its own line, or JSON */
static int read_cmd(const struct knob_paths *p, char **names, int n, bool json)
{
	struct knob_info *k = n > 0 ? calloc((size_t)n, sizeof(*k)) : NULL;
	int i, rc = KNOB_OK;

	if (!k) {
		fprintf(stderr, "prtop knob: out of memory\n");
		return KNOB_EFAIL;
	}
	for (i = 0; i < n && rc == KNOB_OK; i++) {
		if (knob_find(p, names[i], &k[i])) {
			fprintf(stderr,
				"prtop knob: unknown knob '%.60s' ('prtop knob' lists them)\n",
				names[i]);
			rc = KNOB_EINPUT;
		} else if (k[i].kind == KNOB_MISSING && !json) {
			fprintf(stderr, "prtop knob: %s: this kernel has no free page reporting\n",
				k[i].name);
			rc = KNOB_EFAIL;
		} else if (k[i].read_err && !json) {
			fprintf(stderr, "prtop knob: %s: cannot read %s: %s\n", k[i].name,
				k[i].path[0] ? k[i].path : "it", strerror(-k[i].read_err));
			rc = KNOB_EFAIL;
		}
	}
	if (rc == KNOB_OK && json)
		print_json(p, k, n);
	else if (rc == KNOB_OK)
		for (i = 0; i < n; i++)
			printf("%s\n", k[i].value);
	free(k);
	if (fflush(stdout))
		rc = KNOB_EFAIL;
	return rc;
}

static int set_cmd(const struct knob_paths *p, char **args, int n, bool dry_run, bool persist)
{
	struct knob_set *set = n > 0 ? calloc((size_t)n, sizeof(*set)) : NULL;
	const char *etc = p->etc_dir ? p->etc_dir : "/etc";
	char err[1024];
	int i, rc;

	if (!set) {
		fprintf(stderr, "prtop knob: out of memory\n");
		return KNOB_EFAIL;
	}
	for (i = 0; i < n; i++)
		set[i].arg = args[i];
	rc = knob_exit_code(knob_validate(p, set, n, err, sizeof(err)));
	if (rc)
		goto fail;
	/* where --persist writes must be there (bad input if not) before anything is set */
	if (persist && !dry_run && access(etc, F_OK)) {
		rc = KNOB_EINPUT;
		snprintf(err, sizeof(err), "cannot persist in %s: %s; nothing was set", etc,
			 strerror(errno));
		goto fail;
	}
	if (!dry_run && geteuid() != 0) {
		snprintf(err, sizeof(err), "writing knobs needs root (run with sudo)");
		rc = KNOB_EFAIL;
		goto fail;
	}
	if (persist && !dry_run && access(etc, W_OK)) {
		rc = KNOB_EFAIL;
		snprintf(err, sizeof(err), "cannot persist in %s: %s; nothing was set", etc,
			 strerror(errno));
		goto fail;
	}
	if (!dry_run) {
		/* the kernel's refusal of a checked value is the system's: exit 1 */
		rc = knob_apply(p, set, n, err, sizeof(err)) ? KNOB_EFAIL : KNOB_OK;
		if (rc)
			goto fail;
	}
	for (i = 0; i < n; i++)
		printf("%s: %s -> %s%s\n", set[i].info.name, set[i].info.value,
		       dry_run ? set[i].value : set[i].now,
		       dry_run ? " (dry run, not written)" : "");
	if (persist) {
		rc = knob_persist(p, set, n, dry_run, stdout, err, sizeof(err)) ? KNOB_EFAIL
										: KNOB_OK;
		if (rc) {
			fflush(stdout);
			fprintf(stderr, "prtop knob: set, but not persisted: %s\n", err);
		}
	}
	free(set);
	if (fflush(stdout))
		rc = KNOB_EFAIL;
	return rc;
fail:
	fprintf(stderr, "prtop knob: %s\n", err);
	free(set);
	return rc;
}

const char *const knob_help =
    "Usage: prtop knob [-j]                  list every knob\n"
    "       prtop knob [-j] NAME...          print their values\n"
    "       prtop knob [--dry-run] [--persist] NAME=VALUE...\n"
    "\n"
    "The page reporting knobs: capacity (entries per report), delay_ms (request\n"
    "-> run delay), order (lowest order reported), then the other files in\n"
    "/sys/module/page_reporting/parameters and the bundled patch's counters in\n"
    "/proc/vmstat.  The list shows value, unit, range and source: patch module\n"
    "parameter, upstream module parameter, patch sysctl (v1, v2), vendor\n"
    "parameter, or read-only.  Without the bundled kernel patch (patches/)\n"
    "capacity is a compile-time constant, and delay_ms too before Linux 7.3;\n"
    "order can be set on any kernel with page reporting.  NAME may\n"
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

static int knob_usage(const char *fmt, const char *what)
{
	usage_fail("knob", fmt, what);
	return KNOB_EINPUT;
}

int knob_main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"json", no_argument, NULL, 'j'},	 {"verbose", no_argument, NULL, 'v'},
	    {"dry-run", no_argument, NULL, 'n'}, {"persist", no_argument, NULL, 'p'},
	    {"help", no_argument, NULL, 'h'},	 {0},
	};
	struct knob_paths p = {0};
	bool json = false, dry_run = false, persist = false;
	const char *etc = getenv("PRTOP_KNOB_ETC");
	int o, i, nset = 0, nargs;
	char **args;

	if (etc && *etc)
		p.etc_dir = etc;
	optind = 1;
	opterr = 0;
	while ((o = getopt_long(argc, argv, "hjv", longopts, NULL)) != -1) {
		switch (o) {
		case 'j':
			json = true;
			break;
		case 'v': /* accepted like every command's; knob has nothing more to say */
			break;
		case 'n':
			dry_run = true;
			break;
		case 'p':
			persist = true;
			break;
		case 'h':
			fputs(knob_help, stdout);
			return KNOB_OK;
		default:
			return knob_usage("invalid option '%s'", argv[optind - 1]);
		}
	}
	args = argv + optind;
	nargs = argc - optind;
	for (i = 0; i < nargs; i++)
		nset += strchr(args[i], '=') != NULL;
	if (nset && nset != nargs)
		return knob_usage("%s", "give NAMEs to read or NAME=VALUE to set, not both");
	if (!nset && (dry_run || persist))
		return knob_usage("%s", "--dry-run and --persist go with NAME=VALUE");
	if (nset && json)
		return knob_usage("%s", "--json is for listing and reading, not for setting");
	if (nset)
		return set_cmd(&p, args, nargs, dry_run, persist);
	if (nargs)
		return read_cmd(&p, args, nargs, json);
	return list_cmd(&p, json);
}
