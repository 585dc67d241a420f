/* This file parses one iptables rule (the tokens after "-A CHAIN") the way iptables'
 * getopt loop does: core options, "-m" matches whose options go to the newest loaded
 * match that knows them, the implicit protocol match of "-p tcp --dport 22", "!" before
 * an option (and iptables 1.3's "-s ! x"), targets, and comma lists in -s/-d that expand
 * into several rules. Matches and targets it does not model are kept raw. */
#include "ipt_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ADDRS 256	/* comma-list elements per -s or -d */

/* What a rule parse is building. */
struct rctx {
	struct ipt_pstate *ps;
	struct ipt_rule r;
	uint32_t mcap;
	/* order of loaded items, newest last: match index, or -1 for the target */
	int *loaded;
	size_t nloaded, cap_loaded;
	const struct ipt_tok *src_tok, *dst_tok;
	unsigned seen;		/* core options given (bits below) */
	unsigned proto_used;	/* the implicit protocol match was loaded */
	unsigned target_col;
	unsigned mcol[64];	/* column of each -m, for late checks */
};

#define SEEN_S 0x01
#define SEEN_D 0x02
#define SEEN_P 0x04
#define SEEN_I 0x08
#define SEEN_O 0x10
#define SEEN_F 0x20
#define SEEN_J 0x40
#define SEEN_C 0x80

static const char *const mnames[IPT_M_COUNT] = {
	"tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmp6", "multiport", "iprange",
	"pkttype", "comment", "mac", "state", "conntrack", "addrtype", "rpfilter", "mark",
	"connmark", NULL,
};

/* Option table of a modelled match: name, number of arguments, option bit. */
struct mopt {
	const char *name;
	uint8_t nargs;
	uint8_t bit;
};

static const struct mopt opts_tcp[] = {
	{"--sport", 1, IPT_MO_SPORT}, {"--source-port", 1, IPT_MO_SPORT},
	{"--dport", 1, IPT_MO_DPORT}, {"--destination-port", 1, IPT_MO_DPORT},
	{"--tcp-flags", 2, IPT_MO_FLAGS}, {"--syn", 0, IPT_MO_FLAGS},
	{"--tcp-option", 1, IPT_MO_OPTION}, {NULL, 0, 0},
};
static const struct mopt opts_udp[] = {
	{"--sport", 1, IPT_MO_SPORT}, {"--source-port", 1, IPT_MO_SPORT},
	{"--dport", 1, IPT_MO_DPORT}, {"--destination-port", 1, IPT_MO_DPORT}, {NULL, 0, 0},
};
static const struct mopt opts_sctp[] = {
	{"--sport", 1, IPT_MO_SPORT}, {"--source-port", 1, IPT_MO_SPORT},
	{"--dport", 1, IPT_MO_DPORT}, {"--destination-port", 1, IPT_MO_DPORT},
	{"--chunk-types", 2, IPT_MO_OPTION}, {NULL, 0, 0},
};
static const struct mopt opts_dccp[] = {
	{"--sport", 1, IPT_MO_SPORT}, {"--source-port", 1, IPT_MO_SPORT},
	{"--dport", 1, IPT_MO_DPORT}, {"--destination-port", 1, IPT_MO_DPORT},
	{"--dccp-types", 1, IPT_MO_OPTION}, {"--dccp-option", 1, IPT_MO_OPTION}, {NULL, 0, 0},
};
static const struct mopt opts_icmp[] = {{"--icmp-type", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct mopt opts_icmp6[] = {{"--icmpv6-type", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct mopt opts_multiport[] = {
	{"--sports", 1, IPT_MO_SPORT}, {"--source-ports", 1, IPT_MO_SPORT},
	{"--dports", 1, IPT_MO_DPORT}, {"--destination-ports", 1, IPT_MO_DPORT},
	{"--ports", 1, IPT_MO_PORTS}, {NULL, 0, 0},
};
static const struct mopt opts_iprange[] = {
	{"--src-range", 1, IPT_MO_SRC}, {"--dst-range", 1, IPT_MO_DST}, {NULL, 0, 0},
};
static const struct mopt opts_pkttype[] = {{"--pkt-type", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct mopt opts_comment[] = {{"--comment", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct mopt opts_mac[] = {{"--mac-source", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct mopt opts_state[] = {{"--state", 1, IPT_MO_MAIN}, {NULL, 0, 0}};
static const struct mopt opts_conntrack[] = {
	{"--ctstate", 1, IPT_MO_MAIN}, {"--ctproto", 1, IPT_MO_EXTRA},
	{"--ctorigsrc", 1, IPT_MO_EXTRA}, {"--ctorigdst", 1, IPT_MO_EXTRA},
	{"--ctreplsrc", 1, IPT_MO_EXTRA}, {"--ctrepldst", 1, IPT_MO_EXTRA},
	{"--ctorigsrcport", 1, IPT_MO_EXTRA}, {"--ctorigdstport", 1, IPT_MO_EXTRA},
	{"--ctreplsrcport", 1, IPT_MO_EXTRA}, {"--ctrepldstport", 1, IPT_MO_EXTRA},
	{"--ctstatus", 1, IPT_MO_EXTRA}, {"--ctexpire", 1, IPT_MO_EXTRA},
	{"--ctdir", 1, IPT_MO_EXTRA}, {NULL, 0, 0},
};
static const struct mopt opts_addrtype[] = {
	{"--src-type", 1, IPT_MO_SRC}, {"--dst-type", 1, IPT_MO_DST},
	{"--limit-iface-in", 0, IPT_MO_LIMIT_IN}, {"--limit-iface-out", 0, IPT_MO_LIMIT_OUT},
	{NULL, 0, 0},
};
static const struct mopt opts_rpfilter[] = {
	{"--loose", 0, IPT_RPF_LOOSE}, {"--validmark", 0, IPT_RPF_VALIDMARK},
	{"--accept-local", 0, IPT_RPF_ACCEPT_LOCAL}, {"--invert", 0, IPT_RPF_INVERT},
	{NULL, 0, 0},
};
static const struct mopt opts_mark[] = {{"--mark", 1, IPT_MO_MAIN}, {NULL, 0, 0}};

static const struct mopt *const mopts[IPT_M_COUNT] = {
	opts_tcp, opts_udp, opts_udp, opts_sctp, opts_dccp, opts_icmp, opts_icmp6,
	opts_multiport, opts_iprange, opts_pkttype, opts_comment, opts_mac, opts_state,
	opts_conntrack, opts_addrtype, opts_rpfilter, opts_mark, opts_mark, NULL,
};

/* Target options the modelled targets take; other targets swallow every option. */
static const char *const topts_common[] = {
	/* REJECT */ "--reject-with",
	/* NAT */ "--to-destination", "--to-source", "--to-ports", "--to", "--random",
	"--random-fully", "--persistent",
	/* MARK / CONNMARK */ "--set-xmark", "--set-mark", "--and-mark", "--or-mark",
	"--xor-mark", "--save-mark", "--restore-mark", "--nfmask", "--ctmask", "--mask",
	/* CT */ "--notrack", "--helper", "--ctevents", "--expevents", "--zone", "--zone-orig",
	"--zone-reply", "--timeout",
	/* LOG / NFLOG / ULOG */ "--log-level", "--log-prefix", "--log-tcp-sequence",
	"--log-tcp-options", "--log-ip-options", "--log-uid", "--log-macdecode",
	"--nflog-group", "--nflog-prefix", "--nflog-range", "--nflog-size",
	"--nflog-threshold", "--ulog-nlgroup", "--ulog-prefix", "--ulog-cprange",
	"--ulog-qthreshold", NULL,
};

static const char *const modelled_targets[] = {
	"REJECT", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP", "MARK", "CONNMARK",
	"CT", "LOG", "NFLOG", "ULOG", NULL,
};

/* Targets known not to end traversal and whose effect the evaluator does not need. */
static const char *const continue_targets[] = {
	"LOG", "NFLOG", "ULOG", "TRACE", "TCPMSS", "CHECKSUM", "CLASSIFY", "DSCP", "TOS",
	"TTL", "HL", "ECN", "SET", "AUDIT", "CONNSECMARK", "SECMARK", "IDLETIMER", "LED",
	"RATEEST", "TCPOPTSTRIP", "HMARK", "TEE", "LOGMARK", "IPMARK", "CT", NULL,
};

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

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

/* Deep copy for comma-list expansion. */
static int rule_dup(struct ipt_rule *dst, const struct ipt_rule *src)
{
	uint16_t i, j;

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
		if (s->argc) {
			d->argv = calloc(s->argc, sizeof(char *));
			if (!d->argv)
				goto fail;
			for (j = 0; j < s->argc; j++, d->argc++)
				if (!(d->argv[j] = strdup(s->argv[j])))
					goto fail;
		}
	}
	if (src->tname && !(dst->tname = strdup(src->tname)))
		goto fail;
	if (src->targc) {
		dst->targv = calloc(src->targc, sizeof(char *));
		if (!dst->targv)
			goto fail;
		for (j = 0; j < src->targc; j++, dst->targc++)
			if (!(dst->targv[j] = strdup(src->targv[j])))
				goto fail;
	}
	return 0;
fail:
	ipt_rule_clear(dst);
	return -1;
}

static int push_str(char ***argv, uint16_t *argc, const char *s)
{
	char **nv;

	if (*argc == UINT16_MAX)
		return -1;
	nv = realloc(*argv, ((size_t)*argc + 1) * sizeof(char *));
	if (!nv)
		return -1;
	*argv = nv;
	nv[*argc] = strdup(s);
	if (!nv[*argc])
		return -1;
	(*argc)++;
	return 0;
}

static int nomem(struct rctx *c)
{
	return ipt_perr(c->ps, 0, "out of memory");
}

/* Sets the ruleset family from a family-specific construct, or checks it. */
static int family_hint(struct rctx *c, int fam, const struct ipt_tok *t, const char *what)
{
	struct ipt_ruleset *rs = c->ps->rs;

	if (rs->family == 0)
		rs->family = fam;
	if (rs->family != fam)
		return ipt_perr(c->ps, t->col, "%s `%s' in an IPv%d ruleset", what, t->s,
				rs->family);
	return 0;
}

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

static int parse_markval(const char *s, uint32_t *value, uint32_t *mask)
{
	char buf[64];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	*mask = UINT32_MAX;
	if (ipt_u32_parse(buf, UINT32_MAX, value) != 0)
		return -1;
	if (slash && ipt_u32_parse(slash + 1, UINT32_MAX, mask) != 0)
		return -1;
	return 0;
}

static int parse_range(struct rctx *c, const struct ipt_tok *t, uint8_t lo[16], uint8_t hi[16])
{
	char buf[128];
	char *dash;
	int fam = strchr(t->s, ':') ? 6 : 4;

	if (family_hint(c, fam, t, "address range") != 0)
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

/* Applies one option of a modelled match. t[*i] is the option; arguments follow. */
static int match_option(struct rctx *c, struct ipt_match *m, const struct mopt *o, int inv,
			const struct ipt_tok *t, size_t n, size_t *i)
{
	const struct ipt_tok *opt = &t[*i], *arg = NULL, *arg2 = NULL;
	struct ipt_pstate *ps = c->ps;
	uint8_t bit = o->bit;

	if (o->nargs >= 1) {
		if (*i + 1 >= n)
			return ipt_perr(ps, opt->col, "option `%s' requires an argument", opt->s);
		arg = &t[++*i];
		if (strcmp(arg->s, "!") == 0 && !arg->quoted) {	/* "--dport ! 22" (1.3 style) */
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
		if ((inv && push_str(&m->argv, &m->argc, "!") != 0) ||
		    push_str(&m->argv, &m->argc, opt->s) != 0 ||
		    push_str(&m->argv, &m->argc, arg->s) != 0)
			return nomem(c);
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
	switch (m->kind) {
	case IPT_M_TCP:
	case IPT_M_UDP:
	case IPT_M_UDPLITE:
	case IPT_M_SCTP:
	case IPT_M_DCCP:
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
			if ((inv && push_str(&m->argv, &m->argc, "!") != 0) ||
			    push_str(&m->argv, &m->argc, opt->s) != 0 ||
			    push_str(&m->argv, &m->argc, arg->s) != 0 ||
			    (arg2 && push_str(&m->argv, &m->argc, arg2->s) != 0))
				return nomem(c);
			if (m->kind == IPT_M_TCP) {
				uint32_t v;

				if (ipt_u32_parse(arg->s, 255, &v) != 0)
					return ipt_perr(ps, arg->col, "bad TCP option `%s'", arg->s);
			}
		}
		return 0;
	case IPT_M_ICMP:
	case IPT_M_ICMP6:
		if (ipt_icmp_parse(arg->s, m->kind == IPT_M_ICMP6, &m->u.icmp.type, &m->u.icmp.code_lo,
				   &m->u.icmp.code_hi, &m->u.icmp.any) != 0)
			return ipt_perr(ps, arg->col, "bad ICMP type `%s'", arg->s);
		return 0;
	case IPT_M_MULTIPORT: {
		int rc = parse_mport(m, arg->s, "tcp");

		if (c->seen & SEEN_P && c->r.proto == 17)
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
		return m->text ? 0 : nomem(c);
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
		if (parse_markval(arg->s, &m->u.mark.value, &m->u.mark.mask) != 0)
			return ipt_perr(ps, arg->col, "bad mark `%s'", arg->s);
		return 0;
	default:
		return ipt_perr(ps, opt->col, "internal: option `%s'", opt->s);
	}
}

static int add_match(struct rctx *c, int kind, const char *name, unsigned col, int implicit)
{
	struct ipt_rule *r = &c->r;
	struct ipt_match *m;

	if (r->nm >= 64)
		return ipt_perr(c->ps, col, "too many matches");
	if (r->nm == c->mcap) {
		struct ipt_match *nm = realloc(r->m, (c->mcap + 4) * sizeof(*nm));

		if (!nm)
			return nomem(c);
		r->m = nm;
		c->mcap += 4;
	}
	m = &r->m[r->nm];
	memset(m, 0, sizeof(*m));
	m->kind = (uint8_t)kind;
	m->implicit = (uint8_t)implicit;
	m->name = strdup(name);
	if (!m->name)
		return nomem(c);
	c->mcol[r->nm] = col;
	r->nm++;
	if (c->nloaded == c->cap_loaded) {
		int *nl = realloc(c->loaded, (c->cap_loaded + 8) * sizeof(int));

		if (!nl)
			return nomem(c);
		c->loaded = nl;
		c->cap_loaded += 8;
	}
	c->loaded[c->nloaded++] = r->nm - 1;
	if (kind == IPT_M_UNKNOWN)
		r->n_unknown++;
	return 0;
}

static int match_kind(const char *name)
{
	int k;

	if (strcmp(name, "icmpv6") == 0 || strcmp(name, "ipv6-icmp") == 0)
		return IPT_M_ICMP6;
	for (k = 0; k < IPT_M_UNKNOWN; k++)
		if (strcmp(name, mnames[k]) == 0 && k != IPT_M_UDPLITE)
			return k;
	return IPT_M_UNKNOWN;
}

static const struct mopt *find_opt(int kind, const char *s)
{
	const struct mopt *o = mopts[kind];

	for (; o && o->name; o++)
		if (strcmp(o->name, s) == 0)
			return o;
	return NULL;
}

/* An option token (starts with '-') that no core option claimed: give it to the newest
 * loaded match or target that takes it. Returns 0 and advances *i, or -1. */
static int other_option(struct rctx *c, int inv, unsigned inv_col, const struct ipt_tok *t,
			size_t n, size_t *i)
{
	struct ipt_rule *r = &c->r;
	size_t k;
	int retried = 0;

again:
	for (k = c->nloaded; k-- > 0;) {
		int idx = c->loaded[k];

		if (idx < 0) {	/* the target */
			if (in_list(modelled_targets, r->tname) && !in_list(topts_common, t[*i].s))
				continue;
			if ((inv && push_str(&r->targv, &r->targc, "!") != 0) ||
			    push_str(&r->targv, &r->targc, t[*i].s) != 0)
				return nomem(c);
			while (*i + 1 < n && (t[*i + 1].s[0] != '-' || t[*i + 1].quoted ||
					      t[*i + 1].s[1] == '\0'))
				if (push_str(&r->targv, &r->targc, t[++*i].s) != 0)
					return nomem(c);
			(*i)++;
			return 0;
		}
		if (r->m[idx].kind == IPT_M_UNKNOWN) {
			struct ipt_match *m = &r->m[idx];

			if ((inv && push_str(&m->argv, &m->argc, "!") != 0) ||
			    push_str(&m->argv, &m->argc, t[*i].s) != 0)
				return nomem(c);
			/* arguments: tokens up to the next option or "!" before one */
			while (*i + 1 < n) {
				const struct ipt_tok *a = &t[*i + 1];

				if (a->s[0] == '-' && !a->quoted && a->s[1] != '\0' &&
				    !(a->s[1] >= '0' && a->s[1] <= '9'))
					break;
				if (strcmp(a->s, "!") == 0 && !a->quoted && *i + 2 < n &&
				    t[*i + 2].s[0] == '-')
					break;
				if (push_str(&m->argv, &m->argc, a->s) != 0)
					return nomem(c);
				(*i)++;
			}
			(*i)++;
			return 0;
		}
		{
			const struct mopt *o = find_opt(r->m[idx].kind, t[*i].s);

			if (o) {
				if (match_option(c, &r->m[idx], o, inv, t, n, i) != 0)
					return -1;
				(*i)++;
				return 0;
			}
		}
	}
	/* iptables loads the match named by -p once, on the first option nobody knows */
	if (!retried && (c->seen & SEEN_P) && !(r->inv & IPT_INV_PROTO) && !c->proto_used) {
		int kind = -1;

		switch (r->proto) {
		case 6:
			kind = IPT_M_TCP;
			break;
		case 17:
			kind = IPT_M_UDP;
			break;
		case 132:
			kind = IPT_M_SCTP;
			break;
		case 33:
			kind = IPT_M_DCCP;
			break;
		case 1:
			kind = c->ps->rs->family == 6 ? -1 : IPT_M_ICMP;
			break;
		case 58:
			kind = c->ps->rs->family == 4 ? -1 : IPT_M_ICMP6;
			break;
		default:
			break;
		}
		c->proto_used = 1;
		if (kind >= 0) {
			if (add_match(c, kind, mnames[kind], t[*i].col, 1) != 0)
				return -1;
			retried = 1;
			goto again;
		}
	}
	(void)inv_col;
	return ipt_perr(c->ps, t[*i].col, "unknown option `%s'", t[*i].s);
}

/* Interprets the raw options of the modelled targets. */
static int target_semantics(struct rctx *c)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	const char *n = r->tname;
	uint16_t k;
	int nat = strcmp(n, "DNAT") == 0 || strcmp(n, "SNAT") == 0 || strcmp(n, "MASQUERADE") == 0 ||
		  strcmp(n, "REDIRECT") == 0 || strcmp(n, "NETMAP") == 0;

	if (nat && ps->table != IPT_TABLE_NAT)
		return ipt_perr(ps, c->target_col, "target `%s' is only valid in the nat table", n);
	if (strcmp(n, "REJECT") == 0) {
		r->tkind = IPT_T_REJECT;
		for (k = 0; k + 1 < r->targc; k++)
			if (strcmp(r->targv[k], "--reject-with") == 0 && strstr(r->targv[k + 1], "icmp6") &&
			    family_hint(c, 6, &(struct ipt_tok){r->targv[k + 1], c->target_col, 0},
					"reject type") != 0)
				return -1;
		return 0;
	}
	if (strcmp(n, "DNAT") == 0 || strcmp(n, "REDIRECT") == 0) {
		r->tkind = n[0] == 'D' ? IPT_T_DNAT : IPT_T_REDIRECT;
		for (k = 0; k + 1 < r->targc; k++) {
			const char *v = r->targv[k + 1];
			char buf[128];
			char *ports = NULL, *dash;
			uint32_t port;

			if (strcmp(r->targv[k], "--to-destination") != 0 &&
			    strcmp(r->targv[k], "--to-ports") != 0)
				continue;
			if (strlen(v) >= sizeof(buf))
				return ipt_perr(ps, c->target_col, "bad NAT range `%s'", v);
			strcpy(buf, v);
			if (strcmp(r->targv[k], "--to-ports") == 0) {
				ports = buf;
			} else if (buf[0] == '[') {
				char *close = strchr(buf, ']');

				if (!close)
					return ipt_perr(ps, c->target_col, "bad NAT range `%s'", v);
				*close = '\0';
				if (close[1] == ':')
					ports = close + 2;
				memmove(buf, buf + 1, strlen(buf + 1) + 1);
			} else if (c->ps->rs->family != 6 && !strchr(buf, ':')) {
				ports = NULL;
			} else if (c->ps->rs->family != 6 && (ports = strchr(buf, ':'))) {
				*ports++ = '\0';
			}
			if (ports != buf) {
				dash = strchr(buf, '-');
				if (dash) {
					*dash = '\0';
					r->nat_range = 1;
				}
				if (buf[0]) {
					if (ipt_addr_parse(buf, c->ps->rs->family ? c->ps->rs->family : 4,
							   r->nat_addr) != 0)
						return ipt_perr(ps, c->target_col, "bad NAT address `%s'", v);
					r->nat_has_addr = 1;
				}
			}
			if (ports && ports[0]) {
				dash = strchr(ports, '-');
				if (dash) {
					*dash = '\0';
					r->nat_range = 1;
				}
				if (ipt_u32_parse(ports, 65535, &port) != 0)
					return ipt_perr(ps, c->target_col, "bad NAT port `%s'", v);
				r->nat_port = (uint16_t)port;
				r->nat_has_port = 1;
			}
		}
		return 0;
	}
	if (strcmp(n, "SNAT") == 0 || strcmp(n, "MASQUERADE") == 0) {
		r->tkind = IPT_T_SNAT;
		return 0;
	}
	if (strcmp(n, "NETMAP") == 0) {
		struct ipt_net net;

		r->tkind = IPT_T_NETMAP;
		for (k = 0; k + 1 < r->targc; k++) {
			if (strcmp(r->targv[k], "--to") != 0)
				continue;
			if (ipt_net_parse(r->targv[k + 1], c->ps->rs->family ? c->ps->rs->family : 4,
					  &net) != 0)
				return ipt_perr(ps, c->target_col, "bad NETMAP prefix `%s'", r->targv[k + 1]);
			memcpy(r->nat_addr, net.addr, 16);
			memcpy(r->nat_mask, net.mask, 16);
			r->nat_has_addr = 1;
		}
		return 0;
	}
	if (strcmp(n, "MARK") == 0 || strcmp(n, "CONNMARK") == 0) {
		int conn = n[0] == 'C';

		r->tkind = conn ? IPT_T_CONNMARK : IPT_T_MARK;
		r->markop = IPT_MARK_XSET;
		r->nfmask = r->ctmask = UINT32_MAX;
		for (k = 0; k < r->targc; k++) {
			const char *o = r->targv[k], *v = k + 1 < r->targc ? r->targv[k + 1] : "";
			uint32_t val = 0, mask = UINT32_MAX;

			if (strcmp(o, "--save-mark") == 0 || strcmp(o, "--restore-mark") == 0) {
				r->markop = o[2] == 's' ? IPT_MARK_SAVE : IPT_MARK_RESTORE;
				continue;
			}
			if (o[0] != '-' || o[1] != '-')
				continue;
			if (strcmp(o, "--nfmask") == 0 || strcmp(o, "--ctmask") == 0 ||
			    strcmp(o, "--mask") == 0) {
				if (ipt_u32_parse(v, UINT32_MAX, &val) != 0)
					return ipt_perr(ps, c->target_col, "bad mask `%s'", v);
				if (o[2] != 'c')
					r->nfmask = val;
				if (o[2] != 'n')
					r->ctmask = val;
				continue;
			}
			if (parse_markval(v, &val, &mask) != 0)
				return ipt_perr(ps, c->target_col, "bad mark `%s'", v);
			if (strcmp(o, "--set-xmark") == 0) {
				r->mark_value = val;
				r->mark_mask = mask;
			} else if (strcmp(o, "--set-mark") == 0) {
				r->mark_value = val;
				r->mark_mask = val | mask;
			} else if (strcmp(o, "--and-mark") == 0) {
				r->mark_value = 0;
				r->mark_mask = ~val;
			} else if (strcmp(o, "--or-mark") == 0) {
				r->mark_value = r->mark_mask = val;
			} else if (strcmp(o, "--xor-mark") == 0) {
				r->mark_value = val;
				r->mark_mask = 0;
			}
		}
		return 0;
	}
	if (strcmp(n, "NOTRACK") == 0) {
		r->tkind = IPT_T_NOTRACK;
		return 0;
	}
	if (strcmp(n, "CT") == 0) {
		r->tkind = IPT_T_CONTINUE;
		for (k = 0; k < r->targc; k++)
			if (strcmp(r->targv[k], "--notrack") == 0)
				r->tkind = IPT_T_NOTRACK;
		return 0;
	}
	r->tkind = in_list(continue_targets, n) ? IPT_T_CONTINUE : IPT_T_UNKNOWN;
	return 0;
}

static int set_target(struct rctx *c, const struct ipt_tok *opt, const struct ipt_tok *arg,
		      int go, const struct ipt_tok *next)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	const char *n = arg->s;
	uint32_t ch;

	if (c->seen & SEEN_J)
		return ipt_perr(ps, opt->col, "multiple -j/-g flags not allowed");
	c->seen |= SEEN_J;
	c->target_col = arg->col;
	r->tname = strdup(n);
	if (!r->tname)
		return nomem(c);
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
			return nomem(c);
		c->loaded = nl;
		c->cap_loaded += 8;
	}
	c->loaded[c->nloaded++] = -1;
	r->tkind = IPT_T_UNKNOWN;	/* refined after its options, by target_semantics */
	return 0;
}

static int take_arg(struct rctx *c, const struct ipt_tok *t, size_t n, size_t *i, int *inv,
		    const struct ipt_tok **arg)
{
	const struct ipt_tok *opt = &t[*i];

	if (*i + 1 >= n)
		return ipt_perr(c->ps, opt->col, "option `%s' requires an argument", opt->s);
	*arg = &t[++*i];
	if (strcmp((*arg)->s, "!") == 0 && !(*arg)->quoted) {	/* "-s ! x": iptables 1.3 */
		if (*inv)
			return ipt_perr(c->ps, (*arg)->col, "multiple `!' flags not allowed");
		if (*i + 1 >= n)
			return ipt_perr(c->ps, opt->col, "option `%s' requires an argument", opt->s);
		*inv = 1;
		*arg = &t[++*i];
	}
	return 0;
}

static int core_iface(struct rctx *c, const struct ipt_tok *opt, const struct ipt_tok *arg,
		      int out, int inv)
{
	struct ipt_pstate *ps = c->ps;
	const struct ipt_chain *ch = &ps->rs->chains[c->r.chain];
	int idx;

	if (c->seen & (out ? SEEN_O : SEEN_I))
		return ipt_perr(ps, opt->col, "multiple %s flags not allowed", out ? "-o" : "-i");
	c->seen |= out ? SEEN_O : SEEN_I;
	if (strlen(arg->s) >= IPT_IFNAMSIZ || arg->s[0] == '\0')
		return ipt_perr(ps, arg->col, "bad interface name `%s' (1 to 15 characters)", arg->s);
	if (ch->hook >= 0 &&
	    (out ? ch->hook == IPT_HOOK_PREROUTING || ch->hook == IPT_HOOK_INPUT
		 : ch->hook == IPT_HOOK_OUTPUT || ch->hook == IPT_HOOK_POSTROUTING))
		return ipt_perr(ps, opt->col, "can't use %s with %s", out ? "-o" : "-i", ch->name);
	idx = ipt_ps_ifpat(ps, arg->s);
	if (idx < 0)
		return nomem(c);
	if (out)
		c->r.out_if = (int16_t)idx;
	else
		c->r.in_if = (int16_t)idx;
	if (inv)
		c->r.inv |= out ? IPT_INV_OUT : IPT_INV_IN;
	return 0;
}

/* Checks a comma list of addresses and returns its element count. */
static int check_addrs(struct rctx *c, const struct ipt_tok *t)
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

static void nth_addr(struct rctx *c, const char *list, int k, struct ipt_net *net)
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
static int final_checks(struct rctx *c)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	uint16_t k;

	for (k = 0; k < r->nm; k++) {
		const struct ipt_match *m = &r->m[k];
		int need = -1;

		switch (m->kind) {
		case IPT_M_TCP:
			need = 6;
			break;
		case IPT_M_UDP:
			need = 17;
			break;
		case IPT_M_SCTP:
			need = 132;
			break;
		case IPT_M_DCCP:
			need = 33;
			break;
		case IPT_M_ICMP:
			need = 1;
			break;
		case IPT_M_ICMP6:
			need = 58;
			break;
		case IPT_M_MULTIPORT:
			if (!r->has_proto || (r->inv & IPT_INV_PROTO) ||
			    (r->proto != 6 && r->proto != 17 && r->proto != 136 && r->proto != 132 &&
			     r->proto != 33))
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
	if (r->tname && r->tkind == IPT_T_UNKNOWN && !in_list(continue_targets, r->tname))
		r->n_unknown++;
	if (ps->table == IPT_TABLE_NAT || r->tkind == IPT_T_NOTRACK || r->tkind == IPT_T_CONNMARK)
		ps->rs->uses_conntrack = 1;
	return 0;
}

int ipt_rule_parse(struct ipt_pstate *ps, uint32_t chain, struct ipt_tok *t, size_t n,
		   int has_counters, uint64_t packets, uint64_t bytes)
{
	struct rctx c;
	size_t i = 0;
	int inv = 0, nsrc = 1, ndst = 1, a, b, ret = -1;
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
		const struct ipt_tok *tok = &t[i], *arg = NULL;
		const char *s = tok->s;

		if (strcmp(s, "!") == 0 && !tok->quoted) {
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
		if (s[0] != '-' || tok->quoted || s[1] == '\0') {
			ipt_perr(ps, tok->col, "bad argument `%s'", s);
			goto out;
		}
		if (!strcmp(s, "-s") || !strcmp(s, "--source") || !strcmp(s, "--src") ||
		    !strcmp(s, "-d") || !strcmp(s, "--destination") || !strcmp(s, "--dst")) {
			int dst = s[1] == 'd' || (s[1] == '-' && s[2] == 'd');
			int cnt;

			if (c.seen & (dst ? SEEN_D : SEEN_S)) {
				ipt_perr(ps, tok->col, "multiple %s flags not allowed", dst ? "-d" : "-s");
				goto out;
			}
			c.seen |= dst ? SEEN_D : SEEN_S;
			if (take_arg(&c, t, n, &i, &inv, &arg) != 0 || (cnt = check_addrs(&c, arg)) < 0)
				goto out;
			if (dst) {
				c.dst_tok = arg;
				ndst = cnt;
				c.r.has_dst = 1;
				c.r.inv |= inv ? IPT_INV_DST : 0;
			} else {
				c.src_tok = arg;
				nsrc = cnt;
				c.r.has_src = 1;
				c.r.inv |= inv ? IPT_INV_SRC : 0;
			}
		} else if (!strcmp(s, "-p") || !strcmp(s, "--protocol")) {
			if (c.seen & SEEN_P) {
				ipt_perr(ps, tok->col, "multiple -p flags not allowed");
				goto out;
			}
			c.seen |= SEEN_P;
			if (take_arg(&c, t, n, &i, &inv, &arg) != 0)
				goto out;
			if (ipt_proto_parse(arg->s, &c.r.proto) != 0) {
				ipt_perr(ps, arg->col, "unknown protocol `%s'", arg->s);
				goto out;
			}
			if (c.r.proto == 0 && inv) {
				ipt_perr(ps, arg->col, "rule would never match protocol (`! -p %s')", arg->s);
				goto out;
			}
			c.r.has_proto = c.r.proto != 0 || inv;
			c.r.inv |= inv ? IPT_INV_PROTO : 0;
		} else if (!strcmp(s, "-i") || !strcmp(s, "--in-interface") || !strcmp(s, "-o") ||
			   !strcmp(s, "--out-interface")) {
			int out = s[1] == 'o' || s[2] == 'o';

			if (take_arg(&c, t, n, &i, &inv, &arg) != 0 ||
			    core_iface(&c, tok, arg, out, inv) != 0)
				goto out;
		} else if (!strcmp(s, "-f") || !strcmp(s, "--fragment")) {
			if (c.seen & SEEN_F) {
				ipt_perr(ps, tok->col, "multiple -f flags not allowed");
				goto out;
			}
			if (family_hint(&c, 4, tok, "option") != 0)
				goto out;
			c.seen |= SEEN_F;
			c.r.frag = 1;
			c.r.inv |= inv ? IPT_INV_FRAG : 0;
		} else if (!strcmp(s, "-j") || !strcmp(s, "--jump") || !strcmp(s, "-g") ||
			   !strcmp(s, "--goto")) {
			if (inv) {
				ipt_perr(ps, inv_col, "cannot have `!' before `%s'", s);
				goto out;
			}
			if (take_arg(&c, t, n, &i, &inv, &arg) != 0 ||
			    set_target(&c, tok, arg, s[1] == 'g' || s[2] == 'g',
				       i + 1 < n ? &t[i + 1] : NULL) != 0)
				goto out;
		} else if (!strcmp(s, "-m") || !strcmp(s, "--match")) {
			int kind;

			if (inv) {
				ipt_perr(ps, inv_col, "cannot have `!' before `%s'", s);
				goto out;
			}
			if (take_arg(&c, t, n, &i, &inv, &arg) != 0)
				goto out;
			kind = match_kind(arg->s);
			if (kind == IPT_M_ICMP && family_hint(&c, 4, arg, "match") != 0)
				goto out;
			if (kind == IPT_M_ICMP6 && family_hint(&c, 6, arg, "match") != 0)
				goto out;
			if (arg->s[0] == '\0' || strlen(arg->s) > 28) {
				ipt_perr(ps, arg->col, "bad match name `%s'", arg->s);
				goto out;
			}
			if (add_match(&c, kind, arg->s, arg->col, 0) != 0)
				goto out;
		} else if (!strcmp(s, "-c") || !strcmp(s, "--set-counters")) {
			if (c.seen & SEEN_C || i + 2 >= n ||
			    ipt_u32_parse(t[i + 1].s, UINT32_MAX, &(uint32_t){0}) != 0) {
				ipt_perr(ps, tok->col, "bad `%s' (needs packets and bytes)", s);
				goto out;
			}
			c.seen |= SEEN_C;
			c.r.has_counters = 1;
			c.r.packets = strtoull(t[i + 1].s, NULL, 0);
			if (t[i + 2].s[0] < '0' || t[i + 2].s[0] > '9') {
				ipt_perr(ps, t[i + 2].col, "bad byte counter `%s'", t[i + 2].s);
				goto out;
			}
			c.r.bytes = strtoull(t[i + 2].s, NULL, 0);
			i += 2;
		} else if (s[1] != '-' && s[2] == '\0') {
			ipt_perr(ps, tok->col, "unsupported option `%s' in a rule", s);
			goto out;
		} else {
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
	if (c.r.tname && c.r.tkind == IPT_T_UNKNOWN && target_semantics(&c) != 0)
		goto out;
	if (final_checks(&c) != 0)
		goto out;

	/* -s a,b -d c,d: one rule per (source, destination), sources outer (iptables.c) */
	for (a = 0; a < nsrc; a++) {
		for (b = 0; b < ndst; b++) {
			struct ipt_rule copy;

			if (c.src_tok)
				nth_addr(&c, c.src_tok->s, a, &c.r.src);
			if (c.dst_tok)
				nth_addr(&c, c.dst_tok->s, b, &c.r.dst);
			c.r.num = (uint32_t)(a * ndst + b);
			if (rule_dup(&copy, &c.r) != 0 || ipt_ps_add_rule(ps, &copy) != 0) {
				ipt_rule_clear(&copy);
				nomem(&c);
				goto out;
			}
		}
	}
	ret = 0;
out:
	ipt_rule_clear(&c.r);
	free(c.loaded);
	return ret;
}
