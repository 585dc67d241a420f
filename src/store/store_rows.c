/* This file is the store's generic reader: a prepared statement over SQL text the
 * caller owns (the report queries embedded from reports/ *.sql), with named parameters,
 * so that the report and export commands read the database without speaking SQL. */
#include "store/store_int.h"

#include <stdlib.h>

struct store_rows {
	struct store *st;
	sqlite3_stmt *s;
};

struct store_rows *store_rows_prepare(struct store *st, const char *name, const char *sql)
{
	struct store_rows *q = calloc(1, sizeof(*q));

	if (!q) {
		store_set_err(st, "%s: out of memory", name);
		return NULL;
	}
	q->st = st;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q->s, NULL) != SQLITE_OK) {
		store_set_err(st, "%s: %s", name, sqlite3_errmsg(st->db));
		sqlite3_finalize(q->s);
		free(q);
		return NULL;
	}
	return q;
}

void store_rows_free(struct store_rows *q)
{
	if (!q)
		return;
	sqlite3_finalize(q->s);
	free(q);
}

/* The index of parameter name, 0 when the statement does not use it. */
static int param_index(struct store_rows *q, const char *name)
{
	return sqlite3_bind_parameter_index(q->s, name);
}

static int bind_result(struct store_rows *q, int rc, const char *name)
{
	if (rc != SQLITE_OK) {
		store_set_err(q->st, "binding %s: %s", name, sqlite3_errmsg(q->st->db));
		return -1;
	}
	return 0;
}

int store_rows_bind_int(struct store_rows *q, const char *name, int64_t v)
{
	int i = param_index(q, name);

	return i ? bind_result(q, sqlite3_bind_int64(q->s, i, v), name) : 0;
}

int store_rows_bind_text(struct store_rows *q, const char *name, const char *v)
{
	int i = param_index(q, name);

	return i ? bind_result(q, sqlite3_bind_text(q->s, i, v, -1, SQLITE_TRANSIENT), name) : 0;
}

int store_rows_bind_blob(struct store_rows *q, const char *name, const void *p, size_t n)
{
	int i = param_index(q, name);

	if (n > INT32_MAX) {
		store_set_err(q->st, "binding %s: blob too large", name);
		return -1;
	}
	return i ? bind_result(q, sqlite3_bind_blob(q->s, i, p, (int)n, SQLITE_TRANSIENT), name) : 0;
}

int store_rows_step(struct store_rows *q)
{
	int rc = sqlite3_step(q->s);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	store_sql_err(q->st, "query");
	return -1;
}

void store_rows_reset(struct store_rows *q)
{
	sqlite3_reset(q->s);
}

int store_rows_ncols(const struct store_rows *q)
{
	return sqlite3_column_count(q->s);
}

const char *store_rows_colname(const struct store_rows *q, int col)
{
	const char *n = sqlite3_column_name(q->s, col);

	return n ? n : "";
}

int store_col_isnull(const struct store_rows *q, int col)
{
	return sqlite3_column_type(q->s, col) == SQLITE_NULL;
}

int64_t store_col_int(const struct store_rows *q, int col)
{
	return sqlite3_column_int64(q->s, col);
}

double store_col_double(const struct store_rows *q, int col)
{
	return sqlite3_column_double(q->s, col);
}

const char *store_col_text(const struct store_rows *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q->s, col);

	return t ? (const char *)t : "";
}

const void *store_col_blob(const struct store_rows *q, int col, size_t *len)
{
	const void *p = sqlite3_column_blob(q->s, col);
	int n = sqlite3_column_bytes(q->s, col);

	*len = n > 0 ? (size_t)n : 0;
	return p;
}
