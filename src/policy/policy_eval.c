/* This file contains the evaluator interface (policy.h): one set of calls behind which the
 * iptables model (ipt_eval) and the nftables model (nft_eval) sit, and the naming of
 * their rules and chains for the findings. */
#include "policy/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct policy_eval {
	enum policy_lang lang;
	struct ipt_eval *ipt;
	struct nft_eval *nft;
};

int policy_rules_of(const struct policy *p, int f, struct policy_rules *r)
{
	memset(r, 0, sizeof(*r));
	if (!p || f < 0 || f > 1)
		return -1;
	if (p->nft[f]) {
		r->lang = POLICY_NFT;
		r->nft = p->nft[f];
		return 0;
	}
	if (!p->rs[f])
		return -1;
	r->lang = POLICY_IPTABLES;
	r->ipt = p->rs[f];
	r->cp = p->cp[f];
	return 0;
}

struct policy_eval *policy_eval_new(const struct policy_rules *r, const struct ipt_context *ctx)
{
	struct policy_eval *ev = calloc(1, sizeof(*ev));

	if (!ev)
		return NULL;
	ev->lang = r->lang;
	if (r->lang == POLICY_NFT) {
		if (!r->nft || !(ev->nft = nft_eval_new(r->nft->rs, ctx)))
			goto fail;
		return ev;
	}
	if (!r->ipt || !(ev->ipt = ipt_eval_new(r->ipt, ctx)) ||
	    (r->cp && ipt_eval_set_compiled(ev->ipt, r->cp) < 0))
		goto fail;
	return ev;
fail:
	policy_eval_free(ev);
	if (!errno)
		errno = EINVAL;
	return NULL;
}

void policy_eval_free(struct policy_eval *ev)
{
	if (!ev)
		return;
	ipt_eval_free(ev->ipt);
	nft_eval_free(ev->nft);
	free(ev);
}

void policy_eval_set_hook(struct policy_eval *ev, ipt_rule_hook fn, void *arg)
{
	if (ev->lang == POLICY_NFT)
		nft_eval_set_hook(ev->nft, fn, arg);
	else
		ipt_eval_set_hook(ev->ipt, fn, arg);
}

void policy_eval_set_hook_nat(struct policy_eval *ev, int on)
{
	if (ev->lang == POLICY_NFT)
		nft_eval_set_hook_nat(ev->nft, on);
	else
		ipt_eval_set_hook_nat(ev->ipt, on);
}

int policy_eval_packet(struct policy_eval *ev, const struct ipt_packet *pkt,
		       struct ipt_result *res)
{
	if (ev->lang == POLICY_NFT)
		return nft_eval_packet(ev->nft, pkt, res);
	return ipt_eval_packet(ev->ipt, pkt, res);
}

uint32_t policy_rule_count(const struct policy_rules *r)
{
	if (!r)
		return 0;
	if (r->lang == POLICY_NFT)
		return r->nft ? nft_rule_count(r->nft->rs) : 0;
	return r->ipt ? ipt_rule_count(r->ipt) : 0;
}

int policy_rule_loc(const struct policy_rules *r, uint32_t rule, struct policy_rule_loc *loc)
{
	memset(loc, 0, sizeof(*loc));
	loc->family = loc->file = "";
	if (!r || rule == IPT_NONE)
		return -1;
	if (r->lang == POLICY_NFT) {
		struct nft_rule_info ri;

		if (!r->nft || nft_rule_get(r->nft->rs, rule, &ri) < 0)
			return -1;
		loc->family = ri.family;
		loc->table = ri.table;
		loc->chain = ri.chain_name;
		loc->handle = ri.handle;
		loc->line = r->nft->listing ? 0 : ri.line;	/* a listing's line is no place */
		return 0;
	} else {
		struct ipt_rule_info ri;

		if (!r->ipt || ipt_rule_get(r->ipt, rule, &ri) < 0)
			return -1;
		loc->table = ipt_table_name(ri.table);
		loc->chain = ri.chain_name;
		loc->num = ri.num;
		loc->line = ri.line;
		return 0;
	}
}

void policy_rule_name(const struct policy_rules *r, uint32_t rule, char *buf, size_t len)
{
	struct policy_rule_loc l;

	if (policy_rule_loc(r, rule, &l) < 0)
		snprintf(buf, len, "?");
	else if (r->lang == POLICY_IPTABLES)
		snprintf(buf, len, "%s %s #%u (line %u)", l.table, l.chain, l.num, l.line);
	else if (l.line)
		snprintf(buf, len, "%s %s %s handle %llu (line %u)", l.family, l.table, l.chain,
			 (unsigned long long)l.handle, l.line);
	else
		snprintf(buf, len, "%s %s %s handle %llu", l.family, l.table, l.chain,
			 (unsigned long long)l.handle);
}

int policy_chain_name(const struct policy_rules *r, uint32_t chain, char *buf, size_t len)
{
	snprintf(buf, len, "?");
	if (!r || chain == IPT_NONE)
		return -1;
	if (r->lang == POLICY_NFT) {
		struct nft_chain_info ci;

		if (!r->nft || nft_chain_get(r->nft->rs, chain, &ci) < 0)
			return -1;
		snprintf(buf, len, "%s %s %s", ci.family, ci.table, ci.name);
	} else {
		struct ipt_chain_info ci;

		if (!r->ipt || ipt_chain_get(r->ipt, chain, &ci) < 0)
			return -1;
		snprintf(buf, len, "%s %s", ipt_table_name(ci.table), ci.name);
	}
	return 0;
}

/* nft: the rule's source line (native syntax), trimmed. */
static int nft_text(const struct policy_rules *r, uint32_t rule, char *buf, size_t len)
{
	struct nft_rule_info ri;
	const char *t, *e, *end;
	unsigned ln = 1;

	if (len)
		buf[0] = 0;
	if (!r->nft || nft_rule_get(r->nft->rs, rule, &ri) < 0 || !ri.line || !r->nft->text)
		return 0;
	t = r->nft->text;
	end = t + r->nft->len;
	while (t < end && ln < ri.line) {
		if (*t++ == '\n')
			ln++;
	}
	while (t < end && (*t == ' ' || *t == '\t'))
		t++;
	for (e = t; e < end && *e != '\n'; e++)
		;
	while (e > t && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return snprintf(buf, len, "%.*s", (int)(e - t), t);
}

int policy_rule_text(const struct policy_rules *r, uint32_t rule, char *buf, size_t len)
{
	if (!r)
		return -1;
	if (r->lang == POLICY_NFT)
		return nft_text(r, rule, buf, len);
	return ipt_rule_format(r->ipt, rule, buf, len);
}

int policy_rule_undecided(const struct policy_rules *r, uint32_t rule, unsigned unknown,
			  char *buf, size_t len)
{
	if (!r || rule == IPT_NONE)
		return -1;
	if (r->lang == POLICY_NFT) {
		struct nft_rule_info ri;

		if (!r->nft || nft_rule_get(r->nft->rs, rule, &ri) < 0)
			return -1;
		if (ri.unknown) {
			snprintf(buf, len, "%s", ri.unknown_what);
			return 0;
		}
		if (!(unknown & (IPT_UNK_SPORT | IPT_UNK_DPORT | IPT_UNK_FLAGS)))
			return -1;	/* the routing decision, or the kernel context */
		snprintf(buf, len, "%s%s%s unknown in the flow record, or the routing decision",
			 unknown & (IPT_UNK_SPORT | IPT_UNK_DPORT) ? "port" : "",
			 (unknown & (IPT_UNK_SPORT | IPT_UNK_DPORT)) && (unknown & IPT_UNK_FLAGS) ?
			 ", " : "", unknown & IPT_UNK_FLAGS ? "tcp flags" : "");
		return 0;
	}
	return ipt_rule_undecided(r->ipt, rule, unknown, buf, len);
}

uint32_t policy_rule_shadowed_by(const struct policy_rules *r, uint32_t rule)
{
	if (r && r->lang == POLICY_NFT)
		return r->nft ? nft_rule_shadowed_by(r->nft->rs, rule) : IPT_NONE;
	if (!r || r->lang != POLICY_IPTABLES || !r->ipt)
		return IPT_NONE;
	return ipt_rule_shadowed_by(r->ipt, rule);
}

int policy_has_shadowing(const struct policy_rules *r)
{
	return r && (r->lang == POLICY_IPTABLES || r->lang == POLICY_NFT);
}
