/* This file contains the live policy audit's per-new-flow checks: each new flow derived
 * as `check` derives it, evaluated against the intended policy (and the live ruleset when
 * it differs), spoof_accepted, loopback_blocked and live_differs found, and the flow
 * handed to the evidence joins (audit_evidence.c). */
#include "policy/audit_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/classify.h"
#include "common/util.h"

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int blocked(unsigned v)
{
	return v == IPT_V_DROP || v == IPT_V_REJECT;
}

void audit_make_flow(const struct flow_entry *e, const struct pkt_record *r,
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
	f->ttl_known = 1;	/* the record's IP header was decoded */
	f->ttl_min = f->ttl_max = r->ttl;
}

int audit_eval(struct evalset *s, int fam, const struct check_flow *f, const char *ifname,
		struct check_res *out)
{
	struct ipt_packet p;
	struct ipt_result r;

	if (!s->ev[fam])
		return -1;
	check_flow_to_packet(f, ifname, &p);
	if (policy_eval_packet(s->ev[fam], &p, &r) < 0)
		return -1;
	check_res_from(out, &r);
	return 0;
}

/* A new flow as new_flow() evaluated it. */
struct nf {
	struct flow_entry *e;
	const struct pkt_record *r;
	const struct flow_key *k;
	const struct iface_info *ifc;
	int fam, loop, have_live, incoming;
	struct flow_key rk;		/* the reverse direction's key */
	struct flow_entry *rev;		/* ... and its flow, when seen */
	struct check_flow f;
	struct check_res ri, rl;	/* intended, live (when have_live) */
	struct tuple t;			/* the packet's real tuple */
};

/* spoof_accepted, loopback_blocked and live_differs of a new flow. */
static void flow_violations(struct audit *a, const struct nf *n)
{
	const struct flow_key *k = n->k;
	const char *ifn = n->ifc->name;
	int fam = n->fam;
	struct check_flow fr = n->f;
	char flow[400], is[600], ls[600], sig[700], pb[16];
	struct vio v;

	memset(&v, 0, sizeof(v));
	v.e = n->e;
	v.iface = ifn;
	v.cls = check_class_name(n->f.cls);
	v.family = k->family;
	v.proto = k->proto;
	v.dport = k->dport;
	v.packets = 1;
	v.sig = sig;
	fr.sport = n->t.sport;	/* the real ports, for the line */
	fr.dport = n->t.dport;
	audit_flow_text(&fr, ifn, flow, sizeof(flow));
	audit_res_desc(a, 0, fam, &n->ri, is, sizeof(is));
	v.flow = flow;
	v.intended = is;
	if (n->f.spoof && (n->ri.possible & IPT_VSET_ACCEPT)) {
		v.kind = AK_SPOOF_ACCEPTED;
		v.live = n->have_live ? (audit_res_desc(a, 1, fam, &n->rl, ls, sizeof(ls)), ls) : NULL;
		v.ev_ts[1] = n->r->ts_usec;	/* the collector keeps spoofed packets */
		/* one violation per interface, class, protocol and deciding rule: a flood from
		 * random sources to random ports is one line and a count */
		audit_sig(sig, sizeof(sig), v.kind, "%s|%s|%s|%u|%u|%u", ifn, v.cls,
			  audit_proto_name(k->proto, pb, sizeof(pb)), n->ri.rule, n->ri.chain, n->ri.by);
		audit_violation(a, &v);
	}
	if (n->f.loopback && (n->ri.possible & (IPT_VSET_DROP | IPT_VSET_REJECT))) {
		v.kind = AK_LOOPBACK_BLOCKED;
		v.live = n->have_live ? (audit_res_desc(a, 1, fam, &n->rl, ls, sizeof(ls)), ls) :
			 "passed (the packet was seen on lo)";
		v.ev_ts[1] = 0;
		audit_sig(sig, sizeof(sig), v.kind, "%s|%u|%u|%u|%u", ifn, k->proto,
			  k->sport ? k->sport : k->dport, n->ri.rule, n->ri.chain);
		audit_violation(a, &v);
	}
	if (n->have_live && (n->ri.verdict != n->rl.verdict || n->ri.possible != n->rl.possible)) {
		char pd[800], evd[900];

		audit_res_desc(a, 1, fam, &n->rl, ls, sizeof(ls));
		audit_path_diff(a, fam, &n->f, ifn, pd, sizeof(pd));
		snprintf(evd, sizeof(evd), "the live kernel ruleset decides this flow otherwise%s%s",
			 pd[0] ? "; " : "", pd);
		v.kind = AK_LIVE_DIFFERS;
		v.live = ls;
		v.evidence = evd;
		v.ev_ts[1] = n->f.spoof ? n->r->ts_usec : 0;
		audit_sig(sig, sizeof(sig), v.kind, "%s|%s|%u|%u|%u|%u|%u", ifn, v.cls, k->proto,
			  k->sport ? k->sport : k->dport, n->ri.rule, n->rl.rule, n->rl.chain);
		audit_violation(a, &v);
	}
}

/* Replies: a request the intended policy blocks, answered (either order). */
static void flow_replies(struct audit *a, const struct nf *n, int linktype, const uint8_t *data,
			 uint32_t caplen)
{
	const struct flow_key *k = n->k;
	struct flow_entry *e = n->e;
	const struct pkt_record *r = n->r;
	struct tuple rt, jk;
	struct dropped *d;

	if (n->incoming && blocked(n->ri.verdict)) {
		uint64_t h;
		struct reply *x;

		audit_join_key(&n->t, &jk);
		h = audit_tuple_hash(&jk);
		d = &a->dropped[h & (DROPPED_SLOTS - 1)];
		if (d->used && d->ts > a->dropped[(h + 1) & (DROPPED_SLOTS - 1)].ts)
			d = &a->dropped[(h + 1) & (DROPPED_SLOTS - 1)];
		d->jk = jk;
		d->t = n->t;
		d->key = *k;
		d->ts = r->ts_usec;
		d->ri = n->ri;
		d->used = 1;
		x = audit_reply_find(a, &jk);	/* answered before we saw the request */
		if (x && x->ts + 1000000u >= d->ts) {
			struct flow_entry *ee = flowtab_find(a->c->ft, &x->key);

			if (ee && ee->evidence_kept < a->c->opt.evidence_per_flow &&
			    collector_keep_evidence(a->c, ee, x->linktype, x->ts, x->data, x->caplen,
						    x->wirelen) < 0)
				ee = NULL;
			audit_report_reply(a, d, ee, &x->key, &x->t, x->icmp, x->ts);
			x->used = 0;
		}
	}
	if (k->dir != DIR_OUT && !n->loop)
		return;
	audit_tuple_reverse(&n->t, &rt);
	audit_join_key(&rt, &jk);
	d = audit_dropped_find(a, &jk);
	if (d) {
		struct flow_entry *ee = e;

		if (e->evidence_kept < a->c->opt.evidence_per_flow &&
		    collector_keep_evidence(a->c, e, linktype, r->ts_usec, data, caplen, r->wirelen) < 0)
			ee = NULL;
		audit_report_reply(a, d, ee, k, &n->t, 0, r->ts_usec);
		d->used = 0;
	} else {
		audit_reply_add(a, &n->t, k, r, linktype, data, caplen, 0);
	}
}

/* Services that answer on loopback; attempts at them from outside; answers. */
static void flow_services(struct audit *a, const struct nf *n)
{
	const struct flow_key *k = n->k;
	struct tuple nt;
	struct noreply *x;

	if (n->loop && k->sport && !k->dport && n->rev && (k->proto == 6 || k->proto == 17)) {
		struct service *sv = audit_service_slot(a, k->proto, k->sport);

		sv->used = 1;
		sv->proto = k->proto;
		sv->port = k->sport;
	}
	if (n->incoming && !n->f.spoof && k->cls == CLS_NORMAL && (k->proto == 6 || k->proto == 17) &&
	    k->dport && n->ri.verdict == IPT_V_ACCEPT && !n->rev &&
	    (k->proto != 6 || (n->f.flags_seen & (IPT_TCP_SYN | IPT_TCP_ACK)) == IPT_TCP_SYN)) {
		struct service *sv = audit_service_slot(a, k->proto, k->dport);

		if (sv->used && sv->proto == k->proto && sv->port == k->dport) {
			audit_noreply_tuple(k->family, k->proto, k->src, k->dst, k->dport, &nt);
			x = audit_noreply_find(a, &nt, 1);
			x->key = *k;
			x->rkey = n->rk;
			x->first = n->r->ts_usec;
			x->attempts = 1;
			x->ri = n->ri;
			n->e->audit |= FLOW_AUDIT_WATCH;
		}
	}
	if (k->dir == DIR_OUT && !n->loop && (k->proto == 6 || k->proto == 17) &&
	    (n->r->have & PKT_HAVE_PORTS)) {
		audit_noreply_tuple(k->family, k->proto, k->dst, k->src, n->r->sport, &nt);
		x = audit_noreply_find(a, &nt, 0);
		if (x)
			x->used = 0;	/* answered */
	}
}

static void new_flow(struct audit *a, struct flow_entry *e, const struct pkt_record *r,
		     int linktype, const uint8_t *data, uint32_t caplen)
{
	struct nf n;
	uint64_t t0;

	memset(&n, 0, sizeof(n));
	n.e = e;
	n.r = r;
	n.k = &e->key;
	n.ifc = &a->c->ifaces[n.k->iface].info;
	n.fam = n.k->family == 6;
	n.loop = n.ifc->role == ROLE_LOOPBACK;
	if (!a->in.ev[n.fam] || r->status != DEC_OK)
		return;
	t0 = mono_ns();
	audit_make_flow(e, r, &n.f);
	collector_reverse_key(a->c, n.k, r, &n.rk);
	n.rev = flowtab_find(a->c->ft, &n.rk);
	check_flow_derive_one(&n.f, &a->h, n.loop, n.rev != NULL && n.rev != e,
			      n.rev != NULL && n.rev != e);
	if (audit_eval(&a->in, n.fam, &n.f, n.ifc->name, &n.ri) < 0)
		return;
	a->s.flows_evaluated++;
	e->audit = (uint8_t)((e->audit & FLOW_AUDIT_WATCH) | E_EVALUATED | (n.ri.verdict & 3));
	if (a->lv.ev[n.fam] && a->live_known[n.fam] && !a->live_same[n.fam] &&
	    audit_eval(&a->lv, n.fam, &n.f, n.ifc->name, &n.rl) == 0) {
		n.have_live = 1;
		a->s.live_evaluated++;
	}
	a->s.eval_nsec += mono_ns() - t0;
	audit_tuple_of(r, &n.t);
	n.incoming = !n.loop && n.k->dir != DIR_OUT && n.f.path == IPT_PATH_INCOMING;
	if ((n.f.spoof && (n.ri.possible & IPT_VSET_ACCEPT)) ||
	    (n.f.loopback && (n.ri.possible & (IPT_VSET_DROP | IPT_VSET_REJECT))) ||
	    (n.have_live && (n.ri.verdict != n.rl.verdict || n.ri.possible != n.rl.possible)))
		flow_violations(a, &n);
	flow_replies(a, &n, linktype, data, caplen);
	flow_services(a, &n);
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

		audit_join_key(&q, &jk);
		d = audit_dropped_find(a, &jk);
	}
	if (d) {
		struct flow_entry *ee = e;

		if (e->evidence_kept >= a->c->opt.evidence_per_flow ||
		    collector_keep_evidence(a->c, e, linktype, r->ts_usec, data, caplen, r->wirelen) < 0)
			ee = NULL;
		audit_tuple_reverse(&q, &rt);
		audit_report_reply(a, d, ee, &e->key, &rt, 1, r->ts_usec);
		d->used = 0;
	} else {
		audit_tuple_reverse(&q, &rt);
		audit_reply_add(a, &rt, &e->key, r, linktype, data, caplen, 1);
	}
}

void audit_on_packet(void *arg, struct flow_entry *e, const struct pkt_record *r, int created,
		      int linktype, const uint8_t *data, uint32_t caplen)
{
	struct audit *a = arg;

	if (created)
		new_flow(a, e, r, linktype, data, caplen);
	else if (e->audit & FLOW_AUDIT_WATCH) {
		struct tuple nt;
		struct noreply *x;

		audit_noreply_tuple(e->key.family, e->key.proto, e->key.src, e->key.dst, e->key.dport, &nt);
		x = audit_noreply_find(a, &nt, 0);
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
