/* This file tests the hourly rollup (flows_hourly, migration 10) the flow writers keep:
 * after every write, failed write, NFLOG count and prune it must hold exactly the sums
 * of the flows rows per hour and key, computed here with plain SQL over flows (the
 * oracle), and a few sums are also checked by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "classify/addrclass.h"
#include "classify/classify.h"
#include "store/store.h"
#include "db_tmp.h"

#define H0 1700002800	/* an hour's start (1700002800 % 3600 == 0) */

static const char *const ifnames[] = { "eth0", "lo", "wlan0" };

static int group_setup(void **state)
{
	(void)state;
	return db_tmp_setup("test_rollup");
}

static int group_teardown(void **state)
{
	(void)state;
	return db_tmp_teardown();
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

/* The oracle: rows where flows_hourly and the sums over flows of the counted packets and
 * bytes (migration 6), the flows and their first and last packet (migration 11) differ
 * (both ways), plus the rows where spoof_hourly (migration 11) and the same per hour,
 * source, class, subclass, interface, protocol and port of the spoofed flows differ, and
 * where loopback_hourly (migration 12) and the same per hour, interface, protocol, ports,
 * source and destination of the loopback flows differ, and where spoof_src_daily
 * (migration 14) and the UTC hours of each day, source and interface of the flows of the
 * six classes that forge their source differ. */
static int64_t rollup_diff(struct store *st)
{
	return store_query_int(st,
		"WITH o AS (SELECT bucket - (bucket % 3600 + 3600) % 3600 AS bucket, class,"
		" subclass, iface, dir, family, sum(coalesce(counted_packets, packets)) AS packets,"
		" sum(coalesce(counted_bytes, bytes)) AS bytes,"
		" count(*) AS flows, min(first_usec), max(last_usec) FROM flows"
		" GROUP BY 1, 2, 3, 4, 5, 6),"
		" r AS (SELECT bucket, class, subclass, iface, dir, family, packets, bytes, flows,"
		" first_usec, last_usec FROM flows_hourly),"
		" so AS (SELECT bucket - (bucket % 3600 + 3600) % 3600, src, class, subclass, iface,"
		" proto, dport, sum(coalesce(counted_packets, packets)),"
		" sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)"
		" FROM flows WHERE class IN ('spoof_loopback_src', 'loopback_dst', 'own_addr_src',"
		" 'bogon_src', 'unexpected_src', 'rpf_fail', 'suspect_src')"
		" GROUP BY 1, 2, 3, 4, 5, 6, 7),"
		" sr AS (SELECT bucket, src, class, subclass, iface, proto, dport, packets, bytes,"
		" flows, first_usec, last_usec FROM spoof_hourly),"
		" lo AS (SELECT bucket - (bucket % 3600 + 3600) % 3600, iface, proto, sport, dport,"
		" src, dst, min(src_bin), min(dst_bin), sum(coalesce(counted_packets, packets)),"
		" sum(coalesce(counted_bytes, bytes)), count(*), min(first_usec), max(last_usec)"
		" FROM flows WHERE class = 'loopback_flow' GROUP BY 1, 2, 3, 4, 5, 6, 7),"
		" lr AS (SELECT bucket, iface, proto, sport, dport, src, dst, src_bin, dst_bin,"
		" packets, bytes, flows, first_usec, last_usec FROM loopback_hourly),"
		" do AS (SELECT bucket - (bucket % 86400 + 86400) % 86400, src, iface,"
		" sum(DISTINCT 1 << ((bucket % 86400 + 86400) % 86400 / 3600)) FROM flows"
		" WHERE class IN ('spoof_loopback_src', 'own_addr_src', 'bogon_src',"
		" 'unexpected_src', 'rpf_fail', 'suspect_src') GROUP BY 1, 2, 3),"
		" dr AS (SELECT day, src, iface, hours FROM spoof_src_daily)"
		" SELECT (SELECT count(*) FROM (SELECT * FROM o EXCEPT SELECT * FROM r)) +"
		" (SELECT count(*) FROM (SELECT * FROM r EXCEPT SELECT * FROM o)) +"
		" (SELECT count(*) FROM (SELECT * FROM so EXCEPT SELECT * FROM sr)) +"
		" (SELECT count(*) FROM (SELECT * FROM sr EXCEPT SELECT * FROM so)) +"
		" (SELECT count(*) FROM (SELECT * FROM lo EXCEPT SELECT * FROM lr)) +"
		" (SELECT count(*) FROM (SELECT * FROM lr EXCEPT SELECT * FROM lo)) +"
		" (SELECT count(*) FROM (SELECT * FROM do EXCEPT SELECT * FROM dr)) +"
		" (SELECT count(*) FROM (SELECT * FROM dr EXCEPT SELECT * FROM do))");
}

/* A flow of 127.0.0.<last> -> 192.0.2.1:dport on ifnames[iface] in bucket. */
static void fill(struct flow_entry *e, int64_t bucket, uint16_t iface, uint8_t last,
		 uint16_t dport, uint64_t packets, uint64_t bytes)
{
	memset(e, 0, sizeof(*e));
	e->key.bucket = bucket;
	e->key.iface = iface;
	e->key.dir = DIR_IN;
	e->key.family = 4;
	e->key.proto = 17;
	e->key.cls = CLS_SPOOF_LOOPBACK_SRC;
	e->key.subclass = ASUB_LOOPBACK;
	e->key.sport = 1000;
	e->key.dport = dport;
	e->key.src[0] = 127;
	e->key.src[3] = last;
	e->key.dst[0] = 192;
	e->key.dst[2] = 2;
	e->key.dst[3] = 1;
	e->delta.packets = packets;
	e->delta.bytes = bytes;
	e->delta.first_usec = e->delta.last_usec = (uint64_t)bucket * 1000000;
	e->delta.ttl_min = e->delta.ttl_max = 64;
	e->delta.seen_by = FLOW_SEEN_PCAP;
	e->dirty = 1;
}

/* A column of the rollup's hour and interface, as totals.sql reads it: packets and bytes
 * with what NFLOG logged beyond the counted ones (flows_nflog_excess); -1 when none. */
static int64_t hour_sum(struct store *st, const char *col, int64_t hour, const char *iface)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT coalesce(sum(%s), -1) + (SELECT coalesce(sum(%s), 0)"
		 " FROM flows WHERE (packets > counted_packets OR bytes > counted_bytes)"
		 " AND bucket >= %lld AND bucket < %lld AND iface = '%s') FROM flows_hourly"
		 " WHERE bucket = %lld AND iface = '%s'", col,
		 !strcmp(col, "packets") ? "packets - counted_packets" :
		 !strcmp(col, "bytes") ? "bytes - counted_bytes" : "0",
		 (long long)hour, (long long)hour + 3600, iface, (long long)hour, iface);
	return store_query_int(st, sql);
}

/* Writes across two hours and three buckets of 20 minutes, by key and by row id: each
 * hour and key sums its flows' packets and bytes, and counts each row once. */
static void test_flush(void **state)
{
	struct store *st = open_new("flush.db");
	struct flow_entry e[6], *v[6];

	(void)state;
	fill(&e[0], H0, 0, 1, 53, 3, 300);
	fill(&e[1], H0 + 1200, 0, 1, 53, 4, 400);	/* same hour, another bucket */
	fill(&e[2], H0 + 2400, 1, 2, 53, 5, 500);	/* same hour, lo */
	fill(&e[3], H0 + 3600, 0, 1, 53, 6, 600);	/* next hour */
	fill(&e[4], H0 - 1200, 0, 9, 80, 7, 700);	/* the hour before */
	fill(&e[5], H0 + 7200, 1, 1, 6379, 2, 200);	/* a loopback flow on lo, to 127.0.0.1 */
	e[5].key.cls = CLS_LOOPBACK_FLOW;
	e[5].key.subclass = ASUB_NONE;
	memcpy(e[5].key.dst, e[5].key.src, 16);
	for (int i = 0; i < 6; i++)
		v[i] = &e[i];
	assert_int_equal(store_flows_write(st, v, 6, ifnames), 0);
	assert_int_equal(hour_sum(st, "packets", H0, "eth0"), 7);
	assert_int_equal(hour_sum(st, "flows", H0, "eth0"), 2);
	assert_int_equal(hour_sum(st, "bytes", H0, "lo"), 500);
	assert_int_equal(hour_sum(st, "flows", H0 + 3600, "eth0"), 1);
	assert_int_equal(hour_sum(st, "packets", H0 - 3600, "eth0"), 7);
	assert_int_equal(rollup_diff(st), 0);

	/* again: e[0..2] merge by row id; e[3] has no row id, so its row is looked up and
	 * it merges there (no second row of the key); e[4] has a new port: a new row */
	for (int i = 0; i < 6; i++)
		e[i].delta.packets = e[i].delta.bytes = 10;
	e[1].delta.last_usec = (uint64_t)(H0 + 1500) * 1000000;	/* a later last packet */
	e[3].db_id = 0;
	e[4].key.dport = 81;
	e[4].db_id = 0;
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_flows_write(st, v, 6, ifnames), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(hour_sum(st, "packets", H0, "eth0"), 27);
	assert_int_equal(hour_sum(st, "flows", H0, "eth0"), 2);
	assert_int_equal(hour_sum(st, "flows", H0 - 3600, "eth0"), 2);
	assert_int_equal(hour_sum(st, "packets", H0 - 3600, "eth0"), 17);
	assert_int_equal(hour_sum(st, "flows", H0 + 3600, "eth0"), 1);
	assert_int_equal(hour_sum(st, "packets", H0 + 3600, "eth0"), 16);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows"), 7);
	assert_int_equal(store_query_int(st, "SELECT sum(flows) FROM flows_hourly"), 7);
	/* loopback_hourly (migration 12), by hand: e[5], one row, 2 + 10 packets, and no
	 * spoofed flow */
	{
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT packets * 1000 + flows FROM loopback_hourly"
			 " WHERE bucket = %lld AND src = '127.0.0.1' AND dst = '127.0.0.1'"
			 " AND iface = 'lo' AND sport = 1000 AND dport = 6379 AND src_bin ="
			 " x'00000000000000000000ffff7f000001'", (long long)H0 + 7200);
		assert_int_equal(store_query_int(st, sql), 12001);
		assert_int_equal(store_query_int(st, "SELECT count(*) FROM loopback_hourly"), 1);
	}
	/* spoof_hourly (migration 11), by hand: 127.0.0.1 on eth0 to udp/53 in H0 is e[0]
	 * and e[1], two rows, 3 + 4 + 10 + 10 packets, from H0 to H0 + 1500 s; five keys
	 * in all (e[4] on two ports) */
	{
		char sql[256];

		snprintf(sql, sizeof(sql), "SELECT packets * 1000 + flows FROM spoof_hourly"
			 " WHERE bucket = %lld AND src = '127.0.0.1' AND iface = 'eth0'"
			 " AND dport = 53", (long long)H0);
		assert_int_equal(store_query_int(st, sql), 27002);
		snprintf(sql, sizeof(sql), "SELECT (last_usec - first_usec) / 1000000 FROM"
			 " spoof_hourly WHERE bucket = %lld AND src = '127.0.0.1' AND iface = 'eth0'",
			 (long long)H0);
		assert_int_equal(store_query_int(st, sql), 1500);
	}
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM spoof_hourly"), 5);
	assert_int_equal(rollup_diff(st), 0);
	store_close(st);
	rm_db(tpath("flush.db"));
}

/* A write that fails part way adds nothing to the rollup, inside a transaction or not,
 * and the retry counts once; so does a batch whose second transaction fails. */
static void test_atomic(void **state)
{
	struct store *st = open_new("atomic.db");
	static const char *const names[] = { "eth0", "lo", "wlan0", NULL };
	struct flow_entry e[4], *v[4];
	struct store_batch b;

	(void)state;
	for (int i = 0; i < 4; i++) {
		fill(&e[i], H0 + 600 * i, 0, (uint8_t)i, 53, 2, 20);
		v[i] = &e[i];
	}
	e[2].key.iface = 3;	/* no name: the third row fails */
	for (int i = 0; i < 2; i++) {
		if (i == 0)
			assert_int_equal(store_begin(st), 0);
		assert_int_equal(store_flows_write(st, v, 4, names), -1);
		if (i == 0)
			assert_int_equal(store_commit(st), 0);
		assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows_hourly"), 0);
	}
	e[2].key.iface = 1;
	assert_int_equal(store_flows_write(st, v, 4, names), 0);
	assert_int_equal(hour_sum(st, "packets", H0, "eth0"), 6);
	assert_int_equal(hour_sum(st, "flows", H0, "lo"), 1);
	assert_int_equal(rollup_diff(st), 0);

	/* a batch of 5 rows in transactions of 2: the third transaction fails, then the
	 * batch resumes: the rollup counts every row once */
	memset(&b, 0, sizeof(b));
	b.flows = calloc(5, sizeof(*b.flows));
	b.ifnames = calloc(3, sizeof(*b.ifnames));
	assert_non_null(b.flows);
	assert_non_null(b.ifnames);
	b.n_flows = 5;
	b.n_ifnames = 3;
	for (int i = 0; i < 3; i++)
		snprintf(b.ifnames[i], sizeof(b.ifnames[i]), "%s", names[i]);
	for (int i = 0; i < 5; i++) {
		struct flow_entry t;

		fill(&t, H0 + 3600, 2, (uint8_t)(10 + i), 53, 1, 100);
		b.flows[i].key = t.key;
		b.flows[i].delta = t.delta;
	}
	b.flows[4].key.iface = 7;	/* beyond n_ifnames: no name */
	assert_int_equal(store_batch_write(st, &b, 2, 0, 0), -1);
	assert_int_equal(b.flows_done, 4);
	assert_int_equal(hour_sum(st, "flows", H0 + 3600, "wlan0"), 4);
	b.flows[4].key.iface = 2;
	assert_int_equal(store_batch_write(st, &b, 2, 0, 0), 0);
	assert_int_equal(hour_sum(st, "flows", H0 + 3600, "wlan0"), 5);
	assert_int_equal(hour_sum(st, "bytes", H0 + 3600, "wlan0"), 500);
	assert_int_equal(rollup_diff(st), 0);
	free(b.flows);
	free(b.ifnames);
	store_close(st);
	rm_db(tpath("atomic.db"));
}

/* NFLOG logged more than pcap counted (migration 6): flows.packets is the larger count,
 * and the rollup follows it, also while later pcap counts catch up. */
static void test_nflog_excess(void **state)
{
	struct store *st = open_new("nflog.db");
	struct flow_entry e, *v[1] = { &e };

	(void)state;
	fill(&e, H0, 0, 1, 53, 5, 500);
	assert_int_equal(store_flows_write(st, v, 1, ifnames), 0);
	assert_int_equal(store_nflog_add(st, e.db_id, "spoof:", 1, 1, 8, 800, -1, -1, -1), 0);
	assert_int_equal(store_query_int(st, "SELECT packets FROM flows"), 8);
	assert_int_equal(hour_sum(st, "packets", H0, "eth0"), 8);
	assert_int_equal(hour_sum(st, "bytes", H0, "eth0"), 800);
	e.delta.packets = 2;		/* counted 7 < 8 logged: still 8 */
	e.delta.bytes = 200;
	assert_int_equal(store_flows_write(st, v, 1, ifnames), 0);
	assert_int_equal(hour_sum(st, "packets", H0, "eth0"), 8);
	e.delta.packets = 3;		/* counted 10 */
	e.delta.bytes = 300;
	assert_int_equal(store_flows_write(st, v, 1, ifnames), 0);
	assert_int_equal(hour_sum(st, "packets", H0, "eth0"), 10);
	assert_int_equal(hour_sum(st, "bytes", H0, "eth0"), 1000);
	assert_int_equal(hour_sum(st, "flows", H0, "eth0"), 1);
	assert_int_equal(rollup_diff(st), 0);
	store_close(st);
	rm_db(tpath("nflog.db"));
}

/* prune at a cutoff inside an hour: earlier hours go, the split hour keeps the sums of
 * the flows it keeps; store_rollup_rebuild() gives the same as the writer. */
static void test_prune_rebuild(void **state)
{
	struct store *st = open_new("prune.db");
	struct flow_entry e[6], *v[6];
	struct store_prune_result r;

	(void)state;
	for (int i = 0; i < 6; i++) {
		fill(&e[i], H0 + 1200 * i, 0, (uint8_t)i, 53, (uint64_t)i + 1, 10);
		v[i] = &e[i];
	}
	assert_int_equal(store_flows_write(st, v, 6, ifnames), 0);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows_hourly"), 2);
	/* cutoff H0 + 3600 + 1200: keeps the flows of buckets H0+4800 and H0+6000 */
	assert_int_equal(store_prune(st, (int64_t)(H0 + 4800) * 1000000, 2, 0, &r), 0);
	assert_int_equal(r.flows, 4);
	assert_int_equal(store_query_int(st, "SELECT count(*) FROM flows_hourly"), 1);
	assert_int_equal(hour_sum(st, "packets", H0 + 3600, "eth0"), 5 + 6);
	assert_int_equal(hour_sum(st, "flows", H0 + 3600, "eth0"), 2);
	assert_int_equal(rollup_diff(st), 0);

	assert_true(store_query_int(st, "SELECT count(*) FROM spoof_src_daily") > 0);
	assert_int_equal(store_query_int(st, "UPDATE flows_hourly SET packets = 0 RETURNING 0"), 0);
	assert_int_equal(store_query_int(st, "UPDATE spoof_src_daily SET hours = 0 RETURNING 0"), 0);
	assert_true(rollup_diff(st) > 0);
	assert_int_equal(store_rollup_rebuild(st, INT64_MIN, INT64_MAX), 0);
	assert_int_equal(rollup_diff(st), 0);
	assert_int_equal(hour_sum(st, "packets", H0 + 3600, "eth0"), 11);
	store_close(st);
	rm_db(tpath("prune.db"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flush),
		cmocka_unit_test(test_atomic),
		cmocka_unit_test(test_nflog_excess),
		cmocka_unit_test(test_prune_rebuild),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
