// SPDX-License-Identifier: GPL-2.0
/*
 * prtop host's live view, on the engine of the guest's (tui_int.h): the
 * same keys, help, pause, interval and --json-log, and a view of its own:
 * a row per VM as the text frame has it, sorted by any column (< and >
 * choose it, I turns the order round), then each VM's history strips of
 * discard and refault MiB/s, and the probes.
 */
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "format.h"
#include "hostmon.h"
#include "tui_int.h"
#include "ui.h"

struct host_view {
	enum host_col col;
	bool desc;
	int order[HOST_MAX_VMS];
};

static const struct host_snap *hcur(const struct tui *t)
{
	return t->smp.vcur;
}

static const struct host_snap *hprev(const struct tui *t)
{
	return t->smp.have_prev ? t->smp.vprev : NULL;
}

static const char *dir_name(bool desc)
{
	return desc ? "desc" : "asc";
}

/* the header: who and how many, then the sample line, then the columns */
static int draw_head(struct tui *t, const struct host_view *hv)
{
	const struct host_snap *s = hcur(t);
	char left[192], line[192], iv[32], when[48] = "";
	double secs = hprev(t) ? (s->mono_ns - hprev(t)->mono_ns) / 1e9 : 0;
	int x;

	tui_fill_line(0, A_REVERSE);
	snprintf(left, sizeof(left), " prtop host %s: %d VM%s (%s)", s->kernel, s->nvms,
		 s->nvms == 1 ? "" : "s", s->discovering ? "by name" : "--pid");
	x = tui_put(0, 0, A_REVERSE | A_BOLD, left);
	if (t->smp.paused)
		tui_put(0, x + 2, A_REVERSE | A_BOLD | tui_color(t, C_WARN), " PAUSED ");
	if (t->timestamps)
		fmt_wall(when, sizeof(when), (uint64_t)s->wall_s * 1000000000ULL);
	/* "sample N," first on its line, as the text frame's last line has it */
	snprintf(line, sizeof(line), "sample %ld, every %s, window %.1f s; sort %s %s%s%s",
		 t->smp.frames, fmt_interval(iv, sizeof(iv), t->smp.o.interval_s), secs,
		 host_col_label(hv->col), dir_name(hv->desc), *when ? "; " : "", when);
	tui_put(1, 0, 0, line);
	return 2;
}

/* text from one of host_report's writers, as lines; how many */
static int text_lines(char **buf, void (*fn)(FILE *m, const struct host_snap *s, int i),
		      const struct host_snap *s, int i)
{
	size_t len = 0, k;
	FILE *m = open_memstream(buf, &len);
	int n = 0;

	*buf = NULL;
	if (!m)
		return 0;
	fn(m, s, i);
	if (fclose(m) || !*buf)
		return 0;
	for (k = 0; k < len; k++)
		n += (*buf)[k] == '\n';
	return n;
}

static void notes_fn(FILE *m, const struct host_snap *s, int i)
{
	host_frame_notes(m, s);
}

static int put_lines(char *text, int y, int ymax, int attr)
{
	char *line, *save = NULL;

	if (!text)
		return y;
	for (line = strtok_r(text, "\n", &save); line && y < ymax;
	     line = strtok_r(NULL, "\n", &save))
		tui_put(y++, 0, attr, line);
	return y;
}

/* the rows in the chosen order, each with its detail lines when they fit */
static int draw_rows(struct tui *t, struct host_view *hv, int y, int ymax, bool details)
{
	const struct host_snap *s = hcur(t);
	char row[256], *text;
	int i;

	host_row_head(row, sizeof(row));
	tui_put(y++, 0, A_BOLD, row);
	if (!s->nvms && y < ymax)
		tui_put(y++, 2, A_DIM,
			s->discovering ? "(no VMM process found by name)"
				       : "(no VMM process: the --pid processes are gone)");
	for (i = 0; i < s->nvms && y < ymax; i++) {
		host_row(row, sizeof(row), s, hprev(t), hv->order[i]);
		tui_put(y++, 0, 0, row);
		if (!details)
			continue;
		text_lines(&text, host_vm_detail, s, hv->order[i]);
		y = put_lines(text, y, ymax, A_DIM);
		free(text);
	}
	return y;
}

/* two strips per VM in the rows' order, as many VMs as fit */
static int draw_strips(struct tui *t, const struct host_view *hv, int y, int ymax)
{
	const struct host_snap *s = hcur(t);
	static const char *const kind[HH__COUNT] = {"dis", "ref"};
	char label[32];
	int i, f;

	for (i = 0; i < s->nvms && y + HH__COUNT <= ymax; i++) {
		const struct host_vm *v = &s->vm[hv->order[i]];
		const struct history *h = host_history(&t->smp, v);

		if (!h)
			continue;
		for (f = 0; f < HH__COUNT; f++) {
			snprintf(label, sizeof(label), "%6d %s", v->pid, kind[f]);
			y = tui_strip(t, y, ymax, h, f, label, "MiB/s", 1);
		}
	}
	return y;
}

/*
 * Lines go to the rows first, then the notes and probes at the bottom,
 * then each row's detail lines if they fit with one VM's strips, then the
 * strips
 */
static void host_draw(struct tui *t, int ymax)
{
	struct host_view *hv = t->vctx;
	const struct host_snap *s = hcur(t);
	char *notes, *text;
	int y, n, i, detail = 0, room;

	host_sort(hv->order, s, hprev(t), hv->col, hv->desc);
	y = draw_head(t, hv);
	n = text_lines(&notes, notes_fn, s, 0);
	for (i = 0; i < s->nvms; i++) {
		detail += text_lines(&text, host_vm_detail, s, i);
		free(text);
	}
	room = ymax - n;
	if (room < y + 1 + s->nvms)
		room = ymax; /* the rows before the notes */
	y = draw_rows(t, hv, y, room, y + 1 + s->nvms + detail + 1 + HH__COUNT <= room);
	if (y + 1 < room)
		y = draw_strips(t, hv, y + 1, room);
	put_lines(notes, room, ymax, A_DIM);
	free(notes);
}

static void sort_note(struct tui *t, const struct host_view *hv)
{
	char msg[64];

	snprintf(msg, sizeof(msg), "sort by %s %s", host_col_label(hv->col), dir_name(hv->desc));
	tui_note(t, msg);
}

static bool host_key(struct tui *t, int ch)
{
	struct host_view *hv = t->vctx;

	switch (ch) {
	case '<':
	case ',':
		hv->col = (hv->col + HC__COUNT - 1) % HC__COUNT;
		break;
	case '>':
	case '.':
		hv->col = (hv->col + 1) % HC__COUNT;
		break;
	case 'I':
	case 'i':
		hv->desc = !hv->desc;
		break;
	default:
		return false;
	}
	sort_note(t, hv);
	return true;
}

/* the frame as a -b -j line, with its sample number and history */
static void host_json_line(FILE *out, struct tui *t)
{
	struct json_object *o = host_json_frame(&t->smp);

	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

struct json_object *host_json_frame(const struct sampler *s)
{
	struct json_object *o = host_json(s->vcur, s->have_prev ? s->vprev : NULL);
	struct json_object *h = host_history_json(s);

	json_object_object_add(o, "sample", json_object_new_int64(s->frames));
	if (h)
		json_object_object_add(o, "history", h);
	return o;
}

static const char *const host_keys[] = {
    "  <  >      sort by the column to the left / right",
    "  I         sort the other way round",
    NULL,
};

static const struct tui_view host_view_ops = {
    .title = "prtop host: guest memory VMMs give back",
    .keys = host_keys,
    .status = "</> sort  I invert",
    .draw = host_draw,
    .key = host_key,
    .json = host_json_line,
};

int host_tui_run(struct host *h, const struct host_tui_opts *o)
{
	struct host_view hv = {.col = HC_DISCARD_RATE, .desc = true};
	struct tui t = {.timestamps = o->timestamps, .view = &host_view_ops, .vctx = &hv};
	struct sampler_opts so = tui_sampler_opts(&t, o->interval_s, o->count, o->history);

	if (host_sampler_init(&t.smp, h, &so)) {
		fprintf(stderr, "prtop: out of memory\n");
		return 1;
	}
	if (o->on_base)
		o->on_base(t.smp.vcur);
	return tui_loop(&t, o->json_log);
}
