/* Unit tests for the checker's parallel reading and derivation: what several threads
 * give equals what one gives (the oracle: the one-thread paths the other check tests
 * verify by hand). Readers that fill windows of one array and are joined in place give
 * the flows check_flows_append() gives, names renumbered, also when a window overflows;
 * the derivation on three threads gives every derived field one thread gives, with
 * reverse directions in other threads' shares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "policy/check.h"

/* Flow k of a made-up capture: conversations whose answers come later, names varying
 * so that readers intern them in other orders. */
static void make_flow(struct store_flow *f, unsigned k)
{
	static const char *const ifs[] = {"eth0", "eth1", "lo", "wlan0"};
	static const char *const subs[] = {"none", "flood", "private", "loopback"};
	unsigned c = k / 2, ans = k % 2;
	uint32_t x = c * 2654435761u, a = 0xc6330000u | (x >> 16), h = 0x2d21010au;

	memset(f, 0, sizeof(*f));
	f->id = k + 1;
	snprintf(f->iface, sizeof(f->iface), "%s", ifs[(c / 7 + (c > 2000)) % 4]);
	snprintf(f->dir, sizeof(f->dir), "%s", ans ? "out" : "in");
	snprintf(f->cls, sizeof(f->cls), "%s", c % 5 == 0 ? "bogon_src" : "normal");
	snprintf(f->subclass, sizeof(f->subclass), "%s", subs[(c / 3 + (c < 1500)) % 4]);
	f->family = 4;
	a = htonl(ans ? h : a);
	memcpy(f->src + 12, &a, 4);
	a = htonl(ans ? 0xc6330000u | (x >> 16) : h);
	memcpy(f->dst + 12, &a, 4);
	f->proto = c % 3 ? 6 : 17;
	f->sport = ans ? 22 : c % 11 ? 30000 + c % 5000 : 0;	/* 0: collapsed, unknown */
	f->dport = ans ? 30000 + c % 5000 : 22;
	f->packets = 1 + x % 9;
	f->bytes = f->packets * 60;
	f->tcp_flags = ans ? 0x12 : 0x1b;
	f->first_usec = (int64_t)c * 1000 + (ans ? 100 + x % 600 : 0);
	f->last_usec = f->first_usec + 900;
}

#define NFLOWS 6000

/* Readers of [0, 2000), [2000, 4000), [4000, NFLOWS) in windows of one array at their
 * ids (the second's window one short when `spill`), joined as cmd_check_read.c joins
 * them; against one set filled by one reader. */
static void windows(int spill)
{
	struct check_flows one, all, w[3];
	struct store_flow f;
	unsigned k, r;
	size_t i;

	memset(&one, 0, sizeof(one));
	memset(&all, 0, sizeof(all));
	for (k = 0; k < NFLOWS; k++) {
		make_flow(&f, k);
		assert_int_equal(check_flows_add(&one, &f), 0);
	}
	all.v = malloc(NFLOWS * sizeof(*all.v));
	assert_non_null(all.v);
	all.cap = NFLOWS;
	for (r = 0; r < 3; r++)
		check_flows_window(&w[r], &all, r * 2000, r == 1 && spill ? 1999 : 2000);
	for (r = 3; r-- > 0;)	/* the last first: windows do not depend on the order */
		for (k = r * 2000; k < (r + 1) * 2000; k++) {
			make_flow(&f, k);
			assert_int_equal(check_flows_add(&w[r], &f), 0);
		}
	assert_int_equal(w[1].window, !spill);
	assert_int_equal(w[0].window && w[2].window, 1);
	if (spill) {
		for (r = 0; r < 3; r++)
			assert_int_equal(check_flows_unwindow(&w[r]), 0);
		check_flows_free(&all);
	}
	for (r = 0; r < 3; r++)
		assert_int_equal(w[r].window ? check_flows_join(&all, &w[r]) :
				 check_flows_append(&all, &w[r]), 0);
	assert_int_equal(all.n, NFLOWS);
	assert_int_equal(all.nifnames, one.nifnames);
	assert_int_equal(all.nsubclasses, one.nsubclasses);
	for (i = 0; i < NFLOWS; i++) {
		const struct check_flow *a = &all.v[i], *b = &one.v[i];

		assert_int_equal(a->id, b->id);
		assert_string_equal(all.ifnames[a->iface], one.ifnames[b->iface]);
		assert_string_equal(all.subclasses[a->subclass], one.subclasses[b->subclass]);
		assert_int_equal(a->cls, b->cls);
		assert_memory_equal(a->src, b->src, 16);
		assert_int_equal(a->sport, b->sport);
		assert_int_equal(a->first_usec, b->first_usec);
	}
	check_flows_free(&all);
	check_flows_free(&one);
}

static void test_windows(void **state)
{
	(void)state;
	windows(0);
}

static void test_window_spill(void **state)
{
	(void)state;
	windows(1);
}

static void host(struct check_host *h)
{
	struct store_ctx_row rows[] = {
		{'i', "lo", "loopback", "", 0, 0}, {'i', "eth0", "external", "", 0, 0},
		{'h', "eth0", "45.33.1.10", "", 24, 4},
	};
	struct hostctx hc;
	size_t i;

	memset(&hc, 0, sizeof(hc));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(check_hostctx_row(&hc, &rows[i]), 0);
	assert_int_equal(check_host_build(h, &hc, 0, 0, 0), 0);
	hostctx_free(&hc);
}

/* The flows in reverse order of conversations (an answer's row before its question's,
 * most in another thread's share) derived on one thread and on three. */
static void test_derive_threads(void **state)
{
	struct check_flows one, three;
	struct check_host h;
	struct store_flow f;
	unsigned k, est = 0, rev = 0;
	size_t i;

	(void)state;
	memset(&one, 0, sizeof(one));
	memset(&three, 0, sizeof(three));
	host(&h);
	for (k = 0; k < NFLOWS; k++) {
		make_flow(&f, k % 2 ? NFLOWS - k : k);
		assert_int_equal(check_flows_add(&one, &f), 0);
		assert_int_equal(check_flows_add(&three, &f), 0);
	}
	one.threads = 1;
	three.threads = 3;
	assert_int_equal(check_flows_derive(&one, &h), 0);
	assert_int_equal(check_flows_derive(&three, &h), 0);
	for (i = 0; i < one.n; i++) {
		const struct check_flow *a = &one.v[i], *b = &three.v[i];

		assert_int_equal(a->path, b->path);
		assert_int_equal(a->ctstate, b->ctstate);
		assert_int_equal(a->unknown, b->unknown);
		assert_int_equal(a->tcp_flags, b->tcp_flags);
		assert_int_equal(a->pkttype, b->pkttype);
		assert_int_equal(a->have_reverse, b->have_reverse);
		assert_int_equal(a->pk_est, b->pk_est);
		assert_int_equal(a->pk_amb, b->pk_amb);
		est += a->pk_est != 0;
		rev += a->have_reverse;
	}
	assert_memory_equal(one.v, three.v, one.n * sizeof(*one.v));
	assert_true(rev > NFLOWS / 2 && est > 0);	/* the reverse lookups were exercised */
	check_flows_free(&one);
	check_flows_free(&three);
	check_host_free(&h);
}

/* Findings gathered on three threads (each share into its own groups, merged) equal one
 * thread's: the same groups in the same order, the same sums and examples. */
static void test_findings_threads(void **state)
{
	static const char cur[] =
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
		"-A INPUT -p tcp -m tcp --sport 1024:65535 --dport 22 -j ACCEPT\n"
		"-A INPUT -p udp -j REJECT\n-A OUTPUT -p udp -j DROP\nCOMMIT\n";
	static const char prop[] =
		"*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n"
		"-A INPUT -s 198.51.0.0/16 -p tcp -m tcp --sport 30000:32000 -j ACCEPT\n"
		"-A INPUT -p udp -m udp --sport 30000:31000 -j ACCEPT\n"
		"-A OUTPUT -p tcp -m tcp --dport 30000:33000 -j DROP\nCOMMIT\n";
	struct check_flows fs;
	struct check_host h;
	struct check_side ns, old;
	struct check_groups g1, g3;
	struct policy pn, po;
	struct ipt_error err;
	struct store_flow f;
	unsigned k, kinds = 0, full = 0;
	size_t i;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	memset(&ns, 0, sizeof(ns));
	memset(&old, 0, sizeof(old));
	memset(&g1, 0, sizeof(g1));
	memset(&g3, 0, sizeof(g3));
	memset(&pn, 0, sizeof(pn));
	memset(&po, 0, sizeof(po));
	host(&h);
	for (k = 0; k < NFLOWS; k++) {
		make_flow(&f, k);
		assert_int_equal(check_flows_add(&fs, &f), 0);
	}
	assert_int_equal(check_flows_derive(&fs, &h), 0);
	pn.rs[0] = ipt_parse_buffer(prop, sizeof(prop) - 1, "prop", 4, &err);
	po.rs[0] = ipt_parse_buffer(cur, sizeof(cur) - 1, "cur", 4, &err);
	assert_non_null(pn.rs[0]);
	assert_non_null(po.rs[0]);
	check_side_use(&ns, &pn);
	check_side_use(&old, &po);
	assert_int_equal(check_evaluate(&ns, &fs, &h, 1), 0);
	assert_int_equal(check_evaluate(&old, &fs, &h, 1), 0);
	ns.threads = 1;
	assert_int_equal(check_findings_packets(&g1, &fs, &ns, NULL, &old), 0);
	ns.threads = 3;
	assert_int_equal(check_findings_packets(&g3, &fs, &ns, NULL, &old), 0);
	assert_int_equal(g1.n, g3.n);
	for (i = 0; i < g1.n; i++) {
		assert_int_equal(g1.v[i].kind, g3.v[i].kind);
		assert_string_equal(g1.v[i].label, g3.v[i].label);
		assert_int_equal(g1.v[i].flows, g3.v[i].flows);
		assert_int_equal(g1.v[i].packets, g3.v[i].packets);
		assert_int_equal(g1.v[i].maybe_packets, g3.v[i].maybe_packets);
		assert_int_equal(g1.v[i].bytes, g3.v[i].bytes);
		assert_int_equal(g1.v[i].nex, g3.v[i].nex);
		assert_memory_equal(g1.v[i].ex, g3.v[i].ex, sizeof(g1.v[i].ex));
		kinds |= 1u << g1.v[i].kind;
		full += g1.v[i].nex == CHECK_EXAMPLES;
	}
	assert_memory_equal(g1.v, g3.v, g1.n * sizeof(*g1.v));
	/* exercised: spoof, uncertain and diff groups, some with every example */
	assert_true((kinds & 1u << CK_SPOOF) && (kinds & 1u << CK_UNCERTAIN) &&
		    (kinds & 1u << CK_NEW_BLOCKED) && full > 0);
	check_groups_free(&g1);
	check_groups_free(&g3);
	check_side_free(&ns);
	check_side_free(&old);
	policy_free(&pn);
	policy_free(&po);
	check_flows_free(&fs);
	check_host_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows),
		cmocka_unit_test(test_window_spill),
		cmocka_unit_test(test_derive_threads),
		cmocka_unit_test(test_findings_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
