/* This file contains the canonical printer: a parsed ruleset written back in
 * iptables-save form, which iptables-restore --test accepts. */
#include "policy/ipt_int.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void ipt_sb_add(struct ipt_sb *sb, const char *s)
{
	size_t l = strlen(s);

	if (sb->oom)
		return;
	if (sb->len + l + 1 > sb->cap) {
		size_t ncap = sb->cap ? sb->cap : 256;
		char *nb;

		while (ncap < sb->len + l + 1)
			ncap *= 2;
		nb = realloc(sb->buf, ncap);
		if (!nb) {
			sb->oom = 1;
			return;
		}
		sb->buf = nb;
		sb->cap = ncap;
	}
	memcpy(sb->buf + sb->len, s, l + 1);
	sb->len += l;
}

void ipt_sb_printf(struct ipt_sb *sb, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->oom = 1;
		return;
	}
	if ((size_t)n < sizeof(small)) {
		ipt_sb_add(sb, small);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);

		if (!big) {
			sb->oom = 1;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		ipt_sb_add(sb, big);
		free(big);
	}
}

/* xtables_save_string: bare when only [_-0-9a-zA-Z], else double-quoted with \", \\ and
 * \' escaped. Adds the leading space. */
void ipt_sb_quoted(struct ipt_sb *sb, const char *s)
{
	static const char bare[] = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	char one[2] = {0, 0};

	if (s[0] && strspn(s, bare) == strlen(s)) {
		ipt_sb_add(sb, " ");
		ipt_sb_add(sb, s);
		return;
	}
	ipt_sb_add(sb, " \"");
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == '\'')
			ipt_sb_add(sb, "\\");
		one[0] = *s;
		ipt_sb_add(sb, one);
	}
	ipt_sb_add(sb, "\"");
}

/* A raw option token: bare when harmless, quoted otherwise. A lone "!" is negation. */
static void raw_token(struct ipt_sb *sb, const char *s)
{
	static const char safe[] = "_-0123456789abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ.:/,+=@%";

	if (strcmp(s, "!") == 0 || (s[0] && strspn(s, safe) == strlen(s))) {
		ipt_sb_add(sb, " ");
		ipt_sb_add(sb, s);
		return;
	}
	ipt_sb_quoted(sb, s);
}

/* An interface pattern, quoted when it holds anything but the usual characters (a
 * name may hold any byte but '/', ':' and white space; printed bare, a trailing "\r"
 * would read back as a CRLF line end: fuzz_ipt_parse). */
static void iface(struct ipt_sb *sb, const struct ipt_ifpat *p)
{
	char buf[IPT_IFNAMSIZ + 2];

	snprintf(buf, sizeof(buf), "%s%s", p->name, p->wildcard ? "+" : "");
	raw_token(sb, buf);
}

static void neg(struct ipt_sb *sb, int inv)
{
	if (inv)
		ipt_sb_add(sb, " !");
}

static void prange(struct ipt_sb *sb, const struct ipt_prange *r)
{
	if (r->lo == r->hi)
		ipt_sb_printf(sb, " %u", r->lo);
	else
		ipt_sb_printf(sb, " %u:%u", r->lo, r->hi);
}

static void addr(struct ipt_sb *sb, int family, const uint8_t a[16])
{
	struct ipt_net n;
	char buf[64];

	memset(&n, 0, sizeof(n));
	memcpy(n.addr, a, 16);
	n.plen = family == 4 ? 32 : 128;
	ipt_net_print(&n, family, buf, sizeof(buf));
	*strchr(buf, '/') = '\0';
	ipt_sb_add(sb, buf);
}

/* tcp, udp, udplite, sctp, dccp: ports and TCP flags (raw options follow in argv). */
static void print_l4(const struct ipt_match *m, struct ipt_sb *sb)
{
	char buf[128];

	if (m->have & IPT_MO_SPORT) {
		neg(sb, m->inv & IPT_MO_SPORT);
		ipt_sb_add(sb, " --sport");
		prange(sb, &m->u.l4.sport);
	}
	if (m->have & IPT_MO_DPORT) {
		neg(sb, m->inv & IPT_MO_DPORT);
		ipt_sb_add(sb, " --dport");
		prange(sb, &m->u.l4.dport);
	}
	if (m->have & IPT_MO_FLAGS) {
		neg(sb, m->inv & IPT_MO_FLAGS);
		ipt_tcpflags_print(m->u.l4.fmask, buf, sizeof(buf));
		ipt_sb_printf(sb, " --tcp-flags %s", buf);
		ipt_tcpflags_print(m->u.l4.fcmp, buf, sizeof(buf));
		ipt_sb_printf(sb, " %s", buf);
	}
}

/* One side of iprange: "[!] --src-range LO-HI". */
static void print_iprange(struct ipt_sb *sb, int family, const struct ipt_match *m, uint8_t bit,
			  const char *opt, const uint8_t *lo, const uint8_t *hi)
{
	if (!(m->have & bit))
		return;
	neg(sb, m->inv & bit);
	ipt_sb_add(sb, opt);
	addr(sb, family, lo);
	ipt_sb_add(sb, "-");
	addr(sb, family, hi);
}

static void print_mport(const struct ipt_match *m, struct ipt_sb *sb)
{
	uint16_t k;

	neg(sb, m->inv != 0);
	ipt_sb_add(sb, m->have & IPT_MO_SPORT ? " --sports" :
		       m->have & IPT_MO_DPORT ? " --dports" : " --ports");
	for (k = 0; k < m->u.mport.n; k++) {
		const struct ipt_prange *r = &m->u.mport.r[k];

		ipt_sb_add(sb, k ? "," : " ");
		if (r->lo == r->hi)
			ipt_sb_printf(sb, "%u", r->lo);
		else
			ipt_sb_printf(sb, "%u:%u", r->lo, r->hi);
	}
}

static void print_match(const struct ipt_ruleset *rs, const struct ipt_match *m,
			struct ipt_sb *sb)
{
	char buf[128];
	uint16_t k;

	ipt_sb_add(sb, " -m ");
	ipt_sb_add(sb, m->kind == IPT_M_UNKNOWN ? m->name : m->kind == IPT_M_ICMP6 ? "icmp6" : m->name);
	if (ipt_mkind_l4(m->kind))
		print_l4(m, sb);
	switch (m->kind) {
	case IPT_M_ICMP:
	case IPT_M_ICMP6:
		neg(sb, m->inv & IPT_MO_MAIN);
		ipt_sb_add(sb, m->kind == IPT_M_ICMP ? " --icmp-type" : " --icmpv6-type");
		if (m->u.icmp.any)
			ipt_sb_add(sb, " any");
		else if (m->u.icmp.code_lo == 0 && m->u.icmp.code_hi == 0xff)
			ipt_sb_printf(sb, " %u", m->u.icmp.type);
		else
			ipt_sb_printf(sb, " %u/%u", m->u.icmp.type, m->u.icmp.code_lo);
		break;
	case IPT_M_MULTIPORT:
		print_mport(m, sb);
		break;
	case IPT_M_IPRANGE:
		print_iprange(sb, rs->family, m, IPT_MO_SRC, " --src-range ", m->u.iprange.src_lo,
			      m->u.iprange.src_hi);
		print_iprange(sb, rs->family, m, IPT_MO_DST, " --dst-range ", m->u.iprange.dst_lo,
			      m->u.iprange.dst_hi);
		break;
	case IPT_M_PKTTYPE:
		neg(sb, m->inv & IPT_MO_MAIN);
		ipt_sb_printf(sb, " --pkt-type %s", ipt_pkttype_name(m->u.pkttype));
		break;
	case IPT_M_COMMENT:
		ipt_sb_add(sb, " --comment");
		ipt_sb_quoted(sb, m->text ? m->text : "");
		break;
	case IPT_M_MAC:
		neg(sb, m->inv & IPT_MO_MAIN);
		ipt_sb_printf(sb, " --mac-source %02X:%02X:%02X:%02X:%02X:%02X", m->u.mac[0],
			      m->u.mac[1], m->u.mac[2], m->u.mac[3], m->u.mac[4], m->u.mac[5]);
		break;
	case IPT_M_STATE:
	case IPT_M_CONNTRACK:
		if (m->have & IPT_MO_MAIN) {
			neg(sb, m->inv & IPT_MO_MAIN);
			ipt_ctstate_print(m->u.ctstate, buf, sizeof(buf));
			ipt_sb_printf(sb, " %s %s", m->kind == IPT_M_STATE ? "--state" : "--ctstate",
				      buf);
		}
		break;
	case IPT_M_ADDRTYPE:
		if (m->have & IPT_MO_SRC) {
			neg(sb, m->inv & IPT_MO_SRC);
			ipt_addrtype_print(m->u.addrtype.src, buf, sizeof(buf));
			ipt_sb_printf(sb, " --src-type %s", buf);
		}
		if (m->have & IPT_MO_DST) {
			neg(sb, m->inv & IPT_MO_DST);
			ipt_addrtype_print(m->u.addrtype.dst, buf, sizeof(buf));
			ipt_sb_printf(sb, " --dst-type %s", buf);
		}
		if (m->have & IPT_MO_LIMIT_IN)
			ipt_sb_add(sb, " --limit-iface-in");
		if (m->have & IPT_MO_LIMIT_OUT)
			ipt_sb_add(sb, " --limit-iface-out");
		break;
	case IPT_M_RPFILTER:
		if (m->u.rpf & IPT_RPF_LOOSE)
			ipt_sb_add(sb, " --loose");
		if (m->u.rpf & IPT_RPF_VALIDMARK)
			ipt_sb_add(sb, " --validmark");
		if (m->u.rpf & IPT_RPF_ACCEPT_LOCAL)
			ipt_sb_add(sb, " --accept-local");
		if (m->u.rpf & IPT_RPF_INVERT)
			ipt_sb_add(sb, " --invert");
		break;
	case IPT_M_MARK:
	case IPT_M_CONNMARK:
		neg(sb, m->inv & IPT_MO_MAIN);
		if (m->u.mark.mask == UINT32_MAX)
			ipt_sb_printf(sb, " --mark 0x%x", m->u.mark.value);
		else
			ipt_sb_printf(sb, " --mark 0x%x/0x%x", m->u.mark.value, m->u.mark.mask);
		break;
	default:
		break;
	}
	for (k = 0; k < m->argc; k++)
		raw_token(sb, m->argv[k]);
}

static void print_net(struct ipt_sb *sb, const struct ipt_ruleset *rs, const struct ipt_net *n,
		      int inv, const char *opt)
{
	char buf[128];
	int i, zero = 1;

	for (i = 0; i < 16; i++)
		zero &= n->mask[i] == 0;
	if (zero && !inv)
		return;	/* 0.0.0.0/0 matches all: iptables-save omits it */
	neg(sb, inv);
	ipt_net_print(n, rs->family, buf, sizeof(buf));
	ipt_sb_printf(sb, " %s %s", opt, buf);
}

void ipt_rule_print(const struct ipt_ruleset *rs, const struct ipt_rule *r, struct ipt_sb *sb)
{
	const char *pn;
	uint16_t k;

	if (r->has_counters)
		ipt_sb_printf(sb, "[%llu:%llu] ", (unsigned long long)r->packets,
			      (unsigned long long)r->bytes);
	ipt_sb_printf(sb, "-A %s", rs->chains[r->chain].name);
	if (r->has_src)
		print_net(sb, rs, &r->src, r->inv & IPT_INV_SRC, "-s");
	if (r->has_dst)
		print_net(sb, rs, &r->dst, r->inv & IPT_INV_DST, "-d");
	if (r->in_if >= 0) {
		neg(sb, r->inv & IPT_INV_IN);
		ipt_sb_add(sb, " -i");
		iface(sb, &rs->ifpat[r->in_if]);
	}
	if (r->out_if >= 0) {
		neg(sb, r->inv & IPT_INV_OUT);
		ipt_sb_add(sb, " -o");
		iface(sb, &rs->ifpat[r->out_if]);
	}
	if (r->has_proto) {
		neg(sb, r->inv & IPT_INV_PROTO);
		pn = ipt_proto_name(r->proto);
		if (pn)
			ipt_sb_printf(sb, " -p %s", pn);
		else
			ipt_sb_printf(sb, " -p %u", r->proto);
	}
	if (r->frag) {
		neg(sb, r->inv & IPT_INV_FRAG);
		ipt_sb_add(sb, " -f");
	}
	for (k = 0; k < r->nm; k++)
		print_match(rs, &r->m[k], sb);
	if (r->tname) {
		ipt_sb_add(sb, r->tkind == IPT_T_GOTO ? " -g " : " -j ");
		ipt_sb_add(sb, r->tname);
		for (k = 0; k < r->targc; k++)
			raw_token(sb, r->targv[k]);
	}
}

int ipt_rule_format(const struct ipt_ruleset *rs, uint32_t rule, char *buf, size_t len)
{
	struct ipt_sb sb = {0};
	int n;

	if (rule >= rs->nrules)
		return -1;
	ipt_rule_print(rs, &rs->rules[rule], &sb);
	if (sb.oom) {
		free(sb.buf);
		return -1;
	}
	n = (int)sb.len;
	if (len)
		snprintf(buf, len, "%s", sb.buf ? sb.buf : "");
	free(sb.buf);
	return n;
}

int ipt_write(const struct ipt_ruleset *rs, FILE *out)
{
	struct ipt_sb sb = {0};
	int ret = -1;
	uint8_t ti;
	uint32_t c, r;

	for (ti = 0; ti < rs->ntables; ti++) {
		int t = rs->table_order[ti];

		ipt_sb_printf(&sb, "*%s\n", ipt_table_name(t));
		for (c = 0; c < rs->nchains; c++) {
			const struct ipt_chain *ch = &rs->chains[c];

			if (ch->table != t)
				continue;
			ipt_sb_printf(&sb, ":%s %s [%llu:%llu]\n", ch->name,
				      ch->hook < 0 ? "-" : ipt_verdict_name(ch->policy),
				      (unsigned long long)ch->packets, (unsigned long long)ch->bytes);
		}
		for (r = 0; r < rs->nrules; r++) {
			if (rs->chains[rs->rules[r].chain].table != t)
				continue;
			ipt_rule_print(rs, &rs->rules[r], &sb);
			ipt_sb_add(&sb, "\n");
		}
		ipt_sb_add(&sb, "COMMIT\n");
	}
	if (sb.oom)
		goto out;
	if (sb.len && fwrite(sb.buf, 1, sb.len, out) != sb.len)
		goto out;
	ret = 0;
out:
	free(sb.buf);
	return ret;
}
