/* This file writes `spoofaudit check`'s results: the findings, rule hits and rules never
 * hit, as text for a terminal or as one JSON document. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cmd/cmd_check.h"
#include "common/plural.h"
#include "common/textsafe.h"

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

/* A JSON string of text from a ruleset, a database or the command line: invalid UTF-8
 * repaired (jansson refuses it). NULL on allocation failure. */
json_t *cmd_check_jtext(const char *s)
{
	char *u = text_utf8_dupn(s ? s : "", s ? strlen(s) : 0);
	json_t *j = u ? json_string(u) : NULL;

	free(u);
	return j;
}

/* json_object_set_new / json_array_append_new that remember a failure in *bad (a value
 * jansson refused, or no memory): the document is then not written. */
static void jset(int *bad, json_t *o, const char *key, json_t *v)
{
	if (json_object_set_new(o, key, v) < 0)
		*bad = 1;
}

static void japp(int *bad, json_t *a, json_t *v)
{
	if (json_array_append_new(a, v) < 0)
		*bad = 1;
}

json_t *cmd_check_rule_json(const struct policy_rules *rs, uint32_t rule)
{
	struct policy_rule_loc l;

	if (policy_rule_loc(rs, rule, &l) < 0)
		return NULL;
	if (rs->lang == POLICY_NFT)
		return json_pack("{s:s,s:o,s:o,s:I,s:i}", "family", l.family, "table",
				 cmd_check_jtext(l.table), "chain", cmd_check_jtext(l.chain),
				 "handle", (json_int_t)l.handle, "line", (int)l.line);
	return json_pack("{s:s,s:o,s:i,s:i}", "table", l.table, "chain", cmd_check_jtext(l.chain),
			 "num", (int)l.num, "line", (int)l.line);
}

static json_t *res_json(const struct policy_rules *rs, const struct check_res *r, int *bad)
{
	static const char *const by[] = {"rule", "policy", "path-end", "martian", "defrag", "unknown"};
	json_t *o = json_object(), *pa = json_array(), *x;
	int v;

	jset(bad, o, "verdict", json_string(ipt_verdict_name((enum ipt_verdict)r->verdict)));
	for (v = 0; v < 3; v++)
		if (r->possible & IPT_VSET(v))
			japp(bad, pa, json_string(ipt_verdict_name((enum ipt_verdict)v)));
	jset(bad, o, "possible", pa);
	jset(bad, o, "by", json_string(r->by < 6 ? by[r->by] : "?"));
	if (r->by == IPT_BY_RULE && (x = cmd_check_rule_json(rs, r->rule)))
		jset(bad, o, "rule", x);
	if (r->by == IPT_BY_POLICY && rs && rs->lang == POLICY_NFT) {
		struct nft_chain_info ci;

		if (nft_chain_get(rs->nft->rs, r->chain, &ci) == 0)
			jset(bad, o, "policy", json_pack("{s:s,s:o,s:o}", "family", ci.family, "table",
							 cmd_check_jtext(ci.table), "chain",
							 cmd_check_jtext(ci.name)));
	} else if (r->by == IPT_BY_POLICY && rs) {
		struct ipt_chain_info ci;

		if (ipt_chain_get(rs->ipt, r->chain, &ci) == 0)
			jset(bad, o, "policy", json_pack("{s:s,s:o}", "table", ipt_table_name(ci.table),
							 "chain", cmd_check_jtext(ci.name)));
	}
	if (r->by == IPT_BY_MARTIAN) {
		jset(bad, o, "martian", json_string(ipt_martian_name((enum ipt_martian)r->martian)));
		if (martian_sysctl(r->martian))
			jset(bad, o, "sysctl", json_string(martian_sysctl(r->martian)));
	}
	if (r->uncertain_rule != IPT_NONE && (x = cmd_check_rule_json(rs, r->uncertain_rule)))
		jset(bad, o, "uncertain_rule", x);
	return o;
}

/* Every line of text output goes through here: text from a ruleset, a database or the
 * command line (chain names, comments, interface names, file names) reaches the terminal
 * with its control characters escaped (text_term); only the format's newlines pass. */
void cmd_check_tout(const char *fmt, ...)
{
	va_list ap, aq;
	char *line, *p;
	int n;

	va_start(ap, fmt);
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	line = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (line)
		vsnprintf(line, (size_t)n + 1, fmt, aq);
	va_end(aq);
	if (!line)
		return;
	for (p = line; *p;) {
		size_t len = strcspn(p, "\n");
		char end = p[len], *safe;

		p[len] = '\0';
		safe = text_term_dup(p);
		if (safe)
			fputs(safe, stdout);
		free(safe);
		if (!end)
			break;
		putchar('\n');
		p += len + 1;
	}
	free(line);
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
	char a[256], b[256], ex[256], n[96];
	size_t i, j;
	int last = -1;

	for (i = 0; i < R->g.n; i++) {
		const struct check_group *x = &R->g.v[i];
		const struct policy_rules *rs = R->ns.rs[x->fam], *ors = R->old.rs[x->fam];

		if ((int)x->kind != last) {
			cmd_check_tout("\n== %s ==\n", kind_title(x->kind));
			last = (int)x->kind;
		}
		check_res_text(rs, &x->a, a, sizeof(a));
		snprintf(n, sizeof(n), "%llu flow%s, %llu packet%s", (unsigned long long)x->flows,
			 plural_s(x->flows), (unsigned long long)x->packets, plural_s(x->packets));
		if (x->maybe_packets)
			snprintf(n + strlen(n), sizeof(n) - strlen(n), " [+%llu maybe]",
				 (unsigned long long)x->maybe_packets);
		switch (x->kind) {
		case CK_SPOOF:
			cmd_check_tout("  %s%s: %s: %s\n",
			       cmd_check_group_is_hole(x) ? (x->a.verdict == IPT_V_ACCEPT ? "HOLE " : "POSSIBLE HOLE ")
						: "",
			       x->label, n, a);
			if (x->a.by == IPT_BY_MARTIAN && martian_sysctl(x->a.martian))
				cmd_check_tout("    the kernel drops them whatever the ruleset says, as long as "
				       "net.ipv4.conf.{all,IFACE}.%s\n", martian_sysctl(x->a.martian));
			if (x->have_b) {
				check_res_text(rs, &x->b, b, sizeof(b));
				cmd_check_tout("    the ruleset alone (martian checks off) would: %s\n", b);
			}
			break;
		case CK_BREAKAGE:
			cmd_check_tout("  service %s: %s: %s\n", x->label, n, a);
			break;
		case CK_UNCERTAIN:
			cmd_check_tout("  undecided %s: %s: %s\n", x->label, n, a);
			break;
		default:
			check_res_text(ors, &x->b, b, sizeof(b));
			cmd_check_tout("  %s%s%s\n    before (%s): %s\n    after  (%s): %s\n",
			       x->label, x->label[0] ? ": " : "", n, o->against, b, o->ruleset, a);
			break;
		}
		for (j = 0; j < x->nex; j++) {
			check_flow_describe(&R->fs, x->ex[j], ex, sizeof(ex));
			cmd_check_tout("    e.g. %s, %llu packet%s\n", ex,
			       (unsigned long long)R->fs.v[x->ex[j]].packets,
			       plural_s(R->fs.v[x->ex[j]].packets));
		}
	}
}

/* Rule hits and rules never hit, per family. */
static void print_rules(const struct run *R)
{
	const struct opts *o = &R->o;
	char a[256], rn[192];
	int fam;

	for (fam = 0; fam < 2 - R->shared; fam++) {
		const struct policy_rules *rs = R->ns.rs[fam];
		const char *fn = R->shared ? "IPv4 and IPv6" : fam ? "IPv6" : "IPv4";
		uint32_t n, r, shown = 0;

		if (!rs)
			continue;
		n = policy_rule_count(rs);
		cmd_check_tout("\n== Rule hits, %s (real traffic: packets / flows; [maybe]) ==\n", fn);
		for (r = 0; r < n; r++) {
			char text[512];

			if (!R->ns.hit_flows[fam][r] && !R->ns.maybe_flows[fam][r])
				continue;
			if (o->top && shown++ >= o->top)
				break;
			check_rule_name(rs, r, rn, sizeof(rn));
			policy_rule_text(rs, r, text, sizeof(text));
			cmd_check_tout("  %-34s %10llu / %-8llu", rn, (unsigned long long)R->ns.hit_packets[fam][r],
			       (unsigned long long)R->ns.hit_flows[fam][r]);
			if (R->ns.maybe_flows[fam][r])
				cmd_check_tout(" [+%llu / %llu maybe]", (unsigned long long)R->ns.maybe_packets[fam][r],
				       (unsigned long long)R->ns.maybe_flows[fam][r]);
			cmd_check_tout("  %s\n", text);
		}
		cmd_check_tout("\n== Rules never hit, %s ==\n", fn);
		for (r = 0; r < n; r++) {
			char text[512];
			uint32_t sh;
			uint64_t would = 0, wflows = 0;
			unsigned m = 0;

			if (R->ns.hit_flows[fam][r] || R->ns.maybe_flows[fam][r])
				continue;
			check_rule_name(rs, r, rn, sizeof(rn));
			policy_rule_text(rs, r, text, sizeof(text));
			cmd_check_tout("  %-34s 0 packets  %s\n", rn, text);
			sh = policy_rule_shadowed_by(rs, r);
			if (sh != IPT_NONE) {
				check_rule_name(rs, sh, a, sizeof(a));
				cmd_check_tout("    shadowed: %s takes all its traffic\n", a);
			}
			if (R->would_packets[fam]) {
				would = R->would_packets[fam][r];
				wflows = R->would_flows[fam][r];
				m = R->would_martian[fam][r];
			}
			if (would)
				cmd_check_tout("    it would take %llu packet%s (%llu flow%s) that the kernel's martian "
				       "check (%s) drops first: the routing decision runs after PREROUTING "
				       "and before %s%s%s\n",
				       (unsigned long long)would, plural_s(would), (unsigned long long)wflows,
				       plural_s(wflows),
				       ipt_martian_name((enum ipt_martian)m),
				       rs->lang == POLICY_NFT ? "the input hook" : "filter INPUT",
				       martian_sysctl(m) ? ", while " : "", martian_sysctl(m) ? martian_sysctl(m) : "");
		}
	}
}

static const char *fwd_name(int fwd)
{
	return fwd == IPT_FWD_ON ? "on" : fwd == IPT_FWD_OFF ? "off" : "unknown";
}

/* " (but a0 off, a1 on)": the devices whose switch for family is set apart. */
static void apart_text(const struct run *R, int family)
{
	size_t i, n = 0;
	int v;

	for (i = 0; i < R->host.nifconf; i++)
		if ((v = ipt_ifconf_forward_apart(&R->host.ctx, &R->host.ifconf[i],
						   family)))
			cmd_check_tout("%s%s %s%s", n++ ? ", " : " (but ", R->host.ifconf[i].ifname,
				       family == 6 ? "forced " : "", fwd_name(v));
	if (n)
		cmd_check_tout(")");
}

/* Which kernel the verdicts model: the one the runs recorded (`uname -r`), else the one
 * running `check`; and the forwarding of each family, which decides whether a packet for
 * another host (or DNATed to one) is forwarded or dropped, with the devices whose own
 * switch is set apart (the input device's decides: ipt_ctx_forward). */
static void kernel_line(const struct run *R)
{
	unsigned k = R->host.ctx.kernel ? R->host.ctx.kernel : ipt_kernel_running();
	int f4 = R->host.ctx.ip_forward, f6 = R->host.ctx.ip6_forward;
	int k4 = f4 == IPT_FWD_ON || f4 == IPT_FWD_OFF, k6 = f6 == IPT_FWD_ON || f6 == IPT_FWD_OFF;

	cmd_check_tout("kernel modelled: Linux %u.%u.%u (%s); IPv4 forwarding %s",
		       k >> 16, k >> 8 & 255, k & 255,
		       R->host.ctx.kernel ? "recorded by the runs" :
		       "the runs recorded none: the kernel running check",
		       k4 ? fwd_name(f4) : "not recorded");
	apart_text(R, 4);
	cmd_check_tout(", IPv6 forwarding %s", k6 ? fwd_name(f6) : "not recorded");
	apart_text(R, 6);
	cmd_check_tout("%s\n", k4 && k6 ? "" :
		       " (a packet for another host where it is not recorded: forwarded or "
		       "dropped, maybe)");
}

/* The families whose flows no ruleset evaluated: [{family, flows, packets, why}]. */
static json_t *not_evaluated_json(const struct run *R)
{
	json_t *a = json_array();

	if (a && !R->ns.rs[1] && R->fam_flows[1] &&
	    json_array_append_new(a, json_pack("{s:i,s:I,s:I,s:s}", "family", 6, "flows",
					       (json_int_t)R->fam_flows[1], "packets",
					       (json_int_t)R->fam_packets[1], "why",
					       "no IPv6 ruleset (--ruleset6)")) < 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

/* {device: "on"|"off"} of the devices whose switch for family is set apart; NULL on
 * failure. */
static json_t *apart_json(const struct run *R, int family)
{
	json_t *dev = json_object();
	size_t i;
	int v;

	for (i = 0; dev && i < R->host.nifconf; i++) {
		const char *n = R->host.ifconf[i].ifname;
		char *key;	/* a name from the database: invalid UTF-8 repaired */

		if (!(v = ipt_ifconf_forward_apart(&R->host.ctx, &R->host.ifconf[i],
						    family)))
			continue;
		key = text_utf8_dupn(n, strlen(n));
		if (!key || json_object_set_new(dev, key, json_string(fwd_name(v))) < 0) {
			free(key);
			json_decref(dev);
			return NULL;
		}
		free(key);
	}
	return dev;
}

static json_t *kernel_json(const struct run *R)
{
	unsigned k = R->host.ctx.kernel ? R->host.ctx.kernel : ipt_kernel_running();
	char v[32];

	snprintf(v, sizeof(v), "%u.%u.%u", k >> 16, k >> 8 & 255, k & 255);
	/* "o": a NULL object makes json_pack fail, and the caller reports it */
	return json_pack("{s:s,s:b,s:s,s:o,s:s,s:o}", "version", v, "recorded",
			 R->host.ctx.kernel != 0, "ip_forward", fwd_name(R->host.ctx.ip_forward),
			 "ip_forward_devices_apart", apart_json(R, 4),
			 "ip6_forward", fwd_name(R->host.ctx.ip6_forward),
			 "ip6_force_forwarding_devices", apart_json(R, 6));
}

void cmd_check_print_text(const struct run *R)
{
	const struct opts *o = &R->o;
	size_t i;


	cmd_check_tout("spoofaudit check: %s%s%s", o->ruleset, o->ruleset6 ? " + " : "",
	       o->ruleset6 ? o->ruleset6 : "");
	if (o->against)
		cmd_check_tout(" against %s", o->against);
	cmd_check_tout("\n%zu flow%s, %llu packet%s from %s\n", R->fs.n, plural_s(R->fs.n),
		       (unsigned long long)R->packets, plural_s(R->packets), o->db);
	if (R->fs.copies[0] + R->fs.copies[1]) {
		uint64_t n = R->fs.copies[0] + R->fs.copies[1];
		uint64_t p = R->fs.copy_packets[0] + R->fs.copy_packets[1];

		cmd_check_tout("forwarded, seen twice: %llu more row%s (%llu packet%s) left by one "
			       "interface after coming in on another; judged once, where they "
			       "came in\n", (unsigned long long)n, plural_s(n),
			       (unsigned long long)p, plural_s(p));
	}
	for (int f = 0; f < 2; f++)
		if (R->po.warn[f][0])
			cmd_check_tout("WARNING: %s\n", R->po.warn[f]);
	for (int f = 0; f < 2; f++)
		if (R->po.origin[f][0])
			cmd_check_tout("live %s ruleset: %s\n", f ? "IPv6" : "IPv4", R->po.origin[f]);
	/* a family without a ruleset is said first, never hidden in the totals above */
	if (!R->ns.rs[1] && R->fam_flows[1])
		cmd_check_tout("NOT EVALUATED: the %llu IPv6 flow%s (%llu packet%s): no IPv6 "
			       "ruleset (--ruleset6); nothing below speaks of them\n",
			       (unsigned long long)R->fam_flows[1], plural_s(R->fam_flows[1]),
			       (unsigned long long)R->fam_packets[1], plural_s(R->fam_packets[1]));
	if (R->placed_flows < R->fs.n)
		cmd_check_tout("packet order: recorded for %llu of %zu flow%s; in the other %llu "
			       "(%llu packet%s: an older collector, a conversation that may have "
			       "begun before the capture, or an answer another capture handle "
			       "handed over late) the packets between a connection's first and its "
			       "answer count as maybe\n",
			       (unsigned long long)R->placed_flows, R->fs.n, plural_s(R->fs.n),
			       (unsigned long long)(R->fs.n - R->placed_flows),
			       (unsigned long long)(R->packets - R->placed_packets),
			       plural_s(R->packets - R->placed_packets));
	cmd_check_tout("host context: %s host addresses; kernel settings %s\n",
	       R->host.have_addrs ? "recorded" : "no",
	       R->host.have_sysctls ? "recorded" : "not recorded");
	kernel_line(R);
	for (i = 0; i < R->host.nifconf; i++) {
		const struct ipt_ifconf *c = &R->host.ifconf[i];

		cmd_check_tout("  %-8s route_localnet=%d accept_local=%d rp_filter=%d (-1 = unknown)\n",
		       c->ifname, c->route_localnet, c->accept_local, c->rp_filter);
	}
	print_groups(R);
	print_rules(R);
	if (R->o.against)
		cmd_check_rdiff_text(R);
	cmd_check_tout("\nsummary:%s%s%s%s%s%s\n", R->found ? "" : " nothing found",
	       R->found & F_HOLES ? " holes" : "", R->found & F_BREAKAGE ? " breakage" : "",
	       R->found & F_UNKNOWN ? " unknown" : "", R->found & F_DEAD ? " dead" : "",
	       R->found & F_CHANGES ? " changes" : "");
}

static json_t *rules_json(const struct run *R, int fam, int *bad)
{
	const struct policy_rules *rs = R->ns.rs[fam];
	json_t *arr = json_array();
	uint32_t n = policy_rule_count(rs), r;

	for (r = 0; r < n; r++) {
		char text[512];
		int never = !R->ns.hit_flows[fam][r] && !R->ns.maybe_flows[fam][r];
		/* asked for the rules never hit only, as the text does (a question costs a walk
		 * of the rules before it) */
		uint32_t sh = never ? policy_rule_shadowed_by(rs, r) : IPT_NONE;
		json_t *o = cmd_check_rule_json(rs, r);

		if (!o) {
			*bad = 1;
			continue;
		}
		policy_rule_text(rs, r, text, sizeof(text));
		if (json_object_update_new(o, json_pack("{s:o,s:I,s:I,s:I,s:I,s:b}",
			      "text", cmd_check_jtext(text),
			      "packets", (json_int_t)R->ns.hit_packets[fam][r],
			      "flows", (json_int_t)R->ns.hit_flows[fam][r],
			      "maybe_packets", (json_int_t)R->ns.maybe_packets[fam][r],
			      "maybe_flows", (json_int_t)R->ns.maybe_flows[fam][r],
			      "never_hit", never)) < 0)
			*bad = 1;
		if (sh != IPT_NONE && rs->lang == POLICY_NFT) {
			/* family, table, chain, handle, line: as the rule itself is named */
			json_t *x = cmd_check_rule_json(rs, sh);

			if (!x)
				*bad = 1;
			else
				jset(bad, o, "shadowed_by", x);
		} else if (sh != IPT_NONE) {
			struct policy_rule_loc si;

			policy_rule_loc(rs, sh, &si);
			jset(bad, o, "shadowed_by", json_pack("{s:i,s:i}", "num", (int)si.num,
									 "line", (int)si.line));
		}
		if (R->would_packets[fam] && R->would_packets[fam][r])
			jset(bad, o, "martian_dropped_packets",
			     json_integer((json_int_t)R->would_packets[fam][r]));
		japp(bad, arr, o);
	}
	return arr;
}

int cmd_check_print_json(const struct run *R, int exit_code)
{
	json_t *root = json_object(), *fnd = json_array(), *sum = json_object();
	size_t i, j;
	int fam, rc, failed = 0, *bad = &failed;

	jset(bad, root, "ruleset", cmd_check_jtext(R->o.ruleset));
	if (R->o.ruleset6)
		jset(bad, root, "ruleset6", cmd_check_jtext(R->o.ruleset6));
	if (R->o.against)
		jset(bad, root, "against", cmd_check_jtext(R->o.against));
	jset(bad, root, "db", cmd_check_jtext(R->o.db));
	jset(bad, root, "flows", json_integer((json_int_t)R->fs.n));
	jset(bad, root, "packets", json_integer((json_int_t)R->packets));
	jset(bad, root, "forwarded_copies",
	     json_pack("{s:I,s:I}", "flows", (json_int_t)(R->fs.copies[0] + R->fs.copies[1]),
		       "packets", (json_int_t)(R->fs.copy_packets[0] + R->fs.copy_packets[1])));
	jset(bad, root, "kernel", kernel_json(R));
	jset(bad, root, "not_evaluated", not_evaluated_json(R));
	jset(bad, root, "packet_order",
	     json_pack("{s:I,s:I,s:I,s:I}", "placed_flows", (json_int_t)R->placed_flows,
		       "placed_packets", (json_int_t)R->placed_packets, "estimated_flows",
		       (json_int_t)(R->fs.n - R->placed_flows), "estimated_packets",
		       (json_int_t)(R->packets - R->placed_packets)));
	jset(bad, root, "warnings", json_array());
	for (int f = 0; f < 2; f++)
		if (R->po.warn[f][0])
			japp(bad, json_object_get(root, "warnings"), cmd_check_jtext(R->po.warn[f]));
	if (R->po.origin[0][0] || R->po.origin[1][0])
		jset(bad, root, "live", json_object());
	for (int f = 0; f < 2; f++)
		if (R->po.origin[f][0])
			jset(bad, json_object_get(root, "live"), f ? "ipv6" : "ipv4",
			     cmd_check_jtext(R->po.origin[f]));
	if (R->o.against)
		jset(bad, root, "rule_changes", cmd_check_rdiff_json(R, bad));
	for (i = 0; i < R->g.n; i++) {
		const struct check_group *x = &R->g.v[i];
		json_t *o = json_object(), *exs = json_array();
		char ex[256];

		jset(bad, o, "kind", json_string(check_kind_names[x->kind]));
		jset(bad, o, "family", json_integer(x->fam ? 6 : 4));
		jset(bad, o, "label", cmd_check_jtext(x->label));
		jset(bad, o, "flows", json_integer((json_int_t)x->flows));
		jset(bad, o, "packets", json_integer((json_int_t)x->packets));
		jset(bad, o, "maybe_packets", json_integer((json_int_t)x->maybe_packets));
		jset(bad, o, "bytes", json_integer((json_int_t)x->bytes));
		jset(bad, o, "outcome", res_json(R->ns.rs[x->fam], &x->a, bad));
		if (x->kind == CK_SPOOF)
			jset(bad, o, "hole", json_boolean(cmd_check_group_is_hole(x)));
		if (x->have_b)
			jset(bad, o, x->kind == CK_SPOOF ? "ruleset_alone" : "before",
					    res_json(x->kind == CK_SPOOF ? R->ns.rs[x->fam] : R->old.rs[x->fam],
						     &x->b, bad));
		for (j = 0; j < x->nex; j++) {
			check_flow_describe(&R->fs, x->ex[j], ex, sizeof(ex));
			japp(bad, exs, cmd_check_jtext(ex));
		}
		jset(bad, o, "examples", exs);
		japp(bad, fnd, o);
	}
	jset(bad, root, "findings", fnd);
	for (fam = 0; fam < 2 - R->shared; fam++)
		if (R->ns.rs[fam])
			jset(bad, root, fam ? "rules6" : "rules", rules_json(R, fam, bad));
	/* "rules" of one nftables ruleset counts both families' traffic */
	jset(bad, root, "rules_families", json_string(R->shared ? "4+6" : "4"));
	/* whether a rule never hit is checked for an earlier rule shadowing it */
	jset(bad, root, "shadowing_analysis", json_boolean(policy_has_shadowing(R->ns.rs[0])));
	jset(bad, root, "language", json_string(R->ns.rs[0] && R->ns.rs[0]->lang == POLICY_NFT ?
						"nftables" : "iptables"));
	jset(bad, sum, "holes", json_boolean(R->found & F_HOLES));
	jset(bad, sum, "breakage", json_boolean(R->found & F_BREAKAGE));
	jset(bad, sum, "unknown", json_boolean(R->found & F_UNKNOWN));
	jset(bad, sum, "dead", json_boolean(R->found & F_DEAD));
	jset(bad, sum, "changes", json_boolean(R->found & F_CHANGES));
	jset(bad, root, "summary", sum);
	jset(bad, root, "exit", json_integer(exit_code));
	if (failed) {
		/* never a document with a table or array silently left out */
		fprintf(stderr, "spoofaudit check: cannot build the JSON document (out of memory)\n");
		json_decref(root);
		return -1;
	}
	rc = json_dumpf(root, stdout, JSON_INDENT(1));
	printf("\n");
	json_decref(root);
	return rc;
}

/* For the rule diff (cmd_check_rdiff.c). */
const char *cmd_check_martian_sysctl(unsigned m)
{
	return martian_sysctl(m);
}

json_t *cmd_check_res_json(const struct policy_rules *rs, const struct check_res *r, int *bad)
{
	return res_json(rs, r, bad);
}
