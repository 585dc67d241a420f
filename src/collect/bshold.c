/* This file holds back, for a moment, the received replies the backscatter class would
 * name, so that the host's own packet they answer is seen first. A live capture opens a
 * handle per direction, each with its own ring that libpcap hands over in blocks (up to
 * its 100 ms timeout late): a SYN-ACK read from the incoming handle may come before the
 * SYN the outgoing handle still holds. A held reply is accounted once a packet BS_HOLD_USEC
 * younger was processed, or at the next flush by the clock, or when the run ends. */
#include "collect/collector_int.h"

#include <stdlib.h>
#include <string.h>

#define BS_HOLD_USEC 1000000u	/* ten times the ring timeout */
#define BS_HOLD_MAX 1024	/* replies held at once; the oldest goes first when full */
#define BS_HOLD_SNAP 1536	/* a longer frame is judged at once */

struct bs_held {
	int ifidx;
	struct pkt_record r;
	uint32_t caplen;
	uint8_t data[BS_HOLD_SNAP];
};

/* A FIFO in arrival order. */
struct bs_hold {
	size_t head, n;
	struct bs_held e[BS_HOLD_MAX];
};

/* Accounts the oldest held reply. */
static void release_one(struct collector *c)
{
	struct bs_hold *h = c->hold;
	struct bs_held *e = &h->e[h->head];

	h->head = (h->head + 1) % BS_HOLD_MAX;
	h->n--;
	collector_frame_account(c, e->ifidx, &e->r, e->data, e->caplen);
}

void collector_bs_release(struct collector *c, uint64_t now_usec)
{
	struct bs_hold *h = c->hold;

	while (h && h->n && (now_usec == UINT64_MAX ||
			     h->e[h->head].r.ts_usec + BS_HOLD_USEC <= now_usec))
		release_one(c);
}

int collector_bs_hold(struct collector *c, int ifidx, const struct pkt_record *r,
		      const uint8_t *data, uint32_t caplen)
{
	const struct iface_info *ifc = &c->ifaces[ifidx].info;
	struct classification cl;
	struct pkt_record t;
	struct bs_held *e;

	/* cheap first: only SYN-ACKs, RSTs and ICMP errors can be backscatter */
	if (!((r->have & PKT_HAVE_QUOTE) || ((r->have & PKT_HAVE_TCPFLAGS) &&
					     ((r->tcp_flags & 0x04) || (r->tcp_flags & 0x12) == 0x12))) ||
	    !c->bs || !c->cctx.n_hostaddrs || r->dir == DIR_OUT || caplen > BS_HOLD_SNAP ||
	    ifc->role == ROLE_LOOPBACK)
		return 0;
	t = *r;
	classify_infer_dir(&c->cctx, &t);
	classify_packet(&c->cctx, ifc, &t, &cl);
	if (backscatter_judge(c->bs, &c->cctx, &t, &cl) == ASUB_NONE)
		return 0;
	if (!c->hold && !(c->hold = calloc(1, sizeof(*c->hold))))
		return 0;	/* no memory: judged at once */
	if (c->hold->n == BS_HOLD_MAX)
		release_one(c);
	e = &c->hold->e[(c->hold->head + c->hold->n) % BS_HOLD_MAX];
	e->ifidx = ifidx;
	e->r = *r;
	e->caplen = caplen;
	memcpy(e->data, data, caplen);
	c->hold->n++;
	return 1;
}

void collector_bs_free(struct collector *c)
{
	free(c->hold);
	c->hold = NULL;
}
