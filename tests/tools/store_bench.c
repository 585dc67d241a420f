/* This file is a benchmark of the flow write path: N distinct flows through the flow table
 * and store_flows_write() (the upsert), against one bare prepared INSERT of the same rows
 * in one transaction into a database of the same schema.
 *
 * usage: store_bench [-k] DB N [CAP [BATCH]]
 *   DB     base path; DB.upsert, DB.batched and DB.bare are created fresh
 *   N      distinct flows (deterministic, seeded)
 *   CAP    flow-table entries (default 65536); BATCH flush batch (default 1024)
 *   -k     keep the databases (default: removed at the end)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "classify/addrclass.h"
#include "classify/classify.h"
#include "flows/flowtab.h"
#include "common/prefix.h"
#include "store/store.h"

/* Mirrors STORE_CACHE_KIB in src/store.c so both paths run with the same page cache. */
#define BENCH_CACHE_KIB 65536

static const char *const ifnames[] = { "eth0", "eth1", "lo", "wg0" };

/* One generated flow (a single packet). */
struct row {
	struct flow_key key;
	uint32_t bytes;
	uint64_t ts_usec;
	uint8_t ttl, tcp_flags;
};

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Row i of n: distinct for every i (the source address is a bijection of i), random
 * otherwise; time advances with i over one day as a collector's would. */
static void gen_row(uint64_t i, uint64_t n, struct row *r)
{
	static const uint8_t classes[] = { CLS_NORMAL, CLS_NORMAL, CLS_NORMAL, CLS_LOOPBACK_FLOW,
					   CLS_SPOOF_LOOPBACK_SRC, CLS_BOGON_SRC };
	static const uint8_t protos[] = { 6, 6, 17, 17, 1 };
	uint64_t h = mix(i + 0x5eed), h2 = mix(h);
	uint32_t a = (uint32_t)(i * 2654435761u);	/* odd multiplier: a bijection */

	memset(r, 0, sizeof(*r));
	r->ts_usec = 1700000000000000ULL + i * 86400000000ULL / (n ? n : 1);
	r->key.bucket = (int64_t)(r->ts_usec / 1000000 / 60 * 60);
	r->key.iface = (uint16_t)(h % 4);
	r->key.dir = (uint8_t)(1 + (h >> 8) % 2);
	r->key.proto = protos[(h >> 16) % sizeof(protos)];
	r->key.cls = classes[(h >> 24) % sizeof(classes)];
	r->key.subclass = r->key.cls == CLS_BOGON_SRC ? ASUB_PRIVATE :
			  r->key.cls == CLS_SPOOF_LOOPBACK_SRC ? ASUB_LOOPBACK : ASUB_NONE;
	r->key.sport = (uint16_t)(h >> 32);
	r->key.dport = (uint16_t)(h2 % 1024);
	if ((h >> 48) % 5 == 0) {
		r->key.family = 6;
		r->key.src[0] = 0x20;
		r->key.src[1] = 0x01;
		r->key.src[2] = 0x0d;
		r->key.src[3] = 0xb8;
		memcpy(r->key.src + 12, &a, 4);
		r->key.dst[0] = 0x20;
		r->key.dst[1] = 0x01;
		r->key.dst[15] = (uint8_t)h2;
	} else {
		r->key.family = 4;
		memcpy(r->key.src, &a, 4);
		r->key.dst[0] = 192;
		r->key.dst[1] = 0;
		r->key.dst[2] = 2;
		r->key.dst[3] = (uint8_t)h2;
	}
	r->bytes = 40 + (uint32_t)(h2 >> 20) % 1460;
	r->ttl = (uint8_t)(h2 >> 40);
	r->tcp_flags = r->key.proto == 6 ? (uint8_t)(h2 >> 48) & 0x3f : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void rm_db(const char *path)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char p[4200];
	size_t i;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		unlink(p);
	}
}

struct sink_arg {
	struct store *st;
	int commit_each;	/* collector style: a transaction per batch */
};

static int sink(void *arg, struct flow_entry **e, size_t n)
{
	struct sink_arg *a = arg;

	if (a->commit_each && store_begin(a->st) < 0)
		return -1;
	if (store_flows_write(a->st, e, n, ifnames) < 0) {
		if (a->commit_each)
			store_rollback(a->st);
		return -1;
	}
	if (a->commit_each && store_commit(a->st) < 0) {
		store_rollback(a->st);
		return -1;
	}
	return 0;
}

/* (a) rows through the flow table and store_flows_write(); returns rows/s or -1. */
static double run_upsert(const char *path, uint64_t n, size_t cap, size_t batch,
			 int commit_each)
{
	struct store *st;
	struct flowtab *ft = NULL;
	struct sink_arg sa;
	char err[512];
	double t0, secs, ret = -1;
	uint64_t i;

	rm_db(path);
	st = store_open(path, STORE_OPEN_CREATE, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "store_bench: %s\n", err);
		return -1;
	}
	ft = flowtab_new(cap);
	if (!ft) {
		perror("store_bench: flowtab_new");
		goto out;
	}
	sa.st = st;
	sa.commit_each = commit_each;
	t0 = now_s();
	if (!commit_each && store_begin(st) < 0)
		goto fail;
	for (i = 0; i < n; i++) {
		struct row r;
		struct flow_entry *e;

		gen_row(i, n, &r);
		e = flowtab_get(ft, &r.key, NULL);
		if (!e) {
			if (flowtab_flush(ft, sink, &sa, batch) < 0)
				goto fail;
			flowtab_evict(ft, cap / 8 + 1);
			e = flowtab_get(ft, &r.key, NULL);
			if (!e) {
				fprintf(stderr, "store_bench: flow table full after eviction\n");
				goto out;
			}
		}
		flowtab_account(ft, e, r.bytes, r.ts_usec, r.ttl, r.tcp_flags, FLOW_SEEN_PCAP);
	}
	if (flowtab_flush(ft, sink, &sa, batch) < 0)
		goto fail;
	if (!commit_each && store_commit(st) < 0)
		goto fail;
	secs = now_s() - t0;
	if (store_query_int(st, "SELECT count(*) FROM flows") != (int64_t)n) {
		fprintf(stderr, "store_bench: %s: row count is not %llu\n", path,
			(unsigned long long)n);
		goto out;
	}
	ret = (double)n / secs;
	goto out;
fail:
	fprintf(stderr, "store_bench: %s\n", store_errmsg(st));
out:
	flowtab_free(ft);
	store_close(st);
	return ret;
}

#define BARE_SQL \
	"INSERT INTO flows(bucket, iface, dir, family, src, dst, src_bin, dst_bin, proto," \
	" sport, dport, class, subclass, packets, bytes, first_usec, last_usec, ttl_min," \
	" ttl_max, tcp_flags, seen_by) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11," \
	" ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)"

static void to_bin(int family, const uint8_t a[16], uint8_t out[16])
{
	memset(out, 0, 16);
	if (family == 4) {
		out[10] = out[11] = 0xff;
		memcpy(out + 12, a, 4);
	} else {
		memcpy(out, a, 16);
	}
}

/* (b) the same rows by one bare prepared INSERT in one transaction; rows/s or -1. */
static double run_bare(const char *path, uint64_t n)
{
	static const char *const dirs[] = { "unknown", "in", "out" };
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	struct store *st;
	char err[512], sql[64];
	double t0, secs, ret = -1;
	uint64_t i;

	rm_db(path);
	st = store_open(path, STORE_OPEN_CREATE, err, sizeof(err));	/* same schema */
	if (!st) {
		fprintf(stderr, "store_bench: %s\n", err);
		return -1;
	}
	store_close(st);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%d", BENCH_CACHE_KIB);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ||
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
			 " PRAGMA foreign_keys = ON", NULL, NULL, NULL) ||
	    sqlite3_exec(db, sql, NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(db, BARE_SQL, -1, &s, NULL))
		goto fail;
	t0 = now_s();
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL))
		goto fail;
	for (i = 0; i < n; i++) {
		struct row r;
		char src[ADDR_STRLEN], dst[ADDR_STRLEN];
		uint8_t sbin[16], dbin[16];

		gen_row(i, n, &r);
		addr_format(r.key.family, r.key.src, src, sizeof(src));
		addr_format(r.key.family, r.key.dst, dst, sizeof(dst));
		to_bin(r.key.family, r.key.src, sbin);
		to_bin(r.key.family, r.key.dst, dbin);
		sqlite3_bind_int64(s, 1, r.key.bucket);
		sqlite3_bind_text(s, 2, ifnames[r.key.iface], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, dirs[r.key.dir], -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, r.key.family);
		sqlite3_bind_text(s, 5, src, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, dst, -1, SQLITE_STATIC);
		sqlite3_bind_blob(s, 7, sbin, 16, SQLITE_STATIC);
		sqlite3_bind_blob(s, 8, dbin, 16, SQLITE_STATIC);
		sqlite3_bind_int(s, 9, r.key.proto);
		sqlite3_bind_int(s, 10, r.key.sport);
		sqlite3_bind_int(s, 11, r.key.dport);
		sqlite3_bind_text(s, 12, classify_class_name(r.key.cls), -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 13, addrclass_subclass_name(r.key.subclass), -1,
				  SQLITE_STATIC);
		sqlite3_bind_int64(s, 14, 1);
		sqlite3_bind_int64(s, 15, r.bytes);
		sqlite3_bind_int64(s, 16, (int64_t)r.ts_usec);
		sqlite3_bind_int64(s, 17, (int64_t)r.ts_usec);
		sqlite3_bind_int(s, 18, r.ttl);
		sqlite3_bind_int(s, 19, r.ttl);
		sqlite3_bind_int(s, 20, r.tcp_flags);
		sqlite3_bind_int(s, 21, FLOW_SEEN_PCAP);
		if (sqlite3_step(s) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(s);
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL))
		goto fail;
	secs = now_s() - t0;
	ret = (double)n / secs;
	goto out;
fail:
	fprintf(stderr, "store_bench: %s: %s\n", path, db ? sqlite3_errmsg(db) : "open failed");
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return ret;
}

/* Checks that two databases hold the same flows (same key, counts and times). */
static int same_rows(const char *a, const char *b)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	char *sql;
	int ret = 0;

	if (sqlite3_open_v2(a, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		goto out;
	sql = sqlite3_mprintf("ATTACH %Q AS other", b);
	if (!sql || sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		goto out;
	}
	sqlite3_free(sql);
	if (sqlite3_prepare_v2(db,
		"SELECT count(*) FROM (SELECT bucket, iface, dir, family, src, dst, src_bin,"
		" dst_bin, proto, sport, dport, class, subclass, packets, bytes, first_usec,"
		" last_usec, ttl_min, ttl_max, tcp_flags, seen_by FROM main.flows EXCEPT"
		" SELECT bucket, iface, dir, family, src, dst, src_bin, dst_bin, proto, sport,"
		" dport, class, subclass, packets, bytes, first_usec, last_usec, ttl_min,"
		" ttl_max, tcp_flags, seen_by FROM other.flows)", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		goto out;
	ret = sqlite3_column_int64(s, 0) == 0;
out:
	sqlite3_finalize(s);
	sqlite3_close(db);
	return ret;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-')
		return -1;
	*out = v;
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n, cap = 65536, batch = 1024;
	char p_up[4096], p_batched[4096], p_bare[4096];
	double up, batched, bare, bare2;
	int keep = 0, argi = 1;

	if (argc > 1 && strcmp(argv[1], "-k") == 0) {
		keep = 1;
		argi++;
	}
	if (argc - argi < 2 || argc - argi > 4 || parse_u64(argv[argi + 1], &n) < 0 || n == 0 ||
	    (argc - argi > 2 && (parse_u64(argv[argi + 2], &cap) < 0 || cap == 0)) ||
	    (argc - argi > 3 && (parse_u64(argv[argi + 3], &batch) < 0 || batch == 0))) {
		fprintf(stderr, "usage: store_bench [-k] DB N [CAP [BATCH]]\n");
		return 2;
	}
	snprintf(p_up, sizeof(p_up), "%s.upsert", argv[argi]);
	snprintf(p_batched, sizeof(p_batched), "%s.batched", argv[argi]);
	snprintf(p_bare, sizeof(p_bare), "%s.bare", argv[argi]);

	/* The bare insert runs first and last and its better rate counts, so that warming
	 * up (page cache, allocator) never favours the upsert. */
	bare = run_bare(p_bare, n);
	up = run_upsert(p_up, n, (size_t)cap, (size_t)batch, 0);
	batched = run_upsert(p_batched, n, (size_t)cap, (size_t)batch, 1);
	bare2 = run_bare(p_bare, n);
	if (bare < 0 || bare2 < 0 || up < 0 || batched < 0)
		return 1;
	if (bare2 > bare)
		bare = bare2;
	if (!same_rows(p_up, p_bare) || !same_rows(p_bare, p_up)) {
		fprintf(stderr, "store_bench: the upsert and bare databases differ\n");
		return 1;
	}
	printf("rows %llu  flowtab cap %llu  flush batch %llu\n", (unsigned long long)n,
	       (unsigned long long)cap, (unsigned long long)batch);
	printf("bare INSERT, one transaction (best of 2):  %12.0f rows/s\n", bare);
	printf("flowtab + store_flows_write, one txn:      %12.0f rows/s  ratio %.3f\n", up,
	       up / bare);
	printf("flowtab + store_flows_write, txn per batch:%12.0f rows/s  ratio %.3f\n",
	       batched, batched / bare);
	if (!keep) {
		rm_db(p_up);
		rm_db(p_batched);
		rm_db(p_bare);
	}
	return 0;
}
