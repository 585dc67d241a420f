/* This file contains the evaluator: it walks a packet through the hooks of its path in
 * the kernel's order (raw, mangle, nat, filter, security; the routing decision with its
 * martian checks between PREROUTING and INPUT/FORWARD), runs each chain with jumps, gotos,
 * RETURN and policies, applies DNAT/REDIRECT, MARK, CONNMARK and NOTRACK, and keeps every
 * possible outcome when a match is unknown (one forked world per undecided rule, as in
 * Diekmann et al.'s fffuu semantics). Worlds that meet again in the same state merge
 * (ipt_seen.c), and the work per packet is bounded (IPT_EVAL_MAX_STEPS, ipt.h). */
#include "policy/ipt_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Stages: a chain is (table << 4 | hook); the others are kernel steps. */
#define ST_V6CHECK 0xf0	/* ip6_rcv_core: ::1 and multicast sources off lo */
#define ST_DEFRAG 0xf1	/* a lone non-first fragment waits in conntrack defrag */
#define ST_ROUTE 0xf2	/* ip_route_input_slow martian checks (IPv4) */
#define ST_REROUTE 0xf3	/* ipt_mangle_out: ip_route_me_harder after a mark change */
#define ST_NATROUTE 0xf4	/* nf_nat_ipv{4,6}_local_fn: route again after an OUTPUT DNAT */
#define ST_END 0xff
#define CH(t, h) ((uint8_t)((IPT_TABLE_##t << 4) | IPT_HOOK_##h))

static const uint8_t path_stages[IPT_PATH_COUNT][16] = {
	[IPT_PATH_INCOMING] = {ST_V6CHECK, ST_DEFRAG, CH(RAW, PREROUTING), CH(MANGLE, PREROUTING),
			       CH(NAT, PREROUTING), ST_ROUTE, CH(MANGLE, INPUT), CH(FILTER, INPUT),
			       CH(SECURITY, INPUT), CH(NAT, INPUT), ST_END},
	/* LOCAL_OUT and LOOPBACK share their first nine stages: the re-route after nat
	 * OUTPUT (ST_NATROUTE) moves a world from one to the other at the same stage */
	[IPT_PATH_LOCAL_OUT] = {CH(RAW, OUTPUT), CH(MANGLE, OUTPUT), ST_REROUTE, CH(NAT, OUTPUT),
				ST_NATROUTE, CH(FILTER, OUTPUT), CH(SECURITY, OUTPUT),
				CH(MANGLE, POSTROUTING), CH(NAT, POSTROUTING), ST_END},
	/* over lo the conntrack entry (and its NAT bindings) made on output is kept, so nat
	 * PREROUTING and nat INPUT are not traversed again */
	[IPT_PATH_LOOPBACK] = {CH(RAW, OUTPUT), CH(MANGLE, OUTPUT), ST_REROUTE, CH(NAT, OUTPUT),
			       ST_NATROUTE, CH(FILTER, OUTPUT), CH(SECURITY, OUTPUT),
			       CH(MANGLE, POSTROUTING), CH(NAT, POSTROUTING), CH(RAW, PREROUTING),
			       CH(MANGLE, PREROUTING), CH(MANGLE, INPUT), CH(FILTER, INPUT),
			       CH(SECURITY, INPUT), ST_END},
	[IPT_PATH_FORWARD] = {ST_V6CHECK, ST_DEFRAG, CH(RAW, PREROUTING), CH(MANGLE, PREROUTING),
			      CH(NAT, PREROUTING), ST_ROUTE, CH(MANGLE, FORWARD),
			      CH(FILTER, FORWARD), CH(SECURITY, FORWARD), CH(MANGLE, POSTROUTING),
			      CH(NAT, POSTROUTING), ST_END},
};

const char *ipt_martian_name(enum ipt_martian m)
{
	static const char *const names[] = {
		"none", "src-multicast", "src-zeronet", "dst-zeronet", "dst-loopback",
		"src-loopback", "src-local", "rp-filter", "v6-loopback", "v6-src-multicast",
		"no-forward", "mc-not-ours", "v6-mc-scope", "reroute-src-loopback",
		"ttl-expired", "v6-fwd-link-local",
	};

	return (unsigned)m < sizeof(names) / sizeof(names[0]) ? names[m] : "?";
}

void ipt_packet_init(struct ipt_packet *p, int family, enum ipt_path path)
{
	memset(p, 0, sizeof(*p));
	p->family = (uint8_t)family;
	p->path = (uint8_t)path;
	p->ctstate = IPT_CT_NEW;
	p->pkttype = IPT_PKT_HOST;
}

struct ipt_eval *ipt_eval_new(const struct ipt_ruleset *rs, const struct ipt_context *ctx)
{
	struct ipt_eval *ev = calloc(1, sizeof(*ev));
	int s;

	if (!ev)
		return NULL;
	ev->rs = rs;
	ev->ctx = ctx;
	ev->maxworlds = IPT_EVAL_MAX_WORLDS;
	ev->maxdepth = rs->nchains + 2;
	ev->worlds = calloc(ev->maxworlds, sizeof(*ev->worlds));
	ev->frames = calloc((size_t)ev->maxworlds * ev->maxdepth, sizeof(*ev->frames));
	ev->seen = ipt_seen_new();
	if (!ev->worlds || !ev->frames || !ev->seen)
		goto fail;
	for (s = 0; s < IPT_IFSLOTS; s++) {
		ev->ifmatch[s] = calloc(rs->nifpat ? rs->nifpat : 1, 1);
		if (!ev->ifmatch[s])
			goto fail;
	}
	ipt_fill_slot(ev, 2, "lo");
	ipt_fill_slot(ev, 3, "");
	ev->conntrack = ctx && ctx->conntrack >= 0 ? ctx->conntrack : rs->uses_conntrack;
	ev->kver = ctx && ctx->kernel ? ctx->kernel : ipt_kernel_running();
	return ev;
fail:
	ipt_eval_free(ev);
	errno = ENOMEM;
	return NULL;
}

void ipt_eval_free(struct ipt_eval *ev)
{
	int s;

	if (!ev)
		return;
	for (s = 0; s < IPT_IFSLOTS; s++)
		free(ev->ifmatch[s]);
	ipt_cstate_free(ev->cstate);
	ipt_seen_free(ev->seen);
	free(ev->worlds);
	free(ev->frames);
	free(ev);
}

void ipt_eval_set_stop(struct ipt_eval *ev, const volatile sig_atomic_t *stop)
{
	ev->stop = stop;
}

/* Charges n work units. Returns 1 (and sets ev->halt) when the evaluation must end: the
 * step bound is reached or the stop flag raised. */
static int spend(struct ipt_eval *ev, uint64_t n)
{
	ev->steps += n;
	if (ev->steps > IPT_EVAL_MAX_STEPS) {
		ev->limit = IPT_LIMIT_STEPS;
		ev->halt = 1;
	} else if (ev->stop && *ev->stop) {
		ev->limit = IPT_LIMIT_STOPPED;
		ev->halt = 1;
	}
	return ev->halt;
}

void ipt_eval_set_kernel(struct ipt_eval *ev, unsigned kver)
{
	ev->kver = kver;
}

void ipt_eval_set_hook(struct ipt_eval *ev, ipt_rule_hook fn, void *arg)
{
	ev->hook = fn;
	ev->hook_arg = arg;
}

void ipt_eval_set_hook_nat(struct ipt_eval *ev, int on)
{
	ev->hook_nat = on;
}

void ipt_finish(struct ipt_eval *ev, struct ipt_world *w, enum ipt_verdict v,
		enum ipt_decider by, uint32_t rule, uint32_t chain, enum ipt_martian mart)
{
	struct ipt_result *res = ev->res;

	w->dead = 1;
	ev->nfinished++;
	if (w->main) {
		res->verdict = v;
		res->by = by;
		res->rule = rule;
		res->chain = chain;
		res->table = chain != IPT_NONE ? (enum ipt_table)ev->rs->chains[chain].table : 0;
		res->martian = mart;
		res->uncertain_rule = w->uncertain;
		res->nat.dnat_rule = w->dnat_rule;
		res->nat.snat_rule = w->snat_rule;
		memcpy(res->nat.dst, w->dst, 16);
		res->nat.dport = w->dport;
	}
	res->possible |= IPT_VSET(v);
}

/* Copies w into a new pending world; NULL when the budget is spent (then every verdict
 * counts as possible). */
struct ipt_world *ipt_fork_world(struct ipt_eval *ev, struct ipt_world *w, uint32_t rule)
{
	struct ipt_world *c;

	if (w->uncertain == IPT_NONE)
		w->uncertain = rule;
	w->maybe = 1;	/* both branches: their later hits are not definite */
	if (ev->npending + 1 >= ev->maxworlds) {
		if (ev->limit == IPT_LIMIT_NONE)
			ev->limit = IPT_LIMIT_WORLDS;
		return NULL;
	}
	c = &ev->worlds[++ev->npending];
	{
		struct ipt_frame *stack = c->stack;

		*c = *w;
		c->stack = stack;
		c->main = 0;
	}
	memcpy(c->stack, w->stack, w->depth * sizeof(*w->stack));
	return c;
}

static void policy(struct ipt_eval *ev, struct ipt_world *w, int *done)
{
	const struct ipt_chain *c = &ev->rs->chains[w->base_chain];

	w->depth = 0;
	if (c->policy == IPT_V_DROP) {
		ipt_finish(ev, w, IPT_V_DROP, IPT_BY_POLICY, IPT_NONE, w->base_chain, IPT_MARTIAN_NONE);
		*done = 1;
		return;
	}
	if (w->acc_chain == IPT_NONE || c->table == IPT_TABLE_FILTER ||
	    ev->rs->chains[w->acc_chain].table != IPT_TABLE_FILTER)
		w->acc_chain = w->base_chain;
}

/* Applies the target of rule r (id) to w as if it matched. Returns 1 when w is finished. */
static int take(struct ipt_eval *ev, struct ipt_world *w, const struct ipt_rule *r, uint32_t id)
{
	int done = 0;
	struct ipt_world *c;

	switch (r->tkind) {
	case IPT_T_ACCEPT:
		w->acc_rule = id;
		w->depth = 0;
		return 0;
	case IPT_T_DROP:
	case IPT_T_REJECT:
		ipt_finish(ev, w, r->tkind == IPT_T_DROP ? IPT_V_DROP : IPT_V_REJECT, IPT_BY_RULE, id,
		       r->chain, IPT_MARTIAN_NONE);
		return 1;
	case IPT_T_RETURN:
		if (w->depth <= 1)
			policy(ev, w, &done);
		else
			w->depth--;
		return done;
	case IPT_T_JUMP:
		if (w->depth >= ev->maxdepth)
			return 0;	/* cannot happen: loops are rejected at parse time */
		w->stack[w->depth].chain = r->tchain;
		w->stack[w->depth].pos = 0;
		w->depth++;
		return 0;
	case IPT_T_GOTO:
		w->stack[w->depth - 1].chain = r->tchain;
		w->stack[w->depth - 1].pos = 0;
		return 0;
	case IPT_T_MARK:
	case IPT_T_CONNMARK:
		ipt_apply_marks(r, w);
		return 0;
	case IPT_T_NOTRACK:
		w->ctstate = IPT_CT_UNTRACKED;
		return 0;
	case IPT_T_DNAT:
	case IPT_T_REDIRECT:
	case IPT_T_SNAT:
	case IPT_T_NETMAP:
		ipt_do_nat(ev, w, r, id);
		w->depth = 0;	/* NF_ACCEPT: the rest of this nat chain is skipped */
		return 0;
	case IPT_T_UNKNOWN:
		/* an extension we do not model: it may continue, accept or drop */
		c = ipt_fork_world(ev, w, id);
		if (c) {
			c->acc_rule = id;
			c->depth = 0;
		}
		c = ipt_fork_world(ev, w, id);
		if (c)
			ipt_finish(ev, c, IPT_V_DROP, IPT_BY_RULE, id, r->chain, IPT_MARTIAN_NONE);
		return 0;
	default:	/* NONE, CONTINUE */
		return 0;
	}
}

/* A rule whose matches may or may not hold: w goes on as if it did not match; a forked
 * copy takes the target. Effects that need no fork are blurred in place. */
static void take_maybe(struct ipt_eval *ev, struct ipt_world *w, const struct ipt_rule *r,
		       uint32_t id)
{
	struct ipt_world *c;

	switch (r->tkind) {
	case IPT_T_NONE:
	case IPT_T_CONTINUE:
		return;
	case IPT_T_MARK:
	case IPT_T_CONNMARK:
		ipt_apply_marks_maybe(r, w);
		return;
	case IPT_T_NOTRACK:
		if (w->ctstate != IPT_CT_UNTRACKED) {
			if (w->uncertain == IPT_NONE)
				w->uncertain = id;
			w->ctstate = IPT_CT_UNKNOWN;
		}
		return;
	default:
		c = ipt_fork_world(ev, w, id);
		if (c)
			take(ev, c, r, id);	/* a finished copy is marked dead */
		return;
	}
}

/* Starts stage st for w. Returns 1 when w is finished. */
static int start_stage(struct ipt_eval *ev, struct ipt_world *w, uint8_t st)
{
	const struct ipt_packet *p = ev->pkt;
	const struct ipt_ruleset *rs = ev->rs;
	int table = st >> 4, hook = st & 0xf;
	enum ipt_martian why = IPT_MARTIAN_NONE;
	struct ipt_world *c;
	uint32_t chain;
	int v;

	if (w->replay) {	/* the nat chain walked again is done */
		w->replay = 0;
		w->ctstate = IPT_CT_ESTABLISHED;
	}
	if (st == ST_V6CHECK) {
		if (rs->family != 6 || strcmp(p->in_if, "lo") == 0)
			return 0;
		why = ipt_v6_rcv_check(p->src, p->dst);
		if (why == IPT_MARTIAN_NONE)
			return 0;
		ipt_finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
		return 1;
	}
	if (st == ST_DEFRAG) {
		if (!p->fragment || !ev->conntrack)
			return 0;
		ipt_finish(ev, w, IPT_V_DROP, IPT_BY_DEFRAG, IPT_NONE, IPT_NONE, IPT_MARTIAN_NONE);
		return 1;
	}
	if (st == ST_NATROUTE)
		return ipt_nat_reroute(ev, w);
	if (st == ST_ROUTE || st == ST_REROUTE) {
		if (st == ST_REROUTE) {
			v = ipt_route_me_harder(ev, w);
			why = IPT_MARTIAN_REROUTE_LOOPBACK;
		} else if (ipt_reroute_input(ev, w)) {
			return 1;
		} else if (strcmp(p->in_if, "lo") == 0) {
			return ipt_forward_step(ev, w);
		} else {
			v = rs->family == 4 ? ipt_route_check(ev, w, &why) : ipt_route_check6(ev, w, &why);
		}
		if (ipt_martian_step(ev, w, v, why))
			return 1;
		return st == ST_ROUTE ? ipt_forward_step(ev, w) : 0;
	}
	chain = rs->builtin[table][hook];
	if (chain == IPT_NONE)
		return 0;	/* table not loaded: no hook registered */
	if (table == IPT_TABLE_NAT) {
		/* only a connection's first packet traverses nat chains (ipt_ct_runs_nat) */
		if (w->ctstate == IPT_CT_UNKNOWN) {
			if (rs->chains[chain].n == 0)
				return 0;
			c = ipt_fork_world(ev, w, rs->chains[chain].first);
			if (c)
				c->ctstate = IPT_CT_ESTABLISHED;	/* the copy skips nat */
		} else if (p->nat_replay && w->ctstate == IPT_CT_ESTABLISHED) {
			w->replay = 1;	/* the first packet's bindings, found again */
			w->ctstate = IPT_CT_NEW;
		} else if (!ipt_ct_runs_nat(w->ctstate, p->proto)) {
			return 0;
		}
	}
	if (table == IPT_TABLE_MANGLE && hook == IPT_HOOK_OUTPUT) {
		w->mark0 = w->mark;
		w->mark0_known = w->mark_known;
	}
	w->hook = (int8_t)hook;
	w->base_chain = chain;
	w->depth = 1;
	w->stack[0].chain = chain;
	w->stack[0].pos = 0;
	switch (w->path) {
	case IPT_PATH_LOOPBACK:
		w->in_slot = hook == IPT_HOOK_PREROUTING || hook == IPT_HOOK_INPUT ? 2 : 3;
		break;
	default:
		w->in_slot = hook == IPT_HOOK_PREROUTING || hook == IPT_HOOK_INPUT ||
				     hook == IPT_HOOK_FORWARD ? 0 : 3;
		break;
	}
	w->out_slot = hook == IPT_HOOK_OUTPUT ? w->oslot : hook == IPT_HOOK_POSTROUTING ? w->pslot
		      : hook == IPT_HOOK_FORWARD ? 1 : 3;
	return 0;
}

/* Runs w to its end (verdict recorded through ipt_finish()). */
static void run_world(struct ipt_eval *ev, struct ipt_world *w)
{
	const struct ipt_ruleset *rs = ev->rs;
	for (;;) {
		const uint8_t *stages = path_stages[w->path];
		struct ipt_frame *f;
		const struct ipt_chain *c;
		const struct ipt_rule *r;
		uint32_t id;
		int m, done = 0;

		if (spend(ev, 1))
			return;
		if (w->depth == 0) {
			uint8_t st = stages[w->stage];

			if (st == ST_END) {
				if (w->acc_rule != IPT_NONE)
					ipt_finish(ev, w, IPT_V_ACCEPT, IPT_BY_RULE, w->acc_rule,
					       rs->rules[w->acc_rule].chain, IPT_MARTIAN_NONE);
				else if (w->acc_chain != IPT_NONE)
					ipt_finish(ev, w, IPT_V_ACCEPT, IPT_BY_POLICY, IPT_NONE, w->acc_chain,
					       IPT_MARTIAN_NONE);
				else
					ipt_finish(ev, w, IPT_V_ACCEPT, IPT_BY_PATH_END, IPT_NONE, IPT_NONE,
					       IPT_MARTIAN_NONE);
				return;
			}
			w->stage++;
			if (start_stage(ev, w, st))
				return;
			continue;
		}
		f = &w->stack[w->depth - 1];
		c = &rs->chains[f->chain];
		if (ev->comp && f->pos < c->n) {
			uint32_t next = ipt_compiled_next(ev, w, f->chain, f->pos);

			/* the rules skipped count as the plain walk's steps: same bound */
			if (next > f->pos && spend(ev, next - f->pos))
				return;
			f->pos = next;
		}
		if (f->pos >= c->n) {
			if (w->depth == 1) {
				policy(ev, w, &done);
				if (done)
					return;
			} else {
				w->depth--;
			}
			continue;
		}
		id = c->first + f->pos++;
		r = &rs->rules[id];
		m = ipt_rule_matches(ev, w, r);
		if (m == IPT_NO)
			continue;
		if (m == IPT_MAYBE && ipt_seen_check(ev->seen, w))
			return;	/* another world went on from this very state */
		if (ev->hook && !w->replay)
			ev->hook(ev->hook_arg, id, (m == IPT_MAYBE || w->maybe ? IPT_MAYBE : IPT_YES) |
				 (ev->hook_nat && rs->chains[w->base_chain].table == IPT_TABLE_NAT ?
				  IPT_HIT_NAT : 0));
		if (m == IPT_MAYBE) {
			take_maybe(ev, w, r, id);
			continue;
		}
		if (take(ev, w, r, id))
			return;
	}
}

/* Fills the verdict from the possible set, and the limits; the return of ipt_eval_packet. */
static int conclude(struct ipt_eval *ev, struct ipt_result *res)
{
	unsigned bits;

	res->steps = ev->steps;
	res->limit = (enum ipt_limit)ev->limit;
	switch (res->limit) {
	case IPT_LIMIT_STEPS:
		snprintf(res->reason, sizeof(res->reason), "evaluation bound reached: %u steps",
			 IPT_EVAL_MAX_STEPS);
		break;
	case IPT_LIMIT_WORLDS:
		snprintf(res->reason, sizeof(res->reason),
			 "evaluation bound reached: %d pending branches", IPT_EVAL_MAX_WORLDS);
		break;
	case IPT_LIMIT_STOPPED:
		snprintf(res->reason, sizeof(res->reason), "evaluation interrupted");
		break;
	default:
		break;
	}
	if (res->limit != IPT_LIMIT_NONE)
		res->possible |= IPT_VSET_ACCEPT | IPT_VSET_DROP | IPT_VSET_REJECT;
	bits = res->possible;
	if (bits & (bits - 1)) {
		res->verdict = IPT_V_UNKNOWN;
		res->by = IPT_BY_UNKNOWN;
	}
	if (res->limit == IPT_LIMIT_STOPPED) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

int ipt_eval_packet(struct ipt_eval *ev, const struct ipt_packet *pkt, struct ipt_result *res)
{
	struct ipt_world *w;
	struct ipt_packet q;
	const char *out, *via = NULL;
	uint32_t i;

	if (pkt->family != ev->rs->family || pkt->path >= IPT_PATH_COUNT ||
	    pkt->ctstate > IPT_CT_UNKNOWN || pkt->pkttype > IPT_PKT_UNKNOWN ||
	    memchr(pkt->in_if, '\0', IPT_IFNAMSIZ) == NULL ||
	    memchr(pkt->out_if, '\0', IPT_IFNAMSIZ) == NULL ||
	    (pkt->unknown & ~(IPT_UNK_SPORT | IPT_UNK_DPORT | IPT_UNK_FLAGS))) {
		errno = EINVAL;
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->rule = res->chain = res->uncertain_rule = IPT_NONE;
	if (pkt->path == IPT_PATH_FORWARD && !pkt->in_if[0] &&
	    ipt_route_lookup(ev, pkt->src, &via) == IPT_YES && via) {
		q = *pkt;	/* ipt_packet.in_if */
		snprintf(q.in_if, sizeof(q.in_if), "%s", via);
		q.in_if_guessed = 1;
		pkt = &q;
	}
	ev->pkt = pkt;
	ev->res = res;
	ev->nfinished = 0;
	ev->limit = IPT_LIMIT_NONE;
	ev->halt = 0;
	ev->steps = 0;
	ev->npending = 0;
	ipt_seen_reset(ev->seen);
	ev->gen++;
	if (!ev->ifvalid[0] || strcmp(ev->ifname[0], pkt->in_if) != 0)
		ipt_fill_slot(ev, 0, pkt->in_if);
	out = pkt->out_if;
	if (pkt->path == IPT_PATH_FORWARD && !out[0] &&
	    (ipt_route_lookup(ev, pkt->dst, &via) != IPT_YES || !(out = via)))
		out = "";	/* not known: ipt_rule_matches() makes -o maybe */
	if (!ev->ifvalid[1] || strcmp(ev->ifname[1], out) != 0)
		ipt_fill_slot(ev, 1, out);
	for (i = 0; i < ev->maxworlds; i++)
		ev->worlds[i].stack = ev->frames + (size_t)i * ev->maxdepth;
	w = &ev->worlds[0];
	{
		struct ipt_frame *stack = w->stack;

		memset(w, 0, sizeof(*w));
		w->stack = stack;
	}
	w->main = 1;
	w->path = pkt->path;
	w->oslot = w->pslot = pkt->path == IPT_PATH_LOOPBACK ? 2 : 1;
	ev->ndyn = 0;
	w->ctstate = pkt->ctstate;
	memcpy(w->dst, pkt->dst, 16);
	w->dport = pkt->dport;
	w->dport_unk = (pkt->unknown & IPT_UNK_DPORT) != 0;
	w->dnat_rule = w->snat_rule = w->uncertain = w->acc_rule = w->acc_chain = IPT_NONE;
	w->base_chain = IPT_NONE;
	run_world(ev, w);
	/* pending worlds, newest first: each is moved into slot 0 (free once the main world
	 * is done) so that its own forks can reuse the slots above */
	while (ev->npending > 0 && !ev->halt) {
		struct ipt_world *top = &ev->worlds[ev->npending];
		struct ipt_frame *stack0 = ev->worlds[0].stack;

		ev->npending--;
		if (top->dead)
			continue;
		ev->worlds[0] = *top;
		ev->worlds[0].stack = stack0;
		memcpy(stack0, top->stack, top->depth * sizeof(*stack0));
		run_world(ev, &ev->worlds[0]);
	}
	return conclude(ev, res);
}
