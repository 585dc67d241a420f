/* libFuzzer harness for the nft JSON front end: load the input as `nft -j list ruleset`
 * JSON; when it loads, read every rule and chain back and evaluate one packet per path
 * for IPv4 and IPv6, so the evaluator sees fuzzed rulesets too (its work is bounded). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "policy/nft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nft_error err;
	struct nft_ruleset *rs = nft_load_json((const char *)data, size, "fuzz", &err);
	struct nft_rule_info ri;
	struct nft_chain_info ci;
	struct nft_eval *ev;
	uint32_t i;
	int path, fam;

	if (!rs)
		return 0;
	for (i = 0; i < nft_rule_count(rs); i++)
		if (nft_rule_get(rs, i, &ri) == 0 && strlen(ri.unknown_what) > 64)
			return 0;	/* read: a dangling name would show under ASan */
	for (i = 0; i < nft_chain_count(rs); i++)
		nft_chain_get(rs, i, &ci);
	ev = nft_eval_new(rs, NULL);
	for (fam = 4; ev && fam <= 6; fam += 2)
		for (path = 0; path < IPT_PATH_COUNT; path++) {
			struct ipt_packet p;
			struct ipt_result res;

			ipt_packet_init(&p, fam, (enum ipt_path)path);
			p.proto = 6;
			p.dport = 22;
			p.tcp_flags = IPT_TCP_SYN;
			p.src[0] = fam == 4 ? 198 : 0x20;
			p.dst[0] = fam == 4 ? 10 : 0x20;
			strcpy(p.in_if, "eth0");
			nft_eval_packet(ev, &p, &res);
		}
	nft_eval_free(ev);
	nft_ruleset_free(rs);
	return 0;
}
