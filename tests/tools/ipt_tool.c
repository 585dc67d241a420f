/* ipt_tool: drives the iptables parser and evaluator from the command line, for the corpus
 * and differential tests.
 *
 *   ipt_tool parse [-4|-6] FILE
 *       Prints FILE in canonical iptables-save form and exits 0, or prints
 *       "file:line:col: message" on stderr and exits 1.
 *
 *   ipt_tool family FILE
 *       Prints 4 or 6: the family the parser decided from the content (exit 1 on error).
 *
 *   ipt_tool eval [-4|-6] [--hits] FILE
 *       Reads lines from stdin. Blank lines and lines starting with '#' are ignored.
 *       Lines starting with '@' set the kernel context (the evaluator is rebuilt):
 *         @addr IFNAME ADDR/PLEN        a host address (full address kept)
 *         @addrs-known                  the @addr list is complete (LOCAL is decidable)
 *         @sysctl IFNAME|all [route_localnet=0|1] [accept_local=0|1] [rp_filter=0|1|2]
 *         @route PREFIX IFNAME          a main-table route; @routes-known makes the list
 *         @routes-known                 complete (rp_filter / rpfilter decidable)
 *         @conntrack 0|1                conntrack (and defragmentation) loaded or not
 *         @reset                        forget the context
 *       Any other line is a packet, as space-separated key=value pairs:
 *         path=in|out|lo|fwd   (default in)        src=ADDR dst=ADDR (required)
 *         proto=tcp|udp|icmp|icmpv6|sctp|NUMBER     sport=N dport=N
 *         flags=SYN,ACK|NONE   type=N code=N        frag=0|1
 *         in=IFNAME out=IFNAME pkttype=host|broadcast|multicast|otherhost|unknown
 *         mac=aa:bb:cc:dd:ee:ff state=new|established|related|invalid|untracked|unknown
 *       For each packet one line is printed:
 *         VERDICT possible=V[,V] by=KIND [table=T chain=C num=N line=L] [martian=WHY]
 *                 [uncertain=T:C:N@L] [dnat=ADDR:PORT] [limit="REASON"] [hits=T:C:N[?],...]
 *       where KIND is rule, policy, path-end, martian, defrag or unknown; for a policy,
 *       line is the chain's declaration line (0 if it had none). A bad packet line prints
 *       "error: MESSAGE" instead (and the exit status becomes 1).
 */
#include "policy/ipt.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CTX 1024

struct tool_ctx {
	struct ipt_hostaddr addrs[MAX_CTX];
	struct ipt_ifconf ifconf[MAX_CTX];
	struct ipt_route routes[MAX_CTX];
	struct ipt_context ctx;
};

struct hits {
	const struct ipt_ruleset *rs;
	char buf[8192];
	size_t len;
};

static int usage(void)
{
	fprintf(stderr, "usage: ipt_tool parse [-4|-6] FILE\n"
			"       ipt_tool family FILE\n"
			"       ipt_tool eval [-4|-6] [--hits] FILE < packets\n");
	return 2;
}

static struct ipt_ruleset *load(const char *path, int family)
{
	struct ipt_error err;
	struct ipt_ruleset *rs = ipt_parse_file(path, family, &err);

	if (!rs) {
		if (err.line)
			fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.col, err.msg);
		else
			fprintf(stderr, "%s: %s\n", err.file, err.msg[0] ? err.msg : strerror(errno));
	}
	return rs;
}

static int num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 0);
	return errno || *end || *out > max ? -1 : 0;
}

static int addr(const char *s, int family, uint8_t out[16])
{
	memset(out, 0, 16);
	return inet_pton(family == 4 ? AF_INET : AF_INET6, s, out) == 1 ? 0 : -1;
}

static const char *const protos[][2] = {
	{"tcp", "6"}, {"udp", "17"}, {"icmp", "1"}, {"icmpv6", "58"}, {"ipv6-icmp", "58"},
	{"sctp", "132"}, {"udplite", "136"}, {"dccp", "33"}, {"gre", "47"}, {"esp", "50"},
	{"ah", "51"},
};

static int parse_packet(char *line, int family, struct ipt_packet *p, char *why, size_t wlen)
{
	static const char *const paths[] = {"in", "out", "lo", "fwd"};
	static const char *const states[] = {"new", "established", "related", "invalid",
					     "untracked", "unknown"};
	static const char *const types[] = {"host", "broadcast", "multicast", "otherhost",
					    "unknown"};
	char *tok, *save = NULL;
	int have_src = 0, have_dst = 0;
	unsigned long v;
	size_t i;

	ipt_packet_init(p, family, IPT_PATH_INCOMING);
	for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		char *val = strchr(tok, '=');

		if (!val) {
			snprintf(why, wlen, "expected key=value, got `%s'", tok);
			return -1;
		}
		*val++ = '\0';
		if (!strcmp(tok, "path") || !strcmp(tok, "state") || !strcmp(tok, "pkttype")) {
			const char *const *tab = tok[0] == 'p' && tok[1] == 'a' ? paths
						 : tok[0] == 's' ? states : types;
			size_t n = tab == paths ? 4 : tab == states ? 6 : 5;

			for (i = 0; i < n && strcmp(tab[i], val); i++)
				;
			if (i == n)
				goto bad;
			if (tab == paths)
				p->path = (uint8_t)i;
			else if (tab == states)
				p->ctstate = (uint8_t)i;
			else
				p->pkttype = (uint8_t)i;
		} else if (!strcmp(tok, "src") || !strcmp(tok, "dst")) {
			if (addr(val, family, tok[0] == 's' ? p->src : p->dst) != 0)
				goto bad;
			*(tok[0] == 's' ? &have_src : &have_dst) = 1;
		} else if (!strcmp(tok, "proto")) {
			for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++)
				if (!strcmp(protos[i][0], val))
					val = (char *)protos[i][1];
			if (num(val, 255, &v) != 0)
				goto bad;
			p->proto = (uint8_t)v;
		} else if (!strcmp(tok, "sport") || !strcmp(tok, "dport")) {
			if (num(val, 65535, &v) != 0)
				goto bad;
			*(tok[0] == 's' ? &p->sport : &p->dport) = (uint16_t)v;
		} else if (!strcmp(tok, "type") || !strcmp(tok, "code")) {
			if (num(val, 255, &v) != 0)
				goto bad;
			*(tok[0] == 't' ? &p->icmp_type : &p->icmp_code) = (uint8_t)v;
		} else if (!strcmp(tok, "frag")) {
			if (num(val, 1, &v) != 0)
				goto bad;
			p->fragment = (uint8_t)v;
		} else if (!strcmp(tok, "flags")) {
			static const char *const fl[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG"};
			char *f, *s2 = NULL;

			p->tcp_flags = 0;
			if (strcmp(val, "NONE") != 0) {
				for (f = strtok_r(val, ",", &s2); f; f = strtok_r(NULL, ",", &s2)) {
					for (i = 0; i < 6 && strcmp(fl[i], f); i++)
						;
					if (i == 6)
						goto bad;
					p->tcp_flags |= (uint8_t)(1u << i);
				}
			}
		} else if (!strcmp(tok, "in") || !strcmp(tok, "out")) {
			if (strlen(val) >= IPT_IFNAMSIZ)
				goto bad;
			snprintf(tok[0] == 'i' ? p->in_if : p->out_if, IPT_IFNAMSIZ, "%s", val);
		} else if (!strcmp(tok, "mac")) {
			unsigned m[6];

			if (sscanf(val, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4],
				   &m[5]) != 6)
				goto bad;
			for (i = 0; i < 6; i++)
				p->mac[i] = (uint8_t)m[i];
			p->have_mac = 1;
		} else {
			snprintf(why, wlen, "unknown key `%s'", tok);
			return -1;
		}
		continue;
bad:
		snprintf(why, wlen, "bad value `%s' for %s", val, tok);
		return -1;
	}
	if (!have_src || !have_dst) {
		snprintf(why, wlen, "src= and dst= are required");
		return -1;
	}
	return 0;
}

static struct ipt_ifconf *ifconf_get(struct tool_ctx *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ctx.nifconf; i++)
		if (!strcmp(t->ifconf[i].ifname, name))
			return &t->ifconf[i];
	if (t->ctx.nifconf == MAX_CTX || strlen(name) >= IPT_IFNAMSIZ)
		return NULL;
	memset(&t->ifconf[i], 0, sizeof(t->ifconf[i]));
	snprintf(t->ifconf[i].ifname, IPT_IFNAMSIZ, "%s", name);
	t->ifconf[i].route_localnet = t->ifconf[i].accept_local = t->ifconf[i].rp_filter = -1;
	t->ctx.nifconf++;
	return &t->ifconf[i];
}

static int context_line(struct tool_ctx *t, char *line, int family)
{
	char *save = NULL, *cmd = strtok_r(line, " \t", &save);
	char *a1 = strtok_r(NULL, " \t", &save), *a2 = strtok_r(NULL, " \t", &save);
	unsigned long v;

	if (!strcmp(cmd, "@reset")) {
		memset(&t->ctx, 0, sizeof(t->ctx));
		t->ctx.addrs = t->addrs;
		t->ctx.ifconf = t->ifconf;
		t->ctx.routes = t->routes;
		t->ctx.conntrack = -1;
		return 0;
	}
	if (!strcmp(cmd, "@addrs-known")) {
		t->ctx.addrs_known = 1;
		return 0;
	}
	if (!strcmp(cmd, "@routes-known")) {
		t->ctx.routes_known = 1;
		return 0;
	}
	if (!strcmp(cmd, "@conntrack") && a1 && num(a1, 1, &v) == 0) {
		t->ctx.conntrack = (int)v;
		return 0;
	}
	if (!strcmp(cmd, "@addr") && a1 && a2 && t->ctx.naddrs < MAX_CTX && strlen(a1) < IPT_IFNAMSIZ) {
		struct ipt_hostaddr *h = &t->addrs[t->ctx.naddrs];
		char *slash = strchr(a2, '/');

		memset(h, 0, sizeof(*h));
		snprintf(h->ifname, IPT_IFNAMSIZ, "%s", a1);
		h->family = (uint8_t)family;
		h->plen = family == 4 ? 32 : 128;
		if (slash) {
			*slash++ = '\0';
			if (num(slash, h->plen, &v) != 0)
				return -1;
			h->plen = (uint8_t)v;
		}
		if (addr(a2, family, h->addr) != 0)
			return -1;
		t->ctx.naddrs++;
		return 0;
	}
	if (!strcmp(cmd, "@route") && a1 && a2 && t->ctx.nroutes < MAX_CTX && strlen(a2) < IPT_IFNAMSIZ) {
		struct ipt_route *r = &t->routes[t->ctx.nroutes];

		if (prefix_parse(a1, family, &r->dst) != 0)
			return -1;
		snprintf(r->ifname, IPT_IFNAMSIZ, "%s", a2);
		t->ctx.nroutes++;
		return 0;
	}
	if (!strcmp(cmd, "@sysctl") && a1) {
		struct ipt_ifconf *c = ifconf_get(t, a1);
		char *kv = a2;

		if (!c)
			return -1;
		for (; kv; kv = strtok_r(NULL, " \t", &save)) {
			char *val = strchr(kv, '=');

			if (!val)
				return -1;
			*val++ = '\0';
			if (!strcmp(kv, "route_localnet") && num(val, 1, &v) == 0)
				c->route_localnet = (int8_t)v;
			else if (!strcmp(kv, "accept_local") && num(val, 1, &v) == 0)
				c->accept_local = (int8_t)v;
			else if (!strcmp(kv, "rp_filter") && num(val, 2, &v) == 0)
				c->rp_filter = (int8_t)v;
			else
				return -1;
		}
		return 0;
	}
	return -1;
}

static void where(const struct ipt_ruleset *rs, uint32_t rule, char *buf, size_t len)
{
	struct ipt_rule_info ri;

	if (ipt_rule_get(rs, rule, &ri) != 0) {
		snprintf(buf, len, "?");
		return;
	}
	snprintf(buf, len, "%s:%s:%u@%u", ipt_table_name(ri.table), ri.chain_name, ri.num, ri.line);
}

static void hit(void *arg, uint32_t rule, int matched)
{
	struct hits *h = arg;
	char w[128];
	int n;

	where(h->rs, rule, w, sizeof(w));
	*strchr(w, '@') = '\0';
	n = snprintf(h->buf + h->len, sizeof(h->buf) - h->len, "%s%s%s", h->len ? "," : "", w,
		     matched == 2 ? "?" : "");
	if (n > 0 && (size_t)n < sizeof(h->buf) - h->len)
		h->len += (size_t)n;
}

static void print_result(const struct ipt_ruleset *rs, const struct ipt_result *r,
			 const struct hits *h)
{
	static const char *const by[] = {"rule", "policy", "path-end", "martian", "defrag",
					 "unknown"};
	char buf[256];
	int v, first = 1;

	printf("%s possible=", ipt_verdict_name(r->verdict));
	for (v = 0; v < IPT_V_UNKNOWN; v++) {
		if (r->possible & IPT_VSET(v)) {
			printf("%s%s", first ? "" : ",", ipt_verdict_name((enum ipt_verdict)v));
			first = 0;
		}
	}
	printf(" by=%s", by[r->by]);
	if (r->rule != IPT_NONE) {
		struct ipt_rule_info ri;

		ipt_rule_get(rs, r->rule, &ri);
		printf(" table=%s chain=%s num=%u line=%u", ipt_table_name(ri.table), ri.chain_name,
		       ri.num, ri.line);
	} else if (r->chain != IPT_NONE) {
		struct ipt_chain_info ci;

		ipt_chain_get(rs, r->chain, &ci);
		printf(" table=%s chain=%s policy=%s line=%u", ipt_table_name(ci.table), ci.name,
		       ipt_verdict_name(ci.policy), ci.line);
	}
	if (r->by == IPT_BY_MARTIAN || (r->martian != IPT_MARTIAN_NONE))
		printf(" martian=%s", ipt_martian_name(r->martian));
	if (r->uncertain_rule != IPT_NONE) {
		where(rs, r->uncertain_rule, buf, sizeof(buf));
		printf(" uncertain=%s", buf);
	}
	if (r->uncertain_martian)
		printf(" uncertain-martian=1");
	if (r->nat.dnat_rule != IPT_NONE) {
		addr_format(ipt_ruleset_family(rs), r->nat.dst, buf, sizeof(buf));
		printf(" dnat=%s:%u", buf, r->nat.dport);
	}
	if (r->limit != IPT_LIMIT_NONE)
		printf(" limit=\"%s\"", r->reason);
	if (h)
		printf(" hits=%s", h->buf);
	printf("\n");
}

static int cmd_eval(const char *path, int family, int want_hits)
{
	struct ipt_ruleset *rs = load(path, family);
	struct tool_ctx *t = calloc(1, sizeof(*t));
	struct ipt_eval *ev = NULL;
	struct hits h;
	char line[4096], why[256];
	int ret = 1, fam, dirty = 1;

	if (!rs || !t)
		goto out;
	fam = ipt_ruleset_family(rs);
	t->ctx.addrs = t->addrs;
	t->ctx.ifconf = t->ifconf;
	t->ctx.routes = t->routes;
	t->ctx.conntrack = -1;
	ret = 0;
	while (fgets(line, sizeof(line), stdin)) {
		struct ipt_packet p;
		struct ipt_result res;
		char *s = line;

		line[strcspn(line, "\r\n")] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0' || *s == '#')
			continue;
		if (*s == '@') {
			if (context_line(t, s, fam) != 0) {
				printf("error: bad context line\n");
				ret = 1;
			}
			dirty = 1;
			continue;
		}
		if (dirty) {
			ipt_eval_free(ev);
			ev = ipt_eval_new(rs, &t->ctx);
			if (!ev) {
				ret = 1;
				goto out;
			}
			dirty = 0;
		}
		if (parse_packet(s, fam, &p, why, sizeof(why)) != 0) {
			printf("error: %s\n", why);
			ret = 1;
			continue;
		}
		memset(&h, 0, sizeof(h));
		h.rs = rs;
		ipt_eval_set_hook(ev, want_hits ? hit : NULL, &h);
		if (ipt_eval_packet(ev, &p, &res) != 0) {
			printf("error: packet rejected by the evaluator\n");
			ret = 1;
			continue;
		}
		print_result(rs, &res, want_hits ? &h : NULL);
	}
	fflush(stdout);
out:
	ipt_eval_free(ev);
	ipt_ruleset_free(rs);
	free(t);
	return ret;
}

int main(int argc, char **argv)
{
	int family = 0, hits = 0, i = 2;
	struct ipt_ruleset *rs;

	if (argc < 3)
		return usage();
	for (; i < argc - 1; i++) {
		if (!strcmp(argv[i], "-4"))
			family = 4;
		else if (!strcmp(argv[i], "-6"))
			family = 6;
		else if (!strcmp(argv[i], "--hits"))
			hits = 1;
		else
			return usage();
	}
	if (!strcmp(argv[1], "parse") || !strcmp(argv[1], "family")) {
		int ret = 0;

		rs = load(argv[argc - 1], family);
		if (!rs)
			return 1;
		if (argv[1][0] == 'f')
			printf("%d\n", ipt_ruleset_family(rs));
		else if (ipt_write(rs, stdout) != 0 || fflush(stdout) != 0)
			ret = 1;
		ipt_ruleset_free(rs);
		return ret;
	}
	if (!strcmp(argv[1], "eval"))
		return cmd_eval(argv[argc - 1], family, hits);
	return usage();
}
