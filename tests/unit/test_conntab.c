/* This file contains the unit tests of the connection memory (flows/conntab.c) and of the
 * backscatter class built on it (flows/backscatter.c). Every expected class is written by
 * hand from the rules README.md states ("Backscatter"): one row per case. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "flows/backscatter.h"

/* Rows name the fields after the ports; the rest stay zero on purpose. */
#if defined(__clang__) || defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

#define S(x) ((uint64_t)(x) * 1000000u)

static void tup(struct conn_tuple *k, unsigned n)
{
	memset(k, 0, sizeof(*k));
	k->family = 4;
	k->proto = 6;
	k->hport = (uint16_t)(40000 + n);
	k->rport = 443;
	k->host[0] = 192;
	k->remote[0] = 10;
	k->remote[3] = (uint8_t)n;
}

static void test_mark_seen(void **state)
{
	struct conntab *t = conntab_new(64, 1);
	struct conn_tuple a, b;

	(void)state;
	assert_non_null(t);
	assert_int_equal(conntab_capacity(t), 64);
	tup(&a, 1);
	tup(&b, 2);
	assert_false(conntab_seen(t, &a, CONN_SYN, S(100), 120));
	conntab_mark(t, &a, CONN_BIT(CONN_SYN), S(100), 7200);
	assert_true(conntab_seen(t, &a, CONN_SYN, S(100), 120));
	assert_true(conntab_seen(t, &a, CONN_SYN, S(220), 120));	/* 120 s later: still */
	assert_false(conntab_seen(t, &a, CONN_SYN, S(221), 120));	/* 121 s: expired */
	assert_true(conntab_seen(t, &a, CONN_SYN, S(50), 120));	/* time stepped back */
	assert_false(conntab_seen(t, &a, CONN_SENT, S(100), 120));	/* other marks apart */
	assert_false(conntab_seen(t, &b, CONN_SYN, S(100), 120));	/* other tuples apart */
	assert_false(conntab_seen(t, &a, CONN_NMARKS, S(100), 120));
	conntab_mark(t, &b, CONN_BIT(CONN_SENT) | CONN_BIT(CONN_TRAFFIC), S(300), 7200);
	assert_true(conntab_seen(t, &b, CONN_SENT, S(300), 1));
	assert_true(conntab_seen(t, &b, CONN_TRAFFIC, S(300), 1));
	assert_false(conntab_seen(t, &b, CONN_SYN, S(300), 1000));
	conntab_free(t);
	conntab_free(NULL);
}

/* One set of four: the fifth tuple replaces the oldest the host never sent on, and only
 * the host's own tuples when there is no other; a live one replaced is an eviction. */
static void test_eviction(void **state)
{
	struct conntab *t = conntab_new(1, 7);
	struct conn_tuple k[6];
	unsigned i;

	(void)state;
	assert_int_equal(conntab_capacity(t), CONNTAB_WAYS);
	for (i = 0; i < 6; i++)
		tup(&k[i], i);
	conntab_mark(t, &k[0], CONN_BIT(CONN_SENT), S(10), 100);		/* host's, oldest */
	conntab_mark(t, &k[1], CONN_BIT(CONN_TRAFFIC), S(20), 100);	/* received only */
	conntab_mark(t, &k[2], CONN_BIT(CONN_TRAFFIC), S(30), 100);	/* received only */
	conntab_mark(t, &k[3], CONN_BIT(CONN_SENT), S(40), 100);		/* host's */
	conntab_mark(t, &k[4], CONN_BIT(CONN_TRAFFIC), S(50), 100);	/* replaces k[1] */
	assert_true(conntab_seen(t, &k[0], CONN_SENT, S(50), 100));
	assert_false(conntab_seen(t, &k[1], CONN_TRAFFIC, S(50), 100));
	assert_true(conntab_seen(t, &k[2], CONN_TRAFFIC, S(50), 100));
	assert_int_equal(conntab_evictions(t), 1);
	conntab_mark(t, &k[5], CONN_BIT(CONN_SENT), S(500), 100);	/* replaces k[2], not live */
	assert_false(conntab_seen(t, &k[2], CONN_TRAFFIC, S(500), 1000));
	assert_true(conntab_seen(t, &k[0], CONN_SENT, S(500), 1000));
	assert_int_equal(conntab_evictions(t), 1);
	conntab_mark(t, &k[1], CONN_BIT(CONN_SENT), S(501), 100);	/* replaces k[4] */
	conntab_mark(t, &k[2], CONN_BIT(CONN_SENT), S(502), 100);	/* all host's: the oldest, k[0] */
	assert_false(conntab_seen(t, &k[0], CONN_SENT, S(502), 1000));
	assert_true(conntab_seen(t, &k[3], CONN_SENT, S(502), 1000));
	conntab_free(t);
}

/* ---- backscatter ---- */

enum { OUT = DIR_OUT, IN = DIR_IN, UNK = DIR_UNKNOWN };
#define SYN 0x02
#define RST 0x04
#define ACK 0x10
#define PSH 0x08

/* One packet of a scripted capture, and the class it must get. */
struct step {
	unsigned t;			/* seconds */
	int dir;
	const char *src, *dst;
	int proto, sport, dport, flags;
	int icmp;			/* an ICMP error quoting ... */
	const char *qsrc, *qdst;	/* ... this packet */
	int qproto, qsport, qdport;
	int pre_cls;			/* the class before (a spoof class stays) */
	int cls, sub;
};

#define H "192.0.2.5"	/* the host */

#define BS(s) .cls = CLS_BACKSCATTER, .sub = ASUB_BS_##s

static const struct step script[] = {
	/* before the host sent anything nothing is judged */
	{ 1, IN, "10.0.0.1", H, 6, 443, 40000, SYN | ACK, .cls = CLS_NORMAL },
	{ 5, OUT, H, "10.0.0.9", 6, 40009, 80, SYN, .cls = CLS_NORMAL },	/* warm-up from 5 */
	{ 100, IN, "10.0.0.2", H, 6, 443, 40000, SYN | ACK, .cls = CLS_NORMAL },	/* warm-up */
	{ 100, IN, "10.0.0.3", H, 6, 443, 40000, RST, .cls = CLS_NORMAL },		/* warm-up */
	/* an old connection: data in, then its RST is no backscatter */
	{ 130, IN, "10.0.0.4", H, 6, 22, 50000, PSH | ACK, .cls = CLS_NORMAL },
	{ 200, IN, "10.0.0.4", H, 6, 22, 50000, RST, .cls = CLS_NORMAL },
	/* the warm-up's RST tuple was remembered as a conversation */
	{ 200, IN, "10.0.0.3", H, 6, 443, 40000, RST, .cls = CLS_NORMAL },
	/* the host's own connection: its SYN-ACK and RST are replies */
	{ 300, OUT, H, "10.0.1.1", 6, 40100, 443, SYN, .cls = CLS_NORMAL },
	{ 300, IN, "10.0.1.1", H, 6, 443, 40100, SYN | ACK, .cls = CLS_NORMAL },
	{ 301, IN, "10.0.1.1", H, 6, 443, 40100, RST | ACK, .cls = CLS_NORMAL },
	/* a SYN to a closed port: RST-ACK is a reply */
	{ 302, OUT, H, "10.0.1.2", 6, 40101, 81, SYN, .cls = CLS_NORMAL },
	{ 302, IN, "10.0.1.2", H, 6, 81, 40101, RST | ACK, .cls = CLS_NORMAL },
	/* backscatter: SYN-ACK with no SYN, then retransmitted after the host's RST */
	{ 400, IN, "10.0.2.1", H, 6, 80, 1234, SYN | ACK, BS(SYN_ACK) },
	{ 400, OUT, H, "10.0.2.1", 6, 1234, 80, RST, .cls = CLS_NORMAL },
	{ 403, IN, "10.0.2.1", H, 6, 80, 1234, SYN | ACK, BS(SYN_ACK) },
	{ 410, IN, "10.0.2.1", H, 6, 80, 1234, RST, BS(RST) },
	/* a RST-ACK for a SYN the host never sent */
	{ 411, IN, "10.0.2.2", H, 6, 25, 5555, RST | ACK, BS(RST) },
	/* the SYN-ACK on the wrong tuple (ports swapped) */
	{ 412, IN, "10.0.1.1", H, 6, 40100, 443, SYN | ACK, BS(SYN_ACK) },
	/* a SYN-ACK after the SYN_SENT timeout (120 s) */
	{ 500, OUT, H, "10.0.1.3", 6, 40102, 443, SYN, .cls = CLS_NORMAL },
	{ 621, IN, "10.0.1.3", H, 6, 443, 40102, SYN | ACK, BS(SYN_ACK) },
	/* ICMP errors: quoting the host's own UDP query, ... */
	{ 700, OUT, H, "10.0.3.1", 17, 40200, 53, 0, .cls = CLS_NORMAL },
	{ 700, IN, "10.0.3.1", H, 1, 0, 0, 0, 1, H, "10.0.3.1", 17, 40200, 53, .cls = CLS_NORMAL },
	/* ... a query it never sent, ... */
	{ 701, IN, "10.0.3.2", H, 1, 0, 0, 0, 1, H, "10.0.3.2", 17, 40201, 53, BS(ICMP_ERROR) },
	/* ... a packet with another source (forwarded, not the host's) */
	{ 702, IN, "10.0.3.3", H, 1, 0, 0, 0, 1, "192.0.2.99", "10.0.3.3", 17, 1, 53, .cls = CLS_NORMAL },
	/* ... the host's RST (it sent that too) */
	{ 703, IN, "10.0.2.1", H, 1, 0, 0, 0, 1, H, "10.0.2.1", 6, 1234, 80, .cls = CLS_NORMAL },
	/* direction unknown: nothing told */
	{ 800, UNK, "10.0.4.1", H, 6, 80, 999, SYN | ACK, .cls = CLS_NORMAL },
	/* not to the host's address (forwarded) */
	{ 801, IN, "10.0.4.1", "192.0.2.77", 6, 80, 999, SYN | ACK, .cls = CLS_NORMAL },
	/* a spoof class stays what it was */
	{ 802, IN, "10.0.4.2", H, 6, 80, 999, SYN | ACK, .pre_cls = CLS_BOGON_SRC, .cls = CLS_BOGON_SRC },
};

static void addr4(const char *s, uint8_t out[16])
{
	memset(out, 0, 16);
	assert_int_equal(inet_pton(AF_INET, s, out), 1);
}

static void fill(const struct step *s, struct pkt_record *r)
{
	memset(r, 0, sizeof(*r));
	r->status = DEC_OK;
	r->family = 4;
	r->dir = (uint8_t)s->dir;
	r->ts_usec = S(s->t) + 1234;
	r->proto = (uint8_t)s->proto;
	addr4(s->src, r->src);
	addr4(s->dst, r->dst);
	if (s->proto == 6 || s->proto == 17) {
		r->have |= PKT_HAVE_PORTS;
		r->sport = (uint16_t)s->sport;
		r->dport = (uint16_t)s->dport;
	}
	if (s->proto == 6) {
		r->have |= PKT_HAVE_TCPFLAGS;
		r->tcp_flags = (uint8_t)s->flags;
	}
	if (s->icmp) {
		r->have |= PKT_HAVE_ICMP | PKT_HAVE_QUOTE;
		r->icmp_type = 3;
		r->icmp_code = 3;
		r->quote.family = 4;
		r->quote.proto = (uint8_t)s->qproto;
		addr4(s->qsrc, r->quote.src);
		addr4(s->qdst, r->quote.dst);
		r->quote.has_ports = 1;
		r->quote.sport = (uint16_t)s->qsport;
		r->quote.dport = (uint16_t)s->qdport;
	}
}

static void test_script(void **state)
{
	struct classify_ctx cctx;
	struct bs_opts o;
	struct backscatter *b;
	size_t i;

	(void)state;
	memset(&cctx, 0, sizeof(cctx));
	cctx.n_hostaddrs = 1;
	cctx.hostaddrs[0].family = 4;
	cctx.hostaddrs[0].plen = 32;
	addr4(H, cctx.hostaddrs[0].addr);
	backscatter_opts_default(&o);
	assert_int_equal(o.warmup_s, 120);
	assert_int_equal(o.syn_s, 120);
	b = backscatter_new(&o, 42);
	assert_non_null(b);
	for (i = 0; i < sizeof(script) / sizeof(script[0]); i++) {
		struct classification cl = { (enum spoof_class)script[i].pre_cls, ASUB_NONE };
		struct pkt_record r;

		fill(&script[i], &r);
		backscatter_packet(b, &cctx, &r, &cl);
		if ((int)cl.cls != script[i].cls || (int)cl.subclass != script[i].sub)
			fail_msg("step %zu (t=%u): class %d/%d, expected %d/%d", i, script[i].t,
				 cl.cls, cl.subclass, script[i].cls, script[i].sub);
	}
	backscatter_free(b);
	backscatter_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mark_seen),
		cmocka_unit_test(test_eviction),
		cmocka_unit_test(test_script),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
