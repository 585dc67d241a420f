/* This file writes `spoofaudit check`'s results: the findings, rule hits and rules never
 * hit, as text for a terminal or as one JSON document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd_check.h"

/* ---- describing outcomes ---- */

static const char *martian_sysctl(unsigned m)
{
	switch (m) {
	case IPT_MARTIAN_SRC_LOOPBACK:
	case IPT_MARTIAN_DST_LOOPBACK:
		return "route_localnet=0";
	case IPT_MARTIAN_SRC_LOCAL:
		return "accept_local=0";
	case IPT_MARTIAN_RPFILTER:
		return "rp_filter=1 or 2";
	default:
		return NULL;
	}
}

static json_t *res_json(const struct ipt_ruleset *rs, const struct check_res *r)
{
	static const char *const by[] = {"rule", "policy", "path-end", "martian", "defrag", "unknown"};
	json_t *o = json_object(), *pa = json_array();
	struct ipt_rule_info ri;
	struct ipt_chain_info ci;
	int v;

	json_object_set_new(o, "verdict", json_string(ipt_verdict_name((enum ipt_verdict)r->verdict)));
	for (v = 0; v < 3; v++)
		if (r->possible & IPT_VSET(v))
			json_array_append_new(pa, json_string(ipt_verdict_name((enum ipt_verdict)v)));
	json_object_set_new(o, "possible", pa);
	json_object_set_new(o, "by", json_string(r->by < 6 ? by[r->by] : "?"));
	if (r->by == IPT_BY_RULE && rs && ipt_rule_get(rs, r->rule, &ri) == 0)
		json_object_set_new(o, "rule", json_pack("{s:s,s:s,s:i,s:i}", "table",
							  ipt_table_name(ri.table), "chain", ri.chain_name,
							  "num", (int)ri.num, "line", (int)ri.line));
	if (r->by == IPT_BY_POLICY && rs && ipt_chain_get(rs, r->chain, &ci) == 0)
		json_object_set_new(o, "policy", json_pack("{s:s,s:s}", "table",
							   ipt_table_name(ci.table), "chain", ci.name));
	if (r->by == IPT_BY_MARTIAN) {
		json_object_set_new(o, "martian", json_string(ipt_martian_name((enum ipt_martian)r->martian)));
		if (martian_sysctl(r->martian))
			json_object_set_new(o, "sysctl", json_string(martian_sysctl(r->martian)));
	}
	if (r->uncertain_rule != IPT_NONE && rs && ipt_rule_get(rs, r->uncertain_rule, &ri) == 0)
		json_object_set_new(o, "uncertain_rule", json_pack("{s:s,s:s,s:i,s:i}", "table",
								   ipt_table_name(ri.table), "chain",
								   ri.chain_name, "num", (int)ri.num,
								   "line", (int)ri.line));
	return o;
}

static const char *kind_title(enum check_kind k)
{
	static const char *const t[CK_COUNT] = {
		"Spoofed traffic", "Loopback breakage", "Uncertain verdicts", "Newly blocked",
		"Newly accepted", "Newly uncertain", "Newly certain", "DROP <-> REJECT changed",
		"Spoof hole opened", "Spoof hole closed",
	};
	return t[k];
}

int cmd_check_group_is_hole(const struct check_group *x)
{
	return x->kind == CK_SPOOF && (x->a.possible & IPT_VSET_ACCEPT);
}

/* The findings, group by group. */
static void print_groups(const struct run *R)
{
	const struct opts *o = &R->o;
	char a[256], b[256], ex[256];
	size_t i, j;
	int last = -1;

	for (i = 0; i < R->g.n; i++) {
		const struct check_group *x = &R->g.v[i];
		const struct ipt_ruleset *rs = R->ns.rs[x->fam], *ors = R->old.rs[x->fam];

		if ((int)x->kind != last) {
			printf("\n== %s ==\n", kind_title(x->kind));
			last = (int)x->kind;
		}
		check_res_text(rs, &x->a, a, sizeof(a));
		switch (x->kind) {
		case CK_SPOOF:
			printf("  %s%s: %llu flows, %llu packets: %s\n",
			       cmd_check_group_is_hole(x) ? (x->a.verdict == IPT_V_ACCEPT ? "HOLE " : "POSSIBLE HOLE ")
						: "",
			       x->label, (unsigned long long)x->flows, (unsigned long long)x->packets, a);
			if (x->a.by == IPT_BY_MARTIAN && martian_sysctl(x->a.martian))
				printf("    the kernel drops them whatever the ruleset says, as long as "
				       "net.ipv4.conf.{all,IFACE}.%s\n", martian_sysctl(x->a.martian));
			if (x->have_b) {
				check_res_text(rs, &x->b, b, sizeof(b));
				printf("    the ruleset alone (martian checks off) would: %s\n", b);
			}
			break;
		case CK_BREAKAGE:
			printf("  service %s: %llu flows, %llu packets: %s\n", x->label,
			       (unsigned long long)x->flows, (unsigned long long)x->packets, a);
			break;
		case CK_UNCERTAIN:
			printf("  undecided %s: %llu flows, %llu packets: %s\n", x->label,
			       (unsigned long long)x->flows, (unsigned long long)x->packets, a);
			break;
		default:
			check_res_text(ors, &x->b, b, sizeof(b));
			printf("  %s%s%llu flows, %llu packets\n    before (%s): %s\n    after  (%s): %s\n",
			       x->label, x->label[0] ? ": " : "", (unsigned long long)x->flows,
			       (unsigned long long)x->packets, o->against, b, o->ruleset, a);
			break;
		}
		for (j = 0; j < x->nex; j++) {
			check_flow_describe(&R->fs, x->ex[j], ex, sizeof(ex));
			printf("    e.g. %s, %llu packets\n", ex,
			       (unsigned long long)R->fs.v[x->ex[j]].packets);
		}
	}
}

/* Rule hits and rules never hit, per family. */
static void print_rules(const struct run *R)
{
	const struct opts *o = &R->o;
	char a[256], rn[128];
	size_t i;
	int fam;

	for (fam = 0; fam < 2; fam++) {
		const struct ipt_ruleset *rs = R->ns.rs[fam];
		uint32_t n, r, shown = 0;

		if (!rs)
			continue;
		n = ipt_rule_count(rs);
		printf("\n== Rule hits, %s (real traffic: packets / flows; [maybe]) ==\n",
		       fam ? "IPv6" : "IPv4");
		for (r = 0; r < n; r++) {
			char text[512];

			if (!R->ns.hit_flows[fam][r] && !R->ns.maybe_flows[fam][r])
				continue;
			if (o->top && shown++ >= o->top)
				break;
			check_rule_name(rs, r, rn, sizeof(rn));
			ipt_rule_format(rs, r, text, sizeof(text));
			printf("  %-34s %10llu / %-8llu", rn, (unsigned long long)R->ns.hit_packets[fam][r],
			       (unsigned long long)R->ns.hit_flows[fam][r]);
			if (R->ns.maybe_flows[fam][r])
				printf(" [+%llu / %llu maybe]", (unsigned long long)R->ns.maybe_packets[fam][r],
				       (unsigned long long)R->ns.maybe_flows[fam][r]);
			printf("  %s\n", text);
		}
		printf("\n== Rules never hit, %s ==\n", fam ? "IPv6" : "IPv4");
		for (r = 0; r < n; r++) {
			char text[512];
			uint32_t sh;
			uint64_t would = 0, wflows = 0;
			unsigned m = 0;

			if (R->ns.hit_flows[fam][r] || R->ns.maybe_flows[fam][r])
				continue;
			check_rule_name(rs, r, rn, sizeof(rn));
			ipt_rule_format(rs, r, text, sizeof(text));
			printf("  %-34s 0 packets  %s\n", rn, text);
			sh = ipt_rule_shadowed_by(rs, r);
			if (sh != IPT_NONE) {
				check_rule_name(rs, sh, a, sizeof(a));
				printf("    shadowed: %s takes all its traffic\n", a);
			}
			for (i = 0; R->alone && i < R->fs.n; i++)
				if ((R->fs.v[i].family == 6) == fam && R->ns.res[i].by == IPT_BY_MARTIAN &&
				    R->alone[i].by == IPT_BY_RULE && R->alone[i].rule == r) {
					would += R->fs.v[i].packets;
					wflows++;
					m = R->ns.res[i].martian;
				}
			if (would)
				printf("    it would take %llu packets (%llu flows) that the kernel's martian "
				       "check (%s) drops first: the routing decision runs after PREROUTING "
				       "and before filter INPUT%s%s\n",
				       (unsigned long long)would, (unsigned long long)wflows,
				       ipt_martian_name((enum ipt_martian)m),
				       martian_sysctl(m) ? ", while " : "", martian_sysctl(m) ? martian_sysctl(m) : "");
		}
	}
}

void cmd_check_print_text(const struct run *R)
{
	const struct opts *o = &R->o;
	size_t i;


	printf("spoofaudit check: %s%s%s", o->ruleset, o->ruleset6 ? " + " : "",
	       o->ruleset6 ? o->ruleset6 : "");
	if (o->against)
		printf(" against %s", o->against);
	printf("\n%zu flows, %llu packets from %s\n", R->fs.n, (unsigned long long)R->packets, o->db);
	printf("host context: %s host addresses; kernel settings %s\n",
	       R->host.have_addrs ? "recorded" : "no",
	       R->host.have_sysctls ? "recorded" : "not recorded");
	for (i = 0; i < R->host.nifconf; i++) {
		const struct ipt_ifconf *c = &R->host.ifconf[i];

		printf("  %-8s route_localnet=%d accept_local=%d rp_filter=%d (-1 = unknown)\n",
		       c->ifname, c->route_localnet, c->accept_local, c->rp_filter);
	}
	print_groups(R);
	print_rules(R);
	printf("\nsummary:%s%s%s%s%s%s\n", R->found ? "" : " nothing found",
	       R->found & F_HOLES ? " holes" : "", R->found & F_BREAKAGE ? " breakage" : "",
	       R->found & F_UNKNOWN ? " unknown" : "", R->found & F_DEAD ? " dead" : "",
	       R->found & F_CHANGES ? " changes" : "");
}

static json_t *rules_json(const struct run *R, int fam)
{
	const struct ipt_ruleset *rs = R->ns.rs[fam];
	json_t *arr = json_array();
	uint32_t n = ipt_rule_count(rs), r;

	for (r = 0; r < n; r++) {
		struct ipt_rule_info ri;
		char text[512];
		uint32_t sh = ipt_rule_shadowed_by(rs, r);
		json_t *o;

		ipt_rule_get(rs, r, &ri);
		ipt_rule_format(rs, r, text, sizeof(text));
		o = json_pack("{s:s,s:s,s:i,s:i,s:s,s:I,s:I,s:I,s:I,s:b}", "table",
			      ipt_table_name(ri.table), "chain", ri.chain_name, "num", (int)ri.num,
			      "line", (int)ri.line, "text", text,
			      "packets", (json_int_t)R->ns.hit_packets[fam][r],
			      "flows", (json_int_t)R->ns.hit_flows[fam][r],
			      "maybe_packets", (json_int_t)R->ns.maybe_packets[fam][r],
			      "maybe_flows", (json_int_t)R->ns.maybe_flows[fam][r],
			      "never_hit", !R->ns.hit_flows[fam][r] && !R->ns.maybe_flows[fam][r]);
		if (sh != IPT_NONE) {
			struct ipt_rule_info si;

			ipt_rule_get(rs, sh, &si);
			json_object_set_new(o, "shadowed_by", json_pack("{s:i,s:i}", "num", (int)si.num,
									 "line", (int)si.line));
		}
		if (R->alone) {
			uint64_t would = 0;
			size_t i;

			for (i = 0; i < R->fs.n; i++)
				if ((R->fs.v[i].family == 6) == fam && R->ns.res[i].by == IPT_BY_MARTIAN &&
				    R->alone[i].by == IPT_BY_RULE && R->alone[i].rule == r)
					would += R->fs.v[i].packets;
			if (would)
				json_object_set_new(o, "martian_dropped_packets", json_integer((json_int_t)would));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

int cmd_check_print_json(const struct run *R, int exit_code)
{
	json_t *root = json_object(), *fnd = json_array(), *sum = json_object();
	size_t i, j;
	int fam, rc;

	json_object_set_new(root, "ruleset", json_string(R->o.ruleset));
	if (R->o.ruleset6)
		json_object_set_new(root, "ruleset6", json_string(R->o.ruleset6));
	if (R->o.against)
		json_object_set_new(root, "against", json_string(R->o.against));
	json_object_set_new(root, "db", json_string(R->o.db));
	json_object_set_new(root, "flows", json_integer((json_int_t)R->fs.n));
	json_object_set_new(root, "packets", json_integer((json_int_t)R->packets));
	for (i = 0; i < R->g.n; i++) {
		const struct check_group *x = &R->g.v[i];
		json_t *o = json_object(), *exs = json_array();
		char ex[256];

		json_object_set_new(o, "kind", json_string(check_kind_names[x->kind]));
		json_object_set_new(o, "family", json_integer(x->fam ? 6 : 4));
		json_object_set_new(o, "label", json_string(x->label));
		json_object_set_new(o, "flows", json_integer((json_int_t)x->flows));
		json_object_set_new(o, "packets", json_integer((json_int_t)x->packets));
		json_object_set_new(o, "bytes", json_integer((json_int_t)x->bytes));
		json_object_set_new(o, "outcome", res_json(R->ns.rs[x->fam], &x->a));
		if (x->kind == CK_SPOOF)
			json_object_set_new(o, "hole", json_boolean(cmd_check_group_is_hole(x)));
		if (x->have_b)
			json_object_set_new(o, x->kind == CK_SPOOF ? "ruleset_alone" : "before",
					    res_json(x->kind == CK_SPOOF ? R->ns.rs[x->fam] : R->old.rs[x->fam],
						     &x->b));
		for (j = 0; j < x->nex; j++) {
			check_flow_describe(&R->fs, x->ex[j], ex, sizeof(ex));
			json_array_append_new(exs, json_string(ex));
		}
		json_object_set_new(o, "examples", exs);
		json_array_append_new(fnd, o);
	}
	json_object_set_new(root, "findings", fnd);
	for (fam = 0; fam < 2; fam++)
		if (R->ns.rs[fam])
			json_object_set_new(root, fam ? "rules6" : "rules", rules_json(R, fam));
	json_object_set_new(sum, "holes", json_boolean(R->found & F_HOLES));
	json_object_set_new(sum, "breakage", json_boolean(R->found & F_BREAKAGE));
	json_object_set_new(sum, "unknown", json_boolean(R->found & F_UNKNOWN));
	json_object_set_new(sum, "dead", json_boolean(R->found & F_DEAD));
	json_object_set_new(sum, "changes", json_boolean(R->found & F_CHANGES));
	json_object_set_new(root, "summary", sum);
	json_object_set_new(root, "exit", json_integer(exit_code));
	rc = json_dumpf(root, stdout, JSON_INDENT(1));
	printf("\n");
	json_decref(root);
	return rc;
}
