/* This file declares the hop-count class (suspect_src / hop_count): per source prefix
 * (/24, /48) the range of hop counts its sources proved to be real at (a packet on a
 * tuple the host sent on: the client's ACK of a handshake, a reply to the host), and the
 * received packets whose hop count departs from that range by more than a tolerance
 * (Jin, Wang and Shin, "Hop-count filtering", CCS 2003). A bounded set-associative
 * table; no allocation after hoptab_new(), a packet touches one set. */
#ifndef SPOOFAUDIT_HOPCOUNT_H
#define SPOOFAUDIT_HOPCOUNT_H

#include <stddef.h>
#include <stdint.h>
#include "classify/classify.h"
#include "flows/conntab.h"

#define HOP_TOLERANCE 1		/* hops a packet may depart from its prefix's range */
#define HOP_ENTRIES 262144	/* prefixes remembered (24 bytes each) */
#define HOP_DIRTY_MAX 65536	/* changed prefixes listed for the next write */

struct hop_opts {
	int off;		/* 1: neither learn nor judge */
	unsigned tolerance;
	uint32_t min_obs;	/* proofs a prefix needs before it is judged */
	size_t entries;
};

/* One prefix's learned range, as stored (hopcount table, schema/007_hopcount.sql). */
struct hop_row {
	uint8_t family;		/* 4 (a /24) or 6 (a /48) */
	uint8_t prefix[16];	/* the prefix, host bits zero */
	uint8_t lo, hi;		/* the hop counts seen from proven sources */
	uint32_t n;		/* proofs seen */
	uint32_t first_s, last_s;	/* seconds since the epoch of the first and last proof */
};

struct hoptab;

void hop_opts_default(struct hop_opts *o);

/* A table of at least o->entries prefixes; seed keys the hash. NULL (errno) on failure. */
struct hoptab *hoptab_new(const struct hop_opts *o, uint64_t seed);
void hoptab_free(struct hoptab *h);	/* NULL-safe */

/* Notes that a proven source of addr's prefix was `hops` away at second now_s. */
void hoptab_learn(struct hoptab *h, int family, const uint8_t addr[16], unsigned hops,
		  uint32_t now_s);

/* Puts a stored row back (at start); it is not listed as changed. Returns 0, or -1 for a
 * row that is not a valid prefix. */
int hoptab_load(struct hoptab *h, const struct hop_row *row);

/* The learned row of addr's prefix into *out: 1, or 0 when none. */
int hoptab_lookup(const struct hoptab *h, int family, const uint8_t addr[16],
		  struct hop_row *out);

/* Copies up to max prefixes changed since the last call into out and clears their mark;
 * returns how many. Call again while it returns max. */
size_t hoptab_take_changed(struct hoptab *h, struct hop_row *out, size_t max);

size_t hoptab_count(const struct hoptab *h);		/* prefixes held */

/* Looks at one classified packet: a received packet on a tuple the host sent on (within
 * idle_s, conntab ct) teaches its prefix; any other normal received packet from a learned
 * prefix (at least min_obs proofs) whose hop count lies more than the tolerance outside
 * the learned range becomes CLS_SUSPECT_SRC / ASUB_HOP_COUNT. learn 0: judge only (a
 * second sighting of a packet already counted). */
void hopcount_packet(struct hoptab *h, const struct conntab *ct, uint32_t idle_s,
		     const struct pkt_record *r, struct classification *cl, int learn);

#endif
