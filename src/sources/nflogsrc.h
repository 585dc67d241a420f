/* This file declares the NFLOG source: one netlink socket bound to one NFLOG group
 * (libnetfilter_log's libmnl helpers), requesting sequence numbers, counting ENOBUFS
 * overruns and sequence gaps, and turning each logged packet into a packet record. */
#ifndef SPOOFAUDIT_NFLOGSRC_H
#define SPOOFAUDIT_NFLOGSRC_H

#include <stddef.h>
#include <stdint.h>
#include "sources/pktrec.h"
#include "sources/source.h"

struct mnl_socket;
struct nlmsghdr;

struct nfl_opts {
	uint32_t rcvbuf_bytes;		/* netlink socket receive buffer (SO_RCVBUFFORCE) */
	uint32_t copy_range;		/* bytes of each packet the kernel copies */
	uint32_t nlbufsiz;		/* kernel-side batching buffer per group */
	uint32_t qthresh;		/* packets the kernel batches before sending */
	uint32_t timeout_cs;		/* batch flush timeout, 1/100 s */
};

struct nfl_source {
	struct mnl_socket *nl;
	unsigned portid;
	uint16_t group;
	int fd;
	uint8_t *buf;			/* receive buffer */
	size_t buflen;
	/* counters since open */
	uint64_t messages;		/* packet messages received */
	uint64_t enobufs;		/* ENOBUFS overruns (the kernel dropped messages) */
	uint64_t seq_gaps;		/* messages missing by NFULA_SEQ */
	uint64_t bad_msgs;		/* messages whose attributes failed validation */
	uint32_t last_seq;
	int have_seq;
};

/* Called for each logged packet: rec has the decoded payload plus the nflog block and
 * a direction from the hook; payload/len are the packet as the kernel copied it. */
typedef void (*nfl_packet_fn)(void *arg, const struct pkt_record *rec, const uint8_t *payload,
			      uint32_t len);

/* Sets the defaults into *o. */
void nfl_opts_default(struct nfl_opts *o);

/* Opens a socket and binds it to NFLOG group `group` with copy-packet mode, sequence
 * numbers and the options in o. A group another process (ulogd, another spoofaudit)
 * holds fails with a message that names it. Returns 0, or -1 with a message in err. */
int nfl_open(struct nfl_source *s, uint16_t group, const struct nfl_opts *o, char *err,
	     size_t errlen);

/* Reads what the socket holds without blocking and calls fn per packet. Returns the
 * number of packets, 0 when nothing was waiting (or after counting an ENOBUFS), or -1 on
 * another socket error (errno set). */
int nfl_read(struct nfl_source *s, nfl_packet_fn fn, void *arg);

/* Unbinds the group and closes the socket. NULL-safe, idempotent. */
void nfl_close(struct nfl_source *s);

/* The source interface over an NFLOG group (sources/source.h): opens as nfl_open does,
 * into an nfl_source the source owns (source_close unbinds and frees it). A read drains
 * up to max datagrams; s->name is "nflog:GROUP". Returns 0, or -1 with a message in err. */
int nfl_source_open(struct source *s, uint16_t group, const struct nfl_opts *o, char *err,
		    size_t errlen);

/* Parses one NFLOG packet message (attributes validated by nflog_nlmsg_parse) into rec
 * and the payload. Returns 0, or -1 when it is not a packet message or an attribute is
 * invalid. Exposed for the fuzz harness; nfl_read uses it. */
int nfl_parse(const struct nlmsghdr *nlh, uint64_t now_usec, struct pkt_record *rec,
	      const uint8_t **payload, uint32_t *len);

/* True when every netlink message length in buf (len bytes) is within the buffer. */
int nfl_stream_ok(const void *buf, size_t len);

#endif
