/* libFuzzer harness for our code that reads nft's native syntax: policy_sniff (the
 * language of a ruleset file, with the line and column of its first statement),
 * nft_looks_json and nft_map_lines (the source line of every rule loaded from native text,
 * nft_lines.c), then the shadowing analysis (nft_shadow.c) over the result. libnftables
 * itself runs in a forked child in a private namespace (root, slow): not here.
 *
 * Input: a JSON ruleset (`nft -j list ruleset`), a NUL byte, then native text; without a
 * NUL, all of it is native text. A JSON part that does not load (or is empty) is replaced
 * by a small built-in ruleset, so that the text always has rules to be mapped to. The text
 * is copied to a buffer of its exact length (no terminator): ASan sees any read past it.
 * Checked: the sniffed line and every mapped line lie within the text, a shadowing rule
 * is an earlier rule of the same chain. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/nft.h"
#include "policy/nft_int.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char builtin[] =
	"{\"nftables\":[{\"table\":{\"family\":\"inet\",\"name\":\"filter\",\"handle\":1}},"
	"{\"table\":{\"family\":\"ip\",\"name\":\"nat\",\"handle\":2}},"
	"{\"chain\":{\"family\":\"inet\",\"table\":\"filter\",\"name\":\"input\",\"handle\":1,"
	"\"type\":\"filter\",\"hook\":\"input\",\"prio\":0,\"policy\":\"drop\"}},"
	"{\"chain\":{\"family\":\"inet\",\"table\":\"filter\",\"name\":\"udpin\",\"handle\":2}},"
	"{\"chain\":{\"family\":\"ip\",\"table\":\"nat\",\"name\":\"post\",\"handle\":1,"
	"\"type\":\"nat\",\"hook\":\"postrouting\",\"prio\":100,\"policy\":\"accept\"}},"
	"{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":4,"
	"\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\","
	"\"field\":\"dport\"}},\"right\":22}},{\"accept\":null}]}},"
	"{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":5,"
	"\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"tcp\","
	"\"field\":\"dport\"}},\"right\":22}},{\"drop\":null}]}},"
	"{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"input\",\"handle\":6,"
	"\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"meta\":{\"key\":\"l4proto\"}},"
	"\"right\":\"udp\"}},{\"jump\":{\"target\":\"udpin\"}}]}},"
	"{\"rule\":{\"family\":\"inet\",\"table\":\"filter\",\"chain\":\"udpin\",\"handle\":7,"
	"\"expr\":[{\"match\":{\"op\":\"==\",\"left\":{\"payload\":{\"protocol\":\"udp\","
	"\"field\":\"dport\"}},\"right\":9}},{\"reject\":null}]}},"
	"{\"rule\":{\"family\":\"ip\",\"table\":\"nat\",\"chain\":\"post\",\"handle\":8,"
	"\"expr\":[{\"masquerade\":null}]}}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t jlen = nul ? (size_t)(nul - data) : 0, tlen = nul ? size - jlen - 1 : size, i;
	const uint8_t *tsrc = nul ? nul + 1 : data;
	struct nft_ruleset *rs = NULL;
	struct nft_rule_info ri;
	struct nft_error err;
	unsigned line, col, lines = 1;
	char *text;
	int json;
	uint32_t r;

	if (jlen)
		rs = nft_load_json((const char *)data, jlen, "fuzz.json", &err);
	if (!rs)
		rs = nft_load_json(builtin, sizeof(builtin) - 1, "builtin", &err);
	if (!rs)
		abort();	/* the built-in ruleset always loads */
	text = malloc(tlen ? tlen : 1);
	if (!text) {
		nft_ruleset_free(rs);
		return 0;
	}
	memcpy(text, tsrc, tlen);
	for (i = 0; i < tlen; i++)
		lines += text[i] == '\n';
	/* the first statement's line; with none, the line after the last newline (one past
	 * the last line of a text that does not end in one) */
	policy_sniff(text, tlen, &line, &col, &json);
	if (line > lines + 1 || col == 0)
		abort();
	nft_looks_json(text, tlen);
	nft_map_lines(rs, text, tlen);
	for (r = 0; r < nft_rule_count(rs); r++) {
		uint32_t sh;

		if (nft_rule_get(rs, r, &ri) < 0 || ri.line > lines)
			abort();
		sh = nft_rule_shadowed_by(rs, r);
		if (sh != IPT_NONE) {
			struct nft_rule_info si;

			if (sh >= r || nft_rule_get(rs, sh, &si) < 0 || si.chain != ri.chain)
				abort();
		}
	}
	free(text);
	nft_ruleset_free(rs);
	return 0;
}
