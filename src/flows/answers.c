/* This file implements the answer memory: a set-associative table of connection tuple
 * fingerprints (flows/conntab.c's hash over a tuple whose lesser endpoint comes first)
 * with, per direction, the time its first packet was seen. */
#include "flows/answers.h"
#include "flows/conntab.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

struct ans_entry {
	uint64_t fp;		/* 0: empty */
	uint64_t first[2];	/* per direction (0: lesser endpoint sends), usec + 1; 0 never */
	uint64_t before[2];	/* per direction, the youngest packet said to come before
				 * any answer (ANS_BEFORE or ANS_UNSURE), usec + 1 */
	uint64_t closed;	/* TCP: the earliest FIN or RST either way, usec + 1 (0: none) */
	uint32_t last;		/* second of the latest packet + 1, for the LRU choice */
	uint8_t unsure;		/* its first packet was ANS_UNSURE: so is every packet
				 * until the other direction answers */
	uint8_t tainted;	/* an untrusted time was seen: every packet ANS_UNSURE */
	uint8_t gen;		/* changes when the entry starts a new connection, so that
				 * a held packet of the one before is not placed in it */
};

struct answers {
	size_t nsets;		/* a power of 2 */
	uint64_t seed;
	uint64_t forgotten;
	uint64_t start_usec;	/* the first packet's time + 1 (0: none yet) */
	int warm;
	uint8_t gen;		/* the next connection's entry generation */
	struct ans_entry *e;	/* nsets * ANSWERS_WAYS */
	uint32_t *lost;		/* per set: last second + 1 of the latest tuple it forgot */
};

struct answers *answers_new(size_t entries, uint64_t seed, int warm)
{
	struct answers *a;
	size_t n = 1;

	while (n * ANSWERS_WAYS < entries && n < ((size_t)1 << 28))
		n <<= 1;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->nsets = n;
	a->seed = seed;
	a->warm = warm;
	a->e = calloc(n * ANSWERS_WAYS, sizeof(*a->e));
	a->lost = calloc(n, sizeof(*a->lost));
	if (!a->e || !a->lost) {
		answers_free(a);
		errno = ENOMEM;
		return NULL;
	}
	return a;
}

void answers_free(struct answers *a)
{
	if (!a)
		return;
	free(a->e);
	free(a->lost);
	free(a);
}

/* Seconds a tuple the kernel tracks may stay idle before conntrack forgets it, the
 * longest of the kernels we model (nf_conntrack_proto_udp.c: 120 s replied, 180 s
 * before 5.x; nf_conntrack_proto_icmp.c: 30 s; generic 600 s). TCP never needs it: a
 * packet that opens nothing and misses the table is unsure by itself. */
static uint32_t horizon_s(int proto)
{
	switch (proto) {
	case 17: case 136: return 180;
	case 1: case 58: return 30;
	default: return 600;
	}
}

/* What the caller is told of a packet of direction d: the youngest such is kept. */
static enum answer_state said(struct ans_entry *e, int d, uint64_t now_us, enum answer_state st)
{
	if (st != ANS_AFTER && now_us > e->before[d])
		e->before[d] = now_us;
	return st;
}

/* The tuple of r with its lesser endpoint first, and r's direction in it (0: r's source
 * is the lesser endpoint). Returns -1 for a packet that has none: an ICMP message with
 * no reply type (*d = 2), or an endpoint talking to itself (*d = 3). */
static int tuple_of(const struct pkt_record *r, struct conn_tuple *k, int *d)
{
	int c;

	memset(k, 0, sizeof(*k));
	k->family = r->family;
	k->proto = r->proto;
	if (r->have & PKT_HAVE_ICMP) {
		int q = pkt_icmp_pair(r->family, r->icmp_type);

		if (q < 0) {
			*d = 2;
			return -1;
		}
		/* both halves of the query share the lesser type */
		q = q < r->icmp_type ? q : r->icmp_type;
		k->hport = (uint16_t)(q << 8 | r->icmp_code);
	}
	c = memcmp(r->src, r->dst, 16);
	if (!c && (r->have & PKT_HAVE_PORTS))
		c = (int)r->sport - (int)r->dport;
	if (!c) {
		*d = 3;
		return -1;
	}
	*d = c > 0;
	memcpy(k->host, *d ? r->dst : r->src, 16);
	memcpy(k->remote, *d ? r->src : r->dst, 16);
	if (r->have & PKT_HAVE_PORTS) {
		k->hport = *d ? r->dport : r->sport;
		k->rport = *d ? r->sport : r->dport;
	}
	return 0;
}

/* The set of the fingerprint fp. */
static struct ans_entry *set_of(struct answers *a, uint64_t fp)
{
	return &a->e[((size_t)(fp >> 32 ^ fp >> 7) & (a->nsets - 1)) * ANSWERS_WAYS];
}

/* What r is told: st, or, for a packet that would come before any answer while the
 * caller holds such packets (t non-NULL), ANS_HELD with the ticket to place it later;
 * a held packet is not yet among those said to come before (e->before). So is one of a
 * TCP tuple whose first packet read was not a SYN (e->unsure): the SYN may still be in
 * another handle's ring (a server's SYN-ACK read before the client's SYN). */
static enum answer_state tell(struct ans_entry *e, int d, uint64_t now_us, enum answer_state st,
			      struct answer_ticket *t, int tcp)
{
	if (t && (st == ANS_BEFORE || (st == ANS_UNSURE && tcp && e->unsure && !e->tainted))) {
		t->fp = e->fp;
		t->usec = now_us;
		t->dir = (uint8_t)d;
		t->gen = e->gen;
		return ANS_HELD;
	}
	return said(e, d, now_us, st);
}

/* packet() for r, of direction d in the tuple of entry e, which holds it. */
static enum answer_state seen(struct answers *a, struct ans_entry *e, const struct pkt_record *r,
			      int d, int trusted, int *late, struct answer_ticket *t)
{
	uint64_t now_us = r->ts_usec + 1;
	uint32_t now = (uint32_t)(r->ts_usec / 1000000u + 1);
	uint8_t fl = (r->proto == 6 && (r->have & PKT_HAVE_TCPFLAGS)) ? r->tcp_flags : 0;
	int tcp_open = (fl & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	enum answer_state st = e->first[!d] && e->first[!d] <= now_us ? ANS_AFTER :
			       e->unsure ? ANS_UNSURE : ANS_BEFORE;

	if (now > e->last)
		e->last = now;
	if (e->before[!d] >= now_us) {
		*late = 1;	/* they came after this answer */
		e->before[!d] = 0;
	}
	if (tcp_open && e->closed && now_us > e->closed) {
		/* a SYN on a closed connection opens a new one
		 * (nf_conntrack_proto_tcp.c: sTW/sCL -> sS1, the old
		 * entry is killed); one older than the close is the
		 * old connection's, read late (another handle's ring:
		 * on a router, the copy leaving by another interface) */
		e->first[!d] = 0;
		e->first[d] = now_us;
		e->before[!d] = 0;
		e->closed = (fl & (TCP_FIN | TCP_RST)) ? now_us : 0;
		e->unsure = 0;
		e->tainted = !trusted;
		e->gen = a->gen++;
		return tell(e, d, now_us, e->tainted ? ANS_UNSURE : ANS_BEFORE, t, 1);
	}
	if (tcp_open && e->unsure && (!e->first[!d] || now_us < e->first[!d]) &&
	    (!e->first[d] || now_us <= e->first[d])) {
		/* the SYN older than all the tuple had seen, read late from
		 * another ring: it opened the connection */
		e->unsure = 0;
		st = ANS_BEFORE;
	}
	if (tcp_open && st == ANS_AFTER)
		st = ANS_UNSURE;	/* a SYN on an open, answered one */
	if (!e->first[d] || now_us < e->first[d])
		e->first[d] = now_us;
	if ((fl & (TCP_FIN | TCP_RST)) && (!e->closed || now_us < e->closed))
		e->closed = now_us;
	if (!trusted)
		e->tainted = 1;
	return tell(e, d, now_us, e->tainted ? ANS_UNSURE : st, t, r->proto == 6);
}

static enum answer_state packet(struct answers *a, const struct pkt_record *r, int trusted,
				int *late, struct answer_ticket *t)
{
	struct conn_tuple k;
	struct ans_entry *set, *e, *victim = NULL;
	uint64_t fp, now_us = r->ts_usec + 1;
	uint32_t now = (uint32_t)(r->ts_usec / 1000000u + 1);
	uint32_t *lost, lost_before;
	int d, i, tcp_open;
	uint8_t fl;

	*late = 0;
	if (!a->start_usec)
		a->start_usec = now_us;
	/* an error is RELATED, its own; one endpoint talking to itself has no direction */
	if (tuple_of(r, &k, &d) < 0)
		return d == 2 ? ANS_BEFORE : ANS_UNSURE;
	fp = conntab_hash(&k, a->seed);
	set = set_of(a, fp);
	fl = (r->proto == 6 && (r->have & PKT_HAVE_TCPFLAGS)) ? r->tcp_flags : 0;
	tcp_open = (fl & (TCP_SYN | TCP_ACK)) == TCP_SYN;
	for (i = 0; i < ANSWERS_WAYS; i++) {
		e = &set[i];
		if (e->fp == fp)
			return seen(a, e, r, d, trusted, late, t);
		if (!e->fp) {	/* ways fill in order and never empty again */
			victim = e;
			break;
		}
		if (!victim || e->last < victim->last)
			victim = e;
	}
	/* A tuple the table does not hold: was it forgotten before (the set's record, not
	 * the victim this packet replaces now)? */
	lost = &a->lost[(size_t)(set - a->e) / ANSWERS_WAYS];
	lost_before = *lost;
	e = victim;
	if (e->fp) {
		a->forgotten++;
		if (e->last > *lost)
			*lost = e->last;
	}
	memset(e, 0, sizeof(*e));
	e->fp = fp;
	e->first[d] = now_us;
	e->last = now;
	e->closed = (fl & (TCP_FIN | TCP_RST)) ? now_us : 0;
	e->tainted = !trusted;
	e->gen = a->gen++;
	/* the tuple it forgot may have had packets said to come before an answer */
	if (lost_before && (uint64_t)lost_before + ANSWERS_LATE_S >= now)
		*late = 2;
	if (r->proto == 6) {
		e->unsure = !tcp_open;
	} else {
		uint64_t h = horizon_s(r->proto);

		/* maybe the tuple it forgot, or a connection from before the capture */
		e->unsure = (lost_before && (uint64_t)lost_before + h >= now) ||
			    (!a->warm && now_us < a->start_usec + h * 1000000u);
	}
	return tell(e, d, now_us, e->unsure || e->tainted ? ANS_UNSURE : ANS_BEFORE, t,
		    r->proto == 6);
}

enum answer_state answers_packet(struct answers *a, const struct pkt_record *r, int trusted,
				 int *late)
{
	return packet(a, r, trusted, late, NULL);
}

enum answer_state answers_packet_held(struct answers *a, const struct pkt_record *r, int *late,
				      struct answer_ticket *t)
{
	return packet(a, r, 1, late, t);
}

enum answer_state answers_place(struct answers *a, const struct answer_ticket *t)
{
	struct ans_entry *set = set_of(a, t->fp), *e;
	int i;

	for (i = 0; i < ANSWERS_WAYS; i++) {
		e = &set[i];
		if (e->fp != t->fp)
			continue;
		/* forgotten and seen again, or a new connection on the tuple since */
		if (e->gen != t->gen || e->tainted)
			return ANS_UNSURE;
		if (e->first[!t->dir] && e->first[!t->dir] <= t->usec)
			return ANS_AFTER;	/* an answer older than it was read since */
		/* still no SYN before the tuple's first packet: it may have begun before */
		return said(e, t->dir, t->usec, e->unsure ? ANS_UNSURE : ANS_BEFORE);
	}
	return ANS_UNSURE;	/* the table forgot the tuple */
}

uint64_t answers_forgotten(const struct answers *a)
{
	return a->forgotten;
}

size_t answers_capacity(const struct answers *a)
{
	return a->nsets * ANSWERS_WAYS;
}
