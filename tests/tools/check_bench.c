/* check_bench: the evaluator benchmark behind tests/bench/check. It generates two 5 000-rule
 * IPv4 rulesets, "chains" (conntrack first, per-service user chains, a 2 000-address
 * blocklist chain, per-network chains, port lists) and "flat" (the same rules in one
 * INPUT chain), and 1 M flows (packets standing for flows: mixed paths, protocols,
 * ports from the rules and random ones, addresses inside and outside the lists); prints
 * the parse time, and verdicts per second of the compiled and the plain evaluator (median
 * of RUNS runs; the plain walk of the flat ruleset runs on a 50 000-flow slice), and
 * checks that both gave the same verdicts.
 * With --nft FILE (the "chains" ruleset translated to nftables by
 * iptables-restore-translate: tests/bench/check), the nftables evaluator runs the same
 * flows on it too: its verdicts per second, and how many verdicts differ from the
 * iptables evaluator's on the original (the translation must not change any); the
 * compiled nft path (the default) is timed, the plain nft walk runs on a 20 000-flow slice
 * and must give the same results flow by flow.
 * Usage: check_bench [RUNS] [FLOWS] [--nft FILE]
 *        check_bench --ruleset chains|flat   (prints that ruleset: tests/bench/check_e2e) */
#include "policy/ipt.h"
#include "policy/nft.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rsgen.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this thread: on a shared machine the wall-clock rate counts the time
 * other processes held the CPU, the CPU rate does not; the bench prints both. */
static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const uint16_t svc[] = {22, 25, 53, 80, 110, 123, 143, 443, 465, 587, 993, 995, 3306,
			       5432, 6379, 8080, 8443, 9090, 9100, 11211};

/* A rule body (after "-A CHAIN") for rule i. */
static void body(struct rsgen *g, unsigned i, char *buf, size_t len)
{
	unsigned k = i % 10;

	if (k < 4)	/* blocklist entry */
		snprintf(buf, len, "-s %u.%u.%u.0/24 -j DROP", 11 + rg(g, 180), rg(g, 256), rg(g, 256));
	else if (k < 6)	/* a host allowed to a service */
		snprintf(buf, len, "-s %u.%u.%u.%u/32 -p tcp -m tcp --dport %u -j ACCEPT",
			 11 + rg(g, 180), rg(g, 256), rg(g, 256), rg(g, 256), svc[rg(g, 20)]);
	else if (k < 7)
		snprintf(buf, len, "-p udp -m udp --dport %u -j %s", 1024 + rg(g, 60000),
			 rg(g, 2) ? "ACCEPT" : "DROP");
	else if (k < 8)
		snprintf(buf, len, "-d 45.33.%u.%u/32 -p tcp -m multiport --dports %u,%u,%u -j ACCEPT",
			 rg(g, 4), rg(g, 256), svc[rg(g, 20)], svc[rg(g, 20)], svc[rg(g, 20)]);
	else if (k < 9)
		snprintf(buf, len, "-s 10.%u.0.0/16 -i eth%u -j REJECT --reject-with icmp-port-unreachable",
			 rg(g, 256), rg(g, 3));
	else
		snprintf(buf, len, "-p tcp -m tcp --dport %u:%u -m comment --comment \"range %u\" -j ACCEPT",
			 2000 + rg(g, 1000), 3000 + rg(g, 1000), i);
}

static char *ruleset(int flat, unsigned n, size_t *len)
{
	struct rsgen g;
	char *text = NULL, b[256];
	FILE *f = open_memstream(&text, len);
	unsigned i, nchains = 50;

	rg_seed(&g, 42);
	fprintf(f, "*filter\n:INPUT DROP [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
	if (flat) {
		fprintf(f, "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n-A INPUT -i lo -j ACCEPT\n");
		for (i = 0; i < n - 2; i++) {
			body(&g, i, b, sizeof(b));
			fprintf(f, "-A INPUT %s\n", b);
		}
	} else {
		fprintf(f, ":BLOCK - [0:0]\n");
		for (i = 0; i < nchains; i++)
			fprintf(f, ":NET%u - [0:0]\n", i);
		fprintf(f, "-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n"
			   "-A INPUT -i lo -j ACCEPT\n-A INPUT -j BLOCK\n");
		for (i = 0; i < nchains; i++)
			fprintf(f, "-A INPUT -s %u.0.0.0/8 -j NET%u\n", 11 + i * 3, i);
		for (i = 0; i < nchains; i++)
			fprintf(f, "-A FORWARD -d 45.33.%u.0/24 -j NET%u\n", i % 4, i);
		for (i = 0; i < 2000; i++)
			fprintf(f, "-A BLOCK -s %u.%u.%u.%u/32 -j DROP\n", 11 + rg(&g, 180), rg(&g, 256),
				rg(&g, 256), rg(&g, 256));
		for (i = 0; i < n - 2003 - 2 * nchains; i++) {
			body(&g, i, b, sizeof(b));
			fprintf(f, "-A NET%u %s\n", i % nchains, b);
		}
	}
	fprintf(f, "COMMIT\n");
	fclose(f);
	return text;
}

static void packets(struct ipt_packet *v, size_t n)
{
	struct rsgen g;
	size_t i;

	rg_seed(&g, 7);
	for (i = 0; i < n; i++) {
		struct ipt_packet *p = &v[i];
		unsigned r = rg(&g, 100);

		ipt_packet_init(p, 4, r < 80 ? IPT_PATH_INCOMING : r < 90 ? IPT_PATH_FORWARD
						 : r < 97 ? IPT_PATH_LOCAL_OUT : IPT_PATH_LOOPBACK);
		p->proto = r % 10 < 6 ? 6 : r % 10 < 9 ? 17 : 1;
		p->src[0] = (uint8_t)(11 + rg(&g, 180));
		p->src[1] = (uint8_t)rg(&g, 256);
		p->src[2] = (uint8_t)rg(&g, 256);
		p->src[3] = (uint8_t)rg(&g, 256);
		p->dst[0] = 45;
		p->dst[1] = 33;
		p->dst[2] = (uint8_t)rg(&g, 4);
		p->dst[3] = (uint8_t)rg(&g, 256);
		p->sport = rg(&g, 2) ? 0 : (uint16_t)(1024 + rg(&g, 60000));
		p->dport = rg(&g, 3) ? svc[rg(&g, 20)] : (uint16_t)rg(&g, 65536);
		p->unknown = p->sport == 0 ? IPT_UNK_SPORT : 0;
		p->tcp_flags = IPT_TCP_SYN;
		p->icmp_type = 8;
		p->ctstate = rg(&g, 3) ? IPT_CT_NEW : IPT_CT_ESTABLISHED;
		snprintf(p->in_if, sizeof(p->in_if), "eth%u", rg(&g, 3));
		snprintf(p->out_if, sizeof(p->out_if), "eth%u", rg(&g, 3));
	}
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Whether two nft results are the same (the compiled path must change nothing). */
static int same_res(const struct ipt_result *a, const struct ipt_result *b)
{
	return a->verdict == b->verdict && a->possible == b->possible && a->by == b->by &&
	       a->rule == b->rule && a->chain == b->chain && a->steps == b->steps &&
	       a->limit == b->limit && a->uncertain_rule == b->uncertain_rule &&
	       a->martian == b->martian && a->nat.dnat_rule == b->nat.dnat_rule;
}

/* The nftables evaluator on file over the n flows of v, median of runs, its verdicts
 * compared with ref (the iptables evaluator's on the chains ruleset); the plain walk
 * (much slower) on a 20 000-flow slice, whose results must be those of the compiled
 * path flow by flow. 0, or 1. */
static int nft_rate(const char *file, const struct ipt_context *ctx, const struct ipt_packet *v,
		    size_t n, unsigned runs, const uint8_t *ref)
{
	struct nft_error err;
	double t0 = now(), tload, r[16], rcpu[16], c0, tplain;
	struct nft_ruleset *rs = nft_load_file(file, &err);
	struct nft_eval *ev, *plain;
	size_t i, differ = 0, first = 0, nplain = n < 20000 ? n : 20000, pdiffer = 0;
	unsigned k;

	tload = now() - t0;
	if (!rs) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	ev = nft_eval_new(rs, ctx);
	plain = nft_eval_new(rs, ctx);
	if (!ev || !plain || nft_eval_set_compiled(plain, 0) < 0)
		return 1;
	for (k = 0; k < runs; k++) {
		t0 = now();
		c0 = cpu_now();
		for (i = 0; i < n; i++) {
			struct ipt_result res;

			nft_eval_packet(ev, &v[i], &res);
			if (k == 0 && (uint8_t)(res.verdict | res.possible << 2) != ref[i] && !differ++)
				first = i;
		}
		r[k] = (double)n / (now() - t0);
		rcpu[k] = (double)n / (cpu_now() - c0);
	}
	t0 = now();
	for (i = 0; i < nplain; i++) {
		struct ipt_result a, b;

		nft_eval_packet(plain, &v[i], &a);
		nft_eval_packet(ev, &v[i], &b);
		if (!same_res(&a, &b) && !pdiffer++)
			fprintf(stderr, "nft: flow %zu: the compiled and the plain walk differ\n", i);
	}
	tplain = now() - t0;
	qsort(r, runs, sizeof(double), cmpd);
	qsort(rcpu, runs, sizeof(double), cmpd);
	printf("nft    %u rules, %u chains (%s): load %.1f ms\n", nft_rule_count(rs),
	       nft_chain_count(rs), file, tload * 1e3);
	printf("       nft:      %.3f M verdicts/s (%.3f M per CPU second) over %zu flows (median "
	       "of %u); %zu verdicts differ from iptables on the original\n", r[runs / 2] / 1e6,
	       rcpu[runs / 2] / 1e6, n, runs, differ);
	printf("       nft plain: %.3f M verdicts/s (with the compiled, once) over %zu flows; "
	       "%zu results differ from the compiled path\n", (double)nplain / tplain / 1e6,
	       nplain, pdiffer);
	if (differ)
		fprintf(stderr, "nft: flow %zu is the first whose verdict differs\n", first);
	nft_eval_free(ev);
	nft_eval_free(plain);
	nft_ruleset_free(rs);
	return differ != 0 || pdiffer != 0;
}

/* Verdicts per second over n packets, median of runs (per CPU second into *cpu);
 * verdicts into out. */
static double rate(struct ipt_eval *ev, const struct ipt_packet *v, size_t n, unsigned runs,
		   uint8_t *out, double *cpu)
{
	double r[16], rcpu[16];
	unsigned k;
	size_t i;

	for (k = 0; k < runs; k++) {
		double t0 = now(), c0 = cpu_now();

		for (i = 0; i < n; i++) {
			struct ipt_result res;

			ipt_eval_packet(ev, &v[i], &res);
			out[i] = (uint8_t)(res.verdict | res.possible << 2);
		}
		r[k] = (double)n / (now() - t0);
		rcpu[k] = (double)n / (cpu_now() - c0);
	}
	qsort(r, runs, sizeof(double), cmpd);
	qsort(rcpu, runs, sizeof(double), cmpd);
	*cpu = rcpu[runs / 2];
	return r[runs / 2];
}

int main(int argc, char **argv)
{
	unsigned runs = argc > 1 ? (unsigned)atoi(argv[1]) : 3;
	size_t nflows = argc > 2 ? (size_t)atol(argv[2]) : 1000000;
	const char *nft = argc == 5 && !strcmp(argv[3], "--nft") ? argv[4] : NULL;
	static const struct ipt_hostaddr addrs[] = {{"eth0", 4, 24, {45, 33, 0, 1}}};
	struct ipt_ifconf ifc[] = {{"all", 0, 0, 0, 0, 0}};
	struct ipt_context ctx = {addrs, 1, 1, ifc, 1, NULL, 0, 0, -1, 0, 0, 0};
	struct ipt_packet *v;
	uint8_t *a, *b;
	int flat, bad = 0;

	if (argc == 3 && !strcmp(argv[1], "--ruleset")) {	/* tests/bench/check_e2e's ruleset */
		size_t len;
		char *text = ruleset(!strcmp(argv[2], "flat"), 5000, &len);

		fwrite(text, 1, len, stdout);
		free(text);
		return fflush(stdout) != 0;
	}
	if (runs < 1 || runs > 15 || nflows < 1000 || (argc > 3 && !nft)) {
		fprintf(stderr, "usage: check_bench [RUNS 1-15] [FLOWS >= 1000] [--nft FILE]\n");
		return 2;
	}
	v = malloc(nflows * sizeof(*v));
	a = malloc(nflows);
	b = malloc(nflows);
	if (!v || !a || !b)
		return 1;
	packets(v, nflows);
	for (flat = 0; flat < 2; flat++) {
		size_t len, nplain;
		char *text = ruleset(flat, 5000, &len);
		struct ipt_error err;
		double t0 = now(), tparse, tcomp, rc, rp, rcc, rpc;
		struct ipt_ruleset *rs = ipt_parse_buffer(text, len, flat ? "flat" : "chains", 4, &err);
		struct ipt_compiled *cp;
		struct ipt_eval *ev;

		tparse = now() - t0;
		if (!rs) {
			fprintf(stderr, "%u:%u: %s\n", err.line, err.col, err.msg);
			return 1;
		}
		t0 = now();
		cp = ipt_compile(rs);
		tcomp = now() - t0;
		ev = ipt_eval_new(rs, &ctx);
		if (!cp || !ev || ipt_eval_set_compiled(ev, cp) < 0)
			return 1;
		rc = rate(ev, v, nflows, runs, a, &rcc);
		ipt_eval_set_compiled(ev, NULL);
		nplain = flat ? (nflows < 50000 ? nflows : 50000) : nflows;
		rp = rate(ev, v, nplain, runs, b, &rpc);
		if (memcmp(a, b, nplain) != 0) {
			fprintf(stderr, "%s: compiled and plain verdicts differ\n", flat ? "flat" : "chains");
			bad = 1;
		}
		printf("%-6s %u rules, %u chains: parse %.1f ms, compile %.1f ms (%.1f MiB)\n",
		       flat ? "flat" : "chains", ipt_rule_count(rs), ipt_chain_count(rs), tparse * 1e3,
		       tcomp * 1e3, (double)ipt_compiled_size(cp) / 1048576.0);
		printf("       compiled: %.2f M verdicts/s (%.2f M per CPU second) over %zu flows "
		       "(median of %u)\n", rc / 1e6, rcc / 1e6, nflows, runs);
		printf("       plain:    %.2f M verdicts/s (%.2f M per CPU second) over %zu flows "
		       "(median of %u); speedup %.1fx\n", rp / 1e6, rpc / 1e6, nplain, runs, rc / rp);
		if (!flat && nft && nft_rate(nft, &ctx, v, nflows, runs, a))
			bad = 1;
		ipt_eval_free(ev);
		ipt_compiled_free(cp);
		ipt_ruleset_free(rs);
		free(text);
	}
	free(v);
	free(a);
	free(b);
	return bad;
}
