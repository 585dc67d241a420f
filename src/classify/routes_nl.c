/* This file reads the route snapshot from the kernel over rtnetlink (libmnl): a dump of
 * the links (ifindex to name), of the IPv4 and IPv6 routes of every table and of the
 * policy rules; and watches the route, rule and link groups so that the owner re-reads
 * the snapshot when they change. */
#include "classify/routes_nl.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define NL_MAX_LINKS 4096		/* ifindex -> name pairs kept */
#define NL_MAX_MESSAGES 2000000		/* messages read per dump before giving up */

struct rtsnap_nl {
	struct mnl_socket *dump;	/* requests and their answers */
	struct mnl_socket *watch;	/* change notifications; NULL without watching */
	unsigned seq;
};

struct link_name {
	int ifindex;
	char name[IF_NAMESIZE];
};

/* State of one dump. */
struct dump_ctx {
	struct rtsnap *s;
	struct link_name *links;
	size_t n_links;
	int family;			/* for rules: the request's family */
	unsigned messages;
};

struct rtsnap_nl *rtsnap_nl_open(int watch)
{
	struct rtsnap_nl *n = calloc(1, sizeof(*n));
	unsigned groups = RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE |
			  RTMGRP_IPV4_RULE;

	if (!n)
		return NULL;
	n->seq = (unsigned)time(NULL);
	n->dump = mnl_socket_open(NETLINK_ROUTE);
	if (!n->dump || mnl_socket_bind(n->dump, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	if (watch) {
		int g = RTNLGRP_IPV6_RULE;

		n->watch = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (!n->watch || mnl_socket_bind(n->watch, groups, MNL_SOCKET_AUTOPID) < 0 ||
		    mnl_socket_setsockopt(n->watch, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			goto fail;
	}
	return n;
fail:
	rtsnap_nl_close(n);
	return NULL;
}

void rtsnap_nl_close(struct rtsnap_nl *n)
{
	if (!n)
		return;
	if (n->dump)
		mnl_socket_close(n->dump);
	if (n->watch)
		mnl_socket_close(n->watch);
	free(n);
}

int rtsnap_nl_fd(const struct rtsnap_nl *n)
{
	return n && n->watch ? mnl_socket_get_fd(n->watch) : -1;
}

int rtsnap_nl_changed(struct rtsnap_nl *n)
{
	char buf[8192];
	int changed = 0;
	ssize_t r;

	if (!n || !n->watch)
		return 0;
	/* any message (or an overrun, ENOBUFS) means the snapshot may be stale */
	while ((r = mnl_socket_recvfrom(n->watch, buf, sizeof(buf))) > 0 ||
	       (r < 0 && errno == ENOBUFS))
		changed = 1;
	return changed;
}

static const char *link_name(const struct dump_ctx *d, uint32_t ifindex)
{
	size_t i;

	for (i = 0; i < d->n_links; i++)
		if (d->links[i].ifindex == (int)ifindex)
			return d->links[i].name;
	return NULL;
}

static int link_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *d = arg;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm))
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(*ifm)) {
		if (mnl_attr_get_type(a) != IFLA_IFNAME ||
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(a) > IF_NAMESIZE || d->n_links >= NL_MAX_LINKS)
			continue;
		d->links[d->n_links].ifindex = ifm->ifi_index;
		strcpy(d->links[d->n_links].name, mnl_attr_get_str(a));
		d->n_links++;
	}
	return MNL_CB_OK;
}

/* Copies an address attribute of family fam into p; -1 when its length is wrong. */
static int attr_addr(const struct nlattr *a, int fam, uint8_t *out)
{
	size_t len = fam == 4 ? 4 : 16;

	if (mnl_attr_get_payload_len(a) != len)
		return -1;
	memcpy(out, mnl_attr_get_payload(a), len);
	return 0;
}

/* Adds the devices of an RTA_MULTIPATH attribute to r. */
static void multipath(const struct dump_ctx *d, const struct nlattr *a, struct rt_route *r)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	size_t left = mnl_attr_get_payload_len(a);

	while (left >= sizeof(struct rtnexthop)) {
		struct rtnexthop nh;
		size_t step;

		memcpy(&nh, p, sizeof(nh));
		if (nh.rtnh_len < sizeof(nh) || nh.rtnh_len > left)
			break;
		if (r->n_nh < RTSNAP_MAX_NH && link_name(d, (uint32_t)nh.rtnh_ifindex))
			r->dev[r->n_nh++] = link_name(d, (uint32_t)nh.rtnh_ifindex);
		step = RTNH_ALIGN((size_t)nh.rtnh_len);
		if (step > left)
			step = left;
		p += step;
		left -= step;
	}
}

static const uint8_t rtn_to_type[] = {
	[RTN_UNICAST] = RT_UNICAST, [RTN_LOCAL] = RT_LOCAL, [RTN_BROADCAST] = RT_BROADCAST,
	[RTN_ANYCAST] = RT_ANYCAST, [RTN_MULTICAST] = RT_MULTICAST,
	[RTN_BLACKHOLE] = RT_BLACKHOLE, [RTN_UNREACHABLE] = RT_UNREACHABLE,
	[RTN_PROHIBIT] = RT_PROHIBIT, [RTN_THROW] = RT_THROW, [RTN_NAT] = RT_NAT,
};

static int route_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *d = arg;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	struct rt_route r;
	int fam;

	if (++d->messages > NL_MAX_MESSAGES)
		return MNL_CB_ERROR;
	if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*rtm))
		return MNL_CB_OK;
	fam = rtm->rtm_family == AF_INET ? 4 : rtm->rtm_family == AF_INET6 ? 6 : 0;
	if (!fam || (rtm->rtm_flags & RTM_F_CLONED) || rtm->rtm_dst_len > (fam == 4 ? 32 : 128))
		return MNL_CB_OK;
	memset(&r, 0, sizeof(r));
	r.dst.family = (uint8_t)fam;
	r.dst.plen = rtm->rtm_dst_len;
	r.table = rtm->rtm_table;
	r.tos = rtm->rtm_tos;
	r.type = rtm->rtm_type <= RTN_NAT && rtm->rtm_type != RTN_UNSPEC ?
		 rtn_to_type[rtm->rtm_type] : RT_OTHER;
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_TABLE:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				r.table = mnl_attr_get_u32(a);
			break;
		case RTA_PRIORITY:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				r.metric = mnl_attr_get_u32(a);
			break;
		case RTA_DST:
			if (attr_addr(a, fam, r.dst.addr) < 0)
				return MNL_CB_OK;
			break;
		case RTA_OIF:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0 && r.n_nh < RTSNAP_MAX_NH &&
			    link_name(d, mnl_attr_get_u32(a)))
				r.dev[r.n_nh++] = link_name(d, mnl_attr_get_u32(a));
			break;
		case RTA_MULTIPATH:
			multipath(d, a, &r);
			break;
		default:
			break;
		}
	}
	if (rtsnap_add_route(d->s, &r) < 0 && errno != ENOSPC)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* FRA_* attributes the model evaluates (or that do not select); any other makes the rule
 * unsupported, as does a non-zero fwmark or mask. */
static int rule_attr(const struct nlattr *a, int fam, struct rt_rule *r)
{
	switch (mnl_attr_get_type(a)) {
	case FRA_PRIORITY:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->priority = mnl_attr_get_u32(a);
		return 0;
	case FRA_TABLE:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			r->table = mnl_attr_get_u32(a);
		return 0;
	case FRA_SRC:
		return attr_addr(a, fam, r->from.addr);
	case FRA_DST:
		return attr_addr(a, fam, r->to.addr);
	case FRA_PROTOCOL:
		return 0;
	case FRA_FWMARK:
	case FRA_FWMASK:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0 && mnl_attr_get_u32(a) == 0)
			return 0;
		r->unsupported = 1;
		return 0;
	case FRA_SUPPRESS_PREFIXLEN:	/* dumped as -1 (UINT32_MAX) when not set */
	case FRA_SUPPRESS_IFGROUP:
		if (mnl_attr_validate(a, MNL_TYPE_U32) == 0 && mnl_attr_get_u32(a) == UINT32_MAX)
			return 0;
		r->unsupported = 1;
		return 0;
	default:
		r->unsupported = 1;
		return 0;
	}
}

static int rule_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct dump_ctx *d = arg;
	const struct fib_rule_hdr *h = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	uint8_t from[16], to[16];
	struct rt_rule r;
	int fam;

	if (nlh->nlmsg_type != RTM_NEWRULE || mnl_nlmsg_get_payload_len(nlh) < sizeof(*h))
		return MNL_CB_OK;
	fam = h->family == AF_INET ? 4 : h->family == AF_INET6 ? 6 : 0;
	if (!fam || h->src_len > (fam == 4 ? 32 : 128) || h->dst_len > (fam == 4 ? 32 : 128))
		return MNL_CB_OK;
	memset(&r, 0, sizeof(r));
	r.family = (uint8_t)fam;
	r.from.family = r.to.family = (uint8_t)fam;
	r.action = h->action;
	r.invert = (h->flags & FIB_RULE_INVERT) != 0;
	r.table = h->table;
	r.unsupported = h->tos != 0 || (h->action != RA_TABLE && h->action != RA_NOP &&
					 h->action != RA_BLACKHOLE &&
					 h->action != RA_UNREACHABLE && h->action != RA_PROHIBIT);
	mnl_attr_for_each(a, nlh, sizeof(*h))
		if (rule_attr(a, fam, &r) < 0)
			r.unsupported = 1;
	memcpy(from, r.from.addr, 16);		/* prefix_set clears before it copies */
	memcpy(to, r.to.addr, 16);
	prefix_set(&r.from, fam, from, h->src_len);
	prefix_set(&r.to, fam, to, h->dst_len);
	if (rtsnap_add_rule(d->s, &r) < 0 && errno != ENOSPC)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/* Sends one dump request and runs cb on every answer. */
static int dump(struct rtsnap_nl *n, uint16_t type, uint8_t family, mnl_cb_t cb,
		struct dump_ctx *d)
{
	char buf[32768];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	unsigned portid = mnl_socket_get_portid(n->dump);
	ssize_t r;
	int rc;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++n->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));	/* rtmsg/ifinfomsg
									 * both start with it */
	g->rtgen_family = family;
	if (mnl_socket_sendto(n->dump, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		r = mnl_socket_recvfrom(n->dump, buf, sizeof(buf));
		if (r <= 0)
			return -1;
		rc = mnl_cb_run(buf, (size_t)r, n->seq, portid, cb, d);
	} while (rc > MNL_CB_STOP);
	return rc < 0 ? -1 : 0;
}

struct rtsnap *rtsnap_nl_dump(struct rtsnap_nl *n)
{
	struct dump_ctx d;
	struct rtsnap *s = NULL;

	memset(&d, 0, sizeof(d));
	if (!n) {
		errno = EINVAL;
		return NULL;
	}
	d.links = calloc(NL_MAX_LINKS, sizeof(*d.links));
	s = rtsnap_new();
	if (!d.links || !s)
		goto fail;
	d.s = s;
	if (dump(n, RTM_GETLINK, AF_UNSPEC, link_cb, &d) < 0 ||
	    dump(n, RTM_GETROUTE, AF_INET, route_cb, &d) < 0 ||
	    dump(n, RTM_GETROUTE, AF_INET6, route_cb, &d) < 0 ||
	    dump(n, RTM_GETRULE, AF_INET, rule_cb, &d) < 0 ||
	    dump(n, RTM_GETRULE, AF_INET6, rule_cb, &d) < 0 || rtsnap_finish(s) < 0)
		goto fail;
	free(d.links);
	return s;
fail:
	free(d.links);
	rtsnap_free(s);
	return NULL;
}
