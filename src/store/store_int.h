/* This file declares what the store's own files share and nothing outside src/store/
 * may use: the connection struct, its prepared statements and the helpers that step
 * them and turn SQLite's errors into store_errmsg() text. */
#ifndef SPOOFAUDIT_STORE_INT_H
#define SPOOFAUDIT_STORE_INT_H

#include <stdint.h>
#include <sqlite3.h>
#include <sys/types.h>

#include "store/store.h"

/* How long a statement waits for another connection's lock before failing, and the page
 * cache of a connection (negative: KiB). tests/tools/insert_baseline.c mirrors the latter
 * and the page size. */
#define STORE_BUSY_TIMEOUT_MS	5000
#define STORE_CACHE_KIB		7168

/* The page size of a new file (issue 13). The writer's time went mostly to pwrite64 and
 * pread64 of single 4 KiB pages: 98 603 and 43 208 calls for the typical 1 M-packet mix,
 * 4.2 M and 3.2 M for 1.2 M flows of two-way traffic, as every flush dirties pages all
 * over the indexes that random keys fill (flows_bucket_khash, flows_report_spoof,
 * spoof_hourly). With 16 KiB pages a collect -r took 15 % less time on the typical mix
 * (1 M and 5 M packets), 10 % on the flood mix; the report of a day 1-6 % less, check
 * the same; 32 KiB was faster still on the typical mix but 8-15 % slower on two-way
 * traffic. The cache above went from 8 to 7 MiB so that the peak RSS stays under 64 MiB
 * at 5 M packets. A file keeps the page size it was created with (SQLite cannot change
 * it in WAL mode). */
#define STORE_PAGE_SIZE		16384

/* The longest one statement may run on a connection that store_open() did not open with
 * STORE_OPEN_CREATE (store_set_time_limit() changes it). */
#define STORE_TIME_LIMIT_S	3600

/* The value of meta.application that marks a spoofaudit database. */
#define STORE_APPLICATION	"spoofaudit"

enum store_stmt {
	S_BEGIN, S_BEGIN_RO, S_COMMIT, S_ROLLBACK,
	S_SP_BEGIN, S_SP_RELEASE, S_SP_ROLLBACK,
	S_FLOW_INSERT, S_FLOW_UPDATE, S_FLOW_ID, S_EVIDENCE, S_RUN_BEGIN, S_RUN_END, S_SOURCE, S_IFACE, S_KCTX,
	S_HOSTADDR, S_STATS, S_DECODE_ERR, S_NFLOG, S_NFLOG_FLOW, S_KCOUNT_START, S_KCOUNT_END,
	S_COUNT
};

/* The SQL of every statement store_open() prepares (store_write.c). */
extern const char *const store_stmt_sql[S_COUNT];

/* An open database. Invariant: every stmt[] is prepared once store_open() returns; ids
 * has room for ids_cap row ids (the scratch of store_flows_write()). */
/* Which keys certainly have no flow row yet (store_keyfilter.c). */
struct store_keyfilter {
	uint64_t *bits;			/* Bloom filter of the keys this connection inserted;
					 * NULL before the first write transaction, or off */
	int64_t floor;			/* keys of buckets up to this one are always looked up */
	int64_t newest;			/* the newest bucket of a key noted */
	int64_t own_max_id;		/* highest flows rowid when this connection last committed */
	int64_t pending_max_id;		/* ... and in its open transaction */
	int64_t data_version;		/* PRAGMA data_version at the last check */
	uint32_t keys;			/* keys noted since the filter was last emptied */
	uint32_t max_keys;		/* then it is emptied; 0: the default (tests set less) */
	int off;			/* another writer inserted flows: always look up */
};

struct store {
	sqlite3 *db;
	int readonly;
	int version;			/* PRAGMA user_version after migration */
	uint64_t busy_retries;		/* busy-handler calls that asked to retry */
	int busy_timeout_ms;		/* how long one statement waits for a lock */
	uint64_t write_failures;	/* writes that returned -1 */
	unsigned time_limit_s;		/* longest one statement may run; 0 none */
	uint64_t unverified_bytes;	/* size not quick_checked on open (over the bound); 0 */
	int64_t call_start_usec;	/* monotonic start of the running statement */
	int64_t *ids;
	size_t ids_cap;
	sqlite3_stmt *stmt[S_COUNT];
	sqlite3_stmt *vstmt[2];		/* violations: prepared on first use (migration 4) */
	struct store_keyfilter kf;
	char err[512];
};

void store_set_err(struct store *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Writes addr as the 16 bytes stored in src_bin/dst_bin (IPv4 as ::ffff:a.b.c.d). */
void store_addr_bin(int family, const uint8_t addr[16], uint8_t out[16]);
/* Sets "what: <sqlite message>" with a hint for the errors that need one. */
void store_sql_err(struct store *st, const char *what);
/* A failed write: a message, one more in store_write_failures(), and -1. */
int store_write_failed(struct store *st, const char *what);

/* Steps a statement whose rows are ignored and resets it: 0, or -1 with the message. */
int store_step_done(struct store *st, sqlite3_stmt *s, const char *what);
/* store_step_done() for a write: a failure also counts in store_write_failures(). */
int store_step_write(struct store *st, sqlite3_stmt *s, const char *what);
/* Steps a statement returning one integer (RETURNING id) into *out and resets it; a
 * failure counts as a failed write. */
int store_step_id(struct store *st, sqlite3_stmt *s, const char *what, int64_t *out);
/* Runs SQL text returning at most one integer into *out. */
int store_query_i64(struct store *st, const char *sql, int64_t *out);
/* Runs SQL text (several statements allowed), ignoring rows. */
int store_exec(struct store *st, const char *sql, const char *what);
/* The stored name of a flow key's direction ("in", "out", "unknown"); NULL for another. */
const char *store_dir_name(unsigned dir);

/* A savepoint so that a multi-row write is all or nothing, inside or outside the
 * caller's transaction: *outer receives whether a transaction was already open. */
int store_sp_begin(struct store *st, int *outer, const char *what);
void store_sp_abort(struct store *st, int outer);
int store_sp_end(struct store *st, int outer, const char *what);

/* Adds one flow's counts to its row: by id when db_id > 0 and that row still holds the
 * key, else to the key's row found by its khash, else to a new row; gives the row id in
 * *id; ifnames[k->iface] names the interface. 0, or -1 (store_write.c). Rows of a key
 * written by older versions (before this lookup) stay several; readers sum them. */
int store_flow_merge(struct store *st, const struct flow_key *k, const struct flow_counts *d,
		     int64_t db_id, const char *const *ifnames, int64_t *id);
/* The row id of the flow with key k (its newest row) into *id: 1, 0 when there is
 * none, or -1. */
int store_flow_lookup(struct store *st, const struct flow_key *k, const char *const *ifnames,
		      int64_t *id);

/* The key filter (store_keyfilter.c): synced at the start of each write transaction,
 * told of each commit and of each inserted row; may_exist is 0 only when no flow row can
 * have the key (bucket, khash). */
void store_keyfilter_sync(struct store *st);
void store_keyfilter_committed(struct store *st);
int store_keyfilter_may_exist(const struct store *st, int64_t bucket, int64_t khash);
void store_keyfilter_note(struct store *st, int64_t bucket, int64_t khash, int64_t id);
void store_keyfilter_free(struct store_keyfilter *f);

/* Binds text, or NULL for a NULL pointer. */
int store_bind_text(sqlite3_stmt *s, int i, const char *v);

static inline int64_t store_i64(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* ---- The key hash of a flow row (flows.khash, migration 9; store_khash.c) ---- */

/* A row's key columns as stored: texts and blobs with their lengths. */
struct store_khash_in {
	int64_t bucket, family, proto, sport, dport;
	const void *iface, *dir, *src_bin, *dst_bin, *cls, *sub;
	size_t iface_len, dir_len, src_len, dst_len, cls_len, sub_len;
};

int64_t store_khash(const struct store_khash_in *k);
/* Registers spoofaudit_flow_khash() (store_khash() in SQL, for migration 9) on db. */
int store_khash_register(sqlite3 *db);

/* ---- Guards against hostile or damaged files (store_guard.c) ---- */

/* Opens path (creating it with mode 0640, less under a stricter umask, when create is
 * set) without following a symbolic link and checks it is a regular file, with one link
 * unless readonly. Returns the descriptor, -2 when the file does not exist and create is
 * not set, or -1 with err. */
int store_guard_open_file(const char *path, int create, int readonly, char *err, size_t errlen);
/* Refuses (-1, err) when path no longer names the file behind fd. */
int store_guard_same_file(int fd, const char *path, char *err, size_t errlen);
/* Makes a fresh connection defensive (SQLITE_DBCONFIG_DEFENSIVE, trusted_schema off)
 * and arms the time limit of its statements. */
int store_guard_connection(struct store *st);
/* Refuses a file whose schema objects are not exactly those migrations 1..version make
 * (type, table, name and SQL text), naming the first foreign or missing object. */
int store_guard_schema(struct store *st, const char *path, int version);
/* PRAGMA quick_check: refuses a damaged file. A file over STORE_QUICK_CHECK_MAX_BYTES is
 * checked page by page as it is read instead (cell_size_check), unless force. */
int store_guard_quick_check(struct store *st, const char *path, int force);

#endif
