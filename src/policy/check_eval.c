/* This file contains the policy checker's evaluation: every flow against a ruleset with
 * the compiled fast path, packet by packet as the kernel counts them. A flow's packets
 * are split by the conntrack state each one gets (check_flow_split() in check.c): those
 * judged like its first packet (the first, and any sent before the other side answered)
 * are evaluated once with the first packet's state; those sent after the answer are
 * evaluated a second time as ESTABLISHED; those the stored record cannot place (sent
 * between the first packet and the answer, or after it) count as "maybe" on the rules of
 * both evaluations. Rule hits are gathered during the evaluation, in one pass. */
#include "policy/check.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Per rule, the hook calls of the current flow: [0] definite on the first-like packet,
 * [1] definite on the ESTABLISHED one, [2] and [3] the same for possible hits. */
struct racc {
	uint32_t stamp;		/* flow index + 1 the counts belong to */
	uint32_t n[4];
};

struct hitctx {
	struct check_side *s;
	int fam;
	int phase;		/* 0 the first-like packet, 1 the ESTABLISHED one */
	uint32_t stamp;
	struct racc *acc;	/* per rule */
	uint32_t *touched;	/* rules with counts for the current flow */
	size_t ntouched, cap;
	int oom;
};

static void on_hit(void *arg, uint32_t rule, int matched)
{
	struct hitctx *c = arg;
	struct racc *x = &c->acc[rule];

	if (x->stamp != c->stamp) {
		if (c->ntouched == c->cap) {
			size_t ncap = c->cap ? c->cap * 2 : 64;
			uint32_t *t = realloc(c->touched, ncap * sizeof(*t));

			if (!t) {
				c->oom = 1;
				return;
			}
			c->touched = t;
			c->cap = ncap;
		}
		memset(x, 0, sizeof(*x));
		x->stamp = c->stamp;
		c->touched[c->ntouched++] = rule;
	}
	x->n[(matched == 1 ? 0 : 2) + c->phase]++;
}

/* Credits the current flow's hook calls: pa packets judged like the first, pb
 * ESTABLISHED, amb either. A rule both evaluations hit for certain takes all three. */
static void hits_flush(struct hitctx *c, uint64_t pa, uint64_t pb, uint64_t amb)
{
	struct check_side *s = c->s;
	size_t t;

	for (t = 0; t < c->ntouched; t++) {
		uint32_t r = c->touched[t];
		const struct racc *x = &c->acc[r];
		uint64_t k = x->n[0] < x->n[1] ? x->n[0] : x->n[1];
		uint64_t def = k * (pa + pb + amb) + (x->n[0] - k) * pa + (x->n[1] - k) * pb;
		uint64_t may = (x->n[0] + x->n[1] - 2 * k) * amb + x->n[2] * (pa + amb) +
			       x->n[3] * (pb + amb);
		int zero = pa + pb + amb == 0;	/* a flow without packets still counts as one */

		s->hit_packets[c->fam][r] += def;
		s->maybe_packets[c->fam][r] += may;
		if (def || (zero && (x->n[0] || x->n[1])))
			s->hit_flows[c->fam][r]++;
		if (may || (zero && (x->n[2] || x->n[3])))
			s->maybe_flows[c->fam][r]++;
	}
	c->ntouched = 0;
}

void check_res_from(struct check_res *r, const struct ipt_result *x)
{
	r->verdict = (uint8_t)x->verdict;
	r->possible = (uint8_t)x->possible;
	r->by = (uint8_t)x->by;
	r->martian = (uint8_t)x->martian;
	r->uncertain_martian = (uint8_t)x->uncertain_martian;
	r->rule = x->rule;
	r->chain = x->chain;
	r->uncertain_rule = x->uncertain_rule;
}

static void res_none(struct check_res *r)
{
	memset(r, 0, sizeof(*r));
	r->verdict = IPT_V_UNKNOWN;
	r->rule = r->chain = r->uncertain_rule = IPT_NONE;
}

void check_flow_packet_est(const struct check_flows *fs, size_t i, struct ipt_packet *p)
{
	check_flow_packet(fs, i, p);
	p->ctstate = IPT_CT_ESTABLISHED;
	if (p->proto == 6) {	/* after the handshake: ACK, with PSH, FIN or RST perhaps */
		p->tcp_flags = IPT_TCP_ACK;
		p->unknown |= IPT_UNK_FLAGS;
	}
}

/* Sets up side s's evaluator for family fam (hits counted into hc when count_hits). */
static int eval_setup(struct check_side *s, int fam, const struct ipt_context *ctx, int count_hits,
		      struct ipt_eval **ev, struct ipt_compiled **own, struct hitctx *hc)
{
	uint32_t n;

	if (!s->cp[fam] && !(*own = ipt_compile(s->rs[fam])))
		return -1;
	*ev = ipt_eval_new(s->rs[fam], ctx);
	if (!*ev || ipt_eval_set_compiled(*ev, s->cp[fam] ? s->cp[fam] : *own) < 0)
		return -1;
	if (!count_hits)
		return 0;
	n = ipt_rule_count(s->rs[fam]);
	s->hit_flows[fam] = calloc(n + 1, sizeof(uint64_t));
	s->hit_packets[fam] = calloc(n + 1, sizeof(uint64_t));
	s->maybe_flows[fam] = calloc(n + 1, sizeof(uint64_t));
	s->maybe_packets[fam] = calloc(n + 1, sizeof(uint64_t));
	hc->acc = calloc(n + 1, sizeof(*hc->acc));
	if (!s->hit_flows[fam] || !s->hit_packets[fam] || !s->maybe_flows[fam] ||
	    !s->maybe_packets[fam] || !hc->acc) {
		errno = ENOMEM;
		return -1;
	}
	hc->s = s;
	hc->fam = fam;
	ipt_eval_set_hook(*ev, on_hit, hc);
	return 0;
}

/* Evaluates flow i on ev: its first-like packet into *out, its later packets (when it has
 * some and the first is not blocked for certain) into *est, hits into hc when counted. */
static int eval_flow(struct ipt_eval *ev, struct hitctx *hc, const struct check_flows *fs,
		     size_t i, struct check_res *out, struct check_res *est)
{
	const struct check_flow *f = &fs->v[i];
	uint64_t pb = f->pk_est, amb = f->pk_amb;
	struct ipt_packet p;
	struct ipt_result r;

	hc->stamp = (uint32_t)i + 1;
	hc->phase = 0;
	check_flow_packet(fs, i, &p);
	if (ipt_eval_packet(ev, &p, &r) < 0)
		return -1;
	check_res_from(out, &r);
	/* a connection whose first packet is dropped never gets an answer: the kernel
	 * judges its later packets (retransmissions) like the first */
	if (r.verdict == IPT_V_DROP || r.verdict == IPT_V_REJECT)
		pb = amb = 0;
	if (est)
		res_none(est);
	if (pb + amb) {
		hc->phase = 1;
		check_flow_packet_est(fs, i, &p);
		if (ipt_eval_packet(ev, &p, &r) < 0)
			return -1;
		if (est)
			check_res_from(est, &r);
	}
	if (hc->acc)
		hits_flush(hc, f->packets - pb - amb, pb, amb);
	if (hc->oom) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

static int eval_all(struct check_side *s, const struct check_flows *fs,
		    const struct ipt_context *ctx, int count_hits, struct check_res *out,
		    struct check_res *est, int only_martian)
{
	struct ipt_eval *ev[2] = {NULL, NULL};
	struct ipt_compiled *own[2] = {NULL, NULL};
	struct hitctx hc[2];
	int fam, ret = -1;
	size_t i;

	memset(hc, 0, sizeof(hc));
	for (fam = 0; fam < 2; fam++)
		if (s->rs[fam] && eval_setup(s, fam, ctx, count_hits, &ev[fam], &own[fam], &hc[fam]) < 0)
			goto out;
	for (i = 0; i < fs->n; i++) {
		int f = fs->v[i].family == 6;

		if (only_martian && !(s->res[i].by == IPT_BY_MARTIAN ||
				      (s->res[i].uncertain_martian)))
			continue;
		if (!ev[f]) {
			res_none(&out[i]);
			if (est)
				res_none(&est[i]);
			continue;
		}
		if (only_martian) {	/* the first packet only: martian flows have no answer */
			struct ipt_packet p;
			struct ipt_result r;

			check_flow_packet(fs, i, &p);
			if (ipt_eval_packet(ev[f], &p, &r) < 0)
				goto out;
			check_res_from(&out[i], &r);
		} else if (eval_flow(ev[f], &hc[f], fs, i, &out[i], est ? &est[i] : NULL) < 0) {
			goto out;
		}
	}
	ret = 0;
out:
	for (fam = 0; fam < 2; fam++) {
		ipt_eval_free(ev[fam]);
		ipt_compiled_free(own[fam]);
		free(hc[fam].acc);
		free(hc[fam].touched);
	}
	return ret;
}

int check_evaluate(struct check_side *s, const struct check_flows *fs, const struct check_host *h,
		   int count_hits)
{
	s->res = calloc(fs->n ? fs->n : 1, sizeof(*s->res));
	s->res_est = calloc(fs->n ? fs->n : 1, sizeof(*s->res_est));
	if (!s->res || !s->res_est) {
		errno = ENOMEM;
		return -1;
	}
	return eval_all(s, fs, &h->ctx, count_hits, s->res, s->res_est, 0);
}

int check_evaluate_alone(struct check_side *s, const struct check_flows *fs,
			 const struct check_host *h, struct check_res *res)
{
	struct ipt_ifconf open[1] = {{"all", 1, 1, 0}};
	struct ipt_context ctx = h->ctx;
	struct ipt_ifconf *ifc = NULL;
	size_t i;
	int ret;

	/* every interface lets martians through: route_localnet, accept_local, no rp_filter */
	ifc = calloc(h->nifconf + 1, sizeof(*ifc));
	if (!ifc)
		return -1;
	for (i = 0; i < h->nifconf; i++) {
		ifc[i] = h->ifconf[i];
		ifc[i].route_localnet = 1;
		ifc[i].accept_local = 1;
		ifc[i].rp_filter = 0;
	}
	ifc[h->nifconf] = open[0];
	ctx.ifconf = ifc;
	ctx.nifconf = h->nifconf + 1;
	for (i = 0; i < fs->n; i++)
		res[i] = s->res[i];
	ret = eval_all(s, fs, &ctx, 0, res, NULL, 1);
	free(ifc);
	return ret;
}

void check_side_use(struct check_side *s, const struct policy *p)
{
	int f;

	for (f = 0; f < 2; f++) {
		s->rs[f] = p->rs[f];
		s->cp[f] = p->cp[f];
	}
}

void check_side_free(struct check_side *s)
{
	int f;

	for (f = 0; f < 2; f++) {
		free(s->hit_flows[f]);
		free(s->hit_packets[f]);
		free(s->maybe_flows[f]);
		free(s->maybe_packets[f]);
	}
	free(s->res);
	free(s->res_est);
	memset(s, 0, sizeof(*s));
}
