/* This file holds the set of evaluation states one packet's worlds have reached, which
 * lets the evaluator (ipt_eval.c) merge branches that met again: a hash table of
 * serialized states, emptied per packet in O(1) by a generation number. */
#include "policy/ipt_int.h"

#include <stdlib.h>
#include <string.h>

#define SEEN_SLOTS 8192		/* power of two */
#define SEEN_MAX 4096		/* states kept per packet; past it nothing more is merged */

/* The part of a world later steps read; padding zeroed so that memcmp compares it. */
struct seen_key {
	uint32_t base_chain;
	uint32_t depth;
	uint32_t mark, mark_known, ctmark, ctmark_known;
	uint16_t dport;
	uint8_t stage, hook, ctstate, in_slot, out_slot, dport_unk, path, oslot, pslot;
	uint8_t dst[16];
};

struct seen_slot {
	uint64_t gen;		/* slot holds a state of this packet when gen matches */
	uint64_t hash;
	size_t off;		/* key bytes in arena */
	size_t len;
};

struct ipt_seen {
	struct seen_slot *slot;
	uint64_t gen;
	uint32_t n;		/* states recorded this generation */
	uint8_t *arena;
	size_t used, cap;
	uint8_t *buf;		/* the key being looked up */
	size_t bufcap;
};

struct ipt_seen *ipt_seen_new(void)
{
	struct ipt_seen *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->slot = calloc(SEEN_SLOTS, sizeof(*s->slot));
	if (!s->slot) {
		free(s);
		return NULL;
	}
	s->gen = 1;
	return s;
}

void ipt_seen_free(struct ipt_seen *s)
{
	if (!s)
		return;
	free(s->slot);
	free(s->arena);
	free(s->buf);
	free(s);
}

void ipt_seen_reset(struct ipt_seen *s)
{
	s->gen++;
	s->n = 0;
	s->used = 0;
}

static int reserve(uint8_t **p, size_t *cap, size_t need)
{
	size_t ncap = *cap ? *cap : 4096;
	uint8_t *np;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	np = realloc(*p, ncap);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/* FNV-1a, 64 bits. */
static uint64_t hash_bytes(const uint8_t *p, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

int ipt_seen_check(struct ipt_seen *s, const struct ipt_world *w)
{
	struct seen_key k;
	size_t len = sizeof(k) + (size_t)w->depth * sizeof(*w->stack), i;
	uint64_t h;

	memset(&k, 0, sizeof(k));
	k.base_chain = w->base_chain;
	k.depth = w->depth;
	k.mark = w->mark;
	k.mark_known = w->mark_known;
	k.ctmark = w->ctmark;
	k.ctmark_known = w->ctmark_known;
	k.dport = w->dport;
	k.stage = w->stage;
	k.hook = (uint8_t)w->hook;
	k.ctstate = w->ctstate;
	k.in_slot = w->in_slot;
	k.out_slot = w->out_slot;
	k.dport_unk = w->dport_unk;
	k.path = w->path;
	k.oslot = w->oslot;
	k.pslot = w->pslot;
	memcpy(k.dst, w->dst, sizeof(k.dst));
	if (reserve(&s->buf, &s->bufcap, len) != 0)
		return 0;	/* no memory: do not merge (still correct, only slower) */
	memcpy(s->buf, &k, sizeof(k));
	for (i = 0; i < w->depth; i++) {	/* frames field by field: no padding read */
		uint32_t f[2] = {w->stack[i].chain, w->stack[i].pos};

		memcpy(s->buf + sizeof(k) + i * sizeof(f), f, sizeof(f));
	}
	h = hash_bytes(s->buf, len);
	for (i = h & (SEEN_SLOTS - 1);; i = (i + 1) & (SEEN_SLOTS - 1)) {
		struct seen_slot *sl = &s->slot[i];

		if (sl->gen != s->gen)
			break;
		if (sl->hash == h && sl->len == len && memcmp(s->arena + sl->off, s->buf, len) == 0)
			return 1;
	}
	if (s->n >= SEEN_MAX || reserve(&s->arena, &s->cap, s->used + len) != 0)
		return 0;
	memcpy(s->arena + s->used, s->buf, len);
	s->slot[i].gen = s->gen;
	s->slot[i].hash = h;
	s->slot[i].off = s->used;
	s->slot[i].len = len;
	s->used += len;
	s->n++;
	return 0;
}
