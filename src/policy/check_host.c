/* This file contains the policy checker's host context: the evaluator's view of the host
 * (addresses, per-interface martian sysctls, routes, interface roles) built from a typed
 * struct hostctx, and the one conversion of a database's recorded context rows into a
 * struct hostctx (`check` on a recorded DB). */
#include "policy/check.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- recorded rows -> struct hostctx ---- */

static int row_addr(struct hostctx *hc, const struct store_ctx_row *row)
{
	struct prefix p;
	int fam = row->family == 6 ? 6 : 4;

	memset(&p, 0, sizeof(p));
	if (!row->a || !row->b || inet_pton(fam == 6 ? AF_INET6 : AF_INET, row->b, p.addr) != 1 ||
	    row->n < 0 || row->n > (fam == 6 ? 128 : 32))
		return 0;	/* ignore what does not parse */
	p.family = (uint8_t)fam;
	p.plen = (uint8_t)row->n;
	return hostctx_add_addr(hc, row->a, &p) < 0 && errno == ENOMEM ? -1 : 0;
}

static int row_sysctl(struct hostctx *hc, const struct store_ctx_row *row)
{
	int k = row->b ? hostinfo_sysctl_index(row->b) : -1;
	char *end;
	long v;

	if (row->a && row->b && row->c && !strcmp(row->a, "all") &&
	    !strcmp(row->b, "kernel_release")) {
		/* several runs: the last recorded (the rows come in run order) */
		snprintf(hc->kernel_release, sizeof(hc->kernel_release), "%s", row->c);
		return 0;
	}
	if (k < 0 || !row->a || !row->c)
		return 0;
	errno = 0;
	v = strtol(row->c, &end, 10);
	if (errno || end == row->c || *end || v < -1000000 || v > 1000000)
		return 0;
	return hostctx_set_sysctl(hc, row->a, (enum hostinfo_sysctl)k, (int)v) < 0 &&
	       errno == ENOMEM ? -1 : 0;
}

static int row_iface(struct hostctx *hc, const struct store_ctx_row *row)
{
	enum iface_role role;
	struct prefix *v = NULL;
	size_t n = 0, cap = 0;
	const char *s = row->c ? row->c : "";
	int ret = -1;

	if (!row->a)
		return 0;
	if (!row->b || classify_role_parse(row->b, &role) < 0)
		role = ROLE_INTERNAL;	/* neither loopback nor external */
	while (*s) {
		size_t len = strcspn(s, ",");
		char tok[PREFIX_STRLEN + 8];

		if (len < sizeof(tok)) {
			memcpy(tok, s, len);
			tok[len] = '\0';
			if (util_grow((void **)&v, &cap, n, sizeof(*v)) < 0)
				goto out;
			if (prefix_parse(tok, 0, &v[n]) == 0)
				n++;
		}
		s += len;
		if (*s == ',')
			s++;
	}
	ret = hostctx_add_iface(hc, row->a, role, v, n) < 0 && errno == ENOMEM ? -1 : 0;
out:
	free(v);
	return ret;
}

int check_hostctx_row(void *arg, const struct store_ctx_row *row)
{
	struct hostctx *hc = arg;

	switch (row->kind) {
	case 'h':
		return row_addr(hc, row);
	case 'k':
		return row_sysctl(hc, row);
	case 'i':
		return row_iface(hc, row);
	default:
		return 0;
	}
}

/* ---- struct hostctx -> the evaluator's context ---- */

static struct ipt_ifconf *ifconf_get(struct check_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->nifconf; i++)
		if (strcmp(h->ifconf[i].ifname, name) == 0)
			return &h->ifconf[i];
	if (util_grow((void **)&h->ifconf, &h->capifconf, h->nifconf, sizeof(*h->ifconf)) < 0)
		return NULL;
	memset(&h->ifconf[h->nifconf], 0, sizeof(*h->ifconf));
	snprintf(h->ifconf[h->nifconf].ifname, IPT_IFNAMSIZ, "%s", name);
	h->ifconf[h->nifconf].route_localnet = -1;
	h->ifconf[h->nifconf].accept_local = -1;
	h->ifconf[h->nifconf].rp_filter = -1;
	return &h->ifconf[h->nifconf++];
}

static int add_route(struct check_host *h, const struct prefix *dst, const char *ifname)
{
	struct ipt_route *r;

	if (util_grow((void **)&h->routes, &h->caproutes, h->nroutes, sizeof(*h->routes)) < 0)
		return -1;
	r = &h->routes[h->nroutes++];
	memset(r, 0, sizeof(*r));
	r->dst = *dst;
	snprintf(r->ifname, IPT_IFNAMSIZ, "%s", ifname);
	return 0;
}

static int build_addrs(struct check_host *h, const struct hostctx *hc)
{
	size_t i;

	if (!hc->naddrs)
		return 0;
	h->addrs = calloc(hc->naddrs, sizeof(*h->addrs));
	if (!h->addrs)
		return -1;
	for (i = 0; i < hc->naddrs; i++) {
		struct ipt_hostaddr *a = &h->addrs[i];

		snprintf(a->ifname, IPT_IFNAMSIZ, "%s", hc->addrs[i].ifname);
		a->family = hc->addrs[i].addr.family;
		a->plen = hc->addrs[i].addr.plen;
		memcpy(a->addr, hc->addrs[i].addr.addr, 16);
	}
	h->naddrs = hc->naddrs;
	h->have_addrs = 1;
	return 0;
}

static int build_sysctls(struct check_host *h, const struct hostctx *hc)
{
	size_t i;

	for (i = 0; i < hc->nsysctls; i++) {
		const int *v = hc->sysctls[i].val;
		struct ipt_ifconf *c;

		if (v[HOSTINFO_ROUTE_LOCALNET] < 0 && v[HOSTINFO_ACCEPT_LOCAL] < 0 &&
		    v[HOSTINFO_RP_FILTER] < 0 && v[HOSTINFO_FORWARDING] < 0 &&
		    v[HOSTINFO_FORCE_FORWARDING6] < 0)
			continue;
		c = ifconf_get(h, hc->sysctls[i].scope);
		if (!c)
			return -1;
		if (v[HOSTINFO_ROUTE_LOCALNET] >= 0)
			c->route_localnet = (int8_t)(v[HOSTINFO_ROUTE_LOCALNET] != 0);
		if (v[HOSTINFO_ACCEPT_LOCAL] >= 0)
			c->accept_local = (int8_t)(v[HOSTINFO_ACCEPT_LOCAL] != 0);
		if (v[HOSTINFO_RP_FILTER] >= 0)
			c->rp_filter = (int8_t)(v[HOSTINFO_RP_FILTER] > 2 ? -1 : v[HOSTINFO_RP_FILTER]);
		if (v[HOSTINFO_FORWARDING] >= 0)
			c->forwarding = v[HOSTINFO_FORWARDING] ? IPT_FWD_ON : IPT_FWD_OFF;
		if (v[HOSTINFO_FORCE_FORWARDING6] >= 0)
			c->force_forwarding6 = v[HOSTINFO_FORCE_FORWARDING6] ? IPT_FWD_ON
									     : IPT_FWD_OFF;
		h->have_sysctls = 1;
	}
	return 0;
}

/* Routes: an external interface holds the default route, an internal one its connected
 * and routed prefixes. */
static int build_ifaces(struct check_host *h, const struct hostctx *hc)
{
	static const struct prefix any4 = { 4, 0, {0} }, any6 = { 6, 0, {0} };
	size_t i, j;

	if (!hc->nifaces)
		return 0;
	h->ifaces = calloc(hc->nifaces, sizeof(*h->ifaces));
	if (!h->ifaces)
		return -1;
	for (i = 0; i < hc->nifaces; i++) {
		const struct hostctx_iface *x = &hc->ifaces[i];

		snprintf(h->ifaces[i].name, IPT_IFNAMSIZ, "%s", x->name);
		h->ifaces[i].role = x->role;
		h->nifaces++;
		if (x->role == ROLE_EXTERNAL &&
		    (add_route(h, &any4, x->name) < 0 || add_route(h, &any6, x->name) < 0))
			return -1;
		for (j = 0; j < x->nprefixes; j++)
			if (add_route(h, &x->prefixes[j], x->name) < 0)
				return -1;
	}
	return 0;
}

static void override(struct ipt_ifconf *c, int route_localnet, int accept_local, int rp_filter)
{
	if (route_localnet >= 0)
		c->route_localnet = (int8_t)route_localnet;
	if (accept_local >= 0)
		c->accept_local = (int8_t)accept_local;
	if (rp_filter >= 0)
		c->rp_filter = (int8_t)rp_filter;
}

int check_host_build(struct check_host *h, const struct hostctx *hc, int route_localnet,
		     int accept_local, int rp_filter)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	if (build_addrs(h, hc) < 0 || build_sysctls(h, hc) < 0 || build_ifaces(h, hc) < 0 ||
	    !ifconf_get(h, "all"))
		goto fail;
	/* an override stands for the whole host: `all` and every interface */
	for (i = 0; i < h->nifaces; i++)
		if (!ifconf_get(h, h->ifaces[i].name))
			goto fail;
	for (i = 0; i < h->nifconf; i++)
		override(&h->ifconf[i], route_localnet, accept_local, rp_filter);
	h->ctx.addrs = h->addrs;
	h->ctx.naddrs = h->naddrs;
	h->ctx.addrs_known = h->have_addrs;
	h->ctx.ifconf = h->ifconf;
	h->ctx.nifconf = h->nifconf;
	h->ctx.routes = h->routes;
	h->ctx.nroutes = h->nroutes;
	h->ctx.routes_known = h->nifaces > 0 && h->have_addrs;
	h->ctx.conntrack = -1;
	/* the recorded kernel's (0: not recorded, the evaluator models the running one) */
	h->ctx.kernel = ipt_kver_parse(hc->kernel_release);
	for (i = 0; i < hc->nsysctls; i++) {
		const int *val = hc->sysctls[i].val;

		if (strcmp(hc->sysctls[i].scope, "all") != 0)
			continue;
		if (val[HOSTINFO_FORWARDING] >= 0)
			h->ctx.ip_forward = val[HOSTINFO_FORWARDING] ? IPT_FWD_ON : IPT_FWD_OFF;
		if (val[HOSTINFO_FORWARDING6] >= 0)
			h->ctx.ip6_forward = val[HOSTINFO_FORWARDING6] ? IPT_FWD_ON : IPT_FWD_OFF;
	}
	return 0;
fail:
	check_host_free(h);
	errno = ENOMEM;
	return -1;
}

void check_host_free(struct check_host *h)
{
	free(h->addrs);
	free(h->ifconf);
	free(h->routes);
	free(h->ifaces);
	memset(h, 0, sizeof(*h));
}

int check_host_role(const struct check_host *h, const char *ifname)
{
	size_t i;

	for (i = 0; i < h->nifaces; i++)
		if (!strcmp(h->ifaces[i].name, ifname))
			return (int)h->ifaces[i].role;
	return -1;
}

int check_host_forward(struct check_host *h, int ip_forward, int ip6_forward)
{
	size_t i;

	if (ip_forward >= 0) {
		/* as writing net.ipv4.ip_forward does (devinet.c: inet_forward_change): all
		 * and every device */
		h->ctx.ip_forward = ip_forward ? IPT_FWD_ON : IPT_FWD_OFF;
		for (i = 0; i < h->nifconf; i++)
			h->ifconf[i].forwarding = (int8_t)h->ctx.ip_forward;
	}
	if (ip6_forward >= 0) {
		/* writing 0 to all.forwarding clears every device's force_forwarding too
		 * (addrconf.c: addrconf_forward_change) */
		h->ctx.ip6_forward = ip6_forward ? IPT_FWD_ON : IPT_FWD_OFF;
		for (i = 0; !ip6_forward && i < h->nifconf; i++)
			h->ifconf[i].force_forwarding6 = IPT_FWD_OFF;
	}
	return 0;
}
