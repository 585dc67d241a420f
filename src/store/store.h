/* This file declares the store: the only code that speaks SQL. It opens (and migrates)
 * the SQLite database, and writes runs, interfaces, kernel context, flows, evidence and
 * capture statistics with prepared statements in batched transactions. Functions return
 * 0 (or a row id) on success and -1 on failure, with store_errmsg() saying why; they never
 * print. */
#ifndef SPOOFAUDIT_STORE_H
#define SPOOFAUDIT_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "flows/flowtab.h"
#include "flows/flood.h"
#include "flows/hopcount.h"
#include "classify/classify.h"
#include "common/prefix.h"

struct store;

#define STORE_OPEN_CREATE      0x1	/* create the file if it does not exist (the collector) */
#define STORE_OPEN_READONLY    0x2	/* open read-only; never migrate */
#define STORE_OPEN_QUICK_CHECK 0x4	/* PRAGMA quick_check even with STORE_OPEN_CREATE */

/* Opens path, sets WAL and busy timeout, and applies every embedded migration newer than
 * the file's PRAGMA user_version, each in its own transaction. On failure returns NULL
 * and writes a message into err (errlen bytes). Refused are:
 * - for writing, a symbolic link (the path or, by SQLite, its -wal/-shm); a read-only
 *   open follows the user's link once (realpath) and then refuses links the same way;
 * - anything but a regular file, and, unless STORE_OPEN_READONLY, a file with more than
 *   one hard link;
 * - a file that is not an SQLite database, one with a user_version that is negative or
 *   newer than this binary knows, and one that is not spoofaudit's: its schema objects
 *   (type, name, table and SQL text) must be exactly those the embedded migrations up to
 *   its version create (ANALYZE's sqlite_stat1/4 aside), so that no view or trigger of
 *   someone else's runs;
 * - unless only STORE_OPEN_CREATE is given, a file PRAGMA quick_check finds damaged
 *   (every reader and prune check; the collector skips it at start). A file larger than
 *   STORE_QUICK_CHECK_MAX_BYTES is not read whole on open (quick_check costs seconds
 *   per 100 MB): its pages are checked as they are read (cell_size_check) and
 *   store_unverified_bytes() gives its size, for the command to say so.
 *   STORE_OPEN_QUICK_CHECK checks any size.
 * Every connection is defensive (SQLITE_DBCONFIG_DEFENSIVE, trusted_schema off). Without
 * STORE_OPEN_CREATE one statement may run for at most an hour (store_set_time_limit()).
 * A file STORE_OPEN_CREATE makes gets mode 0640 (less under a stricter umask), and
 * SQLite gives its -wal and -shm the same. */
struct store *store_open(const char *path, int flags, char *err, size_t errlen);

/* Sets SQLite's process-wide options (no memory statistics, which cost a mutex per
 * allocation). Call once at start, before any connection is open and while the process
 * has one thread; later it does nothing. */
void store_library_init(void);

/* Largest file store_open() runs PRAGMA quick_check over. */
#define STORE_QUICK_CHECK_MAX_BYTES (256ull << 20)

/* The size of the file if store_open() did not quick_check it (over the bound), else 0. */
uint64_t store_unverified_bytes(const struct store *st);
void store_close(struct store *st);	/* NULL-safe; finalizes statements */

const char *store_errmsg(const struct store *st);
int store_schema_version(const struct store *st);	/* PRAGMA user_version */
int store_latest_version(void);				/* newest embedded migration */

/* Busy/locked retries and write failures seen since open (for completeness stats). */
uint64_t store_busy_retries(const struct store *st);
uint64_t store_write_failures(const struct store *st);

/* How long one statement waits for another connection's lock before failing (default
 * 5000 ms). A live collector uses a short wait: it keeps its counts in memory and retries
 * at the next flush rather than stop capturing while a lock is held. */
void store_set_busy_timeout(struct store *st, int ms);

/* The longest one statement may run before it is interrupted (it then fails with
 * "interrupted"); 0 lifts the limit. store_open() sets 3600 s except for
 * STORE_OPEN_CREATE, which starts with none. */
void store_set_time_limit(struct store *st, unsigned seconds);

/* Hands the database file at path (created, mode 0640, when absent) and its -wal and
 * -shm (where they exist) to uid:gid: each is opened without following a symbolic link,
 * must be a regular file with one link on the database's file system, and is changed
 * through its descriptor (fchown), never by name. For a collector that will drop
 * privileges: call it BEFORE any connection to the file is open in this process (closing
 * a descriptor drops the process's POSIX locks on the file, SQLite's too, and another
 * process would then delete the WAL under the connection). SQLite running as root gives
 * the -wal and -shm it creates later the database file's owner. Returns 0, or -1 with a
 * message in err. */
int store_chown_files(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen);
/* Checks, by path (lstat, no descriptor), that the database and its -wal and -shm (where
 * they exist) are regular files of uid. Returns 0, or -1 with a message in err. */
int store_owner_check(const char *path, uid_t uid, char *err, size_t errlen);

int store_begin(struct store *st);
int store_commit(struct store *st);
int store_rollback(struct store *st);

/* A collector run. Returns the run id, or -1. */
int64_t store_run_begin(struct store *st, const char *hostname, const char *version,
			const char *cmdline, uint64_t start_usec, unsigned bucket_seconds);
int store_run_end(struct store *st, int64_t run_id, uint64_t end_usec);

/* A capture source of a run: kind is "pcap-live", "pcap-file" or "nflog". Returns its id. */
int64_t store_source_add(struct store *st, int64_t run_id, const char *kind,
			 const char *name, const char *iface, int linktype);

/* The interface table of a run (name, ifindex, role, allowed prefixes). */
int store_iface_add(struct store *st, int64_t run_id, const struct iface_info *ifc,
		    const char *role_origin);	/* "kernel", "option" or "file-default" */

/* Records a kernel counter's value when the run starts (at_end 0) or ends (1). */
int store_kernel_counter(struct store *st, int64_t run_id, const char *name, uint64_t value,
			 int at_end);
/* Kernel context: one sysctl value ("all" or an interface name, key like "rp_filter"). */
int store_kernel_ctx_add(struct store *st, int64_t run_id, const char *scope,
			 const char *key, const char *value);
/* One host address with its prefix length and interface. */
int store_hostaddr_add(struct store *st, int64_t run_id, const char *iface,
		       const struct prefix *p);

/* Writes n flows of key (bucket, iface, dir, family, src, dst, proto, sport, dport,
 * class, subclass): an entry whose db_id names a row of its key adds to it (packets and
 * bytes add, first_seen takes the minimum, last_seen the maximum, ttl_min/ttl_max the
 * min/max, tcp_flags and seen_by OR); any other becomes a new row. A key may so have
 * several rows in a bucket (a later run, or a flow written again before its row id was
 * known): they are one flow, and readers sum them. Sets each entry's db_id once every
 * row is written. ifnames[key.iface] names the interface. */
int store_flows_write(struct store *st, struct flow_entry **entries, size_t n,
		      const char *const *ifnames);

/* One evidence packet of flow flow_id (raw captured bytes, as the source delivered them). */
int store_evidence_add(struct store *st, int64_t flow_id, uint64_t ts_usec, int linktype,
		       uint32_t wirelen, const uint8_t *data, uint32_t caplen);

/* Adds NFLOG counts for flow flow_id logged by a rule with `prefix` in `group` at `hook`
 * (upsert: packets and bytes add). uid, gid and mark are -1 where the kernel gave none. */
int store_nflog_add(struct store *st, int64_t flow_id, const char *prefix, unsigned group,
		    unsigned hook, uint64_t packets, uint64_t bytes, int64_t uid, int64_t gid,
		    int64_t mark);

/* Capture statistics of one source over [start, end). */
struct store_capture_stats {
	uint64_t received;		/* packets the source delivered */
	uint64_t kernel_drops;		/* pcap_stats ps_drop */
	uint64_t iface_drops;		/* pcap_stats ps_ifdrop */
	uint64_t decoded_ip;		/* packets with a network header */
	uint64_t not_ip;		/* valid frames without IP */
	uint64_t unsupported;		/* frames of a link type we do not decode */
	uint64_t malformed;		/* frames with no usable network header */
	uint64_t nflog_received;	/* NFLOG messages */
	uint64_t nflog_enobufs;		/* ENOBUFS overruns */
	uint64_t nflog_seq_gaps;	/* messages missing by sequence number */
	uint64_t flow_evictions;	/* flow-table entries evicted (written first) */
	uint64_t db_busy_retries;
	uint64_t db_write_failures;
	uint64_t decode_errors[DERR_COUNT];	/* per enum decode_error */
};
int store_stats_add(struct store *st, int64_t source_id, uint64_t start_usec,
		    uint64_t end_usec, const struct store_capture_stats *s);

/* ---- Batches: what one flush hands the collector's writer thread ---- */

/* A copy of a flow's key and of the counts to add to its row. db_id is the row the
 * flow table knew for it when copied (0: none, a new row); once the row is committed,
 * store_batch_write() sets it to the row written, for the collector to remember. */
struct store_flow_row {
	struct flow_key key;
	struct flow_counts delta;
	int64_t db_id;
};

/* An evidence packet of the flow with key `key`; its bytes are at `off` in evbuf.
 * db_id: the row the flow's counts went to when the collector knew it as the batch was
 * made (every earlier batch written), else 0; a row of key in the batch itself comes
 * first, and without either the key is looked up. */
struct store_ev_row {
	struct flow_key key;
	uint64_t ts_usec;
	int linktype;
	uint32_t wirelen, caplen;
	uint32_t off;			/* the buffer holds 4 MiB (collector_opts) */
	int64_t db_id;
};

/* NFLOG counts of one flow for one logging rule (see store_nflog_add()). */
struct store_nflog_row {
	struct flow_key key;
	char prefix[PKT_NFLOG_PREFIX_MAX];
	uint16_t group;
	uint8_t hook;
	uint64_t packets, bytes;
	int64_t uid, gid, mark;
};

/* One capture statistics row (see store_stats_add()). */
struct store_stats_row {
	int64_t source_id;
	uint64_t start_usec, end_usec;
	struct store_capture_stats s;
};

#define STORE_BATCH_MAX_IFACES 256

/* One flush: rows the batch owns (the arrays are malloc'd; store_batch_free() frees
 * them). The flow rows go in first, in transactions of at most per_txn rows, the last
 * together with the evidence, NFLOG counts and statistics; flows_done and rest_done say
 * how far a batch got, so that a write that failed resumes where it stopped and nothing
 * is counted twice. Evidence and NFLOG rows find their flow's row by its key (the
 * newest row of the key). */
struct store_batch {
	struct store_flow_row *flows;
	size_t n_flows, flows_done;
	struct store_ev_row *ev;
	size_t n_ev;
	uint8_t *evbuf;
	size_t evbuf_len;
	struct store_nflog_row *nfl;
	size_t n_nfl;
	struct store_stats_row *stats;
	size_t n_stats;
	char (*ifnames)[IF_NAMESIZE];	/* the interface names flow keys index */
	unsigned n_ifnames;
	struct hop_row *hops;		/* learned hop counts changed (store_hop_merge) */
	size_t n_hops;
	struct flood_episode *floods;	/* ended flood episodes (store_flood_add) */
	size_t n_floods;
	struct store_vio_row *vio;	/* the live audit's violations */
	size_t n_vio;
	int64_t run_id;			/* the run the episodes belong to */
	int rest_done;			/* evidence, NFLOG counts and statistics written */
	uint64_t ev_orphans;		/* evidence whose flow has no row (not written) */
	uint64_t nfl_orphans;		/* NFLOG counts likewise */
	struct store_batch *next;	/* the writer's queue */
};

void store_batch_free(struct store_batch *b);	/* NULL-safe */

/* Writes what is left of b (see struct store_batch). add_busy and add_failures are added
 * to the first statistics row's db_busy_retries and db_write_failures (the writing
 * connection's own, since its last statistics row). Returns 0, or -1 (store_errmsg()):
 * what was committed is recorded in b, the rest can be retried. */
int store_batch_write(struct store *st, struct store_batch *b, size_t per_txn,
		      uint64_t add_busy, uint64_t add_failures);

/* The packets, evidence packets and NFLOG counts of b not written yet. */
void store_batch_unwritten(const struct store_batch *b, uint64_t *packets, uint64_t *evidence,
			   uint64_t *nflog);

/* Opens a second connection to st's database with st's busy timeout and time limit (a
 * writer thread's own). NULL with err on failure. */
struct store *store_open_twin(const struct store *st, char *err, size_t errlen);

/* The suspect_src tables (store_hop.c, migration 7), inside the caller's transaction.
 * store_hop_merge widens each prefix's stored range by the row's and keeps the larger
 * proof count and the wider time span, so writing a row twice changes nothing.
 * store_flood_add adds episodes of run run_id (0: none). store_hop_load calls cb for
 * every stored row, oldest proof first. Each returns 0, or -1 (store_errmsg()). */
int store_hop_merge(struct store *st, const struct hop_row *rows, size_t n);
int store_flood_add(struct store *st, int64_t run_id, const struct flood_episode *eps, size_t n);
int store_hop_load(struct store *st, int (*cb)(void *arg, const struct hop_row *r), void *arg);

/* Runs a query returning one integer (tests and tools); -1 on error. */
int64_t store_query_int(struct store *st, const char *sql);

/* Read side: a statement over SQL text the caller owns (the queries in reports/ *.sql),
 * with named parameters (":since"). Binding a name the statement does not use is a no-op,
 * so one set of parameters serves every query. name labels error messages. Returns NULL
 * (store_errmsg() says why) on a bad statement. Read inside store_begin()/store_commit()
 * for one consistent snapshot. */
struct store_rows;
struct store_rows *store_rows_prepare(struct store *st, const char *name, const char *sql);
void store_rows_free(struct store_rows *q);	/* NULL-safe */
int store_rows_bind_int(struct store_rows *q, const char *name, int64_t v);
int store_rows_bind_text(struct store_rows *q, const char *name, const char *v);
int store_rows_bind_blob(struct store_rows *q, const char *name, const void *p, size_t n);
int store_rows_step(struct store_rows *q);	/* 1 row, 0 done, -1 error */
void store_rows_reset(struct store_rows *q);	/* keeps bindings */
int store_rows_ncols(const struct store_rows *q);
const char *store_rows_colname(const struct store_rows *q, int col);
int store_col_isnull(const struct store_rows *q, int col);
int64_t store_col_int(const struct store_rows *q, int col);
double store_col_double(const struct store_rows *q, int col);
const char *store_col_text(const struct store_rows *q, int col);	/* "" for NULL */
const void *store_col_blob(const struct store_rows *q, int col, size_t *len);

/* A file's PRAGMA user_version, read without changing anything: 0 for an empty file or
 * one without a spoofaudit schema; -1 with err set when it cannot be read as SQLite. */
int store_file_version(const char *path, char *err, size_t errlen);

/* Recomputes the hourly rollups (flows_hourly, spoof_hourly) of the hours that
 * [from, until) touches (unix seconds; widened to whole hours) from the flows rows, under
 * a savepoint. For a tool or test that wrote flows rows directly; prune uses it for a
 * partial hour. */
int store_rollup_rebuild(struct store *st, int64_t from, int64_t until);

/* Retention: deletes flows whose bucket starts before cutoff_usec (with their evidence
 * and NFLOG rows), capture statistics and decode errors of intervals that ended by then,
 * policy violations last seen before it, flood episodes that ended before it, and runs
 * that ended before it and have no statistics left, and the hourly rollup of the pruned
 * flows (flows_hourly), each table in transactions
 * of at most `batch` rows so that a running collector waits milliseconds, not minutes.
 * Then reclaims the free pages: incrementally when the file was created with
 * auto_vacuum=INCREMENTAL (every file store_open() created since), with a full VACUUM
 * (which locks the database for its duration, and is exempt from the time limit) only
 * under STORE_PRUNE_FULL_VACUUM, else the pages stay free inside the file for reuse. */
#define STORE_PRUNE_DRY_RUN	0x1	/* count what would go; change nothing */
#define STORE_PRUNE_FULL_VACUUM	0x2	/* VACUUM when incremental vacuum is unavailable */
struct store_prune_result {
	uint64_t flows, evidence, flow_nflog, capture_stats, decode_errors, violations, runs;
	uint64_t flood_episodes;	/* ended before the cutoff */
	uint64_t transactions;		/* write transactions used */
	uint64_t page_size, pages_before, pages_after, free_before, free_after;
	uint64_t auto_vacuum;		/* PRAGMA auto_vacuum: 0 none, 1 full, 2 incremental */
	int vacuumed;			/* 0 no, 1 incremental, 2 full VACUUM */
};
int store_prune(struct store *st, int64_t cutoff_usec, unsigned batch, int flags,
		struct store_prune_result *r);
/* The learned hop counts (hopcount) are never pruned: one row per source prefix that ever
 * proved real, at most the collector's table size, is the memory that grows over days. */


/* ---- Violations of the live policy audit (collect --policy; migration 4) ---- */

/* One violation occurrence (or several: count). Strings may be NULL (stored as ''); ids
 * 0 mean none. */
struct store_violation {
	int64_t run_id;
	const char *sig;		/* signature: occurrences with the same one merge */
	const char *kind, *strength;	/* strength "strong" or "weak" */
	uint64_t first_usec, last_usec;
	uint64_t count, packets, lines;
	int64_t flow_id, evidence_flow_id;
	const char *flow, *iface, *cls;
	int family, proto, dport;
	const char *intended, *live, *evidence, *message;
};

/* Upserts by (run_id, sig): count, packets and lines add, times widen, the first flow,
 * evidence and message stay. Returns the row id, or -1. Call inside store_begin/commit. */
int64_t store_violation_upsert(struct store *st, const struct store_violation *v);
/* Links an evidence packet (its flow row and capture time) to a violation. */
int store_violation_evidence_add(struct store *st, int64_t violation_id, int64_t flow_id,
				 uint64_t ts_usec);

/* A violation of the live audit (collect --policy) handed over with a batch. v's strings
 * point at own[], which the row owns (store_batch_free() frees them). The flows it names
 * are by key where has_key / has_evkey say so (found once the batch's flows are written,
 * like evidence), otherwise v.flow_id and v.evidence_flow_id hold row ids already. */
#define STORE_VIO_EV 4
struct store_vio_row {
	struct store_violation v;
	char *own[7];
	struct flow_key key, evkey;
	uint8_t has_key, has_evkey;
	unsigned nev;
	struct { struct flow_key key; uint64_t ts; } ev[STORE_VIO_EV];
};

/* ---- Read side of `check`: the flows of a period and the host context ---- */

/* One stored flow. Addresses are the 16-byte BLOBs (IPv4 as ::ffff:a.b.c.d). */
struct store_flow {
	int64_t id;
	int64_t bucket;			/* unix seconds */
	char iface[32];
	char dir[8];			/* "in", "out", "unknown" */
	int family;			/* 4 or 6 */
	uint8_t src[16], dst[16];	/* src_bin, dst_bin (the text forms are not read) */
	int proto;
	unsigned sport, dport;		/* ICMP: sport 0, dport type << 8 | code */
	char cls[32], subclass[32];
	uint64_t packets, bytes;
	int64_t first_usec, last_usec;
	unsigned tcp_flags;		/* OR of the flags seen */
	int pre_known;			/* pre_reply and counted hold, pre_reply <= counted
					 * (migration 13); 0: the row does not say (NULL, or
					 * an older row, or a count it cannot hold) */
	uint64_t counted;		/* counted_packets (<= packets; migration 6) */
	uint64_t pre_reply;		/* of those, sent before the answer */
	int ttl_known;			/* ttl_min..ttl_max (0 <= min <= max <= 255) hold
					 * the TTLs / hop limits the row's packets arrived
					 * with (a row with packets) */
	unsigned ttl_min, ttl_max;
};

/* Iterates the flows whose bucket lies in [since, until) (unix seconds; until <= 0: no
 * upper bound), ordered by id. NULL on error (store_errmsg()). */
struct store_flow_iter;
struct store_flow_iter *store_flows_open(struct store *st, int64_t since, int64_t until);
int store_flows_next(struct store_flow_iter *it, struct store_flow *f);	/* 1, 0 done, -1 */
void store_flows_close(struct store_flow_iter *it);	/* NULL-safe */

/* The flows of [since, until), as store_flows_open() gives them, split by row id into up
 * to n ranges (at most STORE_SPLIT_MAX), each on its own read connection, so that n
 * threads may read them at once (iterator i on thread i; each iterator's rows in id
 * order, iterator i's before i+1's). Every connection reads one snapshot: the
 * transactions begin until no commit comes between the first and the last (three tries;
 * then one iterator). Fewer than min_rows rows per range, or no second connection: one
 * iterator. Leaves st in a read transaction (read the host context in it; store_commit()
 * ends it); st must not be in one. Returns how many iterators it put into its[], 0 on
 * error (store_errmsg(st)). */
#define STORE_SPLIT_MAX 4
unsigned store_flows_split(struct store *st, int64_t since, int64_t until, unsigned n,
			   int64_t min_rows, struct store_flow_iter **its);
/* The row ids iterator it's rows lie within, [*lo, *hi], taken in its snapshot, when
 * store_flows_split() split the flows (returns 1; rows with those ids: at most
 * *hi - *lo + 1); 0 when it does not know them. */
int store_flows_range(const struct store_flow_iter *it, int64_t *lo, int64_t *hi);
/* The error of an iterator's connection. */
const char *store_flows_errmsg(const struct store_flow_iter *it);

/* Host context rows of the runs that overlap [since, until) (unix seconds; every run when
 * none overlaps), oldest run first, passed one by one to fn: kind 'i' an interface
 * (a = name, b = role, c = comma-separated prefixes), 'k' a sysctl (a = scope, b = key,
 * c = value), 'h' a host address (a = iface, b = address text, n = prefix length,
 * family). fn returning non-zero stops the walk. Returns 0, or -1. */
struct store_ctx_row {
	char kind;
	const char *a, *b, *c;
	int n, family;
};
int store_context_each(struct store *st, int64_t since, int64_t until,
		       int (*fn)(void *arg, const struct store_ctx_row *row), void *arg);

#endif
