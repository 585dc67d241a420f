/* This file declares what the decoder's files share and nothing else includes: link-type
 * numbers, header sizes, the span of an IP packet inside a frame, big-endian readers, and
 * the entry points of the IP layer and the NFLOG link type. */
#ifndef SPOOFAUDIT_DECODE_INT_H
#define SPOOFAUDIT_DECODE_INT_H

#include <stdint.h>

#include "sources/decode.h"

/* Link types, as pcap_datalink() returns them on Linux (and the LINKTYPE_ aliases a file
 * may carry). Defined here so the decoder does not depend on the platform's DLT_RAW. */
enum {
	LT_NULL = 0,
	LT_EN10MB = 1,
	LT_RAW_12 = 12,		/* DLT_RAW on most platforms */
	LT_RAW_14 = 14,		/* DLT_RAW on OpenBSD */
	LT_RAW = 101,		/* LINKTYPE_RAW */
	LT_LOOP = 108,
	LT_LINUX_SLL = 113,
	LT_IPV4 = 228,
	LT_IPV6 = 229,
	LT_NFLOG = 239,
	LT_LINUX_SLL2 = 276,
};

#define ETH_HLEN_ 14
#define SLL_HLEN 16
#define SLL2_HLEN 20
#define NFLOG_HLEN 4
#define NFLOG_TLV_HLEN 4
#define IPV4_HLEN 20
#define IPV6_HLEN 40

#define ET_IPV4 0x0800
#define ET_IPV6 0x86dd
#define ET_8021Q 0x8100
#define ET_8021AD 0x88a8
#define ET_QINQ_OLD 0x9100

#define ARPHRD_NETLINK_ 824	/* SLL "protocol" is then a netlink family, not an ethertype */
#define PACKET_OUTGOING_ 4
#define PACKET_KERNEL_ 7	/* highest packet type Linux defines */

/* IP protocol numbers the decoder looks into. */
enum {
	P_HOPOPTS = 0, P_ICMP = 1, P_TCP = 6, P_UDP = 17, P_DCCP = 33, P_ROUTING = 43,
	P_FRAGMENT = 44, P_ESP = 50, P_AH = 51, P_ICMPV6 = 58, P_NONE = 59, P_DSTOPTS = 60,
	P_SCTP = 132, P_UDPLITE = 136,
};

/* Where the IP layer's bytes are: data[off .. end) is captured; the packet was wire_avail
 * bytes long from off on the wire when wire_known (else nothing is known beyond end). */
struct ip_span {
	uint32_t off;
	uint32_t end;
	uint32_t wire_avail;
	int wire_known;
};

/* Fills *sp for an IP packet at data[off .. end); wire_avail bytes from off were on the
 * wire when wire_known. */
static inline void decode_span_set(struct ip_span *sp, uint32_t off, uint32_t end,
				   int wire_known, uint32_t wire_avail)
{
	sp->off = off;
	sp->end = end;
	sp->wire_known = wire_known;
	sp->wire_avail = wire_avail;
}

/* Decodes the packet an ICMP/ICMPv6 error quotes, at data[off .. lim), into rec->quote
 * (decode_icmp.c); sets PKT_HAVE_QUOTE when at least its addresses were there. */
void decode_icmp_quote(const uint8_t *data, uint32_t off, uint32_t lim, struct pkt_record *rec);

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static inline void set_err(struct pkt_record *rec, enum decode_error e)
{
	rec->errors |= 1u << e;
}

/* Decodes the IP packet in sp (decode_ip.c); family_hint 4/6 is what the link layer
 * announced, 0 to go by the version nibble. */
enum decode_status decode_ip_span(const uint8_t *data, const struct ip_span *sp,
				  int family_hint, struct pkt_record *rec);

/* Decodes a DLT_NFLOG frame (decode_nflog.c). */
enum decode_status decode_nflog(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
				struct pkt_record *rec);

#endif
