/* This file is the flood benchmark's baseline: it loads every flow row a collector
 * stored in SRC.db into memory, then inserts the same rows into a fresh database with the
 * same schema (created by store_open) using one prepared INSERT in one transaction, and
 * prints the rows per second of that insert alone.
 * Usage: insert_baseline SRC.db DST.db */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "common/util.h"

/* every column the collector writes, its key hash (migration 9) too */
#define NCOLS 22
static const char *const cols =
	"bucket, iface, dir, family, src, dst, src_bin, dst_bin, proto, sport, dport, class, "
	"subclass, packets, bytes, first_usec, last_usec, ttl_min, ttl_max, tcp_flags, seen_by, "
	"khash";

struct cell {
	int type;
	sqlite3_int64 i;
	void *p;
	int n;
};

int main(int argc, char **argv)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_stmt *sel = NULL, *ins = NULL;
	struct store *st;
	struct cell *rows = NULL;
	size_t n = 0, cap = 0, r;
	char err[512], sql[1024];
	uint64_t t0, t1;
	int c, ret = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: insert_baseline SRC.db DST.db\n");
		return 2;
	}
	st = store_open(argv[2], STORE_OPEN_CREATE, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "%s: %s\n", argv[2], err);
		return 1;
	}
	store_close(st);
	if (sqlite3_open_v2(argv[1], &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open(argv[2], &dst) != SQLITE_OK)
		goto out;
	snprintf(sql, sizeof(sql), "SELECT %s FROM flows", cols);
	if (sqlite3_prepare_v2(src, sql, -1, &sel, NULL) != SQLITE_OK)
		goto out;
	while (sqlite3_step(sel) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			rows = realloc(rows, cap * NCOLS * sizeof(*rows));
			if (!rows)
				goto out;
		}
		for (c = 0; c < NCOLS; c++) {
			struct cell *ce = &rows[n * NCOLS + (size_t)c];

			ce->type = sqlite3_column_type(sel, c);
			ce->p = NULL;
			if (ce->type == SQLITE_INTEGER) {
				ce->i = sqlite3_column_int64(sel, c);
			} else if (ce->type == SQLITE_TEXT || ce->type == SQLITE_BLOB) {
				const void *b = ce->type == SQLITE_TEXT ?
					(const void *)sqlite3_column_text(sel, c) : sqlite3_column_blob(sel, c);

				ce->n = sqlite3_column_bytes(sel, c);
				ce->p = malloc((size_t)ce->n + 1);
				if (!ce->p)
					goto out;
				memcpy(ce->p, b, (size_t)ce->n);
			}
		}
		n++;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO flows(%s) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", cols);
	sqlite3_exec(dst, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
	if (sqlite3_prepare_v2(dst, sql, -1, &ins, NULL) != SQLITE_OK)
		goto out;
	t0 = util_mono_usec();
	sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL);
	for (r = 0; r < n; r++) {
		for (c = 0; c < NCOLS; c++) {
			struct cell *ce = &rows[r * NCOLS + (size_t)c];

			if (ce->type == SQLITE_INTEGER)
				sqlite3_bind_int64(ins, c + 1, ce->i);
			else if (ce->type == SQLITE_TEXT)
				sqlite3_bind_text(ins, c + 1, ce->p, ce->n, SQLITE_STATIC);
			else if (ce->type == SQLITE_BLOB)
				sqlite3_bind_blob(ins, c + 1, ce->p, ce->n, SQLITE_STATIC);
			else
				sqlite3_bind_null(ins, c + 1);
		}
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto out;
		sqlite3_reset(ins);
	}
	if (sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	t1 = util_mono_usec();
	printf("baseline_rows %zu\nbaseline_seconds %.3f\nbaseline_rows_per_s %.0f\n", n,
	       (double)(t1 - t0) / 1e6, (double)n * 1e6 / (double)(t1 - t0 ? t1 - t0 : 1));
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "insert_baseline: %s\n", dst ? sqlite3_errmsg(dst) : "cannot open");
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sqlite3_close(src);
	sqlite3_close(dst);
	for (r = 0; rows && r < n * NCOLS; r++)
		free(rows[r].p);
	free(rows);
	return ret;
}
