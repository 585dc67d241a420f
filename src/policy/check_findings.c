/* This file contains the policy checker's findings: outcomes described in words, and
 * the per-flow outcomes grouped into findings (spoof holes, loopback breakage,
 * uncertainty, the diff between two rulesets) weighted by flows and packets, each share
 * of the flows on its own thread, the shares' groups merged in flow order. */
#include "policy/check.h"
#include "common/util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const check_kind_names[CK_COUNT] = {
	"spoof", "loopback_breakage", "uncertain", "newly_blocked", "newly_accepted",
	"newly_uncertain", "newly_certain", "block_kind_changed", "spoof_hole_opened",
	"spoof_hole_closed",
};


/* ---- describing outcomes ---- */

void check_rule_name(const struct policy_rules *rs, uint32_t rule, char *buf, size_t len)
{
	policy_rule_name(rs, rule, buf, len);
}

void check_possible_text(unsigned p, char *buf, size_t len)
{
	size_t l = 0;
	int v;

	buf[0] = '\0';
	for (v = 0; v < 3; v++)
		if (p & IPT_VSET(v))
			l += (size_t)snprintf(buf + l, len - l, "%s%s", l ? "," : "",
					      ipt_verdict_name((enum ipt_verdict)v));
}

/* One outcome as a sentence fragment: "DROP by filter INPUT #3 (line 9)". */
void check_res_text(const struct policy_rules *rs, const struct check_res *r, char *buf, size_t len)
{
	char rn[160], pv[32];

	switch (r->by) {
	case IPT_BY_RULE:
		check_rule_name(rs, r->rule, rn, sizeof(rn));
		snprintf(buf, len, "%s by %s", ipt_verdict_name((enum ipt_verdict)r->verdict), rn);
		break;
	case IPT_BY_POLICY:
		if (policy_chain_name(rs, r->chain, rn, sizeof(rn)) == 0)
			snprintf(buf, len, "%s by the policy of %s",
				 ipt_verdict_name((enum ipt_verdict)r->verdict), rn);
		else
			snprintf(buf, len, "%s by a policy", ipt_verdict_name((enum ipt_verdict)r->verdict));
		break;
	case IPT_BY_PATH_END:
		snprintf(buf, len, "ACCEPT (no rule or policy decided)");
		break;
	case IPT_BY_MARTIAN:
		snprintf(buf, len, "DROP by the kernel's martian check (%s) before %s",
			 ipt_martian_name((enum ipt_martian)r->martian),
			 rs && rs->lang == POLICY_NFT ? "the input hook" : "filter INPUT");
		break;
	case IPT_BY_DEFRAG:
		snprintf(buf, len, "DROP: a lone fragment held by defragmentation");
		break;
	default:
		check_possible_text(r->possible, pv, sizeof(pv));
		if (r->uncertain_rule != IPT_NONE) {
			check_rule_name(rs, r->uncertain_rule, rn, sizeof(rn));
			snprintf(buf, len, "UNKNOWN (possible %s), first undecided: %s", pv, rn);
		} else {
			snprintf(buf, len, "UNKNOWN (possible %s), the routing decision is undecided", pv);
		}
		break;
	}
}

/* ---- findings ---- */

static int res_same(const struct check_res *a, const struct check_res *b)
{
	return a->verdict == b->verdict && a->possible == b->possible && a->by == b->by &&
	       a->rule == b->rule && a->chain == b->chain && a->martian == b->martian &&
	       a->uncertain_rule == b->uncertain_rule;
}


static uint64_t res_hash(uint64_t h, const struct check_res *r)
{
	uint32_t v[6] = {r->verdict, r->possible, r->by, r->martian, r->rule, r->chain};

	h = util_fnv(h, v, sizeof(v));
	return util_fnv(h, &r->uncertain_rule, sizeof(r->uncertain_rule));
}

static uint64_t group_hash(enum check_kind kind, int fam, const char *label,
			   const struct check_res *a, const struct check_res *b)
{
	uint32_t k[3] = {(uint32_t)kind, (uint32_t)fam, b != NULL};
	uint64_t h = util_fnv(1469598103934665603ull, k, sizeof(k));

	h = util_fnv(h, label, strlen(label));
	h = res_hash(h, a);
	return b ? res_hash(h, b) : h;
}

static int group_is(const struct check_group *y, enum check_kind kind, int fam, const char *label,
		    const struct check_res *a, const struct check_res *b)
{
	return y->kind == kind && y->fam == fam && !strcmp(y->label, label) && res_same(&y->a, a) &&
	       y->have_b == (b != NULL) && (!b || res_same(&y->b, b));
}

/* Rebuilds the index with twice the slots. -1 ENOMEM. */
static int groups_rehash(struct check_groups *g)
{
	size_t ns = g->nslots ? g->nslots * 2 : 64, k;
	uint32_t *sl;

	while (ns < (g->n + 1) * 2)
		ns *= 2;
	sl = malloc(ns * sizeof(*sl));
	if (!sl) {
		errno = ENOMEM;
		return -1;
	}
	memset(sl, 0xff, ns * sizeof(*sl));
	for (k = 0; k < g->n; k++) {
		const struct check_group *y = &g->v[k];
		uint64_t x = group_hash(y->kind, y->fam, y->label, &y->a, y->have_b ? &y->b : NULL);

		for (x &= ns - 1; sl[x] != UINT32_MAX; x = (x + 1) & (ns - 1))
			;
		sl[x] = (uint32_t)k;
	}
	free(g->slots);
	g->slots = sl;
	g->nslots = ns;
	return 0;
}

/* The group (kind, fam, label, a, b), created empty when there is none. NULL ENOMEM. */
static struct check_group *group_get(struct check_groups *g, enum check_kind kind, int fam,
				     const char *label, const struct check_res *a,
				     const struct check_res *b)
{
	struct check_group *x = NULL;
	uint64_t h;

	if ((g->n + 1) * 2 > g->nslots && groups_rehash(g) < 0)
		return NULL;
	for (h = group_hash(kind, fam, label, a, b) & (g->nslots - 1); g->slots[h] != UINT32_MAX;
	     h = (h + 1) & (g->nslots - 1))
		if (group_is(&g->v[g->slots[h]], kind, fam, label, a, b)) {
			x = &g->v[g->slots[h]];
			break;
		}
	if (!x) {
		if (util_grow((void **)&g->v, &g->cap, g->n, sizeof(*g->v)) < 0)
			return NULL;
		g->slots[h] = (uint32_t)g->n;
		x = &g->v[g->n++];
		memset(x, 0, sizeof(*x));
		x->kind = kind;
		x->fam = fam;
		snprintf(x->label, sizeof(x->label), "%s", label);
		x->a = *a;
		if (b) {
			x->b = *b;
			x->have_b = 1;
		}
	}
	return x;
}

int check_group_add(struct check_groups *g, enum check_kind kind, int fam, const char *label,
		    const struct check_res *a, const struct check_res *b,
		    const struct check_flows *fs, size_t i, uint64_t packets, uint64_t maybe)
{
	struct check_group *x = group_get(g, kind, fam, label, a, b);

	if (!x)
		return -1;
	x->flows++;
	x->packets += packets;
	x->maybe_packets += maybe;
	x->bytes += packets + maybe == fs->v[i].packets || !fs->v[i].packets ? fs->v[i].bytes :
		    (uint64_t)((double)fs->v[i].bytes * (double)(packets + maybe) /
			       (double)fs->v[i].packets);
	if (x->nex < CHECK_EXAMPLES)
		x->ex[x->nex++] = i;
	return 0;
}

void check_uncertain_label(const struct policy_rules *rs, uint32_t rule, unsigned unknown,
			   char *buf, size_t len)
{
	if (policy_rule_undecided(rs, rule, unknown, buf, len) < 0)
		snprintf(buf, len, "routing decision (kernel context unknown)");
}

static int cmp_group(const void *a, const void *b)
{
	const struct check_group *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->packets != y->packets)
		return x->packets > y->packets ? -1 : 1;
	return x->flows > y->flows ? -1 : x->flows < y->flows;
}

static int blocked(unsigned v)
{
	return v == IPT_V_DROP || v == IPT_V_REJECT;
}

/* "udp/5353", "icmp type 8", "proto 47": the service of a loopback flow. */
static void service_label(const struct check_flow *f, char *label, size_t len)
{
	unsigned svc = f->dport ? f->dport : f->sport;
	const char *pn = f->proto == 6 ? "tcp" : f->proto == 17 ? "udp" :
			 f->proto == 1 ? "icmp" : f->proto == 58 ? "icmpv6" : NULL;

	if (f->proto == 1 || f->proto == 58)
		snprintf(label, len, "%s type %u", pn, f->dport >> 8);
	else if (pn)
		snprintf(label, len, "%s/%u", pn, svc);
	else
		snprintf(label, len, "proto %u", f->proto);
}

/* The diff kind of outcome r against the --against side's o, CK_COUNT when the same. */
static enum check_kind diff_kind(const struct check_res *r, const struct check_res *o)
{
	if (r->verdict == IPT_V_UNKNOWN && o->verdict != IPT_V_UNKNOWN)
		return CK_NEW_UNCERTAIN;
	if (r->verdict != IPT_V_UNKNOWN && o->verdict == IPT_V_UNKNOWN)
		return CK_NEW_CERTAIN;
	if (r->verdict == IPT_V_UNKNOWN || r->verdict == o->verdict)
		return CK_COUNT;
	if (blocked(r->verdict) && o->verdict == IPT_V_ACCEPT)
		return CK_NEW_BLOCKED;
	if (r->verdict == IPT_V_ACCEPT && blocked(o->verdict))
		return CK_NEW_ACCEPTED;
	return CK_BLOCK_CHANGED;
}

/* The findings of flow i's packets after the answer, when it has some on the new side
 * (res_est evaluated): loopback breakage, and the diff. -1 ENOMEM. */
static int later_findings(struct check_groups *g, const struct check_flows *fs, size_t i,
			  const struct check_side *ns, const struct check_side *old)
{
	const struct check_flow *f = &fs->v[i];
	const struct check_res *r = &ns->res_est[i];
	uint64_t n = f->pk_est + f->pk_amb;
	int fam = f->family == 6;
	char label[96], svc[48];
	enum check_kind k;

	if (!n || !r->possible)
		return 0;
	if (f->loopback && (r->possible & (IPT_VSET_DROP | IPT_VSET_REJECT))) {
		service_label(f, svc, sizeof(svc));
		snprintf(label, sizeof(label), "%s, %s", svc, CHECK_LATER_LABEL);
		if (check_group_add(g, CK_BREAKAGE, fam, label, r, NULL, fs, i, f->pk_est,
				    f->pk_amb) < 0)
			return -1;
	}
	if (!old || !old->rs[fam] || !old->res_est[i].possible)
		return 0;
	k = diff_kind(r, &old->res_est[i]);
	if (k != CK_COUNT &&
	    check_group_add(g, k, fam, CHECK_LATER_LABEL, r, &old->res_est[i], fs, i, f->pk_est,
			    f->pk_amb) < 0)
		return -1;
	return 0;
}

/* The spoof label of flow f ("class/subclass") into label; *memo (class << 16 |
 * subclass, + 1) says which label is there already. */
static void spoof_label(const struct check_flows *fs, const struct check_flow *f, char *label,
			size_t len, uint32_t *memo)
{
	uint32_t key = ((uint32_t)f->cls << 16 | f->subclass) + 1;

	if (*memo == key)
		return;
	snprintf(label, len, "%s/%s", check_class_name(f->cls), fs->subclasses[f->subclass]);
	*memo = key;
}

/* One share of the findings: the flows [from, to) into g (groups in the order their
 * first flow comes). */
struct fpart {
	struct check_groups g;
	const struct check_flows *fs;
	const struct check_side *ns, *old;
	const struct check_res *alone;
	int later, ret;
	size_t from, to;
};

/* The diff groups of flow i's first packet (old side evaluated). -1 ENOMEM. */
static int diff_findings(struct check_groups *g, const struct check_flows *fs, size_t i,
			 const struct check_side *ns, const struct check_side *old, char *label,
			 size_t len, uint32_t *memo)
{
	const struct check_flow *f = &fs->v[i];
	const struct check_res *r = &ns->res[i], *o = &old->res[i];
	enum check_kind k = diff_kind(r, o);
	int fam = f->family == 6;
	int acc_n = (r->possible & IPT_VSET_ACCEPT) != 0;
	int acc_o = (o->possible & IPT_VSET_ACCEPT) != 0;

	if (k != CK_COUNT && check_group_add(g, k, fam, "", r, o, fs, i, f->packets, 0) < 0)
		return -1;
	if (f->spoof && acc_n != acc_o) {
		spoof_label(fs, f, label, len, memo);
		if (check_group_add(g, acc_n ? CK_HOLE_OPENED : CK_HOLE_CLOSED, fam, label, r, o,
				    fs, i, f->packets, 0) < 0)
			return -1;
	}
	return 0;
}

static void *findings_part(void *arg)
{
	struct fpart *p = arg;
	const struct check_flows *fs = p->fs;
	const struct check_side *ns = p->ns, *old = p->old;
	char label[96], slabel[96];
	uint32_t memo = 0;
	size_t i;

	p->ret = -1;
	for (i = p->from; i < p->to; i++) {
		const struct check_flow *f = &fs->v[i];
		const struct check_res *r = &ns->res[i];
		int fam = f->family == 6;

		if (!ns->rs[fam])
			continue;
		if (f->spoof) {
			spoof_label(fs, f, slabel, sizeof(slabel), &memo);
			if (check_group_add(&p->g, CK_SPOOF, fam, slabel, r,
					    r->by == IPT_BY_MARTIAN && p->alone ? &p->alone[i] : NULL,
					    fs, i, f->packets, 0) < 0)
				return NULL;
		}
		if (f->loopback && (r->possible & (IPT_VSET_DROP | IPT_VSET_REJECT))) {
			service_label(f, label, sizeof(label));
			if (check_group_add(&p->g, CK_BREAKAGE, fam, label, r, NULL, fs, i, f->packets,
					    0) < 0)
				return NULL;
		}
		if (r->verdict == IPT_V_UNKNOWN) {
			check_uncertain_label(ns->rs[fam], r->uncertain_rule, f->unknown, label,
					      sizeof(label));
			if (check_group_add(&p->g, CK_UNCERTAIN, fam, label, r, NULL, fs, i, f->packets,
					    0) < 0)
				return NULL;
		}
		if (old && old->rs[fam] &&
		    diff_findings(&p->g, fs, i, ns, old, slabel, sizeof(slabel), &memo) < 0)
			return NULL;
		if (p->later && ns->res_est &&
		    later_findings(&p->g, fs, i, ns, old && old->res_est ? old : NULL) < 0)
			return NULL;
	}
	p->ret = 0;
	return NULL;
}

/* Adds the groups of y (a later share's) to g: sums, and the examples g lacks. -1 ENOMEM. */
static int groups_merge(struct check_groups *g, const struct check_groups *y)
{
	size_t k;

	for (k = 0; k < y->n; k++) {
		const struct check_group *s = &y->v[k];
		struct check_group *x = group_get(g, s->kind, s->fam, s->label, &s->a,
						  s->have_b ? &s->b : NULL);
		unsigned e;

		if (!x)
			return -1;
		x->flows += s->flows;
		x->packets += s->packets;
		x->maybe_packets += s->maybe_packets;
		x->bytes += s->bytes;
		for (e = 0; e < s->nex && x->nex < CHECK_EXAMPLES; e++)
			x->ex[x->nex++] = s->ex[e];
	}
	return 0;
}

#define FINDINGS_THREADS_MAX 4
#define FINDINGS_FLOWS_PER_THREAD 50000	/* fewer flows are not worth a thread */

/* ns->threads (at most FINDINGS_THREADS_MAX), or with 0 one per online CPU, at most
 * FINDINGS_THREADS_MAX, each with FINDINGS_FLOWS_PER_THREAD flows. */
static unsigned findings_threads(size_t n, unsigned want)
{
	return util_threads(n, want, FINDINGS_THREADS_MAX, FINDINGS_FLOWS_PER_THREAD);
}

/* The groups of every flow, each share on its own thread into its own groups, merged in
 * flow order: the groups, their order and their examples are those of one pass. */
static int findings(struct check_groups *g, const struct check_flows *fs,
		    const struct check_side *ns, const struct check_res *alone,
		    const struct check_side *old, int later)
{
	struct fpart p[FINDINGS_THREADS_MAX];
	pthread_t tid[FINDINGS_THREADS_MAX];
	int started[FINDINGS_THREADS_MAX] = {0};
	unsigned nt = findings_threads(fs->n, ns->threads), t;
	int ret = 0;

	memset(p, 0, sizeof(p));
	for (t = 0; t < nt; t++) {
		p[t].fs = fs;
		p[t].ns = ns;
		p[t].old = old;
		p[t].alone = alone;
		p[t].later = later;
		p[t].from = fs->n * t / nt;
		p[t].to = fs->n * (t + 1) / nt;
	}
	for (t = 1; t < nt; t++)
		started[t] = pthread_create(&tid[t], NULL, findings_part, &p[t]) == 0;
	findings_part(&p[0]);
	for (t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else	/* no thread: its share on this one */
			findings_part(&p[t]);
	}
	for (t = 0; t < nt; t++) {
		if (p[t].ret < 0 || (ret == 0 && groups_merge(g, &p[t].g) < 0))
			ret = -1;
		check_groups_free(&p[t].g);
	}
	if (ret < 0) {
		errno = ENOMEM;
		return -1;
	}
	if (g->n)
		qsort(g->v, g->n, sizeof(*g->v), cmp_group);
	free(g->slots);	/* the order changed: the index is stale */
	g->slots = NULL;
	g->nslots = 0;
	return 0;
}

int check_findings(struct check_groups *g, const struct check_flows *fs,
		   const struct check_side *ns, const struct check_res *alone,
		   const struct check_side *old)
{
	return findings(g, fs, ns, alone, old, 0);
}

int check_findings_packets(struct check_groups *g, const struct check_flows *fs,
			   const struct check_side *ns, const struct check_res *alone,
			   const struct check_side *old)
{
	return findings(g, fs, ns, alone, old, 1);
}

void check_groups_free(struct check_groups *g)
{
	free(g->v);
	free(g->slots);
	memset(g, 0, sizeof(*g));
}
