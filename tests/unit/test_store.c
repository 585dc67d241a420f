/* This file tests the store: migrations (from empty and from every earlier version),
 * refusing foreign files, the flow upsert, evidence, statistics, locking and read-only,
 * and the guards against hostile files: links, foreign schema objects, bad versions,
 * statements without end and permissive file modes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>

#include "classify/addrclass.h"
#include "classify/classify.h"
#include "sources/decode.h"
#include "common/embedded.h"
#include "store/store.h"
#include "db_tmp.h"
#include "store/store_int.h"

static const char *const ifnames[] = { "eth0", "lo", "wlan0" };

static int group_setup(void **state)
{
	(void)state;
	return db_tmp_setup("test_store");
}

static int group_teardown(void **state)
{
	(void)state;
	return db_tmp_teardown();
}

/* raw_exec() with spoofaudit's SQL functions (migration 9 fills khash with one). */
static void raw_exec_fn(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(store_khash_register(db), 0);
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
}

static struct store *open_new(const char *name)
{
	char err[256];
	const char *path = tpath(name);
	struct store *st;

	rm_db(path);
	st = store_open(path, STORE_OPEN_CREATE, err, sizeof(err));
	if (!st)
		fail_msg("store_open: %s", err);
	return st;
}

/* 1: an empty file is migrated to the latest version; reopening changes nothing. */
static void test_migrate_empty(void **state)
{
	const char *path = tpath("empty.db");
	struct store *st;
	char err[256];

	(void)state;
	assert_true(store_latest_version() >= 1);
	assert_int_equal(store_latest_version(), (int)embedded_migration_count);
	st = open_new("empty.db");
	assert_int_equal(store_schema_version(st), store_latest_version());
	assert_int_equal(store_query_int(st, "PRAGMA user_version"), store_latest_version());
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM meta WHERE key = 'application'"
					 " AND value = 'spoofaudit'"), 1);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM migrations"),
			 store_latest_version());
	assert_int_equal(store_query_int(st, "PRAGMA application_id"), 0x53504F46);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM pragma_journal_mode"
					 " WHERE journal_mode = 'wal'"), 1);
	assert_int_equal(store_query_int(st, "PRAGMA foreign_keys"), 1);
	store_close(st);
	/* a new file's pages are 16 KiB (STORE_PAGE_SIZE, issue 13), SQLite's default 4 */
	assert_int_equal(raw_int(path, "PRAGMA page_size"), 16384);

	st = store_open(path, 0, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), store_latest_version());
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM migrations"),
			 store_latest_version());
	store_close(st);

	/* A zero-length file is an empty database too. */
	rm_db(path);
	fclose(fopen(path, "w"));
	st = store_open(path, 0, err, sizeof(err));
	assert_non_null(st);
	assert_int_equal(store_schema_version(st), store_latest_version());
	store_close(st);
	assert_int_equal(raw_int(path, "PRAGMA page_size"), 16384);
	rm_db(path);
}

/* 2: a database left at each earlier version k (the first k migrations applied by hand)
 * is brought to the latest version by store_open(). */
static void test_migrate_from_each_version(void **state)
{
	const char *path = tpath("older.db");
	int k, i;

	(void)state;
	for (k = 0; k < store_latest_version(); k++) {
		struct store *st;
		char err[256], sql[64];

		rm_db(path);
		raw_exec(path, "SELECT 1");
		for (i = 0; i < k; i++) {
			char *all;

			snprintf(sql, sizeof(sql), "PRAGMA user_version = %d;", i + 1);
			all = sqlite3_mprintf("BEGIN;\n%s\n%s\nCOMMIT;", embedded_migrations[i].text, sql);
			assert_non_null(all);
			raw_exec_fn(path, all);	/* one connection: one transaction */
			sqlite3_free(all);
		}
		st = store_open(path, 0, err, sizeof(err));
		if (!st)
			fail_msg("from version %d: %s", k, err);
		assert_int_equal(store_schema_version(st), store_latest_version());
		assert_int_equal(store_query_int(st, "PRAGMA user_version"),
				 store_latest_version());
		/* store_open() recorded the migrations it applied, not the ones done by hand */
		assert_int_equal(store_query_int(st, "SELECT count(*) FROM migrations"),
				 store_latest_version() - k);
		assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), 0);
		store_close(st);
		/* a file keeps the page size it was created with: by hand, SQLite's 4 KiB */
		assert_int_equal(raw_int(path, "PRAGMA page_size"), k ? 4096 : 16384);
	}
	rm_db(path);
}

/* 3: files that are not ours are refused, with a message, and left untouched. */
static void test_refuse_foreign(void **state)
{
	const char *path = tpath("foreign.db");
	char err[256];
	FILE *f;
	int i;

	(void)state;
	/* An SQLite database of another program. */
	rm_db(path);
	raw_exec(path, "CREATE TABLE contacts(name TEXT)");
	assert_null(store_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "not a spoofaudit"));
	assert_null(store_open(path, STORE_OPEN_READONLY, err, sizeof(err)));

	/* ... even one that uses user_version. */
	raw_exec(path, "PRAGMA user_version = 1");
	err[0] = '\0';
	assert_null(store_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "not a spoofaudit"));

	/* A file that is not SQLite at all. */
	rm_db(path);
	f = fopen(path, "w");
	assert_non_null(f);
	for (i = 0; i < 100; i++)
		fputs("this is a text file, not a database\n", f);
	fclose(f);
	assert_null(store_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "not an SQLite database"));
	assert_null(store_open(path, STORE_OPEN_READONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "not an SQLite database"));
	rm_db(path);
}

/* 4: a schema version newer than this binary knows is refused. */
static void test_refuse_future(void **state)
{
	const char *path = tpath("future.db");
	char err[256], sql[64];

	(void)state;
	store_close(open_new("future.db"));
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", store_latest_version() + 1);
	raw_exec(path, sql);
	assert_null(store_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
	assert_null(store_open(path, STORE_OPEN_READONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "newer"));
	rm_db(path);
}

static void fill_entry(struct flow_entry *e, int family, uint8_t last, uint16_t dport,
		       uint64_t packets, uint64_t bytes, uint64_t first, uint64_t lastu,
		       uint8_t ttl_min, uint8_t ttl_max, uint8_t flags, uint8_t seen)
{
	memset(e, 0, sizeof(*e));
	e->key.bucket = 1700000000;
	e->key.iface = 0;
	e->key.dir = DIR_IN;
	e->key.family = (uint8_t)family;
	e->key.proto = 6;
	e->key.cls = CLS_SPOOF_LOOPBACK_SRC;
	e->key.subclass = ASUB_LOOPBACK;
	e->key.sport = 1234;
	e->key.dport = dport;
	if (family == 4) {
		e->key.src[0] = 127;
		e->key.src[3] = last;
		e->key.dst[0] = 192;
		e->key.dst[1] = 0;
		e->key.dst[2] = 2;
		e->key.dst[3] = 1;
	} else {
		e->key.src[15] = last;
		e->key.dst[0] = 0x20;
		e->key.dst[1] = 0x01;
		e->key.dst[2] = 0x0d;
		e->key.dst[3] = 0xb8;
		e->key.dst[15] = 1;
	}
	e->delta.packets = packets;
	e->delta.bytes = bytes;
	e->delta.first_usec = first;
	e->delta.last_usec = lastu;
	e->delta.ttl_min = ttl_min;
	e->delta.ttl_max = ttl_max;
	e->delta.tcp_flags = flags;
	e->delta.seen_by = seen;
	e->dirty = 1;
}

/* 5: two writes of the same key into its row (the entry remembers the row id, as the
 * flow table does) add up; first/last and TTL take min/max, flags OR. */
static void test_upsert(void **state)
{
	struct store *st = open_new("upsert.db");
	struct flow_entry a, b, c, *v[3];
	int64_t id_a, id_b, id_c;
	char sql[512];

	(void)state;
	fill_entry(&a, 4, 1, 80, 3, 300, 5000, 6000, 60, 64, 0x02, FLOW_SEEN_PCAP);
	fill_entry(&b, 6, 1, 80, 1, 100, 7000, 7000, 50, 50, 0x10, FLOW_SEEN_NFLOG);
	v[0] = &a;
	v[1] = &b;
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_flows_write(st, v, 2, ifnames), 0);
	assert_int_equal(store_commit(st), 0);
	assert_true(a.db_id > 0 && b.db_id > 0 && a.db_id != b.db_id);
	id_a = a.db_id;
	id_b = b.db_id;

	/* The same two keys again, and a new one, outside a transaction. */
	fill_entry(&a, 4, 1, 80, 2, 20, 4000, 5500, 70, 70, 0x01, FLOW_SEEN_NFLOG);
	fill_entry(&b, 6, 1, 80, 5, 500, 7500, 9000, 30, 255, 0x04, FLOW_SEEN_PCAP);
	fill_entry(&c, 4, 1, 443, 1, 1, 1, 1, 1, 1, 0, FLOW_SEEN_PCAP);
	a.db_id = id_a;
	b.db_id = id_b;
	v[2] = &c;
	assert_int_equal(store_flows_write(st, v, 3, ifnames), 0);
	assert_int_equal(a.db_id, id_a);
	assert_int_equal(b.db_id, id_b);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), 3);
	id_c = c.db_id;
	assert_true(id_c > 0 && id_c != id_a && id_c != id_b);

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM flows WHERE id = %lld AND packets = 5 AND bytes = 320"
		 " AND first_usec = 4000 AND last_usec = 6000 AND ttl_min = 60 AND ttl_max = 70"
		 " AND tcp_flags = 3 AND seen_by = 3 AND family = 4 AND src = '127.0.0.1'"
		 " AND dst = '192.0.2.1' AND hex(src_bin) = '00000000000000000000FFFF7F000001'"
		 " AND iface = 'eth0' AND dir = 'in' AND proto = 6 AND sport = 1234"
		 " AND dport = 80 AND bucket = 1700000000 AND class = '%s' AND subclass = '%s'",
		 (long long)id_a, classify_class_name(CLS_SPOOF_LOOPBACK_SRC),
		 addrclass_subclass_name(ASUB_LOOPBACK));
	assert_int_equal(store_query_int(st, sql), 1);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM flows WHERE id = %lld AND packets = 6 AND bytes = 600"
		 " AND first_usec = 7000 AND last_usec = 9000 AND ttl_min = 30 AND ttl_max = 255"
		 " AND tcp_flags = 20 AND seen_by = 3 AND family = 6 AND src = '::1'"
		 " AND dst = '2001:db8::1' AND hex(src_bin) = '00000000000000000000000000000001'",
		 (long long)id_b);
	assert_int_equal(store_query_int(st, sql), 1);
	assert_string_equal(classify_class_name(CLS_SPOOF_LOOPBACK_SRC), "spoof_loopback_src");

	/* Entries that know their row (db_id kept, as the flow table does) merge by id; a
	 * stale or wrong db_id (another row's) never merges into the wrong row: the key's
	 * own row is looked up (b: its row, not a's; c: its row, not the stale id), and no
	 * key gets a second row. */
	fill_entry(&a, 4, 1, 80, 10, 1000, 8000, 8000, 64, 64, 0x20, FLOW_SEEN_PCAP);
	a.db_id = id_a;
	fill_entry(&b, 6, 1, 80, 10, 1000, 8000, 8000, 64, 64, 0x20, FLOW_SEEN_PCAP);
	b.db_id = id_a;				/* wrong: a's row */
	fill_entry(&c, 4, 1, 443, 1, 1, 1, 1, 1, 1, 0, FLOW_SEEN_PCAP);
	c.db_id = 999999;			/* stale: no such row */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_flows_write(st, v, 3, ifnames), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(a.db_id, id_a);
	assert_int_equal(b.db_id, id_b);
	assert_int_equal(c.db_id, id_c);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), 3);
	snprintf(sql, sizeof(sql), "SELECT packets * 1000 + tcp_flags FROM flows WHERE id = %lld",
		 (long long)id_a);
	assert_int_equal(store_query_int(st, sql), 15 * 1000 + 0x23);
	snprintf(sql, sizeof(sql), "SELECT packets * 1000 + last_usec FROM flows WHERE id = %lld",
		 (long long)id_b);
	assert_int_equal(store_query_int(st, sql), 16 * 1000 + 9000);	/* 1 + 5 + 10 */
	assert_int_equal(store_query_int(st, "SELECT sum(packets) FROM flows WHERE family = 6"), 16);
	snprintf(sql, sizeof(sql), "SELECT packets FROM flows WHERE id = %lld",
		 (long long)c.db_id);
	assert_int_equal(store_query_int(st, sql), 2);			/* 1 + 1 */
	assert_int_equal(store_query_int(st, "SELECT sum(packets) FROM flows WHERE dport = 443"), 2);
	/* back to the totals the checks below expect */
	assert_int_equal(store_query_int(st, "SELECT sum(packets) FROM flows"), 33);

	/* The views a person queries. */
	assert_int_equal(store_query_int(st, "SELECT sum(packets) FROM spoofed_per_day"
					 " WHERE day = '2023-11-14'"), 33);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows_readable WHERE"
					 " first_seen = '1970-01-01T00:00:00.004Z'"), 1);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM loopback_flows"), 0);

	/* A prefix is a BLOB range: 127.0.0.0/8 as ::ffff:127.0.0.0/104. */
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows WHERE src_bin BETWEEN"
					 " x'00000000000000000000ffff7f000000' AND"
					 " x'00000000000000000000ffff7fffffff'"), 2);	/* a, c */
	store_close(st);
	rm_db(tpath("upsert.db"));
}

/* 6: an IPv6 flow with an IPv4-mapped address stays apart from the IPv4 flow. */
static void test_upsert_family_apart(void **state)
{
	struct store *st = open_new("family.db");
	struct flow_entry a, b, *v[2] = { &a, &b };

	(void)state;
	fill_entry(&a, 4, 1, 80, 1, 1, 1, 1, 1, 1, 0, FLOW_SEEN_PCAP);
	fill_entry(&b, 6, 1, 80, 1, 1, 1, 1, 1, 1, 0, FLOW_SEEN_PCAP);
	memset(b.key.src, 0, 16);
	b.key.src[10] = b.key.src[11] = 0xff;
	memcpy(b.key.src + 12, a.key.src, 4);
	memset(b.key.dst, 0, 16);
	b.key.dst[10] = b.key.dst[11] = 0xff;
	memcpy(b.key.dst + 12, a.key.dst, 4);
	assert_int_equal(store_flows_write(st, v, 2, ifnames), 0);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), 2);
	assert_int_equal(store_query_int(st, "SELECT count(DISTINCT hex(src_bin)) FROM flows"), 1);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows WHERE family = 6"
					 " AND src = '::ffff:127.0.0.1'"), 1);
	store_close(st);
	rm_db(tpath("family.db"));
}

/* 7: a failing batch writes nothing and leaves db_id alone, so a retry is exact. */
static void test_flows_write_atomic(void **state)
{
	struct store *st = open_new("atomic.db");
	static const char *const names[] = { "eth0", "lo", "wlan0", "x", "x", "x", "x", NULL };
	struct flow_entry e[4], *v[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		fill_entry(&e[i], 4, (uint8_t)i, 80, 1, 10, 1, 1, 1, 1, 0, FLOW_SEEN_PCAP);
		v[i] = &e[i];
	}
	e[2].key.iface = 7;	/* no such name: the third row fails */

	for (i = 0; i < 2; i++) {	/* inside and outside a transaction */
		uint64_t fails = store_write_failures(st);

		if (i == 0)
			assert_int_equal(store_begin(st), 0);
		assert_int_equal(store_flows_write(st, v, 4, names), -1);
		assert_non_null(strstr(store_errmsg(st), "flow"));
		assert_true(store_write_failures(st) > fails);
		if (i == 0)
			assert_int_equal(store_commit(st), 0);
		assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), 0);
		assert_int_equal(e[0].db_id, 0);
	}
	e[2].key.iface = 2;
	assert_int_equal(store_flows_write(st, v, 4, names), 0);
	assert_int_equal(store_query_int(st, "SELECT sum(packets) FROM flows"), 4);
	for (i = 0; i < 4; i++)
		assert_true(e[i].db_id > 0);
	/* bad family and bad class are refused too */
	e[1].key.family = 0;
	assert_int_equal(store_flows_write(st, v, 4, names), -1);
	e[1].key.family = 4;
	e[1].key.cls = CLS_COUNT + 10;
	assert_int_equal(store_flows_write(st, v, 4, names), -1);
	assert_int_equal(store_query_int(st, "SELECT sum(packets) FROM flows"), 4);
	store_close(st);
	rm_db(tpath("atomic.db"));
}

/* 7b: a full database (SQLITE_FULL, here by max_page_count) fails the write with a clear
 * message, counts it, writes nothing of the batch, and the store stays usable. */
static void test_full(void **state)
{
	enum { N = 2000 };
	struct store *st = open_new("full.db");
	struct flow_entry *e = calloc(N, sizeof(*e)), **v = calloc(N, sizeof(*v));
	int64_t pages;
	char sql[64];
	int i, pass;

	(void)state;
	for (i = 0; i < N; i++) {
		fill_entry(&e[i], 6, (uint8_t)i, (uint16_t)i, 1, 10, 1, 1, 1, 1, 0, FLOW_SEEN_PCAP);
		e[i].key.src[14] = (uint8_t)(i >> 8);
		v[i] = &e[i];
	}
	assert_int_equal(store_flows_write(st, v, 10, ifnames), 0);
	pages = store_query_int(st, "PRAGMA page_count");
	assert_true(pages > 0);
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)pages + 2);
	assert_true(store_query_int(st, sql) > 0);
	for (pass = 0; pass < 2; pass++) {	/* outside, then inside a transaction */
		uint64_t fails = store_write_failures(st);

		if (pass == 1)
			assert_int_equal(store_begin(st), 0);
		assert_int_equal(store_flows_write(st, v, N, ifnames), -1);
		assert_non_null(strstr(store_errmsg(st), "full"));
		assert_true(store_write_failures(st) > fails);
		if (pass == 1)
			assert_int_equal(store_rollback(st), 0);
		assert_int_equal(store_query_int(st, "SELECT sum(packets) FROM flows"), 10);
	}
	assert_true(store_query_int(st, "PRAGMA max_page_count = 1000000") > 0);
	assert_int_equal(store_flows_write(st, v, N, ifnames), 0);
	assert_int_equal(store_query_int(st, "SELECT sum(packets) FROM flows"), N + 10);
	free(e);
	free(v);
	store_close(st);
	rm_db(tpath("full.db"));
}

/* 8: runs, sources, interfaces, kernel context, host addresses and evidence. */
static void test_run_and_evidence(void **state)
{
	struct store *st = open_new("evidence.db");
	struct flow_entry e, *v[1] = { &e };
	struct iface_info ifc;
	struct prefix p;
	int64_t run, src;
	uint8_t pkt[60];
	sqlite3 *db;
	sqlite3_stmt *s;
	int i;

	(void)state;
	run = store_run_begin(st, "host1", "0.1.0", "spoofaudit collect -i eth0",
			      1700000000000000ULL, 60);
	assert_true(run > 0);
	src = store_source_add(st, run, "pcap-live", "eth0", "eth0", 1);
	assert_true(src > 0);
	assert_int_equal(store_source_add(st, run, "bogus-kind", "x", NULL, 1), -1);
	assert_int_equal(store_source_add(st, run + 99, "nflog", "nflog:5", NULL, 239), -1);

	memset(&ifc, 0, sizeof(ifc));
	strcpy(ifc.name, "eth1");
	ifc.ifindex = 3;
	ifc.role = ROLE_INTERNAL;
	assert_int_equal(prefix_parse("10.0.0.0/8", 0, &ifc.prefixes[0]), 0);
	assert_int_equal(prefix_parse("2001:db8::/32", 0, &ifc.prefixes[1]), 0);
	ifc.n_prefixes = 2;
	assert_int_equal(store_iface_add(st, run, &ifc, "option"), 0);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM ifaces WHERE name = 'eth1'"
					 " AND role = 'internal' AND role_origin = 'option'"
					 " AND prefixes = '10.0.0.0/8,2001:db8::/32'"), 1);
	assert_int_equal(store_kernel_ctx_add(st, run, "all", "rp_filter", "1"), 0);
	assert_int_equal(prefix_parse("192.0.2.7", 0, &p), 0);
	p.plen = 24;
	assert_int_equal(store_hostaddr_add(st, run, "eth0", &p), 0);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM host_addrs WHERE"
					 " addr = '192.0.2.7' AND plen = 24 AND family = 4"), 1);

	fill_entry(&e, 4, 9, 22, 1, 60, 1, 1, 1, 1, 0, FLOW_SEEN_PCAP);
	assert_int_equal(store_flows_write(st, v, 1, ifnames), 0);
	for (i = 0; i < (int)sizeof(pkt); i++)
		pkt[i] = (uint8_t)(i * 7);
	assert_int_equal(store_evidence_add(st, e.db_id, 1700000000123456ULL, 1, 1514, pkt,
					    sizeof(pkt)), 0);
	/* foreign key: no such flow */
	assert_int_equal(store_evidence_add(st, e.db_id + 1000, 1, 1, 60, pkt, sizeof(pkt)), -1);
	assert_int_equal(store_run_end(st, run, 1700000060000000ULL), 0);
	assert_int_equal(store_run_end(st, run + 99, 1), -1);
	store_close(st);

	/* Read it back on a plain connection. */
	assert_int_equal(sqlite3_open_v2(tpath("evidence.db"), &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT flow_id, ts_usec, linktype, wirelen,"
					    " caplen, data FROM evidence", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), e.db_id);
	assert_int_equal(sqlite3_column_int64(s, 1), 1700000000123456LL);
	assert_int_equal(sqlite3_column_int(s, 2), 1);
	assert_int_equal(sqlite3_column_int(s, 3), 1514);
	assert_int_equal(sqlite3_column_int(s, 4), (int)sizeof(pkt));
	assert_int_equal(sqlite3_column_bytes(s, 5), (int)sizeof(pkt));
	assert_memory_equal(sqlite3_column_blob(s, 5), pkt, sizeof(pkt));
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT ended_usec, bucket_seconds FROM runs",
					    -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), 1700000060000000LL);
	assert_int_equal(sqlite3_column_int64(s, 1), 60);
	sqlite3_finalize(s);
	sqlite3_close(db);
	rm_db(tpath("evidence.db"));
}

/* 9: capture statistics and decode errors per reason, and the completeness view. */
static void test_stats(void **state)
{
	struct store *st = open_new("stats.db");
	struct store_capture_stats cs;
	int64_t run, src;
	char sql[256];

	(void)state;
	run = store_run_begin(st, "h", "v", NULL, 1700000000000000ULL, 60);
	src = store_source_add(st, run, "pcap-live", "eth0", "eth0", 1);
	memset(&cs, 0, sizeof(cs));
	cs.received = 900;
	cs.kernel_drops = 100;
	cs.decoded_ip = 880;
	cs.malformed = 5;
	cs.decode_errors[DERR_TRUNC_IP] = 3;
	cs.decode_errors[DERR_BAD_L4] = 2;
	assert_int_equal(store_stats_add(st, src, 1700000000000000ULL, 1700000060000000ULL,
					 &cs), 0);
	assert_int_equal(store_stats_add(st, src, 1700000060000000ULL, 1700000120000000ULL,
					 &cs), 0);
	assert_int_equal(store_query_int(st, "SELECT sum(received) FROM capture_stats"), 1800);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM decode_errors"), 4);
	snprintf(sql, sizeof(sql), "SELECT sum(count) FROM decode_errors WHERE reason = '%s'",
		 decode_error_name(DERR_TRUNC_IP));
	assert_int_equal(store_query_int(st, sql), 6);
	assert_string_equal(decode_error_name(DERR_BAD_L4), "bad_l4");
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM capture_completeness WHERE"
					 " day = '2023-11-14' AND received = 1800 AND"
					 " kernel_drops = 200 AND complete_pct = 90.0 AND"
					 " seconds = 120"), 1);
	/* unknown source: foreign key */
	assert_int_equal(store_stats_add(st, src + 5, 1, 2, &cs), -1);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM capture_stats"), 2);
	store_close(st);
	rm_db(tpath("stats.db"));
}

/* 10: read-only: a missing file is an error; an up-to-date file opens and refuses writes. */
static void test_readonly(void **state)
{
	const char *path = tpath("ro.db");
	struct store *st;
	char err[256];

	(void)state;
	rm_db(path);
	err[0] = '\0';
	assert_null(store_open(path, STORE_OPEN_READONLY, err, sizeof(err)));
	assert_true(err[0] != '\0');
	assert_int_equal(access(path, F_OK), -1);	/* not created */
	assert_null(store_open(path, 0, err, sizeof(err)));	/* no CREATE flag */
	assert_int_equal(access(path, F_OK), -1);

	store_close(open_new("ro.db"));
	st = store_open(path, STORE_OPEN_READONLY, err, sizeof(err));
	if (!st)
		fail_msg("%s", err);
	assert_int_equal(store_schema_version(st), store_latest_version());
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), 0);
	assert_int_equal(store_run_begin(st, "h", "v", NULL, 1, 60), -1);
	assert_non_null(strstr(store_errmsg(st), "read"));
	assert_int_equal(store_write_failures(st), 1);
	store_close(st);

	/* An empty database is not opened read-only (it would need migrating). */
	rm_db(path);
	raw_exec(path, "SELECT 1");
	assert_null(store_open(path, STORE_OPEN_READONLY, err, sizeof(err)));
	rm_db(path);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 11: a file locked exclusively by another connection: opening (read-only or not) fails
 * with a message after the busy timeout, and does not crash. */
static void test_locked(void **state)
{
	const char *path = tpath("locked.db");
	struct store *st;
	sqlite3 *db;
	char err[256];
	double t0;

	(void)state;
	store_close(open_new("locked.db"));
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA locking_mode = EXCLUSIVE;"
				      " BEGIN EXCLUSIVE; INSERT INTO meta VALUES('x', 'y');",
				      NULL, NULL, NULL), SQLITE_OK);
	t0 = now_s();
	err[0] = '\0';
	st = store_open(path, STORE_OPEN_READONLY, err, sizeof(err));
	assert_null(st);
	print_message("locked read-only open failed after %.1f s: %s\n", now_s() - t0, err);
	assert_non_null(strstr(err, "locked"));
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(db);
	st = store_open(path, STORE_OPEN_READONLY, err, sizeof(err));
	assert_non_null(st);
	store_close(st);
	rm_db(path);
}

struct holder {
	struct store *st;
	int sleep_ms;
};

static void *hold_then_commit(void *arg)
{
	struct holder *h = arg;

	usleep((useconds_t)h->sleep_ms * 1000);
	store_commit(h->st);
	return NULL;
}

/* 12: a writer waiting for another's transaction retries (counted) and then succeeds. */
static void test_busy_retries(void **state)
{
	const char *path = tpath("busy.db");
	struct store *a = open_new("busy.db"), *b;
	struct holder h;
	pthread_t th;
	char err[256];

	(void)state;
	b = store_open(path, 0, err, sizeof(err));
	assert_non_null(b);
	assert_int_equal(store_begin(a), 0);
	assert_true(store_run_begin(a, "a", "v", NULL, 1, 60) > 0);
	h.st = a;
	h.sleep_ms = 200;
	assert_int_equal(pthread_create(&th, NULL, hold_then_commit, &h), 0);
	assert_int_equal(store_begin(b), 0);		/* waits for a's commit */
	assert_true(store_run_begin(b, "b", "v", NULL, 2, 60) > 0);
	assert_int_equal(store_commit(b), 0);
	pthread_join(th, NULL);
	assert_true(store_busy_retries(b) > 0);
	assert_int_equal(store_write_failures(b), 0);
	assert_int_equal(store_query_int(b, "SELECT count(*) FROM runs"), 2);
	store_close(a);
	store_close(b);
	rm_db(path);
}

/* 14: PRAGMA user_version = -1 is refused, not used as a migration index. */
static void test_negative_version(void **state)
{
	const char *path = tpath("neg.db");
	char err[256];

	(void)state;
	store_close(open_new("neg.db"));
	raw_exec(path, "PRAGMA user_version = -1");
	assert_null(store_open(path, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "schema version -1"));
	assert_null(store_open(path, STORE_OPEN_READONLY, err, sizeof(err)));
	assert_non_null(strstr(err, "schema version -1"));
	rm_db(path);
}

/* 15: a schema object the migrations did not make, or one missing, is refused by name,
 * read-only or not, before any view or trigger runs. */
static void test_foreign_objects(void **state)
{
	static const struct {
		const char *sql, *expect;
	} rows[] = {
		{ "CREATE TRIGGER meta_rw AFTER DELETE ON flows BEGIN"
		  " UPDATE meta SET value = 'x'; END", "trigger `meta_rw'" },
		{ "PRAGMA foreign_keys = OFF; DROP TABLE evidence; CREATE VIEW evidence(id, flow_id,"
		  " ts_usec, linktype, wirelen, caplen, data) AS SELECT 1, 1, 1, 1, 1, 1,"
		  " randomblob(1000)", "view `evidence'" },
		{ "PRAGMA foreign_keys = OFF; DROP TABLE runs; CREATE VIEW runs(id, host, version,"
		  " cmdline, started_usec, ended_usec, bucket_seconds) AS WITH RECURSIVE c(x) AS"
		  " (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x, '', '', '', 0, 0, 60 FROM c;"
		  " CREATE TRIGGER runs_ins INSTEAD OF INSERT ON runs BEGIN SELECT 1; END",
		  "view `runs'" },
		{ "CREATE TABLE extra(x)", "table `extra'" },
		{ "CREATE INDEX extra_ix ON flows(bytes)", "index `extra_ix'" },
		{ "CREATE VIEW meta2 AS SELECT * FROM meta", "view `meta2'" },
	};
	const char *path = tpath("hostile.db");
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		store_close(open_new("hostile.db"));
		raw_exec(path, rows[i].sql);
		err[0] = '\0';
		assert_null(store_open(path, 0, err, sizeof(err)));
		if (!strstr(err, rows[i].expect) || !strstr(err, "not a spoofaudit"))
			fail_msg("row %zu: %s", i, err);
		assert_null(store_open(path, STORE_OPEN_READONLY, err, sizeof(err)));
		if (!strstr(err, rows[i].expect))
			fail_msg("row %zu (read-only): %s", i, err);
	}
	/* An index the migrations made, dropped: refused as missing. */
	store_close(open_new("hostile.db"));
	raw_exec(path, "SELECT 1");
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *s = NULL;
		char sql[300];

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE"
			" type = 'index' AND sql IS NOT NULL LIMIT 1", -1, &s, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		snprintf(sql, sizeof(sql), "DROP INDEX \"%s\"", sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		sqlite3_close(db);
		raw_exec(path, sql);
	}
	assert_null(store_open(path, STORE_OPEN_READONLY, err, sizeof(err)));
	if (!strstr(err, "lacks the index"))
		fail_msg("dropped index: %s", err);
	/* ANALYZE's statistics table is SQLite's own and accepted. */
	store_close(open_new("hostile.db"));
	raw_exec(path, "ANALYZE");
	{
		struct store *st = store_open(path, STORE_OPEN_READONLY, err, sizeof(err));

		if (!st)
			fail_msg("after ANALYZE: %s", err);
		store_close(st);
	}
	rm_db(path);
}

/* 16: a statement that runs past the time limit is interrupted. */
static void test_time_limit(void **state)
{
	const char *path = tpath("limit.db");
	struct store_rows *q;
	struct store *st;
	char err[256];
	double t0;

	(void)state;
	store_close(open_new("limit.db"));
	st = store_open(path, STORE_OPEN_READONLY, err, sizeof(err));
	if (!st)
		fail_msg("%s", err);
	store_set_time_limit(st, 1);
	q = store_rows_prepare(st, "forever", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL"
			       " SELECT x + 1 FROM c) SELECT count(*) FROM c");
	assert_non_null(q);
	t0 = now_s();
	assert_int_equal(store_rows_step(q), -1);
	assert_true(now_s() - t0 < 5.0);
	assert_true(now_s() - t0 >= 0.9);
	assert_non_null(strstr(store_errmsg(st), "interrupt"));
	/* a later statement has its own second */
	store_rows_free(q);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), 0);
	store_close(st);
	rm_db(path);
}

/* 17: under umask 022 a new database and its -wal and -shm are 0640, not 0644. */
static void test_new_file_mode(void **state)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	const char *path = tpath("mode.db");
	struct store *st;
	struct stat sb;
	char p[300];
	mode_t old = umask(022);
	size_t i;

	(void)state;
	st = open_new("mode.db");
	umask(old);
	assert_true(store_run_begin(st, "h", "v", NULL, 1, 60) > 0);
	for (i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", path, sfx[i]);
		assert_int_equal(stat(p, &sb), 0);
		if ((sb.st_mode & 0777) != 0640)
			fail_msg("%s: mode %o", p, (unsigned)(sb.st_mode & 0777));
	}
	store_close(st);
	rm_db(path);
}

/* 18: a symbolic link in place of the database is neither opened (so its target is not
 * created or written) nor handed to another user. */
static void test_symlink(void **state)
{
	const char *link = tpath("link.db"), *target = tpath("target");
	char err[256];
	struct stat sb;
	FILE *f;

	(void)state;
	unlink(link);
	unlink(target);
	assert_int_equal(symlink(target, link), 0);
	assert_null(store_open(link, STORE_OPEN_CREATE, err, sizeof(err)));
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(access(target, F_OK), -1);	/* not created */
	f = fopen(target, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(store_open(link, STORE_OPEN_CREATE, err, sizeof(err)));
	assert_non_null(strstr(err, "symbolic link"));
	assert_int_equal(stat(target, &sb), 0);
	assert_int_equal(sb.st_size, 0);		/* not made an SQLite file */
	assert_int_equal(store_chown_files(link, getuid(), getgid(), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	unlink(link);
	unlink(target);
	store_close(open_new("own.db"));
	/* a -wal link beside a real database is refused too */
	assert_int_equal(store_chown_files(tpath("own.db"), getuid(), getgid(), err,
					   sizeof(err)), 0);
	assert_int_equal(symlink(target, tpath("own.db-wal")), 0);
	assert_int_equal(store_chown_files(tpath("own.db"), getuid(), getgid(), err,
					   sizeof(err)), -1);
	assert_non_null(strstr(err, "symbolic link"));
	unlink(tpath("own.db-wal"));
	/* a reader may be given a link to a real database; a writer may not */
	char own[256], rolink[256];
	snprintf(own, sizeof(own), "%s", tpath("own.db"));
	snprintf(rolink, sizeof(rolink), "%s", tpath("rolink.db"));
	assert_int_equal(symlink(own, rolink), 0);
	struct store *ro = store_open(rolink, STORE_OPEN_READONLY, err, sizeof(err));
	assert_non_null(ro);
	store_close(ro);
	assert_null(store_open(rolink, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "symbolic link"));
	unlink(rolink);
	rm_db(tpath("own.db"));
}

#define FLOW_ROW(dir, fam) "INSERT INTO flows(bucket, iface, dir, family, src, dst, src_bin," \
	" dst_bin, proto, sport, dport, class, subclass, packets, bytes, first_usec, last_usec," \
	" ttl_min, ttl_max, tcp_flags, seen_by) VALUES(0, 'eth0', '" dir "', " fam ", '', ''," \
	" zeroblob(16), zeroblob(16), 6, 1, 2, 'normal', '', 1, 60, 0, 0, 64, 64, 2, 1)"

/* 15: migration 8: writing a flow row costs no ephemeral table (SQLite's own EXPLAIN of
 * the insert has no OpenEphemeral, which `dir IN (...)` made it build per row), and the
 * CHECKs on dir and family still refuse what they refused. Both for a new database and
 * for one migrated from version 6 with rows in it. */
static void test_cheap_checks(void **state)
{
	const char *path = tpath("checks.db");
	int from;

	(void)state;
	for (from = 0; from < 2; from++) {
		sqlite3 *db = NULL;
		sqlite3_stmt *s = NULL;
		struct store *st;
		char err[256];
		int ephemeral = 0, i;

		rm_db(path);
		if (from) {	/* a version-6 database holding a row */
			raw_exec(path, "SELECT 1");
			for (i = 0; i < 6; i++) {
				char *all = sqlite3_mprintf("BEGIN;\n%s\nPRAGMA user_version = %d;\nCOMMIT;",
							    embedded_migrations[i].text, i + 1);

				assert_non_null(all);
				raw_exec(path, all);
				sqlite3_free(all);
			}
			raw_exec(path, FLOW_ROW("in", "4"));
		}
		st = store_open(path, STORE_OPEN_CREATE, err, sizeof(err));
		if (!st)
			fail_msg("store_open: %s", err);
		assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), from);
		store_close(st);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "EXPLAIN " FLOW_ROW("out", "6"), -1, &s, NULL),
				 SQLITE_OK);
		while (sqlite3_step(s) == SQLITE_ROW)
			ephemeral += !strcmp((const char *)sqlite3_column_text(s, 1), "OpenEphemeral");
		sqlite3_finalize(s);
		assert_int_equal(ephemeral, 0);
		assert_int_equal(sqlite3_exec(db, FLOW_ROW("out", "6"), NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, FLOW_ROW("sideways", "4"), NULL, NULL, NULL),
				 SQLITE_CONSTRAINT);
		assert_int_equal(sqlite3_exec(db, FLOW_ROW("in", "5"), NULL, NULL, NULL),
				 SQLITE_CONSTRAINT);
		assert_int_equal(sqlite3_exec(db, "PRAGMA integrity_check", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	rm_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_empty),
		cmocka_unit_test(test_migrate_from_each_version),
		cmocka_unit_test(test_refuse_foreign),
		cmocka_unit_test(test_refuse_future),
		cmocka_unit_test(test_upsert),
		cmocka_unit_test(test_upsert_family_apart),
		cmocka_unit_test(test_flows_write_atomic),
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_run_and_evidence),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_readonly),
		cmocka_unit_test(test_locked),
		cmocka_unit_test(test_busy_retries),
		cmocka_unit_test(test_negative_version),
		cmocka_unit_test(test_foreign_objects),
		cmocka_unit_test(test_time_limit),
		cmocka_unit_test(test_new_file_mode),
		cmocka_unit_test(test_symlink),
		cmocka_unit_test(test_cheap_checks),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
