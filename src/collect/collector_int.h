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

#endif
