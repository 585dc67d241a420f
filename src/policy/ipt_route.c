/* This file contains the kernel's IPv4 routing-step checks the evaluator runs between
 * PREROUTING and INPUT/FORWARD (ip_route_input_slow's martian checks and
 * fib_validate_source), three-valued where the host's sysctls or routes are unknown. */
#include "policy/ipt_int.h"

#include <string.h>

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

int ipt_route_check(const struct ipt_eval *ev, const struct ipt_world *w, enum ipt_martian *why)
{
	const struct ipt_packet *p = ev->pkt;
	const uint8_t *s = p->src, *d = w->dst;
	const char *in = p->in_if, *via = NULL;
	int v, local, rp, al;

	if (s[0] >= 224 || (s[0] == 255 && s[1] == 255 && s[2] == 255 && s[3] == 255)) {
		*why = IPT_MARTIAN_SRC_MULTICAST;	/* multicast, limited broadcast, and 240/4 */
		if (s[0] < 240 || (s[0] == 255 && s[1] == 255 && s[2] == 255 && s[3] == 255))
			return IPT_NO;
	}
	if ((d[0] == 255 && d[1] == 255 && d[2] == 255 && d[3] == 255) ||
	    (!s[0] && !s[1] && !s[2] && !s[3] && !d[0] && !d[1] && !d[2] && !d[3]))
		return IPT_YES;	/* limited broadcast goes to brd_input */
	if (s[0] == 0) {
		*why = IPT_MARTIAN_SRC_ZERONET;
		return IPT_NO;
	}
	if (d[0] == 0) {
		*why = IPT_MARTIAN_DST_ZERONET;
		return IPT_NO;
	}
	if (d[0] == 127 || s[0] == 127) {
		v = sysctl_or(ev, in, 0);
		*why = d[0] == 127 ? IPT_MARTIAN_DST_LOOPBACK : IPT_MARTIAN_SRC_LOOPBACK;
		if (v == 0)
			return IPT_NO;
		if (v < 0)
			return IPT_MAYBE;
	}
	/* fib_validate_source: the host's own address (any local route) as source */
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
