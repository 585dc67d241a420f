/* This file holds the options of the matches the parser models (tcp, udp, icmp, multiport,
 * iprange, state, conntrack, addrtype, ...) and decodes one option of such a match, as
 * the match's libxt_*.c parser would. */
#include "policy/ipt_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

const char *const ipt_mnames[IPT_M_COUNT] = {
	"tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmp6", "multiport", "iprange",
	"pkttype", "comment", "mac", "state", "conntrack", "addrtype", "rpfilter", "mark",
	"connmark", NULL,
};


static const struct ipt_mopt opts_tcp[] = {
	{"--sport", 1, IPT_MO_SPORT}, {"--source-port", 1, IPT_MO_SPORT},
	{"--dport", 1, IPT_MO_DPORT}, {"--destination-port", 1, IPT_MO_DPORT},
	{"--tcp-flags", 2, IPT_MO_FLAGS}, {"--syn", 0, IPT_MO_FLAGS},
	{"--tcp-option", 1, IPT_MO_OPTION}, {NULL, 0, 0},
};
static const struct ipt_mopt opts_udp[] = {
	{"--sport", 1, IPT_MO_SPORT}, {"--source-port", 1, IPT_MO_SPORT},
	{"--dport", 1, IPT_MO_DPORT}, {"--destination-port", 1, IPT_MO_DPORT}, {NULL, 0, 0},
};
static const struct ipt_mopt opts_sctp[] = {
	{"--sport", 1, IPT_MO_SPORT}, {"--source-port", 1, IPT_MO_SPORT},
	{"--dport", 1, IPT_MO_DPORT}, {"--destination-port", 1, IPT_MO_DPORT},
	{"--chunk-types", 2, IPT_MO_OPTION}, {NULL, 0, 0},
};
static const struct ipt_mopt opts_dccp[] = {
	{"--sport", 1, IPT_MO_SPORT}, {"--source-port", 1, IPT_MO_SPORT},
	{"--dport", 1, IPT_MO_DPORT}, {"--destination-port", 1, IPT_MO_DPORT},
	{"--dccp-types", 1, IPT_MO_OPTION}, {"--dccp-option", 1, IPT_MO_OPTION}, {NULL, 0, 0},
};
static const struct ipt_mopt opts_icmp[] = {{"--icmp-type", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct ipt_mopt opts_icmp6[] = {{"--icmpv6-type", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct ipt_mopt opts_multiport[] = {
	{"--sports", 1, IPT_MO_SPORT}, {"--source-ports", 1, IPT_MO_SPORT},
	{"--dports", 1, IPT_MO_DPORT}, {"--destination-ports", 1, IPT_MO_DPORT},
	{"--ports", 1, IPT_MO_PORTS}, {NULL, 0, 0},
};
static const struct ipt_mopt opts_iprange[] = {
	{"--src-range", 1, IPT_MO_SRC}, {"--dst-range", 1, IPT_MO_DST}, {NULL, 0, 0},
};
static const struct ipt_mopt opts_pkttype[] = {{"--pkt-type", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct ipt_mopt opts_comment[] = {{"--comment", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct ipt_mopt opts_mac[] = {{"--mac-source", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct ipt_mopt opts_state[] = {{"--state", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct ipt_mopt opts_conntrack[] = {
	{"--ctstate", 1, IPT_MO_MAIN}, {"--ctproto", 1, IPT_MO_EXTRA},
	{"--ctorigsrc", 1, IPT_MO_EXTRA}, {"--ctorigdst", 1, IPT_MO_EXTRA},
	{"--ctreplsrc", 1, IPT_MO_EXTRA}, {"--ctrepldst", 1, IPT_MO_EXTRA},
	{"--ctorigsrcport", 1, IPT_MO_EXTRA}, {"--ctorigdstport", 1, IPT_MO_EXTRA},
	{"--ctreplsrcport", 1, IPT_MO_EXTRA}, {"--ctrepldstport", 1, IPT_MO_EXTRA},
	{"--ctstatus", 1, IPT_MO_EXTRA}, {"--ctexpire", 1, IPT_MO_EXTRA},
	{"--ctdir", 1, IPT_MO_EXTRA}, {NULL, 0, 0},
};
static const struct ipt_mopt opts_addrtype[] = {
	{"--src-type", 1, IPT_MO_SRC}, {"--dst-type", 1, IPT_MO_DST},
	{"--limit-iface-in", 0, IPT_MO_LIMIT_IN}, {"--limit-iface-out", 0, IPT_MO_LIMIT_OUT},
	{NULL, 0, 0},
};
static const struct ipt_mopt opts_rpfilter[] = {
	{"--loose", 0, IPT_RPF_LOOSE}, {"--validmark", 0, IPT_RPF_VALIDMARK},
	{"--accept-local", 0, IPT_RPF_ACCEPT_LOCAL}, {"--invert", 0, IPT_RPF_INVERT},
	{NULL, 0, 0},
};
static const struct ipt_mopt opts_mark[] = {{"--mark", 1, IPT_MO_MAIN}, {NULL, 0, 0}};

static const struct ipt_mopt *const mopts[IPT_M_COUNT] = {
	opts_tcp, opts_udp, opts_udp, opts_sctp, opts_dccp, opts_icmp, opts_icmp6,
	opts_multiport, opts_iprange, opts_pkttype, opts_comment, opts_mac, opts_state,
	opts_conntrack, opts_addrtype, opts_rpfilter, opts_mark, opts_mark, NULL,
};


/* "a", "a:b", ":b", "a:" with service names; iptables' xtables_parse_port. */
static int parse_port(const char *s, const char *proto, uint16_t *out)
{
	uint32_t v;
	struct servent se, *res = NULL;
	char buf[1024];

	if (ipt_u32_parse(s, 65535, &v) == 0) {
		*out = (uint16_t)v;
		return 0;
	}
	if (s[0] == '\0' || getservbyname_r(s, proto, &se, buf, sizeof(buf), &res) != 0 || !res)
		return -1;
	*out = ntohs((uint16_t)res->s_port);
	return 0;
}

static int parse_prange(const char *s, const char *proto, struct ipt_prange *r)
{
	char buf[128];
	char *colon;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strchr(buf, ':');
	if (!colon) {
		if (parse_port(buf, proto, &r->lo) != 0)
			return -1;
		r->hi = r->lo;
		return 0;
	}
	*colon = '\0';
	r->lo = 0;
	r->hi = 65535;
	if (buf[0] && parse_port(buf, proto, &r->lo) != 0)
		return -1;
	if (colon[1] && parse_port(colon + 1, proto, &r->hi) != 0)
		return -1;
	return r->lo <= r->hi ? 0 : -1;
}

static const char *l4_proto_name(int kind)
{
	switch (kind) {
	case IPT_M_UDP:
		return "udp";
	case IPT_M_SCTP:
		return "sctp";
	case IPT_M_DCCP:
		return "dccp";
	default:
		return "tcp";
	}
}

static int parse_mport(struct ipt_match *m, const char *s, const char *proto)
{
	char buf[512];
	char *p, *save = NULL;
	unsigned slots = 0;

	if (strlen(s) >= sizeof(buf) || s[0] == '\0' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return -1;
	strcpy(buf, s);
	m->u.mport.n = 0;
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		struct ipt_prange r;

		if (parse_prange(p, proto, &r) != 0)
			return -1;
		slots += r.lo == r.hi && !strchr(p, ':') ? 1 : 2;
		if (slots > IPT_MPORT_MAX)
			return -2;
		m->u.mport.r[m->u.mport.n++] = r;
	}
	return 0;
}

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned i;

	for (i = 0; i < 6; i++) {
		char hex[3];
		char *end;

		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return -1;
		hex[0] = s[0];
		hex[1] = s[1];
		hex[2] = '\0';
		mac[i] = (uint8_t)strtoul(hex, &end, 16);
		s += 2;
		if (i < 5 && *s++ != ':')
			return -1;
	}
	return *s == '\0' ? 0 : -1;
}

static int parse_range(struct ipt_rctx *c, const struct ipt_tok *t, uint8_t lo[16], uint8_t hi[16])
{
	char buf[128];
	char *dash;
	int fam = strchr(t->s, ':') ? 6 : 4;

	if (ipt_family_hint(c, fam, t, "address range") != 0)
		return -1;
	if (strlen(t->s) >= sizeof(buf))
		return -1;
	strcpy(buf, t->s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (ipt_addr_parse(buf, fam, lo) != 0 || ipt_addr_parse(dash ? dash + 1 : buf, fam, hi) != 0)
		return ipt_perr(c->ps, t->col, "bad address range `%s'", t->s);
	return 0;
}

/* An option of tcp, udp, udplite, sctp or dccp: ports, TCP flags, raw options. */
static int l4_option(struct ipt_rctx *c, struct ipt_match *m, uint8_t bit, int inv,
		     const struct ipt_tok *opt, const struct ipt_tok *arg, const struct ipt_tok *arg2)
{
	struct ipt_pstate *ps = c->ps;

	if (bit == IPT_MO_SPORT || bit == IPT_MO_DPORT) {
		struct ipt_prange *r = bit == IPT_MO_SPORT ? &m->u.l4.sport : &m->u.l4.dport;

		if (parse_prange(arg->s, l4_proto_name(m->kind), r) != 0)
			return ipt_perr(ps, arg->col, "bad port `%s'", arg->s);
	} else if (bit == IPT_MO_FLAGS && arg2) {
		if (ipt_tcpflags_parse(arg->s, &m->u.l4.fmask) != 0)
			return ipt_perr(ps, arg->col, "bad TCP flags `%s'", arg->s);
		if (ipt_tcpflags_parse(arg2->s, &m->u.l4.fcmp) != 0)
			return ipt_perr(ps, arg2->col, "bad TCP flags `%s'", arg2->s);
	} else if (bit == IPT_MO_FLAGS) {	/* --syn */
		m->u.l4.fmask = IPT_TCP_FIN | IPT_TCP_SYN | IPT_TCP_RST | IPT_TCP_ACK;
		m->u.l4.fcmp = IPT_TCP_SYN;
	} else {	/* --tcp-option / sctp chunks / dccp types: kept raw, unknown */
		if ((inv && ipt_push_str(&m->argv, &m->argc, "!") != 0) ||
		    ipt_push_str(&m->argv, &m->argc, opt->s) != 0 ||
		    ipt_push_str(&m->argv, &m->argc, arg->s) != 0 ||
		    (arg2 && ipt_push_str(&m->argv, &m->argc, arg2->s) != 0))
			return ipt_nomem(c);
		if (m->kind == IPT_M_TCP) {
			uint32_t v;

			if (ipt_u32_parse(arg->s, 255, &v) != 0)
				return ipt_perr(ps, arg->col, "bad TCP option `%s'", arg->s);
		}
	}
	return 0;
}

/* The option value of the other modelled matches (icmp, multiport, iprange, ...). */
static int value_option(struct ipt_rctx *c, struct ipt_match *m, uint8_t bit, int inv,
			const struct ipt_tok *opt, const struct ipt_tok *arg)
{
	struct ipt_pstate *ps = c->ps;

	switch (m->kind) {
	case IPT_M_ICMP:
	case IPT_M_ICMP6:
		if (ipt_icmp_parse(arg->s, m->kind == IPT_M_ICMP6, &m->u.icmp.type, &m->u.icmp.code_lo,
				   &m->u.icmp.code_hi, &m->u.icmp.any) != 0)
			return ipt_perr(ps, arg->col, "bad ICMP type `%s'", arg->s);
		return 0;
	case IPT_M_MULTIPORT: {
		int rc = parse_mport(m, arg->s, "tcp");

		if (c->seen & IPT_SEEN_P && c->r.proto == 17)
			rc = parse_mport(m, arg->s, "udp");
		if (rc == -2)
			return ipt_perr(ps, arg->col, "too many ports in `%s' (at most 15)", arg->s);
		if (rc != 0)
			return ipt_perr(ps, arg->col, "bad port list `%s'", arg->s);
		if ((m->have & IPT_MO_PORTS) && (m->have & (IPT_MO_SPORT | IPT_MO_DPORT)))
			return ipt_perr(ps, opt->col, "multiport takes one of --sports, --dports, --ports");
		if ((m->have & IPT_MO_SPORT) && (m->have & IPT_MO_DPORT))
			return ipt_perr(ps, opt->col, "multiport takes one of --sports, --dports, --ports");
		return 0;
	}
	case IPT_M_IPRANGE:
		return parse_range(c, arg, bit == IPT_MO_SRC ? m->u.iprange.src_lo : m->u.iprange.dst_lo,
				   bit == IPT_MO_SRC ? m->u.iprange.src_hi : m->u.iprange.dst_hi);
	case IPT_M_PKTTYPE:
		if (ipt_pkttype_parse(arg->s, &m->u.pkttype) != 0)
			return ipt_perr(ps, arg->col, "bad packet type `%s'", arg->s);
		return 0;
	case IPT_M_COMMENT:
		if (inv)
			return ipt_perr(ps, opt->col, "`!' not allowed before `%s'", opt->s);
		if (strlen(arg->s) > 255)
			return ipt_perr(ps, arg->col, "comment longer than 255 characters");
		m->text = strdup(arg->s);
		return m->text ? 0 : ipt_nomem(c);
	case IPT_M_MAC:
		if (parse_mac(arg->s, m->u.mac) != 0)
			return ipt_perr(ps, arg->col, "bad MAC address `%s'", arg->s);
		return 0;
	case IPT_M_STATE:
	case IPT_M_CONNTRACK:
		if (ipt_ctstate_parse(arg->s, m->kind == IPT_M_CONNTRACK, &m->u.ctstate) != 0)
			return ipt_perr(ps, arg->col, "bad state `%s'", arg->s);
		return 0;
	case IPT_M_ADDRTYPE:
		if (bit == IPT_MO_SRC || bit == IPT_MO_DST) {
			uint16_t *mask = bit == IPT_MO_SRC ? &m->u.addrtype.src : &m->u.addrtype.dst;

			if (ipt_addrtype_parse(arg->s, mask) != 0)
				return ipt_perr(ps, arg->col, "bad address type `%s'", arg->s);
		} else if ((m->have & IPT_MO_LIMIT_IN) && (m->have & IPT_MO_LIMIT_OUT)) {
			return ipt_perr(ps, opt->col, "--limit-iface-in and --limit-iface-out exclude each other");
		}
		return 0;
	case IPT_M_MARK:
	case IPT_M_CONNMARK:
		if (ipt_markval_parse(arg->s, &m->u.mark.value, &m->u.mark.mask) != 0)
			return ipt_perr(ps, arg->col, "bad mark `%s'", arg->s);
		return 0;
	default:
		return ipt_perr(ps, opt->col, "internal: option `%s'", opt->s);
	}
}

/* Applies one option of a modelled match. t[*i] is the option; arguments follow. */
int ipt_match_option(struct ipt_rctx *c, struct ipt_match *m, const struct ipt_mopt *o, int inv,
			const struct ipt_tok *t, size_t n, size_t *i)
{
	const struct ipt_tok *opt = &t[*i], *arg = NULL, *arg2 = NULL;
	struct ipt_pstate *ps = c->ps;
	uint8_t bit = o->bit;

	if (o->nargs >= 1) {
		if (*i + 1 >= n)
			return ipt_perr(ps, opt->col, "option `%s' requires an argument", opt->s);
		arg = &t[++*i];
		if (strcmp(arg->s, "!") == 0) {	/* "--dport ! 22" (1.3 style) */
			if (inv || *i + 1 >= n)
				return ipt_perr(ps, arg->col, "bad `!' after `%s'", opt->s);
			inv = 1;
			arg = &t[++*i];
		}
	}
	if (o->nargs == 2) {
		if (*i + 1 >= n)
			return ipt_perr(ps, opt->col, "option `%s' requires two arguments", opt->s);
		arg2 = &t[++*i];
	}
	if (m->kind == IPT_M_RPFILTER) {
		if (inv)
			return ipt_perr(ps, opt->col, "`!' not allowed before `%s'", opt->s);
		m->u.rpf |= bit;
		return 0;
	}
	if (bit == IPT_MO_EXTRA) {
		if ((inv && ipt_push_str(&m->argv, &m->argc, "!") != 0) ||
		    ipt_push_str(&m->argv, &m->argc, opt->s) != 0 ||
		    ipt_push_str(&m->argv, &m->argc, arg->s) != 0)
			return ipt_nomem(c);
		m->have |= IPT_MO_EXTRA;
		return 0;
	}
	if (m->have & bit)
		return ipt_perr(ps, opt->col, "option `%s' given twice", opt->s);
	if ((bit & (IPT_MO_LIMIT_IN | IPT_MO_LIMIT_OUT)) && m->kind == IPT_M_ADDRTYPE && inv)
		return ipt_perr(ps, opt->col, "`!' not allowed before `%s'", opt->s);
	m->have |= bit;
	if (inv)
		m->inv |= bit;
	if (ipt_mkind_l4(m->kind))
		return l4_option(c, m, bit, inv, opt, arg, arg2);
	return value_option(c, m, bit, inv, opt, arg);
}


int ipt_match_kind(const char *name)
{
	int k;

	if (strcmp(name, "icmpv6") == 0 || strcmp(name, "ipv6-icmp") == 0)
		return IPT_M_ICMP6;
	for (k = 0; k < IPT_M_UNKNOWN; k++)
		if (strcmp(name, ipt_mnames[k]) == 0 && k != IPT_M_UDPLITE)
			return k;
	return IPT_M_UNKNOWN;
}

const struct ipt_mopt *ipt_match_opt(int kind, const char *s)
{
	const struct ipt_mopt *o = mopts[kind];

	for (; o && o->name; o++)
		if (strcmp(o->name, s) == 0)
			return o;
	return NULL;
}
