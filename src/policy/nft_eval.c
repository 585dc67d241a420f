/* This file walks one packet through the kernel's hooks for an nftables ruleset: at each
 * hook the base chains of every table of the packet's family (ip, ip6, inet) run in
 * priority order; of equal priorities the one registered last runs first
 * (nf_hook_entries_grow inserts a new hook before those of its priority; the model takes
 * the JSON's order, the kernel's listing order, as the registration order);
 * accept ends a base chain and the next one runs, drop and reject end the packet. nat
 * chains run only for a connection's first packet and stop once a binding of their kind
 * is made (nf_nat_inet_fn). Between PREROUTING and INPUT/FORWARD the routing step and its
 * martian checks are the iptables model's (ipt_route.c), called through a read-only view
 * of the evaluator they expect. Unknown matches fork worlds, as in ipt_eval.c; the work is
 * bounded by IPT_EVAL_MAX_STEPS and IPT_EVAL_MAX_WORLDS. In chains the compiled fast path
 * indexes (nft_compile.c) the walk jumps to the next rule that can match, counting the
 * rules it skips as steps: the plain walk's results, hook calls and steps. */
#include "policy/nft_route.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ST_V6CHECK 0xf0
#define ST_DEFRAG 0xf1
#define ST_ROUTE 0xf2
#define ST_END 0xff

/* The ROUTE stage has the same index on the incoming and forward paths, POSTROUTING on
 * the local ones (a DNAT may move a packet from one to the other before them). */
static const uint8_t stages[IPT_PATH_COUNT][8] = {
	[IPT_PATH_INCOMING] = {NFT_HOOK_INGRESS, ST_V6CHECK, ST_DEFRAG, IPT_HOOK_PREROUTING,
			       ST_ROUTE, IPT_HOOK_INPUT, ST_END},
	[IPT_PATH_LOCAL_OUT] = {IPT_HOOK_OUTPUT, IPT_HOOK_POSTROUTING, ST_END},
	/* looped back: lo's ingress (netif_receive_skb), then the input path */
	[IPT_PATH_LOOPBACK] = {IPT_HOOK_OUTPUT, IPT_HOOK_POSTROUTING, NFT_HOOK_INGRESS,
			       IPT_HOOK_PREROUTING, IPT_HOOK_INPUT, ST_END},
	[IPT_PATH_FORWARD] = {NFT_HOOK_INGRESS, ST_V6CHECK, ST_DEFRAG, IPT_HOOK_PREROUTING,
			      ST_ROUTE, IPT_HOOK_FORWARD, IPT_HOOK_POSTROUTING, ST_END},
};

static int build_hooks(struct nft_eval *ev)
{
	const struct nft_ruleset *rs = ev->rs;
	int f, h;
	uint32_t i, j, n;

	for (f = 0; f < 2; f++)
		for (h = 0; h < NFT_HOOK_COUNT; h++) {
			ev->hc[f][h] = calloc(rs->nchains ? rs->nchains : 1, sizeof(uint32_t));
			if (!ev->hc[f][h])
				return -1;
			n = 0;
			for (i = 0; i < rs->nchains; i++) {
				const struct nft_chain *c = &rs->chains[i];
				int fam = rs->tables[c->table].fam;

				if (c->hook != h || !(fam == 46 || fam == (f ? 6 : 4)))
					continue;
				/* insertion sort: before every chain of >= priority, as
				 * nf_hook_entries_grow() inserts a hook registered later */
				for (j = n; j > 0 && rs->chains[ev->hc[f][h][j - 1]].prio >= c->prio; j--)
					ev->hc[f][h][j] = ev->hc[f][h][j - 1];
				ev->hc[f][h][j] = i;
				n++;
			}
			ev->nhc[f][h] = n;
		}
	return 0;
}

struct nft_eval *nft_eval_new(const struct nft_ruleset *rs, const struct ipt_context *ctx)
{
	struct nft_eval *ev = calloc(1, sizeof(*ev));
	uint32_t i;

	if (!ev)
		return NULL;
	ev->rs = rs;
	ev->ctx = ctx;
	ev->maxworlds = IPT_EVAL_MAX_WORLDS;
	ev->maxdepth = rs->nchains + 2;
	ev->worlds = calloc(ev->maxworlds, sizeof(*ev->worlds));
	ev->frames = calloc((size_t)ev->maxworlds * ev->maxdepth, sizeof(*ev->frames));
	ev->kver = ctx && ctx->kernel ? ctx->kernel : ipt_kernel_running();
	if (!ev->worlds || !ev->frames || build_hooks(ev) < 0 || nft_eval_set_compiled(ev, 1) < 0) {
		nft_eval_free(ev);
		errno = ENOMEM;
		return NULL;
	}
	/* each world keeps its stack (fork_world and the pending loop copy around it) */
	for (i = 0; i < ev->maxworlds; i++)
		ev->worlds[i].stack = ev->frames + (size_t)i * ev->maxdepth;
	return ev;
}

void nft_eval_free(struct nft_eval *ev)
{
	int f, h;

	if (!ev)
		return;
	for (f = 0; f < 2; f++)
		for (h = 0; h < NFT_HOOK_COUNT; h++)
			free(ev->hc[f][h]);
	nft_compiled_free(ev->comp);
	nft_cstate_free(ev->cst);
	free(ev->worlds);
	free(ev->frames);
	free(ev);
}

void nft_eval_set_hook(struct nft_eval *ev, ipt_rule_hook fn, void *arg)
{
	ev->hook = fn;
	ev->hook_arg = arg;
}

void nft_eval_set_hook_nat(struct nft_eval *ev, int on)
{
	ev->hook_nat = on;
}

void nft_eval_set_kernel(struct nft_eval *ev, unsigned kver)
{
	ev->kver = kver;
}

static int spend(struct nft_eval *ev)
{
	if (++ev->steps > IPT_EVAL_MAX_STEPS) {
		ev->limit = IPT_LIMIT_STEPS;
		ev->halt = 1;
	}
	return ev->halt;
}

/* n rules the compiled path skipped: the steps the plain walk spends on them. */
static int spend_skipped(struct nft_eval *ev, uint32_t n)
{
	if (ev->steps + n > IPT_EVAL_MAX_STEPS) {
		ev->steps = IPT_EVAL_MAX_STEPS + 1;
		ev->limit = IPT_LIMIT_STEPS;
		ev->halt = 1;
	} else {
		ev->steps += n;
	}
	return ev->halt;
}

void nft_finish(struct nft_eval *ev, struct nft_world *w, enum ipt_verdict v,
		enum ipt_decider by, uint32_t rule, uint32_t chain, enum ipt_martian mart)
{
	struct ipt_result *res = ev->res;

	w->dead = 1;
	if (w->main) {
		res->verdict = v;
		res->by = by;
		res->rule = rule;
		res->chain = chain;
		res->table = 0;
		res->martian = mart;
		res->uncertain_rule = w->uncertain;
		res->nat.dnat_rule = w->dnat_rule;
		res->nat.snat_rule = w->snat_rule;
		memcpy(res->nat.dst, w->dst, 16);
		res->nat.dport = w->dport;
	}
	res->possible |= IPT_VSET(v);
}

struct nft_world *nft_fork_world(struct nft_eval *ev, struct nft_world *w, uint32_t rule)
{
	struct nft_world *c;
	struct nft_frame *stack;

	if (w->uncertain == IPT_NONE)
		w->uncertain = rule;
	w->maybe = 1;
	if (ev->npending + 1 >= ev->maxworlds) {
		if (ev->limit == IPT_LIMIT_NONE)
			ev->limit = IPT_LIMIT_WORLDS;
		return NULL;
	}
	c = &ev->worlds[++ev->npending];
	stack = c->stack;
	*c = *w;
	c->stack = stack;
	c->main = 0;
	memcpy(c->stack, w->stack, w->depth * sizeof(*w->stack));
	return c;
}

/* The base chain ended with accept (or its policy accept): the next one of the hook. */
static void chain_accept(struct nft_world *w)
{
	w->depth = 0;
	w->hci++;
}

static int policy(struct nft_eval *ev, struct nft_world *w)
{
	const struct nft_chain *c = &ev->rs->chains[w->base_chain];

	if (c->policy == IPT_V_DROP) {
		nft_finish(ev, w, IPT_V_DROP, IPT_BY_POLICY, IPT_NONE, w->base_chain, IPT_MARTIAN_NONE);
		return 1;
	}
	w->acc_chain = w->base_chain;
	chain_accept(w);
	return 0;
}

/* Applies verdict vid of rule id to w. Returns 1 when w is finished. */
static int verdict(struct nft_eval *ev, struct nft_world *w, uint32_t vid, uint32_t id)
{
	const struct nft_ruleset *rs = ev->rs;
	struct nft_world *c;
	const struct nft_verdict *v;

	if (vid == NFT_NONE || rs->verdicts[vid].kind == NFT_V_QUEUE) {
		/* not modelled: may accept, drop or go on */
		if ((c = nft_fork_world(ev, w, id)))
			nft_finish(ev, c, IPT_V_DROP, IPT_BY_RULE, id, rs->rules[id].chain, IPT_MARTIAN_NONE);
		if ((c = nft_fork_world(ev, w, id))) {
			c->acc_rule = id;
			chain_accept(c);
		}
		return 0;
	}
	v = &rs->verdicts[vid];
	switch (v->kind) {
	case NFT_V_ACCEPT:
		w->acc_rule = id;
		chain_accept(w);
		return 0;
	case NFT_V_DROP:
	case NFT_V_REJECT:
		nft_finish(ev, w, v->kind == NFT_V_DROP ? IPT_V_DROP : IPT_V_REJECT, IPT_BY_RULE, id,
		       rs->rules[id].chain, IPT_MARTIAN_NONE);
		return 1;
	case NFT_V_RETURN:
		if (w->depth <= 1)
			return policy(ev, w);
		w->depth--;
		return 0;
	case NFT_V_JUMP:
		if (w->depth >= ev->maxdepth) {
			ev->limit = IPT_LIMIT_STEPS;	/* a loop: the kernel refuses it */
			ev->halt = 1;
			return 1;
		}
		w->stack[w->depth].chain = v->chain;
		w->stack[w->depth].pos = 0;
		w->depth++;
		return 0;
	case NFT_V_GOTO:
		w->stack[w->depth - 1].chain = v->chain;
		w->stack[w->depth - 1].pos = 0;
		return 0;
	default:	/* continue */
		return 0;
	}
}

static void nat(struct nft_eval *ev, struct nft_world *w, const struct nft_stmt *s, uint32_t id)
{
	int fam = ev->pkt->family;

	if (s->kind == NFT_S_SNAT) {
		w->snat_rule = id;
		w->nat_done |= 2;
		return;
	}
	w->dnat_rule = id;
	w->nat_done |= 1;
	if (s->kind == NFT_S_REDIRECT) {
		memset(w->dst, 0, 16);
		if (w->hook == IPT_HOOK_OUTPUT) {
			if (fam == 4)
				w->dst[0] = 127, w->dst[3] = 1;
			else
				w->dst[15] = 1;
		} else {
			w->dst_unk = 1;	/* the incoming interface's primary address */
		}
	} else if (s->has_addr == 1) {
		memcpy(w->dst, s->addr, 16);
		w->dst_unk = 0;
	} else if (s->has_addr == 2) {
		w->dst_unk = 1;
	}
	if (s->has_port && ipt_proto_has_ports(ev->pkt->proto)) {
		w->dport = s->port;
		w->dport_unk = s->has_port == 2;
	}
}

/* A vmap: the element the key finds decides; an unknown key forks one world per element
 * that may be found. Returns 1 when w is finished. */
static int vmap(struct nft_eval *ev, struct nft_world *w, const struct nft_stmt *s, uint32_t id,
		int *brk)
{
	const struct nft_ruleset *rs = ev->rs;
	const struct nft_set *set = &rs->sets[s->set];
	uint8_t key[NFT_KEY_MAX];
	struct nft_world *c;
	uint32_t i;
	int k = nft_key(ev, w, s, key);

	*brk = 1;
	if (k == IPT_NO)
		return 0;
	if (k == IPT_MAYBE || set->unknown) {
		for (i = 0; i < set->n && !set->unknown; i++)
			if ((c = nft_fork_world(ev, w, id)) && verdict(ev, c, rs->elems[set->first + i].verdict, id))
				c->dead = 1;
		if (set->unknown)
			return verdict(ev, w, NFT_NONE, id);
		return 0;	/* this world: no element found */
	}
	for (i = 0; i < set->n; i++)
		if (nft_elem_has(rs, set, &rs->elems[set->first + i], key)) {
			*brk = 0;
			return verdict(ev, w, rs->elems[set->first + i].verdict, id);
		}
	return 0;
}

/* Runs the statements of rule id from absolute index `from`. Returns 1 when w is done. */
static int exec_rule(struct nft_eval *ev, struct nft_world *w, uint32_t id, uint32_t from)
{
	const struct nft_ruleset *rs = ev->rs;
	const struct nft_rule *r = &rs->rules[id];
	struct nft_world *c;
	uint32_t i;
	int m, brk;

	for (i = from; i < r->first + r->n; i++) {
		const struct nft_stmt *s = &rs->stmts[i];

		switch (s->kind) {
		case NFT_S_MATCH:
		case NFT_S_UNKNOWN_MATCH:
		case NFT_S_FIB:
			m = nft_match(ev, w, s);
			if (m == IPT_NO)
				return 0;
			if (m == IPT_MAYBE) {
				if ((c = nft_fork_world(ev, w, id))) {
					c->resume = i + 1;
					c->resume_rule = id;
				}
				return 0;
			}
			break;
		case NFT_S_VERDICT:
			return verdict(ev, w, s->verdict, id);
		case NFT_S_VMAP:
			m = vmap(ev, w, s, id, &brk);
			if (m || brk)
				return m;
			return 0;
		case NFT_S_DNAT:
		case NFT_S_SNAT:
		case NFT_S_REDIRECT:
			if (s->nat_fam && s->nat_fam != ev->pkt->family)
				break;
			if (s->has_addr == 2 || s->has_port == 2) {
				/* address or port from a map: the lookup may fail (the rule
				 * breaks), and what the kernel does with the result is not
				 * modelled (it may drop) */
				if ((c = nft_fork_world(ev, w, id)))
					nft_finish(ev, c, IPT_V_DROP, IPT_BY_RULE, id, r->chain, IPT_MARTIAN_NONE);
				if ((c = nft_fork_world(ev, w, id)))
					c->resume = NFT_NONE;	/* the copy: no nat, the rule ends */
			}
			nat(ev, w, s, id);
			w->acc_rule = id;
			chain_accept(w);	/* NF_ACCEPT */
			return 0;
		case NFT_S_NOTRACK:
			/* nft_notrack_eval: no effect once conntrack attached an entry */
			m = nft_before_conntrack(ev, w);
			if (m == IPT_YES) {
				w->notracked = 1;
				w->ctstate = IPT_CT_UNTRACKED;
			} else if (m == IPT_MAYBE) {
				if (w->uncertain == IPT_NONE)
					w->uncertain = id;
				w->ctstate = IPT_CT_UNKNOWN;
			}
			break;
		default:
			break;
		}
	}
	return 0;
}

/* A kernel step (not a hook). Returns 1 when w is finished. */
static int kernel_step(struct nft_eval *ev, struct nft_world *w, uint8_t st)
{
	const struct ipt_packet *p = ev->pkt;
	enum ipt_martian why = IPT_MARTIAN_NONE;
	struct nft_route_view v;
	int r;

	if (st == ST_V6CHECK) {
		if (p->family != 6 || strcmp(p->in_if, "lo") == 0 ||
		    (why = ipt_v6_rcv_check(p->src, p->dst)) == IPT_MARTIAN_NONE)
			return 0;
		nft_finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, why);
		return 1;
	}
	if (st == ST_DEFRAG) {
		if (!p->fragment || !(ev->rs->ct_fam & nft_fam_bits(p->family)))
			return 0;
		nft_finish(ev, w, IPT_V_DROP, IPT_BY_DEFRAG, IPT_NONE, IPT_NONE, IPT_MARTIAN_NONE);
		return 1;
	}
	nft_route_view(ev, w, &v);
	if (nft_input_reroute(ev, w, &v))
		return 1;
	if (strcmp(p->in_if, "lo") == 0)
		return nft_forward_step(ev, w);
	v.w.path = w->path;
	r = p->family == 4 ? ipt_route_check(&v.ev, &v.w, &why) : ipt_route_check6(&v.ev, &v.w, &why);
	if (nft_martian_step(ev, w, r, why))
		return 1;
	return nft_forward_step(ev, w);
}

/* Enters the next base chain of w's hook, or returns 0 with depth 0 when a chain is
 * skipped (nat chains: only a connection's first packet, until a binding is made). */
static void enter_chain(struct nft_eval *ev, struct nft_world *w, uint32_t chain)
{
	const struct nft_chain *c = &ev->rs->chains[chain];
	int dst_manip = w->hook == IPT_HOOK_PREROUTING || w->hook == IPT_HOOK_OUTPUT;
	struct nft_world *f;

	w->hci++;
	if (c->type == 1) {
		if (!(ev->rs->ct_fam & nft_fam_bits(ev->pkt->family)))
			return;	/* no conntrack, no nat (nf_nat_inet_fn) */
		if (w->path == IPT_PATH_LOOPBACK &&
		    (w->hook == IPT_HOOK_PREROUTING || w->hook == IPT_HOOK_INPUT))
			return;	/* bindings made on output are kept over lo */
		if (w->nat_done & (dst_manip ? 1 : 2))
			return;
		if (w->ctstate == IPT_CT_UNKNOWN) {
			if (c->n == 0)
				return;
			if ((f = nft_fork_world(ev, w, c->first)))
				f->ctstate = IPT_CT_ESTABLISHED;
		} else if (ev->pkt->nat_replay && w->ctstate == IPT_CT_ESTABLISHED) {
			w->replay = 1;	/* the first packet's bindings, found again */
			w->ctstate = IPT_CT_NEW;
		} else if (!ipt_ct_runs_nat(w->ctstate, ev->pkt->proto)) {
			return;
		}
	}
	w->hci--;	/* chain_accept() moves on */
	w->base_chain = chain;
	w->depth = 1;
	w->stack[0].chain = chain;
	w->stack[0].pos = 0;
}

/* depth 0: the next base chain of the hook, or the next stage. Returns 1 when done. */
static int next_step(struct nft_eval *ev, struct nft_world *w)
{
	const struct nft_ruleset *rs = ev->rs;
	int fi = ev->pkt->family == 6;
	uint8_t st;

	if (w->replay) {	/* the nat chain walked again is done */
		w->replay = 0;
		w->ctstate = IPT_CT_ESTABLISHED;
	}
	if (w->hook == IPT_HOOK_OUTPUT && nft_nat_reroute(ev, w, w->hci >= ev->nhc[fi][w->hook]) < 0) {
		nft_finish(ev, w, IPT_V_DROP, IPT_BY_MARTIAN, IPT_NONE, IPT_NONE, IPT_MARTIAN_REROUTE_LOOPBACK);
		return 1;
	}
	/* an ingress chain sees the packets of its devices only; when they are not known
	 * (nft 1.0.6 lists no device in JSON), it may or may not */
	while (w->hook == NFT_HOOK_INGRESS && w->hci < ev->nhc[fi][w->hook]) {
		const struct nft_chain *c = &rs->chains[ev->hc[fi][w->hook][w->hci]];
		struct nft_world *skip;

		if (!c->devs) {
			if ((skip = nft_fork_world(ev, w, c->n ? c->first : IPT_NONE)))
				skip->hci++;
			break;
		}
		if (nft_devs_has(c->devs, w->path == IPT_PATH_LOOPBACK ? "lo" : ev->pkt->in_if))
			break;
		w->hci++;
	}
	if (w->hook >= 0 && w->hci < ev->nhc[fi][w->hook]) {
		enter_chain(ev, w, ev->hc[fi][w->hook][w->hci]);
		return 0;
	}
	w->hook = -1;
	st = stages[w->path][w->stage];
	if (st == ST_END) {
		if (w->acc_rule != IPT_NONE)
			nft_finish(ev, w, IPT_V_ACCEPT, IPT_BY_RULE, w->acc_rule, rs->rules[w->acc_rule].chain,
			       IPT_MARTIAN_NONE);
		else if (w->acc_chain != IPT_NONE)
			nft_finish(ev, w, IPT_V_ACCEPT, IPT_BY_POLICY, IPT_NONE, w->acc_chain, IPT_MARTIAN_NONE);
		else
			nft_finish(ev, w, IPT_V_ACCEPT, IPT_BY_PATH_END, IPT_NONE, IPT_NONE, IPT_MARTIAN_NONE);
		return 1;
	}
	w->stage++;
	if (st >= ST_V6CHECK)
		return kernel_step(ev, w, st);
	w->hook = (int8_t)st;
	w->hci = 0;
	return 0;
}

static void run_world(struct nft_eval *ev, struct nft_world *w)
{
	const struct nft_ruleset *rs = ev->rs;

	while (!spend(ev)) {
		const struct nft_chain *c;
		const struct nft_rule *r;
		struct nft_frame *f;
		struct nft_world *cp;
		uint32_t id, i;
		int m;

		if (w->resume != NFT_NONE) {
			id = w->resume_rule;
			i = w->resume;
			w->resume = NFT_NONE;
			if (exec_rule(ev, w, id, i))
				return;
			continue;
		}
		if (w->depth == 0) {
			if (next_step(ev, w))
				return;
			continue;
		}
		f = &w->stack[w->depth - 1];
		c = &rs->chains[f->chain];
		if (ev->comp && f->pos < c->n) {
			uint32_t next = nft_compiled_next(ev, w, f->chain, f->pos);

			if (next > f->pos && spend_skipped(ev, next - f->pos))
				return;
			f->pos = next;
		}
		if (f->pos >= c->n) {
			if (w->depth > 1)
				w->depth--;
			else if (policy(ev, w))
				return;
			continue;
		}
		id = c->first + f->pos++;
		r = &rs->rules[id];
		ev->examined++;
		if ((r->need_fam && r->need_fam != ev->pkt->family) ||
		    (r->need_proto && (r->need_proto != ev->pkt->proto || ev->pkt->fragment)))
			continue;
		for (m = IPT_YES, i = r->first; i < r->first + r->hitpos && m != IPT_NO; i++) {
			int v = nft_match(ev, w, &rs->stmts[i]);

			m = v == IPT_NO ? IPT_NO : v == IPT_MAYBE ? IPT_MAYBE : m;
		}
		if (m == IPT_NO)
			continue;
		if (ev->hook && !w->replay)
			ev->hook(ev->hook_arg, id, (m == IPT_MAYBE || w->maybe ? IPT_MAYBE : IPT_YES) |
				 (ev->hook_nat && rs->chains[w->base_chain].type == 1 ? IPT_HIT_NAT : 0));
		/* a rule that only counts or logs goes on the same way, matched or not */
		if (m == IPT_MAYBE && !r->tail_nop) {
			if ((cp = nft_fork_world(ev, w, id))) {
				cp->resume = r->first + r->hitpos;
				cp->resume_rule = id;
			}
			continue;
		}
		if (exec_rule(ev, w, id, r->first + r->hitpos))
			return;
	}
}

int nft_eval_packet(struct nft_eval *ev, const struct ipt_packet *pkt, struct ipt_result *res)
{
	struct nft_world *w;
	struct nft_frame *stack0;
	struct ipt_packet q;
	unsigned bits;

	if ((pkt->family != 4 && pkt->family != 6) || pkt->path >= IPT_PATH_COUNT ||
	    pkt->ctstate > IPT_CT_UNKNOWN || pkt->pkttype > IPT_PKT_UNKNOWN ||
	    !memchr(pkt->in_if, '\0', IPT_IFNAMSIZ) || !memchr(pkt->out_if, '\0', IPT_IFNAMSIZ)) {
		errno = EINVAL;
		return -1;
	}
	memset(res, 0, sizeof(*res));
	res->rule = res->chain = res->uncertain_rule = IPT_NONE;
	ev->pkt = pkt;
	ev->pkt = nft_forward_iif(ev, &q);	/* a forwarded one's in_if, when not given */
	ev->res = res;
	ev->limit = IPT_LIMIT_NONE;
	ev->halt = 0;
	ev->steps = 0;
	ev->npending = 0;
	w = &ev->worlds[0];
	stack0 = w->stack;
	memset(w, 0, sizeof(*w));
	w->stack = stack0;
	w->main = 1;
	w->hook = -1;
	w->path = pkt->path;
	w->ctstate = pkt->ctstate;
	memcpy(w->dst, pkt->dst, 16);
	w->dport = pkt->dport;
	w->dport_unk = (pkt->unknown & IPT_UNK_DPORT) != 0;
	w->resume = w->resume_rule = NFT_NONE;
	w->dnat_rule = w->snat_rule = w->uncertain = w->acc_rule = w->acc_chain = IPT_NONE;
	nft_forward_oif(ev, w);
	w->base_chain = IPT_NONE;
	run_world(ev, w);
	while (ev->npending > 0 && !ev->halt) {
		struct nft_world *top = &ev->worlds[ev->npending];

		ev->npending--;
		if (top->dead)
			continue;
		ev->worlds[0] = *top;
		ev->worlds[0].stack = stack0;
		memcpy(stack0, top->stack, top->depth * sizeof(*stack0));
		run_world(ev, &ev->worlds[0]);
	}
	res->steps = ev->steps;
	res->limit = (enum ipt_limit)ev->limit;
	if (res->limit != IPT_LIMIT_NONE) {
		snprintf(res->reason, sizeof(res->reason), "evaluation bound reached");
		res->possible |= IPT_VSET_ACCEPT | IPT_VSET_DROP | IPT_VSET_REJECT;
	}
	bits = res->possible;
	if (bits & (bits - 1)) {
		res->verdict = IPT_V_UNKNOWN;
		res->by = IPT_BY_UNKNOWN;
	}
	return 0;
}
