/* This file holds the internal representation of a parsed ruleset, shared by the parser
 * (ipt_parse.c, ipt_rule.c, ipt_mopt.c, ipt_target.c, ipt_build.c), the printer
 * (ipt_print.c), the name tables (ipt_names.c) and the evaluator (ipt_eval.c,
 * ipt_match.c, ipt_nat.c, ipt_route.c, ipt_seen.c, ipt_compile.c). Nothing outside ipt_*.c
 * includes it. */
#ifndef SPOOFAUDIT_IPT_INT_H
#define SPOOFAUDIT_IPT_INT_H

#include <stdint.h>

#include "policy/ipt.h"

/* An address with a mask (iptables allows non-contiguous masks). Invariant:
 * addr & mask == addr. plen is the prefix length, or -1 for a non-contiguous mask. */
struct ipt_net {
	uint8_t addr[16];
	uint8_t mask[16];
	int16_t plen;
};

struct ipt_prange {
	uint16_t lo, hi;
};

enum ipt_mkind {
	IPT_M_TCP = 0,
	IPT_M_UDP,
	IPT_M_UDPLITE,
	IPT_M_SCTP,
	IPT_M_DCCP,
	IPT_M_ICMP,
	IPT_M_ICMP6,
	IPT_M_MULTIPORT,
	IPT_M_IPRANGE,
	IPT_M_PKTTYPE,
	IPT_M_COMMENT,
	IPT_M_MAC,
	IPT_M_STATE,
	IPT_M_CONNTRACK,
	IPT_M_ADDRTYPE,
	IPT_M_RPFILTER,
	IPT_M_MARK,
	IPT_M_CONNMARK,
	IPT_M_UNKNOWN,
	IPT_M_COUNT
};

/* The five protocols whose matches carry ports (tcp, udp, udplite, sctp, dccp): the one
 * place that maps between their protocol numbers and match kinds. */
static inline int ipt_l4_kind(unsigned proto)	/* match kind, or -1 for another protocol */
{
	switch (proto) {
	case 6:
		return IPT_M_TCP;
	case 17:
		return IPT_M_UDP;
	case 136:
		return IPT_M_UDPLITE;
	case 132:
		return IPT_M_SCTP;
	case 33:
		return IPT_M_DCCP;
	default:
		return -1;
	}
}

static inline int ipt_proto_has_ports(unsigned proto)
{
	return ipt_l4_kind(proto) >= 0;
}

static inline int ipt_mkind_l4(int kind)	/* tcp, udp, udplite, sctp or dccp match */
{
	return kind >= IPT_M_TCP && kind <= IPT_M_DCCP;
}

static inline int ipt_l4_proto(int kind)	/* protocol number of a port match kind, or -1 */
{
	static const uint8_t proto[] = {6, 17, 136, 132, 33};

	return ipt_mkind_l4(kind) ? proto[kind - IPT_M_TCP] : -1;
}

/* Option-present bits (struct ipt_match.have) and inversion bits (.inv), per kind. */
#define IPT_MO_SPORT	0x01	/* tcp/udp/sctp/dccp --sport; multiport --sports */
#define IPT_MO_DPORT	0x02	/* --dport; multiport --dports */
#define IPT_MO_PORTS	0x04	/* multiport --ports */
#define IPT_MO_FLAGS	0x08	/* tcp --tcp-flags / --syn */
#define IPT_MO_OPTION	0x10	/* tcp --tcp-option, sctp --chunk-types, dccp --dccp-types... (unknown) */
#define IPT_MO_SRC	0x01	/* iprange --src-range, addrtype --src-type */
#define IPT_MO_DST	0x02	/* iprange --dst-range, addrtype --dst-type */
#define IPT_MO_LIMIT_IN	0x04	/* addrtype --limit-iface-in */
#define IPT_MO_LIMIT_OUT 0x08	/* addrtype --limit-iface-out */
#define IPT_MO_MAIN	0x01	/* the one option of icmp/pkttype/mac/state/ctstate/mark */
#define IPT_MO_EXTRA	0x80	/* options kept raw (conntrack --ctorigsrc ...): unknown */

/* rpfilter flags (.u.rpf). */
#define IPT_RPF_LOOSE		0x01
#define IPT_RPF_VALIDMARK	0x02
#define IPT_RPF_ACCEPT_LOCAL	0x04
#define IPT_RPF_INVERT		0x08

/* conntrack state bits (state --state, conntrack --ctstate). */
#define IPT_CTS_INVALID		0x01
#define IPT_CTS_NEW		0x02
#define IPT_CTS_ESTABLISHED	0x04
#define IPT_CTS_RELATED		0x08
#define IPT_CTS_UNTRACKED	0x10
#define IPT_CTS_SNAT		0x20
#define IPT_CTS_DNAT		0x40

/* addrtype type bits, by RTN_* value (1 << RTN_x). */
#define IPT_RTN_UNSPEC		0
#define IPT_RTN_UNICAST		1
#define IPT_RTN_LOCAL		2
#define IPT_RTN_BROADCAST	3
#define IPT_RTN_ANYCAST		4
#define IPT_RTN_MULTICAST	5
#define IPT_RTN_BLACKHOLE	6
#define IPT_RTN_UNREACHABLE	7
#define IPT_RTN_PROHIBIT	8
#define IPT_RTN_THROW		9
#define IPT_RTN_NAT		10
#define IPT_RTN_XRESOLVE	11
#define IPT_RTN_MAX		11

#define IPT_MPORT_MAX 15

/* One "-m NAME ..." of a rule. Modelled kinds hold their options decoded in u; argv keeps
 * the raw option tokens of unknown matches (and the unmodelled options of conntrack). */
struct ipt_match {
	uint8_t kind;		/* enum ipt_mkind */
	uint8_t have;		/* IPT_MO_* present */
	uint8_t inv;		/* IPT_MO_* inverted */
	uint8_t implicit;	/* loaded by -p, not by -m (printed with -m anyway) */
	union {
		struct {
			struct ipt_prange sport, dport;
			uint8_t fmask, fcmp;		/* --tcp-flags */
		} l4;
		struct {
			uint8_t type;			/* 0xff with any=1 */
			uint8_t code_lo, code_hi;
			uint8_t any;
		} icmp;
		struct {
			uint8_t n;
			struct ipt_prange r[IPT_MPORT_MAX];
		} mport;
		struct {
			uint8_t src_lo[16], src_hi[16];
			uint8_t dst_lo[16], dst_hi[16];
		} iprange;
		uint8_t pkttype;			/* enum ipt_pkttype value */
		uint8_t mac[6];
		uint8_t ctstate;			/* IPT_CTS_* */
		struct {
			uint16_t src, dst;		/* 1 << IPT_RTN_* */
		} addrtype;
		uint8_t rpf;				/* IPT_RPF_* */
		struct {
			uint32_t value, mask;
		} mark;
	} u;
	char *name;		/* match name as written (unknown) or canonical */
	char *text;		/* comment text */
	char **argv;		/* raw tokens (unknown match / conntrack extras) */
	uint16_t argc;
};

enum ipt_tkind {
	IPT_T_NONE = 0,		/* no target: counters only, continue */
	IPT_T_ACCEPT,
	IPT_T_DROP,
	IPT_T_REJECT,
	IPT_T_RETURN,
	IPT_T_JUMP,
	IPT_T_GOTO,
	IPT_T_CONTINUE,		/* LOG, NFLOG, TRACE, TCPMSS...: known non-terminal, no effect modelled */
	IPT_T_MARK,
	IPT_T_CONNMARK,
	IPT_T_NOTRACK,		/* NOTRACK, CT --notrack */
	IPT_T_DNAT,
	IPT_T_REDIRECT,
	IPT_T_SNAT,		/* SNAT, MASQUERADE */
	IPT_T_NETMAP,
	IPT_T_UNKNOWN		/* an extension we do not know: may continue, accept or drop */
};

/* Mark target operations (MARK and CONNMARK --set-xmark etc.). */
enum ipt_markop {
	IPT_MARK_XSET = 0,	/* mark = (mark & ~mask) ^ value */
	IPT_MARK_SET,		/* mark = (mark & ~mask) | value */
	IPT_MARK_SAVE,		/* CONNMARK: ctmark = (ctmark & ~ctmask) ^ (mark & nfmask) */
	IPT_MARK_RESTORE	/* CONNMARK: mark = (mark & ~nfmask) ^ (ctmark & ctmask) */
};

/* Inversion bits of a rule's core options (struct ipt_rule.inv). */
#define IPT_INV_SRC	0x01
#define IPT_INV_DST	0x02
#define IPT_INV_IN	0x04
#define IPT_INV_OUT	0x08
#define IPT_INV_PROTO	0x10
#define IPT_INV_FRAG	0x20

/* One rule. Invariant: chain is a valid chain id; tchain is a chain of the same table
 * when tkind is JUMP or GOTO; in_if/out_if index rs->ifpat or are -1. */
struct ipt_rule {
	uint32_t chain;
	uint32_t num;		/* 1-based within the chain */
	uint32_t line;
	uint32_t tchain;	/* jump/goto target */
	uint8_t inv;		/* IPT_INV_* */
	uint8_t has_src, has_dst, has_proto;
	uint8_t frag;		/* 1: -f given (inverted via IPT_INV_FRAG) */
	uint8_t proto;
	uint8_t tkind;		/* enum ipt_tkind */
	uint8_t has_counters;
	int16_t in_if, out_if;
	uint16_t nm;
	uint16_t n_unknown;	/* matches that always evaluate unknown */
	struct ipt_net src, dst;
	struct ipt_match *m;
	/* target */
	char *tname;		/* target or chain name as written; NULL for none */
	char **targv;		/* raw target option tokens */
	uint16_t targc;
	uint8_t markop;		/* enum ipt_markop for MARK/CONNMARK */
	uint8_t nat_has_addr, nat_has_port, nat_range;	/* DNAT/REDIRECT: what is rewritten */
	uint32_t mark_value, mark_mask, nfmask, ctmask;
	uint8_t nat_addr[16];	/* DNAT first address; NETMAP prefix */
	uint8_t nat_mask[16];	/* NETMAP mask */
	uint16_t nat_port;
	uint64_t packets, bytes;
};

struct ipt_chain {
	char *name;
	uint8_t table;		/* enum ipt_table */
	int8_t hook;		/* enum ipt_hook, -1 user chain */
	uint8_t policy;		/* enum ipt_verdict (ACCEPT/DROP); UNKNOWN for user chains */
	uint8_t policy_declared;
	uint8_t has_counters;
	uint32_t line;
	uint32_t first, n;	/* its rules: rs->rules[first .. first+n) */
	uint64_t packets, bytes;
};

/* An interface pattern as written: exact name, or prefix when wildcard ("eth+"). */
struct ipt_ifpat {
	char name[IPT_IFNAMSIZ];	/* without the '+' */
	uint8_t len;
	uint8_t wildcard;
};

struct ipt_ruleset {
	int family;
	char *file;
	struct ipt_chain *chains;
	uint32_t nchains;
	struct ipt_rule *rules;
	uint32_t nrules;
	struct ipt_ifpat *ifpat;
	uint32_t nifpat;
	uint32_t builtin[IPT_TABLE_COUNT][IPT_HOOK_COUNT];	/* chain id or IPT_NONE */
	uint8_t table_present[IPT_TABLE_COUNT];
	uint8_t table_order[IPT_TABLE_COUNT];	/* tables in file order, for printing */
	uint8_t ntables;
	uint8_t uses_conntrack;	/* state/conntrack/connmark matches, nat rules, CT targets */
	uint8_t uses_mark;
};

/* Name tables (ipt_names.c). Each returns 0 on success, -1 if unknown. */
int ipt_proto_parse(const char *s, uint8_t *proto);
const char *ipt_proto_name(uint8_t proto);		/* NULL: print the number */
int ipt_icmp_parse(const char *s, int v6, uint8_t *type, uint8_t *lo, uint8_t *hi, uint8_t *any);
int ipt_tcpflags_parse(const char *s, uint8_t *flags);
void ipt_tcpflags_print(uint8_t flags, char *buf, size_t len);
int ipt_ctstate_parse(const char *s, int conntrack, uint8_t *mask);
void ipt_ctstate_print(uint8_t mask, char *buf, size_t len);
int ipt_addrtype_parse(const char *s, uint16_t *mask);
void ipt_addrtype_print(uint16_t mask, char *buf, size_t len);
int ipt_pkttype_parse(const char *s, uint8_t *type);
const char *ipt_pkttype_name(uint8_t type);
int ipt_target_known(const char *name);		/* an extension target iptables ships */
/* Whether iptables (family 4), ip6tables (6) or either (0) has a match extension NAME. */
int ipt_match_exists(const char *name, int family);
int ipt_table_parse(const char *s);			/* enum ipt_table or -1 */
int ipt_hook_parse(const char *s);			/* enum ipt_hook or -1 */
int ipt_hook_valid(int table, int hook);		/* whether table has built-in chain hook */

/* Address and number parsing (ipt_names.c). */
int ipt_u32_parse(const char *s, uint32_t max, uint32_t *out);	/* decimal or 0x hex */
int ipt_markval_parse(const char *s, uint32_t *value, uint32_t *mask);	/* "v[/m]" */
int ipt_addr_parse(const char *s, int family, uint8_t addr[16]);	/* numeric only */
int ipt_net_parse(const char *s, int family, struct ipt_net *n);
void ipt_net_print(const struct ipt_net *n, int family, char *buf, size_t len);

/* ---- parser internals (ipt_parse.c drives, ipt_rule.c parses one rule, ipt_build.c
 * builds; see ipt_build.c for which calls which) ---- */

/* One token of a line: its text (quotes removed, escapes resolved) and the 1-based column
 * where it starts in the raw line. */
struct ipt_tok {
	char *s;
	unsigned col;
	uint8_t quoted;
};

struct ipt_pstate {
	struct ipt_ruleset *rs;
	struct ipt_error *err;
	unsigned line;
	int table;			/* open table, -1 outside */
	unsigned table_line;
	uint32_t cap_chains, cap_rules, cap_ifpat;
	int family;			/* 4 or 6 */
	const volatile sig_atomic_t *stop;	/* NULL or the caller's stop flag */
	uint64_t ops;			/* work units (struct ipt_parse_opts.ops) */
	/* chains by (table, name): open addressing, chain id + 1 per slot, 0 empty; the
	 * slot count is a power of two at least twice the chain count */
	uint32_t *chash;
	uint32_t chash_cap;
};

/* Whether the caller's stop flag is raised; sets the "interrupted" error (errno EINTR). */
int ipt_ps_stopped(struct ipt_pstate *ps);

/* ---- builders (ipt_build.c): the bottom of the parser, called by every layer above ---- */

/* Fills ps->err (file, line, col, formatted message) and returns -1. */
int ipt_perr(struct ipt_pstate *ps, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Chain id of name in table, or IPT_NONE. */
uint32_t ipt_ps_chain(struct ipt_pstate *ps, int table, const char *name);
/* Interns an interface pattern ("eth+", "lo"); returns its index or -1 (ENOMEM). */
int ipt_ps_ifpat(struct ipt_pstate *ps, const char *name);
/* Appends a rule (copied by value, ownership of its pointers moves); -1 on ENOMEM. */
int ipt_ps_add_rule(struct ipt_pstate *ps, const struct ipt_rule *r);
/* Appends a chain (built-in when hook >= 0, policy ACCEPT); its id, or IPT_NONE (ENOMEM). */
uint32_t ipt_ps_add_chain(struct ipt_pstate *ps, const char *name, int table, int hook);
/* Sets the "out of memory" error (errno ENOMEM) and returns -1. */
int ipt_ps_oom(struct ipt_pstate *ps);
/* Grows *arr (elements of size sz, capacity *cap) to hold n+1 elements; -1 on ENOMEM. */
int ipt_grow(void **arr, uint32_t *cap, uint32_t n, size_t sz);
/* Parses the tokens after "-A CHAIN" of a rule line into one or more rules (comma lists
 * in -s/-d expand). counters: from a leading "[p:b]" (has_counters set). */
int ipt_rule_parse(struct ipt_pstate *ps, uint32_t chain, struct ipt_tok *t, size_t n,
		   int has_counters, uint64_t packets, uint64_t bytes);
/* What a rule parse is building. */
struct ipt_rctx {
	struct ipt_pstate *ps;
	struct ipt_rule r;
	uint32_t mcap;
	/* order of loaded items, newest last: match index, or -1 for the target */
	int *loaded;
	size_t nloaded, cap_loaded;
	const struct ipt_tok *src_tok, *dst_tok;
	unsigned seen;		/* core options given (bits below) */
	unsigned proto_used;	/* the implicit protocol match was loaded */
	unsigned target_col;
	unsigned mcol[64];	/* column of each -m, for late checks */
};

#define IPT_SEEN_S 0x01
#define IPT_SEEN_D 0x02
#define IPT_SEEN_P 0x04
#define IPT_SEEN_I 0x08
#define IPT_SEEN_O 0x10
#define IPT_SEEN_F 0x20
#define IPT_SEEN_J 0x40
#define IPT_SEEN_C 0x80

/* Option table of a modelled match: name, number of arguments, option bit. */
struct ipt_mopt {
	const char *name;
	uint8_t nargs;
	uint8_t bit;
};

/* Rule-level helpers (ipt_build.c): append a copy of s to a raw token list; the ENOMEM
 * error of a rule; set the ruleset family from a family-specific construct, or check it. */
int ipt_push_str(char ***argv, uint16_t *argc, const char *s);
int ipt_nomem(struct ipt_rctx *c);
int ipt_family_hint(struct ipt_rctx *c, int fam, const struct ipt_tok *t, const char *what);

/* ipt_mopt.c */
extern const char *const ipt_mnames[IPT_M_COUNT];
int ipt_match_option(struct ipt_rctx *c, struct ipt_match *m, const struct ipt_mopt *o, int inv,
		     const struct ipt_tok *t, size_t n, size_t *i);
int ipt_match_kind(const char *name);
const struct ipt_mopt *ipt_match_opt(int kind, const char *s);

/* ipt_target.c */
extern const char *const ipt_topts_common[];
extern const char *const ipt_topts_noarg[];
extern const char *const ipt_modelled_targets[];
extern const char *const ipt_continue_targets[];
int ipt_in_list(const char *const *list, const char *s);
int ipt_target_semantics(struct ipt_rctx *c);

/* Frees what a rule owns (not the rule itself). */
void ipt_rule_clear(struct ipt_rule *r);

/* ---- evaluator internals (ipt_eval.c drives, ipt_match.c decides matches) ---- */

/* Three-valued match result. */
#define IPT_NO 0
#define IPT_YES 1
#define IPT_MAYBE 2

struct ipt_frame {
	uint32_t chain;
	uint32_t pos;		/* next rule offset within the chain */
};

/* One possible world of an evaluation: the packet as rewritten so far and where it is.
 * Unknown matches fork worlds (the copy takes the rule, the original skips it). */
struct ipt_world {
	uint8_t stage;		/* next stage of the path to run when depth == 0 */
	int8_t hook;		/* hook of the chain being traversed */
	uint8_t ctstate;	/* enum ipt_ctstate, NOTRACK may change it */
	uint8_t in_slot, out_slot;	/* interface name slots for this hook */
	uint8_t oslot, pslot;	/* out slots of OUTPUT (the route before nat OUTPUT) and of
				 * POSTROUTING (after its re-route); path default until then */
	uint8_t dead;		/* finished (verdict recorded) */
	uint8_t main;		/* the world where every unknown match was false */
	uint8_t path;		/* enum ipt_path: the packet's, until a DNAT re-routes it */
	uint8_t maybe;		/* 1 once this world's ancestry forked: its hits are not definite */
	uint8_t replay;		/* in a nat chain walked again for a later packet (nat_replay):
				 * ctstate is NEW there, and hits are not reported */
	uint32_t base_chain;	/* built-in chain of the current stage */
	uint8_t dst[16];
	uint16_t dport;
	uint8_t dport_unk;	/* the destination port is not known (IPT_UNK_DPORT) */
	uint32_t mark, mark_known, ctmark, ctmark_known;
	uint32_t mark0, mark0_known;	/* the mark as mangle OUTPUT began (ipt_route_me_harder) */
	uint32_t dnat_rule, snat_rule;
	uint32_t uncertain;	/* first rule where this world's ancestry forked */
	uint32_t acc_rule;	/* last ACCEPT rule */
	uint32_t acc_chain;	/* last chain whose ACCEPT policy applied */
	uint32_t depth;
	struct ipt_frame *stack;	/* depth frames, capacity ev->maxdepth */
};

/* 0 packet in_if, 1 packet out_if, 2 "lo", 3 none (""); 4.. the output devices a re-route
 * after nat OUTPUT chose, named per packet (IPT_IFSLOT_DYN first) */
#define IPT_IFSLOTS 8
#define IPT_IFSLOT_DYN 4

struct ipt_eval {
	const struct ipt_ruleset *rs;
	const struct ipt_context *ctx;
	ipt_rule_hook hook;
	void *hook_arg;
	int hook_nat;		/* add IPT_HIT_NAT to the hits in nat chains */
	const struct ipt_packet *pkt;
	uint8_t *ifmatch[IPT_IFSLOTS];	/* per slot: 1 byte per interface pattern */
	char ifname[IPT_IFSLOTS][IPT_IFNAMSIZ];
	uint8_t ifvalid[IPT_IFSLOTS];
	uint8_t ndyn;			/* dynamic slots named for this packet */
	struct ipt_world *worlds;	/* worlds[0] current, 1..npending pending */
	struct ipt_frame *frames;	/* maxworlds * maxdepth */
	uint32_t maxworlds, maxdepth, npending;
	int conntrack;			/* resolved: 1 or 0 */
	unsigned kver;			/* kernel modelled (IPT_KVER), 0 unknown */
	/* result being built */
	struct ipt_result *res;
	int nfinished;
	uint8_t limit;			/* enum ipt_limit of this packet */
	uint8_t halt;			/* stop now: step bound or stop flag */
	uint64_t steps;
	const volatile sig_atomic_t *stop;	/* NULL or the caller's stop flag */
	struct ipt_seen *seen;		/* states already reached (ipt_seen.c) */
	/* compiled fast path (ipt_compile.c), NULL when off */
	const struct ipt_compiled *comp;
	struct ipt_cstate *cstate;
	uint64_t gen;			/* packet generation: keys the candidate caches */
};

/* States of worlds already reached during one evaluation (ipt_seen.c): a world that
 * reaches an undecided rule in a state another world reached before has the same
 * futures, so it stops there. A state is the call stack (chain, position per frame) and
 * every field of the world that later steps read (stage, hook, interface slots, conntrack
 * state, destination and port, marks); not what only names the deciding rule.
 * ipt_seen_new returns NULL on ENOMEM; ipt_seen_free is NULL-safe. */
struct ipt_seen *ipt_seen_new(void);
void ipt_seen_free(struct ipt_seen *s);
void ipt_seen_reset(struct ipt_seen *s);	/* forget every state: O(1) */
/* 1 when w's state was recorded before; else records it (when there is room) and 0. */
int ipt_seen_check(struct ipt_seen *s, const struct ipt_world *w);

/* Compiled fast path (ipt_compile.c). ipt_cstate_free is NULL-safe. Returns the offset
 * (>= pos) within chain of the next rule that may match in world w, or the chain's rule
 * count when none; only called when ev->comp is set. */
uint32_t ipt_compiled_next(struct ipt_eval *ev, const struct ipt_world *w, uint32_t chain,
			   uint32_t pos);
void ipt_cstate_free(struct ipt_cstate *cs);

/* Decides whether rule r matches pkt in world w: IPT_NO, IPT_YES or IPT_MAYBE. */
int ipt_rule_matches(struct ipt_eval *ev, const struct ipt_world *w, const struct ipt_rule *r);
/* Possible address types (1 << IPT_RTN_*) of addr; ifname limits LOCAL to it (or NULL). */
unsigned ipt_addr_types(const struct ipt_eval *ev, const uint8_t addr[16], const char *ifname);
/* Whether addr is one of the host's addresses: IPT_YES, IPT_NO or IPT_MAYBE; *ifname (if
 * not NULL) gets the interface holding it. */
int ipt_is_host_addr(const struct ipt_eval *ev, const uint8_t addr[16], const char **ifname);
/* Route lookup for addr in the context: IPT_YES with *ifname, IPT_NO (no route), or
 * IPT_MAYBE (routes unknown). */
int ipt_route_lookup(const struct ipt_eval *ev, const uint8_t addr[16], const char **ifname);
/* IPv4 ip_route_input_slow + fib_validate_source for w (ipt_route.c). Returns IPT_YES
 * (passes), IPT_NO with *why, or IPT_MAYBE with *why the check that could not be decided. */
int ipt_route_check(const struct ipt_eval *ev, const struct ipt_world *w, enum ipt_martian *why);
/* The IPv6 counterparts (ipt_route.c): ip6_rcv_core's early drops of a packet received
 * off lo (IPT_MARTIAN_NONE when it passes), and the routing step's multicast delivery. */
enum ipt_martian ipt_v6_rcv_check(const uint8_t *src, const uint8_t *dst);
/* Whether a locally sent packet survives the re-route after mangle OUTPUT (ipt_route.c):
 * IPT_YES, IPT_NO or IPT_MAYBE (the mark may or may not have changed). */
int ipt_route_me_harder(const struct ipt_eval *ev, const struct ipt_world *w);
/* Where the re-route after nat OUTPUT changed a local packet's destination to dst sends it
 * (ipt_route.c): IPT_YES out through lo (a local destination), IPT_NO out of *via (NULL
 * when the routes are not known), IPT_MAYBE not known (or broadcast, multicast). */
int ipt_nat_out_route(const struct ipt_eval *ev, const uint8_t *dst, const char **via);
int ipt_route_check6(const struct ipt_eval *ev, const struct ipt_world *w, enum ipt_martian *why);
/* ipt_eval.c's world bookkeeping, shared with ipt_reroute.c: records w's end (its
 * verdict, for the main world the result), and forks a pending copy of w (NULL when the
 * budget of worlds is spent; both copies' later hits are maybe). */
void ipt_finish(struct ipt_eval *ev, struct ipt_world *w, enum ipt_verdict v,
		enum ipt_decider by, uint32_t rule, uint32_t chain, enum ipt_martian mart);
struct ipt_world *ipt_fork_world(struct ipt_eval *ev, struct ipt_world *w, uint32_t rule);
/* The routing steps (ipt_reroute.c), each returning 1 when w is finished: after nat
 * PREROUTING (INPUT, FORWARD or dropped), ip_forward's drops before FORWARD, and the
 * re-route after nat OUTPUT. */
int ipt_reroute_input(struct ipt_eval *ev, struct ipt_world *w);
/* The outcome v of a kernel check that drops with reason why (ipt_reroute.c): IPT_NO
 * finishes w (returns 1), IPT_MAYBE forks a dropped copy (w's later hits are maybe). */
int ipt_martian_step(struct ipt_eval *ev, struct ipt_world *w, int v, enum ipt_martian why);
int ipt_forward_step(struct ipt_eval *ev, struct ipt_world *w);
int ipt_nat_reroute(struct ipt_eval *ev, struct ipt_world *w);
/* ip_forward / ip6_forward's drops before FORWARD (ipt_route.c): IPT_YES, IPT_NO or
 * IPT_MAYBE with *why; in_if, out_if "" when not known. */
int ipt_forward_check(const struct ipt_packet *p, const char *in_if, const char *out_if,
		      enum ipt_martian *why);
/* ipv4_is_zeronet of the modelled kernel (ipt_route.c): IPT_YES, IPT_NO or IPT_MAYBE
 * (kernel version unknown and a 0/8 address other than 0.0.0.0). */
int ipt_v4_zeronet(const struct ipt_eval *ev, const uint8_t *a);
/* A zeronet source to the limited broadcast or a local multicast group (224.0.0.0/24),
 * which xt_rpfilter and nft's fib exempt from the reverse lookup (rpfilter_mt,
 * nft_fib4_eval: ipv4_is_zeronet(saddr) && (ipv4_is_lbcast(daddr) ||
 * ipv4_is_local_multicast(daddr))): IPT_YES, IPT_NO or IPT_MAYBE (ipt_route.c). */
int ipt_v4_zeronet_exempt(const struct ipt_eval *ev, const uint8_t *src, const uint8_t *dst);
/* Whether the routing step delivers dst locally (a local, broadcast or multicast
 * destination): IPT_YES, IPT_NO or IPT_MAYBE (ipt_route.c). */
int ipt_route_dst_local(const struct ipt_eval *ev, const uint8_t *dst);
/* MARK / CONNMARK target r applied to w (ipt_mark.c); _maybe: for a rule that may or
 * may not match, bits that differ between the outcomes become unknown. */
void ipt_apply_marks(const struct ipt_rule *r, struct ipt_world *w);
void ipt_apply_marks_maybe(const struct ipt_rule *r, struct ipt_world *w);
/* An unmodelled match decided from its options alone (recent --set), else IPT_MAYBE. */
int ipt_unknown_match(const struct ipt_match *m);
/* Interface name of the packet for a slot. */
const char *ipt_slot_name(const struct ipt_eval *ev, int slot);
/* Names slot after interface name: the match of every interface pattern (ipt_match.c). */
void ipt_fill_slot(struct ipt_eval *ev, int slot, const char *name);
/* The dynamic slot (IPT_IFSLOT_DYN..) named name for this packet, named now if new; -1
 * when all are taken. */
int ipt_dyn_slot(struct ipt_eval *ev, const char *name);
/* DNAT, REDIRECT, SNAT/MASQUERADE or NETMAP rule r (id) taken by w (ipt_nat.c): records
 * the rule and rewrites w's destination address and port. */
void ipt_do_nat(struct ipt_eval *ev, struct ipt_world *w, const struct ipt_rule *r, uint32_t id);

/* The printer's string builder (ipt_print.c), used by the tool and ipt_rule_format. */
struct ipt_sb {
	char *buf;
	size_t len, cap;
	int oom;
};
void ipt_sb_add(struct ipt_sb *sb, const char *s);
void ipt_sb_printf(struct ipt_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ipt_sb_quoted(struct ipt_sb *sb, const char *s);	/* as xtables_save_string */
void ipt_rule_print(const struct ipt_ruleset *rs, const struct ipt_rule *r, struct ipt_sb *sb);

#endif
