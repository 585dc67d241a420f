/* This file builds the nftables evaluator's fast path: for every chain with enough rules,
 * up to NFT_CKEYS index keys (the fields most of its rules are guarded on) and, per key,
 * which rules can match a given value of it. A rule's guard on key K is a statement among
 * its matches (the first hitpos statements) that compares K alone, unmasked, with == or
 * a set lookup against a known set: the rule can match only when the packet's K is in one
 * of the set's intervals. Prefix intervals (single values, address prefixes, interface
 * wildcards) go to a hash by (key, prefix length, masked value); other intervals (port
 * ranges) to a list per key. Rules with no guard on K are "open" for K.
 *
 * At run time nft_compiled_next() reads each key of the chain for the world with
 * nft_key(), the function nft_match() decides the guard with: a definite value keeps the
 * open rules and those whose intervals hold it, a value whose protocol dependency fails
 * (IPT_NO) only the open rules (every guard is false), an unknown value every rule. A
 * skipped rule has a false guard, so the plain walk would have found it not matching
 * without a hook call: verdicts, hook calls and steps are those of the plain walk. */
#include "policy/nft_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ipt_int.h"

struct crange {
	uint8_t lo[NFT_FLEN_MAX], hi[NFT_FLEN_MAX];
	uint32_t pos;
};

/* A prefix of one key: rule positions post[first .. first+n) of its chain. */
#define NFT_BLOOM_BITS (1u << 16)
#define BLOOM_BIT(h) ((uint32_t)((h) >> 40) & (NFT_BLOOM_BITS - 1))

struct cent {
	uint32_t slot;		/* chain index * NFT_CKEYS + key */
	uint8_t plen;
	uint8_t val[NFT_FLEN_MAX];
	uint32_t first, n;
};

struct cslot {
	uint8_t field, len;
	uint64_t plens[3];	/* prefix lengths (0..128) present in the hash */
	size_t open;		/* offset of the open-rule bitset in cp->bits */
	uint32_t rfirst, rn;	/* cp->ranges */
};

struct cchain {
	uint32_t n, words, nkeys;
	struct cslot slot[NFT_CKEYS];
};

struct nft_compiled {
	const struct nft_ruleset *rs;
	uint32_t *cidx;		/* per chain: index into cc, or NFT_NONE */
	struct cchain *cc;
	uint32_t ncc, maxwords;
	uint64_t *bits;
	size_t nbits, capbits;
	struct crange *ranges;
	uint32_t nranges, capranges;
	/* open addressing, hmask + 1 entries: a small table probed (the full hash of the
	 * prefix, its postings; n == 0 when empty) and beside it the prefixes, read to
	 * confirm a hit */
	struct hent {
		uint64_t h;
		uint32_t first, n;
	} *hash;
	struct cent *hkey;
	/* one bit per prefix by its hash: a lookup that misses (the common case: an address
	 * in no list) mostly stops here, in a table small enough to stay cached */
	uint64_t bloom[NFT_BLOOM_BITS / 64];
	uint32_t hmask;
	uint32_t *post;
	/* build only: (slot, plen, val, pos) of every prefix */
	struct cent *tup;
	uint32_t ntup, captup;
};

struct nft_ccache {
	uint8_t valid;
	uint8_t st[NFT_CKEYS];
	uint8_t val[NFT_CKEYS][NFT_FLEN_MAX];
	size_t bits;		/* offset in the state's pool */
};

struct nft_cstate {
	struct nft_ccache *c;
	uint64_t *pool, *tmp;
};

static int bit(const uint8_t *x, int b)
{
	return x[b >> 3] >> (7 - (b & 7)) & 1;
}

/* The prefix length of [lo, hi] (len bytes), or -1 when it is no prefix. */
static int prefix_len(const uint8_t *lo, const uint8_t *hi, int len)
{
	int b, p = len * 8;

	for (b = 0; b < len * 8; b++)
		if (bit(lo, b) != bit(hi, b)) {
			p = b;
			break;
		}
	for (b = p; b < len * 8; b++)
		if (bit(lo, b) || !bit(hi, b))
			return -1;
	return p;
}

/* The first plen bits of val, the rest zero, into v. */
static void mask_to(uint8_t *v, const uint8_t *val, int plen)
{
	memset(v, 0, NFT_FLEN_MAX);
	memcpy(v, val, (size_t)(plen / 8));
	if (plen % 8)
		v[plen / 8] = (uint8_t)(val[plen / 8] & (0xff << (8 - plen % 8)));
}

static uint64_t hash_of(uint32_t slot, uint8_t plen, const uint8_t *val)
{
	uint64_t h = (uint64_t)slot * 0x9e3779b97f4a7c15ull ^ plen, w;
	int i;

	for (i = 0; i < NFT_FLEN_MAX; i += 8) {
		memcpy(&w, val + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 33;
	}
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}

/* Fields whose == and set lookups are plain interval tests (ct state and tcp flags are
 * bit tests for a single-element anonymous set). */
static int indexable(int f)
{
	int len = f < NF_COUNT ? nft_field_len(f) : 0;

	return f != NF_CT_STATE && f != NF_TCP_FLAGS && len > 0 && len <= NFT_FLEN_MAX;
}

/* r's guard on field f, or NULL. */
static const struct nft_stmt *guard(const struct nft_ruleset *rs, const struct nft_rule *r, int f)
{
	uint32_t i, end = r->first + (r->hitpos < r->n ? r->hitpos : r->n);

	for (i = r->first; i < end; i++) {
		const struct nft_stmt *s = &rs->stmts[i];
		const struct nft_set *set;

		if (s->kind != NFT_S_MATCH || s->nkeys != 1 || s->key[0] != f || s->has_mask ||
		    (s->op != NFT_OP_EQ && s->op != NFT_OP_IN) || s->set >= rs->nsets)
			continue;
		set = &rs->sets[s->set];
		if (set->unknown || set->is_map || set->nfields != 1 || set->flen[0] != nft_field_len(f))
			continue;
		return s;
	}
	return NULL;
}

/* Chooses the keys of chain c: the indexable fields guarding at least an eighth of its
 * rules (and two), most used first. */
static uint32_t choose_keys(const struct nft_ruleset *rs, const struct nft_chain *c, uint8_t *keys)
{
	uint32_t count[NF_COUNT] = {0}, i, k, nk = 0;
	int f;

	for (i = 0; i < c->n; i++)
		for (f = 0; f < NF_COUNT; f++)
			if (indexable(f) && guard(rs, &rs->rules[c->first + i], f))
				count[f]++;
	for (k = 0; k < NFT_CKEYS; k++) {
		int best = -1;

		for (f = 0; f < NF_COUNT; f++)
			if (count[f] >= 2 && (uint64_t)count[f] * 8 >= c->n &&
			    (best < 0 || count[f] > count[best]))
				best = f;
		if (best < 0)
			break;
		keys[nk++] = (uint8_t)best;
		count[best] = 0;
	}
	return nk;
}

static int add_prefix(struct nft_compiled *cp, uint32_t slot, int plen, const uint8_t *lo,
		      uint32_t pos)
{
	struct cent *t;

	if (nft_grow((void **)&cp->tup, &cp->captup, cp->ntup + 1, sizeof(*cp->tup), UINT32_MAX / 2) < 0)
		return -1;
	t = &cp->tup[cp->ntup++];
	memset(t, 0, sizeof(*t));
	t->slot = slot;
	t->plen = (uint8_t)plen;
	memcpy(t->val, lo, nft_field_len(cp->cc[slot / NFT_CKEYS].slot[slot % NFT_CKEYS].field));
	t->first = pos;
	return 0;
}

/* Indexes the guards of chain c on key k of its compiled form. */
static int index_key(struct nft_compiled *cp, const struct nft_chain *c, uint32_t ci, uint32_t k)
{
	const struct nft_ruleset *rs = cp->rs;
	struct cslot *sl = &cp->cc[ci].slot[k];
	uint64_t *open = cp->bits + sl->open;
	uint32_t pos, e;

	sl->rfirst = cp->nranges;
	for (pos = 0; pos < c->n; pos++) {
		const struct nft_stmt *s = guard(rs, &rs->rules[c->first + pos], sl->field);
		const struct nft_set *set;

		if (!s)
			continue;
		open[pos / 64] &= ~(1ull << (pos % 64));
		set = &rs->sets[s->set];
		for (e = 0; e < set->n; e++) {
			const struct nft_elem *el = &rs->elems[set->first + e];
			int plen = prefix_len(el->lo, el->hi, sl->len);
			struct crange *r;

			if (plen >= 0) {
				if (add_prefix(cp, ci * NFT_CKEYS + k, plen, el->lo, pos) < 0)
					return -1;
				sl->plens[plen / 64] |= 1ull << (plen % 64);
				continue;
			}
			if (nft_grow((void **)&cp->ranges, &cp->capranges, cp->nranges + 1,
				     sizeof(*cp->ranges), UINT32_MAX / 2) < 0)
				return -1;
			r = &cp->ranges[cp->nranges++];
			memcpy(r->lo, el->lo, sl->len);
			memcpy(r->hi, el->hi, sl->len);
			r->pos = pos;
		}
	}
	sl->rn = cp->nranges - sl->rfirst;
	return 0;
}

static int compile_chain(struct nft_compiled *cp, uint32_t chain)
{
	const struct nft_chain *c = &cp->rs->chains[chain];
	uint8_t keys[NFT_CKEYS];
	uint32_t nk = choose_keys(cp->rs, c, keys), ci = cp->ncc, k, i;
	struct cchain *cc = &cp->cc[ci];

	if (nk == 0)
		return 0;
	cp->ncc++;
	cp->cidx[chain] = ci;
	cc->n = c->n;
	cc->words = (c->n + 63) / 64;
	cc->nkeys = nk;
	if (cc->words > cp->maxwords)
		cp->maxwords = cc->words;
	for (k = 0; k < nk; k++) {
		struct cslot *sl = &cc->slot[k];
		size_t need = cp->nbits + cc->words;

		sl->field = keys[k];
		sl->len = (uint8_t)nft_field_len(keys[k]);
		if (need > cp->capbits) {
			size_t cap = need * 2;
			uint64_t *nb = realloc(cp->bits, cap * sizeof(*nb));

			if (!nb)
				return -1;
			cp->bits = nb;
			cp->capbits = cap;
		}
		sl->open = cp->nbits;
		for (i = 0; i < cc->words; i++)
			cp->bits[sl->open + i] = i + 1 < cc->words || c->n % 64 == 0
						? ~0ull : (1ull << (c->n % 64)) - 1;
		cp->nbits = need;
		if (index_key(cp, c, ci, k) < 0)
			return -1;
	}
	return 0;
}

static int cmp_tup(const void *a, const void *b)
{
	const struct cent *x = a, *y = b;
	int c;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if (x->plen != y->plen)
		return x->plen < y->plen ? -1 : 1;
	if ((c = memcmp(x->val, y->val, NFT_FLEN_MAX)) != 0)
		return c;
	return x->first < y->first ? -1 : x->first > y->first;
}

static int same_prefix(const struct cent *a, const struct cent *b)
{
	return a->slot == b->slot && a->plen == b->plen && !memcmp(a->val, b->val, NFT_FLEN_MAX);
}

/* The sorted prefixes into the hash and the posting lists. */
static int build_hash(struct nft_compiled *cp)
{
	uint32_t size = 16, i, j, np = 0, groups = 0;

	if (cp->ntup)
		qsort(cp->tup, cp->ntup, sizeof(*cp->tup), cmp_tup);
	for (i = 0; i < cp->ntup; i++)
		groups += i == 0 || !same_prefix(&cp->tup[i], &cp->tup[i - 1]);
	while (size < groups * 2 + 1 && size < (1u << 30))
		size *= 2;
	cp->hmask = size - 1;
	cp->hash = calloc(size, sizeof(*cp->hash));
	cp->hkey = malloc((size_t)size * sizeof(*cp->hkey));
	cp->post = malloc((cp->ntup ? cp->ntup : 1) * sizeof(*cp->post));
	if (!cp->hash || !cp->hkey || !cp->post)
		return -1;
	for (i = 0; i < cp->ntup; i = j) {
		const struct cent *t = &cp->tup[i];
		uint64_t h = hash_of(t->slot, t->plen, t->val);
		uint32_t at = (uint32_t)h & cp->hmask;

		while (cp->hash[at].n)
			at = (at + 1) & cp->hmask;
		cp->bloom[BLOOM_BIT(h) / 64] |= 1ull << (BLOOM_BIT(h) % 64);
		cp->hkey[at] = *t;
		cp->hash[at].h = h;
		cp->hash[at].first = np;
		for (j = i; j < cp->ntup && same_prefix(&cp->tup[j], t); j++)
			if (j == i || cp->tup[j].first != cp->tup[j - 1].first)
				cp->post[np++] = cp->tup[j].first;
		cp->hash[at].n = np - cp->hash[at].first;
	}
	free(cp->tup);
	cp->tup = NULL;
	return 0;
}

struct nft_compiled *nft_compile(const struct nft_ruleset *rs, uint32_t min_rules)
{
	struct nft_compiled *cp = calloc(1, sizeof(*cp));
	uint32_t i;

	if (!cp)
		goto fail;
	cp->rs = rs;
	cp->cidx = malloc((rs->nchains ? rs->nchains : 1) * sizeof(*cp->cidx));
	cp->cc = calloc(rs->nchains ? rs->nchains : 1, sizeof(*cp->cc));
	if (!cp->cidx || !cp->cc)
		goto fail;
	for (i = 0; i < rs->nchains; i++)
		cp->cidx[i] = NFT_NONE;
	for (i = 0; i < rs->nchains; i++)
		if (rs->chains[i].n >= min_rules && compile_chain(cp, i) < 0)
			goto fail;
	if (build_hash(cp) < 0)
		goto fail;
	return cp;
fail:
	nft_compiled_free(cp);
	errno = ENOMEM;
	return NULL;
}

void nft_compiled_free(struct nft_compiled *cp)
{
	if (!cp)
		return;
	free(cp->cidx);
	free(cp->cc);
	free(cp->bits);
	free(cp->ranges);
	free(cp->hash);
	free(cp->hkey);
	free(cp->post);
	free(cp->tup);
	free(cp);
}

struct nft_cstate *nft_cstate_new(const struct nft_compiled *cp)
{
	struct nft_cstate *st = calloc(1, sizeof(*st));
	size_t off = 0;
	uint32_t i;

	if (!st)
		return NULL;
	st->c = calloc(cp->ncc ? cp->ncc : 1, sizeof(*st->c));
	for (i = 0; st->c && i < cp->ncc; i++) {
		st->c[i].bits = off;
		off += cp->cc[i].words;
	}
	st->pool = malloc((off ? off : 1) * sizeof(*st->pool));
	st->tmp = malloc((cp->maxwords ? cp->maxwords : 1) * sizeof(*st->tmp));
	if (!st->c || !st->pool || !st->tmp) {
		nft_cstate_free(st);
		errno = ENOMEM;
		return NULL;
	}
	return st;
}

void nft_cstate_free(struct nft_cstate *st)
{
	if (!st)
		return;
	free(st->c);
	free(st->pool);
	free(st->tmp);
	free(st);
}

/* Sets in tmp the rules of key sl whose intervals hold val. */
static void hits(const struct nft_compiled *cp, uint32_t slot, const struct cslot *sl,
		 const uint8_t *val, uint64_t *tmp)
{
	uint32_t i, w;

	for (w = 0; w < 3; w++) {
		uint64_t m = sl->plens[w];

		while (m) {
			int plen = (int)(w * 64 + (uint32_t)__builtin_ctzll(m));
			uint8_t v[NFT_FLEN_MAX];
			uint64_t h;
			uint32_t at;

			m &= m - 1;
			mask_to(v, val, plen);
			h = hash_of(slot, (uint8_t)plen, v);
			if (!(cp->bloom[BLOOM_BIT(h) / 64] >> (BLOOM_BIT(h) % 64) & 1))
				continue;
			for (at = (uint32_t)h & cp->hmask; cp->hash[at].n; at = (at + 1) & cp->hmask) {
				const struct hent *e = &cp->hash[at];
				const struct cent *key = &cp->hkey[at];

				if (e->h != h || key->slot != slot || key->plen != plen ||
				    memcmp(key->val, v, NFT_FLEN_MAX))
					continue;
				for (i = 0; i < e->n; i++)
					tmp[cp->post[e->first + i] / 64] |= 1ull << (cp->post[e->first + i] % 64);
				break;
			}
		}
	}
	for (i = 0; i < sl->rn; i++) {
		const struct crange *r = &cp->ranges[sl->rfirst + i];

		if (memcmp(r->lo, val, sl->len) <= 0 && memcmp(val, r->hi, sl->len) <= 0)
			tmp[r->pos / 64] |= 1ull << (r->pos % 64);
	}
}

/* The candidate rules of chain ci for key values st/val into bits. */
static void candidates(const struct nft_compiled *cp, uint32_t ci, const struct nft_ccache *k,
		       uint64_t *bits, uint64_t *tmp)
{
	const struct cchain *cc = &cp->cc[ci];
	uint32_t s, i;

	for (i = 0; i < cc->words; i++)
		bits[i] = ~0ull;
	for (s = 0; s < cc->nkeys; s++) {
		const struct cslot *sl = &cc->slot[s];

		if (k->st[s] == IPT_MAYBE)
			continue;
		memcpy(tmp, cp->bits + sl->open, cc->words * sizeof(*tmp));
		if (k->st[s] == IPT_YES)
			hits(cp, ci * NFT_CKEYS + s, sl, k->val[s], tmp);
		for (i = 0; i < cc->words; i++)
			bits[i] &= tmp[i];
	}
}

uint32_t nft_compiled_next(const struct nft_eval *ev, const struct nft_world *w, uint32_t chain,
			   uint32_t pos)
{
	const struct nft_compiled *cp = ev->comp;
	uint32_t ci = cp->cidx[chain], s, word;
	struct nft_ccache now, *k;
	const struct cchain *cc;
	const uint64_t *bits;
	uint64_t b;

	if (ci == NFT_NONE)
		return pos;
	cc = &cp->cc[ci];
	k = &ev->cst->c[ci];
	for (s = 0; s < cc->nkeys; s++) {
		struct nft_stmt st;

		st.kind = NFT_S_MATCH;
		st.nkeys = 1;
		st.has_mask = 0;
		st.key[0] = cc->slot[s].field;
		/* the read nft_match() makes of the guard's key */
		now.st[s] = (uint8_t)nft_key(ev, w, &st, now.val[s]);
		if (now.st[s] != IPT_YES)
			memset(now.val[s], 0, NFT_FLEN_MAX);
		else if (cc->slot[s].len < NFT_FLEN_MAX)
			memset(now.val[s] + cc->slot[s].len, 0, NFT_FLEN_MAX - cc->slot[s].len);
		if (k->valid && (k->st[s] != now.st[s] || memcmp(k->val[s], now.val[s], NFT_FLEN_MAX)))
			k->valid = 0;
	}
	if (!k->valid) {
		candidates(cp, ci, &now, ev->cst->pool + k->bits, ev->cst->tmp);
		k->valid = 1;
		memcpy(k->st, now.st, cc->nkeys);
		memcpy(k->val, now.val, (size_t)cc->nkeys * NFT_FLEN_MAX);
	}
	bits = ev->cst->pool + k->bits;
	word = pos >> 6;
	b = bits[word] & (~0ull << (pos & 63));
	for (;;) {
		if (b)
			return word * 64 + (uint32_t)__builtin_ctzll(b);
		if (++word >= cc->words)
			return cc->n;
		b = bits[word];
	}
}

int nft_eval_set_compiled(struct nft_eval *ev, int on)
{
	return nft_eval_compile_min(ev, on ? NFT_CMIN_RULES : 0);
}

int nft_eval_compile_min(struct nft_eval *ev, uint32_t min_rules)
{
	nft_compiled_free(ev->comp);
	nft_cstate_free(ev->cst);
	ev->comp = NULL;
	ev->cst = NULL;
	if (!min_rules)
		return 0;
	ev->comp = nft_compile(ev->rs, min_rules);
	ev->cst = ev->comp ? nft_cstate_new(ev->comp) : NULL;
	if (!ev->cst) {
		nft_compiled_free(ev->comp);
		ev->comp = NULL;
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
