/* This file opens a database: it refuses files that are not spoofaudit's, applies the
 * embedded migrations the file lacks, prepares the statements and closes it again. */
#include "store/store_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/embedded.h"

/* Busy handler: sleeps with the back-off SQLite's own busy_timeout uses, counting every
 * retry, until st->busy_timeout_ms have been spent on this lock. */
static int busy_handler(void *arg, int count)
{
	static const int delays[] = { 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 };
	const int ndelays = (int)(sizeof(delays) / sizeof(delays[0]));
	struct store *st = arg;
	int delay, prior;

	if (count < ndelays) {
		delay = delays[count];
		prior = 0;
		for (int i = 0; i < count; i++)
			prior += delays[i];
	} else {
		delay = delays[ndelays - 1];
		prior = 328 + (count - ndelays) * delay;	/* 328 = sum of delays[] */
	}
	if (prior >= st->busy_timeout_ms)
		return 0;
	if (prior + delay > st->busy_timeout_ms)
		delay = st->busy_timeout_ms - prior;
	st->busy_retries++;
	sqlite3_sleep(delay);
	return 1;
}

/* Checks that a migration's file name carries its version ("001_init.sql" is 1). */
static int migration_number_ok(const char *name, int version)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(name, &end, 10);
	return errno == 0 && end != name && *end == '_' && v == version;
}

/* Applies migration number `version` (1-based) in its own transaction, unless another
 * process applied it first. */
static int apply_migration(struct store *st, int version)
{
	const struct embedded_file *m;
	char what[128], *sql;
	int64_t cur;
	int rc, schema_edit, on = 0;

	if (version < 1 || version > store_latest_version()) {
		store_set_err(st, "no migration %d (this spoofaudit has 1 to %d)", version,
			      store_latest_version());
		return -1;
	}
	m = &embedded_migrations[version - 1];

	snprintf(what, sizeof(what), "migration %s", m->name);
	if (!migration_number_ok(m->name, version)) {
		store_set_err(st, "%s: file name does not start with %03d_", what, version);
		return -1;
	}
	if (store_exec(st, "BEGIN IMMEDIATE", what) < 0)
		return -1;
	if (store_query_i64(st, "PRAGMA user_version", &cur) < 0)
		goto fail;
	if (cur >= version) {		/* another process was faster */
		if (store_exec(st, "COMMIT", what) < 0)
			goto fail;
		return 0;
	}
	/* A migration that rewrites a definition in sqlite_schema (008) needs the defensive
	 * guard lifted for its own text only: embedded SQL, on a file whose identity and
	 * structure were checked; the guard is back on before anything else runs. */
	schema_edit = strstr(m->text, "PRAGMA writable_schema = ON") != NULL;
	if (schema_edit && sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 0, NULL) != SQLITE_OK) {
		store_set_err(st, "%s: cannot lift the defensive guard", what);
		goto fail;
	}
	/* migration 9 computes flows.khash with the store's own function */
	if (store_khash_register(st->db) < 0) {
		store_set_err(st, "%s: cannot register spoofaudit_flow_khash()", what);
		goto fail;
	}
	rc = store_exec(st, m->text, what);
	if (schema_edit && (sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK ||
			    !on)) {
		store_set_err(st, "%s: cannot restore the defensive guard", what);
		goto fail;
	}
	if (rc < 0)
		goto fail;
	/* a migration may rewrite a definition in sqlite_schema (008): a new schema_version
	 * makes every connection, this one too, read the schema again */
	if (store_query_i64(st, "PRAGMA schema_version", &cur) < 0)
		goto fail;
	sql = sqlite3_mprintf("PRAGMA schema_version = %lld;", (long long)cur + 1);
	rc = sql ? store_exec(st, sql, what) : -1;
	sqlite3_free(sql);
	if (rc < 0)
		goto fail;
	sql = sqlite3_mprintf("PRAGMA user_version = %d;"
			      " INSERT INTO migrations(version, name, applied_usec) VALUES(%d, %Q,"
			      " CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))",
			      version, version, m->name);
	if (!sql) {
		store_set_err(st, "%s: out of memory", what);
		goto fail;
	}
	rc = store_exec(st, sql, what);
	sqlite3_free(sql);
	if (rc < 0)
		goto fail;
	if (store_exec(st, "COMMIT", what) < 0)
		goto fail;
	/* the new schema_version makes other connections read the edited definition, but
	 * this one keeps what it parsed (a later ALTER TABLE here would splice into the old
	 * text's offsets): RESET reads the schema again */
	if (schema_edit && store_exec(st, "PRAGMA writable_schema = RESET", what) < 0)
		return -1;
	return 0;
fail:
	if (!sqlite3_get_autocommit(st->db)) {
		char keep[sizeof(st->err)];

		memcpy(keep, st->err, sizeof(keep));
		store_exec(st, "ROLLBACK", what);
		memcpy(st->err, keep, sizeof(keep));
	}
	return -1;
}

/* Refuses files that are not SQLite, not spoofaudit's (by meta.application and by every
 * schema object), or too new; reads the version. */
static int check_identity(struct store *st, const char *path)
{
	sqlite3_stmt *s = NULL;
	int64_t nobjects, version;
	int ret = -1, rc;

	if (store_query_i64(st, "SELECT count(*) FROM sqlite_master", &nobjects) < 0) {
		int code = sqlite3_errcode(st->db);

		if (code == SQLITE_NOTADB)
			store_set_err(st, "%s: not an SQLite database", path);
		else
			store_sql_err(st, path);
		goto out;
	}
	if (store_query_i64(st, "PRAGMA user_version", &version) < 0)
		goto out;
	if (version < 0) {
		store_set_err(st, "%s: an SQLite database, but not a spoofaudit one "
			      "(schema version %lld)", path, (long long)version);
		goto out;
	}
	if (version == 0) {
		if (nobjects > 0) {
			store_set_err(st, "%s: an SQLite database, but not a spoofaudit one "
				"(it has tables and no schema version)", path);
			goto out;
		}
		st->version = 0;
		ret = 0;
		goto out;
	}
	/* Before reading any table: a view or trigger of someone else's could hang or write. */
	if (version <= store_latest_version() && store_guard_schema(st, path, (int)version) < 0)
		goto out;
	rc = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'application'",
				-1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && (rc & 0xff) != SQLITE_ERROR) {
		store_sql_err(st, path);	/* locked, I/O error: not a verdict on the file */
		goto out;
	}
	if (rc != SQLITE_ROW || sqlite3_column_type(s, 0) != SQLITE_TEXT ||
	    strcmp((const char *)sqlite3_column_text(s, 0), STORE_APPLICATION) != 0) {
		store_set_err(st, "%s: an SQLite database, but not a spoofaudit one "
			"(no meta.application = '%s')", path, STORE_APPLICATION);
		goto out;
	}
	if (version > store_latest_version()) {
		store_set_err(st, "%s: schema version %lld is newer than this spoofaudit knows (%d); "
			"use a newer spoofaudit", path, (long long)version,
			store_latest_version());
		goto out;
	}
	st->version = (int)version;
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/* Opens the connection: the file is first opened here, without following a symbolic
 * link, and checked (a regular file; for writing, one with no other name), created with
 * mode 0640 when asked; then SQLite opens the same path (again refusing links), and the
 * path must still name the file checked. */
static int open_connection(struct store *st, const char *path, int flags)
{
	int oflags, fd, ret = -1;

	fd = store_guard_open_file(path, !!(flags & STORE_OPEN_CREATE), st->readonly, st->err,
				   sizeof(st->err));
	if (fd == -1)
		return -1;
	if (st->readonly)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE | ((flags & STORE_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
	oflags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		if (st->db)
			store_set_err(st, "%s: %s", path, sqlite3_errmsg(st->db));
		else
			store_set_err(st, "%s: out of memory", path);
		goto out;
	}
	if (fd >= 0 && store_guard_same_file(fd, path, st->err, sizeof(st->err)) < 0)
		goto out;
	/* closed before the connection takes any lock: closing a descriptor of the file
	 * drops every POSIX lock this process holds on it, SQLite's too (another process
	 * would then think it the last connection and delete the WAL under this one) */
	close(fd);
	fd = -1;
	sqlite3_extended_result_codes(st->db, 1);
	st->busy_timeout_ms = STORE_BUSY_TIMEOUT_MS;
	sqlite3_busy_handler(st->db, busy_handler, st);
	if (!(flags & STORE_OPEN_CREATE))
		st->time_limit_s = STORE_TIME_LIMIT_S;
	if (store_guard_connection(st) < 0)
		goto out;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* The connection's settings; a new file gets incremental vacuum and every writer WAL. */
static int set_pragmas(struct store *st, const char *path)
{
	char sql[64];

	/* A new file gets STORE_PAGE_SIZE and reclaims pruned pages incrementally
	 * (store_prune()); SQLite only accepts these before the first table exists, so
	 * older files keep what they have. */
	if (!st->readonly && st->version == 0) {
		snprintf(sql, sizeof(sql), "PRAGMA page_size = %d", STORE_PAGE_SIZE);
		if (store_exec(st, sql, path) < 0 ||
		    store_exec(st, "PRAGMA auto_vacuum = INCREMENTAL", path) < 0)
			return -1;
	}
	if (!st->readonly) {
		if (store_exec(st, "PRAGMA journal_mode = WAL", path) < 0 ||
		    store_exec(st, "PRAGMA synchronous = NORMAL", path) < 0)
			return -1;
	}
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", STORE_CACHE_KIB);
	if (store_exec(st, "PRAGMA foreign_keys = ON", path) < 0 || store_exec(st, sql, path) < 0)
		return -1;
	return 0;
}

/* Prepares every statement of store_stmt_sql[]. */
static int prepare_all(struct store *st, const char *path)
{
	int i;

	for (i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, store_stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			store_set_err(st, "%s: preparing \"%.60s...\": %s", path, store_stmt_sql[i],
				sqlite3_errmsg(st->db));
			return -1;
		}
	}
	return 0;
}

/* The file was checked and migrated by the first connection, which stays open. This one
 * never opens the file itself: a process that closes any descriptor of a file loses
 * every POSIX lock it holds on it, the first connection's too (SQLite's own opens share
 * one descriptor set per file to avoid exactly that), and another process could then
 * checkpoint and delete the write-ahead log under it. */
struct store *store_open_twin(const struct store *first, char *err, size_t errlen)
{
	const char *path = sqlite3_db_filename(first->db, "main");
	struct store *st;

	if (!path || !*path) {
		snprintf(err, errlen, "a second connection needs a database file");
		return NULL;
	}
	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	st->readonly = first->readonly;
	if (sqlite3_open_v2(path, &st->db, (first->readonly ? SQLITE_OPEN_READONLY :
			    SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
			    NULL) != SQLITE_OK) {
		store_set_err(st, "%s: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->busy_timeout_ms = first->busy_timeout_ms;
	sqlite3_busy_handler(st->db, busy_handler, st);
	st->time_limit_s = first->time_limit_s;
	st->version = first->version;
	if (store_guard_connection(st) < 0)
		goto fail;
	if (st->readonly) {
		/* the same schema as the first's (the path could name another file by now) */
		if (check_identity(st, path) < 0 || set_pragmas(st, path) < 0 ||
		    (first->unverified_bytes &&
		     store_exec(st, "PRAGMA cell_size_check = ON", path) < 0))
			goto fail;
		if (st->version != first->version) {
			store_set_err(st, "%s: changed under the reader (schema version %d, was %d)",
				      path, st->version, first->version);
			goto fail;
		}
		return st;
	}
	if (set_pragmas(st, path) < 0 || prepare_all(st, path) < 0)
		goto fail;
	return st;
fail:
	snprintf(err, errlen, "%s", st->err);
	store_close(st);
	return NULL;
}

void store_library_init(void)
{
	/* Without the memory statistics nothing here reads, every allocation SQLite makes
	 * (several per statement step) skips a global mutex. SQLITE_MISUSE when SQLite is
	 * already initialized: it then keeps the statistics, and nothing else changes. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

struct store *store_open(const char *path, int flags, char *err, size_t errlen)
{
	struct store *st;
	char *real = NULL;
	int i;

	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	st->readonly = !!(flags & STORE_OPEN_READONLY);
	/* A reader may be given a link to a database (a symlink cannot make it write); the
	 * resolved name is then opened with every check a writer's open has. */
	if (st->readonly)
		real = realpath(path, NULL);
	if (open_connection(st, real ? real : path, flags) < 0 || check_identity(st, path) < 0)
		goto fail;
	free(real);
	real = NULL;
	if (st->readonly && st->version < store_latest_version()) {
		if (st->version == 0)
			store_set_err(st, "%s: not a spoofaudit database (empty)", path);
		else
			store_set_err(st, "%s: schema version %d is older than this spoofaudit's (%d); "
				"open it once read-write to migrate", path, st->version,
				store_latest_version());
		goto fail;
	}
	if (st->version > 0 && (flags & (STORE_OPEN_CREATE | STORE_OPEN_QUICK_CHECK)) !=
	    STORE_OPEN_CREATE &&
	    store_guard_quick_check(st, path, !!(flags & STORE_OPEN_QUICK_CHECK)) < 0)
		goto fail;
	if (set_pragmas(st, path) < 0)
		goto fail;
	for (i = st->version + 1; i <= store_latest_version(); i++) {
		if (apply_migration(st, i) < 0)
			goto fail;
		st->version = i;
	}
	if (prepare_all(st, path) < 0)
		goto fail;
	return st;
fail:
	free(real);
	snprintf(err, errlen, "%s", st->err);
	store_close(st);
	return NULL;
}

uint64_t store_unverified_bytes(const struct store *st)
{
	return st ? st->unverified_bytes : 0;
}

void store_close(struct store *st)
{
	int i;

	if (!st)
		return;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	sqlite3_finalize(st->vstmt[0]);
	sqlite3_finalize(st->vstmt[1]);
	sqlite3_close(st->db);
	free(st->ids);
	store_keyfilter_free(&st->kf);
	free(st);
}

int store_latest_version(void)
{
	return (int)embedded_migration_count;
}

int store_file_version(const char *path, char *err, size_t errlen)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int ret = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(db, STORE_BUSY_TIMEOUT_MS);
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW) {
		if (sqlite3_errcode(db) == SQLITE_NOTADB)
			snprintf(err, errlen, "%s: not an SQLite database", path);
		else
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	ret = sqlite3_column_int(s, 0);
	if (ret < 0)
		ret = 0;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return ret;
}
