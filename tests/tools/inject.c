/* This file is the test injector: it replays the frames of an Ethernet pcap file onto an
 * interface through an AF_PACKET socket, rewriting the destination MAC so the receiving
 * host takes them as addressed to it, optionally at a bounded rate.
 * Usage: inject -i IFACE [-m DST_MAC] [-p PPS] [-n COUNT] [-l LOOPS] FILE.pcap
 * Prints "sent N" (frames the kernel accepted) and "failed N" on stdout. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (v[i] > 255)
			return -1;
		mac[i] = (uint8_t)v[i];
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *ifname = NULL;
	uint8_t mac[6], buf[65536];
	int have_mac = 0, opt, fd = -1, ret = 1;
	uint64_t pps = 0, count = 0, loops = 1, sent = 0, failed = 0, i = 0, l;
	char errbuf[PCAP_ERRBUF_SIZE];
	struct sockaddr_ll sll;
	uint64_t t0;

	while ((opt = getopt(argc, argv, "i:m:p:n:l:")) != -1) {
		switch (opt) {
		case 'i': ifname = optarg; break;
		case 'm':
			if (parse_mac(optarg, mac) < 0) {
				fprintf(stderr, "inject: bad MAC `%s'\n", optarg);
				return 2;
			}
			have_mac = 1;
			break;
		case 'p':
			if (util_parse_u64(optarg, 1, 100000000, &pps) < 0) return 2;
			break;
		case 'n':
			if (util_parse_u64(optarg, 1, UINT64_MAX, &count) < 0) return 2;
			break;
		case 'l':
			if (util_parse_u64(optarg, 1, 1000000, &loops) < 0) return 2;
			break;
		default:
			return 2;
		}
	}
	if (!ifname || optind != argc - 1) {
		fprintf(stderr, "usage: inject -i IFACE [-m DST_MAC] [-p PPS] [-n COUNT] [-l LOOPS] FILE.pcap\n");
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("inject: socket");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	sll.sll_halen = 6;
	if (!sll.sll_ifindex) {
		fprintf(stderr, "inject: no interface `%s'\n", ifname);
		goto out;
	}
	{
		int sndbuf = 4 << 20;

		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	}
	t0 = util_mono_usec();
	for (l = 0; l < loops && (!count || i < count); l++) {
		pcap_t *p = pcap_open_offline(argv[optind], errbuf);
		struct pcap_pkthdr *h;
		const u_char *d;
		int rc;

		if (!p) {
			fprintf(stderr, "inject: %s\n", errbuf);
			goto out;
		}
		if (pcap_datalink(p) != DLT_EN10MB) {
			fprintf(stderr, "inject: %s is not Ethernet\n", argv[optind]);
			pcap_close(p);
			goto out;
		}
		while ((!count || i < count) && (rc = pcap_next_ex(p, &h, &d)) == 1) {
			uint32_t n = h->caplen;

			if (n < 14 || n > sizeof(buf))
				continue;
			memcpy(buf, d, n);
			if (have_mac)
				memcpy(buf, mac, 6);
			memcpy(sll.sll_addr, buf, 6);
			if (pps) {	/* pace: frame i leaves no earlier than t0 + i/pps */
				uint64_t due = t0 + i * 1000000u / pps;

				while (util_mono_usec() < due)
					;
			}
			while (sendto(fd, buf, n, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
				if (errno == ENOBUFS || errno == EAGAIN) {
					usleep(50);
					continue;
				}
				failed++;
				break;
			}
			i++;
		}
		pcap_close(p);
	}
	sent = i - failed;
	printf("sent %llu\nfailed %llu\nseconds %.3f\n", (unsigned long long)sent,
	       (unsigned long long)failed, (double)(util_mono_usec() - t0) / 1e6);
	ret = failed ? 1 : 0;
out:
	close(fd);
	return ret;
}
