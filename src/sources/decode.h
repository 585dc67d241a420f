/* This file declares the packet decoder: one function that turns captured bytes of any
 * supported link type into a struct pkt_record. It never prints and never allocates. */
#ifndef SPOOFAUDIT_DECODE_H
#define SPOOFAUDIT_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "sources/pktrec.h"

/* Maximum IPv6 extension headers walked before DERR_EXTHDR_LIMIT. */
#define DECODE_MAX_EXTHDRS 8

/* Decodes one frame of link type `linktype` (a DLT_/LINKTYPE_ value as pcap_datalink()
 * returns it). `data` holds `caplen` captured bytes of a frame that was `wirelen` bytes on
 * the wire. Fills *rec completely (zeroing it first) and returns rec->status.
 * Supported: DLT_EN10MB (with 802.1Q/802.1ad/QinQ), DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_NULL,
 * DLT_LOOP, DLT_RAW (12 and 14), LINKTYPE_RAW (101), LINKTYPE_IPV4 (228), LINKTYPE_IPV6 (229),
 * DLT_NFLOG (239). Every length is bounded by caplen before use. */
enum decode_status decode_packet(int linktype, const uint8_t *data, uint32_t caplen,
				 uint32_t wirelen, uint64_t ts_usec, struct pkt_record *rec);

/* Decodes an IPv4 or IPv6 packet starting at data (used by the NFLOG source, whose
 * payload is a bare network packet). family_hint is 4, 6 or 0 (take the version nibble). */
enum decode_status decode_ip(const uint8_t *data, uint32_t caplen, uint32_t wirelen,
			     int family_hint, uint64_t ts_usec, struct pkt_record *rec);

/* True if decode_packet() handles this link type. */
int decode_linktype_supported(int linktype);

/* Stable name of a decode error reason ("trunc_link", ...); NULL if out of range. */
const char *decode_error_name(enum decode_error e);

#endif
