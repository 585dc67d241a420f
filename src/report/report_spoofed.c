/* This file builds the report's tables of spoofed flows from one read of them
 * (reports/spoofed_flows.sql): the top sources, top destinations and top destination
 * ports, and the TTL / hop limit ranges per class with their flood hint. Four GROUP BY
 * queries used to read the same rows four times; here each row is summed into four hash
 * tables in one pass, and each table is sorted as the queries ordered it:
 *   sources, destinations  packets descending, then the address (byte order of its text);
 *   ports                  packets descending, then protocol, then port;
 *   TTL ranges             class name, packets descending, then min, then max.
 * A group's classes are listed in byte order of their names and its interfaces likewise
 * (SQL's group_concat(DISTINCT) gave the interfaces in the order the rows were read).
 * The sources are attacker-chosen, so the tables' hash is seeded at random. */
#include "report/report_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "common/util.h"

struct sgroup {
	const char *text;	/* the address (the group owns it), or NULL */
	int64_t a, b, c;	/* proto, port; or class, ttl_min, ttl_max */
	int64_t packets, bytes, flows, first, last, sources;
	unsigned classes;	/* bit i: report_spoof_classes[i] */
	char *ifaces;		/* ",eth0,eth1," in the order seen */
};

struct stab {
	struct sgroup *g;
	size_t n, cap;
	uint32_t *slot;		/* index + 1, 0 empty */
	size_t nslot;		/* a power of two, > 2 n */
	uint64_t seed;
};

static uint64_t key_hash(const struct stab *t, const char *text, int64_t a, int64_t b, int64_t c)
{
	uint64_t h = util_fnv(t->seed, &a, sizeof(a));

	h = util_fnv(h, &b, sizeof(b));
	h = util_fnv(h, &c, sizeof(c));
	if (text)
		h = util_fnv(h, text, strlen(text));
	return h ^ (h >> 29);
}

static int key_eq(const struct sgroup *g, const char *text, int64_t a, int64_t b, int64_t c)
{
	if (g->a != a || g->b != b || g->c != c || !g->text != !text)
		return 0;
	return !text || !strcmp(g->text, text);
}

static int stab_rehash(struct stab *t)
{
	size_t ns = t->nslot ? t->nslot * 2 : 1024;
	uint32_t *s = calloc(ns, sizeof(*s));

	if (!s)
		return -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct sgroup *g = &t->g[i];
		size_t j = key_hash(t, g->text, g->a, g->b, g->c) & (ns - 1);

		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(t->slot);
	t->slot = s;
	t->nslot = ns;
	return 0;
}

/* The group of the key, created (zeroed, text copied) when new; *isnew says which. */
static struct sgroup *stab_get(struct stab *t, const char *text, int64_t a, int64_t b, int64_t c,
			       int *isnew)
{
	size_t j;
	struct sgroup *g;

	if ((t->n + 1) * 2 >= t->nslot && (t->n >= UINT32_MAX - 1 || stab_rehash(t) < 0))
		return NULL;
	j = key_hash(t, text, a, b, c) & (t->nslot - 1);
	for (; t->slot[j]; j = (j + 1) & (t->nslot - 1))
		if (key_eq(&t->g[t->slot[j] - 1], text, a, b, c)) {
			*isnew = 0;
			return &t->g[t->slot[j] - 1];
		}
	if (util_grow((void **)&t->g, &t->cap, t->n, sizeof(*t->g)) < 0)
		return NULL;
	g = &t->g[t->n];
	memset(g, 0, sizeof(*g));
	if (text && !(g->text = strdup(text)))
		return NULL;
	g->a = a;
	g->b = b;
	g->c = c;
	t->slot[j] = (uint32_t)(++t->n);
	*isnew = 1;
	return g;
}

static void stab_free(struct stab *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free((char *)t->g[i].text);
		free(t->g[i].ifaces);
	}
	free(t->g);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* The fields of one row of spoofed_flows.sql. */
struct srow {
	const char *src, *dst, *iface;
	int64_t proto, dport, ttl_min, ttl_max, packets, bytes, first, last;
	int cls;	/* report_spoof_classes[] index */
};

/* Adds the row to g; iface joins g's list when new to it. 0, or -1 out of memory. */
static int sgroup_add(struct sgroup *g, const struct srow *r, int isnew)
{
	g->packets += r->packets;
	g->bytes += r->bytes;
	g->flows++;
	if (isnew || r->first < g->first)
		g->first = r->first;
	if (isnew || r->last > g->last)
		g->last = r->last;
	g->classes |= 1u << r->cls;
	if (!r->iface)
		return 0;
	if (g->ifaces) {
		size_t n = strlen(r->iface), have = strlen(g->ifaces);
		char *x;

		for (const char *p = g->ifaces + 1; *p; p = strchr(p, ',') + 1)
			if (!strncmp(p, r->iface, n) && p[n] == ',')
				return 0;
		if (!(x = realloc(g->ifaces, have + n + 2)))
			return -1;
		memcpy(x + have, r->iface, n);
		strcpy(x + have + n, ",");
		g->ifaces = x;
		return 0;
	}
	g->ifaces = malloc(strlen(r->iface) + 3);
	if (!g->ifaces)
		return -1;
	sprintf(g->ifaces, ",%s,", r->iface);
	return 0;
}

enum { T_SRC, T_DST, T_PORT, T_PORTSRC, T_TTL, T_N };

static int add_row(struct stab *t, const struct srow *r)
{
	struct sgroup *g;
	int isnew;

	/* loopback_dst forges its destination, not its source (which may be the sender's own) */
	if (strcmp(report_spoof_classes[r->cls], "loopback_dst")) {
		if (!(g = stab_get(&t[T_SRC], r->src, 0, 0, 0, &isnew)) || sgroup_add(g, r, isnew) < 0)
			return -1;
	}
	if (!(g = stab_get(&t[T_DST], r->dst, 0, 0, 0, &isnew)) || sgroup_add(g, r, isnew) < 0)
		return -1;
	if (!(g = stab_get(&t[T_PORT], NULL, r->proto, r->dport, 0, &isnew)))
		return -1;
	g->packets += r->packets;
	g->bytes += r->bytes;
	g->flows++;
	g->classes |= 1u << r->cls;
	if (!stab_get(&t[T_PORTSRC], r->src, r->proto, r->dport, 0, &isnew))
		return -1;
	g->sources += isnew;
	if (!(g = stab_get(&t[T_TTL], NULL, r->cls, r->ttl_min, r->ttl_max, &isnew)))
		return -1;
	g->packets += r->packets;
	g->flows++;
	return 0;
}

/* Reads spoofed_flows.sql into the tables. 0, or -1 (q->err or q->oom set). */
static int read_rows(struct report_qctx *q, struct stab *t)
{
	struct store_rows *s = report_q_open(q, "spoofed_flows.sql");
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		struct srow r = {
			.src = store_col_text(s, 0), .dst = store_col_text(s, 1),
			.proto = store_col_int(s, 2), .dport = store_col_int(s, 3),
			.cls = report_spoof_class_index(store_col_text(s, 4)),
			.ttl_min = store_col_int(s, 5), .ttl_max = store_col_int(s, 6),
			.packets = store_col_int(s, 7), .bytes = store_col_int(s, 8),
			.first = store_col_int(s, 9), .last = store_col_int(s, 10),
			.iface = store_col_text(s, 11),
		};

		if (r.cls < 0)	/* the query lists exactly these classes */
			continue;
		if (add_row(t, &r) < 0) {
			q->oom = 1;
			break;
		}
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

/* ---- Ordering ---- */

static int cmp_i64(int64_t x, int64_t y)
{
	return (x > y) - (x < y);
}

static int by_packets_addr(const void *x, const void *y)
{
	const struct sgroup *a = x, *b = y;
	int c = cmp_i64(b->packets, a->packets);

	return c ? c : strcmp(a->text, b->text);
}

static int by_packets_port(const void *x, const void *y)
{
	const struct sgroup *a = x, *b = y;
	int c = cmp_i64(b->packets, a->packets);

	if (!c)
		c = cmp_i64(a->a, b->a);
	return c ? c : cmp_i64(a->b, b->b);
}

static int by_class_packets_ttl(const void *x, const void *y)
{
	const struct sgroup *a = x, *b = y;
	int c = strcmp(report_spoof_classes[a->a], report_spoof_classes[b->a]);

	if (!c)
		c = cmp_i64(b->packets, a->packets);
	if (!c)
		c = cmp_i64(a->b, b->b);
	return c ? c : cmp_i64(a->c, b->c);
}

static int by_text(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* "a,b" of the classes in bits, in byte order of their names (a new string). */
static char *class_names(struct report_qctx *q, unsigned bits)
{
	const char *names[REPORT_NSPOOF];
	char *out = NULL;
	size_t n = 0;

	for (int c = 0; c < REPORT_NSPOOF; c++)
		if (bits & (1u << c))
			names[n++] = report_spoof_classes[c];
	qsort(names, n, sizeof(*names), by_text);
	for (size_t i = 0; i < n; i++)
		report_q_append(q, &out, ",", names[i]);
	return out;
}

/* ",eth1,eth0," as "eth0,eth1" (a new string). */
static char *iface_names(struct report_qctx *q, const char *list)
{
	char *copy = report_q_asprintf(q, "%s", list ? list : ""), *save = NULL, *out = NULL;
	char **v = NULL;
	size_t n = 0, cap = 0;

	if (!copy)
		return NULL;
	for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (util_grow((void **)&v, &cap, n, sizeof(*v)) < 0) {
			q->oom = 1;
			break;
		}
		v[n++] = p;
	}
	if (n)
		qsort(v, n, sizeof(*v), by_text);
	for (size_t i = 0; i < n; i++)
		report_q_append(q, &out, ",", v[i]);
	free(v);
	free(copy);
	return out ? out : report_q_asprintf(q, "%s", "");
}

/* ---- Tables ---- */

static void put_top_addr(struct report_qctx *q, struct stab *s, enum report_table tt)
{
	struct rtable *t = &q->r->tables[tt];

	if (s->n)
		qsort(s->g, s->n, sizeof(*s->g), by_packets_addr);
	for (size_t i = 0; i < s->n && i < q->r->limit && !q->oom; i++) {
		const struct sgroup *g = &s->g[i];
		struct rcell *row = report_q_row_add(q, t);
		char *cls, *ifs;

		if (!row)
			return;
		report_q_text(q, &row[1], g->text);
		cls = class_names(q, g->classes);
		report_q_text(q, &row[3], cls);
		report_q_class_list(q, &row[2], cls ? cls : "");
		free(cls);
		report_q_int(&row[4], g->packets);
		report_q_int(&row[5], g->bytes);
		report_q_int(&row[6], g->flows);
		report_q_int(&row[7], g->first);
		report_q_int(&row[8], g->last);
		ifs = iface_names(q, g->ifaces);
		report_q_text(q, &row[9], ifs);
		free(ifs);
	}
}

static void put_top_ports(struct report_qctx *q, struct stab *s)
{
	struct rtable *t = &q->r->tables[RT_TOP_PORTS];

	if (s->n)
		qsort(s->g, s->n, sizeof(*s->g), by_packets_port);
	for (size_t i = 0; i < s->n && i < q->r->limit && !q->oom; i++) {
		const struct sgroup *g = &s->g[i];
		struct rcell *row = report_q_row_add(q, t);
		char *cls;

		if (!row)
			return;
		report_q_int(&row[1], g->a);
		report_q_int(&row[3], g->b);
		report_q_proto(q, &row[2], &row[4], g->a, g->b);
		report_q_int(&row[5], g->packets);
		report_q_int(&row[6], g->bytes);
		report_q_int(&row[7], g->flows);
		report_q_int(&row[8], g->sources);
		cls = class_names(q, g->classes);
		report_q_text(q, &row[9], cls);
		free(cls);
	}
}

/* The TTL / hop limit ranges per class (the six with the most packets each), their share
 * of the class's packets, and the flood hint: one or two TTL values carrying >= 90 % of
 * a class's packets. */
static void put_ttl(struct report_qctx *q, struct stab *s)
{
	struct rtable *t = &q->r->tables[RT_TTL];
	/* per class: total packets, packets per exact TTL (flows with min = max) */
	uint64_t tot[REPORT_NSPOOF] = { 0 }, exact[REPORT_NSPOOF][256];
	unsigned shown[REPORT_NSPOOF] = { 0 };
	size_t first = t->nrows;

	memset(exact, 0, sizeof(exact));
	if (s->n)
		qsort(s->g, s->n, sizeof(*s->g), by_class_packets_ttl);
	for (size_t i = 0; i < s->n && !q->oom; i++) {
		const struct sgroup *g = &s->g[i];
		int64_t c = g->a, lo = g->b, hi = g->c;

		if (lo < 0 || hi > 255 || lo > hi)
			continue;
		tot[c] += (uint64_t)g->packets;
		if (lo == hi)
			exact[c][lo] += (uint64_t)g->packets;
		if (shown[c]++ < 6) {
			struct rcell *row = report_q_row_add(q, t);
			char buf[16];

			if (!row)
				return;
			report_q_text(q, &row[1], report_spoof_classes[c]);
			snprintf(buf, sizeof(buf), lo == hi ? "%lld" : "%lld-%lld", (long long)lo,
				 (long long)hi);
			report_q_text(q, &row[2], buf);
			report_q_int(&row[3], lo);
			report_q_int(&row[4], hi);
			report_q_int(&row[5], g->packets);
			report_q_int(&row[6], g->flows);
		}
	}
	for (size_t i = first; i < t->nrows && !q->oom; i++) {
		struct rcell *row = &t->cells[i * t->ncols];
		int c = report_spoof_class_index(row[1].s);
		char buf[16];

		if (c >= 0 && tot[c]) {
			snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * (double)row[5].i / (double)tot[c]);
			report_q_text(q, &row[7], buf);
		}
	}
	for (int c = 0; c < REPORT_NSPOOF; c++) {
		int a = -1, b = -1, distinct = 0;

		if (tot[c] < 100)
			continue;
		for (int v = 0; v < 256; v++) {
			if (!exact[c][v])
				continue;
			distinct++;
			if (a < 0 || exact[c][v] > exact[c][a]) {
				b = a;
				a = v;
			} else if (b < 0 || exact[c][v] > exact[c][b]) {
				b = v;
			}
		}
		if (a < 0)
			continue;
		if (exact[c][a] * 10 >= tot[c] * 9)
			report_q_note(q, SEC_TTL, "%s: %.1f%% of %llu packets carry TTL %d. One TTL "
				 "across many packets suggests one sender (a flood) whatever the "
				 "source addresses claim - a hint, not a verdict.",
				 report_spoof_classes[c], 100.0 * (double)exact[c][a] / (double)tot[c],
				 (unsigned long long)tot[c], a);
		else if (b >= 0 && (exact[c][a] + exact[c][b]) * 10 >= tot[c] * 9)
			report_q_note(q, SEC_TTL, "%s: %.1f%% of %llu packets carry TTL %d or %d. One or "
				 "two TTL values suggest one or two senders (a flood) whatever the "
				 "source addresses claim - a hint, not a verdict.",
				 report_spoof_classes[c],
				 100.0 * (double)(exact[c][a] + exact[c][b]) / (double)tot[c],
				 (unsigned long long)tot[c], a, b);
		else if (distinct > 8)
			report_q_note(q, SEC_TTL, "%s: TTLs spread over %d values: consistent with many "
				 "senders or randomised TTLs.", report_spoof_classes[c], distinct);
	}
}

static uint64_t random_seed(void)
{
	uint64_t s;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
	return util_fnv(UTIL_FNV_OFFSET, &s, sizeof(s));
}

int report_q_spoofed(struct report_qctx *q)
{
	struct stab t[T_N];
	int rc = -1;

	memset(t, 0, sizeof(t));
	for (int i = 0; i < T_N; i++)
		t[i].seed = random_seed();
	if (read_rows(q, t) < 0)
		goto out;
	put_top_addr(q, &t[T_SRC], RT_TOP_SOURCES);
	put_top_addr(q, &t[T_DST], RT_TOP_DESTINATIONS);
	put_top_ports(q, &t[T_PORT]);
	/* the new sources' notes come before the TTL hints, as they always have */
	if (q->oom || report_q_new_sources(q) < 0)
		goto out;
	put_ttl(q, &t[T_TTL]);
	rc = q->oom ? -1 : 0;
out:
	for (int i = 0; i < T_N; i++)
		stab_free(&t[i]);
	return rc;
}
