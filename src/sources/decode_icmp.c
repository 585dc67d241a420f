/* This file decodes the packet an ICMP or ICMPv6 error message quotes: the quoted IP
 * header's addresses and protocol, and the ports behind it when they were quoted. It
 * reads no byte before checking it lies inside the captured data and the outer packet. */
#include <string.h>

#include "sources/decode_int.h"

/* True for the error messages that quote a packet: ICMP destination unreachable, time
 * exceeded, parameter problem (RFC 792); ICMPv6 types 1-4 (RFC 4443 section 3). */
static int quotes_packet(const struct pkt_record *rec)
{
	if (rec->family == 4)
		return rec->icmp_type == 3 || rec->icmp_type == 11 || rec->icmp_type == 12;
	return rec->icmp_type >= 1 && rec->icmp_type <= 4;
}

static int has_ports(uint8_t proto)
{
	return proto == P_TCP || proto == P_UDP || proto == P_UDPLITE || proto == P_SCTP ||
	       proto == P_DCCP;
}

/* Walks the quoted IPv6 packet's extension headers from *pos (next header *nh), at most
 * DECODE_MAX_EXTHDRS of them. Returns 0 at a transport header, -1 when none is there (cut,
 * a non-first fragment, too many headers). */
static int quote6_exthdrs(const uint8_t *data, uint32_t *pos, uint32_t lim, uint8_t *nh)
{
	uint32_t p = *pos, hlen;
	unsigned n;

	for (n = 0; n < DECODE_MAX_EXTHDRS; n++) {
		uint8_t h = *nh;

		if (h != P_HOPOPTS && h != P_ROUTING && h != P_DSTOPTS && h != P_FRAGMENT &&
		    h != P_AH) {
			*pos = p;
			return 0;
		}
		if (lim - p < 8)
			return -1;
		if (h == P_FRAGMENT) {
			if (rd16(data + p + 2) >> 3)
				return -1;	/* a non-first fragment: no transport header */
			hlen = 8;
		} else if (h == P_AH) {
			hlen = ((uint32_t)data[p + 1] + 2) * 4;
		} else {
			hlen = ((uint32_t)data[p + 1] + 1) * 8;
		}
		if (lim - p < hlen)
			return -1;
		*nh = data[p];
		p += hlen;
	}
	return -1;
}

void decode_icmp_quote(const uint8_t *data, uint32_t off, uint32_t lim, struct pkt_record *rec)
{
	struct pkt_quote *q = &rec->quote;
	uint32_t avail = lim > off ? lim - off : 0, l4 = 0;
	const uint8_t *p = data + off;
	int ok = 0;

	if (!quotes_packet(rec) || avail < 1)
		return;
	memset(q, 0, sizeof(*q));
	if (rec->family == 4 && p[0] >> 4 == 4 && avail >= IPV4_HLEN) {
		uint32_t hl = (uint32_t)(p[0] & 0x0f) * 4;

		q->family = 4;
		q->proto = p[9];
		memcpy(q->src, p + 12, 4);
		memcpy(q->dst, p + 16, 4);
		/* ports only behind a whole header of a first fragment */
		if (hl >= IPV4_HLEN && hl <= avail && (rd16(p + 6) & 0x1fff) == 0)
			l4 = off + hl;
		ok = 1;
	} else if (rec->family == 6 && p[0] >> 4 == 6 && avail >= IPV6_HLEN) {
		uint8_t nh = p[6];
		uint32_t pos = off + IPV6_HLEN;

		q->family = 6;
		memcpy(q->src, p + 8, 16);
		memcpy(q->dst, p + 24, 16);
		if (quote6_exthdrs(data, &pos, lim, &nh) == 0)
			l4 = pos;
		q->proto = nh;
		ok = 1;
	}
	if (!ok)
		return;
	if (l4 && has_ports(q->proto) && lim - l4 >= 4) {
		q->sport = rd16(data + l4);
		q->dport = rd16(data + l4 + 2);
		q->has_ports = 1;
	}
	rec->have |= PKT_HAVE_QUOTE;
}
