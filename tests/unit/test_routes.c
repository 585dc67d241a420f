/* This file tests the route snapshot and its reverse-path lookup (src/classify/routes.c),
 * the --route option and JSON dump readers (routes_file.c) and the rpf_fail class of the
 * classifier. Expected results are hand-checked against the kernel's fib_validate_source
 * (net/ipv4/fib_frontend.c): fib_lookup towards the source through the rules (from
 * matched against the packet's destination), the longest prefix, the lowest metric; an
 * error route or no route is -EXDEV (no route), a route by another device -EXDEV under
 * rp_filter=1 only, a local/broadcast route -EINVAL (not rp_filter's). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "classify/classify.h"
#include "classify/routes.h"
#include "classify/routes_file.h"

/* The host: eth0 holds the default route (metric 100; eth2's metric 200 loses), eth1 an
 * internal 10.1/16 with a blackholed 10.1.5/24, 172.16/12 multipath over eth1 and eth2,
 * 192.168/16 unreachable; rules: `from 192.0.2.0/24 lookup 100` (table 100: default dev
 * eth1), `to 203.0.113.0/24 unreachable`, `to 198.18.0.0/15 lookup 300` (a throw route:
 * back to main), an `iif`-selected rule for 100.64/10 the model does not evaluate. */
static const char *const routes_main[] = {
	"local 10.0.0.1 dev eth0 table local",
	"broadcast 10.0.0.255 dev eth0 table local",
	"local 127.0.0.0/8 dev lo table local",
	"default dev eth0 metric 100",
	"default dev eth2 metric 200",
	"10.0.0.0/24 dev eth0",
	"10.1.0.0/16 dev eth1",
	"blackhole 10.1.5.0/24",
	"172.16.0.0/12 dev eth1 dev eth2",
	"unreachable 192.168.0.0/16",
	"default dev eth1 table 100",
	"throw 198.18.0.0/15 table 300",
	"2001:db8:1::/48 dev eth1",
	"::/0 dev eth0 metric 1024",
	"fe80::/64 dev eth0 metric 256",
	"fe80::/64 dev eth1 metric 256",
	NULL,
};

static struct rt_rule rule(uint32_t prio, const char *from, const char *to, int action,
			   uint32_t table, int unsupported)
{
	struct rt_rule r;

	memset(&r, 0, sizeof(r));
	r.family = 4;
	r.priority = prio;
	r.from.family = r.to.family = 4;
	if (from)
		assert_int_equal(prefix_parse(from, 4, &r.from), 0);
	if (to)
		assert_int_equal(prefix_parse(to, 4, &r.to), 0);
	r.action = (uint8_t)action;
	r.table = table;
	r.unsupported = (uint8_t)unsupported;
	return r;
}

static struct rtsnap *build(int with_rules)
{
	struct rtsnap *s = rtsnap_new();
	char err[128];
	size_t i;

	assert_non_null(s);
	for (i = 0; routes_main[i]; i++) {
		int rc = rtsnap_parse_spec(s, routes_main[i], err, sizeof(err));

		if (rc != 0)
			fail_msg("%s: %s", routes_main[i], err);
	}
	if (with_rules) {
		struct rt_rule r[] = {
			rule(0, NULL, NULL, RA_TABLE, RTSNAP_TABLE_LOCAL, 0),
			rule(50, NULL, "100.64.0.0/10", RA_TABLE, 400, 1),
			rule(100, "192.0.2.0/24", NULL, RA_TABLE, 100, 0),
			rule(200, NULL, "203.0.113.0/24", RA_UNREACHABLE, 0, 0),
			rule(300, NULL, "198.18.0.0/15", RA_TABLE, 300, 0),
			rule(32766, NULL, NULL, RA_TABLE, RTSNAP_TABLE_MAIN, 0),
			rule(32767, NULL, NULL, RA_TABLE, RTSNAP_TABLE_DEFAULT, 0),
		};
		for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
			assert_int_equal(rtsnap_add_rule(s, &r[i]), 0);
	}
	assert_int_equal(rtsnap_finish(s), 0);
	return s;
}

struct rpf_case {
	const char *src, *dst, *dev;
	int loose;
	enum rpf_result want;
};

static const struct rpf_case cases[] = {
	/* 1: the default route leaves by eth0 */
	{ "8.8.8.8", "10.0.0.1", "eth0", 0, RPF_PASS },
	{ "8.8.8.8", "10.0.0.1", "eth1", 0, RPF_STRICT_FAIL },
	{ "8.8.8.8", "10.0.0.1", "eth1", 1, RPF_PASS },
	/* eth2's default has the higher metric: not the route back */
	{ "8.8.8.8", "10.0.0.1", "eth2", 0, RPF_STRICT_FAIL },
	/* 2: longest prefix */
	{ "10.1.2.3", "10.0.0.1", "eth1", 0, RPF_PASS },
	{ "10.1.2.3", "10.0.0.1", "eth0", 0, RPF_STRICT_FAIL },
	{ "10.0.0.7", "10.0.0.1", "eth0", 0, RPF_PASS },
	/* 3: a blackhole longer prefix: fib_lookup fails, -EXDEV even loose */
	{ "10.1.5.7", "10.0.0.1", "eth1", 0, RPF_NO_ROUTE },
	{ "10.1.5.7", "10.0.0.1", "eth1", 1, RPF_NO_ROUTE },
	/* 4: multipath: any nexthop's device matches */
	{ "172.16.1.1", "10.0.0.1", "eth2", 0, RPF_PASS },
	{ "172.16.1.1", "10.0.0.1", "eth1", 0, RPF_PASS },
	{ "172.16.1.1", "10.0.0.1", "eth0", 0, RPF_STRICT_FAIL },
	/* 5: unreachable route */
	{ "192.168.1.1", "10.0.0.1", "eth0", 0, RPF_NO_ROUTE },
	/* 6: the local table first: broadcast and local sources are -EINVAL */
	{ "10.0.0.255", "10.0.0.1", "eth0", 0, RPF_NOT_UNICAST },
	{ "10.0.0.1", "10.0.0.1", "eth0", 0, RPF_NOT_UNICAST },
	/* 7: `from` selects on the packet's destination */
	{ "8.8.8.8", "192.0.2.5", "eth1", 0, RPF_PASS },
	{ "8.8.8.8", "192.0.2.5", "eth0", 0, RPF_STRICT_FAIL },
	/* 8: `to` selects on the packet's source: an unreachable rule */
	{ "203.0.113.9", "10.0.0.1", "eth0", 0, RPF_NO_ROUTE },
	{ "203.0.113.9", "10.0.0.1", "eth0", 1, RPF_NO_ROUTE },
	/* 9: a throw route returns to the next rule (main) */
	{ "198.18.0.1", "10.0.0.1", "eth0", 0, RPF_PASS },
	/* 10: a rule the model does not evaluate, reached: unknown */
	{ "100.64.0.1", "10.0.0.1", "eth0", 0, RPF_UNKNOWN },
	/* 11: IPv6: longest prefix, and equal-metric routes of a prefix are one multipath */
	{ "2001:db8:1::5", "2001:db8::1", "eth1", 0, RPF_PASS },
	{ "2001:db8:1::5", "2001:db8::1", "eth0", 0, RPF_STRICT_FAIL },
	{ "2a00::1", "2001:db8::1", "eth1", 0, RPF_STRICT_FAIL },
	{ "fe80::9", "fe80::1", "eth1", 0, RPF_PASS },
	{ "fe80::9", "fe80::1", "eth0", 0, RPF_PASS },
};

static void addr(const char *s, int *fam, uint8_t out[16])
{
	memset(out, 0, 16);
	*fam = strchr(s, ':') ? 6 : 4;
	assert_int_equal(inet_pton(*fam == 6 ? AF_INET6 : AF_INET, s, out), 1);
}

static void test_rpf_cases(void **state)
{
	struct rtsnap *s = build(1);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct rpf_case *c = &cases[i];
		uint8_t src[16], dst[16];
		int fam, got;

		addr(c->src, &fam, src);
		addr(c->dst, &fam, dst);
		got = rtsnap_rpf(s, fam, src, dst, c->dev, c->loose);
		if (got != (int)c->want)
			fail_msg("case %zu: %s -> %s on %s%s: got %d want %d", i + 1, c->src,
				 c->dst, c->dev, c->loose ? " loose" : "", got, c->want);
	}
	rtsnap_free(s);
}

/* Without rules the kernel's defaults apply (local, main, default); a source with no
 * route at all fails even loose. */
static void test_default_rules_no_route(void **state)
{
	struct rtsnap *s = rtsnap_new();
	char err[128];
	uint8_t src[16], dst[16];
	int fam;
	size_t nroutes, nrules;

	(void)state;
	assert_int_equal(rtsnap_parse_spec(s, "10.0.0.0/24 dev eth0", err, sizeof(err)), 0);
	assert_int_equal(rtsnap_parse_spec(s, "10.9.0.0/16 dev eth1 table default", err,
					   sizeof(err)), 0);
	assert_int_equal(rtsnap_finish(s), 0);
	rtsnap_counts(s, &nroutes, &nrules, NULL);
	assert_int_equal(nroutes, 2);
	assert_int_equal(nrules, 5);	/* 3 IPv4 + 2 IPv6 defaults */
	addr("8.8.8.8", &fam, src);
	addr("10.0.0.1", &fam, dst);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth0", 0), RPF_NO_ROUTE);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth0", 1), RPF_NO_ROUTE);
	addr("10.9.1.1", &fam, src);	/* found in table default (rule 32767) */
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth1", 0), RPF_PASS);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth0", 0), RPF_STRICT_FAIL);
	addr("2a00::1", &fam, src);
	addr("2a00::2", &fam, dst);
	/* no IPv6 route at all (a dump of `ip -j route` alone): IPv6 is not judged */
	assert_int_equal(rtsnap_rpf(s, 6, src, dst, "eth0", 0), RPF_UNKNOWN);
	assert_int_equal(rtsnap_family_routes(s, 6), 0);
	/* with one IPv6 route elsewhere, no route back is no route back */
	assert_int_equal(rtsnap_parse_spec(s, "2001:db8::/32 dev eth0", err, sizeof(err)), 0);
	assert_int_equal(rtsnap_finish(s), 0);
	assert_int_equal(rtsnap_rpf(s, 6, src, dst, "eth0", 0), RPF_NO_ROUTE);
	rtsnap_free(s);
}

static void test_spec_errors(void **state)
{
	static const char *const bad[] = { "", "10.0.0.0/8", "10.0.0.0/33 dev eth0",
					   "10.0.0.0/8 dev", "10.0.0.0/8 dev eth0 table x",
					   "bogus 10.0.0.0/8", "10.0.0.0/8 dev eth0 via",
					   "10.0.0.0/8 dev eth0 10.1.0.0/16",
					   "10.0.0.0/8 dev abcdefghijklmnopq" };
	struct rtsnap *s = rtsnap_new();
	char err[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (rtsnap_parse_spec(s, bad[i], err, sizeof(err)) == 0)
			fail_msg("accepted `%s'", bad[i]);
	rtsnap_free(s);
}

/* A tos route at the longest prefix, and an incomplete snapshot, answer unknown. */
static void test_unknown(void **state)
{
	struct rtsnap *s = rtsnap_new();
	struct rt_route r;
	uint8_t src[16], dst[16];
	int fam;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(prefix_parse("10.0.0.0/8", 4, &r.dst), 0);
	r.table = RTSNAP_TABLE_MAIN;
	r.tos = 0x10;
	r.n_nh = 1;
	r.dev[0] = "eth0";
	assert_int_equal(rtsnap_add_route(s, &r), 0);
	assert_int_equal(rtsnap_finish(s), 0);
	addr("10.1.1.1", &fam, src);
	addr("192.0.2.1", &fam, dst);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth0", 0), RPF_UNKNOWN);
	assert_int_equal(rtsnap_rpf(NULL, 4, src, dst, "eth0", 0), RPF_UNKNOWN);
	rtsnap_free(s);
}

/* An `ip -j route show table all` and an `ip -j rule show` dump as iproute2 prints them. */
static void test_json(void **state)
{
	static const char routes[] =
		"[{\"dst\":\"default\",\"gateway\":\"192.0.2.1\",\"dev\":\"eth0\",\"flags\":[]},"
		"{\"dst\":\"10.1.0.0/16\",\"dev\":\"eth1\",\"protocol\":\"kernel\",\"scope\":\"link\","
		"\"prefsrc\":\"10.1.0.1\",\"flags\":[]},"
		"{\"type\":\"blackhole\",\"dst\":\"10.1.5.0/24\",\"flags\":[]},"
		"{\"dst\":\"172.16.0.0/12\",\"flags\":[],\"nexthops\":[{\"gateway\":\"10.1.0.9\","
		"\"dev\":\"eth1\",\"weight\":1,\"flags\":[]},{\"gateway\":\"192.0.2.9\",\"dev\":\"eth2\","
		"\"weight\":1,\"flags\":[]}]},"
		"{\"type\":\"local\",\"dst\":\"10.1.0.1\",\"table\":\"local\",\"dev\":\"eth1\","
		"\"protocol\":\"kernel\",\"scope\":\"host\",\"prefsrc\":\"10.1.0.1\",\"flags\":[]}]";
	static const char rules[] =
		"[{\"priority\":0,\"src\":\"all\",\"table\":\"local\"},"
		"{\"priority\":10,\"src\":\"all\",\"fwmark\":\"0xca6c\",\"table\":\"51820\"},"
		"{\"priority\":32766,\"src\":\"all\",\"table\":\"main\"}]";
	char path[] = "/tmp/test_routes_XXXXXX", err[160];
	struct rtsnap *s = rtsnap_new();
	uint8_t src[16], dst[16];
	int fd, fam;
	FILE *f;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(routes, f);
	fclose(f);
	if (rtsnap_load_json(s, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(rtsnap_finish(s), 0);
	addr("8.8.8.8", &fam, src);
	addr("10.1.0.1", &fam, dst);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth0", 0), RPF_PASS);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth1", 0), RPF_STRICT_FAIL);
	addr("10.1.5.1", &fam, src);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth1", 0), RPF_NO_ROUTE);
	addr("172.20.0.1", &fam, src);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth2", 0), RPF_PASS);
	addr("10.1.0.1", &fam, src);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth1", 0), RPF_NOT_UNICAST);
	/* the rules: a fwmark rule is not modelled, so every lookup reaching it is unknown */
	f = fopen(path, "w");
	fputs(rules, f);
	fclose(f);
	if (rtsnap_load_json(s, path, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(rtsnap_finish(s), 0);
	addr("8.8.8.8", &fam, src);
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth0", 0), RPF_UNKNOWN);
	addr("10.1.0.1", &fam, src);	/* the local rule answers first */
	assert_int_equal(rtsnap_rpf(s, 4, src, dst, "eth1", 0), RPF_NOT_UNICAST);
	/* not JSON / not an array */
	f = fopen(path, "w");
	fputs("{\"dst\":1}", f);
	fclose(f);
	assert_int_equal(rtsnap_load_json(s, path, err, sizeof(err)), -1);
	unlink(path);
	rtsnap_free(s);
}

/* The class: only otherwise-normal packets received on a non-loopback interface whose
 * rpf mode is not off; address classes keep precedence. */
static void test_classify_rpf(void **state)
{
	struct rtsnap *s = build(1);
	struct classify_ctx ctx;
	struct iface_info eth1, lo;
	struct pkt_record r;
	struct classification cl;
	int fam;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	memset(&eth1, 0, sizeof(eth1));
	memset(&lo, 0, sizeof(lo));
	strcpy(eth1.name, "eth1");
	eth1.role = ROLE_EXTERNAL;
	strcpy(lo.name, "lo");
	lo.role = ROLE_LOOPBACK;
	memset(&r, 0, sizeof(r));
	r.status = DEC_OK;
	r.dir = DIR_IN;
	r.proto = 17;
	addr("8.8.8.8", &fam, r.src);
	addr("10.0.0.1", &fam, r.dst);
	r.family = 4;
	classify_packet(&ctx, &eth1, &r, &cl);		/* no snapshot: not checked */
	assert_int_equal(cl.cls, CLS_NORMAL);
	ctx.routes = s;
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_RPF_FAIL);
	assert_int_equal(cl.subclass, ASUB_RPF_STRICT);
	assert_string_equal(addrclass_subclass_name(cl.subclass), "rpf_strict");
	eth1.rpf = RPF_MODE_LOOSE;
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_NORMAL);
	addr("192.168.1.1", &fam, r.src);		/* private on external: bogon first */
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_BOGON_SRC);
	addr("203.0.113.9", &fam, r.src);	/* documentation range: bogon too */
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_BOGON_SRC);
	addr("1.2.3.4", &fam, r.src);
	classify_packet(&ctx, &eth1, &r, &cl);		/* loose: default route exists */
	assert_int_equal(cl.cls, CLS_NORMAL);
	eth1.rpf = RPF_MODE_STRICT;
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_RPF_FAIL);
	r.dir = DIR_OUT;
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_NORMAL);
	r.dir = DIR_UNKNOWN;
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_RPF_FAIL);
	eth1.rpf = RPF_MODE_OFF;
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_NORMAL);
	classify_packet(&ctx, &lo, &r, &cl);
	assert_int_equal(cl.cls, CLS_LOOPBACK_FLOW);
	eth1.rpf = RPF_MODE_STRICT;
	memset(r.src, 0, 16);		/* 0.0.0.0 to broadcast (DHCP) is not validated */
	memset(r.dst, 0xff, 4);
	classify_packet(&ctx, &eth1, &r, &cl);
	assert_int_equal(cl.cls, CLS_NORMAL);
	rtsnap_free(s);
}

static void test_mode_names(void **state)
{
	enum rpf_mode m;

	(void)state;
	assert_string_equal(classify_rpf_mode_name(RPF_MODE_STRICT), "strict");
	assert_string_equal(classify_rpf_mode_name(RPF_MODE_LOOSE), "loose");
	assert_string_equal(classify_rpf_mode_name(RPF_MODE_OFF), "off");
	assert_null(classify_rpf_mode_name((enum rpf_mode)3));
	assert_int_equal(classify_rpf_parse("loose", &m), 0);
	assert_int_equal(m, RPF_MODE_LOOSE);
	assert_int_equal(classify_rpf_parse("1", &m), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpf_cases),
		cmocka_unit_test(test_default_rules_no_route),
		cmocka_unit_test(test_spec_errors),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_classify_rpf),
		cmocka_unit_test(test_mode_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
