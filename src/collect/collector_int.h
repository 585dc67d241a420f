/* This file declares what collector.c and collector_iface.c share and nothing else uses:
 * how a record finds its interface. */
#ifndef SPOOFAUDIT_COLLECTOR_INT_H
#define SPOOFAUDIT_COLLECTOR_INT_H

#include "collect/collector.h"

/* The interface of a frame from a file source s (of link type linktype): by SLL2 ifindex,
 * a loopback hardware type, the NFLOG in/out device, else the file's default name;
 * created with a default role when new. Returns its index, or -1 when the table is full. */
int collector_file_iface(struct collector *c, struct collector_source *s, int linktype,
			 const struct pkt_record *r);

/* The interface of a packet the NFLOG source s delivered: by the in-device for packets on
 * their way in, the out-device on their way out; created (role external) when new.
 * Returns its index, or -1 when the table is full. */
int collector_nflog_iface(struct collector *c, struct collector_source *s,
			  const struct pkt_record *r);

/* True when a pcap handle captures interface ifidx in direction dir: then pcap counts
 * the packet and NFLOG only notes it. */
int collector_pcap_covers(const struct collector *c, int ifidx, uint8_t dir);

/* The rest of a pcap frame's processing once its interface is known (collector.c):
 * classify, account, keep evidence, call the audit. */
void collector_frame_account(struct collector *c, int ifidx, struct pkt_record *r,
			     const uint8_t *data, uint32_t caplen);

/* bshold.c: holds r back when the backscatter class would name it now, to account it a
 * moment later (the host's packet it answers may still be in another handle's ring).
 * Returns 1 when held (with a copy of the frame), else 0: account it now. */
int collector_bs_hold(struct collector *c, int ifidx, const struct pkt_record *r,
		      const uint8_t *data, uint32_t caplen);
/* Accounts the held replies older than now_usec by the hold time (UINT64_MAX: all). */
void collector_bs_release(struct collector *c, uint64_t now_usec);
void collector_bs_free(struct collector *c);

/* placehold.c: holds the answer order of a packet a live capture counted before any
 * answer (flows/answers.h ANS_HELD), counted in the row of key k, to place it a moment
 * later; collector_place() (collector.c) then adds it to the row's pre_reply or not. */
void collector_place_hold(struct collector *c, const struct flow_key *k,
			  const struct answer_ticket *t);
/* Places the held packets older than now_usec by the hold time (UINT64_MAX: all). */
void collector_place_release(struct collector *c, uint64_t now_usec);
void collector_place_free(struct collector *c);
void collector_place(struct collector *c, const struct flow_key *k, enum answer_state as);

/* suspect.c: writes the changed hop counts and ended flood episodes in a transaction of
 * their own (the flush without a writer thread). 0, or -1 with c->err (what was taken is
 * not retried: the hop counts are written again at their next change). */
int collector_write_suspect(struct collector *c);

#endif
