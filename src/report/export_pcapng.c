/* This file implements the minimal pcapng writer export uses (see export_pcapng.h for
 * why libpcap's own writer does not serve): blocks in host byte order, which the section
 * header's byte-order magic announces, each padded to 32 bits. */
#include "report/export_pcapng.h"

#include <errno.h>
#include <string.h>

#define BT_SHB 0x0A0D0D0Au
#define BT_IDB 0x00000001u
#define BT_EPB 0x00000006u
#define OPT_ENDOFOPT 0
#define OPT_SHB_USERAPPL 4
#define OPT_IF_NAME 2
#define OPT_IF_TSRESOL 9

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static int put(struct export_pcapng *w, const void *p, size_t n)
{
	if (n && fwrite(p, 1, n, w->f) != n)
		return -1;
	return 0;
}

static int put32(struct export_pcapng *w, uint32_t v)
{
	return put(w, &v, 4);
}

static int put_zeros(struct export_pcapng *w, size_t n)
{
	static const uint8_t z[4];

	return put(w, z, n);
}

/* One option: code, length, value padded to 32 bits. */
static int put_opt(struct export_pcapng *w, uint16_t code, const void *v, uint16_t len)
{
	uint16_t h[2] = { code, len };

	if (put(w, h, 4) < 0 || put(w, v, len) < 0 || put_zeros(w, pad4(len) - len) < 0)
		return -1;
	return 0;
}

static size_t opt_size(size_t len)
{
	return 4 + pad4(len);
}

int export_pcapng_begin(struct export_pcapng *w, FILE *f, const char *appl)
{
	size_t alen = appl ? strlen(appl) : 0;
	uint32_t total;
	uint16_t ver[2] = { 1, 0 };
	uint64_t section_len = UINT64_MAX;	/* unknown */

	memset(w, 0, sizeof(*w));
	w->f = f;
	if (alen > 256)
		alen = 256;
	/* type, length, magic, version, section length, end of options; options; length */
	total = (uint32_t)(28 + (alen ? opt_size(alen) : 0) + 4);
	if (put32(w, BT_SHB) < 0 || put32(w, total) < 0 || put32(w, 0x1A2B3C4Du) < 0 ||
	    put(w, ver, 4) < 0 || put(w, &section_len, 8) < 0 ||
	    (alen && put_opt(w, OPT_SHB_USERAPPL, appl, (uint16_t)alen) < 0) ||
	    put_opt(w, OPT_ENDOFOPT, NULL, 0) < 0 || put32(w, total) < 0)
		return -1;
	return 0;
}

int export_pcapng_iface(struct export_pcapng *w, const char *name, int linktype)
{
	size_t nlen = strlen(name);
	uint8_t tsresol = 6;	/* microseconds (the default, stated for readers) */
	uint16_t lt[2];
	uint32_t total;
	unsigned i;

	for (i = 0; i < w->nifs; i++)
		if (w->ifs[i].linktype == linktype && !strcmp(w->ifs[i].name, name))
			return (int)i;
	if (w->nifs >= EXPORT_PCAPNG_MAX_IFACES || linktype < 0 || linktype > 0xffff) {
		errno = E2BIG;
		return -1;
	}
	if (nlen >= sizeof(w->ifs[0].name))
		nlen = sizeof(w->ifs[0].name) - 1;
	lt[0] = (uint16_t)linktype;
	lt[1] = 0;
	/* type, length, link type, reserved, snaplen; options; end of options; length */
	total = (uint32_t)(16 + (nlen ? opt_size(nlen) : 0) + opt_size(1) + 4 + 4);
	if (put32(w, BT_IDB) < 0 || put32(w, total) < 0 || put(w, lt, 4) < 0 ||
	    put32(w, EXPORT_PCAPNG_SNAPLEN) < 0 ||
	    (nlen && put_opt(w, OPT_IF_NAME, name, (uint16_t)nlen) < 0) ||
	    put_opt(w, OPT_IF_TSRESOL, &tsresol, 1) < 0 ||
	    put_opt(w, OPT_ENDOFOPT, NULL, 0) < 0 || put32(w, total) < 0)
		return -1;
	memcpy(w->ifs[w->nifs].name, name, nlen);
	w->ifs[w->nifs].name[nlen] = '\0';
	w->ifs[w->nifs].linktype = linktype;
	return (int)w->nifs++;
}

int export_pcapng_packet(struct export_pcapng *w, int iface, uint64_t ts_usec,
			 const void *data, uint32_t caplen, uint32_t wirelen)
{
	uint32_t total;

	if (iface < 0 || (unsigned)iface >= w->nifs || caplen > EXPORT_PCAPNG_SNAPLEN ||
	    caplen > wirelen) {
		errno = EINVAL;
		return -1;
	}
	total = (uint32_t)(28 + pad4(caplen) + 4);
	if (put32(w, BT_EPB) < 0 || put32(w, total) < 0 || put32(w, (uint32_t)iface) < 0 ||
	    put32(w, (uint32_t)(ts_usec >> 32)) < 0 || put32(w, (uint32_t)ts_usec) < 0 ||
	    put32(w, caplen) < 0 || put32(w, wirelen) < 0 || put(w, data, caplen) < 0 ||
	    put_zeros(w, pad4(caplen) - caplen) < 0 || put32(w, total) < 0)
		return -1;
	return 0;
}
