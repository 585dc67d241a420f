/* This file holds the store's shared plumbing: error messages, stepping statements,
 * savepoints, transactions and the small accessors of a connection. */
#include "store/store_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void store_set_err(struct store *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
}

void store_sql_err(struct store *st, const char *what)
{
	int rc = sqlite3_extended_errcode(st->db);
	const char *hint = "";

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		hint = " (still locked by another connection after the busy timeout)";
		break;
	case SQLITE_FULL:
		hint = " (the disk or the database size limit is full)";
		break;
	case SQLITE_IOERR:
		hint = " (I/O error on the database file)";
		break;
	case SQLITE_READONLY:
		hint = " (the database is read-only)";
		break;
	}
	store_set_err(st, "%s: %s%s", what, sqlite3_errmsg(st->db), hint);
}

int store_write_failed(struct store *st, const char *what)
{
	store_sql_err(st, what);
	st->write_failures++;
	return -1;
}

int store_step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		store_sql_err(st, what);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int store_step_write(struct store *st, sqlite3_stmt *s, const char *what)
{
	if (store_step_done(st, s, what) < 0) {
		st->write_failures++;
		return -1;
	}
	return 0;
}

int store_step_id(struct store *st, sqlite3_stmt *s, const char *what, int64_t *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	} else if (rc == SQLITE_DONE) {
		store_set_err(st, "%s: no row id returned", what);
		sqlite3_reset(s);
		st->write_failures++;
		return -1;
	}
	if (rc != SQLITE_DONE) {
		store_sql_err(st, what);
		sqlite3_reset(s);
		st->write_failures++;
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

int store_query_i64(struct store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int ret = -1, rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_sql_err(st, sql);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
	} else if (rc == SQLITE_DONE) {
		store_set_err(st, "%s: no row", sql);
		goto out;
	} else {
		store_sql_err(st, sql);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

int store_sp_begin(struct store *st, int *outer, const char *what)
{
	*outer = !sqlite3_get_autocommit(st->db);
	if (store_step_write(st, st->stmt[S_SP_BEGIN], what) < 0)
		return -1;
	/* inside the transaction: its snapshot is the one any write of it must extend */
	if (!*outer && !st->readonly)
		store_keyfilter_sync(st);
	return 0;
}

/* Undoes everything since store_sp_begin(). SQLite may already have rolled the whole
 * transaction back (SQLITE_FULL, SQLITE_IOERR); then there is nothing left to undo. */
void store_sp_abort(struct store *st, int outer)
{
	char keep[sizeof(st->err)];

	memcpy(keep, st->err, sizeof(keep));
	if (!sqlite3_get_autocommit(st->db)) {
		if (outer) {
			store_step_done(st, st->stmt[S_SP_ROLLBACK], "rollback to savepoint");
			store_step_done(st, st->stmt[S_SP_RELEASE], "release savepoint");
		} else {
			store_step_done(st, st->stmt[S_ROLLBACK], "rollback");
		}
	}
	memcpy(st->err, keep, sizeof(keep));
}

/* Releases the savepoint: without an outer transaction this commits. */
int store_sp_end(struct store *st, int outer, const char *what)
{
	if (store_step_write(st, st->stmt[S_SP_RELEASE], what) < 0) {
		store_sp_abort(st, outer);
		return -1;
	}
	if (!outer)
		store_keyfilter_committed(st);
	return 0;
}

int store_exec(struct store *st, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		store_set_err(st, "%s: %s", what, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

const char *store_errmsg(const struct store *st)
{
	return st ? st->err : "no store";
}

int store_schema_version(const struct store *st)
{
	return st->version;
}

uint64_t store_busy_retries(const struct store *st)
{
	return st->busy_retries;
}

uint64_t store_write_failures(const struct store *st)
{
	return st->write_failures;
}

int store_begin(struct store *st)
{
	if (store_step_done(st, st->stmt[st->readonly ? S_BEGIN_RO : S_BEGIN], "begin") < 0)
		return st->readonly ? -1 : store_write_failed(st, "begin");
	if (!st->readonly)
		store_keyfilter_sync(st);
	return 0;
}

int store_commit(struct store *st)
{
	if (store_step_done(st, st->stmt[S_COMMIT], "commit") < 0)
		return store_write_failed(st, "commit");
	store_keyfilter_committed(st);
	return 0;
}

int store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return 0;	/* nothing open, or SQLite already rolled back */
	return store_step_done(st, st->stmt[S_ROLLBACK], "rollback");
}

int64_t store_query_int(struct store *st, const char *sql)
{
	int64_t v;

	if (store_query_i64(st, sql, &v) < 0)
		return -1;
	return v;
}

void store_set_busy_timeout(struct store *st, int ms)
{
	st->busy_timeout_ms = ms < 0 ? 0 : ms;
}
