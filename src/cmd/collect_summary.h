/* This file declares what `spoofaudit collect` says at the end of a run: the summary of
 * what it counted, and what the database did not take. */
#ifndef SPOOFAUDIT_COLLECT_SUMMARY_H
#define SPOOFAUDIT_COLLECT_SUMMARY_H

#include "collect/collector.h"

/* The end-of-run summary on stderr: the packets, split so that the parts add up (pcap
 * frames by decode status, the packets only NFLOG saw), NFLOG's copies (those of packets
 * pcap counted are not counted twice), the drops before capture, and the packets per
 * class. */
void collect_summary(const struct collector *c, const char *db);

/* What the database did not take, printed even with -q. Returns 1 when anything was
 * lost (the run then exits 1), else 0. */
int collect_report_lost(const struct collector *c);

#endif
