/* This file implements retention: store_prune() deletes old rows in short batched
 * transactions and then reclaims the free pages. */
#include "store/store_int.h"
#include "store/store_rollup.h"

#include <stdio.h>
#include <string.h>


/* Runs one statement with ?1 = cutoff and ?2 = limit (either may be unused) and adds the
 * rows it changed to *count. */
static int prune_exec(struct store *st, const char *sql, int64_t cutoff, int64_t limit,
		      uint64_t *count)
{
	sqlite3_stmt *s = NULL;
	int ret = -1, rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_sql_err(st, sql);
		goto out;
	}
	if (sqlite3_bind_parameter_count(s) >= 1)
		sqlite3_bind_int64(s, 1, cutoff);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, limit);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		if (count)
			*count += (uint64_t)sqlite3_column_int64(s, 0);
	if (rc != SQLITE_DONE) {
		store_sql_err(st, "prune");
		goto out;
	}
	if (count && sqlite3_column_count(s) == 0)
		*count += (uint64_t)sqlite3_changes(st->db);
	ret = 0;
out:
	sqlite3_finalize(s);
	return ret;
}

/* Runs the statements of one batch in one IMMEDIATE transaction; *changed receives the
 * rows the last statement changed. */
static int prune_batch(struct store *st, const char *const *sqls, uint64_t **counts,
		       size_t n, int64_t cutoff, int64_t limit, uint64_t *changed)
{
	size_t i;
	uint64_t last = 0;

	if (store_exec(st, "BEGIN IMMEDIATE", "prune") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		uint64_t c = 0;

		if (prune_exec(st, sqls[i], cutoff, limit, &c) < 0)
			goto fail;
		if (counts[i])
			*counts[i] += c;
		last = c;
	}
	if (store_exec(st, "COMMIT", "prune") < 0)
		goto fail;
	*changed = last;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

static int pragma_int(struct store *st, const char *sql, uint64_t *out)
{
	int64_t v;

	if (store_query_i64(st, sql, &v) < 0)
		return -1;
	*out = v < 0 ? 0 : (uint64_t)v;
	return 0;
}

/* Runs prune_batch until a batch removes nothing, counting its transactions. */
static int prune_table(struct store *st, const char *const *sql, uint64_t **counts, size_t n,
		       int64_t cutoff, unsigned batch, struct store_prune_result *r)
{
	uint64_t changed;

	do {
		if (prune_batch(st, sql, counts, n, cutoff, batch, &changed) < 0)
			return -1;
		r->transactions++;
	} while (changed > 0);
	return 0;
}

/* Flows by bucket (seconds), their evidence and NFLOG rows first. */
static const char *const flow_sql[] = {
	"DELETE FROM temp.prune_ids",
	"INSERT INTO temp.prune_ids SELECT id FROM flows WHERE bucket < ?1"
	" ORDER BY bucket LIMIT ?2",
	"DELETE FROM evidence WHERE flow_id IN temp.prune_ids",
	"DELETE FROM flow_nflog WHERE flow_id IN temp.prune_ids",
	"DELETE FROM flows WHERE id IN temp.prune_ids",
};

/* The tables pruned by one statement each, in this order: capture statistics and decode
 * errors of intervals that ended by the cutoff; policy violations last seen before it
 * (their evidence rows with them); flood episodes that ended before it; a run that started and ended (or crashed) before it
 * and has no statistics left, with its sources, interfaces and context. */
static const char *const one_sql[] = {
	"DELETE FROM capture_stats WHERE id IN (SELECT id FROM capture_stats"
	" WHERE end_usec <= ?1 LIMIT ?2)",
	"DELETE FROM decode_errors WHERE rowid IN (SELECT rowid FROM decode_errors"
	" WHERE end_usec <= ?1 LIMIT ?2)",
	"DELETE FROM violations WHERE id IN (SELECT id FROM violations"
	" WHERE last_usec < ?1 LIMIT ?2)",
	"DELETE FROM flood_episodes WHERE id IN (SELECT id FROM flood_episodes"
	" WHERE end_usec < ?1 LIMIT ?2)",
	"DELETE FROM runs WHERE id IN (SELECT r.id FROM runs r WHERE r.started_usec < ?1"
	" AND coalesce(r.ended_usec, 0) < ?1 AND NOT EXISTS (SELECT 1 FROM sources s"
	" JOIN capture_stats c ON c.source_id = s.id WHERE s.run_id = r.id) LIMIT ?2)",
};

/* What a dry run counts, in the order of the fields of struct store_prune_result; the
 * first three compare the bucket (seconds), the others microseconds. */
static const char *const count_sql[] = {
	"SELECT count(*) FROM flows WHERE bucket < ?1",
	"SELECT count(*) FROM evidence WHERE flow_id IN"
	" (SELECT id FROM flows WHERE bucket < ?1)",
	"SELECT count(*) FROM flow_nflog WHERE flow_id IN"
	" (SELECT id FROM flows WHERE bucket < ?1)",
	"SELECT count(*) FROM capture_stats WHERE end_usec <= ?1",
	"SELECT count(*) FROM decode_errors WHERE end_usec <= ?1",
	"SELECT count(*) FROM violations WHERE last_usec < ?1",
	"SELECT count(*) FROM flood_episodes WHERE end_usec < ?1",
	"SELECT count(*) FROM runs r WHERE r.started_usec < ?1 AND"
	" coalesce(r.ended_usec, 0) < ?1 AND NOT EXISTS (SELECT 1 FROM sources s"
	" JOIN capture_stats c ON c.source_id = s.id WHERE s.run_id = r.id AND"
	" c.end_usec > ?1)",
};

/* Counts what store_prune() would delete, changing nothing. */
static int prune_count(struct store *st, int64_t cutoff_usec, struct store_prune_result *r)
{
	uint64_t *dst[] = { &r->flows, &r->evidence, &r->flow_nflog, &r->capture_stats,
			    &r->decode_errors, &r->violations, &r->flood_episodes, &r->runs };
	size_t i;

	for (i = 0; i < sizeof(count_sql) / sizeof(count_sql[0]); i++)
		if (prune_exec(st, count_sql[i], i < 3 ? cutoff_usec / 1000000 : cutoff_usec, 0,
			       dst[i]) < 0)
			return -1;
	r->pages_after = r->pages_before;
	r->free_after = r->free_before;
	return 0;
}

/* The hourly rollups (flows_hourly, spoof_hourly, loopback_hourly) of the pruned flows, once they are gone: the hours before the cutoff
 * go, and an hour the cutoff splits is recomputed from the flows it keeps; likewise the
 * spoofed sources per day (spoof_src_daily): the days before the cutoff's go, and the
 * day it splits is recomputed from what spoof_hourly keeps of it. */
static int prune_rollup(struct store *st, int64_t cutoff)
{
	int64_t hour = cutoff - ((cutoff % 3600) + 3600) % 3600;

	if (store_exec(st, "BEGIN IMMEDIATE", "prune") < 0)
		return -1;
	if (prune_exec(st, "DELETE FROM flows_hourly WHERE bucket < ?1", hour, 0, NULL) < 0 ||
	    prune_exec(st, "DELETE FROM spoof_hourly WHERE bucket < ?1", hour, 0, NULL) < 0 ||
	    prune_exec(st, "DELETE FROM loopback_hourly WHERE bucket < ?1", hour, 0, NULL) < 0 ||
	    prune_exec(st, "DELETE FROM spoof_src_daily WHERE day < ?1 - (?1 % 86400 + 86400) % 86400",
		       hour, 0, NULL) < 0 ||
	    (hour < cutoff && store_rollup_rebuild(st, hour, hour + 3600) < 0) ||
	    ((hour % 86400 + 86400) % 86400 != 0 && store_srcday_rebuild(st, hour, hour + 1) < 0) ||
	    store_exec(st, "COMMIT", "prune") < 0) {
		store_rollback(st);
		return -1;
	}
	return 0;
}

/* Deletes the rows, table by table, in batches. */
static int prune_rows(struct store *st, int64_t cutoff_usec, unsigned batch,
		      struct store_prune_result *r)
{
	uint64_t *flow_counts[5] = { NULL, NULL, &r->evidence, &r->flow_nflog, &r->flows };
	uint64_t *one[] = { &r->capture_stats, &r->decode_errors, &r->violations,
			    &r->flood_episodes, &r->runs };
	size_t i;

	if (store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS prune_ids(id INTEGER PRIMARY KEY)",
		       "prune") < 0)
		return -1;
	if (prune_table(st, flow_sql, flow_counts, 5, cutoff_usec / 1000000, batch, r) < 0 ||
	    prune_rollup(st, cutoff_usec / 1000000) < 0)
		return -1;
	for (i = 0; i < sizeof(one_sql) / sizeof(one_sql[0]); i++)
		if (prune_table(st, &one_sql[i], &one[i], 1, cutoff_usec, batch, r) < 0)
			return -1;
	return 0;
}

/* Bytes an incremental vacuum step frees at most: 4096 pages of 4 KiB, whatever the
 * file's page size, so a step holds the write lock no longer with 16 KiB pages. */
#define PRUNE_VACUUM_STEP_BYTES	(16u << 20)

/* Reclaim: incremental vacuum in steps (each its own short transaction) where the file
 * allows it, a full VACUUM only when asked (it locks out the collector). */
static int prune_reclaim(struct store *st, int flags, struct store_prune_result *r)
{
	uint64_t freel;
	char sql[64];

	if (r->auto_vacuum == 2) {
		snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%llu)", (unsigned long long)
			 (r->page_size ? PRUNE_VACUUM_STEP_BYTES / r->page_size : 4096));
		for (;;) {
			if (pragma_int(st, "PRAGMA freelist_count", &freel) < 0)
				return -1;
			if (freel == 0)
				break;
			if (store_exec(st, sql, "incremental vacuum") < 0)
				return -1;
			r->vacuumed = 1;
		}
	} else if (flags & STORE_PRUNE_FULL_VACUUM) {
		/* asked for, over a schema store_open() checked: no time limit */
		unsigned limit = st->time_limit_s;
		int rc;

		st->time_limit_s = 0;
		rc = store_exec(st, "VACUUM", "vacuum");
		st->time_limit_s = limit;
		if (rc < 0)
			return -1;
		r->vacuumed = 2;
	}
	return 0;
}

int store_prune(struct store *st, int64_t cutoff_usec, unsigned batch, int flags,
		struct store_prune_result *r)
{
	memset(r, 0, sizeof(*r));
	if (batch == 0)
		batch = 1;
	if (pragma_int(st, "PRAGMA page_size", &r->page_size) < 0 ||
	    pragma_int(st, "PRAGMA page_count", &r->pages_before) < 0 ||
	    pragma_int(st, "PRAGMA freelist_count", &r->free_before) < 0 ||
	    pragma_int(st, "PRAGMA auto_vacuum", &r->auto_vacuum) < 0)
		return -1;
	if (flags & STORE_PRUNE_DRY_RUN)
		return prune_count(st, cutoff_usec, r);
	if (prune_rows(st, cutoff_usec, batch, r) < 0 || prune_reclaim(st, flags, r) < 0)
		return -1;
	if (!st->readonly)
		store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)", "checkpoint");	/* best effort */
	if (pragma_int(st, "PRAGMA page_count", &r->pages_after) < 0 ||
	    pragma_int(st, "PRAGMA freelist_count", &r->free_after) < 0)
		return -1;
	return 0;
}
