/* This file declares the nftables policy library: a ruleset model loaded from
 * `nft -j list ruleset` JSON (jansson) or from nft's native syntax (through libnftables in
 * a private network namespace), and an evaluator that walks one packet through the
 * kernel's hooks the way netfilter would, three-valued like the iptables one (ipt.h): it
 * takes the same struct ipt_packet, struct ipt_context and struct ipt_result, and reuses
 * the iptables model's kernel path (routing step and martians of ipt_route.c, conntrack
 * states of ipt_ct.c).
 *
 *   struct nft_error err;
 *   struct nft_ruleset *rs = nft_load_file("ruleset.json", &err);   // JSON or native
 *   struct nft_eval *ev = nft_eval_new(rs, &ctx);
 *   ipt_packet_init(&pkt, 4, IPT_PATH_INCOMING); ...
 *   nft_eval_packet(ev, &pkt, &res);      // res.rule/res.chain are nft rule/chain ids
 *   nft_rule_get(rs, res.rule, &ri);      // table, chain, handle, line
 *
 * Rules are numbered by dense ids grouped by chain (a chain's rules are consecutive, in
 * the order the JSON lists them, which is the kernel's order). In a struct ipt_result
 * from nft_eval_packet, rule and chain are nft ids, table is 0 (use nft_chain_get).
 *
 * Error contract: nothing here prints. NULL/-1 on failure with errno set; load errors
 * fill struct nft_error ("%s:%u: %s" when line is not 0, else "%s: %s").
 */
#ifndef SPOOFAUDIT_NFT_H
#define SPOOFAUDIT_NFT_H

#include <stddef.h>
#include <stdint.h>

#include "policy/ipt.h"

#define NFT_MSG_MAX 256

struct nft_error {
	char file[256];
	unsigned line;		/* 0 when not known */
	char msg[NFT_MSG_MAX];
};

struct nft_ruleset;

/* Bounds of what a load accepts (longer inputs are refused with an error). */
#define NFT_MAX_INPUT (64u << 20)	/* bytes of JSON */
#define NFT_MAX_RULES 1000000u
#define NFT_MAX_CHAINS 100000u
#define NFT_MAX_ELEMS 4000000u		/* set elements, all sets together */
#define NFT_MAX_STMTS 64u		/* statements of one rule */

/* Loads `nft -j list ruleset` JSON from buf (len bytes). file names it in errors. */
struct nft_ruleset *nft_load_json(const char *buf, size_t len, const char *file,
				  struct nft_error *err);
/* Native nft syntax: with root privileges, the file is loaded by libnftables inside a
 * private network namespace (a forked child, so the host's ruleset is never touched;
 * include, define and flush ruleset work as nft does them) and listed back as JSON.
 * Without them: NULL, errno EPERM, a message saying how to produce the JSON. */
struct nft_ruleset *nft_load_native(const char *path, struct nft_error *err);
/* Reads path and decides by content: JSON (first non-blank byte '{') or native. */
struct nft_ruleset *nft_load_file(const char *path, struct nft_error *err);
void nft_ruleset_free(struct nft_ruleset *rs);

/* Whether buf looks like nft native syntax or nft JSON (for a caller's sniffing). */
int nft_looks_json(const char *buf, size_t len);

struct nft_chain_info {
	const char *table;
	const char *family;	/* "ip", "ip6", "inet", ... */
	const char *name;
	int hook;		/* enum ipt_hook of a base chain, NFT_HOOK_INGRESS (nft_int.h) for
				 * ingress, -1 for a regular chain or a hook not modelled (egress) */
	int prio;
	const char *type;	/* "filter", "nat", "route"; "" for a regular chain */
	enum ipt_verdict policy;	/* base chains: ACCEPT or DROP */
	uint64_t handle;
	uint32_t first_rule, nrules;
};

struct nft_rule_info {
	uint32_t chain;
	const char *table, *family, *chain_name;
	uint64_t handle;
	unsigned line;		/* 0: not known (JSON carries none): name it by handle */
	int has_counter;
	uint64_t packets, bytes;	/* of its first counter statement */
	int log_group;		/* `log group N`, -1 when none */
	unsigned unknown;	/* statements the evaluator cannot decide */
	const char *unknown_what;	/* the first of them ("limit", "fib"...), "" when none */
	unsigned hitpos;	/* statements before the first action (where `counter` counts hits) */
};

uint32_t nft_rule_count(const struct nft_ruleset *rs);
uint32_t nft_chain_count(const struct nft_ruleset *rs);
int nft_chain_get(const struct nft_ruleset *rs, uint32_t chain, struct nft_chain_info *info);
int nft_rule_get(const struct nft_ruleset *rs, uint32_t rule, struct nft_rule_info *info);

/* Gives the rules of rs loaded from native text their lines (nft_lines.c): a file, or nft's
 * own listing of a loaded ruleset; returns how many got one. */
int nft_map_lines(struct nft_ruleset *rs, const char *text, size_t len);

/* A rule's key: equal for the same rule listed twice by the same nft (counters and
 * handles aside; a named set it looks up counts with its elements). */
uint64_t nft_rule_key(const struct nft_ruleset *rs, uint32_t rule);
/* 1 when a rule logs to NFLOG with prefix and drops or rejects those packets (by itself,
 * by the next rule with the same matches, or as the last rule of a base chain whose
 * policy is drop), with why; else 0. */
int nft_log_prefix_drops(const struct nft_ruleset *rs, const char *prefix, char *why,
			 size_t len);

/* An earlier rule of rule's chain that takes every packet rule matches (shadowing): it
 * ends the chain (accept, drop, reject, return, goto), each of its matches is implied by
 * one of rule's, and the rules between change nothing rule reads. Conservative: IPT_NONE
 * when that is not proven (nft_shadow.c says what is compared). */
uint32_t nft_rule_shadowed_by(const struct nft_ruleset *rs, uint32_t rule);

struct nft_eval;

/* ctx may be NULL (everything host-specific unknown). rs and ctx must outlive ev. */
struct nft_eval *nft_eval_new(const struct nft_ruleset *rs, const struct ipt_context *ctx);
void nft_eval_free(struct nft_eval *ev);
/* Per-rule hook, as ipt_eval_set_hook: called with 1 (definite) or 2 (maybe) for every
 * rule whose matches (the statements before its first action) held. */
void nft_eval_set_hook(struct nft_eval *ev, ipt_rule_hook fn, void *arg);
void nft_eval_set_hook_nat(struct nft_eval *ev, int on);	/* as ipt_eval_set_hook_nat */
void nft_eval_set_kernel(struct nft_eval *ev, unsigned kver);
/* The compiled fast path (on by default): an index per chain of the rules that can match
 * a packet's address, port, protocol or interface, so that the walk skips rules whose
 * match is certainly false. Verdicts, hook calls and steps are those of the plain walk
 * (on = 0), which stays for tests. 0, or -1 errno ENOMEM (the evaluator is then plain). */
int nft_eval_set_compiled(struct nft_eval *ev, int on);
/* Evaluates one packet (IPv4 or IPv6: tables of family ip see IPv4, ip6 IPv6, inet
 * both). 0, or -1 errno EINVAL for a bad packet. Bounds as IPT_EVAL_MAX_STEPS/WORLDS. */
int nft_eval_packet(struct nft_eval *ev, const struct ipt_packet *pkt, struct ipt_result *res);

#endif
