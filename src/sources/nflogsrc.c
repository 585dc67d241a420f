/* This file implements the NFLOG source over libmnl and libnetfilter_log's netlink
 * message helpers. */
#include "sources/nflogsrc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_log/libnetfilter_log.h>

#include "sources/decode.h"
#include "common/util.h"

#define NFL_BUFLEN (256 * 1024)

void nfl_opts_default(struct nfl_opts *o)
{
	o->rcvbuf_bytes = 32u << 20;
	o->copy_range = 0xffff;
	o->nlbufsiz = 65536;
	o->qthresh = 128;
	o->timeout_cs = 5;
}

/* True when the effective capability set holds CAP_NET_ADMIN. */
static int have_net_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return !!(data[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32)));
}

/* Sends one config message and waits for its ACK. Returns 0, or -1 with errno. */
static int config(struct nfl_source *s, struct nlmsghdr *nlh)
{
	char buf[8192];
	int n;

	nlh->nlmsg_flags |= NLM_F_ACK;
	nlh->nlmsg_seq = (uint32_t)util_mono_usec();
	if (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0)
		return -1;
	n = (int)mnl_socket_recvfrom(s->nl, buf, sizeof(buf));
	if (n < 0)
		return -1;
	return mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, s->portid, NULL, NULL) < 0 ? -1 : 0;
}

int nfl_open(struct nfl_source *s, uint16_t group, const struct nfl_opts *o, char *err,
	     size_t errlen)
{
	char buf[8192];
	struct nlmsghdr *nlh;
	int rcv;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->group = group;
	s->nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!s->nl) {
		snprintf(err, errlen, "NFLOG group %u: netlink socket: %s", group, strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "NFLOG group %u: netlink bind: %s", group, strerror(errno));
		goto fail;
	}
	s->portid = mnl_socket_get_portid(s->nl);
	s->fd = mnl_socket_get_fd(s->nl);
	rcv = (int)(o->rcvbuf_bytes > INT32_MAX ? INT32_MAX : o->rcvbuf_bytes);
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		(void)setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));

	nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC, group);
	nflog_attr_put_cfg_cmd(nlh, NFULNL_CFG_CMD_BIND);
	if (config(s, nlh) < 0) {
		/* nfnetlink_log answers EPERM both to a caller without CAP_NET_ADMIN and to a
		 * bind of an instance another socket holds (EBUSY on some kernels). */
		if (errno == EBUSY || (errno == EPERM && have_net_admin()))
			snprintf(err, errlen, "NFLOG group %u is already bound by another process "
				 "(ulogd? another spoofaudit?): stop it or choose another group", group);
		else if (errno == EPERM)
			snprintf(err, errlen, "reading NFLOG group %u needs root or CAP_NET_ADMIN",
				 group);
		else
			snprintf(err, errlen, "NFLOG group %u: cannot bind: %s", group, strerror(errno));
		goto fail;
	}
	nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC, group);
	nflog_attr_put_cfg_mode(nlh, NFULNL_COPY_PACKET, o->copy_range);
	mnl_attr_put_u32(nlh, NFULA_CFG_NLBUFSIZ, htonl(o->nlbufsiz));
	mnl_attr_put_u32(nlh, NFULA_CFG_QTHRESH, htonl(o->qthresh));
	mnl_attr_put_u32(nlh, NFULA_CFG_TIMEOUT, htonl(o->timeout_cs));
	mnl_attr_put_u16(nlh, NFULA_CFG_FLAGS, htons(NFULNL_CFG_F_SEQ | NFULNL_CFG_F_SEQ_GLOBAL));
	if (config(s, nlh) < 0) {
		snprintf(err, errlen, "NFLOG group %u: cannot configure: %s", group, strerror(errno));
		goto fail;
	}
	if (fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK) < 0) {
		snprintf(err, errlen, "NFLOG group %u: %s", group, strerror(errno));
		goto fail;
	}
	s->buflen = NFL_BUFLEN;
	s->buf = malloc(s->buflen);
	if (!s->buf) {
		snprintf(err, errlen, "NFLOG group %u: out of memory", group);
		goto fail;
	}
	return 0;
fail:
	nfl_close(s);
	return -1;
}

static uint32_t attr_u32(const struct nlattr *a)
{
	return ntohl(mnl_attr_get_u32(a));
}

int nfl_parse(const struct nlmsghdr *nlh, uint64_t now_usec, struct pkt_record *rec,
	      const uint8_t **payload, uint32_t *len)
{
	struct nlattr *tb[NFULA_MAX + 1];
	const struct nfgenmsg *nfg;
	const struct nfulnl_msg_packet_hdr *ph = NULL;
	struct pkt_nflog nf;
	uint64_t ts = now_usec;
	int family;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET) ||
	    nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct nfgenmsg))
		return -1;
	memset(tb, 0, sizeof(tb));
	if (nflog_nlmsg_parse(nlh, tb) != MNL_CB_OK || !tb[NFULA_PAYLOAD])
		return -1;
	nfg = mnl_nlmsg_get_payload(nlh);
	memset(&nf, 0, sizeof(nf));
	nf.family = nfg->nfgen_family;
	nf.group = ntohs(nfg->res_id);
	if (tb[NFULA_PACKET_HDR]) {
		ph = mnl_attr_get_payload(tb[NFULA_PACKET_HDR]);
		nf.hook = ph->hook;
		nf.have |= NFL_HAVE_HOOK;
	}
	if (tb[NFULA_PREFIX]) {
		snprintf(nf.prefix, sizeof(nf.prefix), "%s", mnl_attr_get_str(tb[NFULA_PREFIX]));
		nf.have |= NFL_HAVE_PREFIX;
	}
#define U32(attr, field, flag) \
	do { if (tb[attr]) { nf.field = attr_u32(tb[attr]); nf.have |= flag; } } while (0)
	U32(NFULA_IFINDEX_INDEV, indev, NFL_HAVE_INDEV);
	U32(NFULA_IFINDEX_OUTDEV, outdev, NFL_HAVE_OUTDEV);
	U32(NFULA_IFINDEX_PHYSINDEV, physindev, NFL_HAVE_PHYSINDEV);
	U32(NFULA_IFINDEX_PHYSOUTDEV, physoutdev, NFL_HAVE_PHYSOUTDEV);
	U32(NFULA_MARK, mark, NFL_HAVE_MARK);
	U32(NFULA_UID, uid, NFL_HAVE_UID);
	U32(NFULA_GID, gid, NFL_HAVE_GID);
	U32(NFULA_SEQ, seq, NFL_HAVE_SEQ);
	U32(NFULA_SEQ_GLOBAL, seq_global, NFL_HAVE_SEQ_GLOBAL);
#undef U32
	if (tb[NFULA_TIMESTAMP]) {
		/* netlink attributes are 4-byte aligned; the struct wants 8: copy it out */
		struct nfulnl_msg_packet_timestamp t;
		uint64_t sec, usec;

		memcpy(&t, mnl_attr_get_payload(tb[NFULA_TIMESTAMP]), sizeof(t));
		sec = be64toh(t.sec);
		usec = be64toh(t.usec);

		if (sec < (1ull << 40) && usec < 1000000u) {
			ts = sec * 1000000u + usec;
			nf.ts_usec = ts;
			nf.have |= NFL_HAVE_TIMESTAMP;
		}
	}
	*payload = mnl_attr_get_payload(tb[NFULA_PAYLOAD]);
	*len = mnl_attr_get_payload_len(tb[NFULA_PAYLOAD]);
	family = nf.family == AF_INET ? 4 : nf.family == AF_INET6 ? 6 : 0;
	decode_ip(*payload, *len, 0, family, ts, rec);	/* 0: the copy may be cut short */
	rec->linktype = 12;	/* DLT_RAW: the payload is a bare IP packet */
	rec->nflog = nf;
	rec->have |= PKT_HAVE_NFLOG;
	if (nf.have & NFL_HAVE_HOOK)
		rec->dir = (nf.hook == NF_INET_LOCAL_OUT || nf.hook == NF_INET_POST_ROUTING) ?
			   DIR_OUT : DIR_IN;
	return 0;
}

struct read_ctx {
	struct nfl_source *s;
	nfl_packet_fn fn;
	void *arg;
	int packets;
	uint64_t now;
};

static int on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct read_ctx *rc = data;
	struct nfl_source *s = rc->s;
	struct pkt_record rec;
	const uint8_t *payload;
	uint32_t len;

	if (nfl_parse(nlh, rc->now, &rec, &payload, &len) < 0) {
		s->bad_msgs++;
		return MNL_CB_OK;	/* count it and go on with the rest of the batch */
	}
	s->messages++;
	if (rec.nflog.have & NFL_HAVE_SEQ) {
		if (s->have_seq && rec.nflog.seq != s->last_seq + 1)
			s->seq_gaps += (uint32_t)(rec.nflog.seq - s->last_seq - 1);
		s->last_seq = rec.nflog.seq;
		s->have_seq = 1;
	}
	rc->packets++;
	rc->fn(rc->arg, &rec, payload, len);
	return MNL_CB_OK;
}

int nfl_stream_ok(const void *buf, size_t len)
{
	const uint8_t *p = buf;

	/* libmnl's mnl_nlmsg_ok compares (int)nlmsg_len <= len, so a length with the top
	 * bit set passes and mnl_cb_run walks off the buffer: bound every length here,
	 * unsigned, before handing the buffer to it. */
	while (len >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const void *)p;
		size_t n = nlh->nlmsg_len, step = MNL_ALIGN(n);

		/* the kernel pads every message to NLMSG_ALIGNTO, and libmnl reads attributes
		 * up to the aligned end: that end must lie inside the buffer too */
		if (n < sizeof(struct nlmsghdr) || n > INT32_MAX || step > len)
			return 0;
		if (step == len)
			return 1;
		p += step;
		len -= step;
	}
	return 1;
}

int nfl_read(struct nfl_source *s, nfl_packet_fn fn, void *arg)
{
	struct read_ctx rc = { s, fn, arg, 0, util_now_usec() };
	ssize_t n;

	n = recv(s->fd, s->buf, s->buflen, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		if (errno == ENOBUFS) {	/* the kernel dropped messages: count, never hide */
			s->enobufs++;
			return 0;
		}
		return -1;
	}
	if (!nfl_stream_ok(s->buf, (size_t)n)) {
		s->bad_msgs++;
		return 0;
	}
	if (mnl_cb_run(s->buf, (size_t)n, 0, s->portid, on_msg, &rc) < 0 && rc.packets == 0)
		s->bad_msgs++;
	return rc.packets;
}

void nfl_close(struct nfl_source *s)
{
	char buf[8192];

	if (!s || !s->nl)
		return;
	{
		struct nlmsghdr *nlh = nflog_nlmsg_put_header(buf, NFULNL_MSG_CONFIG, AF_UNSPEC,
							       s->group);

		nflog_attr_put_cfg_cmd(nlh, NFULNL_CFG_CMD_UNBIND);
		(void)mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len);
	}
	mnl_socket_close(s->nl);
	s->nl = NULL;
	s->fd = -1;
	free(s->buf);
	s->buf = NULL;
}

/* The source interface: an nfl_source and its counters at the previous stats call. */
struct nfl_impl {
	struct nfl_source ns;
	uint64_t last_messages, last_enobufs, last_gaps;
};

struct nfl_batch {
	struct source *s;
	source_record_fn fn;
	void *arg;
	int stop;
};

static void on_nfl_packet(void *arg, const struct pkt_record *rec, const uint8_t *payload,
			  uint32_t len)
{
	struct nfl_batch *b = arg;

	if (b->fn(b->arg, b->s, rec, payload, len))
		b->stop = 1;
}

static int nfl_src_read(struct source *s, source_record_fn fn, void *arg)
{
	struct nfl_impl *im = s->impl;
	struct nfl_batch b = { s, fn, arg, 0 };
	int rounds = 0, got, total = 0;

	if (!im)
		return -1;
	/* drain what is waiting, a bounded number of datagrams per turn */
	while (rounds++ < s->batch && !b.stop && (got = nfl_read(&im->ns, on_nfl_packet, &b)) != 0) {
		if (got < 0) {
			snprintf(s->err, sizeof(s->err), "NFLOG group %u: %s", im->ns.group,
				 strerror(errno));
			return -1;
		}
		total += got;
	}
	return total;
}

static int nfl_src_stats(struct source *s, struct source_stats *d)
{
	struct nfl_impl *im = s->impl;

	memset(d, 0, sizeof(*d));
	if (!im)
		return -1;
	d->nflog_messages = im->ns.messages - im->last_messages;
	d->nflog_enobufs = im->ns.enobufs - im->last_enobufs;
	d->nflog_seq_gaps = im->ns.seq_gaps - im->last_gaps;
	im->last_messages = im->ns.messages;
	im->last_enobufs = im->ns.enobufs;
	im->last_gaps = im->ns.seq_gaps;
	return 0;
}

static void nfl_src_close(struct source *s)
{
	struct nfl_impl *im = s->impl;

	if (im)
		nfl_close(&im->ns);
	free(im);
	s->impl = NULL;
	s->fd = -1;
}

static const struct source_ops nfl_ops = { nfl_src_read, nfl_src_stats, nfl_src_close };

int nfl_source_open(struct source *s, uint16_t group, const struct nfl_opts *o, char *err,
		    size_t errlen)
{
	struct nfl_impl *im = calloc(1, sizeof(*im));

	memset(s, 0, sizeof(*s));
	if (!im) {
		snprintf(err, errlen, "NFLOG group %u: out of memory", group);
		return -1;
	}
	if (nfl_open(&im->ns, group, o, err, errlen) < 0) {
		free(im);
		return -1;
	}
	s->ops = &nfl_ops;
	s->impl = im;
	s->fd = im->ns.fd;
	s->batch = 256;
	s->linktype = 239;	/* DLT_NFLOG; each record is its bare IP payload (DLT_RAW) */
	s->kind = "nflog";
	snprintf(s->name, sizeof(s->name), "nflog:%u", group);
	return 0;
}
