/* This file writes the live audit's violation lines to syslog, stderr or stdout as JSON
 * lines. */
#include "policy/alert.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "common/plural.h"
#include "common/textsafe.h"

int alert_parse(const char *s, enum alert_mode *m)
{
	if (!strcmp(s, "syslog"))
		*m = ALERT_SYSLOG;
	else if (!strcmp(s, "stderr"))
		*m = ALERT_STDERR;
	else if (!strcmp(s, "json"))
		*m = ALERT_JSON;
	else
		return -1;
	return 0;
}

enum alert_mode alert_default(void)
{
	const char *js = getenv("JOURNAL_STREAM");

	if ((js && *js) || !isatty(STDERR_FILENO))
		return ALERT_SYSLOG;
	return ALERT_STDERR;
}

const char *alert_mode_name(enum alert_mode m)
{
	return m == ALERT_SYSLOG ? "syslog" : m == ALERT_STDERR ? "stderr" : "json";
}

void alert_open(enum alert_mode m)
{
	if (m == ALERT_SYSLOG)
		openlog("spoofaudit", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void alert_close(enum alert_mode m)
{
	if (m == ALERT_SYSLOG)
		closelog();
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* A JSON string of text that may hold any byte (interface names, rule comments, NFLOG
 * prefixes): invalid UTF-8 repaired. NULL on allocation failure. */
static json_t *jtext(const char *s)
{
	char *u = text_utf8_dupn(nz(s), strlen(nz(s)));
	json_t *j = u ? json_string(u) : NULL;

	free(u);
	return j;
}

void alert_emit(enum alert_mode m, const struct alert_line *l)
{
	int info = l->kind && !strcmp(l->kind, "info");
	int weak = l->strength && !strcmp(l->strength, "weak");
	char head[128], *safe;
	const char *text;

	if (info)
		snprintf(head, sizeof(head), "policy");
	else
		snprintf(head, sizeof(head), "VIOLATION %s%s", nz(l->kind), weak ? " (weak evidence)" : "");
	if (m == ALERT_JSON) {
		json_t *o = json_object();
		char *s;

		if (!o)
			return;
		json_object_set_new(o, "ts", json_real((double)l->ts_usec / 1e6));
		json_object_set_new(o, "kind", json_string(nz(l->kind)));
		if (!info)
			json_object_set_new(o, "strength", json_string(l->strength ? l->strength : "strong"));
		if (l->flow && *l->flow)
			json_object_set_new(o, "flow", jtext(l->flow));
		if (l->intended && *l->intended)
			json_object_set_new(o, "intended", jtext(l->intended));
		if (l->live && *l->live)
			json_object_set_new(o, "live", jtext(l->live));
		if (l->evidence && *l->evidence)
			json_object_set_new(o, "evidence", jtext(l->evidence));
		if (l->repeated) {
			json_object_set_new(o, "repeated", json_integer((json_int_t)l->repeated));
			json_object_set_new(o, "window_s", json_integer((json_int_t)l->window_s));
		}
		if (l->total)
			json_object_set_new(o, "total", json_integer((json_int_t)l->total));
		json_object_set_new(o, "message", jtext(l->text));
		s = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		if (s) {
			fprintf(stdout, "%s\n", s);
			fflush(stdout);
			free(s);
		}
		return;
	}
	/* syslog and stderr reach a terminal: control characters escaped */
	safe = text_term_dup(nz(l->text));
	text = safe ? safe : "(out of memory)";
	if (l->repeated) {
		if (m == ALERT_SYSLOG)
			syslog(LOG_WARNING, "%s repeated %llu time%s in %us (%llu in total): %s", head,
			       (unsigned long long)l->repeated, plural_s(l->repeated), l->window_s,
			       (unsigned long long)l->total, text);
		else
			fprintf(stderr, "spoofaudit: %s repeated %llu time%s in %us (%llu in total): "
				"%s\n", head, (unsigned long long)l->repeated, plural_s(l->repeated),
				l->window_s, (unsigned long long)l->total, text);
		free(safe);
		return;
	}
	if (m == ALERT_SYSLOG)
		syslog(info ? LOG_NOTICE : LOG_WARNING, "%s: %s", head, text);
	else
		fprintf(stderr, "spoofaudit: %s: %s\n", head, text);
	free(safe);
}
