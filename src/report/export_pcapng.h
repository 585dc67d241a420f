/* This file declares a minimal pcapng writer: one section, interface description blocks
 * with their names, enhanced packet blocks with microsecond times. libpcap 1.10 can read
 * pcapng but only write classic pcap, which has one link type and no interface names per
 * file; evidence from several interfaces and link types needs pcapng. */
#ifndef SPOOFAUDIT_EXPORT_PCAPNG_H
#define SPOOFAUDIT_EXPORT_PCAPNG_H

#include <stdint.h>
#include <stdio.h>

#define EXPORT_PCAPNG_MAX_IFACES 256
#define EXPORT_PCAPNG_SNAPLEN 262144

struct export_pcapng {
	FILE *f;
	unsigned nifs;
	struct {
		char name[64];
		int linktype;
	} ifs[EXPORT_PCAPNG_MAX_IFACES];
};

/* Writes the section header block to f. Returns 0, or -1 (errno set). */
int export_pcapng_begin(struct export_pcapng *w, FILE *f, const char *appl);
/* The id of the interface (name, linktype), writing its description block the first
 * time. Returns the id, or -1 (errno set; E2BIG past EXPORT_PCAPNG_MAX_IFACES). */
int export_pcapng_iface(struct export_pcapng *w, const char *name, int linktype);
/* One enhanced packet block. caplen must not exceed EXPORT_PCAPNG_SNAPLEN nor wirelen.
 * Returns 0, or -1 (errno set: EINVAL for bad lengths). */
int export_pcapng_packet(struct export_pcapng *w, int iface, uint64_t ts_usec,
			 const void *data, uint32_t caplen, uint32_t wirelen);

#endif
