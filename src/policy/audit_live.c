/* This file contains the live policy audit's view of the live kernel ruleset: compared
 * rule by rule with the intended policy (ruleset_differs), the recorded flows whose
 * verdict the difference changes (live_differs), and how outcomes are described. */
#include "policy/audit_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/classify.h"
#include "common/plural.h"
#include "common/util.h"
#include "policy/rulesrc.h"

/* ---- describing ---- */

/* Rule `rule' of slot fam of s as text (iptables: its canonical form; nftables: its line
 * of the file, or its name when read as JSON) into buf; 0, or -1. */
static int rule_text(const struct evalset *s, int fam, uint32_t rule, char *buf, size_t len)
{
	struct policy_rules pr;

	buf[0] = '\0';
	if (policy_rules_of(&s->pol, fam, &pr) < 0 || rule == IPT_NONE)
		return -1;
	if (pr.lang == POLICY_IPTABLES) {
		char *t = audit_rule_text(pr.ipt, rule);

		if (!t)
			return -1;
		snprintf(buf, len, "%s", t);
		free(t);
		return 0;
	}
	if (policy_rule_text(&pr, rule, buf, len) <= 0)
		policy_rule_name(&pr, rule, buf, len);
	return 0;
}

void audit_res_desc(const struct audit *a, int live, int fam, const struct check_res *r,
		     char *buf, size_t len)
{
	const struct evalset *s = live ? &a->lv : &a->in, *o = live ? &a->in : &a->lv;
	struct policy_rules pr;
	size_t n;

	check_res_text(policy_rules_of(&s->pol, fam, &pr) == 0 ? &pr : NULL, r, buf, len);
	if (r->by == IPT_BY_RULE && r->rule != IPT_NONE && policy_has(&s->pol, fam)) {
		char t[600];

		n = strlen(buf);
		if (rule_text(s, fam, r->rule, t, sizeof(t)) == 0 && n + 8 < len)
			snprintf(buf + n, len - n, " `%s'", t);
		n = strlen(buf);
		if (policy_has(&o->pol, fam) && a->live_known[fam] && s->match[fam] &&
		    !s->match[fam][r->rule])
			snprintf(buf + n, len - n, live ? " (not in the intended policy)" :
				 " (missing from the live ruleset)");
	}
}

void audit_flow_text(const struct check_flow *f, const char *ifname,
		      char *buf, size_t len)
{
	struct check_flows fs;
	char names[1][32];

	memset(&fs, 0, sizeof(fs));
	snprintf(names[0], sizeof(names[0]), "%s", ifname);
	fs.v = (struct check_flow *)f;
	fs.n = 1;
	fs.ifnames = names;
	fs.nifnames = 1;
	check_flow_describe(&fs, 0, buf, len);
}

/* Rules on the flow's path in one ruleset that the other does not have. */
struct pathacc {
	const uint8_t *match;
	uint32_t rule[3];
	unsigned n;
};

static void on_path_rule(void *arg, uint32_t rule, int matched)
{
	struct pathacc *p = arg;
	unsigned i;

	if (matched != 1 || p->match[rule] || p->n == 3)
		return;
	for (i = 0; i < p->n; i++)
		if (p->rule[i] == rule)
			return;
	p->rule[p->n++] = rule;
}

void audit_path_diff(struct audit *a, int fam, const struct check_flow *f, const char *ifname,
		      char *buf, size_t len)
{
	size_t used = 0;
	int live;

	buf[0] = '\0';
	for (live = 0; live < 2; live++) {
		struct evalset *s = live ? &a->lv : &a->in;
		struct pathacc acc;
		struct ipt_packet p;
		struct ipt_result r;
		unsigned i;

		if (!s->ev[fam] || !s->match[fam])
			continue;
		memset(&acc, 0, sizeof(acc));
		acc.match = s->match[fam];
		check_flow_to_packet(f, ifname, &p);
		policy_eval_set_hook(s->ev[fam], on_path_rule, &acc);
		policy_eval_packet(s->ev[fam], &p, &r);
		policy_eval_set_hook(s->ev[fam], NULL, NULL);
		for (i = 0; i < acc.n && used + 16 < len; i++) {
			char rn[128], t[600];
			struct policy_rules pr;

			check_rule_name(policy_rules_of(&s->pol, fam, &pr) == 0 ? &pr : NULL,
					acc.rule[i], rn, sizeof(rn));
			if (rule_text(s, fam, acc.rule[i], t, sizeof(t)) < 0)
				snprintf(t, sizeof(t), "?");
			used += (size_t)snprintf(buf + used, len - used, "%s%s %s `%s'", used ? "; " : "",
						 live ? "live-only rule on its path:" :
						 "rule on its path missing from the live ruleset:",
						 rn, t);
			if (used >= len)
				used = len - 1;
		}
	}
}

/* ---- the live ruleset ---- */

void audit_on_rdiff(void *arg, const struct audit_rdiff *d)
{
	struct diffctx *x = arg;
	char msg[1200], sig[1200];
	const char *fl = x->fam ? "IPv6" : "IPv4";

	x->n++;
	switch (d->op) {
	case AUDIT_RD_REMOVED:
		snprintf(msg, sizeof(msg), "%s %s %s: rule missing from the %s: `%s'", fl, d->table,
			 d->chain, x->what_l, d->text_i);
		break;
	case AUDIT_RD_ADDED:
		snprintf(msg, sizeof(msg), "%s %s %s: rule added in the %s: `%s'", fl, d->table,
			 d->chain, x->what_l, d->text_l);
		break;
	case AUDIT_RD_CHANGED:
		snprintf(msg, sizeof(msg), "%s %s %s: rule changed: %s `%s', %s `%s'", fl, d->table,
			 d->chain, x->what_i, d->text_i, x->what_l, d->text_l);
		break;
	default:
		snprintf(msg, sizeof(msg), "%s %s %s: policy changed: %s %s, %s %s", fl, d->table,
			 d->chain, x->what_i, ipt_verdict_name(d->intended_policy), x->what_l,
			 ipt_verdict_name(d->live_policy));
		break;
	}
	if (x->info) {
		struct alert_line l;

		memset(&l, 0, sizeof(l));
		l.kind = "info";
		l.ts_usec = util_now_usec();
		l.text = msg;
		alert_emit(x->a->o.alert, &l);
		return;
	}
	{
		struct vio v;
		char full[1300];

		audit_sig(sig, sizeof(sig), AK_RULESET_DIFFERS, "%.1100s", msg);
		snprintf(full, sizeof(full), "live ruleset differs from intended: %s", msg);
		memset(&v, 0, sizeof(v));
		v.kind = AK_RULESET_DIFFERS;
		v.sig = sig;
		v.flow = full;
		v.family = x->fam ? 6 : 4;
		v.intended = d->text_i ? d->text_i : "";
		v.live = d->text_l ? d->text_l : "";
		v.force = 1;	/* the live ruleset changed (or was read first): say it all */
		audit_violation(x->a, &v);
	}
}

/* The recorded flows of the window whose verdict the difference changes, by group. */
static void check_recorded(struct audit *a, int fam)
{
	struct check_flows fs;
	struct check_side si, sl;
	struct check_groups g;
	struct store_flow_iter *it;
	struct store_flow sf;
	int64_t since = (int64_t)(util_now_usec() / 1000000u) - (int64_t)a->o.window_s;
	size_t i;
	int rc;

	memset(&fs, 0, sizeof(fs));
	memset(&si, 0, sizeof(si));
	memset(&sl, 0, sizeof(sl));
	memset(&g, 0, sizeof(g));
	if (collector_flush(a->c, 0) < 0)
		return;
	it = store_flows_open(a->st, since - (since % 3600), 0);
	if (!it)
		return;
	while ((rc = store_flows_next(it, &sf)) == 1 && fs.n < a->o.window_max_flows)
		if ((sf.family == 6) == fam && check_flows_add(&fs, &sf) < 0)
			break;
	store_flows_close(it);
	if (check_flows_derive(&fs, &a->h) < 0)
		goto out;
	check_side_use(&si, &a->in.pol);
	check_side_use(&sl, &a->lv.pol);
	if (check_evaluate(&si, &fs, &a->h, 0) < 0 || check_evaluate(&sl, &fs, &a->h, 0) < 0 ||
	    check_findings(&g, &fs, &si, NULL, &sl) < 0)
		goto out;
	for (i = 0; i < g.n; i++) {
		const struct check_group *x = &g.v[i];
		char flow[1400], ex[1000], is[600], ls[600], sig[300], pd[800], evd[900];
		const struct check_flow *f;
		struct vio v;
		size_t used = 0;
		unsigned k;

		if (x->kind < CK_NEW_BLOCKED || x->kind == CK_NEW_CERTAIN || !x->nex)
			continue;
		f = &fs.v[x->ex[0]];
		for (k = 0; k < x->nex; k++) {
			const struct check_flow *fk = &fs.v[x->ex[k]];
			char one[300], svc[64] = "";

			check_flow_describe(&fs, x->ex[k], one, sizeof(one));
			if (fk->loopback && (fk->proto == 6 || fk->proto == 17))
				snprintf(svc, sizeof(svc), ", service %s/%u", fk->proto == 6 ? "tcp" : "udp",
					 fk->dport ? fk->dport : fk->sport);
			used += (size_t)snprintf(ex + used, sizeof(ex) - used, "%s%s%s", k ? "; " : "", one, svc);
			if (used >= sizeof(ex))
				used = sizeof(ex) - 1;
		}
		audit_path_diff(a, fam, f, fs.ifnames[f->iface], pd, sizeof(pd));
		snprintf(evd, sizeof(evd), "recorded traffic evaluated against both rulesets%s%s",
			 pd[0] ? "; " : "", pd);
		snprintf(flow, sizeof(flow), "%llu recorded flow%s (%llu packet%s) %s, e.g. %s",
			 (unsigned long long)x->flows, plural_s(x->flows),
			 (unsigned long long)x->packets, plural_s(x->packets),
			 x->kind == CK_NEW_ACCEPTED ? "that the intended policy accepts and the live "
			 "ruleset blocks" : x->kind == CK_NEW_BLOCKED ? "that the intended policy "
			 "blocks and the live ruleset accepts" : check_kind_names[x->kind], ex);
		audit_res_desc(a, 0, fam, &x->a, is, sizeof(is));
		audit_res_desc(a, 1, fam, &x->b, ls, sizeof(ls));
		audit_sig(sig, sizeof(sig), AK_LIVE_DIFFERS, "recorded|%s|%d|%s|%u|%u|%u|%u",
			 check_kind_names[x->kind], fam, x->label, x->a.rule, x->a.chain, x->b.rule,
			 x->b.chain);
		memset(&v, 0, sizeof(v));
		v.kind = AK_LIVE_DIFFERS;
		v.sig = sig;
		v.flow_id = f->id;
		v.flow = flow;
		v.iface = fs.ifnames[f->iface];
		v.cls = check_class_name(f->cls);
		v.family = f->family;
		v.proto = f->proto;
		v.dport = f->dport;
		v.intended = is;
		v.live = ls;
		v.evidence = evd;
		v.force = 1;
		v.count = x->flows;
		v.packets = x->packets;
		audit_violation(a, &v);
	}
out:
	check_side_free(&si);
	check_side_free(&sl);
	check_groups_free(&g);
	check_flows_free(&fs);
}

/* Compares the live ruleset of family fam with the intended one. */
void audit_compare_live(struct audit *a, int fam)
{
	struct policy_rules pi, pl;
	struct diffctx x;

	memset(&x, 0, sizeof(x));
	x.a = a;
	x.fam = fam;
	x.what_i = "intended";
	x.what_l = "live ruleset";
	a->live_same[fam] = 0;
	if (policy_rules_of(&a->in.pol, fam, &pi) < 0 || policy_rules_of(&a->lv.pol, fam, &pl) < 0)
		return;
	if (audit_rules_diff(&pi, &pl, fam, a->in.match[fam], a->lv.match[fam], audit_on_rdiff,
			     &x) < 0) {
		char msg[400];

		if (errno != EXDEV)
			return;
		/* two languages: no rule is said to be missing; the verdicts are compared */
		memset(a->in.match[fam], 1, policy_rule_count(&pi));
		memset(a->lv.match[fam], 1, policy_rule_count(&pl));
		snprintf(msg, sizeof(msg), "the live %s ruleset is %s and the intended policy "
			 "%s: their rules are not paired; comparing the verdicts of the flows "
			 "recorded in the last %us, and of every new flow", fam ? "IPv6" : "IPv4",
			 pl.lang == POLICY_NFT ? "nftables" : "iptables",
			 pi.lang == POLICY_NFT ? "nftables" : "iptables", a->o.window_s);
		audit_info(a, msg);
		check_recorded(a, fam);
		return;
	}
	a->live_same[fam] = x.n == 0;
	if (x.n) {
		struct alert_line l;
		char msg[200];

		snprintf(msg, sizeof(msg), "the live %s ruleset differs from the intended policy "
			 "in %d place%s; checking the flows recorded in the last %us",
			 fam ? "IPv6" : "IPv4", x.n, x.n == 1 ? "" : "s", a->o.window_s);
		memset(&l, 0, sizeof(l));
		l.kind = "info";
		l.ts_usec = util_now_usec();
		l.text = msg;
		alert_emit(a->o.alert, &l);
		check_recorded(a, fam);
	}
}

void audit_info(struct audit *a, const char *msg)
{
	struct alert_line l;

	memset(&l, 0, sizeof(l));
	l.kind = "info";
	l.ts_usec = util_now_usec();
	l.text = msg;
	alert_emit(a->o.alert, &l);
}

void audit_set_live(struct audit *a, int fam4or6, const struct rulesrc_reply *x)
{
	int fam = fam4or6 == 6;
	struct policy lp;
	struct policy_rules pr;
	uint64_t h;
	char msg[1200], perr[600];

	if (!policy_has(&a->in.pol, fam))
		return;	/* no intended policy for this family: nothing to compare */
	if (x->native[fam])	/* nftables' ruleset is the live one (rulesrc.h) */
		h = x->nft_status == RULESRC_OK && x->nft_json ?
		    audit_nft_json_hash(x->nft_json, x->nft_len) : 0;
	else
		h = x->status[fam] == RULESRC_OK ? audit_rules_hash(x->text[fam], x->len[fam]) : 0;
	if (a->live_known[fam] && h && h == a->live_hash[fam])
		return;
	memset(&lp, 0, sizeof(lp));
	if (!h || policy_load_reply(&lp, fam4or6, x, perr, sizeof(perr)) < 0) {
		if (!h)
			snprintf(perr, sizeof(perr), "%s", x->native[fam] ? (x->nft_json ? x->nft_json :
				 "nft listed nothing") : x->text[fam] ? x->text[fam] : "no answer");
		if (a->live_known[fam] || strncmp(a->live_note[fam], perr, 250)) {
			snprintf(msg, sizeof(msg), "cannot read the live %s ruleset: %s",
				 fam ? "IPv6" : "IPv4", perr);
			audit_info(a, msg);
		}
		snprintf(a->live_note[fam], sizeof(a->live_note[fam]), "%.250s", perr);
		a->live_known[fam] = 0;
		policy_free(&lp);
		return;
	}
	a->live_note[fam][0] = '\0';
	if (audit_evalset_set(a, &a->lv, fam, &lp) < 0) {
		policy_free(&lp);
		a->live_known[fam] = 0;
		return;
	}
	policy_free(&lp);
	if (a->lv.pol.warn[fam][0])
		audit_info(a, a->lv.pol.warn[fam]);
	policy_rules_of(&a->lv.pol, fam, &pr);
	snprintf(msg, sizeof(msg), "read the live %s ruleset (%u rule%s; %s)%s",
		 fam ? "IPv6" : "IPv4", policy_rule_count(&pr), plural_s(policy_rule_count(&pr)),
		 a->lv.pol.origin[fam], a->live_known[fam] ? ": it changed" : "");
	audit_info(a, msg);
	a->live_known[fam] = 1;
	a->live_hash[fam] = h;
	memset(a->pfx_state, 0, sizeof(a->pfx_state));
	audit_compare_live(a, fam);
	if (a->live_same[fam]) {
		snprintf(msg, sizeof(msg), "the live %s ruleset equals the intended policy",
			 fam ? "IPv6" : "IPv4");
		audit_info(a, msg);
	}
}
