/* This file builds the report model: for each database it runs the queries of reports/
 * for the period (and the previous one), fills the tables, and writes the notes that
 * interpret them (completeness, kernel context, TTL hints, coverage). */
#include "report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "prefix.h"
#include "store.h"

#define USEC 1000000LL
#define DAY 86400LL

/* What one database's queries share. */
struct qctx {
	struct report *r;
	struct report_host *h;
	struct store *st;
	int hi;				/* host index */
	int64_t since_us, until_us;	/* the period queried (current or previous) */
	const char *ifaces;		/* ",eth0,lo," or "" */
	int file_mode;
	int oom;
	char *err;
	size_t errlen;
};

/* ---- Cells and notes ---- */

static struct rcell *row_add(struct qctx *q, struct rtable *t)
{
	struct rcell *row;

	if (t->nrows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct rcell *c = realloc(t->cells, cap * t->ncols * sizeof(*c));

		if (!c) {
			q->oom = 1;
			return NULL;
		}
		t->cells = c;
		t->cap = cap;
	}
	row = &t->cells[t->nrows * t->ncols];
	memset(row, 0, t->ncols * sizeof(*row));
	t->nrows++;
	row[0].s = strdup(q->h->name);	/* column 0 is always the host */
	if (!row[0].s)
		q->oom = 1;
	return row;
}

static void set_text(struct qctx *q, struct rcell *c, const char *s)
{
	free(c->s);
	c->s = strdup(s ? s : "");
	if (!c->s)
		q->oom = 1;
}

static void set_int(struct rcell *c, int64_t v)
{
	c->null = 0;
	c->i = v;
}

static void add_note(struct qctx *q, enum report_section sec, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add_note(struct qctx *q, enum report_section sec, const char *fmt, ...)
{
	struct report *r = q->r;
	char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		q->oom = 1;
		return;
	}
	if (r->nhosts > 1) {	/* say which host a note is about */
		char *t2 = NULL;

		if (asprintf(&t2, "%s: %s", q->h->name, text) < 0) {
			free(text);
			q->oom = 1;
			return;
		}
		free(text);
		text = t2;
	}
	if (r->nnotes == r->notes_cap) {
		size_t cap = r->notes_cap ? r->notes_cap * 2 : 16;
		struct rnote *nn = realloc(r->notes, cap * sizeof(*nn));

		if (!nn) {
			free(text);
			q->oom = 1;
			return;
		}
		r->notes = nn;
		r->notes_cap = cap;
	}
	r->notes[r->nnotes].section = sec;
	r->notes[r->nnotes].text = text;
	r->nnotes++;
}

/* ---- Queries ---- */

static struct store_rows *q_open(struct qctx *q, const char *file)
{
	const char *sql = report_file(file);
	struct store_rows *s;
	int64_t since = q->since_us / USEC, until = (q->until_us + USEC - 1) / USEC;

	if (!sql) {
		snprintf(q->err, q->errlen, "reports/%s is not embedded in this binary", file);
		return NULL;
	}
	s = store_rows_prepare(q->st, file, sql);
	if (!s) {
		snprintf(q->err, q->errlen, "%s: %s", q->h->path, store_errmsg(q->st));
		return NULL;
	}
	if (store_rows_bind_int(s, ":since", since) < 0 ||
	    store_rows_bind_int(s, ":until", until) < 0 ||
	    store_rows_bind_int(s, ":since_us", q->since_us) < 0 ||
	    store_rows_bind_int(s, ":until_us", q->until_us) < 0 ||
	    store_rows_bind_int(s, ":hist_since", since - REPORT_HISTORY_DAYS * DAY) < 0 ||
	    store_rows_bind_text(s, ":ifaces", q->ifaces) < 0 ||
	    store_rows_bind_int(s, ":file_mode", q->file_mode) < 0 ||
	    store_rows_bind_int(s, ":limit", q->r->limit) < 0) {
		snprintf(q->err, q->errlen, "%s: %s", q->h->path, store_errmsg(q->st));
		store_rows_free(s);
		return NULL;
	}
	return s;
}

/* Steps s; on error writes the message. Returns 1 row, 0 done, -1 error. */
static int q_step(struct qctx *q, struct store_rows *s)
{
	int rc = store_rows_step(s);

	if (rc < 0)
		snprintf(q->err, q->errlen, "%s: %s", q->h->path, store_errmsg(q->st));
	return rc;
}

/* Copies the query's columns into a new row of t: query column i goes to table column
 * map[i] (0 = skip). Returns the row or NULL. */
static struct rcell *copy_row(struct qctx *q, struct store_rows *s, struct rtable *t,
			      const unsigned *map, unsigned n)
{
	struct rcell *row = row_add(q, t);

	if (!row)
		return NULL;
	for (unsigned i = 0; i < n; i++) {
		struct rcell *c;

		if (!map[i])
			continue;
		c = &row[map[i]];
		if (store_col_isnull(s, (int)i)) {
			c->null = 1;
		} else if (t->cols[map[i]].type == RC_TEXT) {
			set_text(q, c, store_col_text(s, (int)i));
		} else {
			set_int(c, store_col_int(s, (int)i));
		}
	}
	return row;
}

/* Runs file and copies every row through map. */
static int q_table(struct qctx *q, const char *file, enum report_table t, const unsigned *map,
		   unsigned n)
{
	struct store_rows *s = q_open(q, file);
	int rc;

	if (!s)
		return -1;
	while ((rc = q_step(q, s)) == 1)
		if (!copy_row(q, s, &q->r->tables[t], map, n))
			break;
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

/* ---- Names ---- */

static const char *proto_name(int64_t p)
{
	switch (p) {
	case 1: return "icmp";
	case 6: return "tcp";
	case 17: return "udp";
	case 33: return "dccp";
	case 58: return "icmpv6";
	case 132: return "sctp";
	case 136: return "udplite";
	default: return NULL;
	}
}

static void set_proto(struct qctx *q, struct rcell *name, struct rcell *svc, int64_t proto,
		      int64_t port)
{
	const char *pn = proto_name(proto);
	char buf[32];

	if (pn)
		set_text(q, name, pn);
	else {
		snprintf(buf, sizeof(buf), "%lld", (long long)proto);
		set_text(q, name, buf);
	}
	if (proto == 1 || proto == 58)	/* type << 8 | code */
		snprintf(buf, sizeof(buf), "%lld/%lld", (long long)(port >> 8), (long long)(port & 0xff));
	else
		snprintf(buf, sizeof(buf), "%lld", (long long)port);
	set_text(q, svc, buf);
}

static const char *hook_name(int64_t h)
{
	static const char *const names[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT",
					     "POSTROUTING" };

	return h >= 0 && h < 5 ? names[h] : "?";
}

/* "bogon_src" for one class, "bogon_src+2" for three. */
static void first_of_list(struct qctx *q, struct rcell *c, const char *list)
{
	const char *comma = strchr(list, ',');
	char buf[64];
	int more = 0;

	if (!comma) {
		set_text(q, c, list);
		return;
	}
	for (const char *p = list; *p; p++)
		more += *p == ',';
	snprintf(buf, sizeof(buf), "%.*s+%d", (int)(comma - list), list, more);
	set_text(q, c, buf);
}

static void change_text(struct qctx *q, struct rcell *c, int prev_ok, uint64_t cur, uint64_t prev)
{
	char buf[32];

	if (!prev_ok)
		snprintf(buf, sizeof(buf), "n/a");
	else if (prev == 0)
		snprintf(buf, sizeof(buf), cur ? "new" : "0%%");
	else
		snprintf(buf, sizeof(buf), "%+.0f%%", 100.0 * ((double)cur - (double)prev) / (double)prev);
	set_text(q, c, buf);
}

/* ---- Sections ---- */

static int q_range(struct qctx *q)
{
	struct report_host *h = q->h;
	struct store_rows *s = q_open(q, "range.sql");
	int rc;

	if (!s)
		return -1;
	rc = q_step(q, s);
	if (rc == 1) {
		h->has_data = !store_col_isnull(s, 0);
		h->first_bucket = store_col_int(s, 0);
		h->last_bucket = store_col_int(s, 1);
		h->runs_total = store_col_int(s, 2);
		if (!store_col_isnull(s, 3) && store_col_text(s, 3)[0]) {
			free(h->name);
			h->name = strdup(store_col_text(s, 3));
			if (!h->name)
				q->oom = 1;
		}
		/* Two databases from one host (or copies) stay apart in merged tables. */
		for (struct report_host *o = q->r->hosts; h->name && o < h; o++)
			if (!strcmp(o->name, h->name)) {
				const char *base = strrchr(h->path, '/');
				char *n = NULL;

				if (asprintf(&n, "%s (%s)", h->name, base ? base + 1 : h->path) < 0) {
					q->oom = 1;
					break;
				}
				free(h->name);
				h->name = n;
				break;
			}
		h->live_runs = store_col_int(s, 4);
		h->has_flows = store_col_int(s, 5) != 0;
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

static int q_runs(struct qctx *q)
{
	/* id host version cmdline started ended last_stats bucket */
	static const unsigned map[] = { 1, 2, 6, 8, 3, 4, 5, 7 };

	return q_table(q, "runs.sql", RT_RUNS, map, 8);
}

static int q_sources(struct qctx *q)
{
	struct rtable *t = &q->r->tables[RT_SOURCES];
	size_t first = t->nrows;
	uint64_t sum[18] = { 0 };
	int64_t live_secs = 0;
	int live = 0, files = 0, nflog = 0;

	/* query: run kind name iface intervals seconds received kdrop ifdrop nflog enobufs
	 * gaps evict dbfail ip notip unsupported malformed; "intervals" is not shown. */
	static const unsigned qmap[] = { 1, 2, 3, 4, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };

	if (q_table(q, "sources.sql", RT_SOURCES, qmap, 18) < 0)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		for (unsigned c = 6; c <= 17; c++)
			sum[c] += (uint64_t)row[c].i;
		if (!strcmp(row[2].s, "pcap-live")) {
			live++;
			if (row[5].i > live_secs)
				live_secs = row[5].i;
		} else if (!strcmp(row[2].s, "nflog")) {
			nflog++;
		} else {
			files++;
		}
	}
	if (t->nrows == first) {
		if (q->h->has_flows)
			add_note(q, SEC_COMPLETENESS, "No capture statistics cover this period.");
		return 0;
	}
	if (live) {
		int64_t period = (q->r->until_us - q->r->since_us) / USEC;

		if (live_secs + 60 < period)
			add_note(q, SEC_COMPLETENESS,
				 "Live capture ran for %.1f h of the period's %.1f h: traffic outside "
				 "that time was not seen.", (double)live_secs / 3600.0,
				 (double)period / 3600.0);
	}
	if (files && q->file_mode)
		add_note(q, SEC_COMPLETENESS,
			 "The flows of this period came from capture files; their statistics are "
			 "those of the whole files, and losses of the original capture are unknown "
			 "to spoofaudit.");
	if (sum[7] + sum[8] > 0)
		add_note(q, SEC_COMPLETENESS,
			 "pcap lost %llu packets in the kernel and %llu at the interface: every "
			 "count in this report is a lower bound.",
			 (unsigned long long)sum[7], (unsigned long long)sum[8]);
	if (sum[10] > 0)
		add_note(q, SEC_COMPLETENESS,
			 "NFLOG overran its socket buffer %llu times (ENOBUFS): an unknown number of "
			 "log messages were lost, so NFLOG counts are a lower bound.",
			 (unsigned long long)sum[10]);
	if (sum[11] > 0)
		add_note(q, SEC_COMPLETENESS,
			 "NFLOG sequence numbers show %llu messages missing: NFLOG counts are a "
			 "lower bound.", (unsigned long long)sum[11]);
	if (sum[12] > 0)
		add_note(q, SEC_COMPLETENESS,
			 "%llu flow-table entries were evicted to bound memory; each was written "
			 "before eviction and merged again by key, so no count was lost.",
			 (unsigned long long)sum[12]);
	if (sum[13] > 0)
		add_note(q, SEC_COMPLETENESS,
			 "%llu database writes failed: what they held is missing, so counts are a "
			 "lower bound.", (unsigned long long)sum[13]);
	if (sum[7] + sum[8] + sum[10] + sum[11] + sum[13] == 0)
		add_note(q, SEC_COMPLETENESS,
			 "No drops, overruns, sequence gaps or write failures were recorded%s.",
			 nflog ? "" : " (no NFLOG source ran)");
	return 0;
}

static int q_ifaces(struct qctx *q)
{
	static const unsigned map[] = { 1, 2, 3, 4 };

	return q_table(q, "ifaces.sql", RT_IFACES, map, 4);
}

static int q_decode(struct qctx *q)
{
	static const unsigned map[] = { 1, 2 };

	return q_table(q, "decode_errors.sql", RT_DECODE_ERRORS, map, 2);
}

static int q_hostaddrs(struct qctx *q)
{
	struct store_rows *s = q_open(q, "host_addrs.sql");
	struct report_host *h = q->h;
	int rc;

	if (!s)
		return -1;
	while ((rc = q_step(q, s)) == 1) {
		char **a = realloc(h->addrs, (h->naddrs + 1) * sizeof(*a));

		if (!a) {
			q->oom = 1;
			break;
		}
		h->addrs = a;
		if (!(a[h->naddrs] = strdup(store_col_text(s, 0)))) {
			q->oom = 1;
			break;
		}
		h->naddrs++;
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

/* Is addr (text) one of the host's recorded addresses? */
static int host_has_addr(const struct report_host *h, const char *addr)
{
	struct prefix a, b;

	if (prefix_parse(addr, 0, &a) < 0)
		return 0;
	for (size_t i = 0; i < h->naddrs; i++)
		if (prefix_parse(h->addrs[i], 0, &b) == 0 && a.family == b.family &&
		    !memcmp(a.addr, b.addr, 16))
			return 1;
	return 0;
}

/* ---- Kernel context ---- */

struct kval {
	char scope[64], key[32], value[32];
};

/* Packets of class cls in this host's current-period totals. */
static uint64_t class_packets(const struct qctx *q, const char *cls)
{
	const struct rtable *t = &q->r->tables[RT_TOTALS];
	uint64_t n = 0;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		if (!strcmp(row[0].s, q->h->name) && !strcmp(row[1].s, cls))
			n += (uint64_t)row[4].i;
	}
	return n;
}

/* The value of key at scope, or -1 when not recorded (or several values). */
static int kget(const struct kval *kv, size_t n, const char *scope, const char *key)
{
	int v = -1;

	for (size_t i = 0; i < n; i++)
		if (!strcmp(kv[i].scope, scope) && !strcmp(kv[i].key, key)) {
			if (v >= 0)
				return -1;
			v = atoi(kv[i].value);
		}
	return v;
}

static void kernel_notes(struct qctx *q, const struct kval *kv, size_t n)
{
	int all_rl = kget(kv, n, "all", "route_localnet");
	int all_rp = kget(kv, n, "all", "rp_filter");
	int all_al = kget(kv, n, "all", "accept_local");
	int all_lm = kget(kv, n, "all", "log_martians");
	uint64_t lo_src = class_packets(q, "spoof_loopback_src");
	uint64_t lo_dst = class_packets(q, "loopback_dst");
	uint64_t own = class_packets(q, "own_addr_src");
	uint64_t bogon = class_packets(q, "bogon_src") + class_packets(q, "unexpected_src");
	int rl_on = all_rl > 0, rp_max = all_rp;

	/* Per-interface values combine with "all": route_localnet, accept_local and
	 * log_martians are ORed, rp_filter takes the maximum (devinet.h IN_DEV_*CONF). */
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(kv[i].scope, "all") || !strcmp(kv[i].scope, "default") ||
		    !strcmp(kv[i].scope, "lo"))
			continue;
		if (!strcmp(kv[i].key, "route_localnet") && atoi(kv[i].value) > 0)
			rl_on = 1;
		if (!strcmp(kv[i].key, "rp_filter") && atoi(kv[i].value) > rp_max)
			rp_max = atoi(kv[i].value);
	}
	if (all_rl >= 0 || rl_on) {
		if (!rl_on)
			add_note(q, SEC_KERNEL,
				 "route_localnet=0: the kernel itself dropped the %llu packets with a "
				 "127/8 source and the %llu with a loopback destination after "
				 "PREROUTING (martians, counted in in_martian_src); a raw-PREROUTING "
				 "rule can see them, a filter-INPUT rule never did.",
				 (unsigned long long)lo_src, (unsigned long long)lo_dst);
		else
			add_note(q, SEC_KERNEL,
				 "route_localnet=1 on at least one interface: 127/8 packets arriving "
				 "there pass the martian check and reach INPUT rules and local sockets "
				 "(except sources equal to an address the host holds, e.g. 127.0.0.1, "
				 "which need accept_local=1 too): only the ruleset stops the %llu "
				 "spoofed loopback-source packets.", (unsigned long long)lo_src);
	}
	if (rp_max >= 0) {
		if (rp_max == 0)
			add_note(q, SEC_KERNEL,
				 "rp_filter=0: no reverse-path check; the %llu bogon and unexpected-"
				 "source packets reached the firewall and, unless a rule dropped them, "
				 "local sockets.", (unsigned long long)bogon);
		else if (rp_max == 1)
			add_note(q, SEC_KERNEL,
				 "rp_filter=1 (strict): sources whose route back does not use the "
				 "arriving interface were dropped by the kernel after PREROUTING; "
				 "filter-INPUT rules did not see those.");
		else
			add_note(q, SEC_KERNEL,
				 "rp_filter=%d (loose): only sources with no route back at all were "
				 "dropped; private or unexpected sources with a default route pass.",
				 rp_max);
	}
	if (all_al >= 0)
		add_note(q, SEC_KERNEL, all_al ?
			 "accept_local=1: packets carrying the host's own address as source are "
			 "accepted (%llu own-address packets here)." :
			 "accept_local=0: the kernel dropped the %llu packets carrying the host's "
			 "own address as source as martians.", (unsigned long long)own);
	if (all_lm >= 0)
		add_note(q, SEC_KERNEL, all_lm > 0 ?
			 "log_martians=1: the kernel also logged these martians (rate-limited) "
			 "to its log." :
			 "log_martians=0: martians were dropped silently; only in_martian_src "
			 "in /proc/net/stat/rt_cache counted them.");
}

static int q_kernel(struct qctx *q)
{
	static const unsigned map[] = { 1, 2, 3 };
	struct rtable *t = &q->r->tables[RT_KERNEL];
	size_t first = t->nrows, n;
	struct kval *kv;

	if (q_table(q, "kernel_ctx.sql", RT_KERNEL, map, 3) < 0)
		return -1;
	n = t->nrows - first;
	if (n == 0) {
		add_note(q, SEC_KERNEL, q->file_mode || !q->h->live_runs ?
			 "No kernel context was recorded for this period (capture files carry "
			 "none): how the capturing host's kernel treated these packets is unknown." :
			 "The runs of this period recorded no kernel context.");
		return 0;
	}
	kv = calloc(n, sizeof(*kv));
	if (!kv) {
		q->oom = 1;
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct rcell *row = &t->cells[(first + i) * t->ncols];

		snprintf(kv[i].scope, sizeof(kv[i].scope), "%s", row[1].s);
		snprintf(kv[i].key, sizeof(kv[i].key), "%s", row[2].s);
		snprintf(kv[i].value, sizeof(kv[i].value), "%s", row[3].s);
	}
	kernel_notes(q, kv, n);
	free(kv);
	return 0;
}

/* ---- Totals ---- */

struct tot {
	char cls[32], sub[32], iface[64];
	uint64_t p, b, f, pp, pb, pf;
};

static struct tot *tot_find(struct tot **v, size_t *n, const char *cls, const char *sub,
			    const char *iface)
{
	struct tot *t;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].cls, cls) && !strcmp((*v)[i].sub, sub) &&
		    !strcmp((*v)[i].iface, iface))
			return &(*v)[i];
	t = realloc(*v, (*n + 1) * sizeof(**v));
	if (!t)
		return NULL;
	*v = t;
	t = &t[(*n)++];
	memset(t, 0, sizeof(*t));
	snprintf(t->cls, sizeof(t->cls), "%s", cls);
	snprintf(t->sub, sizeof(t->sub), "%s", sub);
	snprintf(t->iface, sizeof(t->iface), "%s", iface);
	return t;
}

static int tot_cmp(const void *a, const void *b)
{
	const struct tot *x = a, *y = b;
	int c = strcmp(x->cls, y->cls);

	if (c)
		return c;
	if ((c = strcmp(x->sub, y->sub)))
		return c;
	return strcmp(x->iface, y->iface);
}

static int is_spoof(const char *cls)
{
	for (int i = 0; i < REPORT_NSPOOF; i++)
		if (!strcmp(cls, report_spoof_classes[i]))
			return 1;
	return 0;
}

/* Reads totals.sql for [since, until) into v (prev selects the prev_* counters). */
static int totals_read(struct qctx *q, struct tot **v, size_t *n, int prev)
{
	struct store_rows *s = q_open(q, "totals.sql");
	int rc;

	if (!s)
		return -1;
	while ((rc = q_step(q, s)) == 1) {
		struct tot *t = tot_find(v, n, store_col_text(s, 0), store_col_text(s, 1),
					 store_col_text(s, 2));

		if (!t) {
			q->oom = 1;
			break;
		}
		if (prev) {
			t->pp += (uint64_t)store_col_int(s, 3);
			t->pb += (uint64_t)store_col_int(s, 4);
			t->pf += (uint64_t)store_col_int(s, 5);
		} else {
			t->p += (uint64_t)store_col_int(s, 3);
			t->b += (uint64_t)store_col_int(s, 4);
			t->f += (uint64_t)store_col_int(s, 5);
		}
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

static const char *iface_role(struct qctx *q, const char *iface)
{
	const struct rtable *t = &q->r->tables[RT_IFACES];

	for (size_t i = 0; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		if (!strcmp(row[0].s, q->h->name) && !strcmp(row[1].s, iface))
			return row[2].s;
	}
	return "";
}

static int q_totals(struct qctx *q)
{
	struct report *r = q->r;
	struct tot *v = NULL, *cls = NULL, *ifc = NULL;
	size_t n = 0, ncls = 0, nifc = 0;
	int64_t since = q->since_us, until = q->until_us;
	int ret = -1, pok = q->h->prev_ok;

	if (totals_read(q, &v, &n, 0) < 0)
		goto out;
	q->since_us = r->prev_since_us;
	q->until_us = r->since_us;
	if (totals_read(q, &v, &n, 1) < 0)
		goto out;
	q->since_us = since;
	q->until_us = until;
	if (n)
		qsort(v, n, sizeof(*v), tot_cmp);
	for (size_t i = 0; i < n; i++) {
		struct tot *c = tot_find(&cls, &ncls, v[i].cls, "", "");
		struct tot *f = tot_find(&ifc, &nifc, "", "", v[i].iface);
		struct rcell *row;

		if (!c || !f) {
			q->oom = 1;
			goto out;
		}
		c->p += v[i].p; c->b += v[i].b; c->f += v[i].f;
		c->pp += v[i].pp; c->pb += v[i].pb; c->pf += v[i].pf;
		f->p += v[i].p; f->b += v[i].b; f->f += v[i].f;
		if (is_spoof(v[i].cls))
			f->pp += v[i].p;	/* interface rows: pp = spoofed, pb = loopback */
		else if (!strcmp(v[i].cls, "loopback_flow"))
			f->pb += v[i].p;
		r->packets += v[i].p;
		if (is_spoof(v[i].cls))
			r->spoofed_packets += v[i].p;
		if (!strcmp(v[i].cls, "loopback_flow"))
			r->loopback_packets += v[i].p;
		if (v[i].p == 0 && v[i].f == 0 && !pok)
			continue;	/* only in a previous period we cannot compare with */
		if (!(row = row_add(q, &r->tables[RT_TOTALS])))
			goto out;
		set_text(q, &row[1], v[i].cls);
		set_text(q, &row[2], v[i].sub);
		set_text(q, &row[3], v[i].iface);
		set_int(&row[4], (int64_t)v[i].p);
		set_int(&row[5], (int64_t)v[i].b);
		set_int(&row[6], (int64_t)v[i].f);
		row[7] = (struct rcell){ .null = !pok, .i = (int64_t)v[i].pp, .s = NULL };
		row[8] = (struct rcell){ .null = !pok, .i = (int64_t)v[i].pb, .s = NULL };
		row[9] = (struct rcell){ .null = !pok, .i = (int64_t)v[i].pf, .s = NULL };
		change_text(q, &row[10], pok, v[i].p, v[i].pp);
	}
	for (size_t i = 0; i < ncls; i++) {
		struct rcell *row;

		if (cls[i].p == 0 && cls[i].f == 0 && !pok)
			continue;
		if (!(row = row_add(q, &r->tables[RT_TOTALS_CLASS])))
			goto out;
		set_text(q, &row[1], cls[i].cls);
		set_int(&row[2], (int64_t)cls[i].p);
		set_int(&row[3], (int64_t)cls[i].b);
		set_int(&row[4], (int64_t)cls[i].f);
		row[5] = (struct rcell){ .null = !pok, .i = (int64_t)cls[i].pp, .s = NULL };
		row[6] = (struct rcell){ .null = !pok, .i = (int64_t)cls[i].pb, .s = NULL };
		row[7] = (struct rcell){ .null = !pok, .i = (int64_t)cls[i].pf, .s = NULL };
		change_text(q, &row[8], pok, cls[i].p, cls[i].pp);
	}
	for (size_t i = 0; i < nifc; i++) {
		struct rcell *row;

		if (ifc[i].p == 0)
			continue;
		if (!(row = row_add(q, &r->tables[RT_TOTALS_IFACE])))
			goto out;
		set_text(q, &row[1], ifc[i].iface);
		set_text(q, &row[2], iface_role(q, ifc[i].iface));
		set_int(&row[3], (int64_t)ifc[i].p);
		set_int(&row[4], (int64_t)ifc[i].b);
		set_int(&row[5], (int64_t)ifc[i].f);
		set_int(&row[6], (int64_t)ifc[i].pp);
		set_int(&row[7], (int64_t)ifc[i].pb);
	}
	ret = q->oom ? -1 : 0;
out:
	q->since_us = since;
	q->until_us = until;
	free(v);
	free(cls);
	free(ifc);
	return ret;
}

/* ---- Timeline, top lists, TTL ---- */

static int q_timeline(struct qctx *q)
{
	struct store_rows *s = q_open(q, "timeline.sql");
	struct report *r = q->r;
	int rc;

	if (!s)
		return -1;
	while ((rc = q_step(q, s)) == 1) {
		const char *cls = store_col_text(s, 0);
		int64_t hour = store_col_int(s, 1);

		for (int c = 0; c < REPORT_NSPOOF; c++)
			if (!strcmp(cls, report_spoof_classes[c]) && hour >= 0 &&
			    hour < (int64_t)r->nhours)
				r->timeline[(size_t)c * r->nhours + (size_t)hour] +=
					(uint64_t)store_col_int(s, 2);
	}
	store_rows_free(s);
	return rc < 0 ? -1 : 0;
}

/* addr packets bytes flows first last classes ifaces -> top table */
static int q_top_addr(struct qctx *q, const char *file, enum report_table t)
{
	static const unsigned map[] = { 1, 4, 5, 6, 7, 8, 3, 9 };
	struct rtable *tab = &q->r->tables[t];
	size_t first = tab->nrows;

	if (q_table(q, file, t, map, 8) < 0)
		return -1;
	for (size_t i = first; i < tab->nrows; i++) {
		struct rcell *row = &tab->cells[i * tab->ncols];

		first_of_list(q, &row[2], row[3].s ? row[3].s : "");
	}
	return q->oom ? -1 : 0;
}

static int q_top_ports(struct qctx *q)
{
	static const unsigned map[] = { 1, 3, 5, 6, 7, 8, 9 };
	struct rtable *t = &q->r->tables[RT_TOP_PORTS];
	size_t first = t->nrows;

	if (q_table(q, "top_ports.sql", RT_TOP_PORTS, map, 7) < 0)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		struct rcell *row = &t->cells[i * t->ncols];

		set_proto(q, &row[2], &row[4], row[1].i, row[3].i);
	}
	return q->oom ? -1 : 0;
}

static int q_new_sources(struct qctx *q)
{
	/* addr packets bytes flows first last classes total_new */
	static const unsigned map[] = { 1, 4, 5, 6, 7, 8, 3, 0 };
	struct store_rows *s = q_open(q, "new_sources.sql");
	struct rtable *t = &q->r->tables[RT_NEW_SOURCES];
	int64_t total = 0;
	int rc;

	if (!s)
		return -1;
	while ((rc = q_step(q, s)) == 1) {
		struct rcell *row = copy_row(q, s, t, map, 8);

		if (!row)
			break;
		first_of_list(q, &row[2], row[3].s);
		total = store_col_int(s, 7);
	}
	store_rows_free(s);
	if (rc < 0 || q->oom)
		return -1;
	if (total > (int64_t)q->r->limit)
		add_note(q, SEC_TOP, "%lld spoofed sources are new in this period; the %u with the "
			 "most packets are listed.", (long long)total, q->r->limit);
	if (q->h->hist_days < REPORT_HISTORY_DAYS)
		add_note(q, SEC_TOP, "New sources are compared with %d day%s of history (the "
			 "database holds no older data), not %d.", q->h->hist_days,
			 q->h->hist_days == 1 ? "" : "s", REPORT_HISTORY_DAYS);
	return 0;
}

static int q_ttl(struct qctx *q)
{
	struct store_rows *s = q_open(q, "ttl.sql");
	struct rtable *t = &q->r->tables[RT_TTL];
	/* per class: total packets, packets per exact TTL (flows with min = max) */
	uint64_t tot[REPORT_NSPOOF] = { 0 }, exact[REPORT_NSPOOF][256];
	unsigned shown[REPORT_NSPOOF] = { 0 };
	size_t first = t->nrows;
	int rc;

	memset(exact, 0, sizeof(exact));
	if (!s)
		return -1;
	while ((rc = q_step(q, s)) == 1) {
		const char *cls = store_col_text(s, 0);
		int64_t lo = store_col_int(s, 1), hi = store_col_int(s, 2);
		int64_t p = store_col_int(s, 3);
		int c;

		for (c = 0; c < REPORT_NSPOOF; c++)
			if (!strcmp(cls, report_spoof_classes[c]))
				break;
		if (c == REPORT_NSPOOF || lo < 0 || hi > 255 || lo > hi)
			continue;
		tot[c] += (uint64_t)p;
		if (lo == hi)
			exact[c][lo] += (uint64_t)p;
		if (shown[c]++ < 6) {	/* the six largest ranges per class */
			struct rcell *row = row_add(q, t);
			char buf[16];

			if (!row)
				break;
			set_text(q, &row[1], cls);
			snprintf(buf, sizeof(buf), lo == hi ? "%lld" : "%lld-%lld", (long long)lo,
				 (long long)hi);
			set_text(q, &row[2], buf);
			set_int(&row[3], lo);
			set_int(&row[4], hi);
			set_int(&row[5], p);
			set_int(&row[6], store_col_int(s, 4));
		}
	}
	store_rows_free(s);
	if (rc < 0 || q->oom)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		struct rcell *row = &t->cells[i * t->ncols];
		char buf[16];

		for (int c = 0; c < REPORT_NSPOOF; c++)
			if (!strcmp(row[1].s, report_spoof_classes[c]) && tot[c]) {
				snprintf(buf, sizeof(buf), "%.1f%%", 100.0 * (double)row[5].i / (double)tot[c]);
				set_text(q, &row[7], buf);
			}
	}
	/* The hint: one or two TTL values carrying >= 90 % of a class's packets. */
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
			add_note(q, SEC_TTL, "%s: %.1f%% of %llu packets carry TTL %d. One TTL "
				 "across many packets suggests one sender (a flood) whatever the "
				 "source addresses claim - a hint, not a verdict.",
				 report_spoof_classes[c], 100.0 * (double)exact[c][a] / (double)tot[c],
				 (unsigned long long)tot[c], a);
		else if (b >= 0 && (exact[c][a] + exact[c][b]) * 10 >= tot[c] * 9)
			add_note(q, SEC_TTL, "%s: %.1f%% of %llu packets carry TTL %d or %d. One or "
				 "two TTL values suggest one or two senders (a flood) whatever the "
				 "source addresses claim - a hint, not a verdict.",
				 report_spoof_classes[c],
				 100.0 * (double)(exact[c][a] + exact[c][b]) / (double)tot[c],
				 (unsigned long long)tot[c], a, b);
		else if (distinct > 8)
			add_note(q, SEC_TTL, "%s: TTLs spread over %d values: consistent with many "
				 "senders or randomised TTLs.", report_spoof_classes[c], distinct);
	}
	return q->oom ? -1 : 0;
}

/* ---- NFLOG and loopback ---- */

static int q_nflog(struct qctx *q)
{
	static const unsigned map[] = { 1, 2, 3, 5, 6, 7, 8 };
	static const unsigned umap[] = { 1, 2, 3, 4 };
	struct rtable *t = &q->r->tables[RT_NFLOG];
	struct store_rows *s = q_open(q, "nflog_sources.sql");
	size_t first = t->nrows;
	int rc;

	if (!s)
		return -1;
	rc = q_step(q, s);
	if (rc == 1)
		q->h->nflog_sources = store_col_int(s, 0);
	store_rows_free(s);
	if (rc < 0)
		return -1;
	if (q_table(q, "nflog.sql", RT_NFLOG, map, 7) < 0)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		struct rcell *row = &t->cells[i * t->ncols];

		set_text(q, &row[4], hook_name(row[3].i));
	}
	if (q->h->nflog_sources == 0 && t->nrows == first) {
		add_note(q, SEC_NFLOG, "No NFLOG source ran in this period: what the ruleset "
			 "logged (or would have) is unknown. Run collect with --nflog GROUP and an "
			 "NFLOG rule to compare.");
		return 0;
	}
	if (q_table(q, "nflog_unlogged.sql", RT_NFLOG_UNLOGGED, umap, 4) < 0)
		return -1;
	if (q->r->tables[RT_NFLOG_UNLOGGED].nrows)
		add_note(q, SEC_NFLOG, "pcap saw spoofed packets that no NFLOG rule logged (table "
			 "below): the kernel dropped them before the logging rule's hook (martians "
			 "after PREROUTING), or no rule matches them.");
	return q->oom ? -1 : 0;
}

static int is_loopback_text(const char *a)
{
	struct prefix p;

	if (prefix_parse(a, 0, &p) < 0)
		return 0;
	if (p.family == 4)
		return p.addr[0] == 127;
	for (int i = 0; i < 15; i++)
		if (p.addr[i])
			return p.addr[0] == 0 && i >= 10 && p.addr[10] == 0xff && p.addr[11] == 0xff &&
			       p.addr[12] == 127;
	return p.addr[15] == 1;
}

static int q_loopback(struct qctx *q)
{
	/* proto port packets bytes flows servers npeers peers first last */
	static const unsigned map[] = { 1, 3, 5, 6, 7, 9, 8, 10, 12, 13 };
	static const unsigned nmap[] = { 1, 2, 3, 4, 5 };
	struct rtable *t = &q->r->tables[RT_LOOPBACK_SERVICES];
	struct rtable *nl = &q->r->tables[RT_LOOPBACK_NONLOCAL];
	size_t first = t->nrows, nfirst = nl->nrows, own = 0, other = 0;
	struct store_rows *s;
	int rc;

	if (q_table(q, "loopback_services.sql", RT_LOOPBACK_SERVICES, map, 10) < 0)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		struct rcell *row = &t->cells[i * t->ncols];

		set_proto(q, &row[2], &row[4], row[1].i, row[3].i);
		row[11].null = 1;	/* uid: filled below where NFLOG gave one */
	}
	if (!(s = q_open(q, "loopback_uids.sql")))
		return -1;
	while ((rc = q_step(q, s)) == 1)
		for (size_t i = first; i < t->nrows; i++) {
			struct rcell *row = &t->cells[i * t->ncols];

			if (row[1].i == store_col_int(s, 0) && row[3].i == store_col_int(s, 1)) {
				set_text(q, &row[11], store_col_text(s, 2));
				row[11].null = 0;
			}
		}
	store_rows_free(s);
	if (rc < 0)
		return -1;
	if (q_table(q, "loopback_nonlocal.sql", RT_LOOPBACK_NONLOCAL, nmap, 5) < 0)
		return -1;
	for (size_t i = nfirst; i < nl->nrows; i++) {
		struct rcell *row = &nl->cells[i * nl->ncols];
		int ok_src = is_loopback_text(row[1].s) || host_has_addr(q->h, row[1].s);
		int ok_dst = is_loopback_text(row[2].s) || host_has_addr(q->h, row[2].s);

		set_int(&row[6], ok_src && ok_dst);
		set_text(q, &row[7], ok_src && ok_dst ? "host's own address" :
			 q->h->naddrs ? "NOT a host address" : "host addresses unknown");
		if (ok_src && ok_dst)
			own++;
		else
			other++;
	}
	if (own)
		add_note(q, SEC_LOOPBACK, "Loopback traffic to and from the host's own non-loopback "
			 "addresses is normal: the kernel routes a host's traffic to itself over lo.");
	if (other)
		add_note(q, SEC_LOOPBACK, "%zu loopback address pair%s include%s an address that is "
			 "neither loopback nor one the host %s: check what sends it.", other,
			 other == 1 ? "" : "s", other == 1 ? "s" : "",
			 q->h->naddrs ? "held during the period" : "is known to hold (no host "
			 "addresses were recorded; capture files carry none unless --host-addr)");
	return q->oom ? -1 : 0;
}

/* ---- Per database ---- */

static int build_host(struct report *r, int hi, const struct report_opts *o, char *err,
		      size_t errlen)
{
	struct report_host *h = &r->hosts[hi];
	struct qctx q = { .r = r, .h = h, .hi = hi, .since_us = r->since_us,
			  .until_us = r->until_us, .ifaces = r->ifaces, .err = err,
			  .errlen = errlen };
	char oerr[512];
	int ret = -1;

	(void)o;
	q.st = store_open(h->path, STORE_OPEN_READONLY, oerr, sizeof(oerr));
	if (!q.st) {
		snprintf(err, errlen, "%s", oerr);
		return -1;
	}
	h->schema_version = store_schema_version(q.st);
	if (store_begin(q.st) < 0) {	/* one snapshot for every query */
		snprintf(err, errlen, "%s: %s", h->path, store_errmsg(q.st));
		goto out;
	}
	if (q_range(&q) < 0)
		goto out;
	q.file_mode = h->live_runs == 0 && h->has_flows;
	h->file_mode = q.file_mode;
	h->prev_ok = h->has_data && h->first_bucket <= r->prev_since_us / USEC;
	if (!h->has_data || h->first_bucket >= r->since_us / USEC)
		h->hist_days = 0;
	else if (h->first_bucket <= r->hist_since_us / USEC)
		h->hist_days = REPORT_HISTORY_DAYS;
	else
		h->hist_days = (int)((r->since_us / USEC - h->first_bucket + DAY - 1) / DAY);
	if (!h->has_data)
		add_note(&q, SEC_HEADER, "The database holds no flows yet%s.",
			 h->runs_total ? "" : " (no collector has run on it)");
	else if (!h->has_flows) {
		char a[40], b[40];

		add_note(&q, SEC_HEADER, "No flows were recorded in this period; the database holds "
			 "flows from %s to %s.",
			 report_format_time(h->first_bucket * USEC, r->utc, TF_MINUTE, a, sizeof(a)),
			 report_format_time((h->last_bucket + 3600) * USEC, r->utc, TF_MINUTE, b,
					    sizeof(b)));
	}
	if (h->has_flows && !h->prev_ok)
		add_note(&q, SEC_TOTALS, "The database has no data from the start of the previous "
			 "period of equal length: changes are shown as n/a.");
	if (q_runs(&q) < 0 || q_ifaces(&q) < 0 || q_hostaddrs(&q) < 0 || q_sources(&q) < 0 ||
	    q_decode(&q) < 0 || q_totals(&q) < 0 || q_kernel(&q) < 0 || q_timeline(&q) < 0 ||
	    q_top_addr(&q, "top_sources.sql", RT_TOP_SOURCES) < 0 ||
	    q_top_addr(&q, "top_destinations.sql", RT_TOP_DESTINATIONS) < 0 ||
	    q_top_ports(&q) < 0 || q_new_sources(&q) < 0 || q_ttl(&q) < 0 || q_nflog(&q) < 0 ||
	    q_loopback(&q) < 0)
		goto out;
	ret = 0;
out:
	if (q.oom)
		snprintf(err, errlen, "out of memory");
	store_rollback(q.st);
	store_close(q.st);
	return q.oom ? -1 : ret;
}

/* "UTC", or the local zone's abbreviations and offset at the start of the period. */
static void tz_label(struct report *r)
{
	time_t t = (time_t)(r->since_us / USEC);
	struct tm tm;
	char off[16];

	if (r->utc) {
		snprintf(r->tz, sizeof(r->tz), "UTC");
		return;
	}
	localtime_r(&t, &tm);
	strftime(off, sizeof(off), "%z", &tm);
	snprintf(r->tz, sizeof(r->tz), "%s, UTC%.3s:%.2s", tm.tm_zone ? tm.tm_zone : "local",
		 off, strlen(off) >= 5 ? off + 3 : "00");
}

struct report *report_build(const struct report_opts *o, char *err, size_t errlen)
{
	struct report *r = calloc(1, sizeof(*r));
	int64_t len_us;
	size_t off = 0;

	if (!r)
		goto oom;
	r->since_us = o->since_us;
	r->until_us = o->until_us;
	len_us = o->until_us - o->since_us;
	r->prev_since_us = o->since_us - len_us;
	r->hist_since_us = o->since_us - REPORT_HISTORY_DAYS * DAY * USEC;
	r->generated_us = o->now_us;
	r->utc = o->utc;
	r->limit = o->limit ? o->limit : 10;
	tz_label(r);
	for (unsigned i = 0; i < o->nifaces && off < sizeof(r->ifaces); i++)
		off += (size_t)snprintf(r->ifaces + off, sizeof(r->ifaces) - off, "%s%s,",
					i ? "" : ",", o->ifaces[i]);
	r->nhours = (unsigned)((len_us + 3600 * USEC - 1) / (3600 * USEC));
	if (r->nhours == 0)
		r->nhours = 1;
	r->timeline = calloc((size_t)REPORT_NSPOOF * r->nhours, sizeof(*r->timeline));
	r->hosts = calloc(o->ndbs, sizeof(*r->hosts));
	if (!r->timeline || !r->hosts)
		goto oom;
	for (int t = 0; t < RT_COUNT; t++)
		r->tables[t] = *report_table_template((enum report_table)t);
	r->nhosts = o->ndbs;
	for (unsigned i = 0; i < o->ndbs; i++) {
		const char *base = strrchr(o->dbs[i], '/');

		r->hosts[i].path = strdup(o->dbs[i]);
		r->hosts[i].name = strdup(base ? base + 1 : o->dbs[i]);
		if (!r->hosts[i].path || !r->hosts[i].name)
			goto oom;
	}
	for (unsigned i = 0; i < o->ndbs; i++)
		if (build_host(r, (int)i, o, err, errlen) < 0) {
			report_free(r);
			return NULL;
		}
	if (o->nifaces) {
		struct qctx q = { .r = r, .h = &r->hosts[0] };
		unsigned keep = r->nhosts;

		r->nhosts = 1;	/* a note about every host */
		add_note(&q, SEC_HEADER, "Only interfaces %s are included.", r->ifaces);
		r->nhosts = keep;
		if (q.oom)
			goto oom;
	}
	if ((r->since_us / USEC) % 3600) {
		struct qctx q = { .r = r, .h = &r->hosts[0] };
		unsigned keep = r->nhosts;

		r->nhosts = 1;
		add_note(&q, SEC_TIMELINE, "The period does not start on a whole UTC hour: flows "
			 "are counted by the start of their hourly bucket.");
		r->nhosts = keep;
		if (q.oom)
			goto oom;
	}
	return r;
oom:
	snprintf(err, errlen, "out of memory");
	report_free(r);
	return NULL;
}

void report_free(struct report *r)
{
	if (!r)
		return;
	for (int t = 0; t < RT_COUNT; t++) {
		struct rtable *tab = &r->tables[t];

		for (size_t i = 0; i < tab->nrows * tab->ncols; i++)
			free(tab->cells[i].s);
		free(tab->cells);
	}
	for (size_t i = 0; i < r->nnotes; i++)
		free(r->notes[i].text);
	free(r->notes);
	for (unsigned i = 0; r->hosts && i < r->nhosts; i++) {
		free(r->hosts[i].path);
		free(r->hosts[i].name);
		for (size_t j = 0; j < r->hosts[i].naddrs; j++)
			free(r->hosts[i].addrs[j]);
		free(r->hosts[i].addrs);
	}
	free(r->hosts);
	free(r->timeline);
	free(r);
}
