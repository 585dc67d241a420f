/* This file answers, for `check`, which earlier rule of the same nftables chain takes all
 * the traffic of a rule (shadowing), conservatively: the earlier rule must end the chain
 * (accept, drop, reject, return, goto) and hold no statement the model cannot decide, each
 * of its matches must be implied by a match of the later rule on the same key and mask
 * (the later one admits a subset of the values the earlier one admits), and the rules in
 * between (and the chains they jump to) must not change what the later rule reads (no
 * notrack, no mangle). Anything not proven means "not shown", never a claim.
 *
 * A match reads its key through an implicit protocol dependency (ip saddr needs IPv4,
 * tcp dport TCP and no fragment: nft_match.c); two matches on the same key share it, so
 * comparing the admitted values is enough, whatever the family of an inet table. The
 * hidden dependency of a family-specific reject (need_fam, need_proto) must be implied by
 * the later rule too. Named sets are taken as listed, as the evaluator takes them. */
#include "policy/nft_int.h"

#include <stddef.h>
#include <string.h>

#define SHADOW_WORK (1u << 22)	/* element comparisons and rules examined per question */
#define SHADOW_DEPTH 8		/* chains followed through jumps from the rules in between */
#define SHADOW_OWN 8		/* intervals a flags match expands to */

struct sctx {
	const struct nft_ruleset *rs;
	uint64_t work;
};

/* The values a match admits: intervals (neg: all but them), or, for `tcp flags in a|b`,
 * any bit of a mask. */
struct adm {
	const struct nft_elem *el;
	uint32_t n;
	uint8_t neg, bits, mask;
	struct nft_elem own[SHADOW_OWN];
};

static int spend(struct sctx *c)
{
	return ++c->work > SHADOW_WORK;
}

/* The admitted values of match s into a; -1 when not modelled well enough to compare. */
static int admitted(const struct sctx *c, const struct nft_stmt *s, struct adm *a)
{
	const struct nft_ruleset *rs = c->rs;
	const struct nft_set *set;
	int i, len;

	memset(a, 0, offsetof(struct adm, own));
	if (s->kind != NFT_S_MATCH || s->nkeys < 1 || s->nkeys > NFT_CONCAT_MAX || s->set >= rs->nsets)
		return -1;
	set = &rs->sets[s->set];
	if (set->unknown || set->is_map || set->nfields != s->nkeys || set->first > rs->nelems ||
	    set->n > rs->nelems - set->first)
		return -1;
	for (i = 0; i < s->nkeys; i++)
		if (s->key[i] >= NF_COUNT || set->flen[i] != nft_field_len(s->key[i]))
			return -1;
	len = nft_field_len(s->key[0]);
	a->el = &rs->elems[set->first];
	a->n = set->n;
	if (s->op == NFT_OP_IN && s->nkeys == 1 && set->n == 1 && !set->name &&
	    (s->key[0] == NF_CT_STATE || s->key[0] == NF_TCP_FLAGS)) {
		/* nft_match's bit test: any bit of the element */
		const uint8_t *m = a->el->lo;

		if (s->has_mask)
			return -1;
		if (s->key[0] == NF_TCP_FLAGS) {
			a->bits = 1;
			a->mask = m[0];
			return 0;
		}
		/* the ct state key holds one bit (in its last byte): a set of single values */
		if (m[0] || m[1] || m[2])
			return -1;
		a->el = a->own;
		a->n = 0;
		for (i = 0; i < 8; i++)
			if (m[3] >> i & 1) {
				if (a->n >= SHADOW_OWN)
					return -1;
				memset(&a->own[a->n], 0, sizeof(a->own[0]));
				a->own[a->n].lo[3] = a->own[a->n].hi[3] = (uint8_t)(1u << i);
				a->n++;
			}
		return 0;
	}
	if (s->op == NFT_OP_EQ || s->op == NFT_OP_IN)
		return 0;
	if (s->op == NFT_OP_NE) {
		a->neg = 1;
		return 0;
	}
	/* <, >, <=, >= against one value (nft_match: anything else is undecided) */
	if (s->nkeys != 1 || set->n != 1 || s->op > NFT_OP_GE)
		return -1;
	a->el = a->own;
	a->n = 1;
	memset(&a->own[0], 0, sizeof(a->own[0]));
	memcpy(a->own[0].lo, rs->elems[set->first].lo, (size_t)len);
	memcpy(a->own[0].hi, rs->elems[set->first].lo, (size_t)len);
	if (s->op == NFT_OP_LT || s->op == NFT_OP_LE)
		memset(a->own[0].lo, 0, (size_t)len);
	else
		memset(a->own[0].hi, 0xff, (size_t)len);
	if (s->op == NFT_OP_LT || s->op == NFT_OP_GT) {
		/* the value itself is out: step the open end by one, or nothing is admitted */
		uint8_t *v = s->op == NFT_OP_LT ? a->own[0].hi : a->own[0].lo;
		uint8_t edge = s->op == NFT_OP_LT ? 0x00 : 0xff;

		for (i = len - 1; i >= 0 && v[i] == edge; i--)
			v[i] = (uint8_t)~edge;
		if (i < 0)
			a->n = 0;
		else
			v[i] = (uint8_t)(s->op == NFT_OP_LT ? v[i] - 1 : v[i] + 1);
	}
	return 0;
}

/* Whether [lo, hi] (one field of len bytes) lies in the union of the intervals of x and y. */
static int covered(struct sctx *c, const uint8_t *lo, const uint8_t *hi, size_t len,
		   const struct adm *x, const struct adm *y)
{
	uint8_t cur[NFT_FLEN_MAX];
	const struct adm *lists[2] = {x, y};
	uint32_t i, k;
	int b;

	if (memcmp(lo, hi, len) > 0)
		return 0;
	memcpy(cur, lo, len);
	for (;;) {
		const uint8_t *best = NULL;

		for (k = 0; k < 2; k++)
			for (i = 0; lists[k] && i < lists[k]->n; i++) {
				const struct nft_elem *e = &lists[k]->el[i];

				if (spend(c))
					return 0;
				if (memcmp(e->lo, cur, len) <= 0 && memcmp(cur, e->hi, len) <= 0 &&
				    (!best || memcmp(e->hi, best, len) > 0))
					best = e->hi;
			}
		if (!best)
			return 0;
		if (memcmp(best, hi, len) >= 0)
			return 1;
		/* best < hi: the value after best is the next one to cover */
		memcpy(cur, best, len);
		for (b = (int)len - 1; b >= 0 && cur[b] == 0xff; b--)
			cur[b] = 0;
		if (b < 0)
			return 0;
		cur[b]++;
	}
}

/* Per field of a concatenation: whether box in lies inside box out / is disjoint from it. */
static int box_in(const struct nft_stmt *s, const struct nft_elem *in, const struct nft_elem *out)
{
	int i, off = 0;

	for (i = 0; i < s->nkeys; i++) {
		size_t len = (size_t)nft_field_len(s->key[i]);

		if (memcmp(out->lo + off, in->lo + off, len) > 0 || memcmp(in->hi + off, out->hi + off, len) > 0 ||
		    memcmp(in->lo + off, in->hi + off, len) > 0)
			return 0;
		off += (int)len;
	}
	return 1;
}

static int box_apart(const struct nft_stmt *s, const struct nft_elem *a, const struct nft_elem *b)
{
	int i, off = 0;

	for (i = 0; i < s->nkeys; i++) {
		size_t len = (size_t)nft_field_len(s->key[i]);

		if (memcmp(a->hi + off, b->lo + off, len) < 0 || memcmp(b->hi + off, a->lo + off, len) < 0)
			return 1;
		off += (int)len;
	}
	return 0;
}

/* Whether every element of sub lies in the union of sup (one field) or in one element of
 * it (a concatenation: sufficient, not necessary). */
static int subset(struct sctx *c, const struct nft_stmt *s, const struct adm *sub, const struct adm *sup)
{
	uint32_t i, j;

	for (i = 0; i < sub->n; i++) {
		int in = 0;

		if (s->nkeys == 1) {
			if (!covered(c, sub->el[i].lo, sub->el[i].hi, (size_t)nft_field_len(s->key[0]), sup, NULL))
				return 0;
			continue;
		}
		for (j = 0; j < sup->n && !in; j++) {
			if (spend(c))
				return 0;
			in = box_in(s, &sub->el[i], &sup->el[j]);
		}
		if (!in)
			return 0;
	}
	return 1;
}

/* Whether every packet later match l admits, earlier match e admits too. */
static int implies(struct sctx *c, const struct nft_stmt *e, const struct nft_stmt *l)
{
	struct adm ae, al;
	uint8_t top[NFT_FLEN_MAX], zero[NFT_FLEN_MAX] = {0};
	uint32_t i, j;
	int len;

	if (e->nkeys != l->nkeys || memcmp(e->key, l->key, e->nkeys) || e->has_mask != l->has_mask)
		return 0;
	if (admitted(c, e, &ae) < 0 || admitted(c, l, &al) < 0)
		return 0;
	len = nft_field_len(e->key[0]);
	if (e->has_mask && memcmp(e->mask, l->mask, (size_t)len))
		return 0;
	if (ae.bits || al.bits)
		return ae.bits && al.bits && al.mask && !(al.mask & ~ae.mask);
	if (!ae.neg && !al.neg)
		return subset(c, e, &al, &ae);
	if (ae.neg && al.neg)
		return subset(c, e, &ae, &al);	/* all but S_L within all but S_E */
	if (ae.neg) {
		/* l's values avoid every value e excludes */
		for (i = 0; i < al.n; i++)
			for (j = 0; j < ae.n; j++)
				if (spend(c) || !box_apart(e, &al.el[i], &ae.el[j]))
					return 0;
		return 1;
	}
	/* all but S_L within S_E: S_E and S_L together cover every value (one field) */
	if (e->nkeys != 1)
		return 0;
	memset(top, 0xff, sizeof(top));
	return covered(c, zero, top, (size_t)len, &ae, &al);
}

/* The family (4, 6) or transport (6: TCP) a match on field f implies, 0 none. */
static int fam_of(int f)
{
	if (f == NF_IP_SADDR || f == NF_IP_DADDR || f == NF_IP_PROTO || f == NF_ICMP_TYPE ||
	    f == NF_ICMP_CODE)
		return 4;
	if (f == NF_IP6_SADDR || f == NF_IP6_DADDR || f == NF_IP6_NH || f == NF_ICMP6_TYPE ||
	    f == NF_ICMP6_CODE)
		return 6;
	return 0;
}

static int is_tcp(int f)
{
	return f == NF_TCP_SPORT || f == NF_TCP_DPORT || f == NF_TCP_FLAGS;
}

/* Whether the later rule l meets the hidden dependency of the earlier rule e. */
static int deps_met(const struct nft_ruleset *rs, const struct nft_rule *e, const struct nft_rule *l)
{
	int fam = rs->tables[rs->chains[l->chain].table].fam, ok_fam, ok_proto;
	uint32_t i, k;

	ok_fam = !e->need_fam || fam == e->need_fam || l->need_fam == e->need_fam;
	ok_proto = !e->need_proto || (e->need_proto == 6 && l->need_proto == 6);
	for (i = l->first; i < l->first + l->hitpos && (!ok_fam || !ok_proto); i++) {
		const struct nft_stmt *s = &rs->stmts[i];

		if (s->kind != NFT_S_MATCH)
			continue;
		for (k = 0; k < s->nkeys && k < NFT_CONCAT_MAX; k++) {
			ok_fam |= e->need_fam && fam_of(s->key[k]) == e->need_fam;
			ok_proto |= e->need_proto == 6 && is_tcp(s->key[k]);
		}
	}
	return ok_fam && ok_proto;
}

/* Whether verdict v ends the chain for a packet: accept, drop, reject, return, goto. */
static int terminal(const struct nft_ruleset *rs, uint32_t v)
{
	uint8_t k;

	if (v >= rs->nverdicts)
		return 0;
	k = rs->verdicts[v].kind;
	return k == NFT_V_ACCEPT || k == NFT_V_DROP || k == NFT_V_REJECT || k == NFT_V_RETURN ||
	       k == NFT_V_GOTO;
}

/* Whether e takes every packet of l that reaches it. */
static int takes(struct sctx *c, const struct nft_rule *e, const struct nft_rule *l)
{
	const struct nft_ruleset *rs = c->rs;
	uint32_t i, j;
	int found;

	if (e->unknown || !deps_met(rs, e, l))
		return 0;
	for (i = e->first; i < e->first + e->n; i++) {
		const struct nft_stmt *s = &rs->stmts[i];

		if (s->kind == NFT_S_VERDICT)
			return terminal(rs, s->verdict);
		if (s->kind == NFT_S_NOP)
			continue;	/* counter, log (e->unknown is 0: no mangle) */
		if (s->kind != NFT_S_MATCH)
			return 0;
		for (j = l->first, found = 0; j < l->first + l->hitpos && !found; j++) {
			if (spend(c))
				return 0;
			found = rs->stmts[j].kind == NFT_S_MATCH && implies(c, s, &rs->stmts[j]);
		}
		if (!found)
			return 0;
	}
	return 0;	/* no verdict: the packet goes on */
}

/* The one statement an otherwise plain rule may hold without changing what later rules
 * read: a match or a limit the model cannot decide, or a nat from a map (the nat ends
 * the chain or does nothing). */
static int harmless(const char *what)
{
	static const char *const ok[] = {
		"limit", "quota", "fib", "connlimit", "payload", "meta", "ct", "value",
		"bitwise", "rt", "socket", "osf", "ipsec", "exthdr", "numgen", "jhash", "symhash",
		"hash", "tcp option", "sctp chunk", "dccp option", "concat", "expression", "last",
		"map", "nat map", NULL};
	int i;

	for (i = 0; what && ok[i]; i++)
		if (!strcmp(ok[i], what))
			return 1;
	return 0;
}

static int chain_clean(struct sctx *c, uint32_t chain, int depth);

/* Whether a packet that goes through verdict v comes back unchanged. */
static int verdict_clean(struct sctx *c, uint32_t v, int depth)
{
	const struct nft_ruleset *rs = c->rs;

	if (v >= rs->nverdicts || rs->verdicts[v].kind == NFT_V_QUEUE)
		return 0;
	if (rs->verdicts[v].kind == NFT_V_JUMP || rs->verdicts[v].kind == NFT_V_GOTO)
		return chain_clean(c, rs->verdicts[v].chain, depth + 1);
	return 1;
}

/* Whether rule r leaves what a later rule of its chain reads as it was. */
static int rule_clean(struct sctx *c, const struct nft_rule *r, int depth)
{
	const struct nft_ruleset *rs = c->rs;
	uint32_t i, k;

	if (spend(c) || r->unknown > 1 || (r->unknown == 1 && !harmless(r->unknown_what)))
		return 0;
	for (i = r->first; i < r->first + r->n; i++) {
		const struct nft_stmt *s = &rs->stmts[i];
		const struct nft_set *set;

		if (s->kind == NFT_S_NOTRACK)
			return 0;
		if (s->kind == NFT_S_VERDICT && !verdict_clean(c, s->verdict, depth))
			return 0;
		if (s->kind != NFT_S_VMAP)
			continue;
		if (s->set >= rs->nsets || (set = &rs->sets[s->set])->unknown ||
		    set->first > rs->nelems || set->n > rs->nelems - set->first)
			return 0;
		for (k = 0; k < set->n; k++)
			if (!verdict_clean(c, rs->elems[set->first + k].verdict, depth))
				return 0;
	}
	return 1;
}

static int chain_clean(struct sctx *c, uint32_t chain, int depth)
{
	const struct nft_chain *ch;
	uint32_t i;

	if (depth > SHADOW_DEPTH || chain >= c->rs->nchains)
		return 0;
	ch = &c->rs->chains[chain];
	for (i = 0; i < ch->n; i++)
		if (!rule_clean(c, &c->rs->rules[ch->first + i], depth))
			return 0;
	return 1;
}

uint32_t nft_rule_shadowed_by(const struct nft_ruleset *rs, uint32_t rule)
{
	struct sctx c = {rs, 0};
	const struct nft_chain *ch;
	const struct nft_rule *l;
	uint32_t from, i;

	if (!rs || rule >= rs->nrules)
		return NFT_NONE;
	l = &rs->rules[rule];
	if (l->chain >= rs->nchains)
		return NFT_NONE;
	ch = &rs->chains[l->chain];
	if (ch->table >= rs->ntables || rs->tables[ch->table].fam == 0 || rule < ch->first ||
	    rule - ch->first >= ch->n)
		return NFT_NONE;
	/* the earliest candidate: every rule between it and l leaves the packet as it was */
	for (from = rule; from > ch->first && rule_clean(&c, &rs->rules[from - 1], 0); from--)
		;
	if (from > ch->first)
		from--;		/* the rule that may change the packet can still take it first */
	for (i = from; i < rule; i++)
		if (takes(&c, &rs->rules[i], l))
			return c.work > SHADOW_WORK ? NFT_NONE : i;
	return NFT_NONE;
}
