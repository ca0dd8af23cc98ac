// SPDX-License-Identifier: GPL-2.0
/*
 * Batch mode: on the sampling driver, one plain-text frame (text.c) or one
 * JSON line (report.c) per sample, until the count or a signal; a reader
 * that goes away ends it like any filter.
 */
#include <stdio.h>
#include <json-c/json.h>

#include "sampler.h"
#include "ui.h"

void json_frame(FILE *out, const struct sampler *smp, unsigned int flags)
{
	int f = JSON_C_TO_STRING_NOSLASHESCAPE | JSON_C_TO_STRING_PLAIN;
	struct json_object *d;

	if (!smp->hist.cap) {
		json_print(out, smp->cur, smp->prev, flags | JSON_COMPACT);
		return;
	}
	d = snap_json(smp->cur, smp->prev, flags | JSON_COMPACT);
	json_object_object_add(d, "history", history_json(&smp->hist));
	fprintf(out, "%s\n", json_object_to_json_string_ext(d, f));
	json_object_put(d);
}

int batch_run(struct collector *c, const struct ui_opts *o, bool json, FILE *out)
{
	struct sampler_opts so = {
	    .interval_s = o->interval_s, .count = o->iterations, .history = o->history};
	unsigned int flags = JSON_COMPACT | (o->timestamps ? JSON_TIME : 0);
	struct sampler smp;
	int rc = 0;

	if (sampler_init(&smp, c, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		return 1;
	}
	while (sampler_next(&smp)) {
		if (json)
			json_frame(out, &smp, flags);
		else
			text_frame(out, smp.cur, smp.prev, o);
		if (fflush(out) || ferror(out)) {
			rc = output_status(out); /* the reader went away, or a write error */
			break;
		}
	}
	sampler_free(&smp);
	return rc;
}
