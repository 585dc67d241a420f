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
};

struct store_flow_iter *store_flows_open(struct store *st, int64_t since, int64_t until)
{
	static const char sql[] =
		"SELECT id, bucket, iface, dir, family, src_bin, dst_bin, proto, sport, dport,"
		" class, subclass, packets, bytes, first_usec, last_usec, tcp_flags"
		" FROM flows WHERE bucket >= ?1 AND (?2 <= 0 OR bucket < ?2) ORDER BY id";
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
	return it;
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
	return 1;
}

void store_flows_close(struct store_flow_iter *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->s);
	free(it);
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
