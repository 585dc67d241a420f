/* This file contains the kernel's IPv4 routing-step checks the evaluator runs between
 * PREROUTING and INPUT/FORWARD (ip_route_input_rcu's multicast branch, ip_route_input_slow's
 * martian checks and fib_validate_source, in the kernel's order), three-valued where the
 * host's sysctls, routes or kernel version are unknown. The kernel functions followed are
 * named beside each step (net/ipv4/route.c, net/ipv4/fib_frontend.c, include/linux/in.h of
 * Linux 6.x; the one behaviour that changed, ipv4_is_zeronet, is modelled for both). */
#include "policy/ipt_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

unsigned ipt_kver_parse(const char *release)
{
	unsigned a = 0, b = 0, c = 0;

	if (!release || sscanf(release, "%u.%u.%u", &a, &b, &c) < 2 || a > 255 || b > 255)
		return 0;
	return IPT_KVER(a, b, c > 255 ? 255 : c);
}

unsigned ipt_kernel_running(void)
{
	struct utsname u;

	return uname(&u) == 0 ? ipt_kver_parse(u.release) : 0;
}

/* include/linux/in.h ipv4_is_zeronet(): before Linux 5.3 all of 0.0.0.0/8; since commit
 * 96125bf9985a ("net: ipv4: allow 0.0.0.0/8 as a valid address range", 5.3) only
 * 0.0.0.0 itself. */
int ipt_v4_zeronet(const struct ipt_eval *ev, const uint8_t *a)
{
	if (a[0] != 0)
		return IPT_NO;
	if (!a[1] && !a[2] && !a[3])
		return IPT_YES;
	if (!ev->kver)
		return IPT_MAYBE;
	return ev->kver < IPT_KVER(5, 3, 0) ? IPT_YES : IPT_NO;
}

int ipt_v4_zeronet_exempt(const struct ipt_eval *ev, const uint8_t *src, const uint8_t *dst)
{
	if ((dst[0] != 255 || dst[1] != 255 || dst[2] != 255 || dst[3] != 255) &&
	    (dst[0] != 224 || dst[1] != 0 || dst[2] != 0))
		return IPT_NO;
	return ipt_v4_zeronet(ev, src);
}

/* Whether the routing decision delivers dst locally (ip_route_input_slow: a local or
 * broadcast route, or a multicast group): IPT_YES, IPT_NO or IPT_MAYBE. */
int ipt_route_dst_local(const struct ipt_eval *ev, const uint8_t *dst)
{
	static const uint8_t v6_mc = 0xff;

	if (ev->rs->family == 4) {
		if (dst[0] == 127 || dst[0] >= 224 || ipt_v4_zeronet(ev, dst) == IPT_YES)
			return IPT_YES;
		if (ipt_addr_types(ev, dst, NULL) & (1u << IPT_RTN_BROADCAST))
			return IPT_YES;
	} else if (dst[0] == v6_mc) {
		return IPT_YES;
	}
	return ipt_is_host_addr(ev, dst, NULL);
}

static int is_lbcast(const uint8_t *a)	/* ipv4_is_lbcast: 255.255.255.255 */
{
	return a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255;
}

static int sysctl_or(const struct ipt_eval *ev, const char *ifname, int field)
{
	const struct ipt_context *ctx = ev->ctx;
	int all = -1, dev = -1, best = -1;
	size_t i;

	if (!ctx)
		return -1;
	for (i = 0; i < ctx->nifconf; i++) {
		const struct ipt_ifconf *c = &ctx->ifconf[i];
		int v = field == 0 ? c->route_localnet : field == 1 ? c->accept_local : c->rp_filter;

		if (strcmp(c->ifname, "all") == 0)
			all = v;
		else if (strcmp(c->ifname, ifname) == 0)
			dev = v;
	}
	if (field == 2) {	/* rp_filter: max(all, dev) */
		if (all == 2 || dev == 2)
			return 2;
		if (all < 0 || dev < 0)
			return -1;
		return all > dev ? all : dev;
	}
	/* route_localnet / accept_local: all OR dev */
	if (all == 1 || dev == 1)
		best = 1;
	else if (all == 0 && dev == 0)
		best = 0;
	return best;
}

/* fib_validate_source() (net/ipv4/fib_frontend.c) for source s arriving on in: with
 * rp_filter off and accept_local off, inet_lookup_ifaddr_rcu() refuses the host's own
 * addresses; with rp_filter on, __fib_validate_source() looks s up: a local route
 * (own address, all of 127/8) fails unless accept_local, no route or (strict) a route via
 * another interface fails. */
static int validate_source(const struct ipt_eval *ev, const uint8_t *s, const char *in,
			   enum ipt_martian *why)
{
	const char *via = NULL;
	int v, local, rp, al;

	al = sysctl_or(ev, in, 1);
	rp = sysctl_or(ev, in, 2);
	local = s[0] == 127 && rp != 0 ? IPT_YES : ipt_is_host_addr(ev, s, NULL);
	if (al != 1 && local != IPT_NO) {
		*why = IPT_MARTIAN_SRC_LOCAL;
		if (local == IPT_YES && al == 0)
			return IPT_NO;
		return IPT_MAYBE;
	}
	if (rp == 0 || local == IPT_YES)
		return IPT_YES;
	*why = IPT_MARTIAN_RPFILTER;
	if (rp < 0)
		return IPT_MAYBE;
	v = ipt_route_lookup(ev, s, &via);
	if (v == IPT_MAYBE)
		return IPT_MAYBE;
	if (v == IPT_NO)
		return IPT_NO;
	return rp == 2 || strcmp(via, in) == 0 ? IPT_YES : IPT_NO;
}

/* ip_route_input_rcu() for a multicast destination: only a group the host has joined on
 * in (ip_check_mc_rcu; every IPv4 interface joins 224.0.0.1, ip_mc_up) is routed, through
 * ip_route_input_mc() -> ip_mc_validate_source(): a 0.0.0.0 source only to 224.0.0.0/24
 * (ipv4_is_local_multicast) or IGMP, a 127/8 source only with route_localnet, any other
 * source through fib_validate_source(). Other groups: joined ones are not in the context,
 * so unknown (the kernel drops a group nobody joined, -EINVAL, without mforwarding). */
static int multicast_check(const struct ipt_eval *ev, const uint8_t *s, const uint8_t *d,
			   enum ipt_martian *why)
{
	const char *in = ev->pkt->in_if;
	int ours = d[0] == 224 && !d[1] && !d[2] && d[3] == 1, z, v;

	*why = IPT_MARTIAN_MC_NOT_OURS;
	if (!ours)
		return IPT_MAYBE;
	if (s[0] == 127) {
		v = sysctl_or(ev, in, 0);
		*why = IPT_MARTIAN_SRC_LOOPBACK;
		if (v != 1)
			return v == 0 ? IPT_NO : IPT_MAYBE;
	}
	z = ipt_v4_zeronet(ev, s);
	if (z == IPT_YES) {
		*why = IPT_MARTIAN_SRC_ZERONET;
		return (d[0] == 224 && !d[1] && !d[2]) || ev->pkt->proto == 2 ? IPT_YES : IPT_NO;
	}
	v = validate_source(ev, s, in, why);
	return z == IPT_MAYBE && v != IPT_NO ? IPT_MAYBE : v;
}

int ipt_route_check(const struct ipt_eval *ev, const struct ipt_world *w, enum ipt_martian *why)
{
	const struct ipt_packet *p = ev->pkt;
	const uint8_t *s = p->src, *d = w->dst;
	const char *in = p->in_if;
	int v, zs, zd;

	/* ip_route_input_slow: "the most weird martians" first */
	if ((s[0] >= 224 && s[0] < 240) || is_lbcast(s)) {
		*why = IPT_MARTIAN_SRC_MULTICAST;	/* ipv4_is_multicast || ipv4_is_lbcast */
		return IPT_NO;
	}
	if (d[0] >= 224 && d[0] < 240)	/* ip_route_input_rcu: ipv4_is_multicast(daddr) */
		return multicast_check(ev, s, d, why);
	zs = ipt_v4_zeronet(ev, s);
	zd = ipt_v4_zeronet(ev, d);
	/* ipv4_is_lbcast(daddr) || (saddr == 0 && daddr == 0): goto brd_input, which runs
	 * fib_validate_source unless ipv4_is_zeronet(saddr) */
	if (is_lbcast(d) || (!s[0] && !s[1] && !s[2] && !s[3] && !d[0] && !d[1] && !d[2] && !d[3])) {
		if (zs == IPT_YES)
			return IPT_YES;
		v = validate_source(ev, s, in, why);
		return zs == IPT_MAYBE && v == IPT_NO ? IPT_MAYBE : v;
	}
	/* ipv4_is_zeronet(saddr): martian_source; ipv4_is_zeronet(daddr): martian_destination */
	if (zs != IPT_NO || zd != IPT_NO) {
		*why = zs != IPT_NO ? IPT_MARTIAN_SRC_ZERONET : IPT_MARTIAN_DST_ZERONET;
		if (zs == IPT_YES || zd == IPT_YES)
			return IPT_NO;
		return IPT_MAYBE;
	}
	/* ipv4_is_loopback(daddr) / (saddr) without route_localnet */
	if (d[0] == 127 || s[0] == 127) {
		v = sysctl_or(ev, in, 0);
		*why = d[0] == 127 ? IPT_MARTIAN_DST_LOOPBACK : IPT_MARTIAN_SRC_LOOPBACK;
		if (v == 0)
			return IPT_NO;
		if (v < 0)
			return IPT_MAYBE;
	}
	/* fib_lookup: RTN_BROADCAST -> brd_input, RTN_LOCAL -> fib_validate_source then
	 * local_input; unicast -> ip_mkroute_input -> __mkroute_input -> fib_validate_source.
	 * Every way validates a non-zero source the same way. */
	return validate_source(ev, s, in, why);
}

/* ip6_rcv_core() (net/ipv6/ip6_input.c), for a packet received on a device other than lo,
 * before PREROUTING: a ::1 source or destination (RFC 4291 2.5.3), an interface-local
 * (ffx1::, RFC 4291 errata 3480) or reserved-scope (ffx0::) multicast destination, and a
 * multicast source are dropped (Ip6InHdrErrors / Ip6InAddrErrors). */
enum ipt_martian ipt_v6_rcv_check(const uint8_t *s, const uint8_t *d)
{
	static const uint8_t loop6[16] = {[15] = 1};

	if (memcmp(s, loop6, 16) == 0 || memcmp(d, loop6, 16) == 0)
		return IPT_MARTIAN_V6_LOOPBACK;
	if (d[0] == 0xff && ((d[1] & 0x0f) == 1 || (d[1] & 0x0f) == 0))
		return IPT_MARTIAN_V6_MC_SCOPE;
	if (s[0] == 0xff)
		return IPT_MARTIAN_V6_SRC_MULTICAST;
	return IPT_MARTIAN_NONE;
}

/* The IPv6 routing step between PREROUTING and INPUT: a multicast destination goes to
 * ip6_mc_input(), which delivers (LOCAL_IN) only a group the device has joined
 * (ipv6_chk_mcast_addr) and frees the packet otherwise (no multicast routing). Every
 * device joins ff02::1 (ipv6_dev_mc_inc in ipv6_add_dev) and the solicited-node group
 * ff02::1:ffXX:XXXX of each of its addresses (addrconf_join_solict); other groups are
 * not in the context: unknown. Unicast has no source validation in the kernel (no
 * rp_filter for IPv6; only -m rpfilter). */
int ipt_route_check6(const struct ipt_eval *ev, const struct ipt_world *w, enum ipt_martian *why)
{
	static const uint8_t all_nodes[16] = {0xff, 0x02, [15] = 1};
	static const uint8_t solicited[13] = {0xff, 0x02, [11] = 1, 0xff};
	const uint8_t *d = w->dst;
	const struct ipt_context *ctx = ev->ctx;
	size_t i;

	if (d[0] != 0xff)
		return IPT_YES;
	*why = IPT_MARTIAN_MC_NOT_OURS;
	if (memcmp(d, all_nodes, 16) == 0)
		return IPT_YES;
	if (memcmp(d, solicited, 13) == 0 && ctx) {
		for (i = 0; i < ctx->naddrs; i++) {
			const struct ipt_hostaddr *h = &ctx->addrs[i];

			if (h->family == 6 && strcmp(h->ifname, ev->pkt->in_if) == 0 &&
			    memcmp(h->addr + 13, d + 13, 3) == 0)
				return IPT_YES;
		}
	}
	return IPT_MAYBE;
}

/* ipt_mangle_out() (net/ipv4/netfilter/iptable_mangle.c): when mangle OUTPUT changed the
 * packet's mark, ip_route_me_harder() (net/ipv4/netfilter.c) routes it again, keeping its
 * source where inet_addr_type_dev_table() calls it RTN_LOCAL (all of 127/8) or
 * RTN_UNICAST (FLOWI_FLAG_ANYSRC); __mkroute_output() (net/ipv4/route.c) refuses a
 * loopback source on a device other than lo (-EINVAL): NF_DROP_ERR, and the sender's
 * send() fails with EINVAL. Any other source is routed as before. The mark a local
 * sender starts with (SO_MARK) is not in the context, so a mark set without its old
 * value known may or may not be a change. No mangle OUTPUT, no re-route. */
int ipt_route_me_harder(const struct ipt_eval *ev, const struct ipt_world *w)
{
	uint32_t both = w->mark0_known & w->mark_known;

	if (ev->rs->family != 4 || ev->pkt->src[0] != 127 || w->path != IPT_PATH_LOCAL_OUT ||
	    ev->rs->builtin[IPT_TABLE_MANGLE][IPT_HOOK_OUTPUT] == IPT_NONE)
		return IPT_YES;
	if (w->mark == w->mark0 && w->mark_known == w->mark0_known)
		return IPT_YES;		/* nothing touched the mark */
	if ((w->mark ^ w->mark0) & both)
		return IPT_NO;		/* changed */
	return both == UINT32_MAX ? IPT_YES : IPT_MAYBE;
}

/* nf_nat_ipv4_local_fn() / nf_nat_ipv6_local_fn() (net/netfilter/nf_nat_proto.c): when
 * nat OUTPUT changed the destination address (the conntrack tuples' dst and reply src
 * differ; a port alone does not count), ip_route_me_harder() (net/ipv4/netfilter.c) /
 * ip6_route_me_harder() (net/ipv6/netfilter.c) route the packet again on the new
 * destination. An output route to a local address (the host's, all of 127/8, ::1) is
 * RTN_LOCAL through the loopback device (ip_route_output_key_hash_rcu: dev_out =
 * net->loopback_dev); any other goes out of the route's device. Broadcast and multicast
 * destinations (sent out and looped back), 0/8, and an unknown host address: unknown. */
int ipt_nat_out_route(const struct ipt_eval *ev, const uint8_t *dst, const char **via)
{
	int local;

	*via = NULL;
	if (ev->rs->family == 4) {
		if (dst[0] == 127)
			return IPT_YES;
		if (dst[0] == 0 || dst[0] >= 224 ||
		    (ipt_addr_types(ev, dst, NULL) & (1u << IPT_RTN_BROADCAST)))
			return IPT_MAYBE;
	} else if (dst[0] == 0xff) {
		return IPT_MAYBE;
	}
	local = ipt_is_host_addr(ev, dst, NULL);
	if (local != IPT_NO)
		return local;
	if (ipt_route_lookup(ev, dst, via) != IPT_YES)
		*via = NULL;
	return IPT_NO;
}

int ipt_ifconf_forward_apart(const struct ipt_context *ctx, const struct ipt_ifconf *c,
			     int family)
{
	/* IPv6 (ip6_forward, Linux 6.17): "if (!devconf_all->forwarding && (!idev ||
	 * !idev->cnf.force_forwarding)) goto error": a device's switch only turns it on */
	int v = family == 6 ? (c->force_forwarding6 == IPT_FWD_ON ? IPT_FWD_ON : 0)
			    : c->forwarding;
	int all = family == 6 ? ctx->ip6_forward : ctx->ip_forward;

	if (!v || v == all || !strcmp(c->ifname, "all") || !strcmp(c->ifname, "default"))
		return 0;
	return v;
}

int ipt_ctx_forward(const struct ipt_context *ctx, const struct ipt_packet *p)
{
	const char *in = p->in_if_guessed ? "" : p->in_if;
	size_t i;
	int v;

	if (!ctx)
		return 0;
	for (i = 0; i < ctx->nifconf; i++) {
		if (!(v = ipt_ifconf_forward_apart(ctx, &ctx->ifconf[i], p->family)))
			continue;
		if (!in[0])
			return 0;	/* it depends on which device */
		if (!strcmp(ctx->ifconf[i].ifname, in))
			return v;
	}
	return p->family == 6 ? ctx->ip6_forward : ctx->ip_forward;
}

/* What ip_forward (net/ipv4/ip_forward.c) and ip6_forward (net/ipv6/ip6_output.c) drop
 * of a routed packet for another host before its FORWARD hook (the forwarding sysctl
 * itself is reroute()'s):
 *  - a TTL / hop limit of 1 or less ("too_many_hops"; ICMPV6_EXC_HOPLIMIT), checked
 *    before the decrement, so the value the packet arrived with;
 *  - IPv6, a link-local source (fe80::/10), unless it leaves by the interface it came in
 *    on: ip6_forward then sends a redirect, and tests the source type only otherwise
 *    (ICMPV6_NOT_NEIGHBOUR). Its other source tests (::, multicast, loopback) are
 *    ip6_rcv_core's drops, earlier.
 * in_if, out_if: "" = not known. IPT_YES: reaches FORWARD; IPT_NO with *why: dropped;
 * IPT_MAYBE with *why: depends on what the record does not tell (a flow whose packets
 * had several TTLs, an interface not known). */
int ipt_forward_check(const struct ipt_packet *p, const char *in_if, const char *out_if,
		      enum ipt_martian *why)
{
	int r = IPT_YES;

	*why = IPT_MARTIAN_TTL_EXPIRED;
	if (p->ttl_known && p->ttl_max <= 1)
		return IPT_NO;
	if (p->ttl_known && p->ttl_min <= 1)
		r = IPT_MAYBE;
	if (p->family != 6 || !ipt_v6_linklocal(p->src))
		return r;
	if (in_if[0] && out_if[0] && strcmp(in_if, out_if) == 0)
		return r;
	/* with a TTL in doubt either drop may be the one, and the packet is dropped */
	if (r == IPT_YES)
		*why = IPT_MARTIAN_V6_FWD_LINKLOCAL;
	return in_if[0] && out_if[0] ? IPT_NO : IPT_MAYBE;
}
