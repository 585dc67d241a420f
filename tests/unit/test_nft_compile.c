/* Unit tests for the nftables evaluator's compiled fast path (src/policy/nft_compile.c)
 * on a small hand-written ruleset: for each packet the verdict, and how many rules each
 * walk decided (struct nft_eval's examined), were worked out by hand below from the rules'
 * guards: the plain walk decides every rule up to the deciding one, the compiled one only
 * the candidates of the chain's index keys (ip daddr and tcp dport here). Cases include a
 * destination rewritten by a DNAT before the chain runs, an unknown port, a key whose
 * protocol dependency fails (tcp dport of ICMP, ip daddr of IPv6) and a port range. Both
 * walks must give the same result and the same steps. test_random: random rulesets and
 * packets, the compiled walk with every chain indexed against the plain one. */
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

#include "nft_quoted.h"

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
	 * 9 10}: {0 6 9}; rule 0 accepts (with the packet's own address it would be skipped).
	 * With no host context, whether 10.0.0.7 is local is not known: the re-route after
	 * the nat chain forks (out through lo, or out of the route's device), and each world
	 * decides rule 0 of "out": 1 + 1 + 1 */
	{"dnat'd daddr", "192.0.2.1", 6, 8080, 0, IPT_CT_NEW, IPT_V_ACCEPT, 0, 10, 1 + 1 + 1,
	 1 + 1 + 1},
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
	return nft_load_quoted(js);
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

/* ---- random rulesets: the compiled walk (every chain indexed) against the plain one ---- */

static uint32_t rnd(uint64_t *g, uint32_t n)
{
	*g = *g * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*g >> 33) % n;
}

static const char *const addrs[] = {"10.0.0.1", "10.0.0.2", "10.0.1.9", "192.0.2.7", "45.33.1.10"};
static const char *const pfx[] = {"{'prefix':{'addr':'10.0.0.0','len':24}}",
				  "{'prefix':{'addr':'10.0.0.0','len':8}}",
				  "{'prefix':{'addr':'192.0.2.0','len':25}}"};
static const int ports[] = {22, 53, 80, 443, 8080};

/* One random match statement into b. */
static void rnd_match(uint64_t *g, char *b, size_t len)
{
	const char *ad = addrs[rnd(g, 5)], *sd = rnd(g, 2) ? "saddr" : "daddr";
	const char *th = rnd(g, 3) == 0 ? "th" : rnd(g, 2) ? "tcp" : "udp";
	char v[160];

	switch (rnd(g, 8)) {
	case 0:
		snprintf(b, len, M("{'payload':{'protocol':'ip','field':'%s'}}", "==", "'%s'"), sd, ad);
		return;
	case 1:
		snprintf(b, len, M("{'payload':{'protocol':'ip','field':'%s'}}", "==", "%s"), sd, pfx[rnd(g, 3)]);
		return;
	case 2:
		snprintf(b, len, M("{'payload':{'protocol':'ip','field':'daddr'}}", "==", "{'set':['%s','%s']}"),
			 ad, addrs[rnd(g, 5)]);
		return;
	case 3:
		snprintf(b, len, M("{'payload':{'protocol':'%s','field':'dport'}}", "==", "%d"), th, ports[rnd(g, 5)]);
		return;
	case 4:
		snprintf(v, sizeof(v), "{'set':[%d,{'range':[%d,%d]}]}", ports[rnd(g, 5)], 40 + (int)rnd(g, 30),
			 70 + (int)rnd(g, 500));
		snprintf(b, len, M("{'payload':{'protocol':'%s','field':'dport'}}", "==", "%s"), th, v);
		return;
	case 5:
		snprintf(b, len, M("{'meta':{'key':'iifname'}}", "==", "'%s'"),
			 rnd(g, 2) ? "eth*" : rnd(g, 2) ? "eth1" : "lo");
		return;
	case 6:
		snprintf(b, len, M("{'meta':{'key':'l4proto'}}", "==", "'%s'"), rnd(g, 2) ? "tcp" : "udp");
		return;
	default:
		snprintf(b, len, "%s", rnd(g, 2) ? M("{'ct':{'key':'state'}}", "in", "['established']")
					: "{'limit':{'rate':3,'per':'second'}}");
	}
}

static char *rnd_ruleset(uint64_t *g)
{
	static const char *const verdicts[] = {"{'accept':null}", "{'drop':null}", "{'reject':null}",
					       "{'jump':{'target':'sub'}}", "{'return':null}", "{'counter':null}"};
	char *text = NULL, m1[400], m2[400], *p;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	unsigned i, n = 12 + rnd(g, 30);

	assert_non_null(f);
	fprintf(f, HEAD "{'chain':{'family':'inet','table':'t','name':'in','handle':2,'type':'filter',"
		   "'hook':'input','prio':0,'policy':'%s'}},"
		   "{'chain':{'family':'inet','table':'t','name':'pre','handle':3,'type':'nat',"
		   "'hook':'prerouting','prio':-100,'policy':'accept'}},"
		   "{'chain':{'family':'inet','table':'t','name':'sub','handle':4}},",
		rnd(g, 2) ? "accept" : "drop");
	fprintf(f, RULE("pre", 5, M(PAY("tcp", "dport"), "==", "8080") ",{'dnat':{'addr':'%s','family':'ip'}}"),
		addrs[rnd(g, 5)]);
	for (i = 0; i < n; i++) {
		const char *c = i % 3 == 2 ? "sub" : "in", *v = verdicts[rnd(g, 6)];

		if (!strcmp(c, "sub") && strstr(v, "jump"))
			v = "{'drop':null}";
		rnd_match(g, m1, sizeof(m1));
		rnd_match(g, m2, sizeof(m2));
		if (rnd(g, 2))
			m2[0] = 0;
		fprintf(f, "{'rule':{'family':'inet','table':'t','chain':'%s','handle':%u,'expr':[%s%s%s,%s]}},",
			c, 10 + i, m1, m2[0] ? "," : "", m2, v);
	}
	fprintf(f, TAIL);
	fclose(f);
	for (p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	return text;
}

struct hits {
	uint32_t n, rule[256];
	uint8_t how[256];
};

static void on_hit(void *arg, uint32_t rule, int matched)
{
	struct hits *h = arg;

	if (h->n < 256) {
		h->rule[h->n] = rule;
		h->how[h->n] = (uint8_t)matched;
	}
	h->n++;
}

static void rnd_packet(uint64_t *g, struct ipt_packet *p)
{
	static const char *const ifs[] = {"eth0", "eth1", "lo", "wlan0"};

	ipt_packet_init(p, rnd(g, 8) ? 4 : 6, rnd(g, 4) ? IPT_PATH_INCOMING : IPT_PATH_FORWARD);
	if (p->family == 4) {
		inet_pton(AF_INET, addrs[rnd(g, 5)], p->src);
		inet_pton(AF_INET, addrs[rnd(g, 5)], p->dst);
		p->src[3] = rnd(g, 3) ? p->src[3] : (uint8_t)rnd(g, 256);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", p->src);
		inet_pton(AF_INET6, "2001:db8::2", p->dst);
	}
	p->proto = (uint8_t)(rnd(g, 5) == 0 ? (p->family == 4 ? 1 : 58) : rnd(g, 2) ? 6 : 17);
	p->sport = 40000;
	p->dport = rnd(g, 3) ? (uint16_t)(rnd(g, 2) ? 8080 : ports[rnd(g, 5)]) : (uint16_t)rnd(g, 600);
	p->unknown = rnd(g, 6) == 0 ? IPT_UNK_DPORT : 0;
	p->fragment = rnd(g, 12) == 0;
	p->tcp_flags = IPT_TCP_SYN;
	p->icmp_type = 8;
	p->ctstate = (uint8_t)(rnd(g, 6) == 0 ? IPT_CT_UNKNOWN : rnd(g, 3) ? IPT_CT_NEW : IPT_CT_ESTABLISHED);
	strcpy(p->in_if, ifs[rnd(g, 4)]);
	strcpy(p->out_if, "eth0");
}

/* 300 random rulesets of 12 to 41 rules, 200 packets each: every chain indexed, the
 * results and the hook calls (rule, definite or maybe, in order) must be the plain
 * walk's; and the compiled walk must decide fewer rules in all (it skips some). */
static void test_random(void **state)
{
	uint64_t g = 12345, fewer = 0, total = 0;
	unsigned k, i;

	(void)state;
	for (k = 0; k < 300; k++) {
		char *text = rnd_ruleset(&g);
		struct nft_error err;
		struct nft_ruleset *rs = nft_load_json(text, strlen(text), "r.json", &err);
		struct nft_eval *fast, *plain;
		struct hits ha, hb;

		if (!rs)
			fail_msg("load: %s: %s", err.msg, text);
		fast = nft_eval_new(rs, NULL);
		plain = nft_eval_new(rs, NULL);
		assert_non_null(fast);
		assert_non_null(plain);
		assert_int_equal(nft_eval_compile_min(fast, 1), 0);
		assert_int_equal(nft_eval_set_compiled(plain, 0), 0);
		nft_eval_set_hook(fast, on_hit, &hb);
		nft_eval_set_hook(plain, on_hit, &ha);
		for (i = 0; i < 200; i++) {
			struct ipt_packet p;
			struct ipt_result a, b;

			rnd_packet(&g, &p);
			ha.n = hb.n = 0;
			assert_int_equal(nft_eval_packet(plain, &p, &a), 0);
			assert_int_equal(nft_eval_packet(fast, &p, &b), 0);
			if (a.verdict != b.verdict || a.possible != b.possible || a.by != b.by ||
			    a.rule != b.rule || a.steps != b.steps || a.uncertain_rule != b.uncertain_rule ||
			    a.nat.dnat_rule != b.nat.dnat_rule || ha.n != hb.n ||
			    memcmp(ha.rule, hb.rule, (ha.n < 256 ? ha.n : 256) * sizeof(ha.rule[0])) ||
			    memcmp(ha.how, hb.how, ha.n < 256 ? ha.n : 256))
				fail_msg("ruleset %u packet %u: plain verdict %d rule %u steps %llu hits %u, "
					 "compiled %d rule %u steps %llu hits %u\n%s", k, i, a.verdict, a.rule,
					 (unsigned long long)a.steps, ha.n, b.verdict, b.rule,
					 (unsigned long long)b.steps, hb.n, text);
		}
		total += plain->examined;
		fewer += fast->examined;
		nft_eval_free(fast);
		nft_eval_free(plain);
		nft_ruleset_free(rs);
		free(text);
	}
	if (fewer >= total)
		fail_msg("compiled walk decided %llu rules, plain %llu", (unsigned long long)fewer,
			 (unsigned long long)total);
	print_message("random: the compiled walk decided %llu rules, the plain one %llu\n",
		      (unsigned long long)fewer, (unsigned long long)total);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_candidates),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
