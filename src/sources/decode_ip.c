/* This file contains the decoder's IP layer: IPv4, IPv6 with its extension headers, and
 * the transport header behind them (ports, ICMP type and code, TCP flags). It reads no
 * byte before checking it lies inside the captured data. */
#include <string.h>

#include "sources/decode_int.h"

/* Decodes the transport header at data[l4off .. lim). lim is where the usable bytes end:
 * the IP packet's end or the capture's end, whichever comes first; cut_by_capture says it
 * was the capture (a header ending there is truncated, not malformed). ip_payload_len
 * (valid when ip_len_known) is the IP payload length the UDP length must fit in. */
static void l4_decode(const uint8_t *data, uint32_t l4off, uint32_t lim, int cut_by_capture,
		      uint32_t ip_payload_len, int ip_len_known, struct pkt_record *rec)
{
	const uint8_t *p = data + l4off;
	uint32_t avail = lim > l4off ? lim - l4off : 0;
	uint32_t need;

	switch (rec->proto) {
	case P_TCP:
		need = 20;
		if (avail >= 14) {
			rec->tcp_flags = p[13];
			rec->have |= PKT_HAVE_TCPFLAGS;
		}
		if (avail >= 20) {
			uint32_t doff = (uint32_t)(p[12] >> 4) * 4;

			if (doff < 20)
				set_err(rec, DERR_BAD_L4);
			else
				need = doff;	/* options are part of the header */
		}
		break;
	case P_UDP:
	case P_UDPLITE:
		need = 8;
		if (avail >= 8) {
			uint16_t len = rd16(p + 4);

			if (rec->proto == P_UDP) {
				/* Length covers header and data; a first fragment carries part. */
				/* 0 is allowed in a jumbogram (RFC 2675 section 4) */
				int jumbo = len == 0 && ip_len_known && ip_payload_len > 0xffff;

				if ((len < 8 && !jumbo) || (ip_len_known && !rec->is_fragment &&
							   len > ip_payload_len))
					set_err(rec, DERR_BAD_L4);
			} else if (len != 0 && (len < 8 || (ip_len_known && len > ip_payload_len))) {
				/* UDP-Lite: checksum coverage, 0 = all, else 8..length (RFC 3828). */
				set_err(rec, DERR_BAD_L4);
			}
		}
		break;
	case P_SCTP:
		need = 12;
		break;
	case P_DCCP:
		need = 12;
		if (avail >= 12) {
			uint32_t hdr = (p[8] & 1) ? 16 : 12;	/* X: extended sequence numbers */
			uint32_t doff = (uint32_t)p[4] * 4;

			need = hdr;
			if (doff < hdr)
				set_err(rec, DERR_BAD_L4);
		}
		break;
	case P_ICMP:
		if (rec->family != 4)
			return;
		need = 8;
		break;
	case P_ICMPV6:
		if (rec->family != 6)
			return;
		need = 4;
		break;
	default:
		return;		/* tunnels and anything else: outer header only */
	}

	rec->l4_offset = l4off;
	if (rec->proto == P_ICMP || rec->proto == P_ICMPV6) {
		if (avail >= 2) {
			rec->icmp_type = p[0];
			rec->icmp_code = p[1];
			rec->have |= PKT_HAVE_ICMP;
		}
		if (avail >= 8)		/* an error quotes the packet it answers */
			decode_icmp_quote(data, l4off + 8, lim, rec);
	} else if (avail >= 4) {
		rec->sport = rd16(p);
		rec->dport = rd16(p + 2);
		rec->have |= PKT_HAVE_PORTS;
	}
	if (avail < need) {
		if (cut_by_capture)
			set_err(rec, DERR_TRUNC_L4);
		else if (!rec->is_fragment)	/* a first fragment may split the header */
			set_err(rec, DERR_BAD_L4);
	}
}

static enum decode_status ipv4_decode(const uint8_t *data, const struct ip_span *sp,
				      struct pkt_record *rec)
{
	const uint8_t *p = data + sp->off;
	uint32_t avail = sp->end - sp->off;
	uint32_t hl, tot, lim, fragw;
	int cut, len_ok;

	if (avail < IPV4_HLEN) {
		set_err(rec, DERR_TRUNC_IP);
		return DEC_MALFORMED;
	}
	rec->family = 4;
	rec->l3_offset = sp->off;
	rec->tos = p[1];
	tot = rd16(p + 2);
	rec->ip_len = tot;
	rec->frag_id = rd16(p + 4);
	fragw = rd16(p + 6);
	rec->frag_offset = (uint16_t)(fragw & 0x1fff);
	rec->is_fragment = (fragw & 0x2000) || rec->frag_offset;
	rec->ttl = p[8];
	rec->proto = p[9];
	memcpy(rec->src, p + 12, 4);
	memcpy(rec->dst, p + 16, 4);

	hl = (uint32_t)(p[0] & 0x0f) * 4;
	if (hl < IPV4_HLEN) {
		set_err(rec, DERR_BAD_IHL);
		return DEC_OK;
	}
	len_ok = tot >= IPV4_HLEN;
	if (!len_ok) {
		/* Includes 0 from TSO on outgoing captures: bound by the capture instead. */
		set_err(rec, DERR_BAD_TOTLEN);
	} else if (hl > tot) {
		set_err(rec, DERR_BAD_IHL);
		return DEC_OK;
	} else if (sp->wire_known && tot > sp->wire_avail) {
		set_err(rec, DERR_SHORT_FRAME);
	}
	if (hl > avail) {
		set_err(rec, DERR_TRUNC_IP);	/* options cut; the fixed header is whole */
		return DEC_OK;
	}
	if (rec->frag_offset)
		return DEC_OK;		/* non-first fragment: no transport header */

	if (len_ok && tot <= avail) {
		lim = sp->off + tot;
		cut = 0;
	} else {
		lim = sp->end;
		cut = 1;
	}
	l4_decode(data, sp->off + hl, lim, cut, len_ok ? tot - hl : 0, len_ok, rec);
	return DEC_OK;
}

static int is_ipv6_exthdr(uint8_t nh)
{
	return nh == P_HOPOPTS || nh == P_ROUTING || nh == P_FRAGMENT || nh == P_DSTOPTS ||
	       nh == P_AH;
}

/* Looks for the Jumbo Payload option (RFC 2675: type 0xc2, length 4) in the hop-by-hop
 * header at data[pos .. end). Returns 1 and sets *jumbo if found, 0 if absent, -1 if the
 * header is not all captured. */
static int ipv6_find_jumbo(const uint8_t *data, uint32_t pos, uint32_t end, uint32_t *jumbo)
{
	uint32_t hlen, i = 2;

	if (end - pos < 2)
		return -1;
	hlen = ((uint32_t)data[pos + 1] + 1) * 8;
	if (end - pos < hlen)
		return -1;
	while (i < hlen) {
		uint8_t type = data[pos + i];

		if (type == 0) {		/* Pad1 */
			i++;
			continue;
		}
		if (hlen - i < 2)
			break;
		if (type == 0xc2 && data[pos + i + 1] == 4 && hlen - i >= 6) {
			*jumbo = rd32(data + pos + i + 2);
			return 1;
		}
		i += 2 + (uint32_t)data[pos + i + 1];
	}
	return 0;
}

/* Works out the IPv6 packet's length (rec->ip_len) from its payload length plen, or from
 * a Jumbo Payload option when plen is 0. Returns 1 when the length is known, 0 when only
 * the capture bounds the packet, or -1 when decoding stops here (an error flagged,
 * rec->proto set). */
static int ipv6_length(const uint8_t *data, const struct ip_span *sp, uint32_t plen,
		       uint8_t nh, struct pkt_record *rec)
{
	uint32_t jumbo = 0;
	int r;

	if (plen != 0)
		return 1;
	if (nh == P_HOPOPTS) {
		r = ipv6_find_jumbo(data, sp->off + IPV6_HLEN, sp->end, &jumbo);
		if (r < 0) {
			set_err(rec, DERR_TRUNC_EXTHDR);
			rec->proto = nh;
			return -1;
		}
		if (r == 0 || jumbo <= 0xffff || jumbo > UINT32_MAX - IPV6_HLEN) {
			/* RFC 2675: a zero payload length needs a valid Jumbo Payload option */
			set_err(rec, DERR_BAD_TOTLEN);
			rec->proto = nh;
			return -1;
		}
		rec->ip_len = IPV6_HLEN + jumbo;
		return 1;
	}
	if (is_ipv6_exthdr(nh)) {
		/* The kernel trims such a packet to its fixed header: no extension header fits. */
		set_err(rec, DERR_BAD_TOTLEN);
		rec->proto = nh;
		return -1;
	}
	/* Otherwise a zero payload length right before the transport header is a TSO / BIG
	 * TCP capture of an outgoing packet: bounded by the capture only. */
	return 0;
}

/* Walks the extension headers from *pos, next header *nh, up to lim (cut: lim is where
 * the capture ends). Returns 0 with *pos and *nh at the transport header, or -1 when
 * decoding stops here (rec->proto set: an error, or a non-first fragment). */
static int ipv6_exthdrs(const uint8_t *data, uint32_t *pos, uint32_t lim, int cut,
			uint8_t *nh, struct pkt_record *rec)
{
	uint32_t need, hlen, p = *pos;
	uint8_t h = *nh;

	while (is_ipv6_exthdr(h)) {
		if (rec->ipv6_exthdrs >= DECODE_MAX_EXTHDRS) {
			set_err(rec, DERR_EXTHDR_LIMIT);
			rec->proto = h;
			return -1;
		}
		need = h == P_FRAGMENT ? 8 : 2;
		if (lim - p < need) {
			set_err(rec, cut ? DERR_TRUNC_EXTHDR : DERR_BAD_TOTLEN);
			rec->proto = h;
			return -1;
		}
		if (h == P_FRAGMENT)
			hlen = 8;
		else if (h == P_AH)
			hlen = ((uint32_t)data[p + 1] + 2) * 4;	/* RFC 4302 */
		else
			hlen = ((uint32_t)data[p + 1] + 1) * 8;	/* RFC 8200 */
		if (lim - p < hlen) {
			set_err(rec, cut ? DERR_TRUNC_EXTHDR : DERR_BAD_TOTLEN);
			rec->proto = h;
			return -1;
		}
		rec->ipv6_exthdrs++;
		if (h == P_FRAGMENT) {
			uint16_t fo = rd16(data + p + 2);

			rec->is_fragment = 1;
			rec->frag_offset = fo >> 3;
			rec->frag_id = rd32(data + p + 4);
			if (rec->frag_offset) {
				rec->proto = data[p];	/* no transport header here */
				return -1;
			}
		}
		h = data[p];
		p += hlen;
	}
	*pos = p;
	*nh = h;
	return 0;
}

static enum decode_status ipv6_decode(const uint8_t *data, const struct ip_span *sp,
				      struct pkt_record *rec)
{
	const uint8_t *p = data + sp->off;
	uint32_t avail = sp->end - sp->off;
	uint32_t lim, pos;
	int cut, len_ok;
	uint8_t nh;

	if (avail < IPV6_HLEN) {
		set_err(rec, DERR_TRUNC_IP);
		return DEC_MALFORMED;
	}
	rec->family = 6;
	rec->l3_offset = sp->off;
	rec->tos = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
	nh = p[6];
	rec->ttl = p[7];
	rec->ip_len = IPV6_HLEN + rd16(p + 4);
	memcpy(rec->src, p + 8, 16);
	memcpy(rec->dst, p + 24, 16);

	len_ok = ipv6_length(data, sp, rd16(p + 4), nh, rec);
	if (len_ok < 0)
		return DEC_OK;
	if (len_ok && sp->wire_known && rec->ip_len > sp->wire_avail)
		set_err(rec, DERR_SHORT_FRAME);
	if (len_ok && rec->ip_len <= avail) {
		lim = sp->off + rec->ip_len;
		cut = 0;
	} else {
		lim = sp->end;
		cut = 1;
	}
	pos = sp->off + IPV6_HLEN;
	if (ipv6_exthdrs(data, &pos, lim, cut, &nh, rec) < 0)
		return DEC_OK;
	rec->proto = nh;
	if (nh == P_ESP || nh == P_NONE)
		return DEC_OK;
	l4_decode(data, pos, lim, cut, len_ok ? sp->off + rec->ip_len - pos : 0, len_ok, rec);
	return DEC_OK;
}

/* Decodes the IP packet in sp; family_hint 4/6 is what the link layer announced, 0 to
 * go by the version nibble. */
enum decode_status decode_ip_span(const uint8_t *data, const struct ip_span *sp,
				  int family_hint, struct pkt_record *rec)
{
	int ver;

	if (sp->end <= sp->off) {
		set_err(rec, DERR_TRUNC_IP);
		return DEC_MALFORMED;
	}
	ver = data[sp->off] >> 4;
	if ((family_hint && ver != family_hint) || (ver != 4 && ver != 6)) {
		set_err(rec, DERR_BAD_IP_VERSION);
		return DEC_MALFORMED;
	}
	return ver == 4 ? ipv4_decode(data, sp, rec) : ipv6_decode(data, sp, rec);
}
