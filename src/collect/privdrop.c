/* This file implements the privilege drop of the collector. */
#include "collect/privdrop.h"

#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "store/store.h"

int privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(err, errlen, "no such user `%s'%s%s", user, errno ? ": " : "",
			 errno ? strerror(errno) : "");
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static int writable_by(const struct stat *st, uid_t uid, gid_t gid)
{
	if (uid == 0)
		return 1;
	if (st->st_uid == uid)
		return (st->st_mode & S_IWUSR) && (st->st_mode & S_IXUSR);
	if (st->st_gid == gid)
		return (st->st_mode & S_IWGRP) && (st->st_mode & S_IXGRP);
	return (st->st_mode & S_IWOTH) && (st->st_mode & S_IXOTH);
}

int privdrop_prepare_db(const char *db_path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	char dir[4096];
	struct stat st;

	if (strlen(db_path) + 5 >= sizeof(dir)) {
		snprintf(err, errlen, "%s: path too long", db_path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", db_path);
	if (stat(dirname(dir), &st) < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	if (!writable_by(&st, uid, gid)) {
		snprintf(err, errlen, "directory `%s' must be writable by uid %u, which SQLite needs "
			 "for the database's WAL files (e.g. chown %u:%u %s)", dir, (unsigned)uid,
			 (unsigned)uid, (unsigned)gid, dir);
		return -1;
	}
	/* handed over before the database was opened (store_chown_files); here only checked,
	 * by path: a descriptor closed now would drop the open connection's locks */
	return store_owner_check(db_path, uid, err, errlen);
}

/* The highest capability number this kernel knows: PR_CAPBSET_READ fails past it. */
static int cap_last(void)
{
	int c = CAP_LAST_CAP;

	while (c < 63 && prctl(PR_CAPBSET_READ, (unsigned long)c + 1, 0, 0, 0) >= 0)
		c++;
	while (c > 0 && prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) < 0)
		c--;
	return c;
}

/* Empties the bounding set while CAP_SETPCAP is still effective (as root, before the uid
 * changes); without CAP_SETPCAP the kernel refuses (EPERM) and the set stays: that is
 * harmless once no_new_privs is on, since nothing can be gained from it any more. */
static void bounding_drop(void)
{
	int c, last = cap_last();

	for (c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) == 1)
			(void)prctl(PR_CAPBSET_DROP, (unsigned long)c, 0, 0, 0);
}

int privdrop_caps_clear(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	int c, last;

	bounding_drop();
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		snprintf(err, errlen, "PR_CAP_AMBIENT_CLEAR_ALL: %s", strerror(errno));
		return -1;
	}
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0) {
		snprintf(err, errlen, "capset (clearing every capability): %s", strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	/* Check, rather than trust. */
	memset(data, 0, sizeof(data));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	hdr.pid = 0;
	if (syscall(SYS_capget, &hdr, data) < 0) {
		snprintf(err, errlen, "capget: %s", strerror(errno));
		return -1;
	}
	if (data[0].effective || data[1].effective || data[0].permitted || data[1].permitted ||
	    data[0].inheritable || data[1].inheritable) {
		snprintf(err, errlen, "capabilities remain after clearing them (effective %08x%08x, "
			 "permitted %08x%08x)", data[1].effective, data[0].effective,
			 data[1].permitted, data[0].permitted);
		return -1;
	}
	last = cap_last();
	for (c = 0; c <= last; c++) {
		/* -1 (EINVAL): a kernel without ambient capabilities (before 4.3) */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, (unsigned long)c, 0, 0) == 1) {
			snprintf(err, errlen, "ambient capability %d remains after clearing", c);
			return -1;
		}
	}
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) {
		snprintf(err, errlen, "no_new_privs is not set");
		return -1;
	}
	return 0;
}

int privdrop_to(uid_t uid, gid_t gid, char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	uid_t r, e, s;

	bounding_drop();
	if (setgroups(1, &gid) < 0) {
		snprintf(err, errlen, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(gid, gid, gid) < 0) {
		snprintf(err, errlen, "setresgid(%u): %s", (unsigned)gid, strerror(errno));
		return -1;
	}
	if (setresuid(uid, uid, uid) < 0) {
		snprintf(err, errlen, "setresuid(%u): %s", (unsigned)uid, strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	/* Check, rather than trust: all three uids changed, root is out of reach, and the
	 * kernel cleared the capability sets (it does on leaving uid 0 without keepcaps). */
	if (getresuid(&r, &e, &s) < 0 || r != uid || e != uid || s != uid) {
		snprintf(err, errlen, "uid did not change to %u", (unsigned)uid);
		return -1;
	}
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
		snprintf(err, errlen, "root could be regained after dropping to uid %u", (unsigned)uid);
		return -1;
	}
	memset(data, 0, sizeof(data));
	if (uid != 0 && (syscall(SYS_capget, &hdr, data) < 0 || data[0].effective ||
			 data[1].effective || data[0].permitted || data[1].permitted)) {
		snprintf(err, errlen, "capabilities remain after dropping to uid %u", (unsigned)uid);
		return -1;
	}
	return 0;
}
