/* rsgen.h: a seeded generator of random iptables-save rulesets and of packets aimed at
 * them, shared by the compiled-vs-plain unit test, the kernel differential test's helper
 * and the check benchmark. Header-only (static functions): include it from one .c file.
 * Rules use what the kernel and the evaluator both model: -p, -s/-d (negated too), -i/-o
 * with wildcards, tcp/udp ports and ranges, --tcp-flags, icmp types, multiport, iprange,
 * state, mark/MARK, comment, limit (unknown to the evaluator), user chains with -j/-g
 * and RETURN, ACCEPT/DROP/REJECT and counter-only rules. */
#ifndef SPOOFAUDIT_RSGEN_H
#define SPOOFAUDIT_RSGEN_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

struct rsgen {
	uint64_t s;
};

static inline uint32_t rg_next(struct rsgen *g)
{
	g->s ^= g->s << 13;
	g->s ^= g->s >> 7;
	g->s ^= g->s << 17;
	return (uint32_t)(g->s >> 11);
}

static inline void rg_seed(struct rsgen *g, uint64_t seed)
{
	g->s = seed * 0x9E3779B97F4A7C15ull + 1;
	rg_next(g);
}

static inline unsigned rg(struct rsgen *g, unsigned n)	/* 0 .. n-1 */
{
	return n ? rg_next(g) % n : 0;
}

/* Address pools: sources and destinations drawn from a small set of prefixes so that
 * random packets hit random rules. */
static const char *const rg_src_pfx[] = {
	"198.51.100.0/24", "198.51.100.7/32", "203.0.113.0/25", "10.0.0.0/8", "10.1.2.0/24",
	"127.0.0.0/8", "192.168.0.0/16", "45.33.1.0/24", "45.33.1.20/32", "0.0.0.0/0",
};
static const char *const rg_dst_pfx[] = {
	"45.33.1.10/32", "45.33.1.0/24", "203.0.113.9/32", "203.0.113.0/24", "0.0.0.0/0",
	"127.0.0.1/32",
};
static const uint16_t rg_ports[] = {22, 25, 53, 80, 123, 443, 631, 993, 1024, 3306, 5353, 8080};

/* What differs between the families in the filter rules: address pools, the icmp match,
 * the iprange addresses; IPv4 adds (with flags & 2) 0/8 sources and broadcast
 * destinations. The draws happen in the same order for both families. */
struct rg_family {
	const char *const *src_pfx, *const *dst_pfx;
	unsigned nsrc, ndst;
	void (*icmp)(struct rsgen *g, FILE *out);
	int v6;
};

static inline void rg_icmp4(struct rsgen *g, FILE *out)
{
	fprintf(out, " -p icmp");
	if (rg(g, 2))
		fprintf(out, " -m icmp %s--icmp-type %s", rg(g, 5) ? "" : "! ",
			rg(g, 2) ? "8" : rg(g, 2) ? "0" : "3/3");
}

static const struct rg_family rg_fam4 = {
	rg_src_pfx, rg_dst_pfx, sizeof(rg_src_pfx) / sizeof(*rg_src_pfx),
	sizeof(rg_dst_pfx) / sizeof(*rg_dst_pfx), rg_icmp4, 0,
};

/* The matches of one filter rule in chain number c (0 INPUT, 1 OUTPUT, 2 FORWARD, 3.. user). */
static inline void rg_matches(struct rsgen *g, FILE *out, const struct rg_family *fm,
			      unsigned c, unsigned proto, int use_mark, int flags)
{
	int has_s = 0, has_d = 0;

	if (rg(g, 3) == 0 && ++has_s)
		fprintf(out, " %s-s %s", rg(g, 5) ? "" : "! ", fm->src_pfx[rg(g, fm->nsrc)]);
	if (rg(g, 4) == 0 && ++has_d)
		fprintf(out, " %s-d %s", rg(g, 5) ? "" : "! ", fm->dst_pfx[rg(g, fm->ndst)]);
	if (rg(g, 5) == 0 && c != 1)
		fprintf(out, " %s-i %s", rg(g, 4) ? "" : "! ", rg(g, 2) ? "lo" : rg(g, 2) ? "a0" : "a+");
	if (rg(g, 6) == 0 && c != 0)
		fprintf(out, " %s-o %s", rg(g, 4) ? "" : "! ", rg(g, 2) ? "lo" : "a0");
	if (proto == 0 || proto == 1) {
		const char *p = proto ? "udp" : "tcp";

		fprintf(out, " -p %s -m %s", p, p);
		if (rg(g, 2))
			fprintf(out, " %s--dport %u", rg(g, 6) ? "" : "! ",
				rg_ports[rg(g, sizeof(rg_ports) / sizeof(*rg_ports))]);
		else if (rg(g, 3) == 0)
			fprintf(out, " --dport %u:%u", 1000 + rg(g, 100), 2000 + rg(g, 7000));
		if (rg(g, 5) == 0)
			fprintf(out, " %s--sport %s", rg(g, 4) ? "" : "! ", rg(g, 2) ? "1024:65535" : "53");
		if (!proto && rg(g, 4) == 0)
			fprintf(out, " %s--tcp-flags FIN,SYN,RST,ACK SYN", rg(g, 4) ? "" : "! ");
		if (rg(g, 6) == 0)
			fprintf(out, " -m multiport --dports %u,%u:%u",
				rg_ports[rg(g, 12)], 5000 + rg(g, 10), 5010 + rg(g, 10));
	} else if (proto == 2) {
		fm->icmp(g, out);
	} else if (proto == 3 && rg(g, 2)) {
		fprintf(out, " ! -p tcp");
	}
	if (rg(g, 10) == 0)
		fprintf(out, fm->v6 ? " -m iprange %s--src-range 2001:db8:51::%x-2001:db8:51::%x"
				    : " -m iprange %s--src-range 198.51.100.%u-198.51.100.%u",
			rg(g, 4) ? "" : "! ", rg(g, 50), 50 + rg(g, 200));
	if (rg(g, 10) == 0)
		fprintf(out, " -m state --state %s", rg(g, 2) ? "NEW" : "INVALID");
	if (!fm->v6 && (flags & 2) && !has_s && rg(g, 12) == 0)
		fprintf(out, " %s-s %s", rg(g, 3) ? "" : "! ", rg(g, 2) ? "0.0.0.0/8" : "0.0.0.0/32");
	else if (!fm->v6 && (flags & 2) && !has_d && rg(g, 12) == 0)
		fprintf(out, " -d %s", rg(g, 2) ? "255.255.255.255/32" : "45.33.1.255/32");
	if ((flags & 2) && rg(g, 15) == 0)
		fprintf(out, " -m recent --%s --name k", rg(g, 2) ? "set" : "rcheck");
	if ((flags & 2) && rg(g, 15) == 0)
		fprintf(out, " -m conntrack --ctstate %s", rg(g, 2) ? "INVALID" : "NEW,RELATED");
	if (use_mark && rg(g, 8) == 0)
		fprintf(out, " -m mark %s--mark 0x%x/0xff", rg(g, 4) ? "" : "! ", 1 + rg(g, 3));
	if ((flags & 1) && rg(g, 15) == 0)
		fprintf(out, " -m limit --limit 1/sec --limit-burst 1000");
}

/* The mangle table (when use_mark) and the filter table of a ruleset, after its raw and
 * nat tables: nuser user chains, about nrules rules. */
static inline void rg_mangle_filter(struct rsgen *g, FILE *out, const struct rg_family *fm,
				    unsigned nrules, unsigned nuser, int use_mark, int flags)
{
	static const char *const tg[] = {"ACCEPT", "DROP", "REJECT", "", "RETURN"};
	unsigned i, k;

	if (use_mark) {
		fprintf(out, "*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
			     ":FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
		for (k = 0; k < 3; k++)
			fprintf(out, "-A %s -p %s -j MARK --set-xmark 0x%x/0xff\n",
				rg(g, 2) ? "PREROUTING" : "OUTPUT", rg(g, 2) ? "tcp" : "udp", 1 + rg(g, 3));
		fprintf(out, "COMMIT\n");
	}
	fprintf(out, "*filter\n:INPUT %s [0:0]\n:FORWARD %s [0:0]\n:OUTPUT %s [0:0]\n",
		rg(g, 2) ? "ACCEPT" : "DROP", rg(g, 2) ? "ACCEPT" : "DROP", rg(g, 3) ? "ACCEPT" : "DROP");
	for (k = 0; k < nuser; k++)
		fprintf(out, ":U%u - [0:0]\n", k);
	for (i = 0; i < nrules; i++) {
		unsigned c = rg(g, 3 + nuser), proto = rg(g, 5), t;
		const char *chain = c == 0 ? "INPUT" : c == 1 ? "OUTPUT" : c == 2 ? "FORWARD" : NULL;

		if (chain)
			fprintf(out, "-A %s", chain);
		else
			fprintf(out, "-A U%u", c - 3);
		rg_matches(g, out, fm, c, proto, use_mark, flags);
		if (rg(g, 12) == 0)
			fprintf(out, " -m comment --comment \"r%u\"", i);
		t = rg(g, 10);
		if (t < 6)
			fprintf(out, "%s%s", *tg[t % 4] ? " -j " : "", tg[t % 4]);
		else if (t < 7 && c >= 3)
			fprintf(out, " -j RETURN");
		else if (t < 9) {
			unsigned lo = c >= 3 ? c - 3 + 1 : 0;	/* jumps only go down: no loops */

			if (lo < nuser)
				fprintf(out, " -%c U%u", rg(g, 4) ? 'j' : 'g', lo + rg(g, nuser - lo));
		}
		fprintf(out, "\n");
	}
	fprintf(out, "COMMIT\n");
}

/* Writes a ruleset of about nrules rules. flags: 1 = include unknown matches (limit);
 * 2 = the kernel-path kinds of issue 9 (ipt_kdiff only): a nat table with DNAT port
 * forwards to this host (45.33.1.10) and to another (45.33.1.30), raw PREROUTING
 * rpfilter rules, recent --set / --rcheck, pkttype, 0/8 and broadcast addresses. */
static inline void rg_ruleset(struct rsgen *g, FILE *out, unsigned nrules, int flags)
{
	unsigned nuser = 1 + rg(g, 4), k;
	int use_mark = rg(g, 2);

	if (flags & 2) {
		fprintf(out, "*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
		if (rg(g, 2))
			fprintf(out, "-A PREROUTING -m rpfilter%s -j %s\n", rg(g, 2) ? " --invert" : "",
				rg(g, 2) ? "DROP" : "ACCEPT");
		if (rg(g, 2))
			fprintf(out, "-A PREROUTING -p udp -m pkttype --pkt-type %s -j DROP\n",
				rg(g, 2) ? "broadcast" : "multicast");
		fprintf(out, "-A PREROUTING -p tcp -m recent --set --name k\n");
		fprintf(out, "COMMIT\n*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n"
			     ":OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
		for (k = 0; k < 2 + rg(g, 3); k++)
			fprintf(out, "-A PREROUTING -p tcp -m tcp --dport %u -j DNAT --to-destination %s\n",
				8000 + k, rg(g, 2) ? "45.33.1.30:80" : "45.33.1.10:22");
		/* nat OUTPUT: locally sent packets re-routed to this host (through lo), to
		 * another host, to 127.0.0.1 (refused off lo unless route_localnet) or
		 * redirected, some only for one destination */
		for (k = 0; k < rg(g, 4); k++) {
			static const char *const to[] = {
				"DNAT --to-destination 45.33.1.10:22", "DNAT --to-destination 45.33.1.30:80",
				"DNAT --to-destination 127.0.0.1:22", "REDIRECT --to-ports 22",
				"DNAT --to-destination 45.33.1.10",
			};

			const char *dst = rg(g, 3) ? "" : " -d 203.0.113.9/32";
			const char *pr = rg(g, 4) ? "tcp" : "udp";

			fprintf(out, "-A OUTPUT%s -p %s -m %s --dport %u -j %s\n", dst, pr, pr,
				9000 + k, to[rg(g, 5)]);
		}
		fprintf(out, "COMMIT\n");
	}
	rg_mangle_filter(g, out, &rg_fam4, nrules, nuser, use_mark, flags);
}

#endif
