/* This file contains the live policy audit (see audit.h): per-new-flow evaluation with
 * check.c's flow derivation, the joins that find live evidence (replies to flows the
 * intended policy drops, NFLOG drop prefixes, unanswered attempts), the comparison of the
 * live kernel ruleset with the intended one, and the rate-limited violation lines and
 * rows.
 *
 * Memory is bounded whatever the traffic: every table below has a fixed size and
 * overwrites (replies, dropped requests) or forgets its oldest entry (signatures) when
 * full; pending rows are written at every collector flush and force one when full. */
#include "policy/audit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/check.h"
#include "policy/policy.h"
#include "classify/classify.h"
#include "common/prefix.h"
#include "common/util.h"

const char *const audit_kind_names[AK_COUNT] = {
	"spoof_accepted", "loopback_blocked", "live_reply", "live_nflog_drop", "live_no_reply",
	"live_differs", "ruleset_differs",
};

#define DROPPED_SLOTS 8192	/* incoming flows the intended policy blocks (power of 2) */
#define REPLY_SLOTS 2048	/* recent outgoing/loopback first packets (power of 2) */
#define REPLY_SNAP 256		/* bytes of such a packet kept, for evidence */
#define SIG_SLOTS 4096		/* distinct violations rate-limited at once (power of 2) */
#define SIG_PROBE 16
#define PEND_MAX 1024		/* violations waiting for the next flush */
#define PEND_EV 4		/* evidence packets linked per pending violation */
#define NOREPLY_SLOTS 1024	/* attempts waiting for a reply (power of 2) */
#define SERVICE_SLOTS 1024	/* (proto, port) that answered on loopback (power of 2) */

/* e->audit: the intended verdict of the flow's first packet, once evaluated. */
#define E_EVALUATED 0x04
#define E_VERDICT(x) ((x) & 0x03)

/* A packet's addresses, protocol and real (uncollapsed) ports; ICMP: dport type << 8. */
struct tuple {
	uint8_t family, proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
};

/* Requests and replies are joined on the remote address and port, protocol and local
 * port only: a UDP service bound to 0.0.0.0 answers a 127/8 source from 127.0.0.1 (the
 * source address of the route over lo), not from the address the request was sent to. */
struct dropped {
	struct tuple jk;	/* join key: the request's tuple with its destination zeroed */
	struct tuple t;
	struct flow_key key;	/* the request's flow */
	uint64_t ts;
	struct check_res ri;
	uint8_t used;
};

struct reply {
	struct tuple jk;	/* join key of the request it would answer */
	struct tuple t;		/* the reply as a reply: reverse of the request it answers */
	struct flow_key key;	/* its flow */
	uint64_t ts;
	int linktype;
	uint32_t caplen, wirelen;
	uint8_t data[REPLY_SNAP];
	uint8_t used, icmp;
};

struct sigent {
	uint64_t h;
	uint64_t last_line, last_seen;
	uint64_t total, since_line;
	int pend;		/* index into pend[] when pend_gen matches */
	uint32_t pend_gen;
	uint8_t used;
	char text[240];		/* the line, for repeat summaries */
	const char *kind, *strength;
};

struct pend {
	uint64_t h;
	char *sig, *flow, *iface, *intended, *live, *evidence, *message;
	const char *kind, *strength, *cls;
	struct flow_entry *e, *ee;
	int64_t flow_id, ee_id;	/* when no entry: a recorded flow's id */
	uint64_t first, last, count, packets, lines;
	int family, proto, dport;
	struct { struct flow_entry *e; uint64_t ts; } ev[PEND_EV];
	unsigned nev;
};

struct noreply {
	struct tuple t;		/* client -> host:port, client port 0 */
	struct flow_key key, rkey;	/* the attempts' flow and its reverse */
	uint64_t first;
	uint32_t attempts;
	struct check_res ri;
	uint8_t used;
};

struct service {
	uint8_t proto, used;
	uint16_t port;
};

/* One ruleset side, both families. */
struct evalset {
	struct policy pol;	/* the parsed and compiled rulesets */
	struct ipt_eval *ev[2];
	uint8_t *match[2];	/* per rule: the other side has it too (after a diff) */
};

struct audit {
	struct audit_opts o;
	struct collector *c;
	struct store *st;
	int64_t run_id;
	struct check_host h;
	uint64_t host_hash;
	struct evalset in, lv;
	int live_known[2], live_same[2];
	uint64_t live_hash[2];
	char *live_text[2];
	size_t live_len[2];
	char live_note[2][256];
	uint8_t pfx_state[COLLECTOR_MAX_PREFIXES];	/* 0 unknown, 1 drop, 2 not */
	char (*pfx_why)[200];
	struct dropped *dropped;
	struct reply *replies;
	struct sigent *sigs;
	struct pend *pend;
	size_t npend;
	uint32_t pend_gen;
	struct noreply *noreply;
	struct service *services;
	double tokens;
	uint64_t tokens_usec, last_scan_usec;
	int flushing;
	struct audit_stats s;
};

void audit_opts_default(struct audit_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->alert = alert_default();
	o->repeat_s = 60;
	o->lines_per_s = 10;
	o->noreply_attempts = 3;
	o->noreply_wait_s = 5;
	o->window_s = 3600;
	o->window_max_flows = 200000;
}

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

static void join_key(const struct tuple *request, struct tuple *jk)
{
	*jk = *request;
	memset(jk->dst, 0, sizeof(jk->dst));
}

static uint64_t tuple_hash(const struct tuple *t)
{
	return hash_bytes(t, sizeof(*t), 1469598103934665603ull);
}

static void tuple_reverse(const struct tuple *t, struct tuple *r)
{
	memset(r, 0, sizeof(*r));
	r->family = t->family;
	r->proto = t->proto;
	memcpy(r->src, t->dst, 16);
	memcpy(r->dst, t->src, 16);
	if (t->proto == 1 || t->proto == 58) {	/* echo request <-> reply */
		unsigned ty = t->dport >> 8, x = 255;

		if (t->family == 4)
			x = ty == 8 ? 0 : ty == 0 ? 8 : ty == 13 ? 14 : ty == 14 ? 13 : 255;
		else
			x = ty == 128 ? 129 : ty == 129 ? 128 : 255;
		r->dport = (uint16_t)(x << 8);
		return;
	}
	r->sport = t->dport;
	r->dport = t->sport;
}

static void tuple_of(const struct pkt_record *r, struct tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = r->family;
	t->proto = r->proto;
	memcpy(t->src, r->src, 16);
	memcpy(t->dst, r->dst, 16);
	if (r->have & PKT_HAVE_PORTS) {
		t->sport = r->sport;
		t->dport = r->dport;
	} else if (r->have & PKT_HAVE_ICMP) {
		t->dport = (uint16_t)(r->icmp_type << 8);
	}
}

static int blocked(unsigned v)
{
	return v == IPT_V_DROP || v == IPT_V_REJECT;
}

static const char *proto_name(unsigned p, char *buf, size_t len)
{
	if (p == 6)
		return "tcp";
	if (p == 17)
		return "udp";
	if (p == 1)
		return "icmp";
	if (p == 58)
		return "icmpv6";
	snprintf(buf, len, "proto %u", p);
	return buf;
}

/* ---- rulesets ---- */

static void evalset_free_family(struct evalset *s, int f)
{
	ipt_eval_free(s->ev[f]);
	ipt_compiled_free(s->pol.cp[f]);
	ipt_ruleset_free(s->pol.rs[f]);
	free(s->match[f]);
	s->ev[f] = NULL;
	s->pol.cp[f] = NULL;
	s->pol.rs[f] = NULL;
	s->match[f] = NULL;
}

/* Takes family slot f of p (parsed and compiled) into s, with an evaluator over the host
 * context; p's slot becomes empty. */
static int evalset_set(struct audit *a, struct evalset *s, int f, struct policy *p)
{
	evalset_free_family(s, f);
	if (!p->rs[f])
		return 0;
	policy_move(&s->pol, p, f);
	s->ev[f] = ipt_eval_new(s->pol.rs[f], &a->h.ctx);
	s->match[f] = calloc(ipt_rule_count(s->pol.rs[f]) + 1, 1);
	if (!s->ev[f] || !s->match[f] || ipt_eval_set_compiled(s->ev[f], s->pol.cp[f]) < 0) {
		evalset_free_family(s, f);
		return -1;
	}
	return 0;
}

/* Evaluators borrow the host context: rebuild them after it changed. */
static int evalset_renew(struct audit *a, struct evalset *s)
{
	int f;

	for (f = 0; f < 2; f++) {
		if (!s->pol.rs[f])
			continue;
		ipt_eval_free(s->ev[f]);
		s->ev[f] = ipt_eval_new(s->pol.rs[f], &a->h.ctx);
		if (!s->ev[f] || ipt_eval_set_compiled(s->ev[f], s->pol.cp[f]) < 0)
			return -1;
	}
	return 0;
}

/* ---- host context, as `check` builds it from the database, here from the kernel ---- */

static int host_build(struct audit *a, struct check_host *h, uint64_t *hash)
{
	struct hostinfo *hi = calloc(1, sizeof(*hi));
	struct hostctx hc;
	unsigned i;
	int ret = -1;

	memset(&hc, 0, sizeof(hc));
	memset(h, 0, sizeof(*h));
	if (!hi)
		return -1;
	if (hostinfo_read(hi) < 0)
		hi->n_addrs = hi->n_ifaces = 0;
	if (hostctx_read_kernel(&hc, hi) < 0)
		goto out;
	for (i = 0; i < a->c->n_ifaces; i++) {
		const struct iface_info *ifc = &a->c->ifaces[i].info;

		if (hostctx_add_iface(&hc, ifc->name, ifc->role, ifc->prefixes, ifc->n_prefixes) < 0)
			goto out;
	}
	if (check_host_build(h, &hc, -1, -1, -1) < 0)
		goto out;
	*hash = hostctx_hash(&hc);
	ret = 0;
out:
	hostctx_free(&hc);
	free(hi);
	return ret;
}

void audit_refresh_host(struct audit *a)
{
	struct check_host h;
	uint64_t hash;

	if (host_build(a, &h, &hash) < 0)
		return;
	if (hash == a->host_hash) {
		check_host_free(&h);
		return;
	}
	check_host_free(&a->h);
	a->h = h;
	a->host_hash = hash;
	if (evalset_renew(a, &a->in) < 0 || evalset_renew(a, &a->lv) < 0)
		util_log(LOG_LVL_ERR, "policy audit: out of memory renewing evaluators");
}

/* ---- violations: lines, rate limit, pending rows ---- */

/* A violation as found. */
struct vio {
	enum audit_kind kind;
	int weak;
	const char *sig;
	struct flow_entry *e;		/* the violating flow (may be NULL) */
	int64_t flow_id;		/* or its row id (recorded flows) */
	const char *flow, *iface, *cls;
	int family, proto, dport;
	const char *intended, *live, *evidence;
	struct flow_entry *ee;		/* the evidence flow (may be NULL) */
	uint64_t ev_ts[2];		/* evidence packets: (ee, ev_ts[0]) and (e, ev_ts[1]) */
	uint64_t count, packets;
	int force;			/* emit the line even within the repeat window */
};

static void pend_free_strings(struct pend *p)
{
	free(p->sig);
	free(p->flow);
	free(p->iface);
	free(p->intended);
	free(p->live);
	free(p->evidence);
	free(p->message);
}

static char *dup0(const char *s)
{
	return strdup(s ? s : "");
}

static void pend_evidence(struct pend *p, struct flow_entry *e, uint64_t ts)
{
	unsigned i;

	if (!e || !ts)
		return;
	for (i = 0; i < p->nev; i++)
		if (p->ev[i].e == e && p->ev[i].ts == ts)
			return;
	if (p->nev < PEND_EV) {
		p->ev[p->nev].e = e;
		p->ev[p->nev].ts = ts;
		p->nev++;
	}
}

static int on_flush(void *arg);

static struct pend *pend_new(struct audit *a)
{
	if (a->npend == PEND_MAX && !a->flushing)
		collector_flush(a->c, 0);	/* writes them (on_flush) */
	if (a->npend == PEND_MAX)
		return NULL;
	memset(&a->pend[a->npend], 0, sizeof(a->pend[0]));
	return &a->pend[a->npend++];
}

static struct sigent *sig_get(struct audit *a, uint64_t h, int *isnew)
{
	struct sigent *oldest = NULL;
	unsigned i;

	*isnew = 0;
	for (i = 0; i < SIG_PROBE; i++) {
		struct sigent *s = &a->sigs[(h + i) & (SIG_SLOTS - 1)];

		if (s->used && s->h == h)
			return s;
		if (!s->used) {
			oldest = s;
			break;
		}
		if (!oldest || s->last_seen < oldest->last_seen)
			oldest = s;
	}
	/* forget the oldest (its counts are in the table already or pending) */
	memset(oldest, 0, sizeof(*oldest));
	oldest->used = 1;
	oldest->h = h;
	*isnew = 1;
	return oldest;
}

static int take_token(struct audit *a, uint64_t now)
{
	double rate = a->o.lines_per_s ? a->o.lines_per_s : 1, burst = rate * 10;

	a->tokens += (double)(now - a->tokens_usec) * rate / 1e6;
	a->tokens_usec = now;
	if (a->tokens > burst)
		a->tokens = burst;
	if (a->tokens < 1)
		return 0;
	a->tokens -= 1;
	return 1;
}

static void violation(struct audit *a, const struct vio *v)
{
	uint64_t now = util_now_usec(), h = hash_bytes(v->sig, strlen(v->sig), 1469598103934665603ull);
	const char *strength = v->weak ? "weak" : "strong";
	char msg[2048];
	struct sigent *s;
	struct pend *p;
	int isnew, line = 0;
	uint64_t count = v->count ? v->count : 1;

	snprintf(msg, sizeof(msg), "%s%s%s%s%s%s%s%s%s", v->flow ? v->flow : "",
		 v->intended && *v->intended ? "; intended: " : "", v->intended ? v->intended : "",
		 v->live && *v->live ? "; live: " : "", v->live ? v->live : "",
		 v->evidence && *v->evidence ? "; evidence: " : "", v->evidence ? v->evidence : "",
		 v->weak ? " (weak evidence)" : "", "");
	a->s.violations += count;
	a->s.kind[v->kind] += count;
	s = sig_get(a, h, &isnew);
	s->last_seen = now;
	s->total += count;
	if (isnew || v->force ||
	    (!s->since_line && now - s->last_line >= (uint64_t)a->o.repeat_s * 1000000u)) {
		if (take_token(a, now)) {
			struct alert_line l;

			memset(&l, 0, sizeof(l));
			l.kind = audit_kind_names[v->kind];
			l.strength = strength;
			l.ts_usec = now;
			l.flow = v->flow;
			l.intended = v->intended;
			l.live = v->live;
			l.evidence = v->evidence;
			l.text = msg;
			l.total = s->total;
			alert_emit(a->o.alert, &l);
			a->s.lines++;
			line = 1;
		} else {
			a->s.lines_suppressed++;
			s->since_line++;
		}
		s->last_line = now;
		s->kind = audit_kind_names[v->kind];
		s->strength = strength;
		snprintf(s->text, sizeof(s->text), "%.*s", (int)sizeof(s->text) - 1, msg);
	} else {
		s->since_line++;
		a->s.lines_suppressed++;
	}
	/* the row: merge into this flush's pending row of the same signature */
	if (s->pend_gen == a->pend_gen + 1 && s->pend >= 0 && (size_t)s->pend < a->npend &&
	    a->pend[s->pend].h == h) {
		p = &a->pend[s->pend];
	} else {
		p = pend_new(a);
		if (!p)
			return;	/* the database keeps failing: the line went out, the row waits */
		p->h = h;
		p->sig = dup0(v->sig);
		p->flow = dup0(v->flow);
		p->iface = dup0(v->iface);
		p->intended = dup0(v->intended);
		p->live = dup0(v->live);
		p->evidence = dup0(v->evidence);
		p->message = dup0(msg);
		p->kind = audit_kind_names[v->kind];
		p->strength = strength;
		p->cls = v->cls;
		p->e = v->e;
		p->ee = v->ee;
		p->flow_id = v->flow_id;
		p->family = v->family;
		p->proto = v->proto;
		p->dport = v->dport;
		p->first = now;
		s->pend = (int)(p - a->pend);
		s->pend_gen = a->pend_gen + 1;
	}
	p->last = now;
	p->count += count;
	p->packets += v->packets;
	p->lines += (uint64_t)line;
	if (!p->ee && v->ee)
		p->ee = v->ee;
	pend_evidence(p, v->ee, v->ev_ts[0]);
	pend_evidence(p, v->e, v->ev_ts[1]);
}

/* collector_flush() hook: writes the pending violations (their flows have row ids now). */
static int on_flush(void *arg)
{
	struct audit *a = arg;
	size_t i;
	unsigned k;

	if (!a->npend)
		return 0;
	a->flushing = 1;
	if (store_begin(a->st) < 0)
		goto fail;
	for (i = 0; i < a->npend; i++) {
		struct pend *p = &a->pend[i];
		struct store_violation sv;
		int64_t id;

		memset(&sv, 0, sizeof(sv));
		sv.run_id = a->run_id;
		sv.sig = p->sig;
		sv.kind = p->kind;
		sv.strength = p->strength;
		sv.first_usec = p->first;
		sv.last_usec = p->last;
		sv.count = p->count;
		sv.packets = p->packets;
		sv.lines = p->lines;
		sv.flow_id = p->e ? p->e->db_id : p->flow_id;
		sv.evidence_flow_id = p->ee ? p->ee->db_id : 0;
		sv.flow = p->flow;
		sv.iface = p->iface;
		sv.cls = p->cls;
		sv.family = p->family;
		sv.proto = p->proto;
		sv.dport = p->dport;
		sv.intended = p->intended;
		sv.live = p->live;
		sv.evidence = p->evidence;
		sv.message = p->message;
		id = store_violation_upsert(a->st, &sv);
		if (id < 0)
			goto fail;
		for (k = 0; k < p->nev; k++)
			if (p->ev[k].e->db_id > 0 &&
			    store_violation_evidence_add(a->st, id, p->ev[k].e->db_id, p->ev[k].ts) < 0)
				goto fail;
	}
	if (store_commit(a->st) < 0)
		goto fail;
	for (i = 0; i < a->npend; i++)
		pend_free_strings(&a->pend[i]);
	a->npend = 0;
	a->pend_gen++;
	a->flushing = 0;
	return 0;
fail:
	snprintf(a->c->err, sizeof(a->c->err), "violations: %s", store_errmsg(a->st));
	store_rollback(a->st);
	a->flushing = 0;
	return -1;
}

/* ---- describing ---- */

static void res_desc(const struct audit *a, int live, int fam, const struct check_res *r,
		     char *buf, size_t len)
{
	const struct evalset *s = live ? &a->lv : &a->in, *o = live ? &a->in : &a->lv;
	size_t n;

	check_res_text(s->pol.rs[fam], r, buf, len);
	if (r->by == IPT_BY_RULE && r->rule != IPT_NONE && s->pol.rs[fam]) {
		char *t = audit_rule_text(s->pol.rs[fam], r->rule);

		n = strlen(buf);
		if (t && n + 8 < len)
			snprintf(buf + n, len - n, " `%s'", t);
		free(t);
		n = strlen(buf);
		if (o->pol.rs[fam] && a->live_known[fam] && s->match[fam] && !s->match[fam][r->rule])
			snprintf(buf + n, len - n, live ? " (not in the intended policy)" :
				 " (missing from the live ruleset)");
	}
}

static void flow_text(const struct audit *a, const struct check_flow *f, const char *ifname,
		      char *buf, size_t len)
{
	struct check_flows fs;
	char names[1][32];

	(void)a;
	memset(&fs, 0, sizeof(fs));
	snprintf(names[0], sizeof(names[0]), "%s", ifname);
	fs.v = (struct check_flow *)f;
	fs.n = 1;
	fs.ifnames = names;
	fs.nifnames = 1;
	check_flow_describe(&fs, 0, buf, len);
}

/* Rules on the flow's path in one ruleset that the other does not have. */
struct pathacc {
	const uint8_t *match;
	uint32_t rule[3];
	unsigned n;
};

static void on_path_rule(void *arg, uint32_t rule, int matched)
{
	struct pathacc *p = arg;
	unsigned i;

	if (matched != 1 || p->match[rule] || p->n == 3)
		return;
	for (i = 0; i < p->n; i++)
		if (p->rule[i] == rule)
			return;
	p->rule[p->n++] = rule;
}

static void path_diff(struct audit *a, int fam, const struct check_flow *f, const char *ifname,
		      char *buf, size_t len)
{
	size_t used = 0;
	int live;

	buf[0] = '\0';
	for (live = 0; live < 2; live++) {
		struct evalset *s = live ? &a->lv : &a->in;
		struct pathacc acc;
		struct ipt_packet p;
		struct ipt_result r;
		unsigned i;

		if (!s->ev[fam] || !s->match[fam])
			continue;
		memset(&acc, 0, sizeof(acc));
		acc.match = s->match[fam];
		check_flow_to_packet(f, ifname, &p);
		ipt_eval_set_hook(s->ev[fam], on_path_rule, &acc);
		ipt_eval_packet(s->ev[fam], &p, &r);
		ipt_eval_set_hook(s->ev[fam], NULL, NULL);
		for (i = 0; i < acc.n && used + 16 < len; i++) {
			char rn[128], *t = audit_rule_text(s->pol.rs[fam], acc.rule[i]);

			check_rule_name(s->pol.rs[fam], acc.rule[i], rn, sizeof(rn));
			used += (size_t)snprintf(buf + used, len - used, "%s%s %s `%s'", used ? "; " : "",
						 live ? "live-only rule on its path:" :
						 "rule on its path missing from the live ruleset:",
						 rn, t ? t : "?");
			free(t);
			if (used >= len)
				used = len - 1;
		}
	}
}

/* ---- per new flow ---- */

static void make_flow(const struct flow_entry *e, const struct pkt_record *r,
		      struct check_flow *f)
{
	const struct flow_key *k = &e->key;

	memset(f, 0, sizeof(*f));
	f->family = k->family == 6 ? 6 : 4;
	f->proto = k->proto;
	memcpy(f->src, k->src, 16);
	memcpy(f->dst, k->dst, 16);
	f->sport = k->sport;
	f->dport = k->dport;
	f->cls = k->cls < CLS_COUNT ? k->cls : CLS_NORMAL;
	f->spoof = (uint8_t)classify_is_spoof((enum spoof_class)k->cls);
	f->loopback = k->cls == CLS_LOOPBACK_FLOW;
	f->dir = k->dir == DIR_IN ? 1 : k->dir == DIR_OUT ? 2 : 0;
	f->flags_seen = (r->have & PKT_HAVE_TCPFLAGS) ? r->tcp_flags : 0;
	f->packets = 1;
	f->first_usec = (int64_t)r->ts_usec;
}

static int eval(struct evalset *s, int fam, const struct check_flow *f, const char *ifname,
		struct check_res *out)
{
	struct ipt_packet p;
	struct ipt_result r;

	if (!s->ev[fam])
		return -1;
	check_flow_to_packet(f, ifname, &p);
	if (ipt_eval_packet(s->ev[fam], &p, &r) < 0)
		return -1;
	check_res_from(out, &r);
	return 0;
}

static struct dropped *dropped_find(struct audit *a, const struct tuple *t)
{
	uint64_t h = tuple_hash(t);
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct dropped *d = &a->dropped[(h + i) & (DROPPED_SLOTS - 1)];

		if (d->used && !memcmp(&d->jk, t, sizeof(*t)))
			return d;
	}
	return NULL;
}

static struct reply *reply_find(struct audit *a, const struct tuple *t)
{
	uint64_t h = tuple_hash(t);
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct reply *x = &a->replies[(h + i) & (REPLY_SLOTS - 1)];

		if (x->used && !memcmp(&x->jk, t, sizeof(*t)))
			return x;
	}
	return NULL;
}

static void reply_add(struct audit *a, const struct tuple *t, const struct flow_key *key,
		      const struct pkt_record *r, int linktype, const uint8_t *data,
		      uint32_t caplen, int icmp)
{
	struct tuple req, jk;
	uint64_t h;
	struct reply *x;

	tuple_reverse(t, &req);
	join_key(&req, &jk);
	h = tuple_hash(&jk);
	x = &a->replies[h & (REPLY_SLOTS - 1)];
	if (x->used && x->ts > a->replies[(h + 1) & (REPLY_SLOTS - 1)].ts)
		x = &a->replies[(h + 1) & (REPLY_SLOTS - 1)];
	x->jk = jk;
	x->t = *t;
	x->key = *key;
	x->ts = r->ts_usec;
	x->linktype = linktype;
	x->wirelen = r->wirelen;
	x->caplen = caplen < REPLY_SNAP ? caplen : REPLY_SNAP;
	memcpy(x->data, data, x->caplen);
	x->used = 1;
	x->icmp = (uint8_t)icmp;
}

static void reply_desc(const struct audit *a, const struct flow_key *key,
		       const struct tuple *rt, int icmp, uint64_t ts, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], pb[16];
	const char *ifn = a->c->ifaces[key->iface].info.name;
	int fam = key->family == 6 ? AF_INET6 : AF_INET;

	inet_ntop(fam, key->src, s, sizeof(s));
	inet_ntop(fam, key->dst, d, sizeof(d));
	if (icmp)
		snprintf(buf, len, "the host answered with ICMP %s type %u code %u %s -> %s on %s %s "
			 "at %.6f, quoting the packet", key->family == 6 ? "v6" : "",
			 (unsigned)(key->dport >> 8), (unsigned)(key->dport & 0xff), s, d, ifn,
			 a->c->ifaces[key->iface].info.role == ROLE_LOOPBACK ? "" : "out",
			 (double)ts / 1e6);
	else
		snprintf(buf, len, "the host replied %s %s:%u -> %s:%u%s on %s%s at %.6f",
			 proto_name(rt->proto, pb, sizeof(pb)), s, rt->sport, d, rt->dport,
			 rt->proto == 6 && (key->proto == 6) ? " (TCP)" : "", ifn,
			 a->c->ifaces[key->iface].info.role == ROLE_LOOPBACK ? "" : " out",
			 (double)ts / 1e6);
}

/* A reply (or ICMP error) matched a request the intended policy blocks. */
static void report_reply(struct audit *a, const struct dropped *d, struct flow_entry *ee,
			 const struct flow_key *rkey, const struct tuple *rt, int icmp,
			 uint64_t rts)
{
	struct flow_entry *e = flowtab_find(a->c->ft, &d->key);
	struct check_flow f;
	struct pkt_record fake;
	char flow[400], ri[600], ev[400], sig[600], dst[INET6_ADDRSTRLEN], pb[16];
	const char *ifn = a->c->ifaces[d->key.iface].info.name;
	int fam = d->key.family == 6;
	struct vio v;

	memset(&fake, 0, sizeof(fake));
	fake.ts_usec = d->ts;
	if (e)
		make_flow(e, &fake, &f);
	else {
		struct flow_entry tmp;

		memset(&tmp, 0, sizeof(tmp));
		tmp.key = d->key;
		make_flow(&tmp, &fake, &f);
	}
	f.sport = d->t.sport;
	f.dport = d->t.dport;
	flow_text(a, &f, ifn, flow, sizeof(flow));
	res_desc(a, 0, fam, &d->ri, ri, sizeof(ri));
	reply_desc(a, rkey, rt, icmp, rts, ev, sizeof(ev));
	inet_ntop(fam ? AF_INET6 : AF_INET, d->t.dst, dst, sizeof(dst));
	snprintf(sig, sizeof(sig), "live_reply|%s|%s|%s|%u|%u|%u|%s", ifn,
		 proto_name(d->t.proto, pb, sizeof(pb)), dst, d->t.dport, d->ri.rule, d->ri.chain,
		 check_class_name(f.cls));
	memset(&v, 0, sizeof(v));
	v.kind = AK_LIVE_REPLY;
	v.sig = sig;
	v.e = e;
	v.flow = flow;
	v.iface = ifn;
	v.cls = check_class_name(f.cls);
	v.family = d->key.family;
	v.proto = d->t.proto;
	v.dport = d->t.dport;
	v.intended = ri;
	v.live = "let it reach the stack (a reply left the host)";
	v.evidence = ev;
	v.ee = ee;
	v.ev_ts[0] = ee ? rts : 0;
	v.ev_ts[1] = e && f.spoof ? d->ts : 0;	/* the request itself: kept as spoof evidence */
	v.packets = 1;
	violation(a, &v);
}

static struct service *service_slot(struct audit *a, unsigned proto, unsigned port)
{
	uint64_t h = (proto * 65537u + port) * 0x9E3779B97F4A7C15ull;

	return &a->services[(h >> 40) & (SERVICE_SLOTS - 1)];
}

static struct noreply *noreply_find(struct audit *a, const struct tuple *t, int create)
{
	struct noreply *x = &a->noreply[tuple_hash(t) & (NOREPLY_SLOTS - 1)];

	if (x->used && !memcmp(&x->t, t, sizeof(*t)))
		return x;
	if (!create)
		return NULL;
	memset(x, 0, sizeof(*x));	/* overwrite: bounded, the newer attempt wins */
	x->t = *t;
	x->used = 1;
	return x;
}

static void noreply_tuple(int fam, unsigned proto, const uint8_t *client, const uint8_t *host,
			  unsigned port, struct tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = (uint8_t)fam;
	t->proto = (uint8_t)proto;
	memcpy(t->src, client, 16);
	memcpy(t->dst, host, 16);
	t->dport = (uint16_t)port;
}

static void new_flow(struct audit *a, struct flow_entry *e, const struct pkt_record *r,
		     int linktype, const uint8_t *data, uint32_t caplen)
{
	const struct flow_key *k = &e->key;
	const struct iface_info *ifc = &a->c->ifaces[k->iface].info;
	int fam = k->family == 6, loop = ifc->role == ROLE_LOOPBACK, have_live = 0;
	struct flow_key rk;
	struct flow_entry *rev;
	struct check_flow f;
	struct check_res ri, rl;
	struct tuple t, rt;
	uint64_t t0;
	char flow[400], is[600], ls[600], sig[700], dst[INET6_ADDRSTRLEN], pb[16];
	struct vio v;
	int incoming;

	if (!a->in.ev[fam] || r->status != DEC_OK)
		return;
	t0 = mono_ns();
	make_flow(e, r, &f);
	collector_reverse_key(a->c, k, r, &rk);
	rev = flowtab_find(a->c->ft, &rk);
	check_flow_derive_one(&f, &a->h, loop, rev != NULL && rev != e, rev != NULL && rev != e);
	if (eval(&a->in, fam, &f, ifc->name, &ri) < 0)
		return;
	a->s.flows_evaluated++;
	e->audit = (uint8_t)((e->audit & FLOW_AUDIT_WATCH) | E_EVALUATED | (ri.verdict & 3));
	if (a->lv.ev[fam] && a->live_known[fam] && !a->live_same[fam] &&
	    eval(&a->lv, fam, &f, ifc->name, &rl) == 0) {
		have_live = 1;
		a->s.live_evaluated++;
	}
	a->s.eval_nsec += mono_ns() - t0;

	tuple_of(r, &t);
	incoming = !loop && k->dir != DIR_OUT && f.path == IPT_PATH_INCOMING;
	memset(&v, 0, sizeof(v));
	v.e = e;
	v.iface = ifc->name;
	v.cls = check_class_name(f.cls);
	v.family = k->family;
	v.proto = k->proto;
	v.dport = k->dport;
	v.packets = 1;
	v.sig = sig;
	if ((f.spoof && (ri.possible & IPT_VSET_ACCEPT)) ||
	    (f.loopback && (ri.possible & (IPT_VSET_DROP | IPT_VSET_REJECT))) ||
	    (have_live && (ri.verdict != rl.verdict || ri.possible != rl.possible))) {
		struct check_flow fr = f;

		fr.sport = t.sport;	/* the real ports, for the line */
		fr.dport = t.dport;
		flow_text(a, &fr, ifc->name, flow, sizeof(flow));
		res_desc(a, 0, fam, &ri, is, sizeof(is));
		inet_ntop(fam ? AF_INET6 : AF_INET, k->dst, dst, sizeof(dst));
		v.flow = flow;
		v.intended = is;
		if (f.spoof && (ri.possible & IPT_VSET_ACCEPT)) {
			v.kind = AK_SPOOF_ACCEPTED;
			v.live = have_live ? (res_desc(a, 1, fam, &rl, ls, sizeof(ls)), ls) : NULL;
			v.ev_ts[1] = r->ts_usec;	/* the collector keeps spoofed packets */
			/* one violation per interface, class, protocol and deciding rule: a
			 * flood from random sources to random ports is one line and a count */
			snprintf(sig, sizeof(sig), "spoof_accepted|%s|%s|%s|%u|%u|%u", ifc->name,
				 v.cls, proto_name(k->proto, pb, sizeof(pb)), ri.rule, ri.chain, ri.by);
			violation(a, &v);
		}
		if (f.loopback && (ri.possible & (IPT_VSET_DROP | IPT_VSET_REJECT))) {
			v.kind = AK_LOOPBACK_BLOCKED;
			v.live = have_live ? (res_desc(a, 1, fam, &rl, ls, sizeof(ls)), ls) :
				 "passed (the packet was seen on lo)";
			v.ev_ts[1] = 0;
			snprintf(sig, sizeof(sig), "loopback_blocked|%s|%u|%u|%u|%u", ifc->name,
				 k->proto, k->sport ? k->sport : k->dport, ri.rule, ri.chain);
			violation(a, &v);
		}
		if (have_live && (ri.verdict != rl.verdict || ri.possible != rl.possible)) {
			char pd[800], evd[900];

			res_desc(a, 1, fam, &rl, ls, sizeof(ls));
			path_diff(a, fam, &f, ifc->name, pd, sizeof(pd));
			snprintf(evd, sizeof(evd), "the live kernel ruleset decides this flow otherwise%s%s",
				 pd[0] ? "; " : "", pd);
			v.kind = AK_LIVE_DIFFERS;
			v.live = ls;
			v.evidence = evd;
			v.ev_ts[1] = f.spoof ? r->ts_usec : 0;
			snprintf(sig, sizeof(sig), "live_differs|%s|%s|%u|%u|%u|%u|%u", ifc->name, v.cls,
				 k->proto, k->sport ? k->sport : k->dport, ri.rule, rl.rule, rl.chain);
			violation(a, &v);
		}
	}

	/* replies: a request the intended policy blocks, answered */
	if (incoming && blocked(ri.verdict)) {
		struct tuple jk;
		uint64_t h;
		struct dropped *d;
		struct reply *x;

		join_key(&t, &jk);
		h = tuple_hash(&jk);
		d = &a->dropped[h & (DROPPED_SLOTS - 1)];
		if (d->used && d->ts > a->dropped[(h + 1) & (DROPPED_SLOTS - 1)].ts)
			d = &a->dropped[(h + 1) & (DROPPED_SLOTS - 1)];
		d->jk = jk;
		d->t = t;
		d->key = *k;
		d->ts = r->ts_usec;
		d->ri = ri;
		d->used = 1;
		x = reply_find(a, &jk);	/* answered before we saw the request */
		if (x && x->ts + 1000000u >= d->ts) {
			struct flow_entry *ee = flowtab_find(a->c->ft, &x->key);

			if (ee && ee->evidence_kept < a->c->opt.evidence_per_flow &&
			    collector_keep_evidence(a->c, ee, x->linktype, x->ts, x->data, x->caplen,
						    x->wirelen) < 0)
				ee = NULL;
			report_reply(a, d, ee, &x->key, &x->t, x->icmp, x->ts);
			x->used = 0;
		}
	}
	if (k->dir == DIR_OUT || loop) {
		struct dropped *d;
		struct tuple jk;

		tuple_reverse(&t, &rt);
		join_key(&rt, &jk);
		d = dropped_find(a, &jk);
		if (d) {
			struct flow_entry *ee = e;

			if (e->evidence_kept < a->c->opt.evidence_per_flow &&
			    collector_keep_evidence(a->c, e, linktype, r->ts_usec, data, caplen,
						    r->wirelen) < 0)
				ee = NULL;
			report_reply(a, d, ee, k, &t, 0, r->ts_usec);
			d->used = 0;
		} else {
			reply_add(a, &t, k, r, linktype, data, caplen, 0);
		}
	}

	/* services that answer on loopback; attempts at them from outside */
	if (loop && k->sport && !k->dport && rev && (k->proto == 6 || k->proto == 17)) {
		struct service *sv = service_slot(a, k->proto, k->sport);

		sv->used = 1;
		sv->proto = k->proto;
		sv->port = k->sport;
	}
	if (incoming && !f.spoof && k->cls == CLS_NORMAL && (k->proto == 6 || k->proto == 17) &&
	    k->dport && ri.verdict == IPT_V_ACCEPT && !rev &&
	    (k->proto != 6 || (f.flags_seen & (IPT_TCP_SYN | IPT_TCP_ACK)) == IPT_TCP_SYN)) {
		struct service *sv = service_slot(a, k->proto, k->dport);

		if (sv->used && sv->proto == k->proto && sv->port == k->dport) {
			struct noreply *x;
			struct tuple nt;

			noreply_tuple(k->family, k->proto, k->src, k->dst, k->dport, &nt);
			x = noreply_find(a, &nt, 1);
			x->key = *k;
			x->rkey = rk;
			x->first = r->ts_usec;
			x->attempts = 1;
			x->ri = ri;
			e->audit |= FLOW_AUDIT_WATCH;
		}
	}
	if (k->dir == DIR_OUT && !loop && (k->proto == 6 || k->proto == 17) && (r->have & PKT_HAVE_PORTS)) {
		struct tuple nt;
		struct noreply *x;

		noreply_tuple(k->family, k->proto, k->dst, k->src, r->sport, &nt);
		x = noreply_find(a, &nt, 0);
		if (x)
			x->used = 0;	/* answered */
	}
}

/* An ICMP error leaving the host (or on lo) quotes the packet it answers. */
static void icmp_error(struct audit *a, struct flow_entry *e, const struct pkt_record *r,
		       int linktype, const uint8_t *data, uint32_t caplen)
{
	const struct iface_info *ifc = &a->c->ifaces[e->key.iface].info;
	uint32_t off = r->l4_offset + 8;
	struct tuple q, rt;
	struct dropped *d;

	if (!(e->key.dir == DIR_OUT || ifc->role == ROLE_LOOPBACK) || !r->l4_offset)
		return;
	memset(&q, 0, sizeof(q));
	if (r->family == 4) {
		uint32_t ihl;

		if (off + 20 > caplen || (data[off] >> 4) != 4)
			return;
		ihl = (uint32_t)(data[off] & 15) * 4;
		if (ihl < 20)
			return;
		q.family = 4;
		q.proto = data[off + 9];
		memcpy(q.src, data + off + 12, 4);
		memcpy(q.dst, data + off + 16, 4);
		off += ihl;
	} else {
		if (off + 40 > caplen || (data[off] >> 4) != 6)
			return;
		q.family = 6;
		q.proto = data[off + 6];
		memcpy(q.src, data + off + 8, 16);
		memcpy(q.dst, data + off + 24, 16);
		off += 40;
	}
	if (q.proto == 6 || q.proto == 17 || q.proto == 132 || q.proto == 136 || q.proto == 33) {
		if (off + 4 > caplen)
			return;
		q.sport = (uint16_t)(data[off] << 8 | data[off + 1]);
		q.dport = (uint16_t)(data[off + 2] << 8 | data[off + 3]);
	} else if (q.proto == 1 || q.proto == 58) {
		if (off + 1 > caplen)
			return;
		q.dport = (uint16_t)(data[off] << 8);
	}
	{
		struct tuple jk;

		join_key(&q, &jk);
		d = dropped_find(a, &jk);
	}
	if (d) {
		struct flow_entry *ee = e;

		if (e->evidence_kept >= a->c->opt.evidence_per_flow ||
		    collector_keep_evidence(a->c, e, linktype, r->ts_usec, data, caplen, r->wirelen) < 0)
			ee = NULL;
		tuple_reverse(&q, &rt);
		report_reply(a, d, ee, &e->key, &rt, 1, r->ts_usec);
		d->used = 0;
	} else {
		tuple_reverse(&q, &rt);
		reply_add(a, &rt, &e->key, r, linktype, data, caplen, 1);
	}
}

static void on_packet(void *arg, struct flow_entry *e, const struct pkt_record *r, int created,
		      int linktype, const uint8_t *data, uint32_t caplen)
{
	struct audit *a = arg;

	if (created)
		new_flow(a, e, r, linktype, data, caplen);
	else if (e->audit & FLOW_AUDIT_WATCH) {
		struct tuple nt;
		struct noreply *x;

		noreply_tuple(e->key.family, e->key.proto, e->key.src, e->key.dst, e->key.dport, &nt);
		x = noreply_find(a, &nt, 0);
		if (x && (e->key.proto != 6 || !(r->tcp_flags & IPT_TCP_ACK)))
			x->attempts++;
		else if (!x)
			e->audit &= (uint8_t)~FLOW_AUDIT_WATCH;
	}
	if ((r->have & PKT_HAVE_ICMP) &&
	    ((r->family == 4 && r->proto == 1 && (r->icmp_type == 3 || r->icmp_type == 11 || r->icmp_type == 12)) ||
	     (r->family == 6 && r->proto == 58 && r->icmp_type >= 1 && r->icmp_type <= 4)))
		icmp_error(a, e, r, linktype, data, caplen);
}

/* ---- NFLOG drop prefixes ---- */

static void on_nflog(void *arg, struct flow_entry *e, const struct pkt_record *r, int prefix)
{
	struct audit *a = arg;
	int fam = e->key.family == 6;
	const char *pfx;

	if (prefix < 0 || prefix >= COLLECTOR_MAX_PREFIXES)
		return;
	pfx = a->c->prefixes[prefix];
	if (!a->pfx_state[prefix]) {
		int drops = audit_prefix_drops(a->lv.pol.rs[0], pfx, a->pfx_why[prefix], sizeof(a->pfx_why[0])) ||
			    audit_prefix_drops(a->lv.pol.rs[1], pfx, a->pfx_why[prefix], sizeof(a->pfx_why[0]));

		a->pfx_state[prefix] = drops ? 1 : 2;
	}
	if (a->pfx_state[prefix] != 1 || !(e->audit & E_EVALUATED) ||
	    E_VERDICT(e->audit) != IPT_V_ACCEPT || !a->in.ev[fam])
		return;
	{
		struct check_flow f;
		struct check_res ri;
		const struct iface_info *ifc = &a->c->ifaces[e->key.iface].info;
		char flow[400], is[600], ev[400], sig[400], ls[300];
		struct vio v;
		struct flow_key rk;

		make_flow(e, r, &f);
		collector_reverse_key(a->c, &e->key, r, &rk);
		check_flow_derive_one(&f, &a->h, ifc->role == ROLE_LOOPBACK, 0, 0);
		if (eval(&a->in, fam, &f, ifc->name, &ri) < 0)
			return;
		flow_text(a, &f, ifc->name, flow, sizeof(flow));
		res_desc(a, 0, fam, &ri, is, sizeof(is));
		snprintf(ev, sizeof(ev), "NFLOG group %u prefix `%s' logged it at hook %u: %s",
			 r->nflog.group, pfx, r->nflog.hook, a->pfx_why[prefix]);
		snprintf(ls, sizeof(ls), "DROP/REJECT (the NFLOG rule that logged it drops)");
		snprintf(sig, sizeof(sig), "live_nflog_drop|%s|%s|%u|%u|%u", pfx, ifc->name,
			 e->key.proto, e->key.dport, ri.rule);
		memset(&v, 0, sizeof(v));
		v.kind = AK_LIVE_NFLOG_DROP;
		v.sig = sig;
		v.e = e;
		v.flow = flow;
		v.iface = ifc->name;
		v.cls = check_class_name(f.cls);
		v.family = e->key.family;
		v.proto = e->key.proto;
		v.dport = e->key.dport;
		v.intended = is;
		v.live = ls;
		v.evidence = ev;
		v.ee = e;
		v.packets = 1;
		violation(a, &v);
	}
}

/* ---- the live ruleset ---- */

struct diffctx {
	struct audit *a;
	int fam;
	int n;
	int info;		/* 1: a reload (info lines, not violations) */
	const char *what_i, *what_l;
};

static void on_rdiff(void *arg, const struct audit_rdiff *d)
{
	struct diffctx *x = arg;
	char msg[1200], sig[1200];
	const char *fl = x->fam ? "IPv6" : "IPv4";

	x->n++;
	switch (d->op) {
	case AUDIT_RD_REMOVED:
		snprintf(msg, sizeof(msg), "%s %s %s: rule missing from the %s: `%s'", fl, d->table,
			 d->chain, x->what_l, d->text_i);
		break;
	case AUDIT_RD_ADDED:
		snprintf(msg, sizeof(msg), "%s %s %s: rule added in the %s: `%s'", fl, d->table,
			 d->chain, x->what_l, d->text_l);
		break;
	case AUDIT_RD_CHANGED:
		snprintf(msg, sizeof(msg), "%s %s %s: rule changed: %s `%s', %s `%s'", fl, d->table,
			 d->chain, x->what_i, d->text_i, x->what_l, d->text_l);
		break;
	default:
		snprintf(msg, sizeof(msg), "%s %s %s: policy changed: %s %s, %s %s", fl, d->table,
			 d->chain, x->what_i, ipt_verdict_name(d->intended_policy), x->what_l,
			 ipt_verdict_name(d->live_policy));
		break;
	}
	if (x->info) {
		struct alert_line l;

		memset(&l, 0, sizeof(l));
		l.kind = "info";
		l.ts_usec = util_now_usec();
		l.text = msg;
		alert_emit(x->a->o.alert, &l);
		return;
	}
	{
		struct vio v;
		char full[1300];

		snprintf(sig, sizeof(sig), "ruleset_differs|%.1100s", msg);
		snprintf(full, sizeof(full), "live ruleset differs from intended: %s", msg);
		memset(&v, 0, sizeof(v));
		v.kind = AK_RULESET_DIFFERS;
		v.sig = sig;
		v.flow = full;
		v.family = x->fam ? 6 : 4;
		v.intended = d->text_i ? d->text_i : "";
		v.live = d->text_l ? d->text_l : "";
		v.force = 1;	/* the live ruleset changed (or was read first): say it all */
		violation(x->a, &v);
	}
}

/* The recorded flows of the window whose verdict the difference changes, by group. */
static void check_recorded(struct audit *a, int fam)
{
	struct check_flows fs;
	struct check_side si, sl;
	struct check_groups g;
	struct store_flow_iter *it;
	struct store_flow sf;
	int64_t since = (int64_t)(util_now_usec() / 1000000u) - (int64_t)a->o.window_s;
	size_t i;
	int rc;

	memset(&fs, 0, sizeof(fs));
	memset(&si, 0, sizeof(si));
	memset(&sl, 0, sizeof(sl));
	memset(&g, 0, sizeof(g));
	if (collector_flush(a->c, 0) < 0)
		return;
	it = store_flows_open(a->st, since - (since % 3600), 0);
	if (!it)
		return;
	while ((rc = store_flows_next(it, &sf)) == 1 && fs.n < a->o.window_max_flows)
		if ((sf.family == 6) == fam && check_flows_add(&fs, &sf) < 0)
			break;
	store_flows_close(it);
	if (check_flows_derive(&fs, &a->h) < 0)
		goto out;
	check_side_use(&si, &a->in.pol);
	check_side_use(&sl, &a->lv.pol);
	if (check_evaluate(&si, &fs, &a->h, 0) < 0 || check_evaluate(&sl, &fs, &a->h, 0) < 0 ||
	    check_findings(&g, &fs, &si, NULL, &sl) < 0)
		goto out;
	for (i = 0; i < g.n; i++) {
		const struct check_group *x = &g.v[i];
		char flow[1400], ex[1000], is[600], ls[600], sig[300], pd[800], evd[900];
		const struct check_flow *f;
		struct vio v;
		size_t used = 0;
		unsigned k;

		if (x->kind < CK_NEW_BLOCKED || x->kind == CK_NEW_CERTAIN || !x->nex)
			continue;
		f = &fs.v[x->ex[0]];
		for (k = 0; k < x->nex; k++) {
			const struct check_flow *fk = &fs.v[x->ex[k]];
			char one[300], svc[64] = "";

			check_flow_describe(&fs, x->ex[k], one, sizeof(one));
			if (fk->loopback && (fk->proto == 6 || fk->proto == 17))
				snprintf(svc, sizeof(svc), ", service %s/%u", fk->proto == 6 ? "tcp" : "udp",
					 fk->dport ? fk->dport : fk->sport);
			used += (size_t)snprintf(ex + used, sizeof(ex) - used, "%s%s%s", k ? "; " : "", one, svc);
			if (used >= sizeof(ex))
				used = sizeof(ex) - 1;
		}
		path_diff(a, fam, f, fs.ifnames[f->iface], pd, sizeof(pd));
		snprintf(evd, sizeof(evd), "recorded traffic evaluated against both rulesets%s%s",
			 pd[0] ? "; " : "", pd);
		snprintf(flow, sizeof(flow), "%llu recorded flows (%llu packets) %s, e.g. %s",
			 (unsigned long long)x->flows, (unsigned long long)x->packets,
			 x->kind == CK_NEW_ACCEPTED ? "that the intended policy accepts and the live "
			 "ruleset blocks" : x->kind == CK_NEW_BLOCKED ? "that the intended policy "
			 "blocks and the live ruleset accepts" : check_kind_names[x->kind], ex);
		res_desc(a, 0, fam, &x->a, is, sizeof(is));
		res_desc(a, 1, fam, &x->b, ls, sizeof(ls));
		snprintf(sig, sizeof(sig), "live_differs|recorded|%s|%d|%s|%u|%u|%u|%u",
			 check_kind_names[x->kind], fam, x->label, x->a.rule, x->a.chain, x->b.rule,
			 x->b.chain);
		memset(&v, 0, sizeof(v));
		v.kind = AK_LIVE_DIFFERS;
		v.sig = sig;
		v.flow_id = f->id;
		v.flow = flow;
		v.iface = fs.ifnames[f->iface];
		v.cls = check_class_name(f->cls);
		v.family = f->family;
		v.proto = f->proto;
		v.dport = f->dport;
		v.intended = is;
		v.live = ls;
		v.evidence = evd;
		v.force = 1;
		v.count = x->flows;
		v.packets = x->packets;
		violation(a, &v);
	}
out:
	check_side_free(&si);
	check_side_free(&sl);
	check_groups_free(&g);
	check_flows_free(&fs);
}

/* Compares the live ruleset of family fam with the intended one. */
static void compare_live(struct audit *a, int fam)
{
	struct diffctx x;

	memset(&x, 0, sizeof(x));
	x.a = a;
	x.fam = fam;
	x.what_i = "intended";
	x.what_l = "live ruleset";
	a->live_same[fam] = 0;
	if (!a->in.pol.rs[fam] || !a->lv.pol.rs[fam])
		return;
	if (audit_rules_diff(a->in.pol.rs[fam], a->lv.pol.rs[fam], a->in.match[fam], a->lv.match[fam],
			     on_rdiff, &x) < 0)
		return;
	a->live_same[fam] = x.n == 0;
	if (x.n) {
		struct alert_line l;
		char msg[200];

		snprintf(msg, sizeof(msg), "the live %s ruleset differs from the intended policy "
			 "in %d place%s; checking the flows recorded in the last %us",
			 fam ? "IPv6" : "IPv4", x.n, x.n == 1 ? "" : "s", a->o.window_s);
		memset(&l, 0, sizeof(l));
		l.kind = "info";
		l.ts_usec = util_now_usec();
		l.text = msg;
		alert_emit(a->o.alert, &l);
		check_recorded(a, fam);
	}
}

static void info(struct audit *a, const char *msg)
{
	struct alert_line l;

	memset(&l, 0, sizeof(l));
	l.kind = "info";
	l.ts_usec = util_now_usec();
	l.text = msg;
	alert_emit(a->o.alert, &l);
}

void audit_set_live(struct audit *a, int fam4or6, const char *text, size_t len, const char *note)
{
	int fam = fam4or6 == 6;
	struct policy_src src;
	struct policy lp;
	uint64_t h;
	char msg[600], perr[400];

	if (!a->in.pol.rs[fam])
		return;	/* no intended policy for this family: nothing to compare */
	if (!text) {
		if (a->live_known[fam] || strcmp(a->live_note[fam], note ? note : "")) {
			snprintf(msg, sizeof(msg), "cannot read the live %s ruleset: %s",
				 fam ? "IPv6" : "IPv4", note ? note : "");
			info(a, msg);
		}
		snprintf(a->live_note[fam], sizeof(a->live_note[fam]), "%s", note ? note : "");
		a->live_known[fam] = 0;
		return;
	}
	h = audit_rules_hash(text, len);
	if (a->live_known[fam] && h == a->live_hash[fam])
		return;
	memset(&src, 0, sizeof(src));
	memset(&lp, 0, sizeof(lp));
	src.kind = POLICY_TEXT;
	src.lang = POLICY_IPTABLES;
	src.family = fam ? 6 : 4;
	src.text = text;
	src.len = len;
	if (policy_load(&lp, &src, 1, NULL, perr, sizeof(perr)) < 0) {
		snprintf(msg, sizeof(msg), "the live %s ruleset does not parse: %s",
			 fam ? "IPv6" : "IPv4", perr);
		info(a, msg);
		a->live_known[fam] = 0;
		return;
	}
	free(a->live_text[fam]);
	a->live_text[fam] = malloc(len + 1);
	if (a->live_text[fam]) {
		memcpy(a->live_text[fam], text, len);
		a->live_text[fam][len] = '\0';
		a->live_len[fam] = len;
	}
	if (evalset_set(a, &a->lv, fam, &lp) < 0) {
		a->live_known[fam] = 0;
		return;
	}
	if (note && *note)
		info(a, note);
	snprintf(msg, sizeof(msg), "read the live %s ruleset (%u rules)%s", fam ? "IPv6" : "IPv4",
		 ipt_rule_count(a->lv.pol.rs[fam]), a->live_known[fam] ? ": it changed" : "");
	info(a, msg);
	a->live_known[fam] = 1;
	a->live_hash[fam] = h;
	memset(a->pfx_state, 0, sizeof(a->pfx_state));
	compare_live(a, fam);
	if (a->live_same[fam]) {
		snprintf(msg, sizeof(msg), "the live %s ruleset equals the intended policy",
			 fam ? "IPv6" : "IPv4");
		info(a, msg);
	}
}

/* ---- periodic ---- */

void audit_tick(struct audit *a, uint64_t now)
{
	size_t i;

	if (now - a->last_scan_usec < 1000000u)
		return;
	a->last_scan_usec = now;
	for (i = 0; i < SIG_SLOTS; i++) {
		struct sigent *s = &a->sigs[i];

		if (s->used && s->since_line && now - s->last_line >= (uint64_t)a->o.repeat_s * 1000000u) {
			struct alert_line l;

			memset(&l, 0, sizeof(l));
			l.kind = s->kind;
			l.strength = s->strength;
			l.ts_usec = now;
			l.text = s->text;
			l.repeated = s->since_line;
			l.total = s->total;
			l.window_s = (unsigned)((now - s->last_line) / 1000000u);
			alert_emit(a->o.alert, &l);
			a->s.lines++;
			s->since_line = 0;
			s->last_line = now;
		}
	}
	for (i = 0; i < NOREPLY_SLOTS; i++) {
		struct noreply *x = &a->noreply[i];
		struct flow_entry *e;

		if (!x->used || now < x->first + (uint64_t)a->o.noreply_wait_s * 1000000u)
			continue;
		if (x->attempts >= a->o.noreply_attempts && !flowtab_find(a->c->ft, &x->rkey)) {
			struct check_flow f;
			struct pkt_record fake;
			struct flow_entry tmp;
			char flow[400], is[600], ev[300], sig[300], pb[16];
			const char *ifn = a->c->ifaces[x->key.iface].info.name;
			struct vio v;

			e = flowtab_find(a->c->ft, &x->key);
			memset(&fake, 0, sizeof(fake));
			memset(&tmp, 0, sizeof(tmp));
			tmp.key = x->key;
			fake.ts_usec = x->first;
			make_flow(&tmp, &fake, &f);
			flow_text(a, &f, ifn, flow, sizeof(flow));
			res_desc(a, 0, x->key.family == 6, &x->ri, is, sizeof(is));
			snprintf(ev, sizeof(ev), "%u attempts in %.0fs and no reply, while %s/%u answers "
				 "on loopback", x->attempts, (double)(now - x->first) / 1e6,
				 proto_name(x->key.proto, pb, sizeof(pb)), x->key.dport);
			snprintf(sig, sizeof(sig), "live_no_reply|%s|%u|%u|%u", ifn, x->key.proto,
				 x->key.dport, x->ri.rule);
			memset(&v, 0, sizeof(v));
			v.kind = AK_LIVE_NO_REPLY;
			v.weak = 1;
			v.sig = sig;
			v.e = e;
			v.flow = flow;
			v.iface = ifn;
			v.cls = "normal";
			v.family = x->key.family;
			v.proto = x->key.proto;
			v.dport = x->key.dport;
			v.intended = is;
			v.live = "the service did not answer (something drops it: a rule, a route, "
				 "or the service itself)";
			v.evidence = ev;
			v.packets = x->attempts;
			violation(a, &v);
			if (e)
				e->audit &= (uint8_t)~FLOW_AUDIT_WATCH;
			x->used = 0;
		} else if (now >= x->first + 60000000u) {
			x->used = 0;	/* too few attempts, or answered: forget it */
		}
	}
}

/* ---- setup ---- */

/* The intended policy's files, through the one ruleset loader. */
static int load_intended(const struct audit_opts *o, struct policy *p, char *err, size_t errlen)
{
	struct policy_src src[2];
	size_t n = 0;
	int f;

	memset(p, 0, sizeof(*p));
	memset(src, 0, sizeof(src));
	for (f = 0; f < 2; f++)
		if (o->policy[f]) {
			src[n].kind = POLICY_FILE;
			src[n].lang = POLICY_IPTABLES;
			src[n].family = f ? 6 : 4;
			src[n].path = o->policy[f];
			n++;
		}
	return policy_load(p, src, n, NULL, err, errlen);
}

struct audit *audit_new(const struct audit_opts *o, struct collector *c, struct store *st,
			int64_t run_id, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));
	struct policy pol;
	int f;

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->o = *o;
	a->c = c;
	a->st = st;
	a->run_id = run_id;
	a->dropped = calloc(DROPPED_SLOTS, sizeof(*a->dropped));
	a->replies = calloc(REPLY_SLOTS, sizeof(*a->replies));
	a->sigs = calloc(SIG_SLOTS, sizeof(*a->sigs));
	a->pend = calloc(PEND_MAX, sizeof(*a->pend));
	a->noreply = calloc(NOREPLY_SLOTS, sizeof(*a->noreply));
	a->services = calloc(SERVICE_SLOTS, sizeof(*a->services));
	a->pfx_why = calloc(COLLECTOR_MAX_PREFIXES, sizeof(*a->pfx_why));
	if (!a->dropped || !a->replies || !a->sigs || !a->pend || !a->noreply || !a->services ||
	    !a->pfx_why) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (host_build(a, &a->h, &a->host_hash) < 0) {
		snprintf(err, errlen, "cannot read the host's context: out of memory");
		goto fail;
	}
	if (load_intended(o, &pol, err, errlen) < 0)
		goto fail;
	for (f = 0; f < 2; f++)
		if (evalset_set(a, &a->in, f, &pol) < 0) {
			snprintf(err, errlen, "out of memory");
			policy_free(&pol);
			goto fail;
		}
	a->tokens = (a->o.lines_per_s ? a->o.lines_per_s : 1) * 10.0;
	a->tokens_usec = util_now_usec();
	alert_open(o->alert);
	c->hooks.packet = on_packet;
	c->hooks.nflog = on_nflog;
	c->hooks.flush = on_flush;
	c->hooks.arg = a;
	return a;
fail:
	audit_free(a);
	return NULL;
}

int audit_reload(struct audit *a, char *err, size_t errlen)
{
	struct policy np;
	int f;

	if (load_intended(&a->o, &np, err, errlen) < 0)
		return -1;
	for (f = 0; f < 2; f++) {
		struct diffctx x;
		uint8_t *mo, *mn;
		char msg[300];

		if (!np.rs[f])
			continue;
		memset(&x, 0, sizeof(x));
		x.a = a;
		x.fam = f;
		x.info = 1;
		x.what_i = "before";
		x.what_l = "reloaded policy";
		mo = calloc(ipt_rule_count(a->in.pol.rs[f]) + 1, 1);
		mn = calloc(ipt_rule_count(np.rs[f]) + 1, 1);
		if (mo && mn && a->in.pol.rs[f])
			audit_rules_diff(a->in.pol.rs[f], np.rs[f], mo, mn, on_rdiff, &x);
		free(mo);
		free(mn);
		snprintf(msg, sizeof(msg), "reloaded the intended %s policy %s: %d change%s",
			 f ? "IPv6" : "IPv4", a->o.policy[f], x.n, x.n == 1 ? "" : "s");
		info(a, msg);
		if (evalset_set(a, &a->in, f, &np) < 0) {
			snprintf(err, errlen, "out of memory");
			policy_free(&np);
			return -1;
		}
		a->live_same[f] = 0;
		if (a->live_known[f] && a->lv.pol.rs[f]) {
			memset(a->pfx_state, 0, sizeof(a->pfx_state));
			compare_live(a, f);
			if (a->live_same[f])
				info(a, f ? "the live IPv6 ruleset equals the intended policy" :
				     "the live IPv4 ruleset equals the intended policy");
		}
	}
	policy_free(&np);
	return 0;
}

void audit_get_stats(const struct audit *a, struct audit_stats *s)
{
	*s = a->s;
}

void audit_summary(const struct audit *a, FILE *f)
{
	int k;

	fprintf(f, "collect: policy audit: %llu new flows evaluated (%llu against the live ruleset "
		"too), %llu violations, %llu lines (%llu rate-limited)\n",
		(unsigned long long)a->s.flows_evaluated, (unsigned long long)a->s.live_evaluated,
		(unsigned long long)a->s.violations, (unsigned long long)a->s.lines,
		(unsigned long long)a->s.lines_suppressed);
	if (a->s.flows_evaluated)
		fprintf(f, "collect: policy audit: evaluation %.0f ns per new flow (%.0f flows/s of "
			"evaluator time)\n", (double)a->s.eval_nsec / (double)a->s.flows_evaluated,
			a->s.eval_nsec ? (double)a->s.flows_evaluated * 1e9 / (double)a->s.eval_nsec : 0.0);
	for (k = 0; k < AK_COUNT; k++)
		if (a->s.kind[k])
			fprintf(f, "  %-20s %llu\n", audit_kind_names[k],
				(unsigned long long)a->s.kind[k]);
}

void audit_free(struct audit *a)
{
	size_t i;
	int f;

	if (!a)
		return;
	if (a->c && a->c->hooks.arg == a)
		memset(&a->c->hooks, 0, sizeof(a->c->hooks));
	for (f = 0; f < 2; f++) {
		evalset_free_family(&a->in, f);
		evalset_free_family(&a->lv, f);
		free(a->live_text[f]);
	}
	if (a->pend)
		for (i = 0; i < a->npend; i++)
			pend_free_strings(&a->pend[i]);
	alert_close(a->o.alert);
	check_host_free(&a->h);
	free(a->dropped);
	free(a->replies);
	free(a->sigs);
	free(a->pend);
	free(a->noreply);
	free(a->services);
	free(a->pfx_why);
	free(a);
}
