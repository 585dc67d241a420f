/* This file tests the suspect_src class: the hop count a TTL gives (classify_hops, against
 * a hand-checked table), the hop-count learner and judge (flows/hopcount.c) and the flood
 * episodes (flows/flood.c). */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "classify/classify.h"
#include "flows/conntab.h"
#include "flows/flood.h"
#include "flows/hopcount.h"

/* Hand-checked: initial = the smallest of 32, 64, 128, 255 at or above the TTL. */
static const struct { uint8_t ttl; unsigned hops; } hop_table[] = {
	{ 255, 0 }, { 254, 1 }, { 244, 11 }, { 242, 13 }, { 129, 126 },
	{ 128, 0 }, { 127, 1 }, { 112, 16 }, { 65, 63 },
	{ 64, 0 }, { 63, 1 }, { 55, 9 }, { 33, 31 },
	{ 32, 0 }, { 31, 1 }, { 1, 31 }, { 0, 32 },
};

static void test_hops_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(hop_table) / sizeof(hop_table[0]); i++)
		if (classify_hops(hop_table[i].ttl) != hop_table[i].hops)
			fail_msg("TTL %u: %u hops, want %u", hop_table[i].ttl,
				 classify_hops(hop_table[i].ttl), hop_table[i].hops);
}

#define HOST "45.33.1.10"
#define T0 1700000000000000ull

/* A received TCP packet src:sport -> HOST:443 (flags), or IPv6 when src has a colon. */
static void pkt(struct pkt_record *r, const char *src, const char *dst, uint16_t sport,
		uint8_t ttl, uint8_t flags, uint64_t ts)
{
	memset(r, 0, sizeof(*r));
	r->status = DEC_OK;
	r->dir = DIR_IN;
	r->family = strchr(src, ':') ? 6 : 4;
	assert_int_equal(inet_pton(r->family == 4 ? AF_INET : AF_INET6, src, r->src), 1);
	assert_int_equal(inet_pton(r->family == 4 ? AF_INET : AF_INET6, dst, r->dst), 1);
	r->proto = 6;
	r->ttl = ttl;
	r->sport = sport;
	r->dport = 443;
	r->tcp_flags = flags;
	r->have = PKT_HAVE_PORTS | PKT_HAVE_TCPFLAGS;
	r->ts_usec = ts;
}

/* The host sent on r's tuple (its SYN-ACK): r's source is then proven. */
static void host_sent(struct conntab *ct, const struct pkt_record *r)
{
	struct conn_tuple k;

	memset(&k, 0, sizeof(k));
	k.family = r->family;
	k.proto = r->proto;
	memcpy(k.host, r->dst, 16);
	memcpy(k.remote, r->src, 16);
	k.hport = r->dport;
	k.rport = r->sport;
	conntab_mark(ct, &k, CONN_BIT(CONN_SENT), r->ts_usec, 7200);
}

/* The class hopcount_packet gives a packet from src at ttl (not proven). */
static int judged(struct hoptab *h, struct conntab *ct, const char *src, uint8_t ttl)
{
	struct pkt_record r;
	struct classification cl = { CLS_NORMAL, ASUB_NONE };

	pkt(&r, src, strchr(src, ':') ? "2a01:a0::10" : HOST, 40000, ttl, 0x02, T0 + 5000000);
	hopcount_packet(h, ct, 7200, &r, &cl, 1);
	if (cl.cls == CLS_SUSPECT_SRC)
		assert_int_equal(cl.subclass, ASUB_HOP_COUNT);
	return cl.cls == CLS_SUSPECT_SRC;
}

static void test_learner(void **state)
{
	struct hop_opts o;
	struct hoptab *h;
	struct conntab *ct = conntab_new(1024, 7);
	struct pkt_record r;
	struct classification cl = { CLS_NORMAL, ASUB_NONE };
	struct hop_row row, rows[4];

	(void)state;
	hop_opts_default(&o);
	assert_int_equal(o.tolerance, 1);
	h = hoptab_new(&o, 1);
	assert_non_null(h);
	assert_non_null(ct);
	/* an unproven packet teaches nothing, and nothing is judged yet */
	assert_false(judged(h, ct, "198.51.7.20", 40));
	assert_int_equal(hoptab_count(h), 0);
	/* the client's ACK after the host's SYN-ACK: 198.51.7.0/24 is 14 hops away (TTL 50) */
	pkt(&r, "198.51.7.9", HOST, 50000, 50, 0x10, T0);
	host_sent(ct, &r);
	hopcount_packet(h, ct, 7200, &r, &cl, 1);
	assert_int_equal(cl.cls, CLS_NORMAL);	/* a proven packet is never flagged */
	assert_int_equal(hoptab_lookup(h, 4, r.src, &row), 1);
	assert_int_equal(row.lo, 14);
	assert_int_equal(row.hi, 14);
	assert_int_equal(row.n, 1);
	assert_memory_equal(row.prefix, ((uint8_t[4]){ 198, 51, 7, 0 }), 4);
	/* other hosts of the /24: 13..15 hops pass, 12 and 16 depart by 2 */
	assert_false(judged(h, ct, "198.51.7.200", 50));
	assert_false(judged(h, ct, "198.51.7.200", 51));
	assert_false(judged(h, ct, "198.51.7.200", 49));
	assert_true(judged(h, ct, "198.51.7.200", 52));
	assert_true(judged(h, ct, "198.51.7.200", 48));
	assert_true(judged(h, ct, "198.51.7.200", 55));	/* the forger at 9 hops */
	assert_false(judged(h, ct, "198.51.7.200", 242));	/* initial 255: 13 hops */
	/* another /24 is not judged */
	assert_false(judged(h, ct, "198.51.8.1", 55));
	/* a second proof at 17 hops (TTL 111, initial 128) widens the range to 14..17 */
	pkt(&r, "198.51.7.77", HOST, 50001, 111, 0x10, T0 + 1000000);
	host_sent(ct, &r);
	cl.cls = CLS_NORMAL;
	hopcount_packet(h, ct, 7200, &r, &cl, 1);
	assert_int_equal(cl.cls, CLS_NORMAL);
	assert_false(judged(h, ct, "198.51.7.200", 64 - 18));	/* 18: within one of 17 */
	assert_true(judged(h, ct, "198.51.7.200", 64 - 19));
	/* IPv6: a /48 */
	pkt(&r, "2001:db8:1:2::1", "2a01:a0::10", 50002, 64 - 20, 0x10, T0);
	host_sent(ct, &r);
	cl.cls = CLS_NORMAL;
	hopcount_packet(h, ct, 7200, &r, &cl, 1);
	assert_true(judged(h, ct, "2001:db8:1:ffff::9", 64 - 9));
	assert_false(judged(h, ct, "2001:db8:1:ffff::9", 64 - 21));
	assert_false(judged(h, ct, "2001:db8:2::1", 64 - 9));
	/* the changed rows are handed over once */
	assert_int_equal(hoptab_take_changed(h, rows, 4), 2);
	assert_int_equal(hoptab_take_changed(h, rows, 4), 0);
	hoptab_free(h);
	conntab_free(ct);
}

/* A stored row put back is judged by, and not handed back as changed. */
static void test_load(void **state)
{
	struct hop_opts o;
	struct hoptab *h;
	struct hop_row row, out;

	(void)state;
	hop_opts_default(&o);
	h = hoptab_new(&o, 2);
	memset(&row, 0, sizeof(row));
	row.family = 4;
	memcpy(row.prefix, ((uint8_t[4]){ 203, 0, 113, 0 }), 4);
	row.lo = 10;
	row.hi = 12;
	row.n = 5;
	assert_int_equal(hoptab_load(h, &row), 0);
	assert_int_equal(hoptab_take_changed(h, &out, 1), 0);
	assert_true(judged(h, NULL, "203.0.113.5", 64 - 14));
	assert_false(judged(h, NULL, "203.0.113.5", 64 - 13));
	row.lo = 13;	/* lo > hi: refused */
	assert_int_equal(hoptab_load(h, &row), -1);
	hoptab_free(h);
}

/* n SYNs from distinct sources to HOST:443 over 2 s, TTL from ttl(i); returns how many
 * the flood class flagged. */
static unsigned syns(struct flood *f, unsigned n, uint8_t (*ttl)(unsigned), uint64_t t0)
{
	unsigned i, flagged = 0;
	char src[32];

	for (i = 0; i < n; i++) {
		struct pkt_record r;
		struct classification cl = { CLS_NORMAL, ASUB_NONE };

		snprintf(src, sizeof(src), "%u.%u.%u.%u", 11 + i % 200, (i * 7) & 255, i >> 8 & 255, i & 255);
		pkt(&r, src, HOST, (uint16_t)(1024 + i), ttl(i), 0x02, t0 + i * 2000000ull / n);
		flood_packet(f, &r, &cl, 1);
		flagged += cl.cls == CLS_SUSPECT_SRC && cl.subclass == ASUB_FLOOD;
	}
	return flagged;
}

static uint8_t narrow(unsigned i) { return (uint8_t)(51 + i % 3); }
static uint8_t wide(unsigned i) { return (uint8_t)(30 + (i * 37) % 220); }

static void test_flood(void **state)
{
	struct flood_opts o;
	struct flood *f;
	struct flood_episode ep[2];
	unsigned flagged, sum = 0;

	(void)state;
	flood_opts_default(&o);
	f = flood_new(&o, 3);
	assert_non_null(f);
	/* random TTLs: no episode */
	assert_int_equal(syns(f, 1000, wide, T0), 0);
	assert_int_equal(flood_take_ended(f, UINT64_MAX, ep, 2), 0);
	/* 1000 sources in 3 TTLs: flagged from the first check at 100 openings on */
	flagged = syns(f, 1000, narrow, T0 + 60000000);
	assert_in_range(flagged, 1000 - 104, 1000 - 100);
	assert_int_equal(flood_take_ended(f, UINT64_MAX, ep, 2), 1);
	assert_int_equal(ep[0].packets, 1000);
	assert_int_equal(ep[0].flagged, flagged);
	assert_int_equal(ep[0].dport, 443);
	assert_true(ep[0].band_lo <= 51 && ep[0].band_hi >= 53);
	assert_in_range(ep[0].sources, 950, 1050);	/* linear counting of 1000 */
	for (int t = 0; t < 256; t++)
		sum += ep[0].hist[t];
	assert_int_equal(sum, 1000);
	assert_int_equal(ep[0].hist[51] + ep[0].hist[52] + ep[0].hist[53], 1000);
	flood_free(f);
	/* fewer sources than the threshold: nothing */
	o.min_sources = 2000;
	f = flood_new(&o, 3);
	assert_int_equal(syns(f, 1000, narrow, T0), 0);
	flood_free(f);
}

static void test_estimate(void **state)
{
	(void)state;
	assert_int_equal(flood_estimate(65536, 0), 0);
	assert_int_equal(flood_estimate(65536, 1), 1);
	/* -m ln(1 - set/m): half the bits set is m ln 2 = 45426 */
	assert_int_equal(flood_estimate(65536, 32768), 45426);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hops_table),
		cmocka_unit_test(test_learner),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_flood),
		cmocka_unit_test(test_estimate),
	};

	return cmocka_run_group_tests_name("suspect", tests, NULL, NULL);
}
