/* This file contains the helpers the report model's builders share: running a query of
 * reports/ with the period's parameters, and filling table cells and notes. */
#include "report/report_query.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define USEC REPORT_USEC
#define DAY REPORT_DAY
#define HOUR 3600

/* ---- Cells and notes ---- */

struct rcell *report_q_row_add(struct report_qctx *q, struct rtable *t)
{
	struct rcell *row;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct rcell *c = realloc(t->cells, cap * t->ncols * sizeof(*c));

		if (!c) {
			q->oom = 1;
			return NULL;
		}
		t->cells = c;
		t->cap = cap;
	}
	row = &t->cells[t->nrows * t->ncols];
	memset(row, 0, t->ncols * sizeof(*row));
	t->nrows++;
	row[0].s = strdup(q->h->name);	/* column 0 is always the host */
	if (!row[0].s)
		q->oom = 1;
	return row;
}

void report_q_text(struct report_qctx *q, struct rcell *c, const char *s)
{
	free(c->s);
	c->s = strdup(s ? s : "");
	if (!c->s)
		q->oom = 1;
}

void report_q_int(struct rcell *c, int64_t v)
{
	c->null = 0;
	c->i = v;
}

void report_q_note(struct report_qctx *q, enum report_section sec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void report_q_note(struct report_qctx *q, enum report_section sec, const char *fmt, ...)
{
	struct report *r = q->r;
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		q->oom = 1;
		return;
	}
	if (r->nhosts > 1) {	/* say which host a note is about */
		char *t2 = NULL;

		if (asprintf(&t2, "%s: %s", q->h->name, text) < 0) {
			free(text);
			q->oom = 1;
			return;
		}
		free(text);
		text = t2;
	}
	if (r->nnotes == r->notes_cap) {
		size_t cap = r->notes_cap ? r->notes_cap * 2 : 16;
		struct rnote *nn = realloc(r->notes, cap * sizeof(*nn));

		if (!nn) {
			free(text);
			q->oom = 1;
			return;
		}
		r->notes = nn;
		r->notes_cap = cap;
	}
	r->notes[r->nnotes].section = sec;
	r->notes[r->nnotes].text = text;
	r->nnotes++;
}

/* ---- Queries ---- */

struct store_rows *report_q_open(struct report_qctx *q, const char *file)
{
	const char *sql = report_file(file);
	struct store_rows *s;
	int64_t since = q->since_us / USEC, until = (q->until_us + USEC - 1) / USEC;
	/* the whole hours of the period: since rounded up, until down (floored modulo) */
	int64_t hour_since = since + (HOUR - (since % HOUR)) % HOUR;
	int64_t hour_until = until - ((until % HOUR) + HOUR) % HOUR;

	if (!sql) {
		snprintf(q->err, q->errlen, "reports/%s is not embedded in this binary", file);
		return NULL;
	}
	s = store_rows_prepare(q->st, file, sql);
	if (!s) {
		snprintf(q->err, q->errlen, "%s: %s", q->h->path, store_errmsg(q->st));
		return NULL;
	}
	if (store_rows_bind_int(s, ":since", since) < 0 ||
	    store_rows_bind_int(s, ":until", until) < 0 ||
	    store_rows_bind_int(s, ":hour_since", hour_since) < 0 ||
	    store_rows_bind_int(s, ":hour_until", hour_until) < 0 ||
	    store_rows_bind_int(s, ":since_us", q->since_us) < 0 ||
	    store_rows_bind_int(s, ":until_us", q->until_us) < 0 ||
	    store_rows_bind_int(s, ":hist_since", since - REPORT_HISTORY_DAYS * DAY) < 0 ||
	    store_rows_bind_text(s, ":ifaces", q->ifaces) < 0 ||
	    store_rows_bind_int(s, ":file_mode", q->file_mode) < 0 ||
	    store_rows_bind_int(s, ":limit", q->r->limit) < 0) {
		snprintf(q->err, q->errlen, "%s: %s", q->h->path, store_errmsg(q->st));
		store_rows_free(s);
		return NULL;
	}
	return s;
}

/* Steps s; on error writes the message. Returns 1 row, 0 done, -1 error. */
int report_q_step(struct report_qctx *q, struct store_rows *s)
{
	int rc = store_rows_step(s);

	if (rc < 0)
		snprintf(q->err, q->errlen, "%s: %s", q->h->path, store_errmsg(q->st));
	return rc;
}

/* Copies the query's columns into a new row of t: query column i goes to table column
 * map[i] (0 = skip). Returns the row or NULL. */
struct rcell *report_q_copy_row(struct report_qctx *q, struct store_rows *s, struct rtable *t,
			      const unsigned *map, unsigned n)
{
	struct rcell *row = report_q_row_add(q, t);

	if (!row)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		struct rcell *c;

		if (!map[i])
			continue;
		c = &row[map[i]];
		if (store_col_isnull(s, (int)i)) {
			c->null = 1;
		} else if (t->cols[map[i]].type == RC_TEXT) {
			report_q_text(q, c, store_col_text(s, (int)i));
		} else {
			report_q_int(c, store_col_int(s, (int)i));
		}
	}
	return row;
}

/* Runs file and copies every row through map. */
int report_q_table(struct report_qctx *q, const char *file, enum report_table t, const unsigned *map,
		   unsigned n)
{
	struct store_rows *s = report_q_open(q, file);
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1)
		if (!report_q_copy_row(q, s, &q->r->tables[t], map, n))
			break;
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

/* ---- Names ---- */

static const char *proto_name(int64_t p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 33: return "dccp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	case 136: return "udplite";
	default: return NULL;
	}
}

void report_q_proto(struct report_qctx *q, struct rcell *name, struct rcell *svc, int64_t proto,
		      int64_t port)
{
	const char *pn = proto_name(proto);
	char buf[32];

	if (pn)
		report_q_text(q, name, pn);
	else {
		snprintf(buf, sizeof(buf), "%lld", (long long)proto);
		report_q_text(q, name, buf);
	}
	if (proto == 1 || proto == 58)	/* type << 8 | code */
		snprintf(buf, sizeof(buf), "%lld/%lld", (long long)(port >> 8), (long long)(port & 0xff));
	else
		snprintf(buf, sizeof(buf), "%lld", (long long)port);
	report_q_text(q, svc, buf);
}

const char *report_q_hook_name(int64_t h)
{
	static const char *const names[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT",
					     "POSTROUTING" };

	return h >= 0 && h < 5 ? names[h] : "?";
}

/* The classes of a list, spelled out: "bogon_src, own_addr_src" (a text report wraps
 * them under their column). */
void report_q_class_list(struct report_qctx *q, struct rcell *c, const char *list)
{
	char *out = NULL;
	const char *p = list, *comma;

	for (; (comma = strchr(p, ',')); p = comma + 1) {
		char *one = report_q_asprintf(q, "%.*s", (int)(comma - p), p);

		if (one)
			report_q_append(q, &out, ", ", one);
		free(one);
	}
	report_q_append(q, &out, ", ", p);
	report_q_text(q, c, out ? out : list);
	free(out);
}

char *report_q_asprintf(struct report_qctx *q, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		q->oom = 1;
		return NULL;
	}
	return s;
}

void report_q_append(struct report_qctx *q, char **dst, const char *sep, const char *text)
{
	char *n = *dst ? report_q_asprintf(q, "%s%s%s", *dst, sep, text) :
			 report_q_asprintf(q, "%s", text);

	if (!n)
		return;
	free(*dst);
	*dst = n;
}
