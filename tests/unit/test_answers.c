/* This file contains the unit tests of the answer memory (flows/answers.c): whether each
 * packet came before or after the other direction first answered, which is the conntrack
 * state the kernel gives it (NEW before the reply is seen, ESTABLISHED after:
 * nf_conntrack_core.c's IPS_SEEN_REPLY). Every expected state is written by hand from
 * those rules, one row per packet, in the order the collector reads them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "flows/answers.h"

/* Rows name what they need; the rest (late) stays zero on purpose. */
#if defined(__clang__) || defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif

#define S(x) ((uint64_t)(x) * 1000000u)
#define B ANS_BEFORE
#define A ANS_AFTER
#define U ANS_UNSURE

enum { TF = 0x01, TS = 0x02, TR = 0x04, TA = 0x10 };

/* One packet: from endpoint `from` (1: 10.0.0.1:40001, 2: 10.0.0.2:80) to the other. */
struct pk {
	uint64_t ts;
	int from;
	int proto;		/* 6, 17, 1 */
	unsigned flags;		/* TCP; ICMP: the type */
	int want;
	const char *what;
	int late;		/* it answers younger packets already said to come before */
	int untrusted;		/* an NFLOG copy's time */
};

static void rec_of(const struct pk *p, unsigned sport_off, struct pkt_record *r)
{
	memset(r, 0, sizeof(*r));
	r->ts_usec = p->ts;
	r->family = 4;
	r->proto = (uint8_t)p->proto;
	r->src[10] = r->src[11] = 0xff;
	r->dst[10] = r->dst[11] = 0xff;
	r->src[12] = 10, r->src[15] = (uint8_t)p->from;
	r->dst[12] = 10, r->dst[15] = (uint8_t)(3 - p->from);
	if (p->proto == 1) {
		r->have = PKT_HAVE_ICMP;
		r->icmp_type = (uint8_t)p->flags;
		return;
	}
	r->have = PKT_HAVE_PORTS;
	r->sport = (uint16_t)(p->from == 1 ? 40001 + sport_off : 80);
	r->dport = (uint16_t)(p->from == 1 ? 80 : 40001 + sport_off);
	if (p->proto == 6) {
		r->have |= PKT_HAVE_TCPFLAGS;
		r->tcp_flags = (uint8_t)p->flags;
	}
}

static void run(struct answers *a, const struct pk *v, size_t n, unsigned sport_off)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct pkt_record r;
		int got, late;

		rec_of(&v[i], sport_off, &r);
		got = (int)answers_packet(a, &r, !v[i].untrusted, &late);
		if (got != v[i].want || late != v[i].late)
			fail_msg("packet %zu (%s): got %d late %d, want %d late %d", i, v[i].what,
				 got, late, v[i].want, v[i].late);
	}
}

#define RUN(a, v, off) run(a, v, sizeof(v) / sizeof(v[0]), off)

/* A TCP connection, the namespace tracking nothing when the capture began. */
static void test_tcp(void **state)
{
	static const struct pk v[] = {
		{S(10), 1, 6, TS, B, "SYN: NEW"},
		{S(11), 1, 6, TS, B, "SYN again, before the answer: NEW"},
		{S(12), 2, 6, TS | TA, A, "SYN-ACK: the reply"},
		{S(12) + 5, 1, 6, TA, A, "ACK: ESTABLISHED"},
		{S(13), 1, 6, TA, A, "data"},
		{S(13) + 1, 2, 6, TA, A, "data back"},
		{S(14), 1, 6, TF | TA, A, "FIN: still ESTABLISHED"},
		{S(14) + 2, 2, 6, TF | TA, A, "FIN back"},
		{S(20), 1, 6, TS, B, "SYN on the closed connection: a new one, NEW"},
		{S(21), 2, 6, TS | TA, A, "its answer"},
		{S(22), 1, 6, TS, U, "SYN on an open, answered connection: unsure"},
	};
	struct answers *a = answers_new(64, 7, 1);

	(void)state;
	assert_non_null(a);
	RUN(a, v, 0);
	answers_free(a);
	answers_free(NULL);
}

/* A router's capture: each forwarded packet is read twice, coming in and leaving by
 * another interface, and one handle's ring may hand its copies over after the whole
 * connection was read from the others. The late copy of the SYN is older than the FIN
 * that closed the connection: it opens nothing, and the client's later copies still come
 * after the answer. (Taken for a new connection, every later copy was said to come
 * before any answer: t_check_forward.sh saw 27 of 27.) */
static void test_router_copy(void **state)
{
	static const struct pk v[] = {
		{S(10), 1, 6, TS, B, "SYN in on a0"},
		{S(10) + 100, 2, 6, TS | TA, A, "SYN-ACK in on a1"},
		{S(10) + 200, 1, 6, TA, A, "ACK in on a0"},
		{S(11), 1, 6, TA, A, "data in on a0"},
		{S(11) + 50, 2, 6, TA, A, "data back in on a1"},
		{S(12), 1, 6, TF | TA, A, "FIN in on a0"},
		{S(12) + 50, 2, 6, TF | TA, A, "FIN back in on a1"},
		/* a1-out's ring, read now */
		{S(10) + 10, 1, 6, TS, B, "the SYN's copy: older than the close, the same connection"},
		{S(10) + 210, 1, 6, TA, A, "the ACK's copy: after the answer"},
		{S(11) + 10, 1, 6, TA, A, "the data's copy"},
		{S(12) + 10, 1, 6, TF | TA, A, "the FIN's copy"},
		{S(20), 1, 6, TS, B, "a SYN after the close: a new connection"},
		{S(20) + 5, 1, 6, TA, B, "its ACK before any answer"},
	};
	struct answers *a = answers_new(64, 7, 1);

	(void)state;
	assert_non_null(a);
	RUN(a, v, 0);
	answers_free(a);
}

/* UDP: the datagrams before the first answer are NEW, the rest ESTABLISHED both ways. */
static void test_udp(void **state)
{
	static const struct pk v[] = {
		{S(10), 1, 17, 0, B, "query"},
		{S(11), 1, 17, 0, B, "query again"},
		{S(12), 1, 17, 0, B, "and again"},
		{S(13), 2, 17, 0, A, "the answer"},
		{S(14), 1, 17, 0, A, "after the answer"},
	};
	struct answers *a = answers_new(64, 7, 1);

	(void)state;
	RUN(a, v, 0);
	RUN(a, v, 1);	/* another source port: another connection, the same again */
	answers_free(a);
}

/* Read out of time order (two capture handles): the answer read first but sent later
 * does not answer the earlier packet; an answer read after younger packets of the other
 * direction were said to come before any answer says so (late), once. */
static void test_order(void **state)
{
	static const struct pk v[] = {
		{S(20), 2, 17, 0, B, "answer-direction packet at 20 read first: nothing before it"},
		{S(10), 1, 17, 0, B, "packet at 10, read second: the packet at 20 answered it, "
		 "and was said to come before any answer: late", 1},
		{S(30), 1, 17, 0, A, "packet at 30: after the answer at 20"},
	};
	static const struct pk w[] = {
		{S(10), 1, 17, 0, B, "query at 10"},
		{S(12), 1, 17, 0, B, "query at 12, read before the answer at 11"},
		{S(11), 2, 17, 0, A, "answer at 11, read late: the query at 12 was after it", 1},
		{S(11) + 5, 2, 17, 0, A, "the next answer: told once"},
		{S(13), 1, 17, 0, A, "query at 13"},
	};
	struct answers *a = answers_new(64, 7, 1);

	(void)state;
	RUN(a, v, 0);
	RUN(a, w, 1);
	answers_free(a);
}

/* Capture started with connections perhaps tracked (a file, or nf_conntrack_count > 0):
 * a TCP packet that opens nothing, and non-TCP in its first conntrack timeout (UDP
 * 180 s, ICMP 30 s), may continue what began before. */
static void test_cold(void **state)
{
	static const struct pk tcp[] = {
		{S(1000), 1, 6, TA, U, "mid-stream ACK: unsure"},
		{S(1001), 1, 6, TA, U, "the same before any answer: unsure"},
		{S(1002), 2, 6, TA, A, "the other side: after"},
		{S(1003), 1, 6, TA, A, "and then after"},
	};
	static const struct pk udp[] = {
		{S(1010), 1, 17, 0, U, "UDP 10 s into the capture: unsure"},
		{S(1011), 1, 17, 0, U, "its next, unanswered: unsure"},
		{S(1012), 2, 17, 0, A, "the answer"},
	};
	static const struct pk udp_late[] = {
		{S(1181), 1, 17, 0, B, "UDP 181 s into the capture: anything older has expired"},
	};
	static const struct pk tcp_syn[] = {
		{S(1005), 1, 6, TS, B, "a SYN opens a new connection, cold or not"},
	};
	static const struct pk icmp[] = {
		{S(1020), 1, 1, 8, U, "echo request 20 s in: unsure"},
		{S(1031), 1, 1, 8, U, "the same id tuple: still unsure until answered"},
		{S(1032), 2, 1, 0, A, "echo reply"},
		{S(1033), 1, 1, 8, A, "request after the reply"},
		{S(1034), 1, 1, 3, B, "an error is its own, never after"},
	};
	struct answers *a = answers_new(64, 7, 0);

	(void)state;
	RUN(a, tcp, 0);
	RUN(a, udp, 1);
	RUN(a, udp_late, 2);
	RUN(a, tcp_syn, 3);
	RUN(a, icmp, 0);
	answers_free(a);
}

/* A table of one set (4 tuples): a tuple it forgot makes the misses in that set unsure
 * within the protocol's horizon; a SYN is still sure; later the set is trusted again. */
static void test_forget(void **state)
{
	static const struct pk fill[] = {
		{S(10), 1, 17, 0, B, "tuple"},
	};
	static const struct pk after[] = {
		{S(50), 1, 17, 0, U, "a miss in a set that forgot a tuple 40 s ago"},
	};
	static const struct pk syn[] = {
		{S(51), 1, 6, TS, B, "a SYN: new whatever was forgotten"},
	};
	static const struct pk later[] = {
		{S(400), 1, 17, 0, B, "a miss 390 s after the last forgotten tuple's last packet"},
	};
	static const struct pk soon[] = {
		{S(405), 1, 17, 0, U, "a miss 5 s after a tuple was forgotten: unsure, and "
		 "its other direction's flow may hold packets said before an answer", 2},
	};
	struct answers *a = answers_new(4, 7, 1);
	unsigned i;

	(void)state;
	assert_int_equal(answers_capacity(a), 4);
	for (i = 0; i < 5; i++)
		RUN(a, fill, i);	/* the fifth replaces the first */
	assert_int_equal(answers_forgotten(a), 1);
	RUN(a, after, 0);	/* tuple 0 again: forgotten, and it replaces another */
	RUN(a, syn, 9);
	RUN(a, later, 20);	/* replaces a tuple last used at 51 s */
	for (i = 30; i < 34; i++)
		RUN(a, later, i);	/* the others, then one of these, all at 400 s */
	RUN(a, soon, 40);	/* the set forgot one last used at 400 s */
	answers_free(a);
}

/* A packet whose time is not the capture clock's (an NFLOG copy NFLOG counts): its
 * connection cannot be placed, either way, from then on. */
static void test_untrusted(void **state)
{
	static const struct pk v[] = {
		{S(10), 1, 17, 0, B, "query, from pcap"},
		{S(11), 2, 17, 0, U, "answer NFLOG counted: unsure", 0, 1},
		{S(12), 1, 17, 0, U, "the next query: unsure", 0, 0},
	};
	static const struct pk w[] = {
		{S(10), 1, 17, 0, U, "first packet NFLOG counted", 0, 1},
		{S(11), 2, 17, 0, U, "its answer from pcap: still unsure"},
	};
	struct answers *a = answers_new(64, 7, 1);

	(void)state;
	RUN(a, v, 0);
	RUN(a, w, 1);
	answers_free(a);
}

/* One packet read through answers_packet_held(): its state and late as in run(); the
 * ticket of a held one in *t. */
static void held(struct answers *a, const struct pk *p, unsigned sport_off,
		 struct answer_ticket *t)
{
	struct pkt_record r;
	int got, late;

	rec_of(p, sport_off, &r);
	got = (int)answers_packet_held(a, &r, &late, t);
	if (got != p->want || late != p->late)
		fail_msg("packet (%s): got %d late %d, want %d late %d", p->what, got, late,
			 p->want, p->late);
}

#define H ANS_HELD

/* Two capture handles, each direction its own ring: the client's packets are read before
 * the server's SYN-ACK they follow. Held, each is placed by its own time once the answer
 * is read: the SYN before it, the ACK and data after (what conntrack gave them). */
static void test_held(void **state)
{
	static const struct pk v[] = {
		{S(10), 1, 6, TS, H, "SYN at 10.000: held"},
		{S(10) + 2000, 1, 6, TA, H, "ACK at 10.002, read before the SYN-ACK: held"},
		{S(10) + 3000, 1, 6, TA, H, "data at 10.003: held"},
		{S(10) + 1000, 2, 6, TS | TA, A, "SYN-ACK at 10.001 read late: after the SYN, "
		 "and nothing was said to come before it: not late"},
		{S(10) + 4000, 2, 6, TA, A, "data back"},
	};
	static const int want[] = { B, A, A };
	/* a packet placed before an answer older than it is read: late, as before */
	static const struct pk q = {S(20), 1, 17, 0, H, "query at 20: held"};
	static const struct pk ans = {S(19), 2, 17, 0, H, "answer-direction packet at 19, "
				      "read after the query at 20 was placed before any answer: "
				      "late", 1};
	/* a new connection on the tuple since: the old one's held packet is unsure */
	static const struct pk c1[] = {
		{S(30), 1, 6, TS, H, "SYN: held"},
		{S(31), 2, 6, TS | TA, A, "SYN-ACK"},
		{S(32), 1, 6, TR, A, "RST: closed"},
		{S(33), 1, 6, TS, H, "SYN on the closed connection: a new one, held"},
	};
	struct answer_ticket t[4], u;
	struct answers *a = answers_new(64, 7, 1);
	unsigned i;

	(void)state;
	for (i = 0; i < 5; i++)
		held(a, &v[i], 0, &t[i < 3 ? i : 3]);
	for (i = 0; i < 3; i++)
		assert_int_equal(answers_place(a, &t[i]), want[i]);
	held(a, &q, 1, &u);
	assert_int_equal(answers_place(a, &u), B);
	held(a, &ans, 1, &u);
	held(a, &c1[0], 2, &t[0]);
	for (i = 1; i < 4; i++)
		held(a, &c1[i], 2, &t[1]);
	assert_int_equal(answers_place(a, &t[0]), U);
	assert_int_equal(answers_place(a, &t[1]), B);
	answers_free(a);

	/* a table of 4 tuples that forgot the held packet's tuple: unsure */
	a = answers_new(4, 7, 1);
	held(a, &q, 0, &u);
	for (i = 1; i < 5; i++)
		held(a, &q, i, &t[0]);
	assert_int_equal(answers_forgotten(a), 1);
	assert_int_equal(answers_place(a, &u), U);
	assert_int_equal(answers_place(a, &t[0]), B);
	answers_free(a);
}

/* Four rings on a router (or two on a host): the server's SYN-ACK may be read before the
 * client's SYN it answers. The tuple's first packet read is then not a SYN; it and the
 * server's next packets are held, not made unsure at once, and the SYN read late, older
 * than everything the tuple saw, opens the connection: every packet is placed as the
 * kernel saw it. With no SYN by the time they are placed, they are unsure (the
 * connection may have begun before the capture). */
static void test_held_syn_late(void **state)
{
	static const struct pk v[] = {
		{S(40) + 1000, 2, 6, TS | TA, H, "SYN-ACK at 40.001, read first: held"},
		{S(40) + 3000, 2, 6, TA, H, "data back at 40.003, read before the SYN: held"},
		{S(40), 1, 6, TS, H, "the SYN at 40.000, read late: it opened the connection"},
		{S(40) + 2000, 1, 6, TA, A, "the ACK at 40.002: after the answer"},
	};
	static const int want[] = { A, A, B };
	static const struct pk mid = {S(50), 2, 6, TA, H, "data of a connection from before "
				      "the capture: held"};
	struct answer_ticket t[3], u;
	struct answers *a = answers_new(64, 7, 1);
	unsigned i;

	(void)state;
	assert_non_null(a);
	for (i = 0; i < 4; i++)
		held(a, &v[i], 0, &t[i < 3 ? i : 2]);	/* the ACK is not held: no ticket */
	for (i = 0; i < 3; i++)
		if ((int)answers_place(a, &t[i]) != want[i])
			fail_msg("%s: placed %d, want %d", v[i].what, answers_place(a, &t[i]), want[i]);
	held(a, &mid, 2, &u);
	assert_int_equal(answers_place(a, &u), U);
	answers_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_router_copy),
		cmocka_unit_test(test_held_syn_late),
		cmocka_unit_test(test_udp),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_cold),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_untrusted),
		cmocka_unit_test(test_held),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
