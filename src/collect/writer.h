/* This file declares the collector's writer thread: it owns a second connection to the
 * database and writes, in order, the batches the capture thread hands it through a
 * bounded queue (store/store.h, struct store_batch), retrying a failed batch after a
 * back-off, so that capture never waits on the database. Every function but the thread
 * itself runs in the capture thread. */
#ifndef SPOOFAUDIT_COLLECT_WRITER_H
#define SPOOFAUDIT_COLLECT_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include "store/store.h"

struct writer_opts {
	size_t max_rows;		/* flow rows queued at most (one batch alone may be more) */
	unsigned max_batches;		/* batches queued at most */
	size_t per_txn;			/* flow rows per transaction */
	int wait_for_room;		/* a full queue makes writer_room() wait (files: the
					 * reader may wait, it must not lose) while the writer
					 * is not failing */
	size_t ev_budget;		/* evidence bytes the queue and the collector's buffer
					 * share (collector_opts.evidence_buf_bytes) */
};

/* What the capture thread learns at each turn. */
struct writer_status {
	int failing;			/* the last write failed; it is retried */
	char err[512];			/* why, while failing (or when writer_finish() failed) */
	uint64_t lost_packets;		/* of abandoned batches, since the last call */
	uint64_t lost_evidence;		/* evidence abandoned or whose flow had no row */
	uint64_t lost_nflog;		/* NFLOG rule counts likewise */
	size_t queued_batches, queued_rows;
	size_t ev_room;			/* ev_budget less the evidence bytes queued */
};

/* Where the time went (writer_get_times()). */
struct writer_times {
	uint64_t cpu_usec;		/* the writer thread's CPU time (set when it ends) */
	uint64_t write_usec;		/* wall time it spent writing batches, failed ones too */
	uint64_t batches;		/* batches it wrote */
	uint64_t wait_usec;		/* wall time the capture thread waited in writer_room()
					 * and writer_drain() for the writer to make room */
};

struct writer;

/* Starts the thread on connection st, which it owns from now on (and closes). Every
 * signal is blocked in the thread: they stay the capture thread's. NULL with err. */
struct writer *writer_start(struct store *st, const struct writer_opts *o, char *err,
			    size_t errlen);

/* 1 when a batch of `rows` flow rows may be queued now (always when the queue is empty),
 * 0 when not: the caller keeps its rows. With wait, wait_for_room or after
 * writer_hurry(), it waits for room while the writer makes progress (is not failing). */
int writer_room(struct writer *w, size_t rows, int wait);

/* Waits until the queue is empty, or the writer fails (after writer_hurry(): gives up). */
void writer_drain(struct writer *w);

/* Queues b (owned by the writer from now on); call after writer_room() said 1. Returns
 * the evidence bytes left in ev_budget with b queued. */
size_t writer_push(struct writer *w, struct store_batch *b);

/* The batches written since the last call, newest first (linked by next; the caller
 * frees each with store_batch_free()): their flow rows hold the row ids written. */
struct store_batch *writer_take_written(struct writer *w);

/* 1 when nothing is queued or being written: every batch pushed so far was written (and
 * is in writer_take_written()'s list) or dropped. */
int writer_idle(struct writer *w);

/* The evidence bytes left in ev_budget by what is queued. */
size_t writer_ev_room(struct writer *w);

/* Copies the status into *s and hands over the lost counters (they restart at 0). */
void writer_status(struct writer *w, struct writer_status *s);

/* Drops every queued batch, counting what it held as lost (for a database that must not
 * be written any more). The batch being written finishes or fails first. */
void writer_abandon(struct writer *w);

/* A stop is coming: no more back-off, retry a failing batch at once; a write that then
 * fails ends the writer's attempts (writer_finish() returns -1). */
void writer_hurry(struct writer *w);

/* Writes everything queued (one more attempt for a failing batch), stops the thread and
 * closes its connection. Returns 0, or -1 when a write failed: what was not written is
 * counted as lost (writer_status()). */
int writer_finish(struct writer *w);

/* Copies the times so far into *t (cpu_usec stays 0 until writer_finish()). */
void writer_get_times(struct writer *w, struct writer_times *t);

/* writer_finish() if it was not called, then frees w. NULL-safe. */
void writer_free(struct writer *w);

#endif
