/* This file defines the packet record: the one fixed-size summary of a packet that the
 * decoder fills and every later stage (classifier, flow table, evidence, policy checker)
 * reads. Nothing after the decoder parses packet bytes again. */
#ifndef SPOOFAUDIT_PKTREC_H
#define SPOOFAUDIT_PKTREC_H

#include <stdint.h>
#include <net/if.h>

/* Decode error reasons. A packet may carry several (a bit each in pkt_record.errors);
 * collectors count them per reason. Names from decode_error_name() are stable. */
enum decode_error {
	DERR_TRUNC_LINK = 0,	/* capture ends inside the link-layer header */
	DERR_BAD_LINK,		/* link header inconsistent (bad NFLOG TLV, bad SLL type) */
	DERR_TRUNC_IP,		/* capture ends inside the IPv4/IPv6 fixed header */
	DERR_BAD_IP_VERSION,	/* version nibble disagrees with the link's ethertype */
	DERR_BAD_IHL,		/* IPv4 header length < 20 or beyond the total length */
	DERR_BAD_TOTLEN,	/* IP total/payload length shorter than the header */
	DERR_SHORT_FRAME,	/* the frame on the wire is shorter than the IP length (kernel drops) */
	DERR_TRUNC_EXTHDR,	/* capture ends inside an IPv6 extension header */
	DERR_EXTHDR_LIMIT,	/* more IPv6 extension headers than the walk allows */
	DERR_TRUNC_L4,		/* capture ends inside the TCP/UDP/SCTP/ICMP header */
	DERR_BAD_L4,		/* transport header inconsistent (TCP data offset < 5, UDP len < 8) */
	DERR_COUNT
};

/* What decode_packet() made of a frame. */
enum decode_status {
	DEC_OK = 0,		/* network header decoded (errors may still flag truncation later) */
	DEC_NOT_IP,		/* a valid frame carrying something other than IPv4/IPv6 (ARP, LLDP...) */
	DEC_UNSUPPORTED,	/* the link type is not one we decode */
	DEC_MALFORMED,		/* no usable network header; errors says why */
};

/* Direction of a packet relative to the capturing host. */
enum pkt_dir {
	DIR_UNKNOWN = 0,	/* the link type does not say (plain Ethernet from a file) */
	DIR_IN = 1,		/* received (SLL PACKET_HOST/BROADCAST/MULTICAST/OTHERHOST, NFLOG in-hooks) */
	DIR_OUT = 2,		/* sent by this host (SLL PACKET_OUTGOING, NFLOG OUTPUT/POSTROUTING) */
};

#define PKT_MAX_VLAN 2
#define PKT_NFLOG_PREFIX_MAX 64

/* Flags in pkt_record.have: which optional fields are valid. */
#define PKT_HAVE_PORTS		0x0001	/* sport/dport (TCP, UDP, UDP-Lite, SCTP, DCCP) */
#define PKT_HAVE_TCPFLAGS	0x0002
#define PKT_HAVE_ICMP		0x0004	/* icmp_type/icmp_code (ICMP or ICMPv6) */
#define PKT_HAVE_IFINDEX	0x0008	/* ifindex from SLL2 */
#define PKT_HAVE_PKTTYPE	0x0010	/* sll_pkttype from SLL/SLL2 */
#define PKT_HAVE_NFLOG		0x0020	/* the nflog block is filled */
#define PKT_HAVE_HATYPE		0x0040	/* sll_hatype from SLL/SLL2 */
#define PKT_HAVE_QUOTE		0x0080	/* quote: the packet an ICMP/ICMPv6 error quotes */

/* NFLOG metadata (from a DLT_NFLOG frame or a live libnetfilter_log message). */
#define NFL_HAVE_PREFIX		0x0001
#define NFL_HAVE_HOOK		0x0002
#define NFL_HAVE_INDEV		0x0004
#define NFL_HAVE_OUTDEV		0x0008
#define NFL_HAVE_PHYSINDEV	0x0010
#define NFL_HAVE_PHYSOUTDEV	0x0020
#define NFL_HAVE_MARK		0x0040
#define NFL_HAVE_UID		0x0080
#define NFL_HAVE_GID		0x0100
#define NFL_HAVE_SEQ		0x0200
#define NFL_HAVE_SEQ_GLOBAL	0x0400
#define NFL_HAVE_TIMESTAMP	0x0800

/* The packet an ICMP error (types 3, 11, 12) or ICMPv6 error (types 1-4) quotes: its IP
 * header and the first bytes behind it (RFC 792: 8 bytes; RFC 4443: as much as fits).
 * Addresses are as the quoted packet carried them (it went the other way). */
struct pkt_quote {
	uint8_t family;			/* 4 or 6 */
	uint8_t proto;			/* its upper-layer protocol */
	uint8_t has_ports;		/* sport/dport valid (TCP, UDP, UDP-Lite, SCTP, DCCP) */
	uint16_t sport, dport;
	uint8_t src[16];
	uint8_t dst[16];
};

struct pkt_nflog {
	uint16_t have;			/* NFL_HAVE_* */
	uint8_t hook;			/* NF_INET_PRE_ROUTING=0 ... POST_ROUTING=4 */
	uint8_t family;			/* AF_INET / AF_INET6 from the nflog header */
	uint16_t group;			/* NFLOG group (resource id) */
	uint32_t indev, outdev;		/* ifindex */
	uint32_t physindev, physoutdev;
	uint32_t mark, uid, gid;
	uint32_t seq, seq_global;
	char prefix[PKT_NFLOG_PREFIX_MAX];	/* NUL-terminated, truncated if longer */
	uint64_t ts_usec;		/* NFULA_TIMESTAMP (kernel skb time), µs since the epoch */
};

/* The packet record. Invariants: if status == DEC_OK then family is 4 or 6 and src/dst are
 * valid (IPv4 in the first 4 bytes, rest zero); proto is the upper-layer protocol after the
 * IPv6 extension-header walk (for IPv4, the header's protocol field); ports/flags/ICMP are
 * valid only where `have` says so. All offsets are within caplen. */
struct pkt_record {
	uint64_t ts_usec;		/* capture timestamp, microseconds since the epoch */
	uint32_t caplen;		/* bytes captured */
	uint32_t wirelen;		/* bytes on the wire */
	int linktype;			/* DLT_* / LINKTYPE_* value the frame was decoded as */
	uint32_t errors;		/* bit (1u << enum decode_error) per problem found */
	uint16_t have;			/* PKT_HAVE_* */
	uint8_t status;			/* enum decode_status */
	uint8_t dir;			/* enum pkt_dir */

	/* link layer */
	uint16_t ethertype;		/* innermost ethertype after VLAN tags (0 if none) */
	uint8_t vlan_count;		/* 802.1Q/802.1ad tags seen (at most PKT_MAX_VLAN stored) */
	uint16_t vlan[PKT_MAX_VLAN];	/* VLAN ids, outermost first */
	uint16_t sll_pkttype;		/* PACKET_HOST, PACKET_OUTGOING, ... */
	uint16_t sll_hatype;		/* ARPHRD_* */
	uint32_t ifindex;		/* SLL2 interface index */

	/* network layer */
	uint8_t family;			/* 4, 6, or 0 when no network header */
	uint8_t proto;			/* upper-layer protocol number */
	uint8_t ttl;			/* IPv4 TTL or IPv6 hop limit */
	uint8_t tos;			/* IPv4 TOS / IPv6 traffic class */
	uint8_t src[16];
	uint8_t dst[16];
	uint32_t l3_offset;		/* offset of the IP header in the captured bytes */
	uint32_t ip_len;		/* IPv4 total length / IPv6 40 + payload length */
	uint8_t is_fragment;		/* IPv4 MF or offset != 0; IPv6 fragment header present */
	uint8_t ipv6_exthdrs;		/* number of IPv6 extension headers walked */
	uint16_t frag_offset;		/* in 8-byte units; non-zero means no transport header */
	uint32_t frag_id;		/* IPv4 id / IPv6 fragment identification */

	/* transport layer */
	uint16_t sport, dport;
	uint8_t tcp_flags;		/* FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ECE CWR */
	uint8_t icmp_type, icmp_code;
	uint32_t l4_offset;		/* offset of the transport header (0 if none) */
	struct pkt_quote quote;		/* valid when have & PKT_HAVE_QUOTE */

	struct pkt_nflog nflog;		/* valid when have & PKT_HAVE_NFLOG */
};

/* The type of the other half of an ICMP (family 4) or ICMPv6 query: echo, timestamp,
 * information and address mask request <-> reply; -1 for a message conntrack pairs with
 * nothing (nf_conntrack_proto_icmp.c's invmap, icmpv6's likewise). */
static inline int pkt_icmp_pair(int family, unsigned type)
{
	if (family != 4)	/* echo; node information query and reply (RFC 4620) */
		return type == 128 || type == 139 ? (int)type + 1 :
		       type == 129 || type == 140 ? (int)type - 1 : -1;
	switch (type) {
	case 0: return 8;
	case 8: return 0;
	case 13: case 15: case 17: return (int)type + 1;
	case 14: case 16: case 18: return (int)type - 1;
	default: return -1;
	}
}

/* 1 for a query request (conntrack opens a connection with it: the kernel's valid_new
 * table), 0 for a query reply, -1 for a message pkt_icmp_pair() pairs with nothing. */
static inline int pkt_icmp_request(int family, unsigned type)
{
	int other = pkt_icmp_pair(family, type);

	if (other < 0)
		return -1;
	return family == 4 ? (type == 8 || type % 2 == 1) : (int)type < other;
}

#endif
