/* This file declares the hourly rollup the flow writers keep (flows_hourly, migration
 * 10): a flush's flow deltas summed in memory per hour and key, then one upsert per key
 * inside the flush's own transaction, so the rollup is all or nothing with the rows. */
#ifndef SPOOFAUDIT_STORE_ROLLUP_H
#define SPOOFAUDIT_STORE_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"

struct rollup_ent;
struct spoof_ent;

/* The sums of one flush's spoofed flows (spoof_hourly, migration 11; same invariant as
 * struct store_rollup's). */
struct store_spoof {
	struct spoof_ent *e;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
};

/* The sums of one flush. Invariant: slots has nslots (a power of two, or 0) entries,
 * each 0 (free) or 1 + an index into e; n < nslots / 2. */
struct store_rollup {
	struct rollup_ent *e;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
	struct store_spoof sp;		/* its spoofed flows, for spoof_hourly */
	struct store_spoof lp;		/* its loopback flows, for loopback_hourly */
};

#define STORE_ROLLUP_INIT { NULL, 0, 0, NULL, 0, { NULL, 0, 0, NULL, 0 }, { NULL, 0, 0, NULL, 0 } }

/* store_flow_merge() of one flow, adding its delta to r: packets and bytes, and one flow
 * when the merge inserted a new row (and for a spoofed flow, the same and its first and
 * last packet's time to r->sp). 0, or -1 with the message. */
int store_rollup_flow(struct store *st, struct store_rollup *r, const struct flow_key *k,
		      const struct flow_counts *d, int64_t db_id, const char *const *ifnames,
		      int64_t *id);
/* Adds a spoofed flow's delta d to r (a flow of another class adds nothing); inserted:
 * the merge made a new row. 0, or -1 when out of memory (store_spoof_rollup.c). */
int store_spoof_add(struct store_spoof *r, const struct flow_key *k,
		    const struct flow_counts *d, int inserted);
/* Adds r's sums to spoof_hourly and empties r. 0, or -1 with the message. */
int store_spoof_write(struct store *st, struct store_spoof *r, const char *const *ifnames);
/* The same for a loopback flow (class loopback_flow; any other adds nothing) and
 * loopback_hourly (migration 12), keyed by hour, interface, protocol, ports, source and
 * destination. */
int store_loop_add(struct store_spoof *r, const struct flow_key *k,
		   const struct flow_counts *d, int inserted);
int store_loop_write(struct store *st, struct store_spoof *r, const char *const *ifnames);
/* Empties r without writing it. */
void store_spoof_clear(struct store_spoof *r);
void store_spoof_free(struct store_spoof *r);

/* Adds r's sums to flows_hourly, spoof_hourly and loopback_hourly (call inside the transaction or savepoint that wrote the
 * flows) and empties r. 0, or -1 with the message (a failed write). */
int store_rollup_write(struct store *st, struct store_rollup *r, const char *const *ifnames);
/* Recomputes spoof_src_daily (migration 14) of the UTC days that [from, until) touches
 * (unix seconds; widened to whole days) from spoof_hourly, which must be right for those
 * days. Call inside a transaction or savepoint. 0, or -1 with the message. */
int store_srcday_rebuild(struct store *st, int64_t from, int64_t until);
/* Frees r's memory; r is then empty and may be used again. */
void store_rollup_free(struct store_rollup *r);

#endif
