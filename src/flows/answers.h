/* This file declares the answer memory: per connection tuple (both directions as one),
 * when each direction's first packet was seen, so that every counted packet can be told
 * apart as sent before or after the other side first answered. That is the conntrack
 * state the kernel gives it (NEW until the reply direction is seen, ESTABLISHED after:
 * nf_conntrack_core.c sets IPS_SEEN_REPLY on the first reply), and what `check` needs to
 * credit each rule with the kernel's count (flows.pre_reply, migration 13). A bounded
 * set-associative table like the connection memory (flows/conntab.h): no allocation
 * after answers_new(); a tuple it had to forget makes the packets that miss it unsure,
 * never wrongly certain. */
#ifndef SPOOFAUDIT_ANSWERS_H
#define SPOOFAUDIT_ANSWERS_H

#include <stddef.h>
#include <stdint.h>

#include "sources/pktrec.h"

#define ANSWERS_WAYS 4
#define ANSWERS_ENTRIES 32768	/* default size: 1.75 MiB (56-byte entries) */

/* What answers_packet() says of one packet. */
enum answer_state {
	ANS_BEFORE = 0,		/* no packet of the other direction came before it */
	ANS_AFTER,		/* the other direction's first packet came before it */
	ANS_UNSURE,		/* the table cannot tell: its connection may have begun before
				 * the capture (cold start, a TCP packet without SYN that opens
				 * nothing), or the table forgot the tuple */
	ANS_HELD,		/* answers_packet_held(): no answer yet, place it later */
};

/* A packet held to be placed later (answers_place()). */
struct answer_ticket {
	uint64_t fp;		/* its tuple's fingerprint */
	uint64_t usec;		/* its time + 1 */
	uint8_t dir;		/* its direction in the tuple */
	uint8_t gen;		/* the tuple's connection when it was seen */
};

struct answers;

/* A table of at least `entries` tuples. seed keys the hash. warm: the capture starts
 * with no connection the kernel tracks (nf_conntrack_count was 0), so a tuple it never
 * saw is new; otherwise a non-TCP packet whose tuple it never saw is unsure for the
 * first conntrack timeout of its protocol after the first packet (the kernel may still
 * hold an entry from before). NULL (errno) on failure. */
struct answers *answers_new(size_t entries, uint64_t seed, int warm);
void answers_free(struct answers *a);	/* NULL-safe */

/* Notes packet r (any source, counted or not) and says whether it came after the other
 * direction's first packet. ICMP and ICMPv6 errors, and messages with no reply type, are
 * their own: never ANS_AFTER (an error is RELATED, which `check` derives from the record).
 * *late is set to 1 when r answers packets of the other direction that were already said
 * to come before any answer although they are younger than r: r was read late (another
 * capture handle's ring), and the caller must treat their flow's count as unsure; to 2
 * when r's tuple may be one the table forgot in the last ANSWERS_LATE_S seconds (if the
 * other direction's flow is still there, the same applies; if not, there may have been
 * none).
 * trusted: r's time comes from the capture clock every trusted packet shares (pcap);
 * an NFLOG copy's may be the time it was read, or another clock: its tuple is then
 * unsure for good (ANS_UNSURE both ways). */
enum answer_state answers_packet(struct answers *a, const struct pkt_record *r, int trusted,
				 int *late);

/* Like answers_packet() for a trusted packet, except that one it would say came before
 * any answer is ANS_HELD: *t is filled for answers_place(), which the caller calls once
 * every capture handle has handed over what it holds of that time. A live capture reads
 * each interface's directions from their own rings, handed over in blocks up to 100 ms
 * late; holding the packets that wait for an answer lets one read late still place them
 * as the kernel did. */
enum answer_state answers_packet_held(struct answers *a, const struct pkt_record *r, int *late,
				      struct answer_ticket *t);

/* Places a held packet: ANS_AFTER when the other direction's first packet, read since,
 * is not younger than it; ANS_BEFORE (from now on among those a late answer makes
 * unsure, as answers_packet()'s); ANS_UNSURE when the table forgot the tuple or it began
 * a new connection since, or an untrusted time was seen. */
enum answer_state answers_place(struct answers *a, const struct answer_ticket *t);

#define ANSWERS_LATE_S 10	/* ten times any ring's lag we have seen, 100 ms */

uint64_t answers_forgotten(const struct answers *a);	/* tuples it had to replace */
size_t answers_capacity(const struct answers *a);

#endif
