/* This file declares the iptables policy library: a parser for iptables-save /
 * ip6tables-save text (legacy and nft variants), a canonical printer, and an evaluator
 * that walks a packet through the kernel's hooks the way netfilter would, with
 * three-valued logic for what it cannot know.
 *
 * Using it, in four steps:
 *
 *   struct ipt_error err;
 *   struct ipt_ruleset *rs = ipt_parse_file("rules.v4", 0, &err);
 *   if (!rs) { fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.col, err.msg); ... }
 *
 *   struct ipt_context ctx = { ... host addresses, sysctls, routes, or all left unknown ... };
 *   struct ipt_eval *ev = ipt_eval_new(rs, &ctx);         // scratch + caches, one per thread
 *
 *   struct ipt_packet pkt;
 *   ipt_packet_init(&pkt, 4, IPT_PATH_INCOMING);          // then fill src/dst/proto/...
 *   struct ipt_result res;
 *   ipt_eval_packet(ev, &pkt, &res);                      // res.verdict, res.possible, res.rule...
 *
 *   ipt_eval_free(ev); ipt_ruleset_free(rs);
 *
 * Rules and chains are numbered by dense ids (0 .. ipt_rule_count()-1, chains likewise):
 * chains in declaration order (a table's built-in chains first, when its "*table" line is
 * read), rules grouped by chain, in file order within a chain (a chain's rules are
 * consecutive ids). ipt_rule_get()/ipt_chain_get() turn an id into table, chain name,
 * 1-based rule number and file line. Ids are stable for a given file, so a later step
 * may compile the ruleset further and keep reporting in these ids. For per-rule hit counting set ipt_eval_set_hook(): it is
 * called for every rule whose matches held (or may have held) on the packet.
 *
 * Error contract: nothing here prints. Functions returning a pointer return NULL on
 * failure (errno set; parse errors also fill struct ipt_error); int functions return 0
 * or -1. The ruleset is immutable after parsing and may be shared between threads; an
 * ipt_eval is not thread-safe (make one per thread).
 */
#ifndef SPOOFAUDIT_IPT_H
#define SPOOFAUDIT_IPT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/prefix.h"

#define IPT_NONE UINT32_MAX		/* "no rule / no chain" in ids */
#define IPT_IFNAMSIZ 16			/* IFNAMSIZ, NUL included */
#define IPT_MSG_MAX 256

/* ---------------------------------------------------------------------------------------
 * Tables, hooks, verdicts
 */
enum ipt_table {
	IPT_TABLE_RAW = 0,
	IPT_TABLE_MANGLE,
	IPT_TABLE_NAT,
	IPT_TABLE_FILTER,
	IPT_TABLE_SECURITY,
	IPT_TABLE_COUNT
};

enum ipt_hook {
	IPT_HOOK_PREROUTING = 0,
	IPT_HOOK_INPUT,
	IPT_HOOK_FORWARD,
	IPT_HOOK_OUTPUT,
	IPT_HOOK_POSTROUTING,
	IPT_HOOK_COUNT
};

/* Final verdicts. IPT_V_UNKNOWN means more than one of the others is possible. */
enum ipt_verdict {
	IPT_V_ACCEPT = 0,
	IPT_V_DROP,
	IPT_V_REJECT,
	IPT_V_UNKNOWN
};

/* Bits of a verdict set (struct ipt_result.possible). */
#define IPT_VSET(v) (1u << (v))
#define IPT_VSET_ACCEPT IPT_VSET(IPT_V_ACCEPT)
#define IPT_VSET_DROP IPT_VSET(IPT_V_DROP)
#define IPT_VSET_REJECT IPT_VSET(IPT_V_REJECT)

/* Stable lower-case names: "raw", "PREROUTING", "ACCEPT"... NULL when out of range. */
const char *ipt_table_name(enum ipt_table t);
const char *ipt_hook_name(enum ipt_hook h);
const char *ipt_verdict_name(enum ipt_verdict v);

/* ---------------------------------------------------------------------------------------
 * Parsing
 */

/* Where and why parsing failed. line and col are 1-based; col points at the offending
 * token (0 when the problem is the end of the file). msg quotes the token, e.g.
 * "bad address `1.2.3.4/33'". Print as "%s:%u:%u: %s". */
struct ipt_error {
	char file[256];
	unsigned line;
	unsigned col;
	char msg[IPT_MSG_MAX];
};

struct ipt_ruleset;

/* Parses iptables-save / ip6tables-save text from buf (len bytes, need not be
 * NUL-terminated). file names the input in error messages. family: 4 or 6 forces
 * iptables or ip6tables syntax; 0 decides from the content (IPv6 addresses, icmp6 or
 * icmp6- reject types mean 6, else 4). Returns a new ruleset, or NULL with *err filled
 * (errno EINVAL) or errno ENOMEM. A failed parse yields nothing partial. */
struct ipt_ruleset *ipt_parse_buffer(const char *buf, size_t len, const char *file, int family,
				     struct ipt_error *err);

/* Reads path and calls ipt_parse_buffer(). On a read error returns NULL with errno set and
 * err->line 0, err->msg the strerror text. */
struct ipt_ruleset *ipt_parse_file(const char *path, int family, struct ipt_error *err);

/* What a caller may pass to a parse, and what it learns of the work done. */
struct ipt_parse_opts {
	/* NULL, or a flag a signal handler sets (the collector's stop flag). It is checked
	 * in every loop that may run long (lines, the jump-loop check); once it is non-zero
	 * the parse fails: NULL, errno EINTR, err->msg "interrupted". */
	const volatile sig_atomic_t *stop;
	/* Out: work units spent (one per line, token and chain-table probe, one per edge of
	 * the jump-loop check). Linear in the input; tests assert on it instead of on time. */
	uint64_t ops;
};

/* ipt_parse_buffer / ipt_parse_file with options (opts may be NULL: no stop flag). */
struct ipt_ruleset *ipt_parse_buffer_opts(const char *buf, size_t len, const char *file,
					  int family, struct ipt_parse_opts *opts,
					  struct ipt_error *err);
struct ipt_ruleset *ipt_parse_file_opts(const char *path, int family, struct ipt_parse_opts *opts,
					struct ipt_error *err);

/* Frees rs; NULL is fine. */
void ipt_ruleset_free(struct ipt_ruleset *rs);

/* Writes rs in canonical iptables-save form (one table section per table the input had,
 * built-in chains always declared, counters kept where the input had them, every match
 * named with -m, strings quoted as xtables_save_string does). iptables-restore --test
 * accepts the output. Returns 0, or -1 on a write error. */
int ipt_write(const struct ipt_ruleset *rs, FILE *out);

/* Writes one rule as its "-A CHAIN ..." line (no newline) into buf of len bytes. Returns
 * the length the full text needs (like snprintf), or -1 for a bad id. */
int ipt_rule_format(const struct ipt_ruleset *rs, uint32_t rule, char *buf, size_t len);

/* ---------------------------------------------------------------------------------------
 * Inspecting a parsed ruleset
 */
struct ipt_chain_info {
	const char *name;
	enum ipt_table table;
	int hook;			/* enum ipt_hook of a built-in chain, -1 for a user chain */
	enum ipt_verdict policy;	/* built-in chains: ACCEPT or DROP; user chains: UNKNOWN */
	int policy_declared;		/* 0 when the file gave "-" or no chain line (ACCEPT assumed) */
	unsigned line;			/* line of the ":NAME" declaration, 0 if none */
	uint32_t first_rule;		/* id of its first rule; rules of a chain are consecutive */
	uint32_t nrules;
};

struct ipt_rule_info {
	uint32_t chain;			/* chain id */
	enum ipt_table table;
	const char *chain_name;
	unsigned num;			/* 1-based position in its chain, as `iptables -L --line-numbers` */
	unsigned line;			/* line in the file */
	int has_counters;
	uint64_t packets, bytes;	/* from "[p:b]" or -c, when has_counters */
	int unknown_matches;		/* number of matches the evaluator cannot decide */
	const char *target;		/* "ACCEPT", "DROP", a chain name, "LOG", ... or "" for none */
};

int ipt_ruleset_family(const struct ipt_ruleset *rs);	/* 4 or 6 */
uint32_t ipt_rule_count(const struct ipt_ruleset *rs);
uint32_t ipt_chain_count(const struct ipt_ruleset *rs);
/* Fill *info; -1 (errno EINVAL) for an id out of range. Strings live as long as rs. */
int ipt_chain_get(const struct ipt_ruleset *rs, uint32_t chain, struct ipt_chain_info *info);
int ipt_rule_get(const struct ipt_ruleset *rs, uint32_t rule, struct ipt_rule_info *info);
/* Chain id by table and name, or IPT_NONE. */
uint32_t ipt_chain_find(const struct ipt_ruleset *rs, enum ipt_table t, const char *name);
/* Whether the file had a "*table" section for t. */
int ipt_table_present(const struct ipt_ruleset *rs, enum ipt_table t);

/* ---------------------------------------------------------------------------------------
 * Evaluation input: one packet (or the packet that stands for a flow direction)
 */
enum ipt_path {
	IPT_PATH_INCOMING = 0,	/* received on in_if for this host: PREROUTING, routing, INPUT */
	IPT_PATH_LOCAL_OUT,	/* sent by this host out of out_if: OUTPUT, POSTROUTING */
	IPT_PATH_LOOPBACK,	/* sent and received over lo: OUTPUT, POSTROUTING, PREROUTING, INPUT */
	IPT_PATH_FORWARD,	/* routed through: PREROUTING, routing, FORWARD, POSTROUTING */
	IPT_PATH_COUNT
};

enum ipt_ctstate {
	IPT_CT_NEW = 0,
	IPT_CT_ESTABLISHED,
	IPT_CT_RELATED,
	IPT_CT_INVALID,
	IPT_CT_UNTRACKED,
	IPT_CT_UNKNOWN		/* state/conntrack matches evaluate to unknown */
};

enum ipt_pkttype {
	IPT_PKT_HOST = 0,	/* unicast to us (PACKET_HOST) */
	IPT_PKT_BROADCAST,
	IPT_PKT_MULTICAST,
	IPT_PKT_OTHERHOST,
	IPT_PKT_UNKNOWN
};

#define IPT_TCP_FIN 0x01
#define IPT_TCP_SYN 0x02
#define IPT_TCP_RST 0x04
#define IPT_TCP_PSH 0x08
#define IPT_TCP_ACK 0x10
#define IPT_TCP_URG 0x20

/* What the evaluator knows of a packet. Addresses: IPv4 in the first 4 bytes. Ports are
 * read for TCP, UDP, UDP-Lite, SCTP and DCCP, tcp_flags for TCP, icmp_type/code for ICMP
 * and ICMPv6 — unless fragment is set (a non-first fragment has no transport header;
 * port, flag and type matches then do not match, as in the kernel). Interface names are
 * ignored where the hook has none (no out_if in PREROUTING/INPUT, no in_if in OUTPUT/
 * POSTROUTING); the LOOPBACK path uses "lo" for both whatever is given. */
struct ipt_packet {
	uint8_t family;			/* 4 or 6 */
	uint8_t path;			/* enum ipt_path */
	uint8_t proto;			/* upper-layer protocol */
	uint8_t fragment;		/* 1: non-first fragment */
	uint8_t tcp_flags;		/* IPT_TCP_* */
	uint8_t icmp_type, icmp_code;
	uint8_t pkttype;		/* enum ipt_pkttype */
	uint8_t ctstate;		/* enum ipt_ctstate */
	uint8_t have_mac;		/* 1: mac is the Ethernet source */
	uint8_t mac[6];
	uint16_t sport, dport;
	uint8_t src[16], dst[16];
	char in_if[IPT_IFNAMSIZ];	/* "" = none; on IPT_PATH_FORWARD, not known (a
					 * packet seen leaving): the route back to src
					 * names it, as strict rp_filter would have it */
	char out_if[IPT_IFNAMSIZ];	/* "" = none; on IPT_PATH_FORWARD, not known: the
					 * route to dst names it (ip_route_input_slow ->
					 * ip_mkroute_input), and with no route known every
					 * output interface match is undecided */
	uint8_t unknown;		/* IPT_UNK_*: fields the caller does not know */
	/* 1: a later packet (ESTABLISHED) of a connection whose first packet had this tuple
	 * and went through nat. Conntrack gives every packet of a connection the bindings
	 * the first one made (nf_nat_inet_fn -> nf_nat_packet), so a port forward's later
	 * packets are DNATed and forwarded too. The evaluator finds the bindings by walking
	 * the nat chains again as the first packet did (ct state NEW there), without
	 * reporting their rules: the kernel counts nat rules on a first packet only. */
	uint8_t nat_replay;
	/* With ttl_known, the IPv4 TTL or IPv6 hop limit the packet arrived with: a range
	 * over a flow's packets (not known: taken as more than 1). A forwarded packet with 1
	 * or less is dropped before FORWARD (ip_forward: too_many_hops; ip6_forward:
	 * hop_limit <= 1). */
	uint8_t ttl_known, ttl_min, ttl_max;
	/* Set by the evaluators, not callers: in_if was not given and is the route's back
	 * to src, a guess, so its device's forwarding switch is not taken as known
	 * (ipt_ctx_forward). */
	uint8_t in_if_guessed;
};

/* Bits of struct ipt_packet.unknown. A flow record may not know every field of the packet
 * it stands for: the collector collapses a client's ephemeral port to 0, and a flow's TCP
 * flags are the OR over its packets. Matches on an unknown field are three-valued
 * (--sport/--dport/multiport/--tcp-flags evaluate to "maybe" unless decided otherwise);
 * a DNAT/REDIRECT that rewrites the port makes the destination port known again. */
#define IPT_UNK_SPORT 0x01
#define IPT_UNK_DPORT 0x02
#define IPT_UNK_FLAGS 0x04

/* Zeroes p and sets family, path, ctstate NEW, pkttype HOST. */
void ipt_packet_init(struct ipt_packet *p, int family, enum ipt_path path);

/* ---------------------------------------------------------------------------------------
 * Kernel context: what the host looks like. Every part may be absent; the evaluator then
 * says UNKNOWN where the answer depends on it. Arrays are borrowed and must outlive the
 * ipt_eval built on them.
 */
struct ipt_hostaddr {
	char ifname[IPT_IFNAMSIZ];	/* interface holding it */
	uint8_t family;			/* 4 or 6 */
	uint8_t plen;			/* prefix length of the on-link subnet */
	uint8_t addr[16];		/* the full address (host bits kept) */
};

/* Per-interface IPv4 sysctls; ifname "all" holds net.ipv4.conf.all. -1 = not known. */
struct ipt_ifconf {
	char ifname[IPT_IFNAMSIZ];
	int8_t route_localnet;		/* 0/1 */
	int8_t accept_local;		/* 0/1 */
	int8_t rp_filter;		/* 0 off, 1 strict, 2 loose */
	/* net.ipv4.conf.IF.forwarding: IPT_FWD_ON, IPT_FWD_OFF, or 0 (not recorded). The
	 * kernel forwards an IPv4 packet only when its input device's is on
	 * (ip_route_input_slow: !IN_DEV_FORWARD(in_dev) -> no_route); net.ipv4.ip_forward
	 * sets every device's, but each may be set apart. Read for devices, not for "all". */
	int8_t forwarding;
	/* net.ipv6.conf.IF.force_forwarding (Linux 6.17): IPT_FWD_ON, IPT_FWD_OFF, or 0 (not
	 * recorded; older kernels have none). ip6_forward forwards when all's forwarding or
	 * the input device's force_forwarding is on. */
	int8_t force_forwarding6;
};

/* A route in the main table: dst reached via ifname. Used for rp_filter / rpfilter and
 * IPv6 addrtype. */
struct ipt_route {
	struct prefix dst;
	char ifname[IPT_IFNAMSIZ];
};

struct ipt_context {
	const struct ipt_hostaddr *addrs;	/* the host's addresses */
	size_t naddrs;
	int addrs_known;			/* 0: addrs may be incomplete -> LOCAL is unknown */
	const struct ipt_ifconf *ifconf;
	size_t nifconf;
	const struct ipt_route *routes;
	size_t nroutes;
	int routes_known;			/* 0: reverse-path checks are unknown */
	int conntrack;				/* 1 loaded, 0 not, -1 unknown: decide from the ruleset */
	/* The kernel whose input path is modelled, IPT_KVER(major, minor, patch); 0 = the
	 * running kernel (uname -r, read by ipt_eval_new). Where the kernel's behaviour changed
	 * between versions (ipv4_is_zeronet in 5.3), the evaluator follows this one. */
	unsigned kernel;
	/* net.ipv4.ip_forward and net.ipv6.conf.all.forwarding: IPT_FWD_ON, IPT_FWD_OFF or 0
	 * (not known). Decide whether a packet for another host (given the FORWARD path, or
	 * DNATed there by nat PREROUTING) is forwarded or dropped after PREROUTING
	 * (ip_route_input_slow: no_route; ip6_forward: devconf_all->forwarding == 0); not
	 * known, both happen, and what follows is maybe. */
	int ip_forward;
	int ip6_forward;
};

/* Whether the IPv6 address a is link-local (fe80::/10). */
static inline int ipt_v6_linklocal(const uint8_t *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* Device c's own forwarding switch for family where it is set apart from all's in ctx,
 * else 0 (also for the "all" and "default" scopes): IPv4 its forwarding unlike
 * net.ipv4.ip_forward; IPv6 its force_forwarding on (Linux 6.17) while all.forwarding is
 * not. */
int ipt_ifconf_forward_apart(const struct ipt_context *ctx, const struct ipt_ifconf *c,
			     int family);
/* Whether packet p, for another host, is forwarded after PREROUTING, by ctx (NULL: not
 * known): IPT_FWD_ON, IPT_FWD_OFF or 0. IPv4: the input device's own switch, where the
 * context records it, else net.ipv4.ip_forward. IPv6: all's switch (ip6_forward:
 * devconf_all->forwarding), or since Linux 6.17 the input device's force_forwarding.
 * With the input device not known (or only guessed: ipt_packet.in_if_guessed) and
 * devices set apart, not known (ipt_route.c). */
int ipt_ctx_forward(const struct ipt_context *ctx, const struct ipt_packet *p);

#define IPT_KVER(a, b, c) ((unsigned)(a) << 16 | (unsigned)(b) << 8 | (unsigned)(c))
#define IPT_FWD_ON 1
#define IPT_FWD_OFF 2

/* The running kernel's version from uname(2) as IPT_KVER, or 0 when unreadable. */
unsigned ipt_kernel_running(void);
/* A release string ("6.1.0-28-amd64") as IPT_KVER, or 0 when it does not parse. */
unsigned ipt_kver_parse(const char *release);

/* The conntrack state the kernel gives the first packet of a TCP connection it has no
 * entry for, from its flags (IPT_TCP_*; ECE, CWR and PSH are ignored as the kernel does):
 * IPT_CT_NEW or IPT_CT_INVALID. It follows nf_conntrack_proto_tcp.c: tcp_error() drops
 * combinations outside tcp_valid_flags[] (SYN+FIN, SYN+RST, FIN alone, no flags ...) as
 * INVALID; tcp_new() then looks the packet up in tcp_conntracks[ORIGINAL][index][sNO],
 * where only SYN (sSS) and ACK (sES, picked up mid-stream with nf_conntrack_tcp_loose=1,
 * the default) are valid: SYN-ACK, FIN-ACK and RST(-ACK) are INVALID. */
enum ipt_ctstate ipt_ct_tcp_first(unsigned flags);

/* Whether a packet in conntrack state ctstate traverses the nat chains: only a
 * connection's first packet does, NEW, or RELATED other than an ICMP or ICMPv6 error
 * (nf_nat_inet_fn: an expected connection gets its own bindings; an error is translated
 * with its parent's). INVALID and UNTRACKED packets have no conntrack entry. */
static inline int ipt_ct_runs_nat(int ctstate, int proto)
{
	return ctstate == IPT_CT_NEW ||
	       (ctstate == IPT_CT_RELATED && proto != 1 && proto != 58);
}

/* ---------------------------------------------------------------------------------------
 * Evaluation output
 */

/* What decided the verdict. */
enum ipt_decider {
	IPT_BY_RULE = 0,	/* rule (a terminal target: ACCEPT in the last hook, DROP, REJECT) */
	IPT_BY_POLICY,		/* chain policy of built-in chain `chain` */
	IPT_BY_PATH_END,	/* every hook passed (ACCEPTs / policies ACCEPT): delivered */
	IPT_BY_MARTIAN,		/* dropped by the routing decision or the IPv6 input checks */
	IPT_BY_DEFRAG,		/* a lone non-first fragment held by defragmentation */
	IPT_BY_UNKNOWN		/* verdict UNKNOWN: see uncertain_rule */
};

/* Why the kernel's routing step drops a packet (IPT_BY_MARTIAN). */
enum ipt_martian {
	IPT_MARTIAN_NONE = 0,
	IPT_MARTIAN_SRC_MULTICAST,	/* 224/4 or 255.255.255.255 source */
	IPT_MARTIAN_SRC_ZERONET,	/* 0.0.0.0/8 source */
	IPT_MARTIAN_DST_ZERONET,	/* 0.0.0.0/8 destination */
	IPT_MARTIAN_DST_LOOPBACK,	/* 127/8 destination off lo, route_localnet=0 */
	IPT_MARTIAN_SRC_LOOPBACK,	/* 127/8 source off lo, route_localnet=0 */
	IPT_MARTIAN_SRC_LOCAL,		/* source is the host's own address, accept_local=0 */
	IPT_MARTIAN_RPFILTER,		/* rp_filter strict/loose failed */
	IPT_MARTIAN_V6_LOOPBACK,	/* ::1 source or destination off lo (ip6_rcv_core) */
	IPT_MARTIAN_V6_SRC_MULTICAST,	/* ff00::/8 source (ip6_rcv_core) */
	IPT_MARTIAN_NO_FORWARD,		/* not for this host and forwarding off (no_route) */
	IPT_MARTIAN_MC_NOT_OURS,	/* multicast group the host has not joined (ip_route_input_rcu,
					 * ip6_mc_input) */
	IPT_MARTIAN_V6_MC_SCOPE,	/* ffx1:: or ffx0:: destination off lo (ip6_rcv_core) */
	IPT_MARTIAN_REROUTE_LOOPBACK,	/* 127/8 source re-routed off lo after a mangle OUTPUT
					 * MARK (ip_route_me_harder, __mkroute_output) */
	IPT_MARTIAN_TTL_EXPIRED,	/* forwarded with TTL / hop limit <= 1 (ip_forward,
					 * ip6_forward: before the FORWARD hook) */
	IPT_MARTIAN_V6_FWD_LINKLOCAL	/* forwarded IPv6 with a link-local source out of
					 * another interface (ip6_forward, NOT_NEIGHBOUR) */
};
const char *ipt_martian_name(enum ipt_martian m);	/* "src-loopback", ... */

/* NAT done on the packet (only a NEW connection traverses nat chains). */
struct ipt_nat_info {
	uint32_t dnat_rule;		/* DNAT/REDIRECT rule that rewrote the destination, or IPT_NONE */
	uint32_t snat_rule;		/* SNAT/MASQUERADE/NETMAP rule recorded, or IPT_NONE */
	uint8_t dst[16];		/* destination after DNAT (== packet's when none) */
	uint16_t dport;
};

/* Bounds of one evaluation. An unknown match forks the evaluation into two branches
 * ("worlds"); branches that reach the same rule in the same state (call stack, rewritten
 * destination, marks, conntrack state) are merged, so a ruleset of N chains each
 * undecided costs O(N) and not O(2^N). What is left is bounded: past IPT_EVAL_MAX_STEPS
 * work units (a rule passed over, a chain entered or left, a hook step) or with more
 * than IPT_EVAL_MAX_WORLDS branches pending at once, the result is UNKNOWN with every
 * verdict possible and a reason (struct ipt_result.limit, .reason). */
#define IPT_EVAL_MAX_STEPS 1000000u
#define IPT_EVAL_MAX_WORLDS 64

/* Why a result is not exact (struct ipt_result.limit). */
enum ipt_limit {
	IPT_LIMIT_NONE = 0,	/* possible is exact */
	IPT_LIMIT_STEPS,	/* IPT_EVAL_MAX_STEPS spent */
	IPT_LIMIT_WORLDS,	/* more than IPT_EVAL_MAX_WORLDS branches pending */
	IPT_LIMIT_STOPPED	/* the stop flag was raised (ipt_eval_packet returned -1, EINTR) */
};

/* For a known verdict, by/rule/chain/table/martian name what decided it. For UNKNOWN,
 * by is IPT_BY_UNKNOWN and rule/chain/table/martian describe the branch where every
 * undecided match was false (the "main" branch); possible lists all reachable verdicts. */
struct ipt_result {
	enum ipt_verdict verdict;
	unsigned possible;		/* IPT_VSET_* bits; one bit unless UNKNOWN */
	enum ipt_decider by;
	uint32_t rule;			/* deciding rule id (IPT_BY_RULE), else IPT_NONE */
	uint32_t chain;			/* chain of that rule, or the chain whose policy decided */
	enum ipt_table table;		/* table of `chain` */
	enum ipt_martian martian;	/* IPT_BY_MARTIAN: which check */
	/* First rule whose match the evaluator could not decide and whose outcome mattered
	 * (IPT_NONE if none). Set also when all branches agreed: then verdict is known but
	 * the deciding rule is that of the branch where every unknown match was false. */
	uint32_t uncertain_rule;
	int uncertain_martian;		/* 1: the routing decision itself was unknown */
	struct ipt_nat_info nat;
	/* The evaluation's own limits. limit is IPT_LIMIT_NONE when possible is exact;
	 * otherwise verdict is UNKNOWN (by IPT_BY_UNKNOWN), possible holds every verdict, and
	 * reason says why, printable as is ("evaluation bound reached: 1000000 steps"). steps
	 * counts the work units spent; it depends only on the ruleset and the packet (the
	 * compiled fast path counts the rules it skips), so tests can assert on it. */
	enum ipt_limit limit;
	uint64_t steps;
	char reason[64];
};

/* Called for each rule whose matches held (matched 1) or may have held (matched 2),
 * in traversal order. matched is 1 only when the hit is definite: the rule's matches
 * held and every earlier decision on the packet's path was definite. Once the evaluation
 * forked (an undecided match whose target changes the path, an unmodelled target, an
 * undecided routing step or NAT re-route), every later hit, on either branch, is
 * reported with 2. Branches of unknown matches report their rules too, up to the point
 * where a branch merges into one already evaluated (see IPT_EVAL_MAX_STEPS); a merged
 * branch was a maybe branch already, so no definite hit is lost. */
typedef void (*ipt_rule_hook)(void *arg, uint32_t rule, int matched);
/* With ipt_eval_set_hook_nat() on, a hit in a nat chain (the nat table's chains, an nft
 * chain of type nat and the chains it jumps to) has IPT_HIT_NAT added to matched: the
 * kernel runs those for a connection's first packet only (nf_nat_inet_fn, while the
 * binding is not made), so a caller counting packets counts them once per connection. */
#define IPT_HIT_NAT 4

struct ipt_eval;

/* Prepares evaluation of rs under ctx (ctx may be NULL: everything host-specific is
 * unknown). Both must outlive the evaluator. NULL on ENOMEM. */
struct ipt_eval *ipt_eval_new(const struct ipt_ruleset *rs, const struct ipt_context *ctx);
void ipt_eval_free(struct ipt_eval *ev);

/* Sets (or clears, NULL) the stop flag: a flag a signal handler sets (the collector's).
 * It is checked at every step of an evaluation; once non-zero, ipt_eval_packet stops and
 * returns -1 with errno EINTR, res->limit IPT_LIMIT_STOPPED and res->reason
 * "evaluation interrupted". Without one (the default) nothing is checked. */
void ipt_eval_set_stop(struct ipt_eval *ev, const volatile sig_atomic_t *stop);

/* Overrides the kernel version the evaluator models (IPT_KVER; 0: not known, so that what
 * changed between versions is evaluated as unknown). */
void ipt_eval_set_kernel(struct ipt_eval *ev, unsigned kver);

/* Sets (or clears, fn NULL) the per-rule hook. */
void ipt_eval_set_hook(struct ipt_eval *ev, ipt_rule_hook fn, void *arg);
void ipt_eval_set_hook_nat(struct ipt_eval *ev, int on);

/* Evaluates one packet. Returns 0, or -1 with errno EINVAL when the packet's family is not
 * the ruleset's or a field is out of range, or errno EINTR when the stop flag was raised
 * (res then says IPT_LIMIT_STOPPED). A bound reached is not an error: 0, res->limit set. */
int ipt_eval_packet(struct ipt_eval *ev, const struct ipt_packet *pkt, struct ipt_result *res);

/* ---------------------------------------------------------------------------------------
 * Compiled fast path (ipt_compile.c)
 *
 * ipt_compile() builds, for every chain with enough rules, a pre-filter that maps a
 * packet's protocol, source address, (current, post-DNAT) destination address and
 * destination port to the set of the chain's rules that can possibly match (bitsets per
 * protocol, hash tables per prefix length, a sorted port index). The evaluator then only
 * visits those rules and decides each with the same exact three-valued matcher; rules the
 * pre-filter skips are exactly rules whose core options or port match say "no", which the
 * plain walk would skip too without a hook call. Results, hook calls and rule ids are
 * therefore identical to the plain walk (tests/unit/test_ipt_compile.c checks this on
 * random rulesets, tests/integration/t_ipt_kernel_diff.sh evaluates with it).
 *
 * The compiled form is immutable and may be shared by several evaluators (threads). */
struct ipt_compiled;

/* NULL on ENOMEM. rs must outlive the result. */
struct ipt_compiled *ipt_compile(const struct ipt_ruleset *rs);
void ipt_compiled_free(struct ipt_compiled *cp);	/* NULL-safe */
/* Bytes the compiled form uses (for benchmarks). */
size_t ipt_compiled_size(const struct ipt_compiled *cp);

/* Makes ev use cp (NULL: back to the plain walk). Returns -1 (errno EINVAL) when cp was
 * compiled from another ruleset, or ENOMEM. cp must outlive ev's use of it. */
int ipt_eval_set_compiled(struct ipt_eval *ev, const struct ipt_compiled *cp);

/* ---------------------------------------------------------------------------------------
 * Static analysis for `check` (ipt_analyze.c)
 */

/* Writes into buf a comma-separated list of what in rule the evaluator may leave
 * undecided for a packet whose IPT_UNK_* fields are `unknown` (match names such as
 * "limit", "mark", "state", "port (collapsed ephemeral port)"), "-" when nothing.
 * Returns 0, or -1 for a bad id. */
int ipt_rule_undecided(const struct ipt_ruleset *rs, uint32_t rule, unsigned unknown,
		       char *buf, size_t len);

/* An earlier rule of the same chain with a terminal target (ACCEPT, DROP, REJECT, RETURN,
 * goto) that matches every packet `rule` matches, so that rule is shadowed; IPT_NONE when
 * none is found. Conservative: compares core options, tcp/udp ports and comments only. */
uint32_t ipt_rule_shadowed_by(const struct ipt_ruleset *rs, uint32_t rule);

#endif
