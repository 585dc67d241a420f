/* This file contains the special-purpose address registry: the IANA IPv4 and IPv6
 * Special-Purpose Address Registries as one table of data, the few extra prefixes the
 * classifier needs, and a longest-prefix lookup cheap enough to run on every packet. */
#include "classify/addrclass.h"

#include <stddef.h>

/* The registries this table follows, as their pages give "Last Updated". */
const char addrclass_registry_date[] = "2025-10-09";

#define V4(a, b, c, d) { (a), (b), (c), (d) }
#define V6(a0, a1, a2, a3, a4, a5, a6, a7) {				\
	(uint8_t)((a0) >> 8), (uint8_t)(a0), (uint8_t)((a1) >> 8), (uint8_t)(a1),	\
	(uint8_t)((a2) >> 8), (uint8_t)(a2), (uint8_t)((a3) >> 8), (uint8_t)(a3),	\
	(uint8_t)((a4) >> 8), (uint8_t)(a4), (uint8_t)((a5) >> 8), (uint8_t)(a5),	\
	(uint8_t)((a6) >> 8), (uint8_t)(a6), (uint8_t)((a7) >> 8), (uint8_t)(a7) }

/* Column order after the prefix: subclass, Source, Destination, Forwardable, Globally
 * Reachable. T/F keep the rows readable against the registry text. */
#define T 1
#define F 0
#define ROW(fam, addr, plen, sub, s, d, f, g, name, rfc) \
	{ (fam), (plen), addr, (sub), (s), (d), (f), (g), (name), (rfc) }

/*
 * The registry.
 *
 * Follows the IANA IPv4 Special-Purpose Address Registry and the IANA IPv6
 * Special-Purpose Address Registry, both "Last Updated 2025-10-09" (RFC 6890 as updated
 * by RFC 8190; rows added since by RFC 6751, 7050/8880, 7335, 7343, 7450, 7526, 7534,
 * 7535, 7600, 7723, 8155, 8215, 9374, 9602, 9637, 9665, 9780). Source, Destination,
 * Forwardable and Globally Reachable are the registry's own columns, copied row by row.
 * Where the registry does not give a boolean the row says what is stored and why:
 *   - "N/A" Globally Reachable (Teredo 2001::/32, 6to4 2002::/16): reachability depends
 *     on the IPv4 address embedded in the prefix; stored True, because both appear as
 *     sources on the Internet and flagging them would flag all Teredo/6to4 traffic.
 *   - empty cells of terminated rows (192.88.99.0/24 since 2015-03, 2001:10::/28 since
 *     2014-03): stored all False, subclass "reserved". RFC 7526 deprecated the 6to4
 *     relay anycast prefix and forbids reassigning it; the experimental ORCHID
 *     allocation of RFC 4843 expired and RFC 7343 replaced it with 2001:20::/28.
 * Rows marked "spoofaudit" are not in the special-purpose registries; the product needs
 * them and their flags come from the RFC named in the row.
 *
 * Invariant (the lookup depends on it, test_addrclass checks it): all IPv4 rows come
 * first, then all IPv6 rows; within a family rows ascend by prefix start address, and a
 * prefix sharing its start with a longer one comes before it. So a row that contains an
 * address is followed only by more specific rows that also may, and no row after one
 * whose start exceeds the address can contain it.
 */
static const struct addrclass_row addrclass_rows[] = {
	/* IPv4 */
	ROW(4, V4(0, 0, 0, 0), 8, ASUB_THIS_NETWORK, T, F, F, F,
	    "\"This network\"", "RFC 791 section 3.2"),
	ROW(4, V4(0, 0, 0, 0), 32, ASUB_THIS_NETWORK, T, F, F, F,
	    "\"This host on this network\"", "RFC 1122 section 3.2.1.3"),
	ROW(4, V4(10, 0, 0, 0), 8, ASUB_PRIVATE, T, T, T, F,
	    "Private-Use", "RFC 1918"),
	ROW(4, V4(100, 64, 0, 0), 10, ASUB_SHARED, T, T, T, F,
	    "Shared Address Space", "RFC 6598"),
	/* All four False with footnote [1]: protocols such as RFC 8029 and RFC 5884 have
	 * exceptions; none applies to a packet arriving from outside the host. */
	ROW(4, V4(127, 0, 0, 0), 8, ASUB_LOOPBACK, F, F, F, F,
	    "Loopback", "RFC 1122 section 3.2.1.3"),
	ROW(4, V4(169, 254, 0, 0), 16, ASUB_LINK_LOCAL, T, T, F, F,
	    "Link Local", "RFC 3927"),
	ROW(4, V4(172, 16, 0, 0), 12, ASUB_PRIVATE, T, T, T, F,
	    "Private-Use", "RFC 1918"),
	/* Footnote [2]: not usable unless by virtue of a more specific reservation. */
	ROW(4, V4(192, 0, 0, 0), 24, ASUB_IETF_PROTOCOL, F, F, F, F,
	    "IETF Protocol Assignments", "RFC 6890 section 2.1"),
	ROW(4, V4(192, 0, 0, 0), 29, ASUB_IETF_PROTOCOL, T, T, T, F,
	    "IPv4 Service Continuity Prefix", "RFC 7335"),
	ROW(4, V4(192, 0, 0, 8), 32, ASUB_IETF_PROTOCOL, T, F, F, F,
	    "IPv4 dummy address", "RFC 7600"),
	ROW(4, V4(192, 0, 0, 9), 32, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "Port Control Protocol Anycast", "RFC 7723"),
	ROW(4, V4(192, 0, 0, 10), 32, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "Traversal Using Relays around NAT Anycast", "RFC 8155"),
	/* One registry row, "192.0.0.170/32, 192.0.0.171/32". */
	ROW(4, V4(192, 0, 0, 170), 32, ASUB_IETF_PROTOCOL, F, F, F, F,
	    "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 section 2.2"),
	ROW(4, V4(192, 0, 0, 171), 32, ASUB_IETF_PROTOCOL, F, F, F, F,
	    "NAT64/DNS64 Discovery", "RFC 8880, RFC 7050 section 2.2"),
	ROW(4, V4(192, 0, 2, 0), 24, ASUB_DOCUMENTATION, F, F, F, F,
	    "Documentation (TEST-NET-1)", "RFC 5737"),
	ROW(4, V4(192, 31, 196, 0), 24, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "AS112-v4", "RFC 7535"),
	ROW(4, V4(192, 52, 193, 0), 24, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "AMT", "RFC 7450"),
	/* Terminated 2015-03; the registry leaves the booleans empty (see above). */
	ROW(4, V4(192, 88, 99, 0), 24, ASUB_RESERVED, F, F, F, F,
	    "Deprecated (6to4 Relay Anycast)", "RFC 7526"),
	ROW(4, V4(192, 88, 99, 2), 32, ASUB_IETF_PROTOCOL, T, T, T, F,
	    "6a44-relay anycast address", "RFC 6751"),
	ROW(4, V4(192, 168, 0, 0), 16, ASUB_PRIVATE, T, T, T, F,
	    "Private-Use", "RFC 1918"),
	ROW(4, V4(192, 175, 48, 0), 24, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "Direct Delegation AS112 Service", "RFC 7534"),
	ROW(4, V4(198, 18, 0, 0), 15, ASUB_BENCHMARKING, T, T, T, F,
	    "Benchmarking", "RFC 2544"),
	ROW(4, V4(198, 51, 100, 0), 24, ASUB_DOCUMENTATION, F, F, F, F,
	    "Documentation (TEST-NET-2)", "RFC 5737"),
	ROW(4, V4(203, 0, 113, 0), 24, ASUB_DOCUMENTATION, F, F, F, F,
	    "Documentation (TEST-NET-3)", "RFC 5737"),
	/* spoofaudit: multicast has its own registry. Never a source (RFC 1122 section
	 * 3.2.1.3, RFC 1112 section 7.2); global reachability depends on the block (RFC
	 * 5771), stored False. */
	ROW(4, V4(224, 0, 0, 0), 4, ASUB_MULTICAST, F, T, T, F,
	    "Multicast", "RFC 5771, RFC 1112"),
	ROW(4, V4(240, 0, 0, 0), 4, ASUB_RESERVED, F, F, F, F,
	    "Reserved", "RFC 1112 section 4"),
	ROW(4, V4(255, 255, 255, 255), 32, ASUB_LIMITED_BROADCAST, F, T, F, F,
	    "Limited Broadcast", "RFC 8190, RFC 919 section 7"),

	/* IPv6 */
	/* spoofaudit: deprecated IPv4-compatible addresses (RFC 4291 section 2.5.5.1); no
	 * current transition mechanism uses them, so nothing may send from or to them. */
	ROW(6, V6(0, 0, 0, 0, 0, 0, 0, 0), 96, ASUB_IPV4_COMPAT, F, F, F, F,
	    "IPv4-compatible Address (deprecated)", "RFC 4291 section 2.5.5.1"),
	ROW(6, V6(0, 0, 0, 0, 0, 0, 0, 0), 128, ASUB_THIS_NETWORK, T, F, F, F,
	    "Unspecified Address", "RFC 4291"),
	ROW(6, V6(0, 0, 0, 0, 0, 0, 0, 1), 128, ASUB_LOOPBACK, F, F, F, F,
	    "Loopback Address", "RFC 4291"),
	ROW(6, V6(0, 0, 0, 0, 0, 0xffff, 0, 0), 96, ASUB_IPV4_MAPPED, F, F, F, F,
	    "IPv4-mapped Address", "RFC 4291"),
	/* spoofaudit: RFC 1122's 127/8 written as IPv4-mapped addresses (RFC 4291 section
	 * 2.5.5.2); flags as its IPv4-mapped parent. */
	ROW(6, V6(0, 0, 0, 0, 0, 0xffff, 0x7f00, 0), 104, ASUB_IPV4_MAPPED_LOOPBACK, F, F, F, F,
	    "IPv4-mapped Loopback", "RFC 4291 section 2.5.5.2, RFC 1122 section 3.2.1.3"),
	ROW(6, V6(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96, ASUB_TRANSLATION, T, T, T, T,
	    "IPv4-IPv6 Translat.", "RFC 6052"),
	ROW(6, V6(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48, ASUB_TRANSLATION, T, T, T, F,
	    "IPv4-IPv6 Translat.", "RFC 8215"),
	ROW(6, V6(0x100, 0, 0, 0, 0, 0, 0, 0), 64, ASUB_DISCARD, T, T, T, F,
	    "Discard-Only Address Block", "RFC 6666"),
	ROW(6, V6(0x100, 0, 0, 1, 0, 0, 0, 0), 64, ASUB_IETF_PROTOCOL, T, F, F, F,
	    "Dummy IPv6 Prefix", "RFC 9780"),
	/* All four False with footnote [1]: unless allowed by a more specific row. */
	ROW(6, V6(0x2001, 0, 0, 0, 0, 0, 0, 0), 23, ASUB_IETF_PROTOCOL, F, F, F, F,
	    "IETF Protocol Assignments", "RFC 2928"),
	/* Globally Reachable "N/A [2]" (see above), stored True. */
	ROW(6, V6(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "TEREDO", "RFC 4380, RFC 8190"),
	ROW(6, V6(0x2001, 1, 0, 0, 0, 0, 0, 1), 128, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "Port Control Protocol Anycast", "RFC 7723"),
	ROW(6, V6(0x2001, 1, 0, 0, 0, 0, 0, 2), 128, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "Traversal Using Relays around NAT Anycast", "RFC 8155"),
	ROW(6, V6(0x2001, 1, 0, 0, 0, 0, 0, 3), 128, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "DNS-SD Service Registration Protocol Anycast", "RFC 9665"),
	ROW(6, V6(0x2001, 2, 0, 0, 0, 0, 0, 0), 48, ASUB_BENCHMARKING, T, T, T, F,
	    "Benchmarking", "RFC 5180, RFC Errata 1752"),
	ROW(6, V6(0x2001, 3, 0, 0, 0, 0, 0, 0), 32, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "AMT", "RFC 7450"),
	ROW(6, V6(0x2001, 4, 0x112, 0, 0, 0, 0, 0), 48, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "AS112-v6", "RFC 7535"),
	/* Terminated 2014-03; the registry leaves the booleans empty (see above). */
	ROW(6, V6(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28, ASUB_RESERVED, F, F, F, F,
	    "Deprecated (previously ORCHID)", "RFC 4843"),
	ROW(6, V6(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "ORCHIDv2", "RFC 7343"),
	ROW(6, V6(0x2001, 0x30, 0, 0, 0, 0, 0, 0), 28, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "Drone Remote ID Protocol Entity Tags (DETs) Prefix", "RFC 9374"),
	ROW(6, V6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, ASUB_DOCUMENTATION, F, F, F, F,
	    "Documentation", "RFC 3849"),
	/* Globally Reachable "N/A [3]" (see above), stored True. */
	ROW(6, V6(0x2002, 0, 0, 0, 0, 0, 0, 0), 16, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "6to4", "RFC 3056"),
	ROW(6, V6(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0), 48, ASUB_IETF_PROTOCOL, T, T, T, T,
	    "Direct Delegation AS112 Service", "RFC 7534"),
	ROW(6, V6(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, ASUB_DOCUMENTATION, F, F, F, F,
	    "Documentation", "RFC 9637"),
	ROW(6, V6(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16, ASUB_IETF_PROTOCOL, T, T, T, F,
	    "Segment Routing (SRv6) SIDs", "RFC 9602"),
	/* Globally Reachable "False [4]": drawn from global unicast, not globally routed. */
	ROW(6, V6(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, ASUB_ULA, T, T, T, F,
	    "Unique-Local", "RFC 4193, RFC 8190"),
	ROW(6, V6(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, ASUB_LINK_LOCAL, T, T, F, F,
	    "Link-Local Unicast", "RFC 4291"),
	/* spoofaudit: deprecated site-local (RFC 3879). Valid only inside the site it was
	 * used in, like a ULA: never globally reachable. */
	ROW(6, V6(0xfec0, 0, 0, 0, 0, 0, 0, 0), 10, ASUB_SITE_LOCAL, T, T, T, F,
	    "Site-Local (deprecated)", "RFC 3879"),
	/* spoofaudit: multicast, never a source (RFC 4291 section 2.7); reachability
	 * depends on the scope field, stored False. */
	ROW(6, V6(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, ASUB_MULTICAST, F, T, T, F,
	    "Multicast", "RFC 4291 section 2.7"),
};

#undef ROW
#undef T
#undef F
#undef V4
#undef V6

#define N_ROWS (sizeof(addrclass_rows) / sizeof(addrclass_rows[0]))

/* Stable names, indexed by enum addr_subclass; stored in the database. */
static const char *const subclass_names[ASUB_COUNT] = {
	[ASUB_NONE] = "none",
	[ASUB_LOOPBACK] = "loopback",
	[ASUB_IPV4_MAPPED_LOOPBACK] = "ipv4_mapped_loopback",
	[ASUB_THIS_NETWORK] = "this_network",
	[ASUB_PRIVATE] = "private",
	[ASUB_SHARED] = "shared",
	[ASUB_LINK_LOCAL] = "link_local",
	[ASUB_DOCUMENTATION] = "documentation",
	[ASUB_BENCHMARKING] = "benchmarking",
	[ASUB_RESERVED] = "reserved",
	[ASUB_IETF_PROTOCOL] = "ietf_protocol",
	[ASUB_MULTICAST] = "multicast",
	[ASUB_LIMITED_BROADCAST] = "limited_broadcast",
	[ASUB_ULA] = "ula",
	[ASUB_IPV4_MAPPED] = "ipv4_mapped",
	[ASUB_IPV4_COMPAT] = "ipv4_compat",
	[ASUB_DISCARD] = "discard",
	[ASUB_TRANSLATION] = "translation",
	[ASUB_SITE_LOCAL] = "site_local",
	[ASUB_RPF_STRICT] = "rpf_strict",
	[ASUB_RPF_NO_ROUTE] = "rpf_no_route",
	[ASUB_BS_SYN_ACK] = "syn_ack",
	[ASUB_BS_RST] = "rst",
	[ASUB_BS_ICMP_ERROR] = "icmp_error",
	[ASUB_HOP_COUNT] = "hop_count",
	[ASUB_FLOOD] = "flood",
};

/* True when row covers addr. Compares whole bytes, then the partial one. */
static int row_contains(const struct addrclass_row *r, const uint8_t *addr)
{
	unsigned full = r->plen / 8, rem = r->plen % 8, i;

	for (i = 0; i < full; i++)
		if (r->addr[i] != addr[i])
			return 0;
	if (rem && ((r->addr[full] ^ addr[full]) & (uint8_t)(0xff << (8 - rem))))
		return 0;
	return 1;
}

/* Index of the first IPv6 row (rows are IPv4 first, then IPv6): a binary search. */
static size_t first_v6_row(void)
{
	size_t lo = 0, hi = N_ROWS;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (addrclass_rows[mid].family < 6)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct addrclass_row *addrclass_lookup(int family, const uint8_t addr[16])
{
	const struct addrclass_row *best = NULL;
	size_t i;

	if (family == 4)
		i = 0;
	else if (family == 6)
		i = first_v6_row();
	else
		return NULL;
	/* Rows ascend by start address within the family (see the invariant above): stop
	 * at the first row whose first byte is past the address's, and keep the last row
	 * that contains it, which is the most specific. For an ordinary global address
	 * this touches a handful of rows and compares one byte in most. */
	for (; i < N_ROWS && addrclass_rows[i].family == family; i++) {
		const struct addrclass_row *r = &addrclass_rows[i];

		if (r->addr[0] > addr[0])
			break;
		if (row_contains(r, addr))
			best = r;
	}
	return best;
}

const struct addrclass_row *addrclass_table(unsigned *n)
{
	if (n)
		*n = (unsigned)N_ROWS;
	return addrclass_rows;
}

const char *addrclass_subclass_name(enum addr_subclass s)
{
	if ((unsigned)s >= ASUB_COUNT)
		return NULL;
	return subclass_names[s];
}

/* The loopback and multicast tests are the protocol definitions themselves (RFC 1122,
 * RFC 4291), written out because they run several times per packet; test_addrclass
 * checks that they agree with the table. */
int addrclass_is_loopback(int family, const uint8_t addr[16])
{
	unsigned i;

	if (family == 4)
		return addr[0] == 127;
	if (family != 6)
		return 0;
	for (i = 0; i < 10; i++)
		if (addr[i] != 0)
			return 0;
	if (addr[10] == 0xff && addr[11] == 0xff)	/* ::ffff:127.0.0.0/104 */
		return addr[12] == 127;
	if (addr[10] != 0 || addr[11] != 0)
		return 0;
	for (i = 12; i < 15; i++)			/* ::1 */
		if (addr[i] != 0)
			return 0;
	return addr[15] == 1;
}

int addrclass_is_multicast(int family, const uint8_t addr[16])
{
	if (family == 4)
		return (addr[0] & 0xf0) == 0xe0;
	if (family == 6)
		return addr[0] == 0xff;
	return 0;
}
