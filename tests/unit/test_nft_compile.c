/* Unit tests for the nftables evaluator's compiled fast path (src/policy/nft_compile.c)
 * on a small hand-written ruleset: for each packet the verdict, and how many rules each
 * walk decided (struct nft_eval's examined), were worked out by hand below from the rules'
 * guards: the plain walk decides every rule up to the deciding one, the compiled one only
 * the candidates of the chain's index keys (ip daddr and tcp dport here). Cases include a
 * destination rewritten by a DNAT before the chain runs, an unknown port, a key whose
 * protocol dependency fails (tcp dport of ICMP, ip daddr of IPv6) and a port range. Both
 * walks must give the same result and the same steps. */
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
#include "policy/nft_int.h"

#define HEAD "{'nftables':[{'table':{'family':'inet','name':'t','handle':1}},"
#define CHAIN(name, type, prio, pol)                                                         \
	"{'chain':{'family':'inet','table':'t','name':'" name "','handle':1,'type':'" type "'," \
	"'hook':'output','prio':" #prio ",'policy':'" pol "'}},"
#define RULE(chain, h, expr) \
	"{'rule':{'family':'inet','table':'t','chain':'" chain "','handle':" #h ",'expr':[" expr "]}},"
#define TAIL "{'metainfo':{'version':'1.0.6'}}]}"
#define M(l, op, r) "{'match':{'op':'" op "','left':" l ",'right':" r "}}"
#define PAY(p, f) "{'payload':{'protocol':'" p "','field':'" f "'}}"
#define DADDR(a) M(PAY("ip", "daddr"), "==", a)
#define TDPORT(p) M(PAY("tcp", "dport"), "==", p)

/* Chain "out" (positions 0..10; its keys: ip daddr, guarding 0 1 2 3 7 8 10, and tcp
 * dport, guarding 0 4 5 7; udp dport and l4proto guard one rule each, too few). */
static const char js[] = HEAD CHAIN("nat", "nat", -100, "accept") CHAIN("out", "filter", 0, "drop")
	/* nat: tcp dport 8080 dnat ip to 10.0.0.7 */
	RULE("nat", 1, TDPORT("8080") ",{'dnat':{'addr':'10.0.0.7','family':'ip'}}")
	RULE("out", 10, DADDR("'10.0.0.7'") "," TDPORT("8080") ",{'accept':null}")	/* 0 */
	RULE("out", 11, DADDR("'10.0.0.8'") ",{'accept':null}")			/* 1 */
	RULE("out", 12, DADDR("{'prefix':{'addr':'10.1.0.0','len':16}}") ",{'drop':null}")	/* 2 */
	RULE("out", 13, DADDR("'10.2.0.1'") ",{'reject':null}")			/* 3 */
	RULE("out", 14, TDPORT("22") ",{'accept':null}")				/* 4 */
	RULE("out", 15, TDPORT("{'set':[{'range':[1000,2000]}]}") ",{'reject':null}")	/* 5 */
	RULE("out", 16, M(PAY("udp", "dport"), "==", "53") ",{'accept':null}")	/* 6 */
	RULE("out", 17, DADDR("{'prefix':{'addr':'10.3.0.0','len':24}}") "," TDPORT("443")
			",{'accept':null}")						/* 7 */
	RULE("out", 18, DADDR("'10.4.0.1'") ",{'drop':null}")				/* 8 */
	RULE("out", 19, M("{'meta':{'key':'l4proto'}}", "==", "'icmp'") ",{'accept':null}")	/* 9 */
	RULE("out", 20, DADDR("'10.5.0.1'") ",{'accept':null}")			/* 10 */
	TAIL;

struct row {
	const char *what, *dst;
	int proto, dport, unk_dport, ctstate;
	enum ipt_verdict v;
	unsigned possible;	/* when v is UNKNOWN */
	long handle;		/* deciding rule, -1: the policy */
	unsigned plain, fast;	/* rules decided by each walk */
};

/* Candidates of "out" = (open for daddr {4 5 6 9} + rules whose daddr holds the value)
 * and (open for tcp dport {1 2 3 6 8 9 10} + rules whose dport holds it); an unknown
 * value keeps every rule, a failed dependency only the open ones. The nat chain (one
 * rule, walked plainly) runs for NEW packets only and counts 1. */
static const struct row rows[] = {
	/* nat rewrites 192.0.2.1 to 10.0.0.7: daddr {0 4 5 6 9} and dport 8080 {0 1 2 3 6 8
	 * 9 10}: {0 6 9}; rule 0 accepts (with the packet's own address it would be skipped) */
	{"dnat'd daddr", "192.0.2.1", 6, 8080, 0, IPT_CT_NEW, IPT_V_ACCEPT, 0, 10, 1 + 1, 1 + 1},
	/* daddr {4 5 6 8 9}, dport 9999 open {..}: {6 8 9}; 6 fails, 8 drops */
	{"daddr 10.4.0.1", "10.4.0.1", 6, 9999, 0, IPT_CT_NEW, IPT_V_DROP, 0, 18, 1 + 9, 1 + 2},
	/* dport unknown: every rule for it; daddr: {4 5 6 8 9}; 4 and 5 may match (forks
	 * accept and reject), 6 fails, 8 drops */
	{"unknown dport", "10.4.0.1", 6, 9999, 1, IPT_CT_ESTABLISHED, IPT_V_UNKNOWN,
	 IPT_VSET_ACCEPT | IPT_VSET_DROP | IPT_VSET_REJECT, 0, 9, 4},
	/* icmp: tcp dport fails (open only), daddr 10.9.9.9 in nothing: {6 9}; 9 accepts */
	{"icmp, no port", "10.9.9.9", 1, 0, 0, IPT_CT_ESTABLISHED, IPT_V_ACCEPT, 0, 19, 10, 2},
	/* dport 1500 in 5's range: {5 6 9}; 5 rejects */
	{"port range", "10.9.9.9", 6, 1500, 0, IPT_CT_ESTABLISHED, IPT_V_REJECT, 0, 15, 6, 1},
	/* dport 2001 past it: {6 9}; 6 fails (tcp), 9 fails: the policy drops */
	{"past the range", "10.9.9.9", 6, 2001, 0, IPT_CT_ESTABLISHED, IPT_V_DROP, 0, -1, 11, 2},
	/* 10.1.2.3 in 10.1.0.0/16: {2 4 5 6 9} and dport 80 open: {2 6 9}; 2 drops */
	{"prefix", "10.1.2.3", 6, 80, 0, IPT_CT_ESTABLISHED, IPT_V_DROP, 0, 12, 3, 1},
	/* IPv6: ip daddr fails (open only), dport 22: {4 6 9}; 4 accepts */
	{"ipv6", "2001:db8::1", 6, 22, 0, IPT_CT_ESTABLISHED, IPT_V_ACCEPT, 0, 14, 5, 1},
};

static void run(struct nft_eval *ev, const struct nft_ruleset *rs, const struct row *r, int fast,
		struct ipt_result *res)
{
	struct ipt_packet p;
	struct nft_rule_info ri;
	unsigned want = fast ? r->fast : r->plain;

	ipt_packet_init(&p, strchr(r->dst, ':') ? 6 : 4, IPT_PATH_LOCAL_OUT);
	inet_pton(p.family == 4 ? AF_INET : AF_INET6, p.family == 4 ? "192.0.2.200" : "2001:db8::200", p.src);
	inet_pton(p.family == 4 ? AF_INET : AF_INET6, r->dst, p.dst);
	p.proto = (uint8_t)r->proto;
	p.sport = 40000;
	p.dport = (uint16_t)r->dport;
	p.icmp_type = 8;
	if (r->unk_dport)
		p.unknown |= IPT_UNK_DPORT;
	p.tcp_flags = IPT_TCP_SYN;
	p.ctstate = (uint8_t)r->ctstate;
	strcpy(p.out_if, "eth0");
	ev->examined = 0;
	assert_int_equal(nft_eval_packet(ev, &p, res), 0);
	if (res->verdict != r->v)
		fail_msg("%s (%s): verdict %d, want %d", r->what, fast ? "fast" : "plain", res->verdict, r->v);
	if (r->v == IPT_V_UNKNOWN && res->possible != r->possible)
		fail_msg("%s: possible 0x%x, want 0x%x", r->what, res->possible, r->possible);
	if (r->v != IPT_V_UNKNOWN && r->handle < 0 && res->by != IPT_BY_POLICY)
		fail_msg("%s: decided by %d, want the policy", r->what, res->by);
	if (r->v != IPT_V_UNKNOWN && r->handle >= 0 &&
	    (res->rule == IPT_NONE || nft_rule_get(rs, res->rule, &ri) < 0 || (long)ri.handle != r->handle))
		fail_msg("%s: rule %u, want handle %ld", r->what, res->rule, r->handle);
	if (ev->examined != want)
		fail_msg("%s (%s): %llu rules decided, want %u", r->what, fast ? "fast" : "plain",
			 (unsigned long long)ev->examined, want);
}

static struct nft_ruleset *load(void)
{
	char *buf = strdup(js), *p;
	struct nft_error err;
	struct nft_ruleset *rs;

	assert_non_null(buf);
	for (p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	rs = nft_load_json(buf, strlen(buf), "t.json", &err);
	free(buf);
	if (!rs)
		fail_msg("load: %s", err.msg);
	return rs;
}

static void test_candidates(void **state)
{
	struct nft_ruleset *rs = load();
	struct nft_eval *fast = nft_eval_new(rs, NULL), *plain = nft_eval_new(rs, NULL);
	size_t i;

	(void)state;
	assert_non_null(fast);
	assert_non_null(plain);
	assert_int_equal(nft_eval_set_compiled(plain, 0), 0);
	assert_non_null(fast->comp);	/* on by default: "out" has 11 rules */
	assert_null(plain->comp);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct ipt_result a, b;

		run(plain, rs, &rows[i], 0, &a);
		run(fast, rs, &rows[i], 1, &b);
		if (a.steps != b.steps)
			fail_msg("%s: steps %llu plain, %llu fast", rows[i].what, (unsigned long long)a.steps,
				 (unsigned long long)b.steps);
	}
	/* turned off and on again */
	assert_int_equal(nft_eval_set_compiled(fast, 0), 0);
	run(fast, rs, &rows[1], 0, &(struct ipt_result){0});
	assert_int_equal(nft_eval_set_compiled(fast, 1), 0);
	run(fast, rs, &rows[1], 1, &(struct ipt_result){0});
	nft_eval_free(fast);
	nft_eval_free(plain);
	nft_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_candidates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
