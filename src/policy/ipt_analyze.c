/* This file answers static questions about a parsed ruleset for `check`: which of a
 * rule's matches the evaluator may leave undecided, and which earlier rule of the same
 * chain takes all the traffic of a rule (shadowing), conservatively: only core options,
 * tcp/udp port ranges and comments are compared, and anything else means "not shown". */
#include "policy/ipt_int.h"

#include <string.h>

static void add(char *buf, size_t len, const char *s)
{
	size_t l = strlen(buf);

	if (strstr(buf, s))
		return;
	snprintf(buf + l, len - l, "%s%s", l ? "," : "", s);
}

int ipt_rule_undecided(const struct ipt_ruleset *rs, uint32_t rule, unsigned unknown,
		       char *buf, size_t len)
{
	const struct ipt_rule *r;
	uint16_t k;

	if (!len)
		return -1;
	buf[0] = '\0';
	if (rule >= rs->nrules)
		return -1;
	r = &rs->rules[rule];
	for (k = 0; k < r->nm; k++) {
		const struct ipt_match *m = &r->m[k];

		if (ipt_mkind_l4(m->kind)) {
			if (((m->have & IPT_MO_SPORT) && (unknown & IPT_UNK_SPORT)) ||
			    ((m->have & IPT_MO_DPORT) && (unknown & IPT_UNK_DPORT)))
				add(buf, len, "port (collapsed ephemeral port)");
			if ((m->have & IPT_MO_FLAGS) && (unknown & IPT_UNK_FLAGS))
				add(buf, len, "tcp-flags (flow flags are an OR)");
			if (m->have & IPT_MO_OPTION)
				add(buf, len, m->name ? m->name : "l4 option");
			continue;
		}
		switch (m->kind) {
		case IPT_M_MULTIPORT:
			if (unknown & (IPT_UNK_SPORT | IPT_UNK_DPORT))
				add(buf, len, "multiport (collapsed ephemeral port)");
			break;
		case IPT_M_ICMP:
		case IPT_M_ICMP6:
		case IPT_M_IPRANGE:
		case IPT_M_COMMENT:
			break;
		case IPT_M_STATE:
		case IPT_M_CONNTRACK:
			add(buf, len, m->kind == IPT_M_STATE ? "state" : "conntrack");
			break;
		default:
			if (m->kind == IPT_M_UNKNOWN && ipt_unknown_match(m) != IPT_MAYBE)
				break;	/* recent --set: decided without state */
			add(buf, len, m->name ? m->name : ipt_mnames[m->kind]);
			break;
		}
	}
	if (r->tkind == IPT_T_UNKNOWN)
		add(buf, len, r->tname ? r->tname : "unknown target");
	if (!buf[0])
		add(buf, len, "-");
	return 0;
}

/* Whether every packet rule b matches is matched by a (a's conditions are implied). */
static int net_covers(const struct ipt_net *a, const struct ipt_net *b, int alen)
{
	int i;

	if (a->plen < 0 || b->plen < 0 || a->plen > b->plen)
		return 0;
	for (i = 0; i < alen; i++)
		if ((b->addr[i] & a->mask[i]) != a->addr[i])
			return 0;
	return 1;
}

static const struct ipt_match *find_kind(const struct ipt_rule *r, int kind)
{
	uint16_t k;

	for (k = 0; k < r->nm; k++)
		if (r->m[k].kind == kind)
			return &r->m[k];
	return NULL;
}

static int implies(const struct ipt_ruleset *rs, const struct ipt_rule *a, const struct ipt_rule *b)
{
	int alen = rs->family == 4 ? 4 : 16;
	uint16_t k;

	if (a->inv || a->frag)
		return 0;
	if (a->has_proto && (!b->has_proto || (b->inv & IPT_INV_PROTO) || a->proto != b->proto))
		return 0;
	if (a->has_src && (!b->has_src || (b->inv & IPT_INV_SRC) || !net_covers(&a->src, &b->src, alen)))
		return 0;
	if (a->has_dst && (!b->has_dst || (b->inv & IPT_INV_DST) || !net_covers(&a->dst, &b->dst, alen)))
		return 0;
	if (a->in_if >= 0 && (b->in_if != a->in_if || (b->inv & IPT_INV_IN)))
		return 0;
	if (a->out_if >= 0 && (b->out_if != a->out_if || (b->inv & IPT_INV_OUT)))
		return 0;
	for (k = 0; k < a->nm; k++) {
		const struct ipt_match *m = &a->m[k], *n;

		if (m->kind == IPT_M_COMMENT)
			continue;
		if (m->kind != IPT_M_TCP && m->kind != IPT_M_UDP)
			return 0;
		if (m->inv || (m->have & ~(IPT_MO_SPORT | IPT_MO_DPORT)))
			return 0;
		n = find_kind(b, m->kind);
		if (!n || (n->inv & (IPT_MO_SPORT | IPT_MO_DPORT)))
			return 0;
		if ((m->have & IPT_MO_SPORT) &&
		    (!(n->have & IPT_MO_SPORT) || n->u.l4.sport.lo < m->u.l4.sport.lo ||
		     n->u.l4.sport.hi > m->u.l4.sport.hi))
			return 0;
		if ((m->have & IPT_MO_DPORT) &&
		    (!(n->have & IPT_MO_DPORT) || n->u.l4.dport.lo < m->u.l4.dport.lo ||
		     n->u.l4.dport.hi > m->u.l4.dport.hi))
			return 0;
	}
	return 1;
}

uint32_t ipt_rule_shadowed_by(const struct ipt_ruleset *rs, uint32_t rule)
{
	const struct ipt_rule *r;
	const struct ipt_chain *c;
	uint32_t i;

	if (rule >= rs->nrules)
		return IPT_NONE;
	r = &rs->rules[rule];
	c = &rs->chains[r->chain];
	for (i = c->first; i < rule; i++) {
		const struct ipt_rule *e = &rs->rules[i];

		if (e->tkind != IPT_T_ACCEPT && e->tkind != IPT_T_DROP && e->tkind != IPT_T_REJECT &&
		    e->tkind != IPT_T_RETURN && e->tkind != IPT_T_GOTO)
			continue;
		if (implies(rs, e, r))
			return i;
	}
	return IPT_NONE;
}
