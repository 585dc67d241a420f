/* Unit tests for the policy checker's per-packet accounting (issue 9, fault 1): how a
 * flow's packets are split by the conntrack state each gets (check_flow_split), the state
 * of a lone TCP packet, and rule hits credited packet by packet, as the kernel counts
 * them: expectations worked out by hand from conntrack's rules (before the answer a
 * connection's packets are NEW, after it ESTABLISHED; an unanswered flow's are all NEW;
 * the answer's are ESTABLISHED). One row per case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "policy/check.h"

struct split_case {
	const char *name;
	uint8_t ctstate;
	uint64_t packets;
	int64_t first, last;
	int first_row, rev;
	int64_t rev_usec;
	uint64_t want_est, want_amb;
};

static const struct split_case split_cases[] = {
	{"1 unanswered: all NEW", IPT_CT_NEW, 6, 100, 600, 1, 0, 0, 0, 0},
	{"2 answer after the row's last packet: all NEW", IPT_CT_NEW, 3, 100, 300, 1, 1, 400, 0, 0},
	{"3 answer before the row began (a later bucket): all ESTABLISHED", IPT_CT_NEW, 5, 500, 900,
	 0, 1, 200, 5, 0},
	{"4 answer within the row: first NEW, last ESTABLISHED, rest unknown", IPT_CT_NEW, 7, 100,
	 500, 1, 1, 300, 1, 5},
	{"5 one packet, answered later", IPT_CT_NEW, 1, 100, 100, 1, 1, 300, 0, 0},
	{"6 last packet at the answer's time: not known to be after", IPT_CT_NEW, 2, 100, 300, 1, 1,
	 300, 0, 1},
	{"7 later row beginning at the answer's time", IPT_CT_NEW, 3, 300, 500, 0, 1, 300, 1, 2},
	{"8 first row beginning at the answer's time: it opened the connection", IPT_CT_NEW, 3,
	 300, 500, 1, 1, 300, 1, 1},
	{"9 first packet ESTABLISHED (the answer direction)", IPT_CT_ESTABLISHED, 8, 200, 900, 1, 1,
	 100, 0, 0},
	{"10 first packet INVALID: no conntrack entry, all alike", IPT_CT_INVALID, 4, 100, 400, 1,
	 1, 200, 0, 0},
	{"11 no packets", IPT_CT_NEW, 0, 100, 100, 1, 1, 100, 0, 0},
	{"12 UNKNOWN state: all alike", IPT_CT_UNKNOWN, 4, 100, 400, 1, 1, 200, 0, 0},
};

static void test_split(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		struct check_flow f;

		memset(&f, 0, sizeof(f));
		f.ctstate = c->ctstate;
		f.packets = c->packets;
		f.first_usec = c->first;
		f.last_usec = c->last;
		check_flow_split(&f, c->first_row, c->rev, c->rev_usec);
		if (f.pk_est != c->want_est || f.pk_amb != c->want_amb)
			fail_msg("%s: est %llu amb %llu", c->name, (unsigned long long)f.pk_est,
				 (unsigned long long)f.pk_amb);
	}
}

/* Rows the collector placed packet by packet (flows.pre_reply, migration 13): of the
 * counted packets, pre came before their connection's answer (NEW, like the first), the
 * rest after it (ESTABLISHED); NFLOG's unplaced copies stay maybe. */
struct known_case {
	const char *name;
	uint8_t proto, ctstate;
	uint64_t packets, pre, unplaced;
	int rev;
	int64_t rev_usec;	/* the row's first packet is at 500 */
	uint8_t want_ctstate;
	uint64_t want_est, want_amb;
};

static const struct known_case known_cases[] = {
	{"K1 three SYNs in a collapsed row, the rest after their answers", 6, IPT_CT_NEW, 9, 3, 0,
	 1, 600, IPT_CT_NEW, 6, 0},
	{"K2 two packets only NFLOG saw: maybe", 6, IPT_CT_NEW, 10, 3, 2, 1, 600, IPT_CT_NEW, 5, 2},
	{"K3 UDP row the reverse began before, with two new conversations", 17,
	 IPT_CT_ESTABLISHED, 7, 2, 0, 1, 100, IPT_CT_NEW, 5, 0},
	{"K4 UDP row the reverse began before, every packet answered", 17, IPT_CT_ESTABLISHED, 7,
	 0, 0, 1, 100, IPT_CT_ESTABLISHED, 0, 0},
	{"K5 answer outside the checked rows: the collector saw it", 17, IPT_CT_NEW, 4, 0, 0, 0, 0,
	 IPT_CT_NEW, 4, 0},
	{"K6 INVALID first packet: all alike", 6, IPT_CT_INVALID, 4, 1, 0, 1, 600, IPT_CT_INVALID,
	 0, 0},
	{"K7 the SYN-ACK side: ESTABLISHED, all alike", 6, IPT_CT_ESTABLISHED, 5, 1, 0, 1, 100,
	 IPT_CT_ESTABLISHED, 0, 0},
	{"K8 unanswered: all NEW", 17, IPT_CT_NEW, 6, 6, 0, 0, 0, IPT_CT_NEW, 0, 0},
};

static void test_split_known(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(known_cases) / sizeof(known_cases[0]); i++) {
		const struct known_case *c = &known_cases[i];
		struct check_flow f;

		memset(&f, 0, sizeof(f));
		f.proto = c->proto;
		f.ctstate = c->ctstate;
		f.packets = c->packets;
		f.first_usec = 500;
		f.last_usec = 900;
		f.pre_known = 1;
		f.pk_pre = c->pre;
		f.pk_unplaced = c->unplaced;
		check_flow_split(&f, 1, c->rev, c->rev_usec);
		if (f.ctstate != c->want_ctstate || f.pk_est != c->want_est ||
		    f.pk_amb != c->want_amb)
			fail_msg("%s: ctstate %u est %llu amb %llu", c->name, f.ctstate,
				 (unsigned long long)f.pk_est, (unsigned long long)f.pk_amb);
	}
}

static void add_flow_on(struct check_flows *fs, const char *ifn, const char *dir,
			const char *src, unsigned sport, const char *dst, unsigned dport, int proto,
			unsigned flags, uint64_t packets, int64_t first, int64_t last)
{
	struct store_flow f;
	struct in_addr a;

	memset(&f, 0, sizeof(f));
	snprintf(f.iface, sizeof(f.iface), "%s", ifn);
	snprintf(f.dir, sizeof(f.dir), "%s", dir);
	f.family = 4;
	inet_pton(AF_INET, src, &a);
	memcpy(f.src + 12, &a, 4);
	inet_pton(AF_INET, dst, &a);
	memcpy(f.dst + 12, &a, 4);
	f.proto = proto;
	f.sport = sport;
	f.dport = dport;
	snprintf(f.cls, sizeof(f.cls), "normal");
	snprintf(f.subclass, sizeof(f.subclass), "none");
	f.packets = packets;
	f.bytes = packets * 60;
	f.tcp_flags = flags;
	f.first_usec = first;
	f.last_usec = last;
	assert_int_equal(check_flows_add(fs, &f), 0);
}

static void add_flow(struct check_flows *fs, const char *dir, const char *src, unsigned sport,
		     const char *dst, unsigned dport, int proto, unsigned flags, uint64_t packets,
		     int64_t first, int64_t last)
{
	add_flow_on(fs, "eth0", dir, src, sport, dst, dport, proto, flags, packets, first, last);
}

static void host(struct check_host *h)
{
	struct store_ctx_row rows[] = {
		{'i', "lo", "loopback", "", 0, 0}, {'i', "eth0", "external", "", 0, 0},
		{'h', "eth0", "45.33.1.10", "", 24, 4},
	};
	struct hostctx hc;
	size_t i;

	memset(&hc, 0, sizeof(hc));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(check_hostctx_row(&hc, &rows[i]), 0);
	assert_int_equal(check_host_build(h, &hc, 0, 0, 0), 0);
	hostctx_free(&hc);
}

/* A lone TCP packet that opened its direction has exact flags: the kernel's state. */
static void test_lone_tcp(void **state)
{
	static const struct {
		unsigned flags;
		uint8_t want;
	} rows[] = {
		{IPT_TCP_SYN, IPT_CT_NEW},
		{IPT_TCP_SYN | IPT_TCP_ACK, IPT_CT_INVALID},	/* unsolicited SYN-ACK */
		{IPT_TCP_SYN | IPT_TCP_FIN, IPT_CT_INVALID},	/* not reduced to a SYN */
		{IPT_TCP_SYN | IPT_TCP_RST, IPT_CT_INVALID},
	};
	struct check_flows fs;
	struct check_host h;
	size_t i;
	char src[32];

	(void)state;
	memset(&fs, 0, sizeof(fs));
	host(&h);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		snprintf(src, sizeof(src), "198.51.100.%zu", 20 + i);
		add_flow(&fs, "in", src, 80, "45.33.1.10", 40000, 6, rows[i].flags, 1, 100, 100);
	}
	assert_int_equal(check_flows_derive(&fs, &h), 0);
	for (i = 0; i < fs.n; i++) {
		if (fs.v[i].ctstate != rows[i].want || fs.v[i].tcp_flags != rows[i].flags ||
		    (fs.v[i].unknown & IPT_UNK_FLAGS))
			fail_msg("flags %#x: state %d flags %#x unk %#x", rows[i].flags, fs.v[i].ctstate,
				 fs.v[i].tcp_flags, fs.v[i].unknown);
	}
	check_flows_free(&fs);
	check_host_free(&h);
}

/* A router's capture sees a forwarded packet twice: in on one interface, out by another.
 * The kernel runs it through FORWARD once; the row leaving (a source not the host's, its
 * 5-tuple's earliest row in on another interface) is dropped and counted, not judged as
 * the host's own. The host's own traffic, and a foreign source leaving with no incoming
 * row, stay. */
static void test_forward_copies(void **state)
{
	struct check_flows fs;
	struct check_host h;
	size_t i;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	host(&h);
	add_flow_on(&fs, "eth0", "in", "198.51.100.7", 40000, "10.77.0.2", 80, 6, 0x12, 10, 100, 900);
	add_flow_on(&fs, "eth1", "out", "198.51.100.7", 40000, "10.77.0.2", 80, 6, 0x12, 10, 110, 910);
	add_flow_on(&fs, "eth1", "out", "45.33.1.10", 5000, "10.77.0.2", 80, 6, 0x02, 1, 300, 300);
	add_flow_on(&fs, "eth0", "out", "10.77.0.9", 80, "203.0.113.5", 40000, 6, 0x10, 4, 400, 500);
	add_flow_on(&fs, "eth1", "in", "10.77.0.2", 80, "198.51.100.7", 40000, 6, 0x12, 8, 105, 905);
	add_flow_on(&fs, "eth0", "out", "10.77.0.2", 80, "198.51.100.7", 40000, 6, 0x12, 8, 106, 906);
	assert_int_equal(check_host_forward(&h, 1, -1), 0);
	assert_int_equal(check_flows_derive(&fs, &h), 0);
	assert_int_equal(fs.n, 4);
	assert_int_equal(fs.copies[0], 2);
	assert_int_equal(fs.copy_packets[0], 18);
	assert_int_equal(fs.copies[1], 0);
	for (i = 0; i < fs.n; i++) {
		const struct check_flow *f = &fs.v[i];
		/* the foreign source leaving with no copy coming in passed through */
		int through = f->first_usec == 400;

		if (f->first_usec == 110 || f->first_usec == 106)
			fail_msg("the copy first seen at %lld was kept", (long long)f->first_usec);
		if (f->passed_through != through ||
		    f->path != (through || f->dir == 1 ? IPT_PATH_FORWARD : IPT_PATH_LOCAL_OUT))
			fail_msg("row at %lld: path %d, passed through %d", (long long)f->first_usec,
				 f->path, f->passed_through);
	}
	check_flows_free(&fs);
	check_host_free(&h);
}

/* The flows of test_hits and test_later_diff, derived. */
static void hits_flows(struct check_flows *fs, const struct check_host *h)
{
	/* a: ssh, answered at 200 while the client's 10 packets ran from 100 to 900 */
	add_flow(fs, "in", "198.51.100.7", 0, "45.33.1.10", 22, 6, 0x1b, 10, 100, 900);
	add_flow(fs, "out", "45.33.1.10", 22, "198.51.100.7", 0, 6, 0x1a, 8, 200, 950);
	/* b: dns, never answered */
	add_flow(fs, "in", "198.51.100.8", 0, "45.33.1.10", 53, 17, 0, 6, 100, 600);
	/* c: tcp/80, dropped by the ruleset (the answer a RST of another day's ruleset) */
	add_flow(fs, "in", "198.51.100.9", 0, "45.33.1.10", 80, 6, 0x02, 3, 100, 3100);
	add_flow(fs, "out", "45.33.1.10", 80, "198.51.100.9", 0, 6, 0x14, 1, 500, 500);
	/* d: the trusted source, answered */
	add_flow(fs, "in", "198.51.100.10", 0, "45.33.1.10", 443, 6, 0x1b, 5, 100, 500);
	add_flow(fs, "out", "45.33.1.10", 443, "198.51.100.10", 0, 6, 0x1a, 4, 200, 600);
	assert_int_equal(check_flows_derive(fs, h), 0);
}

/* Rule hits packet by packet. Rules (ids in file order): 0 a trusted source, 1 the
 * ESTABLISHED rule, 2 ssh, 3 dns, 4 a DROP of tcp/80, 5 OUTPUT's ESTABLISHED rule. */
static void test_hits(void **state)
{
	static const char rules[] =
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -s 198.51.100.10/32 -j ACCEPT\n"
		"-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
		"-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 80 -j DROP\n"
		"-A OUTPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n";
	/* rule: definite packets, maybe packets, definite flows, maybe flows */
	static const uint64_t want[6][4] = {
		{5, 0, 1, 0},	/* flow d: its first and later packets, all certain */
		{1, 8, 1, 1},	/* flow a: its last packet after the answer; 8 unplaced */
		{1, 8, 1, 1},	/* flow a: its SYN; 8 unplaced */
		{6, 0, 1, 0},	/* flow b: unanswered, all NEW */
		{3, 0, 1, 0},	/* flow c: first dropped, so all judged like it */
		{13, 0, 3, 0},	/* the answers: 8 + 1 + 4 */
	};
	struct check_flows fs;
	struct check_host h;
	struct check_side s;
	struct policy p;
	struct ipt_error err;
	uint32_t r;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	host(&h);
	hits_flows(&fs, &h);
	p.rs[0] = ipt_parse_buffer(rules, sizeof(rules) - 1, "rules", 4, &err);
	assert_non_null(p.rs[0]);
	assert_int_equal(ipt_rule_count(p.rs[0]), 6);
	check_side_use(&s, &p);
	assert_int_equal(check_evaluate(&s, &fs, &h, 1), 0);
	for (r = 0; r < 6; r++)
		if (s.hit_packets[0][r] != want[r][0] || s.maybe_packets[0][r] != want[r][1] ||
		    s.hit_flows[0][r] != want[r][2] || s.maybe_flows[0][r] != want[r][3])
			fail_msg("rule %u: %llu + %llu maybe packets, %llu + %llu maybe flows", r,
				 (unsigned long long)s.hit_packets[0][r],
				 (unsigned long long)s.maybe_packets[0][r],
				 (unsigned long long)s.hit_flows[0][r],
				 (unsigned long long)s.maybe_flows[0][r]);
	/* the outcome of flow a's later packets, and none for c's */
	assert_int_equal(s.res_est[0].verdict, IPT_V_ACCEPT);
	assert_int_equal(s.res_est[0].rule, 1);
	assert_int_equal(s.res[3].verdict, IPT_V_DROP);
	assert_int_equal(s.res_est[3].possible, 0);
	check_side_free(&s);
	policy_free(&p);
	check_flows_free(&fs);
	check_host_free(&h);
}

/* The diff sees the packets after the answer: a ruleset that accepts ssh only as NEW
 * (no ESTABLISHED rule) lets flow a's first packet in as before but drops its 9 later
 * packets (1 for certain, 8 maybe); nothing else changes. */
static void test_later_diff(void **state)
{
	static const char before[] =
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -s 198.51.100.10/32 -j ACCEPT\n"
		"-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"
		"-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 80 -j DROP\n"
		"-A OUTPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n";
	static const char after[] =
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -s 198.51.100.10/32 -j ACCEPT\n"
		"-A INPUT -p tcp -m conntrack --ctstate NEW -m tcp --dport 22 -j ACCEPT\n"
		"-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 80 -j DROP\n"
		"-A OUTPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n";
	struct check_flows fs;
	struct check_host h;
	struct check_side ns, old;
	struct policy pn, po;
	struct check_groups g;
	struct ipt_error err;
	size_t i, n = 0;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	memset(&ns, 0, sizeof(ns));
	memset(&old, 0, sizeof(old));
	memset(&pn, 0, sizeof(pn));
	memset(&po, 0, sizeof(po));
	memset(&g, 0, sizeof(g));
	host(&h);
	hits_flows(&fs, &h);
	pn.rs[0] = ipt_parse_buffer(after, sizeof(after) - 1, "after", 4, &err);
	po.rs[0] = ipt_parse_buffer(before, sizeof(before) - 1, "before", 4, &err);
	assert_non_null(pn.rs[0]);
	assert_non_null(po.rs[0]);
	check_side_use(&ns, &pn);
	check_side_use(&old, &po);
	assert_int_equal(check_evaluate(&ns, &fs, &h, 1), 0);
	assert_int_equal(check_evaluate(&old, &fs, &h, 0), 0);
	assert_int_equal(check_findings(&g, &fs, &ns, NULL, &old), 0);
	for (i = 0; i < g.n; i++)	/* the first packets: no change */
		assert_true(g.v[i].kind < CK_NEW_BLOCKED);
	check_groups_free(&g);
	assert_int_equal(check_findings_packets(&g, &fs, &ns, NULL, &old), 0);
	for (i = 0; i < g.n; i++) {
		const struct check_group *x = &g.v[i];

		if (x->kind < CK_NEW_BLOCKED)
			continue;
		n++;
		assert_int_equal(x->kind, CK_NEW_BLOCKED);
		assert_string_equal(x->label, CHECK_LATER_LABEL);
		assert_int_equal(x->flows, 1);
		assert_int_equal(x->packets, 1);	/* its last packet; 8 more unplaced */
		assert_int_equal(x->maybe_packets, 8);
		assert_int_equal(x->a.by, IPT_BY_POLICY);
		assert_int_equal(x->b.rule, 1);	/* before: the ESTABLISHED rule */
	}
	assert_int_equal(n, 1);
	check_groups_free(&g);
	check_side_free(&ns);
	check_side_free(&old);
	policy_free(&pn);
	policy_free(&po);
	check_flows_free(&fs);
	check_host_free(&h);
}

/* Evaluation on several threads gives what one thread gives (the oracle: the
 * single-threaded evaluation the other tests check): every outcome, every count. */
static void test_threads(void **state)
{
	static const char rules[] =
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
		"-A INPUT -p tcp -m limit --limit 5/s -j LOG\n"
		"-A INPUT -s 198.51.0.0/16 -p tcp -m tcp --dport 22 -j ACCEPT\n"
		"-A INPUT -p udp -m udp --dport 53 -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --dport 80 -j REJECT\n"
		"-A OUTPUT -m state --state RELATED,ESTABLISHED -j ACCEPT\n"
		"-A OUTPUT -p udp -j DROP\nCOMMIT\n";
	static const unsigned ports[] = {22, 53, 80, 443};
	struct check_flows fs;
	struct check_host h;
	struct check_side one, three;
	struct policy p;
	struct ipt_error err;
	uint32_t r, x = 12345;
	size_t i;
	char a[32];

	(void)state;
	memset(&fs, 0, sizeof(fs));
	memset(&one, 0, sizeof(one));
	memset(&three, 0, sizeof(three));
	memset(&p, 0, sizeof(p));
	host(&h);
	for (i = 0; i < 3000; i++) {
		unsigned port = ports[i % 4], proto = port == 53 ? 17 : 6;
		int64_t t = (int64_t)i * 1000;

		x = x * 1103515245u + 12345u;
		snprintf(a, sizeof(a), "198.%u.%u.%u", 50 + (x >> 24) % 3, (x >> 16) & 255, (x >> 8) & 255);
		add_flow(&fs, "in", a, 0, "45.33.1.10", port, proto, 0x1b, 1 + x % 9, t, t + 500);
		if (x % 3)	/* answered */
			add_flow(&fs, "out", "45.33.1.10", port, a, 0, proto, 0x1a, 1 + x % 7,
				 t + 100 + (x >> 4) % 600, t + 900);
	}
	assert_int_equal(check_flows_derive(&fs, &h), 0);
	p.rs[0] = ipt_parse_buffer(rules, sizeof(rules) - 1, "rules", 4, &err);
	assert_non_null(p.rs[0]);
	check_side_use(&one, &p);
	check_side_use(&three, &p);
	one.threads = 1;
	three.threads = 3;
	assert_int_equal(check_evaluate(&one, &fs, &h, 1), 0);
	assert_int_equal(check_evaluate(&three, &fs, &h, 1), 0);
	assert_memory_equal(one.res, three.res, fs.n * sizeof(*one.res));
	assert_memory_equal(one.res_est, three.res_est, fs.n * sizeof(*one.res_est));
	for (r = 0; r < ipt_rule_count(p.rs[0]); r++) {
		assert_int_equal(one.hit_packets[0][r], three.hit_packets[0][r]);
		assert_int_equal(one.hit_flows[0][r], three.hit_flows[0][r]);
		assert_int_equal(one.maybe_packets[0][r], three.maybe_packets[0][r]);
		assert_int_equal(one.maybe_flows[0][r], three.maybe_flows[0][r]);
	}
	assert_true(one.hit_packets[0][0] > 0 && one.maybe_packets[0][1] > 0);	/* exercised */
	check_side_free(&one);
	check_side_free(&three);
	policy_free(&p);
	check_flows_free(&fs);
	check_host_free(&h);
}

/* The flows in fs (derived on h) evaluated against IPv4 rules into s, by p. */
struct nat_run {
	struct check_flows fs;
	struct check_host h;
	struct check_side s;
	struct policy p;
};

static void nat_run_eval(struct nat_run *t, const char *rules)
{
	struct ipt_error err;

	assert_int_equal(check_flows_derive(&t->fs, &t->h), 0);
	t->p.rs[0] = ipt_parse_buffer(rules, strlen(rules), "rules", 4, &err);
	assert_non_null(t->p.rs[0]);
	check_side_use(&t->s, &t->p);
	assert_int_equal(check_evaluate(&t->s, &t->fs, &t->h, 1), 0);
}

static void nat_run_free(struct nat_run *t)
{
	check_side_free(&t->s);
	policy_free(&t->p);
	check_flows_free(&t->fs);
	check_host_free(&t->h);
}

/* nat chains run for a connection's first packet only: nf_nat_inet_fn traverses them
 * while the binding is not made, and a connection's later packets, answered or not
 * (retransmissions, UDP datagrams before an answer: still NEW), take the binding. So
 * of the packets judged like the first, only the row's earliest is a definite nat hit
 * (its row holds the 5-tuple's first packet); the others may be new connections in a
 * row whose client port is collapsed, so they are maybe. Filter rules count them all. */
static void test_nat_once(void **state)
{
	static const char rules[] =
		"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		":POSTROUTING ACCEPT [0:0]\n"
		"-A PREROUTING -p udp -m udp --dport 53 -j REDIRECT --to-ports 5353\n"
		"COMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -p udp -m udp --dport 5353 -j ACCEPT\nCOMMIT\n";
	struct nat_run t;

	(void)state;
	memset(&t, 0, sizeof(t));
	host(&t.h);
	/* 6 datagrams never answered: all NEW */
	add_flow(&t.fs, "in", "198.51.100.8", 0, "45.33.1.10", 53, 17, 0, 6, 100, 600);
	nat_run_eval(&t, rules);
	/* rule 0: the REDIRECT; rule 1: filter INPUT's accept of the redirected port */
	if (t.s.hit_packets[0][0] != 1 || t.s.maybe_packets[0][0] != 5 || t.s.hit_flows[0][0] != 1)
		fail_msg("nat rule: %llu + %llu maybe packets, %llu flows",
			 (unsigned long long)t.s.hit_packets[0][0],
			 (unsigned long long)t.s.maybe_packets[0][0],
			 (unsigned long long)t.s.hit_flows[0][0]);
	assert_int_equal(t.s.hit_packets[0][1], 6);
	assert_int_equal(t.s.maybe_packets[0][1], 0);
	nat_run_free(&t);
}

/* A port forward that runs into a second hour has a second row, whose packets all come
 * after the answer (ESTABLISHED): they take the binding the connection's first packet
 * made (nf_nat_packet) and are forwarded, as the first row's later packets are. The
 * answers' row is not DNATed (it did not open the connection). */
static void test_nat_continued(void **state)
{
	static const char rules[] =
		"*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		":POSTROUTING ACCEPT [0:0]\n"
		"-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.77.0.2:80\n"
		"COMMIT\n*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT\n"
		"-A FORWARD -m conntrack --ctstate ESTABLISHED -j ACCEPT\n"
		"-A FORWARD -d 10.77.0.2/32 -p tcp -m tcp --dport 80 -j ACCEPT\nCOMMIT\n";
	const int64_t hour = 3600000000LL;
	struct nat_run t;
	struct check_flows *fs = &t.fs;
	const struct check_side *s = &t.s;

	(void)state;
	memset(&t, 0, sizeof(t));
	host(&t.h);
	t.h.ctx.ip_forward = IPT_FWD_ON;
	/* the client's rows of both hours and the answers' row; answered at 200 */
	add_flow(fs, "in", "198.51.100.7", 40000, "45.33.1.10", 8080, 6, 0x1b, 10, 100, hour - 1);
	add_flow(fs, "out", "45.33.1.10", 8080, "198.51.100.7", 40000, 6, 0x1a, 8, 200, hour - 1);
	add_flow(fs, "in", "198.51.100.7", 40000, "45.33.1.10", 8080, 6, 0x11, 20, hour, hour + 9);
	nat_run_eval(&t, rules);
	assert_int_equal(fs->v[2].nat_replay, 1);
	assert_int_equal(fs->v[1].nat_replay, 0);
	/* rules: 0 the DNAT, 1 INPUT ESTABLISHED, 2 FORWARD ESTABLISHED, 3 FORWARD to :80;
	 * the first row: its SYN definite, its last packet ESTABLISHED, 8 either */
	if (s->hit_packets[0][1] || s->maybe_packets[0][1])
		fail_msg("INPUT ESTABLISHED: %llu + %llu maybe",
			 (unsigned long long)s->hit_packets[0][1],
			 (unsigned long long)s->maybe_packets[0][1]);
	if (s->hit_packets[0][2] != 21 || s->maybe_packets[0][2] != 8)
		fail_msg("FORWARD ESTABLISHED: %llu + %llu maybe, want 21 + 8",
			 (unsigned long long)s->hit_packets[0][2],
			 (unsigned long long)s->maybe_packets[0][2]);
	assert_int_equal(s->res[2].verdict, IPT_V_ACCEPT);
	nat_run_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_known),
		cmocka_unit_test(test_lone_tcp),
		cmocka_unit_test(test_forward_copies),
		cmocka_unit_test(test_hits),
		cmocka_unit_test(test_later_diff),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_nat_once),
		cmocka_unit_test(test_nat_continued),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
