/* This file writes one flush's batch (struct store_batch): the flow rows in transactions
 * of bounded size, the last one together with the evidence, NFLOG counts and capture
 * statistics, keeping in the batch how far it got so that a failed write resumes
 * without counting anything twice. */
#include "store/store_int.h"
#include "store/store_rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

/* The rows this batch's flows went to, by key: evidence and NFLOG counts go to the row
 * their flow's counts of the same flush went to (a key may have other rows: an earlier
 * run's, or one written before the collector learned its row id; migration 9). */
struct batch_rows {
	uint32_t *slot;			/* flow index + 1; 0 empty; NULL: no index */
	size_t mask;
	const struct store_batch *b;
	const int64_t *last_ids;	/* the row ids of flows [from, n_flows) */
	size_t from;
};

static uint64_t key_hash(const struct flow_key *k)
{
	return util_fnv(14695981039346656037ull, k, sizeof(*k));
}

/* Indexes the batch's flows; without memory the index stays empty (lookups by key). */
static void batch_rows_build(struct batch_rows *br, const struct store_batch *b,
			     const int64_t *last_ids, size_t from)
{
	size_t n = 16, i, p;

	memset(br, 0, sizeof(*br));
	br->b = b;
	br->last_ids = last_ids;
	br->from = from;
	if (b->n_ev == 0 && b->n_nfl == 0 && b->n_vio == 0)
		return;
	while (n < b->n_flows * 2)
		n <<= 1;
	br->slot = calloc(n, sizeof(*br->slot));
	if (!br->slot)
		return;
	br->mask = n - 1;
	for (i = 0; i < b->n_flows && i < UINT32_MAX; i++) {
		for (p = key_hash(&b->flows[i].key) & br->mask; br->slot[p]; p = (p + 1) & br->mask)
			;
		br->slot[p] = (uint32_t)i + 1;
	}
}

/* The row the batch wrote the flow with key k to, or 0. */
static int64_t batch_row_id(const struct batch_rows *br, const struct flow_key *k)
{
	size_t p;

	if (!br->slot)
		return 0;
	for (p = key_hash(k) & br->mask; br->slot[p]; p = (p + 1) & br->mask) {
		size_t i = br->slot[p] - 1;

		if (!memcmp(&br->b->flows[i].key, k, sizeof(*k)))
			return i < br->from ? br->b->flows[i].db_id : br->last_ids[i - br->from];
	}
	return 0;
}

/* The row of the flow with key k: the batch's, else `known` (the row the collector knew,
 * or 0), else the newest of its key. 1, 0 when there is none, or -1. */
static int row_of(struct store *st, const struct batch_rows *br, const struct flow_key *k,
		  int64_t known, const char *const *ifn, int64_t *id)
{
	*id = batch_row_id(br, k);
	if (*id > 0)
		return 1;
	if (known > 0) {
		*id = known;
		return 1;
	}
	return store_flow_lookup(st, k, ifn, id);
}

void store_batch_free(struct store_batch *b)
{
	size_t i, k;

	if (!b)
		return;
	free(b->flows);
	free(b->ev);
	free(b->evbuf);
	free(b->nfl);
	free(b->stats);
	free(b->ifnames);
	free(b->hops);
	free(b->floods);
	for (i = 0; i < b->n_vio; i++)
		for (k = 0; k < sizeof(b->vio[i].own) / sizeof(b->vio[i].own[0]); k++)
			free(b->vio[i].own[k]);
	free(b->vio);
	free(b);
}

void store_batch_unwritten(const struct store_batch *b, uint64_t *packets, uint64_t *evidence,
			   uint64_t *nflog)
{
	size_t i;

	*packets = *evidence = *nflog = 0;
	for (i = b->flows_done; i < b->n_flows; i++)
		*packets += b->flows[i].delta.packets;
	if (!b->rest_done) {
		*evidence = b->n_ev;
		*nflog = b->n_nfl;
	}
}

/* Evidence rows; those whose flow has no row are counted in *orphans. */
static int write_evidence(struct store *st, const struct store_batch *b,
			  const struct batch_rows *br, const char *const *ifn, uint64_t *orphans)
{
	size_t i;

	for (i = 0; i < b->n_ev; i++) {
		const struct store_ev_row *e = &b->ev[i];
		int64_t id;
		int rc;

		if (e->off > b->evbuf_len || e->caplen > b->evbuf_len - e->off) {
			store_set_err(st, "adding evidence: packet outside the batch's buffer");
			return -1;
		}
		rc = row_of(st, br, &e->key, e->db_id, ifn, &id);
		if (rc < 0) {
			st->write_failures++;
			return -1;
		}
		if (rc == 0) {
			(*orphans)++;
			continue;
		}
		if (store_evidence_add(st, id, e->ts_usec, e->linktype, e->wirelen,
				       b->evbuf + e->off, e->caplen) < 0)
			return -1;
	}
	return 0;
}

/* NFLOG rows; those whose flow has no row are counted in *orphans. */
static int write_nflog(struct store *st, const struct store_batch *b,
		       const struct batch_rows *br, const char *const *ifn, uint64_t *orphans)
{
	size_t i;

	for (i = 0; i < b->n_nfl; i++) {
		const struct store_nflog_row *n = &b->nfl[i];
		int64_t id;
		int rc = row_of(st, br, &n->key, 0, ifn, &id);

		if (rc < 0) {
			st->write_failures++;
			return -1;
		}
		if (rc == 0) {
			(*orphans)++;
			continue;
		}
		if (store_nflog_add(st, id, n->prefix, n->group, n->hook, n->packets, n->bytes,
				    n->uid, n->gid, n->mark) < 0)
			return -1;
	}
	return 0;
}

/* The row id of the flow with key k for a violation: 0 when it has none (the link
 * stays empty); -1 on error. */
static int64_t vio_row(struct store *st, const struct batch_rows *br, const struct flow_key *k,
		       const char *const *ifn)
{
	int64_t id = 0;
	int rc = row_of(st, br, k, 0, ifn, &id);

	return rc < 0 ? -1 : rc == 0 ? 0 : id;
}

/* The live audit's violations (collect --policy), linked to their flows' rows. */
static int write_vio(struct store *st, const struct store_batch *b, const struct batch_rows *br,
		     const char *const *ifn)
{
	size_t i;
	unsigned k;

	for (i = 0; i < b->n_vio; i++) {
		const struct store_vio_row *r = &b->vio[i];
		struct store_violation v = r->v;
		int64_t id;

		if (r->has_key && (v.flow_id = vio_row(st, br, &r->key, ifn)) < 0)
			return -1;
		if (r->has_evkey && (v.evidence_flow_id = vio_row(st, br, &r->evkey, ifn)) < 0)
			return -1;
		id = store_violation_upsert(st, &v);
		if (id < 0)
			return -1;
		for (k = 0; k < r->nev && k < STORE_VIO_EV; k++) {
			int64_t fid = vio_row(st, br, &r->ev[k].key, ifn);

			if (fid < 0 ||
			    (fid > 0 && store_violation_evidence_add(st, id, fid, r->ev[k].ts) < 0))
				return -1;
		}
	}
	return 0;
}

/* Everything but the flows, inside the caller's transaction. */
static int write_rest(struct store *st, const struct store_batch *b, const char *const *ifn,
		      uint64_t add_busy, uint64_t add_failures, uint64_t orphans[2])
{
	struct batch_rows br;
	size_t i;
	int rc;

	orphans[0] = orphans[1] = 0;
	/* this transaction's flow rows are [flows_done, n_flows), their ids in st->ids */
	batch_rows_build(&br, b, st->ids, b->flows_done);
	rc = write_evidence(st, b, &br, ifn, &orphans[0]) < 0 ||
	     write_nflog(st, b, &br, ifn, &orphans[1]) < 0 || write_vio(st, b, &br, ifn) < 0;
	free(br.slot);
	if (rc || store_hop_merge(st, b->hops, b->n_hops) < 0 ||
	    store_flood_add(st, b->run_id, b->floods, b->n_floods) < 0)
		return -1;
	for (i = 0; i < b->n_stats; i++) {
		const struct store_stats_row *r = &b->stats[i];
		struct store_capture_stats s = r->s;

		if (i == 0) {
			s.db_busy_retries += add_busy;
			s.db_write_failures += add_failures;
		}
		if (store_stats_add(st, r->source_id, r->start_usec, r->end_usec, &s) < 0)
			return -1;
	}
	return 0;
}

/* The flow rows [from, from + n) and their hourly rollup (their deltas add, so a row is
 * never written twice: the caller advances flows_done only once they are committed), each
 * row's id into st->ids[0..n). */
static int write_flows(struct store *st, const struct store_batch *b, size_t from, size_t n,
		       const char *const *ifn)
{
	struct store_rollup ru = STORE_ROLLUP_INIT;
	size_t i;
	int ret = -1;

	if (n > st->ids_cap) {
		int64_t *ids = realloc(st->ids, n * sizeof(*ids));

		if (!ids) {
			store_set_err(st, "writing flows: out of memory for %zu row ids", n);
			st->write_failures++;
			return -1;
		}
		st->ids = ids;
		st->ids_cap = n;
	}
	for (i = from; i < from + n; i++) {
		/* no row id: the flow may have gone out in an earlier batch whose ids the
		 * capture thread has not taken back yet; store_flow_merge finds that row */
		if (store_rollup_flow(st, &ru, &b->flows[i].key, &b->flows[i].delta,
				      b->flows[i].db_id, ifn, &st->ids[i - from]) < 0) {
			st->write_failures++;
			goto out;
		}
	}
	ret = store_rollup_write(st, &ru, ifn);
out:
	store_rollup_free(&ru);
	return ret;
}

int store_batch_write(struct store *st, struct store_batch *b, size_t per_txn,
		      uint64_t add_busy, uint64_t add_failures)
{
	const char *ifn[STORE_BATCH_MAX_IFACES];
	uint64_t orphans[2] = { 0, 0 };
	unsigned i;

	if (b->n_ifnames > STORE_BATCH_MAX_IFACES || b->flows_done > b->n_flows) {
		store_set_err(st, "writing a batch: %u interfaces, %zu of %zu flows done",
			      b->n_ifnames, b->flows_done, b->n_flows);
		return -1;
	}
	memset(ifn, 0, sizeof(ifn));
	for (i = 0; i < b->n_ifnames; i++)
		ifn[i] = b->ifnames[i];
	if (per_txn == 0)
		per_txn = 1;
	while (!b->rest_done) {
		size_t n = b->n_flows - b->flows_done;
		int last = n <= per_txn;

		if (!last)
			n = per_txn;
		if (store_begin(st) < 0)
			goto fail;
		if (write_flows(st, b, b->flows_done, n, ifn) < 0 ||
		    (last && write_rest(st, b, ifn, add_busy, add_failures, orphans) < 0))
			goto fail;
		if (store_commit(st) < 0)
			goto fail;
		/* committed: the rows' ids are the flows' from now on */
		for (size_t k = 0; k < n; k++)
			b->flows[b->flows_done + k].db_id = st->ids[k];
		b->flows_done += n;
		if (last) {
			b->rest_done = 1;
			b->ev_orphans = orphans[0];
			b->nfl_orphans = orphans[1];
		}
	}
	return 0;
fail:
	{
		char keep[sizeof(st->err)];

		memcpy(keep, st->err, sizeof(keep));
		store_rollback(st);
		memcpy(st->err, keep, sizeof(keep));
	}
	return -1;
}
