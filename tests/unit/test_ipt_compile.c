/* Unit tests for the compiled fast path (ipt_compile.c): on seeded random rulesets
 * (tests/tools/rsgen.h) and random packets, the compiled evaluator must give the same
 * result (verdict, possible set, decider, rule, chain, uncertain rule, martian, NAT) and
 * the same sequence of hook calls as the plain walk. One case per seed; a failing case
 * prints its seed and the packet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "policy/ipt.h"
#include "../tools/rsgen.h"

#define MAXHITS 4096

struct hits {
	uint32_t n;
	uint32_t rule[MAXHITS];
	uint8_t m[MAXHITS];
};

static void on_hit(void *arg, uint32_t rule, int matched)
{
	struct hits *h = arg;

	if (h->n < MAXHITS) {
		h->rule[h->n] = rule;
		h->m[h->n] = (uint8_t)matched;
	}
	h->n++;
}

static void rand_addr(struct rsgen *g, const char *const *pool, size_t n, uint8_t out[16])
{
	char buf[64], *slash;
	uint32_t a, plen, host;

	snprintf(buf, sizeof(buf), "%s", pool[rg(g, (unsigned)n)]);
	slash = strchr(buf, '/');
	*slash = '\0';
	plen = (uint32_t)atoi(slash + 1);
	inet_pton(AF_INET, buf, &a);
	a = ntohl(a);
	host = plen >= 32 ? 0 : rg_next(g) & (plen ? (1u << (32 - plen)) - 1 : UINT32_MAX);
	if (rg(g, 4) == 0)
		host = rg(g, 2) ? 0 : host | 0xff;
	a = htonl(a | host);
	memset(out, 0, 16);
	memcpy(out, &a, 4);
}

static void rand_packet(struct rsgen *g, struct ipt_packet *p)
{
	static const char *const ifs[] = {"a0", "lo", "a1", "eth0", ""};
	static const uint8_t protos[] = {6, 17, 1, 47, 6, 17};

	ipt_packet_init(p, 4, (enum ipt_path)rg(g, IPT_PATH_COUNT));
	rand_addr(g, rg_src_pfx, sizeof(rg_src_pfx) / sizeof(*rg_src_pfx), p->src);
	rand_addr(g, rg_dst_pfx, sizeof(rg_dst_pfx) / sizeof(*rg_dst_pfx), p->dst);
	p->proto = protos[rg(g, sizeof(protos))];
	p->sport = rg(g, 3) ? (uint16_t)(1024 + rg(g, 60000)) : rg_ports[rg(g, 12)];
	p->dport = rg(g, 4) ? rg_ports[rg(g, 12)] : (uint16_t)rg(g, 65536);
	p->tcp_flags = (uint8_t)rg(g, 64);
	p->icmp_type = (uint8_t)(rg(g, 2) ? 8 : rg(g, 12));
	p->icmp_code = (uint8_t)rg(g, 4);
	p->fragment = rg(g, 20) == 0;
	p->ctstate = (uint8_t)rg(g, IPT_CT_UNKNOWN + 1);
	p->pkttype = (uint8_t)(rg(g, 4) ? IPT_PKT_HOST : rg(g, IPT_PKT_UNKNOWN + 1));
	p->unknown = (uint8_t)(rg(g, 3) == 0 ? rg(g, 8) : 0);
	snprintf(p->in_if, sizeof(p->in_if), "%s", ifs[rg(g, 5)]);
	snprintf(p->out_if, sizeof(p->out_if), "%s", ifs[rg(g, 5)]);
}

static void check_seed(uint64_t seed, unsigned nrules, unsigned npackets)
{
	static const struct ipt_hostaddr addrs[] = {
		{"a0", 4, 24, {45, 33, 1, 10}}, {"lo", 4, 8, {127, 0, 0, 1}},
	};
	struct ipt_ifconf ifc[2] = {{"all", 0, 0, 0, 0, 0}, {"a0", 0, 0, 1, 0, 0}};
	struct ipt_context ctx = {addrs, 2, 1, ifc, 2, NULL, 0, 0, -1, 0, 0, 0};
	struct rsgen g;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct ipt_error err;
	struct ipt_ruleset *rs;
	struct ipt_compiled *cp;
	struct ipt_eval *plain, *fast;
	static struct hits h1, h2;
	unsigned i;

	rg_seed(&g, seed);
	rg_ruleset(&g, f, nrules, 1);
	fclose(f);
	rs = ipt_parse_buffer(text, len, "random", 4, &err);
	if (!rs)
		fail_msg("seed %llu: %u:%u: %s\n%s", (unsigned long long)seed, err.line, err.col,
			 err.msg, text);
	cp = ipt_compile(rs);
	assert_non_null(cp);
	plain = ipt_eval_new(rs, &ctx);
	fast = ipt_eval_new(rs, &ctx);
	assert_non_null(plain);
	assert_non_null(fast);
	assert_int_equal(ipt_eval_set_compiled(fast, cp), 0);
	ipt_eval_set_hook(plain, on_hit, &h1);
	ipt_eval_set_hook(fast, on_hit, &h2);
	for (i = 0; i < npackets; i++) {
		struct ipt_packet p;
		struct ipt_result a, b;

		rand_packet(&g, &p);
		h1.n = h2.n = 0;
		assert_int_equal(ipt_eval_packet(plain, &p, &a), 0);
		assert_int_equal(ipt_eval_packet(fast, &p, &b), 0);
		if (a.verdict != b.verdict || a.possible != b.possible || a.by != b.by ||
		    a.rule != b.rule || a.chain != b.chain || a.uncertain_rule != b.uncertain_rule ||
		    a.martian != b.martian || a.nat.dnat_rule != b.nat.dnat_rule ||
		    a.limit != b.limit || a.steps != b.steps ||
		    h1.n != h2.n ||
		    memcmp(h1.rule, h2.rule, sizeof(uint32_t) * (h1.n < MAXHITS ? h1.n : MAXHITS)) ||
		    memcmp(h1.m, h2.m, h1.n < MAXHITS ? h1.n : MAXHITS))
			fail_msg("seed %llu packet %u (path %d proto %d sport %d dport %d unk %d): "
				 "plain %s rule %u hits %u, compiled %s rule %u hits %u",
				 (unsigned long long)seed, i, p.path, p.proto, p.sport, p.dport, p.unknown,
				 ipt_verdict_name(a.verdict), a.rule, h1.n, ipt_verdict_name(b.verdict),
				 b.rule, h2.n);
	}
	ipt_eval_free(plain);
	ipt_eval_free(fast);
	ipt_compiled_free(cp);
	ipt_ruleset_free(rs);
	free(text);
}

/* 1: 40 seeds of 300-rule rulesets (several user chains), 2 000 packets each. */
static void test_random(void **state)
{
	uint64_t s;

	(void)state;
	for (s = 1; s <= 40; s++)
		check_seed(s, 300, 2000);
}

/* 2: small rulesets (chains below the compile threshold mixed with large ones). */
static void test_small(void **state)
{
	uint64_t s;

	(void)state;
	for (s = 100; s < 160; s++)
		check_seed(s, 5 + (unsigned)(s % 40), 500);
}

/* 3: a ruleset from another file is refused; NULL switches back. */
static void test_mismatch(void **state)
{
	static const char a[] = "*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n";
	struct ipt_error err;
	struct ipt_ruleset *r1 = ipt_parse_buffer(a, sizeof(a) - 1, "a", 4, &err);
	struct ipt_ruleset *r2 = ipt_parse_buffer(a, sizeof(a) - 1, "b", 4, &err);
	struct ipt_compiled *cp = ipt_compile(r1);
	struct ipt_eval *ev = ipt_eval_new(r2, NULL);

	(void)state;
	assert_int_equal(ipt_eval_set_compiled(ev, cp), -1);
	assert_int_equal(ipt_eval_set_compiled(ev, NULL), 0);
	assert_true(ipt_compiled_size(cp) > 0);
	ipt_eval_free(ev);
	ipt_compiled_free(cp);
	ipt_ruleset_free(r1);
	ipt_ruleset_free(r2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_small),
		cmocka_unit_test(test_mismatch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
