/* This file is the flood benchmark's baseline: it loads every flow row a collector
 * stored in SRC.db into memory, then inserts the same rows into a fresh database with the
 * same schema (created by store_open) using one prepared INSERT in one transaction, and
 * prints the rows per second of that insert alone.
 * With NARROW.db it then measures the floor of any one-row-per-flow SQLite design: the
 * same rows into a fresh file (the store's pragmas) holding one heap table with no index,
 * no CHECK and no text: the interface, direction, class and subclass as small integers
 * (coded before the clock starts, as a collector holds them), the addresses only as
 * their 16-byte forms, no key hash.
 * Usage: insert_baseline SRC.db DST.db [NARROW.db] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* Binds the n cells of one row to ins's parameters 1..n. */
static void bind_row(sqlite3_stmt *ins, const struct cell *row, int n)
{
	for (int c = 0; c < n; c++) {
		const struct cell *ce = &row[c];

		if (ce->type == SQLITE_INTEGER)
			sqlite3_bind_int64(ins, c + 1, ce->i);
		else if (ce->type == SQLITE_TEXT)
			sqlite3_bind_text(ins, c + 1, ce->p, ce->n, SQLITE_STATIC);
		else if (ce->type == SQLITE_BLOB)
			sqlite3_bind_blob(ins, c + 1, ce->p, ce->n, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, c + 1);
	}
}

/* The code of a text cell (its index in a small dictionary), or -1 when full. */
static int64_t code_of(const struct cell *ce, char dict[][64], int *ndict)
{
	int i;

	for (i = 0; i < *ndict; i++)
		if ((int)strlen(dict[i]) == ce->n && !memcmp(dict[i], ce->p, (size_t)ce->n))
			return i;
	if (*ndict == 512 || ce->n >= 64)
		return -1;
	memcpy(dict[*ndict], ce->p, (size_t)ce->n);
	dict[*ndict][ce->n] = 0;
	return (*ndict)++;
}

/* The narrow floor (see the top of the file). 0, or 1 with a message. */
static int narrow_floor(const char *path, const struct cell *rows, size_t n)
{
	/* the columns of cols kept, in order; the text ones (iface, dir, class, subclass)
	 * coded as integers; src, dst (text) and khash left out */
	static const int keep[] = { 0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 };
	enum { NK = sizeof(keep) / sizeof(keep[0]) };
	static char dict[512][64];
	int ndict = 0, ret = 1;
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	struct cell *nr = calloc(n ? n * NK : 1, sizeof(*nr));
	uint64_t t0, t1;

	if (!nr)
		return 1;
	for (size_t r = 0; r < n; r++)
		for (int k = 0; k < NK; k++) {
			const struct cell *ce = &rows[r * NCOLS + (size_t)keep[k]];
			struct cell *o = &nr[r * NK + (size_t)k];

			*o = *ce;
			if (ce->type == SQLITE_TEXT) {
				o->type = SQLITE_INTEGER;
				o->i = code_of(ce, dict, &ndict);
			}
		}
	unlink(path);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA page_size = 16384; PRAGMA auto_vacuum = INCREMENTAL;"
			 " PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			 " PRAGMA cache_size = -7168;"	/* STORE_PAGE_SIZE, STORE_CACHE_KIB */
			 "CREATE TABLE flows(bucket INTEGER, iface INTEGER, dir INTEGER, family INTEGER,"
			 " src_bin BLOB, dst_bin BLOB, proto INTEGER, sport INTEGER, dport INTEGER,"
			 " class INTEGER, subclass INTEGER, packets INTEGER, bytes INTEGER,"
			 " first_usec INTEGER, last_usec INTEGER, ttl_min INTEGER, ttl_max INTEGER,"
			 " tcp_flags INTEGER, seen_by INTEGER)", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO flows VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
			       -1, &ins, NULL) != SQLITE_OK)
		goto out;
	t0 = util_mono_usec();
	sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
	for (size_t r = 0; r < n; r++) {
		bind_row(ins, &nr[r * NK], NK);
		if (sqlite3_step(ins) != SQLITE_DONE)
			goto out;
		sqlite3_reset(ins);
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	t1 = util_mono_usec();
	printf("narrow_rows %zu\nnarrow_seconds %.3f\n", n, (double)(t1 - t0) / 1e6);
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "insert_baseline: %s: %s\n", path, db ? sqlite3_errmsg(db) : "cannot open");
	sqlite3_finalize(ins);
	sqlite3_close(db);
	free(nr);
	return ret;
}

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

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: insert_baseline SRC.db DST.db [NARROW.db]\n");
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
		bind_row(ins, &rows[r * NCOLS], NCOLS);
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
	if (!ret && argc == 4)
		ret = narrow_floor(argv[3], rows, n);
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sqlite3_close(src);
	sqlite3_close(dst);
	for (r = 0; rows && r < n * NCOLS; r++)
		free(rows[r].p);
	free(rows);
	return ret;
}
