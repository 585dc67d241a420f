/* Unit tests for classify/kcounters.c: the kernel's drop counters read from a fake /proc
 * whose files copy the kernel's formats (net/stat/rt_cache: a header, hex per CPU;
 * net/snmp6: "Name value"; net/netstat: name/value line pairs). The expected sums are
 * worked out by hand in each comment. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "classify/kcounters.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char d[256];

	(void)state;
	snprintf(root, sizeof(root), "/tmp/kcounters.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	snprintf(d, sizeof(d), "%s/net", root);
	mkdir(d, 0755);
	snprintf(d, sizeof(d), "%s/net/stat", root);
	mkdir(d, 0755);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_all(void **state)
{
	struct kcounters k;

	(void)state;
	/* two CPUs: in_martian_dst 0x10 + 0x01 = 17, in_martian_src 0xff + 0x0a = 265 */
	put("net/stat/rt_cache",
	    "entries  in_hit in_slow_tot in_slow_mc in_no_route in_brd in_martian_dst "
	    "in_martian_src  out_hit\n"
	    "00000005  00000000 00000001 00000000 00000000 00000000 00000010 000000ff  00000000\n"
	    "00000005  00000000 00000001 00000000 00000000 00000000 00000001 0000000a  00000000\n");
	put("net/snmp6", "Ip6InReceives                   	12\nIp6InHdrErrors                  	6\n"
	    "Ip6InTooBigErrors               	0\nIp6InAddrErrors                 	4\n");
	put("net/netstat", "TcpExt: SyncookiesSent IPReversePathFilter TCPTimeouts\n"
	    "TcpExt: 0 31 2\nIpExt: InNoRoutes IPReversePathFilter\nIpExt: 1 999\n");
	assert_int_equal(kcounters_read(&k, root), KC_COUNT);
	assert_int_equal(k.val[KC_IN_MARTIAN_SRC], 265);
	assert_int_equal(k.val[KC_IN_MARTIAN_DST], 17);
	assert_int_equal(k.val[KC_IP6_IN_HDR_ERRORS], 6);
	assert_int_equal(k.val[KC_IP6_IN_ADDR_ERRORS], 4);
	assert_int_equal(k.val[KC_IP_RPFILTER], 31);	/* TcpExt's, not IpExt's */
}

static void test_missing_and_malformed(void **state)
{
	struct kcounters k;

	(void)state;
	/* a CPU row that is not hex leaves both martian counters unread, never half-summed */
	put("net/stat/rt_cache", "entries in_martian_dst in_martian_src\n00000001 00000002 00000003\n"
	    "00000001 0000zz02 00000003\n");
	put("net/snmp6", "Ip6InHdrErrors -1\n");
	{
		char p[256];

		snprintf(p, sizeof(p), "%s/net/netstat", root);
		unlink(p);
	}
	assert_int_equal(kcounters_read(&k, root), 0);
	for (int c = 0; c < KC_COUNT; c++)
		assert_int_equal(k.ok[c], 0);
	assert_int_equal(kcounters_read(&k, "/nonexistent-proc"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_missing_and_malformed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
