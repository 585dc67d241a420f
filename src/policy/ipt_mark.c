/* This file holds the evaluator's MARK and CONNMARK target arithmetic on a world's
 * partly known packet mark and conntrack mark (ipt_eval.c applies it). */
#include "policy/ipt_int.h"

/* known-bit arithmetic for MARK / CONNMARK */
static void xset(uint32_t *val, uint32_t *known, uint32_t value, uint32_t mask)
{
	*val = (*val & ~mask) ^ value;
	*known |= mask;
}

void ipt_apply_marks(const struct ipt_rule *r, struct ipt_world *w)
{
	uint32_t nv, nk;

	if (r->tkind == IPT_T_MARK || (r->tkind == IPT_T_CONNMARK && r->markop == IPT_MARK_XSET)) {
		if (r->tkind == IPT_T_MARK)
			xset(&w->mark, &w->mark_known, r->mark_value, r->mark_mask);
		else
			xset(&w->ctmark, &w->ctmark_known, r->mark_value, r->mark_mask);
	} else if (r->markop == IPT_MARK_SAVE) {
		nv = (w->ctmark & ~r->ctmask) ^ (w->mark & r->nfmask);
		nk = (w->ctmark_known | r->ctmask) & (w->mark_known | ~r->nfmask);
		w->ctmark = nv;
		w->ctmark_known = nk;
	} else if (r->markop == IPT_MARK_RESTORE) {
		nv = (w->mark & ~r->nfmask) ^ (w->ctmark & r->ctmask);
		nk = (w->mark_known | r->nfmask) & (w->ctmark_known | ~r->ctmask);
		w->mark = nv;
		w->mark_known = nk;
	}
}

/* A MARK-like target on a rule that may or may not match: bits that differ between the
 * two outcomes, or are unknown in either, become unknown. */
void ipt_apply_marks_maybe(const struct ipt_rule *r, struct ipt_world *w)
{
	struct ipt_world after = *w;

	ipt_apply_marks(r, &after);
	w->mark_known &= after.mark_known & ~(w->mark ^ after.mark);
	w->ctmark_known &= after.ctmark_known & ~(w->ctmark ^ after.ctmark);
}
