/* nft_kdiff: the helper of tests/integration/t_nft_kernel_diff.sh, comparing the nftables
 * evaluator (src/policy/nft_*.c) with the kernel packet by packet, as ipt_kdiff does for
 * iptables.
 *
 *   nft_kdiff random SEED NRULES IF
 *       Prints a random native ruleset (nft_kdiff_gen.h) for the veth IF.
 *   nft_kdiff count FILE
 *       Loads FILE (JSON, or native syntax through the private-namespace front end) and
 *       prints "N rules M chains", or the loader's error.
 *   nft_kdiff ifname FILE.json
 *       The interface name the namespace should give its veth: the ruleset's most used
 *       iifname/oifname other than lo (a wildcard gets "0"), else a0.
 *   nft_kdiff prep IN.json OUT.json
 *       Rewrites `nft -j list ruleset` output so that every rule counts its hits: every
 *       counter statement is removed and one inserted where the rule's matches end (the
 *       evaluator's hit position: the first statement that is not a match), so a
 *       counter's packets are exactly the packets the rule matched.
 *   nft_kdiff run [-v] [-6] --peer-ns PATH --peer-if IF --if IF --mac MAC
 *       Runs in the namespace holding the prepared ruleset (read back with libnftables),
 *       with IPv4 packets, or IPv6 with -6 (the namespaces of t_nft_kernel_diff.sh's setup
 *       and setup6). For every rule it builds a packet meant to match it (its matches and
 *       those of a rule jumping to its chain) and one that misses its last match, sends
 *       each (an Ethernet frame from the peer's veth for incoming/forwarded paths, a raw
 *       socket for output), reads the kernel's verdict (a counted reject/drop rule, else
 *       delivery /proc/net/snmp(6) InDelivers or transmission /proc/net/dev, else
 *       dropped) and every rule's counter delta, and compares them with the evaluator:
 *       verdict agree / unknown (kernel in the possible set) / disagree; per rule agree
 *       (delta equals the definite hits, none maybe), maybe (between definite and
 *       definite + maybe), differ. Exits 1 on a verdict disagreement or a rule difference.
 *       Not aimed at (delivery cannot tell their verdict): locally sent broadcasts and
 *       multicasts (looped back too), protocols without a handler (ICMP of the other
 *       family, anything but TCP, UDP, ICMP/ICMPv6).
 * Every test packet is 200 bytes long; replies the host sends (RST 40/60, ICMP errors
 * 228/248) are told apart by their byte counts. */
#include "policy/nft_int.h"
#include "policy/ipt_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/if_packet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <nftables/libnftables.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "kdiff_net.h"
#include "nft_kdiff_gen.h"

#define PKTLEN 200
#define TTL 77

static const uint8_t host_a[4] = {45, 33, 1, 10};
static const uint8_t host_a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x10};
static const uint8_t loop6[16] = {[15] = 1};

struct tctx {
	struct nft_ruleset *rs;
	struct nft_eval *ev, *plain;	/* compiled (every chain indexed) and plain walk */
	const char *ifn, *peer_ns, *peer_if;
	int fam;			/* 4 or 6 */
	uint64_t rst_len, icmp_len, icmp_rst_len;	/* replies: 40/228/68, 60/248/108 */
	int pkt_fd, raw_fd, ifindex;
	uint8_t dmac[6], smac[6];
	uint16_t next_port;
	int verbose;
	uint64_t *bp, *bb, *ap, *ab;	/* counters before/after: packets, bytes per rule */
	uint64_t delivers, tx;
	uint32_t *hd, *hm, *pd, *pm;	/* hits of ev (definite, maybe) and of plain */
	uint8_t *rstat, *reach;
	unsigned npackets, agreed, unknown, disagreed, skipped, reports;
	unsigned evaluated;	/* packets evaluated by both the compiled and the plain walk */
};

enum { RS_AGREE = 0, RS_MAYBE, RS_DIFFER };

static void on_hit(void *arg, uint32_t rule, int matched)
{
	struct tctx *t = arg;

	if (matched == 1)
		t->hd[rule]++;
	else
		t->hm[rule]++;
}

static void on_hit_plain(void *arg, uint32_t rule, int matched)
{
	struct tctx *t = arg;

	if (matched == 1)
		t->pd[rule]++;
	else
		t->pm[rule]++;
}

/* The compiled and the plain walk must give the same result and the same hook calls. */
static int fast_differs(const struct tctx *t, const struct ipt_result *a, const struct ipt_result *b)
{
	size_t n = t->rs->nrules * sizeof(*t->hd);

	return a->verdict != b->verdict || a->possible != b->possible || a->by != b->by ||
	       a->rule != b->rule || a->chain != b->chain || a->steps != b->steps ||
	       a->limit != b->limit || a->uncertain_rule != b->uncertain_rule ||
	       a->martian != b->martian || a->nat.dnat_rule != b->nat.dnat_rule ||
	       a->nat.snat_rule != b->nat.snat_rule || memcmp(a->nat.dst, b->nat.dst, 16) ||
	       a->nat.dport != b->nat.dport || memcmp(t->hd, t->pd, n) || memcmp(t->hm, t->pm, n);
}

/* ---- kernel side ---- */

/* The kernel's ruleset as JSON through libnftables; the caller frees. */
static char *list_ruleset(void)
{
	struct nft_ctx *nft = nft_ctx_new(NFT_CTX_DEFAULT);
	char *out = NULL;

	if (!nft)
		return NULL;
	nft_ctx_output_set_flags(nft, NFT_CTX_OUTPUT_JSON);
	if (nft_ctx_buffer_output(nft) == 0 && nft_ctx_buffer_error(nft) == 0 &&
	    nft_run_cmd_from_buffer(nft, "list ruleset") == 0)
		out = strdup(nft_ctx_get_output_buffer(nft));
	nft_ctx_free(nft);
	return out;
}

static int read_counters(struct tctx *t, uint64_t *pk, uint64_t *by)
{
	struct nft_error err;
	struct nft_ruleset *k;
	char *js = list_ruleset();
	uint32_t i;

	if (!js)
		return -1;
	k = nft_load_json(js, strlen(js), "kernel", &err);
	free(js);
	if (!k || k->nrules != t->rs->nrules) {
		nft_ruleset_free(k);
		return -1;
	}
	for (i = 0; i < k->nrules; i++) {
		pk[i] = k->rules[i].packets;
		by[i] = k->rules[i].bytes;
	}
	nft_ruleset_free(k);
	return 0;
}

/* 0 sent, 1 refused by the local stack (EPERM: an output drop), -1 error. */
static int send_packet(struct tctx *t, const struct ipt_packet *p, uint16_t id)
{
	const struct kd_link l = {t->fam, t->pkt_fd, t->raw_fd, t->ifindex, t->dmac, t->smac};

	return kd_send(&l, p, id, PKTLEN, TTL, 0);
}

/* How many of dp packets / db bytes were the test packet itself (PKTLEN each), the rest
 * replies (RST 40, ICMP error 228, ICMP quoting a RST 68). */
static uint64_t own_count(const struct tctx *t, uint64_t dp, uint64_t db)
{
	uint64_t k, a, b, m;

	for (k = dp + 1; k-- > 0;) {
		if (PKTLEN * k > db)
			continue;
		m = dp - k;
		for (a = 0; a <= m; a++)
			for (b = 0; a + b <= m; b++)
				if (t->icmp_len * a + t->icmp_rst_len * b + t->rst_len * (m - a - b) ==
				    db - PKTLEN * k)
					return k;
	}
	return 0;
}

/* ---- aiming packets at rules ---- */

/* Whether a is this host's (fam 4: 45.33.1.10 or 127/8; 6: 2001:db8:1::10 or ::1). */
static int is_local_fam(const uint8_t *a, int fam)
{
	if (fam == 6)
		return !memcmp(a, host_a6, 16) || !memcmp(a, loop6, 16);
	return !memcmp(a, host_a, 4) || a[0] == 127;
}

static void reach_from(struct tctx *t, uint32_t c, unsigned hookbit, int depth)
{
	const struct nft_ruleset *rs = t->rs;
	uint32_t i, j;

	if (depth > 16 || (t->reach[c] & hookbit))
		return;
	t->reach[c] |= (uint8_t)hookbit;
	for (i = rs->chains[c].first; i < rs->chains[c].first + rs->chains[c].n; i++)
		for (j = rs->rules[i].first; j < rs->rules[i].first + rs->rules[i].n; j++) {
			const struct nft_stmt *s = &rs->stmts[j];
			uint32_t e;

			if (s->kind == NFT_S_VERDICT && s->verdict != NFT_NONE &&
			    rs->verdicts[s->verdict].kind >= NFT_V_JUMP && rs->verdicts[s->verdict].kind <= NFT_V_GOTO)
				reach_from(t, rs->verdicts[s->verdict].chain, hookbit, depth + 1);
			if (s->kind == NFT_S_VMAP)
				for (e = 0; e < rs->sets[s->set].n; e++) {
					uint32_t v = rs->elems[rs->sets[s->set].first + e].verdict;

					if (v != NFT_NONE && rs->verdicts[v].kind >= NFT_V_JUMP &&
					    rs->verdicts[v].kind <= NFT_V_GOTO)
						reach_from(t, rs->verdicts[v].chain, hookbit, depth + 1);
				}
		}
}

static void set_field(struct ipt_packet *p, int f, const uint8_t *v)
{
	switch (f) {
	case NF_IP_SADDR:
	case NF_IP6_SADDR:
		if ((p->family == 4) == (f == NF_IP_SADDR))
			memcpy(p->src, v, p->family == 4 ? 4 : 16);
		break;
	case NF_IP_DADDR:
	case NF_IP6_DADDR:
		if ((p->family == 4) == (f == NF_IP_DADDR))
			memcpy(p->dst, v, p->family == 4 ? 4 : 16);
		break;
	case NF_ICMP6_TYPE:
	case NF_ICMP6_CODE:
		p->proto = 58;
		if (f == NF_ICMP6_TYPE)
			p->icmp_type = v[0];
		else
			p->icmp_code = v[0];
		break;
	case NF_IP_PROTO:
	case NF_IP6_NH:
	case NF_L4PROTO:
		p->proto = v[0];
		break;
	case NF_TCP_SPORT:
	case NF_TCP_DPORT:
	case NF_UDP_SPORT:
	case NF_UDP_DPORT:
	case NF_TH_SPORT:
	case NF_TH_DPORT:
		if (f == NF_TCP_SPORT || f == NF_TCP_DPORT)
			p->proto = 6;
		else if (f == NF_UDP_SPORT || f == NF_UDP_DPORT)
			p->proto = 17;
		else if (p->proto != 6 && p->proto != 17)
			p->proto = 6;
		if (f == NF_TCP_SPORT || f == NF_UDP_SPORT || f == NF_TH_SPORT)
			p->sport = (uint16_t)(v[0] << 8 | v[1]);
		else
			p->dport = (uint16_t)(v[0] << 8 | v[1]);
		break;
	case NF_TCP_FLAGS:
		p->proto = 6;
		p->tcp_flags = v[0] & 0x3f;
		break;
	case NF_ICMP_TYPE:
		p->proto = 1;
		p->icmp_type = v[0];
		break;
	case NF_ICMP_CODE:
		p->proto = 1;
		p->icmp_code = v[0];
		break;
	case NF_PKTTYPE:
		if (p->family == 6) {
			if (v[0] == 2)
				memcpy(p->dst, (const uint8_t[]){0xff, 0x02, [15] = 1}, 16);
		} else if (v[0] == 1)
			memcpy(p->dst, (const uint8_t[]){45, 33, 1, 255}, 4);
		else if (v[0] == 2)
			memcpy(p->dst, (const uint8_t[]){224, 0, 0, 1}, 4);
		break;
	case NF_CT_STATE:
		if (v[3] & NFT_CTS_INVALID) {
			p->proto = 6;
			p->tcp_flags = IPT_TCP_FIN;
		}
		break;
	default:
		break;
	}
}

/* Big-endian +1 / -1 of a len-byte value; 0 on wrap. */
static int step(uint8_t *v, int len, int up)
{
	int i;

	for (i = len - 1; i >= 0; i--) {
		if (up ? v[i] != 0xff : v[i] != 0) {
			v[i] = (uint8_t)(v[i] + (up ? 1 : -1));
			return 1;
		}
		v[i] = up ? 0 : 0xff;
	}
	return 0;
}

static int in_any(const struct nft_ruleset *rs, const struct nft_set *set, const uint8_t *key)
{
	uint32_t i;

	for (i = 0; i < set->n; i++)
		if (nft_elem_has(rs, set, &rs->elems[set->first + i], key))
			return 1;
	return 0;
}

/* A key that makes match s true (hit) or false; -1 when none is found. */
static int choose(struct tctx *t, const struct nft_stmt *s, int hit, uint8_t *key)
{
	const struct nft_ruleset *rs = t->rs;
	const struct nft_set *set;
	int len = 0, i, flags;
	uint32_t e;

	if (s->kind != NFT_S_MATCH || rs->sets[s->set].unknown || !rs->sets[s->set].n)
		return -1;
	set = &rs->sets[s->set];
	for (i = 0; i < s->nkeys; i++)
		len += nft_field_len(s->key[i]);
	flags = s->nkeys == 1 && (s->key[0] == NF_CT_STATE || s->key[0] == NF_TCP_FLAGS);
	e = t->next_port % set->n;
	memcpy(key, rs->elems[set->first + e].lo, (size_t)len);
	if (s->op == NFT_OP_IN && flags && set->n == 1) {
		static const uint8_t ct_pref[] = {NFT_CTS_NEW, NFT_CTS_INVALID, NFT_CTS_ESTABLISHED};
		static const uint8_t tcp_pref[] = {IPT_TCP_SYN, IPT_TCP_ACK, IPT_TCP_FIN, IPT_TCP_RST};
		const uint8_t *pref = s->key[0] == NF_CT_STATE ? ct_pref : tcp_pref;
		uint8_t m = key[len - 1];

		memset(key, 0, (size_t)len);
		for (i = 0; i < (s->key[0] == NF_CT_STATE ? 3 : 4); i++)
			if (((m & pref[i]) != 0) == hit) {
				key[len - 1] = pref[i];
				return 0;
			}
		return -1;
	}
	if (s->has_mask) {
		if (!hit)
			key[len - 1] ^= (uint8_t)(s->mask[len - 1] & -s->mask[len - 1]);
		return (s->op == NFT_OP_NE) == hit ? -1 : 0;
	}
	if (s->op >= NFT_OP_LT && s->op <= NFT_OP_GE) {
		int up = s->op == NFT_OP_GT || s->op == NFT_OP_GE;

		if (!hit)
			up = !up;
		if ((s->op == NFT_OP_LT || s->op == NFT_OP_GT) == hit || !hit)
			return step(key, len, up) ? 0 : -1;
		return 0;
	}
	if ((s->op == NFT_OP_NE) != hit)
		return 0;	/* a member */
	for (e = 0; e < set->n; e++) {
		memcpy(key, rs->elems[set->first + e].hi, (size_t)len);
		if (step(key, len, 1) && !in_any(rs, set, key))
			return 0;
		memcpy(key, rs->elems[set->first + e].lo, (size_t)len);
		if (step(key, len, 0) && !in_any(rs, set, key))
			return 0;
	}
	return -1;
}

/* Applies the matches of rule id before its hit position; the last one that can be
 * aimed at is missed when miss. Returns how many were applied. */
static int apply_rule(struct tctx *t, uint32_t id, int miss, struct ipt_packet *p)
{
	const struct nft_rule *r = &t->rs->rules[id];
	uint8_t key[NFT_KEY_MAX];
	int last = -1, n = 0, k, off;
	uint32_t i;

	for (i = r->first; i < r->first + r->hitpos; i++)
		if (choose(t, &t->rs->stmts[i], 1, key) == 0)
			last = (int)i;
	for (i = r->first; i < r->first + r->hitpos; i++) {
		const struct nft_stmt *s = &t->rs->stmts[i];

		if (choose(t, s, !(miss && (int)i == last), key) < 0)
			continue;
		for (k = 0, off = 0; k < s->nkeys; off += nft_field_len(s->key[k]), k++)
			set_field(p, s->key[k], key + off);
		n++;
	}
	return n;
}

/* The rule that jumps (or goes) to chain c, NFT_NONE if none. */
static uint32_t jumper(const struct nft_ruleset *rs, uint32_t c)
{
	uint32_t i, j;

	for (i = 0; i < rs->nrules; i++)
		for (j = rs->rules[i].first; j < rs->rules[i].first + rs->rules[i].n; j++) {
			const struct nft_stmt *s = &rs->stmts[j];

			if (s->kind == NFT_S_VERDICT && s->verdict != NFT_NONE &&
			    rs->verdicts[s->verdict].kind >= NFT_V_JUMP &&
			    rs->verdicts[s->verdict].kind <= NFT_V_GOTO && rs->verdicts[s->verdict].chain == c)
				return i;
		}
	return NFT_NONE;
}

/* The packet's path, interfaces, pkttype and conntrack state from its addresses. */
static void settle_packet(struct tctx *t, struct ipt_packet *p)
{
	const uint8_t *d = p->dst;

	p->pkttype = IPT_PKT_HOST;
	if (p->path == IPT_PATH_INCOMING || p->path == IPT_PATH_FORWARD) {
		p->path = IPT_PATH_INCOMING;
		if (p->family == 6 ? d[0] == 0xff : d[0] >= 224 && d[0] < 240)
			p->pkttype = IPT_PKT_MULTICAST;
		else if (p->family == 4 && ((d[0] == 45 && d[1] == 33 && d[2] == 1 && d[3] == 255) ||
					    (d[0] == 255 && d[1] == 255 && d[2] == 255 && d[3] == 255)))
			p->pkttype = IPT_PKT_BROADCAST;
		else if (!is_local_fam(d, p->family))
			p->path = IPT_PATH_FORWARD;
		snprintf(p->in_if, sizeof(p->in_if), "%s", t->ifn);
		snprintf(p->out_if, sizeof(p->out_if), "%s", p->path == IPT_PATH_FORWARD ? t->ifn : "");
	} else {
		p->path = is_local_fam(d, p->family) ? IPT_PATH_LOOPBACK : IPT_PATH_LOCAL_OUT;
		snprintf(p->in_if, sizeof(p->in_if), "%s", p->path == IPT_PATH_LOOPBACK ? "lo" : "");
		snprintf(p->out_if, sizeof(p->out_if), "%s", p->path == IPT_PATH_LOOPBACK ? "lo" : t->ifn);
	}
	if (p->proto == 6) {
		p->ctstate = (uint8_t)ipt_ct_tcp_first(p->tcp_flags);
	} else if (p->proto == 1 && p->family == 4) {
		unsigned ty = p->icmp_type;

		p->ctstate = ty == 8 || ty == 13 || ty == 15 || ty == 17 ? IPT_CT_NEW : IPT_CT_INVALID;
	} else if (p->proto == 58 && p->family == 6) {
		unsigned ty = p->icmp_type;

		/* nf_conntrack_proto_icmpv6.c: echo and node information requests are new, MLD
		 * and neighbour discovery untracked (noct_valid_new), anything else invalid */
		p->ctstate = ty == 128 || ty == 139 ? IPT_CT_NEW
			     : (ty >= 130 && ty <= 137) || ty == 141 || ty == 142 || ty == 143 ? IPT_CT_UNTRACKED
			     : IPT_CT_INVALID;
	} else if (p->proto == 1 || p->proto == 58) {
		p->ctstate = IPT_CT_INVALID;
	} else {
		p->ctstate = IPT_CT_NEW;
	}
}

static int aim(struct tctx *t, uint32_t id, int miss, struct ipt_packet *p)
{
	const struct nft_ruleset *rs = t->rs;
	uint32_t c = rs->rules[id].chain, j = jumper(rs, c);
	unsigned hooks = t->reach[c];

	if (!hooks)
		return -1;
	static const uint8_t remote4[4] = {198, 51, 100, 77}, far4[4] = {192, 0, 2, 9};
	static const uint8_t remote6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x51, [15] = 0x77};
	static const uint8_t far6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x01, 0x13, [15] = 0x09};
	int v6 = t->fam == 6;
	size_t al = v6 ? 16 : 4;

	ipt_packet_init(p, t->fam, IPT_PATH_INCOMING);
	memcpy(p->src, v6 ? remote6 : remote4, al);
	memcpy(p->dst, v6 ? host_a6 : host_a, al);
	if (!(hooks & (1u << IPT_HOOK_PREROUTING | 1u << IPT_HOOK_INPUT | 1u << NFT_HOOK_INGRESS))) {
		if (hooks & (1u << IPT_HOOK_FORWARD)) {
			memcpy(p->dst, v6 ? far6 : far4, al);
		} else {
			p->path = IPT_PATH_LOCAL_OUT;
			memcpy(p->src, v6 ? host_a6 : host_a, al);
			memcpy(p->dst, v6 ? remote6 : remote4, al);
		}
	}
	p->proto = 6;
	p->tcp_flags = IPT_TCP_SYN;
	p->sport = ++t->next_port;
	p->dport = 9999;
	if (j != NFT_NONE)
		apply_rule(t, j, 0, p);
	if (apply_rule(t, id, miss, p) == 0 && miss)
		return -1;
	/* a protocol no handler takes (ICMP of the other family, ...) is not counted as
	 * delivered (InUnknownProtos), so delivery would not tell the verdict: not compared */
	if (p->proto != 6 && p->proto != 17 && p->proto != (v6 ? 58 : 1))
		return -1;	/* also no handler for other protocols: InUnknownProtos */
	settle_packet(t, p);
	/* a locally sent broadcast or multicast is also looped back to this host: not
	 * compared */
	if ((p->path == IPT_PATH_LOCAL_OUT || p->path == IPT_PATH_LOOPBACK) &&
	    (p->dst[0] >= 224 || (v6 && p->dst[0] == 0xff) || (p->dst[0] == 45 && p->dst[1] == 33 && p->dst[2] == 1 &&
				  (p->dst[3] == 255 || p->dst[3] == 0))))
		return -1;
	return 0;
}

/* ---- comparing ---- */

/* Whether rule i ends in drop (1) or reject (2) once matched: the statements after its
 * hit position up to the first verdict are all unconditional. */
static int drop_rule(const struct nft_ruleset *rs, uint32_t i)
{
	const struct nft_rule *r = &rs->rules[i];
	uint32_t j;

	for (j = r->first + r->hitpos; j < r->first + r->n; j++) {
		const struct nft_stmt *s = &rs->stmts[j];

		if (s->kind == NFT_S_VERDICT && s->verdict != NFT_NONE) {
			int k = rs->verdicts[s->verdict].kind;

			return k == NFT_V_DROP ? 1 : k == NFT_V_REJECT ? 2 : 0;
		}
		if (s->kind != NFT_S_NOP)
			return 0;
	}
	return 0;
}

static int kernel_verdict(struct tctx *t, const struct ipt_packet *p, int sent, uint64_t dl,
			  uint64_t tx)
{
	uint32_t i;
	int v = -1, d;

	for (i = 0; i < t->rs->nrules; i++) {
		if (!own_count(t, t->ap[i] - t->bp[i], t->ab[i] - t->bb[i]) || !(d = drop_rule(t->rs, i)))
			continue;
		if (d == 2)
			v = IPT_V_REJECT;
		else if (v < 0)
			v = IPT_V_DROP;
	}
	if (v >= 0)
		return v;
	if (sent == 1)
		return IPT_V_DROP;
	if ((p->path == IPT_PATH_INCOMING || p->path == IPT_PATH_LOOPBACK) && dl > t->delivers)
		return IPT_V_ACCEPT;
	if ((p->path == IPT_PATH_LOCAL_OUT || p->path == IPT_PATH_FORWARD) && tx > t->tx)
		return IPT_V_ACCEPT;
	return IPT_V_DROP;
}

static void name_rule(const struct tctx *t, uint32_t i, char *buf, size_t len)
{
	struct nft_rule_info ri;

	nft_rule_get(t->rs, i, &ri);
	snprintf(buf, len, "%s %s %s handle %llu", ri.family, ri.table, ri.chain_name,
		 (unsigned long long)ri.handle);
}

static void compare_rules(struct tctx *t, const char *desc, const char *why)
{
	uint32_t i;
	char name[256];

	for (i = 0; i < t->rs->nrules; i++) {
		uint64_t k = own_count(t, t->ap[i] - t->bp[i], t->ab[i] - t->bb[i]);
		uint64_t d = t->hd[i], m = t->hm[i];
		int st = m == 0 ? (k == d ? RS_AGREE : RS_DIFFER) : (k >= d && k <= d + m ? RS_MAYBE : RS_DIFFER);

		if (st > t->rstat[i])
			t->rstat[i] = (uint8_t)st;
		if (st == RS_DIFFER && t->reports++ < 40) {
			name_rule(t, i, name, sizeof(name));
			printf("RULE-DIFF %s: kernel %llu model definite %llu maybe %llu: %s [%s]\n", name,
			       (unsigned long long)k, (unsigned long long)d, (unsigned long long)m, desc, why);
		}
	}
}

/* Counters read twice in a row until they agree (a packet the kernel handles late must not
 * be credited to the next one). */
static int read_settled(struct tctx *t, uint64_t *dl, uint64_t *tx)
{
	uint64_t *sp = calloc(t->rs->nrules + 1, 8), *sb = calloc(t->rs->nrules + 1, 8);
	int i, ret = -1;

	if (!sp || !sb || read_counters(t, t->ap, t->ab) < 0)
		goto out;
	*dl = snmp_indelivers(t->fam);
	*tx = dev_tx(t->ifn);
	for (i = 0; i < 5; i++) {
		uint64_t dl2, tx2;

		pause_us(2000);
		if (read_counters(t, sp, sb) < 0)
			goto out;
		dl2 = snmp_indelivers(t->fam);
		tx2 = dev_tx(t->ifn);
		if (!memcmp(sp, t->ap, t->rs->nrules * 8) && dl2 == *dl && tx2 == *tx)
			break;
		memcpy(t->ap, sp, t->rs->nrules * 8);
		memcpy(t->ab, sb, t->rs->nrules * 8);
		*dl = dl2;
		*tx = tx2;
	}
	ret = 0;
out:
	free(sp);
	free(sb);
	return ret;
}

static int test_packet(struct tctx *t, const struct ipt_packet *p, const char *why)
{
	static uint16_t id = 1;
	struct ipt_result a, b;
	uint32_t n = t->rs->nrules;
	uint64_t dl, tx, *sw;
	char desc[256];
	int sent, kv;

	memset(t->hd, 0, n * sizeof(*t->hd));
	memset(t->hm, 0, n * sizeof(*t->hm));
	memset(t->pd, 0, n * sizeof(*t->pd));
	memset(t->pm, 0, n * sizeof(*t->pm));
	if (nft_eval_packet(t->ev, p, &a) < 0 || nft_eval_packet(t->plain, p, &b) < 0)
		return -1;
	ct_flush(t->fam == 4 ? AF_INET : AF_INET6);
	describe(p, desc, sizeof(desc));
	t->evaluated++;
	if (fast_differs(t, &a, &b)) {
		printf("DISAGREE (compiled vs plain) verdict %s/%s rule %u/%u steps %llu/%llu: %s [%s]\n",
		       ipt_verdict_name(a.verdict), ipt_verdict_name(b.verdict), a.rule, b.rule,
		       (unsigned long long)a.steps, (unsigned long long)b.steps, desc, why);
		t->disagreed++;
	}
	sent = send_packet(t, p, id++);
	if (sent < 0) {
		t->skipped++;
		printf("NOT SENT (%s): %s [%s]\n", strerror(errno), desc, why);
	}
	if (read_settled(t, &dl, &tx) < 0)
		return -1;
	if (sent >= 0) {
		t->npackets++;
		struct ipt_packet kp = *p;

		/* a DNAT to another host makes the kernel forward the packet */
		if (p->path == IPT_PATH_INCOMING && a.nat.dnat_rule != IPT_NONE && !is_local_fam(a.nat.dst, t->fam))
			kp.path = IPT_PATH_FORWARD;
		/* a nat output chain that changed the address re-routes a local packet: to this
		 * host through lo back in, to another out of the veth (nf_nat_ipv4_local_fn) */
		if ((p->path == IPT_PATH_LOCAL_OUT || p->path == IPT_PATH_LOOPBACK) &&
		    a.nat.dnat_rule != IPT_NONE && memcmp(a.nat.dst, p->dst, p->family == 4 ? 4 : 16))
			kp.path = is_local_fam(a.nat.dst, t->fam) ? IPT_PATH_LOOPBACK : IPT_PATH_LOCAL_OUT;
		kv = kernel_verdict(t, &kp, sent, dl, tx);
		if (a.verdict == IPT_V_UNKNOWN ? !(a.possible & IPT_VSET(kv)) : (int)a.verdict != kv) {
			char rn[256] = "-";

			if (a.rule != IPT_NONE)
				name_rule(t, a.rule, rn, sizeof(rn));
			printf("DISAGREE kernel %s model %s (possible 0x%x, by %d, rule %s, martian %s): %s [%s]\n",
			       ipt_verdict_name((enum ipt_verdict)kv), ipt_verdict_name(a.verdict), a.possible,
			       a.by, rn, ipt_martian_name(a.martian), desc, why);
			t->disagreed++;
		} else if (a.verdict == IPT_V_UNKNOWN) {
			t->unknown++;
		} else {
			t->agreed++;
			if (t->verbose)
				printf("ok %s %s [%s]\n", ipt_verdict_name(a.verdict), desc, why);
		}
		compare_rules(t, desc, why);
	}
	sw = t->bp, t->bp = t->ap, t->ap = sw;
	sw = t->bb, t->bb = t->ab, t->ab = sw;
	t->delivers = dl;
	t->tx = tx;
	return 0;
}

/* ---- preparing a ruleset: one counter per rule at its hit position ---- */

/* Orders the listing for loading back: tables, chains, then sets and maps (a verdict map
 * may jump to a chain), then the rest; families the evaluator does not model (netdev,
 * bridge, arp) are left out, and said so. */
static int reorder(json_t *arr)
{
	static const char *const order[] = {"metainfo", "table", "chain", "set", "map", NULL};
	json_t *copy = json_copy(arr), *el, *o;
	size_t i;
	int pass;

	if (!copy)
		return -1;
	json_array_clear(arr);
	for (pass = 0; pass <= 5; pass++)
		json_array_foreach(copy, i, el) {
			const char *key = json_object_iter_key(json_object_iter(el)), *fam;
			int k;

			for (k = 0; order[k] && strcmp(order[k], key); k++)
				;
			if (k != pass && !(pass == 5 && !order[k]))
				continue;
			o = json_object_iter_value(json_object_iter(el));
			fam = json_string_value(json_object_get(o, "family"));
			if (fam && strcmp(fam, "ip") && strcmp(fam, "ip6") && strcmp(fam, "inet")) {
				if (!strcmp(key, "table"))
					fprintf(stderr, "prep: table %s %s left out (family not modelled)\n",
						fam, json_string_value(json_object_get(o, "name")));
				continue;
			}
			json_array_append(arr, el);
		}
	json_decref(copy);
	return 0;
}

/* 1 when range r = [a, b] has a > b: integers, or IPv4/IPv6 addresses of one family. */
static int range_reversed(json_t *r)
{
	json_t *a = json_array_get(r, 0), *b = json_array_get(r, 1);
	unsigned char x[16], y[16];
	int fam;

	if (json_is_integer(a) && json_is_integer(b))
		return json_integer_value(a) > json_integer_value(b);
	if (!json_is_string(a) || !json_is_string(b))
		return 0;
	for (fam = 0; fam < 2; fam++) {
		int af = fam ? AF_INET6 : AF_INET;

		if (inet_pton(af, json_string_value(a), x) == 1 &&
		    inet_pton(af, json_string_value(b), y) == 1)
			return memcmp(x, y, fam ? 16 : 4) > 0;
	}
	return 0;
}

/* nft lists the two comparisons `< a > b` of one field as "!= a-b" and `>= a <= b` as
 * "a-b"; with a > b it refuses that listing back ("Range has zero or negative size").
 * Such a match goes back as the two comparisons the kernel ran, so the prepared ruleset
 * holds the same expressions as the one the test loaded, and its listing, which the
 * evaluator reads, shows the reversed range again. */
static void split_reversed(json_t *expr)
{
	size_t k;

	for (k = 0; k < json_array_size(expr); k++) {
		json_t *m = json_object_get(json_array_get(expr, k), "match"), *r;
		const char *op = json_string_value(json_object_get(m, "op"));
		int ne;

		if (!m || !(r = json_object_get(json_object_get(m, "right"), "range")) ||
		    !json_is_array(r) || json_array_size(r) != 2 || !range_reversed(r))
			continue;
		ne = op && !strcmp(op, "!=");
		if (op && !ne && strcmp(op, "=="))
			continue;
		json_array_insert_new(expr, k + 1, json_pack("{s:{s:s,s:O,s:O}}", "match", "op",
							    ne ? ">" : "<=", "left",
							    json_object_get(m, "left"), "right",
							    json_array_get(r, 1)));
		json_array_set_new(expr, k, json_pack("{s:{s:s,s:O,s:O}}", "match", "op",
						      ne ? "<" : ">=", "left", json_object_get(m, "left"),
						      "right", json_array_get(r, 0)));
		k++;
	}
}

static int prep(const char *in, const char *out)
{
	json_error_t je;
	json_t *root = json_load_file(in, 0, &je), *arr, *el, *r, *expr;
	struct nft_ruleset *rs = NULL;
	struct nft_error err;
	char *dump = NULL;
	size_t i, k;
	int ret = 1;

	if (!root) {
		fprintf(stderr, "%s:%d: %s\n", in, je.line, je.text);
		return 1;
	}
	arr = json_object_get(root, "nftables");
	if (reorder(arr) < 0)
		goto out;
	json_array_foreach(arr, i, el) {
		if (!(r = json_object_get(el, "rule")) || !(expr = json_object_get(r, "expr")))
			continue;
		for (k = json_array_size(expr); k-- > 0;)
			if (json_object_get(json_array_get(expr, k), "counter"))
				json_array_remove(expr, k);
	}
	dump = json_dumps(root, 0);
	if (!dump || !(rs = nft_load_json(dump, strlen(dump), in, &err))) {
		fprintf(stderr, "%s: %s\n", in, dump ? err.msg : "out of memory");
		goto out;
	}
	json_array_foreach(arr, i, el) {
		uint32_t id;
		uint64_t h;
		const char *tn, *cn, *fam;

		if (!(r = json_object_get(el, "rule")) || !(expr = json_object_get(r, "expr")))
			continue;
		h = (uint64_t)json_integer_value(json_object_get(r, "handle"));
		tn = json_string_value(json_object_get(r, "table"));
		cn = json_string_value(json_object_get(r, "chain"));
		fam = json_string_value(json_object_get(r, "family"));
		for (id = 0; id < rs->nrules; id++) {
			struct nft_rule_info ri;

			nft_rule_get(rs, id, &ri);
			if (ri.handle == h && tn && cn && fam && !strcmp(ri.table, tn) &&
			    !strcmp(ri.chain_name, cn) && !strcmp(ri.family, fam)) {
				json_array_insert_new(expr, ri.hitpos,
						      json_pack("{s:{s:i,s:i}}", "counter", "packets", 0,
								"bytes", 0));
				break;
			}
		}
		split_reversed(expr);
	}
	ret = json_dump_file(root, out, 0) == 0 ? 0 : 1;
out:
	free(dump);
	nft_ruleset_free(rs);
	json_decref(root);
	return ret;
}

/* The most used exact iifname/oifname (other than lo), "a0" when none. */
static void most_used_if(const struct nft_ruleset *rs, char *out)
{
	unsigned best = 0, n;
	uint32_t i, j;

	strcpy(out, "a0");
	for (i = 0; i < rs->nstmts; i++) {
		const struct nft_stmt *s = &rs->stmts[i];
		const struct nft_elem *e;
		char name[IPT_IFNAMSIZ];

		if (s->kind != NFT_S_MATCH || s->nkeys != 1 ||
		    (s->key[0] != NF_IIFNAME && s->key[0] != NF_OIFNAME) || rs->sets[s->set].n != 1)
			continue;
		e = &rs->elems[rs->sets[s->set].first];
		memcpy(name, e->lo, 15);
		name[15] = '\0';
		if (!strcmp(name, "lo") || strlen(name) > 12 || !name[0])
			continue;
		if (memcmp(e->lo, e->hi, 16))
			strcat(name, "0");
		for (n = 0, j = 0; j < rs->nstmts; j++)
			n += rs->stmts[j].kind == NFT_S_MATCH && rs->stmts[j].nkeys == 1 &&
			     (rs->stmts[j].key[0] == NF_IIFNAME || rs->stmts[j].key[0] == NF_OIFNAME) &&
			     rs->sets[rs->stmts[j].set].n == 1 &&
			     !memcmp(rs->elems[rs->sets[rs->stmts[j].set].first].lo, e->lo, 16);
		if (n > best) {
			best = n;
			strcpy(out, name);
		}
	}
}

static struct nft_ruleset *load_kernel(void)
{
	struct nft_error err;
	struct nft_ruleset *rs;
	char *js = list_ruleset();

	if (!js)
		return NULL;
	rs = nft_load_json(js, strlen(js), "kernel", &err);
	if (!rs)
		fprintf(stderr, "kernel ruleset: %s\n", err.msg);
	free(js);
	return rs;
}

/* The IPv6 extra packets: services, ::1 and multicast sources off lo (ip6_rcv_core drops
 * them), multicast groups joined (ff02::1) or not, ICMPv6 echo, neighbour discovery
 * (untracked) and errors (invalid), forwarded and locally sent traffic. */
static int extra_packets6(struct tctx *t)
{
	static const struct {
		uint8_t path, proto, flags, type;
		const char *src, *dst;
		uint16_t dport;
	} x[] = {
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN, 0, "2001:db8:51::7", "2001:db8:1::10", 22},
		{IPT_PATH_INCOMING, 6, IPT_TCP_ACK, 0, "2001:db8:51::7", "2001:db8:1::10", 80},
		{IPT_PATH_INCOMING, 17, 0, 0, "2001:db8:1::20", "2001:db8:1::10", 53},
		{IPT_PATH_INCOMING, 17, 0, 0, "2001:db8:1::20", "ff02::1", 5353},
		{IPT_PATH_INCOMING, 17, 0, 0, "2001:db8:1::20", "ff02::fb", 5353},
		{IPT_PATH_INCOMING, 58, 0, 128, "2001:db8:51::7", "2001:db8:1::10", 0},
		{IPT_PATH_INCOMING, 58, 0, 135, "2001:db8:1::20", "2001:db8:1::10", 0},
		{IPT_PATH_INCOMING, 58, 0, 1, "2001:db8:51::7", "2001:db8:1::10", 0},
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN, 0, "::1", "2001:db8:1::10", 22},
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN, 0, "fe80::1", "2001:db8:1::10", 22},
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN, 0, "2001:db8:1::10", "2001:db8:1::10", 22},
		{IPT_PATH_FORWARD, 6, IPT_TCP_SYN, 0, "2001:db8:51::7", "2001:db8:113::9", 80},
		{IPT_PATH_FORWARD, 17, 0, 0, "2001:db8:51::7", "2001:db8:113::9", 53},
		{IPT_PATH_LOCAL_OUT, 6, IPT_TCP_SYN, 0, "2001:db8:1::10", "2001:db8:51::7", 443},
		{IPT_PATH_LOCAL_OUT, 17, 0, 0, "2001:db8:1::10", "2001:db8:51::7", 53},
		{IPT_PATH_LOCAL_OUT, 58, 0, 128, "2001:db8:1::10", "2001:db8:51::7", 0},
		{IPT_PATH_LOOPBACK, 6, IPT_TCP_SYN, 0, "::1", "::1", 22},
		{IPT_PATH_LOOPBACK, 17, 0, 0, "::1", "::1", 53},
	};
	size_t i;

	for (i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
		struct ipt_packet p;

		ipt_packet_init(&p, 6, (enum ipt_path)x[i].path);
		p.proto = x[i].proto;
		p.tcp_flags = x[i].flags;
		p.icmp_type = x[i].type;
		inet_pton(AF_INET6, x[i].src, p.src);
		inet_pton(AF_INET6, x[i].dst, p.dst);
		p.sport = ++t->next_port;
		p.dport = x[i].dport;
		settle_packet(t, &p);
		if (test_packet(t, &p, "extra") < 0)
			return -1;
	}
	return 0;
}

/* Extra packets every ruleset gets: common services, spoofed sources, broadcast and
 * multicast, forwarded and locally sent traffic, ICMP. */
static int extra_packets(struct tctx *t)
{
	static const struct {
		uint8_t path, proto, flags, type;
		uint8_t src[4], dst[4];
		uint16_t dport;
	} x[] = {
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN, 0, {198, 51, 100, 7}, {45, 33, 1, 10}, 22},
		{IPT_PATH_INCOMING, 6, IPT_TCP_ACK, 0, {198, 51, 100, 7}, {45, 33, 1, 10}, 80},
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN | IPT_TCP_ACK, 0, {203, 0, 113, 9}, {45, 33, 1, 10}, 443},
		{IPT_PATH_INCOMING, 17, 0, 0, {45, 33, 1, 20}, {45, 33, 1, 10}, 53},
		{IPT_PATH_INCOMING, 17, 0, 0, {45, 33, 1, 20}, {45, 33, 1, 255}, 137},
		{IPT_PATH_INCOMING, 17, 0, 0, {45, 33, 1, 20}, {224, 0, 0, 1}, 5353},
		{IPT_PATH_INCOMING, 1, 0, 8, {198, 51, 100, 7}, {45, 33, 1, 10}, 0},
		{IPT_PATH_INCOMING, 1, 0, 3, {198, 51, 100, 7}, {45, 33, 1, 10}, 0},
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN, 0, {127, 0, 0, 1}, {45, 33, 1, 10}, 22},
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN, 0, {45, 33, 1, 10}, {45, 33, 1, 10}, 22},
		{IPT_PATH_INCOMING, 6, IPT_TCP_SYN, 0, {10, 1, 2, 3}, {45, 33, 1, 10}, 8080},
		{IPT_PATH_FORWARD, 6, IPT_TCP_SYN, 0, {198, 51, 100, 7}, {192, 0, 2, 9}, 80},
		{IPT_PATH_FORWARD, 17, 0, 0, {198, 51, 100, 7}, {192, 0, 2, 9}, 53},
		{IPT_PATH_LOCAL_OUT, 6, IPT_TCP_SYN, 0, {45, 33, 1, 10}, {198, 51, 100, 7}, 443},
		{IPT_PATH_LOCAL_OUT, 17, 0, 0, {45, 33, 1, 10}, {198, 51, 100, 7}, 53},
		{IPT_PATH_LOCAL_OUT, 1, 0, 8, {45, 33, 1, 10}, {198, 51, 100, 7}, 0},
		{IPT_PATH_LOOPBACK, 6, IPT_TCP_SYN, 0, {127, 0, 0, 1}, {127, 0, 0, 1}, 22},
		{IPT_PATH_LOOPBACK, 17, 0, 0, {127, 0, 0, 1}, {127, 0, 0, 1}, 53},
	};
	size_t i;

	if (t->fam == 6)
		return extra_packets6(t);
	for (i = 0; i < sizeof(x) / sizeof(x[0]); i++) {
		struct ipt_packet p;

		ipt_packet_init(&p, 4, (enum ipt_path)x[i].path);
		p.proto = x[i].proto;
		p.tcp_flags = x[i].flags;
		p.icmp_type = x[i].type;
		memcpy(p.src, x[i].src, 4);
		memcpy(p.dst, x[i].dst, 4);
		p.sport = ++t->next_port;
		p.dport = x[i].dport;
		settle_packet(t, &p);
		if (test_packet(t, &p, "extra") < 0)
			return -1;
	}
	return 0;
}

static int run(struct tctx *t, const char *mac)
{
	struct ipt_context ctx;
	uint32_t id, n, na = 0, nm = 0, nd = 0;
	int pass;

	if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &t->dmac[0], &t->dmac[1], &t->dmac[2],
		   &t->dmac[3], &t->dmac[4], &t->dmac[5]) != 6)
		return 2;
	memcpy(t->smac, (const uint8_t[]){0x02, 0x42, 0, 0, 0, 0x20}, 6);
	t->rst_len = t->fam == 4 ? 40 : 60;
	t->icmp_len = t->fam == 4 ? PKTLEN + 28 : PKTLEN + 48;
	t->icmp_rst_len = t->fam == 4 ? 40 + 28 : 60 + 48;
	kd_host_model(t->fam, t->ifn, &ctx);
	t->rs = load_kernel();
	if (!t->rs)
		return 1;
	n = t->rs->nrules + 1;
	t->ev = nft_eval_new(t->rs, &ctx);
	t->plain = nft_eval_new(t->rs, &ctx);
	t->bp = calloc(n, 8), t->bb = calloc(n, 8), t->ap = calloc(n, 8), t->ab = calloc(n, 8);
	t->hd = calloc(n, 4), t->hm = calloc(n, 4), t->pd = calloc(n, 4), t->pm = calloc(n, 4);
	t->rstat = calloc(n, 1), t->reach = calloc(t->rs->nchains + 1, 1);
	{
		/* the AF_PACKET socket sends from the peer's end of the veth */
		int self = open("/proc/self/ns/net", O_RDONLY), peer = open(t->peer_ns, O_RDONLY);

		if (self < 0 || peer < 0 || setns(peer, CLONE_NEWNET) < 0) {
			perror("peer namespace");
			return 1;
		}
		t->pkt_fd = socket(AF_PACKET, SOCK_RAW, 0);
		t->ifindex = (int)if_nametoindex(t->peer_if);
		if (setns(self, CLONE_NEWNET) < 0)
			t->ifindex = 0;
		close(self);
		close(peer);
	}
	t->raw_fd = socket(t->fam == 4 ? AF_INET : AF_INET6, SOCK_RAW, IPPROTO_RAW);
	if (t->raw_fd >= 0)
		(void)setsockopt(t->raw_fd, SOL_SOCKET, SO_BROADCAST, &(int){1}, sizeof(int));
	if (!t->ev || !t->plain || !t->bp || !t->bb || !t->ap || !t->ab || !t->hd || !t->hm ||
	    !t->pd || !t->pm || !t->rstat || !t->reach || t->pkt_fd < 0 || t->raw_fd < 0 ||
	    !t->ifindex || nft_eval_compile_min(t->ev, 1) < 0 || nft_eval_set_compiled(t->plain, 0) < 0) {
		perror("setup");
		return 1;
	}
	nft_eval_set_hook(t->ev, on_hit, t);
	nft_eval_set_hook(t->plain, on_hit_plain, t);
	for (id = 0; id < t->rs->nchains; id++)
		if (t->rs->chains[id].hook >= 0 && (t->rs->tables[t->rs->chains[id].table].fam == t->fam ||
						       t->rs->tables[t->rs->chains[id].table].fam == 46))
			reach_from(t, id, 1u << t->rs->chains[id].hook, 0);
	if (read_counters(t, t->bp, t->bb) < 0)
		return 1;
	t->delivers = snmp_indelivers(t->fam);
	t->tx = dev_tx(t->ifn);
	t->next_port = 20000;
	for (id = 0; id < t->rs->nrules; id++)
		for (pass = 0; pass < 2; pass++) {
			struct ipt_packet p;

			if (aim(t, id, pass, &p) == 0 && test_packet(t, &p, pass ? "miss" : "match") < 0)
				return 1;
		}
	if (extra_packets(t) < 0)
		return 1;
	for (id = 0; id < t->rs->nrules; id++) {
		na += t->rstat[id] == RS_AGREE;
		nm += t->rstat[id] == RS_MAYBE;
		nd += t->rstat[id] == RS_DIFFER;
	}
	printf("packets %u agreed %u unknown %u disagreed %u skipped %u\n", t->npackets, t->agreed,
	       t->unknown, t->disagreed, t->skipped);
	printf("per-rule: compared %u rules, agree %u, maybe %u, differ %u\n", t->rs->nrules, na, nm, nd);
	printf("compiled vs plain: %u packets evaluated by both\n", t->evaluated);
	return t->disagreed || nd ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct tctx t;
	int i;

	memset(&t, 0, sizeof(t));
	t.fam = 4;
	if (argc == 5 && !strcmp(argv[1], "random")) {
		struct ngen g = {strtoull(argv[2], NULL, 10) * 2654435761u + 1};

		ng_ruleset(&g, stdout, (unsigned)atoi(argv[3]), argv[4]);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "prep"))
		return prep(argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "count")) {
		struct nft_error err;
		struct nft_ruleset *rs = nft_load_file(argv[2], &err);

		if (!rs) {
			if (err.line)
				fprintf(stderr, "%s:%u: %s\n", err.file, err.line, err.msg);
			else
				fprintf(stderr, "%s: %s\n", err.file, err.msg);
			return 1;
		}
		printf("%u rules %u chains\n", nft_rule_count(rs), nft_chain_count(rs));
		nft_ruleset_free(rs);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "ifname")) {
		struct nft_error err;
		struct nft_ruleset *rs = nft_load_file(argv[2], &err);
		char name[IPT_IFNAMSIZ + 2];

		if (!rs) {
			fprintf(stderr, "%s: %s\n", err.file, err.msg);
			return 1;
		}
		most_used_if(rs, name);
		printf("%s\n", name);
		nft_ruleset_free(rs);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run"))
		goto usage;
	{
		const char *mac = NULL;

		for (i = 2; i < argc; i++) {
			if (!strcmp(argv[i], "-v"))
				t.verbose = 1;
			else if (!strcmp(argv[i], "-6"))
				t.fam = 6;
			else if (!strcmp(argv[i], "--if") && i + 1 < argc)
				t.ifn = argv[++i];
			else if (!strcmp(argv[i], "--peer-ns") && i + 1 < argc)
				t.peer_ns = argv[++i];
			else if (!strcmp(argv[i], "--peer-if") && i + 1 < argc)
				t.peer_if = argv[++i];
			else if (!strcmp(argv[i], "--mac") && i + 1 < argc)
				mac = argv[++i];
			else
				goto usage;
		}
		if (!t.ifn || !mac || !t.peer_ns || !t.peer_if || strlen(t.ifn) >= IPT_IFNAMSIZ)
			goto usage;
		i = run(&t, mac);
		nft_eval_free(t.ev);
		nft_eval_free(t.plain);
		nft_ruleset_free(t.rs);
		free(t.bp), free(t.bb), free(t.ap), free(t.ab), free(t.hd), free(t.hm);
		free(t.pd), free(t.pm);
		free(t.rstat), free(t.reach);
		if (t.pkt_fd > 0)
			close(t.pkt_fd);
		if (t.raw_fd > 0)
			close(t.raw_fd);
		return i;
	}
usage:
	fprintf(stderr, "usage: nft_kdiff random SEED NRULES IF | prep IN OUT | count FILE | ifname FILE | "
			"run [-v] [-6] --peer-ns PATH --peer-if IF --if IF --mac MAC\n");
	return 2;
}
