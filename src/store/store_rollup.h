/* This file declares the hourly rollup the flow writers keep (flows_hourly, migration
 * 10): a flush's flow deltas summed in memory per hour and key, then one upsert per key
 * inside the flush's own transaction, so the rollup is all or nothing with the rows. */
#ifndef SPOOFAUDIT_STORE_ROLLUP_H
#define SPOOFAUDIT_STORE_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_int.h"

struct rollup_ent;

/* The sums of one flush. Invariant: slots has nslots (a power of two, or 0) entries,
 * each 0 (free) or 1 + an index into e; n < nslots / 2. */
struct store_rollup {
	struct rollup_ent *e;
	size_t n, cap;
	uint32_t *slots;
	size_t nslots;
};

#define STORE_ROLLUP_INIT { NULL, 0, 0, NULL, 0 }

/* store_flow_merge() of one flow, adding its delta to r: packets and bytes, and one flow
 * when the merge inserted a new row. 0, or -1 with the message. */
int store_rollup_flow(struct store *st, struct store_rollup *r, const struct flow_key *k,
		      const struct flow_counts *d, int64_t db_id, const char *const *ifnames,
		      int64_t *id);
/* Adds r's sums to flows_hourly (call inside the transaction or savepoint that wrote the
 * flows) and empties r. 0, or -1 with the message (a failed write). */
int store_rollup_write(struct store *st, struct store_rollup *r, const char *const *ifnames);
/* Frees r's memory; r is then empty and may be used again. */
void store_rollup_free(struct store_rollup *r);

#endif
