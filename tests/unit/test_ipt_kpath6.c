/* Unit tests for the evaluator faults the IPv6 kernel differential test found (issue 9,
 * tests/integration/t_ipt_kernel_diff.sh): ip6tables-save's "[addr]:port" DNAT form in a
 * file whose first IPv6 hint it is, ip6_rcv_core()'s drop of interface-local and
 * reserved-scope multicast destinations, ip6_mc_input()'s delivery of joined groups only,
 * and (IPv4) ip_route_me_harder() refusing a 127/8 source re-routed off lo after a mangle
 * OUTPUT MARK. Expected values worked out by hand from net/ipv6/ip6_input.c,
 * net/ipv6/addrconf.c, net/ipv4/netfilter/iptable_mangle.c, net/ipv4/netfilter.c and
 * net/ipv4/route.c (__mkroute_output) of Linux 6.x. */
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

static const char RS6[] =	/* nat first: its DNAT is the file's first IPv6 hint */
	"*nat\n"
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [0:0]\n"
	"-A PREROUTING -p tcp -m tcp --dport 8000 -j DNAT --to-destination [2001:db8:1::30]:80\n"
	"COMMIT\n"
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD DROP [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -p udp -j ACCEPT\n"		/* 12 */
	"COMMIT\n";

static const struct ipt_hostaddr host6[] = {
	{"eth0", 6, 64, {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10}},
	{"lo", 6, 128, {[15] = 1}},
};

struct case6 {
	const char *name, *src, *dst;
	enum ipt_verdict want;
	unsigned possible;
	enum ipt_martian martian;	/* IPT_BY_MARTIAN rows */
	unsigned line;			/* IPT_BY_RULE rows: the deciding rule's line */
};

#define V(x) IPT_VSET(IPT_V_##x)

static const struct case6 cases6[] = {
	{"ff02::1 all-nodes is delivered", "2001:db8:1::20", "ff02::1", IPT_V_ACCEPT, V(ACCEPT),
	 IPT_MARTIAN_NONE, 12},
	{"solicited-node group of our address", "2001:db8:1::20", "ff02::1:ff00:10", IPT_V_ACCEPT,
	 V(ACCEPT), IPT_MARTIAN_NONE, 12},
	{"solicited-node group of another address", "2001:db8:1::20", "ff02::1:ff00:11",
	 IPT_V_UNKNOWN, V(ACCEPT) | V(DROP), IPT_MARTIAN_NONE, 0},
	{"group not known to be joined", "2001:db8:1::20", "ff02::fb", IPT_V_UNKNOWN,
	 V(ACCEPT) | V(DROP), IPT_MARTIAN_NONE, 0},
	{"interface-local multicast off lo", "2001:db8:1::20", "ff01::1", IPT_V_DROP, V(DROP),
	 IPT_MARTIAN_V6_MC_SCOPE, 0},
	{"reserved-scope multicast", "2001:db8:1::20", "ff00::1", IPT_V_DROP, V(DROP),
	 IPT_MARTIAN_V6_MC_SCOPE, 0},
	{"::1 source off lo", "::1", "2001:db8:1::10", IPT_V_DROP, V(DROP), IPT_MARTIAN_V6_LOOPBACK,
	 0},
	{"v4-mapped loopback source is delivered", "::ffff:127.0.0.1", "2001:db8:1::10",
	 IPT_V_ACCEPT, V(ACCEPT), IPT_MARTIAN_NONE, 12},
};

static void test_case6(void **state)
{
	const struct case6 *c = *state;
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(RS6, strlen(RS6), "k6", 0, &err);
	struct ipt_context ctx;
	struct ipt_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;
	struct ipt_rule_info ri;

	if (!rs)
		fail_msg("parse %u:%u: %s", err.line, err.col, err.msg);
	assert_int_equal(ipt_ruleset_family(rs), 6);
	memset(&ctx, 0, sizeof(ctx));
	ctx.addrs = host6;
	ctx.naddrs = 2;
	ctx.addrs_known = 1;
	ctx.conntrack = 1;
	ctx.ip_forward = ctx.ip6_forward = IPT_FWD_ON;
	ev = ipt_eval_new(rs, &ctx);
	assert_non_null(ev);
	ipt_packet_init(&p, 6, IPT_PATH_INCOMING);
	assert_int_equal(inet_pton(AF_INET6, c->src, p.src), 1);
	assert_int_equal(inet_pton(AF_INET6, c->dst, p.dst), 1);
	p.proto = 17;
	p.sport = 40000;
	p.dport = 5353;
	p.pkttype = p.dst[0] == 0xff ? IPT_PKT_MULTICAST : IPT_PKT_HOST;
	snprintf(p.in_if, sizeof(p.in_if), "eth0");
	assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
	if (res.verdict != c->want || res.possible != c->possible)
		fail_msg("%s: verdict %d possible %#x, want %d %#x", c->name, res.verdict, res.possible,
			 c->want, c->possible);
	if (c->martian != IPT_MARTIAN_NONE &&
	    (res.by != IPT_BY_MARTIAN || res.martian != c->martian))
		fail_msg("%s: by %d martian %s", c->name, res.by, ipt_martian_name(res.martian));
	if (c->line && (res.by != IPT_BY_RULE || ipt_rule_get(rs, res.rule, &ri) != 0 ||
			ri.line != c->line))
		fail_msg("%s: by %d rule %u", c->name, res.by, res.rule);
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
}

static void test_dnat6(void **state)
{
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(RS6, strlen(RS6), "k6", 0, &err);
	uint8_t want[16];

	(void)state;
	if (!rs)
		fail_msg("parse %u:%u: %s", err.line, err.col, err.msg);
	assert_int_equal(ipt_ruleset_family(rs), 6);
	{
		struct ipt_context ctx;
		struct ipt_eval *ev;
		struct ipt_packet p;
		struct ipt_result res;

		memset(&ctx, 0, sizeof(ctx));
		ctx.addrs = host6;
		ctx.naddrs = 2;
		ctx.addrs_known = 1;
		ctx.conntrack = 1;
		ctx.ip_forward = ctx.ip6_forward = IPT_FWD_ON;
		ev = ipt_eval_new(rs, &ctx);
		assert_non_null(ev);
		ipt_packet_init(&p, 6, IPT_PATH_INCOMING);
		inet_pton(AF_INET6, "2001:db8:51::7", p.src);
		inet_pton(AF_INET6, "2001:db8:1::10", p.dst);
		p.proto = 6;
		p.tcp_flags = IPT_TCP_SYN;
		p.sport = 40000;
		p.dport = 8000;
		snprintf(p.in_if, sizeof(p.in_if), "eth0");
		assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
		inet_pton(AF_INET6, "2001:db8:1::30", want);
		assert_memory_equal(res.nat.dst, want, 16);
		assert_int_equal(res.nat.dport, 80);
		/* forwarded: filter FORWARD's policy DROP decides */
		assert_int_equal(res.verdict, IPT_V_DROP);
		assert_int_equal(res.by, IPT_BY_POLICY);
		ipt_eval_free(ev);
	}
	ipt_ruleset_free(rs);
}

/* mangle OUTPUT changes the mark of a locally sent packet with a 127/8 source going out
 * eth0: ip_route_me_harder keeps the RTN_LOCAL source, __mkroute_output says -EINVAL. */
static const char RS_MARK[] =
	"*raw\n"
	":PREROUTING ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A OUTPUT -j MARK --set-xmark 0x0/0xffffffff\n"	/* 4: the old mark known, 0 */
	"COMMIT\n"
	"*mangle\n"
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [0:0]\n"
	"-A OUTPUT -p udp -j MARK --set-xmark 0x3/0xff\n"	/* 12 */
	"COMMIT\n";

static void mark_one(const char *rules, const char *src, const char *out, int path,
		     enum ipt_verdict want, unsigned possible)
{
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(rules, strlen(rules), "m", 4, &err);
	struct ipt_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;

	if (!rs)
		fail_msg("parse %u:%u: %s", err.line, err.col, err.msg);
	ev = ipt_eval_new(rs, NULL);
	assert_non_null(ev);
	ipt_packet_init(&p, 4, (enum ipt_path)path);
	inet_pton(AF_INET, src, p.src);
	inet_pton(AF_INET, path == IPT_PATH_LOOPBACK ? "127.0.0.1" : "203.0.113.9", p.dst);
	p.proto = 17;
	p.sport = 40000;
	p.dport = 53;
	snprintf(p.out_if, sizeof(p.out_if), "%s", out);
	assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
	if (res.verdict != want || res.possible != possible)
		fail_msg("src %s out %s: verdict %d possible %#x, want %d %#x", src, out, res.verdict,
			 res.possible, want, possible);
	if (want == IPT_V_DROP && (res.by != IPT_BY_MARTIAN || res.martian != IPT_MARTIAN_REROUTE_LOOPBACK))
		fail_msg("src %s: by %d martian %s", src, res.by, ipt_martian_name(res.martian));
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
}

static void test_mark_reroute(void **state)
{
	static const char no_old[] =	/* the mark before mangle OUTPUT is not known */
		"*mangle\n:OUTPUT ACCEPT [0:0]\n-A OUTPUT -p udp -j MARK --set-xmark 0x3/0xff\nCOMMIT\n";

	(void)state;
	mark_one(RS_MARK, "127.0.0.2", "eth0", IPT_PATH_LOCAL_OUT, IPT_V_DROP, V(DROP));
	mark_one(RS_MARK, "198.51.100.7", "eth0", IPT_PATH_LOCAL_OUT, IPT_V_ACCEPT, V(ACCEPT));
	mark_one(RS_MARK, "127.0.0.2", "lo", IPT_PATH_LOOPBACK, IPT_V_ACCEPT, V(ACCEPT));
	mark_one(no_old, "127.0.0.2", "eth0", IPT_PATH_LOCAL_OUT, IPT_V_UNKNOWN, V(ACCEPT) | V(DROP));
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases6) / sizeof(cases6[0]) + 2];
	size_t i, n = 0;

	for (i = 0; i < sizeof(cases6) / sizeof(cases6[0]); i++) {
		tests[n] = (struct CMUnitTest)cmocka_unit_test(test_case6);
		tests[n].name = cases6[i].name;
		tests[n++].initial_state = (void *)&cases6[i];
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_dnat6);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_mark_reroute);
	return _cmocka_run_group_tests("ipt_kpath6", tests, n, NULL, NULL);
}
