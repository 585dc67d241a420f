/* This file contains the decoder's NFLOG link type (DLT_NFLOG): the TLVs the kernel
 * logs with a packet (hook, mark, interfaces, uid, prefix, timestamp) and the payload,
 * handed to the IP layer. */
#include <stddef.h>
#include <string.h>

#include "sources/decode_int.h"

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
enum decode_status decode_nflog(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
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
	decode_span_set(&sp, pay_off, pay_end, 0, 0);
	return decode_ip_span(data, &sp, hint, rec);
}
