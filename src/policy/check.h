/* This file declares the policy checker's core: it turns stored flows into evaluator
 * packets (path, conntrack state, unknown fields), builds the host context from the
 * database or the command line, evaluates every flow against one or two rulesets, and
 * aggregates the findings (spoof holes, loopback breakage, rule hits, dead rules,
 * uncertainty, diff) into groups weighted by flows and packets. It never prints;
 * cmd_check.c formats the groups. */
#ifndef SPOOFAUDIT_CHECK_H
#define SPOOFAUDIT_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "classify/classify.h"
#include "classify/hostinfo.h"
#include "policy/ipt.h"
#include "policy/policy.h"
#include "store/store.h"

/* ---- host context (check_host.c) ---- */

/* The evaluator's view of the host, built from a struct hostctx (the live host's, or the
 * one a database recorded) plus the command line's overrides. */
struct check_host {
	struct ipt_hostaddr *addrs;
	size_t naddrs;
	struct ipt_ifconf *ifconf;
	size_t nifconf, capifconf;
	struct ipt_route *routes;
	size_t nroutes, caproutes;
	struct {
		char name[IPT_IFNAMSIZ];
		enum iface_role role;
	} *ifaces;
	size_t nifaces;
	int have_addrs;		/* host addresses are known */
	int have_sysctls;	/* kernel context is known */
	struct ipt_context ctx;	/* points into the arrays above */
};

/* store_context_each() callback: adds one recorded row to arg, a struct hostctx (the
 * database's text becomes typed here, once). Returns 0, or -1 (ENOMEM). */
int check_hostctx_row(void *arg, const struct store_ctx_row *row);
/* Builds h from hc; overrides (-1 = keep) apply to `all` and every interface. Returns 0
 * or -1 (ENOMEM). h does not borrow from hc. */
int check_host_build(struct check_host *h, const struct hostctx *hc, int route_localnet,
		     int accept_local, int rp_filter);
/* net.ipv4.ip_forward and net.ipv6.conf.all.forwarding given by the user (0 or 1),
 * replacing the recorded ones (ip_forward also every device's IPv4 forwarding, as
 * writing it does); -1 keeps one. Returns 0. */
int check_host_forward(struct check_host *h, int ip_forward, int ip6_forward);
void check_host_free(struct check_host *h);
/* Role (enum iface_role) of an interface, or -1 when unknown. */
int check_host_role(const struct check_host *h, const char *ifname);

/* ---- flows ---- */

/* A flow as the checker keeps it: the stored record, compacted, plus what was derived. */
struct check_flow {
	int64_t id;
	uint8_t family;
	uint8_t proto;
	uint8_t spoof;		/* class is a spoof class */
	uint8_t loopback;	/* class loopback_flow */
	uint8_t path;		/* enum ipt_path */
	uint8_t ctstate;	/* enum ipt_ctstate */
	uint8_t unknown;	/* IPT_UNK_* */
	uint8_t tcp_flags;	/* representative packet's flags */
	uint8_t pkttype;
	uint8_t dir;		/* 0 unknown, 1 in, 2 out */
	uint16_t sport, dport;
	uint16_t cls;		/* enum spoof_class; CLS_COUNT: a name classify does not know */
	uint16_t subclass;	/* index into the flow set's subclass names */
	uint16_t iface;		/* index into the flow set's interface names */
	uint8_t src[16], dst[16];	/* IPv4 in the first 4 bytes */
	uint8_t have_reverse;	/* the reverse direction was recorded */
	uint8_t flags_seen;	/* OR of the TCP flags stored */
	uint8_t pre_known;	/* pk_pre and pk_unplaced below hold */
	uint8_t first_row;	/* the row holds its 5-tuple's earliest packet */
	uint8_t passed_through;	/* sent, with a source not the host's and no copy of it
				 * captured coming in: forwarded from an interface not
				 * captured (FORWARD; where it came in is a guess, so its
				 * rule hits are maybe) */
	uint8_t nat_replay;	/* a later row of a connection this direction opened: its
				 * packets take the binding (ipt_packet.nat_replay) */
	uint8_t ttl_known, ttl_min, ttl_max;	/* store_flow's: what its packets arrived
						 * with (ipt_packet.ttl_known) */
	uint64_t packets, bytes;
	int64_t first_usec, last_usec;
	/* The packets split by the conntrack state the kernel gives each (check_flow_split):
	 * packets - pk_est - pk_amb are judged like the first packet (ctstate above: the
	 * first, and those sent before the other side answered); pk_est came after the
	 * answer (ESTABLISHED); pk_amb either, the record cannot tell which. */
	uint64_t pk_est, pk_amb;
	/* With pre_known, what the collector recorded (flows.pre_reply, migration 13): the
	 * counted packets sent before the answer; and the packets it did not place (NFLOG's
	 * copies beyond the counted ones). */
	uint64_t pk_pre, pk_unplaced;
};

struct check_flows {
	struct check_flow *v;
	size_t n, cap;
	char (*ifnames)[32];
	size_t nifnames;
	char (*subclasses)[32];
	size_t nsubclasses;
	uint32_t memo_cls, memo_iface, memo_sub;	/* check_flows_add: previous row's, + 1 */
	int window;		/* v is a window of another set's array (check_flows_window):
				 * never reallocated or freed here */
	unsigned threads;	/* check_flows_derive's threads; 0: one per CPU (up to 4) for
				 * 50 000 flows or more each; the results are the same */
	/* Per family ([0] IPv4): the rows check_flows_derive dropped as a router's second
	 * sighting of packets it forwarded (their flows, packets, and of those the rows
	 * whose packets the collector placed, flows.pre_reply) */
	uint64_t copies[2], copy_packets[2], copy_placed[2], copy_placed_packets[2];
};

/* The class name of a flow ("normal" for one classify does not know). */
const char *check_class_name(unsigned cls);

/* Appends a stored flow (addresses converted). Returns 0, or -1 (ENOMEM). */
int check_flows_add(struct check_flows *fs, const struct store_flow *sf);
/* Derives path, conntrack state, unknown fields and pkttype of every flow (needs them all,
 * for the reverse-direction lookup), and drops a router's second sighting of what it
 * forwarded (fs->copies). Returns 0 or -1 (ENOMEM). */
int check_flows_derive(struct check_flows *fs, const struct check_host *h);
/* Moves src's flows to the end of dst (their interned names renumbered) and frees src.
 * Returns 0, or -1 (ENOMEM; src is kept). */
int check_flows_append(struct check_flows *dst, struct check_flows *src);
void check_flows_free(struct check_flows *fs);
/* Makes w an empty set whose flows go to dst's array at [at, at + n) (dst->cap >= at + n;
 * dst->n <= at): readers fill windows of one array, and joining them copies nothing. A
 * window that fills up moves to an array of its own (check_flows_add; w->window is then
 * 0). */
void check_flows_window(struct check_flows *w, struct check_flows *dst, size_t at, size_t n);
/* Gives window w an array of its own (a copy). Returns 0, or -1 (ENOMEM). */
int check_flows_unwindow(struct check_flows *w);
/* Moves window w's flows, which lie in dst's array at or after dst's end, to dst's end
 * (their interned names renumbered) and frees w. Returns 0, or -1 (ENOMEM; w is kept). */
int check_flows_join(struct check_flows *dst, struct check_flows *w);
/* Derives one flow's path, conntrack state, unknown fields and pkttype: what
 * check_flows_derive() does for each flow once it has looked up the reverse direction
 * (rev: it was seen; rev_first: it started first). loopback_if: the flow's interface has
 * the loopback role. The live audit calls this for each new flow, with the reverse looked
 * up in the flow table. */
void check_flow_derive_one(struct check_flow *f, const struct check_host *h, int loopback_if,
			   int rev, int rev_first);
/* The evaluator packet of a derived flow seen on interface ifname. */
void check_flow_to_packet(const struct check_flow *f, const char *ifname, struct ipt_packet *p);
/* Splits a derived flow's packets (pk_est, pk_amb) by the conntrack state of each.
 * first_row: the row holds this direction's first packet; rev: the reverse direction was
 * recorded, its first packet at rev_usec. Only a flow whose first packet is NEW in the
 * direction that opened the connection is split: before the answer its packets stay NEW,
 * after it they are ESTABLISHED; an unanswered flow's packets are all NEW. A row the
 * answer falls within has its first packet NEW (when the row opened the connection or
 * began before the answer), its last ESTABLISHED (when after the answer), and the rest
 * in pk_amb. A row whose collector placed every packet (pre_known) is split exactly:
 * pk_pre like the first packet, the rest of the counted ones ESTABLISHED, the unplaced
 * ones maybe; and a non-TCP row the reverse began before that still had packets before
 * their answer holds new conversations (collapsed ports): its first-like state is NEW. */
void check_flow_split(struct check_flow *f, int first_row, int rev, int64_t rev_usec);
/* The evaluator packet of flow i (its first packet, or one sent before an answer). */
void check_flow_packet(const struct check_flows *fs, size_t i, struct ipt_packet *p);
/* The evaluator packet of flow i's packets after the answer: ESTABLISHED, TCP flags ACK
 * and unknown (PSH, FIN or RST may be set). */
void check_flow_packet_est(const struct check_flows *fs, size_t i, struct ipt_packet *p);
/* "a0 in tcp 198.51.100.7:0 -> 45.33.1.10:22" into buf. */
void check_flow_describe(const struct check_flows *fs, size_t i, char *buf, size_t len);

/* Conntrack state of a flow's first packet (exposed for the unit tests): proto, the OR of
 * its TCP flags, ICMP type (dport >> 8), whether the reverse was seen and whether the
 * reverse started first. *flags gets the representative packet's TCP flags and *unk
 * IPT_UNK_FLAGS when they cannot be told. */
enum ipt_ctstate check_ctstate(int family, int proto, unsigned flags_seen, unsigned icmp_type,
			       int have_reverse, int reverse_first, uint8_t *flags, uint8_t *unk);

/* ---- evaluation and findings ---- */

/* Per-flow outcome against one ruleset. */
struct check_res {
	uint8_t verdict;	/* enum ipt_verdict */
	uint8_t possible;
	uint8_t by;		/* enum ipt_decider */
	uint8_t martian;	/* enum ipt_martian */
	uint8_t uncertain_martian;
	uint32_t rule;		/* deciding rule or IPT_NONE */
	uint32_t chain;
	uint32_t uncertain_rule;
};

/* One ruleset side (the proposed one, or --against's) for both families. */
struct check_side {
	struct policy_rules view[2];	/* the policy's slots (borrowed rulesets) */
	const struct policy_rules *rs[2];	/* [0] IPv4, [1] IPv6: &view[f], NULL when not
						 * given; an iptables one without a compiled
						 * form is compiled per evaluation */
	uint64_t *hit_flows[2], *hit_packets[2];	/* per rule: definite matches */
	uint64_t *maybe_flows[2], *maybe_packets[2];	/* per rule: possible matches */
	struct check_res *res;	/* per flow: its first packet (and those judged like it) */
	struct check_res *res_est;	/* per flow: its ESTABLISHED packets (none: UNKNOWN,
					 * possible 0) */
	unsigned threads;	/* evaluation threads (and the findings' of the new side);
				 * 0: one per CPU (up to 4) for 50 000 flows or more each;
				 * the results are the same */
};

/* Points s at policy p's rulesets (borrowed: p outlives s). */
void check_side_use(struct check_side *s, const struct policy *p);
/* The compact outcome of one evaluator result. */
void check_res_from(struct check_res *r, const struct ipt_result *x);
/* "filter INPUT #3 (line 9)", "inet filter input handle 4 (line 12)"; "?" for a bad id
 * or no ruleset. */
void check_rule_name(const struct policy_rules *rs, uint32_t rule, char *buf, size_t len);
/* "ACCEPT,DROP" from IPT_VSET_* bits. */
void check_possible_text(unsigned p, char *buf, size_t len);
/* One outcome as a sentence fragment: "DROP by filter INPUT #3 (line 9)", "DROP by the
 * policy of filter OUTPUT", "DROP by the kernel's martian check (...)", "UNKNOWN (...)". */
void check_res_text(const struct policy_rules *rs, const struct check_res *r, char *buf, size_t len);

/* Evaluates every flow against side s, packet by packet (hits counted when count_hits):
 * the packets judged like the first once, the ESTABLISHED ones (unless the first is
 * dropped or rejected for certain: then all are judged like it) a second time; pk_amb
 * counts as a possible hit of the rules of both. Flows of a family without a ruleset get
 * verdict UNKNOWN with possible 0. Returns 0 or -1 (errno). */
int check_evaluate(struct check_side *s, const struct check_flows *fs, const struct check_host *h,
		   int count_hits);
/* For flows the kernel's martian check dropped or may have dropped: what the ruleset
 * alone would do (the routing checks passing); the others' entries are copies of s->res.
 * res must have fs->n entries. */
int check_evaluate_alone(struct check_side *s, const struct check_flows *fs,
			 const struct check_host *h, struct check_res *res);
/* check_evaluate_alone() of the flows the martian check drops for certain (by
 * IPT_BY_MARTIAN) only: the others' entries are copies of s->res (the flows it may drop
 * are not evaluated again). What check_findings() and `would take' read. */
int check_evaluate_alone_dropped(struct check_side *s, const struct check_flows *fs,
				 const struct check_host *h, struct check_res *res);
void check_side_free(struct check_side *s);	/* frees the counts, not the rulesets;
						 * zeroes s */

/* Finding kinds. */
enum check_kind {
	CK_SPOOF = 0,		/* spoof-class flows by fate */
	CK_BREAKAGE,		/* loopback flows dropped/rejected (or possibly) */
	CK_UNCERTAIN,		/* flows with an UNKNOWN verdict, by undecided rule */
	CK_NEW_BLOCKED,		/* diff */
	CK_NEW_ACCEPTED,
	CK_NEW_UNCERTAIN,
	CK_NEW_CERTAIN,
	CK_BLOCK_CHANGED,	/* DROP <-> REJECT */
	CK_HOLE_OPENED,
	CK_HOLE_CLOSED,
	CK_COUNT
};
extern const char *const check_kind_names[CK_COUNT];

#define CHECK_EXAMPLES 3

/* A group of flows with one finding kind and one explanation. */
struct check_group {
	enum check_kind kind;
	int fam;		/* 0 IPv4, 1 IPv6 */
	char label[96];		/* class/subclass, service "udp/5353", match name... */
	struct check_res a;	/* outcome (new side) */
	struct check_res b;	/* CK_SPOOF: the ruleset alone; diff: the --against side */
	int have_b;
	uint64_t flows, packets, bytes;
	uint64_t maybe_packets;	/* more packets that may belong (check_flow pk_amb) */
	size_t ex[CHECK_EXAMPLES];
	unsigned nex;
};

struct check_groups {
	struct check_group *v;
	size_t n, cap;
	uint32_t *slots;	/* open-addressing index of v by key (kind, fam, label, a, b) */
	size_t nslots;		/* a power of two, >= 2 * n; 0 before the first group */
};

/* Adds flow i, with `packets` of its packets for certain and `maybe` more that may
 * belong (its bytes in proportion to both), to the group (kind, fam, label, a, b),
 * creating it. -1 ENOMEM. */
int check_group_add(struct check_groups *g, enum check_kind kind, int fam, const char *label,
		    const struct check_res *a, const struct check_res *b,
		    const struct check_flows *fs, size_t i, uint64_t packets, uint64_t maybe);
/* Label of the groups of a flow's packets after the answer (res_est). */
#define CHECK_LATER_LABEL "packets after the answer (ESTABLISHED)"

/* Builds every finding group of the flows' first packets (weighted by all their
 * packets): newside against fs; alone (may be NULL) the martian-free outcomes; old (may
 * be NULL) the --against side. Groups sorted by kind, packets desc. */
int check_findings(struct check_groups *g, const struct check_flows *fs,
		   const struct check_side *newside, const struct check_res *alone,
		   const struct check_side *old);
/* check_findings() and the groups of the packets after the answer (res_est; pk_est
 * packets, pk_amb maybe) where they fare otherwise: loopback breakage, and a verdict
 * change between the sides, labelled CHECK_LATER_LABEL (for breakage, the service then
 * it). What `check` reports. */
int check_findings_packets(struct check_groups *g, const struct check_flows *fs,
			   const struct check_side *newside, const struct check_res *alone,
			   const struct check_side *old);
void check_groups_free(struct check_groups *g);

/* The label of the undecided matches of rule (for grouping uncertainty): names of its
 * matches the evaluator may not decide, "port (collapsed)" when unknown ports touch it. */
void check_uncertain_label(const struct policy_rules *rs, uint32_t rule, unsigned unknown,
			   char *buf, size_t len);

#endif
