/* This file is a test helper that runs the decoder over every frame of a capture file and
 * prints one tab-separated line per frame: number, status, family, src, dst, proto,
 * sport, dport, errors. The corpus test compares these lines with tshark. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "sources/decode.h"
#include "common/prefix.h"

static const char *status_name(int st)
{
	switch (st) {
	case DEC_OK: return "ok";
	case DEC_NOT_IP: return "not_ip";
	case DEC_UNSUPPORTED: return "unsupported";
	case DEC_MALFORMED: return "malformed";
	default: return "?";
	}
}

static void print_record(unsigned long n, const struct pkt_record *rec)
{
	char src[ADDR_STRLEN] = "-", dst[ADDR_STRLEN] = "-", errs[256];
	size_t used = 0;
	int e;

	if (rec->family == 4 || rec->family == 6) {
		addr_format(rec->family, rec->src, src, sizeof(src));
		addr_format(rec->family, rec->dst, dst, sizeof(dst));
	}
	errs[0] = '\0';
	for (e = 0; e < DERR_COUNT; e++) {
		if (!(rec->errors & (1u << e)))
			continue;
		int w = snprintf(errs + used, sizeof(errs) - used, "%s%s", used ? "," : "",
				 decode_error_name((enum decode_error)e));
		if (w < 0 || (size_t)w >= sizeof(errs) - used)
			break;
		used += (size_t)w;
	}
	printf("%lu\t%s\t", n, status_name(rec->status));
	if (rec->family)
		printf("%u\t%s\t%s\t%u\t", rec->family, src, dst, rec->proto);
	else
		printf("-\t-\t-\t-\t");
	if (rec->have & PKT_HAVE_PORTS)
		printf("%u\t%u\t", rec->sport, rec->dport);
	else
		printf("-\t-\t");
	printf("%s\n", used ? errs : "-");
}

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	unsigned long n = 0;
	pcap_t *pc;
	int ret = 1, r, lt;

	if (argc != 2) {
		fprintf(stderr, "usage: decode_dump FILE.pcap[ng]\n");
		return 2;
	}
	errbuf[0] = '\0';
	pc = pcap_open_offline(argv[1], errbuf);
	if (!pc) {
		fprintf(stderr, "# error: %s: %s\n", argv[1], errbuf);
		goto out;
	}
	lt = pcap_datalink(pc);
	while ((r = pcap_next_ex(pc, &hdr, &data)) >= 0) {
		struct pkt_record rec;
		uint64_t ts;

		if (r == 0)
			continue;
		n++;
		ts = (uint64_t)hdr->ts.tv_sec * 1000000u + (uint64_t)hdr->ts.tv_usec;
		decode_packet(lt, data, hdr->caplen, hdr->len, ts, &rec);
		print_record(n, &rec);
	}
	if (r == PCAP_ERROR)
		fprintf(stderr, "# error: %s: after frame %lu: %s\n", argv[1], n, pcap_geterr(pc));
	ret = 0;
out:
	if (pc)
		pcap_close(pc);
	return ret;
}
