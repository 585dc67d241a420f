/* This file is the libFuzzer harness of the packet decoder: the first two bytes pick a
 * link type (every supported one plus one unsupported) and shorten the wire length, the
 * rest is the frame. The decoded record is checked against its documented invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = {
	0,	/* DLT_NULL */
	1,	/* DLT_EN10MB */
	12,	/* DLT_RAW */
	14,	/* DLT_RAW (OpenBSD) */
	101,	/* LINKTYPE_RAW */
	108,	/* DLT_LOOP */
	113,	/* DLT_LINUX_SLL */
	228,	/* LINKTYPE_IPV4 */
	229,	/* LINKTYPE_IPV6 */
	239,	/* DLT_NFLOG */
	276,	/* DLT_LINUX_SLL2 */
	105,	/* DLT_IEEE802_11: unsupported */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const size_t nlt = sizeof(linktypes) / sizeof(linktypes[0]);
	struct pkt_record rec;
	uint32_t caplen, wirelen;
	uint8_t *frame;
	int lt;

	if (size < 2 || size - 2 > 65535)
		return 0;
	lt = linktypes[data[0] % nlt];
	caplen = (uint32_t)(size - 2);
	/* Second byte: 0 = whole frame on the wire, else that many more bytes (truncation). */
	wirelen = caplen + (uint32_t)data[1] * 16;
	/* An exact-size copy so ASan sees any read past caplen. */
	frame = malloc(caplen ? caplen : 1);
	if (!frame)
		return 0;
	memcpy(frame, data + 2, caplen);

	decode_packet(lt, frame, caplen, wirelen, 1, &rec);
	if (rec.status > DEC_MALFORMED)
		abort();
	if (rec.status == DEC_OK && rec.family != 4 && rec.family != 6)
		abort();
	if (rec.status == DEC_UNSUPPORTED && (decode_linktype_supported(lt) || rec.errors))
		abort();
	if (rec.l3_offset > caplen || rec.l4_offset > caplen)
		abort();
	if (rec.errors >> DERR_COUNT)
		abort();
	if ((rec.have & PKT_HAVE_NFLOG) && !memchr(rec.nflog.prefix, 0, sizeof(rec.nflog.prefix)))
		abort();

	if (lt == 101) {	/* the bare-IP entry point too, with each family hint */
		static const int hints[3] = { 0, 4, 6 };

		/* wire length 0 = unknown (what the live NFLOG source passes) */
		decode_ip(frame, caplen, data[1] == 0xff ? 0 : wirelen, hints[data[1] % 3], 1, &rec);
		if (rec.status == DEC_OK && rec.family != 4 && rec.family != 6)
			abort();
	}
	free(frame);
	return 0;
}
