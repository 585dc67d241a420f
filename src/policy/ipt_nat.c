/* This file contains the evaluator's NAT targets (DNAT, REDIRECT, SNAT/MASQUERADE,
 * NETMAP): what each rewrites in a world (destination address and port), as
 * nf_nat_setup_info() would bind it for a connection's first packet. Where the packet goes
 * next (the routing after nat PREROUTING, the re-route after nat OUTPUT) is ipt_eval.c's. */
#include "policy/ipt_int.h"

#include <string.h>

void ipt_do_nat(struct ipt_eval *ev, struct ipt_world *w, const struct ipt_rule *r, uint32_t id)
{
	const struct ipt_packet *p = ev->pkt;
	int dst_side = w->hook == IPT_HOOK_PREROUTING || w->hook == IPT_HOOK_OUTPUT;
	size_t l = ev->rs->family == 4 ? 4 : 16, i;

	if (r->tkind == IPT_T_SNAT || (r->tkind == IPT_T_NETMAP && !dst_side)) {
		w->snat_rule = id;
		return;
	}
	w->dnat_rule = id;
	if (r->tkind == IPT_T_NETMAP) {
		for (i = 0; i < l; i++)
			w->dst[i] = (uint8_t)((w->dst[i] & ~r->nat_mask[i]) | r->nat_addr[i]);
		return;
	}
	if (r->tkind == IPT_T_REDIRECT) {
		/* REDIRECT: the primary address of the incoming interface, loopback on output */
		if (w->hook == IPT_HOOK_OUTPUT) {
			memset(w->dst, 0, 16);
			if (ev->rs->family == 4) {
				w->dst[0] = 127;
				w->dst[3] = 1;
			} else {
				w->dst[15] = 1;
			}
		} else if (ev->ctx) {
			for (i = 0; i < ev->ctx->naddrs; i++) {
				const struct ipt_hostaddr *h = &ev->ctx->addrs[i];

				if (h->family == ev->rs->family && strcmp(h->ifname, p->in_if) == 0) {
					memcpy(w->dst, h->addr, 16);
					break;
				}
			}
		}
	} else if (r->nat_has_addr) {
		memcpy(w->dst, r->nat_addr, 16);
	}
	if (r->nat_has_port && ipt_proto_has_ports(p->proto)) {
		w->dport = r->nat_port;
		w->dport_unk = 0;
	}
}
