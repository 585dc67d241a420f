/* This file declares the text of `spoofaudit collect --help` (collect_usage.c). */
#ifndef SPOOFAUDIT_CMD_COLLECT_USAGE_H
#define SPOOFAUDIT_CMD_COLLECT_USAGE_H

#include <stdio.h>

/* Writes collect's usage text to f. */
void collect_usage(FILE *f);

#endif
