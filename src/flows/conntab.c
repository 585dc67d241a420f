/* This file implements the connection memory: a set-associative table of 64-bit tuple
 * fingerprints with, per tuple, the second each mark last happened. */
#include "flows/conntab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct conn_tuple) == 40, "conn_tuple is hashed as 5 words");

/* One tuple: its fingerprint (0: empty) and, per mark, the second it last happened + 1
 * (0: never). */
struct conn_entry {
	uint64_t fp;
	uint32_t t[CONN_NMARKS];
	uint32_t last;		/* the latest of t[] */
};

struct conntab {
	size_t nsets;		/* a power of 2 */
	uint64_t seed;
	uint64_t evictions;
	struct conn_entry *e;	/* nsets * CONNTAB_WAYS */
};

uint64_t conntab_hash(const struct conn_tuple *k, uint64_t seed)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = seed ^ 0x9e3779b97f4a7c15ULL, w;
	size_t i;

	for (i = 0; i < sizeof(*k); i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	/* the MurmurHash3 64-bit finalizer */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h | 1;		/* never 0, the empty mark */
}

struct conntab *conntab_new(size_t entries, uint64_t seed)
{
	struct conntab *t;
	size_t n = 1;

	while (n * CONNTAB_WAYS < entries && n < ((size_t)1 << 30))
		n <<= 1;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->nsets = n;
	t->seed = seed;
	t->e = calloc(n * CONNTAB_WAYS, sizeof(*t->e));
	if (!t->e) {
		free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void conntab_free(struct conntab *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

static uint32_t secs(uint64_t ts_usec)
{
	uint64_t s = ts_usec / 1000000u + 1;

	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

static struct conn_entry *set_of(const struct conntab *t, uint64_t fp)
{
	/* the set from the high bits: the low ones are the same in every set's entries */
	return &t->e[((size_t)(fp >> 32 ^ fp >> 7) & (t->nsets - 1)) * CONNTAB_WAYS];
}

void conntab_mark(struct conntab *t, const struct conn_tuple *k, unsigned marks,
		  uint64_t ts_usec, uint32_t live_s)
{
	uint64_t fp = conntab_hash(k, t->seed);
	struct conn_entry *set = set_of(t, fp), *victim = NULL, *e;
	uint32_t now = secs(ts_usec);
	int i;

	marks &= CONN_BIT(CONN_NMARKS) - 1;
	if (!marks)
		return;
	for (i = 0; i < CONNTAB_WAYS; i++) {
		e = &set[i];
		if (e->fp == fp)
			goto found;
		if (!e->fp) {
			victim = e;
			break;
		}
		/* the oldest of those the host never sent on, else the oldest of all */
		if (!victim || (!e->t[CONN_SENT] && victim->t[CONN_SENT]) ||
		    (!e->t[CONN_SENT] == !victim->t[CONN_SENT] && e->last < victim->last))
			victim = e;
	}
	e = victim;
	if (e->fp && (uint64_t)e->last + live_s >= now)
		t->evictions++;
	memset(e, 0, sizeof(*e));
	e->fp = fp;
found:
	for (i = 0; i < CONN_NMARKS; i++)
		if (marks & CONN_BIT(i))
			e->t[i] = now;
	if (now > e->last)
		e->last = now;
}

int conntab_seen(const struct conntab *t, const struct conn_tuple *k, enum conn_mark mark,
		 uint64_t ts_usec, uint32_t within_s)
{
	uint64_t fp = conntab_hash(k, t->seed);
	const struct conn_entry *set = set_of(t, fp);
	uint32_t now = secs(ts_usec);
	int i;

	if ((unsigned)mark >= CONN_NMARKS)
		return 0;
	for (i = 0; i < CONNTAB_WAYS; i++) {
		if (set[i].fp != fp)
			continue;
		return set[i].t[mark] && (uint64_t)set[i].t[mark] + within_s >= now;
	}
	return 0;
}

uint64_t conntab_evictions(const struct conntab *t)
{
	return t->evictions;
}

size_t conntab_capacity(const struct conntab *t)
{
	return t->nsets * CONNTAB_WAYS;
}

void conntab_tuple_of(const struct pkt_record *r, int out, struct conn_tuple *k)
{
	memset(k, 0, sizeof(*k));
	k->family = r->family;
	k->proto = r->proto;
	memcpy(k->host, out ? r->src : r->dst, 16);
	memcpy(k->remote, out ? r->dst : r->src, 16);
	if (r->have & PKT_HAVE_PORTS) {
		k->hport = out ? r->sport : r->dport;
		k->rport = out ? r->dport : r->sport;
	}
}
