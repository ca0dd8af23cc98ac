// SPDX-License-Identifier: GPL-2.0
/*
 * prtop record files read back: the timeline from cumulative counters, the
 * workload's throughput per interval, totals, the attribution with and
 * without a refault price, unknown figures, and files that are not
 * records.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "record.h"
#include "ui.h"
#include "unit.h"

static const char good[] =
    "{\"type\":\"header\",\"format\":\"prtop-record\",\"version\":1,\"kernel\":\"6.1.0-test\","
    "\"command\":[\"pf1\",\"--thp\"],\"interval_s\":1,\"page_size\":4096,"
    "\"refault_price\":{\"ns_per_4k\":1000,\"ns_per_2m\":400000}}\n"
    "{\"type\":\"workload_testcase\",\"t\":0.01,\"text\":\"Separate 128MB (THP)\"}\n"
    "{\"type\":\"sample\",\"t\":0.0,\"snapshot\":{\"device\":\"virtballoon_free_page_report\","
    "\"reported_bytes_total\":0,\"batches_total\":0,\"worker_runs_total\":0,"
    "\"reuse_bytes_total\":0,\"kernel_counters\":{}}}\n"
    "{\"type\":\"workload\",\"t\":1.0,\"min\":5,\"max\":5,\"total\":100,\"measured\":false}\n"
    "{\"type\":\"sample\",\"t\":1.0,\"snapshot\":{\"reported_bytes_total\":2097152,"
    "\"batches_total\":2,\"worker_runs_total\":1,\"reuse_bytes_total\":0}}\n"
    "{\"type\":\"workload\",\"t\":1.5,\"min\":5,\"max\":5,\"total\":200,\"measured\":true}\n"
    "{\"type\":\"workload\",\"t\":2.0,\"min\":5,\"max\":5,\"total\":300,\"measured\":true}\n"
    "{\"type\":\"unknown_future_type\",\"t\":2.0}\n"
    "{\"type\":\"sample\",\"t\":2.0,\"snapshot\":{\"reported_bytes_total\":6291456,"
    "\"batches_total\":4,\"worker_runs_total\":2,\"reuse_bytes_total\":4194304,"
    "\"reuse\":{\"ranges\":2,\"age_ns\":{\"p50\":1500000000}},"
    "\"worker_run_ns\":{\"count\":2,\"sum\":30000000},"
    "\"report_ns\":{\"count\":4,\"sum\":2000000},\"cycles_total\":null}}\n"
    "{\"type\":\"workload_average\",\"t\":2.1,\"average\":250}\n"
    "{\"type\":\"end\",\"t\":2.2,\"exit_status\":0,\"signal\":null,\"wall_s\":2.2}\n";

static const char *write(const char *name, const char *text)
{
	const char *dir = unit_tmpdir();

	return dir ? unit_write_file(dir, name, text, strlen(text)) : NULL;
}

static void reads_good(void)
{
	const char *path = write("good.record", good);
	struct rec_cost c[REC_COSTS];
	struct record r;
	char err[256] = "";

	if (!path || !CHECK(record_read(path, &r, err, sizeof(err)) == 0, "record: read (%s)", err))
		return;
	CHECK(r.version == 1 && !strcmp(r.kernel, "6.1.0-test") &&
		  !strcmp(r.command, "pf1 --thp") && r.thp,
	      "record: header and the THP testcase");
	CHECK_STR(r.device, "virtballoon_free_page_report", "record: the device");
	CHECK_U64(r.nint, 2, "record: one interval per sample after the first");
	CHECK(r.iv[0].rep_bs.known && r.iv[0].rep_bs.v == 2097152,
	      "record: reported bytes per second in the first interval");
	CHECK(r.iv[1].rep_bs.v == 4194304 && r.iv[1].reused_bs.v == 4194304 &&
		  r.iv[1].batches_s.v == 2 && r.iv[1].runs_s.v == 1,
	      "record: rates from cumulative counters");
	CHECK(r.iv[0].ops_s.known && r.iv[0].ops_s.v == 100, "record: ops in the first interval");
	CHECK(r.iv[1].ops_s.v == 250, "record: two workload seconds in the second: their mean");
	CHECK(r.have_ops && r.ops_mean == 250 && r.have_average && r.average == 250,
	      "record: the measured seconds' mean and the workload's average");
	CHECK(r.ended && r.exit_status == 0 && r.wall_s == 2.2, "record: the end line");
	CHECK(r.tot.reported_bytes.v == 6291456 && r.tot.reused_blocks.v == 2 &&
		  r.tot.reuse_age_p50_ns.v == 1.5e9,
	      "record: totals from the last sample");
	CHECK(!r.tot.cycles.known, "record: null stays unknown");
	record_costs(&r, c);
	CHECK(c[0].seconds.known && c[0].seconds.v == 0.03, "record: worker time");
	CHECK(c[1].seconds.known && c[1].seconds.v == 0.002, "record: time inside report()");
	/* THP: 4 MiB reused = 2 huge pages x 400 us */
	CHECK(c[2].seconds.known && c[2].seconds.v > 0.0007999 && c[2].seconds.v < 0.0008001,
	      "record: refaults x the price per 2 MiB (%g)", c[2].seconds.v);
	CHECK(!c[3].seconds.known && strstr(c[3].why, "not timed"), "record: walks are not timed");
	record_free(&r);
}

static void no_price(void)
{
	static const char head[] = "{\"type\":\"header\",\"format\":\"prtop-record\",\"version\":1,"
				   "\"command\":[\"pf1\"],\"refault_price\":null}\n";
	char *text = malloc(sizeof(head) + sizeof(good));
	struct rec_cost c[REC_COSTS];
	const char *path = NULL;
	struct record r;
	char err[256];

	if (!text)
		return;
	strcpy(text, head);
	strcat(text, strchr(good, '\n') + 1);
	path = write("noprice.record", text);
	free(text);
	if (!path || !CHECK(!record_read(path, &r, err, sizeof(err)), "record: read (%s)", err))
		return;
	record_costs(&r, c);
	CHECK(!c[2].seconds.known && strstr(c[2].why, "--price"),
	      "record: no price, no refault cost, and how to get one");
	record_free(&r);
}

static void bad(void)
{
	struct record r;
	char err[256];
	const char *path;

	CHECK(record_read("/nonexistent/x.record", &r, err, sizeof(err)) < 0 &&
		  strstr(err, "cannot open"),
	      "record: a missing file (%s)", err);
	path = write("empty.record", "");
	CHECK(path && record_read(path, &r, err, sizeof(err)) < 0 && strstr(err, "empty"),
	      "record: an empty file (%s)", err);
	path = write("other.record", "{\"type\":\"sample\",\"t\":1}\n");
	CHECK(path && record_read(path, &r, err, sizeof(err)) < 0 &&
		  strstr(err, "not a prtop record"),
	      "record: no header (%s)", err);
	path = write("future.record", "{\"type\":\"header\",\"format\":\"prtop-record\","
				      "\"version\":9}\n");
	CHECK(path && record_read(path, &r, err, sizeof(err)) < 0 && strstr(err, "version 9"),
	      "record: a newer format is refused (%s)", err);
	path = write("garbage.record", "{\"type\":\"header\",\"format\":\"prtop-record\","
				       "\"version\":1}\nnot json\n");
	CHECK(path && record_read(path, &r, err, sizeof(err)) < 0 && strstr(err, "line 2"),
	      "record: a broken line is named (%s)", err);
}

static void wis(void)
{
	struct wis_line w;

	CHECK(wis_parse("min:1 max:3 total:7\n", &w) == WIS_SECOND && w.min == 1 && w.max == 3 &&
		  w.total == 7,
	      "record: will-it-scale second");
	CHECK(wis_parse("average:1234", &w) == WIS_AVERAGE && w.average == 1234,
	      "record: will-it-scale average");
	CHECK(wis_parse("measurement\n", &w) == WIS_MEASUREMENT, "record: measurement");
	CHECK(wis_parse("testcase:Separate 128MB", &w) == WIS_TESTCASE, "record: testcase");
	CHECK(wis_parse("min:1 max:3 total:7 extra", &w) == WIS_NONE &&
		  wis_parse("pf1 faults_per_sec 5", &w) == WIS_NONE &&
		  wis_parse("measurements", &w) == WIS_NONE,
	      "record: other lines are not will-it-scale's");
}

/*
 * This machine's kind of kernel: report() not observed (reported_bytes_total
 * null), the vendor's reported_kib counting from boot, the device named by
 * BTF only; then a newer file whose samples name their source.
 */
static const char vendor[] =
    "{\"type\":\"header\",\"format\":\"prtop-record\",\"version\":1,\"command\":[\"memhog\"]}\n"
    "{\"type\":\"sample\",\"t\":0.0,\"snapshot\":{\"device\":null,\"device_reason\":"
    "\"confirmed at the first worker run; report() in BTF: virtballoon_free_page_report\","
    "\"reported_bytes_total\":null,\"kernel_counters\":{\"reported_kib\":{\"total\":1000}}}}\n"
    "{\"type\":\"sample\",\"t\":1.0,\"snapshot\":{\"device\":null,\"device_reason\":"
    "\"confirmed at the first worker run; report() in BTF: virtballoon_free_page_report\","
    "\"reported_bytes_total\":null,\"kernel_counters\":{\"reported_kib\":{\"total\":1000}}}}\n"
    "{\"type\":\"sample\",\"t\":3.0,\"snapshot\":{\"device\":null,\"publication\":\"pub_fn\","
    "\"reported_bytes_total\":null,\"kernel_counters\":{\"reported_kib\":{\"total\":5096}}}}\n"
    "{\"type\":\"end\",\"t\":3.0,\"exit_status\":0,\"signal\":null,\"wall_s\":1.5,"
    "\"after_s\":1.5}\n";

static const char sourced[] =
    "{\"type\":\"header\",\"format\":\"prtop-record\",\"version\":1,\"command\":[\"memhog\"]}\n"
    "{\"type\":\"sample\",\"t\":0.0,\"snapshot\":{\"device\":\"dev_a\","
    "\"reported_bytes_total\":0,\"reported_source\":\"kernel:reported_kib\","
    "\"kernel_counters\":{\"reported_kib\":{\"total\":7}}}}\n"
    "{\"type\":\"sample\",\"t\":2.0,\"snapshot\":{\"device\":null,\"device_reason\":"
    "\"report() in BTF: other\",\"reported_bytes_total\":8388608,"
    "\"reported_source\":\"kernel:reported_kib\","
    "\"kernel_counters\":{\"reported_kib\":{\"total\":999999}}}}\n"
    "{\"type\":\"end\",\"t\":2.0,\"exit_status\":0,\"signal\":null,\"wall_s\":2.0}\n";

static const char nothing[] =
    "{\"type\":\"header\",\"format\":\"prtop-record\",\"version\":1,\"command\":[\"x\"]}\n"
    "{\"type\":\"sample\",\"t\":0.0,\"snapshot\":{\"reported_bytes_total\":null,"
    "\"reported_source\":null,\"kernel_counters\":{\"reported_kib\":{\"total\":1}}}}\n"
    "{\"type\":\"sample\",\"t\":1.0,\"snapshot\":{\"reported_bytes_total\":null,"
    "\"reported_source\":null,\"kernel_counters\":{\"reported_kib\":{\"total\":9}}}}\n";

static void sources(void)
{
	const char *path = write("vendor.record", vendor);
	struct record r;
	char err[256] = "";
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!path || !CHECK(!record_read(path, &r, err, sizeof(err)), "record: vendor (%s)", err))
		return;
	CHECK_STR(r.reported_source, REC_SRC_KERNEL_KIB, "record: kernel's reported_kib as source");
	CHECK(r.iv[0].rep_bs.known && r.iv[0].rep_bs.v == 0 && r.iv[1].rep_bs.known &&
		  r.iv[1].rep_bs.v == 4096.0 * 1024 / 2,
	      "record: reported_kib differences x 1024 per second (%g)", r.iv[1].rep_bs.v);
	CHECK(r.tot.reported_bytes.known && r.tot.reported_bytes.v == 4096.0 * 1024,
	      "record: returned bytes: the counter's increase over the recording, in bytes");
	CHECK_STR(r.device, "virtballoon_free_page_report", "record: device from BTF");
	CHECK(r.device_from_btf, "record: device marked as named by BTF");
	CHECK_STR(r.publication, "pub_fn", "record: publication");
	CHECK(r.wall_s == 1.5 && r.after_s == 1.5 && r.end_t == 3.0, "record: --after in the end");
	f = open_memstream(&text, &len);
	if (f) {
		record_print(f, &r, "vendor.record");
		fclose(f);
		CHECK(text && strstr(text, "reported 4.0 MiB (the kernel's reported_kib)") &&
			  strstr(text, "virtballoon_free_page_report (from BTF;") &&
			  strstr(text, "sampled 1.5 s more"),
		      "record: the report names the source, the device's and --after");
		free(text);
	}
	record_free(&r);

	path = write("sourced.record", sourced);
	if (!path || !CHECK(!record_read(path, &r, err, sizeof(err)), "record: sourced (%s)", err))
		return;
	CHECK(r.tot.reported_bytes.known && r.tot.reported_bytes.v == 8388608 &&
		  r.iv[0].rep_bs.v == 4194304,
	      "record: a sample's own reported_bytes_total where it names the source");
	CHECK_STR(r.device, "dev_a", "record: a named device is kept over BTF's");
	CHECK(!r.device_from_btf, "record: the sample named the device");
	record_free(&r);

	path = write("nothing.record", nothing);
	if (!path || !CHECK(!record_read(path, &r, err, sizeof(err)), "record: nothing (%s)", err))
		return;
	CHECK(!r.tot.reported_bytes.known && !r.iv[0].rep_bs.known && !r.reported_source[0],
	      "record: reported_source null: unknown, not the kernel's counter");
	CHECK(!r.device[0], "record: no device named at all");
	record_free(&r);
}

/* a snapshot with every group known and its counters at k times a base */
static void snap_fill(struct prtop_snapshot *s, uint64_t k)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->mono_ns = k * 1000000000ULL;
	s->page_size = 4096;
	for (i = 0; i < SG__COUNT; i++)
		s->avail[i] = true;
	s->returned.source = RETURNED_PRTOP;
	s->returned.bytes = k << 21;
	s->c.report_calls = 3 * k;
	s->c.worker_runs = 5 * k;
	s->c.cycle_calls = 7 * k;
	s->c.cycle_exhausted = 11 * k;
	s->c.reset_report = 13 * k;
	s->c.reset_stop = 17 * k;
	s->reuse_bytes = k << 22;
	s->reuse_ranges = 2 * k;
	s->hist[PRTOP_H_WORKER_RUN].count = k;
	s->hist[PRTOP_H_WORKER_RUN].sum = 19000 * k;
	s->hist[PRTOP_H_WORKER_RUN].slot[10] = k;
	s->hist[PRTOP_H_REPORT].count = k;
	s->hist[PRTOP_H_REPORT].sum = 23000 * k;
	s->hist[PRTOP_H_REPORT].slot[10] = k;
}

/* a sample line as prtop record writes it: the snapshot as stat --json renders it */
static void sample_line(char *buf, size_t len, double t, const struct prtop_snapshot *s,
			const struct prtop_snapshot *prev)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "type", json_object_new_string("sample"));
	json_object_object_add(o, "t", json_object_new_double(t));
	json_object_object_add(o, "snapshot", snap_json(s, prev, JSON_COMPACT));
	snprintf(buf, len, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/*
 * The reader takes every figure by the key the JSON renderer writes it
 * under: a key renamed on one side only is unknown here, not 0
 */
static void round_trip(void)
{
	static struct prtop_snapshot a, b;
	static char text[3 * 65536];
	const char *path;
	struct record r;
	char err[256] = "";
	size_t n;

	snap_fill(&a, 1);
	snap_fill(&b, 3);
	n = (size_t)snprintf(text, sizeof(text),
			     "{\"type\":\"header\",\"format\":\"prtop-record\",\"version\":1,"
			     "\"interval_s\":1,\"page_size\":4096}\n");
	sample_line(text + n, sizeof(text) - n, 1.0, &a, NULL);
	n += strlen(text + n);
	sample_line(text + n, sizeof(text) - n, 3.0, &b, &a);
	path = write("round.record", text);
	if (!path || !CHECK(record_read(path, &r, err, sizeof(err)) == 0,
			    "record: read what snap_json wrote (%s)", err))
		return;
	CHECK(r.tot.reported_bytes.known && r.tot.reported_bytes.v == 3 << 21 &&
		  !strcmp(r.reported_source, REC_SRC_PRTOP),
	      "record: round trip: returned bytes and their source");
	CHECK(r.nint == 1 && r.iv[0].rep_bs.known && r.iv[0].rep_bs.v == (2 << 21) / 2.0,
	      "record: round trip: returned bytes per second");
	CHECK(r.iv[0].batches_s.v == 3 && r.iv[0].runs_s.v == 5 &&
		  r.iv[0].reused_bs.v == (2 << 22) / 2.0,
	      "record: round trip: batches, runs and reuse per second");
	CHECK(r.tot.batches.v == 9 && r.tot.worker_runs.v == 15 &&
		  r.tot.reused_bytes.v == 3 << 22 && r.tot.reused_blocks.v == 6,
	      "record: round trip: batches, runs, reused bytes and blocks");
	CHECK(r.tot.worker_ns.v == 57000 && r.tot.report_ns.v == 69000,
	      "record: round trip: worker and report() time");
	CHECK(r.tot.cycles.v == 21 && r.tot.budget_exhausted.v == 33 && r.tot.resets.v == 90,
	      "record: round trip: walks, budget exhausted, resets");
	record_free(&r);
}

void test_record(void)
{
	round_trip();
	wis();
	reads_good();
	sources();
	no_price();
	bad();
}
