/* This file is the store's write side: the statements store_open() prepares, and the
 * functions that add runs, their context, flows, evidence, NFLOG counts and capture
 * statistics through them. */
#include "store/store_int.h"
#include "store/store_rollup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "classify/addrclass.h"
#include "classify/classify.h"
#include "sources/decode.h"

const char *const store_stmt_sql[S_COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_BEGIN_RO] = "BEGIN",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SP_BEGIN] = "SAVEPOINT store_write",
	[S_SP_RELEASE] = "RELEASE store_write",
	[S_SP_ROLLBACK] = "ROLLBACK TO store_write",
	/* Parameters, shared by the three flow statements: 1 bucket, 2 iface, 3 dir,
	 * 4 family, 5 src, 6 dst, 7 src_bin, 8 dst_bin, 9 proto, 10 sport, 11 dport,
	 * 12 class, 13 subclass, 14 packets, 15 bytes, 16 first_usec, 17 last_usec,
	 * 18 ttl_min, 19 ttl_max, 20 tcp_flags, 21 seen_by, 22 id, 23 khash, 24 pre_reply
	 * (NULL: unsure, and it stays NULL; migration 13). A new row is a
	 * plain INSERT: no index keeps a key to one row (migration 9). */
	[S_FLOW_INSERT] =
		"INSERT INTO flows(bucket, iface, dir, family, src, dst, src_bin, dst_bin,"
		" proto, sport, dport, class, subclass, packets, bytes, first_usec, last_usec,"
		" ttl_min, ttl_max, tcp_flags, seen_by, khash, pre_reply)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19, ?20, ?21, ?23, ?24)",
	/* The same merge for a row whose id the entry already holds; the key is checked too,
	 * so a stale id (its transaction rolled back, the row pruned) matches nothing. */
	[S_FLOW_UPDATE] =
		"UPDATE flows SET packets = max(coalesce(counted_packets, packets) + ?14,"
		" nflog_packets), counted_packets = counted_packets + ?14,"
		" bytes = max(coalesce(counted_bytes, bytes) + ?15, nflog_bytes),"
		" counted_bytes = counted_bytes + ?15,"
		" first_usec = min(first_usec, ?16), last_usec = max(last_usec, ?17),"
		" ttl_min = min(ttl_min, ?18), ttl_max = max(ttl_max, ?19),"
		" tcp_flags = tcp_flags | ?20, seen_by = seen_by | ?21,"
		" pre_reply = pre_reply + ?24"
		" WHERE id = ?22 AND bucket = ?1 AND iface = ?2 AND dir = ?3 AND family = ?4"
		" AND src_bin = ?7 AND dst_bin = ?8 AND proto = ?9 AND sport = ?10"
		" AND dport = ?11 AND +class = ?12 AND subclass = ?13 AND khash = ?23",
	/* By the hash under flows_bucket_khash, and the full key: a collision of the hash
	 * never names another flow's row. Of several rows of the key, the newest. In these
	 * two statements `+class`: compared with the partial index flows_loopback's `class =
	 * 'loopback_flow'`, a bare `class = ?12` makes SQLite prepare the statement again
	 * whenever ?12 is bound anew (its plan would depend on the value), on every row. */
	[S_FLOW_ID] =
		"SELECT id FROM flows WHERE bucket = ?1 AND khash = ?23 AND iface = ?2"
		" AND dir = ?3 AND family = ?4 AND src_bin = ?7 AND dst_bin = ?8 AND proto = ?9"
		" AND sport = ?10 AND dport = ?11 AND +class = ?12 AND subclass = ?13"
		" ORDER BY id DESC LIMIT 1",
	[S_EVIDENCE] =
		"INSERT INTO evidence(flow_id, ts_usec, linktype, wirelen, caplen, data)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_RUN_BEGIN] =
		"INSERT INTO runs(host, version, cmdline, started_usec, bucket_seconds)"
		" VALUES(?1, ?2, ?3, ?4, ?5) RETURNING id",
	[S_RUN_END] = "UPDATE runs SET ended_usec = ?2 WHERE id = ?1",
	[S_SOURCE] =
		"INSERT INTO sources(run_id, kind, name, iface, linktype)"
		" VALUES(?1, ?2, ?3, ?4, ?5) RETURNING id",
	[S_IFACE] =
		"INSERT INTO ifaces(run_id, name, ifindex, role, role_origin, prefixes)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[S_KCTX] = "INSERT INTO kernel_ctx(run_id, scope, key, value) VALUES(?1, ?2, ?3, ?4)",
	[S_KCOUNT_START] =
		"INSERT OR REPLACE INTO kernel_counters(run_id, name, at_start) VALUES(?1, ?2, ?3)",
	[S_KCOUNT_END] = "UPDATE kernel_counters SET at_end = ?3 WHERE run_id = ?1 AND name = ?2",
	[S_HOSTADDR] =
		"INSERT INTO host_addrs(run_id, iface, addr, plen, family)"
		" VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_STATS] =
		"INSERT INTO capture_stats(source_id, start_usec, end_usec, received,"
		" kernel_drops, iface_drops, decoded_ip, not_ip, unsupported, malformed,"
		" nflog_received, nflog_enobufs, nflog_seq_gaps, flow_evictions,"
		" db_busy_retries, db_write_failures)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
	[S_DECODE_ERR] =
		"INSERT INTO decode_errors(source_id, start_usec, end_usec, reason, count)"
		" VALUES(?1, ?2, ?3, ?4, ?5)",
	[S_NFLOG] =
		"INSERT INTO flow_nflog(flow_id, prefix, grp, hook, packets, bytes, uid, gid, mark)"
		" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT(flow_id, prefix, grp, hook) DO UPDATE SET"
		" packets = packets + excluded.packets, bytes = bytes + excluded.bytes,"
		" uid = coalesce(excluded.uid, uid), gid = coalesce(excluded.gid, gid),"
		" mark = coalesce(excluded.mark, mark)",
	/* After an NFLOG row: the flow counts what the busiest logging rule logged where that
	 * is more than its counting source counted (pcap dropped them; migration 6). */
	[S_NFLOG_FLOW] =
		"UPDATE flows SET counted_packets = coalesce(counted_packets, packets),"
		" counted_bytes = coalesce(counted_bytes, bytes),"
		" nflog_packets = n.p, nflog_bytes = n.b,"
		" packets = max(coalesce(counted_packets, packets), n.p),"
		" bytes = max(coalesce(counted_bytes, bytes), n.b)"
		" FROM (SELECT max(packets) AS p, max(bytes) AS b FROM flow_nflog"
		" WHERE flow_id = ?1) AS n"
		" WHERE id = ?1 AND n.p > nflog_packets",
};


int64_t store_run_begin(struct store *st, const char *hostname, const char *version,
			const char *cmdline, uint64_t start_usec, unsigned bucket_seconds)
{
	sqlite3_stmt *s = st->stmt[S_RUN_BEGIN];
	int64_t id;

	store_bind_text(s, 1, hostname ? hostname : "");
	store_bind_text(s, 2, version ? version : "");
	store_bind_text(s, 3, cmdline);
	sqlite3_bind_int64(s, 4, store_i64(start_usec));
	sqlite3_bind_int64(s, 5, bucket_seconds);
	return store_step_id(st, s, "adding run", &id) < 0 ? -1 : id;
}

int store_run_end(struct store *st, int64_t run_id, uint64_t end_usec)
{
	sqlite3_stmt *s = st->stmt[S_RUN_END];

	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, store_i64(end_usec));
	if (store_step_write(st, s, "ending run") < 0)
		return -1;
	if (sqlite3_changes(st->db) != 1) {
		store_set_err(st, "ending run: no run %lld", (long long)run_id);
		return -1;
	}
	return 0;
}

int64_t store_source_add(struct store *st, int64_t run_id, const char *kind,
			 const char *name, const char *iface, int linktype)
{
	sqlite3_stmt *s = st->stmt[S_SOURCE];
	int64_t id;

	sqlite3_bind_int64(s, 1, run_id);
	store_bind_text(s, 2, kind);
	store_bind_text(s, 3, name ? name : "");
	store_bind_text(s, 4, iface);
	sqlite3_bind_int(s, 5, linktype);
	return store_step_id(st, s, "adding source", &id) < 0 ? -1 : id;
}

int store_iface_add(struct store *st, int64_t run_id, const struct iface_info *ifc,
		    const char *role_origin)
{
	sqlite3_stmt *s = st->stmt[S_IFACE];
	char prefixes[CLASSIFY_MAX_PREFIXES * PREFIX_STRLEN + 1], p[PREFIX_STRLEN];
	const char *role = classify_role_name(ifc->role);
	size_t len = 0;
	unsigned i;

	if (!role) {
		store_set_err(st, "adding interface %s: bad role %d", ifc->name, (int)ifc->role);
		return -1;
	}
	if (ifc->n_prefixes > CLASSIFY_MAX_PREFIXES) {
		store_set_err(st, "adding interface %s: %u prefixes (at most %d)", ifc->name,
			ifc->n_prefixes, CLASSIFY_MAX_PREFIXES);
		return -1;
	}
	prefixes[0] = '\0';
	for (i = 0; i < ifc->n_prefixes; i++) {
		prefix_format(&ifc->prefixes[i], p, sizeof(p));
		len += (size_t)snprintf(prefixes + len, sizeof(prefixes) - len, "%s%s",
					i ? "," : "", p);
	}
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_text(s, 2, ifc->name, (int)strnlen(ifc->name, sizeof(ifc->name)),
			  SQLITE_STATIC);
	sqlite3_bind_int(s, 3, ifc->ifindex);
	store_bind_text(s, 4, role);
	store_bind_text(s, 5, role_origin ? role_origin : "");
	store_bind_text(s, 6, prefixes);
	return store_step_write(st, s, "adding interface");
}

int store_kernel_ctx_add(struct store *st, int64_t run_id, const char *scope,
			 const char *key, const char *value)
{
	sqlite3_stmt *s = st->stmt[S_KCTX];

	sqlite3_bind_int64(s, 1, run_id);
	store_bind_text(s, 2, scope);
	store_bind_text(s, 3, key);
	store_bind_text(s, 4, value);
	return store_step_write(st, s, "adding kernel context");
}

int store_kernel_counter(struct store *st, int64_t run_id, const char *name, uint64_t value,
			 int at_end)
{
	sqlite3_stmt *s = st->stmt[at_end ? S_KCOUNT_END : S_KCOUNT_START];

	if (value > INT64_MAX) {
		store_set_err(st, "kernel counter %s: %llu does not fit", name,
			      (unsigned long long)value);
		return -1;
	}
	sqlite3_bind_int64(s, 1, run_id);
	store_bind_text(s, 2, name);
	sqlite3_bind_int64(s, 3, (int64_t)value);
	return store_step_write(st, s, "recording a kernel counter");
}

int store_hostaddr_add(struct store *st, int64_t run_id, const char *iface,
		       const struct prefix *p)
{
	sqlite3_stmt *s = st->stmt[S_HOSTADDR];
	char addr[ADDR_STRLEN];

	if (p->family != 4 && p->family != 6) {
		store_set_err(st, "adding host address: bad family %d", p->family);
		return -1;
	}
	addr_format(p->family, p->addr, addr, sizeof(addr));
	sqlite3_bind_int64(s, 1, run_id);
	store_bind_text(s, 2, iface);
	store_bind_text(s, 3, addr);
	sqlite3_bind_int(s, 4, p->plen);
	sqlite3_bind_int(s, 5, p->family);
	return store_step_write(st, s, "adding host address");
}

/* Writes addr as the 16 bytes stored in src_bin/dst_bin (IPv4 as ::ffff:a.b.c.d). */
void store_addr_bin(int family, const uint8_t addr[16], uint8_t out[16])
{
	if (family == 4) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, addr, 4);
	} else {
		memcpy(out, addr, 16);
	}
}

const char *store_dir_name(unsigned dir)
{
	switch (dir) {
	case DIR_IN:
		return "in";
	case DIR_OUT:
		return "out";
	case DIR_UNKNOWN:
		return "unknown";
	}
	return NULL;
}

/* The key columns of a flow, as bound to parameters 1-4, 7-13 and 23. */
struct flow_cols {
	const char *ifname, *dir, *cls, *sub;
	uint8_t sbin[16], dbin[16];
	int64_t khash;
};

static void bind_key(sqlite3_stmt *s, const struct flow_key *k, const struct flow_cols *c)
{
	sqlite3_bind_int64(s, 1, k->bucket);
	sqlite3_bind_text(s, 2, c->ifname, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, c->dir, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 4, k->family);
	sqlite3_bind_blob(s, 7, c->sbin, 16, SQLITE_STATIC);
	sqlite3_bind_blob(s, 8, c->dbin, 16, SQLITE_STATIC);
	sqlite3_bind_int(s, 9, k->proto);
	sqlite3_bind_int(s, 10, k->sport);
	sqlite3_bind_int(s, 11, k->dport);
	sqlite3_bind_text(s, 12, c->cls, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 13, c->sub, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 23, c->khash);
}

static void bind_counts(sqlite3_stmt *s, const struct flow_counts *d)
{
	sqlite3_bind_int64(s, 14, store_i64(d->packets));
	sqlite3_bind_int64(s, 15, store_i64(d->bytes));
	sqlite3_bind_int64(s, 16, store_i64(d->first_usec));
	sqlite3_bind_int64(s, 17, store_i64(d->last_usec));
	sqlite3_bind_int(s, 18, d->ttl_min);
	sqlite3_bind_int(s, 19, d->ttl_max);
	sqlite3_bind_int(s, 20, d->tcp_flags);
	sqlite3_bind_int(s, 21, d->seen_by);
	if (d->pre_reply == FLOW_PRE_UNSURE)
		sqlite3_bind_null(s, 24);
	else
		sqlite3_bind_int64(s, 24, d->pre_reply);
}

/* The key columns of k, or -1 (with the message) for a key the schema cannot hold. */
static int flow_cols_of(struct store *st, const struct flow_key *k,
			const char *const *ifnames, struct flow_cols *c)
{
	c->ifname = ifnames ? ifnames[k->iface] : NULL;
	c->dir = store_dir_name(k->dir);
	c->cls = classify_class_name((enum spoof_class)k->cls);
	c->sub = addrclass_subclass_name((enum addr_subclass)k->subclass);
	if (!c->ifname || !c->dir || !c->cls || !c->sub || (k->family != 4 && k->family != 6)) {
		store_set_err(st, "writing flows: bad flow key (iface %u%s, dir %u, class %u, "
			"subclass %u, family %u)", k->iface, c->ifname ? "" : " has no name",
			k->dir, k->cls, k->subclass, k->family);
		return -1;
	}
	store_addr_bin(k->family, k->src, c->sbin);
	store_addr_bin(k->family, k->dst, c->dbin);
	c->khash = store_khash(&(struct store_khash_in){
		.bucket = k->bucket, .family = k->family, .proto = k->proto,
		.sport = k->sport, .dport = k->dport,
		.iface = c->ifname, .iface_len = strlen(c->ifname),
		.dir = c->dir, .dir_len = strlen(c->dir),
		.src_bin = c->sbin, .src_len = 16, .dst_bin = c->dbin, .dst_len = 16,
		.cls = c->cls, .cls_len = strlen(c->cls), .sub = c->sub, .sub_len = strlen(c->sub) });
	return 0;
}

/* The row id of the flow with key k into *id: 1, 0 when no row has that key, or -1. */
static int flow_id_of(struct store *st, const struct flow_key *k, const struct flow_cols *c,
		      int64_t *id)
{
	sqlite3_stmt *s = st->stmt[S_FLOW_ID];
	int rc;

	if (!store_keyfilter_may_exist(st, k->bucket, c->khash))
		return 0;
	bind_key(s, k, c);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	else if (rc != SQLITE_DONE)
		store_sql_err(st, "looking up a flow");
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_flow_lookup(struct store *st, const struct flow_key *k, const char *const *ifnames,
		      int64_t *id)
{
	struct flow_cols c;

	if (flow_cols_of(st, k, ifnames, &c) < 0)
		return -1;
	return flow_id_of(st, k, &c, id);
}

/* Adds d to row id if it still holds key k: 1, 0 when it does not, or -1. */
static int update_row(struct store *st, const struct flow_key *k, const struct flow_cols *c,
		      const struct flow_counts *d, int64_t id)
{
	sqlite3_stmt *s = st->stmt[S_FLOW_UPDATE];

	bind_key(s, k, c);
	bind_counts(s, d);
	sqlite3_bind_int64(s, 22, id);
	if (store_step_done(st, s, "writing flows") < 0)
		return -1;
	return sqlite3_changes(st->db) == 1;
}

/* Adds the counts d of the flow with key k to its row; the row id goes to *id. A known
 * row (db_id > 0) is updated by id, if it still holds the key (a stale id, its
 * transaction rolled back or the row pruned, matches nothing). Otherwise the key's row
 * is looked up (khash index, migration 9): the flow may have been written before its id
 * came back to the flow table (a batch of the writer thread still on its way back, a run
 * before this one), and a second row of the key would count NFLOG's copies twice, since
 * a row's packets are the larger of pcap's and NFLOG's counts. Only a key with no row
 * gets a new one. The id is last_insert_rowid, not RETURNING, which inside a savepoint
 * costs a statement journal per row (see tests/tools/store_bench.c). */
int store_flow_merge(struct store *st, const struct flow_key *k, const struct flow_counts *d,
		     int64_t db_id, const char *const *ifnames, int64_t *id)
{
	struct flow_cols c;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	sqlite3_stmt *s;
	int64_t found = 0;
	int u;

	if (flow_cols_of(st, k, ifnames, &c) < 0)
		return -1;
	if (db_id > 0 && (u = update_row(st, k, &c, d, db_id)) != 0) {
		*id = db_id;
		return u < 0 ? -1 : 0;
	}
	u = flow_id_of(st, k, &c, &found);
	if (u == 1 && found != db_id)
		u = update_row(st, k, &c, d, found);
	else if (u == 1)
		u = 0;
	if (u < 0)
		return -1;
	if (u == 1) {
		*id = found;
		return 0;
	}
	if (!d->packets && !d->seen_by) {	/* flowtab_touch()'s, for a row gone */
		*id = db_id;
		return 0;
	}

	s = st->stmt[S_FLOW_INSERT];
	addr_format(k->family, k->src, src, sizeof(src));
	addr_format(k->family, k->dst, dst, sizeof(dst));
	bind_key(s, k, &c);
	sqlite3_bind_text(s, 5, src, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, dst, -1, SQLITE_STATIC);
	bind_counts(s, d);
	if (store_step_done(st, s, "writing flows") < 0)
		return -1;
	*id = sqlite3_last_insert_rowid(st->db);
	store_keyfilter_note(st, k->bucket, c.khash, *id);
	return 0;
}

/* All or nothing: the rows go in under a savepoint, and db_id is set only once every row
 * is written, so a failed batch can be retried without counting anything twice. Called
 * outside a transaction, each call commits by itself. */
int store_flows_write(struct store *st, struct flow_entry **entries, size_t n,
		      const char *const *ifnames)
{
	struct store_rollup ru = STORE_ROLLUP_INIT;
	size_t i;
	int outer;

	if (n == 0)
		return 0;
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
	if (store_sp_begin(st, &outer, "writing flows") < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (store_rollup_flow(st, &ru, &entries[i]->key, &entries[i]->delta,
				      entries[i]->db_id, ifnames, &st->ids[i]) < 0) {
			st->write_failures++;
			store_rollup_free(&ru);
			store_sp_abort(st, outer);
			return -1;
		}
	}
	if (store_rollup_write(st, &ru, ifnames) < 0) {
		store_rollup_free(&ru);
		store_sp_abort(st, outer);
		return -1;
	}
	store_rollup_free(&ru);
	if (store_sp_end(st, outer, "writing flows") < 0)
		return -1;
	for (i = 0; i < n; i++)
		entries[i]->db_id = st->ids[i];
	return 0;
}

int store_evidence_add(struct store *st, int64_t flow_id, uint64_t ts_usec, int linktype,
		       uint32_t wirelen, const uint8_t *data, uint32_t caplen)
{
	sqlite3_stmt *s = st->stmt[S_EVIDENCE];

	if (caplen > (uint32_t)INT32_MAX || (caplen > 0 && !data)) {
		store_set_err(st, "adding evidence: bad capture length %u", caplen);
		return -1;
	}
	sqlite3_bind_int64(s, 1, flow_id);
	sqlite3_bind_int64(s, 2, store_i64(ts_usec));
	sqlite3_bind_int(s, 3, linktype);
	sqlite3_bind_int64(s, 4, wirelen);
	sqlite3_bind_int64(s, 5, caplen);
	sqlite3_bind_blob(s, 6, caplen ? (const void *)data : "", (int)caplen, SQLITE_STATIC);
	return store_step_write(st, s, "adding evidence");
}

int store_stats_add(struct store *st, int64_t source_id, uint64_t start_usec,
		    uint64_t end_usec, const struct store_capture_stats *c)
{
	sqlite3_stmt *s = st->stmt[S_STATS];
	const uint64_t v[] = {
		c->received, c->kernel_drops, c->iface_drops, c->decoded_ip, c->not_ip,
		c->unsupported, c->malformed, c->nflog_received, c->nflog_enobufs,
		c->nflog_seq_gaps, c->flow_evictions, c->db_busy_retries, c->db_write_failures,
	};
	int outer, i;

	if (store_sp_begin(st, &outer, "adding capture statistics") < 0)
		return -1;
	sqlite3_bind_int64(s, 1, source_id);
	sqlite3_bind_int64(s, 2, store_i64(start_usec));
	sqlite3_bind_int64(s, 3, store_i64(end_usec));
	for (i = 0; i < (int)(sizeof(v) / sizeof(v[0])); i++)
		sqlite3_bind_int64(s, 4 + i, store_i64(v[i]));
	if (store_step_done(st, s, "adding capture statistics") < 0)
		goto fail;
	s = st->stmt[S_DECODE_ERR];
	for (i = 0; i < DERR_COUNT; i++) {
		const char *reason = decode_error_name((enum decode_error)i);

		if (c->decode_errors[i] == 0)
			continue;
		if (!reason) {
			store_set_err(st, "adding decode errors: no name for reason %d", i);
			goto fail;
		}
		sqlite3_bind_int64(s, 1, source_id);
		sqlite3_bind_int64(s, 2, store_i64(start_usec));
		sqlite3_bind_int64(s, 3, store_i64(end_usec));
		sqlite3_bind_text(s, 4, reason, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, store_i64(c->decode_errors[i]));
		if (store_step_done(st, s, "adding decode errors") < 0)
			goto fail;
	}
	return store_sp_end(st, outer, "adding capture statistics");
fail:
	st->write_failures++;
	store_sp_abort(st, outer);
	return -1;
}

int store_nflog_add(struct store *st, int64_t flow_id, const char *prefix, unsigned group,
		    unsigned hook, uint64_t packets, uint64_t bytes, int64_t uid, int64_t gid,
		    int64_t mark)
{
	sqlite3_stmt *s = st->stmt[S_NFLOG];

	sqlite3_bind_int64(s, 1, flow_id);
	sqlite3_bind_text(s, 2, prefix ? prefix : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, (int)group);
	sqlite3_bind_int(s, 4, (int)hook);
	sqlite3_bind_int64(s, 5, store_i64(packets));
	sqlite3_bind_int64(s, 6, store_i64(bytes));
	if (uid >= 0)
		sqlite3_bind_int64(s, 7, uid);
	else
		sqlite3_bind_null(s, 7);
	if (gid >= 0)
		sqlite3_bind_int64(s, 8, gid);
	else
		sqlite3_bind_null(s, 8);
	if (mark >= 0)
		sqlite3_bind_int64(s, 9, mark);
	else
		sqlite3_bind_null(s, 9);
	if (store_step_write(st, s, "adding NFLOG counts") < 0)
		return -1;
	s = st->stmt[S_NFLOG_FLOW];
	sqlite3_bind_int64(s, 1, flow_id);
	return store_step_write(st, s, "counting what only NFLOG saw");
}
