/* This file holds the conntrack state the kernel gives the first packet of a TCP
 * connection it has no entry for (net/netfilter/nf_conntrack_proto_tcp.c). */
#include "policy/ipt.h"

/* tcp_valid_flags[] of nf_conntrack_proto_tcp.c, over the flags SYN, ACK, RST, FIN and
 * URG (tcp_error() masks ECE, CWR and PSH before the lookup). */
static int valid_flags(unsigned f)
{
	switch (f) {
	case IPT_TCP_SYN:
	case IPT_TCP_SYN | IPT_TCP_URG:
	case IPT_TCP_SYN | IPT_TCP_ACK:
	case IPT_TCP_RST:
	case IPT_TCP_RST | IPT_TCP_ACK:
	case IPT_TCP_FIN | IPT_TCP_ACK:
	case IPT_TCP_FIN | IPT_TCP_ACK | IPT_TCP_URG:
	case IPT_TCP_ACK:
	case IPT_TCP_ACK | IPT_TCP_URG:
		return 1;
	default:
		return 0;
	}
}

enum ipt_ctstate ipt_ct_tcp_first(unsigned flags)
{
	unsigned f = flags & (IPT_TCP_SYN | IPT_TCP_ACK | IPT_TCP_RST | IPT_TCP_FIN | IPT_TCP_URG);

	if (!valid_flags(f))
		return IPT_CT_INVALID;	/* tcp_error: "invalid tcp flag combination" */
	/* tcp_new(): tcp_conntracks[0][get_conntrack_index(th)][TCP_CONNTRACK_NONE]. The index
	 * is RST if set, else SYNACK/SYN, else FIN, else ACK; the sNO column holds sSS for
	 * SYN, sES for ACK (kept only with nf_conntrack_tcp_loose, on by default) and sIV
	 * for SYNACK, FIN and RST. */
	if (f & IPT_TCP_RST)
		return IPT_CT_INVALID;
	if (f & IPT_TCP_SYN)
		return f & IPT_TCP_ACK ? IPT_CT_INVALID : IPT_CT_NEW;
	if (f & IPT_TCP_FIN)
		return IPT_CT_INVALID;
	return IPT_CT_NEW;	/* ACK (with URG): picked up mid-stream */
}
