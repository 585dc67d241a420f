/* This file writes one flush's batch (struct store_batch): the flow rows in transactions
 * of bounded size, the last one together with the evidence, NFLOG counts and capture
 * statistics, keeping in the batch how far it got so that a failed write resumes
 * without counting anything twice. */
#include "store/store_int.h"
#include "store/store_rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void store_batch_free(struct store_batch *b)
{
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
			  const char *const *ifn, uint64_t *orphans)
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
		rc = store_flow_lookup(st, &e->key, ifn, &id);
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
		       const char *const *ifn, uint64_t *orphans)
{
	size_t i;

	for (i = 0; i < b->n_nfl; i++) {
		const struct store_nflog_row *n = &b->nfl[i];
		int64_t id;
		int rc = store_flow_lookup(st, &n->key, ifn, &id);

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

/* Everything but the flows, inside the caller's transaction. */
static int write_rest(struct store *st, const struct store_batch *b, const char *const *ifn,
		      uint64_t add_busy, uint64_t add_failures, uint64_t orphans[2])
{
	size_t i;

	orphans[0] = orphans[1] = 0;
	if (write_evidence(st, b, ifn, &orphans[0]) < 0 || write_nflog(st, b, ifn, &orphans[1]) < 0 ||
	    store_hop_merge(st, b->hops, b->n_hops) < 0 ||
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
 * never written twice: the caller advances flows_done only once they are committed). */
static int write_flows(struct store *st, const struct store_batch *b, size_t from, size_t n,
		       const char *const *ifn)
{
	struct store_rollup ru = STORE_ROLLUP_INIT;
	size_t i;
	int64_t id;
	int ret = -1;

	for (i = from; i < from + n; i++) {
		if (store_rollup_flow(st, &ru, &b->flows[i].key, &b->flows[i].delta, 0, ifn,
				      &id) < 0) {
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
	uint64_t orphans[2];
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
