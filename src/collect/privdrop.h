/* This file declares the privilege drop: once every capture handle, NFLOG socket and the
 * database are open, the collector becomes an unprivileged user for good. */
#ifndef SPOOFAUDIT_PRIVDROP_H
#define SPOOFAUDIT_PRIVDROP_H

#include <stddef.h>
#include <sys/types.h>

/* The user the collector drops to when run as root without --user, if it exists. */
#define PRIVDROP_DEFAULT_USER "spoofaudit"

/* Looks user up. Returns 0 with *uid and *gid, or -1 with a message in err. */
int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen);

/* Checks that the database file and its -wal/-shm companions belong to uid (handed over
 * with store_chown_files before the database was opened) and that the directory holding
 * them is writable by uid (SQLite creates and removes the WAL files beside the
 * database). Returns 0, or -1 with a message in err. */
int privdrop_prepare_db(const char *db_path, uid_t uid, gid_t gid, char *err, size_t errlen);

/* Drops to uid/gid in this order: setgroups (to gid alone), setresgid, setresuid,
 * PR_SET_NO_NEW_PRIVS; then checks that root cannot be regained and no capability is left.
 * Returns 0, or -1 with a message in err (the caller must exit). */
int privdrop_to(uid_t uid, gid_t gid, char *err, size_t errlen);

/* Drops every capability whatever the start (root, root after privdrop_to, or an
 * unprivileged user given ambient capabilities as systemd's AmbientCapabilities= does):
 * the bounding set where CAP_SETPCAP allows it, the ambient set, then the effective,
 * permitted and inheritable sets; sets PR_SET_NO_NEW_PRIVS. Then checks, rather than
 * trusts, that the effective, permitted, inheritable and ambient sets are empty and that
 * no_new_privs is on. Call once every handle needing a capability is open. Returns 0, or
 * -1 with a message in err (the caller must exit). */
int privdrop_caps_clear(char *err, size_t errlen);

#endif
