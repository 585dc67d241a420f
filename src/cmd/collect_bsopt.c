/* This file parses collect's backscatter options. */
#include "cmd/collect_bsopt.h"

#include <stdio.h>

#include "common/util.h"

int collect_bs_opt(struct bs_opts *o, int idle, const char *arg)
{
	uint64_t v;

	if (idle ? util_parse_u64(arg, 60, 30 * 86400, &v) < 0
		 : util_parse_u64(arg, 0, 86400, &v) < 0) {
		fprintf(stderr, "spoofaudit collect: %s is not %s seconds: `%s'\n"
			"(see 'spoofaudit collect --help')\n",
			idle ? "backscatter-idle" : "backscatter-warmup",
			idle ? "60..2592000" : "0..86400", arg);
		return 2;
	}
	if (idle)
		o->idle_s = (uint32_t)v;
	else
		o->warmup_s = (uint32_t)v;
	return 0;
}
