/* This file is the report benchmark's and the prune test's generator: it writes a
 * spoofaudit database directly (the schema from store_open, then prepared INSERTs in big
 * transactions) with DAYS days of FLOWS flows each, ending with END (UTC), one live run
 * per day with capture statistics every 5 minutes, kernel context, interfaces and
 * evidence for a tenth of the spoofed flows. The mix per day: 85 % normal flows on two
 * external interfaces, 3 % loopback flows, 12 % spoofed over the five spoofed classes
 * with sources drawn from a skewed pool, so that top lists, new sources and TTL hints have
 * something to find.
 * Usage: report_bench_gen DB DAYS FLOWS_PER_DAY END_YYYY-MM-DD [SEED] */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "common/util.h"

#define BUCKET 3600

static uint64_t rng_state;

static uint64_t rnd(void)	/* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static unsigned rn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void v4(uint32_t a, char *txt, uint8_t bin[16])
{
	snprintf(txt, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
	memset(bin, 0, 10);
	bin[10] = bin[11] = 0xff;
	bin[12] = (uint8_t)(a >> 24);
	bin[13] = (uint8_t)(a >> 16);
	bin[14] = (uint8_t)(a >> 8);
	bin[15] = (uint8_t)a;
}

static int exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "report_bench_gen: %s: %s\n", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static const struct {
	const char *cls, *sub;
	unsigned weight;
} spoof[] = {
	{ "spoof_loopback_src", "loopback", 30 }, { "loopback_dst", "loopback", 10 },
	{ "own_addr_src", "none", 5 }, { "bogon_src", "private", 25 },
	{ "bogon_src", "documentation", 10 }, { "bogon_src", "link_local", 10 },
	{ "unexpected_src", "none", 10 },
};

int main(int argc, char **argv)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *fl = NULL, *ev = NULL, *run = NULL, *src = NULL, *st = NULL;
	struct store *s;
	struct tm tm = { 0 };
	char err[512], stxt[16], dtxt[16], host[256] = "bench";
	uint8_t sbin[16], dbin[16], pkt[64];
	long days, per_day, seed = 1;
	int64_t end;
	uint64_t rows = 0, evidence = 0, t0;
	int ret = 1;

	if (argc < 5 || (days = atol(argv[2])) < 1 || (per_day = atol(argv[3])) < 1 ||
	    !strptime(argv[4], "%Y-%m-%d", &tm)) {
		fprintf(stderr, "usage: report_bench_gen DB DAYS FLOWS_PER_DAY END_YYYY-MM-DD [SEED]\n");
		return 2;
	}
	if (argc > 5)
		seed = atol(argv[5]);
	rng_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)seed;
	end = (int64_t)timegm(&tm) + 86400;	/* the end of the last day */
	if (gethostname(host, sizeof(host) - 1) < 0)	/* this host's, as its collector would */
		snprintf(host, sizeof(host), "bench");
	s = store_open(argv[1], STORE_OPEN_CREATE, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "report_bench_gen: %s\n", err);
		return 1;
	}
	store_close(s);
	if (sqlite3_open(argv[1], &db) != SQLITE_OK || exec(db, "PRAGMA synchronous = OFF") < 0 ||
	    exec(db, "PRAGMA cache_size = -1000000") < 0)
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO flows(bucket, iface, dir, family, src,"
			       " dst, src_bin, dst_bin, proto, sport, dport, class, subclass, packets,"
			       " bytes, first_usec, last_usec, ttl_min, ttl_max, tcp_flags, seen_by)"
			       " VALUES(?1, ?2, 'in', 4, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
			       " ?13, ?14, ?15, ?16, ?16, 2, 1)", -1, &fl, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO evidence(flow_id, ts_usec, linktype, wirelen,"
			       " caplen, data) VALUES(?1, ?2, 1, 60, 60, ?3)", -1, &ev, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO runs(host, version, cmdline, started_usec,"
			       " ended_usec, bucket_seconds) VALUES(?3, 'bench', 'report_bench_gen',"
			       " ?1, ?2, 3600)", -1, &run, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO sources(run_id, kind, name, iface, linktype)"
			       " VALUES(?1, 'pcap-live', ?2, ?2, 1)", -1, &src, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO capture_stats(source_id, start_usec, end_usec,"
			       " received, decoded_ip) VALUES(?1, ?2, ?3, ?4, ?4)", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "report_bench_gen: %s\n", sqlite3_errmsg(db));
		goto out;
	}
	t0 = util_mono_usec();
	for (long d = 0; d < days; d++) {
		int64_t day0 = end - (days - d) * 86400;
		static const char *const ifs[] = { "eth0", "eth1", "lo" };
		int64_t run_id, srcs[3];

		if (exec(db, "BEGIN") < 0)
			goto out;
		sqlite3_bind_int64(run, 1, day0 * 1000000);
		sqlite3_bind_int64(run, 2, (day0 + 86400) * 1000000 - 1);
		sqlite3_bind_text(run, 3, host, -1, SQLITE_STATIC);
		if (sqlite3_step(run) != SQLITE_DONE)
			goto sqlerr;
		sqlite3_reset(run);
		run_id = sqlite3_last_insert_rowid(db);
		for (int i = 0; i < 3; i++) {
			char sql[256];

			sqlite3_bind_int64(src, 1, run_id);
			sqlite3_bind_text(src, 2, ifs[i], -1, SQLITE_STATIC);
			if (sqlite3_step(src) != SQLITE_DONE)
				goto sqlerr;
			sqlite3_reset(src);
			srcs[i] = sqlite3_last_insert_rowid(db);
			snprintf(sql, sizeof(sql), "INSERT INTO ifaces VALUES(%lld, '%s', %d, '%s',"
				 " 'kernel', '')", (long long)run_id, ifs[i], i + 1,
				 i == 2 ? "loopback" : "external");
			if (exec(db, sql) < 0)
				goto out;
			for (int64_t t = day0; t < day0 + 86400; t += 300) {
				sqlite3_bind_int64(st, 1, srcs[i]);
				sqlite3_bind_int64(st, 2, t * 1000000);
				sqlite3_bind_int64(st, 3, (t + 300) * 1000000);
				sqlite3_bind_int64(st, 4, per_day / 288 * 20);
				if (sqlite3_step(st) != SQLITE_DONE)
					goto sqlerr;
				sqlite3_reset(st);
			}
		}
		{
			char sql[512];

			snprintf(sql, sizeof(sql), "INSERT INTO kernel_ctx VALUES(%lld, 'all', "
				 "'route_localnet', '0'), (%lld, 'all', 'rp_filter', '2'), (%lld, 'all',"
				 " 'accept_local', '0'), (%lld, 'all', 'log_martians', '0');"
				 " INSERT INTO host_addrs VALUES(%lld, 'eth0', '45.33.1.10', 24, 4)",
				 (long long)run_id, (long long)run_id, (long long)run_id,
				 (long long)run_id, (long long)run_id);
			if (exec(db, sql) < 0)
				goto out;
		}
		for (long i = 0; i < per_day; i++) {
			int64_t bucket = day0 + (int64_t)(i * 24 / per_day) * BUCKET;
			unsigned r = rn(100), proto = rn(10) < 7 ? 6 : 17, ttl, sport, dport;
			const char *cls = "normal", *sub = "none", *ifc = rn(2) ? "eth0" : "eth1";
			int spoofed = 0;
			uint32_t sa, da = 0x2d21010a;	/* 45.33.1.10 */

			sport = 1024 + rn(64000);
			dport = (unsigned[]){ 22, 25, 53, 80, 443, 8080 }[rn(6)];
			ttl = 40 + rn(24);
			if (r < 85) {
				sa = (uint32_t)(rn(200) + 11) << 24 | (uint32_t)rn(1u << 24);
			} else if (r < 88) {
				cls = "loopback_flow";
				ifc = "lo";
				sa = da = 0x7f000001;
				sport = 0;
				dport = 1 + rn(65535);
				ttl = 64;
			} else {
				unsigned w = rn(100), k = 0, acc = 0;

				while (acc + spoof[k].weight <= w)
					acc += spoof[k++].weight;
				cls = spoof[k].cls;
				sub = spoof[k].sub;
				spoofed = 1;
				/* a skewed pool: low indexes far more often */
				unsigned idx = rn(1 + rn(1 + rn(20000)));

				if (!strcmp(cls, "spoof_loopback_src"))
					sa = 0x7f000000 | idx;
				else if (!strcmp(cls, "own_addr_src"))
					sa = da;
				else if (!strcmp(sub, "private"))
					sa = 0x0a000000 | idx * 7;
				else if (!strcmp(sub, "documentation"))
					sa = 0xc0000200 | (idx & 255);
				else if (!strcmp(sub, "link_local"))
					sa = 0xa9fe0000 | idx;
				else
					sa = (uint32_t)(idx + 1000) << 8 | 1;
				if (!strcmp(cls, "loopback_dst"))
					da = 0x7f000001;
				ttl = rn(10) < 8 ? 64 : 40 + rn(24);	/* one dominant TTL: a flood */
			}
			v4(sa, stxt, sbin);
			v4(da, dtxt, dbin);
			{
				unsigned packets = 1 + rn(rn(100) + 1);
				int64_t first = (bucket + rn(BUCKET)) * 1000000;

				sqlite3_bind_int64(fl, 1, bucket);
				sqlite3_bind_text(fl, 2, ifc, -1, SQLITE_STATIC);
				sqlite3_bind_text(fl, 3, stxt, -1, SQLITE_STATIC);
				sqlite3_bind_text(fl, 4, dtxt, -1, SQLITE_STATIC);
				sqlite3_bind_blob(fl, 5, sbin, 16, SQLITE_STATIC);
				sqlite3_bind_blob(fl, 6, dbin, 16, SQLITE_STATIC);
				sqlite3_bind_int(fl, 7, (int)proto);
				sqlite3_bind_int(fl, 8, (int)sport);
				sqlite3_bind_int(fl, 9, (int)dport);
				sqlite3_bind_text(fl, 10, cls, -1, SQLITE_STATIC);
				sqlite3_bind_text(fl, 11, sub, -1, SQLITE_STATIC);
				sqlite3_bind_int64(fl, 12, packets);
				sqlite3_bind_int64(fl, 13, (int64_t)packets * (60 + rn(1400)));
				sqlite3_bind_int64(fl, 14, first);
				sqlite3_bind_int64(fl, 15, first + rn(1000000));
				sqlite3_bind_int(fl, 16, (int)ttl);
				if (sqlite3_step(fl) != SQLITE_DONE)
					goto sqlerr;
				sqlite3_reset(fl);
				rows += (uint64_t)sqlite3_changes(db);
				if (spoofed && rn(10) == 0 && sqlite3_changes(db)) {
					for (unsigned b = 0; b < sizeof(pkt); b++)
						pkt[b] = (uint8_t)rnd();
					sqlite3_bind_int64(ev, 1, sqlite3_last_insert_rowid(db));
					sqlite3_bind_int64(ev, 2, first);
					sqlite3_bind_blob(ev, 3, pkt, 60, SQLITE_STATIC);
					if (sqlite3_step(ev) != SQLITE_DONE)
						goto sqlerr;
					sqlite3_reset(ev);
					evidence++;
				}
			}
		}
		if (exec(db, "COMMIT") < 0)
			goto out;
	}
	if (exec(db, "PRAGMA wal_checkpoint(TRUNCATE)") < 0)
		goto out;
	/* the hourly rollup the collector's writer keeps at every flush (migration 10) */
	s = store_open(argv[1], STORE_OPEN_CREATE, err, sizeof(err));
	if (!s || store_rollup_rebuild(s, INT64_MIN, INT64_MAX) < 0) {
		fprintf(stderr, "report_bench_gen: hourly rollup: %s\n", s ? store_errmsg(s) : err);
		store_close(s);
		goto out;
	}
	store_close(s);
	fprintf(stderr, "report_bench_gen: %llu flows, %llu evidence rows in %.1f s\n",
		(unsigned long long)rows, (unsigned long long)evidence,
		(double)(util_mono_usec() - t0) / 1e6);
	ret = 0;
	goto out;
sqlerr:
	fprintf(stderr, "report_bench_gen: %s\n", sqlite3_errmsg(db));
out:
	sqlite3_finalize(fl);
	sqlite3_finalize(ev);
	sqlite3_finalize(run);
	sqlite3_finalize(src);
	sqlite3_finalize(st);
	if (db)
		exec(db, "PRAGMA wal_checkpoint(TRUNCATE)");
	sqlite3_close(db);
	return ret;
}
