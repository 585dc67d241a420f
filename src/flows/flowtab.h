/* This file declares the flow table: an in-memory hash table that aggregates packet
 * records into flows under a fixed cap on entries, and hands dirty entries to a sink (the
 * store) so that no count is ever lost when entries are evicted. */
#ifndef SPOOFAUDIT_FLOWTAB_H
#define SPOOFAUDIT_FLOWTAB_H

#include <stddef.h>
#include <stdint.h>
#include "sources/pktrec.h"

/* Which sources saw a flow (bit mask, stored as flows.seen_by). */
#define FLOW_SEEN_PCAP	0x01
#define FLOW_SEEN_NFLOG	0x02

/* Bit of flow_entry.audit: the live audit wants to see every packet of this flow. */
#define FLOW_AUDIT_WATCH 0x80

/* The aggregation key. Callers zero the whole struct before filling it (it is hashed and
 * compared as bytes). Port collapsing is the caller's policy (see collect/collector.c); for
 * ICMP/ICMPv6 sport = 0 and dport = type << 8 | code. */
struct flow_key {
	int64_t bucket;		/* start of the time bucket, seconds since the epoch */
	uint16_t iface;		/* index into the collector's interface table */
	uint8_t dir;		/* enum pkt_dir */
	uint8_t family;		/* 4 or 6 */
	uint8_t proto;
	uint8_t cls;		/* enum spoof_class */
	uint8_t subclass;	/* enum addr_subclass */
	uint8_t pad;		/* zero */
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

/* Counters accumulated since the entry was last written to the sink. */
struct flow_counts {
	uint64_t packets;	/* distinct packets (pcap-seen, or NFLOG-seen where no pcap) */
	uint64_t bytes;		/* wire length of those packets */
	uint64_t first_usec;	/* timestamps of the first and last packet */
	uint64_t last_usec;
	uint8_t ttl_min, ttl_max;
	uint8_t tcp_flags;	/* OR of all TCP flags seen */
	uint8_t seen_by;	/* FLOW_SEEN_* */
	/* Of the packets counted, those sent before the other direction first answered
	 * (flows/answers.h; the kernel gives them the first packet's conntrack state, the
	 * rest are ESTABLISHED), or FLOW_PRE_UNSURE when one of them could not be placed.
	 * The caller keeps it (collect/collector.c); flushing clears it with the rest. */
	uint32_t pre_reply;
};

#define FLOW_PRE_UNSURE UINT32_MAX

/* One flow. Invariant: dirty is set iff delta holds something not yet written (packets,
 * or a flowtab_note() of a packet counted elsewhere). */
struct flow_entry {
	struct flow_key key;
	struct flow_counts delta;	/* not yet handed to the sink */
	int64_t db_id;			/* row id the sink assigned; 0 before the first write */
	uint32_t evidence_kept;		/* evidence packets kept so far (caller's bookkeeping) */
	uint8_t audit;			/* live policy audit's bookkeeping (audit.c); with
					 * FLOW_AUDIT_WATCH the collector reports every packet */
	uint8_t dirty;
	/* private to flowtab.c */
	struct flow_entry *dnext;		/* dirty list */
};

struct flowtab;

/* Writes n dirty entries (e.g. an upsert into SQLite) and sets each one's db_id. Returns
 * 0, or -1 on failure (the entries then stay dirty and nothing is lost). */
typedef int (*flowtab_sink_fn)(void *arg, struct flow_entry **entries, size_t n);

/* Creates a table holding at most max_entries flows. NULL and errno on failure. */
struct flowtab *flowtab_new(size_t max_entries);
void flowtab_free(struct flowtab *ft);	/* NULL-safe */

/* Finds the entry for key or creates it. Returns NULL (errno ENOSPC) when the key is new
 * and the table is full (it never evicts by itself, even when clean entries exist): the
 * caller must flush and evict, then try again.
 * *created is set to 1 for a new entry. The entry becomes the most recently used. */
struct flow_entry *flowtab_get(struct flowtab *ft, const struct flow_key *key, int *created);

/* Finds the entry for key without creating it or changing its LRU position; NULL when
 * the table holds none. */
struct flow_entry *flowtab_find(const struct flowtab *ft, const struct flow_key *key);

/* Adds one packet (wire length bytes, ttl, TCP flags) seen by `seen_by` to e's delta and
 * marks it dirty. */
void flowtab_account(struct flowtab *ft, struct flow_entry *e, uint32_t bytes,
		     uint64_t ts_usec, uint8_t ttl, uint8_t tcp_flags, uint8_t seen_by);

/* Records that seen_by also saw a packet of e that is already counted (or is counted by
 * another source): times, TTL, flags and seen_by are merged and e becomes dirty, but
 * packets and bytes do not change. Used so that NFLOG and pcap never count one packet
 * twice. */
void flowtab_note(struct flowtab *ft, struct flow_entry *e, uint64_t ts_usec, uint8_t ttl,
		  uint8_t tcp_flags, uint8_t seen_by);

/* Makes e dirty with nothing added if it is clean (its delta: no packets, no source, times
 * and TTLs that change nothing when merged), so that a change the caller makes to the
 * delta (pre_reply) is written. */
void flowtab_touch(struct flowtab *ft, struct flow_entry *e);

/* Hands every dirty entry to sink in batches of at most `batch`, then clears their deltas.
 * Returns 0, or -1 if the sink failed (entries not written stay dirty). */
int flowtab_flush(struct flowtab *ft, flowtab_sink_fn sink, void *arg, size_t batch);

/* Removes up to n least recently used clean entries (dirty ones are skipped). Returns
 * the number removed. Evicting never loses a count: clean entries are already written. */
size_t flowtab_evict(struct flowtab *ft, size_t n);

size_t flowtab_count(const struct flowtab *ft);
size_t flowtab_capacity(const struct flowtab *ft);
size_t flowtab_dirty_count(const struct flowtab *ft);
/* Total entries removed by flowtab_evict() since creation. */
uint64_t flowtab_evictions(const struct flowtab *ft);

#endif
