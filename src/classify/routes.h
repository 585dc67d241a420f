/* This file declares the route snapshot: the host's IPv4 and IPv6 routing tables and policy
 * rules as the kernel would consult them, and the reverse-path lookup that the kernel's
 * fib_validate_source() (net/ipv4/fib_frontend.c) makes when rp_filter is on. Loading it
 * (netlink, an `ip -j route` dump, --route options) is in routes_load.c. */
#ifndef SPOOFAUDIT_ROUTES_H
#define SPOOFAUDIT_ROUTES_H

#include <stddef.h>
#include <stdint.h>
#include "common/prefix.h"

#define RTSNAP_MAX_ROUTES 262144	/* routes kept; more make the snapshot incomplete */
#define RTSNAP_MAX_RULES 1024		/* policy rules kept per snapshot */
#define RTSNAP_MAX_DEVS 4096		/* distinct device names */
#define RTSNAP_MAX_NH 8			/* nexthops kept per multipath route */

#define RTSNAP_TABLE_LOCAL 255u
#define RTSNAP_TABLE_MAIN 254u
#define RTSNAP_TABLE_DEFAULT 253u

/* Route types, as rtnetlink's RTN_* and `ip route`'s type names. */
enum rt_type {
	RT_UNICAST = 0, RT_LOCAL, RT_BROADCAST, RT_ANYCAST, RT_MULTICAST, RT_BLACKHOLE,
	RT_UNREACHABLE, RT_PROHIBIT, RT_THROW, RT_NAT, RT_OTHER
};

/* One route of one table. */
struct rt_route {
	struct prefix dst;		/* destination prefix (host bits zero) */
	uint32_t table;			/* RT_TABLE id (255 local, 254 main, 253 default) */
	uint32_t metric;		/* priority: among equal prefixes the lowest wins */
	uint8_t type;			/* enum rt_type */
	uint8_t tos;			/* a tos selector (0: none); such routes are not modelled */
	uint8_t n_nh;			/* nexthop devices in dev[] */
	const char *dev[RTSNAP_MAX_NH];	/* nexthop device names; copied when added */
};

/* Rule actions (FR_ACT_*). */
enum rt_action { RA_TABLE = 1, RA_GOTO = 2, RA_NOP = 3, RA_BLACKHOLE = 6,
		 RA_UNREACHABLE = 7, RA_PROHIBIT = 8 };

/* One policy rule. Selectors other than from/to (iif, oif, fwmark, uidrange, ipproto,
 * ports, tos, l3mdev, tunnel id) and suppress_* are not modelled: `unsupported` is set
 * and a lookup that reaches the rule with its from/to matching answers RPF_UNKNOWN. */
struct rt_rule {
	uint8_t family;			/* 4 or 6 */
	uint8_t action;			/* enum rt_action */
	uint8_t invert;			/* `not` */
	uint8_t unsupported;		/* a selector this model does not evaluate */
	uint32_t priority;
	uint32_t table;			/* for RA_TABLE */
	struct prefix from, to;		/* plen 0: all */
};

/* What rp_filter would do to a received packet. */
enum rpf_result {
	RPF_PASS = 0,			/* a route back leaves by the receiving interface
					 * (strict), or any unicast route back exists (loose) */
	RPF_STRICT_FAIL,		/* the route back leaves by another interface:
					 * rp_filter=1 drops (-EXDEV), rp_filter=2 passes */
	RPF_NO_ROUTE,			/* no route back (none, or blackhole/unreachable/
					 * prohibit): rp_filter=1 and 2 drop (-EXDEV) */
	RPF_NOT_UNICAST,		/* the source routes as local/broadcast/...: the kernel
					 * refuses it as a martian (-EINVAL), not rp_filter's */
	RPF_UNKNOWN,			/* a rule or route this model does not evaluate */
};

struct rtsnap;

/* A new empty snapshot, or NULL (errno ENOMEM). */
struct rtsnap *rtsnap_new(void);
void rtsnap_free(struct rtsnap *s);	/* NULL-safe */

/* Adds a route (r->dst masked here); -1 with errno ENOSPC past the bounds (the snapshot is
 * then marked incomplete), EINVAL on a bad family or nexthop count, ENOMEM. */
int rtsnap_add_route(struct rtsnap *s, const struct rt_route *r);
/* Adds a policy rule; -1 as rtsnap_add_route. */
int rtsnap_add_rule(struct rtsnap *s, const struct rt_rule *r);
/* Sorts the tables for lookup. A family with no rule gets the kernel's default rules
 * (IPv4: 0 local, 32766 main, 32767 default; IPv6: 0 local, 32766 main). Returns 0 or -1
 * (ENOMEM). Lookups need it; adding after it needs it again. */
int rtsnap_finish(struct rtsnap *s);

/* Route and rule counts of a finished snapshot; incomplete: some were left out. */
void rtsnap_counts(const struct rtsnap *s, size_t *routes, size_t *rules, int *incomplete);

/* The kernel's reverse-path check for a packet from src to dst (family 4 or 6) received on
 * the interface named in_dev: the route lookup towards src (rules in priority order with
 * `from` matched against dst and `to` against src, the longest prefix of each table, the
 * lowest metric), then strict (the route back must leave by in_dev) or loose (any unicast
 * route back). An incomplete snapshot answers RPF_UNKNOWN, and so does one without any
 * route of the family (a file run given only `ip -j route`, IPv4: its IPv6 packets are not
 * judged rather than all called rpf_no_route). */
enum rpf_result rtsnap_rpf(const struct rtsnap *s, int family, const uint8_t src[16],
			   const uint8_t dst[16], const char *in_dev, int loose);

/* The snapshot's routes of family 4 or 6 (0: that family is not judged). */
size_t rtsnap_family_routes(const struct rtsnap *s, int family);

/* Parses an `ip route` type name ("unicast", "local", ...); -1 when unknown. */
int rtsnap_type_parse(const char *name);
/* Parses an `ip route`/`ip rule` table name or number ("local", "main", "default", "254"). */
int rtsnap_table_parse(const char *name, uint32_t *out);

#endif
