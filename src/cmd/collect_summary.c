/* This file writes what `spoofaudit collect` says at the end of a run (see
 * collect_summary.h). */
#include "cmd/collect_summary.h"

#include <stdio.h>
#include <time.h>

#include "classify/classify.h"
#include "common/plural.h"

typedef unsigned long long ull;

/* Which kinds of source the run had: pcap (live or files), NFLOG, anything live. */
static void source_kinds(const struct collector *c, int *pcap, int *nflog, int *live)
{
	unsigned i;

	*pcap = *nflog = *live = 0;
	for (i = 0; i < c->n_sources; i++) {
		if (c->sources[i].is_nflog)
			*nflog = 1;
		else
			*pcap = 1;
		if (c->sources[i].is_nflog || c->sources[i].fixed_iface >= 0)
			*live = 1;
	}
}

/* Where the time went with a writer thread: the capture thread's CPU (this thread: read,
 * decode, classify, flow table, handing rows over; setup included) and how long it
 * waited for the writer to make room, beside the writer thread's CPU and writing time.
 * A capture thread that waited most of the run says the database is what bounds it. */
static void thread_times(const struct collector_totals *t)
{
	struct timespec ts;
	double cap = 0;

	if (!t->writer_batches && !t->writer_cpu_usec)
		return;
	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
		cap = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	fprintf(stderr, "  time: capture thread %.2f s CPU, waited %.2f s for the writer; writer "
		"thread %.2f s CPU, %.2f s writing %llu batch%s\n", cap,
		(double)t->writer_wait_usec / 1e6, (double)t->writer_cpu_usec / 1e6,
		(double)t->writer_write_usec / 1e6, (ull)t->writer_batches,
		t->writer_batches == 1 ? "" : "es");
}

void collect_summary(const struct collector *c, const char *db)
{
	const struct collector_totals *t = &c->tot;
	ull frames = t->decoded + t->not_ip + t->unsupported + t->malformed;
	ull only_nflog = t->packets - frames, other;
	int pcap, nflog, live;
	unsigned i;

	source_kinds(c, &pcap, &nflog, &live);
	fprintf(stderr, "collect: %llu packet%s", (ull)t->packets, plural_s(t->packets));
	if (!nflog && !t->nflog_copies)
		fprintf(stderr, " (%llu IP, %llu not IP, %llu unsupported link type, %llu malformed)",
			(ull)t->decoded, (ull)t->not_ip, (ull)t->unsupported, (ull)t->malformed);
	else if (!pcap)
		fprintf(stderr, " (%llu logged by NFLOG; pcap did not run)", only_nflog);
	else
		fprintf(stderr, " (%llu captured by pcap, %llu only logged by NFLOG)", frames,
			only_nflog);
	fprintf(stderr, " -> %s\n", db);
	if (pcap && (nflog || t->nflog_copies))
		fprintf(stderr, "  pcap frames: %llu IP, %llu not IP, %llu unsupported link type, "
			"%llu malformed\n", (ull)t->decoded, (ull)t->not_ip, (ull)t->unsupported,
			(ull)t->malformed);
	if (nflog || t->nflog_copies) {
		other = (ull)t->nflog_copies - only_nflog - (ull)t->nflog_dup;
		fprintf(stderr, "  NFLOG copies: %llu = %llu counted above%s\n", (ull)t->nflog_copies,
			only_nflog, pcap ? ", of packets pcap did not capture" : "");
		if (pcap)
			fprintf(stderr, "                 + %llu of packets pcap captured too (counted "
				"once, by pcap)\n", (ull)t->nflog_dup);
		fprintf(stderr, "                 + %llu not counted (not IP, malformed or no "
			"room)\n", other);
	}
	if (live || t->drops)
		fprintf(stderr, "  not seen: %llu dropped by the kernel or interface before capture "
			"(not among the %llu)\n", (ull)t->drops, (ull)t->packets);
	for (i = 0; i < CLS_COUNT; i++)
		if (t->class_packets[i])
			fprintf(stderr, "  %-20s %llu%s\n", classify_class_name((enum spoof_class)i),
				(ull)t->class_packets[i], i == CLS_BACKSCATTER ?
				" (replies to packets this host never sent)" : "");
	thread_times(t);
}

int collect_report_lost(const struct collector *c)
{
	const struct collector_totals *t = &c->tot;

	if (t->order_unmarked)
		fprintf(stderr, "collect: WARNING: %llu answer%s read late (another capture "
			"handle's ring) whose other direction's flow was gone or of another "
			"class: that flow's flows.pre_reply may count too many packets as sent "
			"before the answer\n", (ull)t->order_unmarked, plural_s(t->order_unmarked));
	if (t->order_unplaced)
		fprintf(stderr, "collect: WARNING: %llu packet%s sent before any answer whose flow "
			"could not be written again to say so: that flow's flows.pre_reply may "
			"count too few\n", (ull)t->order_unplaced, plural_s(t->order_unplaced));
	/* shed while the database was failing: it did not take them; else the writer was
	 * only behind (an overload, like a kernel drop: their packets are counted) */
	uint64_t ev = t->evidence_dropped + (t->writer_failed ? t->evidence_shed : 0);

	if (t->evidence_shed)
		fprintf(stderr, "collect: %llu evidence packet%s not kept: the writer thread had not "
			"yet written the evidence before%s, and live capture does not wait for it "
			"(their packets are counted; --evidence keeps fewer per flow)\n",
			(ull)t->evidence_shed, plural_s(t->evidence_shed),
			t->writer_failed ? " (the database was failing)" : "");
	if (!t->lost_db && !ev && !t->nflog_lost)
		return 0;
	fprintf(stderr, "collect: NOT RECORDED: %llu packet%s, %llu evidence packet%s, %llu "
		"NFLOG rule count%s (the database did not take them: %s)\n",
		(ull)t->lost_db, plural_s(t->lost_db), (ull)ev, plural_s(ev), (ull)t->nflog_lost,
		plural_s(t->nflog_lost),
		c->writes_stopped ? "size limit or disk full" : "failing or full");
	return 1;
}
