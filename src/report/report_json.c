/* This file writes the report as one JSON document with jansson. Its layout is
 * reports/report-schema.json, version REPORT_SCHEMA_VERSION. */
#include "report/report.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

static json_t *jtime(const struct report *r, int64_t us)
{
	char buf[40];

	return json_string(report_format_time(us, r->utc, TF_ISO, buf, sizeof(buf)));
}

static json_t *cell_json(const struct report *r, const struct rcol *c, const struct rcell *cell)
{
	if (cell->null)
		return json_null();
	switch (c->type) {
	case RC_TEXT:
	case RC_HOST:
		return json_string(cell->s ? cell->s : "");
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

	for (size_t i = 0; a && i < t->nrows; i++) {
		json_t *o = json_object();

		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
		for (unsigned c = 0; c < t->ncols; c++)
			if (json_object_set_new(o, t->cols[c].name,
						cell_json(r, &t->cols[c], report_cell(t, i, c))) < 0) {
				json_decref(a);
				return NULL;
			}
	}
	return a;
}

static json_t *hosts_json(const struct report *r)
{
	json_t *a = json_array();

	for (unsigned i = 0; a && i < r->nhosts; i++) {
		const struct report_host *h = &r->hosts[i];
		json_t *addrs = json_array();

		for (size_t k = 0; addrs && k < h->naddrs; k++)
			json_array_append_new(addrs, json_string(h->addrs[k]));
		json_array_append_new(a, json_pack("{s:s, s:s, s:i, s:o, s:o, s:I, s:I, s:b, s:b, s:I, s:b, s:i, s:o}",
			"name", h->name, "path", h->path, "schema_version", h->schema_version,
			"first_data", h->has_data ? jtime(r, h->first_bucket * 1000000LL) : json_null(),
			"last_data", h->has_data ? jtime(r, (h->last_bucket + 3600) * 1000000LL) : json_null(),
			"runs_total", (json_int_t)h->runs_total, "live_runs", (json_int_t)h->live_runs,
			"has_flows", h->has_flows, "file_mode", h->file_mode,
			"nflog_sources", (json_int_t)h->nflog_sources,
			"previous_period_covered", h->prev_ok, "history_days", h->hist_days,
			"addresses", addrs ? addrs : json_null()));
	}
	return a;
}

static json_t *timeline_json(const struct report *r)
{
	json_t *classes = json_object();

	for (int c = 0; classes && c < REPORT_NSPOOF; c++) {
		json_t *a = json_array();

		for (unsigned h = 0; a && h < r->nhours; h++)
			json_array_append_new(a, json_integer((json_int_t)r->timeline[(size_t)c * r->nhours + h]));
		json_object_set_new(classes, report_spoof_classes[c], a ? a : json_null());
	}
	return json_pack("{s:i, s:o, s:i, s:o}", "step_seconds", 3600, "start", jtime(r, r->since_us),
			 "hours", (int)r->nhours, "classes", classes ? classes : json_null());
}

int report_write_json(const struct report *r, FILE *f)
{
	json_t *doc, *tables, *notes, *ifaces;
	char ver[64];
	int ret = -1;

	snprintf(ver, sizeof(ver), "spoofaudit %s", SPOOFAUDIT_VERSION);
	tables = json_object();
	notes = json_array();
	ifaces = json_array();
	for (int t = 0; tables && t < RT_COUNT; t++)
		json_object_set_new(tables, r->tables[t].name, table_json(r, &r->tables[t]));
	for (size_t i = 0; notes && i < r->nnotes; i++)
		json_array_append_new(notes, json_pack("{s:s, s:s}", "section",
			report_section_key(r->notes[i].section), "text", r->notes[i].text));
	if (ifaces && r->ifaces[0]) {
		char tmp[sizeof(r->ifaces)], *save = NULL;

		memcpy(tmp, r->ifaces, sizeof(tmp));
		for (char *tok = strtok_r(tmp, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			json_array_append_new(ifaces, json_string(tok));
	}
	doc = json_pack("{s:i, s:s, s:o, s:{s:o, s:o, s:I, s:I, s:o, s:o, s:s, s:b, s:o}, "
			"s:o, s:{s:I, s:I, s:I}, s:o, s:o, s:o}",
		"schema_version", REPORT_SCHEMA_VERSION,
		"generator", ver,
		"generated", jtime(r, r->generated_us),
		"period",
		  "since", jtime(r, r->since_us), "until", jtime(r, r->until_us),
		  "since_usec", (json_int_t)r->since_us, "until_usec", (json_int_t)r->until_us,
		  "previous_since", jtime(r, r->prev_since_us),
		  "history_since", jtime(r, r->hist_since_us),
		  "timezone", r->tz, "utc", r->utc,
		  "interfaces", ifaces ? ifaces : json_null(),
		"hosts", hosts_json(r),
		"summary", "packets", (json_int_t)r->packets,
		  "spoofed_packets", (json_int_t)r->spoofed_packets,
		  "loopback_packets", (json_int_t)r->loopback_packets,
		"timeline", timeline_json(r),
		"tables", tables ? tables : json_null(),
		"notes", notes ? notes : json_null());
	if (!doc) {
		errno = ENOMEM;
		return -1;
	}
	if (json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER) == 0 && fputc('\n', f) != EOF &&
	    fflush(f) == 0 && !ferror(f))
		ret = 0;
	json_decref(doc);
	return ret;
}
