/* This file implements the store: it opens and migrates the SQLite database and writes
 * runs, their context, flows, evidence and capture statistics through prepared
 * statements kept for the life of the connection. */
#include "store/store.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>

#include "classify/addrclass.h"
#include "classify/classify.h"
#include "sources/decode.h"
#include "common/embedded.h"

/* How long a statement waits for another connection's lock before failing, and the page
 * cache of a connection (negative: KiB). tests/tools/store_bench.c mirrors the latter. */
#define STORE_BUSY_TIMEOUT_MS	5000
#define STORE_CACHE_KIB		8192

/* The value of meta.application that marks a spoofaudit database. */
#define STORE_APPLICATION	"spoofaudit"

enum store_stmt {
	S_BEGIN, S_BEGIN_RO, S_COMMIT, S_ROLLBACK,
	S_SP_BEGIN, S_SP_RELEASE, S_SP_ROLLBACK,
	S_FLOW_UPSERT, S_FLOW_UPDATE, S_FLOW_ID, S_EVIDENCE, S_RUN_BEGIN, S_RUN_END, S_SOURCE, S_IFACE, S_KCTX,
	S_HOSTADDR, S_STATS, S_DECODE_ERR, S_NFLOG,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_BEGIN_RO] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SP_BEGIN] = "SAVEPOINT store_write",
	[S_SP_RELEASE] = "RELEASE store_write",
	[S_SP_ROLLBACK] = "ROLLBACK TO store_write",
	/* Parameters, shared by the three flow statements: 1 bucket, 2 iface, 3 dir,
	 * 4 family, 5 src, 6 dst, 7 src_bin, 8 dst_bin, 9 proto, 10 sport, 11 dport,
	 * 12 class, 13 subclass, 14 packets, 15 bytes, 16 first_usec, 17 last_usec,
	 * 18 ttl_min, 19 ttl_max, 20 tcp_flags, 21 seen_by, 22 id. */
	[S_FLOW_UPSERT] =
		"INSERT INTO flows(bucket, iface, dir, family, src, dst, src_bin, dst_bin,"
		" proto, sport, dport, class, subclass, packets, bytes, first_usec, last_usec,"
		" ttl_min, ttl_max, tcp_flags, seen_by)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19, ?20, ?21)"
		" ON CONFLICT(bucket, iface, dir, family, src_bin, dst_bin, proto, sport, dport,"
		" class, subclass) DO UPDATE SET"
		" packets = packets + excluded.packets,"
		" bytes = bytes + excluded.bytes,"
		" first_usec = min(first_usec, excluded.first_usec),"
		" last_usec = max(last_usec, excluded.last_usec),"
		" ttl_min = min(ttl_min, excluded.ttl_min),"
		" ttl_max = max(ttl_max, excluded.ttl_max),"
		" tcp_flags = tcp_flags | excluded.tcp_flags,"
		" seen_by = seen_by | excluded.seen_by",
	/* The same merge for a row whose id the entry already holds; the key is checked too,
	 * so a stale id (its transaction rolled back, the row pruned) matches nothing. */
	[S_FLOW_UPDATE] =
		"UPDATE flows SET packets = packets + ?14, bytes = bytes + ?15,"
		" first_usec = min(first_usec, ?16), last_usec = max(last_usec, ?17),"
		" ttl_min = min(ttl_min, ?18), ttl_max = max(ttl_max, ?19),"
		" tcp_flags = tcp_flags | ?20, seen_by = seen_by | ?21"
		" WHERE id = ?22 AND bucket = ?1 AND iface = ?2 AND dir = ?3 AND family = ?4"
		" AND src_bin = ?7 AND dst_bin = ?8 AND proto = ?9 AND sport = ?10"
		" AND dport = ?11 AND class = ?12 AND subclass = ?13",
	[S_FLOW_ID] =
		"SELECT id FROM flows WHERE bucket = ?1 AND iface = ?2 AND dir = ?3"
		" AND family = ?4 AND src_bin = ?7 AND dst_bin = ?8 AND proto = ?9"
		" AND sport = ?10 AND dport = ?11 AND class = ?12 AND subclass = ?13",
	[S_EVIDENCE] =
		"INSERT INTO evidence(flow_id, ts_usec, linktype, wirelen, caplen, data)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_RUN_BEGIN] =
		"INSERT INTO runs(host, version, cmdline, started_usec, bucket_seconds)"
		" VALUES(?1, ?2, ?3, ?4, ?5) RETURNING id",
	[S_RUN_END] = "UPDATE runs SET ended_usec = ?2 WHERE id = ?1",
	[S_SOURCE] =
		"INSERT INTO sources(run_id, kind, name, iface, linktype)"
		" VALUES(?1, ?2, ?3, ?4, ?5) RETURNING id",
	[S_IFACE] =
		"INSERT INTO ifaces(run_id, name, ifindex, role, role_origin, prefixes)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_KCTX] = "INSERT INTO kernel_ctx(run_id, scope, key, value) VALUES(?1, ?2, ?3, ?4)",
	[S_HOSTADDR] =
		"INSERT INTO host_addrs(run_id, iface, addr, plen, family)"
		" VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_STATS] =
		"INSERT INTO capture_stats(source_id, start_usec, end_usec, received,"
		" kernel_drops, iface_drops, decoded_ip, not_ip, unsupported, malformed,"
		" nflog_received, nflog_enobufs, nflog_seq_gaps, flow_evictions,"
		" db_busy_retries, db_write_failures)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[S_DECODE_ERR] =
		"INSERT INTO decode_errors(source_id, start_usec, end_usec, reason, count)"
		" VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_NFLOG] =
		"INSERT INTO flow_nflog(flow_id, prefix, grp, hook, packets, bytes, uid, gid, mark)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT(flow_id, prefix, grp, hook) DO UPDATE SET"
		" packets = packets + excluded.packets, bytes = bytes + excluded.bytes,"
		" uid = coalesce(excluded.uid, uid), gid = coalesce(excluded.gid, gid),"
		" mark = coalesce(excluded.mark, mark)",
};

/* An open database. Invariant: every stmt[] is prepared once store_open() returns; ids
 * has room for ids_cap row ids (the scratch of store_flows_write()). */
struct store {
	sqlite3 *db;
	int readonly;
	int version;			/* PRAGMA user_version after migration */
	uint64_t busy_retries;		/* busy-handler calls that asked to retry */
	int busy_timeout_ms;		/* how long one statement waits for a lock */
	uint64_t write_failures;	/* writes that returned -1 */
	int64_t *ids;
	size_t ids_cap;
	sqlite3_stmt *stmt[S_COUNT];
	sqlite3_stmt *vstmt[2];		/* violations: prepared on first use (migration 4) */
	char err[512];
};

static void set_err(struct store *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_err(struct store *st, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->err, sizeof(st->err), fmt, ap);
	va_end(ap);
}

/* Sets the message "what: <sqlite message>" with a hint for the errors that need one. */
static void sql_err(struct store *st, const char *what)
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
	set_err(st, "%s: %s%s", what, sqlite3_errmsg(st->db), hint);
}

/* A failed write: a message, and one more in store_write_failures(). */
static int write_failed(struct store *st, const char *what)
{
	sql_err(st, what);
	st->write_failures++;
	return -1;
}

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

/* Steps a statement that returns no row (or whose rows are ignored) and resets it. */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what)
{
	int rc;

	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		sql_err(st, what);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

/* Steps a statement that returns one integer (RETURNING id) into *out and resets it. */
static int step_id(struct store *st, sqlite3_stmt *s, const char *what, int64_t *out)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = sqlite3_step(s);
	} else if (rc == SQLITE_DONE) {
		set_err(st, "%s: no row id returned", what);
		sqlite3_reset(s);
		return -1;
	}
	if (rc != SQLITE_DONE) {
		sql_err(st, what);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return 0;
}

/* Runs one statement of SQL text that returns at most one integer into *out. */
static int query_int(struct store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int ret = -1, rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sql_err(st, sql);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
	} else if (rc == SQLITE_DONE) {
		set_err(st, "%s: no row", sql);
		goto out;
	} else {
		sql_err(st, sql);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/* Starts a savepoint so that a multi-row write is all or nothing, inside or outside the
 * caller's transaction. *outer receives whether a transaction was already open. */
static int sp_begin(struct store *st, int *outer, const char *what)
{
	*outer = !sqlite3_get_autocommit(st->db);
	if (step_done(st, st->stmt[S_SP_BEGIN], what) < 0) {
		st->write_failures++;
		return -1;
	}
	return 0;
}

/* Undoes everything since sp_begin(). SQLite may already have rolled the whole
 * transaction back (SQLITE_FULL, SQLITE_IOERR); then there is nothing left to undo. */
static void sp_abort(struct store *st, int outer)
{
	char keep[sizeof(st->err)];

	memcpy(keep, st->err, sizeof(keep));
	if (!sqlite3_get_autocommit(st->db)) {
		if (outer) {
			step_done(st, st->stmt[S_SP_ROLLBACK], "rollback to savepoint");
			step_done(st, st->stmt[S_SP_RELEASE], "release savepoint");
		} else {
			step_done(st, st->stmt[S_ROLLBACK], "rollback");
		}
	}
	memcpy(st->err, keep, sizeof(keep));
}

/* Releases the savepoint: without an outer transaction this commits. */
static int sp_end(struct store *st, int outer, const char *what)
{
	if (step_done(st, st->stmt[S_SP_RELEASE], what) < 0) {
		st->write_failures++;
		sp_abort(st, outer);
		return -1;
	}
	return 0;
}

static int exec_sql(struct store *st, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_err(st, "%s: %s", what, msg ? msg : sqlite3_errmsg(st->db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
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
	const struct embedded_file *m = &embedded_migrations[version - 1];
	char what[128], *sql;
	int64_t cur;
	int rc;

	snprintf(what, sizeof(what), "migration %s", m->name);
	if (!migration_number_ok(m->name, version)) {
		set_err(st, "%s: file name does not start with %03d_", what, version);
		return -1;
	}
	if (exec_sql(st, "BEGIN IMMEDIATE", what) < 0)
		return -1;
	if (query_int(st, "PRAGMA user_version", &cur) < 0)
		goto fail;
	if (cur >= version) {		/* another process was faster */
		if (exec_sql(st, "COMMIT", what) < 0)
			goto fail;
		return 0;
	}
	if (exec_sql(st, m->text, what) < 0)
		goto fail;
	sql = sqlite3_mprintf("PRAGMA user_version = %d;"
			      " INSERT INTO migrations(version, name, applied_usec) VALUES(%d, %Q,"
			      " CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER))",
			      version, version, m->name);
	if (!sql) {
		set_err(st, "%s: out of memory", what);
		goto fail;
	}
	rc = exec_sql(st, sql, what);
	sqlite3_free(sql);
	if (rc < 0)
		goto fail;
	if (exec_sql(st, "COMMIT", what) < 0)
		goto fail;
	return 0;
fail:
	if (!sqlite3_get_autocommit(st->db)) {
		char keep[sizeof(st->err)];

		memcpy(keep, st->err, sizeof(keep));
		exec_sql(st, "ROLLBACK", what);
		memcpy(st->err, keep, sizeof(keep));
	}
	return -1;
}

/* Refuses files that are not SQLite, not spoofaudit's, or too new; reads the version. */
static int check_identity(struct store *st, const char *path)
{
	sqlite3_stmt *s = NULL;
	int64_t nobjects, version;
	int ret = -1, rc;

	if (query_int(st, "SELECT count(*) FROM sqlite_master", &nobjects) < 0) {
		int code = sqlite3_errcode(st->db);

		if (code == SQLITE_NOTADB)
			set_err(st, "%s: not an SQLite database", path);
		else
			sql_err(st, path);
		goto out;
	}
	if (query_int(st, "PRAGMA user_version", &version) < 0)
		goto out;
	if (version == 0) {
		if (nobjects > 0) {
			set_err(st, "%s: an SQLite database, but not a spoofaudit one "
				"(it has tables and no schema version)", path);
			goto out;
		}
		st->version = 0;
		ret = 0;
		goto out;
	}
	rc = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key = 'application'",
				-1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && (rc & 0xff) != SQLITE_ERROR) {
		sql_err(st, path);	/* locked, I/O error: not a verdict on the file */
		goto out;
	}
	if (rc != SQLITE_ROW || sqlite3_column_type(s, 0) != SQLITE_TEXT ||
	    strcmp((const char *)sqlite3_column_text(s, 0), STORE_APPLICATION) != 0) {
		set_err(st, "%s: an SQLite database, but not a spoofaudit one "
			"(no meta.application = '%s')", path, STORE_APPLICATION);
		goto out;
	}
	if (version > store_latest_version()) {
		set_err(st, "%s: schema version %lld is newer than this spoofaudit knows (%d); "
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

struct store *store_open(const char *path, int flags, char *err, size_t errlen)
{
	struct store *st;
	int oflags, i;
	char sql[64];

	st = calloc(1, sizeof(*st));
	if (!st) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	st->readonly = !!(flags & STORE_OPEN_READONLY);
	if (st->readonly)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE | ((flags & STORE_OPEN_CREATE) ? SQLITE_OPEN_CREATE : 0);
	oflags |= SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(path, &st->db, oflags, NULL) != SQLITE_OK) {
		if (st->db)
			set_err(st, "%s: %s", path, sqlite3_errmsg(st->db));
		else
			set_err(st, "%s: out of memory", path);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->busy_timeout_ms = STORE_BUSY_TIMEOUT_MS;
	sqlite3_busy_handler(st->db, busy_handler, st);
	if (check_identity(st, path) < 0)
		goto fail;
	if (st->readonly && st->version < store_latest_version()) {
		if (st->version == 0)
			set_err(st, "%s: not a spoofaudit database (empty)", path);
		else
			set_err(st, "%s: schema version %d is older than this spoofaudit's (%d); "
				"open it once read-write to migrate", path, st->version,
				store_latest_version());
		goto fail;
	}
	/* A new file reclaims pruned pages incrementally (store_prune()); SQLite only
	 * accepts this before the first table exists, so older files keep what they have. */
	if (!st->readonly && st->version == 0 &&
	    exec_sql(st, "PRAGMA auto_vacuum = INCREMENTAL", path) < 0)
		goto fail;
	if (!st->readonly) {
		if (exec_sql(st, "PRAGMA journal_mode = WAL", path) < 0 ||
		    exec_sql(st, "PRAGMA synchronous = NORMAL", path) < 0)
			goto fail;
	}
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", STORE_CACHE_KIB);
	if (exec_sql(st, "PRAGMA foreign_keys = ON", path) < 0 || exec_sql(st, sql, path) < 0)
		goto fail;
	for (i = st->version + 1; i <= store_latest_version(); i++) {
		if (apply_migration(st, i) < 0)
			goto fail;
		st->version = i;
	}
	for (i = 0; i < S_COUNT; i++) {
		if (sqlite3_prepare_v3(st->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &st->stmt[i], NULL) != SQLITE_OK) {
			set_err(st, "%s: preparing \"%.60s...\": %s", path, stmt_sql[i],
				sqlite3_errmsg(st->db));
			goto fail;
		}
	}
	return st;
fail:
	snprintf(err, errlen, "%s", st->err);
	store_close(st);
	return NULL;
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
	free(st);
}

const char *store_errmsg(const struct store *st)
{
	return st ? st->err : "no store";
}

int store_schema_version(const struct store *st)
{
	return st->version;
}

int store_latest_version(void)
{
	return (int)embedded_migration_count;
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
	if (step_done(st, st->stmt[st->readonly ? S_BEGIN_RO : S_BEGIN], "begin") < 0)
		return st->readonly ? -1 : write_failed(st, "begin");
	return 0;
}

int store_commit(struct store *st)
{
	if (step_done(st, st->stmt[S_COMMIT], "commit") < 0)
		return write_failed(st, "commit");
	return 0;
}

int store_rollback(struct store *st)
{
	if (sqlite3_get_autocommit(st->db))
		return 0;	/* nothing open, or SQLite already rolled back */
	return step_done(st, st->stmt[S_ROLLBACK], "rollback");
}

static inline int64_t i64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* Binds text, or NULL for a NULL pointer. */
static int bind_text(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(s, i);
}

int64_t store_run_begin(struct store *st, const char *hostname, const char *version,
			const char *cmdline, uint64_t start_usec, unsigned bucket_seconds)
{
	sqlite3_stmt *s = st->stmt[S_RUN_BEGIN];
	int64_t id;

	bind_text(s, 1, hostname ? hostname : "");
	bind_text(s, 2, version ? version : "");
	bind_text(s, 3, cmdline);
	sqlite3_bind_int64(s, 4, i64(start_usec));
	sqlite3_bind_int64(s, 5, bucket_seconds);
	if (step_id(st, s, "adding run", &id) < 0) {
		st->write_failures++;
		return -1;
	}
	return id;
}

int store_run_end(struct store *st, int64_t run_id, uint64_t end_usec)
{
	sqlite3_stmt *s = st->stmt[S_RUN_END];

	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, i64(end_usec));
	if (step_done(st, s, "ending run") < 0) {
		st->write_failures++;
		return -1;
	}
	if (sqlite3_changes(st->db) != 1) {
		set_err(st, "ending run: no run %lld", (long long)run_id);
		return -1;
	}
	return 0;
}

int64_t store_source_add(struct store *st, int64_t run_id, const char *kind,
			 const char *name, const char *iface, int linktype)
{
	sqlite3_stmt *s = st->stmt[S_SOURCE];
	int64_t id;

	sqlite3_bind_int64(s, 1, run_id);
	bind_text(s, 2, kind);
	bind_text(s, 3, name ? name : "");
	bind_text(s, 4, iface);
	sqlite3_bind_int(s, 5, linktype);
	if (step_id(st, s, "adding source", &id) < 0) {
		st->write_failures++;
		return -1;
	}
	return id;
}

int store_iface_add(struct store *st, int64_t run_id, const struct iface_info *ifc,
		    const char *role_origin)
{
	sqlite3_stmt *s = st->stmt[S_IFACE];
	char prefixes[CLASSIFY_MAX_PREFIXES * PREFIX_STRLEN + 1], p[PREFIX_STRLEN];
	const char *role = classify_role_name(ifc->role);
	size_t len = 0;
	unsigned i;

	if (!role) {
		set_err(st, "adding interface %s: bad role %d", ifc->name, (int)ifc->role);
		return -1;
	}
	if (ifc->n_prefixes > CLASSIFY_MAX_PREFIXES) {
		set_err(st, "adding interface %s: %u prefixes (at most %d)", ifc->name,
			ifc->n_prefixes, CLASSIFY_MAX_PREFIXES);
		return -1;
	}
	prefixes[0] = '\0';
	for (i = 0; i < ifc->n_prefixes; i++) {
		prefix_format(&ifc->prefixes[i], p, sizeof(p));
		len += (size_t)snprintf(prefixes + len, sizeof(prefixes) - len, "%s%s",
					i ? "," : "", p);
	}
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, ifc->name, (int)strnlen(ifc->name, sizeof(ifc->name)),
			  SQLITE_STATIC);
	sqlite3_bind_int(s, 3, ifc->ifindex);
	bind_text(s, 4, role);
	bind_text(s, 5, role_origin ? role_origin : "");
	bind_text(s, 6, prefixes);
	if (step_done(st, s, "adding interface") < 0) {
		st->write_failures++;
		return -1;
	}
	return 0;
}

int store_kernel_ctx_add(struct store *st, int64_t run_id, const char *scope,
			 const char *key, const char *value)
{
	sqlite3_stmt *s = st->stmt[S_KCTX];

	sqlite3_bind_int64(s, 1, run_id);
	bind_text(s, 2, scope);
	bind_text(s, 3, key);
	bind_text(s, 4, value);
	if (step_done(st, s, "adding kernel context") < 0) {
		st->write_failures++;
		return -1;
	}
	return 0;
}

int store_hostaddr_add(struct store *st, int64_t run_id, const char *iface,
		       const struct prefix *p)
{
	sqlite3_stmt *s = st->stmt[S_HOSTADDR];
	char addr[ADDR_STRLEN];

	if (p->family != 4 && p->family != 6) {
		set_err(st, "adding host address: bad family %d", p->family);
		return -1;
	}
	addr_format(p->family, p->addr, addr, sizeof(addr));
	sqlite3_bind_int64(s, 1, run_id);
	bind_text(s, 2, iface);
	bind_text(s, 3, addr);
	sqlite3_bind_int(s, 4, p->plen);
	sqlite3_bind_int(s, 5, p->family);
	if (step_done(st, s, "adding host address") < 0) {
		st->write_failures++;
		return -1;
	}
	return 0;
}

/* Writes addr as the 16 bytes stored in src_bin/dst_bin (IPv4 as ::ffff:a.b.c.d). */
static void addr_bin(int family, const uint8_t addr[16], uint8_t out[16])
{
	if (family == 4) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, addr, 4);
	} else {
		memcpy(out, addr, 16);
	}
}

static const char *dir_name(unsigned dir)
{
	switch (dir) {
	case DIR_IN:
		return "in";
	case DIR_OUT:
		return "out";
	case DIR_UNKNOWN:
		return "unknown";
	}
	return NULL;
}

/* The key columns of a flow, as bound to parameters 1-4 and 7-13. */
struct flow_cols {
	const char *ifname, *dir, *cls, *sub;
	uint8_t sbin[16], dbin[16];
};

static void bind_key(sqlite3_stmt *s, const struct flow_key *k, const struct flow_cols *c)
{
	sqlite3_bind_int64(s, 1, k->bucket);
	sqlite3_bind_text(s, 2, c->ifname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->dir, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, k->family);
	sqlite3_bind_blob(s, 7, c->sbin, 16, SQLITE_STATIC);
	sqlite3_bind_blob(s, 8, c->dbin, 16, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, k->proto);
	sqlite3_bind_int(s, 10, k->sport);
	sqlite3_bind_int(s, 11, k->dport);
	sqlite3_bind_text(s, 12, c->cls, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, c->sub, -1, SQLITE_STATIC);
}

static void bind_counts(sqlite3_stmt *s, const struct flow_counts *d)
{
	sqlite3_bind_int64(s, 14, i64(d->packets));
	sqlite3_bind_int64(s, 15, i64(d->bytes));
	sqlite3_bind_int64(s, 16, i64(d->first_usec));
	sqlite3_bind_int64(s, 17, i64(d->last_usec));
	sqlite3_bind_int(s, 18, d->ttl_min);
	sqlite3_bind_int(s, 19, d->ttl_max);
	sqlite3_bind_int(s, 20, d->tcp_flags);
	sqlite3_bind_int(s, 21, d->seen_by);
}

/* Merges one flow into its row; the row id goes to *id. A known row (db_id) is updated
 * by id. Otherwise the upsert runs, and its row id is the new rowid, or (when it merged
 * into an existing row, which leaves last_insert_rowid alone) a lookup by key. This
 * avoids RETURNING, which inside a savepoint costs a statement journal per row and
 * halved the write rate (see tests/tools/store_bench.c). */
static int flow_merge(struct store *st, const struct flow_entry *e,
		      const char *const *ifnames, int64_t *id)
{
	const struct flow_key *k = &e->key;
	struct flow_cols c;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	sqlite3_stmt *s;
	int rc;

	c.ifname = ifnames ? ifnames[k->iface] : NULL;
	c.dir = dir_name(k->dir);
	c.cls = classify_class_name((enum spoof_class)k->cls);
	c.sub = addrclass_subclass_name((enum addr_subclass)k->subclass);
	if (!c.ifname || !c.dir || !c.cls || !c.sub || (k->family != 4 && k->family != 6)) {
		set_err(st, "writing flows: bad flow key (iface %u%s, dir %u, class %u, "
			"subclass %u, family %u)", k->iface, c.ifname ? "" : " has no name",
			k->dir, k->cls, k->subclass, k->family);
		return -1;
	}
	addr_bin(k->family, k->src, c.sbin);
	addr_bin(k->family, k->dst, c.dbin);

	if (e->db_id > 0) {
		s = st->stmt[S_FLOW_UPDATE];
		bind_key(s, k, &c);
		bind_counts(s, &e->delta);
		sqlite3_bind_int64(s, 22, e->db_id);
		if (step_done(st, s, "writing flows") < 0)
			return -1;
		if (sqlite3_changes(st->db) == 1) {
			*id = e->db_id;
			return 0;
		}
	}

	s = st->stmt[S_FLOW_UPSERT];
	addr_format(k->family, k->src, src, sizeof(src));
	addr_format(k->family, k->dst, dst, sizeof(dst));
	bind_key(s, k, &c);
	sqlite3_bind_text(s, 5, src, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, dst, -1, SQLITE_STATIC);
	bind_counts(s, &e->delta);
	sqlite3_set_last_insert_rowid(st->db, 0);
	if (step_done(st, s, "writing flows") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	if (*id != 0)
		return 0;

	s = st->stmt[S_FLOW_ID];
	bind_key(s, k, &c);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (rc == SQLITE_DONE)
		set_err(st, "writing flows: merged row not found");
	else
		sql_err(st, "writing flows");
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* All or nothing: the rows go in under a savepoint, and db_id is set only once every row
 * is written, so a failed batch can be retried without counting anything twice. Called
 * outside a transaction, each call commits by itself. */
int store_flows_write(struct store *st, struct flow_entry **entries, size_t n,
		      const char *const *ifnames)
{
	size_t i;
	int outer;

	if (n == 0)
		return 0;
	if (n > st->ids_cap) {
		int64_t *ids = realloc(st->ids, n * sizeof(*ids));

		if (!ids) {
			set_err(st, "writing flows: out of memory for %zu row ids", n);
			st->write_failures++;
			return -1;
		}
		st->ids = ids;
		st->ids_cap = n;
	}
	if (sp_begin(st, &outer, "writing flows") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (flow_merge(st, entries[i], ifnames, &st->ids[i]) < 0) {
			st->write_failures++;
			sp_abort(st, outer);
			return -1;
		}
	}
	if (sp_end(st, outer, "writing flows") < 0)
		return -1;
	for (i = 0; i < n; i++)
		entries[i]->db_id = st->ids[i];
	return 0;
}

int store_evidence_add(struct store *st, int64_t flow_id, uint64_t ts_usec, int linktype,
		       uint32_t wirelen, const uint8_t *data, uint32_t caplen)
{
	sqlite3_stmt *s = st->stmt[S_EVIDENCE];

	if (caplen > (uint32_t)INT32_MAX || (caplen > 0 && !data)) {
		set_err(st, "adding evidence: bad capture length %u", caplen);
		return -1;
	}
	sqlite3_bind_int64(s, 1, flow_id);
	sqlite3_bind_int64(s, 2, i64(ts_usec));
	sqlite3_bind_int(s, 3, linktype);
	sqlite3_bind_int64(s, 4, wirelen);
	sqlite3_bind_int64(s, 5, caplen);
	sqlite3_bind_blob(s, 6, caplen ? (const void *)data : "", (int)caplen, SQLITE_STATIC);
	if (step_done(st, s, "adding evidence") < 0) {
		st->write_failures++;
		return -1;
	}
	return 0;
}

int store_stats_add(struct store *st, int64_t source_id, uint64_t start_usec,
		    uint64_t end_usec, const struct store_capture_stats *c)
{
	sqlite3_stmt *s = st->stmt[S_STATS];
	const uint64_t v[] = {
		c->received, c->kernel_drops, c->iface_drops, c->decoded_ip, c->not_ip,
		c->unsupported, c->malformed, c->nflog_received, c->nflog_enobufs,
		c->nflog_seq_gaps, c->flow_evictions, c->db_busy_retries, c->db_write_failures,
	};
	int outer, i;

	if (sp_begin(st, &outer, "adding capture statistics") < 0)
		return -1;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int64(s, 2, i64(start_usec));
	sqlite3_bind_int64(s, 3, i64(end_usec));
	for (i = 0; i < (int)(sizeof(v) / sizeof(v[0])); i++)
		sqlite3_bind_int64(s, 4 + i, i64(v[i]));
	if (step_done(st, s, "adding capture statistics") < 0)
		goto fail;
	s = st->stmt[S_DECODE_ERR];
	for (i = 0; i < DERR_COUNT; i++) {
		const char *reason = decode_error_name((enum decode_error)i);

		if (c->decode_errors[i] == 0)
			continue;
		if (!reason) {
			set_err(st, "adding decode errors: no name for reason %d", i);
			goto fail;
		}
		sqlite3_bind_int64(s, 1, source_id);
		sqlite3_bind_int64(s, 2, i64(start_usec));
		sqlite3_bind_int64(s, 3, i64(end_usec));
		sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, i64(c->decode_errors[i]));
		if (step_done(st, s, "adding decode errors") < 0)
			goto fail;
	}
	return sp_end(st, outer, "adding capture statistics");
fail:
	st->write_failures++;
	sp_abort(st, outer);
	return -1;
}

int64_t store_query_int(struct store *st, const char *sql)
{
	int64_t v;

	if (query_int(st, sql, &v) < 0)
		return -1;
	return v;
}

int store_nflog_add(struct store *st, int64_t flow_id, const char *prefix, unsigned group,
		    unsigned hook, uint64_t packets, uint64_t bytes, int64_t uid, int64_t gid,
		    int64_t mark)
{
	sqlite3_stmt *s = st->stmt[S_NFLOG];

	sqlite3_bind_int64(s, 1, flow_id);
	sqlite3_bind_text(s, 2, prefix ? prefix : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)group);
	sqlite3_bind_int(s, 4, (int)hook);
	sqlite3_bind_int64(s, 5, i64(packets));
	sqlite3_bind_int64(s, 6, i64(bytes));
	if (uid >= 0)
		sqlite3_bind_int64(s, 7, uid);
	else
		sqlite3_bind_null(s, 7);
	if (gid >= 0)
		sqlite3_bind_int64(s, 8, gid);
	else
		sqlite3_bind_null(s, 8);
	if (mark >= 0)
		sqlite3_bind_int64(s, 9, mark);
	else
		sqlite3_bind_null(s, 9);
	if (step_done(st, s, "adding NFLOG counts") < 0) {
		st->write_failures++;
		return -1;
	}
	return 0;
}

/* Read side -------------------------------------------------------------------------
 * A prepared statement over SQL text the caller owns (the report queries embedded from
 * reports/ *.sql), with named parameters, so that the report and export commands read the
 * database without speaking SQL themselves. */

struct store_rows {
	struct store *st;
	sqlite3_stmt *s;
};

struct store_rows *store_rows_prepare(struct store *st, const char *name, const char *sql)
{
	struct store_rows *q = calloc(1, sizeof(*q));

	if (!q) {
		set_err(st, "%s: out of memory", name);
		return NULL;
	}
	q->st = st;
	if (sqlite3_prepare_v2(st->db, sql, -1, &q->s, NULL) != SQLITE_OK) {
		set_err(st, "%s: %s", name, sqlite3_errmsg(st->db));
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
		set_err(q->st, "binding %s: %s", name, sqlite3_errmsg(q->st->db));
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
		set_err(q->st, "binding %s: blob too large", name);
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
	sql_err(q->st, "query");
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

/* Retention ------------------------------------------------------------------------- */

/* Runs one statement with ?1 = cutoff and ?2 = limit (either may be unused) and adds the
 * rows it changed to *count. */
static int prune_exec(struct store *st, const char *sql, int64_t cutoff, int64_t limit,
		      uint64_t *count)
{
	sqlite3_stmt *s = NULL;
	int ret = -1, rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		sql_err(st, sql);
		goto out;
	}
	if (sqlite3_bind_parameter_count(s) >= 1)
		sqlite3_bind_int64(s, 1, cutoff);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (count)
			*count += (uint64_t)sqlite3_column_int64(s, 0);
	if (rc != SQLITE_DONE) {
		sql_err(st, "prune");
		goto out;
	}
	if (count && sqlite3_column_count(s) == 0)
		*count += (uint64_t)sqlite3_changes(st->db);
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/* Runs the statements of one batch in one IMMEDIATE transaction; *changed receives the
 * rows the last statement changed. */
static int prune_batch(struct store *st, const char *const *sqls, uint64_t **counts,
		       size_t n, int64_t cutoff, int64_t limit, uint64_t *changed)
{
	size_t i;
	uint64_t last = 0;

	if (exec_sql(st, "BEGIN IMMEDIATE", "prune") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		uint64_t c = 0;

		if (prune_exec(st, sqls[i], cutoff, limit, &c) < 0)
			goto fail;
		if (counts[i])
			*counts[i] += c;
		last = c;
	}
	if (exec_sql(st, "COMMIT", "prune") < 0)
		goto fail;
	*changed = last;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

static int pragma_int(struct store *st, const char *sql, uint64_t *out)
{
	int64_t v;

	if (query_int(st, sql, &v) < 0)
		return -1;
	*out = v < 0 ? 0 : (uint64_t)v;
	return 0;
}

/* Runs prune_batch until a batch removes nothing, counting its transactions. */
static int prune_table(struct store *st, const char *const *sql, uint64_t **counts, size_t n,
		       int64_t cutoff, unsigned batch, struct store_prune_result *r)
{
	uint64_t changed;

	do {
		if (prune_batch(st, sql, counts, n, cutoff, batch, &changed) < 0)
			return -1;
		r->transactions++;
	} while (changed > 0);
	return 0;
}

int store_prune(struct store *st, int64_t cutoff_usec, unsigned batch, int flags,
		struct store_prune_result *r)
{
	/* Flows by bucket (seconds), their evidence and NFLOG rows first. */
	static const char *const flow_sql[] = {
		"DELETE FROM temp.prune_ids",
		"INSERT INTO temp.prune_ids SELECT id FROM flows WHERE bucket < ?1"
		" ORDER BY bucket LIMIT ?2",
		"DELETE FROM evidence WHERE flow_id IN temp.prune_ids",
		"DELETE FROM flow_nflog WHERE flow_id IN temp.prune_ids",
		"DELETE FROM flows WHERE id IN temp.prune_ids",
	};
	static const char *const stats_sql[] = {
		"DELETE FROM capture_stats WHERE id IN (SELECT id FROM capture_stats"
		" WHERE end_usec <= ?1 LIMIT ?2)",
	};
	static const char *const derr_sql[] = {
		"DELETE FROM decode_errors WHERE rowid IN (SELECT rowid FROM decode_errors"
		" WHERE end_usec <= ?1 LIMIT ?2)",
	};
	/* Policy violations last seen before the cutoff (their evidence rows with them). */
	static const char *const viol_sql[] = {
		"DELETE FROM violations WHERE id IN (SELECT id FROM violations"
		" WHERE last_usec < ?1 LIMIT ?2)",
	};
	/* A run goes when it started and ended (or crashed) before the cutoff and none of
	 * its statistics are left; its sources, interfaces and context go with it. */
	static const char *const runs_sql[] = {
		"DELETE FROM runs WHERE id IN (SELECT r.id FROM runs r WHERE r.started_usec < ?1"
		" AND coalesce(r.ended_usec, 0) < ?1 AND NOT EXISTS (SELECT 1 FROM sources s"
		" JOIN capture_stats c ON c.source_id = s.id WHERE s.run_id = r.id) LIMIT ?2)",
	};
	static const char *const count_sql[] = {
		"SELECT count(*) FROM flows WHERE bucket < ?1",
		"SELECT count(*) FROM evidence WHERE flow_id IN"
		" (SELECT id FROM flows WHERE bucket < ?1)",
		"SELECT count(*) FROM flow_nflog WHERE flow_id IN"
		" (SELECT id FROM flows WHERE bucket < ?1)",
		"SELECT count(*) FROM capture_stats WHERE end_usec <= ?1",
		"SELECT count(*) FROM decode_errors WHERE end_usec <= ?1",
		"SELECT count(*) FROM violations WHERE last_usec < ?1",
		"SELECT count(*) FROM runs r WHERE r.started_usec < ?1 AND"
		" coalesce(r.ended_usec, 0) < ?1 AND NOT EXISTS (SELECT 1 FROM sources s"
		" JOIN capture_stats c ON c.source_id = s.id WHERE s.run_id = r.id AND"
		" c.end_usec > ?1)",
	};
	uint64_t *flow_counts[5], *one[1];
	int64_t cutoff_s = cutoff_usec / 1000000;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (batch == 0)
		batch = 1;
	if (pragma_int(st, "PRAGMA page_size", &r->page_size) < 0 ||
	    pragma_int(st, "PRAGMA page_count", &r->pages_before) < 0 ||
	    pragma_int(st, "PRAGMA freelist_count", &r->free_before) < 0 ||
	    pragma_int(st, "PRAGMA auto_vacuum", &r->auto_vacuum) < 0)
		return -1;
	if (flags & STORE_PRUNE_DRY_RUN) {
		uint64_t *dst[] = { &r->flows, &r->evidence, &r->flow_nflog, &r->capture_stats,
				    &r->decode_errors, &r->violations, &r->runs };

		for (i = 0; i < sizeof(count_sql) / sizeof(count_sql[0]); i++)
			if (prune_exec(st, count_sql[i], i < 3 ? cutoff_s : cutoff_usec, 0, dst[i]) < 0)
				return -1;
		r->pages_after = r->pages_before;
		r->free_after = r->free_before;
		return 0;
	}
	if (exec_sql(st, "CREATE TEMP TABLE IF NOT EXISTS prune_ids(id INTEGER PRIMARY KEY)",
		     "prune") < 0)
		return -1;
	flow_counts[0] = flow_counts[1] = NULL;
	flow_counts[2] = &r->evidence;
	flow_counts[3] = &r->flow_nflog;
	flow_counts[4] = &r->flows;
	if (prune_table(st, flow_sql, flow_counts, 5, cutoff_s, batch, r) < 0)
		return -1;
	one[0] = &r->capture_stats;
	if (prune_table(st, stats_sql, one, 1, cutoff_usec, batch, r) < 0)
		return -1;
	one[0] = &r->decode_errors;
	if (prune_table(st, derr_sql, one, 1, cutoff_usec, batch, r) < 0)
		return -1;
	one[0] = &r->violations;
	if (prune_table(st, viol_sql, one, 1, cutoff_usec, batch, r) < 0)
		return -1;
	one[0] = &r->runs;
	if (prune_table(st, runs_sql, one, 1, cutoff_usec, batch, r) < 0)
		return -1;
	/* Reclaim: incremental vacuum in steps (each its own short transaction) where the
	 * file allows it, a full VACUUM only when asked (it locks out the collector). */
	if (r->auto_vacuum == 2) {
		uint64_t freel;

		for (;;) {
			if (pragma_int(st, "PRAGMA freelist_count", &freel) < 0)
				return -1;
			if (freel == 0)
				break;
			if (exec_sql(st, "PRAGMA incremental_vacuum(4096)", "incremental vacuum") < 0)
				return -1;
			r->vacuumed = 1;
		}
	} else if (flags & STORE_PRUNE_FULL_VACUUM) {
		if (exec_sql(st, "VACUUM", "vacuum") < 0)
			return -1;
		r->vacuumed = 2;
	}
	if (!st->readonly)
		exec_sql(st, "PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint");	/* best effort */
	if (pragma_int(st, "PRAGMA page_count", &r->pages_after) < 0 ||
	    pragma_int(st, "PRAGMA freelist_count", &r->free_after) < 0)
		return -1;
	return 0;
}

/* ---- Read side of `check` ---- */

struct store_flow_iter {
	struct store *st;
	sqlite3_stmt *s;
};

struct store_flow_iter *store_flows_open(struct store *st, int64_t since, int64_t until)
{
	static const char sql[] =
		"SELECT id, bucket, iface, dir, family, src, dst, src_bin, dst_bin, proto, sport,"
		" dport, class, subclass, packets, bytes, first_usec, last_usec, tcp_flags"
		" FROM flows WHERE bucket >= ?1 AND (?2 <= 0 OR bucket < ?2) ORDER BY id";
	struct store_flow_iter *it = calloc(1, sizeof(*it));

	if (!it) {
		set_err(st, "reading flows: out of memory");
		return NULL;
	}
	it->st = st;
	if (sqlite3_prepare_v2(st->db, sql, -1, &it->s, NULL) != SQLITE_OK) {
		set_err(st, "reading flows: %s", sqlite3_errmsg(st->db));
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

	snprintf(dst, len, "%s", t ? (const char *)t : "");
}

int store_flows_next(struct store_flow_iter *it, struct store_flow *f)
{
	sqlite3_stmt *s = it->s;
	int rc = sqlite3_step(s);
	const void *b;

	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		set_err(it->st, "reading flows: %s", sqlite3_errmsg(it->st->db));
		return -1;
	}
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(s, 0);
	f->bucket = sqlite3_column_int64(s, 1);
	col_copy(s, 2, f->iface, sizeof(f->iface));
	col_copy(s, 3, f->dir, sizeof(f->dir));
	f->family = sqlite3_column_int(s, 4);
	col_copy(s, 5, f->src_text, sizeof(f->src_text));
	col_copy(s, 6, f->dst_text, sizeof(f->dst_text));
	b = sqlite3_column_blob(s, 7);
	if (b && sqlite3_column_bytes(s, 7) == 16)
		memcpy(f->src, b, 16);
	b = sqlite3_column_blob(s, 8);
	if (b && sqlite3_column_bytes(s, 8) == 16)
		memcpy(f->dst, b, 16);
	f->proto = sqlite3_column_int(s, 9);
	f->sport = (unsigned)sqlite3_column_int(s, 10);
	f->dport = (unsigned)sqlite3_column_int(s, 11);
	col_copy(s, 12, f->cls, sizeof(f->cls));
	col_copy(s, 13, f->subclass, sizeof(f->subclass));
	f->packets = (uint64_t)sqlite3_column_int64(s, 14);
	f->bytes = (uint64_t)sqlite3_column_int64(s, 15);
	f->first_usec = sqlite3_column_int64(s, 16);
	f->last_usec = sqlite3_column_int64(s, 17);
	f->tcp_flags = (unsigned)sqlite3_column_int(s, 18);
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
		set_err(st, "reading host context: %s", sqlite3_errmsg(st->db));
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
		set_err(st, "reading host context: %s", sqlite3_errmsg(st->db));
		ret = -1;
	}
	sqlite3_finalize(s);
	return ret;
}

void store_set_busy_timeout(struct store *st, int ms)
{
	st->busy_timeout_ms = ms < 0 ? 0 : ms;
}

/* ---- Violations of the live policy audit (migration 4) ---- */

static const char *const vstmt_sql[2] = {
	"INSERT INTO violations(run_id, sig, kind, strength, first_usec, last_usec, count, packets,"
	" lines, flow_id, flow, iface, class, family, proto, dport, intended, live, evidence,"
	" evidence_flow_id, message)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, nullif(?10, 0), ?11, ?12, ?13, ?14, ?15, ?16,"
	" ?17, ?18, ?19, nullif(?20, 0), ?21)"
	" ON CONFLICT(run_id, sig) DO UPDATE SET"
	" first_usec = min(first_usec, excluded.first_usec),"
	" last_usec = max(last_usec, excluded.last_usec), count = count + excluded.count,"
	" packets = packets + excluded.packets, lines = lines + excluded.lines,"
	" flow_id = coalesce(flow_id, excluded.flow_id),"
	" evidence_flow_id = coalesce(evidence_flow_id, excluded.evidence_flow_id),"
	" evidence = CASE WHEN evidence = '' THEN excluded.evidence ELSE evidence END"
	" RETURNING id",
	"INSERT OR IGNORE INTO violation_evidence(violation_id, flow_id, ts_usec) VALUES(?1, ?2, ?3)",
};

static sqlite3_stmt *vstmt(struct store *st, int i)
{
	if (!st->vstmt[i] &&
	    sqlite3_prepare_v2(st->db, vstmt_sql[i], -1, &st->vstmt[i], NULL) != SQLITE_OK) {
		set_err(st, "preparing the violations statement: %s", sqlite3_errmsg(st->db));
		return NULL;
	}
	return st->vstmt[i];
}

int64_t store_violation_upsert(struct store *st, const struct store_violation *v)
{
	sqlite3_stmt *s = vstmt(st, 0);
	const char *text[] = { v->sig, v->kind, v->strength };
	int64_t id = -1;
	int i, rc;

	if (!s)
		return write_failed(st, "adding a violation");
	sqlite3_bind_int64(s, 1, v->run_id);
	for (i = 0; i < 3; i++)
		sqlite3_bind_text(s, 2 + i, text[i] ? text[i] : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, i64(v->first_usec));
	sqlite3_bind_int64(s, 6, i64(v->last_usec));
	sqlite3_bind_int64(s, 7, i64(v->count));
	sqlite3_bind_int64(s, 8, i64(v->packets));
	sqlite3_bind_int64(s, 9, i64(v->lines));
	sqlite3_bind_int64(s, 10, v->flow_id);
	sqlite3_bind_text(s, 11, v->flow ? v->flow : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, v->iface ? v->iface : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, v->cls ? v->cls : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 14, v->family);
	sqlite3_bind_int(s, 15, v->proto);
	sqlite3_bind_int(s, 16, v->dport);
	sqlite3_bind_text(s, 17, v->intended ? v->intended : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 18, v->live ? v->live : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 19, v->evidence ? v->evidence : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 20, v->evidence_flow_id);
	sqlite3_bind_text(s, 21, v->message ? v->message : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else
		set_err(st, "adding a violation: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (id < 0)
		st->write_failures++;
	return id;
}

int store_violation_evidence_add(struct store *st, int64_t violation_id, int64_t flow_id,
				 uint64_t ts_usec)
{
	sqlite3_stmt *s = vstmt(st, 1);

	if (!s)
		return write_failed(st, "adding violation evidence");
	sqlite3_bind_int64(s, 1, violation_id);
	sqlite3_bind_int64(s, 2, flow_id);
	sqlite3_bind_int64(s, 3, i64(ts_usec));
	if (step_done(st, s, "adding violation evidence") < 0) {
		st->write_failures++;
		return -1;
	}
	return 0;
}
