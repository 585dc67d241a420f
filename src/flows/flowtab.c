/* This file implements the flow table: a chained hash table over a preallocated pool of
 * entries, with an LRU list for eviction and a dirty list of entries awaiting the sink. */
#include "flows/flowtab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The table. Invariants: every live entry is in exactly one hash chain and in the LRU
 * list; it is in the dirty list iff e->dirty; count = live entries <= cap; free entries
 * are either on the free list (linked through hnext) or at pool[next_unused...cap). */
struct flowtab {
	size_t cap;			/* fixed maximum of live entries */
	size_t count;			/* live entries */
	size_t ndirty;			/* entries on the dirty list */
	size_t mask;			/* number of buckets - 1 (a power of two minus one) */
	struct flow_entry **buckets;
	struct flow_entry *pool;	/* cap entries, allocated once */
	size_t next_unused;		/* pool[next_unused..cap) never handed out yet */
	struct flow_entry *free;	/* recycled entries, linked through hnext */
	struct flow_entry *lru_head;	/* least recently used */
	struct flow_entry *lru_tail;	/* most recently used */
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

static inline uint64_t key_hash(const struct flow_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 0x9e3779b97f4a7c15ULL, w;
	size_t i;

	for (i = 0; i < sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return mix64(h);
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
	size_t nb;

	if (max_entries == 0 || max_entries > SIZE_MAX / 2 / sizeof(struct flow_entry)) {
		errno = EINVAL;
		return NULL;
	}
	ft = calloc(1, sizeof(*ft));
	if (!ft)
		return NULL;
	nb = pow2_at_least(max_entries);
	ft->cap = max_entries;
	ft->mask = nb - 1;
	ft->buckets = calloc(nb, sizeof(*ft->buckets));
	ft->pool = calloc(max_entries, sizeof(*ft->pool));
	ft->scratch = calloc(max_entries, sizeof(*ft->scratch));
	if (!ft->buckets || !ft->pool || !ft->scratch) {
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
	free(ft->buckets);
	free(ft->pool);
	free(ft->scratch);
	free(ft);
}

static inline void lru_unlink(struct flowtab *ft, struct flow_entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		ft->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		ft->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static inline void lru_append(struct flowtab *ft, struct flow_entry *e)
{
	e->lru_next = NULL;
	e->lru_prev = ft->lru_tail;
	if (ft->lru_tail)
		ft->lru_tail->lru_next = e;
	else
		ft->lru_head = e;
	ft->lru_tail = e;
}

struct flow_entry *flowtab_get(struct flowtab *ft, const struct flow_key *key, int *created)
{
	uint64_t h = key_hash(key);
	struct flow_entry **slot = &ft->buckets[h & ft->mask], *e;

	if (created)
		*created = 0;
	for (e = *slot; e; e = e->hnext) {
		if (memcmp(&e->key, key, sizeof(*key)) == 0) {
			if (e != ft->lru_tail) {
				lru_unlink(ft, e);
				lru_append(ft, e);
			}
			return e;
		}
	}
	if (ft->count >= ft->cap) {
		/* The caller flushes dirty entries, evicts clean ones and retries. */
		errno = ENOSPC;
		return NULL;
	}
	if (ft->free) {
		e = ft->free;
		ft->free = e->hnext;
	} else {
		e = &ft->pool[ft->next_unused++];
	}
	memset(e, 0, sizeof(*e));
	memcpy(&e->key, key, sizeof(*key));
	e->hnext = *slot;
	*slot = e;
	lru_append(ft, e);
	ft->count++;
	if (created)
		*created = 1;
	return e;
}

struct flow_entry *flowtab_find(const struct flowtab *ft, const struct flow_key *key)
{
	struct flow_entry *e;

	for (e = ft->buckets[key_hash(key) & ft->mask]; e; e = e->hnext)
		if (memcmp(&e->key, key, sizeof(*key)) == 0)
			return e;
	return NULL;
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
	if (!e->dirty) {
		e->dirty = 1;
		e->dnext = NULL;
		if (ft->dtail)
			ft->dtail->dnext = e;
		else
			ft->dhead = e;
		ft->dtail = e;
		ft->ndirty++;
	}
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
			w->dnext = NULL;
		}
		ft->dhead = e;
		if (!e)
			ft->dtail = NULL;
		ft->ndirty -= n;
	}
	return 0;
}

/* Unlinks e from its hash chain, the LRU list and puts it on the free list. */
static void entry_remove(struct flowtab *ft, struct flow_entry *e)
{
	struct flow_entry **pp = &ft->buckets[key_hash(&e->key) & ft->mask];

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	lru_unlink(ft, e);
	e->hnext = ft->free;
	ft->free = e;
	ft->count--;
}

size_t flowtab_evict(struct flowtab *ft, size_t n)
{
	struct flow_entry *e = ft->lru_head, *next;
	size_t removed = 0;

	while (e && removed < n) {
		next = e->lru_next;
		if (!e->dirty) {
			entry_remove(ft, e);
			removed++;
		}
		e = next;
	}
	ft->evictions += removed;
	return removed;
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
