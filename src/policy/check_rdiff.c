/* This file contains `check --against`'s diff of rules: audit_rules_diff() pairs the rules
 * of the current and the proposed ruleset chain by chain; each difference gets the real
 * traffic its rule (or policy) decided on each side, and a gone rule or policy that
 * dropped spoofed traffic gets what decides that traffic now, from the per-flow results
 * of both evaluations. */
#include "policy/check_rdiff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rd_ctx {
	struct check_rchanges *out;
	const struct check_side *cur, *nw;
	const struct check_res *cur_alone;
	const struct check_flows *fs;
	int fam, failed;
};

static int is_block(uint8_t v)
{
	return v == IPT_V_DROP || v == IPT_V_REJECT;
}

/* Whether flow result r was decided by rule (rule != IPT_NONE) or else chain's policy. */
static int decided_by(const struct check_res *r, uint32_t rule, uint32_t chain)
{
	if (rule != IPT_NONE)
		return r->by == IPT_BY_RULE && r->rule == rule;
	return chain != IPT_NONE && r->by == IPT_BY_POLICY && r->chain == chain;
}

static int same_outcome(const struct check_res *a, const struct check_res *b)
{
	return a->verdict == b->verdict && a->by == b->by && a->rule == b->rule &&
	       a->chain == b->chain && a->martian == b->martian;
}

static void add_now(struct check_rchange *c, const struct check_res *r, const struct check_flow *f,
		    size_t i)
{
	unsigned k;

	for (k = 0; k < c->nnow; k++)
		if (same_outcome(&c->now[k].res, r))
			break;
	if (k == c->nnow) {
		if (c->nnow == CHECK_RNOW_MAX) {
			c->other_flows++;
			c->other_packets += f->packets;
			return;
		}
		c->now[c->nnow].res = *r;
		c->now[c->nnow].ex = i;
		c->nnow++;
	}
	c->now[k].flows++;
	c->now[k].packets += f->packets;
}

/* The traffic a policy decided on one side (flows whose terminal outcome it was). */
static void policy_traffic(const struct check_side *s, const struct check_flows *fs, int fam,
			   uint32_t chain, uint64_t *flows, uint64_t *packets)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if ((fs->v[i].family == 6) == fam && decided_by(&s->res[i], IPT_NONE, chain)) {
			(*flows)++;
			*packets += fs->v[i].packets;
		}
}

/* Spoofed flows the current rule or policy drops in the ruleset alone, and what decides
 * them now. */
static void spoof_now(struct rd_ctx *x, struct check_rchange *c, uint32_t rule, uint32_t chain)
{
	size_t i;

	for (i = 0; i < x->fs->n; i++) {
		const struct check_flow *f = &x->fs->v[i];
		const struct check_res *r = &x->cur_alone[i];

		if ((f->family == 6) != x->fam || !f->spoof || !is_block(r->verdict) ||
		    !decided_by(r, rule, chain))
			continue;
		c->spoof_flows++;
		c->spoof_packets += f->packets;
		if (x->cur->res[i].by == IPT_BY_MARTIAN)
			c->spoof_kernel_packets += f->packets;
		add_now(c, &x->nw->res[i], f, i);
	}
	/* the largest outcome first */
	for (unsigned a = 1; a < c->nnow; a++)
		for (unsigned b = a; b > 0 && c->now[b].packets > c->now[b - 1].packets; b--) {
			struct check_rnow t = c->now[b];

			c->now[b] = c->now[b - 1];
			c->now[b - 1] = t;
		}
}

static void on_diff(void *arg, const struct audit_rdiff *d)
{
	struct rd_ctx *x = arg;
	struct check_rchanges *o = x->out;
	struct check_rchange *c;
	int f = x->fam;

	if (x->failed)
		return;
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 16;
		void *p = realloc(o->v, cap * sizeof(*o->v));

		if (!p) {
			x->failed = 1;
			return;
		}
		o->v = p;
		o->cap = cap;
	}
	c = &o->v[o->n];
	memset(c, 0, sizeof(*c));
	c->fam = f;
	c->op = d->op;
	snprintf(c->table, sizeof(c->table), "%s", d->table);
	snprintf(c->chain, sizeof(c->chain), "%s", d->chain);
	/* audit_rules_diff(intended = current, live = proposed) */
	c->rule_cur = d->op == AUDIT_RD_POLICY ? IPT_NONE : d->rule_i;
	c->rule_new = d->op == AUDIT_RD_POLICY ? IPT_NONE : d->rule_l;
	c->chain_cur = c->chain_new = IPT_NONE;
	if ((d->text_i && !(c->text_cur = strdup(d->text_i))) ||
	    (d->text_l && !(c->text_new = strdup(d->text_l)))) {
		free(c->text_cur);
		free(c->text_new);
		x->failed = 1;
		return;
	}
	o->n++;
	if (d->op == AUDIT_RD_POLICY) {
		c->pol_cur = d->intended_policy;
		c->pol_new = d->live_policy;
		c->chain_cur = audit_chain_named(x->cur->rs[f], f, d->table, d->chain);
		c->chain_new = audit_chain_named(x->nw->rs[f], f, d->table, d->chain);
		policy_traffic(x->cur, x->fs, f, c->chain_cur, &c->cur_flows, &c->cur_packets);
		policy_traffic(x->nw, x->fs, f, c->chain_new, &c->new_flows, &c->new_packets);
		if (is_block((uint8_t)c->pol_cur))
			spoof_now(x, c, IPT_NONE, c->chain_cur);
		return;
	}
	if (c->rule_cur != IPT_NONE) {
		c->cur_packets = x->cur->hit_packets[f][c->rule_cur];
		c->cur_flows = x->cur->hit_flows[f][c->rule_cur];
		c->cur_maybe = x->cur->maybe_packets[f][c->rule_cur];
		spoof_now(x, c, c->rule_cur, IPT_NONE);
	}
	if (c->rule_new != IPT_NONE) {
		c->new_packets = x->nw->hit_packets[f][c->rule_new];
		c->new_flows = x->nw->hit_flows[f][c->rule_new];
		c->new_maybe = x->nw->maybe_packets[f][c->rule_new];
	}
}

int check_rdiff(struct check_rchanges *out, const struct check_side *cur,
		const struct check_res *cur_alone, const struct check_side *nw,
		const struct check_flows *fs)
{
	struct rd_ctx x = { out, cur, nw, cur_alone, fs, 0, 0 };
	uint8_t *mc = NULL, *mn = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	for (x.fam = 0; x.fam < 2; x.fam++) {
		const struct policy_rules *a = cur->rs[x.fam], *b = nw->rs[x.fam];

		if (!a || !b || !cur->hit_packets[x.fam] || !nw->hit_packets[x.fam] || !cur->res ||
		    !nw->res)
			continue;
		if (a->lang != b->lang) {
			out->no_rules[x.fam] = 1;	/* iptables against nftables: not paired */
			continue;
		}
		free(mc);
		free(mn);
		mc = calloc(policy_rule_count(a) + 1, 1);
		mn = calloc(policy_rule_count(b) + 1, 1);
		if (!mc || !mn || audit_rules_diff(a, b, x.fam, mc, mn, on_diff, &x) < 0 || x.failed)
			goto out;
	}
	ret = 0;
out:
	free(mc);
	free(mn);
	if (ret < 0) {
		check_rchanges_free(out);
		errno = ENOMEM;
	}
	return ret;
}

void check_rchanges_free(struct check_rchanges *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].text_cur);
		free(c->v[i].text_new);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}
