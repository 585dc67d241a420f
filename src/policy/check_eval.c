/* This file contains the policy checker's evaluation: every flow against a ruleset with
 * the compiled fast path, packet by packet as the kernel counts them. A flow's packets
 * are split by the conntrack state each one gets (check_flow_split() in check.c): those
 * judged like its first packet (the first, and any sent before the other side answered)
 * are evaluated once with the first packet's state; those sent after the answer are
 * evaluated a second time as ESTABLISHED; those the stored record cannot place (sent
 * between the first packet and the answer, or after it) count as "maybe" on the rules of
 * both evaluations. Rule hits are gathered during the evaluation, in one pass. */
#include "policy/check.h"
#include "common/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Per rule, the hook calls of the current flow: [0] definite on the first-like packet,
 * [1] definite on the ESTABLISHED one, [2] and [3] the same for possible hits. */
struct racc {
	uint32_t stamp;		/* flow index + 1 the counts belong to */
	uint32_t n[4];
	uint8_t nat;		/* a rule of a nat chain (IPT_HIT_NAT) */
};

enum { C_HIT_FLOWS, C_HIT_PACKETS, C_MAYBE_FLOWS, C_MAYBE_PACKETS, C_N };

struct hitctx {
	uint64_t *cnt[C_N];	/* per rule: the counts this evaluator adds to */
	int phase;		/* 0 the first-like packet, 1 the ESTABLISHED one */
	int first_row;		/* the flow's row holds its 5-tuple's earliest packet */
	int guess;		/* its path is a guess (check_flow.passed_through): every hit
				 * is maybe */
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
	x->nat = (matched & IPT_HIT_NAT) != 0;
	x->n[((matched & ~IPT_HIT_NAT) == 1 && !c->guess ? 0 : 2) + c->phase]++;
}

/* Credits the current flow's hook calls: pa packets judged like the first, pb
 * ESTABLISHED, amb either. A rule both evaluations hit for certain takes all three. A
 * nat rule counts a connection's first packet only: of the packets judged like the
 * first, the row's earliest is definite (when it holds its 5-tuple's first), the others
 * (retransmissions, or new connections in a row of a collapsed port) maybe. */
static void hits_flush(struct hitctx *c, uint64_t pa, uint64_t pb, uint64_t amb)
{
	size_t t;

	for (t = 0; t < c->ntouched; t++) {
		uint32_t r = c->touched[t];
		const struct racc *x = &c->acc[r];
		uint64_t k = x->n[0] < x->n[1] ? x->n[0] : x->n[1];
		uint64_t def = k * (pa + pb + amb) + (x->n[0] - k) * pa + (x->n[1] - k) * pb;
		uint64_t may = (x->n[0] + x->n[1] - 2 * k) * amb + x->n[2] * (pa + amb) +
			       x->n[3] * (pb + amb);

		if (x->nat) {
			uint64_t one = x->n[0] && pa && c->first_row;

			def = one + x->n[1] * pb;
			may = x->n[0] * (pa + amb) - one + x->n[1] * amb + x->n[2] * (pa + amb) +
			      x->n[3] * (pb + amb);
		}
		int zero = pa + pb + amb == 0;	/* a flow without packets still counts as one */

		c->cnt[C_HIT_PACKETS][r] += def;
		c->cnt[C_MAYBE_PACKETS][r] += may;
		if (def || (zero && (x->n[0] || x->n[1])))
			c->cnt[C_HIT_FLOWS][r]++;
		if (may || (zero && (x->n[2] || x->n[3])))
			c->cnt[C_MAYBE_FLOWS][r]++;
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
	/* the first packet went through nat: the connection's bindings apply to the rest */
	p->nat_replay = p->nat_replay || ipt_ct_runs_nat(p->ctstate, p->proto);
	p->ctstate = IPT_CT_ESTABLISHED;
	if (p->proto == 6) {	/* after the handshake: ACK, with PSH, FIN or RST perhaps */
		p->tcp_flags = IPT_TCP_ACK;
		p->unknown |= IPT_UNK_FLAGS;
	}
}

/* Evaluates flow i on ev: its first-like packet into *out, its later packets (when it has
 * some and the first is not blocked for certain) into *est, hits into hc when counted. */
static int eval_flow(struct policy_eval *ev, struct hitctx *hc, const struct check_flows *fs,
		     size_t i, struct check_res *out, struct check_res *est)
{
	const struct check_flow *f = &fs->v[i];
	uint64_t pb = f->pk_est, amb = f->pk_amb;
	struct ipt_packet p;
	struct ipt_result r;

	hc->stamp = (uint32_t)i + 1;
	hc->phase = 0;
	hc->first_row = f->first_row;
	hc->guess = f->passed_through;
	check_flow_packet(fs, i, &p);
	if (policy_eval_packet(ev, &p, &r) < 0)
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
		if (policy_eval_packet(ev, &p, &r) < 0)
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

/* One evaluation thread's share: flows [from, to), its own evaluators and, for all but
 * the first worker, its own counts (added to the side's when it is done). */
struct worker {
	struct check_side *s;
	const struct check_flows *fs;
	const struct ipt_context *ctx;
	struct policy_rules rules[2];	/* the side's, with a compiled form */
	struct check_res *out, *est;
	int count_hits;
	int only_martian;	/* 1: the flows the martian check drops or may drop; 2: drops */
	size_t from, to;
	uint64_t *cnt[2][C_N];	/* per family; borrowed from s for the first worker */
	int own_cnt;
	int ret, err;
};

static int worker_setup(struct worker *w, struct policy_eval **ev, struct hitctx *hc)
{
	int fam, k;

	for (fam = 0; fam < 2; fam++) {
		uint32_t n;

		if (!w->s->rs[fam])
			continue;
		ev[fam] = policy_eval_new(&w->rules[fam], w->ctx);
		if (!ev[fam])
			return -1;
		if (!w->count_hits)
			continue;
		n = policy_rule_count(w->s->rs[fam]);
		for (k = 0; k < C_N; k++) {
			if (w->own_cnt && !(w->cnt[fam][k] = calloc(n + 1, sizeof(uint64_t))))
				return -1;
			hc[fam].cnt[k] = w->cnt[fam][k];
		}
		hc[fam].acc = calloc(n + 1, sizeof(*hc[fam].acc));
		if (!hc[fam].acc)
			return -1;
		policy_eval_set_hook(ev[fam], on_hit, &hc[fam]);
		policy_eval_set_hook_nat(ev[fam], 1);
	}
	return 0;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	struct policy_eval *ev[2] = {NULL, NULL};
	struct hitctx hc[2];
	const struct check_flows *fs = w->fs;
	size_t i;
	int fam;

	memset(hc, 0, sizeof(hc));
	w->ret = -1;
	if (worker_setup(w, ev, hc) < 0)
		goto out;
	for (i = w->from; i < w->to; i++) {
		int f = fs->v[i].family == 6;
		struct check_res *est = w->est ? &w->est[i] : NULL;

		if (w->only_martian && !(w->s->res[i].by == IPT_BY_MARTIAN ||
					 (w->only_martian == 1 && w->s->res[i].uncertain_martian)))
			continue;
		if (!ev[f]) {
			res_none(&w->out[i]);
			if (est)
				res_none(est);
			continue;
		}
		if (w->only_martian) {	/* the first packet only: martian flows have no answer */
			struct ipt_packet p;
			struct ipt_result r;

			check_flow_packet(fs, i, &p);
			if (policy_eval_packet(ev[f], &p, &r) < 0)
				goto out;
			check_res_from(&w->out[i], &r);
		} else if (eval_flow(ev[f], &hc[f], fs, i, &w->out[i], est) < 0) {
			goto out;
		}
	}
	w->ret = 0;
out:
	w->err = errno;
	for (fam = 0; fam < 2; fam++) {
		policy_eval_free(ev[fam]);
		free(hc[fam].acc);
		free(hc[fam].touched);
	}
	return NULL;
}

#define EVAL_THREADS_MAX 4
#define EVAL_FLOWS_PER_THREAD 50000	/* fewer flows are not worth a thread */

/* How many threads evaluate n flows: `want` (at most EVAL_THREADS_MAX), or with 0 one
 * per online CPU, at most EVAL_THREADS_MAX, each with EVAL_FLOWS_PER_THREAD flows. */
static unsigned eval_threads(size_t n, unsigned want)
{
	return util_threads(n, want, EVAL_THREADS_MAX, EVAL_FLOWS_PER_THREAD);
}

/* Allocates side s's counts (count_hits) and compiles what s has no compiled form of. */
static int eval_prepare(struct check_side *s, int count_hits, struct ipt_compiled **own)
{
	int fam;

	for (fam = 0; fam < 2; fam++) {
		uint32_t n;

		if (!s->rs[fam])
			continue;
		if (s->rs[fam]->lang == POLICY_IPTABLES && !s->rs[fam]->cp &&
		    !(own[fam] = ipt_compile(s->rs[fam]->ipt)))
			return -1;
		if (!count_hits)
			continue;
		n = policy_rule_count(s->rs[fam]);
		s->hit_flows[fam] = calloc(n + 1, sizeof(uint64_t));
		s->hit_packets[fam] = calloc(n + 1, sizeof(uint64_t));
		s->maybe_flows[fam] = calloc(n + 1, sizeof(uint64_t));
		s->maybe_packets[fam] = calloc(n + 1, sizeof(uint64_t));
		if (!s->hit_flows[fam] || !s->hit_packets[fam] || !s->maybe_flows[fam] ||
		    !s->maybe_packets[fam]) {
			errno = ENOMEM;
			return -1;
		}
	}
	return 0;
}

/* Adds worker w's own counts to the side's and frees them. */
static void worker_merge(struct worker *w)
{
	int fam, k;

	for (fam = 0; fam < 2; fam++)
		for (k = 0; k < C_N; k++) {
			uint64_t *dst;
			uint32_t r, n = policy_rule_count(w->s->rs[fam]);

			if (!w->own_cnt || !w->cnt[fam][k])
				continue;
			dst = k == C_HIT_FLOWS ? w->s->hit_flows[fam] : k == C_HIT_PACKETS ?
			      w->s->hit_packets[fam] : k == C_MAYBE_FLOWS ? w->s->maybe_flows[fam] :
			      w->s->maybe_packets[fam];
			for (r = 0; r < n; r++)
				dst[r] += w->cnt[fam][k][r];
			free(w->cnt[fam][k]);
			w->cnt[fam][k] = NULL;
		}
}

/* Evaluates the flows against side s on up to eval_threads() threads, each on a slice of
 * the flows with its own evaluators; the counts are summed at the end. */
static int eval_all(struct check_side *s, const struct check_flows *fs,
		    const struct ipt_context *ctx, int count_hits, struct check_res *out,
		    struct check_res *est, int only_martian)
{
	struct ipt_compiled *own[2] = {NULL, NULL};
	struct worker w[EVAL_THREADS_MAX];
	pthread_t tid[EVAL_THREADS_MAX];
	unsigned nt = eval_threads(fs->n, s->threads), t;
	int started[EVAL_THREADS_MAX] = {0};
	int fam, ret = -1, err = 0;

	memset(w, 0, sizeof(w));
	if (eval_prepare(s, count_hits, own) < 0)
		goto out;
	for (t = 0; t < nt; t++) {
		w[t].s = s;
		w[t].fs = fs;
		w[t].ctx = ctx;
		for (fam = 0; fam < 2; fam++) {
			if (s->rs[fam])
				w[t].rules[fam] = *s->rs[fam];
			if (own[fam])
				w[t].rules[fam].cp = own[fam];
			w[t].cnt[fam][C_HIT_FLOWS] = s->hit_flows[fam];
			w[t].cnt[fam][C_HIT_PACKETS] = s->hit_packets[fam];
			w[t].cnt[fam][C_MAYBE_FLOWS] = s->maybe_flows[fam];
			w[t].cnt[fam][C_MAYBE_PACKETS] = s->maybe_packets[fam];
		}
		if (t > 0)
			memset(w[t].cnt, 0, sizeof(w[t].cnt));
		w[t].own_cnt = t > 0;
		w[t].out = out;
		w[t].est = est;
		w[t].count_hits = count_hits;
		w[t].only_martian = only_martian;
		w[t].from = fs->n * t / nt;
		w[t].to = fs->n * (t + 1) / nt;
	}
	for (t = 1; t < nt; t++)
		started[t] = pthread_create(&tid[t], NULL, worker_run, &w[t]) == 0;
	worker_run(&w[0]);
	ret = w[0].ret;
	err = w[0].err;
	for (t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else	/* no thread: its slice in this one */
			worker_run(&w[t]);
		if (w[t].ret < 0 && ret == 0) {
			ret = -1;
			err = w[t].err;
		}
	}
	for (t = 1; t < nt; t++)
		worker_merge(&w[t]);
	if (ret < 0)
		errno = err;
out:
	ipt_compiled_free(own[0]);
	ipt_compiled_free(own[1]);
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

/* check_evaluate_alone(), of the flows the martian check drops (dropped_only) or may drop. */
static int evaluate_alone(struct check_side *s, const struct check_flows *fs,
			  const struct check_host *h, struct check_res *res, int dropped_only)
{
	struct ipt_ifconf open[1] = {{"all", 1, 1, 0, 0, 0}};
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
	ret = eval_all(s, fs, &ctx, 0, res, NULL, dropped_only ? 2 : 1);
	free(ifc);
	return ret;
}

int check_evaluate_alone(struct check_side *s, const struct check_flows *fs,
			 const struct check_host *h, struct check_res *res)
{
	return evaluate_alone(s, fs, h, res, 0);
}

int check_evaluate_alone_dropped(struct check_side *s, const struct check_flows *fs,
				 const struct check_host *h, struct check_res *res)
{
	return evaluate_alone(s, fs, h, res, 1);
}

void check_side_use(struct check_side *s, const struct policy *p)
{
	int f;

	for (f = 0; f < 2; f++)
		s->rs[f] = policy_rules_of(p, f, &s->view[f]) == 0 ? &s->view[f] : NULL;
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
