/* Unit tests for the iptables evaluator: one row per match, target, path and kernel step
 * (martians, defragmentation, NAT, marks, goto/return, three-valued logic). Expected
 * verdicts and deciding lines were worked out by hand from iptables(8),
 * iptables-extensions(8) and the kernel's ip_route_input_slow / fib_validate_source. */
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

/* Rulesets; the comment after a rule is its line number. */
static const char RS_BASIC[] =
	"*filter\n"
	":INPUT DROP [0:0]\n"			/* 2 */
	":FORWARD DROP [0:0]\n"			/* 3 */
	":OUTPUT ACCEPT [0:0]\n"		/* 4 */
	":TCPCHK - [0:0]\n"
	":GOTO1 - [0:0]\n"
	":LEAF - [0:0]\n"
	"-A INPUT -i lo -j ACCEPT\n"		/* 8 */
	"-A INPUT -m state --state ESTABLISHED,RELATED -j ACCEPT\n"	/* 9 */
	"-A INPUT -p tcp -j TCPCHK\n"		/* 10 */
	"-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT\n"	/* 11 */
	"-A INPUT -p udp -m multiport --dports 53,5000:5010 -j ACCEPT\n"	/* 12 */
	"-A INPUT -m iprange --src-range 192.0.2.10-192.0.2.20 -j REJECT\n"	/* 13 */
	"-A INPUT -m pkttype --pkt-type broadcast -j DROP\n"	/* 14 */
	"-A INPUT -f -j DROP\n"			/* 15 */
	"-A INPUT -s 198.51.100.0/24 -g GOTO1\n"	/* 16 */
	"-A INPUT -m mac --mac-source 00:11:22:33:44:55 -j ACCEPT\n"	/* 17 */
	"-A INPUT -m comment --comment \"final\" -j REJECT\n"	/* 18 */
	"-A TCPCHK -p tcp -m tcp --tcp-flags SYN,RST,ACK SYN --dport 22 -j ACCEPT\n"	/* 19 */
	"-A TCPCHK -p tcp -m tcp --dport 80:90 -j ACCEPT\n"	/* 20 */
	"-A TCPCHK -p tcp -m tcp ! --sport 1024:65535 -j DROP\n"	/* 21 */
	"-A TCPCHK -j RETURN\n"			/* 22 */
	"-A GOTO1 -p udp -j LEAF\n"		/* 23 */
	"-A GOTO1 -p tcp -j ACCEPT\n"		/* 24 */
	"-A LEAF -p udp -m udp --dport 9 -j DROP\n"	/* 25 */
	"-A LEAF -p udp -j RETURN\n"		/* 26 */
	"-A FORWARD -i eth1 -o eth0 -j ACCEPT\n"	/* 27 */
	"-A FORWARD -o eth1 -m conntrack --ctstate ESTABLISHED -j ACCEPT\n"	/* 28 */
	"COMMIT\n";

static const char RS_NAT[] =
	"*nat\n"
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [0:0]\n"
	"-A PREROUTING -i eth0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.1:80\n" /* 6 */
	"-A PREROUTING -p tcp -m tcp --dport 2222 -j REDIRECT --to-ports 22\n"	/* 7 */
	"-A OUTPUT -d 203.0.113.50/32 -p tcp -j DNAT --to-destination 127.0.0.1:8000\n"	/* 8 */
	"-A POSTROUTING -o eth0 -j MASQUERADE\n"	/* 9 */
	"COMMIT\n"
	"*filter\n"
	":INPUT DROP [0:0]\n"			/* 12 */
	":FORWARD DROP [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"		/* 14 */
	"-A INPUT -d 10.0.0.1/32 -p tcp -m tcp --dport 80 -j ACCEPT\n"	/* 15 */
	"-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n"	/* 16 */
	"COMMIT\n";

static const char RS_MARK[] =
	"*mangle\n"
	":PREROUTING ACCEPT [0:0]\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	":POSTROUTING ACCEPT [0:0]\n"
	"-A PREROUTING -i eth1 -j MARK --set-xmark 0x2/0xffffffff\n"	/* 7 */
	"-A PREROUTING -m limit --limit 1/sec -j MARK --set-xmark 0x4/0x4\n"	/* 8 */
	"-A PREROUTING -i eth1 -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff\n" /* 9 */
	"COMMIT\n"
	"*filter\n"
	":INPUT DROP [0:0]\n"
	":FORWARD DROP [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -m mark --mark 0x2/0x3 -m connmark --mark 0x2/0x3 -j ACCEPT\n"	/* 15 */
	"-A INPUT -p udp -j REJECT\n"		/* 16 */
	"COMMIT\n";

static const char RS_UNKNOWN[] =
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"			/* 2 */
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -p tcp -m recent --rcheck --name x -j DROP\n"	/* 5 */
	"-A INPUT -p tcp -m set --match-set bad src -j DROP\n"	/* 6 */
	"-A INPUT -p udp -m hashlimit --hashlimit-above 10/sec --hashlimit-name h -j REJECT\n" /* 7 */
	"-A INPUT -p udp -j ACCEPT\n"		/* 8 */
	"-A INPUT -p 47 -j NFQUEUE --queue-num 1\n"	/* 9 */
	"-A INPUT -p 50 -m limit --limit 1/sec -j LOG\n"	/* 10 */
	"-A INPUT -p 50 -j DROP\n"		/* 11 */
	"COMMIT\n";

static const char RS_LOOP[] =
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"			/* 2 */
	":FORWARD DROP [0:0]\n"
	":OUTPUT DROP [0:0]\n"			/* 4 */
	"-A INPUT -i lo -j ACCEPT\n"		/* 5 */
	"-A INPUT ! -i lo -s 127.0.0.0/8 -j REJECT\n"	/* 6 */
	"COMMIT\n";

static const char RS_LOOP_FIXED[] =
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD DROP [0:0]\n"
	":OUTPUT DROP [0:0]\n"
	"-A INPUT -i lo -j ACCEPT\n"		/* 5 */
	"-A OUTPUT -o lo -j ACCEPT\n"		/* 6 */
	"COMMIT\n";

static const char RS_V6[] =
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -s ::1/128 ! -i lo -j REJECT\n"	/* 5 */
	"-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT\n"	/* 6 */
	"-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type echo-request -j DROP\n"	/* 7 */
	"COMMIT\n";

static const char RS_ADDRTYPE[] =
	"*filter\n"
	":INPUT ACCEPT [0:0]\n"
	":FORWARD ACCEPT [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -m addrtype --dst-type BROADCAST -j DROP\n"	/* 5 */
	"-A INPUT -m addrtype --dst-type LOCAL --limit-iface-in -j ACCEPT\n"	/* 6 */
	"-A INPUT -m addrtype --dst-type MULTICAST -j ACCEPT\n"	/* 7 */
	"-A INPUT -j REJECT\n"			/* 8 */
	"COMMIT\n";

static const char RS_RPF[] =
	"*raw\n"
	":PREROUTING ACCEPT [0:0]\n"		/* 2 */
	":OUTPUT ACCEPT [0:0]\n"
	"-A PREROUTING -m rpfilter --invert -j DROP\n"	/* 4 */
	"-A PREROUTING -p udp -m udp --dport 53 -j CT --notrack\n"	/* 5 */
	"COMMIT\n"
	"*filter\n"
	":INPUT DROP [0:0]\n"			/* 8 */
	":FORWARD DROP [0:0]\n"
	":OUTPUT ACCEPT [0:0]\n"
	"-A INPUT -m state --state UNTRACKED -j ACCEPT\n"	/* 11 */
	"COMMIT\n";

/* Kernel contexts. */
enum {
	CTX_NONE = 0,		/* nothing known */
	CTX_HOST,		/* addresses and routes known, forwarding on, other sysctls 0 */
	CTX_LOCALNET,		/* route_localnet=1 (all) */
	CTX_ACCEPT_LOCAL,	/* route_localnet=1, accept_local=1 */
	CTX_RP_STRICT,		/* rp_filter=1 on all */
	CTX_RP_LOOSE,		/* rp_filter=2 on eth1 */
	CTX_RP_NOROUTES,	/* rp_filter=1, routes unknown */
	CTX_NOCT,		/* CTX_HOST without conntrack loaded */
	CTX_COUNT
};

static const struct ipt_hostaddr host4[] = {
	{"lo", 4, 8, {127, 0, 0, 1}},
	{"eth0", 4, 24, {10, 0, 0, 1}},
	{"eth1", 4, 24, {192, 168, 1, 1}},
};
static const struct ipt_hostaddr host6[] = {
	{"lo", 6, 128, {[15] = 1}},
	{"eth0", 6, 64, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}},
};
static struct ipt_route routes[3];

static void make_ctx(int which, int family, struct ipt_context *ctx, struct ipt_ifconf *ifc)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->conntrack = -1;
	ctx->kernel = IPT_KVER(6, 1, 0);	/* not the machine's: rows must not depend on it */
	if (which == CTX_NONE)
		return;
	prefix_parse(family == 4 ? "10.0.0.0/24" : "2001:db8::/64", family, &routes[0].dst);
	snprintf(routes[0].ifname, IPT_IFNAMSIZ, "eth0");
	prefix_parse(family == 4 ? "192.168.1.0/24" : "2001:db8:1::/64", family, &routes[1].dst);
	snprintf(routes[1].ifname, IPT_IFNAMSIZ, "eth1");
	prefix_parse(family == 4 ? "0.0.0.0/0" : "::/0", family, &routes[2].dst);
	snprintf(routes[2].ifname, IPT_IFNAMSIZ, "eth0");
	ctx->addrs = family == 4 ? host4 : host6;
	ctx->naddrs = family == 4 ? 3 : 2;
	ctx->addrs_known = 1;
	ctx->routes = routes;
	ctx->nroutes = 3;
	ctx->routes_known = which != CTX_RP_NOROUTES;
	ctx->ip_forward = ctx->ip6_forward = IPT_FWD_ON;
	memset(ifc, 0, 3 * sizeof(*ifc));
	snprintf(ifc[0].ifname, IPT_IFNAMSIZ, "all");
	snprintf(ifc[1].ifname, IPT_IFNAMSIZ, "eth0");
	snprintf(ifc[2].ifname, IPT_IFNAMSIZ, "eth1");
	ctx->ifconf = ifc;
	ctx->nifconf = 3;
	if (which == CTX_LOCALNET || which == CTX_ACCEPT_LOCAL)
		ifc[0].route_localnet = 1;
	if (which == CTX_ACCEPT_LOCAL)
		ifc[0].accept_local = 1;
	if (which == CTX_RP_STRICT || which == CTX_RP_NOROUTES)
		ifc[0].rp_filter = 1;
	if (which == CTX_RP_LOOSE)
		ifc[2].rp_filter = 2;
	if (which == CTX_NOCT)
		ctx->conntrack = 0;
}

#define V(x) IPT_VSET_##x

/* One packet and its expected result. line: the deciding rule's line, or the policy
 * chain's declaration line; 0 when neither (martian, defrag, path end). */
struct eval_case {
	const char *name;
	const char *rules;
	int ctx;
	int family;
	int path;
	const char *src, *dst;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t flags, type, code, frag;
	const char *in, *out;
	int pkttype;		/* 0 host */
	int state;		/* enum ipt_ctstate */
	const char *mac;
	/* expected */
	enum ipt_verdict verdict;
	unsigned possible;
	enum ipt_decider by;
	unsigned line;
	enum ipt_martian martian;
	unsigned uncertain_line;	/* line of the first undecided rule, 0 for none */
	const char *dnat_dst;		/* address after DNAT, or NULL */
	uint16_t dnat_port;
};

#define IN4 .family = 4, .path = IPT_PATH_INCOMING, .in = "eth0"
#define SYN IPT_TCP_SYN
#define ACK IPT_TCP_ACK

static const struct eval_case cases[] = {
	/* ---- filter basics, matches ---- */
	{"loopback path -i lo accept", RS_BASIC, CTX_HOST, .family = 4, .path = IPT_PATH_LOOPBACK,
	 .src = "127.0.0.1", .dst = "127.0.0.1", .proto = 6, .sport = 40000, .dport = 631, .flags = SYN,
	 .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 8},
	{"state ESTABLISHED", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 6, .sport = 443, .dport = 50000, .flags = ACK, .state = IPT_CT_ESTABLISHED,
	 .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 9},
	{"tcp-flags + dport in user chain", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5",
	 .dst = "10.0.0.1", .proto = 6, .sport = 40000, .dport = 22, .flags = SYN,
	 .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 19},
	{"tcp-flags mismatch falls through RETURN", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5",
	 .dst = "10.0.0.1", .proto = 6, .sport = 40000, .dport = 22, .flags = ACK,
	 .mac = "00:00:00:00:00:01", .verdict = IPT_V_REJECT, .possible = V(REJECT), .by = IPT_BY_RULE, .line = 18},
	{"dport range", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1", .proto = 6,
	 .sport = 40000, .dport = 85, .flags = SYN,
	 .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 20},
	{"negated sport range", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 6, .sport = 80, .dport = 1000, .flags = SYN,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_RULE, .line = 21},
	{"icmp type 8", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1", .proto = 1,
	 .type = 8, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 11},
	{"icmp type 0 not 8", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 1, .type = 0, .mac = "00:00:00:00:00:01", .verdict = IPT_V_REJECT, .possible = V(REJECT), .by = IPT_BY_RULE,
	 .line = 18},
	{"multiport single", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 17, .sport = 3333, .dport = 53, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_RULE, .line = 12},
	{"multiport range", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 17, .sport = 3333, .dport = 5005, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_RULE, .line = 12},
	{"iprange src", RS_BASIC, CTX_HOST, IN4, .src = "192.0.2.15", .dst = "10.0.0.1", .proto = 6,
	 .sport = 5000, .dport = 1, .flags = ACK, .verdict = IPT_V_REJECT, .possible = V(REJECT),
	 .by = IPT_BY_RULE, .line = 13},
	{"pkttype broadcast", RS_BASIC, CTX_HOST, IN4, .src = "10.0.0.7", .dst = "10.0.0.255",
	 .proto = 17, .sport = 6000, .dport = 6000, .pkttype = IPT_PKT_BROADCAST,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_RULE, .line = 14},
	{"-f without conntrack", RS_BASIC, CTX_NOCT, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 17, .frag = 1, .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_RULE,
	 .line = 15},
	{"fragment held by defrag", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 17, .frag = 1, .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_DEFRAG},
	{"goto then jump then DROP", RS_BASIC, CTX_HOST, IN4, .src = "198.51.100.7", .dst = "10.0.0.1",
	 .proto = 17, .sport = 7, .dport = 9, .verdict = IPT_V_DROP, .possible = V(DROP),
	 .by = IPT_BY_RULE, .line = 25},
	{"goto chain end returns past the caller: policy", RS_BASIC, CTX_HOST, IN4,
	 .src = "198.51.100.7", .dst = "10.0.0.1", .proto = 17, .sport = 7, .dport = 10,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_POLICY, .line = 2},
	{"goto chain ACCEPT", RS_BASIC, CTX_HOST, IN4, .src = "198.51.100.7", .dst = "10.0.0.1",
	 .proto = 6, .sport = 5000, .dport = 1, .flags = ACK, .verdict = IPT_V_ACCEPT,
	 .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 24},
	{"mac match", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.9", .dst = "10.0.0.1", .proto = 47,
	 .mac = "00:11:22:33:44:55", .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_RULE, .line = 17},
	{"mac unknown", RS_BASIC, CTX_HOST, IN4, .src = "203.0.113.9", .dst = "10.0.0.1", .proto = 47,
	 .verdict = IPT_V_UNKNOWN, .possible = V(ACCEPT) | V(REJECT), .by = IPT_BY_UNKNOWN, .line = 18,
	 .uncertain_line = 17},
	{"forward -i -o", RS_BASIC, CTX_HOST, .family = 4, .path = IPT_PATH_FORWARD, .in = "eth1",
	 .out = "eth0", .src = "192.168.1.20", .dst = "198.51.100.1", .proto = 6, .flags = SYN,
	 .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 27},
	{"forward policy", RS_BASIC, CTX_HOST, .family = 4, .path = IPT_PATH_FORWARD, .in = "eth0",
	 .out = "eth1", .src = "198.51.100.1", .dst = "192.168.1.20", .proto = 6, .flags = SYN,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_POLICY, .line = 3},
	{"forward conntrack ctstate", RS_BASIC, CTX_HOST, .family = 4, .path = IPT_PATH_FORWARD,
	 .in = "eth0", .out = "eth1", .src = "198.51.100.1", .dst = "192.168.1.20", .proto = 6,
	 .flags = ACK, .state = IPT_CT_ESTABLISHED, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_RULE, .line = 28},
	{"forward state unknown", RS_BASIC, CTX_HOST, .family = 4, .path = IPT_PATH_FORWARD,
	 .in = "eth0", .out = "eth1", .src = "198.51.100.1", .dst = "192.168.1.20", .proto = 6,
	 .flags = ACK, .state = IPT_CT_UNKNOWN, .verdict = IPT_V_UNKNOWN,
	 .possible = V(ACCEPT) | V(DROP), .by = IPT_BY_UNKNOWN, .line = 3, .uncertain_line = 28},
	{"local out policy", RS_BASIC, CTX_HOST, .family = 4, .path = IPT_PATH_LOCAL_OUT, .out = "eth0",
	 .src = "10.0.0.1", .dst = "198.51.100.1", .proto = 17, .dport = 53,
	 .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_POLICY, .line = 4},

	/* ---- NAT ---- */
	{"DNAT rewrites what INPUT sees", RS_NAT, CTX_HOST, IN4, .src = "203.0.113.5",
	 .dst = "10.0.0.1", .proto = 6, .sport = 40000, .dport = 8080, .flags = SYN,
	 .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 15,
	 .dnat_dst = "10.0.0.1", .dnat_port = 80},
	{"no NAT for ESTABLISHED", RS_NAT, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 6, .sport = 40000, .dport = 8080, .flags = ACK, .state = IPT_CT_ESTABLISHED,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_POLICY, .line = 12},
	{"REDIRECT port", RS_NAT, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1", .proto = 6,
	 .sport = 40000, .dport = 2222, .flags = SYN, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_RULE, .line = 16, .dnat_dst = "10.0.0.1", .dnat_port = 22},
	/* nf_nat_ipv4_local_fn -> ip_route_me_harder: out through lo and back in, where
	 * INPUT's policy drops port 8000 (tests/unit/test_ipt_natout.c has the path) */
	{"DNAT in OUTPUT to 127.0.0.1 comes back in on lo", RS_NAT, CTX_HOST, .family = 4,
	 .path = IPT_PATH_LOCAL_OUT, .out = "eth0", .src = "10.0.0.1", .dst = "203.0.113.50",
	 .proto = 6, .sport = 40000, .dport = 443, .flags = SYN, .verdict = IPT_V_DROP,
	 .possible = V(DROP), .by = IPT_BY_POLICY, .line = 12, .dnat_dst = "127.0.0.1",
	 .dnat_port = 8000},
	{"NAT with unknown state", RS_NAT, CTX_HOST, IN4, .src = "203.0.113.5", .dst = "10.0.0.1",
	 .proto = 6, .sport = 40000, .dport = 8080, .flags = SYN, .state = IPT_CT_UNKNOWN,
	 .verdict = IPT_V_UNKNOWN, .possible = V(ACCEPT) | V(DROP), .by = IPT_BY_UNKNOWN, .line = 15,
	 .uncertain_line = 6, .dnat_dst = "10.0.0.1", .dnat_port = 80},

	/* ---- marks ---- */
	{"MARK then mark and connmark match", RS_MARK, CTX_HOST, .family = 4,
	 .path = IPT_PATH_INCOMING, .in = "eth1", .src = "192.168.1.7", .dst = "192.168.1.1",
	 .proto = 17, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 15},
	{"mark never set is unknown", RS_MARK, CTX_HOST, IN4, .src = "203.0.113.7", .dst = "10.0.0.1",
	 .proto = 17, .verdict = IPT_V_UNKNOWN, .possible = V(ACCEPT) | V(REJECT),
	 .by = IPT_BY_UNKNOWN, .line = 16, .uncertain_line = 15},

	/* ---- three-valued logic ---- */
	{"unknown match before DROP", RS_UNKNOWN, CTX_HOST, IN4, .src = "203.0.113.7",
	 .dst = "10.0.0.1", .proto = 6, .flags = SYN, .verdict = IPT_V_UNKNOWN,
	 .possible = V(ACCEPT) | V(DROP), .by = IPT_BY_UNKNOWN, .line = 2, .uncertain_line = 5},
	{"unknown match before REJECT", RS_UNKNOWN, CTX_HOST, IN4, .src = "203.0.113.7",
	 .dst = "10.0.0.1", .proto = 17, .verdict = IPT_V_UNKNOWN,
	 .possible = V(ACCEPT) | V(REJECT), .by = IPT_BY_UNKNOWN, .line = 8, .uncertain_line = 7},
	{"unknown rules not reached", RS_UNKNOWN, CTX_HOST, IN4, .src = "203.0.113.7",
	 .dst = "10.0.0.1", .proto = 1, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_POLICY, .line = 2},
	{"unknown target", RS_UNKNOWN, CTX_HOST, IN4, .src = "203.0.113.7", .dst = "10.0.0.1",
	 .proto = 47, .verdict = IPT_V_UNKNOWN, .possible = V(ACCEPT) | V(DROP),
	 .by = IPT_BY_UNKNOWN, .line = 2, .uncertain_line = 9},
	{"unknown match on non-terminal target is harmless", RS_UNKNOWN, CTX_HOST, IN4,
	 .src = "203.0.113.7", .dst = "10.0.0.1", .proto = 50, .verdict = IPT_V_DROP,
	 .possible = V(DROP), .by = IPT_BY_RULE, .line = 11},

	/* ---- martians and the loopback scenario ---- */
	{"127/8 source off lo: martian", RS_LOOP, CTX_HOST, IN4, .src = "127.0.0.5", .dst = "10.0.0.1",
	 .proto = 6, .flags = SYN, .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_MARTIAN,
	 .martian = IPT_MARTIAN_SRC_LOOPBACK},
	{"127/8 destination off lo: martian", RS_LOOP, CTX_HOST, IN4, .src = "203.0.113.1",
	 .dst = "127.0.0.1", .proto = 6, .flags = SYN, .verdict = IPT_V_DROP, .possible = V(DROP),
	 .by = IPT_BY_MARTIAN, .martian = IPT_MARTIAN_DST_LOOPBACK},
	{"route_localnet lets 127.x reach the rule", RS_LOOP, CTX_LOCALNET, IN4, .src = "127.0.0.5",
	 .dst = "10.0.0.1", .proto = 6, .flags = SYN, .verdict = IPT_V_REJECT, .possible = V(REJECT),
	 .by = IPT_BY_RULE, .line = 6},
	{"127.0.0.1 is the host's own: still martian", RS_LOOP, CTX_LOCALNET, IN4, .src = "127.0.0.1",
	 .dst = "10.0.0.1", .proto = 6, .flags = SYN, .verdict = IPT_V_DROP, .possible = V(DROP),
	 .by = IPT_BY_MARTIAN, .martian = IPT_MARTIAN_SRC_LOCAL},
	{"accept_local lets it through", RS_LOOP, CTX_ACCEPT_LOCAL, IN4, .src = "127.0.0.1",
	 .dst = "10.0.0.1", .proto = 6, .flags = SYN, .verdict = IPT_V_REJECT, .possible = V(REJECT),
	 .by = IPT_BY_RULE, .line = 6},
	{"own address as source", RS_LOOP, CTX_HOST, IN4, .src = "10.0.0.1", .dst = "10.0.0.1",
	 .proto = 6, .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_MARTIAN,
	 .martian = IPT_MARTIAN_SRC_LOCAL},
	{"0.0.0.0 source", RS_LOOP, CTX_HOST, IN4, .src = "0.0.0.0", .dst = "10.0.0.1", .proto = 17,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_MARTIAN,
	 .martian = IPT_MARTIAN_SRC_ZERONET},
	{"multicast source", RS_LOOP, CTX_HOST, IN4, .src = "224.0.0.5", .dst = "10.0.0.1", .proto = 17,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_MARTIAN,
	 .martian = IPT_MARTIAN_SRC_MULTICAST},
	{"limited broadcast source", RS_LOOP, CTX_HOST, IN4, .src = "255.255.255.255",
	 .dst = "10.0.0.1", .proto = 17, .verdict = IPT_V_DROP, .possible = V(DROP),
	 .by = IPT_BY_MARTIAN, .martian = IPT_MARTIAN_SRC_MULTICAST},
	{"DHCP discover is not martian", RS_LOOP, CTX_HOST, IN4, .src = "0.0.0.0",
	 .dst = "255.255.255.255", .proto = 17, .sport = 68, .dport = 67,
	 .pkttype = IPT_PKT_BROADCAST, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_POLICY, .line = 2},
	{"rp_filter strict, wrong interface", RS_LOOP, CTX_RP_STRICT, .family = 4,
	 .path = IPT_PATH_INCOMING, .in = "eth1", .src = "203.0.113.9", .dst = "192.168.1.1",
	 .proto = 17, .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_MARTIAN,
	 .martian = IPT_MARTIAN_RPFILTER},
	{"rp_filter strict, right interface", RS_LOOP, CTX_RP_STRICT, IN4, .src = "203.0.113.9",
	 .dst = "10.0.0.1", .proto = 17, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_POLICY, .line = 2},
	{"rp_filter loose (max of all, iface)", RS_LOOP, CTX_RP_LOOSE, .family = 4,
	 .path = IPT_PATH_INCOMING, .in = "eth1", .src = "203.0.113.9", .dst = "192.168.1.1",
	 .proto = 17, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_POLICY, .line = 2},
	{"rp_filter without routes: unknown", RS_LOOP, CTX_RP_NOROUTES, IN4, .src = "203.0.113.9",
	 .dst = "10.0.0.1", .proto = 17, .verdict = IPT_V_UNKNOWN, .possible = V(ACCEPT) | V(DROP),
	 .by = IPT_BY_UNKNOWN, .line = 2},
	{"nothing known: own-address check unknown", RS_LOOP, CTX_NONE, IN4, .src = "203.0.113.9",
	 .dst = "10.0.0.1", .proto = 17, .verdict = IPT_V_UNKNOWN, .possible = V(ACCEPT) | V(DROP),
	 .by = IPT_BY_UNKNOWN, .line = 2},
	{"loopback broken by OUTPUT DROP", RS_LOOP, CTX_HOST, .family = 4, .path = IPT_PATH_LOOPBACK,
	 .src = "127.0.0.1", .dst = "127.0.0.1", .proto = 6, .dport = 631, .flags = SYN,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_POLICY, .line = 4},
	{"loopback fixed by -o lo ACCEPT", RS_LOOP_FIXED, CTX_HOST, .family = 4,
	 .path = IPT_PATH_LOOPBACK, .src = "127.0.0.1", .dst = "127.0.0.1", .proto = 6, .dport = 631,
	 .flags = SYN, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 5},
	{"local out to eth0 under OUTPUT DROP", RS_LOOP_FIXED, CTX_HOST, .family = 4,
	 .path = IPT_PATH_LOCAL_OUT, .out = "eth0", .src = "10.0.0.1", .dst = "203.0.113.9",
	 .proto = 6, .flags = SYN, .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_POLICY,
	 .line = 4},

	/* ---- IPv6 ---- */
	{"IPv6 ::1 source off lo dropped before rules", RS_V6, CTX_HOST, .family = 6,
	 .path = IPT_PATH_INCOMING, .in = "eth0", .src = "::1", .dst = "2001:db8::1", .proto = 58,
	 .type = 128, .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_MARTIAN,
	 .martian = IPT_MARTIAN_V6_LOOPBACK},
	{"IPv6 multicast source", RS_V6, CTX_HOST, .family = 6, .path = IPT_PATH_INCOMING,
	 .in = "eth0", .src = "ff02::1", .dst = "2001:db8::1", .proto = 17,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_MARTIAN,
	 .martian = IPT_MARTIAN_V6_SRC_MULTICAST},
	{"icmpv6 type 135", RS_V6, CTX_HOST, .family = 6, .path = IPT_PATH_INCOMING, .in = "eth0",
	 .src = "fe80::2", .dst = "2001:db8::1", .proto = 58, .type = 135, .verdict = IPT_V_ACCEPT,
	 .possible = V(ACCEPT), .by = IPT_BY_RULE, .line = 6},
	{"icmpv6 echo-request", RS_V6, CTX_HOST, .family = 6, .path = IPT_PATH_INCOMING, .in = "eth0",
	 .src = "2001:db8::9", .dst = "2001:db8::1", .proto = 58, .type = 128,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_RULE, .line = 7},

	/* ---- addrtype, rpfilter, NOTRACK ---- */
	{"addrtype subnet broadcast", RS_ADDRTYPE, CTX_HOST, IN4, .src = "10.0.0.7",
	 .dst = "10.0.0.255", .proto = 17, .pkttype = IPT_PKT_BROADCAST, .verdict = IPT_V_DROP,
	 .possible = V(DROP), .by = IPT_BY_RULE, .line = 5},
	{"addrtype LOCAL on in-iface", RS_ADDRTYPE, CTX_HOST, IN4, .src = "203.0.113.1",
	 .dst = "10.0.0.1", .proto = 17, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_RULE, .line = 6},
	{"addrtype LOCAL of another iface", RS_ADDRTYPE, CTX_HOST, IN4, .src = "203.0.113.1",
	 .dst = "192.168.1.1", .proto = 17, .verdict = IPT_V_REJECT, .possible = V(REJECT),
	 .by = IPT_BY_RULE, .line = 8},
	{"addrtype MULTICAST", RS_ADDRTYPE, CTX_HOST, IN4, .src = "10.0.0.9", .dst = "224.0.0.1",
	 .proto = 17, .pkttype = IPT_PKT_MULTICAST, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_RULE, .line = 7},
	{"addrtype LOCAL unknown without addresses", RS_ADDRTYPE, CTX_NONE, .family = 4,
	 .path = IPT_PATH_LOCAL_OUT, .out = "eth0", .src = "10.0.0.1", .dst = "10.0.0.1",
	 .proto = 17, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT), .by = IPT_BY_POLICY, .line = 4},
	{"rpfilter --invert drops spoof", RS_RPF, CTX_HOST, .family = 4, .path = IPT_PATH_INCOMING,
	 .in = "eth1", .src = "203.0.113.9", .dst = "192.168.1.1", .proto = 17, .dport = 53,
	 .verdict = IPT_V_DROP, .possible = V(DROP), .by = IPT_BY_RULE, .line = 4},
	{"CT --notrack makes UNTRACKED", RS_RPF, CTX_HOST, IN4, .src = "203.0.113.9",
	 .dst = "10.0.0.1", .proto = 17, .dport = 53, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_RULE, .line = 11},
	{"tracked packet hits INPUT policy", RS_RPF, CTX_HOST, IN4, .src = "203.0.113.9",
	 .dst = "10.0.0.1", .proto = 17, .dport = 54, .verdict = IPT_V_DROP, .possible = V(DROP),
	 .by = IPT_BY_POLICY, .line = 8},
	{"rpfilter unknown without routes", RS_RPF, CTX_RP_NOROUTES, .family = 4,
	 .path = IPT_PATH_LOCAL_OUT, .out = "eth0", .src = "10.0.0.1", .dst = "203.0.113.9",
	 .proto = 17, .dport = 53, .verdict = IPT_V_ACCEPT, .possible = V(ACCEPT),
	 .by = IPT_BY_POLICY, .line = 10},
};

static void test_eval(void **state)
{
	const struct eval_case *c = *state;
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(c->rules, strlen(c->rules), "case", c->family, &err);
	struct ipt_context ctx;
	struct ipt_ifconf ifc[3];
	struct ipt_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;
	int af = c->family == 4 ? AF_INET : AF_INET6;

	if (!rs)
		fail_msg("%s: parse %u:%u: %s", c->name, err.line, err.col, err.msg);
	make_ctx(c->ctx, c->family, &ctx, ifc);
	ev = ipt_eval_new(rs, c->ctx == CTX_NONE ? NULL : &ctx);
	assert_non_null(ev);
	ipt_packet_init(&p, c->family, (enum ipt_path)c->path);
	assert_int_equal(inet_pton(af, c->src, p.src), 1);
	assert_int_equal(inet_pton(af, c->dst, p.dst), 1);
	p.proto = c->proto;
	p.sport = c->sport;
	p.dport = c->dport;
	p.tcp_flags = c->flags;
	p.icmp_type = c->type;
	p.icmp_code = c->code;
	p.fragment = c->frag;
	p.pkttype = (uint8_t)c->pkttype;
	p.ctstate = (uint8_t)c->state;
	if (c->in)
		snprintf(p.in_if, sizeof(p.in_if), "%s", c->in);
	if (c->out)
		snprintf(p.out_if, sizeof(p.out_if), "%s", c->out);
	if (c->mac) {
		unsigned m[6], i;

		assert_int_equal(sscanf(c->mac, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
					&m[5]), 6);
		for (i = 0; i < 6; i++)
			p.mac[i] = (uint8_t)m[i];
		p.have_mac = 1;
	}
	assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
	if (res.verdict != c->verdict || res.possible != c->possible || res.by != c->by)
		fail_msg("%s: verdict %s possible %#x by %d, want %s %#x %d", c->name,
			 ipt_verdict_name(res.verdict), res.possible, res.by,
			 ipt_verdict_name(c->verdict), c->possible, c->by);
	if (c->line) {
		unsigned line = 0;

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
	}
	assert_int_equal(res.martian, c->martian);
	if (c->uncertain_line) {
		struct ipt_rule_info ri;

		assert_int_not_equal(res.uncertain_rule, IPT_NONE);
		assert_int_equal(ipt_rule_get(rs, res.uncertain_rule, &ri), 0);
		if (ri.line != c->uncertain_line)
			fail_msg("%s: uncertain line %u, want %u", c->name, ri.line, c->uncertain_line);
	}
	if (c->dnat_dst) {
		uint8_t want[16] = {0};

		assert_int_not_equal(res.nat.dnat_rule, IPT_NONE);
		assert_int_equal(inet_pton(af, c->dnat_dst, want), 1);
		assert_memory_equal(res.nat.dst, want, 16);
		assert_int_equal(res.nat.dport, c->dnat_port);
	}
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
}

/* The hook reports every matched rule, '?' ones included, in traversal order. */
struct hitlog {
	uint32_t rule[16];
	int matched[16];
	int n;
};

static void log_hit(void *arg, uint32_t rule, int matched)
{
	struct hitlog *h = arg;

	if (h->n < 16) {
		h->rule[h->n] = rule;
		h->matched[h->n++] = matched;
	}
}

static void test_hits(void **state)
{
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(RS_UNKNOWN, strlen(RS_UNKNOWN), "h", 4, &err);
	struct ipt_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;
	struct hitlog h = {0};
	struct ipt_rule_info ri;

	(void)state;
	assert_non_null(rs);
	ev = ipt_eval_new(rs, NULL);
	assert_non_null(ev);
	ipt_eval_set_hook(ev, log_hit, &h);
	ipt_packet_init(&p, 4, IPT_PATH_LOCAL_OUT);	/* no martian step on output */
	inet_pton(AF_INET, "10.0.0.1", p.src);
	inet_pton(AF_INET, "10.0.0.2", p.dst);
	p.proto = 17;
	snprintf(p.out_if, sizeof(p.out_if), "eth0");
	assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
	/* OUTPUT has no rules: nothing hit */
	assert_int_equal(h.n, 0);
	p.path = IPT_PATH_INCOMING;
	snprintf(p.in_if, sizeof(p.in_if), "eth0");
	memset(p.out_if, 0, sizeof(p.out_if));
	{
		struct ipt_hostaddr a = {"eth0", 4, 24, {10, 0, 0, 2}};
		struct ipt_ifconf ic = {"all", 0, 0, 0, 0, 0};
		struct ipt_context ctx = {&a, 1, 1, &ic, 1, NULL, 0, 0, -1, 0, 0, 0};

		ipt_eval_free(ev);
		ev = ipt_eval_new(rs, &ctx);
		ipt_eval_set_hook(ev, log_hit, &h);
		assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
	}
	/* udp: rule 3 (hashlimit, maybe) then rule 4 (ACCEPT) in the main world, a maybe hit:
	 * when hashlimit matched, the kernel REJECTs at rule 3 and never reaches rule 4
	 * (issue 9, fault 6: this was reported as definite) */
	assert_int_equal(h.n, 2);
	assert_int_equal(ipt_rule_get(rs, h.rule[0], &ri), 0);
	assert_int_equal(ri.line, 7);
	assert_int_equal(h.matched[0], 2);
	assert_int_equal(ipt_rule_get(rs, h.rule[1], &ri), 0);
	assert_int_equal(ri.line, 8);
	assert_int_equal(h.matched[1], 2);
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
}

static void test_bad_packet(void **state)
{
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(RS_V6, strlen(RS_V6), "v6", 0, &err);
	struct ipt_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;

	(void)state;
	assert_non_null(rs);
	ev = ipt_eval_new(rs, NULL);
	ipt_packet_init(&p, 4, IPT_PATH_INCOMING);	/* IPv4 packet, IPv6 ruleset */
	assert_int_equal(ipt_eval_packet(ev, &p, &res), -1);
	ipt_packet_init(&p, 6, IPT_PATH_COUNT);
	assert_int_equal(ipt_eval_packet(ev, &p, &res), -1);
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(cases) / sizeof(cases[0]) + 2];
	size_t i, n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct CMUnitTest t = {cases[i].name, test_eval, NULL, NULL, (void *)&cases[i]};

		tests[n++] = t;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_hits);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_bad_packet);
	return _cmocka_run_group_tests("ipt_eval", tests, n, NULL, NULL);
}
