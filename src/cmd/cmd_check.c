/* This file implements `spoofaudit check`: it evaluates the flows a collector recorded
 * against an iptables ruleset (and optionally the current one) and reports spoof holes,
 * loopback breakage, per-rule real-traffic hits, rules never hit, uncertain verdicts and
 * the changes between two rulesets, as text or JSON, with an exit status that can gate a
 * deploy. The logic lives in check.c; this file owns the options and the run,
 * cmd_check_out.c the output. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/textsafe.h"
#include "common/util.h"
#include "policy/check.h"
#include "policy/policy.h"
#include "policy/rulesrc.h"
#include "cmd/cmd.h"
#include "cmd/cmd_check.h"
#include "report/report.h"
#include "report/report_cli.h"
#include "store/store.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: spoofaudit check --ruleset FILE [--ruleset6 FILE]\n"
		"                        [--against FILE|live] [--against6 FILE|live]\n"
		"                        [--db PATH] [--day D | --since T --until T]\n"
		"                        [--format text|json] [--fail-on LIST] [--top N]\n"
		"                        [--route-localnet 0|1] [--accept-local 0|1]\n"
		"                        [--ip-forward 0|1] [--ip6-forward 0|1]\n"
		"                        [--rp-filter 0|1|2]\n"
		"       spoofaudit check --violations [--db PATH]\n"
		"                        [--day D | --since T --until T]\n"
		"                        [--format text|json] [--fail-on violations]\n"
		"\n"
		"The first form evaluates every flow recorded in the database against an\n"
		"iptables-save or nftables ruleset: spoofed flows it would accept (and whether\n"
		"the kernel's martian drop stops them), loopback flows it would drop, hits per\n"
		"rule, rules never hit, flows whose verdict is uncertain, and with --against the\n"
		"flows whose verdict changes. The second lists the violations that the live\n"
		"audit (`collect --policy') stored.\n"
		"\n"
		"Both forms:\n"
		"  --db PATH           the collector's database (default ./spoofaudit.db)\n"
		"  --day D             flows of one UTC day; --since/--until take YYYY-MM-DD,\n"
		"                      YYYY-MM-DDTHH:MM[:SS] (UTC) or unix seconds\n"
		"  --format text|json  output (default text)\n"
		"\n"
		"With --ruleset:\n"
		"  --ruleset FILE      the proposed IPv4 ruleset: iptables-save text, or an\n"
		"                      nftables ruleset (`nft -j list ruleset' JSON, or nft's\n"
		"                      native syntax: needs root), told apart by content; an\n"
		"                      nftables file covers IPv6 too unless --ruleset6 is given\n"
		"  --ruleset6 FILE     the proposed IPv6 ruleset (ip6tables-save text, or nft)\n"
		"  --against FILE|live the current IPv4 ruleset to compare with (either\n"
		"                      language: iptables vs nftables shows what a migration\n"
		"                      changes); 'live' reads what the kernel runs (root):\n"
		"                      nftables' ruleset where native tables hold rules,\n"
		"                      else iptables-save's; the first lines name it\n"
		"  --against6 FILE|live the current IPv6 ruleset (default: 'live' when\n"
		"                      --against is live and --ruleset6 is given)\n"
		"  --fail-on LIST      comma list of holes,breakage,unknown,dead,changes (or\n"
		"                      all): exit 3 when one of them is found\n"
		"  --route-localnet, --accept-local, --rp-filter\n"
		"                      kernel settings for every interface, overriding the DB\n"
		"  --ip-forward 0|1    net.ipv4.ip_forward, overriding the DB, and every\n"
		"                      device's net.ipv4.conf.IF.forwarding, as writing it does\n"
		"                      (not recorded: a packet for another host is forwarded\n"
		"                      or dropped, maybe)\n"
		"  --ip6-forward 0|1   net.ipv6.conf.all.forwarding, likewise for IPv6 (0 also\n"
		"                      clears every device's force_forwarding, as writing it\n"
		"                      does)\n"
		"  --top N             print the N busiest rules in text (default all)\n"
		"\n"
		"With --violations:\n"
		"  --violations        list the stored violations: kind, evidence strength,\n"
		"                      occurrences, the flow, the intended and live verdicts,\n"
		"                      the evidence; no ruleset is evaluated\n"
		"  --fail-on violations exit 3 when a violation is listed\n"
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

/* A source given as "live" is read with iptables-save, which only root may run: says so
 * (and what to do instead) before anything is tried. Prints errors. */
static int live_permitted(const struct opts *o)
{
	const char *const opt[] = { "--ruleset", "--ruleset6", "--against", "--against6" };
	const char *const val[] = { o->ruleset, o->ruleset6, o->against, o->against6 };
	size_t i;

	if (rulesrc_can_read())
		return 0;
	for (i = 0; i < 4; i++)
		if (val[i] && !strcmp(val[i], "live")) {
			fprintf(stderr, "spoofaudit check: %s live reads the kernel's ruleset with "
				"%s, which needs root\n"
				"  run check as root, or save the ruleset as root (%s > FILE) and give "
				"%s FILE\n", opt[i], i % 2 ? "ip6tables-save" : "iptables-save",
				i % 2 ? "ip6tables-save" : "iptables-save", opt[i]);
			return -1;
		}
	return 0;
}

/* Loads the proposed rulesets into pn and --against's into po. Prints errors. */
static int load_policies(const struct opts *o, struct policy *pn, struct policy *po)
{
	struct policy_src sn[2], so[2];
	size_t nn = 0, no = 0;
	char err[1024], safe[1024];
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
		text_term(safe, sizeof(safe), err);	/* it may quote the ruleset's bytes */
		fprintf(stderr, "%s%s\n", positioned ? "" : "spoofaudit check: ", safe);
		return -1;
	}
	return 0;
}

/* --route-localnet (L), --accept-local (C), --rp-filter (P), --ip-forward (W),
 * --ip6-forward (X), --top (t). Prints errors. */
static int opt_number(int c, const char *arg, struct opts *o)
{
	if (c != 't') {
		int v, *dst = c == 'L' ? &o->route_localnet : c == 'C' ? &o->accept_local :
			      c == 'W' ? &o->ip_forward : c == 'X' ? &o->ip6_forward : &o->rp_filter;

		if (parse_01(arg, c == 'P' ? 2 : 1, &v) < 0) {
			fprintf(stderr, "spoofaudit check: --%s is %s: `%s'\n",
				c == 'L' ? "route-localnet" : c == 'C' ? "accept-local" :
				c == 'W' ? "ip-forward" : c == 'X' ? "ip6-forward" : "rp-filter",
				c == 'P' ? "0, 1 or 2" : "0 or 1", arg);
			return -1;
		}
		*dst = v;
	} else {
		char *end;
		unsigned long v = strtoul(arg, &end, 10);

		if (*end || end == arg || v > 1000000) {
			fprintf(stderr, "spoofaudit check: bad --top `%s'\n", arg);
			return -1;
		}
		o->top = (unsigned)v;
	}
	return 0;
}

static const struct option check_opts[] = {
	{"ruleset", required_argument, NULL, 'r'}, {"ruleset6", required_argument, NULL, '6'},
	{"db", required_argument, NULL, 'd'}, {"day", required_argument, NULL, 'D'},
	{"since", required_argument, NULL, 's'}, {"until", required_argument, NULL, 'u'},
	{"against", required_argument, NULL, 'a'}, {"against6", required_argument, NULL, 'A'},
	{"format", required_argument, NULL, 'f'}, {"fail-on", required_argument, NULL, 'F'},
	{"route-localnet", required_argument, NULL, 'L'},
	{"accept-local", required_argument, NULL, 'C'},
	{"rp-filter", required_argument, NULL, 'P'}, {"top", required_argument, NULL, 't'},
	{"ip-forward", required_argument, NULL, 'W'},
	{"ip6-forward", required_argument, NULL, 'X'},
	{"violations", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;
	int64_t t;

	memset(o, 0, sizeof(*o));
	o->db = "spoofaudit.db";
	o->route_localnet = o->accept_local = o->rp_filter = o->ip_forward = o->ip6_forward = -1;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", check_opts, NULL)) != -1) {
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
		case 'P':
		case 'W':
		case 'X':
		case 't':
			if (opt_number(c, optarg, o) < 0)
				return 2;
			break;
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

/* For every rule, what it would take of the flows the martian check drops first: one
 * pass over the flows. Returns 0, or -1 (ENOMEM). */
static int would_take(struct run *R)
{
	size_t i;
	int fam;

	for (fam = 0; fam < 2; fam++) {
		uint32_t n = policy_rule_count(R->ns.rs[fam]);

		R->would_packets[fam] = calloc(n + 1, sizeof(uint64_t));
		R->would_flows[fam] = calloc(n + 1, sizeof(uint64_t));
		R->would_martian[fam] = calloc(n + 1, 1);
		if (!R->would_packets[fam] || !R->would_flows[fam] || !R->would_martian[fam])
			return -1;
	}
	for (i = 0; i < R->fs.n; i++) {
		const struct check_res *r = &R->ns.res[i], *a = &R->alone[i];
		uint32_t nr;

		fam = R->fs.v[i].family == 6;
		nr = policy_rule_count(R->ns.rs[fam]);
		if (r->by != IPT_BY_MARTIAN || a->by != IPT_BY_RULE || a->rule >= nr)
			continue;
		R->would_packets[fam][a->rule] += R->fs.v[i].packets;
		R->would_flows[fam][a->rule]++;
		R->would_martian[fam][a->rule] = r->martian;
	}
	return 0;
}

/* An nftables ruleset serves both families (one ruleset, one set of rules): its IPv6
 * counts are added to the IPv4 ones and the rules are reported once (R->shared). */
static void merge_shared(struct run *R)
{
	const struct policy_rules *a = R->ns.rs[0], *b = R->ns.rs[1];
	uint32_t r, n;

	if (!a || !b || a->lang != POLICY_NFT || b->lang != POLICY_NFT || a->nft != b->nft)
		return;
	R->shared = 1;
	n = policy_rule_count(a);
	for (r = 0; r < n; r++) {
		R->ns.hit_flows[0][r] += R->ns.hit_flows[1][r];
		R->ns.hit_packets[0][r] += R->ns.hit_packets[1][r];
		R->ns.maybe_flows[0][r] += R->ns.maybe_flows[1][r];
		R->ns.maybe_packets[0][r] += R->ns.maybe_packets[1][r];
		R->would_packets[0][r] += R->would_packets[1][r];
		R->would_flows[0][r] += R->would_flows[1][r];
		if (!R->would_martian[0][r])
			R->would_martian[0][r] = R->would_martian[1][r];
	}
}

int cmd_check(int argc, char **argv)
{
	struct run *R = calloc(1, sizeof(*R));
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
		rc = cmd_check_violations(R->o.db, R->o.json, R->o.since, R->o.until,
					  !!(R->o.fail_on & F_VIOLATIONS));
		free(R);
		return rc;
	}
	if (live_permitted(&R->o) < 0 || load_policies(&R->o, &R->pn, &R->po) < 0)
		goto out;
	check_side_use(&R->ns, &R->pn);
	check_side_use(&R->old, &R->po);
	if (cmd_check_read_db(R) < 0)
		goto out;
	if (check_host_build(&R->host, &R->hc, R->o.route_localnet, R->o.accept_local,
			     R->o.rp_filter) < 0 ||
	    check_host_forward(&R->host, R->o.ip_forward, R->o.ip6_forward) < 0 ||
	    cmd_check_derive(R) < 0 ||
	    check_evaluate(&R->ns, &R->fs, &R->host, 1) < 0 ||
	    (R->o.against && (check_evaluate(&R->old, &R->fs, &R->host, 1) < 0 ||
				 !(R->old_alone = calloc(R->fs.n + 1, sizeof(*R->old_alone))) ||
				 check_evaluate_alone(&R->old, &R->fs, &R->host, R->old_alone) < 0 ||
				 check_rdiff(&R->rd, &R->old, R->old_alone, &R->ns, &R->fs) < 0))) {
		fprintf(stderr, "spoofaudit check: evaluation failed: %s\n", strerror(errno));
		goto out;
	}
	R->alone = calloc(R->fs.n ? R->fs.n : 1, sizeof(*R->alone));
	if (!R->alone || check_evaluate_alone_dropped(&R->ns, &R->fs, &R->host, R->alone) < 0 ||
	    check_findings_packets(&R->g, &R->fs, &R->ns, R->alone,
				   R->o.against ? &R->old : NULL) < 0) {
		fprintf(stderr, "spoofaudit check: out of memory\n");
		goto out;
	}
	if (would_take(R) < 0) {
		fprintf(stderr, "spoofaudit check: out of memory\n");
		goto out;
	}
	merge_shared(R);
	for (i = 0; i < R->g.n; i++) {
		const struct check_group *x = &R->g.v[i];

		if (cmd_check_group_is_hole(x))
			R->found |= F_HOLES;
		else if (x->kind == CK_BREAKAGE)
			R->found |= F_BREAKAGE;
		else if (x->kind == CK_UNCERTAIN)
			R->found |= F_UNKNOWN;
		else if (x->kind >= CK_NEW_BLOCKED)
			R->found |= F_CHANGES;
	}
	for (fam = 0; fam < 2 - R->shared; fam++) {
		uint32_t r, n = policy_rule_count(R->ns.rs[fam]);

		for (r = 0; r < n; r++)
			if (!R->ns.hit_flows[fam][r] && !R->ns.maybe_flows[fam][r]) {
				R->ndead[fam]++;
				R->found |= F_DEAD;
			}
	}
	ret = (R->found & R->o.fail_on) ? EXIT_FINDINGS : 0;
	if (R->o.json) {
		if (cmd_check_print_json(R, ret) < 0)
			ret = 1;
	} else {
		cmd_check_print_text(R);
	}
	if (fflush(stdout) != 0)
		ret = 1;
out:
	check_side_free(&R->ns);
	check_side_free(&R->old);
	policy_free(&R->pn);
	policy_free(&R->po);
	check_flows_free(&R->fs);
	check_host_free(&R->host);
	hostctx_free(&R->hc);
	check_groups_free(&R->g);
	for (fam = 0; fam < 2; fam++) {
		free(R->would_packets[fam]);
		free(R->would_flows[fam]);
		free(R->would_martian[fam]);
	}
	check_rchanges_free(&R->rd);
	free(R->alone);
	free(R->old_alone);
	free(R);
	return ret;
}
