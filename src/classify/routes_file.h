/* This file declares the readers of a route snapshot from files and options. */
#ifndef SPOOFAUDIT_ROUTES_FILE_H
#define SPOOFAUDIT_ROUTES_FILE_H

#include <stddef.h>
#include "classify/routes.h"

/* Adds to s the routes or rules of a JSON dump written by `ip -j route show table all`,
 * `ip -6 -j route show table all` or `ip -j rule show` (`ip -6 -j rule show`); an object
 * with "priority" is a rule. The family comes from the addresses in the dump. Returns 0,
 * or -1 with a reason (no path) in err. */
int rtsnap_load_json(struct rtsnap *s, const char *path, char *err, size_t errlen);

/* Adds one route given as `[TYPE] PREFIX [dev IF]... [table T] [metric N]`, TYPE an
 * `ip route` type (unicast when omitted: then a dev is needed), PREFIX "default" (IPv4),
 * "::/0", "10.0.0.0/8", "2001:db8::/32" or an address. Returns 0, or -1 with a reason. */
int rtsnap_parse_spec(struct rtsnap *s, const char *spec, char *err, size_t errlen);

#endif
