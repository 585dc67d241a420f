/* This file keeps flows_hourly (migration 10), the hourly rollup the report's totals
 * read (and, through store_spoof_rollup.c, spoof_hourly and loopback_hourly, migrations 11 and 12): the writers' per-flush sums (store_rollup_flow, store_rollup_write) and the
 * recomputation of a range of hours from the flows (store_rollup_rebuild). */
#include "store/store_rollup.h"

#include <stdlib.h>
#include <string.h>

#include "classify/addrclass.h"
#include "classify/classify.h"

#define HOUR 3600
#define DAY 86400

/* One hour and key of the rollup, with what a flush adds to it. */
struct rollup_ent {
	int64_t hour;
	uint16_t iface;
	uint8_t dir, family, cls, subclass;
	uint64_t packets, bytes, flows, first_usec, last_usec;
};

static const char upsert_sql[] =
	"INSERT INTO flows_hourly(bucket, class, subclass, iface, dir, family, packets, bytes,"
	" flows, first_usec, last_usec) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	" ON CONFLICT(bucket, class, subclass, iface, dir, family) DO UPDATE SET"
	" packets = packets + excluded.packets, bytes = bytes + excluded.bytes,"
	" flows = flows + excluded.flows, first_usec = min(first_usec, excluded.first_usec),"
	" last_usec = max(last_usec, excluded.last_usec)";

/* The start of the hour t is in, rounded toward the past. */
static int64_t hour_of(int64_t t)
{
	int64_t m = t % HOUR;

	return t - (m < 0 ? m + HOUR : m);
}

/* The start of the UTC day t is in, rounded toward the past. */
static int64_t day_of(int64_t t)
{
	int64_t m = t % DAY;

	return t - (m < 0 ? m + DAY : m);
}

static uint64_t ent_hash(int64_t hour, const struct flow_key *k)
{
	uint64_t h = (uint64_t)hour * 0x9E3779B97F4A7C15ull;

	h ^= (uint64_t)k->iface << 40 | (uint64_t)k->dir << 32 | (uint64_t)k->family << 24 |
	     (uint64_t)k->cls << 16 | (uint64_t)k->subclass;
	h *= 0xBF58476D1CE4E5B9ull;
	return h ^ (h >> 31);
}

static int ent_is(const struct rollup_ent *e, int64_t hour, const struct flow_key *k)
{
	return e->hour == hour && e->iface == k->iface && e->dir == k->dir &&
	       e->family == k->family && e->cls == k->cls && e->subclass == k->subclass;
}

/* Doubles the slot table (and rehashes) so that it stays under half full. */
static int grow_slots(struct store_rollup *r)
{
	size_t ns = r->nslots ? r->nslots * 2 : 256, i;
	uint32_t *s;

	if (ns > UINT32_MAX / 2 || !(s = calloc(ns, sizeof(*s))))
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct rollup_ent *e = &r->e[i];
		struct flow_key k = { .iface = e->iface, .dir = e->dir, .family = e->family,
				      .cls = e->cls, .subclass = e->subclass };
		size_t j = ent_hash(e->hour, &k) & (ns - 1);

		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(r->slots);
	r->slots = s;
	r->nslots = ns;
	return 0;
}

/* The entry of k's hour and key, added (zero) when new; NULL when out of memory. */
static struct rollup_ent *ent_get(struct store_rollup *r, const struct flow_key *k)
{
	int64_t hour = hour_of(k->bucket);
	struct rollup_ent *e;
	size_t j;

	if ((r->n + 1) * 2 > r->nslots && grow_slots(r) < 0)
		return NULL;
	for (j = ent_hash(hour, k) & (r->nslots - 1); r->slots[j]; j = (j + 1) & (r->nslots - 1))
		if (ent_is(&r->e[r->slots[j] - 1], hour, k))
			return &r->e[r->slots[j] - 1];
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;

		e = realloc(r->e, cap * sizeof(*e));
		if (!e)
			return NULL;
		r->e = e;
		r->cap = cap;
	}
	e = &r->e[r->n];
	memset(e, 0, sizeof(*e));
	e->hour = hour;
	e->iface = k->iface;
	e->dir = k->dir;
	e->family = k->family;
	e->cls = k->cls;
	e->subclass = k->subclass;
	e->first_usec = UINT64_MAX;
	r->slots[j] = (uint32_t)++r->n;
	return e;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

int store_rollup_flow(struct store *st, struct store_rollup *r, const struct flow_key *k,
		      const struct flow_counts *d, int64_t db_id, const char *const *ifnames,
		      int64_t *id)
{
	struct rollup_ent *e;
	int inserted;

	/* the merge inserts a row iff it sets the last insert rowid (flows has rowids) */
	sqlite3_set_last_insert_rowid(st->db, 0);
	if (store_flow_merge(st, k, d, db_id, ifnames, id) < 0)
		return -1;
	inserted = sqlite3_last_insert_rowid(st->db) != 0;
	e = ent_get(r, k);
	if (!e) {
		store_set_err(st, "writing flows: out of memory for the hourly rollup");
		return -1;
	}
	e->packets = add_sat(e->packets, d->packets);
	e->bytes = add_sat(e->bytes, d->bytes);
	e->flows += (uint64_t)inserted;
	if (d->first_usec < e->first_usec)
		e->first_usec = d->first_usec;
	if (d->last_usec > e->last_usec)
		e->last_usec = d->last_usec;
	if (store_spoof_add(&r->sp, k, d, inserted) < 0 ||
	    store_loop_add(&r->lp, k, d, inserted) < 0) {
		store_set_err(st, "writing flows: out of memory for the spoofed or loopback hourly rollup");
		return -1;
	}
	return 0;
}

int store_rollup_write(struct store *st, struct store_rollup *r, const char *const *ifnames)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;
	size_t i;

	if (store_spoof_write(st, &r->sp, ifnames) < 0 || store_loop_write(st, &r->lp, ifnames) < 0) {
		store_spoof_clear(&r->lp);	/* when the spoofed write failed first */
		st->write_failures++;
		r->n = 0;
		if (r->slots)
			memset(r->slots, 0, r->nslots * sizeof(*r->slots));
		return -1;
	}
	if (r->n == 0)
		return 0;
	if (sqlite3_prepare_v2(st->db, upsert_sql, -1, &s, NULL) != SQLITE_OK) {
		store_sql_err(st, "writing the hourly rollup");
		goto out;
	}
	for (i = 0; i < r->n; i++) {
		const struct rollup_ent *e = &r->e[i];
		const char *cls = classify_class_name((enum spoof_class)e->cls);
		const char *sub = addrclass_subclass_name((enum addr_subclass)e->subclass);
		const char *dir = store_dir_name(e->dir), *ifn = ifnames ? ifnames[e->iface] : NULL;

		if (!cls || !sub || !dir || !ifn) {	/* the merge took the key: cannot be */
			store_set_err(st, "writing the hourly rollup: bad flow key");
			goto out;
		}
		sqlite3_bind_int64(s, 1, e->hour);
		sqlite3_bind_text(s, 2, cls, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, sub, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, ifn, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, dir, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 6, e->family);
		sqlite3_bind_int64(s, 7, store_i64(e->packets));
		sqlite3_bind_int64(s, 8, store_i64(e->bytes));
		sqlite3_bind_int64(s, 9, store_i64(e->flows));
		sqlite3_bind_int64(s, 10, store_i64(e->first_usec));
		sqlite3_bind_int64(s, 11, store_i64(e->last_usec));
		if (store_step_done(st, s, "writing the hourly rollup") < 0)
			goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		st->write_failures++;
	sqlite3_finalize(s);
	r->n = 0;
	if (r->slots)
		memset(r->slots, 0, r->nslots * sizeof(*r->slots));
	return ret;
}

void store_rollup_free(struct store_rollup *r)
{
	store_spoof_free(&r->sp);
	store_spoof_free(&r->lp);
	free(r->e);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}

int store_rollup_rebuild(struct store *st, int64_t from, int64_t until)
{
	static const char sql[] =
		"DELETE FROM flows_hourly WHERE bucket >= ?1 AND bucket < ?2;"
		"INSERT INTO flows_hourly(bucket, class, subclass, iface, dir, family, packets,"
		" bytes, flows, first_usec, last_usec)"
		" SELECT bucket - (bucket % 3600 + 3600) % 3600 AS hour, class, subclass, iface,"
		" dir, family, sum(coalesce(counted_packets, packets)),"
		" sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)"
		" FROM flows WHERE bucket >= ?1 AND bucket < ?2"
		" GROUP BY hour, class, subclass, iface, dir, family;"
		"DELETE FROM spoof_hourly WHERE bucket >= ?1 AND bucket < ?2;"
		"INSERT INTO spoof_hourly(bucket, src, class, subclass, iface, proto, dport,"
		" packets, bytes, flows, first_usec, last_usec)"
		" SELECT bucket - (bucket % 3600 + 3600) % 3600 AS hour, src, class, subclass,"
		" iface, proto, dport, sum(coalesce(counted_packets, packets)),"
		" sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)"
		" FROM flows WHERE class NOT IN ('normal', 'loopback_flow')"
		" AND class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src', 'bogon_src',"
		" 'unexpected_src', 'rpf_fail', 'suspect_src') AND bucket >= ?1 AND bucket < ?2"
		" GROUP BY hour, src, class, subclass, iface, proto, dport;"
		"DELETE FROM loopback_hourly WHERE bucket >= ?1 AND bucket < ?2;"
		"INSERT INTO loopback_hourly(bucket, iface, proto, sport, dport, src, dst, src_bin,"
		" dst_bin, packets, bytes, flows, first_usec, last_usec)"
		" SELECT bucket - (bucket % 3600 + 3600) % 3600 AS hour, iface, proto, sport, dport,"
		" src, dst, min(src_bin), min(dst_bin), sum(coalesce(counted_packets, packets)),"
		" sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)"
		" FROM flows WHERE class = 'loopback_flow' AND bucket >= ?1 AND bucket < ?2"
		" GROUP BY hour, iface, proto, sport, dport, src, dst";
	const char *tail = sql;
	sqlite3_stmt *s = NULL;
	int outer;

	if (from > INT64_MIN + HOUR)
		from = hour_of(from);
	if (until < INT64_MAX - HOUR)
		until = hour_of(until + HOUR - 1);
	if (store_sp_begin(st, &outer, "rebuilding the hourly rollup") < 0)
		return -1;
	while (*tail) {
		if (sqlite3_prepare_v2(st->db, tail, -1, &s, &tail) != SQLITE_OK) {
			store_sql_err(st, "rebuilding the hourly rollup");
			goto fail;
		}
		if (!s)
			break;
		sqlite3_bind_int64(s, 1, from);
		sqlite3_bind_int64(s, 2, until);
		if (store_step_done(st, s, "rebuilding the hourly rollup") < 0)
			goto fail;
		sqlite3_finalize(s);
		s = NULL;
	}
	if (store_srcday_rebuild(st, from, until) < 0)
		goto fail;
	return store_sp_end(st, outer, "rebuilding the hourly rollup");
fail:
	sqlite3_finalize(s);
	store_sp_abort(st, outer);
	return -1;
}

int store_srcday_rebuild(struct store *st, int64_t from, int64_t until)
{
	static const char what[] = "recomputing the spoofed sources per day";
	static const char *const sql[] = {
		"DELETE FROM spoof_src_daily WHERE day >= ?1 AND day < ?2",
		"INSERT INTO spoof_src_daily(day, src, iface, hours)"
		" SELECT bucket - (bucket % 86400 + 86400) % 86400 AS d, src, iface,"
		" sum(DISTINCT 1 << ((bucket % 86400 + 86400) % 86400 / 3600)) FROM spoof_hourly"
		" WHERE class IN ('spoof_loopback_src', 'own_addr_src', 'bogon_src',"
		" 'unexpected_src', 'rpf_fail', 'suspect_src') AND bucket >= ?1 AND bucket < ?2"
		" GROUP BY d, src, iface",
	};
	sqlite3_stmt *s;
	size_t i;

	if (from > INT64_MIN + DAY)
		from = day_of(from);
	if (until < INT64_MAX - DAY)
		until = day_of(until + DAY - 1);
	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++) {
		if (sqlite3_prepare_v2(st->db, sql[i], -1, &s, NULL) != SQLITE_OK) {
			store_sql_err(st, what);
			return -1;
		}
		sqlite3_bind_int64(s, 1, from);
		sqlite3_bind_int64(s, 2, until);
		if (store_step_done(st, s, what) < 0) {
			sqlite3_finalize(s);
			return -1;
		}
		sqlite3_finalize(s);
	}
	return 0;
}
