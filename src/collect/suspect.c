/* This file hands the suspect_src class's state to the store at a flush: the hop counts
 * learned since the last one and the flood episodes that ended. */
#include "collect/collector.h"

#include <stdio.h>
#include <stdlib.h>

#include "collect/collector_int.h"

#define HOPS_PER_FLUSH 16384	/* changed prefixes written per flush at most */

int collector_take_suspect(struct collector *c, struct hop_row **hops, size_t *n_hops,
			   struct flood_episode **floods, size_t *n_floods)
{
	struct hop_row *h = NULL;
	struct flood_episode *f = NULL;

	*hops = NULL;
	*floods = NULL;
	*n_hops = *n_floods = 0;
	if (c->hop && !(h = malloc(HOPS_PER_FLUSH * sizeof(*h))))
		return -1;
	if (c->flood && !(f = malloc(FLOOD_PENDING * sizeof(*f)))) {
		free(h);
		return -1;
	}
	if (h)
		*n_hops = hoptab_take_changed(c->hop, h, HOPS_PER_FLUSH);
	if (f)
		*n_floods = flood_take_ended(c->flood, c->ending ? UINT64_MAX : c->last_ts_usec,
					     f, FLOOD_PENDING);
	if (!*n_hops) {
		free(h);
		h = NULL;
	}
	if (!*n_floods) {
		free(f);
		f = NULL;
	}
	*hops = h;
	*floods = f;
	return 0;
}

int collector_write_suspect(struct collector *c)
{
	struct hop_row *h;
	struct flood_episode *f;
	size_t nh, nf;
	int ret = -1;

	if (collector_take_suspect(c, &h, &nh, &f, &nf) < 0) {
		snprintf(c->err, sizeof(c->err), "writing hop counts: out of memory");
		return -1;
	}
	if (!nh && !nf)
		return 0;
	if (store_begin(c->st) < 0)
		goto fail;
	if (store_hop_merge(c->st, h, nh) < 0 || store_flood_add(c->st, c->run_id, f, nf) < 0 ||
	    store_commit(c->st) < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	snprintf(c->err, sizeof(c->err), "%s", store_errmsg(c->st));
	store_rollback(c->st);
out:
	free(h);
	free(f);
	return ret;
}
