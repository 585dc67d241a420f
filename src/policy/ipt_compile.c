/* This file compiles a parsed ruleset into per-chain pre-filters so that the evaluator
 * visits only the rules that can match a packet: a bitset of rules per protocol, hash
 * tables of source and destination prefixes (one probe per prefix length the chain uses)
 * and a sorted index of destination ports. A rule is left out of a candidate set only when
 * its core options (-p, -s, -d) or a non-inverted --dport / multiport --dports say "no" for
 * certain, which the exact matcher (ipt_rule_matches) would say too; every candidate is
 * still decided by that matcher, so verdicts, hook calls and rule ids do not change. */
#include "policy/ipt_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CC_MIN_RULES 12		/* shorter chains are walked plainly */
#define PORT_ENTRIES_MAX (1u << 22)	/* interval-list budget of one chain's port index */
#define PORT_SPAN_FALLBACK 1024	/* over budget: wider ranges are not indexed */

/* A (prefix length, masked address) -> rules hash table. Slots with cnt 0 are empty. */
struct pfx_slot {
	uint8_t addr[16];
	uint8_t plen;
	uint32_t off, cnt;	/* rules[off .. off+cnt) */
};

struct pfx_index {
	uint8_t nlens;
	uint8_t lens[129];	/* distinct prefix lengths, longest first */
	uint32_t mask;		/* slots - 1 (power of two) */
	struct pfx_slot *slots;
	uint32_t *rules;	/* chain-relative rule offsets */
};


/* The pre-filter of one chain. Bitsets have `words` 64-bit words, bit i = rule first+i. */
struct cchain {
	uint32_t n, words;
	uint64_t *proto;	/* 256 bitsets: rules whose -p allows protocol p */
	uint64_t *src_wild;	/* rules not constrained by an indexed -s */
	uint64_t *dst_wild;
	uint64_t *dport_wild;	/* rules not constrained by an indexed destination port */
	struct pfx_index src, dst;
	/* destination ports: elementary intervals [bnd[k], bnd[k+1]) with the rules whose
	 * ranges cover them, irules[ioff[k] .. ioff[k+1]) */
	uint32_t nbnd;		/* 0: no rule indexed */
	uint32_t *bnd;
	uint32_t *ioff;
	uint32_t *irules;
};

struct ipt_compiled {
	const struct ipt_ruleset *rs;
	uint32_t nchains;
	struct cchain **chains;	/* NULL for chains walked plainly */
	size_t bytes;
};

/* Per-evaluator cache of candidate sets, one per compiled chain. */
struct ccache {
	uint64_t gen;
	uint8_t dst[16];
	uint16_t dport;
	uint8_t dport_unk;
	uint64_t *bits;
};

struct ipt_cstate {
	struct ccache *cache;	/* per chain id */
	uint64_t *tmp;		/* scratch: 3 bitsets of the largest chain */
	uint64_t *block;	/* the cache bitsets of every compiled chain */
	uint32_t maxwords;
};

static void *track(struct ipt_compiled *cp, size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (p)
		cp->bytes += n * size;
	return p;
}

static void setbit(uint64_t *b, uint32_t i)
{
	b[i >> 6] |= 1ull << (i & 63);
}

/* ---- prefix index ---- */

static uint32_t hash_key(const uint8_t *a, uint8_t plen, size_t alen)
{
	uint32_t h = 2166136261u ^ plen;
	size_t i;

	for (i = 0; i < alen; i++)
		h = (h ^ a[i]) * 16777619u;
	return h ^ (h >> 15);
}

static void mask_addr(const uint8_t *a, unsigned plen, size_t alen, uint8_t *out)
{
	size_t i;

	memset(out, 0, 16);
	for (i = 0; i < alen; i++) {
		unsigned bits = plen >= (i + 1) * 8 ? 8 : plen > i * 8 ? plen - (unsigned)i * 8 : 0;

		out[i] = bits ? (uint8_t)(a[i] & (uint8_t)(0xff << (8 - bits))) : 0;
	}
}

static struct pfx_slot *pfx_find(const struct pfx_index *x, const uint8_t *a, uint8_t plen,
				 size_t alen)
{
	uint32_t h = hash_key(a, plen, alen) & x->mask;

	for (;;) {
		struct pfx_slot *s = &x->slots[h];

		if (s->cnt == 0 || (s->plen == plen && memcmp(s->addr, a, alen) == 0))
			return s;
		h = (h + 1) & x->mask;
	}
}

/* Whether rule r's -s (side 0) or -d (side 1) is indexable: given, not inverted, a
 * contiguous mask longer than 0. */
static int net_indexable(const struct ipt_rule *r, int side)
{
	const struct ipt_net *n = side ? &r->dst : &r->src;
	int has = side ? r->has_dst : r->has_src;
	uint8_t inv = side ? IPT_INV_DST : IPT_INV_SRC;

	return has && !(r->inv & inv) && n->plen > 0;
}

/* The slot of rule r's source (side 0) or destination (1) prefix in x, or NULL when the
 * prefix is not indexed. */
static struct pfx_slot *rule_slot(const struct pfx_index *x, const struct ipt_rule *r, int side,
				  size_t alen)
{
	const struct ipt_net *net = side ? &r->dst : &r->src;

	if (!net_indexable(r, side))
		return NULL;
	return pfx_find(x, net->addr, (uint8_t)net->plen, alen);
}

static int pfx_build(struct ipt_compiled *cp, struct pfx_index *x, const struct ipt_rule *rules,
		     uint32_t n, int side, size_t alen, uint64_t *wild)
{
	uint32_t i, cnt = 0, slots = 16, s, off = 0, *fill;
	uint8_t seen[129] = {0};
	int l;

	for (i = 0; i < n; i++) {
		if (net_indexable(&rules[i], side)) {
			cnt++;
			seen[(side ? rules[i].dst : rules[i].src).plen] = 1;
		} else {
			setbit(wild, i);
		}
	}
	for (l = 128; l >= 1; l--)
		if (seen[l])
			x->lens[x->nlens++] = (uint8_t)l;
	while (slots < cnt * 2)
		slots <<= 1;
	x->mask = slots - 1;
	x->slots = track(cp, slots, sizeof(*x->slots));
	x->rules = track(cp, cnt, sizeof(*x->rules));
	if (!x->slots || !x->rules)
		return -1;
	fill = calloc(slots, sizeof(*fill));
	if (!fill)
		return -1;
	/* count per key, then offsets, then fill */
	for (i = 0; i < n; i++) {
		const struct ipt_net *net = side ? &rules[i].dst : &rules[i].src;
		struct pfx_slot *sl = rule_slot(x, &rules[i], side, alen);

		if (!sl)
			continue;
		if (sl->cnt == 0) {
			memcpy(sl->addr, net->addr, alen);
			sl->plen = (uint8_t)net->plen;
		}
		sl->cnt++;
	}
	for (s = 0; s < slots; s++) {
		x->slots[s].off = off;
		off += x->slots[s].cnt;
	}
	for (i = 0; i < n; i++) {
		struct pfx_slot *sl = rule_slot(x, &rules[i], side, alen);

		if (sl)
			x->rules[sl->off + fill[sl - x->slots]++] = i;
	}
	free(fill);
	return 0;
}

/* Sets, in hits, the rules of x whose prefix contains a. */
static void pfx_lookup(const struct pfx_index *x, const uint8_t *a, size_t alen, uint64_t *hits)
{
	uint8_t key[16];
	unsigned k;

	for (k = 0; k < x->nlens; k++) {
		const struct pfx_slot *s;
		uint32_t j;

		mask_addr(a, x->lens[k], alen, key);
		s = pfx_find(x, key, x->lens[k], alen);
		for (j = 0; j < s->cnt; j++)
			setbit(hits, x->rules[s->off + j]);
	}
}

/* ---- destination port index ---- */

/* The destination port ranges that bound rule r (a non-inverted --dport, or multiport
 * --dports); *nr 0 when none. */
static void rule_dports(const struct ipt_rule *r, const struct ipt_prange **rg, unsigned *nr)
{
	uint16_t k;

	*nr = 0;
	for (k = 0; k < r->nm; k++) {
		const struct ipt_match *m = &r->m[k];

		if (ipt_mkind_l4(m->kind) && (m->have & IPT_MO_DPORT) && !(m->inv & IPT_MO_DPORT)) {
			*rg = &m->u.l4.dport;
			*nr = 1;
			return;
		}
		if (m->kind == IPT_M_MULTIPORT && m->have == IPT_MO_DPORT && !m->inv &&
		    m->u.mport.n > 0) {
			*rg = m->u.mport.r;
			*nr = m->u.mport.n;
			return;
		}
	}
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static unsigned span(const struct ipt_prange *rg, unsigned nr)
{
	unsigned k, s = 0;

	for (k = 0; k < nr; k++)
		s += (unsigned)rg[k].hi - rg[k].lo + 1;
	return s;
}

/* Index of the interval holding port: the last k with bnd[k] <= port. */
static uint32_t bnd_find(const uint32_t *bnd, uint32_t n, uint32_t port)
{
	uint32_t lo = 0, hi = n;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (bnd[mid] <= port)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static int ports_build(struct ipt_compiled *cp, struct cchain *cc, const struct ipt_rule *rules)
{
	unsigned maxspan = 65536;
	uint32_t i, nb = 0, *fill = NULL;
	uint64_t total;
	int pass;

	cc->bnd = track(cp, (size_t)cc->n * 2 * IPT_MPORT_MAX + 1, sizeof(uint32_t));
	if (!cc->bnd)
		return -1;
	for (pass = 0; pass < 2; pass++) {
		nb = 0;
		cc->bnd[nb++] = 0;
		for (i = 0; i < cc->n; i++) {
			const struct ipt_prange *rg;
			unsigned nr, k;

			rule_dports(&rules[i], &rg, &nr);
			if (!nr || span(rg, nr) > maxspan)
				continue;
			for (k = 0; k < nr; k++) {
				cc->bnd[nb++] = rg[k].lo;
				cc->bnd[nb++] = (uint32_t)rg[k].hi + 1;
			}
		}
		qsort(cc->bnd, nb, sizeof(uint32_t), u32_cmp);
		{
			uint32_t j, u = 0;

			for (j = 0; j < nb; j++)
				if (u == 0 || cc->bnd[u - 1] != cc->bnd[j])
					cc->bnd[u++] = cc->bnd[j];
			nb = u;
		}
		total = 0;
		for (i = 0; i < cc->n; i++) {
			const struct ipt_prange *rg;
			unsigned nr, k;

			rule_dports(&rules[i], &rg, &nr);
			if (!nr || span(rg, nr) > maxspan)
				continue;
			for (k = 0; k < nr; k++)
				total += bnd_find(cc->bnd, nb, rg[k].hi) + 1 -
					 bnd_find(cc->bnd, nb, rg[k].lo);
		}
		if (total <= PORT_ENTRIES_MAX)
			break;
		maxspan = PORT_SPAN_FALLBACK;
	}
	cc->nbnd = nb;
	cc->ioff = track(cp, (size_t)nb + 1, sizeof(uint32_t));
	cc->irules = track(cp, (size_t)total, sizeof(uint32_t));
	fill = calloc((size_t)nb + 1, sizeof(uint32_t));
	if (!cc->ioff || !cc->irules || !fill) {
		free(fill);
		return -1;
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < cc->n; i++) {
			const struct ipt_prange *rg;
			unsigned nr, k;
			uint32_t a, b, j;

			rule_dports(&rules[i], &rg, &nr);
			if (!nr || span(rg, nr) > maxspan) {
				if (pass == 0)
					setbit(cc->dport_wild, i);
				continue;
			}
			for (k = 0; k < nr; k++) {
				a = bnd_find(cc->bnd, nb, rg[k].lo);
				b = bnd_find(cc->bnd, nb, rg[k].hi);
				for (j = a; j <= b; j++) {
					if (pass == 0)
						cc->ioff[j + 1]++;
					else
						cc->irules[cc->ioff[j] + fill[j]++] = i;
				}
			}
		}
		if (pass == 0)
			for (i = 0; i < nb; i++)
				cc->ioff[i + 1] += cc->ioff[i];
	}
	free(fill);
	return 0;
}

static void ports_lookup(const struct cchain *cc, uint16_t port, uint64_t *hits)
{
	uint32_t k = bnd_find(cc->bnd, cc->nbnd, port), j;

	for (j = cc->ioff[k]; j < cc->ioff[k + 1]; j++)
		setbit(hits, cc->irules[j]);
}

/* ---- building ---- */

static struct cchain *chain_build(struct ipt_compiled *cp, const struct ipt_chain *c)
{
	const struct ipt_ruleset *rs = cp->rs;
	const struct ipt_rule *rules = &rs->rules[c->first];
	size_t alen = rs->family == 4 ? 4 : 16;
	struct cchain *cc = track(cp, 1, sizeof(*cc));
	uint32_t i, p;

	if (!cc)
		return NULL;
	cc->n = c->n;
	cc->words = (c->n + 63) / 64;
	cc->proto = track(cp, (size_t)256 * cc->words, sizeof(uint64_t));
	cc->src_wild = track(cp, cc->words, sizeof(uint64_t));
	cc->dst_wild = track(cp, cc->words, sizeof(uint64_t));
	cc->dport_wild = track(cp, cc->words, sizeof(uint64_t));
	if (!cc->proto || !cc->src_wild || !cc->dst_wild || !cc->dport_wild)
		return cc;	/* caller frees; chain_ok() reports */
	for (i = 0; i < cc->n; i++)
		for (p = 0; p < 256; p++)
			if (!rules[i].has_proto ||
			    ((p == rules[i].proto) ^ !!(rules[i].inv & IPT_INV_PROTO)))
				setbit(cc->proto + (size_t)p * cc->words, i);
	if (pfx_build(cp, &cc->src, rules, cc->n, 0, alen, cc->src_wild) < 0 ||
	    pfx_build(cp, &cc->dst, rules, cc->n, 1, alen, cc->dst_wild) < 0 ||
	    ports_build(cp, cc, rules) < 0)
		cc->words = 0;	/* marks failure */
	return cc;
}

static void chain_free(struct cchain *cc)
{
	if (!cc)
		return;
	free(cc->proto);
	free(cc->src_wild);
	free(cc->dst_wild);
	free(cc->dport_wild);
	free(cc->src.slots);
	free(cc->src.rules);
	free(cc->dst.slots);
	free(cc->dst.rules);
	free(cc->bnd);
	free(cc->ioff);
	free(cc->irules);
	free(cc);
}

void ipt_compiled_free(struct ipt_compiled *cp)
{
	uint32_t i;

	if (!cp)
		return;
	for (i = 0; i < cp->nchains; i++)
		chain_free(cp->chains[i]);
	free(cp->chains);
	free(cp);
}

struct ipt_compiled *ipt_compile(const struct ipt_ruleset *rs)
{
	struct ipt_compiled *cp = calloc(1, sizeof(*cp));
	uint32_t i;

	if (!cp)
		goto nomem;
	cp->rs = rs;
	cp->nchains = rs->nchains;
	cp->chains = track(cp, rs->nchains, sizeof(*cp->chains));
	if (!cp->chains)
		goto nomem;
	for (i = 0; i < rs->nchains; i++) {
		struct cchain *cc;

		if (rs->chains[i].n < CC_MIN_RULES)
			continue;
		cc = chain_build(cp, &rs->chains[i]);
		cp->chains[i] = cc;
		if (!cc || cc->words == 0 || !cc->proto || !cc->src_wild || !cc->dst_wild ||
		    !cc->dport_wild)
			goto nomem;
	}
	return cp;
nomem:
	ipt_compiled_free(cp);
	errno = ENOMEM;
	return NULL;
}

size_t ipt_compiled_size(const struct ipt_compiled *cp)
{
	return cp ? cp->bytes + sizeof(*cp) : 0;
}

/* ---- evaluation ---- */

void ipt_cstate_free(struct ipt_cstate *cs)
{
	if (!cs)
		return;
	free(cs->cache);
	free(cs->block);
	free(cs->tmp);
	free(cs);
}

int ipt_eval_set_compiled(struct ipt_eval *ev, const struct ipt_compiled *cp)
{
	struct ipt_cstate *cs;
	size_t total = 0;
	uint32_t i;
	uint64_t *block;

	if (cp && cp->rs != ev->rs) {
		errno = EINVAL;
		return -1;
	}
	ipt_cstate_free(ev->cstate);
	ev->cstate = NULL;
	ev->comp = NULL;
	if (!cp)
		return 0;
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		goto nomem;
	cs->cache = calloc(cp->nchains ? cp->nchains : 1, sizeof(*cs->cache));
	if (!cs->cache)
		goto nomem;
	for (i = 0; i < cp->nchains; i++)
		if (cp->chains[i]) {
			total += cp->chains[i]->words;
			if (cp->chains[i]->words > cs->maxwords)
				cs->maxwords = cp->chains[i]->words;
		}
	block = calloc(total ? total : 1, sizeof(uint64_t));
	cs->tmp = calloc((size_t)cs->maxwords * 3 + 1, sizeof(uint64_t));
	if (!block || !cs->tmp) {
		free(block);
		goto nomem;
	}
	cs->block = block;
	for (i = 0; i < cp->nchains; i++)
		if (cp->chains[i]) {
			cs->cache[i].bits = block;
			block += cp->chains[i]->words;
		}
	ev->cstate = cs;
	ev->comp = cp;
	ev->gen = 0;
	for (i = 0; i < cp->nchains; i++)
		cs->cache[i].gen = UINT64_MAX;
	return 0;
nomem:
	ipt_cstate_free(cs);
	errno = ENOMEM;
	return -1;
}

/* Computes the candidate set of chain cc for world w into out. */
static void candidates(struct ipt_eval *ev, const struct ipt_world *w, const struct cchain *cc,
		       uint64_t *out)
{
	const struct ipt_packet *p = ev->pkt;
	size_t alen = ev->rs->family == 4 ? 4 : 16;
	uint64_t *hs = ev->cstate->tmp, *hd = hs + cc->words, *hp = hd + cc->words;
	const uint64_t *pr = cc->proto + (size_t)p->proto * cc->words;
	int use_ports = !w->dport_unk && cc->nbnd > 1;
	uint32_t i;

	memset(hs, 0, (size_t)cc->words * 3 * sizeof(uint64_t));
	if (cc->src.nlens)
		pfx_lookup(&cc->src, p->src, alen, hs);
	if (cc->dst.nlens)
		pfx_lookup(&cc->dst, w->dst, alen, hd);
	if (use_ports)
		ports_lookup(cc, w->dport, hp);
	for (i = 0; i < cc->words; i++) {
		uint64_t b = pr[i] & (cc->src_wild[i] | hs[i]) & (cc->dst_wild[i] | hd[i]);

		if (use_ports)
			b &= cc->dport_wild[i] | hp[i];
		out[i] = b;
	}
}

uint32_t ipt_compiled_next(struct ipt_eval *ev, const struct ipt_world *w, uint32_t chain,
			   uint32_t pos)
{
	const struct cchain *cc = ev->comp->chains[chain];
	struct ccache *k;
	uint32_t word;
	uint64_t b;

	if (!cc)
		return pos;
	k = &ev->cstate->cache[chain];
	if (k->gen != ev->gen || k->dport != w->dport || k->dport_unk != w->dport_unk ||
	    memcmp(k->dst, w->dst, 16) != 0) {
		candidates(ev, w, cc, k->bits);
		k->gen = ev->gen;
		k->dport = w->dport;
		k->dport_unk = w->dport_unk;
		memcpy(k->dst, w->dst, 16);
	}
	word = pos >> 6;
	b = k->bits[word] & (~0ull << (pos & 63));
	for (;;) {
		if (b)
			return word * 64 + (uint32_t)__builtin_ctzll(b);
		if (++word >= cc->words)
			return cc->n;
		b = k->bits[word];
	}
}
