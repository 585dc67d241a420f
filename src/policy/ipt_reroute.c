/* This file contains the iptables evaluator's routing decisions between hooks (moved out
 * of ipt_eval.c, which calls them at its ST_ROUTE and ST_NATROUTE stages): where an
 * incoming packet goes after nat PREROUTING (INPUT, FORWARD, or dropped where forwarding
 * is off), what ip_forward / ip6_forward drop before FORWARD, and the re-route of a
 * locally sent packet after nat OUTPUT. */
#include "policy/ipt_int.h"

#include <string.h>

/* Before the routing step of an incoming or forwarded packet: the route follows the
 * destination nat PREROUTING left (ip_rcv_finish -> ip_route_input_noref on the DNATed
 * header; ip6_rcv_finish likewise). A packet DNATed to another host goes to FORWARD, or
 * is dropped where forwarding is off (ip_route_input_slow: !IN_DEV_FORWARD -> no_route);
 * one DNATed to this host goes to INPUT. Also drops a caller-given FORWARD packet when
 * the context says forwarding is off. Returns 1 when w is finished. */
int ipt_reroute_input(struct ipt_eval *ev, struct ipt_world *w)
{
	int fwd, local;
	struct ipt_world *c;

	if (w->dnat_rule != IPT_NONE) {
		local = ipt_route_dst_local(ev, w->dst);
		if (local == IPT_MAYBE) {
			c = ipt_fork_world(ev, w, w->dnat_rule);
			if (c)
				c->path = w->path == IPT_PATH_INCOMING ? IPT_PATH_FORWARD
								      : IPT_PATH_INCOMING;
			ev->res->uncertain_martian = 1;
		} else {
			w->path = local == IPT_YES ? IPT_PATH_INCOMING : IPT_PATH_FORWARD;
		}
		if (w->path == IPT_PATH_FORWARD && !ev->pkt->out_if[0]) {
			/* the output interface is the route's to the new destination (not
			 * known without routes: then FORWARD sees none) */
			const char *via = NULL;

			if (ipt_route_lookup(ev, w->dst, &via) == IPT_YES && via)
				ipt_fill_slot(ev, 1, via);
		}
	}
	if (w->path != IPT_PATH_FORWARD)
		return 0;
	fwd = ipt_ctx_forward(ev->ctx, ev->pkt);
	if (fwd == IPT_FWD_OFF) {
		ipt_finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, IPT_MARTIAN_NO_FORWARD);
		return 1;
	}
	if (fwd != IPT_FWD_ON) {	/* not known: both */
		ev->res->uncertain_martian = 1;
		c = ipt_fork_world(ev, w, w->dnat_rule);
		if (c)
			ipt_finish(ev, c, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE,
			       IPT_MARTIAN_NO_FORWARD);
	}
	return 0;
}

int ipt_martian_step(struct ipt_eval *ev, struct ipt_world *w, int v, enum ipt_martian why)
{
	struct ipt_world *c;

	if (v == IPT_NO) {
		ipt_finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
		return 1;
	}
	if (v == IPT_MAYBE) {
		ev->res->uncertain_martian = 1;
		c = ipt_fork_world(ev, w, IPT_NONE);
		if (c)
			ipt_finish(ev, c, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
	}
	return 0;
}

/* After the routing step of a packet for another host: what ip_forward / ip6_forward
 * drop before the FORWARD hook (ipt_forward_check). Returns 1 when w is finished. */
int ipt_forward_step(struct ipt_eval *ev, struct ipt_world *w)
{
	enum ipt_martian why;
	int v;

	if (w->path != IPT_PATH_FORWARD)
		return 0;
	v = ipt_forward_check(ev->pkt, ev->pkt->in_if, ipt_slot_name(ev, 1), &why);
	return ipt_martian_step(ev, w, v, why);
}

/* Sends a locally generated w out again after nat OUTPUT re-routed it (ipt_nat_reroute):
 * through lo (local) or out of via (NULL: the routes are not known; then POSTROUTING sees
 * the device of the first route, none for a packet that was going to lo). The OUTPUT
 * hooks still see the first route's device: __ip_local_out / __ip6_local_out pass
 * skb_dst(skb)->dev as state->out once for every LOCAL_OUT hook; POSTROUTING (ip_output:
 * skb_dst(skb)->dev) sees the new one. A 127/8 source sent off lo is refused
 * (ip_route_me_harder -> __mkroute_output: -EINVAL, NF_DROP_ERR). Returns 1 when w is
 * finished. */
static int out_route(struct ipt_eval *ev, struct ipt_world *w, int local, const char *via)
{
	const struct ipt_packet *p = ev->pkt;
	int slot;

	if (local == IPT_YES) {
		w->path = IPT_PATH_LOOPBACK;
		w->pslot = 2;
		return 0;
	}
	w->path = IPT_PATH_LOCAL_OUT;
	if (!via)
		via = strcmp(p->out_if, "lo") == 0 ? "" : p->out_if;
	slot = strcmp(via, "lo") == 0 ? 2 : strcmp(via, p->out_if) == 0 ? 1 : ipt_dyn_slot(ev, via);
	w->pslot = (uint8_t)(slot < 0 ? 3 : slot);
	if (ev->rs->family == 4 && p->src[0] == 127 && slot != 2) {
		ipt_finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE,
		       IPT_MARTIAN_REROUTE_LOOPBACK);
		return 1;
	}
	return 0;
}

/* After nat OUTPUT: nf_nat_ipv4_local_fn / nf_nat_ipv6_local_fn (nf_nat_proto.c) route
 * the packet again (ip_route_me_harder / ip6_route_me_harder) when its destination
 * address changed; a destination that is now local goes out through lo and comes back
 * in (nat PREROUTING/INPUT not again: the conntrack entry has its bindings), one that is
 * not leaves through the route's device. Returns 1 when w is finished. */
int ipt_nat_reroute(struct ipt_eval *ev, struct ipt_world *w)
{
	const char *via = NULL;
	struct ipt_world *c;
	int local;

	if (w->dnat_rule == IPT_NONE ||
	    memcmp(w->dst, ev->pkt->dst, ev->rs->family == 4 ? 4 : 16) == 0)
		return 0;
	local = ipt_nat_out_route(ev, w->dst, &via);
	if (local == IPT_MAYBE) {
		ev->res->uncertain_martian = 1;
		c = ipt_fork_world(ev, w, w->dnat_rule);
		if (c)
			out_route(ev, c, IPT_YES, NULL);	/* never finishes: lo takes any source */
		local = IPT_NO;
	}
	return out_route(ev, w, local, via);
}
