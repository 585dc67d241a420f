/* This file declares the pcap sources: a live interface or a capture file behind one
 * libpcap handle, with its link type, selectable descriptor and drop statistics. */
#ifndef SPOOFAUDIT_CAPTURE_H
#define SPOOFAUDIT_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <pcap/pcap.h>
#include "sources/source.h"

struct capture {
	pcap_t *p;
	int linktype;			/* pcap_datalink() */
	int snaplen;			/* pcap_snapshot(), read once at open */
	char *fbuf;			/* files: the stdio buffer of the stream (malloc'd) */
	int is_file;
	int fd;				/* pcap_get_selectable_fd(), -1 for files */
	char name[4096];		/* interface name or file path */
	uint64_t ps_recv, ps_drop, ps_ifdrop;	/* last pcap_stats() totals */
};

struct capture_live_opts {
	int snaplen;
	int promisc;
	int buffer_bytes;		/* kernel ring size */
	const char *bpf;		/* NULL for none */
	pcap_direction_t direction;	/* PCAP_D_IN, PCAP_D_OUT or PCAP_D_INOUT */
};

/* Opens interface ifname for live capture in its native framing, capturing only the
 * direction asked for (libpcap on Linux offers SLL2, which would carry the direction,
 * only on the `any' device, so the collector opens one handle per direction instead).
 * Non-blocking. Returns 0, or -1 with a message in err. */
int capture_open_live(struct capture *c, const char *ifname, const struct capture_live_opts *o,
		      char *err, size_t errlen);

/* Opens a pcap or pcapng file. Returns 0, or -1 with a message in err. */
int capture_open_file(struct capture *c, const char *path, const char *bpf, char *err,
		      size_t errlen);

/* Reads the kernel's counters into c->ps_* and returns the increase since the previous
 * call in *d_recv, *d_drop, *d_ifdrop. Files report zeros. Returns 0 or -1. */
int capture_stats(struct capture *c, uint64_t *d_recv, uint64_t *d_drop, uint64_t *d_ifdrop);

void capture_close(struct capture *c);	/* NULL-safe, idempotent */

/* The source interface over a pcap handle (sources/source.h). Each opens as
 * capture_open_live/capture_open_file do, into a struct capture the source owns
 * (source_close frees it), and reads decode every frame. s->name is label (live: e.g.
 * "eth0/in") or the path. Returns 0, or -1 with a message in err. */
int capture_source_live(struct source *s, const char *ifname, const char *label,
			const struct capture_live_opts *o, char *err, size_t errlen);
int capture_source_file(struct source *s, const char *path, const char *bpf, char *err,
			size_t errlen);

/* Reads the if_name option of the first Interface Description Block of a pcapng file
 * (libpcap does not expose it). Returns 0 with the name in buf, or -1 when the file is
 * not pcapng, has no such option, or is malformed. Every length is bounded. */
int capture_pcapng_ifname(const char *path, char *buf, size_t len);

#endif
