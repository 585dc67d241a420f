/* Unit tests for the re-route after nat OUTPUT (issue 9): a locally generated packet whose
 * destination address a DNAT or REDIRECT in nat OUTPUT changed is routed again
 * (nf_nat_ipv4_local_fn / nf_nat_ipv6_local_fn in net/netfilter/nf_nat_proto.c ->
 * ip_route_me_harder in net/ipv4/netfilter.c, ip6_route_me_harder in net/ipv6/netfilter.c).
 * Expected values were worked out by hand from those sources and from __ip_local_out
 * (net/ipv4/ip_output.c: every LOCAL_OUT hook gets state->out = the first route's device,
 * skb_dst(skb)->dev before the hooks ran), ip_output (POSTROUTING sees the new route's
 * device), loopback_xmit -> ip_rcv (the packet comes back in on lo: raw and mangle
 * PREROUTING, mangle/filter/security INPUT; nat PREROUTING/INPUT not again, the conntrack
 * entry has its bindings) and __mkroute_output in net/ipv4/route.c (a 127/8 source sent
 * out of a device other than lo: -EINVAL, the packet is dropped). Each row lists the
 * rules the packet definitely passes, in order, and the deciding rule or policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "policy/ipt.h"

static const char RS4[] =
	"*nat\n"						/* 1 */
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [0:0]\n"
	"-A OUTPUT -d 203.0.113.50/32 -p tcp -j DNAT --to-destination 10.0.0.1:8000\n"	/* 6 */
	"-A OUTPUT -d 203.0.113.51/32 -p tcp -j REDIRECT --to-ports 8001\n"		/* 7 */
	"-A OUTPUT -d 127.0.0.1/32 -p tcp -m tcp --dport 9000 -j DNAT --to-destination 192.168.1.7:80\n" /* 8 */
	"-A OUTPUT -d 10.0.0.1/32 -p udp -m udp --dport 53 -j DNAT --to-destination 192.168.1.8\n" /* 9 */
	"-A OUTPUT -d 203.0.113.52/32 -p tcp -j DNAT --to-destination 203.0.113.52:8443\n" /* 10 */
	"-A POSTROUTING -o eth0 -j MASQUERADE\n"		/* 11 */
	"-A POSTROUTING -o lo\n"				/* 12 */
	"-A POSTROUTING -o eth1\n"				/* 13 */
	"COMMIT\n"
	"*filter\n"						/* 15 */
	":INPUT DROP [0:0]\n"					/* 16 */
	":FORWARD DROP [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"				/* 18 */
	"-A INPUT -i lo -p tcp -m tcp --dport 8000 -j ACCEPT\n"	/* 19 */
	"-A INPUT -i lo -p tcp -m tcp --dport 8001 -j REJECT\n"	/* 20 */
	"-A OUTPUT -o lo\n"					/* 21 */
	"-A OUTPUT -o eth0\n"					/* 22 */
	"-A OUTPUT -o eth1\n"					/* 23 */
	"COMMIT\n";

static const char RS6[] =
	"*nat\n"						/* 1 */
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [0:0]\n"
	"-A OUTPUT -d 2001:db8:99::50/128 -p tcp -j REDIRECT --to-ports 8001\n"	/* 6 */
	"-A OUTPUT -d 2001:db8:1::1/128 -p udp -j DNAT --to-destination 2001:db8:2::8\n" /* 7 */
	"-A POSTROUTING -o lo\n"				/* 8 */
	"-A POSTROUTING -o eth1\n"				/* 9 */
	"COMMIT\n"
	"*filter\n"						/* 11 */
	":INPUT DROP [0:0]\n"					/* 12 */
	":FORWARD DROP [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"				/* 14 */
	"-A INPUT -i lo -p tcp -m tcp --dport 8001 -j ACCEPT\n"	/* 15 */
	"-A OUTPUT -o lo\n"					/* 16 */
	"-A OUTPUT -o eth0\n"					/* 17 */
	"COMMIT\n";

#define V(x) IPT_VSET_##x

struct ncase {
	const char *name;
	int family;
	enum ipt_path path;
	const char *out, *src, *dst;
	uint8_t proto;
	uint16_t dport;
	/* expected */
	enum ipt_verdict verdict;
	enum ipt_decider by;
	unsigned line;		/* deciding rule or policy line, 0 none */
	enum ipt_martian martian;
	unsigned hits[8];	/* lines of the definite hits in order, 0-terminated */
};

static const struct ncase cases[] = {
	/* DNAT to this host's address on eth0: out through lo. filter OUTPUT still sees
	 * -o eth0 (state->out), POSTROUTING -o lo (no MASQUERADE), INPUT on lo decides */
	{"OUTPUT DNAT to a local address comes back in on lo", 4, IPT_PATH_LOCAL_OUT, "eth0",
	 "10.0.0.1", "203.0.113.50", 6, 443, IPT_V_ACCEPT, IPT_BY_RULE, 19, IPT_MARTIAN_NONE,
	 {6, 22, 12, 19}},
	/* REDIRECT in nat OUTPUT: 127.0.0.1 (nf_nat_redirect_ipv4), port 8001 */
	{"OUTPUT REDIRECT comes back in on lo", 4, IPT_PATH_LOCAL_OUT, "eth0", "10.0.0.1",
	 "203.0.113.51", 6, 443, IPT_V_REJECT, IPT_BY_RULE, 20, IPT_MARTIAN_NONE, {7, 22, 12, 20}},
	/* a packet to this host's own address (over lo) DNATed to a remote host: out of eth1
	 * (route 192.168.1.0/24); filter OUTPUT sees -o lo, POSTROUTING -o eth1; no INPUT */
	{"OUTPUT DNAT of a lo-bound packet to a remote host leaves by eth1", 4,
	 IPT_PATH_LOOPBACK, "lo", "10.0.0.1", "10.0.0.1", 17, 53, IPT_V_ACCEPT, IPT_BY_POLICY, 18,
	 IPT_MARTIAN_NONE, {9, 21, 13}},
	/* the same from 127.0.0.1: __mkroute_output refuses a loopback source off lo */
	{"OUTPUT DNAT of 127.0.0.1 -> 127.0.0.1 to a remote host is refused", 4,
	 IPT_PATH_LOOPBACK, "lo", "127.0.0.1", "127.0.0.1", 6, 9000, IPT_V_DROP, IPT_BY_MARTIAN, 0,
	 IPT_MARTIAN_REROUTE_LOOPBACK, {8}},
	/* only the port changed: no re-route (the tuples' addresses are equal) */
	{"OUTPUT DNAT of the port alone keeps the route", 4, IPT_PATH_LOCAL_OUT, "eth0",
	 "10.0.0.1", "203.0.113.52", 6, 443, IPT_V_ACCEPT, IPT_BY_POLICY, 18, IPT_MARTIAN_NONE,
	 {10, 22, 11}},
	/* IPv6: REDIRECT in nat OUTPUT goes to ::1 (nf_nat_redirect_ipv6) */
	{"IPv6 OUTPUT REDIRECT comes back in on lo", 6, IPT_PATH_LOCAL_OUT, "eth0",
	 "2001:db8:1::1", "2001:db8:99::50", 6, 443, IPT_V_ACCEPT, IPT_BY_RULE, 15,
	 IPT_MARTIAN_NONE, {6, 17, 8, 15}},
	{"IPv6 OUTPUT DNAT of a lo-bound packet to a remote host leaves by eth1", 6,
	 IPT_PATH_LOOPBACK, "lo", "2001:db8:1::1", "2001:db8:1::1", 17, 53, IPT_V_ACCEPT,
	 IPT_BY_POLICY, 14, IPT_MARTIAN_NONE, {7, 16, 9}},
};

struct hits {
	unsigned line[16];
	int matched[16];
	int n;
	const struct ipt_ruleset *rs;
};

static void on_hit(void *arg, uint32_t rule, int matched)
{
	struct hits *h = arg;
	struct ipt_rule_info ri;

	if (h->n < 16 && ipt_rule_get(h->rs, rule, &ri) == 0) {
		h->line[h->n] = ri.line;
		h->matched[h->n++] = matched;
	}
}

static void make_ctx(int family, struct ipt_context *ctx, struct ipt_route *routes)
{
	static const struct ipt_hostaddr host4[] = {
		{"lo", 4, 8, {127, 0, 0, 1}},
		{"eth0", 4, 24, {10, 0, 0, 1}},
		{"eth1", 4, 24, {192, 168, 1, 1}},
	};
	static const struct ipt_hostaddr host6[] = {
		{"eth0", 6, 64, {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 1}},
		{"eth1", 6, 64, {0x20, 0x01, 0x0d, 0xb8, 0, 2, [15] = 1}},
	};

	memset(ctx, 0, sizeof(*ctx));
	memset(routes, 0, 3 * sizeof(*routes));
	prefix_parse(family == 4 ? "10.0.0.0/24" : "2001:db8:1::/64", family, &routes[0].dst);
	snprintf(routes[0].ifname, IPT_IFNAMSIZ, "eth0");
	prefix_parse(family == 4 ? "192.168.1.0/24" : "2001:db8:2::/64", family, &routes[1].dst);
	snprintf(routes[1].ifname, IPT_IFNAMSIZ, "eth1");
	prefix_parse(family == 4 ? "0.0.0.0/0" : "::/0", family, &routes[2].dst);
	snprintf(routes[2].ifname, IPT_IFNAMSIZ, "eth0");
	ctx->addrs = family == 4 ? host4 : host6;
	ctx->naddrs = family == 4 ? 3 : 2;
	ctx->addrs_known = 1;
	ctx->routes = routes;
	ctx->nroutes = 3;
	ctx->routes_known = 1;
	ctx->conntrack = 1;
	ctx->kernel = IPT_KVER(6, 1, 0);
	ctx->ip_forward = ctx->ip6_forward = IPT_FWD_ON;
}

static void test_case(void **state)
{
	const struct ncase *c = *state;
	const char *rules = c->family == 4 ? RS4 : RS6;
	int af = c->family == 4 ? AF_INET : AF_INET6;
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(rules, strlen(rules), "n", c->family, &err);
	struct ipt_route routes[3];
	struct ipt_context ctx;
	struct ipt_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;
	struct hits h;
	unsigned line = 0;
	int i, nwant = 0;

	if (!rs)
		fail_msg("%s: parse %u:%u: %s", c->name, err.line, err.col, err.msg);
	make_ctx(c->family, &ctx, routes);
	ev = ipt_eval_new(rs, &ctx);
	assert_non_null(ev);
	memset(&h, 0, sizeof(h));
	h.rs = rs;
	ipt_eval_set_hook(ev, on_hit, &h);
	ipt_packet_init(&p, c->family, c->path);
	assert_int_equal(inet_pton(af, c->src, p.src), 1);
	assert_int_equal(inet_pton(af, c->dst, p.dst), 1);
	p.proto = c->proto;
	p.sport = 40000;
	p.dport = c->dport;
	p.tcp_flags = IPT_TCP_SYN;
	snprintf(p.out_if, sizeof(p.out_if), "%s", c->out);
	if (c->path == IPT_PATH_LOOPBACK)
		snprintf(p.in_if, sizeof(p.in_if), "lo");
	assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
	if (res.verdict != c->verdict || res.by != c->by || res.possible != IPT_VSET(c->verdict))
		fail_msg("%s: verdict %s possible %#x by %d, want %s by %d", c->name,
			 ipt_verdict_name(res.verdict), res.possible, res.by,
			 ipt_verdict_name(c->verdict), c->by);
	if (res.rule != IPT_NONE) {
		struct ipt_rule_info ri;

		assert_int_equal(ipt_rule_get(rs, res.rule, &ri), 0);
		line = ri.line;
	} else if (res.chain != IPT_NONE) {
		struct ipt_chain_info ci;

		assert_int_equal(ipt_chain_get(rs, res.chain, &ci), 0);
		line = ci.line;
	}
	if (line != c->line)
		fail_msg("%s: deciding line %u, want %u", c->name, line, c->line);
	if (res.martian != c->martian)
		fail_msg("%s: martian %s, want %s", c->name, ipt_martian_name(res.martian),
			 ipt_martian_name(c->martian));
	while (nwant < 8 && c->hits[nwant])
		nwant++;
	for (i = 0; i < h.n || i < nwant; i++)
		if (i >= h.n || i >= nwant || h.line[i] != c->hits[i] || h.matched[i] != 1)
			fail_msg("%s: hit %d is line %u (matched %d), want line %u", c->name, i,
				 i < h.n ? h.line[i] : 0, i < h.n ? h.matched[i] : 0,
				 i < nwant ? c->hits[i] : 0);
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
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
