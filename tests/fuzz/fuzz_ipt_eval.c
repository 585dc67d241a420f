/* libFuzzer harness for the policy evaluator: the first HDR bytes of the input describe a
 * packet (path, protocol, ports, flags, addresses, interfaces, unknown fields) and a host
 * context; the rest is an iptables-save ruleset. When it parses, the packet is evaluated
 * by the plain walk and by the compiled fast path, which must agree (verdict, possible
 * set, step count) unless one of them stopped at the evaluation bound. Run with a
 * per-input -timeout: an input that makes evaluation slow (exponential branching, a jump
 * fan-out) then fails as a slow input instead of passing unnoticed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ipt.h"

#define HDR 24

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ifnames[] = {"eth0", "eth1", "lo", "", "wg0", "eth10"};

/* A small host: one address per family on eth0, sysctls and routes known or not. */
static void make_ctx(uint8_t sel, struct ipt_context *ctx, struct ipt_hostaddr *a,
		     struct ipt_ifconf *ifc, struct ipt_route *rt)
{
	memset(ctx, 0, sizeof(*ctx));
	memset(a, 0, 2 * sizeof(*a));
	memset(ifc, 0, sizeof(*ifc));
	memset(rt, 0, sizeof(*rt));
	snprintf(a[0].ifname, sizeof(a[0].ifname), "eth0");
	a[0].family = 4;
	a[0].plen = 24;
	a[0].addr[0] = 10, a[0].addr[3] = 1;
	snprintf(a[1].ifname, sizeof(a[1].ifname), "eth0");
	a[1].family = 6;
	a[1].plen = 64;
	a[1].addr[0] = 0x20, a[1].addr[1] = 0x01, a[1].addr[2] = 0x0d, a[1].addr[3] = 0xb8;
	a[1].addr[15] = 1;
	ctx->addrs = a;
	ctx->naddrs = 2;
	ctx->addrs_known = sel & 1;
	snprintf(ifc->ifname, sizeof(ifc->ifname), "all");
	ifc->route_localnet = (int8_t)((sel >> 1) & 1);
	ifc->accept_local = 0;
	ifc->rp_filter = (int8_t)((sel >> 2) % 3);
	ctx->ifconf = ifc;
	ctx->nifconf = (sel & 8) ? 1 : 0;
	rt->dst.family = 4;
	rt->dst.plen = 8;
	rt->dst.addr[0] = 10;
	snprintf(rt->ifname, sizeof(rt->ifname), "eth0");
	ctx->routes = rt;
	ctx->nroutes = 1;
	ctx->routes_known = (sel >> 4) & 1;
	ctx->conntrack = (int)((sel >> 5) % 3) - 1;
}

static void make_packet(const uint8_t *b, int family, struct ipt_packet *p)
{
	static const uint8_t protos[] = {6, 17, 1, 58, 132, 33, 136, 47};

	ipt_packet_init(p, family, (enum ipt_path)(b[0] % IPT_PATH_COUNT));
	p->proto = (b[1] & 0x80) ? b[1] : protos[b[1] % sizeof(protos)];
	p->fragment = b[2] & 1;
	p->tcp_flags = b[3] & 0x3f;
	p->icmp_type = b[4];
	p->icmp_code = b[5];
	p->pkttype = (uint8_t)(b[6] % (IPT_PKT_UNKNOWN + 1));
	p->ctstate = (uint8_t)(b[7] % (IPT_CT_UNKNOWN + 1));
	p->sport = (uint16_t)(b[8] << 8 | b[9]);
	p->dport = (uint16_t)(b[10] << 8 | b[11]);
	if (family == 4) {
		memcpy(p->src, b + 12, 4);
		memcpy(p->dst, b + 16, 4);
	} else {
		p->src[0] = p->dst[0] = 0x20, p->src[1] = p->dst[1] = 0x01;
		memcpy(p->src + 12, b + 12, 4);
		memcpy(p->dst + 12, b + 16, 4);
		if (b[2] & 2)
			p->src[0] = 0xfe, p->src[1] = 0x80;
	}
	snprintf(p->in_if, sizeof(p->in_if), "%s", ifnames[(b[20] & 0xf) % 6]);
	snprintf(p->out_if, sizeof(p->out_if), "%s", ifnames[(b[20] >> 4) % 6]);
	p->unknown = b[21] & (IPT_UNK_SPORT | IPT_UNK_DPORT | IPT_UNK_FLAGS);
	p->have_mac = b[22] & 1;
	memcpy(p->mac, b + 12, 6);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipt_context ctx;
	struct ipt_hostaddr addrs[2];
	struct ipt_ifconf ifc;
	struct ipt_route rt;
	struct ipt_error err;
	struct ipt_ruleset *rs;
	struct ipt_compiled *cp;
	struct ipt_eval *plain = NULL, *fast = NULL;
	struct ipt_packet p;
	struct ipt_result a, b;
	int ra, rb;

	if (size < HDR)
		return 0;
	rs = ipt_parse_buffer((const char *)data + HDR, size - HDR, "fuzz", 0, &err);
	if (!rs)
		return 0;
	make_ctx(data[23], &ctx, addrs, &ifc, &rt);
	make_packet(data, ipt_ruleset_family(rs), &p);
	cp = ipt_compile(rs);
	plain = ipt_eval_new(rs, (data[22] & 2) ? NULL : &ctx);
	fast = ipt_eval_new(rs, (data[22] & 2) ? NULL : &ctx);
	if (!cp || !plain || !fast || ipt_eval_set_compiled(fast, cp) != 0)
		goto out;
	ra = ipt_eval_packet(plain, &p, &a);
	rb = ipt_eval_packet(fast, &p, &b);
	if (ra != 0 || rb != 0) {
		fprintf(stderr, "evaluation failed: plain %d compiled %d\n", ra, rb);
		abort();
	}
	if (a.limit == IPT_LIMIT_NONE && b.limit == IPT_LIMIT_NONE &&
	    (a.possible != b.possible || a.verdict != b.verdict || a.steps != b.steps)) {
		fprintf(stderr, "plain %s possible %#x steps %llu, compiled %s possible %#x steps %llu\n",
			ipt_verdict_name(a.verdict), a.possible, (unsigned long long)a.steps,
			ipt_verdict_name(b.verdict), b.possible, (unsigned long long)b.steps);
		abort();
	}
	if ((a.limit != IPT_LIMIT_NONE && (a.verdict != IPT_V_UNKNOWN || !a.reason[0])) ||
	    (a.limit == IPT_LIMIT_NONE && a.reason[0])) {
		fprintf(stderr, "limit %d with verdict %s, reason `%s'\n", a.limit,
			ipt_verdict_name(a.verdict), a.reason);
		abort();
	}
out:
	ipt_eval_free(plain);
	ipt_eval_free(fast);
	ipt_compiled_free(cp);
	ipt_ruleset_free(rs);
	return 0;
}
