/* This file contains the unit tests of the packet decoder. Every packet is built byte by
 * byte here from the RFC header layouts, and every expected value is written in the
 * tables by hand: nothing is derived from the decoder itself. One cmocka case per row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sources/decode.h"

/* Rows start from a macro describing the standard payload (X4/X6) and override the fields
 * a case changes: that override is the point, so its warning is off in this file. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winitializer-overrides"
#elif defined(__GNUC__)
#pragma GCC diagnostic ignored "-Woverride-init"
#endif

#define E(x) (1u << (x))
#define AUTO 0xffffffffu

static const uint8_t SRC4[4] = { 192, 0, 2, 1 };
static const uint8_t DST4[4] = { 198, 51, 100, 2 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2 };

/* ---- byte builders ---- */

struct buf {
	uint8_t b[2048];
	uint32_t n;
};

static void p8(struct buf *b, unsigned v)
{
	assert_true(b->n < sizeof(b->b));
	b->b[b->n++] = (uint8_t)v;
}

static void p16(struct buf *b, unsigned v)
{
	p8(b, v >> 8);
	p8(b, v);
}

static void p32(struct buf *b, uint32_t v)
{
	p16(b, v >> 16);
	p16(b, v & 0xffff);
}

static void pmem(struct buf *b, const void *m, uint32_t n)
{
	assert_true(b->n + n <= sizeof(b->b));
	memcpy(b->b + b->n, m, n);
	b->n += n;
}

static void pfill(struct buf *b, unsigned v, uint32_t n)
{
	while (n--)
		p8(b, v);
}

static void p16h(struct buf *b, uint16_t v)	/* host byte order (NFLOG TLV headers) */
{
	pmem(b, &v, 2);
}

static void p32h(struct buf *b, uint32_t v)
{
	pmem(b, &v, 4);
}

/* RFC 791: version/IHL, TOS, total length, id, flags+fragment offset, TTL, protocol,
 * checksum, source, destination, then (ihl - 5) words of options (NOP NOP NOP EOL). */
static uint32_t ip4(struct buf *b, unsigned ihl, unsigned tos, unsigned id, unsigned frag,
		    unsigned ttl, unsigned proto)
{
	uint32_t start = b->n;
	unsigned i;

	p8(b, 0x40 | ihl);
	p8(b, tos);
	p16(b, 0);		/* total length, set by fix4() */
	p16(b, id);
	p16(b, frag);
	p8(b, ttl);
	p8(b, proto);
	p16(b, 0);
	pmem(b, SRC4, 4);
	pmem(b, DST4, 4);
	for (i = 5; i < ihl; i++)
		p32(b, 0x01010100);
	return start;
}

static void set16(struct buf *b, uint32_t at, unsigned v)
{
	b->b[at] = (uint8_t)(v >> 8);
	b->b[at + 1] = (uint8_t)v;
}

static void fix4(struct buf *b, uint32_t start, uint32_t totlen)
{
	set16(b, start + 2, totlen == AUTO ? b->n - start : totlen);
}

/* RFC 8200: version/traffic class/flow label, payload length, next header, hop limit. */
static uint32_t ip6(struct buf *b, unsigned tc, unsigned nh, unsigned hlim)
{
	uint32_t start = b->n;

	p8(b, 0x60 | tc >> 4);
	p8(b, (tc & 0x0f) << 4);
	p16(b, 0);
	p16(b, 0);		/* payload length, set by fix6() */
	p8(b, nh);
	p8(b, hlim);
	pmem(b, SRC6, 16);
	pmem(b, DST6, 16);
	return start;
}

static void fix6(struct buf *b, uint32_t start, uint32_t plen)
{
	set16(b, start + 4, plen == AUTO ? b->n - start - 40 : plen);
}

/* RFC 9293: ports, seq, ack, data offset, flags, window, checksum, urgent, options. */
static void tcp(struct buf *b, unsigned sport, unsigned dport, unsigned doff, unsigned flags)
{
	unsigned i;

	p16(b, sport);
	p16(b, dport);
	p32(b, 1);
	p32(b, 0);
	p8(b, doff << 4);
	p8(b, flags);
	p16(b, 65535);
	p16(b, 0);
	p16(b, 0);
	for (i = 5; i < doff; i++)
		p32(b, 0x01010101);
}

/* RFC 768 (and RFC 3828: UDP-Lite puts the checksum coverage where UDP has length). */
static void udp(struct buf *b, unsigned sport, unsigned dport, unsigned len, unsigned data)
{
	p16(b, sport);
	p16(b, dport);
	p16(b, len == AUTO ? 8 + data : len);
	p16(b, 0);
	pfill(b, 'x', data);
}

/* ICMP / ICMPv6: type, code, checksum, 4 bytes of message body. */
static void icmp(struct buf *b, unsigned type, unsigned code)
{
	p8(b, type);
	p8(b, code);
	p16(b, 0);
	p32(b, 0x00010001);
}

/* RFC 9260 common header: ports, verification tag, checksum. */
static void sctp(struct buf *b, unsigned sport, unsigned dport)
{
	p16(b, sport);
	p16(b, dport);
	p32(b, 0x11223344);
	p32(b, 0);
}

/* RFC 4340 5.1: ports, data offset, CCVal/CsCov, checksum, Res|Type|X, then 24-bit
 * sequence (X=0) or reserved + 48-bit sequence (X=1). */
static void dccp(struct buf *b, unsigned sport, unsigned dport, unsigned doff, int x)
{
	p16(b, sport);
	p16(b, dport);
	p8(b, doff);
	p8(b, 0);
	p16(b, 0);
	p8(b, (0 << 1) | (x ? 1 : 0));	/* type 0 = Request */
	if (x) {
		p8(b, 0);
		p16(b, 0);
		p32(b, 1);
	} else {
		p8(b, 0);
		p16(b, 1);
	}
}

/* RFC 8200 hop-by-hop / destination options: next header, length in 8-octet units beyond
 * the first, then a PadN option filling the rest. */
static void opts6(struct buf *b, unsigned nh, unsigned len8)
{
	p8(b, nh);
	p8(b, len8);
	p8(b, 1);
	p8(b, 4 + len8 * 8);
	pfill(b, 0, 4 + len8 * 8);
}

/* RFC 8200 routing header: next header, length, routing type, segments left, data. */
static void routing6(struct buf *b, unsigned nh, unsigned len8)
{
	p8(b, nh);
	p8(b, len8);
	p8(b, 4);
	p8(b, 0);
	pfill(b, 0, 4 + len8 * 8);
}

/* RFC 8200 fragment header: next header, reserved, offset(13)|res(2)|M, identification. */
static void frag6(struct buf *b, unsigned nh, unsigned off8, int more, uint32_t id)
{
	p8(b, nh);
	p8(b, 0);
	p16(b, off8 << 3 | (more ? 1 : 0));
	p32(b, id);
}

/* RFC 4302 AH: next header, payload length in 4-octet units minus 2, reserved, SPI,
 * sequence, ICV. */
static void ah(struct buf *b, unsigned nh, unsigned len4)
{
	p8(b, nh);
	p8(b, len4);
	p16(b, 0);
	p32(b, 0x1000);
	p32(b, 1);
	pfill(b, 0xab, (len4 + 2) * 4 - 12);
}

static const uint8_t MAC_DST[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
static const uint8_t MAC_SRC[6] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };

static void eth(struct buf *b, unsigned et)
{
	pmem(b, MAC_DST, 6);
	pmem(b, MAC_SRC, 6);
	p16(b, et);
}

static void tag(struct buf *b, unsigned tpid, unsigned tci)
{
	p16(b, tpid);
	p16(b, tci);
}

/* SLL (16 bytes): packet type, ARPHRD type, address length, 8-byte address, protocol. */
static void sll(struct buf *b, unsigned pkttype, unsigned hatype, unsigned proto)
{
	p16(b, pkttype);
	p16(b, hatype);
	p16(b, 6);
	pmem(b, MAC_SRC, 6);
	p16(b, 0);
	p16(b, proto);
}

/* SLL2 (20 bytes): protocol, reserved, ifindex, ARPHRD type, packet type, address
 * length, 8-byte address. */
static void sll2(struct buf *b, unsigned proto, uint32_t ifindex, unsigned hatype,
		 unsigned pkttype)
{
	p16(b, proto);
	p16(b, 0);
	p32(b, ifindex);
	p16(b, hatype);
	p8(b, pkttype);
	p8(b, 0);
	pfill(b, 0, 8);
}

/* The standard payloads: P4 = IPv4 (TOS 0x10, id 0x1234, DF, TTL 64) + UDP 1234 -> 53
 * carrying 4 bytes (total 32); P6 = IPv6 (TC 0x20, hop limit 255) + TCP 40000 -> 443
 * SYN, no options (total 60). */
static void p4(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0x10, 0x1234, 0x4000, 64, 17);

	udp(b, 1234, 53, AUTO, 4);
	fix4(b, s, AUTO);
}

static void p6(struct buf *b)
{
	uint32_t s = ip6(b, 0x20, 6, 255);

	tcp(b, 40000, 443, 5, 0x02);
	fix6(b, s, AUTO);
}

/* ---- expectations ---- */

struct expect {
	int status;
	uint32_t errors;
	int family;		/* 4: SRC4/DST4, 6: SRC6/DST6, 0: zero addresses */
	int proto, ttl, tos;
	uint32_t ip_len, l3, l4;
	uint16_t have;
	int sport, dport, tcp_flags, icmp_type, icmp_code;
	int dir;
	int ethertype, vlan_count, vlan0, vlan1;
	int pkttype, hatype;
	uint32_t ifindex;
	int is_fragment, frag_offset, exthdrs;
	uint32_t frag_id;
};

/* The decoded P4 / P6 payloads at layer-3 offset l3. */
#define X4(l3_) .status = DEC_OK, .family = 4, .proto = 17, .ttl = 64, .tos = 0x10, \
	.ip_len = 32, .l3 = (l3_), .l4 = (l3_) + 20, .have = PKT_HAVE_PORTS, .sport = 1234, \
	.dport = 53, .frag_id = 0x1234
#define X6(l3_) .status = DEC_OK, .family = 6, .proto = 6, .ttl = 255, .tos = 0x20, \
	.ip_len = 60, .l3 = (l3_), .l4 = (l3_) + 40, .have = PKT_HAVE_PORTS | PKT_HAVE_TCPFLAGS, \
	.sport = 40000, .dport = 443, .tcp_flags = 0x02

static void check(const struct expect *x, const struct pkt_record *r)
{
	static const uint8_t zero[16];

	assert_int_equal(r->status, x->status);
	assert_int_equal(r->errors, x->errors);
	assert_int_equal(r->family, x->family);
	if (x->family == 4) {
		assert_memory_equal(r->src, SRC4, 4);
		assert_memory_equal(r->dst, DST4, 4);
		assert_memory_equal(r->src + 4, zero, 12);
		assert_memory_equal(r->dst + 4, zero, 12);
	} else if (x->family == 6) {
		assert_memory_equal(r->src, SRC6, 16);
		assert_memory_equal(r->dst, DST6, 16);
	} else {
		assert_memory_equal(r->src, zero, 16);
		assert_memory_equal(r->dst, zero, 16);
	}
	assert_int_equal(r->proto, x->proto);
	assert_int_equal(r->ttl, x->ttl);
	assert_int_equal(r->tos, x->tos);
	assert_int_equal(r->ip_len, x->ip_len);
	assert_int_equal(r->l3_offset, x->l3);
	assert_int_equal(r->l4_offset, x->l4);
	assert_int_equal(r->have & ~PKT_HAVE_NFLOG, x->have);
	assert_int_equal(r->sport, x->sport);
	assert_int_equal(r->dport, x->dport);
	assert_int_equal(r->tcp_flags, x->tcp_flags);
	assert_int_equal(r->icmp_type, x->icmp_type);
	assert_int_equal(r->icmp_code, x->icmp_code);
	assert_int_equal(r->dir, x->dir);
	assert_int_equal(r->ethertype, x->ethertype);
	assert_int_equal(r->vlan_count, x->vlan_count);
	assert_int_equal(r->vlan[0], x->vlan0);
	assert_int_equal(r->vlan[1], x->vlan1);
	assert_int_equal(r->sll_pkttype, x->pkttype);
	assert_int_equal(r->sll_hatype, x->hatype);
	assert_int_equal(r->ifindex, x->ifindex);
	assert_int_equal(r->is_fragment, x->is_fragment);
	assert_int_equal(r->frag_offset, x->frag_offset);
	assert_int_equal(r->ipv6_exthdrs, x->exthdrs);
	assert_int_equal(r->frag_id, x->frag_id);
}

/* One table row: a frame builder, how to present it, what must come out. */
struct row {
	const char *name;
	int linktype;
	void (*build)(struct buf *b);
	uint32_t chop;		/* bytes cut off the end of the capture (wirelen keeps them) */
	int wire_delta;		/* wirelen = built length + wire_delta */
	struct expect x;
};

static void run_row(void **state)
{
	const struct row *r = *state;
	struct pkt_record rec;
	struct buf b;
	uint32_t caplen, wirelen;

	memset(&b, 0, sizeof(b));
	r->build(&b);
	assert_true(r->chop <= b.n);
	caplen = b.n - r->chop;
	wirelen = (uint32_t)((int)b.n + r->wire_delta);
	memset(&rec, 0xa5, sizeof(rec));
	assert_int_equal(decode_packet(r->linktype, b.b, caplen, wirelen, 42, &rec),
			 r->x.status);
	assert_int_equal(rec.linktype, r->linktype);
	assert_int_equal(rec.caplen, caplen);
	assert_int_equal(rec.wirelen, wirelen);
	assert_int_equal(rec.ts_usec, 42);
	check(&r->x, &rec);
}

/* ---- link-layer frames ---- */

static void f_eth4(struct buf *b) { eth(b, 0x0800); p4(b); }
static void f_eth6(struct buf *b) { eth(b, 0x86dd); p6(b); }
static void f_eth4_padded(struct buf *b) { eth(b, 0x0800); p4(b); pfill(b, 0, 14); }
static void f_dot1q(struct buf *b)
{
	eth(b, 0x8100);
	b->n -= 2;		/* the tag replaces the ethertype */
	tag(b, 0x8100, 100);
	p16(b, 0x0800);
	p4(b);
}
static void f_qinq_88a8(struct buf *b)
{
	eth(b, 0x88a8);
	b->n -= 2;
	tag(b, 0x88a8, 200);
	tag(b, 0x8100, 100);
	p16(b, 0x86dd);
	p6(b);
}
static void f_qinq_9100(struct buf *b)
{
	eth(b, 0);
	b->n -= 2;
	tag(b, 0x9100, 0xe000 | 300);	/* PCP 7 must not leak into the VLAN id */
	tag(b, 0x8100, 0x1000 | 4095);	/* DEI set */
	p16(b, 0x0800);
	p4(b);
}
static void f_three_tags(struct buf *b)
{
	eth(b, 0);
	b->n -= 2;
	tag(b, 0x88a8, 1);
	tag(b, 0x8100, 2);
	tag(b, 0x8100, 3);
	p16(b, 0x0800);
	p4(b);
}
static void f_arp(struct buf *b)
{
	eth(b, 0x0806);
	p16(b, 1);
	p16(b, 0x0800);
	p8(b, 6);
	p8(b, 4);
	p16(b, 1);
	pmem(b, MAC_SRC, 6);
	pmem(b, SRC4, 4);
	pfill(b, 0, 6);
	pmem(b, DST4, 4);
}
static void f_vlan_arp(struct buf *b)
{
	eth(b, 0);
	b->n -= 2;
	tag(b, 0x8100, 100);
	p16(b, 0x0806);
	pfill(b, 0, 28);
}
static void f_eth_v6_as_v4(struct buf *b) { eth(b, 0x0800); p6(b); }
static void f_eth_v4_as_v6(struct buf *b) { eth(b, 0x86dd); p4(b); }
static void f_sll_host4(struct buf *b) { sll(b, 0, 1, 0x0800); p4(b); }
static void f_sll_out6(struct buf *b) { sll(b, 4, 1, 0x86dd); p6(b); }
static void f_sll_bcast4(struct buf *b) { sll(b, 1, 1, 0x0800); p4(b); }
static void f_sll_otherhost4(struct buf *b) { sll(b, 3, 1, 0x0800); p4(b); }
static void f_sll_vlan(struct buf *b) { sll(b, 0, 1, 0x8100); p16(b, 42); p16(b, 0x0800); p4(b); }
static void f_sll_badtype(struct buf *b) { sll(b, 12, 1, 0x0800); p4(b); }
static void f_sll_netlink(struct buf *b) { sll(b, 4, 824, 0x0000); pfill(b, 0, 20); }
static void f_sll_arp(struct buf *b) { sll(b, 1, 1, 0x0806); pfill(b, 0, 28); }
static void f_sll2_out4(struct buf *b) { sll2(b, 0x0800, 7, 772, 4); p4(b); }
static void f_sll2_host6(struct buf *b) { sll2(b, 0x86dd, 0x01020304, 1, 0); p6(b); }
static void f_null_host4(struct buf *b) { p32h(b, 2); p4(b); }
static void f_null_swapped4(struct buf *b) { p32h(b, __builtin_bswap32(2)); p4(b); }
static void f_null_24(struct buf *b) { p32h(b, 24); p6(b); }
static void f_null_28(struct buf *b) { p32h(b, 28); p6(b); }
static void f_null_30(struct buf *b) { p32h(b, 30); p6(b); }
static void f_null_10(struct buf *b) { p32h(b, 10); p6(b); }
static void f_null_swapped30(struct buf *b) { p32h(b, __builtin_bswap32(30)); p6(b); }
static void f_null_other(struct buf *b) { p32h(b, 7); p4(b); }
static void f_loop4(struct buf *b) { p32(b, 2); p4(b); }
static void f_loop24(struct buf *b) { p32(b, 24); p6(b); }
static void f_loop_le(struct buf *b) { p8(b, 2); p8(b, 0); p8(b, 0); p8(b, 0); p4(b); }
static void f_raw4(struct buf *b) { p4(b); }
static void f_raw6(struct buf *b) { p6(b); }
static void f_raw_v5(struct buf *b) { p4(b); b->b[0] = 0x55; }
static void f_empty(struct buf *b) { (void)b; }

static const struct row link_rows[] = {
	{ "eth_ipv4", 1, f_eth4, 0, 0, { X4(14), .ethertype = 0x0800 } },
	{ "eth_ipv6", 1, f_eth6, 0, 0, { X6(14), .ethertype = 0x86dd } },
	{ "eth_ipv4_padded_to_60", 1, f_eth4_padded, 0, 0, { X4(14), .ethertype = 0x0800 } },
	{ "eth_8021q", 1, f_dot1q, 0, 0,
	  { X4(18), .ethertype = 0x0800, .vlan_count = 1, .vlan0 = 100 } },
	{ "eth_8021ad_qinq", 1, f_qinq_88a8, 0, 0,
	  { X6(22), .ethertype = 0x86dd, .vlan_count = 2, .vlan0 = 200, .vlan1 = 100 } },
	{ "eth_9100_qinq_pcp_dei", 1, f_qinq_9100, 0, 0,
	  { X4(22), .ethertype = 0x0800, .vlan_count = 2, .vlan0 = 300, .vlan1 = 4095 } },
	{ "eth_three_tags", 1, f_three_tags, 0, 0,
	  { X4(26), .ethertype = 0x0800, .vlan_count = 3, .vlan0 = 1, .vlan1 = 2 } },
	{ "eth_arp", 1, f_arp, 0, 0, { .status = DEC_NOT_IP, .ethertype = 0x0806 } },
	{ "eth_vlan_arp", 1, f_vlan_arp, 0, 0,
	  { .status = DEC_NOT_IP, .ethertype = 0x0806, .vlan_count = 1, .vlan0 = 100 } },
	{ "eth_ipv6_under_0800", 1, f_eth_v6_as_v4, 0, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_IP_VERSION), .ethertype = 0x0800 } },
	{ "eth_ipv4_under_86dd", 1, f_eth_v4_as_v6, 0, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_IP_VERSION), .ethertype = 0x86dd } },
	{ "eth_13_bytes", 1, f_eth4, 32 + 1, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_TRUNC_LINK) } },
	{ "eth_tag_cut", 1, f_dot1q, 32 + 2, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_TRUNC_LINK), .vlan_count = 0 } },
	{ "sll_host_ipv4", 113, f_sll_host4, 0, 0,
	  { X4(16), .ethertype = 0x0800, .dir = DIR_IN, .pkttype = 0, .hatype = 1,
	    .have = PKT_HAVE_PORTS | PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE } },
	{ "sll_outgoing_ipv6", 113, f_sll_out6, 0, 0,
	  { X6(16), .ethertype = 0x86dd, .dir = DIR_OUT, .pkttype = 4, .hatype = 1,
	    .have = PKT_HAVE_PORTS | PKT_HAVE_TCPFLAGS | PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE } },
	{ "sll_broadcast", 113, f_sll_bcast4, 0, 0,
	  { X4(16), .ethertype = 0x0800, .dir = DIR_IN, .pkttype = 1, .hatype = 1,
	    .have = PKT_HAVE_PORTS | PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE } },
	{ "sll_otherhost", 113, f_sll_otherhost4, 0, 0,
	  { X4(16), .ethertype = 0x0800, .dir = DIR_IN, .pkttype = 3, .hatype = 1,
	    .have = PKT_HAVE_PORTS | PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE } },
	{ "sll_vlan", 113, f_sll_vlan, 0, 0,
	  { X4(20), .ethertype = 0x0800, .dir = DIR_IN, .hatype = 1, .vlan_count = 1,
	    .vlan0 = 42, .have = PKT_HAVE_PORTS | PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE } },
	{ "sll_bad_pkttype", 113, f_sll_badtype, 0, 0,
	  { X4(16), .errors = E(DERR_BAD_LINK), .ethertype = 0x0800, .dir = DIR_IN,
	    .pkttype = 12, .hatype = 1,
	    .have = PKT_HAVE_PORTS | PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE } },
	{ "sll_netlink", 113, f_sll_netlink, 0, 0,
	  { .status = DEC_NOT_IP, .dir = DIR_OUT, .pkttype = 4, .hatype = 824,
	    .have = PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE } },
	{ "sll_arp", 113, f_sll_arp, 0, 0,
	  { .status = DEC_NOT_IP, .ethertype = 0x0806, .dir = DIR_IN, .pkttype = 1, .hatype = 1,
	    .have = PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE } },
	{ "sll_15_bytes", 113, f_sll_host4, 32 + 1, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_TRUNC_LINK) } },
	{ "sll2_outgoing_ipv4", 276, f_sll2_out4, 0, 0,
	  { X4(20), .ethertype = 0x0800, .dir = DIR_OUT, .pkttype = 4, .hatype = 772,
	    .ifindex = 7,
	    .have = PKT_HAVE_PORTS | PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE | PKT_HAVE_IFINDEX } },
	{ "sll2_host_ipv6", 276, f_sll2_host6, 0, 0,
	  { X6(20), .ethertype = 0x86dd, .dir = DIR_IN, .pkttype = 0, .hatype = 1,
	    .ifindex = 0x01020304,
	    .have = PKT_HAVE_PORTS | PKT_HAVE_TCPFLAGS | PKT_HAVE_PKTTYPE | PKT_HAVE_HATYPE |
		    PKT_HAVE_IFINDEX } },
	{ "sll2_19_bytes", 276, f_sll2_out4, 32 + 1, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_TRUNC_LINK) } },
	{ "null_inet_host_order", 0, f_null_host4, 0, 0, { X4(4) } },
	{ "null_inet_other_order", 0, f_null_swapped4, 0, 0, { X4(4) } },
	{ "null_inet6_bsd_24", 0, f_null_24, 0, 0, { X6(4) } },
	{ "null_inet6_freebsd_28", 0, f_null_28, 0, 0, { X6(4) } },
	{ "null_inet6_darwin_30", 0, f_null_30, 0, 0, { X6(4) } },
	{ "null_inet6_linux_10", 0, f_null_10, 0, 0, { X6(4) } },
	{ "null_inet6_30_other_order", 0, f_null_swapped30, 0, 0, { X6(4) } },
	{ "null_other_af", 0, f_null_other, 0, 0, { .status = DEC_NOT_IP } },
	{ "null_3_bytes", 0, f_null_host4, 32 + 1, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_TRUNC_LINK) } },
	{ "loop_inet", 108, f_loop4, 0, 0, { X4(4) } },
	{ "loop_inet6_24", 108, f_loop24, 0, 0, { X6(4) } },
	{ "loop_little_endian_is_not_inet", 108, f_loop_le, 0, 0, { .status = DEC_NOT_IP } },
	{ "raw12_ipv4", 12, f_raw4, 0, 0, { X4(0) } },
	{ "raw12_ipv6", 12, f_raw6, 0, 0, { X6(0) } },
	{ "raw14_ipv4", 14, f_raw4, 0, 0, { X4(0) } },
	{ "raw14_ipv6", 14, f_raw6, 0, 0, { X6(0) } },
	{ "raw101_ipv4", 101, f_raw4, 0, 0, { X4(0) } },
	{ "raw101_ipv6", 101, f_raw6, 0, 0, { X6(0) } },
	{ "raw101_version5", 101, f_raw_v5, 0, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_IP_VERSION) } },
	{ "raw101_empty", 101, f_empty, 0, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_TRUNC_IP) } },
	{ "ipv4_228", 228, f_raw4, 0, 0, { X4(0) } },
	{ "ipv6_229", 229, f_raw6, 0, 0, { X6(0) } },
	{ "ipv4_228_holding_ipv6", 228, f_raw6, 0, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_IP_VERSION) } },
	{ "ipv6_229_holding_ipv4", 229, f_raw4, 0, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_IP_VERSION) } },
	{ "unsupported_ppp_9", 9, f_raw4, 0, 0, { .status = DEC_UNSUPPORTED } },
	{ "unsupported_80211_105", 105, f_raw4, 0, 0, { .status = DEC_UNSUPPORTED } },
	{ "unsupported_radiotap_127", 127, f_raw4, 0, 0, { .status = DEC_UNSUPPORTED } },
	{ "unsupported_chdlc_104", 104, f_raw4, 0, 0, { .status = DEC_UNSUPPORTED } },
	{ "unsupported_negative", -1, f_raw4, 0, 0, { .status = DEC_UNSUPPORTED } },
	{ "unsupported_huge", 0x7fffffff, f_raw4, 0, 0, { .status = DEC_UNSUPPORTED } },
};

/* ---- IP and transport (LINKTYPE_RAW) ---- */

static void i_v4_options_tcp(struct buf *b)
{
	uint32_t s = ip4(b, 7, 0, 1, 0x4000, 1, 6);

	tcp(b, 80, 1024, 8, 0x12);
	fix4(b, s, AUTO);
}
static void i_v4_first_frag(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 0xbeef, 0x2000, 64, 17);

	udp(b, 5000, 6000, 1000, 24);	/* UDP length covers the whole datagram */
	fix4(b, s, AUTO);
}
static void i_v4_later_frag(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 0xbeef, 185, 64, 17);

	pfill(b, 0x11, 24);	/* would look like UDP ports 0x1111 if misread */
	fix4(b, s, AUTO);
}
static void i_v4_middle_frag(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 0xbeef, 0x2000 | 1, 64, 6);

	pfill(b, 0x11, 24);
	fix4(b, s, AUTO);
}
static void i_v4_icmp_echo(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 1);

	icmp(b, 8, 0);
	fix4(b, s, AUTO);
}
static void i_v4_icmp_unreach(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 1), q;

	icmp(b, 3, 3);
	q = b->n;			/* the quoted packet: addresses swapped, TTL 7 */
	p8(b, 0x45);
	p8(b, 0);
	p16(b, 40);
	p32(b, 0);
	p8(b, 7);
	p8(b, 17);
	p16(b, 0);
	pmem(b, DST4, 4);
	pmem(b, SRC4, 4);
	udp(b, 53, 1234, 20, 0);
	(void)q;
	fix4(b, s, AUTO);
}
static void i_v4_sctp(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 132);

	sctp(b, 36412, 38412);
	fix4(b, s, AUTO);
}
static void i_v4_dccp(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 33);

	dccp(b, 5001, 5002, 3, 0);
	fix4(b, s, AUTO);
}
static void i_v4_dccp_x(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 33);

	dccp(b, 5001, 5002, 4, 1);
	fix4(b, s, AUTO);
}
static void i_v4_dccp_bad_doff(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 33);

	dccp(b, 5001, 5002, 2, 0);
	fix4(b, s, AUTO);
}
static void i_v4_udplite(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 136);

	udp(b, 7000, 7001, 8, 8);	/* coverage: the header only */
	fix4(b, s, AUTO);
}
static void i_v4_udplite_cov0(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 136);

	udp(b, 7000, 7001, 0, 8);	/* coverage 0: the whole datagram */
	fix4(b, s, AUTO);
}
static void i_v4_udplite_bad(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 136);

	udp(b, 7000, 7001, 4, 8);
	fix4(b, s, AUTO);
}
static void i_v4_tcp_bad_doff(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 6);

	tcp(b, 1, 2, 4, 0x10);
	fix4(b, s, AUTO);
}
static void i_v4_tcp_doff_beyond_ip(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 6);

	tcp(b, 1, 2, 5, 0x10);
	b->b[s + 20 + 12] = 15 << 4;	/* 60-byte header in a 20-byte segment */
	fix4(b, s, AUTO);
}
static void i_v4_udp_len_short(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 17);

	udp(b, 1, 2, 4, 4);
	fix4(b, s, AUTO);
}
static void i_v4_udp_len_long(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 17);

	udp(b, 1, 2, 100, 4);
	fix4(b, s, AUTO);
}
static void i_v4_ihl4(struct buf *b)
{
	uint32_t s = ip4(b, 4, 0, 1, 0, 64, 17);

	pfill(b, 0, 20);	/* ip4() still wrote the 20-byte fixed header */
	udp(b, 1, 2, AUTO, 0);
	fix4(b, s, AUTO);
}
static void i_v4_ihl_beyond_totlen(struct buf *b)
{
	uint32_t s = ip4(b, 15, 0, 1, 0, 64, 17);

	fix4(b, s, 40);
}
static void i_v4_totlen_12(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 17);

	udp(b, 1, 2, AUTO, 4);
	fix4(b, s, 12);
}
static void i_v4_totlen_0_tso(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0x4000, 64, 6);

	tcp(b, 22, 50000, 5, 0x18);
	pfill(b, 'd', 100);
	fix4(b, s, 0);
}
static void i_v4_totlen_100(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 64, 17);

	udp(b, 1, 2, 12, 4);
	fix4(b, s, 100);
}
static void i_v4_6in4(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 9, 41);

	p6(b);
	fix4(b, s, AUTO);
}
static void i_v4_gre(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 9, 47);

	p16(b, 0);
	p16(b, 0x0800);
	p4(b);
	fix4(b, s, AUTO);
}
static void i_v4_ipip(struct buf *b)
{
	uint32_t s = ip4(b, 5, 0, 1, 0, 9, 4);

	p4(b);
	fix4(b, s, AUTO);
}
static void i_v6_hbh_udp(struct buf *b)
{
	uint32_t s = ip6(b, 0, 0, 1);

	opts6(b, 17, 0);
	udp(b, 546, 547, AUTO, 4);
	fix6(b, s, AUTO);
}
static void i_v6_routing_tcp(struct buf *b)
{
	uint32_t s = ip6(b, 0, 43, 64);

	routing6(b, 6, 2);
	tcp(b, 179, 40001, 5, 0x11);
	fix6(b, s, AUTO);
}
static void i_v6_frag_first(struct buf *b)
{
	uint32_t s = ip6(b, 0, 44, 64);

	frag6(b, 17, 0, 1, 0xdeadbeef);
	udp(b, 4500, 4500, 2000, 16);
	fix6(b, s, AUTO);
}
static void i_v6_frag_later(struct buf *b)
{
	uint32_t s = ip6(b, 0, 44, 64);

	frag6(b, 6, 100, 0, 0xdeadbeef);
	pfill(b, 0x11, 16);
	fix6(b, s, AUTO);
}
static void i_v6_frag_atomic(struct buf *b)
{
	uint32_t s = ip6(b, 0, 44, 64);

	frag6(b, 17, 0, 0, 7);
	udp(b, 1, 2, AUTO, 0);
	fix6(b, s, AUTO);
}
static void i_v6_dst_icmp6(struct buf *b)
{
	uint32_t s = ip6(b, 0, 60, 64);

	opts6(b, 58, 0);
	icmp(b, 128, 0);
	fix6(b, s, AUTO);
}
static void i_v6_ah_tcp(struct buf *b)
{
	uint32_t s = ip6(b, 0, 51, 64);

	ah(b, 6, 4);		/* (4 + 2) * 4 = 24 bytes */
	tcp(b, 500, 501, 5, 0x10);
	fix6(b, s, AUTO);
}
static void i_v6_chain4(struct buf *b)
{
	uint32_t s = ip6(b, 0, 0, 64);

	opts6(b, 43, 0);
	routing6(b, 44, 0);
	frag6(b, 60, 0, 1, 1);
	opts6(b, 17, 1);
	udp(b, 9, 10, 500, 0);
	fix6(b, s, AUTO);
}
static void i_v6_esp(struct buf *b)
{
	uint32_t s = ip6(b, 0, 50, 64);

	p32(b, 0x100);
	p32(b, 1);
	pfill(b, 0, 8);
	fix6(b, s, AUTO);
}
static void i_v6_nonext(struct buf *b)
{
	uint32_t s = ip6(b, 0, 59, 64);

	fix6(b, s, AUTO);
}
static void i_v6_hbh_esp(struct buf *b)
{
	uint32_t s = ip6(b, 0, 0, 64);

	opts6(b, 50, 0);
	pfill(b, 0, 16);
	fix6(b, s, AUTO);
}
static void dst_chain(struct buf *b, int n)
{
	uint32_t s = ip6(b, 0, 60, 64);
	int i;

	for (i = 0; i < n; i++)
		opts6(b, i == n - 1 ? 17 : 60, 0);
	udp(b, 1, 2, AUTO, 0);
	fix6(b, s, AUTO);
}
static void i_v6_chain_8(struct buf *b) { dst_chain(b, 8); }
static void i_v6_chain_9(struct buf *b) { dst_chain(b, 9); }
static void i_v6_ext_beyond_plen(struct buf *b)
{
	uint32_t s = ip6(b, 0, 0, 64);

	opts6(b, 17, 1);	/* 16 bytes, but the payload length says 8 */
	fix6(b, s, 8);
}
static void i_v6_icmp6_ns(struct buf *b)
{
	uint32_t s = ip6(b, 0, 58, 255);

	icmp(b, 135, 0);
	pmem(b, DST6, 16);
	fix6(b, s, AUTO);
}
static void i_v6_in_v6(struct buf *b)
{
	uint32_t s = ip6(b, 0, 41, 64);

	p6(b);
	fix6(b, s, AUTO);
}
static void i_v6_plen0_tso(struct buf *b)
{
	uint32_t s = ip6(b, 0, 6, 64);

	tcp(b, 22, 50000, 5, 0x18);
	pfill(b, 'd', 100);
	fix6(b, s, 0);
}
static void i_v6_plen0_frag(struct buf *b)
{
	uint32_t s = ip6(b, 0, 44, 64);

	frag6(b, 17, 0, 1, 5);
	udp(b, 1, 2, AUTO, 0);
	fix6(b, s, 0);
}
static void i_v6_plen0_hbh_no_jumbo(struct buf *b)
{
	uint32_t s = ip6(b, 0, 0, 64);

	opts6(b, 17, 0);
	udp(b, 1, 2, AUTO, 0);
	fix6(b, s, 0);
}
static void i_v6_jumbo(struct buf *b)	/* RFC 2675: option 0xc2, length 4, value */
{
	uint32_t s = ip6(b, 0, 0, 64);

	p8(b, 17);
	p8(b, 0);
	p8(b, 0xc2);
	p8(b, 4);
	p32(b, 70000);
	udp(b, 1, 2, 0, 0);	/* UDP length 0 in a jumbogram */
	fix6(b, s, 0);
}
static void i_v6_short_frame(struct buf *b)
{
	uint32_t s = ip6(b, 0, 17, 64);

	udp(b, 1, 2, AUTO, 12);
	fix6(b, s, 100);
}
static void i_v6_sctp(struct buf *b)
{
	uint32_t s = ip6(b, 0, 132, 64);

	sctp(b, 3868, 3868);
	fix6(b, s, AUTO);
}
static void i_v6_dccp(struct buf *b)
{
	uint32_t s = ip6(b, 0, 33, 64);

	dccp(b, 6000, 6001, 3, 0);
	fix6(b, s, AUTO);
}
static void i_v6_udplite(struct buf *b)
{
	uint32_t s = ip6(b, 0, 136, 64);

	udp(b, 8000, 8001, 12, 4);
	fix6(b, s, AUTO);
}
static void i_v6_icmp4_proto(struct buf *b)	/* protocol 1 is not ICMP inside IPv6 */
{
	uint32_t s = ip6(b, 0, 1, 64);

	icmp(b, 8, 0);
	fix6(b, s, AUTO);
}

#define V4 .status = DEC_OK, .family = 4
#define V6 .status = DEC_OK, .family = 6
#define PORTS .have = PKT_HAVE_PORTS
#define TCPH .have = PKT_HAVE_PORTS | PKT_HAVE_TCPFLAGS
#define ICMPH .have = PKT_HAVE_ICMP

static const struct row ip_rows[] = {
	{ "v4_udp", 101, f_raw4, 0, 0, { X4(0) } },
	{ "v4_options_tcp", 101, i_v4_options_tcp, 0, 0,
	  { V4, .proto = 6, .ttl = 1, .ip_len = 28 + 32, .l4 = 28, TCPH, .sport = 80,
	    .dport = 1024, .tcp_flags = 0x12, .frag_id = 1 } },
	{ "v4_first_fragment", 101, i_v4_first_frag, 0, 0,
	  { V4, .proto = 17, .ttl = 64, .ip_len = 52, .l4 = 20, PORTS, .sport = 5000,
	    .dport = 6000, .is_fragment = 1, .frag_id = 0xbeef } },
	{ "v4_last_fragment", 101, i_v4_later_frag, 0, 0,
	  { V4, .proto = 17, .ttl = 64, .ip_len = 44, .is_fragment = 1, .frag_offset = 185,
	    .frag_id = 0xbeef } },
	{ "v4_middle_fragment", 101, i_v4_middle_frag, 0, 0,
	  { V4, .proto = 6, .ttl = 64, .ip_len = 44, .is_fragment = 1, .frag_offset = 1,
	    .frag_id = 0xbeef } },
	{ "v4_icmp_echo", 101, i_v4_icmp_echo, 0, 0,
	  { V4, .proto = 1, .ttl = 64, .ip_len = 28, .l4 = 20, ICMPH, .icmp_type = 8,
	    .frag_id = 1 } },
	/* the outer fields stay the outer packet's; the quote is test_decode_icmp.c's */
	{ "v4_icmp_unreach_outer_only", 101, i_v4_icmp_unreach, 0, 0,
	  { V4, .proto = 1, .ttl = 64, .ip_len = 56, .l4 = 20,
	    .have = PKT_HAVE_ICMP | PKT_HAVE_QUOTE, .icmp_type = 3,
	    .icmp_code = 3, .frag_id = 1 } },
	{ "v4_sctp", 101, i_v4_sctp, 0, 0,
	  { V4, .proto = 132, .ttl = 64, .ip_len = 32, .l4 = 20, PORTS, .sport = 36412,
	    .dport = 38412, .frag_id = 1 } },
	{ "v4_dccp", 101, i_v4_dccp, 0, 0,
	  { V4, .proto = 33, .ttl = 64, .ip_len = 32, .l4 = 20, PORTS, .sport = 5001,
	    .dport = 5002, .frag_id = 1 } },
	{ "v4_dccp_extended_seq", 101, i_v4_dccp_x, 0, 0,
	  { V4, .proto = 33, .ttl = 64, .ip_len = 36, .l4 = 20, PORTS, .sport = 5001,
	    .dport = 5002, .frag_id = 1 } },
	{ "v4_dccp_bad_data_offset", 101, i_v4_dccp_bad_doff, 0, 0,
	  { V4, .errors = E(DERR_BAD_L4), .proto = 33, .ttl = 64, .ip_len = 32, .l4 = 20,
	    PORTS, .sport = 5001, .dport = 5002, .frag_id = 1 } },
	{ "v4_udplite", 101, i_v4_udplite, 0, 0,
	  { V4, .proto = 136, .ttl = 64, .ip_len = 36, .l4 = 20, PORTS, .sport = 7000,
	    .dport = 7001, .frag_id = 1 } },
	{ "v4_udplite_coverage_0", 101, i_v4_udplite_cov0, 0, 0,
	  { V4, .proto = 136, .ttl = 64, .ip_len = 36, .l4 = 20, PORTS, .sport = 7000,
	    .dport = 7001, .frag_id = 1 } },
	{ "v4_udplite_coverage_4", 101, i_v4_udplite_bad, 0, 0,
	  { V4, .errors = E(DERR_BAD_L4), .proto = 136, .ttl = 64, .ip_len = 36, .l4 = 20,
	    PORTS, .sport = 7000, .dport = 7001, .frag_id = 1 } },
	{ "v4_tcp_data_offset_4", 101, i_v4_tcp_bad_doff, 0, 0,
	  { V4, .errors = E(DERR_BAD_L4), .proto = 6, .ttl = 64, .ip_len = 40, .l4 = 20, TCPH,
	    .sport = 1, .dport = 2, .tcp_flags = 0x10, .frag_id = 1 } },
	{ "v4_tcp_data_offset_beyond_ip", 101, i_v4_tcp_doff_beyond_ip, 0, 0,
	  { V4, .errors = E(DERR_BAD_L4), .proto = 6, .ttl = 64, .ip_len = 40, .l4 = 20, TCPH,
	    .sport = 1, .dport = 2, .tcp_flags = 0x10, .frag_id = 1 } },
	{ "v4_udp_length_4", 101, i_v4_udp_len_short, 0, 0,
	  { V4, .errors = E(DERR_BAD_L4), .proto = 17, .ttl = 64, .ip_len = 32, .l4 = 20,
	    PORTS, .sport = 1, .dport = 2, .frag_id = 1 } },
	{ "v4_udp_length_beyond_ip", 101, i_v4_udp_len_long, 0, 0,
	  { V4, .errors = E(DERR_BAD_L4), .proto = 17, .ttl = 64, .ip_len = 32, .l4 = 20,
	    PORTS, .sport = 1, .dport = 2, .frag_id = 1 } },
	{ "v4_ihl_4", 101, i_v4_ihl4, 0, 0,
	  { V4, .errors = E(DERR_BAD_IHL), .proto = 17, .ttl = 64, .ip_len = 48,
	    .frag_id = 1 } },
	{ "v4_ihl_beyond_totlen", 101, i_v4_ihl_beyond_totlen, 0, 0,
	  { V4, .errors = E(DERR_BAD_IHL), .proto = 17, .ttl = 64, .ip_len = 40,
	    .frag_id = 1 } },
	{ "v4_totlen_12", 101, i_v4_totlen_12, 0, 0,
	  { V4, .errors = E(DERR_BAD_TOTLEN), .proto = 17, .ttl = 64, .ip_len = 12, .l4 = 20,
	    PORTS, .sport = 1, .dport = 2, .frag_id = 1 } },
	{ "v4_totlen_0_tso", 101, i_v4_totlen_0_tso, 0, 0,
	  { V4, .errors = E(DERR_BAD_TOTLEN), .proto = 6, .ttl = 64, .ip_len = 0, .l4 = 20,
	    TCPH, .sport = 22, .dport = 50000, .tcp_flags = 0x18, .frag_id = 1 } },
	{ "v4_totlen_beyond_frame", 101, i_v4_totlen_100, 0, 0,
	  { V4, .errors = E(DERR_SHORT_FRAME), .proto = 17, .ttl = 64, .ip_len = 100,
	    .l4 = 20, PORTS, .sport = 1, .dport = 2, .frag_id = 1 } },
	{ "v4_totlen_beyond_snaplen_only", 101, i_v4_totlen_100, 0, 68,
	  { V4, .proto = 17, .ttl = 64, .ip_len = 100, .l4 = 20, PORTS, .sport = 1,
	    .dport = 2, .frag_id = 1 } },
	{ "v4_6in4_outer_only", 101, i_v4_6in4, 0, 0,
	  { V4, .proto = 41, .ttl = 9, .ip_len = 80, .frag_id = 1 } },
	{ "v4_gre_outer_only", 101, i_v4_gre, 0, 0,
	  { V4, .proto = 47, .ttl = 9, .ip_len = 56, .frag_id = 1 } },
	{ "v4_ipip_outer_only", 101, i_v4_ipip, 0, 0,
	  { V4, .proto = 4, .ttl = 9, .ip_len = 52, .frag_id = 1 } },
	{ "v6_tcp", 101, f_raw6, 0, 0, { X6(0) } },
	{ "v6_hopbyhop_udp", 101, i_v6_hbh_udp, 0, 0,
	  { V6, .proto = 17, .ttl = 1, .ip_len = 60, .l4 = 48, PORTS, .sport = 546,
	    .dport = 547, .exthdrs = 1 } },
	{ "v6_routing_tcp", 101, i_v6_routing_tcp, 0, 0,
	  { V6, .proto = 6, .ttl = 64, .ip_len = 84, .l4 = 64, TCPH, .sport = 179,
	    .dport = 40001, .tcp_flags = 0x11, .exthdrs = 1 } },
	{ "v6_fragment_first", 101, i_v6_frag_first, 0, 0,
	  { V6, .proto = 17, .ttl = 64, .ip_len = 72, .l4 = 48, PORTS, .sport = 4500,
	    .dport = 4500, .exthdrs = 1, .is_fragment = 1, .frag_id = 0xdeadbeef } },
	{ "v6_fragment_later", 101, i_v6_frag_later, 0, 0,
	  { V6, .proto = 6, .ttl = 64, .ip_len = 64, .exthdrs = 1, .is_fragment = 1,
	    .frag_offset = 100, .frag_id = 0xdeadbeef } },
	{ "v6_fragment_atomic", 101, i_v6_frag_atomic, 0, 0,
	  { V6, .proto = 17, .ttl = 64, .ip_len = 56, .l4 = 48, PORTS, .sport = 1, .dport = 2,
	    .exthdrs = 1, .is_fragment = 1, .frag_id = 7 } },
	{ "v6_dstopts_icmpv6", 101, i_v6_dst_icmp6, 0, 0,
	  { V6, .proto = 58, .ttl = 64, .ip_len = 56, .l4 = 48, ICMPH, .icmp_type = 128,
	    .exthdrs = 1 } },
	{ "v6_ah_tcp", 101, i_v6_ah_tcp, 0, 0,
	  { V6, .proto = 6, .ttl = 64, .ip_len = 84, .l4 = 64, TCPH, .sport = 500,
	    .dport = 501, .tcp_flags = 0x10, .exthdrs = 1 } },
	{ "v6_hbh_rt_frag_dst_udp", 101, i_v6_chain4, 0, 0,
	  { V6, .proto = 17, .ttl = 64, .ip_len = 88, .l4 = 80, PORTS, .sport = 9, .dport = 10,
	    .exthdrs = 4, .is_fragment = 1, .frag_id = 1 } },
	{ "v6_esp", 101, i_v6_esp, 0, 0, { V6, .proto = 50, .ttl = 64, .ip_len = 56 } },
	{ "v6_no_next_header", 101, i_v6_nonext, 0, 0, { V6, .proto = 59, .ttl = 64, .ip_len = 40 } },
	{ "v6_hbh_then_esp", 101, i_v6_hbh_esp, 0, 0,
	  { V6, .proto = 50, .ttl = 64, .ip_len = 64, .exthdrs = 1 } },
	{ "v6_chain_of_8", 101, i_v6_chain_8, 0, 0,
	  { V6, .proto = 17, .ttl = 64, .ip_len = 112, .l4 = 104, PORTS, .sport = 1,
	    .dport = 2, .exthdrs = 8 } },
	{ "v6_chain_of_9", 101, i_v6_chain_9, 0, 0,
	  { V6, .errors = E(DERR_EXTHDR_LIMIT), .proto = 60, .ttl = 64, .ip_len = 120,
	    .exthdrs = 8 } },
	{ "v6_exthdr_beyond_payload_length", 101, i_v6_ext_beyond_plen, 0, 0,
	  { V6, .errors = E(DERR_BAD_TOTLEN), .proto = 0, .ttl = 64, .ip_len = 48 } },
	{ "v6_icmpv6_ns", 101, i_v6_icmp6_ns, 0, 0,
	  { V6, .proto = 58, .ttl = 255, .ip_len = 64, .l4 = 40, ICMPH, .icmp_type = 135 } },
	{ "v6_in_v6_outer_only", 101, i_v6_in_v6, 0, 0,
	  { V6, .proto = 41, .ttl = 64, .ip_len = 100 } },
	{ "v6_payload_length_0_tso", 101, i_v6_plen0_tso, 0, 0,
	  { V6, .proto = 6, .ttl = 64, .ip_len = 40, .l4 = 40, TCPH, .sport = 22,
	    .dport = 50000, .tcp_flags = 0x18 } },
	{ "v6_payload_length_0_before_fragment", 101, i_v6_plen0_frag, 0, 0,
	  { V6, .errors = E(DERR_BAD_TOTLEN), .proto = 44, .ttl = 64, .ip_len = 40 } },
	{ "v6_payload_length_0_no_jumbo_option", 101, i_v6_plen0_hbh_no_jumbo, 0, 0,
	  { V6, .errors = E(DERR_BAD_TOTLEN), .proto = 0, .ttl = 64, .ip_len = 40 } },
	{ "v6_jumbogram", 101, i_v6_jumbo, 0, 70040 - 56,
	  { V6, .proto = 17, .ttl = 64, .ip_len = 70040, .l4 = 48, PORTS, .sport = 1,
	    .dport = 2, .exthdrs = 1 } },
	{ "v6_jumbogram_short_frame", 101, i_v6_jumbo, 0, 0,
	  { V6, .errors = E(DERR_SHORT_FRAME), .proto = 17, .ttl = 64, .ip_len = 70040,
	    .l4 = 48, PORTS, .sport = 1, .dport = 2, .exthdrs = 1 } },
	{ "v6_short_frame", 101, i_v6_short_frame, 0, 0,
	  { V6, .errors = E(DERR_SHORT_FRAME), .proto = 17, .ttl = 64, .ip_len = 140, .l4 = 40,
	    PORTS, .sport = 1, .dport = 2 } },
	{ "v6_sctp", 101, i_v6_sctp, 0, 0,
	  { V6, .proto = 132, .ttl = 64, .ip_len = 52, .l4 = 40, PORTS, .sport = 3868,
	    .dport = 3868 } },
	{ "v6_dccp", 101, i_v6_dccp, 0, 0,
	  { V6, .proto = 33, .ttl = 64, .ip_len = 52, .l4 = 40, PORTS, .sport = 6000,
	    .dport = 6001 } },
	{ "v6_udplite", 101, i_v6_udplite, 0, 0,
	  { V6, .proto = 136, .ttl = 64, .ip_len = 52, .l4 = 40, PORTS, .sport = 8000,
	    .dport = 8001 } },
	{ "v6_proto_1_is_not_icmp", 101, i_v6_icmp4_proto, 0, 0,
	  { V6, .proto = 1, .ttl = 64, .ip_len = 48 } },
};

/* ---- truncation at every header boundary ---- */

/* Ethernet (14) + 802.1Q (4) + IPv4 with one option word (24) + TCP with one option
 * word (24) + 8 data bytes = 74. */
static void sweep4_frame(struct buf *b)
{
	uint32_t s;

	eth(b, 0);
	b->n -= 2;
	tag(b, 0x8100, 10);
	p16(b, 0x0800);
	s = ip4(b, 6, 0, 1, 0, 64, 6);
	tcp(b, 1000, 2000, 6, 0x02);
	pfill(b, 'z', 8);
	fix4(b, s, AUTO);
}

static void test_truncation_ipv4(void **state)
{
	struct pkt_record rec;
	struct buf b;
	uint32_t c;

	(void)state;
	memset(&b, 0, sizeof(b));
	sweep4_frame(&b);
	assert_int_equal(b.n, 74);
	for (c = 0; c <= 74; c++) {
		enum decode_status st = decode_packet(1, b.b, c, 74, 0, &rec);
		uint32_t want;

		if (c < 18)
			want = E(DERR_TRUNC_LINK);
		else if (c < 42)
			want = E(DERR_TRUNC_IP);	/* fixed header (38) or option (42) */
		else if (c < 66)
			want = E(DERR_TRUNC_L4);	/* fixed TCP (62) or its option (66) */
		else
			want = 0;
		assert_int_equal(rec.errors, want);
		assert_int_equal(st, c < 38 ? DEC_MALFORMED : DEC_OK);
		assert_int_equal(rec.family, c < 38 ? 0 : 4);
		if (c >= 38) {
			assert_memory_equal(rec.src, SRC4, 4);
			assert_memory_equal(rec.dst, DST4, 4);
			assert_int_equal(rec.proto, 6);
			assert_int_equal(rec.ip_len, 56);
		}
		assert_int_equal(!!(rec.have & PKT_HAVE_PORTS), c >= 46);
		assert_int_equal(!!(rec.have & PKT_HAVE_TCPFLAGS), c >= 56);
		if (c >= 46) {
			assert_int_equal(rec.sport, 1000);
			assert_int_equal(rec.dport, 2000);
		}
		assert_int_equal(rec.vlan_count, c >= 18 ? 1 : 0);
	}
}

/* Ethernet (14) + IPv6 (40) + hop-by-hop (8) + fragment, first, M=1 (8) + UDP (8) +
 * 4 data bytes = 82. */
static void sweep6_frame(struct buf *b)
{
	uint32_t s;

	eth(b, 0x86dd);
	s = ip6(b, 0, 0, 64);
	opts6(b, 44, 0);
	frag6(b, 17, 0, 1, 99);
	udp(b, 3000, 4000, 1400, 4);
	fix6(b, s, AUTO);
}

static void test_truncation_ipv6(void **state)
{
	struct pkt_record rec;
	struct buf b;
	uint32_t c;

	(void)state;
	memset(&b, 0, sizeof(b));
	sweep6_frame(&b);
	assert_int_equal(b.n, 82);
	for (c = 0; c <= 82; c++) {
		enum decode_status st = decode_packet(1, b.b, c, 82, 0, &rec);
		uint32_t want;

		if (c < 14)
			want = E(DERR_TRUNC_LINK);
		else if (c < 54)
			want = E(DERR_TRUNC_IP);
		else if (c < 70)
			want = E(DERR_TRUNC_EXTHDR);
		else if (c < 78)
			want = E(DERR_TRUNC_L4);
		else
			want = 0;
		assert_int_equal(rec.errors, want);
		assert_int_equal(st, c < 54 ? DEC_MALFORMED : DEC_OK);
		assert_int_equal(rec.family, c < 54 ? 0 : 6);
		if (c >= 54) {
			assert_memory_equal(rec.src, SRC6, 16);
			assert_memory_equal(rec.dst, DST6, 16);
			assert_int_equal(rec.proto, c < 62 ? 0 : c < 70 ? 44 : 17);
			assert_int_equal(rec.ipv6_exthdrs, c < 62 ? 0 : c < 70 ? 1 : 2);
			assert_int_equal(rec.is_fragment, c >= 70);
		}
		assert_int_equal(!!(rec.have & PKT_HAVE_PORTS), c >= 74);
	}
}

/* ---- NFLOG ---- */

static void tlv(struct buf *b, unsigned type, const void *v, unsigned len)
{
	p16h(b, (uint16_t)(4 + len));
	p16h(b, (uint16_t)type);
	pmem(b, v, len);
	while (b->n % 4)
		p8(b, 0);
}

static void tlv32(struct buf *b, unsigned type, uint32_t v)
{
	uint8_t be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	tlv(b, type, be, 4);
}

static void nfhdr(struct buf *b, unsigned family, unsigned version, unsigned group)
{
	p8(b, family);
	p8(b, version);
	p16(b, group);
}

static void pkthdr_tlv(struct buf *b, unsigned hwproto, unsigned hook)
{
	uint8_t v[4] = { (uint8_t)(hwproto >> 8), (uint8_t)hwproto, (uint8_t)hook, 0 };

	tlv(b, 1, v, 4);
}

static void payload_tlv(struct buf *b, void (*pl)(struct buf *))
{
	struct buf p;

	memset(&p, 0, sizeof(p));
	pl(&p);
	tlv(b, 9, p.b, p.n);
}

/* header 4 + prefix "spoof-in\0" (13, padded 16) + packet hdr (8) + mark (8) + indev,
 * outdev, physindev, physoutdev (4 x 8) + uid (8) + gid (8) + seq (8) + seq_global (8)
 * + timestamp (20) + hwtype (8, ignored) + payload TLV header (4) -> P4 at offset 132. */
static void n_full(struct buf *b, unsigned family, unsigned hook, void (*pl)(struct buf *))
{
	uint8_t ts[16] = { 0, 0, 0, 0, 0x65, 0x53, 0xf1, 0x00,	/* 1700000000 s */
			   0, 0, 0, 0, 0, 0x01, 0xe2, 0x40 };	/* 123456 us */
	uint8_t hwtype[4] = { 0, 1, 0, 0 };

	nfhdr(b, family, 0, 5);
	tlv(b, 10, "spoof-in", 9);
	pkthdr_tlv(b, family == 10 ? 0x86dd : 0x0800, hook);
	tlv32(b, 2, 0xdeadbeef);
	tlv32(b, 4, 2);
	tlv32(b, 5, 3);
	tlv32(b, 6, 4);
	tlv32(b, 7, 5);
	tlv32(b, 11, 1000);
	tlv32(b, 14, 100);
	tlv32(b, 12, 7);
	tlv32(b, 13, 9);
	tlv(b, 3, ts, 16);
	tlv(b, 15, hwtype, 2);
	payload_tlv(b, pl);
}

struct nfrow {
	const char *name;
	void (*build)(struct buf *b);
	uint32_t chop;
	struct expect x;
	uint16_t nf_have;
	int group, family, hook;
	const char *prefix;
};

static void nf_v4_pre(struct buf *b) { n_full(b, 2, 0, p4); }
static void nf_v4_in(struct buf *b) { n_full(b, 2, 1, p4); }
static void nf_v4_fwd(struct buf *b) { n_full(b, 2, 2, p4); }
static void nf_v4_out(struct buf *b) { n_full(b, 2, 3, p4); }
static void nf_v4_post(struct buf *b) { n_full(b, 2, 4, p4); }
static void nf_v6_pre(struct buf *b) { n_full(b, 10, 0, p6); }
static void nf_v4_family_v6_payload(struct buf *b) { n_full(b, 2, 0, p6); }
static void nf_minimal(struct buf *b) { nfhdr(b, 2, 0, 1); payload_tlv(b, p4); }
static void nf_no_payload(struct buf *b) { nfhdr(b, 2, 0, 1); pkthdr_tlv(b, 0x0800, 3); }
static void nf_version1(struct buf *b) { nfhdr(b, 2, 1, 1); payload_tlv(b, p4); }
static void nf_tlv_len2(struct buf *b)
{
	nfhdr(b, 2, 0, 1);
	p16h(b, 2);
	p16h(b, 10);
	payload_tlv(b, p4);
}
static void nf_tlv_past_end(struct buf *b)
{
	nfhdr(b, 2, 0, 1);
	p16h(b, 200);		/* claims 200 bytes, the frame has fewer */
	p16h(b, 10);
	pfill(b, 'a', 8);
}
static void nf_short_mark(struct buf *b)
{
	uint8_t v[2] = { 1, 2 };

	nfhdr(b, 2, 0, 1);
	tlv(b, 2, v, 2);
	payload_tlv(b, p4);
}
static void nf_long_prefix(struct buf *b)
{
	char p[100];

	memset(p, 'p', sizeof(p));
	p[99] = '\0';
	nfhdr(b, 2, 0, 1);
	tlv(b, 10, p, sizeof(p));
	payload_tlv(b, p4);
}
static void nf_unterminated_prefix(struct buf *b)
{
	nfhdr(b, 2, 0, 1);
	tlv(b, 10, "abc", 3);
	payload_tlv(b, p4);
}
static void nf_nested_flag(struct buf *b)
{
	struct buf p;

	memset(&p, 0, sizeof(p));
	p4(&p);
	nfhdr(b, 2, 0, 1);
	tlv(b, 0x8000 | 9, p.b, p.n);
}
static void nf_copy_range(struct buf *b)	/* the kernel kept 24 bytes of the packet */
{
	struct buf p;

	memset(&p, 0, sizeof(p));
	p4(&p);
	nfhdr(b, 2, 0, 1);
	tlv(b, 9, p.b, 24);
}
static void nf_stray_bytes(struct buf *b)
{
	nfhdr(b, 2, 0, 1);
	pkthdr_tlv(b, 0x0800, 0);
	p8(b, 1);
	p8(b, 2);
}

#define NF_ALL (NFL_HAVE_PREFIX | NFL_HAVE_HOOK | NFL_HAVE_INDEV | NFL_HAVE_OUTDEV | \
		NFL_HAVE_PHYSINDEV | NFL_HAVE_PHYSOUTDEV | NFL_HAVE_MARK | NFL_HAVE_UID | \
		NFL_HAVE_GID | NFL_HAVE_SEQ | NFL_HAVE_SEQ_GLOBAL | NFL_HAVE_TIMESTAMP)
#define NF4(dir_) { X4(132), .ethertype = 0x0800, .dir = (dir_) }, NF_ALL, 5, 2

static const struct nfrow nflog_rows[] = {
	{ "nflog_prerouting", nf_v4_pre, 0, NF4(DIR_IN), 0, "spoof-in" },
	{ "nflog_input", nf_v4_in, 0, NF4(DIR_IN), 1, "spoof-in" },
	{ "nflog_forward", nf_v4_fwd, 0, NF4(DIR_IN), 2, "spoof-in" },
	{ "nflog_output", nf_v4_out, 0, NF4(DIR_OUT), 3, "spoof-in" },
	{ "nflog_postrouting", nf_v4_post, 0, NF4(DIR_OUT), 4, "spoof-in" },
	{ "nflog_ipv6", nf_v6_pre, 0, { X6(132), .ethertype = 0x86dd, .dir = DIR_IN },
	  NF_ALL, 5, 10, 0, "spoof-in" },
	{ "nflog_family_disagrees_with_payload", nf_v4_family_v6_payload, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_IP_VERSION), .ethertype = 0x0800,
	    .dir = DIR_IN }, NF_ALL, 5, 2, 0, "spoof-in" },
	{ "nflog_payload_only", nf_minimal, 0, { X4(8) }, 0, 1, 2, 0, "" },
	{ "nflog_no_payload", nf_no_payload, 0,
	  { .status = DEC_NOT_IP, .ethertype = 0x0800, .dir = DIR_OUT }, NFL_HAVE_HOOK, 1, 2, 3,
	  "" },
	{ "nflog_version_1", nf_version1, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_LINK) }, 0, 1, 2, 0, "" },
	{ "nflog_tlv_length_2", nf_tlv_len2, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_LINK) }, 0, 1, 2, 0, "" },
	{ "nflog_tlv_past_frame_end", nf_tlv_past_end, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_LINK) }, 0, 1, 2, 0, "" },
	{ "nflog_mark_too_short", nf_short_mark, 0,
	  { X4(16), .errors = E(DERR_BAD_LINK) }, 0, 1, 2, 0, "" },
	{ "nflog_prefix_truncated_to_63", nf_long_prefix, 0, { X4(112) }, NFL_HAVE_PREFIX, 1,
	  2, 0, "ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp" },
	{ "nflog_prefix_without_nul", nf_unterminated_prefix, 0, { X4(16) }, NFL_HAVE_PREFIX,
	  1, 2, 0, "abc" },
	{ "nflog_type_flag_bits_masked", nf_nested_flag, 0, { X4(8) }, 0, 1, 2, 0, "" },
	{ "nflog_payload_cut_by_copy_range", nf_copy_range, 0,
	  { X4(8), .errors = E(DERR_TRUNC_L4) }, 0, 1, 2, 0, "" },
	{ "nflog_stray_bytes", nf_stray_bytes, 0,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_LINK), .ethertype = 0x0800,
	    .dir = DIR_IN }, NFL_HAVE_HOOK, 1, 2, 0, "" },
	{ "nflog_3_bytes", nf_minimal, 37, { .status = DEC_MALFORMED, .errors = E(DERR_TRUNC_LINK) },
	  0, 0, 0, 0, "" },
};

static void run_nflog_row(void **state)
{
	const struct nfrow *r = *state;
	struct pkt_record rec;
	struct buf b;
	uint32_t caplen;

	memset(&b, 0, sizeof(b));
	r->build(&b);
	caplen = b.n - r->chop;
	memset(&rec, 0x5a, sizeof(rec));
	assert_int_equal(decode_packet(239, b.b, caplen, b.n, 1, &rec), r->x.status);
	check(&r->x, &rec);
	assert_int_equal(!!(rec.have & PKT_HAVE_NFLOG), caplen >= 4);
	if (caplen < 4)
		return;
	assert_int_equal(rec.nflog.have, r->nf_have);
	assert_int_equal(rec.nflog.group, r->group);
	assert_int_equal(rec.nflog.family, r->family);
	assert_int_equal(rec.nflog.hook, r->hook);
	assert_string_equal(rec.nflog.prefix, r->prefix);
	if (r->nf_have == NF_ALL) {
		assert_int_equal(rec.nflog.mark, 0xdeadbeef);
		assert_int_equal(rec.nflog.indev, 2);
		assert_int_equal(rec.nflog.outdev, 3);
		assert_int_equal(rec.nflog.physindev, 4);
		assert_int_equal(rec.nflog.physoutdev, 5);
		assert_int_equal(rec.nflog.uid, 1000);
		assert_int_equal(rec.nflog.gid, 100);
		assert_int_equal(rec.nflog.seq, 7);
		assert_int_equal(rec.nflog.seq_global, 9);
		assert_int_equal(rec.nflog.ts_usec, 1700000000123456ull);
	}
}

/* header 4 + prefix "test\0" (9, padded 12) + packet hdr, hook 0 (8) + payload TLV
 * header (4) + P4 (32) = 60. */
static void test_truncation_nflog(void **state)
{
	struct pkt_record rec;
	struct buf b;
	uint32_t c;

	(void)state;
	memset(&b, 0, sizeof(b));
	nfhdr(&b, 2, 0, 3);
	tlv(&b, 10, "test", 5);
	pkthdr_tlv(&b, 0x0800, 0);
	payload_tlv(&b, p4);
	assert_int_equal(b.n, 60);
	for (c = 0; c <= 60; c++) {
		enum decode_status st = decode_packet(239, b.b, c, 60, 0, &rec);
		uint32_t want;

		if (c < 28)
			want = E(DERR_TRUNC_LINK);
		else if (c < 48)
			want = E(DERR_TRUNC_IP);
		else if (c < 56)
			want = E(DERR_TRUNC_L4);
		else
			want = 0;
		assert_int_equal(rec.errors, want);
		assert_int_equal(st, c < 48 ? DEC_MALFORMED : DEC_OK);
		assert_int_equal(rec.family, c < 48 ? 0 : 4);
		assert_int_equal(rec.dir, c < 24 ? DIR_UNKNOWN : DIR_IN);
		assert_int_equal(!!(rec.nflog.have & NFL_HAVE_PREFIX), c >= 13);
		assert_int_equal(!!(rec.have & PKT_HAVE_PORTS), c >= 52);
		if (c >= 48) {
			assert_memory_equal(rec.src, SRC4, 4);
			assert_int_equal(rec.l3_offset, 28);
		}
	}
}

/* ---- decode_ip, names, link type table ---- */

struct iprow {
	const char *name;
	void (*build)(struct buf *b);
	int hint;
	int wire;		/* -1: built length */
	struct expect x;
	int linktype;
};

static const struct iprow decode_ip_rows[] = {
	{ "ip_hint4_v4", f_raw4, 4, -1, { X4(0) }, 228 },
	{ "ip_hint6_v6", f_raw6, 6, -1, { X6(0) }, 229 },
	{ "ip_hint0_v4", f_raw4, 0, -1, { X4(0) }, 12 },
	{ "ip_hint0_v6", f_raw6, 0, -1, { X6(0) }, 12 },
	{ "ip_hint4_v6", f_raw6, 4, -1,
	  { .status = DEC_MALFORMED, .errors = E(DERR_BAD_IP_VERSION) }, 228 },
	{ "ip_bogus_hint_is_auto", f_raw6, 5, -1, { X6(0) }, 12 },
	{ "ip_wire_unknown", i_v4_totlen_100, 4, 0,
	  { V4, .proto = 17, .ttl = 64, .ip_len = 100, .l4 = 20, PORTS, .sport = 1,
	    .dport = 2, .frag_id = 1 }, 228 },
	{ "ip_wire_shorter_than_ip", i_v4_totlen_100, 4, 50,
	  { V4, .errors = E(DERR_SHORT_FRAME), .proto = 17, .ttl = 64, .ip_len = 100, .l4 = 20,
	    PORTS, .sport = 1, .dport = 2, .frag_id = 1 }, 228 },
};

static void run_decode_ip_row(void **state)
{
	const struct iprow *r = *state;
	struct pkt_record rec;
	struct buf b;
	uint32_t wire;

	memset(&b, 0, sizeof(b));
	r->build(&b);
	wire = r->wire < 0 ? b.n : (uint32_t)r->wire;
	memset(&rec, 0xff, sizeof(rec));
	assert_int_equal(decode_ip(b.b, b.n, wire, r->hint, 77, &rec), r->x.status);
	assert_int_equal(rec.ts_usec, 77);
	assert_int_equal(rec.linktype, r->linktype);
	check(&r->x, &rec);
}

static void test_error_names(void **state)
{
	static const char *const want[DERR_COUNT] = {
		"trunc_link", "bad_link", "trunc_ip", "bad_ip_version", "bad_ihl", "bad_totlen",
		"short_frame", "trunc_exthdr", "exthdr_limit", "trunc_l4", "bad_l4",
	};
	int i;

	(void)state;
	assert_int_equal(DERR_COUNT, 11);
	for (i = 0; i < DERR_COUNT; i++)
		assert_string_equal(decode_error_name((enum decode_error)i), want[i]);
	assert_null(decode_error_name(DERR_COUNT));
	assert_null(decode_error_name((enum decode_error)-1));
}

static void test_linktype_supported(void **state)
{
	static const struct { int lt, ok; } t[] = {
		{ 0, 1 }, { 1, 1 }, { 12, 1 }, { 14, 1 }, { 101, 1 }, { 108, 1 }, { 113, 1 },
		{ 228, 1 }, { 229, 1 }, { 239, 1 }, { 276, 1 },
		{ 9, 0 }, { 104, 0 }, { 105, 0 }, { 127, 0 }, { 2, 0 }, { -1, 0 }, { 1000, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(!!decode_linktype_supported(t[i].lt), t[i].ok);
}

/* Garbage of every length must not crash any link type (ASan catches overreads: each
 * input is a malloc'd block of exactly caplen bytes). */
static void test_no_overread(void **state)
{
	static const int lts[] = { 0, 1, 12, 14, 101, 108, 113, 228, 229, 239, 276, 9 };
	struct pkt_record rec;
	uint32_t seed = 1, len, i;
	size_t k;
	int round;

	(void)state;
	for (round = 0; round < 200; round++) {
		for (len = 0; len < 90; len++) {
			uint8_t *p = malloc(len ? len : 1);

			assert_non_null(p);
			for (i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				p[i] = (uint8_t)(seed >> 16);
			}
			if (len > 0 && round % 2)
				p[0] = (uint8_t)(round % 4 == 1 ? 0x45 : 0x60);
			for (k = 0; k < sizeof(lts) / sizeof(lts[0]); k++) {
				decode_packet(lts[k], p, len, len + (uint32_t)round, 0, &rec);
				assert_true(rec.status <= DEC_MALFORMED);
				assert_true(rec.l3_offset <= len && rec.l4_offset <= len);
				if (rec.status == DEC_OK)
					assert_true(rec.family == 4 || rec.family == 6);
			}
			free(p);
		}
	}
	assert_int_equal(decode_packet(1, NULL, 0, 0, 0, &rec), DEC_MALFORMED);
}

#define NROWS(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	static struct CMUnitTest tests[NROWS(link_rows) + NROWS(ip_rows) + NROWS(nflog_rows) +
				       NROWS(decode_ip_rows) + 6];
	size_t n = 0, i;

	for (i = 0; i < NROWS(link_rows); i++)
		tests[n++] = (struct CMUnitTest){ link_rows[i].name, run_row, NULL, NULL,
						  (void *)&link_rows[i] };
	for (i = 0; i < NROWS(ip_rows); i++)
		tests[n++] = (struct CMUnitTest){ ip_rows[i].name, run_row, NULL, NULL,
						  (void *)&ip_rows[i] };
	for (i = 0; i < NROWS(nflog_rows); i++)
		tests[n++] = (struct CMUnitTest){ nflog_rows[i].name, run_nflog_row, NULL, NULL,
						  (void *)&nflog_rows[i] };
	for (i = 0; i < NROWS(decode_ip_rows); i++)
		tests[n++] = (struct CMUnitTest){ decode_ip_rows[i].name, run_decode_ip_row, NULL,
						  NULL, (void *)&decode_ip_rows[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_truncation_ipv4);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_truncation_ipv6);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_truncation_nflog);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_error_names);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_linktype_supported);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_no_overread);
	return _cmocka_run_group_tests("decode", tests, n, NULL, NULL);
}
