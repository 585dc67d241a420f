/* This file hands a flush over to the writer thread (writer.h): it copies what the
 * collector would write (the dirty flows, the evidence and NFLOG counts waiting for
 * them, the statistics) into a batch and queues it, so that the flow table is clean and
 * keeps aggregating while the thread writes. */
#include "collect/collector.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/writer.h"
#include "common/util.h"

/* The flow rows being filled by flowtab_flush(). */
struct fill {
	struct store_batch *b;
	size_t cap;
};

static int copy_flows(void *arg, struct flow_entry **entries, size_t n)
{
	struct fill *f = arg;
	struct store_batch *b = f->b;
	size_t i;

	if (n > f->cap - b->n_flows)
		return -1;	/* more than counted: these stay dirty in the table */
	for (i = 0; i < n; i++) {
		b->flows[b->n_flows + i].key = entries[i]->key;
		b->flows[b->n_flows + i].delta = entries[i]->delta;
		b->flows[b->n_flows + i].db_id = entries[i]->db_id;
	}
	b->n_flows += n;
	return 0;
}

/* A batch with room for `rows` flows and, when `last`, everything else the collector
 * holds (the statistics too when `stats`). */
static struct store_batch *batch_new(const struct collector *c, size_t rows, int stats,
				     int last)
{
	struct store_batch *b = calloc(1, sizeof(*b));
	size_t n_stats = stats && last ? c->n_sources : 0, n_ev = last ? c->n_ev : 0;
	size_t evlen = last ? c->evbuf_used : 0, n_nfl = last ? c->n_nfl : 0;

	if (!b)
		return NULL;
	b->flows = rows ? malloc(rows * sizeof(*b->flows)) : NULL;
	b->ev = n_ev ? malloc(n_ev * sizeof(*b->ev)) : NULL;
	b->evbuf = evlen ? malloc(evlen) : NULL;
	b->nfl = n_nfl ? malloc(n_nfl * sizeof(*b->nfl)) : NULL;
	b->stats = n_stats ? malloc(n_stats * sizeof(*b->stats)) : NULL;
	b->ifnames = c->n_ifaces ? malloc(c->n_ifaces * sizeof(*b->ifnames)) : NULL;
	if ((rows && !b->flows) || (n_ev && !b->ev) || (evlen && !b->evbuf) ||
	    (n_nfl && !b->nfl) || (n_stats && !b->stats) || (c->n_ifaces && !b->ifnames)) {
		store_batch_free(b);
		return NULL;
	}
	return b;
}

/* Moves the pending evidence into b (each packet names its flow by key, and by its row
 * when `known`: every batch handed over before was written and its ids learned). */
static void take_evidence(struct collector *c, struct store_batch *b, int known)
{
	size_t i;

	if (c->evbuf_used)
		memcpy(b->evbuf, c->evbuf, c->evbuf_used);
	b->evbuf_len = c->evbuf_used;
	for (i = 0; i < c->n_ev; i++) {
		const struct evidence_item *e = &c->ev[i];
		struct store_ev_row *r = &b->ev[i];

		r->key = e->flow->key;
		r->ts_usec = e->ts_usec;
		r->linktype = e->linktype;
		r->wirelen = e->wirelen;
		r->caplen = e->caplen;
		r->off = (uint32_t)e->off;
		r->db_id = known ? e->flow->db_id : 0;
	}
	b->n_ev = c->n_ev;
	c->n_ev = 0;
	c->evbuf_used = 0;
}

/* Moves the pending NFLOG rule counts into b. */
static void take_nflog(struct collector *c, struct store_batch *b)
{
	size_t i;

	if (c->n_nfl == 0)
		return;
	for (i = 0; i < COLLECTOR_NFLOG_SLOTS && b->n_nfl < c->n_nfl; i++) {
		const struct nflog_slot *sl = &c->nfl[i];
		struct store_nflog_row *r;

		if (!sl->flow)
			continue;
		r = &b->nfl[b->n_nfl++];
		r->key = sl->flow->key;
		snprintf(r->prefix, sizeof(r->prefix), "%s", c->prefixes[sl->prefix]);
		r->group = sl->group;
		r->hook = sl->hook;
		r->packets = sl->packets;
		r->bytes = sl->bytes;
		r->uid = sl->uid;
		r->gid = sl->gid;
		r->mark = sl->mark;
	}
	memset(c->nfl, 0, COLLECTOR_NFLOG_SLOTS * sizeof(*c->nfl));
	c->n_nfl = 0;
}

/* One statistics row per source since its last one; the table-wide counters (and this
 * connection's) go with the first source, as collector_flush() writes them. */
static void take_stats(struct collector *c, struct store_batch *b)
{
	uint64_t now = util_now_usec(), ev = flowtab_evictions(c->ft);
	uint64_t busy = store_busy_retries(c->st), failures = store_write_failures(c->st);
	unsigned i;

	for (i = 0; i < c->n_sources; i++) {
		struct collector_source *s = &c->sources[i];
		struct store_stats_row *r = &b->stats[i];

		if (i == 0) {
			s->cur.flow_evictions += ev - c->last_evictions;
			s->cur.db_busy_retries += busy - c->last_busy;
			s->cur.db_write_failures += failures - c->last_failures;
		}
		r->source_id = s->id;
		r->start_usec = s->interval_start_usec;
		r->end_usec = now;
		r->s = s->cur;
		memset(&s->cur, 0, sizeof(s->cur));
		s->interval_start_usec = now;
	}
	b->n_stats = c->n_sources;
	c->last_evictions = ev;
	c->last_busy = busy;
	c->last_failures = failures;
}

/* Hands over one batch of at most `rows` dirty flows (the oldest), and with the last one
 * (`last`: no dirty flow remains after it) the evidence, NFLOG counts and statistics.
 * Returns 0, or -1 when the writer has no room (the table keeps its rows). */
static int handoff_one(struct collector *c, size_t rows, int stats, int last, int wait)
{
	struct store_batch *b;
	struct fill f;
	size_t evbytes;
	unsigned i;
	int known;

	collector_learn_ids(c);	/* and frees what was written while this flush waited */

	/* the packet path (wait) needs room now: a full table or NFLOG counter table; it
	 * waits for a writer that makes progress, as a flush of its own would, where the
	 * periodic flush and a live capture's full evidence buffer leave the rows in the
	 * table (a file's reader always waits: writer_opts.wait_for_room) */
	if (!writer_room(c->writer, rows, wait))
		return -1;	/* the writer is behind or failing: the table keeps its rows */
	/* with the queue empty, the flows the evidence points at that went out in earlier
	 * batches (of this flush too) have their rows in their entries once learned: the
	 * writer need not look them up by key */
	known = last && c->n_ev && writer_idle(c->writer);
	if (known)
		collector_learn_ids(c);
	b = batch_new(c, rows, stats, last);
	if (!b) {
		snprintf(c->err, sizeof(c->err), "handing rows to the writer: out of memory");
		return -1;
	}
	f.b = b;
	f.cap = rows;
	if (flowtab_flush(c->ft, copy_flows, &f, rows ? rows : 1) == 0) {
		/* every flow the evidence and NFLOG counts point at is in this batch or an
		 * earlier one: they may follow */
		take_evidence(c, b, known);
		take_nflog(c, b);
		if (c->hooks.handoff)
			c->hooks.handoff(c->hooks.arg, b);
		if (stats)
			take_stats(c, b);
		/* no memory: the hop counts wait for their next change, episodes for the
		 * next flush */
		if (last)
			(void)collector_take_suspect(c, &b->hops, &b->n_hops, &b->floods,
						     &b->n_floods);
	}
	b->run_id = c->run_id;
	for (i = 0; i < c->n_ifaces; i++)
		snprintf(b->ifnames[i], sizeof(b->ifnames[i]), "%s", c->ifaces[i].info.name);
	b->n_ifnames = c->n_ifaces;
	evbytes = b->evbuf_len;	/* b is the writer's once queued */
	c->opt.evidence_buf_bytes = writer_push(c->writer, b);
	if (wait && evbytes) {
		/* the queued evidence takes the buffer's room until it is written */
		writer_drain(c->writer);
		c->opt.evidence_buf_bytes = writer_ev_room(c->writer);
	}
	return 0;
}

/* Oldest batch first, so that the newest row of a flow stays its row. A flow already
 * evicted is forgotten with its id. */
void collector_learn_ids(struct collector *c)
{
	struct store_batch *b = writer_take_written(c->writer), *old = NULL;

	while (b) {		/* newest first: reverse */
		struct store_batch *next = b->next;

		b->next = old;
		old = b;
		b = next;
	}
	while (old) {
		struct store_batch *next = old->next;
		size_t i;

		for (i = 0; i < old->flows_done; i++) {
			struct flow_entry *e = flowtab_find(c->ft, &old->flows[i].key);

			if (e)
				e->db_id = old->flows[i].db_id;
		}
		store_batch_free(old);
		old = next;
	}
}

static int handoff(struct collector *c, int stats, int wait)
{
	size_t rows = flowtab_dirty_count(c->ft), chunk = c->handoff_rows;

	/* A live capture that will not wait hands everything over in one batch, which the
	 * writer takes whenever its queue is empty: in chunks, the evidence and NFLOG counts
	 * (which go with the last) would wait for as many free queue slots as there are
	 * chunks, and a busy writer seldom has them all. */
	if (!wait && c->never_wait)
		chunk = 0;

	if (c->writes_stopped)
		return -1;	/* c->err says why */
	if (!rows && !c->n_ev && !c->n_nfl && !(stats && c->n_sources) && !c->ending)
		return 0;
	/* batches of at most `chunk` rows, oldest first, each waiting for the writer's room
	 * as the first would: the copies never hold more than the writer's queue budget */
	while (chunk && rows > chunk) {
		if (handoff_one(c, chunk, stats, 0, wait) < 0)
			return -1;
		rows = flowtab_dirty_count(c->ft);
	}
	return handoff_one(c, rows, stats, 1, wait);
}

int collector_handoff(struct collector *c, int stats)
{
	return handoff(c, stats, !stats);
}

int collector_handoff_nowait(struct collector *c)
{
	return handoff(c, 0, 0);
}
