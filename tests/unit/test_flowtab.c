/* This file tests the flow table: aggregation, merging, the LRU and dirty lists, the cap
 * (ENOSPC) and that evicting under the cap never loses a count. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flows/flowtab.h"

static struct flow_key mkkey(uint32_t n)
{
	struct flow_key k;

	memset(&k, 0, sizeof(k));
	k.bucket = 1700000000 + (int64_t)(n % 7) * 60;
	k.iface = (uint16_t)(n % 3);
	k.dir = DIR_IN;
	k.family = 4;
	k.proto = 17;
	k.sport = (uint16_t)n;
	k.dport = 53;
	k.src[0] = 10;
	memcpy(k.src + 1, &n, 3);
	k.dst[0] = 192;
	k.dst[1] = 0;
	k.dst[2] = 2;
	k.dst[3] = 1;
	return k;
}

/* A sink that records what it was handed, and can be told to fail. */
struct sink_state {
	size_t calls;
	size_t rows;
	size_t max_batch;
	int fail;
	int64_t next_id;
	uint64_t packets, bytes;
	/* per key index (oracle tests): packets and bytes received */
	uint64_t *key_packets, *key_bytes;
	size_t nkeys;
};

static int sink(void *arg, struct flow_entry **e, size_t n)
{
	struct sink_state *s = arg;
	size_t i;

	s->calls++;
	if (s->fail)
		return -1;
	if (n > s->max_batch)
		s->max_batch = n;
	for (i = 0; i < n; i++) {
		assert_true(e[i]->dirty);
		assert_true(e[i]->delta.packets > 0 || e[i]->delta.seen_by != 0);
		s->rows++;
		s->packets += e[i]->delta.packets;
		s->bytes += e[i]->delta.bytes;
		if (s->key_packets) {
			/* the key's index is in sport | (dport << 16) in the oracle test */
			size_t idx = (size_t)e[i]->key.sport | ((size_t)e[i]->key.dport << 16);

			assert_true(idx < s->nkeys);
			s->key_packets[idx] += e[i]->delta.packets;
			s->key_bytes[idx] += e[i]->delta.bytes;
		}
		if (e[i]->db_id == 0)
			e[i]->db_id = ++s->next_id;
	}
	return 0;
}

/* 1: packets of one key aggregate into one entry; distinct keys get distinct entries. */
static void test_aggregation(void **state)
{
	struct flowtab *ft = flowtab_new(16);
	struct flow_key a = mkkey(1), b = mkkey(2);
	struct flow_entry *e1, *e2, *e3;
	int created;

	(void)state;
	assert_non_null(ft);
	e1 = flowtab_get(ft, &a, &created);
	assert_non_null(e1);
	assert_int_equal(created, 1);
	flowtab_account(ft, e1, 100, 1000, 64, 0x02, FLOW_SEEN_PCAP);
	e2 = flowtab_get(ft, &a, &created);
	assert_ptr_equal(e1, e2);
	assert_int_equal(created, 0);
	flowtab_account(ft, e2, 50, 2000, 64, 0x10, FLOW_SEEN_PCAP);
	e3 = flowtab_get(ft, &b, &created);
	assert_non_null(e3);
	assert_ptr_not_equal(e1, e3);
	assert_int_equal(created, 1);
	assert_int_equal(flowtab_count(ft), 2);
	assert_int_equal(e1->delta.packets, 2);
	assert_int_equal(e1->delta.bytes, 150);
	assert_memory_equal(&e1->key, &a, sizeof(a));
	assert_int_equal(e3->delta.packets, 0);
	assert_int_equal(e3->dirty, 0);
	flowtab_free(ft);
}

/* 2: first/last take min/max whatever the order, TTL min/max, flags and seen_by OR. */
static void test_merging(void **state)
{
	struct flowtab *ft = flowtab_new(4);
	struct flow_key k = mkkey(9);
	struct flow_entry *e;

	(void)state;
	e = flowtab_get(ft, &k, NULL);
	assert_non_null(e);
	flowtab_account(ft, e, 60, 5000, 50, 0x02, FLOW_SEEN_PCAP);
	flowtab_account(ft, e, 60, 3000, 200, 0x10, FLOW_SEEN_NFLOG);
	flowtab_account(ft, e, 60, 9000, 7, 0x01, FLOW_SEEN_PCAP);
	flowtab_account(ft, e, 60, 4000, 64, 0x00, FLOW_SEEN_PCAP);
	assert_int_equal(e->delta.packets, 4);
	assert_int_equal(e->delta.bytes, 240);
	assert_int_equal(e->delta.first_usec, 3000);
	assert_int_equal(e->delta.last_usec, 9000);
	assert_int_equal(e->delta.ttl_min, 7);
	assert_int_equal(e->delta.ttl_max, 200);
	assert_int_equal(e->delta.tcp_flags, 0x13);
	assert_int_equal(e->delta.seen_by, FLOW_SEEN_PCAP | FLOW_SEEN_NFLOG);
	flowtab_free(ft);
}

/* 3: dirty bookkeeping: dirty iff delta.packets > 0; flush clears deltas and keeps db_id;
 * a failing sink leaves everything dirty; batches respect the batch size. */
static void test_dirty(void **state)
{
	struct flowtab *ft = flowtab_new(64);
	struct sink_state s = { 0 };
	struct flow_entry *e[10];
	uint32_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		struct flow_key k = mkkey(i);

		e[i] = flowtab_get(ft, &k, NULL);
		assert_non_null(e[i]);
		if (i % 2 == 0)
			flowtab_account(ft, e[i], 10, 1, 1, 0, FLOW_SEEN_PCAP);
	}
	assert_int_equal(flowtab_dirty_count(ft), 5);
	for (i = 0; i < 10; i++)
		assert_int_equal(e[i]->dirty, i % 2 == 0);

	s.fail = 1;
	assert_int_equal(flowtab_flush(ft, sink, &s, 2), -1);
	assert_int_equal(flowtab_dirty_count(ft), 5);
	for (i = 0; i < 10; i += 2)
		assert_int_equal(e[i]->delta.packets, 1);

	s.fail = 0;
	s.calls = 0;
	assert_int_equal(flowtab_flush(ft, sink, &s, 2), 0);
	assert_int_equal(s.calls, 3);		/* 2 + 2 + 1 */
	assert_int_equal(s.max_batch, 2);
	assert_int_equal(s.rows, 5);
	assert_int_equal(flowtab_dirty_count(ft), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(e[i]->dirty, 0);
		assert_int_equal(e[i]->delta.packets, 0);
		assert_int_equal(e[i]->db_id, i % 2 == 0 ? (int64_t)(i / 2 + 1) : 0);
	}
	/* Nothing dirty: the sink is not called. */
	s.calls = 0;
	assert_int_equal(flowtab_flush(ft, sink, &s, 100), 0);
	assert_int_equal(s.calls, 0);
	/* Written entries become dirty again with a fresh delta, and keep db_id. */
	flowtab_account(ft, e[0], 7, 99, 3, 0, FLOW_SEEN_NFLOG);
	assert_int_equal(e[0]->dirty, 1);
	assert_int_equal(e[0]->delta.packets, 1);
	assert_int_equal(e[0]->delta.first_usec, 99);
	assert_int_equal(e[0]->db_id, 1);
	assert_int_equal(flowtab_dirty_count(ft), 1);
	flowtab_free(ft);
}

/* A packet noted by a second source (NFLOG after pcap) is not counted twice; a note
 * alone makes the entry dirty with no packets, so the sink still writes who saw it. */
static void test_note(void **state)
{
	struct flowtab *ft = flowtab_new(16);
	struct sink_state s = { 0 };
	struct flow_key k = mkkey(1);
	struct flow_entry *e;

	(void)state;
	e = flowtab_get(ft, &k, NULL);
	assert_non_null(e);
	flowtab_note(ft, e, 50, 64, 0x02, FLOW_SEEN_NFLOG);
	assert_int_equal(e->dirty, 1);
	assert_int_equal(e->delta.packets, 0);
	assert_int_equal(e->delta.bytes, 0);
	assert_int_equal(e->delta.first_usec, 50);
	assert_int_equal(flowtab_dirty_count(ft), 1);
	flowtab_account(ft, e, 100, 40, 63, 0x10, FLOW_SEEN_PCAP);
	assert_int_equal(e->delta.packets, 1);
	assert_int_equal(e->delta.bytes, 100);
	assert_int_equal(e->delta.first_usec, 40);
	assert_int_equal(e->delta.last_usec, 50);
	assert_int_equal(e->delta.ttl_min, 63);
	assert_int_equal(e->delta.ttl_max, 64);
	assert_int_equal(e->delta.tcp_flags, 0x12);
	assert_int_equal(e->delta.seen_by, FLOW_SEEN_PCAP | FLOW_SEEN_NFLOG);
	assert_int_equal(flowtab_dirty_count(ft), 1);
	assert_int_equal(flowtab_flush(ft, sink, &s, 10), 0);
	assert_int_equal(s.rows, 1);
	assert_int_equal(s.packets, 1);
	/* a note alone, after a flush, is written as a row with no packets */
	flowtab_note(ft, e, 60, 64, 0, FLOW_SEEN_NFLOG);
	assert_int_equal(flowtab_flush(ft, sink, &s, 10), 0);
	assert_int_equal(s.rows, 2);
	assert_int_equal(s.packets, 1);
	flowtab_free(ft);
}

/* 4: a full table refuses new keys with ENOSPC (but finds existing ones); evict only
 * removes clean entries; after flush + evict there is room again. */
static void test_enospc(void **state)
{
	struct flowtab *ft = flowtab_new(8);
	struct sink_state s = { 0 };
	struct flow_key k;
	struct flow_entry *e;
	uint32_t i;

	(void)state;
	assert_int_equal(flowtab_capacity(ft), 8);
	for (i = 0; i < 8; i++) {
		k = mkkey(i);
		e = flowtab_get(ft, &k, NULL);
		assert_non_null(e);
		flowtab_account(ft, e, 1, 1, 1, 0, FLOW_SEEN_PCAP);
	}
	k = mkkey(100);
	errno = 0;
	assert_null(flowtab_get(ft, &k, NULL));
	assert_int_equal(errno, ENOSPC);
	k = mkkey(3);
	assert_non_null(flowtab_get(ft, &k, NULL));	/* existing keys still found */

	assert_int_equal(flowtab_evict(ft, 8), 0);	/* all dirty: nothing evictable */
	assert_int_equal(flowtab_count(ft), 8);

	assert_int_equal(flowtab_flush(ft, sink, &s, 3), 0);
	k = mkkey(100);
	errno = 0;
	assert_null(flowtab_get(ft, &k, NULL));		/* full of clean entries: still NULL */
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(flowtab_evict(ft, 2), 2);
	assert_int_equal(flowtab_count(ft), 6);
	assert_int_equal(flowtab_evictions(ft), 2);
	assert_non_null(flowtab_get(ft, &k, NULL));
	assert_int_equal(flowtab_count(ft), 7);

	/* zero capacity is refused */
	errno = 0;
	assert_null(flowtab_new(0));
	assert_int_equal(errno, EINVAL);
	flowtab_free(ft);
	flowtab_free(NULL);
}

/* 5: eviction follows LRU order (least recently used first) and skips dirty entries. */
static void test_lru_order(void **state)
{
	struct flowtab *ft = flowtab_new(8);
	struct sink_state s = { 0 };
	struct flow_key k;
	struct flow_entry *e;
	uint32_t i;
	int created;

	(void)state;
	for (i = 0; i < 5; i++) {			/* insertion order 0 1 2 3 4 */
		k = mkkey(i);
		e = flowtab_get(ft, &k, NULL);
		flowtab_account(ft, e, 1, 1, 1, 0, FLOW_SEEN_PCAP);
	}
	assert_int_equal(flowtab_flush(ft, sink, &s, 16), 0);
	k = mkkey(0);					/* touch 0: order 1 2 3 4 0 */
	assert_non_null(flowtab_get(ft, &k, NULL));
	k = mkkey(2);					/* touch 2 and dirty it: 1 3 4 0 2* */
	e = flowtab_get(ft, &k, NULL);
	flowtab_account(ft, e, 1, 1, 1, 0, FLOW_SEEN_PCAP);
	k = mkkey(1);					/* make 1 dirty without touching */
	e = flowtab_get(ft, &k, NULL);			/* (this touches: 3 4 0 2* 1*) */
	flowtab_account(ft, e, 1, 1, 1, 0, FLOW_SEEN_PCAP);

	assert_int_equal(flowtab_evict(ft, 2), 2);	/* removes 3 and 4 */
	k = mkkey(3);
	flowtab_get(ft, &k, &created);
	assert_int_equal(created, 1);
	k = mkkey(4);
	flowtab_get(ft, &k, &created);
	assert_int_equal(created, 1);
	k = mkkey(0);
	flowtab_get(ft, &k, &created);
	assert_int_equal(created, 0);
	/* now: 2* 1* 3 4 0 ; evicting everything clean leaves only the two dirty ones */
	assert_int_equal(flowtab_evict(ft, 100), 3);
	assert_int_equal(flowtab_count(ft), 2);
	for (i = 1; i <= 2; i++) {
		k = mkkey(i);
		flowtab_get(ft, &k, &created);
		assert_int_equal(created, 0);
	}
	assert_int_equal(flowtab_evictions(ft), 5);
	flowtab_free(ft);
}

static uint64_t xorshift(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

/* 6: a random workload of many keys through a small cap, with the caller's sequence
 * (flush, evict, retry) on ENOSPC: after the final flush, the sink received exactly what
 * was fed, key by key. */
static void test_eviction_loses_nothing(void **state)
{
	enum { NKEYS = 5000, NPKTS = 200000, CAP = 97 };
	struct flowtab *ft = flowtab_new(CAP);
	struct sink_state s = { 0 };
	uint64_t *fed_p = calloc(NKEYS, sizeof(*fed_p));
	uint64_t *fed_b = calloc(NKEYS, sizeof(*fed_b));
	uint64_t rng = 0x1234567887654321ULL, total_p = 0, total_b = 0;
	size_t i, retries = 0;

	(void)state;
	assert_non_null(ft);
	s.key_packets = calloc(NKEYS, sizeof(uint64_t));
	s.key_bytes = calloc(NKEYS, sizeof(uint64_t));
	s.nkeys = NKEYS;
	for (i = 0; i < NPKTS; i++) {
		/* skewed: half the packets go to 1 % of the keys */
		uint64_t r = xorshift(&rng);
		uint32_t idx = (r & 1) ? (uint32_t)((r >> 1) % (NKEYS / 100))
				       : (uint32_t)((r >> 1) % NKEYS);
		uint32_t bytes = (uint32_t)(r >> 40) % 1500 + 40;
		struct flow_key k;
		struct flow_entry *e;

		memset(&k, 0, sizeof(k));
		k.bucket = 1700000000;
		k.family = 6;
		k.proto = 6;
		k.sport = (uint16_t)(idx & 0xffff);
		k.dport = (uint16_t)(idx >> 16);
		k.src[15] = (uint8_t)idx;
		e = flowtab_get(ft, &k, NULL);
		if (!e) {
			assert_int_equal(errno, ENOSPC);
			assert_int_equal(flowtab_flush(ft, sink, &s, 16), 0);
			assert_true(flowtab_evict(ft, CAP / 8 + 1) > 0);
			e = flowtab_get(ft, &k, NULL);
			retries++;
		}
		assert_non_null(e);
		assert_true(flowtab_count(ft) <= CAP);
		flowtab_account(ft, e, bytes, i, 64, 0, FLOW_SEEN_PCAP);
		fed_p[idx]++;
		fed_b[idx] += bytes;
		total_p++;
		total_b += bytes;
	}
	assert_int_equal(flowtab_flush(ft, sink, &s, 16), 0);
	assert_true(retries > 0);
	assert_true(flowtab_evictions(ft) > 0);
	assert_int_equal(s.packets, total_p);
	assert_int_equal(s.bytes, total_b);
	for (i = 0; i < NKEYS; i++) {
		assert_int_equal(s.key_packets[i], fed_p[i]);
		assert_int_equal(s.key_bytes[i], fed_b[i]);
	}
	free(s.key_packets);
	free(s.key_bytes);
	free(fed_p);
	free(fed_b);
	flowtab_free(ft);
}

/* 8: against a model: random touches, dirtying, flushes and evictions of random sizes.
 * The model is a plain list in least-recently-used order (a touch moves a key to its end,
 * as the LRU list this table once kept did): each eviction must remove exactly the first
 * n clean keys of that list, and every other key must still be found (the removal's
 * backward shift never hides a key behind an empty slot). */
static void test_lru_model(void **state)
{
	enum { CAP = 61, NKEYS = 400, STEPS = 60000 };
	struct flowtab *ft = flowtab_new(CAP);
	struct sink_state s = { 0 };
	uint32_t order[CAP], dirty[NKEYS] = { 0 }, in[NKEYS] = { 0 }, evicted[CAP];
	size_t n = 0, i, j, step, total_evicted = 0;
	uint64_t rng = 0xfeedfacecafebeefULL;
	struct flow_key k;
	struct flow_entry *e;

	(void)state;
	assert_non_null(ft);
	for (step = 0; step < STEPS; step++) {
		uint64_t r = xorshift(&rng);
		uint32_t key = (uint32_t)(r % NKEYS);

		if ((r >> 32) % 50 == 0) {		/* flush: every key clean */
			assert_int_equal(flowtab_flush(ft, sink, &s, 7), 0);
			memset(dirty, 0, sizeof(dirty));
			continue;
		}
		if ((r >> 32) % 50 == 1 || n == CAP) {	/* evict a random number */
			size_t want = (size_t)(r >> 40) % (CAP / 2) + 1, ne = 0, got;

			for (i = 0; i < n && ne < want; i++)
				if (!dirty[order[i]])
					evicted[ne++] = order[i];
			got = flowtab_evict(ft, want);
			assert_int_equal(got, ne);
			for (i = 0; i < ne; i++) {
				in[evicted[i]] = 0;
				for (j = 0; j < n && order[j] != evicted[i]; j++)
					;
				memmove(order + j, order + j + 1, (n - j - 1) * sizeof(order[0]));
				n--;
			}
			total_evicted += ne;
			for (i = 0; i < NKEYS; i++) {
				k = mkkey((uint32_t)i);
				if (in[i])
					assert_non_null(flowtab_find(ft, &k));
				else
					assert_null(flowtab_find(ft, &k));
			}
			if (n == CAP)
				continue;
		}
		k = mkkey(key);
		e = flowtab_get(ft, &k, NULL);
		assert_non_null(e);
		if (in[key]) {
			for (j = 0; j < n && order[j] != key; j++)
				;
			assert_true(j < n);
			memmove(order + j, order + j + 1, (n - j - 1) * sizeof(order[0]));
			n--;
		}
		order[n++] = key;
		in[key] = 1;
		if (r & 0x100) {
			flowtab_account(ft, e, 1, step, 1, 0, FLOW_SEEN_PCAP);
			dirty[key] = 1;
		}
		assert_int_equal(flowtab_count(ft), n);
	}
	assert_true(total_evicted > 1000);
	assert_int_equal(flowtab_evictions(ft), total_evicted);
	flowtab_free(ft);
}

/* 7: speed: more than 2 M lookups per second (a hit-mostly workload, as in a flood). */
static void test_speed(void **state)	/* every entry found and counted; the rate is printed */
{
	enum { CAP = 1 << 16, NLOOKUPS = 4000000 };
	struct flowtab *ft = flowtab_new(CAP);
	struct flow_key *keys = malloc(CAP * sizeof(*keys));
	struct timespec t0, t1;
	uint64_t rng = 42;
	double secs, rate;
	size_t i;

	(void)state;
	for (i = 0; i < CAP; i++)
		keys[i] = mkkey((uint32_t)i * 2654435761u);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < NLOOKUPS; i++) {
		struct flow_entry *e = flowtab_get(ft, &keys[xorshift(&rng) % CAP], NULL);

		assert_non_null(e);
		flowtab_account(ft, e, 60, i, 64, 0, FLOW_SEEN_PCAP);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	rate = NLOOKUPS / secs;
	/* A figure, not a verdict: the machine is shared, so no test fails on a wall-clock
	 * threshold (the benches under tests/bench/ measure speed against a baseline). */
	print_message("flowtab: %.2f M get+account/s over %d entries\n", rate / 1e6, CAP);
	free(keys);
	flowtab_free(ft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregation),
		cmocka_unit_test(test_merging),
		cmocka_unit_test(test_dirty),
		cmocka_unit_test(test_note),
		cmocka_unit_test(test_enospc),
		cmocka_unit_test(test_lru_order),
		cmocka_unit_test(test_eviction_loses_nothing),
		cmocka_unit_test(test_lru_model),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
