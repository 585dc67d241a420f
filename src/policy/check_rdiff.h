/* This file declares `check --against`'s diff of rules (not only of verdicts): the rules
 * added, removed and changed between the current ruleset and the proposed one, and the
 * built-in chain policies changed, each with the real traffic it decided on its side; and,
 * for a rule or policy of the current ruleset that stopped spoofed traffic and is gone,
 * what stops that traffic under the proposed ruleset (another rule, the kernel's martian
 * check, a policy, or nothing). Rules are matched by audit_rules_diff(). */
#ifndef SPOOFAUDIT_CHECK_RDIFF_H
#define SPOOFAUDIT_CHECK_RDIFF_H

#include <stddef.h>
#include <stdint.h>

#include "policy/audit.h"
#include "policy/check.h"

#define CHECK_RNOW_MAX 4

/* One outcome, under the proposed ruleset, of the spoofed flows a gone rule stopped. */
struct check_rnow {
	struct check_res res;
	uint64_t flows, packets;
	size_t ex;		/* an example flow */
};

struct check_rchange {
	int fam;			/* 0 IPv4, 1 IPv6 */
	enum audit_rdiff_op op;		/* ADDED: proposed only; REMOVED: current only */
	char table[16], chain[32];
	uint32_t rule_cur, rule_new;	/* IPT_NONE when absent (and for a policy) */
	uint32_t chain_cur, chain_new;	/* a policy change: the chain ids */
	char *text_cur, *text_new;	/* rule texts, NULL when absent */
	enum ipt_verdict pol_cur, pol_new;
	/* the rule's (or the policy's) real traffic on each side: definite, and maybe */
	uint64_t cur_packets, cur_flows, cur_maybe;
	uint64_t new_packets, new_flows, new_maybe;
	/* spoofed traffic the current rule or policy drops or rejects in the ruleset alone
	 * (martian checks off: what the ruleset itself defends against; of it, what the
	 * kernel's martian check drops today under the current ruleset), and what decides it
	 * now (the CHECK_RNOW_MAX largest outcomes; the rest in other_*) */
	uint64_t spoof_flows, spoof_packets, spoof_kernel_packets;
	struct check_rnow now[CHECK_RNOW_MAX];
	unsigned nnow;
	uint64_t other_flows, other_packets;
};

struct check_rchanges {
	struct check_rchange *v;
	size_t n, cap;
	int no_rules[2];	/* per family: one side is iptables and the other nftables, whose
				 * rules are not paired (only the per-flow verdict diff tells
				 * what changes) */
};

/* Diffs cur (--against) and nw (the proposed), both evaluated with hit counts over fs;
 * cur_alone: cur's results with the martian checks off (check_evaluate_alone). Families
 * where either side has no ruleset are skipped; so are those where one side is iptables
 * and the other nftables (no_rules set). Returns 0, or -1 (ENOMEM). */
int check_rdiff(struct check_rchanges *out, const struct check_side *cur,
		const struct check_res *cur_alone, const struct check_side *nw,
		const struct check_flows *fs);
void check_rchanges_free(struct check_rchanges *c);

#endif
