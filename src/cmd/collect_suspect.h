/* This file declares collect's suspect_src options: the hop-count check's tolerance and
 * the flood signature's thresholds (flows/hopcount.h, flows/flood.h). */
#ifndef SPOOFAUDIT_COLLECT_SUSPECT_H
#define SPOOFAUDIT_COLLECT_SUSPECT_H

#include "collect/collector.h"

enum suspect_opt {
	SUSPECT_HOP_TOLERANCE = 0,	/* --hop-tolerance N|off */
	SUSPECT_FLOOD_WINDOW,		/* --flood-window S */
	SUSPECT_FLOOD_SOURCES,		/* --flood-sources N|off */
	SUSPECT_FLOOD_BAND,		/* --flood-band N */
	SUSPECT_FLOOD_BAND_PCT,		/* --flood-band-pct P */
	SUSPECT_NOPTS
};

/* Takes option `which` with value arg into *o. Returns 0, or 2 after printing why arg is
 * bad. */
int collect_suspect_opt(struct collector_opts *o, enum suspect_opt which, const char *arg);

#endif
