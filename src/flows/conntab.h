/* This file declares the connection memory: per transport tuple, when the host last sent
 * a SYN, when it last sent anything, and when traffic last went either way. It is what
 * the backscatter class (flows/backscatter.h) asks. A bounded set-associative table: no
 * allocation after conntab_new(), a lookup touches one set of CONNTAB_WAYS entries. */
#ifndef SPOOFAUDIT_CONNTAB_H
#define SPOOFAUDIT_CONNTAB_H

#include <stddef.h>
#include <stdint.h>

#include "sources/pktrec.h"

#define CONNTAB_WAYS 4

/* A tuple seen from the host: its address and port, the remote's address and port.
 * Callers zero the whole struct before filling it (it is hashed as bytes); protocols
 * without ports leave them 0. */
struct conn_tuple {
	uint8_t family;		/* 4 or 6 */
	uint8_t proto;
	uint16_t hport, rport;
	uint8_t host[16];
	uint8_t remote[16];
	uint8_t pad[2];		/* zero */
};

/* What is remembered of a tuple, each with the time it last happened. */
enum conn_mark {
	CONN_SYN = 0,		/* the host sent a SYN (no ACK) */
	CONN_SENT,		/* the host sent a packet, whatever it was */
	CONN_TRAFFIC,		/* a packet that takes part in a conversation went either way */
	CONN_NMARKS
};

/* The tuple of packet r seen from the host: one it sent (out) or received. */
void conntab_tuple_of(const struct pkt_record *r, int out, struct conn_tuple *k);

/* The 64-bit fingerprint of k under seed (never 0). */
uint64_t conntab_hash(const struct conn_tuple *k, uint64_t seed);

struct conntab;

/* A table of at least `entries` tuples (rounded up to a power of 2 times CONNTAB_WAYS).
 * seed keys the hash (a random one keeps forged sources from aiming at one set).
 * Returns NULL (errno set) on failure. */
struct conntab *conntab_new(size_t entries, uint64_t seed);
void conntab_free(struct conntab *t);	/* NULL-safe */

#define CONN_BIT(m) (1u << (m))

/* Notes that the marks in the mask `marks` (CONN_BIT()s) happened to tuple k at ts_usec. When the tuple's set is full, the
 * least recently used tuple the host never sent on makes room, else the least recently
 * used; replacing one used within live_s seconds counts as an eviction. */
void conntab_mark(struct conntab *t, const struct conn_tuple *k, unsigned marks,
		  uint64_t ts_usec, uint32_t live_s);

/* True when mark happened to k at most within_s seconds before ts_usec (or after it: a
 * file's timestamps may step back). */
int conntab_seen(const struct conntab *t, const struct conn_tuple *k, enum conn_mark mark,
		 uint64_t ts_usec, uint32_t within_s);

uint64_t conntab_evictions(const struct conntab *t);	/* live tuples replaced so far */
size_t conntab_capacity(const struct conntab *t);

#endif
