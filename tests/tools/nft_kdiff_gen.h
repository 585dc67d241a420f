/* nft_kdiff_gen.h: the seeded random nft ruleset generator of tests/tools/nft_kdiff.c
 * (included once, header-only). The rulesets are native syntax for the test namespace
 * (host 45.33.1.10/24 on the veth IF, peer 45.33.1.20): ip and inet tables with base
 * chains at several priorities on every hook, regular chains reached by jump/goto,
 * anonymous and named sets with intervals and concatenations, verdict maps, ct state, tcp
 * flags, th ports (which ICMP reaches too), icmp types, interface names, pkttype, and the unmodelled `limit` now and then. */
#ifndef SPOOFAUDIT_NFT_KDIFF_GEN_H
#define SPOOFAUDIT_NFT_KDIFF_GEN_H

#include <stdint.h>
#include <stdio.h>

struct ngen {
	uint64_t s;
};

static unsigned ng_next(struct ngen *g, unsigned n)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return n ? (unsigned)(g->s % n) : 0;
}

#define NG_PICK(g, arr) (arr)[ng_next(g, sizeof(arr) / sizeof((arr)[0]))]

static const char *const ng_src[] = {
	"198.51.100.0/24", "198.51.100.7", "203.0.113.0/25", "45.33.1.0/24", "45.33.1.20",
	"10.0.0.0/8", "127.0.0.0/8", "192.0.2.1-192.0.2.100", "{ 198.51.100.7, 203.0.113.9 }",
	"{ 10.0.0.0/8, 198.51.100.0/26 }", "@blk"};
static const char *const ng_dst[] = {
	"45.33.1.10", "45.33.1.0/24", "45.33.1.255", "224.0.0.1", "192.0.2.9",
	"{ 45.33.1.10, 192.0.2.9 }", "255.255.255.255", "127.0.0.1"};
static const char *const ng_port[] = {
	"22", "80", "443", "53", "1-1024", "8000-8100", "{ 22, 80, 443 }", "{ 53, 123, 5353 }",
	"!= 22", "> 1023", "< 1024", "@svc"};
static const char *const ng_th[] = {"2048", "!= 2048", "768-1023", "{ 0, 2048 }", "!= 0"};
static const char *const ng_ct[] = {
	"new", "established,related", "invalid", "new,invalid", "{ new, untracked }", "related"};
static const char *const ng_flags[] = {
	"syn", "syn / syn,ack", "& (syn|ack) == syn|ack", "rst", "fin / fin,ack", "& (fin|syn) == fin|syn",
	"ack"};
static const char *const ng_icmp[] = {"echo-request", "echo-reply", "destination-unreachable",
				      "{ echo-request, time-exceeded }", "timestamp-request"};
static const char *const ng_verdict[] = {"accept", "drop", "reject", "continue", "counter",
					 "log prefix \"kd \" group 2", "return"};

/* Whether a match for protocol want (6, 17, 1) may follow: *proto is the rule's protocol
 * so far (0 none yet, -1 several: no protocol match any more). */
static int ng_proto(int *proto, int want)
{
	if (*proto == 0)
		*proto = want;
	return *proto == want;
}

/* One random match; IF the veth's name. */
/* What a chain's hook allows: reject (input, forward, output), iifname (prerouting,
 * input, forward), oifname (forward, output, postrouting). */
#define NG_REJECT 1
#define NG_IIF 2
#define NG_OIF 4
#define NG_INET 8	/* an inet table: IPv6 matches too */
#define NG_FIB 16	/* fib (prerouting, input) */

static const char *const ng_fib[] = {
	"fib saddr . iif oif missing", "fib saddr oif missing", "fib saddr . iif oif exists",
	"fib daddr type local", "fib daddr . iif type { broadcast, multicast }",
	"fib daddr type != local", "fib saddr type local"};

static const char *const ng_src6[] = {
	"2001:db8:51::/48", "2001:db8:51::77", "2001:db8:1::20", "fe80::/10",
	"{ 2001:db8:51::77, 2001:db8:113::/64 }", "::1"};
static const char *const ng_icmp6[] = {"echo-request", "nd-neighbor-solicit",
				       "{ destination-unreachable, packet-too-big }", "echo-reply"};

static void ng_match(struct ngen *g, FILE *f, const char *ifn, int *proto, int *nf, unsigned allow)
{
	unsigned k = ng_next(g, 14);
	int tcp;

	if ((allow & NG_FIB) && ng_next(g, 6) == 0) {
		fprintf(f, " %s", NG_PICK(g, ng_fib));
		return;
	}

	if ((allow & NG_INET) && ng_next(g, 4) == 0) {
		switch (ng_next(g, 4)) {
		case 0:
			if (!ng_proto(nf, 6))
				break;
			fprintf(f, " ip6 saddr %s", NG_PICK(g, ng_src6));
			return;
		case 1:
			if (!ng_proto(nf, 6))
				break;
			fprintf(f, " ip6 daddr %s", ng_next(g, 2) ? "2001:db8:1::10" : "2001:db8:113::/64");
			return;
		case 2:
			if (!ng_proto(nf, 6) || !ng_proto(proto, 58))
				break;
			fprintf(f, " icmpv6 type %s", NG_PICK(g, ng_icmp6));
			return;
		default:
			if (*nf)
				break;
			*nf = ng_next(g, 2) ? 4 : 6;
			fprintf(f, " meta nfproto %s", *nf == 4 ? "ipv4" : "ipv6");
			return;
		}
	}
	switch (k) {
	case 3:
	case 4:
	case 12:
		/* th: no protocol test, ICMP's type.code is its sport (0x0800 echo request);
		 * two in a row with != are listed back as a raw @th,0,32 load */
		if (*proto == 0 && ng_next(g, 4) == 0) {
			fprintf(f, " th %s %s", k == 12 ? "sport" : "dport",
				ng_next(g, 3) ? NG_PICK(g, ng_port) : NG_PICK(g, ng_th));
			return;
		}
		tcp = ng_next(g, 3) != 0;
		if (!ng_proto(proto, tcp ? 6 : 17) && !ng_proto(proto, tcp ? 17 : 6))
			break;
		fprintf(f, " %s %s %s", *proto == 6 ? "tcp" : "udp", k == 12 ? "sport" : "dport",
			NG_PICK(g, ng_port));
		return;
	case 6:
		if (!ng_proto(proto, 6))
			break;
		fprintf(f, " tcp flags %s", NG_PICK(g, ng_flags));
		return;
	case 7:
		if (!ng_proto(nf, 4) || !ng_proto(proto, 1))
			break;
		fprintf(f, " icmp type %s", NG_PICK(g, ng_icmp));
		return;
	case 8:
		if (*proto != 0)
			break;
		*proto = ng_next(g, 2) ? 6 : -1;
		fprintf(f, " meta l4proto %s", *proto == 6 ? "tcp" : "{ udp, icmp }");
		return;
	case 11:
		if (!ng_proto(nf, 4) || !ng_proto(proto, 6))
			break;
		fprintf(f, " ip saddr . tcp dport %s",
			ng_next(g, 2) ? "{ 198.51.100.7 . 22, 203.0.113.0/25 . 80-90 }" : "@pairs");
		return;
	default:
		break;
	}
	k %= 7;
	if (k <= 2 && !ng_proto(nf, 4))
		k = 3;
	switch (k) {
	case 0:
	case 1:
		fprintf(f, " ip saddr %s", NG_PICK(g, ng_src));
		break;
	case 2:
		fprintf(f, " ip daddr %s", NG_PICK(g, ng_dst));
		break;
	case 3:
		fprintf(f, " ct state %s", NG_PICK(g, ng_ct));
		break;
	case 4:
		if (allow & NG_IIF)
			fprintf(f, " iifname %s", ng_next(g, 2) ? ifn : "\"lo\"");
		else
			fprintf(f, " meta pkttype host");
		break;
	case 5:
		fprintf(f, " meta pkttype %s", ng_next(g, 2) ? "host" : "{ broadcast, multicast }");
		break;
	default:
		if (ng_next(g, 3) == 0)
			fprintf(f, " limit rate 5/second");
		else if (allow & NG_OIF)
			fprintf(f, " oifname %s", ifn);
		else
			fprintf(f, " ct state != invalid");
		break;
	}
}

static void ng_rule(struct ngen *g, FILE *f, const char *ifn, unsigned nuser, int user,
		    unsigned allow)
{
	unsigned k, n = 1 + ng_next(g, 3);
	int proto = 0, nf = 0;

	fprintf(f, "\t\t");
	for (k = 0; k < n; k++)
		ng_match(g, f, ifn, &proto, &nf, allow);
	k = ng_next(g, 12);
	if (k < 2 && nuser)
		fprintf(f, " %s u%u\n", k ? "goto" : "jump", ng_next(g, nuser));
	else if (k == 2 && (proto == 0 || proto == 6))
		fprintf(f, " tcp dport vmap { 22 : accept, 80 : drop, 443-450 : continue%s }\n",
			nuser ? ", 53 : jump u0" : "");
	else {
		const char *v = NG_PICK(g, ng_verdict);

		if (!user && !strcmp(v, "return"))
			v = "accept";
		if (!(allow & NG_REJECT) && !strcmp(v, "reject"))
			v = "drop";
		fprintf(f, " %s\n", v);
	}
}

static unsigned ng_allow(const char *hook)
{
	if (!strcmp(hook, "prerouting"))
		return NG_IIF | NG_FIB;
	if (!strcmp(hook, "input"))
		return NG_IIF | NG_REJECT | NG_FIB;
	if (!strcmp(hook, "forward"))
		return NG_IIF | NG_OIF | NG_REJECT;
	if (!strcmp(hook, "output"))
		return NG_OIF | NG_REJECT;
	return NG_OIF;
}

/* A random ruleset of about nrules rules. */
static void ng_ruleset(struct ngen *g, FILE *f, unsigned nrules, const char *ifn)
{
	static const struct {
		const char *type, *hook;
		int prio;
	} bases[] = {
		{"filter", "prerouting", -300}, {"filter", "prerouting", -150}, {"filter", "input", -10},
		{"filter", "input", 0}, {"filter", "input", 10}, {"filter", "forward", 0},
		{"filter", "output", 0}, {"filter", "postrouting", 50}, {"nat", "prerouting", -100},
	};
	unsigned t, c, r, nb, nuser, left = nrules;

	for (t = 0; t < 2; t++) {
		fprintf(f, "table %s kd%u {\n", t ? "inet" : "ip", t);
		fprintf(f, "\tset blk { type ipv4_addr; flags interval; elements = { 198.51.100.0/25, "
			   "192.0.2.50-192.0.2.60 } }\n");
		fprintf(f, "\tset svc { type inet_service; flags interval; elements = { 22, 8000-8010 } }\n");
		fprintf(f, "\tset pairs { type ipv4_addr . inet_service; flags interval; elements = { "
			   "198.51.100.0/24 . 22-23, 45.33.1.20 . 53 } }\n");
		nuser = ng_next(g, 3);
		for (c = 0; c < nuser; c++) {
			fprintf(f, "\tchain u%u {\n", c);
			for (r = 0; r < 1 + ng_next(g, 3) && left; r++, left--)
				ng_rule(g, f, ifn, 0, 1, t ? NG_INET : 0);
			fprintf(f, "\t}\n");
		}
		nb = 2 + ng_next(g, 4);
		for (c = 0; c < nb; c++) {
			unsigned b = ng_next(g, sizeof(bases) / sizeof(bases[0]));
			int nat = !strcmp(bases[b].type, "nat");

			fprintf(f, "\tchain b%u {\n\t\ttype %s hook %s priority %d; policy %s;\n", c,
				bases[b].type, bases[b].hook, bases[b].prio + (int)ng_next(g, 3) - 1,
				!nat && ng_next(g, 4) == 0 ? "drop" : "accept");
			for (r = 0; r < 1 + ng_next(g, 5) && left; r++, left--) {
				if (nat) {
					fprintf(f, "\t\ttcp dport %u dnat %sto %s\n", 8080 + r, t ? "ip " : "",
						ng_next(g, 2) ? "45.33.1.10:22" : "192.0.2.9:80");
					continue;
				}
				ng_rule(g, f, ifn, nuser, 0, ng_allow(bases[b].hook) | (t ? NG_INET : 0));
			}
			fprintf(f, "\t}\n");
		}
		fprintf(f, "}\n");
	}
}

#endif
