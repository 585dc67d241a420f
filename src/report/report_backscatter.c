/* This file builds the verdict's step for backscatter: replies that arrived for packets
 * this host never sent, which mean someone forges this host's addresses elsewhere. */
#include "report/report_query.h"

#include <stdlib.h>
#include <string.h>

/* Packets per subclass, peers and the most answered host address of the period. */
struct bsacc {
	uint64_t syn_ack, rst, icmp, peers;
	char top[64];		/* the host address with most backscatter */
	uint64_t top_n;
};

static int read_rows(struct report_qctx *q, struct bsacc *a)
{
	struct store_rows *s = report_q_open(q, "verdict_backscatter.sql");
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		const char *sub = store_col_text(s, 0), *dst = store_col_text(s, 1);
		uint64_t n = (uint64_t)store_col_int(s, 2);

		if (!strcmp(sub, "syn_ack"))
			a->syn_ack += n;
		else if (!strcmp(sub, "rst"))
			a->rst += n;
		else
			a->icmp += n;
		a->peers += (uint64_t)store_col_int(s, 3);	/* per address: an upper bound */
		if (n > a->top_n && strlen(dst) < sizeof(a->top)) {
			a->top_n = n;
			memcpy(a->top, dst, strlen(dst) + 1);
		}
	}
	store_rows_free(s);
	return rc < 0 ? -1 : 0;
}

int report_q_backscatter(struct report_qctx *q, char **step)
{
	struct bsacc a;
	uint64_t strong;

	*step = NULL;
	memset(&a, 0, sizeof(a));
	if (read_rows(q, &a) < 0)
		return -1;
	strong = a.syn_ack + a.icmp;
	if (strong + a.rst == 0)
		return 0;
	*step = report_q_asprintf(q,
		"Someone sends packets with this host's address %s as source to other hosts, "
		"and their replies arrive here: %llu replies to packets it never sent (%llu "
		"SYN-ACKs, %llu ICMP errors%s%llu RSTs) from up to %llu hosts. Not a fault of "
		"this host and no rule here stops it: give the upstream network the evidence "
		"(spoofaudit export --class backscatter) so it can trace where the forged packets "
		"enter and filter them (BCP 38, RFC 2827).%s",
		a.top, (unsigned long long)(strong + a.rst), (unsigned long long)a.syn_ack,
		(unsigned long long)a.icmp, strong ? ", and, weaker evidence, " : ", only ",
		(unsigned long long)a.rst, (unsigned long long)a.peers, strong ? "" :
		" RSTs alone are weak evidence: a connection older than the capture, or one "
		"whose outgoing packets the capture missed (asymmetric routing), looks the same.");
	return q->oom ? -1 : 0;
}
