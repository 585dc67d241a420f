/* This file declares the live policy audit of `collect --policy`: every new flow is
 * evaluated, as it appears, against the intended iptables policy (with check.c's
 * derivation and the same evaluator as `check`), and against the live kernel ruleset when
 * that differs; replies, NFLOG drop rules and missing replies are matched against the
 * intended verdicts; violations are emitted as rate-limited lines (alert.c) and stored in
 * the `violations` table with their evidence packets. */
#ifndef SPOOFAUDIT_AUDIT_H
#define SPOOFAUDIT_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/alert.h"
#include "collect/collector.h"
#include "classify/hostinfo.h"
#include "policy/ipt.h"
#include "policy/policy.h"
#include "store/store.h"

/* Violation kinds (stable names, stored in violations.kind). */
enum audit_kind {
	AK_SPOOF_ACCEPTED = 0,	/* a spoofed flow the intended policy accepts */
	AK_LOOPBACK_BLOCKED,	/* a loopback flow the intended policy drops or rejects */
	AK_LIVE_REPLY,		/* a reply left the host for a flow the intended policy drops */
	AK_LIVE_NFLOG_DROP,	/* an NFLOG drop/reject prefix logged a flow the intended accepts */
	AK_LIVE_NO_REPLY,	/* (weak) repeated attempts at a service that answers on lo, unanswered */
	AK_LIVE_DIFFERS,	/* a real flow whose live verdict differs from the intended one */
	AK_RULESET_DIFFERS,	/* a rule or policy of the live ruleset differs from the intended */
	AK_COUNT
};
extern const char *const audit_kind_names[AK_COUNT];

struct audit_opts {
	const char *policy[2];		/* intended iptables-save / ip6tables-save files, or NULL */
	enum alert_mode alert;
	unsigned repeat_s;		/* a violation's line repeats at most this often (60) */
	unsigned lines_per_s;		/* line budget over all violations (10/s, burst 10x) */
	unsigned noreply_attempts;	/* packets of an unanswered flow that make it "repeated" (3) */
	unsigned noreply_wait_s;	/* how long a reply may take (5) */
	unsigned window_s;		/* recorded flows checked when the live ruleset differs (3600) */
	size_t window_max_flows;	/* at most this many of them (200000) */
};
void audit_opts_default(struct audit_opts *o);

struct audit;

/* Creates the audit over collector c (installs its hooks) writing violations of run_id
 * into st; loads the intended policy. Returns NULL with a message in err (a policy file
 * that does not parse: "file:line:col: message"). */
struct audit *audit_new(const struct audit_opts *o, struct collector *c, struct store *st,
			int64_t run_id, char *err, size_t errlen);
void audit_free(struct audit *a);	/* NULL-safe; removes the hooks */

/* Re-reads the kernel context (host addresses, martian sysctls) when it changed. */
void audit_refresh_host(struct audit *a);

/* Re-reads the intended policy (SIGHUP): on success emits what changed (rules added,
 * removed, changed) and re-compares with the live ruleset; on a parse error keeps the
 * old policy. Returns 0, or -1 with a message in err. */
int audit_reload(struct audit *a, char *err, size_t errlen);

/* The live ruleset of family fam (4 or 6), a reply of the privileged reader: native
 * nftables (with any iptables-nft tables) when the reply names native tables for fam,
 * else the iptables text (policy_load_reply). When it changed (counters aside), compares
 * with the intended policy: emits ruleset_differs per rule (same language; across
 * languages only verdicts are compared) and live_differs per group of recorded flows
 * whose verdict the difference changes. A reply that cannot be read is an info line. */
struct rulesrc_reply;
void audit_set_live(struct audit *a, int fam, const struct rulesrc_reply *x);

/* Periodic work: summaries of rate-limited repeats, unanswered attempts. Cheap; call often. */
void audit_tick(struct audit *a, uint64_t now_usec);

/* Counters for the status line, the summary and the bench. */
struct audit_stats {
	uint64_t flows_evaluated;	/* new flows evaluated against the intended policy */
	uint64_t live_evaluated;	/* ... and against the live ruleset */
	uint64_t eval_nsec;		/* time spent evaluating (monotonic) */
	uint64_t violations;		/* occurrences */
	uint64_t lines, lines_suppressed;
	uint64_t kind[AK_COUNT];
};
void audit_get_stats(const struct audit *a, struct audit_stats *s);
void audit_summary(const struct audit *a, FILE *f);

/* ---- ruleset comparisons (audit_rules.c) ---- */

/* Hash of iptables-save text for change detection: comment lines and counters ignored. */
uint64_t audit_rules_hash(const char *text, size_t len);
/* Hash of `nft -j list ruleset' JSON for change detection: the numbers of "packets",
 * "bytes" and "expires" (what changes while the same ruleset runs) ignored. */
uint64_t audit_nft_json_hash(const char *text, size_t len);
/* A rule's canonical "-A CHAIN ..." text without counters (malloc'd), or NULL. */
char *audit_rule_text(const struct ipt_ruleset *rs, uint32_t rule);
/* What two rules are compared by: the text with each module's and the target's options
 * sorted and rate units spelled one way (malloc'd), or NULL. */
char *audit_rule_key(const char *text);

enum audit_rdiff_op {
	AUDIT_RD_ADDED = 1,	/* in the live ruleset only */
	AUDIT_RD_REMOVED,	/* in the intended policy only (missing from live) */
	AUDIT_RD_CHANGED,	/* at this place the two differ */
	AUDIT_RD_POLICY		/* a built-in chain's policy differs */
};
struct audit_rdiff {
	enum audit_rdiff_op op;
	const char *table, *chain;
	uint32_t rule_i, rule_l;		/* rule ids, IPT_NONE when absent */
	const char *text_i, *text_l;
	enum ipt_verdict intended_policy, live_policy;
	unsigned line_i;
};
typedef void (*audit_rdiff_fn)(void *arg, const struct audit_rdiff *d);
/* Calls fn for every difference of family fam (0 IPv4, 1 IPv6), chain by chain (rules
 * matched by longest common subsequence of their canonical text, or for nftables of
 * nft_rule_key(); unmatched ones at the same place are "changed"). Both sides must be of
 * one language (iptables or nftables; an nftables chain is compared when its table sees
 * fam). mi/ml (policy_rule_count bytes each) get 1 for each rule the other side also
 * has. Returns 0, or -1: ENOMEM, or EXDEV for two languages (nothing paired). */
int audit_rules_diff(const struct policy_rules *intended, const struct policy_rules *live,
		     int fam, uint8_t *mi, uint8_t *ml, audit_rdiff_fn fn, void *arg);
/* The id of chain `name' of `table' ("filter"; nftables "inet filter") in r as
 * audit_rules_diff names it, or IPT_NONE. */
uint32_t audit_chain_named(const struct policy_rules *r, int fam, const char *table,
			   const char *name);
/* Whether NFLOG prefix `prefix` names a drop or reject rule: by convention (the prefix
 * begins with "drop" or "reject", any case), or in live ruleset rs (NULL: none; nftables:
 * nft_log_prefix_drops) an NFLOG rule with this
 * prefix is followed in its chain by a DROP or REJECT rule with the same matches, or is the
 * last rule of a built-in chain whose policy is DROP. 1 (why says which), or 0. */
int audit_prefix_drops(const struct policy_rules *rs, const char *prefix, char *why, size_t len);

#endif
