/* This file implements the collector engine: decode, classify, aggregate, keep evidence
 * and write to the store, counting everything it cannot record. */
#include "collect/collector.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sources/decode.h"
#include "common/util.h"
#include "collect/collector_int.h"

void collector_opts_default(struct collector_opts *o)
{
	o->bucket_seconds = 3600;
	o->max_flows = 200000;
	o->evidence_per_flow = 8;
	o->evidence_buf_bytes = 4u << 20;
	o->flush_batch = 20000;
	backscatter_opts_default(&o->bs);
	hop_opts_default(&o->hop);
	flood_opts_default(&o->flood);
}

static int hop_loaded(void *arg, const struct hop_row *r)
{
	(void)hoptab_load(arg, r);	/* a row that is no prefix is skipped */
	return 0;
}

int collector_init(struct collector *c, const struct collector_opts *o, struct store *st,
		   int64_t run_id)
{
	memset(c, 0, sizeof(*c));
	c->opt = *o;
	c->st = st;
	c->run_id = run_id;
	c->ft = flowtab_new(o->max_flows);
	c->evbuf = malloc(o->evidence_buf_bytes);
	c->cap_ev = o->evidence_buf_bytes / 64 + 16;
	c->ev = calloc(c->cap_ev, sizeof(*c->ev));
	c->nfl = calloc(COLLECTOR_NFLOG_SLOTS, sizeof(*c->nfl));
	c->bs = backscatter_new(&o->bs, util_mono_usec() ^ (uint64_t)(uintptr_t)c);
	c->ans = answers_new(ANSWERS_ENTRIES, util_mono_usec() * 0xc4ceb9fe1a85ec53ULL,
			     o->conntrack_fresh);
	c->hop = o->hop.off ? NULL : hoptab_new(&o->hop, util_mono_usec() * 0x9e3779b97f4a7c15ULL);
	c->flood = o->flood.off ? NULL : flood_new(&o->flood, util_mono_usec() ^ 0x5bd1e995u);
	c->last_prefix = -1;
	if (!c->ft || !c->evbuf || !c->ev || !c->nfl || !c->bs || !c->ans ||
	    o->evidence_buf_bytes > UINT32_MAX ||	/* store_ev_row.off */
	    (!o->hop.off && !c->hop) ||
	    (!o->flood.off && !c->flood)) {
		collector_free(c);
		return -1;
	}
	/* what earlier runs learned: the hop counts grow over days */
	if (c->hop && st && store_hop_load(st, hop_loaded, c->hop) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", store_errmsg(st));
		collector_free(c);
		return -1;
	}
	return 0;
}

void collector_free(struct collector *c)
{
	if (!c)
		return;
	flowtab_free(c->ft);
	c->ft = NULL;
	free(c->evbuf);
	c->evbuf = NULL;
	free(c->ev);
	c->ev = NULL;
	free(c->nfl);
	c->nfl = NULL;
	backscatter_free(c->bs);
	c->bs = NULL;
	answers_free(c->ans);
	c->ans = NULL;
	hoptab_free(c->hop);
	c->hop = NULL;
	flood_free(c->flood);
	c->flood = NULL;
	collector_bs_free(c);
	collector_place_free(c);
}

/* Port collapsing: for normal and loopback flows the client's ephemeral port is replaced
 * by 0 so a service's many connections aggregate: when both ports are known, the higher
 * one is collapsed if it is >= 1024 and the lower one is below 49152 (the IANA dynamic
 * range). Spoofed classes keep both ports: they are evidence. */
static void collapse_ports(struct flow_key *k)
{
	if (k->cls != CLS_NORMAL && k->cls != CLS_LOOPBACK_FLOW)
		return;
	if (k->sport > k->dport) {
		if (k->sport >= 1024 && k->dport < 49152)
			k->sport = 0;
	} else if (k->dport > k->sport) {
		if (k->dport >= 1024 && k->sport < 49152)
			k->dport = 0;
	}
}

static int sink(void *arg, struct flow_entry **entries, size_t n)
{
	struct collector *c = arg;

	if (store_begin(c->st) < 0)
		goto fail;
	if (store_flows_write(c->st, entries, n, c->ifnames) < 0) {
		snprintf(c->err, sizeof(c->err), "%s", store_errmsg(c->st));
		store_rollback(c->st);
		return -1;
	}
	if (store_commit(c->st) < 0)
		goto fail;
	return 0;
fail:
	snprintf(c->err, sizeof(c->err), "%s", store_errmsg(c->st));
	store_rollback(c->st);
	return -1;
}

static int write_evidence(struct collector *c)
{
	size_t i;

	if (c->n_ev == 0)
		return 0;
	if (store_begin(c->st) < 0)
		goto fail;
	for (i = 0; i < c->n_ev; i++) {
		struct evidence_item *e = &c->ev[i];

		if (store_evidence_add(c->st, e->flow->db_id, e->ts_usec, e->linktype, e->wirelen,
				       c->evbuf + e->off, e->caplen) < 0)
			goto fail;
	}
	if (store_commit(c->st) < 0)
		goto fail;
	c->n_ev = 0;
	c->evbuf_used = 0;
	return 0;
fail:
	snprintf(c->err, sizeof(c->err), "%s", store_errmsg(c->st));
	store_rollback(c->st);
	return -1;
}

static int write_stats(struct collector *c, uint64_t now)
{
	unsigned i;
	uint64_t ev = flowtab_evictions(c->ft);

	if (store_begin(c->st) < 0)
		goto fail;
	for (i = 0; i < c->n_sources; i++) {
		struct collector_source *s = &c->sources[i];

		if (i == 0) {	/* table-wide counters go with the first source */
			s->cur.flow_evictions += ev - c->last_evictions;
			s->cur.db_busy_retries += store_busy_retries(c->st) - c->last_busy;
			s->cur.db_write_failures += store_write_failures(c->st) - c->last_failures;
		}
		if (store_stats_add(c->st, s->id, s->interval_start_usec, now, &s->cur) < 0)
			goto fail;
	}
	if (store_commit(c->st) < 0)
		goto fail;
	c->last_evictions = ev;
	c->last_busy = store_busy_retries(c->st);
	c->last_failures = store_write_failures(c->st);
	for (i = 0; i < c->n_sources; i++) {
		memset(&c->sources[i].cur, 0, sizeof(c->sources[i].cur));
		c->sources[i].interval_start_usec = now;
	}
	return 0;
fail:
	snprintf(c->err, sizeof(c->err), "%s", store_errmsg(c->st));
	store_rollback(c->st);
	return -1;
}

/* Writes the pending per-flow NFLOG counters (their flows have row ids by now). */
static int write_nflog(struct collector *c)
{
	size_t i;

	if (c->n_nfl == 0)
		return 0;
	if (store_begin(c->st) < 0)
		goto fail;
	for (i = 0; i < COLLECTOR_NFLOG_SLOTS; i++) {
		const struct nflog_slot *sl = &c->nfl[i];

		if (sl->flow && store_nflog_add(c->st, sl->flow->db_id, c->prefixes[sl->prefix],
						sl->group, sl->hook, sl->packets, sl->bytes,
						sl->uid, sl->gid, sl->mark) < 0)
			goto fail;
	}
	if (store_commit(c->st) < 0)
		goto fail;
	memset(c->nfl, 0, COLLECTOR_NFLOG_SLOTS * sizeof(*c->nfl));
	c->n_nfl = 0;
	return 0;
fail:
	snprintf(c->err, sizeof(c->err), "%s", store_errmsg(c->st));
	store_rollback(c->st);
	return -1;
}

int collector_flush(struct collector *c, int stats)
{
	uint64_t t0 = util_mono_usec();

	if (c->writes_stopped || c->writer)	/* c->err says why; the writer thread writes */
		return c->writes_stopped ? -1 : collector_handoff(c, stats);
	if (flowtab_flush(c->ft, sink, c, c->opt.flush_batch) < 0)
		goto fail;	/* evidence needs its flows' row ids: keep it for the retry */
	if (write_evidence(c) < 0 || write_nflog(c) < 0 || collector_write_suspect(c) < 0)
		goto fail;	/* both point at flow entries: none may be evicted yet */
	if (c->hooks.flush && c->hooks.flush(c->hooks.arg) < 0)
		goto fail;	/* so do the audit's pending violations */
	c->flush_failed_usec = 0;
	if (stats && write_stats(c, util_now_usec()) < 0)
		return -1;
	return 0;
fail:
	/* stamped at the end: a failing flush may itself take longer than any back-off */
	c->flush_failed_usec = util_mono_usec();
	c->flush_cost_usec = c->flush_failed_usec - t0;
	c->flush_failures++;
	return -1;
}

/* A flush the packet path needs (the flow table, the evidence buffer or the NFLOG
 * counters are full). After a failed flush it is not tried again before 200 ms, nor
 * before four times as long as the failed one took: a failing database then costs at most
 * a fifth of the time, never a flush per packet. Returns 0, or -1 (not tried, or failed). */
static int flush_for_room(struct collector *c)
{
	uint64_t wait = c->flush_cost_usec * 4;

	if (wait < 200000)
		wait = 200000;
	if (c->writes_stopped ||
	    (c->flush_failed_usec && util_mono_usec() - c->flush_failed_usec < wait))
		return -1;
	return collector_flush(c, 0);
}

static int count_unwritten(void *arg, struct flow_entry **entries, size_t n)
{
	uint64_t *packets = arg;
	size_t i;

	for (i = 0; i < n; i++)
		*packets += entries[i]->delta.packets;
	return 0;
}

void collector_abandon(struct collector *c)
{
	uint64_t packets = 0;

	flowtab_flush(c->ft, count_unwritten, &packets, 65536);
	c->tot.lost_db += packets;
	c->tot.evidence_dropped += c->n_ev;
	c->n_ev = 0;
	c->evbuf_used = 0;
	c->tot.nflog_lost += c->n_nfl;
	memset(c->nfl, 0, COLLECTOR_NFLOG_SLOTS * sizeof(*c->nfl));
	c->n_nfl = 0;
}

int collector_keep_evidence(struct collector *c, struct flow_entry *e, int linktype,
			    uint64_t ts_usec, const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
	if (c->n_ev == c->cap_ev || c->evbuf_used + caplen > c->opt.evidence_buf_bytes) {
		if (c->never_wait && c->writer && !c->writes_stopped) {
			/* a sample is not worth a stalled ring: hand over what is held if the
			 * writer's queue has room now, else shed this one (its packet counts).
			 * While the queue holds most of the budget, a small handover would
			 * only add a transaction to a writer already behind: shed instead. */
			if (c->n_ev == c->cap_ev || c->evbuf_used >= c->ev_budget / 2)
				(void)collector_handoff_nowait(c);
			if (c->n_ev == c->cap_ev ||
			    c->evbuf_used + caplen > c->opt.evidence_buf_bytes) {
				c->tot.evidence_shed++;
				return -1;
			}
		} else if (flush_for_room(c) < 0 ||
			   c->evbuf_used + caplen > c->opt.evidence_buf_bytes) {
			c->tot.evidence_dropped++;
			return -1;
		}
	}
	memcpy(c->evbuf + c->evbuf_used, data, caplen);
	c->ev[c->n_ev].flow = e;
	c->ev[c->n_ev].ts_usec = ts_usec;
	c->ev[c->n_ev].linktype = linktype;
	c->ev[c->n_ev].wirelen = wirelen;
	c->ev[c->n_ev].caplen = caplen;
	c->ev[c->n_ev].off = c->evbuf_used;
	c->n_ev++;
	c->evbuf_used += caplen;
	e->evidence_kept++;
	return 0;
}

/* Finds or makes room for a flow entry: when the table is full, writes every dirty
 * entry and evicts the least recently used eighth of the table. */
static struct flow_entry *flow_get(struct collector *c, const struct flow_key *k, int *created)
{
	struct flow_entry *e;

	e = flowtab_get(c->ft, k, created);
	if (e)
		return e;
	/* The table is full: with the database failing, the caller counts the packet as
	 * not recorded (flush_for_room backs off rather than flush per packet). */
	if (flush_for_room(c) < 0)
		return NULL;
	flowtab_evict(c->ft, flowtab_capacity(c->ft) / 8 + 1);
	return flowtab_get(c->ft, k, created);
}

/* Counts a record's decode status and errors for source s. Returns 1 when it has a
 * network header to classify, 0 when it was counted apart. */
static int count_status(struct collector *c, struct collector_source *s,
			const struct pkt_record *r)
{
	unsigned i;

	for (i = 0; r->errors >> i && i < DERR_COUNT; i++)	/* most records have none */
		if (r->errors & (1u << i))
			s->cur.decode_errors[i]++;
	switch (r->status) {
	case DEC_OK:
		s->cur.decoded_ip++;
		c->tot.decoded += !s->is_nflog;	/* pcap frames only */
		return 1;
	case DEC_NOT_IP:
		s->cur.not_ip++;
		c->tot.not_ip += !s->is_nflog;
		return 0;
	case DEC_UNSUPPORTED:
		s->cur.unsupported++;
		c->tot.unsupported += !s->is_nflog;
		return 0;
	default:
		s->cur.malformed++;
		c->tot.malformed += !s->is_nflog;
		return 0;
	}
}

/* r answers packets of the other direction that were counted as sent before any answer
 * although they came after r (r was read late from another handle's ring; late 1), or
 * may (its tuple was forgotten; late 2): their flow's answer order is unsure. Its entry
 * is the reverse key's (a normal or loopback flow); for late 1 one that is gone or of
 * another class cannot be marked, and is counted. */
static void answer_read_late(struct collector *c, const struct flow_key *k,
			     const struct pkt_record *r, int late)
{
	struct flow_key rk;
	struct flow_entry *x;

	collector_reverse_key(c, k, r, &rk);
	x = flowtab_find(c->ft, &rk);
	if (!x) {
		c->tot.order_unmarked += late == 1;
		return;
	}
	flowtab_touch(c->ft, x);	/* written already: write it again */
	x->delta.pre_reply = FLOW_PRE_UNSURE;
}

void collector_place(struct collector *c, const struct flow_key *k, enum answer_state as)
{
	struct flow_entry *x;
	int created;

	if (as == ANS_AFTER)
		return;		/* an answer older than it was read meanwhile */
	/* its entry may have been written and evicted since: the row is found again by key */
	x = flowtab_find(c->ft, k);
	if (!x && !(x = flow_get(c, k, &created))) {
		c->tot.order_unplaced += as == ANS_BEFORE;
		return;
	}
	flowtab_touch(c->ft, x);	/* written already: write it again */
	if (as == ANS_UNSURE)
		x->delta.pre_reply = FLOW_PRE_UNSURE;
	else if (x->delta.pre_reply != FLOW_PRE_UNSURE)
		x->delta.pre_reply++;
}

/* Classifies r as seen on interface ifidx and returns its flow entry (NULL when it could
 * not be recorded, counted in lost_db), with *cl filled. `count` says whether this
 * sighting adds a packet (else it only notes that `seen_by` saw a counted packet). */
static struct flow_entry *account(struct collector *c, int ifidx, struct pkt_record *r,
				  uint32_t wirelen, uint8_t seen_by, int count,
				  struct classification *cl, int *created)
{
	struct flow_key k;
	struct flow_entry *e;
	const struct iface_info *ifc = &c->ifaces[ifidx].info;
	enum answer_state as;
	struct answer_ticket tk;
	int late;

	if (ifc->role == ROLE_LOOPBACK)
		r->dir = DIR_IN;	/* on lo every packet is both sent and received */
	classify_infer_dir(&c->cctx, r);
	classify_packet(&c->cctx, ifc, r, cl);
	backscatter_packet(c->bs, &c->cctx, r, cl);
	hopcount_packet(c->hop, c->bs->ct, c->opt.bs.idle_s, r, cl, count);
	flood_packet(c->flood, r, cl, count);
	/* an NFLOG copy pcap counts adds nothing; one NFLOG counts has a time of its own */
	late = 0;
	as = ANS_UNSURE;
	if (count && seen_by != FLOW_SEEN_NFLOG && c->hold_places)
		as = answers_packet_held(c->ans, r, &late, &tk);
	else if (count || seen_by != FLOW_SEEN_NFLOG)
		as = answers_packet(c->ans, r, seen_by != FLOW_SEEN_NFLOG, &late);
	if (r->ts_usec > c->last_ts_usec)
		c->last_ts_usec = r->ts_usec;
	if (count) {
		c->tot.class_packets[cl->cls]++;
		if (classify_is_spoof(cl->cls))
			c->tot.spoofed++;
		else if (cl->cls == CLS_LOOPBACK_FLOW)
			c->tot.loopback++;
	}
	memset(&k, 0, sizeof(k));
	k.bucket = (int64_t)(r->ts_usec / 1000000u);
	k.bucket -= k.bucket % c->opt.bucket_seconds;
	k.iface = (uint16_t)ifidx;
	k.dir = r->dir;
	k.family = r->family;
	k.proto = r->proto;
	k.cls = (uint8_t)cl->cls;
	k.subclass = (uint8_t)cl->subclass;
	memcpy(k.src, r->src, 16);
	memcpy(k.dst, r->dst, 16);
	if (r->have & PKT_HAVE_PORTS) {
		k.sport = r->sport;
		k.dport = r->dport;
		collapse_ports(&k);
	} else if (r->have & PKT_HAVE_ICMP) {
		k.dport = (uint16_t)(r->icmp_type << 8 | r->icmp_code);
	}
	e = flow_get(c, &k, created);
	if (!e) {
		c->tot.lost_db++;
		return NULL;
	}
	if (count) {
		flowtab_account(c->ft, e, wirelen, r->ts_usec, r->ttl,
				(r->have & PKT_HAVE_TCPFLAGS) ? r->tcp_flags : 0, seen_by);
		/* FLOW_PRE_UNSURE stays (and 2^32 - 1 packets reach it) */
		if (as == ANS_UNSURE)
			e->delta.pre_reply = FLOW_PRE_UNSURE;
		else if (as == ANS_BEFORE && e->delta.pre_reply != FLOW_PRE_UNSURE)
			e->delta.pre_reply++;
		else if (as == ANS_HELD)
			collector_place_hold(c, &k, &tk);	/* placed a moment later */
	} else
		flowtab_note(c->ft, e, r->ts_usec, r->ttl,
			     (r->have & PKT_HAVE_TCPFLAGS) ? r->tcp_flags : 0, seen_by);
	if (late)
		answer_read_late(c, &k, r, late);
	return e;
}

/* ICMP and ICMPv6 error messages: they quote the packet they answer. */
static int icmp_error(const struct pkt_record *r)
{
	if (!(r->have & PKT_HAVE_ICMP))
		return 0;
	if (r->family == 4)
		return r->proto == 1 && (r->icmp_type == 3 || r->icmp_type == 11 || r->icmp_type == 12);
	return r->proto == 58 && r->icmp_type >= 1 && r->icmp_type <= 4;
}

void collector_reverse_key(const struct collector *c, const struct flow_key *k,
			   const struct pkt_record *r, struct flow_key *rev)
{
	int loop = c->ifaces[k->iface].info.role == ROLE_LOOPBACK;

	memset(rev, 0, sizeof(*rev));
	rev->bucket = k->bucket;
	rev->iface = k->iface;
	rev->dir = loop ? DIR_IN : k->dir == DIR_OUT ? DIR_IN : DIR_OUT;
	rev->family = k->family;
	rev->proto = k->proto;
	rev->cls = (uint8_t)(loop ? CLS_LOOPBACK_FLOW : CLS_NORMAL);
	rev->subclass = 0;
	memcpy(rev->src, k->dst, 16);
	memcpy(rev->dst, k->src, 16);
	if (r->have & PKT_HAVE_PORTS) {
		rev->sport = r->dport;
		rev->dport = r->sport;
		collapse_ports(rev);
	} else if (r->have & PKT_HAVE_ICMP) {
		/* the other half of a query conntrack pairs (check's reverse key is the same);
		 * type 255 for the rest: a key no flow has */
		int x = pkt_icmp_pair(r->family, r->icmp_type);

		rev->dport = (uint16_t)((x < 0 ? 255 : x) << 8 | r->icmp_code);
	}
}

static int nflog_count(struct collector *c, struct flow_entry *e, const struct pkt_nflog *nf,
		       uint32_t bytes);

/* A frame a pcap source decoded into rec. */
static void frame_record(struct collector *c, unsigned src, const struct pkt_record *rec,
			 const uint8_t *data, uint32_t caplen)
{
	struct collector_source *s = &c->sources[src];
	struct pkt_record r = *rec;
	int ifidx;

	if (c->hold)
		collector_bs_release(c, rec->ts_usec);
	if (c->placing)
		collector_place_release(c, rec->ts_usec);
	c->tot.packets++;
	c->tot.bytes += rec->wirelen;
	s->cur.received++;
	if (s->fixed_dir)
		r.dir = s->fixed_dir;
	if (!count_status(c, s, &r))
		return;
	ifidx = s->fixed_iface >= 0 ? s->fixed_iface : collector_file_iface(c, s, r.linktype, &r);
	if (ifidx < 0) {	/* more interfaces than the table holds */
		c->tot.lost_db++;
		return;
	}
	if (!collector_bs_hold(c, ifidx, &r, data, caplen))
		collector_frame_account(c, ifidx, &r, data, caplen);
}

void collector_release(struct collector *c, uint64_t now_usec)
{
	if (now_usec == UINT64_MAX)
		c->ending = 1;
	collector_bs_release(c, now_usec);	/* first: a reply it held may be an answer */
	collector_place_release(c, now_usec);
}

void collector_frame_account(struct collector *c, int ifidx, struct pkt_record *r,
			     const uint8_t *data, uint32_t caplen)
{
	struct classification cl;
	struct flow_entry *e;
	int created = 0, linktype = r->linktype;
	uint64_t ts_usec = r->ts_usec;
	uint32_t wirelen = r->wirelen;

	/* A file of DLT_NFLOG frames (tcpdump -i nflog:N) is what NFLOG rules logged: it
	 * counts the packet and, like the live NFLOG source, records the rule's prefix. */
	e = account(c, ifidx, r, wirelen,
		    (r->have & PKT_HAVE_NFLOG) ? FLOW_SEEN_NFLOG : FLOW_SEEN_PCAP, 1, &cl, &created);
	if (!e)
		return;
	if ((r->have & PKT_HAVE_NFLOG) && nflog_count(c, e, &r->nflog, wirelen) < 0 &&
	    (flush_for_room(c) < 0 || nflog_count(c, e, &r->nflog, wirelen) < 0))
		c->tot.nflog_lost++;
	if (classify_keeps_evidence(cl.cls) && e->evidence_kept < c->opt.evidence_per_flow)
		collector_keep_evidence(c, e, linktype, ts_usec, data, caplen, wirelen);
	if (c->hooks.packet && (created || (e->audit & FLOW_AUDIT_WATCH) || icmp_error(r)))
		c->hooks.packet(c->hooks.arg, e, r, created, linktype, data, caplen);
}

/* Index of the prefix string in the interned table, adding it; -1 when full. */
static int prefix_id(struct collector *c, const char *prefix)
{
	unsigned i;

	if (c->last_prefix >= 0 && !strcmp(c->prefixes[c->last_prefix], prefix))
		return c->last_prefix;
	for (i = 0; i < c->n_prefixes; i++)
		if (!strcmp(c->prefixes[i], prefix))
			return c->last_prefix = (int)i;
	if (c->n_prefixes >= COLLECTOR_MAX_PREFIXES)
		return -1;
	snprintf(c->prefixes[c->n_prefixes], PKT_NFLOG_PREFIX_MAX, "%s", prefix);
	return c->last_prefix = (int)c->n_prefixes++;
}

/* Adds one logged packet to the per-flow, per-rule counters waiting for the next flush.
 * Open addressing keyed by (entry, prefix, group, hook). Returns 0, or -1 when full. */
static int nflog_count(struct collector *c, struct flow_entry *e, const struct pkt_nflog *nf,
		       uint32_t bytes)
{
	int pid = prefix_id(c, (nf->have & NFL_HAVE_PREFIX) ? nf->prefix : "");
	uint64_t h;
	size_t i, mask = COLLECTOR_NFLOG_SLOTS - 1, probes;

	if (pid < 0)
		return -1;
	h = ((uint64_t)(uintptr_t)e >> 4) * 0x9E3779B97F4A7C15ull ^
	    ((uint64_t)pid << 40 | (uint64_t)nf->group << 8 | nf->hook);
	h ^= h >> 29;
	for (i = (size_t)h & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
		struct nflog_slot *sl = &c->nfl[i];

		if (!sl->flow) {
			if (c->n_nfl >= COLLECTOR_NFLOG_SLOTS * 3 / 4)
				return -1;
			sl->flow = e;
			sl->prefix = (uint16_t)pid;
			sl->group = nf->group;
			sl->hook = nf->hook;
			sl->uid = sl->gid = sl->mark = -1;
			c->n_nfl++;
		} else if (sl->flow != e || sl->prefix != pid || sl->group != nf->group ||
			   sl->hook != nf->hook) {
			continue;
		}
		sl->packets++;
		sl->bytes += bytes;
		if (nf->have & NFL_HAVE_UID)
			sl->uid = nf->uid;
		if (nf->have & NFL_HAVE_GID)
			sl->gid = nf->gid;
		if (nf->have & NFL_HAVE_MARK)
			sl->mark = nf->mark;
		return 0;
	}
	return -1;
}

void collector_nflog_packet(struct collector *c, unsigned src, const struct pkt_record *rec,
			    const uint8_t *payload, uint32_t len)
{
	struct collector_source *s = &c->sources[src];
	struct pkt_record r = *rec;
	struct classification cl;
	struct flow_entry *e;
	int ifidx, covered, created = 0;

	s->cur.received++;
	c->tot.nflog_copies++;
	if (!count_status(c, s, &r))
		return;
	ifidx = collector_nflog_iface(c, s, &r);
	if (ifidx < 0) {
		c->tot.lost_db++;
		return;
	}
	if (c->ifaces[ifidx].info.role == ROLE_LOOPBACK)
		r.dir = DIR_IN;
	covered = collector_pcap_covers(c, ifidx, r.dir);
	c->tot.nflog_dup += (uint64_t)covered;
	if (!covered) {
		c->tot.packets++;
		c->tot.bytes += len;
	}
	e = account(c, ifidx, &r, len, FLOW_SEEN_NFLOG, !covered, &cl, &created);
	if (!e)
		return;
	/* a flow NFLOG saw first is evaluated on NFLOG's copy; pcap's packets then only count */
	if (c->hooks.packet && (created || (!covered && (e->audit & FLOW_AUDIT_WATCH))))
		c->hooks.packet(c->hooks.arg, e, &r, created, 12 /* DLT_RAW */, payload, len);
	if (c->hooks.nflog && (r.nflog.have & NFL_HAVE_PREFIX)) {
		int pid = prefix_id(c, r.nflog.prefix);

		if (pid >= 0)
			c->hooks.nflog(c->hooks.arg, e, &r, pid);
	}
	if (nflog_count(c, e, &r.nflog, len) < 0) {
		/* the pending table is full: write it out and try once more */
		if (flush_for_room(c) < 0 || nflog_count(c, e, &r.nflog, len) < 0)
			c->tot.nflog_lost++;
	}
	if (!covered && classify_keeps_evidence(cl.cls) && e->evidence_kept < c->opt.evidence_per_flow)
		collector_keep_evidence(c, e, 12 /* DLT_RAW */, r.ts_usec, payload, len, len);
}

void collector_record(struct collector *c, unsigned src, const struct pkt_record *rec,
		      const uint8_t *data, uint32_t caplen)
{
	if (src >= c->n_sources)
		return;
	if (c->sources[src].is_nflog)
		collector_nflog_packet(c, src, rec, data, caplen);
	else
		frame_record(c, src, rec, data, caplen);
}
