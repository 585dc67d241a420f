/* libFuzzer harness for the iptables-save parser: parse the input; when it parses, print it
 * canonically, parse that again (it must parse: the printer only writes what the parser
 * reads) and evaluate one packet per path, so the printer and evaluator see fuzzed
 * rulesets too. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/ipt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipt_error err;
	struct ipt_ruleset *rs, *again;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int path;

	rs = ipt_parse_buffer((const char *)data, size, "fuzz", 0, &err);
	if (!rs)
		return 0;
	f = open_memstream(&text, &len);
	if (f) {
		ipt_write(rs, f);
		fclose(f);
		again = ipt_parse_buffer(text, len, "canon", ipt_ruleset_family(rs), &err);
		if (!again) {
			fprintf(stderr, "canonical form does not parse: %u:%u: %s\n%s\n", err.line,
				err.col, err.msg, text);
			abort();
		}
		ipt_ruleset_free(again);
		free(text);
	}
	for (path = 0; path < IPT_PATH_COUNT; path++) {
		struct ipt_eval *ev = ipt_eval_new(rs, NULL);
		struct ipt_packet p;
		struct ipt_result res;

		if (!ev)
			break;
		ipt_packet_init(&p, ipt_ruleset_family(rs), (enum ipt_path)path);
		p.proto = 6;
		p.dport = 22;
		p.src[0] = 10;
		p.dst[0] = 10;
		p.dst[3] = 1;
		p.ctstate = IPT_CT_UNKNOWN;
		snprintf(p.in_if, sizeof(p.in_if), "eth0");
		snprintf(p.out_if, sizeof(p.out_if), "eth1");
		ipt_eval_packet(ev, &p, &res);
		ipt_eval_free(ev);
	}
	ipt_ruleset_free(rs);
	return 0;
}
