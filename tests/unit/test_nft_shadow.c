/* Unit tests for nft_rule_shadowed_by (src/policy/nft_shadow.c): a hand-written ruleset,
 * one small chain per case, and a table saying for each later rule which earlier rule
 * takes all its traffic (by handle) or that none is shown. Every expectation was worked
 * out by hand from nftables' semantics (the comment of each row says why); the JSON is
 * what `nft -j list ruleset` prints for the rule, or, where nft would add or merge
 * something (the `meta l4proto tcp` of `reject with tcp reset`, adjacent ranges), what the
 * model reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/nft.h"

#include "nft_quoted.h"

#define HEAD "{'nftables':[{'table':{'family':'inet','name':'t','handle':1}}," \
	"{'table':{'family':'ip','name':'t4','handle':2}},"
#define CHAIN(name) "{'chain':{'family':'inet','table':'t','name':'" name "','handle':1}},"
#define RULE(chain, h, expr) \
	"{'rule':{'family':'inet','table':'t','chain':'" chain "','handle':" #h ",'expr':[" expr "]}},"
#define TAIL "{'metainfo':{'version':'1.0.6'}}]}"
#define M(l, op, r) "{'match':{'op':'" op "','left':" l ",'right':" r "}}"
#define PAY(p, f) "{'payload':{'protocol':'" p "','field':'" f "'}}"
#define PFX(a, n) "{'prefix':{'addr':'" a "','len':" #n "}}"
#define SADDR(r) M(PAY("ip", "saddr"), "==", r)
#define TDPORT(r) M(PAY("tcp", "dport"), "==", r)
#define CTIN(r) M("{'ct':{'key':'state'}}", "in", r)
#define FLAGS(mask, v) M("{'&':[" PAY("tcp", "flags") "," mask "]}", "==", v)
#define ACCEPT "{'accept':null}"
#define DROP "{'drop':null}"
#define COUNTER "{'counter':{'packets':0,'bytes':0}}"
#define LIMIT "{'limit':{'rate':10,'burst':5,'per':'second'}}"

static const char js[] = HEAD
	CHAIN("other") CHAIN("mang")
	RULE("other", 1, COUNTER)
	RULE("mang", 2, "{'mangle':{'key':" PAY("ip", "daddr") ",'value':'10.0.0.1'}}")
	CHAIN("c1") RULE("c1", 101, SADDR(PFX("10.0.0.0", 8)) "," DROP)
	RULE("c1", 102, SADDR(PFX("10.0.0.0", 8)) "," DROP)
	CHAIN("c2") RULE("c2", 111, SADDR(PFX("10.0.0.0", 8)) "," ACCEPT)
	RULE("c2", 112, SADDR(PFX("10.1.2.0", 24)) "," TDPORT("22") "," ACCEPT)
	CHAIN("c3") RULE("c3", 121, TDPORT("{'range':[1000,2000]}") ",{'reject':null}")
	RULE("c3", 122, TDPORT("1500") "," ACCEPT)
	CHAIN("c4") RULE("c4", 131, TDPORT("{'set':[22,80,443]}") "," DROP)
	RULE("c4", 132, TDPORT("{'set':[80,443]}") "," COUNTER "," DROP)
	CHAIN("c5") RULE("c5", 141, TDPORT("22") "," ACCEPT)
	RULE("c5", 142, SADDR("'1.2.3.4'") "," TDPORT("22") "," ACCEPT)
	RULE("c5", 143, M(PAY("ip6", "saddr"), "==", "'::1'") "," TDPORT("22") "," DROP)
	CHAIN("c6") RULE("c6", 151, SADDR(PFX("10.0.0.0", 8)) "," DROP)
	RULE("c6", 152, TDPORT("22") "," DROP)
	CHAIN("c7") RULE("c7", 161, M("{'meta':{'key':'iifname'}}", "==", "'lo'") ",{'return':null}")
	RULE("c7", 162, M("{'meta':{'key':'iifname'}}", "==", "'lo'") "," SADDR("'127.0.0.1'") "," ACCEPT)
	CHAIN("c8") RULE("c8", 171, TDPORT("{'set':[{'range':[1,100]},{'range':[101,200]}]}")
			 ",{'goto':{'target':'other'}}")
	RULE("c8", 172, TDPORT("{'range':[50,150]}") "," DROP)
	CHAIN("c9") RULE("c9", 181, CTIN("['established','related']") "," ACCEPT)
	RULE("c9", 182, CTIN("'established'") "," ACCEPT)
	RULE("c9", 183, CTIN("['related','new']") "," DROP)
	CHAIN("c10") RULE("c10", 191, M(PAY("ip", "saddr"), "!=", PFX("10.0.0.0", 8)) "," DROP)
	RULE("c10", 192, SADDR("'192.168.1.1'") "," DROP)
	RULE("c10", 193, SADDR("'10.9.9.9'") "," DROP)
	CHAIN("c11") RULE("c11", 201, M(PAY("tcp", "dport"), "<", "1024") "," DROP)
	RULE("c11", 202, TDPORT("1023") "," DROP)
	RULE("c11", 203, TDPORT("1024") "," DROP)
	CHAIN("c12") RULE("c12", 211, SADDR(PFX("10.1.0.0", 16)) "," DROP)
	RULE("c12", 212, SADDR(PFX("10.0.0.0", 8)) "," DROP)
	CHAIN("c13") RULE("c13", 221, SADDR(PFX("10.0.0.0", 8)) ",{'jump':{'target':'other'}}")
	RULE("c13", 222, SADDR("'10.0.0.1'") "," DROP)
	CHAIN("c14") RULE("c14", 231, SADDR(PFX("10.0.0.0", 8)) "," LIMIT "," DROP)
	RULE("c14", 232, SADDR("'10.0.0.1'") "," DROP)
	CHAIN("c15") RULE("c15", 241, SADDR(PFX("10.0.0.0", 8)) "," COUNTER)
	RULE("c15", 242, SADDR("'10.0.0.1'") "," DROP)
	CHAIN("c16") RULE("c16", 251, FLAGS("['syn','ack']", "'syn'") "," DROP)
	RULE("c16", 252, FLAGS("['syn','rst']", "'syn'") "," DROP)
	RULE("c16", 253, FLAGS("['syn','ack']", "'syn'") "," ACCEPT)
	CHAIN("c17") RULE("c17", 261, SADDR(PFX("10.0.0.0", 8)) "," DROP)
	CHAIN("c18") RULE("c18", 271, SADDR("'10.0.0.1'") "," DROP)
	"{'chain':{'family':'ip','table':'t4','name':'x','handle':1}},"
	"{'rule':{'family':'ip','table':'t4','chain':'x','handle':281,'expr':[" TDPORT("22") "," DROP "]}},"
	"{'rule':{'family':'ip','table':'t4','chain':'x','handle':282,'expr':[" SADDR("'1.2.3.4'") ","
		TDPORT("22") "," DROP "]}},"
	CHAIN("c20") RULE("c20", 291, TDPORT("22") "," DROP)
	CHAIN("c21") RULE("c21", 301, "{'reject':{'type':'icmp','expr':'host-unreachable'}}")
	RULE("c21", 302, TDPORT("22") "," DROP)
	RULE("c21", 303, SADDR("'1.2.3.4'") "," DROP)
	CHAIN("c22") RULE("c22", 311, "{'reject':{'type':'tcp reset'}}")
	RULE("c22", 312, M(PAY("udp", "dport"), "==", "53") "," DROP)
	RULE("c22", 313, TDPORT("80") "," DROP)
	CHAIN("c23") RULE("c23", 321, M(PAY("ip", "daddr"), "==", "'10.0.0.1'") "," ACCEPT)
	RULE("c23", 322, "{'mangle':{'key':" PAY("ip", "daddr") ",'value':'10.0.0.1'}}")
	RULE("c23", 323, M(PAY("ip", "daddr"), "==", "'10.0.0.1'") "," ACCEPT)
	CHAIN("c24") RULE("c24", 331, SADDR(PFX("10.0.0.0", 8)) "," DROP)
	RULE("c24", 332, M(PAY("icmp", "type"), "==", "'echo-request'") "," LIMIT "," ACCEPT)
	RULE("c24", 333, SADDR("'10.0.0.1'") "," DROP)
	RULE("c24", 334, M(PAY("udp", "dport"), "==", "1") ",{'jump':{'target':'other'}}")
	RULE("c24", 335, SADDR("'10.2.3.4'") "," DROP)
	RULE("c24", 336, M(PAY("udp", "dport"), "==", "2") ",{'jump':{'target':'mang'}}")
	RULE("c24", 337, SADDR("'10.3.3.3'") "," DROP)
	CHAIN("c25") RULE("c25", 341, CTIN("'invalid'") "," DROP)
	RULE("c25", 342, "{'notrack':null}")
	RULE("c25", 343, CTIN("'invalid'") "," DROP)
	CHAIN("c26") RULE("c26", 351, "{'vmap':{'key':" PAY("ip", "saddr") ",'data':{'set':[['10.0.0.1',"
			  DROP "],['10.0.0.2'," DROP "]]}}}")
	RULE("c26", 352, SADDR("'10.0.0.1'") "," DROP)
	CHAIN("c27") RULE("c27", 361, TDPORT("22") ",{'continue':null}")
	RULE("c27", 362, TDPORT("22") "," DROP)
	CHAIN("c28") RULE("c28", 371, ACCEPT)
	RULE("c28", 372, TDPORT("22") "," ACCEPT)
	RULE("c28", 373, TDPORT("22") "," DROP)
	TAIL;

struct row {
	long later, earlier;	/* handles; earlier -1: none shown */
	const char *why;
};

static const struct row rows[] = {
	{102, 101, "equal prefix: ip saddr 10.0.0.0/8 twice"},
	{112, 111, "wider prefix and fewer matches: 10.0.0.0/8 takes 10.1.2.0/24 tcp dport 22"},
	{122, 121, "port range 1000-2000 (reject) holds port 1500"},
	{132, 131, "set {22,80,443} holds set {80,443}"},
	{142, 141, "inet: tcp dport 22 takes every IPv4 ip saddr 1.2.3.4 tcp dport 22"},
	{143, 141, "inet: and every IPv6 one: the match reads tcp in both families"},
	{152, -1, "ip saddr 10.0.0.0/8 does not take tcp dport 22 (any source, IPv6 too)"},
	{162, 161, "return ends the chain: iifname lo takes iifname lo ip saddr 127.0.0.1"},
	{172, 171, "goto: ranges 1-100 and 101-200 together hold 50-150"},
	{182, 181, "ct state established,related holds established"},
	{183, -1, "ct state established,related does not hold new"},
	{192, 191, "ip saddr != 10.0.0.0/8 holds 192.168.1.1"},
	{193, -1, "ip saddr != 10.0.0.0/8 does not hold 10.9.9.9"},
	{202, 201, "tcp dport < 1024 holds 1023"},
	{203, -1, "tcp dport < 1024 does not hold 1024"},
	{212, -1, "narrower earlier rule: 10.1.0.0/16 does not take 10.0.0.0/8"},
	{222, -1, "jump: the packet comes back to the chain"},
	{232, -1, "limit in the earlier rule: over the rate it does not match"},
	{242, -1, "counter without a verdict: the packet goes on"},
	{252, -1, "different masks: tcp flags & (syn|ack) vs & (syn|rst)"},
	{253, 251, "equal masks and values: tcp flags & (syn|ack) == syn"},
	{271, -1, "the same match in another chain"},
	{282, 281, "an ip table: tcp dport 22 takes ip saddr 1.2.3.4 tcp dport 22"},
	{291, -1, "inet chain: the ip table's rule is in another chain"},
	{302, -1, "reject with icmp needs IPv4: not every tcp dport 22 packet"},
	{303, 301, "reject with icmp takes every IPv4 packet: ip saddr 1.2.3.4"},
	{312, -1, "reject with tcp reset needs TCP: not udp dport 53"},
	{313, 311, "reject with tcp reset takes tcp dport 80"},
	{323, -1, "a rule in between rewrites ip daddr"},
	{333, 331, "a limit rule in between changes nothing"},
	{335, 331, "a jump in between to a chain that only counts changes nothing"},
	{337, -1, "a jump in between to a chain that rewrites ip daddr"},
	{343, -1, "a notrack in between changes the ct state"},
	{352, -1, "a verdict map in the earlier rule"},
	{362, -1, "continue: the packet goes on"},
	{373, 371, "the earliest rule that takes it: a plain accept"},
	{101, -1, "the first rule of a chain"},
};

static struct nft_ruleset *load(void)
{
	return nft_load_quoted(js);
}

/* The rule id of handle h, -1 when absent. */
static long rule_of(const struct nft_ruleset *rs, long h)
{
	struct nft_rule_info ri;
	uint32_t i;

	for (i = 0; i < nft_rule_count(rs); i++)
		if (nft_rule_get(rs, i, &ri) == 0 && (long)ri.handle == h)
			return (long)i;
	return -1;
}

static void test_table(void **state)
{
	struct nft_ruleset *rs = load();
	struct nft_rule_info ri;
	size_t i;
	int bad = 0;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		long id = rule_of(rs, rows[i].later), got = -1;
		uint32_t sh;

		assert_true(id >= 0);
		sh = nft_rule_shadowed_by(rs, (uint32_t)id);
		if (sh != IPT_NONE) {
			assert_int_equal(nft_rule_get(rs, sh, &ri), 0);
			got = (long)ri.handle;
		}
		if (got != rows[i].earlier) {
			print_error("handle %ld: shadowed by %ld, want %ld (%s)\n", rows[i].later, got,
				    rows[i].earlier, rows[i].why);
			bad = 1;
		}
	}
	assert_int_equal(nft_rule_shadowed_by(rs, nft_rule_count(rs)), IPT_NONE);
	assert_int_equal(nft_rule_shadowed_by(NULL, 0), IPT_NONE);
	nft_ruleset_free(rs);
	if (bad)
		fail();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
