/* This file declares the one ruleset loader: every caller (`check --ruleset/--against`,
 * the live audit's intended policy and its SIGHUP reload, the live kernel ruleset the
 * privileged reader sends) names where a ruleset comes from in a struct policy_src and
 * gets back a struct policy, the parsed and compiled ruleset of each family, that the
 * evaluator (check.c, audit) takes. A second policy language (nftables) plugs in as
 * another enum policy_lang beside the iptables front end; the sources stay the same. */
#ifndef SPOOFAUDIT_POLICY_H
#define SPOOFAUDIT_POLICY_H

#include <stddef.h>

#include "policy/ipt.h"
#include "policy/nft.h"

/* Where a ruleset comes from. */
enum policy_kind {
	POLICY_FILE = 0,	/* a file: path */
	POLICY_LIVE,		/* the kernel's, read by the privileged reader (rulesrc.c) */
	POLICY_TEXT		/* text already read (e.g. the collector's rulesrc reply) */
};

/* Which language the text is in. */
enum policy_lang {
	POLICY_IPTABLES = 0,	/* iptables-save / ip6tables-save */
	POLICY_NFT		/* nftables: `nft -j list ruleset` JSON or nft's native syntax */
};

/* Which language text is in, by content (policy_load does this for every POLICY_FILE):
 * POLICY_NFT when its first statement (after blank and comment lines) is one of nft's
 * (table, flush, define, include, add...) or it is nft's JSON ('{' ... "nftables"),
 * else POLICY_IPTABLES. *line and *col (1-based, may be NULL) locate that statement;
 * *json (may be NULL) is set to 1 for JSON. */
enum policy_lang policy_sniff(const char *text, size_t len, unsigned *line, unsigned *col,
			      int *json);

struct policy_src {
	enum policy_kind kind;
	enum policy_lang lang;	/* POLICY_TEXT and POLICY_LIVE; a file's is its content's */
	int family;		/* 4 or 6: the slot of struct policy it fills */
	const char *path;	/* POLICY_FILE: the file; otherwise a name for messages (may be NULL) */
	const char *text;	/* POLICY_TEXT: the text, len bytes */
	size_t len;
};

/* An nftables ruleset shared by both family slots (an inet table covers both). */
struct policy_nft {
	struct nft_ruleset *rs;
	char *text;		/* the file's text (native syntax: rule text by line), or NULL */
	size_t len;
	unsigned refs;		/* family slots holding it */
	int listing;		/* text is nft's listing of the live ruleset, not a file: its
				 * lines give rule text, not a place to name */
	int live;		/* the live ruleset of one reply (both family slots share it) */
};

/* A loaded policy: per family ([0] IPv4, [1] IPv6), NULL when not given. Owns both. A
 * slot holds an iptables ruleset (rs, cp) or an nftables one (nft), never both; an
 * nftables file fills both slots (it is the host's whole firewall) unless the other
 * family had a source of its own. */
struct policy {
	struct ipt_ruleset *rs[2];
	struct ipt_compiled *cp[2];
	struct policy_nft *nft[2];
	/* a live ruleset read beside tables it does not hold: a warning for the first lines
	 * of the output ("" when none) */
	char warn[2][512];
	/* a live ruleset: what the kernel runs and was read, per framework ("nftables: inet
	 * guard (2 rules), ip filter (1 rule, iptables-nft)"; "" for files) */
	char origin[2][512];
};

/* Loads the n sources into p, each into its family's slot (replacing what was there),
 * all or nothing: on failure p is unchanged. POLICY_LIVE sources are read through the
 * privileged reader, one request for all of them (the caller must be allowed to run
 * iptables-save: root). Returns 0, or -1 with a message in err: "file:line:col: message"
 * for a parse error (*positioned set to 1 when positioned is not NULL), "name: message"
 * otherwise. */
int policy_load(struct policy *p, const struct policy_src *src, size_t n, int *positioned,
		char *err, size_t errlen);
/* Loads family fam (4 or 6) of a reply of the privileged reader (rulesrc.h) that the
 * caller already has, as a POLICY_LIVE source would (native nftables tables: nftables'
 * whole ruleset; else the iptables text), into that slot of p, with its origin and
 * warning. 0, or -1 with a message in err (p unchanged). */
struct rulesrc_reply;
int policy_load_reply(struct policy *p, int fam, const struct rulesrc_reply *x, char *err,
		      size_t errlen);
/* Moves family slot f (0/1) of from into to, replacing to's; from's slot becomes empty. */
void policy_move(struct policy *to, struct policy *from, int f);
void policy_free(struct policy *p);	/* NULL-safe; leaves *p empty */
/* Whether family slot f holds a ruleset (of either language). */
int policy_has(const struct policy *p, int f);

/* ---- the evaluator interface (policy_eval.c): the iptables and nftables models behind
 * one set of calls. A struct policy_rules is a borrowed view of one family slot. ---- */
struct policy_rules {
	enum policy_lang lang;
	const struct ipt_ruleset *ipt;		/* POLICY_IPTABLES */
	const struct ipt_compiled *cp;		/* POLICY_IPTABLES, may be NULL */
	const struct policy_nft *nft;		/* POLICY_NFT */
};

/* Fills r with slot f of p; -1 when the slot is empty. */
int policy_rules_of(const struct policy *p, int f, struct policy_rules *r);

struct policy_eval;
/* An evaluator of r (ctx may be NULL); r and ctx must outlive it. NULL, errno. */
struct policy_eval *policy_eval_new(const struct policy_rules *r, const struct ipt_context *ctx);
void policy_eval_free(struct policy_eval *ev);
void policy_eval_set_hook(struct policy_eval *ev, ipt_rule_hook fn, void *arg);
/* ipt_eval_set_hook_nat() / nft_eval_set_hook_nat(). */
void policy_eval_set_hook_nat(struct policy_eval *ev, int on);
/* As ipt_eval_packet / nft_eval_packet: res.rule and res.chain are r's ids. */
int policy_eval_packet(struct policy_eval *ev, const struct ipt_packet *pkt,
		       struct ipt_result *res);

uint32_t policy_rule_count(const struct policy_rules *r);
/* Where a rule is, for display and JSON. */
struct policy_rule_loc {
	const char *family;	/* nft: "ip", "ip6", "inet"; iptables: "" */
	const char *table, *chain;
	unsigned num;		/* iptables: position in its chain (1-based); nft: 0 */
	uint64_t handle;	/* nft: the rule's handle; iptables: 0 */
	unsigned line;		/* 0: not known */
	const char *file;	/* iptables: the file; nft: "" (the caller knows it) */
};
int policy_rule_loc(const struct policy_rules *r, uint32_t rule, struct policy_rule_loc *loc);
/* "filter INPUT #3 (line 9)" (iptables) or "inet filter input handle 4 (line 12)" (nft;
 * without "(line N)" from JSON); "?" for a bad id. */
void policy_rule_name(const struct policy_rules *r, uint32_t rule, char *buf, size_t len);
/* "filter INPUT" / "inet filter input"; -1 (buf "?") for a bad id. */
int policy_chain_name(const struct policy_rules *r, uint32_t chain, char *buf, size_t len);
/* The rule as text: iptables' canonical form, nft's source line (native syntax; "" from
 * JSON). Returns the length, as snprintf. */
int policy_rule_text(const struct policy_rules *r, uint32_t rule, char *buf, size_t len);
/* What of rule the evaluator may not decide ("limit", "fib", ...) into buf; -1 none. */
int policy_rule_undecided(const struct policy_rules *r, uint32_t rule, unsigned unknown,
			  char *buf, size_t len);
/* An earlier rule of the same chain that shadows rule, or IPT_NONE (not proven). */
uint32_t policy_rule_shadowed_by(const struct policy_rules *r, uint32_t rule);
/* Whether the model has a shadowing analysis (iptables and nft: yes). */
int policy_has_shadowing(const struct policy_rules *r);

#endif
