/* This file declares the one interface every packet source implements (a pcap handle on
 * a live interface or a capture file, an NFLOG group): a descriptor to poll, a batch read
 * that hands decoded packet records to a callback, counters, and close. The event loop
 * iterates one array of sources and never asks what kind each is. */
#ifndef SPOOFAUDIT_SOURCE_H
#define SPOOFAUDIT_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include "sources/pktrec.h"

struct source;

/* Called once per packet of a batch. rec is the decoded record (rec->ts_usec, caplen,
 * wirelen and linktype say what the frame was); data/caplen are the bytes it was decoded
 * from (a link-layer frame for pcap, the bare IP packet for NFLOG). A record whose
 * capture header was inconsistent arrives as DEC_MALFORMED with its reason in
 * rec->errors and data NULL. Returns 0 to go on, or 1 to end the batch early (a packet
 * count reached, a stop requested). */
typedef int (*source_record_fn)(void *arg, struct source *s, const struct pkt_record *rec,
				const uint8_t *data, uint32_t caplen);

/* Counters that grew since the previous source_stats() call. */
struct source_stats {
	uint64_t kernel_drops;		/* pcap: ps_drop */
	uint64_t iface_drops;		/* pcap: ps_ifdrop */
	uint64_t nflog_messages;	/* NFLOG: packet messages received */
	uint64_t nflog_enobufs;		/* NFLOG: socket overruns */
	uint64_t nflog_seq_gaps;	/* NFLOG: messages missing by sequence number */
};

struct source_ops {
	/* Reads one batch of what is waiting, without blocking: at most s->batch packets
	 * (pcap) or datagrams (NFLOG). Returns the number of packets delivered (0: nothing
	 * waiting; at the end of a file s->eof is set), or -1 with a message in s->err. */
	int (*read)(struct source *s, source_record_fn fn, void *arg);
	/* Fills *d with the increase of the counters since the previous call. 0 or -1. */
	int (*stats)(struct source *s, struct source_stats *d);
	/* Releases the handle. Idempotent. */
	void (*close)(struct source *s);
};

/* A source. The implementation fills ops, impl, fd, linktype, batch, kind and name when it
 * opens; the owner assigns index once (the collector's source index) and never
 * recomputes it from positions. */
struct source {
	const struct source_ops *ops;
	void *impl;			/* struct capture or struct nfl_source */
	int fd;				/* poll() descriptor, -1 for files */
	int linktype;			/* DLT of the source (NFLOG: 239, DLT_NFLOG; its
					 * records carry the bare IP payload, DLT_RAW) */
	int batch;			/* the read's bound (see source_ops.read) */
	int eof;			/* a file source reached its end */
	const char *kind;		/* "pcap-live", "pcap-file" or "nflog" */
	char name[4096];		/* interface/direction, file path or nflog:GROUP */
	unsigned index;			/* the collector's source index */
	char err[4400];			/* why the last read failed */
};

static inline int source_read(struct source *s, source_record_fn fn, void *arg)
{
	return s->ops->read(s, fn, arg);
}

static inline int source_stats(struct source *s, struct source_stats *d)
{
	return s->ops->stats(s, d);
}

/* NULL-safe and idempotent; a source never opened (ops NULL) is left alone. */
static inline void source_close(struct source *s)
{
	if (s && s->ops)
		s->ops->close(s);
}

#endif
