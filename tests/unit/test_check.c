/* Unit tests for the policy checker's core (check.c): conntrack state of a flow's first
 * packet, collapsed ports as unknown fields, path from direction and role, and the
 * grouping of findings. One row per case. */
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
#include "sources/pktrec.h"

struct ct_case {
	const char *name;
	int family, proto;
	unsigned flags, icmp_type;
	int rev, rev_first;
	enum ipt_ctstate want;
	uint8_t want_flags, want_unk;
};

static const struct ct_case ct_cases[] = {
	{"1 tcp SYN only, no reply", 4, 6, 0x02, 0, 0, 0, IPT_CT_NEW, 0x02, 0},
	{"2 tcp initiator SYN+ACK seen, reply later", 4, 6, 0x12, 0, 1, 0, IPT_CT_NEW, 0x02, 0},
	{"3 tcp responder (reverse first)", 4, 6, 0x12, 0, 1, 1, IPT_CT_ESTABLISHED, 0x12, 0},
	{"4 tcp mid-stream with reverse", 4, 6, 0x18, 0, 1, 0, IPT_CT_ESTABLISHED, 0, IPT_UNK_FLAGS},
	{"5 tcp mid-stream ACK alone: loose pickup", 4, 6, 0x10, 0, 0, 0, IPT_CT_NEW, 0, IPT_UNK_FLAGS},
	{"6 tcp RST alone", 4, 6, 0x04, 0, 0, 0, IPT_CT_UNKNOWN, 0, IPT_UNK_FLAGS},
	{"7 udp no reverse", 4, 17, 0, 0, 0, 0, IPT_CT_NEW, 0, 0},
	{"8 udp reverse started first", 4, 17, 0, 0, 1, 1, IPT_CT_ESTABLISHED, 0, 0},
	{"9 udp reverse started later", 4, 17, 0, 0, 1, 0, IPT_CT_NEW, 0, 0},
	{"10 icmp echo request", 4, 1, 0, 8, 0, 0, IPT_CT_NEW, 0, 0},
	{"11 icmp echo reply with request", 4, 1, 0, 0, 1, 1, IPT_CT_ESTABLISHED, 0, 0},
	{"12 icmp echo reply alone", 4, 1, 0, 0, 0, 0, IPT_CT_INVALID, 0, 0},
	{"13 icmp unreachable", 4, 1, 0, 3, 0, 0, IPT_CT_UNKNOWN, 0, 0},
	{"14 icmpv6 echo request", 6, 58, 0, 128, 0, 0, IPT_CT_NEW, 0, 0},
	{"15 icmpv6 neighbour solicitation", 6, 58, 0, 135, 0, 0, IPT_CT_UNKNOWN, 0, 0},
	/* nf_conntrack_proto_icmpv6.c: a node information query (RFC 4620, type 139) opens
	 * a connection like an echo request (valid_new), its reply (140) is the other half
	 * (invmap), and alone it cannot open one */
	{"16 icmpv6 node information query", 6, 58, 0, 139, 0, 0, IPT_CT_NEW, 0, 0},
	{"17 icmpv6 node information reply with query", 6, 58, 0, 140, 1, 1,
	 IPT_CT_ESTABLISHED, 0, 0},
	{"18 icmpv6 node information reply alone", 6, 58, 0, 140, 0, 0, IPT_CT_INVALID, 0, 0},
	{"19 icmp address mask reply alone", 4, 1, 0, 18, 0, 0, IPT_CT_INVALID, 0, 0},
};

static void test_ctstate(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ct_cases) / sizeof(ct_cases[0]); i++) {
		const struct ct_case *c = &ct_cases[i];
		uint8_t fl, unk;
		enum ipt_ctstate s = check_ctstate(c->family, c->proto, c->flags, c->icmp_type, c->rev,
						   c->rev_first, &fl, &unk);

		if (s != c->want || fl != c->want_flags || unk != c->want_unk)
			fail_msg("%s: state %d flags %#x unk %#x", c->name, s, fl, unk);
	}
}

/* The other half of an ICMP query, as conntrack pairs them (nf_conntrack_proto_icmp.c and
 * nf_conntrack_proto_icmpv6.c invmap): echo, timestamp, information and address mask
 * (RFC 792, RFC 950); ICMPv6 echo (RFC 4443) and node information (RFC 4620). Errors
 * and neighbour discovery have none. Check's reverse key, the collector's and the live
 * audit's all use pkt_icmp_pair(). */
static void test_icmp_pair(void **state)
{
	static const int v4[][2] = {
		{8, 0}, {0, 8}, {13, 14}, {14, 13}, {15, 16}, {16, 15}, {17, 18}, {18, 17},
		{3, -1}, {5, -1}, {11, -1}, {12, -1}, {9, -1}, {10, -1},
	};
	static const int v6[][2] = {
		{128, 129}, {129, 128}, {139, 140}, {140, 139},
		{1, -1}, {2, -1}, {3, -1}, {4, -1}, {133, -1}, {134, -1}, {135, -1}, {136, -1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++)
		if (pkt_icmp_pair(4, (unsigned)v4[i][0]) != v4[i][1])
			fail_msg("icmp type %d: pair %d, want %d", v4[i][0],
				 pkt_icmp_pair(4, (unsigned)v4[i][0]), v4[i][1]);
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++)
		if (pkt_icmp_pair(6, (unsigned)v6[i][0]) != v6[i][1])
			fail_msg("icmpv6 type %d: pair %d, want %d", v6[i][0],
				 pkt_icmp_pair(6, (unsigned)v6[i][0]), v6[i][1]);
	/* requests (the kernel's valid_new: echo, timestamp, information, address mask;
	 * ICMPv6 echo and node information query) and their replies */
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		int want = v4[i][1] < 0 ? -1 : v4[i][0] == 8 || v4[i][0] == 13 || v4[i][0] == 15 ||
					       v4[i][0] == 17;

		if (pkt_icmp_request(4, (unsigned)v4[i][0]) != want)
			fail_msg("icmp type %d: request %d, want %d", v4[i][0],
				 pkt_icmp_request(4, (unsigned)v4[i][0]), want);
	}
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		int want = v6[i][1] < 0 ? -1 : v6[i][0] == 128 || v6[i][0] == 139;

		if (pkt_icmp_request(6, (unsigned)v6[i][0]) != want)
			fail_msg("icmpv6 type %d: request %d, want %d", v6[i][0],
				 pkt_icmp_request(6, (unsigned)v6[i][0]), want);
	}
}

static void add_flow(struct check_flows *fs, const char *iface, const char *dir, const char *src,
		     const char *dst, int proto, unsigned sport, unsigned dport, const char *cls,
		     unsigned flags, uint64_t packets, int64_t first)
{
	struct store_flow f;
	struct in_addr a;

	memset(&f, 0, sizeof(f));
	snprintf(f.iface, sizeof(f.iface), "%s", iface);
	snprintf(f.dir, sizeof(f.dir), "%s", dir);
	f.family = 4;
	inet_pton(AF_INET, src, &a);
	f.src[10] = f.src[11] = 0xff;
	memcpy(f.src + 12, &a, 4);
	inet_pton(AF_INET, dst, &a);
	f.dst[10] = f.dst[11] = 0xff;
	memcpy(f.dst + 12, &a, 4);
	f.proto = proto;
	f.sport = sport;
	f.dport = dport;
	snprintf(f.cls, sizeof(f.cls), "%s", cls);
	snprintf(f.subclass, sizeof(f.subclass), "none");
	f.packets = packets;
	f.tcp_flags = flags;
	f.first_usec = first;
	assert_int_equal(check_flows_add(fs, &f), 0);
}

static void host(struct check_host *h)
{
	struct store_ctx_row rows[] = {
		{'i', "lo", "loopback", "", 0, 0}, {'i', "eth0", "external", "", 0, 0},
		{'h', "eth0", "45.33.1.10", "", 24, 4}, {'k', "all", "route_localnet", "0", 0, 0},
	};
	struct hostctx hc;
	size_t i;

	memset(&hc, 0, sizeof(hc));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(check_hostctx_row(&hc, &rows[i]), 0);
	assert_int_equal(check_host_build(h, &hc, 0, 0, 0), 0);
	hostctx_free(&hc);
}

/* Path, reverse lookup and collapsed ports, one flow per row. */
static void test_derive(void **state)
{
	struct check_flows fs;
	struct check_host h;
	static const struct {
		uint8_t path, ctstate, unknown;
	} want[] = {
		{IPT_PATH_INCOMING, IPT_CT_NEW, IPT_UNK_SPORT},		/* 0 client -> our :22 */
		{IPT_PATH_LOCAL_OUT, IPT_CT_ESTABLISHED, IPT_UNK_DPORT},	/* 1 our reply */
		{IPT_PATH_LOOPBACK, IPT_CT_NEW, IPT_UNK_SPORT},		/* 2 lo client */
		{IPT_PATH_FORWARD, IPT_CT_NEW, 0},			/* 3 not for us */
		{IPT_PATH_INCOMING, IPT_CT_NEW, 0},			/* 4 spoofed: ports kept */
		{IPT_PATH_INCOMING, IPT_CT_NEW, 0},			/* 5 broadcast */
	};
	size_t i;
	struct ipt_packet p;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	host(&h);
	add_flow(&fs, "eth0", "in", "198.51.100.7", "45.33.1.10", 6, 0, 22, "normal", 0x1a, 10, 100);
	add_flow(&fs, "eth0", "out", "45.33.1.10", "198.51.100.7", 6, 22, 0, "normal", 0x12, 8, 200);
	add_flow(&fs, "lo", "in", "127.0.0.1", "127.0.0.1", 17, 0, 5353, "loopback_flow", 0, 5, 100);
	add_flow(&fs, "eth0", "in", "198.51.100.7", "203.0.113.9", 17, 4000, 53, "normal", 0, 1, 100);
	add_flow(&fs, "eth0", "in", "127.0.0.1", "45.33.1.10", 17, 0, 53, "spoof_loopback_src", 0, 3, 100);
	add_flow(&fs, "eth0", "in", "198.51.100.7", "45.33.1.255", 17, 68, 67, "normal", 0, 1, 100);
	assert_int_equal(check_flows_derive(&fs, &h), 0);
	for (i = 0; i < fs.n; i++) {
		if (fs.v[i].path != want[i].path || fs.v[i].ctstate != want[i].ctstate ||
		    fs.v[i].unknown != want[i].unknown)
			fail_msg("flow %zu: path %d ct %d unk %#x", i, fs.v[i].path, fs.v[i].ctstate,
				 fs.v[i].unknown);
	}
	assert_int_equal(fs.v[5].pkttype, IPT_PKT_BROADCAST);
	check_flow_packet(&fs, 0, &p);
	assert_string_equal(p.in_if, "eth0");
	assert_int_equal(p.tcp_flags, IPT_TCP_SYN);
	check_flow_packet(&fs, 1, &p);
	assert_string_equal(p.out_if, "eth0");
	check_flows_free(&fs);
	check_host_free(&h);
}

/* Findings: a spoofed flow stopped by the martian check, loopback breakage by service,
 * uncertainty grouped by the undecided match (a collapsed port), and the diff. */
static void test_findings(void **state)
{
	static const char broken[] =
		"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
		"-A INPUT -i lo -j ACCEPT\n-A INPUT ! -i lo -s 127.0.0.0/8 -j REJECT\n"
		"-A INPUT -p udp --sport 1024:65535 -j DROP\n-A OUTPUT -o eth0 -j ACCEPT\nCOMMIT\n";
	static const char fixed[] =
		"*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT DROP [0:0]\n"
		"-A INPUT -i lo -j ACCEPT\n-A INPUT ! -i lo -s 127.0.0.0/8 -j REJECT\n"
		"-A INPUT -p udp --sport 1024:65535 -j DROP\n-A OUTPUT -o lo -j ACCEPT\n"
		"-A OUTPUT -o eth0 -j ACCEPT\nCOMMIT\n";
	struct check_flows fs;
	struct check_host h;
	struct check_side ns, old;
	struct policy pn, po;
	struct check_groups g;
	struct check_res alone[4];
	struct ipt_error err;
	size_t i;
	unsigned seen = 0;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	memset(&ns, 0, sizeof(ns));
	memset(&old, 0, sizeof(old));
	memset(&pn, 0, sizeof(pn));
	memset(&po, 0, sizeof(po));
	memset(&g, 0, sizeof(g));
	host(&h);
	add_flow(&fs, "eth0", "in", "127.0.0.1", "45.33.1.10", 17, 4000, 53, "spoof_loopback_src", 0, 40, 1);
	add_flow(&fs, "lo", "in", "127.0.0.1", "127.0.0.1", 17, 0, 5353, "loopback_flow", 0, 25, 1);
	add_flow(&fs, "lo", "in", "127.0.0.1", "127.0.0.1", 6, 0, 8125, "loopback_flow", 0x12, 7, 1);
	add_flow(&fs, "eth0", "in", "198.51.100.7", "45.33.1.10", 17, 0, 53, "normal", 0, 9, 1);
	assert_int_equal(check_flows_derive(&fs, &h), 0);
	pn.rs[0] = ipt_parse_buffer(fixed, sizeof(fixed) - 1, "fixed", 4, &err);
	po.rs[0] = ipt_parse_buffer(broken, sizeof(broken) - 1, "broken", 4, &err);
	assert_non_null(pn.rs[0]);
	assert_non_null(po.rs[0]);
	check_side_use(&ns, &pn);
	check_side_use(&old, &po);
	assert_int_equal(check_evaluate(&ns, &fs, &h, 1), 0);
	assert_int_equal(check_evaluate(&old, &fs, &h, 0), 0);
	assert_int_equal(check_evaluate_alone(&ns, &fs, &h, alone), 0);
	assert_int_equal(check_findings(&g, &fs, &ns, alone, &old), 0);
	for (i = 0; i < g.n; i++) {
		const struct check_group *x = &g.v[i];

		switch (x->kind) {
		case CK_SPOOF:
			assert_string_equal(x->label, "spoof_loopback_src/none");
			assert_int_equal(x->a.by, IPT_BY_MARTIAN);
			assert_int_equal(x->a.martian, IPT_MARTIAN_SRC_LOOPBACK);
			assert_int_equal(x->b.verdict, IPT_V_REJECT);
			assert_int_equal(x->packets, 40);
			seen |= 1;
			break;
		case CK_UNCERTAIN:
			assert_string_equal(x->label, "port (collapsed ephemeral port)");
			assert_int_equal(x->packets, 9);
			seen |= 2;
			break;
		case CK_NEW_ACCEPTED:
			assert_int_equal(x->flows, 2);
			assert_int_equal(x->packets, 32);
			assert_int_equal(x->b.by, IPT_BY_POLICY);
			seen |= 4;
			break;
		case CK_BREAKAGE:
		case CK_HOLE_OPENED:
			fail_msg("unexpected group %s %s", check_kind_names[x->kind], x->label);
			break;
		default:
			break;
		}
	}
	assert_int_equal(seen, 7);
	/* the broken ruleset alone breaks both loopback services */
	check_groups_free(&g);
	assert_int_equal(check_findings(&g, &fs, &old, NULL, NULL), 0);
	for (i = 0, seen = 0; i < g.n; i++)
		if (g.v[i].kind == CK_BREAKAGE)
			seen |= !strcmp(g.v[i].label, "udp/5353") ? 1 : !strcmp(g.v[i].label, "tcp/8125") ? 2 : 4;
	assert_int_equal(seen, 3);
	/* hits: OUTPUT -o lo took the loopback packets, the REJECT rule nothing */
	assert_int_equal(ns.hit_packets[0][3], 32);
	assert_int_equal(ns.hit_packets[0][1], 0);
	assert_int_equal(ns.maybe_packets[0][2], 9);
	check_groups_free(&g);
	check_side_free(&ns);
	check_side_free(&old);
	policy_free(&pn);
	policy_free(&po);
	check_flows_free(&fs);
	check_host_free(&h);
}

/* The host context: recorded rows (text, converted once) and the typed struct hostctx
 * filled directly give the same evaluator context; expectations by hand. */
static void check_ctx(const struct check_host *h)
{
	static const uint8_t a[4] = {45, 33, 1, 10};
	size_t i;
	int seen = 0;

	assert_int_equal(h->naddrs, 1);
	assert_memory_equal(h->addrs[0].addr, a, 4);
	assert_int_equal(h->addrs[0].plen, 24);
	assert_int_equal(h->nroutes, 3);	/* external: 0/0 and ::/0; then 10.0.0.0/8 */
	assert_int_equal(h->routes[2].dst.plen, 8);
	assert_int_equal(h->routes[2].dst.addr[0], 10);
	assert_int_equal(check_host_role(h, "eth0"), ROLE_EXTERNAL);
	assert_int_equal(check_host_role(h, "wlan9"), -1);
	for (i = 0; i < h->nifconf; i++) {
		if (!strcmp(h->ifconf[i].ifname, "all")) {
			assert_int_equal(h->ifconf[i].rp_filter, 2);
			assert_int_equal(h->ifconf[i].route_localnet, -1);
			seen |= 1;
		} else if (!strcmp(h->ifconf[i].ifname, "eth0")) {
			assert_int_equal(h->ifconf[i].route_localnet, 1);
			assert_int_equal(h->ifconf[i].rp_filter, -1);
			seen |= 2;
		}
	}
	assert_int_equal(seen, 3);
	assert_true(h->have_addrs && h->have_sysctls);
}

static void test_hostctx(void **state)
{
	struct store_ctx_row rows[] = {
		{'i', "eth0", "external", "10.0.0.0/8", 0, 0}, {'k', "all", "rp_filter", "2", 0, 0},
		{'k', "eth0", "route_localnet", "1", 0, 0}, {'k', "all", "log_martians", "1", 0, 0},
		{'k', "all", "accept_local", "x", 0, 0}, {'h', "eth0", "45.33.1.10", "", 24, 4},
		{'h', "eth0", "not-an-address", "", 24, 4},
	};
	struct hostctx hc;
	struct check_host h;
	struct prefix p, ad;
	size_t i;

	(void)state;
	assert_int_equal(hostinfo_sysctl_index("accept_local"), HOSTINFO_ACCEPT_LOCAL);
	assert_int_equal(hostinfo_sysctl_index("nope"), -1);
	memset(&hc, 0, sizeof(hc));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(check_hostctx_row(&hc, &rows[i]), 0);
	assert_int_equal(check_host_build(&h, &hc, -1, -1, -1), 0);
	check_ctx(&h);
	check_host_free(&h);
	hostctx_free(&hc);
	/* the same, typed */
	assert_int_equal(prefix_parse("10.0.0.0/8", 0, &p), 0);
	memset(&ad, 0, sizeof(ad));
	ad.family = 4;
	ad.plen = 24;
	memcpy(ad.addr, (uint8_t[4]){45, 33, 1, 10}, 4);
	assert_int_equal(hostctx_add_iface(&hc, "eth0", ROLE_EXTERNAL, &p, 1), 0);
	assert_int_equal(hostctx_set_sysctl(&hc, "all", HOSTINFO_RP_FILTER, 2), 0);
	assert_int_equal(hostctx_set_sysctl(&hc, "eth0", HOSTINFO_ROUTE_LOCALNET, 1), 0);
	assert_int_equal(hostctx_add_addr(&hc, "eth0", &ad), 0);
	assert_int_equal(check_host_build(&h, &hc, -1, -1, -1), 0);
	check_ctx(&h);
	check_host_free(&h);
	hostctx_free(&hc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ctstate),
		cmocka_unit_test(test_icmp_pair),
		cmocka_unit_test(test_derive),
		cmocka_unit_test(test_findings),
		cmocka_unit_test(test_hostctx),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
