/* This file writes the report as one JSON document with jansson. Its layout is
 * reports/report-schema.json, version REPORT_SCHEMA_VERSION. Every string goes through
 * jstr(), which repairs invalid UTF-8 (text_utf8_dupn: U+FFFD for each bad byte), and
 * every value that cannot be built fails the whole document: no table, row or note is
 * ever left out silently. */
#include "report/report.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/textsafe.h"

/* The one way text reaches the document: valid UTF-8, no NUL. NULL on failure. */
static json_t *jstr(const char *s)
{
	char *v;
	json_t *j;

	if (!s)
		s = "";
	v = text_utf8_dupn(s, strlen(s));
	if (!v)
		return NULL;
	j = json_string(v);
	free(v);
	return j;
}

static json_t *jtime(const struct report *r, int64_t us)
{
	char buf[40];

	return jstr(report_format_time(us, r->utc, TF_ISO, buf, sizeof(buf)));
}

/* Sets o[k] = v (stealing v); -1 if v is NULL or the set fails. */
static int jset(json_t *o, const char *k, json_t *v)
{
	return v && json_object_set_new(o, k, v) == 0 ? 0 : -1;
}

/* Appends v to a (stealing v); -1 if v is NULL or the append fails. */
static int jpush(json_t *a, json_t *v)
{
	return v && json_array_append_new(a, v) == 0 ? 0 : -1;
}

/* Returns a when ok, else frees it and returns NULL. */
static json_t *jdone(json_t *a, int ok)
{
	if (ok)
		return a;
	json_decref(a);
	return NULL;
}

static json_t *cell_json(const struct report *r, const struct rcol *c, const struct rcell *cell)
{
	if (cell->null)
		return json_null();
	switch (c->type) {
	case RC_TEXT:
	case RC_HOST:
		return jstr(cell->s);
	case RC_INT:
	case RC_BYTES:
		return json_integer((json_int_t)cell->i);
	case RC_TIME:
		return jtime(r, cell->i);
	}
	return json_null();
}

static json_t *table_json(const struct report *r, const struct rtable *t)
{
	json_t *a = json_array();
	int ok = a != NULL;

	for (size_t i = 0; ok && i < t->nrows; i++) {
		json_t *o = json_object();

		ok = jpush(a, o) == 0;
		for (unsigned c = 0; ok && c < t->ncols; c++)
			ok = jset(o, t->cols[c].name, cell_json(r, &t->cols[c], report_cell(t, i, c))) == 0;
	}
	return jdone(a, ok);
}

static json_t *strings_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	int ok = a != NULL;

	for (size_t k = 0; ok && k < n; k++)
		ok = jpush(a, jstr(v[k])) == 0;
	return jdone(a, ok);
}

static json_t *hosts_json(const struct report *r)
{
	json_t *a = json_array();
	int ok = a != NULL;

	for (unsigned i = 0; ok && i < r->nhosts; i++) {
		const struct report_host *h = &r->hosts[i];

		ok = jpush(a, json_pack("{s:o, s:o, s:i, s:o, s:o, s:I, s:I, s:b, s:b, s:I, s:b, s:i, s:o}",
			"name", jstr(h->name), "path", jstr(h->path), "schema_version", h->schema_version,
			"first_data", h->has_data ? jtime(r, h->first_bucket * 1000000LL) : json_null(),
			"last_data", h->has_data ? jtime(r, (h->last_bucket + 3600) * 1000000LL) : json_null(),
			"runs_total", (json_int_t)h->runs_total, "live_runs", (json_int_t)h->live_runs,
			"has_flows", h->has_flows, "file_mode", h->file_mode,
			"nflog_sources", (json_int_t)h->nflog_sources,
			"previous_period_covered", h->prev_ok, "history_days", h->hist_days,
			"addresses", strings_json(h->addrs, h->naddrs))) == 0;
	}
	return jdone(a, ok);
}

static json_t *timeline_json(const struct report *r)
{
	json_t *classes = json_object();
	int ok = classes != NULL;

	for (int c = 0; ok && c < REPORT_NSPOOF; c++) {
		json_t *a = json_array();

		ok = jset(classes, report_spoof_classes[c], a) == 0;
		for (unsigned h = 0; ok && h < r->nhours; h++)
			ok = jpush(a, json_integer((json_int_t)r->timeline[(size_t)c * r->nhours + h])) == 0;
	}
	return json_pack("{s:i, s:o, s:i, s:o}", "step_seconds", 3600, "start", jtime(r, r->since_us),
			 "hours", (int)r->nhours, "classes", jdone(classes, ok));
}

static json_t *tables_json(const struct report *r)
{
	json_t *tables = json_object();
	int ok = tables != NULL;

	for (int t = 0; ok && t < RT_COUNT; t++)
		ok = jset(tables, r->tables[t].name, table_json(r, &r->tables[t])) == 0;
	return jdone(tables, ok);
}

static json_t *notes_json(const struct report *r)
{
	json_t *notes = json_array();
	int ok = notes != NULL;

	for (size_t i = 0; ok && i < r->nnotes; i++)
		ok = jpush(notes, json_pack("{s:s, s:o}", "section",
					     report_section_key(r->notes[i].section),
					     "text", jstr(r->notes[i].text))) == 0;
	return jdone(notes, ok);
}

/* The runs of the period with no end (killed or still running), from the runs table:
 * when each started and where its capture statistics end (null: it has none). */
static json_t *unfinished_json(const struct report *r)
{
	const struct rtable *t = &r->tables[RT_RUNS];
	json_t *a = json_array();
	int ok = a != NULL;

	for (size_t i = 0; ok && i < t->nrows; i++) {
		const struct rcell *last = report_cell(t, i, REPORT_RUN_LAST_STATS);

		if (!report_cell(t, i, REPORT_RUN_ENDED)->null)
			continue;
		ok = jpush(a, json_pack("{s:o, s:I, s:o, s:o, s:b}",
			"host", jstr(report_cell(t, i, 0)->s),
			"run", (json_int_t)report_cell(t, i, REPORT_RUN_ID)->i,
			"started", jtime(r, report_cell(t, i, REPORT_RUN_STARTED)->i),
			"last_stats", last->null ? json_null() : jtime(r, last->i),
			"capture_stats_missing", last->null)) == 0;
	}
	return jdone(a, ok);
}

/* The -i filter as given: ",eth0,lo," becomes ["eth0", "lo"]. */
static json_t *ifaces_json(const struct report *r)
{
	json_t *a = json_array();
	char tmp[sizeof(r->ifaces)], *save = NULL;
	int ok = a != NULL;

	memcpy(tmp, r->ifaces, sizeof(tmp));
	for (char *tok = strtok_r(tmp, ",", &save); ok && tok; tok = strtok_r(NULL, ",", &save))
		ok = jpush(a, jstr(tok)) == 0;
	return jdone(a, ok);
}

static json_t *jstr_or_null(const char *s)
{
	return s ? jstr(s) : json_null();
}

static json_t *vclasses_json(const struct report *r)
{
	const struct report_verdict *v = &r->verdict;
	json_t *a = json_array();
	int ok = a != NULL;

	for (size_t i = 0; ok && i < v->nclasses; i++) {
		const struct report_vclass *c = &v->classes[i];

		ok = jpush(a, json_pack("{s:o, s:s, s:o, s:I, s:s, s:o, s:o, s:I, s:I, s:I, s:I, "
					"s:I, s:o, s:o}",
			"host", jstr(c->host), "class", c->cls, "label", jstr(report_class_label(c->cls)),
			"packets", (json_int_t)c->packets, "fate", report_fate_key(c->fate),
			"fate_text", jstr(c->fate_text), "proof", jstr_or_null(c->proof),
			"dropped_by_kernel", (json_int_t)c->dropped,
			"passed_kernel", (json_int_t)c->passed, "replies", (json_int_t)c->replies,
			"icmp_errors", (json_int_t)c->icmp_errors, "nflog_logged", (json_int_t)c->logged,
			"nflog_rules", jstr_or_null(c->logged_by),
			"violations", jstr_or_null(c->violations))) == 0;
	}
	return jdone(a, ok);
}

static json_t *vsteps_json(const struct report *r)
{
	const struct report_verdict *v = &r->verdict;
	json_t *a = json_array();
	int ok = a != NULL;

	for (size_t i = 0; ok && i < v->nsteps; i++) {
		const struct report_vstep *s = &v->steps[i];

		ok = jpush(a, json_pack("{s:o, s:s, s:o, s:o, s:o, s:o, s:o}",
			"host", jstr(s->host), "kind", report_step_key(s->kind), "text", jstr(s->text),
			"sysctl", jstr_or_null(s->sysctl), "iptables", jstr_or_null(s->iptables),
			"nft", jstr_or_null(s->nft), "command", jstr_or_null(s->command))) == 0;
	}
	return jdone(a, ok);
}

static json_t *verdict_json(const struct report *r)
{
	const struct report_verdict *v = &r->verdict;

	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:I, s:o}",
		"status", report_vstatus_key(v->status), "headline", jstr(v->headline),
		"classes", vclasses_json(r), "next_steps", vsteps_json(r),
		"changes", jstr(v->changes), "completeness", jstr(v->completeness),
		"period_seconds", (json_int_t)v->period_secs,
		"capture_seconds", v->capture_secs < 0 ? json_null() :
				   json_integer((json_int_t)v->capture_secs));
}

int report_write_json(const struct report *r, FILE *f)
{
	json_t *doc;
	char ver[64];
	int ret = -1;

	snprintf(ver, sizeof(ver), "spoofaudit %s", SPOOFAUDIT_VERSION);
	/* json_pack fails when any "o" value is NULL, and then releases the others */
	doc = json_pack("{s:i, s:o, s:o, s:o, s:{s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:b, s:o}, "
			"s:o, s:{s:I, s:I, s:I}, s:o, s:o, s:o, s:o}",
		"schema_version", REPORT_SCHEMA_VERSION,
		"generator", jstr(ver),
		"generated", jtime(r, r->generated_us),
		"verdict", verdict_json(r),
		"period",
		  "since", jtime(r, r->since_us), "until", jtime(r, r->until_us),
		  "since_usec", (json_int_t)r->since_us, "until_usec", (json_int_t)r->until_us,
		  "previous_since", jtime(r, r->prev_since_us),
		  "history_since", jtime(r, r->hist_since_us),
		  "timezone", jstr(r->tz), "utc", r->utc,
		  "interfaces", ifaces_json(r),
		"hosts", hosts_json(r),
		"summary", "packets", (json_int_t)r->packets,
		  "spoofed_packets", (json_int_t)r->spoofed_packets,
		  "loopback_packets", (json_int_t)r->loopback_packets,
		"unfinished_runs", unfinished_json(r),
		"timeline", timeline_json(r),
		"tables", tables_json(r),
		"notes", notes_json(r));
	if (!doc) {
		errno = ENOMEM;
		return -1;
	}
	errno = 0;
	if (json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', f) != EOF &&
	    fflush(f) == 0 && !ferror(f))
		ret = 0;
	else if (!errno)
		errno = EIO;
	json_decref(doc);
	return ret;
}
