/* This file decides nftables' `fib' expression (net/ipv4/netfilter/nft_fib_ipv4.c and
 * net/ipv6/netfilter/nft_fib_ipv6.c) on the iptables model's routing view:
 *
 *   fib saddr [. iif] oif exists|missing   the reverse path check (nft_fib4_eval /
 *                                          nft_fib6_eval): a route back to the source,
 *                                          through the incoming interface with iif;
 *   fib saddr|daddr [. iif|oif] type T     the address type (nft_fib4_eval_type:
 *                                          inet_dev_addr_type; __nft_fib6_eval_type),
 *                                          as xt_addrtype decides it (ipt_addr_types).
 *
 * Other forms (daddr . oif, comparing oif/oifname with an interface) are not modelled:
 * the loader keeps them unknown. What the routing view cannot tell stays IPT_MAYBE. */
#include "policy/nft_route.h"

#include <string.h>

void nft_route_view(const struct nft_eval *ev, const struct nft_world *w,
		    struct nft_route_view *v)
{
	uint32_t t, h;

	memset(v, 0, sizeof(*v));
	v->rs.family = ev->pkt->family;
	for (t = 0; t < IPT_TABLE_COUNT; t++)
		for (h = 0; h < IPT_HOOK_COUNT; h++)
			v->rs.builtin[t][h] = IPT_NONE;
	v->ev.rs = &v->rs;
	v->ev.ctx = ev->ctx;
	v->ev.pkt = ev->pkt;
	v->ev.kver = ev->kver;
	memcpy(v->w.dst, w->dst, 16);
	v->w.path = w->path;
}

const struct ipt_packet *nft_forward_iif(const struct nft_eval *ev, struct ipt_packet *q)
{
	struct nft_route_view v;
	struct nft_world w;
	const char *via = NULL;

	if (ev->pkt->path != IPT_PATH_FORWARD || ev->pkt->in_if[0])
		return ev->pkt;
	memset(&w, 0, sizeof(w));
	memcpy(w.dst, ev->pkt->dst, 16);
	w.path = ev->pkt->path;
	nft_route_view(ev, &w, &v);
	if (ipt_route_lookup(&v.ev, ev->pkt->src, &via) != IPT_YES || !via)
		return ev->pkt;
	*q = *ev->pkt;
	snprintf(q->in_if, sizeof(q->in_if), "%s", via);
	q->in_if_guessed = 1;
	return q;
}

void nft_forward_oif(const struct nft_eval *ev, struct nft_world *w)
{
	struct nft_route_view v;
	const char *via = NULL;

	if (w->path != IPT_PATH_FORWARD || ev->pkt->out_if[0])
		return;
	nft_route_view(ev, w, &v);
	if (ipt_route_lookup(&v.ev, w->dst, &via) == IPT_YES && via)
		snprintf(w->oif, sizeof(w->oif), "%s", via);
}

/* Kernel 6.15 (commit eaaff9b6702e, "netfilter: fib: avoid lookup if socket is
 * available", nft_fib_can_skip()): the lookup is skipped (the result is the incoming
 * interface) at prerouting and input for a looped-back packet, and at input for a packet
 * whose socket cached its incoming interface. Before it: prerouting, loopback only. The
 * commit was also taken into stable series before 6.15, so on an older kernel what it
 * changes (a looped-back packet at input) is left undecided. */
#define KV_FIB_CAN_SKIP IPT_KVER(6, 15, 0)

static int is_any(const uint8_t *a, int fam)
{
	static const uint8_t z[16];

	return !memcmp(a, z, fam == 4 ? 4 : 16);
}

/* fib saddr [. iif] oif: IPT_YES when the lookup finds an interface (exists), IPT_NO
 * when it finds none (missing). */
static int fib_oif(const struct nft_eval *ev, const struct nft_world *w, const struct nft_stmt *s)
{
	const struct ipt_packet *p = ev->pkt;
	const char *in = p->in_if, *via = NULL;
	struct nft_route_view v;
	int fam = p->family, loop = strcmp(in, "lo") == 0, local, rt, sk_maybe = 0;

	nft_route_view(ev, w, &v);
	if ((s->fib_flags & (NFT_FIB_F_DADDR | NFT_FIB_F_OIF)) || !(s->fib_flags & NFT_FIB_F_SADDR))
		return IPT_MAYBE;
	if (ev->kver && ev->kver < KV_FIB_CAN_SKIP) {
		if ((w->hook == IPT_HOOK_PREROUTING || w->hook == NFT_HOOK_INGRESS) && loop)
			return IPT_YES;
		if (w->hook == IPT_HOOK_INPUT && loop)
			return IPT_MAYBE;	/* skipped where a stable series has the commit */
	} else if (w->hook == IPT_HOOK_PREROUTING || w->hook == NFT_HOOK_INGRESS ||
		   w->hook == IPT_HOOK_INPUT) {
		if (loop)
			return IPT_YES;
		/* an established TCP socket may have cached the incoming interface */
		sk_maybe = w->hook == IPT_HOOK_INPUT && p->proto == 6 &&
			   w->ctstate != IPT_CT_NEW && w->ctstate != IPT_CT_INVALID;
	}
	if (fam == 4) {
		/* a zeronet source to the limited broadcast or local multicast: skb->dev */
		int z = ipt_v4_zeronet_exempt(&v.ev, p->src, w->dst);

		if (z != IPT_NO)
			return z;
		if (p->src[0] >= 224 || ipt_v4_zeronet(&v.ev, p->src) != IPT_NO)
			return IPT_MAYBE;	/* get_saddr(): no lookup from these modelled */
	} else {
		if (is_any(p->src, 6) && p->proto == 58 &&
		    ipt_v6_linklocal(w->dst))	/* nft_fib_v6_skip_icmpv6 */
			return w->hook == IPT_HOOK_PREROUTING || w->hook == NFT_HOOK_INGRESS ? IPT_YES
											: IPT_MAYBE;
		if (p->src[0] == 0xff || ipt_v6_linklocal(p->src))
			return IPT_MAYBE;	/* looked up on the device itself */
	}
	/* the host's own source: RTN_LOCAL, "should not see" it: no result */
	local = fam == 4 && p->src[0] == 127 ? IPT_YES : ipt_is_host_addr(&v.ev, p->src, &via);
	if (fam == 6 && !memcmp(p->src, (const uint8_t[16]){[15] = 1}, 16))
		local = IPT_YES;
	if (local == IPT_YES)
		return sk_maybe ? IPT_MAYBE : IPT_NO;
	rt = ipt_route_lookup(&v.ev, p->src, &via);
	if (rt == IPT_MAYBE || local == IPT_MAYBE)
		return IPT_MAYBE;
	if (rt == IPT_NO)
		return sk_maybe ? IPT_MAYBE : IPT_NO;
	if (!(s->fib_flags & NFT_FIB_F_IIF))
		return IPT_YES;
	if (!via)
		return IPT_MAYBE;
	return strcmp(via, in) == 0 ? IPT_YES : sk_maybe ? IPT_MAYBE : IPT_NO;
}

/* fib ... type: IPT_YES when every type the address may have is in the statement's set,
 * IPT_NO when none is. */
static int fib_type(const struct nft_eval *ev, const struct nft_world *w, const struct nft_stmt *s)
{
	const struct ipt_packet *p = ev->pkt;
	struct nft_route_view v;
	const char *dev = NULL;
	unsigned possible;

	if (s->fib_flags & NFT_FIB_F_IIF)
		dev = p->in_if[0] ? p->in_if : NULL;
	else if (s->fib_flags & NFT_FIB_F_OIF)
		dev = p->out_if[0] ? p->out_if : NULL;
	if (((s->fib_flags & NFT_FIB_F_DADDR) && w->dst_unk) ||
	    ((s->fib_flags & (NFT_FIB_F_IIF | NFT_FIB_F_OIF)) && !dev))
		return IPT_MAYBE;
	nft_route_view(ev, w, &v);
	possible = ipt_addr_types(&v.ev, (s->fib_flags & NFT_FIB_F_DADDR) ? w->dst : p->src, dev);
	if ((possible & s->fib_want) == possible)
		return IPT_YES;
	return (possible & s->fib_want) ? IPT_MAYBE : IPT_NO;
}

int nft_fib_match(const struct nft_eval *ev, const struct nft_world *w, const struct nft_stmt *s)
{
	int v = s->fib_result == NFT_FIB_R_TYPE ? fib_type(ev, w, s) : fib_oif(ev, w, s);

	if (s->fib_result != NFT_FIB_R_TYPE && v != IPT_MAYBE)
		v = (v == IPT_YES) == (s->fib_want != 0) ? IPT_YES : IPT_NO;	/* exists/missing */
	if (s->op == NFT_OP_NE && v != IPT_MAYBE)
		v = v == IPT_YES ? IPT_NO : IPT_YES;
	return v;
}
