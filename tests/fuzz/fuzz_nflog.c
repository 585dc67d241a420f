/* libFuzzer harness for the NFLOG netlink message parser (nfl_parse: attributes
 * validated by nflog_nlmsg_parse, then the payload decoded). The first input byte picks
 * a mode: the rest is either a raw netlink stream (walked by mnl_cb_run, as nfl_read does)
 * or the attributes of one NFLOG packet message behind a valid header, which reaches the
 * attribute validation directly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>

#include "sources/nflogsrc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int cb(const struct nlmsghdr *nlh, void *arg)
{
	struct pkt_record rec;
	const uint8_t *payload;
	uint32_t len;

	(void)arg;
	if (nfl_parse(nlh, 1, &rec, &payload, &len) == 0) {
		/* the payload must lie inside the message */
		if (payload < (const uint8_t *)nlh ||
		    payload + len > (const uint8_t *)nlh + MNL_ALIGN(nlh->nlmsg_len))
			abort();
	}
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf;
	size_t hdr = MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg));

	if (size < 1 || size > 65536)
		return 0;
	if (data[0] & 1) {
		buf = malloc(size - 1 ? size - 1 : 1);
		if (!buf)
			return 0;
		memcpy(buf, data + 1, size - 1);
		if (nfl_stream_ok(buf, size - 1))	/* as nfl_read does */
			mnl_cb_run(buf, size - 1, 0, 0, cb, NULL);
	} else {
		struct nlmsghdr *nlh;
		struct nfgenmsg *nfg;

		buf = calloc(1, MNL_ALIGN(hdr + size));
		if (!buf)
			return 0;
		nlh = (struct nlmsghdr *)(void *)buf;
		nlh->nlmsg_len = (uint32_t)MNL_ALIGN(hdr + size - 1);	/* the kernel pads */
		nlh->nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET;
		nfg = (struct nfgenmsg *)(void *)(buf + MNL_NLMSG_HDRLEN);
		nfg->nfgen_family = (data[0] & 2) ? 10 : 2;
		memcpy(buf + hdr, data + 1, size - 1);
		cb(nlh, NULL);
	}
	free(buf);
	return 0;
}
