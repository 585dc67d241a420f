/* This file declares what cmd_check.c and cmd_check_vio.c share. */
#ifndef SPOOFAUDIT_CMD_CHECK_H
#define SPOOFAUDIT_CMD_CHECK_H

#include <stdint.h>

#include <jansson.h>

#include "classify/hostinfo.h"
#include "policy/check.h"
#include "policy/check_rdiff.h"
#include "policy/policy.h"

#define EXIT_FINDINGS 3

/* Findings --fail-on can name. */
enum { F_HOLES = 1, F_BREAKAGE = 2, F_UNKNOWN = 4, F_DEAD = 8, F_CHANGES = 16, F_VIOLATIONS = 32 };

struct opts {
	const char *ruleset, *ruleset6, *db, *against, *against6;
	int64_t since, until;
	int json;
	unsigned fail_on;
	int route_localnet, accept_local, rp_filter, ip_forward, ip6_forward;
	unsigned top;		/* rule hit lines printed (0 = all) */
	int violations;		/* --violations: list what collect --policy found */
};

struct run {
	struct opts o;
	struct hostctx hc;	/* as the database recorded it */
	struct check_host host;
	struct check_flows fs;
	struct policy pn, po;	/* the proposed rulesets, --against's */
	struct check_side ns, old;
	struct check_res *alone;
	struct check_res *old_alone;	/* --against's, martian checks off */
	/* per family, per rule of the proposed ruleset: what it would take of the flows the
	 * kernel's martian check drops first (alone), and the last such check's kind */
	uint64_t *would_packets[2], *would_flows[2];
	uint8_t *would_martian[2];
	struct check_groups g;
	struct check_rchanges rd;	/* --against: the rules added, removed, changed */
	uint64_t packets;
	uint64_t fam_flows[2], fam_packets[2];	/* [0] IPv4, [1] IPv6 */
	uint64_t placed_flows, placed_packets;	/* flows whose collector placed each packet
						 * before or after its answer (pre_reply) */
	int shared;		/* one nftables ruleset serves both families: its rules' counts
				 * are summed in [0] and reported once */
	unsigned found;		/* F_* present */
	uint32_t ndead[2];
};

/* Prints one piece of text output (printf format) with the control characters of its
 * arguments escaped; the format's newlines pass. */
void cmd_check_tout(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A JSON string of untrusted text, invalid UTF-8 repaired. NULL on allocation failure. */
json_t *cmd_check_jtext(const char *s);
/* check_flows_derive() on R's flows; the rows it drops as forwarded copies
 * (R->fs.copies) leave R's totals, which were counted as the rows were read. 0 or -1. */
int cmd_check_derive(struct run *R);

/* Reads the recorded host context and the flows of the period into R. Prints errors. */
int cmd_check_read_db(struct run *R);
/* Text output of a run. */
void cmd_check_print_text(const struct run *R);
/* JSON output of a run. Returns 0, or -1 when the document could not be built or written
 * (it is then not written, or incomplete). */
int cmd_check_print_json(const struct run *R, int exit_code);
/* The sysctl whose setting makes the kernel's martian check m drop, or NULL. */
const char *cmd_check_martian_sysctl(unsigned m);
/* An outcome as JSON ({verdict, by, rule|policy, ...}); *bad set on allocation failure. */
json_t *cmd_check_res_json(const struct policy_rules *rs, const struct check_res *r, int *bad);
/* Where a rule is, as JSON: iptables {table, chain, num, line}; nftables {family, table,
 * chain, handle, line (0: not known)}. NULL for a bad id. */
json_t *cmd_check_rule_json(const struct policy_rules *rs, uint32_t rule);
/* The rule diff of --against (cmd_check_rdiff.c): text, and a JSON array. */
void cmd_check_rdiff_text(const struct run *R);
json_t *cmd_check_rdiff_json(const struct run *R, int *bad);
/* A spoof group some of whose flows the ruleset accepts. */
int cmd_check_group_is_hole(const struct check_group *x);

/* --violations: the live audit's stored violations of [since, until) (seconds; until 0:
 * no end) in db, as text or JSON. fail: exit 3 when there is one. Returns the exit
 * status; prints its errors. */
int cmd_check_violations(const char *db, int json, int64_t since, int64_t until, int fail);

#endif
