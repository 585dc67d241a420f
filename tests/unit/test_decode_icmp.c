/* This file contains the unit tests of the decoding of the packet an ICMP or ICMPv6 error
 * quotes. The frames were written by a script from the RFC layouts, and every expected
 * value was read back from them with tshark 4 (icmp.type, ip.src/ip.dst, ipv6.nxt, udp
 * and tcp ports of the inner header), not from the decoder. One cmocka case per row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "sources/decode.h"

struct qrow {
	const char *name;
	const char *frame;		/* Ethernet frame */
	uint32_t len;
	int family, proto;
	uint8_t src[16], dst[16];
	int has_ports, sport, dport;
};

static const struct qrow rows[] = {
	{ "v4_port_unreach_udp",
	  "\x02\x02\x02\x02\x02\x02\x04\x04\x04\x04\x04\x04\x08\x00\x45\x00"
	  "\x00\x38\x00\x01\x00\x00\x40\x01\x8e\x84\xc6\x33\x64\x07\xc0\x00"
	  "\x02\x05\x03\x03\x60\x7b\x00\x00\x00\x00\x45\x00\x00\x20\x00\x01"
	  "\x00\x00\x40\x11\x8e\x8c\xc0\x00\x02\x05\xc6\x33\x64\x07\x9c\x40"
	  "\x00\x35\x00\x0c\x00\x00",
	  70, 4, 17,
	  { 192, 0, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	  { 198, 51, 100, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 1, 40000, 53 },
	{ "v4_time_exceeded_tcp",
	  "\x02\x02\x02\x02\x02\x02\x04\x04\x04\x04\x04\x04\x08\x00\x45\x00"
	  "\x00\x38\x00\x01\x00\x00\x40\x01\xa5\xad\x0a\x09\x09\x09\xc0\x00"
	  "\x02\x05\x0b\x00\x57\x02\x00\x00\x00\x00\x45\x00\x00\x28\x00\x01"
	  "\x00\x00\x40\x06\x7c\xc0\xc0\x00\x02\x05\xcb\x00\x71\x09\x9c\x41"
	  "\x01\xbb\x00\x00\x00\x01",
	  70, 4, 6,
	  { 192, 0, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	  { 203, 0, 113, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 1, 40001, 443 },
	{ "v6_unreach_tcp",
	  "\x02\x02\x02\x02\x02\x02\x04\x04\x04\x04\x04\x04\x86\xdd\x60\x00"
	  "\x00\x00\x00\x44\x3a\x40\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00\x07\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00\x05\x01\x04\x00\x00\x00\x00\x00\x00\x60\x00"
	  "\x00\x00\x00\x14\x06\x40\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00\x05\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00\x07\x9c\x42\x01\xbb\x00\x00\x00\x01\x00\x00"
	  "\x00\x00\x50\x02\xff\xff\x00\x00\x00\x00",
	  122, 6, 6,
	  { 32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 },
	  { 32, 1, 13, 184, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7 }, 1, 40002, 443 },
	{ "v4_quote_cut_no_ports",
	  "\x02\x02\x02\x02\x02\x02\x04\x04\x04\x04\x04\x04\x08\x00\x45\x00"
	  "\x00\x32\x00\x01\x00\x00\x40\x01\x8e\x89\xc6\x33\x64\x08\xc0\x00"
	  "\x02\x05\x03\x01\x60\xbb\x00\x00\x00\x00\x45\x00\x00\x1c\x00\x01"
	  "\x00\x00\x40\x11\x8e\x8f\xc0\x00\x02\x05\xc6\x33\x64\x08\x9c\x43",
	  64, 4, 17,
	  { 192, 0, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 },
	  { 198, 51, 100, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, 0, 0, 0 },
	{ "v6_time_exceeded_hbh_udp",
	  "\x02\x02\x02\x02\x02\x02\x04\x04\x04\x04\x04\x04\x86\xdd\x60\x00"
	  "\x00\x00\x00\x40\x3a\x40\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00\x08\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00\x05\x03\x00\x00\x00\x00\x00\x00\x00\x60\x00"
	  "\x00\x00\x00\x10\x00\x40\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00\x05\x20\x01\x0d\xb8\x00\x01\x00\x00\x00\x00"
	  "\x00\x00\x00\x00\x00\x08\x11\x00\x01\x04\x00\x00\x00\x00\x9c\x44"
	  "\x00\x35\x00\x08\x00\x00",
	  118, 6, 17,
	  { 32, 1, 13, 184, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5 },
	  { 32, 1, 13, 184, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8 }, 1, 40004, 53 },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

static void run_row(void **state)
{
	const struct qrow *x = *state;
	struct pkt_record r;

	assert_int_equal(decode_packet(1, (const uint8_t *)x->frame, x->len, x->len, 0, &r),
			 DEC_OK);
	assert_true(r.have & PKT_HAVE_ICMP);
	assert_true(r.have & PKT_HAVE_QUOTE);
	assert_int_equal(r.quote.family, x->family);
	assert_int_equal(r.quote.proto, x->proto);
	assert_memory_equal(r.quote.src, x->src, 16);
	assert_memory_equal(r.quote.dst, x->dst, 16);
	assert_int_equal(r.quote.has_ports, x->has_ports);
	assert_int_equal(r.quote.sport, x->sport);
	assert_int_equal(r.quote.dport, x->dport);
}

/* Cut anywhere, the quote is never read past the capture: with fewer than the quoted
 * fixed header's bytes there is no quote; with the header but not 4 bytes behind it,
 * no ports. */
static void test_cut(void **state)
{
	const struct qrow *x = &rows[0];	/* 14 + 20 + 8 + 20 (IPv4) + 8 (UDP) */
	struct pkt_record r;
	uint32_t len;

	(void)state;
	for (len = 14 + 28; len <= x->len; len++) {
		decode_packet(1, (const uint8_t *)x->frame, len, x->len, 0, &r);
		assert_int_equal(!!(r.have & PKT_HAVE_QUOTE), len >= 14 + 28 + 20);
		assert_int_equal(r.quote.has_ports, len >= 14 + 28 + 24);
	}
}

/* An echo request quotes nothing. */
static void test_echo_no_quote(void **state)
{
	static const uint8_t echo[] =
		"\x02\x02\x02\x02\x02\x02\x04\x04\x04\x04\x04\x04\x08\x00\x45\x00"
		"\x00\x1c\x00\x01\x00\x00\x40\x01\x00\x00\xc0\x00\x02\x05\xc6\x33"
		"\x64\x07\x08\x00\xf7\xff\x00\x00\x00\x00";
	struct pkt_record r;

	(void)state;
	assert_int_equal(decode_packet(1, echo, 42, 42, 0, &r), DEC_OK);
	assert_true(r.have & PKT_HAVE_ICMP);
	assert_false(r.have & PKT_HAVE_QUOTE);
}

int main(void)
{
	struct CMUnitTest tests[NROWS + 2];
	size_t i, n = 0;

	for (i = 0; i < NROWS; i++)
		tests[n++] = (struct CMUnitTest){ rows[i].name, run_row, NULL, NULL,
						  (void *)&rows[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_cut);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_echo_no_quote);
	return _cmocka_run_group_tests("decode_icmp", tests, n, NULL, NULL);
}
