/* This file declares the rtnetlink reader of the route snapshot: open (before dropping
 * privileges: the socket is what the sandbox later lets it use), dump, and a watch socket
 * whose readability says the routes, rules or links changed. */
#ifndef SPOOFAUDIT_ROUTES_NL_H
#define SPOOFAUDIT_ROUTES_NL_H

#include "classify/routes.h"

struct rtsnap_nl;

/* Opens the dump socket and, when watch, a non-blocking socket subscribed to the link,
 * IPv4/IPv6 route and rule groups. NULL with errno set on failure. */
struct rtsnap_nl *rtsnap_nl_open(int watch);
void rtsnap_nl_close(struct rtsnap_nl *n);	/* NULL-safe */

/* The watch socket's descriptor to poll, or -1. */
int rtsnap_nl_fd(const struct rtsnap_nl *n);
/* Reads every pending notification; 1 when any arrived (or some were lost), else 0. */
int rtsnap_nl_changed(struct rtsnap_nl *n);

/* Dumps links, the routes of every table (IPv4 and IPv6) and the policy rules into a new
 * finished snapshot. NULL with errno set on failure. */
struct rtsnap *rtsnap_nl_dump(struct rtsnap_nl *n);

#endif
