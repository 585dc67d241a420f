/* This file implements the hop-count class: a set-associative table of source prefixes
 * with the hop counts their proven sources showed, learned and consulted per packet. */
#include "flows/hopcount.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HOP_WAYS 4

/* One prefix. key: family << 56 | the prefix's bytes (3 for IPv4, 6 for IPv6); 0 empty. */
struct hop_entry {
	uint64_t key;
	uint32_t first_s, last_s, n;
	uint8_t lo, hi, changed, pad;
};

struct hoptab {
	struct hop_opts o;
	size_t nsets;			/* a power of 2 */
	uint64_t seed;
	size_t count;
	struct hop_entry *e;		/* nsets * HOP_WAYS */
	uint32_t *dirty;		/* indexes of changed entries (some may no longer be) */
	size_t n_dirty;
	int overflow;			/* more changed than dirty[] holds: scan the table */
};

void hop_opts_default(struct hop_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tolerance = HOP_TOLERANCE;
	o->min_obs = 1;
	o->entries = HOP_ENTRIES;
}

struct hoptab *hoptab_new(const struct hop_opts *o, uint64_t seed)
{
	struct hoptab *h;
	size_t n = 1;

	while (n * HOP_WAYS < o->entries && n < ((size_t)1 << 26))
		n <<= 1;
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->o = *o;
	h->nsets = n;
	h->seed = seed;
	h->e = calloc(n * HOP_WAYS, sizeof(*h->e));
	h->dirty = calloc(HOP_DIRTY_MAX, sizeof(*h->dirty));
	if (!h->e || !h->dirty) {
		hoptab_free(h);
		errno = ENOMEM;
		return NULL;
	}
	return h;
}

void hoptab_free(struct hoptab *h)
{
	if (!h)
		return;
	free(h->e);
	free(h->dirty);
	free(h);
}

/* The key of addr's prefix: /24 for IPv4, /48 for IPv6; 0 for another family. */
static uint64_t prefix_key(int family, const uint8_t *a)
{
	uint64_t k = 0;
	int i, n = family == 4 ? 3 : family == 6 ? 6 : 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		k = k << 8 | a[i];
	return (uint64_t)family << 56 | k;
}

static struct hop_entry *set_of(const struct hoptab *h, uint64_t key)
{
	uint64_t x = key ^ h->seed;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return &h->e[(size_t)(x & (h->nsets - 1)) * HOP_WAYS];
}

static struct hop_entry *find(const struct hoptab *h, uint64_t key)
{
	struct hop_entry *set = set_of(h, key);
	int i;

	for (i = 0; i < HOP_WAYS; i++)
		if (set[i].key == key)
			return &set[i];
	return NULL;
}

/* The entry for key, made (replacing the least recently proven of a full set) if new. */
static struct hop_entry *slot(struct hoptab *h, uint64_t key)
{
	struct hop_entry *set = set_of(h, key), *v = NULL;
	int i;

	for (i = 0; i < HOP_WAYS; i++) {
		if (set[i].key == key)
			return &set[i];
		if (!set[i].key) {
			v = &set[i];
			h->count++;
			break;
		}
		if (!v || set[i].last_s < v->last_s)
			v = &set[i];
	}
	memset(v, 0, sizeof(*v));
	v->key = key;
	return v;
}

static void mark_changed(struct hoptab *h, struct hop_entry *e)
{
	if (e->changed)
		return;
	e->changed = 1;
	if (h->n_dirty < HOP_DIRTY_MAX)
		h->dirty[h->n_dirty++] = (uint32_t)(e - h->e);
	else
		h->overflow = 1;
}

void hoptab_learn(struct hoptab *h, int family, const uint8_t addr[16], unsigned hops,
		  uint32_t now_s)
{
	uint64_t key = prefix_key(family, addr);
	struct hop_entry *e;

	if (!key || hops > 255)
		return;
	e = slot(h, key);
	if (!e->n) {
		e->lo = e->hi = (uint8_t)hops;
		e->first_s = now_s;
	} else if (hops < e->lo) {
		e->lo = (uint8_t)hops;
	} else if (hops > e->hi) {
		e->hi = (uint8_t)hops;
	}
	if (e->n < UINT32_MAX)
		e->n++;
	if (now_s > e->last_s)
		e->last_s = now_s;
	mark_changed(h, e);
}

int hoptab_load(struct hoptab *h, const struct hop_row *row)
{
	uint64_t key = prefix_key(row->family, row->prefix);
	struct hop_entry *e;

	if (!key || row->lo > row->hi || !row->n) {
		errno = EINVAL;
		return -1;
	}
	e = slot(h, key);
	e->lo = row->lo;
	e->hi = row->hi;
	e->n = row->n;
	e->first_s = row->first_s;
	e->last_s = row->last_s;
	return 0;
}

static void row_of(const struct hop_entry *e, struct hop_row *r)
{
	int fam = (int)(e->key >> 56), n = fam == 4 ? 3 : 6, i;

	memset(r, 0, sizeof(*r));
	r->family = (uint8_t)fam;
	for (i = 0; i < n; i++)
		r->prefix[i] = (uint8_t)(e->key >> (8 * (n - 1 - i)));
	r->lo = e->lo;
	r->hi = e->hi;
	r->n = e->n;
	r->first_s = e->first_s;
	r->last_s = e->last_s;
}

int hoptab_lookup(const struct hoptab *h, int family, const uint8_t addr[16],
		  struct hop_row *out)
{
	uint64_t key = prefix_key(family, addr);
	const struct hop_entry *e = key ? find(h, key) : NULL;

	if (!e)
		return 0;
	row_of(e, out);
	return 1;
}

size_t hoptab_take_changed(struct hoptab *h, struct hop_row *out, size_t max)
{
	size_t n = 0, i;

	if (h->overflow) {		/* the list lost some: scan the whole table */
		for (i = 0; i < h->nsets * HOP_WAYS && n < max; i++) {
			if (!h->e[i].changed)
				continue;
			row_of(&h->e[i], &out[n++]);
			h->e[i].changed = 0;
		}
		if (n < max) {
			h->overflow = 0;
			h->n_dirty = 0;
		}
		return n;
	}
	while (h->n_dirty && n < max) {
		struct hop_entry *e = &h->e[h->dirty[--h->n_dirty]];

		if (!e->changed)
			continue;
		row_of(e, &out[n++]);
		e->changed = 0;
	}
	return n;
}

size_t hoptab_count(const struct hoptab *h)
{
	return h->count;
}

/* True when r arrived on a tuple the host sent on within idle_s: its source is real. */
static int proven(const struct conntab *ct, uint32_t idle_s, const struct pkt_record *r)
{
	struct conn_tuple k;

	conntab_tuple_of(r, 0, &k);
	return conntab_seen(ct, &k, CONN_SENT, r->ts_usec, idle_s);
}

void hopcount_packet(struct hoptab *h, const struct conntab *ct, uint32_t idle_s,
		     const struct pkt_record *r, struct classification *cl, int learn)
{
	unsigned hops, tol;
	struct hop_entry *e;
	uint64_t key;

	if (!h || h->o.off || cl->cls != CLS_NORMAL || r->status != DEC_OK || r->dir != DIR_IN)
		return;
	key = prefix_key(r->family, r->src);
	if (!key)
		return;
	hops = classify_hops(r->ttl);
	if (ct && proven(ct, idle_s, r)) {
		if (learn)
			hoptab_learn(h, r->family, r->src, hops, (uint32_t)(r->ts_usec / 1000000u));
		return;
	}
	e = find(h, key);
	if (!e || e->n < h->o.min_obs)
		return;		/* a prefix with nothing learned is not judged */
	tol = h->o.tolerance;
	if (hops + tol < e->lo || hops > (unsigned)e->hi + tol) {
		cl->cls = CLS_SUSPECT_SRC;
		cl->subclass = ASUB_HOP_COUNT;
	}
}
