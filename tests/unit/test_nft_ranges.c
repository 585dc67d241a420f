/* Unit tests for two comparisons of one field in a row. nftables 1.0.6 lists `>= a <= b`
 * as the range "a-b" and `< a > b` as "!= a-b" (netlink_delinearize.c), whatever a and b
 * are; the kernel runs the two comparisons. The JSON below is what `nft -j list ruleset`
 * printed for the native ruleset quoted here, and `nft --debug=netlink list ruleset`
 * showed the kernel's expressions, from which the expected hits were worked out by hand:
 * handle 2 is `cmp lt 2000; cmp gt 1000` (1001 .. 1999), handle 3 `cmp lt 1024; cmp gt
 * 1023` (nothing), handle 4 `cmp gte 3000; cmp lte 2000` (nothing), handle 5 `range neq
 * 1000 2000` (below 1000 or above 2000), handle 6 `cmp lt 45.33.1.30; cmp gt 45.33.1.10`
 * (45.33.1.11 .. 45.33.1.29). tests/integration/nft/ranges.nft runs more of them against
 * the kernel's counters under t_nft_kernel_diff.sh.
 *
 *   table ip r {
 *     chain input { type filter hook input priority 0; policy accept;
 *       udp dport < 2000 udp dport > 1000 counter                   # handle 2
 *       tcp dport < 1024 tcp dport > 1023 counter                   # handle 3
 *       udp dport >= 3000 udp dport <= 2000 counter                 # handle 4
 *       udp dport != 1000-2000 counter                              # handle 5
 *       ip saddr < 45.33.1.30 ip saddr > 45.33.1.10 counter }       # handle 6
 *   } */
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

static const char JS[] =
	"{\"nftables\": [{\"metainfo\": {\"version\": \"1.0.6\", \"release_name\": \"Lester Gooch #5"
	"\", \"json_schema_version\": 1}}, {\"table\": {\"family\": \"ip\", \"name\": \"r\", \"handle"
	"\": 63}}, {\"chain\": {\"family\": \"ip\", \"table\": \"r\", \"name\": \"input\", \"handle\""
	": 1, \"type\": \"filter\", \"hook\": \"input\", \"prio\": 0, \"policy\": \"accept\"}}, {\"ru"
	"le\": {\"family\": \"ip\", \"table\": \"r\", \"chain\": \"input\", \"handle\": 2, \"expr\": "
	"[{\"match\": {\"op\": \"!=\", \"left\": {\"payload\": {\"protocol\": \"udp\", \"field\": \"d"
	"port\"}}, \"right\": {\"range\": [2000, 1000]}}}, {\"counter\": {\"packets\": 0, \"bytes\": "
	"0}}]}}, {\"rule\": {\"family\": \"ip\", \"table\": \"r\", \"chain\": \"input\", \"handle\": "
	"3, \"expr\": [{\"match\": {\"op\": \"!=\", \"left\": {\"payload\": {\"protocol\": \"tcp\", "
	"\"field\": \"dport\"}}, \"right\": {\"range\": [1024, 1023]}}}, {\"counter\": {\"packets\": "
	"0, \"bytes\": 0}}]}}, {\"rule\": {\"family\": \"ip\", \"table\": \"r\", \"chain\": \"input\""
	", \"handle\": 4, \"expr\": [{\"match\": {\"op\": \"==\", \"left\": {\"payload\": {\"protocol"
	"\": \"udp\", \"field\": \"dport\"}}, \"right\": {\"range\": [3000, 2000]}}}, {\"counter\": {"
	"\"packets\": 0, \"bytes\": 0}}]}}, {\"rule\": {\"family\": \"ip\", \"table\": \"r\", \"chain"
	"\": \"input\", \"handle\": 5, \"expr\": [{\"match\": {\"op\": \"!=\", \"left\": {\"payload\""
	": {\"protocol\": \"udp\", \"field\": \"dport\"}}, \"right\": {\"range\": [1000, 2000]}}}, {"
	"\"counter\": {\"packets\": 0, \"bytes\": 0}}]}}, {\"rule\": {\"family\": \"ip\", \"table\": "
	"\"r\", \"chain\": \"input\", \"handle\": 6, \"expr\": [{\"match\": {\"op\": \"!=\", \"left\""
	": {\"payload\": {\"protocol\": \"ip\", \"field\": \"saddr\"}}, \"right\": {\"range\": [\"45."
	"33.1.30\", \"45.33.1.10\"]}}}, {\"counter\": {\"packets\": 0, \"bytes\": 0}}]}}]}";

struct rcase {
	const char *name;
	const char *src;
	uint8_t proto;
	uint16_t dport;
	long hits[4];		/* handles of the rules that match, in order, 0-terminated */
};

static const struct rcase cases[] = {
	{"udp 1000: below `< 2000 > 1000', inside != 1000-2000", "45.33.1.5", 17, 1000, {0}},
	{"udp 1001: lowest of `< 2000 > 1000'", "45.33.1.5", 17, 1001, {2}},
	{"udp 1999: highest of `< 2000 > 1000'", "45.33.1.5", 17, 1999, {2}},
	{"udp 2000: above `< 2000 > 1000', inside != 1000-2000", "45.33.1.5", 17, 2000, {0}},
	{"udp 999: the range neq only", "45.33.1.5", 17, 999, {5}},
	{"udp 2500: `>= 3000 <= 2000' selects nothing", "45.33.1.5", 17, 2500, {5}},
	{"udp 3000: `>= 3000 <= 2000' selects nothing", "45.33.1.5", 17, 3000, {5}},
	{"tcp 1023: `< 1024 > 1023' selects nothing", "45.33.1.5", 6, 1023, {0}},
	{"tcp 1024: `< 1024 > 1023' selects nothing", "45.33.1.5", 6, 1024, {0}},
	{"source 45.33.1.10: below `< .30 > .10'", "45.33.1.10", 6, 80, {0}},
	{"source 45.33.1.11: lowest of `< .30 > .10'", "45.33.1.11", 6, 80, {6}},
	{"source 45.33.1.29: highest of `< .30 > .10'", "45.33.1.29", 17, 1500, {2, 6}},
	{"source 45.33.1.30: above `< .30 > .10'", "45.33.1.30", 6, 80, {0}},
};

struct hits {
	long handle[16];
	int n;
	const struct nft_ruleset *rs;
};

static void on_hit(void *arg, uint32_t rule, int matched)
{
	struct hits *h = arg;
	struct nft_rule_info ri;

	if (matched != 1)
		fail_msg("rule %u: match %d, want a definite answer", rule, matched);
	if (h->n < 16 && nft_rule_get(h->rs, rule, &ri) == 0)
		h->handle[h->n++] = (long)ri.handle;
}

static void test_case(void **state)
{
	static const struct ipt_hostaddr host4[] = {{"lo", 4, 8, {127, 0, 0, 1}},
						     {"eth0", 4, 24, {192, 0, 2, 1}}};
	static const struct ipt_ifconf conf[] = {{"all", 0, 0, 0, 0, 0}, {"eth0", 0, 0, 0, 0, 0}};
	const struct rcase *c = *state;
	struct nft_error err;
	struct nft_ruleset *rs = nft_load_json(JS, strlen(JS), "r.json", &err);
	struct ipt_route routes[2];
	struct ipt_context ctx;
	struct nft_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;
	struct hits h;
	int i, nwant = 0;

	if (!rs)
		fail_msg("load: %s", err.msg);
	memset(&ctx, 0, sizeof(ctx));
	ctx.addrs = host4;
	ctx.naddrs = 2;
	ctx.ifconf = conf;
	ctx.nifconf = 2;
	ctx.addrs_known = 1;
	memset(routes, 0, sizeof(routes));
	prefix_parse("192.0.2.0/24", 4, &routes[0].dst);
	snprintf(routes[0].ifname, IPT_IFNAMSIZ, "eth0");
	prefix_parse("0.0.0.0/0", 4, &routes[1].dst);
	snprintf(routes[1].ifname, IPT_IFNAMSIZ, "eth0");
	ctx.routes = routes;
	ctx.nroutes = 2;
	ctx.routes_known = 1;
	ctx.conntrack = 1;
	ctx.ip_forward = ctx.ip6_forward = IPT_FWD_ON;
	ctx.kernel = IPT_KVER(6, 1, 0);
	ev = nft_eval_new(rs, &ctx);
	assert_non_null(ev);
	memset(&h, 0, sizeof(h));
	h.rs = rs;
	nft_eval_set_hook(ev, on_hit, &h);
	ipt_packet_init(&p, 4, IPT_PATH_INCOMING);
	assert_int_equal(inet_pton(AF_INET, c->src, p.src), 1);
	assert_int_equal(inet_pton(AF_INET, "192.0.2.1", p.dst), 1);
	p.proto = c->proto;
	p.sport = 40000;
	p.dport = c->dport;
	p.tcp_flags = IPT_TCP_SYN;
	snprintf(p.in_if, sizeof(p.in_if), "eth0");
	assert_int_equal(nft_eval_packet(ev, &p, &res), 0);
	if (res.verdict != IPT_V_ACCEPT || res.possible != IPT_VSET(IPT_V_ACCEPT))
		fail_msg("%s: verdict %s possible %#x, want ACCEPT only", c->name,
			 ipt_verdict_name(res.verdict), res.possible);
	while (nwant < 4 && c->hits[nwant])
		nwant++;
	for (i = 0; i < h.n || i < nwant; i++)
		if (i >= h.n || i >= nwant || h.handle[i] != c->hits[i])
			fail_msg("%s: hit %d is handle %ld, want %ld", c->name, i,
				 i < h.n ? h.handle[i] : 0, i < nwant ? c->hits[i] : 0);
	nft_eval_free(ev);
	nft_ruleset_free(rs);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0])];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct CMUnitTest t = {cases[i].name, test_case, NULL, NULL, (void *)&cases[i]};

		tests[i] = t;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
