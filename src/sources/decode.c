/* This file contains the packet decoder: it turns the captured bytes of one frame of any
 * supported link type into a struct pkt_record (link metadata, IP addresses, protocol,
 * ports, NFLOG metadata) and flags every inconsistency it finds. It never prints, never
 * allocates, and reads no byte before checking it lies inside the captured data.
 * The link layers are here; the IP layer is in decode_ip.c and the NFLOG link type in
 * decode_nflog.c. */
#include <string.h>

#include "sources/decode.h"
#include "sources/decode_int.h"

static const char *const error_names[DERR_COUNT] = {
	[DERR_TRUNC_LINK] = "trunc_link",
	[DERR_BAD_LINK] = "bad_link",
	[DERR_TRUNC_IP] = "trunc_ip",
	[DERR_BAD_IP_VERSION] = "bad_ip_version",
	[DERR_BAD_IHL] = "bad_ihl",
	[DERR_BAD_TOTLEN] = "bad_totlen",
	[DERR_SHORT_FRAME] = "short_frame",
	[DERR_TRUNC_EXTHDR] = "trunc_exthdr",
	[DERR_EXTHDR_LIMIT] = "exthdr_limit",
	[DERR_TRUNC_L4] = "trunc_l4",
	[DERR_BAD_L4] = "bad_l4",
};

const char *decode_error_name(enum decode_error e)
{
	if ((unsigned)e >= DERR_COUNT)
		return NULL;
	return error_names[e];
}

int decode_linktype_supported(int linktype)
{
	switch (linktype) {
	case LT_NULL: case LT_EN10MB: case LT_RAW_12: case LT_RAW_14: case LT_RAW:
	case LT_LOOP: case LT_LINUX_SLL: case LT_IPV4: case LT_IPV6: case LT_NFLOG:
	case LT_LINUX_SLL2:
		return 1;
	default:
		return 0;
	}
}

/* Decodes what follows a link header at off: optional VLAN tags, then the ethertype. */
static enum decode_status ethertype_decode(const uint8_t *data, uint32_t caplen,
					   uint32_t wirelen, uint32_t off, uint16_t et,
					   struct pkt_record *rec)
{
	struct ip_span sp;

	while (et == ET_8021Q || et == ET_8021AD || et == ET_QINQ_OLD) {
		if (caplen - off < 4) {
			set_err(rec, DERR_TRUNC_LINK);
			return DEC_MALFORMED;
		}
		if (rec->vlan_count < PKT_MAX_VLAN)
			rec->vlan[rec->vlan_count] = rd16(data + off) & 0x0fff;
		if (rec->vlan_count < UINT8_MAX)
			rec->vlan_count++;
		et = rd16(data + off + 2);
		off += 4;
	}
	rec->ethertype = et;
	if (et != ET_IPV4 && et != ET_IPV6)
		return DEC_NOT_IP;
	decode_span_set(&sp, off, caplen, 1, wirelen - off);
	return decode_ip_span(data, &sp, et == ET_IPV4 ? 4 : 6, rec);
}

static enum decode_status sll_decode(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
				     int v2, struct pkt_record *rec)
{
	uint32_t hlen = v2 ? SLL2_HLEN : SLL_HLEN;
	uint16_t et;

	if (caplen < hlen) {
		set_err(rec, DERR_TRUNC_LINK);
		return DEC_MALFORMED;
	}
	if (v2) {
		et = rd16(data);
		rec->ifindex = rd32(data + 4);
		rec->sll_hatype = rd16(data + 8);
		rec->sll_pkttype = data[10];
		rec->have |= PKT_HAVE_IFINDEX;
	} else {
		rec->sll_pkttype = rd16(data);
		rec->sll_hatype = rd16(data + 2);
		et = rd16(data + 14);
	}
	rec->have |= PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE;
	rec->dir = rec->sll_pkttype == PACKET_OUTGOING_ ? DIR_OUT : DIR_IN;
	if (rec->sll_pkttype > PACKET_KERNEL_)
		set_err(rec, DERR_BAD_LINK);
	if (rec->sll_hatype == ARPHRD_NETLINK_) {
		rec->ethertype = et;	/* a netlink family, not an ethertype */
		return DEC_NOT_IP;
	}
	return ethertype_decode(data, caplen, wirelen, hlen, et, rec);
}

/* DLT_NULL (host byte order of the capturing machine, either here) and DLT_LOOP
 * (network byte order): a 4-byte BSD address family. */
static enum decode_status null_decode(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
				      int loop, struct pkt_record *rec)
{
	struct ip_span sp;
	uint32_t af;
	int hint;

	if (caplen < 4) {
		set_err(rec, DERR_TRUNC_LINK);
		return DEC_MALFORMED;
	}
	if (loop) {
		af = rd32(data);
	} else {
		memcpy(&af, data, 4);
		if (af & 0xffff0000u)	/* written on a host of the other byte order */
			af = __builtin_bswap32(af);
	}
	switch (af) {
	case 2:			/* AF_INET everywhere */
		hint = 4;
		break;
	case 10:		/* Linux AF_INET6 */
	case 24:		/* NetBSD, OpenBSD, BSD/OS */
	case 28:		/* FreeBSD, DragonFly */
	case 30:		/* Darwin */
		hint = 6;
		break;
	default:
		return DEC_NOT_IP;
	}
	decode_span_set(&sp, 4, caplen, 1, wirelen - 4);
	return decode_ip_span(data, &sp, hint, rec);
}

static void rec_init(struct pkt_record *rec, int linktype, uint32_t caplen, uint32_t wirelen,
		     uint64_t ts_usec)
{
	memset(rec, 0, sizeof(*rec));
	rec->ts_usec = ts_usec;
	rec->caplen = caplen;
	rec->wirelen = wirelen;
	rec->linktype = linktype;
}

enum decode_status decode_packet(int linktype, const uint8_t *data, uint32_t caplen,
				 uint32_t wirelen, uint64_t ts_usec, struct pkt_record *rec)
{
	enum decode_status st;
	struct ip_span sp;

	rec_init(rec, linktype, caplen, wirelen, ts_usec);
	if (!data)
		caplen = 0;
	if (wirelen < caplen)		/* pcap guarantees caplen <= len; others may not */
		wirelen = caplen;

	switch (linktype) {
	case LT_EN10MB:
		if (caplen < ETH_HLEN_) {
			set_err(rec, DERR_TRUNC_LINK);
			st = DEC_MALFORMED;
			break;
		}
		st = ethertype_decode(data, caplen, wirelen, ETH_HLEN_, rd16(data + 12), rec);
		break;
	case LT_LINUX_SLL:
	case LT_LINUX_SLL2:
		st = sll_decode(data, caplen, wirelen, linktype == LT_LINUX_SLL2, rec);
		break;
	case LT_NULL:
	case LT_LOOP:
		st = null_decode(data, caplen, wirelen, linktype == LT_LOOP, rec);
		break;
	case LT_RAW_12:
	case LT_RAW_14:
	case LT_RAW:
	case LT_IPV4:
	case LT_IPV6:
		decode_span_set(&sp, 0, caplen, 1, wirelen);
		st = decode_ip_span(data, &sp,
				    linktype == LT_IPV4 ? 4 : linktype == LT_IPV6 ? 6 : 0, rec);
		break;
	case LT_NFLOG:
		st = decode_nflog(data, caplen, wirelen, rec);
		break;
	default:
		st = DEC_UNSUPPORTED;
		break;
	}
	rec->status = (uint8_t)st;
	return st;
}

enum decode_status decode_ip(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
			     int family_hint, uint64_t ts_usec, struct pkt_record *rec)
{
	enum decode_status st;
	struct ip_span sp;
	int lt = family_hint == 4 ? LT_IPV4 : family_hint == 6 ? LT_IPV6 : LT_RAW_12;

	rec_init(rec, lt, caplen, wirelen, ts_usec);
	if (!data)
		caplen = 0;
	if (family_hint != 0 && family_hint != 4 && family_hint != 6)
		family_hint = 0;
	/* wirelen 0 means unknown (a live NFLOG payload the kernel may have shortened). */
	decode_span_set(&sp, 0, caplen, wirelen != 0, wirelen < caplen ? caplen : wirelen);
	st = decode_ip_span(data, &sp, family_hint, rec);
	rec->status = (uint8_t)st;
	return st;
}
