/* This file tests the special-purpose address registry (src/addrclass.c) against a table
 * written by hand from the IANA IPv4 and IPv6 Special-Purpose Address Registries (Last
 * Updated 2025-10-09) and the RFCs of the rows spoofaudit adds. Nothing here is generated
 * from the code under test: a row missing, added or changed in either place fails. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "classify/addrclass.h"
#include "common/prefix.h"

#define T 1
#define F 0
#define NONE NULL

/* An address and the prefix of the row the lookup must return for it (NONE: no row). */
struct probe {
	const char *addr;	/* NULL: no such address (below 0.0.0.0, above all-ones) */
	const char *expect;
};

/* One registry row: its flags and subclass as the registry text gives them, three
 * addresses inside it (first, middle, last) and the two just outside it. The expected
 * row of an inside address is a more specific row where one covers it. */
struct row_case {
	const char *prefix;
	enum addr_subclass sub;
	uint8_t s, d, f, g;	/* Source, Destination, Forwardable, Globally Reachable */
	struct probe in[3];
	struct probe out[2];
};

static const struct row_case row_cases[] = {
	/* IANA IPv4 Special-Purpose Address Registry */
	{ "0.0.0.0/8", ASUB_THIS_NETWORK, T, F, F, F,
	  { { "0.0.0.0", "0.0.0.0/32" }, { "0.12.34.56", "0.0.0.0/8" }, { "0.255.255.255", "0.0.0.0/8" } },
	  { { NULL, NONE }, { "1.0.0.0", NONE } } },
	{ "0.0.0.0/32", ASUB_THIS_NETWORK, T, F, F, F,
	  { { "0.0.0.0", "0.0.0.0/32" }, { "0.0.0.0", "0.0.0.0/32" }, { "0.0.0.0", "0.0.0.0/32" } },
	  { { NULL, NONE }, { "0.0.0.1", "0.0.0.0/8" } } },
	{ "10.0.0.0/8", ASUB_PRIVATE, T, T, T, F,
	  { { "10.0.0.0", "10.0.0.0/8" }, { "10.128.7.9", "10.0.0.0/8" }, { "10.255.255.255", "10.0.0.0/8" } },
	  { { "9.255.255.255", NONE }, { "11.0.0.0", NONE } } },
	{ "100.64.0.0/10", ASUB_SHARED, T, T, T, F,
	  { { "100.64.0.0", "100.64.0.0/10" }, { "100.100.1.1", "100.64.0.0/10" }, { "100.127.255.255", "100.64.0.0/10" } },
	  { { "100.63.255.255", NONE }, { "100.128.0.0", NONE } } },
	{ "127.0.0.0/8", ASUB_LOOPBACK, F, F, F, F,
	  { { "127.0.0.0", "127.0.0.0/8" }, { "127.0.0.1", "127.0.0.0/8" }, { "127.255.255.255", "127.0.0.0/8" } },
	  { { "126.255.255.255", NONE }, { "128.0.0.0", NONE } } },
	{ "169.254.0.0/16", ASUB_LINK_LOCAL, T, T, F, F,
	  { { "169.254.0.0", "169.254.0.0/16" }, { "169.254.169.254", "169.254.0.0/16" }, { "169.254.255.255", "169.254.0.0/16" } },
	  { { "169.253.255.255", NONE }, { "169.255.0.0", NONE } } },
	{ "172.16.0.0/12", ASUB_PRIVATE, T, T, T, F,
	  { { "172.16.0.0", "172.16.0.0/12" }, { "172.20.1.2", "172.16.0.0/12" }, { "172.31.255.255", "172.16.0.0/12" } },
	  { { "172.15.255.255", NONE }, { "172.32.0.0", NONE } } },
	{ "192.0.0.0/24", ASUB_IETF_PROTOCOL, F, F, F, F,
	  { { "192.0.0.0", "192.0.0.0/29" }, { "192.0.0.100", "192.0.0.0/24" }, { "192.0.0.255", "192.0.0.0/24" } },
	  { { "191.255.255.255", NONE }, { "192.0.1.0", NONE } } },
	{ "192.0.0.0/29", ASUB_IETF_PROTOCOL, T, T, T, F,
	  { { "192.0.0.0", "192.0.0.0/29" }, { "192.0.0.2", "192.0.0.0/29" }, { "192.0.0.7", "192.0.0.0/29" } },
	  { { "191.255.255.255", NONE }, { "192.0.0.8", "192.0.0.8/32" } } },
	{ "192.0.0.8/32", ASUB_IETF_PROTOCOL, T, F, F, F,
	  { { "192.0.0.8", "192.0.0.8/32" }, { "192.0.0.8", "192.0.0.8/32" }, { "192.0.0.8", "192.0.0.8/32" } },
	  { { "192.0.0.7", "192.0.0.0/29" }, { "192.0.0.9", "192.0.0.9/32" } } },
	{ "192.0.0.9/32", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "192.0.0.9", "192.0.0.9/32" }, { "192.0.0.9", "192.0.0.9/32" }, { "192.0.0.9", "192.0.0.9/32" } },
	  { { "192.0.0.8", "192.0.0.8/32" }, { "192.0.0.10", "192.0.0.10/32" } } },
	{ "192.0.0.10/32", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "192.0.0.10", "192.0.0.10/32" }, { "192.0.0.10", "192.0.0.10/32" }, { "192.0.0.10", "192.0.0.10/32" } },
	  { { "192.0.0.9", "192.0.0.9/32" }, { "192.0.0.11", "192.0.0.0/24" } } },
	{ "192.0.0.170/32", ASUB_IETF_PROTOCOL, F, F, F, F,
	  { { "192.0.0.170", "192.0.0.170/32" }, { "192.0.0.170", "192.0.0.170/32" }, { "192.0.0.170", "192.0.0.170/32" } },
	  { { "192.0.0.169", "192.0.0.0/24" }, { "192.0.0.171", "192.0.0.171/32" } } },
	{ "192.0.0.171/32", ASUB_IETF_PROTOCOL, F, F, F, F,
	  { { "192.0.0.171", "192.0.0.171/32" }, { "192.0.0.171", "192.0.0.171/32" }, { "192.0.0.171", "192.0.0.171/32" } },
	  { { "192.0.0.170", "192.0.0.170/32" }, { "192.0.0.172", "192.0.0.0/24" } } },
	{ "192.0.2.0/24", ASUB_DOCUMENTATION, F, F, F, F,
	  { { "192.0.2.0", "192.0.2.0/24" }, { "192.0.2.123", "192.0.2.0/24" }, { "192.0.2.255", "192.0.2.0/24" } },
	  { { "192.0.1.255", NONE }, { "192.0.3.0", NONE } } },
	{ "192.31.196.0/24", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "192.31.196.0", "192.31.196.0/24" }, { "192.31.196.1", "192.31.196.0/24" }, { "192.31.196.255", "192.31.196.0/24" } },
	  { { "192.31.195.255", NONE }, { "192.31.197.0", NONE } } },
	{ "192.52.193.0/24", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "192.52.193.0", "192.52.193.0/24" }, { "192.52.193.1", "192.52.193.0/24" }, { "192.52.193.255", "192.52.193.0/24" } },
	  { { "192.52.192.255", NONE }, { "192.52.194.0", NONE } } },
	/* Terminated 2015-03, booleans empty in the registry: stored all False. */
	{ "192.88.99.0/24", ASUB_RESERVED, F, F, F, F,
	  { { "192.88.99.0", "192.88.99.0/24" }, { "192.88.99.1", "192.88.99.0/24" }, { "192.88.99.255", "192.88.99.0/24" } },
	  { { "192.88.98.255", NONE }, { "192.88.100.0", NONE } } },
	{ "192.88.99.2/32", ASUB_IETF_PROTOCOL, T, T, T, F,
	  { { "192.88.99.2", "192.88.99.2/32" }, { "192.88.99.2", "192.88.99.2/32" }, { "192.88.99.2", "192.88.99.2/32" } },
	  { { "192.88.99.1", "192.88.99.0/24" }, { "192.88.99.3", "192.88.99.0/24" } } },
	{ "192.168.0.0/16", ASUB_PRIVATE, T, T, T, F,
	  { { "192.168.0.0", "192.168.0.0/16" }, { "192.168.1.1", "192.168.0.0/16" }, { "192.168.255.255", "192.168.0.0/16" } },
	  { { "192.167.255.255", NONE }, { "192.169.0.0", NONE } } },
	{ "192.175.48.0/24", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "192.175.48.0", "192.175.48.0/24" }, { "192.175.48.6", "192.175.48.0/24" }, { "192.175.48.255", "192.175.48.0/24" } },
	  { { "192.175.47.255", NONE }, { "192.175.49.0", NONE } } },
	{ "198.18.0.0/15", ASUB_BENCHMARKING, T, T, T, F,
	  { { "198.18.0.0", "198.18.0.0/15" }, { "198.18.200.1", "198.18.0.0/15" }, { "198.19.255.255", "198.18.0.0/15" } },
	  { { "198.17.255.255", NONE }, { "198.20.0.0", NONE } } },
	{ "198.51.100.0/24", ASUB_DOCUMENTATION, F, F, F, F,
	  { { "198.51.100.0", "198.51.100.0/24" }, { "198.51.100.77", "198.51.100.0/24" }, { "198.51.100.255", "198.51.100.0/24" } },
	  { { "198.51.99.255", NONE }, { "198.51.101.0", NONE } } },
	{ "203.0.113.0/24", ASUB_DOCUMENTATION, F, F, F, F,
	  { { "203.0.113.0", "203.0.113.0/24" }, { "203.0.113.9", "203.0.113.0/24" }, { "203.0.113.255", "203.0.113.0/24" } },
	  { { "203.0.112.255", NONE }, { "203.0.114.0", NONE } } },
	/* Not in the special-purpose registry: RFC 5771 / RFC 1112, never a source. */
	{ "224.0.0.0/4", ASUB_MULTICAST, F, T, T, F,
	  { { "224.0.0.0", "224.0.0.0/4" }, { "232.1.2.3", "224.0.0.0/4" }, { "239.255.255.255", "224.0.0.0/4" } },
	  { { "223.255.255.255", NONE }, { "240.0.0.0", "240.0.0.0/4" } } },
	{ "240.0.0.0/4", ASUB_RESERVED, F, F, F, F,
	  { { "240.0.0.0", "240.0.0.0/4" }, { "250.1.2.3", "240.0.0.0/4" }, { "255.255.255.255", "255.255.255.255/32" } },
	  { { "239.255.255.255", "224.0.0.0/4" }, { NULL, NONE } } },
	{ "255.255.255.255/32", ASUB_LIMITED_BROADCAST, F, T, F, F,
	  { { "255.255.255.255", "255.255.255.255/32" }, { "255.255.255.255", "255.255.255.255/32" }, { "255.255.255.255", "255.255.255.255/32" } },
	  { { "255.255.255.254", "240.0.0.0/4" }, { NULL, NONE } } },

	/* IANA IPv6 Special-Purpose Address Registry (and spoofaudit's additions) */
	/* RFC 4291 section 2.5.5.1, deprecated IPv4-compatible: not in the registry. */
	{ "::/96", ASUB_IPV4_COMPAT, F, F, F, F,
	  { { "::", "::/128" }, { "::1.2.3.4", "::/96" }, { "::255.255.255.255", "::/96" } },
	  { { NULL, NONE }, { "::1:0:0", NONE } } },
	{ "::/128", ASUB_THIS_NETWORK, T, F, F, F,
	  { { "::", "::/128" }, { "::", "::/128" }, { "::", "::/128" } },
	  { { NULL, NONE }, { "::1", "::1/128" } } },
	{ "::1/128", ASUB_LOOPBACK, F, F, F, F,
	  { { "::1", "::1/128" }, { "::1", "::1/128" }, { "::1", "::1/128" } },
	  { { "::", "::/128" }, { "::2", "::/96" } } },
	{ "::ffff:0:0/96", ASUB_IPV4_MAPPED, F, F, F, F,
	  { { "::ffff:0.0.0.0", "::ffff:0:0/96" }, { "::ffff:8.8.8.8", "::ffff:0:0/96" }, { "::ffff:255.255.255.255", "::ffff:0:0/96" } },
	  { { "::fffe:ffff:ffff", NONE }, { "::1:0:0:0", NONE } } },
	/* spoofaudit: RFC 4291 section 2.5.5.2 of 127/8, flags of its parent. */
	{ "::ffff:127.0.0.0/104", ASUB_IPV4_MAPPED_LOOPBACK, F, F, F, F,
	  { { "::ffff:127.0.0.0", "::ffff:127.0.0.0/104" }, { "::ffff:127.0.0.1", "::ffff:127.0.0.0/104" }, { "::ffff:127.255.255.255", "::ffff:127.0.0.0/104" } },
	  { { "::ffff:126.255.255.255", "::ffff:0:0/96" }, { "::ffff:128.0.0.0", "::ffff:0:0/96" } } },
	{ "64:ff9b::/96", ASUB_TRANSLATION, T, T, T, T,
	  { { "64:ff9b::", "64:ff9b::/96" }, { "64:ff9b::8.8.8.8", "64:ff9b::/96" }, { "64:ff9b::ffff:ffff", "64:ff9b::/96" } },
	  { { "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "64:ff9b::1:0:0", NONE } } },
	{ "64:ff9b:1::/48", ASUB_TRANSLATION, T, T, T, F,
	  { { "64:ff9b:1::", "64:ff9b:1::/48" }, { "64:ff9b:1:abcd::1", "64:ff9b:1::/48" }, { "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", "64:ff9b:1::/48" } },
	  { { "64:ff9b:0:ffff:ffff:ffff:ffff:ffff", NONE }, { "64:ff9b:2::", NONE } } },
	{ "100::/64", ASUB_DISCARD, T, T, T, F,
	  { { "100::", "100::/64" }, { "100::dead:beef", "100::/64" }, { "100::ffff:ffff:ffff:ffff", "100::/64" } },
	  { { "ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "100:0:0:1::", "100:0:0:1::/64" } } },
	{ "100:0:0:1::/64", ASUB_IETF_PROTOCOL, T, F, F, F,
	  { { "100:0:0:1::", "100:0:0:1::/64" }, { "100:0:0:1::1", "100:0:0:1::/64" }, { "100:0:0:1:ffff:ffff:ffff:ffff", "100:0:0:1::/64" } },
	  { { "100::ffff:ffff:ffff:ffff", "100::/64" }, { "100:0:0:2::", NONE } } },
	{ "2001::/23", ASUB_IETF_PROTOCOL, F, F, F, F,
	  { { "2001::", "2001::/32" }, { "2001:100::1", "2001::/23" }, { "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/23" } },
	  { { "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "2001:200::", NONE } } },
	/* Globally Reachable "N/A [2]": stored True. */
	{ "2001::/32", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2001::", "2001::/32" }, { "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::/32" }, { "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/32" } },
	  { { "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "2001:1::", "2001::/23" } } },
	{ "2001:1::1/128", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2001:1::1", "2001:1::1/128" }, { "2001:1::1", "2001:1::1/128" }, { "2001:1::1", "2001:1::1/128" } },
	  { { "2001:1::", "2001::/23" }, { "2001:1::2", "2001:1::2/128" } } },
	{ "2001:1::2/128", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2001:1::2", "2001:1::2/128" }, { "2001:1::2", "2001:1::2/128" }, { "2001:1::2", "2001:1::2/128" } },
	  { { "2001:1::1", "2001:1::1/128" }, { "2001:1::3", "2001:1::3/128" } } },
	{ "2001:1::3/128", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2001:1::3", "2001:1::3/128" }, { "2001:1::3", "2001:1::3/128" }, { "2001:1::3", "2001:1::3/128" } },
	  { { "2001:1::2", "2001:1::2/128" }, { "2001:1::4", "2001::/23" } } },
	{ "2001:2::/48", ASUB_BENCHMARKING, T, T, T, F,
	  { { "2001:2::", "2001:2::/48" }, { "2001:2:0:1234::1", "2001:2::/48" }, { "2001:2:0:ffff:ffff:ffff:ffff:ffff", "2001:2::/48" } },
	  { { "2001:1:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/23" }, { "2001:2:1::", "2001::/23" } } },
	{ "2001:3::/32", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2001:3::", "2001:3::/32" }, { "2001:3:1::1", "2001:3::/32" }, { "2001:3:ffff:ffff:ffff:ffff:ffff:ffff", "2001:3::/32" } },
	  { { "2001:2:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/23" }, { "2001:4::", "2001::/23" } } },
	{ "2001:4:112::/48", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2001:4:112::", "2001:4:112::/48" }, { "2001:4:112::1", "2001:4:112::/48" }, { "2001:4:112:ffff:ffff:ffff:ffff:ffff", "2001:4:112::/48" } },
	  { { "2001:4:111:ffff:ffff:ffff:ffff:ffff", "2001::/23" }, { "2001:4:113::", "2001::/23" } } },
	/* Terminated 2014-03, booleans empty in the registry: stored all False. */
	{ "2001:10::/28", ASUB_RESERVED, F, F, F, F,
	  { { "2001:10::", "2001:10::/28" }, { "2001:15::1", "2001:10::/28" }, { "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:10::/28" } },
	  { { "2001:f:ffff:ffff:ffff:ffff:ffff:ffff", "2001::/23" }, { "2001:20::", "2001:20::/28" } } },
	{ "2001:20::/28", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2001:20::", "2001:20::/28" }, { "2001:2a::1", "2001:20::/28" }, { "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:20::/28" } },
	  { { "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:10::/28" }, { "2001:30::", "2001:30::/28" } } },
	{ "2001:30::/28", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2001:30::", "2001:30::/28" }, { "2001:3a::1", "2001:30::/28" }, { "2001:3f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:30::/28" } },
	  { { "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", "2001:20::/28" }, { "2001:40::", "2001::/23" } } },
	{ "2001:db8::/32", ASUB_DOCUMENTATION, F, F, F, F,
	  { { "2001:db8::", "2001:db8::/32" }, { "2001:db8:85a3::8a2e:370:7334", "2001:db8::/32" }, { "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::/32" } },
	  { { "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "2001:db9::", NONE } } },
	/* Globally Reachable "N/A [3]": stored True. */
	{ "2002::/16", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2002::", "2002::/16" }, { "2002:c000:204::1", "2002::/16" }, { "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2002::/16" } },
	  { { "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "2003::", NONE } } },
	{ "2620:4f:8000::/48", ASUB_IETF_PROTOCOL, T, T, T, T,
	  { { "2620:4f:8000::", "2620:4f:8000::/48" }, { "2620:4f:8000::42", "2620:4f:8000::/48" }, { "2620:4f:8000:ffff:ffff:ffff:ffff:ffff", "2620:4f:8000::/48" } },
	  { { "2620:4f:7fff:ffff:ffff:ffff:ffff:ffff", NONE }, { "2620:4f:8001::", NONE } } },
	{ "3fff::/20", ASUB_DOCUMENTATION, F, F, F, F,
	  { { "3fff::", "3fff::/20" }, { "3fff:abc::1", "3fff::/20" }, { "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", "3fff::/20" } },
	  { { "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "3fff:1000::", NONE } } },
	{ "5f00::/16", ASUB_IETF_PROTOCOL, T, T, T, F,
	  { { "5f00::", "5f00::/16" }, { "5f00:1:2::3", "5f00::/16" }, { "5f00:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "5f00::/16" } },
	  { { "5eff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "5f01::", NONE } } },
	{ "fc00::/7", ASUB_ULA, T, T, T, F,
	  { { "fc00::", "fc00::/7" }, { "fd12:3456:789a::1", "fc00::/7" }, { "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fc00::/7" } },
	  { { "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "fe00::", NONE } } },
	{ "fe80::/10", ASUB_LINK_LOCAL, T, T, F, F,
	  { { "fe80::", "fe80::/10" }, { "fe80::1", "fe80::/10" }, { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::/10" } },
	  { { "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NONE }, { "fec0::", "fec0::/10" } } },
	/* spoofaudit: RFC 3879, deprecated site-local, treated like a ULA. */
	{ "fec0::/10", ASUB_SITE_LOCAL, T, T, T, F,
	  { { "fec0::", "fec0::/10" }, { "fec0::1", "fec0::/10" }, { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::/10" } },
	  { { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fe80::/10" }, { "ff00::", "ff00::/8" } } },
	/* spoofaudit: RFC 4291 section 2.7, never a source. */
	{ "ff00::/8", ASUB_MULTICAST, F, T, T, F,
	  { { "ff00::", "ff00::/8" }, { "ff02::1", "ff00::/8" }, { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ff00::/8" } },
	  { { "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fec0::/10" }, { NULL, NONE } } },
};

#define N_ROW_CASES (sizeof(row_cases) / sizeof(row_cases[0]))

/* Ordinary global unicast addresses: no row. */
static const char *const global_cases[] = {
	"1.1.1.1", "8.8.8.8", "9.9.9.9", "11.0.0.1", "99.255.255.255", "126.0.0.1",
	"128.0.0.1", "172.32.0.1", "191.255.255.255", "193.0.0.1", "199.0.0.1",
	"223.255.255.255",
	"2a00:1450::1", "2a00:1450:4001:82a::200e", "2001:4860:4860::8888",
	"2606:4700:4700::1111", "2400:cb00::1", "2c0f:fb50:4003::1", "2001:200::1",
	"2001:db9::1", "2003::1", "3ffe::1", "4000::1", "1::1",
};

#define N_GLOBAL_CASES (sizeof(global_cases) / sizeof(global_cases[0]))

static const struct subclass_case {
	enum addr_subclass sub;
	const char *name;
} subclass_cases[] = {
	{ ASUB_NONE, "none" },
	{ ASUB_LOOPBACK, "loopback" },
	{ ASUB_IPV4_MAPPED_LOOPBACK, "ipv4_mapped_loopback" },
	{ ASUB_THIS_NETWORK, "this_network" },
	{ ASUB_PRIVATE, "private" },
	{ ASUB_SHARED, "shared" },
	{ ASUB_LINK_LOCAL, "link_local" },
	{ ASUB_DOCUMENTATION, "documentation" },
	{ ASUB_BENCHMARKING, "benchmarking" },
	{ ASUB_RESERVED, "reserved" },
	{ ASUB_IETF_PROTOCOL, "ietf_protocol" },
	{ ASUB_MULTICAST, "multicast" },
	{ ASUB_LIMITED_BROADCAST, "limited_broadcast" },
	{ ASUB_ULA, "ula" },
	{ ASUB_IPV4_MAPPED, "ipv4_mapped" },
	{ ASUB_IPV4_COMPAT, "ipv4_compat" },
	{ ASUB_DISCARD, "discard" },
	{ ASUB_TRANSLATION, "translation" },
	{ ASUB_SITE_LOCAL, "site_local" },
	{ ASUB_BS_SYN_ACK, "syn_ack" },
	{ ASUB_BS_RST, "rst" },
	{ ASUB_BS_ICMP_ERROR, "icmp_error" },
	{ ASUB_HOP_COUNT, "hop_count" },
	{ ASUB_FLOOD, "flood" },
};

#define N_SUBCLASS_CASES (sizeof(subclass_cases) / sizeof(subclass_cases[0]))

/* addrclass_is_loopback / addrclass_is_multicast on their edges. */
static const struct pred_case {
	const char *addr;
	int loopback, multicast;
} pred_cases[] = {
	{ "127.0.0.0", 1, 0 }, { "127.0.0.1", 1, 0 }, { "127.255.255.255", 1, 0 },
	{ "126.255.255.255", 0, 0 }, { "128.0.0.0", 0, 0 }, { "0.0.0.0", 0, 0 },
	{ "223.255.255.255", 0, 0 }, { "224.0.0.0", 0, 1 }, { "239.255.255.255", 0, 1 },
	{ "240.0.0.0", 0, 0 }, { "255.255.255.255", 0, 0 },
	{ "::1", 1, 0 }, { "::", 0, 0 }, { "::2", 0, 0 }, { "::1:0:0:1", 0, 0 },
	{ "1::1", 0, 0 }, { "::127.0.0.1", 0, 0 }, { "::ffff:127.0.0.1", 1, 0 },
	{ "::ffff:127.255.255.255", 1, 0 }, { "::ffff:126.255.255.255", 0, 0 },
	{ "::ffff:128.0.0.0", 0, 0 }, { "::fffe:7f00:1", 0, 0 }, { "1::ffff:127.0.0.1", 0, 0 },
	{ "ff00::", 0, 1 }, { "ff02::1", 0, 1 }, { "feff:ffff::1", 0, 0 }, { "fe80::1", 0, 0 },
};

#define N_PRED_CASES (sizeof(pred_cases) / sizeof(pred_cases[0]))

/* Parses a prefix or bare address; fails the test if it does not parse. */
static struct prefix parse(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, 0, &p) != 0)
		fail_msg("test table: cannot parse `%s'", s);
	return p;
}

/* The table row equal to prefix text s, or NULL. */
static const struct addrclass_row *find_row(const char *s)
{
	struct prefix p = parse(s);
	const struct addrclass_row *t;
	unsigned n, i;

	t = addrclass_table(&n);
	for (i = 0; i < n; i++)
		if (t[i].family == p.family && t[i].plen == p.plen &&
		    memcmp(t[i].addr, p.addr, 16) == 0)
			return &t[i];
	return NULL;
}

static void check_probe(const struct probe *pr)
{
	const struct addrclass_row *got, *want;
	struct prefix a;
	char buf[PREFIX_STRLEN];

	if (!pr->addr)
		return;
	a = parse(pr->addr);
	got = addrclass_lookup(a.family, a.addr);
	want = pr->expect ? find_row(pr->expect) : NULL;
	if (pr->expect && !want)
		fail_msg("%s: expected row %s is not in the table", pr->addr, pr->expect);
	if (got != want) {
		struct prefix g;

		if (got)
			prefix_set(&g, got->family, got->addr, got->plen);
		fail_msg("%s: lookup gave %s, expected %s", pr->addr,
			 got ? prefix_format(&g, buf, sizeof(buf)) : "no row",
			 pr->expect ? pr->expect : "no row");
	}
}

static void test_row(void **state)
{
	const struct row_case *c = *state;
	const struct addrclass_row *r = find_row(c->prefix);
	unsigned i;

	if (!r)
		fail_msg("row %s is missing from the table", c->prefix);
	assert_int_equal(r->subclass, c->sub);
	assert_int_equal(r->source_valid, c->s);
	assert_int_equal(r->destination_valid, c->d);
	assert_int_equal(r->forwardable, c->f);
	assert_int_equal(r->globally_reachable, c->g);
	assert_non_null(r->name);
	assert_non_null(r->rfc);
	assert_true(strncmp(r->rfc, "RFC ", 4) == 0);
	for (i = 0; i < 3; i++)
		check_probe(&c->in[i]);
	for (i = 0; i < 2; i++)
		check_probe(&c->out[i]);
}

static void test_global(void **state)
{
	const char *s = *state;
	struct prefix a = parse(s);

	assert_null(addrclass_lookup(a.family, a.addr));
	assert_false(addrclass_is_loopback(a.family, a.addr));
	assert_false(addrclass_is_multicast(a.family, a.addr));
}

static void test_subclass_name(void **state)
{
	const struct subclass_case *c = *state;

	assert_non_null(addrclass_subclass_name(c->sub));
	assert_string_equal(addrclass_subclass_name(c->sub), c->name);
}

static void test_predicate(void **state)
{
	const struct pred_case *c = *state;
	struct prefix a = parse(c->addr);
	const struct addrclass_row *r = addrclass_lookup(a.family, a.addr);
	enum addr_subclass sub = r ? r->subclass : ASUB_NONE;

	assert_int_equal(!!addrclass_is_loopback(a.family, a.addr), c->loopback);
	assert_int_equal(!!addrclass_is_multicast(a.family, a.addr), c->multicast);
	/* The predicates agree with the table. */
	assert_int_equal(c->loopback,
			 sub == ASUB_LOOPBACK || sub == ASUB_IPV4_MAPPED_LOOPBACK);
	assert_int_equal(c->multicast, sub == ASUB_MULTICAST);
}

/* Every table row has a hand-written case, and no two cases name the same row. */
static void test_table_complete(void **state)
{
	const struct addrclass_row *t;
	unsigned n, i, j;

	(void)state;
	t = addrclass_table(&n);
	assert_non_null(t);
	assert_int_equal(n, N_ROW_CASES);
	for (i = 0; i < N_ROW_CASES; i++) {
		assert_non_null(find_row(row_cases[i].prefix));
		for (j = i + 1; j < N_ROW_CASES; j++)
			assert_true(find_row(row_cases[i].prefix) != find_row(row_cases[j].prefix));
	}
	assert_non_null(addrclass_table(NULL));
}

static int cmp_start(const struct addrclass_row *a, const struct addrclass_row *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, 16);
}

/* The order the lookup relies on, and well-formed rows. */
static void test_table_invariant(void **state)
{
	const struct addrclass_row *t;
	unsigned n, i;

	(void)state;
	t = addrclass_table(&n);
	for (i = 0; i < n; i++) {
		struct prefix p;

		assert_true(t[i].family == 4 || t[i].family == 6);
		assert_true(t[i].plen <= (t[i].family == 4 ? 32 : 128));
		/* Host bits zero, and nothing past an IPv4 address. */
		prefix_set(&p, t[i].family, t[i].addr, t[i].plen);
		assert_memory_equal(p.addr, t[i].addr, 16);
		assert_true(t[i].subclass > ASUB_NONE && t[i].subclass < ASUB_COUNT);
		assert_true(t[i].source_valid <= 1 && t[i].destination_valid <= 1);
		assert_true(t[i].forwardable <= 1 && t[i].globally_reachable <= 1);
		if (i > 0) {
			int c = cmp_start(&t[i - 1], &t[i]);

			assert_true(c < 0 || (c == 0 && t[i - 1].plen < t[i].plen));
		}
	}
}

static void test_registry_date(void **state)
{
	const char *d = addrclass_registry_date;
	unsigned i;

	(void)state;
	assert_string_equal(d, "2025-10-09");
	assert_int_equal(strlen(d), 10);
	for (i = 0; i < 10; i++)
		assert_true(i == 4 || i == 7 ? d[i] == '-' : (d[i] >= '0' && d[i] <= '9'));
}

static void test_bad_input(void **state)
{
	static const uint8_t zero[16];

	(void)state;
	assert_null(addrclass_lookup(0, zero));
	assert_null(addrclass_lookup(5, zero));
	assert_false(addrclass_is_loopback(0, zero));
	assert_false(addrclass_is_multicast(0, zero));
	assert_null(addrclass_subclass_name(ASUB_COUNT));
	assert_null(addrclass_subclass_name((enum addr_subclass)-1));
	/* Subclass names are distinct: they are keys in the database. */
	for (unsigned i = 0; i < ASUB_COUNT; i++)
		for (unsigned j = i + 1; j < ASUB_COUNT; j++)
			assert_string_not_equal(addrclass_subclass_name((enum addr_subclass)i),
						addrclass_subclass_name((enum addr_subclass)j));
}

/* addr_format() writes IPv4 addresses as inet_ntop() does (the oracle), every octet
 * value in every position, and fails alike ("?") for a buffer too short. */
static void test_addr_format_v4(void **state)
{
	uint8_t a[16] = { 0 };
	char got[ADDR_STRLEN], want[ADDR_STRLEN];
	unsigned pos, v;
	size_t len;

	(void)state;
	for (pos = 0; pos < 4; pos++)
		for (v = 0; v < 256; v++) {
			memset(a, 0, sizeof(a));
			a[pos] = (uint8_t)v;
			a[(pos + 1) % 4] = (uint8_t)(255 - v);
			assert_non_null(inet_ntop(AF_INET, a, want, sizeof(want)));
			assert_string_equal(addr_format(4, a, got, sizeof(got)), want);
		}
	memset(a, 255, 4);
	for (len = 2; len <= 16; len++) {
		assert_string_equal(addr_format(4, a, got, len), len == 16 ? "255.255.255.255" : "?");
		a[0] = 1;
		assert_string_equal(addr_format(4, a, got, len), len >= 14 ? "1.255.255.255" : "?");
		a[0] = 255;
	}
}

int main(void)
{
	struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_table_invariant),
		cmocka_unit_test(test_registry_date),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_addr_format_v4),
	};
	struct CMUnitTest rows[N_ROW_CASES], globals[N_GLOBAL_CASES];
	struct CMUnitTest names[N_SUBCLASS_CASES], preds[N_PRED_CASES];
	size_t i;
	int failed = 0;

	/* One cmocka case per table row, named by the row. */
	for (i = 0; i < N_ROW_CASES; i++)
		rows[i] = (struct CMUnitTest){ row_cases[i].prefix, test_row, NULL, NULL,
					       (void *)&row_cases[i] };
	for (i = 0; i < N_GLOBAL_CASES; i++)
		globals[i] = (struct CMUnitTest){ global_cases[i], test_global, NULL, NULL,
						  (void *)global_cases[i] };
	for (i = 0; i < N_SUBCLASS_CASES; i++)
		names[i] = (struct CMUnitTest){ subclass_cases[i].name, test_subclass_name,
						NULL, NULL, (void *)&subclass_cases[i] };
	for (i = 0; i < N_PRED_CASES; i++)
		preds[i] = (struct CMUnitTest){ pred_cases[i].addr, test_predicate, NULL, NULL,
						(void *)&pred_cases[i] };
	failed += cmocka_run_group_tests_name("addrclass_table", fixed, NULL, NULL);
	failed += cmocka_run_group_tests_name("addrclass_rows", rows, NULL, NULL);
	failed += cmocka_run_group_tests_name("addrclass_global", globals, NULL, NULL);
	failed += cmocka_run_group_tests_name("addrclass_subclass_names", names, NULL, NULL);
	failed += cmocka_run_group_tests_name("addrclass_predicates", preds, NULL, NULL);
	return failed ? 1 : 0;
}
