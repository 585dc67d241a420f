/* This file keeps the checker's flow set: stored flows compacted as they are read (their
 * names interned), and the sets of several readers joined in row id order, either by
 * copying (check_flows_append) or, when the readers filled windows of one array, in
 * place (check_flows_window, check_flows_join). */
#include "policy/check.h"
#include "common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint16_t intern(char (**names)[32], size_t *n, const char *s)
{
	size_t i;
	void *p;

	for (i = 0; i < *n; i++)
		if (!strcmp((*names)[i], s))
			return (uint16_t)i;
	if (*n >= 65535)
		return 65535;
	if ((*n & (*n - 1)) == 0 || *n == 0) {	/* grow at powers of two */
		p = realloc(*names, (*n ? *n * 2 : 4) * sizeof(**names));
		if (!p)
			return 65535;
		*names = p;
	}
	snprintf((*names)[*n], 32, "%s", s);
	return (uint16_t)(*n)++;
}

/* intern(), the previous row's index (*memo: index + 1, 0 none) tried first */
static uint16_t memo_intern(char (**names)[32], size_t *n, uint32_t *memo, const char *s)
{
	uint16_t i;

	if (*memo && !strcmp((*names)[*memo - 1], s))
		return (uint16_t)(*memo - 1);
	i = intern(names, n, s);
	*memo = i == 65535 ? 0 : (uint32_t)i + 1;
	return i;
}

int check_flows_add(struct check_flows *fs, const struct store_flow *sf)
{
	struct check_flow *f;
	unsigned c;

	if (fs->window && fs->n == fs->cap && check_flows_unwindow(fs) < 0)
		return -1;
	if (util_grow((void **)&fs->v, &fs->cap, fs->n, sizeof(*fs->v)) < 0)
		return -1;
	f = &fs->v[fs->n];
	memset(f, 0, sizeof(*f));
	f->id = sf->id;
	f->family = (uint8_t)(sf->family == 6 ? 6 : 4);
	f->proto = (uint8_t)sf->proto;
	if (f->family == 4)
		memcpy(f->src, sf->src + 12, 4), memcpy(f->dst, sf->dst + 12, 4);
	else
		memcpy(f->src, sf->src, 16), memcpy(f->dst, sf->dst, 16);
	f->sport = (uint16_t)sf->sport;
	f->dport = (uint16_t)sf->dport;
	/* rows come in runs of the same names: the previous row's are tried first */
	c = fs->memo_cls - 1;
	if (!fs->memo_cls || strcmp(classify_class_name((enum spoof_class)c), sf->cls)) {
		for (c = 0; c < CLS_COUNT; c++)
			if (!strcmp(classify_class_name((enum spoof_class)c), sf->cls))
				break;
		fs->memo_cls = c < CLS_COUNT ? c + 1 : 0;
	}
	f->cls = (uint16_t)c;
	f->spoof = (uint8_t)(c < CLS_COUNT && classify_is_spoof((enum spoof_class)c));
	f->loopback = c == CLS_LOOPBACK_FLOW;
	f->iface = memo_intern(&fs->ifnames, &fs->nifnames, &fs->memo_iface, sf->iface);
	f->subclass = memo_intern(&fs->subclasses, &fs->nsubclasses, &fs->memo_sub,
				  sf->subclass);
	if (f->iface == 65535 || f->subclass == 65535) {
		errno = ENOMEM;
		return -1;
	}
	f->dir = sf->dir[0] == 'i' && !strcmp(sf->dir, "in") ? 1 :
		 sf->dir[0] == 'o' && !strcmp(sf->dir, "out") ? 2 : 0;
	f->packets = sf->packets;
	f->bytes = sf->bytes;
	f->first_usec = sf->first_usec;
	f->last_usec = sf->last_usec > sf->first_usec ? sf->last_usec : sf->first_usec;
	f->flags_seen = (uint8_t)sf->tcp_flags;
	if (sf->ttl_known) {	/* store_flows_next() checked ttl_min <= ttl_max <= 255 */
		f->ttl_known = 1;
		f->ttl_min = (uint8_t)sf->ttl_min;
		f->ttl_max = (uint8_t)sf->ttl_max;
	}
	if (sf->pre_known) {	/* store_flows_next() checked pre_reply <= counted <= packets */
		f->pre_known = 1;
		f->pk_pre = sf->pre_reply;
		f->pk_unplaced = sf->packets - sf->counted;
	}
	fs->n++;
	return 0;
}

/* Maps src's interned names to dst's (added there): *ifmap, *submap. -1 ENOMEM. */
static int name_maps(struct check_flows *dst, const struct check_flows *src, uint16_t **ifmap,
		     uint16_t **submap)
{
	size_t i;

	*ifmap = calloc(src->nifnames + 1, sizeof(**ifmap));
	*submap = calloc(src->nsubclasses + 1, sizeof(**submap));
	if (!*ifmap || !*submap)
		return -1;
	for (i = 0; i < src->nifnames; i++)
		if (((*ifmap)[i] = intern(&dst->ifnames, &dst->nifnames, src->ifnames[i])) == 65535)
			return -1;
	for (i = 0; i < src->nsubclasses; i++)
		if (((*submap)[i] = intern(&dst->subclasses, &dst->nsubclasses,
					   src->subclasses[i])) == 65535)
			return -1;
	return 0;
}

/* Copies (or moves: the ranges may overlap) src's n flows to dst, renumbered. */
static void flows_move(struct check_flow *dst, const struct check_flow *src, size_t n,
		       const struct check_flows *from, const uint16_t *ifmap,
		       const uint16_t *submap)
{
	size_t i;

	if (dst != src)
		memmove(dst, src, n * sizeof(*dst));
	for (i = 0; i < n; i++) {
		struct check_flow *f = &dst[i];

		f->iface = f->iface < from->nifnames ? ifmap[f->iface] : f->iface;
		f->subclass = f->subclass < from->nsubclasses ? submap[f->subclass] : f->subclass;
	}
}

/* Whether the maps leave every name's index as it is. */
static int maps_identity(const struct check_flows *src, const uint16_t *ifmap,
			 const uint16_t *submap)
{
	size_t i;

	for (i = 0; i < src->nifnames; i++)
		if (ifmap[i] != i)
			return 0;
	for (i = 0; i < src->nsubclasses; i++)
		if (submap[i] != i)
			return 0;
	return 1;
}

int check_flows_append(struct check_flows *dst, struct check_flows *src)
{
	uint16_t *ifmap = NULL, *submap = NULL;
	int ret = -1;

	if (src->n == 0)
		goto done;
	if (dst->n == 0 && !dst->nifnames && !dst->nsubclasses && !src->window) {
		check_flows_free(dst);	/* the first: moved */
		*dst = *src;
		memset(src, 0, sizeof(*src));
		return 0;
	}
	if (src->n > SIZE_MAX / sizeof(*dst->v) - dst->n || name_maps(dst, src, &ifmap, &submap) < 0)
		goto nomem;
	if (dst->cap - dst->n < src->n) {
		void *p = realloc(dst->v, (dst->n + src->n) * sizeof(*dst->v));

		if (!p)
			goto nomem;
		dst->v = p;
		dst->cap = dst->n + src->n;
	}
	flows_move(&dst->v[dst->n], src->v, src->n, src, ifmap, submap);
	dst->n += src->n;
done:
	check_flows_free(src);
	ret = 0;
	goto out;
nomem:
	errno = ENOMEM;
out:
	free(ifmap);
	free(submap);
	return ret;
}

void check_flows_window(struct check_flows *w, struct check_flows *dst, size_t at, size_t n)
{
	memset(w, 0, sizeof(*w));
	w->v = dst->v + at;
	w->cap = n;
	w->window = 1;
}

int check_flows_unwindow(struct check_flows *w)
{
	struct check_flow *v;

	if (!w->window)
		return 0;
	v = malloc((w->cap ? w->cap * 2 : 16) * sizeof(*v));
	if (!v) {
		errno = ENOMEM;
		return -1;
	}
	if (w->n)
		memcpy(v, w->v, w->n * sizeof(*v));
	w->v = v;
	w->cap = w->cap ? w->cap * 2 : 16;
	w->window = 0;
	return 0;
}

int check_flows_join(struct check_flows *dst, struct check_flows *w)
{
	uint16_t *ifmap = NULL, *submap = NULL;
	int ret = -1;

	if (!dst->n && !dst->nifnames && !dst->nsubclasses) {	/* the first: names moved */
		dst->ifnames = w->ifnames;
		dst->nifnames = w->nifnames;
		dst->subclasses = w->subclasses;
		dst->nsubclasses = w->nsubclasses;
		w->ifnames = NULL;
		w->subclasses = NULL;
		w->nifnames = w->nsubclasses = 0;
		if (w->v != dst->v)
			memmove(dst->v, w->v, w->n * sizeof(*w->v));
		dst->n = w->n;
		goto done;
	}
	if (name_maps(dst, w, &ifmap, &submap) < 0) {
		errno = ENOMEM;
		goto out;
	}
	if (maps_identity(w, ifmap, submap)) {	/* the usual case: nothing to renumber */
		if (w->v != dst->v + dst->n)
			memmove(dst->v + dst->n, w->v, w->n * sizeof(*w->v));
	} else {
		flows_move(dst->v + dst->n, w->v, w->n, w, ifmap, submap);
	}
	dst->n += w->n;
done:
	w->v = NULL;
	check_flows_free(w);
	ret = 0;
out:
	free(ifmap);
	free(submap);
	return ret;
}

void check_flows_free(struct check_flows *fs)
{
	if (!fs->window)
		free(fs->v);
	free(fs->ifnames);
	free(fs->subclasses);
	memset(fs, 0, sizeof(*fs));
}
