/* This file builds the report's parts for the suspect_src class: the table of flood
 * episodes (with the TTL histogram the HTML plots) and the verdict's step that says how
 * strong the hop-count and flood evidence is and what to do with it. */
#include "report/report_query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int report_q_flood(struct report_qctx *q)
{
	struct store_rows *s = report_q_open(q, "flood_episodes.sql");
	struct rtable *t = &q->r->tables[RT_FLOOD];
	int rc;

	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		struct rcell *row = report_q_row_add(q, t);
		char band[16];

		if (!row)
			break;
		report_q_int(&row[1], store_col_int(s, 0));
		report_q_int(&row[2], store_col_int(s, 1));
		report_q_text(q, &row[3], store_col_text(s, 2));
		report_q_proto(q, &row[4], &row[5], store_col_int(s, 3), store_col_int(s, 4));
		report_q_int(&row[6], store_col_int(s, 5));
		report_q_int(&row[7], store_col_int(s, 6));
		report_q_int(&row[8], store_col_int(s, 7));
		snprintf(band, sizeof(band), "%lld-%lld", (long long)store_col_int(s, 8),
			 (long long)store_col_int(s, 9));
		report_q_text(q, &row[9], band);
		report_q_text(q, &row[10], store_col_text(s, 10));
		q->h->flood_episodes++;
	}
	store_rows_free(s);
	return rc < 0 || q->oom ? -1 : 0;
}

int report_q_suspect(struct report_qctx *q, char **step)
{
	struct store_rows *s = report_q_open(q, "verdict_suspect.sql");
	uint64_t hop = 0, hop_src = 0, flood = 0, flood_src = 0, episodes = q->h->flood_episodes;
	char *hop_text = NULL, *flood_text = NULL;
	int rc;

	*step = NULL;
	if (!s)
		return -1;
	while ((rc = report_q_step(q, s)) == 1) {
		if (!strcmp(store_col_text(s, 0), "hop_count")) {
			hop += (uint64_t)store_col_int(s, 1);
			hop_src += (uint64_t)store_col_int(s, 2);
		} else {
			flood += (uint64_t)store_col_int(s, 1);
			flood_src += (uint64_t)store_col_int(s, 2);
		}
	}
	store_rows_free(s);
	if (rc < 0)
		return -1;
	if (!hop && !flood)
		return 0;
	if (flood)
		flood_text = report_q_asprintf(q,
			"%llu packets from %llu sources were part of %llu flood episode%s (suspect_src/"
			"flood, table below): many sources that never completed a handshake opened "
			"connections to one port within seconds, with TTLs in a band far narrower "
			"than sources spread over the Internet give, the mark of one sender forging "
			"them. Strong evidence for the episode, not for each source (a client that "
			"happened to open in the band is counted too). Ask the upstream network to "
			"filter it, or turn on SYN cookies (net.ipv4.tcp_syncookies=1) for a SYN flood.",
			(unsigned long long)flood, (unsigned long long)flood_src,
			(unsigned long long)episodes, episodes == 1 ? "" : "s");
	if (hop)
		hop_text = report_q_asprintf(q,
			"%llu packets from %llu sources came from a prefix at another distance (hop "
			"count from the TTL) than its sources that proved real (suspect_src/"
			"hop_count). Weaker evidence: NAT, anycast and route changes move hop counts "
			"too; export them (spoofaudit export --class suspect_src) and compare with the "
			"prefix's own traffic before blocking, or widen --hop-tolerance.",
			(unsigned long long)hop, (unsigned long long)hop_src);
	*step = report_q_asprintf(q, "%s%s%s", flood_text ? flood_text : "",
				  flood_text && hop_text ? " " : "", hop_text ? hop_text : "");
	free(flood_text);
	free(hop_text);
	return q->oom ? -1 : 0;
}
