/* This file implements the backscatter class: it remembers what the host sends and which
 * conversations exist, and names the received replies to anything else. */
#include "flows/backscatter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define P_TCP 6

void backscatter_opts_default(struct bs_opts *o)
{
	o->warmup_s = BS_WARMUP_S;
	o->syn_s = BS_SYN_S;
	o->idle_s = BS_IDLE_S;
	o->entries = BS_ENTRIES;
}

struct backscatter *backscatter_new(const struct bs_opts *o, uint64_t seed)
{
	struct backscatter *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->o = *o;
	b->ct = conntab_new(o->entries, seed);
	if (!b->ct) {
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	return b;
}

void backscatter_free(struct backscatter *b)
{
	if (!b)
		return;
	conntab_free(b->ct);
	free(b);
}

/* A packet the host sent: a SYN opens, anything may be quoted by an ICMP error, and all
 * but a RST (the host refusing, e.g. an unexpected SYN-ACK) takes part in a conversation. */
static void sent(struct backscatter *b, const struct pkt_record *r)
{
	uint8_t fl = (r->have & PKT_HAVE_TCPFLAGS) ? r->tcp_flags : 0;
	struct conn_tuple k;

	if (!b->seen_out) {
		b->seen_out = 1;
		b->first_out_usec = r->ts_usec;
	}
	conntab_tuple_of(r, 1, &k);
	conntab_mark(b->ct, &k, CONN_BIT(CONN_SENT) |
		     ((r->proto == P_TCP && (fl & (TCP_SYN | TCP_ACK)) == TCP_SYN) ? CONN_BIT(CONN_SYN) : 0) |
		     ((r->proto == P_TCP && (fl & TCP_RST)) ? 0 : CONN_BIT(CONN_TRAFFIC)),
		     r->ts_usec, b->o.idle_s);
}

/* The subclass a received TCP packet earns, or ASUB_NONE: a SYN-ACK without the host's
 * SYN on its tuple; a RST on a tuple where nothing else ever went. */
static enum addr_subclass judge_tcp(const struct backscatter *b, const struct pkt_record *r,
				    const struct conn_tuple *k)
{
	uint8_t fl = r->tcp_flags;

	if (!(r->have & PKT_HAVE_TCPFLAGS) || !(r->have & PKT_HAVE_PORTS))
		return ASUB_NONE;
	if (fl & TCP_RST)
		return conntab_seen(b->ct, k, CONN_TRAFFIC, r->ts_usec, b->o.idle_s) ? ASUB_NONE
										      : ASUB_BS_RST;
	if ((fl & (TCP_SYN | TCP_ACK | TCP_FIN)) == (TCP_SYN | TCP_ACK))
		return conntab_seen(b->ct, k, CONN_SYN, r->ts_usec, b->o.syn_s) ? ASUB_NONE
										  : ASUB_BS_SYN_ACK;
	return ASUB_NONE;
}

/* An ICMP error quoting a packet with the host's address as source that the host never
 * sent: ASUB_BS_ICMP_ERROR, else ASUB_NONE. */
static enum addr_subclass judge_icmp(const struct backscatter *b, const struct classify_ctx *cctx,
				     const struct pkt_record *r)
{
	const struct pkt_quote *q = &r->quote;
	struct conn_tuple k;

	if (!(r->have & PKT_HAVE_QUOTE) || q->family != r->family ||
	    !classify_is_hostaddr(cctx, q->family, q->src))
		return ASUB_NONE;
	memset(&k, 0, sizeof(k));
	k.family = q->family;
	k.proto = q->proto;
	memcpy(k.host, q->src, 16);
	memcpy(k.remote, q->dst, 16);
	if (q->has_ports) {
		k.hport = q->sport;
		k.rport = q->dport;
	}
	return conntab_seen(b->ct, &k, CONN_SENT, r->ts_usec, b->o.idle_s) ? ASUB_NONE
									   : ASUB_BS_ICMP_ERROR;
}

/* Whether r is a received packet the memory can judge (the host seen sending, past the
 * warm-up, to one of its addresses), and as what; marks nothing. */
static enum addr_subclass judge(const struct backscatter *b, const struct classify_ctx *cctx,
				const struct pkt_record *r, int icmp, const struct conn_tuple *k)
{
	if (!b->seen_out || r->ts_usec < b->first_out_usec + (uint64_t)b->o.warmup_s * 1000000u ||
	    !classify_is_hostaddr(cctx, r->family, r->dst))
		return ASUB_NONE;
	return icmp ? judge_icmp(b, cctx, r) : judge_tcp(b, r, k);
}

/* A received reply backscatter_judge() and backscatter_packet() look at: a TCP SYN-ACK
 * or RST, or an ICMP error with its quote, of a normal packet. */
static int candidate(const struct pkt_record *r, const struct classification *cl)
{
	if (cl->cls != CLS_NORMAL || r->status != DEC_OK || r->dir != DIR_IN)
		return 0;
	if (r->have & PKT_HAVE_QUOTE)
		return 1;
	return r->proto == P_TCP && (r->have & PKT_HAVE_TCPFLAGS) &&
	       ((r->tcp_flags & TCP_RST) || (r->tcp_flags & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK));
}

enum addr_subclass backscatter_judge(const struct backscatter *b, const struct classify_ctx *cctx,
				     const struct pkt_record *r, const struct classification *cl)
{
	struct conn_tuple k;

	if (!b || !candidate(r, cl))
		return ASUB_NONE;
	conntab_tuple_of(r, 0, &k);
	return judge(b, cctx, r, (r->have & PKT_HAVE_QUOTE) != 0, &k);
}

void backscatter_packet(struct backscatter *b, const struct classify_ctx *cctx,
			const struct pkt_record *r, struct classification *cl)
{
	enum addr_subclass sub = ASUB_NONE;
	struct conn_tuple k;
	int icmp;

	if (!b || cl->cls != CLS_NORMAL || r->status != DEC_OK || (r->family != 4 && r->family != 6))
		return;
	if (r->dir == DIR_OUT) {
		sent(b, r);
		return;
	}
	if (r->dir != DIR_IN)
		return;
	icmp = (r->have & PKT_HAVE_QUOTE) != 0;
	if (r->proto != P_TCP && !icmp) {
		if (r->have & PKT_HAVE_PORTS) {		/* UDP and the like: a conversation */
			conntab_tuple_of(r, 0, &k);
			conntab_mark(b->ct, &k, CONN_BIT(CONN_TRAFFIC), r->ts_usec, b->o.idle_s);
		}
		return;
	}
	conntab_tuple_of(r, 0, &k);
	/* Judged only once the host was seen sending, after the warm-up, and for the
	 * host's own addresses: replies to what it sent before the capture are not known. */
	sub = judge(b, cctx, r, icmp, &k);
	if (sub != ASUB_NONE) {
		cl->cls = CLS_BACKSCATTER;
		cl->subclass = sub;
	} else if (!icmp) {
		conntab_mark(b->ct, &k, CONN_BIT(CONN_TRAFFIC), r->ts_usec, b->o.idle_s);
	}
}
