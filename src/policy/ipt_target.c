/* This file knows the targets: which options the modelled ones take, which targets only
 * continue traversal, and what DNAT, REDIRECT, NETMAP, MARK, CONNMARK and CT --notrack
 * mean for the evaluator (decoded from the raw target tokens of a parsed rule). */
#include "policy/ipt_int.h"

#include <stdlib.h>
#include <string.h>

/* Target options the modelled targets take; other targets swallow every option. */
const char *const ipt_topts_common[] = {
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

/* Those of ipt_topts_common that take no argument. */
const char *const ipt_topts_noarg[] = {
	"--random", "--random-fully", "--persistent", "--save-mark", "--restore-mark",
	"--notrack", "--log-tcp-sequence", "--log-tcp-options", "--log-ip-options", "--log-uid",
	"--log-macdecode", NULL,
};

const char *const ipt_modelled_targets[] = {
	"REJECT", "DNAT", "SNAT", "MASQUERADE", "REDIRECT", "NETMAP", "MARK", "CONNMARK",
	"CT", "LOG", "NFLOG", "ULOG", NULL,
};

/* Targets known not to end traversal and whose effect the evaluator does not need. */
const char *const ipt_continue_targets[] = {
	"LOG", "NFLOG", "ULOG", "TRACE", "TCPMSS", "CHECKSUM", "CLASSIFY", "DSCP", "TOS",
	"TTL", "HL", "ECN", "SET", "AUDIT", "CONNSECMARK", "SECMARK", "IDLETIMER", "LED",
	"RATEEST", "TCPOPTSTRIP", "HMARK", "TEE", "LOGMARK", "IPMARK", "CT", NULL,
};

int ipt_in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (strcmp(*list, s) == 0)
			return 1;
	return 0;
}

/* REJECT: an icmp6 reject type makes the ruleset IPv6. */
static int t_reject(struct ipt_rctx *c, const char *n)
{
	struct ipt_rule *r = &c->r;
	uint16_t k;

	(void)n;
	r->tkind = IPT_T_REJECT;
	for (k = 0; k + 1 < r->targc; k++)
		if (strcmp(r->targv[k], "--reject-with") == 0 && strstr(r->targv[k + 1], "icmp6") &&
		    ipt_family_hint(c, 6, &(struct ipt_tok){r->targv[k + 1], c->target_col, 0},
				"reject type") != 0)
			return -1;
	return 0;
}

/* DNAT, REDIRECT: the address and port the destination is rewritten to. */
static int t_dnat(struct ipt_rctx *c, const char *n)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	uint16_t k;

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
		} else if (buf[0] == '[' || (strchr(buf, ':') && strchr(buf, ':') != strrchr(buf, ':'))) {
			/* libip6t_DNAT's form ("[addr]:port", or an address alone): an IPv6
			 * ruleset, also when this nat table comes before any other IPv6 hint */
			char *close = strchr(buf, ']');

			if (ipt_family_hint(c, 6, &(struct ipt_tok){r->targv[k + 1], c->target_col, 0},
					    "NAT address") != 0)
				return -1;
			if (buf[0] == '[') {
				if (!close)
					return ipt_perr(ps, c->target_col, "bad NAT range `%s'", v);
				*close = '\0';
				if (close[1] == ':')
					ports = close + 2;
				memmove(buf, buf + 1, strlen(buf + 1) + 1);
			}
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

/* SNAT, MASQUERADE: only recorded. */
static int t_snat(struct ipt_rctx *c, const char *n)
{
	(void)n;
	c->r.tkind = IPT_T_SNAT;
	return 0;
}

/* NETMAP: the prefix the address is mapped into. */
static int t_netmap(struct ipt_rctx *c, const char *n)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	struct ipt_net net;
	uint16_t k;

	(void)n;
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

/* MARK, CONNMARK: the operation and its value/mask. */
static int t_mark(struct ipt_rctx *c, const char *n)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	uint16_t k;
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
		if (ipt_markval_parse(v, &val, &mask) != 0)
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

/* NOTRACK. */
static int t_notrack(struct ipt_rctx *c, const char *n)
{
	(void)n;
	c->r.tkind = IPT_T_NOTRACK;
	return 0;
}

/* CT: only --notrack changes what the evaluator does. */
static int t_ct(struct ipt_rctx *c, const char *n)
{
	struct ipt_rule *r = &c->r;
	uint16_t k;

	(void)n;
	r->tkind = IPT_T_CONTINUE;
	for (k = 0; k < r->targc; k++)
		if (strcmp(r->targv[k], "--notrack") == 0)
			r->tkind = IPT_T_NOTRACK;
	return 0;
}

/* The modelled targets, by name. */
static const struct {
	const char *name;
	int (*fn)(struct ipt_rctx *c, const char *n);
} target_kinds[] = {
	{"REJECT", t_reject},	{"DNAT", t_dnat},     {"REDIRECT", t_dnat}, {"SNAT", t_snat},
	{"MASQUERADE", t_snat}, {"NETMAP", t_netmap}, {"MARK", t_mark},     {"CONNMARK", t_mark},
	{"NOTRACK", t_notrack}, {"CT", t_ct},
};

/* Interprets the raw options of the modelled targets (one function per kind above). */
int ipt_target_semantics(struct ipt_rctx *c)
{
	struct ipt_rule *r = &c->r;
	struct ipt_pstate *ps = c->ps;
	const char *n = r->tname;
	uint16_t k;
	int nat = strcmp(n, "DNAT") == 0 || strcmp(n, "SNAT") == 0 || strcmp(n, "MASQUERADE") == 0 ||
		  strcmp(n, "REDIRECT") == 0 || strcmp(n, "NETMAP") == 0;

	if (nat && ps->table != IPT_TABLE_NAT)
		return ipt_perr(ps, c->target_col, "target `%s' is only valid in the nat table", n);
	/* A name we neither know nor declared is taken for an extension target only when
	 * `--options' of its own follow it. Those may have been claimed by a later match
	 * instead, and the canonical form prints matches before the target: decide on what
	 * the target really kept, so that a rule and its canonical print parse alike (the
	 * fuzz harness found one that did not). */
	if (!ipt_target_known(n)) {
		k = (r->targc > 0 && strcmp(r->targv[0], "!") == 0) ? 1 : 0;
		if (k >= r->targc || strncmp(r->targv[k], "--", 2) != 0)
			return ipt_perr(ps, c->target_col, "jump to undeclared chain `%s'", n);
		/* iptables-restore: "Couldn't load target `%s'" */
		return ipt_perr(ps, c->target_col, "couldn't load target `%s' (no such extension)", n);
	}
	for (k = 0; k < sizeof(target_kinds) / sizeof(target_kinds[0]); k++)
		if (strcmp(n, target_kinds[k].name) == 0)
			return target_kinds[k].fn(c, n);
	r->tkind = ipt_in_list(ipt_continue_targets, n) ? IPT_T_CONTINUE : IPT_T_UNKNOWN;
	return 0;
}
