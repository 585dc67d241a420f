/* This file knows where nft's payload fields lie in the headers, for the loader (which
 * fields the model reads), the payload merge (nft_merge.c: which fields are adjacent) and
 * raw payload expressions.
 *
 * A raw expression `@base,offset,length` is what nft lists for a load it cannot name.
 * nftables 1.0.6 lists `th sport != 1000 th dport != 2000` (joined into one 4-byte load,
 * see nft_merge.c) and `th sport 1 th dport 2` as `@th,0,32 != 0x3e807d0` and
 * `@th,0,32 0x10002`: `th` carries no protocol to split the load by (seen with
 * `nft --debug=netlink` and `nft -j list ruleset` in a namespace). nft_raw_rewrite()
 * names such a load again as the fields it covers, when they are fields the model reads
 * and do not depend on the family (th sport, th dport), so the rule is evaluated rather
 * than unknown. */
#include "policy/nft_int.h"

#include <jansson.h>
#include <string.h>

/* Header fields by (protocol, field): the model's field (-1: not read), base (0 link,
 * 1 network, 2 transport), offset and length in bits (nftables src/proto.c templates). */
static const struct nft_hfield hfields[] = {
	{"ether", "daddr", -1, 0, 0, 48}, {"ether", "saddr", -1, 0, 48, 48},
	{"ether", "type", -1, 0, 96, 16}, {"vlan", "pcp", -1, 0, 112, 3},
	{"vlan", "cfi", -1, 0, 115, 1}, {"vlan", "dei", -1, 0, 115, 1},
	{"vlan", "id", -1, 0, 116, 12}, {"vlan", "type", -1, 0, 128, 16},
	{"ip", "version", -1, 1, 0, 4}, {"ip", "hdrlength", -1, 1, 4, 4},
	{"ip", "dscp", -1, 1, 8, 6}, {"ip", "ecn", -1, 1, 14, 2}, {"ip", "length", -1, 1, 16, 16},
	{"ip", "id", -1, 1, 32, 16}, {"ip", "frag-off", -1, 1, 48, 16}, {"ip", "ttl", -1, 1, 64, 8},
	{"ip", "protocol", NF_IP_PROTO, 1, 72, 8}, {"ip", "checksum", -1, 1, 80, 16},
	{"ip", "saddr", NF_IP_SADDR, 1, 96, 32}, {"ip", "daddr", NF_IP_DADDR, 1, 128, 32},
	{"ip6", "version", -1, 1, 0, 4}, {"ip6", "dscp", -1, 1, 4, 6}, {"ip6", "ecn", -1, 1, 10, 2},
	{"ip6", "flowlabel", -1, 1, 12, 20}, {"ip6", "length", -1, 1, 32, 16},
	{"ip6", "nexthdr", NF_IP6_NH, 1, 48, 8}, {"ip6", "hoplimit", -1, 1, 56, 8},
	{"ip6", "saddr", NF_IP6_SADDR, 1, 64, 128}, {"ip6", "daddr", NF_IP6_DADDR, 1, 192, 128},
	{"tcp", "sport", NF_TCP_SPORT, 2, 0, 16}, {"tcp", "dport", NF_TCP_DPORT, 2, 16, 16},
	{"tcp", "sequence", -1, 2, 32, 32}, {"tcp", "ackseq", -1, 2, 64, 32},
	{"tcp", "doff", -1, 2, 96, 4}, {"tcp", "reserved", -1, 2, 100, 4},
	{"tcp", "flags", NF_TCP_FLAGS, 2, 104, 8}, {"tcp", "window", -1, 2, 112, 16},
	{"tcp", "checksum", -1, 2, 128, 16}, {"tcp", "urgptr", -1, 2, 144, 16},
	{"udp", "sport", NF_UDP_SPORT, 2, 0, 16}, {"udp", "dport", NF_UDP_DPORT, 2, 16, 16},
	{"udp", "length", -1, 2, 32, 16}, {"udp", "checksum", -1, 2, 48, 16},
	{"udplite", "sport", -1, 2, 0, 16}, {"udplite", "dport", -1, 2, 16, 16},
	{"udplite", "csumcov", -1, 2, 32, 16}, {"udplite", "checksum", -1, 2, 48, 16},
	{"th", "sport", NF_TH_SPORT, 2, 0, 16}, {"th", "dport", NF_TH_DPORT, 2, 16, 16},
	{"sctp", "sport", -1, 2, 0, 16}, {"sctp", "dport", -1, 2, 16, 16},
	{"sctp", "vtag", -1, 2, 32, 32}, {"sctp", "checksum", -1, 2, 64, 32},
	{"dccp", "sport", -1, 2, 0, 16}, {"dccp", "dport", -1, 2, 16, 16},
	{"icmp", "type", NF_ICMP_TYPE, 2, 0, 8}, {"icmp", "code", NF_ICMP_CODE, 2, 8, 8},
	{"icmp", "checksum", -1, 2, 16, 16}, {"icmp", "id", -1, 2, 32, 16},
	{"icmp", "sequence", -1, 2, 48, 16}, {"icmp", "gateway", -1, 2, 32, 32},
	{"icmp", "mtu", -1, 2, 48, 16},
	{"icmpv6", "type", NF_ICMP6_TYPE, 2, 0, 8}, {"icmpv6", "code", NF_ICMP6_CODE, 2, 8, 8},
	{"icmpv6", "checksum", -1, 2, 16, 16}, {"icmpv6", "parameter-problem", -1, 2, 32, 32},
	{"icmpv6", "mtu", -1, 2, 32, 32}, {"icmpv6", "id", -1, 2, 32, 16},
	{"icmpv6", "sequence", -1, 2, 48, 16}, {"icmpv6", "max-delay", -1, 2, 32, 16},
	{NULL, NULL, -1, 0, 0, 0}};

const struct nft_hfield *nft_hfield_find(const char *proto, const char *field)
{
	const struct nft_hfield *h;

	for (h = hfields; proto && field && h->proto; h++)
		if (!strcmp(h->proto, proto) && !strcmp(h->field, field))
			return h;
	return NULL;
}

int nft_payload_loc(struct json_t *payload, uint8_t *base, uint32_t *off, uint32_t *len)
{
	const char *b = json_string_value(json_object_get(payload, "base"));
	json_t *o = json_object_get(payload, "offset"), *l = json_object_get(payload, "len");
	const struct nft_hfield *h;

	if ((h = nft_hfield_find(json_string_value(json_object_get(payload, "protocol")),
				 json_string_value(json_object_get(payload, "field"))))) {
		*base = h->base;
		*off = h->off;
		*len = h->len;
		return 1;
	}
	if (!b || !json_is_integer(o) || !json_is_integer(l))
		return 0;
	*base = (uint8_t)(!strcmp(b, "ll") ? 0 : !strcmp(b, "nh") ? 1 : !strcmp(b, "th") ? 2 : 3);
	if (json_integer_value(o) < 0 || json_integer_value(o) > 65535 ||
	    json_integer_value(l) <= 0 || json_integer_value(l) > 1024 || *base > 2)
		return 0;
	*off = (uint32_t)json_integer_value(o);
	*len = (uint32_t)json_integer_value(l);
	return 1;
}

/* The fields that tile raw payload p exactly, in order (at most max); 0 when p is not a
 * raw load of family-independent fields the model reads. Only `th` qualifies: a raw
 * @nh load reads a different field in IPv4 and IPv6, and the model reads no @ll field. */
static int raw_fields(json_t *p, const struct nft_hfield **out, int max)
{
	uint8_t base;
	uint32_t off, len, pos;
	int n = 0;

	if (json_object_get(p, "protocol") || !nft_payload_loc(p, &base, &off, &len))
		return 0;
	for (pos = off; pos < off + len;) {
		const struct nft_hfield *h;

		for (h = hfields; h->proto; h++)
			if (h->f >= 0 && h->base == base && h->off == pos &&
			    pos + h->len <= off + len && !strcmp(h->proto, "th"))
				break;
		if (!h->proto || n == max)
			return 0;
		out[n++] = h;
		pos += h->len;
	}
	return n;
}

/* Appends the fields of one element of a match's left side, and its right value split
 * into them, to left and right. 0, 1 when it cannot be split, -1 on ENOMEM. */
static int split(json_t *l, json_t *r, json_t *left, json_t *right, int room)
{
	const struct nft_hfield *f[NFT_CONCAT_MAX];
	json_t *p = json_object_get(l, "payload");
	int n = json_is_object(p) ? raw_fields(p, f, room) : 0, i;
	uint32_t bits = 0, used = 0;
	json_int_t v;

	if (n == 0)
		return json_array_append(left, l) || json_array_append(right, r) ? -1 : 0;
	for (i = 0; i < n; i++)
		bits += f[i]->len;
	v = json_integer_value(r);
	if (!json_is_integer(r) || v < 0 || bits > 62 || v >> bits)
		return 1;
	for (i = 0; i < n; i++) {
		used += f[i]->len;
		if (json_array_append_new(left, json_pack("{s:{s:s,s:s}}", "payload", "protocol",
							  f[i]->proto, "field", f[i]->field)) ||
		    json_array_append_new(right, json_integer((v >> (bits - used)) &
							      (((json_int_t)1 << f[i]->len) - 1))))
			return -1;
	}
	return 0;
}

/* Match m with its raw loads named: a new match, NULL to keep m, *err on ENOMEM. */
static json_t *raw_match(json_t *m, int *err)
{
	const struct nft_hfield *f[NFT_CONCAT_MAX];
	json_t *l = json_object_get(m, "left"), *r = json_object_get(m, "right"), *p, *cl, *cr;
	json_t *left = NULL, *right = NULL, *out = NULL;
	const char *op = json_string_value(json_object_get(m, "op"));
	size_t i, n;
	int v = 0, eq = !op || !strcmp(op, "==") || !strcmp(op, "!=");

	/* one field: the value (any form) is the field's */
	if (json_is_object(p = json_object_get(l, "payload")) && raw_fields(p, f, 1) == 1)
		return json_pack("{s:s,s:{s:{s:s,s:s}},s:O}", "op", op ? op : "==", "left",
				 "payload", "protocol", f[0]->proto, "field", f[0]->field, "right", r);
	if (!eq)
		return NULL;
	cl = json_object_get(l, "concat");
	cr = json_object_get(r, "concat");
	if (!cl) {
		cl = json_pack("[O]", l);
		cr = json_pack("[O]", r);
	} else {
		json_incref(cl);
		json_incref(cr);
	}
	if (!json_is_array(cl) || !json_is_array(cr) || json_array_size(cl) != json_array_size(cr))
		goto keep;
	left = json_array();
	right = json_array();
	n = json_array_size(cl);
	for (i = 0; i < n && v == 0; i++)
		v = split(json_array_get(cl, i), json_array_get(cr, i), left, right,
			  (int)(NFT_CONCAT_MAX - json_array_size(left)));
	if (v < 0 || !left || !right)
		*err = 1;
	else if (v == 0 && json_array_size(left) > n)
		out = json_pack("{s:s,s:{s:O},s:{s:O}}", "op", op ? op : "==", "left", "concat",
				left, "right", "concat", right);
keep:
	json_decref(cl);
	json_decref(cr);
	json_decref(left);
	json_decref(right);
	return out;
}

json_t *nft_raw_rewrite(json_t *stmts)
{
	json_t *out = NULL, *st;
	size_t i;
	int err = 0;

	json_array_foreach(stmts, i, st) {
		json_t *m = json_object_get(st, "match"), *nm;

		if (!json_is_object(m) || !(nm = raw_match(m, &err))) {
			if (err)
				goto nomem;
			continue;
		}
		if (!out && !(out = json_deep_copy(stmts)))
			goto nomem;
		if (json_array_set_new(out, i, json_pack("{s:o}", "match", nm)) < 0)
			goto nomem;
	}
	return out ? out : json_incref(stmts);
nomem:
	json_decref(out);
	return NULL;
}
