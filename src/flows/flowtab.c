/* This file implements the flow table: open addressing over a compact slot array (a
 * slot is the key's 32-bit hash and the entry's pool index, so a probe touches no entry
 * but the one whose hash matches), a preallocated pool of entries, a last-use stamp per
 * entry for least-recently-used eviction, and a dirty list of entries awaiting the sink. */
#include "flows/flowtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A slot of the open-addressing array: ent is a pool index + 1 (0: empty); h is the low
 * 32 bits of the key's hash, whose low bits are the slot the key wants (its home). */
struct ft_slot {
	uint32_t h;
	uint32_t ent;
};

/* Entry states in flowtab.state (a byte per pool entry, so eviction reads no entry). */
enum { FT_FREE = 0, FT_CLEAN, FT_DIRTY };

/* The table. Invariants: every live entry is in exactly one slot, which a linear probe
 * from its home reaches without passing an empty slot; state[i] says whether pool[i] is
 * free, live and clean, or live and dirty (on the dirty list); count = live entries <=
 * cap; the slot array holds at least twice cap slots (load <= 1/2); free entries are
 * in freelist[0..nfree) or at pool[next_unused...cap). stamp[i] is the use clock at the
 * last flowtab_get() of pool[i]: ordering live entries by stamp is least recently used
 * first, the order a linked LRU list would keep. */
struct flowtab {
	size_t cap;			/* fixed maximum of live entries */
	size_t count;			/* live entries */
	size_t ndirty;			/* entries on the dirty list */
	size_t mask;			/* number of slots - 1 (a power of two minus one) */
	struct ft_slot *slots;
	struct flow_entry *pool;	/* cap entries, allocated once */
	uint64_t *stamp;		/* cap last-use stamps */
	uint8_t *state;			/* cap FT_* */
	uint64_t clock;			/* the last stamp handed out */
	size_t next_unused;		/* pool[next_unused..cap) never handed out yet */
	uint32_t *freelist;		/* cap recycled pool indices */
	size_t nfree;
	struct flow_entry *dhead;	/* dirty list, oldest first */
	struct flow_entry *dtail;
	struct flow_entry **scratch;	/* cap pointers: the batch handed to a sink */
	uint64_t evictions;
};

/* The key is hashed as whole 64-bit words; flow_key must stay a multiple of 8 bytes. */
_Static_assert(sizeof(struct flow_key) % 8 == 0, "flow_key size must be a multiple of 8");

static inline uint64_t mix64(uint64_t h)
{
	/* The MurmurHash3 64-bit finalizer. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static inline uint32_t key_hash(const struct flow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 0x9e3779b97f4a7c15ULL, w;
	size_t i;

	for (i = 0; i < sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return (uint32_t)mix64(h);
}

static size_t pow2_at_least(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

struct flowtab *flowtab_new(size_t max_entries)
{
	struct flowtab *ft;
	size_t ns;

	/* pool indices + 1 fit a slot's 32 bits, and twice as many slots fit a hash's */
	if (max_entries == 0 || max_entries > UINT32_MAX / 4 ||
	    max_entries > SIZE_MAX / 4 / sizeof(struct flow_entry)) {
		errno = EINVAL;
		return NULL;
	}
	ft = calloc(1, sizeof(*ft));
	if (!ft)
		return NULL;
	ns = pow2_at_least(max_entries * 2);
	ft->cap = max_entries;
	ft->mask = ns - 1;
	ft->slots = calloc(ns, sizeof(*ft->slots));
	ft->pool = calloc(max_entries, sizeof(*ft->pool));
	ft->stamp = calloc(max_entries, sizeof(*ft->stamp));
	ft->state = calloc(max_entries, sizeof(*ft->state));
	ft->freelist = calloc(max_entries, sizeof(*ft->freelist));
	ft->scratch = calloc(max_entries, sizeof(*ft->scratch));
	if (!ft->slots || !ft->pool || !ft->stamp || !ft->state || !ft->freelist ||
	    !ft->scratch) {
		flowtab_free(ft);
		errno = ENOMEM;
		return NULL;
	}
	return ft;
}

void flowtab_free(struct flowtab *ft)
{
	if (!ft)
		return;
	free(ft->slots);
	free(ft->pool);
	free(ft->stamp);
	free(ft->state);
	free(ft->freelist);
	free(ft->scratch);
	free(ft);
}

/* The slot holding key (hash h), or the empty slot where the probe ended. */
static inline struct ft_slot *probe(const struct flowtab *ft, const struct flow_key *key,
				    uint32_t h)
{
	size_t i = h & ft->mask;
	struct ft_slot *sl;

	for (;; i = (i + 1) & ft->mask) {
		sl = &ft->slots[i];
		if (!sl->ent ||
		    (sl->h == h && memcmp(&ft->pool[sl->ent - 1].key, key, sizeof(*key)) == 0))
			return sl;
	}
}

struct flow_entry *flowtab_get(struct flowtab *ft, const struct flow_key *key, int *created)
{
	uint32_t h = key_hash(key), idx;
	struct ft_slot *sl = probe(ft, key, h);
	struct flow_entry *e;

	if (created)
		*created = 0;
	if (sl->ent) {
		ft->stamp[sl->ent - 1] = ++ft->clock;
		return &ft->pool[sl->ent - 1];
	}
	if (ft->count >= ft->cap) {
		/* The caller flushes dirty entries, evicts clean ones and retries. */
		errno = ENOSPC;
		return NULL;
	}
	idx = ft->nfree ? ft->freelist[--ft->nfree] : (uint32_t)ft->next_unused++;
	e = &ft->pool[idx];
	memset(e, 0, sizeof(*e));
	memcpy(&e->key, key, sizeof(*key));
	sl->h = h;
	sl->ent = idx + 1;
	ft->stamp[idx] = ++ft->clock;
	ft->state[idx] = FT_CLEAN;
	ft->count++;
	if (created)
		*created = 1;
	return e;
}

struct flow_entry *flowtab_find(const struct flowtab *ft, const struct flow_key *key)
{
	const struct ft_slot *sl = probe(ft, key, key_hash(key));

	return sl->ent ? &ft->pool[sl->ent - 1] : NULL;
}

static void mark_dirty(struct flowtab *ft, struct flow_entry *e)
{
	e->dirty = 1;
	ft->state[e - ft->pool] = FT_DIRTY;
	e->dnext = NULL;
	if (ft->dtail)
		ft->dtail->dnext = e;
	else
		ft->dhead = e;
	ft->dtail = e;
	ft->ndirty++;
}

void flowtab_touch(struct flowtab *ft, struct flow_entry *e)
{
	if (e->dirty)
		return;
	memset(&e->delta, 0, sizeof(e->delta));
	e->delta.first_usec = UINT64_MAX;
	e->delta.ttl_min = UINT8_MAX;
	mark_dirty(ft, e);
}

/* Folds one observation into e's delta and puts e on the dirty list. The delta holds
 * data iff e is dirty, so that is what starts a fresh first/last/TTL range. */
static void observe(struct flowtab *ft, struct flow_entry *e, uint64_t ts_usec, uint8_t ttl,
		    uint8_t tcp_flags, uint8_t seen_by)
{
	struct flow_counts *d = &e->delta;

	if (!e->dirty) {
		d->first_usec = d->last_usec = ts_usec;
		d->ttl_min = d->ttl_max = ttl;
	} else {
		if (ts_usec < d->first_usec)
			d->first_usec = ts_usec;
		if (ts_usec > d->last_usec)
			d->last_usec = ts_usec;
		if (ttl < d->ttl_min)
			d->ttl_min = ttl;
		if (ttl > d->ttl_max)
			d->ttl_max = ttl;
	}
	d->tcp_flags |= tcp_flags;
	d->seen_by |= seen_by;
	if (!e->dirty)
		mark_dirty(ft, e);
}

void flowtab_account(struct flowtab *ft, struct flow_entry *e, uint32_t bytes,
		     uint64_t ts_usec, uint8_t ttl, uint8_t tcp_flags, uint8_t seen_by)
{
	observe(ft, e, ts_usec, ttl, tcp_flags, seen_by);
	e->delta.packets++;
	e->delta.bytes += bytes;
}

void flowtab_note(struct flowtab *ft, struct flow_entry *e, uint64_t ts_usec, uint8_t ttl,
		  uint8_t tcp_flags, uint8_t seen_by)
{
	observe(ft, e, ts_usec, ttl, tcp_flags, seen_by);
}

int flowtab_flush(struct flowtab *ft, flowtab_sink_fn sink, void *arg, size_t batch)
{
	if (batch == 0)
		batch = 1;
	while (ft->dhead) {
		struct flow_entry *e = ft->dhead;
		size_t n = 0, i;

		while (e && n < batch) {
			ft->scratch[n++] = e;
			e = e->dnext;
		}
		if (sink(arg, ft->scratch, n) != 0)
			return -1;	/* this batch and the rest stay dirty */
		for (i = 0; i < n; i++) {
			struct flow_entry *w = ft->scratch[i];

			memset(&w->delta, 0, sizeof(w->delta));
			w->dirty = 0;
			ft->state[w - ft->pool] = FT_CLEAN;
			w->dnext = NULL;
		}
		ft->dhead = e;
		if (!e)
			ft->dtail = NULL;
		ft->ndirty -= n;
	}
	return 0;
}

/* Empties the slot of pool[idx] and shifts the entries probed past it back, so that
 * every probe still reaches its key without passing an empty slot (no tombstones). */
static void entry_remove(struct flowtab *ft, uint32_t idx)
{
	size_t i, j, home;

	for (i = key_hash(&ft->pool[idx].key) & ft->mask; ft->slots[i].ent != idx + 1;
	     i = (i + 1) & ft->mask)
		;
	for (j = i;;) {
		j = (j + 1) & ft->mask;
		if (!ft->slots[j].ent)
			break;
		home = ft->slots[j].h & ft->mask;
		/* the entry at j may move to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) {
			ft->slots[i] = ft->slots[j];
			i = j;
		}
	}
	ft->slots[i].ent = 0;
	ft->slots[i].h = 0;
	ft->state[idx] = FT_FREE;
	ft->freelist[ft->nfree++] = idx;
	ft->count--;
}

#define FT_EVICT_BUCKETS 1024

/* The stamp T such that exactly n clean entries have a stamp <= T (0 < n < the number
 * of clean entries, whose stamps lie in [lo, hi]; stamps are unique). Each pass counts
 * the clean stamps of the range in FT_EVICT_BUCKETS equal buckets and narrows the range
 * to the bucket where the n-th one falls: sequential reads only, a few passes. */
static uint64_t evict_threshold(const struct flowtab *ft, size_t n, uint64_t lo, uint64_t hi)
{
	size_t cnt[FT_EVICT_BUCKETS], i, b, below;
	uint64_t width;

	while (lo < hi) {
		width = (hi - lo) / FT_EVICT_BUCKETS + 1;
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < ft->next_unused; i++)
			if (ft->state[i] == FT_CLEAN && ft->stamp[i] >= lo && ft->stamp[i] <= hi)
				cnt[(ft->stamp[i] - lo) / width]++;
		for (b = 0, below = 0; below + cnt[b] < n; b++)
			below += cnt[b];
		/* the n-th oldest is in bucket b: the range shrinks at least FT_EVICT_BUCKETS-fold */
		n -= below;
		lo += b * width;
		if (hi - lo > width - 1)
			hi = lo + width - 1;
	}
	return lo;
}

size_t flowtab_evict(struct flowtab *ft, size_t n)
{
	size_t i, nc = 0;
	uint64_t lo = UINT64_MAX, hi = 0, t;

	for (i = 0; i < ft->next_unused; i++) {
		if (ft->state[i] == FT_CLEAN) {
			nc++;
			if (ft->stamp[i] < lo)
				lo = ft->stamp[i];
			if (ft->stamp[i] > hi)
				hi = ft->stamp[i];
		}
	}
	if (n == 0 || nc == 0)
		return 0;
	if (n > nc)
		n = nc;
	t = n < nc ? evict_threshold(ft, n, lo, hi) : hi;
	for (i = 0; i < ft->next_unused; i++)
		if (ft->state[i] == FT_CLEAN && ft->stamp[i] <= t)
			entry_remove(ft, (uint32_t)i);
	ft->evictions += n;
	return n;
}

size_t flowtab_count(const struct flowtab *ft)
{
	return ft->count;
}

size_t flowtab_capacity(const struct flowtab *ft)
{
	return ft->cap;
}

size_t flowtab_dirty_count(const struct flowtab *ft)
{
	return ft->ndirty;
}

uint64_t flowtab_evictions(const struct flowtab *ft)
{
	return ft->evictions;
}
