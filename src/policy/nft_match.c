/* This file decides nft match statements for one packet in one world: it reads each
 * field of the key as the kernel's expression would (payload with its implicit protocol
 * dependency, meta, ct state as seen at the chain's priority), then compares it with the
 * right-hand set. Three-valued: a field the packet record does not know is IPT_MAYBE; a
 * field whose protocol dependency fails makes the whole match false, whatever the
 * operator, as the dependency is a statement of its own in the kernel. */
#include "policy/nft_route.h"

#include <string.h>

#include "policy/ipt_int.h"

static void put_name(uint8_t *out, const char *name)
{
	memset(out, 0, 16);
	memcpy(out, name, strnlen(name, 15));
}

/* Interface names of w's hook: "" where the hook has none; "lo" on the loopback path. */
static const char *iface(const struct nft_eval *ev, const struct nft_world *w, int in)
{
	int h = w->hook;

	if (in ? !(h == IPT_HOOK_PREROUTING || h == IPT_HOOK_INPUT || h == IPT_HOOK_FORWARD ||
		   h == NFT_HOOK_INGRESS)
	       : !(h == IPT_HOOK_OUTPUT || h == IPT_HOOK_POSTROUTING || h == IPT_HOOK_FORWARD))
		return "";
	if (w->path == IPT_PATH_LOOPBACK)
		return "lo";
	if (!in && w->oif[0])
		return w->oif;
	return in ? ev->pkt->in_if : ev->pkt->out_if;
}

int nft_before_conntrack(const struct nft_eval *ev, const struct nft_world *w)
{
	int prio = ev->rs->chains[w->base_chain].prio;

	/* ingress runs before ip_rcv; over lo the entry made on output is kept */
	if (w->hook == NFT_HOOK_INGRESS)
		return w->path == IPT_PATH_LOOPBACK ? IPT_NO : IPT_YES;
	if (!(w->hook == IPT_HOOK_OUTPUT ||
	      (w->hook == IPT_HOOK_PREROUTING && w->path != IPT_PATH_LOOPBACK)))
		return IPT_NO;
	return prio < -200 ? IPT_YES : prio == -200 ? IPT_MAYBE : IPT_NO;
}

/* ct state where the chain runs: before conntrack the packet has no entry, and
 * nft_ct_get_eval gives "invalid" (or "untracked" once notrack set the template). */
static int ctstate(const struct nft_eval *ev, const struct nft_world *w, uint8_t *out)
{
	static const uint8_t bits[] = {NFT_CTS_NEW, NFT_CTS_ESTABLISHED, NFT_CTS_RELATED,
				       NFT_CTS_INVALID, NFT_CTS_UNTRACKED};
	int early = nft_before_conntrack(ev, w);
	uint8_t st = w->ctstate;

	memset(out, 0, 4);
	if (early == IPT_YES)
		st = w->notracked ? IPT_CT_UNTRACKED : IPT_CT_INVALID;
	else if (early == IPT_MAYBE)
		return IPT_MAYBE;
	if (st >= IPT_CT_UNKNOWN)
		return IPT_MAYBE;
	out[3] = bits[st];
	return IPT_YES;
}

static int pkttype(const struct nft_eval *ev, const struct nft_world *w, uint8_t *out)
{
	const struct ipt_packet *p = ev->pkt;
	int mc = p->family == 4 ? (w->dst[0] >= 224 || (w->dst[0] == 255 && w->dst[3] == 255))
				: w->dst[0] == 0xff;

	if (w->path == IPT_PATH_INCOMING || w->path == IPT_PATH_FORWARD) {
		if (w->hook == IPT_HOOK_PREROUTING || w->hook == IPT_HOOK_INPUT ||
		    w->hook == IPT_HOOK_FORWARD || w->hook == NFT_HOOK_INGRESS) {
			if (p->pkttype >= IPT_PKT_UNKNOWN)
				return IPT_MAYBE;
			out[0] = p->pkttype;
			return IPT_YES;
		}
	}
	/* locally generated: PACKET_HOST; over lo, eth_type_trans of the frame */
	out[0] = 0;
	return mc && w->path == IPT_PATH_LOOPBACK ? IPT_MAYBE : IPT_YES;
}

static int ports(const struct nft_eval *ev, const struct nft_world *w, int f, uint8_t *out)
{
	const struct ipt_packet *p = ev->pkt;
	int src = f == NF_TCP_SPORT || f == NF_UDP_SPORT || f == NF_TH_SPORT;
	uint16_t v = src ? p->sport : w->dport;

	if (p->fragment)
		return IPT_NO;
	if ((f == NF_TCP_SPORT || f == NF_TCP_DPORT) && p->proto != 6)
		return IPT_NO;
	if ((f == NF_UDP_SPORT || f == NF_UDP_DPORT) && p->proto != 17)
		return IPT_NO;
	if (!ipt_proto_has_ports(p->proto)) {
		/* th has no dependency: it loads the first 4 bytes of any transport header
		 * (nft_payload_eval() breaks only on a fragment or no header). ICMP's are
		 * type, code and checksum; other protocols' are not known here. */
		if (f != NF_TH_SPORT && f != NF_TH_DPORT)
			return IPT_NO;
		if (!src || p->proto != (p->family == 4 ? 1 : 58))
			return IPT_MAYBE;
		out[0] = p->icmp_type;
		out[1] = p->icmp_code;
		return IPT_YES;
	}
	if (src ? (p->unknown & IPT_UNK_SPORT) : w->dport_unk)
		return IPT_MAYBE;
	out[0] = (uint8_t)(v >> 8);
	out[1] = (uint8_t)v;
	return IPT_YES;
}

/* The value of field f (nft_field_len bytes into out). */
static int field(const struct nft_eval *ev, const struct nft_world *w, int f, uint8_t *out)
{
	const struct ipt_packet *p = ev->pkt;
	int v4 = p->family == 4;

	switch (f) {
	case NF_IP_SADDR:
	case NF_IP6_SADDR:
		if (v4 != (f == NF_IP_SADDR))
			return IPT_NO;
		memcpy(out, p->src, v4 ? 4 : 16);
		return IPT_YES;
	case NF_IP_DADDR:
	case NF_IP6_DADDR:
		if (v4 != (f == NF_IP_DADDR))
			return IPT_NO;
		memcpy(out, w->dst, v4 ? 4 : 16);
		return w->dst_unk ? IPT_MAYBE : IPT_YES;
	case NF_IP_PROTO:
	case NF_IP6_NH:
		if (v4 != (f == NF_IP_PROTO))
			return IPT_NO;
		/* fall through */
	case NF_L4PROTO:
		out[0] = p->proto;
		return IPT_YES;
	case NF_NFPROTO:
		out[0] = v4 ? 2 : 10;
		return IPT_YES;
	case NF_TCP_FLAGS:
		if (p->proto != 6 || p->fragment)
			return IPT_NO;
		out[0] = p->tcp_flags;
		return p->unknown & IPT_UNK_FLAGS ? IPT_MAYBE : IPT_YES;
	case NF_ICMP_TYPE:
	case NF_ICMP_CODE:
	case NF_ICMP6_TYPE:
	case NF_ICMP6_CODE:
		/* icmp needs meta nfproto ipv4, icmpv6 ipv6 (nft adds the dependency in inet) */
		if (p->fragment || p->proto != (f <= NF_ICMP_CODE ? 1 : 58) || v4 != (f <= NF_ICMP_CODE))
			return IPT_NO;
		out[0] = f == NF_ICMP_TYPE || f == NF_ICMP6_TYPE ? p->icmp_type : p->icmp_code;
		return IPT_YES;
	case NF_IIFNAME:
	case NF_IIF:
		put_name(out, iface(ev, w, 1));
		return IPT_YES;
	case NF_OIFNAME:
	case NF_OIF:
		put_name(out, iface(ev, w, 0));
		/* a forwarded packet whose output device is not known (ipt_packet.out_if) */
		return w->path == IPT_PATH_FORWARD && !out[0] &&
		       (w->hook == IPT_HOOK_FORWARD || w->hook == IPT_HOOK_POSTROUTING) ?
		       IPT_MAYBE : IPT_YES;
	case NF_PKTTYPE:
		return pkttype(ev, w, out);
	case NF_CT_STATE:
		return ctstate(ev, w, out);
	default:
		return ports(ev, w, f, out);
	}
}

/* nft_key(), with *known's bit i set when field i was read (IPT_YES). */
static int key_read(const struct nft_eval *ev, const struct nft_world *w,
		    const struct nft_stmt *s, uint8_t *key, unsigned *known)
{
	int i, off = 0, res = IPT_YES, v;

	*known = 0;
	for (i = 0; i < s->nkeys; i++) {
		int len = nft_field_len(s->key[i]), j;

		v = field(ev, w, s->key[i], key + off);
		if (v == IPT_NO)
			return IPT_NO;
		if (v == IPT_MAYBE)
			res = IPT_MAYBE;
		else
			*known |= 1u << i;
		if (s->has_mask)
			for (j = 0; j < len; j++)
				key[off + j] &= s->mask[j];
		off += len;
	}
	return res;
}

int nft_key(const struct nft_eval *ev, const struct nft_world *w, const struct nft_stmt *s,
	    uint8_t *key)
{
	unsigned known;

	return key_read(ev, w, s, key, &known);
}

/* Whether el may hold key, looking only at the fields in known (a bit per field). */
static int elem_may(const struct nft_set *set, const struct nft_elem *el, const uint8_t *key,
		    unsigned known)
{
	int i, off = 0;

	for (i = 0; i < set->nfields; i++) {
		size_t len = set->flen[i];

		if ((known >> i & 1) &&
		    (memcmp(el->lo + off, key + off, len) > 0 || memcmp(key + off, el->hi + off, len) > 0))
			return 0;
		off += (int)len;
	}
	return 1;
}

int nft_elem_has(const struct nft_ruleset *rs, const struct nft_set *set,
		 const struct nft_elem *el, const uint8_t *key)
{
	(void)rs;
	return elem_may(set, el, key, ~0u);
}

/* Whether some element of set may hold key (all fields known: whether one does). */
static int in_set(const struct nft_ruleset *rs, const struct nft_set *set, const uint8_t *key,
		  unsigned known)
{
	uint32_t i;

	for (i = 0; i < set->n; i++)
		if (elem_may(set, &rs->elems[set->first + i], key, known))
			return 1;
	return 0;
}

int nft_match(const struct nft_eval *ev, const struct nft_world *w, const struct nft_stmt *s)
{
	const struct nft_ruleset *rs = ev->rs;
	const struct nft_set *set;
	uint8_t key[NFT_KEY_MAX];
	int v, c, len, flags, i, any;
	unsigned known;

	if (s->kind == NFT_S_FIB)
		return nft_fib_match(ev, w, s);
	if (s->kind != NFT_S_MATCH)
		return IPT_MAYBE;
	v = key_read(ev, w, s, key, &known);
	set = &rs->sets[s->set];
	if (v == IPT_NO || set->unknown)
		return v == IPT_NO ? IPT_NO : IPT_MAYBE;
	flags = s->nkeys == 1 && (s->key[0] == NF_CT_STATE || s->key[0] == NF_TCP_FLAGS);
	if (v == IPT_MAYBE) {
		/* a concatenation with a field unread: no element may hold the fields that
		 * were read (`th sport . th dport != 1000 . 2000` for ICMP type 8) */
		if (!known || flags || (s->op != NFT_OP_EQ && s->op != NFT_OP_NE && s->op != NFT_OP_IN) ||
		    in_set(rs, set, key, known))
			return IPT_MAYBE;
		return s->op == NFT_OP_NE ? IPT_YES : IPT_NO;
	}
	len = nft_field_len(s->key[0]);
	switch (s->op) {
	case NFT_OP_IN:
		if (flags && set->n == 1 && !set->name) {
			const uint8_t *m = rs->elems[set->first].lo;

			for (i = 0, any = 0; i < len; i++)
				any |= key[i] & m[i];
			return any ? IPT_YES : IPT_NO;
		}
		/* fall through */
	case NFT_OP_EQ:
		return in_set(rs, set, key, ~0u) ? IPT_YES : IPT_NO;
	case NFT_OP_NE:
		return in_set(rs, set, key, ~0u) ? IPT_NO : IPT_YES;
	default:
		if (set->n != 1)
			return IPT_MAYBE;
		c = memcmp(key, rs->elems[set->first].lo, (size_t)len);
		switch (s->op) {
		case NFT_OP_LT:
			return c < 0 ? IPT_YES : IPT_NO;
		case NFT_OP_GT:
			return c > 0 ? IPT_YES : IPT_NO;
		case NFT_OP_LE:
			return c <= 0 ? IPT_YES : IPT_NO;
		default:
			return c >= 0 ? IPT_YES : IPT_NO;
		}
	}
}
