/* This file contains the policy checker's core: the host context read from the database
 * (or given on the command line), the flow -> evaluator-packet derivation (path from
 * direction and interface role, conntrack state from the reverse direction and TCP flags,
 * collapsed ports as unknown fields), evaluation of every flow against a ruleset with the
 * compiled fast path (check_eval.c). The host context is built in check_host.c, the
 * flow set kept in check_flows.c, findings are grouped in check_findings.c.
 *
 * How a flow becomes one packet (README "check" documents this for users):
 *  - path: a flow on a loopback interface is LOOPBACK; dir 'out' is LOCAL_OUT; dir 'in'
 *    (or 'unknown', as received) is INCOMING when its destination is one of the host's
 *    addresses, a broadcast or multicast address, or when the host's addresses are not
 *    known, and FORWARD otherwise (out interface: the route's, else none).
 *  - the packet stands for the flow's first packet: a connection's fate is decided by it.
 *    Its later packets are accounted for separately, by the state the kernel gives each
 *    (check_flow_split(), evaluated in check_eval.c): rule hits are the kernel's counts.
 *  - conntrack state: see check_ctstate(); a flow of one TCP packet that opened its
 *    direction has exactly that packet's flags: its state is ipt_ct_tcp_first()'s.
 *  - a port of a normal or loopback flow stored as 0 was collapsed (README "Port
 *    collapsing") and is unknown: --sport/--dport/multiport matches on it are "maybe". */
#include "policy/check.h"
#include "common/util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *check_class_name(unsigned cls)
{
	return classify_class_name(cls < CLS_COUNT ? (enum spoof_class)cls : CLS_NORMAL);
}



/* ---- flows ---- */

static int has_ports(int proto)
{
	return proto == 6 || proto == 17 || proto == 136 || proto == 132 || proto == 33;
}

enum ipt_ctstate check_ctstate(int family, int proto, unsigned flags_seen, unsigned icmp_type,
			       int have_reverse, int reverse_first, uint8_t *flags, uint8_t *unk)
{
	*flags = 0;
	*unk = 0;
	if (proto == 6) {
		unsigned syn = flags_seen & IPT_TCP_SYN, ack = flags_seen & IPT_TCP_ACK;

		if (syn) {
			/* the flow began with a SYN: the initiator's SYN is NEW; the
			 * responder's first packet is the SYN-ACK, ESTABLISHED (a reply) */
			if (have_reverse && reverse_first && ack) {
				*flags = IPT_TCP_SYN | IPT_TCP_ACK;
				return IPT_CT_ESTABLISHED;
			}
			*flags = IPT_TCP_SYN;
			return IPT_CT_NEW;
		}
		/* picked up mid-stream: which packet came first is not known */
		*unk = IPT_UNK_FLAGS;
		if (have_reverse)
			return IPT_CT_ESTABLISHED;
		if (flags_seen == IPT_TCP_RST || !ack)
			return IPT_CT_UNKNOWN;	/* RST / FIN-only: INVALID, or mid-stream */
		return IPT_CT_NEW;	/* nf_conntrack_tcp_loose picks up an ACK as NEW */
	}
	if (proto == 1 || proto == 58) {
		int req = pkt_icmp_request(family, icmp_type);

		if (req == 1)
			return IPT_CT_NEW;
		if (req == 0)
			return have_reverse ? IPT_CT_ESTABLISHED : IPT_CT_INVALID;
		return IPT_CT_UNKNOWN;	/* errors: RELATED or INVALID; ND, router messages... */
	}
	if (have_reverse && reverse_first)
		return IPT_CT_ESTABLISHED;
	return IPT_CT_NEW;
}

/* Reverse-direction index: open addressing over flows, keyed by the 5-tuple. */
struct rkey {
	uint8_t family, proto;
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
	uint8_t pad[2];		/* 40 bytes: hashed as five words */
};

static void flow_key(const struct check_flow *f, int reverse, struct rkey *k)
{
	memset(k, 0, sizeof(*k));
	k->family = f->family;
	k->proto = f->proto;
	if (!reverse) {
		memcpy(k->src, f->src, 16);
		memcpy(k->dst, f->dst, 16);
		k->sport = f->sport;
		k->dport = f->dport;
		return;
	}
	memcpy(k->src, f->dst, 16);
	memcpy(k->dst, f->src, 16);
	k->sport = f->dport;
	k->dport = f->sport;
	if (f->proto == 1 || f->proto == 58) {	/* echo request <-> reply and the like */
		int r = pkt_icmp_pair(f->family, f->dport >> 8);

		if (r < 0)
			r = 255;
		k->sport = 0;
		k->dport = (uint16_t)(r << 8 | (f->dport & 0xff));
	}
}

static uint64_t key_hash(const struct rkey *k)
{
	uint64_t w[5], h = 0x9e3779b97f4a7c15ull;
	size_t i;

	memcpy(w, k, sizeof(w));
	for (i = 0; i < 5; i++) {
		h = (h ^ w[i]) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return h;
}

static int is_host_addr(const struct check_host *h, int family, const uint8_t *a)
{
	size_t i;

	if (family == 4 && a[0] == 127)
		return 1;
	for (i = 0; i < h->naddrs; i++)
		if (h->addrs[i].family == family && !memcmp(h->addrs[i].addr, a, family == 4 ? 4 : 16))
			return 1;
	return 0;
}

static int is_bcast_mcast(const struct check_host *h, int family, const uint8_t *a, int *mc)
{
	size_t i;

	*mc = 0;
	if (family == 6) {
		*mc = a[0] == 0xff;
		return *mc;
	}
	if ((a[0] & 0xf0) == 224) {
		*mc = 1;
		return 1;
	}
	if (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255)
		return 1;
	for (i = 0; i < h->naddrs; i++) {
		const struct ipt_hostaddr *x = &h->addrs[i];
		uint32_t ha, v, mask;

		if (x->family != 4 || x->plen >= 31)
			continue;
		mask = x->plen ? ~0u << (32 - x->plen) : 0;
		ha = (uint32_t)x->addr[0] << 24 | (uint32_t)x->addr[1] << 16 | (uint32_t)x->addr[2] << 8 | x->addr[3];
		v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
		if ((v & mask) == (ha & mask) && (v | mask) == UINT32_MAX)
			return 1;
	}
	return 0;
}

/* Whether some device forwards family: the switch for all, or one device's (IPv4's own
 * forwarding, IPv6's force_forwarding; ipt_ctx_forward). */
static int forwards_somewhere(const struct check_host *h, int family)
{
	size_t i;

	if ((family == 6 ? h->ctx.ip6_forward : h->ctx.ip_forward) == IPT_FWD_ON)
		return 1;
	for (i = 0; i < h->nifconf; i++)
		if (ipt_ifconf_forward_apart(&h->ctx, &h->ifconf[i], family) == IPT_FWD_ON)
			return 1;
	return 0;
}

/* A row sent that the host did not originate: a source that is none of its addresses,
 * with the family's forwarding on (for IPv4, on some device: the one it came in on is
 * not known); not 0.0.0.0 (a DHCP client's) nor ::, and for IPv6 not link-local
 * (fe80::/10: ip6_forward never sends one to another link). With forwarding off or not
 * known, a foreign source leaving is a local process's (a raw socket), on OUTPUT. */
static int passed_through(const struct check_host *h, const struct check_flow *f)
{
	static const uint8_t any[16];
	int n = f->family == 6 ? 16 : 4;

	if (!h->have_addrs || !forwards_somewhere(h, f->family) ||
	    memcmp(f->src, any, (size_t)n) == 0 || is_host_addr(h, f->family, f->src))
		return 0;
	return f->family == 4 || !ipt_v6_linklocal(f->src);
}

void check_flow_derive_one(struct check_flow *f, const struct check_host *h, int loopback_if,
			   int rev, int rev_first)
{
	int mc;
	uint8_t unk = 0;

	/* path */
	f->passed_through = 0;
	if (loopback_if)
		f->path = IPT_PATH_LOOPBACK;
	else if (f->dir == 2 && passed_through(h, f))
		f->path = IPT_PATH_FORWARD, f->passed_through = 1;
	else if (f->dir == 2)
		f->path = IPT_PATH_LOCAL_OUT;
	else if (!h->have_addrs || is_host_addr(h, f->family, f->dst) ||
		 is_bcast_mcast(h, f->family, f->dst, &mc))
		f->path = IPT_PATH_INCOMING;
	else
		f->path = IPT_PATH_FORWARD;
	f->pkttype = IPT_PKT_HOST;
	if (is_bcast_mcast(h, f->family, f->dst, &mc))
		f->pkttype = mc ? IPT_PKT_MULTICAST : IPT_PKT_BROADCAST;
	f->have_reverse = (uint8_t)rev;
	f->ctstate = (uint8_t)check_ctstate(f->family, f->proto, f->flags_seen, f->dport >> 8,
					    rev, rev_first, &f->tcp_flags, &unk);
	if ((f->loopback || f->cls == 0) && has_ports(f->proto)) {
		if (f->sport == 0)
			unk |= IPT_UNK_SPORT;
		if (f->dport == 0)
			unk |= IPT_UNK_DPORT;
	}
	f->unknown = unk;
}

/* The index: per 5-tuple the earliest row (buckets split a flow into rows), by open
 * addressing; a slot keeps the upper half of the key's hash, so that a probe reads a
 * flow only when that matches. */
struct rslot {
	uint32_t idx;		/* UINT32_MAX: empty */
	uint32_t tag;
};

struct rindex {
	struct rslot *s;
	size_t mask;
};

/* The slot of key k (hash hk): the one holding it, or the empty one where it goes. */
static struct rslot *rindex_slot(const struct rindex *x, const struct check_flows *fs,
				 const struct rkey *k, uint64_t hk)
{
	uint32_t tag = (uint32_t)(hk >> 32);
	size_t p;

	for (p = hk & x->mask;; p = (p + 1) & x->mask) {
		struct rslot *sl = &x->s[p];
		struct rkey k2;

		if (sl->idx == UINT32_MAX)
			return sl;
		if (sl->tag != tag)
			continue;
		flow_key(&fs->v[sl->idx], 0, &k2);
		if (!memcmp(k, &k2, sizeof(*k)))
			return sl;
	}
}

#define RINDEX_AHEAD 16	/* slots prefetched ahead: the probes are cache misses */

/* Builds the index from hk[i], the hash of flow i's key; first[i] is then 1 for the rows
 * that hold their 5-tuple's earliest packet. */
static int rindex_build(struct rindex *x, const struct check_flows *fs, const uint64_t *hk,
			uint8_t *first)
{
	size_t n = 16, i;

	while (n < fs->n * 2)
		n <<= 1;
	x->s = malloc(n * sizeof(*x->s));
	if (!x->s) {
		errno = ENOMEM;
		return -1;
	}
	x->mask = n - 1;
	memset(x->s, 0xff, n * sizeof(*x->s));
	for (i = 0; i < fs->n; i++) {
		struct rkey k;
		struct rslot *sl;

		if (i + RINDEX_AHEAD < fs->n)
			__builtin_prefetch(&x->s[hk[i + RINDEX_AHEAD] & x->mask], 1);
		flow_key(&fs->v[i], 0, &k);
		sl = rindex_slot(x, fs, &k, hk[i]);
		if (sl->idx == UINT32_MAX || fs->v[i].first_usec < fs->v[sl->idx].first_usec) {
			sl->idx = (uint32_t)i;
			sl->tag = (uint32_t)(hk[i] >> 32);
		}
	}
	memset(first, 0, fs->n);
	for (i = 0; i <= x->mask; i++)
		if (x->s[i].idx != UINT32_MAX)
			first[x->s[i].idx] = 1;
	return 0;
}

void check_flow_split(struct check_flow *f, int first_row, int rev, int64_t rev_usec)
{
	uint64_t n = f->packets, a = 0, b = 0;

	f->pk_est = f->pk_amb = 0;
	if (f->pre_known && n) {
		/* The collector placed each counted packet (flows.pre_reply): exact. A row
		 * whose reverse began first still holds new conversations when the collector
		 * saw packets in it before their answer (a collapsed port: several
		 * connections in one row); not TCP, whose state the flags give. */
		if (f->ctstate == IPT_CT_ESTABLISHED && f->pk_pre && rev && rev_usec < f->first_usec &&
		    f->proto != 6 && f->proto != 1 && f->proto != 58)
			f->ctstate = IPT_CT_NEW;
		if (f->ctstate != IPT_CT_NEW)
			return;
		f->pk_est = n - f->pk_unplaced - f->pk_pre;
		f->pk_amb = f->pk_unplaced;
		return;
	}
	/* answered or not, a first packet that is not NEW (ESTABLISHED: the answer came
	 * first; INVALID: conntrack keeps no entry; UNKNOWN) makes them all alike */
	if (!n || f->ctstate != IPT_CT_NEW || !rev || rev_usec > f->last_usec)
		return;
	if (rev_usec < f->first_usec) {
		f->pk_est = n;
		return;
	}
	if (first_row || f->first_usec < rev_usec)
		a = 1;
	if (n > a && f->last_usec > rev_usec)
		b = 1;
	f->pk_est = b;
	f->pk_amb = n - a - b;
}

/* Derives flow f (index i) once its reverse's earliest row j (UINT32_MAX: none) and
 * whether f holds its direction's first packet are known. */
static void derive(struct check_flows *fs, size_t i, uint32_t j, int first_row,
		   const struct check_host *h, int loopback_if)
{
	struct check_flow *f = &fs->v[i];
	int64_t rev_usec = j != UINT32_MAX ? fs->v[j].first_usec : 0;
	int rev_first = j != UINT32_MAX && rev_usec < f->first_usec;

	check_flow_derive_one(f, h, loopback_if, j != UINT32_MAX, rev_first);
	f->first_row = (uint8_t)first_row;
	/* one TCP packet with SYN that opened its direction: its flags are exact, and
	 * SYN-ACK, SYN+FIN, SYN+RST are INVALID (nf_conntrack_proto_tcp) */
	if (f->proto == 6 && f->packets == 1 && first_row && (f->flags_seen & IPT_TCP_SYN) &&
	    !rev_first) {
		f->ctstate = (uint8_t)ipt_ct_tcp_first(f->flags_seen);
		f->tcp_flags = f->flags_seen;
		f->unknown &= (uint8_t)~IPT_UNK_FLAGS;
	}
	check_flow_split(f, first_row, j != UINT32_MAX, rev_usec);
}

/* A row that continues its 5-tuple (flow i, not its earliest row; j the reverse's earliest
 * row or UINT32_MAX): when the earliest row opened the connection (its reverse began
 * later or never), the row's packets take the binding its first packet made in nat
 * (nf_nat_packet), as that row's later packets do (check_flow_packet_est). */
static void continued(struct check_flows *fs, size_t i, const struct rindex *x, uint64_t hk,
		      uint32_t j)
{
	struct check_flow *f = &fs->v[i];
	struct rkey k;
	uint32_t e;

	flow_key(f, 0, &k);
	e = rindex_slot(x, fs, &k, hk)->idx;
	f->nat_replay = e != UINT32_MAX &&
			(j == UINT32_MAX || fs->v[j].first_usec > fs->v[e].first_usec);
}

/* Drops the rows a router's capture holds twice: a packet it forwards is seen coming in
 * on one interface and leaving by another, and the kernel runs it through its hooks once
 * (PREROUTING, FORWARD with the route's output device, POSTROUTING), as check judges the
 * row that came in. The row leaving has a source that is not the host's (the host did not
 * send it), and its 5-tuple's earliest row came in on another interface; judged again it
 * would be taken for the host's own traffic (OUTPUT). x indexes fs by 5-tuple (hk: the
 * keys' hashes); drop is scratch space, a byte per flow. */
static void drop_copies(struct check_flows *fs, const struct check_host *h, const int *loop_if,
			const struct rindex *x, const uint64_t *hk, uint8_t *drop)
{
	size_t i, o = 0;

	for (i = 0; i < fs->n; i++) {
		const struct check_flow *f = &fs->v[i];
		struct rkey k;
		uint32_t e;

		drop[i] = 0;
		if (f->dir != 2 || !h->have_addrs || loop_if[f->iface] ||
		    is_host_addr(h, f->family, f->src))
			continue;
		flow_key(f, 0, &k);
		e = rindex_slot(x, fs, &k, hk[i])->idx;
		drop[i] = e != UINT32_MAX && fs->v[e].dir == 1 && fs->v[e].iface != f->iface;
	}
	for (i = 0; i < fs->n; i++) {	/* the index is not used after this */
		const struct check_flow *f = &fs->v[i];
		int fam = f->family == 6;

		if (!drop[i]) {
			if (o != i)
				fs->v[o] = *f;
			o++;
			continue;
		}
		fs->copies[fam]++;
		fs->copy_packets[fam] += f->packets;
		fs->copy_placed[fam] += f->pre_known;
		fs->copy_placed_packets[fam] += f->pre_known ? f->packets : 0;
	}
	fs->n = o;
}

/* One thread's share of check_flows_derive(): flows [from, to). */
struct dpart {
	struct check_flows *fs;
	const struct check_host *h;
	const struct rindex *x;
	uint64_t *hk, *hr;	/* the hashes of the keys (phase 0), of the reverse keys (1) */
	const uint8_t *first;
	const int *loop_if;
	size_t from, to;
	int phase;		/* 0: hk; 1: hr, and derive */
};

static void *derive_part(void *arg)
{
	const struct dpart *d = arg;
	struct check_flows *fs = d->fs;
	uint64_t *h = d->phase ? d->hr : d->hk;
	size_t i;

	for (i = d->from; i < d->to; i++) {
		struct rkey k;

		flow_key(&fs->v[i], d->phase, &k);
		h[i] = key_hash(&k);
	}
	if (d->phase == 0)
		return NULL;
	/* reads the index and the key fields and first_usec of any flow; writes only the
	 * derived fields of its own */
	for (i = d->from; i < d->to; i++) {
		struct rkey k;
		uint32_t j;

		if (i + RINDEX_AHEAD < d->to)
			__builtin_prefetch(&d->x->s[d->hr[i + RINDEX_AHEAD] & d->x->mask], 0);
		flow_key(&fs->v[i], 1, &k);
		j = rindex_slot(d->x, fs, &k, d->hr[i])->idx;
		derive(fs, i, j, d->first[i], d->h, d->loop_if[fs->v[i].iface]);
		if (!d->first[i])
			continued(fs, i, d->x, d->hk[i], j);
	}
	return NULL;
}

#define DERIVE_THREADS_MAX 4
#define DERIVE_FLOWS_PER_THREAD 50000	/* fewer flows are not worth a thread */

/* Runs phase `phase` of the derivation over all flows, on nt threads (this one too). */
static void derive_run(struct dpart *d, unsigned nt, int phase)
{
	pthread_t tid[DERIVE_THREADS_MAX];
	int started[DERIVE_THREADS_MAX] = {0};
	unsigned t;

	for (t = 0; t < nt; t++) {
		d[t] = d[0];
		d[t].phase = phase;
		d[t].from = d[0].fs->n * t / nt;
		d[t].to = d[0].fs->n * (t + 1) / nt;
	}
	for (t = 1; t < nt; t++)
		started[t] = pthread_create(&tid[t], NULL, derive_part, &d[t]) == 0;
	derive_part(&d[0]);
	for (t = 1; t < nt; t++) {
		if (started[t])
			pthread_join(tid[t], NULL);
		else	/* no thread: its share on this one */
			derive_part(&d[t]);
	}
}

/* fs->threads (at most DERIVE_THREADS_MAX), or with 0 one per online CPU, at most
 * DERIVE_THREADS_MAX, each with DERIVE_FLOWS_PER_THREAD flows. */
static unsigned derive_threads(const struct check_flows *fs)
{
	return util_threads(fs->n, fs->threads, DERIVE_THREADS_MAX, DERIVE_FLOWS_PER_THREAD);
}

int check_flows_derive(struct check_flows *fs, const struct check_host *h)
{
	struct rindex x = {NULL, 0};
	struct dpart d[DERIVE_THREADS_MAX];
	size_t n = fs->n ? fs->n : 1, i;
	int *loop_if = calloc(fs->nifnames ? fs->nifnames : 1, sizeof(*loop_if)), ret = -1;
	uint64_t *hk = malloc(n * sizeof(*hk)), *hr = malloc(n * sizeof(*hr));
	uint8_t *first = malloc(n);
	unsigned nt = derive_threads(fs);

	if (!loop_if || !hk || !hr || !first)
		goto nomem;
	memset(d, 0, sizeof(d));
	d[0].fs = fs;
	d[0].h = h;
	d[0].x = &x;
	d[0].hk = hk;
	d[0].hr = hr;
	d[0].first = first;
	d[0].loop_if = loop_if;
	derive_run(d, nt, 0);
	if (rindex_build(&x, fs, hk, first) < 0)
		goto nomem;
	for (i = 0; i < fs->nifnames; i++) {
		int role = check_host_role(h, fs->ifnames[i]);

		loop_if[i] = role >= 0 ? role == ROLE_LOOPBACK : !strcmp(fs->ifnames[i], "lo");
	}
	derive_run(d, nt, 1);
	drop_copies(fs, h, loop_if, &x, hk, first);
	ret = 0;
	goto out;
nomem:
	errno = ENOMEM;
out:
	free(x.s);
	free(loop_if);
	free(hk);
	free(hr);
	free(first);
	return ret;
}

void check_flow_packet(const struct check_flows *fs, size_t i, struct ipt_packet *p)
{
	check_flow_to_packet(&fs->v[i], fs->ifnames[fs->v[i].iface], p);
}

/* An interface name into an IPT_IFNAMSIZ buffer, truncated. */
static void ifn_copy(char *dst, const char *ifn)
{
	size_t n = strnlen(ifn, IPT_IFNAMSIZ - 1);

	memcpy(dst, ifn, n);
	dst[n] = '\0';
}

void check_flow_to_packet(const struct check_flow *f, const char *ifn, struct ipt_packet *p)
{

	ipt_packet_init(p, f->family, (enum ipt_path)f->path);
	p->proto = f->proto;
	memcpy(p->src, f->src, 16);
	memcpy(p->dst, f->dst, 16);
	if (f->proto == 1 || f->proto == 58) {
		p->icmp_type = (uint8_t)(f->dport >> 8);
		p->icmp_code = (uint8_t)(f->dport & 0xff);
	} else {
		p->sport = f->sport;
		p->dport = f->dport;
	}
	p->tcp_flags = f->tcp_flags;
	p->ctstate = f->ctstate;
	p->nat_replay = f->nat_replay;
	p->pkttype = f->pkttype;
	p->unknown = f->unknown;
	/* what a row seen leaving carries was decremented on the way: the packet passed */
	p->ttl_known = f->ttl_known && !f->passed_through;
	p->ttl_min = f->ttl_min;
	p->ttl_max = f->ttl_max;
	/* no printf: check makes a packet of each of a million flows; a packet seen leaving
	 * for another host came in where the evaluator's route back to its source says */
	ifn_copy(f->path == IPT_PATH_LOCAL_OUT || f->passed_through ? p->out_if : p->in_if, ifn);
}

void check_flow_describe(const struct check_flows *fs, size_t i, char *buf, size_t len)
{
	const struct check_flow *f = &fs->v[i];
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	static const char *const dirs[] = {"unknown", "in", "out"};
	const char *pn = f->proto == 6 ? "tcp" : f->proto == 17 ? "udp" : f->proto == 1 ? "icmp"
		       : f->proto == 58 ? "icmpv6" : NULL;
	char pbuf[8];

	inet_ntop(f->family == 4 ? AF_INET : AF_INET6, f->src, s, sizeof(s));
	inet_ntop(f->family == 4 ? AF_INET : AF_INET6, f->dst, d, sizeof(d));
	if (!pn) {
		snprintf(pbuf, sizeof(pbuf), "%u", f->proto);
		pn = pbuf;
	}
	if (f->proto == 1 || f->proto == 58)
		snprintf(buf, len, "%s %s %s %s -> %s type %u/%u (%s)", fs->ifnames[f->iface],
			 dirs[f->dir], pn, s, d, f->dport >> 8, f->dport & 0xff,
			 check_class_name(f->cls));
	else
		snprintf(buf, len, "%s %s %s %s%s%s:%u -> %s%s%s:%u (%s)", fs->ifnames[f->iface],
			 dirs[f->dir], pn, f->family == 6 ? "[" : "", s, f->family == 6 ? "]" : "",
			 f->sport, f->family == 6 ? "[" : "", d, f->family == 6 ? "]" : "", f->dport,
			 check_class_name(f->cls));
}
