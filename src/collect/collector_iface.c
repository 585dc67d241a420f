/* This file contains the collector engine: its interfaces and sources, and how a record
 * that names no fixed interface (a frame from a file, an NFLOG packet) finds its own. */
#include "collect/collector.h"

#include <stdio.h>
#include <string.h>
#include <net/if.h>

#include "collect/collector_int.h"

#define ARPHRD_LOOPBACK_ 772

int collector_iface_find(const struct collector *c, const char *name)
{
	unsigned i;

	for (i = 0; i < c->n_ifaces; i++)
		if (!strcmp(c->ifaces[i].info.name, name))
			return (int)i;
	return -1;
}

int collector_iface_add(struct collector *c, const struct iface_info *info, const char *origin)
{
	struct collector_iface *ci;
	unsigned i;
	int idx = collector_iface_find(c, info->name);

	if (idx >= 0)
		return idx;
	if (c->n_ifaces >= COLLECTOR_MAX_IFACES)
		return -1;
	ci = &c->ifaces[c->n_ifaces];
	ci->info = *info;
	ci->role_origin = origin;
	for (i = 0; i < c->n_roles; i++) {
		if (!strcmp(c->roles[i].name, info->name)) {
			int ifindex = ci->info.ifindex;

			ci->info = c->roles[i].info;
			ci->info.ifindex = ifindex;
			ci->role_origin = "option";
		}
	}
	ci->info.rpf = c->rpf_default;
	for (i = 0; i < c->n_rpf; i++)
		if (!strcmp(c->rpf[i].name, info->name))
			ci->info.rpf = c->rpf[i].mode;
	if (store_iface_add(c->st, c->run_id, &ci->info, ci->role_origin) < 0)
		snprintf(c->err, sizeof(c->err), "%s", store_errmsg(c->st));
	c->ifnames[c->n_ifaces] = ci->info.name;
	return (int)c->n_ifaces++;
}

int collector_source_add(struct collector *c, const char *kind, const char *name,
			 int fixed_iface, const char *file_ifname, int linktype)
{
	struct collector_source *s;
	const char *ifname = fixed_iface >= 0 ? c->ifaces[fixed_iface].info.name : file_ifname;

	if (c->n_sources >= COLLECTOR_MAX_SOURCES)
		return -1;
	s = &c->sources[c->n_sources];
	memset(s, 0, sizeof(*s));
	s->id = store_source_add(c->st, c->run_id, kind, name, ifname, linktype);
	if (s->id < 0) {
		snprintf(c->err, sizeof(c->err), "%s", store_errmsg(c->st));
		return -1;
	}
	s->fixed_iface = fixed_iface;
	snprintf(s->file_ifname, sizeof(s->file_ifname), "%s", file_ifname ? file_ifname : "");
	return (int)c->n_sources++;
}

/* The interface a source resolved for (kind, num) before, or -1 (see collector.h). */
static int memo_get(const struct collector_source *s, unsigned kind, uint32_t num)
{
	const struct collector_iface_memo *m = &s->memo[(kind + num) & (COLLECTOR_IFACE_MEMO - 1)];

	return m->key == ((uint64_t)kind << 32 | num) ? m->idx : -1;
}

static int memo_put(struct collector_source *s, unsigned kind, uint32_t num, int idx)
{
	struct collector_iface_memo *m = &s->memo[(kind + num) & (COLLECTOR_IFACE_MEMO - 1)];

	if (idx >= 0) {
		m->key = (uint64_t)kind << 32 | num;
		m->idx = idx;
	}
	return idx;
}

enum { MEMO_DEFAULT = 1, MEMO_LO, MEMO_IFINDEX, MEMO_NFLOG };

/* Interface of a frame from a file: SLL2 ifindex, a loopback hardware type, NFLOG
 * in/out device, else the file's default name. Creates it with a default role. The
 * name is built and looked up once per source and kind; later frames hit the memo. */
int collector_file_iface(struct collector *c, struct collector_source *s, int linktype,
			  const struct pkt_record *r)
{
	struct iface_info info;
	char name[IF_NAMESIZE];
	int loop = linktype == 0 || linktype == 108 ||
		   ((r->have & PKT_HAVE_HATYPE) && r->sll_hatype == ARPHRD_LOOPBACK_);
	unsigned kind = MEMO_IFINDEX;
	uint32_t num = 0;
	int idx;

	if (loop && (r->have & PKT_HAVE_HATYPE))
		kind = MEMO_LO;
	else if (r->have & PKT_HAVE_IFINDEX)
		num = r->ifindex;
	else if ((r->have & PKT_HAVE_NFLOG) && (r->nflog.have & NFL_HAVE_INDEV))
		num = r->nflog.indev;
	else if ((r->have & PKT_HAVE_NFLOG) && (r->nflog.have & NFL_HAVE_OUTDEV))
		num = r->nflog.outdev;
	else
		kind = MEMO_DEFAULT;
	idx = memo_get(s, kind, num);
	if (idx >= 0)
		return idx;
	if (kind == MEMO_LO)
		snprintf(name, sizeof(name), "lo");
	else if (kind == MEMO_IFINDEX)
		snprintf(name, sizeof(name), "if%u", num);
	else
		snprintf(name, sizeof(name), "%s", s->file_ifname);
	idx = collector_iface_find(c, name);
	if (idx >= 0)
		return memo_put(s, kind, num, idx);
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", name);
	info.role = loop ? ROLE_LOOPBACK : ROLE_EXTERNAL;
	return memo_put(s, kind, num, collector_iface_add(c, &info, "file-default"));
}

/* True when a pcap handle captures interface ifidx in direction dir: then pcap counts
 * the packet and NFLOG only notes it. */
int collector_pcap_covers(const struct collector *c, int ifidx, uint8_t dir)
{
	unsigned i;

	for (i = 0; i < c->n_sources; i++)
		if (c->sources[i].fixed_iface == ifidx && !c->sources[i].is_nflog &&
		    (c->sources[i].fixed_dir == dir || c->ifaces[ifidx].info.role == ROLE_LOOPBACK))
			return 1;
	return 0;
}

/* The interface of an NFLOG packet: the in-device for packets on their way in, the
 * out-device for packets on their way out, by ifindex; created (role external) when the
 * collector did not know it. Resolved once per source and ifindex (the memo). */
int collector_nflog_iface(struct collector *c, struct collector_source *s,
			   const struct pkt_record *r)
{
	const struct pkt_nflog *nf = &r->nflog;
	uint32_t ifindex = 0;
	char name[IF_NAMESIZE];
	struct iface_info info;
	unsigned i;
	int idx;

	if (r->dir == DIR_OUT && (nf->have & NFL_HAVE_OUTDEV))
		ifindex = nf->outdev;
	else if (nf->have & NFL_HAVE_INDEV)
		ifindex = nf->indev;
	else if (nf->have & NFL_HAVE_OUTDEV)
		ifindex = nf->outdev;
	idx = memo_get(s, MEMO_NFLOG, ifindex);
	if (idx >= 0)
		return idx;
	for (i = 0; i < c->n_ifaces; i++)
		if (ifindex && c->ifaces[i].info.ifindex == (int)ifindex)
			return memo_put(s, MEMO_NFLOG, ifindex, (int)i);
	if (!ifindex || !if_indextoname(ifindex, name))
		snprintf(name, sizeof(name), "if%u", ifindex);
	idx = collector_iface_find(c, name);
	if (idx >= 0)
		return memo_put(s, MEMO_NFLOG, ifindex, idx);
	memset(&info, 0, sizeof(info));
	snprintf(info.name, sizeof(info.name), "%s", name);
	info.ifindex = (int)ifindex;
	info.role = !strcmp(name, "lo") ? ROLE_LOOPBACK : ROLE_EXTERNAL;
	return memo_put(s, MEMO_NFLOG, ifindex, collector_iface_add(c, &info, "nflog-default"));
}
