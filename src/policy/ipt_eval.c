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
#define ST_END 0xff
#define CH(t, h) ((uint8_t)((IPT_TABLE_##t << 4) | IPT_HOOK_##h))

static const uint8_t path_stages[IPT_PATH_COUNT][16] = {
	[IPT_PATH_INCOMING] = {ST_V6CHECK, ST_DEFRAG, CH(RAW, PREROUTING), CH(MANGLE, PREROUTING),
			       CH(NAT, PREROUTING), ST_ROUTE, CH(MANGLE, INPUT), CH(FILTER, INPUT),
			       CH(SECURITY, INPUT), CH(NAT, INPUT), ST_END},
	[IPT_PATH_LOCAL_OUT] = {CH(RAW, OUTPUT), CH(MANGLE, OUTPUT), ST_REROUTE, CH(NAT, OUTPUT),
				CH(FILTER, OUTPUT), CH(SECURITY, OUTPUT), CH(MANGLE, POSTROUTING),
				CH(NAT, POSTROUTING), ST_END},
	/* over lo the conntrack entry (and its NAT bindings) made on output is kept, so nat
	 * PREROUTING and nat INPUT are not traversed again */
	[IPT_PATH_LOOPBACK] = {CH(RAW, OUTPUT), CH(MANGLE, OUTPUT), CH(NAT, OUTPUT),
			       CH(FILTER, OUTPUT), CH(SECURITY, OUTPUT), CH(MANGLE, POSTROUTING),
			       CH(NAT, POSTROUTING), CH(RAW, PREROUTING), CH(MANGLE, PREROUTING),
			       CH(MANGLE, INPUT), CH(FILTER, INPUT), CH(SECURITY, INPUT), ST_END},
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

static void fill_slot(struct ipt_eval *ev, int slot, const char *name)
{
	const struct ipt_ruleset *rs = ev->rs;
	size_t len = strlen(name);
	uint32_t i;

	for (i = 0; i < rs->nifpat; i++) {
		const struct ipt_ifpat *p = &rs->ifpat[i];

		ev->ifmatch[slot][i] = p->wildcard ? len >= p->len && memcmp(name, p->name, p->len) == 0
						   : len == p->len && memcmp(name, p->name, len) == 0;
	}
	snprintf(ev->ifname[slot], IPT_IFNAMSIZ, "%s", name);
	ev->ifvalid[slot] = 1;
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
	fill_slot(ev, 2, "lo");
	fill_slot(ev, 3, "");
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

static void finish(struct ipt_eval *ev, struct ipt_world *w, enum ipt_verdict v,
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
static struct ipt_world *fork_world(struct ipt_eval *ev, struct ipt_world *w, uint32_t rule)
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
		finish(ev, w, IPT_V_DROP, IPT_BY_POLICY, IPT_NONE, w->base_chain, IPT_MARTIAN_NONE);
		*done = 1;
		return;
	}
	if (w->acc_chain == IPT_NONE || c->table == IPT_TABLE_FILTER ||
	    ev->rs->chains[w->acc_chain].table != IPT_TABLE_FILTER)
		w->acc_chain = w->base_chain;
}

static void do_nat(struct ipt_eval *ev, struct ipt_world *w, const struct ipt_rule *r, uint32_t id)
{
	const struct ipt_packet *p = ev->pkt;
	int dst_side = w->hook == IPT_HOOK_PREROUTING || w->hook == IPT_HOOK_OUTPUT;
	size_t l = ev->rs->family == 4 ? 4 : 16, i;

	if (r->tkind == IPT_T_SNAT || (r->tkind == IPT_T_NETMAP && !dst_side)) {
		w->snat_rule = id;
		return;
	}
	w->dnat_rule = id;
	if (r->tkind == IPT_T_NETMAP) {
		for (i = 0; i < l; i++)
			w->dst[i] = (uint8_t)((w->dst[i] & ~r->nat_mask[i]) | r->nat_addr[i]);
		return;
	}
	if (r->tkind == IPT_T_REDIRECT) {
		/* REDIRECT: the primary address of the incoming interface, loopback on output */
		if (w->hook == IPT_HOOK_OUTPUT) {
			memset(w->dst, 0, 16);
			if (ev->rs->family == 4) {
				w->dst[0] = 127;
				w->dst[3] = 1;
			} else {
				w->dst[15] = 1;
			}
		} else if (ev->ctx) {
			for (i = 0; i < ev->ctx->naddrs; i++) {
				const struct ipt_hostaddr *h = &ev->ctx->addrs[i];

				if (h->family == ev->rs->family && strcmp(h->ifname, p->in_if) == 0) {
					memcpy(w->dst, h->addr, 16);
					break;
				}
			}
		}
	} else if (r->nat_has_addr) {
		memcpy(w->dst, r->nat_addr, 16);
	}
	if (r->nat_has_port && ipt_proto_has_ports(p->proto)) {
		w->dport = r->nat_port;
		w->dport_unk = 0;
	}
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
		finish(ev, w, r->tkind == IPT_T_DROP ? IPT_V_DROP : IPT_V_REJECT, IPT_BY_RULE, id,
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
		do_nat(ev, w, r, id);
		w->depth = 0;	/* NF_ACCEPT: the rest of this nat chain is skipped */
		return 0;
	case IPT_T_UNKNOWN:
		/* an extension we do not model: it may continue, accept or drop */
		c = fork_world(ev, w, id);
		if (c) {
			c->acc_rule = id;
			c->depth = 0;
		}
		c = fork_world(ev, w, id);
		if (c)
			finish(ev, c, IPT_V_DROP, IPT_BY_RULE, id, r->chain, IPT_MARTIAN_NONE);
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
		c = fork_world(ev, w, id);
		if (c)
			take(ev, c, r, id);	/* a finished copy is marked dead */
		return;
	}
}

/* Before the routing step of an incoming or forwarded packet: the route follows the
 * destination nat PREROUTING left (ip_rcv_finish -> ip_route_input_noref on the DNATed
 * header; ip6_rcv_finish likewise). A packet DNATed to another host goes to FORWARD, or
 * is dropped where forwarding is off (ip_route_input_slow: !IN_DEV_FORWARD -> no_route);
 * one DNATed to this host goes to INPUT. Also drops a caller-given FORWARD packet when
 * the context says forwarding is off. Returns 1 when w is finished. */
static int reroute(struct ipt_eval *ev, struct ipt_world *w)
{
	const struct ipt_context *ctx = ev->ctx;
	int fwd = ctx ? ctx->ip_forward : 0, local;
	struct ipt_world *c;

	if (w->dnat_rule != IPT_NONE) {
		local = ipt_route_dst_local(ev, w->dst);
		if (local == IPT_MAYBE) {
			c = fork_world(ev, w, w->dnat_rule);
			if (c)
				c->path = w->path == IPT_PATH_INCOMING ? IPT_PATH_FORWARD
								      : IPT_PATH_INCOMING;
			ev->res->uncertain_martian = 1;
		} else {
			w->path = local == IPT_YES ? IPT_PATH_INCOMING : IPT_PATH_FORWARD;
		}
		if (w->path == IPT_PATH_FORWARD && !ev->pkt->out_if[0]) {
			/* the output interface is the route's to the new destination (not
			 * known without routes: then FORWARD sees none) */
			const char *via = NULL;

			if (ipt_route_lookup(ev, w->dst, &via) == IPT_YES && via)
				fill_slot(ev, 1, via);
		}
		if (w->path == IPT_PATH_FORWARD && fwd != IPT_FWD_ON) {
			if (fwd == IPT_FWD_OFF) {
				finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE,
				       IPT_MARTIAN_NO_FORWARD);
				return 1;
			}
			ev->res->uncertain_martian = 1;
			c = fork_world(ev, w, w->dnat_rule);
			if (c)
				finish(ev, c, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE,
				       IPT_MARTIAN_NO_FORWARD);
		}
		return 0;
	}
	if (w->path == IPT_PATH_FORWARD && fwd == IPT_FWD_OFF) {
		finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, IPT_MARTIAN_NO_FORWARD);
		return 1;
	}
	return 0;
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

	if (st == ST_V6CHECK) {
		if (rs->family != 6 || strcmp(p->in_if, "lo") == 0)
			return 0;
		why = ipt_v6_rcv_check(p->src, p->dst);
		if (why == IPT_MARTIAN_NONE)
			return 0;
		finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
		return 1;
	}
	if (st == ST_DEFRAG) {
		if (!p->fragment || !ev->conntrack)
			return 0;
		finish(ev, w, IPT_V_DROP, IPT_BY_DEFRAG, IPT_NONE, IPT_NONE, IPT_MARTIAN_NONE);
		return 1;
	}
	if (st == ST_ROUTE || st == ST_REROUTE) {
		if (st == ST_REROUTE) {
			v = ipt_route_me_harder(ev, w);
			why = IPT_MARTIAN_REROUTE_LOOPBACK;
		} else if (reroute(ev, w)) {
			return 1;
		} else if (strcmp(p->in_if, "lo") == 0) {
			return 0;
		} else {
			v = rs->family == 4 ? ipt_route_check(ev, w, &why) : ipt_route_check6(ev, w, &why);
		}
		if (v == IPT_YES)
			return 0;
		if (v == IPT_NO) {
			finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
			return 1;
		}
		ev->res->uncertain_martian = 1;
		c = fork_world(ev, w, IPT_NONE);
		if (c)
			finish(ev, c, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
		return 0;
	}
	chain = rs->builtin[table][hook];
	if (chain == IPT_NONE)
		return 0;	/* table not loaded: no hook registered */
	if (table == IPT_TABLE_NAT) {
		/* only a connection's first packet (NEW, or RELATED other than ICMP errors)
		 * traverses nat chains; INVALID and UNTRACKED have no conntrack entry */
		int icmp = p->proto == 1 || p->proto == 58;

		if (w->ctstate == IPT_CT_UNKNOWN) {
			if (rs->chains[chain].n == 0)
				return 0;
			c = fork_world(ev, w, rs->chains[chain].first);
			if (c)
				c->ctstate = IPT_CT_ESTABLISHED;	/* the copy skips nat */
		} else if (!(w->ctstate == IPT_CT_NEW || (w->ctstate == IPT_CT_RELATED && !icmp))) {
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
		w->out_slot = hook == IPT_HOOK_OUTPUT || hook == IPT_HOOK_POSTROUTING ? 2 : 3;
		break;
	default:
		w->in_slot = hook == IPT_HOOK_PREROUTING || hook == IPT_HOOK_INPUT ||
				     hook == IPT_HOOK_FORWARD ? 0 : 3;
		w->out_slot = hook == IPT_HOOK_OUTPUT || hook == IPT_HOOK_POSTROUTING ||
				      hook == IPT_HOOK_FORWARD ? 1 : 3;
		break;
	}
	return 0;
}

/* Runs w to its end (verdict recorded through finish()). */
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
					finish(ev, w, IPT_V_ACCEPT, IPT_BY_RULE, w->acc_rule,
					       rs->rules[w->acc_rule].chain, IPT_MARTIAN_NONE);
				else if (w->acc_chain != IPT_NONE)
					finish(ev, w, IPT_V_ACCEPT, IPT_BY_POLICY, IPT_NONE, w->acc_chain,
					       IPT_MARTIAN_NONE);
				else
					finish(ev, w, IPT_V_ACCEPT, IPT_BY_PATH_END, IPT_NONE, IPT_NONE,
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
		if (ev->hook)
			ev->hook(ev->hook_arg, id, m == IPT_MAYBE || w->maybe ? IPT_MAYBE : IPT_YES);
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
		fill_slot(ev, 0, pkt->in_if);
	if (!ev->ifvalid[1] || strcmp(ev->ifname[1], pkt->out_if) != 0)
		fill_slot(ev, 1, pkt->out_if);
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
