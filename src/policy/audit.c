/* This file contains the live policy audit's setup (see audit.h): the intended policy
 * loaded and reloaded (SIGHUP) through the one ruleset loader, the evaluators over the
 * host context read from the kernel, the collector hooks, and the summary. The per-flow
 * checks are in audit_flow.c, the evidence joins in audit_evidence.c, the live ruleset in
 * audit_live.c, violations in audit_vio.c (audit_int.h). */
#include "policy/audit_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "classify/classify.h"
#include "common/plural.h"
#include "common/util.h"

const char *const audit_kind_names[AK_COUNT] = {
	"spoof_accepted", "loopback_blocked", "live_reply", "live_nflog_drop", "live_no_reply",
	"live_differs", "ruleset_differs",
};

void audit_opts_default(struct audit_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->alert = alert_default();
	o->repeat_s = 60;
	o->lines_per_s = 10;
	o->noreply_attempts = 3;
	o->noreply_wait_s = 5;
	o->window_s = 3600;
	o->window_max_flows = 200000;
}

/* ---- rulesets ---- */

static void evalset_free_family(struct evalset *s, int f)
{
	struct policy gone;

	memset(&gone, 0, sizeof(gone));
	policy_eval_free(s->ev[f]);
	policy_move(&gone, &s->pol, f);
	policy_free(&gone);
	free(s->match[f]);
	s->ev[f] = NULL;
	s->match[f] = NULL;
}

/* An evaluator of slot f of s over the host context; -1 ENOMEM. */
static int evalset_eval(struct audit *a, struct evalset *s, int f)
{
	struct policy_rules pr;

	policy_eval_free(s->ev[f]);
	s->ev[f] = NULL;
	if (policy_rules_of(&s->pol, f, &pr) < 0)
		return 0;
	s->ev[f] = policy_eval_new(&pr, &a->h.ctx);
	return s->ev[f] ? 0 : -1;
}

/* Takes family slot f of p (parsed and compiled) into s, with an evaluator over the host
 * context; p's slot becomes empty. */
int audit_evalset_set(struct audit *a, struct evalset *s, int f, struct policy *p)
{
	struct policy_rules pr;

	evalset_free_family(s, f);
	if (!policy_has(p, f))
		return 0;
	policy_move(&s->pol, p, f);
	memcpy(s->pol.origin[f], p->origin[f], sizeof(p->origin[f]));
	memcpy(s->pol.warn[f], p->warn[f], sizeof(p->warn[f]));
	policy_rules_of(&s->pol, f, &pr);
	s->match[f] = calloc(policy_rule_count(&pr) + 1, 1);
	if (!s->match[f] || evalset_eval(a, s, f) < 0) {
		evalset_free_family(s, f);
		return -1;
	}
	return 0;
}

/* Evaluators borrow the host context: rebuild them after it changed. */
static int evalset_renew(struct audit *a, struct evalset *s)
{
	int f;

	for (f = 0; f < 2; f++)
		if (policy_has(&s->pol, f) && evalset_eval(a, s, f) < 0)
			return -1;
	return 0;
}

/* ---- host context, as `check` builds it from the database, here from the kernel ---- */

static int host_build(struct audit *a, struct check_host *h, uint64_t *hash)
{
	struct hostinfo *hi = calloc(1, sizeof(*hi));
	struct hostctx hc;
	unsigned i;
	int ret = -1;

	memset(&hc, 0, sizeof(hc));
	memset(h, 0, sizeof(*h));
	if (!hi)
		return -1;
	if (hostinfo_read(hi) < 0)
		hi->n_addrs = hi->n_ifaces = 0;
	if (hostctx_read_kernel(&hc, hi) < 0)
		goto out;
	for (i = 0; i < a->c->n_ifaces; i++) {
		const struct iface_info *ifc = &a->c->ifaces[i].info;

		if (hostctx_add_iface(&hc, ifc->name, ifc->role, ifc->prefixes, ifc->n_prefixes) < 0)
			goto out;
	}
	if (check_host_build(h, &hc, -1, -1, -1) < 0)
		goto out;
	*hash = hostctx_hash(&hc);
	ret = 0;
out:
	hostctx_free(&hc);
	free(hi);
	return ret;
}

void audit_refresh_host(struct audit *a)
{
	struct check_host h;
	uint64_t hash;

	if (host_build(a, &h, &hash) < 0)
		return;
	if (hash == a->host_hash) {
		check_host_free(&h);
		return;
	}
	check_host_free(&a->h);
	a->h = h;
	a->host_hash = hash;
	if (evalset_renew(a, &a->in) < 0 || evalset_renew(a, &a->lv) < 0)
		util_log(LOG_LVL_ERR, "policy audit: out of memory renewing evaluators");
}

/* ---- periodic ---- */

void audit_tick(struct audit *a, uint64_t now)
{
	if (now - a->last_scan_usec < 1000000u)
		return;
	a->last_scan_usec = now;
	audit_tick_repeats(a, now);
	audit_tick_noreply(a, now);
}

/* ---- setup ---- */

/* The intended policy's files, through the one ruleset loader. */
static int load_intended(const struct audit_opts *o, struct policy *p, char *err, size_t errlen)
{
	struct policy_src src[2];
	size_t n = 0;
	int f;

	memset(p, 0, sizeof(*p));
	memset(src, 0, sizeof(src));
	for (f = 0; f < 2; f++)
		if (o->policy[f]) {
			src[n].kind = POLICY_FILE;
			src[n].lang = POLICY_IPTABLES;	/* a file's is its content's */
			src[n].family = f ? 6 : 4;
			src[n].path = o->policy[f];
			n++;
		}
	return policy_load(p, src, n, NULL, err, errlen);
}

struct audit *audit_new(const struct audit_opts *o, struct collector *c, struct store *st,
			int64_t run_id, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));
	struct policy pol;
	int f;

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	a->o = *o;
	a->c = c;
	a->st = st;
	a->run_id = run_id;
	a->dropped = calloc(DROPPED_SLOTS, sizeof(*a->dropped));
	a->replies = calloc(REPLY_SLOTS, sizeof(*a->replies));
	a->sigs = calloc(SIG_SLOTS, sizeof(*a->sigs));
	a->pend = calloc(PEND_MAX, sizeof(*a->pend));
	a->noreply = calloc(NOREPLY_SLOTS, sizeof(*a->noreply));
	a->services = calloc(SERVICE_SLOTS, sizeof(*a->services));
	a->pfx_why = calloc(COLLECTOR_MAX_PREFIXES, sizeof(*a->pfx_why));
	if (!a->dropped || !a->replies || !a->sigs || !a->pend || !a->noreply || !a->services ||
	    !a->pfx_why) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	if (host_build(a, &a->h, &a->host_hash) < 0) {
		snprintf(err, errlen, "cannot read the host's context: out of memory");
		goto fail;
	}
	if (load_intended(o, &pol, err, errlen) < 0)
		goto fail;
	for (f = 0; f < 2; f++)
		if (audit_evalset_set(a, &a->in, f, &pol) < 0) {
			snprintf(err, errlen, "out of memory");
			policy_free(&pol);
			goto fail;
		}
	a->tokens = (a->o.lines_per_s ? a->o.lines_per_s : 1) * 10.0;
	a->tokens_usec = util_now_usec();
	alert_open(o->alert);
	c->hooks.packet = audit_on_packet;
	c->hooks.nflog = audit_on_nflog;
	c->hooks.flush = audit_on_flush;
	c->hooks.handoff = audit_on_handoff;
	c->hooks.arg = a;
	return a;
fail:
	audit_free(a);
	return NULL;
}

int audit_reload(struct audit *a, char *err, size_t errlen)
{
	struct policy np;
	int f;

	if (load_intended(&a->o, &np, err, errlen) < 0)
		return -1;
	for (f = 0; f < 2; f++) {
		struct policy_rules ro, rn;
		struct diffctx x;
		uint8_t *mo = NULL, *mn = NULL;
		char msg[300];
		int rc = 0;

		if (policy_rules_of(&np, f, &rn) < 0)
			continue;
		memset(&x, 0, sizeof(x));
		x.a = a;
		x.fam = f;
		x.info = 1;
		x.what_i = "before";
		x.what_l = "reloaded policy";
		if (policy_rules_of(&a->in.pol, f, &ro) == 0) {
			mo = calloc(policy_rule_count(&ro) + 1, 1);
			mn = calloc(policy_rule_count(&rn) + 1, 1);
			if (mo && mn)
				rc = audit_rules_diff(&ro, &rn, f, mo, mn, audit_on_rdiff, &x);
		}
		free(mo);
		free(mn);
		if (rc < 0 && errno == EXDEV) {
			snprintf(msg, sizeof(msg), "reloaded the intended %s policy %s: now %s, "
				 "before %s; its rules are not paired with the old ones",
				 f ? "IPv6" : "IPv4", a->o.policy[f] ? a->o.policy[f] : a->o.policy[0],
				 rn.lang == POLICY_NFT ? "nftables" : "iptables",
				 rn.lang == POLICY_NFT ? "iptables" : "nftables");
			audit_info(a, msg);
		} else
		{
			snprintf(msg, sizeof(msg), "reloaded the intended %s policy %s: %d change%s",
				 f ? "IPv6" : "IPv4", a->o.policy[f] ? a->o.policy[f] : a->o.policy[0],
				 x.n, x.n == 1 ? "" : "s");
			audit_info(a, msg);
		}
		if (audit_evalset_set(a, &a->in, f, &np) < 0) {
			snprintf(err, errlen, "out of memory");
			policy_free(&np);
			return -1;
		}
		a->live_same[f] = 0;
		if (a->live_known[f] && policy_has(&a->lv.pol, f)) {
			memset(a->pfx_state, 0, sizeof(a->pfx_state));
			audit_compare_live(a, f);
			if (a->live_same[f])
				audit_info(a, f ? "the live IPv6 ruleset equals the intended policy" :
				     "the live IPv4 ruleset equals the intended policy");
		}
	}
	policy_free(&np);
	return 0;
}

void audit_get_stats(const struct audit *a, struct audit_stats *s)
{
	*s = a->s;
}

void audit_summary(const struct audit *a, FILE *f)
{
	int k;

	fprintf(f, "collect: policy audit: %llu new flow%s evaluated (%llu against the live "
		"ruleset too), %llu violation%s, %llu line%s (%llu rate-limited)\n",
		(unsigned long long)a->s.flows_evaluated, plural_s(a->s.flows_evaluated),
		(unsigned long long)a->s.live_evaluated, (unsigned long long)a->s.violations,
		plural_s(a->s.violations), (unsigned long long)a->s.lines, plural_s(a->s.lines),
		(unsigned long long)a->s.lines_suppressed);
	if (a->s.flows_evaluated)
		fprintf(f, "collect: policy audit: evaluation %.0f ns per new flow (%.0f flows/s of "
			"evaluator time)\n", (double)a->s.eval_nsec / (double)a->s.flows_evaluated,
			a->s.eval_nsec ? (double)a->s.flows_evaluated * 1e9 / (double)a->s.eval_nsec : 0.0);
	for (k = 0; k < AK_COUNT; k++)
		if (a->s.kind[k])
			fprintf(f, "  %-20s %llu\n", audit_kind_names[k],
				(unsigned long long)a->s.kind[k]);
}

void audit_free(struct audit *a)
{
	size_t i;
	int f;

	if (!a)
		return;
	if (a->c && a->c->hooks.arg == a)
		memset(&a->c->hooks, 0, sizeof(a->c->hooks));
	for (f = 0; f < 2; f++) {
		evalset_free_family(&a->in, f);
		evalset_free_family(&a->lv, f);
	}
	if (a->pend)
		for (i = 0; i < a->npend; i++)
			audit_pend_free(&a->pend[i]);
	alert_close(a->o.alert);
	check_host_free(&a->h);
	free(a->dropped);
	free(a->replies);
	free(a->sigs);
	free(a->pend);
	free(a->noreply);
	free(a->services);
	free(a->pfx_why);
	free(a);
}
