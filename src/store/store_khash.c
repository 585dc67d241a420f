/* This file computes a flow row's key hash (flows.khash, migration 9): a 64-bit hash of
 * the eleven key columns as they are stored, the same in C (the collector's writes) and
 * in SQL (the migration that fills it for rows written before it). A hash never decides
 * alone that two rows are one flow: every lookup compares the full key too. */
#include "store/store_int.h"

#include <string.h>

#include "common/util.h"

#define KHASH_SEED 14695981039346656037ull	/* FNV-1a offset basis */

static uint64_t mix_i64(uint64_t h, int64_t v)
{
	uint8_t b[8];
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (uint8_t)((uint64_t)v >> (8 * i));
	return util_fnv(h, b, sizeof(b));
}

/* A text or blob as its length and bytes, so that no two field lists hash alike by
 * moving bytes from one field to the next. */
static uint64_t mix_bytes(uint64_t h, const void *p, size_t n)
{
	h = mix_i64(h, (int64_t)n);
	return n ? util_fnv(h, p, n) : h;
}

int64_t store_khash(const struct store_khash_in *k)
{
	uint64_t h = KHASH_SEED;

	h = mix_i64(h, k->bucket);
	h = mix_bytes(h, k->iface, k->iface_len);
	h = mix_bytes(h, k->dir, k->dir_len);
	h = mix_i64(h, k->family);
	h = mix_bytes(h, k->src_bin, k->src_len);
	h = mix_bytes(h, k->dst_bin, k->dst_len);
	h = mix_i64(h, k->proto);
	h = mix_i64(h, k->sport);
	h = mix_i64(h, k->dport);
	h = mix_bytes(h, k->cls, k->cls_len);
	h = mix_bytes(h, k->sub, k->sub_len);
	/* FNV's low bits mix poorly: finish as splitmix64 does */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	h ^= h >> 31;
	return (int64_t)h;
}

/* spoofaudit_flow_khash(bucket, iface, dir, family, src_bin, dst_bin, proto, sport,
 * dport, class, subclass): store_khash() of a stored row's key columns. */
static void sql_khash(sqlite3_context *ctx, int argc, sqlite3_value **v)
{
	struct store_khash_in k;

	if (argc != 11) {
		sqlite3_result_error(ctx, "spoofaudit_flow_khash: 11 arguments", -1);
		return;
	}
	memset(&k, 0, sizeof(k));
	k.bucket = sqlite3_value_int64(v[0]);
	k.iface = sqlite3_value_blob(v[1]);
	k.iface_len = (size_t)sqlite3_value_bytes(v[1]);
	k.dir = sqlite3_value_blob(v[2]);
	k.dir_len = (size_t)sqlite3_value_bytes(v[2]);
	k.family = sqlite3_value_int64(v[3]);
	k.src_bin = sqlite3_value_blob(v[4]);
	k.src_len = (size_t)sqlite3_value_bytes(v[4]);
	k.dst_bin = sqlite3_value_blob(v[5]);
	k.dst_len = (size_t)sqlite3_value_bytes(v[5]);
	k.proto = sqlite3_value_int64(v[6]);
	k.sport = sqlite3_value_int64(v[7]);
	k.dport = sqlite3_value_int64(v[8]);
	k.cls = sqlite3_value_blob(v[9]);
	k.cls_len = (size_t)sqlite3_value_bytes(v[9]);
	k.sub = sqlite3_value_blob(v[10]);
	k.sub_len = (size_t)sqlite3_value_bytes(v[10]);
	sqlite3_result_int64(ctx, store_khash(&k));
}

int store_khash_register(sqlite3 *db)
{
	/* DIRECTONLY: usable by the migration's own statements, never by a schema object
	 * (a view, trigger or index of a foreign file) */
	return sqlite3_create_function(db, "spoofaudit_flow_khash", 11,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
				       NULL, sql_khash, NULL, NULL) == SQLITE_OK ? 0 : -1;
}
