/* Unit tests for the nftables evaluator's re-route after a nat output chain (issue 9):
 * nf_nat_ipv4_local_fn (net/netfilter/nf_nat_proto.c), the hook function of every nat
 * output chain, routes a locally sent packet again (ip_route_me_harder) when the chain
 * changed its destination address: to this host through lo and back in, elsewhere out of
 * the route's device, a 127/8 source off lo refused (__mkroute_output: -EINVAL). Output
 * chains see the first route's device (__ip_local_out), postrouting the new one. The
 * JSON is what `nft -j list ruleset` (nftables 1.0.6) printed for the native ruleset
 * quoted below; expected values were worked out by hand from those kernel functions and
 * agree with tests/integration/nft/natout.nft under t_nft_kernel_diff.sh.
 *
 *   table ip t {
 *     chain out { type nat hook output priority -100; policy accept;
 *       ip daddr 203.0.113.50 tcp dport 443 dnat to 10.0.0.1:8000     # handle 5
 *       ip daddr 10.0.0.1 udp dport 53 dnat to 192.168.1.8            # handle 6
 *       ip daddr 10.0.0.2 udp dport 53 dnat to 192.168.1.255 }        # handle 12
 *     chain of { type filter hook output priority 0; policy accept;
 *       oifname "lo" counter                                          # handle 7
 *       oifname "eth0" counter }                                      # handle 8
 *     chain post { type filter hook postrouting priority 0; policy accept;
 *       oifname "lo" counter                                          # handle 9
 *       oifname "eth1" counter }                                      # handle 10
 *     chain in { type filter hook input priority 0; policy drop;
 *       iifname "lo" tcp dport 8000 accept }                          # handle 11
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
	"{\"nftables\":[{\"metainfo\":{\"version\":\"1.0.6\",\"release_name\":\"Lester Gooch #5\",\"j"
	"son_schema_version\":1}},{\"table\":{\"family\":\"ip\",\"name\":\"t\",\"handle\":64}},{\"cha"
	"in\":{\"family\":\"ip\",\"table\":\"t\",\"name\":\"out\",\"handle\":1,\"type\":\"nat\",\"hoo"
	"k\":\"output\",\"prio\":-100,\"policy\":\"accept\"}},{\"chain\":{\"family\":\"ip\",\"table\""
	":\"t\",\"name\":\"of\",\"handle\":2,\"type\":\"filter\",\"hook\":\"output\",\"prio\":0,\"pol"
	"icy\":\"accept\"}},{\"chain\":{\"family\":\"ip\",\"table\":\"t\",\"name\":\"post\",\"handle"
	"\":3,\"type\":\"filter\",\"hook\":\"postrouting\",\"prio\":0,\"policy\":\"accept\"}},{\"chai"
	"n\":{\"family\":\"ip\",\"table\":\"t\",\"name\":\"in\",\"handle\":4,\"type\":\"filter\",\"ho"
	"ok\":\"input\",\"prio\":0,\"policy\":\"drop\"}},{\"rule\":{\"family\":\"ip\",\"table\":\"t\""
	",\"chain\":\"out\",\"handle\":5,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{"
	"\"protocol\":\"ip\",\"field\":\"daddr\"}},\"right\":\"203.0.113.50\"}},{\"match\":{\"op\":\""
	"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":443}},{\"dn"
	"at\":{\"addr\":\"10.0.0.1\",\"port\":8000}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"t\","
	"\"chain\":\"out\",\"handle\":6,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\""
	"protocol\":\"ip\",\"field\":\"daddr\"}},\"right\":\"10.0.0.1\"}},{\"match\":{\"op\":\"==\","
	"\"left\":{\"payload\":{\"protocol\":\"udp\",\"field\":\"dport\"}},\"right\":53}},{\"dnat\":{"
	"\"addr\":\"192.168.1.8\"}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"t\",\"chain\":\"out\""
	",\"handle\":12,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"ip"
	"\",\"field\":\"daddr\"}},\"right\":\"10.0.0.2\"}},{\"match\":{\"op\":\"==\",\"left\":{\"payl"
	"oad\":{\"protocol\":\"udp\",\"field\":\"dport\"}},\"right\":53}},{\"dnat\":{\"addr\":\"192.1"
	"68.1.255\"}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"t\",\"chain\":\"of\",\"handle\":7,"
	"\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oifname\"}},\"right\":\"lo"
	"\"}},{\"counter\":{\"packets\":0,\"bytes\":0}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"t"
	"\",\"chain\":\"of\",\"handle\":8,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"k"
	"ey\":\"oifname\"}},\"right\":\"eth0\"}},{\"counter\":{\"packets\":0,\"bytes\":0}}]}},{\"rule"
	"\":{\"family\":\"ip\",\"table\":\"t\",\"chain\":\"post\",\"handle\":9,\"expr\":[{\"match\":{"
	"\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oifname\"}},\"right\":\"lo\"}},{\"counter\":{\"p"
	"ackets\":0,\"bytes\":0}}]}},{\"rule\":{\"family\":\"ip\",\"table\":\"t\",\"chain\":\"post\","
	"\"handle\":10,\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"oifname\"}},"
	"\"right\":\"eth1\"}},{\"counter\":{\"packets\":0,\"bytes\":0}}]}},{\"rule\":{\"family\":\"ip"
	"\",\"table\":\"t\",\"chain\":\"in\",\"handle\":11,\"expr\":[{\"match\":{\"op\":\"==\",\"left"
	"\":{\"meta\":{\"key\":\"iifname\"}},\"right\":\"lo\"}},{\"match\":{\"op\":\"==\",\"left\":{"
	"\"payload\":{\"protocol\":\"tcp\",\"field\":\"dport\"}},\"right\":8000}},{\"accept\":null}]}"
	"}]}";

struct ncase {
	const char *name;
	enum ipt_path path;
	const char *out, *src, *dst;
	uint8_t proto;
	uint16_t dport;
	enum ipt_verdict verdict;
	enum ipt_decider by;
	long handle;		/* deciding rule, -1 none */
	enum ipt_martian martian;
	long hits[6];		/* handles of the definite hits in order, 0-terminated */
	unsigned possible;	/* the verdicts possible when not only `verdict' (UNKNOWN) */
	int est;		/* a later packet (ACK, ESTABLISHED) of the connection */
};

static const struct ncase cases[] = {
	{"nat output dnat to a local address comes back in on lo", IPT_PATH_LOCAL_OUT, "eth0",
	 "10.0.0.1", "203.0.113.50", 6, 443, IPT_V_ACCEPT, IPT_BY_RULE, 11, IPT_MARTIAN_NONE,
	 {5, 8, 9, 11}, 0, 0},
	{"nat output dnat of a lo-bound packet to a remote host leaves by eth1",
	 IPT_PATH_LOOPBACK, "lo", "10.0.0.1", "10.0.0.1", 17, 53, IPT_V_ACCEPT, IPT_BY_RULE, 6,
	 IPT_MARTIAN_NONE, {6, 7, 10}, 0, 0},	/* dnat is its chain's accept */
	{"nat output dnat of 127.0.0.1 to a remote host is refused", IPT_PATH_LOOPBACK, "lo",
	 "127.0.0.1", "10.0.0.1", 17, 53, IPT_V_DROP, IPT_BY_MARTIAN, -1,
	 IPT_MARTIAN_REROUTE_LOOPBACK, {6}, 0, 0},
	/* ipt_nat_out_route cannot place a directed broadcast (RTN_BROADCAST: sent out and
	 * looped back): both outcomes, through lo to the input chain's drop policy, or out;
	 * before the fork, the first route stayed and the verdict was a definite ACCEPT */
	{"nat output dnat to a directed broadcast forks both routes", IPT_PATH_LOCAL_OUT, "eth0",
	 "10.0.0.1", "10.0.0.2", 17, 53, IPT_V_UNKNOWN, IPT_BY_UNKNOWN, -1, IPT_MARTIAN_NONE,
	 {12}, IPT_VSET(IPT_V_ACCEPT) | IPT_VSET(IPT_V_DROP), 0},
	/* the connection's later packets get its binding too (nf_nat_packet), so they take
	 * the same way through lo; the nat chain is not run for them, its rule not counted */
	{"a later packet of a nat output dnat connection comes back in on lo",
	 IPT_PATH_LOCAL_OUT, "eth0", "10.0.0.1", "203.0.113.50", 6, 443, IPT_V_ACCEPT,
	 IPT_BY_RULE, 11, IPT_MARTIAN_NONE, {8, 9, 11}, 0, 1},
};

struct hits {
	long handle[16];
	int n, maybe;		/* definite hits; possible ones counted */
	const struct nft_ruleset *rs;
};

static void on_hit(void *arg, uint32_t rule, int matched)
{
	struct hits *h = arg;
	struct nft_rule_info ri;

	if (matched != 1)
		h->maybe++;
	else if (h->n < 16 && nft_rule_get(h->rs, rule, &ri) == 0)
		h->handle[h->n++] = (long)ri.handle;
}

static void test_case(void **state)
{
	static const struct ipt_hostaddr host4[] = {
		{"lo", 4, 8, {127, 0, 0, 1}},
		{"eth0", 4, 24, {10, 0, 0, 1}},
		{"eth1", 4, 24, {192, 168, 1, 1}},
	};
	const struct ncase *c = *state;
	struct nft_error err;
	struct nft_ruleset *rs = nft_load_json(JS, strlen(JS), "t.json", &err);
	struct ipt_route routes[3];
	struct ipt_context ctx;
	struct nft_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;
	struct hits h;
	int i, nwant = 0;

	if (!rs)
		fail_msg("load: %s", err.msg);
	memset(routes, 0, sizeof(routes));
	prefix_parse("10.0.0.0/24", 4, &routes[0].dst);
	snprintf(routes[0].ifname, IPT_IFNAMSIZ, "eth0");
	prefix_parse("192.168.1.0/24", 4, &routes[1].dst);
	snprintf(routes[1].ifname, IPT_IFNAMSIZ, "eth1");
	prefix_parse("0.0.0.0/0", 4, &routes[2].dst);
	snprintf(routes[2].ifname, IPT_IFNAMSIZ, "eth0");
	memset(&ctx, 0, sizeof(ctx));
	ctx.addrs = host4;
	ctx.naddrs = 3;
	ctx.addrs_known = 1;
	ctx.routes = routes;
	ctx.nroutes = 3;
	ctx.routes_known = 1;
	ctx.conntrack = 1;
	ctx.kernel = IPT_KVER(6, 1, 0);
	ctx.ip_forward = ctx.ip6_forward = IPT_FWD_ON;
	ev = nft_eval_new(rs, &ctx);
	assert_non_null(ev);
	memset(&h, 0, sizeof(h));
	h.rs = rs;
	nft_eval_set_hook(ev, on_hit, &h);
	ipt_packet_init(&p, 4, c->path);
	assert_int_equal(inet_pton(AF_INET, c->src, p.src), 1);
	assert_int_equal(inet_pton(AF_INET, c->dst, p.dst), 1);
	p.proto = c->proto;
	p.sport = 40000;
	p.dport = c->dport;
	p.tcp_flags = IPT_TCP_SYN;
	if (c->est) {	/* as check_flow_packet_est() gives it */
		p.ctstate = IPT_CT_ESTABLISHED;
		p.tcp_flags = IPT_TCP_ACK;
		p.nat_replay = 1;
	}
	snprintf(p.out_if, sizeof(p.out_if), "%s", c->out);
	if (c->path == IPT_PATH_LOOPBACK)
		snprintf(p.in_if, sizeof(p.in_if), "lo");
	assert_int_equal(nft_eval_packet(ev, &p, &res), 0);
	if (res.verdict != c->verdict || res.by != c->by ||
	    res.possible != (c->possible ? c->possible : IPT_VSET(c->verdict)))
		fail_msg("%s: verdict %s possible %#x by %d, want %s by %d", c->name,
			 ipt_verdict_name(res.verdict), res.possible, res.by,
			 ipt_verdict_name(c->verdict), c->by);
	if (c->handle >= 0) {
		struct nft_rule_info ri;

		assert_int_equal(nft_rule_get(rs, res.rule, &ri), 0);
		if ((long)ri.handle != c->handle)
			fail_msg("%s: deciding handle %ld, want %ld", c->name, (long)ri.handle, c->handle);
	}
	if (res.martian != c->martian)
		fail_msg("%s: martian %s, want %s", c->name, ipt_martian_name(res.martian),
			 ipt_martian_name(c->martian));
	while (nwant < 6 && c->hits[nwant])
		nwant++;
	for (i = 0; i < h.n || i < nwant; i++)
		if (i >= h.n || i >= nwant || h.handle[i] != c->hits[i])
			fail_msg("%s: definite hit %d is handle %ld, want %ld", c->name, i,
				 i < h.n ? h.handle[i] : 0, i < nwant ? c->hits[i] : 0);
	if (!c->possible && h.maybe)
		fail_msg("%s: %d possible hits, want every hit definite", c->name, h.maybe);
	if (c->possible && !h.maybe)
		fail_msg("%s: no possible hit after the fork", c->name);
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
