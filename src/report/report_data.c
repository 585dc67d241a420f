/* This file builds the report model: for each database it runs the queries of reports/
 * for the period (and the previous one), fills the host, run, source, completeness and
 * totals sections, and has report_interpret.c build the rest. */
#include "report/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report_query.h"
#include "store/store.h"

#define USEC REPORT_USEC
#define DAY REPORT_DAY

static void change_text(struct report_qctx *q, struct rcell *c, int prev_ok, uint64_t cur, uint64_t prev)
{
	char buf[32];

	if (!prev_ok)
		snprintf(buf, sizeof(buf), "n/a");
	else if (prev == 0)
		snprintf(buf, sizeof(buf), cur ? "new" : "0%%");
	else
		snprintf(buf, sizeof(buf), "%+.0f%%", 100.0 * ((double)cur - (double)prev) / (double)prev);
	report_q_text(q, c, buf);
}

/* ---- Sections ---- */

static int q_range(struct report_qctx *q)
{
	struct report_host *h = q->h;
	struct store_rows *s = report_q_open(q, "range.sql");
	int rc;

	if (!s)
		return -1;
	rc = report_q_step(q, s);
	if (rc == 1) {
		h->has_data = !store_col_isnull(s, 0);
		h->first_bucket = store_col_int(s, 0);
		h->last_bucket = store_col_int(s, 1);
		h->runs_total = store_col_int(s, 2);
		if (!store_col_isnull(s, 3) && store_col_text(s, 3)[0]) {
			free(h->name);
			h->name = strdup(store_col_text(s, 3));
			if (!h->name)
				q->oom = 1;
		}
		/* Two databases from one host (or copies) stay apart in merged tables. */
		for (struct report_host *o = q->r->hosts; h->name && o < h; o++)
			if (!strcmp(o->name, h->name)) {
				const char *base = strrchr(h->path, '/');
				char *n = NULL;

				if (asprintf(&n, "%s (%s)", h->name, base ? base + 1 : h->path) < 0) {
					q->oom = 1;
					break;
				}
				free(h->name);
				h->name = n;
				break;
			}
		h->live_runs = store_col_int(s, 4);
		h->has_flows = store_col_int(s, 5) != 0;
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

/* The runs of the period, and a note for each that has no end: killed, or still
 * running. Its flows are counted, but its capture statistics are missing or stop early,
 * so what it lost is unknown. */
static int q_runs(struct report_qctx *q)
{
	/* id host version cmdline started ended last_stats bucket */
	static const unsigned map[] = { 1, 2, 6, 8, 3, 4, 5, 7 };
	struct rtable *t = &q->r->tables[RT_RUNS];
	size_t first = t->nrows;
	char a[40], b[40];

	if (report_q_table(q, "runs.sql", RT_RUNS, map, 8) < 0)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		if (!row[REPORT_RUN_ENDED].null)
			continue;
		q->unfinished++;
		report_format_time(row[REPORT_RUN_STARTED].i, q->r->utc, TF_MINUTE, a, sizeof(a));
		if (row[REPORT_RUN_LAST_STATS].null)
			report_q_note(q, SEC_COMPLETENESS,
				 "Run %lld (started %s) is unfinished (killed or still running): its "
				 "capture statistics are missing, so its losses are unknown, and a "
				 "killed run also lost the flows it had not yet written.",
				 (long long)row[REPORT_RUN_ID].i, a);
		else
			report_q_note(q, SEC_COMPLETENESS,
				 "Run %lld (started %s) is unfinished (killed or still running): its "
				 "capture statistics end at %s, so its losses after that are unknown, "
				 "and a killed run also lost the flows it had not yet written.",
				 (long long)row[REPORT_RUN_ID].i, a,
				 report_format_time(row[REPORT_RUN_LAST_STATS].i, q->r->utc, TF_MINUTE,
						    b, sizeof(b)));
	}
	return q->oom ? -1 : 0;
}

/* Whether the period's interface table gives iface the loopback role. */
static int iface_is_loopback(const struct report_qctx *q, const char *iface)
{
	const struct rtable *t = &q->r->tables[RT_IFACES];

	for (size_t i = 0; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		if (!strcmp(row[0].s, q->h->name) && !strcmp(row[1].s, iface) &&
		    !strcmp(row[2].s, "loopback"))
			return 1;
	}
	return 0;
}

static int q_sources(struct report_qctx *q)
{
	struct rtable *t = &q->r->tables[RT_SOURCES];
	size_t first = t->nrows;
	uint64_t sum[18] = { 0 };
	int64_t live_secs = 0;
	int live = 0, files = 0, nflog = 0;

	/* query: run kind name iface intervals seconds received kdrop ifdrop nflog enobufs
	 * gaps evict dbfail ip notip unsupported malformed; "intervals" is not shown. */
	static const unsigned qmap[] = { 1, 2, 3, 4, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };

	q->h->live_secs = -1;
	if (report_q_table(q, "sources.sql", RT_SOURCES, qmap, 18) < 0)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		for (unsigned c = 6; c <= 17; c++)
			sum[c] += (uint64_t)row[c].i;
		if (strcmp(row[2].s, "nflog")) {
			q->h->pcap_sources++;
			q->h->lo_captured |= iface_is_loopback(q, row[4].s);
		}
		if (!strcmp(row[2].s, "pcap-live")) {
			live++;
			if (row[5].i > live_secs)
				live_secs = row[5].i;
		} else if (!strcmp(row[2].s, "nflog")) {
			nflog++;
		} else {
			files++;
		}
	}
	if (t->nrows == first) {
		if (q->h->has_flows)
			report_q_note(q, SEC_COMPLETENESS, "No capture statistics cover this period.");
		return 0;
	}
	if (live)
		q->h->live_secs = live_secs;
	q->h->lost = sum[7] + sum[8] + sum[10] + sum[11] + sum[13];
	if (live) {
		int64_t period = (q->r->until_us - q->r->since_us) / USEC;

		char a[32], b[32];

		if (live_secs + 60 < period)
			report_q_note(q, SEC_COMPLETENESS,
				 "Live capture ran for %s of the period's %s: traffic outside that "
				 "time was not seen.", report_duration(live_secs, a, sizeof(a)),
				 report_duration(period, b, sizeof(b)));
	}
	if (files && q->file_mode)
		report_q_note(q, SEC_COMPLETENESS,
			 "The flows of this period came from capture files; their statistics are "
			 "those of the whole files, and losses of the original capture are unknown "
			 "to spoofaudit.");
	if (sum[7] + sum[8] > 0)
		report_q_note(q, SEC_COMPLETENESS,
			 "pcap lost %llu packets in the kernel and %llu at the interface: every "
			 "count in this report is a lower bound.",
			 (unsigned long long)sum[7], (unsigned long long)sum[8]);
	if (sum[10] > 0)
		report_q_note(q, SEC_COMPLETENESS,
			 "NFLOG overran its socket buffer %llu times (ENOBUFS): an unknown number of "
			 "log messages were lost, so NFLOG counts are a lower bound.",
			 (unsigned long long)sum[10]);
	if (sum[11] > 0)
		report_q_note(q, SEC_COMPLETENESS,
			 "NFLOG sequence numbers show %llu messages missing: NFLOG counts are a "
			 "lower bound.", (unsigned long long)sum[11]);
	if (sum[12] > 0)
		report_q_note(q, SEC_COMPLETENESS,
			 "%llu flow-table entries were evicted to bound memory; each was written "
			 "before eviction and merged again by key, so no count was lost.",
			 (unsigned long long)sum[12]);
	if (sum[13] > 0)
		report_q_note(q, SEC_COMPLETENESS,
			 "%llu database writes failed: what they held is missing, so counts are a "
			 "lower bound.", (unsigned long long)sum[13]);
	if (sum[7] + sum[8] + sum[10] + sum[11] + sum[13] == 0)
		report_q_note(q, SEC_COMPLETENESS,
			 "No drops, overruns, sequence gaps or write failures were recorded%s%s.",
			 nflog ? "" : " (no NFLOG source ran)", q->unfinished ?
			 ", but the statistics of the unfinished runs above are missing or end "
			 "early: their losses are unknown" : "");
	return 0;
}

static int q_ifaces(struct report_qctx *q)
{
	static const unsigned map[] = { 1, 2, 3, 4 };

	return report_q_table(q, "ifaces.sql", RT_IFACES, map, 4);
}

static int q_decode(struct report_qctx *q)
{
	static const unsigned map[] = { 1, 2 };

	return report_q_table(q, "decode_errors.sql", RT_DECODE_ERRORS, map, 2);
}

static int q_hostaddrs(struct report_qctx *q)
{
	struct store_rows *s = report_q_open(q, "host_addrs.sql");
	struct report_host *h = q->h;
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		char **a = realloc(h->addrs, (h->naddrs + 1) * sizeof(*a));

		if (!a) {
			q->oom = 1;
			break;
		}
		h->addrs = a;
		if (!(a[h->naddrs] = strdup(store_col_text(s, 0)))) {
			q->oom = 1;
			break;
		}
		h->naddrs++;
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

/* ---- Totals ---- */

struct tot {
	char cls[32], sub[32], iface[64];
	uint64_t p, b, f, pp, pb, pf;
};

static struct tot *tot_find(struct tot **v, size_t *n, const char *cls, const char *sub,
			    const char *iface)
{
	struct tot *t;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].cls, cls) && !strcmp((*v)[i].sub, sub) &&
		    !strcmp((*v)[i].iface, iface))
			return &(*v)[i];
	t = realloc(*v, (*n + 1) * sizeof(**v));
	if (!t)
		return NULL;
	*v = t;
	t = &t[(*n)++];
	memset(t, 0, sizeof(*t));
	snprintf(t->cls, sizeof(t->cls), "%s", cls);
	snprintf(t->sub, sizeof(t->sub), "%s", sub);
	snprintf(t->iface, sizeof(t->iface), "%s", iface);
	return t;
}

static int tot_cmp(const void *a, const void *b)
{
	const struct tot *x = a, *y = b;
	int c = strcmp(x->cls, y->cls);

	if (c)
		return c;
	if ((c = strcmp(x->sub, y->sub)))
		return c;
	return strcmp(x->iface, y->iface);
}

/* Reads totals.sql for [since, until) into v (prev selects the prev_* counters). */
static int totals_read(struct report_qctx *q, struct tot **v, size_t *n, int prev)
{
	struct store_rows *s = report_q_open(q, "totals.sql");
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		struct tot *t = tot_find(v, n, store_col_text(s, 0), store_col_text(s, 1),
					 store_col_text(s, 2));

		if (!t) {
			q->oom = 1;
			break;
		}
		if (prev) {
			t->pp += (uint64_t)store_col_int(s, 3);
			t->pb += (uint64_t)store_col_int(s, 4);
			t->pf += (uint64_t)store_col_int(s, 5);
		} else {
			t->p += (uint64_t)store_col_int(s, 3);
			t->b += (uint64_t)store_col_int(s, 4);
			t->f += (uint64_t)store_col_int(s, 5);
		}
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

static const char *iface_role(struct report_qctx *q, const char *iface)
{
	const struct rtable *t = &q->r->tables[RT_IFACES];

	for (size_t i = 0; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		if (!strcmp(row[0].s, q->h->name) && !strcmp(row[1].s, iface))
			return row[2].s;
	}
	return "";
}

static int q_totals(struct report_qctx *q)
{
	struct report *r = q->r;
	struct tot *v = NULL, *cls = NULL, *ifc = NULL;
	size_t n = 0, ncls = 0, nifc = 0;
	int64_t since = q->since_us, until = q->until_us;
	int ret = -1, pok = q->h->prev_ok;

	if (totals_read(q, &v, &n, 0) < 0)
		goto out;
	q->since_us = r->prev_since_us;
	q->until_us = r->since_us;
	if (totals_read(q, &v, &n, 1) < 0)
		goto out;
	q->since_us = since;
	q->until_us = until;
	if (n)
		qsort(v, n, sizeof(*v), tot_cmp);
	for (size_t i = 0; i < n; i++) {
		struct tot *c = tot_find(&cls, &ncls, v[i].cls, "", "");
		struct tot *f = tot_find(&ifc, &nifc, "", "", v[i].iface);
		struct rcell *row;

		if (!c || !f) {
			q->oom = 1;
			goto out;
		}
		c->p += v[i].p; c->b += v[i].b; c->f += v[i].f;
		c->pp += v[i].pp; c->pb += v[i].pb; c->pf += v[i].pf;
		f->p += v[i].p; f->b += v[i].b; f->f += v[i].f;
		if (report_spoof_class_index(v[i].cls) >= 0)
			f->pp += v[i].p;	/* interface rows: pp = spoofed, pb = loopback */
		else if (!strcmp(v[i].cls, "loopback_flow"))
			f->pb += v[i].p;
		r->packets += v[i].p;
		if (report_spoof_class_index(v[i].cls) >= 0)
			r->spoofed_packets += v[i].p;
		if (!strcmp(v[i].cls, "loopback_flow"))
			r->loopback_packets += v[i].p;
		if (v[i].p == 0 && v[i].f == 0 && !pok)
			continue;	/* only in a previous period we cannot compare with */
		if (!(row = report_q_row_add(q, &r->tables[RT_TOTALS])))
			goto out;
		report_q_text(q, &row[1], v[i].cls);
		report_q_text(q, &row[2], v[i].sub);
		report_q_text(q, &row[3], v[i].iface);
		report_q_int(&row[4], (int64_t)v[i].p);
		report_q_int(&row[5], (int64_t)v[i].b);
		report_q_int(&row[6], (int64_t)v[i].f);
		row[7] = (struct rcell){ .null = !pok, .i = (int64_t)v[i].pp, .s = NULL };
		row[8] = (struct rcell){ .null = !pok, .i = (int64_t)v[i].pb, .s = NULL };
		row[9] = (struct rcell){ .null = !pok, .i = (int64_t)v[i].pf, .s = NULL };
		change_text(q, &row[10], pok, v[i].p, v[i].pp);
	}
	for (size_t i = 0; i < ncls; i++) {
		struct rcell *row;

		if (cls[i].p == 0 && cls[i].f == 0 && !pok)
			continue;
		if (!(row = report_q_row_add(q, &r->tables[RT_TOTALS_CLASS])))
			goto out;
		report_q_text(q, &row[1], cls[i].cls);
		report_q_int(&row[2], (int64_t)cls[i].p);
		report_q_int(&row[3], (int64_t)cls[i].b);
		report_q_int(&row[4], (int64_t)cls[i].f);
		row[5] = (struct rcell){ .null = !pok, .i = (int64_t)cls[i].pp, .s = NULL };
		row[6] = (struct rcell){ .null = !pok, .i = (int64_t)cls[i].pb, .s = NULL };
		row[7] = (struct rcell){ .null = !pok, .i = (int64_t)cls[i].pf, .s = NULL };
		change_text(q, &row[8], pok, cls[i].p, cls[i].pp);
		report_q_text(q, &row[9], report_class_label(cls[i].cls));
	}
	for (size_t i = 0; i < nifc; i++) {
		struct rcell *row;

		if (ifc[i].p == 0)
			continue;
		if (!(row = report_q_row_add(q, &r->tables[RT_TOTALS_IFACE])))
			goto out;
		report_q_text(q, &row[1], ifc[i].iface);
		report_q_text(q, &row[2], iface_role(q, ifc[i].iface));
		report_q_int(&row[3], (int64_t)ifc[i].p);
		report_q_int(&row[4], (int64_t)ifc[i].b);
		report_q_int(&row[5], (int64_t)ifc[i].f);
		report_q_int(&row[6], (int64_t)ifc[i].pp);
		report_q_int(&row[7], (int64_t)ifc[i].pb);
	}
	ret = q->oom ? -1 : 0;
out:
	q->since_us = since;
	q->until_us = until;
	free(v);
	free(cls);
	free(ifc);
	return ret;
}

/* ---- Per database ---- */

static int build_host(struct report *r, int hi, const struct report_opts *o, char *err,
		      size_t errlen)
{
	struct report_host *h = &r->hosts[hi];
	struct report_qctx q = { .r = r, .h = h, .hi = hi, .since_us = r->since_us,
			  .until_us = r->until_us, .ifaces = r->ifaces, .err = err,
			  .errlen = errlen };
	char oerr[512];
	int ret = -1;

	(void)o;
	q.st = store_open(h->path, STORE_OPEN_READONLY, oerr, sizeof(oerr));
	if (!q.st) {
		snprintf(err, errlen, "%s", oerr);
		return -1;
	}
	h->schema_version = store_schema_version(q.st);
	h->unverified_bytes = store_unverified_bytes(q.st);
	if (store_begin(q.st) < 0) {	/* one snapshot for every query */
		snprintf(err, errlen, "%s: %s", h->path, store_errmsg(q.st));
		goto out;
	}
	if (q_range(&q) < 0)
		goto out;
	q.file_mode = h->live_runs == 0 && h->has_flows;
	h->file_mode = q.file_mode;
	h->prev_ok = h->has_data && h->first_bucket <= r->prev_since_us / USEC;
	if (!h->has_data || h->first_bucket >= r->since_us / USEC)
		h->hist_days = 0;
	else if (h->first_bucket <= r->hist_since_us / USEC)
		h->hist_days = REPORT_HISTORY_DAYS;
	else
		h->hist_days = (int)((r->since_us / USEC - h->first_bucket + DAY - 1) / DAY);
	if (!h->has_data)
		report_q_note(&q, SEC_HEADER, "The database holds no flows yet%s.",
			 h->runs_total ? "" : " (no collector has run on it)");
	else if (!h->has_flows) {
		char a[40], b[40];

		report_q_note(&q, SEC_HEADER, "No flows were recorded in this period; the database holds "
			 "flows from %s to %s.",
			 report_format_time(h->first_bucket * USEC, r->utc, TF_MINUTE, a, sizeof(a)),
			 report_format_time((h->last_bucket + 3600) * USEC, r->utc, TF_MINUTE, b,
					    sizeof(b)));
	}
	if (h->has_flows && !h->prev_ok)
		report_q_note(&q, SEC_TOTALS, "The database has no data from the start of the previous "
			 "period of equal length: changes are shown as n/a.");
	if (q_runs(&q) < 0 || q_ifaces(&q) < 0 || q_hostaddrs(&q) < 0 || q_sources(&q) < 0 ||
	    q_decode(&q) < 0 || q_totals(&q) < 0 || report_q_kernel(&q) < 0 || report_q_timeline(&q) < 0 ||
	    report_q_spoofed(&q) < 0 || report_q_flood(&q) < 0 || report_q_nflog(&q) < 0 ||
	    report_q_loopback(&q) < 0 || report_q_policy(&q) < 0 || report_q_verdict(&q) < 0)
		goto out;
	ret = 0;
out:
	if (q.oom)
		snprintf(err, errlen, "out of memory");
	store_rollback(q.st);
	store_close(q.st);
	return q.oom ? -1 : ret;
}

/* "UTC", or the local zone's abbreviations and offset at the start of the period. */
static void tz_label(struct report *r)
{
	time_t t = (time_t)(r->since_us / USEC);
	struct tm tm;
	char off[16];

	if (r->utc) {
		snprintf(r->tz, sizeof(r->tz), "UTC");
		return;
	}
	localtime_r(&t, &tm);
	strftime(off, sizeof(off), "%z", &tm);
	snprintf(r->tz, sizeof(r->tz), "%s, UTC%.3s:%.2s", tm.tm_zone ? tm.tm_zone : "local",
		 off, strlen(off) >= 5 ? off + 3 : "00");
}

/* Where no host captured with pcap (an NFLOG-only run), or none captured loopback, the
 * empty tables say so rather than "None." */
static void say_what_was_not_captured(struct report *r)
{
	int pcap = 0, lo = 0;

	for (unsigned i = 0; i < r->nhosts; i++) {
		pcap |= r->hosts[i].pcap_sources > 0;
		lo |= r->hosts[i].lo_captured;
	}
	r->pcap_ran = pcap;
	if (!pcap)
		r->tables[RT_NFLOG_UNLOGGED].empty =
			"Unknown: pcap did not run in this period (NFLOG only), so nothing shows "
			"which spoofed packets no rule logged.";
	if (!lo)
		r->tables[RT_LOOPBACK_SERVICES].empty =
			"Unknown: loopback was not captured in this period (no pcap source on a "
			"loopback interface).";
}

struct report *report_build(const struct report_opts *o, char *err, size_t errlen)
{
	struct report *r = calloc(1, sizeof(*r));
	int64_t len_us;
	size_t off = 0;

	if (!r)
		goto oom;
	r->since_us = o->since_us;
	r->until_us = o->until_us;
	len_us = o->until_us - o->since_us;
	r->prev_since_us = o->since_us - len_us;
	r->hist_since_us = o->since_us - REPORT_HISTORY_DAYS * DAY * USEC;
	r->generated_us = o->now_us;
	r->utc = o->utc;
	r->limit = o->limit ? o->limit : 10;
	tz_label(r);
	for (unsigned i = 0; i < o->nifaces && off < sizeof(r->ifaces); i++)
		off += (size_t)snprintf(r->ifaces + off, sizeof(r->ifaces) - off, "%s%s,",
					i ? "" : ",", o->ifaces[i]);
	r->nhours = (unsigned)((len_us + 3600 * USEC - 1) / (3600 * USEC));
	if (r->nhours == 0)
		r->nhours = 1;
	r->timeline = calloc((size_t)REPORT_NSPOOF * r->nhours, sizeof(*r->timeline));
	r->hosts = calloc(o->ndbs, sizeof(*r->hosts));
	if (!r->timeline || !r->hosts)
		goto oom;
	for (int t = 0; t < RT_COUNT; t++)
		r->tables[t] = *report_table_template((enum report_table)t);
	r->nhosts = o->ndbs;
	for (unsigned i = 0; i < o->ndbs; i++) {
		const char *base = strrchr(o->dbs[i], '/');

		r->hosts[i].path = strdup(o->dbs[i]);
		r->hosts[i].name = strdup(base ? base + 1 : o->dbs[i]);
		if (!r->hosts[i].path || !r->hosts[i].name)
			goto oom;
	}
	for (unsigned i = 0; i < o->ndbs; i++)
		if (build_host(r, (int)i, o, err, errlen) < 0) {
			report_free(r);
			return NULL;
		}
	if (o->nifaces) {
		struct report_qctx q = { .r = r, .h = &r->hosts[0] };
		unsigned keep = r->nhosts;

		r->nhosts = 1;	/* a note about every host */
		report_q_note(&q, SEC_HEADER, "Only interfaces %s are included.", r->ifaces);
		r->nhosts = keep;
		if (q.oom)
			goto oom;
	}
	if ((r->since_us / USEC) % 3600) {
		struct report_qctx q = { .r = r, .h = &r->hosts[0] };
		unsigned keep = r->nhosts;

		r->nhosts = 1;
		report_q_note(&q, SEC_TIMELINE, "The period does not start on a whole UTC hour: flows "
			 "are counted by the start of their hourly bucket.");
		r->nhosts = keep;
		if (q.oom)
			goto oom;
	}
	say_what_was_not_captured(r);
	if (report_verdict_finish(r) < 0)
		goto oom;
	return r;
oom:
	snprintf(err, errlen, "out of memory");
	report_free(r);
	return NULL;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (int t = 0; t < RT_COUNT; t++) {
		struct rtable *tab = &r->tables[t];

		for (size_t i = 0; i < tab->nrows * tab->ncols; i++)
			free(tab->cells[i].s);
		free(tab->cells);
	}
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i].text);
	free(r->notes);
	for (unsigned i = 0; r->hosts && i < r->nhosts; i++) {
		free(r->hosts[i].path);
		free(r->hosts[i].name);
		for (size_t j = 0; j < r->hosts[i].naddrs; j++)
			free(r->hosts[i].addrs[j]);
		free(r->hosts[i].addrs);
	}
	free(r->hosts);
	free(r->timeline);
	report_verdict_free(&r->verdict);
	free(r);
}
