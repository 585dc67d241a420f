/* This file keeps spoof_hourly (migration 11), the hourly rollup of the spoofed flows that
 * the report's top lists, new sources and verdict read: a flush's deltas of spoofed flows
 * summed in memory per hour, source, class, subclass, interface, protocol and destination
 * port (store_spoof_add), then one upsert per key inside the flush's transaction
 * (store_spoof_write); and likewise loopback_hourly (migration 12), the loopback flows per
 * hour, interface, protocol, ports, source and destination that the loopback inventory
 * reads (store_loop_add, store_loop_write); with spoof_hourly, spoof_src_daily (migration
 * 14), the set of the spoofed sources per day and interface with the hours they were seen,
 * written in its key's order once per flush (srcday_write). */
#include "store/store_rollup.h"

#include <stdlib.h>
#include <string.h>

#include "classify/addrclass.h"
#include "classify/classify.h"
#include "common/prefix.h"

#define HOUR 3600

/* One hour and key of the spoofed rollup, with what a flush adds to it. */
struct spoof_ent {
	int64_t hour;
	uint16_t iface, dport, sport;	/* sport: loopback_hourly's only (0 in spoof_hourly's) */
	uint8_t family, cls, subclass, proto;
	uint8_t src[16], dst[16];	/* dst: loopback_hourly's only (zero in spoof_hourly's) */
	uint64_t packets, bytes, flows, first_usec, last_usec;
};

static const char upsert_sql[] =
	"INSERT INTO spoof_hourly(bucket, src, class, subclass, iface, proto, dport, packets,"
	" bytes, flows, first_usec, last_usec)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
	" ON CONFLICT(bucket, src, class, subclass, iface, proto, dport) DO UPDATE SET"
	" packets = packets + excluded.packets, bytes = bytes + excluded.bytes,"
	" flows = flows + excluded.flows, first_usec = min(first_usec, excluded.first_usec),"
	" last_usec = max(last_usec, excluded.last_usec)";

static const char loop_upsert_sql[] =
	"INSERT INTO loopback_hourly(bucket, iface, proto, sport, dport, src, dst, src_bin,"
	" dst_bin, packets, bytes, flows, first_usec, last_usec)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
	" ON CONFLICT(bucket, iface, proto, sport, dport, src, dst) DO UPDATE SET"
	" packets = packets + excluded.packets, bytes = bytes + excluded.bytes,"
	" flows = flows + excluded.flows, first_usec = min(first_usec, excluded.first_usec),"
	" last_usec = max(last_usec, excluded.last_usec)";

static const char srcday_upsert_sql[] =
	"INSERT INTO spoof_src_daily(day, src, iface, hours) VALUES(?1, ?2, ?3, ?4)"
	" ON CONFLICT(day, src, iface) DO UPDATE SET hours = hours | excluded.hours"
	" WHERE hours | excluded.hours <> hours";

/* One day, source and interface of spoof_src_daily, with the hours a flush adds. */
struct srcday_ent {
	int64_t day;
	const char *iface;
	uint32_t hours;		/* bit h: the hour day + h * 3600 */
	char src[ADDR_STRLEN];
};

static int64_t hour_of(int64_t t)
{
	int64_t m = t % HOUR;

	return t - (m < 0 ? m + HOUR : m);
}

static uint64_t sp_hash(const struct spoof_ent *e)
{
	uint64_t h = (uint64_t)e->hour * 0x9E3779B97F4A7C15ull, w;
	size_t i;

	h ^= (uint64_t)e->iface << 48 | (uint64_t)e->dport << 32 | (uint64_t)e->family << 24 |
	     (uint64_t)e->cls << 16 | (uint64_t)e->subclass << 8 | e->proto;
	h ^= (uint64_t)e->sport << 40;
	for (i = 0; i < 32; i += 8) {
		memcpy(&w, (i < 16 ? e->src + i : e->dst + i - 16), 8);
		h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
		h ^= h >> 31;
	}
	return h;
}

static int sp_is(const struct spoof_ent *a, const struct spoof_ent *b)
{
	return a->hour == b->hour && a->iface == b->iface && a->dport == b->dport &&
	       a->family == b->family && a->cls == b->cls && a->subclass == b->subclass &&
	       a->proto == b->proto && a->sport == b->sport && !memcmp(a->src, b->src, 16) &&
	       !memcmp(a->dst, b->dst, 16);
}

/* Doubles the slot table (and rehashes) so that it stays under half full. */
static int sp_grow(struct store_spoof *r)
{
	size_t ns = r->nslots ? r->nslots * 2 : 256, i;
	uint32_t *s;

	if (ns > UINT32_MAX / 2 || !(s = calloc(ns, sizeof(*s))))
		return -1;
	for (i = 0; i < r->n; i++) {
		size_t j = sp_hash(&r->e[i]) & (ns - 1);

		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(r->slots);
	r->slots = s;
	r->nslots = ns;
	return 0;
}

/* The entry of key, added (zero counts) when new; NULL when out of memory. */
static struct spoof_ent *sp_get(struct store_spoof *r, const struct spoof_ent *key)
{
	struct spoof_ent *e;
	size_t j;

	if ((r->n + 1) * 2 > r->nslots && sp_grow(r) < 0)
		return NULL;
	for (j = sp_hash(key) & (r->nslots - 1); r->slots[j]; j = (j + 1) & (r->nslots - 1))
		if (sp_is(&r->e[r->slots[j] - 1], key))
			return &r->e[r->slots[j] - 1];
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;

		if (cap > SIZE_MAX / sizeof(*e) || !(e = realloc(r->e, cap * sizeof(*e))))
			return NULL;
		r->e = e;
		r->cap = cap;
	}
	e = &r->e[r->n];
	*e = *key;
	e->first_usec = UINT64_MAX;
	r->slots[j] = (uint32_t)++r->n;
	return e;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Adds delta d (a new flows row when inserted) to r's entry of key. 0, or -1. */
static int sp_add(struct store_spoof *r, const struct spoof_ent *key, const struct flow_counts *d,
		  int inserted)
{
	struct spoof_ent *e = sp_get(r, key);

	if (!e)
		return -1;
	e->packets = add_sat(e->packets, d->packets);
	e->bytes = add_sat(e->bytes, d->bytes);
	e->flows += (uint64_t)(inserted != 0);
	if (d->first_usec < e->first_usec)
		e->first_usec = d->first_usec;
	if (d->last_usec > e->last_usec)
		e->last_usec = d->last_usec;
	return 0;
}

int store_spoof_add(struct store_spoof *r, const struct flow_key *k,
		    const struct flow_counts *d, int inserted)
{
	struct spoof_ent key;

	if (!classify_is_spoof((enum spoof_class)k->cls))
		return 0;
	memset(&key, 0, sizeof(key));
	key.hour = hour_of(k->bucket);
	key.iface = k->iface;
	key.dport = k->dport;
	key.family = k->family;
	key.cls = k->cls;
	key.subclass = k->subclass;
	key.proto = k->proto;
	memcpy(key.src, k->src, 16);
	return sp_add(r, &key, d, inserted);
}

int store_loop_add(struct store_spoof *r, const struct flow_key *k,
		   const struct flow_counts *d, int inserted)
{
	struct spoof_ent key;

	if (k->cls != CLS_LOOPBACK_FLOW)
		return 0;
	memset(&key, 0, sizeof(key));
	key.hour = hour_of(k->bucket);
	key.iface = k->iface;
	key.sport = k->sport;
	key.dport = k->dport;
	key.family = k->family;
	key.cls = k->cls;
	key.proto = k->proto;
	memcpy(key.src, k->src, 16);
	memcpy(key.dst, k->dst, 16);
	return sp_add(r, &key, d, inserted);
}

/* Binds entry e's row to the upsert s: 0, or -1 for a key the schema cannot hold. */
static int sp_bind(sqlite3_stmt *s, const struct spoof_ent *e, const char *const *ifnames)
{
	const char *cls = classify_class_name((enum spoof_class)e->cls);
	const char *sub = addrclass_subclass_name((enum addr_subclass)e->subclass);
	const char *ifn = ifnames ? ifnames[e->iface] : NULL;
	char src[ADDR_STRLEN];

	if (!cls || !sub || !ifn || (e->family != 4 && e->family != 6))
		return -1;
	addr_format(e->family, e->src, src, sizeof(src));
	sqlite3_bind_int64(s, 1, e->hour);
	sqlite3_bind_text(s, 2, src, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 3, cls, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, sub, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, ifn, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 6, e->proto);
	sqlite3_bind_int(s, 7, e->dport);
	sqlite3_bind_int64(s, 8, store_i64(e->packets));
	sqlite3_bind_int64(s, 9, store_i64(e->bytes));
	sqlite3_bind_int64(s, 10, store_i64(e->flows));
	sqlite3_bind_int64(s, 11, store_i64(e->first_usec));
	sqlite3_bind_int64(s, 12, store_i64(e->last_usec));
	return 0;
}

/* Binds loopback entry e's row to the upsert s: 0, or -1 for a key the schema cannot hold. */
static int lp_bind(sqlite3_stmt *s, const struct spoof_ent *e, const char *const *ifnames)
{
	const char *ifn = ifnames ? ifnames[e->iface] : NULL;
	char src[ADDR_STRLEN], dst[ADDR_STRLEN];
	uint8_t sbin[16], dbin[16];

	if (!ifn || (e->family != 4 && e->family != 6))
		return -1;
	addr_format(e->family, e->src, src, sizeof(src));
	addr_format(e->family, e->dst, dst, sizeof(dst));
	store_addr_bin(e->family, e->src, sbin);
	store_addr_bin(e->family, e->dst, dbin);
	sqlite3_bind_int64(s, 1, e->hour);
	sqlite3_bind_text(s, 2, ifn, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 3, e->proto);
	sqlite3_bind_int(s, 4, e->sport);
	sqlite3_bind_int(s, 5, e->dport);
	sqlite3_bind_text(s, 6, src, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 7, dst, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 8, sbin, 16, SQLITE_TRANSIENT);
	sqlite3_bind_blob(s, 9, dbin, 16, SQLITE_TRANSIENT);
	sqlite3_bind_int64(s, 10, store_i64(e->packets));
	sqlite3_bind_int64(s, 11, store_i64(e->bytes));
	sqlite3_bind_int64(s, 12, store_i64(e->flows));
	sqlite3_bind_int64(s, 13, store_i64(e->first_usec));
	sqlite3_bind_int64(s, 14, store_i64(e->last_usec));
	return 0;
}

/* Upserts r's entries with sql, each bound by bind; empties r. 0, or -1 with the message. */
static int sp_write(struct store *st, struct store_spoof *r, const char *const *ifnames,
		    const char *sql, int (*bind)(sqlite3_stmt *, const struct spoof_ent *,
						 const char *const *), const char *what)
{
	sqlite3_stmt *s = NULL;
	int ret = -1;
	size_t i;

	if (r->n == 0)
		return 0;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_sql_err(st, what);
		goto out;
	}
	for (i = 0; i < r->n; i++) {
		if (bind(s, &r->e[i], ifnames) < 0) {	/* the merge took the key: cannot be */
			store_set_err(st, "%s: bad flow key", what);
			goto out;
		}
		if (store_step_done(st, s, what) < 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	store_spoof_clear(r);
	return ret;
}

/* SQLite's order of spoof_src_daily's key (integers, then text by memcmp). */
static int srcday_cmp(const void *pa, const void *pb)
{
	const struct srcday_ent *a = pa, *b = pb;
	int c;

	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	c = strcmp(a->src, b->src);
	return c ? c : strcmp(a->iface, b->iface);
}

/* Adds the sources of r's entries (of the classes that forge their source) to
 * spoof_src_daily: merged per day, source and interface, and upserted in the key's order,
 * so that a flush visits each page of the day's part of the tree once. 0, or -1 with
 * the message. */
static int srcday_write(struct store *st, const struct store_spoof *r,
			const char *const *ifnames)
{
	static const char what[] = "writing the spoofed sources per day";
	struct srcday_ent *d = NULL;
	sqlite3_stmt *s = NULL;
	size_t i, n = 0;
	int ret = -1;

	if (r->n == 0)
		return 0;
	if (!(d = malloc(r->n * sizeof(*d)))) {
		store_set_err(st, "%s: out of memory for %zu sources", what, r->n);
		return -1;
	}
	for (i = 0; i < r->n; i++) {
		const struct spoof_ent *e = &r->e[i];
		int64_t h = e->hour % 86400;

		if (e->cls == CLS_LOOPBACK_DST)	/* forges its destination, not its source */
			continue;
		if (!ifnames || !ifnames[e->iface] || (e->family != 4 && e->family != 6)) {
			store_set_err(st, "%s: bad flow key", what);
			goto out;
		}
		h += h < 0 ? 86400 : 0;
		d[n].day = e->hour - h;
		d[n].iface = ifnames[e->iface];
		d[n].hours = 1u << (h / 3600);
		addr_format(e->family, e->src, d[n].src, sizeof(d[n].src));
		n++;
	}
	qsort(d, n, sizeof(*d), srcday_cmp);
	if (n && sqlite3_prepare_v2(st->db, srcday_upsert_sql, -1, &s, NULL) != SQLITE_OK) {
		store_sql_err(st, what);
		goto out;
	}
	for (i = 0; i < n; i++) {
		uint32_t hours = d[i].hours;

		while (i + 1 < n && srcday_cmp(&d[i], &d[i + 1]) == 0)
			hours |= d[++i].hours;
		sqlite3_bind_int64(s, 1, d[i].day);
		sqlite3_bind_text(s, 2, d[i].src, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, d[i].iface, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 4, hours);
		if (store_step_done(st, s, what) < 0)
			goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(s);
	free(d);
	return ret;
}

int store_spoof_write(struct store *st, struct store_spoof *r, const char *const *ifnames)
{
	if (srcday_write(st, r, ifnames) < 0) {
		store_spoof_clear(r);
		return -1;
	}
	return sp_write(st, r, ifnames, upsert_sql, sp_bind, "writing the spoofed hourly rollup");
}

int store_loop_write(struct store *st, struct store_spoof *r, const char *const *ifnames)
{
	return sp_write(st, r, ifnames, loop_upsert_sql, lp_bind,
			"writing the loopback hourly rollup");
}

void store_spoof_clear(struct store_spoof *r)
{
	r->n = 0;
	if (r->slots)
		memset(r->slots, 0, r->nslots * sizeof(*r->slots));
}

void store_spoof_free(struct store_spoof *r)
{
	free(r->e);
	free(r->slots);
	memset(r, 0, sizeof(*r));
}
