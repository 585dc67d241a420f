/* This file holds back, for a moment, the answer order of the packets a live capture
 * counts before any answer of their connection (flows/answers.h), so that an answer read
 * late is still placed as the kernel saw it. A live capture opens a handle per interface
 * and direction, each with its own ring that libpcap hands over in blocks up to its
 * 100 ms timeout late: a client's ACK and data may be read before the SYN-ACK they follow,
 * which another ring still holds. The packet itself is counted at once; only whether it
 * came before the answer waits. A held packet is placed once a packet PLACE_HOLD_USEC
 * younger was processed, at the next flush by the clock, when the run ends, or (the
 * oldest first) when the queue is full. One placed too early is still caught by the
 * late-answer check (answers_packet()'s *late) and its row made unsure, never wrong. */
#include "collect/collector_int.h"

#include <stdlib.h>

#define PLACE_HOLD_USEC 1000000u	/* ten times the ring timeout, as bshold.c's */
#define PLACE_HOLD_MAX 16384		/* packets held at once: 1.25 MiB (80 bytes each) */

struct place_held {
	struct answer_ticket t;
	struct flow_key key;		/* the row it was counted in */
};

/* A FIFO in arrival order. */
struct place_hold {
	size_t head, n;
	struct place_held e[PLACE_HOLD_MAX];
};

static void place_one(struct collector *c)
{
	struct place_hold *h = c->placing;
	struct place_held *e = &h->e[h->head];

	h->head = (h->head + 1) % PLACE_HOLD_MAX;
	h->n--;
	collector_place(c, &e->key, answers_place(c->ans, &e->t));
}

void collector_place_release(struct collector *c, uint64_t now_usec)
{
	struct place_hold *h = c->placing;

	/* the ticket's time is the packet's + 1 */
	while (h && h->n && (now_usec == UINT64_MAX ||
			     h->e[h->head].t.usec - 1 + PLACE_HOLD_USEC <= now_usec))
		place_one(c);
}

void collector_place_hold(struct collector *c, const struct flow_key *k,
			  const struct answer_ticket *t)
{
	struct place_held *e;

	if (!c->placing && !(c->placing = calloc(1, sizeof(*c->placing)))) {
		collector_place(c, k, answers_place(c->ans, t));	/* no memory: at once */
		return;
	}
	if (c->placing->n == PLACE_HOLD_MAX)
		place_one(c);
	e = &c->placing->e[(c->placing->head + c->placing->n) % PLACE_HOLD_MAX];
	e->t = *t;
	e->key = *k;
	c->placing->n++;
}

void collector_place_free(struct collector *c)
{
	free(c->placing);
	c->placing = NULL;
}
