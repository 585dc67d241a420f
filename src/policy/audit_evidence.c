/* This file contains the live policy audit's evidence joins: requests the intended
 * policy blocks joined with the replies the host sent (live_reply), NFLOG drop prefixes
 * that logged flows the intended policy accepts (live_nflog_drop), and repeated attempts
 * at services that answer on loopback, unanswered (live_no_reply). */
#include "policy/audit_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/classify.h"
#include "common/util.h"

void audit_join_key(const struct tuple *request, struct tuple *jk)
{
	*jk = *request;
	memset(jk->dst, 0, sizeof(jk->dst));
}

uint64_t audit_tuple_hash(const struct tuple *t)
{
	return audit_hash(t, sizeof(*t), 1469598103934665603ull);
}

void audit_tuple_reverse(const struct tuple *t, struct tuple *r)
{
	memset(r, 0, sizeof(*r));
	r->family = t->family;
	r->proto = t->proto;
	memcpy(r->src, t->dst, 16);
	memcpy(r->dst, t->src, 16);
	if (t->proto == 1 || t->proto == 58) {	/* echo request <-> reply and the like */
		int x = pkt_icmp_pair(t->family, t->dport >> 8);

		r->dport = (uint16_t)((x < 0 ? 255 : x) << 8);
		return;
	}
	r->sport = t->dport;
	r->dport = t->sport;
}

void audit_tuple_of(const struct pkt_record *r, struct tuple *t)
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

const char *audit_proto_name(unsigned p, char *buf, size_t len)
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

struct dropped *audit_dropped_find(struct audit *a, const struct tuple *t)
{
	uint64_t h = audit_tuple_hash(t);
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct dropped *d = &a->dropped[(h + i) & (DROPPED_SLOTS - 1)];

		if (d->used && !memcmp(&d->jk, t, sizeof(*t)))
			return d;
	}
	return NULL;
}

struct reply *audit_reply_find(struct audit *a, const struct tuple *t)
{
	uint64_t h = audit_tuple_hash(t);
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct reply *x = &a->replies[(h + i) & (REPLY_SLOTS - 1)];

		if (x->used && !memcmp(&x->jk, t, sizeof(*t)))
			return x;
	}
	return NULL;
}

void audit_reply_add(struct audit *a, const struct tuple *t, const struct flow_key *key,
		      const struct pkt_record *r, int linktype, const uint8_t *data,
		      uint32_t caplen, int icmp)
{
	struct tuple req, jk;
	uint64_t h;
	struct reply *x;

	audit_tuple_reverse(t, &req);
	audit_join_key(&req, &jk);
	h = audit_tuple_hash(&jk);
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
			 audit_proto_name(rt->proto, pb, sizeof(pb)), s, rt->sport, d, rt->dport,
			 rt->proto == 6 && (key->proto == 6) ? " (TCP)" : "", ifn,
			 a->c->ifaces[key->iface].info.role == ROLE_LOOPBACK ? "" : " out",
			 (double)ts / 1e6);
}

/* A reply (or ICMP error) matched a request the intended policy blocks. */
void audit_report_reply(struct audit *a, const struct dropped *d, struct flow_entry *ee,
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
		audit_make_flow(e, &fake, &f);
	else {
		struct flow_entry tmp;

		memset(&tmp, 0, sizeof(tmp));
		tmp.key = d->key;
		audit_make_flow(&tmp, &fake, &f);
	}
	f.sport = d->t.sport;
	f.dport = d->t.dport;
	audit_flow_text(&f, ifn, flow, sizeof(flow));
	audit_res_desc(a, 0, fam, &d->ri, ri, sizeof(ri));
	reply_desc(a, rkey, rt, icmp, rts, ev, sizeof(ev));
	inet_ntop(fam ? AF_INET6 : AF_INET, d->t.dst, dst, sizeof(dst));
	audit_sig(sig, sizeof(sig), AK_LIVE_REPLY, "%s|%s|%s|%u|%u|%u|%s", ifn,
		 audit_proto_name(d->t.proto, pb, sizeof(pb)), dst, d->t.dport, d->ri.rule, d->ri.chain,
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
	audit_violation(a, &v);
}

struct service *audit_service_slot(struct audit *a, unsigned proto, unsigned port)
{
	uint64_t h = (proto * 65537u + port) * 0x9E3779B97F4A7C15ull;

	return &a->services[(h >> 40) & (SERVICE_SLOTS - 1)];
}

struct noreply *audit_noreply_find(struct audit *a, const struct tuple *t, int create)
{
	struct noreply *x = &a->noreply[audit_tuple_hash(t) & (NOREPLY_SLOTS - 1)];

	if (x->used && !memcmp(&x->t, t, sizeof(*t)))
		return x;
	if (!create)
		return NULL;
	memset(x, 0, sizeof(*x));	/* overwrite: bounded, the newer attempt wins */
	x->t = *t;
	x->used = 1;
	return x;
}

void audit_noreply_tuple(int fam, unsigned proto, const uint8_t *client, const uint8_t *host,
			  unsigned port, struct tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = (uint8_t)fam;
	t->proto = (uint8_t)proto;
	memcpy(t->src, client, 16);
	memcpy(t->dst, host, 16);
	t->dport = (uint16_t)port;
}

/* ---- NFLOG drop prefixes ---- */

void audit_on_nflog(void *arg, struct flow_entry *e, const struct pkt_record *r, int prefix)
{
	struct audit *a = arg;
	int fam = e->key.family == 6;
	const char *pfx;

	if (prefix < 0 || prefix >= COLLECTOR_MAX_PREFIXES)
		return;
	pfx = a->c->prefixes[prefix];
	if (!a->pfx_state[prefix]) {
		struct policy_rules r4, r6;
		int drops = audit_prefix_drops(policy_rules_of(&a->lv.pol, 0, &r4) == 0 ? &r4 : NULL,
					       pfx, a->pfx_why[prefix], sizeof(a->pfx_why[0])) ||
			    audit_prefix_drops(policy_rules_of(&a->lv.pol, 1, &r6) == 0 ? &r6 : NULL,
					       pfx, a->pfx_why[prefix], sizeof(a->pfx_why[0]));

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

		audit_make_flow(e, r, &f);
		collector_reverse_key(a->c, &e->key, r, &rk);
		check_flow_derive_one(&f, &a->h, ifc->role == ROLE_LOOPBACK, 0, 0);
		if (audit_eval(&a->in, fam, &f, ifc->name, &ri) < 0)
			return;
		audit_flow_text(&f, ifc->name, flow, sizeof(flow));
		audit_res_desc(a, 0, fam, &ri, is, sizeof(is));
		snprintf(ev, sizeof(ev), "NFLOG group %u prefix `%s' logged it at hook %u: %s",
			 r->nflog.group, pfx, r->nflog.hook, a->pfx_why[prefix]);
		snprintf(ls, sizeof(ls), "DROP/REJECT (the NFLOG rule that logged it drops)");
		audit_sig(sig, sizeof(sig), AK_LIVE_NFLOG_DROP, "%s|%s|%u|%u|%u", pfx, ifc->name,
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
		audit_violation(a, &v);
	}
}

/* ---- periodic ---- */

/* Attempts at a loopback service that stayed unanswered. */
void audit_tick_noreply(struct audit *a, uint64_t now)
{
	size_t i;

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
			audit_make_flow(&tmp, &fake, &f);
			audit_flow_text(&f, ifn, flow, sizeof(flow));
			audit_res_desc(a, 0, x->key.family == 6, &x->ri, is, sizeof(is));
			snprintf(ev, sizeof(ev), "%u attempts in %.0fs and no reply, while %s/%u answers "
				 "on loopback", x->attempts, (double)(now - x->first) / 1e6,
				 audit_proto_name(x->key.proto, pb, sizeof(pb)), x->key.dport);
			audit_sig(sig, sizeof(sig), AK_LIVE_NO_REPLY, "%s|%u|%u|%u", ifn, x->key.proto,
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
			audit_violation(a, &v);
			if (e)
				e->audit &= (uint8_t)~FLOW_AUDIT_WATCH;
			x->used = 0;
		} else if (now >= x->first + 60000000u) {
			x->used = 0;	/* too few attempts, or answered: forget it */
		}
	}
}
