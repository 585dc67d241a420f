/* This file implements the collector's writer thread and its bounded queue (see
 * writer.h). One mutex guards the queue and the status; the thread sleeps on `work`, the
 * capture thread on `done`. A batch stays at the head of the queue while it is written,
 * and only the thread touches it then. */
#include "collect/writer.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/util.h"

/* The least time between two attempts at a failing batch, and the multiple of the failed
 * attempt's cost it waits when that is longer (as the capture thread's own back-off). */
#define WRITER_RETRY_MIN_USEC 200000
#define WRITER_RETRY_COST_MULT 4

struct writer {
	struct writer_opts o;
	struct store *st;		/* the thread's connection; only the thread uses it */
	pthread_t thread;
	int running;			/* the thread was started and not joined */
	pthread_mutex_t mu;
	pthread_cond_t work;		/* to the thread: a batch, a stop, an abandon */
	pthread_cond_t done;		/* to the capture thread: a batch written or failed */
	/* under mu */
	struct store_batch *head, *tail;
	struct store_batch *written;	/* written batches: their flows' row ids, for
					 * writer_take_written() */
	size_t n_batches, q_rows, q_ev_bytes;
	int stopping;			/* end once the queue is empty */
	int hurry;			/* no back-off; a failure ends the attempts */
	int gave_up;			/* a write failed after hurry */
	int abandon;			/* drop the queue */
	int failing;
	uint64_t retry_at;		/* monotonic usec of the next attempt while failing */
	char err[512];
	uint64_t lost_packets, lost_evidence, lost_nflog;
	/* the thread's own: the connection's counters at the last statistics row written */
	uint64_t last_busy, last_failures;
	struct writer_times times;	/* under mu; cpu_usec set as the thread ends */
};

/* Removes the head batch (locked). */
static struct store_batch *dequeue(struct writer *w)
{
	struct store_batch *b = w->head;

	w->head = b->next;
	if (!w->head)
		w->tail = NULL;
	w->n_batches--;
	w->q_rows -= b->n_flows;
	w->q_ev_bytes -= b->evbuf_len;
	b->next = NULL;
	return b;
}

/* Drops every queued batch, counting what it held (locked; the thread is not writing). */
static void drop_all(struct writer *w)
{
	while (w->head) {
		struct store_batch *b = dequeue(w);
		uint64_t p, e, n;

		store_batch_unwritten(b, &p, &e, &n);
		w->lost_packets += p;
		w->lost_evidence += e;
		w->lost_nflog += n;
		store_batch_free(b);
	}
}

/* Keeps a written batch's flow rows (their keys and row ids) for the capture thread,
 * which remembers the ids in its flow table; the rest is freed (locked). */
static void keep_written(struct writer *w, struct store_batch *b)
{
	free(b->evbuf);
	free(b->ev);
	free(b->nfl);
	free(b->stats);
	b->evbuf = NULL;
	b->ev = NULL;
	b->nfl = NULL;
	b->stats = NULL;
	b->evbuf_len = b->n_ev = b->n_nfl = b->n_stats = 0;
	b->next = w->written;
	w->written = b;
}

static void free_list(struct store_batch *b)
{
	while (b) {
		struct store_batch *next = b->next;

		store_batch_free(b);
		b = next;
	}
}

struct store_batch *writer_take_written(struct writer *w)
{
	struct store_batch *b;

	pthread_mutex_lock(&w->mu);
	b = w->written;
	w->written = NULL;
	pthread_mutex_unlock(&w->mu);
	return b;
}

/* Absolute CLOCK_MONOTONIC time of a monotonic usec value, for the timed wait. */
static void abs_time(uint64_t usec, struct timespec *ts)
{
	ts->tv_sec = (time_t)(usec / 1000000u);
	ts->tv_nsec = (long)(usec % 1000000u) * 1000;
}

/* Writes the head batch with the lock released; back under the lock, records the
 * outcome. */
static void write_head(struct writer *w)
{
	struct store_batch *b = w->head;
	int has_stats = b->n_stats > 0, rc;
	uint64_t t0, cost, busy, failures;

	pthread_mutex_unlock(&w->mu);
	busy = store_busy_retries(w->st);
	failures = store_write_failures(w->st);
	t0 = util_mono_usec();
	rc = store_batch_write(w->st, b, w->o.per_txn, busy - w->last_busy,
			       failures - w->last_failures);
	cost = util_mono_usec() - t0;
	if (rc == 0 && has_stats) {
		w->last_busy = busy;
		w->last_failures = failures;
	}
	pthread_mutex_lock(&w->mu);
	w->times.write_usec += cost;
	if (rc == 0) {
		w->times.batches++;
		w->lost_evidence += b->ev_orphans;
		w->lost_nflog += b->nfl_orphans;
		keep_written(w, dequeue(w));
		w->failing = 0;
	} else {
		w->failing = 1;
		snprintf(w->err, sizeof(w->err), "%s", store_errmsg(w->st));
		cost *= WRITER_RETRY_COST_MULT;
		w->retry_at = util_mono_usec() + (cost > WRITER_RETRY_MIN_USEC ? cost :
						  WRITER_RETRY_MIN_USEC);
		if (w->hurry)
			w->gave_up = 1;
	}
	pthread_cond_broadcast(&w->done);
}

/* CPU time of the calling thread, microseconds (0 if the clock is not there). */
static uint64_t thread_cpu_usec(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void *writer_main(void *arg)
{
	struct writer *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		if (w->abandon) {
			drop_all(w);
			w->abandon = 0;
			pthread_cond_broadcast(&w->done);
			continue;
		}
		if (!w->head || w->gave_up) {
			if (w->stopping)
				break;
			pthread_cond_wait(&w->work, &w->mu);
			continue;
		}
		if (w->failing && !w->hurry && util_mono_usec() < w->retry_at) {
			struct timespec ts;

			abs_time(w->retry_at, &ts);
			pthread_cond_timedwait(&w->work, &w->mu, &ts);
			continue;
		}
		write_head(w);
	}
	w->times.cpu_usec = thread_cpu_usec();
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct writer *writer_start(struct store *st, const struct writer_opts *o, char *err,
			    size_t errlen)
{
	struct writer *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	sigset_t all, old;
	int rc;

	if (!w) {
		snprintf(err, errlen, "writer thread: out of memory");
		store_close(st);
		return NULL;
	}
	w->o = *o;
	w->st = st;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->work, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&w->done, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "writer thread: %s", strerror(rc));
		writer_free(w);
		return NULL;
	}
	w->running = 1;
	return w;
}

static int room(const struct writer *w, size_t rows)
{
	return w->n_batches == 0 ||
	       (w->n_batches < w->o.max_batches && w->q_rows + rows <= w->o.max_rows);
}

/* Whether a caller that may wait should go on waiting (locked): while the writer makes
 * progress, that is, is not failing (after writer_hurry(): has not given up). */
static int progressing(const struct writer *w)
{
	return w->running && (w->hurry ? !w->gave_up : !w->failing);
}

int writer_room(struct writer *w, size_t rows, int wait)
{
	uint64_t t0 = 0;
	int ok;

	pthread_mutex_lock(&w->mu);
	while (!(ok = room(w, rows)) && (wait || w->o.wait_for_room || w->hurry) && progressing(w)) {
		if (!t0)
			t0 = util_mono_usec();
		pthread_cond_wait(&w->done, &w->mu);
	}
	if (t0)
		w->times.wait_usec += util_mono_usec() - t0;
	pthread_mutex_unlock(&w->mu);
	return ok;
}

void writer_drain(struct writer *w)
{
	uint64_t t0 = 0;

	pthread_mutex_lock(&w->mu);
	while (w->head && progressing(w)) {
		if (!t0)
			t0 = util_mono_usec();
		pthread_cond_wait(&w->done, &w->mu);
	}
	if (t0)
		w->times.wait_usec += util_mono_usec() - t0;
	pthread_mutex_unlock(&w->mu);
}

static size_t ev_room(const struct writer *w)
{
	return w->o.ev_budget > w->q_ev_bytes ? w->o.ev_budget - w->q_ev_bytes : 0;
}

size_t writer_push(struct writer *w, struct store_batch *b)
{
	size_t left;

	b->next = NULL;
	pthread_mutex_lock(&w->mu);
	if (w->tail)
		w->tail->next = b;
	else
		w->head = b;
	w->tail = b;
	w->n_batches++;
	w->q_rows += b->n_flows;
	w->q_ev_bytes += b->evbuf_len;
	left = ev_room(w);
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	return left;
}

int writer_idle(struct writer *w)
{
	int idle;

	pthread_mutex_lock(&w->mu);
	idle = w->head == NULL;
	pthread_mutex_unlock(&w->mu);
	return idle;
}

size_t writer_ev_room(struct writer *w)
{
	size_t left;

	pthread_mutex_lock(&w->mu);
	left = ev_room(w);
	pthread_mutex_unlock(&w->mu);
	return left;
}

void writer_status(struct writer *w, struct writer_status *s)
{
	pthread_mutex_lock(&w->mu);
	s->failing = w->failing;
	snprintf(s->err, sizeof(s->err), "%s", w->err);
	s->lost_packets = w->lost_packets;
	s->lost_evidence = w->lost_evidence;
	s->lost_nflog = w->lost_nflog;
	w->lost_packets = w->lost_evidence = w->lost_nflog = 0;
	s->queued_batches = w->n_batches;
	s->queued_rows = w->q_rows;
	s->ev_room = ev_room(w);
	pthread_mutex_unlock(&w->mu);
}

void writer_abandon(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	if (w->running) {
		w->abandon = 1;
		pthread_cond_signal(&w->work);
	} else {
		drop_all(w);
	}
	pthread_mutex_unlock(&w->mu);
}

void writer_hurry(struct writer *w)
{
	pthread_mutex_lock(&w->mu);
	w->hurry = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
}

int writer_finish(struct writer *w)
{
	int failed;

	if (!w->running)
		return w->gave_up ? -1 : 0;
	pthread_mutex_lock(&w->mu);
	w->hurry = 1;
	w->stopping = 1;
	pthread_cond_signal(&w->work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	w->running = 0;
	/* the thread is gone: no lock needed, but keep the one discipline */
	pthread_mutex_lock(&w->mu);
	failed = w->gave_up || w->head != NULL;
	drop_all(w);
	pthread_mutex_unlock(&w->mu);
	store_close(w->st);
	w->st = NULL;
	return failed ? -1 : 0;
}

void writer_get_times(struct writer *w, struct writer_times *t)
{
	pthread_mutex_lock(&w->mu);
	*t = w->times;
	pthread_mutex_unlock(&w->mu);
}

void writer_free(struct writer *w)
{
	if (!w)
		return;
	if (w->running)
		writer_finish(w);
	store_close(w->st);
	free_list(w->written);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
