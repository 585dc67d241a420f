/* This file guards the store against files it did not make: symbolic links and odd
 * files in place of the database, schema objects the migrations did not create, damaged
 * pages, statements that run without end, and ownership handed over by name. */
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/embedded.h"
#include "common/textsafe.h"

/* How many virtual-machine steps SQLite runs between two looks at the clock. */
#define STORE_PROGRESS_STEPS	10000

/* Opens path for fstat/fchown only: never through a symbolic link, never blocking on a
 * FIFO, never becoming a controlling terminal. */
static int open_nofollow(const char *path, int extra, mode_t mode)
{
	return open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | extra, mode);
}

/* Checks what fd is: a regular file with exactly one name (nlink_one), else -1 and err. */
static int check_regular(int fd, const char *path, int nlink_one, struct stat *sb,
			 char *err, size_t errlen)
{
	if (fstat(fd, sb) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb->st_mode)) {
		snprintf(err, errlen, "%s: not a regular file; refusing it as a database", path);
		return -1;
	}
	if (nlink_one && sb->st_nlink != 1) {
		snprintf(err, errlen, "%s: has %lu hard links; refusing to write a file that "
			 "has another name", path, (unsigned long)sb->st_nlink);
		return -1;
	}
	return 0;
}

static void link_err(const char *path, int e, char *err, size_t errlen)
{
	if (e == ELOOP)
		snprintf(err, errlen, "%s: is a symbolic link; refusing it (a database and its "
			 "-wal and -shm are never reached through a link)", path);
	else
		snprintf(err, errlen, "%s: %s", path, strerror(e));
}

/* SQLite opens the -wal and -shm without following links as well, but says only "unable
 * to open database file": name what is wrong instead. */
static int check_companions(const char *path, char *err, size_t errlen)
{
	static const char *const suffix[] = { "-wal", "-shm", "-journal" };
	char name[4096];
	struct stat sb;
	unsigned i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, suffix[i]) >= sizeof(name)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -1;
		}
		if (lstat(name, &sb) < 0)
			continue;
		if (S_ISLNK(sb.st_mode)) {
			link_err(name, ELOOP, err, errlen);
			return -1;
		}
		if (!S_ISREG(sb.st_mode)) {
			snprintf(err, errlen, "%s: not a regular file; refusing the database beside it",
				 name);
			return -1;
		}
	}
	return 0;
}

int store_guard_open_file(const char *path, int create, int readonly, char *err, size_t errlen)
{
	struct stat sb;
	int fd = open_nofollow(path, 0, 0);

	/* A new file gets 0640 (less under a stricter umask): it will hold raw packets,
	 * and SQLite gives its -wal and -shm the mode of the database file. */
	if (fd < 0 && errno == ENOENT && create)
		fd = open_nofollow(path, O_CREAT | O_EXCL, 0640);
	if (fd < 0) {
		if (errno == ENOENT && !create)
			return -2;	/* SQLite says so in its own words */
		link_err(path, errno, err, errlen);
		return -1;
	}
	if (check_regular(fd, path, !readonly, &sb, err, errlen) < 0 ||
	    check_companions(path, err, errlen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int store_guard_same_file(int fd, const char *path, char *err, size_t errlen)
{
	struct stat a, b;

	if (fstat(fd, &a) < 0 || lstat(path, &b) < 0 || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		snprintf(err, errlen, "%s: the file changed while it was being opened; refusing it",
			 path);
		return -1;
	}
	return 0;
}

int store_chown_files(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char name[4096];
	struct stat sb, db = { 0 };
	unsigned i;
	int fd, ret = -1;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, suffix[i]) >= sizeof(name)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -1;
		}
		fd = open_nofollow(name, 0, 0);
		if (fd < 0 && errno == ENOENT && i == 0)	/* a new database: created here */
			fd = open_nofollow(name, O_CREAT | O_EXCL, 0640);
		if (fd < 0 && errno == ENOENT && i > 0)
			continue;
		if (fd < 0) {
			link_err(name, errno, err, errlen);
			return -1;
		}
		ret = check_regular(fd, name, 1, &sb, err, errlen);
		if (ret == 0 && i == 0)
			db = sb;
		if (ret == 0 && sb.st_dev != db.st_dev) {
			snprintf(err, errlen, "%s: not on the database's file system; refusing it", name);
			ret = -1;
		}
		if (ret == 0 && fchown(fd, uid, gid) < 0) {
			snprintf(err, errlen, "cannot hand %s to uid %u: %s", name, (unsigned)uid,
				 strerror(errno));
			ret = -1;
		}
		close(fd);
		if (ret < 0)
			return -1;
	}
	return 0;
}

int store_owner_check(const char *path, uid_t uid, char *err, size_t errlen)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char name[4096];
	struct stat sb;

	for (unsigned i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		if ((size_t)snprintf(name, sizeof(name), "%s%s", path, suffix[i]) >= sizeof(name)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -1;
		}
		/* by path, no descriptor: closing one would drop the connection's locks */
		if (lstat(name, &sb) < 0) {
			if (errno == ENOENT && i > 0)
				continue;
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			return -1;
		}
		if (!S_ISREG(sb.st_mode) || sb.st_uid != uid) {
			snprintf(err, errlen, "%s is not a regular file of uid %u (it was handed over "
				 "before the database was opened)", name, (unsigned)uid);
			return -1;
		}
	}
	return 0;
}

static int64_t mono_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A statement starts (not a trigger's sub-program, whose text SQLite starts with "--"):
 * its run time counts from now. */
static int trace_stmt(unsigned type, void *arg, void *p, void *x)
{
	struct store *st = arg;
	const char *sql = x;

	(void)p;
	if (type == SQLITE_TRACE_STMT && !(sql && sql[0] == '-' && sql[1] == '-'))
		st->call_start_usec = mono_usec();
	return 0;
}

/* Interrupts a statement that has run longer than the time limit. */
static int progress(void *arg)
{
	struct store *st = arg;

	return st->time_limit_s &&
	       mono_usec() - st->call_start_usec > (int64_t)st->time_limit_s * 1000000;
}

void store_set_time_limit(struct store *st, unsigned seconds)
{
	st->time_limit_s = seconds;
}

int store_guard_connection(struct store *st)
{
	int on;

	if (sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, &on) != SQLITE_OK || !on ||
	    sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &on) != SQLITE_OK || on) {
		store_set_err(st, "cannot make the connection defensive: %s", sqlite3_errmsg(st->db));
		return -1;
	}
	st->call_start_usec = mono_usec();
	sqlite3_trace_v2(st->db, SQLITE_TRACE_STMT, trace_stmt, st);
	sqlite3_progress_handler(st->db, STORE_PROGRESS_STEPS, progress, st);
	return 0;
}

/* The most schema objects a file may hold; the migrations make a few dozen. */
#define STORE_MAX_OBJECTS	1000

/* One row of sqlite_schema: type, tbl_name, name and sql, each with its length. */
struct schema_obj {
	char *f[4];
	int n[4];
};

struct schema {
	struct schema_obj *o;
	size_t n;
};

static void schema_free(struct schema *sc)
{
	size_t i;
	int j;

	for (i = 0; i < sc->n; i++)
		for (j = 0; j < 4; j++)
			free(sc->o[i].f[j]);
	free(sc->o);
	sc->o = NULL;
	sc->n = 0;
}

/* Reads the schema objects of db, leaving out the statistics tables ANALYZE makes. */
static int schema_read(sqlite3 *db, struct schema *sc)
{
	static const char sql[] =
		"SELECT type, tbl_name, name, coalesce(sql, '') FROM main.sqlite_schema"
		" WHERE NOT (type = 'table' AND name IN ('sqlite_stat1', 'sqlite_stat4')"
		" AND sql IN ('CREATE TABLE sqlite_stat1(tbl,idx,stat)',"
		" 'CREATE TABLE sqlite_stat4(tbl,idx,neq,nlt,ndlt,sample)'))";
	sqlite3_stmt *s = NULL;
	int rc, j, ret = -1;

	memset(sc, 0, sizeof(*sc));
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	sc->o = calloc(STORE_MAX_OBJECTS, sizeof(*sc->o));
	if (!sc->o)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct schema_obj *o = &sc->o[sc->n];

		if (sc->n == STORE_MAX_OBJECTS) {
			ret = -2;
			goto out;
		}
		sc->n++;
		for (j = 0; j < 4; j++) {
			const void *t = sqlite3_column_blob(s, j);

			o->n[j] = sqlite3_column_bytes(s, j);
			o->f[j] = malloc((size_t)o->n[j] + 1);
			if (!o->f[j])
				goto out;
			if (o->n[j])
				memcpy(o->f[j], t, (size_t)o->n[j]);
			o->f[j][o->n[j]] = '\0';
		}
	}
	if (rc == SQLITE_DONE)
		ret = 0;
out:
	sqlite3_finalize(s);
	if (ret != 0)
		schema_free(sc);
	return ret;
}

/* The schema migrations 1..version make, built in a private in-memory database. */
static int schema_expected(int version, struct schema *sc)
{
	sqlite3 *mem = NULL;
	int i, ret = -1;

	memset(sc, 0, sizeof(*sc));
	if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto out;
	if (store_khash_register(mem) < 0)	/* migration 9 calls it */
		goto out;
	/* RESET after each: a migration that edits a definition in sqlite_schema (008)
	 * leaves this connection the text it parsed before, and a later ALTER TABLE (009)
	 * would splice into it */
	for (i = 0; i < version; i++)
		if (sqlite3_exec(mem, embedded_migrations[i].text, NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(mem, "PRAGMA writable_schema = RESET", NULL, NULL, NULL) != SQLITE_OK)
			goto out;
	ret = schema_read(mem, sc);
out:
	sqlite3_close(mem);
	return ret;
}

/* The first object of a that b does not hold, byte for byte in all four fields. */
static const struct schema_obj *schema_missing(const struct schema *a, const struct schema *b)
{
	size_t i, k;
	int j;

	for (i = 0; i < a->n; i++) {
		for (k = 0; k < b->n; k++) {
			for (j = 0; j < 4; j++)
				if (a->o[i].n[j] != b->o[k].n[j] ||
				    memcmp(a->o[i].f[j], b->o[k].f[j], (size_t)a->o[i].n[j]) != 0)
					break;
			if (j == 4)
				break;
		}
		if (k == b->n)
			return &a->o[i];
	}
	return NULL;
}

int store_guard_schema(struct store *st, const char *path, int version)
{
	struct schema want, have;
	const struct schema_obj *o;
	char type[32], name[160], sql[160];
	int ret = -1, rc;

	if (schema_expected(version, &want) < 0) {
		store_set_err(st, "%s: cannot build the schema of version %d", path, version);
		return -1;
	}
	rc = schema_read(st->db, &have);
	if (rc < 0) {
		if (rc == -2)
			store_set_err(st, "%s: an SQLite database, but not a spoofaudit one: "
				      "more than %d schema objects", path, STORE_MAX_OBJECTS);
		else
			store_sql_err(st, path);
		goto out;
	}
	if ((o = schema_missing(&have, &want)) != NULL) {
		text_term(type, sizeof(type), o->f[0]);
		text_term(name, sizeof(name), o->f[2]);
		text_term(sql, sizeof(sql), o->f[3]);
		store_set_err(st, "%s: an SQLite database, but not a spoofaudit one: its %s `%s' "
			      "(%s) is not what spoofaudit's migrations create at schema version %d", path, type,
			      name, sql, version);
		goto out;
	}
	if ((o = schema_missing(&want, &have)) != NULL) {
		store_set_err(st, "%s: an SQLite database, but not a spoofaudit one: it lacks the "
			      "%s `%s' of schema version %d", path, o->f[0], o->f[2], version);
		goto out;
	}
	ret = 0;
out:
	schema_free(&want);
	schema_free(&have);
	return ret;
}

/* SQLite's quick_check verifies CHECK constraints only on a writable connection: a
 * reader's open checks the schema's (schema/ *.sql, fixed by store_guard_schema) itself,
 * by a scan of each table's rows (NOT INDEXED: an index may disagree with its table). */
static int check_constraints(struct store *st, const char *path)
{
	static const struct { int version; const char *sql; } checks[] = {
		{ 1, "SELECT count(*) FROM runs NOT INDEXED WHERE (bucket_seconds > 0) IS NOT 1" },
		{ 1, "SELECT count(*) FROM sources NOT INDEXED WHERE"
		     " (kind IN ('pcap-live', 'pcap-file', 'nflog')) IS NOT 1" },
		{ 1, "SELECT count(*) FROM host_addrs NOT INDEXED WHERE (family IN (4, 6)) IS NOT 1" },
		{ 1, "SELECT count(*) FROM flows NOT INDEXED WHERE (dir IN ('in', 'out', 'unknown')"
		     " AND family IN (4, 6) AND length(src_bin) = 16 AND length(dst_bin) = 16) IS NOT 1" },
		{ 4, "SELECT count(*) FROM violations NOT INDEXED WHERE"
		     " (strength IN ('strong', 'weak')) IS NOT 1" },
		{ 7, "SELECT count(*) FROM hopcount NOT INDEXED WHERE (family IN (4, 6) AND"
		     " length(prefix_bin) = 16 AND hops_lo BETWEEN 0 AND 255 AND hops_hi BETWEEN"
		     " hops_lo AND 255 AND proofs > 0) IS NOT 1" },
		{ 7, "SELECT count(*) FROM flood_episodes NOT INDEXED WHERE (family IN (4, 6)) IS NOT 1" },
	};
	int64_t bad = 0;
	size_t i;

	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if (checks[i].version > st->version)
			continue;
		if (store_query_i64(st, checks[i].sql, &bad) < 0)
			return -1;
		if (bad) {
			store_set_err(st, "%s: the database is damaged (%lld rows break a CHECK"
				      " constraint: %.60s...); refusing to read it", path,
				      (long long)bad, checks[i].sql + 21);
			return -1;
		}
	}
	return 0;
}

int store_guard_quick_check(struct store *st, const char *path, int force)
{
	sqlite3_stmt *s = NULL;
	int64_t pages = 0, page_size = 0;
	int rc, ret = -1;

	/* quick_check reads every page: about 2 s of CPU per 300 MB here, so a year of data
	 * would hold every report for minutes. Past the bound, the pages a reader visits are
	 * checked as it reads them (cell_size_check), and store_unverified_bytes() says so. */
	(void)path;
	if (store_query_i64(st, "PRAGMA page_count", &pages) < 0 ||
	    store_query_i64(st, "PRAGMA page_size", &page_size) < 0)
		return -1;
	if (!force && (uint64_t)(pages * page_size) > STORE_QUICK_CHECK_MAX_BYTES) {
		st->unverified_bytes = (uint64_t)(pages * page_size);
		return store_exec(st, "PRAGMA cell_size_check = ON", path);
	}
	if (sqlite3_prepare_v2(st->db, "PRAGMA quick_check(1)", -1, &s, NULL) != SQLITE_OK) {
		store_sql_err(st, path);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(s, 0), "ok")) {
		ret = st->readonly ? check_constraints(st, path) : 0;
	} else if (rc == SQLITE_ROW) {
		store_set_err(st, "%s: the database is damaged (PRAGMA quick_check: %.200s); "
			      "refusing to read it", path, sqlite3_column_text(s, 0));
	} else if ((sqlite3_errcode(st->db) & 0xff) == SQLITE_CORRUPT) {
		store_set_err(st, "%s: the database is damaged (PRAGMA quick_check: %s); "
			      "refusing to read it", path, sqlite3_errmsg(st->db));
	} else {
		store_sql_err(st, path);
	}
out:
	sqlite3_finalize(s);
	return ret;
}
