/* This file saves the writer most of its key lookups (issue 13). Before a flow gets a new
 * row, store_flow_merge() looks its key up under flows_bucket_khash, because a row of the
 * key may already exist: written by an earlier run, or by this connection before the
 * row's id came back to the flow table. For almost every flow of a capture there is none,
 * and the lookup was a sixth of the writer's time (367 211 lookups, 0.49 s of SQLite time
 * for the typical 1 M-packet mix).
 *
 * The filter answers "no row can have this key" without SQLite when:
 *  - the key's bucket is newer than every bucket the flows table held when this
 *    connection first wrote (so no earlier run wrote it), and newer than the floor set
 *    when the filter last filled up;
 *  - its hash is not in a Bloom filter of the keys this connection inserted rows for;
 *  - no other connection inserted a flow row since: at the start of each write
 *    transaction, when PRAGMA data_version says another connection committed, a flows
 *    rowid above the highest this connection committed turns the filter off for good.
 * Every other answer is "maybe": the lookup runs as before. A wrong "maybe" costs one
 * lookup; "no" is only given when it is certain, so the rows are the same with or without
 * the filter (tests/unit/test_store_keyfilter.c). */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#define KF_BITS		(1u << 22)		/* 512 KiB */
#define KF_PROBES	3
#define KF_MAX_KEYS	(KF_BITS / 16)		/* then about 0.6 % false "maybe" */

static void kf_off(struct store_keyfilter *f)
{
	free(f->bits);
	f->bits = NULL;
	f->off = 1;
}

void store_keyfilter_free(struct store_keyfilter *f)
{
	free(f->bits);
	f->bits = NULL;
}

/* At the start of a write transaction, before its first lookup. */
void store_keyfilter_sync(struct store *st)
{
	struct store_keyfilter *f = &st->kf;
	int64_t dv, v;

	if (f->off)
		return;
	if (store_query_i64(st, "PRAGMA data_version", &dv) < 0) {
		kf_off(f);
		return;
	}
	if (!f->bits) {
		f->bits = calloc(KF_BITS / 64, sizeof(uint64_t));
		if (!f->bits ||
		    store_query_i64(st, "SELECT coalesce(max(bucket), -9223372036854775807) FROM flows",
			     &f->floor) < 0 ||
		    store_query_i64(st, "SELECT coalesce(max(id), 0) FROM flows", &f->own_max_id) < 0) {
			kf_off(f);
			return;
		}
		f->newest = f->floor;
		f->pending_max_id = f->own_max_id;
		f->data_version = dv;
		return;
	}
	f->pending_max_id = f->own_max_id;	/* what the last transaction left uncommitted */
	if (dv == f->data_version)
		return;
	/* another connection committed: if it inserted flow rows, their keys are unknown */
	f->data_version = dv;
	if (store_query_i64(st, "SELECT coalesce(max(id), 0) FROM flows", &v) < 0 || v > f->own_max_id)
		kf_off(f);
}

/* After a commit of this connection. */
void store_keyfilter_committed(struct store *st)
{
	struct store_keyfilter *f = &st->kf;

	if (f->pending_max_id > f->own_max_id)
		f->own_max_id = f->pending_max_id;
}

static uint32_t probe(uint64_t h, int i)
{
	return (uint32_t)(h >> (21 * i)) & (KF_BITS - 1);
}

int store_keyfilter_may_exist(const struct store *st, int64_t bucket, int64_t khash)
{
	const struct store_keyfilter *f = &st->kf;
	int i;

	if (!f->bits || bucket <= f->floor)
		return 1;
	for (i = 0; i < KF_PROBES; i++) {
		uint32_t b = probe((uint64_t)khash, i);

		if (!(f->bits[b / 64] & (1ull << (b % 64))))
			return 0;
	}
	return 1;
}

void store_keyfilter_note(struct store *st, int64_t bucket, int64_t khash, int64_t id)
{
	struct store_keyfilter *f = &st->kf;
	int i;

	if (!f->bits)
		return;
	if (id > f->pending_max_id)
		f->pending_max_id = id;
	if (bucket > f->newest)
		f->newest = bucket;
	if (++f->keys > (f->max_keys ? f->max_keys : KF_MAX_KEYS)) {
		/* full: start again, and let keys of buckets up to the newest noted so far
		 * always be looked up */
		memset(f->bits, 0, KF_BITS / 8);
		f->floor = f->newest;
		f->keys = 0;
		return;
	}
	for (i = 0; i < KF_PROBES; i++) {
		uint32_t b = probe((uint64_t)khash, i);

		f->bits[b / 64] |= 1ull << (b % 64);
	}
}
