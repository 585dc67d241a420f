/* This file contains the packet decoder: it turns the captured bytes of one frame of any
 * supported link type into a struct pkt_record (link metadata, IP addresses, protocol,
 * ports, NFLOG metadata) and flags every inconsistency it finds. It never prints, never
 * allocates, and reads no byte before checking it lies inside the captured data. */
#include <string.h>

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

/* NFLOG TLV types (pcap/nflog.h, linux/netfilter/nfnetlink_log.h). */
enum {
	NFULA_PACKET_HDR_ = 1,
	NFULA_MARK_ = 2,
	NFULA_TIMESTAMP_ = 3,
	NFULA_IFINDEX_INDEV_ = 4,
	NFULA_IFINDEX_OUTDEV_ = 5,
	NFULA_IFINDEX_PHYSINDEV_ = 6,
	NFULA_IFINDEX_PHYSOUTDEV_ = 7,
	NFULA_PAYLOAD_ = 9,
	NFULA_PREFIX_ = 10,
	NFULA_UID_ = 11,
	NFULA_SEQ_ = 12,
	NFULA_SEQ_GLOBAL_ = 13,
	NFULA_GID_ = 14,
};
#define NLA_TYPE_MASK_ 0x3fff	/* strips NLA_F_NESTED / NLA_F_NET_BYTEORDER */

/* Netfilter hooks (NF_INET_*). */
enum { HOOK_PRE_ROUTING = 0, HOOK_LOCAL_IN, HOOK_FORWARD, HOOK_LOCAL_OUT, HOOK_POST_ROUTING };

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

static enum decode_status ipv6_decode(const uint8_t *data, const struct ip_span *sp,
				      struct pkt_record *rec)
{
	const uint8_t *p = data + sp->off;
	uint32_t avail = sp->end - sp->off;
	uint32_t plen, lim, pos;
	int cut, len_ok;
	uint8_t nh;

	if (avail < IPV6_HLEN) {
		set_err(rec, DERR_TRUNC_IP);
		return DEC_MALFORMED;
	}
	rec->family = 6;
	rec->l3_offset = sp->off;
	rec->tos = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
	plen = rd16(p + 4);
	nh = p[6];
	rec->ttl = p[7];
	rec->ip_len = IPV6_HLEN + plen;
	memcpy(rec->src, p + 8, 16);
	memcpy(rec->dst, p + 24, 16);

	len_ok = plen != 0;
	if (!len_ok && nh == P_HOPOPTS) {
		uint32_t jumbo = 0;
		int r = ipv6_find_jumbo(data, sp->off + IPV6_HLEN, sp->end, &jumbo);

		if (r < 0) {
			set_err(rec, DERR_TRUNC_EXTHDR);
			rec->proto = nh;
			return DEC_OK;
		}
		if (r == 0 || jumbo <= 0xffff || jumbo > UINT32_MAX - IPV6_HLEN) {
			/* RFC 2675: a zero payload length needs a valid Jumbo Payload option */
			set_err(rec, DERR_BAD_TOTLEN);
			rec->proto = nh;
			return DEC_OK;
		}
		rec->ip_len = IPV6_HLEN + jumbo;
		len_ok = 1;
	} else if (!len_ok && is_ipv6_exthdr(nh)) {
		/* The kernel trims such a packet to its fixed header: no extension header fits. */
		set_err(rec, DERR_BAD_TOTLEN);
		rec->proto = nh;
		return DEC_OK;
	}
	/* Otherwise a zero payload length right before the transport header is a TSO / BIG
	 * TCP capture of an outgoing packet: bounded by the capture only. */
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
	while (is_ipv6_exthdr(nh)) {
		uint32_t need, hlen;

		if (rec->ipv6_exthdrs >= DECODE_MAX_EXTHDRS) {
			set_err(rec, DERR_EXTHDR_LIMIT);
			rec->proto = nh;
			return DEC_OK;
		}
		need = nh == P_FRAGMENT ? 8 : 2;
		if (lim - pos < need) {
			set_err(rec, cut ? DERR_TRUNC_EXTHDR : DERR_BAD_TOTLEN);
			rec->proto = nh;
			return DEC_OK;
		}
		if (nh == P_FRAGMENT)
			hlen = 8;
		else if (nh == P_AH)
			hlen = ((uint32_t)data[pos + 1] + 2) * 4;	/* RFC 4302 */
		else
			hlen = ((uint32_t)data[pos + 1] + 1) * 8;	/* RFC 8200 */
		if (lim - pos < hlen) {
			set_err(rec, cut ? DERR_TRUNC_EXTHDR : DERR_BAD_TOTLEN);
			rec->proto = nh;
			return DEC_OK;
		}
		rec->ipv6_exthdrs++;
		if (nh == P_FRAGMENT) {
			uint16_t fo = rd16(data + pos + 2);

			rec->is_fragment = 1;
			rec->frag_offset = fo >> 3;
			rec->frag_id = rd32(data + pos + 4);
			if (rec->frag_offset) {
				rec->proto = data[pos];	/* no transport header here */
				return DEC_OK;
			}
		}
		nh = data[pos];
		pos += hlen;
	}
	rec->proto = nh;
	if (nh == P_ESP || nh == P_NONE)
		return DEC_OK;
	l4_decode(data, pos, lim, cut, len_ok ? sp->off + rec->ip_len - pos : 0, len_ok, rec);
	return DEC_OK;
}

/* Decodes the IP packet in sp; family_hint 4/6 is what the link layer announced, 0 to
 * go by the version nibble. */
static enum decode_status ip_decode(const uint8_t *data, const struct ip_span *sp,
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
	sp.off = off;
	sp.end = caplen;
	sp.wire_known = 1;
	sp.wire_avail = wirelen - off;
	return ip_decode(data, &sp, et == ET_IPV4 ? 4 : 6, rec);
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
	sp.off = 4;
	sp.end = caplen;
	sp.wire_known = 1;
	sp.wire_avail = wirelen - 4;
	return ip_decode(data, &sp, hint, rec);
}

/* The NFLOG attributes holding one 32-bit big-endian value (the kernel stores htonl()). */
static const struct {
	uint16_t type;
	uint16_t flag;		/* NFL_HAVE_* */
	size_t field;		/* offset of the uint32_t in struct pkt_nflog */
} nflog_u32_attrs[] = {
	{ NFULA_MARK_, NFL_HAVE_MARK, offsetof(struct pkt_nflog, mark) },
	{ NFULA_IFINDEX_INDEV_, NFL_HAVE_INDEV, offsetof(struct pkt_nflog, indev) },
	{ NFULA_IFINDEX_OUTDEV_, NFL_HAVE_OUTDEV, offsetof(struct pkt_nflog, outdev) },
	{ NFULA_IFINDEX_PHYSINDEV_, NFL_HAVE_PHYSINDEV, offsetof(struct pkt_nflog, physindev) },
	{ NFULA_IFINDEX_PHYSOUTDEV_, NFL_HAVE_PHYSOUTDEV, offsetof(struct pkt_nflog, physoutdev) },
	{ NFULA_UID_, NFL_HAVE_UID, offsetof(struct pkt_nflog, uid) },
	{ NFULA_GID_, NFL_HAVE_GID, offsetof(struct pkt_nflog, gid) },
	{ NFULA_SEQ_, NFL_HAVE_SEQ, offsetof(struct pkt_nflog, seq) },
	{ NFULA_SEQ_GLOBAL_, NFL_HAVE_SEQ_GLOBAL, offsetof(struct pkt_nflog, seq_global) },
};

/* Reads one NFLOG TLV value whose length vlen is known to be inside the capture. A value
 * too short for its type sets DERR_BAD_LINK and is skipped. */
static void nflog_attr(const uint8_t *v, uint32_t vlen, uint16_t type, struct pkt_record *rec)
{
	struct pkt_nflog *nf = &rec->nflog;
	uint64_t sec, usec;
	uint32_t n = 0, val;
	size_t i;

	switch (type) {
	case NFULA_PACKET_HDR_:		/* hw_protocol (big-endian), hook, pad */
		if (vlen < 4)
			break;
		rec->ethertype = rd16(v);
		nf->hook = v[2];
		nf->have |= NFL_HAVE_HOOK;
		return;
	case NFULA_TIMESTAMP_:		/* 64-bit big-endian seconds, microseconds */
		if (vlen < 16)
			break;
		sec = rd64(v);
		usec = rd64(v + 8);
		if (sec > UINT64_MAX / 1000000u - 1 || usec >= 1000000u)
			break;
		nf->ts_usec = sec * 1000000u + usec;
		nf->have |= NFL_HAVE_TIMESTAMP;
		return;
	case NFULA_PREFIX_:		/* NUL-terminated text, the count includes the NUL */
		while (n < vlen && n < PKT_NFLOG_PREFIX_MAX - 1 && v[n])
			n++;
		memcpy(nf->prefix, v, n);
		nf->prefix[n] = '\0';
		nf->have |= NFL_HAVE_PREFIX;
		return;
	default:
		for (i = 0; i < sizeof(nflog_u32_attrs) / sizeof(nflog_u32_attrs[0]); i++) {
			if (nflog_u32_attrs[i].type != type)
				continue;
			if (vlen < 4)
				break;
			val = rd32(v);
			memcpy((uint8_t *)nf + nflog_u32_attrs[i].field, &val, sizeof(val));
			nf->have |= nflog_u32_attrs[i].flag;
			return;
		}
		if (i == sizeof(nflog_u32_attrs) / sizeof(nflog_u32_attrs[0]))
			return;		/* HWADDR, HWTYPE, HWHEADER, ...: not needed */
		break;
	}
	set_err(rec, DERR_BAD_LINK);
}

/* DLT_NFLOG: a 4-byte big-endian header, then TLVs whose length and type are in host
 * byte order (libpcap swaps them when reading a file from the other byte order); the
 * length includes the TLV header and TLVs are padded to 4 bytes. */
static enum decode_status nflog_decode(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
				       struct pkt_record *rec)
{
	const uint32_t link_errs = 1u << DERR_TRUNC_LINK | 1u << DERR_BAD_LINK;
	uint32_t off = NFLOG_HLEN, pay_off = 0, pay_end = 0;
	int have_payload = 0, hint;
	struct ip_span sp;

	if (caplen < NFLOG_HLEN) {
		set_err(rec, DERR_TRUNC_LINK);
		return DEC_MALFORMED;
	}
	rec->have |= PKT_HAVE_NFLOG;
	rec->nflog.family = data[0];
	rec->nflog.group = rd16(data + 2);
	if (data[1] != 0) {		/* only version 0 exists */
		set_err(rec, DERR_BAD_LINK);
		return DEC_MALFORMED;
	}

	while (off < caplen) {
		uint32_t left = caplen - off, step;
		uint16_t tlen, type;

		if (left < NFLOG_TLV_HLEN) {	/* stray bytes that cannot hold a TLV */
			set_err(rec, caplen < wirelen ? DERR_TRUNC_LINK : DERR_BAD_LINK);
			break;
		}
		memcpy(&tlen, data + off, 2);
		memcpy(&type, data + off + 2, 2);
		type &= NLA_TYPE_MASK_;
		if (tlen < NFLOG_TLV_HLEN) {
			set_err(rec, DERR_BAD_LINK);
			break;
		}
		if (tlen > left) {
			if (caplen < wirelen && type == NFULA_PAYLOAD_ && !have_payload) {
				/* snaplen cut the payload: decode what was captured */
				have_payload = 1;
				pay_off = off + NFLOG_TLV_HLEN;
				pay_end = caplen;
			} else {
				set_err(rec, caplen < wirelen ? DERR_TRUNC_LINK : DERR_BAD_LINK);
			}
			break;
		}
		if (type == NFULA_PAYLOAD_) {
			if (!have_payload) {
				have_payload = 1;
				pay_off = off + NFLOG_TLV_HLEN;
				pay_end = off + tlen;
			}
		} else {
			nflog_attr(data + off + NFLOG_TLV_HLEN, tlen - NFLOG_TLV_HLEN, type, rec);
		}
		step = ((uint32_t)tlen + 3) & ~3u;	/* the last TLV's padding may be absent */
		if (step >= left)
			break;
		off += step;
	}
	/* The capture ended on a TLV boundary before any payload: truncated. */
	if (!have_payload && caplen < wirelen && !(rec->errors & link_errs))
		set_err(rec, DERR_TRUNC_LINK);

	if (rec->nflog.have & NFL_HAVE_HOOK) {
		switch (rec->nflog.hook) {
		case HOOK_PRE_ROUTING: case HOOK_LOCAL_IN: case HOOK_FORWARD:
			rec->dir = DIR_IN;
			break;
		case HOOK_LOCAL_OUT: case HOOK_POST_ROUTING:
			rec->dir = DIR_OUT;
			break;
		default:
			break;
		}
	}
	if (!have_payload)
		return (rec->errors & link_errs) ? DEC_MALFORMED : DEC_NOT_IP;

	if (rec->nflog.family == 2)
		hint = 4;
	else if (rec->nflog.family == 10)
		hint = 6;
	else if (rec->ethertype == ET_IPV4)
		hint = 4;
	else if (rec->ethertype == ET_IPV6)
		hint = 6;
	else
		hint = 0;
	/* The kernel logs a packet after ip_rcv checked its length, and copy_range may
	 * shorten the payload: a short payload is a truncation, never a short frame. */
	sp.off = pay_off;
	sp.end = pay_end;
	sp.wire_known = 0;
	sp.wire_avail = 0;
	return ip_decode(data, &sp, hint, rec);
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
		st = sll_decode(data, caplen, wirelen, 0, rec);
		break;
	case LT_LINUX_SLL2:
		st = sll_decode(data, caplen, wirelen, 1, rec);
		break;
	case LT_NULL:
		st = null_decode(data, caplen, wirelen, 0, rec);
		break;
	case LT_LOOP:
		st = null_decode(data, caplen, wirelen, 1, rec);
		break;
	case LT_RAW_12:
	case LT_RAW_14:
	case LT_RAW:
	case LT_IPV4:
	case LT_IPV6:
		sp.off = 0;
		sp.end = caplen;
		sp.wire_known = 1;
		sp.wire_avail = wirelen;
		st = ip_decode(data, &sp, linktype == LT_IPV4 ? 4 : linktype == LT_IPV6 ? 6 : 0,
			       rec);
		break;
	case LT_NFLOG:
		st = nflog_decode(data, caplen, wirelen, rec);
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
	sp.off = 0;
	sp.end = caplen;
	/* wirelen 0 means unknown (a live NFLOG payload the kernel may have shortened). */
	sp.wire_known = wirelen != 0;
	sp.wire_avail = wirelen < caplen ? caplen : wirelen;
	st = ip_decode(data, &sp, family_hint, rec);
	rec->status = (uint8_t)st;
	return st;
}
