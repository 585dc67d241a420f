/* This file declares the collector's seccomp sandbox: once every capture handle, NFLOG
 * socket, the database, syslog and the ruleset reader's socket are open and the
 * capabilities are gone, the collector confines itself to the system calls its loop makes,
 * and can no longer send on its packet and netlink sockets. */
#ifndef SPOOFAUDIT_SANDBOX_H
#define SPOOFAUDIT_SANDBOX_H

#include <stddef.h>

#define SANDBOX_MAX_DENY_FDS 96	/* descriptors sandbox_enter can shut for sending */

/* Loads two seccomp filters for the rest of the process's life (see README, "Privileges"):
 * an allow-list of the calls made after start-up (reading sockets, the SQLite files, stdio
 * and syslog, memory, time, signals, threads), where execve, ptrace, module loading,
 * namespaces and the like kill the process and anything else fails with EPERM; and a
 * second filter refusing (EPERM) every write, send or descriptor duplication on the n
 * descriptors of deny_fds (the AF_PACKET and netlink sockets: writing to one would send a
 * frame or a netlink message). Sets no_new_privs. Returns 0, or -1 with a message in err
 * (n too large, a negative descriptor, or libseccomp failed). */
int sandbox_enter(const int *deny_fds, unsigned n, char *err, size_t errlen);

#endif
