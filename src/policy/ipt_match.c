/* This file decides whether one rule matches a packet: the core options (-p -s -d -i -o
 * -f) and every modelled match, each as its kernel module (xt_tcpudp, xt_multiport,
 * xt_addrtype, ...) decides it, in three-valued logic: what depends on something the
 * evaluator does not know (an unmodelled match, a mark nobody set, a missing route) is
 * IPT_MAYBE. It also answers the host questions (is this address ours, which route). */
#include "policy/ipt_int.h"

#include <stdio.h>
#include <string.h>

/* Three-valued AND: NO wins, then MAYBE. */
static int and3(int a, int b)
{
	if (a == IPT_NO || b == IPT_NO)
		return IPT_NO;
	return a == IPT_MAYBE || b == IPT_MAYBE ? IPT_MAYBE : IPT_YES;
}

static int inv3(int v, int inv)
{
	if (!inv || v == IPT_MAYBE)
		return v;
	return v == IPT_YES ? IPT_NO : IPT_YES;
}

static int alen(const struct ipt_eval *ev)
{
	return ev->rs->family == 4 ? 4 : 16;
}

static int in_prefix(const uint8_t *pfx, unsigned plen, const uint8_t *a)
{
	unsigned full = plen / 8, rem = plen % 8;

	if (memcmp(pfx, a, full) != 0)
		return 0;
	return !rem || !((pfx[full] ^ a[full]) & (uint8_t)(0xff << (8 - rem)));
}

void ipt_fill_slot(struct ipt_eval *ev, int slot, const char *name)
{
	const struct ipt_ruleset *rs = ev->rs;
	size_t len = strlen(name);
	uint32_t i;

	for (i = 0; i < rs->nifpat; i++) {
		const struct ipt_ifpat *p = &rs->ifpat[i];

		ev->ifmatch[slot][i] = p->wildcard ? len >= p->len && memcmp(name, p->name, p->len) == 0
						   : len == p->len && memcmp(name, p->name, len) == 0;
	}
	snprintf(ev->ifname[slot], IPT_IFNAMSIZ, "%s", name);
	ev->ifvalid[slot] = 1;
}

int ipt_dyn_slot(struct ipt_eval *ev, const char *name)
{
	int s;

	for (s = IPT_IFSLOT_DYN; s < IPT_IFSLOT_DYN + ev->ndyn; s++)
		if (strcmp(ev->ifname[s], name) == 0)
			return s;
	if (s >= IPT_IFSLOTS)
		return -1;
	ipt_fill_slot(ev, s, name);
	ev->ndyn++;
	return s;
}

const char *ipt_slot_name(const struct ipt_eval *ev, int slot)
{
	switch (slot) {
	case 0:
		return ev->pkt->in_if;
	case 1:
		return ev->ifname[1];	/* the packet's, or its route's (ipt_eval_packet) */
	case 2:
		return "lo";
	case 3:
		return "";
	default:
		return ev->ifname[slot];	/* named by the re-route after nat OUTPUT */
	}
}

int ipt_is_host_addr(const struct ipt_eval *ev, const uint8_t addr[16], const char **ifname)
{
	static const uint8_t v4_loop[4] = {127, 0, 0, 1};
	static const uint8_t v6_loop[16] = {[15] = 1};
	const struct ipt_context *ctx = ev->ctx;
	int fam = ev->rs->family;
	size_t i;

	if (ifname)
		*ifname = "lo";
	if (memcmp(addr, fam == 4 ? v4_loop : v6_loop, (size_t)alen(ev)) == 0)
		return IPT_YES;
	if (ctx) {
		for (i = 0; i < ctx->naddrs; i++) {
			const struct ipt_hostaddr *h = &ctx->addrs[i];

			if (h->family == fam && memcmp(h->addr, addr, (size_t)alen(ev)) == 0) {
				if (ifname)
					*ifname = h->ifname;
				return IPT_YES;
			}
		}
	}
	if (ifname)
		*ifname = NULL;
	return ctx && ctx->addrs_known ? IPT_NO : IPT_MAYBE;
}

int ipt_route_lookup(const struct ipt_eval *ev, const uint8_t addr[16], const char **ifname)
{
	const struct ipt_context *ctx = ev->ctx;
	int fam = ev->rs->family, best = -1;
	size_t i;

	*ifname = NULL;
	if (!ctx || !ctx->routes_known)
		return IPT_MAYBE;
	for (i = 0; i < ctx->nroutes; i++) {
		const struct ipt_route *r = &ctx->routes[i];

		if (r->dst.family == fam && r->dst.plen > best && in_prefix(r->dst.addr, r->dst.plen, addr)) {
			best = r->dst.plen;
			*ifname = r->ifname;
		}
	}
	/* connected subnets of the host's addresses */
	for (i = 0; i < ctx->naddrs; i++) {
		const struct ipt_hostaddr *h = &ctx->addrs[i];

		if (h->family == fam && h->plen > best && in_prefix(h->addr, h->plen, addr)) {
			best = h->plen;
			*ifname = h->ifname;
		}
	}
	return best >= 0 ? IPT_YES : IPT_NO;
}

/* xt_addrtype: inet_dev_addr_type (IPv4, local table only) / a route lookup (IPv6). */
unsigned ipt_addr_types(const struct ipt_eval *ev, const uint8_t a[16], const char *ifname)
{
	const struct ipt_context *ctx = ev->ctx;
	const char *holder = NULL;
	int local;
	size_t i;

	if (ev->rs->family == 4) {
		if (a[0] == 0 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255))
			return 1u << IPT_RTN_BROADCAST;
		if ((a[0] & 0xf0) == 224)
			return 1u << IPT_RTN_MULTICAST;
		if (a[0] == 127)	/* 127.0.0.0/8 is a local route on lo */
			return !ifname || strcmp(ifname, "lo") == 0 ? 1u << IPT_RTN_LOCAL
								     : 1u << IPT_RTN_UNICAST;
		local = ipt_is_host_addr(ev, a, &holder);
		if (local == IPT_YES)
			return !ifname || (holder && strcmp(ifname, holder) == 0)
				       ? 1u << IPT_RTN_LOCAL : 1u << IPT_RTN_UNICAST;
		if (ctx) {	/* subnet broadcast routes in the local table */
			for (i = 0; i < ctx->naddrs; i++) {
				const struct ipt_hostaddr *h = &ctx->addrs[i];
				uint32_t ha, x, mask;

				if (h->family != 4 || h->plen >= 31)
					continue;
				mask = h->plen ? ~0u << (32 - h->plen) : 0;
				ha = (uint32_t)h->addr[0] << 24 | (uint32_t)h->addr[1] << 16 |
				     (uint32_t)h->addr[2] << 8 | h->addr[3];
				x = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
				if ((x & mask) == (ha & mask) && (x | mask) == UINT32_MAX &&
				    (!ifname || strcmp(ifname, h->ifname) == 0))
					return 1u << IPT_RTN_BROADCAST;
			}
		}
		if (local == IPT_MAYBE)
			return 1u << IPT_RTN_UNICAST | 1u << IPT_RTN_LOCAL | 1u << IPT_RTN_BROADCAST;
		return 1u << IPT_RTN_UNICAST;
	}
	if (a[0] == 0xff)
		return 1u << IPT_RTN_MULTICAST;
	local = ipt_is_host_addr(ev, a, &holder);
	if (local == IPT_YES && (!ifname || (holder && strcmp(ifname, holder) == 0)))
		return 1u << IPT_RTN_LOCAL;
	{
		const char *via;
		int rt = ipt_route_lookup(ev, a, &via);
		unsigned t = rt == IPT_YES ? 1u << IPT_RTN_UNICAST
			   : rt == IPT_NO ? 1u << IPT_RTN_UNREACHABLE
					  : (1u << IPT_RTN_UNICAST | 1u << IPT_RTN_UNREACHABLE);

		if (local == IPT_MAYBE)
			t |= 1u << IPT_RTN_LOCAL;
		return t;
	}
}

/* Types possible vs the rule's mask: all inside -> YES, none -> NO. */
static int types_match(unsigned possible, unsigned mask, int inv)
{
	int v;

	if ((possible & mask) == possible)
		v = IPT_YES;
	else if ((possible & mask) == 0)
		v = IPT_NO;
	else
		v = IPT_MAYBE;
	return inv3(v, inv);
}

/* xt_rpfilter (IPv4 and IPv6 alike at this level). */
static int rpfilter_match(const struct ipt_eval *ev, const struct ipt_world *w, uint8_t f)
{
	const struct ipt_packet *p = ev->pkt;
	const char *in = ipt_slot_name(ev, w->in_slot), *via = NULL;
	int inv = (f & IPT_RPF_INVERT) != 0, local, rt;

	/* rpfilter_mt (net/ipv4/netfilter/ipt_rpfilter.c): rpfilter_is_loopback() (lo, or
	 * PACKET_LOOPBACK) passes; so does an ipv4_is_zeronet source to ipv4_is_lbcast or
	 * ipv4_is_local_multicast (224.0.0.0/24) destination. Nothing else is exempt: other
	 * broadcast and multicast packets get rpfilter_lookup_reverse() like any other. */
	if (strcmp(in, "lo") == 0)
		return inv3(IPT_YES, inv);
	if (ev->rs->family == 4) {
		int z = ipt_v4_zeronet_exempt(ev, p->src, w->dst);

		if (z != IPT_NO)
			return z == IPT_YES ? inv3(IPT_YES, inv) : IPT_MAYBE;
	} else {
		static const uint8_t any6[16];

		/* ip6t_rpfilter.c rpfilter_mt: an IPV6_ADDR_ANY source passes */
		if (memcmp(p->src, any6, 16) == 0)
			return inv3(IPT_YES, inv);
		/* rpfilter_lookup_reverse6: a multicast destination only drops
		 * RT6_LOOKUP_F_HAS_SADDR (no source-specific routes are modelled), so it is
		 * looked up like any other; a link-local source is looked up on the incoming
		 * device itself (RT6_LOOKUP_F_IFACE): not modelled */
		if (ipt_v6_linklocal(p->src))
			return IPT_MAYBE;
	}
	local = ev->rs->family == 4 && p->src[0] == 127 ? IPT_YES : ipt_is_host_addr(ev, p->src, &via);
	if (local == IPT_YES) {
		if (!(f & IPT_RPF_ACCEPT_LOCAL))
			return inv3(IPT_NO, inv);
		if (f & IPT_RPF_LOOSE)
			return inv3(IPT_YES, inv);
		return via ? inv3(strcmp(via, in) == 0 ? IPT_YES : IPT_NO, inv) : IPT_MAYBE;
	}
	rt = ipt_route_lookup(ev, p->src, &via);
	if (rt == IPT_MAYBE || local == IPT_MAYBE)
		return IPT_MAYBE;
	if (rt == IPT_NO)
		return inv3(IPT_NO, inv);
	if (f & IPT_RPF_LOOSE)
		return inv3(IPT_YES, inv);
	return inv3(strcmp(via, in) == 0 ? IPT_YES : IPT_NO, inv);
}

static int port_in(const struct ipt_prange *r, uint16_t port)
{
	return port >= r->lo && port <= r->hi;
}

/* port_in for a port that may be unknown (a collapsed ephemeral port of a flow). */
static int port_in3(const struct ipt_prange *r, uint16_t port, int unknown)
{
	if (unknown)
		return r->lo == 0 && r->hi == 65535 ? IPT_YES : IPT_MAYBE;
	return port_in(r, port) ? IPT_YES : IPT_NO;
}

static int mark_match(uint32_t mark, uint32_t known, uint32_t value, uint32_t mask, int inv)
{
	if (((mark ^ value) & mask & known) != 0)
		return inv3(IPT_NO, inv);
	if ((mask & ~known) != 0)
		return IPT_MAYBE;
	return inv3(IPT_YES, inv);
}

static int ctstate_match(const struct ipt_world *w, uint8_t mask, int inv)
{
	static const uint8_t bits[] = {
		[IPT_CT_NEW] = IPT_CTS_NEW, [IPT_CT_ESTABLISHED] = IPT_CTS_ESTABLISHED,
		[IPT_CT_RELATED] = IPT_CTS_RELATED, [IPT_CT_INVALID] = IPT_CTS_INVALID,
		[IPT_CT_UNTRACKED] = IPT_CTS_UNTRACKED,
	};
	uint8_t have;

	if (w->ctstate >= IPT_CT_UNKNOWN)
		return IPT_MAYBE;
	have = bits[w->ctstate];
	if (w->ctstate == IPT_CT_NEW) {
		if (w->dnat_rule != IPT_NONE)
			have |= IPT_CTS_DNAT;
		if (w->snat_rule != IPT_NONE)
			have |= IPT_CTS_SNAT;
	} else if ((mask & (IPT_CTS_SNAT | IPT_CTS_DNAT)) && !(have & mask) &&
		   w->ctstate != IPT_CT_INVALID && w->ctstate != IPT_CT_UNTRACKED) {
		return IPT_MAYBE;	/* whether an old connection was NATed is unknown */
	}
	return inv3((have & mask) ? IPT_YES : IPT_NO, inv);
}

/* tcp, udp, udplite, sctp, dccp: ports, TCP flags, options. */
static int l4_match(const struct ipt_packet *p, const struct ipt_world *w,
		    const struct ipt_match *m)
{
	int v = IPT_YES;

	if (p->fragment)
		return IPT_NO;	/* xt_tcpudp: fragoff != 0 never matches, inverted or not */
	if (m->have & IPT_MO_SPORT)
		v = and3(v, inv3(port_in3(&m->u.l4.sport, p->sport, p->unknown & IPT_UNK_SPORT),
				 m->inv & IPT_MO_SPORT));
	if (m->have & IPT_MO_DPORT)
		v = and3(v, inv3(port_in3(&m->u.l4.dport, w->dport, w->dport_unk),
				 m->inv & IPT_MO_DPORT));
	if (m->have & IPT_MO_FLAGS)
		v = and3(v, (p->unknown & IPT_UNK_FLAGS) && m->u.l4.fmask ? IPT_MAYBE
			    : inv3((p->tcp_flags & m->u.l4.fmask) == m->u.l4.fcmp,
				   m->inv & IPT_MO_FLAGS));
	if (m->have & IPT_MO_OPTION)
		v = and3(v, IPT_MAYBE);	/* TCP options, SCTP chunks, DCCP types: not recorded */
	return v;
}

static int one_match(struct ipt_eval *ev, const struct ipt_world *w, const struct ipt_rule *r,
		     const struct ipt_match *m)
{
	const struct ipt_packet *p = ev->pkt;
	int v = IPT_YES, k;

	if (ipt_mkind_l4(m->kind))
		return l4_match(p, w, m);
	switch (m->kind) {
	case IPT_M_ICMP:
	case IPT_M_ICMP6:
		if (p->fragment)
			return IPT_NO;
		return inv3(m->u.icmp.any || (p->icmp_type == m->u.icmp.type &&
					      p->icmp_code >= m->u.icmp.code_lo &&
					      p->icmp_code <= m->u.icmp.code_hi),
			    m->inv & IPT_MO_MAIN);
	case IPT_M_MULTIPORT:
		if (p->fragment || !ipt_proto_has_ports(p->proto))
			return IPT_NO;
		v = IPT_NO;	/* three-valued OR over the listed ports */
		for (k = 0; k < m->u.mport.n; k++) {
			const struct ipt_prange *pr = &m->u.mport.r[k];
			int a = IPT_NO, b = IPT_NO;

			if (m->have & (IPT_MO_SPORT | IPT_MO_PORTS))
				a = port_in3(pr, p->sport, p->unknown & IPT_UNK_SPORT);
			if (m->have & (IPT_MO_DPORT | IPT_MO_PORTS))
				b = port_in3(pr, w->dport, w->dport_unk);
			if (a == IPT_YES || b == IPT_YES)
				return inv3(IPT_YES, m->inv != 0);
			if (a == IPT_MAYBE || b == IPT_MAYBE)
				v = IPT_MAYBE;
		}
		return inv3(v, m->inv != 0);
	case IPT_M_IPRANGE: {
		size_t l = (size_t)alen(ev);

		if (m->have & IPT_MO_SRC)
			v = and3(v, inv3(memcmp(p->src, m->u.iprange.src_lo, l) >= 0 &&
					 memcmp(p->src, m->u.iprange.src_hi, l) <= 0,
					 m->inv & IPT_MO_SRC));
		if (m->have & IPT_MO_DST)
			v = and3(v, inv3(memcmp(w->dst, m->u.iprange.dst_lo, l) >= 0 &&
					 memcmp(w->dst, m->u.iprange.dst_hi, l) <= 0,
					 m->inv & IPT_MO_DST));
		return v;
	}
	case IPT_M_PKTTYPE:
		if (p->pkttype >= IPT_PKT_UNKNOWN)
			return IPT_MAYBE;
		return inv3(p->pkttype == m->u.pkttype, m->inv & IPT_MO_MAIN);
	case IPT_M_COMMENT:
		return IPT_YES;
	case IPT_M_MAC:
		/* xt_mac: only Ethernet devices (lo never matches, even inverted) */
		if (strcmp(ipt_slot_name(ev, w->in_slot), "lo") == 0)
			return IPT_NO;
		if (!p->have_mac)
			return IPT_MAYBE;
		return inv3(memcmp(p->mac, m->u.mac, 6) == 0, m->inv & IPT_MO_MAIN);
	case IPT_M_STATE:
	case IPT_M_CONNTRACK:
		if (m->have & IPT_MO_MAIN)
			v = ctstate_match(w, m->u.ctstate, m->inv & IPT_MO_MAIN);
		if (m->have & IPT_MO_EXTRA)
			v = and3(v, IPT_MAYBE);
		return v;
	case IPT_M_ADDRTYPE: {
		const char *lim_in = NULL, *lim_out = NULL;

		if (m->have & IPT_MO_LIMIT_IN)
			lim_in = ipt_slot_name(ev, w->in_slot);
		if (m->have & IPT_MO_LIMIT_OUT)
			lim_out = ipt_slot_name(ev, w->out_slot);
		if (m->have & IPT_MO_SRC)
			v = and3(v, types_match(ipt_addr_types(ev, p->src, lim_in ? lim_in : lim_out),
						m->u.addrtype.src, m->inv & IPT_MO_SRC));
		if (v != IPT_NO && (m->have & IPT_MO_DST))
			v = and3(v, types_match(ipt_addr_types(ev, w->dst, lim_in ? lim_in : lim_out),
						m->u.addrtype.dst, m->inv & IPT_MO_DST));
		return v;
	}
	case IPT_M_RPFILTER:
		return rpfilter_match(ev, w, m->u.rpf);
	case IPT_M_MARK:
		return mark_match(w->mark, w->mark_known, m->u.mark.value, m->u.mark.mask,
				  m->inv & IPT_MO_MAIN);
	case IPT_M_CONNMARK:
		return mark_match(w->ctmark, w->ctmark_known, m->u.mark.value, m->u.mark.mask,
				  m->inv & IPT_MO_MAIN);
	default:
		(void)r;
		return ipt_unknown_match(m);
	}
}

/* A match spoofaudit does not model, as far as its options decide it without state.
 * recent (net/netfilter/xt_recent.c recent_mt): ret starts as the "!" inversion; with
 * --set the entry is created or refreshed and ret flipped whatever the table held, so
 * "--set" always matches and "! --set" never. --rcheck, --update and --remove depend on
 * the addresses earlier packets left in the table (--rcheck and --update create nothing,
 * --remove matches only an existing entry): unknown. Every other module: unknown. */
int ipt_unknown_match(const struct ipt_match *m)
{
	uint16_t i;
	int inv = 0, set = 0;

	if (!m->name || strcmp(m->name, "recent") != 0)
		return IPT_MAYBE;
	for (i = 0; i < m->argc; i++) {
		if (strcmp(m->argv[i], "--rcheck") == 0 || strcmp(m->argv[i], "--update") == 0 ||
		    strcmp(m->argv[i], "--remove") == 0)
			return IPT_MAYBE;
		if (strcmp(m->argv[i], "--set") == 0) {
			set = 1;
			inv = i > 0 && strcmp(m->argv[i - 1], "!") == 0;
		}
	}
	return set ? (inv ? IPT_NO : IPT_YES) : IPT_MAYBE;
}

static int net_match(const struct ipt_net *n, const uint8_t *a, int len)
{
	int i;

	if (len == 4) {
		uint32_t x, y, mk;

		memcpy(&x, a, 4);
		memcpy(&y, n->addr, 4);
		memcpy(&mk, n->mask, 4);
		return (x & mk) == y;
	}
	for (i = 0; i < 16; i++)
		if ((a[i] & n->mask[i]) != n->addr[i])
			return 0;
	return 1;
}

int ipt_rule_matches(struct ipt_eval *ev, const struct ipt_world *w, const struct ipt_rule *r)
{
	const struct ipt_packet *p = ev->pkt;
	int len = alen(ev), v = IPT_YES;
	uint16_t k;

	if (r->has_proto && ((p->proto == r->proto) ^ !!(r->inv & IPT_INV_PROTO)) == 0)
		return IPT_NO;
	if (r->has_src && (net_match(&r->src, p->src, len) ^ !!(r->inv & IPT_INV_SRC)) == 0)
		return IPT_NO;
	if (r->has_dst && (net_match(&r->dst, w->dst, len) ^ !!(r->inv & IPT_INV_DST)) == 0)
		return IPT_NO;
	if (r->in_if >= 0 && (ev->ifmatch[w->in_slot][r->in_if] ^ !!(r->inv & IPT_INV_IN)) == 0)
		return IPT_NO;
	if (r->out_if >= 0) {
		/* a forwarded packet whose output device is not known (ipt_packet.out_if) */
		if (w->path == IPT_PATH_FORWARD && w->out_slot == 1 && !ev->ifname[1][0])
			v = IPT_MAYBE;
		else if ((ev->ifmatch[w->out_slot][r->out_if] ^ !!(r->inv & IPT_INV_OUT)) == 0)
			return IPT_NO;
	}
	if (r->frag && (!!p->fragment ^ !!(r->inv & IPT_INV_FRAG)) == 0)
		return IPT_NO;
	for (k = 0; k < r->nm && v != IPT_NO; k++)
		v = and3(v, one_match(ev, w, r, &r->m[k]));
	return v;
}
