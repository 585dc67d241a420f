/* This file contains the name tables and small value parsers of the iptables parser:
 * protocols, ICMP types, TCP flags, conntrack states, address types, packet types,
 * known target extensions, numbers and addresses, each as iptables itself reads them. */
#include "policy/ipt_int.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Protocol names iptables knows without /etc/protocols (xtables_chain_protos) plus the
 * common /etc/protocols entries. The first name of a number is the one printed. */
static const struct {
	const char *name;
	uint8_t num;
} protos[] = {
	{"all", 0}, {"ip", 0}, {"icmp", 1}, {"igmp", 2}, {"ipencap", 4}, {"tcp", 6},
	{"egp", 8}, {"igp", 9}, {"pup", 12}, {"udp", 17}, {"hmp", 20}, {"xns-idp", 22},
	{"rdp", 27}, {"iso-tp4", 29}, {"dccp", 33}, {"xtp", 36}, {"ddp", 37},
	{"idpr-cmtp", 38}, {"ipv6", 41}, {"ipv6-route", 43}, {"ipv6-frag", 44},
	{"idrp", 45}, {"rsvp", 46}, {"gre", 47}, {"esp", 50}, {"ah", 51}, {"skip", 57},
	{"ipv6-icmp", 58}, {"icmpv6", 58}, {"ipv6-nonxt", 59}, {"ipv6-opts", 60},
	{"rspf", 73}, {"vmtp", 81}, {"eigrp", 88}, {"ospf", 89}, {"ax.25", 93},
	{"ipip", 94}, {"etherip", 97}, {"encap", 98}, {"pim", 103}, {"ipcomp", 108},
	{"vrrp", 112}, {"l2tp", 115}, {"isis", 124}, {"sctp", 132}, {"fc", 133},
	{"mh", 135}, {"ipv6-mh", 135}, {"mobility-header", 135}, {"udplite", 136},
	{"mpls-in-ip", 137}, {"manet", 138}, {"hip", 139}, {"shim6", 140}, {"wesp", 141},
	{"rohc", 142}, {"ethernet", 143},
};

int ipt_u32_parse(const char *s, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end != '\0' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int ipt_proto_parse(const char *s, uint8_t *proto)
{
	size_t i;
	uint32_t v;

	if (ipt_u32_parse(s, 255, &v) == 0) {
		*proto = (uint8_t)v;
		return 0;
	}
	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		if (strcasecmp(s, protos[i].name) == 0) {
			*proto = protos[i].num;
			return 0;
		}
	}
	return -1;
}

const char *ipt_proto_name(uint8_t proto)
{
	size_t i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
		if (protos[i].num == proto)
			return protos[i].name;
	return NULL;
}

/* libipt_icmp.c / libip6t_icmp6.c names: type, code range. */
struct icmp_name {
	const char *name;
	uint8_t type, lo, hi;
};

static const struct icmp_name icmp4_names[] = {
	{"any", 0xff, 0, 0xff},
	{"echo-reply", 0, 0, 0xff}, {"pong", 0, 0, 0xff},
	{"destination-unreachable", 3, 0, 0xff},
	{"network-unreachable", 3, 0, 0}, {"host-unreachable", 3, 1, 1},
	{"protocol-unreachable", 3, 2, 2}, {"port-unreachable", 3, 3, 3},
	{"fragmentation-needed", 3, 4, 4}, {"source-route-failed", 3, 5, 5},
	{"network-unknown", 3, 6, 6}, {"host-unknown", 3, 7, 7},
	{"network-prohibited", 3, 9, 9}, {"host-prohibited", 3, 10, 10},
	{"TOS-network-unreachable", 3, 11, 11}, {"TOS-host-unreachable", 3, 12, 12},
	{"communication-prohibited", 3, 13, 13}, {"host-precedence-violation", 3, 14, 14},
	{"precedence-cutoff", 3, 15, 15},
	{"source-quench", 4, 0, 0xff},
	{"redirect", 5, 0, 0xff}, {"network-redirect", 5, 0, 0}, {"host-redirect", 5, 1, 1},
	{"TOS-network-redirect", 5, 2, 2}, {"TOS-host-redirect", 5, 3, 3},
	{"echo-request", 8, 0, 0xff}, {"ping", 8, 0, 0xff},
	{"router-advertisement", 9, 0, 0xff}, {"router-solicitation", 10, 0, 0xff},
	{"time-exceeded", 11, 0, 0xff}, {"ttl-exceeded", 11, 0, 0xff},
	{"ttl-zero-during-transit", 11, 0, 0}, {"ttl-zero-during-reassembly", 11, 1, 1},
	{"parameter-problem", 12, 0, 0xff}, {"ip-header-bad", 12, 0, 0},
	{"required-option-missing", 12, 1, 1},
	{"timestamp-request", 13, 0, 0xff}, {"timestamp-reply", 14, 0, 0xff},
	{"address-mask-request", 17, 0, 0xff}, {"address-mask-reply", 18, 0, 0xff},
};

static const struct icmp_name icmp6_names[] = {
	{"destination-unreachable", 1, 0, 0xff}, {"no-route", 1, 0, 0},
	{"communication-prohibited", 1, 1, 1}, {"beyond-scope", 1, 2, 2},
	{"address-unreachable", 1, 3, 3}, {"port-unreachable", 1, 4, 4},
	{"failed-policy", 1, 5, 5}, {"reject-route", 1, 6, 6},
	{"packet-too-big", 2, 0, 0xff},
	{"time-exceeded", 3, 0, 0xff}, {"ttl-exceeded", 3, 0, 0xff},
	{"ttl-zero-during-transit", 3, 0, 0}, {"ttl-zero-during-reassembly", 3, 1, 1},
	{"parameter-problem", 4, 0, 0xff}, {"bad-header", 4, 0, 0},
	{"unknown-header-type", 4, 1, 1}, {"unknown-option", 4, 2, 2},
	{"echo-request", 128, 0, 0xff}, {"ping", 128, 0, 0xff},
	{"echo-reply", 129, 0, 0xff}, {"pong", 129, 0, 0xff},
	{"mld-listener-query", 130, 0, 0xff}, {"mld-listener-report", 131, 0, 0xff},
	{"mld-listener-done", 132, 0, 0xff}, {"mld-listener-reduction", 132, 0, 0xff},
	{"router-solicitation", 133, 0, 0xff}, {"router-advertisement", 134, 0, 0xff},
	{"neighbour-solicitation", 135, 0, 0xff}, {"neighbor-solicitation", 135, 0, 0xff},
	{"neighbour-advertisement", 136, 0, 0xff}, {"neighbor-advertisement", 136, 0, 0xff},
	{"redirect", 137, 0, 0xff},
};

int ipt_icmp_parse(const char *s, int v6, uint8_t *type, uint8_t *lo, uint8_t *hi, uint8_t *any)
{
	const struct icmp_name *tab = v6 ? icmp6_names : icmp4_names;
	size_t n = v6 ? sizeof(icmp6_names) / sizeof(icmp6_names[0])
		      : sizeof(icmp4_names) / sizeof(icmp4_names[0]);
	char buf[32];
	char *slash;
	uint32_t t, c;
	size_t i;

	*any = 0;
	for (i = 0; i < n; i++) {
		/* iptables compares a prefix of the table names (strncasecmp with the
		 * input's length) and rejects ambiguity; exact names are what -save writes. */
		if (strcasecmp(s, tab[i].name) == 0) {
			*type = tab[i].type;
			*lo = tab[i].lo;
			*hi = tab[i].hi;
			*any = !v6 && tab[i].type == 0xff;
			return 0;
		}
	}
	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (ipt_u32_parse(buf, 255, &t) != 0)
		return -1;
	*type = (uint8_t)t;
	*lo = 0;
	*hi = 0xff;
	if (slash) {
		if (ipt_u32_parse(slash + 1, 255, &c) != 0)
			return -1;
		*lo = *hi = (uint8_t)c;
	}
	return 0;
}

/* A name of a bit set (TCP flags, address types) and its bits. */
struct name_bit {
	const char *name;
	uint32_t bits;
};

static const struct name_bit tcpflags[] = {
	{"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08},
	{"ACK", 0x10}, {"URG", 0x20}, {"ALL", 0x3f}, {"NONE", 0},
};

/* Parses a comma list of names from tab into a bit mask; -1 on an unknown name or an
 * empty element. */
/* A comma list of names of tab (case-insensitive) into the OR of their bits. */
static int names_parse(const char *s, const struct name_bit *tab, size_t ntab, uint32_t *out)
{
	char buf[256];
	char *p, *save = NULL;
	uint32_t acc = 0;
	size_t i;

	if (strlen(s) >= sizeof(buf) || s[0] == '\0' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return -1;
	strcpy(buf, s);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < ntab && strcasecmp(p, tab[i].name) != 0; i++)
			;
		if (i == ntab)
			return -1;
		acc |= tab[i].bits;
	}
	*out = acc;
	return 0;
}

/* The names of the first ntab entries of tab whose bits are in mask, comma-separated. */
static void names_print(uint32_t mask, const struct name_bit *tab, size_t ntab, char *buf,
			size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < ntab; i++) {
		if (mask & tab[i].bits) {
			int n = snprintf(buf + off, len - off, "%s%s", off ? "," : "", tab[i].name);

			if (n < 0 || (size_t)n >= len - off)
				return;
			off += (size_t)n;
		}
	}
}


int ipt_tcpflags_parse(const char *s, uint8_t *flags)
{
	uint32_t v;

	if (names_parse(s, tcpflags, sizeof(tcpflags) / sizeof(tcpflags[0]), &v) != 0)
		return -1;
	*flags = (uint8_t)v;
	return 0;
}

void ipt_tcpflags_print(uint8_t flags, char *buf, size_t len)
{
	if (flags == 0)
		snprintf(buf, len, "NONE");
	else
		names_print(flags, tcpflags, 6, buf, len);	/* the six single flags */
}

static const struct {
	const char *name;
	uint8_t bit;
	uint8_t ct_only;	/* only conntrack --ctstate knows it */
} ctstates[] = {
	{"INVALID", IPT_CTS_INVALID, 0}, {"NEW", IPT_CTS_NEW, 0},
	{"RELATED", IPT_CTS_RELATED, 0}, {"ESTABLISHED", IPT_CTS_ESTABLISHED, 0},
	{"UNTRACKED", IPT_CTS_UNTRACKED, 0}, {"SNAT", IPT_CTS_SNAT, 1},
	{"DNAT", IPT_CTS_DNAT, 1},
};

int ipt_ctstate_parse(const char *s, int conntrack, uint8_t *mask)
{
	char buf[256];
	char *p, *save = NULL;
	uint8_t acc = 0;
	size_t i;

	if (strlen(s) >= sizeof(buf) || s[0] == '\0' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
		return -1;
	strcpy(buf, s);
	for (p = strtok_r(buf, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(ctstates) / sizeof(ctstates[0]); i++)
			if (strcasecmp(p, ctstates[i].name) == 0 && (conntrack || !ctstates[i].ct_only))
				break;
		if (i == sizeof(ctstates) / sizeof(ctstates[0]))
			return -1;
		acc |= ctstates[i].bit;
	}
	*mask = acc;
	return 0;
}

void ipt_ctstate_print(uint8_t mask, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(ctstates) / sizeof(ctstates[0]); i++) {
		if (mask & ctstates[i].bit) {
			int n = snprintf(buf + off, len - off, "%s%s", off ? "," : "", ctstates[i].name);

			if (n < 0 || (size_t)n >= len - off)
				return;
			off += (size_t)n;
		}
	}
}

static const struct name_bit rtn_names[IPT_RTN_MAX + 1] = {
	{"UNSPEC", 1u << 0},	   {"UNICAST", 1u << 1},     {"LOCAL", 1u << 2},
	{"BROADCAST", 1u << 3},	   {"ANYCAST", 1u << 4},     {"MULTICAST", 1u << 5},
	{"BLACKHOLE", 1u << 6},	   {"UNREACHABLE", 1u << 7}, {"PROHIBIT", 1u << 8},
	{"THROW", 1u << 9},	   {"NAT", 1u << 10},	     {"XRESOLVE", 1u << 11},
};


int ipt_addrtype_parse(const char *s, uint16_t *mask)
{
	uint32_t v;

	if (names_parse(s, rtn_names, IPT_RTN_MAX + 1, &v) != 0)
		return -1;
	*mask = (uint16_t)v;
	return 0;
}

void ipt_addrtype_print(uint16_t mask, char *buf, size_t len)
{
	names_print(mask, rtn_names, IPT_RTN_MAX + 1, buf, len);
}

static const char *const pkttype_names[] = {
	[IPT_PKT_HOST] = "unicast",
	[IPT_PKT_BROADCAST] = "broadcast",
	[IPT_PKT_MULTICAST] = "multicast",
	[IPT_PKT_OTHERHOST] = "otherhost",
};

int ipt_pkttype_parse(const char *s, uint8_t *type)
{
	uint8_t i;

	if (strcasecmp(s, "host") == 0) {
		*type = IPT_PKT_HOST;
		return 0;
	}
	for (i = 0; i < sizeof(pkttype_names) / sizeof(pkttype_names[0]); i++) {
		if (strcasecmp(s, pkttype_names[i]) == 0) {
			*type = i;
			return 0;
		}
	}
	return -1;
}

const char *ipt_pkttype_name(uint8_t type)
{
	return type < sizeof(pkttype_names) / sizeof(pkttype_names[0]) ? pkttype_names[type] : "?";
}

/* Target extensions of iptables 1.8 (extensions/libxt_*.c, libipt_*, libip6t_*) and the
 * common xtables-addons ones: a -j to one of these names is not a chain. */
static const char *const known_targets[] = {
	"ACCOUNT", "AUDIT", "CHAOS", "CHECKSUM", "CLASSIFY", "CLUSTERIP", "CONNMARK",
	"CONNSECMARK", "CT", "DELUDE", "DHCPMAC", "DNAT", "DNETMAP", "DNPT", "DSCP", "ECHO",
	"ECN", "HL", "HMARK", "IDLETIMER", "IPMARK", "LED", "LOG", "LOGMARK", "MARK",
	"MASQUERADE", "MIRROR", "NETMAP", "NFLOG", "NFQUEUE", "NOTRACK", "PROTO", "QUEUE",
	"RATEEST", "REDIRECT", "REJECT", "SAME", "SECMARK", "SET", "SNAT", "SNPT", "STEAL",
	"SYNPROXY", "SYSRQ", "TARPIT", "TCPMSS", "TCPOPTSTRIP", "TEE", "TOS", "TPROXY",
	"TRACE", "TTL", "ULOG",
};

/* The match extensions iptables 1.8.9 (Debian package iptables 1.8.9-2) ships, produced
 * once from the file names of /usr/lib/x86_64-linux-gnu/xtables with
 *   for p in xt ipt ip6t; do ls lib${p}_*.so | sed "s/^lib${p}_//; s/\.so$//" | grep '^[a-z]'; done
 * (lower-case names are matches, upper-case ones targets; "standard" is the built-in
 * target). iptables-restore refuses "-m NAME" for any other name ("Couldn't load match").
 * Spoofaudit never reads that directory: tests run where iptables is absent. The
 * xtables-addons matches follow, for the same reason known_targets lists its targets:
 * an installed package makes iptables load them. */
static const char *const xt_matches[] = {	/* libxt_*: both families */
	"addrtype", "bpf", "cgroup", "cluster", "comment", "connbytes", "connlabel", "connlimit",
	"connmark", "conntrack", "cpu", "dccp", "devgroup", "dscp", "ecn", "esp", "hashlimit",
	"helper", "ipcomp", "iprange", "ipvs", "length", "limit", "mac", "mark", "multiport",
	"nfacct", "osf", "owner", "physdev", "pkttype", "policy", "quota", "rateest", "recent",
	"rpfilter", "sctp", "set", "socket", "state", "statistic", "string", "tcp", "tcpmss",
	"time", "tos", "u32", "udp",
	/* xtables-addons */
	"account", "condition", "dhcpmac", "fuzzy", "geoip", "gradm", "iface", "ipp2p",
	"ipv4options", "length2", "lscan", "pknock", "psd", "quota2",
};
static const char *const ipt4_matches[] = {"ah", "icmp", "realm", "ttl"};	/* libipt_* */
static const char *const ipt6_matches[] = {	/* libip6t_*, and xtables.c's icmp6 aliases */
	"ah", "dst", "eui64", "frag", "hbh", "hl", "icmp6", "ipv6header", "mh", "rt", "srh",
	"icmpv6", "ipv6-icmp",
};

static int in_array(const char *const *a, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(a[i], s) == 0)
			return 1;
	return 0;
}

int ipt_match_exists(const char *name, int family)
{
	if (in_array(xt_matches, sizeof(xt_matches) / sizeof(xt_matches[0]), name))
		return 1;
	if (family != 6 && in_array(ipt4_matches, sizeof(ipt4_matches) / sizeof(ipt4_matches[0]), name))
		return 1;
	return family != 4 && in_array(ipt6_matches, sizeof(ipt6_matches) / sizeof(ipt6_matches[0]), name);
}

int ipt_target_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(known_targets) / sizeof(known_targets[0]); i++)
		if (strcmp(name, known_targets[i]) == 0)
			return 1;
	return 0;
}

static const char *const table_names[IPT_TABLE_COUNT] = {
	"raw", "mangle", "nat", "filter", "security",
};
static const char *const hook_names[IPT_HOOK_COUNT] = {
	"PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING",
};
/* Built-in chains of each table (bit per hook). */
static const uint8_t table_hooks[IPT_TABLE_COUNT] = {
	[IPT_TABLE_RAW] = (1 << IPT_HOOK_PREROUTING) | (1 << IPT_HOOK_OUTPUT),
	[IPT_TABLE_MANGLE] = 0x1f,
	[IPT_TABLE_NAT] = (1 << IPT_HOOK_PREROUTING) | (1 << IPT_HOOK_INPUT) |
			  (1 << IPT_HOOK_OUTPUT) | (1 << IPT_HOOK_POSTROUTING),
	[IPT_TABLE_FILTER] = (1 << IPT_HOOK_INPUT) | (1 << IPT_HOOK_FORWARD) | (1 << IPT_HOOK_OUTPUT),
	[IPT_TABLE_SECURITY] = (1 << IPT_HOOK_INPUT) | (1 << IPT_HOOK_FORWARD) |
			       (1 << IPT_HOOK_OUTPUT),
};

const char *ipt_table_name(enum ipt_table t)
{
	return (unsigned)t < IPT_TABLE_COUNT ? table_names[t] : NULL;
}

const char *ipt_hook_name(enum ipt_hook h)
{
	return (unsigned)h < IPT_HOOK_COUNT ? hook_names[h] : NULL;
}

const char *ipt_verdict_name(enum ipt_verdict v)
{
	static const char *const names[] = {"ACCEPT", "DROP", "REJECT", "UNKNOWN"};

	return (unsigned)v <= IPT_V_UNKNOWN ? names[v] : NULL;
}

int ipt_table_parse(const char *s)
{
	int i;

	for (i = 0; i < IPT_TABLE_COUNT; i++)
		if (strcmp(s, table_names[i]) == 0)
			return i;
	return -1;
}

int ipt_hook_parse(const char *s)
{
	int i;

	for (i = 0; i < IPT_HOOK_COUNT; i++)
		if (strcmp(s, hook_names[i]) == 0)
			return i;
	return -1;
}

int ipt_hook_valid(int table, int hook)
{
	if (table < 0 || table >= IPT_TABLE_COUNT || hook < 0 || hook >= IPT_HOOK_COUNT)
		return 0;
	return (table_hooks[table] >> hook) & 1;
}

/* xtables __numeric_to_ipaddr: 1 to 4 dotted parts (base 0: 0x hex, 0 octal), missing
 * trailing parts are zero ("10.1" is 10.1.0.0). A mask needs all four. */
static int ipv4_parse(const char *s, int is_mask, uint8_t out[4])
{
	char buf[20];
	char *p = buf, *q;
	uint32_t v;
	int i;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	memset(out, 0, 4);
	for (i = 0; i < 3; i++) {
		q = strchr(p, '.');
		if (!q) {
			if (is_mask || ipt_u32_parse(p, 255, &v) != 0)
				return -1;
			out[i] = (uint8_t)v;
			return 0;
		}
		*q = '\0';
		if (ipt_u32_parse(p, 255, &v) != 0)
			return -1;
		out[i] = (uint8_t)v;
		p = q + 1;
	}
	if (ipt_u32_parse(p, 255, &v) != 0)
		return -1;
	out[3] = (uint8_t)v;
	return 0;
}

int ipt_addr_parse(const char *s, int family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (family == 4)
		return ipv4_parse(s, 0, addr);
	if (!strchr(s, ':'))
		return -1;
	return inet_pton(AF_INET6, s, addr) == 1 ? 0 : -1;
}

static int mask_plen(const uint8_t mask[16], int bytes)
{
	int i, plen = 0, seen_zero = 0;

	for (i = 0; i < bytes * 8; i++) {
		int bit = (mask[i / 8] >> (7 - i % 8)) & 1;

		if (bit && seen_zero)
			return -1;
		if (bit)
			plen++;
		else
			seen_zero = 1;
	}
	return plen;
}

int ipt_net_parse(const char *s, int family, struct ipt_net *n)
{
	char buf[64];
	char *slash;
	int bytes = family == 4 ? 4 : 16, i;
	uint32_t plen;

	if (strlen(s) >= sizeof(buf) || s[0] == '\0')
		return -1;
	strcpy(buf, s);
	memset(n, 0, sizeof(*n));
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (ipt_addr_parse(buf, family, n->addr) != 0)
		return -1;
	if (!slash) {
		plen = (uint32_t)bytes * 8;
	} else if (strchr(slash, family == 4 ? '.' : ':')) {
		if (family == 4 ? ipv4_parse(slash, 1, n->mask) != 0
				: inet_pton(AF_INET6, slash, n->mask) != 1)
			return -1;
		n->plen = (int16_t)mask_plen(n->mask, bytes);
		for (i = 0; i < bytes; i++)
			n->addr[i] &= n->mask[i];
		return 0;
	} else if (ipt_u32_parse(slash, (uint32_t)bytes * 8, &plen) != 0) {
		return -1;
	}
	n->plen = (int16_t)plen;
	for (i = 0; i < bytes; i++) {
		unsigned lo = (unsigned)i * 8;

		if (lo + 8 <= plen)
			n->mask[i] = 0xff;
		else if (lo < plen)
			n->mask[i] = (uint8_t)(0xff << (8 - (plen - lo)));
		n->addr[i] &= n->mask[i];
	}
	return 0;
}

void ipt_net_print(const struct ipt_net *n, int family, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], m[INET6_ADDRSTRLEN];
	int af = family == 4 ? AF_INET : AF_INET6;

	if (!inet_ntop(af, n->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (n->plen >= 0) {
		snprintf(buf, len, "%s/%d", a, n->plen);
		return;
	}
	if (!inet_ntop(af, n->mask, m, sizeof(m)))
		snprintf(m, sizeof(m), "?");
	snprintf(buf, len, "%s/%s", a, m);
}

int ipt_markval_parse(const char *s, uint32_t *value, uint32_t *mask)
{
	char buf[64];
	char *slash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	*mask = UINT32_MAX;
	if (ipt_u32_parse(buf, UINT32_MAX, value) != 0)
		return -1;
	if (slash && ipt_u32_parse(slash + 1, UINT32_MAX, mask) != 0)
		return -1;
	return 0;
}
