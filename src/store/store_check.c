/* This file is the read side of `check`: it iterates the stored flows of a period and
 * walks the host context (interfaces, sysctls, addresses) of the runs that cover it. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define STORE_FLOWS_MMAP	"1073741824"	/* bytes of the file mapped at most */

struct store_flow_iter {
	struct store *st;
	sqlite3_stmt *s;
	struct store *own;	/* a reader's own connection (store_flows_split), closed with it */
	int64_t lo, hi;		/* store_flows_split: the ids of its rows lie in [lo, hi] */
	int bounded;
};

/* The flows of [since, until) (until <= 0: no bound) with row ids in [lo, hi], on st. */
static struct store_flow_iter *flows_open(struct store *st, int64_t since, int64_t until,
					  int64_t lo, int64_t hi)
{
	static const char sql[] =
		"SELECT id, bucket, iface, dir, family, src_bin, dst_bin, proto, sport, dport,"
		" class, subclass, packets, bytes, first_usec, last_usec, tcp_flags,"
		" coalesce(counted_packets, packets), pre_reply, ttl_min, ttl_max"
		" FROM flows WHERE id >= ?3 AND id <= ?4"
		" AND bucket >= ?1 AND (?2 <= 0 OR bucket < ?2) ORDER BY id";
	struct store_flow_iter *it = calloc(1, sizeof(*it));

	if (!it) {
		store_set_err(st, "reading flows: out of memory");
		return NULL;
	}
	it->st = st;
	/* a read-only scan maps the file rather than copying every page out of the kernel's
	 * cache (about a fifth of the read time of a million flows); best effort */
	if (st->readonly)
		sqlite3_exec(st->db, "PRAGMA mmap_size = " STORE_FLOWS_MMAP, NULL, NULL, NULL);
	if (sqlite3_prepare_v2(st->db, sql, -1, &it->s, NULL) != SQLITE_OK) {
		store_set_err(st, "reading flows: %s", sqlite3_errmsg(st->db));
		free(it);
		return NULL;
	}
	sqlite3_bind_int64(it->s, 1, since);
	sqlite3_bind_int64(it->s, 2, until);
	sqlite3_bind_int64(it->s, 3, lo);
	sqlite3_bind_int64(it->s, 4, hi);
	return it;
}

struct store_flow_iter *store_flows_open(struct store *st, int64_t since, int64_t until)
{
	return flows_open(st, since, until, INT64_MIN, INT64_MAX);
}

/* PRAGMA data_version of c (outside any transaction): it changes when another
 * connection commits. -1 on error. */
static int64_t data_version(struct store *c)
{
	int64_t v;

	return store_query_i64(c, "PRAGMA data_version", &v) < 0 ? -1 : v;
}

/* Begins read transactions on st and on the n twins, each with its snapshot taken (a
 * read); watched by c, the snapshots are one when no commit came between the first and
 * the last. Returns 1 so, 0 when one came (the caller ends the transactions and tries
 * again), -1 on error. [*lo, *hi]: the flows' row ids. */
static int begin_snapshots(struct store *st, struct store **tw, unsigned n, struct store *c,
			   int64_t *lo, int64_t *hi)
{
	int64_t v0 = data_version(c), v1;
	unsigned i;

	if (v0 < 0 || store_begin(st) < 0)
		return -1;
	if (store_query_i64(st, "SELECT coalesce(min(id), 0) FROM flows", lo) < 0 ||
	    store_query_i64(st, "SELECT coalesce(max(id), 0) FROM flows", hi) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		int64_t x;

		if (store_exec(tw[i], "BEGIN", "reading flows") < 0 ||
		    store_query_i64(tw[i], "SELECT coalesce(max(id), 0) FROM flows", &x) < 0) {
			store_set_err(st, "%s", tw[i]->err);
			return -1;
		}
	}
	v1 = data_version(c);
	return v1 < 0 ? -1 : v1 == v0;
}

static void end_snapshots(struct store *st, struct store **tw, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sqlite3_exec(tw[i]->db, "COMMIT", NULL, NULL, NULL);
	store_commit(st);
}

unsigned store_flows_split(struct store *st, int64_t since, int64_t until, unsigned n,
			   int64_t min_rows, struct store_flow_iter **its)
{
	struct store *tw[STORE_SPLIT_MAX], *c = NULL;
	int64_t lo = 0, hi = 0;
	unsigned i, got = 0, tries;
	int rc = 0;
	char err[256];

	memset(tw, 0, sizeof(tw));
	if (n > STORE_SPLIT_MAX)
		n = STORE_SPLIT_MAX;
	if (n < 1)
		n = 1;
	for (i = 1; i < n; i++)	/* no second connection, no split: not an error */
		if (!(tw[i - 1] = store_open_twin(st, err, sizeof(err))))
			break;
	n = i;
	if (n > 1)
		c = store_open_twin(st, err, sizeof(err));
	for (tries = 0; c && tries < 3; tries++) {
		rc = begin_snapshots(st, tw, n - 1, c, &lo, &hi);
		if (rc != 0)
			break;
		end_snapshots(st, tw, n - 1);
	}
	store_close(c);
	if (rc < 0)
		goto out;
	if (rc == 1 && hi - lo + 1 < min_rows * (int64_t)n)
		end_snapshots(st, tw, n - 1);	/* too few rows to share */
	if (rc == 0 || hi - lo + 1 < min_rows * (int64_t)n) {
		n = 1;	/* one reader: st alone, in one transaction */
		if (store_begin(st) < 0)
			goto out;
	}
	for (i = 0; i < n; i++) {
		struct store *on = i ? tw[i - 1] : st;
		int64_t a = lo + (hi - lo + 1) / n * i, b = lo + (hi - lo + 1) / n * (i + 1) - 1;

		if (i == 0)
			a = INT64_MIN;
		if (i == n - 1)
			b = INT64_MAX;
		its[i] = flows_open(on, since, until, a, b);
		if (!its[i]) {
			if (on != st)
				store_set_err(st, "%s", on->err);
			goto out;
		}
		if (n > 1) {	/* lo and hi were read in the snapshot of every reader */
			its[i]->lo = i == 0 ? lo : a;
			its[i]->hi = i == n - 1 ? hi : b;
			its[i]->bounded = 1;
		}
		if (on != st) {
			its[i]->own = on;
			tw[i - 1] = NULL;
		}
		got++;
	}
	rc = 1;
out:
	for (i = 0; i < STORE_SPLIT_MAX; i++)
		store_close(tw[i]);
	if (rc != 1) {
		for (i = 0; i < got; i++)
			store_flows_close(its[i]);
		return 0;
	}
	return got;
}

static void col_copy(sqlite3_stmt *s, int col, char *dst, size_t len)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = t ? (size_t)sqlite3_column_bytes(s, col) : 0;

	if (n >= len)	/* truncated as snprintf would (check reads 1 M rows: no printf) */
		n = len - 1;
	if (n)
		memcpy(dst, t, n);
	dst[n] = '\0';
}

int store_flows_next(struct store_flow_iter *it, struct store_flow *f)
{
	sqlite3_stmt *s = it->s;
	int rc = sqlite3_step(s);
	const void *b;

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		store_set_err(it->st, "reading flows: %s", sqlite3_errmsg(it->st->db));
		return -1;
	}
	f->id = sqlite3_column_int64(s, 0);
	f->bucket = sqlite3_column_int64(s, 1);
	col_copy(s, 2, f->iface, sizeof(f->iface));
	col_copy(s, 3, f->dir, sizeof(f->dir));
	f->family = sqlite3_column_int(s, 4);
	b = sqlite3_column_blob(s, 5);
	if (b && sqlite3_column_bytes(s, 5) == 16)
		memcpy(f->src, b, 16);
	else
		memset(f->src, 0, 16);
	b = sqlite3_column_blob(s, 6);
	if (b && sqlite3_column_bytes(s, 6) == 16)
		memcpy(f->dst, b, 16);
	else
		memset(f->dst, 0, 16);
	f->proto = sqlite3_column_int(s, 7);
	f->sport = (unsigned)sqlite3_column_int(s, 8);
	f->dport = (unsigned)sqlite3_column_int(s, 9);
	col_copy(s, 10, f->cls, sizeof(f->cls));
	col_copy(s, 11, f->subclass, sizeof(f->subclass));
	f->packets = (uint64_t)sqlite3_column_int64(s, 12);
	f->bytes = (uint64_t)sqlite3_column_int64(s, 13);
	f->first_usec = sqlite3_column_int64(s, 14);
	f->last_usec = sqlite3_column_int64(s, 15);
	f->tcp_flags = (unsigned)sqlite3_column_int(s, 16);
	f->counted = (uint64_t)sqlite3_column_int64(s, 17);
	if (f->counted > f->packets)
		f->counted = f->packets;
	f->pre_known = 0;
	if (sqlite3_column_type(s, 18) != SQLITE_NULL) {
		int64_t p = sqlite3_column_int64(s, 18);

		/* a count this row cannot hold stays unknown */
		f->pre_known = p >= 0 && (uint64_t)p <= f->counted;
		f->pre_reply = f->pre_known ? (uint64_t)p : 0;
	}
	{
		int lo = sqlite3_column_int(s, 19), hi = sqlite3_column_int(s, 20);

		/* a row with no packet keeps the empty range the collector starts with (255,
		 * 0); a value out of 0..255 is not a TTL */
		f->ttl_known = f->packets > 0 && lo >= 0 && lo <= hi && hi <= 255;
		f->ttl_min = f->ttl_known ? (unsigned)lo : 0;
		f->ttl_max = f->ttl_known ? (unsigned)hi : 0;
	}
	return 1;
}

void store_flows_close(struct store_flow_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->s);
	if (it->own) {
		sqlite3_exec(it->own->db, "COMMIT", NULL, NULL, NULL);
		store_close(it->own);
	}
	free(it);
}

int store_flows_range(const struct store_flow_iter *it, int64_t *lo, int64_t *hi)
{
	if (!it->bounded)
		return 0;
	*lo = it->lo;
	*hi = it->hi;
	return 1;
}

const char *store_flows_errmsg(const struct store_flow_iter *it)
{
	return store_errmsg(it->st);
}

int store_context_each(struct store *st, int64_t since, int64_t until,
		       int (*fn)(void *arg, const struct store_ctx_row *row), void *arg)
{
	/* runs overlapping the period; when none does (a DB collected from files carries
	 * file times in its flows but wall-clock run times), every run */
	static const char runs_sql[] =
		"WITH sel AS (SELECT id FROM runs WHERE started_usec < ?2 * 1000000"
		" AND (ended_usec IS NULL OR ended_usec >= ?1 * 1000000)),"
		" r AS (SELECT id FROM sel UNION ALL SELECT id FROM runs"
		" WHERE NOT EXISTS (SELECT 1 FROM sel))"
		" SELECT 'i', run_id, name, role, prefixes, 0, 0 FROM ifaces WHERE run_id IN r"
		" UNION ALL SELECT 'k', run_id, scope, key, value, 0, 0 FROM kernel_ctx"
		" WHERE run_id IN r"
		" UNION ALL SELECT 'h', run_id, coalesce(iface, ''), addr, '', plen, family"
		" FROM host_addrs WHERE run_id IN r ORDER BY 2";
	sqlite3_stmt *s;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(st->db, runs_sql, -1, &s, NULL) != SQLITE_OK) {
		store_set_err(st, "reading host context: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	sqlite3_bind_int64(s, 1, since);
	sqlite3_bind_int64(s, 2, until > 0 ? until : INT64_MAX / 1000000);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_ctx_row row;
		const unsigned char *k = sqlite3_column_text(s, 0);
		const unsigned char *a = sqlite3_column_text(s, 2), *b = sqlite3_column_text(s, 3),
				    *c = sqlite3_column_text(s, 4);

		row.kind = k ? (char)k[0] : '?';
		row.a = a ? (const char *)a : "";
		row.b = b ? (const char *)b : "";
		row.c = c ? (const char *)c : "";
		row.n = sqlite3_column_int(s, 5);
		row.family = sqlite3_column_int(s, 6);
		if (fn(arg, &row))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_set_err(st, "reading host context: %s", sqlite3_errmsg(st->db));
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}
