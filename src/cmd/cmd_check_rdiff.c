/* This file writes `check --against`'s diff of rules (policy/check_rdiff.c): per family,
 * each rule added, removed or changed and each built-in chain policy changed, with the
 * real traffic it decided on its side, and, where a gone rule or policy stopped spoofed
 * traffic, what stops that traffic now (another rule or policy, the kernel's martian
 * check and the sysctl it rests on, or nothing: a hole). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd_check.h"
#include "common/plural.h"

static const char *const op_names[] = { "", "added", "removed", "changed", "policy" };

static unsigned rule_line(const struct policy_rules *rs, uint32_t rule)
{
	struct policy_rule_loc l;

	return policy_rule_loc(rs, rule, &l) == 0 ? l.line : 0;
}

/* What the outcome means for the spoofed traffic a gone rule stopped. */
static const char *now_meaning(const struct check_res *r)
{
	if (r->verdict == IPT_V_ACCEPT)
		return "NOTHING stops them now (a hole)";
	if (r->verdict == IPT_V_UNKNOWN)
		return "undecided";
	if (r->by == IPT_BY_MARTIAN)
		return "only the kernel stops them now";
	return "still stopped";
}

static void traffic_line(const char *side, uint64_t pk, uint64_t fl, uint64_t maybe)
{
	cmd_check_tout("      %s: %llu packet%s / %llu flow%s of real traffic", side,
		       (unsigned long long)pk, plural_s(pk), (unsigned long long)fl, plural_s(fl));
	if (maybe)
		cmd_check_tout(" [maybe %llu more]", (unsigned long long)maybe);
	cmd_check_tout("\n");
}

static void now_lines(const struct run *R, const struct check_rchange *c)
{
	const struct policy_rules *rs = R->ns.rs[c->fam];
	char out[256], ex[256];

	if (!c->spoof_flows)
		return;
	cmd_check_tout("      the ruleset's own defence against %llu spoofed packet%s (%llu flow%s)",
		       (unsigned long long)c->spoof_packets, plural_s(c->spoof_packets),
		       (unsigned long long)c->spoof_flows, plural_s(c->spoof_flows));
	if (c->spoof_kernel_packets)
		cmd_check_tout(" (of them %llu the kernel's martian check drops first today)",
			       (unsigned long long)c->spoof_kernel_packets);
	cmd_check_tout("; under the proposed ruleset:\n");
	for (unsigned k = 0; k < c->nnow; k++) {
		const struct check_rnow *n = &c->now[k];
		const char *sys = n->res.by == IPT_BY_MARTIAN ?
				  cmd_check_martian_sysctl(n->res.martian) : NULL;

		check_res_text(rs, &n->res, out, sizeof(out));
		check_flow_describe(&R->fs, n->ex, ex, sizeof(ex));
		cmd_check_tout("        %llu packet%s: %s: %s%s%s\n          e.g. %s\n",
			       (unsigned long long)n->packets, plural_s(n->packets),
			       now_meaning(&n->res), out, sys ? ", as long as " : "",
			       sys ? sys : "", ex);
	}
	if (c->other_packets)
		cmd_check_tout("        %llu packet%s: other outcomes\n",
			       (unsigned long long)c->other_packets, plural_s(c->other_packets));
}

void cmd_check_rdiff_text(const struct run *R)
{
	for (int fam = 0; fam < 2; fam++) {
		int head = 0;

		if (R->rd.no_rules[fam] && (fam == 0 || !R->rd.no_rules[0] || !R->shared))
			cmd_check_tout("\n== Rule changes, %s ==\n  not listed: one side is an "
				       "iptables ruleset and the other an nftables one, whose rules "
				       "are not paired; the verdict changes above say what changes "
				       "on the traffic\n", R->shared ? "IPv4 and IPv6" : fam ? "IPv6" : "IPv4");

		for (size_t i = 0; i < R->rd.n; i++) {
			const struct check_rchange *c = &R->rd.v[i];

			if (c->fam != fam)
				continue;
			if (!head++)
				cmd_check_tout("\n== Rule changes, %s (current -> proposed) ==\n",
					       fam ? "IPv6" : "IPv4");
			if (c->op == AUDIT_RD_POLICY) {
				cmd_check_tout("  policy   %s %s: %s -> %s\n", c->table, c->chain,
					       ipt_verdict_name(c->pol_cur),
					       ipt_verdict_name(c->pol_new));
			} else {
				cmd_check_tout("  %-8s %s %s\n", op_names[c->op], c->table, c->chain);
				if (c->text_cur)
					cmd_check_tout("    current line %u: %s\n",
						       rule_line(R->old.rs[fam], c->rule_cur), c->text_cur);
				if (c->text_new)
					cmd_check_tout("    proposed line %u: %s\n",
						       rule_line(R->ns.rs[fam], c->rule_new), c->text_new);
			}
			if (c->text_cur || c->op == AUDIT_RD_POLICY)
				traffic_line("current", c->cur_packets, c->cur_flows, c->cur_maybe);
			if (c->text_new || c->op == AUDIT_RD_POLICY)
				traffic_line("proposed", c->new_packets, c->new_flows, c->new_maybe);
			now_lines(R, c);
		}
	}
}

static json_t *side_json(const struct policy_rules *rs, uint32_t rule, const char *text,
			 uint64_t pk, uint64_t fl, uint64_t maybe)
{
	if (!text)
		return json_null();
	return json_pack("{s:o,s:i,s:I,s:I,s:I}", "text", cmd_check_jtext(text),
			 "line", (int)rule_line(rs, rule), "packets", (json_int_t)pk,
			 "flows", (json_int_t)fl, "maybe_packets", (json_int_t)maybe);
}

static json_t *one_json(const struct run *R, const struct check_rchange *c, int *bad)
{
	json_t *o = json_pack("{s:i,s:s,s:s,s:s}", "family", c->fam ? 6 : 4, "op", op_names[c->op],
			      "table", c->table, "chain", c->chain);
	json_t *now = json_array();

	if (!o || !now) {
		json_decref(o);
		json_decref(now);
		*bad = 1;
		return NULL;
	}
	if (c->op == AUDIT_RD_POLICY) {
		json_object_set_new(o, "policy", json_pack("{s:s,s:s}", "current",
				    ipt_verdict_name(c->pol_cur), "proposed", ipt_verdict_name(c->pol_new)));
		json_object_set_new(o, "current", json_pack("{s:I,s:I}", "packets",
				    (json_int_t)c->cur_packets, "flows", (json_int_t)c->cur_flows));
		json_object_set_new(o, "proposed", json_pack("{s:I,s:I}", "packets",
				    (json_int_t)c->new_packets, "flows", (json_int_t)c->new_flows));
	} else {
		json_object_set_new(o, "current", side_json(R->old.rs[c->fam], c->rule_cur,
				    c->text_cur, c->cur_packets, c->cur_flows, c->cur_maybe));
		json_object_set_new(o, "proposed", side_json(R->ns.rs[c->fam], c->rule_new,
				    c->text_new, c->new_packets, c->new_flows, c->new_maybe));
	}
	for (unsigned k = 0; k < c->nnow; k++) {
		json_t *n = json_pack("{s:I,s:I,s:o,s:b}", "packets", (json_int_t)c->now[k].packets,
				      "flows", (json_int_t)c->now[k].flows, "outcome",
				      cmd_check_res_json(R->ns.rs[c->fam], &c->now[k].res, bad),
				      "hole", c->now[k].res.verdict == IPT_V_ACCEPT);

		if (!n || json_array_append_new(now, n) < 0)
			*bad = 1;
	}
	if (json_object_set_new(o, "spoofed_stopped", json_pack("{s:I,s:I,s:I,s:o,s:I}",
				"packets", (json_int_t)c->spoof_packets, "flows",
				(json_int_t)c->spoof_flows, "kernel_first_packets",
				(json_int_t)c->spoof_kernel_packets, "now", now, "other_packets",
				(json_int_t)c->other_packets)) < 0)
		*bad = 1;
	return o;
}

json_t *cmd_check_rdiff_json(const struct run *R, int *bad)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < R->rd.n; i++) {
		json_t *o = one_json(R, &R->rd.v[i], bad);

		if (!o || json_array_append_new(a, o) < 0)
			*bad = 1;
	}
	if (!a)
		*bad = 1;
	return a;
}
