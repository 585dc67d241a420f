/* This file reads what `check` evaluates: the recorded host context and the flows of the
 * period, the flows on up to one thread per CPU (each on its own read connection with
 * the same snapshot, store_flows_split()), appended in row id order. */
#include "cmd/cmd_check.h"
#include "common/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/mman.h>

#include "report/report_cli.h"

#define READ_THREADS_MAX 4
#define READ_ROWS_PER_THREAD 100000	/* fewer rows are not worth a connection */

struct reader {
	struct store_flow_iter *it;
	struct check_flows fs;
	uint64_t packets, fam_flows[2], fam_packets[2];
	uint64_t placed_flows, placed_packets;	/* rows with flows.pre_reply */
	int rc;		/* 0, -1 database (store_flows_errmsg), -2 out of memory */
};

static void *read_part(void *arg)
{
	struct reader *r = arg;
	struct store_flow sf;
	int rc;

	while ((rc = store_flows_next(r->it, &sf)) == 1) {
		if (check_flows_add(&r->fs, &sf) < 0) {
			r->rc = -2;
			return NULL;
		}
		r->packets += sf.packets;
		r->fam_flows[sf.family == 6]++;
		r->fam_packets[sf.family == 6] += sf.packets;
		if (r->fs.v[r->fs.n - 1].pre_known) {
			r->placed_flows++;
			r->placed_packets += sf.packets;
		}
	}
	r->rc = rc < 0 ? -1 : 0;
	return NULL;
}

/* How many readers, and the fewest rows each must have: one per CPU (at most
 * READ_THREADS_MAX), or SPOOFAUDIT_CHECK_READERS (1..READ_THREADS_MAX) readers however few
 * the rows (tests compare the outputs). */
static unsigned read_threads(int64_t *min_rows)
{
	const char *env = getenv("SPOOFAUDIT_CHECK_READERS");

	*min_rows = READ_ROWS_PER_THREAD;
	if (env && env[0] >= '1' && env[0] <= '0' + READ_THREADS_MAX && !env[1]) {
		*min_rows = 1;
		return (unsigned)(env[0] - '0');
	}
	return util_cpus(READ_THREADS_MAX);
}

#define HUGE_PAGE ((size_t)2 << 20)
#define WINDOW_MAX_BYTES ((uint64_t)8 << 30)	/* address space reserved for the windows */

/* Gives reader i a window of R's flow array at its rows' ids (a reader's rows are at most
 * its id range, the ranges follow each other): the readers fill one array and joining
 * them copies nothing. The pages of a window are touched only as rows come. Without the
 * ranges, or when they span too much, each reader grows an array of its own. */
static void make_windows(struct run *R, struct reader *rd, unsigned n)
{
	int64_t lo[READ_THREADS_MAX], hi[READ_THREADS_MAX];
	uint64_t span;
	unsigned i;
	void *p;

	for (i = 0; i < n; i++)
		if (!store_flows_range(rd[i].it, &lo[i], &hi[i]) || (i && lo[i] <= hi[i - 1]))
			return;
	if (n < 2 || hi[n - 1] < lo[0])
		return;
	span = (uint64_t)(hi[n - 1] - lo[0]) + 1;
	if (span > WINDOW_MAX_BYTES / sizeof(*R->fs.v))
		return;
	/* a large array asks for huge pages where the kernel gives them on request: a fault
	 * per 2 MiB of flows rather than per 4 KiB (best effort) */
	if (span * sizeof(*R->fs.v) < 4 * HUGE_PAGE)
		p = malloc(span * sizeof(*R->fs.v));
	else if (posix_memalign(&p, HUGE_PAGE, span * sizeof(*R->fs.v)) == 0)
		madvise(p, span * sizeof(*R->fs.v), MADV_HUGEPAGE);
	else
		p = NULL;
	if (!p)
		return;	/* best effort: the readers grow their own */
	R->fs.v = p;
	R->fs.cap = span;
	for (i = 0; i < n; i++)
		check_flows_window(&rd[i].fs, &R->fs, (size_t)(lo[i] - lo[0]),
				   hi[i] < lo[i] ? 0 : (size_t)(hi[i] - lo[i]) + 1);
}

/* Joins the readers' flows to R's, in order: in place when every reader stayed in its
 * window; else each gets an array of its own and they are appended. -1 ENOMEM. */
static int join(struct run *R, struct reader *rd, unsigned n)
{
	unsigned i, spilled = 0;

	for (i = 0; i < n; i++)
		spilled |= R->fs.v && !rd[i].fs.window;
	if (R->fs.v && spilled) {
		for (i = 0; i < n; i++)
			if (check_flows_unwindow(&rd[i].fs) < 0)
				return -1;
		check_flows_free(&R->fs);
	}
	for (i = 0; i < n; i++) {
		if (rd[i].rc < 0)
			continue;
		if (rd[i].fs.window ? check_flows_join(&R->fs, &rd[i].fs) < 0 :
		    check_flows_append(&R->fs, &rd[i].fs) < 0)
			return -1;
	}
	return 0;
}

/* Runs the readers (the first on this thread) and joins their flows to R's. Prints
 * errors. */
static int read_all(struct run *R, struct reader *rd, unsigned n)
{
	pthread_t tid[READ_THREADS_MAX];
	int started[READ_THREADS_MAX] = {0};
	unsigned i;
	int ret = 0;

	for (i = 1; i < n; i++)
		started[i] = pthread_create(&tid[i], NULL, read_part, &rd[i]) == 0;
	read_part(&rd[0]);
	for (i = 1; i < n; i++) {
		if (started[i])
			pthread_join(tid[i], NULL);
		else	/* no thread: its part on this one */
			read_part(&rd[i]);
	}
	for (i = 0; i < n; i++) {
		if (rd[i].rc == -1)
			fprintf(stderr, "spoofaudit check: %s: %s\n", R->o.db,
				store_flows_errmsg(rd[i].it));
		if (rd[i].rc == -2)
			fprintf(stderr, "spoofaudit check: out of memory\n");
		if (rd[i].rc < 0) {
			ret = -1;
			continue;
		}
		R->packets += rd[i].packets;
		R->fam_flows[0] += rd[i].fam_flows[0];
		R->fam_flows[1] += rd[i].fam_flows[1];
		R->fam_packets[0] += rd[i].fam_packets[0];
		R->fam_packets[1] += rd[i].fam_packets[1];
		R->placed_flows += rd[i].placed_flows;
		R->placed_packets += rd[i].placed_packets;
	}
	if (ret == 0 && join(R, rd, n) < 0) {
		fprintf(stderr, "spoofaudit check: out of memory\n");
		ret = -1;
	}
	return ret;
}

int cmd_check_read_db(struct run *R)
{
	struct reader rd[READ_THREADS_MAX];
	struct store *st = NULL;
	struct store_flow_iter *its[STORE_SPLIT_MAX];
	char err[512];
	unsigned n = 0, nt, i;
	int64_t min_rows;
	int ret = -1;

	memset(rd, 0, sizeof(rd));
	st = store_open(R->o.db, STORE_OPEN_READONLY, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "spoofaudit check: %s\n", err);	/* err names the file */
		goto out;
	}
	report_cli_unverified("check", R->o.db, store_unverified_bytes(st));
	nt = read_threads(&min_rows);
	n = store_flows_split(st, R->o.since, R->o.until, nt, min_rows, its);
	if (!n || store_context_each(st, R->o.since, R->o.until, check_hostctx_row, &R->hc) < 0) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", R->o.db, store_errmsg(st));
		goto out;
	}
	for (i = 0; i < n; i++)
		rd[i].it = its[i];
	make_windows(R, rd, n);
	if (read_all(R, rd, n) < 0)
		goto out;
	ret = 0;
out:
	for (i = 0; i < n; i++) {
		store_flows_close(rd[i].it);
		check_flows_free(&rd[i].fs);
	}
	if (st)
		store_commit(st);
	store_close(st);
	return ret;
}

int cmd_check_derive(struct run *R)
{
	int f;

	if (check_flows_derive(&R->fs, &R->host) < 0)
		return -1;
	for (f = 0; f < 2; f++) {
		R->packets -= R->fs.copy_packets[f];
		R->fam_flows[f] -= R->fs.copies[f];
		R->fam_packets[f] -= R->fs.copy_packets[f];
		R->placed_flows -= R->fs.copy_placed[f];
		R->placed_packets -= R->fs.copy_placed_packets[f];
	}
	return 0;
}
