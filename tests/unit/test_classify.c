/* This file tests the classifier (src/classify.c): one case per row of a table of
 * packets, each on a loopback, external or internal interface, covering every class,
 * every precedence rule and every on-link exception, plus the name and role helpers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "classify/classify.h"

/* The host the cases run on: a public and a private IPv4 address, a public IPv6 and a
 * ULA, and a link-local. */
static const char *const host_addrs[] = {
	"93.184.216.34", "10.1.2.3", "2a00:1450:4001::5", "fd00:1::5", "fe80::5",
};

/* The interfaces. */
enum fixture { IF_LO, IF_EXT, IF_INT, IF_INT_ANY, IF_COUNT };

static const struct iface_fixture {
	const char *name;
	enum iface_role role;
	const char *prefixes[4];	/* internal role: the sources it may receive */
} ifaces[IF_COUNT] = {
	[IF_LO] = { "lo", ROLE_LOOPBACK, { NULL } },
	[IF_EXT] = { "eth0", ROLE_EXTERNAL, { NULL } },
	[IF_INT] = { "eth1", ROLE_INTERNAL,
		     { "10.1.0.0/16", "100.64.0.0/10", "fd00:1::/64", NULL } },
	/* An internal interface that lists everything. */
	[IF_INT_ANY] = { "eth2", ROLE_INTERNAL, { "0.0.0.0/0", "::/0", NULL } },
};

#define IN DIR_IN
#define OUT DIR_OUT
#define UNK DIR_UNKNOWN
#define UDP 17
#define IGMP 2
#define ICMP6 58

struct cls_case {
	const char *name;
	enum fixture ifc;
	uint8_t status;		/* enum decode_status */
	uint8_t dir;		/* enum pkt_dir */
	uint8_t proto;
	const char *src, *dst;
	enum spoof_class cls;
	enum addr_subclass sub;
};

#define OK DEC_OK

static const struct cls_case cases[] = {
	/* Loopback interface: everything is a loopback flow. */
	{ "lo v4 loopback", IF_LO, OK, IN, UDP, "127.0.0.1", "127.0.0.1", CLS_LOOPBACK_FLOW, ASUB_NONE },
	{ "lo v6 loopback", IF_LO, OK, IN, UDP, "::1", "::1", CLS_LOOPBACK_FLOW, ASUB_NONE },
	{ "lo own address", IF_LO, OK, IN, UDP, "93.184.216.34", "93.184.216.34", CLS_LOOPBACK_FLOW, ASUB_NONE },
	{ "lo dir out", IF_LO, OK, OUT, UDP, "127.0.0.1", "127.0.0.53", CLS_LOOPBACK_FLOW, ASUB_NONE },
	{ "lo dir unknown", IF_LO, OK, UNK, UDP, "10.1.2.3", "10.1.2.3", CLS_LOOPBACK_FLOW, ASUB_NONE },
	{ "lo bogon addresses", IF_LO, OK, IN, UDP, "224.0.0.5", "255.255.255.255", CLS_LOOPBACK_FLOW, ASUB_NONE },
	{ "lo malformed", IF_LO, DEC_MALFORMED, IN, 0, "127.0.0.1", "127.0.0.1", CLS_NORMAL, ASUB_NONE },
	{ "lo not ip", IF_LO, DEC_NOT_IP, IN, 0, "0.0.0.0", "0.0.0.0", CLS_NORMAL, ASUB_NONE },

	/* External: ordinary traffic. */
	{ "ext v4 normal", IF_EXT, OK, IN, UDP, "8.8.8.8", "93.184.216.34", CLS_NORMAL, ASUB_NONE },
	{ "ext v6 normal", IF_EXT, OK, IN, UDP, "2a00:1450::1", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext dir unknown normal", IF_EXT, OK, UNK, UDP, "1.1.1.1", "93.184.216.34", CLS_NORMAL, ASUB_NONE },
	/* Rule 1: loopback source. */
	{ "ext src 127.0.0.1", IF_EXT, OK, IN, UDP, "127.0.0.1", "93.184.216.34", CLS_SPOOF_LOOPBACK_SRC, ASUB_LOOPBACK },
	{ "ext src 127.255.255.254", IF_EXT, OK, IN, UDP, "127.255.255.254", "93.184.216.34", CLS_SPOOF_LOOPBACK_SRC, ASUB_LOOPBACK },
	{ "ext src ::1", IF_EXT, OK, IN, ICMP6, "::1", "2a00:1450:4001::5", CLS_SPOOF_LOOPBACK_SRC, ASUB_LOOPBACK },
	{ "ext src ::ffff:127.0.0.1", IF_EXT, OK, IN, UDP, "::ffff:127.0.0.1", "2a00:1450:4001::5", CLS_SPOOF_LOOPBACK_SRC, ASUB_IPV4_MAPPED_LOOPBACK },
	{ "ext dir unknown src 127.0.0.1", IF_EXT, OK, UNK, UDP, "127.0.0.1", "93.184.216.34", CLS_SPOOF_LOOPBACK_SRC, ASUB_LOOPBACK },
	{ "ext rule 1 before 2", IF_EXT, OK, IN, UDP, "127.0.0.1", "127.0.0.1", CLS_SPOOF_LOOPBACK_SRC, ASUB_LOOPBACK },
	/* Rule 2: loopback destination. */
	{ "ext dst 127.0.0.1", IF_EXT, OK, IN, UDP, "8.8.8.8", "127.0.0.1", CLS_LOOPBACK_DST, ASUB_LOOPBACK },
	{ "ext dst ::1", IF_EXT, OK, IN, UDP, "2a00:1450::1", "::1", CLS_LOOPBACK_DST, ASUB_LOOPBACK },
	{ "ext dst ::ffff:127.0.0.1", IF_EXT, OK, IN, UDP, "2a00:1450::1", "::ffff:127.0.0.1", CLS_LOOPBACK_DST, ASUB_IPV4_MAPPED_LOOPBACK },
	{ "ext rule 2 before 3", IF_EXT, OK, IN, UDP, "93.184.216.34", "127.0.0.1", CLS_LOOPBACK_DST, ASUB_LOOPBACK },
	{ "ext rule 2 before 5", IF_EXT, OK, IN, UDP, "10.0.0.1", "127.0.0.1", CLS_LOOPBACK_DST, ASUB_LOOPBACK },
	/* Rule 3: the host's own address from outside. */
	{ "ext own v4", IF_EXT, OK, IN, UDP, "93.184.216.34", "93.184.216.34", CLS_OWN_ADDR_SRC, ASUB_NONE },
	{ "ext own v6", IF_EXT, OK, IN, UDP, "2a00:1450:4001::5", "2a00:1450:4001::5", CLS_OWN_ADDR_SRC, ASUB_NONE },
	{ "ext rule 3 before 5", IF_EXT, OK, IN, UDP, "10.1.2.3", "93.184.216.34", CLS_OWN_ADDR_SRC, ASUB_NONE },
	{ "ext own link-local", IF_EXT, OK, IN, ICMP6, "fe80::5", "ff02::1", CLS_OWN_ADDR_SRC, ASUB_NONE },
	/* Rule 5: special-purpose sources an external interface forbids. */
	{ "ext 10/8", IF_EXT, OK, IN, UDP, "10.0.0.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_PRIVATE },
	{ "ext 172.16/12", IF_EXT, OK, IN, UDP, "172.16.0.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_PRIVATE },
	{ "ext 192.168/16", IF_EXT, OK, IN, UDP, "192.168.1.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_PRIVATE },
	{ "ext 100.64/10", IF_EXT, OK, IN, UDP, "100.64.0.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_SHARED },
	{ "ext 169.254 to global", IF_EXT, OK, IN, UDP, "169.254.1.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_LINK_LOCAL },
	{ "ext 192.0.2/24", IF_EXT, OK, IN, UDP, "192.0.2.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_DOCUMENTATION },
	{ "ext 198.51.100/24", IF_EXT, OK, IN, UDP, "198.51.100.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_DOCUMENTATION },
	{ "ext 203.0.113/24", IF_EXT, OK, IN, UDP, "203.0.113.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_DOCUMENTATION },
	{ "ext 198.18/15", IF_EXT, OK, IN, UDP, "198.19.0.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_BENCHMARKING },
	{ "ext 240/4", IF_EXT, OK, IN, UDP, "240.0.0.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_RESERVED },
	{ "ext 0/8", IF_EXT, OK, IN, UDP, "0.1.2.3", "93.184.216.34", CLS_BOGON_SRC, ASUB_THIS_NETWORK },
	{ "ext 0.0.0.0 to unicast", IF_EXT, OK, IN, UDP, "0.0.0.0", "93.184.216.34", CLS_BOGON_SRC, ASUB_THIS_NETWORK },
	{ "ext 192.0.0.8 dummy", IF_EXT, OK, IN, UDP, "192.0.0.8", "93.184.216.34", CLS_BOGON_SRC, ASUB_IETF_PROTOCOL },
	{ "ext 192.0.0.170", IF_EXT, OK, IN, UDP, "192.0.0.170", "93.184.216.34", CLS_BOGON_SRC, ASUB_IETF_PROTOCOL },
	{ "ext 192.0.0.0/29", IF_EXT, OK, IN, UDP, "192.0.0.2", "93.184.216.34", CLS_BOGON_SRC, ASUB_IETF_PROTOCOL },
	{ "ext 192.88.99.1", IF_EXT, OK, IN, 41, "192.88.99.1", "93.184.216.34", CLS_BOGON_SRC, ASUB_RESERVED },
	{ "ext 192.88.99.2", IF_EXT, OK, IN, 41, "192.88.99.2", "93.184.216.34", CLS_BOGON_SRC, ASUB_IETF_PROTOCOL },
	{ "ext multicast src", IF_EXT, OK, IN, UDP, "224.0.0.5", "224.0.0.5", CLS_BOGON_SRC, ASUB_MULTICAST },
	{ "ext multicast src to unicast", IF_EXT, OK, IN, UDP, "239.1.2.3", "93.184.216.34", CLS_BOGON_SRC, ASUB_MULTICAST },
	{ "ext limited broadcast src", IF_EXT, OK, IN, UDP, "255.255.255.255", "255.255.255.255", CLS_BOGON_SRC, ASUB_LIMITED_BROADCAST },
	{ "ext fc00::/7", IF_EXT, OK, IN, UDP, "fc00::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_ULA },
	{ "ext fd00::/8", IF_EXT, OK, IN, UDP, "fd00:1::7", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_ULA },
	{ "ext fe80 to global", IF_EXT, OK, IN, UDP, "fe80::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_LINK_LOCAL },
	{ "ext fe80 to ula", IF_EXT, OK, IN, UDP, "fe80::1", "fd00:1::5", CLS_BOGON_SRC, ASUB_LINK_LOCAL },
	{ "ext fec0::/10", IF_EXT, OK, IN, UDP, "fec0::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_SITE_LOCAL },
	{ "ext multicast v6 src", IF_EXT, OK, IN, ICMP6, "ff02::1", "ff02::1", CLS_BOGON_SRC, ASUB_MULTICAST },
	{ "ext :: to unicast", IF_EXT, OK, IN, UDP, "::", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_THIS_NETWORK },
	{ "ext ::ffff:10.0.0.1", IF_EXT, OK, IN, UDP, "::ffff:10.0.0.1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_IPV4_MAPPED },
	{ "ext ::ffff:8.8.8.8", IF_EXT, OK, IN, UDP, "::ffff:8.8.8.8", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_IPV4_MAPPED },
	{ "ext ::/96 compat", IF_EXT, OK, IN, UDP, "::1.2.3.4", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_IPV4_COMPAT },
	{ "ext 2001:db8::/32", IF_EXT, OK, IN, UDP, "2001:db8::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_DOCUMENTATION },
	{ "ext 3fff::/20", IF_EXT, OK, IN, UDP, "3fff::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_DOCUMENTATION },
	{ "ext 2001:2::/48", IF_EXT, OK, IN, UDP, "2001:2::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_BENCHMARKING },
	{ "ext 100::/64", IF_EXT, OK, IN, UDP, "100::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_DISCARD },
	{ "ext 100:0:0:1::/64", IF_EXT, OK, IN, ICMP6, "100:0:0:1::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_IETF_PROTOCOL },
	{ "ext 64:ff9b:1::/48", IF_EXT, OK, IN, UDP, "64:ff9b:1::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_TRANSLATION },
	{ "ext 5f00::/16", IF_EXT, OK, IN, UDP, "5f00::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_IETF_PROTOCOL },
	{ "ext 2001:10::/28", IF_EXT, OK, IN, UDP, "2001:10::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_RESERVED },
	{ "ext 2001::/23 parent", IF_EXT, OK, IN, UDP, "2001:100::1", "2a00:1450:4001::5", CLS_BOGON_SRC, ASUB_IETF_PROTOCOL },
	/* Special-purpose but globally reachable and source-valid: normal. */
	{ "ext 192.0.0.9 pcp", IF_EXT, OK, IN, UDP, "192.0.0.9", "93.184.216.34", CLS_NORMAL, ASUB_NONE },
	{ "ext 192.0.0.10 turn", IF_EXT, OK, IN, UDP, "192.0.0.10", "93.184.216.34", CLS_NORMAL, ASUB_NONE },
	{ "ext 192.31.196/24 as112", IF_EXT, OK, IN, UDP, "192.31.196.1", "93.184.216.34", CLS_NORMAL, ASUB_NONE },
	{ "ext 192.52.193/24 amt", IF_EXT, OK, IN, UDP, "192.52.193.1", "93.184.216.34", CLS_NORMAL, ASUB_NONE },
	{ "ext 192.175.48/24 as112", IF_EXT, OK, IN, UDP, "192.175.48.6", "93.184.216.34", CLS_NORMAL, ASUB_NONE },
	{ "ext 64:ff9b::/96", IF_EXT, OK, IN, UDP, "64:ff9b::808:808", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext teredo", IF_EXT, OK, IN, UDP, "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext 6to4", IF_EXT, OK, IN, UDP, "2002:c000:204::1", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext 2001:1::1 pcp", IF_EXT, OK, IN, UDP, "2001:1::1", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext 2001:3::/32 amt", IF_EXT, OK, IN, UDP, "2001:3::1", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext 2001:4:112::/48", IF_EXT, OK, IN, UDP, "2001:4:112::1", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext 2001:20::/28 orchidv2", IF_EXT, OK, IN, UDP, "2001:20::1", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext 2001:30::/28 det", IF_EXT, OK, IN, UDP, "2001:30::1", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	{ "ext 2620:4f:8000::/48", IF_EXT, OK, IN, UDP, "2620:4f:8000::1", "2a00:1450:4001::5", CLS_NORMAL, ASUB_NONE },
	/* On-link exceptions: normal. */
	{ "ext fe80 to fe80", IF_EXT, OK, IN, ICMP6, "fe80::1", "fe80::5", CLS_NORMAL, ASUB_NONE },
	{ "ext fe80 to ff02::1", IF_EXT, OK, IN, ICMP6, "fe80::1", "ff02::1", CLS_NORMAL, ASUB_NONE },
	{ "ext fe80 to solicited-node", IF_EXT, OK, IN, ICMP6, "fe80::1", "ff02::1:ff00:5", CLS_NORMAL, ASUB_NONE },
	{ "ext fe80 to ff05::1:3", IF_EXT, OK, IN, UDP, "fe80::1", "ff05::1:3", CLS_NORMAL, ASUB_NONE },
	{ "ext 169.254 to 169.254", IF_EXT, OK, IN, UDP, "169.254.1.1", "169.254.2.2", CLS_NORMAL, ASUB_NONE },
	{ "ext 169.254 to broadcast", IF_EXT, OK, IN, UDP, "169.254.1.1", "255.255.255.255", CLS_NORMAL, ASUB_NONE },
	{ "ext 169.254 to mdns", IF_EXT, OK, IN, UDP, "169.254.1.1", "224.0.0.251", CLS_NORMAL, ASUB_NONE },
	{ "ext dhcp discover", IF_EXT, OK, IN, UDP, "0.0.0.0", "255.255.255.255", CLS_NORMAL, ASUB_NONE },
	{ "ext 0.0.0.0 to 224.0.0.22", IF_EXT, OK, IN, IGMP, "0.0.0.0", "224.0.0.22", CLS_NORMAL, ASUB_NONE },
	{ "ext 0.0.0.0 igmp to group", IF_EXT, OK, IN, IGMP, "0.0.0.0", "239.1.2.3", CLS_NORMAL, ASUB_NONE },
	{ "ext ipv6 dad", IF_EXT, OK, IN, ICMP6, "::", "ff02::1:ff00:5", CLS_NORMAL, ASUB_NONE },
	{ "ext mldv2 report from ::", IF_EXT, OK, IN, ICMP6, "::", "ff02::16", CLS_NORMAL, ASUB_NONE },
	/* ... and their limits: forbidden. */
	{ "ext 169.254 to ssdp", IF_EXT, OK, IN, UDP, "169.254.1.1", "239.255.255.250", CLS_BOGON_SRC, ASUB_LINK_LOCAL },
	{ "ext 169.254 to private", IF_EXT, OK, IN, UDP, "169.254.1.1", "10.0.0.1", CLS_BOGON_SRC, ASUB_LINK_LOCAL },
	{ "ext 0.0.0.0 udp to group", IF_EXT, OK, IN, UDP, "0.0.0.0", "239.1.2.3", CLS_BOGON_SRC, ASUB_THIS_NETWORK },
	{ "ext 0.1.2.3 to broadcast", IF_EXT, OK, IN, UDP, "0.1.2.3", "255.255.255.255", CLS_BOGON_SRC, ASUB_THIS_NETWORK },
	{ "ext :: to site-scope group", IF_EXT, OK, IN, UDP, "::", "ff05::1:3", CLS_BOGON_SRC, ASUB_THIS_NETWORK },
	{ "ext :: to fe80", IF_EXT, OK, IN, ICMP6, "::", "fe80::5", CLS_BOGON_SRC, ASUB_THIS_NETWORK },
	/* Outbound and undecoded packets. */
	{ "ext dir out loopback src", IF_EXT, OK, OUT, UDP, "127.0.0.1", "8.8.8.8", CLS_NORMAL, ASUB_NONE },
	{ "ext dir out loopback dst", IF_EXT, OK, OUT, UDP, "93.184.216.34", "127.0.0.1", CLS_NORMAL, ASUB_NONE },
	{ "ext dir out private src", IF_EXT, OK, OUT, UDP, "10.0.0.1", "8.8.8.8", CLS_NORMAL, ASUB_NONE },
	{ "ext dir out multicast src", IF_EXT, OK, OUT, UDP, "224.0.0.1", "8.8.8.8", CLS_NORMAL, ASUB_NONE },
	{ "ext malformed", IF_EXT, DEC_MALFORMED, IN, 0, "127.0.0.1", "127.0.0.1", CLS_NORMAL, ASUB_NONE },
	{ "ext not ip", IF_EXT, DEC_NOT_IP, IN, 0, "10.0.0.1", "8.8.8.8", CLS_NORMAL, ASUB_NONE },
	{ "ext unsupported", IF_EXT, DEC_UNSUPPORTED, IN, 0, "::1", "::1", CLS_NORMAL, ASUB_NONE },

	/* Internal, prefixes 10.1.0.0/16, 100.64.0.0/10, fd00:1::/64. Rule 4: listed. */
	{ "int listed v4", IF_INT, OK, IN, UDP, "10.1.5.5", "10.1.2.3", CLS_NORMAL, ASUB_NONE },
	{ "int listed shared", IF_INT, OK, IN, UDP, "100.64.7.7", "10.1.2.3", CLS_NORMAL, ASUB_NONE },
	{ "int listed ula", IF_INT, OK, IN, UDP, "fd00:1::7", "fd00:1::5", CLS_NORMAL, ASUB_NONE },
	{ "int listed to global", IF_INT, OK, IN, UDP, "10.1.5.5", "8.8.8.8", CLS_NORMAL, ASUB_NONE },
	{ "int dir unknown listed", IF_INT, OK, UNK, UDP, "10.1.5.5", "10.1.2.3", CLS_NORMAL, ASUB_NONE },
	/* Rule 1, 2, 3 before rule 4. */
	{ "int src 127.0.0.1", IF_INT, OK, IN, UDP, "127.0.0.1", "10.1.2.3", CLS_SPOOF_LOOPBACK_SRC, ASUB_LOOPBACK },
	{ "int src ::1", IF_INT, OK, IN, UDP, "::1", "fd00:1::5", CLS_SPOOF_LOOPBACK_SRC, ASUB_LOOPBACK },
	{ "int src ::ffff:127.0.0.1", IF_INT, OK, IN, UDP, "::ffff:127.0.0.1", "fd00:1::5", CLS_SPOOF_LOOPBACK_SRC, ASUB_IPV4_MAPPED_LOOPBACK },
	{ "int dst 127.0.0.1 from listed", IF_INT, OK, IN, UDP, "10.1.5.5", "127.0.0.1", CLS_LOOPBACK_DST, ASUB_LOOPBACK },
	{ "int dst ::1 from listed", IF_INT, OK, IN, UDP, "fd00:1::7", "::1", CLS_LOOPBACK_DST, ASUB_LOOPBACK },
	{ "int own listed address", IF_INT, OK, IN, UDP, "10.1.2.3", "10.1.2.3", CLS_OWN_ADDR_SRC, ASUB_NONE },
	{ "int own public address", IF_INT, OK, IN, UDP, "93.184.216.34", "10.1.2.3", CLS_OWN_ADDR_SRC, ASUB_NONE },
	{ "int own ula", IF_INT, OK, IN, UDP, "fd00:1::5", "fd00:1::5", CLS_OWN_ADDR_SRC, ASUB_NONE },
	/* Rule 5: special-purpose sources it does not list. */
	{ "int other private", IF_INT, OK, IN, UDP, "10.2.0.1", "10.1.2.3", CLS_BOGON_SRC, ASUB_PRIVATE },
	{ "int 192.168/16", IF_INT, OK, IN, UDP, "192.168.1.1", "10.1.2.3", CLS_BOGON_SRC, ASUB_PRIVATE },
	{ "int other ula", IF_INT, OK, IN, UDP, "fd00:2::1", "fd00:1::5", CLS_BOGON_SRC, ASUB_ULA },
	{ "int documentation", IF_INT, OK, IN, UDP, "192.0.2.1", "10.1.2.3", CLS_BOGON_SRC, ASUB_DOCUMENTATION },
	{ "int multicast src", IF_INT, OK, IN, UDP, "224.0.0.5", "224.0.0.5", CLS_BOGON_SRC, ASUB_MULTICAST },
	{ "int limited broadcast src", IF_INT, OK, IN, UDP, "255.255.255.255", "10.1.2.3", CLS_BOGON_SRC, ASUB_LIMITED_BROADCAST },
	{ "int fe80 to global", IF_INT, OK, IN, UDP, "fe80::1", "2a00:1450::1", CLS_BOGON_SRC, ASUB_LINK_LOCAL },
	{ "int 0.0.0.0 to unicast", IF_INT, OK, IN, UDP, "0.0.0.0", "10.1.2.3", CLS_BOGON_SRC, ASUB_THIS_NETWORK },
	/* On-link exceptions are normal here too, listed or not. */
	{ "int fe80 nd", IF_INT, OK, IN, ICMP6, "fe80::1", "ff02::1:ff00:5", CLS_NORMAL, ASUB_NONE },
	{ "int fe80 to fe80", IF_INT, OK, IN, ICMP6, "fe80::1", "fe80::5", CLS_NORMAL, ASUB_NONE },
	{ "int dhcp discover", IF_INT, OK, IN, UDP, "0.0.0.0", "255.255.255.255", CLS_NORMAL, ASUB_NONE },
	{ "int ipv6 dad", IF_INT, OK, IN, ICMP6, "::", "ff02::1:ff00:7", CLS_NORMAL, ASUB_NONE },
	{ "int 169.254 to 169.254", IF_INT, OK, IN, UDP, "169.254.3.3", "169.254.4.4", CLS_NORMAL, ASUB_NONE },
	/* Rule 6: ordinary or globally reachable sources it does not list. */
	{ "int unexpected v4", IF_INT, OK, IN, UDP, "8.8.8.8", "10.1.2.3", CLS_UNEXPECTED_SRC, ASUB_NONE },
	{ "int unexpected v6", IF_INT, OK, IN, UDP, "2a00:1450::1", "fd00:1::5", CLS_UNEXPECTED_SRC, ASUB_NONE },
	{ "int unexpected outside shared", IF_INT, OK, IN, UDP, "100.128.0.1", "10.1.2.3", CLS_UNEXPECTED_SRC, ASUB_NONE },
	{ "int unexpected pcp anycast", IF_INT, OK, IN, UDP, "192.0.0.9", "10.1.2.3", CLS_UNEXPECTED_SRC, ASUB_IETF_PROTOCOL },
	{ "int unexpected nat64", IF_INT, OK, IN, UDP, "64:ff9b::808:808", "fd00:1::5", CLS_UNEXPECTED_SRC, ASUB_TRANSLATION },
	{ "int dir unknown unexpected", IF_INT, OK, UNK, UDP, "8.8.8.8", "10.1.2.3", CLS_UNEXPECTED_SRC, ASUB_NONE },
	/* Outbound and undecoded. */
	{ "int dir out", IF_INT, OK, OUT, UDP, "8.8.8.8", "10.1.5.5", CLS_NORMAL, ASUB_NONE },
	{ "int dir out loopback", IF_INT, OK, OUT, UDP, "127.0.0.1", "10.1.5.5", CLS_NORMAL, ASUB_NONE },
	{ "int malformed", IF_INT, DEC_MALFORMED, IN, 0, "8.8.8.8", "10.1.2.3", CLS_NORMAL, ASUB_NONE },

	/* Internal listing 0.0.0.0/0 and ::/0: listed prefixes override rule 5, but
	 * multicast and limited-broadcast sources stay forbidden. */
	{ "any private", IF_INT_ANY, OK, IN, UDP, "192.168.1.1", "10.1.2.3", CLS_NORMAL, ASUB_NONE },
	{ "any documentation", IF_INT_ANY, OK, IN, UDP, "2001:db8::1", "fd00:1::5", CLS_NORMAL, ASUB_NONE },
	{ "any 0.0.0.0 to unicast", IF_INT_ANY, OK, IN, UDP, "0.0.0.0", "10.1.2.3", CLS_NORMAL, ASUB_NONE },
	{ "any global", IF_INT_ANY, OK, IN, UDP, "8.8.8.8", "10.1.2.3", CLS_NORMAL, ASUB_NONE },
	{ "any multicast src", IF_INT_ANY, OK, IN, UDP, "239.1.1.1", "10.1.2.3", CLS_BOGON_SRC, ASUB_MULTICAST },
	{ "any multicast v6 src", IF_INT_ANY, OK, IN, UDP, "ff0e::1", "fd00:1::5", CLS_BOGON_SRC, ASUB_MULTICAST },
	{ "any limited broadcast src", IF_INT_ANY, OK, IN, UDP, "255.255.255.255", "255.255.255.255", CLS_BOGON_SRC, ASUB_LIMITED_BROADCAST },
	{ "any loopback src", IF_INT_ANY, OK, IN, UDP, "127.0.0.1", "10.1.2.3", CLS_SPOOF_LOOPBACK_SRC, ASUB_LOOPBACK },
	{ "any own address", IF_INT_ANY, OK, IN, UDP, "10.1.2.3", "10.1.2.3", CLS_OWN_ADDR_SRC, ASUB_NONE },
};

#define N_CASES (sizeof(cases) / sizeof(cases[0]))

/* What every case reads: the host and the interfaces, built once from the tables. */
struct world {
	struct classify_ctx ctx;
	struct iface_info ifc[IF_COUNT];
};

static void parse_addr(const char *s, uint8_t out[16], uint8_t *family)
{
	struct prefix p;

	if (prefix_parse(s, 0, &p) != 0)
		fail_msg("test table: cannot parse `%s'", s);
	memcpy(out, p.addr, 16);
	*family = p.family;
}

static void build_world(struct world *w)
{
	size_t i, j;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < sizeof(host_addrs) / sizeof(host_addrs[0]); i++)
		if (prefix_parse(host_addrs[i], 0, &w->ctx.hostaddrs[w->ctx.n_hostaddrs++]) != 0)
			fail_msg("test table: cannot parse `%s'", host_addrs[i]);
	for (i = 0; i < IF_COUNT; i++) {
		strncpy(w->ifc[i].name, ifaces[i].name, sizeof(w->ifc[i].name) - 1);
		w->ifc[i].ifindex = (int)i + 1;
		w->ifc[i].role = ifaces[i].role;
		for (j = 0; ifaces[i].prefixes[j]; j++)
			if (prefix_parse(ifaces[i].prefixes[j], 0,
					 &w->ifc[i].prefixes[w->ifc[i].n_prefixes++]) != 0)
				fail_msg("test table: cannot parse `%s'", ifaces[i].prefixes[j]);
	}
}

static void build_record(const struct cls_case *c, struct pkt_record *rec)
{
	uint8_t fs, fd;

	memset(rec, 0, sizeof(*rec));
	rec->status = c->status;
	rec->dir = c->dir;
	rec->proto = c->proto;
	parse_addr(c->src, rec->src, &fs);
	parse_addr(c->dst, rec->dst, &fd);
	if (fs != fd)
		fail_msg("test table: %s: source and destination families differ", c->name);
	/* The decoder leaves family 0 when there is no network header. */
	rec->family = c->status == DEC_OK ? fs : 0;
}

static void test_case(void **state)
{
	const struct cls_case *c = *state;
	struct world w;
	struct pkt_record rec;
	struct classification out;

	build_world(&w);
	build_record(c, &rec);
	memset(&out, 0xa5, sizeof(out));	/* both fields must be written */
	classify_packet(&w.ctx, &w.ifc[c->ifc], &rec, &out);
	if (out.cls != c->cls || out.subclass != c->sub)
		fail_msg("%s: got %s/%s, expected %s/%s", c->name,
			 classify_class_name(out.cls) ? classify_class_name(out.cls) : "?",
			 addrclass_subclass_name(out.subclass) ? addrclass_subclass_name(out.subclass) : "?",
			 classify_class_name(c->cls), addrclass_subclass_name(c->sub));
}

static const struct {
	enum spoof_class cls;
	const char *name;
	int spoof;
} class_cases[] = {
	{ CLS_NORMAL, "normal", 0 },
	{ CLS_LOOPBACK_FLOW, "loopback_flow", 0 },
	{ CLS_SPOOF_LOOPBACK_SRC, "spoof_loopback_src", 1 },
	{ CLS_LOOPBACK_DST, "loopback_dst", 1 },
	{ CLS_OWN_ADDR_SRC, "own_addr_src", 1 },
	{ CLS_BOGON_SRC, "bogon_src", 1 },
	{ CLS_UNEXPECTED_SRC, "unexpected_src", 1 },
	{ CLS_RPF_FAIL, "rpf_fail", 1 },
	{ CLS_BACKSCATTER, "backscatter", 0 },	/* real replies, not forged packets */
	{ CLS_SUSPECT_SRC, "suspect_src", 1 },	/* statistical evidence of forged sources */
};

static void test_class_names(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(sizeof(class_cases) / sizeof(class_cases[0]), CLS_COUNT);
	for (i = 0; i < CLS_COUNT; i++) {
		assert_string_equal(classify_class_name(class_cases[i].cls), class_cases[i].name);
		assert_int_equal(!!classify_is_spoof(class_cases[i].cls), class_cases[i].spoof);
	}
	assert_null(classify_class_name(CLS_COUNT));
	assert_false(classify_is_spoof(CLS_COUNT));
}

static const struct {
	const char *text;
	int ok;
	enum iface_role role;
} role_cases[] = {
	{ "loopback", 1, ROLE_LOOPBACK },
	{ "external", 1, ROLE_EXTERNAL },
	{ "internal", 1, ROLE_INTERNAL },
	{ "Internal", 0, ROLE_LOOPBACK },
	{ "internal ", 0, ROLE_LOOPBACK },
	{ "int", 0, ROLE_LOOPBACK },
	{ "", 0, ROLE_LOOPBACK },
	{ "lo", 0, ROLE_LOOPBACK },
};

static void test_roles(void **state)
{
	enum iface_role r;
	size_t i;

	(void)state;
	assert_string_equal(classify_role_name(ROLE_LOOPBACK), "loopback");
	assert_string_equal(classify_role_name(ROLE_EXTERNAL), "external");
	assert_string_equal(classify_role_name(ROLE_INTERNAL), "internal");
	assert_null(classify_role_name((enum iface_role)3));
	for (i = 0; i < sizeof(role_cases) / sizeof(role_cases[0]); i++) {
		r = (enum iface_role)99;
		errno = 0;
		if (role_cases[i].ok) {
			assert_int_equal(classify_role_parse(role_cases[i].text, &r), 0);
			assert_int_equal(r, role_cases[i].role);
			assert_string_equal(classify_role_name(r), role_cases[i].text);
		} else {
			assert_int_equal(classify_role_parse(role_cases[i].text, &r), -1);
			assert_int_equal(errno, EINVAL);
			assert_int_equal(r, 99);
		}
	}
	assert_int_equal(classify_role_parse(NULL, &r), -1);
}

/* Without an interface the packet is judged as on an external one; without a context
 * the host has no addresses. */
static void test_null_context(void **state)
{
	struct pkt_record rec;
	struct classification out;
	static const struct cls_case own = { "own", IF_EXT, OK, IN, UDP, "93.184.216.34",
					     "93.184.216.34", CLS_NORMAL, ASUB_NONE };
	static const struct cls_case priv = { "priv", IF_EXT, OK, IN, UDP, "10.0.0.1",
					      "93.184.216.34", CLS_BOGON_SRC, ASUB_PRIVATE };

	(void)state;
	build_record(&own, &rec);
	classify_packet(NULL, NULL, &rec, &out);
	assert_int_equal(out.cls, CLS_NORMAL);
	build_record(&priv, &rec);
	classify_packet(NULL, NULL, &rec, &out);
	assert_int_equal(out.cls, CLS_BOGON_SRC);
	assert_int_equal(out.subclass, ASUB_PRIVATE);
}

/* Counts beyond the arrays are clamped, not trusted (ASan would catch an overrun). */
static void test_counts_clamped(void **state)
{
	static const struct cls_case c = { "clamp", IF_INT, OK, IN, UDP, "8.8.8.8",
					   "10.1.2.3", CLS_UNEXPECTED_SRC, ASUB_NONE };
	struct classify_ctx ctx;
	struct iface_info ifc;
	struct pkt_record rec;
	struct classification out;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	memset(&ifc, 0, sizeof(ifc));
	ctx.n_hostaddrs = CLASSIFY_MAX_HOSTADDRS + 1000;
	ifc.role = ROLE_INTERNAL;
	ifc.n_prefixes = CLASSIFY_MAX_PREFIXES + 1000;
	build_record(&c, &rec);
	classify_packet(&ctx, &ifc, &rec, &out);
	assert_int_equal(out.cls, CLS_UNEXPECTED_SRC);
}

/* Direction inference for frames without one: a destination the host holds means
 * received, else a source it holds means sent, else unknown; a known direction and an
 * undecoded packet are left alone. */
static void test_infer_dir(void **state)
{
	static const struct {
		const char *src, *dst;
		uint8_t status, dir_in, dir_out;
	} rows[] = {
		{ "8.8.8.8", "93.184.216.34", DEC_OK, DIR_UNKNOWN, DIR_IN },
		{ "93.184.216.34", "8.8.8.8", DEC_OK, DIR_UNKNOWN, DIR_OUT },
		{ "93.184.216.34", "10.1.2.3", DEC_OK, DIR_UNKNOWN, DIR_IN },	/* both held */
		{ "8.8.8.8", "1.1.1.1", DEC_OK, DIR_UNKNOWN, DIR_UNKNOWN },
		{ "2a00:1450:4001::5", "2001:4860::1", DEC_OK, DIR_UNKNOWN, DIR_OUT },
		{ "8.8.8.8", "93.184.216.34", DEC_OK, DIR_OUT, DIR_OUT },	/* known stays */
		{ "93.184.216.34", "8.8.8.8", DEC_OK, DIR_IN, DIR_IN },
		{ "8.8.8.8", "93.184.216.34", DEC_MALFORMED, DIR_UNKNOWN, DIR_UNKNOWN },
	};
	struct world w;
	size_t i;

	(void)state;
	build_world(&w);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct cls_case c = { "infer", IF_EXT, rows[i].status, rows[i].dir_in, UDP,
				      rows[i].src, rows[i].dst, CLS_NORMAL, ASUB_NONE };
		struct pkt_record rec;

		build_record(&c, &rec);
		classify_infer_dir(&w.ctx, &rec);
		if (rec.dir != rows[i].dir_out)
			fail_msg("row %zu: %s -> %s: dir %u, expected %u", i, rows[i].src,
				 rows[i].dst, rec.dir, rows[i].dir_out);
	}
}

int main(void)
{
	struct CMUnitTest table[N_CASES];
	const struct CMUnitTest misc[] = {
		cmocka_unit_test(test_class_names),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_null_context),
		cmocka_unit_test(test_counts_clamped),
		cmocka_unit_test(test_infer_dir),
	};
	size_t i;
	int failed = 0;

	/* One cmocka case per table row, named by the row. */
	for (i = 0; i < N_CASES; i++)
		table[i] = (struct CMUnitTest){ cases[i].name, test_case, NULL, NULL,
						(void *)&cases[i] };
	failed += cmocka_run_group_tests_name("classify_cases", table, NULL, NULL);
	failed += cmocka_run_group_tests_name("classify_names", misc, NULL, NULL);
	return failed ? 1 : 0;
}
