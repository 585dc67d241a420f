/* This file declares the backscatter class: replies arriving for what this host never
 * sent (SYN-ACKs, RSTs, ICMP errors) mean someone sends packets with this host's
 * addresses as source elsewhere, and the answers come here. It watches both directions
 * through a connection memory (flows/conntab.h) and re-classifies a normal received
 * packet as CLS_BACKSCATTER with subclass syn_ack, rst or icmp_error. */
#ifndef SPOOFAUDIT_BACKSCATTER_H
#define SPOOFAUDIT_BACKSCATTER_H

#include <stddef.h>
#include <stdint.h>
#include "classify/classify.h"
#include "flows/conntab.h"

/* Defaults; README.md explains each. */
#define BS_WARMUP_S 120		/* nothing is judged this long after the first packet sent */
#define BS_SYN_S 120		/* a SYN is answered within Linux's SYN_SENT timeout (120 s) */
#define BS_IDLE_S 7200		/* a conversation is remembered this long after its last packet
				 * (Linux's default tcp_keepalive_time) */
#define BS_ENTRIES 262144	/* tuples remembered (24 bytes each) */

struct bs_opts {
	uint32_t warmup_s;
	uint32_t syn_s;
	uint32_t idle_s;
	size_t entries;
};

struct backscatter {
	struct conntab *ct;
	struct bs_opts o;
	uint64_t first_out_usec;	/* the first packet the host was seen sending */
	int seen_out;
};

void backscatter_opts_default(struct bs_opts *o);

/* Returns a new watcher, or NULL (errno set). seed keys the memory's hash. */
struct backscatter *backscatter_new(const struct bs_opts *o, uint64_t seed);
void backscatter_free(struct backscatter *b);	/* NULL-safe */

/* Looks at one classified packet r (direction known or inferred) and, when it is a normal
 * received reply to something the host never sent, turns *cl into CLS_BACKSCATTER. Packets
 * the host sends, and received ones that take part in a conversation, are remembered.
 * Packets of an unknown direction are left alone: without the outgoing side nothing can
 * be told. */
void backscatter_packet(struct backscatter *b, const struct classify_ctx *cctx,
			const struct pkt_record *r, struct classification *cl);

/* The subclass backscatter_packet() would give r now (ASUB_NONE: none), changing
 * nothing: what the collector holds back for a moment (collect/bshold.c). */
enum addr_subclass backscatter_judge(const struct backscatter *b, const struct classify_ctx *cctx,
				     const struct pkt_record *r, const struct classification *cl);

#endif
