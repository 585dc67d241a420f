/* Unit tests for the evaluator's and the parser's work bounds (GitHub issue 14, item 3):
 * rulesets whose unknown matches used to fork the evaluation exponentially, a ruleset
 * whose work is exponential without any unknown match (the step bound), a 20 000-chain
 * jump chain for the parser, and the stop flags. Work is asserted through the counters
 * the library exposes (struct ipt_result.steps, struct ipt_parse_opts.ops), never time.
 * Expected verdicts are worked out by hand from iptables(8) in the comment of each row;
 * every ruleset is put in filter OUTPUT and evaluated on the LOCAL_OUT path (OUTPUT then
 * POSTROUTING, no routing decision), so that only the rules shown decide. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/ipt.h"

/* A growable text buffer for generated rulesets. */
struct text {
	char *s;
	size_t len, cap;
};

static void addf(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void addf(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->s ? t->s + t->len : NULL, t->s ? t->cap - t->len : 0, fmt, ap);
		va_end(ap);
		assert_true(n >= 0);
		if (t->s && t->len + (size_t)n < t->cap)
			break;
		t->cap = (t->cap + (size_t)n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		assert_non_null(t->s);
	}
	t->len += (size_t)n;
}

static struct ipt_ruleset *parse(const struct text *t)
{
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(t->s, t->len, "bound", 4, &err);

	if (!rs)
		fail_msg("%u:%u: %s", err.line, err.col, err.msg);
	return rs;
}

static void tcp_out(struct ipt_packet *p, unsigned dport)
{
	ipt_packet_init(p, 4, IPT_PATH_LOCAL_OUT);
	p->proto = 6;
	p->src[0] = 192, p->src[1] = 0, p->src[2] = 2, p->src[3] = 1;
	p->dst[0] = 198, p->dst[1] = 51, p->dst[2] = 100, p->dst[3] = 7;
	p->sport = 40000;
	p->dport = (uint16_t)dport;
	p->tcp_flags = IPT_TCP_SYN;
	snprintf(p->out_if, sizeof(p->out_if), "eth0");
}

/* Evaluates p with the plain walk and with the compiled fast path; both must give the
 * same possible set, limit and step count. Returns the plain result in *res. */
static void eval_both(const struct ipt_ruleset *rs, const struct ipt_packet *p,
		      struct ipt_result *res)
{
	struct ipt_eval *plain = ipt_eval_new(rs, NULL), *fast = ipt_eval_new(rs, NULL);
	struct ipt_compiled *cp = ipt_compile(rs);
	struct ipt_result b;

	assert_non_null(plain);
	assert_non_null(fast);
	assert_non_null(cp);
	assert_int_equal(ipt_eval_set_compiled(fast, cp), 0);
	assert_int_equal(ipt_eval_packet(plain, p, res), 0);
	assert_int_equal(ipt_eval_packet(fast, p, &b), 0);
	assert_int_equal(res->possible, b.possible);
	assert_int_equal(res->verdict, b.verdict);
	assert_int_equal(res->limit, b.limit);
	assert_int_equal(res->steps, b.steps);
	ipt_eval_free(plain);
	ipt_eval_free(fast);
	ipt_compiled_free(cp);
}

/* The 24-line ruleset: OUTPUT jumps to C1; C1..C4 each jump to the next chain
 * under three undecidable matches (limit, mark of an unknown mark, statistic); C5 drops
 * under limit. By hand: when every unknown match is false nothing jumps and OUTPUT's
 * policy ACCEPTs; when the jumps and C5's limit hold the packet is dropped; nothing
 * rejects. So UNKNOWN with possible {ACCEPT, DROP}, exactly (no bound). Unmerged, the
 * branches multiply by 12 per chain (each subset of C_i's three jumps, each taken one a
 * visit of C_i+1), about 12^5 worlds each walking the rest of the path. */
static void make_five(struct text *t)
{
	int i;

	addf(t, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
	for (i = 1; i <= 5; i++)
		addf(t, ":C%d - [0:0]\n", i);
	addf(t, "-A OUTPUT -j C1\n");
	for (i = 1; i <= 4; i++)
		addf(t,
		     "-A C%d -m limit --limit 1/sec -j C%d\n"
		     "-A C%d -m mark --mark 0x1 -j C%d\n"
		     "-A C%d -m statistic --mode random --probability 0.5 -j C%d\n",
		     i, i + 1, i, i + 1, i, i + 1);
	addf(t, "-A C5 -m limit --limit 1/sec -j DROP\nCOMMIT\n");
}

static void test_five_chains(void **state)
{
	struct text t = {0};
	struct ipt_ruleset *rs;
	struct ipt_packet p;
	struct ipt_result res;
	int lines = 0;
	size_t k;

	(void)state;
	make_five(&t);
	for (k = 0; k < t.len; k++)
		lines += t.s[k] == '\n';
	assert_int_equal(lines, 24);
	rs = parse(&t);
	tcp_out(&p, 22);
	eval_both(rs, &p, &res);
	assert_int_equal(res.limit, IPT_LIMIT_NONE);
	assert_string_equal(res.reason, "");
	assert_int_equal(res.verdict, IPT_V_UNKNOWN);
	assert_int_equal(res.possible, IPT_VSET_ACCEPT | IPT_VSET_DROP);
	/* merged: one walk per distinct call stack (3^4 of C1..C4 positions at most) */
	assert_true(res.steps < 5000);
	ipt_ruleset_free(rs);
	free(t.s);
}

/* N per-service chains: OUTPUT (policy DROP) jumps to svc1..svcN in turn, then drops
 * tcp/22; svcI returns under an unknown match (recent) and else accepts tcp/(1000+I).
 * By hand: a packet to port 22 matches no svc ACCEPT whichever way the recent matches
 * go, so every branch reaches "-p tcp --dport 22 -j DROP": DROP, exact. A packet to
 * port 1005: with svc5's recent false it is accepted in svc5; with it true svc5 returns,
 * no later rule matches port 1005, and the policy drops it: UNKNOWN {ACCEPT, DROP}.
 * Unmerged, each svc doubles the branches (2^20 for N = 20). */
static void make_services(struct text *t, int n)
{
	int i;

	addf(t, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT DROP [0:0]\n");
	for (i = 1; i <= n; i++)
		addf(t, ":svc%d - [0:0]\n", i);
	for (i = 1; i <= n; i++)
		addf(t, "-A OUTPUT -j svc%d\n", i);
	addf(t, "-A OUTPUT -p tcp -m tcp --dport 22 -j DROP\n");
	for (i = 1; i <= n; i++)
		addf(t,
		     "-A svc%d -m recent --name s%d --rcheck -j RETURN\n"
		     "-A svc%d -p tcp -m tcp --dport %d -j ACCEPT\n",
		     i, i, i, 1000 + i);
	addf(t, "COMMIT\n");
}

static void test_services(void **state)
{
	struct text t = {0};
	struct ipt_ruleset *rs;
	struct ipt_packet p;
	struct ipt_result res;

	(void)state;
	make_services(&t, 20);
	rs = parse(&t);
	tcp_out(&p, 22);
	eval_both(rs, &p, &res);
	assert_int_equal(res.limit, IPT_LIMIT_NONE);
	assert_int_equal(res.verdict, IPT_V_DROP);
	assert_int_equal(res.possible, IPT_VSET_DROP);
	assert_int_equal(res.by, IPT_BY_RULE);
	assert_true(res.steps < 2000);	/* linear: about 10 steps per service */

	tcp_out(&p, 1005);
	eval_both(rs, &p, &res);
	assert_int_equal(res.limit, IPT_LIMIT_NONE);
	assert_int_equal(res.verdict, IPT_V_UNKNOWN);
	assert_int_equal(res.possible, IPT_VSET_ACCEPT | IPT_VSET_DROP);
	assert_true(res.steps < 2000);
	ipt_ruleset_free(rs);
	free(t.s);
}

/* Exponential without any unknown match: OUTPUT jumps to F1; F1..F6 each jump ten
 * times, unconditionally, to the next; F7 is empty. By hand the verdict is OUTPUT's
 * policy ACCEPT, but the kernel itself would enter F7 10^6 times: past the step bound the
 * evaluator gives up with UNKNOWN, every verdict possible, and the reason. */
static void make_fanout(struct text *t)
{
	int i, k;

	addf(t, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
	for (i = 1; i <= 7; i++)
		addf(t, ":F%d - [0:0]\n", i);
	addf(t, "-A OUTPUT -j F1\n");
	for (i = 1; i <= 6; i++)
		for (k = 0; k < 10; k++)
			addf(t, "-A F%d -j F%d\n", i, i + 1);
	addf(t, "COMMIT\n");
}

static void test_step_bound(void **state)
{
	struct text t = {0};
	struct ipt_ruleset *rs;
	struct ipt_packet p;
	struct ipt_result res;
	char want[64];

	(void)state;
	make_fanout(&t);
	rs = parse(&t);
	tcp_out(&p, 22);
	eval_both(rs, &p, &res);
	assert_int_equal(res.limit, IPT_LIMIT_STEPS);
	assert_int_equal(res.verdict, IPT_V_UNKNOWN);
	assert_int_equal(res.by, IPT_BY_UNKNOWN);
	assert_int_equal(res.possible, IPT_VSET_ACCEPT | IPT_VSET_DROP | IPT_VSET_REJECT);
	snprintf(want, sizeof(want), "evaluation bound reached: %u steps", IPT_EVAL_MAX_STEPS);
	assert_string_equal(res.reason, want);
	assert_true(res.steps > IPT_EVAL_MAX_STEPS);
	ipt_ruleset_free(rs);
	free(t.s);
}

/* The stop flag: raised, the evaluation ends at once with EINTR; lowered, the same
 * evaluator works as before (the five-chain result). */
static void test_eval_stop(void **state)
{
	struct text t = {0};
	struct ipt_ruleset *rs;
	struct ipt_eval *ev;
	struct ipt_packet p;
	struct ipt_result res;
	volatile sig_atomic_t stop = 1;

	(void)state;
	make_fanout(&t);
	rs = parse(&t);
	ev = ipt_eval_new(rs, NULL);
	assert_non_null(ev);
	ipt_eval_set_stop(ev, &stop);
	tcp_out(&p, 22);
	errno = 0;
	assert_int_equal(ipt_eval_packet(ev, &p, &res), -1);
	assert_int_equal(errno, EINTR);
	assert_int_equal(res.limit, IPT_LIMIT_STOPPED);
	assert_int_equal(res.verdict, IPT_V_UNKNOWN);
	assert_string_equal(res.reason, "evaluation interrupted");
	assert_true(res.steps <= 1);
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
	free(t.s);

	memset(&t, 0, sizeof(t));
	make_five(&t);
	rs = parse(&t);
	ev = ipt_eval_new(rs, NULL);
	assert_non_null(ev);
	stop = 0;
	ipt_eval_set_stop(ev, &stop);
	assert_int_equal(ipt_eval_packet(ev, &p, &res), 0);
	assert_int_equal(res.possible, IPT_VSET_ACCEPT | IPT_VSET_DROP);
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
	free(t.s);
}

/* 20 000 user chains, each jumping to the next, the last back to the first. By hand:
 * the kernel refuses a jump loop, so the parse fails on the last rule (line 4 + 20 000
 * chain lines + 1 OUTPUT rule + 20 000 = line 40 005) naming c0. Without the loop the
 * same file parses. Work (opts.ops) must be linear: a few units per line. */
#define NJUMP 20000

static void make_jumps(struct text *t, int loop)
{
	int i;

	addf(t, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
	for (i = 0; i < NJUMP; i++)
		addf(t, ":c%d - [0:0]\n", i);
	addf(t, "-A OUTPUT -j c0\n");
	for (i = 0; i < NJUMP - 1; i++)
		addf(t, "-A c%d -j c%d\n", i, i + 1);
	if (loop)
		addf(t, "-A c%d -j c0\n", NJUMP - 1);
	addf(t, "COMMIT\n");
}

static void test_jump_chain(void **state)
{
	struct text t = {0};
	struct ipt_parse_opts opts = {0};
	struct ipt_error err;
	struct ipt_ruleset *rs;
	uint64_t lines = 4 + NJUMP + 1 + NJUMP + 1;

	(void)state;
	make_jumps(&t, 1);
	errno = 0;
	rs = ipt_parse_buffer_opts(t.s, t.len, "jumps", 4, &opts, &err);
	assert_null(rs);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(err.line, 40005);
	assert_string_equal(err.msg, "jump to `c0' makes a loop");
	assert_true(opts.ops > lines);
	assert_true(opts.ops < 20 * lines);
	free(t.s);

	memset(&t, 0, sizeof(t));
	memset(&opts, 0, sizeof(opts));
	make_jumps(&t, 0);
	rs = ipt_parse_buffer_opts(t.s, t.len, "jumps", 4, &opts, &err);
	assert_non_null(rs);
	assert_int_equal(ipt_chain_count(rs), 3 + NJUMP);
	assert_int_equal(ipt_rule_count(rs), NJUMP);
	assert_true(opts.ops < 20 * lines);
	ipt_ruleset_free(rs);
	free(t.s);
}

/* The parser's stop flag: raised, the parse fails with EINTR and says so. */
static void test_parse_stop(void **state)
{
	struct text t = {0};
	struct ipt_parse_opts opts = {0};
	struct ipt_error err;
	volatile sig_atomic_t stop = 1;

	(void)state;
	make_jumps(&t, 0);
	opts.stop = &stop;
	errno = 0;
	assert_null(ipt_parse_buffer_opts(t.s, t.len, "jumps", 4, &opts, &err));
	assert_int_equal(errno, EINTR);
	assert_string_equal(err.msg, "interrupted");
	assert_true(opts.ops <= 1);
	free(t.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_five_chains),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_step_bound),
		cmocka_unit_test(test_eval_stop),
		cmocka_unit_test(test_jump_chain),
		cmocka_unit_test(test_parse_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
