/* This file declares collect's backscatter options (flows/backscatter.h): the warm-up
 * and how long the connection memory keeps a quiet conversation. */
#ifndef SPOOFAUDIT_COLLECT_BSOPT_H
#define SPOOFAUDIT_COLLECT_BSOPT_H

#include "flows/backscatter.h"

/* Takes --backscatter-warmup (idle 0) or --backscatter-idle (idle 1) into *o. Returns 0,
 * or 2 after printing why arg is bad. */
int collect_bs_opt(struct bs_opts *o, int idle, const char *arg);

#endif
