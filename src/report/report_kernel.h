/* This file declares the report's model of the kernel's input checks (report_kernel.c):
 * what the kernel did with a group of spoofed packets, from the recorded settings. */
#ifndef SPOOFAUDIT_REPORT_KERNEL_H
#define SPOOFAUDIT_REPORT_KERNEL_H

#include "report/report_query.h"

enum kdecision { K_DROP, K_PASS, K_UNKNOWN };

/* What the kernel did with one (class, subclass, family, interface) group, and why. */
struct kwhy {
	enum kdecision d;
	const char *why;	/* the check or the reason */
	const char *counter;	/* the kernel counter of a drop, or NULL */
};

/* The kernel table's column of a setting, or -1. */
int report_kcol(const char *key);
/* The recorded value of key at scope: -1 when not recorded or when runs disagree. */
int report_kset(const struct report_qctx *q, const char *scope, const char *key);
/* Whether the recorded kernel is older than major.minor: 1, 0, or -1 (not recorded). */
int report_kernel_before(const struct report_qctx *q, unsigned major, unsigned minor);
/* What the kernel did with packets of class cls, subclass sub, family fam on iface. */
struct kwhy report_kdecide(const struct report_qctx *q, const char *cls, const char *sub,
			   int fam, const char *iface);

#endif
