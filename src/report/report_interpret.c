/* This file builds the report sections that interpret the traffic: the kernel context
 * and what it meant for these packets, the hourly timeline, the top lists and new
 * sources, the TTL distribution with its flood hint, what NFLOG rules logged, and the
 * loopback inventory. */
#include "report/report_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/prefix.h"

/* ---- Kernel context ---- */

struct kval {
	char scope[64], key[32], value[72];
};

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

/* The spoofed packets the notes speak of, per family and kind (verdict_classes.sql). */
enum { KN_LO_SRC, KN_LO_DST, KN_MAPPED_LO, KN_OWN, KN_ZERONET, KN_MCAST, KN_BOGON, KN_N };
struct kn_count {
	uint64_t n[KN_N][2];	/* [kind][0: IPv4, 1: IPv6] */
};

static int kn_kind(const char *cls, const char *sub)
{
	if (!strcmp(cls, "spoof_loopback_src"))
		return strcmp(sub, "ipv4_mapped_loopback") ? KN_LO_SRC : KN_MAPPED_LO;
	if (!strcmp(cls, "loopback_dst"))
		return KN_LO_DST;
	if (!strcmp(cls, "own_addr_src"))
		return KN_OWN;
	if (!strncmp(sub, "this_network", 12))
		return KN_ZERONET;
	if (!strcmp(sub, "multicast") || !strcmp(sub, "limited_broadcast"))
		return KN_MCAST;
	return KN_BOGON;
}

static void kn_read(struct report_qctx *q, struct kn_count *c)
{
	struct store_rows *s = report_q_open(q, "verdict_classes.sql");

	memset(c, 0, sizeof(*c));
	if (!s)
		return;
	while (report_q_step(q, s) == 1)
		c->n[kn_kind(store_col_text(s, 0), store_col_text(s, 1))]
		    [store_col_int(s, 2) == 6] += (uint64_t)store_col_int(s, 4);
	store_rows_free(s);
}

/* " (in_martian_src rose by 60 while the capture ran ...)" when a run recorded it. */
static char *kn_proof(struct report_qctx *q, const char *counter)
{
	char *seen = report_q_counter_seen(q, counter);
	char *out = report_q_asprintf(q, " (%s)", seen ? seen : counter);

	free(seen);
	return out;
}

static void note_localnet(struct report_qctx *q, const struct kn_count *c, int rl_on)
{
	char *ps = kn_proof(q, "in_martian_src"), *pd = kn_proof(q, "in_martian_dst");
	char *p6 = kn_proof(q, "Ip6InHdrErrors");

	if (!rl_on)
		report_q_note(q, SEC_KERNEL,
			 "route_localnet=0: the kernel dropped after PREROUTING the %llu IPv4 "
			 "packets with a 127/8 source%s and the %llu with a 127/8 destination%s; a "
			 "raw-PREROUTING rule sees them, a filter-INPUT rule never does.",
			 (unsigned long long)c->n[KN_LO_SRC][0], ps ? ps : "",
			 (unsigned long long)c->n[KN_LO_DST][0], pd ? pd : "");
	else
		report_q_note(q, SEC_KERNEL,
			 "route_localnet=1 on at least one interface: the %llu IPv4 packets with "
			 "a 127/8 source arriving there pass the martian check; the source "
			 "validation (accept_local, rp_filter) may still drop them, and the verdict "
			 "above says per interface which reached the ruleset.",
			 (unsigned long long)c->n[KN_LO_SRC][0]);
	if (c->n[KN_LO_SRC][1] + c->n[KN_LO_DST][1] + c->n[KN_MAPPED_LO][1])
		report_q_note(q, SEC_KERNEL,
			 "IPv6 (route_localnet does not apply): input drops the %llu packets with "
			 "a ::1 source and the %llu with a ::1 destination before PREROUTING, on a "
			 "non-loopback interface%s; the %llu with an IPv4-mapped loopback source "
			 "(::ffff:127.0.0.0/104) are not martians to IPv6: only a rule stops them.",
			 (unsigned long long)c->n[KN_LO_SRC][1],
			 (unsigned long long)c->n[KN_LO_DST][1], p6 ? p6 : "",
			 (unsigned long long)c->n[KN_MAPPED_LO][1]);
	free(ps);
	free(pd);
	free(p6);
}

static void note_rp_filter(struct report_qctx *q, const struct kn_count *c, int rp_max,
			   const char *release)
{
	unsigned a = 0, b = 0;
	int old = release && sscanf(release, "%u.%u", &a, &b) == 2 ? (a < 5 || (a == 5 && b < 3)) : -1;
	/* ipv4_is_zeronet: all of 0/8 before Linux 5.3, only 0.0.0.0 since (96125bf9985a) */
	char *zero = report_q_asprintf(q, old < 0 ? "0.0.0.0, or all of 0/8 before Linux 5.3: the "
				       "runs recorded no kernel version" : old ? "all of 0/8 on "
				       "the recorded Linux %s" : "only 0.0.0.0 on the recorded "
				       "Linux %s", release);

	if (rp_max == 0)
		report_q_note(q, SEC_KERNEL,
			 "rp_filter=0: no reverse-path check. Of the %llu IPv4 bogon and "
			 "unexpected-source packets, all but the %llu multicast or broadcast "
			 "sources and the zero-net ones (martians: %s; %llu packets have a 0/8 "
			 "source) reached the firewall and, unless a rule dropped them, local "
			 "sockets; so did the %llu IPv6 ones (IPv6 has no such sysctl).",
			 (unsigned long long)(c->n[KN_BOGON][0] + c->n[KN_MCAST][0] +
					      c->n[KN_ZERONET][0]),
			 (unsigned long long)c->n[KN_MCAST][0], zero ? zero : "",
			 (unsigned long long)c->n[KN_ZERONET][0],
			 (unsigned long long)(c->n[KN_BOGON][1] + c->n[KN_ZERONET][1]));
	else if (rp_max == 1)
		report_q_note(q, SEC_KERNEL,
			 "rp_filter=1 (strict): IPv4 sources whose route back does not use the "
			 "arriving interface were dropped by the kernel after PREROUTING "
			 "(IPReversePathFilter); filter-INPUT rules did not see those. IPv6 has "
			 "no such sysctl: its %llu bogon and unexpected-source packets met only "
			 "the ruleset.", (unsigned long long)(c->n[KN_BOGON][1] + c->n[KN_ZERONET][1]));
	else
		report_q_note(q, SEC_KERNEL,
			 "rp_filter=%d (loose): only IPv4 sources with no route back at all were "
			 "dropped; private or unexpected sources with a default route pass.",
			 rp_max);
	free(zero);
}

static void kernel_notes(struct report_qctx *q, const struct kval *kv, size_t n)
{
	int all_rl = kget(kv, n, "all", "route_localnet");
	int all_rp = kget(kv, n, "all", "rp_filter");
	int all_al = kget(kv, n, "all", "accept_local");
	int all_lm = kget(kv, n, "all", "log_martians");
	const char *release = NULL;
	int rl_on = all_rl > 0, rp_max = all_rp;
	struct kn_count c;

	kn_read(q, &c);
	/* Per-interface values combine with "all": route_localnet, accept_local and
	 * log_martians are ORed, rp_filter takes the maximum (devinet.h IN_DEV_*CONF). */
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(kv[i].scope, "all") && !strcmp(kv[i].key, "kernel_release"))
			release = release && strcmp(release, kv[i].value) ? NULL : kv[i].value;
		if (!strcmp(kv[i].scope, "all") || !strcmp(kv[i].scope, "default") ||
		    !strcmp(kv[i].scope, "lo"))
			continue;
		if (!strcmp(kv[i].key, "route_localnet") && atoi(kv[i].value) > 0)
			rl_on = 1;
		if (!strcmp(kv[i].key, "rp_filter") && atoi(kv[i].value) > rp_max)
			rp_max = atoi(kv[i].value);
	}
	if (all_rl >= 0 || rl_on)
		note_localnet(q, &c, rl_on);
	if (rp_max >= 0)
		note_rp_filter(q, &c, rp_max, release);
	if (all_al >= 0)
		report_q_note(q, SEC_KERNEL, all_al ?
			 "accept_local=1: packets carrying the host's own address as source are "
			 "accepted (%llu IPv4, %llu IPv6 own-address packets here)." :
			 "accept_local=0: the kernel dropped the %llu IPv4 packets carrying the "
			 "host's own address as source (in_martian_src); the %llu IPv6 ones passed "
			 "the kernel: IPv6 has no such check, only a rule stops them.",
			 (unsigned long long)c.n[KN_OWN][0], (unsigned long long)c.n[KN_OWN][1]);
	if (all_lm >= 0)
		report_q_note(q, SEC_KERNEL, all_lm > 0 ?
			 "log_martians=1: the kernel also logged these martians (rate-limited) "
			 "to its log." :
			 "log_martians=0: martians were dropped silently; only in_martian_src "
			 "in /proc/net/stat/rt_cache counted them.");
}

/* The kernel table: one row per scope ("all", "default", each interface), the settings
 * as columns; a setting runs recorded differently shows every value ("0,1"), and keys
 * without a column go to "other" as key=value. */
static int kernel_pivot(struct report_qctx *q, const struct kval *kv, size_t n)
{
	struct rtable *t = &q->r->tables[RT_KERNEL];
	size_t first = t->nrows;

	for (size_t i = 0; i < n; i++) {
		struct rcell *row = NULL;
		unsigned c;
		char *v = NULL;
		int other, rc = 0;

		for (size_t k = first; k < t->nrows && !row; k++)
			if (!strcmp(t->cells[k * t->ncols + 1].s, kv[i].scope))
				row = &t->cells[k * t->ncols];
		if (!row) {
			if (!(row = report_q_row_add(q, t)))
				return -1;
			report_q_text(q, &row[1], kv[i].scope);
			for (c = 2; c < t->ncols; c++)
				row[c].null = 1;
		}
		for (c = 2; c < t->ncols - 1; c++)
			if (!strcmp(t->cols[c].name, kv[i].key))
				break;
		other = c == t->ncols - 1;
		if (row[c].null && !other)
			v = strdup(kv[i].value);
		else if (row[c].null)
			rc = asprintf(&v, "%s=%s", kv[i].key, kv[i].value);
		else if (other)
			rc = asprintf(&v, "%s %s=%s", row[c].s, kv[i].key, kv[i].value);
		else
			rc = asprintf(&v, "%s,%s", row[c].s, kv[i].value);
		if (rc < 0)
			v = NULL;
		if (!v) {
			q->oom = 1;
			return -1;
		}
		free(row[c].s);
		row[c].s = v;
		row[c].null = 0;
	}
	return 0;
}

int report_q_kernel(struct report_qctx *q)
{
	struct store_rows *s = report_q_open(q, "kernel_ctx.sql");
	struct kval *kv = NULL;
	size_t n = 0;
	int rc, ret = -1;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		struct kval *k = realloc(kv, (n + 1) * sizeof(*kv));

		if (!k) {
			q->oom = 1;
			break;
		}
		kv = k;
		snprintf(kv[n].scope, sizeof(kv[n].scope), "%s", store_col_text(s, 0));
		snprintf(kv[n].key, sizeof(kv[n].key), "%s", store_col_text(s, 1));
		snprintf(kv[n].value, sizeof(kv[n].value), "%s", store_col_text(s, 2));
		n++;
	}
	store_rows_free(s);
	if (rc < 0 || q->oom)
		goto out;
	if (n == 0) {
		report_q_note(q, SEC_KERNEL, q->file_mode || !q->h->live_runs ?
			 "No kernel context was recorded for this period (capture files carry "
			 "none): how the capturing host's kernel treated these packets is unknown." :
			 "The runs of this period recorded no kernel context.");
		ret = 0;
		goto out;
	}
	if (kernel_pivot(q, kv, n) < 0)
		goto out;
	kernel_notes(q, kv, n);
	ret = q->oom ? -1 : 0;
out:
	free(kv);
	return ret;
}

/* ---- Timeline, top lists, TTL ---- */

int report_q_timeline(struct report_qctx *q)
{
	struct store_rows *s = report_q_open(q, "timeline.sql");
	struct report *r = q->r;
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
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
int report_q_new_sources(struct report_qctx *q)
{
	/* addr packets bytes flows first last classes total_new */
	static const unsigned map[] = { 1, 4, 5, 6, 7, 8, 3, 0 };
	struct store_rows *s = report_q_open(q, "new_sources.sql");
	struct rtable *t = &q->r->tables[RT_NEW_SOURCES];
	int64_t total = 0;
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		struct rcell *row = report_q_copy_row(q, s, t, map, 8);

		if (!row)
			break;
		report_q_class_list(q, &row[2], row[3].s);
		total = store_col_int(s, 7);
	}
	store_rows_free(s);
	if (rc < 0 || q->oom)
		return -1;
	q->h->new_sources = total;
	if (total > (int64_t)q->r->limit)
		report_q_note(q, SEC_TOP, "%lld spoofed sources are new in this period; the %u with the "
			 "most packets are listed.", (long long)total, q->r->limit);
	if (q->h->hist_days < REPORT_HISTORY_DAYS)
		report_q_note(q, SEC_TOP, "New sources are compared with %d day%s of history (the "
			 "database holds no older data), not %d.", q->h->hist_days,
			 q->h->hist_days == 1 ? "" : "s", REPORT_HISTORY_DAYS);
	return 0;
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

/* ---- NFLOG and loopback ---- */

int report_q_nflog(struct report_qctx *q)
{
	static const unsigned map[] = { 1, 2, 3, 5, 6, 7, 8 };
	static const unsigned umap[] = { 1, 2, 3, 4 };
	struct rtable *t = &q->r->tables[RT_NFLOG];
	struct store_rows *s = report_q_open(q, "nflog_sources.sql");
	size_t first = t->nrows;
	int rc;

	if (!s)
		return -1;
	rc = report_q_step(q, s);
	if (rc == 1)
		q->h->nflog_sources = store_col_int(s, 0);
	store_rows_free(s);
	if (rc < 0)
		return -1;
	if (report_q_table(q, "nflog.sql", RT_NFLOG, map, 7) < 0)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		struct rcell *row = &t->cells[i * t->ncols];

		report_q_text(q, &row[4], report_q_hook_name(row[3].i));
	}
	if (q->h->nflog_sources == 0 && t->nrows == first) {
		report_q_note(q, SEC_NFLOG, "No NFLOG source ran in this period: what the ruleset "
			 "logged (or would have) is unknown. Run collect with --nflog GROUP and an "
			 "NFLOG rule to compare.");
		return 0;
	}
	s = report_q_open(q, "nflog_only.sql");
	if (!s)
		return -1;
	rc = report_q_step(q, s);
	if (rc == 1 && store_col_int(s, 1) > 0)
		report_q_note(q, SEC_NFLOG, "pcap dropped packets that NFLOG logged: %lld packets "
			 "in %lld flows are counted from NFLOG's copies alone (pcap counted %lld of "
			 "those flows' packets). A packet either source saw counts once; see the "
			 "capture's kernel drops, and raise collect --buffer.",
			 (long long)store_col_int(s, 1), (long long)store_col_int(s, 2),
			 (long long)store_col_int(s, 0));
	store_rows_free(s);
	if (rc < 0)
		return -1;
	if (report_q_table(q, "nflog_unlogged.sql", RT_NFLOG_UNLOGGED, umap, 4) < 0)
		return -1;
	if (q->r->tables[RT_NFLOG_UNLOGGED].nrows)
		report_q_note(q, SEC_NFLOG, "pcap saw spoofed packets that no NFLOG rule logged (table "
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

int report_q_loopback(struct report_qctx *q)
{
	/* proto port packets bytes flows servers npeers peers first last */
	static const unsigned map[] = { 1, 3, 5, 6, 7, 9, 8, 10, 12, 13 };
	static const unsigned nmap[] = { 1, 2, 3, 4, 5 };
	struct rtable *t = &q->r->tables[RT_LOOPBACK_SERVICES];
	struct rtable *nl = &q->r->tables[RT_LOOPBACK_NONLOCAL];
	size_t first = t->nrows, nfirst = nl->nrows, own = 0, other = 0;
	struct store_rows *s;
	int rc;

	if (report_q_table(q, "loopback_services.sql", RT_LOOPBACK_SERVICES, map, 10) < 0)
		return -1;
	for (size_t i = first; i < t->nrows; i++) {
		struct rcell *row = &t->cells[i * t->ncols];

		report_q_proto(q, &row[2], &row[4], row[1].i, row[3].i);
		row[11].null = 1;	/* uid: filled below where NFLOG gave one */
	}
	if (!(s = report_q_open(q, "loopback_uids.sql")))
		return -1;
	while ((rc = report_q_step(q, s)) == 1)
		for (size_t i = first; i < t->nrows; i++) {
			struct rcell *row = &t->cells[i * t->ncols];

			if (row[1].i == store_col_int(s, 0) && row[3].i == store_col_int(s, 1)) {
				report_q_text(q, &row[11], store_col_text(s, 2));
				row[11].null = 0;
			}
		}
	store_rows_free(s);
	if (rc < 0)
		return -1;
	if (report_q_table(q, "loopback_nonlocal.sql", RT_LOOPBACK_NONLOCAL, nmap, 5) < 0)
		return -1;
	for (size_t i = nfirst; i < nl->nrows; i++) {
		struct rcell *row = &nl->cells[i * nl->ncols];
		int ok_src = is_loopback_text(row[1].s) || host_has_addr(q->h, row[1].s);
		int ok_dst = is_loopback_text(row[2].s) || host_has_addr(q->h, row[2].s);

		report_q_int(&row[6], ok_src && ok_dst);
		report_q_text(q, &row[7], ok_src && ok_dst ? "host's own address" :
			 q->h->naddrs ? "NOT a host address" : "host addresses unknown");
		if (ok_src && ok_dst)
			own++;
		else
			other++;
	}
	if (own)
		report_q_note(q, SEC_LOOPBACK, "Loopback traffic to and from the host's own non-loopback "
			 "addresses is normal: the kernel routes a host's traffic to itself over lo.");
	if (other)
		report_q_note(q, SEC_LOOPBACK, "%zu loopback address pair%s include%s an address that is "
			 "neither loopback nor one the host %s: check what sends it.", other,
			 other == 1 ? "" : "s", other == 1 ? "s" : "",
			 q->h->naddrs ? "held during the period" : "is known to hold (no host "
			 "addresses were recorded; capture files carry none unless --host-addr)");
	return q->oom ? -1 : 0;
}

int report_q_policy(struct report_qctx *q)
{
	/* id kind strength count lines first last iface flow intended live evidence packets */
	static const unsigned map[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };

	struct rtable *t = &q->r->tables[RT_POLICY];
	size_t first = t->nrows, i;
	uint64_t occ = 0, weak = 0;

	if (report_q_table(q, "policy.sql", RT_POLICY, map, 13) < 0)
		return -1;
	for (i = first; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];

		occ += row[4].null || row[4].i < 0 ? 0 : (uint64_t)row[4].i;
		if (row[3].s && !strcmp(row[3].s, "weak"))
			weak++;
	}
	if (t->nrows > first)
		report_q_note(q, SEC_POLICY, "%zu violation%s of the intended policy (%llu occurrence%s), "
			      "%llu on weak evidence only; `spoofaudit check --violations` lists them "
			      "in full.", t->nrows - first, t->nrows - first == 1 ? "" : "s",
			      (unsigned long long)occ, occ == 1 ? "" : "s", (unsigned long long)weak);
	return 0;
}
