/* Unit tests for the nftables model: the JSON loader (malformed input fails cleanly,
 * lengths and counts bounded, unmodelled statements counted) and the evaluator's
 * matches, verdicts and hook order. Expected verdicts were worked out by hand from nft(8)
 * and libnftables-json(5); the JSON shapes are those `nft -j list ruleset` (nftables
 * 1.0.6) printed for the native rules quoted beside each case. JSON is written with
 * single quotes here and turned into double quotes before loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "policy/nft.h"
#include "common/prefix.h"
#include "policy/nft_int.h"

#define HEAD "{'nftables':[{'table':{'family':'inet','name':'t','handle':1}},"
#define CHAIN(name, hook, prio, pol)                                                        \
	"{'chain':{'family':'inet','table':'t','name':'" name "','handle':1,'type':'filter'," \
	"'hook':'" hook "','prio':" #prio ",'policy':'" pol "'}},"
#define UCHAIN(name) "{'chain':{'family':'inet','table':'t','name':'" name "','handle':2}},"
#define RULE(chain, h, expr) \
	"{'rule':{'family':'inet','table':'t','chain':'" chain "','handle':" #h ",'expr':[" expr "]}},"
#define TAIL "{'metainfo':{'version':'1.0.6'}}]}"
#define M(l, op, r) "{'match':{'op':'" op "','left':" l ",'right':" r "}}"
#define PAY(p, f) "{'payload':{'protocol':'" p "','field':'" f "'}}"
#define META(k) "{'meta':{'key':'" k "'}}"

static struct nft_ruleset *load(const char *src, struct nft_error *err)
{
	char *buf = strdup(src), *p;
	struct nft_ruleset *rs;

	assert_non_null(buf);
	for (p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	rs = nft_load_json(buf, strlen(buf), "t.json", err);
	free(buf);
	return rs;
}

static void load_fails(const char *src, const char *msg_part)
{
	struct nft_error err;
	struct nft_ruleset *rs = load(src, &err);

	if (rs)
		fail_msg("loaded: %s", src);
	if (!strstr(err.msg, msg_part))
		fail_msg("message `%s' lacks `%s'", err.msg, msg_part);
	assert_string_equal(err.file, "t.json");
}

static void test_malformed(void **state)
{
	(void)state;
	load_fails("{'nftables':[", "bad JSON");
	load_fails("[1,2]", "no \"nftables\" array");
	load_fails(HEAD RULE("nochain", 3, "{'accept':null}") TAIL, "unknown chain `nochain'");
	load_fails(HEAD UCHAIN("u") RULE("u", 3, "{'jump':{'target':'x'}}") TAIL,
		   "jump to unknown chain `x'");
	load_fails(HEAD UCHAIN("u") RULE("u", 3, "{'jump':{}}") TAIL, "without a target");
	load_fails(HEAD UCHAIN("u") RULE("u", 3, M(PAY("ip", "saddr"), "==", "'@nope'")) TAIL,
		   "unknown set `@nope'");
	load_fails(HEAD UCHAIN("u") RULE("u", 3, M(PAY("ip", "saddr"), "~~", "'1.2.3.4'")) TAIL,
		   "unknown operator");
	load_fails(HEAD UCHAIN("u") RULE("u", 3, "7") TAIL, "one key");
	load_fails(HEAD UCHAIN("u") RULE("u", 3, "{'vmap':{'key':" PAY("ip", "saddr") ",'data':"
					 "{'set':[['1.2.3.4',{'bogus':null}]]}}}") TAIL,
		   "unknown verdict `bogus'");
	load_fails("{'nftables':[{'chain':{'family':'ip','table':'none','name':'c'}}]}",
		   "unknown table `ip none'");
}

/* Statement count and input size are bounded. */
static void test_bounds(void **state)
{
	struct nft_error err;
	char *big, *p;
	size_t i;
	int n;

	(void)state;
	big = malloc(200000);
	assert_non_null(big);
	p = big + sprintf(big, "%s", HEAD UCHAIN("u") "{'rule':{'family':'inet','table':'t','chain':'u','expr':[");
	for (n = 0; n < 65; n++)
		p += sprintf(p, "%s{'counter':null}", n ? "," : "");
	sprintf(p, "]}}," TAIL);
	for (i = 0; big[i]; i++)
		if (big[i] == '\'')
			big[i] = '"';
	assert_null(nft_load_json(big, strlen(big), "t.json", &err));
	assert_non_null(strstr(err.msg, "more than 64 statements"));
	assert_null(nft_load_json(big, (size_t)NFT_MAX_INPUT + 1, "t.json", &err));
	assert_non_null(strstr(err.msg, "larger than"));
	free(big);
}

/* Unmodelled statements are counted and named, not refused. */
static void test_unknown_named(void **state)
{
	struct nft_error err;
	struct nft_rule_info ri;
	struct nft_ruleset *rs = load(HEAD UCHAIN("u")
		RULE("u", 3, "{'limit':{'rate':3,'per':'second'}},{'accept':null}")
		/* fib's exists/missing and type forms are modelled; oifname against a name not */
		RULE("u", 4, M("{'fib':{'result':'oifname','flags':['saddr','iif']}}", "==", "'eth0'")
			     ",{'drop':null}")
		RULE("u", 5, M(PAY("ip", "saddr"), "==", "'10.0.0.1'")
			     ",{'log':{'prefix':'x','group':3}},{'counter':{'packets':7,'bytes':700}},{'accept':null}")
		RULE("u", 6, M("{'fib':{'result':'oif','flags':['saddr','iif']}}", "==", "false")
			     ",{'drop':null}")
		RULE("u", 7, M("{'fib':{'result':'type','flags':['daddr']}}", "==",
			       "{'set':['broadcast','multicast']}") ",{'drop':null}")
		TAIL, &err);

	(void)state;
	assert_non_null(rs);
	assert_int_equal(nft_rule_count(rs), 5);
	assert_int_equal(nft_rule_get(rs, 3, &ri), 0);
	assert_int_equal(ri.unknown, 0);	/* fib saddr . iif oif missing: modelled */
	assert_int_equal(ri.hitpos, 1);
	assert_int_equal(nft_rule_get(rs, 4, &ri), 0);
	assert_int_equal(ri.unknown, 0);	/* fib daddr type { broadcast, multicast } */
	assert_int_equal(nft_rule_get(rs, 0, &ri), 0);
	assert_int_equal(ri.unknown, 1);
	assert_string_equal(ri.unknown_what, "limit");
	assert_int_equal(ri.hitpos, 1);
	assert_int_equal(nft_rule_get(rs, 1, &ri), 0);
	assert_string_equal(ri.unknown_what, "fib");
	assert_int_equal(nft_rule_get(rs, 2, &ri), 0);
	assert_int_equal(ri.unknown, 0);
	assert_int_equal(ri.log_group, 3);
	assert_int_equal(ri.has_counter, 1);
	assert_int_equal(ri.packets, 7);
	assert_int_equal(ri.hitpos, 1);
	assert_int_equal(ri.handle, 5);
	assert_string_equal(ri.table, "t");
	assert_string_equal(ri.chain_name, "u");
	assert_int_equal(nft_rule_get(rs, 5, &ri), -1);
	nft_ruleset_free(rs);
}

/* A locally sent TCP packet (path OUTPUT, POSTROUTING: no routing step). */
static void out_pkt(struct ipt_packet *p, const char *src, const char *dst, int proto, int dport)
{
	ipt_packet_init(p, strchr(dst, ':') ? 6 : 4, IPT_PATH_LOCAL_OUT);
	inet_pton(p->family == 4 ? AF_INET : AF_INET6, src, p->src);
	inet_pton(p->family == 4 ? AF_INET : AF_INET6, dst, p->dst);
	p->proto = (uint8_t)proto;
	p->sport = 40000;
	p->dport = (uint16_t)dport;
	p->tcp_flags = IPT_TCP_SYN;
	strcpy(p->out_if, "eth0");
}

struct row {
	const char *what;
	const char *src, *dst;
	int proto, dport, flags, ctstate;
	const char *out_if;
	enum ipt_verdict v;
	int possible;		/* IPT_VSET_* when UNKNOWN */
	long handle;		/* deciding rule handle, -1 for a policy */
};

/* A packet's result: verdict v (possible when UNKNOWN), decided by the rule with handle
 * (-1: a policy or the end of the path). */
static void expect(const struct nft_ruleset *rs, const char *what, const struct ipt_result *res,
		   enum ipt_verdict v, int possible, long handle)
{
	struct nft_rule_info ri;

	if (res->verdict != v)
		fail_msg("%s: verdict %d, want %d", what, res->verdict, v);
	if (v == IPT_V_UNKNOWN) {
		if ((int)res->possible != possible)
			fail_msg("%s: possible 0x%x, want 0x%x", what, res->possible, possible);
		return;
	}
	if (handle < 0) {
		if (res->by != IPT_BY_POLICY && res->by != IPT_BY_PATH_END)
			fail_msg("%s: decided by %d, want a policy", what, res->by);
		return;
	}
	if (res->rule == IPT_NONE || nft_rule_get(rs, res->rule, &ri) < 0 || (long)ri.handle != handle)
		fail_msg("%s: rule %u, want handle %ld", what, res->rule, handle);
}

static void run_rows(const char *json, const struct row *rows, size_t n)
{
	struct nft_error err;
	struct nft_ruleset *rs = load(json, &err);
	struct nft_eval *ev;
	size_t i;

	if (!rs)
		fail_msg("load: %s", err.msg);
	ev = nft_eval_new(rs, NULL);
	assert_non_null(ev);
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		struct ipt_packet p;
		struct ipt_result res;

		out_pkt(&p, r->src, r->dst, r->proto, r->dport);
		if (r->flags >= 0)
			p.tcp_flags = (uint8_t)r->flags;
		p.ctstate = (uint8_t)r->ctstate;
		if (r->out_if)
			strcpy(p.out_if, r->out_if);
		assert_int_equal(nft_eval_packet(ev, &p, &res), 0);
		expect(rs, r->what, &res, r->v, r->possible, r->handle);
	}
	nft_eval_free(ev);
	nft_ruleset_free(rs);
}

#define NEW IPT_CT_NEW
#define EST IPT_CT_ESTABLISHED
#define A IPT_V_ACCEPT
#define D IPT_V_DROP
#define R IPT_V_REJECT

/* Payload, meta and ct matches; sets, ranges, prefixes, negation, masks, flags. */
static void test_matches(void **state)
{
	static const char js[] = HEAD CHAIN("out", "output", 0, "drop")
		/* ct state established,related accept */
		RULE("out", 10, M("{'ct':{'key':'state'}}", "in", "['established','related']") ",{'accept':null}")
		/* tcp dport { 22, 80-90 } accept */
		RULE("out", 11, M(PAY("tcp", "dport"), "==", "{'set':[22,{'range':[80,90]}]}") ",{'accept':null}")
		/* ip daddr != 10.0.0.0/8 udp dport 53 accept */
		RULE("out", 12, M(PAY("ip", "daddr"), "!=", "{'prefix':{'addr':'10.0.0.0','len':8}}") ","
				M(PAY("udp", "dport"), "==", "53") ",{'accept':null}")
		/* tcp flags & (syn|ack) == syn tcp dport 443 reject */
		RULE("out", 13, M("{'&':[" PAY("tcp", "flags") ",['syn','ack']]}", "==", "'syn'") ","
				M(PAY("tcp", "dport"), "==", "443") ",{'reject':null}")
		/* tcp flags syn tcp dport 444 accept  (flags & syn != 0) */
		RULE("out", 14, M(PAY("tcp", "flags"), "in", "'syn'") "," M(PAY("tcp", "dport"), "==", "444")
				",{'accept':null}")
		/* ip6 daddr ::1 accept (never an IPv4 packet) */
		RULE("out", 15, M(PAY("ip6", "daddr"), "==", "'::1'") ",{'accept':null}")
		/* oifname "wl*" meta l4proto udp accept */
		RULE("out", 16, M(META("oifname"), "==", "'wl*'") "," M(META("l4proto"), "==", "'udp'")
				",{'accept':null}")
		/* ip saddr 192.0.2.10-192.0.2.20 tcp dport > 1023 accept */
		RULE("out", 17, M(PAY("ip", "saddr"), "==", "{'range':['192.0.2.10','192.0.2.20']}") ","
				M(PAY("tcp", "dport"), ">", "1023") ",{'accept':null}")
		TAIL;
	static const struct row rows[] = {
		{"established", "192.0.2.1", "10.1.1.1", 6, 9, -1, EST, NULL, A, 0, 10},
		{"dport 22", "192.0.2.1", "10.1.1.1", 6, 22, -1, NEW, NULL, A, 0, 11},
		{"dport 85 in range", "192.0.2.1", "10.1.1.1", 6, 85, -1, NEW, NULL, A, 0, 11},
		{"dport 91", "192.0.2.1", "10.1.1.1", 6, 91, -1, NEW, NULL, D, 0, -1},
		{"udp 85: tcp dport needs tcp", "192.0.2.1", "10.1.1.1", 17, 85, -1, NEW, NULL, D, 0, -1},
		{"udp 53 outside 10/8", "192.0.2.1", "11.1.1.1", 17, 53, -1, NEW, NULL, A, 0, 12},
		{"udp 53 into 10/8", "192.0.2.1", "10.1.1.1", 17, 53, -1, NEW, NULL, D, 0, -1},
		{"syn to 443", "192.0.2.1", "10.1.1.1", 6, 443, IPT_TCP_SYN, NEW, NULL, R, 0, 13},
		{"syn-ack to 443", "192.0.2.1", "10.1.1.1", 6, 443, IPT_TCP_SYN | IPT_TCP_ACK, NEW, NULL, D, 0, -1},
		{"syn-ack to 444: flags in", "192.0.2.1", "10.1.1.1", 6, 444, IPT_TCP_SYN | IPT_TCP_ACK, NEW, NULL, A, 0, 14},
		{"ack to 444", "192.0.2.1", "10.1.1.1", 6, 444, IPT_TCP_ACK, NEW, NULL, D, 0, -1},
		{"udp out wlan0", "192.0.2.1", "10.1.1.1", 17, 7, -1, NEW, "wlan0", A, 0, 16},
		{"udp out eth0", "192.0.2.1", "10.1.1.1", 17, 7, -1, NEW, "eth0", D, 0, -1},
		{"src in range, dport 2000", "192.0.2.15", "10.1.1.1", 6, 2000, -1, NEW, NULL, A, 0, 17},
		{"src past range", "192.0.2.21", "10.1.1.1", 6, 2000, -1, NEW, NULL, D, 0, -1},
		{"dport 1023 not > 1023", "192.0.2.15", "10.1.1.1", 6, 1023, -1, NEW, NULL, D, 0, -1},
		{"ct unknown", "192.0.2.1", "10.1.1.1", 6, 9, -1, IPT_CT_UNKNOWN, NULL, IPT_V_UNKNOWN,
		 IPT_VSET_ACCEPT | IPT_VSET_DROP, 0},
	};

	(void)state;
	run_rows(js, rows, sizeof(rows) / sizeof(rows[0]));
}

/* Base chains of one hook run by priority; accept ends only its chain; jump, goto,
 * return, vmap, named interval and concatenation sets; limit is unknown. */
static void test_chains(void **state)
{
	static const char js[] = HEAD
		"{'set':{'family':'inet','name':'blk','table':'t','type':'ipv4_addr','flags':['interval'],"
		"'elem':[{'prefix':{'addr':'198.51.100.0','len':24}},{'range':['192.0.2.50','192.0.2.60']}]}},"
		"{'set':{'family':'inet','name':'cc','table':'t','type':['ipv4_addr','inet_service'],"
		"'flags':['interval'],'elem':[{'concat':[{'prefix':{'addr':'203.0.113.0','len':24}},"
		"{'range':[22,23]}]}]}},"
		CHAIN("late", "output", 10, "accept") CHAIN("early", "output", -10, "accept")
		UCHAIN("sub") UCHAIN("sub2")
		/* late: ip saddr @blk drop; ip saddr . tcp dport @cc reject */
		RULE("late", 20, M(PAY("ip", "saddr"), "==", "'@blk'") ",{'drop':null}")
		RULE("late", 21, M("{'concat':[" PAY("ip", "saddr") "," PAY("tcp", "dport") "]}", "==", "'@cc'")
				 ",{'reject':null}")
		/* early: tcp dport 1-100 accept (the late chain still runs) */
		RULE("early", 30, M(PAY("tcp", "dport"), "==", "{'range':[1,100]}") ",{'accept':null}")
		/* early: ip daddr vmap { 10.9.9.9 : drop, 10.8.0.0/16 : jump sub } */
		RULE("early", 31, "{'vmap':{'key':" PAY("ip", "daddr") ",'data':{'set':[['10.9.9.9',{'drop':null}],"
				  "[{'prefix':{'addr':'10.8.0.0','len':16}},{'jump':{'target':'sub'}}]]}}}")
		/* early: tcp dport 5000 limit rate 3/second drop */
		RULE("early", 32, M(PAY("tcp", "dport"), "==", "5000") ",{'limit':{'rate':3,'per':'second'}},{'drop':null}")
		/* early: tcp dport 6000 reject (runs before late's drop) */
		RULE("early", 33, M(PAY("tcp", "dport"), "==", "6000") ",{'reject':null}")
		/* sub: tcp dport 7000 return; goto sub2 */
		RULE("sub", 40, M(PAY("tcp", "dport"), "==", "7000") ",{'return':null}")
		RULE("sub", 41, "{'goto':{'target':'sub2'}}")
		/* sub2: tcp dport 7001 drop */
		RULE("sub2", 50, M(PAY("tcp", "dport"), "==", "7001") ",{'drop':null}")
		TAIL;
	static const struct row rows[] = {
		{"accept early, drop late", "198.51.100.9", "10.1.1.1", 6, 22, -1, NEW, NULL, D, 0, 20},
		{"concat hit", "203.0.113.5", "10.1.1.1", 6, 23, -1, NEW, NULL, R, 0, 21},
		{"concat port miss (dport 24 accepted early)", "203.0.113.5", "10.1.1.1", 6, 24, -1, NEW, NULL, A, 0, 30},
		{"no accept rule: policies", "203.0.113.5", "10.1.1.1", 6, 124, -1, NEW, NULL, A, 0, -1},
		{"blk range", "192.0.2.55", "10.1.1.1", 6, 9000, -1, NEW, NULL, D, 0, 20},
		{"vmap drop", "192.0.2.1", "10.9.9.9", 6, 9000, -1, NEW, NULL, D, 0, 31},
		{"vmap jump, return", "192.0.2.1", "10.8.1.1", 6, 7000, -1, NEW, NULL, A, 0, -1},
		{"vmap jump, goto, drop", "192.0.2.1", "10.8.1.1", 6, 7001, -1, NEW, NULL, D, 0, 50},
		{"limit", "192.0.2.1", "10.1.1.1", 6, 5000, -1, NEW, NULL, IPT_V_UNKNOWN,
		 IPT_VSET_ACCEPT | IPT_VSET_DROP, 0},
		{"early reject before late drop", "198.51.100.9", "10.1.1.1", 6, 6000, -1, NEW, NULL, R, 0, 33},
		{"accepted by rule early", "192.0.2.1", "10.1.1.1", 6, 80, -1, NEW, NULL, A, 0, 30},
	};

	(void)state;
	run_rows(js, rows, sizeof(rows) / sizeof(rows[0]));
}

/* ct state before conntrack (priority < -200 on output) reads "invalid". */
static void test_ct_before_conntrack(void **state)
{
	static const char js[] = HEAD CHAIN("raw", "output", -300, "accept")
		CHAIN("filt", "output", 0, "accept")
		RULE("raw", 60, M("{'ct':{'key':'state'}}", "in", "'invalid'") "," M(PAY("tcp", "dport"), "==", "1")
				",{'drop':null}")
		RULE("filt", 61, M("{'ct':{'key':'state'}}", "in", "'invalid'") ",{'drop':null}")
		TAIL;
	static const struct row rows[] = {
		{"raw sees invalid", "192.0.2.1", "10.1.1.1", 6, 1, -1, NEW, NULL, D, 0, 60},
		{"filter sees new", "192.0.2.1", "10.1.1.1", 6, 2, -1, NEW, NULL, A, 0, -1},
	};

	(void)state;
	run_rows(js, rows, sizeof(rows) / sizeof(rows[0]));
}

/* nft before 1.1.0 joins adjacent `!=` payload matches into one compare, so the kernel
 * matches when either field differs. The oracle: `nft --debug=netlink list ruleset` of
 * these rules loaded by nftables 1.0.6 into a namespace shows
 *   udp sport != 40000 udp dport != 53   [ payload load 4b @ th + 0 ] [ cmp neq ]
 *   ip saddr != a ip daddr != b          two 4-byte loads, two cmp neq (not joined)
 *   tcp sport != 40000 counter tcp dport != 22   joined across the counter
 * and nftables 1.1.0's stmt_reduce() joins only `==`. A listing without a version may
 * come from either: the joined rule is unknown there. */
#define MERGE_RULES                                                                         \
	CHAIN("out", "output", 0, "drop")                                                   \
	RULE("out", 70, M(PAY("udp", "sport"), "!=", "40000") "," M(PAY("udp", "dport"), "!=", "53") \
			",{'accept':null}")                                                    \
	RULE("out", 71, M(PAY("ip", "saddr"), "!=", "'192.0.2.1'") ","                      \
			M(PAY("ip", "daddr"), "!=", "'10.1.1.1'") ",{'accept':null}")          \
	RULE("out", 72, M(PAY("tcp", "sport"), "!=", "40000") ",{'counter':null},"          \
			M(PAY("tcp", "dport"), "!=", "22") ",{'accept':null}")

static void test_merge_ne(void **state)
{
	static const char old[] = HEAD MERGE_RULES TAIL;
	static const char fixed[] = HEAD MERGE_RULES "{'metainfo':{'version':'1.1.0'}}]}";
	static const char none[] = HEAD MERGE_RULES "{'table':{'family':'ip','name':'x'}}]}";
	/* out_pkt: sport 40000 */
	static const struct row r_old[] = {
		{"udp 40000->54: sport same, dport differs: joined != holds", "192.0.2.1", "10.1.1.9",
		 17, 54, -1, NEW, NULL, A, 0, 70},
		{"udp 40000->53: both same", "192.0.2.1", "10.1.1.1", 17, 53, -1, NEW, NULL, D, 0, -1},
		{"saddr same, daddr differs: two compares, no match", "192.0.2.1", "10.1.1.9", 6, 22,
		 -1, NEW, NULL, D, 0, -1},
		{"both addresses differ", "192.0.2.2", "10.1.1.9", 6, 22, -1, NEW, NULL, A, 0, 71},
		{"tcp 40000->23 joined across the counter", "192.0.2.1", "10.1.1.9", 6, 23, -1, NEW,
		 NULL, A, 0, 72},
	};
	static const struct row r_fixed[] = {
		{"1.1.0: udp 40000->54, sport equal", "192.0.2.1", "10.1.1.9", 17, 54, -1, NEW, NULL, D, 0, -1},
		{"1.1.0: tcp 40000->23", "192.0.2.1", "10.1.1.9", 6, 23, -1, NEW, NULL, D, 0, -1},
	};
	static const struct row r_none[] = {
		{"no version: udp 40000->54", "192.0.2.1", "10.1.1.9", 17, 54, -1, NEW, NULL,
		 IPT_V_UNKNOWN, IPT_VSET_ACCEPT | IPT_VSET_DROP, 0},
		{"no version: udp 40000->53, joined compare fails", "192.0.2.1", "10.1.1.1", 17, 53, -1,
		 NEW, NULL, D, 0, -1},
		{"no version: addresses stay two compares", "192.0.2.2", "10.1.1.9", 6, 22, -1, NEW,
		 NULL, A, 0, 71},
	};
	struct nft_error err;
	struct nft_ruleset *rs;
	struct nft_rule_info ri;

	(void)state;
	run_rows(old, r_old, sizeof(r_old) / sizeof(r_old[0]));
	run_rows(fixed, r_fixed, sizeof(r_fixed) / sizeof(r_fixed[0]));
	run_rows(none, r_none, sizeof(r_none) / sizeof(r_none[0]));
	rs = load(none, &err);
	assert_non_null(rs);
	assert_int_equal(nft_rule_get(rs, 0, &ri), 0);
	assert_int_equal(ri.unknown, 1);
	assert_string_equal(ri.unknown_what, "merged !=");
	nft_ruleset_free(rs);
}

/* `th` has no protocol dependency: nft loads the first four bytes of any transport header
 * (nft_payload_eval() breaks only on a fragment), so for ICMP `th sport` is type and code
 * and `th dport` the checksum. nftables 1.0.6 lists `th sport 1 th dport 2` and `th sport
 * != 1000 th dport != 2000` (joined, see test_merge_ne) as raw loads: `@th,0,32 0x10002`
 * and `@th,0,32 != 0x3e807d0` (nft -j list ruleset and nft --debug=netlink in a
 * namespace). Kernel counters on ICMP echo requests sent at such rules are the oracle
 * (tests/integration/nft/th_icmp.nft). */
#define RAW(b, o, l) "{'payload':{'base':'" b "','offset':" #o ",'len':" #l "}}"

struct th_row {
	const char *what;
	int fam, proto, sport, dport, type, code;
	enum ipt_verdict v;
	int possible;		/* IPT_VSET_* when UNKNOWN */
	long handle;		/* deciding rule, -1 for the policy */
};

static void test_th(void **state)
{
	static const char js[] = HEAD CHAIN("out", "output", 0, "drop")
		RULE("out", 81, M(META("l4proto"), "==", "'udp'") "," M(RAW("th", 16, 16), "==", "22")
				",{'accept':null}")
		RULE("out", 80, M(RAW("th", 0, 32), "==", "65538") ",{'accept':null}")
		RULE("out", 82, M(PAY("th", "sport"), "==", "2048") ",{'accept':null}")
		RULE("out", 83, M(RAW("th", 0, 32), "!=", "65538000") ",{'reject':null}")
		TAIL;
	static const struct th_row rows[] = {
		{"tcp 1->2: @th,0,32 is sport.dport", 4, 6, 1, 2, 0, 0, A, 0, 80},
		{"udp 5->22: @th,16,16 is dport", 4, 17, 5, 22, 0, 0, A, 0, 81},
		{"icmp echo request: th sport is type.code 0x0800, so 80 cannot hold", 4, 1, 0, 0, 8,
		 0, A, 0, 82},
		{"icmp echo reply: type.code differs, checksum unread", 4, 1, 0, 0, 0, 0, R, 0, 83},
		{"icmpv6 echo request 0x8000", 6, 58, 0, 0, 128, 0, R, 0, 83},
		{"tcp 1000->2000: both equal", 4, 6, 1000, 2000, 0, 0, D, 0, -1},
		{"tcp 1000->2001", 4, 6, 1000, 2001, 0, 0, R, 0, 83},
		{"gre: its first four bytes are not known", 4, 47, 0, 0, 0, 0, IPT_V_UNKNOWN,
		 IPT_VSET_ACCEPT | IPT_VSET_REJECT | IPT_VSET_DROP, 0},
	};
	struct nft_error err;
	struct nft_ruleset *rs = load(js, &err);
	struct nft_eval *ev;
	struct nft_rule_info ri;
	uint32_t i;

	(void)state;
	if (!rs)
		fail_msg("load: %s", err.msg);
	for (i = 0; i < 4; i++) {
		assert_int_equal(nft_rule_get(rs, i, &ri), 0);
		if (ri.unknown)
			fail_msg("rule %ld unknown (%s)", (long)ri.handle, ri.unknown_what);
	}
	ev = nft_eval_new(rs, NULL);
	assert_non_null(ev);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct th_row *r = &rows[i];
		struct ipt_packet p;
		struct ipt_result res;

		ipt_packet_init(&p, r->fam, IPT_PATH_LOCAL_OUT);
		inet_pton(r->fam == 4 ? AF_INET : AF_INET6, r->fam == 4 ? "192.0.2.1" : "2001:db8::1", p.src);
		inet_pton(r->fam == 4 ? AF_INET : AF_INET6, r->fam == 4 ? "10.1.1.1" : "2001:db8::2", p.dst);
		p.proto = (uint8_t)r->proto;
		p.sport = (uint16_t)r->sport;
		p.dport = (uint16_t)r->dport;
		p.icmp_type = (uint8_t)r->type;
		p.icmp_code = (uint8_t)r->code;
		p.ctstate = NEW;
		strcpy(p.out_if, "eth0");
		assert_int_equal(nft_eval_packet(ev, &p, &res), 0);
		expect(rs, r->what, &res, r->v, r->possible, r->handle);
	}
	nft_eval_free(ev);
	nft_ruleset_free(rs);
}

/* A forwarded packet given without its output device (check knows where it came in):
 * oifname at forward is the route's device to its destination (ip_route_input_slow ->
 * ip_mkroute_input); with no route known it is undecided. Before, it was taken as none,
 * and `oifname "eth1" accept` never matched. */
static void test_forward_oif(void **state)
{
	static const char js[] = HEAD CHAIN("fw", "forward", 0, "drop")
		RULE("fw", 89, M(META("iifname"), "==", "'eth0'") "," M(META("oifname"), "==",
		     "'eth1'") ",{'accept':null}")
		RULE("fw", 90, M(META("oifname"), "==", "'eth1'") ",{'accept':null}")
		RULE("fw", 91, M(META("oifname"), "==", "'eth0'") ",{'reject':null}")
		TAIL;
	static const struct {
		const char *dst, *out;
		int routes;
		enum ipt_verdict v;
		int possible;
		long handle;
	} rows[] = {
		{"192.168.1.50", "", 1, A, 0, 89},
		{"198.51.100.1", "", 1, R, 0, 91},
		{"192.168.1.50", "eth0", 1, R, 0, 91},	/* the caller's device wins */
		{"192.168.1.50", "", 0, IPT_V_UNKNOWN,
		 IPT_VSET_ACCEPT | IPT_VSET_REJECT | IPT_VSET_DROP, 0},
		/* seen leaving by eth1 (in: ""), from 203.0.113.9: in by the default route,
		 * eth0 (ipt_packet.in_if) */
		{"192.168.1.50", "eth1", 2, A, 0, 89},
	};
	static const struct ipt_hostaddr host[] = {{"eth0", 4, 24, {10, 0, 0, 1}}};
	struct ipt_ifconf ifc[3] = {{"all", 0, 0, 0, 0, 0}, {"eth0", 0, 0, 0, 0, 0}, {"eth1", 0, 0, 0, 0, 0}};
	struct ipt_route routes[2];
	struct ipt_context ctx;
	struct nft_error err;
	struct nft_ruleset *rs = load(js, &err);
	size_t i;

	(void)state;
	if (!rs)
		fail_msg("load: %s", err.msg);
	memset(routes, 0, sizeof(routes));
	assert_int_equal(prefix_parse("192.168.1.0/24", 4, &routes[0].dst), 0);
	strcpy(routes[0].ifname, "eth1");
	assert_int_equal(prefix_parse("0.0.0.0/0", 4, &routes[1].dst), 0);
	strcpy(routes[1].ifname, "eth0");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct nft_eval *ev;
		struct ipt_packet p;
		struct ipt_result res;

		memset(&ctx, 0, sizeof(ctx));
		ctx.addrs = host;
		ctx.naddrs = 1;
		ctx.addrs_known = 1;
		ctx.ifconf = ifc;
		ctx.nifconf = 3;
		ctx.routes = routes;
		ctx.nroutes = 2;
		ctx.routes_known = rows[i].routes != 0;
		ctx.conntrack = 1;
		ctx.ip_forward = ctx.ip6_forward = IPT_FWD_ON;
		ev = nft_eval_new(rs, &ctx);
		assert_non_null(ev);
		ipt_packet_init(&p, 4, IPT_PATH_FORWARD);
		inet_pton(AF_INET, "203.0.113.9", p.src);
		inet_pton(AF_INET, rows[i].dst, p.dst);
		p.proto = 17;
		p.sport = 40000;
		p.dport = 53;
		p.ctstate = NEW;
		strcpy(p.in_if, rows[i].routes == 2 ? "" : "eth0");
		strcpy(p.out_if, rows[i].out);
		assert_int_equal(nft_eval_packet(ev, &p, &res), 0);
		expect(rs, rows[i].dst, &res, rows[i].v, rows[i].possible, rows[i].handle);
		nft_eval_free(ev);
	}
	nft_ruleset_free(rs);
}

/* A rule whose match is unknown but that only counts: matched or not, the packet goes on,
 * so the next rule's hit stays definite (the kernel counts it either way). One that
 * accepts splits the paths: the next rule's hit is maybe. */
struct hits {
	int yes[8], maybe[8];
};

static void on_hit(void *arg, uint32_t rule, int certainty)
{
	struct hits *h = arg;

	if (rule < 8) {
		if (certainty == 1)	/* ipt_rule_hook: 1 definite, 2 maybe */
			h->yes[rule]++;
		else
			h->maybe[rule]++;
	}
}

static void test_tail_nop(void **state)
{
	static const char js[] = HEAD CHAIN("out", "output", 0, "accept")
		/* tcp dport 22 limit rate 3/second counter; tcp dport 22 drop */
		RULE("out", 80, M(PAY("tcp", "dport"), "==", "22") ",{'limit':{'rate':3,'per':'second'}},"
				"{'counter':null}")
		RULE("out", 81, M(PAY("tcp", "dport"), "==", "22") ",{'drop':null}")
		/* tcp dport 23 limit rate 3/second log accept; tcp dport 23 drop */
		RULE("out", 82, M(PAY("tcp", "dport"), "==", "23") ",{'limit':{'rate':3,'per':'second'}},"
				"{'log':null},{'accept':null}")
		RULE("out", 83, M(PAY("tcp", "dport"), "==", "23") ",{'drop':null}")
		TAIL;
	struct nft_error err;
	struct nft_ruleset *rs = load(js, &err);
	struct nft_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;
	struct hits h;

	(void)state;
	if (!rs)
		fail_msg("load: %s", err.msg);
	ev = nft_eval_new(rs, NULL);
	assert_non_null(ev);
	memset(&h, 0, sizeof(h));
	nft_eval_set_hook(ev, on_hit, &h);
	out_pkt(&p, "192.0.2.1", "10.1.1.1", 6, 22);
	assert_int_equal(nft_eval_packet(ev, &p, &res), 0);
	assert_int_equal(res.verdict, IPT_V_DROP);
	assert_int_equal(h.maybe[0], 1);	/* the limit rule: maybe */
	assert_int_equal(h.yes[1], 1);		/* the drop: definite */
	assert_int_equal(h.maybe[1], 0);
	memset(&h, 0, sizeof(h));
	out_pkt(&p, "192.0.2.1", "10.1.1.1", 6, 23);
	assert_int_equal(nft_eval_packet(ev, &p, &res), 0);
	assert_int_equal(res.verdict, IPT_V_UNKNOWN);
	assert_int_equal(h.maybe[2], 1);
	assert_int_equal(h.yes[3], 0);		/* reached only where the limit did not match */
	assert_int_equal(h.maybe[3], 1);
	nft_eval_free(ev);
	nft_ruleset_free(rs);
}

/* Source lines for native syntax: a chain's statements in order (rules spanning lines
 * inside an anonymous set, several on a line separated by ';', properties and comments
 * skipped, sets' elements ignored); include makes the order unknowable. */
static void test_lines(void **state)
{
	static const char js[] = HEAD CHAIN("in", "input", 0, "drop") UCHAIN("u")
		RULE("in", 5, "{'accept':null}") RULE("in", 6, "{'drop':null}")
		RULE("in", 7, "{'accept':null}") RULE("in", 8, "{'accept':null}")
		RULE("u", 9, "{'return':null}") TAIL;
	static const char text[] =
		"#!/usr/sbin/nft -f\n"					/* 1 */
		"define ports = { 22, 80 }\n"				/* 2 */
		"table inet t {\n"					/* 3 */
		"\tset s { type ipv4_addr; elements = { 10.0.0.1,\n"	/* 4 */
		"\t\t10.0.0.2 } }\n"					/* 5 */
		"\tchain in {\n"					/* 6 */
		"\t\ttype filter hook input priority 0; policy drop;\n"	/* 7 */
		"\t\t# a comment { not a block\n"			/* 8 */
		"\t\ttcp dport { 22,\n"				/* 9 */
		"\t\t\t80 } accept\n"				/* 10 */
		"\t\tip saddr 10.0.0.0/8 drop; udp dport 53 accept\n"	/* 11 */
		"\t\tcomment \"x { y\"\n"				/* 12 */
		"\t\ttcp dport $ports \\\n"			/* 13 */
		"\t\t\taccept\n"					/* 14 */
		"\t}\n"						/* 15 */
		"\tchain u { return; }\n"				/* 16 */
		"}\n";
	static const unsigned want[] = {9, 11, 11, 13, 16};
	static const char other[] = "table inet t {\n chain in {\n accept\n }\n"
				    " chain u {\n return\n }\n}\n";
	struct nft_error err;
	struct nft_ruleset *rs = load(js, &err);
	struct nft_rule_info ri;
	unsigned i;

	(void)state;
	assert_non_null(rs);
	assert_int_equal(nft_map_lines(rs, text, strlen(text)), 5);
	for (i = 0; i < 5; i++) {
		assert_int_equal(nft_rule_get(rs, i, &ri), 0);
		if (ri.line != want[i])
			fail_msg("rule %u: line %u, want %u", i, ri.line, want[i]);
	}
	nft_ruleset_free(rs);
	rs = load(js, &err);
	assert_non_null(rs);
	assert_int_equal(nft_map_lines(rs, "include \"x.nft\"\n", 17), 0);
	/* a chain whose statement count differs keeps line 0, the other is mapped */
	assert_int_equal(nft_map_lines(rs, other, strlen(other)), 1);
	assert_int_equal(nft_rule_get(rs, 0, &ri), 0);
	assert_int_equal(ri.line, 0);
	assert_int_equal(nft_rule_get(rs, 4, &ri), 0);
	assert_int_equal(ri.line, 6);
	nft_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_unknown_named),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_chains),
		cmocka_unit_test(test_ct_before_conntrack),
		cmocka_unit_test(test_merge_ne),
		cmocka_unit_test(test_th),
		cmocka_unit_test(test_forward_oif),
		cmocka_unit_test(test_tail_nop),
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
