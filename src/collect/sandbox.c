/* This file implements the collector's seccomp sandbox with libseccomp (see sandbox.h). */
#include "collect/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <net/if.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>

/* The sanitizers' runtime stops the world for the leak check at exit: it clones a tracer
 * that ptraces the process's threads. Those builds (tests only) allow that much more. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif

/* Calls made after start-up, allowed with any argument. Writes and sends are allowed here
 * (stdout, stderr, syslog, SQLite, the ruleset reader's socket); the second filter refuses
 * them on the packet and netlink sockets. */
static const char *const allowed[] = {
	/* reading the capture handles, NFLOG sockets, files and the ruleset reader */
	"read", "readv", "pread64", "preadv", "recvfrom", "recvmsg", "recvmmsg",
	"poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "epoll_ctl",
	"getsockopt", "getsockname", "bind",
	/* stdout, stderr, syslog's socket (opened before), SQLite, the ruleset reader */
	"write", "writev", "pwrite64", "pwritev", "sendto", "sendmsg",
	/* SQLite's files (database, -wal, -shm, journal), -r files, the policy on SIGHUP */
	"open", "openat", "close", "fstat", "newfstatat", "stat", "lstat", "statx", "lseek",
	"fsync", "fdatasync", "ftruncate", "fallocate", "unlink", "unlinkat", "access",
	"faccessat", "faccessat2", "getcwd", "readlink", "readlinkat", "getdents64",
	"fchown", "fchmod", "fcntl", "flock", "umask",
	/* memory (mmap and mprotect: below, never executable) */
	"brk", "munmap", "mremap", "madvise", "mincore",
	/* time, identity, limits */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep", "gettimeofday", "time",
	"getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid", "getresuid",
	"getresgid", "getgroups", "uname", "getrandom", "getrusage", "sysinfo", "getrlimit",
	"prlimit64", "sched_yield", "sched_getaffinity",
	/* signals, threads, exit; wait4 reaps the ruleset reader, kill stops it */
	"rt_sigreturn", "rt_sigprocmask", "rt_sigaction", "rt_sigtimedwait", "sigaltstack",
	"restart_syscall", "futex", "set_robust_list", "get_robust_list", "rseq",
	"set_tid_address", "exit", "exit_group", "wait4", "kill", "tgkill", "tkill", "shutdown",
};

/* Calls only an attacker makes: the process is killed on the spot. */
static const char *const hostile[] = {
	"execve", "execveat", "ptrace", "process_vm_readv", "process_vm_writev", "fork",
	"vfork", "mount", "umount2", "pivot_root", "chroot", "setns", "unshare", "bpf",
	"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
	"reboot", "swapon", "swapoff", "perf_event_open", "keyctl", "add_key", "request_key",
	"userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register", "open_by_handle_at",
	"name_to_handle_at", "fsopen", "fsmount", "move_mount", "open_tree", "setuid", "setgid",
	"setreuid", "setregid", "setresuid", "setresgid", "setgroups", "capset", "seccomp",
	"personality", "iopl", "ioperm", "pidfd_getfd", "kcmp",
};

#ifdef SANDBOX_SANITIZER
/* LeakSanitizer's stop-the-world at exit. */
static const char *const sanitizer[] = {
	"clone", "ptrace", "prctl", "wait4", "waitid", "getdents",
};
#endif

/* Writes, sends, descriptor duplications and re-binding refused on a packet or netlink
 * socket (the descriptor is the first argument of each). */
static const char *const send_calls[] = {
	"write", "writev", "pwrite64", "pwritev", "pwritev2", "sendto", "sendmsg", "sendmmsg",
	"sendfile", "dup2", "dup3", "bind",
};

/* Read-only ioctl requests: terminal checks (isatty) and libpcap's interface checks. */
static const unsigned long ioctls[] = { TCGETS, FIONREAD, SIOCGIFINDEX, SIOCGIFFLAGS,
					SIOCGIFNAME, SIOCGIFMTU };

static int resolve(const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);

	return nr == __NR_SCMP_ERROR ? -1 : nr;	/* negative: not on this architecture */
}

static int add_list(scmp_filter_ctx f, uint32_t act, const char *const *names, size_t n,
		    const char **bad)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int nr = resolve(names[i]);

		if (nr < 0)
			continue;
		if (seccomp_rule_add(f, act, nr, 0) < 0) {
			*bad = names[i];
			return -1;
		}
	}
	return 0;
}

/* The rules that compare arguments: mmap and mprotect never executable, clone only for
 * threads (clone3 says ENOSYS, so the C library falls back to clone), ioctl read-only,
 * and one kind of new socket: NETLINK_ROUTE, which getifaddrs() opens when the live audit
 * re-reads the host's addresses (without a capability the kernel refuses every change
 * through it: it only reads interfaces, addresses and routes). */
static int add_conditional(scmp_filter_ctx f, const char **bad)
{
	size_t i;

	*bad = "mmap";
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) < 0)
		return -1;
	*bad = "mprotect";
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			     SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)) < 0)
		return -1;
	*bad = "clone";
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
			     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD)) < 0)
		return -1;
	*bad = "socket";
	if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(socket), 2,
			     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK),
			     SCMP_A2(SCMP_CMP_EQ, NETLINK_ROUTE)) < 0)
		return -1;
	*bad = "clone3";
	if (seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0) < 0)
		return -1;
	*bad = "ioctl";
	for (i = 0; i < sizeof(ioctls) / sizeof(ioctls[0]); i++)
		if (seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, ioctls[i])) < 0)
			return -1;
	return 0;
}

/* The hostile calls kill (in a sanitizer build, all but ptrace, allowed above). */
static int add_hostile(scmp_filter_ctx f, const char **bad)
{
	size_t i;

	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		int nr = resolve(hostile[i]);

#ifdef SANDBOX_SANITIZER
		if (!strcmp(hostile[i], "ptrace"))
			continue;
#endif
		if (nr >= 0 && seccomp_rule_add(f, SCMP_ACT_KILL_PROCESS, nr, 0) < 0) {
			*bad = hostile[i];
			return -1;
		}
	}
	return 0;
}

/* The allow-list: default EPERM, hostile calls kill. */
static int load_allow(char *err, size_t errlen)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	const char *bad = "seccomp_init";
	int ret = -1, rc = -ENOMEM;

	if (!f)
		goto out;
	if ((rc = seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (rc = add_list(f, SCMP_ACT_ALLOW, allowed, sizeof(allowed) / sizeof(allowed[0]),
			   &bad)) < 0 ||
	    (rc = add_conditional(f, &bad)) < 0)
		goto out;
#ifdef SANDBOX_SANITIZER
	if ((rc = add_list(f, SCMP_ACT_ALLOW, sanitizer, sizeof(sanitizer) / sizeof(sanitizer[0]),
			   &bad)) < 0)
		goto out;
#endif
	if ((rc = add_hostile(f, &bad)) < 0)
		goto out;
	bad = "seccomp_load";
	if ((rc = seccomp_load(f)) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "seccomp allow-list (%s): %s", bad, strerror(-rc));
	seccomp_release(f);
	return ret;
}

/* The send filter: default allow, EPERM for a write, send or dup of a denied descriptor. */
static int load_deny(const int *fds, unsigned n, char *err, size_t errlen)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
	const char *bad = "seccomp_init";
	int ret = -1, rc = -ENOMEM;
	unsigned i, j;

	if (!f)
		goto out;
	if ((rc = seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS)) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		for (j = 0; j < sizeof(send_calls) / sizeof(send_calls[0]); j++) {
			int nr = resolve(send_calls[j]);

			bad = send_calls[j];
			if (nr >= 0 && (rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), nr, 1,
							      SCMP_A0(SCMP_CMP_EQ,
								      (scmp_datum_t)fds[i]))) < 0)
				goto out;
		}
	}
	/* a duplicate would be another name for the same socket */
	bad = "dup";
	if ((rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(dup), 0)) < 0 ||
	    (rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), 1,
				   SCMP_A1(SCMP_CMP_EQ, F_DUPFD))) < 0 ||
	    (rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(fcntl), 1,
				   SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC))) < 0)
		goto out;
	bad = "seccomp_load";
	if ((rc = seccomp_load(f)) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		snprintf(err, errlen, "seccomp send filter (%s): %s", bad, strerror(-rc));
	seccomp_release(f);
	return ret;
}

int sandbox_enter(const int *deny_fds, unsigned n, char *err, size_t errlen)
{
	unsigned i;

	if (n > SANDBOX_MAX_DENY_FDS) {
		snprintf(err, errlen, "%u descriptors to shut (at most %u)", n,
			 (unsigned)SANDBOX_MAX_DENY_FDS);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (deny_fds[i] < 0) {
			snprintf(err, errlen, "descriptor %d to shut is not open", deny_fds[i]);
			return -1;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
		return -1;
	}
	/* the send filter first: the allow-list forbids loading another one */
	if (load_deny(deny_fds, n, err, errlen) < 0 || load_allow(err, errlen) < 0)
		return -1;
	return 0;
}
