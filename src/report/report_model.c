/* This file defines the report's tables (their columns, in the order every format shows
 * them) and the small helpers the model and the writers share: cells, notes, number and
 * sparkline formatting, and finding embedded reports/ files. */
#include "report/report.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/embedded.h"

const char *const report_spoof_classes[REPORT_NSPOOF] = {
	"spoof_loopback_src", "loopback_dst", "own_addr_src", "bogon_src", "unexpected_src",
	"rpf_fail", "suspect_src",
};

int report_spoof_class_index(const char *cls)
{
	for (int c = 0; c < REPORT_NSPOOF; c++)
		if (!strcmp(cls, report_spoof_classes[c]))
			return c;
	return -1;
}

#define H { "host", "host", RC_HOST, 0 }

static const struct rcol c_runs[] = {
	H, { "run", "run", RC_INT, 4 }, { "run_host", "run host", RC_TEXT, 0 },
	{ "started", "started", RC_TIME, 11 }, { "ended", "ended", RC_TIME, 11 },
	{ "last_stats", "last stats", RC_TIME, 0 }, { "version", "version", RC_TEXT, 7 },
	{ "bucket_seconds", "bucket", RC_INT, 0 }, { "cmdline", "command", RC_TEXT, 37 },
};
static const struct rcol c_sources[] = {
	H, { "run", "run", RC_INT, 0 }, { "kind", "kind", RC_TEXT, 9 },
	{ "name", "source", RC_TEXT, 10 }, { "iface", "iface", RC_TEXT, 0 },
	{ "seconds", "secs", RC_INT, 5 }, { "received", "received", RC_INT, 9 },
	{ "kernel_drops", "kdrop", RC_INT, 6 }, { "iface_drops", "ifdrop", RC_INT, 6 },
	{ "nflog_received", "nflog", RC_INT, 0 }, { "nflog_enobufs", "enobuf", RC_INT, 6 },
	{ "nflog_seq_gaps", "gaps", RC_INT, 5 }, { "flow_evictions", "evict", RC_INT, 0 },
	{ "db_write_failures", "dbfail", RC_INT, 6 }, { "decoded_ip", "ip", RC_INT, 0 },
	{ "not_ip", "not ip", RC_INT, 0 }, { "unsupported", "unsupported", RC_INT, 0 },
	{ "malformed", "malformed", RC_INT, 0 },
};
static const struct rcol c_ifaces[] = {
	H, { "iface", "interface", RC_TEXT, 12 }, { "role", "role", RC_TEXT, 9 },
	{ "role_origin", "role from", RC_TEXT, 12 }, { "prefixes", "prefixes", RC_TEXT, 39 },
};
static const struct rcol c_decode[] = {
	H, { "reason", "decode problem", RC_TEXT, 30 }, { "count", "packets", RC_INT, 12 },
};
static const struct rcol c_kernel[] = {
	H, { "scope", "scope", RC_TEXT, 16 }, { "rp_filter", "rp_filter", RC_TEXT, 9 },
	{ "route_localnet", "route_localnet", RC_TEXT, 14 },
	{ "accept_local", "accept_local", RC_TEXT, 12 },
	{ "log_martians", "log_martians", RC_TEXT, 12 },
	{ "other", "other settings", RC_TEXT, 0 },	/* last: keys without a column */
};
static const struct rcol c_totals_class[] = {
	H, { "class", "class", RC_TEXT, 18 }, { "packets", "packets", RC_INT, 12 },
	{ "bytes", "bytes", RC_BYTES, 7 }, { "flows", "flows", RC_INT, 10 },
	{ "prev_packets", "prev pkts", RC_INT, 12 }, { "prev_bytes", "prev bytes", RC_BYTES, 0 },
	{ "prev_flows", "prev flows", RC_INT, 0 }, { "change", "change", RC_TEXT, 8 },
	{ "label", "meaning", RC_TEXT, 0 },
};
static const struct rcol c_totals_iface[] = {
	H, { "iface", "interface", RC_TEXT, 12 }, { "role", "role", RC_TEXT, 8 },
	{ "packets", "packets", RC_INT, 11 }, { "bytes", "bytes", RC_BYTES, 7 },
	{ "flows", "flows", RC_INT, 8 }, { "spoofed_packets", "spoofed", RC_INT, 10 },
	{ "loopback_packets", "loopback", RC_INT, 10 },
};
static const struct rcol c_totals[] = {
	H, { "class", "class", RC_TEXT, 18 }, { "subclass", "subclass", RC_TEXT, 20 },
	{ "iface", "iface", RC_TEXT, 10 }, { "packets", "packets", RC_INT, 10 },
	{ "bytes", "bytes", RC_BYTES, 0 }, { "flows", "flows", RC_INT, 0 },
	{ "prev_packets", "prev pkts", RC_INT, 0 }, { "prev_bytes", "prev bytes", RC_BYTES, 0 },
	{ "prev_flows", "prev flows", RC_INT, 0 }, { "change", "change", RC_TEXT, 7 },
};
static const struct rcol c_top_addr[] = {
	H, { "addr", "address", RC_TEXT, 33 }, { "class", "class", RC_TEXT, 18 },
	{ "classes", "classes", RC_TEXT, 0 }, { "packets", "packets", RC_INT, 10 },
	{ "bytes", "bytes", RC_BYTES, 0 }, { "flows", "flows", RC_INT, 0 },
	{ "first_seen", "first seen", RC_TIME, 11 }, { "last_seen", "last seen", RC_TIME, 0 },
	{ "ifaces", "interfaces", RC_TEXT, 0 },
};
static const struct rcol c_top_ports[] = {
	H, { "proto", "proto#", RC_INT, 0 }, { "proto_name", "proto", RC_TEXT, 7 },
	{ "port", "port#", RC_INT, 0 }, { "service", "port", RC_TEXT, 9 },
	{ "packets", "packets", RC_INT, 10 }, { "bytes", "bytes", RC_BYTES, 0 },
	{ "flows", "flows", RC_INT, 7 }, { "sources", "sources", RC_INT, 7 },
	{ "classes", "classes", RC_TEXT, 28 },
};
static const struct rcol c_new[] = {
	H, { "addr", "address", RC_TEXT, 33 }, { "class", "class", RC_TEXT, 18 },
	{ "classes", "classes", RC_TEXT, 0 }, { "packets", "packets", RC_INT, 10 },
	{ "bytes", "bytes", RC_BYTES, 0 }, { "flows", "flows", RC_INT, 0 },
	{ "first_seen", "first seen", RC_TIME, 11 }, { "last_seen", "last seen", RC_TIME, 0 },
};
static const struct rcol c_ttl[] = {
	H, { "class", "class", RC_TEXT, 18 }, { "ttl", "TTL", RC_TEXT, 7 },
	{ "ttl_min", "min", RC_INT, 0 }, { "ttl_max", "max", RC_INT, 0 },
	{ "packets", "packets", RC_INT, 11 }, { "flows", "flows", RC_INT, 8 },
	{ "share", "share", RC_TEXT, 6 },
};
static const struct rcol c_nflog[] = {
	H, { "prefix", "prefix", RC_TEXT, 24 }, { "group", "group", RC_INT, 5 },
	{ "hook", "hook#", RC_INT, 0 }, { "hook_name", "hook", RC_TEXT, 11 },
	{ "class", "class", RC_TEXT, 18 }, { "packets", "packets", RC_INT, 11 },
	{ "bytes", "bytes", RC_BYTES, 0 }, { "flows", "flows", RC_INT, 0 },
};
static const struct rcol c_unlogged[] = {
	H, { "class", "class", RC_TEXT, 18 }, { "iface", "iface", RC_TEXT, 12 },
	{ "packets", "packets", RC_INT, 11 }, { "flows", "flows", RC_INT, 8 },
};
static const struct rcol c_lo_services[] = {
	H, { "proto", "proto#", RC_INT, 0 }, { "proto_name", "proto", RC_TEXT, 7 },
	{ "port", "port#", RC_INT, 0 }, { "service", "port", RC_TEXT, 9 },
	{ "packets", "packets", RC_INT, 11 }, { "bytes", "bytes", RC_BYTES, 0 },
	{ "flows", "flows", RC_INT, 7 }, { "peers", "peers", RC_INT, 5 },
	{ "servers", "servers", RC_TEXT, 16 }, { "peer_addrs", "peer addresses", RC_TEXT, 0 },
	{ "uids", "uid", RC_TEXT, 10 }, { "first_seen", "first seen", RC_TIME, 0 },
	{ "last_seen", "last seen", RC_TIME, 0 },
};
static const struct rcol c_lo_nonlocal[] = {
	H, { "src", "source", RC_TEXT, 21 }, { "dst", "destination", RC_TEXT, 21 },
	{ "packets", "packets", RC_INT, 8 }, { "bytes", "bytes", RC_BYTES, 0 },
	{ "flows", "flows", RC_INT, 0 }, { "own_address", "own", RC_INT, 0 },
	{ "note", "note", RC_TEXT, 22 },
};

static const struct rcol c_policy[] = {
	H, { "id", "id", RC_INT, 5 }, { "kind", "violation", RC_TEXT, 17 },
	{ "strength", "evidence", RC_TEXT, 8 }, { "count", "times", RC_INT, 7 },
	{ "lines", "lines", RC_INT, 0 }, { "first_seen", "first seen", RC_TIME, 11 },
	{ "last_seen", "last seen", RC_TIME, 0 }, { "iface", "iface", RC_TEXT, 0 },
	{ "flow", "flow", RC_TEXT, 20 }, { "intended", "intended policy", RC_TEXT, 0 },
	{ "live", "live", RC_TEXT, 0 }, { "evidence", "evidence", RC_TEXT, 0 },
	{ "evidence_packets", "packets", RC_INT, 0 },
};

static const struct rcol c_flood[] = {
	H, { "start", "start", RC_TIME, 11 }, { "end", "end", RC_TIME, 0 },
	{ "destination", "destination", RC_TEXT, 15 }, { "proto", "proto", RC_TEXT, 0 },
	{ "port", "port", RC_TEXT, 5 }, { "packets", "openings", RC_INT, 8 },
	{ "flagged", "flagged", RC_INT, 7 }, { "sources", "sources", RC_INT, 7 },
	{ "ttl_band", "TTL band", RC_TEXT, 8 }, { "ttl_hist", "TTL histogram", RC_TEXT, 0 },
};

#define T(id, nm, ttl, sec, c, e) [id] = { nm, ttl, sec, c, sizeof(c) / sizeof(c[0]), 0, 0, NULL, e }
static const struct rtable templates[RT_COUNT] = {
	T(RT_RUNS, "runs", "Collector runs", SEC_HEADER, c_runs, "No collector run covers this period."),
	T(RT_SOURCES, "sources", "Capture sources", SEC_COMPLETENESS, c_sources, "No capture source ran in this period."),
	T(RT_IFACES, "interfaces", "Interfaces and roles", SEC_HEADER, c_ifaces, "No interface table recorded for this period."),
	T(RT_DECODE_ERRORS, "decode_errors", "Decode problems", SEC_COMPLETENESS, c_decode, "No decode problems."),
	T(RT_KERNEL, "kernel", "Kernel settings recorded at collection", SEC_KERNEL, c_kernel, "No kernel context recorded."),
	T(RT_TOTALS_CLASS, "totals_class", "Totals by class", SEC_TOTALS, c_totals_class, "No flows."),
	T(RT_TOTALS_IFACE, "totals_iface", "Totals by interface", SEC_TOTALS, c_totals_iface, "No flows."),
	T(RT_TOTALS, "totals", "Totals by class, subclass and interface", SEC_TOTALS, c_totals, "No flows."),
	T(RT_TOP_SOURCES, "top_sources", "Top spoofed sources", SEC_TOP, c_top_addr, "No spoofed packets."),
	T(RT_TOP_DESTINATIONS, "top_destinations", "Top destinations of spoofed packets", SEC_TOP, c_top_addr, "No spoofed packets."),
	T(RT_TOP_PORTS, "top_ports", "Top destination ports of spoofed packets", SEC_TOP, c_top_ports, "No spoofed packets."),
	T(RT_NEW_SOURCES, "new_sources", "Spoofed sources new in this period (not seen in the 7 days before)", SEC_TOP, c_new, "No new spoofed sources."),
	T(RT_TTL, "ttl", "TTL / hop limit of spoofed packets", SEC_TTL, c_ttl, "No spoofed packets."),
	T(RT_NFLOG, "nflog", "What each NFLOG rule logged", SEC_NFLOG, c_nflog, "No NFLOG rule logged anything in this period."),
	T(RT_NFLOG_UNLOGGED, "nflog_unlogged", "Spoofed packets pcap saw that no NFLOG rule logged", SEC_NFLOG, c_unlogged, "None."),
	T(RT_LOOPBACK_SERVICES, "loopback_services", "Services reached over loopback", SEC_LOOPBACK, c_lo_services, "No loopback traffic."),
	T(RT_LOOPBACK_NONLOCAL, "loopback_nonlocal", "Loopback traffic with non-loopback addresses", SEC_LOOPBACK, c_lo_nonlocal, "None."),
	T(RT_FLOOD, "flood_episodes", "Flood episodes (suspect_src/flood): many sources, one port, a narrow TTL band", SEC_TTL, c_flood, "No flood episode."),
	T(RT_POLICY, "policy", "Live policy violations (export --violation ID writes the evidence)", SEC_POLICY, c_policy, "None (or no collector ran with --policy)."),
};

static const char *const section_titles[SEC_COUNT] = {
	[SEC_HEADER] = "Host and period",
	[SEC_COMPLETENESS] = "Completeness",
	[SEC_KERNEL] = "Kernel context",
	[SEC_TOTALS] = "Totals",
	[SEC_TIMELINE] = "Spoofed packets per hour",
	[SEC_TOP] = "Top lists",
	[SEC_TTL] = "TTL distribution",
	[SEC_NFLOG] = "NFLOG",
	[SEC_LOOPBACK] = "Loopback inventory",
	[SEC_POLICY] = "Policy",
};

static const char *const section_keys[SEC_COUNT] = {
	[SEC_HEADER] = "header", [SEC_COMPLETENESS] = "completeness", [SEC_KERNEL] = "kernel",
	[SEC_TOTALS] = "totals", [SEC_TIMELINE] = "timeline", [SEC_TOP] = "top",
	[SEC_TTL] = "ttl", [SEC_NFLOG] = "nflog", [SEC_LOOPBACK] = "loopback",
	[SEC_POLICY] = "policy",
};

/* Human labels beside the stable class names (src/classify/classify.h). */
static const struct { const char *cls, *label; } class_labels[] = {
	{ "normal", "ordinary traffic" },
	{ "loopback_flow", "traffic on loopback" },
	{ "spoof_loopback_src", "forged loopback source" },
	{ "loopback_dst", "loopback destination" },
	{ "own_addr_src", "forged own-address source" },
	{ "bogon_src", "reserved (bogon) source" },
	{ "unexpected_src", "outside interface prefixes" },
	{ "rpf_fail", "no route back this way" },
	{ "backscatter", "replies we never asked for" },
	{ "suspect_src", "hop count / flood suspect" },
};

const char *report_class_label(const char *cls)
{
	for (size_t i = 0; i < sizeof(class_labels) / sizeof(class_labels[0]); i++)
		if (!strcmp(class_labels[i].cls, cls))
			return class_labels[i].label;
	return cls;
}

const char *report_fate_key(enum report_fate f)
{
	static const char *const k[FATE_COUNT] = {
		[FATE_ANSWERED] = "answered", [FATE_ACCEPTED] = "accepted",
		[FATE_PASSED] = "passed_kernel", [FATE_DROPPED] = "dropped_by_kernel",
		[FATE_UNKNOWN] = "unknown",
	};

	return f < FATE_COUNT ? k[f] : "unknown";
}

const char *report_fate_label(enum report_fate f)
{
	static const char *const n[FATE_COUNT] = {
		[FATE_ANSWERED] = "answered", [FATE_ACCEPTED] = "accepted by rules",
		[FATE_PASSED] = "passed the kernel", [FATE_DROPPED] = "dropped by kernel",
		[FATE_UNKNOWN] = "unknown",
	};

	return f < FATE_COUNT ? n[f] : "unknown";
}

const char *report_step_key(enum report_step_kind k)
{
	static const char *const n[] = {
		[STEP_KEEP] = "keep_sysctl", [STEP_SET] = "set_sysctl", [STEP_RULE] = "add_rule",
		[STEP_CHECK] = "check_ruleset", [STEP_REVIEW] = "review",
		[STEP_RECORD] = "read_settings",
	};

	return k <= STEP_RECORD ? n[k] : "";
}

const char *report_vstatus_key(enum report_vstatus s)
{
	static const char *const n[] = {
		[VS_EMPTY] = "no_packets", [VS_NONE] = "no_spoofed", [VS_DROPPED] = "all_dropped",
		[VS_THROUGH] = "got_through", [VS_UNKNOWN] = "unknown",
	};

	return s <= VS_UNKNOWN ? n[s] : "";
}

char *report_duration(int64_t secs, char *buf, size_t len)
{
	static const struct { int64_t unit, sub; const char *a, *b; } u[] = {
		{ 86400, 3600, "d", "h" }, { 3600, 60, "h", "min" }, { 60, 1, "min", "s" },
	};

	if (secs < 0)
		secs = 0;
	for (size_t i = 0; i < sizeof(u) / sizeof(u[0]); i++) {
		int64_t big = secs / u[i].unit, small = (secs % u[i].unit) / u[i].sub;

		if (!big)
			continue;
		if (small)
			snprintf(buf, len, "%lld %s %lld %s", (long long)big, u[i].a, (long long)small,
				 u[i].b);
		else
			snprintf(buf, len, "%lld %s", (long long)big, u[i].a);
		return buf;
	}
	snprintf(buf, len, "%lld s", (long long)secs);
	return buf;
}

const char *report_section_key(enum report_section s)
{
	return s < SEC_COUNT ? section_keys[s] : "";
}

const char *report_section_title(enum report_section s)
{
	return s < SEC_COUNT ? section_titles[s] : "";
}

const struct rtable *report_table_template(enum report_table t)
{
	return t < RT_COUNT ? &templates[t] : NULL;
}

const struct rtable *report_table_by_name(const struct report *r, const char *name)
{
	for (int i = 0; i < RT_COUNT; i++)
		if (!strcmp(r->tables[i].name, name))
			return &r->tables[i];
	return NULL;
}

char *report_table_names(char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (int i = 0; i < RT_COUNT && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? " " : "",
					templates[i].name);
	return buf;
}

const char *report_file(const char *name)
{
	for (unsigned i = 0; embedded_reports[i].name; i++)
		if (!strcmp(embedded_reports[i].name, name))
			return embedded_reports[i].text;
	return NULL;
}

char *report_human(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "kMGTPE";
	double d = (double)v;
	int u = -1;

	if (v < 1000) {
		snprintf(buf, len, "%llu", (unsigned long long)v);
		return buf;
	}
	while (d >= 999.95 && u < 5) {
		d /= 1000.0;
		u++;
	}
	snprintf(buf, len, d < 9.995 ? "%.2f%c" : d < 99.95 ? "%.1f%c" : "%.0f%c", d, units[u]);
	return buf;
}

char *report_sparkline(const uint64_t *v, size_t n, uint64_t max, int ascii, char *buf,
		       size_t len)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583", "\u2584",
					      "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii_levels[] = ".:-=+*#@";
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		const char *g;
		char one[2] = { 0, 0 };
		size_t glen;

		if (v[i] == 0 || max == 0) {
			g = " ";
		} else {
			/* eight levels; any non-zero value shows at least the lowest */
			unsigned lvl = (unsigned)((double)v[i] / (double)max * 8.0);

			if (lvl > 7)
				lvl = 7;
			if (ascii) {
				one[0] = ascii_levels[lvl];
				g = one;
			} else {
				g = blocks[lvl];
			}
		}
		glen = strlen(g);
		if (off + glen + 1 > len)
			break;
		memcpy(buf + off, g, glen + 1);
		off += glen;
	}
	return buf;
}

const char *report_cell_text(const struct report *r, const struct rcol *c,
			     const struct rcell *cell, int human, char *buf, size_t len)
{
	if (cell->null)
		return c->type == RC_INT || c->type == RC_BYTES ? "n/a" : "-";
	switch (c->type) {
	case RC_TEXT:
	case RC_HOST:
		return cell->s ? cell->s : "";
	case RC_INT:
		snprintf(buf, len, "%lld", (long long)cell->i);
		return buf;
	case RC_BYTES:
		if (human)
			return report_human(cell->i < 0 ? 0 : (uint64_t)cell->i, buf, len);
		snprintf(buf, len, "%lld", (long long)cell->i);
		return buf;
	case RC_TIME:
		return report_format_time(cell->i, r->utc, human ? TF_SHORT : TF_ISO, buf, len);
	}
	return "";
}
