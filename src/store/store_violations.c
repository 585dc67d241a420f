/* This file writes the violations of the live policy audit (collect --policy;
 * migration 4) and links evidence packets to them. */
#include "store/store_int.h"

static const char *const vstmt_sql[2] = {
	"INSERT INTO violations(run_id, sig, kind, strength, first_usec, last_usec, count, packets,"
	" lines, flow_id, flow, iface, class, family, proto, dport, intended, live, evidence,"
	" evidence_flow_id, message)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, nullif(?10, 0), ?11, ?12, ?13, ?14, ?15, ?16,"
	" ?17, ?18, ?19, nullif(?20, 0), ?21)"
	" ON CONFLICT(run_id, sig) DO UPDATE SET"
	" first_usec = min(first_usec, excluded.first_usec),"
	" last_usec = max(last_usec, excluded.last_usec), count = count + excluded.count,"
	" packets = packets + excluded.packets, lines = lines + excluded.lines,"
	" flow_id = coalesce(flow_id, excluded.flow_id),"
	" evidence_flow_id = coalesce(evidence_flow_id, excluded.evidence_flow_id),"
	" evidence = CASE WHEN evidence = '' THEN excluded.evidence ELSE evidence END"
	" RETURNING id",
	"INSERT OR IGNORE INTO violation_evidence(violation_id, flow_id, ts_usec) VALUES(?1, ?2, ?3)",
};

static sqlite3_stmt *vstmt(struct store *st, int i)
{
	if (!st->vstmt[i] &&
	    sqlite3_prepare_v2(st->db, vstmt_sql[i], -1, &st->vstmt[i], NULL) != SQLITE_OK) {
		store_set_err(st, "preparing the violations statement: %s", sqlite3_errmsg(st->db));
		return NULL;
	}
	return st->vstmt[i];
}

int64_t store_violation_upsert(struct store *st, const struct store_violation *v)
{
	sqlite3_stmt *s = vstmt(st, 0);
	const char *text[] = { v->sig, v->kind, v->strength };
	int64_t id = -1;
	int i, rc;

	if (!s)
		return store_write_failed(st, "adding a violation");
	sqlite3_bind_int64(s, 1, v->run_id);
	for (i = 0; i < 3; i++)
		sqlite3_bind_text(s, 2 + i, text[i] ? text[i] : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, store_i64(v->first_usec));
	sqlite3_bind_int64(s, 6, store_i64(v->last_usec));
	sqlite3_bind_int64(s, 7, store_i64(v->count));
	sqlite3_bind_int64(s, 8, store_i64(v->packets));
	sqlite3_bind_int64(s, 9, store_i64(v->lines));
	sqlite3_bind_int64(s, 10, v->flow_id);
	sqlite3_bind_text(s, 11, v->flow ? v->flow : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 12, v->iface ? v->iface : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, v->cls ? v->cls : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 14, v->family);
	sqlite3_bind_int(s, 15, v->proto);
	sqlite3_bind_int(s, 16, v->dport);
	sqlite3_bind_text(s, 17, v->intended ? v->intended : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 18, v->live ? v->live : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 19, v->evidence ? v->evidence : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 20, v->evidence_flow_id);
	sqlite3_bind_text(s, 21, v->message ? v->message : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(s, 0);
	else
		store_set_err(st, "adding a violation: %s", sqlite3_errmsg(st->db));
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (id < 0)
		st->write_failures++;
	return id;
}

int store_violation_evidence_add(struct store *st, int64_t violation_id, int64_t flow_id,
				 uint64_t ts_usec)
{
	sqlite3_stmt *s = vstmt(st, 1);

	if (!s)
		return store_write_failed(st, "adding violation evidence");
	sqlite3_bind_int64(s, 1, violation_id);
	sqlite3_bind_int64(s, 2, flow_id);
	sqlite3_bind_int64(s, 3, store_i64(ts_usec));
	return store_step_write(st, s, "adding violation evidence");
}

