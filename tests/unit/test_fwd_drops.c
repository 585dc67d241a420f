/* Unit tests for what the kernel drops of a packet for another host between the routing
 * step and the FORWARD hook, in both evaluators (iptables and nftables) alike:
 *  - ip_forward (net/ipv4/ip_forward.c): "if (ip_hdr(skb)->ttl <= 1) goto too_many_hops",
 *    before NF_HOOK(NFPROTO_IPV4, NF_INET_FORWARD, ...);
 *  - ip6_forward (net/ipv6/ip6_output.c): "if (devconf_all->forwarding == 0) goto error"
 *    (the IPv6 sysctl, not net.ipv4.ip_forward), "if (hdr->hop_limit <= 1)" (time
 *    exceeded), and a link-local source leaving by another interface than it came
 *    (ICMPV6_NOT_NEIGHBOUR, in the branch taken when no redirect is sent);
 *  - the forwarding setting not known: both outcomes, never a definite FORWARD hit;
 *  - IPv4's switch is the input device's (ip_route_input_slow, net/ipv4/route.c:
 *    "if (!IN_DEV_FORWARD(in_dev)) { err = -EHOSTUNREACH; goto no_route; }";
 *    IN_DEV_FORWARD reads the device's own conf, not all's), where it is recorded; an
 *    input device not given is the route's back to the source, a guess, so with devices
 *    set apart both outcomes;
 *  - since Linux 6.17 ip6_forward also forwards what comes in on a device whose
 *    force_forwarding is on: "if (!READ_ONCE(net->ipv6.devconf_all->forwarding) &&
 *    (!idev || !READ_ONCE(idev->cnf.force_forwarding))) goto error;".
 * The expected verdicts were worked out by hand from those lines of the kernel (6.1) for a
 * ruleset whose FORWARD chain accepts everything under a DROP policy: reaching FORWARD
 * means ACCEPT by the rule, a drop before it means DROP by a martian reason. Before this
 * change both evaluators accepted every row (TTL was not modelled, IPv6 used
 * net.ipv4.ip_forward, and forwarding not known was taken as on). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "common/prefix.h"
#include "policy/ipt.h"
#include "policy/nft.h"

#define V(x) IPT_VSET_##x
#define ON IPT_FWD_ON
#define OFF IPT_FWD_OFF

static const char IPT_RULES[] =
	"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
	"-A FORWARD -j ACCEPT\nCOMMIT\n";
/* nft -j list ruleset of: table inet t { chain fw { type filter hook forward priority 0;
 * policy drop; accept } } (nftables 1.0.6) */
static const char NFT_RULES[] =
	"{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"t\",\"handle\":1}},"
	"{\"chain\":{\"family\":\"inet\",\"table\":\"t\",\"name\":\"fw\",\"handle\":1,"
	"\"type\":\"filter\",\"hook\":\"forward\",\"prio\":0,\"policy\":\"drop\"}},"
	"{\"rule\":{\"family\":\"inet\",\"table\":\"t\",\"chain\":\"fw\",\"handle\":2,"
	"\"expr\":[{\"accept\":null}]}},{\"metainfo\":{\"version\":\"1.0.6\"}}]}";

struct frow {
	const char *name;
	int family;
	int fwd4, fwd6;		/* ctx.ip_forward, ctx.ip6_forward */
	const char *src, *dst, *in, *out;
	int ttl_min, ttl_max;	/* -1: not known */
	/* expected */
	enum ipt_verdict v;
	unsigned possible;
	enum ipt_martian martian;	/* for DROP */
	/* net.ipv4.conf.eth0/eth1.forwarding, net.ipv6.conf.eth0.force_forwarding: ON, OFF,
	 * 0 not recorded */
	int eth0_fwd, eth1_fwd, eth0_force6;
};

static const struct frow rows[] = {
	{"ttl 64", 4, ON, OFF, "203.0.113.9", "192.168.1.50", "eth0", "", 64, 64,
	 IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 0, 0, 0},
	{"ttl 1 expires", 4, ON, OFF, "203.0.113.9", "192.168.1.50", "eth0", "", 1, 1,
	 IPT_V_DROP, V(DROP), IPT_MARTIAN_TTL_EXPIRED, 0, 0, 0},
	{"ttl 0 on the wire expires too", 4, ON, OFF, "203.0.113.9", "192.168.1.50", "eth0", "",
	 0, 0, IPT_V_DROP, V(DROP), IPT_MARTIAN_TTL_EXPIRED, 0, 0, 0},
	{"ttl 2 passes (checked before the decrement)", 4, ON, ON, "203.0.113.9",
	 "192.168.1.50", "eth0", "", 2, 2, IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 0, 0, 0},
	{"ttls 1..64: some expire", 4, ON, OFF, "203.0.113.9", "192.168.1.50", "eth0", "", 1, 64,
	 IPT_V_UNKNOWN, V(ACCEPT) | V(DROP), IPT_MARTIAN_NONE, 0, 0, 0},
	{"ttl not known is taken as passing", 4, ON, OFF, "203.0.113.9", "192.168.1.50", "eth0",
	 "", -1, -1, IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 0, 0, 0},
	{"ipv4 forwarding not known", 4, 0, ON, "203.0.113.9", "192.168.1.50", "eth0", "",
	 64, 64, IPT_V_UNKNOWN, V(ACCEPT) | V(DROP), IPT_MARTIAN_NONE, 0, 0, 0},
	{"ipv6: its own sysctl off (ipv4 on)", 6, ON, OFF, "2001:db8:9::9", "2001:db8:1::50",
	 "eth0", "", 64, 64, IPT_V_DROP, V(DROP), IPT_MARTIAN_NO_FORWARD, 0, 0, 0},
	{"ipv6: its own sysctl on (ipv4 off)", 6, OFF, ON, "2001:db8:9::9", "2001:db8:1::50",
	 "eth0", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 0, 0, 0},
	{"ipv6 forwarding not known", 6, ON, 0, "2001:db8:9::9", "2001:db8:1::50", "eth0", "",
	 64, 64, IPT_V_UNKNOWN, V(ACCEPT) | V(DROP), IPT_MARTIAN_NONE, 0, 0, 0},
	{"ipv6 hop limit 1", 6, OFF, ON, "2001:db8:9::9", "2001:db8:1::50", "eth0", "", 1, 1,
	 IPT_V_DROP, V(DROP), IPT_MARTIAN_TTL_EXPIRED, 0, 0, 0},
	{"ipv6 link-local source out of another interface", 6, OFF, ON, "fe80::1",
	 "2001:db8:1::50", "eth0", "", 64, 64, IPT_V_DROP, V(DROP), IPT_MARTIAN_V6_FWD_LINKLOCAL, 0, 0, 0},
	{"ipv6 link-local source back out of its own interface (redirect)", 6, OFF, ON,
	 "fe80::1", "2001:db8:5::5", "eth0", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT),
	 IPT_MARTIAN_NONE, 0, 0, 0},
	{"ipv6 link-local source, output interface given", 6, OFF, ON, "febf::1",
	 "2001:db8:5::5", "eth0", "eth1", 64, 64, IPT_V_DROP, V(DROP),
	 IPT_MARTIAN_V6_FWD_LINKLOCAL, 0, 0, 0},
	{"fec0:: is not link-local", 6, OFF, ON, "fec0::1", "2001:db8:1::50", "eth0", "", 64, 64,
	 IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 0, 0, 0},
	{"ipv4: in on a device whose own forwarding is off (ip_forward on)", 4, ON, ON,
	 "203.0.113.9", "192.168.1.50", "eth0", "", 64, 64, IPT_V_DROP, V(DROP),
	 IPT_MARTIAN_NO_FORWARD, OFF, ON, 0},
	{"ipv4: in on a device whose own forwarding is on (ip_forward off)", 4, OFF, OFF,
	 "203.0.113.9", "192.168.1.50", "eth0", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT),
	 IPT_MARTIAN_NONE, ON, OFF, 0},
	{"ipv4: the output device's switch does not count", 4, ON, ON, "203.0.113.9",
	 "192.168.1.50", "eth0", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, ON, OFF, 0},
	{"ipv4: an input device not given (a row seen leaving), devices set apart: both", 4, ON,
	 ON, "203.0.113.9", "192.168.1.50", "", "", 64, 64, IPT_V_UNKNOWN, V(ACCEPT) | V(DROP),
	 IPT_MARTIAN_NONE, OFF, ON, 0},
	{"ipv4: an input device not given, every device as ip_forward", 4, ON, ON,
	 "203.0.113.9", "192.168.1.50", "", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT),
	 IPT_MARTIAN_NONE, ON, ON, 0},
	{"ipv4: a device not recorded follows ip_forward", 4, ON, ON, "203.0.113.9",
	 "192.168.1.50", "eth0", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 0, OFF, 0},
	{"ipv6 has no per-device switch to forward", 6, OFF, ON, "2001:db8:9::9",
	 "2001:db8:1::50", "eth0", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, OFF, OFF, 0},
	{"ipv6: all's off, the input device forced on (6.17)", 6, OFF, OFF, "2001:db8:9::9",
	 "2001:db8:1::50", "eth0", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 0, 0,
	 ON},
	{"ipv6: all's off, another device forced on", 6, OFF, OFF, "2001:db8:9::9",
	 "2001:db8:1::50", "eth1", "", 64, 64, IPT_V_DROP, V(DROP), IPT_MARTIAN_NO_FORWARD, 0,
	 0, ON},
	{"ipv6: all's off, a device forced on, the input device a guess: both", 6, OFF, OFF,
	 "2001:db8:9::9", "2001:db8:1::50", "", "", 64, 64, IPT_V_UNKNOWN, V(ACCEPT) | V(DROP),
	 IPT_MARTIAN_NONE, 0, 0, ON},
	{"ipv6: all's not recorded, the input device forced on", 6, OFF, 0, "2001:db8:9::9",
	 "2001:db8:1::50", "eth0", "", 64, 64, IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 0, 0,
	 ON},
};

/* The host: 10.0.0.1 on eth0, 192.168.1.1 on eth1; 192.168.1.0/24 and 2001:db8:1::/64
 * routed by eth1, the rest (default routes) by eth0. */
static const struct ipt_hostaddr host[] = {
	{"eth0", 4, 24, {10, 0, 0, 1}},
	{"eth1", 4, 24, {192, 168, 1, 1}},
	{"eth0", 6, 64, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}},
};

static void make_ctx(const struct frow *r, struct ipt_context *ctx, struct ipt_ifconf *ifc,
		     struct ipt_route *routes)
{
	memset(routes, 0, 4 * sizeof(*routes));
	assert_int_equal(prefix_parse("192.168.1.0/24", 4, &routes[0].dst), 0);
	strcpy(routes[0].ifname, "eth1");
	assert_int_equal(prefix_parse("0.0.0.0/0", 4, &routes[1].dst), 0);
	strcpy(routes[1].ifname, "eth0");
	assert_int_equal(prefix_parse("2001:db8:1::/64", 6, &routes[2].dst), 0);
	strcpy(routes[2].ifname, "eth1");
	assert_int_equal(prefix_parse("::/0", 6, &routes[3].dst), 0);
	strcpy(routes[3].ifname, "eth0");
	memset(ctx, 0, sizeof(*ctx));
	ctx->addrs = host;
	ctx->naddrs = 3;
	ctx->addrs_known = 1;
	ctx->ifconf = ifc;
	ctx->nifconf = 3;
	ctx->routes = routes;
	ctx->nroutes = 4;
	ctx->routes_known = 1;
	ctx->conntrack = 1;
	ctx->kernel = IPT_KVER(6, 1, 0);
	ctx->ip_forward = r->fwd4;
	ctx->ip6_forward = r->fwd6;
	ifc[1].forwarding = (int8_t)r->eth0_fwd;
	ifc[2].forwarding = (int8_t)r->eth1_fwd;
	ifc[1].force_forwarding6 = (int8_t)r->eth0_force6;
}

static void make_packet(const struct frow *r, struct ipt_packet *p)
{
	int af = r->family == 4 ? AF_INET : AF_INET6;

	ipt_packet_init(p, r->family, IPT_PATH_FORWARD);
	assert_int_equal(inet_pton(af, r->src, p->src), 1);
	assert_int_equal(inet_pton(af, r->dst, p->dst), 1);
	p->proto = 17;
	p->sport = 40000;
	p->dport = 53;
	p->ttl_known = r->ttl_min >= 0;
	p->ttl_min = (uint8_t)(r->ttl_min < 0 ? 0 : r->ttl_min);
	p->ttl_max = (uint8_t)(r->ttl_max < 0 ? 0 : r->ttl_max);
	snprintf(p->in_if, sizeof(p->in_if), "%s", r->in);
	snprintf(p->out_if, sizeof(p->out_if), "%s", r->out);
}

static void expect(const char *who, const struct frow *r, const struct ipt_result *res)
{
	if (res->verdict != r->v || res->possible != r->possible)
		fail_msg("%s, %s: verdict %s possible %#x, want %s %#x", who, r->name,
			 ipt_verdict_name(res->verdict), res->possible, ipt_verdict_name(r->v),
			 r->possible);
	if (r->v == IPT_V_DROP && (res->by != IPT_BY_MARTIAN || res->martian != r->martian))
		fail_msg("%s, %s: by %d martian %s, want martian %s", who, r->name, res->by,
			 ipt_martian_name(res->martian), ipt_martian_name(r->martian));
	if (r->v == IPT_V_ACCEPT && res->by != IPT_BY_RULE)
		fail_msg("%s, %s: decided by %d, not the rule", who, r->name, res->by);
}

static void test_ipt(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct frow *r = &rows[i];
		struct ipt_ifconf ifc[3] = {{"all", 0, 0, 0, 0, 0}, {"eth0", 0, 0, 0, 0, 0}, {"eth1", 0, 0, 0, 0, 0}};
		struct ipt_route routes[4];
		struct ipt_context ctx;
		struct ipt_error err;
		struct ipt_ruleset *rs = ipt_parse_buffer(IPT_RULES, strlen(IPT_RULES), "f",
							  r->family, &err);
		struct ipt_eval *ev;
		struct ipt_packet p;
		struct ipt_result res;

		if (!rs)
			fail_msg("parse %u:%u: %s", err.line, err.col, err.msg);
		make_ctx(r, &ctx, ifc, routes);
		ev = ipt_eval_new(rs, &ctx);
		assert_non_null(ev);
		make_packet(r, &p);
		assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
		expect("iptables", r, &res);
		ipt_eval_free(ev);
		ipt_ruleset_free(rs);
	}
}

static void test_nft(void **state)
{
	struct nft_error err;
	struct nft_ruleset *rs = nft_load_json(NFT_RULES, strlen(NFT_RULES), "t.json", &err);
	size_t i;

	(void)state;
	if (!rs)
		fail_msg("load: %s", err.msg);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct frow *r = &rows[i];
		struct ipt_ifconf ifc[3] = {{"all", 0, 0, 0, 0, 0}, {"eth0", 0, 0, 0, 0, 0}, {"eth1", 0, 0, 0, 0, 0}};
		struct ipt_route routes[4];
		struct ipt_context ctx;
		struct nft_eval *ev;
		struct ipt_packet p;
		struct ipt_result res;

		make_ctx(r, &ctx, ifc, routes);
		ev = nft_eval_new(rs, &ctx);
		assert_non_null(ev);
		make_packet(r, &p);
		assert_int_equal(nft_eval_packet(ev, &p, &res), 0);
		expect("nftables", r, &res);
		nft_eval_free(ev);
	}
	nft_ruleset_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipt),
		cmocka_unit_test(test_nft),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
