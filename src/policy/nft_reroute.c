/* This file contains the nftables evaluator's routing decisions between hooks: where an
 * incoming packet goes after nat prerouting, and what ip_forward / ip6_forward drop
 * before the forward hook (as ipt_reroute.c's); and the re-route after a nat output
 * chain, as
 * ipt_eval.c's nat_reroute: nf_nat_ipv4_local_fn / nf_nat_ipv6_local_fn
 * (net/netfilter/nf_nat_proto.c, the hook function of every nat output chain) route a
 * locally sent packet again (ip_route_me_harder / ip6_route_me_harder) when the chain
 * changed its destination address. A local destination goes out through lo and comes
 * back in (ingress on lo, prerouting, input; nat not again); another goes out of its
 * route's device. The output chains all see the first route's device (__ip_local_out
 * gives every LOCAL_OUT hook the same state->out), postrouting the new one. */
#include "policy/nft_route.h"

#include <stdio.h>
#include <string.h>

/* Called between the output hook's chains (apply 0: only whether the re-route refuses
 * the packet, so that no chain after the nat one sees it) and as the hook ends (apply 1:
 * the new path and oif, which the output chains must not see). */
int nft_nat_reroute(struct nft_eval *ev, struct nft_world *w, int apply)
{
	const struct ipt_packet *p = ev->pkt;
	struct nft_route_view v;
	const char *via = NULL;
	int local;

	if (w->dnat_rule == IPT_NONE ||
	    (!w->dst_unk && memcmp(w->dst, p->dst, p->family == 4 ? 4 : 16) == 0))
		return 0;
	nft_route_view(ev, w, &v);
	if (w->nat_local)
		local = w->nat_local == 1 ? IPT_YES : IPT_NO;
	else
		local = w->dst_unk ? IPT_MAYBE : ipt_nat_out_route(&v.ev, w->dst, &via);
	if (local == IPT_MAYBE) {
		/* a broadcast or multicast destination, or one the host context does not place:
		 * both outcomes, as ipt_eval.c's nat_reroute (the fork resumes at this step) */
		struct nft_world *c = nft_fork_world(ev, w, w->dnat_rule);

		ev->res->uncertain_martian = 1;
		if (c)
			c->nat_local = 1;
		w->nat_local = 2;
		local = IPT_NO;
	}
	/* __mkroute_output: a 127/8 source off lo is refused (-EINVAL, NF_DROP_ERR) */
	if (local == IPT_NO && p->family == 4 && p->src[0] == 127 && !(via && strcmp(via, "lo") == 0))
		return -1;
	if (!apply)
		return 0;
	w->path = local == IPT_YES ? IPT_PATH_LOOPBACK : IPT_PATH_LOCAL_OUT;
	if (local == IPT_NO)
		snprintf(w->oif, sizeof(w->oif), "%s", via ? via : "");
	return 0;
}

/* After nat PREROUTING: a DNATed packet goes where its new destination routes (as
 * ipt_eval.c's reroute); forwarding off drops what is not for this host. */
int nft_input_reroute(struct nft_eval *ev, struct nft_world *w, const struct nft_route_view *v)
{
	int fwd, local;
	struct nft_world *c;

	if (w->dnat_rule != IPT_NONE) {
		local = w->dst_unk ? IPT_MAYBE : ipt_route_dst_local(&v->ev, w->dst);
		if (local == IPT_MAYBE) {
			if ((c = nft_fork_world(ev, w, w->dnat_rule)))
				c->path = w->path == IPT_PATH_INCOMING ? IPT_PATH_FORWARD : IPT_PATH_INCOMING;
			ev->res->uncertain_martian = 1;
		} else {
			w->path = local == IPT_YES ? IPT_PATH_INCOMING : IPT_PATH_FORWARD;
		}
		if (w->path == IPT_PATH_FORWARD && !ev->pkt->out_if[0] && !w->dst_unk) {
			/* the output interface is the route's to the new destination (none
			 * known without routes, as in ipt_eval.c) */
			const char *via = NULL;

			if (ipt_route_lookup(&v->ev, w->dst, &via) == IPT_YES && via)
				snprintf(w->oif, sizeof(w->oif), "%s", via);
		}
	}
	if (w->path != IPT_PATH_FORWARD)
		return 0;
	fwd = ipt_ctx_forward(ev->ctx, ev->pkt);
	if (fwd != IPT_FWD_ON) {
		if (fwd == IPT_FWD_OFF) {
			nft_finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, IPT_MARTIAN_NO_FORWARD);
			return 1;
		}
		ev->res->uncertain_martian = 1;	/* not known: both */
		if ((c = nft_fork_world(ev, w, w->dnat_rule)))
			nft_finish(ev, c, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, IPT_MARTIAN_NO_FORWARD);
	}
	return 0;
}

/* After the routing step of a packet for another host: what ip_forward / ip6_forward
 * drop before the forward hook (ipt_forward_check, as ipt_reroute.c's). Returns 1 when
 * w is finished. */
int nft_forward_step(struct nft_eval *ev, struct nft_world *w)
{
	enum ipt_martian why;
	int v;

	if (w->path != IPT_PATH_FORWARD)
		return 0;
	v = ipt_forward_check(ev->pkt, ev->pkt->in_if, ev->pkt->out_if[0] ? ev->pkt->out_if : w->oif,
			      &why);
	return nft_martian_step(ev, w, v, why);
}

int nft_martian_step(struct nft_eval *ev, struct nft_world *w, int v, enum ipt_martian why)
{
	struct nft_world *c;

	if (v == IPT_NO) {
		nft_finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
		return 1;
	}
	if (v == IPT_MAYBE) {
		ev->res->uncertain_martian = 1;
		if ((c = nft_fork_world(ev, w, IPT_NONE)))
			nft_finish(ev, c, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
	}
	return 0;
}
