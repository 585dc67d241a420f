/* This file parses collect's suspect_src options. */
#include "cmd/collect_suspect.h"

#include <stdio.h>
#include <string.h>

#include "common/util.h"

static const struct {
	const char *name;
	uint64_t lo, hi;
	int off_ok;		/* "off" turns the check off */
} opts[SUSPECT_NOPTS] = {
	[SUSPECT_HOP_TOLERANCE] = { "hop-tolerance", 0, 64, 1 },
	[SUSPECT_FLOOD_WINDOW] = { "flood-window", 1, 3600, 0 },
	[SUSPECT_FLOOD_SOURCES] = { "flood-sources", 2, 10000000, 1 },
	[SUSPECT_FLOOD_BAND] = { "flood-band", 1, 64, 0 },
	[SUSPECT_FLOOD_BAND_PCT] = { "flood-band-pct", 1, 100, 0 },
};

int collect_suspect_opt(struct collector_opts *o, enum suspect_opt which, const char *arg)
{
	uint64_t v = 0;
	int off;

	if ((unsigned)which >= SUSPECT_NOPTS)
		return 2;
	off = opts[which].off_ok && !strcmp(arg, "off");
	if (!off && util_parse_u64(arg, opts[which].lo, opts[which].hi, &v) < 0) {
		fprintf(stderr, "spoofaudit collect: %s is not %llu..%llu%s: `%s'\n"
			"(see 'spoofaudit collect --help')\n", opts[which].name,
			(unsigned long long)opts[which].lo, (unsigned long long)opts[which].hi,
			opts[which].off_ok ? " or off" : "", arg);
		return 2;
	}
	switch (which) {
	case SUSPECT_HOP_TOLERANCE:
		o->hop.off = off;
		o->hop.tolerance = (unsigned)v;
		break;
	case SUSPECT_FLOOD_WINDOW:
		o->flood.window_s = (uint32_t)v;
		break;
	case SUSPECT_FLOOD_SOURCES:
		o->flood.off = off;
		o->flood.min_sources = (uint32_t)v;
		break;
	case SUSPECT_FLOOD_BAND:
		o->flood.band = (unsigned)v;
		break;
	default:
		o->flood.band_pct = (unsigned)v;
		break;
	}
	return 0;
}
