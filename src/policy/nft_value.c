/* This file parses the right-hand values of nft JSON expressions into the big-endian
 * register form of nft_int.h: addresses, prefixes, ranges, numbers, and the symbolic
 * constants nft prints (protocol, ct state, tcp flag, icmp type, pkttype, nfproto names). */
#include "policy/nft_int.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ipt_int.h"

static const uint8_t flen[NF_COUNT] = {
	[NF_IP_SADDR] = 4, [NF_IP_DADDR] = 4, [NF_IP6_SADDR] = 16, [NF_IP6_DADDR] = 16,
	[NF_IP_PROTO] = 1, [NF_IP6_NH] = 1, [NF_L4PROTO] = 1, [NF_NFPROTO] = 1,
	[NF_TCP_SPORT] = 2, [NF_TCP_DPORT] = 2, [NF_UDP_SPORT] = 2, [NF_UDP_DPORT] = 2,
	[NF_TH_SPORT] = 2, [NF_TH_DPORT] = 2, [NF_TCP_FLAGS] = 1, [NF_ICMP_TYPE] = 1,
	[NF_ICMP_CODE] = 1, [NF_ICMP6_TYPE] = 1, [NF_ICMP6_CODE] = 1, [NF_IIFNAME] = 16,
	[NF_OIFNAME] = 16, [NF_IIF] = 16, [NF_OIF] = 16, [NF_PKTTYPE] = 1, [NF_CT_STATE] = 4,
};

int nft_field_len(int f)
{
	return f >= 0 && f < NF_COUNT ? flen[f] : 0;
}

struct sym {
	const char *name;
	unsigned v;
};

static const struct sym ctstates[] = {
	{"invalid", NFT_CTS_INVALID}, {"established", NFT_CTS_ESTABLISHED},
	{"related", NFT_CTS_RELATED}, {"new", NFT_CTS_NEW}, {"untracked", NFT_CTS_UNTRACKED},
	{NULL, 0}};
static const struct sym tcpflags[] = {
	{"fin", 0x01}, {"syn", 0x02}, {"rst", 0x04}, {"psh", 0x08}, {"ack", 0x10}, {"urg", 0x20},
	{"ecn", 0x40}, {"cwr", 0x80}, {NULL, 0}};
static const struct sym pkttypes[] = {
	{"host", 0}, {"broadcast", 1}, {"multicast", 2}, {"other", 3}, {NULL, 0}};
static const struct sym nfprotos[] = {{"ipv4", 2}, {"ipv6", 10}, {NULL, 0}};
static const struct sym icmptypes[] = {
	{"echo-reply", 0}, {"destination-unreachable", 3}, {"source-quench", 4},
	{"redirect", 5}, {"echo-request", 8}, {"router-advertisement", 9},
	{"router-solicitation", 10}, {"time-exceeded", 11}, {"parameter-problem", 12},
	{"timestamp-request", 13}, {"timestamp-reply", 14}, {"info-request", 15},
	{"info-reply", 16}, {"address-mask-request", 17}, {"address-mask-reply", 18},
	{NULL, 0}};
static const struct sym icmp6types[] = {
	{"destination-unreachable", 1}, {"packet-too-big", 2}, {"time-exceeded", 3},
	{"parameter-problem", 4}, {"echo-request", 128}, {"echo-reply", 129},
	{"mld-listener-query", 130}, {"mld-listener-report", 131}, {"mld-listener-done", 132},
	{"mld-listener-reduction", 132}, {"nd-router-solicit", 133}, {"nd-router-advert", 134},
	{"nd-neighbor-solicit", 135}, {"nd-neighbor-advert", 136}, {"nd-redirect", 137},
	{"router-renumbering", 138}, {"ind-neighbor-solicit", 141}, {"ind-neighbor-advert", 142},
	{"mld2-listener-report", 143}, {NULL, 0}};

static int sym_find(const struct sym *t, const char *s, unsigned *v)
{
	for (; t->name; t++)
		if (strcmp(t->name, s) == 0) {
			*v = t->v;
			return 0;
		}
	return -1;
}

static const struct sym *sym_table(int f)
{
	switch (f) {
	case NF_CT_STATE:
		return ctstates;
	case NF_TCP_FLAGS:
		return tcpflags;
	case NF_PKTTYPE:
		return pkttypes;
	case NF_NFPROTO:
		return nfprotos;
	case NF_ICMP_TYPE:
		return icmptypes;
	case NF_ICMP6_TYPE:
		return icmp6types;
	default:
		return NULL;
	}
}

static void put_be(uint8_t *out, int len, unsigned long long v)
{
	int i;

	for (i = len - 1; i >= 0; i--, v >>= 8)
		out[i] = (uint8_t)v;
}

static int is_addr(int f)
{
	return f <= NF_IP6_DADDR;
}

static int is_ifname(int f)
{
	return f == NF_IIFNAME || f == NF_OIFNAME || f == NF_IIF || f == NF_OIF;
}

/* A scalar (number or name) of field f; a list of flag names is their OR. */
static int scalar(json_t *v, int f, uint8_t *out)
{
	int len = flen[f];
	const struct sym *t = sym_table(f);
	unsigned u = 0, w;
	size_t i;
	json_t *e;

	if (json_is_integer(v)) {
		json_int_t n = json_integer_value(v);

		if (n < 0 || (len < 8 && (unsigned long long)n >> (8 * len)))
			return -1;
		put_be(out, len, (unsigned long long)n);
		return 0;
	}
	if (json_is_array(v) && (f == NF_CT_STATE || f == NF_TCP_FLAGS)) {
		json_array_foreach(v, i, e) {
			if (!json_is_string(e) || sym_find(t, json_string_value(e), &w) < 0)
				return -1;
			u |= w;
		}
		put_be(out, len, u);
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	if (f == NF_IP_PROTO || f == NF_IP6_NH || f == NF_L4PROTO) {
		uint8_t p;

		if (ipt_proto_parse(json_string_value(v), &p) < 0)
			return -1;
		out[0] = p;
		return 0;
	}
	if (!t || sym_find(t, json_string_value(v), &u) < 0)
		return -1;
	put_be(out, len, u);
	return 0;
}

static int addr(const char *s, int f, uint8_t *out)
{
	return inet_pton(flen[f] == 4 ? AF_INET : AF_INET6, s, out) == 1 ? 0 : -1;
}

/* The interval of a prefix: lo keeps the network bits, hi sets the host bits. */
static int prefix(json_t *p, int f, uint8_t *lo, uint8_t *hi)
{
	json_t *a = json_object_get(p, "addr"), *l = json_object_get(p, "len");
	int len = flen[f], n, i;

	if (!is_addr(f) || !json_is_string(a) || !json_is_integer(l))
		return -1;
	n = (int)json_integer_value(l);
	if (n < 0 || n > 8 * len || addr(json_string_value(a), f, lo) < 0)
		return -1;
	for (i = 0; i < len; i++) {
		int keep = n - 8 * i;
		uint8_t m = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));

		lo[i] &= m;
		hi[i] = (uint8_t)(lo[i] | ~m);
	}
	return 0;
}

int nft_value_parse(json_t *v, int f, uint8_t *lo, uint8_t *hi)
{
	int len = nft_field_len(f);
	json_t *r;

	if (!len)
		return -1;
	memset(lo, 0, (size_t)len);
	if (json_is_object(v) && (r = json_object_get(v, "prefix")))
		return prefix(r, f, lo, hi);
	if (json_is_object(v) && (r = json_object_get(v, "range"))) {
		if (!json_is_array(r) || json_array_size(r) != 2 ||
		    nft_value_parse(json_array_get(r, 0), f, lo, hi) < 0 ||
		    nft_value_parse(json_array_get(r, 1), f, hi, hi) < 0)
			return -1;
		return memcmp(lo, hi, (size_t)len) <= 0 ? 0 : -1;
	}
	if (is_addr(f)) {
		if (!json_is_string(v) || addr(json_string_value(v), f, lo) < 0)
			return -1;
	} else if (is_ifname(f)) {
		const char *s = json_string_value(v);
		size_t n = s ? strlen(s) : 0;

		if (!s || n == 0 || n >= IPT_IFNAMSIZ)
			return -1;
		memcpy(lo, s, n);
		if (s[n - 1] == '*' && f != NF_IIF && f != NF_OIF) {
			lo[n - 1] = 0;
			memcpy(hi, lo, (size_t)len);
			memset(hi + n - 1, 0xff, (size_t)len - (n - 1));
			return 0;
		}
	} else if (scalar(v, f, lo) < 0) {
		return -1;
	}
	if (hi != lo)
		memcpy(hi, lo, (size_t)len);
	return 0;
}

/* nftables 1.0.6 lists two comparisons of one field in a row as a range
 * (netlink_delinearize.c): `>= a <= b` as "a-b", `< a > b` as "!= a-b", whatever a and
 * b are. The kernel runs the comparisons, so a reversed range (a > b), which nft refuses
 * to read back ("Range has zero or negative size"), is what they select: `>= a <= b`
 * nothing, `< a > b` the values b+1 .. a-1 (nothing when a = b + 1). For v, a "range"
 * of field f compared with op ne (0: ==), 1 with the values in lo .. hi (empty: *none
 * set), 0 when it is no reversed range (the caller parses it as one). The listing of
 * `< a > b` with a <= b, a comparison that selects nothing, reads as the range
 * comparison `!= a-b`: nft's listing cannot tell them apart. */
int nft_value_reversed(json_t *v, int f, int ne, uint8_t *lo, uint8_t *hi, int *none)
{
	uint8_t a[NFT_KEY_MAX], b[NFT_KEY_MAX], t[NFT_KEY_MAX];
	json_t *r = json_is_object(v) ? json_object_get(v, "range") : NULL;
	int len = nft_field_len(f), i;

	if (!len || !json_is_array(r) || json_array_size(r) != 2 ||
	    nft_value_parse(json_array_get(r, 0), f, a, t) < 0 ||
	    nft_value_parse(json_array_get(r, 1), f, b, t) < 0 || memcmp(a, b, (size_t)len) <= 0)
		return 0;
	*none = 1;
	if (!ne)
		return 1;
	/* b < a: b + 1 and a - 1 neither wrap; big-endian byte arithmetic */
	for (i = len - 1; i >= 0 && ++b[i] == 0; i--)
		;
	for (i = len - 1; i >= 0 && a[i]-- == 0; i--)
		;
	if (memcmp(b, a, (size_t)len) <= 0) {
		memcpy(lo, b, (size_t)len);
		memcpy(hi, a, (size_t)len);
		*none = 0;
	}
	return 1;
}

int nft_devs_add(char **devs, const char *dev)
{
	size_t had = *devs ? strlen(*devs) : 0, n = strlen(dev);
	char *p = realloc(*devs, had + n + 2);

	if (!p)
		return -1;
	memcpy(p + had, dev, n);
	p[had + n] = '\n';
	p[had + n + 1] = '\0';
	*devs = p;
	return 0;
}

int nft_devs_has(const char *devs, const char *name)
{
	size_t n = strlen(name);
	const char *p = devs;

	while (p && *p) {
		const char *e = strchr(p, '\n');

		if (e && (size_t)(e - p) == n && !memcmp(p, name, n))
			return 1;
		p = e ? e + 1 : NULL;
	}
	return 0;
}
