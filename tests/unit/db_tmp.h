/* A test helper shared by the unit tests that make database files: a temporary folder per
 * test group, paths in it, removing a database with its -wal, -shm and -journal, and SQL
 * through a plain connection (what a person or another program would do; the tests'
 * oracle, not the store's code). Include after cmocka.h and sqlite3.h or store/store.h. */
#ifndef SPOOFAUDIT_TEST_DB_TMP_H
#define SPOOFAUDIT_TEST_DB_TMP_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>

static char tmpdir[64];

/* tmpdir/name, in a static rotation of buffers (tests use a few at a time). */
static inline const char *tpath(const char *name)
{
	static char buf[4][256];
	static unsigned n;
	char *p = buf[n++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

static inline void rm_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[300];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

/* Makes /tmp/NAME.XXXXXX the group's folder: 0, or -1. */
static inline int db_tmp_setup(const char *name)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%s.XXXXXX", name);
	return mkdtemp(tmpdir) ? 0 : -1;
}

static inline int db_tmp_teardown(void)
{
	return rmdir(tmpdir);
}

/* Runs SQL on a plain connection. */
static inline void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

/* One integer from a plain connection. */
static inline int64_t raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	int64_t v;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

#endif
