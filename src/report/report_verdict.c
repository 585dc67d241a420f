/* This file builds the report's verdict: for each spoofed class seen, what became of its
 * packets (dropped by the kernel, with the check and counter that say so; passed to the
 * ruleset; accepted by it; answered), derived from the recorded kernel settings, the
 * flows the host sent back, NFLOG and the live audit's violations; and the next steps
 * those facts call for. Every sentence states only what the recorded data supports. */
#include "report/report_kernel.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Packets of a class that met one kernel decision for one reason, and where. */
#define VREASONS 6
struct vreason {
	const char *why, *counter;
	uint64_t n;
	char ifaces[64];
};

/* Per class of one host, while the verdict is built. */
struct vacc {
	struct vreason why[3][VREASONS];	/* by enum kdecision */
	uint64_t packets, dropped, passed, v4_pass, replies, errors, err_src, rep_src;
	uint64_t rl_drop;	/* dropped because route_localnet=0 */
	uint64_t al_drop;	/* dropped because accept_local=0 */
	char *spoof_accepted;	/* violation ids of kind spoof_accepted */
	char *violations;	/* every violation id of the class */
};

struct vctx {
	struct report_qctx *q;
	struct vacc a[REPORT_NSPOOF];
	int has_kernel;
	char *all_viol;		/* every violation id of the period */
};

static void append(struct report_qctx *q, char **dst, const char *text)
{
	report_q_append(q, dst, ", ", text);
}


/* ---- Facts from the database ---- */

static void add_reason(struct vreason *list, const struct kwhy *k, const char *iface, uint64_t n)
{
	struct vreason *r = NULL;
	size_t len;

	for (int i = 0; i < VREASONS && !r; i++)
		if (!list[i].why || !strcmp(list[i].why, k->why))
			r = &list[i];
	if (!r)
		r = &list[VREASONS - 1];	/* more reasons than slots: counted with the last */
	if (!r->why) {
		r->why = k->why;
		r->counter = k->counter;
	}
	r->n += n;
	len = strlen(r->ifaces);
	for (const char *p = r->ifaces; (p = strstr(p, iface)); p++)
		if ((p == r->ifaces || p[-1] == ' ') && (p[strlen(iface)] == ',' || !p[strlen(iface)]))
			return;
	if (len + strlen(iface) + 3 < sizeof(r->ifaces))
		snprintf(r->ifaces + len, sizeof(r->ifaces) - len, "%s%s", len ? ", " : "", iface);
}

/* What the run(s) of the period recorded of one kernel counter: "in_martian_src rose by
 * 60 while the capture ran", or NULL when no run recorded it. */
char *report_q_counter_seen(struct report_qctx *q, const char *name)
{
	struct store_rows *s = report_q_open(q, "kernel_counters.sql");
	char *out = NULL;
	int rc;

	if (!s)
		return NULL;
	while ((rc = report_q_step(q, s)) == 1) {
		int64_t delta = store_col_int(s, 1), open_runs = store_col_int(s, 2);

		if (strcmp(store_col_text(s, 0), name))
			continue;
		out = report_q_asprintf(q, "%s rose by %lld while the capture ran (the whole host's "
				"count)%s", name, (long long)delta, open_runs ?
				"; a run without an end value is left out" : "");
		break;
	}
	store_rows_free(s);
	return out;
}

/* The counters of a list of drop reasons, as proof: their growth during the capture where
 * the runs recorded it, else where the kernel counts them. */
static char *counters(struct report_qctx *q, const struct vreason *list)
{
	char *names = NULL, *seen = NULL, *out;

	for (int i = 0; i < VREASONS && list[i].why; i++) {
		char *one;

		if (!list[i].counter || (names && strstr(names, list[i].counter)))
			continue;
		report_q_append(q, &names, " and ", list[i].counter);
		one = report_q_counter_seen(q, list[i].counter);
		if (one)
			report_q_append(q, &seen, "; ", one);
		free(one);
	}
	if (seen)
		out = report_q_asprintf(q, "the kernel counts these drops in %s: %s", names, seen);
	else
		out = report_q_asprintf(q, "the kernel counts these drops in %s (in_martian_* in "
				"/proc/net/stat/rt_cache, Ip6* in /proc/net/snmp6, "
				"IPReversePathFilter in /proc/net/netstat); no run of this period "
				"recorded the counters' values", names ? names : "no counter");
	free(names);
	free(seen);
	return out;
}

/* "912 on eth: why; 808 on int0: why (counter C)" for a list of reasons. */
static char *reasons_text(struct report_qctx *q, const struct vreason *list)
{
	char *out = NULL;

	for (int i = 0; i < VREASONS && list[i].why; i++) {
		char *one = report_q_asprintf(q, "%llu on %s: %s%s%s%s", (unsigned long long)list[i].n,
				      list[i].ifaces, list[i].why, list[i].counter ? " (counter " : "",
				      list[i].counter ? list[i].counter : "", list[i].counter ? ")" : "");

		if (!one)
			break;
		report_q_append(q, &out, "; ", one);
		free(one);
	}
	return out;
}

static int read_classes(struct vctx *v)
{
	struct report_qctx *q = v->q;
	struct store_rows *s = report_q_open(q, "verdict_classes.sql");
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		int c = report_spoof_class_index(store_col_text(s, 0));
		const char *iface = store_col_text(s, 3);
		uint64_t n = (uint64_t)store_col_int(s, 4);
		int fam = (int)store_col_int(s, 2);
		struct kwhy k;
		struct vacc *a;

		if (c < 0)
			continue;
		a = &v->a[c];
		a->packets += n;
		k = v->has_kernel ? report_kdecide(q, report_spoof_classes[c], store_col_text(s, 1),
						fam, iface) :
			(struct kwhy){ K_UNKNOWN, "no kernel context was recorded", NULL };
		if (k.d == K_DROP) {
			a->dropped += n;
			if (strstr(k.why, "route_localnet=0"))
				a->rl_drop += n;
			if (strstr(k.why, "accept_local=0"))
				a->al_drop += n;
		} else if (k.d == K_PASS) {
			a->passed += n;
			if (fam == 4)
				a->v4_pass += n;
		}
		add_reason(a->why[k.d], &k, iface, n);
	}
	store_rows_free(s);
	return rc < 0 ? -1 : 0;
}

static int read_answers(struct vctx *v)
{
	struct report_qctx *q = v->q;
	struct store_rows *s = report_q_open(q, "verdict_answers.sql");
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		int c = report_spoof_class_index(store_col_text(s, 0));

		if (c < 0)
			continue;
		if (store_col_int(s, 1)) {
			v->a[c].errors += (uint64_t)store_col_int(s, 2);
			v->a[c].err_src += (uint64_t)store_col_int(s, 3);
		} else {
			v->a[c].replies += (uint64_t)store_col_int(s, 2);
			v->a[c].rep_src += (uint64_t)store_col_int(s, 3);
		}
	}
	store_rows_free(s);
	return rc < 0 ? -1 : 0;
}

static int read_violations(struct vctx *v)
{
	struct report_qctx *q = v->q;
	struct store_rows *s = report_q_open(q, "verdict_violations.sql");
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		int c = report_spoof_class_index(store_col_text(s, 0));
		const char *ids = store_col_text(s, 2);
		char *one = report_q_asprintf(q, "#%s (%s)", ids, store_col_text(s, 1));

		if (!one)
			break;
		append(q, &v->all_viol, one);
		if (c >= 0) {
			append(q, &v->a[c].violations, one);
			if (!strcmp(store_col_text(s, 1), "spoof_accepted"))
				append(q, &v->a[c].spoof_accepted, ids);
		}
		free(one);
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

/* "spoof-lo: (PREROUTING, 12 packets)" for each NFLOG rule that logged class c. */
static char *logged_by(struct report_qctx *q, int c, uint64_t *total)
{
	const struct rtable *t = &q->r->tables[RT_NFLOG];
	char *out = NULL;

	*total = 0;
	for (size_t i = 0; i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];
		char *one;

		if (strcmp(row[0].s, q->h->name) || strcmp(row[5].s, report_spoof_classes[c]))
			continue;
		*total += (uint64_t)row[6].i;
		one = report_q_asprintf(q, "'%s' (%s, %lld packets)", row[1].s, row[4].s, (long long)row[6].i);
		if (!one)
			break;
		append(q, &out, one);
		free(one);
	}
	return out;
}

/* ---- The verdict of one class ---- */

static void class_fate(struct vctx *v, int c, struct report_vclass *vc)
{
	struct report_qctx *q = v->q;
	struct vacc *a = &v->a[c];
	unsigned long long p = a->packets;
	char *drop = reasons_text(q, a->why[K_DROP]), *pass = reasons_text(q, a->why[K_PASS]);
	char *unk = reasons_text(q, a->why[K_UNKNOWN]);
	char ans[2][96] = { "", "" };

	if (a->replies)
		snprintf(ans[0], sizeof(ans[0]), "%llu reply packet%s to %llu of them",
			 (unsigned long long)a->replies, a->replies == 1 ? "" : "s",
			 (unsigned long long)a->rep_src);
	if (a->errors)
		snprintf(ans[1], sizeof(ans[1]), "%llu ICMP error%s to %llu of them",
			 (unsigned long long)a->errors, a->errors == 1 ? "" : "s",
			 (unsigned long long)a->err_src);
	if (a->replies || a->errors) {
		vc->fate = FATE_ANSWERED;
		vc->fate_text = report_q_asprintf(q, "Answered: the host sent %s%s%s back to the forged "
					  "sources, so they reached a socket or the stack answered "
					  "them.", ans[0], a->replies && a->errors ? " and " : "", ans[1]);
		vc->proof = report_q_asprintf(q, "the flows the host sent back (dir out, addresses and "
				      "ports of a forged flow reversed)");
	} else if (a->spoof_accepted && a->dropped < a->packets) {
		vc->fate = FATE_ACCEPTED;
		vc->fate_text = a->passed ?
			report_q_asprintf(q, "The live ruleset accepts them (violation %s) and %llu of %llu "
				  "passed the kernel's checks: those reached any socket listening on "
				  "their port.", a->spoof_accepted, (unsigned long long)a->passed, p) :
			report_q_asprintf(q, "The live ruleset accepts them (violation %s); whether the "
				  "kernel dropped them first the recorded data does not tell.",
				  a->spoof_accepted);
		vc->proof = report_q_asprintf(q, "live audit violation %s", a->spoof_accepted);
	} else if (a->passed) {
		vc->fate = FATE_PASSED;
		vc->fate_text = report_q_asprintf(q, "%llu of %llu passed the kernel's checks (%s): only the "
					  "ruleset stood between them and local sockets; no reply to "
					  "them was seen.%s%s%s", (unsigned long long)a->passed, p,
					  pass ? pass : "", unk ? " For the rest the recorded data "
					  "does not tell (" : "", unk ? unk : "", unk ? ")." : "");
		vc->proof = drop ? report_q_asprintf(q, "the recorded sysctls; no flow answered them. "
					     "Dropped by the kernel: %s", drop) :
			    report_q_asprintf(q, "the recorded sysctls; no flow answered them");
	} else if (a->dropped == a->packets) {
		vc->fate = FATE_DROPPED;
		vc->fate_text = report_q_asprintf(q, "Dropped by the kernel (%s); none reached a socket and "
					  "no reply was seen.", drop ? drop : "");
		vc->proof = counters(q, a->why[K_DROP]);
	} else {
		vc->fate = FATE_UNKNOWN;
		vc->fate_text = report_q_asprintf(q, "Unknown for %llu of %llu (%s). No reply to them was "
					  "seen.", (unsigned long long)(a->packets - a->dropped), p,
					  unk ? unk : "the recorded data does not tell");
		vc->proof = drop ? report_q_asprintf(q, "dropped by the kernel: %s", drop) : NULL;
	}
	free(drop);
	free(pass);
	free(unk);
}

static int add_class(struct vctx *v, int c)
{
	struct report_qctx *q = v->q;
	struct report_verdict *vd = &q->r->verdict;
	struct report_vclass *n = realloc(vd->classes, (vd->nclasses + 1) * sizeof(*n));
	struct report_vclass *vc;

	if (!n) {
		q->oom = 1;
		return -1;
	}
	vd->classes = n;
	vc = &n[vd->nclasses++];
	memset(vc, 0, sizeof(*vc));
	vc->host = strdup(q->h->name);
	vc->cls = report_spoof_classes[c];
	vc->packets = v->a[c].packets;
	vc->dropped = v->a[c].dropped;
	vc->passed = v->a[c].passed;
	vc->replies = v->a[c].replies;
	vc->icmp_errors = v->a[c].errors;
	vc->logged_by = logged_by(q, c, &vc->logged);
	if (v->a[c].violations)
		vc->violations = strdup(v->a[c].violations);
	class_fate(v, c, vc);
	if (!vc->host || !vc->fate_text || (v->a[c].violations && !vc->violations))
		q->oom = 1;
	return q->oom ? -1 : 0;
}

/* ---- Next steps ---- */

static void add_step(struct report_qctx *q, enum report_step_kind kind, const char *sysctl,
		     const char *ipt, const char *nft, const char *cmd, char *text)
{
	struct report_verdict *vd = &q->r->verdict;
	struct report_vstep *n, *s;

	if (!text)
		return;
	n = realloc(vd->steps, (vd->nsteps + 1) * sizeof(*n));
	if (!n) {
		free(text);
		q->oom = 1;
		return;
	}
	vd->steps = n;
	s = &n[vd->nsteps++];
	memset(s, 0, sizeof(*s));
	s->host = strdup(q->h->name);
	s->kind = kind;
	s->text = text;
	s->sysctl = sysctl ? strdup(sysctl) : NULL;
	s->iptables = ipt ? strdup(ipt) : NULL;
	s->nft = nft ? strdup(nft) : NULL;
	s->command = cmd ? strdup(cmd) : NULL;
	if (!s->host || (sysctl && !s->sysctl) || (ipt && !s->iptables) || (nft && !s->nft) ||
	    (cmd && !s->command))
		q->oom = 1;
}

/* "net.ipv4.conf.all.KEY=0 net.ipv4.conf.eth0.KEY=0" for every scope recorded at 1. */
static char *sysctls_at_one(struct report_qctx *q, const char *key)
{
	const struct rtable *t = &q->r->tables[RT_KERNEL];
	int c = report_kcol(key);
	char *out = NULL;

	for (size_t i = 0; c > 0 && i < t->nrows; i++) {
		const struct rcell *row = &t->cells[i * t->ncols];
		char *one;

		if (strcmp(row[0].s, q->h->name) || row[c].null || strcmp(row[c].s, "1") ||
		    !strcmp(row[1].s, "default") || !strcmp(row[1].s, "lo"))
			continue;
		one = report_q_asprintf(q, "net.ipv4.conf.%s.%s=0", row[1].s, key);
		if (!one)
			break;
		if (out) {
			char *j = report_q_asprintf(q, "%s %s", out, one);

			free(out);
			out = j;
		} else {
			out = strdup(one);
		}
		free(one);
	}
	return out;
}

static void steps_loopback(struct vctx *v)
{
	struct report_qctx *q = v->q;
	struct vacc *src = &v->a[0], *dst = &v->a[1];
	uint64_t pass = src->v4_pass + dst->v4_pass;
	char *set;

	if (pass) {
		set = sysctls_at_one(q, "route_localnet");
		if (set)
			add_step(q, STEP_SET, set, NULL, NULL, NULL, report_q_asprintf(q,
				 "Set %s: route_localnet=1 let %llu forged loopback packets past the "
				 "kernel.", set, (unsigned long long)pass));
		free(set);
		if (src->v4_pass)
			add_step(q, STEP_RULE, NULL, "-t raw -A PREROUTING ! -i lo -s 127.0.0.0/8 -j DROP",
				 "ip saddr 127.0.0.0/8 iif != \"lo\" drop", NULL, report_q_asprintf(q,
				 "Drop loopback sources arriving on other interfaces in raw "
				 "PREROUTING (nft: in a prerouting chain, priority raw)."));
		if (dst->v4_pass)
			add_step(q, STEP_RULE, NULL, "-t raw -A PREROUTING ! -i lo -d 127.0.0.0/8 -j DROP",
				 "ip daddr 127.0.0.0/8 iif != \"lo\" drop", NULL, report_q_asprintf(q,
				 "Drop loopback destinations arriving on other interfaces in raw "
				 "PREROUTING (nft: in a prerouting chain, priority raw)."));
	} else if (src->rl_drop + dst->rl_drop) {
		add_step(q, STEP_KEEP, "net.ipv4.conf.all.route_localnet=0", NULL, NULL, NULL,
			 report_q_asprintf(q, "Keep route_localnet=0: with it the kernel dropped %llu "
				   "forged loopback packets as martians.",
				   (unsigned long long)(src->rl_drop + dst->rl_drop)));
	}
}

static void steps_own_rp(struct vctx *v)
{
	struct report_qctx *q = v->q;
	struct vacc *own = &v->a[2], *bog = &v->a[3], *unx = &v->a[4];
	int rp = report_kset(q, "all", "rp_filter");
	char *set;

	if (own->v4_pass && (set = sysctls_at_one(q, "accept_local"))) {
		add_step(q, STEP_SET, set, NULL, NULL, NULL, report_q_asprintf(q, "Set %s: accept_local=1 "
			 "let packets forging the host's own address past the kernel.", set));
		free(set);
	}
	if (own->passed)
		add_step(q, STEP_RULE, NULL, "-t raw -A PREROUTING ! -i lo -m addrtype --src-type LOCAL -j DROP",
			 "fib saddr type local iif != \"lo\" drop", NULL, report_q_asprintf(q,
			 "Drop the host's own addresses as source on every other interface, in raw "
			 "PREROUTING (nft: in a prerouting chain, priority raw)."));
	if (own->al_drop && report_kset(q, "all", "accept_local") == 0)
		add_step(q, STEP_KEEP, "net.ipv4.conf.all.accept_local=0", NULL, NULL, NULL,
			 report_q_asprintf(q, "Keep accept_local=0: with it the kernel dropped %llu IPv4 "
				   "packets forging the host's own address.",
				   (unsigned long long)own->al_drop));
	if (bog->packets + unx->packets == 0 || !v->has_kernel)
		return;
	if (bog->v4_pass + unx->v4_pass && rp == 0)
		add_step(q, STEP_SET, "net.ipv4.conf.all.rp_filter=1", NULL, NULL, NULL, report_q_asprintf(q,
			 "Set net.ipv4.conf.all.rp_filter=1 (strict; 2, loose, where routing is "
			 "asymmetric): with rp_filter=0 no reverse-path check stopped the %llu "
			 "bogon and unexpected-source packets.",
			 (unsigned long long)(bog->v4_pass + unx->v4_pass)));
	else if (rp == 1)
		add_step(q, STEP_KEEP, "net.ipv4.conf.all.rp_filter=1", NULL, NULL, NULL, report_q_asprintf(q,
			 "Keep net.ipv4.conf.all.rp_filter=1: it drops sources whose route back "
			 "leaves by another interface."));
	if (bog->passed + unx->passed || rp == 2)
		add_step(q, STEP_RULE, NULL, "-t raw -A PREROUTING -m rpfilter --invert -j DROP",
			 "fib saddr . iif oif missing drop", NULL, report_q_asprintf(q,
			 "Drop sources with no route back through the arriving interface in raw "
			 "PREROUTING (iptables and ip6tables; nft: an inet prerouting chain)."));
}

/* rpf_fail (the reverse-path check of the host's routes): what rp_filter=1 would do on
 * each interface the packets arrived on that does not drop them already. */
static void steps_rpf(struct vctx *v)
{
	struct report_qctx *q = v->q;
	int c = report_spoof_class_index("rpf_fail");
	char *ifaces = NULL, *set = NULL;
	uint64_t n = 0;

	if (c < 0 || !v->a[c].packets)
		return;
	for (int d = K_PASS; d <= K_UNKNOWN; d++)
		for (int i = 0; i < VREASONS && v->a[c].why[d][i].why; i++) {
			n += v->a[c].why[d][i].n;
			if (!ifaces || !strstr(ifaces, v->a[c].why[d][i].ifaces))
				append(q, &ifaces, v->a[c].why[d][i].ifaces);
		}
	if (!n || !ifaces)
		goto out;
	if (!strchr(ifaces, ','))
		set = report_q_asprintf(q, "net.ipv4.conf.%s.rp_filter=1", ifaces);
	add_step(q, STEP_SET, set, NULL, NULL, NULL, report_q_asprintf(q,
		 "%llu packets on %s came from sources whose route back leaves by another "
		 "interface or does not exist (rpf_fail): where routing there is symmetric, set "
		 "rp_filter=1 on %s to drop them; where it is asymmetric on purpose, collect with "
		 "--rpf IFACE=loose (or off) instead.", (unsigned long long)n, ifaces,
		 strchr(ifaces, ',') ? "those interfaces" : "that interface"));
out:
	free(ifaces);
	free(set);
}

static void steps_common(struct vctx *v, uint64_t spoofed)
{
	struct report_qctx *q = v->q;
	char *cmd;

	if (spoofed && !v->has_kernel)
		add_step(q, STEP_RECORD, NULL, NULL, NULL,
			 "sysctl net.ipv4.conf.all.route_localnet net.ipv4.conf.all.rp_filter "
			 "net.ipv4.conf.all.accept_local", report_q_asprintf(q,
			 "No kernel context was recorded for these packets: read the capturing "
			 "host's settings (or run spoofaudit collect live there, which records them)."));
	for (int c = 0; c < REPORT_NSPOOF; c++)
		if (v->a[c].replies || v->a[c].errors)
			add_step(q, STEP_REVIEW, NULL, NULL, NULL, NULL, report_q_asprintf(q,
				 "The host answered forged %s packets: find the answering service "
				 "in the top ports and drop the class before INPUT.",
				 report_spoof_classes[c]));
	if (v->all_viol) {
		cmd = report_q_asprintf(q, "spoofaudit check --violations --db %s --since @%lld --until @%lld",
				q->h->path, (long long)(q->r->since_us / REPORT_USEC),
				(long long)(q->r->until_us / REPORT_USEC));
		add_step(q, STEP_REVIEW, NULL, NULL, NULL, cmd, report_q_asprintf(q,
			 "Review the live audit's violations of the period: %s.", v->all_viol));
		free(cmd);
	}
	cmd = report_q_asprintf(q, "spoofaudit check --ruleset NEW --db %s", q->h->path);
	add_step(q, STEP_CHECK, NULL, NULL, NULL, cmd, report_q_asprintf(q,
		 "Before loading a changed ruleset, save it (iptables-save > NEW) and check it "
		 "against the traffic recorded here."));
	free(cmd);
}

/* The span of the period's flows, for a view from capture files. */
static int read_span(struct report_qctx *q)
{
	struct store_rows *s = report_q_open(q, "verdict_span.sql");
	int rc;

	if (!s)
		return -1;
	rc = report_q_step(q, s);
	q->h->file_secs = -1;
	if (rc == 1 && !store_col_isnull(s, 0))
		q->h->file_secs = (store_col_int(s, 1) - store_col_int(s, 0)) / REPORT_USEC;
	store_rows_free(s);
	return rc < 0 ? -1 : 0;
}

int report_q_verdict(struct report_qctx *q)
{
	struct vctx v;
	uint64_t spoofed = 0;
	char *bs, *sus;
	int ret = -1;

	memset(&v, 0, sizeof(v));
	v.q = q;
	for (size_t i = 0; i < q->r->tables[RT_KERNEL].nrows; i++)
		if (!strcmp(q->r->tables[RT_KERNEL].cells[i * q->r->tables[RT_KERNEL].ncols].s,
			    q->h->name))
			v.has_kernel = 1;
	if (read_span(q) < 0 || read_classes(&v) < 0 || read_answers(&v) < 0 ||
	    read_violations(&v) < 0)
		goto out;
	for (int c = 0; c < REPORT_NSPOOF; c++) {
		spoofed += v.a[c].packets;
		if (v.a[c].packets && add_class(&v, c) < 0)
			goto out;
	}
	if (spoofed) {
		steps_loopback(&v);
		steps_own_rp(&v);
		steps_rpf(&v);
	}
	steps_common(&v, spoofed);
	if (report_q_suspect(q, &sus) < 0)
		goto out;
	add_step(q, STEP_REVIEW, NULL, NULL, NULL, NULL, sus);	/* takes sus; NULL: none */
	if (report_q_backscatter(q, &bs) < 0)
		goto out;
	add_step(q, STEP_REVIEW, NULL, NULL, NULL, NULL, bs);	/* takes bs; NULL: none */
	ret = q->oom ? -1 : 0;
out:
	for (int c = 0; c < REPORT_NSPOOF; c++) {
		free(v.a[c].violations);
		free(v.a[c].spoof_accepted);
	}
	free(v.all_viol);
	return ret;
}
