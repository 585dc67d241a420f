/* ipt_kdiff6.h: the IPv6 half of tests/tools/ipt_kdiff.c (included once, header-only):
 * a seeded generator of random ip6tables-save rulesets and the IPv6 packet builder.
 *
 * The namespace (tests/integration/t_ipt_kernel_diff.sh setup6): the host 2001:db8:1::10/64
 * on the veth, no link-local address (addr_gen_mode 1: so that the kernel sends no
 * redirect, ndisc_send_redirect needs one, and no MLD from a link-local source), ::1 on
 * lo, the peer 2001:db8:1::20 as default gateway, forwarding on, DAD off. */
#ifndef SPOOFAUDIT_IPT_KDIFF6_H
#define SPOOFAUDIT_IPT_KDIFF6_H

#include "rsgen.h"

static const uint8_t host_a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10};
static const uint8_t remote6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x51, [15] = 0x07};
static const uint8_t far6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x13, [15] = 0x09};
static const uint8_t loop6[16] = {[15] = 1};

static int ipt6_unspec(const uint8_t *a)	/* :: */
{
	static const uint8_t any[16];

	return !memcmp(a, any, 16);
}

static const char *const rg6_src_pfx[] = {
	"2001:db8:51::/48", "2001:db8:51::7/128", "2001:db8:113::/64", "fc00::/7",
	"::1/128", "fe80::/10", "2001:db8:1::/64", "2001:db8:1::20/128", "::/0",
	"::ffff:0.0.0.0/96", "ff00::/8",
};
static const char *const rg6_dst_pfx[] = {
	"2001:db8:1::10/128", "2001:db8:1::/64", "2001:db8:113::9/128", "2001:db8:113::/64",
	"::/0", "::1/128", "ff02::1/128", "ff00::/8",
};
static const char *const rg6_icmp[] = {
	"128", "echo-reply", "1/4", "destination-unreachable", "135", "134", "packet-too-big",
	"139",
};

static inline void rg_icmp6(struct rsgen *g, FILE *out)
{
	fprintf(out, " -p ipv6-icmp");
	if (rg(g, 3))
		fprintf(out, " -m icmp6 %s--icmpv6-type %s", rg(g, 5) ? "" : "! ",
			rg6_icmp[rg(g, sizeof(rg6_icmp) / sizeof(*rg6_icmp))]);
}

static const struct rg_family rg_fam6 = {
	rg6_src_pfx, rg6_dst_pfx, sizeof(rg6_src_pfx) / sizeof(*rg6_src_pfx),
	sizeof(rg6_dst_pfx) / sizeof(*rg6_dst_pfx), rg_icmp6, 1,
};

/* An ip6tables-save ruleset of about nrules rules, shaped like rg_ruleset (rsgen.h) with
 * flags 1|2: raw PREROUTING rpfilter and pkttype rules, nat DNAT port forwards to this
 * host and to another, MARK in mangle, filter chains with user chains, jumps and gotos,
 * addresses from IPv6 pools (loopback, link-local, ULA, v4-mapped, multicast), icmpv6
 * types, tcp/udp ports, multiport, iprange, state/conntrack, mark, recent, limit. */
static inline void rg6_ruleset(struct rsgen *g, FILE *out, unsigned nrules)
{
	unsigned nuser = 1 + rg(g, 4), k;
	int use_mark = rg(g, 2);

	fprintf(out, "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
	if (rg(g, 2))
		fprintf(out, "-A PREROUTING -m rpfilter%s%s -j %s\n", rg(g, 2) ? " --invert" : "",
			rg(g, 3) ? "" : " --loose", rg(g, 2) ? "DROP" : "ACCEPT");
	if (rg(g, 2))
		fprintf(out, "-A PREROUTING -p udp -m pkttype --pkt-type multicast -j %s\n",
			rg(g, 2) ? "DROP" : "ACCEPT");
	fprintf(out, "-A PREROUTING -p tcp -m recent --set --name k\n");
	fprintf(out, "COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
		     ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
	for (k = 0; k < 2 + rg(g, 3); k++)
		fprintf(out, "-A PREROUTING -p tcp -m tcp --dport %u -j DNAT --to-destination %s\n",
			8000 + k, rg(g, 2) ? "[2001:db8:1::30]:80" : "[2001:db8:1::10]:22");
	fprintf(out, "COMMIT\n");
	rg_mangle_filter(g, out, &rg_fam6, nrules, nuser, use_mark, 1 | 2);
}

/* The conntrack state of an ICMPv6 packet that quotes or belongs to no known flow
 * (nf_conntrack_proto_icmpv6.c): nf_conntrack_icmpv6_error() marks MLD and neighbour
 * discovery (noct_valid_new[]: 130-136, 143) UNTRACKED and looks inside errors (type <
 * 128: RELATED or INVALID); nf_conntrack_icmpv6_packet() creates an entry only for echo
 * request and node information query (valid_new[]); anything else is INVALID. */
static uint8_t icmp6_ct(unsigned ty)
{
	if ((ty >= 130 && ty <= 136) || ty == 143)
		return IPT_CT_UNTRACKED;
	if (ty < 128)
		return IPT_CT_UNKNOWN;
	return ty == 128 || ty == 139 ? IPT_CT_NEW : IPT_CT_INVALID;
}

#endif
