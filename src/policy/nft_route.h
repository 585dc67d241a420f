/* This file declares what the nftables evaluator borrows from the iptables model's kernel
 * path (ipt_route.c, ipt_match.c): a read-only view of an iptables evaluator for one
 * nftables world, and the `fib' expression decided on it (nft_fib.c). */
#ifndef SPOOFAUDIT_NFT_ROUTE_H
#define SPOOFAUDIT_NFT_ROUTE_H

#include "policy/ipt_int.h"
#include "policy/nft_int.h"

/* The routing checks read only the family, the context, the packet, the kernel version
 * and the world's destination and path. */
struct nft_route_view {
	struct ipt_ruleset rs;
	struct ipt_eval ev;
	struct ipt_world w;
};
void nft_route_view(const struct nft_eval *ev, const struct nft_world *w,
		    struct nft_route_view *v);

/* For a forwarded packet given without its output device (ipt_packet.out_if): w->oif is
 * the route's to its destination, or stays "" (oif matches undecided) with no route
 * known. Other packets: nothing. */
void nft_forward_oif(const struct nft_eval *ev, struct nft_world *w);
/* For a forwarded packet given without its input device (ipt_packet.in_if, ev->pkt): a
 * copy in *q with the route's device back to its source; else ev->pkt. */
const struct ipt_packet *nft_forward_iif(const struct nft_eval *ev, struct ipt_packet *q);

/* In and after the output hook (nft_reroute.c): routes w again when a nat output chain
 * changed its destination address (path and oif, when apply); -1 when the re-route
 * refuses it. Where it cannot tell whether the new destination is local, w forks: one
 * world goes through lo, the other (w) out of the route's device (w->nat_local). */
int nft_nat_reroute(struct nft_eval *ev, struct nft_world *w, int apply);
/* A copy of w, pending, for the other outcome of an undecided step at rule (the rule
 * whose outcome is undecided, or IPT_NONE); NULL past the world bound (nft_eval.c). */
struct nft_world *nft_fork_world(struct nft_eval *ev, struct nft_world *w, uint32_t rule);
/* Records w's end (nft_eval.c): its verdict, for the main world the result. */
void nft_finish(struct nft_eval *ev, struct nft_world *w, enum ipt_verdict v,
		enum ipt_decider by, uint32_t rule, uint32_t chain, enum ipt_martian mart);
/* The routing step after nat prerouting (nft_reroute.c): a DNATed packet goes where its
 * new destination routes; forwarding off drops what is not for this host. Then
 * ip_forward's drops before the forward hook. Each returns 1 when w is finished. */
int nft_input_reroute(struct nft_eval *ev, struct nft_world *w, const struct nft_route_view *v);
int nft_forward_step(struct nft_eval *ev, struct nft_world *w);
/* The outcome v of a kernel check that drops with reason why (nft_reroute.c): IPT_NO
 * finishes w (returns 1), IPT_MAYBE forks a dropped copy (w's later hits are maybe). */
int nft_martian_step(struct nft_eval *ev, struct nft_world *w, int v, enum ipt_martian why);

/* Decides an NFT_S_FIB statement for w: IPT_YES, IPT_NO or IPT_MAYBE. */
int nft_fib_match(const struct nft_eval *ev, const struct nft_world *w, const struct nft_stmt *s);

#endif
