/* This file writes and reads the suspect_src class's tables: the hop counts learned per
 * source prefix (hopcount) and the flood episodes (flood_episodes), migration 7. */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

#define HIST_JSON_MAX (256 * 17 + 4)

static int prepare(struct store *st, const char *sql, sqlite3_stmt **s, const char *what)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK) {
		store_sql_err(st, what);
		return -1;
	}
	return 0;
}

int store_hop_merge(struct store *st, const struct hop_row *rows, size_t n)
{
	static const char sql[] =
		"INSERT INTO hopcount(prefix, family, prefix_bin, hops_lo, hops_hi, proofs,"
		" first_seen, last_seen) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT(prefix) DO UPDATE SET hops_lo = min(hops_lo, excluded.hops_lo),"
		" hops_hi = max(hops_hi, excluded.hops_hi), proofs = max(proofs, excluded.proofs),"
		" first_seen = min(first_seen, excluded.first_seen),"
		" last_seen = max(last_seen, excluded.last_seen)";
	sqlite3_stmt *s = NULL;
	char text[PREFIX_STRLEN];
	int ret = -1;
	size_t i;

	if (!n)
		return 0;
	if (prepare(st, sql, &s, "writing learned hop counts") < 0)
		return store_write_failed(st, "writing learned hop counts");
	for (i = 0; i < n; i++) {
		const struct hop_row *r = &rows[i];
		struct prefix p;

		memset(&p, 0, sizeof(p));
		p.family = r->family;
		p.plen = r->family == 4 ? 24 : 48;
		memcpy(p.addr, r->prefix, 16);
		prefix_format(&p, text, sizeof(text));
		sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 2, r->family);
		sqlite3_bind_blob(s, 3, r->prefix, 16, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 4, r->lo);
		sqlite3_bind_int(s, 5, r->hi);
		sqlite3_bind_int64(s, 6, r->n);
		sqlite3_bind_int64(s, 7, r->first_s);
		sqlite3_bind_int64(s, 8, r->last_s);
		if (store_step_write(st, s, "writing learned hop counts") < 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/* The TTL histogram as JSON [[ttl, count], ...] into buf (256 pairs of at most 17 bytes fit
 * in HIST_JSON_MAX). */
static void hist_json(const uint32_t *h, char *buf, size_t len)
{
	size_t off = 0;
	int t, first = 1, n;

	buf[off++] = '[';
	for (t = 0; t < 256; t++) {
		if (!h[t])
			continue;
		n = snprintf(buf + off, len - off, "%s[%d,%u]", first ? "" : ",", t, h[t]);
		if (n < 0 || (size_t)n >= len - off - 2)
			break;
		off += (size_t)n;
		first = 0;
	}
	buf[off++] = ']';
	buf[off] = 0;
}

int store_flood_add(struct store *st, int64_t run_id, const struct flood_episode *eps, size_t n)
{
	static const char sql[] =
		"INSERT INTO flood_episodes(run_id, family, dst, proto, dport, start_usec,"
		" end_usec, packets, flagged, sources, ttl_lo, ttl_hi, ttl_hist)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
	sqlite3_stmt *s = NULL;
	char dst[ADDR_STRLEN], hist[HIST_JSON_MAX];
	int ret = -1;
	size_t i;

	if (!n)
		return 0;
	if (prepare(st, sql, &s, "writing flood episodes") < 0)
		return store_write_failed(st, "writing flood episodes");
	for (i = 0; i < n; i++) {
		const struct flood_episode *e = &eps[i];

		addr_format(e->family, e->dst, dst, sizeof(dst));
		hist_json(e->hist, hist, sizeof(hist));
		if (run_id > 0)
			sqlite3_bind_int64(s, 1, run_id);
		else
			sqlite3_bind_null(s, 1);
		sqlite3_bind_int(s, 2, e->family);
		sqlite3_bind_text(s, 3, dst, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(s, 4, e->proto);
		sqlite3_bind_int(s, 5, e->dport);
		sqlite3_bind_int64(s, 6, store_i64(e->start_usec));
		sqlite3_bind_int64(s, 7, store_i64(e->end_usec));
		sqlite3_bind_int64(s, 8, store_i64(e->packets));
		sqlite3_bind_int64(s, 9, store_i64(e->flagged));
		sqlite3_bind_int64(s, 10, e->sources);
		sqlite3_bind_int(s, 11, e->band_lo);
		sqlite3_bind_int(s, 12, e->band_hi);
		sqlite3_bind_text(s, 13, hist, -1, SQLITE_TRANSIENT);
		if (store_step_write(st, s, "writing flood episodes") < 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int store_hop_load(struct store *st, int (*cb)(void *arg, const struct hop_row *r), void *arg)
{
	static const char sql[] =
		"SELECT family, prefix_bin, hops_lo, hops_hi, proofs, first_seen, last_seen"
		" FROM hopcount ORDER BY last_seen";
	sqlite3_stmt *s = NULL;
	int ret = -1, rc;

	if (prepare(st, sql, &s, "reading learned hop counts") < 0)
		return -1;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct hop_row r;
		const void *b = sqlite3_column_blob(s, 1);
		sqlite3_int64 v[5];
		int i;

		memset(&r, 0, sizeof(r));
		for (i = 0; i < 5; i++)
			v[i] = sqlite3_column_int64(s, i + 2);
		if (!b || sqlite3_column_bytes(s, 1) != 16 || v[0] < 0 || v[1] > 255 ||
		    v[0] > v[1] || v[2] <= 0 || v[3] < 0 || v[4] < 0 || v[3] > UINT32_MAX ||
		    v[4] > UINT32_MAX)
			continue;	/* the CHECKs keep these out; skip rather than trust */
		r.family = (uint8_t)sqlite3_column_int(s, 0);
		memcpy(r.prefix, b, 16);
		r.lo = (uint8_t)v[0];
		r.hi = (uint8_t)v[1];
		r.n = v[2] > UINT32_MAX ? UINT32_MAX : (uint32_t)v[2];
		r.first_s = (uint32_t)v[3];
		r.last_s = (uint32_t)v[4];
		if (cb(arg, &r) < 0) {
			store_set_err(st, "reading learned hop counts: stopped by the caller");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		store_sql_err(st, "reading learned hop counts");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}
