/* This file parses one iptables rule (the tokens after "-A CHAIN") the way iptables'
 * getopt loop does: core options, "-m" matches whose options go to the newest loaded
 * match that knows them, the implicit protocol match of "-p tcp --dport 22", "!" before
 * an option (and iptables 1.3's "-s ! x"), targets, and comma lists in -s/-d that expand
 * into several rules. Matches and targets it does not model are kept raw. */
#include "policy/ipt_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ADDRS 256	/* comma-list elements per -s or -d */

void ipt_rule_clear(struct ipt_rule *r)
{
	uint16_t i, j;

	for (i = 0; i < r->nm; i++) {
		struct ipt_match *m = &r->m[i];

		for (j = 0; j < m->argc; j++)
			free(m->argv[j]);
		free(m->argv);
		free(m->name);
		free(m->text);
	}
	free(r->m);
	for (j = 0; j < r->targc; j++)
		free(r->targv[j]);
	free(r->targv);
	free(r->tname);
	memset(r, 0, sizeof(*r));
}

/* Copies the n raw tokens of src into *dst (empty: NULL); *dstc counts those copied, so
 * that ipt_rule_clear frees a partial copy. */
static int argv_dup(char ***dst, uint16_t *dstc, char *const *src, uint16_t n)
{
	uint16_t j;

	*dst = NULL;
	*dstc = 0;
	if (!n)
		return 0;
	*dst = calloc(n, sizeof(char *));
	if (!*dst)
		return -1;
	for (j = 0; j < n; j++, (*dstc)++)
		if (!((*dst)[j] = strdup(src[j])))
			return -1;
	return 0;
}

/* Deep copy for comma-list expansion. */
static int rule_dup(struct ipt_rule *dst, const struct ipt_rule *src)
{
	uint16_t i;

	*dst = *src;
	dst->m = NULL;
	dst->targv = NULL;
	dst->tname = NULL;
	dst->nm = 0;
	dst->targc = 0;
	if (src->nm) {
		dst->m = calloc(src->nm, sizeof(*dst->m));
		if (!dst->m)
			goto fail;
	}
	for (i = 0; i < src->nm; i++) {
		struct ipt_match *d = &dst->m[i];
		const struct ipt_match *s = &src->m[i];

		*d = *s;
		d->name = NULL;
		d->text = NULL;
		d->argv = NULL;
		d->argc = 0;
		dst->nm++;
		if ((s->name && !(d->name = strdup(s->name))) ||
		    (s->text && !(d->text = strdup(s->text))))
			goto fail;
		if (argv_dup(&d->argv, &d->argc, s->argv, s->argc) != 0)
			goto fail;
	}
	if (src->tname && !(dst->tname = strdup(src->tname)))
		goto fail;
	if (argv_dup(&dst->targv, &dst->targc, src->targv, src->targc) != 0)
		goto fail;
	return 0;
fail:
	ipt_rule_clear(dst);
	return -1;
}

static int add_match(struct ipt_rctx *c, int kind, const char *name, unsigned col, int implicit)
{
	struct ipt_rule *r = &c->r;
	struct ipt_match *m;

	if (r->nm >= 64)
		return ipt_perr(c->ps, col, "too many matches");
	if (r->nm == c->mcap) {
		struct ipt_match *nm = realloc(r->m, (c->mcap + 4) * sizeof(*nm));

		if (!nm)
			return ipt_nomem(c);
		r->m = nm;
		c->mcap += 4;
	}
	m = &r->m[r->nm];
	memset(m, 0, sizeof(*m));
	m->kind = (uint8_t)kind;
	m->implicit = (uint8_t)implicit;
	m->name = strdup(name);
	if (!m->name)
		return ipt_nomem(c);
	c->mcol[r->nm] = col;
	r->nm++;
	if (c->nloaded == c->cap_loaded) {
		int *nl = realloc(c->loaded, (c->cap_loaded + 8) * sizeof(int));

		if (!nl)
			return ipt_nomem(c);
		c->loaded = nl;
		c->cap_loaded += 8;
	}
	c->loaded[c->nloaded++] = r->nm - 1;
	if (kind == IPT_M_UNKNOWN)
		r->n_unknown++;
	return 0;
}

/* An option token (starts with '-') that no core option claimed: give it to the newest
 * loaded match or target that takes it. Returns 0 and advances *i, or -1. */
static int other_option(struct ipt_rctx *c, int inv, unsigned inv_col, const struct ipt_tok *t,
			size_t n, size_t *i)
{
	struct ipt_rule *r = &c->r;
	size_t k;
	int retried = 0;

again:
	for (k = c->nloaded; k-- > 0;) {
		int idx = c->loaded[k];

		if (idx < 0) {	/* the target */
			if (ipt_in_list(ipt_modelled_targets, r->tname) && !ipt_in_list(ipt_topts_common, t[*i].s))
				continue;
			if ((inv && ipt_push_str(&r->targv, &r->targc, "!") != 0) ||
			    ipt_push_str(&r->targv, &r->targc, t[*i].s) != 0)
				return ipt_nomem(c);
			if (ipt_in_list(ipt_modelled_targets, r->tname)) {
				/* known option: its argument is the next token, whatever it is */
				if (!ipt_in_list(ipt_topts_noarg, t[*i].s)) {
					if (*i + 1 >= n)
						return ipt_perr(c->ps, t[*i].col,
								"option `%s' requires an argument", t[*i].s);
					if (ipt_push_str(&r->targv, &r->targc, t[++*i].s) != 0)
						return ipt_nomem(c);
				}
				(*i)++;
				return 0;
			}
			while (*i + 1 < n && (t[*i + 1].s[0] != '-' || t[*i + 1].s[1] == '\0' ||
					      isdigit((unsigned char)t[*i + 1].s[1])))
				if (ipt_push_str(&r->targv, &r->targc, t[++*i].s) != 0)
					return ipt_nomem(c);
			(*i)++;
			return 0;
		}
		if (r->m[idx].kind == IPT_M_UNKNOWN) {
			struct ipt_match *m = &r->m[idx];

			if ((inv && ipt_push_str(&m->argv, &m->argc, "!") != 0) ||
			    ipt_push_str(&m->argv, &m->argc, t[*i].s) != 0)
				return ipt_nomem(c);
			/* arguments: tokens up to the next option or "!" before one */
			while (*i + 1 < n) {
				const struct ipt_tok *a = &t[*i + 1];

				if (a->s[0] == '-' && a->s[1] != '\0' &&
				    !(a->s[1] >= '0' && a->s[1] <= '9'))
					break;
				/* a "!" before an option negates it; a "!" ending the rule belongs
				 * to nothing (kept, it would print as "! -j": fuzz_ipt_parse) */
				if (strcmp(a->s, "!") == 0 && (*i + 2 >= n || t[*i + 2].s[0] == '-'))
					break;
				if (ipt_push_str(&m->argv, &m->argc, a->s) != 0)
					return ipt_nomem(c);
				(*i)++;
			}
			(*i)++;
			return 0;
		}
		{
			const struct ipt_mopt *o = ipt_match_opt(r->m[idx].kind, t[*i].s);

			if (o) {
				if (ipt_match_option(c, &r->m[idx], o, inv, t, n, i) != 0)
					return -1;
				(*i)++;
				return 0;
			}
		}
	}
	/* iptables loads the match named by -p once, on the first option nobody knows */
	if (!retried && (c->seen & IPT_SEEN_P) && !(r->inv & IPT_INV_PROTO) && !c->proto_used) {
		int kind = -1;

		switch (r->proto) {
		case 1:
			kind = c->ps->rs->family == 6 ? -1 : IPT_M_ICMP;
			break;
		case 58:
			kind = c->ps->rs->family == 4 ? -1 : IPT_M_ICMP6;
			break;
		case 136:	/* no udplite match is loaded by -p */
			break;
		default:
			kind = ipt_l4_kind(r->proto);
			break;
		}
		c->proto_used = 1;
		if (kind >= 0) {
			if (add_match(c, kind, ipt_mnames[kind], t[*i].col, 1) != 0)
				return -1;
			retried = 1;
			goto again;
		}
	}
	(void)inv_col;
	return ipt_perr(c->ps, t[*i].col, "unknown option `%s'", t[*i].s);
}

static int set_target(struct ipt_rctx *c, const struct ipt_tok *opt, const struct ipt_tok *arg,
		      int go, const struct ipt_tok *next)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	const char *n = arg->s;
	uint32_t ch;

	if (c->seen & IPT_SEEN_J)
		return ipt_perr(ps, opt->col, "multiple -j/-g flags not allowed");
	c->seen |= IPT_SEEN_J;
	c->target_col = arg->col;
	r->tname = strdup(n);
	if (!r->tname)
		return ipt_nomem(c);
	ch = ipt_ps_chain(ps, ps->table, n);
	if (go) {
		if (ch == IPT_NONE || ps->rs->chains[ch].hook >= 0)
			return ipt_perr(ps, arg->col, "goto to %s chain `%s'",
					ch == IPT_NONE ? "undeclared" : "built-in", n);
		r->tkind = IPT_T_GOTO;
		r->tchain = ch;
		return 0;
	}
	if (strcmp(n, "ACCEPT") == 0 || strcmp(n, "DROP") == 0 || strcmp(n, "RETURN") == 0) {
		r->tkind = n[0] == 'A' ? IPT_T_ACCEPT : n[0] == 'D' ? IPT_T_DROP : IPT_T_RETURN;
		return 0;
	}
	if (ch != IPT_NONE) {
		if (ps->rs->chains[ch].hook >= 0)
			return ipt_perr(ps, arg->col, "jump to built-in chain `%s'", n);
		r->tkind = IPT_T_JUMP;
		r->tchain = ch;
		return 0;
	}
	if (!ipt_target_known(n) && !(next && next->s[0] == '-' && next->s[1] == '-'))
		return ipt_perr(ps, arg->col, "jump to undeclared chain `%s'", n);
	if (c->nloaded == c->cap_loaded) {
		int *nl = realloc(c->loaded, (c->cap_loaded + 8) * sizeof(int));

		if (!nl)
			return ipt_nomem(c);
		c->loaded = nl;
		c->cap_loaded += 8;
	}
	c->loaded[c->nloaded++] = -1;
	r->tkind = IPT_T_UNKNOWN;	/* refined after its options, by ipt_target_semantics */
	return 0;
}

static int take_arg(struct ipt_rctx *c, const struct ipt_tok *t, size_t n, size_t *i, int *inv,
		    const struct ipt_tok **arg)
{
	const struct ipt_tok *opt = &t[*i];

	if (*i + 1 >= n)
		return ipt_perr(c->ps, opt->col, "option `%s' requires an argument", opt->s);
	*arg = &t[++*i];
	if (strcmp((*arg)->s, "!") == 0) {	/* "-s ! x": iptables 1.3 */
		if (*inv)
			return ipt_perr(c->ps, (*arg)->col, "multiple `!' flags not allowed");
		if (*i + 1 >= n)
			return ipt_perr(c->ps, opt->col, "option `%s' requires an argument", opt->s);
		*inv = 1;
		*arg = &t[++*i];
	}
	return 0;
}

static int core_iface(struct ipt_rctx *c, const struct ipt_tok *opt, const struct ipt_tok *arg,
		      int out, int inv)
{
	struct ipt_pstate *ps = c->ps;
	const struct ipt_chain *ch = &ps->rs->chains[c->r.chain];
	int idx;

	if (c->seen & (out ? IPT_SEEN_O : IPT_SEEN_I))
		return ipt_perr(ps, opt->col, "multiple %s flags not allowed", out ? "-o" : "-i");
	c->seen |= out ? IPT_SEEN_O : IPT_SEEN_I;
	if (strlen(arg->s) >= IPT_IFNAMSIZ || arg->s[0] == '\0')
		return ipt_perr(ps, arg->col, "bad interface name `%s' (1 to 15 characters)", arg->s);
	/* "-i ! !" would name an interface "!", which reads back as a second negation
	 * (fuzz_ipt_parse); no Linux interface is called that */
	if (strcmp(arg->s, "!") == 0)
		return ipt_perr(ps, arg->col, "bad interface name `!'");
	if (ch->hook >= 0 &&
	    (out ? ch->hook == IPT_HOOK_PREROUTING || ch->hook == IPT_HOOK_INPUT
		 : ch->hook == IPT_HOOK_OUTPUT || ch->hook == IPT_HOOK_POSTROUTING))
		return ipt_perr(ps, opt->col, "can't use %s with %s", out ? "-o" : "-i", ch->name);
	idx = ipt_ps_ifpat(ps, arg->s);
	if (idx < 0)
		return ipt_nomem(c);
	if (out)
		c->r.out_if = (int16_t)idx;
	else
		c->r.in_if = (int16_t)idx;
	if (inv)
		c->r.inv |= out ? IPT_INV_OUT : IPT_INV_IN;
	return 0;
}

/* Checks a comma list of addresses and returns its element count. */
static int check_addrs(struct ipt_rctx *c, const struct ipt_tok *t)
{
	char buf[IPT_MSG_MAX];
	const char *p = t->s;
	int count = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t l = comma ? (size_t)(comma - p) : strlen(p);
		struct ipt_net net;
		int fam;

		if (l == 0 || l >= 64)
			return ipt_perr(c->ps, t->col, "bad address `%s'", t->s);
		memcpy(buf, p, l);
		buf[l] = '\0';
		fam = c->ps->rs->family ? c->ps->rs->family : strchr(buf, ':') ? 6 : 4;
		if (ipt_net_parse(buf, fam, &net) != 0) {
			int other = fam == 4 ? 6 : 4;

			if (ipt_net_parse(buf, other, &net) == 0)
				return ipt_perr(c->ps, t->col, "IPv%d address `%s' in an IPv%d ruleset",
						other, buf, fam);
			if (strchr(buf, '/') == NULL && strspn(buf, "0123456789.:") != l)
				return ipt_perr(c->ps, t->col, "host name `%s' (only numeric addresses are accepted)", buf);
			return ipt_perr(c->ps, t->col, "bad address `%s'", buf);
		}
		if (c->ps->rs->family == 0)
			c->ps->rs->family = fam;
		if (++count > MAX_ADDRS)
			return ipt_perr(c->ps, t->col, "too many addresses in `%s'", t->s);
		if (!comma)
			break;
		p = comma + 1;
	}
	return count;
}

static void nth_addr(struct ipt_rctx *c, const char *list, int k, struct ipt_net *net)
{
	const char *p = list;
	char buf[64];
	size_t l;

	while (k-- > 0)
		p = strchr(p, ',') + 1;
	l = strchr(p, ',') ? (size_t)(strchr(p, ',') - p) : strlen(p);
	memcpy(buf, p, l);
	buf[l] = '\0';
	ipt_net_parse(buf, c->ps->rs->family, net);
}

/* After all tokens: the late checks iptables (or the kernel) would make. */
static int final_checks(struct ipt_rctx *c)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	uint16_t k;

	for (k = 0; k < r->nm; k++) {
		const struct ipt_match *m = &r->m[k];
		int need = -1;

		switch (m->kind) {
		case IPT_M_TCP:
		case IPT_M_UDP:
		case IPT_M_UDPLITE:
		case IPT_M_SCTP:
		case IPT_M_DCCP:
			need = ipt_l4_proto(m->kind);
			break;
		case IPT_M_ICMP:
			need = 1;
			break;
		case IPT_M_ICMP6:
			need = 58;
			break;
		case IPT_M_MULTIPORT:
			if (!r->has_proto || (r->inv & IPT_INV_PROTO) ||
			    !ipt_proto_has_ports(r->proto))
				return ipt_perr(ps, c->mcol[k], "multiport needs `-p tcp', udp, udplite, sctp or dccp");
			if (!(m->have & (IPT_MO_SPORT | IPT_MO_DPORT | IPT_MO_PORTS)))
				return ipt_perr(ps, c->mcol[k], "multiport needs --sports, --dports or --ports");
			break;
		case IPT_M_CONNTRACK:
			if (!m->have)
				return ipt_perr(ps, c->mcol[k], "match `conntrack' needs an option");
			break;
		default:
			if (m->kind != IPT_M_UNKNOWN && m->kind != IPT_M_RPFILTER &&
			    m->kind != IPT_M_ADDRTYPE && !(m->have & IPT_MO_MAIN) &&
			    m->kind != IPT_M_IPRANGE)
				return ipt_perr(ps, c->mcol[k], "match `%s' needs its option", m->name);
			break;
		}
		if (need >= 0 && (!r->has_proto || r->proto != need || (r->inv & IPT_INV_PROTO)))
			return ipt_perr(ps, c->mcol[k], "match `%s' needs `-p %s'", m->name,
					ipt_proto_name((uint8_t)need));
		if ((m->kind == IPT_M_MAC) &&
		    (ps->rs->chains[r->chain].hook == IPT_HOOK_OUTPUT ||
		     ps->rs->chains[r->chain].hook == IPT_HOOK_POSTROUTING))
			return ipt_perr(ps, c->mcol[k], "match `mac' is not valid in %s",
					ps->rs->chains[r->chain].name);
		if (m->kind == IPT_M_STATE || m->kind == IPT_M_CONNTRACK || m->kind == IPT_M_CONNMARK)
			ps->rs->uses_conntrack = 1;
		if (m->kind == IPT_M_MARK || m->kind == IPT_M_CONNMARK)
			ps->rs->uses_mark = 1;
	}
	if (r->tname && r->tkind == IPT_T_UNKNOWN && !ipt_in_list(ipt_continue_targets, r->tname))
		r->n_unknown++;
	if (ps->table == IPT_TABLE_NAT || r->tkind == IPT_T_NOTRACK || r->tkind == IPT_T_CONNMARK)
		ps->rs->uses_conntrack = 1;
	return 0;
}

/* The core address and interface options: -s/-d, -p, -i/-o, -f. t[*i] is the option;
 * *i is left on its last argument. Returns 1 when the option is none of these. */
static int core_option(struct ipt_rctx *c, const struct ipt_tok *t, size_t n, size_t *i, int *inv,
		       int *nsrc, int *ndst)
{
	const struct ipt_tok *tok = &t[*i], *arg = NULL;
	const char *s = tok->s;

	if (!strcmp(s, "-s") || !strcmp(s, "--source") || !strcmp(s, "--src") ||
	    !strcmp(s, "-d") || !strcmp(s, "--destination") || !strcmp(s, "--dst")) {
		int dst = s[1] == 'd' || (s[1] == '-' && s[2] == 'd');
		int cnt;

		if (c->seen & (dst ? IPT_SEEN_D : IPT_SEEN_S)) {
			ipt_perr(c->ps, tok->col, "multiple %s flags not allowed", dst ? "-d" : "-s");
			return -1;
		}
		c->seen |= dst ? IPT_SEEN_D : IPT_SEEN_S;
		if (take_arg(c, t, n, i, inv, &arg) != 0 || (cnt = check_addrs(c, arg)) < 0)
			return -1;
		if (dst) {
			c->dst_tok = arg;
			*ndst = cnt;
			c->r.has_dst = 1;
			c->r.inv |= *inv ? IPT_INV_DST : 0;
		} else {
			c->src_tok = arg;
			*nsrc = cnt;
			c->r.has_src = 1;
			c->r.inv |= *inv ? IPT_INV_SRC : 0;
		}
	} else if (!strcmp(s, "-p") || !strcmp(s, "--protocol")) {
		if (c->seen & IPT_SEEN_P) {
			ipt_perr(c->ps, tok->col, "multiple -p flags not allowed");
			return -1;
		}
		c->seen |= IPT_SEEN_P;
		if (take_arg(c, t, n, i, inv, &arg) != 0)
			return -1;
		if (ipt_proto_parse(arg->s, &c->r.proto) != 0) {
			ipt_perr(c->ps, arg->col, "unknown protocol `%s'", arg->s);
			return -1;
		}
		if (c->r.proto == 0 && *inv) {
			ipt_perr(c->ps, arg->col, "rule would never match protocol (`! -p %s')", arg->s);
			return -1;
		}
		c->r.has_proto = c->r.proto != 0 || *inv;
		c->r.inv |= *inv ? IPT_INV_PROTO : 0;
	} else if (!strcmp(s, "-i") || !strcmp(s, "--in-interface") || !strcmp(s, "-o") ||
		   !strcmp(s, "--out-interface")) {
		int out = s[1] == 'o' || s[2] == 'o';

		if (take_arg(c, t, n, i, inv, &arg) != 0 ||
		    core_iface(c, tok, arg, out, *inv) != 0)
			return -1;
	} else if (!strcmp(s, "-f") || !strcmp(s, "--fragment")) {
		if (c->seen & IPT_SEEN_F) {
			ipt_perr(c->ps, tok->col, "multiple -f flags not allowed");
			return -1;
		}
		if (ipt_family_hint(c, 4, tok, "option") != 0)
			return -1;
		c->seen |= IPT_SEEN_F;
		c->r.frag = 1;
		c->r.inv |= *inv ? IPT_INV_FRAG : 0;
	} else {
		return 1;
	}
	return 0;
}

/* What loads an extension or sets the rule's data: -j/-g, -m, -c. Returns 1 when the
 * option is none of these. */
static int load_option(struct ipt_rctx *c, const struct ipt_tok *t, size_t n, size_t *i, int *inv,
		       unsigned inv_col)
{
	const struct ipt_tok *tok = &t[*i], *arg = NULL;
	const char *s = tok->s;

if (!strcmp(s, "-j") || !strcmp(s, "--jump") || !strcmp(s, "-g") ||
		   !strcmp(s, "--goto")) {
		if (*inv) {
			ipt_perr(c->ps, inv_col, "cannot have `!' before `%s'", s);
			return -1;
		}
		if (take_arg(c, t, n, i, inv, &arg) != 0 ||
		    set_target(c, tok, arg, s[1] == 'g' || s[2] == 'g',
			       *i + 1 < n ? &t[*i + 1] : NULL) != 0)
			return -1;
	} else if (!strcmp(s, "-m") || !strcmp(s, "--match")) {
		int kind;

		if (*inv) {
			ipt_perr(c->ps, inv_col, "cannot have `!' before `%s'", s);
			return -1;
		}
		if (take_arg(c, t, n, i, inv, &arg) != 0)
			return -1;
		kind = ipt_match_kind(arg->s);
		if (kind == IPT_M_ICMP && ipt_family_hint(c, 4, arg, "match") != 0)
			return -1;
		if (kind == IPT_M_ICMP6 && ipt_family_hint(c, 6, arg, "match") != 0)
			return -1;
		if (arg->s[0] == '\0' || strlen(arg->s) > 28) {
			ipt_perr(c->ps, arg->col, "bad match name `%s'", arg->s);
			return -1;
		}
		/* libipt_ttl or libip6t_srh: a match of one family only fixes the ruleset's
		 * family as icmp and icmp6 do, so that the canonical form, printed for that
		 * family, loads the same match (the fuzz harness found `-m srh' taken in a
		 * ruleset that then counted as IPv4). */
		if (c->ps->rs->family == 0 &&
		    ipt_match_exists(arg->s, 4) != ipt_match_exists(arg->s, 6) &&
		    ipt_family_hint(c, ipt_match_exists(arg->s, 4) ? 4 : 6, arg, "match") != 0)
			return -1;
		if (kind == IPT_M_UNKNOWN && !ipt_match_exists(arg->s, c->ps->rs->family)) {
			/* iptables-restore: "Couldn't load match `tpc'" */
			ipt_perr(c->ps, arg->col, "couldn't load match `%s' (no such extension)", arg->s);
			return -1;
		}
		if (add_match(c, kind, arg->s, arg->col, 0) != 0)
			return -1;
	} else if (!strcmp(s, "-c") || !strcmp(s, "--set-counters")) {
		if (c->seen & IPT_SEEN_C || *i + 2 >= n ||
		    ipt_u32_parse(t[*i + 1].s, UINT32_MAX, &(uint32_t){0}) != 0) {
			ipt_perr(c->ps, tok->col, "bad `%s' (needs packets and bytes)", s);
			return -1;
		}
		c->seen |= IPT_SEEN_C;
		c->r.has_counters = 1;
		c->r.packets = strtoull(t[*i + 1].s, NULL, 0);
		if (t[*i + 2].s[0] < '0' || t[*i + 2].s[0] > '9') {
			ipt_perr(c->ps, t[*i + 2].col, "bad byte counter `%s'", t[*i + 2].s);
			return -1;
		}
		c->r.bytes = strtoull(t[*i + 2].s, NULL, 0);
		*i += 2;
	} else {
		return 1;
	}
	return 0;
}

/* -s a,b -d c,d: one rule per (source, destination), sources outer (iptables.c). */
static int add_expanded(struct ipt_rctx *c, int nsrc, int ndst)
{
	int a, b;

	for (a = 0; a < nsrc; a++) {
		for (b = 0; b < ndst; b++) {
			struct ipt_rule copy;

			if (c->src_tok)
				nth_addr(c, c->src_tok->s, a, &c->r.src);
			if (c->dst_tok)
				nth_addr(c, c->dst_tok->s, b, &c->r.dst);
			c->r.num = (uint32_t)(a * ndst + b);
			if (rule_dup(&copy, &c->r) != 0 || ipt_ps_add_rule(c->ps, &copy) != 0) {
				ipt_rule_clear(&copy);
				return ipt_nomem(c);
			}
		}
	}
	return 0;
}

int ipt_rule_parse(struct ipt_pstate *ps, uint32_t chain, struct ipt_tok *t, size_t n,
		   int has_counters, uint64_t packets, uint64_t bytes)
{
	struct ipt_rctx c;
	size_t i = 0;
	int inv = 0, nsrc = 1, ndst = 1, rc, ret = -1;
	unsigned inv_col = 0;

	memset(&c, 0, sizeof(c));
	c.ps = ps;
	c.r.chain = chain;
	c.r.line = ps->line;
	c.r.in_if = c.r.out_if = -1;
	c.r.tchain = IPT_NONE;
	c.r.has_counters = (uint8_t)has_counters;
	c.r.packets = packets;
	c.r.bytes = bytes;

	while (i < n) {
		const struct ipt_tok *tok = &t[i];
		const char *s = tok->s;

		if (strcmp(s, "!") == 0) {
			if (inv) {
				ipt_perr(ps, tok->col, "multiple `!' flags not allowed");
				goto out;
			}
			inv = 1;
			inv_col = tok->col;
			i++;
			if (i >= n) {
				ipt_perr(ps, tok->col, "`!' at the end of the rule");
				goto out;
			}
			continue;
		}
		if (s[0] != '-' || s[1] == '\0') {
			ipt_perr(ps, tok->col, "bad argument `%s'", s);
			goto out;
		}
		rc = core_option(&c, t, n, &i, &inv, &nsrc, &ndst);
		if (rc == 1)
			rc = load_option(&c, t, n, &i, &inv, inv_col);
		if (rc < 0)
			goto out;
		if (rc == 1 && s[1] != '-' && s[2] == '\0') {
			ipt_perr(ps, tok->col, "unsupported option `%s' in a rule", s);
			goto out;
		}
		if (rc == 1) {	/* a match's option, or the implicit protocol match's */
			if (other_option(&c, inv, inv_col, t, n, &i) != 0)
				goto out;
			inv = 0;
			continue;
		}
		if (inv && (!strcmp(s, "-c") || !strcmp(s, "--set-counters"))) {
			ipt_perr(ps, inv_col, "cannot have `!' before `%s'", s);
			goto out;
		}
		inv = 0;
		i++;
	}
	if (c.r.tname && c.r.tkind == IPT_T_UNKNOWN && ipt_target_semantics(&c) != 0)
		goto out;
	if (final_checks(&c) != 0)
		goto out;
	if (add_expanded(&c, nsrc, ndst) != 0)
		goto out;
	ret = 0;
out:
	ipt_rule_clear(&c.r);
	free(c.loaded);
	return ret;
}
