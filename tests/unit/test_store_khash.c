/* This file tests the flows table of migration 9: a flow written again without its row
 * id (a later run) gets a second row whose counts readers sum; evidence and NFLOG rows
 * find their flow by (bucket, khash) and the full key, never by the hash alone; and a
 * version-8 database keeps every row, its id and its counts through the migration, with
 * a khash the collector's own lookups find. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "classify/addrclass.h"
#include "classify/classify.h"
#include "common/embedded.h"
#include "store/store.h"
#include "db_tmp.h"
#include "store/store_int.h"

static int group_setup(void **state)
{
	(void)state;
	return db_tmp_setup("test_store_khash");
}

static int group_teardown(void **state)
{
	(void)state;
	return db_tmp_teardown();
}

static struct store *open_db(const char *path, int fresh)
{
	char err[256];
	struct store *st;

	if (fresh)
		rm_db(path);
	st = store_open(path, STORE_OPEN_CREATE, err, sizeof(err));
	if (!st)
		fail_msg("store_open: %s", err);
	return st;
}

/* The key of test flow n: 10.0.0.n:1000+n -> 192.0.2.1:80/tcp on eth0, inbound,
 * bogon_src/private (IPv4). */
static void key_of(struct flow_key *k, unsigned n)
{
	memset(k, 0, sizeof(*k));
	k->bucket = 1700000000;
	k->iface = 0;
	k->dir = DIR_IN;
	k->family = 4;
	k->proto = 6;
	k->cls = CLS_BOGON_SRC;
	k->subclass = ASUB_PRIVATE;
	k->sport = (uint16_t)(1000 + n);
	k->dport = 80;
	k->src[0] = 10;
	k->src[3] = (uint8_t)n;
	k->dst[0] = 192;
	k->dst[2] = 2;
	k->dst[3] = 1;
}

/* A batch (on the stack, not freed) of up to 4 flows, 4 evidence and 4 NFLOG rows. */
struct tbatch {
	struct store_batch b;
	struct store_flow_row flows[4];
	struct store_ev_row ev[4];
	struct store_nflog_row nfl[4];
	uint8_t evbuf[64];
	char ifn[1][IF_NAMESIZE];
};

static void tb_init(struct tbatch *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->ifn[0], sizeof(t->ifn[0]), "eth0");
	t->b.flows = t->flows;
	t->b.ev = t->ev;
	t->b.nfl = t->nfl;
	t->b.evbuf = t->evbuf;
	t->b.evbuf_len = sizeof(t->evbuf);
	t->b.ifnames = t->ifn;
	t->b.n_ifnames = 1;
}

static void tb_flow(struct tbatch *t, unsigned n, uint64_t packets, int64_t db_id)
{
	struct store_flow_row *r = &t->flows[t->b.n_flows++];

	key_of(&r->key, n);
	r->delta.packets = packets;
	r->delta.bytes = packets * 100;
	r->delta.first_usec = 1700000000000000ull + n;
	r->delta.last_usec = 1700000000000000ull + n + packets;
	r->delta.ttl_min = r->delta.ttl_max = 64;
	r->delta.seen_by = FLOW_SEEN_PCAP;
	r->db_id = db_id;
}

static void tb_ev(struct tbatch *t, unsigned n, uint64_t ts)
{
	struct store_ev_row *e = &t->ev[t->b.n_ev++];

	key_of(&e->key, n);
	e->ts_usec = ts;
	e->linktype = 1;
	e->wirelen = e->caplen = 60;
	e->off = 0;
}

static void tb_nflog(struct tbatch *t, unsigned n, uint64_t packets)
{
	struct store_nflog_row *r = &t->nfl[t->b.n_nfl++];

	key_of(&r->key, n);
	snprintf(r->prefix, sizeof(r->prefix), "spoof:");
	r->group = 5;
	r->hook = 0;
	r->packets = packets;
	r->bytes = packets * 100;
	r->uid = r->gid = r->mark = -1;
}

static int64_t q(struct store *st, const char *fmt, ...)
{
	char sql[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return store_query_int(st, sql);
}

/* 1: the same key written by two runs (neither knows the other's row): the writer's batch
 * finds the first run's row by (bucket, khash) and the full key and adds to it, so one
 * row holds 3 + 4 packets, with the second run's evidence and NFLOG rows (a second row
 * of the key would count NFLOG's copies twice: t_nflog_pcap_drop under ThreadSanitizer
 * saw it, when a flush went out before the previous one's row ids came back); a reader
 * (the totals report, the check iterator) sees 3 + 4 packets once. */
static void test_two_runs_same_key(void **state)
{
	const char *path = tpath("runs.db");
	struct store *st = open_db(path, 1);
	struct store_flow_iter *it;
	struct store_flow f;
	struct tbatch t;
	int64_t row1, row2;
	uint64_t seen = 0;

	(void)state;
	tb_init(&t);
	tb_flow(&t, 1, 3, 0);
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	row1 = t.flows[0].db_id;
	assert_true(row1 > 0);
	store_close(st);

	st = open_db(path, 0);			/* a later run */
	tb_init(&t);
	tb_flow(&t, 1, 4, 0);
	tb_ev(&t, 1, 1700000000000100ull);
	tb_nflog(&t, 1, 4);
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	row2 = t.flows[0].db_id;
	assert_true(row2 == row1);
	assert_int_equal(t.b.ev_orphans + t.b.nfl_orphans, 0);
	store_close(st);

	/* oracle: a plain connection, and the hand-computed 3 + 4 */
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows WHERE sport = 1001"), 1);
	assert_int_equal(raw_int(path, "SELECT sum(packets) FROM flows"), 7);
	assert_int_equal(raw_int(path, "SELECT flow_id FROM evidence"), row2);
	assert_int_equal(raw_int(path, "SELECT flow_id FROM flow_nflog"), row2);
	assert_int_equal(raw_int(path, "SELECT count(DISTINCT khash) FROM flows"), 1);

	st = open_db(path, 0);
	assert_int_equal(q(st, "SELECT sum(packets) FROM (%s)", "SELECT class, subclass, iface,"
			   " sum(packets) AS packets FROM flows WHERE bucket >= 1700000000"
			   " AND bucket < 1700003600 GROUP BY bucket, class, subclass, iface"), 7);
	it = store_flows_open(st, 1700000000, 1700003600);
	assert_non_null(it);
	while (store_flows_next(it, &f) == 1)
		seen += f.packets;
	store_flows_close(it);
	assert_int_equal(seen, 7);
	/* a flow written again with the row id it was given adds to that row */
	tb_init(&t);
	tb_flow(&t, 1, 5, row2);
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	assert_int_equal(t.flows[0].db_id, row2);
	assert_int_equal(q(st, "SELECT packets FROM flows WHERE id = %lld", (long long)row2), 12);
	assert_int_equal(q(st, "SELECT count(*) FROM flows"), 1);
	store_close(st);
	rm_db(path);
}

/* 2: two flows whose hashes collide (forced here by hand) stay two flows: evidence and
 * NFLOG rows go to the row of their own key, and a row id of the other key is refused. */
static void test_hash_collision(void **state)
{
	const char *path = tpath("collide.db");
	struct store *st = open_db(path, 1);
	struct tbatch t;
	int64_t ra, rb;

	(void)state;
	tb_init(&t);
	tb_flow(&t, 1, 2, 0);
	tb_flow(&t, 2, 3, 0);
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	ra = t.flows[0].db_id;
	rb = t.flows[1].db_id;
	assert_true(ra > 0 && rb > ra);
	/* the newer row (b) takes a's hash: a lookup by hash alone would now find b */
	assert_int_equal(q(st, "UPDATE flows SET khash = (SELECT khash FROM flows WHERE id = %lld)"
			   " WHERE id = %lld RETURNING 0", (long long)ra, (long long)rb), 0);

	/* evidence and NFLOG counts of a, its flow written by an earlier batch: both rows
	 * now carry a's hash, and only the full key tells a's row (the older) */
	tb_init(&t);
	tb_ev(&t, 1, 11);
	tb_nflog(&t, 1, 2);
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	assert_int_equal(t.b.ev_orphans + t.b.nfl_orphans, 0);
	tb_init(&t);
	tb_flow(&t, 1, 1, rb);			/* a with b's row id: not b's row, a's */
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	assert_int_equal(t.flows[0].db_id, ra);
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT packets FROM flows WHERE sport = 1002"), 3);
	assert_int_equal(raw_int(path, "SELECT sum(packets) FROM flows WHERE sport = 1001"), 3);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows"), 2);
	{
		char sql[200];

		snprintf(sql, sizeof(sql), "SELECT flow_id FROM evidence WHERE ts_usec = 11");
		assert_int_equal(raw_int(path, sql), ra);
		assert_int_equal(raw_int(path, "SELECT flow_id FROM flow_nflog"), ra);
	}
	rm_db(path);
}

/* 2b: evidence whose row the collector knew (store_ev_row.db_id) goes to that row, not to
 * the newest of its key (a second row of the key, made here by hand); a row of its key
 * in the batch itself comes first. */
static void test_ev_known_row(void **state)
{
	const char *path = tpath("known.db");
	struct store *st = open_db(path, 1);
	struct tbatch t;
	int64_t ra, rb;

	(void)state;
	tb_init(&t);
	tb_flow(&t, 1, 2, 0);
	tb_flow(&t, 2, 3, 0);
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	ra = t.flows[0].db_id;
	rb = t.flows[1].db_id;
	assert_int_equal(q(st, "INSERT INTO flows(bucket, iface, dir, family, src, dst, src_bin,"
			   " dst_bin, proto, sport, dport, class, subclass, packets, bytes, first_usec,"
			   " last_usec, ttl_min, ttl_max, tcp_flags, seen_by, khash) SELECT bucket,"
			   " iface, dir, family, src, dst, src_bin, dst_bin, proto, sport, dport, class,"
			   " subclass, packets, bytes, first_usec, last_usec, ttl_min, ttl_max,"
			   " tcp_flags, seen_by, khash FROM flows WHERE id = %lld RETURNING 0",
			   (long long)ra), 0);
	tb_init(&t);
	tb_flow(&t, 2, 1, rb);
	tb_ev(&t, 1, 21);
	t.ev[0].db_id = ra;
	tb_ev(&t, 2, 22);
	t.ev[1].db_id = ra;			/* the batch's own row of key 2 wins */
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	assert_int_equal(t.b.ev_orphans, 0);
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows WHERE sport = 1001"), 2);
	assert_int_equal(raw_int(path, "SELECT flow_id FROM evidence WHERE ts_usec = 21"), ra);
	assert_int_equal(raw_int(path, "SELECT flow_id FROM evidence WHERE ts_usec = 22"), rb);
	rm_db(path);
}

/* The value of a flow_key's class and subclass columns (as the store writes them). */
static const char *cls_name(void)
{
	return classify_class_name(CLS_BOGON_SRC);
}

static const char *sub_name(void)
{
	return addrclass_subclass_name(ASUB_PRIVATE);
}

/* 3: a version-8 database (migrations 1-8 by hand, rows by plain SQL) keeps every flow
 * row, its id and counts, and its evidence and NFLOG rows through migration 9; the khash
 * the migration computes is the one the collector's lookups use (evidence of an old
 * flow attaches to its old row). */
static void test_migrate_v8(void **state)
{
	const char *path = tpath("v8.db");
	struct store *st;
	struct tbatch t;
	char err[256], sql[2048];
	int64_t before_rows, before_packets, before_bytes, before_ev, before_nfl, id2;
	int i, n;

	(void)state;
	rm_db(path);
	raw_exec(path, "SELECT 1");
	for (i = 0; i < 8; i++) {
		char *all = sqlite3_mprintf("BEGIN;\n%s\nPRAGMA user_version = %d;\nCOMMIT;",
					    embedded_migrations[i].text, i + 1);

		assert_non_null(all);
		raw_exec(path, all);
		sqlite3_free(all);
	}
	/* three flows, keys 1-3 as key_of() makes them, and one of another bucket */
	for (n = 1; n <= 4; n++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO flows(bucket, iface, dir, family, src, dst, src_bin, dst_bin,"
			 " proto, sport, dport, class, subclass, packets, bytes, first_usec,"
			 " last_usec, ttl_min, ttl_max, tcp_flags, seen_by) VALUES(%d, 'eth0', 'in',"
			 " 4, '10.0.0.%d', '192.0.2.1', x'00000000000000000000ffff0a00000%d',"
			 " x'00000000000000000000ffffc0000201', 6, %d, 80, '%s', '%s', %d, %d, 1, 2,"
			 " 64, 64, 2, 1)", n == 4 ? 1700003600 : 1700000000, n, n, 1000 + n,
			 cls_name(), sub_name(), 10 * n, 1000 * n);
		raw_exec(path, sql);
	}
	raw_exec(path, "INSERT INTO evidence(flow_id, ts_usec, linktype, wirelen, caplen, data)"
		       " SELECT id, 5, 1, 60, 1, x'00' FROM flows;"
		       " INSERT INTO flow_nflog(flow_id, prefix, grp, hook, packets, bytes)"
		       " SELECT id, 'p', 1, 0, 1, 1 FROM flows WHERE sport = 1002");
	assert_int_equal(raw_int(path, "PRAGMA user_version"), 8);
	before_rows = raw_int(path, "SELECT count(*) FROM flows");
	before_packets = raw_int(path, "SELECT sum(id * packets) FROM flows");
	before_bytes = raw_int(path, "SELECT sum(id * bytes) FROM flows");
	before_ev = raw_int(path, "SELECT sum(flow_id) FROM evidence");
	before_nfl = raw_int(path, "SELECT sum(flow_id) FROM flow_nflog");
	id2 = raw_int(path, "SELECT id FROM flows WHERE sport = 1002");

	st = store_open(path, 0, err, sizeof(err));
	if (!st)
		fail_msg("migrating from 8: %s", err);
	assert_int_equal(store_schema_version(st), store_latest_version());
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows"), before_rows);
	assert_int_equal(raw_int(path, "SELECT sum(id * packets) FROM flows"), before_packets);
	assert_int_equal(raw_int(path, "SELECT sum(id * bytes) FROM flows"), before_bytes);
	assert_int_equal(raw_int(path, "SELECT sum(flow_id) FROM evidence"), before_ev);
	assert_int_equal(raw_int(path, "SELECT sum(flow_id) FROM flow_nflog"), before_nfl);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows WHERE khash = 0"), 0);
	assert_int_equal(raw_int(path, "SELECT count(DISTINCT khash) FROM flows"), 4);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM sqlite_schema WHERE name ="
				       " 'flows_key'"), 0);

	/* the collector's lookup (khash computed in C) finds the migrated row of key 2 */
	st = open_db(path, 0);
	tb_init(&t);
	tb_ev(&t, 2, 77);
	tb_nflog(&t, 2, 3);
	assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
	assert_int_equal(t.b.ev_orphans + t.b.nfl_orphans, 0);
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT flow_id FROM evidence WHERE ts_usec = 77"), id2);
	assert_int_equal(raw_int(path, "SELECT packets FROM flow_nflog WHERE prefix = 'spoof:'"), 3);
	assert_int_equal(raw_int(path, "SELECT flow_id FROM flow_nflog WHERE prefix = 'spoof:'"), id2);
	rm_db(path);
}

/* The key filter (store_keyfilter.c) skips the lookup only where no row can have the key.
 * Each case below writes a key again without its row id where a skipped lookup would
 * give the key a second row; the oracle is a plain connection's count of the key's rows
 * and its hand-summed packets. */

/* 4: another connection inserted the key after this one's filter started: the filter sees
 * the foreign commit (data_version, a rowid above its own) and looks up from then on. */
static void test_filter_foreign_writer(void **state)
{
	const char *path = tpath("foreign.db");
	struct store *a = open_db(path, 1), *b;
	struct tbatch t;

	(void)state;
	tb_init(&t);
	tb_flow(&t, 9, 1, 0);		/* a's filter starts on an empty table */
	assert_int_equal(store_batch_write(a, &t.b, 100, 0, 0), 0);
	b = open_db(path, 0);
	tb_init(&t);
	tb_flow(&t, 1, 4, 0);
	assert_int_equal(store_batch_write(b, &t.b, 100, 0, 0), 0);
	tb_init(&t);
	tb_flow(&t, 1, 3, 0);		/* a never wrote key 1: only the foreign row says so */
	assert_int_equal(store_batch_write(a, &t.b, 100, 0, 0), 0);
	store_close(a);
	store_close(b);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows WHERE sport = 1001"), 1);
	assert_int_equal(raw_int(path, "SELECT packets FROM flows WHERE sport = 1001"), 7);
	rm_db(path);
}

/* 5: this connection's own key again, in a later transaction and after a transaction
 * that rolled back (whose row ids another connection then took). */
static void test_filter_own_and_rollback(void **state)
{
	const char *path = tpath("own.db");
	struct store *a = open_db(path, 1), *b;
	struct flow_key k;
	struct flow_counts d = { .packets = 2, .bytes = 200, .ttl_min = 64, .ttl_max = 64,
				 .seen_by = FLOW_SEEN_PCAP };
	const char *ifn[1] = { "eth0" };
	struct tbatch t;
	int64_t id;

	(void)state;
	tb_init(&t);
	tb_flow(&t, 9, 1, 0);
	assert_int_equal(store_batch_write(a, &t.b, 100, 0, 0), 0);
	tb_init(&t);
	tb_flow(&t, 9, 5, 0);		/* its own key, the id not given back */
	assert_int_equal(store_batch_write(a, &t.b, 100, 0, 0), 0);
	/* a inserts key 5 and rolls back; b then inserts key 1 under the same rowid */
	key_of(&k, 5);
	assert_int_equal(store_begin(a), 0);
	assert_int_equal(store_flow_merge(a, &k, &d, 0, ifn, &id), 0);
	assert_int_equal(store_rollback(a), 0);
	b = open_db(path, 0);
	tb_init(&t);
	tb_flow(&t, 1, 4, 0);
	assert_int_equal(store_batch_write(b, &t.b, 100, 0, 0), 0);
	assert_int_equal(t.flows[0].db_id, id);
	store_close(b);
	tb_init(&t);
	tb_flow(&t, 1, 3, 0);
	assert_int_equal(store_batch_write(a, &t.b, 100, 0, 0), 0);
	store_close(a);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows WHERE sport = 1009"), 1);
	assert_int_equal(raw_int(path, "SELECT packets FROM flows WHERE sport = 1009"), 6);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows WHERE sport = 1001"), 1);
	assert_int_equal(raw_int(path, "SELECT packets FROM flows WHERE sport = 1001"), 7);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows WHERE sport = 1005"), 0);
	rm_db(path);
}

/* 6: a filter that fills up starts again; the keys noted before stay found. */
static void test_filter_full(void **state)
{
	const char *path = tpath("full.db");
	struct store *st = open_db(path, 1);
	struct tbatch t;
	unsigned n, round;

	(void)state;
	st->kf.max_keys = 3;
	for (round = 0; round < 2; round++) {
		for (n = 1; n <= 8; n += 4) {
			unsigned j;

			tb_init(&t);
			for (j = 0; j < 4; j++)
				tb_flow(&t, n + j, 1 + round, 0);
			assert_int_equal(store_batch_write(st, &t.b, 100, 0, 0), 0);
		}
	}
	store_close(st);
	assert_int_equal(raw_int(path, "SELECT count(*) FROM flows"), 8);
	assert_int_equal(raw_int(path, "SELECT count(DISTINCT sport) FROM flows"), 8);
	assert_int_equal(raw_int(path, "SELECT min(packets) FROM flows"), 3);
	assert_int_equal(raw_int(path, "SELECT max(packets) FROM flows"), 3);
	rm_db(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_runs_same_key),
		cmocka_unit_test(test_hash_collision),
		cmocka_unit_test(test_ev_known_row),
		cmocka_unit_test(test_migrate_v8),
		cmocka_unit_test(test_filter_foreign_writer),
		cmocka_unit_test(test_filter_own_and_rollback),
		cmocka_unit_test(test_filter_full),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
