/* ipt_kdiff: the helper of tests/integration/t_ipt_kernel_diff.sh, comparing the
 * evaluator with the kernel packet by packet.
 *
 *   ipt_kdiff random SEED NRULES
 *       Prints a random ruleset (tests/tools/rsgen.h) for interface a0.
 *   ipt_kdiff ifname FILE
 *       Prints the interface name the test namespace should give its veth so that the
 *       ruleset's -i/-o rules can be reached (its most used non-lo interface).
 *   ipt_kdiff run [-v] --peer-ns PATH --peer-if IF --mac MAC --if IF FILE
 *       Runs inside the namespace where FILE is loaded (iptables-legacy). For every rule it
 *       builds a packet meant to match it and one that just misses (plus spoofed 127/8 and
 *       loopback packets), sends each (an Ethernet frame on the peer's veth for incoming
 *       and forwarded paths, a raw IP_HDRINCL socket for output and loopback), reads the
 *       kernel's verdict from the rule counters (iptables-legacy-save -c), delivery
 *       (/proc/net/snmp InDelivers) and transmission (/proc/net/dev), and compares it with
 *       the plain and the compiled evaluator. Prints "packets N agreed N unknown N
 *       disagreed N skipped N" and "per-rule: compared N rules, agree A, maybe M, differ
 *       D" (every rule's counter delta against the evaluator's definite and maybe hits,
 *       packet by packet) and exits 1 on a verdict disagreement or a per-rule difference.
 *       Every packet is compared rule by rule. KDIFF_STRICT_RULES=0 leaves out a locally
 *       sent packet with a spoofed source where mangle has MARK rules (and the packet
 *       after it), as this test did while it read a packet whose send() failed as not
 *       sent: the hits the kernel counted for it (mangle OUTPUT, before
 *       ip_route_me_harder refused a 127/8 source off lo with EINVAL) were credited to
 *       the next packet, which looked like a packet counted twice, once late.
 *
 * Replies the host generates (RSTs of 40 bytes, ICMP errors of 228) traverse the chains
 * too; every test packet is 200 bytes long, so a counter's packet and byte deltas tell
 * whether the test packet itself passed it (echo replies are off: icmp_echo_ignore_all).
 * The verdict: a REJECT, else a DROP rule, else a DROP policy of the packet's hooks that
 * the packet passed; else delivered (incoming, loopback) or transmitted (output,
 * forward) -> ACCEPT; otherwise DROP (dropped outside iptables: martian, defrag).
 *
 * This test tool reads the parsed rules through ipt_int.h to aim packets at them. */
#include "policy/ipt_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ipt_kdiff6.h"
#include "kdiff_net.h"

#define TTL 77

#define PKTLEN 200	/* every test packet's IP length: replies are 40 (RST) or 228 (ICMP) */

struct kstate {
	uint64_t *rule, *rbytes;	/* per rule id */
	uint64_t *policy, *pbytes;	/* per chain id */
	uint64_t delivers, tx;
	int ok;
};

struct tctx {
	struct ipt_ruleset *rs;
	int fam;			/* 4 or 6 */
	size_t alen;			/* 4 or 16 */
	const uint8_t *host;		/* this host's address on the veth */
	uint64_t rst_len, icmp_len, icmp_rst_len;	/* replies: RST, ICMP error quoting the packet
						 * or a RST (40/228/68, 60/248/108) */
	const char *ifn;
	int pkt_fd, raw_fd, ifindex;
	uint8_t dmac[6], smac[6];
	uint16_t next_port;
	int verbose;
	unsigned agreed, unknown, disagreed, skipped, rule_mismatch;
	uint8_t *reach;		/* chain x hook-set reachability */
	struct ipt_eval *plain, *fast;
	struct ipt_compiled *cp;
	struct kstate before, after, scratch;
	unsigned ndetail;
	/* per-rule comparison (issue 9): hits the evaluators report for the packet being
	 * tested (definite, maybe; plain and compiled) and each rule's worst outcome */
	uint32_t *hd, *hm, *fd, *fm;
	uint8_t *rstat;			/* RS_AGREE, RS_MAYBE, RS_DIFFER */
	unsigned npackets, rule_reports;
	unsigned not_compared;		/* packets left out of the per-rule comparison */
	int spoof_out;			/* the last packet was a spoofed local one */
	int strict;			/* KDIFF_STRICT_RULES=1: compare those too */
	int mangle_mark;		/* the mangle table has MARK/CONNMARK rules */
	int keep_ct;			/* do not flush conntrack before the next packet */
	int last_verdict;		/* the model's verdict for the last packet */
};

enum { RS_AGREE = 0, RS_MAYBE, RS_DIFFER };

struct hitacc {
	uint32_t *d, *m;
};

static void on_hit(void *arg, uint32_t rule, int matched)
{
	struct hitacc *h = arg;

	if (matched == 1)
		h->d[rule]++;
	else
		h->m[rule]++;
}

/* ---- kernel side ---- */

static int read_counters(struct tctx *t, struct kstate *k)
{
	FILE *p = popen(t->fam == 4 ? "iptables-legacy-save -c" : "ip6tables-legacy-save -c", "r");
	char line[4096], chain[64];
	int table = -1;
	uint32_t cid = IPT_NONE, idx = 0, i;

	k->ok = 0;
	if (!p)
		return -1;
	memset(k->rule, 0, t->rs->nrules * sizeof(uint64_t));
	memset(k->rbytes, 0, t->rs->nrules * sizeof(uint64_t));
	memset(k->policy, 0, t->rs->nchains * sizeof(uint64_t));
	memset(k->pbytes, 0, t->rs->nchains * sizeof(uint64_t));
	while (fgets(line, sizeof(line), p)) {
		unsigned long long pk, by;

		if (line[0] == '*') {
			line[strcspn(line, "\n")] = '\0';
			table = ipt_table_parse(line + 1);
		} else if (line[0] == ':' && table >= 0) {
			if (sscanf(line, ":%63s %*s [%llu:%llu]", chain, &pk, &by) == 3) {
				uint32_t c = ipt_chain_find(t->rs, (enum ipt_table)table, chain);

				if (c != IPT_NONE) {
					k->policy[c] = pk;
					k->pbytes[c] = by;
				}
			}
		} else if (line[0] == '[' && table >= 0) {
			if (sscanf(line, "[%llu:%llu] -A %63s", &pk, &by, chain) != 3)
				continue;
			i = ipt_chain_find(t->rs, (enum ipt_table)table, chain);
			if (i != cid) {
				cid = i;
				idx = 0;
			}
			if (cid == IPT_NONE || idx >= t->rs->chains[cid].n) {
				pclose(p);
				return -2;	/* the kernel's layout is not the parsed one */
			}
			k->rbytes[t->rs->chains[cid].first + idx] = by;
			k->rule[t->rs->chains[cid].first + idx++] = pk;
		}
	}
	if (pclose(p) != 0)
		return -1;
	k->delivers = snmp_indelivers(t->fam);
	k->tx = dev_tx(t->ifn);
	k->ok = 1;
	return 0;
}

static int send_packet(struct tctx *t, const struct ipt_packet *p, uint16_t id)
{
	const struct kd_link l = {t->fam, t->pkt_fd, t->raw_fd, t->ifindex, t->dmac, t->smac};

	return kd_send(&l, p, id, PKTLEN, TTL, 1);
}

/* ---- aiming packets at rules ---- */

/* Hooks from which each chain is reachable (bit per hook). */
static void reach_from(struct tctx *t, uint32_t c, unsigned hookbit, int depth)
{
	const struct ipt_chain *ch = &t->rs->chains[c];
	uint32_t i;

	if (depth > 64 || (t->reach[c] & hookbit))
		return;
	t->reach[c] |= (uint8_t)hookbit;
	for (i = ch->first; i < ch->first + ch->n; i++)
		if (t->rs->rules[i].tkind == IPT_T_JUMP || t->rs->rules[i].tkind == IPT_T_GOTO)
			reach_from(t, t->rs->rules[i].tchain, hookbit, depth + 1);
}

static const uint8_t host_a[4] = {45, 33, 1, 10};

/* Addresses this host receives for (unicast, or the IPv4 subnet broadcast). */
static int is_local_fam(int fam, const uint8_t *a)
{
	if (fam == 6)
		return !memcmp(a, loop6, 16) || !memcmp(a, host_a6, 16);
	return a[0] == 127 || !memcmp(a, host_a, 4) ||
	       (a[0] == 45 && a[1] == 33 && a[2] == 1 && a[3] == 255);
}
#define is_local(a) is_local_fam(t->fam, (a))

static void in_net(const struct ipt_net *n, int inv, uint8_t *a, int len)
{
	int i;

	if (!inv) {
		for (i = 0; i < len; i++)
			a[i] = (uint8_t)(n->addr[i] | (a[i] & ~n->mask[i]));
		return;
	}
	for (i = len - 1; i >= 0; i--)	/* flip the last bit of the mask: just outside */
		if (n->mask[i]) {
			uint8_t low = (uint8_t)(n->mask[i] & -n->mask[i]);

			memcpy(a, n->addr, (size_t)len);
			a[i] ^= low;
			if (i < len - 1 || low != 1)
				a[len - 1] |= 1;
			return;
		}
	a[0] = 1;	/* ! 0/0: nothing is outside */
}

static uint16_t outside(const struct ipt_prange *r)
{
	return r->lo > 1 ? (uint16_t)(r->lo - 1) : r->hi < 65535 ? (uint16_t)(r->hi + 1) : 0;
}

/* Fills p so that rule r matches, as far as it can; miss > 0 spoils constraint `miss`. */
static int aim(struct tctx *t, uint32_t id, int miss, struct ipt_packet *p)
{
	const struct ipt_rule *r = &t->rs->rules[id];
	unsigned hooks = t->reach[r->chain];
	int ncons = 0, path;
	uint16_t k;

#define SPOIL() (miss && ++ncons == miss)
	if (!hooks)
		return -1;
	path = hooks & (1 << IPT_HOOK_INPUT | 1 << IPT_HOOK_PREROUTING) ? IPT_PATH_INCOMING
	       : hooks & (1 << IPT_HOOK_FORWARD) ? IPT_PATH_FORWARD : IPT_PATH_LOCAL_OUT;
	ipt_packet_init(p, t->fam, (enum ipt_path)path);
	p->proto = 17;
	p->tcp_flags = IPT_TCP_SYN;
	p->icmp_type = t->fam == 4 ? 8 : 128;
	if (t->fam == 4) {
		memcpy(p->src, (const uint8_t[]){198, 51, 100, 7}, 4);
		memcpy(p->dst, path == IPT_PATH_INCOMING ? host_a : (const uint8_t[]){203, 0, 113, 9}, 4);
	} else {
		memcpy(p->src, remote6, 16);
		memcpy(p->dst, path == IPT_PATH_INCOMING ? host_a6 : far6, 16);
	}
	if (path == IPT_PATH_LOCAL_OUT)
		memcpy(p->src, t->host, t->alen);
	p->sport = t->next_port;
	p->dport = 9;
	if (r->has_proto)
		p->proto = (uint8_t)((!!(r->inv & IPT_INV_PROTO) ^ SPOIL()) ? (r->proto == 17 ? 6 : 17) : r->proto);
	if (r->has_src)
		in_net(&r->src, !!(r->inv & IPT_INV_SRC) ^ SPOIL(), p->src, (int)t->alen);
	if (r->has_dst)
		in_net(&r->dst, !!(r->inv & IPT_INV_DST) ^ SPOIL(), p->dst, (int)t->alen);
	if (r->in_if >= 0) {
		const struct ipt_ifpat *ip = &t->rs->ifpat[r->in_if];
		int lo = !ip->wildcard && !strcmp(ip->name, "lo");
		int want = !(r->inv & IPT_INV_IN) ^ SPOIL();

		if (lo == want && (hooks & (1 << IPT_HOOK_INPUT | 1 << IPT_HOOK_PREROUTING)))
			path = IPT_PATH_LOOPBACK;
	}
	if (r->out_if >= 0) {
		const struct ipt_ifpat *op = &t->rs->ifpat[r->out_if];
		int lo = !op->wildcard && !strcmp(op->name, "lo");
		int want = !(r->inv & IPT_INV_OUT) ^ SPOIL();

		if (lo == want && (hooks & (1 << IPT_HOOK_OUTPUT | 1 << IPT_HOOK_POSTROUTING)))
			path = IPT_PATH_LOOPBACK;
	}
	for (k = 0; k < r->nm; k++) {
		const struct ipt_match *m = &r->m[k];

		switch (m->kind) {
		case IPT_M_TCP:
		case IPT_M_UDP:
			p->proto = m->kind == IPT_M_TCP ? 6 : 17;
			if (m->have & IPT_MO_SPORT)
				p->sport = (!!(m->inv & IPT_MO_SPORT) ^ SPOIL()) ? outside(&m->u.l4.sport)
										 : m->u.l4.sport.lo;
			if (m->have & IPT_MO_DPORT)
				p->dport = (!!(m->inv & IPT_MO_DPORT) ^ SPOIL()) ? outside(&m->u.l4.dport)
										 : m->u.l4.dport.lo;
			if (m->have & IPT_MO_FLAGS)
				p->tcp_flags = (uint8_t)((!!(m->inv & IPT_MO_FLAGS) ^ SPOIL())
					       ? m->u.l4.fcmp ^ (m->u.l4.fmask & -m->u.l4.fmask) : m->u.l4.fcmp);
			break;
		case IPT_M_ICMP:
		case IPT_M_ICMP6: {
			uint8_t echo = m->kind == IPT_M_ICMP ? 8 : 128, reply = m->kind == IPT_M_ICMP ? 0 : 129;

			p->proto = m->kind == IPT_M_ICMP ? 1 : 58;
			if (!m->u.icmp.any) {
				int w = !(m->inv & IPT_MO_MAIN) ^ SPOIL();

				p->icmp_type = w ? m->u.icmp.type : (uint8_t)(m->u.icmp.type == echo ? reply : echo);
				p->icmp_code = w ? m->u.icmp.code_lo : 0;
			}
			break;
		}
		case IPT_M_MULTIPORT:
			if (m->u.mport.n && !(!!m->inv ^ SPOIL())) {
				if (m->have & IPT_MO_SPORT)
					p->sport = m->u.mport.r[0].lo;
				else
					p->dport = m->u.mport.r[0].lo;
			} else {
				p->dport = 65432;	/* not listed (checked below) */
			}
			break;
		case IPT_M_IPRANGE:
			if (m->have & IPT_MO_SRC)
				memcpy(p->src, m->u.iprange.src_lo, t->alen);
			if (m->have & IPT_MO_DST)
				memcpy(p->dst, m->u.iprange.dst_lo, t->alen);
			if (SPOIL() && (m->have & IPT_MO_SRC))
				p->src[t->alen - 1]--;
			break;
		case IPT_M_MAC:
			p->have_mac = 1;
			memcpy(p->mac, m->u.mac, 6);
			if (SPOIL())
				p->mac[5] ^= 1;
			break;
		default:
			break;
		}
	}
	if (miss && ncons < miss)
		return -1;	/* nothing to spoil */
	/* the kernel decides the path from the destination */
	if (path == IPT_PATH_INCOMING && !is_local(p->dst))
		path = IPT_PATH_FORWARD;
	if (path == IPT_PATH_FORWARD && is_local(p->dst))
		path = IPT_PATH_INCOMING;
	if (path == IPT_PATH_LOCAL_OUT && is_local(p->dst))
		path = IPT_PATH_LOOPBACK;
	if (path == IPT_PATH_LOOPBACK && !is_local(p->dst))
		memcpy(p->dst, t->fam == 4 ? (const uint8_t[]){127, 0, 0, 1} : loop6, t->alen);
	p->path = (uint8_t)path;
	if (t->fam == 4 && ((p->dst[0] & 0xf0) >= 224 || p->dst[0] == 0 || (p->src[0] & 0xf0) >= 224))
		return -1;	/* multicast and zero-net destinations need more than one host */
	if (t->fam == 6 && (p->dst[0] == 0xff || p->src[0] == 0xff || ipt6_unspec(p->dst) ||
			    (p->dst[0] == 0xfe && (p->dst[1] & 0xc0) == 0x80 && !is_local(p->dst))))
		return -1;	/* multicast, :: and other hosts' link-local destinations */
	if (t->fam == 6 && !memcmp(p->dst, host_a6, 8) && !is_local(p->dst) &&
	    (memcmp(p->dst + 8, loop6 + 8, 7) || !p->dst[15]))
		return -1;	/* on the link, not among the neighbours setup6 makes (::1 - ::ff) */
	if ((path == IPT_PATH_LOCAL_OUT || path == IPT_PATH_LOOPBACK) &&
	    (t->fam == 4 ? !p->src[0] && !p->src[1] && !p->src[2] && !p->src[3] : ipt6_unspec(p->src)))
		return -1;	/* raw_send_hdrinc fills a 0.0.0.0 source in: not sendable as is */
	if (path == IPT_PATH_LOOPBACK) {
		snprintf(p->in_if, sizeof(p->in_if), "lo");
		snprintf(p->out_if, sizeof(p->out_if), "lo");
	} else {
		snprintf(p->in_if, sizeof(p->in_if), "%s", path == IPT_PATH_LOCAL_OUT ? "" : t->ifn);
		snprintf(p->out_if, sizeof(p->out_if), "%s", path == IPT_PATH_INCOMING ? "" : t->ifn);
	}
	if (p->proto != 6 && p->proto != 17 && p->proto != (t->fam == 4 ? 1 : 58))
		p->proto = 17;	/* only these three are sent */
	/* conntrack's view of the first packet of a fresh tuple */
	if (p->proto == 6) {
		p->ctstate = (uint8_t)ipt_ct_tcp_first(p->tcp_flags);
	} else if (p->proto == 58) {
		p->ctstate = icmp6_ct(p->icmp_type);
	} else if (p->proto == 1) {
		unsigned ty = p->icmp_type;

		p->ctstate = ty == 8 || ty == 13 || ty == 15 || ty == 17 ? IPT_CT_NEW : IPT_CT_INVALID;
		if (ty == 3 || ty == 11 || ty == 4 || ty == 5 || ty == 12)
			p->ctstate = IPT_CT_UNKNOWN;	/* RELATED or INVALID: the kernel looks inside */
	} else {
		p->ctstate = IPT_CT_NEW;
	}
	return 0;
#undef SPOIL
}

/* ---- comparing ---- */

static unsigned hooks_of_path(int path)
{
	switch (path) {
	case IPT_PATH_INCOMING:
		return 1 << IPT_HOOK_PREROUTING | 1 << IPT_HOOK_INPUT;
	case IPT_PATH_LOCAL_OUT:
		return 1 << IPT_HOOK_OUTPUT | 1 << IPT_HOOK_POSTROUTING;
	case IPT_PATH_FORWARD:
		return 1 << IPT_HOOK_PREROUTING | 1 << IPT_HOOK_FORWARD | 1 << IPT_HOOK_POSTROUTING;
	default:
		return 0x1f;
	}
}

/* Whether the m replies of a counter can make up db bytes: a reply is a RST (rst_len), an
 * ICMP error quoting the test packet (icmp_len) or one quoting a RST (icmp_rst_len: a
 * REJECT answering the host's own RST, looped back to a spoofed source). */
static int replies_fit(const struct tctx *t, uint64_t m, uint64_t db)
{
	uint64_t a, b;

	for (a = 0; a <= m; a++)
		for (b = 0; a + b <= m; b++)
			if (t->icmp_len * a + t->icmp_rst_len * b + t->rst_len * (m - a - b) == db)
				return 1;
	return 0;
}

/* How many of a counter's dp packets / db bytes were the test packet itself (PKTLEN
 * bytes; a chain jumped to twice counts it twice), the rest being replies
 * (replies_fit): the largest k that fits when several do. */
static uint64_t own_count(const struct tctx *t, uint64_t dp, uint64_t db)
{
	uint64_t k;

	for (k = dp + 1; k-- > 0;)
		if (PKTLEN * k <= db && replies_fit(t, dp - k, db - PKTLEN * k))
			return k;
	return 0;
}

/* Whether the test packet itself passed a counter that went up by dp packets, db bytes. */
static int own_hit(const struct tctx *t, uint64_t dp, uint64_t db)
{
	return own_count(t, dp, db) > 0;
}

static int kernel_verdict(struct tctx *t, const struct ipt_packet *p, uint32_t *rule, int sent)
{
	unsigned hs = hooks_of_path(p->path);
	uint32_t i;
	int v = -1;

	*rule = IPT_NONE;
	for (i = 0; i < t->rs->nrules; i++) {
		const struct ipt_rule *r = &t->rs->rules[i];

		if (!(t->reach[r->chain] & hs) ||
		    !own_hit(t, t->after.rule[i] - t->before.rule[i], t->after.rbytes[i] - t->before.rbytes[i]))
			continue;
		if (r->tkind == IPT_T_REJECT && v != IPT_V_REJECT) {
			v = IPT_V_REJECT;
			*rule = i;
		} else if (r->tkind == IPT_T_DROP && v < 0) {
			v = IPT_V_DROP;
			*rule = i;
		}
	}
	if (v >= 0)
		return v;
	for (i = 0; i < t->rs->nchains; i++) {
		const struct ipt_chain *c = &t->rs->chains[i];

		if (c->hook >= 0 && (hs & (1u << c->hook)) && c->policy == IPT_V_DROP &&
		    own_hit(t, t->after.policy[i] - t->before.policy[i], t->after.pbytes[i] - t->before.pbytes[i]))
			return IPT_V_DROP;
	}
	if (sent != 1 && (p->path == IPT_PATH_INCOMING || p->path == IPT_PATH_LOOPBACK) &&
	    t->after.delivers > t->before.delivers)
		return IPT_V_ACCEPT;
	if (sent != 1 && (p->path == IPT_PATH_LOCAL_OUT || p->path == IPT_PATH_FORWARD) &&
	    t->after.tx > t->before.tx)
		return IPT_V_ACCEPT;
	return IPT_V_DROP;
}

/* Re-reads the counters until two reads agree (at most 5 more): a packet the kernel
 * handles asynchronously (softirq backlog) must not be credited to the next one. */
static int settle(struct tctx *t)
{
	uint32_t nr = t->rs->nrules, nc = t->rs->nchains;
	struct kstate k = t->after;
	int i, rc;

	for (i = 0; i < 5; i++) {
		uint64_t sum_a = k.delivers + k.tx, sum_b;
		uint32_t j;

		pause_us(2000);
		rc = read_counters(t, &t->scratch);
		if (rc < 0)
			return rc;
		sum_b = t->scratch.delivers + t->scratch.tx;
		for (j = 0; j < nr; j++) {
			sum_a += t->after.rule[j];
			sum_b += t->scratch.rule[j];
		}
		for (j = 0; j < nc; j++) {
			sum_a += t->after.policy[j];
			sum_b += t->scratch.policy[j];
		}
		if (sum_a == sum_b)
			return 0;
		k = t->after;
		t->after = t->scratch;
		t->scratch = k;
		k = t->after;
	}
	return 0;
}

/* Compares, rule by rule, the kernel's counter deltas for the packet just sent with the
 * hits the evaluator reported (definite and maybe). */
static void compare_rules(struct tctx *t, const char *desc, const char *why)
{
	uint32_t i;

	for (i = 0; i < t->rs->nrules; i++) {
		uint64_t k = own_count(t, t->after.rule[i] - t->before.rule[i],
				       t->after.rbytes[i] - t->before.rbytes[i]);
		uint64_t d = t->hd[i], m = t->hm[i];
		int st = m == 0 ? (k == d ? RS_AGREE : RS_DIFFER)
				: (k >= d && k <= d + m ? RS_MAYBE : RS_DIFFER);

		if (st > t->rstat[i])
			t->rstat[i] = (uint8_t)st;
		if (st == RS_DIFFER && t->rule_reports++ < 40) {
			struct ipt_rule_info ri;
			char text[512];

			ipt_rule_get(t->rs, i, &ri);
			ipt_rule_format(t->rs, i, text, sizeof(text));
			printf("RULE-DIFF line %u (%s %s #%u) kernel %llu model definite %llu maybe %llu: "
			       "%s [%s] {%s}\n", ri.line, ipt_table_name(ri.table), ri.chain_name, ri.num,
			       (unsigned long long)k, (unsigned long long)d, (unsigned long long)m, desc,
			       why, text);
		}
	}
}

static int test_packet(struct tctx *t, struct ipt_packet *p, const char *why)
{
	struct ipt_result a, b;
	struct ipt_packet kp = *p;
	struct hitacc ha = {t->hd, t->hm}, hb = {t->fd, t->fm};
	uint32_t krule, n = t->rs->nrules;
	int kv, sent, rc;
	static uint16_t id = 1;
	char desc[256];
	struct kstate tmp;

	memset(t->hd, 0, n * sizeof(*t->hd));
	memset(t->hm, 0, n * sizeof(*t->hm));
	memset(t->fd, 0, n * sizeof(*t->fd));
	memset(t->fm, 0, n * sizeof(*t->fm));
	ipt_eval_set_hook(t->plain, on_hit, &ha);
	ipt_eval_set_hook(t->fast, on_hit, &hb);
	if (ipt_eval_packet(t->plain, p, &a) < 0 || ipt_eval_packet(t->fast, p, &b) < 0)
		return -1;
	/* a DNAT to another host makes the kernel forward the packet (forwarding is on); the
	 * main branch's DNAT (every undecided match false) is a definite one */
	if (p->path == IPT_PATH_INCOMING && a.nat.dnat_rule != IPT_NONE && !is_local(a.nat.dst)) {
		kp.path = IPT_PATH_FORWARD;
		snprintf(kp.out_if, sizeof(kp.out_if), "%s", t->ifn);
	}
	/* a DNAT in nat OUTPUT that changed the address makes the kernel route a locally
	 * sent packet again (nf_nat_ipv4_local_fn -> ip_route_me_harder): to this host it
	 * comes back in on lo (delivered), to another it leaves by the veth (transmitted) */
	if ((p->path == IPT_PATH_LOCAL_OUT || p->path == IPT_PATH_LOOPBACK) &&
	    a.nat.dnat_rule != IPT_NONE && memcmp(a.nat.dst, p->dst, t->alen) != 0)
		kp.path = is_local(a.nat.dst) ? IPT_PATH_LOOPBACK : IPT_PATH_LOCAL_OUT;
	if (!t->keep_ct)
		ct_flush(t->fam == 4 ? AF_INET : AF_INET6);
	t->keep_ct = 0;
	sent = send_packet(t, p, id++);
	if (sent < 0) {
		/* not sent; what the kernel counted on the way still must not be credited to
		 * the next packet */
		t->skipped++;
		describe(p, desc, sizeof(desc));
		printf("NOT SENT (%s): %s [%s]\n", strerror(errno), desc, why);
		if (read_counters(t, &t->after) < 0 || settle(t) < 0)
			return -1;
		tmp = t->before;
		t->before = t->after;
		t->after = tmp;
		return 0;
	}
	rc = read_counters(t, &t->after);
	if (rc < 0)
		return rc;
	rc = settle(t);
	if (rc < 0)
		return rc;
	t->npackets++;
	kv = kernel_verdict(t, &kp, &krule, sent);
	describe(p, desc, sizeof(desc));
	if (a.verdict != b.verdict || a.possible != b.possible || a.rule != b.rule ||
	    memcmp(t->hd, t->fd, n * sizeof(*t->hd)) || memcmp(t->hm, t->fm, n * sizeof(*t->hm))) {
		printf("DISAGREE (compiled vs plain) %s [%s]\n", desc, why);
		t->disagreed++;
	} else if (a.verdict == IPT_V_UNKNOWN) {
		if (a.possible & IPT_VSET(kv)) {
			t->unknown++;
		} else {
			printf("DISAGREE kernel %s not in possible set 0x%x: %s [%s]\n",
			       ipt_verdict_name((enum ipt_verdict)kv), a.possible, desc, why);
			t->disagreed++;
		}
	} else if ((int)a.verdict != kv) {
		struct ipt_rule_info ri;

		printf("DISAGREE kernel %s (rule %u) model %s by %d rule line %u martian %s: %s [%s]\n",
		       ipt_verdict_name((enum ipt_verdict)kv), krule == IPT_NONE ? 0 : t->rs->rules[krule].line,
		       ipt_verdict_name(a.verdict), a.by,
		       a.rule != IPT_NONE && ipt_rule_get(t->rs, a.rule, &ri) == 0 ? ri.line : 0,
		       ipt_martian_name(a.martian), desc, why);
		t->disagreed++;
	} else {
		if (a.by == IPT_BY_RULE && krule != IPT_NONE && a.rule != krule &&
		    (a.verdict == IPT_V_DROP || a.verdict == IPT_V_REJECT))
			t->rule_mismatch++;
		t->agreed++;
		if (t->verbose)
			printf("ok %s %s [%s]\n", ipt_verdict_name(a.verdict), desc, why);
	}
	/* KDIFF_STRICT_RULES=0: where mangle has MARK rules, a locally sent packet whose
	 * source is not the host's (raw socket, spoofed) and the next one are not compared
	 * rule by rule (counted and printed); the default compares every packet. */
	t->last_verdict = a.verdict;
	if (t->strict) {
		compare_rules(t, desc, why);
	} else if (t->spoof_out) {
		t->not_compared++;
		t->spoof_out = 0;
	} else if (t->mangle_mark && (p->path == IPT_PATH_LOCAL_OUT || p->path == IPT_PATH_LOOPBACK) &&
		   !is_local(p->src)) {
		t->not_compared++;
		t->spoof_out = 1;
	} else {
		compare_rules(t, desc, why);
	}
	tmp = t->before;
	t->before = t->after;
	t->after = tmp;
	return 0;
}

/* One incoming packet from the peer's side of the link. */
static void in_packet(struct tctx *t, struct ipt_packet *p, const char *src, const char *dst,
		      int proto, uint8_t flags, uint16_t dport)
{
	ipt_packet_init(p, t->fam, IPT_PATH_INCOMING);
	inet_pton(t->fam == 4 ? AF_INET : AF_INET6, src, p->src);
	inet_pton(t->fam == 4 ? AF_INET : AF_INET6, dst, p->dst);
	p->proto = (uint8_t)proto;
	p->tcp_flags = flags;
	p->sport = ++t->next_port;
	p->dport = dport;
	if (t->fam == 6 ? p->dst[0] == 0xff : p->dst[0] >= 224 && p->dst[0] < 240)
		p->pkttype = IPT_PKT_MULTICAST;
	else if ((p->dst[0] == 255 && p->dst[1] == 255 && p->dst[2] == 255 && p->dst[3] == 255) ||
		 !strcmp(dst, "45.33.1.255"))
		p->pkttype = IPT_PKT_BROADCAST;
	if (!is_local(p->dst) && p->pkttype == IPT_PKT_HOST) {
		p->path = IPT_PATH_FORWARD;
		snprintf(p->out_if, sizeof(p->out_if), "%s", t->ifn);
	}
	snprintf(p->in_if, sizeof(p->in_if), "%s", t->ifn);
	p->ctstate = proto == 6 ? (uint8_t)ipt_ct_tcp_first(flags) : IPT_CT_NEW;
}

/* The packet kinds of issue 9: broadcast and multicast destinations, 0/8 sources,
 * invalid TCP flag combinations and unsolicited replies. */
static int kernel_path_packets(struct tctx *t)
{
	static const struct {
		const char *src, *dst;
		int proto;
		uint8_t flags;
		uint16_t dport;
		const char *why;
	} k[] = {
		{"45.33.1.20", "255.255.255.255", 17, 0, 67, "limited broadcast"},
		{"45.33.1.20", "255.255.255.255", 6, IPT_TCP_SYN, 22, "limited broadcast tcp"},
		{"45.33.1.10", "255.255.255.255", 17, 0, 67, "limited broadcast, own source"},
		{"127.0.0.1", "255.255.255.255", 17, 0, 67, "limited broadcast, loopback source"},
		{"0.0.0.0", "255.255.255.255", 17, 0, 67, "DHCP discover"},
		{"0.0.0.7", "255.255.255.255", 17, 0, 67, "0/8 to limited broadcast"},
		{"45.33.1.20", "45.33.1.255", 17, 0, 137, "directed broadcast"},
		{"45.33.1.10", "45.33.1.255", 17, 0, 137, "directed broadcast, own source"},
		{"45.33.1.20", "224.0.0.1", 17, 0, 5353, "multicast all-hosts"},
		{"0.0.0.0", "224.0.0.1", 17, 0, 5353, "multicast from 0.0.0.0"},
		{"45.33.1.20", "224.0.0.251", 17, 0, 5353, "multicast, group not joined"},
		{"45.33.1.20", "239.1.2.3", 17, 0, 5000, "multicast, group not joined"},
		{"0.0.0.0", "45.33.1.10", 17, 0, 53, "0.0.0.0 source"},
		{"0.0.0.7", "45.33.1.10", 17, 0, 53, "0/8 source"},
		{"0.1.2.3", "45.33.1.10", 6, IPT_TCP_SYN, 22, "0/8 source"},
		{"0.1.2.3", "45.33.1.10", 6, IPT_TCP_SYN, 80, "0/8 source"},
		{"45.33.1.20", "0.1.2.3", 17, 0, 53, "0/8 destination"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_SYN | IPT_TCP_FIN, 22, "SYN+FIN"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_SYN | IPT_TCP_RST, 22, "SYN+RST"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_FIN, 80, "FIN alone"},
		{"198.51.100.7", "45.33.1.10", 6, 0, 80, "no flags"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_FIN | IPT_TCP_PSH | IPT_TCP_URG, 80, "xmas"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_SYN | IPT_TCP_ACK, 22, "unsolicited SYN-ACK"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_RST | IPT_TCP_ACK, 443, "unsolicited RST-ACK"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_FIN | IPT_TCP_ACK, 443, "unsolicited FIN-ACK"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_RST, 443, "unsolicited RST"},
		{"198.51.100.7", "45.33.1.10", 6, IPT_TCP_ACK, 80, "ACK picked up"},
		{"198.51.100.7", "203.0.113.9", 6, IPT_TCP_SYN | IPT_TCP_FIN, 80, "SYN+FIN forwarded"},
		{"198.51.100.7", "203.0.113.9", 6, IPT_TCP_SYN | IPT_TCP_ACK, 80, "SYN-ACK forwarded"},
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct ipt_packet p;

		in_packet(t, &p, k[i].src, k[i].dst, k[i].proto, k[i].flags, k[i].dport);
		if (test_packet(t, &p, k[i].why) < 0)
			return -1;
	}
	return 0;
}

/* The IPv6 kernel-path packets: multicast groups joined or not, scopes ip6_rcv_core()
 * refuses (interface-local, reserved 0), ::1, multicast, ::, link-local, v4-mapped and own
 * sources, ::1 destination, invalid TCP flag combinations, unsolicited replies, neighbour
 * discovery (UNTRACKED) and informational ICMPv6, forwarded packets. */
static int kernel_path_packets6(struct tctx *t)
{
	static const struct {
		const char *src, *dst;
		int proto;
		uint8_t flags;	/* TCP flags, or the ICMPv6 type */
		uint16_t dport;
		const char *why;
	} k[] = {
		{"2001:db8:1::20", "ff02::1", 17, 0, 5353, "multicast all-nodes"},
		{"::", "ff02::1", 17, 0, 5353, "multicast from ::"},
		{"fe80::99", "ff02::1", 17, 0, 5353, "multicast from link-local"},
		{"2001:db8:1::20", "ff02::fb", 17, 0, 5353, "multicast, group not joined"},
		{"2001:db8:1::20", "ff05::1:3", 17, 0, 547, "site-local group, not joined"},
		{"2001:db8:1::20", "ff02::1:ff00:10", 17, 0, 9, "solicited-node group"},
		{"2001:db8:1::20", "ff01::1", 17, 0, 9, "interface-local multicast off lo"},
		{"2001:db8:1::20", "ff00::1", 17, 0, 9, "multicast scope 0"},
		{"::1", "2001:db8:1::10", 17, 0, 53, "::1 source off lo"},
		{"::1", "2001:db8:1::10", 6, IPT_TCP_SYN, 22, "::1 source off lo"},
		{"2001:db8:51::7", "::1", 17, 0, 53, "::1 destination off lo"},
		{"::ffff:127.0.0.1", "2001:db8:1::10", 17, 0, 53, "v4-mapped loopback source"},
		{"::ffff:127.0.0.1", "2001:db8:1::10", 6, IPT_TCP_SYN, 22, "v4-mapped loopback source"},
		{"::", "2001:db8:1::10", 17, 0, 53, "unspecified source"},
		{"fe80::99", "2001:db8:1::10", 17, 0, 53, "link-local source"},
		{"2001:db8:1::10", "2001:db8:1::10", 17, 0, 53, "own source"},
		{"ff02::5", "2001:db8:1::10", 17, 0, 53, "multicast source"},
		{"fc00::1", "2001:db8:1::10", 6, IPT_TCP_SYN, 22, "ULA source"},
		{"2001:db8:51::7", "2001:db8:1::10", 6, IPT_TCP_SYN | IPT_TCP_FIN, 22, "SYN+FIN"},
		{"2001:db8:51::7", "2001:db8:1::10", 6, IPT_TCP_FIN, 80, "FIN alone"},
		{"2001:db8:51::7", "2001:db8:1::10", 6, 0, 80, "no flags"},
		{"2001:db8:51::7", "2001:db8:1::10", 6, IPT_TCP_SYN | IPT_TCP_ACK, 22, "unsolicited SYN-ACK"},
		{"2001:db8:51::7", "2001:db8:1::10", 6, IPT_TCP_RST | IPT_TCP_ACK, 443, "unsolicited RST-ACK"},
		{"2001:db8:51::7", "2001:db8:1::10", 6, IPT_TCP_ACK, 80, "ACK picked up"},
		{"2001:db8:51::7", "2001:db8:1::10", 58, 135, 0, "neighbour solicitation (hop limit 77)"},
		{"2001:db8:51::7", "2001:db8:1::10", 58, 134, 0, "router advertisement (hop limit 77)"},
		{"2001:db8:51::7", "2001:db8:1::10", 58, 129, 0, "unsolicited echo reply"},
		{"2001:db8:51::7", "2001:db8:1::10", 58, 128, 0, "echo request"},
		{"2001:db8:51::7", "2001:db8:1::10", 58, 1, 0, "ICMPv6 error quoting nothing known"},
		{"2001:db8:51::7", "2001:db8:113::9", 6, IPT_TCP_SYN | IPT_TCP_FIN, 80, "SYN+FIN forwarded"},
		{"2001:db8:51::7", "2001:db8:113::9", 6, IPT_TCP_SYN | IPT_TCP_ACK, 80, "SYN-ACK forwarded"},
		{"fe80::99", "2001:db8:113::9", 17, 0, 53, "link-local source forwarded"},
		{"::", "2001:db8:113::9", 17, 0, 53, ":: source forwarded"},
		{"::ffff:127.0.0.1", "2001:db8:113::9", 17, 0, 53, "v4-mapped source forwarded"},
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		struct ipt_packet p;

		in_packet(t, &p, k[i].src, k[i].dst, k[i].proto, k[i].proto == 6 ? k[i].flags : 0,
			  k[i].dport);
		if (k[i].proto == 58) {
			p.icmp_type = k[i].flags;
			p.icmp_code = 0;
			p.ctstate = icmp6_ct(k[i].flags);
		}
		if (test_packet(t, &p, k[i].why) < 0)
			return -1;
	}
	return 0;
}

/* ICMP errors quoting a flow the host just opened: RELATED when conntrack has the flow
 * (the model accepted the first packet), INVALID when OUTPUT dropped it. */
static int related_packets(struct tctx *t)
{
	static const uint16_t ports[] = {53, 123, 443};
	size_t i;

	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct ipt_packet p;
		uint16_t sp = ++t->next_port;

		ipt_packet_init(&p, t->fam, IPT_PATH_LOCAL_OUT);
		memcpy(p.src, t->host, t->alen);
		memcpy(p.dst, t->fam == 4 ? (const uint8_t[]){203, 0, 113, 9} : far6, t->alen);
		p.proto = 17;
		p.sport = sp;
		p.dport = ports[i];
		snprintf(p.out_if, sizeof(p.out_if), "%s", t->ifn);
		if (test_packet(t, &p, "flow an ICMP error quotes") < 0)
			return -1;
		if (t->fam == 4)
			in_packet(t, &p, "203.0.113.9", "45.33.1.10", 1, 0, sp);
		else
			in_packet(t, &p, "2001:db8:113::9", "2001:db8:1::10", 58, 0, sp);
		p.sport = ports[i];	/* quoted: 45.33.1.10:sp -> 203.0.113.9:port */
		p.icmp_type = t->fam == 4 ? 3 : 1;	/* port unreachable */
		p.icmp_code = t->fam == 4 ? 3 : 4;
		p.ctstate = t->last_verdict == IPT_V_ACCEPT ? IPT_CT_RELATED
			    : t->last_verdict == IPT_V_UNKNOWN ? IPT_CT_UNKNOWN : IPT_CT_INVALID;
		t->keep_ct = 1;
		if (test_packet(t, &p, "ICMP error quoting a known flow") < 0)
			return -1;
	}
	return 0;
}

/* A packet aimed at every DNAT rule of nat PREROUTING (its protocol and --dport), sent to
 * this host: the kernel forwards the ones DNATed to another host. */
static int dnat_packets(struct tctx *t)
{
	uint32_t c = ipt_chain_find(t->rs, IPT_TABLE_NAT, "PREROUTING"), i;
	char dst[INET6_ADDRSTRLEN];
	int af = t->fam == 4 ? AF_INET : AF_INET6;

	if (c == IPT_NONE)
		return 0;
	for (i = t->rs->chains[c].first; i < t->rs->chains[c].first + t->rs->chains[c].n; i++) {
		const struct ipt_rule *r = &t->rs->rules[i];
		struct ipt_packet p;
		uint16_t k, port = 80;
		int proto = r->has_proto && !(r->inv & IPT_INV_PROTO) ? r->proto : 6;

		if (r->tkind != IPT_T_DNAT || (proto != 6 && proto != 17))
			continue;
		for (k = 0; k < r->nm; k++)
			if (ipt_mkind_l4(r->m[k].kind) && (r->m[k].have & IPT_MO_DPORT) &&
			    !(r->m[k].inv & IPT_MO_DPORT))
				port = r->m[k].u.l4.dport.lo;
		inet_ntop(af, t->host, dst, sizeof(dst));
		if (r->has_dst && !(r->inv & IPT_INV_DST) && r->dst.plen == (int)(t->alen * 8))
			inet_ntop(af, r->dst.addr, dst, sizeof(dst));
		in_packet(t, &p, t->fam == 4 ? "198.51.100.7" : "2001:db8:51::7", dst, proto, IPT_TCP_SYN, port);
		if (r->has_src && !(r->inv & IPT_INV_SRC))
			memcpy(p.src, r->src.addr, t->alen);
		if (r->in_if >= 0 && strcmp(t->rs->ifpat[r->in_if].name, t->ifn) &&
		    !(r->inv & IPT_INV_IN))
			continue;	/* another interface: not reachable from the test link */
		if (t->fam == 4 && (p.src[0] == 0 || p.src[0] == 127 || p.src[0] >= 224))
			continue;
		if (t->fam == 6 && (p.src[0] == 0 || p.src[0] == 0xff || p.src[0] == 0xfe))
			continue;
		if (is_local(p.src))
			continue;
		if (test_packet(t, &p, "DNAT port forward") < 0)
			return -1;
	}
	return 0;
}

/* Locally sent packets aimed at every DNAT and REDIRECT rule of nat OUTPUT (its protocol,
 * --dport and -d when it names one address), from this host's address and from
 * 127.0.0.1: the kernel routes each again on its new destination, through lo back in
 * when it is local, out of the veth when not, and refuses a 127/8 source off lo. */
static int dnat_out_packets(struct tctx *t)
{
	uint32_t c = ipt_chain_find(t->rs, IPT_TABLE_NAT, "OUTPUT"), i;
	int k;

	if (c == IPT_NONE)
		return 0;
	for (i = t->rs->chains[c].first; i < t->rs->chains[c].first + t->rs->chains[c].n; i++) {
		const struct ipt_rule *r = &t->rs->rules[i];
		int proto = r->has_proto && !(r->inv & IPT_INV_PROTO) ? r->proto : 6;
		uint16_t m, port = 443;

		if ((r->tkind != IPT_T_DNAT && r->tkind != IPT_T_REDIRECT) || (proto != 6 && proto != 17))
			continue;
		for (m = 0; m < r->nm; m++)
			if (ipt_mkind_l4(r->m[m].kind) && (r->m[m].have & IPT_MO_DPORT) &&
			    !(r->m[m].inv & IPT_MO_DPORT))
				port = r->m[m].u.l4.dport.lo;
		for (k = 0; k < 2; k++) {
			struct ipt_packet p;
			int lo;

			ipt_packet_init(&p, t->fam, IPT_PATH_LOCAL_OUT);
			memcpy(p.dst, t->fam == 4 ? (const uint8_t[]){203, 0, 113, 9} : far6, t->alen);
			if (r->has_dst && !(r->inv & IPT_INV_DST) && r->dst.plen == (int)(t->alen * 8))
				memcpy(p.dst, r->dst.addr, t->alen);
			if (k == 0)
				memcpy(p.src, t->host, t->alen);
			else if (t->fam == 4)
				memcpy(p.src, (const uint8_t[]){127, 0, 0, 1}, 4);
			else
				memcpy(p.src, loop6, 16);
			if (r->has_src && !(r->inv & IPT_INV_SRC) && r->src.plen == (int)(t->alen * 8))
				memcpy(p.src, r->src.addr, t->alen);
			lo = is_local(p.dst);
			p.path = lo ? IPT_PATH_LOOPBACK : IPT_PATH_LOCAL_OUT;
			snprintf(p.in_if, sizeof(p.in_if), "%s", lo ? "lo" : "");
			snprintf(p.out_if, sizeof(p.out_if), "%s", lo ? "lo" : t->ifn);
			p.proto = (uint8_t)proto;
			p.tcp_flags = IPT_TCP_SYN;
			p.sport = ++t->next_port;
			p.dport = port;
			p.ctstate = IPT_CT_NEW;
			if (test_packet(t, &p, k ? "nat OUTPUT DNAT, loopback source" : "nat OUTPUT DNAT") < 0)
				return -1;
		}
	}
	return 0;
}

static int most_used_if(const struct ipt_ruleset *rs, char *out, size_t len)
{
	uint32_t *cnt = calloc(rs->nifpat + 1, sizeof(uint32_t)), i, best = IPT_NONE;

	if (!cnt || len < IPT_IFNAMSIZ)
		return -1;
	for (i = 0; i < rs->nrules; i++) {
		if (rs->rules[i].in_if >= 0)
			cnt[rs->rules[i].in_if]++;
		if (rs->rules[i].out_if >= 0)
			cnt[rs->rules[i].out_if]++;
	}
	for (i = 0; i < rs->nifpat; i++)
		if (strcmp(rs->ifpat[i].name, "lo") && (best == IPT_NONE || cnt[i] > cnt[best]))
			best = i;
	strcpy(out, "a0");
	if (best != IPT_NONE && rs->ifpat[best].len > 0 && rs->ifpat[best].len <= 12) {
		memcpy(out, rs->ifpat[best].name, rs->ifpat[best].len);
		out[rs->ifpat[best].len] = '\0';
		if (rs->ifpat[best].wildcard)
			strcat(out, "0");
	}
	free(cnt);
	return 0;
}

int main(int argc, char **argv)
{
	struct tctx t;
	struct ipt_error err;
	const char *peer_ns = NULL, *peer_if = NULL, *mac = NULL, *ifn = NULL, *file;
	struct ipt_context ctx;
	int i, self_ns, peer, pass, ret = 1;
	uint32_t id;

	memset(&t, 0, sizeof(t));
	if (argc == 4 && !strcmp(argv[1], "random")) {
		struct rsgen g;

		rg_seed(&g, strtoull(argv[2], NULL, 10));
		rg_ruleset(&g, stdout, (unsigned)atoi(argv[3]), 1 | 2);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "random6")) {
		struct rsgen g;

		rg_seed(&g, strtoull(argv[2], NULL, 10));
		rg6_ruleset(&g, stdout, (unsigned)atoi(argv[3]));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "ifname")) {
		char name[IPT_IFNAMSIZ];
		struct ipt_ruleset *rs = ipt_parse_file(argv[2], 0, &err);

		if (!rs) {
			fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.col, err.msg);
			return 1;
		}
		most_used_if(rs, name, sizeof(name));
		printf("%s %d\n", name, rs->family);
		ipt_ruleset_free(rs);
		return 0;
	}
	if (argc < 3 || strcmp(argv[1], "run"))
		goto usage;
	for (i = 2; i < argc - 1; i++) {
		if (!strcmp(argv[i], "-v"))
			t.verbose = 1;
		else if (!strcmp(argv[i], "--peer-ns") && i + 1 < argc - 1)
			peer_ns = argv[++i];
		else if (!strcmp(argv[i], "--peer-if") && i + 1 < argc - 1)
			peer_if = argv[++i];
		else if (!strcmp(argv[i], "--mac") && i + 1 < argc - 1)
			mac = argv[++i];
		else if (!strcmp(argv[i], "--if") && i + 1 < argc - 1)
			ifn = argv[++i];
		else
			goto usage;
	}
	file = argv[argc - 1];
	if (!peer_ns || !peer_if || !mac || !ifn)
		goto usage;
	if (strlen(ifn) >= IPT_IFNAMSIZ)
		goto usage;
	t.ifn = ifn;
	if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &t.dmac[0], &t.dmac[1], &t.dmac[2],
		   &t.dmac[3], &t.dmac[4], &t.dmac[5]) != 6)
		goto usage;
	memcpy(t.smac, (const uint8_t[]){0x02, 0x42, 0, 0, 0, 0x20}, 6);
	t.rs = ipt_parse_file(file, 0, &err);
	if (!t.rs) {
		fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.col, err.msg);
		return 1;
	}
	t.fam = t.rs->family;
	t.alen = t.fam == 4 ? 4 : 16;
	t.host = t.fam == 4 ? host_a : host_a6;
	t.rst_len = t.fam == 4 ? 40 : 60;
	t.icmp_len = t.fam == 4 ? PKTLEN + 28 : PKTLEN + 48;
	t.icmp_rst_len = t.fam == 4 ? 40 + 28 : 60 + 48;
	/* the AF_PACKET socket lives in the peer namespace */
	self_ns = open("/proc/self/ns/net", O_RDONLY);
	peer = open(peer_ns, O_RDONLY);
	if (self_ns < 0 || peer < 0 || setns(peer, CLONE_NEWNET) < 0) {
		perror("peer namespace");
		return 1;
	}
	t.pkt_fd = socket(AF_PACKET, SOCK_RAW, 0);
	t.ifindex = (int)if_nametoindex(peer_if);
	if (setns(self_ns, CLONE_NEWNET) < 0 || t.pkt_fd < 0 || !t.ifindex) {
		perror("packet socket");
		return 1;
	}
	t.raw_fd = socket(t.fam == 4 ? AF_INET : AF_INET6, SOCK_RAW, IPPROTO_RAW);
	if (t.raw_fd < 0) {
		perror("raw socket");
		return 1;
	}
	kd_host_model(t.fam, ifn, &ctx);
	t.plain = ipt_eval_new(t.rs, &ctx);
	t.fast = ipt_eval_new(t.rs, &ctx);
	t.cp = ipt_compile(t.rs);
	t.reach = calloc(t.rs->nchains + 1, 1);
	t.before.rule = calloc(t.rs->nrules + 1, sizeof(uint64_t));
	t.after.rule = calloc(t.rs->nrules + 1, sizeof(uint64_t));
	t.before.policy = calloc(t.rs->nchains + 1, sizeof(uint64_t));
	t.after.policy = calloc(t.rs->nchains + 1, sizeof(uint64_t));
	t.before.rbytes = calloc(t.rs->nrules + 1, sizeof(uint64_t));
	t.after.rbytes = calloc(t.rs->nrules + 1, sizeof(uint64_t));
	t.before.pbytes = calloc(t.rs->nchains + 1, sizeof(uint64_t));
	t.after.pbytes = calloc(t.rs->nchains + 1, sizeof(uint64_t));
	t.scratch.rule = calloc(t.rs->nrules + 1, sizeof(uint64_t));
	t.scratch.rbytes = calloc(t.rs->nrules + 1, sizeof(uint64_t));
	t.scratch.policy = calloc(t.rs->nchains + 1, sizeof(uint64_t));
	t.scratch.pbytes = calloc(t.rs->nchains + 1, sizeof(uint64_t));
	if (!t.scratch.rule || !t.scratch.rbytes || !t.scratch.policy || !t.scratch.pbytes)
		return 1;
	t.hd = calloc(t.rs->nrules + 1, sizeof(uint32_t));
	t.hm = calloc(t.rs->nrules + 1, sizeof(uint32_t));
	t.fd = calloc(t.rs->nrules + 1, sizeof(uint32_t));
	t.fm = calloc(t.rs->nrules + 1, sizeof(uint32_t));
	t.rstat = calloc(t.rs->nrules + 1, 1);
	if (!t.before.rbytes || !t.after.rbytes || !t.before.pbytes || !t.after.pbytes || !t.hd ||
	    !t.hm || !t.fd || !t.fm || !t.rstat)
		return 1;
	if (!t.plain || !t.fast || !t.cp || !t.reach || !t.before.rule || !t.after.rule ||
	    !t.before.policy || !t.after.policy || ipt_eval_set_compiled(t.fast, t.cp) < 0)
		return 1;
	for (id = 0; id < t.rs->nchains; id++)
		if (t.rs->chains[id].hook >= 0 && t.rs->chains[id].table != IPT_TABLE_NAT)
			reach_from(&t, id, 1u << t.rs->chains[id].hook, 0);
	if (read_counters(&t, &t.before) == -2) {
		printf("SKIP %s: the kernel's rule layout differs from the parsed one\n", file);
		ret = 77;
		goto out;
	}
	t.next_port = 20000;
	for (id = 0; id < t.rs->nrules; id++)
		if (t.rs->rules[id].tkind == IPT_T_MARK || t.rs->rules[id].tkind == IPT_T_CONNMARK)
			t.mangle_mark |= t.rs->chains[t.rs->rules[id].chain].table == IPT_TABLE_MANGLE;
	t.strict = !getenv("KDIFF_STRICT_RULES") || strcmp(getenv("KDIFF_STRICT_RULES"), "0") != 0;
	for (id = 0; id < t.rs->nrules; id++) {
		for (pass = 0; pass < 3; pass++) {
			struct ipt_packet p;

			t.next_port++;
			if (aim(&t, id, pass, &p) < 0)
				continue;
			if (test_packet(&t, &p, pass ? "miss" : "match") < 0) {
				fprintf(stderr, "kernel counters unreadable\n");
				goto out;
			}
		}
	}
	/* spoofed 127/8 sources on the veth, and loopback traffic */
	for (i = 0; i < 8 && t.fam == 6; i++) {
		struct ipt_packet p;
		static const uint16_t ports[] = {22, 53, 80, 123, 443, 5353, 8080, 9};

		ipt_packet_init(&p, 6, i < 4 ? IPT_PATH_INCOMING : IPT_PATH_LOOPBACK);
		p.proto = i & 1 ? 6 : 17;
		p.tcp_flags = IPT_TCP_SYN;
		memcpy(p.src, loop6, 16);
		if (i % 3 == 1)	/* ::ffff:127.0.0.1 */
			memcpy(p.src, (const uint8_t[]){[10] = 0xff, 0xff, 127, 0, 0, 1}, 16);
		memcpy(p.dst, i < 4 || i == 7 ? host_a6 : loop6, 16);
		p.sport = ++t.next_port;
		p.dport = ports[i];
		snprintf(p.in_if, sizeof(p.in_if), "%s", i < 4 ? ifn : "lo");
		snprintf(p.out_if, sizeof(p.out_if), "%s", i < 4 ? "" : "lo");
		if (test_packet(&t, &p, i < 4 ? "spoofed" : "loopback") < 0)
			goto out;
	}
	for (i = 0; i < 8 && t.fam == 4; i++) {
		struct ipt_packet p;
		static const uint16_t ports[] = {22, 53, 80, 123, 443, 5353, 8080, 9};

		ipt_packet_init(&p, 4, i < 4 ? IPT_PATH_INCOMING : IPT_PATH_LOOPBACK);
		p.proto = i & 1 ? 6 : 17;
		p.tcp_flags = IPT_TCP_SYN;
		memcpy(p.src, (const uint8_t[]){127, 0, 0, (uint8_t)(1 + (i % 3))}, 4);
		memcpy(p.dst, i < 4 ? host_a : (const uint8_t[]){127, 0, 0, 1}, 4);
		if (i == 7)
			memcpy(p.dst, host_a, 4);	/* to our own address: over lo */
		p.sport = ++t.next_port;
		p.dport = ports[i];
		snprintf(p.in_if, sizeof(p.in_if), "%s", i < 4 ? ifn : "lo");
		snprintf(p.out_if, sizeof(p.out_if), "%s", i < 4 ? "" : "lo");
		if (test_packet(&t, &p, i < 4 ? "spoofed" : "loopback") < 0)
			goto out;
	}
	if ((t.fam == 4 ? kernel_path_packets(&t) : kernel_path_packets6(&t)) < 0 ||
	    dnat_packets(&t) < 0 || dnat_out_packets(&t) < 0 || related_packets(&t) < 0)
		goto out;
	{
		unsigned na = 0, nm = 0, nd = 0;
		for (id = 0; id < t.rs->nrules; id++) {
			na += t.rstat[id] == RS_AGREE;
			nm += t.rstat[id] == RS_MAYBE;
			nd += t.rstat[id] == RS_DIFFER;
		}
		printf("%s: packets %u agreed %u unknown %u disagreed %u skipped %u (deciding rule differs on %u agreed DROP/REJECT)\n",
		       file, t.npackets, t.agreed, t.unknown, t.disagreed, t.skipped, t.rule_mismatch);
		printf("%s: per-rule: %u packets not compared (spoofed local sources and the "
		       "packet after each)\n", file, t.not_compared);
		printf("%s: per-rule: compared %u rules, agree %u, maybe %u, differ %u\n", file,
		       t.rs->nrules, na, nm, nd);
		ret = t.disagreed || nd ? 1 : 0;
	}
out:
	ipt_eval_free(t.plain);
	ipt_eval_free(t.fast);
	ipt_compiled_free(t.cp);
	ipt_ruleset_free(t.rs);
	free(t.reach);
	free(t.before.rule);
	free(t.after.rule);
	free(t.before.policy);
	free(t.after.policy);
	free(t.before.rbytes);
	free(t.after.rbytes);
	free(t.before.pbytes);
	free(t.after.pbytes);
	free(t.scratch.rule);
	free(t.scratch.rbytes);
	free(t.scratch.policy);
	free(t.scratch.pbytes);
	free(t.hd);
	free(t.hm);
	free(t.fd);
	free(t.fm);
	free(t.rstat);
	close(t.pkt_fd);
	close(t.raw_fd);
	close(self_ns);
	close(peer);
	return ret;
usage:
	fprintf(stderr, "usage: ipt_kdiff ifname FILE | ipt_kdiff run [-v] --peer-ns PATH --peer-if IF "
			"--mac MAC --if IF FILE\n");
	return 2;
}
