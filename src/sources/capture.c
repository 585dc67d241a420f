/* This file implements the pcap sources: live interfaces and capture files. */
#include "sources/capture.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "sources/decode.h"

#define CAPTURE_FILE_BUFFER (256u << 10)	/* stdio buffer of a capture file */

static int apply_filter(struct capture *c, const char *bpf, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (!bpf)
		return 0;
	if (pcap_compile(c->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "bad filter `%s': %s", bpf, pcap_geterr(c->p));
		return -1;
	}
	if (pcap_setfilter(c->p, &prog) < 0) {
		snprintf(err, errlen, "cannot set filter `%s': %s", bpf, pcap_geterr(c->p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

/* "no interface IFNAME here; the interfaces are: lo, eth0" (this network namespace's). */
static void no_such_iface(const char *ifname, char *err, size_t errlen)
{
	struct if_nameindex *ni = if_nameindex(), *p;
	size_t n;

	snprintf(err, errlen, "no interface `%s' here", ifname);
	if (!ni)
		return;
	for (p = ni; p->if_index && p->if_name; p++) {
		n = strlen(err);
		snprintf(err + n, errlen - n, "%s%s", p == ni ? "; the interfaces are: " : ", ",
			 p->if_name);
	}
	if_freenameindex(ni);
}

int capture_open_live(struct capture *c, const char *ifname, const struct capture_live_opts *o,
		      char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	snprintf(c->name, sizeof(c->name), "%s", ifname);
	c->p = pcap_create(ifname, perr);
	if (!c->p) {
		snprintf(err, errlen, "%s: %s", ifname, perr);
		return -1;
	}
	pcap_set_snaplen(c->p, o->snaplen);
	pcap_set_promisc(c->p, o->promisc);
	pcap_set_timeout(c->p, 100);
	pcap_set_buffer_size(c->p, o->buffer_bytes);
	pcap_set_tstamp_precision(c->p, PCAP_TSTAMP_PRECISION_MICRO);
	rc = pcap_activate(c->p);
	/* without the privilege pcap fails before it looks the device up; a name that is no
	 * network device (nor `any' or a pseudo-device such as nflog:5) fails as root too */
	if (rc == PCAP_ERROR_NO_SUCH_DEVICE ||
	    (rc == PCAP_ERROR_PERM_DENIED && !if_nametoindex(ifname) && strcmp(ifname, "any") &&
	     !strchr(ifname, ':'))) {
		no_such_iface(ifname, err, errlen);
		goto fail;
	}
	if (rc == PCAP_ERROR_PERM_DENIED) {
		snprintf(err, errlen, "capturing on %s needs root or CAP_NET_RAW (%s)", ifname,
			 pcap_geterr(c->p));
		goto fail;
	}
	if (rc < 0) {
		snprintf(err, errlen, "cannot capture on %s: %s", ifname, pcap_geterr(c->p));
		goto fail;
	}
	if (pcap_setdirection(c->p, o->direction) < 0) {
		snprintf(err, errlen, "%s: cannot select a direction: %s", ifname, pcap_geterr(c->p));
		goto fail;
	}
	c->linktype = pcap_datalink(c->p);
	c->snaplen = pcap_snapshot(c->p);
	/* pcap_setdirection filters in user space: the kernel copies both directions into
	 * every handle's ring. The `inbound'/`outbound' filter qualifiers would do it in the
	 * kernel, but on a veth they also dropped some 802.1Q frames of the right direction
	 * (measured: 16 of 4000 frames missing), so exactness wins over ring space here. */
	if (apply_filter(c, o->bpf, err, errlen) < 0)
		goto fail;
	if (pcap_setnonblock(c->p, 1, perr) < 0) {
		snprintf(err, errlen, "%s: %s", ifname, perr);
		goto fail;
	}
	c->fd = pcap_get_selectable_fd(c->p);
	return 0;
fail:
	pcap_close(c->p);
	c->p = NULL;
	return -1;
}

int capture_open_file(struct capture *c, const char *path, const char *bpf, char *err,
		      size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->is_file = 1;
	snprintf(c->name, sizeof(c->name), "%s", path);
	if (strcmp(path, "-") == 0) {	/* libpcap's name for standard input */
		c->p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO,
							       perr);
	} else {
		/* opened here to give it a large buffer: libpcap reads a record header and its
		 * bytes with two fread() calls, and stdio's default 4 KiB meant a read(2) for
		 * every few packets */
		FILE *f = fopen(path, "rb");

		if (!f) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		c->fbuf = malloc(CAPTURE_FILE_BUFFER);	/* glibc ignores a size without one */
		if (c->fbuf)
			setvbuf(f, c->fbuf, _IOFBF, CAPTURE_FILE_BUFFER);
		c->p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO,
								perr);
		if (!c->p) {
			fclose(f);	/* pcap_close() closes it once the handle exists */
			free(c->fbuf);
			c->fbuf = NULL;
		}
	}
	if (!c->p) {
		if (strstr(perr, path))	/* libpcap usually names the file itself */
			snprintf(err, errlen, "%s", perr);
		else
			snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	c->linktype = pcap_datalink(c->p);
	c->snaplen = pcap_snapshot(c->p);
	if (apply_filter(c, bpf, err, errlen) < 0) {
		capture_close(c);
		return -1;
	}
	return 0;
}

int capture_stats(struct capture *c, uint64_t *d_recv, uint64_t *d_drop, uint64_t *d_ifdrop)
{
	struct pcap_stat ps;

	*d_recv = *d_drop = *d_ifdrop = 0;
	if (!c->p || c->is_file)
		return 0;
	if (pcap_stats(c->p, &ps) < 0)
		return -1;
	/* The kernel counters are 32-bit and wrap; take the difference modulo 2^32. */
	*d_recv = (uint32_t)(ps.ps_recv - (uint32_t)c->ps_recv);
	*d_drop = (uint32_t)(ps.ps_drop - (uint32_t)c->ps_drop);
	*d_ifdrop = (uint32_t)(ps.ps_ifdrop - (uint32_t)c->ps_ifdrop);
	c->ps_recv = ps.ps_recv;
	c->ps_drop = ps.ps_drop;
	c->ps_ifdrop = ps.ps_ifdrop;
	return 0;
}

void capture_close(struct capture *c)
{
	if (!c)
		return;
	if (c->p) {
		pcap_close(c->p);
		c->p = NULL;
	}
	free(c->fbuf);		/* after pcap_close(), which closes the stream using it */
	c->fbuf = NULL;
}

static uint32_t rd32(const uint8_t *b, int swap)
{
	uint32_t v;

	memcpy(&v, b, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint16_t rd16(const uint8_t *b, int swap)
{
	uint16_t v;

	memcpy(&v, b, 2);
	return swap ? __builtin_bswap16(v) : v;
}

int capture_pcapng_ifname(const char *path, char *buf, size_t len)
{
	uint8_t hdr[12], body[65536];
	FILE *f = fopen(path, "rb");
	int ret = -1, swap, blocks;

	if (!f || len == 0)
		goto out;
	if (fread(hdr, 1, 12, f) != 12 || rd32(hdr, 0) != 0x0A0D0D0A)
		goto out;
	if (rd32(hdr + 8, 0) == 0x1A2B3C4D)
		swap = 0;
	else if (rd32(hdr + 8, 0) == 0x4D3C2B1A)
		swap = 1;
	else
		goto out;
	/* Walk blocks from the SHB until the first IDB (type 1); bounded to a few blocks. */
	if (fseek(f, 0, SEEK_SET) < 0)
		goto out;
	for (blocks = 0; blocks < 16; blocks++) {
		uint32_t type, blen, off;

		if (fread(hdr, 1, 8, f) != 8)
			goto out;
		type = rd32(hdr, swap);
		blen = rd32(hdr + 4, swap);
		if (blen < 12 || blen % 4 || blen - 8 > sizeof(body))
			goto out;
		if (fread(body, 1, blen - 8, f) != blen - 8)
			goto out;
		if (type != 1)
			continue;
		/* IDB body: linktype(2) reserved(2) snaplen(4) options... trailing length(4). */
		for (off = 8; off + 4 <= blen - 12;) {
			uint16_t code = rd16(body + off, swap), olen = rd16(body + off + 2, swap);

			if (code == 0 || off + 4 + (uint32_t)olen > blen - 12)
				break;
			if (code == 2 && olen > 0) {	/* if_name */
				size_t n = olen < len - 1 ? olen : len - 1;

				memcpy(buf, body + off + 4, n);
				buf[n] = '\0';
				ret = strlen(buf) ? 0 : -1;
				goto out;
			}
			off += 4 + (((uint32_t)olen + 3) & ~3u);
		}
		goto out;
	}
out:
	if (f)
		fclose(f);
	return ret;
}

/* The source interface. */

struct cap_batch {
	struct source *s;
	struct capture *cap;
	source_record_fn fn;
	void *arg;
	int n;
};

/* The last second a timestamp may name: 9999-12-31T23:59:59Z (reports print 4-digit
 * years; microseconds since the epoch stay far inside int64). */
#define CAPTURE_MAX_TS_SEC 253402300799LL

/* True when a record header cannot be right: more bytes captured than were on the wire
 * or than the snapshot length allows, or a timestamp before the epoch or after year 9999
 * (a file's header is as untrusted as its packets). */
static int bad_header(const struct capture *c, const struct pcap_pkthdr *h)
{
	int snap = c->snaplen;

	if (h->caplen > h->len || (snap > 0 && h->caplen > (uint32_t)snap))
		return 1;
	return h->ts.tv_sec < 0 || (long long)h->ts.tv_sec > CAPTURE_MAX_TS_SEC ||
	       h->ts.tv_usec < 0 || h->ts.tv_usec >= 1000000;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cap_batch *b = (struct cap_batch *)(void *)user;
	struct pkt_record rec;
	uint32_t caplen = h->caplen;

	if (bad_header(b->cap, h)) {
		/* counted as malformed, reason: an inconsistent link-level (record) header */
		memset(&rec, 0, sizeof(rec));
		rec.caplen = h->caplen;
		rec.wirelen = h->len;
		rec.linktype = b->s->linktype;
		rec.status = DEC_MALFORMED;
		rec.errors = 1u << DERR_BAD_LINK;
		b->n++;
		if (b->fn(b->arg, b->s, &rec, NULL, 0))
			pcap_breakloop(b->cap->p);
		return;
	}
	/* libpcap bounds caplen by the snapshot length already; never trust more than that. */
	if (caplen > 262144)
		caplen = 262144;
	decode_packet(b->s->linktype, bytes, caplen, h->len,
		      (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec, &rec);
	b->n++;
	if (b->fn(b->arg, b->s, &rec, bytes, caplen))
		pcap_breakloop(b->cap->p);
}

static int cap_read(struct source *s, source_record_fn fn, void *arg)
{
	struct capture *c = s->impl;
	struct cap_batch b = { s, c, fn, arg, 0 };
	int n;

	if (!c || !c->p)
		return -1;
	n = pcap_dispatch(c->p, s->batch, on_frame, (u_char *)&b);
	if (n == PCAP_ERROR_BREAK)
		return b.n;
	if (n < 0) {
		snprintf(s->err, sizeof(s->err), "%s: %s", c->name, pcap_geterr(c->p));
		return -1;
	}
	if (n == 0 && c->is_file)
		s->eof = 1;
	return b.n;
}

static int cap_stats(struct source *s, struct source_stats *d)
{
	struct capture *c = s->impl;
	uint64_t r;

	memset(d, 0, sizeof(*d));
	return c ? capture_stats(c, &r, &d->kernel_drops, &d->iface_drops) : -1;
}

static void cap_close(struct source *s)
{
	capture_close(s->impl);
	free(s->impl);
	s->impl = NULL;
}

static const struct source_ops cap_ops = { cap_read, cap_stats, cap_close };

static int source_from(struct source *s, struct capture *c, const char *kind, const char *name)
{
	memset(s, 0, sizeof(*s));
	s->ops = &cap_ops;
	s->impl = c;
	s->fd = c->fd;
	s->linktype = c->linktype;
	s->batch = c->is_file ? 8192 : 4096;
	s->kind = kind;
	snprintf(s->name, sizeof(s->name), "%s", name);
	return 0;
}

int capture_source_live(struct source *s, const char *ifname, const char *label,
			const struct capture_live_opts *o, char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));

	memset(s, 0, sizeof(*s));
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", ifname);
		return -1;
	}
	if (capture_open_live(c, ifname, o, err, errlen) < 0) {
		free(c);
		return -1;
	}
	return source_from(s, c, "pcap-live", label);
}

int capture_source_file(struct source *s, const char *path, const char *bpf, char *err,
			size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));

	memset(s, 0, sizeof(*s));
	if (!c) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (capture_open_file(c, path, bpf, err, errlen) < 0) {
		free(c);
		return -1;
	}
	return source_from(s, c, "pcap-file", path);
}
