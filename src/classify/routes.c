/* This file contains the route snapshot and the reverse-path lookup of the kernel's
 * fib_validate_source() / __fib_validate_source() (net/ipv4/fib_frontend.c, Linux 6.x):
 * fib_lookup() towards the source with the packet's destination as the flow's source,
 * through the policy rules (fib_rules_lookup, net/core/fib_rules.c) and each table's
 * longest prefix (fib_table_lookup, net/ipv4/fib_trie.c), then the device match. */
#include "classify/routes.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

/* Routes of one (family, table, plen), sorted by address then metric: [start, end). */
struct rt_group {
	uint8_t family, plen;
	uint32_t table;
	size_t start, end;
};

struct rt_entry {
	struct rt_route r;
	uint16_t dev[RTSNAP_MAX_NH];	/* indexes into devs */
	size_t seq;			/* order added: the first of equal routes wins */
};

struct rtsnap {
	struct rt_entry *routes;
	size_t n_routes, cap_routes;
	struct rt_rule *rules;
	size_t n_rules, cap_rules;
	char (*devs)[IF_NAMESIZE];
	size_t n_devs, cap_devs;
	struct rt_group *groups;
	size_t n_groups;
	size_t n_fam[2];		/* routes per family (IPv4, IPv6) */
	int incomplete;			/* a bound was hit: lookups answer RPF_UNKNOWN */
	int finished;
};

struct rtsnap *rtsnap_new(void)
{
	return calloc(1, sizeof(struct rtsnap));
}

void rtsnap_free(struct rtsnap *s)
{
	if (!s)
		return;
	free(s->routes);
	free(s->rules);
	free(s->devs);
	free(s->groups);
	free(s);
}

/* Grows *p (of element size sz, capacity *cap) to hold n + 1; 0 or -1 (ENOMEM). */
static int grow(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t nc;
	void *q;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : 16;
	q = realloc(*p, nc * sz);
	if (!q) {
		errno = ENOMEM;
		return -1;
	}
	*p = q;
	*cap = nc;
	return 0;
}

/* The index of device name, added when new; -1 on a bound or ENOMEM. */
static int dev_index(struct rtsnap *s, const char *name)
{
	size_t i;

	if (!name || !*name || strlen(name) >= IF_NAMESIZE) {
		errno = EINVAL;
		return -1;
	}
	for (i = s->n_devs; i-- > 0;)
		if (strcmp(s->devs[i], name) == 0)
			return (int)i;
	if (s->n_devs >= RTSNAP_MAX_DEVS) {
		s->incomplete = 1;
		errno = ENOSPC;
		return -1;
	}
	if (grow((void **)&s->devs, &s->cap_devs, s->n_devs, sizeof(*s->devs)) < 0)
		return -1;
	strcpy(s->devs[s->n_devs], name);
	return (int)s->n_devs++;
}

int rtsnap_add_route(struct rtsnap *s, const struct rt_route *r)
{
	struct rt_entry *e;
	unsigned i;
	int d;

	if (!s || !r || (r->dst.family != 4 && r->dst.family != 6) ||
	    r->n_nh > RTSNAP_MAX_NH || r->type > RT_OTHER) {
		errno = EINVAL;
		return -1;
	}
	if (s->n_routes >= RTSNAP_MAX_ROUTES) {
		s->incomplete = 1;
		errno = ENOSPC;
		return -1;
	}
	if (grow((void **)&s->routes, &s->cap_routes, s->n_routes, sizeof(*s->routes)) < 0)
		return -1;
	e = &s->routes[s->n_routes];
	memset(e, 0, sizeof(*e));
	e->r = *r;
	prefix_set(&e->r.dst, r->dst.family, r->dst.addr, r->dst.plen);
	for (i = 0; i < r->n_nh; i++) {
		d = dev_index(s, r->dev[i]);
		if (d < 0)
			return -1;
		e->dev[i] = (uint16_t)d;
		e->r.dev[i] = NULL;	/* names live in devs */
	}
	e->seq = s->n_routes++;
	s->n_fam[r->dst.family == 6]++;
	s->finished = 0;
	return 0;
}

int rtsnap_add_rule(struct rtsnap *s, const struct rt_rule *r)
{
	if (!s || !r || (r->family != 4 && r->family != 6)) {
		errno = EINVAL;
		return -1;
	}
	if (s->n_rules >= RTSNAP_MAX_RULES) {
		s->incomplete = 1;
		errno = ENOSPC;
		return -1;
	}
	if (grow((void **)&s->rules, &s->cap_rules, s->n_rules, sizeof(*s->rules)) < 0)
		return -1;
	s->rules[s->n_rules++] = *r;
	s->finished = 0;
	return 0;
}

static int cmp_route(const void *a, const void *b)
{
	const struct rt_entry *x = a, *y = b;
	int c;

	if (x->r.dst.family != y->r.dst.family)
		return x->r.dst.family < y->r.dst.family ? -1 : 1;
	if (x->r.table != y->r.table)
		return x->r.table < y->r.table ? -1 : 1;
	if (x->r.dst.plen != y->r.dst.plen)
		return x->r.dst.plen > y->r.dst.plen ? -1 : 1;	/* longest first */
	c = memcmp(x->r.dst.addr, y->r.dst.addr, 16);
	if (c)
		return c;
	if (x->r.metric != y->r.metric)
		return x->r.metric < y->r.metric ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_rule(const void *a, const void *b)
{
	const struct rt_rule *x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return 0;
}

/* The kernel's default rules for a family that has none (fib_default_rules_init,
 * fib6_rules_net_init). */
static int default_rules(struct rtsnap *s, uint8_t family)
{
	static const uint32_t prio[3] = { 0, 32766, 32767 };
	static const uint32_t table[3] = { RTSNAP_TABLE_LOCAL, RTSNAP_TABLE_MAIN,
					   RTSNAP_TABLE_DEFAULT };
	struct rt_rule r;
	size_t i;

	for (i = 0; i < s->n_rules; i++)
		if (s->rules[i].family == family)
			return 0;
	for (i = 0; i < (family == 4 ? 3u : 2u); i++) {
		memset(&r, 0, sizeof(r));
		r.family = family;
		r.action = RA_TABLE;
		r.priority = prio[i];
		r.table = table[i];
		r.from.family = r.to.family = family;
		if (rtsnap_add_rule(s, &r) < 0)
			return -1;
	}
	return 0;
}

int rtsnap_finish(struct rtsnap *s)
{
	size_t i;

	if (!s) {
		errno = EINVAL;
		return -1;
	}
	if (default_rules(s, 4) < 0 || default_rules(s, 6) < 0)
		return -1;
	qsort(s->routes, s->n_routes, sizeof(*s->routes), cmp_route);
	/* stable by the order added: rules of equal priority keep it (qsort is not stable,
	 * so sort pairs (priority, position) by insertion sort: rule counts are small) */
	for (i = 1; i < s->n_rules; i++) {
		struct rt_rule t = s->rules[i];
		size_t j = i;

		while (j > 0 && cmp_rule(&s->rules[j - 1], &t) > 0) {
			s->rules[j] = s->rules[j - 1];
			j--;
		}
		s->rules[j] = t;
	}
	free(s->groups);
	s->groups = NULL;
	s->n_groups = 0;
	if (s->n_routes) {
		s->groups = calloc(s->n_routes, sizeof(*s->groups));
		if (!s->groups) {
			errno = ENOMEM;
			return -1;
		}
	}
	for (i = 0; i < s->n_routes; i++) {
		const struct rt_route *r = &s->routes[i].r;
		struct rt_group *g = s->n_groups ? &s->groups[s->n_groups - 1] : NULL;

		if (g && g->family == r->dst.family && g->table == r->table &&
		    g->plen == r->dst.plen) {
			g->end = i + 1;
			continue;
		}
		g = &s->groups[s->n_groups++];
		g->family = r->dst.family;
		g->table = r->table;
		g->plen = r->dst.plen;
		g->start = i;
		g->end = i + 1;
	}
	s->finished = 1;
	return 0;
}

void rtsnap_counts(const struct rtsnap *s, size_t *routes, size_t *rules, int *incomplete)
{
	if (routes)
		*routes = s ? s->n_routes : 0;
	if (rules)
		*rules = s ? s->n_rules : 0;
	if (incomplete)
		*incomplete = s ? s->incomplete : 0;
}

/* The first route of group g whose prefix equals addr masked to g's length, or -1. */
static long group_find(const struct rtsnap *s, const struct rt_group *g, int family,
		       const uint8_t *addr)
{
	struct prefix key;
	size_t lo = g->start, hi = g->end;

	prefix_set(&key, family, addr, g->plen);
	while (lo < hi) {	/* the first entry not below key */
		size_t mid = lo + (hi - lo) / 2;

		if (memcmp(s->routes[mid].r.dst.addr, key.addr, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->end && memcmp(s->routes[lo].r.dst.addr, key.addr, 16) == 0)
		return (long)lo;
	return -1;
}

/* Outcome of one table's lookup. */
enum tl { TL_NONE, TL_FOUND, TL_UNKNOWN };

/* fib_table_lookup(): the longest prefix of table covering addr; its first route by
 * metric in *idx. A tos-selected route at that prefix is not modelled: TL_UNKNOWN. */
static enum tl table_lookup(const struct rtsnap *s, int family, uint32_t table,
			    const uint8_t *addr, size_t *idx)
{
	size_t gi, j;
	long at;

	for (gi = 0; gi < s->n_groups; gi++) {
		const struct rt_group *g = &s->groups[gi];

		if (g->family != family || g->table != table)
			continue;
		at = group_find(s, g, family, addr);
		if (at < 0)
			continue;
		for (j = (size_t)at; j < g->end &&
		     memcmp(s->routes[j].r.dst.addr, s->routes[at].r.dst.addr, 16) == 0; j++)
			if (s->routes[j].r.tos)
				return TL_UNKNOWN;
		*idx = (size_t)at;
		return TL_FOUND;
	}
	return TL_NONE;
}

/* fib_info_nh_uses_dev(): does a nexthop of the route at idx leave by in_dev? For IPv6,
 * routes of the same prefix and metric are one multipath route (fib6 siblings). */
static int route_uses_dev(const struct rtsnap *s, size_t idx, const char *in_dev)
{
	const struct rt_entry *first = &s->routes[idx];
	size_t j;
	unsigned k;

	for (j = idx; j < s->n_routes; j++) {
		const struct rt_entry *e = &s->routes[j];

		if (j > idx && (first->r.dst.family != 6 || e->r.table != first->r.table ||
				e->r.dst.plen != first->r.dst.plen || e->r.metric != first->r.metric ||
				memcmp(e->r.dst.addr, first->r.dst.addr, 16) != 0 ||
				e->r.type != first->r.type))
			break;
		for (k = 0; k < e->r.n_nh; k++)
			if (strncmp(s->devs[e->dev[k]], in_dev, IF_NAMESIZE) == 0)
				return 1;
	}
	return 0;
}

/* fib4_rule_match()/fib6_rule_match() for the selectors modelled: the reverse lookup's
 * flow has the packet's destination as source (`from`) and its source as
 * destination (`to`). */
static int rule_addrs_match(const struct rt_rule *r, int family, const uint8_t *src,
			    const uint8_t *dst)
{
	if (r->from.plen && !prefix_contains(&r->from, family, dst))
		return 0;
	if (r->to.plen && !prefix_contains(&r->to, family, src))
		return 0;
	return 1;
}

/* What a found route gives: -1 to go on to the next rule (throw), else the result. */
static int route_result(const struct rtsnap *s, size_t idx, const char *in_dev, int loose)
{
	switch (s->routes[idx].r.type) {
	case RT_THROW:
		return -1;
	case RT_BLACKHOLE:
	case RT_UNREACHABLE:
	case RT_PROHIBIT:
		return RPF_NO_ROUTE;	/* fib_lookup fails: last_resort, -EXDEV */
	case RT_UNICAST:
		if (s->routes[idx].r.n_nh == 0)
			return RPF_UNKNOWN;	/* a nexthop object whose devices are unknown */
		break;
	default:
		return RPF_NOT_UNICAST;	/* e_inval (accept_local off) */
	}
	if (route_uses_dev(s, idx, in_dev) || loose)
		return RPF_PASS;
	return RPF_STRICT_FAIL;
}

enum rpf_result rtsnap_rpf(const struct rtsnap *s, int family, const uint8_t src[16],
			   const uint8_t dst[16], const char *in_dev, int loose)
{
	size_t i, idx = 0;
	int v;

	if (!s || !s->finished || s->incomplete || !in_dev || (family != 4 && family != 6) ||
	    !s->n_fam[family == 6])
		return RPF_UNKNOWN;	/* a family the snapshot has no route of is not judged */
	for (i = 0; i < s->n_rules; i++) {
		const struct rt_rule *r = &s->rules[i];
		int m;

		if (r->family != family)
			continue;
		m = rule_addrs_match(r, family, src, dst);
		if (r->unsupported) {
			if (m || r->invert)
				return RPF_UNKNOWN;
			continue;
		}
		if (r->invert ? m : !m)
			continue;
		switch (r->action) {
		case RA_NOP:
			continue;
		case RA_TABLE:
			break;
		case RA_BLACKHOLE:
		case RA_UNREACHABLE:
		case RA_PROHIBIT:
			return RPF_NO_ROUTE;
		default:
			return RPF_UNKNOWN;	/* goto and others */
		}
		switch (table_lookup(s, family, r->table, src, &idx)) {
		case TL_NONE:
			continue;		/* -EAGAIN: the next rule */
		case TL_UNKNOWN:
			return RPF_UNKNOWN;
		case TL_FOUND:
			break;
		}
		v = route_result(s, idx, in_dev, loose);
		if (v >= 0)
			return (enum rpf_result)v;
	}
	return RPF_NO_ROUTE;			/* -ESRCH/-ENETUNREACH: last_resort */
}

int rtsnap_type_parse(const char *name)
{
	static const char *const names[] = {
		[RT_UNICAST] = "unicast", [RT_LOCAL] = "local", [RT_BROADCAST] = "broadcast",
		[RT_ANYCAST] = "anycast", [RT_MULTICAST] = "multicast",
		[RT_BLACKHOLE] = "blackhole", [RT_UNREACHABLE] = "unreachable",
		[RT_PROHIBIT] = "prohibit", [RT_THROW] = "throw", [RT_NAT] = "nat",
	};
	size_t i;

	for (i = 0; name && i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i] && strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

int rtsnap_table_parse(const char *name, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!name || !*name)
		return -1;
	if (strcmp(name, "local") == 0)
		v = RTSNAP_TABLE_LOCAL;
	else if (strcmp(name, "main") == 0)
		v = RTSNAP_TABLE_MAIN;
	else if (strcmp(name, "default") == 0)
		v = RTSNAP_TABLE_DEFAULT;
	else {
		errno = 0;
		v = strtoul(name, &end, 10);
		if (errno || *end || name[0] == '-' || v > UINT32_MAX)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

size_t rtsnap_family_routes(const struct rtsnap *s, int family)
{
	return s && (family == 4 || family == 6) ? s->n_fam[family == 6] : 0;
}
