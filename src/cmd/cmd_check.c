/* This file implements `spoofaudit check`: it evaluates the flows a collector recorded
 * against an iptables ruleset (and optionally the current one) and reports spoof holes,
 * loopback breakage, per-rule real-traffic hits, rules never hit, uncertain verdicts and
 * the changes between two rulesets, as text or JSON, with an exit status that can gate a
 * deploy. The logic lives in check.c; this file owns the options and the output. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/util.h"
#include "policy/check.h"
#include "policy/policy.h"
#include "cmd/cmd.h"
#include "report/report.h"
#include "store/store.h"

#define EXIT_FINDINGS 3

enum { F_HOLES = 1, F_BREAKAGE = 2, F_UNKNOWN = 4, F_DEAD = 8, F_CHANGES = 16, F_VIOLATIONS = 32 };

struct opts {
	const char *ruleset, *ruleset6, *db, *against, *against6;
	int64_t since, until;
	int json;
	unsigned fail_on;
	int route_localnet, accept_local, rp_filter;
	unsigned top;		/* rule hit lines printed (0 = all) */
	int violations;		/* --violations: list what collect --policy found */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: spoofaudit check --ruleset FILE [--ruleset6 FILE] [--db PATH]\n"
		"       spoofaudit check --violations [--db PATH] [--day D | --since T --until T]\n"
		"                        [--format text|json] [--fail-on violations]\n"
		"                        [--day YYYY-MM-DD | --since T --until T]\n"
		"                        [--against FILE|live] [--against6 FILE|live]\n"
		"                        [--format text|json] [--fail-on LIST]\n"
		"                        [--route-localnet 0|1] [--accept-local 0|1] [--rp-filter 0|1|2]\n"
		"\n"
		"Evaluates every flow recorded in the database against an iptables-save ruleset:\n"
		"spoofed flows it would accept (and whether the kernel's martian drop stops them),\n"
		"loopback flows it would drop, real-traffic hits per rule, rules never hit, flows\n"
		"whose verdict is uncertain, and with --against the flows whose verdict changes.\n"
		"\n"
		"  --violations        list the violations `collect --policy' stored (live audit):\n"
		"                      kind, evidence strength, occurrences, the flow, the intended\n"
		"                      and live verdicts, the evidence; no ruleset is evaluated\n"
		"  --ruleset FILE      the proposed IPv4 ruleset (iptables-save text)\n"
		"  --ruleset6 FILE     the proposed IPv6 ruleset (ip6tables-save text)\n"
		"  --db PATH           the collector's database (default ./spoofaudit.db)\n"
		"  --day D             flows of one UTC day; --since/--until take YYYY-MM-DD,\n"
		"                      YYYY-MM-DDTHH:MM[:SS] (UTC) or unix seconds\n"
		"  --against FILE|live the current IPv4 ruleset ('live': iptables-save)\n"
		"  --against6 FILE|live the current IPv6 ruleset (default: 'live' when --against\n"
		"                      is live and --ruleset6 is given)\n"
		"  --format text|json  output (default text)\n"
		"  --fail-on LIST      comma list of holes,breakage,unknown,dead,changes (or all):\n"
		"                      exit 3 when one of them is found\n"
		"  --route-localnet, --accept-local, --rp-filter\n"
		"                      kernel settings for every interface, overriding the DB\n"
		"  --top N             print the N busiest rules in text (default all)\n"
		"\n"
		"Exit status: 0 no --fail-on finding, 3 a --fail-on finding, 1 runtime error,\n"
		"2 bad usage.\n");
}

/* --since/--until: report_parse_time's forms, in UTC, and bare unix seconds. */
static int parse_time(const char *s, int64_t *out)
{
	char at[32];
	int64_t us;

	if (*s && strspn(s, "0123456789") == strlen(s)) {
		if (strlen(s) > 20)
			return -1;
		snprintf(at, sizeof(at), "@%s", s);
		s = at;
	}
	if (report_parse_time(s, 1, util_now_usec(), &us) < 0)
		return -1;
	*out = us / 1000000;
	return 0;
}

/* --day: report_parse_day's forms, in UTC, and bare unix seconds (a day from there). */
static int parse_day(const char *s, int64_t *since, int64_t *until)
{
	int64_t a, b;

	if (*s && strspn(s, "0123456789") == strlen(s)) {
		if (parse_time(s, &a) < 0)
			return -1;
		*since = a;
		*until = a + 86400;
		return 0;
	}
	if (report_parse_day(s, 1, util_now_usec(), &a, &b) < 0)
		return -1;
	*since = a / 1000000;
	*until = b / 1000000;
	return 0;
}

static int parse_01(const char *s, int max, int *out)
{
	if (strlen(s) != 1 || s[0] < '0' || s[0] > '0' + max)
		return -1;
	*out = s[0] - '0';
	return 0;
}

static int parse_fail_on(const char *s, unsigned *out)
{
	static const struct {
		const char *n;
		unsigned bit;
	} names[] = {{"holes", F_HOLES}, {"breakage", F_BREAKAGE}, {"unknown", F_UNKNOWN},
		     {"dead", F_DEAD}, {"changes", F_CHANGES}, {"violations", F_VIOLATIONS},
		     {"all", F_HOLES | F_BREAKAGE | F_UNKNOWN | F_DEAD | F_CHANGES}};
	char buf[256], *tok, *save = NULL;
	size_t i;

	snprintf(buf, sizeof(buf), "%s", s);
	*out = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].n))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			return -1;
		*out |= names[i].bit;
	}
	return 0;
}

/* Fills a source: FILE, or the kernel's ruleset with "live". */
static void policy_src_of(struct policy_src *s, const char *what, int family)
{
	memset(s, 0, sizeof(*s));
	s->lang = POLICY_IPTABLES;
	s->family = family;
	if (!strcmp(what, "live"))
		s->kind = POLICY_LIVE;
	else
		s->kind = POLICY_FILE;
	s->path = s->kind == POLICY_FILE ? what : NULL;
}

/* Loads the proposed rulesets into pn and --against's into po. Prints errors. */
static int load_policies(const struct opts *o, struct policy *pn, struct policy *po)
{
	struct policy_src sn[2], so[2];
	size_t nn = 0, no = 0;
	char err[1024];
	int positioned;

	policy_src_of(&sn[nn++], o->ruleset, 4);
	if (o->ruleset6)
		policy_src_of(&sn[nn++], o->ruleset6, 6);
	if (o->against)
		policy_src_of(&so[no++], o->against, 4);
	if (o->against6)
		policy_src_of(&so[no++], o->against6, 6);
	if (policy_load(pn, sn, nn, &positioned, err, sizeof(err)) < 0 ||
	    (no && policy_load(po, so, no, &positioned, err, sizeof(err)) < 0)) {
		fprintf(stderr, "%s%s\n", positioned ? "" : "spoofaudit check: ", err);
		return -1;
	}
	return 0;
}

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

/* ---- the run ---- */

struct run {
	struct opts o;
	struct hostctx hc;	/* as the database recorded it */
	struct check_host host;
	struct check_flows fs;
	struct policy pn, po;	/* the proposed rulesets, --against's */
	struct check_side ns, old;
	struct check_res *alone;
	struct check_groups g;
	uint64_t packets;
	unsigned found;		/* F_* present */
	uint32_t ndead[2];
};

static const char *kind_title(enum check_kind k)
{
	static const char *const t[CK_COUNT] = {
		"Spoofed traffic", "Loopback breakage", "Uncertain verdicts", "Newly blocked",
		"Newly accepted", "Newly uncertain", "Newly certain", "DROP <-> REJECT changed",
		"Spoof hole opened", "Spoof hole closed",
	};
	return t[k];
}

static int group_is_hole(const struct check_group *x)
{
	return x->kind == CK_SPOOF && (x->a.possible & IPT_VSET_ACCEPT);
}

static void print_text(struct run *R)
{
	const struct opts *o = &R->o;
	char a[256], b[256], ex[256], rn[128];
	size_t i, j;
	int last = -1, fam;

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
			       group_is_hole(x) ? (x->a.verdict == IPT_V_ACCEPT ? "HOLE " : "POSSIBLE HOLE ")
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

static int print_json(struct run *R, int exit_code)
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
			json_object_set_new(o, "hole", json_boolean(group_is_hole(x)));
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

static int parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"ruleset", required_argument, NULL, 'r'}, {"ruleset6", required_argument, NULL, '6'},
		{"db", required_argument, NULL, 'd'}, {"day", required_argument, NULL, 'D'},
		{"since", required_argument, NULL, 's'}, {"until", required_argument, NULL, 'u'},
		{"against", required_argument, NULL, 'a'}, {"against6", required_argument, NULL, 'A'},
		{"format", required_argument, NULL, 'f'}, {"fail-on", required_argument, NULL, 'F'},
		{"route-localnet", required_argument, NULL, 'L'},
		{"accept-local", required_argument, NULL, 'C'},
		{"rp-filter", required_argument, NULL, 'P'}, {"top", required_argument, NULL, 't'},
		{"violations", no_argument, NULL, 'V'},
		{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int c;
	int64_t t;

	memset(o, 0, sizeof(*o));
	o->db = "spoofaudit.db";
	o->route_localnet = o->accept_local = o->rp_filter = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'r': o->ruleset = optarg; break;
		case '6': o->ruleset6 = optarg; break;
		case 'd': o->db = optarg; break;
		case 'a': o->against = optarg; break;
		case 'A': o->against6 = optarg; break;
		case 'D':
			if (parse_day(optarg, &o->since, &o->until) < 0) {
				fprintf(stderr, "spoofaudit check: --day wants YYYY-MM-DD: `%s'\n", optarg);
				return 2;
			}
			break;
		case 's':
		case 'u':
			if (parse_time(optarg, &t) < 0) {
				fprintf(stderr, "spoofaudit check: bad time `%s'\n", optarg);
				return 2;
			}
			if (c == 's')
				o->since = t;
			else
				o->until = t;
			break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "spoofaudit check: --format is text or json: `%s'\n", optarg);
				return 2;
			}
			o->json = !strcmp(optarg, "json");
			break;
		case 'F':
			if (parse_fail_on(optarg, &o->fail_on) < 0) {
				fprintf(stderr, "spoofaudit check: --fail-on takes holes,breakage,unknown,"
						"dead,changes,violations or all: `%s'\n", optarg);
				return 2;
			}
			break;
		case 'L':
		case 'C':
		case 'P': {
			int v, *dst = c == 'L' ? &o->route_localnet : c == 'C' ? &o->accept_local : &o->rp_filter;

			if (parse_01(optarg, c == 'P' ? 2 : 1, &v) < 0) {
				fprintf(stderr, "spoofaudit check: --%s is %s: `%s'\n",
					c == 'L' ? "route-localnet" : c == 'C' ? "accept-local" : "rp-filter",
					c == 'P' ? "0, 1 or 2" : "0 or 1", optarg);
				return 2;
			}
			*dst = v;
			break;
		}
		case 't': {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);

			if (*end || end == optarg || v > 1000000) {
				fprintf(stderr, "spoofaudit check: bad --top `%s'\n", optarg);
				return 2;
			}
			o->top = (unsigned)v;
			break;
		}
		case 'V':
			o->violations = 1;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "spoofaudit check: unexpected argument `%s'\n", argv[optind]);
		return 2;
	}
	if (o->violations && (o->ruleset || o->against)) {
		fprintf(stderr, "spoofaudit check: --violations lists stored violations; it takes no "
			"--ruleset or --against\n");
		return 2;
	}
	if (!o->ruleset && !o->violations) {
		fprintf(stderr, "spoofaudit check: --ruleset FILE is required\n");
		usage(stderr);
		return 2;
	}
	if (o->until && o->since >= o->until) {
		fprintf(stderr, "spoofaudit check: --since must be before --until\n");
		return 2;
	}
	if (o->against && !o->against6 && o->ruleset6 && !strcmp(o->against, "live"))
		o->against6 = "live";
	return 0;
}

/* --violations: the live audit's stored violations of the period (reports/policy.sql).
 * Returns the exit status. */
static int list_violations(const struct opts *o)
{
	char err[512];
	struct store *st = store_open(o->db, STORE_OPEN_READONLY, err, sizeof(err));
	struct store_rows *q = NULL;
	json_t *arr = o->json ? json_array() : NULL;
	int64_t n = 0, occ = 0;
	int rc, ret = 1;

	if (!st) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", o->db, err);
		goto out;
	}
	q = store_rows_prepare(st, "policy.sql", report_file("policy.sql"));
	if (!q || store_rows_bind_int(q, ":since_us", o->since * 1000000) < 0 ||
	    store_rows_bind_int(q, ":until_us", o->until ? o->until * 1000000 : INT64_MAX) < 0 ||
	    store_rows_bind_text(q, ":ifaces", "") < 0 || store_rows_bind_int(q, ":limit", -1) < 0) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", o->db, store_errmsg(st));
		goto out;
	}
	while ((rc = store_rows_step(q)) == 1) {
		/* id kind strength count lines first last iface flow intended live evidence packets */
		n++;
		occ += store_col_int(q, 3);
		if (arr) {
			json_t *v = json_object();
			int c;

			for (c = 0; c < store_rows_ncols(q); c++)
				json_object_set_new(v, store_rows_colname(q, c),
						    c == 1 || c == 2 || (c >= 7 && c <= 11) ?
						    json_string(store_col_text(q, c)) :
						    json_integer(store_col_int(q, c)));
			json_array_append_new(arr, v);
			continue;
		}
		char t1[32], t2[32];
		time_t a = (time_t)(store_col_int(q, 5) / 1000000), b = (time_t)(store_col_int(q, 6) / 1000000);
		struct tm tm;

		strftime(t1, sizeof(t1), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&a, &tm));
		strftime(t2, sizeof(t2), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&b, &tm));
		printf("#%lld %s%s: %lld time%s (%lld line%s), %s, first %s last %s\n"
		       "  %s\n", (long long)store_col_int(q, 0), store_col_text(q, 1),
		       strcmp(store_col_text(q, 2), "weak") ? "" : " (weak evidence)",
		       (long long)store_col_int(q, 3), store_col_int(q, 3) == 1 ? "" : "s",
		       (long long)store_col_int(q, 4), store_col_int(q, 4) == 1 ? "" : "s",
		       *store_col_text(q, 7) ? store_col_text(q, 7) : "no interface",
		       t1, t2,
		       store_col_text(q, 8));
		if (*store_col_text(q, 9))
			printf("  intended: %s\n", store_col_text(q, 9));
		if (*store_col_text(q, 10))
			printf("  live: %s\n", store_col_text(q, 10));
		if (*store_col_text(q, 11))
			printf("  evidence: %s\n", store_col_text(q, 11));
		if (store_col_int(q, 12))
			printf("  %lld evidence packets: spoofaudit export --violation %lld -w FILE\n",
			       (long long)store_col_int(q, 12), (long long)store_col_int(q, 0));
	}
	if (rc < 0) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", o->db, store_errmsg(st));
		goto out;
	}
	ret = (o->fail_on & F_VIOLATIONS) && n ? 3 : 0;
	if (arr) {
		json_t *root = json_object();

		json_object_set_new(root, "db", json_string(o->db));
		json_object_set_new(root, "violations", arr);
		json_object_set_new(root, "occurrences", json_integer(occ));
		json_object_set_new(root, "exit", json_integer(ret));
		arr = NULL;
		json_dumpf(root, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(root);
	} else {
		printf("%lld violation%s, %lld occurrence%s in %s\n", (long long)n, n == 1 ? "" : "s",
		       (long long)occ, occ == 1 ? "" : "s", o->db);
	}
out:
	json_decref(arr);
	store_rows_free(q);
	store_close(st);
	return ret;
}

int cmd_check(int argc, char **argv)
{
	struct run *R = calloc(1, sizeof(*R));
	struct store *st = NULL;
	struct store_flow_iter *it = NULL;
	struct store_flow sf;
	char err[512];
	int ret = 1, rc, fam;
	size_t i;

	if (!R) {
		fprintf(stderr, "spoofaudit check: out of memory\n");
		return 1;
	}
	rc = parse_opts(argc, argv, &R->o);
	if (rc) {
		free(R);
		return rc < 0 ? 0 : rc;
	}
	if (R->o.violations) {
		rc = list_violations(&R->o);
		free(R);
		return rc;
	}
	if (load_policies(&R->o, &R->pn, &R->po) < 0)
		goto out;
	check_side_use(&R->ns, &R->pn);
	check_side_use(&R->old, &R->po);
	st = store_open(R->o.db, STORE_OPEN_READONLY, err, sizeof(err));
	if (!st) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", R->o.db, err);
		goto out;
	}
	if (store_begin(st) < 0 ||
	    store_context_each(st, R->o.since, R->o.until, check_hostctx_row, &R->hc) < 0 ||
	    !(it = store_flows_open(st, R->o.since, R->o.until))) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", R->o.db, store_errmsg(st));
		goto out;
	}
	while ((rc = store_flows_next(it, &sf)) == 1) {
		if (check_flows_add(&R->fs, &sf) < 0) {
			fprintf(stderr, "spoofaudit check: out of memory\n");
			goto out;
		}
		R->packets += sf.packets;
	}
	if (rc < 0) {
		fprintf(stderr, "spoofaudit check: %s: %s\n", R->o.db, store_errmsg(st));
		goto out;
	}
	store_flows_close(it);
	it = NULL;
	store_commit(st);
	if (check_host_build(&R->host, &R->hc, R->o.route_localnet, R->o.accept_local,
			     R->o.rp_filter) < 0 ||
	    check_flows_derive(&R->fs, &R->host) < 0 ||
	    check_evaluate(&R->ns, &R->fs, &R->host, 1) < 0 ||
	    (R->o.against && check_evaluate(&R->old, &R->fs, &R->host, 0) < 0)) {
		fprintf(stderr, "spoofaudit check: evaluation failed: %s\n", strerror(errno));
		goto out;
	}
	R->alone = calloc(R->fs.n ? R->fs.n : 1, sizeof(*R->alone));
	if (!R->alone || check_evaluate_alone(&R->ns, &R->fs, &R->host, R->alone) < 0 ||
	    check_findings(&R->g, &R->fs, &R->ns, R->alone, R->o.against ? &R->old : NULL) < 0) {
		fprintf(stderr, "spoofaudit check: out of memory\n");
		goto out;
	}
	for (i = 0; i < R->g.n; i++) {
		const struct check_group *x = &R->g.v[i];

		if (group_is_hole(x))
			R->found |= F_HOLES;
		else if (x->kind == CK_BREAKAGE)
			R->found |= F_BREAKAGE;
		else if (x->kind == CK_UNCERTAIN)
			R->found |= F_UNKNOWN;
		else if (x->kind >= CK_NEW_BLOCKED)
			R->found |= F_CHANGES;
	}
	for (fam = 0; fam < 2; fam++) {
		uint32_t r, n = R->ns.rs[fam] ? ipt_rule_count(R->ns.rs[fam]) : 0;

		for (r = 0; r < n; r++)
			if (!R->ns.hit_flows[fam][r] && !R->ns.maybe_flows[fam][r]) {
				R->ndead[fam]++;
				R->found |= F_DEAD;
			}
	}
	ret = (R->found & R->o.fail_on) ? EXIT_FINDINGS : 0;
	if (R->o.json) {
		if (print_json(R, ret) < 0)
			ret = 1;
	} else {
		print_text(R);
	}
	if (fflush(stdout) != 0)
		ret = 1;
out:
	store_flows_close(it);
	store_close(st);
	check_side_free(&R->ns);
	check_side_free(&R->old);
	policy_free(&R->pn);
	policy_free(&R->po);
	check_flows_free(&R->fs);
	check_host_free(&R->host);
	hostctx_free(&R->hc);
	check_groups_free(&R->g);
	free(R->alone);
	free(R);
	return ret;
}
