/* This file declares the flood class (suspect_src / flood): per destination address,
 * protocol and port, the connection openings (TCP SYNs without ACK, UDP) of a time
 * window; when at least min_sources distinct sources sent them and band_pct % of them
 * fall in a band of `band` adjacent TTL values (random sources across the address space
 * would spread over tens of values), an episode starts and its openings in the band
 * (one TTL either side) become CLS_SUSPECT_SRC / ASUB_FLOOD until window_s passes
 * without one. A fixed number of slots; a packet touches at most FLOOD_PROBE of them. */
#ifndef SPOOFAUDIT_FLOOD_H
#define SPOOFAUDIT_FLOOD_H

#include <stddef.h>
#include <stdint.h>
#include "classify/classify.h"

/* Defaults; README.md explains each. */
#define FLOOD_WINDOW_S 10
#define FLOOD_MIN_SOURCES 100
#define FLOOD_BAND 5
#define FLOOD_BAND_PCT 80
#define FLOOD_SLOTS 256
#define FLOOD_PROBE 4
#define FLOOD_PENDING 64	/* ended episodes held for the next write */

struct flood_opts {
	int off;		/* 1: no flood class */
	uint32_t window_s;
	uint32_t min_sources;
	unsigned band;		/* TTL values the band spans */
	unsigned band_pct;	/* percentage of the window's openings inside it */
	size_t slots;
};

/* One episode, as stored (flood_episodes, schema/007_hopcount.sql). */
struct flood_episode {
	uint8_t family, proto;
	uint16_t dport;
	uint8_t dst[16];
	uint64_t start_usec, end_usec;	/* first opening of the window, last of the episode */
	uint64_t packets;		/* openings counted, those before the start too */
	uint64_t flagged;		/* of them, named flood */
	uint32_t sources;		/* distinct sources (linear-counting estimate) */
	uint8_t band_lo, band_hi;	/* the TTL band found */
	uint32_t hist[256];		/* openings per TTL */
};

struct flood;

void flood_opts_default(struct flood_opts *o);
struct flood *flood_new(const struct flood_opts *o, uint64_t seed);	/* NULL, errno */
void flood_free(struct flood *f);	/* NULL-safe */

/* Looks at one classified packet; update 0: judge only (a second sighting). */
void flood_packet(struct flood *f, const struct pkt_record *r, struct classification *cl,
		  int update);

/* Ends the episodes quiet since window_s before now_usec (UINT64_MAX: all) and copies
 * up to max ended episodes into out; returns how many. */
size_t flood_take_ended(struct flood *f, uint64_t now_usec, struct flood_episode *out,
			size_t max);

/* Episodes lost because more ended than FLOOD_PENDING between two takes. */
uint64_t flood_lost(const struct flood *f);

/* The distinct-count estimate of linear counting: m bits of which `set` are set. */
uint32_t flood_estimate(uint32_t m, uint32_t set);

#endif
