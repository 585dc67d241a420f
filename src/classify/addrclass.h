/* This file declares the special-purpose address registry: the IANA IPv4 and IPv6
 * special-purpose address registries (RFC 6890 and its updates) plus the extra prefixes
 * the classifier needs (multicast, limited broadcast, IPv4-mapped loopback), as one
 * table of data with a longest-prefix lookup. */
#ifndef SPOOFAUDIT_ADDRCLASS_H
#define SPOOFAUDIT_ADDRCLASS_H

#include <stdint.h>

/* Subclass of a special-purpose address. Names from addrclass_subclass_name() are stable
 * and stored in the database. */
enum addr_subclass {
	ASUB_NONE = 0,		/* not special-purpose: an ordinary global address */
	ASUB_LOOPBACK,		/* 127/8, ::1/128 */
	ASUB_IPV4_MAPPED_LOOPBACK, /* ::ffff:127.0.0.0/104 */
	ASUB_THIS_NETWORK,	/* 0/8, 0.0.0.0/32, ::/128 unspecified */
	ASUB_PRIVATE,		/* 10/8, 172.16/12, 192.168/16 */
	ASUB_SHARED,		/* 100.64/10, CGNAT (RFC 6598) */
	ASUB_LINK_LOCAL,	/* 169.254/16, fe80::/10 */
	ASUB_DOCUMENTATION,	/* 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32, 3fff::/20 */
	ASUB_BENCHMARKING,	/* 198.18/15, 2001:2::/48 */
	ASUB_RESERVED,		/* 240/4, and other reserved blocks */
	ASUB_IETF_PROTOCOL,	/* 192.0.0/24, 2001::/23 (non-global parts) */
	ASUB_MULTICAST,		/* 224/4, ff00::/8 (as a source) */
	ASUB_LIMITED_BROADCAST,	/* 255.255.255.255/32 */
	ASUB_ULA,		/* fc00::/7 */
	ASUB_IPV4_MAPPED,	/* ::ffff:0:0/96 (other than loopback) */
	ASUB_IPV4_COMPAT,	/* ::/96 deprecated IPv4-compatible */
	ASUB_DISCARD,		/* 100::/64 discard-only */
	ASUB_TRANSLATION,	/* 64:ff9b:1::/48 local-use IPv4/IPv6 translation */
	ASUB_SITE_LOCAL,	/* fec0::/10 deprecated */
	ASUB_RPF_STRICT,	/* rpf_fail: the route back leaves by another interface */
	ASUB_RPF_NO_ROUTE,	/* rpf_fail: no route back at all */
	/* Not address kinds: what a backscatter packet is (classify.h CLS_BACKSCATTER). */
	ASUB_BS_SYN_ACK,	/* "syn_ack": a SYN-ACK for a SYN the host never sent (strong) */
	ASUB_BS_RST,		/* "rst": a RST on a connection never seen (weak) */
	ASUB_BS_ICMP_ERROR,	/* "icmp_error": an ICMP error quoting what the host never sent */
	/* What makes a suspect_src packet suspect (classify.h CLS_SUSPECT_SRC). */
	ASUB_HOP_COUNT,		/* "hop_count": its hop count departs from its prefix's learned one */
	ASUB_FLOOD,		/* "flood": part of a flood episode (many unanswered sources, a
				 * narrow TTL band) */
	ASUB_COUNT
};

/* One registry row. Flags follow the IANA registry columns; a "N/A" column is stored as
 * the value the kernel and RFC 6890 imply and says so in the row's comment. */
struct addrclass_row {
	uint8_t family;			/* 4 or 6 */
	uint8_t plen;			/* prefix length */
	uint8_t addr[16];		/* prefix (IPv4 in the first 4 bytes) */
	enum addr_subclass subclass;
	uint8_t source_valid;		/* may appear as a source address */
	uint8_t destination_valid;	/* may appear as a destination address */
	uint8_t forwardable;		/* a router may forward it */
	uint8_t globally_reachable;	/* meaningful beyond its own domain */
	const char *name;		/* registry name, e.g. "Private-Use" */
	const char *rfc;		/* e.g. "RFC 1918" */
};

/* Date of the IANA registries the table follows (YYYY-MM-DD). */
extern const char addrclass_registry_date[];

/* Returns the most specific row covering addr (family 4 or 6), or NULL for an ordinary
 * global unicast address. */
const struct addrclass_row *addrclass_lookup(int family, const uint8_t addr[16]);

/* All rows, for tests and documentation; *n receives the count. */
const struct addrclass_row *addrclass_table(unsigned *n);

/* Stable subclass name ("private", "shared", ...); NULL when out of range. */
const char *addrclass_subclass_name(enum addr_subclass s);

/* True when addr is a loopback address: 127/8, ::1, or ::ffff:127.0.0.0/104. */
int addrclass_is_loopback(int family, const uint8_t addr[16]);

/* True when addr is multicast (224/4, ff00::/8). */
int addrclass_is_multicast(int family, const uint8_t addr[16]);

#endif
