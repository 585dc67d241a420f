/* Unit tests for the iptables-save parser and canonical printer: one row per parser
 * corner and per error kind. Expected texts are what iptables-save prints for the rule
 * (checked by hand against iptables 1.8 and iptables-extensions(8)), not the code's output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/ipt.h"

#define FILTER_HEAD "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:USR - [0:0]\n"

/* An accepted input: rules inside FILTER_HEAD (wrap=1) or a whole file; the canonical
 * text expected for rule `rule` (0-based id), and the rule count. */
struct ok_case {
	const char *name;
	int wrap;
	int family;
	const char *text;
	unsigned rule;
	const char *canon;
	unsigned nrules;
};

static const struct ok_case ok_cases[] = {
	{"dotted mask", 1, 0, "-A INPUT -s 1.2.3.4/255.255.255.0 -j DROP", 0,
	 "-A INPUT -s 1.2.3.0/24 -j DROP", 1},
	{"host bits masked", 1, 0, "-A INPUT -s 10.1.2.3/8 -j DROP", 0, "-A INPUT -s 10.0.0.0/8 -j DROP", 1},
	{"bare address is /32", 1, 0, "-A INPUT -d 192.0.2.1 -j ACCEPT", 0,
	 "-A INPUT -d 192.0.2.1/32 -j ACCEPT", 1},
	{"short dotted address", 1, 0, "-A INPUT -s 10.1 -j DROP", 0, "-A INPUT -s 10.1.0.0/32 -j DROP", 1},
	{"non-contiguous mask", 1, 0, "-A INPUT -s 1.2.3.4/255.0.255.0 -j DROP", 0,
	 "-A INPUT -s 1.0.3.0/255.0.255.0 -j DROP", 1},
	{"0/0 omitted", 1, 0, "-A INPUT -s 0.0.0.0/0 -j DROP", 0, "-A INPUT -j DROP", 1},
	{"negation before option", 1, 0, "-A INPUT ! -s 1.2.3.4 -j DROP", 0,
	 "-A INPUT ! -s 1.2.3.4/32 -j DROP", 1},
	{"iptables 1.3 negation -s ! x", 1, 0, "-A INPUT -s ! 1.2.3.4 -j DROP", 0,
	 "-A INPUT ! -s 1.2.3.4/32 -j DROP", 1},
	{"long option aliases", 1, 0, "-A INPUT --src 10.0.0.0/8 --protocol udp --jump ACCEPT", 0,
	 "-A INPUT -s 10.0.0.0/8 -p udp -j ACCEPT", 1},
	{"interface wildcard and negation", 1, 0, "-A FORWARD -i eth+ ! -o ppp0 -j ACCEPT", 0,
	 "-A FORWARD -i eth+ ! -o ppp0 -j ACCEPT", 1},
	{"protocol by number", 1, 0, "-A INPUT -p 6 -j ACCEPT", 0, "-A INPUT -p tcp -j ACCEPT", 1},
	{"protocol upper case", 1, 0, "-A INPUT -p UDP -j ACCEPT", 0, "-A INPUT -p udp -j ACCEPT", 1},
	{"negated protocol", 1, 0, "-A INPUT ! -p tcp -j DROP", 0, "-A INPUT ! -p tcp -j DROP", 1},
	{"protocol gre", 1, 0, "-A INPUT -p 47 -j ACCEPT", 0, "-A INPUT -p gre -j ACCEPT", 1},
	{"-p all is no protocol", 1, 0, "-A INPUT -p all -j ACCEPT", 0, "-A INPUT -j ACCEPT", 1},
	{"implicit tcp match", 1, 0, "-A INPUT -p tcp --dport 22 -j ACCEPT", 0,
	 "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", 1},
	{"implicit match after another -m", 1, 0, "-A INPUT -p tcp -m state --state NEW --dport 22 -j ACCEPT", 0,
	 "-A INPUT -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT", 1},
	{"service name port", 1, 0, "-A INPUT -p tcp -m tcp --dport ssh -j ACCEPT", 0,
	 "-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", 1},
	{"open port ranges", 1, 0, "-A INPUT -p tcp -m tcp --sport :1024 --dport 1024: -j DROP", 0,
	 "-A INPUT -p tcp -m tcp --sport 0:1024 --dport 1024:65535 -j DROP", 1},
	{"negated ports", 1, 0, "-A INPUT -p udp -m udp ! --sport 67:68 ! --dport 67:68 -j ACCEPT", 0,
	 "-A INPUT -p udp -m udp ! --sport 67:68 ! --dport 67:68 -j ACCEPT", 1},
	{"--syn", 1, 0, "-A INPUT -p tcp --syn -j ACCEPT", 0,
	 "-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT", 1},
	{"--tcp-flags ALL", 1, 0, "-A INPUT -p tcp -m tcp ! --tcp-flags ALL SYN,ACK -j DROP", 0,
	 "-A INPUT -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,PSH,ACK,URG SYN,ACK -j DROP", 1},
	{"--tcp-option kept", 1, 0, "-A INPUT -p tcp -m tcp --tcp-option 8 -j DROP", 0,
	 "-A INPUT -p tcp -m tcp --tcp-option 8 -j DROP", 1},
	{"sctp ports", 1, 0, "-A INPUT -p sctp -m sctp --dport 3868 -j ACCEPT", 0,
	 "-A INPUT -p sctp -m sctp --dport 3868 -j ACCEPT", 1},
	{"icmp type name", 1, 0, "-A INPUT -p icmp --icmp-type echo-request -j ACCEPT", 0,
	 "-A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT", 1},
	{"icmp type/code", 1, 0, "-A INPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT", 0,
	 "-A INPUT -p icmp -m icmp --icmp-type 3/4 -j ACCEPT", 1},
	{"icmp code name", 1, 0, "-A INPUT -p icmp -m icmp --icmp-type port-unreachable -j ACCEPT", 0,
	 "-A INPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT", 1},
	{"icmp any", 1, 0, "-A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT", 0,
	 "-A INPUT -p icmp -m icmp --icmp-type any -j ACCEPT", 1},
	{"multiport list and ranges", 1, 0,
	 "-A INPUT -p tcp -m multiport --dports 21,873:874,5005 -j DROP", 0,
	 "-A INPUT -p tcp -m multiport --dports 21,873:874,5005 -j DROP", 1},
	{"multiport --ports negated", 1, 0, "-A INPUT -p udp -m multiport ! --ports 80,443 -j DROP", 0,
	 "-A INPUT -p udp -m multiport ! --ports 80,443 -j DROP", 1},
	{"iprange", 1, 0, "-A INPUT -m iprange ! --dst-range 127.0.0.1-127.0.10.0 -j RETURN", 0,
	 "-A INPUT -m iprange ! --dst-range 127.0.0.1-127.0.10.0 -j RETURN", 1},
	{"pkttype", 1, 0, "-A INPUT -m pkttype --pkt-type broadcast -j DROP", 0,
	 "-A INPUT -m pkttype --pkt-type broadcast -j DROP", 1},
	{"comment with escaped quote", 1, 0, "-A INPUT -m comment --comment \"\\\"\" -j ACCEPT", 0,
	 "-A INPUT -m comment --comment \"\\\"\" -j ACCEPT", 1},
	{"comment with space", 1, 0, "-A INPUT -m comment --comment \"has space\" -j ACCEPT", 0,
	 "-A INPUT -m comment --comment \"has space\" -j ACCEPT", 1},
	{"comment with quote and backslash", 1, 0,
	 "-A INPUT -m comment --comment \"a\\'b\\\\c\" -j ACCEPT", 0,
	 "-A INPUT -m comment --comment \"a\\'b\\\\c\" -j ACCEPT", 1},
	{"log prefix punctuation", 1, 0, "-A INPUT -j LOG --log-prefix \"!#*~%&/()=?\" --log-level 6", 0,
	 "-A INPUT -j LOG --log-prefix \"!#*~%&/()=?\" --log-level 6", 1},
	{"mac upper-cased", 1, 0, "-A INPUT -m mac --mac-source 00:00:f1:05:a0:e0 -j RETURN", 0,
	 "-A INPUT -m mac --mac-source 00:00:F1:05:A0:E0 -j RETURN", 1},
	{"state order", 1, 0, "-A INPUT -m state --state ESTABLISHED,NEW,RELATED,UNTRACKED -j ACCEPT", 0,
	 "-A INPUT -m state --state NEW,RELATED,ESTABLISHED,UNTRACKED -j ACCEPT", 1},
	{"conntrack with unmodelled option", 1, 0,
	 "-A INPUT -m conntrack --ctstate NEW --ctorigsrc 1.2.3.4 -j DROP", 0,
	 "-A INPUT -m conntrack --ctstate NEW --ctorigsrc 1.2.3.4 -j DROP", 1},
	{"addrtype", 1, 0, "-A INPUT -m addrtype --src-type LOCAL,UNICAST --limit-iface-in -j DROP", 0,
	 "-A INPUT -m addrtype --src-type UNICAST,LOCAL --limit-iface-in -j DROP", 1},
	{"rpfilter", 0, 0, "*raw\n-A PREROUTING -m rpfilter --loose --invert -j DROP\nCOMMIT\n", 0,
	 "-A PREROUTING -m rpfilter --loose --invert -j DROP", 1},
	{"mark", 1, 0, "-A INPUT -m mark --mark 0x2000000/0x2000000 -j ACCEPT", 0,
	 "-A INPUT -m mark --mark 0x2000000/0x2000000 -j ACCEPT", 1},
	{"unknown match kept", 1, 0, "-A INPUT -m limit --limit 12/min -j LOG --log-prefix \"x y:\"", 0,
	 "-A INPUT -m limit --limit 12/min -j LOG --log-prefix \"x y:\"", 1},
	{"unknown match with negation", 1, 0,
	 "-A INPUT -p tcp -m set ! --match-set whitelist src -j DROP", 0,
	 "-A INPUT -p tcp -m set ! --match-set whitelist src -j DROP", 1},
	{"unknown target kept", 1, 0, "-A INPUT -p tcp -j TARPIT --tarpit", 0,
	 "-A INPUT -p tcp -j TARPIT --tarpit", 1},
	{"-f and ! -f", 1, 0, "-A INPUT -f -j DROP\n-A INPUT ! -f -j ACCEPT", 1,
	 "-A INPUT ! -f -j ACCEPT", 2},
	{"user chain jump", 1, 0, "-A INPUT -j USR\n-A USR -j RETURN", 0, "-A INPUT -j USR", 2},
	{"goto", 1, 0, "-A INPUT -g USR", 0, "-A INPUT -g USR", 1},
	{"rule without target", 1, 0, "-A INPUT -s 10.0.0.0/8", 0, "-A INPUT -s 10.0.0.0/8", 1},
	{"counters before -A", 1, 0, "[12:3456] -A INPUT -j ACCEPT", 0, "[12:3456] -A INPUT -j ACCEPT", 1},
	{"-c counters", 1, 0, "-A INPUT -c 5 6 -j ACCEPT", 0, "[5:6] -A INPUT -j ACCEPT", 1},
	{"comma lists expand src-major", 1, 0, "-A INPUT -s 1.1.1.1,2.2.2.2 -d 3.3.3.3,4.4.4.4 -j DROP", 2,
	 "-A INPUT -s 2.2.2.2/32 -d 3.3.3.3/32 -j DROP", 4},
	{"rules grouped by chain", 1, 0, "-A OUTPUT -j ACCEPT\n-A INPUT -j DROP\n-A OUTPUT -j DROP", 0,
	 "-A INPUT -j DROP", 3},
	{"CRLF, blank lines, comments", 0, 0,
	 "# hello\r\n\r\n*filter\r\n:INPUT DROP [0:0]\r\n\r\n# c\r\n-A INPUT -j ACCEPT\r\nCOMMIT\r\n", 0,
	 "-A INPUT -j ACCEPT", 1},
	{"built-in chains need no declaration", 0, 0, "*filter\n-A INPUT -j ACCEPT\nCOMMIT\n", 0,
	 "-A INPUT -j ACCEPT", 1},
	{"tabs separate", 1, 0, "-A\tINPUT\t-j\tDROP", 0, "-A INPUT -j DROP", 1},
	{"DNAT in nat", 0, 0,
	 "*nat\n-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.1:80\nCOMMIT\n", 0,
	 "-A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination 10.0.0.1:80", 1},
	{"MARK target", 0, 0, "*mangle\n-A PREROUTING -j MARK --set-xmark 0x2/0xffffffff\nCOMMIT\n", 0,
	 "-A PREROUTING -j MARK --set-xmark 0x2/0xffffffff", 1},
	{"IPv6 prefix masked", 1, 0, "-A INPUT -s 2001:db8::1/64 -j ACCEPT", 0,
	 "-A INPUT -s 2001:db8::/64 -j ACCEPT", 1},
	{"IPv6 icmpv6 alias", 1, 0, "-A INPUT -p icmpv6 -m icmp6 --icmpv6-type 133 -j ACCEPT", 0,
	 "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 133 -j ACCEPT", 1},
	{"IPv6 icmpv6 name", 1, 6, "-A INPUT -p ipv6-icmp --icmpv6-type neighbour-solicitation -j ACCEPT", 0,
	 "-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT", 1},
};

static struct ipt_ruleset *parse_text(const char *text, int wrap, int family, struct ipt_error *err)
{
	char buf[8192];

	if (wrap)
		snprintf(buf, sizeof(buf), FILTER_HEAD "%s\nCOMMIT\n", text);
	else
		snprintf(buf, sizeof(buf), "%s", text);
	return ipt_parse_buffer(buf, strlen(buf), "t.rules", family, err);
}

static void test_ok(void **state)
{
	const struct ok_case *c = *state;
	struct ipt_error err;
	struct ipt_ruleset *rs = parse_text(c->text, c->wrap, c->family, &err);
	char out[1024];

	if (!rs)
		fail_msg("%s: %u:%u: %s", c->name, err.line, err.col, err.msg);
	assert_int_equal(ipt_rule_count(rs), c->nrules);
	assert_true(ipt_rule_format(rs, c->rule, out, sizeof(out)) > 0);
	assert_string_equal(out, c->canon);
	ipt_ruleset_free(rs);
}

/* A rejected input and where the error must point. */
struct err_case {
	const char *name;
	const char *text;
	unsigned line, col;
	const char *msg_part;
};

static const struct err_case err_cases[] = {
	{"unknown table", "*foo\nCOMMIT\n", 1, 2, "unknown table `foo'"},
	/* found by fuzz_ipt_parse: an unknown match swallowed a trailing "!" */
	{"dangling negation after an unknown match", "*filter\n-A INPUT -m u32 --bar x !\nCOMMIT\n",
	 2, 25, "`!' at the end of the rule"},
	/* issue 9, fault 9: iptables-restore: "Couldn't load match `tpc'" */
	{"match module iptables does not have", "*filter\n-A INPUT -p tcp -m tpc --dport 25 -j DROP\nCOMMIT\n",
	 2, 20, "couldn't load match `tpc'"},
	{"IPv4-only match in ip6tables", "*filter\n-A INPUT -s ::1 -m ttl --ttl-eq 1 -j DROP\nCOMMIT\n",
	 2, 20, "couldn't load match `ttl'"},
	{"target module iptables does not have", "*filter\n-A INPUT -j NOSUCH --opt 1\nCOMMIT\n",
	 2, 13, "couldn't load target `NOSUCH'"},
	/* found by fuzz_ipt_parse: the old "-i ! x" form naming an interface "!" */
	{"interface named !", "*filter\n-A INPUT -i ! ! -j DROP\nCOMMIT\n", 2, 15,
	 "bad interface name `!'"},
	/* found by fuzz_ipt_parse: a later unknown match claimed the target's option */
	{"unknown target without options", "*filter\n:X - [0:0]\n-A X -j NOPE\nCOMMIT\n",
	 3, 9, "jump to undeclared chain `NOPE'"},
	{"rule before a table", "-A INPUT -j DROP\n*filter\nCOMMIT\n", 1, 1, "outside a table"},
	{"chain not declared", "*filter\n-A FOO -j DROP\nCOMMIT\n", 2, 4, "`FOO' not declared"},
	{"COMMIT missing at EOF", "*filter\n-A INPUT -j DROP\n", 1, 1, "COMMIT missing"},
	{"table before COMMIT", "*filter\n*nat\nCOMMIT\n", 2, 1, "before COMMIT"},
	{"bad prefix length", "*filter\n-A INPUT -s 1.2.3.4/33 -j DROP\nCOMMIT\n", 2, 13,
	 "bad address `1.2.3.4/33'"},
	{"bad address octet", "*filter\n-A INPUT -d 1.2.3.256 -j DROP\nCOMMIT\n", 2, 13, "bad address"},
	{"host name", "*filter\n-A INPUT -s localhost -j DROP\nCOMMIT\n", 2, 13, "host name"},
	{"bad port", "*filter\n-A INPUT -p tcp --dport 70000 -j DROP\nCOMMIT\n", 2, 25,
	 "bad port `70000'"},
	{"reversed port range", "*filter\n-A INPUT -p tcp --dport 100:10 -j DROP\nCOMMIT\n", 2, 25,
	 "bad port"},
	{"missing option argument", "*filter\n-A INPUT -s\nCOMMIT\n", 2, 10, "requires an argument"},
	{"missing match argument", "*filter\n-A INPUT -p tcp --dport\nCOMMIT\n", 2, 17,
	 "requires an argument"},
	{"unterminated quote", "*filter\n-A INPUT -m comment --comment \"abc -j DROP\nCOMMIT\n", 2, 31,
	 "unterminated quote"},
	{"jump to undeclared chain", "*filter\n-A INPUT -j NOPE\nCOMMIT\n", 2, 13,
	 "undeclared chain `NOPE'"},
	{"goto to undeclared chain", "*filter\n-A INPUT -g NOPE\nCOMMIT\n", 2, 13, "undeclared chain"},
	{"goto to built-in chain", "*filter\n-A INPUT -g OUTPUT\nCOMMIT\n", 2, 13, "built-in"},
	{"jump to built-in chain", "*filter\n-A INPUT -j OUTPUT\nCOMMIT\n", 2, 13, "built-in"},
	{"-A in a chain of another table", "*raw\n-A INPUT -j DROP\nCOMMIT\n", 2, 4,
	 "does not exist in table `raw'"},
	{"user chain of another table", "*nat\n:X - [0:0]\nCOMMIT\n*filter\n-A X -j DROP\nCOMMIT\n", 5, 4,
	 "does not exist in table `filter'"},
	{"unknown option", "*filter\n-A INPUT -p udp -m multiport --ports 1 --something-else -j ACCEPT\nCOMMIT\n",
	 2, 40, "unknown option `--something-else'"},
	{"multiple -s", "*filter\n-A INPUT -s 1.1.1.1 -s 2.2.2.2 -j DROP\nCOMMIT\n", 2, 21, "multiple -s"},
	{"! -p all", "*filter\n-A INPUT ! -p all -j DROP\nCOMMIT\n", 2, 15, "never match protocol"},
	{"-o in INPUT", "*filter\n-A INPUT -o eth0 -j DROP\nCOMMIT\n", 2, 10, "can't use -o with INPUT"},
	{"interface name too long", "*filter\n-A INPUT -i abcdefghijklmnop -j DROP\nCOMMIT\n", 2, 13,
	 "bad interface name"},
	{"tcp match without -p tcp", "*filter\n-A INPUT -m tcp --dport 22 -j DROP\nCOMMIT\n", 2, 13,
	 "needs `-p tcp'"},
	{"policy on a user chain", "*filter\n:FOO ACCEPT [0:0]\nCOMMIT\n", 2, 6, "user chain"},
	{"bad policy", "*filter\n:INPUT REJECT [0:0]\nCOMMIT\n", 2, 8, "bad policy `REJECT'"},
	{"chain declared twice", "*filter\n:FOO - [0:0]\n:FOO - [0:0]\nCOMMIT\n", 3, 2, "declared twice"},
	{"bad chain counters", "*filter\n:INPUT ACCEPT [1:x]\nCOMMIT\n", 2, 15, "bad counters"},
	{"bad rule counters", "*filter\n[1:x] -A INPUT -j DROP\nCOMMIT\n", 2, 1, "bad counters"},
	{"jump loop", "*filter\n:A - [0:0]\n:B - [0:0]\n-A A -j B\n-A B -j A\nCOMMIT\n", 5, 1, "loop"},
	{"DNAT outside nat", "*filter\n-A INPUT -j DNAT --to-destination 1.2.3.4\nCOMMIT\n", 2, 13,
	 "only valid in the nat table"},
	{"IPv6 address in IPv4 ruleset", "*filter\n-A INPUT -s 1.2.3.4 -d ::1 -j DROP\nCOMMIT\n", 2, 24,
	 "IPv6 address"},
	{"bad icmp type", "*filter\n-A INPUT -p icmp --icmp-type bogus -j DROP\nCOMMIT\n", 2, 30,
	 "bad ICMP type `bogus'"},
	{"bad argument", "*filter\n-A INPUT stray -j DROP\nCOMMIT\n", 2, 10, "bad argument `stray'"},
	{"double negation", "*filter\n-A INPUT ! ! -s 1.2.3.4 -j DROP\nCOMMIT\n", 2, 12, "multiple `!'"},
	{"negated jump", "*filter\n-A INPUT ! -j DROP\nCOMMIT\n", 2, 10, "before `-j'"},
	{"too many multiport ports", "*filter\n-A INPUT -p tcp -m multiport --dports 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16 -j DROP\nCOMMIT\n",
	 2, 39, "too many ports"},
	{"COMMIT outside a table", "COMMIT\n", 1, 1, "outside a table"},
	{"table given twice", "*filter\nCOMMIT\n*filter\nCOMMIT\n", 3, 1, "twice"},
	{"-f in IPv6", "*filter\n-A INPUT -s ::1 -f -j DROP\nCOMMIT\n", 2, 17, "IPv6 ruleset"},
};

static void test_err(void **state)
{
	const struct err_case *c = *state;
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_buffer(c->text, strlen(c->text), "bad.rules", 0, &err);

	if (rs) {
		ipt_ruleset_free(rs);
		fail_msg("%s: parsed", c->name);
	}
	assert_string_equal(err.file, "bad.rules");
	if (err.line != c->line || err.col != c->col || !strstr(err.msg, c->msg_part))
		fail_msg("%s: got %u:%u: %s, want %u:%u: ...%s...", c->name, err.line, err.col, err.msg,
			 c->line, c->col, c->msg_part);
}

/* Whole-file properties: family detection, chains, policies, round trip. */
static void test_family_and_chains(void **state)
{
	static const char v6[] = "*filter\n:INPUT DROP [3:4]\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 128 -j ACCEPT\nCOMMIT\n";
	static const char v4[] = "*filter\n:INPUT DROP [0:0]\n:X - [0:0]\n-A X -j DROP\n-A INPUT -j X\nCOMMIT\n";
	static const char srh[] = "*nat\n:h - [0:0]\n-A h -m srh -j ACCEPT\nCOMMIT\n";
	static const char ttl[] = "*filter\n-A INPUT -m ttl --ttl-eq 1 -j DROP\nCOMMIT\n";
	static const char srh4[] = "*filter\n-A INPUT -m srh -j ACCEPT\n-A INPUT -s 10.0.0.1 -j DROP\nCOMMIT\n";
	struct ipt_error err;
	struct ipt_ruleset *rs;
	struct ipt_chain_info ci;
	struct ipt_rule_info ri;
	uint32_t in;

	(void)state;
	rs = ipt_parse_buffer(v6, strlen(v6), "v6", 0, &err);
	assert_non_null(rs);
	assert_int_equal(ipt_ruleset_family(rs), 6);
	ipt_ruleset_free(rs);

	/* found by fuzz_ipt_parse: a match only ip6tables has (libip6t_srh) makes the file
	 * IPv6, as icmp6 does, and an IPv4-only one (libipt_ttl) makes it IPv4 */
	rs = ipt_parse_buffer(srh, strlen(srh), "srh", 0, &err);
	assert_non_null(rs);
	assert_int_equal(ipt_ruleset_family(rs), 6);
	ipt_ruleset_free(rs);
	rs = ipt_parse_buffer(ttl, strlen(ttl), "ttl", 0, &err);
	assert_non_null(rs);
	assert_int_equal(ipt_ruleset_family(rs), 4);
	ipt_ruleset_free(rs);
	assert_null(ipt_parse_buffer(srh4, strlen(srh4), "srh4", 0, &err));
	assert_int_equal(err.line, 3);
	assert_int_equal(err.col, 13);
	assert_non_null(strstr(err.msg, "IPv6 ruleset"));

	rs = ipt_parse_buffer(v4, strlen(v4), "v4", 0, &err);
	assert_non_null(rs);
	assert_int_equal(ipt_ruleset_family(rs), 4);
	in = ipt_chain_find(rs, IPT_TABLE_FILTER, "INPUT");
	assert_int_not_equal(in, IPT_NONE);
	assert_int_equal(ipt_chain_get(rs, in, &ci), 0);
	assert_int_equal(ci.policy, IPT_V_DROP);
	assert_int_equal(ci.line, 2);
	assert_int_equal(ci.nrules, 1);
	assert_int_equal(ipt_rule_get(rs, ci.first_rule, &ri), 0);
	assert_int_equal(ri.line, 5);
	assert_int_equal(ri.num, 1);
	assert_string_equal(ri.target, "X");
	assert_int_equal(ipt_chain_get(rs, ipt_chain_find(rs, IPT_TABLE_FILTER, "FORWARD"), &ci), 0);
	assert_int_equal(ci.policy_declared, 0);
	assert_int_equal(ci.policy, IPT_V_ACCEPT);
	assert_int_equal(ipt_table_present(rs, IPT_TABLE_NAT), 0);
	ipt_ruleset_free(rs);
}

static void test_round_trip_idempotent(void **state)
{
	static const char in[] =
		"*nat\n:PREROUTING ACCEPT [1:2]\n-A PREROUTING -i eth0 -p tcp --dport 80 -j REDIRECT --to-ports 3128\nCOMMIT\n"
		"*filter\n:INPUT DROP [0:0]\n:L - [0:0]\n-A INPUT -s ! 10.0.0.0/8 -p tcp -m multiport --dports 22,80:90 -g L\n"
		"-A INPUT -m comment --comment \"it's \\\"quoted\\\"\" -m limit --limit 3/sec -j LOG --log-prefix \"in: \"\n"
		"-A L -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n";
	struct ipt_error err;
	struct ipt_ruleset *a, *b;
	char *t1 = NULL, *t2 = NULL;
	size_t l1 = 0, l2 = 0;
	FILE *f;

	(void)state;
	a = ipt_parse_buffer(in, strlen(in), "rt", 0, &err);
	assert_non_null(a);
	f = open_memstream(&t1, &l1);
	assert_int_equal(ipt_write(a, f), 0);
	fclose(f);
	b = ipt_parse_buffer(t1, l1, "rt2", 0, &err);
	if (!b)
		fail_msg("reparse: %u:%u: %s\n%s", err.line, err.col, err.msg, t1);
	f = open_memstream(&t2, &l2);
	assert_int_equal(ipt_write(b, f), 0);
	fclose(f);
	assert_string_equal(t1, t2);
	assert_non_null(strstr(t1, "-A INPUT ! -s 10.0.0.0/8 -p tcp -m multiport --dports 22,80:90 -g L\n"));
	ipt_ruleset_free(a);
	ipt_ruleset_free(b);
	free(t1);
	free(t2);
}

int main(void)
{
	struct CMUnitTest tests[sizeof(ok_cases) / sizeof(ok_cases[0]) +
				sizeof(err_cases) / sizeof(err_cases[0]) + 2];
	size_t i, n = 0;

	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		struct CMUnitTest t = {ok_cases[i].name, test_ok, NULL, NULL, (void *)&ok_cases[i]};

		tests[n++] = t;
	}
	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		struct CMUnitTest t = {err_cases[i].name, test_err, NULL, NULL, (void *)&err_cases[i]};

		tests[n++] = t;
	}
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_family_and_chains);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_round_trip_idempotent);
	return _cmocka_run_group_tests("ipt_parse", tests, n, NULL, NULL);
}
