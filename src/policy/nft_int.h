/* This file holds the internal model of an nftables ruleset shared by the JSON loader
 * (nft_json.c, nft_expr.c), the native front end (nft_native.c) and the evaluator
 * (nft_eval.c, nft_match.c).
 *
 * Values are kept as nft keeps them in its registers: big-endian bytes of a fixed length
 * per field. Every right-hand side (a value, a prefix, a range, an anonymous or a named
 * set) becomes a set of elements, each a closed interval per field of the key (a concat
 * key has up to NFT_CONCAT_MAX fields, each matched in its own interval as pipapo does).
 * A prefix a/n is the interval [a, a|~mask]; an interface wildcard "eth*" the interval
 * ["eth\0..", "eth\xff.."]. */
#ifndef SPOOFAUDIT_NFT_INT_H
#define SPOOFAUDIT_NFT_INT_H

#include <stdint.h>

#include "policy/nft.h"

#define NFT_CONCAT_MAX 4
#define NFT_FLEN_MAX 16
#define NFT_KEY_MAX (NFT_CONCAT_MAX * NFT_FLEN_MAX)
#define NFT_NONE UINT32_MAX
/* The ingress hook (netdev tables, inet ingress chains): after the iptables hooks. */
#define NFT_HOOK_INGRESS IPT_HOOK_COUNT
#define NFT_HOOK_COUNT (IPT_HOOK_COUNT + 1)

/* Fields a key may read. */
enum nft_field {
	NF_IP_SADDR = 0,
	NF_IP_DADDR,
	NF_IP6_SADDR,
	NF_IP6_DADDR,
	NF_IP_PROTO,	/* ip protocol */
	NF_IP6_NH,	/* ip6 nexthdr */
	NF_L4PROTO,	/* meta l4proto */
	NF_NFPROTO,	/* meta nfproto */
	NF_TCP_SPORT,
	NF_TCP_DPORT,
	NF_UDP_SPORT,
	NF_UDP_DPORT,
	NF_TH_SPORT,	/* th sport: any protocol with ports */
	NF_TH_DPORT,
	NF_TCP_FLAGS,
	NF_ICMP_TYPE,
	NF_ICMP_CODE,
	NF_ICMP6_TYPE,
	NF_ICMP6_CODE,
	NF_IIFNAME,
	NF_OIFNAME,
	NF_IIF,		/* by name (the JSON names the interface) */
	NF_OIF,
	NF_PKTTYPE,
	NF_CT_STATE,	/* bitmask NFT_CTS_* */
	NF_COUNT
};

/* ct state bits (the kernel's NF_CT_STATE_* values). */
#define NFT_CTS_INVALID 0x01
#define NFT_CTS_ESTABLISHED 0x02
#define NFT_CTS_RELATED 0x04
#define NFT_CTS_NEW 0x08
#define NFT_CTS_UNTRACKED 0x40

enum nft_op { NFT_OP_EQ = 0, NFT_OP_NE, NFT_OP_LT, NFT_OP_GT, NFT_OP_LE, NFT_OP_GE, NFT_OP_IN };

struct nft_elem {
	uint8_t lo[NFT_KEY_MAX], hi[NFT_KEY_MAX];
	uint32_t verdict;	/* maps: index into rs->verdicts; else NFT_NONE */
};

struct nft_set {
	char *name;		/* NULL for an anonymous set */
	uint32_t table;
	uint8_t nfields;
	uint8_t flen[NFT_CONCAT_MAX];	/* byte length of each field */
	uint8_t unknown;	/* a type or element not modelled: every lookup is unknown */
	uint8_t is_map;
	uint32_t first, n;	/* rs->elems[first .. first+n) */
};

enum nft_vkind {
	NFT_V_ACCEPT = 0,
	NFT_V_DROP,
	NFT_V_REJECT,
	NFT_V_CONTINUE,
	NFT_V_RETURN,
	NFT_V_JUMP,
	NFT_V_GOTO,
	NFT_V_QUEUE	/* unmodelled: may accept or drop */
};

struct nft_verdict {
	uint8_t kind;
	uint32_t chain;	/* jump/goto target */
};

enum nft_skind {
	NFT_S_MATCH = 0,
	NFT_S_UNKNOWN_MATCH,	/* limit, quota, meter, fib, unknown keys: may or may not hold */
	NFT_S_NOP,		/* counter, log, and mangles with no modelled effect */
	NFT_S_VERDICT,
	NFT_S_VMAP,
	NFT_S_DNAT,
	NFT_S_SNAT,		/* snat, masquerade */
	NFT_S_REDIRECT,
	NFT_S_NOTRACK,
	NFT_S_FIB		/* fib: a match decided by routing (nft_fib.c) */
};

/* fib flags (fib_flags) and results (fib_result). */
#define NFT_FIB_F_SADDR 0x01
#define NFT_FIB_F_DADDR 0x02
#define NFT_FIB_F_MARK 0x04
#define NFT_FIB_F_IIF 0x08
#define NFT_FIB_F_OIF 0x10
#define NFT_FIB_R_OIF 1		/* oif/oifname compared with exists (true) / missing (false) */
#define NFT_FIB_R_TYPE 2	/* type in a set of RTN_* (fib_want: 1 << RTN_x) */

struct nft_stmt {
	uint8_t kind;		/* enum nft_skind */
	uint8_t op;		/* enum nft_op */
	uint8_t nkeys;
	uint8_t key[NFT_CONCAT_MAX];	/* enum nft_field */
	uint8_t has_mask;	/* key & mask (one key only) */
	uint8_t mask[NFT_FLEN_MAX];
	uint8_t has_addr, has_port;	/* nat: 1 given, 2 from a map or expression */
	uint8_t nat_fam;	/* nat: 4 `dnat ip`, 6 `dnat ip6`, 0 either */
	uint8_t fib_flags, fib_result;	/* fib: NFT_FIB_F_*, NFT_FIB_R_* */
	uint16_t fib_want;	/* fib oif: 1 exists, 0 missing; type: the RTN_* bits */
	uint16_t port;
	uint8_t addr[16];
	uint32_t set;		/* match/vmap: rs->sets index */
	uint32_t verdict;	/* verdict: rs->verdicts index */
};

struct nft_table {
	char *name;
	char family[8];
	uint8_t fam;		/* 4, 6, 46 (inet; netdev: its ingress chains see both), 0 other
				 * (not evaluated) */
};

struct nft_chain {
	char *name;
	uint32_t table;
	int8_t hook;		/* enum ipt_hook, NFT_HOOK_INGRESS, or -1 */
	uint8_t type;		/* 0 filter, 1 nat, 2 route, 3 none (regular) */
	uint8_t policy;		/* IPT_V_ACCEPT / IPT_V_DROP */
	int32_t prio;
	uint64_t handle;
	uint32_t first, n;
	char *devs;		/* ingress: its devices, each ending in '\n' ("" none) */
};

struct nft_rule {
	uint32_t chain;
	uint64_t handle;
	uint32_t line;
	uint32_t first, n;	/* rs->stmts */
	uint32_t hitpos;
	uint8_t tail_nop;	/* every statement from hitpos on is a counter, log or comment:
				 * the packet goes on the same way whether the rule matched */
	uint8_t has_counter;
	/* dependencies nft adds and the JSON listing hides: `reject with icmp type` needs an
	 * IPv4 packet (meta nfproto), icmpv6 IPv6, `reject with tcp reset` TCP */
	uint8_t need_fam, need_proto;
	uint64_t packets, bytes;
	int32_t log_group;
	char *log_prefix;	/* of its first `log' with a prefix, or NULL */
	uint64_t key, mkey;	/* nft_key.c: the whole rule's, its match statements' */
	uint16_t unknown;
	const char *unknown_what;	/* static string */
};

struct nft_ruleset {
	struct nft_table *tables;
	uint32_t ntables;
	struct nft_chain *chains;
	uint32_t nchains;
	struct nft_rule *rules;
	uint32_t nrules;
	struct nft_stmt *stmts;
	uint32_t nstmts, cap_stmts;
	struct nft_set *sets;
	uint32_t nsets, cap_sets;
	struct nft_elem *elems;
	uint32_t nelems, cap_elems;
	struct nft_verdict *verdicts;
	uint32_t nverdicts, cap_verdicts;
	/* families whose conntrack is registered (bit 0 IPv4, bit 1 IPv6): a ct expression
	 * registers its table's families, a nat statement its own (nft_nat_init); without
	 * it nat chains are not run (nf_nat_inet_fn needs an entry) and nothing is defragmented */
	uint8_t ct_fam;
};

/* Byte length of a field's value. */
int nft_field_len(int f);
/* ct_fam bits of a family (4, 6, 46 inet). */
static inline uint8_t nft_fam_bits(int fam)
{
	return (uint8_t)(fam == 4 ? 1 : fam == 6 ? 2 : fam == 46 ? 3 : 0);
}
/* Grows an array (nft_json.c); -1 on ENOMEM or past limit elements. */
int nft_grow(void **arr, uint32_t *cap, uint32_t n, size_t sz, uint32_t limit);

/* Expression loader (nft_expr.c). Parses the statements of one rule (a JSON array) into
 * rs->stmts; fills r->first, n, hitpos, unknown, log_group, counters. Returns 0 or -1 with
 * msg filled. chain_of resolves a jump target in table t (NFT_NONE when absent). */
struct json_t;
struct nft_lctx {
	struct nft_ruleset *rs;
	uint32_t table;
	char *msg;
	size_t msglen;
	uint32_t (*chain_of)(const struct nft_ruleset *rs, uint32_t table, const char *name);
	int merge;	/* NFT_MERGE_*: how the nft that loaded the rules joined `!=` matches */
};
int nft_rule_load(struct nft_lctx *c, struct json_t *expr, struct nft_rule *r);

/* nft's payload merge (nft_merge.c). NFT_MERGE_NE: nftables before 1.1.0 joins adjacent
 * `!=` payload matches into one compare; NONE: it does not; UNSURE: version unknown. */
enum { NFT_MERGE_NONE = 0, NFT_MERGE_NE, NFT_MERGE_UNSURE };
/* The mode for a metainfo "version" string (NULL: none). */
int nft_merge_mode(const char *version);
/* The statements of one rule as the kernel runs them: each merged `!=` group as one
 * match on a concatenation (or an unknown match). A new reference; NULL on ENOMEM. */
struct json_t *nft_merge_rewrite(struct json_t *stmts, int mode);
/* Payload fields (nft_payload.c): where a (protocol, field) lies, and the model's field. */
struct nft_hfield {
	const char *proto, *field;
	int f;			/* enum nft_field, or -1 when the model does not read it */
	uint8_t base;		/* 0 link, 1 network, 2 transport header */
	uint16_t off, len;	/* bits */
};
/* The field (protocol, field) names; NULL when nft has none of that name here. */
const struct nft_hfield *nft_hfield_find(const char *proto, const char *field);
/* The location of a JSON "payload" object, named or raw (@base,offset,len): 1, or 0 when
 * it has none we know. */
int nft_payload_loc(struct json_t *payload, uint8_t *base, uint32_t *off, uint32_t *len);
/* The statements of one rule with each raw load that covers fields the model reads
 * (@th,0,32 is th sport . th dport) named as those fields, its value split to match. A
 * new reference; NULL on ENOMEM. */
struct json_t *nft_raw_rewrite(struct json_t *stmts);
/* A named set (a JSON "set" or "map" object) into rs->sets; 0 or -1 with msg. */
int nft_set_load(struct nft_lctx *c, struct json_t *obj, int is_map);
/* Parses one value of field f from JSON into out (flen bytes); hi gets the top of a
 * prefix/range/wildcard (== out for a plain value). 0, or -1 (not modelled). */
int nft_value_parse(struct json_t *v, int f, uint8_t *lo, uint8_t *hi);
/* A reversed "range" (nft's listing of `>= a <= b` or `< a > b` with a > b) compared with
 * == (ne 0) or != (ne 1): 1 with the values it selects, lo .. hi, or *none when it selects
 * nothing; 0 when v is not one. */
int nft_value_reversed(struct json_t *v, int f, int ne, uint8_t *lo, uint8_t *hi, int *none);
/* Appends dev and a '\n' to the ingress device list *devs (NULL: empty). 0, or -1 (ENOMEM;
 * *devs unchanged). */
int nft_devs_add(char **devs, const char *dev);
/* Whether name is one of devs (a list nft_devs_add() built; NULL: empty). */
int nft_devs_has(const char *devs, const char *name);

/* Rule keys (nft_key.c): the named sets of a document (its "nftables" array), then each
 * rule object's key, match key and log prefix into r. -1: ENOMEM. */
struct nft_keys;
struct nft_keys *nft_keys_new(struct json_t *arr);
void nft_keys_free(struct nft_keys *k);
int nft_rule_keys(const struct nft_keys *k, struct json_t *rule, struct nft_rule *r);


/* ---- evaluator internals (nft_eval.c walks, nft_match.c decides statements) ---- */

struct nft_frame {
	uint32_t chain, pos;
};

/* One possible world of an evaluation, as struct ipt_world is for iptables. */
struct nft_world {
	uint8_t stage;		/* next stage of the path when depth == 0 and the hook is done */
	int8_t hook;		/* hook being traversed, -1 between hooks */
	uint8_t path;
	uint8_t ctstate;	/* enum ipt_ctstate */
	uint8_t dead, main, maybe;
	uint8_t nat_done;	/* bit 0: destination manip done, bit 1: source */
	uint8_t nat_local;	/* nat output re-route forked: 1 through lo, 2 not; 0 not */
	uint8_t notracked;	/* a notrack before conntrack set the untracked template */
	uint8_t replay;		/* in a nat chain walked again for a later packet (nat_replay):
				 * ctstate is NEW there, and hits are not reported */
	char oif[IPT_IFNAMSIZ];	/* output interface a DNAT's re-route chose ("": the packet's) */
	uint8_t dport_unk, dst_unk;
	uint16_t dport;
	uint8_t dst[16];
	uint32_t hci;		/* next base chain of the hook (index into the hook's list) */
	uint32_t base_chain;
	uint32_t resume, resume_rule;	/* continue rule resume_rule at statement resume */
	uint32_t dnat_rule, snat_rule, uncertain, acc_rule, acc_chain;
	uint32_t depth;
	struct nft_frame *stack;
};

struct nft_eval {
	const struct nft_ruleset *rs;
	const struct ipt_context *ctx;
	ipt_rule_hook hook;
	void *hook_arg;
	int hook_nat;		/* add IPT_HIT_NAT to the hits in nat chains */
	unsigned kver;
	const struct ipt_packet *pkt;
	/* base chains per [family 0 = IPv4, 1 = IPv6][hook], sorted by priority */
	uint32_t *hc[2][NFT_HOOK_COUNT];
	uint32_t nhc[2][NFT_HOOK_COUNT];
	struct nft_world *worlds;
	struct nft_frame *frames;
	uint32_t maxworlds, maxdepth, npending;
	struct ipt_result *res;
	uint8_t limit, halt;
	uint64_t steps;
	/* compiled fast path (nft_compile.c), NULL when off; its per-evaluator cache */
	struct nft_compiled *comp;
	struct nft_cstate *cst;
	uint64_t examined;	/* rules the walk visited (not skipped), all packets (tests) */
};

/* Whether w's chain runs before conntrack attaches an entry: priority below -200 at
 * prerouting (not over lo, where the entry made on output is kept) and output: IPT_YES,
 * IPT_NO, or IPT_MAYBE at -200 itself (the order of equal priorities is registration's). */
int nft_before_conntrack(const struct nft_eval *ev, const struct nft_world *w);
/* Decides statement s (a match) for w: IPT_NO, IPT_YES or IPT_MAYBE (nft_match.c). */
int nft_match(const struct nft_eval *ev, const struct nft_world *w, const struct nft_stmt *s);
/* The element of set s the key of vmap statement st finds: IPT_YES with *el, IPT_NO, or
 * IPT_MAYBE (key unknown): then the caller tries every element with nft_elem_may. */
int nft_key(const struct nft_eval *ev, const struct nft_world *w, const struct nft_stmt *s,
	    uint8_t *key);
int nft_elem_has(const struct nft_ruleset *rs, const struct nft_set *set,
		 const struct nft_elem *el, const uint8_t *key);

/* ---- compiled fast path (nft_compile.c) ---- */

#define NFT_CKEYS 4	/* index keys per chain at most */
#define NFT_CMIN_RULES 8	/* chains with fewer rules are walked plainly */

struct nft_compiled;
struct nft_cstate;
/* Indexes the chains of at least min_rules rules. NULL (errno ENOMEM) on failure. rs
 * must outlive the result. */
struct nft_compiled *nft_compile(const struct nft_ruleset *rs, uint32_t min_rules);
/* nft_eval_set_compiled() with chains of min_rules rules or more indexed (tests index
 * every chain with 1); 0 turns the fast path off. 0, or -1 errno ENOMEM. */
int nft_eval_compile_min(struct nft_eval *ev, uint32_t min_rules);
void nft_compiled_free(struct nft_compiled *cp);	/* NULL-safe */
/* The per-evaluator cache of candidate sets. */
struct nft_cstate *nft_cstate_new(const struct nft_compiled *cp);
void nft_cstate_free(struct nft_cstate *st);	/* NULL-safe */
/* The first rule position >= pos of chain that can match for w (c->n when none): every
 * rule before it has a guard that nft_match() finds false for w. ev->comp must be set. */
uint32_t nft_compiled_next(const struct nft_eval *ev, const struct nft_world *w, uint32_t chain,
			   uint32_t pos);

#endif
