/* This file declares the subcommands main.c dispatches; each lives in its own cmd_NAME.c
 * and owns its options. They return the process exit status: 0 success, 1 failure,
 * 2 bad usage. */
#ifndef SPOOFAUDIT_CMD_H
#define SPOOFAUDIT_CMD_H

int cmd_collect(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_prune(int argc, char **argv);

#endif
